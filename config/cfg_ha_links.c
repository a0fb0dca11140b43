/*
 * The links and virtual IPs of the ha section: the sync link (on the port
 * of role sync) and up to three data links (other ports), each with our own
 * address on the port and the peer's in the same subnet; one to eight VIPs,
 * each an extra address inside a subnet of a non-sync port (ARP, RFC 826,
 * and neighbour discovery, RFC 4861, answer for it on that port), never a
 * port's own address, a peer's address or listed twice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

static const char *const link_keys[] = { "port", "local", "peer", NULL };
static const char *const vip_keys[] = { "port", "address", NULL };

static config_setting_t *
member(const config_setting_t *group, const char *key)
{
	return config_setting_get_member((config_setting_t *)(uintptr_t)group, key);
}

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* The address of port P (with its prefix length) whose subnet holds A, or NULL. */
static const struct cfg_prefix *
port_subnet(const struct cfg_port *p, const struct cfg_prefix *a)
{
	const struct cfg_prefix *list = a->family == AF_INET ? p->ipv4 : p->ipv6;
	unsigned int n = a->family == AF_INET ? p->n_ipv4 : p->n_ipv6;

	for (unsigned int i = 0; i < n; i++)
		if (cfg_prefix_contains(&list[i], a))
			return &list[i];
	return NULL;
}

/* The required plain address KEY of GROUP. */
static int
parse_addr(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	   struct cfg_prefix *a, config_setting_t **s)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2];
	const char *text;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_STRING, true, s) < 0)
		return -EINVAL;
	text = config_setting_get_string(*s);
	if (cfg_prefix_parse(text, AF_UNSPEC, false, 0, a, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, *s, "'%s' %s", cfg_quote(text, q, sizeof(q)), why);
	return 0;
}

/* The entry of port P that is address A itself (with its prefix length), or NULL. */
static const struct cfg_prefix *
port_own(const struct cfg_port *p, const struct cfg_prefix *a)
{
	const struct cfg_prefix *list = a->family == AF_INET ? p->ipv4 : p->ipv6;
	unsigned int n = a->family == AF_INET ? p->n_ipv4 : p->n_ipv6;

	for (unsigned int i = 0; i < n; i++)
		if (cfg_addr_equal(&list[i], a))
			return &list[i];
	return NULL;
}

/* Network, broadcast, multicast ... as an address inside SUBNET. */
static const char *
addr_problem(const struct cfg_prefix *a, const struct cfg_prefix *subnet)
{
	struct cfg_prefix in = *a;

	in.len = subnet->len;
	return cfg_host_addr_problem(&in);
}

static int
parse_local(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ha_link *l)
{
	const struct cfg *cfg = ctx->cfg;
	char text[CFG_ADDR_TEXT_LEN];
	config_setting_t *s;
	int owner;

	if (parse_addr(ctx, group, "local", &l->local, &s) < 0)
		return -EINVAL;
	cfg_prefix_format(&l->local, true, text, sizeof(text));
	owner = cfg_port_owning(cfg, &l->local);
	if (owner < 0)
		return cfg_err_setting(ctx, s, "%s is not an address of port '%s' (local is our "
				       "own address on the link)", text, cfg->ports[l->port].name);
	if (owner != l->port)
		return cfg_err_setting(ctx, s, "%s is an address of port '%s', not of '%s'", text,
				       cfg->ports[owner].name, cfg->ports[l->port].name);
	return 0;
}

static int
parse_peer(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ha_link *l)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_prefix *subnet = port_own(&cfg->ports[l->port], &l->local);
	char text[CFG_ADDR_TEXT_LEN], local[CFG_ADDR_TEXT_LEN];
	const char *problem;
	config_setting_t *s;
	int owner;

	if (parse_addr(ctx, group, "peer", &l->peer, &s) < 0)
		return -EINVAL;
	cfg_prefix_format(&l->peer, true, text, sizeof(text));
	if (l->peer.family != l->local.family) {
		cfg_prefix_format(&l->local, true, local, sizeof(local));
		return cfg_err_setting(ctx, s, "peer %s is %s but local %s is %s", text,
				       family_name(l->peer.family), local,
				       family_name(l->local.family));
	}
	owner = cfg_port_owning(cfg, &l->peer);
	if (owner >= 0)
		return cfg_err_setting(ctx, s, "peer %s is an address of port '%s' (the peer "
				       "cannot be hagw itself)", text, cfg->ports[owner].name);
	if (subnet == NULL || !cfg_prefix_contains(subnet, &l->peer)) {
		cfg_prefix_format(subnet != NULL ? subnet : &l->local, false, local,
				  sizeof(local));
		return cfg_err_setting(ctx, s, "peer %s is not in the subnet of local (%s)", text,
				       local);
	}
	problem = addr_problem(&l->peer, subnet);
	if (problem != NULL)
		return cfg_err_setting(ctx, s, "peer %s %s", text, problem);
	return 0;
}

/* A link group: the sync link (is_sync) on the sync port, data links elsewhere. */
static int
parse_link(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ha_link *l,
	   bool is_sync)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_port *p;

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, link_keys) < 0 || cfg_lookup_port(ctx, group, &l->port) < 0)
		return -EINVAL;
	p = &cfg->ports[l->port];
	if (is_sync && p->role != CFG_ROLE_SYNC)
		return cfg_err_setting(ctx, member(group, "port"), "port '%s' is %s, not sync "
				       "(the sync link needs the port of role sync)", p->name,
				       cfg_role_name(p->role));
	if (!is_sync && p->role == CFG_ROLE_SYNC)
		return cfg_err_setting(ctx, member(group, "port"), "port '%s' is the sync port "
				       "(ha.sync; data links are on the other ports)", p->name);
	if (parse_local(ctx, group, l) < 0 || parse_peer(ctx, group, l) < 0)
		return -EINVAL;
	l->line = config_setting_source_line(group);
	return 0;
}

static int
parse_links(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *list, *group;

	if (cfg_get_list(ctx, ha, "links", false, 0, CFG_HA_MAX_LINKS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		group = config_setting_get_elem(list, i);
		if (parse_link(ctx, group, &h->links[i], false) < 0)
			return -EINVAL;
		for (int j = 0; j < i; j++)
			if (h->links[j].port == h->links[i].port)
				return cfg_err_setting(ctx, member(group, "port"), "port '%s' "
						       "already has a link (ha.links[%d])",
						       ctx->cfg->ports[h->links[i].port].name, j);
		h->n_links = (uint8_t)(i + 1);
	}
	return 0;
}

/* A VIP must not be the peer's address on any link. */
static int
check_not_peer(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_prefix *a,
	       const char *text)
{
	const struct cfg_ha *h = &ctx->cfg->ha;

	if (cfg_addr_equal(&h->sync.peer, a))
		return cfg_err_setting(ctx, s, "VIP %s is the peer's address (ha.sync.peer)",
				       text);
	for (unsigned int i = 0; i < h->n_links; i++)
		if (cfg_addr_equal(&h->links[i].peer, a))
			return cfg_err_setting(ctx, s, "VIP %s is the peer's address "
					       "(ha.links[%u].peer)", text, i);
	return 0;
}

static int
check_vip_addr(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int index)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_ha_vip *v = &cfg->ha.vips[index];
	char text[CFG_ADDR_TEXT_LEN];
	const char *problem;
	int owner;

	cfg_prefix_format(&v->address, true, text, sizeof(text));
	owner = cfg_port_owning(cfg, &v->address);
	if (owner >= 0)
		return cfg_err_setting(ctx, s, "VIP %s is an address of port '%s' (a VIP is an "
				       "extra address, not a port's own)", text,
				       cfg->ports[owner].name);
	if (cfg_check_on_link(ctx, s, &v->address, v->port, "VIP") < 0)
		return -EINVAL;
	problem = addr_problem(&v->address, port_subnet(&cfg->ports[v->port], &v->address));
	if (problem != NULL)
		return cfg_err_setting(ctx, s, "VIP %s %s", text, problem);
	for (unsigned int i = 0; i < index; i++)
		if (cfg_addr_equal(&cfg->ha.vips[i].address, &v->address))
			return cfg_err_setting(ctx, s, "VIP %s is listed twice (also "
					       "ha.vips[%u])", text, i);
	return check_not_peer(ctx, s, &v->address, text);
}

static int
parse_vip(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ha_vip *v = &ctx->cfg->ha.vips[index];
	const struct cfg_port *p;
	config_setting_t *s;

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, vip_keys) < 0 || cfg_lookup_port(ctx, group, &v->port) < 0)
		return -EINVAL;
	p = &ctx->cfg->ports[v->port];
	if (p->role == CFG_ROLE_SYNC)
		return cfg_err_setting(ctx, member(group, "port"), "port '%s' is the sync port "
				       "(VIPs are on the other ports)", p->name);
	if (parse_addr(ctx, group, "address", &v->address, &s) < 0 ||
	    check_vip_addr(ctx, s, index) < 0)
		return -EINVAL;
	v->line = config_setting_source_line(group);
	return 0;
}

int
cfg_ha_parse_links(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *sync, *vips;

	if (cfg_get_member(ctx, ha, "sync", CONFIG_TYPE_GROUP, true, &sync) < 0 ||
	    parse_link(ctx, sync, &h->sync, true) < 0 || parse_links(ctx, ha) < 0 ||
	    cfg_get_list(ctx, ha, "vips", true, 1, CFG_HA_MAX_VIPS, &vips) < 0)
		return -EINVAL;
	for (int i = 0; i < config_setting_length(vips); i++) {
		if (parse_vip(ctx, config_setting_get_elem(vips, i), (unsigned int)i) < 0)
			return -EINVAL;
		h->n_vips = (uint8_t)(i + 1);
	}
	return 0;
}
