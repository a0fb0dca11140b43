/*
 * Outbound ESP on a burst (RFC 4303 §3.1-3.3, RFC 4301 §5.1 and §8.1,
 * RFC 3948 §2): stages as separate loops, like DPDK lib/ipsec:
 *   1. prepare: SA usable, packet laid out, MTU decided (before the
 *      packet is touched, so a punted packet is the original for the ICMP
 *      error), room checked; packets grouped by SA;
 *   2. reserve: one dp_sa_seq_reserve() per SA for all of its packets in
 *      the burst, numbers handed out in burst order; encapsulate;
 *   3. one crypto burst;
 *   4. finish: UDP checksum of IPv6 outer headers, lifetime accounting
 *      and SA events once per SA.
 * The SA's outer path (sa.h) is loaded once per packet in stage 1 and
 * kept in the packet's plan for the later stages, so a concurrent
 * dp_sa_update never splits a packet between two paths.
 * Packets too big for dp_meta(m)->mtu: inner IPv6, or inner IPv4 whose DF
 * (after the SA's DF policy) is set, are punted DP_PUNT_TOO_BIG with
 * meta->mtu = the largest original packet that fits; DF clear would need
 * fragmentation of the outer packet, which is not implemented: dropped
 * (mtu_exceeded, per-SA mtu).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_prefetch.h>

#include "dataplane/esp.h"
#include "dataplane/esp_priv.h"

enum {
	PREFETCH_AHEAD = 2,
	SEQ_HI_SHIFT = 32,		/* ESN: high half of the sequence number */
	IP_ID_WORKER_SHIFT = 11,	/* spreads the workers' IPv4 ID counters apart */
};

struct out_burst {
	struct rte_mbuf *m[DP_ESP_MAX_BURST];
	struct dp_sa *sa[DP_ESP_MAX_BURST];
	uint16_t grp[DP_ESP_MAX_BURST];
	struct dp_esp_out_plan plan[DP_ESP_MAX_BURST];
	struct dp_esp_op ops[DP_ESP_MAX_BURST];
	struct dp_esp_groups gs;
	uint16_t n;
};

static bool
sa_usable(const struct dp_sa *sa)
{
	uint32_t f = __atomic_load_n(&sa->flags, __ATOMIC_RELAXED);

	return (f & DP_SA_F_ACTIVE) != 0 && (f & DP_SA_F_HARD_EXPIRED) == 0;
}

static bool
room_ok(const struct rte_mbuf *m, const struct dp_esp_out_plan *p)
{
	return rte_pktmbuf_headroom(m) >= p->front &&
	       (uint32_t)rte_pktmbuf_tailroom(m) + p->excess >= p->tail &&
	       p->outer_len <= DP_ESP_L3_MAX;
}

/* MTU decision; true if m was consumed (punted or dropped). */
static bool
too_big(struct dp_worker *w, uint8_t in_port, struct rte_mbuf *m, struct dp_sa *sa,
	const struct dp_esp_out_plan *p)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	uint32_t fit;

	if (meta->mtu == 0 || p->outer_len <= meta->mtu)
		return false;
	fit = dp_esp_out_fit(sa, p, meta->mtu);
	if ((p->in.family == AF_INET6 || p->df) && fit != 0) {
		meta->mtu = (uint16_t)fit;
		dp_worker_punt(w, m, in_port, DP_PUNT_TOO_BIG);
		return true;
	}
	dp_esp_drop(w, m, in_port, sa, DP_DROP_MTU_EXCEEDED, DP_SA_DROP_MTU);
	return true;
}

/* Stage 1: keeps the packets that can be encapsulated, grouped by SA. */
static void
prepare(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, struct dp_sa **sas,
	uint16_t n, struct out_burst *b)
{
	enum dp_drop_reason why;

	b->n = 0;
	dp_esp_groups_init(&b->gs);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_sa *sa = sas[i];
		struct dp_esp_out_plan *p = &b->plan[b->n];

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (unlikely(!sa_usable(sa))) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_LIFETIME, DP_SA_DROP_LIFETIME);
			continue;
		}
		if (unlikely(dp_esp_out_plan(sa, m, dp_meta(m)->l3_off, p, &why) < 0)) {
			dp_esp_drop(w, m, in_port, sa, why, DP_SA_DROP_MALFORMED);
			continue;
		}
		if (unlikely(too_big(w, in_port, m, sa, p)))
			continue;
		if (unlikely(!room_ok(m, p))) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_NO_MBUF, DP_SA_DROP_MALFORMED);
			continue;
		}
		b->m[b->n] = m;
		b->sa[b->n] = sa;
		b->grp[b->n] = dp_esp_group_of(&b->gs, sa);
		b->gs.g[b->grp[b->n]].want++;
		b->n++;
	}
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

/* Stage 2: sequence numbers in burst order, then the packets laid out.
 * IPv4 identification of the outer headers: the worker's own counter
 * (w->ip_id; the control core's ctl_worker has its own although it may
 * share worker 0's lcore), offset by the worker index. IDs matter only if
 * the outer packet is fragmented on its way (DF clear); RFC 6864 §4.1
 * asks for no more than this. */
static void
encapsulate(struct dp_worker *w, uint8_t in_port, struct out_burst *b)
{
	uint16_t id_base = (uint16_t)(w->index << IP_ID_WORKER_SHIFT);
	uint16_t k = 0;

	reserve(w, &b->gs);
	for (uint16_t i = 0; i < b->n; i++) {
		struct dp_esp_group *g = &b->gs.g[b->grp[i]];
		struct rte_mbuf *m = b->m[i];
		struct dp_sa *sa = b->sa[i];
		uint64_t seq;
		uint8_t *esp;

		if (unlikely(g->seq == 0)) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_LIFETIME, DP_SA_DROP_LIFETIME);
			continue;
		}
		seq = g->seq++;
		b->plan[k] = b->plan[i];
		esp = dp_esp_out_encap(sa, m, dp_meta(m)->l3_off, &b->plan[k], seq,
				       (uint16_t)(id_base + w->ip_id++));
		fill_op(&b->ops[k], sa, esp, b->plan[k].payload_len, seq);
		b->m[k] = m;
		b->sa[k] = sa;
		b->grp[k] = b->grp[i];
		k++;
	}
	b->n = k;
}

/* Stages 3 and 4: crypto burst, IPv6 UDP checksums, accounting. */
static uint16_t
finish(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, struct out_burst *b)
{
	uint16_t k = 0;

	if (b->n != 0)
		dp_esp_encrypt_burst(w->mgr, b->ops, b->n);
	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->m[i];
		struct dp_sa *sa = b->sa[i];
		struct dp_esp_group *g = &b->gs.g[b->grp[i]];

		if (unlikely(b->ops[i].status != 0)) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
			continue;
		}
		if (b->plan[i].path->udp_encap && b->plan[i].path->local.family == AF_INET6)
			dp_esp_out_udp6_csum(m, dp_meta(m)->l3_off);
		g->pkts++;
		g->bytes += b->plan[i].in.len;
		pkts[k++] = m;
	}
	dp_esp_groups_account(w, &b->gs);
	return k;
}

static uint16_t
outbound_burst(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	       struct dp_sa **sas, uint16_t n)
{
	struct out_burst b;

	prepare(w, in_port, pkts, sas, n, &b);
	encapsulate(w, in_port, &b);
	return finish(w, in_port, pkts, &b);
}

uint16_t
dp_esp_outbound(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
		struct dp_sa **sas, uint16_t n)
{
	uint16_t done = 0;

	for (uint16_t off = 0; off < n; off += DP_ESP_MAX_BURST) {
		uint16_t cnt = RTE_MIN((uint16_t)(n - off), (uint16_t)DP_ESP_MAX_BURST);
		uint16_t k = outbound_burst(w, in_port, pkts + off, sas + off, cnt);

		memmove(pkts + done, pkts + off, k * sizeof(*pkts));
		done += k;
	}
	return done;
}
