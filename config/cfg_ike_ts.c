/*
 * Traffic selectors of CHILD SAs (RFC 7296 §3.13.1, RFC 4301 §4.4.1.1)
 * in strongSwan's notation: an address part, a prefix without host bits
 * ("10.1.0.0/16", "0.0.0.0/0"), a plain address, a range "a-b" or
 * "dynamic" (our outer address; for remote_ts the peer's address or its
 * virtual IP), then optionally "[protocol]" or "[protocol/ports]" with
 * ports "any", "N" or "N-M" (TCP, UDP, SCTP) or the ICMP type. Protocol
 * names are those of static selectors (cfg_selectors.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	PROTO_MAX = 255,
	PORT_MAX = 65535,
	ICMP_TYPE_MAX = 255,
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
	TS_TEXT_LEN = 2 * CFG_ADDR_TEXT_LEN,
};

static const char dynamic_word[] = "dynamic";

struct ts_text {
	const config_setting_t *s;
	char q[CFG_ADDR_TEXT_LEN * 2];	/* the whole value, quoted */
	char addr[TS_TEXT_LEN];		/* the address part */
	char proto[TS_TEXT_LEN];	/* inside [], before '/'; "" if no [] */
	char ports[TS_TEXT_LEN];	/* after '/'; "" if none */
};

static int
syntax(struct cfg_ctx *ctx, const struct ts_text *t)
{
	return cfg_err_setting(ctx, t->s, "'%s' is not a traffic selector (expected a prefix, an "
			       "address, a range a-b or dynamic, optionally followed by "
			       "[protocol] or [protocol/ports])", t->q);
}

/* Copies [p, p + n) into out (len bytes) if it fits. */
static bool
copy_part(char *out, size_t len, const char *p, size_t n)
{
	if (n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static int
split(struct cfg_ctx *ctx, struct ts_text *t)
{
	const char *text = config_setting_get_string(t->s);
	const char *open = strchr(text, '['), *slash, *end = text + strlen(text);

	cfg_quote(text, t->q, sizeof(t->q));
	t->proto[0] = t->ports[0] = '\0';
	if (open == NULL)
		return copy_part(t->addr, sizeof(t->addr), text, (size_t)(end - text)) ? 0 :
		       syntax(ctx, t);
	if (end[-1] != ']' || open + 1 == end - 1 ||
	    !copy_part(t->addr, sizeof(t->addr), text, (size_t)(open - text)))
		return syntax(ctx, t);
	slash = memchr(open, '/', (size_t)(end - open));
	if (slash == NULL)
		slash = end - 1;
	else if (!copy_part(t->ports, sizeof(t->ports), slash + 1,
			    (size_t)(end - 1 - slash - 1)) || t->ports[0] == '\0')
		return syntax(ctx, t);
	if (!copy_part(t->proto, sizeof(t->proto), open + 1, (size_t)(slash - open - 1)) ||
	    t->proto[0] == '\0' || strchr(t->proto, ']') != NULL || strchr(t->ports, ']'))
		return syntax(ctx, t);
	return 0;
}

static int
parse_prefix(struct cfg_ctx *ctx, const struct ts_text *t, struct cfg_ts *ts)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], fixed[CFG_ADDR_TEXT_LEN];
	struct cfg_prefix p;

	if (cfg_prefix_parse(t->addr, AF_UNSPEC, strchr(t->addr, '/') != NULL, 0, &p, why,
			     sizeof(why)) < 0)
		return cfg_err_setting(ctx, t->s, "'%s' %s", cfg_quote(t->addr, q, sizeof(q)),
				       why);
	if (cfg_prefix_has_host_bits(&p)) {
		cfg_prefix_mask(&p);
		cfg_prefix_format(&p, false, fixed, sizeof(fixed));
		return cfg_err_setting(ctx, t->s, "'%s' has host bits set (did you mean %s?)",
				       cfg_quote(t->addr, q, sizeof(q)), fixed);
	}
	cfg_ts_from_prefix(&p, ts);
	return 0;
}

static int
parse_range(struct cfg_ctx *ctx, const struct ts_text *t, struct cfg_ts *ts)
{
	char why[CFG_ADDR_TEXT_LEN * 2], q[CFG_ADDR_TEXT_LEN * 2], lo_text[TS_TEXT_LEN];
	struct cfg_prefix lo, hi;
	char *dash;
	size_t n;

	snprintf(lo_text, sizeof(lo_text), "%s", t->addr);
	dash = strchr(lo_text, '-');
	*dash = '\0';
	cfg_quote(t->addr, q, sizeof(q));
	if (cfg_prefix_parse(lo_text, AF_UNSPEC, false, 0, &lo, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, t->s, "range '%s': the first address %s", q, why);
	if (cfg_prefix_parse(dash + 1, lo.family, false, 0, &hi, why, sizeof(why)) < 0)
		return cfg_err_setting(ctx, t->s, "range '%s': the last address %s", q, why);
	n = lo.family == AF_INET ? IPV4_BYTES : IPV6_BYTES;
	if (memcmp(lo.addr.bytes, hi.addr.bytes, n) > 0)
		return cfg_err_setting(ctx, t->s, "range '%s' is backwards", q);
	ts->family = lo.family;
	memcpy(ts->addr_lo, lo.addr.bytes, n);
	memcpy(ts->addr_hi, hi.addr.bytes, n);
	return 0;
}

static int
parse_proto(struct cfg_ctx *ctx, const struct ts_text *t, struct cfg_ts *ts)
{
	char name[CFG_ADDR_TEXT_LEN], q[CFG_ADDR_TEXT_LEN * 2];

	for (unsigned int p = 0; p <= PROTO_MAX; p++)
		if (strcmp(cfg_ts_proto_name((uint8_t)p, name, sizeof(name)), t->proto) == 0) {
			ts->proto = (uint8_t)p;
			break;
		}
	if (ts->proto == 0 && t->proto[0] != '\0' && strcmp(t->proto, "any") != 0 &&
	    strcmp(t->proto, "0") != 0)
		return cfg_err_setting(ctx, t->s, "unknown protocol '%s' in '%s' (expected any, "
				       "tcp, udp, sctp, icmp, ipv6-icmp or a number 0..255)",
				       cfg_quote(t->proto, q, sizeof(q)), t->q);
	if (ts->proto == IPPROTO_ICMP && ts->family == AF_INET6)
		return cfg_err_setting(ctx, t->s, "protocol icmp with an IPv6 selector (use "
				       "ipv6-icmp)");
	if (ts->proto == IPPROTO_ICMPV6 && ts->family == AF_INET)
		return cfg_err_setting(ctx, t->s, "protocol ipv6-icmp with an IPv4 selector (use "
				       "icmp)");
	return 0;
}

static int
parse_ports(struct cfg_ctx *ctx, const struct ts_text *t, struct cfg_ts *ts)
{
	const char *dash = strchr(t->ports, '-'), *end = t->ports + strlen(t->ports);
	bool icmp = ts->proto == IPPROTO_ICMP || ts->proto == IPPROTO_ICMPV6;
	char pn[CFG_ADDR_TEXT_LEN], q[CFG_ADDR_TEXT_LEN * 2];
	unsigned int lo, hi, max = icmp ? ICMP_TYPE_MAX : PORT_MAX;
	bool ok;

	ts->port_lo = 0;
	ts->port_hi = PORT_MAX;
	if (t->ports[0] == '\0' || strcmp(t->ports, "any") == 0)
		return 0;
	if (!icmp && ts->proto != IPPROTO_TCP && ts->proto != IPPROTO_UDP &&
	    ts->proto != IPPROTO_SCTP)
		return cfg_err_setting(ctx, t->s, "ports need protocol tcp, udp or sctp (ICMP: "
				       "the type), not %s", cfg_ts_proto_name(ts->proto, pn,
									     sizeof(pn)));
	ok = dash == NULL ? cfg_parse_port_number(t->ports, end, &lo) :
	     cfg_parse_port_number(t->ports, dash, &lo) && cfg_parse_port_number(dash + 1, end, &hi);
	if (dash == NULL)
		hi = lo;
	if (!ok)
		return cfg_err_setting(ctx, t->s, "'%s' is not a port range (expected \"any\", N "
				       "or N-M)", cfg_quote(t->ports, q, sizeof(q)));
	if (lo > hi)
		return cfg_err_setting(ctx, t->s, "port range %u-%u is backwards", lo, hi);
	if (hi > max)
		return cfg_err_setting(ctx, t->s, "%s %u is out of range (0..%u)",
				       icmp ? "ICMP type" : "port", hi, max);
	ts->port_lo = (uint16_t)lo;
	ts->port_hi = (uint16_t)hi;
	return 0;
}

int
cfg_ike_parse_ts(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_ts *ts)
{
	struct ts_text t = { .s = s };
	int rc;

	memset(ts, 0, sizeof(*ts));
	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0 || split(ctx, &t) < 0)
		return -EINVAL;
	if (t.addr[0] == '\0')
		return syntax(ctx, &t);
	if (strcmp(t.addr, dynamic_word) == 0) {
		ts->dynamic = true;
		ts->ts.family = AF_UNSPEC;
		rc = 0;
	} else if (strchr(t.addr, '-') != NULL) {
		rc = parse_range(ctx, &t, &ts->ts);
	} else {
		rc = parse_prefix(ctx, &t, &ts->ts);
	}
	if (rc < 0 || parse_proto(ctx, &t, &ts->ts) < 0 || parse_ports(ctx, &t, &ts->ts) < 0)
		return -EINVAL;
	return 0;
}

void
cfg_ike_ts_format(const struct cfg_ike_ts *ts, char *buf, size_t len)
{
	char addr[TS_TEXT_LEN], pn[CFG_ADDR_TEXT_LEN], ports[CFG_ADDR_TEXT_LEN];

	if (ts->dynamic)
		snprintf(addr, sizeof(addr), "%s", dynamic_word);
	else
		cfg_ts_format_addr(&ts->ts, addr, sizeof(addr));
	cfg_ts_format_ports(&ts->ts, ports, sizeof(ports));
	if (ts->ts.proto == 0)
		snprintf(buf, len, "%s", addr);
	else if (strcmp(ports, "any") == 0)
		snprintf(buf, len, "%s[%s]", addr, cfg_ts_proto_name(ts->ts.proto, pn, sizeof(pn)));
	else
		snprintf(buf, len, "%s[%s/%s]", addr,
			 cfg_ts_proto_name(ts->ts.proto, pn, sizeof(pn)), ports);
}
