/*
 * The stages of the worker's forwarding path that forward.c (parsing,
 * routing, TTL, neighbours) and fwd_ipsec.c (inbound ESP, hand-off,
 * security policy, outbound ESP; RFC 4301 §5.1, §5.2) share, and that the
 * control core's output (ctl_output.c) reuses. Internal to the dataplane.
 */
#ifndef HAGW_FWD_H
#define HAGW_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/pkt_parse.h"
#include "dataplane/route.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

enum {
	DP_FWD_TTL_DEC_SUM = 0xfeff,	/* ~m + m' of a TTL decrement (dp_fwd_ttl_dec) */
	DP_FWD_IPV4_THIS_NET = 0,	/* RFC 1812 §5.3.7: 0/8 */
	DP_FWD_IPV4_LOOPBACK = 127,	/* 127/8 */
	DP_FWD_IPV4_CLASS_D_MASK = 0xf0,
	DP_FWD_IPV4_CLASS_D = 0xe0,	/* 224/4 multicast; 240/4 above it */
};

/* What a port's role asks of the packets it receives. */
enum dp_fwd_mode {
	DP_FWD_PLAIN,		/* sync port; packets out of an ESP tunnel: no inbound
				 * check, outbound SPD if dp_fwd_spd_out_applies() */
	DP_FWD_UNTRUSTED,	/* ESP to us is decrypted; clear text checked against the
				 * SPD, then the outbound SPD if dp_fwd_spd_out_applies() */
	DP_FWD_TRUSTED,		/* outbound SPD for all: protect, bypass or discard */
};

/* The outcome of routing one IP packet. */
enum dp_fwd_verdict {
	DP_FWD_DONE,		/* consumed: dropped, punted or sent */
	DP_FWD_ROUTED,		/* to be forwarded: next hop known, or NULL (no route) */
	DP_FWD_ESP_IN,		/* inbound ESP for us: dp_meta(m)->esp_off set */
};

/* A routed packet waiting for a policy stage. */
struct dp_fwd_pkt {
	struct rte_mbuf *m;
	const struct dp_nexthop *nh;	/* NULL: no route (fine if protected) */
	const struct dp_flow *flow;	/* its selectors if already read, else NULL */
	struct dp_pkt_info info;
};

/* RFC 1812 §5.3.7: a source or destination no router forwards (this
 * network, loopback; multicast or reserved as a source). */
static inline bool
dp_fwd_ipv4_martian(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *s = (const uint8_t *)&ip->src_addr;
	const uint8_t *d = (const uint8_t *)&ip->dst_addr;

	return s[0] == DP_FWD_IPV4_THIS_NET || s[0] == DP_FWD_IPV4_LOOPBACK ||
	       (s[0] & DP_FWD_IPV4_CLASS_D_MASK) >= DP_FWD_IPV4_CLASS_D ||
	       d[0] == DP_FWD_IPV4_THIS_NET || d[0] == DP_FWD_IPV4_LOOPBACK;
}

/* A multicast or limited-broadcast destination: not forwarded. */
static inline bool
dp_fwd_ipv4_not_unicast(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *d = (const uint8_t *)&ip->dst_addr;

	return (d[0] & DP_FWD_IPV4_CLASS_D_MASK) == DP_FWD_IPV4_CLASS_D ||
	       ip->dst_addr == UINT32_MAX;
}

/* forward.c */

/* Forwards a routed packet: no-route and TTL errors, MTU, TTL decrement,
 * neighbour lookup and transmission. */
void dp_fwd_finish(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		   const struct dp_pkt_info *info, const struct dp_nexthop *nh);
/* True if the packet's TTL / hop limit does not allow one more hop. */
static inline bool
dp_fwd_ttl_expired(const struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l3_off);

	if (info->kind == DP_PKT_IPV4)
		return ((const struct rte_ipv4_hdr *)l3)->time_to_live <= 1;
	return ((const struct rte_ipv6_hdr *)l3)->hop_limits <= 1;
}

/* Decrements the TTL / hop limit; the IPv4 checksum by RFC 1624 eqn. 3,
 * HC' = ~(~HC + ~m + m'), for the 16-bit word of TTL and protocol: m' =
 * m - 0x0100, so ~m + m' = 0xfeff (its one's complement sum). */
static inline void
dp_fwd_ttl_dec(struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, info->l3_off);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	uint32_t sum;

	if (info->kind != DP_PKT_IPV4) {
		((struct rte_ipv6_hdr *)l3)->hop_limits--;
		return;
	}
	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + DP_FWD_TTL_DEC_SUM;
	sum = (sum & UINT16_MAX) + (sum >> 16);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}
/* Sends m toward the next hop in its meta (out_port, family, nexthop):
 * Ethernet header filled from the neighbour table, or punted to resolve. */
void dp_fwd_neigh_tx(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port);
/* RFC 4301 §5.1: a packet that did not come from a trusted port goes
 * through the outbound SPD if it leaves through an untrusted port, or has
 * no route (PROTECT routes it by the SA's peer). */
bool dp_fwd_spd_out_applies(const struct dp *dp, const struct dp_nexthop *nh);
/* Packets out of an ESP tunnel (inner IP at l3_off): Ethernet type set
 * for the inner family, parsed again, routed, then forwarded or punted,
 * or through the outbound SPD in bulk where dp_fwd_spd_out_applies(). */
void dp_fwd_inner(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n);

/* fwd_fast.c */
/* A trusted port's packet read in one pass, if it is the common kind
 * (IPv4 without options or fragments, TCP/UDP/ICMP, to our or the VIPs'
 * MAC, routed off the box, passing every check the general stages
 * make): *p filled as forward.c's stages would fill it (meta in_port and
 * l3_off, L2 padding trimmed), its flow in *f and p->flow = f; true.
 * Otherwise false and m untouched: the general stages take it. VMAC: the
 * port's, loaded once per burst. */
bool dp_fwd_fast_ipv4(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		      const struct rte_ether_addr *vmac, struct dp_fwd_pkt *p,
		      struct dp_flow *f);

/* fwd_ipsec.c */

/* Untrusted port, packet for us: ESP (RFC 4303), RFC 3948 ESP-in-UDP,
 * NAT keepalive, IKE. DP_FWD_ESP_IN, DP_FWD_DONE (consumed) or
 * DP_FWD_ROUTED (none of these: the ordinary local path applies). */
enum dp_fwd_verdict dp_fwd_esp_classify(struct dp_worker *w, struct rte_mbuf *m,
					uint8_t in_port, const struct dp_pkt_info *info);
/* Inbound ESP collected from a burst: SPI lookup, hand-off to the owner
 * worker, decryption, then the inner packets are forwarded. */
void dp_fwd_esp_in(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n);
/* Routed clear text from an untrusted port: dropped unless
 * dp_spd_lookup_in() says BYPASS (PROTECT: it should have come through
 * ESP, RFC 4301 §5.2; DISCARD); then forwarded, or through the outbound
 * SPD in bulk where dp_fwd_spd_out_applies(). */
void dp_fwd_spd_in_clear(struct dp_worker *w, uint8_t in_port, struct dp_fwd_pkt *pkts,
			 uint16_t n);
/* Routed packets toward the unprotected side (all from a trusted port;
 * others where dp_fwd_spd_out_applies()): bulk SPD lookup, then bypass
 * (forwarded), discard, or ESP and the outer packet forwarded. */
void dp_fwd_spd_out(struct dp_worker *w, uint8_t in_port, struct dp_fwd_pkt *pkts, uint16_t n);
/* The outer next hop of SA's packets: fills meta out_port, family,
 * nexthop and mtu (egress MTU). 0, or -EHOSTUNREACH (no route, or the
 * peer is one of our own addresses). */
int dp_fwd_outer_route(const struct dp *dp, struct rte_mbuf *m, const struct dp_sa *sa);

#endif
