/*
 * The main of a CUnit program on the ESP fixture (esp_fixture_main.h).
 */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "tests/unit/cu_run.h"
#include "tests/unit/dataplane/esp_fixture.h"
#include "tests/unit/dataplane/esp_fixture_main.h"

int
fx_main(const char *prog, const char *prefix, const char *suite_name,
	const struct fx_test *tests, unsigned int n)
{
	CU_pSuite suite;
	unsigned int failures;

	if (fx_init(prog, prefix) < 0) {
		fprintf(stderr, "fixture init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite(suite_name, NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < n; i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	fx_fini();
	return cu_exit_status(failures);
}
