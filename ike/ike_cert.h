/* X.509 certificates for IKEv2 authentication (RFC 7296 §3.6 CERT, §3.7
 * CERTREQ, §2.15; RFC 4945 §3.1 identity checks as strongSwan applies them):
 * loading PEM/DER certificates, private keys (from secret files only) and
 * CA certificates into an OpenSSL X509_STORE, verifying a peer's chain,
 * matching an identity against a certificate, and the CERTREQ authority
 * hashes.
 *
 * Verification: OpenSSL's chain building against the store, every
 * certificate in the store being a trust anchor (X509_V_FLAG_PARTIAL_CHAIN:
 * a configured intermediate CA is trusted as strongSwan trusts it), the
 * peer's CERT payloads after the first as untrusted intermediates,
 * validity at NOW (or the current time), CA key usage and basic constraints
 * as OpenSSL checks them, and the end-entity key usage: when the extension
 * is present it must include digitalSignature. No CRL/OCSP checks.
 *
 * Identity vs certificate (ike_cert_matches_id): a DN must match the
 * subject (ike_id_match_name(), wildcards allowed); an FQDN, RFC822 or IP
 * identity must be one of the subjectAltName dNSName / rfc822Name /
 * iPAddress entries (ike_id_match(), so a configured "*.example.org"
 * matches too); the subject's CN does not count. A KEY_ID matches the SHA-1
 * of the SubjectPublicKeyInfo or of the public key bits. %any matches.
 */
#ifndef IKE_CERT_H
#define IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ike/ike_types.h"

enum ike_cert_limits {
	IKE_CERTREQ_HASH_LEN = 20,      /* SHA-1 of a CA's SubjectPublicKeyInfo (§3.7) */
	IKE_CERT_CHAIN_MAX = 8,         /* intermediates taken from CERT payloads */
};

/* A PEM (first certificate of the file) or DER certificate. -ENOENT etc.
 * (errno of fopen), -EBADMSG when the file holds neither; ERR names PATH. */
int ike_cert_load(const char *path, X509 **out, char *err, size_t errlen);

/* A PEM (PKCS#8 or traditional) or DER private key from a secret file
 * (ike_secret_file_open(): -EPERM when group/others have access). Encrypted
 * keys are not supported (-EBADMSG, no passphrase prompt). */
int ike_cert_load_key(const char *path, EVP_PKEY **out, char *err, size_t errlen);

/* Add every certificate of PATH (PEM, several allowed, or one DER) to
 * STORE as a trust anchor. -EINVAL when one is not a CA certificate
 * (X509_check_ca), -EBADMSG when there is none. */
int ike_cert_store_add(X509_STORE *store, const char *path, char *err, size_t errlen);

/* Verify the peer's end-entity certificate DER (first CERT payload) with
 * intermediates CHAIN[0..N_CHAIN) (the other CERT payloads, X.509
 * Signature encoding) at time NOW (0: the current time). On success *LEAF
 * (if not NULL) gets the parsed certificate (caller frees). Errors with a
 * message naming the subject and OpenSSL's reason in ERR:
 *   -EBADMSG       a DER that does not parse (or has trailing bytes)
 *   -E2BIG         more than IKE_CERT_CHAIN_MAX intermediates
 *   -EKEYREJECTED  chain verification failed (unknown CA, expired, not yet
 *                  valid, bad signature, CA constraints)
 *   -EPERM         keyUsage present without digitalSignature. */
int ike_cert_verify(X509_STORE *store, const uint8_t *der, size_t len,
		    const struct ike_chunk *chain, size_t n_chain, time_t now, X509 **leaf,
		    char *err, size_t errlen);

/* Does CERT vouch for ID (rules above)? */
bool ike_cert_matches_id(X509 *cert, const struct ike_id *id);

/* CERT's subject as an ID_DER_ASN1_DN identity (strongSwan's default ID
 * for a certificate). -E2BIG when longer than IKE_ID_MAX. */
int ike_cert_subject_id(X509 *cert, struct ike_id *id);

/* CERT in DER (for a CERT payload). -ENOSPC when CAP is too small. */
int ike_cert_der(X509 *cert, uint8_t *out, size_t cap, size_t *len);

/* SHA-1 of CERT's SubjectPublicKeyInfo (RFC 7296 §3.7 CERTREQ entry). */
int ike_cert_keyid(X509 *cert, uint8_t out[IKE_CERTREQ_HASH_LEN]);

/* CERTREQ Certification Authority data for every CA in STORE, in store
 * order. -ENOSPC when CAP is too small; *LEN = 0 for an empty store. */
int ike_cert_certreq_data(X509_STORE *store, uint8_t *out, size_t cap, size_t *len);

/* Does a received CERTREQ's Certification Authority data (concatenated
 * 20-octet hashes) name CA? false for data that is empty or not a multiple
 * of 20 octets. */
bool ike_cert_certreq_wants(const uint8_t *data, size_t len, X509 *ca);

#endif /* IKE_CERT_H */
