/*
 * The ike section: the IKE daemon's addresses and ports (RFC 7296 §2.11,
 * NAT-T port RFC 7296 §2.23), half-open SA limits and the cookie threshold
 * (§2.6), retransmission (§2.1), fragmentation (RFC 7383 §2.5) and the
 * window (§2.3), then pools, secrets and connections in that order. Also
 * the helpers the ike files share: names, unsigned settings, file names,
 * port addresses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	DEFAULT_PORT = 500,		/* RFC 7296 §2 */
	DEFAULT_NATT_PORT = 4500,	/* RFC 7296 §2.23 */
	DEFAULT_HALF_OPEN_MAX = 10000,
	DEFAULT_HALF_OPEN_PER_SOURCE = 20,
	DEFAULT_COOKIE_THRESHOLD = 1000,
	DEFAULT_RETRANSMIT_MS = 2000,
	DEFAULT_RETRANSMIT_TRIES = 5,
	DEFAULT_FRAGMENT_SIZE = 1280,
	DEFAULT_WINDOW = 1,		/* RFC 7296 §2.3: a peer may assume 1 */
	UDP_PORT_MIN = 1,
	UDP_PORT_MAX = 65535,
	HALF_OPEN_MAX = 1048576,
	RETRANSMIT_MS_MIN = 100,
	RETRANSMIT_MS_MAX = 60000,
	RETRANSMIT_TRIES_MAX = 20,
	FRAGMENT_MIN = 576,		/* RFC 7383 §2.5.1: IPv4 minimum */
	FRAGMENT_MAX = 65535,
	WINDOW_MAX = 32,		/* ike/ike_state.h IKE_STATE_WIN_MAX */
	HOST_BITS_V4 = 32,
	HOST_BITS_V6 = 128,
};

#define DEFAULT_RETRANSMIT_BASE 1.8
#define RETRANSMIT_BASE_MIN 1.0
#define RETRANSMIT_BASE_MAX 4.0

struct u32_field {
	const char *key;
	uint32_t min;
	uint32_t max;
	size_t off;
	size_t size;
};

#define IKE_FIELD(k, lo, hi) { #k, lo, hi, offsetof(struct cfg_ike, k), \
			       sizeof(((struct cfg_ike *)0)->k) }

static const struct u32_field fields[] = {
	IKE_FIELD(port, UDP_PORT_MIN, UDP_PORT_MAX),
	IKE_FIELD(natt_port, UDP_PORT_MIN, UDP_PORT_MAX),
	IKE_FIELD(half_open_max, 1, HALF_OPEN_MAX),
	IKE_FIELD(half_open_per_source, 1, HALF_OPEN_MAX),
	IKE_FIELD(cookie_threshold, 0, HALF_OPEN_MAX),
	IKE_FIELD(retransmit_timeout_ms, RETRANSMIT_MS_MIN, RETRANSMIT_MS_MAX),
	IKE_FIELD(retransmit_tries, 0, RETRANSMIT_TRIES_MAX),
	IKE_FIELD(fragment_size, FRAGMENT_MIN, FRAGMENT_MAX),
	IKE_FIELD(window_size, 1, WINDOW_MAX),
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const ike_keys[] = {
	"listen", "port", "natt_port", "half_open_max", "half_open_per_source",
	"cookie_threshold", "retransmit_timeout_ms", "retransmit_tries", "retransmit_base",
	"fragment_size", "window_size", "pools", "secrets", "connections", NULL
};

void
cfg_ike_set_defaults(struct cfg *cfg)
{
	memset(&cfg->ike, 0, sizeof(cfg->ike));
	cfg->ike.port = DEFAULT_PORT;
	cfg->ike.natt_port = DEFAULT_NATT_PORT;
	cfg->ike.half_open_max = DEFAULT_HALF_OPEN_MAX;
	cfg->ike.half_open_per_source = DEFAULT_HALF_OPEN_PER_SOURCE;
	cfg->ike.cookie_threshold = DEFAULT_COOKIE_THRESHOLD;
	cfg->ike.retransmit_timeout_ms = DEFAULT_RETRANSMIT_MS;
	cfg->ike.retransmit_tries = DEFAULT_RETRANSMIT_TRIES;
	cfg->ike.retransmit_base = DEFAULT_RETRANSMIT_BASE;
	cfg->ike.fragment_size = DEFAULT_FRAGMENT_SIZE;
	cfg->ike.window_size = DEFAULT_WINDOW;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

int
cfg_ike_parse_name(struct cfg_ctx *ctx, const config_setting_t *group, char *name,
		   config_setting_t **s)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	const char *text;
	size_t n;

	if (cfg_get_member(ctx, group, "name", CONFIG_TYPE_STRING, true, s) < 0)
		return -EINVAL;
	text = config_setting_get_string(*s);
	n = strlen(text);
	if (n == 0)
		return cfg_err_setting(ctx, *s, "must not be empty");
	if (n >= CFG_NAME_LEN)
		return cfg_err_setting(ctx, *s, "'%s' is too long (%zu characters, at most %d)",
				       cfg_quote(text, q, sizeof(q)), n, CFG_NAME_LEN - 1);
	for (size_t i = 0; i < n; i++)
		if (!name_char(text[i]))
			return cfg_err_setting(ctx, *s, "'%s' has a character other than "
					       "A-Z a-z 0-9 _ . -", cfg_quote(text, q, sizeof(q)));
	snprintf(name, CFG_NAME_LEN, "%s", text);
	return 0;
}

int
cfg_ike_lookup_u32(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		   uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t v = *out;

	if (cfg_lookup_int(ctx, group, key, min, max, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
cfg_ike_lookup_u64(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		   uint64_t *out)
{
	int64_t v = (int64_t)*out;

	if (cfg_lookup_int(ctx, group, key, 0, INT64_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* Relative names are taken from the main file's directory, as @include does. */
int
cfg_ike_path(struct cfg_ctx *ctx, const config_setting_t *s, char *out, size_t len)
{
	const char *text = config_setting_get_string(s);
	int n;

	if (text[0] == '\0')
		return cfg_err_setting(ctx, s, "must not be empty");
	if (text[0] == '/' || strcmp(ctx->include_dir, ".") == 0)
		n = snprintf(out, len, "%s", text);
	else if (strcmp(ctx->include_dir, "/") == 0)
		n = snprintf(out, len, "/%s", text);
	else
		n = snprintf(out, len, "%s/%s", ctx->include_dir, text);
	if (n < 0 || (size_t)n >= len)
		return cfg_err_setting(ctx, s, "path is too long (%d characters, at most %zu)",
				       n, len - 1);
	return 0;
}

static void
store_field(struct cfg_ike *ike, const struct u32_field *f, uint32_t v)
{
	uint16_t v16 = (uint16_t)v;

	if (f->size == sizeof(v16))
		memcpy((char *)ike + f->off, &v16, sizeof(v16));
	else
		memcpy((char *)ike + f->off, &v, sizeof(v));
}

static int
parse_base(struct cfg_ctx *ctx, const config_setting_t *group)
{
	config_setting_t *s = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							"retransmit_base");
	double v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else
		return cfg_err_setting(ctx, s, "expected a number, got a %s",
				       config_setting_type(s) == CONFIG_TYPE_STRING ? "string" :
				       "non-number");
	if (!(v >= RETRANSMIT_BASE_MIN && v <= RETRANSMIT_BASE_MAX))
		return cfg_err_setting(ctx, s, "%g is out of range (%.1f..%.1f)", v,
				       RETRANSMIT_BASE_MIN, RETRANSMIT_BASE_MAX);
	ctx->cfg->ike.retransmit_base = v;
	return 0;
}

static int
more_than(struct cfg_ctx *ctx, const config_setting_t *group, const char *key, uint32_t v,
	  const char *why)
{
	config_setting_t *s = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							key);

	return cfg_err_setting(ctx, s != NULL ? s : group, "%" PRIu32 " is more than "
			       "ike.half_open_max (%" PRIu32 ")%s", v,
			       ctx->cfg->ike.half_open_max, why);
}

static int
parse_scalars(struct cfg_ctx *ctx, const config_setting_t *group)
{
	struct cfg_ike *ike = &ctx->cfg->ike;
	config_setting_t *s;
	uint32_t v;

	for (unsigned int i = 0; i < N_FIELDS; i++) {
		v = 0;
		memcpy(&v, (char *)ike + fields[i].off, fields[i].size);
		if (cfg_ike_lookup_u32(ctx, group, fields[i].key, fields[i].min, fields[i].max,
				       &v) < 0)
			return -EINVAL;
		store_field(ike, &fields[i], v);
	}
	if (parse_base(ctx, group) < 0)
		return -EINVAL;
	if (ike->natt_port == ike->port) {
		s = config_setting_get_member((config_setting_t *)(uintptr_t)group, "natt_port");
		if (s != NULL)
			return cfg_err_setting(ctx, s, "%u is also ike.port (NAT-T needs a port of "
					       "its own)", ike->natt_port);
		s = config_setting_get_member((config_setting_t *)(uintptr_t)group, "port");
		return cfg_err_setting(ctx, s, "%u is also ike.natt_port (by default; NAT-T "
				       "needs a port of its own)", ike->port);
	}
	if (ike->half_open_per_source > ike->half_open_max)
		return more_than(ctx, group, "half_open_per_source", ike->half_open_per_source,
				 "");
	if (ike->cookie_threshold > ike->half_open_max)
		return more_than(ctx, group, "cookie_threshold", ike->cookie_threshold,
				 ": cookies would never be asked for");
	return 0;
}

static int
add_listen(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_prefix *a,
	   int port)
{
	struct cfg_ike *ike = &ctx->cfg->ike;

	if (ike->n_listen == CFG_IKE_MAX_LISTEN)
		return cfg_err_setting(ctx, s, "the untrusted ports have more than %d addresses "
				       "(set ike.listen)", CFG_IKE_MAX_LISTEN);
	ike->listen[ike->n_listen] = *a;
	ike->listen[ike->n_listen].len = a->family == AF_INET ? HOST_BITS_V4 : HOST_BITS_V6;
	ike->listen_port[ike->n_listen++] = (uint8_t)port;
	return 0;
}

/* The port of HA virtual address A (the ha section is parsed first), or -1. */
static int
vip_port(const struct cfg *cfg, const struct cfg_prefix *a)
{
	for (unsigned int i = 0; cfg->ha.enabled && i < cfg->ha.n_vips; i++)
		if (cfg_addr_equal(&cfg->ha.vips[i].address, a))
			return cfg->ha.vips[i].port;
	return -1;
}

/* Without ike.listen: the HA virtual addresses of untrusted ports (the
 * clients' gateway), then every address of every untrusted port, IPv4
 * first. */
static int
default_listen(struct cfg_ctx *ctx, const config_setting_t *group)
{
	const struct cfg *cfg = ctx->cfg;

	for (unsigned int i = 0; cfg->ha.enabled && i < cfg->ha.n_vips; i++) {
		const struct cfg_ha_vip *v = &cfg->ha.vips[i];

		if (cfg->ports[v->port].role == CFG_ROLE_UNTRUSTED &&
		    add_listen(ctx, group, &v->address, v->port) < 0)
			return -EINVAL;
	}

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		for (unsigned int j = 0; p->role == CFG_ROLE_UNTRUSTED && j < p->n_ipv4; j++)
			if (add_listen(ctx, group, &p->ipv4[j], (int)i) < 0)
				return -EINVAL;
		for (unsigned int j = 0; p->role == CFG_ROLE_UNTRUSTED && j < p->n_ipv6; j++)
			if (add_listen(ctx, group, &p->ipv6[j], (int)i) < 0)
				return -EINVAL;
	}
	if (ctx->cfg->ike.n_listen == 0)
		return cfg_err_setting(ctx, group, "no untrusted port has an address for IKE "
				       "to listen on");
	return 0;
}

static int
parse_listen_addr(struct cfg_ctx *ctx, const config_setting_t *s)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	const struct cfg *cfg = ctx->cfg;
	struct cfg_prefix a;
	int port;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	if (cfg_prefix_parse(config_setting_get_string(s), AF_UNSPEC, false, 0, &a, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s",
				       cfg_quote(config_setting_get_string(s), q, sizeof(q)), why);
	cfg_prefix_format(&a, true, text, sizeof(text));
	port = cfg_port_owning(cfg, &a);
	if (port < 0)
		port = vip_port(cfg, &a);	/* HA: the clients' gateway address */
	if (port < 0)
		return cfg_err_setting(ctx, s, "%s is not an address of any port or ha.vips", text);
	if (cfg->ports[port].role != CFG_ROLE_UNTRUSTED)
		return cfg_err_setting(ctx, s, "%s is an address of port '%s', which is %s (IKE "
				       "listens on untrusted ports)", text, cfg->ports[port].name,
				       cfg_role_name(cfg->ports[port].role));
	for (unsigned int i = 0; i < cfg->ike.n_listen; i++)
		if (cfg_addr_equal(&cfg->ike.listen[i], &a))
			return cfg_err_setting(ctx, s, "%s is listed twice (also ike.listen[%u])",
					       text, i);
	return add_listen(ctx, s, &a, port);
}

static int
parse_listen(struct cfg_ctx *ctx, const config_setting_t *group)
{
	config_setting_t *list;

	if (cfg_get_list(ctx, group, "listen", false, 1, CFG_IKE_MAX_LISTEN, &list) < 0)
		return -EINVAL;
	if (list == NULL)
		return default_listen(ctx, group);
	for (int i = 0; i < config_setting_length(list); i++)
		if (parse_listen_addr(ctx, config_setting_get_elem(list, i)) < 0)
			return -EINVAL;
	return 0;
}

int
cfg_parse_ike(struct cfg_ctx *ctx, const config_setting_t *ike)
{
	config_setting_t *pools, *secrets, *conns;

	ctx->cfg->ike.enabled = true;
	if (cfg_check_keys(ctx, ike, ike_keys) < 0 || parse_listen(ctx, ike) < 0 ||
	    parse_scalars(ctx, ike) < 0 ||
	    cfg_get_list(ctx, ike, "pools", false, 0, CFG_MAX_POOLS, &pools) < 0 ||
	    (pools != NULL && cfg_ike_parse_pools(ctx, pools) < 0) ||
	    cfg_get_list(ctx, ike, "secrets", false, 0, CFG_MAX_SECRETS, &secrets) < 0 ||
	    (secrets != NULL && cfg_ike_parse_secrets(ctx, secrets) < 0) ||
	    cfg_get_list(ctx, ike, "connections", false, 0, CFG_MAX_CONNECTIONS, &conns) < 0 ||
	    (conns != NULL && cfg_ike_parse_connections(ctx, conns) < 0))
		return -EINVAL;
	return 0;
}
