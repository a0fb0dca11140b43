/* Traffic selector narrowing (RFC 7296 §2.9, §3.13.1): intersections of the
 * peer's selectors with ours, containment for the initiator's check and for
 * rekeying (§2.9.2), builders of selectors from configured prefixes, ranges
 * and addresses (a "dynamic" selector is built by the caller from the
 * peer's virtual IP or outer address), and their text for show commands.
 *
 * Ports are compared as plain ranges, so the ICMP type/code encoding of
 * RFC 4301 §4.4.1.3 passes through. OPAQUE ports (start 65535, end 0,
 * §3.13.1) are covered by "any" ports (0-65535) and by OPAQUE only.
 */
#ifndef IKE_TS_NARROW_H
#define IKE_TS_NARROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_types.h"

enum ike_ts_limits {
	IKE_TS_PORT_ANY_START = 0,       /* RFC 7296 §3.13.1: all ports */
	IKE_TS_PORT_ANY_END = 65535,
	IKE_TS_PORT_OPAQUE_START = 65535,  /* RFC 7296 §3.13.1: OPAQUE */
	IKE_TS_PORT_OPAQUE_END = 0,
	IKE_TS_STR_LEN = 112,            /* longest ike_ts_to_string() text + NUL */
};

/* True if TS covers no traffic: unknown type, start address above end
 * address, or start port above end port other than OPAQUE. */
bool ike_ts_is_empty(const struct ike_ts *ts);

/* ADDR/PREFIX_LEN (host bits cleared) of FAMILY (AF_INET or AF_INET6) with
 * IP_PROTO (0: any) and a port range (START > END only as OPAQUE).
 * 0 or -EINVAL. */
int ike_ts_from_prefix(struct ike_ts *ts, uint8_t family, const uint8_t *addr,
		       uint8_t prefix_len, uint8_t ip_proto, uint16_t start_port,
		       uint16_t end_port);

/* The address range START..END (START <= END), otherwise as above. */
int ike_ts_from_range(struct ike_ts *ts, uint8_t family, const uint8_t *start,
		      const uint8_t *end, uint8_t ip_proto, uint16_t start_port,
		      uint16_t end_port);

/* The single address A (/32 or /128; its port is not used), as above: a
 * "dynamic" selector once the peer's virtual IP or address is known. */
int ike_ts_from_addr(struct ike_ts *ts, const struct ike_addr *a, uint8_t ip_proto,
		     uint16_t start_port, uint16_t end_port);

/* The traffic both A and B cover, in *OUT: same type, protocols equal or
 * one 0 (any), ports and addresses overlapping. False if none. */
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out);

/* True if OUTER covers all the traffic of INNER (neither empty). */
bool ike_ts_contains(const struct ike_ts *outer, const struct ike_ts *inner);

/*
 * Narrows THEIRS (a TSi or TSr payload) to OURS: every non-empty
 * intersection of one of theirs with one of ours, theirs in their order
 * (so a selector holding their first, packet-specific, selector comes
 * first, §2.9), without duplicates nor selectors covered by another (a
 * wider one takes the place of the first it covers). Selectors of unknown
 * type or of different families never intersect. At most IKE_TS_MAX are
 * kept, the later ones dropped. 0, or -ENOENT if nothing is left
 * (TS_UNACCEPTABLE).
 */
int ike_ts_narrow(const struct ike_ts_set *theirs, const struct ike_ts_set *ours,
		  struct ike_ts_set *out);

/* Responder: TSi (the initiator's side) against our REMOTE selectors, TSr
 * against our LOCAL ones. 0, or -ENOENT if either side is left empty. */
int ike_ts_narrow_responder(const struct ike_ts_set *tsi, const struct ike_ts_set *tsr,
			    const struct ike_ts_set *local, const struct ike_ts_set *remote,
			    struct ike_ts_set *out_tsi, struct ike_ts_set *out_tsr);

/* True if SUB is non-empty and each of its selectors is covered by one of
 * SUPER: the initiator's check that the responder only narrowed, and the
 * rekey rule that the new selectors are not narrower (§2.9.2). */
bool ike_ts_set_within(const struct ike_ts_set *sub, const struct ike_ts_set *super);

/* "10.0.0.0/24", "10.0.0.1..10.0.0.9", "2001:db8::/32[tcp/80]",
 * "10.0.0.1/32[udp/1000-2000]", "0.0.0.0/0[icmp]", "10.0.0.0/8[any/53]",
 * "10.0.0.0/8[udp/opaque]". 0, -ENOSPC if truncated (still NUL-terminated)
 * or -EINVAL for an unknown type. */
int ike_ts_to_string(const struct ike_ts *ts, char *buf, size_t len);

/* The selectors of SET joined by ", " ("" when empty). 0 or -ENOSPC. */
int ike_ts_set_to_string(const struct ike_ts_set *set, char *buf, size_t len);

#endif /* IKE_TS_NARROW_H */
