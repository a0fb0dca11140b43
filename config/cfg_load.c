/*
 * Loading the configuration: reads the libconfig file (with @include
 * relative to the main file's directory), validates every section into a
 * private copy and copies it out only when everything is valid. Key
 * material is zeroized in every copy this module made (libconfig's tree,
 * the file texts, the private copy with the IKE secrets read from their
 * files) whatever the outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_priv.h"

enum {
	SCRATCH_ERR_LEN = CFG_ERR_LEN,	/* used when the caller gives no buffer */
};

static const char *const top_keys[] = {
	"eal", "dataplane", "ports", "routes", "neighbors", "workers", "ipsec", "sas", "policies",
	"ike", "ha", "cli", "log", NULL
};

static void
set_include_dir(struct cfg_ctx *ctx)
{
	const char *slash = strrchr(ctx->path, '/');

	if (slash == NULL)
		snprintf(ctx->include_dir, sizeof(ctx->include_dir), ".");
	else if (slash == ctx->path)
		snprintf(ctx->include_dir, sizeof(ctx->include_dir), "/");
	else
		snprintf(ctx->include_dir, sizeof(ctx->include_dir), "%.*s",
			 (int)(slash - ctx->path), ctx->path);
	config_set_include_dir(&ctx->lc, ctx->include_dir);
}

static int
read_file(struct cfg_ctx *ctx)
{
	char name[CFG_PATH_LEN * 3];
	unsigned int lines;
	int rc;

	/* Read it once ourselves: integer literals are re-read from this text. */
	rc = cfg_file_lines(ctx, ctx->path, &lines);
	if (rc < 0)
		return cfg_err_file(ctx, ctx->path, 0, "cannot read: %s", strerror(-rc));
	set_include_dir(ctx);
	if (cfg_check_includes(ctx) < 0)
		return -EINVAL;
	if (config_read_file(&ctx->lc, ctx->path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(&ctx->lc) == CONFIG_ERR_FILE_IO)
		return cfg_err_file(ctx, ctx->path, 0, "cannot read: %s",
				    config_error_text(&ctx->lc));
	return cfg_err_file(ctx, cfg_file_name(ctx, config_error_file(&ctx->lc), name,
					       sizeof(name)),
			    (unsigned int)config_error_line(&ctx->lc), "syntax error: %s",
			    config_error_text(&ctx->lc));
}

/*
 * mbufs must cover every RX descriptor, every TX descriptor (each port has
 * one TX queue per worker) and a headroom.
 */
static int
check_mbufs(struct cfg_ctx *ctx, const config_setting_t *root)
{
	const struct cfg *cfg = ctx->cfg;
	uint64_t rx = 0, tx = (uint64_t)cfg->n_ports * cfg->n_workers * cfg->dp.tx_desc;
	const config_setting_t *s;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		rx += (uint64_t)cfg->ports[i].rx_queues * cfg->dp.rx_desc;
	if (cfg->dp.mbufs >= rx + tx + CFG_MBUF_HEADROOM)
		return 0;
	s = config_lookup(&ctx->lc, "dataplane.mbufs");
	if (s == NULL)
		s = config_lookup(&ctx->lc, "dataplane");
	if (s == NULL)
		s = config_lookup(&ctx->lc, "ports");
	return cfg_err_at(ctx, s, "dataplane.mbufs = %u is too few: the rings need %llu (%llu RX "
			  "descriptors + %u port(s) x %u worker(s) x %u TX descriptors + %d "
			  "headroom)", cfg->dp.mbufs,
			  (unsigned long long)(rx + tx + CFG_MBUF_HEADROOM), (unsigned long long)rx,
			  cfg->n_ports, cfg->n_workers, cfg->dp.tx_desc, CFG_MBUF_HEADROOM);
}

static int
parse_optional_group(struct cfg_ctx *ctx, const config_setting_t *root, const char *key,
		     int (*parse)(struct cfg_ctx *, const config_setting_t *))
{
	config_setting_t *s;

	if (cfg_get_member(ctx, root, key, CONFIG_TYPE_GROUP, false, &s) < 0)
		return -EINVAL;
	return s == NULL ? 0 : parse(ctx, s);
}

static int
parse_all(struct cfg_ctx *ctx)
{
	const config_setting_t *root = config_root_setting(&ctx->lc);
	config_setting_t *eal, *ports, *routes, *neighbors;

	if (cfg_check_keys(ctx, root, top_keys) < 0 ||
	    cfg_get_member(ctx, root, "eal", CONFIG_TYPE_GROUP, true, &eal) < 0 ||
	    cfg_parse_eal(ctx, eal) < 0 ||
	    parse_optional_group(ctx, root, "dataplane", cfg_parse_dataplane) < 0 ||
	    cfg_get_list(ctx, root, "ports", true, 1, CFG_MAX_PORTS, &ports) < 0 ||
	    cfg_parse_ports(ctx, ports) < 0 ||
	    cfg_get_list(ctx, root, "routes", false, 0, CFG_MAX_ROUTES, &routes) < 0 ||
	    (routes != NULL && cfg_parse_routes(ctx, routes) < 0) ||
	    cfg_get_list(ctx, root, "neighbors", false, 0, CFG_MAX_NEIGHBORS, &neighbors) < 0 ||
	    (neighbors != NULL && cfg_parse_neighbors(ctx, neighbors) < 0) ||
	    cfg_parse_workers(ctx, root) < 0 || cfg_parse_ipsec_sections(ctx, root) < 0 ||
	    parse_optional_group(ctx, root, "ha", cfg_parse_ha) < 0 ||
	    parse_optional_group(ctx, root, "ike", cfg_parse_ike) < 0 || cfg_ha_check_ike(ctx) < 0 ||
	    parse_optional_group(ctx, root, "cli", cfg_parse_cli) < 0 ||
	    parse_optional_group(ctx, root, "log", cfg_parse_log) < 0 ||
	    check_mbufs(ctx, root) < 0)
		return -EINVAL;
	/* Last, so that every other error in a key file checked out 0644 still shows. */
	if (cfg_check_key_files(ctx) < 0)
		return -EINVAL;
	if (cfg_ike_check_files(ctx) < 0)
		return -EINVAL;
	return cfg_ha_check_files(ctx);
}

/* The file texts kept for re-reading literals hold the keys too. */
static void
wipe_files(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->n_files; i++)
		explicit_bzero(ctx->files[i].text, ctx->files[i].len);
}

static int
load(struct cfg_ctx *ctx)
{
	int rc;

	if (strlen(ctx->path) >= sizeof(ctx->cfg->path))
		return cfg_err_file(ctx, ctx->path, 0, "path is too long (at most %zu characters)",
				    sizeof(ctx->cfg->path) - 1);
	cfg_set_defaults(ctx->cfg);
	cfg_ipsec_set_defaults(ctx->cfg);
	cfg_ike_set_defaults(ctx->cfg);
	snprintf(ctx->cfg->path, sizeof(ctx->cfg->path), "%s", ctx->path);
	rc = read_file(ctx);
	return rc < 0 ? rc : parse_all(ctx);
}

int
cfg_load(const char *path, struct cfg *cfg, char *err, size_t err_len)
{
	char scratch[SCRATCH_ERR_LEN];
	struct cfg_ctx *ctx;
	int rc;

	if (err == NULL || err_len == 0) {
		err = scratch;
		err_len = sizeof(scratch);
	}
	err[0] = '\0';
	if (path == NULL || cfg == NULL) {
		snprintf(err, err_len, "no configuration file given");
		return -EINVAL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL || (ctx->cfg = calloc(1, sizeof(*ctx->cfg))) == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(ENOMEM));
		free(ctx);
		return -ENOMEM;
	}
	ctx->path = path;
	ctx->err = err;
	ctx->err_len = err_len;
	config_init(&ctx->lc);
	rc = load(ctx);
	if (rc == 0)
		memcpy(cfg, ctx->cfg, sizeof(*cfg));
	cfg_wipe_key_text(ctx);
	config_destroy(&ctx->lc);
	wipe_files(ctx);
	cfg_files_free(ctx);
	explicit_bzero(ctx->cfg, sizeof(*ctx->cfg));
	free(ctx->cfg);
	free(ctx);
	return rc;
}
