/*
 * SPD internals shared by spd.c (policy table, swap and reclamation,
 * lookups), spd_acl.c (policies -> rte_acl context) and spd_client.c
 * (remote-access client prefixes in rte_lpm / rte_lpm6). Not for other
 * modules: they use spd.h.
 */
#ifndef HAGW_SPD_PRIV_H
#define HAGW_SPD_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rte_acl.h>
#include <rte_byteorder.h>

#include "dataplane/spd.h"

enum spd_family {
	SPD_V4,
	SPD_V6,
	SPD_FAMILIES,
};

enum spd_slot_state {
	SLOT_FREE,
	SLOT_USED,
	SLOT_DELETED,		/* gone from the table, maybe still in the live context */
	SLOT_RETIRED,		/* no longer in the live context, waiting for a grace period */
};

enum {
	SPD_NAME_MAX = 8,		/* chars of the SPD name; derived names must fit rings */
	SPD_OBJ_NAME_LEN = 32,
	SPD_BULK = 64,			/* flows per classify call */
	SPD_WORDS_V4 = 1,		/* 32-bit ACL fields per address */
	SPD_WORDS_V6 = 4,
	SPD_WORD_LEN = 4,
	SPD_ACL_CATEGORIES = RTE_ACL_RESULTS_MULTIPLIER,	/* classify with more than 1 */
	SPD_CAT_ALL = 0,		/* category of every rule */
	SPD_CAT_ANY_PORTS = 1,		/* category of rules with both port ranges full */
	SPD_LINEAR_MAX = 8,		/* policies of a family matched without the ACL */
};

#define SPD_NO_POLICY UINT32_MAX

/* The ACL input of one flow: addresses in network order, ports big-endian
 * (IPv4 uses the first 4 bytes of each address). */
struct spd_key {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
};

/* What a worker reads after a match. */
struct spd_hot {
	uint32_t sa_id;			/* atomic: dp_spd_set_sa */
	uint32_t action;		/* enum dp_policy_action */
};

struct spd_slot {
	struct dp_policy_params p;
	uint8_t state;			/* enum spd_slot_state */
	uint8_t fam;			/* enum spd_family */
	uint64_t token;			/* SLOT_RETIRED: QSBR token */
};

struct spd_linear;

struct spd_retired {
	struct spd_retired *next;
	struct rte_acl_ctx *ctx;
	struct spd_linear *lin;
	uint64_t token;
};

struct spd_pending6;
struct rte_hash;

struct dp_spd {
	/* Read by workers. */
	struct rte_acl_ctx *acl[SPD_FAMILIES];	/* atomic pointers */
	struct spd_linear *lin[SPD_FAMILIES];	/* atomic; set: used instead of acl */
	struct rte_lpm *lpm4;			/* atomic pointers, NULL before the */
	struct rte_lpm6 *lpm6;			/* first client of the family */
	struct rte_hash *host4;			/* IPv4 /32 clients (with lpm4), lock-free */
	struct spd_hot *hot;			/* n_slots entries */
	enum dp_policy_action default_action;
	/* Control core only. */
	const struct rte_memzone *mz;
	char name[SPD_NAME_MAX + 1];
	struct dp_spd_params p;
	struct spd_slot *slots;
	uint32_t n_slots;
	uint32_t n_used[SPD_FAMILIES];
	uint32_t n_retired_slots;
	uint32_t gen[SPD_FAMILIES];		/* contexts built per family */
	bool dirty[SPD_FAMILIES];
	unsigned int batch;
	struct spd_retired *retired;
	struct rte_acl_config acl_cfg[SPD_FAMILIES];
	/* Clients (spd_client.c). */
	unsigned int n_clients[SPD_FAMILIES];	/* in the LPM or queued */
	struct rte_hash *shadow[SPD_FAMILIES];	/* every client: prefix -> SA, pending */
	bool lpm6_gate;				/* closed: IPv6 adds wait for lpm6_token */
	uint64_t lpm6_token;
	struct spd_pending6 *pending;
	unsigned int n_pending;
	unsigned int cap_pending;
};

static inline int
dp_spd_family_index(uint8_t family)
{
	if (family == AF_INET)
		return SPD_V4;
	if (family == AF_INET6)
		return SPD_V6;
	return -1;
}

static inline unsigned int
dp_spd_words(unsigned int fam)
{
	return fam == SPD_V4 ? SPD_WORDS_V4 : SPD_WORDS_V6;
}

/* spd_acl.c: the field layout of struct spd_key for FAM, and a context
 * built from every live policy of FAM (*out NULL when there is none). */
void dp_spd_acl_config(struct rte_acl_config *c, unsigned int fam);
int dp_spd_acl_build(struct dp_spd *spd, unsigned int fam, struct rte_acl_ctx **out);

/* spd_acl.c: the live policies of FAM in lookup order, (priority, id);
 * returns their number (*ids malloc'd, NULL for none) or -ENOMEM. */
int dp_spd_sorted_policies(const struct dp_spd *spd, unsigned int fam, uint32_t **ids);

/* spd_linear.c: the same policies for a linear scan when FAM has at most
 * SPD_LINEAR_MAX (*out NULL otherwise, or when there is none); the
 * userdata of the first match for the N flows FLOWS[IDX[j]] of FAM
 * (policy id + 1, 0 for none), exactly as the ACL context answers. */
int dp_spd_linear_build(const struct dp_spd *spd, unsigned int fam, struct spd_linear **out);
void dp_spd_linear_free(struct spd_linear *t);
void dp_spd_linear_lookup(const struct spd_linear *t, const struct dp_flow *const *flows,
			  const uint8_t *idx, unsigned int n, uint32_t *ud);
/* The same answer for one IPv4 flow of an IPv4 table. */
uint32_t dp_spd_linear_match4(const struct spd_linear *t, const struct dp_flow *f);

/* spd_client.c: PROTECT results for the N flows MISS[] of FAM whose
 * destination is a client; queued IPv6 adds after a grace period; free. */
void dp_spd_clients_lookup(const struct dp_spd *spd, unsigned int fam,
			   const struct dp_flow *const *flows, const uint8_t *miss, unsigned int n,
			   struct dp_policy_result *res);
void dp_spd_clients_reclaim(struct dp_spd *spd);
/* At creation: what the client tables will need made present now. */
void dp_spd_clients_prepare(struct dp_spd *spd);
void dp_spd_clients_free(struct dp_spd *spd);

#endif
