/* Shared parts of the CREATE_CHILD_SA and timer tests (test_ike_rekey*.c). */
#ifndef TEST_IKE_REKEY_H
#define TEST_IKE_REKEY_H

#include <stdbool.h>

#include <CUnit/CUnit.h>

#include "tests/unit/ike/ike_pair.h"

/* "gw"/"net" established from side 0 (ESP proposal strings, NULL: the
 * pair's); 0 or -1. */
int rk_setup(struct ike_pair *p, const char *esp0, const char *esp1);
/* The same from configurations (taken over). */
int rk_setup_cfg(struct ike_pair *p, struct cfg_ike *c0, struct cfg_ike *c1);
/* The first CHILD SA of side IDX's first IKE SA (zeroed if none). */
void rk_child(const struct ike_pair *p, int idx, struct ike_child_state *out);
bool rk_key_eq(const struct ike_key *a, const struct ike_key *b);

void test_ike_rekey_register(CU_pSuite s);
void test_ike_rekey_timers_register(CU_pSuite s);

#endif /* TEST_IKE_REKEY_H */
