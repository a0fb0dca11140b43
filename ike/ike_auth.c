/* IKEv2 AUTH octets and pre-shared-key authentication (RFC 7296 §2.15):
 * <SignedOctets> = RealMessage | Nonce | prf(SK_p, ID'), and
 * AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>).
 * The PRF (§2.13, HMAC-SHA2-256/384/512, RFC 4868) runs on EVP_MAC.
 * Signatures over the same octets are in ike_auth_sig.c. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike/ike_auth.h"
#include "ike/ike_buf.h"

enum {
	OCTET_PARTS = 3,                /* message, nonce, MACed ID */
};

/* RFC 7296 §2.15 */
static const char key_pad[] = "Key Pad for IKEv2";

/* ---- PRF (RFC 7296 §2.13) ---- */

struct prf_info {
	uint16_t prf;                   /* enum ike_prf_id */
	const char *md;
	size_t len;
};

static const struct prf_info prfs[] = {
	{ IKE_PRF_HMAC_SHA2_256, "SHA2-256", 32 },
	{ IKE_PRF_HMAC_SHA2_384, "SHA2-384", 48 },
	{ IKE_PRF_HMAC_SHA2_512, "SHA2-512", 64 },
};

static const struct prf_info *
prf_hash(uint16_t prf)
{
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++)
		if (prfs[i].prf == prf)
			return &prfs[i];
	return NULL;
}

/* out = prf(KEY, PARTS[0] | ... ), the PRF's full output length. */
static int
auth_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
	 size_t n, uint8_t out[IKE_AUTH_PRF_OUT_MAX], size_t *out_len)
{
	const struct prf_info *h = prf_hash(prf);
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int rc = -EIO;

	if (h == NULL)
		return -ENOTSUP;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)h->md, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	if (ctx == NULL || EVP_MAC_init(ctx, key, key_len, params) != 1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (parts[i].len > 0 && EVP_MAC_update(ctx, parts[i].ptr, parts[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, out_len, IKE_AUTH_PRF_OUT_MAX) == 1 && *out_len == h->len)
		rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* ---- octets (RFC 7296 §2.15) ---- */

int
ike_auth_octets(struct ike_auth_octets *o, uint16_t prf, const struct ike_key *sk_p,
		struct ike_chunk msg, struct ike_chunk nonce, struct ike_chunk id_body)
{
	size_t len = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	if (sk_p->len == 0 || sk_p->len > IKE_KEY_MAX || id_body.len == 0 ||
	    (msg.len > 0 && msg.ptr == NULL) || (nonce.len > 0 && nonce.ptr == NULL))
		return -EINVAL;
	rc = auth_prf(prf, sk_p->bytes, sk_p->len, &id_body, 1, o->maced_id, &len);
	if (rc < 0)
		return rc;
	o->msg = msg;
	o->nonce = nonce;
	o->prf = prf;
	o->maced_id_len = (uint8_t)len;
	return 0;
}

static void
octet_parts(const struct ike_auth_octets *o, struct ike_chunk parts[OCTET_PARTS])
{
	parts[0] = o->msg;
	parts[1] = o->nonce;
	parts[2] = (struct ike_chunk){ .ptr = o->maced_id, .len = o->maced_id_len };
}

size_t
ike_auth_octets_len(const struct ike_auth_octets *o)
{
	return o->msg.len + o->nonce.len + o->maced_id_len;
}

int
ike_auth_octets_flatten(const struct ike_auth_octets *o, uint8_t *out, size_t cap, size_t *len)
{
	struct ike_chunk parts[OCTET_PARTS];
	struct ike_wr w;

	ike_wr_init(&w, out, cap);
	octet_parts(o, parts);
	for (size_t i = 0; i < OCTET_PARTS; i++)
		ike_wr_bytes(&w, parts[i].ptr, parts[i].len);
	if (w.overflow)
		return -ENOSPC;
	*len = w.len;
	return 0;
}

/* ---- PSK (RFC 7296 §2.15) ---- */

static int
psk_compute(const struct ike_auth_octets *o, const uint8_t *psk, size_t psk_len,
	    uint8_t out[IKE_AUTH_PRF_OUT_MAX], size_t *out_len)
{
	struct ike_chunk pad = { .ptr = (const uint8_t *)key_pad, .len = sizeof(key_pad) - 1 };
	struct ike_chunk parts[OCTET_PARTS];
	uint8_t k[IKE_AUTH_PRF_OUT_MAX];
	size_t k_len = 0;
	int rc;

	if (psk == NULL || psk_len == 0)
		return -EINVAL;
	octet_parts(o, parts);
	rc = auth_prf(o->prf, psk, psk_len, &pad, 1, k, &k_len);
	if (rc == 0)
		rc = auth_prf(o->prf, k, k_len, parts, OCTET_PARTS, out, out_len);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
ike_auth_psk_build(const struct ike_auth_octets *o, const uint8_t *psk, size_t psk_len,
		   uint8_t *auth, size_t cap, size_t *auth_len)
{
	uint8_t v[IKE_AUTH_PRF_OUT_MAX];
	size_t len = 0;
	int rc = psk_compute(o, psk, psk_len, v, &len);

	if (rc == 0 && len > cap)
		rc = -ENOSPC;
	if (rc == 0) {
		memcpy(auth, v, len);
		*auth_len = len;
	}
	OPENSSL_cleanse(v, sizeof(v));
	return rc;
}

int
ike_auth_psk_verify(const struct ike_auth_octets *o, const uint8_t *psk, size_t psk_len,
		    const uint8_t *auth, size_t auth_len)
{
	uint8_t v[IKE_AUTH_PRF_OUT_MAX];
	size_t len = 0;
	int rc = psk_compute(o, psk, psk_len, v, &len);

	if (rc == 0 && (auth_len != len || CRYPTO_memcmp(v, auth, len) != 0))
		rc = -EBADMSG;
	OPENSSL_cleanse(v, sizeof(v));
	return rc;
}
