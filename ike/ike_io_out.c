/* Messages out (RFC 7296 §2.1, §3.14; RFC 7383 §2.5; RFC 3948 §2.2): SK
 * sealing, fragmentation of IKE_AUTH and later messages when the peer
 * announced FRAGMENTATION_SUPPORTED, the non-ESP marker on natt_port,
 * requests kept for retransmission with exponential back-off, the last
 * response kept to answer a retransmitted request with the same bytes
 * (the window's older ones: ike_window.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_io.h"
#include "ike/ike_io_sk.h"
#include "ike/ike_window.h"

int
ike_io_xmit(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	    const uint8_t *msg, size_t len)
{
	uint8_t *buf;
	int rc;

	ctx->stats.tx_msgs++;
	if (local->port != ctx->conf->cfg.natt_port)
		return ctx->ops.send(ctx->ops.arg, local, remote, msg, len);
	buf = malloc(len + IKE_NON_ESP_MARKER_LEN);
	if (buf == NULL)
		return -ENOMEM;
	memset(buf, 0, IKE_NON_ESP_MARKER_LEN);       /* RFC 3948 §2.2 */
	memcpy(buf + IKE_NON_ESP_MARKER_LEN, msg, len);
	rc = ctx->ops.send(ctx->ops.arg, local, remote, buf, len + IKE_NON_ESP_MARKER_LEN);
	free(buf);
	return rc;
}

int
ike_io_begin(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_out *o, uint8_t exchange,
	     bool response, uint32_t msgid)
{
	struct ike_hdr h = {
		.spi_i = sa->st.spi_i,
		.spi_r = sa->st.spi_r,
		.exchange = exchange,
		.flags = (uint8_t)((sa->st.initiator ? IKE_FLAG_INITIATOR : 0) |
				   (response ? IKE_FLAG_RESPONSE : 0)),
		.msg_id = msgid,
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->exchange = exchange;
	o->response = response;
	o->msgid = msgid;
	o->sk = exchange != IKE_EXCH_SA_INIT;
	rc = ike_msg_build_init(&o->b, ctx->tx, sizeof(ctx->tx), &h);
	if (rc == 0 && o->sk)
		rc = ike_msg_build_begin_sk(&o->b, ike_io_sk_iv_len(&sa->st));
	return rc;
}

uint64_t
ike_io_retransmit_at(const struct ike_ctx *ctx, uint64_t sent_ms, uint32_t tries)
{
	double t = ctx->conf->cfg.retransmit_timeout_ms;
	uint32_t i;

	for (i = 0; i < tries; i++)     /* base^n without libm */
		t *= ctx->conf->cfg.retransmit_base;
	return sent_ms + (uint64_t)t;
}

static bool
want_frag(const struct ike_ctx *ctx, const struct ike_sa *sa, const struct ike_out *o,
	  size_t plain_len)
{
	size_t ip = sa->st.local.family == AF_INET6 ? IKE_FRAG_IPV6_HDR : IKE_FRAG_IPV4_HDR;
	size_t est = ip + IKE_FRAG_UDP_HDR + IKE_NON_ESP_MARKER_LEN + o->b.inner_off +
		     plain_len + ike_io_sk_overhead(&sa->st);

	return o->sk && o->exchange != IKE_EXCH_SA_INIT && sa->st.peer_fragmentation &&
	       sa->conn != NULL && sa->conn->cfg->fragmentation &&
	       est > ctx->conf->cfg.fragment_size;
}

static int
dgrams_add(struct ike_dgrams *d, const uint8_t *msg, size_t len)
{
	uint8_t *p;

	if (d->n >= IKE_FRAG_MAX)
		return -E2BIG;
	p = realloc(d->buf, d->len + len);
	if (p == NULL)
		return -ENOMEM;
	d->buf = p;
	memcpy(d->buf + d->len, msg, len);
	d->len += len;
	d->lens[d->n++] = (uint16_t)len;
	return 0;
}

/* RFC 7383 §2.5: the plaintext of the SK payload cut into SKF payloads,
 * each sealed on its own. The plaintext is copied out of ctx->tx first. */
static int
fragment(struct ike_ctx *ctx, struct ike_sa *sa, size_t sk_off, size_t plain_off,
	 size_t plain_len, struct ike_dgrams *d)
{
	uint8_t first = ctx->tx[sk_off];
	struct ike_hdr h;
	struct ike_out f;
	struct ike_msg_sk_layout l;
	size_t chunk, off, n, len, total;
	int rc = 0;
	uint16_t i;

	chunk = ike_frag_chunk_len(ctx->conf->cfg.fragment_size,
				   sa->st.local.family == AF_INET6,
				   sa->st.local.port == ctx->conf->cfg.natt_port,
				   ike_io_sk_overhead(&sa->st));
	if (chunk == 0)
		return -EMSGSIZE;
	total = (plain_len + chunk - 1) / chunk;
	if (total > IKE_FRAG_MAX)
		return -E2BIG;
	memcpy(ctx->plain, ctx->tx + plain_off, plain_len);
	ike_msg_parse_header(ctx->tx, IKE_HDR_LEN, &h);
	for (i = 1, off = 0; rc == 0 && off < plain_len; i++, off += n) {
		n = plain_len - off < chunk ? plain_len - off : chunk;
		memset(&f, 0, sizeof(f));
		rc = ike_msg_build_init(&f.b, ctx->tx, sizeof(ctx->tx), &h);
		if (rc == 0)
			rc = ike_msg_build_skf(&f.b, first, i, (uint16_t)total,
					       ike_io_sk_iv_len(&sa->st), ctx->plain + off, n);
		if (rc == 0)
			rc = ike_msg_build_finish(&f.b, &len);
		if (rc == 0)
			rc = ike_msg_build_sk_layout(&f.b, &l);
		if (rc == 0)
			rc = ike_io_sk_seal(&sa->st, ctx->tx, sizeof(ctx->tx), l.sk_off, true,
					    l.inner_len, &len);
		if (rc == 0)
			rc = dgrams_add(d, ctx->tx, len);
	}
	return rc;
}

static int
seal(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_out *o, struct ike_dgrams *d)
{
	struct ike_msg_sk_layout l;
	size_t len;
	int rc = ike_msg_build_finish(&o->b, &len);

	if (rc != 0)
		return rc;
	if (!o->sk)
		return dgrams_add(d, ctx->tx, len);
	rc = ike_msg_build_sk_layout(&o->b, &l);
	if (rc != 0)
		return rc;
	if (want_frag(ctx, sa, o, l.inner_len))
		return fragment(ctx, sa, l.sk_off, l.inner_off, l.inner_len, d);
	rc = ike_io_sk_seal(&sa->st, ctx->tx, sizeof(ctx->tx), l.sk_off, false, l.inner_len,
			    &len);
	return rc == 0 ? dgrams_add(d, ctx->tx, len) : rc;
}

/* The response as sent becomes the SA's last response: d's buffer (exactly
 * its datagrams, dgrams_add) is handed over, not copied. */
static void
keep_response(struct ike_sa *sa, const struct ike_out *o, struct ike_dgrams *d)
{
	struct ike_state_resp *r = &sa->st.last_resp;

	ike_win_push_response(sa);      /* the previous one, with a window above 1 */
	ike_state_blob_free(&r->bytes, r->len);
	memset(r, 0, sizeof(*r));
	r->msgid = o->msgid;
	if (d->len > IKE_STATE_RESP_MAX || d->n > IKE_STATE_RESP_FRAGS_MAX) {
		r->regenerate = true;   /* too large to keep: not answered again */
		return;
	}
	r->bytes = d->buf;
	d->buf = NULL;
	r->len = (uint16_t)d->len;
	r->n_frags = d->n > 1 ? d->n : 0;
	memcpy(r->frag_len, d->lens, sizeof(d->lens[0]) * r->n_frags);  /* as shipped */
}

static void
xmit_all(struct ike_ctx *ctx, struct ike_sa *sa, const uint8_t *buf, const uint16_t *lens,
	 uint16_t n)
{
	size_t off = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		ike_io_xmit(ctx, &sa->st.local, &sa->st.remote, buf + off, lens[i]);
		off += lens[i];
	}
}

int
ike_io_send(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_out *o)
{
	struct ike_dgrams d = { 0 };
	int rc = seal(ctx, sa, o, &d);

	if (rc != 0) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "exchange %u msgid %u not built: %d",
			   o->exchange, o->msgid, rc);
		free(d.buf);
		return rc;
	}
	if (!o->response) {
		rc = ike_win_add(ctx, sa, o->exchange, o->msgid, d.buf, d.len, d.lens, d.n);
		if (rc != 0) {
			free(d.buf);
			return rc;
		}
		xmit_all(ctx, sa, d.buf, d.lens, d.n);  /* d.buf is the request's now */
		return 0;
	}
	xmit_all(ctx, sa, d.buf, d.lens, d.n);
	keep_response(sa, o, &d);
	free(d.buf);
	return 0;
}

void
ike_io_resend_request(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_win_req *q)
{
	ctx->stats.tx_retransmits++;
	xmit_all(ctx, sa, q->bytes, q->frag_len, q->n_frags);
}

void
ike_io_resend_response(struct ike_ctx *ctx, struct ike_sa *sa)
{
	const struct ike_state_resp *r = &sa->st.last_resp;
	uint16_t one = r->len;

	if (r->len == 0)
		return;
	ctx->stats.rx_retransmits++;
	if (r->n_frags == 0)
		xmit_all(ctx, sa, r->bytes, &one, 1);
	else
		xmit_all(ctx, sa, r->bytes, r->frag_len, r->n_frags);
}

int
ike_io_init_reply(struct ike_ctx *ctx, const struct ike_hdr *req, const struct ike_addr *local,
		  const struct ike_addr *remote, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_msg_builder b;
	struct ike_hdr h = {
		.spi_i = req->spi_i,
		.exchange = IKE_EXCH_SA_INIT,
		.flags = IKE_FLAG_RESPONSE,
		.msg_id = req->msg_id,
	};
	size_t out;
	int rc;

	rc = ike_msg_build_init(&b, ctx->tx, sizeof(ctx->tx), &h);
	if (rc == 0)
		rc = ike_msg_build_status(&b, type, data, len);
	if (rc == 0)
		rc = ike_msg_build_finish(&b, &out);
	if (rc == 0)
		rc = ike_io_xmit(ctx, local, remote, ctx->tx, out);
	return rc;
}

/* §1.5, §2.21.4: the response to a request outside any IKE SA we know
 * (INVALID_IKE_SPI, INVALID_MAJOR_VERSION): cleartext, both SPIs, the
 * exchange type and message ID copied, version 2.0 (the highest we
 * speak), the Initiator flag ours (the opposite of the request's), no
 * notification data. */
int
ike_io_error_reply(struct ike_ctx *ctx, const struct ike_hdr *req, const struct ike_addr *local,
		   const struct ike_addr *remote, uint16_t type)
{
	struct ike_msg_builder b;
	struct ike_hdr h = {
		.spi_i = req->spi_i,
		.spi_r = req->spi_r,
		.exchange = req->exchange,
		.flags = IKE_FLAG_RESPONSE | ((req->flags & IKE_FLAG_INITIATOR) ? 0 :
					      IKE_FLAG_INITIATOR),
		.msg_id = req->msg_id,
	};
	size_t out;
	int rc;

	rc = ike_msg_build_init(&b, ctx->tx, sizeof(ctx->tx), &h);
	if (rc == 0)
		rc = ike_msg_build_status(&b, type, NULL, 0);
	if (rc == 0)
		rc = ike_msg_build_finish(&b, &out);
	if (rc == 0)
		rc = ike_io_xmit(ctx, local, remote, ctx->tx, out);
	return rc;
}
