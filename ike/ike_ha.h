/*
 * High availability of the IKE daemon (issue 5, RFC 6311): a standby
 * appliance holds passive copies of the active's IKE SAs and CHILD SAs
 * (the state records of ike_state.h, shipped after every change by the
 * IKE_EV_* hooks of ike_host.h) and continues them at takeover without
 * re-running IKE.
 *
 * Passive: ike_input() drops every datagram (counted in passive_drops),
 * ike_tick() runs nothing (no DPD, rekey, expiry, retransmission,
 * keepalive) and ike_next_deadline() says UINT64_MAX; the SAs are kept
 * and SPI lookups work, so the takeover only flips the flag.
 *
 * SK IVs (RFC 5282 §3, RFC 7634 §2): the AEAD IV of an IKE SA is its
 * 64-bit st.iv_counter, advanced by every message encrypted (a
 * retransmission resends the same bytes: no new IV). The active ships the
 * state when each exchange completes, so between the last record the
 * standby got and the failure the old active encrypted at most the
 * messages of the exchanges in flight (its window, each message up to
 * IKE_FRAG_MAX fragments) plus records lost on the HA link. The takeover
 * adds max(iv_margin, IKE_HA_IV_MARGIN_MIN) to every counter (saturating:
 * an exhausted counter refuses to encrypt, the SA then has to be rekeyed),
 * so no (key, IV) pair is used twice as long as the margin covers that.
 *
 * Message IDs (RFC 6311 §5.1): see ike_task_msgid_sync.c.
 */
#ifndef IKE_HA_H
#define IKE_HA_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike_ctx.h"
#include "ike/ike_state.h"

enum ike_ha_limits {
	/* Least SK IV advance at takeover: two window-1 exchanges of
	 * IKE_FRAG_MAX (32) fragments each way. */
	IKE_HA_IV_MARGIN_MIN = 128,
	/* A CHILD SA imported as replaced (REKEYED) goes this long after the
	 * takeover if the peer's DELETE does not come first. */
	IKE_HA_REKEYED_MS = 10000,
	/* RFC 6311 M1 advance when the caller gives none: requests of the old
	 * active whose records were lost on the HA link (at least the peer's
	 * window is added in any case, §5.1). */
	IKE_HA_MSGID_MARGIN_DEFAULT = 16,
	/* RFC 6311 syncs a takeover sends at once, and then per ike_tick(),
	 * when the caller gives no number: each is an INFORMATIONAL built,
	 * encrypted and sent (~10-20 us), and 100,000 IKE SAs in one pass held
	 * the control core ~2 s, the data path of a shared lcore with it. */
	IKE_HA_MSGID_SYNC_BURST_DEFAULT = 256,
};

struct ike_ha_stats {
	uint64_t imported;              /* IKE SA and CHILD SA records imported */
	uint64_t forgotten;             /* IKE SAs and CHILD SAs forgotten */
	uint64_t passive_drops;         /* datagrams dropped while passive */
	uint64_t takeovers;
	uint64_t msgid_syncs_sent;      /* IKEV2_MESSAGE_ID_SYNC requests we started */
	uint64_t msgid_syncs_ok;        /* ... answered with a valid response */
	uint64_t msgid_syncs_answered;  /* requests of the peer we accepted */
	uint64_t msgid_syncs_dropped;   /* replayed/stale requests, bad responses */
	uint64_t takeover_rekeys_scheduled;
	uint64_t msgid_syncs_pending;   /* of the last takeover, not sent yet */
};

struct ike_ha_takeover_opts {
	uint64_t iv_margin;             /* SK IV counter advance (at least IKE_HA_IV_MARGIN_MIN) */
	uint32_t msgid_margin;          /* RFC 6311 M1 advance, 0: IKE_HA_MSGID_MARGIN_DEFAULT */
	bool msgid_sync;                /* IKEV2_MESSAGE_ID_SYNC to peers that support it */
	uint32_t msgid_sync_burst;      /* of those sent at once and per ike_tick(); 0: default */
	uint32_t rekey_spread_s;        /* 0: none; else rekey each CHILD SA in [0, spread) s */
};

/* Enter or leave passive mode (leaving it is not a takeover: no timer is
 * re-armed; use ike_ha_takeover()). 0. */
int ike_ha_set_passive(struct ike_ctx *ctx, bool passive);
bool ike_ha_is_passive(const struct ike_ctx *ctx);

/* Create or replace (by st->id) the copy of an established IKE SA: phase
 * ESTABLISHED (a record caught in REKEYING or DELETING too: that exchange
 * is lost with the old active), no D-H, no IKE_SA_INIT messages, no
 * exchange in progress; CHILD SAs already imported are kept; the virtual
 * IP leases are taken in the pools exactly as leased (a lease another SA
 * holds moves over: an IKE SA rekey hands them on). No state event.
 * -ENOENT unknown connection (st->name), -EEXIST our SPI used by another
 * SA, -EINVAL a phase before ESTABLISHED, -EADDRINUSE a leased address
 * that is not free, -ENOMEM. */
int ike_ha_import_sa(struct ike_ctx *ctx, const struct ike_sa_state *st);
/* The same, but ST's blobs (the cached responses) become the SA's, not
 * copies: on success ST holds none (a standby's bulk sync decodes each
 * record into a scratch state and imports it: one allocation and copy
 * per blob fewer). */
int ike_ha_import_sa_take(struct ike_ctx *ctx, struct ike_sa_state *st);

/* Create or replace (by c->id, in any IKE SA: the owner may have changed)
 * a CHILD SA of the imported IKE SA c->ike_sa_id and install it through
 * the host's child_install_inbound and child_install_outbound (a
 * replacement is removed first through child_remove). No state event.
 * -ENOENT no such IKE SA or child configuration, -ENOSPC too many CHILD
 * SAs, an install error (nothing left installed). */
int ike_ha_import_child(struct ike_ctx *ctx, const struct ike_child_state *c);

/* Delete without sending anything and without state events: the CHILD
 * SAs leave the data path through child_remove, leases are released.
 * -ENOENT. */
int ike_ha_forget_sa(struct ike_ctx *ctx, uint64_t id);
int ike_ha_forget_child(struct ike_ctx *ctx, uint64_t id);

/* Become active: leave passive mode; for every IKE SA advance the SK IV
 * counter, re-arm DPD from now and the rekey/expiry/CHILD lifetimes from
 * the wall-clock times of the state, send IKEV2_MESSAGE_ID_SYNC when
 * asked and the peer announced support (to the first msgid_sync_burst
 * IKE SAs at once, to as many more on each ike_tick() until all had one:
 * ike_next_deadline() says "now" meanwhile; going passive drops the rest),
 * schedule the CHILD SA rekeys when asked, and fire IKE_EV_SA_UPDATE. The
 * number of IKE SAs, or -EINVAL. */
int ike_ha_takeover(struct ike_ctx *ctx, const struct ike_ha_takeover_opts *o);

/* RFC 6311 §5.1: start an IKEV2_MESSAGE_ID_SYNC exchange on IKE SA ID now
 * (ike_ha_takeover does it for every SA; also an operator/test hook);
 * M1 = msgid_send + max(msgid_margin or its default, the peer's window).
 * -ENOENT, -EOPNOTSUPP the peer did not announce support, -EBUSY a
 * request of ours is outstanding or the SA is not established. */
int ike_ha_msgid_sync(struct ike_ctx *ctx, uint64_t id, uint32_t msgid_margin);

const struct ike_ha_stats *ike_ha_get_stats(const struct ike_ctx *ctx);

#endif /* IKE_HA_H */
