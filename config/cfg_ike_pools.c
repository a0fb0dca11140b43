/*
 * Virtual IP pools of the ike section (configuration payload, RFC 7296
 * §3.15, INTERNAL_IP4_ADDRESS / INTERNAL_IP6_ADDRESS and the DNS servers
 * sent with them). A pool is a prefix without host bits ("10.3.0.0/24":
 * the network address and, for IPv4, the broadcast address are not handed
 * out) or a range "a-b"; at most 2^20 addresses, none special-purpose,
 * none of the ports' own, no overlap between pools.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	POOL_MAX_BITS = 20,
	POOL_MAX_SIZE = 1 << POOL_MAX_BITS,
	IPV4_BITS = 32,
	IPV6_BITS = 128,
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
	BYTE_BITS = 8,
	SIZE_BYTES = 3,			/* 2^20 needs 21 bits */
	IPV4_NO_BCAST_MAX = 30,		/* /31 and /32 hand out every address */
	IPV6_NO_ANYCAST_MAX = 126,	/* RFC 4291 §2.6.1 subnet-router anycast */
};

static const char *const pool_keys[] = { "name", "addrs", "dns", NULL };

static size_t
n_bytes(int family)
{
	return family == AF_INET ? IPV4_BYTES : IPV6_BYTES;
}

static int
addr_cmp(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	return memcmp(a->addr.bytes, b->addr.bytes, n_bytes(a->family));
}

static void
addr_step(struct cfg_prefix *a, int delta)
{
	for (size_t i = n_bytes(a->family); i-- > 0;) {
		a->addr.bytes[i] = (uint8_t)(a->addr.bytes[i] + delta);
		if (a->addr.bytes[i] != (delta > 0 ? 0x00 : 0xff))
			return;
	}
}

/* hi - lo + 1, or 0 if that is more than POOL_MAX_SIZE. */
static uint32_t
range_size(const struct cfg_prefix *lo, const struct cfg_prefix *hi)
{
	uint8_t diff[IPV6_BYTES];
	size_t n = n_bytes(lo->family);
	unsigned int borrow = 0;
	uint32_t size = 0;

	for (size_t i = n; i-- > 0;) {
		unsigned int d = (unsigned int)hi->addr.bytes[i] - lo->addr.bytes[i] - borrow;

		borrow = d > 0xff;
		diff[i] = (uint8_t)d;
	}
	for (size_t i = 0; i < n; i++) {
		if (i < n - SIZE_BYTES && diff[i] != 0)
			return 0;
		if (i >= n - SIZE_BYTES)
			size = size << BYTE_BITS | diff[i];
	}
	return size < POOL_MAX_SIZE ? size + 1 : 0;
}

static int
too_large(struct cfg_ctx *ctx, const config_setting_t *s)
{
	char q[CFG_ADDR_TEXT_LEN * 2];

	return cfg_err_setting(ctx, s, "'%s' is too large: a pool has at most %d addresses "
			       "(IPv4 /12, IPv6 /108)",
			       cfg_quote(config_setting_get_string(s), q, sizeof(q)),
			       POOL_MAX_SIZE);
}

static int
parse_prefix(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_pool *pool)
{
	unsigned int bits;

	if (cfg_parse_ts_prefix(ctx, s, &pool->prefix) < 0)
		return -EINVAL;
	bits = pool->prefix.family == AF_INET ? IPV4_BITS : IPV6_BITS;
	if (bits - pool->prefix.len > POOL_MAX_BITS)
		return too_large(ctx, s);
	pool->is_prefix = true;
	pool->first = pool->prefix;
	pool->first.len = (uint8_t)bits;
	pool->last = pool->first;
	for (unsigned int b = pool->prefix.len; b < bits; b++)
		pool->last.addr.bytes[b / BYTE_BITS] |= (uint8_t)(0x80u >> (b % BYTE_BITS));
	if (pool->prefix.len <= (bits == IPV4_BITS ? IPV4_NO_BCAST_MAX : IPV6_NO_ANYCAST_MAX))
		addr_step(&pool->first, 1);
	if (bits == IPV4_BITS && pool->prefix.len <= IPV4_NO_BCAST_MAX)
		addr_step(&pool->last, -1);
	pool->size = range_size(&pool->first, &pool->last);
	return 0;
}

static int
parse_range(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_pool *pool)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], part[CFG_ADDR_TEXT_LEN];
	const char *text = config_setting_get_string(s), *dash = strchr(text, '-');
	size_t n = (size_t)(dash - text);

	cfg_quote(text, q, sizeof(q));
	if (n >= sizeof(part))
		return cfg_err_setting(ctx, s, "range '%s': the first address is not an IP "
				       "address", q);
	memcpy(part, text, n);
	part[n] = '\0';
	if (cfg_prefix_parse(part, AF_UNSPEC, false, 0, &pool->first, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "range '%s': the first address %s", q, why);
	if (cfg_prefix_parse(dash + 1, pool->first.family, false, 0, &pool->last, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "range '%s': the last address %s", q, why);
	if (addr_cmp(&pool->first, &pool->last) > 0)
		return cfg_err_setting(ctx, s, "range '%s' is backwards", q);
	pool->size = range_size(&pool->first, &pool->last);
	return pool->size == 0 ? too_large(ctx, s) : 0;
}

/* Neither end special-purpose, no port address inside. */
static int
check_addrs(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_ike_pool *pool)
{
	const struct cfg_prefix *ends[] = { &pool->first, &pool->last };
	const struct cfg *cfg = ctx->cfg;
	char text[CFG_ADDR_TEXT_LEN];
	const char *problem;

	for (unsigned int i = 0; i < 2; i++) {
		problem = cfg_host_addr_problem(ends[i]);
		cfg_prefix_format(ends[i], true, text, sizeof(text));
		if (problem != NULL)
			return cfg_err_setting(ctx, s, "pool address %s %s", text, problem);
	}
	for (unsigned int p = 0; p < cfg->n_ports; p++) {
		const struct cfg_port *port = &cfg->ports[p];
		const struct cfg_prefix *list = pool->first.family == AF_INET ? port->ipv4 :
						port->ipv6;
		unsigned int n = pool->first.family == AF_INET ? port->n_ipv4 : port->n_ipv6;

		for (unsigned int j = 0; j < n; j++) {
			if (addr_cmp(&list[j], &pool->first) < 0 ||
			    addr_cmp(&list[j], &pool->last) > 0)
				continue;
			cfg_prefix_format(&list[j], true, text, sizeof(text));
			return cfg_err_setting(ctx, s, "the pool holds %s, an address of port "
					       "'%s'", text, port->name);
		}
	}
	return 0;
}

static int
check_overlap(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int index)
{
	const struct cfg_ike_pool *pool = &ctx->cfg->ike.pools[index];

	for (unsigned int i = 0; i < index; i++) {
		const struct cfg_ike_pool *o = &ctx->cfg->ike.pools[i];

		if (o->first.family == pool->first.family &&
		    addr_cmp(&o->first, &pool->last) <= 0 && addr_cmp(&pool->first, &o->last) <= 0)
			return cfg_err_setting(ctx, s, "overlaps pool '%s' (ike.pools[%u])",
					       o->name, i);
	}
	return 0;
}

static int
parse_addrs(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ike_pool *pool = &ctx->cfg->ike.pools[index];
	config_setting_t *s;
	int rc;

	if (cfg_get_member(ctx, group, "addrs", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	if (strchr(config_setting_get_string(s), '-') != NULL)
		rc = parse_range(ctx, s, pool);
	else
		rc = parse_prefix(ctx, s, pool);
	if (rc < 0 || check_addrs(ctx, s, pool) < 0 || check_overlap(ctx, s, index) < 0)
		return -EINVAL;
	return 0;
}

static int
parse_dns(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ike_pool *pool)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *list, *s;
	const char *problem;

	if (cfg_get_list(ctx, group, "dns", false, 0, CFG_IKE_MAX_DNS, &list) < 0)
		return -EINVAL;
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
			return -EINVAL;
		cfg_quote(config_setting_get_string(s), q, sizeof(q));
		if (cfg_prefix_parse(config_setting_get_string(s), AF_UNSPEC, false, 0,
				     &pool->dns[i], why, sizeof(why)) < 0)
			return cfg_err_setting(ctx, s, "'%s' %s", q, why);
		problem = cfg_host_addr_problem(&pool->dns[i]);
		if (problem != NULL)
			return cfg_err_setting(ctx, s, "DNS server %s %s", q, problem);
		pool->n_dns = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_pool(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ike_pool *pool = &ctx->cfg->ike.pools[index];
	config_setting_t *name;

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, pool_keys) < 0 ||
	    cfg_ike_parse_name(ctx, group, pool->name, &name) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < index; i++)
		if (strcmp(ctx->cfg->ike.pools[i].name, pool->name) == 0)
			return cfg_err_setting(ctx, name, "duplicate pool name '%s' (also "
					       "ike.pools[%u])", pool->name, i);
	if (parse_addrs(ctx, group, index) < 0 || parse_dns(ctx, group, pool) < 0)
		return -EINVAL;
	pool->line = config_setting_source_line(group);
	return 0;
}

int
cfg_ike_parse_pools(struct cfg_ctx *ctx, const config_setting_t *pools)
{
	for (int i = 0; i < config_setting_length(pools); i++) {
		if (parse_pool(ctx, config_setting_get_elem(pools, i), (unsigned int)i) < 0)
			return -EINVAL;
		ctx->cfg->ike.n_pools = (uint8_t)(i + 1);
	}
	return 0;
}
