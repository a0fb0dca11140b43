/*
 * Connections of the ike section: an IKE SA configuration (RFC 7296)
 * with a unique name, IKE version 2, our addresses (some of ike.listen)
 * and the peer's (%any, addresses or prefixes), the two ends and their
 * authentication (cfg_ike_auth.c), IKE proposals (§3.3), IKE SA lifetime
 * (§2.8: rekeying, reauthentication and the hard limit over_time),
 * liveness checks (§2.4), virtual IP pools (§3.15) and the virtual IPs an
 * initiator asks for (§2.19, §3.15.1: swanctl's vips), certificate requests
 * (§3.7), fragmentation (RFC 7383), MOBIKE (RFC 4555), forced UDP
 * encapsulation (RFC 3948), keying tries, uniqueness and CHILD SAs
 * (cfg_ike_child.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	IKE_VERSION = 2,
	TIME_MAX = 31536000,		/* one year, in seconds */
	DPD_MAX = 86400,
	KEYINGTRIES_MAX = 1000,
	DEFAULT_REKEY = 14400,
	DEFAULT_DPD_DELAY = 30,
	DEFAULT_DPD_TIMEOUT = 150,
	OVER_TIME_PERCENT = 10,
	PERCENT = 100,
	FAMILY_V4 = 1,			/* bits of a family mask */
	FAMILY_V6 = 2,
	HOST_V4 = 32,
	HOST_V6 = 128,
};

static const char *const conn_keys[] = {
	"name", "version", "local_addrs", "remote_addrs", "local", "remote", "proposals",
	"rekey_time", "reauth_time", "over_time", "dpd_delay", "dpd_timeout", "pools",
	"vips", "send_certreq", "send_cert", "fragmentation", "mobike", "encap", "keyingtries",
	"unique", "children", NULL
};

static const char any_addr[] = "%any";

static void
set_defaults(struct cfg_ike_conn *c)
{
	c->version = IKE_VERSION;
	c->remote_any = true;
	c->rekey_time = DEFAULT_REKEY;
	c->dpd_delay = DEFAULT_DPD_DELAY;
	c->dpd_timeout = DEFAULT_DPD_TIMEOUT;
	c->send_certreq = true;
	c->send_cert = CFG_IKE_SEND_CERT_IFASKED;
	c->fragmentation = true;
	c->keyingtries = 1;
	c->unique = CFG_IKE_UNIQUE_NO;
}

static unsigned int
family_mask(const struct cfg_prefix *a, unsigned int n)
{
	unsigned int mask = 0;

	for (unsigned int i = 0; i < n; i++)
		mask |= a[i].family == AF_INET ? FAMILY_V4 : FAMILY_V6;
	return mask;
}

static const char *
mask_name(unsigned int mask)
{
	return mask == FAMILY_V4 ? "IPv4" : mask == FAMILY_V6 ? "IPv6" : "IPv4 and IPv6";
}

static int
parse_version(struct cfg_ctx *ctx, const config_setting_t *group)
{
	config_setting_t *s;
	int64_t v;

	if (cfg_get_member(ctx, group, "version", CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (cfg_get_int(ctx, s, INT64_MIN, INT64_MAX, &v) < 0)
		return -EINVAL;
	if (v != IKE_VERSION)
		return cfg_err_setting(ctx, s, "IKE version %lld is not supported (only 2)",
				       (long long)v);
	return 0;
}

static int
parse_local_addr(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_conn *c,
		 unsigned int i)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	const struct cfg_ike *ike = &ctx->cfg->ike;
	struct cfg_prefix *a = &c->local_addrs[i];
	bool listed = false;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	cfg_quote(config_setting_get_string(s), q, sizeof(q));
	if (cfg_prefix_parse(config_setting_get_string(s), AF_UNSPEC, false, 0, a, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", q, why);
	cfg_prefix_format(a, true, text, sizeof(text));
	for (unsigned int j = 0; j < ike->n_listen; j++)
		listed = listed || cfg_addr_equal(&ike->listen[j], a);
	if (!listed)
		return cfg_err_setting(ctx, s, "%s is not one of ike.listen", text);
	for (unsigned int j = 0; j < i; j++)
		if (cfg_addr_equal(&c->local_addrs[j], a))
			return cfg_err_setting(ctx, s, "%s is listed twice (also local_addrs[%u])",
					       text, j);
	return 0;
}

static int
parse_local_addrs(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	const struct cfg_ike *ike = &ctx->cfg->ike;
	config_setting_t *list;

	if (cfg_get_list(ctx, group, "local_addrs", false, 1, CFG_IKE_MAX_ADDRS, &list) < 0)
		return -EINVAL;
	if (list == NULL) {
		memcpy(c->local_addrs, ike->listen, sizeof(ike->listen[0]) * ike->n_listen);
		c->n_local_addrs = ike->n_listen;
		return 0;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		if (parse_local_addr(ctx, config_setting_get_elem(list, i), c, (unsigned int)i) < 0)
			return -EINVAL;
		c->n_local_addrs = (uint8_t)(i + 1);
	}
	return 0;
}

/* A host: not special-purpose, not ours. A prefix: no host bits. */
static int
parse_remote_addr(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_conn *c,
		  unsigned int i)
{
	struct cfg_prefix *a = &c->remote_addrs[i];
	char text[CFG_ADDR_TEXT_LEN];
	const char *problem;
	bool host;
	int port;

	if (cfg_parse_ts_prefix(ctx, s, a) < 0)
		return -EINVAL;
	host = a->len == (a->family == AF_INET ? HOST_V4 : HOST_V6);
	cfg_prefix_format(a, host, text, sizeof(text));
	problem = host ? cfg_host_addr_problem(a) : NULL;
	if (problem != NULL)
		return cfg_err_setting(ctx, s, "remote address %s %s", text, problem);
	port = cfg_port_owning(ctx->cfg, a);
	if (port >= 0)
		return cfg_err_setting(ctx, s, "%s is an address of port '%s' (the peer cannot "
				       "be hagw itself)", text, ctx->cfg->ports[port].name);
	for (unsigned int j = 0; j < i; j++)
		if (cfg_prefix_equal(&c->remote_addrs[j], a))
			return cfg_err_setting(ctx, s, "%s is listed twice (also remote_addrs[%u])",
					       text, j);
	return 0;
}

static int
parse_remote_addrs(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	unsigned int local, remote;
	config_setting_t *list, *s;

	if (cfg_get_list(ctx, group, "remote_addrs", false, 1, CFG_IKE_MAX_ADDRS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
			return -EINVAL;
		if (strcmp(config_setting_get_string(s), any_addr) == 0 &&
		    config_setting_length(list) == 1)
			return 0;
		if (strcmp(config_setting_get_string(s), any_addr) == 0)
			return cfg_err_setting(ctx, s, "%%any cannot be combined with addresses");
		if (parse_remote_addr(ctx, s, c, (unsigned int)i) < 0)
			return -EINVAL;
		c->n_remote_addrs = (uint8_t)(i + 1);
		c->remote_any = false;
	}
	local = family_mask(c->local_addrs, c->n_local_addrs);
	remote = family_mask(c->remote_addrs, c->n_remote_addrs);
	if (list != NULL && (local & remote) == 0)
		return cfg_err_setting(ctx, list, "has only %s addresses, local_addrs only %s",
				       mask_name(remote), mask_name(local));
	return 0;
}

static int
parse_times(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	config_setting_t *over = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							   "over_time");
	uint32_t longest;

	if (cfg_ike_lookup_u32(ctx, group, "rekey_time", 0, TIME_MAX, &c->rekey_time) < 0 ||
	    cfg_ike_lookup_u32(ctx, group, "reauth_time", 0, TIME_MAX, &c->reauth_time) < 0 ||
	    cfg_ike_lookup_u32(ctx, group, "over_time", 0, TIME_MAX, &c->over_time) < 0 ||
	    cfg_ike_lookup_u32(ctx, group, "dpd_delay", 0, DPD_MAX, &c->dpd_delay) < 0 ||
	    cfg_ike_lookup_u32(ctx, group, "dpd_timeout", 0, DPD_MAX, &c->dpd_timeout) < 0)
		return -EINVAL;
	longest = c->rekey_time > c->reauth_time ? c->rekey_time : c->reauth_time;
	if (over == NULL)
		c->over_time = longest / (PERCENT / OVER_TIME_PERCENT);
	return 0;
}

static int
parse_pool_refs(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	const struct cfg_ike *ike = &ctx->cfg->ike;
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *list, *s;
	unsigned int p;

	if (cfg_get_list(ctx, group, "pools", false, 1, CFG_IKE_MAX_CONN_POOLS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
			return -EINVAL;
		for (p = 0; p < ike->n_pools; p++)
			if (strcmp(ike->pools[p].name, config_setting_get_string(s)) == 0)
				break;
		if (p == ike->n_pools)
			return cfg_err_setting(ctx, s, "unknown pool '%s'",
					       cfg_quote(config_setting_get_string(s), q,
							 sizeof(q)));
		for (int j = 0; j < i; j++)
			if (c->pools[j] == p)
				return cfg_err_setting(ctx, s, "pool '%s' is listed twice (also "
						       "pools[%d])", ike->pools[p].name, j);
		c->pools[i] = (uint8_t)p;
		c->n_pools = (uint8_t)(i + 1);
	}
	return 0;
}

/* One of vips: an address ("0.0.0.0", "::": any of that family), one
 * per family. */
static int
parse_vip(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_conn *c,
	  unsigned int i)
{
	static const uint8_t zero[sizeof(c->vips[0].addr)];
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	struct cfg_prefix *a = &c->vips[i];
	const char *problem = NULL;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	cfg_quote(config_setting_get_string(s), q, sizeof(q));
	if (cfg_prefix_parse(config_setting_get_string(s), AF_UNSPEC, false, 0, a, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", q, why);
	cfg_prefix_format(a, true, text, sizeof(text));
	if (memcmp(a->addr.bytes, zero, sizeof(zero)) != 0)
		problem = cfg_host_addr_problem(a);
	if (problem != NULL)
		return cfg_err_setting(ctx, s, "virtual IP %s %s", text, problem);
	for (unsigned int j = 0; j < i; j++)
		if (c->vips[j].family == a->family)
			return cfg_err_setting(ctx, s, "a second %s virtual IP (also vips[%u]): "
					       "one per family", a->family == AF_INET ? "IPv4" :
					       "IPv6", j);
	return 0;
}

/* RFC 7296 §2.19: the virtual IPs an initiator asks for in IKE_AUTH. */
static int
parse_vips(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	config_setting_t *list;

	if (cfg_get_list(ctx, group, "vips", false, 1, CFG_IKE_MAX_VIPS, &list) < 0)
		return -EINVAL;
	if (list != NULL && c->remote_any)
		return cfg_err_setting(ctx, list, "virtual IPs are asked for by an initiator, but "
				       "remote_addrs is %%any: this connection only responds");
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		if (parse_vip(ctx, config_setting_get_elem(list, i), c, (unsigned int)i) < 0)
			return -EINVAL;
		c->n_vips = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_options(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	int send = (int)c->send_cert, unique = (int)c->unique;

	if (cfg_lookup_bool(ctx, group, "send_certreq", &c->send_certreq) < 0 ||
	    cfg_lookup_name(ctx, group, "send_cert", false, cfg_ike_send_cert_names,
			    "send_cert", NULL, &send) < 0 ||
	    cfg_lookup_bool(ctx, group, "fragmentation", &c->fragmentation) < 0 ||
	    cfg_lookup_bool(ctx, group, "mobike", &c->mobike) < 0 ||
	    cfg_lookup_bool(ctx, group, "encap", &c->encap) < 0 ||
	    cfg_ike_lookup_u32(ctx, group, "keyingtries", 0, KEYINGTRIES_MAX,
			       &c->keyingtries) < 0 ||
	    cfg_lookup_name(ctx, group, "unique", false, cfg_ike_unique_names, "unique", NULL,
			    &unique) < 0)
		return -EINVAL;
	c->send_cert = (enum cfg_ike_send_cert)send;
	c->unique = (enum cfg_ike_unique)unique;
	return 0;
}

static int
parse_children(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_conn *c)
{
	config_setting_t *list;

	if (cfg_get_list(ctx, group, "children", false, 0, CFG_MAX_CHILDREN, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		if (cfg_ike_parse_child(ctx, config_setting_get_elem(list, i), c,
					(unsigned int)i) < 0)
			return -EINVAL;
		c->n_children = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_conn(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ike_conn *c = &ctx->cfg->ike.connections[index];
	config_setting_t *name;

	set_defaults(c);
	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, conn_keys) < 0 ||
	    cfg_ike_parse_name(ctx, group, c->name, &name) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < index; i++)
		if (strcmp(ctx->cfg->ike.connections[i].name, c->name) == 0)
			return cfg_err_setting(ctx, name, "duplicate connection name '%s' (also "
					       "ike.connections[%u])", c->name, i);
	if (parse_version(ctx, group) < 0 || parse_local_addrs(ctx, group, c) < 0 ||
	    parse_remote_addrs(ctx, group, c) < 0 || cfg_ike_parse_ends(ctx, group, c) < 0 ||
	    cfg_ike_parse_proposals(ctx, group, "proposals", false, cfg_ike_default_proposals,
				    cfg_ike_n_default_proposals, c->proposals,
				    &c->n_proposals) < 0 ||
	    parse_times(ctx, group, c) < 0 || parse_pool_refs(ctx, group, c) < 0 ||
	    parse_vips(ctx, group, c) < 0 || parse_options(ctx, group, c) < 0 ||
	    parse_children(ctx, group, c) < 0)
		return -EINVAL;
	c->line = config_setting_source_line(group);
	return 0;
}

int
cfg_ike_parse_connections(struct cfg_ctx *ctx, const config_setting_t *conns)
{
	for (int i = 0; i < config_setting_length(conns); i++) {
		if (parse_conn(ctx, config_setting_get_elem(conns, i), (unsigned int)i) < 0)
			return -EINVAL;
		ctx->cfg->ike.n_connections = (uint8_t)(i + 1);
	}
	return 0;
}
