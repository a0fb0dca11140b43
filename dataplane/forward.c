/*
 * IPv4/IPv6 forwarding on the workers (RFC 1812 §5.2/§5.3, RFC 8200 §3):
 * L2 acceptance, routing through rte_lpm/rte_lpm6, TTL / hop-limit
 * decrement with an incremental checksum update (RFC 1624), next-hop MAC
 * from the neighbour table. Whatever needs the control core (packets for
 * us, unresolved next hops, ICMP errors to send) is punted with a reason.
 *
 * A burst goes through stages: each packet is accepted, routed and, if
 * nothing else applies, forwarded at once; inbound ESP (untrusted ports),
 * clear text from untrusted ports (inbound policy check) and packets for
 * the outbound policy are collected and handled afterwards in bulk by
 * fwd_ipsec.c. Packets out of an ESP tunnel re-enter at the routing stage
 * (dp_fwd_inner), so their TTL is decremented once, like any forwarded
 * packet's.
 *
 * The outbound SPD (RFC 4301 §5.1: SPD-O applies to all outbound traffic
 * toward the unprotected side) sees every packet from a trusted port, and
 * every other forwarded packet (decrypted, clear text from an untrusted
 * port, from the sync port) whose route leaves through an untrusted port
 * or that has no route at all (a PROTECT policy gives it the SA's outer
 * route): a client's packet to another client is encrypted again toward
 * that client, never sent out in clear.
 *
 * HA virtual addresses (vip.h): while this node owns them, frames to the
 * virtual MAC are accepted (the port's pointer loaded once per burst),
 * a VIP's LOCAL route makes its packets ours, and frames leave with the
 * virtual MAC as source; otherwise a VIP is a host on its port's link.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/pkt_parse.h"
#include "dataplane/route.h"

enum {
	IPV4_DF = 0x4000,
	IPV4_TTL_OFF = 8,
	IPV6_MCAST = 0xff,
	PREFETCH_AHEAD = 2,
	IP_VERSION_SHIFT = 4,
	IP_VERSION_4 = 4,
	IPV4_ADDR_LEN = 4,
	IPV6_ADDR_LEN = 16,
};

void
dp_worker_punt(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	       enum dp_punt_reason reason)
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

void
dp_worker_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	       enum dp_drop_reason reason)
{
	dp_count_drop(&w->counters, in_port, reason);
	rte_pktmbuf_free(m);
}

/* The Ethernet header of a forwarded packet (the worker's dp_ether_fill:
 * type from the IP version at l3_off). */
static void
ether_fill(const struct dp *dp, struct rte_mbuf *m, uint8_t port,
	   const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = (const uint8_t *)eth + dp_meta(m)->l3_off;

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(dp_iface_src_mac(&dp->iface[port]), &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16((*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4 ?
					   RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
}

static void
send_to(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, uint8_t port,
	const struct rte_ether_addr *mac)
{
	ether_fill(w->dp, m, port, mac);
	w->counters.port[in_port].forwarded++;
	dp_worker_tx(w, port, m);
}

/* The worker's memo of its last neighbour answer, compared field by field
 * with where the next hop is (not through a key built for it: a fresh
 * stack copy would stall the loads that compare it). ADDR has the
 * family's length; the memo's key is zero beyond it. */
static bool
memo_hit(const struct dp_neigh_memo *memo, uint8_t port, uint8_t family, const uint8_t *addr)
{
	if (!memo->valid || memo->key.port != port || memo->key.family != family)
		return false;
	if (family == AF_INET)
		return memcmp(memo->key.addr, addr, IPV4_ADDR_LEN) == 0;
	return memcmp(memo->key.addr, addr, IPV6_ADDR_LEN) == 0;
}

/* Sends m toward key (MAC from the neighbour table, memorised for the
 * burst) or punts it to resolve. */
static void
neigh_tx(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	 const struct dp_neigh_key *key)
{
	struct dp_neigh_memo *memo = &w->neigh_memo;
	struct dp_mbuf_meta *meta = dp_meta(m);
	struct rte_ether_addr mac;

	if (unlikely(!dp_neigh_lookup(w->dp->neigh, key, &mac))) {
		meta->out_port = (uint8_t)key->port;
		meta->family = key->family;
		memcpy(meta->nexthop, key->addr, sizeof(meta->nexthop));
		return dp_worker_punt(w, m, in_port, DP_PUNT_RESOLVE);
	}
	memo->key = *key;
	memo->mac = mac;
	memo->valid = true;
	send_to(w, m, in_port, (uint8_t)key->port, &mac);
}

/* The table's answer for a next hop the memo does not hold. */
static void
neigh_miss(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, uint8_t port,
	   uint8_t family, const uint8_t *addr)
{
	struct dp_neigh_key key = { .port = port, .family = family };

	memcpy(key.addr, addr, family == AF_INET ? IPV4_ADDR_LEN : IPV6_ADDR_LEN);
	neigh_tx(w, m, in_port, &key);
}

void
dp_fwd_neigh_tx(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port)
{
	const struct dp_mbuf_meta *meta = dp_meta(m);

	if (likely(memo_hit(&w->neigh_memo, meta->out_port, meta->family, meta->nexthop)))
		return send_to(w, m, in_port, meta->out_port, &w->neigh_memo.mac);
	neigh_miss(w, m, in_port, meta->out_port, meta->family, meta->nexthop);
}

/* Sends m toward nh: the gateway, or the destination itself when on-link. */
static void
to_nexthop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_nexthop *nh, uint8_t family, const uint8_t *dst)
{
	const uint8_t *addr = nh->kind == DP_NH_GATEWAY ? nh->gw : dst;

	if (likely(memo_hit(&w->neigh_memo, nh->port, family, addr)))
		return send_to(w, m, in_port, nh->port, &w->neigh_memo.mac);
	neigh_miss(w, m, in_port, nh->port, family, addr);
}

static bool
local_proto_served(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 || proto == IPPROTO_UDP;
}

/* A unicast packet for one of our addresses: on an untrusted port ESP,
 * NAT-T and IKE first; otherwise the control core serves ICMP and UDP. */
static enum dp_fwd_verdict
to_local(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	 const struct dp_pkt_info *info, enum dp_fwd_mode mode)
{
	if (mode == DP_FWD_UNTRUSTED) {
		enum dp_fwd_verdict v = dp_fwd_esp_classify(w, m, in_port, info);

		if (v != DP_FWD_ROUTED)
			return v;
	}
	if (local_proto_served(info->l4_proto))
		dp_worker_punt(w, m, in_port, DP_PUNT_LOCAL);
	else
		dp_worker_drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
	return DP_FWD_DONE;
}

static enum dp_fwd_verdict
done_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, enum dp_drop_reason reason)
{
	dp_worker_drop(w, m, in_port, reason);
	return DP_FWD_DONE;
}

static enum dp_fwd_verdict
route_ipv4(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_pkt_info *info, enum dp_fwd_mode mode, const struct dp_nexthop **nh)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, info->l3_off);
	const uint8_t *dst = (const uint8_t *)&ip->dst_addr;

	if (unlikely(dp_fwd_ipv4_martian(ip)))
		return done_drop(w, m, in_port, DP_DROP_MARTIAN);
	if (unlikely(dp_fwd_ipv4_not_unicast(ip) || info->l2_multicast))
		return done_drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
	*nh = dp_vip_route(&w->dp->vips, dp_route_lookup4(w->dp->routes, dst));
	if (*nh != NULL && (*nh)->kind == DP_NH_LOCAL)
		return to_local(w, m, in_port, info, mode);
	return DP_FWD_ROUTED;
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
static enum dp_fwd_verdict
ipv6_local(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_pkt_info *info, const uint8_t *dst, enum dp_fwd_mode mode)
{
	if (dst[0] == IPV6_MCAST) {
		if (info->l4_proto == IPPROTO_ICMPV6)
			dp_worker_punt(w, m, in_port, DP_PUNT_LOCAL);
		else
			dp_worker_drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
		return DP_FWD_DONE;
	}
	if (dp_iface_owns_ipv6(&w->dp->iface[in_port], dst))
		return to_local(w, m, in_port, info, ipv6_link_local(dst) ? DP_FWD_PLAIN : mode);
	/* RFC 4291 §2.5.6: link-local destinations are never forwarded. */
	return done_drop(w, m, in_port, DP_DROP_MARTIAN);
}

static enum dp_fwd_verdict
route_ipv6(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct dp_pkt_info *info, enum dp_fwd_mode mode, const struct dp_nexthop **nh)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, info->l3_off);

	if (unlikely(ip->src_addr[0] == IPV6_MCAST || ipv6_unspecified_or_loopback(ip->dst_addr) ||
		     (ip->src_addr[15] == 1 && ipv6_unspecified_or_loopback(ip->src_addr))))
		return done_drop(w, m, in_port, DP_DROP_MARTIAN);
	if (ip->dst_addr[0] == IPV6_MCAST || ipv6_link_local(ip->dst_addr))
		return ipv6_local(w, m, in_port, info, ip->dst_addr, mode);
	*nh = dp_vip_route(&w->dp->vips, dp_route_lookup6(w->dp->routes, ip->dst_addr));
	if (*nh != NULL && (*nh)->kind == DP_NH_LOCAL)
		return dp_vip_nexthop(&w->dp->vips, *nh) ? to_local(w, m, in_port, info, mode) :
					     ipv6_local(w, m, in_port, info, ip->dst_addr, mode);
	if (unlikely(ipv6_link_local(ip->src_addr) || ipv6_unspecified_or_loopback(ip->src_addr)))
		return done_drop(w, m, in_port, DP_DROP_MARTIAN);
	return DP_FWD_ROUTED;
}

/* Routes m (parsed into info): martians, packets for us (with ESP
 * classification in DP_FWD_UNTRUSTED mode) and the route lookup. */
static inline enum dp_fwd_verdict
fwd_route(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	     const struct dp_pkt_info *info, enum dp_fwd_mode mode, const struct dp_nexthop **nh)
{
	*nh = NULL;
	if (info->kind == DP_PKT_IPV4)
		return route_ipv4(w, m, in_port, info, mode, nh);
	return route_ipv6(w, m, in_port, info, mode, nh);
}

void
dp_fwd_finish(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	      const struct dp_pkt_info *info, const struct dp_nexthop *nh)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l3_off);
	bool v4 = info->kind == DP_PKT_IPV4;
	uint16_t mtu;

	if (unlikely(nh == NULL))
		return dp_worker_punt(w, m, in_port, DP_PUNT_NO_ROUTE);
	if (unlikely(dp_fwd_ttl_expired(m, info)))
		return dp_worker_punt(w, m, in_port, DP_PUNT_TTL_EXCEEDED);
	mtu = w->dp->iface[nh->port].mtu;
	if (unlikely(info->l3_len > mtu)) {
		dp_meta(m)->mtu = mtu;
		/* RFC 8200 §5: routers never fragment IPv6; nor do we IPv4. */
		if (!v4 || (((const struct rte_ipv4_hdr *)l3)->fragment_offset &
			    rte_cpu_to_be_16(IPV4_DF)))
			return dp_worker_punt(w, m, in_port, DP_PUNT_TOO_BIG);
		return dp_worker_drop(w, m, in_port, DP_DROP_MTU_EXCEEDED);
	}
	dp_fwd_ttl_dec(m, info);
	if (v4)
		to_nexthop(w, m, in_port, nh, AF_INET,
			   l3 + offsetof(struct rte_ipv4_hdr, dst_addr));
	else
		to_nexthop(w, m, in_port, nh, AF_INET6,
			   l3 + offsetof(struct rte_ipv6_hdr, dst_addr));
}

/* Ethernet type for the IP version at l3 (the inner one after ESP). */
static void
set_ether_type(struct rte_mbuf *m, uint16_t l3_off)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, l3_off);
	rte_be16_t *type = (rte_be16_t *)(l3 - sizeof(rte_be16_t));

	*type = rte_cpu_to_be_16((*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4 ?
				 RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
}

bool
dp_fwd_spd_out_applies(const struct dp *dp, const struct dp_nexthop *nh)
{
	return nh == NULL || dp->iface[nh->port].role == CFG_ROLE_UNTRUSTED;
}

void
dp_fwd_inner(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_fwd_pkt out[DP_MAX_BURST];
	uint16_t n_out = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct dp_fwd_pkt *p = &out[n_out];
		struct rte_mbuf *m = pkts[i];
		enum dp_drop_reason why;

		set_ether_type(m, dp_meta(m)->l3_off);
		/* The IPv4 checksum is right: checked after decryption (tunnel)
		 * or just computed (transport, esp_decap.c). */
		if (unlikely(dp_pkt_parse_rx(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
					     true, &p->info, &why) < 0)) {
			dp_worker_drop(w, m, in_port, why);
			continue;
		}
		if (fwd_route(w, m, in_port, &p->info, DP_FWD_PLAIN, &p->nh) != DP_FWD_ROUTED)
			continue;
		if (!dp_fwd_spd_out_applies(w->dp, p->nh)) {
			dp_fwd_finish(w, m, in_port, &p->info, p->nh);
			continue;
		}
		p->m = m;
		p->flow = NULL;
		n_out++;
	}
	if (n_out != 0)
		dp_fwd_spd_out(w, in_port, out, n_out);
}

/* Multicast, our MAC, or the VIPs' MAC while we own them (vmac: the
 * port's pointer, loaded once per burst; NULL otherwise). */
static bool
l2_accept(const struct dp_iface *ifc, const struct rte_ether_addr *vmac,
	  const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return rte_is_multicast_ether_addr(&eth->dst_addr) ||
	       rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac) ||
	       (vmac != NULL && rte_is_same_ether_addr(&eth->dst_addr, vmac));
}

/* L2 and IP header checks; false if m was consumed. */
static bool
accept_one(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	   const struct rte_ether_addr *vmac, struct dp_pkt_info *info)
{
	const struct dp_iface *ifc = &w->dp->iface[in_port];
	struct dp_mbuf_meta *meta = dp_meta(m);
	enum dp_drop_reason why;

	meta->in_port = in_port;
	if (unlikely(m->nb_segs != 1 ||
		     dp_pkt_parse_rx(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
				     (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
				     RTE_MBUF_F_RX_IP_CKSUM_GOOD, info, &why) < 0)) {
		dp_worker_drop(w, m, in_port, m->nb_segs != 1 ? DP_DROP_OVERSIZE : why);
		return false;
	}
	if (unlikely(!l2_accept(ifc, vmac, m))) {
		dp_worker_drop(w, m, in_port, DP_DROP_NOT_OUR_MAC);
		return false;
	}
	meta->l3_off = info->l3_off;
	if (info->kind == DP_PKT_ARP) {
		dp_worker_punt(w, m, in_port, DP_PUNT_LOCAL);
		return false;
	}
	if (unlikely(info->l3_len > ifc->mtu)) {
		dp_worker_drop(w, m, in_port, DP_DROP_OVERSIZE);
		return false;
	}
	/* Drop L2 padding so lengths downstream are the datagram's. */
	if (m->data_len > info->l3_off + info->l3_len)
		rte_pktmbuf_trim(m, m->data_len - info->l3_off - info->l3_len);
	return true;
}

/* What the burst's later stages take: inbound ESP, and routed packets
 * for the policy check (trusted and sync ports: outbound SPD; untrusted:
 * the clear-text check, then the outbound SPD where it applies). */
struct fwd_burst {
	const struct rte_ether_addr *vmac;	/* the port's, for l2_accept */
	uint16_t n_esp;
	uint16_t n_out;
	struct rte_mbuf *esp[DP_MAX_BURST];
	struct dp_fwd_pkt out[DP_MAX_BURST];
	struct dp_flow flow[DP_MAX_BURST];	/* out[i].flow, where read early */
};

static void
forward_one(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, enum dp_fwd_mode mode,
	    struct fwd_burst *b)
{
	struct dp_fwd_pkt *p = &b->out[b->n_out];

	if (mode == DP_FWD_TRUSTED &&
	    dp_fwd_fast_ipv4(w, m, in_port, b->vmac, p, &b->flow[b->n_out])) {
		b->n_out++;
		return;
	}
	if (!accept_one(w, m, in_port, b->vmac, &p->info))
		return;
	switch (fwd_route(w, m, in_port, &p->info, mode, &p->nh)) {
	case DP_FWD_ESP_IN:
		b->esp[b->n_esp++] = m;
		return;
	case DP_FWD_ROUTED:
		break;
	default:
		return;
	}
	if (mode == DP_FWD_PLAIN && !dp_fwd_spd_out_applies(w->dp, p->nh))
		return dp_fwd_finish(w, m, in_port, &p->info, p->nh);
	p->m = m;
	p->flow = NULL;
	b->n_out++;
}

static enum dp_fwd_mode
port_mode(const struct dp_iface *ifc)
{
	switch (ifc->role) {
	case CFG_ROLE_TRUSTED:
		return DP_FWD_TRUSTED;
	case CFG_ROLE_UNTRUSTED:
		return DP_FWD_UNTRUSTED;
	default:
		return DP_FWD_PLAIN;
	}
}

void
dp_forward_burst(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port_counters *c = &w->counters.port[in_port];
	enum dp_fwd_mode mode = port_mode(&w->dp->iface[in_port]);
	struct fwd_burst b;
	uint64_t bytes = 0;

	b.vmac = __atomic_load_n(&w->dp->iface[in_port].vmac, __ATOMIC_ACQUIRE);
	b.n_esp = 0;
	b.n_out = 0;
	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		bytes += rte_pktmbuf_pkt_len(pkts[i]);	/* as received: before any trim */
		forward_one(w, pkts[i], in_port, mode, &b);
	}
	c->rx_packets += n;
	c->rx_bytes += bytes;
	if (b.n_esp != 0)
		dp_fwd_esp_in(w, in_port, b.esp, b.n_esp);
	if (b.n_out == 0)
		return;
	if (mode == DP_FWD_UNTRUSTED)
		dp_fwd_spd_in_clear(w, in_port, b.out, b.n_out);
	else
		dp_fwd_spd_out(w, in_port, b.out, b.n_out);
}
