/*
 * The end of every unit test program's main: run what is registered,
 * verbosely, and turn the failed asserts into the exit status. CUnit's
 * CU_get_error() does not count failed asserts, and a raw count of 256
 * would exit 0 (the status is taken modulo 256): the status is the count,
 * at most 255.
 */
#ifndef HAGW_TESTS_CU_RUN_H
#define HAGW_TESTS_CU_RUN_H

#include <CUnit/Basic.h>

enum { CU_RUN_EXIT_MAX = 255 };

static inline int
cu_exit_status(unsigned int fails)
{
	return fails > CU_RUN_EXIT_MAX ? CU_RUN_EXIT_MAX : (int)fails;
}

/* Runs every registered suite verbosely, cleans the registry up, returns
 * how many asserts failed (for a main with more to tear down). */
static inline unsigned int
cu_run_count(void)
{
	unsigned int fails;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails;
}

/* The same, as the exit status (cu_exit_status). */
static inline int
cu_run_registered(void)
{
	return cu_exit_status(cu_run_count());
}

#endif
