/*
 * ESP cryptography through Intel IPsec-MB, in bursts: AES-GCM-128/256 with
 * a 16-byte ICV (RFC 4106), AES-CBC-128/256 with HMAC-SHA-256-128
 * (RFC 3602, RFC 4868) and ChaCha20-Poly1305 (RFC 7634), each with 32-bit
 * or extended sequence numbers (RFC 4303 §2.2.1, RFC 4106 §5, RFC 7634 §2.1).
 *
 * The caller lays out the ESP packet; this module fills the IV, encrypts
 * or decrypts the payload in place and writes or verifies the ICV. ICVs are
 * compared in constant time. A worker owns one manager (not shared).
 */
#ifndef HAGW_ESP_CRYPTO_H
#define HAGW_ESP_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

enum dp_sa_alg {
	DP_SA_AES_GCM_128,		/* key 16 + salt 4 */
	DP_SA_AES_GCM_256,		/* key 32 + salt 4 */
	DP_SA_AES_CBC_128_SHA256,	/* key 16, auth key 32 */
	DP_SA_AES_CBC_256_SHA256,	/* key 32, auth key 32 */
	DP_SA_CHACHA20_POLY1305,	/* key 32 + salt 4 */
	DP_SA_ALG_COUNT
};

enum {
	DP_ESP_ICV_LEN = 16,		/* every algorithm here */
	DP_ESP_AEAD_IV_LEN = 8,		/* explicit IV of GCM and ChaCha20-Poly1305 */
	DP_ESP_CBC_IV_LEN = 16,
	DP_ESP_SALT_LEN = 4,
	DP_ESP_MAX_ENC_KEY = 36,	/* incl. salt */
	DP_ESP_MAX_AUTH_KEY = 32,
	DP_ESP_HDR_LEN = 8,		/* SPI + sequence number */
	DP_ESP_AES_BLOCK = 16,
	DP_ESP_MAX_BURST = 64,
};

/* Expanded keys of one SA: read-only after dp_esp_key_init(). */
struct dp_esp_key {
	enum dp_sa_alg alg;
	uint8_t iv_len;			/* 8 or 16 */
	uint8_t block;			/* payload alignment: 4 (AEAD) or 16 (CBC) */
	uint8_t salt[DP_ESP_SALT_LEN];
	union {
		struct gcm_key_data gcm;
		struct {
			uint32_t enc[4 * 15] __attribute__((aligned(16)));
			uint32_t dec[4 * 15] __attribute__((aligned(16)));
			uint8_t ipad[32] __attribute__((aligned(16)));	/* SHA-256 state after K^ipad */
			uint8_t opad[32] __attribute__((aligned(16)));
		} cbc;
		struct {
			uint8_t key[32] __attribute__((aligned(16)));
		} chacha;
	} k;
} __attribute__((aligned(64)));

/* Name used in config and CLI ("aes-gcm-128", ...) and back. */
const char *dp_sa_alg_name(enum dp_sa_alg alg);
int dp_sa_alg_parse(const char *name, enum dp_sa_alg *alg);
/* Key lengths the algorithm needs (enc incl. salt; auth 0 for AEAD). */
uint8_t dp_sa_alg_enc_key_len(enum dp_sa_alg alg);
uint8_t dp_sa_alg_auth_key_len(enum dp_sa_alg alg);

/* A per-worker IPsec-MB manager (allocated at startup, never on the fast path). */
IMB_MGR *dp_esp_mgr_create(void);
void dp_esp_mgr_free(IMB_MGR *mgr);

/* Expands the keys; lengths must be exactly what the algorithm needs.
 * Returns 0 or -EINVAL. */
int dp_esp_key_init(IMB_MGR *mgr, struct dp_esp_key *key, enum dp_sa_alg alg,
		    const uint8_t *enc_key, uint8_t enc_len, const uint8_t *auth_key,
		    uint8_t auth_len);
/* Zeroizes every byte of key (explicit_bzero: not optimised away). */
void dp_esp_key_wipe(struct dp_esp_key *key);

/*
 * One packet. esp points at the ESP header (SPI, sequence number), followed
 * by the IV (key->iv_len bytes), the payload (payload_len bytes: encrypted
 * data incl. padding, pad length and next header; a multiple of key->block)
 * and room for DP_ESP_ICV_LEN bytes of ICV. For ESN the high 32 bits of the
 * sequence number enter the ICV but not the packet.
 */
struct dp_esp_op {
	const struct dp_esp_key *key;
	uint8_t *esp;
	uint32_t payload_len;
	uint32_t seq_hi;		/* used when esn */
	bool esn;
	/*
	 * Encrypt only: unique per (key) value the IV is made from. AEAD:
	 * the explicit IV is iv_nonce, big-endian (a counter, RFC 4106 §3.1).
	 * CBC: IV = AES-ECB_K(iv_nonce || 0^64), unpredictable as RFC 3602
	 * requires (NIST SP 800-38A App. C). See sa.h for why it never repeats.
	 */
	uint64_t iv_nonce;
	/* out: 0; -EBADMSG (ICV mismatch); -EINVAL (NULL key or packet, payload_len
	 * 0 or not a multiple of key->block, or a job IPsec-MB refused) */
	int status;
};

/*
 * Runs n ops through the manager's lanes (in chunks of DP_ESP_MAX_BURST): encrypt
 * (fill IV, encrypt, write ICV) or decrypt (verify ICV in constant time,
 * then decrypt; on mismatch the payload is left undefined and status is
 * -EBADMSG). Returns the number of ops with status 0.
 */
unsigned int dp_esp_encrypt_burst(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n);
unsigned int dp_esp_decrypt_burst(IMB_MGR *mgr, struct dp_esp_op *ops, unsigned int n);

/*
 * AES-GCM runs one op at a time through the direct API in any case: a
 * caller may run such an op at once instead of queueing it for a burst
 * (not for a packet whose bytes it has just written: the library's wide
 * loads would wait for those stores, esp_outbound.c). dp_esp_key_direct()
 * says whether a key's ops can; dp_esp_encrypt_direct() and
 * dp_esp_decrypt_direct() are what the burst functions do for such an op
 * that is valid (its key, esp and payload_len set as they check), and
 * return its status.
 */
static inline bool
dp_esp_key_direct(const struct dp_esp_key *key)
{
	return key->alg == DP_SA_AES_GCM_128 || key->alg == DP_SA_AES_GCM_256;
}

int dp_esp_encrypt_direct(IMB_MGR *mgr, struct dp_esp_op *op);
int dp_esp_decrypt_direct(IMB_MGR *mgr, struct dp_esp_op *op);

#endif
