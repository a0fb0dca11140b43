/* IKEv2 AUTH octets and pre-shared-key authentication (RFC 7296 §2.15):
 * <SignedOctets> = RealMessage | Nonce | prf(SK_p, ID'), and
 * AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>).
 * The PRF (§2.13, HMAC-SHA2-256/384/512, RFC 4868) is ike_prf().
 * Signatures over the same octets are in ike_auth_sig.c. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_auth.h"
#include "ike/ike_buf.h"
#include "ike/ike_prf.h"

enum {
	OCTET_PARTS = 3,                /* message, nonce, MACed ID */
};

/* RFC 7296 §2.15 */
static const char key_pad[] = "Key Pad for IKEv2";

/* out = prf(KEY, PARTS[0] | ... ) (ike_prf.h), the PRF's full output length. */
static int
auth_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
	 size_t n, uint8_t out[IKE_AUTH_PRF_OUT_MAX], size_t *out_len)
{
	size_t len = ike_prf_len(prf);
	int rc;

	if (len == 0 || len > IKE_AUTH_PRF_OUT_MAX)
		return -ENOTSUP;
	rc = ike_prf(prf, key, key_len, parts, n, out, IKE_AUTH_PRF_OUT_MAX);
	if (rc == 0)
		*out_len = len;
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
