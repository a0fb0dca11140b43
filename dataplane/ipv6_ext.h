/*
 * Bounded reads of header bytes, and the IPv6 extension-header walk
 * (RFC 8200 §4) that packet parsing and flow extraction share. Every read
 * goes through dp_span_has() first. Header-only so that the standalone
 * test and fuzz builds of either user need nothing more.
 */
#ifndef HAGW_IPV6_EXT_H
#define HAGW_IPV6_EXT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

/* A header region: reads are allowed only at [0, len). */
struct dp_span {
	const uint8_t *p;
	uint32_t len;
};

static inline bool
dp_span_has(const struct dp_span *s, uint32_t off, uint32_t n)
{
	return off <= s->len && n <= s->len - off;
}

static inline uint16_t
dp_load_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

enum {
	DP_IP6_HDR_LEN = 40,
	DP_IP6_NEXT_HDR_OFF = 6,
	DP_IP6_EXT_MAX = 8,		/* extension headers walked before giving up */
	DP_IP6_EXT_MIN_LEN = 8,		/* next header, length, 6 bytes of data */
	DP_IP6_EXT_LEN_OFF = 1,
	DP_IP6_EXT_LEN_UNIT = 8,	/* RFC 8200 §4.3: 8-octet units, first not counted */
	DP_IP6_FRAG_HDR_LEN = 8,
	DP_IP6_FRAG_OFFSET_OFF = 2,
	DP_IP6_FRAG_OFFSET_MASK = 0xfff8,
};

/* Where the extension-header chain of one datagram ends. */
struct dp_ipv6_chain {
	uint8_t proto;		/* the upper-layer protocol (or what follows a later fragment) */
	uint32_t off;		/* its offset from the start of the IPv6 header */
	bool fragment;		/* a fragment header was seen */
	bool later_fragment;	/* ... with a non-zero offset: no upper-layer header follows */
};

static inline bool
dp_ipv6_ext_header(uint8_t nh)
{
	/* AH, ESP and no-next-header end the walk: they are the next layer. */
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT ||
	       nh == IPPROTO_DSTOPTS;
}

/* Length of the extension header NH at OFF of the datagram D, 0 if
 * malformed (truncated, hop-by-hop not first, a second fragment header). */
static inline uint32_t
dp_ipv6_ext_len(const struct dp_span *d, uint32_t off, uint8_t nh, unsigned int index,
		struct dp_ipv6_chain *c)
{
	uint32_t len;

	if (nh == IPPROTO_FRAGMENT) {
		if (c->fragment || !dp_span_has(d, off, DP_IP6_FRAG_HDR_LEN))
			return 0;
		c->fragment = true;
		c->later_fragment = (dp_load_be16(d->p + off + DP_IP6_FRAG_OFFSET_OFF) &
				     DP_IP6_FRAG_OFFSET_MASK) != 0;
		return DP_IP6_FRAG_HDR_LEN;
	}
	/* RFC 8200 §4.3: hop-by-hop options only right after the IPv6 header. */
	if ((nh == IPPROTO_HOPOPTS && index != 0) || !dp_span_has(d, off, DP_IP6_EXT_MIN_LEN))
		return 0;
	len = ((uint32_t)d->p[off + DP_IP6_EXT_LEN_OFF] + 1) * DP_IP6_EXT_LEN_UNIT;
	return dp_span_has(d, off, len) ? len : 0;
}

/* RFC 8200 §4: follow the next-header chain of the datagram D (which
 * starts with a whole IPv6 header) to the upper layer, or to the data
 * after a later fragment's header. false if malformed or longer than
 * DP_IP6_EXT_MAX headers. */
static inline bool
dp_ipv6_walk(const struct dp_span *d, struct dp_ipv6_chain *c)
{
	uint8_t nh = d->p[DP_IP6_NEXT_HDR_OFF];
	uint32_t off = DP_IP6_HDR_LEN;
	uint32_t len;

	c->fragment = false;
	c->later_fragment = false;
	for (unsigned int i = 0; dp_ipv6_ext_header(nh); i++) {
		if (i == DP_IP6_EXT_MAX)
			return false;
		len = dp_ipv6_ext_len(d, off, nh, i, c);
		if (len == 0)
			return false;
		nh = d->p[off];
		off += len;
		if (c->later_fragment)
			break;
	}
	c->proto = nh;
	c->off = off;
	return true;
}

#endif /* HAGW_IPV6_EXT_H */
