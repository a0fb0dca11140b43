/* Task ike_info: the INFORMATIONAL exchange (RFC 7296 §1.4, §2.4): an
 * empty request (liveness) is answered empty; a DELETE of the IKE SA is
 * answered empty and the SA goes with its CHILD SAs (an open rekey
 * collision hands them to the new SA first, §2.8.2); a DELETE of ESP SAs
 * removes those CHILD SAs and is answered with the DELETE of our inbound
 * SAs (§1.4.1). As initiator it sends the DELETE of the IKE SA, of a CHILD
 * SA (terminated, expired or rekeyed: that one keeps its inbound SA a few
 * seconds, §2.8; or already gone here, ike_child_queue_delete) or an
 * empty liveness check (DPD). */
#include <errno.h>
#include <string.h>

#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum { IKE_INFO_REKEYED_GRACE_MS = 5000 };

/* The CHILD SA being deleted and those already gone here (§1.4.1: our
 * inbound SPIs), in one Delete payload; none: a liveness check. */
static int
build_i(struct ike_exch *x)
{
	struct ike_delete d = { .protocol = IKE_PROTO_IKE };
	struct ike_sa *sa = x->sa;
	uint8_t i;

	if (sa->st.phase == IKE_SA_PHASE_DELETING)
		return ike_msg_build_delete(x->b, &d);
	d.protocol = IKE_PROTO_ESP;
	d.spi_len = 4;
	if (sa->del_child_spi != 0)
		d.spis[d.n_spis++] = sa->del_child_spi;
	for (i = 0; i < sa->n_del_gone && d.n_spis < IKE_DELETE_SPIS_MAX; i++)
		d.spis[d.n_spis++] = sa->del_gone[i];
	sa->n_del_gone = 0;
	if (d.n_spis == 0)
		return 0;               /* liveness check: empty */
	return ike_msg_build_delete(x->b, &d);
}

static void
delete_esp(struct ike_exch *x, const struct ike_delete *d)
{
	struct ike_child *c;
	uint16_t i;

	for (i = 0; i < d->n_spis; i++) {
		c = ike_sa_child_by_spi_out(x->sa, d->spis[i]);
		if (c == NULL || x->n_del >= IKE_DELETE_SPIS_MAX)
			continue;
		x->del_spis[x->n_del++] = c->st.spi_in;
	}
}

static int
process_r(struct ike_exch *x)
{
	const struct ike_msg *m = x->in;
	uint8_t i;

	ike_win_peer_notify(x->sa, m);  /* §2.3: a window may grow later */
	for (i = 0; i < m->n_delete; i++) {
		if (m->del[i].protocol == IKE_PROTO_IKE)
			x->delete_ike = true;
		else if (m->del[i].protocol == IKE_PROTO_ESP)
			delete_esp(x, &m->del[i]);
	}
	if (x->delete_ike)
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_INFO, "DELETE of the IKE SA received");
	return 0;
}

static int
build_r(struct ike_exch *x)
{
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_len = 4 };

	if (x->delete_ike || x->n_del == 0)
		return 0;
	d.n_spis = x->n_del;
	memcpy(d.spis, x->del_spis, sizeof(d.spis[0]) * x->n_del);
	return ike_msg_build_delete(x->b, &d);
}

static struct ike_child *
child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->st.spi_in == spi)
			return c;
	return NULL;
}

/* Our DELETE of a CHILD SA was answered: it goes (whatever the peer
 * listed, §1.4.1 lets it have deleted its side already); one we rekeyed
 * keeps its inbound SA a moment for ESP still in flight (§2.8, like
 * strongSwan's delete_rekeyed_delay). */
static int
process_i(struct ike_exch *x)
{
	struct ike_child *c;

	if (x->sa->del_child_spi == 0)
		return 0;
	c = child_by_spi_in(x->sa, x->sa->del_child_spi);
	x->sa->del_child_spi = 0;
	if (c != NULL && c->st.rekey == IKE_CHILD_REKEY_REKEYED)
		c->expire_ms = ike_ctx_now_ms(x->ctx) + IKE_INFO_REKEYED_GRACE_MS;
	else if (c != NULL)
		ike_ctx_child_remove(x->ctx, x->sa, c);
	return 0;
}

static void
done(struct ike_exch *x)
{
	struct ike_child *c;
	uint16_t i;

	if (x->delete_ike)              /* a rekey collision still open: §2.8.2 */
		ike_rekey_ike_gone(x->ctx, x->sa);
	for (i = 0; i < x->n_del; i++) {
		c = child_by_spi_in(x->sa, x->del_spis[i]);
		if (c == NULL)
			continue;
		ike_rekey_child_gone(x->ctx, x->sa, c);
		ike_ctx_child_remove(x->ctx, x->sa, c);
	}
}

const struct ike_task ike_task_info = {
	.name = "ike_info",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
	.done = done,
};
