/* The peer's requests under our message ID window (RFC 7296 §2.1, §2.3):
 * a request in [msgid_recv, msgid_recv + window - 1] not processed yet is
 * processed, in whatever order they come; one processed already (below
 * msgid_recv or marked in recv_done) is answered again from the response
 * cache with the same bytes, or ignored once its response is gone; one
 * above the window is dropped. The cache keeps the last `window` responses:
 * last_resp and the older ones in struct ike_state_win. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_io.h"
#include "ike/ike_window.h"

uint32_t
ike_win_local(const struct ike_sa *sa)
{
	uint32_t w = sa->st.window_local;

	if (sa->st.phase < IKE_SA_PHASE_ESTABLISHED || sa->st.phase >= IKE_SA_PHASE_DEAD ||
	    w <= 1)
		return 1;
	return w > IKE_WIN_MAX ? IKE_WIN_MAX : w;
}

/* Bit of request msgid_recv + OFF (OFF >= 1) in recv_done. */
static uint32_t
done_bit(uint32_t off)
{
	return 1u << (off - 1);
}

enum ike_win_verdict
ike_win_check(const struct ike_sa *sa, uint32_t msgid)
{
	uint32_t off;

	if (msgid < sa->st.msgid_recv)
		return IKE_WIN_DONE;
	off = msgid - sa->st.msgid_recv;
	if (off >= ike_win_local(sa))
		return IKE_WIN_OUTSIDE;
	if (off > 0 && (sa->st.win.recv_done & done_bit(off)) != 0)
		return IKE_WIN_DONE;
	return IKE_WIN_NEW;
}

void
ike_win_done(struct ike_sa *sa, uint32_t msgid)
{
	struct ike_state_win *w = &sa->st.win;
	uint32_t off;
	bool next_done;

	if (msgid < sa->st.msgid_recv)
		return;
	off = msgid - sa->st.msgid_recv;
	if (off >= IKE_WIN_MAX)
		return;
	if (off > 0) {
		w->recv_done |= done_bit(off);
		return;
	}
	do {                            /* the window slides over what is done */
		next_done = (w->recv_done & 1u) != 0;
		w->recv_done >>= 1;
		sa->st.msgid_recv++;
	} while (next_done);
}

static void
drop_oldest(struct ike_state_win *w)
{
	uint16_t len = w->resp_len[0];

	memmove(w->bytes, w->bytes + len, w->bytes_len - len);
	w->bytes_len -= len;
	memset(w->bytes + w->bytes_len, 0, len);        /* records stay canonical */
	memmove(w->resp_msgid, w->resp_msgid + 1, sizeof(w->resp_msgid[0]) * (w->n_resp - 1));
	memmove(w->resp_len, w->resp_len + 1, sizeof(w->resp_len[0]) * (w->n_resp - 1));
	w->n_resp--;
	w->n_resp_len = w->n_resp;
	w->resp_msgid[w->n_resp] = 0;
	w->resp_len[w->n_resp] = 0;
}

/* The window's blob grown by LEN bytes of B: a new blob, the old one
 * wiped and freed (realloc would leave its bytes behind). */
static int
append(struct ike_state_win *w, const uint8_t *b, uint16_t len)
{
	uint8_t *nb = malloc((size_t)w->bytes_len + len);

	if (nb == NULL)
		return -ENOMEM;
	if (w->bytes_len != 0)
		memcpy(nb, w->bytes, w->bytes_len);
	memcpy(nb + w->bytes_len, b, len);
	ike_state_blob_free(&w->bytes, w->bytes_len);
	w->bytes = nb;
	w->bytes_len += len;
	return 0;
}

void
ike_win_push_response(struct ike_sa *sa)
{
	const struct ike_state_resp *r = &sa->st.last_resp;
	struct ike_state_win *w = &sa->st.win;
	uint32_t keep = ike_win_local(sa) - 1;  /* besides last_resp */

	while (w->n_resp > keep)
		drop_oldest(w);
	if (keep == 0 || r->len == 0 || r->regenerate || r->n_frags != 0 ||
	    r->len > IKE_STATE_WIN_BYTES)
		return;                 /* not kept: its request is ignored if repeated */
	while (w->n_resp > 0 && (w->n_resp >= keep || w->bytes_len + r->len > IKE_STATE_WIN_BYTES))
		drop_oldest(w);
	if (append(w, r->bytes, r->len) < 0)
		return;                 /* out of memory: not kept, like a large one */
	w->resp_msgid[w->n_resp] = r->msgid;
	w->resp_len[w->n_resp] = r->len;
	w->n_resp++;
	w->n_resp_len = w->n_resp;
}

bool
ike_win_resend(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t msgid)
{
	const struct ike_state_resp *r = &sa->st.last_resp;
	const struct ike_state_win *w = &sa->st.win;
	size_t off = 0;
	uint16_t i;

	if (r->len != 0 && r->msgid == msgid) {
		ike_io_resend_response(ctx, sa);
		return true;
	}
	for (i = 0; i < w->n_resp; off += w->resp_len[i], i++) {
		if (w->resp_msgid[i] != msgid)
			continue;
		ctx->stats.rx_retransmits++;
		ike_io_xmit(ctx, &sa->st.local, &sa->st.remote, w->bytes + off, w->resp_len[i]);
		return true;
	}
	return false;
}

void
ike_win_recv_reset(struct ike_sa *sa)
{
	struct ike_state_win *w = &sa->st.win;

	w->recv_done = 0;
	w->n_resp = 0;
	w->n_resp_len = 0;
	ike_state_blob_free(&w->bytes, w->bytes_len);
	w->bytes_len = 0;
}
