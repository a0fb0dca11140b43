/*
 * Building the frames the control core originates: fresh mbufs, Ethernet,
 * IPv4 (RFC 791, RFC 6864 §4 atomic datagrams) and IPv6 (RFC 8200 §3)
 * headers, Internet checksums (RFC 1071, RFC 8200 §8.1 pseudo-header) and
 * IPv6 multicast mappings (RFC 4291 §2.7.1, RFC 2464 §7).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/pkt_build.h"
#include "dataplane/pkt_parse.h"

enum {
	IPV4_VERSION_IHL = 0x45,	/* version 4, 5 words */
	IPV4_DF = 0x4000,
	IPV6_VTC_FLOW = 0x60000000,	/* version 6, class 0, flow 0 */
	IPV6_MCAST_PREFIX = 0xff,
	IPV6_LINK_LOCAL_SCOPE = 0x02,
	SNMA_PREFIX_LEN = 13,		/* ff02::1:ff00:0/104 */
	SNMA_SUFFIX_OFF = 13,		/* low 24 bits of the address */
	IPV6_MAC_PREFIX = 0x33,
	IPV6_MAC_SUFFIX_OFF = 12,	/* low 32 bits of the group */
	ALL_NODES_LAST = 1,
};

static const uint8_t snma_prefix[SNMA_PREFIX_LEN] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
};

struct rte_mbuf *
dp_pkt_new(struct rte_mempool *pool, uint8_t port, uint32_t len)
{
	struct dp_mbuf_meta *meta;
	struct rte_mbuf *m;
	char *data;

	if (len > UINT16_MAX)
		return NULL;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	data = rte_pktmbuf_append(m, (uint16_t)len);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(data, 0, len);
	meta = dp_meta(m);
	memset(meta, 0, sizeof(*meta));
	meta->in_port = port;
	meta->out_port = port;
	meta->l3_off = RTE_ETHER_HDR_LEN;
	return m;
}

void
dp_pkt_eth(struct rte_mbuf *m, const struct rte_ether_addr *dst,
	   const struct rte_ether_addr *src, uint16_t ether_type)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
}

void
dp_pkt_ipv4(struct rte_ipv4_hdr *ip, const uint8_t src[4], const uint8_t dst[4],
	    uint8_t proto, uint8_t tos, uint16_t total_len)
{
	ip->version_ihl = IPV4_VERSION_IHL;
	ip->type_of_service = tos;
	ip->total_length = rte_cpu_to_be_16(total_len);
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(IPV4_DF);
	ip->time_to_live = DP_IP_DEFAULT_TTL;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, src, DP_IPV4_ADDR_LEN);
	memcpy(&ip->dst_addr, dst, DP_IPV4_ADDR_LEN);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

void
dp_pkt_ipv6(struct rte_ipv6_hdr *ip, const uint8_t src[16], const uint8_t dst[16],
	    uint8_t proto, uint8_t hop_limit, uint16_t payload_len)
{
	ip->vtc_flow = rte_cpu_to_be_32(IPV6_VTC_FLOW);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limits = hop_limit;
	memcpy(ip->src_addr, src, DP_IPV6_LEN);
	memcpy(ip->dst_addr, dst, DP_IPV6_LEN);
}

uint16_t
dp_pkt_csum(const void *data, uint32_t len)
{
	/* dp_csum_* read like the big-endian field: convert to store. */
	return rte_cpu_to_be_16((uint16_t)~dp_csum_fold(dp_csum_add(0, data, len)));
}

uint16_t
dp_pkt_icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const void *msg, uint32_t len)
{
	/* RFC 8200 §8.1: source, destination, upper-layer length, next header. */
	struct {
		uint8_t src[DP_IPV6_LEN];
		uint8_t dst[DP_IPV6_LEN];
		rte_be32_t len;
		uint8_t zero[3];
		uint8_t next;
	} __rte_packed ph = { .len = rte_cpu_to_be_32(len), .next = IPPROTO_ICMPV6 };
	uint32_t sum;

	memcpy(ph.src, src, DP_IPV6_LEN);
	memcpy(ph.dst, dst, DP_IPV6_LEN);
	sum = dp_csum_add(0, &ph, sizeof(ph));	/* even length: no byte carried over */
	sum = dp_csum_add(sum, msg, len);
	return rte_cpu_to_be_16((uint16_t)~dp_csum_fold(sum));
}

bool
dp_ipv6_is_multicast(const uint8_t a[16])
{
	return a[0] == IPV6_MCAST_PREFIX;
}

bool
dp_ipv6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[DP_IPV6_LEN];

	return memcmp(a, zero, DP_IPV6_LEN) == 0;
}

bool
dp_ipv6_is_loopback(const uint8_t a[16])
{
	static const uint8_t loopback[DP_IPV6_LEN] = { [DP_IPV6_LEN - 1] = 1 };

	return memcmp(a, loopback, DP_IPV6_LEN) == 0;
}

bool
dp_ipv6_is_solicited_node(const uint8_t a[16])
{
	return memcmp(a, snma_prefix, SNMA_PREFIX_LEN) == 0;
}

void
dp_ipv6_solicited_node(const uint8_t addr[16], uint8_t group[16])
{
	memcpy(group, snma_prefix, SNMA_PREFIX_LEN);
	memcpy(group + SNMA_SUFFIX_OFF, addr + SNMA_SUFFIX_OFF, DP_IPV6_LEN - SNMA_SUFFIX_OFF);
}

void
dp_ipv6_mcast_mac(const uint8_t group[16], struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = IPV6_MAC_PREFIX;
	mac->addr_bytes[1] = IPV6_MAC_PREFIX;
	memcpy(&mac->addr_bytes[2], group + IPV6_MAC_SUFFIX_OFF,
	       DP_IPV6_LEN - IPV6_MAC_SUFFIX_OFF);
}

void
dp_ipv6_all_nodes(uint8_t group[16])
{
	memset(group, 0, DP_IPV6_LEN);
	group[0] = IPV6_MCAST_PREFIX;
	group[1] = IPV6_LINK_LOCAL_SCOPE;
	group[DP_IPV6_LEN - 1] = ALL_NODES_LAST;
}
