/* The exchange driver (RFC 7296 §1.2-§1.4, §2.2-§2.3): which tasks run
 * in which exchange, requests built and sent, requests answered (error
 * answers included: a stateless one for IKE_SA_INIT, §2.6, §1.3; an
 * encrypted one that ends a half-built SA for IKE_AUTH, §2.21.2),
 * responses processed, and the SA's phase and message IDs moved. */
#include <errno.h>
#include <string.h>

#include "ike/ike_task.h"
#include "ike/ike_window.h"

struct task_list {
	const struct ike_task *const *t;
	size_t n;
};

static const struct ike_task *const init_tasks[] = { &ike_task_init, &ike_task_natd };
static const struct ike_task *const auth_tasks[] = {
	&ike_task_auth, &ike_task_config, &ike_task_child, &ike_task_window,
};
static const struct ike_task *const info_tasks[] = { &ike_task_info };
static const struct ike_task *const ccsa_tasks[] = { &ike_task_ccsa };

static bool
tasks_of(uint8_t exchange, struct task_list *l)
{
	switch (exchange) {
	case IKE_EXCH_SA_INIT:
		l->t = init_tasks;
		l->n = sizeof(init_tasks) / sizeof(init_tasks[0]);
		return true;
	case IKE_EXCH_AUTH:
		l->t = auth_tasks;
		l->n = sizeof(auth_tasks) / sizeof(auth_tasks[0]);
		return true;
	case IKE_EXCH_INFORMATIONAL:
		l->t = info_tasks;
		l->n = sizeof(info_tasks) / sizeof(info_tasks[0]);
		return true;
	case IKE_EXCH_CREATE_CHILD_SA:
		l->t = ccsa_tasks;
		l->n = sizeof(ccsa_tasks) / sizeof(ccsa_tasks[0]);
		return true;
	default:
		return false;
	}
}

void
ike_task_fail(struct ike_exch *x, uint16_t notify)
{
	if (x->notify == 0)
		x->notify = notify;
}

struct ike_chunk
ike_task_nonce(const struct ike_state_nonce *n)
{
	struct ike_chunk c = { .ptr = n->bytes, .len = n->len };

	return c;
}

static void
exch_init(struct ike_exch *x, struct ike_ctx *ctx, struct ike_sa *sa, struct ike_msg *m,
	  const struct ike_addr *local, const struct ike_addr *remote)
{
	memset(x, 0, sizeof(*x));
	x->ctx = ctx;
	x->sa = sa;
	x->in = m;
	x->local = local != NULL ? local : &sa->st.local;
	x->remote = remote != NULL ? remote : &sa->st.remote;
}

int
ike_exch_initiate(struct ike_ctx *ctx, struct ike_sa *sa, uint8_t exchange)
{
	uint32_t msgid = ike_win_next_msgid(sa, exchange);
	const struct ike_win_req *q;
	struct task_list l;
	struct ike_exch x;
	struct ike_out o;
	size_t i;
	int rc;

	if (!tasks_of(exchange, &l))
		return -EINVAL;
	if (exchange != IKE_EXCH_SA_INIT && !ike_win_can_send(sa))
		return -EBUSY;          /* §2.3: never beyond the peer's window */
	exch_init(&x, ctx, sa, NULL, NULL, NULL);
	rc = ike_io_begin(ctx, sa, &o, exchange, false, msgid);
	x.b = &o.b;
	for (i = 0; rc == 0 && i < l.n; i++)
		if (l.t[i]->build_i != NULL)
			rc = l.t[i]->build_i(&x);
	if (rc == 0)
		rc = ike_io_send(ctx, sa, &o);
	if (rc != 0) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "exchange %u not started: %d", exchange, rc);
		return rc;
	}
	if (exchange == IKE_EXCH_SA_INIT) {
		q = ike_win_find(sa, msgid, exchange);  /* as sent: signed by AUTH */
		rc = q == NULL ? -ENOENT :
		     ike_sa_keep(&sa->init_local, &sa->init_local_len, q->bytes, q->len);
		ike_sa_set_phase(sa, IKE_SA_PHASE_INIT_SENT);
	} else if (exchange == IKE_EXCH_AUTH) {
		ike_sa_set_phase(sa, IKE_SA_PHASE_AUTH_SENT);
	}
	return rc;
}

static void
answer_error(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_exch *x,
	     const struct ike_msg *m)
{
	struct ike_out o;

	if (x->stateless || m->hdr.exchange == IKE_EXCH_SA_INIT) {
		ike_io_init_reply(ctx, &m->hdr, x->local, x->remote, x->notify, x->notify_data,
				  x->notify_data_len);
		ike_sa_free(sa);
		return;
	}
	if (ike_io_begin(ctx, sa, &o, m->hdr.exchange, true, m->hdr.msg_id) == 0 &&
	    ike_msg_build_status(&o.b, x->notify, x->notify_data, x->notify_data_len) == 0)
		ike_io_send(ctx, sa, &o);
	ike_ctx_sa_delete(ctx, sa, "exchange failed");
}

static void
answered(struct ike_ctx *ctx, struct ike_sa *sa, const struct task_list *l, struct ike_exch *x,
	 uint32_t msgid)
{
	uint8_t exchange = x->in->hdr.exchange;
	size_t i;

	if (exchange == IKE_EXCH_SA_INIT) {
		ike_sa_set_phase(sa, IKE_SA_PHASE_INIT_DONE);
		ike_sa_keep(&sa->init_local, &sa->init_local_len, sa->st.last_resp.bytes,
			    sa->st.last_resp.len);
		sa->st.msgid_recv = 1;
		sa->st.win.recv_done = 0;
	} else {
		ike_win_done(sa, msgid);        /* §2.3: the window moves */
	}
	for (i = 0; i < l->n; i++)
		if (l->t[i]->done != NULL)
			l->t[i]->done(x);
	if (x->delete_ike) {
		ike_ctx_sa_delete(ctx, sa, "deleted by the peer");
		return;
	}
	if (sa->st.phase == IKE_SA_PHASE_ESTABLISHED || sa->st.phase == IKE_SA_PHASE_REKEYING)
		ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);     /* HA: IDs, last_resp */
}

void
ike_exch_request(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_msg *m,
		 const struct ike_addr *local, const struct ike_addr *remote,
		 const uint8_t *raw, size_t raw_len)
{
	uint8_t exchange = m->hdr.exchange;
	struct task_list l = { NULL, 0 };
	struct ike_exch x;
	struct ike_out o;
	size_t i;
	int rc;

	if (ike_msgid_sync_request(ctx, sa, m))        /* RFC 6311, message ID 0 */
		return;
	exch_init(&x, ctx, sa, m, local, remote);
	x.raw = raw;
	x.raw_len = raw_len;
	if (!tasks_of(exchange, &l)) {
		/* an exchange we do not know: the IKE SA stays */
		l.n = 0;
		x.child_notify = IKE_N_INVALID_SYNTAX;
	} else if (exchange == IKE_EXCH_AUTH && sa->st.phase != IKE_SA_PHASE_INIT_DONE) {
		ike_task_fail(&x, IKE_N_INVALID_SYNTAX);
	} else if (exchange == IKE_EXCH_CREATE_CHILD_SA && sa->st.phase < IKE_SA_PHASE_ESTABLISHED) {
		ike_task_fail(&x, IKE_N_INVALID_SYNTAX);        /* §1.3: after IKE_AUTH only */
	}
	/* a task that fails sets x.notify; its return value is for logs */
	for (i = 0; x.notify == 0 && i < l.n; i++)
		if (l.t[i]->process_r != NULL)
			l.t[i]->process_r(&x);
	if (x.notify != 0) {
		answer_error(ctx, sa, &x, m);
		return;
	}
	if (exchange == IKE_EXCH_SA_INIT) {
		ike_sa_table_add(&ctx->table, sa);
		ike_cookie_half_open_add(&ctx->cookie, &sa->st.remote);
		sa->half_open = true;
		sa->half_open_deadline_ms = ike_ctx_now_ms(ctx) + IKE_CTX_HALF_OPEN_MS;
	}
	rc = ike_io_begin(ctx, sa, &o, exchange, true, m->hdr.msg_id);
	x.b = &o.b;
	for (i = 0; rc == 0 && i < l.n; i++)
		if (l.t[i]->build_r != NULL)
			rc = l.t[i]->build_r(&x);
	if (rc == 0 && l.n == 0 && x.child_notify != 0)
		rc = ike_msg_build_status(&o.b, x.child_notify, NULL, 0);
	if (rc == 0)
		rc = ike_io_send(ctx, sa, &o);
	if (rc != 0) {
		ike_sa_free(x.new_sa);  /* an IKE SA rekey's new SA, not listed yet */
		ike_ctx_sa_delete(ctx, sa, "response not built");
		return;
	}
	answered(ctx, sa, &l, &x, m->hdr.msg_id);
}

static void
response_done(struct ike_ctx *ctx, struct ike_sa *sa, const struct task_list *l,
	      struct ike_exch *x, uint8_t exchange)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->t[i]->done != NULL)
			l->t[i]->done(x);
	if (exchange == IKE_EXCH_SA_INIT) {
		ike_sa_set_phase(sa, IKE_SA_PHASE_INIT_DONE);
		if (ike_exch_initiate(ctx, sa, IKE_EXCH_AUTH) != 0)
			ike_ctx_sa_delete(ctx, sa, "IKE_AUTH not sent");
		return;
	}
	if (sa->st.phase == IKE_SA_PHASE_DELETING) {
		ike_ctx_sa_delete(ctx, sa, "deleted");
		return;
	}
	if (sa->st.phase == IKE_SA_PHASE_ESTABLISHED || sa->st.phase == IKE_SA_PHASE_REKEYING)
		ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);     /* HA: IDs, last_resp */
	ike_rekey_kick(ctx, sa);        /* queued work; may free SA */
}

void
ike_exch_response(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_msg *m,
		  const struct ike_addr *local, const struct ike_addr *remote,
		  const uint8_t *raw, size_t raw_len)
{
	uint8_t exchange = m->hdr.exchange;
	struct ike_win_req *q;
	struct task_list l;
	struct ike_exch x;
	size_t i;
	int rc = 0;

	if (ike_msgid_sync_response(ctx, sa, m))       /* RFC 6311, message ID 0 */
		return;
	exch_init(&x, ctx, sa, m, local, remote);
	x.raw = raw;
	x.raw_len = raw_len;
	q = ike_win_find(sa, m->hdr.msg_id, exchange);
	if (q == NULL)
		return;
	ike_win_take(sa, q);            /* its exchange's state back in sa (§2.3) */
	if (!tasks_of(exchange, &l))
		return;
	for (i = 0; rc == 0 && i < l.n; i++)
		if (l.t[i]->process_i != NULL)
			rc = l.t[i]->process_i(&x);
	if (x.retry) {
		if (ike_exch_initiate(ctx, sa, IKE_EXCH_SA_INIT) != 0)
			ike_ctx_sa_delete(ctx, sa, "IKE_SA_INIT retry failed");
		return;
	}
	if (rc != 0 || x.notify != 0) {
		ike_ctx_sa_delete(ctx, sa, "exchange failed");
		return;
	}
	response_done(ctx, sa, &l, &x, exchange);
}

void
ike_exch_reject(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m,
		uint16_t notify)
{
	struct ike_out o;

	if (ike_io_begin(ctx, sa, &o, m->hdr.exchange, true, m->hdr.msg_id) == 0 &&
	    ike_msg_build_status(&o.b, notify, m->error_data, m->error_data_len) == 0 &&
	    ike_io_send(ctx, sa, &o) == 0)
		ike_win_done(sa, m->hdr.msg_id);
	IKE_LOG_SA(ctx, sa, IKE_LOG_NOTICE, "msgid %u rejected with notify %u", m->hdr.msg_id,
		   notify);
	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED)
		ike_ctx_sa_delete(ctx, sa, "malformed request");
	else
		ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);     /* HA: IDs, last_resp */
}

int
ike_exch_delete(struct ike_ctx *ctx, struct ike_sa *sa)
{
	int rc;

	/* its answer ends the SA: sent once nothing else is outstanding */
	if (!ike_win_idle(sa) || ike_sa_set_phase(sa, IKE_SA_PHASE_DELETING) != 0)
		return -EBUSY;
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL);
	if (rc != 0)
		ike_ctx_sa_delete(ctx, sa, "DELETE not sent");
	return rc;
}
