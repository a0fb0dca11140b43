/*
 * Pieces the two ESP transforms (esp_outbound.c, esp_inbound.c) share,
 * one file each: the checked view of an IP header (esp_iph.c), ECN and
 * DSCP rules (esp_ecn.c, RFC 6040, RFC 4301 §5.1.2.1), the outbound layout
 * (esp_encap.c, RFC 4303 §2-3, RFC 3948), the inbound trailer checks and
 * decapsulation (esp_decap.c), and per-SA counting with lifetime events
 * (esp_account.c). Internal to the ESP transforms.
 */
#ifndef HAGW_ESP_PRIV_H
#define HAGW_ESP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/esp_hdr.h"
#include "dataplane/sa.h"

/* An IP header checked against the bytes that hold it (esp_iph.c). */
struct dp_esp_ip {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPv4 protocol / next header of the IPv6 fixed header */
	uint8_t tos;		/* TOS / traffic class: DSCP and ECN */
	bool df;		/* IPv4 DF; IPv6: true (RFC 8200 §5: routers never fragment) */
	bool fragment;		/* IPv4 MF or offset; IPv6 fragment header first */
	uint16_t hdr_len;	/* IPv4 IHL x 4, IPv6 40 (fixed header) */
	uint16_t len;		/* datagram length from the header */
};

/* Fills v from the header at ip if it is a consistent IPv4 or IPv6 header
 * whose datagram (v->len) lies within the avail bytes. */
bool dp_esp_ip_parse(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v);
/* Sets the datagram length and the protocol / next header of the header
 * at ip described by v (IPv4: checksum recomputed). */
void dp_esp_ip_set(uint8_t *ip, const struct dp_esp_ip *v, uint16_t len, uint8_t proto);
/* Writes a fresh outer header (src = path local, dst = path remote). */
void dp_esp_ip_outer(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t proto,
		     uint8_t tos, bool df, uint16_t id);

/* Outer TOS / traffic class for an inner one: DSCP copied or the path's,
 * ECN copied (RFC 6040 §4.1 normal mode). */
uint8_t dp_esp_ecn_encap(const struct dp_sa_path *path, uint8_t inner_tos);
/* RFC 6040 §4.2: combines the outer ECN field into the inner header at
 * inner (IPv4 checksum updated). -EBADMSG: outer CE on a Not-ECT inner. */
int dp_esp_ecn_decap(uint8_t outer_tos, uint8_t *inner, const struct dp_esp_ip *v);

/* How an outbound packet is laid out (esp_encap.c). */
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
	bool df;		/* DF that governs the MTU decision (after the SA's policy) */
};

/* Checks that the IP packet at l3_off can be protected with sa, and lays
 * it out with the SA's current path (p->path: every later stage of the
 * packet uses that one). 0, or -1 with the port drop reason in *why.
 * Reads only. */
int dp_esp_out_plan(const struct dp_sa *sa, const struct rte_mbuf *m, uint16_t l3_off,
		    struct dp_esp_out_plan *p, enum dp_drop_reason *why);
/* The largest original IP packet whose encapsulation fits in mtu (0: none). */
uint32_t dp_esp_out_fit(const struct dp_sa *sa, const struct dp_esp_out_plan *p, uint16_t mtu);
/* Builds the ESP packet in place as p (with p->path) says (checked by
 * dp_esp_out_plan: cannot fail); returns the ESP header. IV and ICV are
 * left to the crypto. */
uint8_t *dp_esp_out_encap(const struct dp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
			  const struct dp_esp_out_plan *p, uint64_t seq, uint16_t ip_id);
/* RFC 3948 §2.1 with RFC 8200 §8.1: the UDP checksum of an IPv6 outer
 * header, once the ciphertext is final. */
void dp_esp_out_udp6_csum(struct rte_mbuf *m, uint16_t l3_off);

/* An inbound ESP packet whose lengths were checked (esp_decap.c). */
struct dp_esp_in_pkt {
	struct dp_esp_ip outer;
	uint16_t l3_off;
	uint16_t esp_off;	/* ESP header in the frame */
	uint32_t payload_len;	/* the encrypted part, a multiple of the block */
	uint32_t seq_lo;	/* from the header, host order */
};

/* RFC 4303 §3.4.1-3.4.2 lengths before anything else: 0 or -EBADMSG.
 * Trims L2 padding behind the IP packet. */
int dp_esp_in_check(const struct dp_sa *sa, struct rte_mbuf *m, struct dp_esp_in_pkt *p);
/* After the ICV verified: trailer, inner header, ECN, and the inner IP
 * packet moved to l3_off. 0, or -EBADMSG (malformed: m unchanged in size). */
int dp_esp_in_decap(const struct dp_sa *sa, struct rte_mbuf *m, const struct dp_esp_in_pkt *p);

/* The SAs of one burst, with what each did (esp_account.c). */
struct dp_esp_group {
	struct dp_sa *sa;
	uint32_t want;		/* outbound: sequence numbers to reserve */
	uint64_t seq;		/* outbound: next sequence number to hand out, 0: none */
	uint32_t pkts;		/* processed successfully */
	uint64_t bytes;		/* their inner packet bytes */
};

struct dp_esp_groups {
	uint16_t n;
	uint16_t last;		/* group of the previous lookup: bursts come in runs */
	struct dp_esp_group g[DP_ESP_MAX_BURST];
};

void dp_esp_groups_init(struct dp_esp_groups *gs);
/* Index of sa's group, added if new (at most DP_ESP_MAX_BURST SAs). */
uint16_t dp_esp_group_of(struct dp_esp_groups *gs, struct dp_sa *sa);
/* dp_sa_account() once per SA with packets, SA events for new flags. */
void dp_esp_groups_account(struct dp_worker *w, const struct dp_esp_groups *gs);
/* Sends one struct dp_sa_event per flag set in flags. */
void dp_esp_sa_event(struct dp_worker *w, const struct dp_sa *sa, uint32_t flags);
/* Drops m: port counter why, per-SA counter sa_why. */
void dp_esp_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, struct dp_sa *sa,
		 enum dp_drop_reason why, enum dp_sa_drop sa_why);

#endif
