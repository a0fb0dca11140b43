/* mem_table (mem_table.h).
 *
 * Why not always EAL memory: without hugepages EAL backs its heap with a
 * memfd of 4 KiB pages, which the kernel does not give transparent huge
 * pages (shmem THP is off by default). A table of 100,000s of SAs looked
 * up at random then costs a TLB miss and, on a virtual machine, often a
 * page-table walk of the host per access: measured on a standby's bulk
 * sync, the SAD's slot writes and lookups were a third of its time.
 * Anonymous memory advised for THP gets 2 MiB pages, as EAL's would be on
 * a hugepage-backed appliance, where EAL memory is used as before. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_malloc.h>

#include "dataplane/mem_populate.h"
#include "dataplane/mem_table.h"

enum { MEM_TABLE_PAGE = 2u << 20 };	/* a transparent huge page */

void *
mem_table_alloc(const char *name, size_t len, int socket)
{
	void *p;

	if (len == 0)
		return NULL;
	if (rte_eal_has_hugepages()) {
		p = rte_zmalloc_socket(name, len, RTE_CACHE_LINE_SIZE, socket);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	}
	mem_populate(p, len);	/* advises THP on the mapping first */
	return p;
}

int
mem_table_heap(const char *name, size_t bytes, int socket)
{
	size_t len = (bytes + MEM_TABLE_PAGE - 1) & ~(size_t)(MEM_TABLE_PAGE - 1);
	uint8_t *map, *p;
	int id;

	if (rte_eal_has_hugepages() || len == 0)
		return socket;
	id = rte_malloc_heap_get_socket(name);
	if (id >= 0)
		return id;
	/* EAL has room for a few dozen heaps: when they are used up, EAL's own */
	if (rte_malloc_heap_create(name) < 0)
		return socket;
	map = mmap(NULL, len + MEM_TABLE_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		rte_malloc_heap_destroy(name);
		return socket;
	}
	/* EAL wants the pages aligned to the page size it is told */
	p = (uint8_t *)(((uintptr_t)map + MEM_TABLE_PAGE - 1) & ~(uintptr_t)(MEM_TABLE_PAGE - 1));
	mem_populate(p, len);
	if (rte_malloc_heap_memory_add(name, p, len, NULL, len / MEM_TABLE_PAGE,
				       MEM_TABLE_PAGE) < 0) {
		munmap(map, len + MEM_TABLE_PAGE);
		rte_malloc_heap_destroy(name);
		return socket;
	}
	id = rte_malloc_heap_get_socket(name);
	return id >= 0 ? id : socket;
}

int
mem_table_hash_socket(const char *hash_name, unsigned int entries, int socket)
{
	char heap[MEM_TABLE_HEAP_NAME_MAX];

	/* An entry takes ~40 octets of rte_hash memory at most (its share of
	 * a bucket and of the extendable ones, its key slot, free-slot ring
	 * entries); 128 leaves room for key sizes up to 64 octets. */
	snprintf(heap, sizeof(heap), "ht_%s", hash_name);
	return mem_table_heap(heap, (size_t)entries * 128 + (1u << 20), socket);
}

void
mem_table_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	if (rte_eal_has_hugepages())
		rte_free(p);
	else
		munmap(p, len);
}
