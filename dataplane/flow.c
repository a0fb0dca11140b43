/*
 * Flow extraction (flow.h): the RFC 4301 §4.4.1.1 selector fields of an
 * IPv4 (RFC 791 §3.1) or IPv6 (RFC 8200 §3, §4) packet. Every read goes
 * through dp_span_has() first; the datagram ends at its own length field, so
 * L2 padding after it is never read as header or port bytes.
 *
 * Fragments (RFC 4301 §7): a first fragment (offset 0) is read like a
 * whole packet and must hold the port (or type/code) bytes; a later
 * fragment has no upper-layer header, so its ports are opaque.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>

#include "dataplane/flow.h"
#include "dataplane/ipv6_ext.h"

enum {
	IP_VERSION_SHIFT = 4,
	IPV4_VERSION = 4,
	IPV6_VERSION = 6,
	IPV4_MIN_HDR = 20,
	IPV4_IHL_MASK = 0x0f,
	IPV4_IHL_UNIT = 4,
	IPV4_TOTAL_LEN_OFF = 2,
	IPV4_FRAG_OFF = 6,
	IPV4_OFFSET_MASK = 0x1fff,
	IPV4_PROTO_OFF = 9,
	IPV4_SRC_OFF = 12,
	IPV4_DST_OFF = 16,
	IPV4_ADDR_LEN = 4,
	IPV6_HDR_LEN = 40,
	IPV6_PAYLOAD_LEN_OFF = 4,
	IPV6_NEXT_HDR_OFF = 6,
	IPV6_SRC_OFF = 8,
	IPV6_DST_OFF = 24,
	IPV6_ADDR_LEN = 16,
	L4_PORTS_LEN = 4,		/* TCP, UDP, SCTP: source and destination port */
	L4_SPORT_OFF = 0,
	L4_DPORT_OFF = 2,
	ICMP_TYPE_CODE_LEN = 2,
	ICMP_TYPE_OFF = 0,
	ICMP_CODE_OFF = 1,
};

static inline bool
proto_is_icmp(uint8_t family, uint8_t proto)
{
	return (family == AF_INET && proto == IPPROTO_ICMP) ||
	       (family == AF_INET6 && proto == IPPROTO_ICMPV6);
}

bool
dp_flow_proto_is_icmp(uint8_t family, uint8_t proto)
{
	return proto_is_icmp(family, proto);
}

static bool
proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* Ports or type/code of the upper layer at OFF of the datagram D. */
static int
flow_l4(const struct dp_span *d, uint32_t off, struct dp_flow *f)
{
	const uint8_t *l4 = d->p + off;

	if (proto_is_icmp(f->family, f->proto)) {
		if (!dp_span_has(d, off, ICMP_TYPE_CODE_LEN))
			return -EINVAL;
		f->sport = l4[ICMP_TYPE_OFF];
		f->dport = l4[ICMP_CODE_OFF];
	} else if (proto_has_ports(f->proto)) {
		if (!dp_span_has(d, off, L4_PORTS_LEN))
			return -EINVAL;
		f->sport = dp_load_be16(l4 + L4_SPORT_OFF);
		f->dport = dp_load_be16(l4 + L4_DPORT_OFF);
	}
	return 0;
}

static int
flow_ipv4(const struct dp_span *l3, struct dp_flow *f)
{
	const uint8_t *h = l3->p;
	struct dp_span dgram;
	uint32_t hlen, total;

	if (!dp_span_has(l3, 0, IPV4_MIN_HDR))
		return -EINVAL;
	hlen = (uint32_t)(h[0] & IPV4_IHL_MASK) * IPV4_IHL_UNIT;
	total = dp_load_be16(h + IPV4_TOTAL_LEN_OFF);
	/* RFC 791 §3.1: IHL >= 5 and the total length covers the header. */
	if (hlen < IPV4_MIN_HDR || hlen > total || total > l3->len)
		return -EINVAL;
	f->family = AF_INET;
	f->proto = h[IPV4_PROTO_OFF];
	memcpy(f->src, h + IPV4_SRC_OFF, IPV4_ADDR_LEN);
	memcpy(f->dst, h + IPV4_DST_OFF, IPV4_ADDR_LEN);
	if ((dp_load_be16(h + IPV4_FRAG_OFF) & IPV4_OFFSET_MASK) != 0) {
		f->ports_opaque = true;
		return 0;
	}
	dgram.p = h;
	dgram.len = total;
	return flow_l4(&dgram, hlen, f);
}

/* RFC 8200 §4: the upper layer after the extension headers. */
static int
ipv6_walk(const struct dp_span *d, struct dp_flow *f)
{
	struct dp_ipv6_chain c;

	if (!dp_ipv6_walk(d, &c))
		return -EINVAL;
	f->proto = c.proto;
	if (c.later_fragment) {
		/* RFC 4301 §7: what follows is the middle of the payload. */
		f->ports_opaque = true;
		return 0;
	}
	return flow_l4(d, c.off, f);
}

static int
flow_ipv6(const struct dp_span *l3, struct dp_flow *f)
{
	const uint8_t *h = l3->p;
	struct dp_span dgram;
	uint32_t payload;

	if (!dp_span_has(l3, 0, IPV6_HDR_LEN))
		return -EINVAL;
	payload = dp_load_be16(h + IPV6_PAYLOAD_LEN_OFF);
	/* RFC 2675 jumbograms (payload length 0 with hop-by-hop) are not supported. */
	if (payload == 0 && h[IPV6_NEXT_HDR_OFF] == IPPROTO_HOPOPTS)
		return -EINVAL;
	/* RFC 8200 §3: the payload must be present (the rest is L2 padding). */
	if (payload > l3->len - IPV6_HDR_LEN)
		return -EINVAL;
	f->family = AF_INET6;
	memcpy(f->src, h + IPV6_SRC_OFF, IPV6_ADDR_LEN);
	memcpy(f->dst, h + IPV6_DST_OFF, IPV6_ADDR_LEN);
	dgram.p = h;
	dgram.len = IPV6_HDR_LEN + payload;
	return ipv6_walk(&dgram, f);
}

int
dp_flow_extract(const uint8_t *l3, uint32_t l3_len, struct dp_flow *f)
{
	struct dp_span s = { .p = l3, .len = l3_len };
	int rc = -EINVAL;

	memset(f, 0, sizeof(*f));
	if (l3 == NULL || l3_len == 0)
		return -EINVAL;
	switch (l3[0] >> IP_VERSION_SHIFT) {
	case IPV4_VERSION:
		rc = flow_ipv4(&s, f);
		break;
	case IPV6_VERSION:
		rc = flow_ipv6(&s, f);
		break;
	default:
		break;
	}
	if (rc != 0)
		memset(f, 0, sizeof(*f));
	return rc;
}

int
dp_flow_from_parsed(const uint8_t *frame, const struct dp_pkt_info *info, struct dp_flow *f)
{
	const uint8_t *h = frame + info->l3_off;
	struct dp_span d = { .p = h, .len = info->l3_len };

	memset(f, 0, sizeof(*f));
	if (info->kind == DP_PKT_IPV4) {
		f->family = AF_INET;
		memcpy(f->src, h + IPV4_SRC_OFF, IPV4_ADDR_LEN);
		memcpy(f->dst, h + IPV4_DST_OFF, IPV4_ADDR_LEN);
	} else if (info->kind == DP_PKT_IPV6) {
		f->family = AF_INET6;
		memcpy(f->src, h + IPV6_SRC_OFF, IPV6_ADDR_LEN);
		memcpy(f->dst, h + IPV6_DST_OFF, IPV6_ADDR_LEN);
	} else {
		return -EINVAL;
	}
	f->proto = info->l4_proto;
	if (!info->first_fragment) {
		f->ports_opaque = true;		/* RFC 4301 §7 */
		return 0;
	}
	if (info->l4_off < info->l3_off || flow_l4(&d, info->l4_off - info->l3_off, f) < 0) {
		memset(f, 0, sizeof(*f));
		return -EINVAL;
	}
	return 0;
}

void
dp_flow_reverse(const struct dp_flow *f, struct dp_flow *r)
{
	struct dp_flow t = *f;

	memcpy(t.src, f->dst, sizeof(t.src));
	memcpy(t.dst, f->src, sizeof(t.dst));
	if (!proto_is_icmp(f->family, f->proto)) {
		t.sport = f->dport;
		t.dport = f->sport;
	}
	*r = t;
}
