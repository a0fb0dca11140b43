/*
 * Unit tests of the IKEv2 cryptography (ike/ike_dh, ike_prf, ike_keys,
 * ike_sk, ike_cipher): known answers from RFC 5903 §8, RFC 7748 §6.1 and
 * RFC 4231 inputs, and values computed independently by
 * tests/vectors/ike/crypto/make_vectors.py (test_ike_crypto_vectors.h).
 * This file holds the hex helpers and main(); the tests are in
 * test_ike_crypto_dh.c, test_ike_crypto_kdf.c and test_ike_crypto_sk.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test_ike_crypto.h"
#include "tests/unit/cu_run.h"

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_decode(struct hex *h, const char *text)
{
	size_t n = strlen(text), i;

	if (n % 2 != 0 || n / 2 > sizeof(h->b)) {
		fprintf(stderr, "bad fixture: %zu hex digits\n", n);
		abort();
	}
	for (i = 0; i < n / 2; i++) {
		int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "bad fixture digit at %zu\n", 2 * i);
			abort();
		}
		h->b[i] = (uint8_t)(hi << 4 | lo);
	}
	h->len = n / 2;
}

static void
print_hex(const char *label, const uint8_t *p, size_t len)
{
	size_t i;

	fprintf(stderr, "  %s (%zu): ", label, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x", p[i]);
	fprintf(stderr, "\n");
}

void
check_hex(const char *what, const uint8_t *got, size_t len, const char *want)
{
	static struct hex h;
	bool ok;

	hex_decode(&h, want);
	ok = len == h.len && memcmp(got, h.b, len) == 0;
	CU_ASSERT_TRUE(ok);
	if (!ok) {
		fprintf(stderr, "\n%s differs\n", what);
		print_hex("got", got, len);
		print_hex("want", h.b, h.len);
	}
}

void
check_key(const char *what, const struct ike_key *k, const char *want)
{
	check_hex(what, k->bytes, k->len, want);
}

static int
add_suite(const char *name, const struct test_def *tests, size_t n)
{
	CU_pSuite suite = CU_add_suite(name, NULL, NULL);
	size_t i;

	if (suite == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (add_suite("ike_dh", test_ike_dh_tests, test_ike_dh_count) != 0 ||
	    add_suite("ike_kdf", test_ike_kdf_tests, test_ike_kdf_count) != 0 ||
	    add_suite("ike_sk", test_ike_sk_tests, test_ike_sk_count) != 0) {
		CU_cleanup_registry();
		return 1;
	}
	return cu_run_registered();
}
