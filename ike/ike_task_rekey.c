/* Task ccsa: the CREATE_CHILD_SA exchange (RFC 7296 §1.3, §2.8, §2.25):
 * which kind a request is (IKE SA rekey: an IKE proposal with an 8-octet
 * SPI, §1.3.2; CHILD SA rekey: N(REKEY_SA), §1.3.3; else an additional
 * CHILD SA, §1.3.1), TEMPORARY_FAILURE while a rekey of the other kind
 * runs (§2.25), the work queued behind our outstanding request (the
 * DELETEs that finish a rekey, rekeys asked for while busy, §2.3 window
 * of one) and the simultaneous-rekey tie-break (§2.8.1, §2.8.2). */
#include <errno.h>
#include <string.h>

#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum {
	IKE_REKEY_BACKOFF_MS = 1000,    /* TEMPORARY_FAILURE: retry after 1..2 s */
};

int
ike_rekey_nonce(struct ike_state_nonce *n)
{
	n->len = IKE_NONCE_LEN;
	return ike_spi_random(n->bytes, IKE_NONCE_LEN);
}

/* RFC 7296 §2.10: 16..256 octets. */
int
ike_rekey_set_nonce(struct ike_state_nonce *n, const struct ike_chunk *c)
{
	if (c->ptr == NULL || c->len < IKE_NONCE_MIN || c->len > IKE_NONCE_MAX)
		return -EBADMSG;
	n->len = (uint16_t)c->len;
	memcpy(n->bytes, c->ptr, c->len);
	return 0;
}

int
ike_rekey_add_ke(struct ike_exch *x, const struct ike_dh *dh)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX];
	uint16_t group = ike_dh_group(dh);
	size_t len = ike_dh_public_len(group);
	struct ike_pl_ke ke = { .group = group, .data = { pub, len } };
	int rc = ike_dh_public(dh, pub, len);

	return rc != 0 ? rc : ike_msg_build_ke(x->b, &ke);
}

int
ike_rekey_dh_r(struct ike_exch *x, uint16_t group, struct ike_dh_secret *gir)
{
	struct ike_dh *dh = NULL;
	size_t len = ike_dh_public_len(group);
	int rc;

	if (!ike_msg_has(x->in, IKE_PL_KE) || x->in->ke.group != group || len == 0)
		return -EBADMSG;
	rc = ike_dh_new(group, &dh);
	if (rc == 0)
		rc = ike_dh_shared(dh, x->in->ke.data.ptr, x->in->ke.data.len, gir);
	if (rc == 0)
		rc = ike_dh_public(dh, x->ke_pub, len);
	if (rc == 0) {
		x->ke_group = group;
		x->ke_len = (uint16_t)len;
	}
	ike_dh_free(dh);
	return rc;
}

static int
nonce_cmp(const struct ike_state_nonce *a, const struct ike_state_nonce *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->bytes, b->bytes, n);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static const struct ike_state_nonce *
nonce_min(const struct ike_state_nonce *a, const struct ike_state_nonce *b)
{
	return nonce_cmp(a, b) <= 0 ? a : b;
}

bool
ike_rekey_lost(const struct ike_state_nonce *a_ni, const struct ike_state_nonce *a_nr,
	       const struct ike_state_nonce *b_ni, const struct ike_state_nonce *b_nr)
{
	return nonce_cmp(nonce_min(a_ni, a_nr), nonce_min(b_ni, b_nr)) < 0;
}

struct ike_child *
ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->st.spi_in == spi)
			return c;
	return NULL;
}

struct ike_child *
ike_child_by_id(struct ike_sa *sa, uint64_t id)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->st.id == id)
			return c;
	return NULL;
}

static bool
sa_free_to_send(const struct ike_sa *sa)
{
	return ike_win_can_send(sa) && sa->st.phase == IKE_SA_PHASE_ESTABLISHED;
}

static void
ccsa_clear(struct ike_sa *sa)
{
	ike_dh_free(sa->ccsa.dh);
	OPENSSL_cleanse(&sa->ccsa, sizeof(sa->ccsa));
}

int
ike_rekey_child_start(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	int rc;

	if (c->st.rekey != IKE_CHILD_REKEY_NONE || sa->rekeyed || c->conf == NULL)
		return -EBUSY;
	if (!sa_free_to_send(sa)) {             /* when the window has room */
		if (sa->pend_rekey_child == 0 || sa->pend_rekey_child == c->st.id) {
			sa->pend_rekey_child = c->st.id;
			return 0;
		}
		return ike_queue_add(sa, IKE_QUEUE_CHILD_REKEY, c->st.id, NULL);
	}
	ccsa_clear(sa);
	sa->ccsa.kind = IKE_CCSA_CHILD_REKEY;
	sa->ccsa.old_child_id = c->st.id;
	sa->ccsa.conf = c->conf;
	c->st.rekey = IKE_CHILD_REKEY_REKEYING;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "rekeying CHILD SA %s %08x_i", c->st.name,
		   c->st.spi_in);
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_CREATE_CHILD_SA);
	if (rc != 0) {
		c->st.rekey = IKE_CHILD_REKEY_NONE;
		ccsa_clear(sa);
	}
	return rc;
}

int
ike_rekey_child_new(struct ike_ctx *ctx, uint64_t ike_sa_id, const char *child)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, ike_sa_id);
	const struct ike_conf_child *cc;

	if (sa == NULL || (cc = ike_conf_find_child(sa->conn, child)) == NULL)
		return -ENOENT;
	return ike_rekey_child_add(ctx, sa, cc);
}

int
ike_rekey_child_add(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_conf_child *cc)
{
	int rc;

	if (sa->rekeyed || sa->st.phase < IKE_SA_PHASE_ESTABLISHED ||
	    sa->st.phase >= IKE_SA_PHASE_DELETING)
		return -EBUSY;
	if (!sa_free_to_send(sa))
		return ike_queue_add(sa, IKE_QUEUE_CHILD_NEW, 0, cc);   /* §2.3 */
	ccsa_clear(sa);
	sa->ccsa.kind = IKE_CCSA_CHILD_NEW;
	sa->ccsa.conf = cc;
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_CREATE_CHILD_SA);
	if (rc != 0)
		ccsa_clear(sa);
	return rc;
}

int
ike_rekey_ike_start(struct ike_ctx *ctx, struct ike_sa *sa)
{
	int rc;

	if (sa->rekeyed)
		return -EBUSY;
	if (!sa_free_to_send(sa) || !ike_win_idle(sa)) {
		sa->pend_rekey_ike = true;      /* §2.25: alone, once the rest is answered */
		return 0;
	}
	ccsa_clear(sa);
	sa->ccsa.kind = IKE_CCSA_IKE_REKEY;
	ike_sa_set_phase(sa, IKE_SA_PHASE_REKEYING);
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "rekeying IKE SA %s", sa->st.name);
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_CREATE_CHILD_SA);
	if (rc != 0) {
		ike_sa_set_phase(sa, IKE_SA_PHASE_ESTABLISHED);
		ccsa_clear(sa);
	}
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);
	return rc;
}

/* A DELETE that finishes a rekey. */
static void
kick_delete(struct ike_ctx *ctx, struct ike_sa *sa)
{
	uint32_t spi = sa->pend_del_child;

	sa->pend_del_child = 0;
	if (ike_child_by_spi_in(sa, spi) == NULL)
		return;
	sa->del_child_spi = spi;
	if (ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL) != 0)
		sa->del_child_spi = 0;
}

int
ike_rekey_resend(struct ike_ctx *ctx, struct ike_sa *sa)
{
	struct ike_child *c;
	int rc;

	sa->ccsa.again = false;
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_CREATE_CHILD_SA);
	if (rc == 0)
		return 0;
	if (sa->st.phase == IKE_SA_PHASE_REKEYING && sa->ccsa.kind == IKE_CCSA_IKE_REKEY)
		ike_sa_set_phase(sa, IKE_SA_PHASE_ESTABLISHED);
	c = ike_child_by_id(sa, sa->ccsa.old_child_id);
	if (c != NULL && sa->ccsa.kind == IKE_CCSA_CHILD_REKEY)
		c->st.rekey = IKE_CHILD_REKEY_NONE;
	ccsa_clear(sa);
	return rc;
}

void
ike_rekey_kick(struct ike_ctx *ctx, struct ike_sa *sa)
{
	struct ike_child *c;
	uint64_t id;

	if (sa->ccsa.again && ike_win_can_send(sa) && ike_rekey_resend(ctx, sa) == 0)
		return;
	if (!sa_free_to_send(sa))
		return;
	if (sa->pend_del_child != 0) {
		kick_delete(ctx, sa);   /* takes the gone SPIs along (ike_task_info.c) */
		if (!sa_free_to_send(sa))
			return;
	}
	if (sa->n_del_gone != 0) {      /* CHILD SAs gone here: their DELETE (§1.4.1) */
		if (ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL) != 0)
			sa->n_del_gone = 0;     /* not sent (logged): not tried again */
		if (!sa_free_to_send(sa))
			return;
	}
	if (sa->pend_del_ike) {
		if (!ike_win_idle(sa))
			return;         /* its answer ends the SA: after all the others */
		sa->pend_del_ike = false;
		ike_exch_delete(ctx, sa);       /* may free SA */
		return;
	}
	if (sa->rekeyed || ike_ctx_now_ms(ctx) < sa->pend_at_ms)
		return;
	if (sa->pend_rekey_ike) {
		if (!ike_win_idle(sa))
			return;
		sa->pend_rekey_ike = false;
		ike_rekey_ike_start(ctx, sa);
		return;
	}
	id = sa->pend_rekey_child;
	sa->pend_rekey_child = 0;
	c = id != 0 ? ike_child_by_id(sa, id) : NULL;
	if (c != NULL)
		ike_rekey_child_start(ctx, sa, c);
	ike_queue_run(ctx, sa);         /* the rest, as the window allows */
}

/* INVALID_KE_PAYLOAD (§1.3, §3.4): a supported group named in the notify
 * replaces ours, at most MAX_RETRIES times; true when the exchange is to
 * be sent again. */
bool
ike_rekey_retry_group(struct ike_ccsa *q, const struct ike_notify *n, unsigned int max_retries)
{
	if (n == NULL || n->type != IKE_N_INVALID_KE_PAYLOAD ||
	    n->data.len != IKE_REKEY_NOTIFY_GROUP_LEN || q->retries++ >= max_retries)
		return false;
	ike_dh_free(q->dh);
	q->dh = NULL;
	q->group = (uint16_t)(n->data.ptr[0] << 8 | n->data.ptr[1]);
	q->nonce.len = 0;
	q->again = ike_dh_group_supported(q->group);
	return q->again;
}

/* TEMPORARY_FAILURE: the same again after a random back-off (§2.25). */
void
ike_rekey_backoff(struct ike_ctx *ctx, struct ike_sa *sa)
{
	uint8_t r = 0;

	ike_spi_random(&r, 1);
	sa->pend_at_ms = ike_ctx_now_ms(ctx) + IKE_REKEY_BACKOFF_MS +
			 (uint64_t)r * IKE_REKEY_BACKOFF_MS / UINT8_MAX;
	if (sa->ccsa.kind == IKE_CCSA_IKE_REKEY)
		sa->pend_rekey_ike = true;
	else if (sa->ccsa.kind == IKE_CCSA_CHILD_REKEY)
		sa->pend_rekey_child = sa->ccsa.old_child_id;
}

static int
build_i(struct ike_exch *x)
{
	x->ccsa_initiator = true;
	x->ccsa_kind = x->sa->ccsa.kind;
	if (x->ccsa_kind == IKE_CCSA_IKE_REKEY)
		return ike_ccsa_ike_build_i(x);
	return ike_ccsa_child_build_i(x);
}

static bool
is_ike_rekey(const struct ike_msg *m)
{
	return ike_msg_has(m, IKE_PL_SA) && m->sa.n_proposals > 0 &&
	       m->sa.proposals[0].protocol == IKE_PROTO_IKE;
}

/* §2.25: one rekey kind at a time. */
static bool
busy_with_other(const struct ike_sa *sa, bool ike)
{
	if (ike)
		return ike_win_ccsa_pending(sa, IKE_CCSA_CHILD_NEW) ||
		       ike_win_ccsa_pending(sa, IKE_CCSA_CHILD_REKEY);
	return sa->st.phase == IKE_SA_PHASE_REKEYING;
}

static int
process_r(struct ike_exch *x)
{
	bool ike = is_ike_rekey(x->in);

	x->ccsa_kind = ike ? IKE_CCSA_IKE_REKEY :
		       ike_msg_find_notify(x->in, IKE_N_REKEY_SA) != NULL ?
		       IKE_CCSA_CHILD_REKEY : IKE_CCSA_CHILD_NEW;
	if (x->sa->rekeyed || x->sa->st.phase == IKE_SA_PHASE_DELETING ||
	    busy_with_other(x->sa, ike)) {
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_INFO, "CREATE_CHILD_SA: TEMPORARY_FAILURE");
		x->child_notify = IKE_N_TEMPORARY_FAILURE;
		return 0;
	}
	if (!ike_msg_has(x->in, IKE_PL_SA) || !ike_msg_has(x->in, IKE_PL_NONCE)) {
		x->child_notify = IKE_N_INVALID_SYNTAX;
		return 0;
	}
	return ike ? ike_ccsa_ike_process_r(x) : ike_ccsa_child_process_r(x);
}

static int
build_r(struct ike_exch *x)
{
	if (x->child_notify != 0)
		return ike_msg_build_status(x->b, x->child_notify, x->notify_data,
					    x->notify_data_len);
	if (x->ccsa_kind == IKE_CCSA_IKE_REKEY)
		return ike_ccsa_ike_build_r(x);
	return ike_ccsa_child_build_r(x);
}

static int
process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	int rc;

	x->ccsa_initiator = true;
	x->ccsa_kind = sa->ccsa.kind;
	if (x->ccsa_kind == IKE_CCSA_IKE_REKEY)
		rc = ike_ccsa_ike_process_i(x);
	else
		rc = ike_ccsa_child_process_i(x);
	if (sa->ccsa.again)     /* sent again (INVALID_KE_PAYLOAD) by ike_rekey_kick() */
		return 0;
	ccsa_clear(sa);
	return rc;
}

static void
done(struct ike_exch *x)
{
	if (x->child_notify != 0)
		return;
	if (x->ccsa_kind == IKE_CCSA_IKE_REKEY)
		ike_ccsa_ike_done(x);
	else
		ike_ccsa_child_done(x);
}

const struct ike_task ike_task_ccsa = {
	.name = "create_child_sa",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
	.done = done,
};
