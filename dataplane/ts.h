/*
 * Traffic selectors (RFC 4301 §4.4.1.1, RFC 7296 §3.13.1): validity and
 * containment tests for struct dp_ts ranges, shared by the SPD (policy
 * checks) and the SA selector check after decapsulation (RFC 4301 §5.2).
 *
 * Conventions. Addresses compare as big-endian byte strings (4 bytes for
 * IPv4, 16 for IPv6); ranges are inclusive. A selector pair is written
 * from our side: LOCAL is the protected side, REMOTE the peer's side, so
 * outbound traffic goes local -> remote and inbound remote -> local, and
 * the ports follow the addresses. ICMP and ICMPv6 are the exception: the
 * local port range holds the message type and the remote port range the
 * code, in both directions (the flow carries type in sport and code in
 * dport), so a pair can say "single type, range of codes", "single type,
 * any code" and "any" as RFC 4301 §4.4.1.1 requires. Protocol 0 is any.
 * A flow with opaque ports (non-first fragment) is only inside selectors
 * whose port ranges are both full (RFC 4301 §4.4.1, §7).
 */
#ifndef HAGW_TS_H
#define HAGW_TS_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/spd.h"

enum {
	DP_TS_PORT_MIN = 0,
	DP_TS_PORT_MAX = UINT16_MAX,
};

/* Address length of FAMILY in bytes (4 or 16), 0 if unknown. */
unsigned int dp_ts_addr_len(uint8_t family);

/* Family known, lo <= hi for addresses and ports. */
bool dp_ts_valid(const struct dp_ts *ts);

/* ADDR (network order, dp_ts_addr_len(ts->family) bytes) inside the range. */
bool dp_ts_addr_in(const struct dp_ts *ts, const uint8_t *addr);

/* Port range 0..65535. */
bool dp_ts_ports_any(const struct dp_ts *ts);

/* Whether flow F lies inside the pair (LOCAL, REMOTE) in the direction
 * given: OUTBOUND src in local and dst in remote, else src in remote and
 * dst in local. */
bool dp_ts_contains(const struct dp_ts *local, const struct dp_ts *remote,
		    const struct dp_flow *f, bool outbound);

#endif
