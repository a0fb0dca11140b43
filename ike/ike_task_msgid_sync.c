/* IKEv2 Message ID synchronization (RFC 6311 §5.1, §6.3, §7, §8.1, §9,
 * Appendix A): an INFORMATIONAL exchange with message ID 0, outside the
 * normal window (RFC 7296 §2.3), carrying only N(IKEV2_MESSAGE_ID_SYNC)
 * = nonce (4) | EXPECTED_SEND_REQ_MESSAGE_ID (4) |
 * EXPECTED_RECV_REQ_MESSAGE_ID (4), both sides having announced
 * IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (st.peer_msgid_sync).
 *
 * Newly active member (us after ike_ha_takeover): sends (M1, P1) with
 *   M1 = msgid_send + max(margin, the peer's window) (§5.1: larger than any
 *        ID the old active may have used, at least the sender window more),
 *   P1 = msgid_recv (one more than the last request ID received).
 * The peer answers (P2, M2) in its own order: send first. Once the nonce
 * matches (else the response is dropped and ours is retransmitted) we
 * adopt msgid_send = M2 and msgid_recv = P2 (the max with M1/P1 if a peer
 * answered lower than it MUST); a response is processed once.
 *
 * Peer (a request from the other side, e.g. a hagw pair at both ends):
 *   dropped silently when M1 <= the highest request ID seen from it
 *   (msgid_recv - 1, and the M1 of a sync request accepted before: a
 *   replay); a retransmission of the request we accepted (same nonce and
 *   M1) gets our cached response again;
 *   P2 = max(P1, one more than the highest request ID we used: msgid_next,
 *        outstanding requests counted, §9: not waited for);
 *   M2 = max(M1, msgid_recv);
 *   we answer (P2, M2) with message ID 0 and adopt msgid_send = P2,
 *   msgid_recv = M2. Our outstanding requests are sent again with new IDs
 *   (CREATE_CHILD_SA through ike_rekey_resend, INFORMATIONAL at once).
 * Either way both message ID windows (RFC 7296 §2.3) start again: our
 * requests from P2 (resp. M2), the peer's from M2 (resp. P2), nothing
 * marked processed out of order, no older response cached.
 * IPSEC_REPLAY_COUNTER_SYNC is not sent (the data path advances its own
 * sequence numbers at takeover) and ignored when received. */
#include <errno.h>
#include <string.h>

#include "ike/ike_buf.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum {
	MIDSYNC_NONCE_OFF = 0,
	MIDSYNC_SEND_OFF = 4,
	MIDSYNC_RECV_OFF = 8,
	MIDSYNC_DATA_LEN = 12,
	/* After a sync, the IKE SA is rekeyed within this window (seconds,
	 * from its start, spread so a takeover of many SAs does not make a
	 * storm): the new IKE SA may be synced again at a later takeover. */
	MIDSYNC_REKEY_AFTER_S = 60,
	MIDSYNC_REKEY_SPREAD_S = 60,
};

struct midsync_vals {
	uint32_t nonce;
	uint32_t send;                  /* EXPECTED_SEND_REQ_MESSAGE_ID */
	uint32_t recv;                  /* EXPECTED_RECV_REQ_MESSAGE_ID */
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* The notify of M: 0, or -EBADMSG (absent or not 12 octets). */
static int
vals_get(const struct ike_msg *m, struct midsync_vals *v)
{
	const struct ike_notify *n = ike_msg_find_notify(m, IKE_N_MESSAGE_ID_SYNC);

	if (n == NULL || n->data.ptr == NULL || n->data.len != MIDSYNC_DATA_LEN)
		return -EBADMSG;
	v->nonce = be32(n->data.ptr + MIDSYNC_NONCE_OFF);
	v->send = be32(n->data.ptr + MIDSYNC_SEND_OFF);
	v->recv = be32(n->data.ptr + MIDSYNC_RECV_OFF);
	return 0;
}

/* Request or response with message ID 0 carrying only our notify. */
static int
send_sync(struct ike_ctx *ctx, struct ike_sa *sa, bool response, const struct midsync_vals *v)
{
	uint8_t data[MIDSYNC_DATA_LEN];
	struct ike_out o;
	int rc;

	ike_put_be32(data + MIDSYNC_NONCE_OFF, v->nonce);
	ike_put_be32(data + MIDSYNC_SEND_OFF, v->send);
	ike_put_be32(data + MIDSYNC_RECV_OFF, v->recv);
	rc = ike_io_begin(ctx, sa, &o, IKE_EXCH_INFORMATIONAL, response, 0);
	if (rc == 0)
		rc = ike_msg_build_status(&o.b, IKE_N_MESSAGE_ID_SYNC, data, sizeof(data));
	if (rc == 0)
		rc = ike_io_send(ctx, sa, &o);
	return rc;
}

int
ike_msgid_sync_start(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t margin)
{
	struct ike_sa_midsync *s = &sa->midsync;
	struct midsync_vals v;
	int rc;

	if (!sa->st.peer_msgid_sync)
		return -EOPNOTSUPP;
	if (sa->st.msgid_sync_used)
		return -EALREADY;
	if (!ike_win_idle(sa) || sa->st.phase != IKE_SA_PHASE_ESTABLISHED)
		return -EBUSY;
	margin = max_u32(margin, sa->st.window_remote);
	if (sa->st.msgid_send > UINT32_MAX - margin)
		return -ERANGE;
	rc = ike_spi_random((uint8_t *)&v.nonce, sizeof(v.nonce));
	if (rc != 0)
		return rc;
	v.send = sa->st.msgid_send + margin;
	v.recv = sa->st.msgid_recv;
	rc = send_sync(ctx, sa, false, &v);
	if (rc != 0)
		return rc;
	s->out_active = true;
	sa->st.msgid_sync_used = true;
	s->out_nonce = v.nonce;
	s->out_m1 = v.send;
	s->out_p1 = v.recv;
	ctx->ha_stats.msgid_syncs_sent++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "MESSAGE_ID_SYNC sent: send %u recv %u", v.send,
		   v.recv);
	return 0;
}

bool
ike_msgid_sync_window(const struct ike_sa *sa, const struct ike_msg *m)
{
	return m->hdr.msg_id == 0 && m->hdr.exchange == IKE_EXCH_INFORMATIONAL &&
	       sa->st.peer_msgid_sync && sa->st.phase == IKE_SA_PHASE_ESTABLISHED;
}

/* msgid_sync_used is for good on this IKE SA: bring its rekey forward. */
static void
rekey_soon(struct ike_ctx *ctx, struct ike_sa *sa)
{
	uint32_t r = 0;
	uint64_t at;

	if (ike_spi_random((uint8_t *)&r, sizeof(r)) != 0)
		r = 0;
	at = ike_ctx_wall_s(ctx) + MIDSYNC_REKEY_AFTER_S + r % MIDSYNC_REKEY_SPREAD_S;
	if (sa->st.rekey_time == 0 || sa->st.rekey_time > at) {
		sa->st.rekey_time = at;
		sa->rekey_fired = false;
	}
}

bool
ike_msgid_sync_response(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_sa_midsync *s = &sa->midsync;
	struct ike_win_req *q;
	struct midsync_vals v;

	if (!s->out_active || m->hdr.msg_id != 0 || m->hdr.exchange != IKE_EXCH_INFORMATIONAL)
		return false;
	if (vals_get(m, &v) != 0 || v.nonce != s->out_nonce) {
		ctx->ha_stats.msgid_syncs_dropped++;    /* ours is retransmitted (5.1) */
		IKE_LOG_SA(ctx, sa, IKE_LOG_NOTICE, "MESSAGE_ID_SYNC response dropped");
		return true;
	}
	q = ike_win_find(sa, 0, IKE_EXCH_INFORMATIONAL);
	if (q != NULL)
		ike_win_take(sa, q);
	s->out_active = false;
	sa->st.msgid_send = max_u32(v.recv, s->out_m1);
	sa->st.win.msgid_next = sa->st.msgid_send;
	sa->st.msgid_recv = max_u32(v.send, s->out_p1);
	ike_win_recv_reset(sa);
	ctx->ha_stats.msgid_syncs_ok++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "MESSAGE_ID_SYNC done: send %u recv %u",
		   sa->st.msgid_send, sa->st.msgid_recv);
	rekey_soon(ctx, sa);
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);
	ike_rekey_kick(ctx, sa);        /* queued work; may free SA */
	return true;
}

/* §5.1: a replay (M1 not above every request ID seen from the peer). */
static bool
replayed(const struct ike_sa *sa, uint32_t m1)
{
	const struct ike_sa_midsync *s = &sa->midsync;

	if (s->in_seen && m1 <= s->in_m1)
		return true;
	return sa->st.msgid_recv != 0 && m1 <= sa->st.msgid_recv - 1;
}

/* Our outstanding requests, abandoned by the sync (§9), again with new
 * IDs in the order they had. */
static void
resend_ours(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_win_req *list)
{
	struct ike_win_req *q, *n;
	int rc;

	for (q = list; q != NULL; q = n) {
		n = q->next;
		if (q->exchange == IKE_EXCH_CREATE_CHILD_SA) {
			sa->ccsa = q->ccsa;     /* its D-H pair and nonce again */
			q->ccsa.dh = NULL;
			rc = ike_rekey_resend(ctx, sa);
		} else {
			sa->del_child_spi = q->del_child_spi;
			rc = ike_exch_initiate(ctx, sa, q->exchange);
			sa->del_child_spi = 0;
		}
		if (rc != 0)
			IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "msgid %u not sent again after "
				   "MESSAGE_ID_SYNC: %d", q->msgid, rc);
		ike_win_req_free(q);
	}
}

static void
accept_request(struct ike_ctx *ctx, struct ike_sa *sa, const struct midsync_vals *in)
{
	bool ours = !ike_win_idle(sa) && !sa->midsync.out_active;
	struct ike_win_req *list;
	struct midsync_vals out = {
		.nonce = in->nonce,
		.send = max_u32(in->recv, ike_win_next_msgid(sa, IKE_EXCH_INFORMATIONAL)),
		.recv = max_u32(in->send, sa->st.msgid_recv),
	};

	if (send_sync(ctx, sa, true, &out) != 0) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "MESSAGE_ID_SYNC response not sent");
		return;
	}
	sa->midsync.in_seen = true;
	sa->midsync.in_nonce = in->nonce;
	sa->midsync.in_m1 = in->send;
	list = ours ? ike_win_detach(sa) : NULL;
	sa->st.msgid_send = out.send;
	sa->st.win.msgid_next = out.send;
	sa->st.msgid_recv = out.recv;
	ike_win_recv_reset(sa);
	ctx->ha_stats.msgid_syncs_answered++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "MESSAGE_ID_SYNC answered: send %u recv %u",
		   out.send, out.recv);
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);
	resend_ours(ctx, sa, list);
}

bool
ike_msgid_sync_request(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_sa_midsync *s = &sa->midsync;
	struct midsync_vals v;

	if (m->hdr.msg_id != 0 || m->hdr.exchange != IKE_EXCH_INFORMATIONAL)
		return false;
	if (ike_msg_find_notify(m, IKE_N_MESSAGE_ID_SYNC) == NULL) {
		if (ike_win_check(sa, 0) == IKE_WIN_NEW)
			return false;   /* the peer's first request: the normal way */
		ike_win_resend(ctx, sa, 0);     /* RFC 7296 §2.1, §2.3 */
		return true;
	}
	if (!ike_msgid_sync_window(sa, m) || vals_get(m, &v) != 0) {
		ctx->ha_stats.msgid_syncs_dropped++;
		return true;
	}
	if (s->in_seen && v.nonce == s->in_nonce && v.send == s->in_m1) {
		ike_win_resend(ctx, sa, 0);     /* our answer was lost */
		return true;
	}
	if (replayed(sa, v.send)) {
		ctx->ha_stats.msgid_syncs_dropped++;
		IKE_LOG_SA(ctx, sa, IKE_LOG_NOTICE, "MESSAGE_ID_SYNC with send %u dropped",
			   v.send);
		return true;
	}
	accept_request(ctx, sa, &v);
	return true;
}
