/*
 * The outbound ESP packet layout (RFC 4303 §2, §3.1, §3.3): where the
 * ESP header, IV, padding, trailer and ICV go in tunnel and transport
 * mode, with RFC 3948 §2.1 UDP encapsulation, and the size checks made
 * before anything is written.
 *
 *   tunnel:    [L2][outer IP][UDP][ESP][IV][inner IP packet][pad][pl][nh][ICV]
 *   transport: [L2][IP hdr]  [UDP][ESP][IV][IP payload]     [pad][pl][nh][ICV]
 *
 * Transport mode keeps the IP header in front: IPv4 with its options;
 * IPv6 only without extension headers (RFC 4303 §3.1.1 would put ESP
 * after hop-by-hop, routing and fragment headers; not implemented, such
 * packets are dropped as ESP-malformed), and only whole datagrams
 * (RFC 4303 §3.3.4: transport mode is not applied to fragments).
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/esp_priv.h"

/* IPv6 extension headers that would have to stay in front of ESP (RFC
 * 8200 §4, RFC 5533, RFC 7401 numbers). */
enum {
	IPV6_EXT_SHIM6 = 140,
	IPV6_EXT_HIP = 139,
	IPV6_EXT_MOBILITY = 135,
};

static bool
ipv6_ext_hdr(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPV6_EXT_MOBILITY:
	case IPV6_EXT_HIP:
	case IPV6_EXT_SHIM6:
		return true;
	default:
		return false;
	}
}

static uint16_t
udp_len(const struct dp_sa_path *path)
{
	return path->udp_encap ? DP_ESP_UDP_HDR_LEN : 0;
}

/* Length of the IP header in front of UDP/ESP: the fresh outer header
 * (tunnel) or the packet's own (transport). */
static uint16_t
front_ip_len(const struct dp_sa *sa, const struct dp_esp_out_plan *p)
{
	if (sa->p.mode == DP_SA_TRANSPORT)
		return p->in.hdr_len;
	return p->path->local.family == AF_INET ? DP_ESP_IPV4_HDR_LEN : DP_ESP_IPV6_HDR_LEN;
}

/* RFC 4301 §8.1: outer DF copied from an inner IPv4 header (set for an
 * inner IPv6 packet: dp_esp_ip_parse() says df), or set / cleared by the SA. */
static bool
tunnel_df(const struct dp_sa_path *path, const struct dp_esp_ip *in)
{
	switch (path->df) {
	case DP_SA_DF_SET:
		return true;
	case DP_SA_DF_CLEAR:
		return false;
	default:
		return in->df;
	}
}

static int
plan_mode(const struct dp_sa *sa, struct dp_esp_out_plan *p, enum dp_drop_reason *why)
{
	uint16_t esp = DP_ESP_HDR_LEN + sa->key.iv_len;

	if (sa->p.mode == DP_SA_TUNNEL) {
		p->front = front_ip_len(sa, p) + udp_len(p->path) + esp;
		p->data_len = p->in.len;
		p->next_hdr = p->in.family == AF_INET ? DP_ESP_NH_IPV4 : DP_ESP_NH_IPV6;
		p->df = tunnel_df(p->path, &p->in);
		return 0;
	}
	if (p->in.family != p->path->local.family || p->in.fragment ||
	    (p->in.family == AF_INET6 && ipv6_ext_hdr(p->in.proto))) {
		*why = DP_DROP_ESP_MALFORMED;
		return -1;
	}
	p->front = udp_len(p->path) + esp;
	p->data_len = p->in.len - p->in.hdr_len;
	p->next_hdr = p->in.proto;
	p->df = p->in.df;
	return 0;
}

int
dp_esp_out_plan(const struct dp_sa *sa, const struct rte_mbuf *m, uint16_t l3_off,
		struct dp_esp_out_plan *p, enum dp_drop_reason *why)
{
	uint32_t block = sa->key.block;
	uint32_t avail;

	*why = DP_DROP_MALFORMED;
	p->path = dp_sa_path_get(sa);
	if (m->nb_segs != 1 || m->data_len < l3_off)
		return -1;
	avail = m->data_len - l3_off;
	if (!dp_esp_ip_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off), avail, &p->in))
		return -1;
	if (plan_mode(sa, p, why) < 0)
		return -1;
	/* RFC 4303 §2.4: pad to the cipher block, payload ends 4-aligned. */
	p->pad = (uint8_t)((block - (p->data_len + DP_ESP_TRAILER_LEN) % block) % block);
	p->payload_len = p->data_len + p->pad + DP_ESP_TRAILER_LEN;
	p->tail = p->pad + DP_ESP_TRAILER_LEN + DP_ESP_ICV_LEN;
	p->excess = (uint16_t)(avail - p->in.len);
	p->outer_len = (uint32_t)p->in.len - p->data_len + p->front + p->payload_len +
		       DP_ESP_ICV_LEN;
	return 0;
}

uint32_t
dp_esp_out_fit(const struct dp_sa *sa, const struct dp_esp_out_plan *p, uint16_t mtu)
{
	uint32_t fixed = p->outer_len - p->payload_len;	/* headers + ICV */
	uint32_t payload;

	if (mtu <= fixed)
		return 0;
	payload = (mtu - fixed) / sa->key.block * sa->key.block;
	if (payload <= DP_ESP_TRAILER_LEN)
		return 0;
	/* Transport: the IP header kept in front counts toward the packet. */
	return payload - DP_ESP_TRAILER_LEN + (uint32_t)(p->in.len - p->data_len);
}

static void
put_be32(uint8_t *b, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(b, &v, sizeof(v));
}

/* RFC 3948 §2.1; the checksum is 0 (IPv4) or filled after encryption. */
static uint8_t *
put_udp(uint8_t *l4, const struct dp_sa_path *path, uint32_t len)
{
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

	u->src_port = rte_cpu_to_be_16(path->encap_local_port);
	u->dst_port = rte_cpu_to_be_16(path->encap_remote_port);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)len);
	u->dgram_cksum = 0;
	return l4 + DP_ESP_UDP_HDR_LEN;
}

/* RFC 4303 §2.4-2.6: padding bytes 1, 2, 3, ..., pad length, next header. */
static void
put_trailer(uint8_t *t, const struct dp_esp_out_plan *p)
{
	for (uint8_t i = 0; i < p->pad; i++)
		t[i] = i + 1;
	t[p->pad] = p->pad;
	t[p->pad + 1] = p->next_hdr;
}

uint8_t *
dp_esp_out_encap(const struct dp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
		 const struct dp_esp_out_plan *p, uint64_t seq, uint16_t ip_id)
{
	uint16_t keep = p->in.len - p->data_len;	/* transport: IP header */
	const struct dp_sa_path *path = p->path;
	uint16_t ip_len = front_ip_len(sa, p);
	uint8_t proto = path->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	uint8_t *base, *ip, *esp;

	if (p->excess != 0)
		rte_pktmbuf_trim(m, p->excess);
	base = (uint8_t *)rte_pktmbuf_prepend(m, p->front);
	rte_pktmbuf_append(m, p->tail);
	if (keep != 0)
		memmove(base, base + p->front, (size_t)l3_off + keep);
	ip = base + l3_off;
	if (sa->p.mode == DP_SA_TUNNEL)
		dp_esp_ip_outer(ip, path, (uint16_t)p->outer_len, proto,
				dp_esp_ecn_encap(path, p->in.tos), p->df, ip_id);
	else
		dp_esp_ip_set(ip, &p->in, (uint16_t)p->outer_len, proto);
	esp = ip + ip_len;
	if (path->udp_encap)
		esp = put_udp(esp, path, p->outer_len - ip_len);
	put_be32(esp, sa->p.spi);
	put_be32(esp + DP_ESP_SEQ_OFF, (uint32_t)seq);
	put_trailer(esp + DP_ESP_HDR_LEN + sa->key.iv_len + p->data_len, p);
	return esp;
}

void
dp_esp_out_udp6_csum(struct rte_mbuf *m, uint16_t l3_off)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3_off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
}
