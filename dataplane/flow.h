/*
 * Flow extraction: the selector fields of one IP packet (RFC 4301
 * §4.4.1.1: addresses, next layer protocol, ports or ICMP type/code) as
 * the SPD and the SA selector check read them, taken from a flat buffer
 * that starts at the IPv4 or IPv6 header. IPv6 extension headers are
 * skipped (RFC 8200 §4); non-first fragments have no ports (RFC 4301 §7).
 */
#ifndef HAGW_FLOW_H
#define HAGW_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>

#include "dataplane/pkt_parse.h"
#include "dataplane/spd.h"

/*
 * Fills *f from the IP packet at L3 (L3_LEN bytes readable; anything past
 * the datagram's own length is ignored as L2 padding). The version nibble
 * selects IPv4 or IPv6. Ports for TCP, UDP and SCTP; for ICMP (IPv4) and
 * ICMPv6 (IPv6) sport = type and dport = code; 0 for other protocols.
 * Non-first fragments: ports_opaque set, ports 0. Returns 0, or -EINVAL
 * for a truncated or malformed header (including a first fragment too
 * short to hold the ports), jumbograms, and more than DP_FLOW_EXT_MAX
 * IPv6 extension headers.
 */
int dp_flow_extract(const uint8_t *l3, uint32_t l3_len, struct dp_flow *f);

/*
 * dp_flow_extract for a frame that dp_pkt_parse() accepted (FRAME is what
 * it parsed, INFO its answer): the same fields and the same result, from
 * what the parser found (upper-layer protocol and offset, fragment) with
 * no second walk of the headers.
 */
int dp_flow_from_parsed(const uint8_t *frame, const struct dp_pkt_info *info,
			struct dp_flow *f);

/*
 * dp_flow_from_parsed for the datagram the fast reader took (fwd_fast.c):
 * IPv4 at IP without options or fragmentation, TCP, UDP or ICMP with its
 * ports or type and code inside the datagram, all checked there. The same
 * fields, without the checks and the protocol walk.
 */
static inline void
dp_flow_ipv4_plain(const uint8_t *ip, struct dp_flow *f)
{
	enum { SRC = 12, DST = 16, PROTO = 9, L4 = 20, ADDR = 4 };
	const uint8_t *l4 = ip + L4;
	uint16_t sport, dport;

	memset(f, 0, sizeof(*f));
	f->family = AF_INET;
	f->proto = ip[PROTO];
	memcpy(f->src, ip + SRC, ADDR);
	memcpy(f->dst, ip + DST, ADDR);
	if (f->proto == IPPROTO_ICMP) {
		f->sport = l4[0];		/* type */
		f->dport = l4[1];		/* code */
		return;
	}
	memcpy(&sport, l4, sizeof(sport));
	memcpy(&dport, l4 + sizeof(sport), sizeof(dport));
	f->sport = rte_be_to_cpu_16(sport);
	f->dport = rte_be_to_cpu_16(dport);
}

/* The reply direction of F: addresses swapped, and ports swapped unless
 * they are ICMP type/code (which keep their meaning both ways). */
void dp_flow_reverse(const struct dp_flow *f, struct dp_flow *r);

/* Whether PROTO carries type/code in the port fields for FAMILY. */
bool dp_flow_proto_is_icmp(uint8_t family, uint8_t proto);

enum {
	DP_FLOW_EXT_MAX = 8,		/* IPv6 extension headers walked at most */
};

#endif
