/*
 * Roles and failure detection (ha_role.h): liveness per link from
 * authenticated heartbeats and HELLOs, and the deterministic election,
 * takeover and split-brain rules. Pure logic: time is passed in.
 */
#include <stdint.h>
#include <string.h>

#include "ha/ha_role.h"

enum {
	HA_ROLE_HOLD_FACTOR = 3,	/* default startup hold: 3 detection times */
};

static const char *const role_names[] = {
	[HA_ROLE_INIT] = "init",
	[HA_ROLE_STANDBY] = "standby",
	[HA_ROLE_ACTIVE] = "active",
};

static const char *const reason_names[HA_REASON_MAX] = {
	[HA_REASON_NONE] = "none",
	[HA_REASON_STARTUP_ALONE] = "startup-alone",
	[HA_REASON_STARTUP_ELECTED] = "startup-elected",
	[HA_REASON_PEER_ACTIVE] = "peer-active",
	[HA_REASON_PEER_DEAD] = "peer-dead",
	[HA_REASON_SPLIT_BRAIN] = "split-brain",
	[HA_REASON_SWITCHOVER] = "switchover",
};

const char *
ha_role_name(enum ha_role role)
{
	if ((unsigned int)role >= sizeof(role_names) / sizeof(role_names[0]))
		return "?";
	return role_names[role];
}

const char *
ha_reason_name(enum ha_reason reason)
{
	if ((unsigned int)reason >= HA_REASON_MAX)
		return "?";
	return reason_names[reason];
}

void
ha_role_init(struct ha_role_state *r, const struct ha_role_conf *conf, uint64_t now_ms)
{
	memset(r, 0, sizeof(*r));
	r->conf = *conf;
	if (r->conf.n_links == 0 || r->conf.n_links > HA_MAX_LINKS)
		r->conf.n_links = r->conf.n_links == 0 ? 1 : HA_MAX_LINKS;
	if (r->conf.startup_hold_ms == 0)
		r->conf.startup_hold_ms = HA_ROLE_HOLD_FACTOR * r->conf.interval_ms *
					  r->conf.dead_count;
	r->role = HA_ROLE_INIT;
	r->reason = HA_REASON_NONE;
	r->started_ms = now_ms;
	r->role_since_ms = now_ms;
}

uint64_t
ha_role_dead_ms(const struct ha_role_state *r)
{
	return (uint64_t)r->conf.interval_ms * r->conf.dead_count;
}

void
ha_role_heard(struct ha_role_state *r, unsigned int link, const struct ha_peer_view *peer,
	      uint64_t now_ms)
{
	struct ha_link_state *l;

	if (link >= r->conf.n_links)
		return;
	l = &r->link[link];
	l->last_heard_ms = now_ms;
	l->up = true;
	l->heard++;
	r->peer_alive = true;
	if (r->peer.known && peer->boot_id == r->peer.boot_id && peer->epoch < r->peer.epoch)
		return;	/* a late view: liveness only */
	r->peer = *peer;
	r->peer.known = true;
}

void
ha_role_link_heard(struct ha_role_state *r, unsigned int link, uint64_t now_ms)
{
	if (link >= r->conf.n_links || !r->peer.known || r->link[link].last_heard_ms == 0)
		return;
	r->link[link].last_heard_ms = now_ms;
}

/* Marks the links silent for a detection time down; true when any is up. */
static bool
role_liveness(struct ha_role_state *r, uint64_t now_ms)
{
	uint64_t dead = ha_role_dead_ms(r);
	bool alive = false;
	unsigned int i;

	for (i = 0; i < r->conf.n_links; i++) {
		struct ha_link_state *l = &r->link[i];

		l->up = l->last_heard_ms != 0 && now_ms - l->last_heard_ms < dead;
		alive |= l->up;
	}
	r->peer_alive = alive;
	return alive;
}

bool
ha_role_we_win(const struct ha_role_state *r)
{
	if (r->yielding)
		return false;
	if (r->conf.priority != r->peer.priority)
		return r->conf.priority > r->peer.priority;
	if (r->epoch != r->peer.epoch)
		return r->epoch > r->peer.epoch;
	return r->conf.node_id < r->peer.node_id;
}

void
ha_role_set(struct ha_role_state *r, enum ha_role role, enum ha_reason why, uint64_t now_ms)
{
	if (role == HA_ROLE_ACTIVE && r->role != HA_ROLE_ACTIVE) {
		r->epoch = (r->epoch > r->peer.epoch ? r->epoch : r->peer.epoch) + 1;
		r->grace_until_ms = why == HA_REASON_SWITCHOVER ? now_ms + ha_role_dead_ms(r) : 0;
	}
	if (role != r->role)
		r->transitions++;
	r->role = role;
	r->reason = why;
	r->role_since_ms = now_ms;
	r->switchover_requested = false;
	r->yielding = false;
}

static int
role_change(struct ha_role_state *r, enum ha_role role, enum ha_reason why, uint64_t now_ms)
{
	ha_role_set(r, role, why, now_ms);
	return role;
}

static int
step_init(struct ha_role_state *r, uint64_t now_ms)
{
	if (!r->peer_alive) {
		if (now_ms - r->started_ms >= r->conf.startup_hold_ms)
			return role_change(r, HA_ROLE_ACTIVE, HA_REASON_STARTUP_ALONE, now_ms);
		return -1;
	}
	switch (r->peer.role) {
	case HA_WIRE_ROLE_ACTIVE:
		return role_change(r, HA_ROLE_STANDBY, HA_REASON_PEER_ACTIVE, now_ms);
	case HA_WIRE_ROLE_STANDBY:
		return role_change(r, HA_ROLE_STANDBY, HA_REASON_STARTUP_ELECTED, now_ms);
	default:
		return role_change(r, ha_role_we_win(r) ? HA_ROLE_ACTIVE : HA_ROLE_STANDBY,
				   HA_REASON_STARTUP_ELECTED, now_ms);
	}
}

static int
step_standby(struct ha_role_state *r, bool in_sync, uint64_t now_ms)
{
	bool peer_in_sync;

	if (r->switchover_requested)
		return role_change(r, HA_ROLE_ACTIVE, HA_REASON_SWITCHOVER, now_ms);
	if (!r->peer_alive)
		return role_change(r, HA_ROLE_ACTIVE, HA_REASON_PEER_DEAD, now_ms);
	if (r->peer.role != HA_WIRE_ROLE_STANDBY)
		return -1;
	if (!r->peer.has_flags) {
		/* HELLOs but no session for a startup hold: the winner goes. */
		if (now_ms - r->role_since_ms >= r->conf.startup_hold_ms && ha_role_we_win(r))
			return role_change(r, HA_ROLE_ACTIVE, HA_REASON_STARTUP_ELECTED, now_ms);
		return -1;
	}
	peer_in_sync = (r->peer.flags & HA_HB_F_IN_SYNC) != 0;
	if (in_sync != peer_in_sync ? in_sync : ha_role_we_win(r))
		return role_change(r, HA_ROLE_ACTIVE, HA_REASON_STARTUP_ELECTED, now_ms);
	return -1;
}

static int
step_active(struct ha_role_state *r, uint64_t now_ms)
{
	if (!r->peer_alive || r->peer.role != HA_WIRE_ROLE_ACTIVE) {
		r->split_contest = false;
		return -1;
	}
	if (r->yielding)
		return role_change(r, HA_ROLE_STANDBY, HA_REASON_SWITCHOVER, now_ms);
	if (now_ms < r->grace_until_ms && r->peer.epoch < r->epoch)
		return -1;
	if (!ha_role_we_win(r))
		return role_change(r, HA_ROLE_STANDBY, HA_REASON_SPLIT_BRAIN, now_ms);
	if (!r->split_contest)
		r->split_won = true;
	r->split_contest = true;
	return -1;
}

int
ha_role_step(struct ha_role_state *r, bool in_sync, uint64_t now_ms)
{
	role_liveness(r, now_ms);
	switch (r->role) {
	case HA_ROLE_INIT:
		return step_init(r, now_ms);
	case HA_ROLE_STANDBY:
		return step_standby(r, in_sync, now_ms);
	case HA_ROLE_ACTIVE:
		return step_active(r, now_ms);
	}
	return -1;
}

bool
ha_role_peer_preempts(const struct ha_role_state *r)
{
	const uint8_t want = HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT;

	return r->role == HA_ROLE_ACTIVE && r->peer_alive && !r->yielding &&
	       r->peer.role == HA_WIRE_ROLE_STANDBY && r->peer.priority > r->conf.priority &&
	       (r->peer.flags & want) == want;
}

uint64_t
ha_role_next_deadline(const struct ha_role_state *r)
{
	uint64_t next = UINT64_MAX, dead = ha_role_dead_ms(r);
	unsigned int i;

	if (r->role == HA_ROLE_INIT && !r->peer_alive)
		next = r->started_ms + r->conf.startup_hold_ms;
	for (i = 0; i < r->conf.n_links; i++) {
		const struct ha_link_state *l = &r->link[i];

		if (l->up && l->last_heard_ms + dead < next)
			next = l->last_heard_ms + dead;
	}
	return next;
}
