/*
 * From the IKE library's CHILD SA records (ike/ike_state.h) to the ESP
 * data path's SA and policy parameters (dataplane/sa.h, spd.h): the
 * algorithm of the negotiated suite (RFC 7296 §3.3.2), the KEYMAT half of
 * each direction (§2.17), the outer path with RFC 3948 UDP encapsulation
 * (§2.23), lifetimes (RFC 4301 §4.4.2.1) and traffic selectors (§3.13.1,
 * RFC 4301 §4.4.1.1), and how outbound traffic is steered to the SA: a
 * remote-access client's virtual IP (§3.15) through the SPD's client
 * table, anything else through PROTECT policies. Pure functions: no DPDK
 * call, no IKE context.
 */
#ifndef HAGW_CTL_IKE_CONV_H
#define HAGW_CTL_IKE_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "dataplane/sa.h"
#include "dataplane/udp_local.h"
#include "ike/ike_state.h"

enum {
	CTL_IKE_MAX_CLIENTS = 2,	/* a client's virtual IPv4 and IPv6 address */
	CTL_IKE_NATT_PORT = 4500,	/* RFC 3948 §2 */
	CTL_IKE_REPLAY_DEFAULT = 64,	/* inbound window when the record has none */
};

/* How the outbound traffic of a CHILD SA reaches its SA. */
struct ctl_ike_plan {
	uint8_t n_clients;		/* > 0: client prefixes, no policies */
	struct cfg_prefix clients[CTL_IKE_MAX_CLIENTS];
	uint8_t n_pairs;		/* the SA's selectors; the policies if no clients */
	struct dp_ts_pair pairs[DP_SA_MAX_TS];
};

/* An IKE address (host order port) and a dataplane UDP end, both ways. */
void ctl_ike_addr_from_udp(const struct dp_udp_end *e, struct ike_addr *a);
void ctl_ike_addr_to_udp(const struct ike_addr *a, struct dp_udp_end *e);
/* A host prefix (/32, /128) of the address; false for an unknown family. */
bool ctl_ike_addr_to_prefix(const struct ike_addr *a, struct cfg_prefix *p);

/* The data path's algorithm for a CHILD SA suite; -ENOTSUP if it has none. */
int ctl_ike_alg(const struct ike_suite *s, enum dp_sa_alg *alg);

/*
 * The selector pairs of CHILD: every local x remote selector of one
 * family, in order. -E2BIG (more than DP_SA_MAX_TS pairs), -ENOTSUP
 * (OPAQUE ports), -EINVAL (no pair), with the reason in err.
 */
int ctl_ike_ts_pairs(const struct ike_child_state *c, struct dp_ts_pair *pairs, uint8_t *n,
		     char *err, size_t err_len);

/*
 * The SA of CHILD (in IKE) for direction DIR: CC (may be NULL) gives the
 * outer DF and DSCP of the configured child. Keys: the CHILD SA's
 * initiator sends with the _i keys, the responder with the _r keys.
 * 0, or -ENOTSUP / -EINVAL / -E2BIG with the reason in err. P holds key
 * bytes: wipe it after use.
 */
int ctl_ike_sa_params(const struct ike_sa_state *ike, const struct ike_child_state *c,
		      enum dp_sa_dir dir, const struct cfg_ike_child *cc,
		      struct dp_sa_params *p, char *err, size_t err_len);

/* The path part of the SA (addresses, encapsulation) for dp_sa_update
 * after the peer moved (NAT rebinding, MOBIKE). false for an unknown
 * address family. */
bool ctl_ike_path_update(const struct ike_sa_state *ike, const struct ike_child_state *c,
			 struct dp_sa_update *u);

/*
 * Steering: clients when every remote selector is a single host, any
 * protocol and port, that is a virtual IP leased to the peer on IKE (at
 * most CTL_IKE_MAX_CLIENTS); else PROTECT policies, one per pair. The
 * pairs are filled either way. 0 or ctl_ike_ts_pairs' error.
 */
int ctl_ike_plan(const struct ike_sa_state *ike, const struct ike_child_state *c,
		 struct ctl_ike_plan *plan, char *err, size_t err_len);

#endif
