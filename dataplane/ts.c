/*
 * Traffic selector matching (ts.h): RFC 4301 §4.4.1.1 selector ranges and
 * the inbound/outbound SA selector check of RFC 4301 §5.2 step 4 and §5.1
 * (an inner packet must lie inside one of the SA's selector pairs).
 */
#include <string.h>
#include <sys/socket.h>

#include "dataplane/flow.h"
#include "dataplane/ts.h"

enum {
	TS_V4_LEN = 4,
	TS_V6_LEN = 16,
};

unsigned int
dp_ts_addr_len(uint8_t family)
{
	if (family == AF_INET)
		return TS_V4_LEN;
	if (family == AF_INET6)
		return TS_V6_LEN;
	return 0;
}

bool
dp_ts_valid(const struct dp_ts *ts)
{
	unsigned int alen = dp_ts_addr_len(ts->family);

	return alen != 0 && ts->port_lo <= ts->port_hi &&
	       memcmp(ts->addr_lo, ts->addr_hi, alen) <= 0;
}

bool
dp_ts_addr_in(const struct dp_ts *ts, const uint8_t *addr)
{
	unsigned int alen = dp_ts_addr_len(ts->family);

	return alen != 0 && memcmp(ts->addr_lo, addr, alen) <= 0 &&
	       memcmp(addr, ts->addr_hi, alen) <= 0;
}

bool
dp_ts_ports_any(const struct dp_ts *ts)
{
	return ts->port_lo == DP_TS_PORT_MIN && ts->port_hi == DP_TS_PORT_MAX;
}

static bool
port_in(const struct dp_ts *ts, uint16_t port)
{
	return ts->port_lo <= port && port <= ts->port_hi;
}

static bool
proto_in(const struct dp_ts *ts, uint8_t proto)
{
	return ts->proto == 0 || ts->proto == proto;
}

/* Ports of F against the selector on its source side and its destination
 * side; ICMP type/code against local/remote whatever the direction. */
static bool
ports_in(const struct dp_ts *local, const struct dp_ts *remote, const struct dp_flow *f,
	 bool outbound)
{
	if (f->ports_opaque)
		return dp_ts_ports_any(local) && dp_ts_ports_any(remote);
	if (dp_flow_proto_is_icmp(f->family, f->proto))
		return port_in(local, f->sport) && port_in(remote, f->dport);
	if (outbound)
		return port_in(local, f->sport) && port_in(remote, f->dport);
	return port_in(remote, f->sport) && port_in(local, f->dport);
}

bool
dp_ts_contains(const struct dp_ts *local, const struct dp_ts *remote,
	       const struct dp_flow *f, bool outbound)
{
	const struct dp_ts *src = outbound ? local : remote;
	const struct dp_ts *dst = outbound ? remote : local;

	if (local->family != f->family || remote->family != f->family)
		return false;
	if (!proto_in(local, f->proto) || !proto_in(remote, f->proto))
		return false;
	if (!dp_ts_addr_in(src, f->src) || !dp_ts_addr_in(dst, f->dst))
		return false;
	return ports_in(local, remote, f, outbound);
}

/* RFC 4301 §5.2 step 4: an SA without selector pairs carries any traffic
 * (whatever the inner family: a tunnel may carry both). */
bool
dp_sa_selectors_match(const struct dp_sa *sa, const struct dp_flow *f)
{
	bool outbound = sa->p.dir == DP_SA_OUTBOUND;
	unsigned int n = RTE_MIN(sa->p.n_ts, (uint8_t)DP_SA_MAX_TS);

	if (n == 0)
		return true;
	for (unsigned int i = 0; i < n; i++) {
		if (dp_ts_contains(&sa->p.ts[i].local, &sa->p.ts[i].remote, f, outbound))
			return true;
	}
	return false;
}
