/*
 * On-wire constants of ESP and the headers around it: the ESP trailer
 * (RFC 4303 §2.4-2.6), UDP encapsulation (RFC 3948 §2.1), the IPv4 and
 * IPv6 header fields the transforms read or write (RFC 791, RFC 8200 §3),
 * and the ECN field (RFC 3168 §5). The ESP header, IV and ICV sizes live
 * in esp_crypto.h.
 */
#ifndef HAGW_ESP_HDR_H
#define HAGW_ESP_HDR_H

#include <stdint.h>

enum {
	DP_ESP_TRAILER_LEN = 2,		/* pad length, next header (RFC 4303 §2.5-2.6) */
	DP_ESP_ALIGN = 4,		/* RFC 4303 §2.4: payload ends on a 4-byte boundary */
	DP_ESP_SEQ_OFF = 4,		/* sequence number within the ESP header */
	DP_ESP_UDP_HDR_LEN = 8,		/* RFC 768, RFC 3948 §2.1 */
	DP_ESP_IPV4_HDR_LEN = 20,	/* without options */
	DP_ESP_IPV6_HDR_LEN = 40,	/* fixed header */
	DP_ESP_OUTER_TTL = 64,		/* fresh outer header (RFC 4301 §5.1.2.1) */
	DP_ESP_L3_MAX = UINT16_MAX,	/* largest IPv4 total length / IPv6 payload length */
};

/* Next header values of the ESP trailer (IANA protocol numbers). */
enum {
	DP_ESP_NH_IPV4 = 4,		/* tunnel mode, inner IPv4 */
	DP_ESP_NH_IPV6 = 41,		/* tunnel mode, inner IPv6 */
	DP_ESP_NH_NONE = 59,		/* RFC 4303 §2.6: dummy packet, discard */
};

/* IP header fields. */
enum {
	DP_ESP_IP_VERSION_SHIFT = 4,	/* version nibble of the first byte */
	DP_ESP_IPV4_VERSION = 4,
	DP_ESP_IPV6_VERSION = 6,
	DP_ESP_IPV4_IHL_MASK = 0x0f,
	DP_ESP_IPV4_IHL_UNIT = 4,	/* IHL counts 32-bit words */
	DP_ESP_IPV4_DF = 0x4000,	/* in fragment_offset, host order */
	DP_ESP_IPV4_MF = 0x2000,
	DP_ESP_IPV4_FRAG_MASK = 0x1fff,
	DP_ESP_IPV4_VIHL = 0x45,	/* version 4, IHL 5 */
	DP_ESP_IPV6_TC_SHIFT = 20,	/* traffic class within vtc_flow, host order */
	DP_ESP_IPV6_TC_MASK = 0xff,
	DP_ESP_IPV6_VERSION_WORD = 0x60000000,	/* vtc_flow: version 6, TC 0, no flow label */
	DP_ESP_CSUM_MASK = 0xffff,	/* one's complement sums: 16-bit words, */
	DP_ESP_CSUM_SHIFT = 16,		/* carries folded back */
};

/* The ECN field: low two bits of the TOS / traffic class (RFC 3168 §5). */
enum dp_esp_ecn {
	DP_ESP_ECN_NOT_ECT = 0,
	DP_ESP_ECN_ECT1 = 1,
	DP_ESP_ECN_ECT0 = 2,
	DP_ESP_ECN_CE = 3,
	DP_ESP_ECN_MASK = 3,
	DP_ESP_DSCP_SHIFT = 2,
	DP_ESP_DSCP_MAX = 63,
};

#endif
