/* IKEv2 signature authentication (RFC 7296 §2.15, §3.8): RFC 7427 Digital
 * Signature (method 14: ASN.1 Length | AlgorithmIdentifier | signature) with
 * RSASSA-PKCS1-v1_5, RSASSA-PSS (RFC 4055 §3.1 parameters) and ECDSA over
 * SHA2-256/384/512, the SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 §4), the
 * legacy RSA Digital Signature (method 1, SHA-1) and ECDSA with fixed curve
 * and hash (methods 9/10/11, RFC 4754 §3, §7: r | s). OpenSSL EVP keys;
 * the signed octets come from ike_auth_octets() (ike_auth.c). */
#include <errno.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike/ike_auth.h"
#include "ike/ike_buf.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	OCTET_PARTS = 3,                /* message, nonce, MACed ID */
	GROUP_NAME_MAX = 64,
	ECDSA_DER_MAX = 160,            /* ECDSA-Sig-Value of two 66-octet integers */
	PSS_SALT_MAX = 512,
	PSS_TRAILER_BC = 1,             /* RFC 4055 §3.1: trailerField 1 */
	PSS_SALT_DEFAULT = 20,          /* RFC 4055 §3.1: saltLength DEFAULT 20 */
};

/* ---- hashes ---- */

struct hash_info {
	uint16_t id;                    /* enum ike_hash_alg */
	int nid;
	const char *md;
	size_t len;
};

static const struct hash_info hashes[] = {
	{ IKE_HASH_SHA1, NID_sha1, "SHA1", 20 },
	{ IKE_HASH_SHA2_256, NID_sha256, "SHA2-256", 32 },
	{ IKE_HASH_SHA2_384, NID_sha384, "SHA2-384", 48 },
	{ IKE_HASH_SHA2_512, NID_sha512, "SHA2-512", 64 },
};

/* What we announce and accept in method 14 (RFC 7427 §4). */
static const uint16_t our_hashes[] = { IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512 };

static const struct hash_info *
hash_by_id(uint16_t id)
{
	for (size_t i = 0; i < N_ELEMS(hashes); i++)
		if (hashes[i].id == id)
			return &hashes[i];
	return NULL;
}

static const struct hash_info *
hash_by_nid(int nid)
{
	for (size_t i = 0; i < N_ELEMS(hashes); i++)
		if (hashes[i].nid == nid)
			return &hashes[i];
	return NULL;
}

static bool
hash_listed(const uint16_t *list, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

static void
octet_parts(const struct ike_auth_octets *o, struct ike_chunk parts[OCTET_PARTS])
{
	parts[0] = o->msg;
	parts[1] = o->nonce;
	parts[2] = (struct ike_chunk){ .ptr = o->maced_id, .len = o->maced_id_len };
}

/* ---- SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4) ---- */

const uint16_t *
ike_auth_hashes(size_t *n)
{
	*n = N_ELEMS(our_hashes);
	return our_hashes;
}

int
ike_auth_hashes_encode(uint8_t *out, size_t cap, size_t *len)
{
	struct ike_wr w;

	ike_wr_init(&w, out, cap);
	for (size_t i = 0; i < N_ELEMS(our_hashes); i++)
		ike_wr_u16(&w, our_hashes[i]);
	if (w.overflow)
		return -ENOSPC;
	*len = w.len;
	return 0;
}

int
ike_auth_hashes_decode(const uint8_t *data, size_t len, uint16_t *out, size_t cap, size_t *n)
{
	struct ike_rd r;
	uint16_t id;

	*n = 0;
	if (len == 0 || len % IKE_AUTH_HASH_LEN != 0)
		return -EBADMSG;
	ike_rd_init(&r, data, len);
	while (ike_rd_u16(&r, &id))
		if (*n < cap)
			out[(*n)++] = id;
	return 0;
}

/* ---- keys ---- */

enum sig_key {
	SIG_KEY_NONE,
	SIG_KEY_RSA,
	SIG_KEY_RSA_PSS,                /* an id-RSASSA-PSS key: PSS only */
	SIG_KEY_EC,
};

static enum sig_key
key_kind(const EVP_PKEY *key)
{
	if (key == NULL)
		return SIG_KEY_NONE;
	if (EVP_PKEY_is_a(key, "RSA"))
		return SIG_KEY_RSA;
	if (EVP_PKEY_is_a(key, "RSA-PSS"))
		return SIG_KEY_RSA_PSS;
	if (EVP_PKEY_is_a(key, "EC"))
		return SIG_KEY_EC;
	return SIG_KEY_NONE;
}

static int
key_curve(const EVP_PKEY *key)
{
	char name[GROUP_NAME_MAX];
	int nid;

	if (key_kind(key) != SIG_KEY_EC ||
	    EVP_PKEY_get_group_name(key, name, sizeof(name), NULL) != 1)
		return NID_undef;
	nid = OBJ_txt2nid(name);
	return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

/* RFC 4754 §3 (and RFC 7296 §3.8 for 9/10/11). */
struct ecdsa_legacy {
	uint8_t method;
	int curve;
	uint16_t hash;
	size_t coord_len;
};

static const struct ecdsa_legacy ecdsa_legacy[] = {
	{ IKE_AUTH_ECDSA_256, NID_X9_62_prime256v1, IKE_HASH_SHA2_256, 32 },
	{ IKE_AUTH_ECDSA_384, NID_secp384r1, IKE_HASH_SHA2_384, 48 },
	{ IKE_AUTH_ECDSA_521, NID_secp521r1, IKE_HASH_SHA2_512, 66 },
};

static const struct ecdsa_legacy *
legacy_by_method(uint8_t method)
{
	for (size_t i = 0; i < N_ELEMS(ecdsa_legacy); i++)
		if (ecdsa_legacy[i].method == method)
			return &ecdsa_legacy[i];
	return NULL;
}

static const struct ecdsa_legacy *
legacy_by_curve(int curve)
{
	for (size_t i = 0; i < N_ELEMS(ecdsa_legacy); i++)
		if (ecdsa_legacy[i].curve == curve)
			return &ecdsa_legacy[i];
	return NULL;
}

uint8_t
ike_auth_legacy_method(const EVP_PKEY *key)
{
	const struct ecdsa_legacy *l;

	switch (key_kind(key)) {
	case SIG_KEY_RSA:
		return IKE_AUTH_RSA_SIG;
	case SIG_KEY_EC:
		l = legacy_by_curve(key_curve(key));
		return l != NULL ? l->method : 0;
	default:
		return 0;
	}
}

uint16_t
ike_auth_pick_hash(const uint16_t *peer_hashes, size_t n, const EVP_PKEY *key)
{
	const struct ecdsa_legacy *l = legacy_by_curve(key_curve(key));
	uint16_t pref = l != NULL ? l->hash : IKE_HASH_SHA2_256;

	if (key_kind(key) == SIG_KEY_NONE)
		return 0;
	if (hash_listed(peer_hashes, n, pref))
		return pref;
	for (size_t i = 0; i < N_ELEMS(our_hashes); i++)
		if (hash_listed(peer_hashes, n, our_hashes[i]))
			return our_hashes[i];
	return 0;
}

/* ---- signature schemes (RFC 7427 §3, Appendix A) ---- */

/* How one signature is made or checked. */
struct sig_params {
	enum sig_key key;               /* SIG_KEY_RSA also stands for RSA-PSS keys with pss */
	const struct hash_info *hash;
	bool pss;
	int salt;                       /* PSS salt length */
};

/* AlgorithmIdentifiers we send, RFC 7427 Appendix A.1.2-A.1.4, A.3.2-A.3.4,
 * A.4.3 (and A.4.3 with SHA2-384/512 in place of SHA2-256, salt = hash
 * length). */
static const uint8_t algid_rsa_sha256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
};
static const uint8_t algid_rsa_sha384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00,
};
static const uint8_t algid_rsa_sha512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00,
};
static const uint8_t algid_ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};
static const uint8_t algid_ecdsa_sha384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
};
static const uint8_t algid_ecdsa_sha512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,
};

#define ALGID_PSS(h, salt) { \
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39, \
	0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, (h), \
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, \
	0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, (h), \
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, (salt), 0xa3, 0x03, 0x02, 0x01, 0x01, }

static const uint8_t algid_pss_sha256[] = ALGID_PSS(0x01, 0x20);
static const uint8_t algid_pss_sha384[] = ALGID_PSS(0x02, 0x30);
static const uint8_t algid_pss_sha512[] = ALGID_PSS(0x03, 0x40);

struct sig_algid {
	enum sig_key key;
	bool pss;
	uint16_t hash;
	int nid;                        /* signature OID (NID_rsassaPss for PSS) */
	const uint8_t *der;
	size_t der_len;
};

#define ALGID(k, p, h, n, a) { (k), (p), (h), (n), (a), sizeof(a) }
static const struct sig_algid algids[] = {
	ALGID(SIG_KEY_RSA, false, IKE_HASH_SHA2_256, NID_sha256WithRSAEncryption, algid_rsa_sha256),
	ALGID(SIG_KEY_RSA, false, IKE_HASH_SHA2_384, NID_sha384WithRSAEncryption, algid_rsa_sha384),
	ALGID(SIG_KEY_RSA, false, IKE_HASH_SHA2_512, NID_sha512WithRSAEncryption, algid_rsa_sha512),
	ALGID(SIG_KEY_RSA, true, IKE_HASH_SHA2_256, NID_rsassaPss, algid_pss_sha256),
	ALGID(SIG_KEY_RSA, true, IKE_HASH_SHA2_384, NID_rsassaPss, algid_pss_sha384),
	ALGID(SIG_KEY_RSA, true, IKE_HASH_SHA2_512, NID_rsassaPss, algid_pss_sha512),
	ALGID(SIG_KEY_EC, false, IKE_HASH_SHA2_256, NID_ecdsa_with_SHA256, algid_ecdsa_sha256),
	ALGID(SIG_KEY_EC, false, IKE_HASH_SHA2_384, NID_ecdsa_with_SHA384, algid_ecdsa_sha384),
	ALGID(SIG_KEY_EC, false, IKE_HASH_SHA2_512, NID_ecdsa_with_SHA512, algid_ecdsa_sha512),
};

static const struct sig_algid *
algid_find(enum sig_key key, bool pss, uint16_t hash)
{
	for (size_t i = 0; i < N_ELEMS(algids); i++)
		if (algids[i].key == key && algids[i].pss == pss && algids[i].hash == hash)
			return &algids[i];
	return NULL;
}

/* Parameters absent or NULL (RFC 5754 §3.2 / RFC 4055 §5 / RFC 5758 §3.2). */
static bool
params_empty(int ptype)
{
	return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

/* A hash AlgorithmIdentifier inside PSS parameters: one of ours. */
static const struct hash_info *
pss_hash(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;
	const struct hash_info *h;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	h = hash_by_nid(OBJ_obj2nid(obj));
	if (h == NULL || !params_empty(ptype) ||
	    !hash_listed(our_hashes, N_ELEMS(our_hashes), h->id))
		return NULL;
	return h;
}

/* maskGenAlgorithm: id-mgf1 whose parameter is the hash AlgorithmIdentifier. */
static const struct hash_info *
pss_mgf1_hash(const X509_ALGOR *mgf)
{
	const ASN1_OBJECT *obj;
	const ASN1_STRING *seq;
	const unsigned char *p;
	const void *pval;
	const struct hash_info *h = NULL;
	X509_ALGOR *inner;
	int ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
	if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
		return NULL;
	seq = pval;
	p = ASN1_STRING_get0_data(seq);
	inner = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(seq));
	if (inner != NULL && p == ASN1_STRING_get0_data(seq) + ASN1_STRING_length(seq))
		h = pss_hash(inner);
	X509_ALGOR_free(inner);
	return h;
}

/* RSASSA-PSS-params (RFC 4055 §3.1); SHA-1 defaults are not accepted. */
static int
pss_params(const ASN1_STRING *seq, struct sig_params *sp)
{
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq));
	int64_t salt = PSS_SALT_DEFAULT, trailer = PSS_TRAILER_BC;
	int rc = -ENOTSUP;

	if (pss == NULL || p != ASN1_STRING_get0_data(seq) + ASN1_STRING_length(seq)) {
		rc = -EBADMSG;
		goto out;
	}
	if (pss->hashAlgorithm == NULL || pss->maskGenAlgorithm == NULL)
		goto out;
	sp->hash = pss_hash(pss->hashAlgorithm);
	if (sp->hash == NULL || pss_mgf1_hash(pss->maskGenAlgorithm) != sp->hash)
		goto out;
	if ((pss->saltLength != NULL && ASN1_INTEGER_get_int64(&salt, pss->saltLength) != 1) ||
	    (pss->trailerField != NULL && ASN1_INTEGER_get_int64(&trailer, pss->trailerField) != 1))
		goto out;
	if (salt < 0 || salt > PSS_SALT_MAX || trailer != PSS_TRAILER_BC)
		goto out;
	sp->key = SIG_KEY_RSA;
	sp->pss = true;
	sp->salt = (int)salt;
	rc = 0;
out:
	RSA_PSS_PARAMS_free(pss);
	return rc;
}

/* A received AlgorithmIdentifier (DER, exactly LEN octets) into SP. */
static int
algid_parse(const uint8_t *der, size_t len, struct sig_params *sp)
{
	const unsigned char *p = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype, nid, rc = -ENOTSUP;

	if (alg == NULL || p != der + len) {
		X509_ALGOR_free(alg);
		return -EBADMSG;
	}
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_rsassaPss) {
		rc = ptype == V_ASN1_SEQUENCE ? pss_params(pval, sp) : -ENOTSUP;
		goto out;
	}
	for (size_t i = 0; i < N_ELEMS(algids); i++) {
		if (algids[i].nid != nid || algids[i].pss || !params_empty(ptype))
			continue;
		sp->key = algids[i].key;
		sp->hash = hash_by_id(algids[i].hash);
		sp->pss = false;
		rc = 0;
	}
out:
	X509_ALGOR_free(alg);
	return rc;
}

/* Can KEY make / check a signature of SP? */
static bool
key_fits(const EVP_PKEY *key, const struct sig_params *sp)
{
	switch (key_kind(key)) {
	case SIG_KEY_RSA:
		return sp->key == SIG_KEY_RSA;
	case SIG_KEY_RSA_PSS:
		return sp->key == SIG_KEY_RSA && sp->pss;
	case SIG_KEY_EC:
		return sp->key == SIG_KEY_EC;
	default:
		return false;
	}
}

/* ---- EVP signing and verification over the octets ---- */

static int
sig_init(EVP_MD_CTX *ctx, EVP_PKEY *key, const struct sig_params *sp, bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (sign)
		ok = EVP_DigestSignInit_ex(ctx, &pctx, sp->hash->md, NULL, NULL, key, NULL);
	else
		ok = EVP_DigestVerifyInit_ex(ctx, &pctx, sp->hash->md, NULL, NULL, key, NULL);
	if (ok != 1)
		return -EIO;
	if (sp->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
			EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, sp->hash->md, NULL) != 1 ||
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sp->salt) != 1))
		return -EIO;
	return 0;
}

static int
sig_update(EVP_MD_CTX *ctx, const struct ike_auth_octets *o, bool sign)
{
	struct ike_chunk parts[OCTET_PARTS];

	octet_parts(o, parts);
	for (size_t i = 0; i < OCTET_PARTS; i++) {
		if (parts[i].len == 0)
			continue;
		if ((sign ? EVP_DigestSignUpdate(ctx, parts[i].ptr, parts[i].len)
			  : EVP_DigestVerifyUpdate(ctx, parts[i].ptr, parts[i].len)) != 1)
			return -EIO;
	}
	return 0;
}

/* Signature of the octets into OUT (at most CAP octets). */
static int
sig_make(const struct ike_auth_octets *o, EVP_PKEY *key, const struct sig_params *sp,
	 uint8_t *out, size_t cap, size_t *len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t need = 0;
	int rc = ctx != NULL ? sig_init(ctx, key, sp, true) : -ENOMEM;

	if (rc == 0)
		rc = sig_update(ctx, o, true);
	if (rc == 0 && EVP_DigestSignFinal(ctx, NULL, &need) != 1)
		rc = -EIO;
	if (rc == 0 && need > cap)
		rc = -ENOSPC;
	if (rc == 0 && EVP_DigestSignFinal(ctx, out, &need) != 1)
		rc = -EIO;
	if (rc == 0)
		*len = need;
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* 0 when SIG is a valid signature of the octets, else -EBADMSG. */
static int
sig_check(const struct ike_auth_octets *o, EVP_PKEY *key, const struct sig_params *sp,
	  const uint8_t *sig, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = ctx != NULL ? sig_init(ctx, key, sp, false) : -ENOMEM;

	if (rc == 0)
		rc = sig_update(ctx, o, false);
	if (rc == 0 && EVP_DigestVerifyFinal(ctx, sig, len) != 1)
		rc = -EBADMSG;
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ---- ECDSA r | s (RFC 4754 §7) <-> ECDSA-Sig-Value ---- */

static int
ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t coord, uint8_t *out, size_t cap)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *sv;
	int rc = -EIO;

	if (cap < 2 * coord)
		rc = -ENOSPC;
	else if (s != NULL) {
		ECDSA_SIG_get0(s, &r, &sv);
		if (BN_bn2binpad(r, out, (int)coord) == (int)coord &&
		    BN_bn2binpad(sv, out + coord, (int)coord) == (int)coord)
			rc = 0;
	}
	ECDSA_SIG_free(s);
	return rc;
}

static int
ecdsa_raw_to_der(const uint8_t *raw, size_t coord, uint8_t *out, size_t cap, size_t *len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)coord, NULL);
	BIGNUM *sv = BN_bin2bn(raw + coord, (int)coord, NULL);
	unsigned char *q = out;
	int n, rc = -EIO;

	if (s != NULL && r != NULL && sv != NULL && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL;          /* owned by s */
		n = i2d_ECDSA_SIG(s, NULL);
		if (n > 0 && (size_t)n <= cap && i2d_ECDSA_SIG(s, &q) == n) {
			*len = (size_t)n;
			rc = 0;
		}
	}
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	return rc;
}

/* ---- methods ---- */

/* Method 14: ASN.1 Length | AlgorithmIdentifier | signature. */
static int
sign_digital(const struct ike_auth_octets *o, EVP_PKEY *key, uint16_t hash, bool pss,
	     uint8_t *auth, size_t cap, size_t *auth_len)
{
	enum sig_key kind = key_kind(key);
	const struct sig_algid *a;
	struct sig_params sp;
	size_t sig_len = 0;
	int rc;

	if (kind == SIG_KEY_RSA_PSS)
		kind = SIG_KEY_RSA;
	a = algid_find(kind, pss, hash);
	if (a == NULL)
		return kind == SIG_KEY_NONE ? -EKEYREJECTED : -EINVAL;
	sp = (struct sig_params){ .key = a->key, .hash = hash_by_id(hash), .pss = pss,
				  .salt = (int)hash_by_id(hash)->len };
	if (!key_fits(key, &sp))
		return -EKEYREJECTED;
	if (cap < 1 + a->der_len)
		return -ENOSPC;
	auth[0] = (uint8_t)a->der_len;
	memcpy(auth + 1, a->der, a->der_len);
	rc = sig_make(o, key, &sp, auth + 1 + a->der_len, cap - 1 - a->der_len, &sig_len);
	if (rc == 0)
		*auth_len = 1 + a->der_len + sig_len;
	return rc;
}

static int
sign_ecdsa_legacy(const struct ike_auth_octets *o, EVP_PKEY *key, const struct ecdsa_legacy *l,
		  uint8_t *auth, size_t cap, size_t *auth_len)
{
	struct sig_params sp = { .key = SIG_KEY_EC, .hash = hash_by_id(l->hash) };
	uint8_t der[ECDSA_DER_MAX];
	size_t der_len = 0;
	int rc;

	if (key_curve(key) != l->curve)
		return -EKEYREJECTED;
	rc = sig_make(o, key, &sp, der, sizeof(der), &der_len);
	if (rc == 0)
		rc = ecdsa_der_to_raw(der, der_len, l->coord_len, auth, cap);
	if (rc == 0)
		*auth_len = 2 * l->coord_len;
	return rc;
}

int
ike_auth_sign(const struct ike_auth_octets *o, EVP_PKEY *key, uint8_t method, uint16_t hash,
	      bool pss, uint8_t *auth, size_t cap, size_t *auth_len)
{
	struct sig_params rsa1 = { .key = SIG_KEY_RSA, .hash = hash_by_id(IKE_HASH_SHA1) };
	const struct ecdsa_legacy *l = legacy_by_method(method);

	if (key == NULL)
		return -EINVAL;
	if (method == IKE_AUTH_DIGITAL_SIGNATURE)
		return sign_digital(o, key, hash, pss, auth, cap, auth_len);
	if (l != NULL)
		return sign_ecdsa_legacy(o, key, l, auth, cap, auth_len);
	if (method != IKE_AUTH_RSA_SIG)
		return -ENOTSUP;
	if (key_kind(key) != SIG_KEY_RSA)
		return -EKEYREJECTED;
	return sig_make(o, key, &rsa1, auth, cap, auth_len);
}

static int
verify_digital(const struct ike_auth_octets *o, EVP_PKEY *key, const uint8_t *auth,
	       size_t auth_len)
{
	struct sig_params sp = { 0 };
	size_t alen;
	int rc;

	/* RFC 7427 §3: ASN.1 Length, AlgorithmIdentifier, a non-empty signature */
	if (auth_len < 1)
		return -EBADMSG;
	alen = auth[0];
	if (alen == 0 || auth_len - 1 <= alen)
		return -EBADMSG;
	rc = algid_parse(auth + 1, alen, &sp);
	if (rc < 0)
		return rc;
	if (!key_fits(key, &sp))
		return -EKEYREJECTED;
	return sig_check(o, key, &sp, auth + 1 + alen, auth_len - 1 - alen);
}

static int
verify_ecdsa_legacy(const struct ike_auth_octets *o, EVP_PKEY *key,
		    const struct ecdsa_legacy *l, const uint8_t *auth, size_t auth_len)
{
	struct sig_params sp = { .key = SIG_KEY_EC, .hash = hash_by_id(l->hash) };
	uint8_t der[ECDSA_DER_MAX];
	size_t der_len = 0;

	if (key_curve(key) != l->curve)
		return -EKEYREJECTED;
	if (auth_len != 2 * l->coord_len)   /* RFC 4754 §7: r and s, fixed size */
		return -EBADMSG;
	if (ecdsa_raw_to_der(auth, l->coord_len, der, sizeof(der), &der_len) < 0)
		return -EBADMSG;
	return sig_check(o, key, &sp, der, der_len);
}

int
ike_auth_verify(const struct ike_auth_octets *o, EVP_PKEY *key, uint8_t method,
		const uint8_t *auth, size_t auth_len)
{
	struct sig_params rsa1 = { .key = SIG_KEY_RSA, .hash = hash_by_id(IKE_HASH_SHA1) };
	const struct ecdsa_legacy *l = legacy_by_method(method);

	if (key == NULL || auth == NULL)
		return -EINVAL;
	if (method == IKE_AUTH_DIGITAL_SIGNATURE)
		return verify_digital(o, key, auth, auth_len);
	if (l != NULL)
		return verify_ecdsa_legacy(o, key, l, auth, auth_len);
	if (method != IKE_AUTH_RSA_SIG)
		return -ENOTSUP;
	if (key_kind(key) != SIG_KEY_RSA)
		return -EKEYREJECTED;
	if (auth_len == 0)
		return -EBADMSG;
	return sig_check(o, key, &rsa1, auth, auth_len);
}
