/* Parameters of the encryption and integrity transforms used by IKE SAs and
 * CHILD SAs (RFC 7296 §3.3.2): key, salt, IV, block and ICV lengths for
 * AES-CBC (RFC 3602), AES-GCM with a 16-octet ICV (RFC 5282 §7.1, RFC 4106
 * §8.1), ChaCha20-Poly1305 (RFC 7634 §2-3) and HMAC-SHA2 (RFC 4868 §2),
 * plus the OpenSSL algorithm handles, fetched once per process. */
#ifndef IKE_CIPHER_H
#define IKE_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ike/ike_types.h"

enum ike_cipher_limits {
	IKE_AES_BLOCK_LEN = 16,
	IKE_AES_CBC_IV_LEN = 16,     /* RFC 3602 §3 */
	IKE_AEAD_SALT_LEN = 4,       /* RFC 5282 §7.1, RFC 4106 §8.1, RFC 7634 §2 */
	IKE_AEAD_IV_LEN = 8,         /* explicit IV: RFC 5282 §3, RFC 7634 §2 */
	IKE_AEAD_NONCE_LEN = 12,     /* salt | IV */
	IKE_AEAD_ICV_LEN = 16,       /* AES-GCM-16, Poly1305 */
	IKE_CHACHA_KEY_LEN = 32,
	IKE_IV_MAX = 16,
	IKE_ICV_MAX = 32,            /* HMAC-SHA2-512-256 */
};

/* One encryption transform with its key length. */
struct ike_encr_info {
	uint16_t encr;               /* enum ike_encr_id */
	uint16_t key_bits;           /* cipher key bits, salt excluded */
	uint8_t key_len;             /* keying material octets: key | salt */
	uint8_t salt_len;            /* 0 for AES-CBC */
	uint8_t iv_len;              /* IV octets carried in the payload */
	uint8_t block_len;           /* padding alignment: 16 for CBC, 1 for AEAD */
	uint8_t icv_len;             /* AEAD tag octets; 0 for CBC */
	bool aead;
};

/* One integrity transform; all zero for IKE_INTEG_NONE. */
struct ike_integ_info {
	uint16_t integ;              /* enum ike_integ_id */
	uint8_t key_len;             /* RFC 4868 §2.1.1: hash output length */
	uint8_t icv_len;             /* truncated HMAC output */
	const char *digest;          /* OpenSSL digest name; NULL for none */
};

/* Parameters of ENCR with KEY_BITS (the Key Length attribute; 0 is taken
 * as 256 for ChaCha20-Poly1305, which has none). -ENOTSUP if unknown. */
int ike_cipher_encr_info(uint16_t encr, uint16_t key_bits, struct ike_encr_info *out);

/* Parameters of INTEG. -ENOTSUP if unknown. */
int ike_cipher_integ_info(uint16_t integ, struct ike_integ_info *out);

/* Both transforms of a suite, checking they fit together: an AEAD takes no
 * integrity transform (RFC 5282 §8), AES-CBC needs one. -ENOTSUP if not. */
int ike_cipher_suite_info(const struct ike_suite *s, struct ike_encr_info *encr,
			  struct ike_integ_info *integ);

/* The OpenSSL cipher of an encryption transform, fetched once; NULL if
 * unknown or unavailable. Not to be freed. */
const EVP_CIPHER *ike_cipher_evp(const struct ike_encr_info *e);

/* The OpenSSL HMAC implementation, fetched once; NULL if unavailable. */
EVP_MAC *ike_cipher_hmac(void);

#endif /* IKE_CIPHER_H */
