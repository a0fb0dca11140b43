/* Shared parts of the IKE exchange tests (test_ike_exchange*.c). */
#ifndef TEST_IKE_EXCHANGE_H
#define TEST_IKE_EXCHANGE_H

#include <CUnit/CUnit.h>

#include "tests/unit/ike/ike_pair.h"

extern const char *test_ike_pki_dir;

/* Initiate "gw"/"net" from side 0 and run the exchanges. */
void test_ike_establish(struct ike_pair *p);
/* The CHILD SA keys of both sides agree (initiator out == responder in). */
void test_ike_check_child_keys(const struct ike_pair *p);

void test_ike_exchange_cert_register(CU_pSuite s);
void test_ike_exchange_err_register(CU_pSuite s);
void test_ike_exchange_misc_register(CU_pSuite s);
void test_ike_exchange_parts_register(CU_pSuite s);

#endif /* TEST_IKE_EXCHANGE_H */
