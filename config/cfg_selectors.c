/*
 * Traffic selectors (RFC 4301 §4.4.1.1) of static SAs and policies: local
 * and remote address prefixes (no host bits; a prefix becomes the address
 * range it covers), the next-layer protocol and port ranges. Ports are
 * only meaningful for TCP, UDP and SCTP; for ICMP and ICMPv6 the local
 * "port" is the message type and the remote one the code (RFC 4301
 * §4.4.1.1, "ICMP message type and code").
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	PROTO_ANY = 0,
	PROTO_MAX = 255,
	PORT_MAX = 65535,
	ICMP_FIELD_MAX = 255,		/* ICMP type and code are one octet */
	PORT_DIGITS = 5,
	IPV4_BITS = 32,
	IPV6_BITS = 128,
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
	BYTE_BITS = 8,
	DECIMAL = 10,
};

struct proto_name {
	const char *name;
	uint8_t proto;
};

static const struct proto_name protos[] = {
	{ "any", PROTO_ANY },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "sctp", IPPROTO_SCTP },
	{ "icmp", IPPROTO_ICMP },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
};

#define N_PROTOS (sizeof(protos) / sizeof(protos[0]))

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static unsigned int
family_bits(int family)
{
	return family == AF_INET ? IPV4_BITS : IPV6_BITS;
}

static bool
has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static bool
is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

const char *
cfg_ts_proto_name(uint8_t proto, char *buf, size_t len)
{
	for (unsigned int i = 0; i < N_PROTOS; i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

void
cfg_ts_from_prefix(const struct cfg_prefix *p, struct cfg_ts *ts)
{
	unsigned int bits = family_bits(p->family);

	ts->family = p->family;
	memset(ts->addr_lo, 0, sizeof(ts->addr_lo));
	memset(ts->addr_hi, 0, sizeof(ts->addr_hi));
	memcpy(ts->addr_lo, p->addr.bytes, bits / BYTE_BITS);
	memcpy(ts->addr_hi, p->addr.bytes, bits / BYTE_BITS);
	for (unsigned int b = p->len; b < bits; b++)
		ts->addr_hi[b / BYTE_BITS] |= (uint8_t)(1u << (BYTE_BITS - 1 - b % BYTE_BITS));
}

/* A plain address (a host) or a prefix without host bits. */
int
cfg_parse_ts_prefix(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_prefix *p)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], text[CFG_ADDR_TEXT_LEN];
	const char *value = config_setting_get_string(s);
	struct cfg_prefix fixed;

	if (cfg_prefix_parse(value, AF_UNSPEC, strchr(value, '/') != NULL, 0, p, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "'%s' %s", cfg_quote(value, q, sizeof(q)), why);
	if (cfg_prefix_has_host_bits(p)) {
		fixed = *p;
		cfg_prefix_mask(&fixed);
		cfg_prefix_format(&fixed, false, text, sizeof(text));
		return cfg_err_setting(ctx, s, "'%s' has host bits set (did you mean %s?)",
				       cfg_quote(value, q, sizeof(q)), text);
	}
	return 0;
}

static int
parse_addrs(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ts_pair *ts)
{
	struct cfg_prefix local, remote;
	config_setting_t *l, *r;

	if (cfg_get_member(ctx, group, "local", CONFIG_TYPE_STRING, true, &l) < 0 ||
	    cfg_parse_ts_prefix(ctx, l, &local) < 0 ||
	    cfg_get_member(ctx, group, "remote", CONFIG_TYPE_STRING, true, &r) < 0 ||
	    cfg_parse_ts_prefix(ctx, r, &remote) < 0)
		return -EINVAL;
	if (remote.family != local.family)
		return cfg_err_setting(ctx, r, "remote is %s but local is %s",
				       family_name(remote.family), family_name(local.family));
	cfg_ts_from_prefix(&local, &ts->local);
	cfg_ts_from_prefix(&remote, &ts->remote);
	return 0;
}

static int
proto_by_name(const char *text, uint8_t *proto)
{
	for (unsigned int i = 0; i < N_PROTOS; i++)
		if (strcmp(text, protos[i].name) == 0) {
			*proto = protos[i].proto;
			return 0;
		}
	return -EINVAL;
}

static int
parse_proto(struct cfg_ctx *ctx, const config_setting_t *group, uint8_t family, uint8_t *proto)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							"protocol");
	int64_t v;

	*proto = PROTO_ANY;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (proto_by_name(config_setting_get_string(s), proto) < 0)
			return cfg_err_setting(ctx, s, "unknown protocol '%s' (expected any, tcp, "
					       "udp, sctp, icmp, ipv6-icmp or a number 0..255)",
					       cfg_quote(config_setting_get_string(s), q,
							 sizeof(q)));
	} else {
		if (cfg_get_int(ctx, s, PROTO_ANY, PROTO_MAX, &v) < 0)
			return -EINVAL;
		*proto = (uint8_t)v;
	}
	if (*proto == IPPROTO_ICMP && family == AF_INET6)
		return cfg_err_setting(ctx, s, "protocol icmp with IPv6 selectors (use ipv6-icmp)");
	if (*proto == IPPROTO_ICMPV6 && family == AF_INET)
		return cfg_err_setting(ctx, s, "protocol ipv6-icmp with IPv4 selectors (use icmp)");
	return 0;
}

/* "any", "N" or "N-M" */
static int
parse_range_text(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int *lo,
		 unsigned int *hi)
{
	const char *text = config_setting_get_string(s), *end = text + strlen(text);
	const char *dash = strchr(text, '-');
	char q[CFG_ADDR_TEXT_LEN * 2];
	bool ok;

	if (strcmp(text, "any") == 0) {
		*lo = 0;
		*hi = PORT_MAX;
		return 0;
	}
	if (dash == NULL) {
		ok = cfg_parse_port_number(text, end, lo);
		*hi = *lo;
	} else {
		ok = cfg_parse_port_number(text, dash, lo) && cfg_parse_port_number(dash + 1, end, hi);
	}
	if (!ok)
		return cfg_err_setting(ctx, s, "'%s' is not a port range (expected \"any\", N "
				       "or N-M)", cfg_quote(text, q, sizeof(q)));
	if (*lo > *hi)
		return cfg_err_setting(ctx, s, "port range %u-%u is backwards (%u > %u)", *lo,
				       *hi, *lo, *hi);
	return 0;
}

static int
parse_ports(struct cfg_ctx *ctx, const config_setting_t *group, const char *key, uint8_t proto,
	    bool local, struct cfg_ts *ts)
{
	char pn[CFG_ADDR_TEXT_LEN];
	unsigned int lo = 0, hi = PORT_MAX, max;
	config_setting_t *s = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							key);
	int64_t v;

	ts->port_lo = 0;
	ts->port_hi = PORT_MAX;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (parse_range_text(ctx, s, &lo, &hi) < 0)
			return -EINVAL;
		if (strcmp(config_setting_get_string(s), "any") == 0)
			return 0;
	} else {
		if (cfg_get_int(ctx, s, 0, PORT_MAX, &v) < 0)
			return -EINVAL;
		lo = hi = (unsigned int)v;
	}
	if (!has_ports(proto) && !is_icmp(proto))
		return cfg_err_setting(ctx, s, "ports need protocol tcp, udp or sctp (ICMP: type "
				       "and code), not %s", cfg_ts_proto_name(proto, pn,
									      sizeof(pn)));
	max = is_icmp(proto) ? ICMP_FIELD_MAX : PORT_MAX;
	if (hi > max)
		return cfg_err_setting(ctx, s, "%s %u is out of range (0..%u)",
				       !is_icmp(proto) ? "port" : local ? "ICMP type" : "ICMP code",
				       hi, max);
	ts->port_lo = (uint16_t)lo;
	ts->port_hi = (uint16_t)hi;
	return 0;
}

int
cfg_parse_ts_pair(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_ts_pair *ts)
{
	uint8_t proto;

	memset(ts, 0, sizeof(*ts));
	if (parse_addrs(ctx, group, ts) < 0 ||
	    parse_proto(ctx, group, ts->local.family, &proto) < 0)
		return -EINVAL;
	ts->local.proto = proto;
	ts->remote.proto = proto;
	if (parse_ports(ctx, group, "local_ports", proto, true, &ts->local) < 0 ||
	    parse_ports(ctx, group, "remote_ports", proto, false, &ts->remote) < 0)
		return -EINVAL;
	return 0;
}

static bool
bit(const uint8_t *a, unsigned int b)
{
	return (a[b / BYTE_BITS] >> (BYTE_BITS - 1 - b % BYTE_BITS)) & 1;
}

/* The prefix length if [lo, hi] is exactly one prefix, else -1. */
static int
range_prefix_len(const struct cfg_ts *ts)
{
	unsigned int bits = family_bits(ts->family), len = 0;

	while (len < bits && bit(ts->addr_lo, len) == bit(ts->addr_hi, len))
		len++;
	for (unsigned int b = len; b < bits; b++)
		if (bit(ts->addr_lo, b) || !bit(ts->addr_hi, b))
			return -1;
	return (int)len;
}

void
cfg_ts_format_addr(const struct cfg_ts *ts, char *buf, size_t len)
{
	struct cfg_prefix lo = { .family = ts->family }, hi = { .family = ts->family };
	size_t n = ts->family == AF_INET ? IPV4_BYTES : IPV6_BYTES;
	char a[CFG_ADDR_TEXT_LEN], b[CFG_ADDR_TEXT_LEN];
	int plen = range_prefix_len(ts);

	memcpy(lo.addr.bytes, ts->addr_lo, n);
	memcpy(hi.addr.bytes, ts->addr_hi, n);
	if (plen >= 0) {
		lo.len = (uint8_t)plen;
		cfg_prefix_format(&lo, false, buf, len);
		return;
	}
	cfg_prefix_format(&lo, true, a, sizeof(a));
	cfg_prefix_format(&hi, true, b, sizeof(b));
	snprintf(buf, len, "%s-%s", a, b);
}

void
cfg_ts_format_ports(const struct cfg_ts *ts, char *buf, size_t len)
{
	if (ts->port_lo == 0 && ts->port_hi == PORT_MAX)
		snprintf(buf, len, "any");
	else if (ts->port_lo == ts->port_hi)
		snprintf(buf, len, "%u", ts->port_lo);
	else
		snprintf(buf, len, "%u-%u", ts->port_lo, ts->port_hi);
}

bool
cfg_parse_port_number(const char *p, const char *end, unsigned int *v)
{
	if (p >= end || end - p > PORT_DIGITS)
		return false;
	*v = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		*v = *v * DECIMAL + (unsigned int)(*p - '0');
	}
	return true;
}
