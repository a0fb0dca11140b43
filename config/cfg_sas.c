/*
 * The sas section: static (manually keyed) ESP SAs, RFC 4301 §4.4.2 and
 * RFC 4303. Each SA: a unique name, the SPI (RFC 4303 §2.1: 1..255 are
 * reserved; unique among inbound SAs), direction, mode, algorithm and
 * keys (cfg_sa_keys.c), outer addresses and UDP encapsulation
 * (cfg_sa_outer.c), ESN, the anti-replay window (RFC 4303 §3.4.3, inbound
 * only), outer DF and DSCP (RFC 4301 §8.1, RFC 2474), the owner worker,
 * lifetimes (RFC 4301 §4.4.2.1) and up to four traffic selector pairs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	SPI_MIN = 256,			/* RFC 4303 §2.1: 1..255 reserved by IANA */
	REPLAY_MIN = 64,
	REPLAY_MAX = 4096,
	REPLAY_STEP = 64,		/* the window is a bitmap of 64-bit words */
	DEFAULT_REPLAY = 64,
	DSCP_MAX = 63,
	LCORE_LIST_LEN = 128,
};

#define SPI_MAX UINT32_MAX

int
cfg_err_sa(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa,
	   const char *fmt, ...)
{
	char msg[CFG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cfg_err_setting(ctx, s, "SA \"%s\": %s", sa->name, msg);
}

int
cfg_sa_int(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa,
	   const char *what, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (cfg_get_int(ctx, s, INT64_MIN, INT64_MAX, &v) < 0)
		return -EINVAL;
	if (v < min || v > max)
		return cfg_err_sa(ctx, s, sa, "%s %" PRId64 " is out of range (%" PRId64 "..%"
				  PRId64 ")", what, v, min, max);
	*out = v;
	return 0;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int
parse_name(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_sa *sa = &ctx->cfg->sas[index];
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *name;
	size_t n;

	if (cfg_get_member(ctx, group, "name", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	name = config_setting_get_string(s);
	n = strlen(name);
	if (n == 0)
		return cfg_err_setting(ctx, s, "must not be empty");
	if (n >= CFG_NAME_LEN)
		return cfg_err_setting(ctx, s, "'%s' is too long (%zu characters, at most %d)",
				       cfg_quote(name, q, sizeof(q)), n, CFG_NAME_LEN - 1);
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]))
			return cfg_err_setting(ctx, s, "'%s' has a character other than "
					       "A-Z a-z 0-9 _ . -", cfg_quote(name, q, sizeof(q)));
	for (unsigned int i = 0; i < index; i++)
		if (strcmp(ctx->cfg->sas[i].name, name) == 0)
			return cfg_err_setting(ctx, s, "duplicate SA name '%s' (also sas[%u])",
					       name, i);
	snprintf(sa->name, sizeof(sa->name), "%s", name);
	return 0;
}

static int
parse_spi(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_sa *sa = &ctx->cfg->sas[index];
	const struct cfg_sa *other;
	config_setting_t *s;
	int64_t v;

	if (cfg_get_member(ctx, group, "spi", CONFIG_TYPE_INT, true, &s) < 0 ||
	    cfg_get_int(ctx, s, INT64_MIN, INT64_MAX, &v) < 0)
		return -EINVAL;
	if (v < SPI_MIN)
		return cfg_err_sa(ctx, s, sa, "SPI %" PRId64 " is below %d (1..255 are reserved, "
				  "RFC 4303 section 2.1)", v, SPI_MIN);
	if (v > (int64_t)SPI_MAX)
		return cfg_err_sa(ctx, s, sa, "SPI %" PRId64 " (0x%" PRIx64 ") is too large: "
				  "0xffffffff is the maximum", v, (uint64_t)v);
	sa->spi = (uint32_t)v;
	for (unsigned int i = 0; i < index && sa->dir == CFG_SA_IN; i++) {
		other = &ctx->cfg->sas[i];
		if (other->dir == CFG_SA_IN && other->spi == sa->spi)
			return cfg_err_sa(ctx, s, sa, "SPI 0x%" PRIx32 " is already used by "
					  "inbound SA \"%s\" (sas[%u])", sa->spi, other->name, i);
	}
	return 0;
}

static int
parse_kind(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	int dir = CFG_SA_IN, mode = CFG_SA_TUNNEL, alg = CFG_SA_AES_GCM_128;

	if (cfg_lookup_name(ctx, group, "direction", true, cfg_sa_dir_names, "direction", sa,
			    &dir) < 0 ||
	    cfg_lookup_name(ctx, group, "mode", false, cfg_sa_mode_names, "mode", sa,
			    &mode) < 0 ||
	    cfg_lookup_name(ctx, group, "algorithm", true, cfg_sa_alg_names, "algorithm", sa,
			    &alg) < 0)
		return -EINVAL;
	sa->dir = (enum cfg_sa_dir)dir;
	sa->mode = (enum cfg_sa_mode)mode;
	sa->alg = (enum cfg_sa_alg)alg;
	return 0;
}

/* A setting only an inbound SA may have. */
static int
inbound_only(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa,
	     const char *why)
{
	if (sa->dir == CFG_SA_IN)
		return 0;
	return cfg_err_sa(ctx, s, sa, "%s is for inbound SAs only (%s)", config_setting_name(s),
			  why);
}

static int
parse_replay(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	config_setting_t *s;
	int64_t v = DEFAULT_REPLAY;

	sa->replay_window = sa->dir == CFG_SA_IN ? DEFAULT_REPLAY : 0;
	if (cfg_get_member(ctx, group, "replay_window", CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (inbound_only(ctx, s, sa, "the receiver keeps the window") < 0 ||
	    cfg_sa_int(ctx, s, sa, "replay_window", REPLAY_MIN, REPLAY_MAX, &v) < 0)
		return -EINVAL;
	if (v % REPLAY_STEP != 0)
		return cfg_err_sa(ctx, s, sa, "replay_window %" PRId64 " is not a multiple of %d",
				  v, REPLAY_STEP);
	sa->replay_window = (uint16_t)v;
	return 0;
}

static int
parse_dscp(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	int64_t v;

	sa->dscp = CFG_NONE;
	s = config_setting_get_member((config_setting_t *)(uintptr_t)group, "dscp");
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (strcmp(config_setting_get_string(s), "copy") == 0)
			return 0;
		return cfg_err_sa(ctx, s, sa, "dscp '%s' is neither \"copy\" nor a number "
				  "0..%d", cfg_quote(config_setting_get_string(s), q, sizeof(q)),
				  DSCP_MAX);
	}
	if (cfg_sa_int(ctx, s, sa, "dscp", 0, DSCP_MAX, &v) < 0)
		return -EINVAL;
	sa->dscp = (int16_t)v;
	return 0;
}

static void
worker_lcores(const struct cfg *cfg, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < cfg->n_workers && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%u", i ? ", " : "",
				 cfg->workers[i].lcore);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int
parse_worker(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	const struct cfg *cfg = ctx->cfg;
	char list[LCORE_LIST_LEN];
	config_setting_t *s;
	int64_t lcore;

	sa->worker = CFG_NONE;
	sa->worker_lcore = CFG_NONE;
	if (cfg_get_member(ctx, group, "worker", CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (inbound_only(ctx, s, sa, "the worker that owns the replay window") < 0 ||
	    cfg_sa_int(ctx, s, sa, "worker lcore", 0, CFG_MAX_LCORE_ID, &lcore) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->n_workers; i++)
		if (cfg->workers[i].lcore == lcore) {
			sa->worker = (int)i;
			sa->worker_lcore = (int)lcore;
			return 0;
		}
	worker_lcores(cfg, list, sizeof(list));
	return cfg_err_sa(ctx, s, sa, "lcore %" PRId64 " runs no worker (workers: lcore %s)",
			  lcore, list);
}

static int
parse_options(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	int df = CFG_SA_DF_COPY;

	if (cfg_lookup_bool(ctx, group, "esn", &sa->esn) < 0 ||
	    parse_replay(ctx, group, sa) < 0 ||
	    cfg_lookup_name(ctx, group, "df", false, cfg_sa_df_names, "df", sa, &df) < 0 ||
	    parse_dscp(ctx, group, sa) < 0 || parse_worker(ctx, group, sa) < 0)
		return -EINVAL;
	sa->df = (enum cfg_sa_df)df;
	return 0;
}

static int
parse_limit(struct cfg_ctx *ctx, const config_setting_t *lt, const struct cfg_sa *sa,
	    const char *key, uint64_t *out)
{
	config_setting_t *s;
	int64_t v;

	if (cfg_get_member(ctx, lt, key, CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (cfg_sa_int(ctx, s, sa, key, 0, INT64_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

static int
check_soft(struct cfg_ctx *ctx, const config_setting_t *lt, const struct cfg_sa *sa,
	   const char *what, uint64_t soft, uint64_t hard)
{
	char key[CFG_NAME_LEN];

	if (hard == 0 || soft <= hard)
		return 0;
	snprintf(key, sizeof(key), "soft_%s", what);
	return cfg_err_sa(ctx, config_setting_get_member((config_setting_t *)(uintptr_t)lt, key),
			  sa, "soft_%s %" PRIu64 " is above hard_%s %" PRIu64, what, soft, what,
			  hard);
}

static int
parse_lifetime(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	static const char *const keys[] = {
		"soft_bytes", "hard_bytes", "soft_packets", "hard_packets", NULL
	};
	config_setting_t *lt;

	if (cfg_get_member(ctx, group, "lifetime", CONFIG_TYPE_GROUP, false, &lt) < 0)
		return -EINVAL;
	if (lt == NULL)
		return 0;
	if (cfg_check_keys(ctx, lt, keys) < 0 ||
	    parse_limit(ctx, lt, sa, "soft_bytes", &sa->soft.bytes) < 0 ||
	    parse_limit(ctx, lt, sa, "hard_bytes", &sa->hard.bytes) < 0 ||
	    parse_limit(ctx, lt, sa, "soft_packets", &sa->soft.packets) < 0 ||
	    parse_limit(ctx, lt, sa, "hard_packets", &sa->hard.packets) < 0 ||
	    check_soft(ctx, lt, sa, "bytes", sa->soft.bytes, sa->hard.bytes) < 0 ||
	    check_soft(ctx, lt, sa, "packets", sa->soft.packets, sa->hard.packets) < 0)
		return -EINVAL;
	return 0;
}

static int
parse_selectors(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	static const char *const keys[] = {
		"local", "remote", "protocol", "local_ports", "remote_ports", NULL
	};
	config_setting_t *list, *ts;

	if (cfg_get_list(ctx, group, "selectors", false, 0, CFG_SA_MAX_TS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		ts = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, ts, CONFIG_TYPE_GROUP) < 0 ||
		    cfg_check_keys(ctx, ts, keys) < 0 ||
		    cfg_parse_ts_pair(ctx, ts, &sa->ts[i]) < 0)
			return -EINVAL;
		/* Transport mode protects the packet itself: same family as the SA. */
		if (sa->mode == CFG_SA_TRANSPORT && sa->ts[i].local.family != sa->local.family)
			return cfg_err_sa(ctx, ts, sa, "a transport-mode SA between %s addresses "
					  "cannot carry %s traffic",
					  sa->local.family == AF_INET ? "IPv4" : "IPv6",
					  sa->local.family == AF_INET ? "IPv6" : "IPv4");
		sa->n_ts = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_sa(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	static const char *const keys[] = {
		"name", "spi", "direction", "mode", "algorithm", "key", "auth_key", "local",
		"remote", "udp_encap", "local_port", "remote_port", "esn", "replay_window", "df",
		"dscp", "worker", "lifetime", "selectors", NULL
	};
	struct cfg_sa *sa = &ctx->cfg->sas[index];

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, keys) < 0 || parse_name(ctx, group, index) < 0 ||
	    parse_kind(ctx, group, sa) < 0 || parse_spi(ctx, group, index) < 0 ||
	    cfg_parse_sa_keys(ctx, group, sa) < 0 || cfg_parse_sa_outer(ctx, group, sa) < 0 ||
	    parse_options(ctx, group, sa) < 0 || parse_lifetime(ctx, group, sa) < 0 ||
	    parse_selectors(ctx, group, sa) < 0)
		return -EINVAL;
	sa->line = config_setting_source_line(group);
	return 0;
}

int
cfg_parse_sas(struct cfg_ctx *ctx, const config_setting_t *sas)
{
	unsigned int n = (unsigned int)config_setting_length(sas);

	if (n > ctx->cfg->ipsec.max_sas)
		return cfg_err_setting(ctx, sas, "has %u SAs, more than ipsec.max_sas (%u)", n,
				       ctx->cfg->ipsec.max_sas);
	for (unsigned int i = 0; i < n; i++) {
		if (parse_sa(ctx, config_setting_get_elem(sas, i), i) < 0)
			return -EINVAL;
		ctx->cfg->n_sas = (uint16_t)(i + 1);
	}
	return 0;
}
