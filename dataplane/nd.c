/*
 * IPv6 neighbour discovery on our ports (RFC 4861): validates neighbour
 * solicitations and advertisements (§7.1.1, §7.1.2), answers NS for our
 * addresses incl. the link-local one (§7.2.3, §7.2.4) and for the HA
 * virtual addresses while this node owns them (target link-layer address:
 * the virtual MAC, vip.h), learns from the source link-layer option of NS
 * and from NA (§7.2.5), sends the solicitations the neighbour table asks
 * for (§7.2.2) and the unsolicited advertisements of a takeover (§7.2.6).
 * Router solicitations, advertisements and redirects are not served.
 * Frames leave with the port's current source MAC (dp_iface_src_mac).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/local_proto.h"
#include "dataplane/pkt_build.h"

enum nd_type {
	ND_NEIGHBOR_SOLICIT = 135,
	ND_NEIGHBOR_ADVERT = 136,
};

enum nd_option {
	ND_OPT_SOURCE_LLADDR = 1,
	ND_OPT_TARGET_LLADDR = 2,
};

enum {
	ND_HOP_LIMIT = 255,		/* RFC 4861 §7.1: link-local only */
	ND_MSG_LEN = 24,		/* ICMPv6 header, flags/reserved, target */
	ND_TYPE_OFF = 0,
	ND_CODE_OFF = 1,
	ND_CSUM_OFF = 2,
	ND_TARGET_OFF = 8,
	ND_OPT_HDR_LEN = 2,		/* type, length */
	ND_FLAGS_OFF = 4,
	ND_OPT_UNIT = 8,		/* option lengths count 8-byte units */
	ND_LLADDR_OPT_LEN = 8,		/* type, length, 6-byte MAC */
	ND_LLADDR_OFF = 2,
	ND_NA_ROUTER = 0x80,
	ND_NA_SOLICITED = 0x40,
	ND_NA_OVERRIDE = 0x20,
	ND_FRAME_LEN = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + ND_MSG_LEN +
		       ND_LLADDR_OPT_LEN,
};

/* A validated NS or NA; addresses point into the frame. */
struct nd_msg {
	uint8_t type;
	uint8_t flags;			/* NA: R, S, O */
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *target;
	bool has_lladdr;		/* SLLA (NS) or TLLA (NA) option present */
	struct rte_ether_addr lladdr;
	struct rte_ether_addr eth_src;
};

static void
nd_drop(struct dp *dp, uint8_t port, struct rte_mbuf *m, enum dp_drop_reason reason)
{
	dp_count_drop(&dp->ctl_counters, port, reason);
	rte_pktmbuf_free(m);
}

/* RFC 4861 §7.1.1/§7.1.2: every option non-empty and inside the message;
 * the link-layer option of the message's kind is 8 bytes on Ethernet. */
static bool
nd_parse_options(const uint8_t *icmp, uint32_t len, struct nd_msg *msg)
{
	uint8_t want = msg->type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLADDR :
			ND_OPT_TARGET_LLADDR;
	uint32_t off = ND_MSG_LEN;

	while (off < len) {
		uint32_t opt_len;

		if (len - off < ND_OPT_HDR_LEN)
			return false;
		opt_len = (uint32_t)icmp[off + 1] * ND_OPT_UNIT;
		if (opt_len == 0 || opt_len > len - off)
			return false;
		if (icmp[off] == want) {
			if (opt_len != ND_LLADDR_OPT_LEN)
				return false;
			if (!msg->has_lladdr)	/* the first one counts */
				memcpy(&msg->lladdr, icmp + off + ND_LLADDR_OFF,
				       RTE_ETHER_ADDR_LEN);
			msg->has_lladdr = true;
		}
		off += opt_len;
	}
	return true;
}

/* The header checks of RFC 4861 §7.1.1/§7.1.2 common to NS and NA. */
static const uint8_t *
nd_locate(const struct rte_mbuf *m, const struct dp_pkt_info *info, uint32_t *len)
{
	uint32_t end = (uint32_t)info->l3_off + info->l3_len;
	const struct rte_ipv6_hdr *ip;
	const uint8_t *icmp;

	if (info->kind != DP_PKT_IPV6 || info->l4_proto != IPPROTO_ICMPV6 || info->fragment ||
	    end > m->data_len || info->l4_off < info->l3_off + sizeof(*ip) ||
	    info->l4_off > end || end - info->l4_off < ND_MSG_LEN)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, info->l3_off);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off);
	*len = end - info->l4_off;
	if (ip->hop_limits != ND_HOP_LIMIT || icmp[ND_CODE_OFF] != 0 ||
	    dp_pkt_icmp6_csum(ip->src_addr, ip->dst_addr, icmp, *len) != 0)
		return NULL;
	return icmp;
}

static bool
nd_parse(const struct rte_mbuf *m, const struct dp_pkt_info *info, struct nd_msg *msg)
{
	const struct rte_ipv6_hdr *ip;
	const struct rte_ether_hdr *eth;
	const uint8_t *icmp;
	uint32_t len;

	icmp = nd_locate(m, info, &len);
	if (icmp == NULL)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, info->l3_off);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	memset(msg, 0, sizeof(*msg));
	msg->type = icmp[ND_TYPE_OFF];
	msg->flags = icmp[ND_FLAGS_OFF];
	msg->src = ip->src_addr;
	msg->dst = ip->dst_addr;
	msg->target = icmp + ND_TARGET_OFF;
	rte_ether_addr_copy(&eth->src_addr, &msg->eth_src);
	if (dp_ipv6_is_multicast(msg->target) || dp_ipv6_is_unspecified(msg->target) ||
	    !nd_parse_options(icmp, len, msg))
		return false;
	if (msg->type == ND_NEIGHBOR_SOLICIT && dp_ipv6_is_unspecified(msg->src))
		return dp_ipv6_is_solicited_node(msg->dst) && !msg->has_lladdr;
	if (msg->type == ND_NEIGHBOR_ADVERT && dp_ipv6_is_multicast(msg->dst))
		return (msg->flags & ND_NA_SOLICITED) == 0;
	return true;
}

/* The addresses of an NS or NA we build: IPv6 source and destination,
 * target, and the MAC of its link-layer option. */
struct nd_ends {
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *target;
	const struct rte_ether_addr *lladdr;
};

/* Writes an NS or NA with its link-layer option into m. */
static void
nd_build(struct rte_mbuf *m, const struct dp_iface *ifc, const struct rte_ether_addr *eth_dst,
	 uint8_t type, uint8_t flags, const struct nd_ends *e)
{
	const uint8_t *src = e->src, *dst = e->dst;
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
							 RTE_ETHER_HDR_LEN);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	uint16_t len = ND_MSG_LEN + ND_LLADDR_OPT_LEN;
	uint16_t csum;

	dp_pkt_eth(m, eth_dst, dp_iface_src_mac(ifc), RTE_ETHER_TYPE_IPV6);
	dp_pkt_ipv6(ip, src, dst, IPPROTO_ICMPV6, ND_HOP_LIMIT, len);
	icmp[ND_TYPE_OFF] = type;
	icmp[ND_FLAGS_OFF] = flags;
	memcpy(icmp + ND_TARGET_OFF, e->target, DP_IPV6_LEN);
	icmp[ND_MSG_LEN] = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLADDR :
			   ND_OPT_TARGET_LLADDR;
	icmp[ND_MSG_LEN + 1] = ND_LLADDR_OPT_LEN / ND_OPT_UNIT;
	memcpy(icmp + ND_MSG_LEN + ND_LLADDR_OFF, e->lladdr->addr_bytes, RTE_ETHER_ADDR_LEN);
	csum = dp_pkt_icmp6_csum(src, dst, icmp, len);
	memcpy(icmp + ND_CSUM_OFF, &csum, sizeof(csum));
}

/* RFC 4861 §7.2.4: solicited NA from the target address, unicast to the
 * soliciting node; to all-nodes with S clear when the NS came from ::.
 * MAC: the target's (ours, or the VIPs'). */
static void
nd_advertise(struct dp *dp, uint8_t port, const struct nd_msg *ns,
	     const struct rte_ether_addr *mac)
{
	const struct dp_iface *ifc = &dp->iface[port];
	uint8_t flags = ND_NA_ROUTER | ND_NA_OVERRIDE;
	struct rte_ether_addr eth_dst;
	uint8_t dst[DP_IPV6_LEN];
	struct nd_ends e = { .src = ns->target, .dst = dst, .target = ns->target, .lladdr = mac };
	struct rte_mbuf *r;

	if (dp_ipv6_is_unspecified(ns->src)) {
		dp_ipv6_all_nodes(dst);
		dp_ipv6_mcast_mac(dst, &eth_dst);
	} else {
		memcpy(dst, ns->src, DP_IPV6_LEN);
		eth_dst = ns->has_lladdr ? ns->lladdr : ns->eth_src;
		flags |= ND_NA_SOLICITED;
	}
	r = dp_pkt_new(dp->pool, port, ND_FRAME_LEN);
	if (r == NULL) {
		dp_count_drop(&dp->ctl_counters, port, DP_DROP_NO_MBUF);
		return;
	}
	nd_build(r, ifc, &eth_dst, ND_NEIGHBOR_ADVERT, flags, &e);
	dp_ctl_tx(dp, port, r);
}

static void
nd_ns_input(struct dp *dp, uint8_t port, struct rte_mbuf *m, const struct nd_msg *ns)
{
	struct dp_neigh_key key = { .port = port, .family = AF_INET6 };
	const struct dp_iface *ifc = &dp->iface[port];
	const struct rte_ether_addr *vip_mac = dp_vip_answer(dp, port, AF_INET6, ns->target);

	/* Not our target, or our own address as source (looped back). */
	if ((vip_mac == NULL && !dp_iface_owns_ipv6(ifc, ns->target)) ||
	    (!dp_ipv6_is_unspecified(ns->src) &&
	     (dp_iface_owns_ipv6(ifc, ns->src) || dp_vip_is_ours(dp, AF_INET6, ns->src))))
		return nd_drop(dp, port, m, DP_DROP_ND_NOT_FOR_US);
	if (!dp_ipv6_is_unspecified(ns->src) &&
	    !rte_is_valid_assigned_ether_addr(ns->has_lladdr ? &ns->lladdr : &ns->eth_src))
		return nd_drop(dp, port, m, DP_DROP_MALFORMED);
	/* RFC 4861 §7.2.3: the SLLA creates or updates the sender's entry. */
	if (ns->has_lladdr) {
		memcpy(key.addr, ns->src, DP_IPV6_LEN);
		dp_neigh_learn(dp->neigh, &key, &ns->lladdr, false, true, dp_now_ms());
	}
	nd_advertise(dp, port, ns, vip_mac != NULL ? vip_mac : &ifc->mac);
	rte_pktmbuf_free(m);
}

/* RFC 4861 §7.2.5: update only entries we have; S confirms reachability;
 * without O a different MAC does not replace the cached one. */
static void
nd_na_input(struct dp *dp, uint8_t port, struct rte_mbuf *m, const struct nd_msg *na)
{
	struct dp_neigh_key key = { .port = port, .family = AF_INET6 };
	bool solicited = (na->flags & ND_NA_SOLICITED) != 0;
	bool override = (na->flags & ND_NA_OVERRIDE) != 0;
	struct rte_ether_addr cached, mac;
	bool has_mac;

	/* Someone else advertising one of our addresses: not learned. */
	if (dp_iface_owns_ipv6(&dp->iface[port], na->target) ||
	    dp_vip_is_ours(dp, AF_INET6, na->target))
		return nd_drop(dp, port, m, DP_DROP_ND_NOT_FOR_US);
	if (na->has_lladdr && !rte_is_valid_assigned_ether_addr(&na->lladdr))
		return nd_drop(dp, port, m, DP_DROP_MALFORMED);
	memcpy(key.addr, na->target, DP_IPV6_LEN);
	has_mac = dp_neigh_lookup(dp->neigh, &key, &cached);
	if (!na->has_lladdr) {
		if (!has_mac)
			return nd_drop(dp, port, m, DP_DROP_ND_NOT_FOR_US);
		mac = cached;		/* confirms the cached MAC only */
	} else if (has_mac && !override && !rte_is_same_ether_addr(&cached, &na->lladdr)) {
		rte_pktmbuf_free(m);	/* keep the cached MAC */
		return;
	} else {
		mac = na->lladdr;
	}
	if (dp_neigh_learn(dp->neigh, &key, &mac, solicited, false, dp_now_ms()) < 0)
		return nd_drop(dp, port, m, DP_DROP_ND_NOT_FOR_US);
	rte_pktmbuf_free(m);
}

void
dp_nd_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	uint8_t port = dp_meta(m)->in_port;
	const uint8_t *type;
	struct nd_msg msg;

	if (port >= dp->n_ifaces) {
		rte_pktmbuf_free(m);
		return;
	}
	if (info->l4_off >= m->data_len)
		return nd_drop(dp, port, m, DP_DROP_MALFORMED);
	type = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off);
	if (*type != ND_NEIGHBOR_SOLICIT && *type != ND_NEIGHBOR_ADVERT)
		return nd_drop(dp, port, m, DP_DROP_LOCAL_UNSUPPORTED);
	if (!nd_parse(m, info, &msg))
		return nd_drop(dp, port, m, DP_DROP_MALFORMED);
	if (msg.type == ND_NEIGHBOR_SOLICIT)
		nd_ns_input(dp, port, m, &msg);
	else
		nd_na_input(dp, port, m, &msg);
}

void
dp_nd_solicit(struct dp *dp, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	uint8_t src[DP_IPV6_LEN], dst[DP_IPV6_LEN];
	struct nd_ends e = { .src = src, .dst = dst, .target = key->addr };
	struct rte_ether_addr eth_dst;
	const struct dp_iface *ifc;
	struct rte_mbuf *m;

	if (key->port >= dp->n_ifaces || key->family != AF_INET6)
		return;
	ifc = &dp->iface[key->port];
	if (!dp_iface_source_ipv6(ifc, key->addr, src))
		return;
	if (mac != NULL) {
		memcpy(dst, key->addr, DP_IPV6_LEN);
		eth_dst = *mac;
	} else {
		dp_ipv6_solicited_node(key->addr, dst);
		dp_ipv6_mcast_mac(dst, &eth_dst);
	}
	m = dp_pkt_new(dp->pool, (uint8_t)key->port, ND_FRAME_LEN);
	if (m == NULL) {
		dp_count_drop(&dp->ctl_counters, key->port, DP_DROP_NO_MBUF);
		return;
	}
	e.lladdr = &ifc->mac;
	nd_build(m, ifc, &eth_dst, ND_NEIGHBOR_SOLICIT, 0, &e);
	dp_ctl_tx(dp, (uint8_t)key->port, m);
}

/* RFC 4861 §7.2.6: unsolicited NA from ADDR to all-nodes, Router and
 * Override set, Solicited clear, target ADDR with MAC as its link-layer
 * address. */
int
dp_nd_announce(struct dp *dp, uint8_t port, const uint8_t addr[16],
	       const struct rte_ether_addr *mac)
{
	uint8_t dst[DP_IPV6_LEN];
	struct nd_ends e = { .src = addr, .dst = dst, .target = addr, .lladdr = mac };
	struct rte_ether_addr eth_dst;
	struct rte_mbuf *m;

	if (port >= dp->n_ifaces)
		return -EINVAL;
	dp_ipv6_all_nodes(dst);
	dp_ipv6_mcast_mac(dst, &eth_dst);
	m = dp_pkt_new(dp->pool, port, ND_FRAME_LEN);
	if (m == NULL) {
		dp_count_drop(&dp->ctl_counters, port, DP_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	nd_build(m, &dp->iface[port], &eth_dst, ND_NEIGHBOR_ADVERT,
		 ND_NA_ROUTER | ND_NA_OVERRIDE, &e);
	return dp_ctl_tx(dp, port, m);
}
