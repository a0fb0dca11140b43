/* Key derivation: SKEYSEED and SK_* (RFC 7296 §2.14), IKE SA rekey
 * (§2.18), CHILD SA KEYMAT (§2.17), all with prf/prf+ (§2.13). Every
 * intermediate secret lives in a local buffer wiped at the one exit. The
 * PRFs are HMACs, so the nonces are never truncated (the §2.14 exception is
 * for AES-XCBC/CMAC PRFs only). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_cipher.h"
#include "ike/ike_key.h"
#include "ike/ike_keys.h"
#include "ike/ike_prf.h"

int
ike_keys_lens(const struct ike_suite *s, bool with_prf, struct ike_key_lens *out)
{
	struct ike_encr_info encr;
	struct ike_integ_info integ;
	int rc;

	rc = ike_cipher_suite_info(s, &encr, &integ);
	if (rc != 0)
		return rc;
	out->prf = 0;
	if (with_prf) {
		out->prf = ike_prf_len(s->prf);
		if (out->prf == 0)
			return -ENOTSUP;
	}
	out->integ = integ.key_len;
	out->encr = encr.key_len;
	return 0;
}

/* prf(KEY, DATA...) into an ike_key of the PRF's length. */
static int
prf_to_key(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *data,
	   size_t n, struct ike_key *out)
{
	size_t len = ike_prf_len(prf);
	int rc;

	ike_key_wipe(out);
	if (len == 0)
		return -ENOTSUP;
	rc = ike_prf(prf, key, key_len, data, n, out->bytes, sizeof(out->bytes));
	out->len = rc == 0 ? (uint16_t)len : 0;
	if (rc != 0)
		ike_key_wipe(out);
	return rc;
}

int
ike_keys_skeyseed(uint16_t prf, const struct ike_chunk *ni, const struct ike_chunk *nr,
		  const struct ike_chunk *gir, struct ike_key *skeyseed)
{
	uint8_t nonces[2 * IKE_NONCE_MAX];
	int rc;

	ike_key_wipe(skeyseed);
	/* RFC 7296 §2.10: nonces of 16 to 256 octets. */
	if (ni->len < IKE_NONCE_MIN || ni->len > IKE_NONCE_MAX || nr->len < IKE_NONCE_MIN ||
	    nr->len > IKE_NONCE_MAX)
		return -EINVAL;
	/* The key is Ni | Nr: concatenate, as a key is a single buffer. */
	memcpy(nonces, ni->ptr, ni->len);
	memcpy(nonces + ni->len, nr->ptr, nr->len);
	rc = prf_to_key(prf, nonces, ni->len + nr->len, gir, 1, skeyseed);
	OPENSSL_cleanse(nonces, sizeof(nonces));
	return rc;
}

int
ike_keys_skeyseed_rekey(uint16_t old_prf, const struct ike_key *old_sk_d,
			const struct ike_chunk *gir, const struct ike_chunk *ni,
			const struct ike_chunk *nr, struct ike_key *skeyseed)
{
	const struct ike_chunk data[] = { *gir, *ni, *nr };

	return prf_to_key(old_prf, old_sk_d->bytes, old_sk_d->len, data, 3, skeyseed);
}

/* Takes LEN octets at *AT into K and advances *AT. */
static void
take_key(struct ike_key *k, const uint8_t **at, size_t len)
{
	memcpy(k->bytes, *at, len);
	k->len = (uint16_t)len;
	*at += len;
}

int
ike_keys_sa(const struct ike_suite *s, const struct ike_key *skeyseed,
	    const struct ike_chunk *ni, const struct ike_chunk *nr,
	    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
	    struct ike_sa_keys *out)
{
	const struct ike_chunk seed[] = {
		*ni, *nr, { spi_i, IKE_SPI_LEN }, { spi_r, IKE_SPI_LEN },
	};
	uint8_t keymat[IKE_KEYMAT_SA_MAX];
	struct ike_key_lens l;
	const uint8_t *at = keymat;
	size_t total;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ike_keys_lens(s, true, &l);
	if (rc != 0)
		return rc;
	total = 3 * l.prf + 2 * l.integ + 2 * l.encr;
	if (total > sizeof(keymat) || l.prf > IKE_KEY_MAX || l.encr > IKE_KEY_MAX ||
	    l.integ > IKE_KEY_MAX)
		return -EINVAL;
	rc = ike_prf_plus(s->prf, skeyseed->bytes, skeyseed->len, seed, 4, keymat, total);
	if (rc == 0) {
		take_key(&out->sk_d, &at, l.prf);
		take_key(&out->sk_ai, &at, l.integ);
		take_key(&out->sk_ar, &at, l.integ);
		take_key(&out->sk_ei, &at, l.encr);
		take_key(&out->sk_er, &at, l.encr);
		take_key(&out->sk_pi, &at, l.prf);
		take_key(&out->sk_pr, &at, l.prf);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	return rc;
}

int
ike_keys_sa_init(const struct ike_suite *s, const struct ike_chunk *ni,
		 const struct ike_chunk *nr, const struct ike_chunk *gir,
		 const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		 struct ike_sa_keys *out)
{
	struct ike_key skeyseed;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ike_keys_skeyseed(s->prf, ni, nr, gir, &skeyseed);
	if (rc == 0)
		rc = ike_keys_sa(s, &skeyseed, ni, nr, spi_i, spi_r, out);
	ike_key_wipe(&skeyseed);
	return rc;
}

int
ike_keys_sa_rekey(uint16_t old_prf, const struct ike_key *old_sk_d,
		  const struct ike_suite *s, const struct ike_chunk *ni,
		  const struct ike_chunk *nr, const struct ike_chunk *gir,
		  const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		  struct ike_sa_keys *out)
{
	struct ike_key skeyseed;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ike_keys_skeyseed_rekey(old_prf, old_sk_d, gir, ni, nr, &skeyseed);
	if (rc == 0)
		rc = ike_keys_sa(s, &skeyseed, ni, nr, spi_i, spi_r, out);
	ike_key_wipe(&skeyseed);
	return rc;
}

int
ike_keys_child(uint16_t prf, const struct ike_key *sk_d, const struct ike_suite *esp,
	       const struct ike_chunk *gir, const struct ike_chunk *ni,
	       const struct ike_chunk *nr, struct ike_child_keys *out)
{
	struct ike_chunk seed[3];
	uint8_t keymat[IKE_KEYMAT_CHILD_MAX];
	struct ike_key_lens l;
	const uint8_t *at = keymat;
	size_t n = 0, total;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ike_keys_lens(esp, false, &l);
	if (rc != 0)
		return rc;
	total = 2 * (l.encr + l.integ);
	if (total > sizeof(keymat))
		return -EINVAL;
	if (gir != NULL && gir->len > 0)
		seed[n++] = *gir;
	seed[n++] = *ni;
	seed[n++] = *nr;
	rc = ike_prf_plus(prf, sk_d->bytes, sk_d->len, seed, n, keymat, total);
	if (rc == 0) {
		/* RFC 7296 §2.17: initiator-to-responder first, encryption
		 * before integrity. */
		take_key(&out->encr_i, &at, l.encr);
		take_key(&out->integ_i, &at, l.integ);
		take_key(&out->encr_r, &at, l.encr);
		take_key(&out->integ_r, &at, l.integ);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	return rc;
}

void
ike_keys_sa_wipe(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void
ike_keys_child_wipe(struct ike_child_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
