/*
 * The common packet from a trusted port read in one pass: an IPv4
 * datagram without options or fragmentation, TCP, UDP or ICMP, unicast to
 * this port's MAC (or the VIPs' while this node owns them), routed off
 * the box. For such a packet the general stages (forward.c: L2 check,
 * dp_pkt_parse_rx, martians, route) each read the headers again; here
 * they are read once (the flow, dp_flow_ipv4_plain, from that), and the packet
 * leaves with what those stages would have produced: its dp_pkt_info,
 * next hop and the flow the outbound SPD looks up.
 *
 * Anything else is left untouched for the general stages, which give the
 * same answers, and also every verdict other than "routed": drops, punts
 * and packets for us are counted there, with their reasons, so this file
 * decides nothing the general path would decide differently. It only
 * says "mine" for packets where every check the general path makes has
 * passed (the same checks: RFC 791 §3.1 lengths and checksum, RFC 1812
 * §5.3.7 martians, TTL, the port's MTU, the upper-layer header inside
 * the datagram).
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane/flow.h"
#include "dataplane/fwd.h"

enum {
	ETH_HDR_LEN = 14,
	IPV4_HDR_LEN = 20,
	IPV4_VIHL_PLAIN = 0x45,		/* version 4, IHL 5: no options */
	IPV4_MF_OFFSET = 0x3fff,	/* MF and fragment offset */
};

static bool
mac_is(const uint8_t *a, const struct rte_ether_addr *b)
{
	return rte_is_same_ether_addr((const struct rte_ether_addr *)a, b);
}

/* TCP, UDP or ICMP, its fixed header within the datagram. */
static bool
l4_fits(uint8_t proto, const uint8_t *l4, uint32_t rem)
{
	return (proto == IPPROTO_UDP || proto == IPPROTO_TCP || proto == IPPROTO_ICMP) &&
	       dp_upper_header_fits(proto, l4, rem);
}

/* Every test of accept_one, dp_pkt_parse_rx and route_ipv4 (forward.c)
 * that a plain IPv4 packet can fail. */
static bool
plain_ipv4(const struct dp_iface *ifc, const struct rte_ether_addr *vmac,
	   const struct rte_mbuf *m)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = eth + ETH_HDR_LEN;
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	uint32_t total;

	if (m->nb_segs != 1 || m->data_len < ETH_HDR_LEN + IPV4_HDR_LEN ||
	    ((const struct rte_ether_hdr *)eth)->ether_type !=
		    rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    h->version_ihl != IPV4_VIHL_PLAIN)
		return false;
	if (!mac_is(eth, &ifc->mac) && (vmac == NULL || !mac_is(eth, vmac)))
		return false;
	total = rte_be_to_cpu_16(h->total_length);
	if (total < IPV4_HDR_LEN || total > (uint32_t)m->data_len - ETH_HDR_LEN || total > ifc->mtu ||
	    (h->fragment_offset & rte_cpu_to_be_16(IPV4_MF_OFFSET)) != 0 ||
	    h->time_to_live <= 1 ||
	    !l4_fits(h->next_proto_id, ip + IPV4_HDR_LEN, total - IPV4_HDR_LEN))
		return false;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	    !dp_ipv4_csum_ok(ip, IPV4_HDR_LEN))
		return false;
	return !dp_fwd_ipv4_martian(h) && !dp_fwd_ipv4_not_unicast(h);
}

bool
dp_fwd_fast_ipv4(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		 const struct rte_ether_addr *vmac, struct dp_fwd_pkt *p, struct dp_flow *f)
{
	const struct dp *dp = w->dp;
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HDR_LEN);
	const struct dp_nexthop *nh;
	struct dp_mbuf_meta *meta;

	if (!plain_ipv4(&dp->iface[in_port], vmac, m))
		return false;
	nh = dp_vip_route(&dp->vips, dp_route_lookup4(dp->routes,
			  ip + offsetof(struct rte_ipv4_hdr, dst_addr)));
	if (nh != NULL && nh->kind == DP_NH_LOCAL)
		return false;	/* for us: the general path serves it */
	p->m = m;
	p->nh = nh;
	p->info.kind = DP_PKT_IPV4;
	p->info.l4_proto = ip[offsetof(struct rte_ipv4_hdr, next_proto_id)];
	p->info.l2_multicast = false;
	p->info.fragment = false;
	p->info.first_fragment = true;
	p->info.l3_off = ETH_HDR_LEN;
	p->info.l4_off = ETH_HDR_LEN + IPV4_HDR_LEN;
	p->info.l3_len = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)ip)->total_length);
	/* l4_fits() put the ports or ICMP type/code inside the datagram. */
	dp_flow_ipv4_plain(ip, f);
	meta = dp_meta(m);
	meta->in_port = in_port;
	meta->l3_off = ETH_HDR_LEN;
	/* Drop L2 padding so lengths downstream are the datagram's. */
	if (m->data_len > ETH_HDR_LEN + p->info.l3_len)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - ETH_HDR_LEN - p->info.l3_len));
	p->flow = f;
	return true;
}
