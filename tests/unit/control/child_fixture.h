/*
 * CHILD SA states for the control tests that install them into a real
 * SAD/SPD (test_ctl_ike_host.c, test_ctl_ha_seq.c): tunnel mode,
 * AES-GCM-128 with fixed keys, SPIs 0x1000 + id in and 0x2000 + id out.
 */
#ifndef CHILD_FIXTURE_H
#define CHILD_FIXTURE_H

#include <stdint.h>

#include "ike/ike_state.h"

/* TS: the IPv4 range LO..HI, every protocol and port. */
void fixture_ts4(struct ike_ts *ts, const char *lo, const char *hi);
/* C: CHILD SA ID of IKE SA 1 named "net", LOCAL_LO..LOCAL_HI <->
 * REMOTE_LO..REMOTE_HI. */
void fixture_child_fill(struct ike_child_state *c, uint64_t id, const char *local_lo,
			const char *local_hi, const char *remote_lo, const char *remote_hi);

#endif /* CHILD_FIXTURE_H */
