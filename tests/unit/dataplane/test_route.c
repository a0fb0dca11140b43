/*
 * Unit tests of the routing table (dataplane/route.c): longest-prefix match
 * for IPv4 and IPv6 (RFC 4632 §5.1), default and host routes, next-hop
 * sharing, delete/re-add, error codes, walk order, and the bulk lookup
 * against single lookups and a linear-scan reference.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/route.h"
#include "tests/unit/cu_run.h"

enum {
	SMALL = 64,			/* routes per family in most tests */
	RANDOM_ROUTES = 300,
	RANDOM_NEXTHOPS = 10,
	RANDOM_LOOKUPS = 10000,
	RANDOM_ROUTES6 = 200,
	RANDOM_LOOKUPS6 = 2000,
	WALK_MAX = 32,
};

static struct cfg_prefix
p4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
	struct cfg_prefix p = { .family = AF_INET, .len = len, .addr.v4 = { a, b, c, d } };

	return p;
}

static struct cfg_prefix
p6(const char *text, uint8_t len)
{
	struct cfg_prefix p = { .family = AF_INET6, .len = len };

	CU_ASSERT_FATAL(inet_pton(AF_INET6, text, p.addr.v6) == 1);
	return p;
}

static struct dp_nexthop
gw4(uint8_t port, uint8_t last)
{
	struct dp_nexthop nh = { .kind = DP_NH_GATEWAY, .port = port, .family = AF_INET,
				 .gw = { 192, 0, 2, last } };

	return nh;
}

static struct dp_nexthop
gw6(uint8_t port, uint8_t last)
{
	struct dp_nexthop nh = { .kind = DP_NH_GATEWAY, .port = port, .family = AF_INET6,
				 .gw = { 0x20, 0x01, 0x0d, 0xb8, [15] = last } };

	return nh;
}

static struct dp_nexthop
onlink(enum dp_nexthop_kind kind, uint8_t port, uint8_t family)
{
	struct dp_nexthop nh = { .kind = kind, .port = port, .family = family };

	return nh;
}

static const struct dp_nexthop *
look4(const struct dp_route_table *rt, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t dst[4] = { a, b, c, d };

	return dp_route_lookup4(rt, dst);
}

static const struct dp_nexthop *
look6(const struct dp_route_table *rt, const char *text)
{
	uint8_t dst[16];

	CU_ASSERT_FATAL(inet_pton(AF_INET6, text, dst) == 1);
	return dp_route_lookup6(rt, dst);
}

/* True if GOT is a next hop equal to WANT. */
static bool
nh_is(const struct dp_nexthop *got, const struct dp_nexthop *want)
{
	return got != NULL && memcmp(got, want, sizeof(*want)) == 0;
}

static bool
is_nh(const struct dp_nexthop *got, struct dp_nexthop want)
{
	return nh_is(got, &want);
}

static struct dp_route_table *
table(unsigned int max_routes)
{
	struct dp_route_table *rt = dp_route_create("test_rt", max_routes, SOCKET_ID_ANY);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	return rt;
}

static int
add(struct dp_route_table *rt, struct cfg_prefix p, struct dp_nexthop nh)
{
	return dp_route_add(rt, &p, &nh);
}

static int
del(struct dp_route_table *rt, struct cfg_prefix p)
{
	return dp_route_del(rt, &p);
}

static void
test_v4_longest_match(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop a = gw4(0, 1), b = gw4(1, 2), c = gw4(2, 3), d = gw4(3, 4);
	struct dp_nexthop e = onlink(DP_NH_LOCAL, 1, AF_INET);
	struct dp_nexthop f = onlink(DP_NH_CONNECTED, 2, AF_INET);

	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 8), a), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 0, 0, 16), b), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 0, 24), c), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 128, 25), d), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 3, 32), e), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 200, 30), f), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 9, 9, 9), &a));
	CU_ASSERT(nh_is(look4(rt, 10, 255, 255, 255), &a));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 9, 9), &b));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 9), &c));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 127), &c));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 128), &d));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 199), &d));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 200), &f));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 203), &f));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 204), &d));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 3), &e));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 2), &c));
	CU_ASSERT_PTR_NULL(look4(rt, 11, 0, 0, 0));
	CU_ASSERT_PTR_NULL(look4(rt, 9, 255, 255, 255));
	CU_ASSERT_EQUAL(dp_route_count(rt), 6);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 6);
	dp_route_free(rt);
}

static void
test_v6_longest_match(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop a = gw6(0, 1), b = gw6(1, 2), c = gw6(2, 3), d = gw6(3, 4);
	struct dp_nexthop e = onlink(DP_NH_LOCAL, 1, AF_INET6);
	struct dp_nexthop f = onlink(DP_NH_CONNECTED, 0, AF_INET6);

	CU_ASSERT_EQUAL(add(rt, p6("2000::", 3), f), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 32), a), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:1::", 48), b), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:1:2::", 64), c), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:1:2::80", 121), d), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:1:2::1", 128), e), 0);
	CU_ASSERT(nh_is(look6(rt, "3fff:ffff::1"), &f));
	CU_ASSERT(nh_is(look6(rt, "2001:db9::1"), &f));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:ffff::1"), &a));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:ffff::1"), &b));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2:ffff::"), &c));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::7f"), &c));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::80"), &d));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::ff"), &d));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::100"), &c));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::1"), &e));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:1:2::2"), &c));
	CU_ASSERT_PTR_NULL(look6(rt, "4000::1"));
	CU_ASSERT_PTR_NULL(look6(rt, "fe80::1"));
	CU_ASSERT_PTR_NULL(look6(rt, "::"));
	CU_ASSERT_EQUAL(dp_route_count(rt), 6);
	dp_route_free(rt);
}

static void
test_default_routes(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop d4 = gw4(0, 254), d6 = gw6(0, 254), n4 = gw4(1, 1), n6 = gw6(1, 1);

	CU_ASSERT_EQUAL(add(rt, p4(0, 0, 0, 0, 0), d4), 0);
	CU_ASSERT_EQUAL(add(rt, p6("::", 0), d6), 0);
	CU_ASSERT_EQUAL(add(rt, p4(198, 51, 100, 0, 24), n4), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 32), n6), 0);
	CU_ASSERT(nh_is(look4(rt, 0, 0, 0, 0), &d4));
	CU_ASSERT(nh_is(look4(rt, 255, 255, 255, 255), &d4));
	CU_ASSERT(nh_is(look4(rt, 198, 51, 100, 1), &n4));
	CU_ASSERT(nh_is(look4(rt, 198, 51, 101, 1), &d4));
	CU_ASSERT(nh_is(look6(rt, "::"), &d6));
	CU_ASSERT(nh_is(look6(rt, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), &d6));
	CU_ASSERT(nh_is(look6(rt, "2001:db8::9"), &n6));
	/* A second default is a duplicate, also written with host bits. */
	CU_ASSERT_EQUAL(add(rt, p4(0, 0, 0, 0, 0), n4), -EEXIST);
	CU_ASSERT_EQUAL(add(rt, p4(1, 2, 3, 4, 0), n4), -EEXIST);
	CU_ASSERT_EQUAL(add(rt, p6("::1", 0), n6), -EEXIST);
	/* Deleting the defaults leaves only the specific routes. */
	CU_ASSERT_EQUAL(del(rt, p4(0, 0, 0, 0, 0)), 0);
	CU_ASSERT_EQUAL(del(rt, p6("::", 0)), 0);
	CU_ASSERT_PTR_NULL(look4(rt, 198, 51, 101, 1));
	CU_ASSERT_PTR_NULL(look6(rt, "2001:db9::"));
	CU_ASSERT(nh_is(look4(rt, 198, 51, 100, 1), &n4));
	CU_ASSERT(nh_is(look6(rt, "2001:db8::9"), &n6));
	CU_ASSERT_EQUAL(del(rt, p4(0, 0, 0, 0, 0)), -ENOENT);
	CU_ASSERT_EQUAL(dp_route_count(rt), 2);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 2);
	dp_route_free(rt);
}

static void
test_host_routes(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop l4 = onlink(DP_NH_LOCAL, 0, AF_INET);
	struct dp_nexthop l6 = onlink(DP_NH_LOCAL, 0, AF_INET6);
	struct dp_nexthop c4 = onlink(DP_NH_CONNECTED, 0, AF_INET);
	struct dp_nexthop c6 = onlink(DP_NH_CONNECTED, 0, AF_INET6);

	CU_ASSERT_EQUAL(add(rt, p4(192, 0, 2, 1, 32), l4), 0);
	CU_ASSERT_EQUAL(add(rt, p4(192, 0, 2, 0, 24), c4), 0);
	CU_ASSERT_EQUAL(add(rt, p4(255, 255, 255, 255, 32), l4), 0);
	CU_ASSERT_EQUAL(add(rt, p4(0, 0, 0, 0, 32), c4), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::1", 128), l6), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 64), c6), 0);
	CU_ASSERT_EQUAL(add(rt, p6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128), l6), 0);
	CU_ASSERT_EQUAL(add(rt, p6("::", 128), c6), 0);
	CU_ASSERT(nh_is(look4(rt, 192, 0, 2, 1), &l4));
	CU_ASSERT(nh_is(look4(rt, 192, 0, 2, 0), &c4));
	CU_ASSERT(nh_is(look4(rt, 192, 0, 2, 2), &c4));
	CU_ASSERT(nh_is(look4(rt, 255, 255, 255, 255), &l4));
	CU_ASSERT_PTR_NULL(look4(rt, 255, 255, 255, 254));
	CU_ASSERT(nh_is(look4(rt, 0, 0, 0, 0), &c4));
	CU_ASSERT_PTR_NULL(look4(rt, 0, 0, 0, 1));
	CU_ASSERT(nh_is(look6(rt, "2001:db8::1"), &l6));
	CU_ASSERT(nh_is(look6(rt, "2001:db8::"), &c6));
	CU_ASSERT(nh_is(look6(rt, "2001:db8::2"), &c6));
	CU_ASSERT(nh_is(look6(rt, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), &l6));
	CU_ASSERT_PTR_NULL(look6(rt, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	CU_ASSERT(nh_is(look6(rt, "::"), &c6));
	CU_ASSERT_PTR_NULL(look6(rt, "::1"));
	/* Same next hop for all LOCAL v4 routes: stored once. */
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 4);
	dp_route_free(rt);
}

static void
test_nexthop_dedupe(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop a = gw4(0, 1), b = gw4(0, 2), l = onlink(DP_NH_LOCAL, 0, AF_INET);
	const struct dp_nexthop *pa;

	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 8), a), 0);
	CU_ASSERT_EQUAL(add(rt, p4(11, 0, 0, 0, 8), a), 0);
	CU_ASSERT_EQUAL(add(rt, p4(12, 0, 0, 0, 8), b), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 32), a), 0);	/* v4 gateway for v6 */
	CU_ASSERT_EQUAL(add(rt, p4(13, 0, 0, 0, 30), a), 0);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 2);
	/* Shared: every route of a returns the same slot. */
	pa = look4(rt, 10, 0, 0, 1);
	CU_ASSERT_PTR_EQUAL(look4(rt, 11, 0, 0, 1), pa);
	CU_ASSERT_PTR_EQUAL(look4(rt, 13, 0, 0, 1), pa);
	CU_ASSERT_PTR_EQUAL(look6(rt, "2001:db8::1"), pa);
	CU_ASSERT_PTR_NOT_EQUAL(look4(rt, 12, 0, 0, 1), pa);
	/* The gw bytes matter; family and kind too. */
	a.gw[15] = 1;
	CU_ASSERT_EQUAL(add(rt, p4(14, 0, 0, 0, 8), a), 0);
	CU_ASSERT_EQUAL(add(rt, p4(15, 0, 0, 0, 8), l), 0);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 4);
	/* Freed only with the last route that uses it. */
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(del(rt, p4(11, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(del(rt, p4(13, 0, 0, 0, 30)), 0);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 4);
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8::", 32)), 0);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 3);
	CU_ASSERT_EQUAL(del(rt, p4(12, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(del(rt, p4(14, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(del(rt, p4(15, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 0);
	CU_ASSERT_EQUAL(dp_route_count(rt), 0);
	/* A freed slot is reused for a new next hop. */
	CU_ASSERT_EQUAL(add(rt, p4(16, 0, 0, 0, 8), b), 0);
	CU_ASSERT(nh_is(look4(rt, 16, 1, 1, 1), &b));
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 1);
	dp_route_free(rt);
}

static void
test_delete_readd(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop a = gw4(0, 1), b = gw4(1, 2), c = gw4(2, 3);
	struct dp_nexthop a6 = gw6(0, 1), b6 = gw6(1, 2), c6 = gw6(2, 3);

	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 8), a), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 0, 24), b), 0);
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 64, 26), b), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 65), &b));
	CU_ASSERT_EQUAL(del(rt, p4(10, 1, 2, 64, 26)), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 65), &b));
	CU_ASSERT_EQUAL(del(rt, p4(10, 1, 2, 0, 24)), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 65), &a));
	CU_ASSERT_EQUAL(add(rt, p4(10, 1, 2, 64, 26), c), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 65), &c));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 1), &a));
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 8)), 0);
	CU_ASSERT_PTR_NULL(look4(rt, 10, 1, 2, 1));
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 65), &c));
	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 8), b), 0);
	CU_ASSERT(nh_is(look4(rt, 10, 1, 2, 1), &b));

	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 32), a6), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:0:1::", 64), b6), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:0:1::1", 128), c6), 0);
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8:0:1::1", 128)), 0);
	CU_ASSERT(nh_is(look6(rt, "2001:db8:0:1::1"), &b6));
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8:0:1::", 64)), 0);
	CU_ASSERT(nh_is(look6(rt, "2001:db8:0:1::1"), &a6));
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:0:1::1", 128), b6), 0);
	CU_ASSERT(nh_is(look6(rt, "2001:db8:0:1::1"), &b6));
	CU_ASSERT(nh_is(look6(rt, "2001:db8:0:1::2"), &a6));
	CU_ASSERT_EQUAL(dp_route_count(rt), 4);
	dp_route_free(rt);
}

static void
test_errors(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop a = gw4(0, 1), bad;
	struct cfg_prefix p = p4(10, 0, 0, 0, 8);

	CU_ASSERT_EQUAL(add(rt, p, a), 0);
	CU_ASSERT_EQUAL(add(rt, p, a), -EEXIST);
	CU_ASSERT_EQUAL(add(rt, p, gw4(1, 9)), -EEXIST);
	CU_ASSERT_EQUAL(add(rt, p4(10, 9, 9, 9, 8), a), -EEXIST);	/* host bits masked */
	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 9), a), 0);		/* other length */
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 32), gw6(0, 1)), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::ffff", 32), gw6(0, 2)), -EEXIST);
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 16)), -ENOENT);
	CU_ASSERT_EQUAL(del(rt, p4(11, 0, 0, 0, 8)), -ENOENT);
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8::", 48)), -ENOENT);
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 8)), 0);
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 8)), -ENOENT);
	/* Invalid prefixes. */
	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 33), a), -EINVAL);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8::", 129), a), -EINVAL);
	p.family = AF_UNIX;
	CU_ASSERT_EQUAL(add(rt, p, a), -EINVAL);
	CU_ASSERT_EQUAL(del(rt, p), -ENOENT);
	CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 33)), -ENOENT);
	CU_ASSERT_EQUAL(dp_route_add(rt, NULL, &a), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(NULL, &p, &a), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(rt, &p, NULL), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_del(rt, NULL), -EINVAL);
	/* Invalid next hops. */
	bad = a;
	bad.kind = DP_NH_GATEWAY + 1;
	CU_ASSERT_EQUAL(add(rt, p4(20, 0, 0, 0, 8), bad), -EINVAL);
	bad = a;
	bad.port = CFG_MAX_PORTS;
	CU_ASSERT_EQUAL(add(rt, p4(20, 0, 0, 0, 8), bad), -EINVAL);
	bad = a;
	bad.family = 0;		/* a gateway needs an address family */
	CU_ASSERT_EQUAL(add(rt, p4(20, 0, 0, 0, 8), bad), -EINVAL);
	bad = onlink(DP_NH_CONNECTED, 0, AF_UNIX);
	CU_ASSERT_EQUAL(add(rt, p4(20, 0, 0, 0, 8), bad), -EINVAL);
	CU_ASSERT_EQUAL(add(rt, p4(20, 0, 0, 0, 8), onlink(DP_NH_CONNECTED, 7, 0)), 0);
	CU_ASSERT_EQUAL(dp_route_count(rt), 3);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 3);
	dp_route_free(rt);
	/* Bad table sizes. */
	CU_ASSERT_PTR_NULL(dp_route_create("test_rt", 0, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(dp_route_create("test_rt", (1u << 20) + 1, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(dp_route_create(NULL, SMALL, SOCKET_ID_ANY));
	dp_route_free(NULL);
}

static void
test_capacity(void)
{
	enum { CAP = 4 };
	struct dp_route_table *rt = table(CAP);
	static const char *const v6[CAP] = { "2001:db8::1", "3001:db8::1", "4001:db8::1",
					     "5001:db8::1" };

	/* Distinct /128s under distinct /24s: the most tbl8 groups per route. */
	for (uint8_t i = 0; i < CAP; i++) {
		CU_ASSERT_EQUAL(add(rt, p4(10, i, 0, 1, 32), gw4(0, i)), 0);
		CU_ASSERT_EQUAL(add(rt, p6(v6[i], 128), gw6(0, i)), 0);
	}
	CU_ASSERT_EQUAL(add(rt, p4(10, 9, 0, 0, 16), gw4(0, 1)), -ENOSPC);
	CU_ASSERT_EQUAL(add(rt, p4(0, 0, 0, 0, 0), gw4(0, 1)), -ENOSPC);
	CU_ASSERT_EQUAL(add(rt, p6("6001:db8::", 32), gw6(0, 1)), -ENOSPC);
	CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 1, 32), gw4(0, 0)), -EEXIST);
	CU_ASSERT_EQUAL(dp_route_count(rt), 2 * CAP);
	CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 2 * CAP);
	for (uint8_t i = 0; i < CAP; i++) {
		CU_ASSERT(is_nh(look4(rt, 10, i, 0, 1), gw4(0, i)));
		CU_ASSERT(is_nh(look6(rt, v6[i]), gw6(0, i)));
	}
	/* Room again after a delete. */
	CU_ASSERT_EQUAL(del(rt, p4(10, 2, 0, 1, 32)), 0);
	CU_ASSERT_EQUAL(add(rt, p4(0, 0, 0, 0, 0), gw4(0, 9)), 0);
	CU_ASSERT_EQUAL(del(rt, p6(v6[3], 128)), 0);
	CU_ASSERT_EQUAL(add(rt, p6("6001:db8::77", 128), gw6(0, 9)), 0);
	CU_ASSERT(is_nh(look6(rt, "6001:db8::77"), gw6(0, 9)));
	CU_ASSERT(is_nh(look4(rt, 10, 2, 0, 1), gw4(0, 9)));
	CU_ASSERT_EQUAL(add(rt, p4(10, 2, 0, 1, 32), gw4(0, 2)), -ENOSPC);
	dp_route_free(rt);
}

struct walk {
	unsigned int n;
	unsigned int stop_at;		/* return 1 at this call; 0 never */
	struct dp_route r[WALK_MAX];
};

static int
collect(const struct dp_route *r, void *arg)
{
	struct walk *w = arg;

	if (w->n < WALK_MAX)
		w->r[w->n] = *r;
	w->n++;
	return w->n == w->stop_at ? 1 : 0;
}

static void
test_foreach_order(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct dp_nexthop nh = gw4(0, 1);
	struct cfg_prefix want[] = {
		p4(0, 0, 0, 0, 0), p4(9, 255, 0, 0, 16), p4(10, 0, 0, 0, 8), p4(10, 0, 0, 0, 9),
		p4(10, 0, 0, 0, 16), p4(10, 0, 0, 0, 24), p4(10, 128, 0, 0, 9),
		p4(192, 0, 2, 1, 32), p6("::", 0), p6("2001:db8::", 32), p6("2001:db8::", 48),
		p6("2001:db8::1", 128), p6("fe80::", 10),
	};
	static const unsigned int order[] = { 12, 3, 9, 7, 0, 11, 5, 1, 10, 4, 8, 2, 6 };
	struct walk w = { 0 };

	RTE_BUILD_BUG_ON(RTE_DIM(order) != RTE_DIM(want));
	for (size_t i = 0; i < RTE_DIM(order); i++)
		CU_ASSERT_EQUAL(dp_route_add(rt, &want[order[i]], &nh), 0);
	CU_ASSERT_EQUAL(dp_route_foreach(rt, collect, &w), 0);
	CU_ASSERT_EQUAL_FATAL(w.n, RTE_DIM(want));
	for (size_t i = 0; i < RTE_DIM(want); i++) {
		CU_ASSERT_EQUAL(w.r[i].prefix.family, want[i].family);
		CU_ASSERT_EQUAL(w.r[i].prefix.len, want[i].len);
		CU_ASSERT_EQUAL(memcmp(w.r[i].prefix.addr.bytes, want[i].addr.bytes,
				       want[i].family == AF_INET ? 4 : 16), 0);
		CU_ASSERT(nh_is(&w.r[i].nh, &nh));
	}
	/* fn's non-zero value stops the walk and is returned. */
	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	CU_ASSERT_EQUAL(dp_route_foreach(rt, collect, &w), 1);
	CU_ASSERT_EQUAL(w.n, 3);
	dp_route_free(rt);
}

/* Host bits are cleared in what is stored and walked. */
static void
test_masking(void)
{
	struct dp_route_table *rt = table(SMALL);
	struct walk w = { 0 };

	CU_ASSERT_EQUAL(add(rt, p4(192, 0, 2, 77, 25), gw4(0, 1)), 0);
	CU_ASSERT_EQUAL(add(rt, p6("2001:db8:ffff:ffff::1", 35), gw6(0, 1)), 0);
	CU_ASSERT_EQUAL(dp_route_foreach(rt, collect, &w), 0);
	CU_ASSERT_EQUAL_FATAL(w.n, 2);
	CU_ASSERT_EQUAL(memcmp(w.r[0].prefix.addr.v4, (uint8_t[]){ 192, 0, 2, 0 }, 4), 0);
	CU_ASSERT_EQUAL(memcmp(w.r[1].prefix.addr.v6, p6("2001:db8:e000::", 35).addr.v6, 16), 0);
	CU_ASSERT(look4(rt, 192, 0, 2, 127) != NULL);
	CU_ASSERT_PTR_NULL(look4(rt, 192, 0, 2, 128));
	CU_ASSERT(look6(rt, "2001:db8:e000::") != NULL);
	CU_ASSERT(look6(rt, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") != NULL);
	CU_ASSERT_PTR_NULL(look6(rt, "2001:db8:dfff:ffff:ffff:ffff:ffff:ffff"));
	/* Deleting with other host bits deletes the same route. */
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8::", 35)), -ENOENT);
	CU_ASSERT_EQUAL(del(rt, p4(192, 0, 2, 1, 25)), 0);
	CU_ASSERT_EQUAL(del(rt, p6("2001:db8:e123::", 35)), 0);
	CU_ASSERT_EQUAL(dp_route_count(rt), 0);
	dp_route_free(rt);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint32_t
mask32(unsigned int len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* Longest match by linear scan: index into pfx/len, or -1. */
static int
ref_lookup4(const uint32_t *pfx, const uint8_t *len, unsigned int n, uint32_t ip)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++)
		if ((ip & mask32(len[i])) == pfx[i] && (best < 0 || len[i] > len[best]))
			best = (int)i;
	return best;
}

/* Random IPv4 routes and what they were given, for the reference. */
struct v4set {
	unsigned int n;
	uint32_t pfx[RANDOM_ROUTES];	/* host order */
	uint8_t len[RANDOM_ROUTES];
	uint8_t which[RANDOM_ROUTES];	/* index into nhs */
	struct dp_nexthop nhs[RANDOM_NEXTHOPS];
};

static bool
v4set_add(struct dp_route_table *rt, struct v4set *s, uint32_t a, uint8_t l)
{
	uint32_t be = htonl(a);
	struct cfg_prefix p = { .family = AF_INET, .len = l };

	memcpy(p.addr.v4, &be, sizeof(be));
	s->which[s->n] = (uint8_t)(rng() % RANDOM_NEXTHOPS);
	if (dp_route_add(rt, &p, &s->nhs[s->which[s->n]]) != 0)
		return false;
	s->pfx[s->n] = a;
	s->len[s->n] = l;
	s->n++;
	return true;
}

static void
random_v4_routes(struct dp_route_table *rt, struct v4set *s)
{
	for (uint8_t i = 0; i < RANDOM_NEXTHOPS; i++)
		s->nhs[i] = gw4(i % CFG_MAX_PORTS, i);
	s->n = 0;
	CU_ASSERT_FATAL(v4set_add(rt, s, 0, 0));	/* a default route: index 0 */
	while (s->n < RANDOM_ROUTES) {
		uint8_t l = (uint8_t)(8 + rng() % 25);	/* leave room for misses */
		uint32_t a = rng() & mask32(l);

		/* Cluster half of them under 10.0.0.0/8 so they overlap. */
		if ((rng() & 1) && l >= 8)
			a = (a & ~mask32(8)) | (10u << 24);
		v4set_add(rt, s, a, l);
	}
}

/* Bulk against single lookups (*diff) and single against the reference
 * (*wrong); returns the number of hits. */
static unsigned int
compare_lookups(const struct dp_route_table *rt, const struct v4set *s, const uint32_t *ips,
		const struct dp_nexthop **bulk, unsigned int *diff, unsigned int *wrong)
{
	unsigned int hits = 0;

	*diff = *wrong = 0;
	dp_route_lookup4_bulk(rt, ips, bulk, RANDOM_LOOKUPS);
	for (unsigned int i = 0; i < RANDOM_LOOKUPS; i++) {
		uint32_t be = htonl(ips[i]);
		const struct dp_nexthop *one = dp_route_lookup4(rt, (const uint8_t *)&be);
		int best = ref_lookup4(s->pfx, s->len, s->n, ips[i]);

		*diff += bulk[i] != one;
		*wrong += best < 0 ? one != NULL : !nh_is(one, &s->nhs[s->which[best]]);
		hits += one != NULL;
	}
	return hits;
}

static void
test_bulk_equals_single(void)
{
	struct dp_route_table *rt = table(RANDOM_ROUTES);
	static const struct dp_nexthop *bulk[RANDOM_LOOKUPS];
	static uint32_t ips[RANDOM_LOOKUPS];
	static struct v4set s;
	unsigned int diff, wrong, hits;

	random_v4_routes(rt, &s);
	for (unsigned int i = 0; i < RANDOM_LOOKUPS; i++) {
		uint32_t r = rng() % s.n;

		/* Half inside a random route, half anywhere. */
		ips[i] = (i & 1) ? rng() : s.pfx[r] | (rng() & ~mask32(s.len[r]));
	}
	hits = compare_lookups(rt, &s, ips, bulk, &diff, &wrong);
	CU_ASSERT_EQUAL(diff, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(hits, RANDOM_LOOKUPS);
	/* Without the default route, misses come back NULL. */
	CU_ASSERT_EQUAL(del(rt, p4(0, 0, 0, 0, 0)), 0);
	s.pfx[0] = s.pfx[--s.n];
	s.len[0] = s.len[s.n];
	s.which[0] = s.which[s.n];
	hits = compare_lookups(rt, &s, ips, bulk, &diff, &wrong);
	CU_ASSERT_EQUAL(diff, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(hits > RANDOM_LOOKUPS / 2 && hits < RANDOM_LOOKUPS);
	/* n = 0 touches nothing; sizes around the chunk size. */
	bulk[0] = NULL;
	dp_route_lookup4_bulk(rt, ips, bulk, 0);
	CU_ASSERT_PTR_NULL(bulk[0]);
	for (unsigned int k = 1; k <= 130; k += 63) {
		memset(bulk, 0, sizeof(bulk));
		dp_route_lookup4_bulk(rt, ips + 1, bulk, k);
		diff = 0;
		for (unsigned int i = 0; i < k; i++) {
			uint32_t be = htonl(ips[i + 1]);

			diff += bulk[i] != dp_route_lookup4(rt, (const uint8_t *)&be);
		}
		CU_ASSERT_EQUAL(diff, 0);
		CU_ASSERT_PTR_NULL(bulk[k]);
	}
	dp_route_free(rt);
}

static bool
match6(const uint8_t *a, const uint8_t *p, unsigned int len)
{
	for (unsigned int b = 0; b < len; b++)
		if (((a[b / 8] ^ p[b / 8]) >> (7 - b % 8)) & 1)
			return false;
	return true;
}

/* Random IPv6 routes against a linear-scan reference. */
static void
test_v6_random(void)
{
	struct dp_route_table *rt = table(RANDOM_ROUTES6);
	static struct cfg_prefix pfx[RANDOM_ROUTES6];
	unsigned int n = 0, wrong = 0;

	while (n < RANDOM_ROUTES6) {
		struct cfg_prefix p = { .family = AF_INET6, .len = (uint8_t)(rng() % 129) };

		for (unsigned int i = 0; i < 16; i++)
			p.addr.v6[i] = (uint8_t)rng();
		p.addr.v6[0] = 0x20;
		p.addr.v6[1] = (uint8_t)(rng() % 2);
		for (unsigned int b = p.len; b < 128; b++)
			p.addr.v6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		if (add(rt, p, gw6(0, (uint8_t)n)) == 0)
			pfx[n++] = p;
	}
	for (unsigned int i = 0; i < RANDOM_LOOKUPS6; i++) {
		uint8_t a[16];
		int best = -1;
		const struct dp_nexthop *got;

		for (unsigned int j = 0; j < 16; j++)
			a[j] = (uint8_t)rng();
		if (i & 1)
			memcpy(a, pfx[rng() % n].addr.v6, 1 + rng() % 16);
		for (unsigned int r = 0; r < n; r++)
			if (match6(a, pfx[r].addr.v6, pfx[r].len) &&
			    (best < 0 || pfx[r].len > pfx[best].len))
				best = (int)r;
		got = dp_route_lookup6(rt, a);
		wrong += best < 0 ? got != NULL :
				    !is_nh(got, gw6(0, (uint8_t)best));
	}
	CU_ASSERT_EQUAL(wrong, 0);
	dp_route_free(rt);
}

/* Several tables at once: LPM names are made unique per table. */
static void
test_names(void)
{
	struct dp_route_table *a = dp_route_create("same_name_prefix_long", 4, SOCKET_ID_ANY);
	struct dp_route_table *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(add(a, p4(10, 0, 0, 0, 8), gw4(0, 1)), 0);
	dp_route_free(a);
	/* Same name again after a free, and a second table while one exists
	 * (needs 2 x 128 MB: only where EAL has the memory). */
	a = dp_route_create("same_name_prefix_long", 4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NULL(look4(a, 10, 0, 0, 1));
	b = dp_route_create("same_name_prefix_long", 4, SOCKET_ID_ANY);
	if (b != NULL) {
		CU_ASSERT_EQUAL(add(b, p4(10, 0, 0, 0, 8), gw4(0, 1)), 0);
		CU_ASSERT_PTR_NULL(look4(a, 10, 0, 0, 1));
		dp_route_free(b);
	}
	dp_route_free(a);
	CU_ASSERT_STRING_EQUAL(dp_nexthop_kind_name(DP_NH_LOCAL), "local");
	CU_ASSERT_STRING_EQUAL(dp_nexthop_kind_name(DP_NH_CONNECTED), "connected");
	CU_ASSERT_STRING_EQUAL(dp_nexthop_kind_name(DP_NH_GATEWAY), "gateway");
	CU_ASSERT_STRING_EQUAL(dp_nexthop_kind_name((enum dp_nexthop_kind)9), "unknown");
}

/* With a QSBR variable attached, changes still work (no reader online). */
static void
test_qsbr(void)
{
	struct dp_route_table *rt = table(SMALL);
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_init(v, 1), 0);
	CU_ASSERT_EQUAL(dp_route_attach_qsbr(rt, v), 0);
	CU_ASSERT_EQUAL(dp_route_attach_qsbr(rt, v), -EEXIST);
	CU_ASSERT_EQUAL(dp_route_attach_qsbr(rt, NULL), -EINVAL);
	/* A reader registered but offline does not hold up deletes. */
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(v, 0), 0);
	for (unsigned int round = 0; round < 3; round++) {
		CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 0, 8), gw4(0, 1)), 0);
		CU_ASSERT_EQUAL(add(rt, p4(10, 0, 0, 128, 25), gw4(0, 2)), 0);
		CU_ASSERT_EQUAL(add(rt, p6("2001:db8::1", 128), gw6(0, 3)), 0);
		CU_ASSERT(is_nh(look4(rt, 10, 0, 0, 129), gw4(0, 2)));
		CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 128, 25)), 0);
		CU_ASSERT_EQUAL(del(rt, p6("2001:db8::1", 128)), 0);
		CU_ASSERT(is_nh(look4(rt, 10, 0, 0, 129), gw4(0, 1)));
		CU_ASSERT_PTR_NULL(look6(rt, "2001:db8::1"));
		CU_ASSERT_EQUAL(del(rt, p4(10, 0, 0, 0, 8)), 0);
		CU_ASSERT_EQUAL(dp_route_nexthop_count(rt), 0);
	}
	dp_route_free(rt);
	rte_free(v);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "IPv4 longest match", test_v4_longest_match },
		{ "IPv6 longest match", test_v6_longest_match },
		{ "default routes", test_default_routes },
		{ "/32 and /128", test_host_routes },
		{ "next-hop dedupe", test_nexthop_dedupe },
		{ "delete and re-add", test_delete_readd },
		{ "EEXIST, ENOENT, EINVAL", test_errors },
		{ "ENOSPC at capacity", test_capacity },
		{ "foreach order", test_foreach_order },
		{ "host bits masked", test_masking },
		{ "bulk lookup equals single lookups", test_bulk_equals_single },
		{ "IPv6 random routes", test_v6_random },
		{ "table names, kind names", test_names },
		{ "QSBR attached", test_qsbr },
	};
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_route", "-l", "0", "--log-level=3" };
	CU_pSuite suite;
	unsigned int failures;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("route", NULL, NULL);
	for (size_t i = 0; i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
