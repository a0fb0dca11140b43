/*
 * CHILD SAs in the ESP data path (RFC 7296 §2.8 make-before-break, RFC
 * 4301 §4.4): what the IKE host ops child_install_inbound/_outbound,
 * child_remove and child_update_path do to the SAD and SPD, and the table
 * child id -> (inbound SA, outbound SA, policies or client prefixes) that
 * lets them undo it. Control core only.
 *
 *   install inbound   dp_sa_add (the peer may use it as soon as our
 *                     response leaves)
 *   install outbound  dp_sa_add, then steering: client prefixes
 *                     (dp_spd_add_client, which replaces the SA of a
 *                     present prefix) or PROTECT policies; a rekey
 *                     (replaces_id) takes over the old CHILD SA's policies
 *                     with dp_spd_set_sa when the selectors are the same
 *   remove            policies, clients, both SAs
 * A failing install leaves nothing of that CHILD SA installed.
 */
#ifndef HAGW_CTL_IKE_CHILD_H
#define HAGW_CTL_IKE_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"
#include "control/ctl_ike_conv.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"
#include "ike/ike_state.h"

/* Policy priorities of IKE CHILD SAs: after every configured one (the
 * config allows 0..2^31-1), in installation order. */
enum { CTL_IKE_PRIORITY_BASE = 1u << 31 };

struct ctl_ike_kid;
struct rte_hash;

struct ctl_ike_children {
	struct dp_sad *sad;
	struct dp_spd *spd;
	const struct cfg_ike *cfg;	/* DF/DSCP of configured children; may be NULL */
	uint32_t next_priority;
	uint32_t cap;			/* slots, a power of two (0: none yet) */
	uint32_t n;
	struct ctl_ike_kid *slot;
	/* How many CHILD SAs hold each client prefix (usually 0 or 1): lets
	 * client_owner() skip its walk over every CHILD SA for a new prefix. */
	struct ctl_ike_pfx *pfx;
	uint32_t pfx_cap, pfx_n;
	bool pfx_lost;			/* out of memory once: counts not trusted */
	/* HA standby: new SAs go into the SAD inactive (dp_sa_params.standby)
	 * until a takeover activates them (control/ctl_ha_takeover.c). */
	bool standby;
	/* SAD id -> the CHILD SA holding that SA (0: none), for the HA sync
	 * of moved SAs and lifetime events; dp_sad_capacity() entries. */
	uint64_t *sa_child;
	uint32_t sa_child_n;
	/* CHILD SA id -> its SAD ids (inbound + 1 | (outbound + 1) << 32, 0:
	 * none), for the HA standby's bulk lookups (ctl_ike_child_sa_ids). */
	struct rte_hash *sa_ids;
};

/* What the table holds for one CHILD SA (for show commands and tests). */
struct ctl_ike_child_info {
	bool has_in, has_out;
	uint32_t sa_in, sa_out;		/* SAD ids */
	uint8_t n_policies;
	uint32_t policies[DP_SA_MAX_TS];
	uint8_t n_clients;
	struct cfg_prefix clients[CTL_IKE_MAX_CLIENTS];
};

/* 0, or -ENOMEM (nothing to free). */
int ctl_ike_children_init(struct ctl_ike_children *t, struct dp_sad *sad, struct dp_spd *spd,
			  const struct cfg_ike *cfg);
/* Removes whatever is still installed, frees the table. */
void ctl_ike_children_fini(struct ctl_ike_children *t);

/* 0 or a negative errno (logged with the reason). */
int ctl_ike_child_install_in(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			     const struct ike_child_state *c);
int ctl_ike_child_install_out(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			      const struct ike_child_state *c);
void ctl_ike_child_remove(struct ctl_ike_children *t, uint64_t child_id);
int ctl_ike_child_update_path(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			      const struct ike_child_state *c);

/* What is installed for CHILD_ID; false if nothing. */
bool ctl_ike_child_get(const struct ctl_ike_children *t, uint64_t child_id,
		       struct ctl_ike_child_info *info);
/* The SAD ids of N (<= CTL_IKE_SA_IDS_BULK) CHILD SAs at once (the HA
 * standby, per record of shipped sequence entries: rte_hash's bulk
 * lookup overlaps the misses): PACKED[i] as ctl_ike_child_packed_sa()
 * reads it, 0 if IDS[i] is not installed. */
enum { CTL_IKE_SA_IDS_BULK = 64 };	/* RTE_HASH_LOOKUP_BULK_MAX */
void ctl_ike_child_sa_ids(const struct ctl_ike_children *t, const uint64_t *ids, unsigned int n,
			  uint64_t *packed);
/* The SAD id of the inbound (DIR DP_SA_INBOUND) or outbound SA in PACKED;
 * false if it has none. */
static inline bool
ctl_ike_child_packed_sa(uint64_t packed, enum dp_sa_dir dir, uint32_t *sa_id)
{
	uint32_t v = (uint32_t)(dir == DP_SA_INBOUND ? packed : packed >> 32);

	*sa_id = v - 1;
	return v != 0;
}
/* The inbound SPI of the CHILD SA that SA_ID belongs to (what
 * ike_child_expired() looks for); false if no CHILD SA owns it. */
bool ctl_ike_child_spi_of_sa(const struct ctl_ike_children *t, uint32_t sa_id, uint32_t *spi);
/* The id of the CHILD SA that SAD id SA_ID belongs to, 0 if none. O(1). */
static inline uint64_t
ctl_ike_child_of_sa(const struct ctl_ike_children *t, uint32_t sa_id)
{
	return sa_id < t->sa_child_n ? t->sa_child[sa_id] : 0;
}
unsigned int ctl_ike_children_count(const struct ctl_ike_children *t);

#endif
