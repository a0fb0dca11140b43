/* Key exchange for the KE payload (RFC 7296 §3.4, §2.14): MODP-2048
 * (group 14, RFC 3526 §3), ECP P-256/384/521 (groups 19-21, RFC 5903 §7:
 * public value x | y, shared secret x), Curve25519 (group 31, RFC 8031 §2).
 * Peer values are validated before use (RFC 7296 §5: exact length; RFC 6989
 * §2.1-2.3: 1 < y < p-1, point on the curve; RFC 8031 §2: non-zero secret). */
#ifndef IKE_DH_H
#define IKE_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ike_dh_limits {
	IKE_DH_PUBLIC_MAX = 256,     /* MODP-2048 */
	IKE_DH_SECRET_MAX = 256,     /* MODP-2048 g^ir, padded to the prime */
};

/* A local key pair of one group (holds an OpenSSL EVP_PKEY). */
struct ike_dh;

/* The shared secret g^ir: big-endian, fixed length per group (the prime
 * length for MODP, the x coordinate for ECP). Wipe with ike_dh_secret_wipe. */
struct ike_dh_secret {
	uint16_t len;
	uint8_t bytes[IKE_DH_SECRET_MAX];
};

bool ike_dh_group_supported(uint16_t group);

/* Length of the KE payload's key exchange data for GROUP; 0 if unsupported. */
size_t ike_dh_public_len(uint16_t group);

/* Length of the shared secret for GROUP; 0 if unsupported. */
size_t ike_dh_secret_len(uint16_t group);

/* A fresh key pair. -ENOTSUP for an unsupported group, -ENOMEM/-EIO when
 * OpenSSL fails. *OUT is NULL on error. */
int ike_dh_new(uint16_t group, struct ike_dh **out);

/* A key pair from a fixed private value (known-answer tests): big-endian
 * scalar of the group's order length for ECP, any length up to the prime
 * for MODP, 32 octets for Curve25519 (RFC 7748 §5). -EINVAL if the value
 * does not fit the group or is zero. */
int ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len, struct ike_dh **out);

uint16_t ike_dh_group(const struct ike_dh *dh);

/* Writes our public value; LEN must equal ike_dh_public_len() (-EINVAL). */
int ike_dh_public(const struct ike_dh *dh, uint8_t *buf, size_t len);

/* g^ir from the peer's public value. -EINVAL if the value has the wrong
 * length or is not a valid element of the group (RFC 6989), or if the
 * result is all zero (RFC 8031 §2); -EIO when OpenSSL fails. OUT is wiped
 * on any error. */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t len,
		  struct ike_dh_secret *out);

/* Frees the key pair (OpenSSL clears the private key). NULL is a no-op. */
void ike_dh_free(struct ike_dh *dh);

void ike_dh_secret_wipe(struct ike_dh_secret *s);

#endif /* IKE_DH_H */
