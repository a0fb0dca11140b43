/* mem_populate (mem_populate.h): one madvise(MADV_POPULATE_WRITE)
 * (Linux 5.14) for the whole range, which the kernel fills without a
 * fault per page; where that is refused, one write per page. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataplane/mem_populate.h"

enum { HUGE_PAGE = 2u << 20 };	/* x86-64 transparent huge page */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void
touch_pages(uint8_t *p, size_t len, size_t page)
{
	/* Read and write back the same byte: present and dirty, unchanged. */
	for (size_t off = 0; off < len; off += page) {
		volatile uint8_t *b = p + off;

		*b = *b;
	}
	if (len > 0) {
		volatile uint8_t *last = p + len - 1;

		*last = *last;
	}
}

/* The 2 MiB-aligned part of a large private mapping (calloc of a table)
 * in transparent huge pages, where the kernel grants them ("madvise"
 * mode): a table looked up at random then costs a TLB entry per 2 MiB
 * instead of per 4 KiB. Shared memory (EAL's memfd without hugepages)
 * and kernels without THP ignore or refuse it: nothing changes there. */
static void
huge_advise(uintptr_t start, uintptr_t end)
{
	uintptr_t h_start = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t h_end = end & ~(uintptr_t)(HUGE_PAGE - 1);

	if (h_end > h_start)
		(void)madvise((void *)h_start, h_end - h_start, MADV_HUGEPAGE);
}

void
mem_populate(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p, end = start + len;
	uintptr_t a_start = (start + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t a_end = end & ~(uintptr_t)(page - 1);

	if (p == NULL || len == 0)
		return;
	huge_advise(start, end);
	if (a_end > a_start && madvise((void *)a_start, a_end - a_start, MADV_POPULATE_WRITE) == 0) {
		/* The partial pages at either end. */
		touch_pages(p, a_start - start, page);
		touch_pages((uint8_t *)a_end, end - a_end, page);
		return;
	}
	touch_pages(p, len, page);
}
