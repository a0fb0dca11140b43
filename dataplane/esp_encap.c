/*
 * The outbound ESP packet layout (RFC 4303 §2, §3.1, §3.3): where the
 * ESP header, IV, padding, trailer and ICV go in tunnel and transport
 * mode, with RFC 3948 §2.1 UDP encapsulation, and the size checks made
 * before anything is written; one call per packet does all of it.
 *
 *   tunnel:    [L2][outer IP][UDP][ESP][IV][inner IP packet][pad][pl][nh][ICV]
 *   transport: [L2][IP hdr]  [UDP][ESP][IV][IP payload]     [pad][pl][nh][ICV]
 *
 * Transport mode keeps the IP header in front: IPv4 with its options;
 * IPv6 only without extension headers (RFC 4303 §3.1.1 would put ESP
 * after hop-by-hop, routing and fragment headers; not implemented, such
 * packets are dropped as ESP-malformed), and only whole datagrams
 * (RFC 4303 §3.3.4: transport mode is not applied to fragments).
 *
 * What every packet of an SA's path carries in front of its IV is built
 * once, when the path is published (dp_esp_path_headers, for sa.c), so
 * that encapsulation copies a template and fills in the per-packet fields:
 *   tunnel:    outer IPv4 (RFC 791 §3.1) or IPv6 (RFC 8200 §3) header with
 *              the path's addresses, TTL 64 (RFC 4301 §5.1.2.1) and the
 *              protocol, [UDP header, RFC 3948 §2.1], ESP header (RFC 4303
 *              §2: SPI; the sequence number is per packet)
 *   transport: [UDP header] ESP header (the packet keeps its IP header)
 * Per packet: IP length, TOS / traffic class, DF, IPv4 ID and checksum
 * (from ip_csum, the sum of the template's fixed words), UDP length (and
 * IPv6 UDP checksum), sequence number. The TOS rule (RFC 4301 §5.1.2.1
 * DSCP copied or set, RFC 6040 §4.1 ECN copied) and the DF rule (RFC 4301
 * §8.1) are precomputed as masks.
 *
 * dp_esp_out_packet_t4 is the same code compiled for the common case
 * (dp_esp_out_t4: tunnel mode, outer IPv4 without UDP, AEAD), where the
 * lengths and offsets are constants and the other cases' tests drop out.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "dataplane/esp_priv.h"

/* IPv6 extension headers that would have to stay in front of ESP (RFC
 * 8200 §4, RFC 5533, RFC 7401 numbers). */
enum {
	IPV6_EXT_SHIM6 = 140,
	IPV6_EXT_HIP = 139,
	IPV6_EXT_MOBILITY = 135,
};

/* The common layout (dp_esp_out_t4, esp_priv.h). */
enum {
	T4_HDR_LEN = DP_ESP_T4_HDR_LEN,
	T4_FRONT = T4_HDR_LEN + DP_ESP_AEAD_IV_LEN,
	T4_BLOCK = DP_ESP_T4_BLOCK,
};

/* How an outbound packet is laid out. */
struct dp_esp_out_plan {
	const struct dp_sa_path *path;	/* the SA's path, loaded once for this packet */
	struct dp_esp_ip in;	/* the IP packet to protect */
	uint16_t front;		/* bytes inserted before the protected data */
	uint16_t data_len;	/* protected bytes: inner packet (tunnel) or IP payload */
	uint16_t payload_len;	/* data + padding + trailer: what is encrypted */
	uint16_t tail;		/* padding + trailer + ICV appended */
	uint16_t excess;	/* L2 padding behind the IP packet, trimmed */
	uint32_t outer_len;	/* the resulting IP packet */
	uint8_t pad;
	uint8_t next_hdr;
	/* The outer fragment field, DP_ESP_IPV4_DF or 0: the DF that governs
	 * the MTU decision (after the SA's policy). 16 bits wide like the
	 * field: a bool here was spilled as a byte and reloaded as the
	 * field's 16 bits, which stalls store forwarding (13 % of the lane's samples at 1420 B). */
	uint16_t frag;
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

static __rte_always_inline int
plan_mode(const struct dp_sa *sa, struct dp_esp_out_plan *p, enum dp_drop_reason *why, bool t4)
{
	const struct dp_sa_path *path = p->path;

	/* The path's headers (outer IP, UDP, ESP), then the IV. */
	p->front = t4 ? T4_FRONT : path->hdr_len + sa->key.iv_len;
	if (t4 || sa->p.mode == DP_SA_TUNNEL) {
		p->data_len = p->in.len;
		p->next_hdr = p->in.family == AF_INET ? DP_ESP_NH_IPV4 : DP_ESP_NH_IPV6;
		/* RFC 4301 §8.1: DF copied from an inner IPv4 header (set for
		 * an inner IPv6 packet: dp_esp_ip_parse() says df), or set /
		 * cleared by the SA. */
		p->frag = (p->in.df && path->df_copy) || path->df_set ? DP_ESP_IPV4_DF : 0;
		return 0;
	}
	if (p->in.family != path->local.family || p->in.fragment ||
	    (p->in.family == AF_INET6 && ipv6_ext_hdr(p->in.proto))) {
		*why = DP_DROP_ESP_MALFORMED;
		return -1;
	}
	p->data_len = p->in.len - p->in.hdr_len;
	p->next_hdr = p->in.proto;
	p->frag = p->in.df ? DP_ESP_IPV4_DF : 0;
	return 0;
}

/* Checks that the IP packet at l3_off can be protected with sa, and lays
 * it out with path, the SA's path loaded once for the packet (p->path:
 * every later step of the packet uses that one). 0, or -1 with the port
 * drop reason in *why. Reads only. */
static __rte_always_inline int
plan(const struct dp_sa *sa, const struct dp_sa_path *path, const struct rte_mbuf *m,
     uint16_t l3_off, struct dp_esp_out_plan *p, enum dp_drop_reason *why, bool t4)
{
	uint32_t mask = t4 ? T4_BLOCK - 1u : sa->key.block - 1u;	/* a power of two */
	uint32_t avail;

	*why = DP_DROP_MALFORMED;
	p->path = path;
	if (m->nb_segs != 1 || m->data_len < l3_off)
		return -1;
	avail = m->data_len - l3_off;
	if (!dp_esp_ip_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off), avail, &p->in))
		return -1;
	if (plan_mode(sa, p, why, t4) < 0)
		return -1;
	/* RFC 4303 §2.4: pad to the cipher block, payload ends 4-aligned. */
	p->pad = (uint8_t)(-(p->data_len + DP_ESP_TRAILER_LEN) & mask);
	p->payload_len = p->data_len + p->pad + DP_ESP_TRAILER_LEN;
	p->tail = p->pad + DP_ESP_TRAILER_LEN + DP_ESP_ICV_LEN;
	p->excess = (uint16_t)(avail - p->in.len);
	p->outer_len = (uint32_t)p->in.len - p->data_len + p->front + p->payload_len +
		       DP_ESP_ICV_LEN;
	return 0;
}

/* The largest original IP packet whose encapsulation fits in mtu (0: none). */
static uint32_t
fit(const struct dp_sa *sa, const struct dp_esp_out_plan *p, uint16_t mtu)
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

/* RFC 4303 §2.4-2.6: padding bytes 1, 2, 3, ..., pad length, next
 * header. The pattern is stored whole: the tail behind the trailer (the
 * ICV's room) takes what lies beyond the padding. */
static inline void
put_trailer(uint8_t *t, const struct dp_esp_out_plan *p)
{
	static const uint8_t pattern[DP_ESP_AES_BLOCK] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};

	_Static_assert(sizeof(pattern) <= DP_ESP_TRAILER_LEN + DP_ESP_ICV_LEN,
		       "the pattern stays within padding, trailer and ICV");
	memcpy(t, pattern, sizeof(pattern));
	t[p->pad] = p->pad;
	t[p->pad + 1] = p->next_hdr;
}

/* Transport mode: the Ethernet and IP headers move to the front, the IP
 * header gets the new length and protocol; returns where ESP's headers go. */
static uint8_t *
transport_front(uint8_t *base, uint16_t l3_off, const struct dp_esp_out_plan *p, uint16_t keep)
{
	uint8_t *ip = base + l3_off;

	memmove(base, base + p->front, (size_t)l3_off + keep);
	dp_esp_ip_set(ip, &p->in, (uint16_t)p->outer_len,
		      p->path->udp_encap ? IPPROTO_UDP : IPPROTO_ESP);
	return ip + keep;
}

/* L2 padding off, front and tail on: one segment (checked by plan) with
 * room for both (room_ok). */
static inline void
grow(struct rte_mbuf *m, const struct dp_esp_out_plan *p)
{
	uint16_t len = (uint16_t)(m->data_len - p->excess + p->front + p->tail);

	m->data_off = (uint16_t)(m->data_off - p->front);
	m->data_len = len;
	m->pkt_len = len;
}

/* Builds the ESP packet in place as p (with p->path) says; returns the
 * ESP header. IV and ICV are left to the crypto. */
static __rte_always_inline uint8_t *
encap(const struct dp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
      const struct dp_esp_out_plan *p, uint64_t seq, uint16_t ip_id, bool t4)
{
	uint16_t keep = t4 ? 0 : p->in.len - p->data_len;	/* transport: IP header */
	const struct dp_sa_path *path = p->path;
	uint8_t *base, *hdr, *esp;
	uint32_t seq_be = rte_cpu_to_be_32((uint32_t)seq);

	grow(m, p);
	base = rte_pktmbuf_mtod(m, uint8_t *);
	hdr = keep != 0 ? transport_front(base, l3_off, p, keep) : base + l3_off;
	if (t4) {
		rte_memcpy(hdr, path->hdr, T4_HDR_LEN);
		dp_esp_ip_outer4(hdr, path, (uint16_t)p->outer_len,
				 (p->in.tos & path->tos_keep) | path->tos_set, p->frag, ip_id);
	} else {
		rte_memcpy(hdr, path->hdr, path->hdr_len);
		if (path->ip_len != 0)
			dp_esp_ip_outer(hdr, path, (uint16_t)p->outer_len, p->in.tos, p->frag,
					ip_id);
	}
	if (!t4 && path->udp_encap) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(hdr + path->ip_len);

		/* RFC 3948 §2.1; the checksum is 0 (IPv4) or filled after
		 * encryption (dp_esp_out_udp6_csum). */
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(p->outer_len - keep - path->ip_len));
	}
	esp = hdr + (t4 ? T4_HDR_LEN : path->hdr_len) - DP_ESP_HDR_LEN;
	memcpy(esp + DP_ESP_SEQ_OFF, &seq_be, sizeof(seq_be));
	put_trailer(esp + DP_ESP_HDR_LEN + (t4 ? DP_ESP_AEAD_IV_LEN : sa->key.iv_len) +
		    p->data_len, p);
	return esp;
}

static bool
room_ok(const struct rte_mbuf *m, const struct dp_esp_out_plan *p)
{
	return rte_pktmbuf_headroom(m) >= p->front &&
	       (uint32_t)rte_pktmbuf_tailroom(m) + p->excess >= p->tail &&
	       p->outer_len <= DP_ESP_L3_MAX;
}

/* Too big for the egress MTU: punted (IPv6, or DF set after the SA's
 * policy) with the largest original packet that fits, else dropped. */
static enum dp_esp_out_verdict
too_big(const struct dp_sa *sa, const struct dp_esp_out_plan *p, uint16_t mtu,
	struct dp_esp_out_res *r)
{
	r->fit = fit(sa, p, mtu);
	if ((p->in.family == AF_INET6 || p->frag != 0) && r->fit != 0)
		return DP_ESP_OUT_TOO_BIG;
	r->why = DP_DROP_MTU_EXCEEDED;
	r->sa_why = DP_SA_DROP_MTU;
	return DP_ESP_OUT_DROP;
}

/* dp_esp_out_packet with the path given; t4 (a constant in each caller)
 * says dp_esp_out_t4() holds, and the compiler drops what it rules out. */
static __rte_always_inline enum dp_esp_out_verdict
out_packet(const struct dp_sa *sa, const struct dp_sa_path *path, struct rte_mbuf *m,
	   uint16_t l3_off, uint16_t mtu, uint64_t seq, uint16_t ip_id, struct dp_esp_out_res *r,
	   bool t4)
{
	struct dp_esp_out_plan p;

	if (unlikely(plan(sa, path, m, l3_off, &p, &r->why, t4) < 0)) {
		r->sa_why = DP_SA_DROP_MALFORMED;
		return DP_ESP_OUT_DROP;
	}
	if (unlikely(mtu != 0 && p.outer_len > mtu))
		return too_big(sa, &p, mtu, r);
	if (unlikely(!room_ok(m, &p))) {
		r->why = DP_DROP_NO_MBUF;
		r->sa_why = DP_SA_DROP_MALFORMED;
		return DP_ESP_OUT_DROP;
	}
	r->esp = encap(sa, m, l3_off, &p, seq, ip_id, t4);
	r->payload_len = p.payload_len;
	r->in_len = p.in.len;
	r->udp6 = !t4 && path->udp_encap && path->local.family == AF_INET6;
	return DP_ESP_OUT_OK;
}

enum dp_esp_out_verdict
dp_esp_out_packet(const struct dp_sa *sa, const struct dp_sa_path *path, struct rte_mbuf *m,
		  uint16_t l3_off, uint16_t mtu, uint64_t seq, uint16_t ip_id,
		  struct dp_esp_out_res *r)
{
	return out_packet(sa, path, m, l3_off, mtu, seq, ip_id, r, false);
}

enum dp_esp_out_verdict
dp_esp_out_packet_t4(const struct dp_sa *sa, const struct dp_sa_path *path, struct rte_mbuf *m,
		     uint16_t l3_off, uint16_t mtu, uint64_t seq, uint16_t ip_id,
		     struct dp_esp_out_res *r)
{
	return out_packet(sa, path, m, l3_off, mtu, seq, ip_id, r, true);
}

void
dp_esp_out_udp6_csum(struct rte_mbuf *m, uint16_t l3_off)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3_off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
}

/* ---- The path's header template ---- */

enum { TOS_ALL = 0xff };

_Static_assert(DP_ESP_IPV6_HDR_LEN + DP_ESP_UDP_HDR_LEN + DP_ESP_HDR_LEN <= DP_SA_HDR_MAX,
	       "the largest template fits");

static void
tmpl_ipv4(uint8_t *b, const struct dp_sa_path *t, uint8_t proto)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)b;

	h->version_ihl = DP_ESP_IPV4_VIHL;
	h->time_to_live = DP_ESP_OUTER_TTL;
	h->next_proto_id = proto;
	memcpy(&h->src_addr, t->local.addr.v4, sizeof(h->src_addr));
	memcpy(&h->dst_addr, t->remote.addr.v4, sizeof(h->dst_addr));
}

/* The flow label stays 0 (RFC 6437 §2 allows it). */
static void
tmpl_ipv6(uint8_t *b, const struct dp_sa_path *t, uint8_t proto)
{
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)b;

	h->vtc_flow = rte_cpu_to_be_32(DP_ESP_IPV6_VERSION_WORD);
	h->proto = proto;
	h->hop_limits = DP_ESP_OUTER_TTL;
	memcpy(h->src_addr, t->local.addr.v6, sizeof(h->src_addr));
	memcpy(h->dst_addr, t->remote.addr.v6, sizeof(h->dst_addr));
}

/* One's complement sum of the 16-bit words of the IPv4 template, in host
 * order and not folded: the per-packet fields are 0 there. */
static uint32_t
tmpl_ipv4_sum(const uint8_t *b)
{
	uint32_t sum = 0;

	for (unsigned int i = 0; i < DP_ESP_IPV4_HDR_LEN; i += sizeof(uint16_t))
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	return sum;
}

static void
tmpl_rules(struct dp_sa_path *t)
{
	if (t->dscp >= 0) {
		t->tos_keep = DP_ESP_ECN_MASK;
		t->tos_set = (uint8_t)((t->dscp & DP_ESP_DSCP_MAX) << DP_ESP_DSCP_SHIFT);
	} else {
		t->tos_keep = TOS_ALL;
		t->tos_set = 0;
	}
	t->df_copy = t->df == DP_SA_DF_COPY;
	t->df_set = t->df == DP_SA_DF_SET;
}

void
dp_esp_path_headers(struct dp_sa_path *t, enum dp_sa_mode mode, uint32_t spi)
{
	uint8_t proto = t->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	uint8_t *b = t->hdr;
	uint32_t be_spi = rte_cpu_to_be_32(spi);
	unsigned int off = 0;

	memset(t->hdr, 0, sizeof(t->hdr));
	t->ip_csum = 0;
	if (mode == DP_SA_TUNNEL && t->local.family == AF_INET) {
		tmpl_ipv4(b, t, proto);
		t->ip_csum = tmpl_ipv4_sum(b);
		off = DP_ESP_IPV4_HDR_LEN;
	} else if (mode == DP_SA_TUNNEL) {
		tmpl_ipv6(b, t, proto);
		off = DP_ESP_IPV6_HDR_LEN;
	}
	t->ip_len = (uint8_t)off;
	if (t->udp_encap) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(b + off);

		u->src_port = rte_cpu_to_be_16(t->encap_local_port);
		u->dst_port = rte_cpu_to_be_16(t->encap_remote_port);
		off += DP_ESP_UDP_HDR_LEN;
	}
	memcpy(b + off, &be_spi, sizeof(be_spi));
	t->hdr_len = (uint8_t)(off + DP_ESP_HDR_LEN);
	tmpl_rules(t);
}
