/* Every timer of the daemon, in one place (WireGuard's timers.c idea):
 *   - retransmission of our outstanding request (RFC 7296 §2.1, §2.4):
 *     retransmit_timeout_ms × retransmit_base^n, retransmit_tries times,
 *     then the peer is dead and the SA with its CHILD SAs goes;
 *   - half-open responder SAs whose IKE_AUTH never came (§2.6);
 *   - incomplete fragmented messages (RFC 7383 §2.6);
 *   - the cookie secret's renewal (§2.6);
 *   - DPD, NAT-T keepalives, IKE/CHILD SA rekeying and lifetimes
 *     (ike_task_dpd.c). */
#ifndef IKE_TIMER_H
#define IKE_TIMER_H

#include <stdint.h>

struct ike_ctx;
struct ike_sa;

/* Run what is due at NOW_MS. */
void ike_timer_run(struct ike_ctx *ctx, uint64_t now_ms);

/* The earliest deadline, UINT64_MAX when none; with many SAs (ike_timer.c)
 * the last ike_timer_run + IKE_TIMER_SLACK_MS instead. */
uint64_t ike_timer_next(const struct ike_ctx *ctx);

#endif /* IKE_TIMER_H */
