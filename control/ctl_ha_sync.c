/*
 * What the two appliances keep in sync (README "HA design: what is synced
 * when"), as records of the HA stream (ha/ha_wire.h):
 *   IKE SA up or changed  HA_REC_IKE_SA, the serialized ike_sa_state, at
 *                         once: message IDs and the last response move with
 *                         every exchange, and the standby must answer the
 *                         client's next request (or its retransmission)
 *   IKE SA gone           HA_REC_IKE_SA_DEL
 *   CHILD SA installed    HA_REC_IKE_SA of its IKE SA (message IDs), then
 *                         HA_REC_CHILD; the standby installs it inactive
 *   CHILD SA removed      HA_REC_CHILD_DEL
 *   every sync interval   HA_REC_SEQ_BRIEF (HA_REC_SEQ to an older peer):
 *                         outbound counters (with the measured
 *                         rate behind the takeover margin) and inbound
 *                         windows of the SAs that moved since the last one
 *                         (ctl_ha_seq.c)
 *   new session           bulk sync: all of the above, between BULK_BEGIN
 *                         and BULK_END; the standby then forgets the IKE SAs
 *                         the bulk sync did not carry (stale ones)
 * The active writes; the standby applies (ctl_ha_record).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/sa.h"
#include "ike/ike_ctx.h"
#include "ike/ike_ha.h"
#include "ike/ike_state.h"
#include "ike/ike_state_ser.h"

enum {
	BULK_SLICE = 128,		/* IKE SAs a bulk sync writes per pass (~1 ms) */
	BULK_AHEAD = 4u << 20,		/* stream bytes a bulk sync keeps unacknowledged */
	BULK_SEQ_SLICE = 512,		/* IKE SAs whose CHILD SAs' sequence entries a
					 * bulk sync writes per pass (~1 ms) */
	WIN_BITS = 32,			/* inbound window bits shipped below the top */
	SEQ_CHUNK = CTL_IKE_SA_IDS_BULK,	/* entries applied together */
};

static bool
may_write(const struct ctl_ha *ha)
{
	return ha_node_role(&ha->node) == HA_ROLE_ACTIVE && ha_chan_up(&ha->node.chan);
}

/* ---- IKE state ---- */

static int
write_sa(struct ctl_ha *ha, const struct ike_sa_state *sa)
{
	ssize_t n = ike_sa_state_serialize(sa, ha->buf, HA_WIRE_REC_MAX);

	if (n < 0)
		return (int)n;
	return ha_write(&ha->node, HA_REC_IKE_SA, ha->buf, (uint32_t)n);
}

static int
write_child(struct ctl_ha *ha, const struct ike_child_state *c)
{
	ssize_t n = ike_child_state_serialize(c, ha->buf, HA_WIRE_REC_MAX);

	if (n < 0)
		return (int)n;
	return ha_write(&ha->node, HA_REC_CHILD, ha->buf, (uint32_t)n);
}

static int
write_id(struct ctl_ha *ha, uint16_t type, uint64_t id)
{
	uint8_t v[sizeof(uint64_t)];

	for (unsigned int i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)(id >> (56 - 8 * i));
	return ha_write(&ha->node, type, v, sizeof(v));
}

static uint64_t
read_id(const uint8_t *v)
{
	uint64_t id = 0;

	for (unsigned int i = 0; i < sizeof(id); i++)
		id = id << 8 | v[i];
	return id;
}

void
ctl_ha_ike_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *sa,
		 const struct ike_child_state *child)
{
	struct ctl_ha *ha = arg;
	int rc = 0;

	if (!may_write(ha)) {
		ha->events_dropped += ha_node_role(&ha->node) == HA_ROLE_ACTIVE;
		return;
	}
	switch (ev) {
	case IKE_EV_SA_UP:
	case IKE_EV_SA_UPDATE:
		rc = write_sa(ha, sa);
		break;
	case IKE_EV_SA_DOWN:
		rc = write_id(ha, HA_REC_IKE_SA_DEL, sa->id);
		break;
	case IKE_EV_CHILD_UP:
		rc = write_sa(ha, sa);
		if (rc == 0)
			rc = write_child(ha, child);
		break;
	case IKE_EV_CHILD_DOWN:
		rc = write_id(ha, HA_REC_CHILD_DEL, child->id);
		break;
	}
	if (rc < 0)
		CTL_LOG(WARNING, "IKE SA %" PRIu64 ": not synced: %s", sa->id, strerror(-rc));
}

/* ---- sequence state ---- */

/* The sequence entries (ctl_ha_seq.c) go out as records of their type. */
static int
seq_emit(void *arg, uint16_t type, const uint8_t *entries, uint32_t len)
{
	struct ctl_ha *ha = arg;

	return ha_write(&ha->node, type, entries, len);
}

void
ctl_ha_sync_tick(void *arg)
{
	struct ctl_ha *ha = arg;

	if (may_write(ha))
		ctl_ha_seq_write(ha, seq_emit, ha);
}

/* ---- bulk sync (active) ---- */

struct bulk {
	struct ctl_ha *ha;
	uint32_t n_ike, n_child;
	int rc;
};

static int
bulk_child(const struct ike_child_state *c, void *arg)
{
	struct bulk *b = arg;

	b->rc = write_child(b->ha, c);
	b->n_child += b->rc == 0;
	return b->rc;
}

static int
bulk_sa(const struct ike_sa_state *sa, void *arg)
{
	struct bulk *b = arg;

	if (sa->phase < IKE_SA_PHASE_ESTABLISHED || sa->phase == IKE_SA_PHASE_DEAD)
		return 0;		/* half-open: the client will retry it */
	b->rc = write_sa(b->ha, sa);
	if (b->rc < 0)
		return b->rc;
	b->n_ike++;
	return ike_child_foreach(b->ha->h->ike->ctx, sa->id, bulk_child, b);
}

void
ctl_ha_bulk_tx_stop(struct ctl_ha *ha)
{
	free(ha->bulk_tx.ids);
	memset(&ha->bulk_tx, 0, sizeof(ha->bulk_tx));
}

static int
collect_id(const struct ike_sa_state *sa, void *arg)
{
	struct ctl_ha_bulk_tx *t = arg;

	if (sa->phase < IKE_SA_PHASE_ESTABLISHED || sa->phase == IKE_SA_PHASE_DEAD)
		return 0;
	t->ids[t->n++] = sa->id;
	return 0;
}

void
ctl_ha_bulk_request(void *arg)
{
	struct ctl_ha *ha = arg;
	struct ctl_ha_bulk_tx *t = &ha->bulk_tx;
	unsigned int n_sa = ha->h->ike != NULL ? ike_sa_count(ha->h->ike->ctx) : 0;

	ctl_ha_bulk_tx_stop(ha);	/* a new session: start over */
	t->ids = malloc((n_sa + 1) * sizeof(t->ids[0]));
	if (t->ids == NULL) {
		CTL_LOG(WARNING, "bulk sync postponed: %s", strerror(ENOMEM));
		ha_bulk_abort(&ha->node);
		return;
	}
	if (ha_bulk_begin(&ha->node) < 0 || !ha->node.bulk_writing) {
		ctl_ha_bulk_tx_stop(ha);
		return;
	}
	if (n_sa != 0)
		ike_sa_foreach(ha->h->ike->ctx, collect_id, t);
	t->active = true;
	ctl_ha_bulk_step(ha);
}

/* The slice's IKE SAs (and their CHILD SAs): 0 or a write error. */
static int
bulk_slice(struct ctl_ha *ha)
{
	struct ctl_ha_bulk_tx *t = &ha->bulk_tx;
	size_t end = t->next + BULK_SLICE < t->n ? t->next + BULK_SLICE : t->n;
	struct bulk b = { .ha = ha };

	for (; t->next < end && b.rc == 0; t->next++)
		ike_sa_visit(ha->h->ike->ctx, t->ids[t->next], bulk_sa, &b);	/* gone: skip */
	t->n_ike += b.n_ike;
	t->n_child += b.n_child;
	return b.rc;
}

/* The CHILD SA ids of an IKE SA, appended to a seq_slice. */
struct seq_slice {
	unsigned int n;
	uint64_t ids[BULK_SEQ_SLICE * IKE_STATE_CHILDREN_MAX];
};

static int
collect_children(const struct ike_sa_state *sa, void *arg)
{
	struct seq_slice *s = arg;

	for (uint16_t i = 0; i < sa->n_children && i < IKE_STATE_CHILDREN_MAX; i++)
		s->ids[s->n++] = sa->child_ids[i];
	return 0;
}

/* The slice's IKE SAs' CHILD SAs' sequence entries. After the records:
 * the standby applies an entry to a CHILD SA it holds, and the entries
 * are as fresh at BULK_END as one pass over every SA would make them
 * (that pass took ~300 ms at 200,000 SAs, longer than the failure
 * detection). */
static int
bulk_seq_slice(struct ctl_ha *ha)
{
	struct ctl_ha_bulk_tx *t = &ha->bulk_tx;
	size_t end = t->seq_next + BULK_SEQ_SLICE < t->n ? t->seq_next + BULK_SEQ_SLICE : t->n;
	static struct seq_slice s;	/* 128 KiB: the control core's, one at a time */

	s.n = 0;
	for (; t->seq_next < end; t->seq_next++)
		ike_sa_visit(ha->h->ike->ctx, t->ids[t->seq_next], collect_children, &s);
	return ctl_ha_seq_write_children(ha, s.ids, s.n, seq_emit, ha);
}

bool
ctl_ha_bulk_step(struct ctl_ha *ha)
{
	struct ctl_ha_bulk_tx *t = &ha->bulk_tx;
	int rc = 0;

	if (!t->active)
		return false;
	if (!ha->node.bulk_writing) {		/* session down, role change, stream full */
		ctl_ha_bulk_tx_stop(ha);
		return false;
	}
	if (ha_stream_unacked(&ha->node.stream) > BULK_AHEAD)
		return false;
	if (t->next < t->n) {
		rc = bulk_slice(ha);
		if (rc == 0)
			return true;
	} else if (t->seq_next < t->n) {
		rc = bulk_seq_slice(ha);
		if (rc == 0 && t->seq_next < t->n)
			return true;
	}
	if (rc == 0)
		rc = ctl_ha_seq_write_static(ha, seq_emit, ha);
	if (rc == 0)
		rc = ha_bulk_end(&ha->node, t->n_ike, t->n_child);
	if (rc < 0) {
		CTL_LOG(WARNING, "bulk sync incomplete: %s", strerror(-rc));
		ha_bulk_abort(&ha->node);
	} else {
		CTL_LOG(NOTICE, "bulk sync: %u IKE SAs, %u CHILD SAs", t->n_ike, t->n_child);
	}
	ctl_ha_bulk_tx_stop(ha);
	return true;
}

/* ---- applying records (standby) ---- */

static int
apply_sa(struct ctl_ha *ha, const uint8_t *v, uint32_t len)
{
	int rc = ike_sa_state_deserialize(v, len, ha->sa_scratch);

	if (rc == 0)
		rc = ike_ha_import_sa_take(ha->h->ike->ctx, ha->sa_scratch);
	if (rc == 0 && ha->in_bulk)
		rc = ctl_ha_bulk_seen(ha, ha->sa_scratch->id);
	return rc;	/* the scratch is overwritten by the next record, wiped when freed */
}

static int
apply_child(struct ctl_ha *ha, const uint8_t *v, uint32_t len)
{
	int rc = ike_child_state_deserialize(v, len, ha->child_scratch);

	if (rc == 0)
		rc = ike_ha_import_child(ha->h->ike->ctx, ha->child_scratch);
	if (rc == 0 && ha->in_bulk)
		rc = ctl_ha_bulk_seen_child(ha, ha->child_scratch->id);
	return rc;
}

/* The standby's SAD id of a static SA's entry; false if it has none. */
static bool
seq_target_static(struct ctl_ha *ha, const struct ha_wire_seq *w, uint32_t *sa_id)
{
	for (uint32_t i = 0; i < ha->n_static; i++) {
		struct dp_sa *sa = dp_sad_get(ha->h->dp.sad, ha->static_ids[i]);

		if (sa != NULL && sa->p.spi == w->spi && (uint8_t)sa->p.dir == w->dir) {
			*sa_id = sa->id;
			return true;
		}
	}
	return false;
}

/* The standby's SAD ids of N entries (OK[i] false for none): the CHILD
 * SAs' in one bulk lookup, whose misses overlap. */
static void
seq_targets(struct ctl_ha *ha, const struct ha_wire_seq *w, bool *ok, uint32_t *id,
	    uint32_t n)
{
	uint64_t child[SEQ_CHUNK], packed[SEQ_CHUNK];
	uint32_t at[SEQ_CHUNK], k = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (ok[i] && w[i].child_id == 0)
			ok[i] = seq_target_static(ha, &w[i], &id[i]);
		else if (ok[i] && ha->h->ike == NULL)
			ok[i] = false;
		else if (ok[i]) {
			child[k] = w[i].child_id;
			at[k++] = i;
		}
	}
	if (k == 0)
		return;
	ctl_ike_child_sa_ids(&ha->h->ike->children, child, k, packed);
	for (uint32_t j = 0; j < k; j++)
		ok[at[j]] = ctl_ike_child_packed_sa(packed[j], (enum dp_sa_dir)w[at[j]].dir,
						    &id[at[j]]);
}

/*
 * A shipped entry into its SA (ID, from the CHILD SA table or the static
 * SAs). An outbound entry goes into the SAD's dense counter line, without
 * touching the SA (dp_sad_out). The inbound window comes as its top and
 * which of the WIN_BITS numbers below it were seen; every older number is
 * closed (dp_replay_import_brief): closing one costs at most a late,
 * reordered packet, opening one could admit a replay.
 */
static int
apply_seq_one(struct ctl_ha *ha, const struct ha_wire_seq *w, uint32_t id)
{
	struct dp_sad *sad = ha->h->dp.sad;
	struct dp_sa_seq_brief b = {
		.out_seq = w->out_seq, .epoch_start_seq = w->epoch_start_seq,
		.iv_epoch = w->iv_epoch, .win_top = w->win_top, .win_seen = w->win_bits,
	};
	struct dp_sa *sa = dp_sad_get(sad, id);

	if (sa == NULL)
		return -ENOENT;		/* its CHILD record comes first; a race with a delete */
	if (id < ha->n_seq) {
		ha->seq[id].rate_pps = w->rate_pps;
		ha->seq[id].sampled = false;	/* as shipped: not decayed here */
	}
	if (w->dir == DP_SA_OUTBOUND) {
		dp_sa_out_import(dp_sad_out(sad, id), &b);
		return 0;
	}
	if (sa->p.spi != w->spi || sa->p.dir != DP_SA_INBOUND)
		return -ENOENT;
	return dp_sa_seq_import_brief(sa, &b, WIN_BITS);
}

/* Prefetches what applying entry W to SA ID will touch. */
static void
apply_seq_prefetch(struct ctl_ha *ha, const struct ha_wire_seq *w, uint32_t id)
{
	struct dp_sad *sad = ha->h->dp.sad;

	if (id < ha->n_seq)
		rte_prefetch0(&ha->seq[id]);
	if (w->dir == DP_SA_OUTBOUND) {
		dp_sad_prefetch_seq(sad, id);
	} else {
		const struct dp_sa *sa = dp_sad_get(sad, id);

		if (sa != NULL)
			dp_sa_prefetch_win(sa);
	}
}

/*
 * Up to SEQ_CHUNK entries in three passes: decode and look up all (one
 * bulk lookup), prefetch what applying each touches, apply: each entry's
 * misses (table, counter line or window, rate) overlap the others'
 * instead of following one another. Returns the entries refused.
 */
static uint32_t
apply_seq_chunk(struct ctl_ha *ha, const uint8_t *v, uint32_t n, bool brief)
{
	struct ha_wire_seq w[SEQ_CHUNK];
	uint32_t id[SEQ_CHUNK], bad = 0;
	bool ok[SEQ_CHUNK];

	for (uint32_t i = 0; i < n; i++)
		ok[i] = brief ? ha_wire_seq_brief_decode(v + i * HA_WIRE_SEQ_BRIEF_LEN,
							 HA_WIRE_SEQ_BRIEF_LEN, &w[i]) == 0
			      : ha_wire_seq_decode(v + i * HA_WIRE_SEQ_LEN, HA_WIRE_SEQ_LEN,
						   &w[i]) == 0;
	seq_targets(ha, w, ok, id, n);
	for (uint32_t i = 0; i < n; i++)
		if (ok[i])
			apply_seq_prefetch(ha, &w[i], id[i]);
	for (uint32_t i = 0; i < n; i++) {
		if (!ok[i] || apply_seq_one(ha, &w[i], id[i]) < 0)
			bad++;
		else
			ha->seq_entries_applied++;
	}
	return bad;
}

/* A HA_REC_SEQ record (entries of HA_WIRE_SEQ_LEN) or, BRIEF, a
 * HA_REC_SEQ_BRIEF one (HA_WIRE_SEQ_BRIEF_LEN). */
static int
apply_seq(struct ctl_ha *ha, const uint8_t *v, uint32_t len, bool brief)
{
	uint32_t size = brief ? HA_WIRE_SEQ_BRIEF_LEN : HA_WIRE_SEQ_LEN;
	uint32_t n = len / size, bad = 0;

	if (len % size != 0)
		return -EBADMSG;
	for (uint32_t off = 0; off < n; off += SEQ_CHUNK)
		bad += apply_seq_chunk(ha, v + off * size,
				       n - off < SEQ_CHUNK ? n - off : SEQ_CHUNK, brief);
	return bad == 0 ? 0 : -ENOENT;
}

static int
apply(struct ctl_ha *ha, uint16_t type, const uint8_t *v, uint32_t len)
{
	bool ike = ha->h->ike != NULL;

	switch (type) {
	case HA_REC_BULK_BEGIN:
		return ctl_ha_bulk_begin(ha);
	case HA_REC_BULK_END:
		return ctl_ha_bulk_end(ha);
	case HA_REC_IKE_SA:
		return ike ? apply_sa(ha, v, len) : -ENOTSUP;
	case HA_REC_CHILD:
		return ike ? apply_child(ha, v, len) : -ENOTSUP;
	case HA_REC_IKE_SA_DEL:
		return !ike ? -ENOTSUP : len != 8 ? -EBADMSG :
			ike_ha_forget_sa(ha->h->ike->ctx, read_id(v));
	case HA_REC_CHILD_DEL:
		return !ike ? -ENOTSUP : len != 8 ? -EBADMSG :
			ike_ha_forget_child(ha->h->ike->ctx, read_id(v));
	case HA_REC_SEQ:
		return apply_seq(ha, v, len, false);
	case HA_REC_SEQ_BRIEF:
		return apply_seq(ha, v, len, true);
	default:
		return -EBADMSG;
	}
}

int
ctl_ha_record(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct ctl_ha *ha = arg;
	int rc = apply(ha, type, value, len);

	if (rc < 0) {
		ha->records_failed++;
		CTL_LOG(DEBUG, "record type %u (%u octets): %s", type, len, strerror(-rc));
	} else {
		ha->records_applied++;
	}
	return rc;
}
