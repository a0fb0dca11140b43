/* Message ID windows between two in-memory daemons (RFC 7296 §2.3;
 * ike/ike_window*.c, ike/ike_task_window.c): SET_WINDOW_SIZE in IKE_AUTH
 * (window 1 against 4 both ways, a peer that sends none stays at 1, the
 * notify's value checks), several CREATE_CHILD_SA and INFORMATIONAL
 * requests outstanding at once, requests and responses out of order, a
 * lost response answered again from the cache with the same bytes, a
 * request above the window dropped, the window state through the HA
 * record and an RFC 6311 sync that starts the windows again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ike/ike_ctx_priv.h"
#include "ike/ike_ha.h"
#include "ike/ike_state_ser.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"
#include "tests/unit/cu_run.h"
#include "tests/unit/ike/ike_pair.h"

enum {
	HDR_FLAGS_OFF = 19,             /* IKE header (RFC 7296 §3.1), no marker on 500 */
	HDR_MSGID_OFF = 20,
	FIRST_ID = 2,                   /* after IKE_SA_INIT (0) and IKE_AUTH (1) */
	RETRANSMIT_MS = 2000,           /* ike_pair_cfg() */
	WIN4 = 4,
};

static struct ike_sa *
sa_of(const struct ike_pair *p, int idx)
{
	const struct ike_sa_state *st = ike_pair_sa(p, idx);

	return st == NULL ? NULL : ike_sa_table_by_id(&p->side[idx].ctx->table, st->id);
}

/* "gw"/"net" up from side 0 with windows W0 and W1. */
static int
win_setup(struct ike_pair *p, uint16_t w0, uint16_t w1)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);

	c0->window_size = w0;
	c1->window_size = w1;
	if (ike_pair_init(p, c0, c1) != 0 || ike_initiate(p->side[0].ctx, "gw", "net") != 0)
		return -1;
	ike_pair_run(p);
	return ike_pair_child_count(p, 0) == 1 && ike_pair_child_count(p, 1) == 1 ? 0 : -1;
}

static uint32_t
q_msgid(const struct ike_pair *p, int i)
{
	const uint8_t *d = p->q[i].data;

	return (uint32_t)d[HDR_MSGID_OFF] << 24 | (uint32_t)d[HDR_MSGID_OFF + 1] << 16 |
	       (uint32_t)d[HDR_MSGID_OFF + 2] << 8 | d[HDR_MSGID_OFF + 3];
}

static bool
q_response(const struct ike_pair *p, int i)
{
	return (p->q[i].data[HDR_FLAGS_OFF] & IKE_FLAG_RESPONSE) != 0;
}

/* Deliver queued datagram I (the others keep their order). */
static void
deliver_at(struct ike_pair *p, int i)
{
	struct ike_pair_dgram d = p->q[i];

	memmove(&p->q[1], &p->q[0], sizeof(p->q[0]) * (size_t)i);
	p->q[0] = d;
	ike_pair_step(p);
}

/* Take queued datagram I out of the queue (the caller frees its data). */
static struct ike_pair_dgram
take_at(struct ike_pair *p, int i)
{
	struct ike_pair_dgram d = p->q[i];

	memmove(&p->q[i], &p->q[i + 1], sizeof(p->q[0]) * (size_t)(p->qn - i - 1));
	p->qn--;
	return d;
}

/* N additional CHILD SAs asked for from side IDX: how many were sent. */
static int
new_children(struct ike_pair *p, int idx, int n)
{
	int i, sent = 0;

	for (i = 0; i < n; i++)
		if (ike_rekey_child_new(p->side[idx].ctx, ike_pair_sa(p, idx)->id, "net") == 0)
			sent++;
	return sent;
}

/* The message IDs of side IDX's outstanding requests, in order. */
static int
out_ids(const struct ike_sa *sa, uint32_t *ids, int max)
{
	const struct ike_win_req *q;
	int n = 0;

	for (q = sa->out; q != NULL && n < max; q = q->next)
		ids[n++] = q->msgid;
	return n;
}

/* ---- SET_WINDOW_SIZE ---- */

struct nego_row {
	uint16_t w0, w1;                /* configured */
	uint32_t remote0, remote1;      /* what each side learnt of the other */
};

static void
test_negotiate(void)
{
	static const struct nego_row rows[] = {
		{ 1, 1, 1, 1 },
		{ 1, WIN4, WIN4, 1 },   /* side 1 announces 4, side 0 nothing */
		{ WIN4, 1, 1, WIN4 },
		{ WIN4, IKE_WIN_MAX, IKE_WIN_MAX, WIN4 },
	};
	struct ike_pair p;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(win_setup(&p, rows[i].w0, rows[i].w1), 0);
		CU_ASSERT_EQUAL(sa_of(&p, 0)->st.window_local, rows[i].w0);
		CU_ASSERT_EQUAL(sa_of(&p, 1)->st.window_local, rows[i].w1);
		CU_ASSERT_EQUAL(sa_of(&p, 0)->st.window_remote, rows[i].remote0);
		CU_ASSERT_EQUAL(sa_of(&p, 1)->st.window_remote, rows[i].remote1);
		CU_ASSERT_EQUAL(ike_win_remote(sa_of(&p, 0)), rows[i].remote0);
		CU_ASSERT_EQUAL(ike_win_local(sa_of(&p, 1)), rows[i].w1);
		CU_ASSERT_EQUAL(sa_of(&p, 0)->st.msgid_send, FIRST_ID);
		CU_ASSERT_EQUAL(sa_of(&p, 0)->st.win.msgid_next, FIRST_ID);
		CU_ASSERT_EQUAL(sa_of(&p, 1)->st.msgid_recv, FIRST_ID);
		CU_ASSERT_EQUAL(sa_of(&p, 1)->st.msgid_send, 0);
		ike_pair_free(&p);
	}
}

struct notify_row {
	uint8_t len;
	uint8_t data[6];
	uint32_t before, after;
};

/* §2.3: 4 octets big endian; 0 and other lengths ignored; clamped to
 * IKE_WIN_MAX; never smaller than before. */
static void
test_notify_values(void)
{
	static const struct notify_row rows[] = {
		{ 4, { 0, 0, 0, 4 }, 1, 4 },
		{ 4, { 0, 0, 0, 0 }, 1, 1 },
		{ 4, { 0, 0, 0, 1 }, 1, 1 },
		{ 4, { 0, 0, 0, 32 }, 1, 32 },
		{ 4, { 0, 0, 0, 33 }, 1, IKE_WIN_MAX },
		{ 4, { 0xff, 0xff, 0xff, 0xff }, 1, IKE_WIN_MAX },
		{ 4, { 0, 0, 1, 0 }, 1, IKE_WIN_MAX },
		{ 4, { 0, 0, 0, 2 }, 8, 8 },            /* no shrinking */
		{ 3, { 0, 0, 4 }, 1, 1 },
		{ 5, { 0, 0, 0, 0, 4 }, 1, 1 },
		{ 0, { 0 }, 1, 1 },
	};
	struct ike_msg *m = calloc(1, sizeof(*m));
	struct ike_sa *sa = ike_sa_alloc();
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	ike_win_peer_notify(sa, m);             /* none: stays */
	CU_ASSERT_EQUAL(sa->st.window_remote, 1);
	m->n_notify = 1;
	m->notify[0].type = IKE_N_SET_WINDOW_SIZE;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sa->st.window_remote = rows[i].before;
		m->notify[0].data.ptr = rows[i].data;
		m->notify[0].data.len = rows[i].len;
		ike_win_peer_notify(sa, m);
		CU_ASSERT_EQUAL(sa->st.window_remote, rows[i].after);
	}
	ike_sa_free(sa);
	free(m);
}

/* ---- our requests ---- */

/* Peer window 4: of five CREATE_CHILD_SA asked for, four are sent at
 * once (2..5), the fifth waits in the queue and goes as 6 when the first
 * response makes room; the other way (peer window 1) one at a time. */
static void
test_several_ccsa(void)
{
	uint32_t ids[8];
	struct ike_pair p;
	struct ike_sa *a, *b;
	int i;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, 1, WIN4), 0);
	a = sa_of(&p, 0);
	b = sa_of(&p, 1);
	CU_ASSERT_EQUAL(new_children(&p, 0, 5), 5);
	CU_ASSERT_FALSE(ike_win_can_send(a));
	CU_ASSERT_EQUAL(a->n_out, WIN4);
	CU_ASSERT_PTR_NOT_NULL(a->queued);
	CU_ASSERT_EQUAL(out_ids(a, ids, 8), WIN4);
	for (i = 0; i < WIN4; i++)
		CU_ASSERT_EQUAL(ids[i], FIRST_ID + (uint32_t)i);
	CU_ASSERT_EQUAL(a->st.msgid_send, FIRST_ID);
	CU_ASSERT_EQUAL(a->st.win.msgid_next, FIRST_ID + WIN4);
	CU_ASSERT_EQUAL_FATAL(p.qn, WIN4);
	for (i = 0; i < p.qn; i++) {
		CU_ASSERT_EQUAL(q_msgid(&p, i), FIRST_ID + (uint32_t)i);
		CU_ASSERT_FALSE(q_response(&p, i));
	}
	ike_pair_step(&p);                      /* request 2 */
	ike_pair_step(&p);                      /* request 3 */
	ike_pair_step(&p);                      /* request 4 */
	ike_pair_step(&p);                      /* request 5 */
	CU_ASSERT_EQUAL(b->st.msgid_recv, FIRST_ID + WIN4);
	ike_pair_step(&p);                      /* response 2: room for the fifth */
	CU_ASSERT_PTR_NULL(a->queued);
	CU_ASSERT_EQUAL(a->n_out, WIN4);
	CU_ASSERT_EQUAL(a->st.msgid_send, 3);
	CU_ASSERT_EQUAL(a->st.win.msgid_next, 7);
	CU_ASSERT_EQUAL(p.q[p.qn - 1].to, 1);
	CU_ASSERT_EQUAL(q_msgid(&p, p.qn - 1), 6);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1 + 5);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1 + 5);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(a->st.msgid_send, 7);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 7);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 0);
	/* side 0 announced nothing: side 1 sends one at a time (0, then 1) */
	CU_ASSERT_EQUAL(new_children(&p, 1, 2), 2);
	CU_ASSERT_EQUAL(b->n_out, 1);
	CU_ASSERT_EQUAL(b->out->msgid, 0);      /* the responder's first request */
	CU_ASSERT_EQUAL_FATAL(p.qn, 1);
	ike_pair_step(&p);                      /* request 0 */
	ike_pair_step(&p);                      /* response 0: the queued one goes */
	CU_ASSERT_EQUAL(b->n_out, 1);
	CU_ASSERT_EQUAL(b->out->msgid, 1);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(b->st.msgid_send, 2);
	CU_ASSERT_EQUAL(a->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1 + 5 + 2);
	ike_pair_free(&p);
}

/* Three DELETEs of CHILD SAs outstanding at once, each matched to its
 * own CHILD SA when answered. */
static void
test_several_informational(void)
{
	uint64_t ids[3];
	struct ike_child *c;
	struct ike_pair p;
	struct ike_sa *a;
	int n = 0;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	CU_ASSERT_EQUAL(new_children(&p, 0, 2), 2);
	ike_pair_run(&p);
	a = sa_of(&p, 0);
	CU_ASSERT_EQUAL_FATAL(ike_pair_child_count(&p, 0), 3);
	for (c = a->children; c != NULL && n < 3; c = c->next)
		ids[n++] = c->st.id;
	for (n = 0; n < 3; n++)
		CU_ASSERT_EQUAL(ike_terminate_child(p.side[0].ctx, ids[n]), 0);
	CU_ASSERT_EQUAL(a->n_out, 3);
	CU_ASSERT_EQUAL(a->out->exchange, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL(a->out->msgid, 4);
	CU_ASSERT_EQUAL(a->out->next->next->msgid, 6);
	CU_ASSERT_NOT_EQUAL(a->out->del_child_spi, a->out->next->del_child_spi);
	CU_ASSERT_EQUAL(a->del_child_spi, 0);   /* parked with each request */
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
	CU_ASSERT_EQUAL(p.side[1].n_removed, 3);
	CU_ASSERT_EQUAL(a->st.msgid_send, 7);
	CU_ASSERT_EQUAL(sa_of(&p, 1)->st.msgid_recv, 7);
	ike_pair_free(&p);
}

/* Window 1: the second DELETE waits in the queue and goes (as 4) once
 * the first (3) is answered; asking again for either is -EBUSY. */
static void
test_queued_delete(void)
{
	uint64_t id[2];
	struct ike_pair p;
	struct ike_sa *a;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, 1, 1), 0);
	CU_ASSERT_EQUAL(new_children(&p, 0, 1), 1);
	ike_pair_run(&p);
	a = sa_of(&p, 0);
	CU_ASSERT_EQUAL_FATAL(ike_pair_child_count(&p, 0), 2);
	id[0] = a->children->st.id;
	id[1] = a->children->next->st.id;
	CU_ASSERT_EQUAL(ike_terminate_child(p.side[0].ctx, id[0]), 0);
	CU_ASSERT_EQUAL(ike_terminate_child(p.side[0].ctx, id[1]), 0);
	CU_ASSERT_EQUAL(ike_terminate_child(p.side[0].ctx, id[0]), -EBUSY);    /* sent */
	CU_ASSERT_EQUAL(ike_terminate_child(p.side[0].ctx, id[1]), -EBUSY);    /* queued */
	CU_ASSERT_EQUAL(a->n_out, 1);
	CU_ASSERT_EQUAL(a->out->msgid, 3);
	CU_ASSERT_TRUE(ike_queue_has(a, IKE_QUEUE_CHILD_DELETE, id[1]));
	CU_ASSERT_EQUAL_FATAL(p.qn, 1);
	ike_pair_step(&p);
	ike_pair_step(&p);                      /* response 3: 4 goes */
	CU_ASSERT_EQUAL(a->n_out, 1);
	CU_ASSERT_EQUAL(a->out->msgid, 4);
	CU_ASSERT_PTR_NULL(a->queued);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
	CU_ASSERT_EQUAL(a->st.msgid_send, 5);
	ike_pair_free(&p);
}

/* Requests 2, 3, 4 delivered as 4, 2, 3: the responder's window keeps
 * 4 marked until 2 and 3 are done; the responses come back in that
 * order and each is matched by its message ID. */
static void
test_out_of_order(void)
{
	struct ike_pair p;
	struct ike_sa *a, *b;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	a = sa_of(&p, 0);
	b = sa_of(&p, 1);
	CU_ASSERT_EQUAL(new_children(&p, 0, 3), 3);
	CU_ASSERT_EQUAL_FATAL(p.qn, 3);
	CU_ASSERT_EQUAL(q_msgid(&p, 2), 4);
	deliver_at(&p, 2);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 1u << 1);  /* 4 = 2 + 1 + 1 */
	CU_ASSERT_EQUAL(ike_win_check(b, 4), IKE_WIN_DONE);
	CU_ASSERT_EQUAL(ike_win_check(b, 3), IKE_WIN_NEW);
	CU_ASSERT_EQUAL(ike_win_check(b, 5), IKE_WIN_NEW);
	CU_ASSERT_EQUAL(ike_win_check(b, 6), IKE_WIN_OUTSIDE);
	deliver_at(&p, 0);                      /* 2 */
	CU_ASSERT_EQUAL(b->st.msgid_recv, 3);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 1u << 0);  /* 4 = 3 + 1 + 0 */
	CU_ASSERT_EQUAL_FATAL(p.qn, 3);         /* request 3, responses 4 and 2 */
	CU_ASSERT_FALSE(q_response(&p, 0));
	CU_ASSERT_TRUE(q_response(&p, 1));
	CU_ASSERT_EQUAL(q_msgid(&p, 1), 4);
	CU_ASSERT_EQUAL(q_msgid(&p, 2), 2);
	deliver_at(&p, 1);                      /* response 4 first */
	CU_ASSERT_EQUAL(a->n_out, 2);
	CU_ASSERT_EQUAL(a->st.msgid_send, 2);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 2);
	deliver_at(&p, 1);                      /* response 2 */
	CU_ASSERT_EQUAL(a->st.msgid_send, 3);
	deliver_at(&p, 0);                      /* request 3 */
	CU_ASSERT_EQUAL(b->st.msgid_recv, 5);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(a->st.msgid_send, 5);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 4);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 4);
	ike_pair_free(&p);
}

/* Responses to 2 and 3; the one to 2 is lost. The retransmission of
 * request 2 (only it: 3 was answered) is answered from the window's
 * cache with the very bytes lost; nothing is processed twice. */
static void
test_lost_response(void)
{
	struct ike_pair_dgram lost;
	struct ike_pair p;
	struct ike_sa *a, *b;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	a = sa_of(&p, 0);
	b = sa_of(&p, 1);
	CU_ASSERT_EQUAL(new_children(&p, 0, 2), 2);
	deliver_at(&p, 0);
	deliver_at(&p, 0);
	CU_ASSERT_EQUAL_FATAL(p.qn, 2);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 4);
	CU_ASSERT_EQUAL(b->st.last_resp.msgid, 3);
	CU_ASSERT_EQUAL(b->st.win.n_resp, 2);   /* IKE_AUTH's response and 2's */
	CU_ASSERT_EQUAL(b->st.win.resp_msgid[1], 2);
	lost = take_at(&p, 0);
	CU_ASSERT_EQUAL(q_msgid(&p, 0), 3);
	ike_pair_step(&p);
	CU_ASSERT_EQUAL(a->n_out, 1);
	CU_ASSERT_EQUAL(a->out->msgid, 2);
	CU_ASSERT_EQUAL(a->st.msgid_send, 2);
	CU_ASSERT_EQUAL(a->st.win.msgid_next, 4);
	p.now_ms += RETRANSMIT_MS;
	ike_tick(p.side[0].ctx);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[0].ctx)->tx_retransmits, 1);
	CU_ASSERT_EQUAL(a->out->tries, 1);
	CU_ASSERT_EQUAL_FATAL(p.qn, 1);
	CU_ASSERT_EQUAL(q_msgid(&p, 0), 2);
	ike_pair_step(&p);                      /* to side 1: from the cache */
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_retransmits, 1);
	CU_ASSERT_EQUAL_FATAL(p.qn, 1);
	CU_ASSERT_EQUAL(p.q[0].len, lost.len);
	CU_ASSERT_EQUAL(memcmp(p.q[0].data, lost.data, lost.len), 0);
	ike_pair_step(&p);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(a->st.msgid_send, 4);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 3);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 3);
	free(lost.data);
	ike_pair_free(&p);
}

/* Side 0 made to think side 1's window is 8: request 6 (= 2 + 4) comes
 * first and is dropped unanswered; sent again once 2..5 are done, it
 * is processed. */
static void
test_above_window(void)
{
	uint64_t invalid;
	struct ike_pair p;
	struct ike_sa *a, *b;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, 1, WIN4), 0);
	a = sa_of(&p, 0);
	b = sa_of(&p, 1);
	a->st.window_remote = 2 * WIN4;
	CU_ASSERT_EQUAL(new_children(&p, 0, 5), 5);
	CU_ASSERT_EQUAL_FATAL(p.qn, 5);
	CU_ASSERT_EQUAL(q_msgid(&p, 4), 6);
	invalid = ike_get_stats(p.side[1].ctx)->rx_invalid;
	deliver_at(&p, 4);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_invalid, invalid + 1);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 1, "message ID outside the window"));
	CU_ASSERT_EQUAL(p.qn, 4);               /* no answer */
	CU_ASSERT_EQUAL(b->st.msgid_recv, 2);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 6);
	CU_ASSERT_EQUAL(a->n_out, 1);
	p.now_ms += RETRANSMIT_MS;
	ike_tick(p.side[0].ctx);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 7);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 6);
	ike_pair_free(&p);
}

/* Each outstanding request has its own back-off: 2 sent at t, 3 at
 * t + 1000; both lost; 2 is retransmitted at t + 2000, 3 at t + 3000. */
static void
test_own_timers(void)
{
	struct ike_pair p;
	struct ike_sa *a;
	uint64_t t;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, 1, WIN4), 0);
	a = sa_of(&p, 0);
	t = p.now_ms;
	CU_ASSERT_EQUAL(new_children(&p, 0, 1), 1);
	p.now_ms += RETRANSMIT_MS / 2;
	CU_ASSERT_EQUAL(new_children(&p, 0, 1), 1);
	ike_pair_flush(&p);
	CU_ASSERT_EQUAL(a->out->deadline_ms, t + RETRANSMIT_MS);
	CU_ASSERT_EQUAL(a->out->next->deadline_ms, t + RETRANSMIT_MS / 2 + RETRANSMIT_MS);
	CU_ASSERT_EQUAL(ike_next_deadline(p.side[0].ctx), t + RETRANSMIT_MS);
	p.now_ms = t + RETRANSMIT_MS;
	ike_tick(p.side[0].ctx);
	CU_ASSERT_EQUAL(p.qn, 1);
	CU_ASSERT_EQUAL(q_msgid(&p, 0), 2);
	CU_ASSERT_EQUAL(a->out->tries, 1);
	CU_ASSERT_EQUAL(a->out->next->tries, 0);
	p.now_ms = t + RETRANSMIT_MS / 2 + RETRANSMIT_MS;
	ike_tick(p.side[0].ctx);
	CU_ASSERT_EQUAL(p.qn, 2);
	CU_ASSERT_EQUAL(q_msgid(&p, 1), 3);
	CU_ASSERT_EQUAL(a->out->next->tries, 1);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 3);
	ike_pair_free(&p);
}

/* ---- state ---- */

/* Mid-window (4 processed before 3) the IKE SA record carries the
 * window: a copy made from it answers a retransmitted request from the
 * cache and still knows 4 was processed. */
static void
test_state_round_trip(void)
{
	size_t cap = ike_sa_state_max_len();
	uint8_t *buf = malloc(cap);
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct ike_pair p;
	struct ike_sa *b;
	ssize_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	b = sa_of(&p, 1);
	CU_ASSERT_EQUAL(new_children(&p, 0, 3), 3);
	deliver_at(&p, 0);                      /* 2 */
	deliver_at(&p, 1);                      /* 4 */
	CU_ASSERT_EQUAL(b->st.msgid_recv, 3);
	n = ike_sa_state_serialize(&b->st, buf, cap);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(ike_sa_state_deserialize(buf, (size_t)n, st), 0);
	CU_ASSERT_EQUAL(st->msgid_recv, 3);
	CU_ASSERT_EQUAL(st->win.recv_done, 1u << 0);
	CU_ASSERT_EQUAL(st->window_local, WIN4);
	CU_ASSERT_EQUAL(st->window_remote, WIN4);
	CU_ASSERT_EQUAL(st->last_resp.msgid, 4);
	CU_ASSERT_EQUAL(st->win.n_resp, 2);
	CU_ASSERT_EQUAL(st->win.resp_msgid[1], 2);
	CU_ASSERT_EQUAL(st->win.bytes_len, b->st.win.bytes_len);
	CU_ASSERT_EQUAL(memcmp(st->win.bytes, b->st.win.bytes, st->win.bytes_len), 0);
	CU_ASSERT_TRUE(ike_sa_state_equal(st, &b->st));
	OPENSSL_cleanse(buf, cap);
	ike_sa_state_wipe(st);
	free(st);
	free(buf);
	ike_pair_free(&p);
}

/* ST through its serialized record into OUT. */
static int
ship(const struct ike_sa_state *st, struct ike_sa_state *out)
{
	size_t cap = ike_sa_state_max_len();
	uint8_t *buf = malloc(cap);
	ssize_t n = buf == NULL ? -ENOMEM : ike_sa_state_serialize(st, buf, cap);
	int rc = n < 0 ? (int)n : ike_sa_state_deserialize(buf, (size_t)n, out);

	if (buf != NULL)
		OPENSSL_cleanse(buf, cap);
	free(buf);
	return rc;
}

struct child_copy {
	int n;
	struct ike_child_state c[4];
};

static int
copy_child_cb(const struct ike_child_state *c, void *arg)
{
	struct child_copy *cc = arg;

	if (cc->n < 4)
		cc->c[cc->n++] = *c;
	return 0;
}

/* Side 1 (the responder) is replaced by a copy made from its records
 * (HA, ike/ike_ha.c) after processing 2 and 4 of 2, 3, 4, their answers
 * lost: the copy processes 3, knows 4 was processed, and answers the
 * retransmissions of 2 and 4 from the shipped cache with the same bytes. */
static void
test_ha_takeover_cache(void)
{
	struct ike_ha_takeover_opts o = { .iv_margin = IKE_HA_IV_MARGIN_MIN };
	struct ike_sa_state *st = calloc(1, sizeof(*st));
	struct ike_pair_dgram lost[2];
	struct child_copy cc = { 0 };
	struct ike_pair p;
	struct ike_sa *a, *b;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	a = sa_of(&p, 0);
	CU_ASSERT_EQUAL(new_children(&p, 0, 1), 1);                     /* 2 */
	CU_ASSERT_EQUAL(ike_exch_initiate(p.side[0].ctx, a, IKE_EXCH_INFORMATIONAL), 0);
	CU_ASSERT_EQUAL(new_children(&p, 0, 1), 1);                     /* 4 */
	deliver_at(&p, 0);
	deliver_at(&p, 1);
	CU_ASSERT_EQUAL_FATAL(p.qn, 3);         /* request 3, responses 2 and 4 */
	lost[0] = take_at(&p, 1);
	lost[1] = take_at(&p, 1);
	CU_ASSERT_EQUAL_FATAL(ship(&sa_of(&p, 1)->st, st), 0);   /* the HA record */
	ike_child_foreach(p.side[1].ctx, st->id, copy_child_cb, &cc);
	CU_ASSERT_EQUAL_FATAL(cc.n, 3);
	CU_ASSERT_EQUAL_FATAL(ike_pair_restart(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_ha_set_passive(p.side[1].ctx, true), 0);
	CU_ASSERT_EQUAL(ike_ha_import_sa(p.side[1].ctx, st), 0);
	for (i = 0; i < cc.n; i++)
		CU_ASSERT_EQUAL(ike_ha_import_child(p.side[1].ctx, &cc.c[i]), 0);
	CU_ASSERT_EQUAL(ike_ha_takeover(p.side[1].ctx, &o), 1);
	b = sa_of(&p, 1);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 3);
	CU_ASSERT_EQUAL(b->st.win.recv_done, 1u << 0);
	ike_pair_step(&p);                      /* request 3: processed by the copy */
	CU_ASSERT_EQUAL(b->st.msgid_recv, 5);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(a->n_out, 2);
	p.now_ms += RETRANSMIT_MS;
	ike_tick(p.side[0].ctx);
	CU_ASSERT_EQUAL_FATAL(p.qn, 2);
	ike_pair_step(&p);
	ike_pair_step(&p);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_retransmits, 2);
	CU_ASSERT_EQUAL_FATAL(p.qn, 2);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(p.q[i].len, lost[i].len);
		CU_ASSERT_EQUAL(memcmp(p.q[i].data, lost[i].data, lost[i].len), 0);
		free(lost[i].data);
	}
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_EQUAL(a->st.msgid_send, 5);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 3);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 3);
	ike_sa_state_wipe(st);
	free(st);
	ike_pair_free(&p);
}

/* RFC 6311: side 1 syncs while side 0 has 2 and 3 outstanding (lost):
 * both windows start again, side 0 sends its two requests again as 4
 * and 5, which side 1 processes. */
static void
test_sync_restarts(void)
{
	struct ike_pair p;
	struct ike_sa *a, *b;

	CU_ASSERT_EQUAL_FATAL(win_setup(&p, WIN4, WIN4), 0);
	a = sa_of(&p, 0);
	b = sa_of(&p, 1);
	CU_ASSERT_TRUE_FATAL(b->st.peer_msgid_sync);
	CU_ASSERT_EQUAL(new_children(&p, 0, 2), 2);
	ike_pair_flush(&p);
	CU_ASSERT_EQUAL(ike_ha_msgid_sync(p.side[1].ctx, b->st.id, 1), 0);
	CU_ASSERT_EQUAL_FATAL(p.qn, 1);
	CU_ASSERT_EQUAL(q_msgid(&p, 0), 0);
	ike_pair_step(&p);                      /* side 0 answers and restarts */
	CU_ASSERT_EQUAL(a->st.msgid_recv, WIN4);        /* M1 = 0 + max(1, window 4) */
	CU_ASSERT_EQUAL(a->st.msgid_send, 4);
	CU_ASSERT_EQUAL(a->st.win.msgid_next, 6);
	CU_ASSERT_EQUAL(a->n_out, 2);
	CU_ASSERT_EQUAL(a->out->msgid, 4);
	CU_ASSERT_EQUAL(a->out->next->msgid, 5);
	CU_ASSERT_EQUAL(a->st.win.n_resp, 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(b->st.msgid_recv, 6);
	CU_ASSERT_EQUAL(b->st.msgid_send, WIN4);
	CU_ASSERT_TRUE(ike_win_idle(a));
	CU_ASSERT_TRUE(ike_win_idle(b));
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 3);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 3);
	ike_pair_free(&p);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_window", NULL, NULL);
	CU_add_test(s, "SET_WINDOW_SIZE in IKE_AUTH, 1 against 4", test_negotiate);
	CU_add_test(s, "SET_WINDOW_SIZE values", test_notify_values);
	CU_add_test(s, "several CREATE_CHILD_SA outstanding", test_several_ccsa);
	CU_add_test(s, "several INFORMATIONAL outstanding", test_several_informational);
	CU_add_test(s, "DELETE queued behind a full window", test_queued_delete);
	CU_add_test(s, "requests and responses out of order", test_out_of_order);
	CU_add_test(s, "lost response answered from the cache", test_lost_response);
	CU_add_test(s, "request above the window dropped", test_above_window);
	CU_add_test(s, "a retransmission timer per request", test_own_timers);
	CU_add_test(s, "window state in the HA record", test_state_round_trip);
	CU_add_test(s, "HA copy answers from the shipped cache", test_ha_takeover_cache);
	CU_add_test(s, "RFC 6311 sync restarts the windows", test_sync_restarts);
	return cu_run_registered();
}
