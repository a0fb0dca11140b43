/*
 * Frame classification: Ethernet, ARP, IPv4, IPv6 (with extension headers)
 * and the first bytes of the upper layer. Works on a flat byte buffer so it
 * can be unit tested and fuzzed without DPDK; every length from the wire is
 * checked before use. Policy (is it for us, where does it go) lives elsewhere.
 */
#ifndef HAGW_PKT_PARSE_H
#define HAGW_PKT_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/dp_stats.h"

enum dp_pkt_kind {
	DP_PKT_ARP = 1,
	DP_PKT_IPV4,
	DP_PKT_IPV6,
};

struct dp_pkt_info {
	uint8_t kind;		/* enum dp_pkt_kind */
	uint8_t l4_proto;	/* IPPROTO_* of the upper layer (after IPv6 ext headers) */
	bool l2_multicast;	/* destination MAC has the group bit (incl. broadcast) */
	bool fragment;		/* any fragment (IPv4 MF/offset, IPv6 fragment header) */
	bool first_fragment;	/* unfragmented, or fragment offset 0 */
	uint16_t l3_off;	/* IP/ARP header offset (14) */
	uint16_t l4_off;	/* upper-layer header offset; 0 for ARP */
	uint16_t l3_len;	/* IP datagram length from its header (excl. L2 padding) */
};

/*
 * Parses LEN bytes of FRAME. Returns 0 and fills *info, or -1 and sets
 * *why (DP_DROP_MALFORMED, DP_DROP_UNKNOWN_ETHERTYPE,
 * DP_DROP_BAD_IP_CHECKSUM). For unfragmented packets and first fragments
 * of ICMP, ICMPv6, UDP and TCP, the fixed upper-layer header (8, 8, 8 and
 * 20 bytes) is guaranteed to be inside l3_len.
 */
int dp_pkt_parse(const uint8_t *frame, uint32_t len, struct dp_pkt_info *info,
		 enum dp_drop_reason *why);
/* dp_pkt_parse for a received frame: CSUM_GOOD says the device verified
 * the IPv4 header checksum (RTE_MBUF_F_RX_IP_CKSUM_GOOD), which is then
 * not computed again. */
int dp_pkt_parse_rx(const uint8_t *frame, uint32_t len, bool csum_good,
		    struct dp_pkt_info *info, enum dp_drop_reason *why);

/* The fixed upper-layer header of PROTO (ICMP, ICMPv6, UDP: 8 bytes; TCP:
 * 20 and its data offset, RFC 9293 §3.1) lies within the REM bytes at L4;
 * true for any other protocol. */
static inline bool
dp_upper_header_fits(uint8_t proto, const uint8_t *l4, uint32_t rem)
{
	enum { SMALL_HDR = 8, TCP_HDR = 20, TCP_DOFF_OFF = 12, TCP_DOFF_SHIFT = 4,
	       TCP_DOFF_UNIT = 4, PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17,
	       PROTO_ICMPV6 = 58 };
	uint32_t doff;

	switch (proto) {
	case PROTO_ICMP:
	case PROTO_ICMPV6:
	case PROTO_UDP:
		return rem >= SMALL_HDR;
	case PROTO_TCP:
		if (rem < TCP_HDR)
			return false;
		/* Data offset in 32-bit words, at least 5. */
		doff = (uint32_t)(l4[TCP_DOFF_OFF] >> TCP_DOFF_SHIFT) * TCP_DOFF_UNIT;
		return doff >= TCP_HDR && doff <= rem;
	default:
		return true;
	}
}

/* Folds a one's complement sum to 16 bits (end-around carry, RFC 1071 §4.1). */
static inline uint32_t
dp_csum_fold64(uint64_t sum)
{
	sum = (sum & UINT32_MAX) + (sum >> 32);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	return (uint32_t)sum;
}

/* RFC 1071 §4.1: the IPv4 header at H (HLEN bytes, a multiple of 4, at
 * least 20) sums to 0xffff. 32-bit words into a 64-bit sum, folded once
 * at the end; inline, as every packet from a device without checksum
 * offload needs it. */
static inline bool
dp_ipv4_csum_ok(const uint8_t *h, uint32_t hlen)
{
	enum { MIN_HDR = 20, VALID = 0xffff };
	uint32_t w[MIN_HDR / sizeof(uint32_t)];
	uint64_t sum;

	memcpy(w, h, sizeof(w));	/* the usual header, without options: unrolled */
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	for (uint32_t i = MIN_HDR; i < hlen; i += sizeof(w[0])) {
		memcpy(w, h + i, sizeof(w[0]));
		sum += w[0];
	}
	return dp_csum_fold64(sum) == VALID;
}

/* Internet checksum over LEN bytes, folded, not inverted; start with 0. */
uint32_t dp_csum_add(uint32_t sum, const void *data, uint32_t len);
uint16_t dp_csum_fold(uint32_t sum);

#endif
