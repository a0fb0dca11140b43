/*
 * Becoming active and becoming standby (README "HA design: takeover").
 *
 * Takeover is a flag flip over state the standby already holds: every SA
 * is in the SAD, inactive; every IKE SA is in the IKE daemon, passive.
 *
 * Outbound sequence numbers. The last sequence record the standby got
 * is at most one sync interval old when the active dies (but for one
 * burst that raced the tick's collection of the moved marks, shipped a
 * tick later: ctl_ha_seq.c; a burst, at most DP_ESP_MAX_BURST = 64
 * packets, is within margin_floor >= 64), and the active
 * kept sending for at most the detection time after its last heartbeat,
 * so it may have used up to rate x (sync interval + detection time)
 * numbers the standby has not seen. Each outbound SA advances by
 *     margin = max(margin_floor, rate x (sync_interval + detection) x safety)
 * where rate is the active's peak-hold rate for that SA (it decays by only
 * 1/8 per interval, so a burst just before the failure still counts) and
 * safety (default 2) covers a rate that rose within the last interval.
 * The active ships an SA's rate with its sequence state whenever the SA
 * moved (ctl_ha_seq.c); an SA that went idle keeps the rate last shipped,
 * undecayed, so its margin covers at least that rate.
 * Should a margin still fall short, the receiver drops our first packets
 * as replays, but no (key, IV) pair repeats: dp_sa_take_over() also moves
 * the SA to a new IV epoch carrying this node's bit (sa.h), whatever the
 * margin. The peer's 2^32 (or 2^64 with ESN) sequence space makes a
 * generous margin free.
 *
 * Inbound windows only move forward (dp_sa_seq_import), so a packet the
 * old active accepted stays a replay here.
 *
 * IKE: ike_ha_takeover() advances every IKE SA's SK IV counter by
 * IKE_IV_MARGIN (far more messages than one IKE SA exchanges between two
 * syncs: each exchange is synced when it completes), re-arms its timers,
 * and sends RFC 6311 IKEV2_MESSAGE_ID_SYNC to clients that support it.
 *
 * Addresses: the VIPs and the virtual MAC move here and are announced
 * (gratuitous ARP, unsolicited NA) at once and ANNOUNCE_REPEATS times
 * after, for switches and hosts that missed the first. A switchover's old
 * active stops sourcing frames from the virtual MAC before it asks the
 * peer to take over (ctl_ha_yielding), so none of its frames pulls the
 * switches back to it between the peer's announcement and its own step
 * down: a packet drawn back then would be dropped (a lost ping, seen).
 */
#include <inttypes.h>
#include <time.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "dataplane/vip.h"
#include "ike/ike_ha.h"

enum {
	ANNOUNCE_REPEATS = 3,
	ANNOUNCE_FIRST_MS = 50,		/* then doubling: 50, 100, 200 ms */
	HA_MS_PER_S = 1000,
	HA_US_PER_S = 1000000,
	HA_NS_PER_US = 1000,
};

/* An IKE SA exchanges a handful of messages between two syncs. */
#define IKE_IV_MARGIN (UINT64_C(1) << 20)

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * HA_US_PER_S + (uint64_t)ts.tv_nsec / HA_NS_PER_US;
}

static uint64_t
margin_of(const struct ctl_ha *ha, uint32_t sa_id)
{
	uint64_t rate = ctl_ha_seq_rate(ha, sa_id, false);
	uint64_t m = rate * (ha->sync_interval_ms + ha->detect_ms) * ha->margin_safety /
		     HA_MS_PER_S;

	return RTE_MAX(m, ha->margin_floor);
}

static void
activate_sas(struct ctl_ha *ha)
{
	struct dp_sad *sad = ha->h->dp.sad;
	uint32_t iter = 0;
	struct dp_sa *sa;

	ha->takeover.sas = 0;
	ha->takeover.max_margin = 0;
	while ((sa = dp_sad_next(sad, &iter)) != NULL) {
		uint64_t margin = 0;

		if (dp_sa_is_active(sa))
			continue;
		if (sa->p.dir == DP_SA_OUTBOUND)
			margin = margin_of(ha, sa->id);
		if (dp_sa_activate(sad, sa->id, ha->node_bit, margin) == 0)
			ha->takeover.sas++;
		ha->takeover.max_margin = RTE_MAX(ha->takeover.max_margin, margin);
	}
}

static void
deactivate_sas(struct ctl_ha *ha)
{
	struct dp_sad *sad = ha->h->dp.sad;
	uint32_t iter = 0;
	struct dp_sa *sa;

	while ((sa = dp_sad_next(sad, &iter)) != NULL)
		dp_sa_deactivate(sad, sa->id);
}

static void
become_active(struct ctl_ha *ha, enum ha_reason why)
{
	struct ctl_ike *ike = ha->h->ike;
	uint64_t t0 = mono_us();

	ha->takeover.at_ms = dp_now_ms();
	ha->takeover.reason = (int)why;
	if (ike != NULL)
		ike->children.standby = false;
	activate_sas(ha);
	if (ike != NULL) {
		struct ike_ha_takeover_opts o = {
			.iv_margin = IKE_IV_MARGIN,
			.msgid_sync = why != HA_REASON_SWITCHOVER,
			.rekey_spread_s = ha->rekey_spread_s,
		};

		ha->takeover.ike_sas = (uint32_t)ike_ha_takeover(ike->ctx, &o);
	}
	dp_vip_claim(&ha->h->dp);
	ha->announce_left = ANNOUNCE_REPEATS;
	ha->next_announce_ms = ha->takeover.at_ms + ANNOUNCE_FIRST_MS;
	ha->takeover.duration_us = mono_us() - t0;
	CTL_LOG(NOTICE, "active (%s): %u SAs, largest sequence margin %" PRIu64
		", %u IKE SAs, %" PRIu64 " us", ha_reason_name(why), ha->takeover.sas,
		ha->takeover.max_margin, ha->takeover.ike_sas, ha->takeover.duration_us);
}

/* Packets of ours still waiting for address resolution carry sequence
 * numbers of the SA state this role change supersedes: during a split
 * brain the peer may have sent the same numbers (with its own IV epoch),
 * and the fencing promise is that nothing of the old state leaves once
 * the change is made. They are dropped (counted as unresolved). */
static void
drop_held_packets(struct ctl_ha *ha)
{
	unsigned int n = dp_neigh_drop_held(ha->h->dp.neigh);

	if (n > 0)
		CTL_LOG(INFO, "%u packet(s) waiting for address resolution dropped", n);
}

static void
become_standby(struct ctl_ha *ha, enum ha_reason why)
{
	struct ctl_ike *ike = ha->h->ike;

	dp_vip_release(&ha->h->dp);
	ha->announce_left = 0;
	deactivate_sas(ha);
	drop_held_packets(ha);
	if (ike != NULL) {
		ike->children.standby = true;
		ike_ha_set_passive(ike->ctx, true);
	}
	CTL_LOG(NOTICE, "standby (%s)", ha_reason_name(why));
}

/* We won a split brain and stay active, but the loser sent on our
 * outbound SAs since the peer was lost: at most what its own takeover
 * margin skipped plus what it sent at the SA's rate meanwhile. Each
 * outbound SA moves past that (and to a new IV epoch, as at a takeover).
 * The IKE SAs keep our message IDs: a client the loser answered meanwhile
 * may be ahead, and its next request is then retransmitted until DPD
 * gives up (a split brain needs every link cut at once). */
static void
split_brain_won(struct ctl_ha *ha)
{
	uint64_t since = ha->node.peer_lost_ms != 0 ? dp_now_ms() - ha->node.peer_lost_ms : 0;
	struct dp_sad *sad = ha->h->dp.sad;
	uint32_t iter = 0, n = 0;
	struct dp_sa *sa;

	since += ha->detect_ms + ha->sync_interval_ms;
	while ((sa = dp_sad_next(sad, &iter)) != NULL) {
		uint64_t rate, margin;

		if (sa->p.dir != DP_SA_OUTBOUND || !dp_sa_is_active(sa))
			continue;
		rate = ctl_ha_seq_rate(ha, sa->id, true);
		margin = margin_of(ha, sa->id) + rate * since * ha->margin_safety / HA_MS_PER_S;
		dp_sa_deactivate(sad, sa->id);
		dp_sa_activate(sad, sa->id, ha->node_bit, margin);
		n++;
	}
	drop_held_packets(ha);
	if (ha->h->ike != NULL) {
		/* No RFC 6311 exchange here: the loser may have run one on these
		 * IKE SAs already, and a second is refused (ike_state.h,
		 * msgid_sync_used). The SK IV counters still move on. */
		struct ike_ha_takeover_opts o = { .iv_margin = IKE_IV_MARGIN, .msgid_sync = false };

		ike_ha_takeover(ha->h->ike->ctx, &o);
	}
	CTL_LOG(NOTICE, "split brain won: %u outbound SAs moved past the peer's numbers "
		"(%" PRIu64 " ms)", n, since);
}

void
ctl_ha_role_change(void *arg, enum ha_role role, enum ha_role old, enum ha_reason why)
{
	struct ctl_ha *ha = arg;

	if (role == HA_ROLE_ACTIVE && old == HA_ROLE_ACTIVE)
		split_brain_won(ha);
	else if (role == HA_ROLE_ACTIVE)
		become_active(ha, why);
	else if (role == HA_ROLE_STANDBY && old == HA_ROLE_ACTIVE)
		become_standby(ha, why);
	else
		CTL_LOG(NOTICE, "%s (%s)", ha_role_name(role), ha_reason_name(why));
}

/* A switchover of ours: from the moment the peer may take over, no frame
 * of ours may tell the switches that the vmac is still here (vip.h); if
 * it failed, the VIPs are announced again as after a takeover. */
void
ctl_ha_yielding(void *arg, bool on)
{
	struct ctl_ha *ha = arg;

	if (on) {
		dp_vip_yield(&ha->h->dp);
		ha->announce_left = 0;
		CTL_LOG(INFO, "switchover: handing the VIPs over, own MACs as source");
		return;
	}
	dp_vip_claim(&ha->h->dp);
	ha->announce_left = ANNOUNCE_REPEATS;
	ha->next_announce_ms = dp_now_ms() + ANNOUNCE_FIRST_MS;
	CTL_LOG(NOTICE, "switchover not completed: VIPs claimed again");
}

void
ctl_ha_announce_poll(struct ctl_ha *ha, uint64_t now_ms)
{
	if (ha->announce_left == 0 || now_ms < ha->next_announce_ms)
		return;
	dp_vip_announce(&ha->h->dp);
	ha->announce_left--;
	ha->next_announce_ms = now_ms + (ANNOUNCE_FIRST_MS << (ANNOUNCE_REPEATS -
							       ha->announce_left));
}
