/*
 * Shared by the configuration unit tests: the bad-file table type, the
 * IPsec part's tables and tests (test_config_ipsec.c), the IKE part's
 * (test_config_ike*.c), the HA part's (test_config_ha.c) and the IKE tests'
 * private directory (used by the HA tests too).
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

extern const struct bad_case ike_bad_cases[];
extern const unsigned int n_ike_bad_cases;
extern const struct named_test ike_tests[];
extern const unsigned int n_ike_tests;
extern const struct named_test ike_file_tests[];
extern const unsigned int n_ike_file_tests;

extern const struct bad_case ha_bad_cases[];
extern const unsigned int n_ha_bad_cases;
extern const struct named_test ha_tests[];
extern const unsigned int n_ha_tests;

/*
 * test_config_ike.c: good/ike.conf and good/ike/ copied to a private
 * directory (secrets and the private key 0600, the rest 0644), since git
 * checks files out 0644 and the mode of secret files is checked.
 */
int ike_tmp_setup(void);
const char *ike_tmp_dir(void);
const char *ike_tmp_path(const char *name);
int ike_tmp_write(const char *name, const void *data, size_t len, unsigned int mode);
void ike_tmp_cleanup(void);

#endif
