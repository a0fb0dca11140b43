/* IKEv2 authentication (RFC 7296 §2.15, §3.8): the octets each side signs
 * or MACs, the pre-shared-key AUTH value, and signatures through OpenSSL's
 * EVP: RFC 7427 Digital Signature (method 14) with RSASSA-PKCS1-v1_5,
 * RSASSA-PSS and ECDSA over SHA2-256/384/512, the legacy RSA Digital
 * Signature (method 1: PKCS#1 v1.5 with SHA-1) and ECDSA with fixed curve
 * and hash (methods 9/10/11, RFC 4754 §3, §7: r | s). Hash choice follows
 * RFC 7427 §4 (SIGNATURE_HASH_ALGORITHMS).
 *
 * Octets and PSK are in ike_auth.c, signatures in ike_auth_sig.c. The PRF
 * (prf(K, S) of RFC 7296 §2.13, HMAC-SHA2-256/384/512) is computed in
 * ike_auth.c with EVP_MAC; it is the same function as ike_prf() and can be
 * folded into it.
 *
 * Errors (negative errno); a caller answers any of them with
 * AUTHENTICATION_FAILED:
 *   -EBADMSG       AUTH data malformed, or the MAC/signature does not verify
 *   -ENOTSUP       method, PRF, hash or AlgorithmIdentifier we do not accept
 *   -EKEYREJECTED  the AlgorithmIdentifier / method does not fit the key
 *   -EINVAL        bad arguments (empty PSK, hash not usable for signing)
 *   -ENOSPC        output buffer too small
 *   -EIO           OpenSSL failed
 */
#ifndef IKE_AUTH_H
#define IKE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ike/ike_types.h"

enum ike_auth_limits {
	IKE_AUTH_PRF_OUT_MAX = 64,      /* PRF_HMAC_SHA2_512 */
	IKE_AUTH_ALGID_MAX = 255,       /* RFC 7427 §3: one-octet ASN.1 Length */
	IKE_AUTH_HASH_LEN = 2,          /* RFC 7427 §4: one hash id in the notify */
};

/* InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI, or the
 * responder's RealMessage2 | NonceIData | MACedIDForR (RFC 7296 §2.15),
 * kept as parts: MSG and NONCE are borrowed (they must outlive the struct),
 * MACedID = prf(SK_px, IDx') is computed into the struct. */
struct ike_auth_octets {
	struct ike_chunk msg;
	struct ike_chunk nonce;
	uint16_t prf;                   /* enum ike_prf_id of the IKE SA */
	uint8_t maced_id_len;
	uint8_t maced_id[IKE_AUTH_PRF_OUT_MAX];
};

/* Fill O for the signer whose key is SK_P (SK_pi for the initiator, SK_pr
 * for the responder): MSG is the signer's IKE_SA_INIT message as sent
 * (RealMessage1/2, whole, header included), NONCE the other side's nonce
 * data (Nr for the initiator, Ni for the responder), ID_BODY the signer's
 * IDx' (ID payload body after the generic header: type, 3 reserved octets,
 * data; ike_id_body() builds it for our own ID). -ENOTSUP: unknown PRF. */
int ike_auth_octets(struct ike_auth_octets *o, uint16_t prf, const struct ike_key *sk_p,
		    struct ike_chunk msg, struct ike_chunk nonce, struct ike_chunk id_body);

/* Total length of the octets, and the octets as one buffer (for tests and
 * external signers). */
size_t ike_auth_octets_len(const struct ike_auth_octets *o);
int ike_auth_octets_flatten(const struct ike_auth_octets *o, uint8_t *out, size_t cap,
			    size_t *len);

/* PSK (method 2): AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <octets>),
 * prf_len(prf) octets written to AUTH. */
int ike_auth_psk_build(const struct ike_auth_octets *o, const uint8_t *psk, size_t psk_len,
		       uint8_t *auth, size_t cap, size_t *auth_len);

/* 0 when AUTH (the received Authentication Data) equals the expected value,
 * compared in constant time; -EBADMSG otherwise. */
int ike_auth_psk_verify(const struct ike_auth_octets *o, const uint8_t *psk, size_t psk_len,
			const uint8_t *auth, size_t auth_len);

/* The hashes we announce in SIGNATURE_HASH_ALGORITHMS and accept in
 * method 14: SHA2-256, SHA2-384, SHA2-512 (enum ike_hash_alg). */
const uint16_t *ike_auth_hashes(size_t *n);

/* Notify data of SIGNATURE_HASH_ALGORITHMS: our list as 16-bit ids. */
int ike_auth_hashes_encode(uint8_t *out, size_t cap, size_t *len);

/* The peer's notify data into OUT (first CAP ids kept, *N set to how many
 * were stored). -EBADMSG: empty or odd length (RFC 7427 §4). */
int ike_auth_hashes_decode(const uint8_t *data, size_t len, uint16_t *out, size_t cap,
			   size_t *n);

/* Hash for our method-14 signature with KEY among the PEER_HASHES it
 * announced: the one matching the key (SHA2-384 for P-384, SHA2-512 for
 * P-521, else SHA2-256) when offered, else the first offered of SHA2-256,
 * SHA2-384, SHA2-512; 0 when none (use ike_auth_legacy_method()). */
uint16_t ike_auth_pick_hash(const uint16_t *peer_hashes, size_t n, const EVP_PKEY *key);

/* Method without RFC 7427 for KEY: RSA_SIG for RSA, ECDSA_256/384/521 for
 * P-256/384/521; 0 for other keys. */
uint8_t ike_auth_legacy_method(const EVP_PKEY *key);

/* AUTH data for METHOD with the private KEY:
 *   IKE_AUTH_DIGITAL_SIGNATURE: HASH (SHA2-256/384/512) and, for RSA keys,
 *     PSS (RSASSA-PSS, MGF1 with HASH, salt = hash length) or PKCS#1 v1.5;
 *     written as ASN.1 Length | AlgorithmIdentifier (RFC 7427 App. A) |
 *     signature (ECDSA: DER ECDSA-Sig-Value).
 *   IKE_AUTH_RSA_SIG, IKE_AUTH_ECDSA_256/384/521: HASH and PSS ignored.
 * -EKEYREJECTED when the key does not fit the method (curve for 9/10/11). */
int ike_auth_sign(const struct ike_auth_octets *o, EVP_PKEY *key, uint8_t method, uint16_t hash,
		  bool pss, uint8_t *auth, size_t cap, size_t *auth_len);

/* Verify received AUTH data of METHOD (1, 9, 10, 11 or 14) with the peer's
 * public KEY (from its verified certificate). Method 14 accepts only the
 * AlgorithmIdentifiers sha256/384/512WithRSAEncryption (parameters NULL or
 * absent), ecdsa-with-SHA256/384/512 and id-RSASSA-PSS with SHA2-256/384/512
 * for both hash and MGF1, any salt length, trailer 1; the algorithm must
 * fit the key type. Whether legacy methods are allowed (RFC 7427 §3: not
 * when both sides sent SIGNATURE_HASH_ALGORITHMS) is the caller's policy. */
int ike_auth_verify(const struct ike_auth_octets *o, EVP_PKEY *key, uint8_t method,
		    const uint8_t *auth, size_t auth_len);

#endif /* IKE_AUTH_H */
