/*
 * The neighbors section: static neighbour entries (RFC 826 ARP cache and
 * RFC 4861 §5.1 neighbour cache entries that are never aged or solicited),
 * each a port, an on-link IPv4/IPv6 address of that port (the same rule as
 * a route's next hop) and a unicast MAC address; (port, address) is unique
 * and the entries fit in the neighbour table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "config/cfg_priv.h"

enum {
	MAC_TEXT_LEN = 3 * CFG_MAC_LEN - 1,	/* "xx:xx:xx:xx:xx:xx" */
	MAC_GROUP_MULTICAST = 0x01,		/* I/G bit of the first octet (IEEE 802) */
	HEX_BASE = 16,
};

bool
cfg_mac_parse(const char *text, uint8_t mac[CFG_MAC_LEN])
{
	int hi, lo;

	if (strlen(text) != MAC_TEXT_LEN)
		return false;
	for (unsigned int i = 0; i < CFG_MAC_LEN; i++) {
		const char *t = text + 3 * i;

		if (i > 0 && t[-1] != ':')
			return false;
		hi = OPENSSL_hexchar2int((unsigned char)t[0]);
		lo = OPENSSL_hexchar2int((unsigned char)t[1]);
		if (hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi * HEX_BASE + lo);
	}
	return true;
}

static bool
mac_is_zero(const uint8_t mac[CFG_MAC_LEN])
{
	for (unsigned int i = 0; i < CFG_MAC_LEN; i++)
		if (mac[i] != 0)
			return false;
	return true;
}

static int
check_unique(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int index)
{
	const struct cfg_neighbor *n = &ctx->cfg->neighbors[index];
	char text[CFG_ADDR_TEXT_LEN];

	for (unsigned int i = 0; i < index; i++) {
		const struct cfg_neighbor *o = &ctx->cfg->neighbors[i];

		if (o->port != n->port || !cfg_addr_equal(&o->addr, &n->addr))
			continue;
		cfg_prefix_format(&n->addr, true, text, sizeof(text));
		return cfg_err_setting(ctx, s, "duplicate neighbor %s on port '%s' "
				       "(also neighbors[%u])", text,
				       ctx->cfg->ports[n->port].name, i);
	}
	return 0;
}

static int
parse_address(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_neighbor *n = &ctx->cfg->neighbors[index];
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *value;

	if (cfg_get_member(ctx, group, "address", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	value = config_setting_get_string(s);
	if (cfg_prefix_parse(value, AF_UNSPEC, false, 0, &n->addr, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(value, q, sizeof(q)), why);
	if (cfg_check_on_link(ctx, s, &n->addr, n->port, "neighbor") < 0)
		return -EINVAL;
	return check_unique(ctx, s, index);
}

static int
parse_mac(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_neighbor *n)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *value;

	if (cfg_get_member(ctx, group, "mac", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	value = config_setting_get_string(s);
	if (!cfg_mac_parse(value, n->mac))
		return cfg_err_setting(ctx, s, "'%s' is not a MAC address (expected "
				       "xx:xx:xx:xx:xx:xx, hex digits)",
				       cfg_quote(value, q, sizeof(q)));
	if (n->mac[0] & MAC_GROUP_MULTICAST)
		return cfg_err_setting(ctx, s, "'%s' is a multicast MAC address",
				       cfg_quote(value, q, sizeof(q)));
	if (mac_is_zero(n->mac))
		return cfg_err_setting(ctx, s, "'%s' is the all-zero MAC address",
				       cfg_quote(value, q, sizeof(q)));
	return 0;
}

int
cfg_parse_neighbors(struct cfg_ctx *ctx, const config_setting_t *neighbors)
{
	static const char *const keys[] = { "port", "address", "mac", NULL };
	unsigned int room = ctx->cfg->dp.neigh_entries;
	const config_setting_t *group;

	/* Static entries live in the neighbour table (dataplane parsed before). */
	if ((unsigned int)config_setting_length(neighbors) > room)
		return cfg_err_setting(ctx, neighbors, "has %d entries, more than "
				       "dataplane.neigh_entries (%u)",
				       config_setting_length(neighbors), room);

	for (int i = 0; i < config_setting_length(neighbors); i++) {
		struct cfg_neighbor *n = &ctx->cfg->neighbors[i];

		group = config_setting_get_elem(neighbors, i);
		if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
		    cfg_check_keys(ctx, group, keys) < 0 ||
		    cfg_lookup_port(ctx, group, &n->port) < 0 ||
		    parse_address(ctx, group, (unsigned int)i) < 0 ||
		    parse_mac(ctx, group, n) < 0)
			return -EINVAL;
		n->line = config_setting_source_line(group);
		ctx->cfg->n_neighbors = (uint16_t)(i + 1);
	}
	return 0;
}
