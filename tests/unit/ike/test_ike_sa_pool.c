/* Unit test of the IKE SA slots (ike/ike_sa_pool.c): zero when handed out
 * (fresh or given back after being written), a pool per size (four at
 * most), slots apart and aligned, slabs on huge page boundaries and
 * reused before new ones. */
#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ike/ike_sa_pool.h"
#include "tests/unit/cu_run.h"

enum {
	OBJ = 20000,			/* ~ an IKE SA */
	SLOT = 20032,			/* OBJ rounded up to 64 */
	PER_SLAB = (32 << 20) / SLOT,	/* 1,675 */
	N_MANY = 5000,			/* 3 slabs */
	HUGE_PAGE = 2 << 20,
};

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
test_zero_and_reuse(void)
{
	struct ike_sa_pool_stats s;
	uint8_t *a = ike_sa_pool_get(OBJ), *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(all_zero(a, OBJ));
	CU_ASSERT_EQUAL((uintptr_t)a % HUGE_PAGE, 0);	/* a slab's first slot */
	memset(a, 0xa5, OBJ);				/* keys, say */
	ike_sa_pool_put(a, OBJ);
	b = ike_sa_pool_get(OBJ);
	CU_ASSERT_PTR_EQUAL(b, a);			/* the slot given back */
	CU_ASSERT_TRUE(all_zero(b, OBJ));		/* wiped, next pointer too */
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.in_use, 1);
	CU_ASSERT_EQUAL(s.slot_bytes, SLOT);
	ike_sa_pool_put(b, OBJ);
	ike_sa_pool_put(NULL, OBJ);
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.in_use, 0);
	CU_ASSERT_EQUAL(s.slabs, 1);
}

/* Other sizes get pools of their own, slots of their size, apart from
 * the first pool's; a fifth size gets none. */
static void
test_sizes(void)
{
	static const size_t size[] = { 1601, 1632, 64 };	/* 1601, 1632: one slot size */
	struct ike_sa_pool_stats s;
	uint8_t *a = ike_sa_pool_get(OBJ), *p[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (unsigned int i = 0; i < 3; i++) {
		p[i] = ike_sa_pool_get(size[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		CU_ASSERT_TRUE(all_zero(p[i], size[i]));
		CU_ASSERT_TRUE(p[i] + size[i] <= a || p[i] >= a + SLOT);
		memset(p[i], 0x5a, size[i]);
	}
	CU_ASSERT_EQUAL(p[1] - p[0], 1664);	/* 1601 rounded up to 64 */
	ike_sa_pool_stats(1632, &s);
	CU_ASSERT_EQUAL(s.in_use, 2);
	CU_ASSERT_EQUAL(s.slot_bytes, 1664);
	CU_ASSERT_PTR_NOT_NULL(ike_sa_pool_get(3000));	/* the fourth size */
	CU_ASSERT_PTR_NULL(ike_sa_pool_get(5000));	/* a fifth */
	ike_sa_pool_stats(5000, &s);
	CU_ASSERT_EQUAL(s.slot_bytes, 0);
	ike_sa_pool_put(p[0], 1601);
	CU_ASSERT_PTR_EQUAL(ike_sa_pool_get(1632), p[0]);	/* same pool, wiped */
	CU_ASSERT_TRUE(all_zero(p[0], 1632));
	ike_sa_pool_put(a, OBJ);
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.in_use, 0);
}

static int
cmp_ptr(const void *x, const void *y)
{
	uintptr_t a = *(const uintptr_t *)x, b = *(const uintptr_t *)y;

	return a < b ? -1 : a > b;
}

/* N_MANY slots: zero, 64-byte aligned, none overlapping another. */
static void
get_many(uint8_t **p)
{
	uintptr_t sorted[N_MANY];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < N_MANY; i++) {
		p[i] = ike_sa_pool_get(OBJ);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		bad += !all_zero(p[i], OBJ) || (uintptr_t)p[i] % 64 != 0;
		memset(p[i], (int)(i % 251) + 1, OBJ);
		sorted[i] = (uintptr_t)p[i];
	}
	CU_ASSERT_EQUAL(bad, 0);
	qsort(sorted, N_MANY, sizeof(sorted[0]), cmp_ptr);
	for (unsigned int i = 1; i < N_MANY; i++)
		bad += sorted[i] - sorted[i - 1] < SLOT;
	CU_ASSERT_EQUAL(bad, 0);
	/* Each slot kept what was written to it. */
	for (unsigned int i = 0; i < N_MANY; i++)
		bad += p[i][0] != (uint8_t)(i % 251 + 1) || p[i][OBJ - 1] != (uint8_t)(i % 251 + 1);
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_many(void)
{
	static uint8_t *p[N_MANY];
	struct ike_sa_pool_stats s;

	get_many(p);
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.in_use, N_MANY);
	CU_ASSERT_EQUAL(s.slabs, (N_MANY + PER_SLAB - 1) / PER_SLAB);
	for (unsigned int i = 0; i < N_MANY; i++)
		ike_sa_pool_put(p[i], OBJ);
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.in_use, 0);
	get_many(p);			/* all from the slots given back */
	ike_sa_pool_stats(OBJ, &s);
	CU_ASSERT_EQUAL(s.slabs, (N_MANY + PER_SLAB - 1) / PER_SLAB);
	for (unsigned int i = 0; i < N_MANY; i++)
		ike_sa_pool_put(p[i], OBJ);
}

/* page-resident, by mincore */
static bool
resident(const void *p)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char v = 0;
	void *a = (void *)((uintptr_t)p & ~(uintptr_t)(pg - 1));

	return mincore(a, (size_t)pg, &v) == 0 && (v & 1) != 0;
}

/* A reservation: the next COUNT slots present before any get, handed
 * out slot after slot; in the current slab when they fit, else in one
 * mapping of their own. */
static void
test_reserve(void)
{
	enum { SMALL = 64, N = 100000, BIG = 1 << 20 };
	struct ike_sa_pool_stats s0, s;
	static uint8_t *p[N];
	unsigned int bad = 0;
	uint8_t *q;

	ike_sa_pool_stats(SMALL, &s0);		/* test_sizes made this pool */
	CU_ASSERT_EQUAL_FATAL(s0.slot_bytes, SMALL);
	CU_ASSERT_EQUAL(ike_sa_pool_reserve(SMALL, N), 0);	/* fits its slab */
	ike_sa_pool_stats(SMALL, &s);
	CU_ASSERT_EQUAL(s.slabs, s0.slabs);
	for (unsigned int i = 0; i < N; i++) {
		p[i] = ike_sa_pool_get(SMALL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		bad += !resident(p[i]) || !all_zero(p[i], SMALL) ||
		       (i > 0 && p[i] != p[i - 1] + SMALL);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* 64 MiB of slots: more than the slab has left, a mapping of its own */
	CU_ASSERT_EQUAL(ike_sa_pool_reserve(SMALL, BIG), 0);
	ike_sa_pool_stats(SMALL, &s);
	CU_ASSERT_EQUAL(s.slabs, s0.slabs + 1);
	q = ike_sa_pool_get(SMALL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL((uintptr_t)q % HUGE_PAGE, 0);
	CU_ASSERT_TRUE(resident(q) && resident(q + (size_t)(BIG - 1) * SMALL));
	CU_ASSERT_TRUE(all_zero(q, SMALL));
	ike_sa_pool_stats(SMALL, &s);
	CU_ASSERT_EQUAL(s.in_use, s0.in_use + N + 1);
	CU_ASSERT_EQUAL(ike_sa_pool_reserve(5000, 10), -1);	/* a fifth size */
}

int
main(void)
{
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ike_sa_pool", NULL, NULL);
	CU_add_test(suite, "zero slots, wiped when given back", test_zero_and_reuse);
	CU_add_test(suite, "5000 slots over 3 slabs, reused", test_many);
	CU_add_test(suite, "a pool per size, four sizes at most", test_sizes);
	CU_add_test(suite, "a reservation: present, used slot after slot", test_reserve);
	return cu_run_registered();
}
