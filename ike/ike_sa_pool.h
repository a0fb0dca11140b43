/* Slots for IKE SAs and CHILD SAs from huge-page-advised mappings, zero
 * when handed out (ike_sa_pool.c says why). A pool per object size, up to
 * four sizes per process. */
#ifndef IKE_SA_POOL_H
#define IKE_SA_POOL_H

#include <stddef.h>
#include <stdint.h>

struct ike_sa_pool_stats {
	uint64_t in_use;	/* slots handed out and not given back */
	uint64_t slabs;		/* mappings made (32 MiB, or a reservation) */
	size_t slot_bytes;	/* 0 before the first slot */
};

/* A zeroed slot of SIZE bytes (a fifth size, or no memory: NULL). */
void *ike_sa_pool_get(size_t size);
/* COUNT slots of SIZE made present now (one mapping, populated), for
 * the gets that follow: the page faults of a bulk sync or a flood of
 * clients paid at start, as a hugepage-backed table would. 0, or -1 when
 * the memory cannot be mapped. */
int ike_sa_pool_reserve(size_t size, size_t count);
/* Wipes the slot (it held keys) and keeps it for the next get of SIZE,
 * the size it was got with. */
void ike_sa_pool_put(void *p, size_t size);
/* Of the pool of SIZE (all zero if there is none). */
void ike_sa_pool_stats(size_t size, struct ike_sa_pool_stats *s);

#endif
