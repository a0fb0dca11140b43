/* HA of the IKE daemon (ike/ike_ha.c, ike/ike_task_msgid_sync.c): three
 * in-memory daemons, client C, gateway A (active) and gateway B (standby,
 * passive, same configuration). Every state event of A is serialized
 * (ike_state_ser.h) and imported into B, as the HA link does. Then A dies,
 * C's datagrams go to B, B takes over: C's retransmission is answered from
 * the copied response cache with A's bytes, C's next requests get the right
 * message IDs, rekeys work, RFC 6311 IKEV2_MESSAGE_ID_SYNC moves both
 * sides to the values §5.1 prescribes, the SK IV counter moved past A's.
 * Also: import errors, forget with lease release, passive mode, state
 * events after every exchange in both roles, spread rekeys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "ike/ike_ctx_priv.h"
#include "ike/ike_ha.h"
#include "ike/ike_state_ser.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"
#include "tests/unit/cu_run.h"
#include "tests/unit/ike/ike_pair.h"

enum { NODE_C, NODE_A, NODE_B, NODES };

enum {
	NET_QUEUE_MAX = 128,
	NET_STEPS_MAX = 1000,
	HDR_MSGID_OFF = 20,             /* RFC 7296 §3.1 */
	HDR_FLAGS_OFF = 19,
	WALL_BASE = 1700000000,
	TEST_IV_MARGIN = 5000,
};

struct dgram {
	int from;
	int to;
	struct ike_addr src;
	struct ike_addr dst;
	size_t len;
	uint8_t *data;
};

struct net;

struct node {
	struct net *net;
	int idx;
	struct ike_ctx *ctx;
	struct cfg_ike *cfg;
	int n_in;
	int n_out;
	int n_removed;
	int n_ev[IKE_EV_CHILD_DOWN + 1];
	int n_sent;
	struct dgram last;              /* copy of the last datagram sent */
};

struct net {
	struct node n[NODES];
	uint64_t now_ms;
	int gw;                         /* who gets what C sends to the gateway */
	bool dead[NODES];               /* datagrams to it are lost */
	bool sync;                      /* A's state events go to B */
	int drop_to[NODES];             /* lose the next N datagrams to that node */
	int imported;                   /* records B accepted */
	int import_err;                 /* ... refused */
	int qn;
	struct dgram q[NET_QUEUE_MAX];
};

static struct node *
node_of(void *arg)
{
	return arg;
}

static void
dgram_set(struct dgram *d, int from, int to, const struct ike_addr *src,
	  const struct ike_addr *dst, const uint8_t *data, size_t len)
{
	d->from = from;
	d->to = to;
	d->src = *src;
	d->dst = *dst;
	d->len = len;
	d->data = malloc(len);
	if (d->data == NULL)
		abort();
	memcpy(d->data, data, len);
}

static int
h_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
       const uint8_t *data, size_t len)
{
	struct node *s = node_of(arg);
	struct net *net = s->net;
	int to = s->idx == NODE_C ? net->gw : NODE_C;

	s->n_sent++;
	free(s->last.data);
	dgram_set(&s->last, s->idx, to, local, remote, data, len);
	if (net->drop_to[to] > 0) {
		net->drop_to[to]--;
		return 0;
	}
	if (net->qn < NET_QUEUE_MAX)
		dgram_set(&net->q[net->qn++], s->idx, to, local, remote, data, len);
	return 0;
}

static uint64_t
h_now_ms(void *arg)
{
	return node_of(arg)->net->now_ms;
}

static uint64_t
h_wall_s(void *arg)
{
	return WALL_BASE + node_of(arg)->net->now_ms / 1000;
}

static int
h_in(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *child)
{
	node_of(arg)->n_in++;
	return 0;
}

static int
h_out(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *child)
{
	node_of(arg)->n_out++;
	return 0;
}

static void
h_remove(void *arg, const struct ike_child_state *child)
{
	node_of(arg)->n_removed++;
}

/* The HA link: A's record serialized, read back, imported into B. */
static int
ship(struct net *net, enum ike_state_event ev, const struct ike_sa_state *ike,
     const struct ike_child_state *child)
{
	struct ike_ctx *b = net->n[NODE_B].ctx;
	size_t cap = ike_sa_state_max_len() > ike_child_state_max_len() ?
		     ike_sa_state_max_len() : ike_child_state_max_len();
	uint8_t *buf = malloc(cap);
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct ike_child_state *cs = calloc(1, sizeof(*cs));
	ssize_t len;
	int rc = -ENOMEM;

	if (buf == NULL || st == NULL || cs == NULL)
		goto out;
	if (ev == IKE_EV_SA_UP || ev == IKE_EV_SA_UPDATE) {
		len = ike_sa_state_serialize(ike, buf, cap);
		rc = len < 0 ? (int)len : ike_sa_state_deserialize(buf, (size_t)len, st);
		/* as the daemon's standby: the decoded blobs are taken over */
		rc = rc != 0 ? rc : ike_ha_import_sa_take(b, st);
		if (rc == 0)
			CU_ASSERT(st->last_resp.bytes == NULL && st->last_resp.len == 0 &&
				  st->win.bytes == NULL && st->win.bytes_len == 0);
	} else if (ev == IKE_EV_CHILD_UP) {
		len = ike_child_state_serialize(child, buf, cap);
		rc = len < 0 ? (int)len : ike_child_state_deserialize(buf, (size_t)len, cs);
		rc = rc != 0 ? rc : ike_ha_import_child(b, cs);
	} else if (ev == IKE_EV_SA_DOWN) {
		rc = ike_ha_forget_sa(b, ike->id);
	} else {
		rc = ike_ha_forget_child(b, child->id);
	}
out:
	free(buf);
	if (st != NULL)
		ike_sa_state_wipe(st);
	free(st);
	free(cs);
	return rc;
}

static void
h_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
	const struct ike_child_state *child)
{
	struct node *s = node_of(arg);
	struct net *net = s->net;
	int rc;

	s->n_ev[ev]++;
	if (s->idx != NODE_A || !net->sync)
		return;
	rc = ship(net, ev, ike, child);
	if (rc == 0)
		net->imported++;
	else if (!(rc == -ENOENT && (ev == IKE_EV_SA_DOWN || ev == IKE_EV_CHILD_DOWN)))
		net->import_err++;      /* a DOWN of what B never had is fine */
}

static void
h_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	if (level > IKE_LOG_WARNING && getenv("IKE_PAIR_VERBOSE") == NULL)
		return;
	fprintf(stderr, "[%c] ", "CAB"[node_of(arg)->idx]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* The client asks for any IPv4 virtual IP (cfg vips "0.0.0.0"). */
static void
ask_vip(struct cfg_ike *c)
{
	struct cfg_ike_conn *conn = &c->connections[0];
	struct cfg_prefix *v = &conn->vips[conn->n_vips++];

	memset(v, 0, sizeof(*v));
	v->family = AF_INET;
	v->len = 32;
}

static int
net_init(struct net *net, void (*tweak)(struct cfg_ike *gw))
{
	struct ike_host_ops ops = {
		.send = h_send, .now_ms = h_now_ms, .wall_s = h_wall_s,
		.child_install_inbound = h_in, .child_install_outbound = h_out,
		.child_remove = h_remove, .state_event = h_event, .log = h_log,
	};
	char err[256] = "";
	int i;

	memset(net, 0, sizeof(*net));
	net->now_ms = 1000;
	net->gw = NODE_A;
	net->sync = true;
	for (i = 0; i < NODES; i++) {
		net->n[i].net = net;
		net->n[i].idx = i;
		net->n[i].cfg = ike_pair_cfg(i == NODE_C);
		if (i != NODE_C && tweak != NULL)
			tweak(net->n[i].cfg);
		if (i == NODE_C && tweak != NULL)
			ask_vip(net->n[i].cfg);
		ops.arg = &net->n[i];
		net->n[i].ctx = ike_ctx_new(net->n[i].cfg, &ops, (uint16_t)i, err, sizeof(err));
		if (net->n[i].ctx == NULL) {
			fprintf(stderr, "ike_ctx_new: %s\n", err);
			return -1;
		}
	}
	return ike_ha_set_passive(net->n[NODE_B].ctx, true);
}

static void
net_free(struct net *net)
{
	int i;

	for (i = 0; i < net->qn; i++)
		free(net->q[i].data);
	for (i = 0; i < NODES; i++) {
		ike_ctx_free(net->n[i].ctx);
		free(net->n[i].cfg);
		free(net->n[i].last.data);
	}
}

static int
net_step(struct net *net)
{
	struct dgram d;

	if (net->qn == 0)
		return 0;
	d = net->q[0];
	memmove(&net->q[0], &net->q[1], sizeof(net->q[0]) * (size_t)(net->qn - 1));
	net->qn--;
	if (!net->dead[d.to])
		ike_input(net->n[d.to].ctx, &d.dst, &d.src, d.data, d.len);
	free(d.data);
	return 1;
}

static void
net_run(struct net *net)
{
	int n = 0;

	while (n++ < NET_STEPS_MAX && net_step(net) == 1)
		;
}

/* Advance the clock by MS, tick the living daemons, deliver. */
static void
net_advance(struct net *net, uint64_t ms)
{
	int i;

	net->now_ms += ms;
	for (i = 0; i < NODES; i++)
		if (!net->dead[i])
			ike_tick(net->n[i].ctx);
	net_run(net);
}

/* The first IKE SA of node I (NULL: none) and its count. */
static struct ike_sa *
sa_of(struct net *net, int i)
{
	return net->n[i].ctx->table.all;
}

static uint32_t
sa_count(struct net *net, int i)
{
	return net->n[i].ctx->table.count;
}

static int
child_count(struct net *net, int i)
{
	struct ike_sa *sa;
	int n = 0;

	for (sa = sa_of(net, i); sa != NULL; sa = sa->next)
		n += sa->st.n_children;
	return n;
}

static uint32_t
msgid_of(const struct dgram *d)
{
	const uint8_t *p = d->data + HDR_MSGID_OFF;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool
is_response(const struct dgram *d)
{
	return (d->data[HDR_FLAGS_OFF] & IKE_FLAG_RESPONSE) != 0;
}

/* The first IKE SA / CHILD SA of a walk, copied. */
static int
copy_sa_cb(const struct ike_sa_state *sa, void *arg)
{
	struct ike_sa_state *st = arg;

	ike_sa_state_wipe(st);
	memcpy(st, sa, sizeof(*sa));
	/* copies of the blobs: the SA keeps its own (ike_state.h) */
	CU_ASSERT_EQUAL_FATAL(ike_state_blob_dup(&st->last_resp.bytes, sa->last_resp.bytes,
						 sa->last_resp.len), 0);
	CU_ASSERT_EQUAL_FATAL(ike_state_blob_dup(&st->win.bytes, sa->win.bytes,
						 sa->win.bytes_len), 0);
	return 1;
}

static int
copy_child_cb(const struct ike_child_state *c, void *arg)
{
	*(struct ike_child_state *)arg = *c;
	return 1;
}

/* An empty INFORMATIONAL (liveness check) from node I now. */
static int
dpd(struct net *net, int i)
{
	int rc = ike_exch_initiate(net->n[i].ctx, sa_of(net, i), IKE_EXCH_INFORMATIONAL);

	net_run(net);
	return rc;
}

static void
establish(struct net *net)
{
	CU_ASSERT_EQUAL_FATAL(ike_initiate(net->n[NODE_C].ctx, "gw", "net"), 0);
	net_run(net);
	CU_ASSERT_EQUAL_FATAL(sa_count(net, NODE_C), 1);
	CU_ASSERT_EQUAL_FATAL(sa_of(net, NODE_C)->st.phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(sa_of(net, NODE_A)->st.phase, IKE_SA_PHASE_ESTABLISHED);
}

/* B's copy of every IKE SA of A is current: IDs, response cache, IV
 * counter, children. */
static void
check_copy(struct net *net)
{
	struct ike_sa *a, *b;
	int n = 0;

	CU_ASSERT_EQUAL(net->import_err, 0);
	CU_ASSERT_EQUAL(sa_count(net, NODE_B), sa_count(net, NODE_A));
	for (a = sa_of(net, NODE_A); a != NULL; a = a->next, n++) {
		b = ike_sa_table_by_id(&net->n[NODE_B].ctx->table, a->st.id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_EQUAL(b->st.msgid_send, a->st.msgid_send);
		CU_ASSERT_EQUAL(b->st.msgid_recv, a->st.msgid_recv);
		CU_ASSERT_EQUAL(b->st.last_resp.msgid, a->st.last_resp.msgid);
		CU_ASSERT_EQUAL(b->st.last_resp.len, a->st.last_resp.len);
		CU_ASSERT_EQUAL(memcmp(b->st.last_resp.bytes, a->st.last_resp.bytes,
				       a->st.last_resp.len), 0);
		CU_ASSERT_EQUAL(b->st.iv_counter, a->st.iv_counter);
		CU_ASSERT_EQUAL(b->st.n_children, a->st.n_children);
		CU_ASSERT_EQUAL(b->st.spi_i, a->st.spi_i);
		CU_ASSERT_EQUAL(b->st.spi_r, a->st.spi_r);
	}
	CU_ASSERT(n >= 1);
}

/* The standby holds the copy, passive: no timers, no answers; the CHILD
 * SA went to its data path at import. */
static void
test_passive_import(void)
{
	struct net net;
	struct ike_sa *a, *b;
	struct dgram d;
	int sent;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	CU_ASSERT_TRUE(ike_ha_is_passive(net.n[NODE_B].ctx));
	CU_ASSERT_FALSE(ike_ha_is_passive(net.n[NODE_A].ctx));
	establish(&net);
	check_copy(&net);
	a = sa_of(&net, NODE_A);
	b = sa_of(&net, NODE_B);
	CU_ASSERT_EQUAL(b->st.phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_PTR_NULL(b->dh);
	CU_ASSERT_PTR_NULL(b->init_local);
	CU_ASSERT_PTR_NULL(b->init_remote);
	CU_ASSERT_TRUE(ike_win_idle(b));
	CU_ASSERT_PTR_EQUAL(b->conn, ike_conf_find(net.n[NODE_B].ctx->conf, "gw"));
	CU_ASSERT_EQUAL(memcmp(b->st.sk_er.bytes, a->st.sk_er.bytes, a->st.sk_er.len), 0);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 2);
	/* SA_UP, CHILD_UP, SA_UPDATE of IKE_AUTH: three records */
	CU_ASSERT_EQUAL(net.n[NODE_A].n_ev[IKE_EV_SA_UP], 1);
	CU_ASSERT_EQUAL(net.n[NODE_A].n_ev[IKE_EV_CHILD_UP], 1);
	CU_ASSERT_EQUAL(net.n[NODE_A].n_ev[IKE_EV_SA_UPDATE], 1);
	CU_ASSERT_EQUAL(net.imported, 3);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->imported, 3);
	/* the host's install hooks ran on B at import, once each */
	CU_ASSERT_EQUAL(net.n[NODE_B].n_in, 1);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_out, 1);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(b->children->st.spi_in, a->children->st.spi_in);
	CU_ASSERT_TRUE(ike_spi_set_has(&net.n[NODE_B].ctx->esp_spis, b->children->st.spi_in));
	/* no state events from imports */
	CU_ASSERT_EQUAL(net.n[NODE_B].n_ev[IKE_EV_SA_UP] + net.n[NODE_B].n_ev[IKE_EV_CHILD_UP] +
			net.n[NODE_B].n_ev[IKE_EV_SA_UPDATE], 0);
	/* passive: no deadline, ticks do nothing, datagrams dropped */
	CU_ASSERT_EQUAL(ike_next_deadline(net.n[NODE_B].ctx), UINT64_MAX);
	net.now_ms += 3600 * 1000;
	CU_ASSERT_EQUAL(ike_tick(net.n[NODE_B].ctx), UINT64_MAX);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_sent, 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL_FATAL(ike_exch_initiate(net.n[NODE_C].ctx, sa_of(&net, NODE_C),
						IKE_EXCH_INFORMATIONAL), 0);
	CU_ASSERT_EQUAL_FATAL(net.qn, 1);
	d = net.q[0];
	net.qn = 0;
	sent = net.n[NODE_B].n_sent;
	ike_input(net.n[NODE_B].ctx, &d.dst, &d.src, d.data, d.len);
	free(d.data);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_sent, sent);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->passive_drops, 1);
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_B].ctx)->rx_msgs, 0);
	net_free(&net);
}

/* C's request 3 answered by A, the answer lost (kept in *RESP_A); A sends
 * one more request it never ships, then dies; B takes over. Returns the
 * IV counter B had from A. */
static uint64_t
takeover_after_loss(struct net *net, struct dgram *resp_a)
{
	struct ike_ha_takeover_opts o = { .iv_margin = TEST_IV_MARGIN };
	uint64_t iv_shipped, iv_a;

	establish(net);
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(dpd(net, NODE_A), 0);
	check_copy(net);
	CU_ASSERT_EQUAL(sa_of(net, NODE_C)->st.msgid_send, 3);
	net->drop_to[NODE_C] = 1;
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(sa_of(net, NODE_A)->st.msgid_recv, 4);
	CU_ASSERT_FALSE(ike_win_idle(sa_of(net, NODE_C)));
	check_copy(net);
	*resp_a = net->n[NODE_A].last;
	net->n[NODE_A].last.data = NULL;        /* ours now */
	CU_ASSERT_EQUAL(msgid_of(resp_a), 3);
	CU_ASSERT_TRUE(is_response(resp_a));
	iv_shipped = sa_of(net, NODE_B)->st.iv_counter;
	net->sync = false;
	net->drop_to[NODE_C] = 1;               /* lost with A */
	CU_ASSERT_EQUAL(ike_exch_initiate(net->n[NODE_A].ctx, sa_of(net, NODE_A),
					  IKE_EXCH_INFORMATIONAL), 0);
	iv_a = sa_of(net, NODE_A)->st.iv_counter;
	CU_ASSERT_EQUAL(iv_a, iv_shipped + 1);
	CU_ASSERT_EQUAL(net->qn, 0);
	net->dead[NODE_A] = true;
	net->gw = NODE_B;
	CU_ASSERT_EQUAL(ike_ha_takeover(net->n[NODE_B].ctx, &o), 1);
	CU_ASSERT_FALSE(ike_ha_is_passive(net->n[NODE_B].ctx));
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.iv_counter, iv_shipped + TEST_IV_MARGIN);
	CU_ASSERT(sa_of(net, NODE_B)->st.iv_counter > iv_a);    /* no IV of A again */
	CU_ASSERT_EQUAL(net->n[NODE_B].n_ev[IKE_EV_SA_UPDATE], 1);
	CU_ASSERT_EQUAL(net->n[NODE_B].n_sent, 0);      /* no sync asked */
	CU_ASSERT(ike_next_deadline(net->n[NODE_B].ctx) != UINT64_MAX);
	return iv_shipped;
}

/* After the takeover: a CHILD SA rekey then an IKE SA rekey by C, with B. */
static void
rekeys_with_b(struct net *net)
{
	int in_b = net->n[NODE_B].n_in;
	uint64_t spi_old;

	CU_ASSERT_EQUAL(ike_rekey_child(net->n[NODE_C].ctx, sa_of(net, NODE_C)->children->st.id),
			0);
	net_run(net);
	CU_ASSERT_EQUAL(net->n[NODE_B].n_in, in_b + 1);
	CU_ASSERT_EQUAL(child_count(net, NODE_B), 1);
	CU_ASSERT_EQUAL(child_count(net, NODE_C), 2);   /* old inbound kept 5 s (§2.8) */
	net_advance(net, 6000);
	CU_ASSERT_EQUAL(child_count(net, NODE_C), 1);
	CU_ASSERT_EQUAL(sa_of(net, NODE_C)->children->st.spi_out,
			sa_of(net, NODE_B)->children->st.spi_in);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->children->st.spi_out,
			sa_of(net, NODE_C)->children->st.spi_in);
	spi_old = sa_of(net, NODE_C)->st.spi_i;
	CU_ASSERT_EQUAL(ike_rekey_ike(net->n[NODE_C].ctx, sa_of(net, NODE_C)->st.id), 0);
	net_run(net);
	CU_ASSERT_EQUAL_FATAL(sa_count(net, NODE_C), 1);
	CU_ASSERT_EQUAL_FATAL(sa_count(net, NODE_B), 1);
	CU_ASSERT(sa_of(net, NODE_C)->st.spi_i != spi_old);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.spi_i, sa_of(net, NODE_C)->st.spi_i);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.spi_r, sa_of(net, NODE_C)->st.spi_r);
	CU_ASSERT_EQUAL(child_count(net, NODE_B), 1);
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(sa_of(net, NODE_C)->st.msgid_send, 1);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.msgid_recv, 1);
}

/* A dies after answering C's request (the answer lost): B answers C's
 * retransmission with A's bytes, then C's next requests and rekeys. */
static void
test_takeover(void)
{
	struct net net;
	struct dgram resp_a;
	struct ike_sa *b;
	uint64_t iv;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	iv = takeover_after_loss(&net, &resp_a) + TEST_IV_MARGIN;
	b = sa_of(&net, NODE_B);
	/* C retransmits request 3: B answers from the cache, A's exact bytes */
	net_advance(&net, 2000);
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_B].ctx)->rx_retransmits, 1);
	CU_ASSERT_EQUAL_FATAL(net.n[NODE_B].last.len, resp_a.len);
	CU_ASSERT_EQUAL(memcmp(net.n[NODE_B].last.data, resp_a.data, resp_a.len), 0);
	CU_ASSERT_EQUAL(b->st.iv_counter, iv);  /* the same bytes: no new IV */
	CU_ASSERT_TRUE(ike_win_idle(sa_of(&net, NODE_C)));
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->st.msgid_send, 4);
	/* C's next liveness check: request 4, answered by B with ID 4 */
	CU_ASSERT_EQUAL(dpd(&net, NODE_C), 0);
	CU_ASSERT_EQUAL(msgid_of(&net.n[NODE_B].last), 4);
	CU_ASSERT_TRUE(is_response(&net.n[NODE_B].last));
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->st.msgid_send, 5);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 5);
	CU_ASSERT_EQUAL(b->st.iv_counter, iv + 1);
	/* B's own request: its ID 1 (A's unsynced request 1 died with A) */
	CU_ASSERT_EQUAL(dpd(&net, NODE_B), 0);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(b->st.msgid_send, 2);
	rekeys_with_b(&net);
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_C].ctx)->rx_bad_icv, 0);
	free(resp_a.data);
	net_free(&net);
}

/* B's copy goes stale: A does one exchange each way it never ships, then
 * dies; C has (send 5, recv 2), B (1, 4). */
static void
stale_copy(struct net *net)
{
	establish(net);
	CU_ASSERT_TRUE(sa_of(net, NODE_A)->st.peer_msgid_sync);
	CU_ASSERT_TRUE(sa_of(net, NODE_C)->st.peer_msgid_sync);
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(dpd(net, NODE_A), 0);
	check_copy(net);
	net->sync = false;
	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(dpd(net, NODE_A), 0);
	CU_ASSERT_EQUAL(sa_of(net, NODE_C)->st.msgid_send, 5);
	CU_ASSERT_EQUAL(sa_of(net, NODE_C)->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.msgid_send, 1);
	CU_ASSERT_EQUAL(sa_of(net, NODE_B)->st.msgid_recv, 4);
	net->dead[NODE_A] = true;
	net->gw = NODE_B;
}

/* After the sync both go on: C's next request is 5, B's 11; a replay of
 * B's sync request REQ_B is dropped (nothing sent, IDs kept). */
static void
after_sync(struct net *net, const struct dgram *req_b)
{
	struct ike_sa *b = sa_of(net, NODE_B), *c = sa_of(net, NODE_C);
	int sent;

	CU_ASSERT_EQUAL(dpd(net, NODE_C), 0);
	CU_ASSERT_EQUAL(msgid_of(&net->n[NODE_B].last), 5);
	CU_ASSERT_EQUAL(c->st.msgid_send, 6);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 6);
	CU_ASSERT_EQUAL(dpd(net, NODE_B), 0);
	CU_ASSERT_EQUAL(msgid_of(&net->n[NODE_C].last), 11);
	CU_ASSERT_EQUAL(b->st.msgid_send, 12);
	CU_ASSERT_EQUAL(c->st.msgid_recv, 12);
	sent = net->n[NODE_C].n_sent;
	ike_input(net->n[NODE_C].ctx, &req_b->dst, &req_b->src, req_b->data, req_b->len);
	CU_ASSERT_EQUAL(net->n[NODE_C].n_sent, sent);
	CU_ASSERT_EQUAL(c->st.msgid_send, 6);
	CU_ASSERT_EQUAL(c->st.msgid_recv, 12);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net->n[NODE_C].ctx)->msgid_syncs_answered, 1);
	CU_ASSERT_EQUAL(ike_get_stats(net->n[NODE_C].ctx)->rx_bad_icv, 0);
	CU_ASSERT_EQUAL(ike_get_stats(net->n[NODE_B].ctx)->rx_bad_icv, 0);
}

/* RFC 6311 §5.1 from a stale copy: (M1, P1) = (1 + 10, 4); C has (5, 2)
 * and answers (P2, M2) = (max(4, 5), max(11, 2)) = (5, 11); B adopts
 * send 11, recv 5. C's first answer is lost: B retransmits, C answers
 * from its cache without processing the request again. */
/* B lost a split brain after its sync: the active's copy (A's, which
 * never synced) comes back in a bulk sync; B still knows the sync is
 * spent for this IKE SA. */
static void
reimport_unknowing(struct net *net)
{
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct ike_sa *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	ike_sa_foreach(net->n[NODE_A].ctx, copy_sa_cb, st);
	CU_ASSERT_FALSE(st->msgid_sync_used);
	CU_ASSERT_EQUAL(ike_ha_set_passive(net->n[NODE_B].ctx, true), 0);
	CU_ASSERT_EQUAL(ike_ha_import_sa(net->n[NODE_B].ctx, st), 0);
	b = sa_of(net, NODE_B);
	CU_ASSERT_TRUE(b->st.msgid_sync_used);
	CU_ASSERT_EQUAL(ike_ha_msgid_sync(net->n[NODE_B].ctx, b->st.id, 0), -EALREADY);
	ike_sa_state_wipe(st);
	free(st);
}

static void
test_msgid_sync(void)
{
	struct ike_ha_takeover_opts o = { .iv_margin = TEST_IV_MARGIN, .msgid_margin = 10,
					  .msgid_sync = true };
	struct net net;
	struct ike_sa *b, *c;
	struct dgram req_b;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	stale_copy(&net);
	b = sa_of(&net, NODE_B);
	c = sa_of(&net, NODE_C);
	net.drop_to[NODE_B] = 1;
	CU_ASSERT_EQUAL(ike_ha_takeover(net.n[NODE_B].ctx, &o), 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->msgid_syncs_sent, 1);
	req_b = net.n[NODE_B].last;
	net.n[NODE_B].last.data = NULL;         /* ours now */
	CU_ASSERT_EQUAL(msgid_of(&req_b), 0);
	CU_ASSERT_FALSE(is_response(&req_b));
	CU_ASSERT_FALSE(ike_win_idle(b));
	net_run(&net);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_C].ctx)->msgid_syncs_answered, 1);
	CU_ASSERT_EQUAL(c->st.msgid_send, 5);
	CU_ASSERT_EQUAL(c->st.msgid_recv, 11);
	CU_ASSERT_EQUAL(msgid_of(&net.n[NODE_C].last), 0);
	CU_ASSERT_TRUE(is_response(&net.n[NODE_C].last));
	CU_ASSERT_FALSE(ike_win_idle(b));          /* the answer was lost */
	CU_ASSERT_EQUAL(b->st.msgid_send, 1);
	net_advance(&net, 2000);
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_C].ctx)->rx_retransmits, 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_C].ctx)->msgid_syncs_answered, 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->msgid_syncs_ok, 1);
	CU_ASSERT_TRUE(ike_win_idle(b));
	CU_ASSERT_EQUAL(b->st.msgid_send, 11);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 5);
	/* Once per IKE SA: message ID 0 again would repeat an IV for a peer
	 * that derives AEAD IVs from message IDs (strongSwan). */
	CU_ASSERT_TRUE(b->st.msgid_sync_used);
	/* ... so the IKE SA is rekeyed within 60..120 s: the new one can be. */
	CU_ASSERT(b->st.rekey_time >= ike_ctx_wall_s(net.n[NODE_B].ctx) + 60 &&
		  b->st.rekey_time < ike_ctx_wall_s(net.n[NODE_B].ctx) + 120);
	CU_ASSERT_EQUAL(ike_ha_msgid_sync(net.n[NODE_B].ctx, b->st.id, 0), -EALREADY);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->msgid_syncs_sent, 1);
	CU_ASSERT_EQUAL(c->st.msgid_send, 5);
	CU_ASSERT_EQUAL(c->st.msgid_recv, 11);
	after_sync(&net, &req_b);
	reimport_unknowing(&net);
	free(req_b.data);
	net_free(&net);
}

/* §9: C's request 5 (a liveness check, or a CHILD SA rekey when REKEY)
 * is lost with A; the sync comes while it is outstanding: C answers
 * (P2, M2) = (max(4, 5 + 1), 11) = (6, 11), no longer waits for 5, and
 * sends that request again as 6, which B answers. */
static void
sync_pending(bool rekey)
{
	struct ike_ha_takeover_opts o = { .msgid_margin = 10, .msgid_sync = true };
	struct net net;
	struct ike_sa *b, *c;
	int rc;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	stale_copy(&net);
	b = sa_of(&net, NODE_B);
	c = sa_of(&net, NODE_C);
	net.dead[NODE_B] = true;        /* lost on the way while B takes over */
	rc = rekey ? ike_rekey_child(net.n[NODE_C].ctx, c->children->st.id) :
		     ike_exch_initiate(net.n[NODE_C].ctx, c, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL(rc, 0);
	net_run(&net);
	net.dead[NODE_B] = false;
	CU_ASSERT_FALSE(ike_win_idle(c));
	CU_ASSERT_EQUAL(c->out != NULL ? c->out->msgid : 0, 5);
	CU_ASSERT_EQUAL(ike_ha_takeover(net.n[NODE_B].ctx, &o), 1);
	net_run(&net);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->msgid_syncs_ok, 1);
	CU_ASSERT_EQUAL(b->st.msgid_send, 11);
	CU_ASSERT_EQUAL(c->st.msgid_recv, 11);
	CU_ASSERT_TRUE(ike_win_idle(c));
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_C].ctx)->tx_retransmits, 0);
	/* the rekey's DELETE of the old CHILD SA follows as 7 */
	CU_ASSERT_EQUAL(b->st.msgid_recv, rekey ? 8 : 7);
	CU_ASSERT_EQUAL(c->st.msgid_send, rekey ? 8 : 7);
	CU_ASSERT_EQUAL(msgid_of(&net.n[NODE_B].last), rekey ? 7 : 6);
	CU_ASSERT_TRUE(is_response(&net.n[NODE_B].last));
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_in, rekey ? 2 : 1);
	net_free(&net);
}

static void
test_msgid_sync_pending(void)
{
	sync_pending(false);
	sync_pending(true);
}

/* The old active comes back as the standby: B's records replace its
 * copies, the request it had outstanding is gone with them. */
static void
test_rejoin_as_standby(void)
{
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct net net;
	struct dgram resp_a;
	struct ike_sa *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	takeover_after_loss(&net, &resp_a);
	a = sa_of(&net, NODE_A);
	CU_ASSERT_FALSE(ike_win_idle(a));
	CU_ASSERT_EQUAL(ike_ha_set_passive(net.n[NODE_A].ctx, true), 0);
	net.dead[NODE_A] = false;
	ike_sa_foreach(net.n[NODE_B].ctx, copy_sa_cb, st);
	CU_ASSERT_EQUAL(ike_ha_import_sa(net.n[NODE_A].ctx, st), 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_A), 1);
	CU_ASSERT_PTR_EQUAL(sa_of(&net, NODE_A), a);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_PTR_NULL(a->out);
	CU_ASSERT_EQUAL(a->st.msgid_send, 1);
	CU_ASSERT_EQUAL(a->st.iv_counter, sa_of(&net, NODE_B)->st.iv_counter);
	CU_ASSERT_EQUAL(a->st.n_children, 1);
	CU_ASSERT_EQUAL(ike_next_deadline(net.n[NODE_A].ctx), UINT64_MAX);
	net_advance(&net, 60000);
	CU_ASSERT_EQUAL(ike_get_stats(net.n[NODE_A].ctx)->tx_retransmits, 0);
	ike_sa_state_wipe(st);
	free(st);
	free(resp_a.data);
	net_free(&net);
}

/* No margin given: M1 = msgid_send + IKE_HA_MSGID_MARGIN_DEFAULT; C has
 * (2, 0): (P2, M2) = (max(2, 2), max(16, 0)). */
static void
test_msgid_sync_default(void)
{
	struct ike_ha_takeover_opts o = { .msgid_sync = true };
	struct net net;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	establish(&net);
	net.dead[NODE_A] = true;
	net.gw = NODE_B;
	CU_ASSERT_EQUAL(ike_ha_takeover(net.n[NODE_B].ctx, &o), 1);
	net_run(&net);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->st.msgid_send, IKE_HA_MSGID_MARGIN_DEFAULT);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->st.msgid_send, 2);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->st.msgid_recv, IKE_HA_MSGID_MARGIN_DEFAULT);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_ev[IKE_EV_SA_UPDATE], 2);      /* takeover, sync */
	CU_ASSERT_EQUAL(net.n[NODE_C].n_ev[IKE_EV_SA_UPDATE], 2);      /* IKE_AUTH, sync */
	net_free(&net);
}

/* A peer that did not announce support gets no sync. */
static void
test_msgid_sync_unsupported(void)
{
	struct ike_ha_takeover_opts o = { .msgid_sync = true };
	struct net net;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	establish(&net);
	sa_of(&net, NODE_B)->st.peer_msgid_sync = false;
	net.dead[NODE_A] = true;
	net.gw = NODE_B;
	CU_ASSERT_EQUAL(ike_ha_takeover(net.n[NODE_B].ctx, &o), 1);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_sent, 0);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->msgid_syncs_sent, 0);
	CU_ASSERT_EQUAL(ike_ha_msgid_sync(net.n[NODE_B].ctx, sa_of(&net, NODE_B)->st.id, 0),
			-EOPNOTSUPP);
	CU_ASSERT_EQUAL(ike_ha_msgid_sync(net.n[NODE_B].ctx, 12345, 0), -ENOENT);
	net_free(&net);
}

static void
add_pool(struct cfg_ike *c)
{
	struct cfg_ike_pool *p = &c->pools[0];

	c->n_pools = 1;
	snprintf(p->name, sizeof(p->name), "vip4");
	p->is_prefix = true;
	p->prefix.family = AF_INET;
	p->prefix.len = 24;
	inet_pton(AF_INET, "10.3.0.0", p->prefix.addr.v4);
	p->first = p->prefix;
	p->first.len = 32;
	inet_pton(AF_INET, "10.3.0.1", p->first.addr.v4);
	p->last = p->first;
	inet_pton(AF_INET, "10.3.0.254", p->last.addr.v4);
	p->size = 254;
	c->connections[0].n_pools = 1;
	c->connections[0].pools[0] = 0;
}

/* A's records imported into B again (into ST, CS): replaced, one lease
 * and one CHILD SA, reinstalled through the data path. */
static void
reimport(struct net *net, struct ike_sa_state *st, struct ike_child_state *cs)
{
	struct ike_ctx *b = net->n[NODE_B].ctx;

	ike_sa_foreach(net->n[NODE_A].ctx, copy_sa_cb, st);
	ike_child_foreach(net->n[NODE_A].ctx, st->id, copy_child_cb, cs);
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), 0);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(b), "vip4"), 1);
	CU_ASSERT_EQUAL(sa_count(net, NODE_B), 1);
	CU_ASSERT_EQUAL(child_count(net, NODE_B), 1);
	CU_ASSERT_EQUAL(ike_ha_import_child(b, cs), 0);
	CU_ASSERT_EQUAL(net->n[NODE_B].n_removed, 1);
	CU_ASSERT_EQUAL(net->n[NODE_B].n_in, 2);
	CU_ASSERT_EQUAL(net->n[NODE_B].n_out, 2);
	CU_ASSERT_EQUAL(child_count(net, NODE_B), 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(b)->imported, 5);
}

/* Refused imports; a replacement keeps one lease; forget releases it. */
static void
test_import_errors_forget(void)
{
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct ike_child_state cs;
	struct ike_ctx *b;
	struct net net;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(net_init(&net, add_pool), 0);
	establish(&net);
	b = net.n[NODE_B].ctx;
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->st.vip4.addr.family, AF_INET);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(b), "vip4"), 1);
	reimport(&net, st, &cs);
	/* unknown connection, phase before ESTABLISHED, SPI of another SA */
	snprintf(st->name, sizeof(st->name), "nope");
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), -ENOENT);
	snprintf(st->name, sizeof(st->name), "gw");
	st->phase = IKE_SA_PHASE_INIT_DONE;
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), -EINVAL);
	st->phase = IKE_SA_PHASE_ESTABLISHED;
	st->id++;
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), -EEXIST);
	cs.ike_sa_id = 4242;
	CU_ASSERT_EQUAL(ike_ha_import_child(b, &cs), -ENOENT);
	/* another peer's SA claiming the same address: not free */
	st->spi_r ^= 1;
	st->id_remote.data[0] ^= 1;
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), -EADDRINUSE);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(b), "vip4"), 1);
	/* the same peer's new IKE SA (a rekey): the lease moves to it */
	st->id_remote.data[0] ^= 1;
	CU_ASSERT_EQUAL(ike_ha_import_sa(b, st), 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 2);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(b), "vip4"), 1);
	CU_ASSERT_EQUAL(ike_sa_table_by_id(&b->table, st->id - 1)->st.vip4.addr.family, 0);
	CU_ASSERT_EQUAL(ike_sa_table_by_id(&b->table, st->id)->st.vip4.addr.family, AF_INET);
	/* forget: CHILD SA out of the data path, lease back, nothing sent */
	CU_ASSERT_EQUAL(ike_ha_forget_child(b, 999), -ENOENT);
	CU_ASSERT_EQUAL(ike_ha_forget_sa(b, 999), -ENOENT);
	CU_ASSERT_EQUAL(ike_ha_forget_sa(b, st->id), 0);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(b), "vip4"), 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_removed, 1);
	CU_ASSERT_EQUAL(ike_ha_forget_sa(b, sa_of(&net, NODE_A)->st.id), 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 0);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_removed, 2);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(net.n[NODE_A].ctx), "vip4"), 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(b)->forgotten, 2);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_sent, 0);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_ev[IKE_EV_SA_DOWN], 0);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_ev[IKE_EV_CHILD_DOWN], 0);
	ike_sa_state_wipe(st);
	free(st);
	net_free(&net);
}

/* A rekeys the IKE SA while C's liveness check crosses it: A answers in
 * phase REKEYING, B's copy follows at once. */
static void
rekey_crossing_dpd(struct net *net)
{
	int upd;

	CU_ASSERT_EQUAL(ike_rekey_ike(net->n[NODE_A].ctx, sa_of(net, NODE_A)->st.id), 0);
	CU_ASSERT_EQUAL(ike_exch_initiate(net->n[NODE_C].ctx, sa_of(net, NODE_C),
					  IKE_EXCH_INFORMATIONAL), 0);
	CU_ASSERT_EQUAL(net->qn, 2);
	upd = net->n[NODE_A].n_ev[IKE_EV_SA_UPDATE];
	net_step(net);                  /* C answers A's CREATE_CHILD_SA */
	net_step(net);                  /* A answers C's INFORMATIONAL */
	CU_ASSERT_EQUAL(sa_of(net, NODE_A)->st.phase, IKE_SA_PHASE_REKEYING);
	CU_ASSERT_EQUAL(net->n[NODE_A].n_ev[IKE_EV_SA_UPDATE], upd + 1);
	check_copy(net);
	net_run(net);
	check_copy(net);
}

/* The copy stays current through every exchange in both roles: DPD,
 * CHILD SA and IKE SA rekeys started by either side, a CHILD SA DELETE;
 * a DOWN on A removes B's copy. */
static void
test_events_every_exchange(void)
{
	struct net net;
	int upd;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, add_pool), 0);
	establish(&net);
	upd = net.n[NODE_A].n_ev[IKE_EV_SA_UPDATE];
	CU_ASSERT_EQUAL(dpd(&net, NODE_C), 0);          /* A responds */
	CU_ASSERT_EQUAL(net.n[NODE_A].n_ev[IKE_EV_SA_UPDATE], upd + 1);
	check_copy(&net);
	CU_ASSERT_EQUAL(dpd(&net, NODE_A), 0);          /* A initiates */
	CU_ASSERT_EQUAL(net.n[NODE_A].n_ev[IKE_EV_SA_UPDATE], upd + 2);
	check_copy(&net);
	CU_ASSERT_EQUAL(ike_rekey_child(net.n[NODE_C].ctx, sa_of(&net, NODE_C)->children->st.id),
			0);
	net_run(&net);
	check_copy(&net);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->children->st.id,
			sa_of(&net, NODE_A)->children->st.id);
	CU_ASSERT_EQUAL(ike_rekey_child(net.n[NODE_A].ctx, sa_of(&net, NODE_A)->children->st.id),
			0);
	net_run(&net);
	check_copy(&net);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	rekey_crossing_dpd(&net);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(net.n[NODE_B].ctx), "vip4"), 1);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->st.vip4.addr.family, AF_INET);
	CU_ASSERT_EQUAL(ike_rekey_ike(net.n[NODE_C].ctx, sa_of(&net, NODE_C)->st.id), 0);
	net_run(&net);
	check_copy(&net);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(net.n[NODE_B].ctx), "vip4"), 1);
	CU_ASSERT_EQUAL(dpd(&net, NODE_C), 0);
	check_copy(&net);
	CU_ASSERT_EQUAL(ike_terminate_child(net.n[NODE_C].ctx,
					    sa_of(&net, NODE_C)->children->st.id), 0);
	net_run(&net);
	check_copy(&net);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 0);
	CU_ASSERT_EQUAL(ike_terminate_ike(net.n[NODE_C].ctx, sa_of(&net, NODE_C)->st.id), 0);
	net_run(&net);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_A), 0);
	CU_ASSERT_EQUAL(sa_count(&net, NODE_B), 0);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(net.n[NODE_B].ctx), "vip4"), 0);
	CU_ASSERT_EQUAL(net.import_err, 0);
	net_free(&net);
}

/* rekey_spread_s: one CHILD SA rekey scheduled in [now, now + spread),
 * then done with C. */
static void
test_takeover_rekey_spread(void)
{
	struct ike_ha_takeover_opts o = { .iv_margin = 1, .rekey_spread_s = 10 };
	struct net net;
	uint64_t at, now, old_id;
	int i;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	establish(&net);
	net.dead[NODE_A] = true;
	net.gw = NODE_B;
	now = net.now_ms;
	old_id = sa_of(&net, NODE_C)->children->st.id;
	CU_ASSERT_EQUAL(ike_ha_takeover(net.n[NODE_B].ctx, &o), 1);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->takeover_rekeys_scheduled, 1);
	at = sa_of(&net, NODE_B)->children->rekey_at_ms;
	CU_ASSERT(at >= now && at < now + 10000);
	/* the margin is at least IKE_HA_IV_MARGIN_MIN */
	CU_ASSERT_EQUAL(sa_of(&net, NODE_B)->st.iv_counter,
			sa_of(&net, NODE_A)->st.iv_counter + IKE_HA_IV_MARGIN_MIN);
	for (i = 0; i < 10; i++)
		net_advance(&net, 1000);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_B].ctx)->takeover_rekeys_scheduled, 1);
	CU_ASSERT_EQUAL(net.n[NODE_B].n_in, 2);         /* the new CHILD SA */
	for (i = 0; i < 6; i++)         /* B keeps the old inbound SA 5 s (§2.8) */
		net_advance(&net, 1000);
	CU_ASSERT_EQUAL(child_count(&net, NODE_C), 1);
	CU_ASSERT_EQUAL(child_count(&net, NODE_B), 1);
	CU_ASSERT(sa_of(&net, NODE_C)->children->st.id != old_id);
	CU_ASSERT_EQUAL(sa_of(&net, NODE_C)->children->st.spi_out,
			sa_of(&net, NODE_B)->children->st.spi_in);
	CU_ASSERT_TRUE(sa_of(&net, NODE_B)->children->st.initiator);
	net_free(&net);
}

/* A takeover sends the RFC 6311 syncs in bursts (here 1 IKE SA), one at
 * once and one per tick: the host ticks while any are left; going passive
 * drops the rest, and the next takeover sends them (not again to an IKE
 * SA that had its sync). */
static void
test_msgid_sync_bursts(void)
{
	struct ike_ha_takeover_opts o = { .msgid_sync = true, .msgid_sync_burst = 1 };
	const struct ike_ha_stats *st;
	struct ike_ctx *b;
	struct net net;

	CU_ASSERT_EQUAL_FATAL(net_init(&net, NULL), 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(ike_initiate(net.n[NODE_C].ctx, "gw", "net"), 0);
		net_run(&net);
	}
	CU_ASSERT_EQUAL_FATAL(sa_count(&net, NODE_B), 3);
	net.dead[NODE_A] = true;
	net.gw = NODE_B;
	b = net.n[NODE_B].ctx;
	st = ike_ha_get_stats(b);
	CU_ASSERT_EQUAL(ike_ha_takeover(b, &o), 3);
	CU_ASSERT_EQUAL(st->msgid_syncs_sent, 1);
	CU_ASSERT_EQUAL(st->msgid_syncs_pending, 2);
	CU_ASSERT_EQUAL(ike_next_deadline(b), 0);	/* tick me now */
	ike_tick(b);
	CU_ASSERT_EQUAL(st->msgid_syncs_sent, 2);
	CU_ASSERT_EQUAL(st->msgid_syncs_pending, 1);
	CU_ASSERT_EQUAL(ike_ha_set_passive(b, true), 0);
	CU_ASSERT_EQUAL(st->msgid_syncs_pending, 0);
	CU_ASSERT_EQUAL(ike_next_deadline(b), UINT64_MAX);
	ike_tick(b);
	CU_ASSERT_EQUAL(st->msgid_syncs_sent, 2);
	CU_ASSERT_EQUAL(ike_ha_takeover(b, &o), 3);	/* only the third is left */
	CU_ASSERT_EQUAL(st->msgid_syncs_sent, 3);
	CU_ASSERT_EQUAL(st->msgid_syncs_pending, 0);
	CU_ASSERT_NOT_EQUAL(ike_next_deadline(b), 0);
	net_run(&net);
	CU_ASSERT_EQUAL(st->msgid_syncs_ok, 3);
	CU_ASSERT_EQUAL(ike_ha_get_stats(net.n[NODE_C].ctx)->msgid_syncs_answered, 3);
	net_free(&net);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_ha", NULL, NULL);
	CU_add_test(s, "passive import", test_passive_import);
	CU_add_test(s, "takeover: retransmission, IDs, rekeys", test_takeover);
	CU_add_test(s, "old active rejoins as standby", test_rejoin_as_standby);
	CU_add_test(s, "RFC 6311 message ID sync", test_msgid_sync);
	CU_add_test(s, "RFC 6311 with a request outstanding", test_msgid_sync_pending);
	CU_add_test(s, "RFC 6311 default margin", test_msgid_sync_default);
	CU_add_test(s, "RFC 6311 not announced", test_msgid_sync_unsupported);
	CU_add_test(s, "import errors, forget", test_import_errors_forget);
	CU_add_test(s, "state events after every exchange", test_events_every_exchange);
	CU_add_test(s, "takeover rekey spread", test_takeover_rekey_spread);
	CU_add_test(s, "RFC 6311 syncs in bursts", test_msgid_sync_bursts);
	return cu_run_registered();
}
