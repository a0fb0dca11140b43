/*
 * Builders shared by the SPD tests (test_spd.c, test_spd_live.c,
 * test_spd_view.c, test_spd_linear.c):
 * selectors, policies, flows and client prefixes from text, an SPD of a
 * given size, single lookups and exact result checks.
 */
#ifndef HAGW_TEST_SPD_FIXTURE_H
#define HAGW_TEST_SPD_FIXTURE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_memory.h>

#include "dataplane/flow.h"
#include "dataplane/spd.h"
#include "dataplane/ts.h"

enum {
	SMALL = 16,			/* max_policies of most test SPDs */
	BULK = 64,			/* flows per dp_spd_lookup_out call */
};

#define NONE UINT32_MAX

/* ---- Builders ---- */

static inline struct dp_ts
ts_range(uint8_t family, const char *lo, const char *hi, uint8_t proto, uint16_t plo,
	 uint16_t phi)
{
	struct dp_ts t = { .family = family, .proto = proto, .port_lo = plo, .port_hi = phi };

	CU_ASSERT_FATAL(inet_pton(family, lo, t.addr_lo) == 1);
	CU_ASSERT_FATAL(inet_pton(family, hi, t.addr_hi) == 1);
	return t;
}

/* A prefix as a range: host bits 0 .. 1. */
static inline struct dp_ts
ts_pfx(uint8_t family, const char *addr, unsigned int len, uint8_t proto, uint16_t plo,
       uint16_t phi)
{
	struct dp_ts t = { .family = family, .proto = proto, .port_lo = plo, .port_hi = phi };
	unsigned int bits = family == AF_INET ? 32 : 128;

	CU_ASSERT_FATAL(inet_pton(family, addr, t.addr_lo) == 1);
	for (unsigned int i = len; i < bits; i++) {
		t.addr_lo[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		t.addr_hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
	for (unsigned int i = 0; i < len; i++)
		t.addr_hi[i / 8] |= t.addr_lo[i / 8] & (uint8_t)(0x80u >> (i % 8));
	return t;
}

static inline struct dp_ts
any4(void)
{
	return ts_pfx(AF_INET, "0.0.0.0", 0, 0, 0, 65535);
}

static inline struct dp_ts
any6(void)
{
	return ts_pfx(AF_INET6, "::", 0, 0, 0, 65535);
}

static inline struct dp_policy_params
pol(uint32_t prio, enum dp_policy_action a, struct dp_ts local, struct dp_ts remote,
    uint32_t sa)
{
	struct dp_policy_params p = { .priority = prio, .action = a, .local = local,
				      .remote = remote, .sa_id = sa };

	return p;
}

static inline struct dp_flow
flow(uint8_t family, uint8_t proto, const char *src, const char *dst, uint16_t sport,
     uint16_t dport)
{
	struct dp_flow f = { .family = family, .proto = proto, .sport = sport, .dport = dport };

	CU_ASSERT_FATAL(inet_pton(family, src, f.src) == 1);
	CU_ASSERT_FATAL(inet_pton(family, dst, f.dst) == 1);
	return f;
}

static inline struct dp_flow
f4(uint8_t proto, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	return flow(AF_INET, proto, src, dst, sport, dport);
}

static inline struct dp_flow
f6(uint8_t proto, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	return flow(AF_INET6, proto, src, dst, sport, dport);
}

static inline struct dp_flow
opaque(struct dp_flow f)
{
	f.ports_opaque = true;
	f.sport = 0;
	f.dport = 0;
	return f;
}

static inline struct cfg_prefix
cp(uint8_t family, const char *addr, uint8_t len)
{
	struct cfg_prefix p = { .family = family, .len = len };

	CU_ASSERT_FATAL(inet_pton(family, addr, p.addr.bytes) == 1);
	return p;
}

static inline struct dp_spd *
mk(const char *name, unsigned int max_policies, unsigned int max_clients,
   enum dp_policy_action dflt, struct rte_rcu_qsbr *v)
{
	struct dp_spd_params p = { .max_policies = max_policies, .max_clients = max_clients,
				   .default_action = dflt, .qsbr = v, .socket = SOCKET_ID_ANY };
	struct dp_spd *spd = dp_spd_create(name, &p);

	CU_ASSERT_PTR_NOT_NULL_FATAL(spd);
	return spd;
}

static inline uint32_t
add(struct dp_spd *spd, struct dp_policy_params p)
{
	uint32_t id = NONE;

	CU_ASSERT_EQUAL(dp_spd_add(spd, &p, &id), 0);
	return id;
}

static inline struct dp_policy_result
look(const struct dp_spd *spd, struct dp_flow f)
{
	const struct dp_flow *fp = &f;
	struct dp_policy_result r;

	memset(&r, 0xee, sizeof(r));
	dp_spd_lookup_out(spd, &fp, 1, &r);
	return r;
}

/* The lookup gives exactly (action, sa, policy id). */
static inline bool
is(struct dp_policy_result r, enum dp_policy_action a, uint32_t sa, uint32_t id)
{
	if (r.action != a || r.policy_id != id)
		return false;
	return a != DP_POLICY_PROTECT || r.sa_id == sa;
}

static inline bool
is_default(struct dp_policy_result r, enum dp_policy_action a)
{
	return r.action == a && r.policy_id == NONE;
}


/* test_spd_live.c: QSBR, clients, clear-text inbound, bulk and big tables. */
void spd_live_tests(CU_pSuite suite);
/* test_spd_view.c: dp_spd_next, default action, client foreach, lookup_in. */
void spd_view_tests(CU_pSuite suite);
/* test_spd_linear.c: the linear scan of small policy sets = the ACL. */
void spd_linear_tests(CU_pSuite suite);

#endif
