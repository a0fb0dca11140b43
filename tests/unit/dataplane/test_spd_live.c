/*
 * Unit tests of the SPD (dataplane/spd*.c), part 2: the ACL swap and
 * reclamation under a QSBR reader thread, remote-access client prefixes
 * (/32, /128, the IPv6 grace period), the clear-text inbound check (RFC
 * 4301 §5.2 step 3b), bulk lookups of mixed flows and 1000-policy tables
 * against a linear reference (dp_ts_contains, first match by priority then
 * id, then longest client prefix, then the default), and build times.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <rte_acl.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "tests/unit/dataplane/spd_fixture.h"

enum {
	READER_TID = 1,
	QSBR_THREADS = 2,
	CHURN_ROUNDS = 200,
	BIG_POLICIES = 1000,
	RANDOM_FLOWS = 3000,
	REF_MAX = 1100,
	CLIENT_MAX = 64,
};

/* ---- QSBR: swap under a reader ---- */

struct reader {
	struct rte_rcu_qsbr *v;
	const struct dp_spd *spd;
	struct dp_flow f;
	struct dp_policy_result expect;
	int cmd;			/* enum reader_cmd, valid when seq changes */
	unsigned int seq;		/* atomic: bumped for each command */
	unsigned int done;		/* atomic: seq of the last command completed */
	unsigned long lookups;
	unsigned long wrong;
};

enum reader_cmd {
	CMD_NONE,
	CMD_LOOKUP,			/* one lookup, no quiescent state */
	CMD_QUIESCENT,			/* one lookup, then report quiescent */
	CMD_CHURN,			/* lookups + quiescent until told to stop */
	CMD_EXIT,
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned int last = 0;

	rte_rcu_qsbr_thread_register(r->v, READER_TID);
	rte_rcu_qsbr_thread_online(r->v, READER_TID);
	for (;;) {
		unsigned int seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
		int cmd = __atomic_load_n(&r->cmd, __ATOMIC_RELAXED);
		struct dp_policy_result res = look(r->spd, r->f);

		if (cmd == CMD_EXIT)
			break;
		if (cmd == CMD_CHURN) {
			r->lookups++;
			if (!is(res, r->expect.action, r->expect.sa_id, r->expect.policy_id))
				r->wrong++;
			rte_rcu_qsbr_quiescent(r->v, READER_TID);
			continue;
		}
		if (seq == last) {
			sched_yield();
			continue;
		}
		if (cmd == CMD_QUIESCENT)
			rte_rcu_qsbr_quiescent(r->v, READER_TID);
		last = seq;
		__atomic_store_n(&r->done, seq, __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_thread_offline(r->v, READER_TID);
	rte_rcu_qsbr_thread_unregister(r->v, READER_TID);
	return NULL;
}

/* Gives the reader a command; waits for it unless it runs until told otherwise. */
static void
reader_do(struct reader *r, int cmd)
{
	unsigned int seq = r->seq + 1;

	__atomic_store_n(&r->cmd, cmd, __ATOMIC_RELAXED);
	__atomic_store_n(&r->seq, seq, __ATOMIC_RELEASE);
	while (cmd != CMD_CHURN && cmd != CMD_EXIT &&
	       __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != seq)
		sched_yield();
}

static struct rte_rcu_qsbr *
qsbr_new(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(QSBR_THREADS);
	struct rte_rcu_qsbr *v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(v, QSBR_THREADS), 0);
	return v;
}

static void
test_qsbr_swap(void)
{
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_spd *spd = mk("qs", SMALL, 16, DP_POLICY_BYPASS, v);
	struct reader r = { .v = v, .spd = spd };
	uint32_t a, b, c, d;
	pthread_t t;

	r.f = f4(IPPROTO_UDP, "10.0.0.1", "1.1.1.1", 1, 1);
	a = add(spd, pol(5, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.0.0", 8, 0, 0, 65535),
			  any4(), 1));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.1"));
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reader_main, &r), 0);
	reader_do(&r, CMD_LOOKUP);
	/* Swap while the reader is online and has not been quiescent since. */
	b = add(spd, pol(1, DP_POLICY_DISCARD, ts_pfx(AF_INET, "10.0.0.1", 32, 0, 0, 65535),
			  any4(), 0));
	CU_ASSERT(is(look(spd, r.f), DP_POLICY_DISCARD, 0, b));
	dp_spd_reclaim(spd);
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.1"));
	/* A deleted policy's slot is not reused within the grace period. */
	CU_ASSERT_EQUAL(dp_spd_delete(spd, a), 0);
	c = add(spd, pol(7, DP_POLICY_BYPASS, any4(), any4(), 0));
	CU_ASSERT_NOT_EQUAL(c, a);
	reader_do(&r, CMD_LOOKUP);
	dp_spd_reclaim(spd);
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.1"));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.2"));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.3"));
	/* Quiescent: every retired context goes, only the live one stays. */
	reader_do(&r, CMD_QUIESCENT);
	dp_spd_reclaim(spd);
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.1"));
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.2"));
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.3"));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.4"));
	d = add(spd, pol(8, DP_POLICY_BYPASS, any4(), any4(), 0));
	CU_ASSERT_EQUAL(d, a);
	/* Offline readers do not hold grace periods back. */
	reader_do(&r, CMD_EXIT);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, d), 0);
	dp_spd_reclaim(spd);
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.4"));
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.5"));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("qs.4.6"));
	dp_spd_free(spd);
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("qs.4.6"));
	rte_free(v);
}

/* A reader looks up continuously while the control thread rebuilds: it
 * must always see the answer of the one policy that never changes. */
static void
test_qsbr_churn(void)
{
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_spd *spd = mk("churn", SMALL, 16, DP_POLICY_DISCARD, v);
	struct reader r = { .v = v, .spd = spd };
	struct dp_ts other = ts_pfx(AF_INET, "172.16.0.0", 12, 0, 0, 65535);
	uint32_t keep, tmp[3];
	pthread_t t;

	r.f = f4(IPPROTO_TCP, "10.0.0.1", "1.1.1.1", 1, 1);
	keep = add(spd, pol(50, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.0.0", 8, 0, 0, 65535),
			     any4(), 77));
	r.expect = (struct dp_policy_result){ DP_POLICY_PROTECT, 77, keep };
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reader_main, &r), 0);
	reader_do(&r, CMD_CHURN);
	for (unsigned int i = 0; i < CHURN_ROUNDS; i++) {
		for (unsigned int j = 0; j < RTE_DIM(tmp); j++)
			tmp[j] = add(spd, pol(i % 100, DP_POLICY_BYPASS, other, any4(), 0));
		for (unsigned int j = 0; j < RTE_DIM(tmp); j++)
			CU_ASSERT_EQUAL(dp_spd_delete(spd, tmp[j]), 0);
		dp_spd_reclaim(spd);
	}
	reader_do(&r, CMD_EXIT);
	pthread_join(t, NULL);
	dp_spd_reclaim(spd);
	printf("(%lu lookups during %u rebuilds) ", r.lookups, 6 * CHURN_ROUNDS);
	CU_ASSERT_EQUAL(r.wrong, 0);
	CU_ASSERT(r.lookups > 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 1);
	dp_spd_free(spd);
	rte_free(v);
}

/* ---- Clients ---- */

static void
test_clients_v4(void)
{
	struct dp_spd *spd = mk("cli4", SMALL, 8, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix c32 = cp(AF_INET, "10.9.0.6", 32), c24 = cp(AF_INET, "10.9.0.0", 24);
	uint32_t p;

	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, 11), 0);
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_PROTECT, 11, NONE));
	CU_ASSERT(is_default(look(spd, f4(6, "10.0.0.1", "10.9.0.7", 1, 2)), DP_POLICY_DISCARD));
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c24, 12), 0);
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_PROTECT, 11, NONE));
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.7", 1, 2)), DP_POLICY_PROTECT, 12, NONE));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 2);
	/* Replacing a client's SA (rekey) keeps the count. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, 13), 0);
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_PROTECT, 13, NONE));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 2);
	/* ACL policies come first. */
	p = add(spd, pol(1, DP_POLICY_BYPASS, any4(), ts_pfx(AF_INET, "10.9.0.6", 32, 0, 0,
							     65535), 0));
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_BYPASS, 0, p));
	CU_ASSERT_EQUAL(dp_spd_delete(spd, p), 0);
	/* Delete the /32: the /24 covers it again. */
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c32), 0);
	CU_ASSERT(is(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_PROTECT, 12, NONE));
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c32), -ENOENT);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c24), 0);
	CU_ASSERT(is_default(look(spd, f4(6, "10.0.0.1", "10.9.0.6", 1, 2)), DP_POLICY_DISCARD));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 0);
	dp_spd_free(spd);
}

static void
test_clients_v6(void)
{
	struct dp_spd *spd = mk("cli6", SMALL, 8, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix c128 = cp(AF_INET6, "2001:db8:9::6", 128);
	struct cfg_prefix c48 = cp(AF_INET6, "2001:db8:9::", 48);
	struct cfg_prefix bad;

	/* IPv6 /128 and /48. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c128, 21), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c48, 22), 0);
	CU_ASSERT(is(look(spd, f6(17, "2001:db8:1::1", "2001:db8:9::6", 1, 2)),
		     DP_POLICY_PROTECT, 21, NONE));
	CU_ASSERT(is(look(spd, f6(17, "2001:db8:1::1", "2001:db8:9::7", 1, 2)),
		     DP_POLICY_PROTECT, 22, NONE));
	CU_ASSERT(is_default(look(spd, f6(17, "2001:db8:1::1", "2001:db8:a::6", 1, 2)),
			     DP_POLICY_DISCARD));
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c128), 0);
	CU_ASSERT(is(look(spd, f6(17, "2001:db8:1::1", "2001:db8:9::6", 1, 2)),
		     DP_POLICY_PROTECT, 22, NONE));
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c128), -ENOENT);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 1);
	/* Host bits are ignored. */
	bad = cp(AF_INET6, "2001:db8:9::1234", 48);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &bad), 0);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 0);
	dp_spd_free(spd);
}

static void
test_client_errors(void)
{
	struct dp_spd *spd = mk("clierr", SMALL, 8, DP_POLICY_DISCARD, NULL);
	struct cfg_prefix c32 = cp(AF_INET, "10.9.0.6", 32);
	struct cfg_prefix c128 = cp(AF_INET6, "2001:db8:9::6", 128);
	struct cfg_prefix bad;

	/* Invalid prefixes and SA ids that do not fit the LPM next hop. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, 1u << 24), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c32, (1u << 24) - 1), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c128, 1u << 21), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c128, (1u << 21) - 1), 0);
	CU_ASSERT(is(look(spd, f6(17, "2001:db8:1::1", "2001:db8:9::6", 1, 2)),
		     DP_POLICY_PROTECT, (1u << 21) - 1, NONE));
	bad = cp(AF_INET, "0.0.0.0", 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &bad, 1), -EINVAL);
	bad.len = 33;
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &bad, 1), -EINVAL);
	bad = cp(AF_INET6, "::", 129);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &bad, 1), -EINVAL);
	bad.family = AF_UNIX;
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &bad, 1), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &bad), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 2);
	dp_spd_free(spd);
}

static void
test_client_capacity(void)
{
	struct dp_spd *spd = mk("clicap", SMALL, 2, DP_POLICY_BYPASS, NULL);
	struct cfg_prefix a = cp(AF_INET, "10.9.0.1", 32), b = cp(AF_INET, "10.9.0.2", 32);
	struct cfg_prefix c = cp(AF_INET, "10.9.0.3", 32);

	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 2), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c, 3), -ENOSPC);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 4), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &a), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c, 3), 0);
	CU_ASSERT(is(look(spd, f4(6, "1.1.1.1", "10.9.0.2", 1, 2)), DP_POLICY_PROTECT, 4, NONE));
	CU_ASSERT(is(look(spd, f4(6, "1.1.1.1", "10.9.0.3", 1, 2)), DP_POLICY_PROTECT, 3, NONE));
	CU_ASSERT(is_default(look(spd, f4(6, "1.1.1.1", "10.9.0.1", 1, 2)), DP_POLICY_BYPASS));
	dp_spd_free(spd);
}

/* IPv6 clients added within the grace period after an IPv6 client delete
 * wait (rte_lpm6 may reuse freed tbl8 groups) and appear after it. */
static void
test_clients_v6_grace(void)
{
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_spd *spd = mk("cli6qsbr", SMALL, 16, DP_POLICY_DISCARD, v);
	struct cfg_prefix a = cp(AF_INET6, "2001:db8:9::a", 128);
	struct cfg_prefix b = cp(AF_INET6, "2001:db8:9:1::b", 128);
	struct cfg_prefix c = cp(AF_INET6, "2001:db8:9:2::c", 128);
	struct dp_flow fb = f6(17, "2001:db8:1::1", "2001:db8:9:1::b", 1, 2);
	struct dp_flow fc = f6(17, "2001:db8:1::1", "2001:db8:9:2::c", 1, 2);
	struct reader r = { .v = v, .spd = spd };
	pthread_t t;

	r.f = fb;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reader_main, &r), 0);
	reader_do(&r, CMD_LOOKUP);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &a, 1), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &a), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 2), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c, 3), 0);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 2);
	dp_spd_reclaim(spd);
	CU_ASSERT(is_default(look(spd, fb), DP_POLICY_DISCARD));
	/* Queued: SA replaced in the queue, delete from the queue. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &b, 4), 0);
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &c), 0);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 1);
	/* IPv4 clients are not held back (rte_lpm's own defer queue). */
	{
		struct cfg_prefix x = cp(AF_INET, "10.9.0.1", 32);

		CU_ASSERT_EQUAL(dp_spd_add_client(spd, &x, 5), 0);
		CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &x), 0);
		CU_ASSERT_EQUAL(dp_spd_add_client(spd, &x, 6), 0);
		CU_ASSERT(is(look(spd, f4(6, "1.1.1.1", "10.9.0.1", 1, 2)), DP_POLICY_PROTECT,
			     6, NONE));
	}
	reader_do(&r, CMD_QUIESCENT);
	dp_spd_reclaim(spd);
	CU_ASSERT(is(look(spd, fb), DP_POLICY_PROTECT, 4, NONE));
	CU_ASSERT(is_default(look(spd, fc), DP_POLICY_DISCARD));
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 2);
	/* The gate is open again: the next add is immediate. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &c, 7), 0);
	CU_ASSERT(is(look(spd, fc), DP_POLICY_PROTECT, 7, NONE));
	reader_do(&r, CMD_EXIT);
	pthread_join(t, NULL);
	dp_spd_free(spd);
	rte_free(v);
}

/* ---- Clear-text inbound ---- */

static void
test_requires_protection(void)
{
	struct dp_spd *spd = mk("reqprot", SMALL, 8, DP_POLICY_BYPASS, NULL);
	struct dp_ts l = ts_pfx(AF_INET, "10.0.0.0", 24, IPPROTO_TCP, 0, 65535);
	struct dp_ts r = ts_pfx(AF_INET, "10.9.0.5", 32, IPPROTO_TCP, 443, 443);
	struct cfg_prefix cl = cp(AF_INET, "10.9.0.6", 32), cl6 = cp(AF_INET6, "2001:db8:9::6",
								     128);
	struct dp_flow x;

	add(spd, pol(10, DP_POLICY_PROTECT, l, r, 1));
	add(spd, pol(5, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.0.0.99", 32, 0, 0, 65535),
		      any4(), 0));
	add(spd, pol(10, DP_POLICY_PROTECT, ts_pfx(AF_INET6, "2001:db8:1::", 48, 0, 0, 65535),
		      ts_pfx(AF_INET6, "2001:db8:9:5::", 64, 0, 0, 65535), 2));
	/* From the peer's port 443 to the protected side: should have been ESP. */
	x = f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.1", 443, 5555);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.1", 80, 5555);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_TCP, "10.0.0.1", "10.9.0.5", 5555, 443);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_UDP, "10.9.0.5", "10.0.0.1", 443, 5555);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	/* A BYPASS policy in front decides first. */
	x = f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.99", 443, 5555);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	/* Opaque fragment: the port-specific policy cannot claim it. */
	x = opaque(f4(IPPROTO_TCP, "10.9.0.5", "10.0.0.1", 443, 5555));
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_UDP, "2001:db8:9:5::1", "2001:db8:1::1", 1, 2);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = opaque(x);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_UDP, "2001:db8:9:6::1", "2001:db8:1::1", 1, 2);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	/* Clients: traffic from a client's address. */
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &cl, 3), 0);
	CU_ASSERT_EQUAL(dp_spd_add_client(spd, &cl6, 4), 0);
	x = f4(IPPROTO_UDP, "10.9.0.6", "192.0.2.1", 1, 2);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_UDP, "10.9.0.7", "192.0.2.1", 1, 2);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_UDP, "192.0.2.1", "10.9.0.6", 1, 2);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_TCP, "2001:db8:9::6", "2001:db8:1::1", 1, 2);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_TCP, "2001:db8:9::7", "2001:db8:1::1", 1, 2);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	CU_ASSERT_EQUAL(dp_spd_delete_client(spd, &cl), 0);
	x = f4(IPPROTO_UDP, "10.9.0.6", "192.0.2.1", 1, 2);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	dp_spd_free(spd);
}

/* ---- Linear reference and bulk lookups ---- */

struct ref {
	struct dp_policy_params p[REF_MAX];
	uint32_t id[REF_MAX];
	unsigned int n;
	struct cfg_prefix client[CLIENT_MAX];
	uint32_t client_sa[CLIENT_MAX];
	unsigned int n_clients;
	enum dp_policy_action dflt;
};

static bool
prefix_has(const struct cfg_prefix *p, const uint8_t *addr)
{
	for (unsigned int i = 0; i < p->len; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if ((p->addr.bytes[i / 8] & m) != (addr[i / 8] & m))
			return false;
	}
	return true;
}

static struct dp_policy_result
ref_lookup(const struct ref *r, const struct dp_flow *f)
{
	struct dp_policy_result res = { r->dflt, 0, NONE };
	const struct dp_policy_params *best = NULL;
	uint32_t best_id = NONE;
	int best_len = -1;

	for (unsigned int i = 0; i < r->n; i++) {
		const struct dp_policy_params *p = &r->p[i];

		if (!dp_ts_contains(&p->local, &p->remote, f, true))
			continue;
		if (best == NULL || p->priority < best->priority ||
		    (p->priority == best->priority && r->id[i] < best_id)) {
			best = p;
			best_id = r->id[i];
		}
	}
	if (best != NULL)
		return (struct dp_policy_result){ best->action, best->sa_id, best_id };
	for (unsigned int i = 0; i < r->n_clients; i++) {
		if (r->client[i].family == f->family && prefix_has(&r->client[i], f->dst) &&
		    (int)r->client[i].len > best_len) {
			best_len = r->client[i].len;
			res = (struct dp_policy_result){ DP_POLICY_PROTECT, r->client_sa[i], NONE };
		}
	}
	return res;
}

static bool
same(struct dp_policy_result a, struct dp_policy_result b)
{
	return a.action == b.action && a.policy_id == b.policy_id &&
	       (a.action != DP_POLICY_PROTECT || a.sa_id == b.sa_id);
}

static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)rand() % n;
}

static const uint8_t protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_SCTP };

/* Addresses near a few bases so ranges and flows overlap often. */
static void
rnd_addr(uint8_t family, uint8_t *a)
{
	static const uint8_t base6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = 10;
		a[1] = (uint8_t)rnd(4);
		a[2] = (uint8_t)(rnd(2) ? rnd(4) : rnd(256));
		a[3] = (uint8_t)(rnd(2) ? 255 - rnd(3) : rnd(256));
		return;
	}
	memcpy(a, base6, 16);
	/* Words around the boundaries: 0, 1, ffff..., random. */
	for (unsigned int i = 4; i < 16; i++) {
		switch (rnd(4)) {
		case 0:
			a[i] = 0;
			break;
		case 1:
			a[i] = 0xff;
			break;
		default:
			a[i] = (uint8_t)rnd(3);
			break;
		}
	}
}

static void
rnd_ts(uint8_t family, uint8_t proto, struct dp_ts *t)
{
	unsigned int alen = family == AF_INET ? 4 : 16;

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->proto = proto;
	rnd_addr(family, t->addr_lo);
	rnd_addr(family, t->addr_hi);
	if (memcmp(t->addr_lo, t->addr_hi, alen) > 0) {
		uint8_t tmp[16];

		memcpy(tmp, t->addr_lo, 16);
		memcpy(t->addr_lo, t->addr_hi, 16);
		memcpy(t->addr_hi, tmp, 16);
	}
	if (rnd(2)) {
		t->port_lo = 0;
		t->port_hi = 65535;
	} else {
		t->port_lo = (uint16_t)rnd(20);
		t->port_hi = (uint16_t)(t->port_lo + rnd(10));
	}
}

/* A prefix selector, as a configuration gives: /16../32 or /32../128. */
static void
rnd_ts_prefix(uint8_t family, uint8_t proto, struct dp_ts *t)
{
	unsigned int bits = family == AF_INET ? 32 : 128;
	unsigned int len = family == AF_INET ? 16 + rnd(17) : 32 + rnd(97);

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->proto = proto;
	rnd_addr(family, t->addr_lo);
	memcpy(t->addr_hi, t->addr_lo, 16);
	for (unsigned int i = len; i < bits; i++) {
		t->addr_lo[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		t->addr_hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
	switch (rnd(4)) {
	case 0:
		t->port_lo = (uint16_t)rnd(32);
		t->port_hi = t->port_lo;
		break;
	case 1:
		t->port_lo = (uint16_t)rnd(20);
		t->port_hi = (uint16_t)(t->port_lo + rnd(10));
		break;
	default:
		t->port_hi = 65535;
		break;
	}
}

static void
rnd_flow(uint8_t family, struct dp_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->family = family;
	f->proto = protos[rnd(RTE_DIM(protos))];
	if (f->proto == 0)
		f->proto = 47;
	rnd_addr(family, f->src);
	rnd_addr(family, f->dst);
	f->sport = (uint16_t)(rnd(4) ? rnd(32) : rnd(65536));
	f->dport = (uint16_t)(rnd(4) ? rnd(32) : rnd(65536));
	if (rnd(10) == 0) {
		f->ports_opaque = true;
		f->sport = 0;
		f->dport = 0;
	}
}

static void
ref_add(struct dp_spd *spd, struct ref *r, struct dp_policy_params p)
{
	uint32_t id;

	CU_ASSERT_EQUAL_FATAL(dp_spd_add(spd, &p, &id), 0);
	r->p[r->n] = p;
	r->id[r->n++] = id;
}

static void
ref_random_policies(struct dp_spd *spd, struct ref *r, uint8_t family, unsigned int n,
		    bool prefixes)
{
	static const enum dp_policy_action acts[] = { DP_POLICY_BYPASS, DP_POLICY_DISCARD,
						      DP_POLICY_PROTECT };

	for (unsigned int i = 0; i < n; i++) {
		struct dp_policy_params p = { .priority = rnd(n), .action = acts[rnd(3)],
					      .sa_id = 1000 + i };
		uint8_t proto = protos[rnd(RTE_DIM(protos))];

		if (prefixes) {
			rnd_ts_prefix(family, proto, &p.local);
			rnd_ts_prefix(family, proto, &p.remote);
		} else {
			rnd_ts(family, proto, &p.local);
			rnd_ts(family, proto, &p.remote);
		}
		ref_add(spd, r, p);
	}
}

static unsigned int
ref_check(const struct dp_spd *spd, const struct ref *r, unsigned int n_flows)
{
	struct dp_flow fl[BULK];
	const struct dp_flow *fp[BULK];
	struct dp_policy_result res[BULK];
	unsigned int bad = 0, hits = 0;

	for (unsigned int done = 0; done < n_flows; done += BULK) {
		for (unsigned int i = 0; i < BULK; i++) {
			rnd_flow(rnd(2) ? AF_INET : AF_INET6, &fl[i]);
			fp[i] = &fl[i];
		}
		dp_spd_lookup_out(spd, fp, BULK, res);
		for (unsigned int i = 0; i < BULK; i++) {
			if (!same(res[i], ref_lookup(r, &fl[i])) || !same(res[i], look(spd, fl[i])))
				bad++;
			hits += res[i].policy_id != NONE;
		}
	}
	printf("(%u of %u flows matched a policy) ", hits, n_flows);
	CU_ASSERT(hits > n_flows / 10);
	return bad;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* N random client prefixes of both families; returns the failed adds. */
static unsigned int
ref_random_clients(struct dp_spd *spd, struct ref *r, unsigned int n)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t family = i % 2 ? AF_INET6 : AF_INET;
		struct cfg_prefix *c = &r->client[r->n_clients];

		memset(c, 0, sizeof(*c));
		c->family = family;
		rnd_addr(family, c->addr.bytes);
		c->len = family == AF_INET ? (uint8_t)(24 + rnd(9)) : (uint8_t)(96 + rnd(33));
		r->client_sa[r->n_clients] = 500 + i;
		if (dp_spd_add_client(spd, c, 500 + i) != 0) {
			bad++;
			continue;
		}
		/* Re-adding a prefix replaces its SA in the reference too. */
		for (unsigned int j = 0; j < r->n_clients; j++) {
			if (r->client[j].family == family && r->client[j].len == c->len &&
			    prefix_has(&r->client[j], c->addr.bytes) &&
			    prefix_has(c, r->client[j].addr.bytes))
				r->client_sa[j] = 500 + i;
		}
		r->n_clients++;
	}
	return bad;
}

/* 64 flows of both families, opaque ones, client hits and defaults: the
 * bulk answers equal single lookups and the linear reference. */
static void
test_bulk_mixed(void)
{
	static struct ref r;
	struct dp_spd *spd = mk("bulk", 256, CLIENT_MAX, DP_POLICY_DISCARD, NULL);
	struct dp_flow fl[100];
	const struct dp_flow *fp[100];
	struct dp_policy_result res[100];
	unsigned int bad = 0, n_policy = 0, n_client = 0, n_opaque = 0;

	memset(&r, 0, sizeof(r));
	srand(7);
	r.dflt = DP_POLICY_DISCARD;
	dp_spd_batch_begin(spd);
	ref_random_policies(spd, &r, AF_INET, 40, false);
	ref_random_policies(spd, &r, AF_INET6, 40, false);
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	bad = ref_random_clients(spd, &r, 24);
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned int round = 0; round < 20; round++) {
		for (unsigned int i = 0; i < RTE_DIM(fl); i++) {
			rnd_flow(rnd(2) ? AF_INET : AF_INET6, &fl[i]);
			/* Some flows to client addresses. */
			if (rnd(4) == 0) {
				const struct cfg_prefix *c = &r.client[rnd(r.n_clients)];

				fl[i].family = c->family;
				memcpy(fl[i].dst, c->addr.bytes, 16);
			}
			fp[i] = &fl[i];
		}
		/* 64 at once, and 100 (two chunks). */
		dp_spd_lookup_out(spd, fp, BULK, res);
		for (unsigned int i = 0; i < BULK; i++)
			bad += !same(res[i], ref_lookup(&r, &fl[i])) ||
			       !same(res[i], look(spd, fl[i]));
		dp_spd_lookup_out(spd, fp, RTE_DIM(fl), res);
		for (unsigned int i = 0; i < RTE_DIM(fl); i++) {
			bad += !same(res[i], ref_lookup(&r, &fl[i]));
			n_policy += res[i].policy_id != NONE;
			n_client += res[i].policy_id == NONE && res[i].action == DP_POLICY_PROTECT;
			n_opaque += fl[i].ports_opaque && res[i].policy_id != NONE;
		}
	}
	printf("(%u policy, %u client, %u opaque-policy answers of %u) ", n_policy, n_client,
	       n_opaque, 20 * (unsigned int)RTE_DIM(fl));
	CU_ASSERT(n_policy > 100 && n_client > 50 && n_opaque > 5);
	CU_ASSERT_EQUAL(bad, 0);
	dp_spd_free(spd);
}

/* 1000 policies of one family with random prefixes, protocols and ports:
 * build time, and lookups against the linear reference; then one more add
 * (a full rebuild). (Arbitrary ranges on both sides of 1000 policies make
 * rte_acl's DFA explode: the bulk test keeps those to 40 per family.) */
static void
big_family(uint8_t family, const char *name)
{
	static struct ref r;
	struct dp_spd *spd = mk(name, 2 * BIG_POLICIES, 16, DP_POLICY_BYPASS, NULL);
	double t0, t1, t2;

	memset(&r, 0, sizeof(r));
	srand(family);
	r.dflt = DP_POLICY_BYPASS;
	dp_spd_batch_begin(spd);
	ref_random_policies(spd, &r, family, BIG_POLICIES, true);
	t0 = now_ms();
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	t1 = now_ms();
	ref_random_policies(spd, &r, family, 1, true);
	t2 = now_ms();
	printf("(%s: %u random prefix policies: batch build %.1f ms, one more add %.1f ms) ",
	       family == AF_INET ? "IPv4" : "IPv6", BIG_POLICIES, t1 - t0, t2 - t1);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), BIG_POLICIES + 1);
	CU_ASSERT_EQUAL(ref_check(spd, &r, RANDOM_FLOWS), 0);
	dp_spd_free(spd);
}

static void
test_big_v4(void)
{
	big_family(AF_INET, "big4");
}

static void
test_big_v6(void)
{
	big_family(AF_INET6, "big6");
}

/* 1000 prefix policies as a static config would give (one rule each). */
static void
test_big_prefixes(void)
{
	struct dp_spd *spd = mk("bigpfx", BIG_POLICIES, 16, DP_POLICY_BYPASS, NULL);
	double t0, t1;
	unsigned int bad = 0;

	dp_spd_batch_begin(spd);
	for (unsigned int i = 0; i < BIG_POLICIES; i++) {
		char l[32], rr[32];
		struct dp_policy_params p;

		snprintf(l, sizeof(l), "10.%u.%u.0", i / 256, i % 256);
		snprintf(rr, sizeof(rr), "172.16.%u.%u", i / 256, i % 256);
		p = pol(i, DP_POLICY_PROTECT, ts_pfx(AF_INET, l, 24, 0, 0, 65535),
			ts_pfx(AF_INET, rr, 32, i % 2 ? IPPROTO_TCP : 0, 0, 65535), i);
		CU_ASSERT_EQUAL(dp_spd_add(spd, &p, NULL), 0);
	}
	t0 = now_ms();
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	t1 = now_ms();
	printf("(%u prefix policies: build %.1f ms) ", BIG_POLICIES, t1 - t0);
	for (unsigned int i = 0; i < BIG_POLICIES; i++) {
		char s[32], d[32];

		snprintf(s, sizeof(s), "10.%u.%u.77", i / 256, i % 256);
		snprintf(d, sizeof(d), "172.16.%u.%u", i / 256, i % 256);
		if (i % 2)
			bad += !is_default(look(spd, f4(IPPROTO_UDP, s, d, 1, 2)),
					   DP_POLICY_BYPASS);
		else
			bad += !is(look(spd, f4(IPPROTO_UDP, s, d, 1, 2)), DP_POLICY_PROTECT, i, i);
		bad += !is(look(spd, f4(IPPROTO_TCP, s, d, 1, 2)), DP_POLICY_PROTECT, i, i);
	}
	CU_ASSERT_EQUAL(bad, 0);
	dp_spd_free(spd);
}

void
spd_live_tests(CU_pSuite suite)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "QSBR: swap under a reader", test_qsbr_swap },
		{ "QSBR: rebuild churn under a reader", test_qsbr_churn },
		{ "clients /32 and /24", test_clients_v4 },
		{ "clients /128 and /48", test_clients_v6 },
		{ "client errors, next-hop limits", test_client_errors },
		{ "client capacity", test_client_capacity },
		{ "IPv6 clients after a delete wait a grace period", test_clients_v6_grace },
		{ "requires_protection (ACL, clients)", test_requires_protection },
		{ "bulk of mixed flows vs reference", test_bulk_mixed },
		{ "1000 prefix policies", test_big_prefixes },
		{ "1000 random IPv4 prefix policies vs reference", test_big_v4 },
		{ "1000 random IPv6 prefix policies vs reference", test_big_v6 },
	};

	for (size_t i = 0; i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
}
