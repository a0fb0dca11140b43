/*
 * The inbound ESP SPIs a daemon has handed out (RFC 4303 §2.1: the SPI
 * with the destination identifies the SA, so ours must be unique): an
 * open-addressing hash set, so that choosing a fresh SPI costs the same
 * with 10 or 100,000 CHILD SAs. A SPI is reserved when chosen and released
 * when its CHILD SA is freed; a reservation that is never released only
 * keeps that SPI from being chosen again.
 */
#ifndef IKE_SPI_SET_H
#define IKE_SPI_SET_H

#include <stdbool.h>
#include <stdint.h>

struct ike_spi_set {
	uint32_t *slot;		/* 0 = empty (0 is never a valid SPI, RFC 4303 §2.1) */
	uint32_t cap;		/* a power of two, or 0 */
	uint32_t used;
};

bool ike_spi_set_has(const struct ike_spi_set *s, uint32_t spi);
/* 0, or -ENOMEM (the set is unchanged). SPI must not be 0. */
int ike_spi_set_add(struct ike_spi_set *s, uint32_t spi);
void ike_spi_set_del(struct ike_spi_set *s, uint32_t spi);
void ike_spi_set_free(struct ike_spi_set *s);

#endif /* IKE_SPI_SET_H */
