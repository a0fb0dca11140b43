/* The daemon's state, shared by the control loop and the CLI commands. */
#ifndef HAGW_HAGW_H
#define HAGW_HAGW_H

#include <signal.h>
#include <time.h>

#include "config/cfg.h"
#include "control/ctl_udp.h"
#include "dataplane/dp.h"

struct ctl_server;
struct ctl_ike;
struct ctl_ha;

struct hagw {
	struct cfg cfg;
	struct dp dp;
	struct ctl_server *cli;
	struct ctl_ike *ike;		/* NULL: no ike section (control/ctl_ike.h) */
	struct ctl_ha *ha;		/* NULL: no ha section (control/ctl_ha.h) */
	struct ctl_udp udp;		/* UDP services on the control core (control/ctl_udp.h) */
	volatile sig_atomic_t stop;	/* set by signals and "shutdown" */
	time_t started;
	uint64_t started_ms;
	uint64_t eth_stats_base_reset;	/* times "clear stats" ran */
};

/* The command table served on the CLI socket (control/ctl_cmds.c). */
extern const struct ctl_cmd ctl_commands[];
extern const unsigned int ctl_n_commands;

/* Runs the control loop on the main lcore (and worker 0's loop too when
 * the main lcore is the only one) until h->stop. */
void ctl_loop_run(struct hagw *h);

#endif
