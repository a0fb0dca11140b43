/*
 * Per-SA bookkeeping of the ESP transforms: the SAs of one burst grouped
 * so that each is touched once per burst (sequence reservation, lifetime
 * accounting, RFC 4301 §4.4.2.1 "lifetime", the HA moved mark of sa.h),
 * per-SA drop counters, and the soft/hard lifetime events sent to the
 * control core. An SA that is not usable is inactive (an HA standby copy,
 * or deleted while a worker held it) or hard-expired: each has its own
 * drop reason.
 */
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane/esp_priv.h"

enum { SA_FLAG_BITS = 32 };

void
dp_esp_groups_init(struct dp_esp_groups *gs)
{
	gs->n = 0;
	gs->last = 0;
}

uint16_t
dp_esp_group_find(struct dp_esp_groups *gs, struct dp_sa *sa)
{
	struct dp_esp_group *g;

	for (uint16_t i = 0; i < gs->n; i++) {
		if (gs->g[i].sa == sa) {
			gs->last = i;
			return i;
		}
	}
	g = &gs->g[gs->n];
	g->sa = sa;
	g->want = 0;
	g->seq = 0;
	g->pkts = 0;
	g->bytes = 0;
	gs->last = gs->n++;
	return gs->last;
}

void
dp_esp_sa_event(struct dp_worker *w, const struct dp_sa *sa, uint32_t flags)
{
	struct rte_ring *ring = w->dp->sa_event_ring;

	for (unsigned int bit = 0; bit < SA_FLAG_BITS; bit++) {
		struct dp_sa_event ev = { .sa_id = sa->id, .flag = flags & (1u << bit) };

		if (ev.flag == 0)
			continue;
		/* The flag stays set in the SA; a lost event only delays the
		 * control core until it next reads the SA. Counted per worker
		 * (single writer), shown by `show stats`. */
		if (ring == NULL || rte_ring_enqueue_elem(ring, &ev, sizeof(ev)) != 0)
			w->counters.sa_events_lost++;
	}
}

void
dp_esp_groups_account(struct dp_worker *w, const struct dp_esp_groups *gs)
{
	for (uint16_t i = 0; i < gs->n; i++) {
		const struct dp_esp_group *g = &gs->g[i];
		uint32_t raised;

		/* Outbound numbers reserved (want) or packets accepted: the
		 * counter or window moved, after this burst's stores. */
		if (g->pkts != 0 || g->want != 0)
			dp_sa_mark_moved(g->sa);
		if (g->pkts == 0)
			continue;
		raised = dp_sa_account(g->sa, g->pkts, g->bytes);
		if (unlikely(raised != 0))
			dp_esp_sa_event(w, g->sa, raised);
	}
}

void
dp_esp_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, struct dp_sa *sa,
	    enum dp_drop_reason why, enum dp_sa_drop sa_why)
{
	__atomic_fetch_add(&sa->stats.drops[sa_why], 1, __ATOMIC_RELAXED);
	dp_worker_drop(w, m, in_port, why);
}

void
dp_esp_drop_unusable(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, struct dp_sa *sa)
{
	if ((__atomic_load_n(&sa->flags, __ATOMIC_RELAXED) & DP_SA_F_ACTIVE) == 0)
		return dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_INACTIVE, DP_SA_DROP_INACTIVE);
	dp_esp_drop(w, m, in_port, sa, DP_DROP_ESP_LIFETIME, DP_SA_DROP_LIFETIME);
}
