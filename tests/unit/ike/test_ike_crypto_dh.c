/*
 * Key exchange (ike/ike_dh.c): group table, known answers (RFC 5903 §8 for
 * groups 19-21, RFC 7748 §6.1 for group 31, Python's pow() for group 14
 * with zero-padded public value and secret), fresh key pairs agreeing in
 * every group, and rejection of bad peer values (wrong length, point off
 * the curve, MODP y <= 1 or y >= p-1, X25519 small-order points) and of bad
 * private values.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ike/ike_const.h"
#include "ike/ike_dh.h"

#include "test_ike_crypto.h"
#include "test_ike_crypto_vectors.h"

static const struct {
	uint16_t group;
	size_t pub_len;
	size_t secret_len;
} group_rows[] = {
	{ IKE_DH_MODP_2048, 256, 256 },
	{ IKE_DH_ECP_256, 64, 32 },
	{ IKE_DH_ECP_384, 96, 48 },
	{ IKE_DH_ECP_521, 132, 66 },
	{ IKE_DH_CURVE25519, 32, 32 },
};

static void
test_dh_groups(void)
{
	static const uint16_t unsupported[] = { 0, 1, 2, 5, 15, 16, 22, 24, 30, 32, 0xffff };
	struct ike_dh *dh = (struct ike_dh *)&dh;
	size_t i;

	for (i = 0; i < DIM(group_rows); i++) {
		CU_ASSERT_TRUE(ike_dh_group_supported(group_rows[i].group));
		CU_ASSERT_EQUAL(ike_dh_public_len(group_rows[i].group), group_rows[i].pub_len);
		CU_ASSERT_EQUAL(ike_dh_secret_len(group_rows[i].group), group_rows[i].secret_len);
	}
	for (i = 0; i < DIM(unsupported); i++) {
		CU_ASSERT_FALSE(ike_dh_group_supported(unsupported[i]));
		CU_ASSERT_EQUAL(ike_dh_public_len(unsupported[i]), 0);
		CU_ASSERT_EQUAL(ike_dh_secret_len(unsupported[i]), 0);
		CU_ASSERT_EQUAL(ike_dh_new(unsupported[i], &dh), -ENOTSUP);
		CU_ASSERT_PTR_NULL(dh);
		CU_ASSERT_EQUAL(ike_dh_new_private(unsupported[i], (const uint8_t *)"x", 1, &dh),
				-ENOTSUP);
	}
	ike_dh_free(NULL);
}

/* One side of a known-answer exchange: our private value, our expected
 * public value, the peer's public value, the expected secret. */
static void
check_kat(uint16_t group, const char *priv, const char *pub, const char *peer,
	  const char *secret)
{
	static struct hex h, p;
	uint8_t buf[IKE_DH_PUBLIC_MAX];
	struct ike_dh_secret s;
	struct ike_dh *dh = NULL;
	size_t len = ike_dh_public_len(group);

	hex_decode(&h, priv);
	CU_ASSERT_EQUAL_FATAL(ike_dh_new_private(group, h.b, h.len, &dh), 0);
	CU_ASSERT_EQUAL(ike_dh_group(dh), group);
	CU_ASSERT_EQUAL(ike_dh_public(dh, buf, len), 0);
	check_hex("public value", buf, len, pub);
	hex_decode(&p, peer);
	CU_ASSERT_EQUAL(ike_dh_shared(dh, p.b, p.len, &s), 0);
	CU_ASSERT_EQUAL(s.len, ike_dh_secret_len(group));
	check_hex("shared secret", s.bytes, s.len, secret);
	ike_dh_secret_wipe(&s);
	CU_ASSERT_EQUAL(s.len, 0);
	ike_dh_free(dh);
}

static void
test_dh_ecp_rfc5903(void)
{
	static const struct {
		uint16_t group;
		const char *i, *gi, *r, *gr, *gir;
	} rows[] = {
		{ IKE_DH_ECP_256, ECP19_I, ECP19_GI, ECP19_R, ECP19_GR, ECP19_GIR },
		{ IKE_DH_ECP_384, ECP20_I, ECP20_GI, ECP20_R, ECP20_GR, ECP20_GIR },
		{ IKE_DH_ECP_521, ECP21_I, ECP21_GI, ECP21_R, ECP21_GR, ECP21_GIR },
	};
	size_t i;

	for (i = 0; i < DIM(rows); i++) {
		check_kat(rows[i].group, rows[i].i, rows[i].gi, rows[i].gr, rows[i].gir);
		check_kat(rows[i].group, rows[i].r, rows[i].gr, rows[i].gi, rows[i].gir);
	}
}

static void
test_dh_x25519_rfc7748(void)
{
	check_kat(IKE_DH_CURVE25519, X25519_A, X25519_GA, X25519_GB, X25519_K);
	check_kat(IKE_DH_CURVE25519, X25519_B, X25519_GB, X25519_GA, X25519_K);
}

static void
test_dh_modp_kat(void)
{
	static struct hex h;

	/* The fixtures were chosen so both padding paths are exercised. */
	hex_decode(&h, MODP_PUB_A);
	CU_ASSERT_EQUAL(h.b[0], 0);
	hex_decode(&h, MODP_SHARED);
	CU_ASSERT_EQUAL(h.b[0], 0);
	check_kat(IKE_DH_MODP_2048, MODP_PRIV_A, MODP_PUB_A, MODP_PUB_B, MODP_SHARED);
	check_kat(IKE_DH_MODP_2048, MODP_PRIV_B, MODP_PUB_B, MODP_PUB_A, MODP_SHARED);
}

static void
test_dh_fresh_agree(void)
{
	uint8_t pa[IKE_DH_PUBLIC_MAX], pb[IKE_DH_PUBLIC_MAX];
	struct ike_dh_secret sa, sb;
	struct ike_dh *a, *b;
	size_t i, len;

	for (i = 0; i < DIM(group_rows); i++) {
		len = group_rows[i].pub_len;
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(group_rows[i].group, &a), 0);
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(group_rows[i].group, &b), 0);
		CU_ASSERT_EQUAL(ike_dh_group(a), group_rows[i].group);
		CU_ASSERT_EQUAL(ike_dh_public(a, pa, len), 0);
		CU_ASSERT_EQUAL(ike_dh_public(b, pb, len), 0);
		CU_ASSERT_NOT_EQUAL(memcmp(pa, pb, len), 0);
		CU_ASSERT_EQUAL(ike_dh_shared(a, pb, len, &sa), 0);
		CU_ASSERT_EQUAL(ike_dh_shared(b, pa, len, &sb), 0);
		CU_ASSERT_EQUAL(sa.len, group_rows[i].secret_len);
		CU_ASSERT_EQUAL(sb.len, group_rows[i].secret_len);
		CU_ASSERT_EQUAL(memcmp(sa.bytes, sb.bytes, sa.len), 0);
		/* Wrong public buffer sizes. */
		CU_ASSERT_EQUAL(ike_dh_public(a, pa, len - 1), -EINVAL);
		CU_ASSERT_EQUAL(ike_dh_public(a, pa, len + 1), -EINVAL);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* PEER (LEN octets) must be refused by a fresh key pair of GROUP, and the
 * output secret left wiped. */
static void
check_refused(uint16_t group, const uint8_t *peer, size_t len)
{
	struct ike_dh_secret s;
	struct ike_dh *dh;
	int rc;

	memset(&s, 0xa5, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(ike_dh_new(group, &dh), 0);
	rc = ike_dh_shared(dh, peer, len, &s);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	if (rc != -EINVAL)
		fprintf(stderr, "\ngroup %u: peer value of %zu octets gave %d\n", group, len, rc);
	CU_ASSERT_EQUAL(s.len, 0);
	CU_ASSERT_EQUAL(s.bytes[0], 0);
	ike_dh_free(dh);
}

static void
test_dh_bad_length(void)
{
	static uint8_t peer[IKE_DH_PUBLIC_MAX + 1];
	static struct hex other;
	struct ike_dh *dh;
	size_t i, len;

	for (i = 0; i < DIM(group_rows); i++) {
		/* A valid value of the group, then given with other lengths. */
		len = group_rows[i].pub_len;
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(group_rows[i].group, &dh), 0);
		CU_ASSERT_EQUAL(ike_dh_public(dh, peer, len), 0);
		ike_dh_free(dh);
		check_refused(group_rows[i].group, peer, len - 1);
		check_refused(group_rows[i].group, peer, len + 1);
		check_refused(group_rows[i].group, peer, 0);
	}
	/* A P-256 value given to P-384 and P-521. */
	hex_decode(&other, ECP19_GI);
	check_refused(IKE_DH_ECP_384, other.b, other.len);
	check_refused(IKE_DH_ECP_521, other.b, other.len);
}

static void
test_dh_ecp_bad_point(void)
{
	static const struct {
		uint16_t group;
		const char *good;
	} rows[] = {
		{ IKE_DH_ECP_256, ECP19_GR },
		{ IKE_DH_ECP_384, ECP20_GR },
		{ IKE_DH_ECP_521, ECP21_GR },
	};
	static struct hex h;
	size_t i;

	for (i = 0; i < DIM(rows); i++) {
		hex_decode(&h, rows[i].good);
		h.b[h.len - 1] ^= 1;            /* y off by one: not on the curve */
		check_refused(rows[i].group, h.b, h.len);
		h.b[h.len - 1] ^= 1;
		h.b[0] ^= 0x01;                 /* x changed */
		check_refused(rows[i].group, h.b, h.len);
		memset(h.b, 0, h.len);          /* (0, 0): the encoding of nothing */
		check_refused(rows[i].group, h.b, h.len);
		memset(h.b, 0xff, h.len);       /* coordinates beyond the field */
		check_refused(rows[i].group, h.b, h.len);
	}
}

/* Sets H to the 256-octet big-endian value p + DELTA (DELTA in -2..1). */
static void
modp_near_p(struct hex *h, int delta)
{
	int i;

	hex_decode(h, MODP_P);
	/* p ends in 64 one bits: adding or subtracting 1 or 2 stays inside the
	 * last octet, except p + 1, which carries through them. */
	if (delta <= 0) {
		h->b[h->len - 1] = (uint8_t)(h->b[h->len - 1] + delta);
		return;
	}
	for (i = (int)h->len - 1; i >= 0 && h->b[i] == 0xff; i--)
		h->b[i] = 0;
	h->b[i]++;
}

static void
test_dh_modp_bad_value(void)
{
	static struct hex h;
	struct ike_dh_secret s;
	struct ike_dh *dh;

	memset(h.b, 0, 256);
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = 0 */
	h.b[255] = 1;
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = 1 */
	modp_near_p(&h, -1);
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = p - 1 */
	modp_near_p(&h, 0);
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = p */
	modp_near_p(&h, 1);
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = p + 1 */
	memset(h.b, 0xff, 256);
	check_refused(IKE_DH_MODP_2048, h.b, 256);      /* y = 2^2048 - 1 */
	/* The boundaries just inside are accepted: y = 2 and y = p - 2. */
	CU_ASSERT_EQUAL_FATAL(ike_dh_new(IKE_DH_MODP_2048, &dh), 0);
	memset(h.b, 0, 256);
	h.b[255] = 2;
	CU_ASSERT_EQUAL(ike_dh_shared(dh, h.b, 256, &s), 0);
	modp_near_p(&h, -2);
	CU_ASSERT_EQUAL(ike_dh_shared(dh, h.b, 256, &s), 0);
	CU_ASSERT_EQUAL(s.len, 256);
	ike_dh_free(dh);
	ike_dh_secret_wipe(&s);
}

static void
test_dh_x25519_small_order(void)
{
	/* u = 0 and u = 1 are of small order: the result is all zero,
	 * which RFC 8031 §2 says to reject. */
	uint8_t u[32] = { 0 };

	check_refused(IKE_DH_CURVE25519, u, sizeof(u));
	u[0] = 1;
	check_refused(IKE_DH_CURVE25519, u, sizeof(u));
}

static void
test_dh_bad_private(void)
{
	static struct hex h;
	struct ike_dh *dh = (struct ike_dh *)&dh;
	uint8_t zero[66] = { 0 }, ones[66];

	memset(ones, 0xff, sizeof(ones));
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_256, zero, 32, &dh), -EINVAL);
	CU_ASSERT_PTR_NULL(dh);
	/* d >= n for every curve. */
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_256, ones, 32, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_384, ones, 48, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_521, ones, 66, &dh), -EINVAL);
	hex_decode(&h, ECP19_I);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_256, h.b, 0, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_ECP_256, zero, 33, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_CURVE25519, zero, 31, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_CURVE25519, zero, 33, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_MODP_2048, zero, 32, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_MODP_2048, zero, 0, &dh), -EINVAL);
	hex_decode(&h, MODP_P);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_MODP_2048, h.b, h.len, &dh), -EINVAL);
	CU_ASSERT_EQUAL(ike_dh_new_private(IKE_DH_MODP_2048, zero, 257, &dh), -EINVAL);
	CU_ASSERT_PTR_NULL(dh);
}

const struct test_def test_ike_dh_tests[] = {
	{ "groups and lengths", test_dh_groups },
	{ "ECP 19/20/21: RFC 5903 section 8", test_dh_ecp_rfc5903 },
	{ "Curve25519: RFC 7748 section 6.1", test_dh_x25519_rfc7748 },
	{ "MODP-2048 known answer, zero padding", test_dh_modp_kat },
	{ "fresh key pairs agree in every group", test_dh_fresh_agree },
	{ "peer value of a wrong length", test_dh_bad_length },
	{ "ECP point not on the curve", test_dh_ecp_bad_point },
	{ "MODP y <= 1 or y >= p-1", test_dh_modp_bad_value },
	{ "X25519 small-order points", test_dh_x25519_small_order },
	{ "bad private values", test_dh_bad_private },
};
const size_t test_ike_dh_count = DIM(test_ike_dh_tests);
