/*
 * Unit tests of the HA node (ha/ha.c): two nodes wired in memory through
 * a fake host (a FIFO of datagrams per direction that can drop,
 * duplicate, reorder, tamper with or cut a link) on a fake clock advanced
 * 1 ms at a time. Election, bulk sync under loss, incremental records,
 * takeover, sync link loss, split brain, switchover, preemption, bad
 * datagrams, a wrong PSK, restarts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ha/ha.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	T0 = 100000,			/* fake clock start, ms */
	IV = 25,			/* interval_ms */
	DEAD_COUNT = 4,
	DEAD = IV * DEAD_COUNT,
	HOLD = 3 * DEAD,		/* default startup hold */
	N_LINKS = 3,			/* sync + 2 data links */
	BIG = 60 * 1024,		/* a large record */
	INC_LEN = 100,			/* incremental record value length */
	NODE_A = 1,
	NODE_B = 2,
};

struct dgram {
	struct dgram *next;
	unsigned int link;
	size_t len;
	uint8_t data[HA_WIRE_DGRAM_MAX];
};

struct net;

/* One appliance: the node and what its host saw. */
struct host {
	struct net *net;
	unsigned int idx;
	bool up;			/* initialised and not killed */
	struct ha_node node;
	/* callbacks */
	unsigned int role_changes;
	unsigned int yields_on, yields_off;	/* ops.yielding calls */
	bool peer_active_at_yield;	/* the peer was active when yielding began */
	enum ha_role last_role, last_old;
	enum ha_reason last_reason;
	unsigned int bulk_requests, sync_ticks;
	unsigned int write_errors;	/* ha_write refused in a callback */
	bool seq_records;		/* sync_tick writes one HA_REC_SEQ */
	/* as the active: the state a bulk sync carries */
	uint32_t state_n;
	uint32_t inc_next;		/* next incremental record number to write */
	/* as the standby: what arrived */
	uint64_t rec_total, rec_bulk, rec_inc, rec_seq, rec_seq_brief;
	uint32_t bulk_expect;		/* next bulk record number */
	uint32_t inc_expect;		/* next incremental record number */
	unsigned int bulk_begins, bulk_complete, order_errors;
	char last_log[256];
};

struct net {
	uint64_t now;
	struct host h[2];
	struct dgram *q[2];		/* from h[i] */
	uint32_t loss_pct;		/* each direction */
	uint32_t dup_pct, reorder_pct, tamper_pct;
	bool cut[HA_MAX_LINKS];		/* both directions */
	bool cut_dir[2][HA_MAX_LINKS];	/* from h[i] only */
	uint64_t rng;
	uint64_t delivered, lost, duplicated, reordered, tampered;
	uint8_t psk[2][HA_CHAN_PSK_MIN];
	size_t max_buffer;		/* ha_conf.max_buffer, 0: default */
	uint32_t caps[2];		/* ha_conf.caps per host, 0: all */
	/* A host TX queue of this many datagrams per side (0: unbounded):
	 * a send into a full queue fails like a full DPDK ring. */
	unsigned int tx_cap;
	bool tx_room_op;		/* give ha the send_room operation */
	uint64_t tx_full[2];		/* sends refused */
};

static struct net *net;			/* one per test */

/* ---- the fake host ---------------------------------------------------- */

static uint32_t
rnd(struct net *nt)
{
	nt->rng ^= nt->rng << 13;
	nt->rng ^= nt->rng >> 7;
	nt->rng ^= nt->rng << 17;
	return (uint32_t)(nt->rng >> 16);
}

static bool
chance(struct net *nt, uint32_t pct)
{
	return pct != 0 && rnd(nt) % 100 < pct;
}

static unsigned int
queued(const struct host *h)
{
	unsigned int n = 0;

	for (const struct dgram *d = h->net->q[h->idx]; d != NULL; d = d->next)
		n++;
	return n;
}

static unsigned int
h_send_room(void *arg, unsigned int link)
{
	struct host *h = arg;
	unsigned int n = queued(h);

	(void)link;
	return n < h->net->tx_cap ? h->net->tx_cap - n : 0;
}

static int
h_send(void *arg, unsigned int link, const uint8_t *data, size_t len)
{
	struct host *h = arg;
	struct dgram *d, **p;

	if (h->net->tx_cap != 0 && queued(h) >= h->net->tx_cap) {
		h->net->tx_full[h->idx]++;
		return -ENOBUFS;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || len > HA_WIRE_DGRAM_MAX || link >= N_LINKS) {
		CU_FAIL("bad send");
		free(d);
		return -EINVAL;
	}
	d->link = link;
	d->len = len;
	memcpy(d->data, data, len);
	for (p = &h->net->q[h->idx]; *p != NULL; p = &(*p)->next)
		;
	*p = d;
	return 0;
}

static uint64_t
h_now(void *arg)
{
	struct host *h = arg;

	return h->net->now;
}

static void
h_role_change(void *arg, enum ha_role role, enum ha_role old, enum ha_reason why)
{
	struct host *h = arg;

	h->role_changes++;
	h->last_role = role;
	h->last_old = old;
	h->last_reason = why;
}

static void
h_yielding(void *arg, bool on)
{
	struct host *h = arg;

	if (!on) {
		h->yields_off++;
		return;
	}
	h->yields_on++;
	h->peer_active_at_yield = h->net->h[1 - h->idx].node.role.role == HA_ROLE_ACTIVE;
}

/* Record values: number (u32) then bytes (uint8_t)(number + i). */
static bool small_records;		/* bulk records of 100..355 octets only */

static uint32_t
bulk_len(uint32_t i)
{
	if (small_records)
		return 100 + (i * 37) % 256;
	return i % 100 == 7 ? BIG : 8 + (i * 37) % 900;
}

static void
fill_value(uint8_t *v, uint32_t num, uint32_t len)
{
	v[0] = (uint8_t)(num >> 24);
	v[1] = (uint8_t)(num >> 16);
	v[2] = (uint8_t)(num >> 8);
	v[3] = (uint8_t)num;
	for (uint32_t i = 4; i < len; i++)
		v[i] = (uint8_t)(num + i);
}

/* The number of an intact value, or UINT32_MAX. */
static uint32_t
check_value(const uint8_t *v, uint32_t len)
{
	uint32_t num;

	if (len < 4)
		return UINT32_MAX;
	num = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	for (uint32_t i = 4; i < len; i++)
		if (v[i] != (uint8_t)(num + i))
			return UINT32_MAX;
	return num;
}

static void
h_bulk_request(void *arg)
{
	static uint8_t v[BIG];
	struct host *h = arg;

	h->bulk_requests++;
	h->write_errors += ha_bulk_begin(&h->node) != 0;
	for (uint32_t i = 0; i < h->state_n; i++) {
		fill_value(v, i, bulk_len(i));
		h->write_errors += ha_write(&h->node, HA_REC_IKE_SA, v, bulk_len(i)) != 0;
	}
	h->write_errors += ha_bulk_end(&h->node, h->state_n, 0) != 0;
}

static int
h_record(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct host *h = arg;
	uint32_t num = check_value(value, len);

	h->rec_total++;
	switch (type) {
	case HA_REC_BULK_BEGIN:
		h->bulk_begins++;
		h->bulk_expect = 0;
		break;
	case HA_REC_BULK_END:
		if (h->bulk_expect == h->state_n)
			h->bulk_complete++;
		break;
	case HA_REC_IKE_SA:
		h->rec_bulk++;
		if (num != h->bulk_expect++ || len != bulk_len(num))
			h->order_errors++;
		break;
	case HA_REC_CHILD:
		h->rec_inc++;
		if (num != h->inc_expect++ || len != INC_LEN)
			h->order_errors++;
		break;
	case HA_REC_SEQ:
		h->rec_seq++;
		break;
	case HA_REC_SEQ_BRIEF:
		h->rec_seq_brief++;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void
h_sync_tick(void *arg)
{
	struct host *h = arg;
	uint8_t seq[HA_WIRE_SEQ_LEN] = { 0 };

	h->sync_ticks++;
	if (h->seq_records)
		h->write_errors += ha_write(&h->node, HA_REC_SEQ, seq, sizeof(seq)) != 0;
}

static void
h_log(void *arg, int level, const char *fmt, va_list ap)
{
	struct host *h = arg;

	vsnprintf(h->last_log, sizeof(h->last_log), fmt, ap);
	if (getenv("HA_TEST_VERBOSE") != NULL)
		fprintf(stderr, "%6" PRIu64 " node %u: %s\n", h->net->now - T0, h->idx + 1,
			h->last_log);
}

static void
host_start(struct net *nt, unsigned int idx, uint8_t prio, bool preempt)
{
	struct host *h = &nt->h[idx];
	const struct ha_host_ops ops = {
		.send = h_send, .now_ms = h_now, .role_change = h_role_change,
		.yielding = h_yielding, .bulk_request = h_bulk_request, .record = h_record,
		.sync_tick = h_sync_tick,
		.log = h_log, .arg = h, .send_room = nt->tx_room_op ? h_send_room : NULL,
	};
	struct ha_conf c = {
		.role = {
			.node_id = idx == 0 ? NODE_A : NODE_B, .priority = prio,
			.preempt = preempt, .interval_ms = IV, .dead_count = DEAD_COUNT,
			.n_links = N_LINKS,
		},
		.peer_node_id = idx == 0 ? NODE_B : NODE_A,
		.psk_len = HA_CHAN_PSK_MIN,
		.sync_interval_ms = 50,
		.max_buffer = nt->max_buffer,
		.caps = nt->caps[idx],
	};

	memcpy(c.psk, nt->psk[idx], HA_CHAN_PSK_MIN);
	h->net = nt;
	h->idx = idx;
	h->bulk_expect = 0;
	CU_ASSERT_EQUAL_FATAL(ha_node_init(&h->node, &c, &ops), 0);
	h->up = true;
}

/* Stops a host: nothing more from or to it. */
static void
host_kill(struct host *h)
{
	h->up = false;
}

static struct net *
net_new(void)
{
	struct net *nt = calloc(1, sizeof(*nt));

	nt->now = T0;
	nt->rng = 0x9e3779b97f4a7c15ull;
	for (unsigned int i = 0; i < HA_CHAN_PSK_MIN; i++)
		nt->psk[0][i] = nt->psk[1][i] = (uint8_t)(0xa0 + i);
	return nt;
}

static void
queue_free(struct dgram **q)
{
	while (*q != NULL) {
		struct dgram *d = *q;

		*q = d->next;
		free(d);
	}
}

static void
net_free(struct net *nt)
{
	for (unsigned int i = 0; i < 2; i++) {
		if (nt->h[i].node.stream.buf != NULL)
			ha_node_fini(&nt->h[i].node);
		queue_free(&nt->q[i]);
	}
	free(nt);
}

static void
deliver_one(struct net *nt, unsigned int from, struct dgram *d)
{
	struct host *to = &nt->h[1 - from];

	if (!nt->h[from].up || !to->up || nt->cut[d->link] || nt->cut_dir[from][d->link] ||
	    chance(nt, nt->loss_pct)) {
		nt->lost++;
		return;
	}
	if (chance(nt, nt->tamper_pct)) {
		d->data[rnd(nt) % d->len] ^= (uint8_t)(1u << (rnd(nt) % 8));
		nt->tampered++;
	}
	if (chance(nt, nt->dup_pct)) {
		struct dgram copy = *d;

		nt->duplicated++;
		ha_input(&to->node, copy.link, copy.data, copy.len);
	}
	nt->delivered++;
	ha_input(&to->node, d->link, d->data, d->len);
}

/* Delivers everything queued, and what the deliveries make the nodes send. */
static void
net_deliver(struct net *nt)
{
	for (unsigned int round = 0; round < 8; round++) {
		bool any = false;

		for (unsigned int from = 0; from < 2; from++) {
			struct dgram *d = nt->q[from];

			nt->q[from] = NULL;
			any |= d != NULL;
			while (d != NULL) {
				struct dgram *next = d->next;

				if (next != NULL && chance(nt, nt->reorder_pct)) {
					nt->reordered++;	/* NEXT first, then D */
					d->next = next->next;
					deliver_one(nt, from, next);
					free(next);
					continue;
				}
				deliver_one(nt, from, d);
				free(d);
				d = next;
			}
		}
		if (!any)
			return;
	}
}

static void
net_run(struct net *nt, uint64_t ms)
{
	for (uint64_t i = 0; i < ms; i++) {
		nt->now++;
		for (unsigned int k = 0; k < 2; k++)
			if (nt->h[k].up)
				ha_tick(&nt->h[k].node);
		net_deliver(nt);
	}
}

/* Runs until COND holds (checked every ms), at most MAX ms. Elapsed ms. */
#define RUN_UNTIL(nt, cond, max) ({					\
	uint64_t _t = 0;						\
	while (!(cond) && _t < (max)) {					\
		net_run(nt, 1);						\
		_t++;							\
	}								\
	_t;								\
})

static struct ha_node *
node(unsigned int idx)
{
	return &net->h[idx].node;
}

static enum ha_role
role(unsigned int idx)
{
	return ha_node_role(node(idx));
}

static void
write_inc(struct host *h, unsigned int count)
{
	uint8_t v[INC_LEN];

	for (unsigned int i = 0; i < count; i++) {
		fill_value(v, h->inc_next++, INC_LEN);
		h->write_errors += ha_write(&h->node, HA_REC_CHILD, v, INC_LEN) != 0;
	}
}

static uint64_t
drops(unsigned int idx, enum ha_chan_drop why)
{
	return node(idx)->chan.drops[why];
}

static uint64_t
drops_all(unsigned int idx)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < HA_CHAN_DROP_MAX; i++)
		sum += drops(idx, i);
	return sum;
}

/* A (priority PA) active with STATE_N records synced to B (PB), standby. */
static void
pair_synced(uint8_t pa, uint8_t pb, uint32_t state_n)
{
	net = net_new();
	net->h[0].state_n = net->h[1].state_n = state_n;
	host_start(net, 0, pa, false);
	net_run(net, HOLD + 10);
	CU_ASSERT_EQUAL_FATAL(role(0), HA_ROLE_ACTIVE);
	host_start(net, 1, pb, false);
	RUN_UNTIL(net, net->h[1].node.in_sync, 5000);
	CU_ASSERT_EQUAL_FATAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_TRUE_FATAL(net->h[1].node.in_sync);
	net_run(net, IV + 1);	/* the standby's IN_SYNC reaches the active */
}

static void
pair_end(void)
{
	CU_ASSERT_EQUAL(net->h[0].write_errors, 0);
	CU_ASSERT_EQUAL(net->h[1].write_errors, 0);
	net_free(net);
	net = NULL;
}

/* ---- tests ------------------------------------------------------------ */

/* Both start at once: the lower node id wins at equal priority. */
static void
test_election_together(void)
{
	net = net_new();
	host_start(net, 0, 100, false);
	host_start(net, 1, 100, false);
	net_run(net, 2);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(node(0)->role.reason, HA_REASON_STARTUP_ELECTED);
	CU_ASSERT_EQUAL(node(1)->role.reason, HA_REASON_STARTUP_ELECTED);
	CU_ASSERT_EQUAL(node(0)->role.epoch, 1);
	CU_ASSERT_EQUAL(node(1)->role.epoch, 0);
	net_run(net, 200);
	CU_ASSERT_EQUAL(net->h[0].role_changes, 1);
	CU_ASSERT_EQUAL(net->h[1].role_changes, 1);
	CU_ASSERT_EQUAL(net->h[1].last_role, HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(net->h[1].last_old, HA_ROLE_INIT);
	CU_ASSERT_EQUAL(net->h[1].last_reason, HA_REASON_STARTUP_ELECTED);
	CU_ASSERT_EQUAL(node(0)->chan.sessions, 1);
	CU_ASSERT_EQUAL(node(1)->chan.sessions, 1);
	CU_ASSERT_EQUAL(net->h[0].bulk_requests, 1);
	CU_ASSERT_EQUAL(net->h[1].bulk_complete, 1);
	CU_ASSERT_TRUE(node(1)->in_sync);
	CU_ASSERT_EQUAL(node(0)->stats.takeovers, 0);
	CU_ASSERT_EQUAL(node(0)->stats.bulk_syncs_sent, 1);
	CU_ASSERT_EQUAL(node(1)->stats.bulk_syncs_received, 1);
	CU_ASSERT_EQUAL(drops_all(0) + drops_all(1), 0);
	CU_ASSERT_EQUAL(node(1)->stats.dgrams_bad, 0);
	/* Every link heard both ways. */
	for (unsigned int l = 0; l < N_LINKS; l++) {
		CU_ASSERT_TRUE(node(0)->role.link[l].up);
		CU_ASSERT_TRUE(node(1)->role.link[l].up);
	}
	pair_end();

	/* Priority first. */
	net = net_new();
	host_start(net, 0, 100, false);
	host_start(net, 1, 200, false);
	net_run(net, 50);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	pair_end();
}

/* One starts alone (active after the hold), the other joins as standby. */
static void
test_election_join(void)
{
	net = net_new();
	net->h[0].state_n = net->h[1].state_n = 50;
	host_start(net, 0, 100, false);
	net_run(net, HOLD - 1);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_INIT);
	net_run(net, 1);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(node(0)->role.reason, HA_REASON_STARTUP_ALONE);
	CU_ASSERT_EQUAL(node(0)->role.role_since_ms, T0 + HOLD);
	CU_ASSERT_EQUAL(net->h[0].bulk_requests, 0);	/* nobody to sync */
	net_run(net, 100);
	host_start(net, 1, 200, false);
	net_run(net, 100);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(node(1)->role.reason, HA_REASON_PEER_ACTIVE);
	CU_ASSERT_EQUAL(net->h[0].role_changes, 1);
	CU_ASSERT_EQUAL(net->h[0].bulk_requests, 1);
	CU_ASSERT_EQUAL(net->h[1].bulk_complete, 1);
	CU_ASSERT_EQUAL(net->h[1].rec_bulk, 50);
	CU_ASSERT_EQUAL(net->h[1].order_errors, 0);
	CU_ASSERT_TRUE(node(1)->in_sync);
	/* Sequence records every sync interval while the peer is up. */
	net->h[0].seq_records = true;
	net->h[0].sync_ticks = 0;
	net_run(net, 500);
	CU_ASSERT_EQUAL(net->h[0].sync_ticks, 10);
	CU_ASSERT_TRUE(net->h[1].rec_seq >= 9 && net->h[1].rec_seq <= 10);
	CU_ASSERT_EQUAL(net->h[1].sync_ticks, 0);
	pair_end();
}

/* 10,000 records (1% of 60 KiB) under 5% loss, then incremental records
 * under loss, duplication and reordering. */
static void
test_bulk_under_loss(void)
{
	struct host *a, *b;
	uint64_t t;

	net = net_new();
	a = &net->h[0];
	b = &net->h[1];
	a->state_n = b->state_n = 10000;
	net->loss_pct = 5;
	host_start(net, 0, 200, false);
	host_start(net, 1, 100, false);
	t = RUN_UNTIL(net, b->node.in_sync, 60000);
	CU_ASSERT(t < 60000);
	if (getenv("HA_TEST_VERBOSE") != NULL)
		fprintf(stderr, "bulk: %" PRIu64 " ms, %" PRIu64 " dgrams, %" PRIu64
			" bytes retransmitted, %" PRIu64 " fast, %" PRIu64 " rto\n", t,
			a->node.stats.dgrams_sent, a->node.stream.stats.bytes_retransmitted,
			a->node.stream.stats.fast_retransmits, a->node.stream.stats.retransmits);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(b->bulk_begins, 1);
	CU_ASSERT_EQUAL(b->bulk_complete, 1);
	CU_ASSERT_EQUAL(b->rec_bulk, 10000);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	CU_ASSERT_EQUAL(b->node.stats.records_bad, 0);
	CU_ASSERT_EQUAL(b->node.stream.stats.records_received, 10002);
	CU_ASSERT_EQUAL(a->node.stream.stats.records_sent, 10002);
	CU_ASSERT(a->node.stream.stats.bytes_retransmitted > 0);
	CU_ASSERT(a->node.stream.stats.fast_retransmits > 0);
	CU_ASSERT_EQUAL(a->bulk_requests, 1);
	CU_ASSERT_EQUAL(a->role_changes, 1);
	CU_ASSERT_EQUAL(b->role_changes, 1);
	/* Incremental records, a few per ms. */
	net->dup_pct = 3;
	net->reorder_pct = 3;
	for (unsigned int i = 0; i < 250; i++) {
		write_inc(a, 2);
		net_run(net, 1);
	}
	RUN_UNTIL(net, ha_stream_unacked(&a->node.stream) == 0, 5000);
	CU_ASSERT_EQUAL(b->rec_inc, 500);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	CU_ASSERT(drops(1, HA_CHAN_DROP_REPLAY) > 0);
	CU_ASSERT_EQUAL(drops(1, HA_CHAN_DROP_AUTH), 0);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(a->bulk_requests, 1);
	pair_end();
}

/* 100,000 small records without loss: a bulk sync moves fast (the
 * bursts of HA_NODE_BURST datagrams a tick, 1 ms ticks here). */
static void
test_bulk_fast(void)
{
	struct host *b;
	uint64_t t;

	small_records = true;
	net = net_new();
	b = &net->h[1];
	net->h[0].state_n = b->state_n = 100000;
	host_start(net, 0, 200, false);
	host_start(net, 1, 100, false);
	t = RUN_UNTIL(net, b->node.in_sync, 10000);
	if (getenv("HA_TEST_VERBOSE") != NULL)
		fprintf(stderr, "bulk of 100000: %" PRIu64 " ms\n", t);
	CU_ASSERT(t < 1000);
	CU_ASSERT_EQUAL(b->rec_bulk, 100000);
	CU_ASSERT_EQUAL(b->bulk_complete, 1);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	CU_ASSERT_EQUAL(net->h[0].node.stream.stats.bytes_retransmitted, 0);
	CU_ASSERT_EQUAL(net->h[0].node.stream.stats.bytes_sent,
			net->h[0].node.stream.written);
	small_records = false;
	pair_end();
}

/* A bulk sync through a host TX queue of 16 datagrams, emptied once a
 * ms: with send_room the stream fills only the room and nothing is
 * resent; without it the refused segments are losses to recover from. */
static uint64_t
bulk_through_small_queue(bool room_op, uint64_t *resent)
{
	struct host *b;
	uint64_t t;

	net = net_new();
	b = &net->h[1];
	net->tx_cap = 16;
	net->tx_room_op = room_op;
	net->h[0].state_n = b->state_n = 10000;
	host_start(net, 0, 200, false);
	host_start(net, 1, 100, false);
	t = RUN_UNTIL(net, b->node.in_sync, 60000);
	CU_ASSERT_EQUAL(b->rec_bulk, 10000);
	CU_ASSERT_EQUAL(b->bulk_complete, 1);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	*resent = net->h[0].node.stream.stats.bytes_retransmitted;
	if (getenv("HA_TEST_VERBOSE") != NULL)
		fprintf(stderr, "small queue, room op %d: %" PRIu64 " ms, %" PRIu64
			" B resent, %" PRIu64 " refused\n", room_op, t, *resent, net->tx_full[0]);
	return t;
}

static void
test_bulk_send_room(void)
{
	uint64_t resent, t;

	t = bulk_through_small_queue(true, &resent);
	CU_ASSERT(t < 60000);
	CU_ASSERT_EQUAL(resent, 0);
	CU_ASSERT_EQUAL(net->tx_full[0], 0);
	CU_ASSERT_EQUAL(net->h[0].node.stats.send_errors, 0);
	pair_end();
	bulk_through_small_queue(false, &resent);
	CU_ASSERT(resent > 0);
	CU_ASSERT(net->tx_full[0] > 0);
	pair_end();
}

static uint64_t
last_heard(unsigned int idx)
{
	uint64_t last = 0;

	for (unsigned int l = 0; l < N_LINKS; l++)
		if (node(idx)->role.link[l].last_heard_ms > last)
			last = node(idx)->role.link[l].last_heard_ms;
	return last;
}

/* The active dies: the standby takes over within a detection time. */
static void
test_kill_active(void)
{
	uint64_t killed, t;

	pair_synced(200, 100, 20);
	write_inc(&net->h[0], 5);
	net_run(net, 10);
	CU_ASSERT_EQUAL(net->h[1].rec_inc, 5);
	killed = net->now;
	host_kill(&net->h[0]);
	t = RUN_UNTIL(net, role(1) == HA_ROLE_ACTIVE, 1000);
	CU_ASSERT(t <= DEAD + IV);
	CU_ASSERT(t >= DEAD - IV);
	CU_ASSERT_EQUAL(node(1)->role.role_since_ms, last_heard(1) + DEAD);
	CU_ASSERT(node(1)->role.role_since_ms <= killed + DEAD + IV);
	CU_ASSERT_EQUAL(node(1)->role.reason, HA_REASON_PEER_DEAD);
	CU_ASSERT_EQUAL(node(1)->role.epoch, 2);
	CU_ASSERT_EQUAL(net->h[1].last_role, HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(net->h[1].last_old, HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(net->h[1].last_reason, HA_REASON_PEER_DEAD);
	CU_ASSERT_EQUAL(node(1)->stats.takeovers, 1);
	CU_ASSERT_EQUAL(node(1)->stats.last_takeover_at_ms, node(1)->role.role_since_ms);
	CU_ASSERT(node(1)->stats.last_takeover_us < 1000000);
	CU_ASSERT_FALSE(ha_chan_up(&node(1)->chan));
	CU_ASSERT_FALSE(node(1)->role.peer_alive);
	/* Alone: no writes queue up, no sync ticks. */
	CU_ASSERT_EQUAL(ha_write(node(1), HA_REC_SEQ, "x", 1), 0);
	CU_ASSERT_EQUAL(ha_stream_unacked(&node(1)->stream), 0);
	pair_end();
}

/* The sync link alone fails: no takeover, the standby is out of sync;
 * when it heals, a bulk sync again (after the records in flight). */
static void
test_sync_link_cut(void)
{
	struct host *a, *b;

	pair_synced(200, 100, 30);
	a = &net->h[0];
	b = &net->h[1];
	net->cut[HA_LINK_SYNC] = true;
	net_run(net, DEAD + IV);
	CU_ASSERT_FALSE(b->node.role.link[HA_LINK_SYNC].up);
	CU_ASSERT_TRUE(b->node.role.peer_alive);
	CU_ASSERT_FALSE(b->node.in_sync);
	write_inc(a, 10);
	net_run(net, 400);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(a->role_changes, 1);
	CU_ASSERT_EQUAL(b->role_changes, 1);
	CU_ASSERT_EQUAL(a->node.role.peer.flags & HA_HB_F_IN_SYNC, 0);
	CU_ASSERT_EQUAL(a->node.role.peer.flags & HA_HB_F_SYNC_LINK_UP, 0);
	CU_ASSERT_EQUAL(ha_switchover(&a->node), -EAGAIN);
	CU_ASSERT_EQUAL(b->rec_inc, 0);
	CU_ASSERT_EQUAL(ha_stream_unacked(&a->node.stream), 10 * (INC_LEN + 6));
	net->cut[HA_LINK_SYNC] = false;
	RUN_UNTIL(net, b->node.in_sync, 2000);
	CU_ASSERT_TRUE(b->node.in_sync);
	CU_ASSERT_EQUAL(b->rec_inc, 10);
	CU_ASSERT_EQUAL(a->bulk_requests, 2);
	CU_ASSERT_EQUAL(b->bulk_complete, 2);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	net_run(net, 500);
	CU_ASSERT_EQUAL(a->bulk_requests, 2);
	CU_ASSERT_EQUAL(a->node.chan.sessions, 1);	/* the session stayed */
	pair_end();
}

/* Every link cut: both active; after healing exactly one active within an
 * interval, by priority, then epoch, then node id. */
static void
split_brain(uint8_t pa, uint8_t pb, bool cut_from_start, unsigned int winner,
	    uint64_t epoch_a, uint64_t epoch_b)
{
	uint64_t healed, t;
	unsigned int loser = 1 - winner;

	if (cut_from_start) {
		net = net_new();
		for (unsigned int l = 0; l < N_LINKS; l++)
			net->cut[l] = true;
		host_start(net, 0, pa, false);
		host_start(net, 1, pb, false);
	} else {
		pair_synced(pa, pb, 10);
		for (unsigned int l = 0; l < N_LINKS; l++)
			net->cut[l] = true;
	}
	net_run(net, HOLD + IV);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(node(0)->role.epoch, epoch_a);
	CU_ASSERT_EQUAL(node(1)->role.epoch, epoch_b);
	for (unsigned int l = 0; l < N_LINKS; l++)
		net->cut[l] = false;
	healed = net->now;
	t = RUN_UNTIL(net, role(0) != HA_ROLE_ACTIVE || role(1) != HA_ROLE_ACTIVE, 1000);
	CU_ASSERT(t <= IV + 1);
	CU_ASSERT_EQUAL(role(winner), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(loser), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(node(loser)->role.reason, HA_REASON_SPLIT_BRAIN);
	CU_ASSERT(node(loser)->role.role_since_ms <= healed + IV + 1);
	RUN_UNTIL(net, node(loser)->in_sync, 2000);
	CU_ASSERT_TRUE(node(loser)->in_sync);
	net_run(net, 500);
	CU_ASSERT_EQUAL(role(winner), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(loser), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(net->h[loser].order_errors, 0);
	pair_end();
}

static void
test_split_brain(void)
{
	split_brain(100, 100, false, 1, 1, 2);		/* epoch: the takeover wins */
	split_brain(200, 100, false, 0, 1, 2);		/* priority first */
	split_brain(100, 100, true, 0, 1, 1);		/* then the lower node id */
	split_brain(100, 150, true, 1, 1, 1);
}

/* Operator switchover: roles swap, nothing lost either way. */
static void
test_switchover(void)
{
	struct host *a, *b;
	uint64_t epoch_a;

	pair_synced(200, 100, 40);
	a = &net->h[0];
	b = &net->h[1];
	CU_ASSERT_EQUAL(ha_switchover(&b->node), -EAGAIN);	/* not active */
	a->seq_records = true;
	write_inc(a, 20);
	epoch_a = a->node.role.epoch;
	CU_ASSERT_EQUAL(ha_switchover(&a->node), 0);
	CU_ASSERT_EQUAL(ha_switchover(&a->node), -EAGAIN);	/* under way */
	RUN_UNTIL(net, role(0) == HA_ROLE_STANDBY, 200);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(a->node.role.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(b->node.role.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(b->node.role.epoch, epoch_a + 1);
	CU_ASSERT_EQUAL(b->rec_inc, 20);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	CU_ASSERT(b->rec_seq >= 1);
	CU_ASSERT_EQUAL(b->node.stats.takeovers, 1);
	CU_ASSERT_EQUAL(a->node.stats.takeovers, 0);
	CU_ASSERT_EQUAL(a->last_reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(b->last_reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_TRUE(a->node.in_sync);
	CU_ASSERT_EQUAL(b->bulk_requests, 0);		/* the old active has it all */
	/* A yielded (VIPs handed over) before B could take over; the role
	 * change ended it, not a yielding(false). */
	CU_ASSERT_EQUAL(a->yields_on, 1);
	CU_ASSERT_FALSE(a->peer_active_at_yield);
	CU_ASSERT_EQUAL(a->yields_off, 0);
	CU_ASSERT_EQUAL(b->yields_on, 0);
	/* The new active's records reach the old one. */
	a->inc_expect = 0;
	write_inc(b, 30);
	net_run(net, 300);
	CU_ASSERT_EQUAL(a->rec_inc, 30);
	CU_ASSERT_EQUAL(a->order_errors, 0);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(a->role_changes, 2);
	CU_ASSERT_EQUAL(b->role_changes, 2);
	CU_ASSERT_EQUAL(b->bulk_requests, 0);
	/* And back, though the old active has the higher priority anyway. */
	CU_ASSERT_EQUAL(ha_switchover(&b->node), 0);
	RUN_UNTIL(net, role(0) == HA_ROLE_ACTIVE, 200);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(a->node.role.epoch, epoch_a + 2);
	pair_end();
}

/* A (this version) active, then B announcing only CAPS_B, in sync. */
static void
pair_with_caps(uint32_t caps_b, uint32_t state_n, struct host **a, struct host **b)
{
	net = net_new();
	net->caps[1] = caps_b;
	net->h[0].state_n = net->h[1].state_n = state_n;
	host_start(net, 0, 200, false);
	net_run(net, HOLD + 10);
	host_start(net, 1, 100, false);
	*a = &net->h[0];
	*b = &net->h[1];
	RUN_UNTIL(net, (*b)->node.in_sync, 5000);
	CU_ASSERT_TRUE_FATAL((*b)->node.in_sync);
}

/* Rolling upgrade: B (an older version) announces IKE state only. A
 * sends it what B takes and counts the rest; a switchover to a peer
 * without the capability is refused; the pair still fails over. */
static void
test_capabilities(void)
{
	struct host *a, *b;

	pair_with_caps(HA_CAP_IKE_STATE, 5, &a, &b);
	CU_ASSERT_EQUAL(a->node.peer_caps, HA_CAP_IKE_STATE);
	CU_ASSERT_EQUAL(b->node.peer_caps, HA_CAP_SEQ_SYNC | HA_CAP_IKE_STATE |
			HA_CAP_SWITCHOVER | HA_CAP_SEQ_BRIEF);
	a->seq_records = true;
	write_inc(a, 7);
	net_run(net, 500);
	CU_ASSERT_EQUAL(b->rec_inc, 7);			/* IKE state: delivered */
	CU_ASSERT_EQUAL(b->rec_seq, 0);			/* sequence records: not sent */
	CU_ASSERT_EQUAL(a->node.stats.records_unsupported, 10);	/* one per sync tick */
	CU_ASSERT_EQUAL(ha_switchover(&a->node), -EOPNOTSUPP);
	host_kill(a);
	RUN_UNTIL(net, role(1) == HA_ROLE_ACTIVE, 500);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(b->node.role.reason, HA_REASON_PEER_DEAD);
	pair_end();
}

/* Rolling upgrade from the version before HA_CAP_SEQ_BRIEF: B takes
 * HA_REC_SEQ but not the brief records, which A counts and does not
 * send; a peer of this version gets both. */
static void
test_capability_seq_brief(void)
{
	uint8_t brief[HA_WIRE_SEQ_BRIEF_LEN] = { 0 }, seq[HA_WIRE_SEQ_LEN] = { 0 };
	struct host *a, *b;
	uint64_t unsupported;

	pair_with_caps(HA_CAP_SEQ_SYNC | HA_CAP_IKE_STATE | HA_CAP_SWITCHOVER, 0, &a, &b);
	unsupported = a->node.stats.records_unsupported;
	CU_ASSERT_EQUAL(ha_write(&a->node, HA_REC_SEQ_BRIEF, brief, sizeof(brief)), 0);
	CU_ASSERT_EQUAL(ha_write(&a->node, HA_REC_SEQ, seq, sizeof(seq)), 0);
	net_run(net, 200);
	CU_ASSERT_EQUAL(a->node.stats.records_unsupported, unsupported + 1);
	CU_ASSERT_EQUAL(b->rec_seq_brief, 0);
	CU_ASSERT_EQUAL(b->rec_seq, 1);
	/* The other way round B (active after a switchover) may send both. */
	CU_ASSERT_EQUAL(ha_switchover(&a->node), 0);
	RUN_UNTIL(net, role(1) == HA_ROLE_ACTIVE && role(0) == HA_ROLE_STANDBY, 500);
	CU_ASSERT_EQUAL_FATAL(role(1), HA_ROLE_ACTIVE);
	RUN_UNTIL(net, a->node.in_sync, 5000);
	CU_ASSERT_EQUAL(ha_write(&b->node, HA_REC_SEQ_BRIEF, brief, sizeof(brief)), 0);
	net_run(net, 200);
	CU_ASSERT_EQUAL(a->rec_seq_brief, 1);
	pair_end();
}

/* The SWITCHOVER request never arrives: the active gives up after 1 s. */
static void
test_switchover_timeout(void)
{
	struct host *a;
	uint64_t t;

	pair_synced(200, 100, 5);
	a = &net->h[0];
	CU_ASSERT_EQUAL(ha_switchover(&a->node), 0);
	net->cut_dir[0][HA_LINK_SYNC] = true;
	t = RUN_UNTIL(net, a->node.stats.switchovers_failed != 0, 3000);
	CU_ASSERT(t <= HA_SWITCHOVER_TIMEOUT_MS + 1);
	CU_ASSERT_EQUAL(a->node.stats.switchovers_failed, 1);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_FALSE(a->node.role.yielding);
	CU_ASSERT_EQUAL(a->node.so_state, HA_SO_IDLE);
	/* It had yielded the VIPs: claimed again. */
	CU_ASSERT_EQUAL(a->yields_on, 1);
	CU_ASSERT_EQUAL(a->yields_off, 1);
	pair_end();
}

/* A higher-priority peer with preempt takes the active role once in sync,
 * and keeps it. */
static void
test_preemption(void)
{
	net = net_new();
	net->h[0].state_n = net->h[1].state_n = 25;
	host_start(net, 0, 100, false);
	net_run(net, HOLD + 10);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	host_start(net, 1, 200, true);
	RUN_UNTIL(net, role(1) == HA_ROLE_ACTIVE, 2000);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(node(1)->role.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(node(0)->role.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(net->h[1].bulk_complete, 1);
	CU_ASSERT_EQUAL(net->h[1].rec_bulk, 25);
	net_run(net, 2000);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(net->h[0].role_changes, 2);
	CU_ASSERT_EQUAL(net->h[1].role_changes, 2);
	CU_ASSERT_EQUAL(node(0)->stats.switchovers_failed, 0);
	pair_end();
}

/* Tampered, duplicated and replayed datagrams are counted and ignored. */
static void
test_bad_datagrams(void)
{
	struct host *a, *b;
	struct dgram saved;
	uint64_t before, replays;

	pair_synced(200, 100, 10);
	a = &net->h[0];
	b = &net->h[1];
	before = drops_all(0) + drops_all(1);
	CU_ASSERT_EQUAL(before, 0);
	net->tamper_pct = 20;
	for (unsigned int i = 0; i < 100; i++) {
		write_inc(a, 1);
		net_run(net, 2);
	}
	net->tamper_pct = 0;
	RUN_UNTIL(net, ha_stream_unacked(&a->node.stream) == 0, 3000);
	CU_ASSERT(net->tampered > 0);
	CU_ASSERT_EQUAL(drops_all(0) + drops_all(1), net->tampered);
	CU_ASSERT_EQUAL(b->rec_inc, 100);
	CU_ASSERT_EQUAL(b->order_errors, 0);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(a->node.chan.sessions, 1);
	/* Duplicates: each one a replay. */
	before = drops(0, HA_CHAN_DROP_REPLAY) + drops(1, HA_CHAN_DROP_REPLAY);
	net->dup_pct = 10;
	net_run(net, 300);
	net->dup_pct = 0;
	CU_ASSERT(net->duplicated > 0);
	replays = drops(0, HA_CHAN_DROP_REPLAY) + drops(1, HA_CHAN_DROP_REPLAY) - before;
	CU_ASSERT_EQUAL(replays, net->duplicated);
	/* A datagram captured and replayed later. */
	net_run(net, IV);
	CU_ASSERT_FATAL(net->q[0] == NULL);
	write_inc(a, 1);
	ha_tick(&a->node);
	CU_ASSERT_FATAL(net->q[0] != NULL);
	saved = *net->q[0];
	net_deliver(net);
	before = drops(1, HA_CHAN_DROP_REPLAY);
	ha_input(&b->node, saved.link, saved.data, saved.len);
	CU_ASSERT_EQUAL(drops(1, HA_CHAN_DROP_REPLAY), before + 1);
	/* Truncated and foreign ones. */
	before = drops(1, HA_CHAN_DROP_MALFORMED);
	ha_input(&b->node, 0, saved.data, 10);
	CU_ASSERT_EQUAL(drops(1, HA_CHAN_DROP_MALFORMED), before + 1);
	before = drops(1, HA_CHAN_DROP_FOREIGN);
	saved.data[9] ^= 0x40;	/* sender node id, low byte */
	ha_input(&b->node, 0, saved.data, saved.len);
	CU_ASSERT_EQUAL(drops(1, HA_CHAN_DROP_FOREIGN), before + 1);
	CU_ASSERT_EQUAL(b->node.stats.dgrams_bad, 0);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	pair_end();
}

/* ha_input's answer: after a datagram of stream segments alone the tick
 * may wait (for the delayed ACK, or an earlier deadline of the node's);
 * after a heartbeat, or a segment out of order (its ACK is due at once),
 * it is due now. */
static void
test_input_due(void)
{
	struct host *a, *b;
	struct dgram seg, *d;
	uint64_t due;

	pair_synced(200, 100, 10);
	a = &net->h[0];
	b = &net->h[1];
	net_run(net, 1);
	CU_ASSERT_FATAL(net->q[0] == NULL);
	write_inc(a, 1);
	ha_tick(&a->node);
	d = net->q[0];
	CU_ASSERT_FATAL(d != NULL && d->link == 0 && d->next == NULL);
	seg = *d;
	net->q[0] = NULL;
	free(d);
	due = ha_input(&b->node, seg.link, seg.data, seg.len);
	CU_ASSERT(due > net->now);
	CU_ASSERT(due <= net->now + HA_STREAM_ACK_DELAY_MS);
	CU_ASSERT_EQUAL(b->rec_inc, 1);
	/* The same segment again: a duplicate, its ACK owed now. The channel
	 * would drop the replayed datagram, so A seals it anew. */
	a->node.stream.resend = a->node.stream.acked;
	ha_tick(&a->node);
	d = net->q[0];
	CU_ASSERT_FATAL(d != NULL);
	seg = *d;
	net->q[0] = NULL;
	free(d);
	CU_ASSERT_EQUAL(ha_input(&b->node, seg.link, seg.data, seg.len), net->now);
	CU_ASSERT_EQUAL(b->rec_inc, 1);
	/* A heartbeat (on each link at the interval; link 1 carries nothing
	 * else): due now. */
	net->now = a->node.next_hb_ms;
	ha_tick(&a->node);
	for (d = net->q[0]; d != NULL && d->link != 1; d = d->next)
		;
	CU_ASSERT_FATAL(d != NULL);
	seg = *d;
	CU_ASSERT_EQUAL(ha_input(&b->node, seg.link, seg.data, seg.len), net->now);
	net_run(net, 1);
	pair_end();
}

/* Different keys: no session ever, no HELLO counts as heard, each node
 * becomes active alone after the startup hold. */
static void
test_wrong_psk(void)
{
	net = net_new();
	net->psk[1][5] ^= 1;
	host_start(net, 0, 100, false);
	host_start(net, 1, 100, false);
	net_run(net, HOLD - 1);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_INIT);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_INIT);
	net_run(net, 1);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(node(0)->role.reason, HA_REASON_STARTUP_ALONE);
	CU_ASSERT_EQUAL(node(1)->role.reason, HA_REASON_STARTUP_ALONE);
	net_run(net, 500);
	for (unsigned int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(node(i)->chan.sessions, 0);
		CU_ASSERT_FALSE(ha_chan_up(&node(i)->chan));
		CU_ASSERT_FALSE(node(i)->role.peer_alive);
		CU_ASSERT_FALSE(node(i)->role.peer.known);
		for (unsigned int l = 0; l < N_LINKS; l++)
			CU_ASSERT_EQUAL(node(i)->role.link[l].heard, 0);
		CU_ASSERT_EQUAL(drops(i, HA_CHAN_DROP_AUTH), node(i)->stats.dgrams_received);
		CU_ASSERT_EQUAL(node(i)->stats.hellos_received, 0);
		CU_ASSERT_EQUAL(node(i)->stats.heartbeats_sent, 0);
		CU_ASSERT_EQUAL(node(i)->stats.hellos_sent, node(1 - i)->stats.dgrams_received);
		CU_ASSERT_EQUAL(net->h[i].role_changes, 1);
	}
	CU_ASSERT_EQUAL(node(0)->stats.hellos_sent, (HOLD + 500) / IV * N_LINKS);
	pair_end();
}

/* The standby restarts: new session, bulk sync again. The active then
 * restarts: the standby holding the state becomes active, not the
 * restarted node of higher priority. */
static void
test_restarts(void)
{
	struct host *a, *b;

	pair_synced(200, 100, 15);
	a = &net->h[0];
	b = &net->h[1];
	ha_node_fini(&b->node);
	memset(b, 0, sizeof(*b));
	b->state_n = 15;
	host_start(net, 1, 100, false);
	RUN_UNTIL(net, b->node.in_sync, 1000);
	CU_ASSERT_TRUE(b->node.in_sync);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(b->rec_bulk, 15);
	CU_ASSERT_EQUAL(a->node.chan.sessions, 2);
	CU_ASSERT_EQUAL(a->bulk_requests, 2);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_ACTIVE);
	net_run(net, IV + 1);
	/* The active restarts at once (within the detection time). */
	ha_node_fini(&a->node);
	memset(a, 0, sizeof(*a));
	a->state_n = 15;
	host_start(net, 0, 200, false);
	RUN_UNTIL(net, role(1) == HA_ROLE_ACTIVE, 1000);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	RUN_UNTIL(net, a->node.in_sync, 1000);
	CU_ASSERT_TRUE(a->node.in_sync);
	CU_ASSERT_EQUAL(a->rec_bulk, 15);
	CU_ASSERT_EQUAL(role(1), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(role(0), HA_ROLE_STANDBY);
	pair_end();
}

/* -ENOBUFS: the peer is out of sync; a bulk sync follows once drained. */
static void
test_enobufs(void)
{
	struct host *a, *b;
	uint8_t v[BIG] = { 0 };
	int rc = 0;
	unsigned int i;

	pair_synced(200, 100, 3);
	a = &net->h[0];
	b = &net->h[1];
	CU_ASSERT_EQUAL(a->node.stream.max_cap, HA_DEFAULT_MAX_BUFFER);
	a->node.stream.max_cap = 1u << 20;	/* as if ha_conf.max_buffer said so */
	a->node.conf.max_buffer = 1u << 20;
	net->cut[HA_LINK_SYNC] = true;
	for (i = 0; i < 2000 && rc == 0; i++)
		rc = ha_write(&a->node, HA_REC_SEQ, v, sizeof(v));
	CU_ASSERT_EQUAL(rc, -ENOBUFS);
	CU_ASSERT_EQUAL(i, ((1u << 20) / (BIG + 6)) + 1);
	CU_ASSERT_TRUE(a->node.bulk_pending);
	CU_ASSERT_EQUAL(ha_write(&a->node, HA_REC_SEQ, v, 10), 0);	/* dropped */
	net->cut[HA_LINK_SYNC] = false;
	RUN_UNTIL(net, b->bulk_complete == 2, 20000);
	CU_ASSERT_EQUAL(b->bulk_complete, 2);
	CU_ASSERT_EQUAL(b->rec_seq, i - 1);
	CU_ASSERT_EQUAL(a->bulk_requests, 2);
	CU_ASSERT_TRUE(b->node.in_sync);
	pair_end();
}

/* Resync on request; conf checks. */
static void
test_resync_and_conf(void)
{
	struct ha_node n;
	struct ha_conf c = { 0 };
	const struct ha_host_ops ops = { .send = h_send, .now_ms = h_now };

	pair_synced(200, 100, 7);
	CU_ASSERT_EQUAL(ha_resync(node(0)), -EAGAIN);	/* active */
	CU_ASSERT_EQUAL(ha_resync(node(1)), 0);
	net_run(net, 50);
	CU_ASSERT_EQUAL(net->h[0].bulk_requests, 2);
	CU_ASSERT_EQUAL(net->h[1].bulk_complete, 2);
	CU_ASSERT_EQUAL(net->h[1].rec_bulk, 14);
	CU_ASSERT_EQUAL(ha_write(node(1), HA_REC_SEQ, "x", 1), -EPERM);
	pair_end();

	CU_ASSERT_EQUAL(ha_node_init(&n, &c, &ops), -EINVAL);
	c.role = (struct ha_role_conf){ .node_id = 1, .priority = 1, .interval_ms = 25,
					.dead_count = 4, .n_links = 1 };
	c.peer_node_id = 2;
	c.psk_len = HA_CHAN_PSK_MIN;
	CU_ASSERT_EQUAL(ha_node_init(&n, &c, NULL), -EINVAL);
	c.role.n_links = HA_MAX_LINKS + 1;
	CU_ASSERT_EQUAL(ha_node_init(&n, &c, &ops), -EINVAL);
	c.role.n_links = 1;
	c.peer_node_id = 3;	/* same lowest bit */
	CU_ASSERT_EQUAL(ha_node_init(&n, &c, &ops), -EINVAL);
	c.peer_node_id = 2;
	c.psk_len = HA_CHAN_PSK_MIN - 1;
	CU_ASSERT_EQUAL(ha_node_init(&n, &c, &ops), -EINVAL);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "election, both starting", test_election_together },
		{ "election, one alone then the other", test_election_join },
		{ "bulk sync of 10000 records under loss", test_bulk_under_loss },
		{ "bulk sync of 100000 small records", test_bulk_fast },
		{ "bulk sync into a small TX queue (send_room)", test_bulk_send_room },
		{ "kill of the active", test_kill_active },
		{ "sync link cut alone", test_sync_link_cut },
		{ "split brain", test_split_brain },
		{ "switchover", test_switchover },
		{ "switchover timeout", test_switchover_timeout },
		{ "capabilities (rolling upgrade)", test_capabilities },
		{ "capabilities: no brief SEQ to an older peer", test_capability_seq_brief },
		{ "preemption", test_preemption },
		{ "ha_input: when the tick is due", test_input_due },
		{ "tampered, duplicated, replayed datagrams", test_bad_datagrams },
		{ "wrong PSK", test_wrong_psk },
		{ "restarts", test_restarts },
		{ "stream full", test_enobufs },
		{ "resync and configuration", test_resync_and_conf },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ha_node", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
