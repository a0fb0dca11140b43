/* Random identifiers of the daemon: IKE SPIs (RFC 7296 §2.6, 8 octets,
 * never zero), ESP SPIs (RFC 4303 §2.1: 1..255 reserved, so never below
 * 256), nonces (§2.10) and the SA/CHILD ids of ike_state.h. The node id
 * of the appliance goes into every id and SPI so the two appliances of a
 * pair never hand out the same one. */
#ifndef IKE_SPI_H
#define IKE_SPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ike_spi_limits {
	IKE_SPI_ESP_MIN = 256,          /* RFC 4303 §2.1: 1..255 reserved by IANA */
	IKE_SPI_NODE_SHIFT = 48,        /* IKE SPI and ids: node id in the top 16 bits */
	IKE_SPI_ESP_NODE_BIT = 31,      /* ESP SPI: low bit of the node id in bit 31 */
	IKE_SPI_TRIES = 16,             /* attempts to find an unused random SPI */
};

/* A random IKE SPI carrying NODE_ID; never 0. -EIO when the RNG fails. */
int ike_spi_ike(uint16_t node_id, uint64_t *spi);

/* A random ESP SPI >= IKE_SPI_ESP_MIN carrying NODE_ID's low bit. */
int ike_spi_esp(uint16_t node_id, uint32_t *spi);

/* LEN random octets (nonces, cookie secrets). */
int ike_spi_random(uint8_t *buf, size_t len);

/* The n-th id of NODE_ID (SA and CHILD ids, never 0 for n >= 1). */
uint64_t ike_spi_id(uint16_t node_id, uint64_t n);

/* SPI in network order into 8 octets (key derivation, NAT detection). */
void ike_spi_put(uint64_t spi, uint8_t out[8]);

#endif /* IKE_SPI_H */
