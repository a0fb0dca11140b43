/*
 * The HA commands of the CLI: show ha, ha switchover, ha resync.
 * Handlers for control/ctl_cmds.c (ctx: struct hagw). Without an ha
 * section they answer "HA is not configured".
 */
#ifndef HAGW_CTL_CMDS_HA_H
#define HAGW_CTL_CMDS_HA_H

#include <stddef.h>

struct json_object;

int ctl_cmd_show_ha(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		    size_t err_len);
int ctl_cmd_ha_switchover(void *ctx, int argc, char **argv, struct json_object **out,
			  char *err, size_t err_len);
int ctl_cmd_ha_resync(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len);

#endif
