/* Helpers shared by the IKE crypto tests: test_ike_crypto_dh.c (key
 * exchange), test_ike_crypto_kdf.c (prf, prf+, key derivation),
 * test_ike_crypto_sk.c (Encrypted payload); test_ike_crypto.c runs them. */
#ifndef TEST_IKE_CRYPTO_H
#define TEST_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "ike/ike_types.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum { HEX_MAX = 2048 };    /* longest decoded test value */

struct test_def {
	const char *name;
	CU_TestFunc fn;
};

/* A decoded hex string (aborts the program on a malformed fixture). */
struct hex {
	size_t len;
	uint8_t b[HEX_MAX];
};

void hex_decode(struct hex *h, const char *text);

/* CU_ASSERT that GOT (LEN octets) equals the hex string WANT; prints both
 * with WHAT on a mismatch. */
void check_hex(const char *what, const uint8_t *got, size_t len, const char *want);

/* The same for a key. */
void check_key(const char *what, const struct ike_key *k, const char *want);

extern const struct test_def test_ike_dh_tests[];
extern const size_t test_ike_dh_count;
extern const struct test_def test_ike_kdf_tests[];
extern const size_t test_ike_kdf_count;
extern const struct test_def test_ike_sk_tests[];
extern const size_t test_ike_sk_count;

#endif /* TEST_IKE_CRYPTO_H */
