/*
 * ICMP for the box: echo replies (RFC 792, RFC 1122 §3.2.2.6, RFC 4443
 * §4.2) and the errors the dataplane asks for: time exceeded, network
 * unreachable, fragmentation needed with the next-hop MTU (RFC 792,
 * RFC 1191 §4, RFC 1812 §4.3.2) and their ICMPv6 counterparts (RFC 4443
 * §3.1-§3.3). Errors quote as much of the offending packet as fits in
 * 576 / 1280 bytes (RFC 1812 §4.3.2.3, RFC 4443 §2.4(c)), are never sent
 * about ICMP errors, non-first fragments, multicast or broadcast packets or
 * sources that name no single host (RFC 1812 §4.3.2.7, RFC 4443 §2.4(e)),
 * and are rate limited by a token bucket (RFC 1812 §4.3.2.8, RFC 4443
 * §2.4(f)).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/local_proto.h"
#include "dataplane/pkt_build.h"

enum icmp4_type {
	ICMP4_DEST_UNREACH = 3,
	ICMP4_SOURCE_QUENCH = 4,
	ICMP4_REDIRECT = 5,
	ICMP4_TIME_EXCEEDED = 11,
	ICMP4_PARAM_PROBLEM = 12,
};

enum icmp6_type {
	ICMP6_DEST_UNREACH = 1,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP6_INFO_FIRST = 128,		/* types below are errors (RFC 4443 §2.1) */
	ICMP6_ECHO_REQUEST = 128,
	ICMP6_ECHO_REPLY = 129,
	ICMP6_REDIRECT = 137,
};

enum {
	ICMP4_CODE_NET_UNREACH = 0,
	ICMP4_CODE_FRAG_NEEDED = 4,
	ICMP6_CODE_NO_ROUTE = 0,
	ICMP6_CODE_TOO_BIG = 0,
	ICMP_CODE_TTL_EXCEEDED = 0,
	ICMP4_ERROR_MAX = 576,		/* RFC 1812 §4.3.2.3 */
	ICMP6_ERROR_MAX = 1280,		/* RFC 4443 §2.4(c): the IPv6 minimum MTU */
	ICMP4_MTU_OFF = 6,		/* RFC 1191 §4: next-hop MTU, low 16 bits */
	ICMP6_MTU_OFF = 4,		/* RFC 4443 §3.2: 32-bit MTU */
	ICMP_TYPE_OFF = 0,
	ICMP_CODE_OFF = 1,
	ICMP_CSUM_OFF = 2,
	IPV4_TOS_INTERNETWORK_CONTROL = 0xc0,	/* RFC 1812 §4.3.2.5: precedence 6 */
	IPV4_CLASS_D_E = 0xe0,		/* 224/4 multicast and 240/4 reserved */
	IPV4_CLASS_D_MASK = 0xf0,
	IPV4_CLASS_D = 0xe0,
	IPV4_LOOPBACK_NET = 127,
	IPV4_THIS_NET = 0,
	IPV4_HOST_PREFIX = 31,		/* /31 and /32 have no broadcast address */
	IPV4_HDR_LEN = sizeof(struct rte_ipv4_hdr),
	IPV6_HDR_LEN = sizeof(struct rte_ipv6_hdr),
};

struct icmp_kind {
	uint8_t type;
	uint8_t code;
};

static const struct icmp_kind icmp4_errors[] = {
	[DP_PUNT_TTL_EXCEEDED] = { ICMP4_TIME_EXCEEDED, ICMP_CODE_TTL_EXCEEDED },
	[DP_PUNT_NO_ROUTE] = { ICMP4_DEST_UNREACH, ICMP4_CODE_NET_UNREACH },
	[DP_PUNT_TOO_BIG] = { ICMP4_DEST_UNREACH, ICMP4_CODE_FRAG_NEEDED },
};

static const struct icmp_kind icmp6_errors[] = {
	[DP_PUNT_TTL_EXCEEDED] = { ICMP6_TIME_EXCEEDED, ICMP_CODE_TTL_EXCEEDED },
	[DP_PUNT_NO_ROUTE] = { ICMP6_DEST_UNREACH, ICMP6_CODE_NO_ROUTE },
	[DP_PUNT_TOO_BIG] = { ICMP6_PACKET_TOO_BIG, ICMP6_CODE_TOO_BIG },
};

static void
icmp_drop(struct dp *dp, uint8_t port, struct rte_mbuf *m, enum dp_drop_reason reason)
{
	dp_count_drop(&dp->ctl_counters, port, reason);
	rte_pktmbuf_free(m);
}

/* Bytes of the IP datagram present in m from l3_off, or 0 if the parse
 * result does not fit the frame. */
static uint32_t
datagram_len(const struct rte_mbuf *m, const struct dp_pkt_info *info, uint32_t min_hdr)
{
	uint32_t end = (uint32_t)info->l3_off + info->l3_len;

	if (end > m->data_len || info->l3_len < min_hdr)
		return 0;
	return info->l3_len;
}

/* An IPv4 address that names one host (RFC 1812 §4.3.2.7, §5.3.7). */
static bool
ipv4_single_host(const struct dp_iface *ifc, const uint8_t a[4])
{
	uint32_t addr;

	if (a[0] == IPV4_THIS_NET || a[0] == IPV4_LOOPBACK_NET ||
	    (a[0] & IPV4_CLASS_D_E) == IPV4_CLASS_D_E)
		return false;
	memcpy(&addr, a, sizeof(addr));
	addr = rte_be_to_cpu_32(addr);
	/* Directed broadcast of one of the ingress port's subnets. */
	for (unsigned int i = 0; i < ifc->n_ipv4; i++) {
		uint32_t net, host_mask;

		if (ifc->ipv4[i].len >= IPV4_HOST_PREFIX)
			continue;
		memcpy(&net, ifc->ipv4[i].addr.v4, sizeof(net));
		host_mask = UINT32_MAX >> ifc->ipv4[i].len;
		if ((addr | host_mask) == addr &&
		    ((addr ^ rte_be_to_cpu_32(net)) & ~host_mask) == 0)
			return false;
	}
	return true;
}

static bool
ipv6_single_host(const uint8_t a[16])
{
	return !dp_ipv6_is_multicast(a) && !dp_ipv6_is_unspecified(a) && !dp_ipv6_is_loopback(a);
}

/* ---- echo ---- */

static void
echo4(struct dp *dp, uint8_t port, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t len = datagram_len(m, info, IPV4_HDR_LEN);
	uint32_t icmp_len;
	struct rte_icmp_hdr *icmp;
	struct rte_ipv4_hdr *rip;
	struct rte_mbuf *r;

	if (len == 0 || info->l4_off < info->l3_off + IPV4_HDR_LEN ||
	    info->l4_off > info->l3_off + len ||
	    info->l3_off + len - info->l4_off < DP_ICMP_HDR_LEN)
		return icmp_drop(dp, port, m, DP_DROP_MALFORMED);
	icmp_len = info->l3_off + len - info->l4_off;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, info->l3_off);
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, info->l4_off);
	if (dp_pkt_csum(icmp, icmp_len) != 0)
		return icmp_drop(dp, port, m, DP_DROP_MALFORMED);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		return icmp_drop(dp, port, m, DP_DROP_LOCAL_UNSUPPORTED);
	if (!ipv4_single_host(&dp->iface[port], (const uint8_t *)&ip->src_addr))
		return icmp_drop(dp, port, m, DP_DROP_MARTIAN);
	r = dp_pkt_new(dp->pool, port, RTE_ETHER_HDR_LEN + IPV4_HDR_LEN + icmp_len);
	if (r == NULL)
		return icmp_drop(dp, port, m, DP_DROP_NO_MBUF);
	rip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	dp_pkt_ipv4(rip, (const uint8_t *)&ip->dst_addr, (const uint8_t *)&ip->src_addr,
		    IPPROTO_ICMP, 0, IPV4_HDR_LEN + icmp_len);
	icmp = (struct rte_icmp_hdr *)(rip + 1);
	memcpy(icmp, rte_pktmbuf_mtod_offset(m, const void *, info->l4_off), icmp_len);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = dp_pkt_csum(icmp, icmp_len);
	rte_pktmbuf_free(m);
	dp_ctl_output(dp, r);
}

static void
echo6(struct dp *dp, uint8_t port, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	const struct rte_ipv6_hdr *ip;
	uint32_t len = datagram_len(m, info, IPV6_HDR_LEN);
	uint32_t icmp_len;
	uint8_t src[DP_IPV6_LEN];
	struct rte_ipv6_hdr *rip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;

	if (len == 0 || info->l4_off < info->l3_off + IPV6_HDR_LEN ||
	    info->l4_off > info->l3_off + len ||
	    info->l3_off + len - info->l4_off < DP_ICMP_HDR_LEN)
		return icmp_drop(dp, port, m, DP_DROP_MALFORMED);
	icmp_len = info->l3_off + len - info->l4_off;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, info->l3_off);
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, info->l4_off);
	if (dp_pkt_icmp6_csum(ip->src_addr, ip->dst_addr, icmp, icmp_len) != 0)
		return icmp_drop(dp, port, m, DP_DROP_MALFORMED);
	if (icmp->icmp_type != ICMP6_ECHO_REQUEST)
		return icmp_drop(dp, port, m, DP_DROP_LOCAL_UNSUPPORTED);
	if (!ipv6_single_host(ip->src_addr))
		return icmp_drop(dp, port, m, DP_DROP_MARTIAN);
	/* RFC 4443 §4.2: a multicast request is answered from a unicast
	 * address of the receiving interface. */
	if (dp_ipv6_is_multicast(ip->dst_addr))
		dp_iface_source_ipv6(&dp->iface[port], ip->src_addr, src);
	else
		memcpy(src, ip->dst_addr, DP_IPV6_LEN);
	r = dp_pkt_new(dp->pool, port, RTE_ETHER_HDR_LEN + IPV6_HDR_LEN + icmp_len);
	if (r == NULL)
		return icmp_drop(dp, port, m, DP_DROP_NO_MBUF);
	rip = rte_pktmbuf_mtod_offset(r, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	dp_pkt_ipv6(rip, src, ip->src_addr, IPPROTO_ICMPV6, DP_IP_DEFAULT_TTL, icmp_len);
	icmp = (struct rte_icmp_hdr *)(rip + 1);
	memcpy(icmp, rte_pktmbuf_mtod_offset(m, const void *, info->l4_off), icmp_len);
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = dp_pkt_icmp6_csum(rip->src_addr, rip->dst_addr, icmp, icmp_len);
	rte_pktmbuf_free(m);
	dp_ctl_output(dp, r);
}

void
dp_icmp_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	uint8_t port = dp_meta(m)->in_port;

	if (port >= dp->n_ifaces) {
		rte_pktmbuf_free(m);
		return;
	}
	/* No reassembly for the box's own traffic. */
	if (info->fragment)
		return icmp_drop(dp, port, m, DP_DROP_LOCAL_UNSUPPORTED);
	if (info->kind == DP_PKT_IPV4 && info->l4_proto == IPPROTO_ICMP)
		return echo4(dp, port, m, info);
	if (info->kind == DP_PKT_IPV6 && info->l4_proto == IPPROTO_ICMPV6)
		return echo6(dp, port, m, info);
	icmp_drop(dp, port, m, DP_DROP_LOCAL_UNSUPPORTED);
}

/* ---- errors ---- */

static bool
icmp4_is_error(uint8_t type)
{
	return type == ICMP4_DEST_UNREACH || type == ICMP4_SOURCE_QUENCH ||
	       type == ICMP4_REDIRECT || type == ICMP4_TIME_EXCEEDED ||
	       type == ICMP4_PARAM_PROBLEM;
}

/* RFC 1812 §4.3.2.7: may this datagram be answered with an ICMP error? */
static bool
error4_allowed(const struct dp_iface *ifc, const struct rte_mbuf *m,
	       const struct dp_pkt_info *info)
{
	const struct rte_ipv4_hdr *ip;
	const uint8_t *dst;

	if (datagram_len(m, info, IPV4_HDR_LEN) == 0 || info->l2_multicast ||
	    (info->fragment && !info->first_fragment))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, info->l3_off);
	dst = (const uint8_t *)&ip->dst_addr;
	if ((dst[0] & IPV4_CLASS_D_MASK) == IPV4_CLASS_D || ip->dst_addr == UINT32_MAX)
		return false;
	if (info->l4_proto == IPPROTO_ICMP && info->l4_off < m->data_len &&
	    icmp4_is_error(*rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off)))
		return false;
	return ipv4_single_host(ifc, (const uint8_t *)&ip->src_addr);
}

/* RFC 4443 §2.4(e): may this packet be answered with an ICMPv6 error? */
static bool
error6_allowed(const struct rte_mbuf *m, const struct dp_pkt_info *info, uint8_t reason)
{
	const struct rte_ipv6_hdr *ip;
	bool multicast_ok = reason == DP_PUNT_TOO_BIG;

	if (datagram_len(m, info, IPV6_HDR_LEN) == 0 ||
	    (info->fragment && !info->first_fragment) ||
	    (info->l2_multicast && !multicast_ok))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, info->l3_off);
	if (dp_ipv6_is_multicast(ip->dst_addr) && !multicast_ok)
		return false;
	if (info->l4_proto == IPPROTO_ICMPV6 && info->l4_off < m->data_len) {
		uint8_t type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off);

		if (type < ICMP6_INFO_FIRST || type == ICMP6_REDIRECT)
			return false;
	}
	return ipv6_single_host(ip->src_addr);
}

/* What an error message needs to know about the packet that caused it. */
struct offender {
	const uint8_t *l3;		/* its IP header */
	uint32_t len;			/* its IP datagram length, inside the frame */
	uint8_t port;			/* ingress port: source address, counters */
	uint8_t reason;			/* enum dp_punt_reason */
	uint16_t mtu;			/* next-hop MTU for DP_PUNT_TOO_BIG */
};

static void
error4_send(struct dp *dp, const struct offender *o)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)o->l3;
	uint32_t quote = RTE_MIN(o->len, (uint32_t)(ICMP4_ERROR_MAX - IPV4_HDR_LEN -
						    DP_ICMP_HDR_LEN));
	uint32_t icmp_len = DP_ICMP_HDR_LEN + quote;
	uint8_t src[DP_IPV4_ADDR_LEN];
	struct rte_ipv4_hdr *rip;
	struct rte_mbuf *r;
	uint8_t *icmp;
	uint16_t v;

	if (!dp_iface_source_ipv4(&dp->iface[o->port], (const uint8_t *)&ip->src_addr, src))
		return;
	r = dp_pkt_new(dp->pool, o->port, RTE_ETHER_HDR_LEN + IPV4_HDR_LEN + icmp_len);
	if (r == NULL) {
		dp_count_drop(&dp->ctl_counters, o->port, DP_DROP_NO_MBUF);
		return;
	}
	rip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	dp_pkt_ipv4(rip, src, (const uint8_t *)&ip->src_addr, IPPROTO_ICMP,
		    IPV4_TOS_INTERNETWORK_CONTROL, IPV4_HDR_LEN + icmp_len);
	icmp = (uint8_t *)(rip + 1);
	icmp[ICMP_TYPE_OFF] = icmp4_errors[o->reason].type;
	icmp[ICMP_CODE_OFF] = icmp4_errors[o->reason].code;
	if (o->reason == DP_PUNT_TOO_BIG) {
		v = rte_cpu_to_be_16(o->mtu);
		memcpy(icmp + ICMP4_MTU_OFF, &v, sizeof(v));
	}
	memcpy(icmp + DP_ICMP_HDR_LEN, o->l3, quote);
	v = dp_pkt_csum(icmp, icmp_len);
	memcpy(icmp + ICMP_CSUM_OFF, &v, sizeof(v));
	dp_ctl_output(dp, r);
}

static void
error6_send(struct dp *dp, const struct offender *o)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)o->l3;
	uint32_t quote = RTE_MIN(o->len, (uint32_t)(ICMP6_ERROR_MAX - IPV6_HDR_LEN -
						    DP_ICMP_HDR_LEN));
	uint32_t icmp_len = DP_ICMP_HDR_LEN + quote;
	uint8_t src[DP_IPV6_LEN];
	struct rte_ipv6_hdr *rip;
	struct rte_mbuf *r;
	uint8_t *icmp;
	uint32_t mtu;
	uint16_t v;

	if (!dp_iface_source_ipv6(&dp->iface[o->port], ip->src_addr, src))
		return;
	r = dp_pkt_new(dp->pool, o->port, RTE_ETHER_HDR_LEN + IPV6_HDR_LEN + icmp_len);
	if (r == NULL) {
		dp_count_drop(&dp->ctl_counters, o->port, DP_DROP_NO_MBUF);
		return;
	}
	rip = rte_pktmbuf_mtod_offset(r, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	dp_pkt_ipv6(rip, src, ip->src_addr, IPPROTO_ICMPV6, DP_IP_DEFAULT_TTL, icmp_len);
	icmp = (uint8_t *)(rip + 1);
	icmp[ICMP_TYPE_OFF] = icmp6_errors[o->reason].type;
	icmp[ICMP_CODE_OFF] = icmp6_errors[o->reason].code;
	if (o->reason == DP_PUNT_TOO_BIG) {
		mtu = rte_cpu_to_be_32(o->mtu);
		memcpy(icmp + ICMP6_MTU_OFF, &mtu, sizeof(mtu));
	}
	memcpy(icmp + DP_ICMP_HDR_LEN, o->l3, quote);
	v = dp_pkt_icmp6_csum(rip->src_addr, rip->dst_addr, icmp, icmp_len);
	memcpy(icmp + ICMP_CSUM_OFF, &v, sizeof(v));
	dp_ctl_output(dp, r);
}

void
dp_icmp_error(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	struct offender o = {
		.port = meta->in_port, .reason = meta->punt_reason, .mtu = meta->mtu,
	};
	bool v4 = info->kind == DP_PKT_IPV4;
	bool allowed;

	if (o.port >= dp->n_ifaces || (o.reason != DP_PUNT_TTL_EXCEEDED &&
				       o.reason != DP_PUNT_NO_ROUTE && o.reason != DP_PUNT_TOO_BIG))
		goto out;
	if (v4)
		allowed = error4_allowed(&dp->iface[o.port], m, info);
	else
		allowed = info->kind == DP_PKT_IPV6 && error6_allowed(m, info, o.reason);
	if (!allowed)
		goto out;
	if (!dp_token_take(&dp->icmp_limit, dp_now_ms())) {
		dp_count_drop(&dp->ctl_counters, o.port, DP_DROP_ICMP_RATE_LIMITED);
		goto out;
	}
	o.l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l3_off);
	o.len = info->l3_len;
	if (v4)
		error4_send(dp, &o);
	else
		error6_send(dp, &o);
out:
	rte_pktmbuf_free(m);
}
