/* The IKEv2 PRF and prf+ (RFC 7296 §2.13) over OpenSSL's EVP_MAC HMAC with
 * SHA2-256/384/512 (RFC 4868 §2.1.2). Keys of any length are accepted, as
 * HMAC hashes or pads them (RFC 2104 §2), so the nonce truncation that
 * RFC 7296 §2.14 prescribes for the fixed-key XCBC/CMAC PRFs never applies
 * here. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "ike/ike_cipher.h"
#include "ike/ike_prf.h"

struct prf_row {
	uint16_t prf;
	uint8_t len;
	const char *digest;
};

static const struct prf_row prf_rows[] = {
	{ IKE_PRF_HMAC_SHA2_256, 32, "SHA2-256" },
	{ IKE_PRF_HMAC_SHA2_384, 48, "SHA2-384" },
	{ IKE_PRF_HMAC_SHA2_512, 64, "SHA2-512" },
};

static const struct prf_row *
prf_row_find(uint16_t prf)
{
	size_t i;

	for (i = 0; i < sizeof(prf_rows) / sizeof(prf_rows[0]); i++)
		if (prf_rows[i].prf == prf)
			return &prf_rows[i];
	return NULL;
}

size_t
ike_prf_len(uint16_t prf)
{
	const struct prf_row *row = prf_row_find(prf);

	return row == NULL ? 0 : row->len;
}

bool
ike_prf_supported(uint16_t prf)
{
	return prf_row_find(prf) != NULL;
}

size_t
ike_prf_plus_max(uint16_t prf)
{
	return ike_prf_len(prf) * IKE_PRF_PLUS_ITER_MAX;
}

int
ike_prf_hmac(const char *digest, const uint8_t *key, size_t key_len,
	     const struct ike_chunk *data, size_t n, uint8_t *out, size_t out_len,
	     size_t *mac_len)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac = ike_cipher_hmac();
	EVP_MAC_CTX *ctx;
	int rc = -EIO;
	size_t i;

	if (mac == NULL)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A zero-length HMAC key is legal; OpenSSL wants a non-NULL pointer. */
	if (EVP_MAC_init(ctx, key_len == 0 ? (const uint8_t *)"" : key, key_len, params) != 1)
		goto out;
	if (EVP_MAC_CTX_get_mac_size(ctx) > out_len) {
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (data[i].len > 0 && EVP_MAC_update(ctx, data[i].ptr, data[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, mac_len, out_len) != 1)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);   /* cleanses the keyed state */
	return rc;
}

int
ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *data,
	size_t n, uint8_t *out, size_t out_len)
{
	const struct prf_row *row = prf_row_find(prf);
	size_t mac_len = 0;
	int rc;

	if (row == NULL)
		return -ENOTSUP;
	if (n > IKE_PRF_CHUNKS_MAX || out_len < row->len)
		return -EINVAL;
	rc = ike_prf_hmac(row->digest, key, key_len, data, n, out, out_len, &mac_len);
	if (rc == 0 && mac_len != row->len)
		rc = -EIO;
	return rc;
}

int
ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *seed,
	     size_t n, uint8_t *out, size_t out_len)
{
	const struct prf_row *row = prf_row_find(prf);
	struct ike_chunk in[IKE_PRF_CHUNKS_MAX + 2];
	uint8_t t[IKE_PRF_OUT_MAX];
	size_t done = 0, take, mac_len = 0;
	uint8_t counter = 1;
	int rc = 0;

	if (row == NULL)
		return -ENOTSUP;
	if (n > IKE_PRF_CHUNKS_MAX || out_len > ike_prf_plus_max(prf))
		return -EINVAL;
	/* in = T(i-1) | S | i, with T0 empty. */
	in[0] = (struct ike_chunk){ .ptr = t, .len = 0 };
	if (n > 0)
		memcpy(&in[1], seed, n * sizeof(*seed));
	in[n + 1] = (struct ike_chunk){ .ptr = &counter, .len = 1 };
	while (done < out_len) {
		rc = ike_prf_hmac(row->digest, key, key_len, in, n + 2, t, sizeof(t), &mac_len);
		if (rc == 0 && mac_len != row->len)
			rc = -EIO;
		if (rc != 0)
			break;
		take = out_len - done < row->len ? out_len - done : row->len;
		memcpy(out + done, t, take);
		done += take;
		in[0].len = row->len;
		counter++;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, out_len);
	return rc;
}
