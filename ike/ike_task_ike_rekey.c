/* CREATE_CHILD_SA rekeying the IKE SA (RFC 7296 §1.3.2, §2.18, §2.8.2):
 * SA (an IKE proposal whose SPI is the sender's new IKE SPI), Ni/Nr, KE
 * both ways; SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old
 * PRF; the new IKE SA takes over the identities, NAT state, virtual IPs
 * and the CHILD SAs, its message IDs start at 0 and its original
 * initiator is the rekey's initiator; the old IKE SA is deleted by the
 * initiator's DELETE sent on it. Simultaneous rekeys (§2.8.2): the new
 * SA of the exchange holding the lowest nonce is deleted by its
 * initiator, the CHILD SAs go to the other one. */
#include <errno.h>
#include <string.h>

#include "ike/ike_keys.h"
#include "ike/ike_proposal.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_task_auth.h"
#include "ike/ike_window.h"

enum {
	IKE_REKEY_GROUP_LEN = 2,
	IKE_REKEY_KE_RETRIES = 2,
	IKE_REKEY_OLD_MS = 30000,       /* a replaced IKE SA waits this long for its DELETE */
};

static uint64_t
spi_of(const struct ike_proposal *p)
{
	uint64_t v = 0;
	uint8_t i;

	for (i = 0; i < IKE_SPI_LEN; i++)
		v = v << 8 | p->spi[i];
	return v;
}

static void
put_spi8(struct ike_proposal *p, uint64_t spi)
{
	p->spi_len = IKE_SPI_LEN;
	ike_spi_put(spi, p->spi);
}

int
ike_ccsa_ike_build_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_ccsa *q = &sa->ccsa;
	uint8_t i;
	int rc = 0;

	if (q->ike_spi == 0)
		rc = ike_ctx_ike_spi(x->ctx, &q->ike_spi);
	q->n_props = sa->conn->n_props;
	for (i = 0; i < q->n_props; i++) {
		q->props[i] = sa->conn->props[i];
		put_spi8(&q->props[i], q->ike_spi);
	}
	if (q->group == IKE_DH_NONE)
		q->group = sa->st.suite.dh;
	if (rc == 0 && q->dh == NULL)
		rc = ike_dh_new(q->group, &q->dh);
	if (rc == 0 && q->nonce.len == 0)
		rc = ike_rekey_nonce(&q->nonce);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, q->props, q->n_props);
	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, q->nonce.bytes, q->nonce.len);
	if (rc == 0)
		rc = ike_rekey_add_ke(x, q->dh);
	return rc;
}

/* What the new IKE SA inherits (not the keys, SPIs, nonces, leases). */
static void
inherit(struct ike_sa *n, const struct ike_sa *o)
{
	n->conn = o->conn;
	n->st.local = o->st.local;
	n->st.remote = o->st.remote;
	n->st.nat_local = o->st.nat_local;
	n->st.nat_remote = o->st.nat_remote;
	n->st.natt = o->st.natt;
	n->st.keepalive_interval = o->st.keepalive_interval;
	n->st.window_remote = 1;        /* §2.3: a new IKE SA starts with one */
	n->st.peer_fragmentation = o->st.peer_fragmentation;
	n->st.peer_msgid_sync = o->st.peer_msgid_sync;
	n->st.peer_mobike = o->st.peer_mobike;
	n->st.peer_redirect = o->st.peer_redirect;
	n->st.peer_sig_hashes = o->st.peer_sig_hashes;
	n->st.auth_local = o->st.auth_local;
	n->st.auth_remote = o->st.auth_remote;
	n->st.auth_ok = o->st.auth_ok;
	n->st.id_local = o->st.id_local;
	n->st.id_remote = o->st.id_remote;
	memcpy(n->st.remote_cert_dn, o->st.remote_cert_dn, sizeof(n->st.remote_cert_dn));
}

/* §2.18 keys of N from the old SA O's SK_d and PRF. */
static int
derive(struct ike_sa *n, const struct ike_sa *o, const struct ike_dh_secret *gir)
{
	struct ike_chunk ni = ike_task_nonce(&n->st.ni), nr = ike_task_nonce(&n->st.nr);
	struct ike_chunk g = { gir->bytes, gir->len };
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	struct ike_sa_keys k;
	int rc;

	memset(&k, 0, sizeof(k));
	ike_spi_put(n->st.spi_i, spi_i);
	ike_spi_put(n->st.spi_r, spi_r);
	rc = ike_keys_sa_rekey(o->st.suite.prf, &o->st.sk_d, &n->st.suite, &ni, &nr, &g, spi_i,
			       spi_r, &k);
	if (rc == 0) {
		n->st.sk_d = k.sk_d;
		n->st.sk_ai = k.sk_ai;
		n->st.sk_ar = k.sk_ar;
		n->st.sk_ei = k.sk_ei;
		n->st.sk_er = k.sk_er;
		n->st.sk_pi = k.sk_pi;
		n->st.sk_pr = k.sk_pr;
	}
	ike_keys_sa_wipe(&k);
	return rc;
}

static uint16_t
select_r(struct ike_exch *x, struct ike_suite *s)
{
	const struct ike_conf_conn *cc = x->sa->conn;
	const struct ike_msg *m = x->in;
	struct ike_select_opts o = {
		.protocol = IKE_PROTO_IKE,
		.ke_group = ike_msg_has(m, IKE_PL_KE) ? m->ke.group : IKE_DH_NONE,
	};
	uint16_t wanted = 0;

	if (ike_proposal_select_opts(cc->props, cc->n_props, m->sa.proposals, m->sa.n_proposals,
				     &o, &x->chosen, s) != 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (x->chosen.spi_len != IKE_SPI_LEN || spi_of(&x->chosen) == 0)
		return IKE_N_INVALID_SYNTAX;
	if (ike_proposal_dh_check(s, o.ke_group, &wanted) != 0 || s->dh == IKE_DH_NONE) {
		x->notify_data[0] = (uint8_t)(wanted >> 8);
		x->notify_data[1] = (uint8_t)wanted;
		x->notify_data_len = IKE_REKEY_GROUP_LEN;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	return 0;
}

static int
create_r(struct ike_exch *x, struct ike_sa *n, const struct ike_suite *s)
{
	struct ike_dh_secret gir;
	int rc;

	memset(&gir, 0, sizeof(gir));
	inherit(n, x->sa);
	n->st.suite = *s;
	n->st.spi_i = spi_of(&x->chosen);
	rc = ike_rekey_set_nonce(&n->st.ni, &x->in->nonce);
	if (rc == 0)
		rc = ike_rekey_nonce(&n->st.nr);
	if (rc == 0)
		rc = ike_ctx_ike_spi(x->ctx, &n->st.spi_r);
	if (rc == 0)
		rc = ike_rekey_dh_r(x, s->dh, &gir);
	if (rc == 0)
		rc = derive(n, x->sa, &gir);
	ike_dh_secret_wipe(&gir);
	x->nonce = n->st.nr;
	put_spi8(&x->chosen, n->st.spi_r);
	return rc;
}

int
ike_ccsa_ike_process_r(struct ike_exch *x)
{
	struct ike_suite s;
	struct ike_sa *n;
	uint16_t e = select_r(x, &s);

	if (e == 0 && (n = ike_ctx_sa_new(x->ctx, false, x->sa->conn)) == NULL)
		e = IKE_N_NO_ADDITIONAL_SAS;
	if (e != 0) {
		x->child_notify = e;
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "IKE SA rekey refused: notify %u", e);
		return 0;
	}
	if (create_r(x, n, &s) != 0) {
		ike_sa_free(n);
		x->child_notify = IKE_N_NO_PROPOSAL_CHOSEN;
		return 0;
	}
	x->new_sa = n;
	return 0;
}

int
ike_ccsa_ike_build_r(struct ike_exch *x)
{
	struct ike_pl_ke ke = { .group = x->ke_group, .data = { x->ke_pub, x->ke_len } };
	int rc = ike_msg_build_sa(x->b, &x->chosen, 1);

	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, x->nonce.bytes, x->nonce.len);
	if (rc == 0)
		rc = ike_msg_build_ke(x->b, &ke);
	return rc;
}

/* The new IKE SA goes live (no CHILD SAs yet). */
static void
establish(struct ike_ctx *ctx, struct ike_sa *n)
{
	ike_sa_set_phase(n, IKE_SA_PHASE_INIT_DONE);
	ike_sa_set_phase(n, IKE_SA_PHASE_ESTABLISHED);
	n->st.established_time = ike_ctx_wall_s(ctx);
	n->st.last_recv_time = n->st.established_time;
	ike_task_auth_lifetimes(n);
	ike_sa_table_add(&ctx->table, n);
	IKE_LOG_SA(ctx, n, IKE_LOG_INFO, "IKE SA %s established by rekeying", n->st.name);
}

/* CHILD SAs and virtual IP leases from O to N; O is then replaced. */
static void
move_to(struct ike_ctx *ctx, struct ike_sa *o, struct ike_sa *n)
{
	struct ike_child *c;

	n->st.vip4 = o->st.vip4;
	n->st.vip6 = o->st.vip6;
	memset(&o->st.vip4, 0, sizeof(o->st.vip4));
	memset(&o->st.vip6, 0, sizeof(o->st.vip6));
	while ((c = o->children) != NULL) {
		o->children = c->next;
		c->next = n->children;
		n->children = c;
		c->st.ike_sa_id = n->st.id;
	}
	ike_sa_child_ids(o);
	ike_sa_child_ids(n);
	n->pend_rekey_child = o->pend_rekey_child;      /* a retry waiting: there now */
	n->pend_at_ms = o->pend_at_ms;
	o->pend_rekey_child = 0;
	o->rekeyed = true;
	o->expire_ms = ike_ctx_now_ms(ctx) + IKE_REKEY_OLD_MS;
	ike_ctx_event(ctx, IKE_EV_SA_UP, n, NULL);
	for (c = n->children; c != NULL; c = c->next)
		if (c->installed_out)
			ike_ctx_event(ctx, IKE_EV_CHILD_UP, n, c);   /* owner changed (HA) */
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, o, NULL);
}

static void
done_r(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa, *n = x->new_sa;

	establish(x->ctx, n);
	if (sa->st.phase == IKE_SA_PHASE_REKEYING &&
	    ike_win_ccsa_pending(sa, IKE_CCSA_IKE_REKEY)) {
		sa->coll_sa_id = n->st.id;      /* §2.8.2: decided when our response comes */
		sa->coll_ni = n->st.ni;
		sa->st.collision_nonce = n->st.nr;
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "IKE SA rekey collision");
		ike_ctx_event(x->ctx, IKE_EV_SA_UP, n, NULL);
		return;
	}
	move_to(x->ctx, sa, n);
}

/* Initiator: a notify instead of the new SA. */
static void
failed_i(struct ike_exch *x)
{
	struct ike_ccsa *q = &x->sa->ccsa;
	const struct ike_notify *nt = x->in->n_notify > 0 ? &x->in->notify[0] : NULL;
	uint16_t type = nt != NULL ? nt->type : 0;

	IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "IKE SA rekey failed (notify %u)", type);
	if (ike_rekey_retry_group(q, nt, IKE_REKEY_KE_RETRIES))
		return;
	if (type == IKE_N_TEMPORARY_FAILURE)
		ike_rekey_backoff(x->ctx, x->sa);
}

static int
create_i(struct ike_exch *x, struct ike_sa *n)
{
	struct ike_ccsa *q = &x->sa->ccsa;
	const struct ike_msg *m = x->in;
	struct ike_dh_secret gir;
	int rc;

	memset(&gir, 0, sizeof(gir));
	inherit(n, x->sa);
	n->st.spi_i = q->ike_spi;
	n->st.spi_r = spi_of(&m->sa.proposals[0]);
	n->st.ni = q->nonce;
	rc = ike_rekey_set_nonce(&n->st.nr, &m->nonce);
	if (rc == 0)
		rc = ike_dh_shared(q->dh, m->ke.data.ptr, m->ke.data.len, &gir);
	if (rc == 0)
		rc = derive(n, x->sa, &gir);
	ike_dh_secret_wipe(&gir);
	return rc;
}

int
ike_ccsa_ike_process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa, *n;
	struct ike_ccsa *q = &sa->ccsa;
	const struct ike_msg *m = x->in;
	struct ike_suite s;

	if (!ike_msg_has(m, IKE_PL_SA)) {
		failed_i(x);
		if (!q->again)
			ike_sa_set_phase(sa, IKE_SA_PHASE_ESTABLISHED);
		return 0;
	}
	ike_sa_set_phase(sa, IKE_SA_PHASE_ESTABLISHED);
	if (m->sa.n_proposals != 1 || m->sa.proposals[0].spi_len != IKE_SPI_LEN ||
	    spi_of(&m->sa.proposals[0]) == 0 || !ike_msg_has(m, IKE_PL_NONCE) ||
	    !ike_msg_has(m, IKE_PL_KE) || m->ke.group != q->group ||
	    ike_proposal_check_reply(q->props, q->n_props, m->sa.proposals, 1, &s) != 0 ||
	    s.dh != q->group) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "IKE SA rekey reply refused");
		return 0;               /* the old IKE SA goes on */
	}
	n = ike_ctx_sa_new(x->ctx, true, sa->conn);
	if (n == NULL)
		return 0;
	n->st.suite = s;
	if (create_i(x, n) != 0) {
		ike_sa_free(n);
		return 0;
	}
	x->new_sa = n;
	return 0;
}

static void
done_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa, *n = x->new_sa, *coll;
	struct ike_state_nonce ours_nr = sa->st.collision_nonce;

	coll = sa->coll_sa_id != 0 ? ike_sa_table_by_id(&x->ctx->table, sa->coll_sa_id) : NULL;
	sa->coll_sa_id = 0;
	sa->st.collision_nonce.len = 0;
	if (n == NULL) {
		if (coll != NULL) {     /* ours failed: the peer's new SA takes over */
			sa->pend_rekey_ike = false;
			move_to(x->ctx, sa, coll);
		}
		return;
	}
	establish(x->ctx, n);
	if (coll != NULL && ike_rekey_lost(&n->st.ni, &n->st.nr, &sa->coll_ni, &ours_nr)) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "IKE SA rekey collision lost");
		ike_ctx_event(x->ctx, IKE_EV_SA_UP, n, NULL);
		move_to(x->ctx, sa, coll);
		n->pend_del_ike = true;         /* our redundant SA goes (§2.8.2) */
		n->rekeyed = true;
		ike_rekey_kick(x->ctx, n);
		return;                         /* the old one: the winner deletes it */
	}
	if (coll != NULL)
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "IKE SA rekey collision won");
	move_to(x->ctx, sa, n);
	sa->pend_del_ike = true;        /* §1.3.2: the initiator deletes the old SA */
}

void
ike_ccsa_ike_done(struct ike_exch *x)
{
	if (x->ccsa_initiator)
		done_i(x);
	else if (x->new_sa != NULL)
		done_r(x);
}

void
ike_rekey_ike_gone(struct ike_ctx *ctx, struct ike_sa *sa)
{
	struct ike_sa *coll;

	coll = sa->coll_sa_id != 0 ? ike_sa_table_by_id(&ctx->table, sa->coll_sa_id) : NULL;
	sa->coll_sa_id = 0;
	if (coll != NULL)
		move_to(ctx, sa, coll);
}
