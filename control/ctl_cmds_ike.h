/*
 * The IKE commands of the CLI (docs/cli.md, "IKE"): show ike-sas, show
 * child-sas, show ike stats, initiate, terminate ike|child, rekey
 * ike|child. Handlers for control/ctl_cmds.c (ctx: struct hagw); control
 * core only (the IKE context is not shared with the telemetry thread).
 * Without an ike section they answer "IKE is not configured".
 */
#ifndef HAGW_CTL_CMDS_IKE_H
#define HAGW_CTL_CMDS_IKE_H

#include <stddef.h>

struct json_object;

int ctl_cmd_show_ike_sas(void *ctx, int argc, char **argv, struct json_object **out,
			 char *err, size_t err_len);
int ctl_cmd_show_child_sas(void *ctx, int argc, char **argv, struct json_object **out,
			   char *err, size_t err_len);
int ctl_cmd_show_ike_stats(void *ctx, int argc, char **argv, struct json_object **out,
			   char *err, size_t err_len);
int ctl_cmd_initiate(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		     size_t err_len);
int ctl_cmd_terminate_ike(void *ctx, int argc, char **argv, struct json_object **out,
			  char *err, size_t err_len);
int ctl_cmd_terminate_child(void *ctx, int argc, char **argv, struct json_object **out,
			    char *err, size_t err_len);
int ctl_cmd_rekey_ike(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len);
int ctl_cmd_rekey_child(void *ctx, int argc, char **argv, struct json_object **out,
			char *err, size_t err_len);

#endif
