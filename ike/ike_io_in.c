/* Messages in (RFC 7296 §2.1-§2.3, §2.5, §2.6, §2.21, §2.23; RFC 3948
 * §2.2; RFC 7383 §2.6): the non-ESP marker, the header (a request of a
 * higher major version or for an unknown SA is answered, rate-limited,
 * §2.21.4), the SA by our SPI, the message ID window (a retransmitted
 * request is answered from the response cache), SK decryption (a bad ICV
 * is dropped silently), fragment reassembly, the inner payloads, then the
 * exchange driver. */
#include <errno.h>
#include <string.h>

#include "ike/ike_io.h"
#include "ike/ike_io_sk.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"

static void
drop(struct ike_ctx *ctx, const char *why, const struct ike_hdr *h)
{
	ctx->stats.rx_invalid++;
	IKE_LOG(ctx, IKE_LOG_DEBUG, "%016" PRIx64 "_i %016" PRIx64 "_r: dropped: %s",
		h == NULL ? 0 : h->spi_i, h == NULL ? 0 : h->spi_r, why);
}

/* RFC 7296 §2.21.4: "a node needs to limit the rate at which it will send
 * messages in response to unprotected messages": one answer (or log
 * line) per IKE_CTX_INVALID_SPI_MS for all of them. */
static bool
unprotected_answer_allowed(struct ike_ctx *ctx)
{
	uint64_t now = ike_ctx_now_ms(ctx);

	if (ctx->invalid_spi_ms != 0 && now < ctx->invalid_spi_ms + IKE_CTX_INVALID_SPI_MS)
		return false;
	ctx->invalid_spi_ms = now != 0 ? now : 1;       /* 0: never */
	return true;
}

static bool
is_request(const struct ike_hdr *h)
{
	return (h->flags & IKE_FLAG_RESPONSE) == 0;
}

/* RFC 7296 §2.21.4: a message for an unknown SA. A request (other than
 * IKE_SA_INIT) is answered INVALID_IKE_SPI, a response never. */
static void
unknown_spi(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	    const struct ike_hdr *h)
{
	bool answer = is_request(h) && h->exchange != IKE_EXCH_SA_INIT;

	ctx->stats.rx_unknown_spi++;
	if (!unprotected_answer_allowed(ctx))
		return;
	IKE_LOG(ctx, IKE_LOG_INFO, "%016" PRIx64 "_i %016" PRIx64 "_r: unknown SA%s",
		h->spi_i, h->spi_r, answer ? ": INVALID_IKE_SPI" : "");
	if (answer)
		ike_io_error_reply(ctx, h, local, remote, IKE_N_INVALID_IKE_SPI);
}

/* RFC 7296 §2.5, §3.1: a major version above ours is dropped and a request
 * answered INVALID_MAJOR_VERSION (in our version 2.0). Version 1 is
 * ISAKMP (RFC 2408), whose flags have no Response bit: dropped silently. */
static void
bad_version(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	    const struct ike_hdr *h)
{
	drop(ctx, "major version", h);
	if ((h->version >> IKE_HDR_VERSION_MAJOR_SHIFT) <= IKE_HDR_VERSION_MAJOR ||
	    !is_request(h) || !unprotected_answer_allowed(ctx))
		return;
	IKE_LOG(ctx, IKE_LOG_INFO, "%016" PRIx64 "_i %016" PRIx64 "_r: version 0x%02x: "
		"INVALID_MAJOR_VERSION", h->spi_i, h->spi_r, h->version);
	ike_io_error_reply(ctx, h, local, remote, IKE_N_INVALID_MAJOR_VERSION);
}

/* Copy the datagram aside and parse the cleartext part. */
static int
parse_copy(struct ike_ctx *ctx, const uint8_t *p, size_t len)
{
	int rc;

	memcpy(ctx->rx, p, len);
	rc = ike_msg_parse(ctx->rx, len, &ctx->msg);
	if (rc != 0)
		drop(ctx, "malformed", &ctx->msg.hdr);
	return rc;
}

/* Decrypt, reassemble, parse the inner payloads. 1: complete, 0: more
 * fragments needed, -EILSEQ: authenticated but malformed inside, other
 * < 0: dropped. */
static int
open_sk(struct ike_ctx *ctx, struct ike_sa *sa, size_t len)
{
	struct ike_msg *m = &ctx->msg;
	bool skf = m->sk.type == IKE_PL_SKF;
	struct ike_chunk plain;
	uint8_t first;
	size_t n;
	int rc;

	if (m->sk.type == 0 || m->inner != 0) {
		drop(ctx, "no SK payload", &m->hdr);
		return -EBADMSG;
	}
	rc = ike_io_sk_open(&sa->st, ctx->rx, len, m->sk.hdr_off, skf, &plain);
	if (rc != 0) {
		ctx->stats.rx_bad_icv++;
		IKE_LOG_SA(ctx, sa, IKE_LOG_DEBUG, "msgid %u: SK not verified (%d)",
			   m->hdr.msg_id, rc);
		return rc;
	}
	if (!skf)
		return ike_msg_parse_inner(plain.ptr, plain.len, m->sk.first_payload, m) == 0 ?
		       1 : -EILSEQ;
	rc = ike_frag_add(&sa->frag, m->hdr.msg_id, (m->hdr.flags & IKE_FLAG_RESPONSE) != 0,
			  m->sk.frag_num, m->sk.frag_total, m->sk.first_payload, plain.ptr,
			  plain.len, ike_ctx_now_ms(ctx));
	if (rc <= 0)
		return rc;
	rc = ike_frag_take(&sa->frag, ctx->reasm, sizeof(ctx->reasm), &n, &first);
	if (rc == 0)
		rc = ike_msg_parse_inner(ctx->reasm, n, first, m) == 0 ? 1 : -EILSEQ;
	return rc;
}

/* The peer's addresses follow its verified messages (§2.11, §2.23). */
static void
follow_peer(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_addr *local,
	    const struct ike_addr *remote)
{
	sa->st.last_recv_time = ike_ctx_wall_s(ctx);
	if (memcmp(&sa->st.remote, remote, sizeof(*remote)) == 0 &&
	    memcmp(&sa->st.local, local, sizeof(*local)) == 0)
		return;
	sa->st.remote = *remote;
	sa->st.local = *local;
	if (local->port == ctx->conf->cfg.natt_port)
		sa->st.natt = true;
}

/* §2.3: a request in our window not processed yet is processed; one
 * processed already is answered from the cache (if its response is still
 * kept), others are dropped. 1: process. */
static int
request_window(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t id = m->hdr.msg_id;

	if (ike_msgid_sync_window(sa, m))      /* RFC 6311: ID 0, decided once decrypted */
		return 1;
	switch (ike_win_check(sa, id)) {
	case IKE_WIN_NEW:
		return 1;
	case IKE_WIN_DONE:
		/* one answer per retransmitted message: on its first fragment */
		if ((m->sk.type == IKE_PL_SKF && m->sk.frag_num != 1) ||
		    ike_win_resend(ctx, sa, id))
			return 0;
		drop(ctx, "message ID answered, response gone", &m->hdr);
		return 0;
	default:
		drop(ctx, "message ID outside the window", &m->hdr);
		return 0;
	}
}

static void
sa_message(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_addr *local,
	   const struct ike_addr *remote, size_t len)
{
	struct ike_msg *m = &ctx->msg;
	bool response = (m->hdr.flags & IKE_FLAG_RESPONSE) != 0;
	int rc;

	if (response ? ike_win_find(sa, m->hdr.msg_id, m->hdr.exchange) == NULL :
	    request_window(ctx, sa, m) != 1) {
		if (response)
			drop(ctx, "response to no request of ours", &m->hdr);
		return;
	}
	if (m->hdr.exchange == IKE_EXCH_SA_INIT) {
		if (!response)
			return;
		ike_exch_response(ctx, sa, m, local, remote, ctx->rx, len);
		return;
	}
	rc = open_sk(ctx, sa, len);
	if (rc == -EILSEQ) {
		drop(ctx, "malformed inside SK", &m->hdr);
		if (!response)          /* §2.21.2: authenticated, so answered */
			ike_exch_reject(ctx, sa, m, m->error_notify != 0 ? m->error_notify :
					IKE_N_INVALID_SYNTAX);
		return;
	}
	if (rc != 1)
		return;
	follow_peer(ctx, sa, local, remote);
	if (response)
		ike_exch_response(ctx, sa, m, local, remote, NULL, 0);
	else
		ike_exch_request(ctx, sa, m, local, remote, NULL, 0);
}

static bool
spis_fit(const struct ike_sa *sa, const struct ike_hdr *h)
{
	if (h->flags & IKE_FLAG_INITIATOR)     /* from the original initiator: we respond */
		return !sa->st.initiator && h->spi_i == sa->st.spi_i;
	if (!sa->st.initiator)
		return false;
	return h->exchange == IKE_EXCH_SA_INIT ? true : h->spi_r == sa->st.spi_r;
}

/* RFC 3948 §2.2: on natt_port IKE follows a zero marker (anything else
 * is ESP, not ours); on the IKE port a zero marker is invalid. */
static bool
strip_marker(const struct ike_ctx *ctx, const struct ike_addr *local, const uint8_t **p,
	     size_t *len)
{
	static const uint8_t zero[IKE_NON_ESP_MARKER_LEN];

	if (*len < IKE_NON_ESP_MARKER_LEN)
		return false;
	if (local->port != ctx->conf->cfg.natt_port)
		return memcmp(*p, zero, IKE_NON_ESP_MARKER_LEN) != 0;
	if (memcmp(*p, zero, IKE_NON_ESP_MARKER_LEN) != 0)
		return false;
	*p += IKE_NON_ESP_MARKER_LEN;
	*len -= IKE_NON_ESP_MARKER_LEN;
	return true;
}

void
ike_io_input(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	     const uint8_t *data, size_t len)
{
	struct ike_sa *sa;
	struct ike_hdr h;
	uint64_t ours;
	int rc = -EBADMSG;

	ctx->stats.rx_msgs++;
	if (strip_marker(ctx, local, &data, &len) && len <= IKE_MSG_MAX)
		rc = ike_msg_parse_header(data, len, &h);
	if (rc == -EPROTONOSUPPORT) {
		bad_version(ctx, local, remote, &h);
		return;
	}
	if (rc != 0) {
		drop(ctx, "bad marker or header", NULL);
		return;
	}
	if (h.exchange == IKE_EXCH_SA_INIT && !(h.flags & IKE_FLAG_RESPONSE) && h.spi_r == 0) {
		if (h.flags & IKE_FLAG_INITIATOR)
			ike_io_init_request(ctx, local, remote, data, len, &h);
		else
			drop(ctx, "IKE_SA_INIT request without the I flag", &h);
		return;
	}
	ours = (h.flags & IKE_FLAG_INITIATOR) ? h.spi_r : h.spi_i;
	sa = ike_sa_table_by_spi(&ctx->table, ours);
	if (sa == NULL || !spis_fit(sa, &h)) {
		unknown_spi(ctx, local, remote, &h);
		return;
	}
	if (parse_copy(ctx, data, len) != 0)
		return;
	sa_message(ctx, sa, local, remote, len);
}
