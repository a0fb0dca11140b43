/* Key exchange groups for the KE payload through OpenSSL EVP_PKEY:
 * MODP-2048 (RFC 3526 §3, OpenSSL "modp_2048", generator 2), ECP P-256,
 * P-384, P-521 (RFC 5903 §7: public value x | y with fixed-length
 * coordinates, g^ir = x), Curve25519 (RFC 8031 §2). Peer values: exact
 * length (RFC 7296 §3.4), 1 < y < p-1 (RFC 6989 §2.1), point on the curve
 * (RFC 6989 §2.3), non-zero X25519 result (RFC 8031 §2). */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "ike/ike_const.h"
#include "ike/ike_dh.h"

enum dh_kind {
	DH_KIND_MODP,
	DH_KIND_ECP,
	DH_KIND_X25519,
};

enum {
	ECP_COORD_MAX = 66,          /* P-521 */
	ECP_POINT_MAX = 1 + 2 * ECP_COORD_MAX,
	X25519_LEN = 32,             /* RFC 7748 §5 */
};

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	const char *alg;             /* OpenSSL key type */
	const char *name;            /* OpenSSL group name; NULL for X25519 */
	int nid;                     /* ECP curve, for ike_dh_new_private() */
	uint16_t pub_len;
	uint16_t secret_len;
};

static const struct dh_group groups[] = {
	{ IKE_DH_MODP_2048, DH_KIND_MODP, "DH", "modp_2048", NID_undef, 256, 256 },
	{ IKE_DH_ECP_256, DH_KIND_ECP, "EC", "P-256", NID_X9_62_prime256v1, 64, 32 },
	{ IKE_DH_ECP_384, DH_KIND_ECP, "EC", "P-384", NID_secp384r1, 96, 48 },
	{ IKE_DH_ECP_521, DH_KIND_ECP, "EC", "P-521", NID_secp521r1, 132, 66 },
	{ IKE_DH_CURVE25519, DH_KIND_X25519, "X25519", NULL, NID_undef, X25519_LEN, X25519_LEN },
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *pkey;
};

static const struct dh_group *
group_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool
ike_dh_group_supported(uint16_t group)
{
	return group_find(group) != NULL;
}

size_t
ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g == NULL ? 0 : g->pub_len;
}

size_t
ike_dh_secret_len(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g == NULL ? 0 : g->secret_len;
}

uint16_t
ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

/* Takes ownership of PKEY. */
static int
dh_wrap(const struct dh_group *g, EVP_PKEY *pkey, struct ike_dh **out)
{
	struct ike_dh *dh = OPENSSL_zalloc(sizeof(*dh));

	if (dh == NULL) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	dh->g = g;
	dh->pkey = pkey;
	*out = dh;
	return 0;
}

/* An EVP_PKEY of G's key type from PARAMS (SELECTION: EVP_PKEY_*). */
static int
pkey_fromdata(const struct dh_group *g, int selection, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->alg, NULL);
	int rc = 0;

	*out = NULL;
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, out, selection, params) != 1)
		rc = -EINVAL;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* PARAMS = { group name of G, end }. */
static void
group_params(const struct dh_group *g, OSSL_PARAM *params)
{
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)g->name, 0);
	params[1] = OSSL_PARAM_construct_end();
}

int
ike_dh_new(uint16_t group, struct ike_dh **out)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM params[2];
	int rc = -EIO;

	*out = NULL;
	if (g == NULL)
		return -ENOTSUP;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->alg, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_keygen_init(ctx) != 1)
		goto out;
	if (g->name != NULL) {
		group_params(g, params);
		if (EVP_PKEY_CTX_set_params(ctx, params) != 1)
			goto out;
	}
	if (EVP_PKEY_generate(ctx, &pkey) != 1)
		goto out;
	rc = dh_wrap(g, pkey, out);
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* Key pair from a group name, a private scalar and an encoded or integer
 * public value (exactly one of PUB_OCT and PUB_BN). */
static int
keypair_fromdata(const struct dh_group *g, const BIGNUM *priv, const uint8_t *pub_oct,
		 size_t pub_oct_len, const BIGNUM *pub_bn, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	int rc = -ENOMEM;

	if (bld == NULL)
		return -ENOMEM;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)
		goto out;
	if (pub_bn != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_bn) != 1)
		goto out;
	if (pub_oct != NULL && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
								pub_oct, pub_oct_len) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params != NULL)
		rc = pkey_fromdata(g, EVP_PKEY_KEYPAIR, params, out);
out:
	OSSL_PARAM_free(params);   /* BN copies are secure-heap backed and cleared */
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

/* ECP key pair from a fixed scalar d: Q = d * G (test vectors). */
static int
ecp_private(const struct dh_group *g, const BIGNUM *d, EVP_PKEY **out)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
	uint8_t pub[ECP_POINT_MAX];
	EC_POINT *q = NULL;
	size_t pub_len;
	int rc = -EINVAL;

	if (grp == NULL)
		return -EIO;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	rc = -EIO;
	q = EC_POINT_new(grp);
	if (q == NULL || EC_POINT_mul(grp, q, d, NULL, NULL, NULL) != 1)
		goto out;
	pub_len = EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
				     NULL);
	if (pub_len != 1 + (size_t)g->pub_len)
		goto out;
	rc = keypair_fromdata(g, d, pub, pub_len, NULL, out);
out:
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	return rc;
}

/* The prime of a MODP group, from OpenSSL's named group parameters. */
static int
modp_prime(const struct dh_group *g, BIGNUM **p)
{
	OSSL_PARAM params[2];
	EVP_PKEY *pkey = NULL;
	int rc;

	group_params(g, params);
	rc = pkey_fromdata(g, EVP_PKEY_KEY_PARAMETERS, params, &pkey);
	if (rc == 0 && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_P, p) != 1)
		rc = -EIO;
	EVP_PKEY_free(pkey);
	return rc;
}

/* MODP key pair from a fixed exponent x: y = 2^x mod p (test vectors). */
static int
modp_private(const struct dh_group *g, BIGNUM *x, EVP_PKEY **out)
{
	BIGNUM *p = NULL, *y = BN_new(), *two = BN_new();
	BN_CTX *bnctx = BN_CTX_new();
	int rc = -ENOMEM;

	if (y == NULL || two == NULL || bnctx == NULL || BN_set_word(two, 2) != 1)
		goto out;
	rc = modp_prime(g, &p);
	if (rc != 0)
		goto out;
	rc = -EINVAL;
	if (BN_is_zero(x) || BN_cmp(x, p) >= 0)
		goto out;
	rc = -EIO;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (BN_mod_exp(y, two, x, p, bnctx) != 1)
		goto out;
	rc = keypair_fromdata(g, x, NULL, 0, y, out);
out:
	BN_free(p);
	BN_free(y);
	BN_free(two);
	BN_CTX_free(bnctx);
	return rc;
}

int
ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len, struct ike_dh **out)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *pkey = NULL;
	BIGNUM *k;
	int rc;

	*out = NULL;
	if (g == NULL)
		return -ENOTSUP;
	if (g->kind == DH_KIND_X25519) {
		if (len != X25519_LEN)
			return -EINVAL;
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->alg, NULL, priv, len);
		return pkey == NULL ? -EIO : dh_wrap(g, pkey, out);
	}
	if (len == 0 || len > (g->kind == DH_KIND_ECP ? g->secret_len : g->pub_len))
		return -EINVAL;
	k = BN_secure_new();
	if (k == NULL || BN_bin2bn(priv, (int)len, k) == NULL) {
		BN_clear_free(k);
		return -ENOMEM;
	}
	if (g->kind == DH_KIND_ECP)
		rc = ecp_private(g, k, &pkey);
	else
		rc = modp_private(g, k, &pkey);
	BN_clear_free(k);
	return rc == 0 ? dh_wrap(g, pkey, out) : rc;
}

static int
public_modp(const struct ike_dh *dh, uint8_t *buf, size_t len)
{
	BIGNUM *y = NULL;
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
	    BN_bn2binpad(y, buf, (int)len) == (int)len)
		rc = 0;
	BN_free(y);
	return rc;
}

/* RFC 5903 §7: x | y, each left-padded to the field length. */
static int
public_ecp(const struct ike_dh *dh, uint8_t *buf, size_t len)
{
	BIGNUM *x = NULL, *y = NULL;
	int coord = (int)(len / 2);
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
	    EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
	    BN_bn2binpad(x, buf, coord) == coord && BN_bn2binpad(y, buf + coord, coord) == coord)
		rc = 0;
	BN_free(x);
	BN_free(y);
	return rc;
}

int
ike_dh_public(const struct ike_dh *dh, uint8_t *buf, size_t len)
{
	size_t got = len;

	if (len != dh->g->pub_len)
		return -EINVAL;
	switch (dh->g->kind) {
	case DH_KIND_MODP:
		return public_modp(dh, buf, len);
	case DH_KIND_ECP:
		return public_ecp(dh, buf, len);
	case DH_KIND_X25519:
		if (EVP_PKEY_get_raw_public_key(dh->pkey, buf, &got) != 1 || got != len)
			return -EIO;
		return 0;
	}
	return -EIO;
}

/* RFC 6989 §2.1: 1 < y < p-1, then the group's public key from y. */
static int
peer_modp(const struct ike_dh *dh, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	BIGNUM *y = BN_bin2bn(peer, (int)len, NULL), *pm1 = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	int rc = -ENOMEM;

	if (y == NULL || bld == NULL)
		goto out;
	rc = -EIO;
	if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_FFC_P, &pm1) != 1 ||
	    BN_sub_word(pm1, 1) != 1)
		goto out;
	rc = -EINVAL;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	rc = -ENOMEM;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, dh->g->name, 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params != NULL)
		rc = pkey_fromdata(dh->g, EVP_PKEY_PUBLIC_KEY, params, out);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(pm1);
	BN_free(y);
	return rc;
}

/* RFC 5903 §7: x | y becomes the SEC1 uncompressed point 0x04 | x | y;
 * OpenSSL refuses points that are not on the curve (RFC 6989 §2.3). */
static int
peer_ecp(const struct ike_dh *dh, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	uint8_t point[ECP_POINT_MAX];
	OSSL_PARAM params[3];

	if (len + 1 > sizeof(point))
		return -EINVAL;
	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, peer, len);
	group_params(dh->g, params);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, len + 1);
	params[2] = OSSL_PARAM_construct_end();
	return pkey_fromdata(dh->g, EVP_PKEY_PUBLIC_KEY, params, out);
}

/* The peer's public value as a validated EVP_PKEY. */
static int
peer_import(const struct ike_dh *dh, const uint8_t *peer, size_t len, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx;
	int rc;

	*out = NULL;
	if (len != dh->g->pub_len)   /* RFC 7296 §3.4 */
		return -EINVAL;
	if (dh->g->kind == DH_KIND_MODP)
		rc = peer_modp(dh, peer, len, out);
	else if (dh->g->kind == DH_KIND_ECP)
		rc = peer_ecp(dh, peer, len, out);
	else
		rc = (*out = EVP_PKEY_new_raw_public_key_ex(NULL, dh->g->alg, NULL, peer, len)) ==
		     NULL ? -EINVAL : 0;
	if (rc != 0)
		return rc;
	/* Range (MODP) and on-curve (ECP) checks again, by OpenSSL. */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	if (ctx == NULL || EVP_PKEY_public_check_quick(ctx) != 1)
		rc = ctx == NULL ? -ENOMEM : -EINVAL;
	EVP_PKEY_CTX_free(ctx);
	if (rc != 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return rc;
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static int
derive(struct ike_dh *dh, EVP_PKEY *peer, struct ike_dh_secret *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	size_t len = sizeof(out->bytes);
	OSSL_PARAM params[2];
	unsigned int pad = 1;
	int rc = -EIO;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* RFC 7296 §2.14: g^ir padded with zeros to the length of the prime. */
	if (dh->g->kind == DH_KIND_MODP) {
		params[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad);
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, params) != 1)
			goto out;
	}
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1)   /* validated already */
		goto out;
	if (EVP_PKEY_derive(ctx, out->bytes, &len) != 1) {
		/* OpenSSL refuses an all-zero X25519 result (small-order point). */
		rc = dh->g->kind == DH_KIND_X25519 ? -EINVAL : -EIO;
		goto out;
	}
	if (len != dh->g->secret_len)
		goto out;
	/* RFC 8031 §2: reject an all-zero shared secret. */
	rc = all_zero(out->bytes, len) ? -EINVAL : 0;
	out->len = (uint16_t)len;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int
ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t len,
	      struct ike_dh_secret *out)
{
	EVP_PKEY *peer_key = NULL;
	int rc;

	rc = peer_import(dh, peer, len, &peer_key);
	if (rc == 0)
		rc = derive(dh, peer_key, out);
	EVP_PKEY_free(peer_key);
	if (rc != 0)
		ike_dh_secret_wipe(out);
	return rc;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);
	OPENSSL_clear_free(dh, sizeof(*dh));
}

void
ike_dh_secret_wipe(struct ike_dh_secret *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}
