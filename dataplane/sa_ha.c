/*
 * HA standby SAs (sa.h): an SA installed with p.standby is a copy of one
 * the active appliance uses. It is published like any SA (id, inbound SPI)
 * so the control core imports its sequence state (dp_sa_seq_import, which
 * only moves forward), but DP_SA_F_ACTIVE is clear and the workers drop
 * its packets as inactive. On takeover dp_sa_activate sets the flag; an
 * outbound SA first moves to a fresh IV epoch with its counter advanced by
 * the margin (dp_sa_take_over), so neither a sequence number the old
 * active may have used after the last sync (RFC 4303 §3.3.3) nor an IV
 * nonce (RFC 4106 §3.1, RFC 7634 §2) repeats.
 *
 * Ordering: the takeover's stores happen before the flag is set with
 * release order, and workers read the flag before they reserve numbers,
 * so no packet is sent with the old epoch after activation.
 */
#include <errno.h>

#include "dataplane/sa.h"

int
dp_sa_activate(struct dp_sad *sad, uint32_t id, uint8_t node_bit, uint64_t margin)
{
	struct dp_sa *sa = dp_sad_get(sad, id);

	if (sa == NULL)
		return -ENOENT;
	if (dp_sa_is_active(sa))
		return 0;		/* no second takeover */
	if (sa->p.dir == DP_SA_OUTBOUND)
		dp_sa_take_over(sa, node_bit, margin);
	dp_sa_set_active(sad, sa, true, __ATOMIC_RELEASE);
	return 0;
}

int
dp_sa_deactivate(struct dp_sad *sad, uint32_t id)
{
	struct dp_sa *sa = dp_sad_get(sad, id);

	if (sa == NULL)
		return -ENOENT;
	dp_sa_set_active(sad, sa, false, __ATOMIC_RELEASE);
	return 0;
}
