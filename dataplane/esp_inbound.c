/*
 * Inbound ESP on a burst (RFC 4303 §3.4, RFC 4301 §5.2, RFC 3948 §3.2,
 * RFC 6040 §4.2): stages as separate loops, like DPDK lib/ipsec:
 *   1. check: SA usable, every length from the wire (esp_decap.c), replay
 *      window (cheap, read only: RFC 4303 §3.4.3 before the ICV);
 *   2. one crypto burst (ICV verified in constant time, then decrypted);
 *      AES-GCM packets are decrypted in stage 1 already, one by one as
 *      the direct API goes anyway, while they are in cache;
 *   3. finish: ICV status, replay window update (which checks again: a
 *      burst of s, s+1, s+1 passes only one s+1), trailer and inner header,
 *      decapsulation, selector check (RFC 4301 §5.2 step 4), lifetime
 *      accounting and SA events once per SA.
 * The caller's worker owns each SA's replay window (sa.h), so the window
 * has one writer and needs no lock.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "dataplane/esp.h"
#include "dataplane/esp_priv.h"
#include "dataplane/flow.h"

enum {
	PREFETCH_AHEAD = 2,
	SEQ_HI_SHIFT = 32,
};

/* One burst. AES-GCM packets are decrypted in stage 1 as soon as checked
 * (esp_crypto.h: the direct API goes one by one anyway); the ops of the
 * others are listed in queued[] for one crypto burst. */
struct in_burst {
	struct rte_mbuf *m[DP_ESP_MAX_BURST];
	struct dp_sa *sa[DP_ESP_MAX_BURST];
	uint64_t seq[DP_ESP_MAX_BURST];
	struct dp_esp_in_pkt pkt[DP_ESP_MAX_BURST];
	struct dp_esp_op ops[DP_ESP_MAX_BURST];
	uint8_t queued[DP_ESP_MAX_BURST];
	struct dp_esp_groups gs;
	uint16_t n;
	uint16_t n_queued;
};

static bool
sa_usable(const struct dp_sa *sa)
{
	uint32_t f = __atomic_load_n(&sa->flags, __ATOMIC_RELAXED);

	return (f & DP_SA_F_ACTIVE) != 0 && (f & DP_SA_F_HARD_EXPIRED) == 0;
}

/* The headers (the ESP header is within the first two lines) and the
 * replay window of a packet a few places ahead. */
static void
prefetch(struct rte_mbuf *m, const struct dp_sa *sa)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);

	rte_prefetch0(frame);
	rte_prefetch0(frame + RTE_CACHE_LINE_SIZE);
	rte_prefetch0(&sa->win);
}

static void
fill_op(struct dp_esp_op *op, const struct dp_sa *sa, struct rte_mbuf *m,
	const struct dp_esp_in_pkt *p, uint64_t seq)
{
	op->key = &sa->key;
	op->esp = rte_pktmbuf_mtod_offset(m, uint8_t *, p->esp_off);
	op->payload_len = p->payload_len;
	op->seq_hi = (uint32_t)(seq >> SEQ_HI_SHIFT);
	op->esn = sa->p.esn;
	op->iv_nonce = 0;
	op->status = 0;
}

/* Stage 1: what passes goes to the crypto. */
static void
check(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, struct dp_sa **sas,
      uint16_t n, struct in_burst *b)
{
	b->n = 0;
	b->n_queued = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_sa *sa = sas[i];
		struct dp_esp_in_pkt *p = &b->pkt[b->n];

		if (i + PREFETCH_AHEAD < n)
			prefetch(pkts[i + PREFETCH_AHEAD], sas[i + PREFETCH_AHEAD]);
		if (unlikely(!sa_usable(sa))) {
			dp_esp_drop_unusable(w, m, in_port, sa);
			continue;
		}
		if (unlikely(dp_esp_in_check(sa, m, p) < 0)) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_MALFORMED,
				    DP_SA_DROP_MALFORMED);
			continue;
		}
		if (unlikely(dp_replay_check(&sa->win, p->seq_lo, &b->seq[b->n]) < 0)) {
			dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_REPLAY, DP_SA_DROP_REPLAY);
			continue;
		}
		fill_op(&b->ops[b->n], sa, m, p, b->seq[b->n]);
		if (dp_esp_key_direct(&sa->key))
			dp_esp_decrypt_direct(w->mgr, &b->ops[b->n]);
		else
			b->queued[b->n_queued++] = (uint8_t)b->n;
		b->m[b->n] = m;
		b->sa[b->n] = sa;
		b->n++;
	}
}

/* RFC 4301 §5.2: the inner packet must be one the SA may carry. */
static bool
selectors_ok(const struct dp_sa *sa, struct rte_mbuf *m)
{
	uint16_t l3_off = dp_meta(m)->l3_off;
	struct dp_flow f;

	if (dp_flow_extract(rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off),
			    m->data_len - l3_off, &f) < 0)
		return false;
	return dp_sa_selectors_match(sa, &f);
}

/* Stage 3 for one packet whose ICV verified; true if it is good. */
static bool
finish_one(struct dp_worker *w, uint8_t in_port, struct in_burst *b, uint16_t i)
{
	struct rte_mbuf *m = b->m[i];
	struct dp_sa *sa = b->sa[i];

	if (unlikely(dp_replay_update(&sa->win, b->seq[i]) < 0)) {
		dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_REPLAY, DP_SA_DROP_REPLAY);
		return false;
	}
	/* From here on the window has moved: a packet dropped now is not
	 * accounted, so it marks the SA itself (sa.h, moved marks). */
	if (unlikely(dp_esp_in_decap(sa, m, &b->pkt[i]) < 0)) {
		dp_sa_mark_moved(sa);
		dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
		return false;
	}
	if (unlikely(!selectors_ok(sa, m))) {
		dp_sa_mark_moved(sa);
		dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_POLICY, DP_SA_DROP_POLICY);
		return false;
	}
	dp_meta(m)->esp_off = 0;
	return true;
}

/* Stage 2 for the ops not decrypted yet, gathered into one burst. */
static void
decrypt_queued(struct dp_worker *w, struct in_burst *b)
{
	struct dp_esp_op ops[DP_ESP_MAX_BURST];

	for (uint16_t k = 0; k < b->n_queued; k++)
		ops[k] = b->ops[b->queued[k]];
	dp_esp_decrypt_burst(w->mgr, ops, b->n_queued);
	for (uint16_t k = 0; k < b->n_queued; k++)
		b->ops[b->queued[k]].status = ops[k].status;
}

/* Stages 2 and 3. */
static uint16_t
finish(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, struct in_burst *b)
{
	uint16_t k = 0;

	if (b->n_queued != 0)
		decrypt_queued(w, b);
	dp_esp_groups_init(&b->gs);
	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->m[i];
		struct dp_esp_group *g;

		if (unlikely(b->ops[i].status != 0)) {
			dp_esp_drop(w, m, in_port, b->sa[i], DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
			continue;
		}
		if (!finish_one(w, in_port, b, i))
			continue;
		g = &b->gs.g[dp_esp_group_of(&b->gs, b->sa[i])];
		g->pkts++;
		g->bytes += m->data_len - dp_meta(m)->l3_off;
		pkts[k++] = m;
	}
	dp_esp_groups_account(w, &b->gs);
	return k;
}

uint16_t
dp_esp_inbound(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	       struct dp_sa **sas, uint16_t n)
{
	struct in_burst b;
	uint16_t done = 0;

	for (uint16_t off = 0; off < n; off += DP_ESP_MAX_BURST) {
		uint16_t cnt = RTE_MIN((uint16_t)(n - off), (uint16_t)DP_ESP_MAX_BURST);
		uint16_t k;

		check(w, in_port, pkts + off, sas + off, cnt, &b);
		k = finish(w, in_port, pkts + off, &b);
		memmove(pkts + done, pkts + off, k * sizeof(*pkts));
		done += k;
	}
	return done;
}
