/*
 * The routing table: IPv4 and IPv6 longest-prefix match with DPDK rte_lpm
 * and rte_lpm6, mapping to a small table of next hops. Our own addresses
 * are /32 and /128 routes of kind LOCAL, port subnets CONNECTED routes, and
 * configured routes GATEWAY (or CONNECTED when they name no next hop).
 * Written by the control core, read lock-free by workers.
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

/* max_routes is per family. socket: NUMA socket or SOCKET_ID_ANY. */
struct dp_route_table *dp_route_create(const char *name, unsigned int max_routes, int socket);
void dp_route_free(struct dp_route_table *rt);

/* Returns 0, -EEXIST (same prefix present), -ENOSPC, or -EINVAL. */
int dp_route_add(struct dp_route_table *rt, const struct cfg_prefix *prefix,
		 const struct dp_nexthop *nh);
/* Returns 0 or -ENOENT. */
int dp_route_del(struct dp_route_table *rt, const struct cfg_prefix *prefix);

/* Fast path: return the next hop for DST (network order) or NULL. */
const struct dp_nexthop *dp_route_lookup4(const struct dp_route_table *rt, const uint8_t dst[4]);
const struct dp_nexthop *dp_route_lookup6(const struct dp_route_table *rt, const uint8_t dst[16]);

/* Calls fn for every route, IPv4 first, each family in prefix order.
 * Stops and returns fn's value when it is non-zero. */
int dp_route_foreach(const struct dp_route_table *rt,
		     int (*fn)(const struct dp_route *r, void *arg), void *arg);
unsigned int dp_route_count(const struct dp_route_table *rt);

const char *dp_nexthop_kind_name(enum dp_nexthop_kind kind);

#endif
