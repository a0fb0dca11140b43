/* Time for the dataplane and control core: milliseconds from the TSC, and
 * the token bucket that rate-limits ICMP errors (RFC 1812 §4.3.2.8). */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>

#include "dataplane/dp.h"

enum { DP_MS_PER_S = 1000, DP_MILLI_TOKENS = 1000 };

/* TSC cycles per millisecond: fixed once EAL runs. Every thread that
 * finds it unset computes the same value, so the race is benign. */
static uint64_t tsc_per_ms;

uint64_t
dp_now_ms(void)
{
	uint64_t per_ms = __atomic_load_n(&tsc_per_ms, __ATOMIC_RELAXED);

	if (unlikely(per_ms == 0)) {
		per_ms = rte_get_tsc_hz() / DP_MS_PER_S;
		__atomic_store_n(&tsc_per_ms, per_ms, __ATOMIC_RELAXED);
	}
	return rte_get_tsc_cycles() / per_ms;
}

bool
dp_token_take(struct dp_token_bucket *tb, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)tb->burst * DP_MILLI_TOKENS;

	if (now_ms > tb->last_ms) {
		/* rate tokens per second = rate milli-tokens per ms */
		tb->tokens_milli += (now_ms - tb->last_ms) * tb->rate;
		if (tb->tokens_milli > cap)
			tb->tokens_milli = cap;
		tb->last_ms = now_ms;
	}
	if (tb->tokens_milli < DP_MILLI_TOKENS)
		return false;
	tb->tokens_milli -= DP_MILLI_TOKENS;
	return true;
}
