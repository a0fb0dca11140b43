/* CREATE_CHILD_SA for CHILD SAs (RFC 7296 §1.3.1, §1.3.3, §2.8, §2.8.1,
 * §2.17): an additional CHILD SA or the rekey of one (N(REKEY_SA) with the
 * initiator's old inbound SPI), both roles; PFS when the ESP proposals
 * name a D-H group (KE, INVALID_KE_PAYLOAD with the group we want);
 * KEYMAT from SK_d, [g^ir,] Ni, Nr of this exchange; make-before-break:
 * the new inbound SA before the response that lets the peer use it, the
 * outbound SA (replaces_id: the data path moves the policies) once the
 * exchange is done, the old SA REKEYED until its DELETE. A simultaneous
 * rekey of the same SA (§2.8.1) keeps the SA of the exchange without the
 * lowest nonce; its loser deletes the redundant SA. Errors are notifies:
 * NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, TS_UNACCEPTABLE,
 * CHILD_SA_NOT_FOUND, NO_ADDITIONAL_SAS; the IKE SA stays. A CHILD SA
 * the responder made that we refuse or cannot install gets our DELETE
 * (§1.4.1); a rekey whose new SA failed keeps the old one. */
#include <errno.h>
#include <string.h>

#include "ike/ike_keys.h"
#include "ike/ike_proposal.h"
#include "ike/ike_task.h"
#include "ike/ike_ts_narrow.h"

enum {
	IKE_CHILD_GROUP_LEN = 2,
	IKE_CHILD_KE_RETRIES = 2,
	/* a replaced CHILD SA is removed by then if no DELETE came (§2.8) */
	IKE_CHILD_REKEYED_MS = 30000,
};

/* The ESP proposals of CC with their D-H groups (conf strips them for
 * IKE_AUTH). */
static uint8_t
esp_props(const struct ike_conf_child *cc, struct ike_proposal *out)
{
	uint8_t i, n = 0;

	for (i = 0; i < cc->cfg->n_esp_proposals && i < CFG_IKE_MAX_PROPOSALS; i++)
		if (ike_proposal_parse(cc->cfg->esp_proposals[i], IKE_PROTO_ESP, (uint8_t)(n + 1),
				       &out[n], NULL, 0) == 0)
			n++;
	return n;
}

static uint16_t
first_group(const struct ike_proposal *p, uint8_t n)
{
	uint8_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < p[i].n_transforms; j++)
			if (p[i].transforms[j].type == IKE_TF_DH &&
			    p[i].transforms[j].id != IKE_DH_NONE)
				return p[i].transforms[j].id;
	return IKE_DH_NONE;
}

static const struct ike_addr *
local_dyn(const struct ike_sa *sa)
{
	return &sa->st.local;
}

static int
offer_ts(struct ike_sa *sa, const struct ike_child *old)
{
	const struct cfg_ike_child *cfg = sa->ccsa.conf->cfg;
	int rc;

	if (old != NULL) {
		sa->ccsa.tsi = old->st.ts_local;
		sa->ccsa.tsr = old->st.ts_remote;
		return 0;
	}
	if (sa->st.initiator && sa->conn->cfg->n_vips != 0)    /* as in IKE_AUTH */
		rc = ike_child_vip_tsi(sa, &sa->ccsa.tsi);
	else
		rc = ike_conf_ts(cfg->local_ts, cfg->n_local_ts, local_dyn(sa), &sa->ccsa.tsi);
	if (rc == 0)
		rc = ike_conf_ts(cfg->remote_ts, cfg->n_remote_ts, &sa->st.remote, &sa->ccsa.tsr);
	return rc;
}

static int
rekey_notify(struct ike_exch *x, const struct ike_child *old)
{
	struct ike_notify n = {
		.protocol = IKE_PROTO_ESP, .spi_len = IKE_ESP_SPI_LEN, .type = IKE_N_REKEY_SA,
	};

	n.spi[0] = (uint8_t)(old->st.spi_in >> 24);
	n.spi[1] = (uint8_t)(old->st.spi_in >> 16);
	n.spi[2] = (uint8_t)(old->st.spi_in >> 8);
	n.spi[3] = (uint8_t)old->st.spi_in;
	return ike_msg_build_notify(x->b, &n);
}

static int
prepare_i(struct ike_exch *x, const struct ike_child *old)
{
	struct ike_ccsa *q = &x->sa->ccsa;
	uint8_t i;
	int rc = 0;

	if (q->n_props == 0)
		q->n_props = esp_props(q->conf, q->props);
	if (q->spi == 0)
		rc = ike_ctx_esp_spi(x->ctx, &q->spi);
	for (i = 0; i < q->n_props; i++)
		ike_child_put_spi(&q->props[i], q->spi);
	if (q->group == IKE_DH_NONE)
		q->group = first_group(q->props, q->n_props);
	if (rc == 0 && q->group != IKE_DH_NONE && q->dh == NULL)
		rc = ike_dh_new(q->group, &q->dh);
	if (rc == 0 && q->nonce.len == 0)
		rc = ike_rekey_nonce(&q->nonce);
	if (rc == 0)
		rc = offer_ts(x->sa, old);
	return q->n_props == 0 ? -ENOENT : rc;
}

int
ike_ccsa_child_build_i(struct ike_exch *x)
{
	struct ike_ccsa *q = &x->sa->ccsa;
	struct ike_child *old = NULL;
	int rc = 0;

	if (q->kind == IKE_CCSA_CHILD_REKEY) {
		old = ike_child_by_id(x->sa, q->old_child_id);
		if (old == NULL)
			return -ENOENT;
	}
	rc = prepare_i(x, old);
	if (rc == 0 && old != NULL)
		rc = rekey_notify(x, old);
	if (rc == 0 && q->conf->cfg->mode == CFG_SA_TRANSPORT)
		rc = ike_msg_build_status(x->b, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, q->props, q->n_props);
	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, q->nonce.bytes, q->nonce.len);
	if (rc == 0 && q->dh != NULL)
		rc = ike_rekey_add_ke(x, q->dh);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSI, &q->tsi);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSR, &q->tsr);
	return rc;
}

/* The CHILD SA the peer's REKEY_SA names (its old inbound SPI = our
 * outbound one). 0 or a notify. */
static uint16_t
find_old(struct ike_exch *x)
{
	const struct ike_notify *n = ike_msg_find_notify(x->in, IKE_N_REKEY_SA);
	uint32_t spi;

	if (n == NULL)
		return 0;
	if (n->protocol != IKE_PROTO_ESP || n->spi_len != IKE_ESP_SPI_LEN)
		return IKE_N_INVALID_SYNTAX;
	spi = (uint32_t)n->spi[0] << 24 | (uint32_t)n->spi[1] << 16 |
	      (uint32_t)n->spi[2] << 8 | n->spi[3];
	x->old_child = ike_sa_child_by_spi_out(x->sa, spi);
	if (x->old_child == NULL || x->old_child->conf == NULL)
		return IKE_N_CHILD_SA_NOT_FOUND;
	if (x->old_child->st.rekey == IKE_CHILD_REKEY_REKEYED)
		return IKE_N_CHILD_SA_NOT_FOUND;        /* replaced, going: §2.25.1 */
	return 0;
}

static uint16_t
select_esp(struct ike_exch *x, const struct ike_conf_child *cc, struct ike_suite *esp)
{
	const struct ike_msg *m = x->in;
	struct ike_proposal ours[CFG_IKE_MAX_PROPOSALS];
	struct ike_select_opts o = {
		.protocol = IKE_PROTO_ESP,
		.ke_group = ike_msg_has(m, IKE_PL_KE) ? m->ke.group : IKE_DH_NONE,
	};
	uint8_t n = esp_props(cc, ours);
	uint16_t wanted = 0;

	if (ike_proposal_select_opts(ours, n, m->sa.proposals, m->sa.n_proposals, &o,
				     &x->chosen, esp) != 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (ike_proposal_dh_check(esp, o.ke_group, &wanted) != 0) {
		x->notify_data[0] = (uint8_t)(wanted >> 8);
		x->notify_data[1] = (uint8_t)wanted;
		x->notify_data_len = IKE_CHILD_GROUP_LEN;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	return 0;
}

static uint16_t
select_ts(struct ike_exch *x, const struct ike_conf_child *cc, struct ike_ts_set *tsi,
	  struct ike_ts_set *tsr)
{
	const struct cfg_ike_child *cfg = cc->cfg;
	struct ike_ts_set local, remote;

	if (!ike_msg_has(x->in, IKE_PL_TSI) || !ike_msg_has(x->in, IKE_PL_TSR))
		return IKE_N_INVALID_SYNTAX;
	if (ike_conf_ts(cfg->local_ts, cfg->n_local_ts, local_dyn(x->sa), &local) != 0 ||
	    ike_conf_ts(cfg->remote_ts, cfg->n_remote_ts, ike_child_remote_dyn(x->sa),
			&remote) != 0 ||
	    ike_ts_narrow_responder(&x->in->tsi, &x->in->tsr, &local, &remote, tsi, tsr) != 0)
		return IKE_N_TS_UNACCEPTABLE;
	return 0;
}

/* The configuration: the rekeyed SA's, else the first whose proposals
 * and selectors fit. */
static uint16_t
select_conf(struct ike_exch *x, struct ike_suite *esp, struct ike_ts_set *tsi,
	    struct ike_ts_set *tsr)
{
	const struct ike_conf_conn *conn = x->sa->conn;
	uint16_t err = IKE_N_NO_PROPOSAL_CHOSEN, e;
	uint8_t i;

	if (x->old_child != NULL) {
		x->cc = x->old_child->conf;
		e = select_esp(x, x->cc, esp);
		return e != 0 ? e : select_ts(x, x->cc, tsi, tsr);
	}
	for (i = 0; i < conn->cfg->n_children; i++) {
		e = select_esp(x, &conn->children[i], esp);
		if (e == 0)
			e = select_ts(x, &conn->children[i], tsi, tsr);
		if (e == 0) {
			x->cc = &conn->children[i];
			return 0;
		}
		if (e != IKE_N_NO_PROPOSAL_CHOSEN && err == IKE_N_NO_PROPOSAL_CHOSEN)
			err = e;
	}
	return err;
}

static int
create_r(struct ike_exch *x, struct ike_child *c, const struct ike_suite *esp)
{
	struct ike_state_nonce ni;
	struct ike_dh_secret gir;
	struct ike_chunk g = { NULL, 0 }, cni, cnr;
	bool transport = x->cc->cfg->mode == CFG_SA_TRANSPORT &&
			 ike_msg_find_notify(x->in, IKE_N_USE_TRANSPORT_MODE) != NULL;
	int rc;

	memset(&gir, 0, sizeof(gir));
	c->st.spi_out = ike_child_get_spi(&x->chosen);
	rc = c->st.spi_out < 256 ? -EBADMSG : ike_rekey_set_nonce(&ni, &x->in->nonce);
	if (rc == 0)
		rc = ike_rekey_nonce(&x->nonce);
	if (rc == 0)
		rc = ike_ctx_esp_spi(x->ctx, &c->st.spi_in);
	if (rc == 0 && esp->dh != IKE_DH_NONE) {
		rc = ike_rekey_dh_r(x, esp->dh, &gir);
		g.ptr = gir.bytes;
		g.len = gir.len;
	}
	cni = ike_task_nonce(&ni);
	cnr = ike_task_nonce(&x->nonce);
	if (rc == 0)
		rc = ike_child_fill(x, c, x->cc, esp, transport, &g, &cni, &cnr, false);
	ike_dh_secret_wipe(&gir);
	if (rc == 0 && x->old_child != NULL) {
		c->st.replaces_id = x->old_child->st.id;
		if (x->old_child->st.rekey == IKE_CHILD_REKEY_REKEYING) {
			c->coll_ni = ni;                /* §2.8.1 collision */
			c->coll_nr = x->nonce;
		}
	}
	if (rc == 0)
		rc = ike_child_install_in(x, c);
	return rc;
}

int
ike_ccsa_child_process_r(struct ike_exch *x)
{
	struct ike_ts_set tsi, tsr;
	struct ike_suite esp;
	struct ike_child *c;
	uint16_t e = find_old(x);
	int rc;

	if (e == 0)
		e = select_conf(x, &esp, &tsi, &tsr);
	if (e == 0 && (c = ike_sa_child_add(x->sa)) == NULL)
		e = IKE_N_NO_ADDITIONAL_SAS;
	if (e != 0) {
		x->ctx->stats.no_proposal += e == IKE_N_NO_PROPOSAL_CHOSEN;
		x->child_notify = e;
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "CREATE_CHILD_SA refused: notify %u", e);
		return 0;
	}
	c->st.ts_local = tsr;
	c->st.ts_remote = tsi;
	rc = create_r(x, c, &esp);
	if (rc != 0) {
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "CHILD SA not created: %d", rc);
		ike_ctx_child_remove(x->ctx, x->sa, c);
		x->child_notify = IKE_N_NO_PROPOSAL_CHOSEN;
		return 0;
	}
	ike_sa_child_ids(x->sa);
	x->child = c;
	ike_child_put_spi(&x->chosen, c->st.spi_in);
	return 0;
}

int
ike_ccsa_child_build_r(struct ike_exch *x)
{
	struct ike_child *c = x->child;
	struct ike_pl_ke ke = { .group = x->ke_group, .data = { x->ke_pub, x->ke_len } };
	int rc = 0;

	if (c->st.mode == IKE_CHILD_MODE_TRANSPORT)
		rc = ike_msg_build_status(x->b, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, &x->chosen, 1);
	if (rc == 0)
		rc = ike_msg_build_nonce(x->b, x->nonce.bytes, x->nonce.len);
	if (rc == 0 && x->ke_len != 0)
		rc = ike_msg_build_ke(x->b, &ke);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSI, &c->st.ts_remote);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSR, &c->st.ts_local);
	return rc;
}

static void
replaced(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *old, struct ike_child *by)
{
	if (old == NULL)
		return;
	old->st.rekey = IKE_CHILD_REKEY_REKEYED;
	old->st.replaced_by_id = by != NULL ? by->st.id : 0;
	old->expire_ms = ike_ctx_now_ms(ctx) + IKE_CHILD_REKEYED_MS;
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);
}

/* Initiator: a notify instead of the CHILD SA. */
static void
failed_i(struct ike_exch *x, struct ike_child *old)
{
	struct ike_sa *sa = x->sa;
	struct ike_ccsa *q = &sa->ccsa;
	const struct ike_notify *n = x->in->n_notify > 0 ? &x->in->notify[0] : NULL;
	uint16_t type = n != NULL ? n->type : 0;

	IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "CREATE_CHILD_SA failed (notify %u)", type);
	if (ike_rekey_retry_group(q, n, IKE_CHILD_KE_RETRIES))
		return;
	if (type == IKE_N_TEMPORARY_FAILURE)
		ike_rekey_backoff(x->ctx, sa);
	if (old == NULL)
		return;
	old->st.rekey = IKE_CHILD_REKEY_NONE;
	x->old_child = old;     /* a collision's deferred SA goes out now */
}

/* The responder's choice against our offer (§3.3.6, §2.9). */
static int
check_reply_i(struct ike_exch *x, struct ike_suite *esp, struct ike_dh_secret *gir)
{
	const struct ike_msg *m = x->in;
	struct ike_ccsa *q = &x->sa->ccsa;

	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_NONCE) ||
	    !ike_msg_has(m, IKE_PL_TSI) || !ike_msg_has(m, IKE_PL_TSR) ||
	    m->sa.n_proposals != 1 ||
	    ike_proposal_check_reply(q->props, q->n_props, m->sa.proposals, 1, esp) != 0 ||
	    ike_child_get_spi(&m->sa.proposals[0]) < 256 ||
	    !ike_ts_set_within(&m->tsi, &q->tsi) || !ike_ts_set_within(&m->tsr, &q->tsr))
		return -EBADMSG;
	if (esp->dh == IKE_DH_NONE)
		return 0;
	if (q->dh == NULL || esp->dh != q->group || !ike_msg_has(m, IKE_PL_KE) ||
	    m->ke.group != q->group)
		return -EBADMSG;
	return ike_dh_shared(q->dh, m->ke.data.ptr, m->ke.data.len, gir);
}

static int
create_i(struct ike_exch *x, struct ike_child *c, const struct ike_suite *esp,
	 const struct ike_dh_secret *gir)
{
	struct ike_ccsa *q = &x->sa->ccsa;
	const struct ike_msg *m = x->in;
	struct ike_chunk g = { gir->bytes, gir->len }, ni = ike_task_nonce(&q->nonce), nr;
	struct ike_state_nonce theirs;
	int rc = ike_rekey_set_nonce(&theirs, &m->nonce);

	nr = ike_task_nonce(&theirs);
	c->st.spi_in = q->spi;
	c->st.spi_out = ike_child_get_spi(&m->sa.proposals[0]);
	c->st.ts_local = m->tsi;
	c->st.ts_remote = m->tsr;
	q->spi = 0;
	if (rc == 0)
		rc = ike_child_fill(x, c, q->conf, esp,
				    ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL,
				    &g, &ni, &nr, true);
	if (rc == 0 && x->old_child != NULL) {
		c->st.replaces_id = x->old_child->st.id;
		c->coll_ni = q->nonce;          /* our exchange's nonces, for §2.8.1 */
		c->coll_nr = theirs;
	}
	return rc == 0 ? ike_child_install_in(x, c) : rc;
}

int
ike_ccsa_child_process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_child *old = ike_child_by_id(sa, sa->ccsa.old_child_id), *c;
	struct ike_dh_secret gir;
	struct ike_suite esp;
	int rc;

	memset(&gir, 0, sizeof(gir));
	if (sa->ccsa.kind == IKE_CCSA_CHILD_REKEY && old == NULL)
		return 0;               /* deleted meanwhile */
	if (!ike_msg_has(x->in, IKE_PL_SA)) {
		failed_i(x, old);
		return 0;
	}
	x->old_child = old;
	rc = check_reply_i(x, &esp, &gir);
	c = rc == 0 ? ike_sa_child_add(sa) : NULL;
	if (c != NULL) {
		rc = create_i(x, c, &esp, &gir);
		if (rc != 0)
			ike_child_abandon(x->ctx, sa, c);       /* the peer has it (§1.4.1) */
		else
			x->child = c;
	} else {                        /* the peer made one: refused, or no room */
		ike_child_queue_delete(x->ctx, sa, sa->ccsa.spi);
	}
	ike_dh_secret_wipe(&gir);
	if (x->child == NULL) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "CREATE_CHILD_SA reply refused: %d", rc);
		if (old != NULL)
			old->st.rekey = IKE_CHILD_REKEY_NONE;
	}
	ike_sa_child_ids(sa);
	return 0;
}

/* §2.8.1: our exchange and the peer's rekeyed OLD both; the one holding
 * the lowest nonce loses and its initiator deletes what it made. */
static void
collision_i(struct ike_exch *x, struct ike_child *old, struct ike_child *c,
	    struct ike_child *peer_c)
{
	struct ike_sa *sa = x->sa;
	uint64_t id;

	if (ike_rekey_lost(&c->coll_ni, &c->coll_nr, &old->coll_ni, &old->coll_nr)) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "CHILD SA rekey collision lost");
		sa->pend_del_child = c->st.spi_in;      /* redundant: ours goes */
		c->st.rekey = IKE_CHILD_REKEY_REKEYED;
		id = peer_c->st.id;
		peer_c->out_deferred = false;
		ike_child_install_out(x->ctx, sa, peer_c);
		replaced(x->ctx, sa, old, ike_child_by_id(sa, id));
		return;                 /* OLD goes with the winner's DELETE */
	}
	IKE_LOG_SA(x->ctx, sa, IKE_LOG_INFO, "CHILD SA rekey collision won");
	id = c->st.id;
	ike_child_install_out(x->ctx, sa, c);
	replaced(x->ctx, sa, old, ike_child_by_id(sa, id));
	sa->pend_del_child = old->st.spi_in;    /* the peer deletes its redundant one */
}

static void
done_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	struct ike_child *old = x->old_child, *c = x->child, *peer_c;
	uint64_t id;

	peer_c = old != NULL && old->coll_id != 0 ? ike_child_by_id(sa, old->coll_id) : NULL;
	if (old != NULL)
		old->coll_id = 0;
	if (c != NULL && peer_c != NULL) {
		collision_i(x, old, c, peer_c);
		return;
	}
	if (peer_c != NULL) {           /* ours failed: the peer's replaces OLD */
		id = peer_c->st.id;
		peer_c->out_deferred = false;
		ike_child_install_out(x->ctx, sa, peer_c);
		replaced(x->ctx, sa, old, ike_child_by_id(sa, id));
		return;
	}
	if (c == NULL)
		return;
	id = c->st.id;
	ike_child_install_out(x->ctx, sa, c);
	if (old != NULL && ike_child_by_id(sa, id) == NULL) {
		old->st.rekey = IKE_CHILD_REKEY_NONE;   /* abandoned: OLD stays */
		return;
	}
	if (old != NULL) {
		replaced(x->ctx, sa, old, ike_child_by_id(sa, id));
		sa->pend_del_child = old->st.spi_in;    /* §1.3.3, §2.8 */
	}
}

/* Responder: the exchange is answered; outbound now unless we rekey the
 * same SA ourselves (the tie-break decides when our response comes). */
void
ike_ccsa_child_done(struct ike_exch *x)
{
	struct ike_child *c = x->child, *old = x->old_child;
	uint64_t id;

	if (x->ccsa_initiator) {
		done_i(x);
		return;
	}
	if (c == NULL)
		return;
	if (old != NULL && old->st.rekey == IKE_CHILD_REKEY_REKEYING) {
		c->out_deferred = true;
		old->coll_id = c->st.id;
		old->coll_ni = c->coll_ni;
		old->coll_nr = c->coll_nr;
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_INFO, "CHILD SA rekey collision on %08x_i",
			   old->st.spi_in);
		return;
	}
	id = c->st.id;
	ike_child_install_out(x->ctx, x->sa, c);
	replaced(x->ctx, x->sa, old, ike_child_by_id(x->sa, id));
}

void
ike_rekey_child_gone(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child *peer_c = c->coll_id != 0 ? ike_child_by_id(sa, c->coll_id) : NULL;

	c->coll_id = 0;
	if (peer_c == NULL || !peer_c->out_deferred)
		return;
	peer_c->out_deferred = false;
	ike_child_install_out(ctx, sa, peer_c);
}
