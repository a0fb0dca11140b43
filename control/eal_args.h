/* EAL command line built from the config's eal section and port devices. */
#ifndef HAGW_EAL_ARGS_H
#define HAGW_EAL_ARGS_H

#include "config/cfg.h"

enum { EAL_MAX_ARGS = 64 + 2 * CFG_MAX_PORTS + CFG_MAX_EAL_ARGS, EAL_ARG_LEN = 512 };

struct eal_args {
	int argc;
	char *argv[EAL_MAX_ARGS + 1];
	char buf[EAL_MAX_ARGS][EAL_ARG_LEN];
};

/* Fills args (argv[0] = prog). Returns 0 or -E2BIG. */
int ctl_eal_args_build(const struct cfg *cfg, const char *prog, struct eal_args *args);

#endif
