/* Traffic selector narrowing (RFC 7296 §2.9): intersection and containment
 * of address-range selectors (§3.13.1), the responder's narrowing of TSi
 * and TSr, the §2.9.2 containment check, builders and text. Addresses are
 * compared as big-endian byte strings, ports as plain ranges. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_ts_narrow.h"

enum {
	IPV4_LEN = 4,
	IPV6_LEN = 16,
	BYTE_BITS = 8,
	ADDR_STR_LEN = INET6_ADDRSTRLEN,
	PROTO_STR_LEN = 16,
	PORTS_STR_LEN = 16,
	SET_SEP_LEN = 2,             /* ", " */
};

/* Address octets of a selector type; 0 if unknown. */
static size_t
type_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return IPV4_LEN;
	case IKE_TS_IPV6_ADDR_RANGE:
		return IPV6_LEN;
	default:
		return 0;
	}
}

static uint8_t
family_type(uint8_t family)
{
	if (family == AF_INET)
		return IKE_TS_IPV4_ADDR_RANGE;
	if (family == AF_INET6)
		return IKE_TS_IPV6_ADDR_RANGE;
	return 0;
}

static bool
ports_opaque(uint16_t start, uint16_t end)
{
	return start == IKE_TS_PORT_OPAQUE_START && end == IKE_TS_PORT_OPAQUE_END;
}

static bool
ports_any(uint16_t start, uint16_t end)
{
	return start == IKE_TS_PORT_ANY_START && end == IKE_TS_PORT_ANY_END;
}

bool
ike_ts_is_empty(const struct ike_ts *ts)
{
	size_t alen = type_len(ts->type);

	if (alen == 0 || memcmp(ts->start, ts->end, alen) > 0)
		return true;
	return ts->start_port > ts->end_port && !ports_opaque(ts->start_port, ts->end_port);
}

static int
fill(struct ike_ts *ts, uint8_t family, uint8_t ip_proto, uint16_t start_port,
     uint16_t end_port)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = family_type(family);
	if (ts->type == 0 ||
	    (start_port > end_port && !ports_opaque(start_port, end_port)))
		return -EINVAL;
	ts->ip_proto = ip_proto;
	ts->start_port = start_port;
	ts->end_port = end_port;
	return 0;
}

int
ike_ts_from_prefix(struct ike_ts *ts, uint8_t family, const uint8_t *addr,
		   uint8_t prefix_len, uint8_t ip_proto, uint16_t start_port,
		   uint16_t end_port)
{
	size_t alen;

	if (fill(ts, family, ip_proto, start_port, end_port) < 0)
		goto bad;
	alen = type_len(ts->type);
	if (prefix_len > alen * BYTE_BITS)
		goto bad;
	memcpy(ts->start, addr, alen);
	memcpy(ts->end, addr, alen);
	for (unsigned int b = prefix_len; b < alen * BYTE_BITS; b++) {
		uint8_t bit = (uint8_t)(1u << (BYTE_BITS - 1 - b % BYTE_BITS));

		ts->start[b / BYTE_BITS] &= (uint8_t)~bit;
		ts->end[b / BYTE_BITS] |= bit;
	}
	return 0;
bad:
	memset(ts, 0, sizeof(*ts));
	return -EINVAL;
}

int
ike_ts_from_range(struct ike_ts *ts, uint8_t family, const uint8_t *start,
		  const uint8_t *end, uint8_t ip_proto, uint16_t start_port,
		  uint16_t end_port)
{
	size_t alen;

	if (fill(ts, family, ip_proto, start_port, end_port) < 0)
		goto bad;
	alen = type_len(ts->type);
	if (memcmp(start, end, alen) > 0)
		goto bad;
	memcpy(ts->start, start, alen);
	memcpy(ts->end, end, alen);
	return 0;
bad:
	memset(ts, 0, sizeof(*ts));
	return -EINVAL;
}

int
ike_ts_from_addr(struct ike_ts *ts, const struct ike_addr *a, uint8_t ip_proto,
		 uint16_t start_port, uint16_t end_port)
{
	return ike_ts_from_range(ts, a->family, a->ip, a->ip, ip_proto, start_port, end_port);
}

/* Port ranges in common; OPAQUE only meets "any" or OPAQUE. */
static bool
ports_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	bool oa = ports_opaque(a->start_port, a->end_port);
	bool ob = ports_opaque(b->start_port, b->end_port);

	if (oa || ob) {
		if (!(oa || ports_any(a->start_port, a->end_port)) ||
		    !(ob || ports_any(b->start_port, b->end_port)))
			return false;
		out->start_port = IKE_TS_PORT_OPAQUE_START;
		out->end_port = IKE_TS_PORT_OPAQUE_END;
		return true;
	}
	out->start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	out->end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	return out->start_port <= out->end_port;
}

bool
ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	size_t alen = type_len(a->type);

	memset(out, 0, sizeof(*out));
	if (a->type != b->type || ike_ts_is_empty(a) || ike_ts_is_empty(b))
		return false;
	if (a->ip_proto != 0 && b->ip_proto != 0 && a->ip_proto != b->ip_proto)
		return false;
	if (!ports_intersect(a, b, out))
		goto none;
	out->type = a->type;
	out->ip_proto = a->ip_proto != 0 ? a->ip_proto : b->ip_proto;
	memcpy(out->start, memcmp(a->start, b->start, alen) > 0 ? a->start : b->start, alen);
	memcpy(out->end, memcmp(a->end, b->end, alen) < 0 ? a->end : b->end, alen);
	if (memcmp(out->start, out->end, alen) > 0)
		goto none;
	return true;
none:
	memset(out, 0, sizeof(*out));
	return false;
}

bool
ike_ts_contains(const struct ike_ts *outer, const struct ike_ts *inner)
{
	size_t alen = type_len(outer->type);
	bool oo = ports_opaque(outer->start_port, outer->end_port);
	bool io = ports_opaque(inner->start_port, inner->end_port);

	if (outer->type != inner->type || ike_ts_is_empty(outer) || ike_ts_is_empty(inner))
		return false;
	if (outer->ip_proto != 0 && outer->ip_proto != inner->ip_proto)
		return false;
	if (io) {
		if (!oo && !ports_any(outer->start_port, outer->end_port))
			return false;
	} else if (oo || outer->start_port > inner->start_port ||
		   outer->end_port < inner->end_port) {
		return false;
	}
	return memcmp(outer->start, inner->start, alen) <= 0 &&
	       memcmp(outer->end, inner->end, alen) >= 0;
}

/* Adds X to SET unless covered; X replaces the first selector it covers
 * and drops the others it covers. Silently full at IKE_TS_MAX. */
static void
add_reduced(struct ike_ts_set *set, const struct ike_ts *x)
{
	bool placed = false;
	uint8_t k = 0;

	for (unsigned int i = 0; i < set->n; i++) {
		if (ike_ts_contains(&set->ts[i], x))
			return;
	}
	for (unsigned int i = 0; i < set->n; i++) {
		if (!ike_ts_contains(x, &set->ts[i]))
			set->ts[k++] = set->ts[i];
		else if (!placed) {
			set->ts[k++] = *x;
			placed = true;
		}
	}
	set->n = k;
	if (!placed && set->n < IKE_TS_MAX)
		set->ts[set->n++] = *x;
}

int
ike_ts_narrow(const struct ike_ts_set *theirs, const struct ike_ts_set *ours,
	      struct ike_ts_set *out)
{
	unsigned int n_theirs = theirs->n < IKE_TS_MAX ? theirs->n : IKE_TS_MAX;
	unsigned int n_ours = ours->n < IKE_TS_MAX ? ours->n : IKE_TS_MAX;
	struct ike_ts x;

	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < n_theirs; i++) {
		for (unsigned int j = 0; j < n_ours; j++) {
			if (ike_ts_intersect(&theirs->ts[i], &ours->ts[j], &x))
				add_reduced(out, &x);
		}
	}
	return out->n > 0 ? 0 : -ENOENT;
}

int
ike_ts_narrow_responder(const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			const struct ike_ts_set *local, const struct ike_ts_set *remote,
			struct ike_ts_set *out_tsi, struct ike_ts_set *out_tsr)
{
	int rc_i = ike_ts_narrow(tsi, remote, out_tsi);
	int rc_r = ike_ts_narrow(tsr, local, out_tsr);

	if (rc_i < 0 || rc_r < 0) {
		memset(out_tsi, 0, sizeof(*out_tsi));
		memset(out_tsr, 0, sizeof(*out_tsr));
		return -ENOENT;
	}
	return 0;
}

bool
ike_ts_set_within(const struct ike_ts_set *sub, const struct ike_ts_set *super)
{
	if (sub->n == 0 || sub->n > IKE_TS_MAX)
		return false;
	for (unsigned int i = 0; i < sub->n; i++) {
		bool covered = false;

		for (unsigned int j = 0; j < super->n && j < IKE_TS_MAX && !covered; j++)
			covered = ike_ts_contains(&super->ts[j], &sub->ts[i]);
		if (!covered)
			return false;
	}
	return true;
}

/* ---- text ---- */

static bool
bit_set(const uint8_t *a, unsigned int b)
{
	return (a[b / BYTE_BITS] >> (BYTE_BITS - 1 - b % BYTE_BITS)) & 1;
}

/* The prefix length if START..END is exactly a prefix, else -1. */
static int
range_prefix_len(const uint8_t *start, const uint8_t *end, size_t alen)
{
	unsigned int bits = (unsigned int)(alen * BYTE_BITS), host = 0;

	while (host < bits && !bit_set(start, bits - 1 - host) && bit_set(end, bits - 1 - host))
		host++;
	for (unsigned int b = 0; b < bits - host; b++) {
		if (bit_set(start, b) != bit_set(end, b))
			return -1;
	}
	return (int)(bits - host);
}

static const char *
proto_str(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:
		return "any";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

/* "[tcp]", "[tcp/80]", "[any/53]", "[udp/1000-2000]", "[udp/opaque]" or "". */
static void
ports_str(const struct ike_ts *ts, char *buf, size_t len)
{
	char pn[PROTO_STR_LEN], ports[PORTS_STR_LEN];
	const char *proto = proto_str(ts->ip_proto, pn, sizeof(pn));

	if (ports_any(ts->start_port, ts->end_port)) {
		if (ts->ip_proto == 0)
			buf[0] = '\0';
		else
			snprintf(buf, len, "[%s]", proto);
		return;
	}
	if (ports_opaque(ts->start_port, ts->end_port))
		snprintf(ports, sizeof(ports), "opaque");
	else if (ts->start_port == ts->end_port)
		snprintf(ports, sizeof(ports), "%u", ts->start_port);
	else
		snprintf(ports, sizeof(ports), "%u-%u", ts->start_port, ts->end_port);
	snprintf(buf, len, "[%s/%s]", proto, ports);
}

int
ike_ts_to_string(const struct ike_ts *ts, char *buf, size_t len)
{
	char lo[ADDR_STR_LEN], hi[ADDR_STR_LEN], ports[PROTO_STR_LEN + PORTS_STR_LEN + 4];
	size_t alen = type_len(ts->type);
	int af = alen == IPV4_LEN ? AF_INET : AF_INET6;
	int plen, n;

	if (len > 0)
		buf[0] = '\0';
	if (alen == 0)
		return -EINVAL;
	if (inet_ntop(af, ts->start, lo, sizeof(lo)) == NULL ||
	    inet_ntop(af, ts->end, hi, sizeof(hi)) == NULL)
		return -EINVAL;
	ports_str(ts, ports, sizeof(ports));
	plen = range_prefix_len(ts->start, ts->end, alen);
	if (plen >= 0)
		n = snprintf(buf, len, "%s/%d%s", lo, plen, ports);
	else
		n = snprintf(buf, len, "%s..%s%s", lo, hi, ports);
	return n >= 0 && (size_t)n < len ? 0 : -ENOSPC;
}

int
ike_ts_set_to_string(const struct ike_ts_set *set, char *buf, size_t len)
{
	char one[IKE_TS_STR_LEN];
	size_t off = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (unsigned int i = 0; i < set->n && i < IKE_TS_MAX; i++) {
		size_t n;

		if (ike_ts_to_string(&set->ts[i], one, sizeof(one)) < 0)
			snprintf(one, sizeof(one), "type%u", set->ts[i].type);
		n = strlen(one) + (i > 0 ? SET_SEP_LEN : 0);
		if (off + n >= len)
			return -ENOSPC;
		snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "", one);
		off += n;
	}
	return 0;
}
