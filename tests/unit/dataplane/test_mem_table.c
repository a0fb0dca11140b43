/* Unit test of dataplane/mem_table.c under EAL without hugepages (as in
 * the lab): a table is zero, present and usable, freed; a heap for DPDK's
 * own tables is an external heap of present memory, the same one by
 * name, and serves rte_malloc and an rte_hash on its socket. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "dataplane/mem_table.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum { TABLE = 6u << 20, HEAP = 8u << 20, ENTRIES = 4096 };

static bool
resident(const void *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);

	for (uintptr_t q = a; q < (uintptr_t)p + len; q += (uintptr_t)pg) {
		unsigned char v = 0;

		if (mincore((void *)q, (size_t)pg, &v) != 0 || (v & 1) == 0)
			return false;
	}
	return true;
}

static void
test_table(void)
{
	uint8_t *t = mem_table_alloc("t_table", TABLE, SOCKET_ID_ANY);
	unsigned int nonzero = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL((uintptr_t)t % 64, 0);
	CU_ASSERT_TRUE(resident(t, TABLE));		/* before any write */
	for (size_t i = 0; i < TABLE; i++)
		nonzero += t[i] != 0;
	CU_ASSERT_EQUAL(nonzero, 0);
	memset(t, 0x5a, TABLE);
	CU_ASSERT_EQUAL(t[TABLE - 1], 0x5a);
	mem_table_free(t, TABLE);
	mem_table_free(NULL, TABLE);			/* harmless */
	CU_ASSERT_PTR_NULL(mem_table_alloc("t_empty", 0, SOCKET_ID_ANY));
}

static void
test_heap(void)
{
	int id = mem_table_heap("t_heap", HEAP, SOCKET_ID_ANY);
	struct rte_malloc_socket_stats st;
	struct rte_hash_parameters hp = {
		.name = "t_heap_hash", .entries = ENTRIES, .key_len = sizeof(uint32_t),
	};
	struct rte_hash *h;
	uint8_t *p;

	CU_ASSERT_NOT_EQUAL_FATAL(id, SOCKET_ID_ANY);
	CU_ASSERT_EQUAL(rte_malloc_heap_socket_is_external(id), 1);
	CU_ASSERT_EQUAL(mem_table_heap("t_heap", HEAP, SOCKET_ID_ANY), id);	/* by name */
	CU_ASSERT_EQUAL(rte_malloc_get_socket_stats(id, &st), 0);
	CU_ASSERT(st.heap_totalsz_bytes >= HEAP && st.heap_totalsz_bytes < HEAP + (2u << 20));
	p = rte_zmalloc_socket("t_heap_obj", 1u << 20, 64, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(resident(p, 1u << 20));
	rte_free(p);
	/* an rte_hash on a heap sized for it (mem_table_hash_socket) */
	hp.socket_id = mem_table_hash_socket(hp.name, ENTRIES, SOCKET_ID_ANY);
	CU_ASSERT_EQUAL(rte_malloc_heap_socket_is_external(hp.socket_id), 1);
	h = rte_hash_create(&hp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	for (uint32_t k = 0; k < ENTRIES; k++)
		CU_ASSERT_EQUAL(rte_hash_add_key_data(h, &k, (void *)(uintptr_t)(k + 1)), 0);
	for (uint32_t k = 0; k < ENTRIES; k += 97) {
		void *d = NULL;

		CU_ASSERT_TRUE(rte_hash_lookup_data(h, &k, &d) >= 0 && d == (void *)(uintptr_t)(k + 1));
	}
	rte_hash_free(h);
}

int
main(void)
{
	char *argv[] = {
		"test_mem_table", "--no-huge", "-m", "64", "--no-pci", "--no-telemetry",
		"--file-prefix", "test_mem_table", "-l", "0", "--log-level=3",
	};
	CU_pSuite s;
	unsigned int fails;

	if (rte_eal_init((int)DIM(argv), argv) < 0 || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("mem_table", NULL, NULL);
	CU_add_test(s, "a table: zero, present, freed", test_table);
	CU_add_test(s, "a heap for DPDK's tables: external, present, by name", test_heap);
	fails = cu_run_count();
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
