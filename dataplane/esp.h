/*
 * The ESP transforms of the workers (RFC 4303 §3, RFC 4301 §5.1.2 and §8.1,
 * RFC 3948, RFC 6040): burst encapsulation with an outbound SA and burst
 * decapsulation with an inbound SA, on single-segment mbufs, in place.
 */
#ifndef HAGW_ESP_H
#define HAGW_ESP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/sa.h"

/* Outbound: pkts[i] is an Ethernet frame whose IP packet (at dp_meta(m)->l3_off, TTL already
 * decremented) is to be protected with sas[i] (outbound, active). dp_meta(m)->mtu is the egress
 * MTU of the outer packet (0: no check). Encapsulates in place (tunnel: new outer IP [+UDP] + ESP;
 * transport: ESP inserted after the IP header), reserves sequence numbers (one atomic add per SA
 * per burst), encrypts in one crypto burst, does lifetime accounting and SA events. Result: the
 * outer IP packet at l3_off (Ethernet header space in front, to be filled by the caller after
 * routing). Returns k: the good packets moved to pkts[0..k-1] in order; every other packet was
 * dropped (dp_worker_drop + per-SA drop) or punted (DP_PUNT_TOO_BIG, meta->mtu = inner MTU that
 * fits) — never leaked. */
uint16_t dp_esp_outbound(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
			 struct dp_sa **sas, uint16_t n);

/* The lane of the common case, a burst of one SA: dp_esp_lane_fits() says
 * whether sa's packets laid out with path (the SA path the caller routed
 * them by, dp_sa_path_get() once for all) can take it: tunnel mode, outer
 * IPv4 without UDP, AES-GCM through IPsec-MB's direct API. Then
 * dp_esp_outbound_lane() is dp_esp_outbound() for pkts[0..n) (n <=
 * DP_ESP_MAX_BURST) all with sa, without its per-packet SA tests: the same
 * bytes, counters and events; each encapsulated frame also gets the
 * Ethernet header eth unless it is NULL. */
bool dp_esp_lane_fits(const struct dp_sa *sa, const struct dp_sa_path *path);
uint16_t dp_esp_outbound_lane(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
			      struct dp_sa *sa, const struct dp_sa_path *path,
			      const struct rte_ether_hdr *eth, uint16_t n);

/* Inbound: pkts[i] is an IP packet to us (at l3_off) with ESP at dp_meta(m)->esp_off (after the
 * UDP header for NAT-T), sas[i] the inbound SA owned by this worker. Replay check, decrypt burst,
 * replay update, trailer checks, decapsulation (tunnel: inner packet moved to l3_off; transport:
 * IP header rebuilt with the next header), ECN (RFC 6040), selector check. Returns k good packets
 * at the front (inner IP at l3_off, ready for forwarding or the local punt path); the rest dropped
 * and counted (port drop esp_* and per-SA drop). */
uint16_t dp_esp_inbound(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
			struct dp_sa **sas, uint16_t n);

#endif
