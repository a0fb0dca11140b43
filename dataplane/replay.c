/*
 * The inbound anti-replay window: RFC 4303 §3.4.3 (receiver checks, left
 * edge, update only after the ICV verified) and Appendix A2 (ESN high-half
 * inference, A2.2), kept as the RFC 6479 bitmap: a ring of 64-bit words
 * indexed by sequence number, so moving right clears whole words instead
 * of shifting, with one spare word so the word that top lives in never has
 * to be cleared while part of it is still inside the window.
 *
 * Bit of sequence number s: word (s / 64) % words, bit s % 64. The window
 * accepts s when s > top, or top - size < s <= top and its bit is clear.
 * Bits above top in top's word are always clear (words are cleared as top
 * enters them).
 */
#include <errno.h>
#include <string.h>

#include "dataplane/replay.h"

enum {
	REPLAY_WORD_SHIFT = 6,		/* log2(DP_REPLAY_WORD_BITS) */
	REPLAY_BIT_MASK = DP_REPLAY_WORD_BITS - 1,
	REPLAY_HALF_BITS = 32,		/* ESN: bits in each half */
};

enum replay_verdict {
	REPLAY_NEW,		/* right of the window: moves it */
	REPLAY_IN_WINDOW,	/* inside the window, not seen yet */
	REPLAY_REJECT,		/* seen, left of the window, or never valid */
};

static inline uint32_t
word_of(const struct dp_replay_window *w, uint64_t seq)
{
	return (uint32_t)((seq >> REPLAY_WORD_SHIFT) % w->words);
}

static inline uint64_t
bit_of(uint64_t seq)
{
	return UINT64_C(1) << (seq & REPLAY_BIT_MASK);
}

static bool
window_size_valid(uint32_t size)
{
	return size >= DP_REPLAY_MIN && size <= DP_REPLAY_MAX && size % DP_REPLAY_WORD_BITS == 0;
}

int
dp_replay_init(struct dp_replay_window *w, uint32_t size, bool esn)
{
	if (!window_size_valid(size))
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->size = size;
	w->words = size / DP_REPLAY_WORD_BITS + 1;
	w->esn = esn;
	return 0;
}

/* RFC 4303 §3.3.3: sequence number 0 is never sent; without ESN the
 * counter never passes 2^32 - 1. */
static enum replay_verdict
window_classify(const struct dp_replay_window *w, uint64_t seq)
{
	if (seq == 0 || (!w->esn && seq > UINT32_MAX))
		return REPLAY_REJECT;
	if (seq > w->top)
		return REPLAY_NEW;
	/* RFC 4303 §3.4.3: left of the window (top - size + 1 is the edge). */
	if (w->top - seq >= w->size)
		return REPLAY_REJECT;
	if (w->bitmap[word_of(w, seq)] & bit_of(seq))
		return REPLAY_REJECT;
	return REPLAY_IN_WINDOW;
}

/* RFC 6479 §2: moving top right clears the words top enters; a jump of a
 * whole ring or more clears them all. */
static void
window_advance(struct dp_replay_window *w, uint64_t seq)
{
	uint64_t from = w->top >> REPLAY_WORD_SHIFT;
	uint64_t diff = (seq >> REPLAY_WORD_SHIFT) - from;

	if (diff > w->words)
		diff = w->words;
	for (uint64_t i = 1; i <= diff; i++)
		w->bitmap[(from + i) % w->words] = 0;
	w->top = seq;
}

/*
 * RFC 4303 Appendix A2.2: the high half of the sequence number. Tl/Th are
 * the halves of top, W the window size. Returns 0 (never a valid number)
 * when the high half would pass 2^32 - 1.
 */
static uint64_t
esn_infer(const struct dp_replay_window *w, uint32_t seq_lo)
{
	uint32_t tl = (uint32_t)w->top;
	uint32_t th = (uint32_t)(w->top >> REPLAY_HALF_BITS);
	uint32_t bottom = tl - w->size + 1;	/* mod 2^32: left edge, low half */
	uint32_t hi = th;

	if (tl >= w->size - 1) {
		/* Case A: the window lies within one subspace. */
		if (seq_lo < bottom) {
			if (th == UINT32_MAX)
				return 0;
			hi = th + 1;
		}
	} else if (seq_lo >= bottom && th != 0) {
		/* Case B: the window spans two subspaces; the upper numbers
		 * belong to the previous one (none before the first). */
		hi = th - 1;
	}
	return (uint64_t)hi << REPLAY_HALF_BITS | seq_lo;
}

int
dp_replay_check(const struct dp_replay_window *w, uint32_t seq_lo, uint64_t *seq)
{
	*seq = w->esn ? esn_infer(w, seq_lo) : seq_lo;
	return window_classify(w, *seq) == REPLAY_REJECT ? -1 : 0;
}

int
dp_replay_update(struct dp_replay_window *w, uint64_t seq)
{
	switch (window_classify(w, seq)) {
	case REPLAY_REJECT:
		return -1;
	case REPLAY_NEW:
		window_advance(w, seq);
		break;
	case REPLAY_IN_WINDOW:
		break;
	}
	w->bitmap[word_of(w, seq)] |= bit_of(seq);
	return 0;
}

/* Walks down from top - 1, one bitmap word load per 64 numbers and no
 * division after the first word. */
uint64_t
dp_replay_seen_below(const struct dp_replay_window *w, uint64_t top, unsigned int n)
{
	uint64_t seen = 0, word;
	uint32_t wi;
	unsigned int b;

	if (top < 2 || n == 0)
		return 0;
	n = n < DP_REPLAY_WORD_BITS ? n : DP_REPLAY_WORD_BITS;
	wi = word_of(w, top - 1);
	b = (top - 1) & REPLAY_BIT_MASK;
	word = __atomic_load_n(&w->bitmap[wi], __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n && top > i + 1; i++) {
		seen |= (word >> b & 1) << i;
		if (b-- == 0) {
			wi = wi == 0 ? w->words - 1 : wi - 1;
			word = __atomic_load_n(&w->bitmap[wi], __ATOMIC_RELAXED);
			b = REPLAY_BIT_MASK;
		}
	}
	return seen;
}

void
dp_replay_export(const struct dp_replay_window *w, struct dp_replay_state *s)
{
	memset(s, 0, sizeof(*s));
	s->top = w->top;
	s->size = w->size;
	memcpy(s->bitmap, w->bitmap, w->words * sizeof(w->bitmap[0]));
}

/* Bits above top in top's word stand for numbers not received yet. */
static void
window_clear_above_top(struct dp_replay_window *w)
{
	uint64_t keep = (bit_of(w->top) << 1) - 1;	/* bits 0..top%64; all if 63 */

	w->bitmap[word_of(w, w->top)] &= keep;
}

int
dp_replay_import(struct dp_replay_window *w, const struct dp_replay_state *s)
{
	struct dp_replay_window in;

	if (s->size != w->size || (!w->esn && s->top > UINT32_MAX))
		return -EINVAL;
	in = *w;
	in.top = s->top;
	memcpy(in.bitmap, s->bitmap, sizeof(in.bitmap));
	window_clear_above_top(&in);
	/* Bring both windows to the newer top, then merge the seen bits: a
	 * number closed on either side stays closed. */
	if (in.top > w->top)
		window_advance(w, in.top);
	else
		window_advance(&in, w->top);
	for (uint32_t i = 0; i < w->words; i++)
		w->bitmap[i] |= in.bitmap[i];
	return 0;
}

/* Marks the numbers A..B (B - A below the ring's size) seen, a word at a
 * time. */
static void
window_set_range(struct dp_replay_window *w, uint64_t a, uint64_t b)
{
	while (a <= b) {
		unsigned int bit = (unsigned int)(a & REPLAY_BIT_MASK);
		uint64_t span = b - a < REPLAY_BIT_MASK - bit ? b - a : REPLAY_BIT_MASK - bit;
		uint64_t mask = span == REPLAY_BIT_MASK ? UINT64_MAX :
				((UINT64_C(1) << (span + 1)) - 1) << bit;

		w->bitmap[word_of(w, a)] |= mask;
		a += span + 1;
	}
}

int
dp_replay_import_brief(struct dp_replay_window *w, uint64_t top, uint64_t seen, unsigned int n)
{
	uint64_t first_word, lo;

	if (n > DP_REPLAY_WORD_BITS || (!w->esn && top > UINT32_MAX))
		return -EINVAL;
	if (top == 0)
		return 0;
	if (top > w->top)
		window_advance(w, top);
	/* The oldest number the ring holds now: below it a bit would stand
	 * for a newer number. */
	first_word = (w->top >> REPLAY_WORD_SHIFT) >= w->words - 1 ?
		     (w->top >> REPLAY_WORD_SHIFT) - (w->words - 1) : 0;
	lo = first_word != 0 ? first_word << REPLAY_WORD_SHIFT : 1;
	if (top < lo)
		return 0;
	if (top > n && top - n - 1 >= lo)
		window_set_range(w, lo, top - n - 1);
	window_set_range(w, top, top);
	for (unsigned int i = 0; i < n && top > i + 1 && top - 1 - i >= lo; i++)
		if (seen >> i & 1)
			window_set_range(w, top - 1 - i, top - 1 - i);
	return 0;
}
