/* The Encrypted payload SK{...} (RFC 7296 §3.14) and the Encrypted
 * Fragment payload SKF (RFC 7383 §2.5): encryption and integrity of the
 * inner payloads in place inside the message buffer. AES-CBC-128/256 with
 * HMAC-SHA2-256-128/384-192/512-256 (RFC 7296 §3.14, RFC 4868), AES-GCM-16
 * 128/256 (RFC 5282 §3-5) and ChaCha20-Poly1305 (RFC 7634 §3).
 *
 * Layout inside the message buffer BUF (offsets from the IKE header):
 *
 *   0            IKE header (28 octets; length at octets 24..27)
 *   ...          unencrypted payloads, if any
 *   sk_off       SK/SKF generic header (payload length at octets 2..3),
 *                SKF adds Fragment Number and Total Fragments (8 octets)
 *   +sk_hdr_len  IV (16 octets for CBC, 8 for the AEADs)
 *   plain_off    inner payloads (plain_len octets), encrypted in place
 *                then Padding, Pad Length (1 octet), ICV
 *
 * Encryption: the builder writes the IKE header, any clear payloads and
 * the SK header (Next Payload = first inner payload), leaves iv_len octets
 * free, writes the inner payloads at ike_sk_plain_off(), and calls
 * ike_sk_encrypt(). That writes the IV, padding, pad length and ICV and
 * sets the SK payload length and the IKE header length, then encrypts.
 *
 * IVs: CBC takes 16 random octets per message (RFC 7296 §3.14). AEADs take
 * a 64-bit counter that must never repeat under one key (RFC 5282 §3,
 * RFC 7634 §2): the caller keeps it per IKE SA (its outbound direction)
 * and ike_sk_encrypt() advances it. A restored SA must move the counter
 * past every value the previous owner may have used.
 *
 * Decryption happens in place; the inner payloads come back as a span of
 * the buffer. The SK/SKF payload must end the message (§3.14). For CBC the
 * ICV is checked (CRYPTO_memcmp) before anything is decrypted; AEAD tags
 * are checked by the cipher and a failed message is wiped. */
#ifndef IKE_SK_H
#define IKE_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_cipher.h"
#include "ike/ike_keys.h"
#include "ike/ike_types.h"

enum ike_sk_limits {
	IKE_SK_LEN_OFF = 2,          /* Payload Length in the generic header */
	IKE_HDR_LEN_OFF = 24,        /* Length in the IKE header: RFC 7296 §3.1 */
	IKE_SK_PAD_MAX = 255,        /* Pad Length is one octet */
	/* Most octets ike_sk_encrypt() adds besides the header: IV, padding
	 * (block - 1), Pad Length, ICV. */
	IKE_SK_OVERHEAD_MAX = IKE_IV_MAX + IKE_AES_BLOCK_LEN + IKE_ICV_MAX,
};

/* What protects one direction of an IKE SA: the transforms and borrowed
 * pointers to the keys (which must outlive it). */
struct ike_sk_dir {
	struct ike_encr_info encr;
	struct ike_integ_info integ;
	const struct ike_key *ekey;   /* SK_ei or SK_er; AEAD: key | salt */
	const struct ike_key *akey;   /* SK_ai or SK_ar; unused for AEADs */
};

/* A message to encrypt (see the layout above). */
struct ike_sk_msg {
	uint8_t *buf;                /* from the first octet of the IKE header */
	size_t cap;                  /* octets available in buf */
	size_t sk_off;               /* offset of the SK/SKF generic header */
	size_t sk_hdr_len;           /* IKE_SK_HDR_LEN or IKE_SKF_HDR_LEN */
	size_t plain_len;            /* inner payload octets at ike_sk_plain_off() */
};

/* Suite S with explicit keys. -ENOTSUP for an unsupported suite, -EINVAL
 * when a key length does not match the suite. */
int ike_sk_dir_init(struct ike_sk_dir *d, const struct ike_suite *s, const struct ike_key *ekey,
		    const struct ike_key *akey);

/* The keys of K for one direction: messages sent by the original
 * initiator use SK_ei/SK_ai, the others SK_er/SK_ar (RFC 7296 §2.14).
 * INITIATOR: we are the original initiator; OUTBOUND: we send. */
int ike_sk_dir_sa(struct ike_sk_dir *d, const struct ike_suite *s, const struct ike_sa_keys *k,
		  bool initiator, bool outbound);

size_t ike_sk_iv_len(const struct ike_sk_dir *d);

/* Where the inner payloads start: sk_off + sk_hdr_len + IV length. */
size_t ike_sk_plain_off(const struct ike_sk_dir *d, size_t sk_off, size_t sk_hdr_len);

/* Length of the SK/SKF payload that PLAIN_LEN inner octets produce,
 * header of SK_HDR_LEN octets included. */
size_t ike_sk_payload_len(const struct ike_sk_dir *d, size_t sk_hdr_len, size_t plain_len);

/* Encrypts M in place and sets *MSG_LEN to the whole message length.
 * IV_COUNTER: the SA's explicit-IV counter for AEADs (required, advanced
 * by one; -EOVERFLOW once exhausted), ignored for CBC (may be NULL).
 * -EINVAL for a bad layout, -ENOSPC if CAP is too small, -EMSGSIZE beyond
 * 65535 octets, -EIO when OpenSSL fails. */
int ike_sk_encrypt(const struct ike_sk_dir *d, const struct ike_sk_msg *m, uint64_t *iv_counter,
		   size_t *msg_len);

/* As ike_sk_encrypt() with a caller-chosen IV of ike_sk_iv_len() octets
 * (known-answer tests). Never reuse an IV under one key. */
int ike_sk_encrypt_iv(const struct ike_sk_dir *d, const struct ike_sk_msg *m, const uint8_t *iv,
		      size_t iv_len, size_t *msg_len);

/* Checks and decrypts the SK/SKF payload at SK_OFF of the MSG_LEN-octet
 * message MSG in place; *PLAIN is the inner payloads (padding removed).
 * -EBADMSG for malformed lengths (IKE header length != MSG_LEN, SK not
 * last, too short, CBC ciphertext not a multiple of the block, pad length
 * too large), -EACCES when the ICV or tag does not verify (the message is
 * then unchanged for CBC; for AEADs the ciphertext span is zeroed),
 * -EINVAL for a bad SK_HDR_LEN, -EIO when OpenSSL fails. *PLAIN is
 * {NULL, 0} on any error. */
int ike_sk_decrypt(const struct ike_sk_dir *d, uint8_t *msg, size_t msg_len, size_t sk_off,
		   size_t sk_hdr_len, struct ike_chunk *plain);

#endif /* IKE_SK_H */
