/*
 * The HA node (ha/ha.h) hosted in hagw's control core: its datagrams on
 * the sync link and the data links (UDP through the punt path and
 * dp_udp_send), its timer in the control loop, and what its callbacks do
 * to the rest of the appliance:
 *   ctl_ha_sync.c      the active writes IKE SA / CHILD SA state as the
 *                      IKE daemon reports it, sequence state every sync
 *                      interval, and the whole state for a bulk sync; the
 *                      standby applies those records (IKE SAs passive,
 *                      CHILD SAs installed inactive in the SAD)
 *   ctl_ha_seq.c       the sequence state the active writes: the SAs that
 *                      moved, their rates
 *   ctl_ha_takeover.c  becoming active (activate every SA with its
 *                      sequence margin, IKE takeover, VIPs and their
 *                      announcement) and standby (the reverse)
 * Everything runs on the control core.
 */
#ifndef HAGW_CTL_HA_H
#define HAGW_CTL_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/udp_local.h"
#include "ha/ha.h"
#include "ike/ike_host.h"

struct hagw;
struct json_object;

/* One link to the peer: our address on it and the peer's. */
struct ctl_ha_link {
	uint8_t port;			/* dp port index */
	struct dp_udp_end local;	/* port: cfg ha.port */
	struct dp_udp_end peer;
};

/* Per SAD id: the outbound rate behind the takeover margin, and what
 * the last sequence record said (unchanged SAs are not sent again). The
 * active samples an SA when it visits it: every sync tick while it moves
 * (ctl_ha_seq.c). */
struct ctl_ha_sa_seq {
	uint64_t last_seq;		/* outbound counter at the last sample */
	uint64_t last_ms;
	uint64_t last_tick;		/* ctl_ha.seq_ticks at the last sample */
	uint64_t child_id;		/* whose SA the samples are (0: static or none) */
	uint32_t rate_pps;		/* peak-hold with decay; standby: as shipped */
	uint32_t rate_slow_pps;		/* the same, decaying 32 times slower (split brain) */
	uint64_t sent_seq;		/* out_seq or win top last shipped */
	uint32_t spi;			/* of the SA at this id, as of the last rebase */
	uint8_t dir;			/* enum dp_sa_dir, the same */
	bool sent;
	bool sampled;			/* last_* belong to the SA now at this id */
	bool is_static;			/* a static SA from the config (static_ids) */
};

struct ctl_ha_takeover_info {
	uint64_t at_ms;			/* dp_now_ms() when it started, 0: never */
	uint64_t duration_us;		/* role_change to ACTIVE, all work included */
	uint32_t sas;			/* SAs activated */
	uint64_t max_margin;		/* largest outbound sequence advance */
	uint32_t ike_sas;		/* IKE SAs taken over */
	int reason;			/* enum ha_reason */
};

struct ctl_ha {
	struct hagw *h;
	struct ha_node node;
	uint8_t n_links;
	struct ctl_ha_link link[HA_MAX_LINKS];
	uint16_t port;			/* cfg ha.port */
	uint8_t node_bit;		/* IV node bit: node_id & 1 */
	uint64_t detect_ms;		/* interval x dead_count */
	uint32_t sync_interval_ms;
	uint64_t margin_floor;
	uint32_t margin_safety;
	uint32_t rekey_spread_s;	/* 0: no rekey after takeover */
	uint64_t next_ms;		/* ha_tick's next deadline */
	uint32_t n_seq;			/* = SAD size */
	struct ctl_ha_sa_seq *seq;
	/* Sync ticks visit the SAs the workers marked as moved (sa.h) in this
	 * collection or the one before (ctl_ha_seq.c). */
	uint32_t moved_words;
	uint64_t *moved_cur;		/* this tick's marks */
	uint64_t *moved_prev;		/* the previous tick's */
	uint64_t seq_ticks;		/* collections so far */
	uint64_t seq_collect_ms;	/* dp_now_ms() of the last one, 0: none */
	uint8_t *buf;			/* one serialized record */
	struct ike_sa_state *sa_scratch;	/* a record being applied */
	struct ike_child_state *child_scratch;
	/* The static SAs from the config (there when HA starts, never removed):
	 * their sequence state is keyed by SPI and direction. */
	uint32_t n_static;
	uint32_t *static_ids;
	/* Standby bulk sync: the IKE SA ids a bulk sync carried (bulk_n), so
	 * those it did not carry can be forgotten at its end; the ids are
	 * kept only when there can be any (!bulk_from_empty), bulk_n counts
	 * them either way. */
	uint64_t *bulk_ids;
	size_t bulk_n, bulk_cap;
	uint64_t *bulk_child_ids;	/* the same for CHILD SAs */
	size_t bulk_child_n, bulk_child_cap;
	bool in_bulk;
	bool bulk_from_empty;		/* no IKE SA held when it began */
	/* The last bulk sync received, timed on this appliance's clock (a
	 * rejoining standby: session up -> every record applied). */
	struct ctl_ha_bulk_rx_info {
		uint64_t session_ms;	/* the session it came in */
		uint64_t begin_ms;	/* BULK_BEGIN applied */
		uint64_t end_ms;	/* BULK_END applied, 0: none yet */
		uint64_t ike_sas, child_sas;
	} bulk_rx;
	/* Active: the bulk sync being written, a slice per control-loop pass
	 * (ctl_ha_bulk_step): the ids of the IKE SAs it carries, from the
	 * start. IKE SAs made after it are carried by their own records. */
	struct ctl_ha_bulk_tx {
		uint64_t *ids;
		size_t n, next;		/* IKE SAs; the next one's records */
		size_t seq_next;	/* then the next one's sequence entries */
		uint32_t n_ike, n_child;
		bool active;
	} bulk_tx;
	/* VIP announcements still to send after a takeover. */
	uint32_t announce_left;
	uint64_t next_announce_ms;
	struct ctl_ha_takeover_info takeover;
	/* Counters. */
	uint64_t rx_bad;		/* not a UDP datagram we could read */
	uint64_t rx_unknown_link;	/* to ha.port but not from a configured peer address */
	uint64_t records_applied;
	uint64_t records_failed;
	uint64_t seq_entries_sent;
	uint64_t seq_visits;		/* SAs looked at by sync ticks and bulk syncs */
	uint64_t seq_entries_applied;
	uint64_t events_dropped;	/* IKE events while no standby listened */
	uint64_t cycles;		/* TSC cycles in HA code (sync cost) */
};

/* With cfg->ha.enabled: reads the sync key, builds the node, declares
 * the VIPs, puts every SA (static ones) and IKE into standby until the
 * role is decided, sets h->ha. Without: 0, h->ha stays NULL. -errno with
 * the reason in err: the daemon must not start. After ctl_ike_start. */
int ctl_ha_start(struct hagw *h, char *err, size_t err_len);
void ctl_ha_stop(struct hagw *h);

/* Control loop, each pass: the node's timers. Work done (0/1). */
unsigned int ctl_ha_poll(struct ctl_ha *ha, uint64_t now_ms);
/* A datagram to cfg ha.port (ctl_udp.h service; ARG: the ctl_ha). */
void ctl_ha_input(void *arg, const struct dp_udp_dgram *d);
/* True when this appliance may send for its SAs (no HA: always). */
static inline bool
ctl_ha_active(const struct ctl_ha *ha)
{
	return ha == NULL || ha->node.role.role == HA_ROLE_ACTIVE;
}

/* The IKE daemon's state hook (ike_host.h state_event), ctl_ha_sync.c. */
void ctl_ha_ike_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
		      const struct ike_child_state *child);

/* ha_host_ops of the node (ctl_ha_sync.c, ctl_ha_takeover.c). */
void ctl_ha_bulk_request(void *arg);
/* Active: writes the next slice of a bulk sync in progress, while the
 * stream holds less than a few MiB not yet acknowledged (the control core
 * never stalls on a large bulk sync, and the peer's dead timer never sees
 * one); the sequence state and BULK_END after the last. True when it
 * wrote something (the stream wants a flush). */
bool ctl_ha_bulk_step(struct ctl_ha *ha);
void ctl_ha_bulk_tx_stop(struct ctl_ha *ha);
int ctl_ha_record(void *arg, uint16_t type, const uint8_t *value, uint32_t len);
void ctl_ha_sync_tick(void *arg);
void ctl_ha_role_change(void *arg, enum ha_role role, enum ha_role old, enum ha_reason why);
/* ha_host_ops.yielding: our switchover hands the VIPs over (dp_vip_yield),
 * or failed and we claim them again. */
void ctl_ha_yielding(void *arg, bool on);
/* Sequence state (ctl_ha_seq.c): a record of TYPE (HA_REC_SEQ_BRIEF to a
 * peer with HA_CAP_SEQ_BRIEF, else HA_REC_SEQ) per call of EMIT, SEQ_BATCH
 * entries at most: ctl_ha_seq_write for the SAs that moved since the last
 * call (a sync tick); a bulk sync's, every SA whether it moved or not, in
 * parts it spreads over its passes (every SA in one pass took ~300 ms at
 * 200,000 SAs, longer than the failure detection): the entries of the
 * installed CHILD SAs among CHILD_IDS (N of them), and those of the static
 * SAs. 0 or the first error EMIT returned. */
typedef int (*ctl_ha_seq_emit_fn)(void *arg, uint16_t type, const uint8_t *entries,
				  uint32_t len);
int ctl_ha_seq_write(struct ctl_ha *ha, ctl_ha_seq_emit_fn emit, void *arg);
int ctl_ha_seq_write_children(struct ctl_ha *ha, const uint64_t *child_ids, unsigned int n,
			      ctl_ha_seq_emit_fn emit, void *arg);
int ctl_ha_seq_write_static(struct ctl_ha *ha, ctl_ha_seq_emit_fn emit, void *arg);
/* The outbound rate of SAD id SA_ID (packets/s; SLOW: the slowly decaying
 * one) as if it had been sampled at every sync tick since its last sample;
 * on a standby, as shipped. */
uint32_t ctl_ha_seq_rate(const struct ctl_ha *ha, uint32_t sa_id, bool slow);
/* Standby bulk sync bookkeeping (ctl_ha_bulk.c): the IKE SAs and CHILD
 * SAs it carried; at its end the others are forgotten. */
int ctl_ha_bulk_begin(struct ctl_ha *ha);
int ctl_ha_bulk_seen(struct ctl_ha *ha, uint64_t ike_sa_id);
int ctl_ha_bulk_seen_child(struct ctl_ha *ha, uint64_t child_id);
int ctl_ha_bulk_end(struct ctl_ha *ha);
/* Sends the VIP announcements still due (ctl_ha_takeover.c). */
void ctl_ha_announce_poll(struct ctl_ha *ha, uint64_t now_ms);

/* show ha as JSON (ctl_cmds_ha.c). */
struct json_object *ctl_ha_json(const struct ctl_ha *ha);

#endif
