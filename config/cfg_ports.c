/*
 * The ports section: name, DPDK device, role, own IPv4/IPv6 addresses with
 * their prefix, MTU (RFC 791 §3.2 minimum 576; RFC 8200 §5 1280 for IPv6)
 * and RX queues; names, devices and addresses are unique across ports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	MTU_MIN = 576,
	MTU_MAX = 9000,
	DEFAULT_MTU = 1500,
	ADDR_MIN_LEN = 1,	/* a port address needs a subnet: no /0 */
};

static int
check_unique_addr(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_prefix *a,
		  unsigned int n_ports)
{
	const struct cfg *cfg = ctx->cfg;
	char text[CFG_ADDR_TEXT_LEN];

	/* Ports 0..n_ports-1, the one being parsed included. */
	for (unsigned int i = 0; i < n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		const struct cfg_prefix *list = a->family == AF_INET ? p->ipv4 : p->ipv6;
		unsigned int n = a->family == AF_INET ? p->n_ipv4 : p->n_ipv6;

		for (unsigned int j = 0; j < n; j++) {
			if (!cfg_addr_equal(&list[j], a))
				continue;
			cfg_prefix_format(a, true, text, sizeof(text));
			return cfg_err_setting(ctx, s, "address %s is already assigned to "
					       "ports[%u] ('%s')", text, i, p->name);
		}
	}
	return 0;
}

static int
parse_addr(struct cfg_ctx *ctx, const config_setting_t *s, int family, struct cfg_prefix *a,
	   unsigned int port)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2];
	const char *text, *problem;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	text = config_setting_get_string(s);
	if (cfg_prefix_parse(text, family, true, ADDR_MIN_LEN, a, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(text, q, sizeof(q)), why);
	problem = cfg_host_addr_problem(a);
	if (problem != NULL)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(text, q, sizeof(q)), problem);
	return check_unique_addr(ctx, s, a, port + 1);
}

static int
parse_addrs(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port, int family)
{
	struct cfg_port *p = &ctx->cfg->ports[port];
	struct cfg_prefix *list = family == AF_INET ? p->ipv4 : p->ipv6;
	uint8_t *n = family == AF_INET ? &p->n_ipv4 : &p->n_ipv6;
	config_setting_t *addrs;

	if (cfg_get_list(ctx, group, family == AF_INET ? "ipv4" : "ipv6", false, 0,
			 CFG_MAX_PORT_ADDRS, &addrs) < 0)
		return -EINVAL;
	for (int i = 0; addrs != NULL && i < config_setting_length(addrs); i++) {
		if (parse_addr(ctx, config_setting_get_elem(addrs, i), family, &list[*n], port) < 0)
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

static int
parse_name(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port)
{
	struct cfg_port *p = &ctx->cfg->ports[port];
	config_setting_t *s;
	const char *name;

	if (cfg_get_member(ctx, group, "name", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	name = config_setting_get_string(s);
	if (cfg_check_name(ctx, s, name) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < port; i++)
		if (strcmp(ctx->cfg->ports[i].name, name) == 0)
			return cfg_err_setting(ctx, s, "duplicate port name '%s' (also ports[%u])",
					       name, i);
	snprintf(p->name, sizeof(p->name), "%s", name);
	return 0;
}

/* The DPDK device name: what comes before the first ',' (the devargs). */
static size_t
dev_name_len(const char *dev)
{
	return strcspn(dev, ",");
}

static int
check_unique_device(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int port,
		    const char *dev)
{
	const struct cfg_port *other;
	char q[CFG_DEVICE_LEN], name[CFG_DEVICE_LEN];
	size_t n = dev_name_len(dev);

	for (unsigned int i = 0; i < port; i++) {
		other = &ctx->cfg->ports[i];
		if (strcmp(other->device, dev) == 0)
			return cfg_err_setting(ctx, s, "device '%s' is already used by ports[%u] "
					       "('%s')", cfg_quote(dev, q, sizeof(q)), i,
					       other->name);
		if (dev_name_len(other->device) != n || strncmp(other->device, dev, n) != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)n, dev);
		return cfg_err_setting(ctx, s, "DPDK device name '%s' is already used by "
				       "ports[%u] ('%s')", cfg_quote(name, q, sizeof(q)), i,
				       other->name);
	}
	return 0;
}

static int
parse_device(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port)
{
	struct cfg_port *p = &ctx->cfg->ports[port];
	config_setting_t *s;
	const char *dev;

	if (cfg_get_member(ctx, group, "device", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	dev = config_setting_get_string(s);
	if (dev[0] == '\0')
		return cfg_err_setting(ctx, s, "must not be empty");
	if (strlen(dev) >= CFG_DEVICE_LEN)
		return cfg_err_setting(ctx, s, "is too long (%zu characters, at most %d)",
				       strlen(dev), CFG_DEVICE_LEN - 1);
	if (check_unique_device(ctx, s, port, dev) < 0)
		return -EINVAL;
	snprintf(p->device, sizeof(p->device), "%s", dev);
	return 0;
}

static int
parse_role(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port)
{
	struct cfg_port *p = &ctx->cfg->ports[port];
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *role;

	if (cfg_get_member(ctx, group, "role", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	role = config_setting_get_string(s);
	if (cfg_role_parse(role, &p->role) < 0)
		return cfg_err_setting(ctx, s, "unknown role '%s' (expected untrusted, trusted "
				       "or sync)", cfg_quote(role, q, sizeof(q)));
	for (unsigned int i = 0; i < port && p->role == CFG_ROLE_SYNC; i++)
		if (ctx->cfg->ports[i].role == CFG_ROLE_SYNC)
			return cfg_err_setting(ctx, s, "more than one sync port (ports[%u] '%s' "
					       "is already the sync port)", i,
					       ctx->cfg->ports[i].name);
	return 0;
}

static int
parse_sizes(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port)
{
	struct cfg_port *p = &ctx->cfg->ports[port];
	int64_t mtu = DEFAULT_MTU, queues = 1;
	config_setting_t *s;

	if (cfg_lookup_int(ctx, group, "mtu", MTU_MIN, MTU_MAX, &mtu) < 0 ||
	    cfg_lookup_int(ctx, group, "rx_queues", 1, CFG_MAX_QUEUES, &queues) < 0)
		return -EINVAL;
	p->mtu = (uint16_t)mtu;
	p->rx_queues = (uint16_t)queues;
	if (p->n_ipv6 > 0 && p->mtu < CFG_IPV6_MIN_MTU) {
		s = config_setting_get_member((config_setting_t *)(uintptr_t)group, "mtu");
		return cfg_err_setting(ctx, s, "%u is too small for a port with IPv6 addresses "
				       "(at least %d)", p->mtu, CFG_IPV6_MIN_MTU);
	}
	return 0;
}

static int
parse_port(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int port)
{
	static const char *const keys[] = {
		"name", "device", "role", "ipv4", "ipv6", "mtu", "rx_queues", NULL
	};

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, keys) < 0 || parse_name(ctx, group, port) < 0 ||
	    parse_device(ctx, group, port) < 0 || parse_role(ctx, group, port) < 0 ||
	    parse_addrs(ctx, group, port, AF_INET) < 0 ||
	    parse_addrs(ctx, group, port, AF_INET6) < 0 || parse_sizes(ctx, group, port) < 0)
		return -EINVAL;
	ctx->cfg->ports[port].line = config_setting_source_line(group);
	return 0;
}

int
cfg_parse_ports(struct cfg_ctx *ctx, const config_setting_t *ports)
{
	struct cfg *cfg = ctx->cfg;

	for (int i = 0; i < config_setting_length(ports); i++)
		if (parse_port(ctx, config_setting_get_elem(ports, i), (unsigned int)i) < 0)
			return -EINVAL;
	cfg->n_ports = (uint8_t)config_setting_length(ports);
	return 0;
}

/* The index of the port that owns address A, or -ENOENT. */
int
cfg_port_owning(const struct cfg *cfg, const struct cfg_prefix *a)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		const struct cfg_prefix *list = a->family == AF_INET ? p->ipv4 : p->ipv6;
		unsigned int n = a->family == AF_INET ? p->n_ipv4 : p->n_ipv6;

		for (unsigned int j = 0; j < n; j++)
			if (cfg_addr_equal(&list[j], a))
				return (int)i;
	}
	return -ENOENT;
}
