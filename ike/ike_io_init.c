/* A responder's first look at an IKE_SA_INIT request (RFC 7296 §2.1, §2.5,
 * §2.6): a retransmission (same initiator SPI, source and bytes) gets the
 * same response; then the half-open limits and the cookie check, all
 * before any Diffie-Hellman work; then a tentative SA for the tasks. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike/ike_io.h"
#include "ike/ike_task.h"

static int
msg_hash(const uint8_t *p, size_t len, uint8_t out[IKE_SA_INIT_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 || n != IKE_SA_INIT_HASH_LEN)
		return -EIO;
	return 0;
}

static bool
over_limits(struct ike_ctx *ctx, const struct ike_addr *remote)
{
	const struct cfg_ike *cfg = &ctx->conf->cfg;

	if (ctx->cookie.half_open < cfg->half_open_max &&
	    ike_cookie_source_count(&ctx->cookie, remote) < cfg->half_open_per_source)
		return false;
	ctx->stats.half_open_rejected++;
	IKE_LOG(ctx, IKE_LOG_NOTICE, "half-open limit reached (%u in all)",
		ctx->cookie.half_open);
	return true;
}

/* §2.6: 0 when no cookie is needed or the right one came (it must be
 * the first payload); else a COOKIE was sent (or nothing could be). */
static int
cookie_gate(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	    const struct ike_msg *m)
{
	const struct ike_notify *n = ike_msg_find_notify(m, IKE_N_COOKIE);
	uint8_t cookie[IKE_COOKIE_LEN];
	size_t len;

	if (ctx->cookie.half_open < ctx->conf->cfg.cookie_threshold)
		return 0;
	if (n != NULL && m->hdr.next_payload == IKE_PL_NOTIFY &&
	    ike_cookie_check(&ctx->cookie, &m->nonce, remote, m->hdr.spi_i, n->data.ptr,
			     n->data.len))
		return 0;
	if (ike_cookie_make(&ctx->cookie, &m->nonce, remote, m->hdr.spi_i, cookie, &len) == 0 &&
	    ike_io_init_reply(ctx, &m->hdr, local, remote, IKE_N_COOKIE, cookie, len) == 0)
		ctx->stats.cookies_sent++;
	return -EAGAIN;
}

static bool
complete(const struct ike_msg *m)
{
	return ike_msg_has(m, IKE_PL_SA) && ike_msg_has(m, IKE_PL_KE) &&
	       ike_msg_has(m, IKE_PL_NONCE) && m->hdr.msg_id == 0;
}

void
ike_io_init_request(struct ike_ctx *ctx, const struct ike_addr *local,
		    const struct ike_addr *remote, const uint8_t *p, size_t len,
		    const struct ike_hdr *h)
{
	uint8_t hash[IKE_SA_INIT_HASH_LEN];
	struct ike_sa *sa;

	if (len > IKE_CTX_INIT_MAX || msg_hash(p, len, hash) != 0) {
		ctx->stats.rx_invalid++;
		return;
	}
	sa = ike_sa_table_by_init(&ctx->table, h->spi_i, remote, hash);
	if (sa != NULL) {               /* §2.1: the same answer, while it is the last */
		if (sa->st.last_resp.msgid == 0 && sa->st.phase == IKE_SA_PHASE_INIT_DONE)
			ike_io_resend_response(ctx, sa);
		return;
	}
	if (over_limits(ctx, remote))
		return;
	memcpy(ctx->rx, p, len);
	if (ike_msg_parse(ctx->rx, len, &ctx->msg) != 0 || !complete(&ctx->msg)) {
		ctx->stats.rx_invalid++;
		IKE_LOG(ctx, IKE_LOG_DEBUG, "%016" PRIx64 "_i: malformed IKE_SA_INIT", h->spi_i);
		/* §2.5: an unknown critical payload is answered (statelessly) */
		if (ctx->msg.error_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD)
			ike_io_init_reply(ctx, h, local, remote, ctx->msg.error_notify,
					  ctx->msg.error_data, ctx->msg.error_data_len);
		return;
	}
	if (cookie_gate(ctx, local, remote, &ctx->msg) != 0)
		return;
	sa = ike_ctx_sa_new(ctx, false, NULL);
	if (sa == NULL)
		return;
	sa->st.spi_i = h->spi_i;
	sa->st.local = *local;
	sa->st.remote = *remote;
	memcpy(sa->init_hash, hash, sizeof(hash));
	if (ike_sa_keep(&sa->init_remote, &sa->init_remote_len, p, len) != 0) {
		ike_sa_free(sa);
		return;
	}
	ike_exch_request(ctx, sa, &ctx->msg, local, remote, ctx->rx, len);
}
