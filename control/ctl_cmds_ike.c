/*
 * The IKE commands (ctl_cmds_ike.h): operator views of the IKE SAs and
 * CHILD SAs (ctl_ike_json.c) and the operator triggers of RFC 7296:
 * initiate (§1.2), delete (§1.4.1) and rekey (§1.3.2, §2.8) by id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <rte_lcore.h>

#include "control/cli.h"
#include "control/ctl_cmds_ike.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/ctl_json.h"
#include "control/ctl_page.h"
#include "control/hagw.h"
#include "ike/ike_ctx.h"

/* The daemon's IKE, or NULL with the reason in err. */
static struct ctl_ike *
ike_of(void *ctx, char *err, size_t err_len)
{
	struct hagw *h = ctx;

	if (h->ike == NULL) {
		snprintf(err, err_len, "IKE is not configured (no ike section in %s)",
			 h->cfg.path);
		return NULL;
	}
	if (rte_lcore_id() == LCORE_ID_ANY) {
		snprintf(err, err_len, "not available over telemetry: use the CLI socket");
		return NULL;
	}
	return h->ike;
}

/* The daemon's IKE for a command that makes it send: not on an HA
 * standby, whose IKE SAs are passive copies of the active's. */
static struct ctl_ike *
ike_sender_of(void *ctx, char *err, size_t err_len)
{
	struct hagw *h = ctx;
	struct ctl_ike *ike = ike_of(ctx, err, err_len);

	if (ike != NULL && !ctl_ha_active(h->ha)) {
		snprintf(err, err_len, "this appliance is not the HA active: run it there");
		return NULL;
	}
	return ike;
}

static int
usage(const char *synopsis, char *err, size_t err_len)
{
	snprintf(err, err_len, "usage: %s", synopsis);
	return -EINVAL;
}

/* ---- show ---- */

enum show_kind { SHOW_SAS, SHOW_CHILDREN, SHOW_STATS };

static int
show(void *ctx, int argc, char **argv, const char *synopsis, enum show_kind kind,
     struct json_object **out, char *err, size_t err_len)
{
	struct ctl_ike_page page = { 0, 0 };
	struct ctl_ike *ike;
	struct ctl_ike_walker w;
	uint64_t now = (uint64_t)time(NULL);

	/* The lists take an optional page: FROM [COUNT]. */
	if ((kind == SHOW_STATS && argc > 0) ||
	    !ctl_page_parse(argc, argv, &page.from, &page.count))
		return usage(synopsis, err, err_len);
	ike = ike_of(ctx, err, err_len);
	if (ike == NULL)
		return -ENOTSUP;
	ctl_ike_walker(ike, &w);
	if (kind == SHOW_SAS)
		*out = ctl_ike_sas_json(&w, now, &page);
	else if (kind == SHOW_CHILDREN)
		*out = ctl_ike_children_json(&w, now, &page);
	else
		*out = ctl_ike_stats_json(&w, ike_get_stats(ike->ctx),
					  ike_half_open_count(ike->ctx));
	return *out != NULL ? 0 : -ENOMEM;
}

int
ctl_cmd_show_ike_sas(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		     size_t err_len)
{
	return show(ctx, argc, argv, "show ike-sas [FROM [COUNT]]", SHOW_SAS, out, err, err_len);
}

int
ctl_cmd_show_child_sas(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		       size_t err_len)
{
	return show(ctx, argc, argv, "show child-sas [FROM [COUNT]]", SHOW_CHILDREN, out, err,
		    err_len);
}

int
ctl_cmd_show_ike_stats(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		       size_t err_len)
{
	return show(ctx, argc, argv, "show ike stats", SHOW_STATS, out, err, err_len);
}

/* ---- triggers ---- */

int
ctl_cmd_initiate(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		 size_t err_len)
{
	struct ctl_ike *ike;
	const char *child = argc == 2 ? argv[1] : NULL;
	int rc;

	if (argc < 1 || argc > 2)
		return usage("initiate CONNECTION [CHILD]", err, err_len);
	ike = ike_sender_of(ctx, err, err_len);
	if (ike == NULL)
		return -ENOTSUP;
	rc = ike_initiate(ike->ctx, argv[0], child);
	if (rc == -ENOENT) {
		if (child != NULL)
			snprintf(err, err_len, "no connection '%s' with a child '%s'", argv[0],
				 child);
		else
			snprintf(err, err_len, "no connection '%s'", argv[0]);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, err_len, "initiate %s: %s", argv[0], strerror(-rc));
		return rc;
	}
	*out = json_object_new_object();
	ADD(*out, "connection", STR(argv[0]));
	ADD(*out, "child", child != NULL ? STR(child) : NULL);
	ADD(*out, "initiated", json_object_new_boolean(true));
	return 0;
}

/* terminate/rekey ike|child ID: WHAT names the SA kind in messages. */
static int
by_id(void *ctx, int argc, char **argv, const char *verb, const char *what,
      int (*fn)(struct ike_ctx *c, uint64_t id), struct json_object **out, char *err,
      size_t err_len)
{
	struct ctl_ike *ike;
	uint64_t id;
	int rc;

	if (argc != 1 || !ctl_parse_u64(argv[0], &id)) {
		snprintf(err, err_len, "usage: %s %s ID", verb, what);
		return -EINVAL;
	}
	ike = ike_sender_of(ctx, err, err_len);
	if (ike == NULL)
		return -ENOTSUP;
	rc = fn(ike->ctx, id);
	if (rc == -ENOENT) {
		snprintf(err, err_len, "no %s SA with id %s", what[0] == 'i' ? "IKE" : "CHILD",
			 argv[0]);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, err_len, "%s %s %s: %s", verb, what, argv[0], strerror(-rc));
		return rc;
	}
	*out = json_object_new_object();
	ADD(*out, what[0] == 'i' ? "ike_sa" : "child_sa", U64(id));
	ADD(*out, verb[0] == 't' ? "terminating" : "rekeying", json_object_new_boolean(true));
	return 0;
}

int
ctl_cmd_terminate_ike(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		      size_t err_len)
{
	return by_id(ctx, argc, argv, "terminate", "ike", ike_terminate_ike, out, err, err_len);
}

int
ctl_cmd_terminate_child(void *ctx, int argc, char **argv, struct json_object **out, char *err,
			size_t err_len)
{
	return by_id(ctx, argc, argv, "terminate", "child", ike_terminate_child, out, err,
		     err_len);
}

int
ctl_cmd_rekey_ike(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t err_len)
{
	return by_id(ctx, argc, argv, "rekey", "ike", ike_rekey_ike, out, err, err_len);
}

int
ctl_cmd_rekey_child(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		    size_t err_len)
{
	return by_id(ctx, argc, argv, "rekey", "child", ike_rekey_child, out, err, err_len);
}
