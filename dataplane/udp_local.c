/*
 * Local UDP (udp_local.h): reading datagrams punted to the control core
 * and building the ones it sends (RFC 768; checksum over the pseudo
 * header, RFC 768 and RFC 8200 §8.1).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/dp.h"
#include "dataplane/pkt_build.h"
#include "dataplane/pkt_parse.h"
#include "dataplane/udp_local.h"

enum {
	UDP_HDR_LEN = 8,
	IPV4_HDR_LEN = 20,
	IPV6_HDR_LEN = 40,
	IPV4_ADDR_LEN = 4,
	IPV6_ADDR_LEN = 16,
	UDP_CSUM_NONE = 0,		/* IPv4: sender computed no checksum */
	UDP_CSUM_ZERO_SENT = 0xffff,	/* RFC 768: a computed 0 is sent as all ones */
	CSUM_VALID = 0xffff,		/* folded sum over a datagram with a correct checksum */
	IP_DEFAULT_TTL = 64,
};

/* Pseudo header (RFC 768 / RFC 8200 §8.1) plus the datagram, folded. */
static uint16_t
udp_sum(uint8_t family, const uint8_t *src, const uint8_t *dst, const void *udp, uint32_t len)
{
	uint32_t alen = family == AF_INET ? IPV4_ADDR_LEN : IPV6_ADDR_LEN;
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_UDP };
	uint8_t ulen[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			    (uint8_t)len };
	uint32_t sum = 0;

	sum = dp_csum_add(sum, src, alen);
	sum = dp_csum_add(sum, dst, alen);
	sum = dp_csum_add(sum, ulen, sizeof(ulen));
	sum = dp_csum_add(sum, tail, sizeof(tail));
	sum = dp_csum_add(sum, udp, len);
	return dp_csum_fold(sum);
}

static void
end_of(struct dp_udp_end *e, uint8_t family, const uint8_t *addr, rte_be16_t port)
{
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr, addr, family == AF_INET ? IPV4_ADDR_LEN : IPV6_ADDR_LEN);
	e->port = rte_be_to_cpu_16(port);
}

int
dp_udp_read(struct rte_mbuf *m, const struct dp_pkt_info *info, struct dp_udp_dgram *d)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l3_off);
	const struct rte_udp_hdr *u =
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, info->l4_off);
	bool v4 = info->kind == DP_PKT_IPV4;
	uint32_t l4_len, ulen;

	if (info->fragment || info->l4_proto != IPPROTO_UDP || info->l4_off < info->l3_off)
		return -EBADMSG;
	/* dp_pkt_parse guarantees the 8-byte UDP header lies inside l3_len. */
	l4_len = info->l3_len - (uint32_t)(info->l4_off - info->l3_off);
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < UDP_HDR_LEN || ulen > l4_len)
		return -EBADMSG;
	if ((!v4 || u->dgram_cksum != UDP_CSUM_NONE) &&
	    udp_sum(v4 ? AF_INET : AF_INET6, v4 ? l3 + offsetof(struct rte_ipv4_hdr, src_addr) :
		    l3 + offsetof(struct rte_ipv6_hdr, src_addr),
		    v4 ? l3 + offsetof(struct rte_ipv4_hdr, dst_addr) :
		    l3 + offsetof(struct rte_ipv6_hdr, dst_addr), u, ulen) != CSUM_VALID)
		return -EBADMSG;
	if (v4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		end_of(&d->src, AF_INET, (const uint8_t *)&ip->src_addr, u->src_port);
		end_of(&d->dst, AF_INET, (const uint8_t *)&ip->dst_addr, u->dst_port);
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		end_of(&d->src, AF_INET6, ip->src_addr, u->src_port);
		end_of(&d->dst, AF_INET6, ip->dst_addr, u->dst_port);
	}
	d->in_port = dp_meta(m)->in_port;
	d->payload = (const uint8_t *)(u + 1);
	d->len = (uint16_t)(ulen - UDP_HDR_LEN);
	return 0;
}

/* The UDP header and payload at U; the checksum unless NO_CSUM (IPv4 only:
 * RFC 768 lets the sender send 0). */
static void
udp_fill(struct rte_udp_hdr *u, const struct dp_udp_end *src, const struct dp_udp_end *dst,
	 const void *payload, uint16_t len, bool no_csum)
{
	uint16_t ulen = (uint16_t)(UDP_HDR_LEN + len);
	uint16_t sum;

	u->src_port = rte_cpu_to_be_16(src->port);
	u->dst_port = rte_cpu_to_be_16(dst->port);
	u->dgram_len = rte_cpu_to_be_16(ulen);
	u->dgram_cksum = 0;
	memcpy(u + 1, payload, len);
	if (no_csum && src->family == AF_INET)
		return;
	sum = (uint16_t)~udp_sum(src->family, src->addr, dst->addr, u, ulen);
	u->dgram_cksum = rte_cpu_to_be_16(sum == 0 ? UDP_CSUM_ZERO_SENT : sum);
}

static int
udp_send(struct dp *dp, const struct dp_udp_end *src, const struct dp_udp_end *dst,
	 const void *payload, uint16_t len, bool no_csum)
{
	bool v4 = src->family == AF_INET;
	uint32_t ip_len = (v4 ? IPV4_HDR_LEN : IPV6_HDR_LEN) + UDP_HDR_LEN + (uint32_t)len;
	struct rte_mbuf *m;
	uint8_t *l3;

	if (src->family != dst->family || (src->family != AF_INET && src->family != AF_INET6))
		return -EINVAL;
	if (ip_len > UINT16_MAX || RTE_ETHER_HDR_LEN + ip_len >
	    (uint32_t)rte_pktmbuf_data_room_size(dp->pool) - RTE_PKTMBUF_HEADROOM)
		return -EMSGSIZE;
	m = dp_pkt_new(dp->pool, 0, RTE_ETHER_HDR_LEN + ip_len);
	if (m == NULL)
		return -ENOBUFS;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN);
	if (v4)
		dp_pkt_ipv4((struct rte_ipv4_hdr *)l3, src->addr, dst->addr, IPPROTO_UDP, 0,
			    (uint16_t)ip_len);
	else
		dp_pkt_ipv6((struct rte_ipv6_hdr *)l3, src->addr, dst->addr, IPPROTO_UDP,
			    IP_DEFAULT_TTL, (uint16_t)(ip_len - IPV6_HDR_LEN));
	udp_fill((struct rte_udp_hdr *)(l3 + (v4 ? IPV4_HDR_LEN : IPV6_HDR_LEN)), src, dst,
		 payload, len, no_csum);
	return dp_ctl_output(dp, m);
}

int
dp_udp_send(struct dp *dp, const struct dp_udp_end *src, const struct dp_udp_end *dst,
	    const void *payload, uint16_t len)
{
	return udp_send(dp, src, dst, payload, len, false);
}

int
dp_udp_send_sealed(struct dp *dp, const struct dp_udp_end *src, const struct dp_udp_end *dst,
		   const void *payload, uint16_t len)
{
	return udp_send(dp, src, dst, payload, len, true);
}
