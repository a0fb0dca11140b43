/* IKEv2 Traffic Selector payload body (RFC 7296 §3.13): the count, then
 * IPv4 (type 7, 16 bytes) and IPv6 (type 8, 40 bytes) address-range
 * selectors (§3.13.1) with their exact lengths. Whether start <= end and
 * what the ranges mean is left to ike_ts_narrow.c. */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

/* Fixed part of a selector, host order (§3.13.1). */
struct ts_hdr {
	uint8_t type;
	uint8_t ip_proto;
	uint16_t len;
	uint16_t start_port;
	uint16_t end_port;
};

enum { TS_FIXED_LEN = 8 };

static size_t
addr_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return IKE_IPV4_ADDR_LEN;
	case IKE_TS_IPV6_ADDR_RANGE:
		return IKE_IPV6_ADDR_LEN;
	default:
		return 0;
	}
}

static int
parse_selector(struct ike_rd *r, struct ike_ts *ts)
{
	struct ts_hdr h;
	size_t alen;

	if (!ike_rd_u8(r, &h.type) || !ike_rd_u8(r, &h.ip_proto) || !ike_rd_u16(r, &h.len) ||
	    !ike_rd_u16(r, &h.start_port) || !ike_rd_u16(r, &h.end_port))
		return -EBADMSG;
	alen = addr_len(h.type);
	if (alen == 0 || h.len != TS_FIXED_LEN + 2 * alen)
		return -EBADMSG;
	memset(ts, 0, sizeof(*ts));
	ts->type = h.type;
	ts->ip_proto = h.ip_proto;
	ts->start_port = h.start_port;
	ts->end_port = h.end_port;
	if (!ike_rd_bytes(r, ts->start, alen) || !ike_rd_bytes(r, ts->end, alen))
		return -EBADMSG;
	return 0;
}

int
ike_pl_parse_ts(const uint8_t *p, size_t len, struct ike_ts_set *set)
{
	struct ike_rd r;
	uint8_t count, reserved[IKE_TS_HDR_LEN - 1];
	int rc;

	memset(set, 0, sizeof(*set));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &count) || !ike_rd_bytes(&r, reserved, sizeof(reserved)))
		return -EBADMSG;
	if (count > IKE_TS_MAX)
		return -E2BIG;
	for (uint8_t i = 0; i < count; i++) {
		rc = parse_selector(&r, &set->ts[i]);
		if (rc < 0)
			return rc;
	}
	if (ike_rd_left(&r) != 0)
		return -EBADMSG;                /* more bytes than selectors */
	set->n = count;
	return 0;
}
