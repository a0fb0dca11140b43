/*
 * Unit tests of the anti-replay window (dataplane/replay.c): RFC 4303
 * §3.4.3 left edge and duplicates, the RFC 6479 ring of words (far jumps,
 * jumps of exactly one window, every window size), ESN high-half
 * inference across 2^32 (RFC 4303 Appendix A2.2), check-then-update in one
 * burst, and HA export/import that never moves backwards. Table-driven
 * like WireGuard's selftest: rows of {sequence number, expected}.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "dataplane/replay.h"
#include "tests/unit/cu_run.h"

enum {
	W64 = 64,
	RANDOM_SEQ_SPACE = 1 << 22,	/* reference model: numbers below this */
	RANDOM_STEPS = 4000,		/* per window size */
};

#define HI(x) ((uint64_t)(x) << 32)
#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* A packet through the window: check before "decryption", update after. */
static bool
receive(struct dp_replay_window *w, uint32_t seq_lo)
{
	uint64_t seq;

	if (dp_replay_check(w, seq_lo, &seq) != 0)
		return false;
	return dp_replay_update(w, seq) == 0;
}

struct row {
	uint32_t seq;
	bool ok;
};

static void
run_rows(struct dp_replay_window *w, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool got = receive(w, rows[i].seq);

		if (got != rows[i].ok)
			fprintf(stderr, "row %zu: seq %u expected %d got %d\n", i, rows[i].seq,
				rows[i].ok, got);
		CU_ASSERT_EQUAL(got, rows[i].ok);
	}
}

static void
test_init(void)
{
	struct dp_replay_window w;
	const uint32_t bad[] = { 0, 1, 63, 65, 100, 4095, 4097, 4160, UINT32_MAX };

	for (size_t i = 0; i < DIM(bad); i++)
		CU_ASSERT_EQUAL(dp_replay_init(&w, bad[i], false), -EINVAL);
	CU_ASSERT_EQUAL(dp_replay_init(&w, 64, false), 0);
	CU_ASSERT_EQUAL(w.size, 64);
	CU_ASSERT_EQUAL(w.words, 2);
	CU_ASSERT_EQUAL(w.top, 0);
	CU_ASSERT_EQUAL(dp_replay_init(&w, 4096, true), 0);
	CU_ASSERT_EQUAL(w.words, 65);
	CU_ASSERT_EQUAL(w.esn, true);
}

/* Window 64, 32-bit sequence numbers. */
static void
test_table_64(void)
{
	static const struct row rows[] = {
		{ 0, false },		/* RFC 4303 §3.3.3: 0 is never sent */
		{ 1, true },		/* first packet */
		{ 1, false },		/* duplicate */
		{ 2, true },		/* in order */
		{ 3, true },
		{ 9, true },		/* small gap */
		{ 8, true },		/* late, inside the window */
		{ 7, true },
		{ 7, false },
		{ 64, true },		/* window now 1..64 */
		{ 1, false },
		{ 65, true },		/* window 2..65 */
		{ 1, false },		/* left of the window */
		{ 4, true },		/* never seen, still inside */
		{ 4, false },
		{ 130, true },		/* window 67..130 */
		{ 66, false },		/* top - size: just left of the edge */
		{ 67, true },		/* top - size + 1: the left edge itself */
		{ 67, false },
		{ 129, true },
		{ 130, false },		/* top again */
		{ 131, true },
		{ 1000, true },		/* far jump: everything before is cleared */
		{ 936, false },
		{ 937, true },		/* left edge after the jump */
		{ 999, true },
		{ 131, false },
		{ 1064, true },		/* jump of exactly one window: 1001..1064 */
		{ 1000, false },
		{ 1001, true },		/* bit cleared although it shares the ring */
		{ 1063, true },
		{ 1064, false },
		{ 1065, true },
		{ 1001, false },
		{ 1002, true },		/* left edge, one further */
		{ 0xfffffffe, true },	/* the end of the 32-bit space */
		{ 0xffffffff, true },
		{ 0xffffffff, false },
		{ 0xffffffc0, true },	/* left edge at the end */
		{ 0xffffffbf, false },
		{ 0, false },		/* no wrap without ESN */
		{ 5, false },
	};
	struct dp_replay_window w;

	CU_ASSERT_FATAL(dp_replay_init(&w, W64, false) == 0);
	run_rows(&w, rows, DIM(rows));
	/* A 64-bit number never enters a 32-bit window. */
	CU_ASSERT_EQUAL(dp_replay_update(&w, HI(1) | 5), -1);
	CU_ASSERT_EQUAL(w.top, 0xffffffffu);
}

/* The same edges for one window size, with the numbers scaled to it. */
static void
size_edges(uint32_t size)
{
	struct dp_replay_window w;
	uint64_t seq;
	uint32_t t = 10 * size, s;
	unsigned int bad = 0;

	CU_ASSERT_FATAL(dp_replay_init(&w, size, false) == 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0, &seq), -1);
	CU_ASSERT_TRUE(receive(&w, 1));
	CU_ASSERT_TRUE(receive(&w, t));			/* far jump */
	CU_ASSERT_FALSE(receive(&w, t - size));		/* just left of the edge */
	CU_ASSERT_TRUE(receive(&w, t - size + 1));	/* the left edge */
	/* Fill the whole window, then every number of it is a replay. */
	for (s = t - size + 2; s < t; s++)
		bad += !receive(&w, s);
	for (s = t - size + 1; s <= t; s++)
		bad += receive(&w, s);
	/* Jump of exactly one window: every bit of the new window is clear. */
	CU_ASSERT_TRUE(receive(&w, t + size));
	CU_ASSERT_FALSE(receive(&w, t));
	for (s = t + 1; s < t + size; s++)
		bad += !receive(&w, s);
	/* Jump of one window plus one, then of one: edges move with top. */
	CU_ASSERT_TRUE(receive(&w, t + 2 * size + 1));
	CU_ASSERT_FALSE(receive(&w, t + size + 1));
	CU_ASSERT_TRUE(receive(&w, t + 2 * size + 2));
	CU_ASSERT_FALSE(receive(&w, t + size + 2));
	CU_ASSERT_TRUE(receive(&w, t + size + 3));
	/* Far jump well beyond the ring: everything behind is forgotten. */
	t = 100 * size;
	CU_ASSERT_TRUE(receive(&w, t));
	for (s = t - size + 1; s < t; s++)
		bad += !receive(&w, s);
	CU_ASSERT_FALSE(receive(&w, t - size));
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_every_size(void)
{
	for (uint32_t size = DP_REPLAY_MIN; size <= DP_REPLAY_MAX; size += DP_REPLAY_WORD_BITS)
		size_edges(size);
}

/* Reference model: accepted iff not 0, not seen and not left of the window. */
struct model {
	uint8_t *seen;
	uint64_t top;
	uint32_t size;
};

static bool
model_receive(struct model *m, uint32_t seq)
{
	if (seq == 0 || m->seen[seq] || (seq <= m->top && m->top - seq >= m->size))
		return false;
	m->seen[seq] = 1;
	if (seq > m->top)
		m->top = seq;
	return true;
}

static uint32_t
xorshift(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Next number near top: mostly inside or just right of the window, at
 * times a far jump. */
static uint32_t
random_seq(uint32_t *rng, uint64_t top, uint32_t size)
{
	uint32_t r = xorshift(rng);
	int64_t delta;

	if (r % 50 == 0)
		delta = (int64_t)(xorshift(rng) % (4 * size));
	else
		delta = (int64_t)(xorshift(rng) % (2 * size)) - (int64_t)(3 * size / 2);
	if ((int64_t)top + delta < 0)
		return 0;
	return (uint32_t)(top + delta);
}

static void
test_random_against_model(void)
{
	uint8_t *seen = calloc(RANDOM_SEQ_SPACE, 1);
	uint32_t rng = 0x12345678;
	unsigned int mismatches = 0;

	CU_ASSERT_FATAL(seen != NULL);
	for (uint32_t size = DP_REPLAY_MIN; size <= DP_REPLAY_MAX; size += DP_REPLAY_WORD_BITS) {
		struct model m = { .seen = seen, .top = 0, .size = size };
		struct dp_replay_window w;

		memset(seen, 0, RANDOM_SEQ_SPACE);
		CU_ASSERT_FATAL(dp_replay_init(&w, size, false) == 0);
		for (unsigned int i = 0; i < RANDOM_STEPS; i++) {
			uint32_t seq = random_seq(&rng, m.top, size);

			if (seq >= RANDOM_SEQ_SPACE)
				break;
			mismatches += receive(&w, seq) != model_receive(&m, seq);
		}
		CU_ASSERT_EQUAL(w.top, m.top);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	free(seen);
}

/* check() only reads; update() checks again (RFC 4303 §3.4.3: the window
 * moves only after the ICV verified). */
static void
test_burst_duplicate(void)
{
	struct dp_replay_window w;
	uint64_t a, b, c;

	CU_ASSERT_FATAL(dp_replay_init(&w, W64, false) == 0);
	CU_ASSERT_TRUE(receive(&w, 99));
	CU_ASSERT_EQUAL(dp_replay_check(&w, 100, &a), 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 101, &b), 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 101, &c), 0);
	CU_ASSERT_EQUAL(a, 100);
	CU_ASSERT_EQUAL(b, 101);
	CU_ASSERT_EQUAL(c, 101);
	CU_ASSERT_EQUAL(w.top, 99);			/* check wrote nothing */
	CU_ASSERT_EQUAL(dp_replay_update(&w, a), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, b), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, c), -1);	/* the second s+1 */
	CU_ASSERT_EQUAL(w.top, 101);
	/* Same inside the window: 90, 90. */
	CU_ASSERT_EQUAL(dp_replay_check(&w, 90, &a), 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 90, &b), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, a), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, b), -1);
	/* Left the window while waiting for decryption: rejected by update. */
	CU_ASSERT_EQUAL(dp_replay_check(&w, 40, &a), 0);
	CU_ASSERT_TRUE(receive(&w, 104));
	CU_ASSERT_EQUAL(dp_replay_update(&w, a), -1);
	CU_ASSERT_EQUAL(dp_replay_update(&w, 0), -1);
}

enum esn_verdict {
	ESN_ACCEPT,		/* check passes with full, update passes */
	ESN_REJECT,		/* check fails */
	ESN_ICV_FAIL,		/* check passes with full, a high half the sender did
				 * not use: the ICV fails, no update */
};

struct esn_row {
	uint32_t lo;
	uint64_t full;
	enum esn_verdict v;
};

static void
run_esn_rows(struct dp_replay_window *w, const struct esn_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t seq = UINT64_MAX;
		int rc = dp_replay_check(w, rows[i].lo, &seq);

		if (rows[i].v == ESN_REJECT) {
			CU_ASSERT_EQUAL(rc, -1);
			continue;
		}
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(seq, rows[i].full);
		if (rc != 0 || seq != rows[i].full)
			fprintf(stderr, "ESN row %zu: lo %#x rc %d seq %#llx\n", i, rows[i].lo, rc,
				(unsigned long long)seq);
		if (rows[i].v == ESN_ACCEPT)
			CU_ASSERT_EQUAL(dp_replay_update(w, seq), 0);
	}
}

/* RFC 4303 A2.2 across 2^32, forwards and backwards, window 64. */
static void
test_esn_wrap(void)
{
	static const struct esn_row rows[] = {
		{ 0, 0, ESN_REJECT },			/* full 0 is never sent */
		{ 1, 1, ESN_ACCEPT },
		/* Case B with Th = 0: no previous subspace, a forward jump. */
		{ 0xfffffff0, 0xfffffff0, ESN_ACCEPT },
		{ 0xffffffff, 0xffffffff, ESN_ACCEPT },
		/* Case A, Seq < Tl - W + 1: the next subspace. */
		{ 5, HI(1) | 5, ESN_ACCEPT },
		/* Case B: 0 of subspace 1 (2^32) is a valid number. */
		{ 0, HI(1), ESN_ACCEPT },
		{ 0, HI(1), ESN_REJECT },
		/* Late packets from before the wrap: Th - 1. */
		{ 0xfffffff8, 0xfffffff8, ESN_ACCEPT },
		{ 0xffffffff, 0xffffffff, ESN_REJECT },	/* seen */
		{ 0xfffffff0, 0xfffffff0, ESN_REJECT },	/* seen */
		{ 0xffffffc6, 0xffffffc6, ESN_ACCEPT },	/* top - 63: the left edge */
		/* Older than the window: inferred as the next subspace, which
		 * the sender did not use, so the ICV fails. */
		{ 0xffffffc5, HI(1) | 0xffffffc5, ESN_ICV_FAIL },
		{ 4, HI(1) | 4, ESN_ACCEPT },
		{ 5, HI(1) | 5, ESN_REJECT },
		/* Second wrap: 1 -> 2, from the middle of subspace 1 (case A). */
		{ 0x80000000, HI(1) | 0x80000000, ESN_ACCEPT },
		{ 0xfffffff0, HI(1) | 0xfffffff0, ESN_ACCEPT },
		{ 0x10, HI(2) | 0x10, ESN_ACCEPT },
		{ 0xffffffd1, HI(1) | 0xffffffd1, ESN_ACCEPT },	/* top - 63 */
		{ 0xfffffff0, HI(1) | 0xfffffff0, ESN_REJECT },
		{ 0x11, HI(2) | 0x11, ESN_ACCEPT },
		/* Case A once top is far enough from the wrap. */
		{ 0x1000, HI(2) | 0x1000, ESN_ACCEPT },
		{ 0xfc1, HI(2) | 0xfc1, ESN_ACCEPT },		/* left edge */
		{ 0xfc0, HI(3) | 0xfc0, ESN_ICV_FAIL },	/* too old: next subspace */
		{ 0x2000, HI(2) | 0x2000, ESN_ACCEPT },
	};
	struct dp_replay_window w;

	CU_ASSERT_FATAL(dp_replay_init(&w, W64, true) == 0);
	run_esn_rows(&w, rows, DIM(rows));
	CU_ASSERT_EQUAL(w.top, HI(2) | 0x2000);
	/* The real (old) numbers of the ICV_FAIL rows are refused by update. */
	CU_ASSERT_EQUAL(dp_replay_update(&w, HI(2) | 0xfc0), -1);
	CU_ASSERT_EQUAL(dp_replay_update(&w, 0xffffffc5), -1);
}

/* A wide window that spans the wrap, and the end of the 64-bit space. */
static void
test_esn_edges(void)
{
	struct dp_replay_window w;
	struct dp_replay_state s;
	uint64_t seq;

	CU_ASSERT_FATAL(dp_replay_init(&w, 4096, true) == 0);
	CU_ASSERT_TRUE(receive(&w, 0xfffffc00));
	CU_ASSERT_TRUE(receive(&w, 0x3ff));		/* 2^32 + 0x3ff */
	CU_ASSERT_EQUAL(w.top, HI(1) | 0x3ff);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0xfffff400, &seq), 0);	/* left edge */
	CU_ASSERT_EQUAL(seq, 0xfffff400);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0xfffffc00, &seq), -1);	/* seen */
	CU_ASSERT_EQUAL(seq, 0xfffffc00);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0xfffff3ff, &seq), 0);	/* older: next */
	CU_ASSERT_EQUAL(seq, HI(1) | 0xfffff3ff);
	/* Th = 2^32 - 1: there is no next subspace. */
	dp_replay_export(&w, &s);
	memset(s.bitmap, 0, sizeof(s.bitmap));
	s.top = UINT64_MAX - 16;
	CU_ASSERT_EQUAL(dp_replay_import(&w, &s), 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 5, &seq), -1);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0xffffffff, &seq), 0);
	CU_ASSERT_EQUAL(seq, UINT64_MAX);
	CU_ASSERT_EQUAL(dp_replay_update(&w, seq), 0);
	CU_ASSERT_EQUAL(dp_replay_check(&w, 0xffffffff, &seq), -1);
}

static void
fill(struct dp_replay_window *w, const uint32_t *seqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_TRUE(receive(w, seqs[i]));
}

static void
test_export_import_roundtrip(void)
{
	static const uint32_t seqs[] = { 3, 700, 650, 701, 699, 640, 645, 763, 5000, 4990 };
	struct dp_replay_window a, b;
	struct dp_replay_state sa, sb;
	uint64_t s1, s2;
	unsigned int differ = 0;

	CU_ASSERT_FATAL(dp_replay_init(&a, 128, false) == 0);
	CU_ASSERT_FATAL(dp_replay_init(&b, 128, false) == 0);
	fill(&a, seqs, DIM(seqs));
	dp_replay_export(&a, &sa);
	CU_ASSERT_EQUAL(sa.top, 5000);
	CU_ASSERT_EQUAL(sa.size, 128);
	CU_ASSERT_EQUAL(dp_replay_import(&b, &sa), 0);
	dp_replay_export(&b, &sb);
	CU_ASSERT_EQUAL(memcmp(&sa, &sb, sizeof(sa)), 0);
	for (uint32_t s = 4800; s < 5100; s++)
		differ += (dp_replay_check(&a, s, &s1) == 0) != (dp_replay_check(&b, s, &s2) == 0);
	CU_ASSERT_EQUAL(differ, 0);
	CU_ASSERT_FALSE(receive(&b, 4990));
	CU_ASSERT_TRUE(receive(&b, 4991));
	CU_ASSERT_FALSE(receive(&b, 4872));		/* 5000 - 128 */
	CU_ASSERT_TRUE(receive(&b, 4873));
	/* Size mismatch, and a 64-bit top into a 32-bit window. */
	sa.size = 64;
	CU_ASSERT_EQUAL(dp_replay_import(&b, &sa), -EINVAL);
	sa.size = 128;
	sa.top = HI(1);
	CU_ASSERT_EQUAL(dp_replay_import(&b, &sa), -EINVAL);
	CU_ASSERT_EQUAL(b.top, 5000);
}

/* The window the brief form stands for, built whole (as the HA standby
 * did before dp_replay_import_brief): every number up to TOP seen but
 * those of the N below it whose bit is clear. */
static void
brief_to_state(uint64_t top, uint64_t seen, unsigned int n, uint32_t size,
	       struct dp_replay_state *s)
{
	uint64_t ring = ((uint64_t)size / DP_REPLAY_WORD_BITS + 1) * DP_REPLAY_WORD_BITS;

	memset(s, 0, sizeof(*s));
	s->top = top;
	s->size = size;
	memset(s->bitmap, 0xff, sizeof(s->bitmap));
	for (unsigned int i = 0; i < n && top > i + 1; i++) {
		uint64_t q = (top - 1 - i) % ring;

		if (!(seen >> i & 1))
			s->bitmap[q / DP_REPLAY_WORD_BITS] &= ~(UINT64_C(1) << (q % 64));
	}
}

/* Numbers around both windows' tops on which they disagree. */
static unsigned int
windows_differ(const struct dp_replay_window *a, const struct dp_replay_window *b)
{
	uint64_t hi = (a->top > b->top ? a->top : b->top) + 130;
	uint64_t lo = hi > 2 * DP_REPLAY_MAX + 300 ? hi - 2 * DP_REPLAY_MAX - 300 : 1;
	unsigned int differ = a->top != b->top;

	for (uint64_t s = lo; s <= hi; s++) {
		struct dp_replay_window x = *a, y = *b;

		differ += (dp_replay_update(&x, s) == 0) != (dp_replay_update(&y, s) == 0);
	}
	return differ;
}

/* The shipped top of case K: just above ours, just below, more than a ring
 * above, or a window and more below (1 when ours is small). */
static uint64_t
shipped_top(unsigned int k, uint64_t top, uint32_t size, uint64_t x)
{
	if (k == 0)
		return top + (x >> 50) % 200;
	if (k == 1)
		return top > 100 ? top - (x >> 50) % 100 : top;
	if (k == 2)
		return top + size + 64 + (x >> 56);
	return top > 2 * (uint64_t)size + 200 ? top - size - 100 : 1;
}

/*
 * dp_replay_import_brief against dp_replay_import of the whole window it
 * stands for: pseudo-random windows (every size class, tops near, above,
 * below and a ring away from the shipped one, small tops) and brief
 * states; the two results accept exactly the same numbers.
 */
static void
test_import_brief(void)
{
	static const uint32_t sizes[] = { 64, 128, 960, 4096 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned int differ = 0, runs = 0;

	for (unsigned int si = 0; si < DIM(sizes); si++) {
		for (unsigned int r = 0; r < 300; r++) {
			struct dp_replay_window full, brief;
			struct dp_replay_state st;
			uint64_t top, ship, seen;

			CU_ASSERT_FATAL(dp_replay_init(&full, sizes[si], true) == 0);
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			top = r % 5 == 0 ? (x >> 60) : 1000 + (x >> 40) % 20000;
			for (unsigned int k = 0; k < 40 && top > 0; k++)
				dp_replay_update(&full, top > k * 3 ? top - k * 3 : 1);
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			ship = shipped_top(r % 4, top, sizes[si], x);
			seen = x ^ (x >> 17);
			brief = full;
			brief_to_state(ship, seen, 32, sizes[si], &st);
			CU_ASSERT_EQUAL(dp_replay_import(&full, &st), 0);
			CU_ASSERT_EQUAL(dp_replay_import_brief(&brief, ship, seen, 32), 0);
			differ += windows_differ(&full, &brief) != 0;
			runs++;
		}
	}
	CU_ASSERT_EQUAL(runs, 1200);
	CU_ASSERT_EQUAL(differ, 0);
}

/* Exact: window 64 at top 100 (98, 99, 100 seen) gets top 130 with 129
 * and 127 seen: 130, 129, 127 and everything up to 97 closed, 128 and 110
 * open; 98 and 99 stay closed; 131 is new. */
static void
test_import_brief_exact(void)
{
	struct dp_replay_window w;

	CU_ASSERT_FATAL(dp_replay_init(&w, 64, false) == 0);
	CU_ASSERT_TRUE(receive(&w, 98));
	CU_ASSERT_TRUE(receive(&w, 99));
	CU_ASSERT_TRUE(receive(&w, 100));
	CU_ASSERT_EQUAL(dp_replay_import_brief(&w, 130, 0x5, 32), 0);
	CU_ASSERT_EQUAL(w.top, 130);
	CU_ASSERT_FALSE(receive(&w, 130));
	CU_ASSERT_FALSE(receive(&w, 129));
	CU_ASSERT_FALSE(receive(&w, 127));
	CU_ASSERT_FALSE(receive(&w, 97));
	CU_ASSERT_FALSE(receive(&w, 98));
	CU_ASSERT_TRUE(receive(&w, 128));
	CU_ASSERT_FALSE(receive(&w, 99));		/* not seen there, but here */
	CU_ASSERT_TRUE(receive(&w, 110));		/* seen on neither side */
	CU_ASSERT_TRUE(receive(&w, 131));
	/* Older than the window: nothing changes. */
	CU_ASSERT_EQUAL(dp_replay_import_brief(&w, 20, 0, 32), 0);
	CU_ASSERT_EQUAL(w.top, 131);
	CU_ASSERT_TRUE(receive(&w, 126));
	/* Bad arguments. */
	CU_ASSERT_EQUAL(dp_replay_import_brief(&w, 200, 0, 65), -EINVAL);
	CU_ASSERT_EQUAL(dp_replay_import_brief(&w, HI(1), 0, 32), -EINVAL);
	CU_ASSERT_EQUAL(dp_replay_import_brief(&w, 0, 0, 32), 0);
	CU_ASSERT_EQUAL(w.top, 131);
}

static void
test_import_never_backwards(void)
{
	static const uint32_t mine[] = { 100, 90 };
	static const uint32_t theirs[] = { 130, 120 };
	struct dp_replay_window a, b;
	struct dp_replay_state old, st;

	CU_ASSERT_FATAL(dp_replay_init(&a, W64, false) == 0);
	CU_ASSERT_FATAL(dp_replay_init(&b, W64, false) == 0);
	fill(&a, mine, DIM(mine));
	dp_replay_export(&a, &old);
	/* Newer state: top moves to 130, our bits still in the window stay. */
	fill(&b, theirs, DIM(theirs));
	dp_replay_export(&b, &st);
	CU_ASSERT_EQUAL(dp_replay_import(&a, &st), 0);
	CU_ASSERT_EQUAL(a.top, 130);
	CU_ASSERT_FALSE(receive(&a, 90));		/* ours */
	CU_ASSERT_FALSE(receive(&a, 100));
	CU_ASSERT_FALSE(receive(&a, 120));		/* theirs */
	CU_ASSERT_FALSE(receive(&a, 66));		/* 130 - 64 */
	CU_ASSERT_TRUE(receive(&a, 121));
	/* A stale export never reopens or moves back. */
	CU_ASSERT_EQUAL(dp_replay_import(&a, &old), 0);
	CU_ASSERT_EQUAL(a.top, 130);
	CU_ASSERT_FALSE(receive(&a, 121));
	CU_ASSERT_FALSE(receive(&a, 130));
	/* Same top: the union of both. */
	CU_ASSERT_TRUE(receive(&b, 125));
	CU_ASSERT_TRUE(receive(&a, 110));
	dp_replay_export(&b, &st);
	CU_ASSERT_EQUAL(dp_replay_import(&a, &st), 0);
	CU_ASSERT_FALSE(receive(&a, 125));
	CU_ASSERT_FALSE(receive(&a, 110));
	CU_ASSERT_TRUE(receive(&a, 111));
	/* Older top that overlaps: its bits inside our window are merged. */
	CU_ASSERT_TRUE(receive(&b, 127));
	dp_replay_export(&b, &st);			/* top 130, 127 seen */
	CU_ASSERT_TRUE(receive(&a, 150));
	CU_ASSERT_EQUAL(dp_replay_import(&a, &st), 0);
	CU_ASSERT_EQUAL(a.top, 150);
	CU_ASSERT_FALSE(receive(&a, 127));
	CU_ASSERT_TRUE(receive(&a, 128));
	/* Far newer: everything of ours is left behind. */
	st.top = 10000;
	memset(st.bitmap, 0, sizeof(st.bitmap));
	CU_ASSERT_EQUAL(dp_replay_import(&a, &st), 0);
	CU_ASSERT_TRUE(receive(&a, 9950));
	CU_ASSERT_FALSE(receive(&a, 150));
}

/* Bits above top in an imported bitmap stand for nothing received. */
static void
test_import_bits_above_top(void)
{
	struct dp_replay_window a;
	struct dp_replay_state st;

	CU_ASSERT_FATAL(dp_replay_init(&a, W64, false) == 0);
	memset(&st, 0, sizeof(st));
	st.size = W64;
	st.top = 100;
	st.bitmap[(100 / 64) % 2] = UINT64_MAX;	/* 64..127, of which 101..127 bogus */
	CU_ASSERT_EQUAL(dp_replay_import(&a, &st), 0);
	CU_ASSERT_FALSE(receive(&a, 100));
	CU_ASSERT_FALSE(receive(&a, 64));
	CU_ASSERT_TRUE(receive(&a, 110));
	CU_ASSERT_TRUE(receive(&a, 105));
	CU_ASSERT_TRUE(receive(&a, 127));
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("replay", NULL, NULL);
	CU_add_test(s, "init sizes", test_init);
	CU_add_test(s, "table, window 64", test_table_64);
	CU_add_test(s, "edges, every window size", test_every_size);
	CU_add_test(s, "random against a reference model", test_random_against_model);
	CU_add_test(s, "burst s, s+1, s+1", test_burst_duplicate);
	CU_add_test(s, "ESN wrap across 2^32", test_esn_wrap);
	CU_add_test(s, "ESN wide window and 2^64 end", test_esn_edges);
	CU_add_test(s, "export/import round trip", test_export_import_roundtrip);
	CU_add_test(s, "import never backwards", test_import_never_backwards);
	CU_add_test(s, "import clears bits above top", test_import_bits_above_top);
	CU_add_test(s, "brief import = import of the whole window", test_import_brief);
	CU_add_test(s, "brief import, exact", test_import_brief_exact);
	return cu_run_registered();
}
