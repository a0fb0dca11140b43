/*
 * Memory for IKE SAs and CHILD SAs: fixed-size slots carved from large
 * anonymous mappings advised for transparent huge pages (MADV_HUGEPAGE),
 * one pool per object size.
 *
 * Why: an IKE SA is ~8.4 KiB (the CREATE_CHILD_SA scratch, the keys;
 * its cached responses are blobs of their own, ike_state.h), and a standby
 * imports 100,000 of them in one bulk sync. From calloc() each one (then
 * ~20 KiB) cost 5-6 page faults on 4 KiB pages plus a memset of memory the
 * kernel had just zeroed; those faults were half of the standby's bulk-sync time
 * (perf). A 2 MiB page holds ~240 SAs and costs one fault, where the
 * kernel grants huge pages (THP "always" or "madvise"); elsewhere the
 * slots still skip the memset. A CHILD SA (~1.6 KiB, one or more per IKE
 * SA) cost a fault every two or three from malloc.
 *
 * Zero without writing: a fresh mapping reads as zeros, and a slot comes
 * back zeroed (ike_sa_pool_put wipes it: an IKE SA holds keys), so
 * ike_sa_pool_get clears only the word the free list threads through.
 * Mappings are kept for the life of the process (the pool is as large as
 * the peak number of IKE SAs, like a hugepage-backed table would be).
 * Not thread-safe: the IKE library runs on one thread (the control core,
 * or the load generator's).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/crypto.h>

#include "dataplane/mem_populate.h"
#include "ike/ike_sa_pool.h"

enum {
	HUGE_PAGE = 2u << 20,		/* x86-64 THP size */
	SLAB_BYTES = 32u << 20,		/* one mapping: ~3,900 SAs of 8.4 KiB */
	SLOT_ALIGN = 64,		/* cache line */
	POOLS = 4,			/* object sizes */
};

struct free_slot {
	struct free_slot *next;
};

struct sa_pool {
	size_t slot;			/* slot size: the object's, cache-aligned */
	uint8_t *bump;			/* next never-used slot of the last slab */
	uint8_t *end;			/* end of the last slab */
	struct free_slot *free;		/* slots given back (zero but for next) */
	uint64_t in_use;
	uint64_t slabs;
};

static struct sa_pool pools[POOLS];

static size_t
slot_size(size_t size)
{
	return (size + SLOT_ALIGN - 1) & ~(size_t)(SLOT_ALIGN - 1);
}

/* The pool of objects of SIZE; with MAKE, a free one becomes it. */
static struct sa_pool *
pool_of(size_t size, bool make)
{
	size_t slot = slot_size(size);

	for (unsigned int i = 0; i < POOLS; i++) {
		if (pools[i].slot == slot)
			return &pools[i];
		if (pools[i].slot == 0) {
			if (!make || slot == 0 || slot > SLAB_BYTES)
				return NULL;
			pools[i].slot = slot;
			return &pools[i];
		}
	}
	return NULL;
}

/* A new slab of BYTES (a multiple of the huge page size) aligned to the
 * huge page size, so that all of it can be backed by huge pages. */
static int
slab_new(struct sa_pool *pool, size_t bytes)
{
	size_t len = bytes + HUGE_PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return -1;
	a = ((uintptr_t)p + HUGE_PAGE - 1) & ~((uintptr_t)HUGE_PAGE - 1);
	/* A kernel without THP says EINVAL: 4 KiB pages then, still unwritten. */
	(void)madvise((void *)a, bytes, MADV_HUGEPAGE);
	pool->bump = (uint8_t *)a;
	pool->end = pool->bump + bytes;
	pool->slabs++;
	return 0;
}

void *
ike_sa_pool_get(size_t size)
{
	struct sa_pool *pool = pool_of(size, true);
	void *p;

	if (pool == NULL)
		return NULL;
	if (pool->free != NULL) {
		struct free_slot *f = pool->free;

		pool->free = f->next;
		f->next = NULL;
		p = f;
	} else {
		if ((size_t)(pool->end - pool->bump) < pool->slot &&
		    slab_new(pool, SLAB_BYTES) < 0)
			return NULL;
		p = pool->bump;
		pool->bump += pool->slot;
	}
	pool->in_use++;
	return p;
}

int
ike_sa_pool_reserve(size_t size, size_t count)
{
	struct sa_pool *pool = pool_of(size, true);
	size_t bytes, have;

	if (pool == NULL)
		return -1;
	have = (size_t)(pool->end - pool->bump) / pool->slot;
	if (count <= have) {
		mem_populate(pool->bump, count * pool->slot);
		return 0;
	}
	/* The rest of the current slab is left unused: a reservation is
	 * made at start, when there is none. */
	bytes = ((count * pool->slot) + HUGE_PAGE - 1) & ~((size_t)HUGE_PAGE - 1);
	if (slab_new(pool, bytes) < 0)
		return -1;
	mem_populate(pool->bump, bytes);
	return 0;
}

void
ike_sa_pool_put(void *p, size_t size)
{
	struct sa_pool *pool = pool_of(size, false);
	struct free_slot *f = p;

	if (p == NULL || pool == NULL)
		return;
	OPENSSL_cleanse(p, pool->slot);
	f->next = pool->free;
	pool->free = f;
	pool->in_use--;
}

void
ike_sa_pool_stats(size_t size, struct ike_sa_pool_stats *s)
{
	const struct sa_pool *pool = pool_of(size, false);

	*s = (struct ike_sa_pool_stats){ 0 };
	if (pool == NULL)
		return;
	s->in_use = pool->in_use;
	s->slabs = pool->slabs;
	s->slot_bytes = pool->slot;
}
