/* Task ike_auth: identities and authentication in IKE_AUTH (RFC 7296
 * §1.2, §2.15, §3.5-§3.8): IDi/IDr, CERT/CERTREQ, AUTH with a pre-shared
 * key or a signature (RFC 7427 method 14 when the peer announced hashes,
 * else the key's legacy method), INITIAL_CONTACT (§2.4) with the
 * connection's unique policy, MESSAGE_ID_SYNC_SUPPORTED (RFC 6311) and
 * MOBIKE_SUPPORTED (RFC 4555) recorded. A failure leaves nothing: the
 * responder answers AUTHENTICATION_FAILED and drops the SA, the initiator
 * drops it (§2.21.2). Certificates and signatures: ike_task_auth_cert.c. */
#include <errno.h>
#include <string.h>

#include "ike/ike_auth.h"
#include "ike/ike_id.h"
#include "ike/ike_task.h"
#include "ike/ike_task_auth.h"

/* Octets signed by the initiator (SIGNER_I) or the responder (§2.15). */
int
ike_task_auth_octets(const struct ike_sa *sa, bool signer_i, struct ike_chunk id_body,
		     struct ike_auth_octets *o)
{
	bool own = signer_i == sa->st.initiator;
	struct ike_chunk msg = {
		.ptr = own ? sa->init_local : sa->init_remote,
		.len = own ? sa->init_local_len : sa->init_remote_len,
	};
	struct ike_chunk nonce = ike_task_nonce(signer_i ? &sa->st.nr : &sa->st.ni);

	return ike_auth_octets(o, sa->st.suite.prf, signer_i ? &sa->st.sk_pi : &sa->st.sk_pr,
			       msg, nonce, id_body);
}

static int
psk_auth(struct ike_exch *x, const struct ike_auth_octets *o, struct ike_pl_auth *a,
	 uint8_t *buf, size_t cap)
{
	/* the initiator signs before it knows IDr: the configured remote id */
	const struct ike_id *peer = x->sa->st.id_remote.type != IKE_ID_ANY ?
				    &x->sa->st.id_remote : &x->sa->conn->id_remote;
	const struct ike_conf_secret *s = ike_conf_psk(x->ctx->conf, peer, &x->sa->st.id_local);
	size_t len;
	int rc;

	if (s == NULL)
		return -ENOKEY;
	rc = ike_auth_psk_build(o, s->psk, s->len, buf, cap, &len);
	a->method = IKE_AUTH_PSK;
	a->data.ptr = buf;
	a->data.len = len;
	return rc;
}

/* Our ID, CERT and AUTH payloads (IDr of an initiator in between). */
static int
build_own(struct ike_exch *x, bool initiator)
{
	struct ike_sa *sa = x->sa;
	uint8_t body[IKE_ID_BODY_MAX], auth[IKE_AUTH_MAX];
	struct ike_chunk id_body = { body, 0 };
	struct ike_auth_octets o;
	struct ike_pl_auth a;
	int rc;

	rc = ike_conf_local_id(sa->conn, &sa->st.local, &sa->st.id_local);
	if (rc == 0)
		rc = ike_id_body(&sa->st.id_local, body, sizeof(body), &id_body.len);
	if (rc == 0)
		rc = ike_msg_build_id(x->b, initiator ? IKE_PL_IDI : IKE_PL_IDR, &sa->st.id_local);
	if (rc == 0)
		rc = ike_task_auth_certs(x, initiator);
	if (rc == 0 && initiator && sa->conn->id_remote.type != IKE_ID_ANY)
		rc = ike_msg_build_id(x->b, IKE_PL_IDR, &sa->conn->id_remote);
	if (rc == 0)
		rc = ike_task_auth_octets(sa, initiator, id_body, &o);
	if (rc == 0 && sa->conn->cfg->local.auth == CFG_IKE_AUTH_PSK)
		rc = psk_auth(x, &o, &a, auth, sizeof(auth));
	else if (rc == 0)
		rc = ike_task_auth_sign(x, &o, &a, auth, sizeof(auth));
	if (rc == 0) {
		sa->st.auth_local = a.method;
		rc = ike_msg_build_auth(x->b, &a);
	}
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

static int
build_notifies(struct ike_exch *x, bool initiator)
{
	struct ike_sa *sa = x->sa;
	int rc = ike_msg_build_status(x->b, IKE_N_MESSAGE_ID_SYNC_SUPPORTED, NULL, 0);

	if (rc == 0 && initiator && !ike_task_auth_have_other(x->ctx, sa))
		rc = ike_msg_build_status(x->b, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (rc == 0 && sa->conn->cfg->mobike && (initiator || sa->st.peer_mobike))
		rc = ike_msg_build_status(x->b, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	return rc;
}

static int
build_i(struct ike_exch *x)
{
	int rc = build_own(x, true);

	return rc == 0 ? build_notifies(x, true) : rc;
}

static void
record_peer(struct ike_sa *sa, const struct ike_msg *m)
{
	sa->st.peer_msgid_sync = ike_msg_find_notify(m, IKE_N_MESSAGE_ID_SYNC_SUPPORTED) != NULL;
	sa->st.peer_mobike = ike_msg_find_notify(m, IKE_N_MOBIKE_SUPPORTED) != NULL;
	sa->peer_initial_contact = ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT) != NULL;
	if (m->n_certreq > 0)
		sa->peer_certreq = true;
}

/* Verify the peer's AUTH (SIGNER_I: the peer is the initiator). */
static int
verify_peer(struct ike_exch *x, const struct ike_pl_id *id, bool signer_i)
{
	struct ike_sa *sa = x->sa;
	const struct ike_pl_auth *a = &x->in->auth;
	const struct ike_conf_secret *s;
	struct ike_auth_octets o;
	int rc = ike_task_auth_octets(sa, signer_i, id->body, &o);

	if (rc != 0)
		return rc;
	if (sa->conn->cfg->remote.auth == CFG_IKE_AUTH_PSK) {
		if (a->method != IKE_AUTH_PSK)
			return -EKEYREJECTED;
		s = ike_conf_psk(x->ctx->conf, &sa->st.id_remote, &sa->st.id_local);
		if (s == NULL)
			return -ENOKEY;
		rc = ike_auth_psk_verify(&o, s->psk, s->len, a->data.ptr, a->data.len);
	} else {
		rc = ike_task_auth_verify_sig(x, &o);
	}
	if (rc == 0) {
		sa->st.auth_remote = a->method;
		sa->st.auth_ok = true;
	}
	return rc;
}

static int
auth_failed(struct ike_exch *x, const char *why, int rc)
{
	x->ctx->stats.auth_failed++;
	IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "authentication failed: %s (%d)", why, rc);
	ike_task_fail(x, IKE_N_AUTHENTICATION_FAILED);
	return rc == 0 ? -EACCES : rc;
}

static int
process_r(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_msg *m = x->in;
	const struct ike_conf_conn *cc;
	int rc;

	if (!ike_msg_has(m, IKE_PL_IDI) || !ike_msg_has(m, IKE_PL_AUTH))
		return auth_failed(x, "no IDi or AUTH", 0);
	cc = ike_conf_match_ids(x->ctx->conf, &sa->st.local, &sa->st.remote, &m->idi.id,
				ike_msg_has(m, IKE_PL_IDR) ? &m->idr.id : NULL);
	if (cc == NULL)
		return auth_failed(x, "no connection for these identities", 0);
	sa->conn = cc;
	snprintf(sa->st.name, sizeof(sa->st.name), "%s", cc->cfg->name);
	sa->st.id_remote = m->idi.id;
	rc = ike_conf_local_id(cc, &sa->st.local, &sa->st.id_local);
	if (rc == 0)
		rc = verify_peer(x, &m->idi, true);
	if (rc != 0)
		return auth_failed(x, "AUTH not verified", rc);
	record_peer(sa, m);
	if (cc->cfg->unique == CFG_IKE_UNIQUE_KEEP && ike_task_auth_have_other(x->ctx, sa))
		return auth_failed(x, "unique=keep and an IKE SA exists", 0);
	IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "peer authenticated (%s, method %u)",
		   cc->cfg->name, sa->st.auth_remote);
	return 0;
}

static int
build_r(struct ike_exch *x)
{
	int rc = build_own(x, false);

	return rc == 0 ? build_notifies(x, false) : rc;
}

static bool
child_error(uint16_t type)
{
	return type == IKE_N_NO_PROPOSAL_CHOSEN || type == IKE_N_TS_UNACCEPTABLE ||
	       type == IKE_N_INTERNAL_ADDRESS_FAILURE || type == IKE_N_FAILED_CP_REQUIRED ||
	       type == IKE_N_SINGLE_PAIR_REQUIRED || type == IKE_N_INVALID_SELECTORS ||
	       type == IKE_N_NO_ADDITIONAL_SAS || type == IKE_N_TEMPORARY_FAILURE;
}

static int
process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_msg *m = x->in;
	uint8_t i;
	int rc;

	for (i = 0; i < m->n_notify; i++)
		if (m->notify[i].type <= IKE_N_ERROR_MAX && !child_error(m->notify[i].type))
			return auth_failed(x, "error notify from the responder",
					   -m->notify[i].type);
	if (!ike_msg_has(m, IKE_PL_IDR) || !ike_msg_has(m, IKE_PL_AUTH))
		return auth_failed(x, "no IDr or AUTH", 0);
	if (!ike_id_match(&sa->conn->id_remote, &m->idr.id))
		return auth_failed(x, "unexpected IDr", 0);
	sa->st.id_remote = m->idr.id;
	rc = verify_peer(x, &m->idr, false);
	if (rc != 0)
		return auth_failed(x, "AUTH not verified", rc);
	record_peer(sa, m);
	return 0;
}

/* The IKE SA is up (both roles). */
static void
done(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_ctx *ctx = x->ctx;

	ike_task_auth_replace_old(ctx, sa);
	ike_sa_set_phase(sa, IKE_SA_PHASE_ESTABLISHED);
	ike_ctx_half_open_end(ctx, sa);
	sa->st.established_time = ike_ctx_wall_s(ctx);
	sa->st.last_recv_time = sa->st.established_time;
	ike_task_auth_lifetimes(sa);
	ike_sa_init_done(sa);
	ctx->stats.ike_sas_established++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "IKE SA %s established", sa->st.name);
	ike_ctx_event(ctx, IKE_EV_SA_UP, sa, NULL);
}

const struct ike_task ike_task_auth = {
	.name = "ike_auth",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
	.done = done,
};
