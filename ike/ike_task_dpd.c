/* Timers of established IKE SAs (RFC 7296 §1.4, §2.4, §2.8; RFC 3948 §4):
 * dead peer detection (an empty INFORMATIONAL request when nothing came
 * from the peer for dpd_delay seconds; the retransmission timer declares
 * the peer dead when it gives up), NAT-T keepalives (one 0xff octet to the
 * peer's 4500 port every IKE_DPD_KEEPALIVE_S when we are behind a NAT),
 * the IKE SA's rekey and hard end (st.rekey_time, st.expire_time), each
 * CHILD SA's soft (rekey) and hard (DELETE) lifetime from install_time,
 * replaced SAs (ours: 5 s after their DELETE for ESP in flight; the
 * peer's: when its DELETE never came), queued rekeys (back-off).
 * Lifetimes are the wall-clock seconds of the state (HA ships them), turned
 * into the host's monotonic milliseconds when looked at. */
#include <errno.h>
#include <string.h>

#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum {
	IKE_DPD_KEEPALIVE_S = 20,
	IKE_DPD_KEEPALIVE_BYTE = 0xff,  /* RFC 3948 §2.3 */
	IKE_DPD_MS = 1000,
};

/* Monotonic ms of wall-clock second WALL (now when past). */
static uint64_t
wall_to_ms(const struct ike_ctx *ctx, uint64_t wall)
{
	uint64_t now = ike_ctx_now_ms(ctx), w = ike_ctx_wall_s(ctx);

	return wall <= w ? now : now + (wall - w) * IKE_DPD_MS;
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool
live(const struct ike_sa *sa)
{
	return sa->st.phase == IKE_SA_PHASE_ESTABLISHED || sa->st.phase == IKE_SA_PHASE_REKEYING;
}

static bool
keepalive_needed(const struct ike_ctx *ctx, const struct ike_sa *sa)
{
	return sa->st.nat_local && sa->st.local.port == ctx->conf->cfg.natt_port && !sa->rekeyed;
}

static uint64_t
soft_at(const struct ike_ctx *ctx, const struct ike_child *c)
{
	const struct ike_child_lifetime *l = &c->st.life;
	uint64_t ha = c->rekey_at_ms != 0 ? c->rekey_at_ms : UINT64_MAX;   /* ike_ha.c */

	if (c->soft_fired || !c->installed_out || c->st.rekey != IKE_CHILD_REKEY_NONE)
		return UINT64_MAX;
	if (l->soft_seconds == 0)
		return ha;
	return min_u64(ha, wall_to_ms(ctx, l->install_time + l->soft_seconds));
}

static uint64_t
hard_at(const struct ike_ctx *ctx, const struct ike_child *c)
{
	const struct ike_child_lifetime *l = &c->st.life;

	if (c->hard_fired || l->hard_seconds == 0)
		return UINT64_MAX;
	return wall_to_ms(ctx, l->install_time + l->hard_seconds);
}

static uint64_t
child_deadline(const struct ike_ctx *ctx, const struct ike_child *c)
{
	uint64_t d = c->expire_ms != 0 ? c->expire_ms : UINT64_MAX;

	return min_u64(d, min_u64(soft_at(ctx, c), hard_at(ctx, c)));
}

static uint64_t
dpd_at(const struct ike_ctx *ctx, const struct ike_sa *sa)
{
	if (sa->st.dpd_interval == 0 || !ike_win_idle(sa) || sa->rekeyed ||
	    sa->st.phase != IKE_SA_PHASE_ESTABLISHED)
		return UINT64_MAX;
	return wall_to_ms(ctx, sa->st.last_recv_time + sa->st.dpd_interval);
}

/* Work queued while the peer's window is full (ike_rekey_kick), once
 * there is room (the IKE SA's DELETE and rekey: once nothing else is
 * outstanding). */
static uint64_t
pending_at(const struct ike_sa *sa)
{
	if (!ike_win_can_send(sa))
		return UINT64_MAX;
	if (sa->ccsa.again)
		return 0;
	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED)
		return UINT64_MAX;
	if (sa->pend_del_child != 0 || sa->n_del_gone != 0)
		return 0;
	if (sa->pend_del_ike)
		return ike_win_idle(sa) ? 0 : UINT64_MAX;
	if (sa->rekeyed)
		return UINT64_MAX;
	if (sa->pend_rekey_ike)         /* the IKE SA rekey goes alone (§2.25) */
		return ike_win_idle(sa) ? sa->pend_at_ms : UINT64_MAX;
	return sa->pend_rekey_child != 0 || sa->queued != NULL ? sa->pend_at_ms : UINT64_MAX;
}

uint64_t
ike_dpd_deadline(const struct ike_ctx *ctx, const struct ike_sa *sa)
{
	const struct ike_child *c;
	uint64_t d;

	if (!live(sa))
		return UINT64_MAX;
	d = dpd_at(ctx, sa);
	if (sa->expire_ms != 0)
		d = min_u64(d, sa->expire_ms);
	if (!sa->rekeyed && !sa->rekey_fired && sa->st.rekey_time != 0)
		d = min_u64(d, wall_to_ms(ctx, sa->st.rekey_time));
	if (!sa->rekeyed && !sa->expire_fired && sa->st.expire_time != 0)
		d = min_u64(d, wall_to_ms(ctx, sa->st.expire_time));
	if (keepalive_needed(ctx, sa))
		d = min_u64(d, sa->keepalive_ms);
	d = min_u64(d, pending_at(sa));
	for (c = sa->children; c != NULL; c = c->next)
		d = min_u64(d, child_deadline(ctx, c));
	return d;
}

static void
keepalive(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	static const uint8_t ka = IKE_DPD_KEEPALIVE_BYTE;

	sa->st.keepalive_interval = IKE_DPD_KEEPALIVE_S;
	sa->keepalive_ms = now + IKE_DPD_KEEPALIVE_S * IKE_DPD_MS;
	ctx->ops.send(ctx->ops.arg, &sa->st.local, &sa->st.remote, &ka, sizeof(ka));
}

/* Hard lifetime of C: DELETE when we can send, else (or when no DELETE
 * is possible) removed here. */
void
ike_dpd_child_hard(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	c->hard_fired = true;
	if (ike_win_can_send(sa) && sa->st.phase == IKE_SA_PHASE_ESTABLISHED) {
		sa->del_child_spi = c->st.spi_in;
		if (ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL) == 0)
			return;
		sa->del_child_spi = 0;
	}
	if (sa->pend_del_child == 0 && sa->st.phase == IKE_SA_PHASE_ESTABLISHED) {
		sa->pend_del_child = c->st.spi_in;
		return;
	}
	ike_ctx_child_remove(ctx, sa, c);
}

/* An HA takeover rekey (ike_ha.c) waits for a free window: one at a time. */
static bool
ha_rekey_waits(const struct ike_sa *sa, const struct ike_child *c)
{
	return c->rekey_at_ms != 0 && (!ike_win_can_send(sa) || sa->pend_rekey_child != 0 ||
				       sa->st.phase != IKE_SA_PHASE_ESTABLISHED);
}

/* One due CHILD SA event at most per call (the list may change). */
static bool
child_run(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next) {
		if (child_deadline(ctx, c) > now)
			continue;
		if (c->expire_ms != 0 && c->expire_ms <= now) {
			IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "replaced CHILD SA %08x_i goes",
				   c->st.spi_in);
			ike_ctx_child_remove(ctx, sa, c);
		} else if (hard_at(ctx, c) <= now) {
			ike_dpd_child_hard(ctx, sa, c);
		} else if (ha_rekey_waits(sa, c)) {
			c->rekey_at_ms = now + IKE_DPD_MS;
		} else {
			c->soft_fired = true;
			ike_rekey_child_start(ctx, sa, c);
		}
		return true;
	}
	return false;
}

/* IKE SA level events; false: the SA is gone. */
static bool
sa_events(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	if (sa->expire_ms != 0 && sa->expire_ms <= now) {
		ike_ctx_sa_delete(ctx, sa, "replaced, no DELETE came");
		return false;
	}
	if (!sa->rekeyed && !sa->expire_fired && sa->st.expire_time != 0 &&
	    wall_to_ms(ctx, sa->st.expire_time) <= now) {
		sa->expire_fired = true;
		if (!ike_win_idle(sa))
			ike_ctx_sa_delete(ctx, sa, "hard lifetime");
		else
			ike_exch_delete(ctx, sa);       /* the SA goes when answered */
		return false;
	}
	if (!sa->rekeyed && !sa->rekey_fired && sa->st.rekey_time != 0 &&
	    wall_to_ms(ctx, sa->st.rekey_time) <= now) {
		sa->rekey_fired = true;
		ike_rekey_ike_start(ctx, sa);
	}
	if (keepalive_needed(ctx, sa) && sa->keepalive_ms <= now)
		keepalive(ctx, sa, now);
	if (dpd_at(ctx, sa) <= now) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_DEBUG, "DPD: liveness check");
		ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL);
	}
	return true;
}

bool
ike_dpd_run(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	int guard;

	if (!live(sa))
		return true;
	if (!sa_events(ctx, sa, now))
		return false;
	for (guard = 0; guard < IKE_STATE_CHILDREN_MAX && child_run(ctx, sa, now); guard++)
		;
	if (pending_at(sa) <= now)
		ike_rekey_kick(ctx, sa);        /* may free SA: last */
	return true;
}
