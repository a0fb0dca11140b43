/*
 * ESP cryptography through Intel IPsec-MB. AES-GCM runs through the direct
 * GCM API, one call per packet: on this library and CPU it is the fastest
 * way (no job set-up, no lanes to fill; bench/README.md). The other
 * algorithms make one job per packet, all jobs of a burst submitted at
 * once (burst API) before the manager is flushed, so the multi-buffer
 * lanes fill. Should the library refuse a burst (a job it finds invalid),
 * those ops go through the job API one by one instead, so that each gets
 * its own status. Transforms:
 *   AES-GCM-128/256, 16-byte ICV   RFC 4106 §3 (IV), §4 (nonce), §5 (AAD)
 *   AES-CBC-128/256                RFC 3602 §2.3 (IV), §3 (padding)
 *   HMAC-SHA-256-128               RFC 4868 §2.1-2.3, RFC 2104
 *   ChaCha20-Poly1305              RFC 7634 §2 (IV, nonce), §2.1 (AAD)
 * with 32-bit or extended sequence numbers: the AEAD AAD is SPI || seq_hi ||
 * seq_lo (RFC 4106 §5, RFC 7634 §2.1); HMAC covers the packet followed by
 * seq_hi, which is not sent (RFC 4303 §3.3.2.1, §3.4.3).
 *
 * Decrypt order. The library decrypts in place while it computes the ICV
 * over the ciphertext (GHASH, Poly1305 and HMAC all cover the ciphertext),
 * so both results arrive together; the computed ICV is then compared with
 * the received one in constant time, and an op whose ICV differs gets
 * -EBADMSG: its payload is undefined plaintext the caller must discard.
 * The received ICV is never overwritten (computed ICVs go to a scratch
 * area; for HMAC with ESN, where seq_hi takes the ICV's place during the
 * hash, it is saved first and restored after).
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <immintrin.h>

#include "dataplane/esp_crypto.h"

enum {
	ESP_SEQ_HI_LEN = 4,		/* RFC 4303 §3.3.2.1: high 32 bits, ICV only */
	ESP_AAD_LEN = 8,		/* SPI || seq (RFC 4106 §5) */
	ESP_AAD_ESN_LEN = 12,		/* SPI || seq_hi || seq_lo */
	ESP_AEAD_NONCE_LEN = 12,	/* salt || explicit IV (RFC 4106 §4) */
	ESP_AEAD_BLOCK = 4,		/* RFC 4303 §2.4: 4-byte alignment */
	ESP_SHA256_BLOCK = 64,
	ESP_HMAC_IPAD = 0x36,		/* RFC 2104 §2 */
	ESP_HMAC_OPAD = 0x5c,
	ESP_AES128_KEY = 16,
	ESP_AES256_KEY = 32,
	ESP_CHACHA_KEY = 32,
	ESP_HMAC_SHA256_KEY = 32,	/* RFC 4868 §2.1.1 */
};

/* Per-op data the library reads or writes until the job completes. */
struct esp_scratch {
	uint8_t iv[DP_ESP_AES_BLOCK];	/* AEAD nonce; CBC: ECB input block */
	uint8_t aad[DP_ESP_AES_BLOCK];	/* SPI || seq_hi || seq_lo (12 bytes) || 0 */
	uint8_t tag[DP_ESP_ICV_LEN];	/* ICV computed by the library */
	uint8_t icv[DP_ESP_ICV_LEN];	/* received ICV (HMAC with ESN) */
};

struct esp_alg_info {
	const char *name;
	uint8_t enc_key_len;		/* incl. salt */
	uint8_t auth_key_len;
};

static const struct esp_alg_info esp_algs[DP_SA_ALG_COUNT] = {
	[DP_SA_AES_GCM_128] = { "aes-gcm-128", ESP_AES128_KEY + DP_ESP_SALT_LEN, 0 },
	[DP_SA_AES_GCM_256] = { "aes-gcm-256", ESP_AES256_KEY + DP_ESP_SALT_LEN, 0 },
	[DP_SA_AES_CBC_128_SHA256] = { "aes-cbc-128-hmac-sha256", ESP_AES128_KEY,
				       ESP_HMAC_SHA256_KEY },
	[DP_SA_AES_CBC_256_SHA256] = { "aes-cbc-256-hmac-sha256", ESP_AES256_KEY,
				       ESP_HMAC_SHA256_KEY },
	[DP_SA_CHACHA20_POLY1305] = { "chacha20-poly1305", ESP_CHACHA_KEY + DP_ESP_SALT_LEN, 0 },
};

const char *
dp_sa_alg_name(enum dp_sa_alg alg)
{
	if ((unsigned int)alg >= DP_SA_ALG_COUNT)
		return "unknown";
	return esp_algs[alg].name;
}

int
dp_sa_alg_parse(const char *name, enum dp_sa_alg *alg)
{
	unsigned int i;

	if (name == NULL)
		return -EINVAL;
	for (i = 0; i < DP_SA_ALG_COUNT; i++) {
		if (strcmp(name, esp_algs[i].name) == 0) {
			*alg = (enum dp_sa_alg)i;
			return 0;
		}
	}
	return -EINVAL;
}

uint8_t
dp_sa_alg_enc_key_len(enum dp_sa_alg alg)
{
	return (unsigned int)alg < DP_SA_ALG_COUNT ? esp_algs[alg].enc_key_len : 0;
}

uint8_t
dp_sa_alg_auth_key_len(enum dp_sa_alg alg)
{
	return (unsigned int)alg < DP_SA_ALG_COUNT ? esp_algs[alg].auth_key_len : 0;
}

IMB_MGR *
dp_esp_mgr_create(void)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return NULL;
	init_mb_mgr_auto(mgr, NULL);
	if (imb_get_errno(mgr) != 0) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

void
dp_esp_mgr_free(IMB_MGR *mgr)
{
	if (mgr != NULL)
		free_mb_mgr(mgr);
}

static bool
esp_is_aead(enum dp_sa_alg alg)
{
	return alg != DP_SA_AES_CBC_128_SHA256 && alg != DP_SA_AES_CBC_256_SHA256;
}

static bool
esp_is_aes256(enum dp_sa_alg alg)
{
	return alg == DP_SA_AES_GCM_256 || alg == DP_SA_AES_CBC_256_SHA256;
}

/* AES-GCM goes through the direct API, not the multi-buffer lanes. */
static bool
esp_is_gcm(enum dp_sa_alg alg)
{
	return alg == DP_SA_AES_GCM_128 || alg == DP_SA_AES_GCM_256;
}

/* RFC 2104 §2: the SHA-256 states after one block of K ^ ipad and K ^ opad. */
static void
esp_hmac_precompute(IMB_MGR *mgr, struct dp_esp_key *key, const uint8_t *auth_key)
{
	uint8_t block[ESP_SHA256_BLOCK];
	unsigned int i;

	memset(block, ESP_HMAC_IPAD, sizeof(block));
	for (i = 0; i < ESP_HMAC_SHA256_KEY; i++)
		block[i] ^= auth_key[i];
	IMB_SHA256_ONE_BLOCK(mgr, block, key->k.cbc.ipad);
	memset(block, ESP_HMAC_OPAD, sizeof(block));
	for (i = 0; i < ESP_HMAC_SHA256_KEY; i++)
		block[i] ^= auth_key[i];
	IMB_SHA256_ONE_BLOCK(mgr, block, key->k.cbc.opad);
	explicit_bzero(block, sizeof(block));
}

static void
esp_key_expand(IMB_MGR *mgr, struct dp_esp_key *key, const uint8_t *enc_key,
	       uint8_t enc_len, const uint8_t *auth_key)
{
	switch (key->alg) {
	case DP_SA_AES_GCM_128:
		IMB_AES128_GCM_PRE(mgr, enc_key, &key->k.gcm);
		break;
	case DP_SA_AES_GCM_256:
		IMB_AES256_GCM_PRE(mgr, enc_key, &key->k.gcm);
		break;
	case DP_SA_AES_CBC_128_SHA256:
		IMB_AES_KEYEXP_128(mgr, enc_key, key->k.cbc.enc, key->k.cbc.dec);
		esp_hmac_precompute(mgr, key, auth_key);
		break;
	case DP_SA_AES_CBC_256_SHA256:
		IMB_AES_KEYEXP_256(mgr, enc_key, key->k.cbc.enc, key->k.cbc.dec);
		esp_hmac_precompute(mgr, key, auth_key);
		break;
	case DP_SA_CHACHA20_POLY1305:
		memcpy(key->k.chacha.key, enc_key, ESP_CHACHA_KEY);
		break;
	case DP_SA_ALG_COUNT:
		break;
	}
	if (esp_is_aead(key->alg))
		memcpy(key->salt, enc_key + enc_len - DP_ESP_SALT_LEN, DP_ESP_SALT_LEN);
}

int
dp_esp_key_init(IMB_MGR *mgr, struct dp_esp_key *key, enum dp_sa_alg alg,
		const uint8_t *enc_key, uint8_t enc_len, const uint8_t *auth_key,
		uint8_t auth_len)
{
	if (mgr == NULL || key == NULL || enc_key == NULL ||
	    (unsigned int)alg >= DP_SA_ALG_COUNT)
		return -EINVAL;
	if (enc_len != esp_algs[alg].enc_key_len || auth_len != esp_algs[alg].auth_key_len)
		return -EINVAL;
	if (auth_len != 0 && auth_key == NULL)
		return -EINVAL;

	memset(key, 0, sizeof(*key));
	key->alg = alg;
	key->iv_len = esp_is_aead(alg) ? DP_ESP_AEAD_IV_LEN : DP_ESP_CBC_IV_LEN;
	key->block = esp_is_aead(alg) ? ESP_AEAD_BLOCK : DP_ESP_AES_BLOCK;
	esp_key_expand(mgr, key, enc_key, enc_len, auth_key);
	return 0;
}

void
dp_esp_key_wipe(struct dp_esp_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

/* Constant time: no branch or early exit on the bytes compared. */
static bool
esp_icv_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, sizeof(a0));
	memcpy(&a1, a + sizeof(a0), sizeof(a1));
	memcpy(&b0, b, sizeof(b0));
	memcpy(&b1, b + sizeof(b0), sizeof(b1));
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* Blocks are powers of two (4 or 16): a mask, not a division, per op. */
static bool
esp_op_valid(const struct dp_esp_op *op)
{
	const struct dp_esp_key *key = op->key;

	return key != NULL && op->esp != NULL && op->payload_len != 0 &&
	       (unsigned int)key->alg < DP_SA_ALG_COUNT &&
	       (key->block == ESP_AEAD_BLOCK || key->block == DP_ESP_AES_BLOCK) &&
	       (op->payload_len & (key->block - 1u)) == 0;
}

static uint8_t *
esp_icv_ptr(const struct dp_esp_op *op)
{
	return op->esp + DP_ESP_HDR_LEN + op->key->iv_len + op->payload_len;
}

/* AEAD nonce (salt || explicit IV) and AAD; returns the AAD length. */
static uint64_t
esp_aead_prepare(const struct dp_esp_op *op, struct esp_scratch *s, const uint8_t **aad)
{
	uint32_t hi = htobe32(op->seq_hi);
	uint32_t salt, spi, lo;
	uint64_t iv;

	/* One 16-byte store (salt || IV || 0), likewise the ESN AAD below:
	 * the library reads each with one wide load, which the CPU cannot
	 * forward from a store of each part (it would wait for them). */
	memcpy(&salt, op->key->salt, sizeof(salt));
	memcpy(&iv, op->esp + DP_ESP_HDR_LEN, sizeof(iv));
	_mm_storeu_si128((__m128i *)s->iv, _mm_set_epi64x((long long)(iv >> 32),
							  (long long)(salt | iv << 32)));
	if (!op->esn) {
		*aad = op->esp;
		return ESP_AAD_LEN;
	}
	memcpy(&spi, op->esp, sizeof(spi));
	memcpy(&lo, op->esp + sizeof(spi), sizeof(lo));
	_mm_storeu_si128((__m128i *)s->aad, _mm_set_epi32(0, (int)lo, (int)hi, (int)spi));
	*aad = s->aad;
	return ESP_AAD_ESN_LEN;
}

/*
 * AES-GCM through the direct API (RFC 4106): nonce and AAD as for a job;
 * encrypting writes the ICV into the packet, decrypting computes it aside
 * and compares it with the received one in constant time.
 */
static int
esp_gcm_one(IMB_MGR *mgr, const struct dp_esp_op *op, bool encrypt)
{
	const struct gcm_key_data *key = &op->key->k.gcm;
	uint8_t *data = op->esp + DP_ESP_HDR_LEN + DP_ESP_AEAD_IV_LEN;
	uint8_t *icv = data + op->payload_len;
	uint64_t len = op->payload_len;
	bool aes256 = op->key->alg == DP_SA_AES_GCM_256;
	struct gcm_context_data ctx;
	struct esp_scratch s;
	const uint8_t *aad;
	uint64_t aad_len = esp_aead_prepare(op, &s, &aad);

	if (encrypt && aes256)
		IMB_AES256_GCM_ENC(mgr, key, &ctx, data, data, len, s.iv, aad, aad_len, icv,
				   DP_ESP_ICV_LEN);
	else if (encrypt)
		IMB_AES128_GCM_ENC(mgr, key, &ctx, data, data, len, s.iv, aad, aad_len, icv,
				   DP_ESP_ICV_LEN);
	else if (aes256)
		IMB_AES256_GCM_DEC(mgr, key, &ctx, data, data, len, s.iv, aad, aad_len, s.tag,
				   DP_ESP_ICV_LEN);
	else
		IMB_AES128_GCM_DEC(mgr, key, &ctx, data, data, len, s.iv, aad, aad_len, s.tag,
				   DP_ESP_ICV_LEN);
	if (encrypt)
		return 0;
	return esp_icv_equal(s.tag, icv) ? 0 : -EBADMSG;
}

/* An op for the multi-buffer lanes: valid and not run yet. */
static bool
esp_queued(const struct dp_esp_op *op)
{
	return op->status == 0 && !esp_is_gcm(op->key->alg);
}

static void
esp_job_aead(IMB_JOB *job, const struct dp_esp_op *op, struct esp_scratch *s)
{
	const struct dp_esp_key *key = op->key;
	const uint8_t *aad;
	uint64_t aad_len = esp_aead_prepare(op, s, &aad);

	job->iv = s->iv;
	job->iv_len_in_bytes = ESP_AEAD_NONCE_LEN;
	if (key->alg == DP_SA_CHACHA20_POLY1305) {
		job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
		job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
		job->enc_keys = job->dec_keys = key->k.chacha.key;
		job->key_len_in_bytes = ESP_CHACHA_KEY;
		job->u.CHACHA20_POLY1305.aad = aad;
		job->u.CHACHA20_POLY1305.aad_len_in_bytes = aad_len;
		job->u.CHACHA20_POLY1305.ctx = NULL;
	} else {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->enc_keys = job->dec_keys = &key->k.gcm;
		job->key_len_in_bytes = esp_is_aes256(key->alg) ? ESP_AES256_KEY : ESP_AES128_KEY;
		job->u.GCM.aad = aad;
		job->u.GCM.aad_len_in_bytes = aad_len;
		job->u.GCM.ctx = NULL;
	}
	job->hash_start_src_offset_in_bytes = DP_ESP_HDR_LEN + DP_ESP_AEAD_IV_LEN;
	job->msg_len_to_hash_in_bytes = op->payload_len;
}

/* HMAC over ESP header || IV || ciphertext [|| seq_hi] (RFC 4303 §3.3.2.1). */
static void
esp_job_cbc(IMB_JOB *job, const struct dp_esp_op *op)
{
	const struct dp_esp_key *key = op->key;
	uint64_t hash_len = DP_ESP_HDR_LEN + DP_ESP_CBC_IV_LEN + op->payload_len;

	if (op->esn)
		hash_len += ESP_SEQ_HI_LEN;
	job->cipher_mode = IMB_CIPHER_CBC;
	job->hash_alg = IMB_AUTH_HMAC_SHA_256;
	job->enc_keys = key->k.cbc.enc;
	job->dec_keys = key->k.cbc.dec;
	job->key_len_in_bytes = esp_is_aes256(key->alg) ? ESP_AES256_KEY : ESP_AES128_KEY;
	job->iv = op->esp + DP_ESP_HDR_LEN;
	job->iv_len_in_bytes = DP_ESP_CBC_IV_LEN;
	job->u.HMAC._hashed_auth_key_xor_ipad = key->k.cbc.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = key->k.cbc.opad;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = hash_len;
}

static bool
esp_hmac_esn(const struct dp_esp_op *op)
{
	return op->esn && !esp_is_aead(op->key->alg);
}

/*
 * Fills the job common to both directions. The computed ICV goes straight
 * into the packet when encrypting, except with HMAC and ESN (seq_hi sits
 * there during the hash); otherwise to s->tag.
 */
static void
esp_job_fill(IMB_JOB *job, struct dp_esp_op *op, struct esp_scratch *s, bool encrypt)
{
	uint32_t data_off = DP_ESP_HDR_LEN + op->key->iv_len;

	job->src = op->esp;
	job->dst = op->esp + data_off;
	job->cipher_start_src_offset_in_bytes = data_off;
	job->msg_len_to_cipher_in_bytes = op->payload_len;
	job->auth_tag_output = encrypt && !esp_hmac_esn(op) ? esp_icv_ptr(op) : s->tag;
	job->auth_tag_output_len_in_bytes = DP_ESP_ICV_LEN;
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->user_data = op;
	job->user_data2 = s;
	job->status = IMB_STATUS_BEING_PROCESSED;	/* the slot may hold an old status */
	if (esp_is_aead(op->key->alg))
		esp_job_aead(job, op, s);
	else
		esp_job_cbc(job, op);
}

/* Final status of a completed job; places (encrypt) or checks (decrypt) the ICV. */
static int
esp_job_done(const IMB_JOB *job)
{
	struct dp_esp_op *op = job->user_data;
	struct esp_scratch *s = job->user_data2;
	uint8_t *icv = esp_icv_ptr(op);
	bool hmac_esn = esp_hmac_esn(op);

	if (job->status != IMB_STATUS_COMPLETED)
		op->status = -EINVAL;
	else if (job->cipher_direction == IMB_DIR_ENCRYPT)
		op->status = 0;
	else
		op->status = esp_icv_equal(s->tag, hmac_esn ? s->icv : icv) ? 0 : -EBADMSG;
	if (hmac_esn)	/* the ICV in place of seq_hi: computed or received */
		memcpy(icv, job->cipher_direction == IMB_DIR_ENCRYPT ? s->tag : s->icv,
		       DP_ESP_ICV_LEN);
	return op->status == 0;
}

/*
 * Job API, one op at a time into the queue (the lanes still fill before the
 * flush). Used when the burst API refuses a burst: each op then gets its
 * own status. Runs the ops at -EINPROGRESS.
 */
static unsigned int
esp_run_jobs(IMB_MGR *mgr, struct dp_esp_op *ops, struct esp_scratch *s, unsigned int n,
	     bool encrypt)
{
	unsigned int i, good = 0;
	IMB_JOB *job;

	for (i = 0; i < n; i++) {
		if (ops[i].status != -EINPROGRESS)
			continue;
		job = IMB_GET_NEXT_JOB(mgr);
		esp_job_fill(job, &ops[i], &s[i], encrypt);
		for (job = IMB_SUBMIT_JOB(mgr); job != NULL; job = IMB_GET_COMPLETED_JOB(mgr))
			good += esp_job_done(job);
	}
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		good += esp_job_done(job);
	return good;
}

/*
 * Burst API: the k ops still queued (esp_queued) become the jobs of one burst, then
 * the manager is flushed. An op stays at -EINPROGRESS (not good) unless its
 * job completes. Returns the number of ops with status 0.
 */
static unsigned int
esp_run(IMB_MGR *mgr, struct dp_esp_op *ops, struct esp_scratch *s, unsigned int n,
	unsigned int k, bool encrypt)
{
	IMB_JOB *jobs[DP_ESP_MAX_BURST];
	unsigned int i, done, c = 0, good = 0;

	if (k == 0)
		return 0;
	if (IMB_GET_NEXT_BURST(mgr, k, jobs) != k) {
		for (i = 0; i < n; i++)
			if (esp_queued(&ops[i]))
				ops[i].status = -EINPROGRESS;
		return esp_run_jobs(mgr, ops, s, n, encrypt);
	}
	for (i = 0; i < n; i++) {
		if (esp_queued(&ops[i])) {
			ops[i].status = -EINPROGRESS;
			esp_job_fill(jobs[c++], &ops[i], &s[i], encrypt);
		}
	}
	done = IMB_SUBMIT_BURST(mgr, k, jobs);
	if (done == 0 && jobs[0]->status == IMB_STATUS_INVALID_ARGS)
		return esp_run_jobs(mgr, ops, s, n, encrypt);	/* nothing was queued */
	for (i = 0; i < done; i++)
		good += esp_job_done(jobs[i]);
	while (done < k && (c = IMB_FLUSH_BURST(mgr, k - done, jobs)) != 0) {
		for (i = 0; i < c; i++)
			good += esp_job_done(jobs[i]);
		done += c;
	}
	return good;
}

/* Returns 1 if the IV job failed (the op is then -EINVAL). */
static unsigned int
esp_ecb_done(const IMB_JOB *job)
{
	struct dp_esp_op *op = job->user_data;

	if (job->status == IMB_STATUS_COMPLETED)
		return 0;
	op->status = -EINVAL;
	return 1;
}

/*
 * CBC IVs for a burst: IV = AES-ECB_K(iv_nonce || 0^64) (RFC 3602 §2.3, NIST
 * SP 800-38A App. C), written into the packets by one-block ECB jobs that
 * all complete before any CBC job is submitted. Returns the number that failed.
 */
static unsigned int
esp_cbc_ivs(IMB_MGR *mgr, struct dp_esp_op *ops, struct esp_scratch *s, unsigned int n)
{
	const struct dp_esp_key *key;
	unsigned int i, failed = 0;
	uint64_t nonce;
	IMB_JOB *job;

	for (i = 0; i < n; i++) {
		key = ops[i].key;
		if (ops[i].status != 0 || esp_is_aead(key->alg))
			continue;
		nonce = htobe64(ops[i].iv_nonce);
		memcpy(s[i].iv, &nonce, sizeof(nonce));
		memset(s[i].iv + sizeof(nonce), 0, DP_ESP_AES_BLOCK - sizeof(nonce));
		job = IMB_GET_NEXT_JOB(mgr);
		job->cipher_mode = IMB_CIPHER_ECB;
		job->cipher_direction = IMB_DIR_ENCRYPT;
		job->chain_order = IMB_ORDER_CIPHER_HASH;
		job->hash_alg = IMB_AUTH_NULL;
		job->enc_keys = key->k.cbc.enc;
		job->dec_keys = key->k.cbc.dec;
		job->key_len_in_bytes = esp_is_aes256(key->alg) ? ESP_AES256_KEY : ESP_AES128_KEY;
		job->src = s[i].iv;
		job->dst = ops[i].esp + DP_ESP_HDR_LEN;
		job->cipher_start_src_offset_in_bytes = 0;
		job->msg_len_to_cipher_in_bytes = DP_ESP_AES_BLOCK;
		job->iv = NULL;
		job->iv_len_in_bytes = 0;
		job->user_data = &ops[i];
		for (job = IMB_SUBMIT_JOB(mgr); job != NULL; job = IMB_GET_COMPLETED_JOB(mgr))
			failed += esp_ecb_done(job);
	}
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		failed += esp_ecb_done(job);
	return failed;
}

/* ESN with HMAC: seq_hi takes the ICV's place while the ICV is computed. */
static void
esp_put_seq_hi(struct dp_esp_op *ops, struct esp_scratch *s, unsigned int n, bool save)
{
	uint32_t hi;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ops[i].status != 0 || !ops[i].esn || esp_is_aead(ops[i].key->alg))
			continue;
		if (save)
			memcpy(s[i].icv, esp_icv_ptr(&ops[i]), DP_ESP_ICV_LEN);
		hi = htobe32(ops[i].seq_hi);
		memcpy(esp_icv_ptr(&ops[i]), &hi, sizeof(hi));
	}
}

/*
 * One pass over a chunk: an invalid op gets -EINVAL; encrypting, an AEAD
 * op gets its explicit IV: iv_nonce big-endian (RFC 4106 §3.1, RFC 7634
 * §2: a counter); a GCM op runs at once (direct API) to its final status;
 * the others are left at status 0 for the lanes. Returns the number of
 * GCM ops that ended at 0; *queued counts those left, *cbc says whether
 * one of them is CBC.
 */
static unsigned int
esp_first_pass(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n, bool encrypt,
	       unsigned int *queued, bool *cbc)
{
	unsigned int i, good = 0;
	uint64_t iv;

	*queued = 0;
	*cbc = false;
	for (i = 0; i < n; i++) {
		struct dp_esp_op *op = &ops[i];

		if (!esp_op_valid(op)) {
			op->status = -EINVAL;
			continue;
		}
		if (encrypt && esp_is_aead(op->key->alg)) {
			iv = htobe64(op->iv_nonce);
			memcpy(op->esp + DP_ESP_HDR_LEN, &iv, sizeof(iv));
		}
		if (esp_is_gcm(op->key->alg)) {
			op->status = esp_gcm_one(mgr, op, encrypt);
			good += op->status == 0;
			continue;
		}
		op->status = 0;
		(*queued)++;
		*cbc = *cbc || !esp_is_aead(op->key->alg);
	}
	return good;
}

static unsigned int
esp_encrypt_chunk(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n)
{
	struct esp_scratch s[DP_ESP_MAX_BURST];
	unsigned int k, good;
	bool cbc;

	good = esp_first_pass(mgr, ops, n, true, &k, &cbc);
	if (k == 0)
		return good;
	if (cbc) {
		k -= esp_cbc_ivs(mgr, ops, s, n);
		esp_put_seq_hi(ops, s, n, false);
	}
	return good + esp_run(mgr, ops, s, n, k, true);
}

static unsigned int
esp_decrypt_chunk(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n)
{
	struct esp_scratch s[DP_ESP_MAX_BURST];
	unsigned int k, good;
	bool cbc;

	good = esp_first_pass(mgr, ops, n, false, &k, &cbc);
	if (k == 0)
		return good;
	if (cbc)
		esp_put_seq_hi(ops, s, n, true);
	return good + esp_run(mgr, ops, s, n, k, false);
}

unsigned int
dp_esp_encrypt_burst(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n)
{
	unsigned int done, chunk, good = 0;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < DP_ESP_MAX_BURST ? n - done : DP_ESP_MAX_BURST;
		good += esp_encrypt_chunk(mgr, ops + done, chunk);
	}
	return good;
}

unsigned int
dp_esp_decrypt_burst(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n)
{
	unsigned int done, chunk, good = 0;

	for (done = 0; done < n; done += chunk) {
		chunk = n - done < DP_ESP_MAX_BURST ? n - done : DP_ESP_MAX_BURST;
		good += esp_decrypt_chunk(mgr, ops + done, chunk);
	}
	return good;
}

int
dp_esp_encrypt_direct(IMB_MGR *mgr, struct dp_esp_op *op)
{
	uint64_t iv = htobe64(op->iv_nonce);

	memcpy(op->esp + DP_ESP_HDR_LEN, &iv, sizeof(iv));	/* RFC 4106 §3.1 */
	op->status = esp_gcm_one(mgr, op, true);
	return op->status;
}

int
dp_esp_decrypt_direct(IMB_MGR *mgr, struct dp_esp_op *op)
{
	op->status = esp_gcm_one(mgr, op, false);
	return op->status;
}
