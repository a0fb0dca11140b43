/* Virtual IP leases for configuration payloads (RFC 7296 §3.15.1,
 * INTERNAL_IP4_ADDRESS / INTERNAL_IP6_ADDRESS): one bitmap per configured
 * pool; an identity is offered the same address each time when it is free
 * (the probe starts at a hash of the identity); released on delete. */
#ifndef IKE_POOL_H
#define IKE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "ike/ike_types.h"

struct ike_pool {
	const struct cfg_ike_pool *cfg;
	uint32_t used;
	uint64_t *bits;                 /* cfg->size bits */
};

struct ike_pool_set {
	uint8_t n;
	struct ike_pool pools[CFG_MAX_POOLS];
};

/* Bitmaps for every pool of CFG (which must outlive the set). */
int ike_pool_set_init(struct ike_pool_set *s, const struct cfg_ike *cfg);
void ike_pool_set_free(struct ike_pool_set *s);

/* A free address of FAMILY from the connection's pools (indices into
 * cfg.ike.pools, in order) for ID; *POOL_NAME set. -ENOENT: no pool of
 * that family, -ENOSPC: all taken. */
int ike_pool_lease(struct ike_pool_set *s, const uint8_t *pools, uint8_t n_pools,
		   uint8_t family, const struct ike_id *id, struct ike_addr *out,
		   const char **pool_name);

/* Give ADDR back to the pool named NAME (no-op if not leased). */
void ike_pool_release(struct ike_pool_set *s, const char *name, const struct ike_addr *addr);

/* Lease exactly ADDR from the pool named NAME (an HA standby copying the
 * active's leases). -ENOENT: no such pool or ADDR outside it, -EEXIST:
 * leased already. */
int ike_pool_claim(struct ike_pool_set *s, const char *name, const struct ike_addr *addr);

/* Addresses leased from the pool named NAME (tests, show commands). */
uint32_t ike_pool_used(const struct ike_pool_set *s, const char *name);

#endif /* IKE_POOL_H */
