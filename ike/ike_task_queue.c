/* Work waiting for room in the peer's message ID window (RFC 7296 §2.3):
 * additional CHILD SAs (§1.3.1), CHILD SA rekeys (§1.3.3) beyond the one
 * ike_task_rekey.c keeps pending, and DELETEs of CHILD SAs (§1.4.1) asked
 * for while as many requests of ours as the peer allows are outstanding;
 * started in order, as many as there is room for, whenever a response
 * frees a place (ike_rekey_kick). Local to this appliance: HA drops it
 * with the exchanges of the old active. */
#include <errno.h>
#include <stdlib.h>

#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum { IKE_QUEUE_MAX = 64 };            /* entries per IKE SA */

struct ike_queued {
	uint8_t kind;                   /* enum ike_queue_kind */
	uint64_t child_id;              /* REKEY, DELETE */
	const struct ike_conf_child *conf;      /* NEW */
	struct ike_queued *next;
};

static bool
same(const struct ike_queued *q, uint8_t kind, uint64_t child_id)
{
	return q->kind == kind && kind != IKE_QUEUE_CHILD_NEW && q->child_id == child_id;
}

int
ike_queue_add(struct ike_sa *sa, uint8_t kind, uint64_t child_id,
	      const struct ike_conf_child *conf)
{
	struct ike_queued **pp, *q;
	unsigned int n = 0;

	for (pp = &sa->queued; *pp != NULL; pp = &(*pp)->next, n++)
		if (same(*pp, kind, child_id))
			return 0;               /* asked for already */
	if (n >= IKE_QUEUE_MAX)
		return -ENOSPC;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	q->kind = kind;
	q->child_id = child_id;
	q->conf = conf;
	*pp = q;
	return 0;
}

bool
ike_queue_has(const struct ike_sa *sa, uint8_t kind, uint64_t child_id)
{
	const struct ike_queued *q;

	for (q = sa->queued; q != NULL; q = q->next)
		if (same(q, kind, child_id))
			return true;
	return false;
}

void
ike_queue_clear(struct ike_sa *sa)
{
	struct ike_queued *q, *n;

	for (q = sa->queued; q != NULL; q = n) {
		n = q->next;
		free(q);
	}
	sa->queued = NULL;
}

static void
start(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_queued *q)
{
	struct ike_child *c = ike_child_by_id(sa, q->child_id);
	int rc = -ENOENT;

	switch (q->kind) {
	case IKE_QUEUE_CHILD_NEW:
		rc = ike_rekey_child_add(ctx, sa, q->conf);
		break;
	case IKE_QUEUE_CHILD_REKEY:
		rc = c != NULL ? ike_rekey_child_start(ctx, sa, c) : rc;
		break;
	case IKE_QUEUE_CHILD_DELETE:
		rc = c != NULL ? ike_queue_child_delete(ctx, sa, c) : rc;
		break;
	default:
		break;
	}
	if (rc != 0)
		IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "queued work %u (CHILD SA %" PRIu64 ") "
			   "dropped: %d", q->kind, q->child_id, rc);
}

void
ike_queue_run(struct ike_ctx *ctx, struct ike_sa *sa)
{
	struct ike_queued *q;

	while ((q = sa->queued) != NULL && ike_win_can_send(sa) &&
	       sa->st.phase == IKE_SA_PHASE_ESTABLISHED && !sa->rekeyed) {
		sa->queued = q->next;
		start(ctx, sa, q);
		free(q);
	}
}

/* Is a DELETE of C outstanding? */
static bool
delete_sent(const struct ike_sa *sa, const struct ike_child *c)
{
	const struct ike_win_req *q;

	for (q = sa->out; q != NULL; q = q->next)
		if (q->exchange == IKE_EXCH_INFORMATIONAL && q->del_child_spi == c->st.spi_in)
			return true;
	return false;
}

int
ike_queue_child_delete(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	int rc;

	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED || delete_sent(sa, c) ||
	    ike_queue_has(sa, IKE_QUEUE_CHILD_DELETE, c->st.id))
		return -EBUSY;
	if (!ike_win_can_send(sa))
		return ike_queue_add(sa, IKE_QUEUE_CHILD_DELETE, c->st.id, NULL);
	sa->del_child_spi = c->st.spi_in;
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_INFORMATIONAL);
	if (rc != 0)
		sa->del_child_spi = 0;
	return rc;
}
