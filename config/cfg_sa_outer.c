/*
 * The outer side of a static SA: our address (one of the ports' own
 * addresses), the peer's address of the same family, and RFC 3948 UDP
 * encapsulation with its ports (default 4500, RFC 3948 §2.1; IKE NAT-T
 * port, RFC 7296 §2.23).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	NATT_PORT = 4500,
	UDP_PORT_MIN = 1,
	UDP_PORT_MAX = 65535,
};

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int
parse_addr(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	   const struct cfg_sa *sa, struct cfg_prefix *a, config_setting_t **s)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2];
	const char *text;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_STRING, true, s) < 0)
		return -EINVAL;
	text = config_setting_get_string(*s);
	if (cfg_prefix_parse(text, AF_UNSPEC, false, 0, a, why, sizeof(why)) < 0)
		return cfg_err_sa(ctx, *s, sa, "%s '%s' %s", key, cfg_quote(text, q, sizeof(q)),
				  why);
	return 0;
}

static int
parse_addrs(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	char l[CFG_ADDR_TEXT_LEN], r[CFG_ADDR_TEXT_LEN];
	config_setting_t *ls, *rs;
	const char *problem;
	int port;

	if (parse_addr(ctx, group, "local", sa, &sa->local, &ls) < 0)
		return -EINVAL;
	cfg_prefix_format(&sa->local, true, l, sizeof(l));
	port = cfg_port_owning(ctx->cfg, &sa->local);
	if (port < 0)
		return cfg_err_sa(ctx, ls, sa, "local %s is not an address of any port", l);
	sa->port = (uint8_t)port;
	if (parse_addr(ctx, group, "remote", sa, &sa->remote, &rs) < 0)
		return -EINVAL;
	cfg_prefix_format(&sa->remote, true, r, sizeof(r));
	if (sa->remote.family != sa->local.family)
		return cfg_err_sa(ctx, rs, sa, "remote %s is %s but local %s is %s", r,
				  family_name(sa->remote.family), l, family_name(sa->local.family));
	problem = cfg_host_addr_problem(&sa->remote);
	if (problem != NULL)
		return cfg_err_sa(ctx, rs, sa, "remote %s %s", r, problem);
	port = cfg_port_owning(ctx->cfg, &sa->remote);
	if (port >= 0)
		return cfg_err_sa(ctx, rs, sa, "remote %s is an address of port '%s' (the peer "
				  "cannot be hagw itself)", r, ctx->cfg->ports[port].name);
	return 0;
}

static int
parse_udp_port(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	       const struct cfg_sa *sa, uint16_t *port)
{
	config_setting_t *s;
	int64_t v;

	*port = sa->udp_encap ? NATT_PORT : 0;
	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	if (!sa->udp_encap)
		return cfg_err_sa(ctx, s, sa, "%s is only used with udp_encap = true", key);
	if (cfg_sa_int(ctx, s, sa, key, UDP_PORT_MIN, UDP_PORT_MAX, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int
cfg_parse_sa_outer(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	if (parse_addrs(ctx, group, sa) < 0 ||
	    cfg_lookup_bool(ctx, group, "udp_encap", &sa->udp_encap) < 0 ||
	    parse_udp_port(ctx, group, "local_port", sa, &sa->local_port) < 0 ||
	    parse_udp_port(ctx, group, "remote_port", sa, &sa->remote_port) < 0)
		return -EINVAL;
	return 0;
}
