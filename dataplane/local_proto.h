/*
 * The control core's handlers for packets addressed to the box and for the
 * packets it originates at the dataplane's request: ARP (RFC 826),
 * IPv6 neighbour discovery (RFC 4861 NS/NA), ICMP echo (RFC 792, RFC 4443)
 * and rate-limited ICMP errors (time exceeded, destination unreachable,
 * fragmentation needed / packet too big; RFC 1812 §4.3.2.8, RFC 4443 §2.4).
 *
 * Each *_input function takes ownership of m, whose Ethernet header starts
 * at offset 0 and whose meta (dp_meta(m)->in_port, l3_off) is set; info is
 * the result of dp_pkt_parse() on it.
 */
#ifndef HAGW_LOCAL_PROTO_H
#define HAGW_LOCAL_PROTO_H

#include <rte_ether.h>

#include "dataplane/dp.h"
#include "dataplane/neigh.h"
#include "dataplane/pkt_parse.h"

/* ARP: answers requests for our addresses (and the VIPs while owned, with
 * their MAC), learns the sender (RFC 826 merge rule), drops the rest as
 * arp_not_for_us. */
void dp_arp_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info);
/* Sends an ARP request for key->addr (broadcast, or unicast to mac). */
void dp_arp_solicit(struct dp *dp, const struct dp_neigh_key *key,
		    const struct rte_ether_addr *mac);
/* Sends one gratuitous ARP for ADDR with MAC from PORT (RFC 5227 §3
 * announcement; vip.c). 0, -EINVAL (port), -ENOBUFS (counted). */
int dp_arp_announce(struct dp *dp, uint8_t port, const uint8_t addr[4],
		    const struct rte_ether_addr *mac);

/* ICMPv6 neighbour solicitations/advertisements (hop limit 255 enforced,
 * RFC 4861 §7.1 validity checks); answers NS for our addresses incl. the
 * link-local one, learns from NA and from NS source link-layer options. */
void dp_nd_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info);
/* Sends an NS for key->addr to its solicited-node multicast address, or
 * unicast to mac. */
void dp_nd_solicit(struct dp *dp, const struct dp_neigh_key *key,
		   const struct rte_ether_addr *mac);
/* Sends one unsolicited NA for ADDR with MAC from PORT to all-nodes
 * (RFC 4861 §7.2.6; vip.c). 0, -EINVAL (port), -ENOBUFS (counted). */
int dp_nd_announce(struct dp *dp, uint8_t port, const uint8_t addr[16],
		   const struct rte_ether_addr *mac);

/* ICMP / ICMPv6 addressed to us: echo requests are answered (routed back
 * with dp_ctl_output), anything else is counted and dropped. */
void dp_icmp_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info);

/* Answers the offending packet m with the ICMP/ICMPv6 error that
 * dp_meta(m)->punt_reason names (DP_PUNT_TTL_EXCEEDED, DP_PUNT_NO_ROUTE,
 * DP_PUNT_TOO_BIG with dp_meta(m)->mtu), subject to the token bucket in
 * dp->icmp_limit; never answers ICMP errors, non-first fragments,
 * multicast/broadcast or unspecified sources (RFC 1812 §4.3.2.7,
 * RFC 4443 §2.4(e)). Consumes m. */
void dp_icmp_error(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info);

#endif
