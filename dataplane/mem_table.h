/* Large tables sized by the configuration (ipsec.max_sas and the like):
 * zeroed, present from the start, in huge pages. */
#ifndef MEM_TABLE_H
#define MEM_TABLE_H

#include <stddef.h>

enum { MEM_TABLE_HEAP_NAME_MAX = 32 };	/* EAL's heap names, NUL included */

/* LEN zeroed bytes, cache-line aligned, every page present: EAL memory on
 * SOCKET when EAL has hugepages; without them (--no-huge, where EAL's
 * memory is a memfd of 4 KiB pages) an anonymous mapping in transparent
 * huge pages. NULL when out of memory. Only this process's threads may
 * use it (no DMA, no secondary process). */
void *mem_table_alloc(const char *name, size_t len, int socket);
/* Frees what mem_table_alloc returned for LEN; NULL is harmless. */
void mem_table_free(void *p, size_t len);

/* The socket id to create a large DPDK table on (rte_hash and the like,
 * which allocate from EAL's heap themselves): SOCKET when EAL has
 * hugepages; without them a heap of its own named NAME, BYTES of
 * anonymous memory in transparent huge pages, present now (an external
 * heap, rte_malloc_heap_create), or SOCKET if that cannot be made. The
 * heap lives as long as the process. Making it populates BYTES: call
 * it at start, not on a path that must stay short (a table made on first
 * use would stall there: a client SPD hash made by the first CHILD SA of
 * a bulk sync held the standby's loop past the failure detection). */
int mem_table_heap(const char *name, size_t bytes, int socket);
/* mem_table_heap for an rte_hash of ENTRIES, named after the hash. */
int mem_table_hash_socket(const char *hash_name, unsigned int entries, int socket);

#endif /* MEM_TABLE_H */
