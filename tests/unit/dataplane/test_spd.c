/*
 * Unit tests of the SPD (dataplane/spd*.c) and of traffic selector
 * matching (dataplane/ts.c), part 1: RFC 4301 §4.4.1 first-match policies
 * by priority, selector ranges at their edges, protocol any/specific, IPv6
 * ranges that cross 32-bit words, ICMP type/code (§4.4.1.1), opaque ports
 * of non-first fragments (§7), default action, delete/re-add, batches, SA
 * rekey, and the SA selector check after decapsulation (§5.2 step 4).
 * Part 2 is test_spd_live.c, part 3 test_spd_view.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "tests/unit/cu_run.h"
#include "tests/unit/dataplane/spd_fixture.h"

/* ---- Validation and simple cases ---- */

static void
test_create_errors(void)
{
	struct dp_spd_params p = { .max_policies = 4, .max_clients = 4,
				   .default_action = DP_POLICY_BYPASS, .socket = SOCKET_ID_ANY };
	struct dp_spd *spd;

	CU_ASSERT_PTR_NULL(dp_spd_create(NULL, &p));
	CU_ASSERT_PTR_NULL(dp_spd_create("", &p));
	CU_ASSERT_PTR_NULL(dp_spd_create("ninechars", &p));
	CU_ASSERT_PTR_NULL(dp_spd_create("x", NULL));
	p.max_policies = 0;
	CU_ASSERT_PTR_NULL(dp_spd_create("x", &p));
	p.max_policies = 65537;
	CU_ASSERT_PTR_NULL(dp_spd_create("x", &p));
	p.max_policies = 4;
	p.max_clients = 0;
	CU_ASSERT_PTR_NULL(dp_spd_create("x", &p));
	p.max_clients = 4;
	p.default_action = DP_POLICY_PROTECT;
	CU_ASSERT_PTR_NULL(dp_spd_create("x", &p));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	p.default_action = DP_POLICY_DISCARD;
	spd = dp_spd_create("x", &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spd);
	/* One SPD per name: derived ACL and LPM names stay unique. */
	CU_ASSERT_PTR_NULL(dp_spd_create("x", &p));
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 0);
	CU_ASSERT_EQUAL(dp_spd_client_count(spd), 0);
	dp_spd_free(spd);
	spd = dp_spd_create("x", &p);
	CU_ASSERT_PTR_NOT_NULL(spd);
	dp_spd_free(spd);
	dp_spd_free(NULL);
}

static void
test_add_errors(void)
{
	struct dp_spd *spd = mk("adderr", 2, 4, DP_POLICY_BYPASS, NULL);
	struct dp_policy_params p = pol(1, DP_POLICY_BYPASS, any4(), any4(), 0);
	uint32_t id;

	p.local = ts_range(AF_INET, "10.0.0.2", "10.0.0.1", 0, 0, 65535);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	p.local = any4();
	p.remote.port_lo = 10;
	p.remote.port_hi = 9;
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	p.remote = any6();
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	p.remote = any4();
	p.remote.family = AF_UNIX;
	p.local.family = AF_UNIX;
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	p = pol(1, DP_POLICY_BYPASS, any4(), any4(), 0);
	p.local.proto = IPPROTO_TCP;
	p.remote.proto = IPPROTO_UDP;
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	p.remote.proto = 0;
	p.action = (enum dp_policy_action)7;
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_add(spd, NULL, &id), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 0);
	/* max_policies per family. */
	p.action = DP_POLICY_BYPASS;
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, NULL), 0);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, NULL), 0);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -ENOSPC);
	p = pol(1, DP_POLICY_BYPASS, any6(), any6(), 0);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), 0);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), 0);
	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), -ENOSPC);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 4);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, 77), -ENOENT);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, NONE), -ENOENT);
	CU_ASSERT_EQUAL(dp_spd_set_sa(spd, 77, 1), -ENOENT);
	dp_spd_free(spd);
}

static void
test_default_action(void)
{
	struct dp_spd *b = mk("dflt_b", 4, 4, DP_POLICY_BYPASS, NULL);
	struct dp_spd *d = mk("dflt_d", 4, 4, DP_POLICY_DISCARD, NULL);
	struct dp_flow x = f4(IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2);
	struct dp_flow y = f6(IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1, 2);

	CU_ASSERT(is_default(look(b, x), DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(b, y), DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(d, x), DP_POLICY_DISCARD));
	CU_ASSERT(is_default(look(d, y), DP_POLICY_DISCARD));
	/* A policy of the other family changes nothing. */
	add(d, pol(1, DP_POLICY_BYPASS, any6(), any6(), 0));
	CU_ASSERT(is_default(look(d, x), DP_POLICY_DISCARD));
	CU_ASSERT(is(look(d, y), DP_POLICY_BYPASS, 0, 0));
	/* An unknown family gets the default. */
	x.family = AF_UNIX;
	CU_ASSERT(is_default(look(d, x), DP_POLICY_DISCARD));
	CU_ASSERT(!dp_spd_requires_protection(d, &x));
	dp_spd_free(b);
	dp_spd_free(d);
}

static void
test_actions(void)
{
	struct dp_spd *spd = mk("actions", 8, 4, DP_POLICY_BYPASS, NULL);
	uint32_t a, b, c;

	a = add(spd, pol(1, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.1.0.0", 16, 0, 0, 65535),
			  any4(), 42));
	b = add(spd, pol(2, DP_POLICY_DISCARD, ts_pfx(AF_INET, "10.2.0.0", 16, 0, 0, 65535),
			  any4(), 0));
	c = add(spd, pol(3, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.0.0.0", 8, 0, 0, 65535),
			  any4(), 0));
	CU_ASSERT(is(look(spd, f4(6, "10.1.2.3", "8.8.8.8", 1, 2)), DP_POLICY_PROTECT, 42, a));
	CU_ASSERT(is(look(spd, f4(6, "10.2.2.3", "8.8.8.8", 1, 2)), DP_POLICY_DISCARD, 0, b));
	CU_ASSERT(is(look(spd, f4(6, "10.3.2.3", "8.8.8.8", 1, 2)), DP_POLICY_BYPASS, 0, c));
	CU_ASSERT(is_default(look(spd, f4(6, "11.3.2.3", "8.8.8.8", 1, 2)), DP_POLICY_BYPASS));
	CU_ASSERT_STRING_EQUAL(dp_policy_action_name(DP_POLICY_BYPASS), "bypass");
	CU_ASSERT_STRING_EQUAL(dp_policy_action_name(DP_POLICY_DISCARD), "discard");
	CU_ASSERT_STRING_EQUAL(dp_policy_action_name(DP_POLICY_PROTECT), "protect");
	CU_ASSERT_STRING_EQUAL(dp_policy_action_name((enum dp_policy_action)9), "unknown");
	dp_spd_free(spd);
}

/* ---- Priority ---- */

static void
test_priority(void)
{
	struct dp_spd *spd = mk("prio", SMALL, 4, DP_POLICY_DISCARD, NULL);
	struct dp_flow x = f4(IPPROTO_TCP, "10.1.2.3", "192.0.2.1", 1000, 80);
	struct dp_flow y = f4(IPPROTO_TCP, "10.1.2.3", "198.51.100.1", 1000, 80);
	struct dp_flow z = f4(IPPROTO_TCP, "10.9.9.9", "198.51.100.1", 1000, 80);
	uint32_t p1, p2, p3, p4, p5;

	p1 = add(spd, pol(200, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.0.0.0", 8, 0, 0, 65535),
			   any4(), 0));
	p2 = add(spd, pol(100, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.1.0.0", 16, 0, 0, 65535),
			   ts_pfx(AF_INET, "192.0.2.0", 24, 0, 0, 65535), 7));
	p3 = add(spd, pol(100, DP_POLICY_DISCARD, ts_pfx(AF_INET, "10.1.2.0", 24, 0, 0, 65535),
			   any4(), 0));
	CU_ASSERT(p1 == 0 && p2 == 1 && p3 == 2);
	/* Equal priority: the lower id wins, wherever it sits in the ranges. */
	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 7, p2));
	CU_ASSERT(is(look(spd, y), DP_POLICY_DISCARD, 0, p3));
	CU_ASSERT(is(look(spd, z), DP_POLICY_BYPASS, 0, p1));
	/* A lower value goes first, added last. */
	p4 = add(spd, pol(50, DP_POLICY_BYPASS, ts_pfx(AF_INET, "10.1.2.3", 32, 0, 0, 65535),
			   any4(), 0));
	CU_ASSERT(is(look(spd, x), DP_POLICY_BYPASS, 0, p4));
	CU_ASSERT(is(look(spd, y), DP_POLICY_BYPASS, 0, p4));
	CU_ASSERT_EQUAL(dp_spd_delete(spd, p4), 0);
	/* Ties go by id, not by insertion order: p5 (added after p3) takes
	 * p2's freed id 1 and now wins over p3. */
	CU_ASSERT_EQUAL(dp_spd_delete(spd, p2), 0);
	p5 = add(spd, pol(100, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.1.0.0", 16, 0, 0, 65535),
			   any4(), 9));
	CU_ASSERT_EQUAL(p5, 1);
	CU_ASSERT(is(look(spd, y), DP_POLICY_PROTECT, 9, p5));
	/* Priority 0 and UINT32_MAX are both usable. */
	add(spd, pol(UINT32_MAX, DP_POLICY_BYPASS, any4(), any4(), 0));
	CU_ASSERT(is(look(spd, f4(17, "1.1.1.1", "2.2.2.2", 1, 1)), DP_POLICY_BYPASS, 0, 3));
	add(spd, pol(0, DP_POLICY_DISCARD, ts_pfx(AF_INET, "1.1.1.1", 32, 0, 0, 65535), any4(), 0));
	CU_ASSERT(is(look(spd, f4(17, "1.1.1.1", "2.2.2.2", 1, 1)), DP_POLICY_DISCARD, 0, 4));
	dp_spd_free(spd);
}

/* ---- Ports, protocols ---- */

static void
test_port_edges(void)
{
	struct dp_spd *spd = mk("ports", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_ts l = ts_pfx(AF_INET, "10.0.0.0", 24, IPPROTO_TCP, 1000, 2000);
	struct dp_ts r = ts_pfx(AF_INET, "192.0.2.0", 24, IPPROTO_TCP, 80, 80);
	uint32_t id = add(spd, pol(10, DP_POLICY_PROTECT, l, r, 3));
	const uint16_t sports[] = { 999, 1000, 1001, 1999, 2000, 2001, 0, 65535 };
	const bool sport_hit[] = { false, true, true, true, true, false, false, false };
	const uint16_t dports[] = { 79, 80, 81 };

	for (size_t i = 0; i < RTE_DIM(sports); i++) {
		for (size_t j = 0; j < RTE_DIM(dports); j++) {
			struct dp_flow x = f4(IPPROTO_TCP, "10.0.0.9", "192.0.2.9", sports[i],
					      dports[j]);
			bool hit = sport_hit[i] && dports[j] == 80;

			CU_ASSERT(hit ? is(look(spd, x), DP_POLICY_PROTECT, 3, id) :
				  is_default(look(spd, x), DP_POLICY_BYPASS));
		}
	}
	/* Full range edges 0 and 65535, and address edges of the /24. */
	l = ts_range(AF_INET, "10.1.0.10", "10.1.0.20", IPPROTO_UDP, 0, 65535);
	r = ts_range(AF_INET, "192.0.2.255", "192.0.3.0", IPPROTO_UDP, 65535, 65535);
	id = add(spd, pol(20, DP_POLICY_DISCARD, l, r, 0));
	CU_ASSERT(is(look(spd, f4(17, "10.1.0.10", "192.0.2.255", 0, 65535)),
		     DP_POLICY_DISCARD, 0, id));
	CU_ASSERT(is(look(spd, f4(17, "10.1.0.20", "192.0.3.0", 65535, 65535)),
		     DP_POLICY_DISCARD, 0, id));
	CU_ASSERT(is_default(look(spd, f4(17, "10.1.0.9", "192.0.3.0", 1, 65535)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(17, "10.1.0.21", "192.0.3.0", 1, 65535)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(17, "10.1.0.15", "192.0.2.254", 1, 65535)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(17, "10.1.0.15", "192.0.3.1", 1, 65535)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(17, "10.1.0.15", "192.0.3.0", 1, 65534)),
			     DP_POLICY_BYPASS));
	dp_spd_free(spd);
}

static void
test_protocols(void)
{
	struct dp_spd *spd = mk("proto", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_ts udp_l = any4(), udp_r = any4();
	uint32_t u, a, t;

	/* UDP given on the remote side only: still UDP. */
	udp_r.proto = IPPROTO_UDP;
	u = add(spd, pol(10, DP_POLICY_DISCARD, udp_l, udp_r, 0));
	a = add(spd, pol(20, DP_POLICY_PROTECT, any4(), any4(), 5));
	CU_ASSERT(is(look(spd, f4(IPPROTO_UDP, "1.2.3.4", "5.6.7.8", 1, 2)),
		     DP_POLICY_DISCARD, 0, u));
	CU_ASSERT(is(look(spd, f4(IPPROTO_TCP, "1.2.3.4", "5.6.7.8", 1, 2)),
		     DP_POLICY_PROTECT, 5, a));
	CU_ASSERT(is(look(spd, f4(IPPROTO_ICMP, "1.2.3.4", "5.6.7.8", 8, 0)),
		     DP_POLICY_PROTECT, 5, a));
	CU_ASSERT(is(look(spd, f4(255, "1.2.3.4", "5.6.7.8", 0, 0)), DP_POLICY_PROTECT, 5, a));
	CU_ASSERT(is(look(spd, f4(0, "1.2.3.4", "5.6.7.8", 0, 0)), DP_POLICY_PROTECT, 5, a));
	/* Protocol 255 specific, in front of everything. */
	udp_l.proto = 255;
	udp_r.proto = 255;
	t = add(spd, pol(1, DP_POLICY_BYPASS, udp_l, udp_r, 0));
	CU_ASSERT(is(look(spd, f4(255, "1.2.3.4", "5.6.7.8", 0, 0)), DP_POLICY_BYPASS, 0, t));
	CU_ASSERT(is(look(spd, f4(254, "1.2.3.4", "5.6.7.8", 0, 0)), DP_POLICY_PROTECT, 5, a));
	dp_spd_free(spd);
}

/* ---- IPv6 ranges across 32-bit words ---- */

static void
test_v6_word_boundaries(void)
{
	struct dp_spd *spd = mk("v6range", SMALL, 4, DP_POLICY_DISCARD, NULL);
	/* Local: crosses words 2 and 1 boundaries; remote: crosses word 0/1. */
	struct dp_ts l = ts_range(AF_INET6, "2001:db8:0:0:ffff:ffff:ffff:fff0",
				  "2001:db8:0:1:0:0:0:f", 0, 0, 65535);
	struct dp_ts r = ts_range(AF_INET6, "2001:db8:0:ffff:ffff:ffff:ffff:fffe",
				  "2001:db8:1::1", 0, 0, 65535);
	static const struct {
		const char *src;
		bool hit;
	} srcs[] = {
		{ "2001:db8:0:0:ffff:ffff:ffff:ffef", false },
		{ "2001:db8:0:0:ffff:ffff:ffff:fff0", true },
		{ "2001:db8:0:0:ffff:ffff:ffff:fff5", true },
		{ "2001:db8:0:0:ffff:ffff:ffff:ffff", true },
		{ "2001:db8:0:1:0:0:0:0", true },
		{ "2001:db8:0:1:0:0:0:f", true },
		{ "2001:db8:0:1:0:0:0:10", false },
		{ "2001:db8:0:1:0:0:1:0", false },
		{ "2001:db8:0:0:8000:0:0:0", false },
		{ "2001:db8:0:0:ffff:0:0:fff5", false },
		{ "2001:db8:0:0:fffe:ffff:ffff:fff5", false },
		{ "2001:db8:0:1:ffff:ffff:ffff:fff5", false },
		{ "2001:db9:0:0:ffff:ffff:ffff:fff5", false },
	};
	static const struct {
		const char *dst;
		bool hit;
	} dsts[] = {
		{ "2001:db8:0:ffff:ffff:ffff:ffff:fffd", false },
		{ "2001:db8:0:ffff:ffff:ffff:ffff:fffe", true },
		{ "2001:db8:0:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db8:1::", true },
		{ "2001:db8:1::1", true },
		{ "2001:db8:1::2", false },
		{ "2001:db8:1:0:1::", false },
		{ "2001:db8:0:fffe:ffff:ffff:ffff:ffff", false },
	};
	uint32_t id = add(spd, pol(1, DP_POLICY_PROTECT, l, r, 66));
	unsigned int bad = 0;

	for (size_t i = 0; i < RTE_DIM(srcs); i++) {
		for (size_t j = 0; j < RTE_DIM(dsts); j++) {
			struct dp_policy_result res =
				look(spd, f6(IPPROTO_TCP, srcs[i].src, dsts[j].dst, 1, 2));
			bool hit = srcs[i].hit && dsts[j].hit;

			if (hit ? !is(res, DP_POLICY_PROTECT, 66, id) :
				  !is_default(res, DP_POLICY_DISCARD))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	dp_spd_free(spd);
}

/* ---- ICMP and opaque ports ---- */

static void
test_icmp(void)
{
	struct dp_spd *spd = mk("icmp", SMALL, 4, DP_POLICY_BYPASS, NULL);
	/* Echo request (type 8), code 0 only; ICMPv6 echo (128), any code. */
	struct dp_ts l4 = ts_pfx(AF_INET, "10.0.0.0", 24, IPPROTO_ICMP, 8, 8);
	struct dp_ts r4 = ts_pfx(AF_INET, "10.9.0.5", 32, IPPROTO_ICMP, 0, 0);
	struct dp_ts l6 = ts_pfx(AF_INET6, "2001:db8:1::", 48, IPPROTO_ICMPV6, 128, 128);
	struct dp_ts r6 = ts_pfx(AF_INET6, "2001:db8:9::", 48, IPPROTO_ICMPV6, 0, 255);
	uint32_t a = add(spd, pol(1, DP_POLICY_PROTECT, l4, r4, 1));
	uint32_t b = add(spd, pol(1, DP_POLICY_PROTECT, l6, r6, 2));
	struct dp_flow x;

	CU_ASSERT(is(look(spd, f4(IPPROTO_ICMP, "10.0.0.1", "10.9.0.5", 8, 0)),
		     DP_POLICY_PROTECT, 1, a));
	CU_ASSERT(is_default(look(spd, f4(IPPROTO_ICMP, "10.0.0.1", "10.9.0.5", 0, 0)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(IPPROTO_ICMP, "10.0.0.1", "10.9.0.5", 8, 1)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is_default(look(spd, f4(IPPROTO_UDP, "10.0.0.1", "10.9.0.5", 8, 0)),
			     DP_POLICY_BYPASS));
	CU_ASSERT(is(look(spd, f6(IPPROTO_ICMPV6, "2001:db8:1::1", "2001:db8:9::6", 128, 0)),
		     DP_POLICY_PROTECT, 2, b));
	CU_ASSERT(is(look(spd, f6(IPPROTO_ICMPV6, "2001:db8:1::1", "2001:db8:9::6", 128, 255)),
		     DP_POLICY_PROTECT, 2, b));
	CU_ASSERT(is_default(look(spd, f6(IPPROTO_ICMPV6, "2001:db8:1::1", "2001:db8:9::6",
					  129, 0)), DP_POLICY_BYPASS));
	/* Inbound in clear: an echo request from the peer is the reverse of an
	 * outbound echo request (type/code are not swapped). */
	x = f4(IPPROTO_ICMP, "10.9.0.5", "10.0.0.1", 8, 0);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f4(IPPROTO_ICMP, "10.9.0.5", "10.0.0.1", 0, 0);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::6", "2001:db8:1::1", 128, 0);
	CU_ASSERT(dp_spd_requires_protection(spd, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::6", "2001:db8:1::1", 129, 0);
	CU_ASSERT(!dp_spd_requires_protection(spd, &x));
	dp_spd_free(spd);
}

static void
test_opaque(void)
{
	struct dp_spd *spd = mk("opaque", SMALL, 4, DP_POLICY_DISCARD, NULL);
	/* p1: ports 0-1023 (contain the zero a sentinel would use). */
	uint32_t p1 = add(spd, pol(10, DP_POLICY_PROTECT, any4(),
				   ts_pfx(AF_INET, "0.0.0.0", 0, IPPROTO_TCP, 0, 1023), 1));
	uint32_t p2 = add(spd, pol(20, DP_POLICY_BYPASS,
				   ts_pfx(AF_INET, "0.0.0.0", 0, IPPROTO_TCP, 0, 65535),
				   any4(), 0));
	uint32_t p3 = add(spd, pol(30, DP_POLICY_PROTECT,
				   ts_pfx(AF_INET, "10.0.0.0", 8, IPPROTO_UDP, 53, 53), any4(), 3));
	uint32_t p6 = add(spd, pol(5, DP_POLICY_PROTECT, any6(),
				   ts_pfx(AF_INET6, "::", 0, 0, 443, 443), 6));
	uint32_t p7 = add(spd, pol(6, DP_POLICY_BYPASS, any6(), any6(), 0));
	struct dp_flow tcp = f4(IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 5000, 80);
	struct dp_flow udp = f4(IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 53, 53);
	struct dp_flow t6 = f6(IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 5000, 443);
	struct dp_flow zero = f4(IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 0, 0);

	CU_ASSERT(is(look(spd, tcp), DP_POLICY_PROTECT, 1, p1));
	CU_ASSERT(is(look(spd, zero), DP_POLICY_PROTECT, 1, p1));
	CU_ASSERT(is(look(spd, opaque(tcp)), DP_POLICY_BYPASS, 0, p2));
	CU_ASSERT(is(look(spd, udp), DP_POLICY_PROTECT, 3, p3));
	CU_ASSERT(is_default(look(spd, opaque(udp)), DP_POLICY_DISCARD));
	CU_ASSERT(is(look(spd, t6), DP_POLICY_PROTECT, 6, p6));
	CU_ASSERT(is(look(spd, opaque(t6)), DP_POLICY_BYPASS, 0, p7));
	/* Opaque flows keep their answer inside a mixed bulk. */
	{
		struct dp_flow fl[6] = { tcp, opaque(tcp), udp, opaque(udp), t6, opaque(t6) };
		const struct dp_flow *fp[6];
		struct dp_policy_result r[6];

		for (int i = 0; i < 6; i++)
			fp[i] = &fl[i];
		dp_spd_lookup_out(spd, fp, 6, r);
		CU_ASSERT(is(r[0], DP_POLICY_PROTECT, 1, p1));
		CU_ASSERT(is(r[1], DP_POLICY_BYPASS, 0, p2));
		CU_ASSERT(is(r[2], DP_POLICY_PROTECT, 3, p3));
		CU_ASSERT(is_default(r[3], DP_POLICY_DISCARD));
		CU_ASSERT(is(r[4], DP_POLICY_PROTECT, 6, p6));
		CU_ASSERT(is(r[5], DP_POLICY_BYPASS, 0, p7));
	}
	dp_spd_free(spd);
}

/* ---- Delete, re-add, batches, set_sa ---- */

static void
test_delete_readd(void)
{
	struct dp_spd *spd = mk("readd", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_policy_params p = pol(5, DP_POLICY_PROTECT,
					ts_pfx(AF_INET, "10.0.0.0", 24, 0, 0, 65535), any4(), 8);
	struct dp_flow x = f4(IPPROTO_UDP, "10.0.0.1", "1.1.1.1", 1, 1);
	struct dp_policy_params got;
	uint32_t id = add(spd, p), id2;

	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 8, id));
	CU_ASSERT(dp_spd_get(spd, id, &got));
	CU_ASSERT(memcmp(&got, &p, sizeof(p)) == 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 1);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, id), 0);
	CU_ASSERT(is_default(look(spd, x), DP_POLICY_BYPASS));
	CU_ASSERT(!dp_spd_get(spd, id, &got));
	CU_ASSERT_EQUAL(dp_spd_delete(spd, id), -ENOENT);
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 0);
	/* No QSBR: the ACL context went at once, the slot is free again. */
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("readd.4.1"));
	p.sa_id = 9;
	id2 = add(spd, p);
	CU_ASSERT_EQUAL(id2, id);
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("readd.4.2"));
	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 9, id2));
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(dp_spd_delete(spd, id2), 0);
		id2 = add(spd, p);
	}
	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 9, id2));
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 1);
	dp_spd_free(spd);
}

static void
test_batch(void)
{
	struct dp_spd *spd = mk("batch", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_flow x = f4(IPPROTO_UDP, "10.0.0.1", "1.1.1.1", 1, 1);
	struct dp_flow y = f6(IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1, 1);
	uint32_t a, b, c;

	a = add(spd, pol(9, DP_POLICY_DISCARD, any4(), any4(), 0));
	dp_spd_batch_begin(spd);
	b = add(spd, pol(1, DP_POLICY_PROTECT, any4(), any4(), 4));
	c = add(spd, pol(1, DP_POLICY_PROTECT, any6(), any6(), 5));
	CU_ASSERT_EQUAL(dp_spd_delete(spd, a), 0);
	/* Nothing visible before the batch ends (nested batches: the outer end). */
	CU_ASSERT(is(look(spd, x), DP_POLICY_DISCARD, 0, a));
	CU_ASSERT(is_default(look(spd, y), DP_POLICY_BYPASS));
	dp_spd_batch_begin(spd);
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	CU_ASSERT(is(look(spd, x), DP_POLICY_DISCARD, 0, a));
	/* The deleted policy's slot is not handed out during the batch. */
	CU_ASSERT_NOT_EQUAL(b, a);
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 4, b));
	CU_ASSERT(is(look(spd, y), DP_POLICY_PROTECT, 5, c));
	CU_ASSERT_EQUAL(dp_spd_policy_count(spd), 2);
	/* One build per family for the whole batch. */
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("batch.4.2"));
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("batch.4.3"));
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("batch.6.1"));
	/* An empty batch is fine. */
	dp_spd_batch_begin(spd);
	CU_ASSERT_EQUAL(dp_spd_batch_end(spd), 0);
	dp_spd_free(spd);
}

static void
test_set_sa(void)
{
	struct dp_spd *spd = mk("setsa", SMALL, 4, DP_POLICY_BYPASS, NULL);
	struct dp_flow x = f4(IPPROTO_UDP, "10.0.0.1", "1.1.1.1", 1, 1);
	uint32_t p = add(spd, pol(1, DP_POLICY_PROTECT, ts_pfx(AF_INET, "10.0.0.0", 8, 0, 0,
							       65535), any4(), 100));
	uint32_t b = add(spd, pol(2, DP_POLICY_BYPASS, any4(), any4(), 0));
	struct dp_policy_params got;

	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 100, p));
	CU_ASSERT_EQUAL(dp_spd_set_sa(spd, p, 101), 0);
	CU_ASSERT(is(look(spd, x), DP_POLICY_PROTECT, 101, p));
	CU_ASSERT(dp_spd_get(spd, p, &got));
	CU_ASSERT_EQUAL(got.sa_id, 101);
	/* No rebuild for a rekey. */
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing("setsa.4.2"));
	CU_ASSERT_PTR_NULL(rte_acl_find_existing("setsa.4.3"));
	CU_ASSERT_EQUAL(dp_spd_set_sa(spd, b, 5), -EINVAL);
	CU_ASSERT_EQUAL(dp_spd_delete(spd, p), 0);
	CU_ASSERT_EQUAL(dp_spd_set_sa(spd, p, 5), -ENOENT);
	dp_spd_free(spd);
}

/* ---- SA selectors ---- */

static struct dp_sa *
sa_new(enum dp_sa_dir dir)
{
	struct dp_sa *sa = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*sa));

	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	memset(sa, 0, sizeof(*sa));
	sa->p.dir = dir;
	return sa;
}

/* An SA of direction DIR with a TCP pair and an ICMPv6 pair (n_ts 0: none). */
static struct dp_sa *
sa_pairs(enum dp_sa_dir dir, uint8_t n_ts)
{
	struct dp_sa *sa = sa_new(dir);

	sa->p.n_ts = n_ts;
	sa->p.ts[0].local = ts_pfx(AF_INET, "203.0.113.0", 24, IPPROTO_TCP, 1024, 65535);
	sa->p.ts[0].remote = ts_pfx(AF_INET, "10.9.0.5", 32, IPPROTO_TCP, 443, 443);
	sa->p.ts[1].local = ts_range(AF_INET6, "2001:db8::ffff:ffff", "2001:db8::1:0:0", 0, 128,
				     129);
	sa->p.ts[1].remote = ts_pfx(AF_INET6, "2001:db8:9::", 48, 0, 0, 0);
	return sa;
}

static void
test_sa_selectors_any(void)
{
	struct dp_sa *out = sa_pairs(DP_SA_OUTBOUND, 0), *in = sa_pairs(DP_SA_INBOUND, 0);
	struct dp_flow x;

	/* No pairs: any traffic, any family. */
	x = f4(IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 2);
	CU_ASSERT(dp_sa_selectors_match(out, &x));
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_UDP, "::1", "::2", 1, 2);
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	x = opaque(x);
	CU_ASSERT(dp_sa_selectors_match(out, &x));
	free(out);
	free(in);
}

static void
test_sa_selectors_tcp(void)
{
	struct dp_sa *out = sa_pairs(DP_SA_OUTBOUND, 2), *in = sa_pairs(DP_SA_INBOUND, 2);
	struct dp_flow x;

	/* Outbound: local -> remote. */
	x = f4(IPPROTO_TCP, "203.0.113.9", "10.9.0.5", 1024, 443);
	CU_ASSERT(dp_sa_selectors_match(out, &x));
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x.sport = 1023;
	CU_ASSERT(!dp_sa_selectors_match(out, &x));
	x.sport = 65535;
	x.dport = 444;
	CU_ASSERT(!dp_sa_selectors_match(out, &x));
	x = f4(IPPROTO_UDP, "203.0.113.9", "10.9.0.5", 1024, 443);
	CU_ASSERT(!dp_sa_selectors_match(out, &x));
	x = f4(IPPROTO_TCP, "203.0.114.0", "10.9.0.5", 1024, 443);
	CU_ASSERT(!dp_sa_selectors_match(out, &x));
	/* Inbound: remote -> local, ports follow the addresses. */
	x = f4(IPPROTO_TCP, "10.9.0.5", "203.0.113.255", 443, 5000);
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	CU_ASSERT(!dp_sa_selectors_match(out, &x));
	x.dport = 1023;
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x = f4(IPPROTO_TCP, "10.9.0.6", "203.0.113.1", 443, 5000);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	/* Opaque ports: only pairs with full port ranges. */
	x = opaque(f4(IPPROTO_TCP, "10.9.0.5", "203.0.113.1", 0, 0));
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	/* Wrong family for every pair. */
	x = f4(IPPROTO_ICMP, "10.9.0.5", "203.0.113.1", 128, 0);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	/* Protocol given on one side only. */
	in->p.n_ts = 1;
	in->p.ts[0].local.proto = 0;
	x = f4(IPPROTO_UDP, "10.9.0.5", "203.0.113.1", 443, 5000);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x.proto = IPPROTO_TCP;
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	free(out);
	free(in);
}

static void
test_sa_selectors_icmp6(void)
{
	struct dp_sa *out = sa_pairs(DP_SA_OUTBOUND, 2), *in = sa_pairs(DP_SA_INBOUND, 2);
	struct dp_flow x;

	/* ICMPv6, protocol any in the pair: type in the local range, code in
	 * the remote range, both directions; addresses across a word edge. */
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::1:0:0", 128, 0);
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::ffff:ffff", 129, 0);
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::fffe:ffff", 129, 0);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::1:0:1", 129, 0);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::1:0:0", 130, 0);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8:9::1", "2001:db8::1:0:0", 128, 1);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_ICMPV6, "2001:db8::1:0:0", "2001:db8:9::1", 128, 0);
	CU_ASSERT(dp_sa_selectors_match(out, &x));
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	/* Other protocols with the same pair: ports compared as ports. */
	x = f6(IPPROTO_UDP, "2001:db8:9::1", "2001:db8::1:0:0", 0, 128);
	CU_ASSERT(dp_sa_selectors_match(in, &x));
	x = f6(IPPROTO_UDP, "2001:db8:9::1", "2001:db8::1:0:0", 128, 0);
	CU_ASSERT(!dp_sa_selectors_match(in, &x));
	free(out);
	free(in);
}

static void
test_ts_helpers(void)
{
	struct dp_ts t = ts_range(AF_INET6, "::1", "::1", 0, 5, 5);
	uint8_t a[16] = { 0 };

	CU_ASSERT_EQUAL(dp_ts_addr_len(AF_INET), 4);
	CU_ASSERT_EQUAL(dp_ts_addr_len(AF_INET6), 16);
	CU_ASSERT_EQUAL(dp_ts_addr_len(AF_UNIX), 0);
	CU_ASSERT(dp_ts_valid(&t));
	CU_ASSERT(!dp_ts_ports_any(&t));
	a[15] = 1;
	CU_ASSERT(dp_ts_addr_in(&t, a));
	a[15] = 2;
	CU_ASSERT(!dp_ts_addr_in(&t, a));
	a[15] = 0;
	CU_ASSERT(!dp_ts_addr_in(&t, a));
	t.port_lo = 6;
	CU_ASSERT(!dp_ts_valid(&t));
	t.port_lo = 0;
	t.port_hi = 65535;
	CU_ASSERT(dp_ts_ports_any(&t));
	t.addr_lo[0] = 1;
	CU_ASSERT(!dp_ts_valid(&t));
	t = any4();
	t.family = 0;
	CU_ASSERT(!dp_ts_valid(&t));
	CU_ASSERT(!dp_ts_addr_in(&t, a));
}

int

main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "create errors, unique names", test_create_errors },
		{ "add errors, ENOSPC per family", test_add_errors },
		{ "default action", test_default_action },
		{ "BYPASS, DISCARD, PROTECT, names", test_actions },
		{ "priority order, ties by id", test_priority },
		{ "port range edges", test_port_edges },
		{ "protocol any vs specific", test_protocols },
		{ "IPv6 ranges across 32-bit words", test_v6_word_boundaries },
		{ "ICMP type/code", test_icmp },
		{ "opaque ports (non-first fragments)", test_opaque },
		{ "delete and re-add", test_delete_readd },
		{ "batches", test_batch },
		{ "set_sa (rekey)", test_set_sa },
		{ "SA selectors: none = any", test_sa_selectors_any },
		{ "SA selectors: TCP both directions", test_sa_selectors_tcp },
		{ "SA selectors: ICMPv6 type/code", test_sa_selectors_icmp6 },
		{ "selector helpers", test_ts_helpers },
	};
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_spd", "-l", "0", "--log-level=3" };
	CU_pSuite suite;
	unsigned int failures;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("spd", NULL, NULL);
	for (size_t i = 0; i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	spd_live_tests(suite);
	spd_view_tests(suite);
	spd_linear_tests(suite);
	failures = cu_run_count();
	rte_eal_cleanup();
	return cu_exit_status(failures);
}

