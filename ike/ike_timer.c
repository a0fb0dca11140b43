/* The daemon's timers (see ike_timer.h): one walk over the SAs runs what
 * is due. With up to IKE_TIMER_EXACT_MAX SAs the next deadline is another
 * walk, exact. Beyond, a walk per datagram (the host asks after each one)
 * would make every IKE SA cost more the more there are: the walks are
 * then IKE_TIMER_SLACK_MS apart, plus 1 ms per IKE_TIMER_SAS_PER_MS SAs
 * (up to IKE_TIMER_SLACK_MAX_MS: a walk costs ~0.3 us per SA, so the walks
 * take a fixed ~3 % of a core whatever the number of SAs), and a timer
 * fires up to that much late. A timer wheel would do better. */
#include "ike/ike_io.h"
#include "ike/ike_task.h"
#include "ike/ike_timer.h"
#include "ike/ike_window.h"

enum {
	IKE_TIMER_EXACT_MAX = 256,
	IKE_TIMER_SLACK_MS = 100,
	IKE_TIMER_SAS_PER_MS = 100,
	IKE_TIMER_SLACK_MAX_MS = 1000,
};

static uint64_t
sa_deadline(const struct ike_ctx *ctx, const struct ike_sa *sa)
{
	uint64_t d = ike_dpd_deadline(ctx, sa), w = ike_win_deadline(sa);

	if (w < d)
		d = w;                  /* our requests' retransmissions */
	if (sa->half_open && sa->half_open_deadline_ms < d)
		d = sa->half_open_deadline_ms;
	if (sa->frag.active && sa->frag.started_ms + IKE_FRAG_TIMEOUT_MS < d)
		d = sa->frag.started_ms + IKE_FRAG_TIMEOUT_MS;
	return d;
}

/* false: the SA is gone. */
static bool
sa_run(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now)
{
	ike_frag_expire(&sa->frag, now);
	if (sa->half_open && now >= sa->half_open_deadline_ms) {
		ike_ctx_sa_delete(ctx, sa, "half-open SA timed out");
		return false;
	}
	if (ike_win_deadline(sa) > now)
		return ike_dpd_run(ctx, sa, now);
	return ike_win_retransmit(ctx, sa, now);        /* each request its own back-off */
}

void
ike_timer_run(struct ike_ctx *ctx, uint64_t now_ms)
{
	struct ike_sa *sa, *next;
	uint64_t slack;

	ike_cookie_tick(&ctx->cookie, now_ms);
	for (sa = ctx->table.all; sa != NULL; sa = next) {
		next = sa->next;
		if (sa_deadline(ctx, sa) <= now_ms)
			sa_run(ctx, sa, now_ms);
	}
	slack = IKE_TIMER_SLACK_MS + ctx->table.count / IKE_TIMER_SAS_PER_MS;
	ctx->timer_next_ms = now_ms + (slack < IKE_TIMER_SLACK_MAX_MS ? slack : IKE_TIMER_SLACK_MAX_MS);
}

uint64_t
ike_timer_next(const struct ike_ctx *ctx)
{
	const struct ike_sa *sa;
	uint64_t d = UINT64_MAX, s;

	if (ctx->table.count > IKE_TIMER_EXACT_MAX)
		return ctx->timer_next_ms;
	for (sa = ctx->table.all; sa != NULL; sa = sa->next) {
		s = sa_deadline(ctx, sa);
		if (s < d)
			d = s;
	}
	return d;
}
