/*
 * The HA commands (README "CLI"): show ha, ha switchover, ha resync.
 * Control core only (the node is not shared with the telemetry thread).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "control/cli.h"
#include "control/ctl_cmds_ha.h"
#include "control/ctl_ha.h"
#include "control/ctl_json.h"
#include "control/hagw.h"

static struct ctl_ha *
ha_of(void *ctx, int argc, const char *synopsis, char *err, size_t err_len)
{
	struct hagw *h = ctx;

	if (argc != 0) {
		snprintf(err, err_len, "usage: %s", synopsis);
		return NULL;
	}
	if (h->ha == NULL) {
		snprintf(err, err_len, "HA is not configured (no ha section in %s)", h->cfg.path);
		return NULL;
	}
	if (rte_lcore_id() == LCORE_ID_ANY) {
		snprintf(err, err_len, "not available over telemetry: use the CLI socket");
		return NULL;
	}
	return h->ha;
}

int
ctl_cmd_show_ha(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		size_t err_len)
{
	struct ctl_ha *ha = ha_of(ctx, argc, "show ha", err, err_len);

	if (ha == NULL)
		return -EINVAL;
	*out = ctl_ha_json(ha);
	return *out != NULL ? 0 : -ENOMEM;
}

/* VERB: "switchover" or "resync"; FN: the node's operation. */
static int
ha_op(void *ctx, int argc, const char *verb, int (*fn)(struct ha_node *n),
      struct json_object **out, char *err, size_t err_len)
{
	char synopsis[32];
	struct ctl_ha *ha;
	int rc;

	snprintf(synopsis, sizeof(synopsis), "ha %s", verb);
	ha = ha_of(ctx, argc, synopsis, err, err_len);
	if (ha == NULL)
		return -EINVAL;
	rc = fn(&ha->node);
	if (rc == -EAGAIN) {
		snprintf(err, err_len, "ha %s: not now: %s", verb,
			 verb[0] == 's' ? "this node must be active and the peer alive and in sync"
					: "this node must be standby with a session to the active");
		return rc;
	}
	if (rc < 0) {
		snprintf(err, err_len, "ha %s: %s", verb, strerror(-rc));
		return rc;
	}
	ha->next_ms = 0;
	*out = json_object_new_object();
	ADD(*out, verb, BOOL(true));
	ADD(*out, "role", STR(ha_role_name(ha_node_role(&ha->node))));
	return 0;
}

int
ctl_cmd_ha_switchover(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len)
{
	return ha_op(ctx, argc, "switchover", ha_switchover, out, err, err_len);
}

int
ctl_cmd_ha_resync(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t err_len)
{
	return ha_op(ctx, argc, "resync", ha_resync, out, err, err_len);
}
