/*
 * One appliance's HA node (ha.h): the secure channel, the record stream
 * and the roles put together. Every interval a HELLO (no session) or a
 * DATA heartbeat goes out on every link; the sync link (link 0) also
 * carries the stream's segments, ACKs and control requests. The host
 * gives datagrams (ha_input) and time (ha_tick) and gets callbacks.
 *
 * Bulk syncs are owed to the peer (bulk_pending) after a new session, a
 * takeover or election while the peer lives, a RESYNC request, a full
 * stream (-ENOBUFS), the sync link coming back, or a standby that keeps
 * reporting itself out of sync with none in flight; one is written (the
 * host's bulk_request) once the stream has room. The host may write it
 * in slices over many polls (bulk_writing) while incremental records go
 * on: a record for an IKE SA the bulk sync has not reached yet is applied
 * first and then replaced by the bulk's newer copy; the sequence state is
 * written once, at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "ha/ha.h"

enum {
	HA_PLAIN_MAX = HA_WIRE_DGRAM_MAX - HA_CHAN_DATA_OVERHEAD,
	HA_CAPS = HA_CAP_SEQ_SYNC | HA_CAP_IKE_STATE | HA_CAP_SWITCHOVER | HA_CAP_SEQ_BRIEF,
	HA_BULK_BEGIN_LEN = 8,		/* generation */
	HA_BULK_END_LEN = 16,		/* generation, IKE SAs, CHILD SAs */
	HA_BULK_ROOM_DIV = 4,		/* a bulk starts with at most 1/4 of the buffer used */
	/* A tick this late (after the deadline ha_tick gave) means the host
	 * was not running us. */
	HA_AWAY_MS = 2,
	/* Room kept after the segments for an ACK and every control request. */
	HA_TAIL_RESERVE = HA_WIRE_MSG_HDR_LEN + HA_WIRE_ACK_LEN +
			  3 * (HA_WIRE_MSG_HDR_LEN + HA_WIRE_CTRL_LEN),
	HA_NS_PER_US = 1000,
	HA_US_PER_S = 1000000,
};

static void __attribute__((format(printf, 3, 4)))
node_log(struct ha_node *n, int level, const char *fmt, ...)
{
	va_list ap;

	if (n->ops.log == NULL)
		return;
	va_start(ap, fmt);
	n->ops.log(n->ops.arg, level, fmt, ap);
	va_end(ap);
}

static uint64_t
node_now(struct ha_node *n)
{
	return n->ops.now_ms(n->ops.arg);
}

static void
put_be(uint8_t *p, uint64_t v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < sizeof(v); i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- configuration ---------------------------------------------------- */

static int
conf_check(const struct ha_conf *c)
{
	const struct ha_role_conf *r = &c->role;

	if (r->node_id == 0 || c->peer_node_id == 0 || r->node_id == c->peer_node_id)
		return -EINVAL;
	if (r->priority == 0 || r->interval_ms == 0 || r->dead_count < 2)
		return -EINVAL;
	if (r->n_links == 0 || r->n_links > HA_MAX_LINKS)
		return -EINVAL;
	if (c->psk_len < HA_CHAN_PSK_MIN || c->psk_len > HA_CHAN_PSK_MAX)
		return -EINVAL;
	return 0;
}

int
ha_node_init(struct ha_node *n, const struct ha_conf *conf, const struct ha_host_ops *ops)
{
	int rc;

	memset(n, 0, sizeof(*n));
	if (conf == NULL || ops == NULL || ops->send == NULL || ops->now_ms == NULL)
		return -EINVAL;
	rc = conf_check(conf);
	if (rc != 0)
		return rc;
	n->conf = *conf;
	n->ops = *ops;
	if (n->conf.sync_interval_ms == 0)
		n->conf.sync_interval_ms = HA_DEFAULT_SYNC_INTERVAL_MS;
	if (n->conf.max_buffer == 0)
		n->conf.max_buffer = HA_DEFAULT_MAX_BUFFER;
	if (n->conf.caps == 0)
		n->conf.caps = HA_CAPS;
	rc = ha_chan_init(&n->chan, conf->role.node_id, conf->peer_node_id, conf->psk,
			  conf->psk_len);
	if (rc != 0)
		goto fail;
	rc = ha_stream_init(&n->stream, n->conf.max_buffer);
	if (rc != 0) {
		ha_chan_fini(&n->chan);
		goto fail;
	}
	explicit_bzero(n->conf.psk, sizeof(n->conf.psk));	/* the channel keeps its own */
	memcpy(&n->boot_id, n->chan.nonce, sizeof(n->boot_id));	/* random per start */
	ha_role_init(&n->role, &conf->role, node_now(n));
	n->next_hb_ms = n->role.started_ms;
	n->next_sync_ms = n->role.started_ms;
	return 0;
fail:
	memset(n->conf.psk, 0, sizeof(n->conf.psk));
	return rc;
}

void
ha_node_fini(struct ha_node *n)
{
	ha_stream_fini(&n->stream);
	ha_chan_fini(&n->chan);
	explicit_bzero(n->conf.psk, sizeof(n->conf.psk));
}

enum ha_role
ha_node_role(const struct ha_node *n)
{
	return n->role.role;
}

/* ---- state predicates ------------------------------------------------- */

static bool
sync_up(const struct ha_node *n)
{
	return n->role.link[HA_LINK_SYNC].up;
}

/* Standby: what we report as IN_SYNC. */
static bool
standby_in_sync(const struct ha_node *n)
{
	return n->in_sync && sync_up(n) && ha_chan_up(&n->chan);
}

/* Active: the peer is a standby holding all we sent. */
static bool
peer_in_sync(const struct ha_node *n)
{
	const struct ha_role_state *r = &n->role;

	return r->peer_alive && ha_chan_up(&n->chan) && sync_up(n) &&
	       r->peer.role == HA_WIRE_ROLE_STANDBY && (r->peer.flags & HA_HB_F_IN_SYNC) &&
	       !n->bulk_pending && !n->bulk_writing && n->stream.acked >= n->bulk_end_off;
}

/* ---- sending ---------------------------------------------------------- */

static int
node_send(struct ha_node *n, unsigned int link, size_t len)
{
	int rc = n->ops.send(n->ops.arg, link, n->tx, len);

	if (rc < 0) {
		n->stats.send_errors++;
		return rc;
	}
	n->stats.dgrams_sent++;
	n->stats.bytes_sent += len;
	return 0;
}

static void
send_hello(struct ha_node *n, unsigned int link)
{
	struct ha_wire_hello h = {
		.priority = n->conf.role.priority,
		.role = (uint8_t)n->role.role,
		.caps = n->conf.caps,
		.epoch = n->role.epoch,
		.boot_id = n->boot_id,
	};
	ssize_t len = ha_chan_hello(&n->chan, (uint8_t)link, &h, n->tx, sizeof(n->tx));

	if (len < 0) {
		n->stats.send_errors++;
		return;
	}
	if (node_send(n, link, (size_t)len) == 0)
		n->stats.hellos_sent++;
}

static int
seal_send(struct ha_node *n, unsigned int link, size_t plain_len)
{
	ssize_t len = ha_chan_seal(&n->chan, (uint8_t)link, n->plain, plain_len, n->tx,
				   sizeof(n->tx));

	if (len < 0)
		return (int)len;
	return node_send(n, link, (size_t)len);
}

static uint8_t
hb_flags(const struct ha_node *n)
{
	uint8_t f = 0;

	if (n->role.role == HA_ROLE_STANDBY && standby_in_sync(n))
		f |= HA_HB_F_IN_SYNC;
	if (sync_up(n))
		f |= HA_HB_F_SYNC_LINK_UP;
	if (n->conf.role.preempt)
		f |= HA_HB_F_PREEMPT;
	return f;
}

static ssize_t
put_heartbeat(struct ha_node *n, uint8_t *buf, size_t cap, uint64_t now)
{
	struct ha_wire_heartbeat hb = {
		.role = (uint8_t)n->role.role,
		.priority = n->conf.role.priority,
		.flags = hb_flags(n),
		.epoch = n->role.epoch,
		.boot_id = n->boot_id,
		.sent_ms = (uint32_t)now,
	};
	uint8_t v[HA_WIRE_HEARTBEAT_LEN];

	if (ha_wire_heartbeat_encode(&hb, v, sizeof(v)) != HA_WIRE_HEARTBEAT_LEN)
		return -EINVAL;
	return ha_wire_msg_encode(HA_MSG_HEARTBEAT, 0, v, sizeof(v), buf, cap);
}

static void
ctrl_queue(struct ha_node *n, enum ha_ctrl req, uint64_t arg)
{
	n->ctrl_pending |= (uint8_t)(1u << req);
	n->ctrl_arg[req] = arg;
}

static size_t
put_ctrls(struct ha_node *n, uint8_t *buf, size_t cap)
{
	uint8_t v[HA_WIRE_CTRL_LEN];
	size_t off = 0;
	unsigned int req;

	for (req = HA_CTRL_RESYNC; req <= HA_CTRL_SWITCHOVER_DONE; req++) {
		struct ha_wire_ctrl c = { .request = (uint8_t)req, .arg = n->ctrl_arg[req] };
		ssize_t k;

		if (!(n->ctrl_pending & (1u << req)))
			continue;
		if (ha_wire_ctrl_encode(&c, v, sizeof(v)) != HA_WIRE_CTRL_LEN)
			continue;
		k = ha_wire_msg_encode(HA_MSG_CTRL, 0, v, sizeof(v), buf + off, cap - off);
		if (k < 0)
			break;
		off += (size_t)k;
		n->ctrl_pending &= (uint8_t)~(1u << req);
	}
	return off;
}

/* Fills the sync-link plaintext after OFF: segments (in stream order),
 * then the ACK and control requests (after the records they follow). */
static size_t
fill_sync(struct ha_node *n, size_t off, uint64_t now)
{
	ssize_t k;

	if (!ha_chan_up(&n->chan))
		return off;
	while (off + HA_TAIL_RESERVE < HA_PLAIN_MAX && ha_stream_want_send(&n->stream, now)) {
		k = ha_stream_next_segment(&n->stream, now, n->plain + off,
					   HA_PLAIN_MAX - HA_TAIL_RESERVE - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	k = ha_stream_ack_msg(&n->stream, n->plain + off, HA_PLAIN_MAX - off, now,
			      off > 0 || n->ctrl_pending != 0);
	if (k > 0)
		off += (size_t)k;
	return off + put_ctrls(n, n->plain + off, HA_PLAIN_MAX - off);
}

/* Sends what the sync link owes (segments, ACK, requests), a burst at most. */
static void
flush_sync(struct ha_node *n, uint64_t now)
{
	unsigned int i, burst = HA_NODE_BURST;
	size_t len;

	if (n->ops.send_room != NULL) {
		unsigned int room = n->ops.send_room(n->ops.arg, HA_LINK_SYNC);

		burst = room < burst ? room : burst;
	}
	for (i = 0; i < burst; i++) {
		len = fill_sync(n, 0, now);
		if (len == 0 || seal_send(n, HA_LINK_SYNC, len) != 0)
			break;
	}
}

/* The interval's datagram on LINK: HELLO while no session is confirmed,
 * a heartbeat (with the sync link's due messages) whenever we can seal. */
static void
send_link(struct ha_node *n, unsigned int link, uint64_t now)
{
	ssize_t k;
	size_t off;

	if (!ha_chan_up(&n->chan) || n->chan.next.valid)
		send_hello(n, link);
	k = put_heartbeat(n, n->plain, HA_PLAIN_MAX, now);
	if (k < 0)
		return;
	off = (size_t)k;
	if (link == HA_LINK_SYNC)
		off = fill_sync(n, off, now);
	if (seal_send(n, link, off) == 0)
		n->stats.heartbeats_sent++;
}

/* ---- roles ------------------------------------------------------------ */

static uint64_t
elapsed_us(const struct timespec *a, const struct timespec *b)
{
	int64_t us = (int64_t)(b->tv_sec - a->tv_sec) * HA_US_PER_S +
		     (b->tv_nsec - a->tv_nsec) / HA_NS_PER_US;

	return us > 0 ? (uint64_t)us : 0;
}

static bool
reason_is_takeover(enum ha_reason why)
{
	return why == HA_REASON_PEER_DEAD || why == HA_REASON_SPLIT_BRAIN ||
	       why == HA_REASON_SWITCHOVER;
}

/* The role just changed from OLD: tell the host, measure a takeover. */
static void
role_changed(struct ha_node *n, enum ha_role old, uint64_t now)
{
	enum ha_role role = n->role.role;
	enum ha_reason why = n->role.reason;
	struct timespec t0, t1;

	node_log(n, HA_LOG_NOTICE, "ha: role %s -> %s (%s), epoch %" PRIu64, ha_role_name(old),
		 ha_role_name(role), ha_reason_name(why), n->role.epoch);
	n->so_state = HA_SO_IDLE;
	n->unsynced_since_ms = 0;
	n->bulk_writing = false;
	if (role != HA_ROLE_ACTIVE) {
		n->bulk_pending = false;
		if (n->ops.role_change != NULL)
			n->ops.role_change(n->ops.arg, role, old, why);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (n->ops.role_change != NULL)
		n->ops.role_change(n->ops.arg, role, old, why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	n->stats.last_takeover_us = elapsed_us(&t0, &t1);
	n->stats.last_takeover_at_ms = now;
	if (reason_is_takeover(why))
		n->stats.takeovers++;
	n->in_sync = false;
	n->next_sync_ms = now;
	/* A switchover's old active holds everything already. */
	n->bulk_pending = why != HA_REASON_SWITCHOVER;
}

static void
node_set_role(struct ha_node *n, enum ha_role role, enum ha_reason why, uint64_t now)
{
	enum ha_role old = n->role.role;

	ha_role_set(&n->role, role, why, now);
	if (old != role)
		role_changed(n, old, now);
}

/* The session is gone (peer dead, broken stream): both sides start over. */
static void
session_down(struct ha_node *n, const char *why)
{
	if (ha_chan_up(&n->chan))
		node_log(n, HA_LOG_WARNING, "ha: session down (%s)", why);
	ha_chan_reset(&n->chan);
	ha_stream_reset(&n->stream);
	n->in_sync = false;
	n->bulk_pending = false;
	n->bulk_writing = false;
	n->bulk_end_off = 0;
	n->ctrl_pending = 0;
	n->so_state = HA_SO_IDLE;
	n->role.yielding = false;
}

/* Peer and sync-link liveness changes seen by the last role step. */
static void
liveness_events(struct ha_node *n, uint64_t now)
{
	bool alive = n->role.peer_alive, sync = sync_up(n);

	if (n->peer_was_alive && !alive) {
		node_log(n, HA_LOG_WARNING, "ha: peer %u dead (no link heard for %" PRIu64 " ms; "
			 "last datagram read %" PRIu64 " ms ago)", n->conf.peer_node_id,
			 ha_role_dead_ms(&n->role), n->last_rx_ms != 0 ? now - n->last_rx_ms : 0);
		session_down(n, "peer dead");
		n->peer_lost_ms = now;
	} else if (!n->peer_was_alive && alive) {
		node_log(n, HA_LOG_NOTICE, "ha: peer %u alive", n->conf.peer_node_id);
	}
	if (n->sync_was_up && !sync && alive) {
		node_log(n, HA_LOG_WARNING, "ha: sync link down, peer alive on a data link");
		n->sync_lost = true;
		n->in_sync = false;
	} else if (!n->sync_was_up && sync && n->sync_lost) {
		node_log(n, HA_LOG_NOTICE, "ha: sync link up again");
		n->sync_lost = false;
		ha_stream_kick(&n->stream, now);
		if (n->role.role == HA_ROLE_ACTIVE)
			n->bulk_pending = true;
	}
	if (!alive)
		n->sync_lost = false;
	n->peer_was_alive = alive;
	n->sync_was_up = sync;
}

static void
node_step(struct ha_node *n, uint64_t now)
{
	enum ha_role old = n->role.role;
	int rc = ha_role_step(&n->role, standby_in_sync(n), now);

	liveness_events(n, now);
	if (rc >= 0)
		role_changed(n, old, now);
	if (n->role.split_won) {
		/* We stay active, but the peer was active too and sent on our
		 * SAs: the host moves past what it may have used. */
		n->role.split_won = false;
		node_log(n, HA_LOG_WARNING, "ha: split brain won against peer %u (epoch %" PRIu64
			 "), active since %" PRIu64 " ms", n->conf.peer_node_id, n->role.peer.epoch,
			 n->peer_lost_ms != 0 ? now - n->peer_lost_ms : 0);
		if (n->ops.role_change != NULL)
			n->ops.role_change(n->ops.arg, HA_ROLE_ACTIVE, HA_ROLE_ACTIVE,
					   HA_REASON_SPLIT_BRAIN);
	}
}

/* ---- bulk sync, sequence sync, switchover ----------------------------- */

static void
bulk_maybe(struct ha_node *n)
{
	if (!n->bulk_pending || n->role.role != HA_ROLE_ACTIVE || !n->role.peer_alive ||
	    !ha_chan_up(&n->chan) || !sync_up(n))
		return;
	if (ha_stream_unacked(&n->stream) > n->conf.max_buffer / HA_BULK_ROOM_DIV)
		return;
	n->bulk_pending = false;
	node_log(n, HA_LOG_INFO, "ha: bulk sync %" PRIu64 " to peer %u", n->bulk_generation + 1,
		 n->conf.peer_node_id);
	if (n->ops.bulk_request != NULL)
		n->ops.bulk_request(n->ops.arg);
}

/* Active: a standby that keeps saying it is out of sync while no bulk is
 * owed or in flight gets one (a lost marker, a race at a role change). */
static void
watch_peer_sync(struct ha_node *n, uint64_t now)
{
	const struct ha_role_state *r = &n->role;
	bool owed = r->role == HA_ROLE_ACTIVE && r->peer_alive && ha_chan_up(&n->chan) &&
		    sync_up(n) && r->peer.role == HA_WIRE_ROLE_STANDBY &&
		    (r->peer.flags & HA_HB_F_SYNC_LINK_UP) &&
		    !(r->peer.flags & HA_HB_F_IN_SYNC) && !n->bulk_pending &&
		    !n->bulk_writing && n->stream.acked >= n->bulk_end_off;

	if (!owed) {
		n->unsynced_since_ms = 0;
	} else if (n->unsynced_since_ms == 0) {
		n->unsynced_since_ms = now;
	} else if (now - n->unsynced_since_ms >= ha_role_dead_ms(r)) {
		node_log(n, HA_LOG_NOTICE, "ha: peer %u stays out of sync: bulk sync again",
			 n->conf.peer_node_id);
		n->bulk_pending = true;
		n->unsynced_since_ms = 0;
	}
}

static void
sync_step(struct ha_node *n, uint64_t now)
{
	if (n->role.role != HA_ROLE_ACTIVE || !n->role.peer_alive || !ha_chan_up(&n->chan))
		return;
	if (now < n->next_sync_ms)
		return;
	n->next_sync_ms = now + n->conf.sync_interval_ms;
	/* During a bulk sync the sequence state goes with its end. */
	if (n->ops.sync_tick != NULL && !n->bulk_pending && !n->bulk_writing)
		n->ops.sync_tick(n->ops.arg);
}

static void
switchover_start(struct ha_node *n, uint64_t now)
{
	if (n->ops.sync_tick != NULL)
		n->ops.sync_tick(n->ops.arg);
	n->so_state = HA_SO_DRAIN;
	n->so_deadline_ms = now + HA_SWITCHOVER_TIMEOUT_MS;
}

static void
switchover_fail(struct ha_node *n, uint64_t now)
{
	node_log(n, HA_LOG_WARNING, "ha: switchover to peer %u failed: staying active",
		 n->conf.peer_node_id);
	n->so_state = HA_SO_IDLE;
	n->role.yielding = false;
	n->so_retry_ms = now + HA_SWITCHOVER_TIMEOUT_MS;
	n->stats.switchovers_failed++;
}

static void
switchover_step(struct ha_node *n, uint64_t now)
{
	if (n->role.role != HA_ROLE_ACTIVE) {
		n->so_state = HA_SO_IDLE;
		return;
	}
	switch (n->so_state) {
	case HA_SO_IDLE:
		if (now >= n->so_retry_ms && ha_role_peer_preempts(&n->role) && peer_in_sync(n)) {
			node_log(n, HA_LOG_NOTICE, "ha: peer %u preempts (priority %u > %u)",
				 n->conf.peer_node_id, n->role.peer.priority,
				 n->conf.role.priority);
			switchover_start(n, now);
		}
		break;
	case HA_SO_DRAIN:
		if (now >= n->so_deadline_ms) {
			switchover_fail(n, now);
		} else if (ha_stream_unacked(&n->stream) == 0) {
			n->role.yielding = true;
			n->so_state = HA_SO_SENT;
			ctrl_queue(n, HA_CTRL_SWITCHOVER, n->role.epoch);
		}
		break;
	case HA_SO_SENT:
		if (now >= n->so_deadline_ms)
			switchover_fail(n, now);
		break;
	}
}

/* ---- receiving -------------------------------------------------------- */

static void
peer_heard(struct ha_node *n, unsigned int link, const struct ha_peer_view *v, uint64_t now)
{
	if (n->role.peer.known && v->boot_id != n->role.peer.boot_id)
		node_log(n, HA_LOG_NOTICE, "ha: peer %u restarted", n->conf.peer_node_id);
	ha_role_heard(&n->role, link, v, now);
}

static void
on_hello(struct ha_node *n, unsigned int link, const struct ha_chan_rx *rx, uint64_t now)
{
	const struct ha_wire_hello *h = &rx->hello;
	struct ha_peer_view v = {
		.known = true,
		.role = h->role,
		.priority = h->priority,
		.epoch = h->epoch,
		.boot_id = h->boot_id,
		.node_id = rx->hdr.node_id,
	};

	n->stats.hellos_received++;
	n->peer_caps = h->caps;
	if (n->role.peer.known && n->role.peer.boot_id == h->boot_id) {
		v.flags = n->role.peer.flags;	/* a HELLO carries no flags */
		v.has_flags = n->role.peer.has_flags;
	}
	/* Only a HELLO that echoes our current nonce proves the peer alive
	 * now: an old one, replayed, must not hold off a takeover. */
	if (rx->fresh)
		peer_heard(n, link, &v, now);
	if (rx->want_hello)
		send_hello(n, link);
	/* Keys derived: a DATA datagram confirms them, no need to wait. */
	if (n->chan.next.valid)
		n->next_hb_ms = now;
}

static void
on_session(struct ha_node *n)
{
	node_log(n, HA_LOG_NOTICE, "ha: session %08x up with peer %u", n->chan.cur.id,
		 n->conf.peer_node_id);
	/* A standby keeps in_sync: its state is the newest there is (the
	 * active restarted?) until a BULK_BEGIN says otherwise. */
	ha_stream_reset(&n->stream);
	n->session_up_ms = node_now(n);
	n->bulk_end_off = 0;
	n->ctrl_pending = 0;
	n->so_state = HA_SO_IDLE;
	n->role.yielding = false;
	n->bulk_pending = n->role.role == HA_ROLE_ACTIVE;
	n->bulk_writing = false;
}

/* Stream records: delivered to the host unless we are active. */
static int
on_record(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct ha_node *n = arg;

	if (n->role.role == HA_ROLE_ACTIVE)
		return 0;
	if (type == HA_REC_BULK_BEGIN) {
		n->in_sync = false;
		if (len >= HA_BULK_BEGIN_LEN)
			n->bulk_generation = get_be64(value);
	}
	if (n->ops.record != NULL && n->ops.record(n->ops.arg, type, value, len) < 0)
		n->stats.records_bad++;
	if (type == HA_REC_BULK_END) {
		n->in_sync = true;
		n->stats.bulk_syncs_received++;
		node_log(n, HA_LOG_INFO, "ha: bulk sync %" PRIu64 " from peer %u complete",
			 n->bulk_generation, n->conf.peer_node_id);
	}
	return 0;
}

static void
on_ctrl(struct ha_node *n, const struct ha_wire_ctrl *c, uint64_t now)
{
	struct ha_role_state *r = &n->role;

	switch (c->request) {
	case HA_CTRL_RESYNC:
		if (r->role == HA_ROLE_ACTIVE)
			n->bulk_pending = true;
		break;
	case HA_CTRL_SWITCHOVER:
		if (r->role == HA_ROLE_STANDBY) {
			if (c->arg > r->peer.epoch)
				r->peer.epoch = c->arg;
			node_set_role(n, HA_ROLE_ACTIVE, HA_REASON_SWITCHOVER, now);
		}
		if (r->role == HA_ROLE_ACTIVE && r->reason == HA_REASON_SWITCHOVER)
			ctrl_queue(n, HA_CTRL_SWITCHOVER_DONE, r->epoch);
		break;
	case HA_CTRL_SWITCHOVER_DONE:
		if (r->role != HA_ROLE_ACTIVE || n->so_state != HA_SO_SENT)
			break;
		r->peer.role = HA_WIRE_ROLE_ACTIVE;
		if (c->arg > r->peer.epoch)
			r->peer.epoch = c->arg;
		node_set_role(n, HA_ROLE_STANDBY, HA_REASON_SWITCHOVER, now);
		n->in_sync = true;	/* we held everything a moment ago */
		break;
	}
}

static int
on_heartbeat(struct ha_node *n, unsigned int link, const struct ha_chan_rx *rx,
	     const struct ha_wire_msg *m, uint64_t now)
{
	struct ha_wire_heartbeat hb;
	struct ha_peer_view v = { .known = true, .has_flags = true, .node_id = rx->hdr.node_id };

	if (ha_wire_heartbeat_decode(m->value, m->len, &hb) != 0)
		return -EBADMSG;
	v.role = hb.role;
	v.priority = hb.priority;
	v.flags = hb.flags;
	v.epoch = hb.epoch;
	v.boot_id = hb.boot_id;
	n->stats.heartbeats_received++;
	n->last_peer_hb_ms = now;
	peer_heard(n, link, &v, now);
	return 0;
}

/* One message of an authenticated DATA datagram. -EBADMSG: a bad value;
 * -EPIPE: the stream broke and the session was dropped. */
static int
on_msg(struct ha_node *n, unsigned int link, const struct ha_chan_rx *rx,
       const struct ha_wire_msg *m, uint64_t now)
{
	struct ha_wire_segment seg;
	struct ha_wire_ack ack;
	struct ha_wire_ctrl ctrl;

	switch (m->type) {
	case HA_MSG_HEARTBEAT:
		return on_heartbeat(n, link, rx, m, now);
	case HA_MSG_SEGMENT:
		if (ha_wire_segment_decode(m->value, m->len, &seg) != 0)
			return -EBADMSG;
		if (ha_stream_on_segment(&n->stream, &seg, now, on_record, n) != 0) {
			n->stats.stream_resets++;
			session_down(n, "stream broken");
			return -EPIPE;
		}
		return 0;
	case HA_MSG_ACK:
		if (ha_wire_ack_decode(m->value, m->len, &ack) != 0)
			return -EBADMSG;
		return ha_stream_on_ack(&n->stream, &ack, now);
	case HA_MSG_CTRL:
		if (ha_wire_ctrl_decode(m->value, m->len, &ctrl) != 0)
			return -EBADMSG;
		on_ctrl(n, &ctrl, now);
		return 0;
	}
	return -EBADMSG;
}

/* A message list that runs past its end is dropped whole. */
static bool
msgs_well_formed(const struct ha_chan_rx *rx)
{
	struct ha_wire_msg m;
	size_t off = 0;
	int rc;

	while ((rc = ha_wire_msg_next(rx->plain, rx->plain_len, &off, &m)) == 1)
		;
	return rc == 0;
}

/* The host learns when a switchover of ours starts yielding and when it
 * ends without a role change (failed, session lost); a role change is
 * role_change's. */
static void
yield_notify(struct ha_node *n)
{
	bool want = n->role.role == HA_ROLE_ACTIVE && n->role.yielding;

	if (want == n->host_yielding)
		return;
	n->host_yielding = want;
	if (n->ops.yielding != NULL && n->role.role == HA_ROLE_ACTIVE)
		n->ops.yielding(n->ops.arg, want);
}

/* True when the DATA datagram carried nothing but stream segments. */
static bool
on_data(struct ha_node *n, unsigned int link, const struct ha_chan_rx *rx, uint64_t now)
{
	struct ha_wire_msg m;
	bool segments_only = true;
	size_t off = 0;
	int rc;

	if (!msgs_well_formed(rx)) {
		n->stats.dgrams_bad++;
		return false;
	}
	ha_role_link_heard(&n->role, link, now);
	while (ha_wire_msg_next(rx->plain, rx->plain_len, &off, &m) == 1) {
		segments_only = segments_only && m.type == HA_MSG_SEGMENT;
		rc = on_msg(n, link, rx, &m, now);
		if (rc == -EPIPE)
			return false;
		if (rc < 0) {
			n->stats.dgrams_bad++;
			segments_only = false;
		}
	}
	return segments_only;
}

static uint64_t next_deadline(const struct ha_node *n, uint64_t now);

uint64_t
ha_input(struct ha_node *n, unsigned int link, uint8_t *buf, size_t len)
{
	struct ha_chan_rx rx;
	uint64_t now = node_now(n);
	bool segments_only = false;

	n->stats.dgrams_received++;
	n->stats.bytes_received += len;
	n->last_rx_ms = now;
	if (link >= n->role.conf.n_links || ha_chan_open(&n->chan, buf, len, &rx) != 0)
		return now;
	if (rx.new_session)
		on_session(n);
	if (rx.is_hello)
		on_hello(n, link, &rx, now);
	else
		segments_only = on_data(n, link, &rx, now) && !rx.new_session;
	bulk_maybe(n);
	yield_notify(n);
	if (n->ctrl_pending != 0)
		flush_sync(n, now);
	/* Segments alone ask for nothing but an ACK, which may wait for its
	 * deadline (a standby receiving the sync of moving SAs would
	 * otherwise run a whole tick per burst of datagrams). */
	return segments_only ? next_deadline(n, now) : now;
}

/* ---- the tick --------------------------------------------------------- */

static uint64_t
next_deadline(const struct ha_node *n, uint64_t now)
{
	uint64_t next = n->next_hb_ms, t;

	if (ha_chan_up(&n->chan) && (ha_stream_want_send(&n->stream, now) ||
				      n->ctrl_pending != 0))
		return now;
	t = ha_role_next_deadline(&n->role);
	next = t < next ? t : next;
	t = ha_chan_up(&n->chan) ? ha_stream_ack_deadline(&n->stream) : UINT64_MAX;
	next = t < next ? t : next;
	if (n->stream.rto_deadline_ms != 0 && n->stream.rto_deadline_ms < next)
		next = n->stream.rto_deadline_ms;
	if (n->role.role == HA_ROLE_ACTIVE && n->role.peer_alive && n->next_sync_ms < next)
		next = n->next_sync_ms;
	if (n->so_state != HA_SO_IDLE && n->so_deadline_ms < next)
		next = n->so_deadline_ms;
	return next > now ? next : now;
}

/* Our own stall (a long pass of the host: a bulk sync written or applied,
 * a burst of IKE work, the OS running something else) must not count
 * against the peer: its heartbeats and ACKs are waiting in our input
 * queue, unread. The time we were away beyond one interval is added to
 * every link's last-heard time, so only silence we were there to hear can
 * make the peer dead; the stream's RTO waits as long (ha_stream_away). */
static void
stall_forgive(struct ha_node *n, uint64_t now)
{
	uint64_t gap = n->last_tick_ms != 0 && now > n->last_tick_ms ? now - n->last_tick_ms : 0;
	uint64_t extra;

	n->last_tick_ms = now;
	if (n->tick_due_ms != 0 && now > n->tick_due_ms + HA_AWAY_MS)
		ha_stream_away(&n->stream, now - n->tick_due_ms);
	if (gap <= n->conf.role.interval_ms)
		return;
	extra = gap - n->conf.role.interval_ms;
	n->stats.stalls++;
	if (gap > n->stats.stall_max_ms)
		n->stats.stall_max_ms = gap;
	if (gap >= ha_role_dead_ms(&n->role))
		node_log(n, HA_LOG_NOTICE, "ha: not run for %" PRIu64 " ms (a detection time): "
			 "forgiven to the peer", gap);
	for (unsigned int i = 0; i < n->role.conf.n_links; i++) {
		struct ha_link_state *l = &n->role.link[i];

		if (l->last_heard_ms != 0)
			l->last_heard_ms = l->last_heard_ms + extra < now ?
					   l->last_heard_ms + extra : now;
	}
}

uint64_t
ha_tick(struct ha_node *n)
{
	uint64_t now = node_now(n);
	unsigned int link;

	stall_forgive(n, now);
	node_step(n, now);
	switchover_step(n, now);
	watch_peer_sync(n, now);
	bulk_maybe(n);
	sync_step(n, now);
	if (now >= n->next_hb_ms) {
		n->next_hb_ms = now + n->conf.role.interval_ms;
		if (n->so_state == HA_SO_SENT)
			ctrl_queue(n, HA_CTRL_SWITCHOVER, n->role.epoch);
		for (link = 0; link < n->role.conf.n_links; link++)
			send_link(n, link, now);
	}
	yield_notify(n);
	flush_sync(n, now);
	n->tick_due_ms = next_deadline(n, now);
	return n->tick_due_ms;
}

/* ---- the host's writes and requests ----------------------------------- */

/* The capability a record type needs from the peer (0: none). */
static uint32_t
rec_cap(uint16_t type)
{
	switch (type) {
	case HA_REC_SEQ:
		return HA_CAP_SEQ_SYNC;
	case HA_REC_SEQ_BRIEF:
		return HA_CAP_SEQ_SYNC | HA_CAP_SEQ_BRIEF;
	case HA_REC_IKE_SA:
	case HA_REC_IKE_SA_DEL:
	case HA_REC_CHILD:
	case HA_REC_CHILD_DEL:
		return HA_CAP_IKE_STATE;
	default:
		return 0;
	}
}

int
ha_write(struct ha_node *n, uint16_t type, const void *value, uint32_t len)
{
	int rc;

	if (n->role.role != HA_ROLE_ACTIVE)
		return -EPERM;
	if ((n->peer_caps & rec_cap(type)) != rec_cap(type)) {
		n->stats.records_unsupported++;
		return 0;
	}
	/* No session, or a bulk sync owed: the bulk sync will carry it. */
	if (!ha_chan_up(&n->chan) || n->bulk_pending)
		return 0;
	rc = ha_stream_write(&n->stream, type, value, len);
	if (rc == -ENOBUFS) {
		node_log(n, HA_LOG_WARNING, "ha: stream full (%" PRIu64 " bytes unacked): "
			 "peer %u out of sync", ha_stream_unacked(&n->stream),
			 n->conf.peer_node_id);
		n->bulk_pending = true;
		n->bulk_writing = false;	/* that one is abandoned */
	}
	return rc;
}

int
ha_bulk_begin(struct ha_node *n)
{
	uint8_t v[HA_BULK_BEGIN_LEN];
	int rc;

	put_be(v, n->bulk_generation + 1, sizeof(v));
	if (n->role.role != HA_ROLE_ACTIVE)
		return -EPERM;
	n->bulk_generation++;
	n->stats.bulk_syncs_sent++;
	rc = ha_write(n, HA_REC_BULK_BEGIN, v, sizeof(v));
	n->bulk_writing = rc == 0 && ha_chan_up(&n->chan) && !n->bulk_pending;
	return rc;
}

int
ha_bulk_end(struct ha_node *n, uint32_t n_ike, uint32_t n_child)
{
	uint8_t v[HA_BULK_END_LEN];
	int rc;

	put_be(v, n->bulk_generation, sizeof(uint64_t));
	put_be(v + 8, n_ike, sizeof(uint32_t));
	put_be(v + 12, n_child, sizeof(uint32_t));
	rc = ha_write(n, HA_REC_BULK_END, v, sizeof(v));
	if (rc == 0)
		n->bulk_end_off = n->stream.written;
	n->bulk_writing = false;
	return rc;
}

void
ha_bulk_abort(struct ha_node *n)
{
	n->bulk_writing = false;
	n->bulk_pending = n->role.role == HA_ROLE_ACTIVE;
}

int
ha_switchover(struct ha_node *n)
{
	if (n->role.role != HA_ROLE_ACTIVE || n->so_state != HA_SO_IDLE || !peer_in_sync(n))
		return -EAGAIN;
	if (!(n->peer_caps & HA_CAP_SWITCHOVER))
		return -EOPNOTSUPP;
	node_log(n, HA_LOG_NOTICE, "ha: switchover to peer %u requested", n->conf.peer_node_id);
	switchover_start(n, node_now(n));
	return 0;
}

int
ha_resync(struct ha_node *n)
{
	if (n->role.role != HA_ROLE_STANDBY || !ha_chan_up(&n->chan))
		return -EAGAIN;
	ctrl_queue(n, HA_CTRL_RESYNC, 0);
	flush_sync(n, node_now(n));
	return 0;
}
