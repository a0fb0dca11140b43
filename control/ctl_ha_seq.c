/*
 * The sequence state the active ships (ctl_ha_sync.c header): sequence
 * entries with the outbound counters (RFC 4303 §3.3.3), the rate behind
 * the takeover margin (ctl_ha_takeover.c), and the inbound windows (RFC
 * 4303 §3.4.3) of the SAs that moved since the last sync tick; of every SA
 * for a bulk sync. In HA_REC_SEQ_BRIEF records of 32-octet entries when
 * the peer announced HA_CAP_SEQ_BRIEF (an entry the brief form cannot hold
 * goes alone in a HA_REC_SEQ record), else HA_REC_SEQ records of 48.
 *
 * Which SAs a tick visits. The workers mark an SA in the SAD's moved
 * bitmap after each burst that moved its counter or window (sa.h); a tick
 * takes the marks (dp_sad_moved_take) and visits the SAs marked in this
 * collection and in the one before, so the cost follows the SAs that
 * moved, not the SAs that exist. Why the second visit: a worker stores
 * the new counter or window, then loads the mark word and ORs its bit in
 * only if it is clear. On x86 that load may be served before the store
 * leaves the store buffer, so a worker can find its bit still set just as
 * this core takes it and skip the OR, while this core's read of the SA,
 * right after the take, does not yet see the store; nothing would mark the
 * SA again until its next burst, which may never come. Such a store was
 * made before the take (the worker's load read the word before the
 * exchange), and one sync interval later it is visible (a store buffer
 * drains in well under a microsecond; C11 7.17.3: atomic stores become
 * visible to atomic loads "within a reasonable amount of time"), so the
 * visit at the next tick reads it. A worker whose load comes after the
 * take finds the bit clear and ORs it in with release order; the take
 * that collects it (acquire) makes the burst's stores visible. So every
 * movement is shipped at the latest by the tick after the one that
 * collected its mark.
 *
 * The rate. The active used to sample every outbound SA at every tick:
 * rate = max(packets/s since the previous tick, rate - rate/8), a peak
 * hold that decays by 1/8 per tick (and 1/256 for the slow one used after
 * a split brain). Now an SA is sampled when it is visited. An SA that was
 * not visited did not move between its last sample and the previous
 * collection: had it, that collection would have held its mark and the
 * tick would have sampled it. So what the old sampling did meanwhile is
 * known exactly: one decay per tick with nothing sent. rate_sample()
 * applies those decays (the collections since the SA's last sample), then
 * takes the maximum with the packets since the last sample over the time
 * since the later of the last sample and the previous collection: no
 * longer than the time the old rule divided by, so the rate is never below
 * the old rule's. An SA that is not visited keeps its last rate;
 * ctl_ha_seq_rate() applies the decays due since, which is the old rule's
 * value (the standby's rates are as shipped, never decayed there, as
 * before).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "dataplane/dp.h"
#include "dataplane/sa.h"
#include "ha/ha_wire.h"

enum {
	SEQ_BATCH = 1024,		/* sequence entries per record */
	SEQ_PREFETCH = 32,		/* marked SAs whose lines are prefetched at once */
	WIN_BITS = 32,			/* inbound window bits shipped below the top */
	RATE_DECAY_SHIFT = 3,		/* peak-hold rate decays by 1/8 per interval */
	RATE_SLOW_DECAY_SHIFT = 8,	/* the slow one by 1/256: ~9 s half-life at 50 ms */
	HA_MS_PER_S = 1000,
};

_Static_assert(SEQ_BATCH * HA_WIRE_SEQ_LEN <= HA_WIRE_REC_MAX, "a batch fits one record");

struct seq_batch {
	struct ctl_ha *ha;
	ctl_ha_seq_emit_fn emit;
	void *arg;
	bool brief;			/* HA_REC_SEQ_BRIEF: the peer takes it */
	bool all;			/* bulk: every SA, moved or not */
	uint64_t now_ms;
	uint64_t from_ms;		/* the collection before this one (0: none) */
	uint32_t n;
	int rc;
};

static uint32_t
decay(uint32_t x, unsigned int shift, uint64_t steps)
{
	for (; steps > 0 && x >> shift != 0; steps--)
		x -= x >> shift;
	return x;
}

uint32_t
ctl_ha_seq_rate(const struct ctl_ha *ha, uint32_t sa_id, bool slow)
{
	const struct ctl_ha_sa_seq *q;
	uint64_t steps;

	if (sa_id >= ha->n_seq)
		return 0;
	q = &ha->seq[sa_id];
	steps = q->sampled ? ha->seq_ticks - q->last_tick : 0;
	return slow ? decay(q->rate_slow_pps, RATE_SLOW_DECAY_SHIFT, steps) :
		      decay(q->rate_pps, RATE_DECAY_SHIFT, steps);
}

/* Peak-hold outbound rate (header comment): a burst right before a
 * failure is what the margin must cover, so the rate falls only slowly
 * after one. A window too short to measure (a second tick within the same
 * millisecond) keeps the packets for the next sample. */
static void
rate_sample(const struct seq_batch *b, struct ctl_ha_sa_seq *q, uint64_t seq)
{
	uint64_t steps = b->ha->seq_ticks - q->last_tick;
	uint64_t from = RTE_MAX(q->last_ms, b->from_ms);
	uint64_t d, r;

	q->rate_pps = decay(q->rate_pps, RATE_DECAY_SHIFT, steps);
	q->rate_slow_pps = decay(q->rate_slow_pps, RATE_SLOW_DECAY_SHIFT, steps);
	q->last_tick = b->ha->seq_ticks;
	if (seq < q->last_seq) {
		q->last_seq = seq;
		q->last_ms = b->now_ms;
		return;
	}
	if (b->now_ms <= from)
		return;
	d = seq - q->last_seq;
	r = d > UINT64_MAX / HA_MS_PER_S ? UINT64_MAX : d * HA_MS_PER_S / (b->now_ms - from);
	q->rate_pps = (uint32_t)RTE_MIN(RTE_MAX(r, (uint64_t)q->rate_pps), UINT32_MAX);
	q->rate_slow_pps = (uint32_t)RTE_MIN(RTE_MAX(r, (uint64_t)q->rate_slow_pps), UINT32_MAX);
	q->last_seq = seq;
	q->last_ms = b->now_ms;
}

/* The first visit of the SA now at this id (or of one the standby
 * imported): its numbers count from where its IV epoch began (0 for a new
 * SA, the margin's end after a takeover), since it was added or this node
 * took over. Rates stay: a shipped rate or an older one is only larger.
 * Its SPI and direction are kept here, so that later visits read the
 * SAD's dense counter line only (dp_sad_out, dp_sa_out_brief), not the SA. */
static void
seq_rebase(const struct seq_batch *b, struct ctl_ha_sa_seq *q, const struct dp_sa *sa,
	   uint64_t child_id)
{
	struct dp_sa_seq_brief st;

	dp_sa_seq_brief(sa, WIN_BITS, &st);
	q->child_id = child_id;
	q->spi = sa->p.spi;
	q->dir = (uint8_t)sa->p.dir;
	q->sampled = true;
	q->sent = false;
	q->last_tick = b->ha->seq_ticks;
	q->last_seq = st.epoch_start_seq;
	q->last_ms = RTE_MAX(sa->created_ms, b->ha->takeover.at_ms);
}

/* One record of N entries; the first error is kept. */
static void
batch_emit(struct seq_batch *b, uint16_t type, const uint8_t *entries, uint32_t len,
	   uint32_t n)
{
	int rc = b->emit(b->arg, type, entries, len);

	if (rc < 0 && b->rc == 0)
		b->rc = rc;
	b->ha->seq_entries_sent += n;
}

static void
batch_flush(struct seq_batch *b)
{
	if (b->n == 0)
		return;
	if (b->brief)
		batch_emit(b, HA_REC_SEQ_BRIEF, b->ha->buf, b->n * HA_WIRE_SEQ_BRIEF_LEN, b->n);
	else
		batch_emit(b, HA_REC_SEQ, b->ha->buf, b->n * HA_WIRE_SEQ_LEN, b->n);
	b->n = 0;
}

/* W into the batch: brief when the peer takes it and W fits, else (the
 * batch flushed first, to keep the order) alone in the long form. */
static void
batch_add(struct seq_batch *b, const struct ha_wire_seq *w)
{
	uint8_t one[HA_WIRE_SEQ_LEN];

	if (!b->brief) {
		ha_wire_seq_encode(w, b->ha->buf + b->n * HA_WIRE_SEQ_LEN, HA_WIRE_SEQ_LEN);
	} else if (ha_wire_seq_brief_encode(w, b->ha->buf + b->n * HA_WIRE_SEQ_BRIEF_LEN,
					    HA_WIRE_SEQ_BRIEF_LEN) < 0) {
		batch_flush(b);
		ha_wire_seq_encode(w, one, sizeof(one));
		batch_emit(b, HA_REC_SEQ, one, sizeof(one), 1);
		return;
	}
	if (++b->n == SEQ_BATCH)
		batch_flush(b);
}

static void
seq_add(struct seq_batch *b, uint64_t child_id, uint32_t sa_id)
{
	struct dp_sad *sad = b->ha->h->dp.sad;
	const struct dp_sa *sa = dp_sad_get(sad, sa_id);
	struct dp_sa_seq_brief st;
	struct ctl_ha_sa_seq *q;
	struct ha_wire_seq w;
	uint64_t mark;

	if (sa == NULL || sa_id >= b->ha->n_seq)
		return;
	b->ha->seq_visits++;
	q = &b->ha->seq[sa_id];
	if (!q->sampled || q->child_id != child_id)
		seq_rebase(b, q, sa, child_id);
	if (q->dir == DP_SA_OUTBOUND) {
		dp_sa_out_brief(dp_sad_out(sad, sa_id), &st);	/* not the SA: a dense line */
		rate_sample(b, q, st.out_seq);
	} else {
		dp_sa_seq_brief(sa, WIN_BITS, &st);
	}
	mark = q->dir == DP_SA_OUTBOUND ? st.out_seq : st.win_top;
	if (!b->all && q->sent && q->sent_seq == mark)
		return;
	/* st has the other direction's fields zero (dp_sa_seq_brief); so has
	 * the rate of an inbound SA, whatever an earlier SA of this id left. */
	w = (struct ha_wire_seq){
		.child_id = child_id, .spi = q->spi, .dir = q->dir,
		.iv_epoch = st.iv_epoch, .out_seq = st.out_seq,
		.epoch_start_seq = st.epoch_start_seq,
		.rate_pps = q->dir == DP_SA_OUTBOUND ? q->rate_pps : 0,
		.win_top = st.win_top, .win_bits = (uint32_t)st.win_seen,
	};
	q->sent = true;
	q->sent_seq = mark;
	batch_add(b, &w);
}

static int
seq_child(uint64_t child_id, const struct ctl_ike_child_info *info, void *arg)
{
	struct seq_batch *b = arg;

	if (info->has_in)
		seq_add(b, child_id, info->sa_in);
	if (info->has_out)
		seq_add(b, child_id, info->sa_out);
	return 0;
}

static void
seq_static(struct seq_batch *b)
{
	for (uint32_t i = 0; i < b->ha->n_static; i++)
		seq_add(b, 0, b->ha->static_ids[i]);
}



/* A marked SA: a static one, or one a CHILD SA holds (else none of ours
 * to ship: a stale mark of a deleted SA). */
static void
seq_marked(struct seq_batch *b, const struct ctl_ike_children *kids, uint32_t sa_id)
{
	uint64_t child_id = 0;

	if (sa_id >= b->ha->n_seq)
		return;
	if (!b->ha->seq[sa_id].is_static) {
		child_id = kids != NULL ? ctl_ike_child_of_sa(kids, sa_id) : 0;
		if (child_id == 0)
			return;
	}
	seq_add(b, child_id, sa_id);
}

/* Visits a chunk of marked SAs: their counter, sequence and CHILD SA map
 * lines prefetched first, so that the misses overlap (the counter lines
 * are in the workers' caches). */
static void
seq_marked_chunk(struct seq_batch *b, const struct ctl_ike_children *kids, const uint32_t *ids,
		 unsigned int n)
{
	struct ctl_ha *ha = b->ha;

	for (unsigned int i = 0; i < n; i++) {
		dp_sad_prefetch_seq(ha->h->dp.sad, ids[i]);
		if (ids[i] < ha->n_seq)
			rte_prefetch0(&ha->seq[ids[i]]);
		if (kids != NULL && ids[i] < kids->sa_child_n)
			rte_prefetch0(&kids->sa_child[ids[i]]);
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct ctl_ha_sa_seq *q = ids[i] < ha->n_seq ? &ha->seq[ids[i]] : NULL;
		const struct dp_sa *sa;

		if (q == NULL || !q->sampled || q->dir != DP_SA_INBOUND)
			continue;
		sa = dp_sad_get(ha->h->dp.sad, ids[i]);
		if (sa != NULL)
			dp_sa_prefetch_win(sa);
	}
	for (unsigned int i = 0; i < n; i++)
		seq_marked(b, kids, ids[i]);
}

/* Tick: the SAs marked in this collection or the previous one. */
static void
seq_moved(struct seq_batch *b)
{
	struct ctl_ha *ha = b->ha;
	const struct ctl_ike_children *kids = ha->h->ike != NULL ? &ha->h->ike->children : NULL;
	uint32_t ids[SEQ_PREFETCH];
	unsigned int n = 0;

	dp_sad_moved_take(ha->h->dp.sad, ha->moved_cur, ha->moved_words);
	for (uint32_t i = 0; i < ha->moved_words; i++) {
		uint64_t bits = ha->moved_cur[i] | ha->moved_prev[i];

		ha->moved_prev[i] = ha->moved_cur[i];
		for (; bits != 0; bits &= bits - 1) {
			ids[n++] = i * DP_SA_MOVED_WORD_BITS + (uint32_t)__builtin_ctzll(bits);
			if (n == SEQ_PREFETCH) {
				seq_marked_chunk(b, kids, ids, n);
				n = 0;
			}
		}
	}
	seq_marked_chunk(b, kids, ids, n);
}

static struct seq_batch
batch_new(struct ctl_ha *ha, ctl_ha_seq_emit_fn emit, void *arg, bool all)
{
	return (struct seq_batch){
		.ha = ha, .emit = emit, .arg = arg, .all = all, .now_ms = dp_now_ms(),
		.from_ms = ha->seq_collect_ms,
		.brief = (ha->node.peer_caps & HA_CAP_SEQ_BRIEF) != 0,
	};
}

int
ctl_ha_seq_write_children(struct ctl_ha *ha, const uint64_t *child_ids, unsigned int n,
			  ctl_ha_seq_emit_fn emit, void *arg)
{
	struct seq_batch b = batch_new(ha, emit, arg, true);
	struct ctl_ike_child_info info;

	for (unsigned int i = 0; ha->h->ike != NULL && i < n; i++) {
		if (ctl_ike_child_get(&ha->h->ike->children, child_ids[i], &info))
			seq_child(child_ids[i], &info, &b);
	}
	batch_flush(&b);
	return b.rc;
}

int
ctl_ha_seq_write_static(struct ctl_ha *ha, ctl_ha_seq_emit_fn emit, void *arg)
{
	struct seq_batch b = batch_new(ha, emit, arg, true);

	seq_static(&b);
	batch_flush(&b);
	return b.rc;
}

int
ctl_ha_seq_write(struct ctl_ha *ha, ctl_ha_seq_emit_fn emit, void *arg)
{
	struct seq_batch b = batch_new(ha, emit, arg, false);

	ha->seq_ticks++;
	ha->seq_collect_ms = b.now_ms;
	seq_moved(&b);
	batch_flush(&b);
	return b.rc;
}
