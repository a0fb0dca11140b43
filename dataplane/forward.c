/*
 * IPv4/IPv6 forwarding on the workers (RFC 1812 §5.2/§5.3, RFC 8200 §3):
 * L2 acceptance, routing through rte_lpm/rte_lpm6, TTL / hop-limit
 * decrement with an incremental checksum update (RFC 1624), next-hop MAC
 * from the neighbour table. Whatever needs the control core (packets for
 * us, unresolved next hops, ICMP errors to send) is punted with a reason.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/neigh.h"
#include "dataplane/pkt_parse.h"
#include "dataplane/route.h"

enum {
	IPV4_DF = 0x4000,
	IPV4_TTL_OFF = 8,
	IPV6_MCAST = 0xff,
	IPV4_CLASS_D_MASK = 0xf0,
	IPV4_CLASS_D = 0xe0,
	IPV4_LOOPBACK = 127,
	IPV4_THIS_NET = 0,
	PREFETCH_AHEAD = 2,
};

static void
punt(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, enum dp_punt_reason reason)
{
	struct dp_port_counters *c = &w->counters.port[in_port];

	dp_meta(m)->punt_reason = reason;
	if (unlikely(rte_ring_enqueue(w->dp->punt_ring, m) != 0)) {
		c->drops[DP_DROP_PUNT_RING_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	c->punted++;
}

static void
drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, enum dp_drop_reason reason)
{
	dp_count_drop(&w->counters, in_port, reason);
	rte_pktmbuf_free(m);
}

/* Sends m toward nh (MAC from the neighbour table) or punts it to resolve. */
static void
to_nexthop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_nexthop *nh, uint8_t family, const uint8_t *dst)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	struct dp_neigh_key key = { .port = nh->port, .family = family };
	struct rte_ether_addr mac;

	if (nh->kind == DP_NH_GATEWAY)
		memcpy(key.addr, nh->gw, family == AF_INET ? 4 : 16);
	else
		memcpy(key.addr, dst, family == AF_INET ? 4 : 16);
	if (unlikely(!dp_neigh_lookup(w->dp->neigh, &key, &mac))) {
		meta->out_port = nh->port;
		meta->family = family;
		memcpy(meta->nexthop, key.addr, sizeof(meta->nexthop));
		punt(w, m, in_port, DP_PUNT_RESOLVE);
		return;
	}
	dp_ether_fill(w->dp, m, nh->port, &mac);
	w->counters.port[in_port].forwarded++;
	dp_worker_tx(w, nh->port, m);
}

static bool
ipv4_martian(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *s = (const uint8_t *)&ip->src_addr;
	const uint8_t *d = (const uint8_t *)&ip->dst_addr;

	return s[0] == IPV4_THIS_NET || s[0] == IPV4_LOOPBACK ||
	       (s[0] & IPV4_CLASS_D_MASK) >= IPV4_CLASS_D || d[0] == IPV4_THIS_NET ||
	       d[0] == IPV4_LOOPBACK;
}

static bool
local_proto_served(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 || proto == IPPROTO_UDP;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), here for the TTL byte. */
static void
ipv4_dec_ttl(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum);

	sum += (uint16_t)~(ip->time_to_live << 8) & 0xffff;
	ip->time_to_live--;
	sum += (uint16_t)(ip->time_to_live << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static void
forward_ipv4(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	     const struct dp_pkt_info *info)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, info->l3_off);
	const uint8_t *dst = (const uint8_t *)&ip->dst_addr;
	const struct dp_nexthop *nh;

	if (unlikely(ipv4_martian(ip)))
		return drop(w, m, in_port, DP_DROP_MARTIAN);
	if (unlikely((dst[0] & IPV4_CLASS_D_MASK) == IPV4_CLASS_D || info->l2_multicast ||
		     ip->dst_addr == UINT32_MAX))
		return drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
	nh = dp_route_lookup4(w->dp->routes, dst);
	if (unlikely(nh == NULL))
		return punt(w, m, in_port, DP_PUNT_NO_ROUTE);
	if (nh->kind == DP_NH_LOCAL) {
		if (!local_proto_served(info->l4_proto))
			return drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
		return punt(w, m, in_port, DP_PUNT_LOCAL);
	}
	if (unlikely(ip->time_to_live <= 1))
		return punt(w, m, in_port, DP_PUNT_TTL_EXCEEDED);
	if (unlikely(info->l3_len > w->dp->iface[nh->port].mtu)) {
		dp_meta(m)->mtu = w->dp->iface[nh->port].mtu;
		if (ip->fragment_offset & rte_cpu_to_be_16(IPV4_DF))
			return punt(w, m, in_port, DP_PUNT_TOO_BIG);
		return drop(w, m, in_port, DP_DROP_MTU_EXCEEDED);
	}
	ipv4_dec_ttl(ip);
	to_nexthop(w, m, in_port, nh, AF_INET, dst);
}

static bool
ipv6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool
ipv6_unspecified_or_loopback(const uint8_t *a)
{
	static const uint8_t zero[15];

	return memcmp(a, zero, sizeof(zero)) == 0 && (a[15] == 0 || a[15] == 1);
}

/* Multicast, link-local and own-address destinations: for us or nobody. */
static void
ipv6_local(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_pkt_info *info, const uint8_t *dst)
{
	if (dst[0] == IPV6_MCAST || dp_iface_owns_ipv6(&w->dp->iface[in_port], dst)) {
		if (info->l4_proto == IPPROTO_ICMPV6 ||
		    (dst[0] != IPV6_MCAST && local_proto_served(info->l4_proto)))
			return punt(w, m, in_port, DP_PUNT_LOCAL);
		return drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
	}
	/* RFC 4291 §2.5.6: link-local destinations are never forwarded. */
	drop(w, m, in_port, DP_DROP_MARTIAN);
}

static void
forward_ipv6(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	     const struct dp_pkt_info *info)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, info->l3_off);
	const struct dp_nexthop *nh;

	if (unlikely(ip->src_addr[0] == IPV6_MCAST || ipv6_unspecified_or_loopback(ip->dst_addr) ||
		     (ip->src_addr[15] == 1 && ipv6_unspecified_or_loopback(ip->src_addr))))
		return drop(w, m, in_port, DP_DROP_MARTIAN);
	if (ip->dst_addr[0] == IPV6_MCAST || ipv6_link_local(ip->dst_addr))
		return ipv6_local(w, m, in_port, info, ip->dst_addr);
	nh = dp_route_lookup6(w->dp->routes, ip->dst_addr);
	if (unlikely(nh == NULL))
		return punt(w, m, in_port, DP_PUNT_NO_ROUTE);
	if (nh->kind == DP_NH_LOCAL)
		return ipv6_local(w, m, in_port, info, ip->dst_addr);
	if (unlikely(ipv6_link_local(ip->src_addr) || ipv6_unspecified_or_loopback(ip->src_addr)))
		return drop(w, m, in_port, DP_DROP_MARTIAN);
	if (unlikely(ip->hop_limits <= 1))
		return punt(w, m, in_port, DP_PUNT_TTL_EXCEEDED);
	if (unlikely(info->l3_len > w->dp->iface[nh->port].mtu)) {
		/* RFC 8200 §5: routers never fragment IPv6. */
		dp_meta(m)->mtu = w->dp->iface[nh->port].mtu;
		return punt(w, m, in_port, DP_PUNT_TOO_BIG);
	}
	ip->hop_limits--;
	to_nexthop(w, m, in_port, nh, AF_INET6, ip->dst_addr);
}

static bool
l2_accept(const struct dp_iface *ifc, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return rte_is_multicast_ether_addr(&eth->dst_addr) ||
	       rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac);
}

static void
forward_one(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port)
{
	const struct dp_iface *ifc = &w->dp->iface[in_port];
	struct dp_mbuf_meta *meta = dp_meta(m);
	enum dp_drop_reason why;
	struct dp_pkt_info info;

	meta->in_port = in_port;
	if (unlikely(m->nb_segs != 1 ||
		     dp_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &info,
				  &why) < 0))
		return drop(w, m, in_port, m->nb_segs != 1 ? DP_DROP_OVERSIZE : why);
	if (unlikely(!l2_accept(ifc, m)))
		return drop(w, m, in_port, DP_DROP_NOT_OUR_MAC);
	meta->l3_off = info.l3_off;
	if (unlikely(info.kind != DP_PKT_ARP && info.l3_len > ifc->mtu))
		return drop(w, m, in_port, DP_DROP_OVERSIZE);
	/* Drop L2 padding so lengths downstream are the datagram's. */
	if (info.kind != DP_PKT_ARP && m->data_len > info.l3_off + info.l3_len)
		rte_pktmbuf_trim(m, m->data_len - info.l3_off - info.l3_len);
	if (info.kind == DP_PKT_ARP)
		punt(w, m, in_port, DP_PUNT_LOCAL);
	else if (info.kind == DP_PKT_IPV4)
		forward_ipv4(w, m, in_port, &info);
	else
		forward_ipv6(w, m, in_port, &info);
}

void
dp_forward_burst(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_counters *c = &w->counters.port[in_port];

	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		c->rx_packets++;
		c->rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
		forward_one(w, pkts[i], in_port);
	}
}
