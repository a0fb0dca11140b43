/*
 * The inbound anti-replay window (RFC 4303 §3.4.3 and Appendix A, RFC 6479
 * bitmap without shifting) with 32-bit and extended 64-bit sequence
 * numbers (ESN, RFC 4303 §3.3.3 and Appendix A2.2).
 *
 * Use per packet: dp_replay_check() before decryption (cheap, reads only),
 * then, once the ICV verified, dp_replay_update(), which checks again: in
 * a burst of s, s+1, s+1 all three pass the check, but only the first s+1
 * is accepted by the update. One writer per window (the SA's owner
 * worker); see sa.h.
 */
#ifndef HAGW_REPLAY_H
#define HAGW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum {
	DP_REPLAY_MIN = 64,		/* smallest window size in packets */
	DP_REPLAY_MAX = 4096,		/* largest window size in packets */
	DP_REPLAY_WORD_BITS = 64,
	/* RFC 6479: one spare word so advancing never clears live bits. */
	DP_REPLAY_WORDS = DP_REPLAY_MAX / DP_REPLAY_WORD_BITS + 1,
};

struct dp_replay_window {
	uint64_t top;		/* highest sequence number accepted; 0 = none yet */
	uint32_t size;		/* window size in packets, DP_REPLAY_MIN..MAX, multiple of 64 */
	uint32_t words;		/* bitmap words in use: size / 64 + 1 */
	bool esn;		/* 64-bit sequence numbers */
	uint64_t bitmap[DP_REPLAY_WORDS];	/* bit (seq % (words*64)) set = seen */
};

/* The part of a window that the HA module ships to a peer. */
struct dp_replay_state {
	uint64_t top;
	uint32_t size;
	uint64_t bitmap[DP_REPLAY_WORDS];
};

/* Sets up an empty window; size must be a multiple of 64 in 64..4096
 * (returns -EINVAL otherwise). */
int dp_replay_init(struct dp_replay_window *w, uint32_t size, bool esn);

/*
 * Before decryption. seq_lo is the 32-bit sequence number from the ESP
 * header (host order). Returns 0 and sets *seq to the full sequence number
 * (for ESN: with the high half inferred per RFC 4303 A2.2, which the ICV
 * then confirms), or -1 if it is a replay or too old (left of the window),
 * or seq 0 without ESN (RFC 4303 §3.3.3: never sent).
 */
int dp_replay_check(const struct dp_replay_window *w, uint32_t seq_lo, uint64_t *seq);

/* After the ICV verified: marks seq seen and moves the window right if
 * seq is newer. Returns 0, or -1 if seq is (now) a replay or too old. */
int dp_replay_update(struct dp_replay_window *w, uint64_t seq);

/* HA sync: which of the N (<= 64) numbers below TOP were seen, bit i for
 * top - 1 - i (none below 1), read from the live window without copying
 * it (the owner worker may be writing it: a racing read is as good as a
 * copy taken a moment earlier or later). */
uint64_t dp_replay_seen_below(const struct dp_replay_window *w, uint64_t top, unsigned int n);

/* Copies the window out / in (HA). Import only moves forward: it keeps the
 * newer of the two tops and, for the same top, the union of seen bits, so
 * a stale export never reopens a closed sequence number. */
void dp_replay_export(const struct dp_replay_window *w, struct dp_replay_state *s);
int dp_replay_import(struct dp_replay_window *w, const struct dp_replay_state *s);
/*
 * The same from the brief form the HA sync ships (dp_replay_seen_below):
 * TOP, and bit i of SEEN set when top - 1 - i was seen, for the N (<= 64)
 * numbers below it; every number below those counts as seen (closing an
 * older one costs at most a late, reordered packet; opening one could
 * admit a replay). As dp_replay_import of that window, without building
 * it: O(window words). 0, or -EINVAL (N > 64, TOP beyond 2^32 - 1
 * without ESN).
 */
int dp_replay_import_brief(struct dp_replay_window *w, uint64_t top, uint64_t seen,
			   unsigned int n);

#endif
