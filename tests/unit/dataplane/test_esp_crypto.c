/*
 * Unit tests of ESP cryptography (dataplane/esp_crypto.c) through Intel
 * IPsec-MB, against published known answers and an independent
 * implementation (OpenSSL EVP/HMAC):
 *   - AES-GCM-128/256 ESP packets of draft-mcgrew-gcm-test-01 ("Test Cases
 *     for the use of GCM in IPsec ESP"), test cases 1-6 and 8-14 (case 7
 *     uses AES-192, not offered), incl. the ESN cases (12-byte AAD). The
 *     draft is not in ../shared/rfc: the values are those public test
 *     suites quote from it (e.g. Snabb's src/lib/ipsec/aes_gcm.lua
 *     selftest, which has the same packets), and OpenSSL reproduces each
 *     published packet here as well, so a transcription error would show;
 *   - RFC 7634 Appendix A, the whole ESP packet (ChaCha20-Poly1305);
 *   - RFC 3602 §4 cases 1-8 (AES-CBC-128; cases 5-8 are ESP packets),
 *     decrypted after an HMAC-SHA-256-128 ICV (OpenSSL) was appended;
 *   - RFC 4868 §2.7.2.1 AUTH256-1..4 through an IPsec-MB HMAC job that uses
 *     the ipad/opad state dp_esp_key_init() precomputed;
 *   - ESN, CBC IV construction (AES-ECB_K(nonce || 0^64)) and mixed bursts:
 *     expected packets computed here with OpenSSL, never with the code
 *     under test.
 * Negative cases: every single-bit flip of SPI, sequence number, IV,
 * ciphertext or ICV, a wrong ESN high half, invalid key lengths and ops.
 * Packets live in exactly sized heap buffers (ASan; IPsec-MB itself is not
 * instrumented).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dataplane/esp_crypto.h"
#include "tests/unit/cu_run.h"

enum {
	PKT_MAX = 2048,
	HDR = DP_ESP_HDR_LEN,
	ICV = DP_ESP_ICV_LEN,
	SEQ_HI_LEN = 4,
	AEAD_NONCE = 12,
	AAD_ESN = 12,
	HMAC_FULL = 32,
	KEY_SETS = 2,
	MIXED_OPS = DP_ESP_MAX_BURST,
	CHUNKED_OPS = 150,
	IPV4_HDR = 20,			/* outer header in RFC 7634's packet */
};

static IMB_MGR *mgr;

/* RFC 4868 AUTH256-4 key, used as the HMAC key of the CBC tests. */
static const char auth_key_hex[] =
	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

/* ---- helpers ---------------------------------------------------------- */

static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (*hex != '\0') {
		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		if (n == max || sscanf(hex, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static uint8_t *
dup_buf(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);

	if (p == NULL)
		abort();
	memcpy(p, src, len);
	return p;
}

static bool
is_aead(enum dp_sa_alg alg)
{
	return alg != DP_SA_AES_CBC_128_SHA256 && alg != DP_SA_AES_CBC_256_SHA256;
}

static uint32_t
iv_len(enum dp_sa_alg alg)
{
	return is_aead(alg) ? DP_ESP_AEAD_IV_LEN : DP_ESP_CBC_IV_LEN;
}

static size_t
pkt_len(enum dp_sa_alg alg, uint32_t payload_len)
{
	return HDR + iv_len(alg) + payload_len + ICV;
}

/* One op, one burst; returns the op's status. */
static int
run1(const struct dp_esp_key *key, uint8_t *esp, uint32_t len, bool esn, uint32_t hi,
     uint64_t nonce, bool encrypt)
{
	struct dp_esp_op op = {
		.key = key, .esp = esp, .payload_len = len, .seq_hi = hi, .esn = esn,
		.iv_nonce = nonce, .status = 1,
	};
	unsigned int good = encrypt ? dp_esp_encrypt_burst(mgr, &op, 1) :
				      dp_esp_decrypt_burst(mgr, &op, 1);

	CU_ASSERT_EQUAL(good, op.status == 0 ? 1u : 0u);
	return op.status;
}

/* Deterministic key material of one test key (enc incl. salt). */
static void
test_key_bytes(enum dp_sa_alg alg, unsigned int set, uint8_t *enc, uint8_t *auth)
{
	unsigned int i;

	for (i = 0; i < DP_ESP_MAX_ENC_KEY; i++)
		enc[i] = (uint8_t)(0x11 * (alg + 1) + 0x3b * set + 7 * i);
	for (i = 0; i < DP_ESP_MAX_AUTH_KEY; i++)
		auth[i] = (uint8_t)(0xa5 ^ (set * 0x21) ^ (i * 3));
}

static void
make_key(struct dp_esp_key *key, enum dp_sa_alg alg, unsigned int set, uint8_t *enc,
	 uint8_t *auth)
{
	test_key_bytes(alg, set, enc, auth);
	CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, key, alg, enc, dp_sa_alg_enc_key_len(alg),
					      auth, dp_sa_alg_auth_key_len(alg)), 0);
}

/* SPI, sequence number, zero IV, payload; ICV room zero. */
static uint8_t *
make_plain_pkt(enum dp_sa_alg alg, uint32_t spi, uint32_t seq, const uint8_t *payload,
	       uint32_t len)
{
	uint8_t *p = calloc(1, pkt_len(alg, len));
	uint32_t be;

	if (p == NULL)
		abort();
	be = htobe32(spi);
	memcpy(p, &be, 4);
	be = htobe32(seq);
	memcpy(p + 4, &be, 4);
	memcpy(p + HDR + iv_len(alg), payload, len);
	return p;
}

static void
fill_pattern(uint8_t *p, uint32_t len, unsigned int seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 13 + (i >> 8));
}

/* ---- OpenSSL reference ------------------------------------------------ */

static const EVP_CIPHER *
ref_cipher(enum dp_sa_alg alg, bool ecb)
{
	switch (alg) {
	case DP_SA_AES_GCM_128:
		return EVP_aes_128_gcm();
	case DP_SA_AES_GCM_256:
		return EVP_aes_256_gcm();
	case DP_SA_AES_CBC_128_SHA256:
		return ecb ? EVP_aes_128_ecb() : EVP_aes_128_cbc();
	case DP_SA_AES_CBC_256_SHA256:
		return ecb ? EVP_aes_256_ecb() : EVP_aes_256_cbc();
	default:
		return EVP_chacha20_poly1305();
	}
}

/* Unpadded block cipher (ECB or CBC) in place. */
static void
ref_block(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv, uint8_t *buf,
	  uint32_t len, bool encrypt)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, fin = 0;

	CU_ASSERT_FATAL(ctx != NULL);
	CU_ASSERT_FATAL(EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt) == 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	CU_ASSERT_FATAL(EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1);
	CU_ASSERT_FATAL(EVP_CipherFinal_ex(ctx, buf + outl, &fin) == 1);
	EVP_CIPHER_CTX_free(ctx);
}

static void
ref_aead_seal(enum dp_sa_alg alg, const uint8_t *key, const uint8_t *nonce,
	      const uint8_t *aad, int aad_len, uint8_t *buf, uint32_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0;

	CU_ASSERT_FATAL(ctx != NULL);
	CU_ASSERT_FATAL(EVP_EncryptInit_ex(ctx, ref_cipher(alg, false), NULL, NULL, NULL) == 1);
	CU_ASSERT_FATAL(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE, NULL) == 1);
	CU_ASSERT_FATAL(EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1);
	CU_ASSERT_FATAL(EVP_EncryptUpdate(ctx, NULL, &outl, aad, aad_len) == 1);
	CU_ASSERT_FATAL(EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)len) == 1);
	CU_ASSERT_FATAL(EVP_EncryptFinal_ex(ctx, buf + outl, &outl) == 1);
	CU_ASSERT_FATAL(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, ICV, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
}

/* The CBC IV the header specifies: AES-ECB_K(be64(nonce) || 0^64). */
static void
ref_cbc_iv(enum dp_sa_alg alg, const uint8_t *key, uint64_t nonce, uint8_t *iv)
{
	uint64_t be = htobe64(nonce);

	memset(iv, 0, DP_ESP_CBC_IV_LEN);
	memcpy(iv, &be, sizeof(be));
	ref_block(ref_cipher(alg, true), key, NULL, iv, DP_ESP_CBC_IV_LEN, true);
}

/* HMAC-SHA-256-128 over esp[0..len) [|| be32(hi)] (RFC 4303 §3.3.2.1). */
static void
ref_hmac_icv(const uint8_t *auth_key, const uint8_t *esp, size_t len, bool esn, uint32_t hi,
	     uint8_t *icv)
{
	uint8_t *msg = malloc(len + SEQ_HI_LEN);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint32_t be = htobe32(hi);

	CU_ASSERT_FATAL(msg != NULL);
	memcpy(msg, esp, len);
	memcpy(msg + len, &be, sizeof(be));
	CU_ASSERT_FATAL(HMAC(EVP_sha256(), auth_key, DP_ESP_MAX_AUTH_KEY, msg,
			     len + (esn ? SEQ_HI_LEN : 0), md, &md_len) != NULL);
	CU_ASSERT_EQUAL(md_len, HMAC_FULL);
	memcpy(icv, md, ICV);
	free(msg);
}

/* Expected ESP packet: the plaintext packet p (make_plain_pkt) sealed in place. */
static void
ref_seal(enum dp_sa_alg alg, const uint8_t *enc, const uint8_t *auth, uint8_t *p,
	 uint32_t len, uint64_t nonce, bool esn, uint32_t hi)
{
	uint8_t n[AEAD_NONCE], aad[AAD_ESN];
	uint64_t be = htobe64(nonce);
	uint32_t be_hi = htobe32(hi);
	uint8_t key_len = dp_sa_alg_enc_key_len(alg);

	if (!is_aead(alg)) {
		ref_cbc_iv(alg, enc, nonce, p + HDR);
		ref_block(ref_cipher(alg, false), enc, p + HDR, p + HDR + DP_ESP_CBC_IV_LEN,
			  len, true);
		ref_hmac_icv(auth, p, HDR + DP_ESP_CBC_IV_LEN + len, esn, hi,
			     p + HDR + DP_ESP_CBC_IV_LEN + len);
		return;
	}
	memcpy(p + HDR, &be, sizeof(be));
	memcpy(n, enc + key_len - DP_ESP_SALT_LEN, DP_ESP_SALT_LEN);
	memcpy(n + DP_ESP_SALT_LEN, &be, sizeof(be));
	memcpy(aad, p, 4);
	memcpy(aad + 4, &be_hi, 4);
	memcpy(aad + 8, p + 4, 4);
	ref_aead_seal(alg, enc, n, esn ? aad : p, esn ? AAD_ESN : HDR,
		      p + HDR + DP_ESP_AEAD_IV_LEN, len, p + HDR + DP_ESP_AEAD_IV_LEN + len);
}

/* ---- names and keys --------------------------------------------------- */

static void
test_alg_names(void)
{
	static const char *const names[DP_SA_ALG_COUNT] = {
		"aes-gcm-128", "aes-gcm-256", "aes-cbc-128-hmac-sha256",
		"aes-cbc-256-hmac-sha256", "chacha20-poly1305",
	};
	static const uint8_t enc_len[DP_SA_ALG_COUNT] = { 20, 36, 16, 32, 36 };
	static const uint8_t auth_len[DP_SA_ALG_COUNT] = { 0, 0, 32, 32, 0 };
	enum dp_sa_alg alg;
	unsigned int i;

	for (i = 0; i < DP_SA_ALG_COUNT; i++) {
		CU_ASSERT_STRING_EQUAL(dp_sa_alg_name((enum dp_sa_alg)i), names[i]);
		alg = DP_SA_ALG_COUNT;
		CU_ASSERT_EQUAL(dp_sa_alg_parse(names[i], &alg), 0);
		CU_ASSERT_EQUAL(alg, (enum dp_sa_alg)i);
		CU_ASSERT_EQUAL(dp_sa_alg_enc_key_len((enum dp_sa_alg)i), enc_len[i]);
		CU_ASSERT_EQUAL(dp_sa_alg_auth_key_len((enum dp_sa_alg)i), auth_len[i]);
	}
	alg = DP_SA_AES_GCM_256;
	CU_ASSERT_EQUAL(dp_sa_alg_parse("aes-gcm-192", &alg), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_alg_parse("AES-GCM-128", &alg), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_alg_parse("", &alg), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_alg_parse(NULL, &alg), -EINVAL);
	CU_ASSERT_EQUAL(alg, DP_SA_AES_GCM_256);
	CU_ASSERT_STRING_EQUAL(dp_sa_alg_name(DP_SA_ALG_COUNT), "unknown");
	CU_ASSERT_EQUAL(dp_sa_alg_enc_key_len(DP_SA_ALG_COUNT), 0);
	CU_ASSERT_EQUAL(dp_sa_alg_auth_key_len(DP_SA_ALG_COUNT), 0);
}

static void
test_key_lengths(void)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY + 1], auth[DP_ESP_MAX_AUTH_KEY + 1];
	struct dp_esp_key key;
	enum dp_sa_alg alg;
	uint8_t el, al;

	memset(enc, 0x42, sizeof(enc));
	memset(auth, 0x24, sizeof(auth));
	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		el = dp_sa_alg_enc_key_len(alg);
		al = dp_sa_alg_auth_key_len(alg);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el - 1, auth, al), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el + 1, auth, al), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, 0, auth, al), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el, auth, al + 1), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el, auth,
						al == 0 ? DP_ESP_MAX_AUTH_KEY : al - 1), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, NULL, el, auth, al), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, NULL, alg, enc, el, auth, al), -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(NULL, &key, alg, enc, el, auth, al), -EINVAL);
		if (al != 0)
			CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el, NULL, al),
					-EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el, NULL, al),
				al == 0 ? 0 : -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, alg, enc, el, auth, al), 0);
		CU_ASSERT_EQUAL(key.alg, alg);
		CU_ASSERT_EQUAL(key.iv_len, is_aead(alg) ? 8 : 16);
		CU_ASSERT_EQUAL(key.block, is_aead(alg) ? 4 : 16);
	}
	CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, DP_SA_ALG_COUNT, enc, 20, auth, 0), -EINVAL);
	CU_ASSERT_EQUAL(dp_esp_key_init(mgr, &key, (enum dp_sa_alg)-1, enc, 20, auth, 0),
			-EINVAL);
}

static bool
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
test_key_wipe(void)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY];
	struct dp_esp_key *key = aligned_alloc(64, sizeof(*key));
	enum dp_sa_alg alg;

	CU_ASSERT_FATAL(key != NULL);
	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		make_key(key, alg, 1, enc, auth);
		CU_ASSERT_FALSE(all_zero(key, sizeof(*key)));
		dp_esp_key_wipe(key);
		CU_ASSERT_TRUE(all_zero(key, sizeof(*key)));
	}
	free(key);
}

/* ---- RFC 4868 §2.7.2.1: HMAC-SHA-256 with the precomputed pads ------- */

static void
hmac_job(const struct dp_esp_key *key, const uint8_t *data, size_t len, uint8_t *tag,
	 size_t tag_len)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);

	memset(job, 0, sizeof(*job));
	job->cipher_mode = IMB_CIPHER_NULL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->hash_alg = IMB_AUTH_HMAC_SHA_256;
	job->src = data;
	job->dst = tag;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = len;
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = tag_len;
	job->u.HMAC._hashed_auth_key_xor_ipad = key->k.cbc.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = key->k.cbc.opad;
	job = IMB_SUBMIT_JOB(mgr);
	if (job == NULL)
		job = IMB_FLUSH_JOB(mgr);
	CU_ASSERT_FATAL(job != NULL);
	CU_ASSERT_EQUAL(job->status, IMB_STATUS_COMPLETED);
	CU_ASSERT_PTR_NULL(IMB_FLUSH_JOB(mgr));
}

static void
test_hmac_rfc4868(void)
{
	static const struct {
		const char *key, *data, *prf;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
		{ "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddd",
		  "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0" },
		{ "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f" },
	};
	uint8_t enc[DP_ESP_MAX_ENC_KEY] = { 0 }, auth[DP_ESP_MAX_AUTH_KEY], data[64];
	uint8_t want[HMAC_FULL], tag[HMAC_FULL];
	struct dp_esp_key key;
	size_t i, len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL(unhex(v[i].key, auth, sizeof(auth)), DP_ESP_MAX_AUTH_KEY);
		len = unhex(v[i].data, data, sizeof(data));
		unhex(v[i].prf, want, sizeof(want));
		CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, &key, DP_SA_AES_CBC_128_SHA256, enc, 16,
						      auth, DP_ESP_MAX_AUTH_KEY), 0);
		memset(tag, 0, sizeof(tag));
		hmac_job(&key, data, len, tag, ICV);	/* HMAC-SHA-256-128 */
		CU_ASSERT_EQUAL(memcmp(tag, want, ICV), 0);
		CU_ASSERT_TRUE(all_zero(tag + ICV, HMAC_FULL - ICV));
		hmac_job(&key, data, len, tag, HMAC_FULL);	/* PRF-HMAC-SHA-256 */
		CU_ASSERT_EQUAL(memcmp(tag, want, HMAC_FULL), 0);
	}
}

/* ---- AEAD known answers ----------------------------------------------- */

struct aead_kat {
	const char *name;
	enum dp_sa_alg alg;
	const char *key;		/* key || salt */
	bool esn;
	uint32_t seq_hi;
	const char *plain;		/* payload incl. padding, pad length, next header */
	const char *packet;		/* SPI || seq (low half) || IV || ciphertext || ICV */
};

/* draft-mcgrew-gcm-test-01 test cases, in the draft's order. */
static const struct aead_kat gcm_kats[] = {
	{ "gcm-test case 1", DP_SA_AES_GCM_128,
	  "4c80cdefbb5d10da906ac73c3613a634 2e443b68", true, 0x87654321,
	  "45000048699a000080114db7c0a80102 c0a801010a9bf15638d3010000010000"
	  "00000000045f736970045f7564700373 69700963796265726369747902646b00"
	  "0021000101020201",
	  "00004321000000004956ed7e3b244cfe fecf537e729d5b07dc30df528dd22b76"
	  "8d1b98736696a6fd348509fa13ceac34 cfa2436f14a3f3cf65925bf1f4a13c5d"
	  "15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72"
	  "2fd04796562dfdb4" },
	{ "gcm-test case 2", DP_SA_AES_GCM_128,
	  "feffe9928665731c6d6a8f9467308308 cafebabe", false, 0,
	  "4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100"
	  "00010000000000000373697009637962 65726369747902646b00000100010001",
	  "0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304"
	  "a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642"
	  "cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a" },
	{ "gcm-test case 3", DP_SA_AES_GCM_256,
	  "abbccddef00112233445566778899aab abbccddef00112233445566778899aab 11223344",
	  false, 0,
	  "4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000"
	  "7002400020bf0000020405b401010402 01020201",
	  "4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d"
	  "6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d"
	  "ef842d8eb335f4eecfdbf831824b4c49 15956c96" },
	{ "gcm-test case 4", DP_SA_AES_GCM_128,
	  "00000000000000000000000000000000 00000000", false, 0,
	  "4500003c99c500008001cb7a40679318 010101010800075c0200440061626364"
	  "65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201",
	  "00000000000000010000000000000000 4688daf2f973a392732909c331d56d60"
	  "f694abaa414b5e7ff5fdcdfff5e9a284 456476492719ffb64de7d9dca1e1d894"
	  "bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d" },
	{ "gcm-test case 5", DP_SA_AES_GCM_128,
	  "3de09874b388e6491988d0c3607eae1f 57690e43", true, 0x10101010,
	  "4500003c99c300008001cb7c40679318 010101010800085c0200430061626364"
	  "65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201",
	  "42f67e3f101010104e280000a2fca1a3 fba2caa4853cf9f0f22cb10d86dd83b0"
	  "fec75691cf1a04b00d1138ec9c357917 65acbd8701ad79845bf9fe3fba487bc9"
	  "1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48" },
	{ "gcm-test case 6", DP_SA_AES_GCM_128,
	  "3de09874b388e6491988d0c3607eae1f 57690e43", true, 0x10101010,
	  "4500001c42a200008001441f406793b6 e00000020a00f5ff01020201",
	  "42f67e3f101010104e280000a2fca1a3 fba2ca845e5df9f0f22c3e6e86dd831e"
	  "1fc65792cd1af9130e1379ed369f071f 35e034be95f112e4e7d05d35" },
	{ "gcm-test case 8", DP_SA_AES_GCM_128,
	  "abbccddef00112233445566778899aab decaf888", true, 0,
	  "4500004933ba00007f119106c3fb1d10 c2b1d326c02831ce0035dd7b800302d5"
	  "00004e20001e8c18d75b81dc91baa047 6b91b924b280389d92c963bac046ec95"
	  "9b6266c04722b14923010101",
	  "0000010000000001cafedebaceface74 18a6fd42f72cbf4ab2a2ea901f73d814"
	  "e3e7f243d95412e1c349c1d2fbec168f 9190feebaf2cb01984e65863965d7472"
	  "b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6"
	  "5f354f75ff17015769623436" },
	{ "gcm-test case 9", DP_SA_AES_GCM_256,
	  "abbccddef00112233445566778899aab abbccddef00112233445566778899aab 73616c74",
	  true, 0x156f3126,
	  "45080028732c00004006e9f90a010612 0a01038f06b88023dd6bafbecb712602"
	  "50101f646d540001",
	  "17405e67dd0db99b616e640169766563 f2d69ecdbd5a0d5b8d5ef38bad4da58d"
	  "1f278fde98ef67549d524a3018d9a57f f4d3a31ce673119e451626c2415771e3"
	  "b7eebca614c89b35" },
	{ "gcm-test case 10", DP_SA_AES_GCM_128,
	  "3de09874b388e6491988d0c3607eae1f 57690e43", true, 0x10101010,
	  "45000049333e00007f119182c3fb1d10 c2b1d326c02831ce0035cb458003025b"
	  "000001e0001e8c18d65759d52284a035 2c71475c8880391c764d6e5ee0496b32"
	  "5ae270c03899493915010101",
	  "42f67e3f101010104e280000a2fca1a3 fba2cad12fc1f9f00d3cebf305410db8"
	  "3d7784b607323d220f24b0a97d541828 00cadb0f68d99ef0e0c0c89ae9bea888"
	  "4e52d65bc1afd0740f742444747b5b39 ab533163aad4550ee5160975cdb608c5"
	  "769189609763b8e18caa81e2" },
	{ "gcm-test case 11", DP_SA_AES_GCM_256,
	  "abbccddef00112233445566778899aab abbccddef00112233445566778899aab 73616c74",
	  true, 0x156f3126,
	  "636973636f0172756c65730174686501 6e6574776501646566696e6501746865"
	  "746563686e6f6c6f6769657301746861 7477696c6c01646566696e65746f6d6f"
	  "72726f7701020201",
	  "17405e67dd0db99b616e640169766563 d4b7ed86a1777f2ea13d6973d324c69e"
	  "7b43f826fb56831226508bebd2dceb18 d0a6df10e5487df074113e14c641024e"
	  "3e6773d91a62ee429b043a10e3efe6b0 12a49363412364f8c0cac587f249e56b"
	  "11e24f30e44ccc76" },
	{ "gcm-test case 12", DP_SA_AES_GCM_128,
	  "7d773d00c144c525ac619d18c84a3f47 d9664267", false, 0,
	  "01020201",
	  "335467aeffffffff43457e9182443bc6 437f866bcb3f699fe9b0822bac961c45"
	  "04bef270" },
	{ "gcm-test case 13", DP_SA_AES_GCM_128,
	  "abbccddef00112233445566778899aab decaf888", true, 0,
	  "746f016265016f72016e6f7401746f01 62650001",
	  "0000010000000001cafedebaceface74 29c9fc69a197d038ccdd14e2ddfcaa05"
	  "43332164412503524303ed3c6c5f2838 43af8c3e" },
	{ "gcm-test case 14", DP_SA_AES_GCM_256,
	  "6c6567616c697a656d6172696a75616e 61616e64646f69746265666f72656961 7475726e",
	  true, 0xffffffff,
	  "45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364"
	  "65666768696a6b6c6d6e6f7071727374 01020201",
	  "796b6963ffffffff333021696765746d f97ab2aa356d8edce17644ac8c78e25d"
	  "d24dedbb29ebf1b64a274b39b49c3a86 4cd3d78ca4ae68a32b42458fb57dbe82"
	  "1dcc63b9d0937ba2945f669368661a32 9fb4c053" },
};

/* Encrypts the plaintext (IV nonce = the published explicit IV) and checks the
 * whole packet (also OpenSSL's); decrypts the published packet and checks
 * the plaintext. */
static void
check_aead_kat(const struct aead_kat *v)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY], plain[PKT_MAX], pkt[PKT_MAX], *p;
	size_t klen = unhex(v->key, enc, sizeof(enc));
	size_t len = unhex(v->plain, plain, sizeof(plain));
	size_t plen = unhex(v->packet, pkt, sizeof(pkt));
	struct dp_esp_key key;
	uint64_t nonce;

	CU_ASSERT_EQUAL_FATAL(plen, HDR + DP_ESP_AEAD_IV_LEN + len + ICV);
	CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, &key, v->alg, enc, (uint8_t)klen, NULL, 0), 0);
	memcpy(&nonce, pkt + HDR, sizeof(nonce));
	p = calloc(1, plen);
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, pkt, HDR);
	memcpy(p + HDR + DP_ESP_AEAD_IV_LEN, plain, len);
	CU_ASSERT_EQUAL(run1(&key, p, len, v->esn, v->seq_hi, be64toh(nonce), true), 0);
	CU_ASSERT_EQUAL(memcmp(p, pkt, plen), 0);
	if (memcmp(p, pkt, plen) != 0)
		printf("\n  %s: encrypted packet differs\n", v->name);
	memset(p + HDR, 0, plen - HDR);
	memcpy(p + HDR + DP_ESP_AEAD_IV_LEN, plain, len);
	ref_seal(v->alg, enc, NULL, p, len, be64toh(nonce), v->esn, v->seq_hi);
	CU_ASSERT_EQUAL(memcmp(p, pkt, plen), 0);
	free(p);

	p = dup_buf(pkt, plen);
	CU_ASSERT_EQUAL(run1(&key, p, len, v->esn, v->seq_hi, 0, false), 0);
	CU_ASSERT_EQUAL(memcmp(p + HDR + DP_ESP_AEAD_IV_LEN, plain, len), 0);
	CU_ASSERT_EQUAL(memcmp(p, pkt, HDR + DP_ESP_AEAD_IV_LEN), 0);
	CU_ASSERT_EQUAL(memcmp(p + plen - ICV, pkt + plen - ICV, ICV), 0);
	free(p);
}

static void
test_gcm_draft_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof(gcm_kats) / sizeof(gcm_kats[0]); i++)
		check_aead_kat(&gcm_kats[i]);
}

/* RFC 7634 Appendix A: the whole packet, outer IPv4 header included. */
static void
test_chacha_rfc7634(void)
{
	static const struct aead_kat v = {
		"RFC 7634 A", DP_SA_CHACHA20_POLY1305,
		"808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f a0a1a2a3",
		false, 0,
		"45000054a6f200004001e778c6336405 c000020508005b7a3a080000553bec10"
		"0007362708090a0b0c0d0e0f10111213 1415161718191a1b1c1d1e1f20212223"
		"2425262728292a2b2c2d2e2f30313233 3435363701020204",
		NULL,
	};
	static const char packet[] =
		"4500008c234500004032de5bcb007199 cb007105010203040000000510111213"
		"1415161724039428b97f417e3c13753a 4f05087b67c352e6a7fab1b982d466ef"
		"407ae5c614ee8099d52844eb61aa95df ab4c02f72aa71e7c4c4f64c9befe2fac"
		"c638e8f3cbec163fac469b502773f6fb 94e664da9165b82829f641e076aaa826"
		"6b7fb0f7b11b369907e1ad43";
	uint8_t enc[DP_ESP_MAX_ENC_KEY], plain[PKT_MAX], pkt[PKT_MAX], *p;
	size_t klen = unhex(v.key, enc, sizeof(enc));
	size_t len = unhex(v.plain, plain, sizeof(plain));
	size_t plen = unhex(packet, pkt, sizeof(pkt));
	struct dp_esp_key key;

	CU_ASSERT_EQUAL_FATAL(plen, IPV4_HDR + HDR + DP_ESP_AEAD_IV_LEN + len + ICV);
	CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, &key, v.alg, enc, (uint8_t)klen, NULL, 0), 0);
	CU_ASSERT_EQUAL(key.block, 4);
	p = calloc(1, plen);
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, pkt, IPV4_HDR + HDR);
	memcpy(p + IPV4_HDR + HDR + DP_ESP_AEAD_IV_LEN, plain, len);
	CU_ASSERT_EQUAL(run1(&key, p + IPV4_HDR, len, false, 0xffffffff,
			     0x1011121314151617ULL, true), 0);
	CU_ASSERT_EQUAL(memcmp(p, pkt, plen), 0);
	memset(p + IPV4_HDR + HDR, 0, plen - IPV4_HDR - HDR);
	memcpy(p + IPV4_HDR + HDR + DP_ESP_AEAD_IV_LEN, plain, len);
	ref_seal(v.alg, enc, NULL, p + IPV4_HDR, len, 0x1011121314151617ULL, false, 0);
	CU_ASSERT_EQUAL(memcmp(p, pkt, plen), 0);	/* OpenSSL agrees */
	free(p);

	p = dup_buf(pkt, plen);
	CU_ASSERT_EQUAL(run1(&key, p + IPV4_HDR, len, false, 0, 0, false), 0);
	CU_ASSERT_EQUAL(memcmp(p + IPV4_HDR + HDR + DP_ESP_AEAD_IV_LEN, plain, len), 0);
	free(p);
}

/* ---- AES-CBC + HMAC-SHA-256-128 --------------------------------------- */

struct cbc_kat {
	const char *name;
	uint32_t spi, seq;		/* cases 1-4 are not ESP packets: made up */
	const char *key, *iv, *plain, *cipher;
};

/* RFC 3602 §4, cases 1-8 (AES-CBC-128; 5-8 are ESP packets without ICV). */
static const struct cbc_kat cbc_kats[] = {
	{ "RFC 3602 case 1", 0x101, 1,
	  "06a9214036b8a15b512e03d534120006",
	  "3dafba429d9eb430b422da802c9fac41",
	  "53696e676c6520626c6f636b206d7367",	/* "Single block msg" */
	  "e353779c1079aeb82708942dbe77181a" },
	{ "RFC 3602 case 2", 0x102, 2,
	  "c286696d887c9aa0611bbb3e2025a45a",
	  "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
	  "d296cd94c2cccf8a3a863028b5e1dc0a 7586602d253cfff91b8266bea6d61ab1" },
	{ "RFC 3602 case 3", 0x103, 3,
	  "6c3ea0477630ce21a2ce334aa746c2cd",
	  "c782dc4c098c66cbd9cd27d825682c81",
	  "5468697320697320612034382d627974 65206d65737361676520286578616374"
	  "6c7920332041455320626c6f636b7329",
	  "d0a02b3836451753d493665d33f0e886 2dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684" },
	{ "RFC 3602 case 4", 0x104, 4,
	  "56e47a38c5598974bc46903dba290349",
	  "8ce82eefbea0da3c44699ed7db51b7d9",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "c30e32ffedc0774e6aff6af0869f71aa 0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad 83ce9f9a102ee99d49a53e87f4c3da55" },
	{ "RFC 3602 case 5", 0x4321, 1,
	  "90d382b410eeba7ad938c46cec1a82bf",
	  "e96e8c08ab465763fd098d45dd3ff893",
	  "08000ebda70a00008e9c083db95b0700 08090a0b0c0d0e0f1011121314151617"
	  "18191a1b1c1d1e1f2021222324252627 28292a2b2c2d2e2f3031323334353637"
	  "0102030405060708090a0b0c0d0e0e01",
	  "f663c25d325c18c6a9453e194e120849 a4870b66cc6b9965330013b4898dc856"
	  "a4699e523a55db080b59ec3a8e4b7e52 775b07d1db34ed9c538ab50c551b874a"
	  "a269add047ad2d5913ac19b7cfbad4a6" },
	{ "RFC 3602 case 6", 0x4321, 8,
	  "90d382b410eeba7ad938c46cec1a82bf",
	  "69d08df7d203329db093fc4924e5bd80",
	  "0800b5e8a80a0500a69c083d0b660e00 77777777777777777777777701020201",
	  "f51995881ec4e0c4488987ce742e8109 689bb379d2d750c0d915dca346a89f75" },
	{ "RFC 3602 case 7", 0x8765, 2,
	  "0123456789abcdef0123456789abcdef",
	  "f4e765244f6407adf13dc1380f673f37",
	  "45000054090400004001f988c0a87b03 c0a87bc808009f76a90a0100b49c083d"
	  "02a2040008090a0b0c0d0e0f10111213 1415161718191a1b1c1d1e1f20212223"
	  "2425262728292a2b2c2d2e2f30313233 343536370102030405060708090a0a04",
	  "773b5241a4c449225e4f3ce5ed611b0c 237ca96cf74a93013c1b0ea1a0cf70f8"
	  "e4ecaec78ac53aad7a0f022b859243c6 47752e94a859352b8a4d4d2decd136e5"
	  "c177f132ad3fbfb2201ac9904c74ee0a 109e0ca1e4dfe9d5a100b842f1c22f0d" },
	{ "RFC 3602 case 8", 0x8765, 5,
	  "0123456789abcdef0123456789abcdef",
	  "85d47224b5f3dd5d2101d4ea8dffab22",
	  "45000044090c00004001f990c0a87b03 c0a87bc80800d63caa0a0200c69c083d"
	  "a3de0300ffffffffffffffffffffffff ffffffffffffffffffffffffffffffff"
	  "ffffffff0102030405060708090a0a04",
	  "15b92683819596a8047232cc00f7048f e45318e11f8a0f62ede3c3fc61203bb5"
	  "0f980a08c9843fd3a1b06d5c07ff9639 b7eb7dfb3512e5de435e7207ed971ef3"
	  "d2726d9b5ef6affc6d17a0decbb13892" },
};

/*
 * The published ciphertext with the ICV (OpenSSL HMAC, RFC 4868 key) appended
 * decrypts to the published plaintext, with and without ESN; the ESN ICV
 * fails without ESN and the other way round.
 */
static void
check_cbc_kat(const struct cbc_kat *v, bool esn)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], plain[PKT_MAX];
	uint8_t cipher[PKT_MAX], iv[DP_ESP_CBC_IV_LEN], *p, *q;
	enum dp_sa_alg alg = DP_SA_AES_CBC_128_SHA256;
	const uint32_t hi = 0x01020304;
	size_t len, plen;
	struct dp_esp_key key;

	CU_ASSERT_EQUAL_FATAL(unhex(v->key, enc, sizeof(enc)), 16);
	CU_ASSERT_EQUAL_FATAL(unhex(v->iv, iv, sizeof(iv)), DP_ESP_CBC_IV_LEN);
	unhex(auth_key_hex, auth, sizeof(auth));
	len = unhex(v->plain, plain, sizeof(plain));
	CU_ASSERT_EQUAL_FATAL(unhex(v->cipher, cipher, sizeof(cipher)), len);
	CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, &key, alg, enc, 16, auth, 32), 0);
	plen = pkt_len(alg, len);
	p = make_plain_pkt(alg, v->spi, v->seq, cipher, len);
	memcpy(p + HDR, iv, sizeof(iv));
	ref_hmac_icv(auth, p, plen - ICV, esn, hi, p + plen - ICV);
	q = dup_buf(p, plen);
	CU_ASSERT_EQUAL(run1(&key, p, len, esn, hi, 0, false), 0);
	CU_ASSERT_EQUAL(memcmp(p + HDR + DP_ESP_CBC_IV_LEN, plain, len), 0);
	CU_ASSERT_EQUAL(memcmp(p + plen - ICV, q + plen - ICV, ICV), 0);	/* ICV kept */
	if (memcmp(p + HDR + DP_ESP_CBC_IV_LEN, plain, len) != 0)
		printf("\n  %s: decrypted payload differs\n", v->name);
	CU_ASSERT_EQUAL(run1(&key, q, len, !esn, hi, 0, false), -EBADMSG);
	free(p);
	free(q);
}

/* Encrypting the same plaintext gives what OpenSSL computes. */
static void
check_cbc_kat_encrypt(const struct cbc_kat *v, bool esn)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], plain[PKT_MAX], *p, *q;
	enum dp_sa_alg alg = DP_SA_AES_CBC_128_SHA256;
	struct dp_esp_key key;
	size_t len, plen;

	unhex(v->key, enc, sizeof(enc));
	unhex(auth_key_hex, auth, sizeof(auth));
	len = unhex(v->plain, plain, sizeof(plain));
	CU_ASSERT_EQUAL_FATAL(dp_esp_key_init(mgr, &key, alg, enc, 16, auth, 32), 0);
	plen = pkt_len(alg, len);
	p = make_plain_pkt(alg, v->spi, v->seq, plain, len);
	q = dup_buf(p, plen);
	CU_ASSERT_EQUAL(run1(&key, p, len, esn, 0x01020304, v->seq, true), 0);
	ref_seal(alg, enc, auth, q, len, v->seq, esn, 0x01020304);
	CU_ASSERT_EQUAL(memcmp(p, q, plen), 0);
	free(p);
	free(q);
}

static void
test_cbc_rfc3602(void)
{
	size_t i;

	for (i = 0; i < sizeof(cbc_kats) / sizeof(cbc_kats[0]); i++) {
		check_cbc_kat(&cbc_kats[i], false);
		check_cbc_kat(&cbc_kats[i], true);
		check_cbc_kat_encrypt(&cbc_kats[i], false);
		check_cbc_kat_encrypt(&cbc_kats[i], true);
	}
}

/* IV = AES-ECB_K(be64(iv_nonce) || 0^64), against OpenSSL's AES-ECB. */
static void
test_cbc_iv(void)
{
	static const uint64_t nonces[] = {
		0, 1, 0x0123456789abcdefULL, 0x0001000000000005ULL, UINT64_MAX,
	};
	static const enum dp_sa_alg algs[] = {
		DP_SA_AES_CBC_128_SHA256, DP_SA_AES_CBC_256_SHA256,
	};
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], payload[64];
	uint8_t iv[DP_ESP_CBC_IV_LEN], prev[DP_ESP_CBC_IV_LEN] = { 0 }, *p;
	struct dp_esp_key key;
	size_t a, i;

	fill_pattern(payload, sizeof(payload), 3);
	for (a = 0; a < 2; a++) {
		make_key(&key, algs[a], 0, enc, auth);
		for (i = 0; i < sizeof(nonces) / sizeof(nonces[0]); i++) {
			p = make_plain_pkt(algs[a], 0x5000, 7, payload, sizeof(payload));
			CU_ASSERT_EQUAL(run1(&key, p, sizeof(payload), false, 0, nonces[i], true),
					0);
			ref_cbc_iv(algs[a], enc, nonces[i], iv);
			CU_ASSERT_EQUAL(memcmp(p + HDR, iv, sizeof(iv)), 0);
			CU_ASSERT_NOT_EQUAL(memcmp(iv, prev, sizeof(iv)), 0);
			memcpy(prev, iv, sizeof(iv));
			free(p);
		}
	}
}

/* ---- every algorithm against OpenSSL, with and without ESN ------------ */

static void
check_vs_openssl(enum dp_sa_alg alg, uint32_t len, bool esn, uint32_t hi, uint64_t nonce)
{
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], payload[PKT_MAX], *p, *q;
	size_t plen = pkt_len(alg, len);
	struct dp_esp_key key;

	make_key(&key, alg, 1, enc, auth);
	fill_pattern(payload, len, len + alg);
	p = make_plain_pkt(alg, 0x1000 + alg, (uint32_t)nonce, payload, len);
	q = dup_buf(p, plen);
	CU_ASSERT_EQUAL(run1(&key, p, len, esn, hi, nonce, true), 0);
	ref_seal(alg, enc, auth, q, len, nonce, esn, esn ? hi : 0);
	CU_ASSERT_EQUAL(memcmp(p, q, plen), 0);
	if (memcmp(p, q, plen) != 0)
		printf("\n  %s len %u esn %d: differs from OpenSSL\n", dp_sa_alg_name(alg),
		       len, esn);
	CU_ASSERT_EQUAL(run1(&key, q, len, esn, hi, 0, false), 0);
	CU_ASSERT_EQUAL(memcmp(q + HDR + iv_len(alg), payload, len), 0);
	CU_ASSERT_EQUAL(memcmp(q + plen - ICV, p + plen - ICV, ICV), 0);
	free(p);
	free(q);
}

static void
test_openssl_esn(void)
{
	static const uint32_t lens[] = { 16, 64, 1424, 4, 20, 1420 };	/* last 3: AEAD */
	static const uint32_t his[] = { 0, 1, 0x87654321, 0xffffffff };
	static const uint64_t nonces[] = { 1, 0x0002000000000100ULL, UINT64_MAX };
	enum dp_sa_alg alg;
	size_t l, h, n;

	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			if (lens[l] % 16 != 0 && !is_aead(alg))
				continue;
			for (n = 0; n < sizeof(nonces) / sizeof(nonces[0]); n++) {
				/* without ESN, seq_hi must be ignored */
				check_vs_openssl(alg, lens[l], false, 0xdeadbeef, nonces[n]);
				for (h = 0; h < sizeof(his) / sizeof(his[0]); h++)
					check_vs_openssl(alg, lens[l], true, his[h], nonces[n]);
			}
		}
	}
}

/* ---- tampering -------------------------------------------------------- */

/* Every single-bit flip of SPI, seq, IV, ciphertext or ICV: -EBADMSG. */
static void
check_bitflips(enum dp_sa_alg alg, bool esn)
{
	const uint32_t len = 32, hi = 0x01020304;
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], payload[32], *base;
	uint8_t *bufs[DP_ESP_MAX_BURST];
	struct dp_esp_op ops[DP_ESP_MAX_BURST];
	size_t plen = pkt_len(alg, len), bits = plen * 8, bit;
	unsigned int k, n, good = 0, wrong = 0;
	struct dp_esp_key key;

	make_key(&key, alg, 0, enc, auth);
	fill_pattern(payload, len, alg);
	base = make_plain_pkt(alg, 0xabcd0000 + alg, 77, payload, len);
	CU_ASSERT_EQUAL(run1(&key, base, len, esn, hi, 0x77, true), 0);
	for (bit = 0; bit < bits; bit += n) {
		n = bits - bit < DP_ESP_MAX_BURST ? (unsigned int)(bits - bit) : DP_ESP_MAX_BURST;
		for (k = 0; k < n; k++) {
			bufs[k] = dup_buf(base, plen);
			bufs[k][(bit + k) / 8] ^= (uint8_t)(1u << ((bit + k) % 8));
			ops[k] = (struct dp_esp_op){ .key = &key, .esp = bufs[k],
				.payload_len = len, .esn = esn, .seq_hi = hi, .status = 1 };
		}
		good += dp_esp_decrypt_burst(mgr, ops, n);
		for (k = 0; k < n; k++) {
			wrong += ops[k].status != -EBADMSG;
			free(bufs[k]);
		}
	}
	CU_ASSERT_EQUAL(good, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(run1(&key, base, len, esn, hi, 0, false), 0);	/* control */
	CU_ASSERT_EQUAL(memcmp(base + HDR + iv_len(alg), payload, len), 0);
	free(base);
}

static void
test_bitflips(void)
{
	enum dp_sa_alg alg;

	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		check_bitflips(alg, false);
		check_bitflips(alg, true);
	}
}

/* Decrypts a fresh copy of pkt with the given ESN settings. */
static int
decrypt_copy(const struct dp_esp_key *key, const uint8_t *pkt, uint32_t len, bool esn,
	     uint32_t hi)
{
	uint8_t *p = dup_buf(pkt, pkt_len(key->alg, len));
	int rc = run1(key, p, len, esn, hi, 0, false);

	free(p);
	return rc;
}

/* RFC 4303 §3.4.3: the ICV covers seq_hi, so a wrong guess fails. */
static void
test_esn_wrong_seq_hi(void)
{
	const uint32_t len = 48, hi = 7;
	uint8_t enc[DP_ESP_MAX_ENC_KEY], auth[DP_ESP_MAX_AUTH_KEY], payload[48], *p, *q;
	struct dp_esp_key key;
	enum dp_sa_alg alg;

	fill_pattern(payload, len, 9);
	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		make_key(&key, alg, 1, enc, auth);
		p = make_plain_pkt(alg, 0x600 + alg, 0xfffffffe, payload, len);
		q = dup_buf(p, pkt_len(alg, len));
		CU_ASSERT_EQUAL(run1(&key, p, len, true, hi, 5, true), 0);
		CU_ASSERT_EQUAL(run1(&key, q, len, false, 0, 5, true), 0);	/* no ESN */
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, true, hi), 0);
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, true, hi + 1), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, true, hi - 1), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, true, hi ^ 0x80000000), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, true, 0), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_copy(&key, p, len, false, hi), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_copy(&key, q, len, false, 0), 0);
		CU_ASSERT_EQUAL(decrypt_copy(&key, q, len, true, 0), -EBADMSG);
		free(p);
		free(q);
	}
}

/* ---- bursts ----------------------------------------------------------- */

struct burst_keys {
	struct dp_esp_key key[DP_SA_ALG_COUNT][KEY_SETS];
	uint8_t enc[DP_SA_ALG_COUNT][KEY_SETS][DP_ESP_MAX_ENC_KEY];
	uint8_t auth[DP_SA_ALG_COUNT][KEY_SETS][DP_ESP_MAX_AUTH_KEY];
};

static struct burst_keys bk;

struct mixed_op {
	enum dp_sa_alg alg;
	unsigned int set;
	uint32_t len;
	uint8_t *pkt, *ref, *payload;
	int want;
};

/* Op i of the mixed burst: all algorithms, two keys each, ESN on and off,
 * 4 .. 1520 bytes. */
static void
mixed_setup(struct mixed_op *m, struct dp_esp_op *op, unsigned int i)
{
	size_t plen;

	m->alg = (enum dp_sa_alg)(i % DP_SA_ALG_COUNT);
	m->set = (i / DP_SA_ALG_COUNT) % KEY_SETS;
	m->len = is_aead(m->alg) ? 4 * (1 + (i * 37) % 380) : 16 * (1 + (i * 7) % 95);
	plen = pkt_len(m->alg, m->len);
	m->payload = malloc(m->len);
	CU_ASSERT_FATAL(m->payload != NULL);
	fill_pattern(m->payload, m->len, i);
	m->pkt = make_plain_pkt(m->alg, 0x2000 + i, 1000 + i, m->payload, m->len);
	m->ref = dup_buf(m->pkt, plen);
	*op = (struct dp_esp_op){
		.key = &bk.key[m->alg][m->set], .esp = m->pkt, .payload_len = m->len,
		.esn = (i / 3) % 2 == 1, .seq_hi = 0x9e3779b9u * i, .iv_nonce = 0x10001ULL * i,
		.status = 1,
	};
	ref_seal(m->alg, bk.enc[m->alg][m->set], bk.auth[m->alg][m->set], m->ref, m->len,
		 op->iv_nonce, op->esn, op->seq_hi);
}

/* Damages some ops: a flipped bit, a wrong seq_hi or ICV byte, the other key. */
static void
mixed_tamper(struct mixed_op *m, struct dp_esp_op *op, unsigned int i)
{
	size_t plen = pkt_len(m->alg, m->len), bit;

	m->want = 0;
	switch (i % 8) {
	case 1:
		bit = (i * 29) % (plen * 8);
		m->pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		m->want = -EBADMSG;
		break;
	case 4:
		if (op->esn)
			op->seq_hi++;
		else
			m->pkt[plen - 1] ^= 0x80;
		m->want = -EBADMSG;
		break;
	case 6:
		op->key = &bk.key[m->alg][(m->set + 1) % KEY_SETS];
		m->want = -EBADMSG;
		break;
	}
}

static void
test_mixed_burst(void)
{
	struct mixed_op m[MIXED_OPS];
	struct dp_esp_op ops[MIXED_OPS];
	unsigned int i, want_good = 0, diff = 0, bad_status = 0, bad_plain = 0;

	for (i = 0; i < MIXED_OPS; i++)
		mixed_setup(&m[i], &ops[i], i);
	CU_ASSERT_EQUAL(dp_esp_encrypt_burst(mgr, ops, MIXED_OPS), MIXED_OPS);
	for (i = 0; i < MIXED_OPS; i++) {
		diff += ops[i].status != 0 ||
			memcmp(m[i].pkt, m[i].ref, pkt_len(m[i].alg, m[i].len)) != 0;
		mixed_tamper(&m[i], &ops[i], i);
		want_good += m[i].want == 0;
		ops[i].status = 1;
	}
	CU_ASSERT_EQUAL(diff, 0);
	CU_ASSERT_EQUAL(dp_esp_decrypt_burst(mgr, ops, MIXED_OPS), want_good);
	for (i = 0; i < MIXED_OPS; i++) {
		bad_status += ops[i].status != m[i].want;
		if (m[i].want == 0)
			bad_plain += memcmp(m[i].pkt + HDR + iv_len(m[i].alg), m[i].payload,
					    m[i].len) != 0;
		free(m[i].pkt);
		free(m[i].ref);
		free(m[i].payload);
	}
	CU_ASSERT_EQUAL(want_good, 40);
	CU_ASSERT_EQUAL(bad_status, 0);
	CU_ASSERT_EQUAL(bad_plain, 0);
}

/* More ops than DP_ESP_MAX_BURST in one call. */
static void
test_chunked_burst(void)
{
	static struct dp_esp_op ops[CHUNKED_OPS];
	static uint8_t *pkts[CHUNKED_OPS];
	uint8_t payload[96];
	unsigned int i, bad = 0;

	fill_pattern(payload, sizeof(payload), 5);
	for (i = 0; i < CHUNKED_OPS; i++) {
		pkts[i] = make_plain_pkt(i % DP_SA_ALG_COUNT, 0x3000, i, payload, sizeof(payload));
		ops[i] = (struct dp_esp_op){ .key = &bk.key[i % DP_SA_ALG_COUNT][i % KEY_SETS],
			.esp = pkts[i], .payload_len = sizeof(payload), .iv_nonce = i,
			.status = 1 };
	}
	CU_ASSERT_EQUAL(dp_esp_encrypt_burst(mgr, ops, CHUNKED_OPS), CHUNKED_OPS);
	pkts[CHUNKED_OPS - 1][0] ^= 1;	/* last op, third chunk */
	CU_ASSERT_EQUAL(dp_esp_decrypt_burst(mgr, ops, CHUNKED_OPS), CHUNKED_OPS - 1);
	for (i = 0; i < CHUNKED_OPS; i++) {
		if (i < CHUNKED_OPS - 1)
			bad += ops[i].status != 0 ||
			       memcmp(pkts[i] + HDR + iv_len(i % DP_SA_ALG_COUNT), payload,
				      sizeof(payload)) != 0;
		free(pkts[i]);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(ops[CHUNKED_OPS - 1].status, -EBADMSG);
	CU_ASSERT_EQUAL(dp_esp_encrypt_burst(mgr, ops, 0), 0);
}

/* Payload lengths off the block size, no key or no packet: -EINVAL, the
 * packet untouched, the rest of the burst unaffected. */
static void
test_invalid_ops(void)
{
	static const struct {
		enum dp_sa_alg alg;
		uint32_t len;
		int want;
	} c[] = {
		{ DP_SA_AES_GCM_128, 64, 0 }, { DP_SA_AES_GCM_128, 6, -EINVAL },
		{ DP_SA_AES_CBC_128_SHA256, 20, -EINVAL }, { DP_SA_AES_CBC_256_SHA256, 0, -EINVAL },
		{ DP_SA_CHACHA20_POLY1305, 0, -EINVAL }, { DP_SA_CHACHA20_POLY1305, 2, -EINVAL },
		{ DP_SA_AES_CBC_256_SHA256, 32, 0 }, { DP_SA_AES_GCM_256, 4, 0 },
	};
	enum { N = sizeof(c) / sizeof(c[0]) };
	struct dp_esp_op ops[N + 2];
	uint8_t payload[64] = { 1, 2, 3 }, *p[N], *orig[N], spare[64];
	unsigned int i, round, bad = 0;

	for (i = 0; i < N; i++) {
		p[i] = make_plain_pkt(c[i].alg, 0x4000 + i, 1, payload, c[i].len);
		orig[i] = dup_buf(p[i], pkt_len(c[i].alg, c[i].len));
		ops[i] = (struct dp_esp_op){ .key = &bk.key[c[i].alg][0], .esp = p[i],
					     .payload_len = c[i].len, .status = 1 };
	}
	ops[N] = (struct dp_esp_op){ .key = NULL, .esp = spare, .payload_len = 16 };
	ops[N + 1] = (struct dp_esp_op){ .key = &bk.key[0][0], .esp = NULL, .payload_len = 16 };
	for (round = 0; round < 2; round++) {
		CU_ASSERT_EQUAL(round == 0 ? dp_esp_encrypt_burst(mgr, ops, N + 2) :
					     dp_esp_decrypt_burst(mgr, ops, N + 2), 3);
		for (i = 0; i < N; i++) {
			bad += ops[i].status != c[i].want;
			if (c[i].want != 0)
				bad += memcmp(p[i], orig[i], pkt_len(c[i].alg, c[i].len)) != 0;
		}
		CU_ASSERT_EQUAL(ops[N].status, -EINVAL);
		CU_ASSERT_EQUAL(ops[N + 1].status, -EINVAL);
	}
	for (i = 0; i < N; i++) {
		if (c[i].want == 0)
			bad += memcmp(p[i] + HDR + iv_len(c[i].alg), payload, c[i].len) != 0;
		free(p[i]);
		free(orig[i]);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * A job the library itself refuses (a CBC key struct doctored to claim
 * 4-byte alignment, with 20 bytes of payload): the burst falls back to one
 * job at a time, that op gets -EINVAL, the others complete normally. A
 * wiped key (block 0) is refused before the library sees it.
 */
static void
test_library_refusal(void)
{
	static struct dp_esp_key bad, wiped;
	const enum dp_sa_alg algs[3] = {
		DP_SA_AES_GCM_128, DP_SA_AES_CBC_128_SHA256, DP_SA_CHACHA20_POLY1305,
	};
	uint8_t payload[20] = { 9, 8, 7 }, *p[3], *q[3];
	struct dp_esp_op ops[4];
	unsigned int i, round;

	bad = bk.key[DP_SA_AES_CBC_128_SHA256][0];
	bad.block = 4;
	wiped = bk.key[DP_SA_AES_GCM_128][0];
	dp_esp_key_wipe(&wiped);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 3; i++) {
			p[i] = make_plain_pkt(algs[i], 0x7000 + i, 3, payload, sizeof(payload));
			q[i] = dup_buf(p[i], pkt_len(algs[i], sizeof(payload)));
			ops[i] = (struct dp_esp_op){ .key = i == 1 ? &bad : &bk.key[algs[i]][0],
				.esp = p[i], .payload_len = sizeof(payload), .iv_nonce = 42,
				.esn = round == 1, .seq_hi = 5, .status = 1 };
		}
		ops[3] = (struct dp_esp_op){ .key = &wiped, .esp = q[0], .payload_len = 20 };
		CU_ASSERT_EQUAL(dp_esp_encrypt_burst(mgr, ops, 4), 2);
		CU_ASSERT_EQUAL(ops[0].status, 0);
		CU_ASSERT_EQUAL(ops[1].status, -EINVAL);
		CU_ASSERT_EQUAL(ops[2].status, 0);
		CU_ASSERT_EQUAL(ops[3].status, -EINVAL);
		CU_ASSERT_EQUAL(dp_esp_decrypt_burst(mgr, ops, 4), 2);
		CU_ASSERT_EQUAL(ops[1].status, -EINVAL);
		for (i = 0; i < 3; i += 2) {
			CU_ASSERT_EQUAL(ops[i].status, 0);
			ref_seal(algs[i], bk.enc[algs[i]][0], bk.auth[algs[i]][0], q[i],
				 sizeof(payload), 42, round == 1, 5);
			CU_ASSERT_EQUAL(memcmp(p[i] + HDR + iv_len(algs[i]), payload,
					       sizeof(payload)), 0);
			CU_ASSERT_EQUAL(decrypt_copy(&bk.key[algs[i]][0], q[i], sizeof(payload),
						     round == 1, 5), 0);
		}
		for (i = 0; i < 3; i++) {
			free(p[i]);
			free(q[i]);
		}
	}
}

/* Suite init: the keys the burst tests share. */
static int
burst_keys_init(void)
{
	enum dp_sa_alg alg;
	unsigned int set;

	for (alg = 0; alg < DP_SA_ALG_COUNT; alg++) {
		for (set = 0; set < KEY_SETS; set++) {
			test_key_bytes(alg, set, bk.enc[alg][set], bk.auth[alg][set]);
			if (dp_esp_key_init(mgr, &bk.key[alg][set], alg, bk.enc[alg][set],
					    dp_sa_alg_enc_key_len(alg), bk.auth[alg][set],
					    dp_sa_alg_auth_key_len(alg)) != 0)
				return -1;
		}
	}
	return 0;
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "alg_names", test_alg_names },
		{ "key_lengths", test_key_lengths },
		{ "key_wipe", test_key_wipe },
		{ "hmac_rfc4868", test_hmac_rfc4868 },
		{ "gcm_draft_mcgrew_vectors", test_gcm_draft_vectors },
		{ "chacha_rfc7634", test_chacha_rfc7634 },
		{ "cbc_rfc3602", test_cbc_rfc3602 },
		{ "cbc_iv_ecb", test_cbc_iv },
		{ "openssl_esn", test_openssl_esn },
		{ "bitflips", test_bitflips },
		{ "esn_wrong_seq_hi", test_esn_wrong_seq_hi },
		{ "mixed_burst", test_mixed_burst },
		{ "chunked_burst", test_chunked_burst },
		{ "invalid_ops", test_invalid_ops },
		{ "library_refusal", test_library_refusal },
	};
	unsigned int failures, i;
	CU_pSuite suite;

	mgr = dp_esp_mgr_create();
	if (mgr == NULL) {
		fprintf(stderr, "dp_esp_mgr_create failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("esp_crypto", burst_keys_init, NULL);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	dp_esp_mgr_free(mgr);
	return cu_exit_status(failures);
}
