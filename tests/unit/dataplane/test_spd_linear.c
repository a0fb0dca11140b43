/*
 * The SPD's linear scan of small policy sets (dataplane/spd_linear.c)
 * against its rte_acl context (spd_acl.c): random policy sets of one to
 * SPD_LINEAR_MAX policies (IPv4 and IPv6 ranges across 32-bit words,
 * protocols, port and ICMP type/code ranges, equal priorities) are looked
 * up with flows at and around every range edge, with ports and opaque,
 * outbound and clear-text inbound; then filler policies no flow matches
 * push the family past SPD_LINEAR_MAX, so the same lookups go through the
 * ACL context, and every answer must be the same.
 */
#include <stdlib.h>

#include "spd_fixture.h"

enum {
	ROUNDS = 150,
	FLOWS = 200,			/* per round: more than one lookup chunk */
	LINEAR_MAX = 8,			/* SPD_LINEAR_MAX of spd_priv.h */
	FILLERS = LINEAR_MAX + 1,
	MAX_POLICIES = 2 * LINEAR_MAX + 2,
	FILLER_PROTO = 253,		/* RFC 3692 experimental: no test flow uses it */
	FILLER_PRIO = 100000,		/* after every random policy */
	PRIO_RANGE = 4,			/* few values: ties decided by id */
	N_PROTOS = 5,
};

static uint32_t rng = 0x9e3779b9;

/* xorshift32: deterministic, so a failure can be replayed. */
static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static const uint8_t protos[N_PROTOS] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
					  IPPROTO_ICMPV6 };

/* Addresses near a few bases, so ranges overlap and edges are hit. */
static void
rnd_addr(uint8_t family, uint8_t *a)
{
	unsigned int len = family == AF_INET ? 4 : 16;

	memset(a, 0, 16);
	a[0] = family == AF_INET ? 10 : 0x20;
	for (unsigned int i = 1; i < len; i++)
		a[i] = (rnd() % 4 == 0) ? (uint8_t)rnd() : (i % 4 == 3 ? 0xff : 0);
	if (rnd() % 2)
		a[len - 1] = (uint8_t)(rnd() % 8);
}

static void
rnd_ports(uint16_t *lo, uint16_t *hi)
{
	uint16_t a = (uint16_t)(rnd() % 4 == 0 ? 0 : rnd() % 2048);
	uint16_t b = (uint16_t)(rnd() % 4 == 0 ? 65535 : rnd() % 2048);

	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

static struct dp_ts
rnd_ts(uint8_t family, uint8_t proto)
{
	struct dp_ts t = { .family = family, .proto = proto, .port_lo = 0, .port_hi = 65535 };
	uint8_t x[16], y[16];

	rnd_addr(family, x);
	rnd_addr(family, y);
	if (memcmp(x, y, sizeof(x)) > 0) {
		memcpy(t.addr_lo, y, sizeof(y));
		memcpy(t.addr_hi, x, sizeof(x));
	} else {
		memcpy(t.addr_lo, x, sizeof(x));
		memcpy(t.addr_hi, y, sizeof(y));
	}
	if (proto != 0 && rnd() % 2)
		rnd_ports(&t.port_lo, &t.port_hi);
	return t;
}

static void
add_random_policies(struct dp_spd *spd, uint8_t family, unsigned int n,
		    struct dp_policy_params *ps)
{
	dp_spd_batch_begin(spd);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t proto = protos[rnd() % N_PROTOS];

		ps[i] = pol(rnd() % PRIO_RANGE, (enum dp_policy_action)(rnd() % 3),
			    rnd_ts(family, proto), rnd_ts(family, proto), rnd() % 100);
		add(spd, ps[i]);
	}
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
}

/* An address at, just below or just above an edge of a range, or random. */
static void
edge_addr(const struct dp_ts *t, uint8_t *a)
{
	unsigned int len = t->family == AF_INET ? 4 : 16;
	unsigned int k = rnd() % 5;
	int i;

	memcpy(a, k % 2 ? t->addr_hi : t->addr_lo, 16);
	if (k == 4) {
		rnd_addr(t->family, a);
		return;
	}
	if (k < 2)
		return;
	for (i = (int)len - 1; i >= 0; i--) {	/* +1 (k 2) or -1 (k 3), with carry */
		a[i] = (uint8_t)(k == 2 ? a[i] + 1 : a[i] - 1);
		if (a[i] != (k == 2 ? 0 : 0xff))
			break;
	}
}

static struct dp_flow
edge_flow(uint8_t family, const struct dp_policy_params *ps, unsigned int n)
{
	const struct dp_policy_params *p = &ps[rnd() % n];
	struct dp_flow f = { .family = family };

	f.proto = rnd() % 4 == 0 ? protos[rnd() % N_PROTOS] : p->local.proto;
	edge_addr(&p->local, f.src);
	edge_addr(&p->remote, f.dst);
	f.sport = (uint16_t)(rnd() % 3 == 0 ? rnd() : p->local.port_lo + rnd() % 2);
	f.dport = (uint16_t)(rnd() % 3 == 0 ? rnd() : p->remote.port_hi - rnd() % 2);
	if (rnd() % 8 == 0)
		f = opaque(f);
	return f;
}

static void
lookup_all(const struct dp_spd *spd, const struct dp_flow *flows,
	   struct dp_policy_result *out, enum dp_policy_action *in)
{
	const struct dp_flow *fp[FLOWS];

	for (unsigned int i = 0; i < FLOWS; i++)
		fp[i] = &flows[i];
	dp_spd_lookup_out(spd, fp, FLOWS, out);
	dp_spd_lookup_in_bulk(spd, fp, FLOWS, in);
}

static void
add_fillers(struct dp_spd *spd, uint8_t family)
{
	struct dp_ts any = family == AF_INET ? any4() : any6();

	any.proto = FILLER_PROTO;
	dp_spd_batch_begin(spd);
	for (unsigned int i = 0; i < FILLERS; i++)
		add(spd, pol(FILLER_PRIO, DP_POLICY_DISCARD, any, any, 0));
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
}

static unsigned int
round_family(uint8_t family, unsigned int round)
{
	struct dp_spd *spd = mk("lin", MAX_POLICIES, 4, round % 2 ? DP_POLICY_BYPASS :
				DP_POLICY_DISCARD, NULL);
	static struct dp_flow flows[FLOWS];
	static struct dp_policy_result lin[FLOWS], acl[FLOWS];
	enum dp_policy_action lin_in[FLOWS], acl_in[FLOWS];
	struct dp_policy_params ps[LINEAR_MAX];
	unsigned int n = 1 + round % LINEAR_MAX, bad = 0;

	add_random_policies(spd, family, n, ps);
	for (unsigned int i = 0; i < FLOWS; i++)
		flows[i] = edge_flow(family, ps, n);
	lookup_all(spd, flows, lin, lin_in);
	add_fillers(spd, family);
	lookup_all(spd, flows, acl, acl_in);
	for (unsigned int i = 0; i < FLOWS; i++) {
		bad += lin[i].action != acl[i].action || lin[i].policy_id != acl[i].policy_id ||
		       (lin[i].action == DP_POLICY_PROTECT && lin[i].sa_id != acl[i].sa_id);
		bad += lin_in[i] != acl_in[i];
	}
	dp_spd_free(spd);
	return bad;
}

static void
test_linear_vs_acl(void)
{
	unsigned int bad4 = 0, bad6 = 0;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		bad4 += round_family(AF_INET, r);
		bad6 += round_family(AF_INET6, r);
	}
	CU_ASSERT_EQUAL(bad4, 0);
	CU_ASSERT_EQUAL(bad6, 0);
}

/* The answers themselves, on the linear path (one policy each way). */
static void
test_linear_answers(void)
{
	struct dp_spd *spd = mk("lin1", MAX_POLICIES, 4, DP_POLICY_BYPASS, NULL);
	struct dp_ts l = ts_range(AF_INET6, "2001:db8::ffff:fff0", "2001:db8::1:0:f",
				  IPPROTO_TCP, 10, 20);
	uint32_t id = add(spd, pol(5, DP_POLICY_PROTECT, l, any6(), 42));

	CU_ASSERT(is(look(spd, f6(IPPROTO_TCP, "2001:db8::ffff:fff0", "::1", 10, 1)),
		     DP_POLICY_PROTECT, 42, id));
	CU_ASSERT(is(look(spd, f6(IPPROTO_TCP, "2001:db8::1:0:f", "::1", 20, 1)),
		     DP_POLICY_PROTECT, 42, id));
	CU_ASSERT(is(look(spd, f6(IPPROTO_TCP, "2001:db8::1:0:0", "::1", 15, 65535)),
		     DP_POLICY_PROTECT, 42, id));
	CU_ASSERT(is_default(look(spd, f6(IPPROTO_TCP, "2001:db8::ffff:ffef", "::1", 10, 1)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f6(IPPROTO_TCP, "2001:db8::1:0:10", "::1", 10, 1)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f6(IPPROTO_TCP, "2001:db8::1:0:0", "::1", 21, 1)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f6(IPPROTO_UDP, "2001:db8::1:0:0", "::1", 15, 1)),
			     DP_POLICY_BYPASS));
	/* Opaque ports: only a policy with both port ranges full matches. */
	CU_ASSERT(is_default(look(spd, opaque(f6(IPPROTO_TCP, "2001:db8::1:0:0", "::1", 0, 0))),
			     DP_POLICY_BYPASS));
	id = add(spd, pol(6, DP_POLICY_DISCARD, ts_pfx(AF_INET6, "2001:db8::", 64, IPPROTO_TCP, 0,
						       65535), any6(), 0));
	CU_ASSERT(is(look(spd, opaque(f6(IPPROTO_TCP, "2001:db8::1:0:0", "::1", 0, 0))),
		     DP_POLICY_DISCARD, 0, id));
	dp_spd_free(spd);
}

void
spd_linear_tests(CU_pSuite suite)
{
	CU_add_test(suite, "linear scan: answers", test_linear_answers);
	CU_add_test(suite, "linear scan = ACL on random policy sets", test_linear_vs_acl);
}
