/*
 * Pieces the two ESP transforms (esp_outbound.c, esp_inbound.c) share,
 * one file each: the checked view of an IP header (esp_iph.h, .c), ECN and
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
#include "dataplane/esp_iph.h"
#include "dataplane/sa.h"

/* Sets the datagram length and the protocol / next header of the header
 * at ip described by v (IPv4: checksum recomputed; esp_iph.c). */
void dp_esp_ip_set(uint8_t *ip, const struct dp_esp_ip *v, uint16_t len, uint8_t proto);

/* RFC 6040 §4.2: combines the outer ECN field into the inner header at
 * inner (IPv4 checksum updated). -EBADMSG: outer CE on a Not-ECT inner. */
int dp_esp_ecn_decap(uint8_t outer_tos, uint8_t *inner, const struct dp_esp_ip *v);

/* What became of one outbound packet (dp_esp_out_packet). */
enum dp_esp_out_verdict {
	DP_ESP_OUT_OK,		/* encapsulated: esp, payload_len, in_len, udp6 */
	DP_ESP_OUT_DROP,	/* to drop for why / sa_why; m untouched */
	DP_ESP_OUT_TOO_BIG,	/* to punt DP_PUNT_TOO_BIG with meta->mtu = fit; untouched */
};

struct dp_esp_out_res {
	uint8_t *esp;		/* the ESP header; IV and ICV left to the crypto */
	uint32_t payload_len;	/* what is encrypted */
	uint16_t in_len;	/* the original IP packet's length (lifetimes) */
	bool udp6;		/* IPv6 outer with UDP: checksum once encrypted */
	uint16_t fit;		/* largest original IP packet that fits the MTU */
	enum dp_drop_reason why;
	enum dp_sa_drop sa_why;
};

/* One outbound packet (esp_encap.c): checks that the IP packet at l3_off
 * can be protected with sa (laid out with path, the SA's path the caller
 * loaded once for this packet), fits mtu (0: no check) and the mbuf,
 * before it is touched; then encapsulates it in place with sequence
 * number seq and outer IPv4 ID ip_id. */
enum dp_esp_out_verdict dp_esp_out_packet(const struct dp_sa *sa, const struct dp_sa_path *path,
					  struct rte_mbuf *m, uint16_t l3_off, uint16_t mtu,
					  uint64_t seq, uint16_t ip_id, struct dp_esp_out_res *r);
enum {
	DP_ESP_T4_HDR_LEN = DP_ESP_IPV4_HDR_LEN + DP_ESP_HDR_LEN,	/* outer IPv4 + ESP */
	DP_ESP_T4_BLOCK = 4,		/* AEAD: the payload ends 4-aligned (RFC 4303 §2.4) */
};

/* The common case: tunnel mode, outer IPv4 without options or UDP
 * encapsulation, an AEAD transform (4-byte alignment, 8-byte IV). */
static inline bool
dp_esp_out_t4(const struct dp_sa *sa, const struct dp_sa_path *path)
{
	return sa->p.mode == DP_SA_TUNNEL && path->ip_len == DP_ESP_IPV4_HDR_LEN &&
	       !path->udp_encap && path->hdr_len == DP_ESP_T4_HDR_LEN &&
	       sa->key.iv_len == DP_ESP_AEAD_IV_LEN && sa->key.block == DP_ESP_T4_BLOCK;
}
/* dp_esp_out_packet, compiled for the case dp_esp_out_t4() says holds:
 * the same bytes, with fewer tests. */
enum dp_esp_out_verdict dp_esp_out_packet_t4(const struct dp_sa *sa,
					     const struct dp_sa_path *path, struct rte_mbuf *m,
					     uint16_t l3_off, uint16_t mtu, uint64_t seq,
					     uint16_t ip_id, struct dp_esp_out_res *r);
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
uint16_t dp_esp_group_find(struct dp_esp_groups *gs, struct dp_sa *sa);

/* dp_esp_group_find, first trying the group of the previous packet. */
static inline uint16_t
dp_esp_group_of(struct dp_esp_groups *gs, struct dp_sa *sa)
{
	if (likely(gs->n != 0 && gs->g[gs->last].sa == sa))
		return gs->last;
	return dp_esp_group_find(gs, sa);
}
/* dp_sa_account() once per SA with packets, SA events for new flags. */
void dp_esp_groups_account(struct dp_worker *w, const struct dp_esp_groups *gs);
/* Sends one struct dp_sa_event per flag set in flags. */
void dp_esp_sa_event(struct dp_worker *w, const struct dp_sa *sa, uint32_t flags);
/* Drops m: port counter why, per-SA counter sa_why. */
void dp_esp_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, struct dp_sa *sa,
		 enum dp_drop_reason why, enum dp_sa_drop sa_why);
/* Drops m for an SA that is not usable: inactive (DP_SA_F_ACTIVE clear: an
 * HA standby copy) or else hard-expired / out of sequence numbers. */
void dp_esp_drop_unusable(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
			  struct dp_sa *sa);

#endif
