/*
 * PRF, prf+ and key derivation (ike/ike_prf.c, ike/ike_keys.c,
 * ike/ike_cipher.c): HMAC-SHA2 on the RFC 4231 inputs, prf+ (RFC 7296
 * §2.13) up to its 255-block limit, SKEYSEED and the SK_* split (§2.14) for
 * five suites, IKE SA rekey with a different PRF (§2.18), CHILD SA KEYMAT
 * order with and without PFS (§2.17); expected values from make_vectors.py.
 */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "ike/ike_cipher.h"
#include "ike/ike_const.h"
#include "ike/ike_key.h"
#include "ike/ike_keys.h"
#include "ike/ike_prf.h"

#include "test_ike_crypto.h"
#include "test_ike_crypto_vectors.h"

static const uint16_t prfs[] = {
	IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384, IKE_PRF_HMAC_SHA2_512,
};

static void
test_prf_lengths(void)
{
	static const uint16_t unsupported[] = { 0, 1, 2, 3, 4, 8, 9, 0xffff };
	size_t i;

	for (i = 0; i < DIM(prfs); i++) {
		CU_ASSERT_TRUE(ike_prf_supported(prfs[i]));
		CU_ASSERT_EQUAL(ike_prf_len(prfs[i]), 32 + 16 * i);
		CU_ASSERT_EQUAL(ike_prf_plus_max(prfs[i]), 255 * (32 + 16 * i));
	}
	for (i = 0; i < DIM(unsupported); i++) {
		CU_ASSERT_FALSE(ike_prf_supported(unsupported[i]));
		CU_ASSERT_EQUAL(ike_prf_len(unsupported[i]), 0);
		CU_ASSERT_EQUAL(ike_prf_plus_max(unsupported[i]), 0);
	}
}

static void
test_prf_rfc4231(void)
{
	static const struct {
		const char *key, *data, *want[3];
	} rows[] = {
		{ HMAC_TC0_KEY, HMAC_TC0_DATA,
		  { HMAC_TC0_SHA256, HMAC_TC0_SHA384, HMAC_TC0_SHA512 } },
		{ HMAC_TC1_KEY, HMAC_TC1_DATA,
		  { HMAC_TC1_SHA256, HMAC_TC1_SHA384, HMAC_TC1_SHA512 } },
		{ HMAC_TC2_KEY, HMAC_TC2_DATA,
		  { HMAC_TC2_SHA256, HMAC_TC2_SHA384, HMAC_TC2_SHA512 } },
		{ HMAC_TC3_KEY, HMAC_TC3_DATA,
		  { HMAC_TC3_SHA256, HMAC_TC3_SHA384, HMAC_TC3_SHA512 } },
		{ HMAC_TC4_KEY, HMAC_TC4_DATA,
		  { HMAC_TC4_SHA256, HMAC_TC4_SHA384, HMAC_TC4_SHA512 } },
		{ HMAC_TC5_KEY, HMAC_TC5_DATA,
		  { HMAC_TC5_SHA256, HMAC_TC5_SHA384, HMAC_TC5_SHA512 } },
	};
	static struct hex key, data;
	uint8_t out[IKE_PRF_OUT_MAX];
	struct ike_chunk split[3];
	size_t i, j, half;

	for (i = 0; i < DIM(rows); i++) {
		hex_decode(&key, rows[i].key);
		hex_decode(&data, rows[i].data);
		half = data.len / 2;
		split[0] = (struct ike_chunk){ data.b, half };
		split[1] = (struct ike_chunk){ NULL, 0 };
		split[2] = (struct ike_chunk){ data.b + half, data.len - half };
		for (j = 0; j < DIM(prfs); j++) {
			CU_ASSERT_EQUAL(ike_prf(prfs[j], key.b, key.len,
						&(struct ike_chunk){ data.b, data.len }, 1, out,
						sizeof(out)), 0);
			check_hex("HMAC", out, ike_prf_len(prfs[j]), rows[i].want[j]);
			memset(out, 0, sizeof(out));
			/* The same input in chunks, one of them empty. */
			CU_ASSERT_EQUAL(ike_prf(prfs[j], key.b, key.len, split, 3, out,
						ike_prf_len(prfs[j])), 0);
			check_hex("HMAC in chunks", out, ike_prf_len(prfs[j]), rows[i].want[j]);
		}
	}
}

static void
test_prf_errors(void)
{
	struct ike_chunk many[IKE_PRF_CHUNKS_MAX + 1];
	uint8_t out[IKE_PRF_OUT_MAX], key[4] = { 1, 2, 3, 4 };

	memset(many, 0, sizeof(many));
	CU_ASSERT_EQUAL(ike_prf(0, key, 4, many, 1, out, sizeof(out)), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_384, key, 4, many, 1, out, 47), -EINVAL);
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 4, many, IKE_PRF_CHUNKS_MAX + 1, out,
				sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 4, many, IKE_PRF_CHUNKS_MAX, out,
				sizeof(out)), 0);
	/* An empty key is legal for HMAC (RFC 2104 pads it with zeros). */
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_256, NULL, 0, many, 0, out, sizeof(out)), 0);
	check_hex("HMAC-SHA256 of nothing", out, 32,
		  "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	CU_ASSERT_EQUAL(ike_prf_plus(0, key, 4, many, 1, out, 1), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 4, many, IKE_PRF_CHUNKS_MAX + 1,
				     out, 1), -EINVAL);
}

static void
test_prf_plus(void)
{
	static const struct {
		uint16_t prf;
		const char *first100, *tail, *digest;
	} rows[] = {
		{ IKE_PRF_HMAC_SHA2_256, PRFP_SHA256_100, PRFP_SHA256_MAX_TAIL,
		  PRFP_SHA256_MAX_SHA256 },
		{ IKE_PRF_HMAC_SHA2_384, PRFP_SHA384_100, PRFP_SHA384_MAX_TAIL,
		  PRFP_SHA384_MAX_SHA256 },
		{ IKE_PRF_HMAC_SHA2_512, PRFP_SHA512_100, PRFP_SHA512_MAX_TAIL,
		  PRFP_SHA512_MAX_SHA256 },
	};
	static uint8_t out[255 * IKE_PRF_OUT_MAX + 1];
	static struct hex key, seed;
	uint8_t digest[32], one = 1, t1[IKE_PRF_OUT_MAX];
	struct ike_chunk s[2];
	size_t i, max;

	hex_decode(&key, PRFP_KEY);
	hex_decode(&seed, PRFP_SEED);
	s[0] = (struct ike_chunk){ seed.b, 20 };
	s[1] = (struct ike_chunk){ seed.b + 20, seed.len - 20 };
	for (i = 0; i < DIM(rows); i++) {
		max = ike_prf_plus_max(rows[i].prf);
		CU_ASSERT_EQUAL(ike_prf_plus(rows[i].prf, key.b, key.len, s, 2, out, 100), 0);
		check_hex("prf+ 100", out, 100, rows[i].first100);
		/* T1 = prf(K, S | 0x01) */
		CU_ASSERT_EQUAL(ike_prf(rows[i].prf, key.b, key.len, (const struct ike_chunk[]){
			{ seed.b, seed.len }, { &one, 1 } }, 2, t1, sizeof(t1)), 0);
		CU_ASSERT_EQUAL(memcmp(t1, out, ike_prf_len(rows[i].prf)), 0);
		/* 255 blocks: the counter's last value. */
		CU_ASSERT_EQUAL(ike_prf_plus(rows[i].prf, key.b, key.len, s, 2, out, max), 0);
		check_hex("prf+ tail", out + max - 32, 32, rows[i].tail);
		CU_ASSERT_EQUAL(EVP_Digest(out, max, digest, NULL, EVP_sha256(), NULL), 1);
		check_hex("prf+ digest", digest, 32, rows[i].digest);
		out[0] = 0x5a;
		CU_ASSERT_EQUAL(ike_prf_plus(rows[i].prf, key.b, key.len, s, 2, out, max + 1),
				-EINVAL);
		CU_ASSERT_EQUAL(ike_prf_plus(rows[i].prf, key.b, key.len, s, 2, out, 0), 0);
		CU_ASSERT_EQUAL(out[0], 0x5a);
	}
}

static void
test_keys_lens(void)
{
	static const struct {
		struct ike_suite s;
		int rc;
		size_t prf, integ, encr;
	} rows[] = {
		{ { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		    0, 0 }, 0, 32, 32, 16 },
		{ { IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192,
		    0, 0 }, 0, 48, 48, 32 },
		{ { IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256,
		    0, 0 }, 0, 64, 64, 32 },
		{ { IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, 0, 0 },
		  0, 32, 0, 20 },
		{ { IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_NONE, 0, 0 },
		  0, 64, 0, 36 },
		{ { IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, 0, 0 },
		  0, 32, 0, 36 },
		{ { IKE_ENCR_CHACHA20_POLY1305, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, 0, 0 },
		  0, 32, 0, 36 },
		/* Unsupported or inconsistent suites. */
		{ { IKE_ENCR_CHACHA20_POLY1305, 128, IKE_PRF_HMAC_SHA2_256, 0, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_CBC, 192, IKE_PRF_HMAC_SHA2_256, 12, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_CBC, 0, IKE_PRF_HMAC_SHA2_256, 12, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_GCM_16, 0, IKE_PRF_HMAC_SHA2_256, 0, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 12, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, 2, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { 3, 0, IKE_PRF_HMAC_SHA2_256, 12, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
		{ { IKE_ENCR_AES_CBC, 128, 2, 12, 0, 0 },
		  -ENOTSUP, 0, 0, 0 },
	};
	struct ike_key_lens l;
	size_t i;

	for (i = 0; i < DIM(rows); i++) {
		CU_ASSERT_EQUAL(ike_keys_lens(&rows[i].s, true, &l), rows[i].rc);
		if (rows[i].rc != 0)
			continue;
		CU_ASSERT_EQUAL(l.prf, rows[i].prf);
		CU_ASSERT_EQUAL(l.integ, rows[i].integ);
		CU_ASSERT_EQUAL(l.encr, rows[i].encr);
		CU_ASSERT_EQUAL(ike_keys_lens(&rows[i].s, false, &l), 0);
		CU_ASSERT_EQUAL(l.prf, 0);
	}
	/* ESP suites carry no PRF: an unknown one only matters with_prf. */
	CU_ASSERT_EQUAL(ike_keys_lens(&rows[DIM(rows) - 1].s, false, &l), 0);
	CU_ASSERT_EQUAL(l.encr, 16);
}

struct sa_row {
	const char *name;
	struct ike_suite s;
	const char *gir, *skeyseed, *keys[7];
};

#define SA_KEYS(p) { p##_SK_D, p##_SK_AI, p##_SK_AR, p##_SK_EI, p##_SK_ER, p##_SK_PI, \
	p##_SK_PR }

static const struct sa_row sa_rows[] = {
	{ "A", { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, 14, 0 },
	  MODP_SHARED, KDF_A_SKEYSEED, SA_KEYS(KDF_A) },
	{ "B", { IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_NONE, 20, 0 },
	  ECP20_GIR, KDF_B_SKEYSEED, SA_KEYS(KDF_B) },
	{ "C", { IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_NONE, 31, 0 },
	  X25519_K, KDF_C_SKEYSEED, SA_KEYS(KDF_C) },
	{ "D", { IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, 19, 0 },
	  ECP19_GIR, KDF_D_SKEYSEED, SA_KEYS(KDF_D) },
	{ "E", { IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_384_192, 21, 0 },
	  ECP21_GIR, KDF_E_SKEYSEED, SA_KEYS(KDF_E) },
};

static void
check_sa_keys(const struct ike_sa_keys *k, const char *const want[7])
{
	check_key("SK_d", &k->sk_d, want[0]);
	check_key("SK_ai", &k->sk_ai, want[1]);
	check_key("SK_ar", &k->sk_ar, want[2]);
	check_key("SK_ei", &k->sk_ei, want[3]);
	check_key("SK_er", &k->sk_er, want[4]);
	check_key("SK_pi", &k->sk_pi, want[5]);
	check_key("SK_pr", &k->sk_pr, want[6]);
}

static struct hex ni, nr, spi_i, spi_r, gir;

static void
load_sa_inputs(const char *gir_hex)
{
	hex_decode(&ni, KDF_NI);
	hex_decode(&nr, KDF_NR);
	hex_decode(&spi_i, KDF_SPI_I);
	hex_decode(&spi_r, KDF_SPI_R);
	hex_decode(&gir, gir_hex);
}

static void
test_keys_sa(void)
{
	struct ike_chunk cni, cnr, cgir;
	struct ike_key skeyseed;
	struct ike_sa_keys k;
	size_t i;

	for (i = 0; i < DIM(sa_rows); i++) {
		load_sa_inputs(sa_rows[i].gir);
		cni = (struct ike_chunk){ ni.b, ni.len };
		cnr = (struct ike_chunk){ nr.b, nr.len };
		cgir = (struct ike_chunk){ gir.b, gir.len };
		CU_ASSERT_EQUAL(ike_keys_skeyseed(sa_rows[i].s.prf, &cni, &cnr, &cgir, &skeyseed),
				0);
		check_key("SKEYSEED", &skeyseed, sa_rows[i].skeyseed);
		CU_ASSERT_EQUAL(ike_keys_sa(&sa_rows[i].s, &skeyseed, &cni, &cnr, spi_i.b, spi_r.b,
					    &k), 0);
		check_sa_keys(&k, sa_rows[i].keys);
		ike_keys_sa_wipe(&k);
		CU_ASSERT_EQUAL(k.sk_d.len, 0);
		CU_ASSERT_EQUAL(k.sk_pr.bytes[0], 0);
		CU_ASSERT_EQUAL(ike_keys_sa_init(&sa_rows[i].s, &cni, &cnr, &cgir, spi_i.b, spi_r.b,
						 &k), 0);
		check_sa_keys(&k, sa_rows[i].keys);
		ike_keys_sa_wipe(&k);
		ike_key_wipe(&skeyseed);
	}
}

static void
test_keys_rekey(void)
{
	static const struct ike_suite new_suite = {
		IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, 20, 0,
	};
	static const char *const want[7] = SA_KEYS(REKEY);
	static struct hex rni, rnr, rspi_i, rspi_r, old_d;
	struct ike_chunk cni, cnr, cgir;
	struct ike_key skeyseed, sk_d;
	struct ike_sa_keys k;

	hex_decode(&rni, REKEY_NI);
	hex_decode(&rnr, REKEY_NR);
	hex_decode(&rspi_i, REKEY_SPI_I);
	hex_decode(&rspi_r, REKEY_SPI_R);
	hex_decode(&old_d, KDF_C_SK_D);      /* old SA: suite C, PRF-SHA2-512 */
	hex_decode(&gir, ECP20_GIR);
	CU_ASSERT_EQUAL(ike_key_set(&sk_d, old_d.b, old_d.len), 0);
	cni = (struct ike_chunk){ rni.b, rni.len };
	cnr = (struct ike_chunk){ rnr.b, rnr.len };
	cgir = (struct ike_chunk){ gir.b, gir.len };
	CU_ASSERT_EQUAL(ike_keys_skeyseed_rekey(IKE_PRF_HMAC_SHA2_512, &sk_d, &cgir, &cni, &cnr,
						&skeyseed), 0);
	check_key("rekey SKEYSEED", &skeyseed, REKEY_SKEYSEED);
	CU_ASSERT_EQUAL(ike_keys_sa_rekey(IKE_PRF_HMAC_SHA2_512, &sk_d, &new_suite, &cni, &cnr,
					  &cgir, rspi_i.b, rspi_r.b, &k), 0);
	check_sa_keys(&k, want);
	/* With the new SA's PRF instead, the keys would differ. */
	CU_ASSERT_EQUAL(ike_keys_sa_rekey(IKE_PRF_HMAC_SHA2_256, &sk_d, &new_suite, &cni, &cnr,
					  &cgir, rspi_i.b, rspi_r.b, &k), 0);
	hex_decode(&old_d, REKEY_SK_D);
	CU_ASSERT_EQUAL(k.sk_d.len, 32);
	CU_ASSERT_NOT_EQUAL(memcmp(k.sk_d.bytes, old_d.b, 32), 0);
	ike_keys_sa_wipe(&k);
	ike_key_wipe(&skeyseed);
	ike_key_wipe(&sk_d);
}

struct child_row {
	const char *name;
	struct ike_suite esp;
	bool pfs;
	const char *want[4];
};

#define CHILD_KEYS(p) { p##_ENCR_I, p##_INTEG_I, p##_ENCR_R, p##_INTEG_R }

static const struct child_row child_rows[] = {
	{ "GCM-128", { IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_NONE, 0, 0 }, false,
	  CHILD_KEYS(CHILD_GCM128) },
	{ "GCM-128 PFS", { IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_NONE, 19, 0 }, true,
	  CHILD_KEYS(CHILD_GCM128_PFS) },
	{ "CBC-256", { IKE_ENCR_AES_CBC, 256, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 1 }, false,
	  CHILD_KEYS(CHILD_CBC256) },
	{ "CBC-256 PFS", { IKE_ENCR_AES_CBC, 256, 0, IKE_INTEG_HMAC_SHA2_256_128, 19, 1 }, true,
	  CHILD_KEYS(CHILD_CBC256_PFS) },
	{ "ChaCha", { IKE_ENCR_CHACHA20_POLY1305, 0, 0, IKE_INTEG_NONE, 0, 0 }, false,
	  CHILD_KEYS(CHILD_CHACHA) },
	{ "ChaCha PFS", { IKE_ENCR_CHACHA20_POLY1305, 0, 0, IKE_INTEG_NONE, 19, 0 }, true,
	  CHILD_KEYS(CHILD_CHACHA_PFS) },
};

static void
test_keys_child(void)
{
	static struct hex cni_h, cnr_h, sk_d_h;
	struct ike_chunk cni, cnr, cgir, empty = { NULL, 0 };
	struct ike_child_keys k;
	struct ike_key sk_d;
	size_t i;

	hex_decode(&cni_h, CHILD_NI);
	hex_decode(&cnr_h, CHILD_NR);
	hex_decode(&sk_d_h, KDF_A_SK_D);     /* suite A: PRF-SHA2-256 */
	hex_decode(&gir, ECP19_GIR);
	CU_ASSERT_EQUAL(ike_key_set(&sk_d, sk_d_h.b, sk_d_h.len), 0);
	cni = (struct ike_chunk){ cni_h.b, cni_h.len };
	cnr = (struct ike_chunk){ cnr_h.b, cnr_h.len };
	cgir = (struct ike_chunk){ gir.b, gir.len };
	for (i = 0; i < DIM(child_rows); i++) {
		const struct child_row *r = &child_rows[i];

		CU_ASSERT_EQUAL(ike_keys_child(IKE_PRF_HMAC_SHA2_256, &sk_d, &r->esp,
					       r->pfs ? &cgir : NULL, &cni, &cnr, &k), 0);
		check_key("encr_i", &k.encr_i, r->want[0]);
		check_key("integ_i", &k.integ_i, r->want[1]);
		check_key("encr_r", &k.encr_r, r->want[2]);
		check_key("integ_r", &k.integ_r, r->want[3]);
		if (!r->pfs) {   /* an empty g^ir is the same as none */
			ike_keys_child_wipe(&k);
			CU_ASSERT_EQUAL(k.encr_i.len, 0);
			CU_ASSERT_EQUAL(ike_keys_child(IKE_PRF_HMAC_SHA2_256, &sk_d, &r->esp,
						       &empty, &cni, &cnr, &k), 0);
			check_key("encr_r", &k.encr_r, r->want[2]);
		}
		ike_keys_child_wipe(&k);
	}
	ike_key_wipe(&sk_d);
}

static void
test_keys_errors(void)
{
	static const struct ike_suite gcm = { IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256,
					      IKE_INTEG_NONE, 19, 0 };
	static const struct ike_suite bad = { IKE_ENCR_AES_GCM_16, 192, IKE_PRF_HMAC_SHA2_256,
					      IKE_INTEG_NONE, 19, 0 };
	static uint8_t big[IKE_NONCE_MAX + 1];
	struct ike_chunk n15 = { big, 15 }, n16 = { big, 16 }, n257 = { big, 257 };
	struct ike_chunk n256 = { big, 256 };
	struct ike_child_keys ck;
	struct ike_sa_keys k;
	struct ike_key ks;

	CU_ASSERT_EQUAL(ike_keys_skeyseed(IKE_PRF_HMAC_SHA2_256, &n15, &n16, &n16, &ks), -EINVAL);
	CU_ASSERT_EQUAL(ike_keys_skeyseed(IKE_PRF_HMAC_SHA2_256, &n16, &n257, &n16, &ks),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_keys_skeyseed(IKE_PRF_HMAC_SHA2_256, &n256, &n256, &n16, &ks), 0);
	CU_ASSERT_EQUAL(ks.len, 32);
	CU_ASSERT_EQUAL(ike_keys_skeyseed(9, &n16, &n16, &n16, &ks), -ENOTSUP);
	CU_ASSERT_EQUAL(ks.len, 0);
	CU_ASSERT_EQUAL(ike_keys_sa_init(&bad, &n16, &n16, &n16, big, big, &k), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_keys_sa_init(&gcm, &n15, &n16, &n16, big, big, &k), -EINVAL);
	CU_ASSERT_EQUAL(k.sk_d.len, 0);
	CU_ASSERT_EQUAL(ike_keys_child(IKE_PRF_HMAC_SHA2_256, &ks, &bad, NULL, &n16, &n16, &ck),
			-ENOTSUP);
	CU_ASSERT_EQUAL(ike_keys_child(9, &ks, &gcm, NULL, &n16, &n16, &ck), -ENOTSUP);
	CU_ASSERT_EQUAL(ck.encr_i.len, 0);
}

const struct test_def test_ike_kdf_tests[] = {
	{ "PRF lengths", test_prf_lengths },
	{ "PRF HMAC-SHA2 on RFC 4231 inputs", test_prf_rfc4231 },
	{ "PRF errors", test_prf_errors },
	{ "prf+ up to 255 blocks", test_prf_plus },
	{ "key lengths per suite", test_keys_lens },
	{ "SKEYSEED and SK_* for five suites", test_keys_sa },
	{ "IKE SA rekey with the old PRF", test_keys_rekey },
	{ "CHILD SA KEYMAT order, PFS", test_keys_child },
	{ "key derivation errors", test_keys_errors },
};
const size_t test_ike_kdf_count = DIM(test_ike_kdf_tests);
