/*
 * The standby's side of a bulk sync (ctl_ha.h): a bulk sync carries every
 * IKE SA the active holds, so an IKE SA the standby holds and the bulk
 * sync did not carry is stale (deleted while the link was down, or made
 * by this appliance during a split brain it lost) and is forgotten at
 * BULK_END, with its CHILD SAs; so is a CHILD SA of a kept IKE SA that
 * the bulk sync did not carry (deleted while the sync link was down: kept,
 * it would be activated at the next takeover).
 *
 * A standby that held no IKE SA when the bulk sync began (a restart, the
 * rejoin that is timed) holds only what records of the bulk sync's time
 * made, each of them carried: nothing can be stale, and the scan is
 * skipped. At 100,000 SAs the sort and the scan took ~100 ms in one pass
 * of the control loop, as long as the active's failure detection, which
 * then took the silent standby for dead and started the bulk sync again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "ike/ike_ctx.h"
#include "ike/ike_ha.h"

enum { BULK_IDS_MIN = 1024 };

static int
ids_push(uint64_t **ids, size_t *n, size_t *cap, uint64_t id)
{
	if (*n == *cap) {
		size_t cap2 = *cap == 0 ? BULK_IDS_MIN : *cap * 2;
		uint64_t *p = realloc(*ids, cap2 * sizeof(**ids));

		if (p == NULL)
			return -ENOMEM;
		*ids = p;
		*cap = cap2;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
ctl_ha_bulk_begin(struct ctl_ha *ha)
{
	ha->in_bulk = true;
	ha->bulk_from_empty = ha->h->ike == NULL || ike_sa_count(ha->h->ike->ctx) == 0;
	ha->bulk_n = 0;
	ha->bulk_child_n = 0;
	ha->bulk_rx = (struct ctl_ha_bulk_rx_info){
		.session_ms = ha->node.session_up_ms,
		.begin_ms = dp_now_ms(),
	};
	return 0;
}

int
ctl_ha_bulk_seen_child(struct ctl_ha *ha, uint64_t child_id)
{
	if (ha->bulk_from_empty) {
		ha->bulk_child_n++;
		return 0;
	}
	return ids_push(&ha->bulk_child_ids, &ha->bulk_child_n, &ha->bulk_child_cap, child_id);
}

int
ctl_ha_bulk_seen(struct ctl_ha *ha, uint64_t ike_sa_id)
{
	if (ha->bulk_from_empty) {
		ha->bulk_n++;
		return 0;
	}
	return ids_push(&ha->bulk_ids, &ha->bulk_n, &ha->bulk_cap, ike_sa_id);
}

struct stale {
	const struct ctl_ha *ha;
	uint64_t *ids;			/* IKE SAs to forget */
	size_t n, cap;
	uint64_t *child_ids;		/* CHILD SAs to forget */
	size_t child_n, child_cap;
};

static bool
carried(const uint64_t *ids, size_t n, uint64_t id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(uint64_t), id_cmp) != NULL;
}

static int
stale_child(const struct ike_child_state *c, void *arg)
{
	struct stale *s = arg;

	if (carried(s->ha->bulk_child_ids, s->ha->bulk_child_n, c->id))
		return 0;
	return ids_push(&s->child_ids, &s->child_n, &s->child_cap, c->id);
}

static int
stale_collect(const struct ike_sa_state *sa, void *arg)
{
	struct stale *s = arg;

	if (carried(s->ha->bulk_ids, s->ha->bulk_n, sa->id))
		return ike_child_foreach(s->ha->h->ike->ctx, sa->id, stale_child, s);
	return ids_push(&s->ids, &s->n, &s->cap, sa->id);
}

static int
stale_scan(struct ctl_ha *ha, struct stale *s)
{
	if (ha->bulk_n > 0)
		qsort(ha->bulk_ids, ha->bulk_n, sizeof(uint64_t), id_cmp);
	if (ha->bulk_child_n > 0)
		qsort(ha->bulk_child_ids, ha->bulk_child_n, sizeof(uint64_t), id_cmp);
	return ike_sa_foreach(ha->h->ike->ctx, stale_collect, s);
}

int
ctl_ha_bulk_end(struct ctl_ha *ha)
{
	struct stale s = { .ha = ha };
	int rc = 0;

	if (!ha->in_bulk)
		return -EPROTO;
	ha->in_bulk = false;
	if (ha->h->ike == NULL)
		return 0;
	if (!ha->bulk_from_empty)
		rc = stale_scan(ha, &s);
	for (size_t i = 0; i < s.child_n; i++)
		ike_ha_forget_child(ha->h->ike->ctx, s.child_ids[i]);
	for (size_t i = 0; i < s.n; i++)
		ike_ha_forget_sa(ha->h->ike->ctx, s.ids[i]);
	if (s.n + s.child_n > 0)
		CTL_LOG(NOTICE, "bulk sync: forgot %zu stale IKE SAs, %zu stale CHILD SAs", s.n,
			s.child_n);
	ha->bulk_rx.end_ms = dp_now_ms();
	ha->bulk_rx.ike_sas = ha->bulk_n;
	ha->bulk_rx.child_sas = ha->bulk_child_n;
	CTL_LOG(NOTICE, "bulk sync received: %zu IKE SAs, %zu CHILD SAs in %" PRIu64 " ms "
		"(%" PRIu64 " ms from the session up)", ha->bulk_n, ha->bulk_child_n,
		ha->bulk_rx.end_ms - ha->bulk_rx.begin_ms,
		ha->bulk_rx.end_ms - ha->bulk_rx.session_ms);
	free(s.ids);
	free(s.child_ids);
	return rc;
}
