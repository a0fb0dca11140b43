/*
 * Inbound ESP packet checks and decapsulation (RFC 4303 §3.4, RFC 3948
 * §3.2): every length from the wire checked before the crypto touches
 * the packet, then, once the ICV verified, the trailer (padding 1, 2, 3,
 * ..., pad length, next header; RFC 4303 §2.4-2.6), the inner header and
 * the move of the inner packet to the IP header's place.
 *
 * Tunnel mode: the inner packet may be followed by TFC padding (RFC 4303
 * §2.7); its own length field decides, and what follows is trimmed. The
 * inner DSCP is kept, the ECN field combined per RFC 6040 (esp_ecn.c).
 *
 * Transport mode: the received IP header stays and gets the next header
 * and the new length; any UDP header (RFC 3948) and the ESP header and IV
 * go. IPv6 with extension headers before ESP is dropped as malformed (not
 * implemented: the last extension header's next header would change).
 * Over UDP, RFC 3948 §3.1.2 lets a receiver fix inner TCP/UDP checksums
 * with the peer's original address (NAT-OA); with static SAs there is no
 * NAT-OA and the addresses in the header are the ones the peer used, so
 * the checksums are right as they are; behind a NAT they would not be.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane/esp_priv.h"

enum { IPV4_CSUM_OK = 0xffff };	/* one's complement sum of a correct header */

static uint32_t
get_be32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return rte_be_to_cpu_32(v);
}

/* Transport mode: nothing but a RFC 3948 UDP header between the IP
 * header and ESP. */
static bool
transport_position_ok(const struct dp_esp_in_pkt *p)
{
	uint32_t gap = p->esp_off - (p->l3_off + p->outer.hdr_len);

	return (p->outer.proto == IPPROTO_ESP && gap == 0) ||
	       (p->outer.proto == IPPROTO_UDP && gap == DP_ESP_UDP_HDR_LEN);
}

int
dp_esp_in_check(const struct dp_sa *sa, struct rte_mbuf *m, struct dp_esp_in_pkt *p)
{
	const struct dp_mbuf_meta *meta = dp_meta(m);
	const uint32_t min = DP_ESP_HDR_LEN + sa->key.iv_len + DP_ESP_TRAILER_LEN +
			     DP_ESP_ICV_LEN;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t end;

	p->l3_off = meta->l3_off;
	p->esp_off = meta->esp_off;
	if (m->nb_segs != 1 || m->data_len < p->l3_off ||
	    !dp_esp_ip_parse(frame + p->l3_off, m->data_len - p->l3_off, &p->outer))
		return -EBADMSG;
	end = (uint32_t)p->l3_off + p->outer.len;
	/* RFC 4303 §2: header, IV, at least the trailer, and the ICV. */
	if (p->esp_off < p->l3_off + p->outer.hdr_len || p->esp_off > end ||
	    end - p->esp_off < min)
		return -EBADMSG;
	p->payload_len = end - p->esp_off - DP_ESP_HDR_LEN - sa->key.iv_len - DP_ESP_ICV_LEN;
	/* RFC 4303 §2.4: the ciphertext is a whole number of blocks. */
	if (p->payload_len % sa->key.block != 0)
		return -EBADMSG;
	if (sa->p.mode == DP_SA_TRANSPORT && !transport_position_ok(p))
		return -EBADMSG;
	if (get_be32(frame + p->esp_off) != sa->p.spi)
		return -EBADMSG;
	p->seq_lo = get_be32(frame + p->esp_off + DP_ESP_SEQ_OFF);
	if (m->data_len > end)
		rte_pktmbuf_trim(m, m->data_len - end);
	return 0;
}

/* The low n bytes (as stored, little-endian numbering) of a 64-bit word. */
static uint64_t
low_bytes(unsigned int n)
{
	return n >= sizeof(uint64_t) ? UINT64_MAX : (UINT64_C(1) << (n * CHAR_BIT)) - 1;
}

/* Padding bytes 1, 2, 3, ..., pad. Up to 16 of them (the 16 bytes read
 * lie within padding, trailer and ICV) in two word compares; more, the
 * rare long padding of traffic flow confidentiality, byte by byte. */
static bool
padding_ok(const uint8_t *b, uint8_t pad)
{
	static const uint8_t pattern[2 * sizeof(uint64_t)] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	uint64_t got[2], want[2];

	if (pad > sizeof(pattern)) {
		for (uint32_t i = 0; i < pad; i++)
			if (b[i] != (uint8_t)(i + 1))
				return false;
		return true;
	}
	memcpy(got, b, sizeof(got));
	memcpy(want, pattern, sizeof(want));
	return ((rte_le_to_cpu_64(got[0] ^ want[0]) & low_bytes(pad)) |
		(rte_le_to_cpu_64(got[1] ^ want[1]) &
		 (pad > sizeof(uint64_t) ? low_bytes(pad - sizeof(uint64_t)) : 0))) == 0;
}

/* RFC 4303 §2.4-2.6: pad length inside the payload, padding 1, 2, 3, ...;
 * returns the length of the data before the padding, or -1. */
static int32_t
trailer(const uint8_t *payload, uint32_t len, uint8_t *nh)
{
	uint8_t pad = payload[len - DP_ESP_TRAILER_LEN];
	uint32_t data_len;

	*nh = payload[len - 1];
	if (pad > len - DP_ESP_TRAILER_LEN || *nh == DP_ESP_NH_NONE)
		return -1;
	data_len = len - DP_ESP_TRAILER_LEN - pad;
	if (!padding_ok(payload + data_len, pad))
		return -1;
	return (int32_t)data_len;
}

/* Removes shift bytes in front of the data at l3_off + keep, keeping the
 * first l3_off + keep bytes (Ethernet header, transport IP header), then
 * cuts the frame to l3_off + len. */
static void
close_gap(struct rte_mbuf *m, uint16_t l3_off, uint16_t keep, uint32_t shift, uint16_t len)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);

	/* Tunnel mode behind Ethernet, the usual case: a fixed-size copy
	 * (the gap, outer header and more, is longer than the header). */
	if (l3_off + keep == RTE_ETHER_HDR_LEN && shift >= RTE_ETHER_HDR_LEN)
		memcpy(frame + shift, frame, RTE_ETHER_HDR_LEN);
	else
		memmove(frame + shift, frame, (size_t)l3_off + keep);
	/* One segment (dp_esp_in_check), shift and cut within it. */
	m->data_off = (uint16_t)(m->data_off + shift);
	m->data_len = (uint16_t)(l3_off + len);
	m->pkt_len = m->data_len;
}

/* RFC 1071 §4.1: the header sums to 0xffff; 32-bit words (the header is
 * a whole number of them) into a 64-bit sum, folded at the end. */
static bool
ipv4_csum_ok(const uint8_t *ip, const struct dp_esp_ip *v)
{
	uint32_t w[DP_ESP_IPV4_HDR_LEN / sizeof(uint32_t)];
	uint64_t sum;

	if (v->family != AF_INET)
		return true;
	memcpy(w, ip, sizeof(w));	/* the usual header, without options: unrolled */
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	for (uint32_t i = DP_ESP_IPV4_HDR_LEN; i < v->hdr_len; i += sizeof(w[0])) {
		memcpy(w, ip + i, sizeof(w[0]));
		sum += w[0];
	}
	sum = (sum & UINT32_MAX) + (sum >> 32);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	sum = (sum & UINT16_MAX) + (sum >> 16);
	return sum == IPV4_CSUM_OK;
}

static int
decap_tunnel(struct rte_mbuf *m, const struct dp_esp_in_pkt *p, uint8_t *inner,
	     uint32_t data_len, uint8_t nh)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct dp_esp_ip in;

	/* RFC 4303 §2.6 with RFC 4301 §5.2: next header names the inner version. */
	if ((nh != DP_ESP_NH_IPV4 && nh != DP_ESP_NH_IPV6) ||
	    !dp_esp_ip_parse(inner, data_len, &in) ||
	    in.family != (nh == DP_ESP_NH_IPV4 ? AF_INET : AF_INET6) || !ipv4_csum_ok(inner, &in))
		return -EBADMSG;
	if (dp_esp_ecn_decap(p->outer.tos, inner, &in) < 0)
		return -EBADMSG;
	close_gap(m, p->l3_off, 0, (uint32_t)(inner - frame) - p->l3_off, in.len);
	return 0;
}

static int
decap_transport(struct rte_mbuf *m, const struct dp_esp_in_pkt *p, const uint8_t *data,
		uint32_t data_len, uint8_t nh)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t keep = p->outer.hdr_len;
	uint32_t len = keep + data_len;

	dp_esp_ip_set(frame + p->l3_off, &p->outer, (uint16_t)len, nh);
	close_gap(m, p->l3_off, keep, (uint32_t)(data - frame) - p->l3_off - keep,
		  (uint16_t)len);
	return 0;
}

int
dp_esp_in_decap(const struct dp_sa *sa, struct rte_mbuf *m, const struct dp_esp_in_pkt *p)
{
	uint8_t *payload = rte_pktmbuf_mtod_offset(m, uint8_t *, p->esp_off + DP_ESP_HDR_LEN +
						   sa->key.iv_len);
	int32_t data_len;
	uint8_t nh;

	data_len = trailer(payload, p->payload_len, &nh);
	if (data_len < 0)
		return -EBADMSG;
	if (sa->p.mode == DP_SA_TUNNEL)
		return decap_tunnel(m, p, payload, (uint32_t)data_len, nh);
	return decap_transport(m, p, payload, (uint32_t)data_len, nh);
}
