/* Host-order IKEv2 values shared by the parser, the policy code and the
 * state: transforms and proposals (RFC 7296 §3.3), the negotiated suite,
 * traffic selectors (§3.13.1), identities (§3.5), addresses and chunks. */
#ifndef IKE_TYPES_H
#define IKE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_const.h"

struct ike_transform {
	uint8_t type;         /* enum ike_transform_type */
	uint16_t id;
	uint16_t key_bits;    /* IKE_ATTR_KEY_LENGTH, 0 when absent */
};

struct ike_proposal {
	uint8_t num;          /* proposal number, 1-based */
	uint8_t protocol;     /* enum ike_protocol_id */
	uint8_t spi_len;      /* 0 (IKE_SA_INIT), 4 (ESP) or 8 (IKE rekey) */
	uint8_t spi[IKE_SPI_LEN];
	uint8_t n_transforms;
	struct ike_transform transforms[IKE_TRANSFORMS_MAX];
};

/* The single transform of each type that was chosen: what the keys and
 * the data path are built from. integ is IKE_INTEG_NONE for AEADs. */
struct ike_suite {
	uint16_t encr;
	uint16_t encr_key_bits;
	uint16_t prf;
	uint16_t integ;
	uint16_t dh;          /* IKE_DH_NONE: no (PFS) key exchange */
	uint16_t esn;         /* CHILD SAs only */
};

struct ike_addr {
	uint8_t family;       /* AF_INET or AF_INET6 */
	uint8_t ip[16];       /* IPv4 in the first 4 bytes */
	uint16_t port;        /* host order; 0 where not meaningful */
};

struct ike_ts {
	uint8_t type;         /* enum ike_ts_type */
	uint8_t ip_proto;     /* 0: any */
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];    /* IPv4 in the first 4 bytes */
	uint8_t end[16];
};

struct ike_ts_set {
	uint8_t n;
	struct ike_ts ts[IKE_TS_MAX];
};

struct ike_id {
	uint8_t type;         /* enum ike_id_type */
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
};

/* A borrowed view of bytes (inside a received datagram or a buffer). */
struct ike_chunk {
	const uint8_t *ptr;
	size_t len;
};

/* A length-prefixed secret owned by a struct; wipe with ike_key_wipe(). */
struct ike_key {
	uint16_t len;
	uint8_t bytes[IKE_KEY_MAX];
};

#endif /* IKE_TYPES_H */
