/* Task ike_init: the IKE_SA_INIT exchange (RFC 7296 §1.2, §2.6, §2.10,
 * §2.14): SA, KE and Nonce both ways, FRAGMENTATION_SUPPORTED (RFC 7383
 * §2.3), SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4); COOKIE (§2.6) and
 * INVALID_KE_PAYLOAD (§1.3) answered by a responder without state and
 * followed by an initiator's retry; NO_PROPOSAL_CHOSEN; then SKEYSEED and
 * the SK_* keys. */
#include <errno.h>
#include <string.h>

#include "ike/ike_auth.h"
#include "ike/ike_cert.h"
#include "ike/ike_keys.h"
#include "ike/ike_proposal.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"

enum {
	IKE_INIT_RETRIES_MAX = 3,       /* COOKIE / INVALID_KE rounds of an initiator */
	IKE_INIT_GROUP_LEN = 2,         /* INVALID_KE_PAYLOAD data: the group */
	IKE_INIT_CERTREQ_MAX = 20 * 16,
};

static uint16_t
first_group(const struct ike_conf_conn *cc)
{
	uint8_t i, j;

	for (i = 0; i < cc->n_props; i++)
		for (j = 0; j < cc->props[i].n_transforms; j++)
			if (cc->props[i].transforms[j].type == IKE_TF_DH)
				return cc->props[i].transforms[j].id;
	return IKE_DH_NONE;
}

static bool
group_offered(const struct ike_conf_conn *cc, uint16_t group)
{
	uint8_t i, j;

	for (i = 0; i < cc->n_props; i++)
		for (j = 0; j < cc->props[i].n_transforms; j++)
			if (cc->props[i].transforms[j].type == IKE_TF_DH &&
			    cc->props[i].transforms[j].id == group)
				return true;
	return false;
}

static int
add_ke(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	uint8_t pub[IKE_DH_PUBLIC_MAX];
	size_t len = ike_dh_public_len(sa->dh_group);
	struct ike_pl_ke ke = { .group = sa->dh_group, .data = { pub, len } };
	int rc = ike_dh_public(sa->dh, pub, len);

	return rc != 0 ? rc : ike_msg_build_ke(x->b, &ke);
}

/* Appends to BUF (LEN bytes used, CAP in all) the CA hashes of CC's store it lacks. */
static void
certreq_add(const struct ike_conf_conn *cc, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t tmp[IKE_INIT_CERTREQ_MAX];
	size_t n = 0, i, j;

	if (cc->store == NULL || !cc->cfg->send_certreq ||
	    ike_cert_certreq_data(cc->store, tmp, sizeof(tmp), &n) != 0)
		return;
	for (i = 0; i + IKE_CERTREQ_HASH_LEN <= n; i += IKE_CERTREQ_HASH_LEN) {
		for (j = 0; j < *len; j += IKE_CERTREQ_HASH_LEN)
			if (memcmp(buf + j, tmp + i, IKE_CERTREQ_HASH_LEN) == 0)
				break;
		if (j < *len || cap - *len < IKE_CERTREQ_HASH_LEN)
			continue;
		memcpy(buf + *len, tmp + i, IKE_CERTREQ_HASH_LEN);
		*len += IKE_CERTREQ_HASH_LEN;
	}
}

/* Responder: the connection that matched the proposals may be a PSK one while IKE_AUTH
 * picks a certificate connection by the peer's identity, so the CERTREQ names the CAs of
 * every connection for these addresses (the chosen one's first); without it a client with
 * strongSwan's send_cert = ifasked sends no certificate. */
static int
add_certreq(struct ike_exch *x)
{
	const struct ike_conf_conn *cc = NULL;
	struct ike_pl_cert cr = { .encoding = IKE_CERT_X509_SIG };
	uint8_t buf[IKE_INIT_CERTREQ_MAX];
	size_t len = 0;

	certreq_add(x->sa->conn, buf, sizeof(buf), &len);
	while ((cc = ike_conf_match_addr(x->ctx->conf, x->local, x->remote, cc)) != NULL)
		certreq_add(cc, buf, sizeof(buf), &len);
	if (len == 0)
		return 0;
	cr.data.ptr = buf;
	cr.data.len = len;
	return ike_msg_build_certreq(x->b, &cr);
}

static int
add_status(struct ike_exch *x, bool certreq)
{
	const struct ike_conf_conn *cc = x->sa->conn;
	uint8_t buf[IKE_INIT_CERTREQ_MAX];
	size_t len;
	int rc = 0;

	if (cc->cfg->fragmentation && (x->in == NULL || x->sa->st.peer_fragmentation))
		rc = ike_msg_build_status(x->b, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (rc == 0 && (x->in == NULL || x->sa->st.peer_sig_hashes != 0) &&
	    ike_auth_hashes_encode(buf, sizeof(buf), &len) == 0)
		rc = ike_msg_build_status(x->b, IKE_N_SIGNATURE_HASH_ALGORITHMS, buf, len);
	if (rc == 0 && certreq)
		rc = add_certreq(x);
	return rc;
}

static int
build_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	int rc = 0;

	if (sa->dh_group == IKE_DH_NONE)
		sa->dh_group = first_group(sa->conn);
	if (sa->dh == NULL)
		rc = ike_dh_new(sa->dh_group, &sa->dh);
	if (rc == 0 && sa->st.ni.len == 0) {
		sa->st.ni.len = IKE_NONCE_LEN;
		rc = ike_spi_random(sa->st.ni.bytes, IKE_NONCE_LEN);
	}
	if (rc == 0 && sa->cookie_len != 0)    /* §2.6: the COOKIE comes first */
		rc = ike_msg_build_status(x->b, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, sa->conn->props, sa->conn->n_props);
	if (rc == 0)
		rc = add_ke(x);
	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, sa->st.ni.bytes, sa->st.ni.len);
	return rc == 0 ? add_status(x, false) : rc;
}

/* Notifies both sides record. */
static void
record_peer(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify *n = ike_msg_find_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	uint16_t hashes[16];
	size_t k, i;

	sa->st.peer_fragmentation = ike_msg_find_notify(m, IKE_N_FRAGMENTATION_SUPPORTED) != NULL;
	sa->st.peer_redirect = ike_msg_find_notify(m, IKE_N_REDIRECT_SUPPORTED) != NULL;
	sa->peer_certreq = m->n_certreq > 0;
	if (n != NULL && ike_auth_hashes_decode(n->data.ptr, n->data.len, hashes, 16, &k) == 0)
		for (i = 0; i < k; i++)
			if (hashes[i] < 16)
				sa->st.peer_sig_hashes |= (uint16_t)(1u << hashes[i]);
}

static int
derive(struct ike_sa *sa, const struct ike_chunk *peer_ke)
{
	struct ike_dh_secret gir;
	struct ike_sa_keys k;
	struct ike_chunk ni = ike_task_nonce(&sa->st.ni), nr = ike_task_nonce(&sa->st.nr);
	struct ike_chunk g;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	int rc;

	memset(&k, 0, sizeof(k));
	rc = ike_dh_shared(sa->dh, peer_ke->ptr, peer_ke->len, &gir);
	if (rc != 0)
		goto out;
	g.ptr = gir.bytes;
	g.len = gir.len;
	ike_spi_put(sa->st.spi_i, spi_i);
	ike_spi_put(sa->st.spi_r, spi_r);
	rc = ike_keys_sa_init(&sa->st.suite, &ni, &nr, &g, spi_i, spi_r, &k);
	if (rc != 0)
		goto out;
	sa->st.sk_d = k.sk_d;
	sa->st.sk_ai = k.sk_ai;
	sa->st.sk_ar = k.sk_ar;
	sa->st.sk_ei = k.sk_ei;
	sa->st.sk_er = k.sk_er;
	sa->st.sk_pi = k.sk_pi;
	sa->st.sk_pr = k.sk_pr;
out:
	ike_dh_secret_wipe(&gir);
	ike_keys_sa_wipe(&k);
	return rc;
}

/* RFC 7296 §2.10: 16..256 octets. */
static int
set_nonce(struct ike_state_nonce *n, const struct ike_chunk *c)
{
	if (c->len < IKE_NONCE_MIN || c->len > IKE_NONCE_MAX)
		return -EBADMSG;
	n->len = (uint16_t)c->len;
	memcpy(n->bytes, c->ptr, c->len);
	return 0;
}

/* The first connection by address that accepts one of their proposals. */
static int
select_conn(struct ike_exch *x, uint16_t *wanted)
{
	struct ike_select_opts o = { .protocol = IKE_PROTO_IKE, .ke_group = x->in->ke.group };
	const struct ike_conf_conn *cc = NULL;
	struct ike_msg *m = x->in;

	while ((cc = ike_conf_match_addr(x->ctx->conf, x->local, x->remote, cc)) != NULL) {
		if (ike_proposal_select_opts(cc->props, cc->n_props, m->sa.proposals,
					     m->sa.n_proposals, &o, &x->chosen,
					     &x->sa->st.suite) != 0)
			continue;
		x->sa->conn = cc;
		return ike_proposal_dh_check(&x->sa->st.suite, m->ke.group, wanted);
	}
	return -ENOENT;
}

static int
process_r(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_msg *m = x->in;
	uint16_t wanted = 0;
	int rc = select_conn(x, &wanted);

	x->stateless = true;
	if (rc == -ENOENT) {
		x->ctx->stats.no_proposal++;
		IKE_LOG(x->ctx, IKE_LOG_INFO, "%016" PRIx64 "_i: no proposal chosen", sa->st.spi_i);
		ike_task_fail(x, IKE_N_NO_PROPOSAL_CHOSEN);
		return rc;
	}
	if (rc == -EAGAIN) {            /* §1.3: ask for the group we chose */
		x->notify_data[0] = (uint8_t)(wanted >> 8);
		x->notify_data[1] = (uint8_t)wanted;
		x->notify_data_len = IKE_INIT_GROUP_LEN;
		ike_task_fail(x, IKE_N_INVALID_KE_PAYLOAD);
		return rc;
	}
	snprintf(sa->st.name, sizeof(sa->st.name), "%s", sa->conn->cfg->name);
	sa->dh_group = sa->st.suite.dh;
	sa->st.nr.len = IKE_NONCE_LEN;
	rc = set_nonce(&sa->st.ni, &m->nonce);
	if (rc == 0)
		rc = ike_dh_new(sa->dh_group, &sa->dh);
	if (rc == 0)
		rc = ike_spi_random(sa->st.nr.bytes, IKE_NONCE_LEN);
	if (rc == 0)
		rc = ike_ctx_ike_spi(x->ctx, &sa->st.spi_r);
	if (rc == 0)
		rc = derive(sa, &m->ke.data);
	if (rc != 0) {
		sa->st.spi_r = 0;
		ike_task_fail(x, IKE_N_INVALID_SYNTAX);
		return rc;
	}
	x->stateless = false;
	record_peer(sa, m);
	return 0;
}

static int
build_r(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	int rc = ike_msg_build_sa(x->b, &x->chosen, 1);

	if (rc == 0)
		rc = add_ke(x);
	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, sa->st.nr.bytes, sa->st.nr.len);
	return rc == 0 ? add_status(x, true) : rc;
}

/* COOKIE or INVALID_KE_PAYLOAD: 1 when the request is to be sent again. */
static int
retry_needed(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	const struct ike_notify *n = ike_msg_find_notify(x->in, IKE_N_COOKIE);
	uint16_t group;

	if (n != NULL && n->data.len > 0 && n->data.len <= IKE_COOKIE_MAX) {
		memcpy(sa->cookie, n->data.ptr, n->data.len);
		sa->cookie_len = (uint8_t)n->data.len;
		return 1;
	}
	n = ike_msg_find_notify(x->in, IKE_N_INVALID_KE_PAYLOAD);
	if (n == NULL)
		return 0;
	if (n->data.len != IKE_INIT_GROUP_LEN)
		return -EBADMSG;
	group = (uint16_t)(n->data.ptr[0] << 8 | n->data.ptr[1]);
	if (group == sa->dh_group || !group_offered(sa->conn, group))
		return -EBADMSG;
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->dh_group = group;
	sa->cookie_len = 0;             /* a new exchange: no old cookie */
	return 1;
}

static int
process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_msg *m = x->in;
	int rc = retry_needed(x);

	if (rc == 1 && ++sa->init_retries <= IKE_INIT_RETRIES_MAX) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "IKE_SA_INIT again (%s)",
			   sa->cookie_len != 0 ? "cookie" : "other group");
		x->retry = true;
		return 0;
	}
	if (rc != 0 || !ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_KE) ||
	    !ike_msg_has(m, IKE_PL_NONCE) || m->hdr.spi_r == 0) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "IKE_SA_INIT failed (notify %u)",
			   m->n_notify > 0 ? m->notify[0].type : 0);
		ike_task_fail(x, IKE_N_NO_PROPOSAL_CHOSEN);
		return -EPROTO;
	}
	rc = ike_proposal_check_reply(sa->conn->props, sa->conn->n_props, m->sa.proposals,
				      m->sa.n_proposals, &sa->st.suite);
	if (rc != 0 || sa->st.suite.dh != sa->dh_group || m->ke.group != sa->dh_group) {
		ike_task_fail(x, IKE_N_NO_PROPOSAL_CHOSEN);
		return -EPROTO;
	}
	sa->st.spi_r = m->hdr.spi_r;
	rc = set_nonce(&sa->st.nr, &m->nonce);
	if (rc == 0)
		rc = derive(sa, &m->ke.data);
	if (rc == 0)
		rc = ike_sa_keep(&sa->init_remote, &sa->init_remote_len, x->raw, x->raw_len);
	if (rc != 0) {
		ike_task_fail(x, IKE_N_INVALID_SYNTAX);
		return rc;
	}
	record_peer(sa, m);
	return 0;
}

const struct ike_task ike_task_init = {
	.name = "ike_init",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
};
