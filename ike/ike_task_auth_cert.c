/* Certificates and signatures of the ike_auth task (RFC 7296 §3.6-§3.8,
 * §2.15; RFC 7427 §3-§4), and the IKE SAs an INITIAL_CONTACT (§2.4) or
 * the unique policy replaces. */
#include <errno.h>
#include <string.h>

#include <openssl/x509.h>

#include "ike/ike_cert.h"
#include "ike/ike_id.h"
#include "ike/ike_task_auth.h"

enum {
	IKE_AUTH_CERT_DER_MAX = 8192,
	IKE_AUTH_CERTREQ_MAX = IKE_CERTREQ_HASH_LEN * 16,
	IKE_AUTH_HASH_IDS = 16,         /* bits of st.peer_sig_hashes */
};

int
ike_task_auth_certs(struct ike_exch *x, bool initiator)
{
	const struct ike_conf_conn *cc = x->sa->conn;
	enum cfg_ike_send_cert pol = cc->cfg->send_cert;
	uint8_t buf[IKE_AUTH_CERT_DER_MAX];
	struct ike_pl_cert c = { .encoding = IKE_CERT_X509_SIG, .data = { buf, 0 } };
	int rc = 0;

	if (cc->cert != NULL && (pol == CFG_IKE_SEND_CERT_ALWAYS ||
				 (pol == CFG_IKE_SEND_CERT_IFASKED && x->sa->peer_certreq))) {
		rc = ike_cert_der(cc->cert, buf, sizeof(buf), &c.data.len);
		if (rc == 0)
			rc = ike_msg_build_cert(x->b, &c);
	}
	if (rc == 0 && initiator && cc->store != NULL && cc->cfg->send_certreq &&
	    ike_cert_certreq_data(cc->store, buf, IKE_AUTH_CERTREQ_MAX, &c.data.len) == 0 &&
	    c.data.len > 0)
		rc = ike_msg_build_certreq(x->b, &c);
	return rc;
}

int
ike_task_auth_sign(struct ike_exch *x, const struct ike_auth_octets *o, struct ike_pl_auth *a,
		   uint8_t *buf, size_t cap)
{
	const struct ike_sa *sa = x->sa;
	uint16_t hashes[IKE_AUTH_HASH_IDS], hash = 0;
	size_t n = 0, len = 0;
	uint16_t i;
	int rc;

	if (sa->conn->key == NULL)
		return -ENOKEY;
	for (i = 0; i < IKE_AUTH_HASH_IDS; i++)
		if (sa->st.peer_sig_hashes & (1u << i))
			hashes[n++] = i;
	if (n > 0)
		hash = ike_auth_pick_hash(hashes, n, sa->conn->key);
	a->method = hash != 0 ? IKE_AUTH_DIGITAL_SIGNATURE : ike_auth_legacy_method(sa->conn->key);
	if (a->method == 0)
		return -ENOTSUP;
	rc = ike_auth_sign(o, sa->conn->key, a->method, hash, false, buf, cap, &len);
	a->data.ptr = buf;
	a->data.len = len;
	return rc;
}

static void
record_dn(struct ike_sa *sa, X509 *leaf)
{
	X509_NAME_oneline(X509_get_subject_name(leaf), sa->st.remote_cert_dn,
			  sizeof(sa->st.remote_cert_dn));
}

int
ike_task_auth_verify_sig(struct ike_exch *x, const struct ike_auth_octets *o)
{
	const struct ike_msg *m = x->in;
	struct ike_sa *sa = x->sa;
	struct ike_chunk chain[IKE_MSG_CERT_MAX];
	char err[256];
	X509 *leaf = NULL;
	uint8_t i, n = 0;
	int rc;

	if (sa->conn->store == NULL || m->n_cert == 0 ||
	    m->cert[0].encoding != IKE_CERT_X509_SIG)
		return -ENOKEY;
	for (i = 1; i < m->n_cert; i++)
		if (m->cert[i].encoding == IKE_CERT_X509_SIG)
			chain[n++] = m->cert[i].data;
	rc = ike_cert_verify(sa->conn->store, m->cert[0].data.ptr, m->cert[0].data.len, chain, n,
			     0, &leaf, err, sizeof(err));
	if (rc != 0) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "certificate refused: %s", err);
		return rc;
	}
	if (!ike_cert_matches_id(leaf, &sa->st.id_remote))
		rc = -EKEYREJECTED;
	if (rc == 0)
		rc = ike_auth_verify(o, X509_get0_pubkey(leaf), m->auth.method, m->auth.data.ptr,
				     m->auth.data.len);
	if (rc == 0)
		record_dn(sa, leaf);
	X509_free(leaf);
	return rc;
}

/* A is an established SA of B's connection and peer (B's peer not known
 * yet, as for an initiator building IKE_AUTH: the connection decides). */
static bool
same_peer(const struct ike_sa *a, const struct ike_sa *b)
{
	if (a == b || a->conn != b->conn || a->st.phase != IKE_SA_PHASE_ESTABLISHED)
		return false;
	if (b->st.id_remote.type == 0)
		return true;
	return a->st.id_remote.type == b->st.id_remote.type &&
	       a->st.id_remote.len == b->st.id_remote.len &&
	       memcmp(a->st.id_remote.data, b->st.id_remote.data, a->st.id_remote.len) == 0;
}

bool
ike_task_auth_have_other(const struct ike_ctx *ctx, const struct ike_sa *sa)
{
	const struct ike_sa *o;

	for (o = ctx->table.all; o != NULL; o = o->next)
		if (same_peer(o, sa))
			return true;
	return false;
}

void
ike_task_auth_replace_old(struct ike_ctx *ctx, struct ike_sa *sa)
{
	enum cfg_ike_unique u = sa->conn->cfg->unique;
	struct ike_sa *o, *next;

	if (sa->st.initiator || !((sa->peer_initial_contact && u != CFG_IKE_UNIQUE_NEVER) ||
				  u == CFG_IKE_UNIQUE_REPLACE))
		return;
	for (o = ctx->table.all; o != NULL; o = next) {
		next = o->next;
		if (same_peer(o, sa))
			ike_ctx_sa_delete(ctx, o, sa->peer_initial_contact ?
					  "replaced (INITIAL_CONTACT)" : "replaced (unique)");
	}
}

void
ike_task_auth_lifetimes(struct ike_sa *sa)
{
	const struct cfg_ike_conn *c = sa->conn->cfg;
	uint64_t t = sa->st.established_time;
	uint64_t last = 0;

	sa->st.rekey_time = c->rekey_time != 0 ? t + c->rekey_time : 0;
	sa->st.reauth_time = c->reauth_time != 0 ? t + c->reauth_time : 0;
	if (sa->st.rekey_time > last)
		last = sa->st.rekey_time;
	if (sa->st.reauth_time > last)
		last = sa->st.reauth_time;
	sa->st.expire_time = last != 0 ? last + c->over_time : 0;
	sa->st.dpd_interval = c->dpd_delay;
}
