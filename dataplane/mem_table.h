/* Large tables sized by the configuration (ipsec.max_sas and the like):
 * zeroed, present from the start, in huge pages. */
#ifndef MEM_TABLE_H
#define MEM_TABLE_H

#include <stddef.h>

/* LEN zeroed bytes, cache-line aligned, every page present: EAL memory on
 * SOCKET when EAL has hugepages; without them (--no-huge, where EAL's
 * memory is a memfd of 4 KiB pages) an anonymous mapping in transparent
 * huge pages. NULL when out of memory. Only this process's threads may
 * use it (no DMA, no secondary process). */
void *mem_table_alloc(const char *name, size_t len, int socket);
/* Frees what mem_table_alloc returned for LEN; NULL is harmless. */
void mem_table_free(void *p, size_t len);

#endif /* MEM_TABLE_H */
