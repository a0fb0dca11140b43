/*
 * One appliance's HA node (README "HA design"): the secure channel
 * (ha_chan.h), the record stream (ha_stream.h) and the roles
 * (ha_role.h) put together, hosted like the IKE library: the host gives
 * it datagrams and time and gets callbacks; it owns no thread, never
 * blocks and knows nothing of DPDK or IKE.
 *
 * What flows:
 *   every interval      HELLO (no session yet) or a DATA datagram with a
 *                       heartbeat, on every link
 *   as the active       records the host writes (ha_write) go out in
 *                       segments with the next datagram, many to one
 *   sync interval       the host's sync_tick writes sequence state
 *   new session         the active's host gets bulk_request and writes
 *                       BULK_BEGIN, every IKE SA and CHILD SA, BULK_END
 *   as the standby      records arrive in order through record();
 *                       BULK_END makes it "in sync"
 */
#ifndef HA_H
#define HA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha/ha_chan.h"
#include "ha/ha_role.h"
#include "ha/ha_stream.h"

/* Log levels passed to ops.log (the ike_log_level order). */
enum ha_log_level {
	HA_LOG_ERR,
	HA_LOG_WARNING,
	HA_LOG_NOTICE,
	HA_LOG_INFO,
	HA_LOG_DEBUG,
};

enum {
	HA_NODE_BURST = 64,		/* sync-link datagrams per ha_tick/ha_input at most */
	HA_SWITCHOVER_TIMEOUT_MS = 1000,	/* no SWITCHOVER_DONE: stay active */
	HA_DEFAULT_SYNC_INTERVAL_MS = 50,
	HA_DEFAULT_MAX_BUFFER = 64u << 20,
};

/* A switchover we started (operator or preemption). */
enum ha_switchover_state {
	HA_SO_IDLE,
	HA_SO_DRAIN,			/* sync_tick done, waiting for the stream to be acked */
	HA_SO_SENT,			/* CTRL SWITCHOVER sent (every interval), yielding */
};

struct ha_conf {
	struct ha_role_conf role;
	uint16_t peer_node_id;
	uint8_t psk[HA_CHAN_PSK_MAX];
	uint8_t psk_len;
	uint32_t sync_interval_ms;	/* sequence state, default 50 */
	size_t max_buffer;		/* stream bytes kept unacknowledged, default 64 MiB */
	/* HA_CAP_* this node announces and accepts; 0: all this version has.
	 * A rolling upgrade pairs two versions: what the peer did not
	 * announce is not sent to it. */
	uint32_t caps;
};

struct ha_host_ops {
	/* Sends one datagram to the peer's address on LINK. 0 or -errno. */
	int (*send)(void *arg, unsigned int link, const uint8_t *data, size_t len);
	/* Optional: how many datagrams send() can take on LINK right now
	 * (its queue's free room). Stream segments are sent only into that
	 * room: a segment the host would drop is a loss the stream must
	 * then detect and recover from (go-back, smaller window). */
	unsigned int (*send_room)(void *arg, unsigned int link);
	uint64_t (*now_ms)(void *arg);
	/* The role changed; the host activates or deactivates its state
	 * (takeover: margins, VIPs, IKE), then returns. ROLE == OLD ==
	 * ACTIVE with HA_REASON_SPLIT_BRAIN: we won a split brain and stay
	 * active, but the peer sent on our SAs since n->peer_lost_ms. */
	void (*role_change)(void *arg, enum ha_role role, enum ha_role old, enum ha_reason why);
	/* Optional. Active: ON, a switchover we started is handing the role
	 * to the peer (it may take over any moment now): keep forwarding,
	 * but send nothing that claims the VIPs (dp_vip_yield). OFF, the
	 * switchover failed and we stay active: claim them again. Not
	 * called when the role changes (role_change covers that). */
	void (*yielding)(void *arg, bool on);
	/* Active: a new session with the peer: write a bulk sync now
	 * (ha_bulk_begin, records, ha_bulk_end). */
	void (*bulk_request)(void *arg);
	/* Standby: one record from the active, in order. A negative return
	 * is counted (the record is not retried). */
	int (*record)(void *arg, uint16_t type, const uint8_t *value, uint32_t len);
	/* Active, every sync interval: write the sequence records. */
	void (*sync_tick)(void *arg);
	/* LEVEL: enum ha_log_level (the ike_log_level order). Never keys. */
	void (*log)(void *arg, int level, const char *fmt, va_list ap);
	void *arg;
};

struct ha_stats {
	uint64_t dgrams_sent, dgrams_received;
	uint64_t bytes_sent, bytes_received;	/* datagram octets */
	uint64_t heartbeats_sent, heartbeats_received;
	uint64_t hellos_sent, hellos_received;
	uint64_t records_bad;			/* record() refused */
	uint64_t records_unsupported;	/* not sent: the peer lacks the capability */
	uint64_t stalls;		/* ticks later than an interval (our own long pass) */
	uint64_t stall_max_ms;			/* the longest of them */
	uint64_t bulk_syncs_sent, bulk_syncs_received;
	uint64_t send_errors;
	uint64_t dgrams_bad;			/* authenticated, but a bad message list/value */
	uint64_t stream_resets;			/* stream broken: session dropped */
	uint64_t switchovers_failed;		/* no SWITCHOVER_DONE in time */
	uint64_t takeovers;
	uint64_t last_takeover_us;		/* duration of the host's role_change to ACTIVE */
	uint64_t last_takeover_at_ms;
	uint64_t sync_cycles;			/* TSC cycles spent in ha code (host adds) */
};

struct ha_node {
	struct ha_conf conf;
	struct ha_host_ops ops;
	struct ha_chan chan;
	struct ha_stream stream;
	struct ha_role_state role;
	uint64_t boot_id;
	uint32_t peer_caps;		/* HA_CAP_* of the peer's last HELLO */
	bool in_sync;			/* standby: last bulk sync complete, stream intact */
	bool host_yielding;		/* what ops.yielding last told the host */
	uint64_t bulk_generation;
	uint64_t next_hb_ms;
	uint64_t next_sync_ms;
	uint64_t last_peer_hb_ms;
	bool peer_was_alive;		/* role.peer_alive at the last step */
	uint64_t peer_lost_ms;		/* when the peer was last declared dead, 0: never */
	uint64_t last_tick_ms;		/* the previous ha_tick, 0: none yet */
	bool sync_was_up;		/* role.link[HA_LINK_SYNC].up at the last step */
	bool sync_lost;			/* the sync link went down while the peer lived */
	bool bulk_pending;		/* active: a bulk sync is owed to the peer */
	uint64_t last_rx_ms;		/* the last datagram given to ha_input */
	uint64_t session_up_ms;		/* the current session came up (0: none yet) */
	uint64_t tick_due_ms;		/* when ha_tick asked to run next */
	bool bulk_writing;		/* active: the host is writing one (in slices:
					 * ha_bulk_begin done, ha_bulk_end not yet) */
	uint64_t bulk_end_off;		/* stream offset just past the last BULK_END */
	uint64_t unsynced_since_ms;	/* active: peer standby reports out of sync since */
	uint8_t ctrl_pending;		/* bit (1 << enum ha_ctrl): to send on the sync link */
	uint64_t ctrl_arg[HA_CTRL_SWITCHOVER_DONE + 1];
	enum ha_switchover_state so_state;
	uint64_t so_deadline_ms;
	uint64_t so_retry_ms;		/* preemption: no new attempt before */
	uint8_t tx[HA_WIRE_DGRAM_MAX];
	uint8_t plain[HA_WIRE_DGRAM_MAX];
	struct ha_stats stats;
};

/* 0 or -errno (bad conf). */
int ha_node_init(struct ha_node *n, const struct ha_conf *conf, const struct ha_host_ops *ops);
void ha_node_fini(struct ha_node *n);

/* One datagram received from the peer on LINK (the host checked it came
 * to our HA port; LINK: 0 for the sync link, then the data links in the
 * order both appliances configure them). Bad ones are counted and
 * ignored. BUF is modified. Records reach ops.record from here (while we
 * are not active, INIT included); a control request may be answered at
 * once (ops.send), a bulk sync requested (ops.bulk_request). Returns when
 * ha_tick should run next (monotonic ms). */
uint64_t ha_input(struct ha_node *n, unsigned int link, uint8_t *buf, size_t len);
/* Heartbeats, role decisions, retransmissions, segments due, sync tick.
 * Returns the next deadline (monotonic ms): call again at that time, or
 * at the earlier time a batch of ha_input calls returned (ACKs and
 * answers go out here; ha_input returns "now" for anything but stream
 * segments, and the deadline is "now" while the stream has more to send
 * than one call's burst of HA_NODE_BURST datagrams). */
uint64_t ha_tick(struct ha_node *n);

/* Active: queue a record for the standby. 0 (also when it is dropped
 * because no session is up or a bulk sync is owed: that bulk sync will
 * carry the state), -ENOBUFS (the standby is then out of sync: a bulk
 * sync follows when the stream has drained), -EMSGSIZE, -EPERM (not
 * active). ha_bulk_begin/ha_bulk_end frame a bulk sync (from
 * ops.bulk_request); the standby is in sync at BULK_END. */
int ha_write(struct ha_node *n, uint16_t type, const void *value, uint32_t len);
int ha_bulk_begin(struct ha_node *n);
int ha_bulk_end(struct ha_node *n, uint32_t n_ike, uint32_t n_child);
/* The host could not finish the bulk sync it began (memory, a write
 * error): another is owed, requested once the stream has room. */
void ha_bulk_abort(struct ha_node *n);

/* Operator: hand the active role to the peer (it must be alive, in sync
 * and hear us on the sync link): -EAGAIN otherwise. 0: under way: one
 * ops.sync_tick now, CTRL SWITCHOVER once the stream is acknowledged, the
 * peer answers SWITCHOVER_DONE and we become standby; without an answer
 * within HA_SWITCHOVER_TIMEOUT_MS we stay active (stats.switchovers_failed).
 * The peer's preempt flag starts the same hand-off by itself. */
int ha_switchover(struct ha_node *n);
/* Operator, on the standby: ask the active for a new bulk sync. 0 or
 * -EAGAIN (not standby, no session). */
int ha_resync(struct ha_node *n);

enum ha_role ha_node_role(const struct ha_node *n);

#endif /* HA_H */
