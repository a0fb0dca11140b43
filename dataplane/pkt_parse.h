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

/* Internet checksum over LEN bytes, folded, not inverted; start with 0. */
uint32_t dp_csum_add(uint32_t sum, const void *data, uint32_t len);
uint16_t dp_csum_fold(uint32_t sum);

#endif
