/* Message ID windows (RFC 7296 §2.3): how many requests each side may have
 * outstanding (1 until the initial exchanges complete, then what the
 * other side announced with SET_WINDOW_SIZE), our outstanding requests
 * with their own retransmission timers (ike_window_out.c), and the peer's
 * requests: which message IDs are accepted, processed out of order, and
 * answered again from the response cache (ike_window_in.c). State that HA
 * ships lives in struct ike_state_win (ike_state.h). */
#ifndef IKE_WINDOW_H
#define IKE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_ctx_priv.h"

enum ike_win_limits {
	IKE_WIN_MAX = IKE_STATE_WIN_MAX,
	IKE_WIN_NOTIFY_LEN = 4,         /* SET_WINDOW_SIZE data: 32-bit big endian */
};

/* What a request's message ID means to the responder. */
enum ike_win_verdict {
	IKE_WIN_NEW = 0,                /* in the window, not processed: process it */
	IKE_WIN_DONE,                   /* processed already: answer from the cache */
	IKE_WIN_OUTSIDE,                /* above the window: dropped */
};

/* The windows in effect: 1 until IKE_AUTH completes (§2.3). */
uint32_t ike_win_local(const struct ike_sa *sa);
uint32_t ike_win_remote(const struct ike_sa *sa);

/* The value of a peer's SET_WINDOW_SIZE notify into st.window_remote: 4
 * octets or ignored, 0 ignored, above IKE_WIN_MAX clamped, never smaller
 * than before (§2.3: a window cannot shrink). */
void ike_win_peer_notify(struct ike_sa *sa, const struct ike_msg *m);

/* ---- our requests (ike_window_out.c) ---- */

/* May we send a new request now (the peer's window has room)? */
bool ike_win_can_send(const struct ike_sa *sa);
/* No request of ours outstanding. */
bool ike_win_idle(const struct ike_sa *sa);
/* The message ID of our next request of EXCHANGE (IKE_SA_INIT: 0, and
 * the counters start again). */
uint32_t ike_win_next_msgid(struct ike_sa *sa, uint8_t exchange);
/* A request as sent (BYTES taken over when 0 is returned): kept until
 * answered, with its exchange's sa->ccsa (CREATE_CHILD_SA) or
 * sa->del_child_spi (INFORMATIONAL) parked in it. */
int ike_win_add(struct ike_ctx *ctx, struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
		uint8_t *bytes, size_t len, const uint16_t *lens, uint16_t n);
/* Our outstanding request MSGID of EXCHANGE, or NULL. */
struct ike_win_req *ike_win_find(const struct ike_sa *sa, uint32_t msgid, uint8_t exchange);
/* Its response came: the request goes, its parked state back into
 * sa->ccsa and sa->del_child_spi, msgid_send moves to the lowest one
 * still outstanding. */
void ike_win_take(struct ike_sa *sa, struct ike_win_req *q);
/* Every outstanding request dropped (their parked state freed). */
void ike_win_clear(struct ike_sa *sa);
/* The requests detached from SA, in message ID order (RFC 6311: sent
 * again with new IDs); the caller frees each with ike_win_req_free. */
struct ike_win_req *ike_win_detach(struct ike_sa *sa);
void ike_win_req_free(struct ike_win_req *q);
/* Is a CREATE_CHILD_SA of ours of KIND outstanding? */
bool ike_win_ccsa_pending(const struct ike_sa *sa, uint8_t kind);
/* Earliest retransmission deadline (UINT64_MAX: none). */
uint64_t ike_win_deadline(const struct ike_sa *sa);
/* Retransmit what is due; false: retransmit_tries exhausted, SA deleted. */
bool ike_win_retransmit(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now);

/* ---- the peer's requests (ike_window_in.c) ---- */

enum ike_win_verdict ike_win_check(const struct ike_sa *sa, uint32_t msgid);
/* Request MSGID processed (its response sent). */
void ike_win_done(struct ike_sa *sa, uint32_t msgid);
/* The response about to replace last_resp: the one there goes into the
 * window's cache (the oldest dropped beyond our window or the blob). */
void ike_win_push_response(struct ike_sa *sa);
/* Answer request MSGID again from the cache; false: its response is gone. */
bool ike_win_resend(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t msgid);
/* RFC 6311: the peer's side of the window starts again (last_resp kept). */
void ike_win_recv_reset(struct ike_sa *sa);

#endif /* IKE_WINDOW_H */
