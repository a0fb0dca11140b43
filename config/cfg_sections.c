/*
 * The scalar sections of the configuration: defaults, eal (lcores, memory,
 * hugepages, PCI, file prefix, extra EAL arguments), dataplane (pool, rings,
 * neighbour and ICMP limits), cli and log.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"

/* An integer setting of a section, with its range, stored at off in the section struct. */
struct int_field {
	const char *key;
	int64_t min;
	int64_t max;
	bool pow2;
	size_t off;
	size_t size;
};

#define DP_FIELD(k, lo, hi, p2) { #k, lo, hi, p2, offsetof(struct cfg_dataplane, k), \
				  sizeof(((struct cfg_dataplane *)0)->k) }

static const struct int_field dp_fields[] = {
	DP_FIELD(mbufs, 1023, 16777215, false),
	DP_FIELD(mbuf_cache, 0, 512, false),
	DP_FIELD(rx_desc, 64, 4096, true),
	DP_FIELD(tx_desc, 64, 4096, true),
	DP_FIELD(burst, 1, 64, false),
	DP_FIELD(punt_ring, 64, 65536, true),
	DP_FIELD(idle_backoff_us, 0, 100000, false),
	DP_FIELD(neigh_entries, 64, 1048576, false),
	DP_FIELD(neigh_reachable_s, 1, 3600, false),
	DP_FIELD(neigh_pending, 1, 256, false),
	DP_FIELD(neigh_pending_total, 1, 65536, false),
	DP_FIELD(icmp_rate, 0, 1000000, false),
	DP_FIELD(icmp_burst, 1, 1000000, false),
};

#define N_DP_FIELDS (sizeof(dp_fields) / sizeof(dp_fields[0]))

enum {
	MEMORY_MB_MIN = 64,
	MEMORY_MB_MAX = 1048576,
	DEFAULT_MEMORY_MB = 512,
	DEFAULT_MBUFS = 8191,
	DEFAULT_MBUF_CACHE = 256,
	DEFAULT_DESC = 1024,
	DEFAULT_BURST = 32,
	DEFAULT_PUNT_RING = 1024,
	DEFAULT_NEIGH_ENTRIES = 4096,
	DEFAULT_NEIGH_REACHABLE_S = 30,
	DEFAULT_NEIGH_PENDING = 8,
	DEFAULT_NEIGH_PENDING_TOTAL = 1024,
	DEFAULT_ICMP_RATE = 100,
	DEFAULT_ICMP_BURST = 50,
};

#define DEFAULT_FILE_PREFIX "hagw"
#define DEFAULT_CLI_SOCKET "/run/hagw/hagw.sock"

void
cfg_set_defaults(struct cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->eal.memory_mb = DEFAULT_MEMORY_MB;
	snprintf(cfg->eal.file_prefix, sizeof(cfg->eal.file_prefix), DEFAULT_FILE_PREFIX);
	cfg->dp = (struct cfg_dataplane){
		.mbufs = DEFAULT_MBUFS,
		.mbuf_cache = DEFAULT_MBUF_CACHE,
		.rx_desc = DEFAULT_DESC,
		.tx_desc = DEFAULT_DESC,
		.burst = DEFAULT_BURST,
		.punt_ring = DEFAULT_PUNT_RING,
		.idle_backoff_us = 0,
		.neigh_entries = DEFAULT_NEIGH_ENTRIES,
		.neigh_reachable_s = DEFAULT_NEIGH_REACHABLE_S,
		.neigh_pending = DEFAULT_NEIGH_PENDING,
		.neigh_pending_total = DEFAULT_NEIGH_PENDING_TOTAL,
		.icmp_rate = DEFAULT_ICMP_RATE,
		.icmp_burst = DEFAULT_ICMP_BURST,
	};
	snprintf(cfg->cli.socket, sizeof(cfg->cli.socket), DEFAULT_CLI_SOCKET);
	cfg->log.level = CFG_LOG_INFO;
}

static int
parse_lcores(struct cfg_ctx *ctx, const config_setting_t *eal)
{
	struct cfg_eal *e = &ctx->cfg->eal;
	config_setting_t *list, *elem;
	int64_t v;

	if (cfg_get_list(ctx, eal, "lcores", true, 1, CFG_MAX_LCORES, &list) < 0)
		return -EINVAL;
	for (int i = 0; i < config_setting_length(list); i++) {
		elem = config_setting_get_elem(list, i);
		if (cfg_get_int(ctx, elem, 0, CFG_MAX_LCORE_ID, &v) < 0)
			return -EINVAL;
		for (int j = 0; j < i; j++)
			if (e->lcores[j] == v)
				return cfg_err_setting(ctx, elem, "lcore %u is listed twice "
						       "(also eal.lcores[%d])", (unsigned int)v, j);
		e->lcores[e->n_lcores++] = (unsigned int)v;
	}
	return 0;
}

static int
parse_extra_args(struct cfg_ctx *ctx, const config_setting_t *eal)
{
	struct cfg_eal *e = &ctx->cfg->eal;
	config_setting_t *list, *elem;
	const char *arg;

	if (cfg_get_list(ctx, eal, "extra_args", false, 0, CFG_MAX_EAL_ARGS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		elem = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, elem, CONFIG_TYPE_STRING) < 0)
			return -EINVAL;
		arg = config_setting_get_string(elem);
		if (arg[0] == '\0')
			return cfg_err_setting(ctx, elem, "must not be empty");
		if (strlen(arg) >= CFG_EAL_ARG_LEN)
			return cfg_err_setting(ctx, elem, "is too long (%zu characters, "
					       "at most %d)", strlen(arg), CFG_EAL_ARG_LEN - 1);
		snprintf(e->extra_args[e->n_extra_args++], CFG_EAL_ARG_LEN, "%s", arg);
	}
	return 0;
}

int
cfg_parse_eal(struct cfg_ctx *ctx, const config_setting_t *eal)
{
	static const char *const keys[] = {
		"lcores", "memory_mb", "hugepages", "pci", "file_prefix", "extra_args", NULL
	};
	struct cfg_eal *e = &ctx->cfg->eal;
	const char *prefix = NULL;
	config_setting_t *s;
	int64_t mem = e->memory_mb;

	if (cfg_check_keys(ctx, eal, keys) < 0 || parse_lcores(ctx, eal) < 0 ||
	    cfg_lookup_int(ctx, eal, "memory_mb", MEMORY_MB_MIN, MEMORY_MB_MAX, &mem) < 0 ||
	    cfg_lookup_bool(ctx, eal, "hugepages", &e->hugepages) < 0 ||
	    cfg_lookup_bool(ctx, eal, "pci", &e->pci) < 0 ||
	    cfg_lookup_string(ctx, eal, "file_prefix", false, &prefix) < 0)
		return -EINVAL;
	e->memory_mb = (unsigned int)mem;
	if (prefix != NULL) {
		s = config_setting_get_member((config_setting_t *)(uintptr_t)eal, "file_prefix");
		if (cfg_check_name(ctx, s, prefix) < 0)
			return -EINVAL;
		snprintf(e->file_prefix, sizeof(e->file_prefix), "%s", prefix);
	}
	return parse_extra_args(ctx, eal);
}

static void
store_field(void *base, const struct int_field *f, int64_t v)
{
	uint16_t v16 = (uint16_t)v;
	unsigned int vu = (unsigned int)v;

	if (f->size == sizeof(v16))
		memcpy((char *)base + f->off, &v16, sizeof(v16));
	else
		memcpy((char *)base + f->off, &vu, sizeof(vu));
}

static int
parse_dp_field(struct cfg_ctx *ctx, const config_setting_t *dp, const struct int_field *f)
{
	config_setting_t *s;
	int64_t v;

	if (cfg_get_member(ctx, dp, f->key, CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (cfg_get_int(ctx, s, f->min, f->max, &v) < 0)
		return -EINVAL;
	if (f->pow2 && (v & (v - 1)) != 0)
		return cfg_err_setting(ctx, s, "%u is not a power of two", (unsigned int)v);
	store_field(&ctx->cfg->dp, f, v);
	return 0;
}

int
cfg_parse_dataplane(struct cfg_ctx *ctx, const config_setting_t *dp)
{
	const char *keys[N_DP_FIELDS + 1];
	const struct cfg_dataplane *d = &ctx->cfg->dp;
	config_setting_t *s;

	for (unsigned int i = 0; i < N_DP_FIELDS; i++)
		keys[i] = dp_fields[i].key;
	keys[N_DP_FIELDS] = NULL;
	if (cfg_check_keys(ctx, dp, keys) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < N_DP_FIELDS; i++)
		if (parse_dp_field(ctx, dp, &dp_fields[i]) < 0)
			return -EINVAL;
	if (d->neigh_pending > d->neigh_pending_total) {
		s = config_setting_get_member((config_setting_t *)(uintptr_t)dp, "neigh_pending");
		return cfg_err_setting(ctx, s != NULL ? s : dp, "%u is more than "
				       "dataplane.neigh_pending_total (%u)", d->neigh_pending,
				       d->neigh_pending_total);
	}
	return 0;
}

int
cfg_parse_cli(struct cfg_ctx *ctx, const config_setting_t *cli)
{
	static const char *const keys[] = { "socket", NULL };
	char q[CFG_PATH_LEN * 2];
	const char *path = NULL;
	config_setting_t *s;

	if (cfg_check_keys(ctx, cli, keys) < 0 ||
	    cfg_get_member(ctx, cli, "socket", CONFIG_TYPE_STRING, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	path = config_setting_get_string(s);
	if (path[0] != '/')
		return cfg_err_setting(ctx, s, "'%s' is not an absolute path",
				       cfg_quote(path, q, sizeof(q)));
	if (strlen(path) >= CFG_PATH_LEN)
		return cfg_err_setting(ctx, s, "path is too long (%zu characters, at most %d)",
				       strlen(path), CFG_PATH_LEN - 1);
	snprintf(ctx->cfg->cli.socket, sizeof(ctx->cfg->cli.socket), "%s", path);
	return 0;
}

int
cfg_parse_log(struct cfg_ctx *ctx, const config_setting_t *log)
{
	static const char *const keys[] = { "level", "file", NULL };
	struct cfg_log *l = &ctx->cfg->log;
	config_setting_t *level, *file;
	char q[CFG_ADDR_TEXT_LEN * 2];
	const char *text;

	if (cfg_check_keys(ctx, log, keys) < 0 ||
	    cfg_get_member(ctx, log, "level", CONFIG_TYPE_STRING, false, &level) < 0 ||
	    cfg_get_member(ctx, log, "file", CONFIG_TYPE_STRING, false, &file) < 0)
		return -EINVAL;
	if (level != NULL) {
		text = config_setting_get_string(level);
		if (cfg_log_level_parse(text, &l->level) < 0)
			return cfg_err_setting(ctx, level, "unknown log level '%s' (expected err, "
					       "warning, notice, info or debug)",
					       cfg_quote(text, q, sizeof(q)));
	}
	if (file != NULL) {
		text = config_setting_get_string(file);
		if (strlen(text) >= sizeof(l->file))
			return cfg_err_setting(ctx, file, "path is too long (%zu characters, "
					       "at most %zu)", strlen(text), sizeof(l->file) - 1);
		snprintf(l->file, sizeof(l->file), "%s", text);
	}
	return 0;
}
