/*
 * Roles and failure detection (README "HA design: roles, split brain"):
 * which of the two appliances is active, decided from heartbeats heard on
 * every link that joins them, deterministically on both sides.
 *
 * Liveness. Heartbeats go out every interval on the sync link and on each
 * data link (client-facing, trusted). The peer is dead when no link has
 * carried an authenticated heartbeat (or HELLO) for interval x dead_count.
 * A dead sync link alone (data links still hear the peer) is not a dead
 * peer: the standby stays standby and reports itself out of sync.
 *
 * Decisions (ha_role_step):
 *   INIT     peer heard ACTIVE -> STANDBY; peer heard INIT or STANDBY ->
 *            the winner (below) ACTIVE, the other STANDBY; nothing heard
 *            for the startup hold -> ACTIVE.
 *   STANDBY  peer dead -> ACTIVE (takeover); a switchover request -> ACTIVE.
 *   ACTIVE   peer heard ACTIVE (split brain: after a cut of every link, or
 *            two starts at once) -> the loser becomes STANDBY at once, so two
 *            actives never send longer than one detection time after the
 *            links heal; preemption: a peer of higher priority, in sync,
 *            with preempt set -> switchover to it (ha_role_peer_preempts
 *            says so; the node, ha.c, runs the hand-off).
 * Winner: higher priority, then higher epoch (the most recent takeover
 * holds the newest state), then the lower node id. Every transition to
 * ACTIVE sets epoch = max(ours, the peer's) + 1.
 *
 * Additions to the rules above (no deadlock, no empty active):
 *   INIT     peer heard STANDBY -> STANDBY (the peer may hold the state of
 *            an active that just restarted; the rule below settles it).
 *   STANDBY  peer heard STANDBY too (in a heartbeat: its flags known) ->
 *            the one in sync becomes ACTIVE; when both or neither are, the
 *            winner (STARTUP_ELECTED). Flags unknown (no session) for a
 *            startup hold: the winner.
 *   ACTIVE   while yielding (a switchover we started), we lose every
 *            contest; for a detection time after a switchover made us
 *            ACTIVE we keep it against a peer of a lower epoch (the old
 *            active that has not yet seen our answer).
 * A peer view older than the one held (same boot id, lower epoch: a late
 * heartbeat on another link) only proves liveness.
 * Time (NOW_MS) must be above 0 (0 means "never" in last_heard_ms).
 */
#ifndef HA_ROLE_H
#define HA_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ha/ha_wire.h"

enum {
	HA_MAX_LINKS = 4,		/* link 0: the sync link; then data links */
	HA_LINK_SYNC = 0,
	HA_DEFAULT_INTERVAL_MS = 25,
	HA_DEFAULT_DEAD_COUNT = 4,	/* detection 100 ms */
};

enum ha_role {
	HA_ROLE_INIT = HA_WIRE_ROLE_INIT,
	HA_ROLE_STANDBY = HA_WIRE_ROLE_STANDBY,
	HA_ROLE_ACTIVE = HA_WIRE_ROLE_ACTIVE,
};

/* Why the role changed (show ha, logs). */
enum ha_reason {
	HA_REASON_NONE,
	HA_REASON_STARTUP_ALONE,	/* no peer heard during the startup hold */
	HA_REASON_STARTUP_ELECTED,	/* both starting: won or lost the election */
	HA_REASON_PEER_ACTIVE,		/* started and found an active peer */
	HA_REASON_PEER_DEAD,		/* takeover */
	HA_REASON_SPLIT_BRAIN,		/* two actives: won or lost */
	HA_REASON_SWITCHOVER,		/* operator's ha switchover, or preemption */
	HA_REASON_MAX
};

struct ha_role_conf {
	uint16_t node_id;
	uint8_t priority;		/* 1..255 */
	bool preempt;
	uint32_t interval_ms;
	uint32_t dead_count;
	uint32_t startup_hold_ms;	/* 0: 3 x interval x dead_count */
	uint8_t n_links;		/* 1..HA_MAX_LINKS, link 0 is the sync link */
};

struct ha_link_state {
	uint64_t last_heard_ms;		/* 0: never */
	bool up;			/* heard within the dead time */
	uint64_t heard;			/* heartbeats/HELLOs accepted on this link */
	uint32_t rtt_ms;		/* last measured (heartbeat sent_ms echo), 0: unknown */
};

/* The peer as the last heartbeat described it. */
struct ha_peer_view {
	bool known;
	uint8_t role;			/* enum ha_wire_role */
	uint8_t priority;
	uint8_t flags;			/* HA_HB_F_* */
	bool has_flags;			/* from a heartbeat (a HELLO carries none) */
	uint64_t epoch;
	uint64_t boot_id;
	uint16_t node_id;
};

struct ha_role_state {
	struct ha_role_conf conf;
	enum ha_role role;
	enum ha_reason reason;
	uint64_t epoch;
	uint64_t started_ms;
	uint64_t role_since_ms;
	struct ha_link_state link[HA_MAX_LINKS];
	struct ha_peer_view peer;
	bool peer_alive;
	bool switchover_requested;	/* standby: take over at the next step */
	bool yielding;			/* active: handing over, lose every contest */
	uint64_t grace_until_ms;	/* active by switchover: keep against an older epoch */
	uint64_t transitions;
	/* Active, split brain won: set once per contest (the peer stays
	 * active until it hears it lost); the node acts on it and clears it:
	 * the loser sent on our SAs meanwhile. */
	bool split_won;
	bool split_contest;		/* the peer is active and we know we win */
};

void ha_role_init(struct ha_role_state *r, const struct ha_role_conf *conf, uint64_t now_ms);
/* An authenticated heartbeat or HELLO from the peer on LINK. */
void ha_role_heard(struct ha_role_state *r, unsigned int link, const struct ha_peer_view *peer,
		   uint64_t now_ms);
/* Any other authenticated datagram of the current session from the peer
 * on LINK: the link is alive (liveness only, no view; nothing if no
 * heartbeat or HELLO was heard yet). A standby applying a bulk sync works
 * through a backlog of the active's datagrams, and the heartbeats that
 * came with it wait behind them in its queue: what it is reading is the
 * active, alive. */
void ha_role_link_heard(struct ha_role_state *r, unsigned int link, uint64_t now_ms);
/* Evaluates liveness and the rules above. Returns the new role when it
 * changed (r->reason says why), or -1 when it did not. */
int ha_role_step(struct ha_role_state *r, bool in_sync, uint64_t now_ms);
/* Forces a role (switchover hand-off, operator). */
void ha_role_set(struct ha_role_state *r, enum ha_role role, enum ha_reason why,
		 uint64_t now_ms);
/* True when WE win against the peer as described (priority, epoch, node id). */
bool ha_role_we_win(const struct ha_role_state *r);
uint64_t ha_role_dead_ms(const struct ha_role_state *r);
/* Active: the peer is standby, alive, in sync, of a higher priority and
 * has preempt set: the node should hand the active role over. */
bool ha_role_peer_preempts(const struct ha_role_state *r);
/* The earliest time a step may change something (dead time or startup
 * hold expiring), or UINT64_MAX. */
uint64_t ha_role_next_deadline(const struct ha_role_state *r);

const char *ha_role_name(enum ha_role role);
const char *ha_reason_name(enum ha_reason reason);

#endif /* HA_ROLE_H */
