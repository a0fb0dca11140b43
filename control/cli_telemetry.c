/*
 * CLI commands as DPDK telemetry commands ("/hagw/show_ports"): the
 * handler's JSON converted to rte_tel_data within DPDK 22.11's limits.
 * One level of containers below the top: deeper objects and arrays are
 * flattened into "a/b/0" keys (docs/cli.md, "Telemetry").
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_telemetry.h>

#include "control/cli.h"

enum {
	CTL_TEL_MAX_CMDS = 64,
	CTL_TEL_NAME_LEN = 56,		/* DPDK 22.11 MAX_CMD_LEN */
	CTL_TEL_KEY_LEN = RTE_TEL_MAX_STRING_LEN,
	CTL_TEL_PARAMS_LEN = 1024,
};

#define CTL_TEL_PREFIX "/hagw/"
#define CTL_TEL_PATH_SEP "/"
#define CTL_TEL_ARG_SEP " ,"

/* Telemetry handlers get no context pointer: one static table. */
static struct {
	void *ctx;
	unsigned int n;
	const struct ctl_cmd *cmd[CTL_TEL_MAX_CMDS];
	char name[CTL_TEL_MAX_CMDS][CTL_TEL_NAME_LEN];
	char help[CTL_TEL_MAX_CMDS][RTE_TEL_MAX_STRING_LEN];
} tel;

/* The class of a scalar for telemetry: u64, int, or a string. */
enum tel_kind {
	TEL_KIND_U64,
	TEL_KIND_INT,
	TEL_KIND_STR,
};

static bool
is_container(struct json_object *v)
{
	return json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array);
}

static enum tel_kind
scalar_kind(struct json_object *v)
{
	int64_t i;

	if (json_object_is_type(v, json_type_boolean))
		return TEL_KIND_U64;
	if (!json_object_is_type(v, json_type_int))
		return TEL_KIND_STR;
	i = json_object_get_int64(v);
	if (i >= 0)
		return TEL_KIND_U64;
	return i >= INT_MIN ? TEL_KIND_INT : TEL_KIND_STR;
}

static uint64_t
scalar_u64(struct json_object *v)
{
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? 1 : 0;
	return json_object_get_uint64(v);
}

/* Telemetry names allow [A-Za-z0-9_/] only. */
static void
key_copy(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++) {
		char ch = src[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '/';

		dst[i] = ok ? ch : '_';
	}
	dst[i] = '\0';
}

/* Adds one scalar; null is left out. */
static void
dict_scalar(struct rte_tel_data *d, const char *key, struct json_object *v)
{
	char k[CTL_TEL_KEY_LEN];

	if (v == NULL)
		return;
	key_copy(k, sizeof(k), key);
	switch (scalar_kind(v)) {
	case TEL_KIND_U64:
		rte_tel_data_add_dict_u64(d, k, scalar_u64(v));
		break;
	case TEL_KIND_INT:
		rte_tel_data_add_dict_int(d, k, (int)json_object_get_int64(v));
		break;
	case TEL_KIND_STR:
		rte_tel_data_add_dict_string(d, k, json_object_get_string(v));
		break;
	}
}

/* Adds every scalar below v with its path ("a/b/0") as the key. */
static void
dict_flatten(struct rte_tel_data *d, const char *prefix, struct json_object *v)
{
	char path[CTL_TEL_KEY_LEN];
	const char *sep = prefix[0] != '\0' ? CTL_TEL_PATH_SEP : "";

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			snprintf(path, sizeof(path), "%s%s%s", prefix, sep, key);
			dict_flatten(d, path, val);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			snprintf(path, sizeof(path), "%s%s%zu", prefix, sep, i);
			dict_flatten(d, path, json_object_array_get_idx(v, i));
		}
	} else {
		dict_scalar(d, prefix, v);
	}
}

/* The array type that holds every element of a, or -1 if one is not a
 * scalar (or null). */
static int
array_kind(struct json_object *a)
{
	bool any_str = false, any_neg = false, any_big = false;

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		enum tel_kind k;

		if (v == NULL || is_container(v))
			return -1;
		k = scalar_kind(v);
		any_str |= k == TEL_KIND_STR;
		any_neg |= k == TEL_KIND_INT;
		any_big |= k == TEL_KIND_U64 && scalar_u64(v) > INT_MAX;
	}
	if (any_str || (any_neg && any_big))
		return TEL_KIND_STR;
	return any_neg ? TEL_KIND_INT : TEL_KIND_U64;
}

static void
array_scalars(struct rte_tel_data *d, struct json_object *a, enum tel_kind kind)
{
	static const enum rte_tel_value_type type[] = {
		[TEL_KIND_U64] = RTE_TEL_U64_VAL,
		[TEL_KIND_INT] = RTE_TEL_INT_VAL,
		[TEL_KIND_STR] = RTE_TEL_STRING_VAL,
	};

	rte_tel_data_start_array(d, type[kind]);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (kind == TEL_KIND_U64)
			rte_tel_data_add_array_u64(d, scalar_u64(v));
		else if (kind == TEL_KIND_INT)
			rte_tel_data_add_array_int(d, (int)json_object_get_int64(v));
		else
			rte_tel_data_add_array_string(d, json_object_get_string(v));
	}
}

/* A container below the top level: a scalar array, or a flat dict. */
static struct rte_tel_data *
container_new(struct json_object *v)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	int kind;

	if (c == NULL)
		return NULL;
	kind = json_object_is_type(v, json_type_array) ? array_kind(v) : -1;
	if (kind >= 0) {
		array_scalars(c, v, (enum tel_kind)kind);
	} else {
		rte_tel_data_start_dict(c);
		dict_flatten(c, "", v);
	}
	return c;
}

static void
dict_member(struct rte_tel_data *d, const char *key, struct json_object *v)
{
	struct rte_tel_data *c;
	char k[CTL_TEL_KEY_LEN];

	if (!is_container(v)) {
		dict_scalar(d, key, v);
		return;
	}
	c = container_new(v);
	key_copy(k, sizeof(k), key);
	if (c != NULL && rte_tel_data_add_dict_container(d, k, c, 0) < 0)
		rte_tel_data_free(c);
}

/* The top level: an object is a dict, an array of scalars an array, any
 * other array a dict keyed by index, a scalar a string. */
static void
tel_from_json(struct rte_tel_data *d, struct json_object *v)
{
	char key[CTL_TEL_KEY_LEN];
	int kind;

	if (v == NULL || json_object_is_type(v, json_type_object)) {
		rte_tel_data_start_dict(d);
		if (v != NULL) {
			json_object_object_foreach(v, k, val)
				dict_member(d, k, val);
		}
		return;
	}
	if (!json_object_is_type(v, json_type_array)) {
		rte_tel_data_string(d, json_object_get_string(v));
		return;
	}
	kind = array_kind(v);
	if (kind >= 0) {
		array_scalars(d, v, (enum tel_kind)kind);
		return;
	}
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(key, sizeof(key), "%zu", i);
		dict_member(d, key, json_object_array_get_idx(v, i));
	}
}

/* Splits the telemetry parameters (after the comma) into words. */
static int
params_split(const char *params, char *buf, size_t len, char **argv)
{
	char *save = NULL;
	int argc = 0;

	if (params == NULL)
		return 0;
	if (strlen(params) >= len)
		return -E2BIG;
	memcpy(buf, params, strlen(params) + 1);
	for (char *w = strtok_r(buf, CTL_TEL_ARG_SEP, &save); w != NULL;
	     w = strtok_r(NULL, CTL_TEL_ARG_SEP, &save)) {
		if (argc == CTL_MAX_ARGS)
			return -E2BIG;
		argv[argc++] = w;
	}
	return argc;
}

static const struct ctl_cmd *
tel_find(const char *name)
{
	unsigned int n = __atomic_load_n(&tel.n, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (strcmp(tel.name[i], name) == 0)
			return tel.cmd[i];
	return NULL;
}

static int
tel_error(struct rte_tel_data *d, const char *msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

static int
tel_handle(const char *name, const char *params, struct rte_tel_data *d)
{
	const struct ctl_cmd *cmd = tel_find(name);
	char buf[CTL_TEL_PARAMS_LEN], err[CTL_ERR_LEN] = "";
	char *argv[CTL_MAX_ARGS + 1] = { NULL };
	struct json_object *out = NULL;
	int argc, rc;

	if (cmd == NULL)
		return -ENOENT;
	argc = params_split(params, buf, sizeof(buf), argv);
	if (argc < 0)
		return tel_error(d, "too many parameters");
	rc = cmd->fn(tel.ctx, argc, argv, &out, err, sizeof(err));
	if (rc < 0) {
		json_object_put(out);
		return tel_error(d, err[0] != '\0' ? err : strerror(-rc));
	}
	tel_from_json(d, out);
	json_object_put(out);
	return 0;
}

/* "/hagw/" and the words joined by "_" (other characters become "_"). */
static int
tel_name(const char *command, char *name, size_t len)
{
	char words[CTL_TEL_NAME_LEN];
	int n;

	key_copy(words, sizeof(words), command);
	n = snprintf(name, len, CTL_TEL_PREFIX "%s", words);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
ctl_telemetry_register(const struct ctl_cmd *cmds, unsigned int n_cmds, void *ctx)
{
	int rc = 0;

	if (tel.n > 0)
		return -EALREADY;
	tel.ctx = ctx;
	for (unsigned int i = 0; i < n_cmds; i++) {
		unsigned int k = tel.n;
		int r;

		if (!cmds[i].telemetry || cmds[i].fn == NULL)
			continue;
		if (k == CTL_TEL_MAX_CMDS)
			return -ENOSPC;
		r = tel_name(cmds[i].command, tel.name[k], sizeof(tel.name[k]));
		snprintf(tel.help[k], sizeof(tel.help[k]), "%s", cmds[i].help ? cmds[i].help : "");
		tel.cmd[k] = &cmds[i];
		/* Visible to the telemetry thread before it can be called. */
		__atomic_store_n(&tel.n, k + 1, __ATOMIC_RELEASE);
		if (r == 0)
			r = rte_telemetry_register_cmd(tel.name[k], tel_handle, tel.help[k]);
		if (r < 0) {
			__atomic_store_n(&tel.n, k, __ATOMIC_RELEASE);
			rc = rc == 0 ? r : rc;
		}
	}
	return rc;
}
