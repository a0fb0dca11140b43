/*
 * The control-core event loop: punted packets, neighbour timers, link
 * state and CLI requests. With a single lcore it also runs worker 0's poll
 * loop, alternating, so a 2-core lab can host two appliances and peers.
 * Timers are TSC deadlines checked each pass; every timer is listed here:
 *   neigh_tick  every NEIGH_TICK_MS  retransmit/age neighbour entries
 *   link_poll   every LINK_POLL_MS   refresh port link state
 *   cli_poll    every CLI_POLL_MS    serve the CLI socket
 *   sa_events   every pass           log SA soft/hard lifetime events from the workers
 *                                    and pass them to IKE (rekey / expire its CHILD SA)
 *   ike_poll    every pass           IKE timers once ike_next_deadline() has passed
 *                                    (control/ctl_ike.c)
 *   ha_poll     every pass           HA heartbeats, sync stream, role decisions once
 *                                    ha_tick()'s deadline has passed; VIP announcements
 *                                    (control/ctl_ha.c)
 *   reclaim     every pass           free SAs and ACL contexts whose QSBR grace period
 *                                    passed (never blocks: the control core may also
 *                                    be worker 0, which could not report otherwise)
 */
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/neigh.h"
#include "dataplane/port.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

enum {
	NEIGH_TICK_MS = 100,
	LINK_POLL_MS = 500,
	CLI_POLL_MS = 1,
	/* The control core never sleeps longer than this while idle, so
	 * CLI answers and timers stay prompt even with back-off. */
	CTL_MAX_IDLE_US = 1000,
	SA_EVENT_BURST = 32,
};

struct ctl_timer {
	uint64_t next_ms;
	unsigned int period_ms;
};

static bool
timer_due(struct ctl_timer *t, uint64_t now)
{
	if (now < t->next_ms)
		return false;
	t->next_ms = now + t->period_ms;
	return true;
}

static void
poll_links(struct dp *dp)
{
	for (uint8_t i = 0; i < dp->n_ifaces; i++) {
		bool up = dp_port_link_up(&dp->iface[i]);

		if (up != dp->iface[i].up)
			CTL_LOG(NOTICE, "port %s: link %s", dp->iface[i].name, up ? "up" : "down");
		dp->iface[i].up = up;
	}
}

/* RFC 4301 §4.4.2.1: soft lifetime -> tell (IKE will rekey); hard ->
 * the SA is no longer used. No key material in the message. */
static unsigned int
sa_events(struct dp *dp, struct ctl_ike *ike)
{
	struct dp_sa_event ev[SA_EVENT_BURST];
	unsigned int n = rte_ring_dequeue_burst_elem(dp->sa_event_ring, ev, sizeof(ev[0]),
						     SA_EVENT_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		const struct dp_sa *sa = dp_sad_get(dp->sad, ev[i].sa_id);

		if (sa == NULL)
			continue;	/* deleted meanwhile */
		if (ev[i].flag == DP_SA_F_HARD_EXPIRED)
			CTL_LOG(NOTICE, "SA %s spi 0x%08x: hard lifetime reached, SA not used",
				sa->p.name, sa->p.spi);
		else
			CTL_LOG(NOTICE, "SA %s spi 0x%08x: soft lifetime reached", sa->p.name,
				sa->p.spi);
		ctl_ike_sa_event(ike, sa, ev[i].flag);
	}
	return n;
}

static unsigned int
control_pass(struct hagw *h, struct ctl_timer timers[3])
{
	uint64_t now = dp_now_ms();
	unsigned int work = dp_punt_poll(&h->dp);

	work += sa_events(&h->dp, h->ike);
	work += ctl_ike_poll(h->ike, now);
	work += ctl_ha_poll(h->ha, now);
	dp_sad_reclaim(h->dp.sad);
	dp_spd_reclaim(h->dp.spd);

	if (timer_due(&timers[0], now))
		dp_neigh_tick(h->dp.neigh, now);
	if (timer_due(&timers[1], now))
		poll_links(&h->dp);
	if (timer_due(&timers[2], now))
		work += ctl_server_poll(h->cli);
	return work;
}

static void
idle_sleep(const struct hagw *h, bool runs_worker)
{
	unsigned int us = h->dp.idle_backoff_us;

	if (us == 0)
		return;
	usleep(runs_worker ? us : RTE_MIN(us, (unsigned int)CTL_MAX_IDLE_US));
}

void
ctl_loop_run(struct hagw *h)
{
	struct ctl_timer timers[3] = {
		{ 0, NEIGH_TICK_MS }, { 0, LINK_POLL_MS }, { 0, CLI_POLL_MS },
	};
	struct dp_worker *w0 = h->dp.workers[0];
	bool runs_worker = w0->lcore == rte_lcore_id();

	if (runs_worker) {
		rte_rcu_qsbr_thread_register(h->dp.qsbr, w0->index);
		rte_rcu_qsbr_thread_online(h->dp.qsbr, w0->index);
	}
	while (!h->stop) {
		unsigned int work = control_pass(h, timers);

		if (runs_worker)
			work += dp_worker_poll(w0);
		if (work == 0)
			idle_sleep(h, runs_worker);
	}
	if (runs_worker) {
		rte_rcu_qsbr_thread_offline(h->dp.qsbr, w0->index);
		rte_rcu_qsbr_thread_unregister(h->dp.qsbr, w0->index);
	}
}
