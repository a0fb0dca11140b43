/*
 * The IKEv2 daemon (ike/, RFC 7296) hosted in hagw's control core: the
 * host operations of ike/ike_host.h on DPDK (UDP through the punt path
 * and dp_udp_send, clocks, CHILD SAs into the SAD/SPD, logging), its start
 * and stop with the daemon, its timers in the control loop, and the data
 * path's SA lifetime events (RFC 4301 §4.4.2.1) passed back to it.
 * Everything runs on the control core.
 */
#ifndef HAGW_CTL_IKE_H
#define HAGW_CTL_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_ike_child.h"
#include "control/ctl_ike_json.h"
#include "ike/ike_host.h"

struct hagw;
struct dp;
struct dp_sa;
struct ike_ctx;
struct dp_udp_dgram;

struct ctl_ike {
	struct ike_ctx *ctx;
	struct dp *dp;
	uint16_t port;			/* cfg ike.port */
	uint16_t natt_port;		/* cfg ike.natt_port */
	struct ctl_ike_children children;
	/* HA: told about every IKE SA / CHILD SA state change (ctl_ha.h). */
	void (*state_hook)(void *arg, enum ike_state_event ev, const struct ike_sa_state *sa,
			   const struct ike_child_state *child);
	void *state_hook_arg;
};

/* With cfg->ike.enabled: builds the daemon (after dp_init, the static
 * SAs and ctl_udp_start), registers its UDP ports, sets h->ike. Without: 0, h->ike
 * stays NULL. -errno with the reason in err: the daemon must not start. */
int ctl_ike_start(struct hagw *h, char *err, size_t err_len);
/* Frees the daemon (its CHILD SAs leave the SAD/SPD); before dp_fini. */
void ctl_ike_stop(struct hagw *h);

/* Sets (or clears, with NULL) the state hook. */
void ctl_ike_set_state_hook(struct ctl_ike *ike,
			    void (*hook)(void *arg, enum ike_state_event ev,
					 const struct ike_sa_state *sa,
					 const struct ike_child_state *child),
			    void *arg);

/* Control loop, each pass: runs the IKE timers when due. Work done (0/1). */
unsigned int ctl_ike_poll(struct ctl_ike *ike, uint64_t now_ms);
/* A soft or hard lifetime event of SA (DP_SA_F_SOFT/HARD_EXPIRED). */
void ctl_ike_sa_event(struct ctl_ike *ike, const struct dp_sa *sa, uint32_t flag);

/* A walker over the daemon's records for ctl_ike_json.h. */
void ctl_ike_walker(const struct ctl_ike *ike, struct ctl_ike_walker *w);

#endif
