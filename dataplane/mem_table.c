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
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_malloc.h>

#include "dataplane/mem_populate.h"
#include "dataplane/mem_table.h"

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
