/*
 * Shared by the configuration unit tests: the bad-file table type, the
 * IPsec part's tables and tests (test_config_ipsec.c).
 */
#ifndef HAGW_TEST_CONFIG_H
#define HAGW_TEST_CONFIG_H

#include <CUnit/Basic.h>

struct bad_case {
	const char *file;	/* in bad/ */
	const char *expect;	/* the whole message */
};

extern const struct bad_case ipsec_bad_cases[];
extern const unsigned int n_ipsec_bad_cases;

struct named_test {
	const char *name;
	CU_TestFunc fn;
};

extern const struct named_test ipsec_tests[];
extern const unsigned int n_ipsec_tests;

#endif
