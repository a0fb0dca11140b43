/*
 * Unit tests of the SPD (dataplane/spd*.c), part 3: what the control core
 * reads back (policies in id order with dp_spd_next, the default action,
 * the client prefixes with dp_spd_client_foreach, kept in step with the
 * LPMs and the queue of IPv6 adds that wait for a grace period, including
 * after failed adds), and the clear-text inbound decision
 * dp_spd_lookup_in (RFC 4301 §5.2 step 3b: BYPASS, DISCARD or PROTECT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "tests/unit/dataplane/spd_fixture.h"

enum {
	VIEW_READER = 1,		/* QSBR thread id the test holds online */
	VIEW_THREADS = 2,
	VIEW_MAX_SEEN = 64,
	VIEW_LINE = 80,
	CHURN_OPS = 3000,
	CHURN_SPACE = 24,		/* prefixes the churn draws from */
	STOP_AFTER = 2,
};

/* ---- Collecting dp_spd_client_foreach ---- */

struct seen {
	unsigned int n;
	unsigned int stop_after;	/* 0: never stop */
	char line[VIEW_MAX_SEEN][VIEW_LINE];
};

/* "ADDR/LEN sa N" plus " pending". */
static int
seen_add(const struct cfg_prefix *p, uint32_t sa_id, bool pending, void *arg)
{
	struct seen *s = arg;
	char a[INET6_ADDRSTRLEN];

	CU_ASSERT_FATAL(s->n < VIEW_MAX_SEEN);
	CU_ASSERT_PTR_NOT_NULL(inet_ntop(p->family, p->addr.bytes, a, sizeof(a)));
	snprintf(s->line[s->n++], VIEW_LINE, "%s/%u sa %u%s", a, p->len, sa_id,
		 pending ? " pending" : "");
	return s->stop_after != 0 && s->n == s->stop_after ? 7 : 0;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every client as a sorted "ADDR/LEN sa N[ pending]" line. */
static struct seen
clients(const struct dp_spd *spd)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(dp_spd_client_foreach(spd, seen_add, &s), 0);
	qsort(s.line, s.n, sizeof(s.line[0]), line_cmp);
	CU_ASSERT_EQUAL(s.n, dp_spd_client_count(spd));
	return s;
}

/* The lines are exactly WANT (sorted, as strcmp orders them). */
static bool
clients_are(const struct dp_spd *spd, const char *const *want, unsigned int n)
{
	struct seen s = clients(spd);
	bool ok = s.n == n;

	for (unsigned int i = 0; ok && i < n; i++)
		ok = strcmp(s.line[i], want[i]) == 0;
	if (!ok) {
		for (unsigned int i = 0; i < s.n; i++)
			fprintf(stderr, "\n  got %s", s.line[i]);
		for (unsigned int i = 0; i < n; i++)
			fprintf(stderr, "\n  want %s", want[i]);
	}
	return ok;
}

static struct rte_rcu_qsbr *
view_qsbr(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(VIEW_THREADS);
	struct rte_rcu_qsbr *v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(v, VIEW_THREADS), 0);
	/* A reader that stays online: no grace period ends until it reports. */
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_thread_register(v, VIEW_READER), 0);
	rte_rcu_qsbr_thread_online(v, VIEW_READER);
	return v;
}

static void
view_qsbr_free(struct rte_rcu_qsbr *v)
{
	rte_rcu_qsbr_thread_offline(v, VIEW_READER);
	rte_rcu_qsbr_thread_unregister(v, VIEW_READER);
	rte_free(v);
}

/* ---- dp_spd_next, dp_spd_default_action ---- */

static bool
params_eq(const struct dp_policy_params *a, const struct dp_policy_params *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
test_next(void)
{
	struct dp_spd *spd = mk("next", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_policy_params p[4], got;
	uint32_t iter = 0, id = NONE;

	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	CU_ASSERT_EQUAL(id, NONE);
	CU_ASSERT_EQUAL(iter, SMALL * 4);	/* at the end: the next call is cheap */
	iter = 0;
	CU_ASSERT(!dp_spd_next(NULL, &iter, &id, &got));
	CU_ASSERT_EQUAL(iter, 0);
	p[0] = pol(30, DP_POLICY_BYPASS, any6(), any6(), 0);
	p[1] = pol(10, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.0.0", 24, IPPROTO_TCP, 80, 80),
		   any4(), 9);
	p[2] = pol(20, DP_POLICY_DISCARD, any4(), ts_pfx(AF_INET, "10.9.0.0", 16, 0, 0, 65535),
		   0);
	p[3] = pol(5, DP_POLICY_PROTECT, any6(), ts_pfx(AF_INET6, "2001:db8:9::", 48, 0, 0,
							65535), 3);
	for (unsigned int i = 0; i < RTE_DIM(p); i++)
		CU_ASSERT_EQUAL(add(spd, p[i]), i);
	/* Id order, not priority order; exact parameters. */
	for (unsigned int i = 0; i < RTE_DIM(p); i++) {
		CU_ASSERT(dp_spd_next(spd, &iter, &id, &got));
		CU_ASSERT_EQUAL(id, i);
		CU_ASSERT_EQUAL(iter, i + 1);
		CU_ASSERT(params_eq(&got, &p[i]));
	}
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	/* A deleted policy is skipped; a rekey shows the new SA. */
	CU_ASSERT_EQUAL(dp_spd_delete(spd, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_set_sa(spd, 3, 33), 0);
	iter = 0;
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 0 && params_eq(&got, &p[0]));
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 2 && params_eq(&got, &p[2]));
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 3 && got.sa_id == 33);
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	/* In a batch: added policies are listed at once, deleted ones not. */
	dp_spd_batch_begin(spd);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, 0), 0);
	CU_ASSERT_EQUAL(add(spd, p[1]), 1);
	iter = 0;
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 1 && params_eq(&got, &p[1]));
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 2);
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 3);
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 3);
	/* An iterator past the end, or deep in the slots, stays at the end. */
	iter = UINT32_MAX;
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	iter = 4;
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	CU_ASSERT_EQUAL(iter, SMALL * 4);
	dp_spd_free(spd);
}

/* Slots waiting for a grace period are not policies any more. */
static void
test_next_qsbr(void)
{
	struct rte_rcu_qsbr *v = view_qsbr();
	struct dp_spd *spd = mk("nextq", SMALL, 4, DP_POLICY_DISCARD, v);
	struct dp_policy_params p = pol(1, DP_POLICY_BYPASS, any4(), any4(), 0), got;
	uint32_t iter = 0, id = NONE;

	CU_ASSERT_EQUAL(add(spd, p), 0);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, 0), 0);
	p.priority = 2;
	CU_ASSERT_EQUAL(add(spd, p), 1);
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 1 && got.priority == 2);
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	iter = 0;
	CU_ASSERT(dp_spd_next(spd, &iter, &id, &got) && id == 1);
	CU_ASSERT(!dp_spd_next(spd, &iter, &id, &got));
	dp_spd_free(spd);
	view_qsbr_free(v);
}

static void
test_default_getter(void)
{
	struct dp_spd *b = mk("getb", 1, 1, DP_POLICY_BYPASS, NULL);
	struct dp_spd *d = mk("getd", 1, 1, DP_POLICY_DISCARD, NULL);

	CU_ASSERT_EQUAL(dp_spd_default_action(b), DP_POLICY_BYPASS);
	CU_ASSERT_EQUAL(dp_spd_default_action(d), DP_POLICY_DISCARD);
	dp_spd_free(b);
	dp_spd_free(d);
}

/* ---- dp_spd_client_foreach ---- */

static void
test_foreach(void)
{
	struct dp_spd *spd = mk("foreach", SMALL, 8, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix c32 = cp(AF_INET, "10.9.0.6", 32), c24 = cp(AF_INET, "10.9.0.77", 24);
	struct cfg_prefix c128 = cp(AF_INET6, "2001:db8:9::6", 128);
	struct cfg_prefix c48 = cp(AF_INET6, "2001:db8:9:ffff::1", 48);
	static const char *const all[] = {
		"10.9.0.0/24 sa 12", "10.9.0.6/32 sa 11", "2001:db8:9::/48 sa 22",
		"2001:db8:9::6/128 sa 21",
	};
	static const char *const rekeyed[] = {
		"10.9.0.0/24 sa 12", "10.9.0.6/32 sa 13", "2001:db8:9::/48 sa 22",
		"2001:db8:9::6/128 sa 23",
	};
	static const char *const left[] = { "10.9.0.6/32 sa 13", "2001:db8:9::6/128 sa 23" };
	struct seen s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(dp_spd_client_foreach(spd, seen_add, &s), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(dp_spd_client_foreach(NULL, seen_add, &s), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, 11), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c24, 12), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c128, 21), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c48, 22), 0);
	/* Host bits cleared; IPv4 before IPv6. */
	CU_ASSERT(clients_are(spd, all, RTE_DIM(all)));
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(dp_spd_client_foreach(spd, seen_add, &s), 0);
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_EQUAL(strncmp(s.line[0], "10.9.0.", strlen("10.9.0.")), 0);
	CU_ASSERT_EQUAL(strncmp(s.line[1], "10.9.0.", strlen("10.9.0.")), 0);
	CU_ASSERT_EQUAL(strncmp(s.line[2], "2001:db8:9::", strlen("2001:db8:9::")), 0);
	/* Rekey in place: same prefixes, new SAs, same count. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, 13), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c128, 23), 0);
	CU_ASSERT(clients_are(spd, rekeyed, RTE_DIM(rekeyed)));
	/* Deleted by the same prefix with other host bits. */
	c24 = cp(AF_INET, "10.9.0.1", 24);
	c48 = cp(AF_INET6, "2001:db8:9::", 48);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c24), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c48), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c48), -ENOENT);
	CU_ASSERT(clients_are(spd, left, RTE_DIM(left)));
	/* A non-zero return stops the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	CU_ASSERT_EQUAL(dp_spd_client_foreach(spd, seen_add, &s), 7);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c32), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c128), 0);
	CU_ASSERT(clients_are(spd, NULL, 0));
	dp_spd_free(spd);
}

/* Refused adds leave the table as it was. */
static void
test_foreach_errors(void)
{
	struct dp_spd *spd = mk("feerr", SMALL, 2, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix a = cp(AF_INET, "10.9.0.1", 32), b = cp(AF_INET, "10.9.0.2", 32);
	struct cfg_prefix c = cp(AF_INET, "10.9.0.3", 32), bad = cp(AF_INET, "10.9.0.4", 33);
	struct cfg_prefix x = cp(AF_INET6, "2001:db8:9::1", 128);
	static const char *const want[] = { "10.9.0.1/32 sa 1", "10.9.0.2/32 sa 2",
					    "2001:db8:9::1/128 sa 3" };

	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 2), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c, 3), -ENOSPC);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 1u << 24), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &bad, 4), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &x, 1u << 21), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &x, 3), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c), -ENOENT);
	CU_ASSERT(clients_are(spd, want, RTE_DIM(want)));
	CU_ASSERT(is(look(spd, f4(6, "1.1.1.1", "10.9.0.2", 1, 2)), DP_POLICY_PROTECT, 2, NONE));
	CU_ASSERT(is_default(look(spd, f4(6, "1.1.1.1", "10.9.0.3", 1, 2)), DP_POLICY_DISCARD));
	dp_spd_free(spd);
}

/* rte_lpm6 out of tbl8 groups (64 for max_clients 16; a /128 whose first
 * 24 bits are new takes 13): the 5th such add fails and leaves no trace. */
static void
test_foreach_lpm_full(void)
{
	struct dp_spd *spd = mk("fefull", SMALL, 16, DP_POLICY_DISCARD, NULL);
	static const char *const addrs[] = { "2001:100::1", "2001:200::1", "2001:300::1",
					     "2001:400::1", "2001:500::1" };
	static const char *const want[] = { "2001:100::1/128 sa 1", "2001:200::1/128 sa 2",
					    "2001:300::1/128 sa 3", "2001:400::1/128 sa 4" };

	for (unsigned int i = 0; i < RTE_DIM(addrs); i++) {
		struct cfg_prefix p = cp(AF_INET6, addrs[i], 128);

		CU_ASSERT_EQUAL(dp_spd_add_client(spd, &p, i + 1), i < 4 ? 0 : -ENOSPC);
	}
	CU_ASSERT(clients_are(spd, want, RTE_DIM(want)));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 4);
	CU_ASSERT(is_default(look(spd, f6(17, "2001:db8::1", "2001:500::1", 1, 2)),
			     DP_POLICY_DISCARD));
	/* Replacing an SA needs no group. */
	{
		struct cfg_prefix p = cp(AF_INET6, addrs[0], 128);

		CU_ASSERT_EQUAL(dp_spd_add_client(spd, &p, 9), 0);
		CU_ASSERT(is(look(spd, f6(17, "2001:db8::1", "2001:100::1", 1, 2)),
			     DP_POLICY_PROTECT, 9, NONE));
	}
	dp_spd_free(spd);
}

/* IPv6 adds queued behind a grace period are listed as pending until
 * dp_spd_reclaim applies them; one that then finds no tbl8 group stays so. */
static void
test_foreach_pending(void)
{
	struct rte_rcu_qsbr *v = view_qsbr();
	struct dp_spd *spd = mk("fepend", SMALL, 16, DP_POLICY_DISCARD, v);
	struct cfg_prefix a = cp(AF_INET6, "2001:db8:9::a", 128);
	struct cfg_prefix b = cp(AF_INET6, "2001:db8:9::b", 128);
	struct cfg_prefix q4 = cp(AF_INET, "10.9.0.1", 32);
	static const char *const queued[] = { "10.9.0.1/32 sa 5", "2001:db8:9::a/128 sa 2",
					      "2001:db8:9::b/128 sa 3 pending" };
	static const char *const queued2[] = { "10.9.0.1/32 sa 5",
					       "2001:db8:9::b/128 sa 4 pending" };
	static const char *const applied[] = { "10.9.0.1/32 sa 5", "2001:db8:9::b/128 sa 4" };

	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &b), 0);	/* the gate closes */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 3), 0);	/* queued */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 2), 0);	/* present: in place */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &q4, 5), 0);	/* IPv4 never waits */
	CU_ASSERT(clients_are(spd, queued, RTE_DIM(queued)));
	CU_ASSERT(is(look(spd, f6(17, "2001:db8::1", "2001:db8:9::a", 1, 2)), DP_POLICY_PROTECT,
		     2, NONE));
	CU_ASSERT(is_default(look(spd, f6(17, "2001:db8::1", "2001:db8:9::b", 1, 2)),
			     DP_POLICY_DISCARD));
	/* Queued: rekeyed in the queue; a delete of a present one. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 4), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &a), 0);
	dp_spd_reclaim(spd);
	CU_ASSERT(clients_are(spd, queued2, RTE_DIM(queued2)));
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	CU_ASSERT(clients_are(spd, applied, RTE_DIM(applied)));
	CU_ASSERT(is(look(spd, f6(17, "2001:db8::1", "2001:db8:9::b", 1, 2)), DP_POLICY_PROTECT,
		     4, NONE));
	/* A queued add deleted before it was applied leaves nothing behind. */
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &b), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 6), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &a), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &a), -ENOENT);
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	CU_ASSERT(clients_are(spd, applied, 1));
	CU_ASSERT(is_default(look(spd, f6(17, "2001:db8::1", "2001:db8:9::a", 1, 2)),
			     DP_POLICY_DISCARD));
	dp_spd_free(spd);
	view_qsbr_free(v);
}

static void
test_foreach_pending_full(void)
{
	struct rte_rcu_qsbr *v = view_qsbr();
	struct dp_spd *spd = mk("fepfull", SMALL, 16, DP_POLICY_DISCARD, v);
	static const char *const addrs[] = { "2001:100::1", "2001:200::1", "2001:300::1",
					     "2001:400::1", "2001:500::1" };
	static const char *const want[] = { "2001:100::1/128 sa 1", "2001:200::1/128 sa 2",
					    "2001:300::1/128 sa 3", "2001:400::1/128 sa 4",
					    "2001:500::1/128 sa 5 pending" };
	static const char *const after[] = { "2001:200::1/128 sa 2", "2001:300::1/128 sa 3",
					     "2001:400::1/128 sa 4", "2001:500::1/128 sa 5" };
	struct cfg_prefix p = cp(AF_INET6, "2001:600::1", 128);

	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &p, 9), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &p), 0);
	for (unsigned int i = 0; i < RTE_DIM(addrs); i++) {
		p = cp(AF_INET6, addrs[i], 128);
		CU_ASSERT_EQUAL(dp_spd_add_client(spd, &p, i + 1), 0);
	}
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	CU_ASSERT(clients_are(spd, want, RTE_DIM(want)));
	CU_ASSERT(is(look(spd, f6(17, "2001:db8::1", "2001:400::1", 1, 2)), DP_POLICY_PROTECT,
		     4, NONE));
	CU_ASSERT(is_default(look(spd, f6(17, "2001:db8::1", "2001:500::1", 1, 2)),
			     DP_POLICY_DISCARD));
	/* Room again: the next reclaim applies it. */
	p = cp(AF_INET6, addrs[0], 128);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &p), 0);
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	CU_ASSERT(clients_are(spd, after, RTE_DIM(after)));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 4);
	CU_ASSERT(is(look(spd, f6(17, "2001:db8::1", "2001:500::1", 1, 2)), DP_POLICY_PROTECT,
		     5, NONE));
	dp_spd_free(spd);
	view_qsbr_free(v);
}

/* Random adds, rekeys and deletes over a few prefixes of both families,
 * grace periods now and then: the listing always equals a reference, and
 * every prefix not pending answers lookups with its SA. */
struct churn_ref {
	struct cfg_prefix p[CHURN_SPACE];
	uint32_t sa[CHURN_SPACE];	/* 0: absent */
};

static unsigned int
churn_check(const struct dp_spd *spd, const struct churn_ref *r, unsigned int *n_pending)
{
	struct seen s;
	unsigned int bad = 0, n = 0;

	memset(&s, 0, sizeof(s));
	dp_spd_client_foreach(spd, seen_add, &s);
	for (unsigned int i = 0; i < CHURN_SPACE; i++) {
		char a[INET6_ADDRSTRLEN], line[VIEW_LINE], pend[VIEW_LINE + sizeof(" pending")];
		bool found = false, pending = false;

		if (r->sa[i] == 0)
			continue;
		n++;
		inet_ntop(r->p[i].family, r->p[i].addr.bytes, a, sizeof(a));
		snprintf(line, sizeof(line), "%s/%u sa %u", a, r->p[i].len, r->sa[i]);
		snprintf(pend, sizeof(pend), "%s pending", line);
		for (unsigned int j = 0; j < s.n; j++) {
			found |= strcmp(s.line[j], line) == 0 || strcmp(s.line[j], pend) == 0;
			pending |= strcmp(s.line[j], pend) == 0;
		}
		bad += !found || (pending && r->p[i].family == AF_INET);
		*n_pending += pending;
		if (!pending)
			bad += !is(look(spd, flow(r->p[i].family, 17, r->p[i].family == AF_INET ?
						  "1.1.1.1" : "::1", a, 1, 2)),
				   DP_POLICY_PROTECT, r->sa[i], NONE);
	}
	return bad + (s.n != n) + (dp_spd_client_count(spd) != n);
}

static void
test_foreach_churn(void)
{
	struct rte_rcu_qsbr *v = view_qsbr();
	struct dp_spd *spd = mk("fechurn", SMALL, CHURN_SPACE, DP_POLICY_DISCARD, v);
	static struct churn_ref r;
	unsigned int bad = 0, n_pending = 0;

	memset(&r, 0, sizeof(r));
	srand(11);
	for (unsigned int i = 0; i < CHURN_SPACE; i++) {
		char a[INET6_ADDRSTRLEN];

		if (i % 2)
			snprintf(a, sizeof(a), "2001:db8:9:%x::%x", i % 3, i);
		else
			snprintf(a, sizeof(a), "10.9.%u.%u", i % 3, i);
		r.p[i] = cp(i % 2 ? AF_INET6 : AF_INET, a, i % 2 ? 128 : 32);
	}
	for (unsigned int op = 0; op < CHURN_OPS; op++) {
		unsigned int i = (unsigned int)rand() % CHURN_SPACE;

		if (rand() % 3 == 0) {
			bad += dp_spd_delete_client(spd, &r.p[i]) != (r.sa[i] != 0 ? 0 : -ENOENT);
			r.sa[i] = 0;
		} else {
			r.sa[i] = 1 + op;
			bad += dp_spd_add_client(spd, &r.p[i], r.sa[i]) != 0;
		}
		if (rand() % 16 == 0)
			rte_rcu_qsbr_quiescent(v, VIEW_READER);
		if (rand() % 4 == 0)
			dp_spd_reclaim(spd);
		if (op % 10 == 0)
			bad += churn_check(spd, &r, &n_pending);
	}
	rte_rcu_qsbr_quiescent(v, VIEW_READER);
	dp_spd_reclaim(spd);
	bad += churn_check(spd, &r, &n_pending);
	printf("(%u pending seen) ", n_pending);
	CU_ASSERT(n_pending > 0);
	CU_ASSERT_EQUAL(bad, 0);
	{
		struct seen s;

		memset(&s, 0, sizeof(s));
		dp_spd_client_foreach(spd, seen_add, &s);
		for (unsigned int j = 0; j < s.n; j++)
			bad += strstr(s.line[j], "pending") != NULL;
		CU_ASSERT_EQUAL(bad, 0);
	}
	dp_spd_free(spd);
	view_qsbr_free(v);
}

/* ---- dp_spd_lookup_in ---- */

/* The action for clear-text F, and requires_protection agrees with it. */
static enum dp_policy_action
in(const struct dp_spd *spd, struct dp_flow f)
{
	enum dp_policy_action a = dp_spd_lookup_in(spd, &f);

	CU_ASSERT_EQUAL(dp_spd_requires_protection(spd, &f), a == DP_POLICY_PROTECT);
	return a;
}

static void
test_lookup_in(void)
{
	struct dp_spd *spd = mk("lkin", SMALL, 8, DP_POLICY_BYPASS, NULL);
	struct cfg_prefix cl = cp(AF_INET, "10.9.0.6", 32);
	struct dp_flow x;

	add(spd, pol(10, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.0.0", 24, IPPROTO_TCP, 0, 65535),
		     ts_pfx(AF_INET, "10.9.0.5", 32, IPPROTO_TCP, 443, 443), 1));
	add(spd, pol(5, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.0.0.99", 32, 0, 0, 65535), any4(),
		     0));
	add(spd, pol(20, DP_POLICY_DISCARD, ts_pfx(AF_INET, "10.0.1.0", 24, 0, 0, 65535), any4(),
		     0));
	add(spd, pol(30, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.2.0", 24, IPPROTO_ICMP, 8, 8),
		     ts_pfx(AF_INET, "10.9.0.5", 32, IPPROTO_ICMP, 0, 0), 2));
	add(spd, pol(10, DP_POLICY_DISCARD, ts_pfx(AF_INET6, "2001:db8:1::", 48, 0, 0, 65535),
		     any6(), 0));
	add(spd, pol(5, DP_POLICY_BYPASS, ts_pfx(AF_INET6, "2001:db8:1::", 48, IPPROTO_UDP, 53,
						 53), any6(), 0));
	/* From the peer's port 443 to the protected side: should be ESP. */
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.1", 443, 5555)),
			DP_POLICY_PROTECT);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.1", 80, 5555)),
			DP_POLICY_BYPASS);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_TCP, "10.0.0.1", "10.9.0.5", 5555, 443)),
			DP_POLICY_BYPASS);
	/* A BYPASS policy in front decides first. */
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.99", 443, 5555)),
			DP_POLICY_BYPASS);
	/* RFC 4301 §5.2: what a DISCARD policy covers is discarded inbound too. */
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_UDP, "192.0.2.1", "10.0.1.7", 1, 2)),
			DP_POLICY_DISCARD);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_UDP, "10.0.1.7", "192.0.2.1", 1, 2)),
			DP_POLICY_BYPASS);
	/* ICMP: type and code are not swapped. */
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_ICMP, "10.9.0.5", "10.0.2.1", 8, 0)),
			DP_POLICY_PROTECT);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_ICMP, "10.9.0.5", "10.0.2.1", 0, 0)),
			DP_POLICY_BYPASS);
	/* IPv6, opaque fragments: only port-less policies. */
	x = f6(IPPROTO_UDP, "2001:db8:9::1", "2001:db8:1::1", 53, 53);
	CU_ASSERT_EQUAL(in(spd, x), DP_POLICY_BYPASS);
	CU_ASSERT_EQUAL(in(spd, opaque(x)), DP_POLICY_DISCARD);
	CU_ASSERT_EQUAL(in(spd, f6(IPPROTO_TCP, "2001:db8:9::1", "2001:db8:1::1", 53, 53)),
			DP_POLICY_DISCARD);
	CU_ASSERT_EQUAL(in(spd, f6(IPPROTO_TCP, "2001:db8:9::1", "2001:db8:2::1", 53, 53)),
			DP_POLICY_BYPASS);
	/* From a client's address: PROTECT; to it: not the client's traffic. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &cl, 3), 0);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_UDP, "10.9.0.6", "192.0.2.1", 1, 2)),
			DP_POLICY_PROTECT);
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_UDP, "192.0.2.1", "10.9.0.6", 1, 2)),
			DP_POLICY_BYPASS);
	/* Policies come before clients. */
	CU_ASSERT_EQUAL(in(spd, f4(IPPROTO_UDP, "10.9.0.6", "10.0.1.1", 1, 2)),
			DP_POLICY_DISCARD);
	/* An unknown family: the default. */
	x = f4(IPPROTO_UDP, "10.9.0.6", "192.0.2.1", 1, 2);
	x.family = AF_UNIX;
	CU_ASSERT_EQUAL(in(spd, x), DP_POLICY_BYPASS);
	dp_spd_free(spd);
}

static void
test_lookup_in_default(void)
{
	struct dp_spd *spd = mk("lkind", SMALL, 8, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix cl = cp(AF_INET6, "2001:db8:9::6", 128);
	struct dp_flow x = f4(IPPROTO_UDP, "192.0.2.1", "10.0.0.1", 1, 2);

	/* No policy: clear-text inbound gets the default, DISCARD here. */
	CU_ASSERT_EQUAL(in(spd, x), DP_POLICY_DISCARD);
	add(spd, pol(1, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.0.0.0", 24, 0, 0, 65535),
		     ts_pfx(AF_INET, "192.0.2.0", 24, 0, 0, 65535), 0));
	CU_ASSERT_EQUAL(in(spd, x), DP_POLICY_BYPASS);
	x = f4(IPPROTO_UDP, "192.0.3.1", "10.0.0.1", 1, 2);
	CU_ASSERT_EQUAL(in(spd, x), DP_POLICY_DISCARD);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &cl, 4), 0);
	CU_ASSERT_EQUAL(in(spd, f6(IPPROTO_TCP, "2001:db8:9::6", "2001:db8:1::1", 1, 2)),
			DP_POLICY_PROTECT);
	CU_ASSERT_EQUAL(in(spd, f6(IPPROTO_TCP, "2001:db8:9::7", "2001:db8:1::1", 1, 2)),
			DP_POLICY_DISCARD);
	dp_spd_free(spd);
}

void
spd_view_tests(CU_pSuite suite)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "next: policies in id order", test_next },
		{ "next: slots in a grace period", test_next_qsbr },
		{ "default action getter", test_default_getter },
		{ "client foreach: add, rekey, delete, stop", test_foreach },
		{ "client foreach: refused adds", test_foreach_errors },
		{ "client foreach: LPM6 out of tbl8 groups", test_foreach_lpm_full },
		{ "client foreach: pending IPv6 adds", test_foreach_pending },
		{ "client foreach: pending add without room", test_foreach_pending_full },
		{ "client foreach: random churn vs reference", test_foreach_churn },
		{ "lookup_in: policies, clients, ICMP, opaque", test_lookup_in },
		{ "lookup_in: default DISCARD", test_lookup_in_default },
	};

	for (size_t i = 0; i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
}
