/*
 * The security policy database (RFC 4301 §4.4.1, §5.1, §5.2): which
 * traffic is protected by which SA, passed in clear, or discarded.
 *
 * Two tables answer an outbound lookup, first match wins:
 *   1. policies with full traffic selectors (protocol, address ranges,
 *      port ranges), ordered by priority: rte_acl, one context per family
 *      (a family of at most 8 policies is scanned linearly instead, with
 *      the same answers);
 *   2. remote-access clients: destination prefix (a client's virtual IP)
 *      -> outbound SA, rte_lpm / rte_lpm6; tens of thousands of entries
 *      without an ACL rebuild per client.
 * No match: the configured default action (BYPASS or DISCARD).
 *
 * The same policies, read in the reverse direction, decide about inbound
 * traffic that arrives in clear (RFC 4301 §5.2 step 3b/4): the first
 * policy that covers its reply decides; if that is PROTECT, it should have
 * come through ESP and is dropped, and so is traffic a DISCARD policy
 * covers. From a remote-access client's address it is PROTECT too; with
 * no policy and no client, the default action.
 *
 * Only the control core writes. A change builds a new ACL context and
 * swaps a pointer; the old one is freed after a QSBR grace period. LPM
 * updates are in place (rte_lpm is safe for one writer, many readers). A
 * PROTECT policy names its SA by id; rekeying swaps the id atomically.
 * The control core also keeps a shadow table of the client prefixes (with
 * the SA and whether an IPv6 add still waits for a grace period) for
 * dp_spd_client_foreach: the LPMs cannot be listed.
 */
#ifndef HAGW_SPD_H
#define HAGW_SPD_H

#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"
#include "dataplane/sa.h"

struct rte_rcu_qsbr;

enum dp_policy_action {
	DP_POLICY_BYPASS,
	DP_POLICY_DISCARD,
	DP_POLICY_PROTECT,
};

/* The selector fields of one IP packet, as the SPD and the SA selector
 * check read them. Addresses in network order (IPv4 in the first 4
 * bytes), ports in host order; for ICMP/ICMPv6 sport = type, dport = code;
 * for non-first fragments ports are unknown (opaque) and only policies
 * with full port ranges match. */
struct dp_flow {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t proto;
	bool ports_opaque;		/* non-first fragment */
	uint16_t sport;
	uint16_t dport;
	uint8_t src[16];
	uint8_t dst[16];
};

struct dp_policy_params {
	uint32_t priority;		/* lower first */
	enum dp_policy_action action;
	struct dp_ts local;		/* outbound source (our protected side) */
	struct dp_ts remote;		/* outbound destination */
	uint32_t sa_id;			/* PROTECT: outbound SA */
};

/* The answer to a lookup. */
struct dp_policy_result {
	enum dp_policy_action action;
	uint32_t sa_id;			/* PROTECT */
	uint32_t policy_id;		/* which policy matched; UINT32_MAX: default or client */
};

struct dp_spd;

struct dp_spd_params {
	unsigned int max_policies;	/* ACL rules per family */
	unsigned int max_clients;	/* remote-access prefixes per family */
	enum dp_policy_action default_action;	/* BYPASS or DISCARD */
	struct rte_rcu_qsbr *qsbr;	/* NULL: single-threaded use (tests) */
	int socket;
};

/* NAME: 1..8 characters, unique per process (the SPD's memzone, ACL
 * contexts, LPMs and hashes are named after it; a second SPD of the same
 * name fails while the first exists). NULL with rte_errno on error. */
struct dp_spd *dp_spd_create(const char *name, const struct dp_spd_params *p);
void dp_spd_free(struct dp_spd *spd);

/* Control core. Returns 0 and the policy id, -EINVAL, -ENOSPC. The ACL is
 * rebuilt at once (batch several adds with dp_spd_batch_begin/end). */
int dp_spd_add(struct dp_spd *spd, const struct dp_policy_params *p, uint32_t *id);
int dp_spd_delete(struct dp_spd *spd, uint32_t id);
void dp_spd_batch_begin(struct dp_spd *spd);
int dp_spd_batch_end(struct dp_spd *spd);
/* Rekey: PROTECT policy id now uses sa_id (atomic for workers). */
int dp_spd_set_sa(struct dp_spd *spd, uint32_t id, uint32_t sa_id);

/* Control core: remote-access client prefix -> outbound SA. Host bits of
 * the prefix are ignored. Adding a present prefix replaces its SA (rekey).
 * 0, -EINVAL (prefix, or sa_id beyond the LPM next hop: 2^24 IPv4, 2^21
 * IPv6), -ENOSPC (max_clients of the family), -ENOMEM; delete: -ENOENT. */
int dp_spd_add_client(struct dp_spd *spd, const struct cfg_prefix *prefix, uint32_t sa_id);
int dp_spd_delete_client(struct dp_spd *spd, const struct cfg_prefix *prefix);

/* Control core: frees retired ACL contexts whose grace period passed. */
void dp_spd_reclaim(struct dp_spd *spd);

/* Workers: outbound decision for n flows (any n, families may mix). */
void dp_spd_lookup_out(const struct dp_spd *spd, const struct dp_flow *const *flows,
		       unsigned int n, struct dp_policy_result *res);
/* Workers: the decision for a clear-text inbound flow F (not from ESP),
 * RFC 4301 §5.2 step 3b: the action of the first policy that matches the
 * reversed flow (F's reply as it would go out: BYPASS, DISCARD or
 * PROTECT), else PROTECT if F's source is inside a client prefix, else the
 * default action. Anything but BYPASS means drop: PROTECT traffic should
 * have arrived through ESP, DISCARD traffic is discarded in both
 * directions. An unknown family gets the default action. */
enum dp_policy_action dp_spd_lookup_in(const struct dp_spd *spd, const struct dp_flow *f);
/* Workers: dp_spd_lookup_in for n flows (any n, families may mix). */
void dp_spd_lookup_in_bulk(const struct dp_spd *spd, const struct dp_flow *const *flows,
			   unsigned int n, enum dp_policy_action *act);
/* Workers: no policy and no client exists, so every lookup in either
 * direction gives the default action. Lets the fast path skip extracting
 * flows when there is nothing to look up. */
bool dp_spd_empty(const struct dp_spd *spd);
/* Workers: dp_spd_lookup_in(spd, f) == DP_POLICY_PROTECT (it should have
 * arrived through ESP). */
bool dp_spd_requires_protection(const struct dp_spd *spd, const struct dp_flow *f);

/* Control core: the policies in id order. Start with *iter = 0; each call
 * gives the next live policy (its id and parameters) and advances *iter;
 * false at the end (and for spd NULL). Policies added or deleted meanwhile
 * may or may not be seen; the others are seen exactly once. The slot array
 * never moves, so a QSBR reader on another thread (show spd over
 * telemetry) may walk it too: it ends, but a policy changed at that moment
 * may be read half old, half new. */
bool dp_spd_next(const struct dp_spd *spd, uint32_t *iter, uint32_t *id,
		 struct dp_policy_params *p);
bool dp_spd_get(const struct dp_spd *spd, uint32_t id, struct dp_policy_params *p);
uint32_t dp_spd_policy_count(const struct dp_spd *spd);
/* The answer when no policy or client matches (dp_spd_params). */
enum dp_policy_action dp_spd_default_action(const struct dp_spd *spd);

/* Control core: the client prefixes, counting queued IPv6 adds. */
unsigned int dp_spd_client_count(const struct dp_spd *spd);
/* Control core: calls CB for every client prefix (host bits clear): its
 * SA, and PENDING when it is an IPv6 add that waits for the grace period
 * after an IPv6 delete (counted, not yet in lookups). IPv4 first, then
 * IPv6; no order within a family. CB must not change the SPD's clients; a
 * non-zero return stops the walk and is returned. 0 after the last. */
int dp_spd_client_foreach(const struct dp_spd *spd,
			  int (*cb)(const struct cfg_prefix *prefix, uint32_t sa_id,
				    bool pending, void *arg),
			  void *arg);

const char *dp_policy_action_name(enum dp_policy_action a);

#endif
