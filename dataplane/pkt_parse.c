/*
 * Frame classification (pkt_parse.h): Ethernet II (IEEE 802.3 §3.2.6 length/type
 * field), ARP (RFC 826) for Ethernet/IPv4 only, IPv4 (RFC 791 §3.1), IPv6 (RFC 8200
 * §3 and the extension header chain of §4), the fixed headers of ICMP (RFC 792),
 * ICMPv6 (RFC 4443 §2.1), UDP (RFC 768) and TCP (RFC 9293 §3.1), and the Internet
 * checksum (RFC 1071 §4.1).
 *
 * What this parser refuses, on purpose:
 * - 802.1Q / 802.1ad tagged frames: hagw ports are untagged, so a VLAN tag is
 *   DP_DROP_UNKNOWN_ETHERTYPE like any other type we do not speak.
 * - ARP for anything but Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4):
 *   DP_DROP_MALFORMED.
 * - IPv6 jumbograms (RFC 2675: payload length 0 and a hop-by-hop header),
 *   hop-by-hop options anywhere but first (RFC 8200 §4.3), a second fragment
 *   header, and more than DP_IP6_EXT_MAX extension headers: DP_DROP_MALFORMED.
 * - IPv4 fragments that would reassemble beyond 65535 bytes: DP_DROP_MALFORMED.
 * IPv4 options are skipped, not validated.
 *
 * For ARP only kind, l2_multicast, l3_off and l3_len (28, padding excluded)
 * are set; l4_proto, l4_off, fragment and first_fragment are 0. On failure
 * *info is unspecified.
 *
 * Every read goes through a span whose bounds are compared before use, and no
 * length from the wire is subtracted before it has been compared.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

#include "dataplane/pkt_parse.h"
#include "dataplane/ipv6_ext.h"

enum {
	ETH_HDR_LEN = 14,
	ETH_TYPE_OFF = 12,
	ETH_GROUP_BIT = 0x01,		/* I/G bit of the first destination octet */
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	ETHERTYPE_IPV6 = 0x86dd,
};

enum {
	ARP_LEN = 28,			/* Ethernet/IPv4 ARP packet */
	ARP_PTYPE_OFF = 2,
	ARP_HLEN_OFF = 4,
	ARP_PLEN_OFF = 5,
	ARP_HTYPE_ETHER = 1,
	ARP_HLEN_ETHER = 6,
	ARP_PLEN_IPV4 = 4,
};

enum {
	IP_VERSION_SHIFT = 4,
	IPV4_VERSION = 4,
	IPV4_MIN_HDR = 20,
	IPV4_IHL_MASK = 0x0f,
	IPV4_IHL_UNIT = 4,
	IPV4_TOTAL_LEN_OFF = 2,
	IPV4_FRAG_OFF = 6,
	IPV4_PROTO_OFF = 9,
	IPV4_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff,
	IP_FRAG_UNIT = 8,
	IP_MAX_DATAGRAM = 65535,
};

enum {
	IPV6_VERSION = 6,
	IPV6_HDR_LEN = 40,
	IPV6_PAYLOAD_LEN_OFF = 4,
	IPV6_NEXT_HDR_OFF = 6,
};


static bool
parse_arp(const struct dp_span *l3, struct dp_pkt_info *info)
{
	const uint8_t *a = l3->p;

	if (!dp_span_has(l3, 0, ARP_LEN))
		return false;
	/* RFC 826: only the Ethernet/IPv4 flavour carries addresses we use. */
	if (dp_load_be16(a) != ARP_HTYPE_ETHER || dp_load_be16(a + ARP_PTYPE_OFF) != ETHERTYPE_IPV4 ||
	    a[ARP_HLEN_OFF] != ARP_HLEN_ETHER || a[ARP_PLEN_OFF] != ARP_PLEN_IPV4)
		return false;
	info->kind = DP_PKT_ARP;
	info->l3_len = ARP_LEN;
	return true;
}

static bool
parse_ipv4(const struct dp_span *l3, bool csum_good, struct dp_pkt_info *info,
	   enum dp_drop_reason *why)
{
	const uint8_t *h = l3->p;
	uint32_t hlen, total, frag, offset;

	if (!dp_span_has(l3, 0, IPV4_MIN_HDR) || (h[0] >> IP_VERSION_SHIFT) != IPV4_VERSION)
		return false;
	hlen = (uint32_t)(h[0] & IPV4_IHL_MASK) * IPV4_IHL_UNIT;
	total = dp_load_be16(h + IPV4_TOTAL_LEN_OFF);
	/* RFC 791 §3.1: IHL >= 5, the total length covers the header and is
	 * present (anything after it is L2 padding). */
	if (hlen < IPV4_MIN_HDR || hlen > total || total > l3->len)
		return false;
	if (!csum_good && !dp_ipv4_csum_ok(h, hlen)) {
		*why = DP_DROP_BAD_IP_CHECKSUM;
		return false;
	}
	frag = dp_load_be16(h + IPV4_FRAG_OFF);
	offset = (frag & IPV4_OFFSET_MASK) * IP_FRAG_UNIT;
	if (offset > IP_MAX_DATAGRAM - (total - hlen))
		return false;
	info->kind = DP_PKT_IPV4;
	info->l4_proto = h[IPV4_PROTO_OFF];
	info->fragment = (frag & (IPV4_MF | IPV4_OFFSET_MASK)) != 0;
	info->first_fragment = offset == 0;
	info->l4_off = (uint16_t)(ETH_HDR_LEN + hlen);
	info->l3_len = (uint16_t)total;
	return !info->first_fragment || dp_upper_header_fits(info->l4_proto, h + hlen, total - hlen);
}

/* RFC 8200 §4: the upper layer after the extension headers; a later
 * fragment has none. */
static bool
ipv6_walk(const struct dp_span *d, struct dp_pkt_info *info)
{
	struct dp_ipv6_chain c;

	if (!dp_ipv6_walk(d, &c))
		return false;
	info->fragment = c.fragment;
	info->first_fragment = !c.later_fragment;
	info->l4_proto = c.proto;
	info->l4_off = (uint16_t)(ETH_HDR_LEN + c.off);
	return c.later_fragment || dp_upper_header_fits(c.proto, d->p + c.off, d->len - c.off);
}

static bool
parse_ipv6(const struct dp_span *l3, struct dp_pkt_info *info)
{
	const uint8_t *h = l3->p;
	struct dp_span dgram;
	uint32_t payload;

	if (!dp_span_has(l3, 0, IPV6_HDR_LEN) || (h[0] >> IP_VERSION_SHIFT) != IPV6_VERSION)
		return false;
	payload = dp_load_be16(h + IPV6_PAYLOAD_LEN_OFF);
	/* RFC 2675 jumbograms are not supported. */
	if (payload == 0 && h[IPV6_NEXT_HDR_OFF] == IPPROTO_HOPOPTS)
		return false;
	/* RFC 8200 §3: the payload must be present (the rest is L2 padding). */
	if (payload > l3->len - IPV6_HDR_LEN || payload > UINT16_MAX - IPV6_HDR_LEN)
		return false;
	dgram.p = h;
	dgram.len = IPV6_HDR_LEN + payload;
	info->kind = DP_PKT_IPV6;
	info->first_fragment = true;
	info->l3_len = (uint16_t)dgram.len;
	return ipv6_walk(&dgram, info);
}

int
dp_pkt_parse(const uint8_t *frame, uint32_t len, struct dp_pkt_info *info,
	     enum dp_drop_reason *why)
{
	return dp_pkt_parse_rx(frame, len, false, info, why);
}

int
dp_pkt_parse_rx(const uint8_t *frame, uint32_t len, bool csum_good, struct dp_pkt_info *info,
		enum dp_drop_reason *why)
{
	enum dp_drop_reason reason = DP_DROP_MALFORMED;
	struct dp_span l3;
	bool ok = false;

	memset(info, 0, sizeof(*info));
	if (len < ETH_HDR_LEN) {
		*why = DP_DROP_MALFORMED;
		return -1;
	}
	info->l2_multicast = (frame[0] & ETH_GROUP_BIT) != 0;
	info->l3_off = ETH_HDR_LEN;
	l3.p = frame + ETH_HDR_LEN;
	l3.len = len - ETH_HDR_LEN;
	switch (dp_load_be16(frame + ETH_TYPE_OFF)) {
	case ETHERTYPE_ARP:
		ok = parse_arp(&l3, info);
		break;
	case ETHERTYPE_IPV4:
		ok = parse_ipv4(&l3, csum_good, info, &reason);
		break;
	case ETHERTYPE_IPV6:
		ok = parse_ipv6(&l3, info);
		break;
	default:
		/* Includes 802.1Q and 802.1ad tags: our ports are untagged. */
		reason = DP_DROP_UNKNOWN_ETHERTYPE;
		break;
	}
	if (ok)
		return 0;
	*why = reason;
	return -1;
}

/*
 * The sum is accumulated over words in host byte order and swapped once at
 * the end (RFC 1071 §2(B): the one's complement sum is byte-order
 * independent), so the result reads like the big-endian checksum field.
 * Only the last piece of a chained sum may have an odd length.
 */
uint32_t
dp_csum_add(uint32_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0;
	uint32_t w32;
	uint16_t w16;
	uint32_t i = 0;

	for (; len - i >= sizeof(w32); i += sizeof(w32)) {
		memcpy(&w32, p + i, sizeof(w32));
		acc += w32;
	}
	if (len - i >= sizeof(w16)) {
		memcpy(&w16, p + i, sizeof(w16));
		acc += w16;
		i += sizeof(w16);
	}
	if (i < len) {
		/* RFC 1071 §4.1: the odd byte is padded with a zero byte. */
		w16 = 0;
		memcpy(&w16, p + i, 1);
		acc += w16;
	}
	acc = rte_be_to_cpu_16((uint16_t)dp_csum_fold64(acc));
	return dp_csum_fold64(acc + dp_csum_fold(sum));
}

uint16_t
dp_csum_fold(uint32_t sum)
{
	return (uint16_t)dp_csum_fold64(sum);
}
