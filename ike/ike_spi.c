/* Random IKE and ESP SPIs, nonces and SA ids (RFC 7296 §2.6, §2.10;
 * RFC 4303 §2.1). */
#include <errno.h>

#include <openssl/rand.h>

#include "ike/ike_spi.h"

int
ike_spi_random(uint8_t *buf, size_t len)
{
	if (len > INT32_MAX || RAND_bytes(buf, (int)len) != 1)
		return -EIO;
	return 0;
}

int
ike_spi_ike(uint16_t node_id, uint64_t *spi)
{
	uint8_t b[8];
	uint64_t v = 0;
	size_t i;
	int rc;

	do {
		rc = ike_spi_random(b, sizeof(b));
		if (rc != 0)
			return rc;
		for (i = 0; i < sizeof(b); i++)
			v = v << 8 | b[i];
		v &= (UINT64_C(1) << IKE_SPI_NODE_SHIFT) - 1;
	} while (v == 0);
	*spi = (uint64_t)node_id << IKE_SPI_NODE_SHIFT | v;
	return 0;
}

int
ike_spi_esp(uint16_t node_id, uint32_t *spi)
{
	const uint32_t node_bit = UINT32_C(1) << IKE_SPI_ESP_NODE_BIT;
	uint8_t b[4];
	uint32_t v;
	int rc;

	do {
		rc = ike_spi_random(b, sizeof(b));
		if (rc != 0)
			return rc;
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		v &= ~node_bit;
		if (node_id & 1)
			v |= node_bit;
	} while (v < IKE_SPI_ESP_MIN);
	*spi = v;
	return 0;
}

uint64_t
ike_spi_id(uint16_t node_id, uint64_t n)
{
	return (uint64_t)node_id << IKE_SPI_NODE_SHIFT |
	       (n & ((UINT64_C(1) << IKE_SPI_NODE_SHIFT) - 1));
}

void
ike_spi_put(uint64_t spi, uint8_t out[8])
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)spi;
		spi >>= 8;
	}
}
