/*
 * Operator commands for the sequence state of SAs that the HA module will
 * ship between appliances (dataplane/sa.h, "IV uniqueness"): `sa export`,
 * `sa import` and `sa takeover` (docs/cli.md, "SA state"). They drive
 * dp_sa_seq_export, dp_sa_seq_import and dp_sa_take_over; never a key byte.
 *
 * Control core only (not DPDK telemetry commands): import and takeover
 * write the SA. Window fields are the owner worker's (sa.h): import them
 * into an inbound SA before ESP for it arrives, as the HA standby does.
 */
#ifndef HAGW_CTL_SA_STATE_H
#define HAGW_CTL_SA_STATE_H

#include <stddef.h>

struct json_object;

/* `sa export [NAME|SPI]`: [{"name", "spi", "direction", "out_seq",
 * "iv_epoch", "epoch_start_seq", "win_size", "win_top", "win_bitmap"}],
 * in id order; fields of the other direction are null. ctx: struct hagw. */
int ctl_cmd_sa_export(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len);

/* `sa import NAME|SPI FIELD VALUE...`: fields out_seq, iv_epoch,
 * epoch_start_seq (outbound), win_top, win_bitmap (inbound), for exactly
 * one SA; never moves the SA backwards. Answers the state after, as
 * `sa export`, with "changed". */
int ctl_cmd_sa_import(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len);

/* `sa takeover NAME|SPI NODE_BIT MARGIN`: dp_sa_take_over on exactly one
 * outbound SA; answers the previous and new iv_epoch and out_seq. */
int ctl_cmd_sa_takeover(void *ctx, int argc, char **argv, struct json_object **out, char *err,
			size_t err_len);

#endif
