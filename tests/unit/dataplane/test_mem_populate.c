/* Unit test of mem_populate (dataplane/mem_populate.c): every page of an
 * unaligned range is resident afterwards (mincore), the bytes in it and
 * around it are unchanged, and an empty range or NULL is harmless. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataplane/mem_populate.h"
#include "tests/unit/cu_run.h"

enum {
	PAGES = 64,
	HEAD = 100,			/* the range starts this far into page 1 */
	TAIL = 300,			/* and ends this far into its last page */
};

/* Resident pages of [p, p + len) (p page aligned). */
static unsigned int
resident(uint8_t *p, size_t len, size_t page)
{
	unsigned char vec[PAGES];
	unsigned int n = 0;

	if (mincore(p, len, vec) != 0)
		return UINT32_MAX;
	for (size_t i = 0; i < (len + page - 1) / page; i++)
		n += vec[i] & 1;
	return n;
}

static void
test_populate(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = PAGES * page;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *start, *end;

	CU_ASSERT_NOT_EQUAL_FATAL(m, MAP_FAILED);
	(void)madvise(m, len, MADV_NOHUGEPAGE);	/* page-granular residency */
	start = m + page + HEAD;
	end = m + (PAGES - 2) * page + TAIL;	/* ends inside page PAGES - 2 */
	start[0] = 0x11;
	start[page * 3 + 7] = 0x22;
	end[-1] = 0x33;
	CU_ASSERT_EQUAL(resident(m, len, page), 3);	/* those written */
	mem_populate(start, (size_t)(end - start));
	/* Pages 1 .. PAGES - 2: all of the range's, none else. */
	CU_ASSERT_EQUAL(resident(m + page, (PAGES - 2) * page, page), PAGES - 2);
	CU_ASSERT_EQUAL(resident(m, page, page), 0);
	CU_ASSERT_EQUAL(resident(m + (PAGES - 1) * page, page, page), 0);
	CU_ASSERT_EQUAL(start[0], 0x11);
	CU_ASSERT_EQUAL(start[page * 3 + 7], 0x22);
	CU_ASSERT_EQUAL(end[-1], 0x33);
	CU_ASSERT_EQUAL(start[1], 0);
	CU_ASSERT_EQUAL(end[0], 0);
	mem_populate(NULL, page);
	mem_populate(m, 0);
	CU_ASSERT_EQUAL(resident(m, page, page), 0);
	munmap(m, len);
}

int
main(void)
{
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("mem_populate", NULL, NULL);
	CU_add_test(suite, "an unaligned range made resident, bytes kept", test_populate);
	return cu_run_registered();
}
