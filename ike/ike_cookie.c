/* Stateless cookies and half-open limits (RFC 7296 §2.6). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike/ike_cookie.h"
#include "ike/ike_spi.h"

int
ike_cookie_init(struct ike_cookie *c, uint64_t now_ms)
{
	memset(c, 0, sizeof(*c));
	c->renewed_ms = now_ms;
	/* both random: a cookie naming the "previous" secret before the
	 * first renewal must not verify against zeros */
	return ike_spi_random(&c->secret[0][0], sizeof(c->secret));
}

void
ike_cookie_wipe(struct ike_cookie *c)
{
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
}

void
ike_cookie_tick(struct ike_cookie *c, uint64_t now_ms)
{
	uint8_t next = (uint8_t)(c->cur ^ 1);

	if (now_ms - c->renewed_ms < IKE_COOKIE_SECRET_LIFE_MS)
		return;
	if (ike_spi_random(c->secret[next], IKE_COOKIE_SECRET_LEN) != 0)
		return;
	c->cur = next;
	c->version++;
	c->renewed_ms = now_ms;
}

static int
cookie_hash(const uint8_t *secret, const struct ike_chunk *ni, const struct ike_addr *ipi,
	    uint64_t spi_i, uint8_t out[IKE_COOKIE_HASH_LEN])
{
	uint8_t spi[IKE_SPI_LEN];
	unsigned int len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	if (md == NULL)
		return -ENOMEM;
	ike_spi_put(spi_i, spi);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, ni->ptr, ni->len) == 1 &&
	     EVP_DigestUpdate(md, ipi->ip, sizeof(ipi->ip)) == 1 &&
	     EVP_DigestUpdate(md, spi, sizeof(spi)) == 1 &&
	     EVP_DigestUpdate(md, secret, IKE_COOKIE_SECRET_LEN) == 1 &&
	     EVP_DigestFinal_ex(md, out, &len) == 1 && len == IKE_COOKIE_HASH_LEN;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}

int
ike_cookie_make(const struct ike_cookie *c, const struct ike_chunk *ni,
		const struct ike_addr *ipi, uint64_t spi_i, uint8_t *out, size_t *len)
{
	int rc = cookie_hash(c->secret[c->cur], ni, ipi, spi_i, out + 1);

	out[0] = c->version;
	*len = rc == 0 ? IKE_COOKIE_LEN : 0;
	return rc;
}

bool
ike_cookie_check(const struct ike_cookie *c, const struct ike_chunk *ni,
		 const struct ike_addr *ipi, uint64_t spi_i, const uint8_t *cookie,
		 size_t len)
{
	uint8_t h[IKE_COOKIE_HASH_LEN];
	uint8_t slot;

	if (len != IKE_COOKIE_LEN)
		return false;
	if (cookie[0] == c->version)
		slot = c->cur;
	else if (cookie[0] == (uint8_t)(c->version - 1))
		slot = (uint8_t)(c->cur ^ 1);
	else
		return false;
	if (cookie_hash(c->secret[slot], ni, ipi, spi_i, h) != 0)
		return false;
	return CRYPTO_memcmp(h, cookie + 1, sizeof(h)) == 0;
}

static uint32_t
source_slot(const struct ike_addr *src)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(src->ip); i++)
		h = (h ^ src->ip[i]) * 16777619u;
	return h % IKE_COOKIE_SOURCES;
}

uint32_t
ike_cookie_source_count(const struct ike_cookie *c, const struct ike_addr *src)
{
	return c->per_source[source_slot(src)];
}

void
ike_cookie_half_open_add(struct ike_cookie *c, const struct ike_addr *src)
{
	c->half_open++;
	c->per_source[source_slot(src)]++;
}

void
ike_cookie_half_open_del(struct ike_cookie *c, const struct ike_addr *src)
{
	uint32_t s = source_slot(src);

	if (c->half_open > 0)
		c->half_open--;
	if (c->per_source[s] > 0)
		c->per_source[s]--;
}
