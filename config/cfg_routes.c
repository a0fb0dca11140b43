/*
 * The routes section: static IPv4/IPv6 routes, each a prefix without host
 * bits, an output port and an optional next hop inside one of that port's
 * subnets (a next hop must be a neighbour the port can resolve). The port
 * reference and the on-link check are shared with the static neighbours
 * (cfg_neighbors.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int
parse_prefix(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int route)
{
	struct cfg_route *r = &ctx->cfg->routes[route];
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	struct cfg_prefix fixed;
	config_setting_t *s;
	const char *value;

	if (cfg_get_member(ctx, group, "prefix", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	value = config_setting_get_string(s);
	if (cfg_prefix_parse(value, AF_UNSPEC, true, 0, &r->prefix, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(value, q, sizeof(q)), why);
	if (cfg_prefix_has_host_bits(&r->prefix)) {
		fixed = r->prefix;
		cfg_prefix_mask(&fixed);
		cfg_prefix_format(&fixed, false, text, sizeof(text));
		return cfg_err_setting(ctx, s, "'%s' has host bits set (did you mean %s?)",
				       cfg_quote(value, q, sizeof(q)), text);
	}
	for (unsigned int i = 0; i < route; i++)
		if (cfg_prefix_equal(&ctx->cfg->routes[i].prefix, &r->prefix)) {
			cfg_prefix_format(&r->prefix, false, text, sizeof(text));
			return cfg_err_setting(ctx, s, "duplicate route prefix %s "
					       "(also routes[%u])", text, i);
		}
	return 0;
}

/* The required "port" setting of GROUP names a port: its index in *port. */
int
cfg_lookup_port(struct cfg_ctx *ctx, const config_setting_t *group, uint8_t *port)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *name;
	int index;

	if (cfg_get_member(ctx, group, "port", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	name = config_setting_get_string(s);
	index = cfg_port_find(ctx->cfg, name);
	if (index < 0)
		return cfg_err_setting(ctx, s, "unknown port '%s'", cfg_quote(name, q, sizeof(q)));
	*port = (uint8_t)index;
	return 0;
}

/* A next hop or neighbour must be on-link: inside a subnet of the port, not the port itself. */
int
cfg_check_on_link(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_prefix *addr,
		  uint8_t port, const char *what)
{
	const struct cfg_port *p = &ctx->cfg->ports[port];
	const struct cfg_prefix *list = addr->family == AF_INET ? p->ipv4 : p->ipv6;
	unsigned int n = addr->family == AF_INET ? p->n_ipv4 : p->n_ipv6;
	char text[CFG_ADDR_TEXT_LEN];
	bool inside = false;

	cfg_prefix_format(addr, true, text, sizeof(text));
	for (unsigned int i = 0; i < n; i++) {
		if (cfg_addr_equal(&list[i], addr))
			return cfg_err_setting(ctx, s, "%s %s is an address of port '%s' itself",
					       what, text, p->name);
		inside = inside || cfg_prefix_contains(&list[i], addr);
	}
	if (n == 0)
		return cfg_err_setting(ctx, s, "%s %s is not inside a subnet of port '%s' "
				       "(it has no %s address)", what, text, p->name,
				       family_name(addr->family));
	if (!inside)
		return cfg_err_setting(ctx, s, "%s %s is not inside a subnet of port '%s'",
				       what, text, p->name);
	return 0;
}

static int
parse_via(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int route)
{
	struct cfg_route *r = &ctx->cfg->routes[route];
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	config_setting_t *s;
	const char *value;

	if (cfg_get_member(ctx, group, "via", CONFIG_TYPE_STRING, false, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	value = config_setting_get_string(s);
	if (cfg_prefix_parse(value, AF_UNSPEC, false, 0, &r->via, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(value, q, sizeof(q)), why);
	if (r->via.family != r->prefix.family) {
		cfg_prefix_format(&r->prefix, false, text, sizeof(text));
		return cfg_err_setting(ctx, s, "next hop %s is %s but the prefix %s is %s",
				       cfg_quote(value, q, sizeof(q)), family_name(r->via.family),
				       text, family_name(r->prefix.family));
	}
	r->has_via = true;
	return cfg_check_on_link(ctx, s, &r->via, r->port, "next hop");
}

int
cfg_parse_routes(struct cfg_ctx *ctx, const config_setting_t *routes)
{
	static const char *const keys[] = { "prefix", "via", "port", NULL };
	const config_setting_t *group;

	for (int i = 0; i < config_setting_length(routes); i++) {
		group = config_setting_get_elem(routes, i);
		if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
		    cfg_check_keys(ctx, group, keys) < 0 ||
		    parse_prefix(ctx, group, (unsigned int)i) < 0 ||
		    cfg_lookup_port(ctx, group, &ctx->cfg->routes[i].port) < 0 ||
		    parse_via(ctx, group, (unsigned int)i) < 0)
			return -EINVAL;
		ctx->cfg->routes[i].line = config_setting_source_line(group);
		ctx->cfg->n_routes = (uint16_t)(i + 1);
	}
	return 0;
}
