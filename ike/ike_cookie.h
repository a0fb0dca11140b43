/* Denial-of-service protection of a responder (RFC 7296 §2.6): stateless
 * cookies Cookie = <VersionIDofSecret> | SHA-256(Ni | IPi | SPIi | secret)
 * with a secret that is renewed (the previous one still accepted), and the
 * counts of half-open IKE SAs in all and per source address (a hashed
 * counter table: sources that share a slot share a limit, never a looser
 * one). All checks run before any Diffie-Hellman work. */
#ifndef IKE_COOKIE_H
#define IKE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_types.h"

enum ike_cookie_limits {
	IKE_COOKIE_SECRET_LEN = 32,
	IKE_COOKIE_HASH_LEN = 32,               /* SHA-256 */
	IKE_COOKIE_LEN = 1 + IKE_COOKIE_HASH_LEN,
	IKE_COOKIE_SOURCES = 4096,              /* per-source counter slots */
	IKE_COOKIE_SECRET_LIFE_MS = 120000,     /* renew the secret this often */
};

struct ike_cookie {
	uint8_t version;                        /* of secret[cur] */
	uint8_t cur;
	uint8_t secret[2][IKE_COOKIE_SECRET_LEN];
	uint64_t renewed_ms;
	uint32_t half_open;
	uint32_t per_source[IKE_COOKIE_SOURCES];
};

int ike_cookie_init(struct ike_cookie *c, uint64_t now_ms);
void ike_cookie_wipe(struct ike_cookie *c);

/* Renew the secret when it is older than IKE_COOKIE_SECRET_LIFE_MS. */
void ike_cookie_tick(struct ike_cookie *c, uint64_t now_ms);

/* The cookie for (NI, IPI, SPII) into OUT (IKE_COOKIE_LEN octets). */
int ike_cookie_make(const struct ike_cookie *c, const struct ike_chunk *ni,
		    const struct ike_addr *ipi, uint64_t spi_i, uint8_t *out, size_t *len);

/* Does the received COOKIE match the current or the previous secret? */
bool ike_cookie_check(const struct ike_cookie *c, const struct ike_chunk *ni,
		      const struct ike_addr *ipi, uint64_t spi_i, const uint8_t *cookie,
		      size_t len);

/* Half-open accounting by source address. */
uint32_t ike_cookie_source_count(const struct ike_cookie *c, const struct ike_addr *src);
void ike_cookie_half_open_add(struct ike_cookie *c, const struct ike_addr *src);
void ike_cookie_half_open_del(struct ike_cookie *c, const struct ike_addr *src);

#endif /* IKE_COOKIE_H */
