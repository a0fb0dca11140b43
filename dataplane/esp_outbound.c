/*
 * Outbound ESP on a burst (RFC 4303 §3.1-3.3, RFC 4301 §5.1 and §8.1,
 * RFC 3948 §2), in three passes:
 *   1. count: the packets of each usable SA, and one dp_sa_seq_reserve()
 *      per SA for all of them (one atomic add);
 *   2. per packet, in one go: SA usable, packet laid out, MTU decided
 *      (before the packet is touched, so a punted packet is the original
 *      for the ICMP error), room checked; then the next of the SA's
 *      sequence numbers, encapsulation and the crypto op;
 *   3. one crypto burst (AES-GCM too: by then the stores that built the
 *      packets have reached the cache; encrypting a packet just built
 *      stalls on them, as the library's wide loads of the trailer and the
 *      ESP header cannot be forwarded from those smaller stores); UDP
 *      checksum of IPv6 outer headers, lifetime accounting and SA events
 *      once per SA.
 * Sequence numbers go to the packets that are sent, in burst order; those
 * reserved for a packet that pass 2 then drops (malformed, too big) stay
 * unused, a gap the peer's window absorbs like a lost packet.
 * The SA's outer path (sa.h) is loaded once per packet in pass 2 and kept
 * in the packet's plan until its last use, so a concurrent dp_sa_update
 * never splits a packet between two paths.
 * Packets too big for dp_meta(m)->mtu: inner IPv6, or inner IPv4 whose DF
 * (after the SA's DF policy) is set, are punted DP_PUNT_TOO_BIG with
 * meta->mtu = the largest original packet that fits; DF clear would need
 * fragmentation of the outer packet, which is not implemented: dropped
 * (mtu_exceeded, per-SA mtu).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "dataplane/esp.h"
#include "dataplane/esp_priv.h"

enum {
	PREFETCH_AHEAD = 2,
	SEQ_HI_SHIFT = 32,		/* ESN: high half of the sequence number */
	IP_ID_WORKER_SHIFT = 11,	/* spreads the workers' IPv4 ID counters apart */
};

/* A packet encapsulated in pass 2; its crypto op is ops[] at the same
 * index. */
struct out_pkt {
	struct rte_mbuf *m;
	uint8_t grp;		/* its SA's group */
	bool udp6;		/* IPv6 outer with UDP: checksum to fill */
	uint16_t bytes;		/* inner packet bytes (lifetimes) */
};

/* One burst of at most DP_ESP_MAX_BURST packets; their ops wait in ops[]
 * for one crypto burst. */
struct out_burst {
	struct out_pkt pk[DP_ESP_MAX_BURST];
	struct dp_esp_op ops[DP_ESP_MAX_BURST];
	uint8_t grp[DP_ESP_MAX_BURST];		/* pass 1: group of each packet */
	struct dp_esp_groups gs;
	uint16_t n_pk;
	uint16_t id_base;			/* IPv4 ID: this worker's range */
	bool direct;				/* every SA's key: dp_esp_key_direct() */
};

static bool
sa_usable(const struct dp_sa *sa)
{
	/* Acquire: an SA just activated (sa_ha.c) is seen with its takeover
	 * epoch and counter. A plain load on x86. */
	uint32_t f = __atomic_load_n(&sa->flags, __ATOMIC_ACQUIRE);

	return (f & DP_SA_F_ACTIVE) != 0 && (f & DP_SA_F_HARD_EXPIRED) == 0;
}

/* One atomic add per SA for the burst (sa.h); an SA that runs out of
 * sequence numbers is hard-expired by dp_sa_seq_reserve(): tell the
 * control core if this reservation did it. */
static void
reserve(struct dp_worker *w, struct dp_esp_groups *gs)
{
	for (uint16_t i = 0; i < gs->n; i++) {
		struct dp_esp_group *g = &gs->g[i];
		uint32_t before = __atomic_load_n(&g->sa->flags, __ATOMIC_RELAXED);

		g->seq = dp_sa_seq_reserve(g->sa, g->want);
		if (unlikely(g->seq == 0) && (before & DP_SA_F_HARD_EXPIRED) == 0 &&
		    (__atomic_load_n(&g->sa->flags, __ATOMIC_RELAXED) & DP_SA_F_HARD_EXPIRED))
			dp_esp_sa_event(w, g->sa, DP_SA_F_HARD_EXPIRED);
	}
}

static void
fill_op(struct dp_esp_op *op, const struct dp_sa *sa, uint8_t *esp, uint32_t payload_len,
	uint64_t seq)
{
	op->key = &sa->key;
	op->esp = esp;
	op->payload_len = payload_len;
	op->seq_hi = (uint32_t)(seq >> SEQ_HI_SHIFT);
	op->esn = sa->p.esn;
	op->iv_nonce = dp_sa_iv_nonce(sa, seq);
	op->status = 0;
}

/* Pass 1: groups, the numbers each usable SA needs, reserved. */
static void
count(struct dp_worker *w, struct dp_sa **sas, uint16_t n, struct out_burst *b)
{
	dp_esp_groups_init(&b->gs);
	for (uint16_t i = 0; i < n; i++) {
		b->grp[i] = (uint8_t)dp_esp_group_of(&b->gs, sas[i]);
		b->gs.g[b->grp[i]].want += sa_usable(sas[i]);
	}
	reserve(w, &b->gs);
	b->n_pk = 0;
	b->direct = true;
	for (uint16_t i = 0; i < b->gs.n; i++)
		b->direct = b->direct && dp_esp_key_direct(&b->gs.g[i].sa->key);
}

/* A packet dp_esp_out_packet*() did not encapsulate: punted (too big) or
 * dropped, as v says. */
static void
not_encapsulated(struct dp_worker *w, uint8_t in_port, struct rte_mbuf *m, struct dp_sa *sa,
		 enum dp_esp_out_verdict v, const struct dp_esp_out_res *r)
{
	if (v == DP_ESP_OUT_TOO_BIG) {
		dp_meta(m)->mtu = r->fit;
		return dp_worker_punt(w, m, in_port, DP_PUNT_TOO_BIG);
	}
	dp_esp_drop(w, m, in_port, sa, r->why, r->sa_why);
}

/* Pass 2 for one packet: checks, then (a sequence number left) laid out
 * and its crypto op queued. */
static void
encapsulate(struct dp_worker *w, uint8_t in_port, struct rte_mbuf *m, struct dp_sa *sa,
	    uint8_t idx, struct out_burst *b)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	uint8_t grp = b->grp[idx];
	struct dp_esp_group *g = &b->gs.g[grp];
	struct out_pkt *pk = &b->pk[b->n_pk];
	const struct dp_sa_path *path;
	enum dp_esp_out_verdict v;
	struct dp_esp_out_res r;
	uint16_t ip_id;

	if (unlikely(!sa_usable(sa) || g->seq == 0))
		return dp_esp_drop_unusable(w, m, in_port, sa);
	path = dp_sa_path_get(sa);
	ip_id = (uint16_t)(b->id_base + w->ip_id);
	if (likely(dp_esp_out_t4(sa, path)))
		v = dp_esp_out_packet_t4(sa, path, m, meta->l3_off, meta->mtu, g->seq, ip_id, &r);
	else
		v = dp_esp_out_packet(sa, path, m, meta->l3_off, meta->mtu, g->seq, ip_id, &r);
	if (unlikely(v != DP_ESP_OUT_OK))
		return not_encapsulated(w, in_port, m, sa, v, &r);
	w->ip_id++;
	fill_op(&b->ops[b->n_pk], sa, r.esp, r.payload_len, g->seq++);
	pk->m = m;
	pk->grp = grp;
	pk->udp6 = r.udp6;
	pk->bytes = r.in_len;
	b->n_pk++;
}

/* Pass 3: the queued crypto burst, IPv6 UDP checksums, accounting. The good
 * packets move to the front of pkts, in order (k never passes the index
 * read next). */
static uint16_t
finish(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, struct out_burst *b)
{
	uint16_t k = 0;

	if (b->direct) {
		/* What the burst function would do with each of these ops, less
		 * its checks: ops built here are valid. */
		for (uint16_t j = 0; j < b->n_pk; j++)
			dp_esp_encrypt_direct(w->mgr, &b->ops[j]);
	} else if (b->n_pk != 0) {
		dp_esp_encrypt_burst(w->mgr, b->ops, b->n_pk);
	}
	for (uint16_t j = 0; j < b->n_pk; j++) {
		const struct out_pkt *pk = &b->pk[j];
		struct dp_esp_group *g = &b->gs.g[pk->grp];
		struct rte_mbuf *m = pk->m;

		if (unlikely(b->ops[j].status != 0)) {
			dp_esp_drop(w, m, in_port, g->sa, DP_DROP_ESP_MALFORMED,
				    DP_SA_DROP_MALFORMED);
			continue;
		}
		if (unlikely(pk->udp6))
			dp_esp_out_udp6_csum(m, dp_meta(m)->l3_off);
		g->pkts++;
		g->bytes += pk->bytes;
		pkts[k++] = m;
	}
	dp_esp_groups_account(w, &b->gs);
	return k;
}

/* A packet a few places ahead: its headers, and the line in front of them
 * that the outer headers will be written to (headroom nothing else
 * touched since the mbuf's last use). */
static void
prefetch(const struct rte_mbuf *m)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);

	rte_prefetch0(data);
	rte_prefetch0(data - RTE_CACHE_LINE_SIZE);
}

/* IPv4 identification of the outer headers: the worker's own counter
 * (w->ip_id; the control core's ctl_worker has its own although it may
 * share worker 0's lcore), offset by the worker index. IDs matter only if
 * the outer packet is fragmented on its way (DF clear); RFC 6864 §4.1
 * asks for no more than this. */
static uint16_t
outbound_burst(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	       struct dp_sa **sas, uint16_t n)
{
	struct out_burst b;

	b.id_base = (uint16_t)(w->index << IP_ID_WORKER_SHIFT);
	count(w, sas, n, &b);
	for (uint16_t i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			prefetch(pkts[i + PREFETCH_AHEAD]);
		encapsulate(w, in_port, pkts[i], sas[i], (uint8_t)i, &b);
	}
	return finish(w, in_port, pkts, &b);
}

bool
dp_esp_lane_fits(const struct dp_sa *sa, const struct dp_sa_path *path)
{
	return dp_esp_out_t4(sa, path) && dp_esp_key_direct(&sa->key);
}

/* The lane: pass 1 is one reservation, pass 2 lays every packet out with
 * the one path (and its Ethernet header), pass 3 calls the direct API;
 * counted as one group. Flattened: the layout and the crypto call are
 * inlined (with link-time optimisation across files too), which saves
 * their calls' ~35 instructions per packet. What stays the same for the
 * burst (the SA's key, ESN, IV epoch; the next sequence number and IPv4
 * ID) lives in locals: the packet stores through byte pointers may alias
 * anything in memory, so fields read in the loop would be read again for
 * every packet. The epoch is read once, after the reservation, like the
 * general path's reads per packet (an active SA's epoch does not change:
 * sa.h). */
__attribute__((flatten)) uint16_t
dp_esp_outbound_lane(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
		     struct dp_sa *sa, const struct dp_sa_path *path,
		     const struct rte_ether_hdr *eth, uint16_t n)
{
	uint8_t *esp[DP_ESP_MAX_BURST];		/* the k-th sent packet's ESP header */
	uint32_t payload_len[DP_ESP_MAX_BURST];	/* and what it encrypts */
	struct dp_esp_groups gs;
	struct dp_esp_group *g;
	const uint16_t id_base = (uint16_t)(w->index << IP_ID_WORKER_SHIFT);
	const struct dp_esp_key *key = &sa->key;
	const bool esn = sa->p.esn;
	uint16_t ip_id = w->ip_id;
	uint64_t seq0, iv_base, bytes = 0;
	uint16_t k = 0;

	RTE_ASSERT(n <= DP_ESP_MAX_BURST);
	dp_esp_groups_init(&gs);
	g = &gs.g[dp_esp_group_find(&gs, sa)];
	g->want = sa_usable(sa) ? n : 0;
	reserve(w, &gs);
	seq0 = g->seq;	/* the k-th packet sent gets seq0 + k */
	if (unlikely(g->want == 0 || seq0 == 0)) {
		for (uint16_t i = 0; i < n; i++)
			dp_esp_drop_unusable(w, pkts[i], in_port, sa);
		dp_esp_groups_account(w, &gs);
		return 0;
	}
	iv_base = dp_sa_iv_nonce(sa, 0);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct dp_mbuf_meta *meta = dp_meta(m);
		enum dp_esp_out_verdict v;
		struct dp_esp_out_res r;

		if (i + PREFETCH_AHEAD < n)
			prefetch(pkts[i + PREFETCH_AHEAD]);
		v = dp_esp_out_packet_t4(sa, path, m, meta->l3_off, meta->mtu, seq0 + k,
					 (uint16_t)(id_base + ip_id), &r);
		if (unlikely(v != DP_ESP_OUT_OK)) {
			not_encapsulated(w, in_port, m, sa, v, &r);
			continue;
		}
		if (eth != NULL)	/* the outer headers' line, still in cache */
			rte_memcpy(rte_pktmbuf_mtod(m, void *), eth, sizeof(*eth));
		ip_id++;
		bytes += r.in_len;
		esp[k] = r.esp;
		payload_len[k] = r.payload_len;
		pkts[k++] = m;
	}
	w->ip_id = ip_id;
	for (uint16_t j = 0; j < k; j++) {
		struct dp_esp_op op = {
			.key = key,
			.esp = esp[j],
			.payload_len = payload_len[j],
			.seq_hi = (uint32_t)((seq0 + j) >> SEQ_HI_SHIFT),
			.esn = esn,
			.iv_nonce = dp_sa_iv_nonce_of(iv_base, seq0 + j),
		};

		dp_esp_encrypt_direct(w->mgr, &op);	/* a valid op: status 0 */
	}
	g->pkts = k;
	g->bytes = bytes;
	dp_esp_groups_account(w, &gs);
	return k;
}

uint16_t
dp_esp_outbound(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
		struct dp_sa **sas, uint16_t n)
{
	uint16_t done = 0;

	for (uint16_t off = 0; off < n; off += DP_ESP_MAX_BURST) {
		uint16_t cnt = RTE_MIN((uint16_t)(n - off), (uint16_t)DP_ESP_MAX_BURST);
		uint16_t k = outbound_burst(w, in_port, pkts + off, sas + off, cnt);

		if (done != off)
			memmove(pkts + done, pkts + off, k * sizeof(*pkts));
		done += k;
	}
	return done;
}
