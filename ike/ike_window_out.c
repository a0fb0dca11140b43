/* Our requests under the peer's message ID window (RFC 7296 §2.1, §2.3):
 * up to its SET_WINDOW_SIZE outstanding at once (request X only once
 * every request up to X - window is answered), each kept as sent with its
 * own retransmission timer and back-off until its response, matched by
 * message ID, comes; msgid_send follows the lowest one still outstanding.
 * An RFC 6311 sync request (message ID 0) is kept the same way, outside
 * the window. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_io.h"
#include "ike/ike_window.h"

enum { IKE_WIN_BYTE_BITS = 8 };

static bool
established(const struct ike_sa *sa)
{
	return sa->st.phase >= IKE_SA_PHASE_ESTABLISHED && sa->st.phase < IKE_SA_PHASE_DEAD;
}

uint32_t
ike_win_remote(const struct ike_sa *sa)
{
	uint32_t w = sa->st.window_remote;

	if (!established(sa) || w <= 1)
		return 1;
	return w > IKE_WIN_MAX ? IKE_WIN_MAX : w;
}

void
ike_win_peer_notify(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify *n = ike_msg_find_notify(m, IKE_N_SET_WINDOW_SIZE);
	uint32_t v = 0;
	size_t i;

	if (n == NULL || n->data.len != IKE_WIN_NOTIFY_LEN)   /* §2.3: 4 octets */
		return;
	for (i = 0; i < IKE_WIN_NOTIFY_LEN; i++)
		v = v << IKE_WIN_BYTE_BITS | n->data.ptr[i];
	if (v == 0)
		return;
	if (v > IKE_WIN_MAX)
		v = IKE_WIN_MAX;
	if (v > sa->st.window_remote)   /* §2.3: no way to reduce it */
		sa->st.window_remote = v;
}

/* The next message ID of ours (msgid_next 0, as in an older record: none
 * beyond msgid_send). */
static uint32_t
next_id(const struct ike_sa *sa)
{
	return sa->st.win.msgid_next > sa->st.msgid_send ? sa->st.win.msgid_next :
	       sa->st.msgid_send;
}

bool
ike_win_can_send(const struct ike_sa *sa)
{
	if (sa->midsync.out_active)     /* RFC 6311: the IDs are about to move */
		return false;
	return next_id(sa) - sa->st.msgid_send < ike_win_remote(sa);
}

bool
ike_win_idle(const struct ike_sa *sa)
{
	return sa->out == NULL;
}

uint32_t
ike_win_next_msgid(struct ike_sa *sa, uint8_t exchange)
{
	if (exchange == IKE_EXCH_SA_INIT) {
		sa->st.msgid_send = 0;
		sa->st.win.msgid_next = 0;
		return 0;
	}
	return next_id(sa);
}

/* msgid_send: the lowest request ID of ours in the window not answered. */
static void
update_send(struct ike_sa *sa)
{
	const struct ike_win_req *q;
	uint32_t next = next_id(sa), low = next;

	for (q = sa->out; q != NULL; q = q->next)
		if (!q->outside && q->msgid < low)
			low = q->msgid;
	sa->st.win.msgid_next = next;
	sa->st.msgid_send = low;
}

void
ike_win_req_free(struct ike_win_req *q)
{
	if (q == NULL)
		return;
	ike_dh_free(q->ccsa.dh);
	if (q->bytes != NULL)
		OPENSSL_cleanse(q->bytes, q->len);
	free(q->bytes);
	OPENSSL_cleanse(q, sizeof(*q));
	free(q);
}

static void
unlink_req(struct ike_sa *sa, struct ike_win_req *q)
{
	struct ike_win_req **pp;

	for (pp = &sa->out; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			sa->n_out--;
			return;
		}
	}
}

static void
insert_req(struct ike_sa *sa, struct ike_win_req *q)
{
	struct ike_win_req **pp, *old = ike_win_find(sa, q->msgid, q->exchange);

	if (old != NULL) {              /* sent again under the same ID */
		unlink_req(sa, old);
		ike_win_req_free(old);
	}
	for (pp = &sa->out; *pp != NULL && (*pp)->msgid <= q->msgid; pp = &(*pp)->next)
		;
	q->next = *pp;
	*pp = q;
	sa->n_out++;
}

/* The exchange's own state goes with its request. */
static void
park(struct ike_sa *sa, struct ike_win_req *q)
{
	if (q->exchange == IKE_EXCH_CREATE_CHILD_SA) {
		q->ccsa = sa->ccsa;     /* the D-H pair moves along */
		memset(&sa->ccsa, 0, sizeof(sa->ccsa));
	} else if (q->exchange == IKE_EXCH_INFORMATIONAL) {
		q->del_child_spi = sa->del_child_spi;
		sa->del_child_spi = 0;
	}
}

int
ike_win_add(struct ike_ctx *ctx, struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
	    uint8_t *bytes, size_t len, const uint16_t *lens, uint16_t n)
{
	struct ike_win_req *q;

	if (n > IKE_SA_REQ_FRAGS_MAX)
		return -E2BIG;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	q->exchange = exchange;
	q->msgid = msgid;
	q->outside = msgid < sa->st.msgid_send;        /* RFC 6311 sync: ID 0 */
	q->bytes = bytes;
	q->len = len;
	q->n_frags = n;
	memcpy(q->frag_len, lens, sizeof(lens[0]) * n);
	q->deadline_ms = ike_io_retransmit_at(ctx, ike_ctx_now_ms(ctx), 0);
	park(sa, q);
	insert_req(sa, q);
	if (!q->outside && msgid >= next_id(sa))
		sa->st.win.msgid_next = msgid + 1;
	update_send(sa);
	return 0;
}

struct ike_win_req *
ike_win_find(const struct ike_sa *sa, uint32_t msgid, uint8_t exchange)
{
	struct ike_win_req *q;

	for (q = sa->out; q != NULL; q = q->next)
		if (q->msgid == msgid && q->exchange == exchange)
			return q;
	return NULL;
}

void
ike_win_take(struct ike_sa *sa, struct ike_win_req *q)
{
	unlink_req(sa, q);
	if (q->exchange == IKE_EXCH_CREATE_CHILD_SA) {
		ike_dh_free(sa->ccsa.dh);       /* nothing should be left there */
		sa->ccsa = q->ccsa;
		q->ccsa.dh = NULL;
	} else if (q->exchange == IKE_EXCH_INFORMATIONAL) {
		sa->del_child_spi = q->del_child_spi;
	}
	ike_win_req_free(q);
	update_send(sa);
}

void
ike_win_clear(struct ike_sa *sa)
{
	struct ike_win_req *q = ike_win_detach(sa), *n;

	for (; q != NULL; q = n) {
		n = q->next;
		ike_win_req_free(q);
	}
}

struct ike_win_req *
ike_win_detach(struct ike_sa *sa)
{
	struct ike_win_req *q = sa->out;

	sa->out = NULL;
	sa->n_out = 0;
	return q;
}

bool
ike_win_ccsa_pending(const struct ike_sa *sa, uint8_t kind)
{
	const struct ike_win_req *q;

	for (q = sa->out; q != NULL; q = q->next)
		if (q->exchange == IKE_EXCH_CREATE_CHILD_SA && q->ccsa.kind == kind)
			return true;
	return false;
}

uint64_t
ike_win_deadline(const struct ike_sa *sa)
{
	const struct ike_win_req *q;
	uint64_t d = UINT64_MAX;

	for (q = sa->out; q != NULL; q = q->next)
		if (q->deadline_ms < d)
			d = q->deadline_ms;
	return d;
}

bool
ike_win_retransmit(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	struct ike_win_req *q;

	for (q = sa->out; q != NULL; q = q->next) {
		if (now < q->deadline_ms)
			continue;
		if (q->tries >= ctx->conf->cfg.retransmit_tries) {
			ike_sa_set_phase(sa, IKE_SA_PHASE_DEAD);
			ike_ctx_sa_delete(ctx, sa, "peer not responding, giving up");
			return false;
		}
		q->tries++;
		IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "retransmit %u of msgid %u", q->tries, q->msgid);
		ike_io_resend_request(ctx, sa, q);
		q->deadline_ms = ike_io_retransmit_at(ctx, now, q->tries);
	}
	return true;
}
