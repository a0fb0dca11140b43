/* The Encrypted payload (RFC 7296 §3.14) and Encrypted Fragment payload
 * (RFC 7383 §2.5) in place: AES-CBC + HMAC-SHA2 (ICV over the IKE header
 * through the Pad Length, RFC 7296 §3.14), AES-GCM-16 (RFC 5282 §3-5:
 * nonce = salt | IV, AAD = IKE header through the SK header) and
 * ChaCha20-Poly1305 (RFC 7634 §3, same layout). See ike_sk.h for the
 * buffer layout and the IV rules. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike/ike_buf.h"
#include "ike/ike_const.h"
#include "ike/ike_prf.h"
#include "ike/ike_sk.h"

/* Where the parts of one SK/SKF payload lie in the message. */
struct sk_span {
	size_t aad_len;              /* AEAD: IKE header through the SK header */
	uint8_t *iv;
	uint8_t *ct;                 /* inner payloads, padding, pad length */
	size_t ct_len;
	uint8_t *icv;                /* ICV or AEAD tag */
	size_t msg_len;
};

int
ike_sk_dir_init(struct ike_sk_dir *d, const struct ike_suite *s, const struct ike_key *ekey,
		const struct ike_key *akey)
{
	int rc;

	memset(d, 0, sizeof(*d));
	rc = ike_cipher_suite_info(s, &d->encr, &d->integ);
	if (rc != 0)
		return rc;
	if (ekey == NULL || ekey->len != d->encr.key_len)
		return -EINVAL;
	if (!d->encr.aead && (akey == NULL || akey->len != d->integ.key_len))
		return -EINVAL;
	d->ekey = ekey;
	d->akey = d->encr.aead ? NULL : akey;
	return 0;
}

int
ike_sk_dir_sa(struct ike_sk_dir *d, const struct ike_suite *s, const struct ike_sa_keys *k,
	      bool initiator, bool outbound)
{
	bool from_initiator = initiator == outbound;

	return ike_sk_dir_init(d, s, from_initiator ? &k->sk_ei : &k->sk_er,
			       from_initiator ? &k->sk_ai : &k->sk_ar);
}

size_t
ike_sk_iv_len(const struct ike_sk_dir *d)
{
	return d->encr.iv_len;
}

size_t
ike_sk_plain_off(const struct ike_sk_dir *d, size_t sk_off, size_t sk_hdr_len)
{
	return sk_off + sk_hdr_len + d->encr.iv_len;
}

static size_t
icv_len(const struct ike_sk_dir *d)
{
	return d->encr.aead ? d->encr.icv_len : d->integ.icv_len;
}

/* RFC 7296 §3.14: the minimum padding that aligns payloads + Padding +
 * Pad Length to the block (AEADs: block 1, RFC 7634 §3: no padding). */
static size_t
pad_len(const struct ike_sk_dir *d, size_t plain_len)
{
	size_t block = d->encr.block_len;

	return (block - (plain_len + 1) % block) % block;
}

size_t
ike_sk_payload_len(const struct ike_sk_dir *d, size_t sk_hdr_len, size_t plain_len)
{
	return sk_hdr_len + d->encr.iv_len + plain_len + pad_len(d, plain_len) + 1 + icv_len(d);
}

static bool
sk_hdr_len_ok(size_t sk_hdr_len)
{
	return sk_hdr_len == IKE_SK_HDR_LEN || sk_hdr_len == IKE_SKF_HDR_LEN;
}

/* Lays out M for encryption; checks every size before adding. */
static int
span_out(const struct ike_sk_dir *d, const struct ike_sk_msg *m, struct sk_span *sp)
{
	size_t plain_off, total;

	if (!sk_hdr_len_ok(m->sk_hdr_len) || m->sk_off < IKE_HDR_LEN || m->sk_off > IKE_MSG_MAX)
		return -EINVAL;
	if (m->plain_len > IKE_MSG_MAX)
		return -EMSGSIZE;
	plain_off = ike_sk_plain_off(d, m->sk_off, m->sk_hdr_len);
	total = m->sk_off + ike_sk_payload_len(d, m->sk_hdr_len, m->plain_len);
	if (total > IKE_MSG_MAX)
		return -EMSGSIZE;
	if (total > m->cap)
		return -ENOSPC;
	sp->aad_len = m->sk_off + m->sk_hdr_len;
	sp->iv = m->buf + sp->aad_len;
	sp->ct = m->buf + plain_off;
	sp->ct_len = m->plain_len + pad_len(d, m->plain_len) + 1;
	sp->icv = sp->ct + sp->ct_len;
	sp->msg_len = total;
	return 0;
}

/* Key and salt of the encryption key: AEAD keys end with the salt. */
static const uint8_t *
salt_of(const struct ike_sk_dir *d)
{
	return d->ekey->bytes + d->encr.key_len - d->encr.salt_len;
}

/* Runs the cipher over CT in place. AEADs: nonce = salt | IV, AAD = the
 * message up to the IV, TAG set before (decrypt) or read after (encrypt);
 * a wrong tag gives -EACCES. */
static int
cipher_run(const struct ike_sk_dir *d, const uint8_t *msg, const struct sk_span *sp, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *cipher = ike_cipher_evp(&d->encr);
	uint8_t nonce[IKE_AEAD_NONCE_LEN];
	const uint8_t *iv = sp->iv;
	OSSL_PARAM tag[2];
	int rc = -EIO, outl, finl;

	if (ctx == NULL || cipher == NULL)
		goto out;
	tag[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, sp->icv,
						   d->encr.icv_len);
	tag[1] = OSSL_PARAM_construct_end();
	if (d->encr.aead) {
		memcpy(nonce, salt_of(d), IKE_AEAD_SALT_LEN);
		memcpy(nonce + IKE_AEAD_SALT_LEN, sp->iv, IKE_AEAD_IV_LEN);
		iv = nonce;
	}
	if (EVP_CipherInit_ex2(ctx, cipher, d->ekey->bytes, iv, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (d->encr.aead && (EVP_CipherUpdate(ctx, NULL, &outl, msg, (int)sp->aad_len) != 1 ||
			     (!enc && EVP_CIPHER_CTX_set_params(ctx, tag) != 1)))
		goto out;
	if (EVP_CipherUpdate(ctx, sp->ct, &outl, sp->ct, (int)sp->ct_len) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, sp->ct + outl, &finl) != 1) {
		rc = d->encr.aead && !enc ? -EACCES : -EIO;
		goto out;
	}
	if ((size_t)outl + (size_t)finl != sp->ct_len)
		goto out;
	if (d->encr.aead && enc && EVP_CIPHER_CTX_get_params(ctx, tag) != 1)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* CBC integrity: the truncated HMAC of the message from the IKE header
 * through the Pad Length (RFC 7296 §3.14, RFC 4868 §2.3). */
static int
icv_compute(const struct ike_sk_dir *d, const uint8_t *msg, const struct sk_span *sp,
	    uint8_t *icv)
{
	const struct ike_chunk data = { msg, (size_t)(sp->icv - msg) };
	uint8_t mac[IKE_PRF_OUT_MAX];
	size_t mac_len = 0;
	int rc;

	rc = ike_prf_hmac(d->integ.digest, d->akey->bytes, d->akey->len, &data, 1, mac,
			  sizeof(mac), &mac_len);
	if (rc == 0 && mac_len < d->integ.icv_len)
		rc = -EIO;
	if (rc == 0)
		memcpy(icv, mac, d->integ.icv_len);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

static int
seal(const struct ike_sk_dir *d, const struct ike_sk_msg *m, const struct sk_span *sp)
{
	size_t pad = sp->ct_len - 1 - m->plain_len;
	int rc;

	memset(sp->ct + m->plain_len, 0, pad);
	sp->ct[sp->ct_len - 1] = (uint8_t)pad;
	ike_put_be16(m->buf + m->sk_off + IKE_SK_LEN_OFF, (uint16_t)(sp->msg_len - m->sk_off));
	ike_put_be32(m->buf + IKE_HDR_LEN_OFF, (uint32_t)sp->msg_len);
	rc = cipher_run(d, m->buf, sp, 1);
	if (rc == 0 && !d->encr.aead)
		rc = icv_compute(d, m->buf, sp, sp->icv);
	if (rc != 0)   /* never leave plaintext next to a valid-looking header */
		OPENSSL_cleanse(sp->ct, sp->ct_len);
	return rc;
}

int
ike_sk_encrypt_iv(const struct ike_sk_dir *d, const struct ike_sk_msg *m, const uint8_t *iv,
		  size_t iv_len, size_t *msg_len)
{
	struct sk_span sp;
	int rc;

	if (iv_len != d->encr.iv_len)
		return -EINVAL;
	rc = span_out(d, m, &sp);
	if (rc != 0)
		return rc;
	memcpy(sp.iv, iv, iv_len);
	rc = seal(d, m, &sp);
	if (rc == 0)
		*msg_len = sp.msg_len;
	return rc;
}

int
ike_sk_encrypt(const struct ike_sk_dir *d, const struct ike_sk_msg *m, uint64_t *iv_counter,
	       size_t *msg_len)
{
	struct sk_span sp;
	int rc;

	rc = span_out(d, m, &sp);
	if (rc != 0)
		return rc;
	if (d->encr.aead) {
		/* RFC 5282 §3: the IV must not repeat under one key. */
		if (iv_counter == NULL)
			return -EINVAL;
		if (*iv_counter == UINT64_MAX)
			return -EOVERFLOW;
		ike_put_be32(sp.iv, (uint32_t)(*iv_counter >> 32));
		ike_put_be32(sp.iv + 4, (uint32_t)*iv_counter);
		(*iv_counter)++;
	} else if (RAND_bytes(sp.iv, (int)d->encr.iv_len) != 1) {
		return -EIO;
	}
	rc = seal(d, m, &sp);
	if (rc == 0)
		*msg_len = sp.msg_len;
	return rc;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Lays out a received message; lengths checked before any subtraction. */
static int
span_in(const struct ike_sk_dir *d, uint8_t *msg, size_t msg_len, size_t sk_off,
	size_t sk_hdr_len, struct sk_span *sp)
{
	size_t body, min_ct = d->encr.aead ? 1 : d->encr.block_len;
	size_t iv = d->encr.iv_len, icv = icv_len(d);
	const uint8_t *pl;

	if (!sk_hdr_len_ok(sk_hdr_len))
		return -EINVAL;
	if (msg_len < IKE_HDR_LEN || msg_len > IKE_MSG_MAX || sk_off < IKE_HDR_LEN ||
	    sk_off > msg_len || msg_len - sk_off < sk_hdr_len)
		return -EBADMSG;
	if (get_be32(msg + IKE_HDR_LEN_OFF) != msg_len)   /* RFC 7296 §3.1 */
		return -EBADMSG;
	pl = msg + sk_off + IKE_SK_LEN_OFF;
	if ((size_t)(pl[0] << 8 | pl[1]) != msg_len - sk_off)   /* §3.14: SK is last */
		return -EBADMSG;
	body = msg_len - sk_off - sk_hdr_len;
	if (body < iv + icv + min_ct)
		return -EBADMSG;
	sp->aad_len = sk_off + sk_hdr_len;
	sp->iv = msg + sp->aad_len;
	sp->ct = sp->iv + iv;
	sp->ct_len = body - iv - icv;
	sp->icv = sp->ct + sp->ct_len;
	sp->msg_len = msg_len;
	if (sp->ct_len % d->encr.block_len != 0)   /* §3.14: block aligned */
		return -EBADMSG;
	return 0;
}

int
ike_sk_decrypt(const struct ike_sk_dir *d, uint8_t *msg, size_t msg_len, size_t sk_off,
	       size_t sk_hdr_len, struct ike_chunk *plain)
{
	uint8_t icv[IKE_ICV_MAX];
	struct sk_span sp;
	size_t pad;
	int rc;

	plain->ptr = NULL;
	plain->len = 0;
	rc = span_in(d, msg, msg_len, sk_off, sk_hdr_len, &sp);
	if (rc != 0)
		return rc;
	if (!d->encr.aead) {
		/* Verify before decrypting, in constant time. */
		rc = icv_compute(d, msg, &sp, icv);
		if (rc != 0)
			return rc;
		if (CRYPTO_memcmp(icv, sp.icv, d->integ.icv_len) != 0)
			return -EACCES;
	}
	rc = cipher_run(d, msg, &sp, 0);
	if (rc != 0) {
		OPENSSL_cleanse(sp.ct, sp.ct_len);
		return rc;
	}
	/* §3.14: Pad Length counts octets before it, within the plaintext. */
	pad = sp.ct[sp.ct_len - 1];
	if (pad > sp.ct_len - 1)
		return -EBADMSG;
	plain->ptr = sp.ct;
	plain->len = sp.ct_len - 1 - pad;
	return 0;
}
