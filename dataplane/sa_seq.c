/*
 * The worker-written state of an SA (sa.h): outbound sequence numbers and
 * the IV nonces made from them (RFC 4303 §3.3.3, RFC 4106 §3.1), their
 * export, import and takeover for HA, drop counters, and lifetime
 * accounting (RFC 4301 §4.4.2.1).
 */
#include <string.h>

#include <rte_branch_prediction.h>

#include "dataplane/sa.h"

enum {
	SA_EPOCH_BITS = 16,
	SA_EPOCH_GEN_MAX = (1 << (SA_EPOCH_BITS - 1)) - 1,	/* epoch = gen << 1 | node */
	SA_NODE_BIT = 1,
};

/* Sequence numbers of one IV epoch: seq - epoch_start_seq < 2^48. */
#define SA_EPOCH_SPACE (UINT64_C(1) << DP_SA_IV_COUNTER_BITS)

_Static_assert(SA_EPOCH_BITS + DP_SA_IV_COUNTER_BITS == 64, "IV nonce is 64 bits");

/* Drop counters only: packets and bytes are what the lifetimes count
 * (RFC 4301 §4.4.2.1), and clearing them would extend the SA's life. */
void
dp_sa_clear_stats(struct dp_sa *sa)
{
	for (unsigned int i = 0; i < DP_SA_DROP_MAX; i++)
		__atomic_store_n(&sa->stats.drops[i], 0, __ATOMIC_RELAXED);
}

static void
sa_set_hard_expired(struct dp_sa *sa)
{
	__atomic_fetch_or(&sa->flags, DP_SA_F_HARD_EXPIRED, __ATOMIC_RELAXED);
}

/*
 * RFC 4303 §3.3.3: the counter never cycles (2^32 - 1 without ESN, 2^64 - 1
 * with), and an IV epoch covers fewer than 2^48 numbers (sa.h). A counter
 * that wrapped below the epoch start fails the epoch test too, because
 * prev - start is then huge.
 */
uint64_t
dp_sa_seq_reserve(struct dp_sa *sa, uint32_t n)
{
	uint64_t max = sa->p.esn ? UINT64_MAX : UINT32_MAX;
	uint64_t start, prev;

	if (unlikely(n == 0 ||
		     (__atomic_load_n(&sa->flags, __ATOMIC_RELAXED) & DP_SA_F_HARD_EXPIRED)))
		return 0;
	start = __atomic_load_n(&sa->out->epoch_start_seq, __ATOMIC_RELAXED);
	prev = __atomic_fetch_add(&sa->out->seq, n, __ATOMIC_RELAXED);
	if (unlikely(prev > max - n || prev - start > SA_EPOCH_SPACE - 1 - n)) {
		sa_set_hard_expired(sa);
		return 0;
	}
	return prev + 1;
}

void
dp_sa_seq_export(const struct dp_sa *sa, struct dp_sa_seq_state *s)
{
	memset(s, 0, sizeof(*s));
	s->spi = sa->p.spi;
	s->dir = (uint8_t)sa->p.dir;
	s->out_seq = __atomic_load_n(&sa->out->seq, __ATOMIC_RELAXED);
	s->iv_epoch = __atomic_load_n(&sa->out->iv_epoch, __ATOMIC_RELAXED);
	s->epoch_start_seq = __atomic_load_n(&sa->out->epoch_start_seq, __ATOMIC_RELAXED);
	if (sa->p.dir == DP_SA_INBOUND)
		dp_replay_export(&sa->win, &s->win);
}

void
dp_sa_seq_brief(const struct dp_sa *sa, unsigned int n, struct dp_sa_seq_brief *b)
{
	if (sa->p.dir == DP_SA_INBOUND) {
		b->out_seq = b->epoch_start_seq = 0;
		b->iv_epoch = 0;
		b->win_top = __atomic_load_n(&sa->win.top, __ATOMIC_RELAXED);
		b->win_seen = dp_replay_seen_below(&sa->win, b->win_top, n);
		return;
	}
	dp_sa_out_brief(sa->out, b);
}

void
dp_sa_out_brief(const struct dp_sa_out *o, struct dp_sa_seq_brief *b)
{
	b->out_seq = __atomic_load_n(&o->seq, __ATOMIC_RELAXED);
	b->iv_epoch = __atomic_load_n(&o->iv_epoch, __ATOMIC_RELAXED);
	b->epoch_start_seq = __atomic_load_n(&o->epoch_start_seq, __ATOMIC_RELAXED);
	b->win_top = b->win_seen = 0;
}

/* Outbound: the higher counter, the newer epoch; within one epoch the
 * earlier start, which keeps the 2^48 limit where the sender began. */
static void
sa_out_import(struct dp_sa_out *o, uint64_t out_seq, uint16_t iv_epoch, uint64_t epoch_start_seq)
{
	uint64_t seq = __atomic_load_n(&o->seq, __ATOMIC_RELAXED);
	uint64_t start = o->epoch_start_seq;
	uint16_t epoch = o->iv_epoch;

	while (out_seq > seq &&
	       !__atomic_compare_exchange_n(&o->seq, &seq, out_seq, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	if (iv_epoch > epoch || (iv_epoch == epoch && epoch_start_seq < start)) {
		__atomic_store_n(&o->epoch_start_seq, epoch_start_seq, __ATOMIC_RELAXED);
		__atomic_store_n(&o->iv_epoch, iv_epoch, __ATOMIC_RELEASE);
	}
}

void
dp_sa_out_import(struct dp_sa_out *o, const struct dp_sa_seq_brief *b)
{
	sa_out_import(o, b->out_seq, b->iv_epoch, b->epoch_start_seq);
}

int
dp_sa_seq_import(struct dp_sa *sa, const struct dp_sa_seq_state *s)
{
	if (s->spi != sa->p.spi || s->dir != (uint8_t)sa->p.dir)
		return -EINVAL;
	if (sa->p.dir == DP_SA_INBOUND)
		return dp_replay_import(&sa->win, &s->win);
	sa_out_import(sa->out, s->out_seq, s->iv_epoch, s->epoch_start_seq);
	return 0;
}

int
dp_sa_seq_import_brief(struct dp_sa *sa, const struct dp_sa_seq_brief *b, unsigned int n)
{
	if (sa->p.dir == DP_SA_INBOUND)
		return dp_replay_import_brief(&sa->win, b->win_top, b->win_seen, n);
	dp_sa_out_import(sa->out, b);
	return 0;
}

/* Called before this node sends on the SA (no worker sends on it yet). */
void
dp_sa_take_over(struct dp_sa *sa, uint8_t node_bit, uint64_t margin)
{
	uint16_t gen = sa->out->iv_epoch >> 1;
	uint64_t seq = __atomic_load_n(&sa->out->seq, __ATOMIC_RELAXED);

	if (gen >= SA_EPOCH_GEN_MAX) {
		sa_set_hard_expired(sa);
		return;
	}
	seq = seq > UINT64_MAX - margin ? UINT64_MAX : seq + margin;
	__atomic_store_n(&sa->out->seq, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->out->epoch_start_seq, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->out->iv_epoch, (uint16_t)((gen + 1) << 1 | (node_bit & SA_NODE_BIT)),
			 __ATOMIC_RELEASE);
	dp_sa_mark_moved(sa);		/* the HA sync ships the new counter and epoch */
}

static bool
sa_limit_reached(const uint64_t *limit, uint64_t value)
{
	uint64_t l = __atomic_load_n(limit, __ATOMIC_RELAXED);	/* dp_sa_update */

	return l != 0 && value >= l;
}

uint32_t
dp_sa_account(struct dp_sa *sa, uint32_t packets, uint64_t bytes)
{
	uint64_t pk = __atomic_add_fetch(&sa->stats.packets, packets, __ATOMIC_RELAXED);
	uint64_t by = __atomic_add_fetch(&sa->stats.bytes, bytes, __ATOMIC_RELAXED);
	uint32_t want = 0, old;

	if (sa_limit_reached(&sa->soft.packets, pk) || sa_limit_reached(&sa->soft.bytes, by))
		want |= DP_SA_F_SOFT_EXPIRED;
	if (sa_limit_reached(&sa->hard.packets, pk) || sa_limit_reached(&sa->hard.bytes, by))
		want |= DP_SA_F_HARD_EXPIRED;
	if (likely(want == 0 ||
		   (__atomic_load_n(&sa->flags, __ATOMIC_RELAXED) & want) == want))
		return 0;
	old = __atomic_fetch_or(&sa->flags, want, __ATOMIC_RELAXED);
	return want & ~old;
}
