/*
 * The routing table: IPv4 and IPv6 longest-prefix match with DPDK rte_lpm
 * and rte_lpm6, mapping to a small table of next hops. Our own addresses
 * are /32 and /128 routes of kind LOCAL, port subnets CONNECTED routes, and
 * configured routes GATEWAY (or CONNECTED when they name no next hop).
 * Written by the control core, read lock-free by workers (see
 * dp_route_attach_qsbr for changes while workers run).
 */
#ifndef HAGW_ROUTE_H
#define HAGW_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"

enum dp_nexthop_kind {
	DP_NH_LOCAL,		/* one of our addresses: punt to the control core */
	DP_NH_CONNECTED,	/* on-link: the destination itself is the next hop */
	DP_NH_GATEWAY,		/* via a router */
};

struct dp_nexthop {
	uint8_t kind;		/* enum dp_nexthop_kind */
	uint8_t port;		/* our port index */
	uint8_t family;		/* AF_INET or AF_INET6 of gw */
	uint8_t gw[16];		/* gateway, network order (IPv4 in first 4 bytes) */
};

struct dp_route {
	struct cfg_prefix prefix;
	struct dp_nexthop nh;
};

struct dp_route_table;
struct rte_rcu_qsbr;

/*
 * max_routes is per family (1 .. 2^20). socket: NUMA socket or SOCKET_ID_ANY.
 * name is a prefix (first 8 characters used): the LPM objects get a unique
 * suffix, so several tables may coexist. Each table costs about 128 MB
 * (rte_lpm and rte_lpm6 tbl24) plus about 1 KB per IPv4 route and 13 KB per
 * IPv6 route of tbl8 groups. Returns NULL on bad arguments or no memory.
 */
struct dp_route_table *dp_route_create(const char *name, unsigned int max_routes, int socket);
void dp_route_free(struct dp_route_table *rt);

/*
 * Host bits of PREFIX are ignored (masked). Identical next hops (compared
 * byte for byte, so zero unused gw bytes) are stored once.
 * Returns 0, -EEXIST (same prefix present), -ENOSPC, or -EINVAL.
 */
int dp_route_add(struct dp_route_table *rt, const struct cfg_prefix *prefix,
		 const struct dp_nexthop *nh);
/* Host bits of PREFIX are ignored. Returns 0, -ENOENT, or -EINVAL (NULL). */
int dp_route_del(struct dp_route_table *rt, const struct cfg_prefix *prefix);

/*
 * Lets workers look up while routes change: V must be the QSBR variable the
 * workers report quiescent states to. rte_lpm then frees its tbl8 groups
 * after a grace period, and dp_route_del blocks for one before returning.
 * Returns 0, -EEXIST (already attached), -EINVAL or -ENOMEM.
 */
int dp_route_attach_qsbr(struct dp_route_table *rt, struct rte_rcu_qsbr *v);

/* Fast path: return the next hop for DST (network order) or NULL. */
const struct dp_nexthop *dp_route_lookup4(const struct dp_route_table *rt, const uint8_t dst[4]);
const struct dp_nexthop *dp_route_lookup6(const struct dp_route_table *rt, const uint8_t dst[16]);
/* Burst form of dp_route_lookup4: N addresses in host order (n may be 0). */
void dp_route_lookup4_bulk(const struct dp_route_table *rt, const uint32_t *dst_host_order,
			   const struct dp_nexthop **nh, unsigned int n);

/* Calls fn for every route, IPv4 first, each family ordered by prefix
 * address then length. Stops and returns fn's value when it is non-zero.
 * fn must not change the table. */
int dp_route_foreach(const struct dp_route_table *rt,
		     int (*fn)(const struct dp_route *r, void *arg), void *arg);
unsigned int dp_route_count(const struct dp_route_table *rt);
/* Distinct next hops in use. */
unsigned int dp_route_nexthop_count(const struct dp_route_table *rt);

const char *dp_nexthop_kind_name(enum dp_nexthop_kind kind);

#endif
