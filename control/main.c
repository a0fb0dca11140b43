/*
 * hagw: the appliance daemon. Validates the config (and stops there with
 * --check), claims the CLI socket, initialises EAL and the dataplane,
 * launches the workers, runs the control loop, and on SIGINT/SIGTERM or
 * "shutdown" stops workers, closes ports and removes the socket. Any error
 * before the loop runs undoes what was done and exits non-zero. The static
 * SAs' keys live in the config only until the dataplane has installed
 * them (expanded) in the SA database: then the config copy is wiped, and
 * so are the IKE pre-shared keys, which the IKE daemon (control/ctl_ike.c,
 * started after the dataplane) has copied.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/eal_args.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/sa.h"

enum { EXIT_CONFIG = 2, ERR_LEN = 512 };

static struct hagw hagw;
static bool eal_up;

static void
on_signal(int sig)
{
	(void)sig;
	hagw.stop = 1;
	hagw.dp.stop = true;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: hagw -c FILE [--check]\n"
		"  -c, --config FILE  configuration file (libconfig syntax)\n"
		"      --check        validate the configuration and exit\n"
		"  -V, --version      print the version and exit\n"
		"  -h, --help         this text\n");
}

struct options {
	const char *config;
	bool check;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'k': o->check = true; break;
		case 'V': printf("hagw %s\n", HAGW_VERSION); exit(EXIT_SUCCESS);
		case 'h': usage(stdout); exit(EXIT_SUCCESS);
		default: usage(stderr); return -1;
		}
	}
	if (o->config == NULL || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
launch_workers(struct hagw *h)
{
	for (uint16_t i = 0; i < h->dp.n_workers; i++) {
		struct dp_worker *w = h->dp.workers[i];

		if (w->lcore == rte_get_main_lcore())
			continue;
		if (rte_eal_remote_launch(dp_worker_main, w, w->lcore) != 0) {
			CTL_LOG(ERR, "cannot launch worker %u on lcore %u", i, w->lcore);
			return -1;
		}
	}
	return 0;
}

static int
start(struct hagw *h, const char *prog, char *err)
{
	struct eal_args eal;

	if (ctl_eal_args_build(&h->cfg, prog, &eal) < 0) {
		snprintf(err, ERR_LEN, "too many EAL arguments");
		return -1;
	}
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		snprintf(err, ERR_LEN, "EAL initialisation failed: %s", rte_strerror(rte_errno));
		return -1;
	}
	eal_up = true;
	if (ctl_log_init(&h->cfg.log, err, ERR_LEN) < 0)
		return -1;
	if (dp_init(&h->dp, &h->cfg, err, ERR_LEN) < 0)
		return -1;
	ctl_udp_start(h);
	/* After dp_init: the static SAs are in, IKE's CHILD SAs come next. */
	if (ctl_ike_start(h, err, ERR_LEN) < 0)
		return -1;
	/* After IKE: HA puts the static SAs and IKE in standby until the
	 * role is decided. */
	if (ctl_ha_start(h, err, ERR_LEN) < 0)
		return -1;
	ctl_telemetry_register(ctl_commands, ctl_n_commands, h);
	return 0;
}

static void
stop(struct hagw *h)
{
	h->dp.stop = true;
	ctl_server_close(h->cli);
	if (!eal_up)
		return;
	rte_eal_mp_wait_lcore();
	ctl_ha_stop(h);
	ctl_ike_stop(h);
	ctl_udp_stop(h);
	dp_fini(&h->dp);
	CTL_LOG(NOTICE, "stopped");
	ctl_log_fini();
	rte_eal_cleanup();
}

int
main(int argc, char **argv)
{
	struct options opt = { 0 };
	char err[ERR_LEN];
	int rc;

	if (parse_options(argc, argv, &opt) < 0)
		return EXIT_CONFIG;
	if (cfg_load(opt.config, &hagw.cfg, err, sizeof(err)) < 0) {
		cfg_wipe_keys(&hagw.cfg);
		cfg_ike_wipe_secrets(&hagw.cfg);
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	if (opt.check) {
		cfg_wipe_keys(&hagw.cfg);
		cfg_ike_wipe_secrets(&hagw.cfg);
		printf("%s: configuration ok\n", opt.config);
		return EXIT_SUCCESS;
	}
	/* Claim the socket first: a second hagw fails before touching ports. */
	hagw.cli = ctl_server_open(hagw.cfg.cli.socket, ctl_commands, ctl_n_commands, &hagw, err,
				   sizeof(err));
	if (hagw.cli == NULL) {
		cfg_wipe_keys(&hagw.cfg);
		cfg_ike_wipe_secrets(&hagw.cfg);
		fprintf(stderr, "hagw: %s\n", err);
		return EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	hagw.started = time(NULL);
	rc = start(&hagw, argv[0], err);
	cfg_wipe_keys(&hagw.cfg);
	cfg_ike_wipe_secrets(&hagw.cfg);	/* the IKE daemon keeps its own copy */
	if (rc < 0) {
		fprintf(stderr, "hagw: %s\n", err);
		stop(&hagw);
		return EXIT_FAILURE;
	}
	hagw.started_ms = dp_now_ms();
	if (launch_workers(&hagw) == 0) {
		CTL_LOG(NOTICE, "running: %u ports, %u workers, %u SAs, CLI on %s",
			hagw.dp.n_ifaces, hagw.dp.n_workers, dp_sad_count(hagw.dp.sad),
			hagw.cfg.cli.socket);
		ctl_loop_run(&hagw);
	}
	stop(&hagw);
	return EXIT_SUCCESS;
}
