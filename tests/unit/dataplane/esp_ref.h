/*
 * An ESP reference for the transform tests that shares no code with the
 * dataplane: OpenSSL EVP for AES-GCM (RFC 4106), ChaCha20-Poly1305 (RFC
 * 7634), AES-CBC + HMAC-SHA-256-128 (RFC 3602, RFC 4868), ESN included
 * (RFC 4303 §2.2.1), plus builders of IPv4/IPv6 test packets with their
 * checksums computed byte by byte (RFC 1071).
 */
#ifndef HAGW_TEST_ESP_REF_H
#define HAGW_TEST_ESP_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/sa.h"

enum {
	REF_PKT_MAX = 2048,
	REF_ICV_LEN = 16,
};

/* Keys and options of one SA as the reference sees them. */
struct ref_sa {
	enum dp_sa_alg alg;
	const uint8_t *key;		/* enc key incl. salt */
	uint8_t key_len;
	const uint8_t *auth_key;	/* CBC */
	bool esn;
};

uint8_t ref_iv_len(enum dp_sa_alg alg);
uint8_t ref_block(enum dp_sa_alg alg);

/* esp: [SPI][seq][IV][payload (plaintext in / ciphertext out)][ICV room];
 * header and IV filled. Encrypts in place and writes the ICV. 0 or -1. */
int ref_seal(const struct ref_sa *sa, uint8_t *esp, uint32_t payload_len, uint32_t seq_hi);
/* Verifies the ICV and decrypts in place. 0, or -1 on ICV mismatch. */
int ref_open(const struct ref_sa *sa, uint8_t *esp, uint32_t payload_len, uint32_t seq_hi);
/* CBC: the IV hagw derives from a nonce, AES-ECB_K(nonce || 0^64). */
void ref_cbc_iv(const struct ref_sa *sa, uint64_t nonce, uint8_t iv[16]);

/* Internet checksum (RFC 1071) over len bytes, not inverted, folded. */
uint16_t ref_csum(const uint8_t *b, uint32_t len, uint32_t sum);
/* True if the IPv4 header at ip has a correct checksum. */
bool ref_ipv4_csum_ok(const uint8_t *ip);
/* True if the UDP checksum of an IPv6 packet (UDP right after the fixed
 * header) is right (and not 0). */
bool ref_udp6_csum_ok(const uint8_t *ip);

/* A UDP datagram with payload_len bytes of pattern in IPv4 / IPv6, from
 * src to dst; returns the packet length. */
uint16_t ref_ipv4_udp(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint8_t tos,
		      bool df, uint16_t payload_len);
uint16_t ref_ipv6_udp(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint8_t tc,
		      uint16_t payload_len);

/* The ESP packet a peer would send in tunnel mode: outer IPv4/IPv6 header
 * (outer_src -> outer_dst, family of the addresses: 4 or 16 bytes),
 * optional UDP (4500 -> 4500), ESP with spi/seq/IV nonce, plain (which
 * must already include padding and trailer), ICV. Returns the length. */
struct ref_outer {
	int family;
	const uint8_t *src;
	const uint8_t *dst;
	uint8_t tos;
	bool udp;
};
uint16_t ref_esp_packet(uint8_t *out, const struct ref_outer *o, const struct ref_sa *sa,
			uint32_t spi, uint64_t seq, uint64_t iv_nonce, const uint8_t *plain,
			uint16_t plain_len);
/* plain || 1, 2, ... || pad length || nh, padded to the algorithm's block. */
uint16_t ref_trailer(uint8_t *buf, uint16_t len, enum dp_sa_alg alg, uint8_t nh);

#endif
