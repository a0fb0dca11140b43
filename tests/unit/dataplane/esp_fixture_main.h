/*
 * The main of a CUnit program on the ESP fixture (esp_fixture.h): not
 * part of the fixture itself, which the inbound fuzz target shares.
 */
#ifndef ESP_FIXTURE_MAIN_H
#define ESP_FIXTURE_MAIN_H

#include <CUnit/CUnit.h>

/* One CUnit test of a suite. */
struct fx_test {
	const char *name;
	CU_TestFunc fn;
};

/* A test program's main: fx_init(PROG, PREFIX), the N TESTS as suite
 * SUITE, fx_fini. Returns the exit status: 0 only when no assertion
 * failed (CU_get_error() does not count failed assertions). */
int fx_main(const char *prog, const char *prefix, const char *suite,
	    const struct fx_test *tests, unsigned int n);

#endif /* ESP_FIXTURE_MAIN_H */
