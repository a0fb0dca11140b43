/*
 * Unit tests of IKEv2 AUTH computation (ike/ike_auth.c, ike/ike_auth_sig.c;
 * RFC 7296 §2.15, RFC 7427, RFC 4754):
 *  - the signed octets and the PSK AUTH value for PRF HMAC-SHA2-256/384/512
 *    against values computed independently by Python's hmac
 *    (tests/vectors/ike/pki/gen-auth-vectors.py, pasted below) and the
 *    octets file that script wrote; PSK mismatch, tampering, truncation;
 *  - signature round trips (RSA PKCS#1 v1.5 and PSS with SHA2-256/384/512,
 *    ECDSA P-256/P-384 with SHA2-256/384/512, legacy methods 1, 9, 10, 11)
 *    with the exact AlgorithmIdentifier of RFC 7427 Appendix A, each
 *    signature also checked with plain EVP over the flattened octets;
 *  - signatures made by `openssl dgst -sign` (make-pki.sh) verified;
 *  - AlgorithmIdentifier vs key type, unknown/SHA-1/malformed identifiers,
 *    PSS parameter variants (strongSwan's encoding without trailerField),
 *    tampered octets and signatures;
 *  - SIGNATURE_HASH_ALGORITHMS encoding and hash choice.
 * argv[1]: the fixture directory tests/vectors/ike/pki.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike/ike_auth.h"
#include "ike/ike_key.h"
#include "tests/unit/cu_run.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	MSG_LEN = 300,
	NONCE_LEN = 32,
	FILE_MAX = 4096,
	PATH_MAX_LEN = 512,
	HEX_BUF = 256,
};

static const char *pki_dir = "tests/vectors/ike/pki";

/* ---- vectors from gen-auth-vectors.py ---- */

static const char psk[] = "hagw test pre-shared key 0123456789";
static const char id_data[] = "carol@example.org";

struct prf_vector {
	uint16_t prf;
	size_t key_len;
	const char *maced_id;
	const char *psk_auth;
};

static const struct prf_vector prf_vectors[] = {
	{ IKE_PRF_HMAC_SHA2_256, 32,
	  "e25477f184e8bd6b255b414718a9884ed09844ac1e7eb6266e5f8aab56a90c06",
	  "6857f7cbe06a6116a74e1f2c58e480fa667cf183f394cfd0b159407d0cd22f46" },
	{ IKE_PRF_HMAC_SHA2_384, 48,
	  "7b590e0dc177c39c8352a70ec9a9fa8bea0d97968d74202495a04c2304373f1f"
	  "8ba4f7c064fa5244eff374c39c5f54bf",
	  "7f5613571d762362c76529ad0dd3629a8a6388429fd35e9dd5909d678b9d6f91"
	  "74c3d28535f7408ffb2bcf8ad96a88c0" },
	{ IKE_PRF_HMAC_SHA2_512, 64,
	  "531bf6b729b82f569c26ebf9811bec6f35ebcd8fe217a3ea02aa5dfc7ac7b75e"
	  "563e1cc5da476d5b708653c7e788a03f92a9f67432d4d4b9eca752abe2684f64",
	  "395908a48658e41d2ce552a07b25b8d79cfba2913e6709cc6ea8c263c6df1696"
	  "9512c81d4a8ce59f6f018bd4def7cbf1f8cdf346aac5f0d1eb4ff22bec8ddb88" },
};

/* RFC 7427 Appendix A, retyped from the RFC text. */
#define AID_RSA_SHA1   "300d06092a864886f70d0101050500"
#define AID_RSA_SHA256 "300d06092a864886f70d01010b0500"
#define AID_RSA_SHA384 "300d06092a864886f70d01010c0500"
#define AID_RSA_SHA512 "300d06092a864886f70d01010d0500"
#define AID_DSA_SHA256 "300b0609608648016503040302"
#define AID_EC_SHA1    "300906072a8648ce3d0401"
#define AID_EC_SHA256  "300a06082a8648ce3d040302"
#define AID_EC_SHA384  "300a06082a8648ce3d040303"
#define AID_EC_SHA512  "300a06082a8648ce3d040304"
#define AID_PSS_EMPTY  "300d06092a864886f70d01010a3000"
#define AID_PSS_SHA1 \
	"303e06092a864886f70d01010a3031a00b300906052b0e03021a0500a118301606092a864886f70d01" \
	"0108300906052b0e03021a0500a203020114a303020101"
#define AID_PSS_SHA256 \
	"304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402010500a203020120a303020101"
/* A.4.3 with SHA2-384 / SHA2-512 and salt = hash length (what we send). */
#define AID_PSS_SHA384 \
	"304606092a864886f70d01010a3039a00f300d06096086480165030402020500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402020500a203020130a303020101"
#define AID_PSS_SHA512 \
	"304606092a864886f70d01010a3039a00f300d06096086480165030402030500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402030500a203020140a303020101"
/* strongSwan's encoding: trailerField (default) left out. */
#define AID_PSS_SHA256_NO_TRAILER \
	"304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402010500a203020120"
/* hash SHA2-256 but MGF1 with SHA2-384 */
#define AID_PSS_MGF_MISMATCH \
	"304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402020500a203020120a303020101"
/* A.4.3 declaring a 20-octet salt */
#define AID_PSS_SHA256_SALT20 \
	"304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a8648" \
	"86f70d010108300d06096086480165030402010500a203020114a303020101"

/* ---- helpers ---- */

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	CU_ASSERT_FATAL(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		CU_ASSERT_FATAL(sscanf(hex + 2 * i, "%2x", &b) == 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static bool
hex_equal(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t want[HEX_BUF];

	return strlen(hex) == 2 * n && unhex(hex, want, sizeof(want)) == n &&
	       memcmp(p, want, n) == 0;
}

static size_t
read_fixture(const char *name, uint8_t *out, size_t cap)
{
	char path[PATH_MAX_LEN];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

static EVP_PKEY *
load_key(const char *name)
{
	char path[PATH_MAX_LEN];
	EVP_PKEY *k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.key", pki_dir, name);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

/* The public key of NAME.pem: what a verifier has. */
static EVP_PKEY *
load_pub(const char *name)
{
	char path[PATH_MAX_LEN];
	EVP_PKEY *k;
	X509 *x;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pem", pki_dir, name);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	k = X509_get_pubkey(x);
	X509_free(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

static uint8_t msg[MSG_LEN], nonce[NONCE_LEN];
static uint8_t id_body[4 + sizeof(id_data) - 1];

static void
pattern(uint8_t *p, size_t n, unsigned int mul, unsigned int add)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * mul + add);
}

/* The inputs of gen-auth-vectors.py. */
static void
make_inputs(void)
{
	pattern(msg, sizeof(msg), 7, 3);
	pattern(nonce, sizeof(nonce), 13, 5);
	memset(id_body, 0, sizeof(id_body));
	id_body[0] = IKE_ID_RFC822_ADDR;
	memcpy(id_body + 4, id_data, sizeof(id_data) - 1);
}

static int
make_octets(struct ike_auth_octets *o, const struct prf_vector *v, const uint8_t *m)
{
	uint8_t k[IKE_KEY_MAX];
	struct ike_key sk;

	pattern(k, v->key_len, 3, 0x11);
	ike_key_set(&sk, k, v->key_len);
	return ike_auth_octets(o, v->prf, &sk,
			       (struct ike_chunk){ .ptr = m, .len = MSG_LEN },
			       (struct ike_chunk){ .ptr = nonce, .len = NONCE_LEN },
			       (struct ike_chunk){ .ptr = id_body, .len = sizeof(id_body) });
}

/* ---- octets and PSK ---- */

static void
test_octets(void)
{
	uint8_t flat[FILE_MAX], file[FILE_MAX];
	struct ike_auth_octets o;
	size_t len = 0, file_len;

	for (size_t i = 0; i < N_ELEMS(prf_vectors); i++) {
		const struct prf_vector *v = &prf_vectors[i];

		CU_ASSERT_EQUAL_FATAL(make_octets(&o, v, msg), 0);
		CU_ASSERT_EQUAL(o.maced_id_len, v->key_len);
		CU_ASSERT_TRUE(hex_equal(o.maced_id, o.maced_id_len, v->maced_id));
		CU_ASSERT_EQUAL(ike_auth_octets_len(&o), MSG_LEN + NONCE_LEN + v->key_len);
		CU_ASSERT_EQUAL(ike_auth_octets_flatten(&o, flat, sizeof(flat), &len), 0);
		CU_ASSERT_EQUAL(len, MSG_LEN + NONCE_LEN + v->key_len);
		CU_ASSERT_EQUAL(memcmp(flat, msg, MSG_LEN), 0);
		CU_ASSERT_EQUAL(memcmp(flat + MSG_LEN, nonce, NONCE_LEN), 0);
		CU_ASSERT_EQUAL(ike_auth_octets_flatten(&o, flat, len - 1, &len), -ENOSPC);
	}
	/* the octets file the openssl signatures are over */
	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[0], msg), 0);
	file_len = read_fixture("octets.bin", file, sizeof(file));
	CU_ASSERT_EQUAL(ike_auth_octets_flatten(&o, flat, sizeof(flat), &len), 0);
	CU_ASSERT_EQUAL(file_len, len);
	CU_ASSERT_EQUAL(memcmp(flat, file, len), 0);
}

static void
test_octets_errors(void)
{
	struct prf_vector v = prf_vectors[0];
	struct ike_chunk m = { .ptr = msg, .len = MSG_LEN };
	struct ike_chunk n = { .ptr = nonce, .len = NONCE_LEN };
	struct ike_chunk id = { .ptr = id_body, .len = sizeof(id_body) };
	struct ike_auth_octets o;
	struct ike_key sk = { 0 };

	v.prf = 2;      /* PRF_HMAC_SHA1: not ours */
	CU_ASSERT_EQUAL(make_octets(&o, &v, msg), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_auth_octets(&o, IKE_PRF_HMAC_SHA2_256, &sk, m, n, id), -EINVAL);
	sk.len = 32;
	id.len = 0;
	CU_ASSERT_EQUAL(ike_auth_octets(&o, IKE_PRF_HMAC_SHA2_256, &sk, m, n, id), -EINVAL);
}

static void
test_psk(void)
{
	const uint8_t *k = (const uint8_t *)psk;
	uint8_t auth[IKE_AUTH_MAX], bad_msg[MSG_LEN];
	struct ike_auth_octets o, o_bad;
	size_t len = 0, n = sizeof(psk) - 1;

	memcpy(bad_msg, msg, MSG_LEN);
	bad_msg[MSG_LEN - 1] ^= 0x01;
	for (size_t i = 0; i < N_ELEMS(prf_vectors); i++) {
		const struct prf_vector *v = &prf_vectors[i];

		CU_ASSERT_EQUAL_FATAL(make_octets(&o, v, msg), 0);
		CU_ASSERT_EQUAL_FATAL(make_octets(&o_bad, v, bad_msg), 0);
		CU_ASSERT_EQUAL(ike_auth_psk_build(&o, k, n, auth, sizeof(auth), &len), 0);
		CU_ASSERT_EQUAL(len, v->key_len);
		CU_ASSERT_TRUE(hex_equal(auth, len, v->psk_auth));
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n, auth, len), 0);
		/* wrong key, one bit of AUTH, truncated / extended AUTH, other octets */
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n - 1, auth, len), -EBADMSG);
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o_bad, k, n, auth, len), -EBADMSG);
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n, auth, len - 1), -EBADMSG);
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n, auth, len + 1), -EBADMSG);
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n, auth, 0), -EBADMSG);
		auth[len / 2] ^= 0x80;
		CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, k, n, auth, len), -EBADMSG);
		CU_ASSERT_EQUAL(ike_auth_psk_build(&o, k, n, auth, len - 1, &len), -ENOSPC);
	}
	CU_ASSERT_EQUAL(ike_auth_psk_build(&o, k, 0, auth, sizeof(auth), &len), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_psk_verify(&o, NULL, 0, auth, 32), -EINVAL);
}

/* ---- signatures ---- */

struct sig_row {
	const char *key;        /* fixture name */
	uint8_t method;
	uint16_t hash;
	bool pss;
	const char *algid;      /* method 14: the exact AlgorithmIdentifier */
	size_t raw_len;         /* methods 9/10/11: r | s length */
	const char *md;         /* for the plain-EVP cross-check */
};

static const struct sig_row sig_rows[] = {
	{ "moon", 14, IKE_HASH_SHA2_256, false, AID_RSA_SHA256, 0, "SHA256" },
	{ "moon", 14, IKE_HASH_SHA2_384, false, AID_RSA_SHA384, 0, "SHA384" },
	{ "moon", 14, IKE_HASH_SHA2_512, false, AID_RSA_SHA512, 0, "SHA512" },
	{ "moon", 14, IKE_HASH_SHA2_256, true, AID_PSS_SHA256, 0, "SHA256" },
	{ "moon", 14, IKE_HASH_SHA2_384, true, AID_PSS_SHA384, 0, "SHA384" },
	{ "moon", 14, IKE_HASH_SHA2_512, true, AID_PSS_SHA512, 0, "SHA512" },
	{ "dave", 14, IKE_HASH_SHA2_256, false, AID_RSA_SHA256, 0, "SHA256" },
	{ "carol", 14, IKE_HASH_SHA2_256, false, AID_EC_SHA256, 0, "SHA256" },
	{ "carol", 14, IKE_HASH_SHA2_384, false, AID_EC_SHA384, 0, "SHA384" },
	{ "carol", 14, IKE_HASH_SHA2_512, false, AID_EC_SHA512, 0, "SHA512" },
	{ "sun", 14, IKE_HASH_SHA2_256, false, AID_EC_SHA256, 0, "SHA256" },
	{ "sun", 14, IKE_HASH_SHA2_384, false, AID_EC_SHA384, 0, "SHA384" },
	{ "sun", 14, IKE_HASH_SHA2_512, false, AID_EC_SHA512, 0, "SHA512" },
	{ "venus", 14, IKE_HASH_SHA2_512, false, AID_EC_SHA512, 0, "SHA512" },
	{ "moon", IKE_AUTH_RSA_SIG, 0, false, NULL, 0, "SHA1" },
	{ "carol", IKE_AUTH_ECDSA_256, 0, false, NULL, 64, NULL },
	{ "sun", IKE_AUTH_ECDSA_384, 0, false, NULL, 96, NULL },
	{ "venus", IKE_AUTH_ECDSA_521, 0, false, NULL, 132, NULL },
};

/* The signature part of AUTH checked with plain EVP over the flat octets. */
static int
evp_verify(EVP_PKEY *pub, const struct sig_row *r, const uint8_t *sig, size_t sig_len,
	   const struct ike_auth_octets *o)
{
	uint8_t flat[FILE_MAX];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = 0;
	int ok;

	CU_ASSERT_EQUAL_FATAL(ike_auth_octets_flatten(o, flat, sizeof(flat), &len), 0);
	ok = EVP_DigestVerifyInit_ex(ctx, &pctx, r->md, NULL, NULL, pub, NULL);
	if (ok == 1 && r->pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, r->md, NULL) == 1;
	if (ok == 1)
		ok = EVP_DigestVerify(ctx, sig, sig_len, flat, len);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void
check_sig_row(const struct sig_row *r, const struct ike_auth_octets *o,
	      const struct ike_auth_octets *o_bad)
{
	EVP_PKEY *priv = load_key(r->key), *pub = load_pub(r->key);
	uint8_t auth[IKE_AUTH_MAX];
	size_t len = 0, alen;

	CU_ASSERT_EQUAL_FATAL(ike_auth_sign(o, priv, r->method, r->hash, r->pss, auth,
					    sizeof(auth), &len), 0);
	CU_ASSERT_EQUAL(ike_auth_verify(o, pub, r->method, auth, len), 0);
	CU_ASSERT_EQUAL(ike_auth_verify(o_bad, pub, r->method, auth, len), -EBADMSG);
	if (r->algid != NULL) {
		alen = strlen(r->algid) / 2;
		CU_ASSERT_EQUAL(auth[0], alen);
		CU_ASSERT_TRUE(hex_equal(auth + 1, alen, r->algid));
		CU_ASSERT_EQUAL(evp_verify(pub, r, auth + 1 + alen, len - 1 - alen, o), 1);
	} else if (r->raw_len != 0) {
		CU_ASSERT_EQUAL(len, r->raw_len);
	} else {
		CU_ASSERT_EQUAL(len, (size_t)EVP_PKEY_get_size(pub));
		CU_ASSERT_EQUAL(evp_verify(pub, r, auth, len, o), 1);
	}
	auth[len - 1] ^= 0x01;
	CU_ASSERT_EQUAL(ike_auth_verify(o, pub, r->method, auth, len), -EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_sign(o, priv, r->method, r->hash, r->pss, auth, 16, &len),
			-ENOSPC);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void
test_sign_round_trip(void)
{
	struct ike_auth_octets o, o_bad;
	uint8_t bad_msg[MSG_LEN];

	memcpy(bad_msg, msg, MSG_LEN);
	bad_msg[0] ^= 0x20;
	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[1], msg), 0);
	CU_ASSERT_EQUAL_FATAL(make_octets(&o_bad, &prf_vectors[1], bad_msg), 0);
	for (size_t i = 0; i < N_ELEMS(sig_rows); i++)
		check_sig_row(&sig_rows[i], &o, &o_bad);
}

/* AUTH = ASN.1 Length | ALGID | SIG. */
static size_t
wrap_auth(const char *algid, const uint8_t *sig, size_t sig_len, uint8_t *auth)
{
	size_t alen = unhex(algid, auth + 1, IKE_AUTH_MAX - 1);

	auth[0] = (uint8_t)alen;
	CU_ASSERT_FATAL(1 + alen + sig_len <= IKE_AUTH_MAX);
	memcpy(auth + 1 + alen, sig, sig_len);
	return 1 + alen + sig_len;
}

struct openssl_row {
	const char *file;
	const char *key;
	const char *algid;
	int rc;
};

static const struct openssl_row openssl_rows[] = {
	{ "sig-moon-pkcs1-sha256.bin", "moon", AID_RSA_SHA256, 0 },
	{ "sig-moon-pkcs1-sha512.bin", "moon", AID_RSA_SHA512, 0 },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_SHA256, 0 },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_SHA256_NO_TRAILER, 0 },
	{ "sig-carol-ecdsa-sha256.bin", "carol", AID_EC_SHA256, 0 },
	{ "sig-sun-ecdsa-sha384.bin", "sun", AID_EC_SHA384, 0 },
	/* right signature, wrong label */
	{ "sig-moon-pkcs1-sha256.bin", "moon", AID_RSA_SHA384, -EBADMSG },
	{ "sig-moon-pkcs1-sha256.bin", "moon", AID_PSS_SHA256, -EBADMSG },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_SHA256_SALT20, -EBADMSG },
	{ "sig-sun-ecdsa-sha384.bin", "sun", AID_EC_SHA256, -EBADMSG },
	/* algorithm / key type mismatch */
	{ "sig-moon-pkcs1-sha256.bin", "carol", AID_RSA_SHA256, -EKEYREJECTED },
	{ "sig-moon-pss-sha256.bin", "sun", AID_PSS_SHA256, -EKEYREJECTED },
	{ "sig-carol-ecdsa-sha256.bin", "moon", AID_EC_SHA256, -EKEYREJECTED },
	/* identifiers we do not accept */
	{ "sig-moon-pkcs1-sha256.bin", "moon", AID_RSA_SHA1, -ENOTSUP },
	{ "sig-carol-ecdsa-sha256.bin", "carol", AID_EC_SHA1, -ENOTSUP },
	{ "sig-carol-ecdsa-sha256.bin", "carol", AID_DSA_SHA256, -ENOTSUP },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_EMPTY, -ENOTSUP },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_SHA1, -ENOTSUP },
	{ "sig-moon-pss-sha256.bin", "moon", AID_PSS_MGF_MISMATCH, -ENOTSUP },
	/* RSA identifier with parameters other than NULL; not DER at all */
	{ "sig-moon-pkcs1-sha256.bin", "moon", "300e06092a864886f70d01010b020100", -ENOTSUP },
	{ "sig-moon-pkcs1-sha256.bin", "moon", "0401ff", -EBADMSG },
};

/* Signatures made by `openssl dgst -sign` over octets.bin (make-pki.sh). */
static void
test_openssl_signatures(void)
{
	uint8_t sig[FILE_MAX], auth[IKE_AUTH_MAX];
	struct ike_auth_octets o;

	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[0], msg), 0);
	for (size_t i = 0; i < N_ELEMS(openssl_rows); i++) {
		const struct openssl_row *r = &openssl_rows[i];
		size_t n = read_fixture(r->file, sig, sizeof(sig));
		size_t len = wrap_auth(r->algid, sig, n, auth);
		EVP_PKEY *pub = load_pub(r->key);
		int rc = ike_auth_verify(&o, pub, IKE_AUTH_DIGITAL_SIGNATURE, auth, len);

		CU_ASSERT_EQUAL(rc, r->rc);
		if (rc != r->rc)
			fprintf(stderr, "openssl row %zu: rc %d\n", i, rc);
		EVP_PKEY_free(pub);
	}
}

/* The openssl ECDSA signature as RFC 4754 r | s verifies with method 9. */
static void
test_openssl_ecdsa_raw(void)
{
	uint8_t sig[FILE_MAX], raw[64];
	const unsigned char *p = sig;
	struct ike_auth_octets o;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	EVP_PKEY *pub = load_pub("carol"), *other = load_pub("sun");
	size_t n = read_fixture("sig-carol-ecdsa-sha256.bin", sig, sizeof(sig));

	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[0], msg), 0);
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(es);
	ECDSA_SIG_get0(es, &r, &s);
	CU_ASSERT_EQUAL(BN_bn2binpad(r, raw, 32), 32);
	CU_ASSERT_EQUAL(BN_bn2binpad(s, raw + 32, 32), 32);
	ECDSA_SIG_free(es);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, pub, IKE_AUTH_ECDSA_256, raw, sizeof(raw)), 0);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, pub, IKE_AUTH_ECDSA_256, raw, sizeof(raw) - 1),
			-EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, pub, IKE_AUTH_ECDSA_384, raw, sizeof(raw)),
			-EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, other, IKE_AUTH_ECDSA_256, raw, sizeof(raw)),
			-EKEYREJECTED);
	raw[40] ^= 0x04;
	CU_ASSERT_EQUAL(ike_auth_verify(&o, pub, IKE_AUTH_ECDSA_256, raw, sizeof(raw)), -EBADMSG);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(other);
}

/* Malformed method-14 data and methods we do not sign/verify with. */
static void
test_sig_malformed(void)
{
	EVP_PKEY *moon = load_key("moon"), *carol = load_key("carol");
	uint8_t auth[IKE_AUTH_MAX], sig[FILE_MAX];
	struct ike_auth_octets o;
	size_t n, len = 0;

	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[0], msg), 0);
	n = read_fixture("sig-moon-pkcs1-sha256.bin", sig, sizeof(sig));
	len = wrap_auth(AID_RSA_SHA256, sig, n, auth);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, len), 0);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, 0), -EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, 1), -EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, 16), -EBADMSG);  /* no signature */
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, 15), -EBADMSG);  /* AlgId cut */
	auth[0] = 16;   /* AlgorithmIdentifier followed by a stray octet */
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, len), -EBADMSG);
	auth[0] = 0;
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, len), -EBADMSG);
	auth[0] = 15;
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 14, auth, len - 1), -EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, IKE_AUTH_PSK, auth, len), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, 200, auth, len), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, IKE_AUTH_RSA_SIG, auth, 0), -EBADMSG);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, carol, IKE_AUTH_RSA_SIG, sig, n), -EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, moon, IKE_AUTH_ECDSA_256, sig, 64), -EKEYREJECTED);

	CU_ASSERT_EQUAL(ike_auth_sign(&o, moon, IKE_AUTH_PSK, 0, false, auth, sizeof(auth), &len),
			-ENOTSUP);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, moon, 14, IKE_HASH_SHA1, false, auth, sizeof(auth),
				      &len), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, carol, 14, IKE_HASH_SHA2_256, true, auth, sizeof(auth),
				      &len), -EINVAL);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, carol, IKE_AUTH_RSA_SIG, 0, false, auth, sizeof(auth),
				      &len), -EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, carol, IKE_AUTH_ECDSA_384, 0, false, auth, sizeof(auth),
				      &len), -EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, moon, IKE_AUTH_ECDSA_256, 0, false, auth, sizeof(auth),
				      &len), -EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, NULL, 14, IKE_HASH_SHA2_256, false, auth, sizeof(auth),
				      &len), -EINVAL);
	EVP_PKEY_free(moon);
	EVP_PKEY_free(carol);
}

/* A key type we do not sign with (Ed25519). */
static void
test_other_key_type(void)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	static const uint16_t all[] = { 2, 3, 4 };
	uint8_t auth[IKE_AUTH_MAX];
	struct ike_auth_octets o;
	size_t len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);
	CU_ASSERT_EQUAL_FATAL(make_octets(&o, &prf_vectors[0], msg), 0);
	CU_ASSERT_EQUAL(ike_auth_sign(&o, ed, 14, IKE_HASH_SHA2_256, false, auth, sizeof(auth),
				      &len), -EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_auth_pick_hash(all, N_ELEMS(all), ed), 0);
	CU_ASSERT_EQUAL(ike_auth_legacy_method(ed), 0);
	memset(auth, 0x5a, 80);
	auth[0] = 12;
	unhex(AID_EC_SHA256, auth + 1, 12);
	CU_ASSERT_EQUAL(ike_auth_verify(&o, ed, 14, auth, 80), -EKEYREJECTED);
	EVP_PKEY_free(ed);
}

/* ---- SIGNATURE_HASH_ALGORITHMS ---- */

static void
test_hash_notify(void)
{
	static const uint8_t peer[] = { 0, 2, 0, 3, 0, 4, 0, 1, 0, 5 };
	uint8_t out[8];
	uint16_t ids[8];
	const uint16_t *ours;
	size_t n = 0, len = 0;

	ours = ike_auth_hashes(&n);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(ours[0], IKE_HASH_SHA2_256);
	CU_ASSERT_EQUAL(ours[1], IKE_HASH_SHA2_384);
	CU_ASSERT_EQUAL(ours[2], IKE_HASH_SHA2_512);
	CU_ASSERT_EQUAL(ike_auth_hashes_encode(out, sizeof(out), &len), 0);
	CU_ASSERT_TRUE(hex_equal(out, len, "000200030004"));
	CU_ASSERT_EQUAL(ike_auth_hashes_encode(out, 5, &len), -ENOSPC);

	CU_ASSERT_EQUAL(ike_auth_hashes_decode(peer, sizeof(peer), ids, 8, &n), 0);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(ids[0], 2);
	CU_ASSERT_EQUAL(ids[3], 1);
	CU_ASSERT_EQUAL(ids[4], 5);
	CU_ASSERT_EQUAL(ike_auth_hashes_decode(peer, sizeof(peer), ids, 2, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(ike_auth_hashes_decode(peer, 3, ids, 8, &n), -EBADMSG);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(ike_auth_hashes_decode(peer, 0, ids, 8, &n), -EBADMSG);
}

struct pick_row {
	const char *key;
	uint16_t peer[4];
	size_t n;
	uint16_t want;
};

static const struct pick_row pick_rows[] = {
	{ "moon", { 2, 3, 4 }, 3, IKE_HASH_SHA2_256 },
	{ "moon", { 4, 3 }, 2, IKE_HASH_SHA2_384 },
	{ "moon", { 4 }, 1, IKE_HASH_SHA2_512 },
	{ "moon", { 1 }, 1, 0 },
	{ "moon", { 0 }, 0, 0 },
	{ "moon", { 5, 7, 1 }, 3, 0 },
	{ "carol", { 4, 3, 2 }, 3, IKE_HASH_SHA2_256 },
	{ "carol", { 1, 4 }, 2, IKE_HASH_SHA2_512 },
	{ "sun", { 2, 3, 4 }, 3, IKE_HASH_SHA2_384 },
	{ "sun", { 2, 4 }, 2, IKE_HASH_SHA2_256 },
	{ "venus", { 2, 3, 4 }, 3, IKE_HASH_SHA2_512 },
	{ "venus", { 3 }, 1, IKE_HASH_SHA2_384 },
};

static void
test_pick_hash(void)
{
	static const struct { const char *key; uint8_t method; } legacy[] = {
		{ "moon", IKE_AUTH_RSA_SIG }, { "dave", IKE_AUTH_RSA_SIG },
		{ "carol", IKE_AUTH_ECDSA_256 }, { "sun", IKE_AUTH_ECDSA_384 },
		{ "venus", IKE_AUTH_ECDSA_521 },
	};

	for (size_t i = 0; i < N_ELEMS(pick_rows); i++) {
		EVP_PKEY *k = load_pub(pick_rows[i].key);

		CU_ASSERT_EQUAL(ike_auth_pick_hash(pick_rows[i].peer, pick_rows[i].n, k),
				pick_rows[i].want);
		EVP_PKEY_free(k);
	}
	for (size_t i = 0; i < N_ELEMS(legacy); i++) {
		EVP_PKEY *k = load_pub(legacy[i].key);

		CU_ASSERT_EQUAL(ike_auth_legacy_method(k), legacy[i].method);
		EVP_PKEY_free(k);
	}
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	if (argc > 1)
		pki_dir = argv[1];
	make_inputs();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_auth", NULL, NULL);
	CU_add_test(s, "octets vs python", test_octets);
	CU_add_test(s, "octets errors", test_octets_errors);
	CU_add_test(s, "psk vs python, mismatches", test_psk);
	CU_add_test(s, "signature round trips", test_sign_round_trip);
	CU_add_test(s, "openssl-made signatures, AlgorithmIdentifiers", test_openssl_signatures);
	CU_add_test(s, "openssl ECDSA as RFC 4754 r|s", test_openssl_ecdsa_raw);
	CU_add_test(s, "malformed AUTH, unusable methods", test_sig_malformed);
	CU_add_test(s, "other key types", test_other_key_type);
	CU_add_test(s, "SIGNATURE_HASH_ALGORITHMS", test_hash_notify);
	CU_add_test(s, "hash and legacy method choice", test_pick_hash);
	return cu_run_registered();
}
