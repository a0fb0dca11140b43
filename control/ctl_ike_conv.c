/*
 * CHILD SA record -> ESP data path parameters (ctl_ike_conv.h): suite to
 * algorithm (RFC 7296 §3.3.2, RFC 4106, RFC 7634), KEYMAT halves by role
 * (§2.17), outer path and RFC 3948 encapsulation (§2.23), lifetimes
 * (RFC 4301 §4.4.2.1), traffic selectors (§3.13.1; ICMP type/code as in
 * RFC 4301 §4.4.1.3) and the choice between client prefixes and policies.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "control/ctl_ike_conv.h"

enum {
	IPV4_LEN = 4,
	IPV6_LEN = 16,
	IPV4_HOST_LEN = 32,
	IPV6_HOST_LEN = 128,
	PORT_ANY_LO = 0,
	PORT_ANY_HI = UINT16_MAX,
	ICMP_TYPE_SHIFT = 8,		/* RFC 7296 §3.13.1: type in the high octet */
	ICMP_CODE_MASK = 0xff,
	ICMP_CODE_MAX = 0xff,
	AES_128_BITS = 128,
	AES_256_BITS = 256,
	CHACHA_BITS = 256,
};

static unsigned int
family_len(uint8_t family)
{
	return family == AF_INET ? IPV4_LEN : family == AF_INET6 ? IPV6_LEN : 0;
}

void
ctl_ike_addr_from_udp(const struct dp_udp_end *e, struct ike_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = e->family;
	memcpy(a->ip, e->addr, sizeof(a->ip));
	a->port = e->port;
}

void
ctl_ike_addr_to_udp(const struct ike_addr *a, struct dp_udp_end *e)
{
	memset(e, 0, sizeof(*e));
	e->family = a->family;
	memcpy(e->addr, a->ip, sizeof(e->addr));
	e->port = a->port;
}

bool
ctl_ike_addr_to_prefix(const struct ike_addr *a, struct cfg_prefix *p)
{
	unsigned int len = family_len(a->family);

	memset(p, 0, sizeof(*p));
	if (len == 0)
		return false;
	p->family = a->family;
	p->len = a->family == AF_INET ? IPV4_HOST_LEN : IPV6_HOST_LEN;
	memcpy(p->addr.bytes, a->ip, len);
	return true;
}

int
ctl_ike_alg(const struct ike_suite *s, enum dp_sa_alg *alg)
{
	switch (s->encr) {
	case IKE_ENCR_AES_GCM_16:
		if (s->integ != IKE_INTEG_NONE)
			return -ENOTSUP;
		if (s->encr_key_bits == AES_128_BITS)
			*alg = DP_SA_AES_GCM_128;
		else if (s->encr_key_bits == AES_256_BITS)
			*alg = DP_SA_AES_GCM_256;
		else
			return -ENOTSUP;
		return 0;
	case IKE_ENCR_AES_CBC:
		if (s->integ != IKE_INTEG_HMAC_SHA2_256_128)
			return -ENOTSUP;
		if (s->encr_key_bits == AES_128_BITS)
			*alg = DP_SA_AES_CBC_128_SHA256;
		else if (s->encr_key_bits == AES_256_BITS)
			*alg = DP_SA_AES_CBC_256_SHA256;
		else
			return -ENOTSUP;
		return 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 §2: fixed 256-bit key, no Key Length attribute. */
		if (s->integ != IKE_INTEG_NONE ||
		    (s->encr_key_bits != 0 && s->encr_key_bits != CHACHA_BITS))
			return -ENOTSUP;
		*alg = DP_SA_CHACHA20_POLY1305;
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* ---- traffic selectors ---- */

static uint8_t
ts_family(const struct ike_ts *ts)
{
	if (ts->type == IKE_TS_IPV4_ADDR_RANGE)
		return AF_INET;
	if (ts->type == IKE_TS_IPV6_ADDR_RANGE)
		return AF_INET6;
	return 0;
}

static bool
ports_any(const struct ike_ts *ts)
{
	return ts->start_port == PORT_ANY_LO && ts->end_port == PORT_ANY_HI;
}

static bool
is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static void
dp_ts_addr(struct dp_ts *d, const struct ike_ts *ts, uint8_t family)
{
	unsigned int len = family_len(family);

	d->family = family;
	memcpy(d->addr_lo, ts->start, len);
	memcpy(d->addr_hi, ts->end, len);
}

/*
 * ICMP: the 16-bit "port" is type << 8 | code (RFC 7296 §3.13.1); the data
 * path wants the type range in the local ports and the code range in the
 * remote ones (dataplane/ts.h). The selector that restricts decides; a
 * range over several types keeps every code of them (wider, never
 * narrower than negotiated).
 */
static void
icmp_ports(const struct ike_ts *l, const struct ike_ts *r, struct dp_ts_pair *pair)
{
	const struct ike_ts *ts = ports_any(l) ? r : l;
	uint16_t type_lo = ts->start_port >> ICMP_TYPE_SHIFT;
	uint16_t type_hi = ts->end_port >> ICMP_TYPE_SHIFT;

	if (ports_any(ts)) {
		pair->local.port_lo = pair->remote.port_lo = PORT_ANY_LO;
		pair->local.port_hi = pair->remote.port_hi = PORT_ANY_HI;
		return;
	}
	pair->local.port_lo = type_lo;
	pair->local.port_hi = type_hi;
	pair->remote.port_lo = type_lo == type_hi ? (ts->start_port & ICMP_CODE_MASK) : 0;
	pair->remote.port_hi = type_lo == type_hi ? (ts->end_port & ICMP_CODE_MASK) :
			       ICMP_CODE_MAX;
}

/* One pair; false when the two cannot carry common traffic (protocols). */
static bool
pair_make(const struct ike_ts *l, const struct ike_ts *r, struct dp_ts_pair *pair)
{
	uint8_t family = ts_family(l);
	uint8_t proto = l->ip_proto != 0 ? l->ip_proto : r->ip_proto;

	if (l->ip_proto != 0 && r->ip_proto != 0 && l->ip_proto != r->ip_proto)
		return false;
	memset(pair, 0, sizeof(*pair));
	dp_ts_addr(&pair->local, l, family);
	dp_ts_addr(&pair->remote, r, family);
	pair->local.proto = pair->remote.proto = proto;
	if (is_icmp(proto)) {
		icmp_ports(l, r, pair);
	} else {
		pair->local.port_lo = l->start_port;
		pair->local.port_hi = l->end_port;
		pair->remote.port_lo = r->start_port;
		pair->remote.port_hi = r->end_port;
	}
	return true;
}

static bool
ts_opaque(const struct ike_ts *ts)
{
	return ts->start_port > ts->end_port;
}

static int
ts_check(const struct ike_ts_set *set, const char *side, char *err, size_t err_len)
{
	for (unsigned int i = 0; i < set->n; i++) {
		if (ts_family(&set->ts[i]) == 0) {
			snprintf(err, err_len, "%s selector %u: type %u unsupported", side, i,
				 set->ts[i].type);
			return -ENOTSUP;
		}
		if (ts_opaque(&set->ts[i])) {
			snprintf(err, err_len, "%s selector %u: OPAQUE ports unsupported", side,
				 i);
			return -ENOTSUP;
		}
	}
	return 0;
}

int
ctl_ike_ts_pairs(const struct ike_child_state *c, struct dp_ts_pair *pairs, uint8_t *n,
		 char *err, size_t err_len)
{
	unsigned int nl = c->ts_local.n < IKE_TS_MAX ? c->ts_local.n : IKE_TS_MAX;
	unsigned int nr = c->ts_remote.n < IKE_TS_MAX ? c->ts_remote.n : IKE_TS_MAX;
	unsigned int k = 0;
	int rc;

	*n = 0;
	rc = ts_check(&c->ts_local, "local", err, err_len);
	if (rc == 0)
		rc = ts_check(&c->ts_remote, "remote", err, err_len);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < nl; i++) {
		for (unsigned int j = 0; j < nr; j++) {
			const struct ike_ts *l = &c->ts_local.ts[i], *r = &c->ts_remote.ts[j];
			struct dp_ts_pair pair;

			if (l->type != r->type || !pair_make(l, r, &pair))
				continue;
			if (k == DP_SA_MAX_TS) {
				snprintf(err, err_len, "more than %u selector pairs", DP_SA_MAX_TS);
				return -E2BIG;
			}
			pairs[k++] = pair;
		}
	}
	if (k == 0) {
		snprintf(err, err_len, "no selector pair of one family");
		return -EINVAL;
	}
	*n = (uint8_t)k;
	return 0;
}

/* ---- the SA ---- */

/* RFC 3948: the IKE SA's ports once it floated to NAT-T, else the CHILD
 * SA's own, else 4500. */
static void
encap_ports(const struct ike_sa_state *ike, const struct ike_child_state *c, uint16_t *lp,
	    uint16_t *rp)
{
	*lp = ike->natt && ike->local.port != 0 ? ike->local.port : c->encap_local_port;
	*rp = ike->natt && ike->remote.port != 0 ? ike->remote.port : c->encap_remote_port;
	if (*lp == 0)
		*lp = CTL_IKE_NATT_PORT;
	if (*rp == 0)
		*rp = CTL_IKE_NATT_PORT;
}

static int
keys_set(const struct ike_child_state *c, enum dp_sa_dir dir, struct dp_sa_params *p,
	 char *err, size_t err_len)
{
	bool use_i = (dir == DP_SA_OUTBOUND) == c->initiator;
	const struct ike_key *ek = use_i ? &c->encr_i : &c->encr_r;
	const struct ike_key *ak = use_i ? &c->integ_i : &c->integ_r;
	uint8_t enc = dp_sa_alg_enc_key_len(p->alg), auth = dp_sa_alg_auth_key_len(p->alg);

	if (ek->len != enc || ak->len != auth) {
		snprintf(err, err_len, "%s needs %u+%u key bytes, KEYMAT has %u+%u",
			 dp_sa_alg_name(p->alg), enc, auth, ek->len, ak->len);
		return -EINVAL;
	}
	memcpy(p->enc_key, ek->bytes, enc);
	p->enc_key_len = enc;
	memcpy(p->auth_key, ak->bytes, auth);
	p->auth_key_len = auth;
	return 0;
}

static enum dp_sa_df
df_of(enum cfg_sa_df df)
{
	if (df == CFG_SA_DF_SET)
		return DP_SA_DF_SET;
	return df == CFG_SA_DF_CLEAR ? DP_SA_DF_CLEAR : DP_SA_DF_COPY;
}

static void
outer_set(const struct ike_sa_state *ike, const struct ike_child_state *c,
	  const struct cfg_ike_child *cc, struct dp_sa_params *p)
{
	ctl_ike_addr_to_prefix(&ike->local, &p->local);
	ctl_ike_addr_to_prefix(&ike->remote, &p->remote);
	p->udp_encap = c->udp_encap;
	if (c->udp_encap)
		encap_ports(ike, c, &p->encap_local_port, &p->encap_remote_port);
	p->df = cc != NULL ? df_of(cc->df) : DP_SA_DF_COPY;
	p->dscp = cc != NULL && cc->dscp != CFG_NONE ? cc->dscp : -1;
}

static int
kind_set(const struct ike_sa_state *ike, const struct ike_child_state *c, enum dp_sa_dir dir,
	 struct dp_sa_params *p, char *err, size_t err_len)
{
	size_t name_len = strnlen(c->name, sizeof(c->name));

	if (c->mode != IKE_CHILD_MODE_TUNNEL && c->mode != IKE_CHILD_MODE_TRANSPORT) {
		snprintf(err, err_len, "mode %u unknown", c->mode);
		return -EINVAL;
	}
	if (family_len(ike->local.family) == 0 || ike->remote.family != ike->local.family) {
		snprintf(err, err_len, "IKE SA addresses: family %u/%u", ike->local.family,
			 ike->remote.family);
		return -EINVAL;
	}
	if (ctl_ike_alg(&c->suite, &p->alg) < 0) {
		snprintf(err, err_len, "suite encr %u/%u integ %u not in the data path",
			 c->suite.encr, c->suite.encr_key_bits, c->suite.integ);
		return -ENOTSUP;
	}
	memcpy(p->name, c->name, name_len < DP_SA_NAME_LEN ? name_len : DP_SA_NAME_LEN - 1);
	p->dir = dir;
	p->spi = dir == DP_SA_INBOUND ? c->spi_in : c->spi_out;
	p->mode = c->mode == IKE_CHILD_MODE_TRANSPORT ? DP_SA_TRANSPORT : DP_SA_TUNNEL;
	p->esn = c->suite.esn == IKE_ESN_YES;
	if (dir == DP_SA_INBOUND)
		p->replay_window = c->replay_window != 0 ? c->replay_window :
				   CTL_IKE_REPLAY_DEFAULT;
	p->owner = DP_SA_NO_OWNER;
	return 0;
}

int
ctl_ike_sa_params(const struct ike_sa_state *ike, const struct ike_child_state *c,
		  enum dp_sa_dir dir, const struct cfg_ike_child *cc,
		  struct dp_sa_params *p, char *err, size_t err_len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = kind_set(ike, c, dir, p, err, err_len);
	if (rc == 0)
		rc = keys_set(c, dir, p, err, err_len);
	if (rc == 0)
		rc = ctl_ike_ts_pairs(c, p->ts, &p->n_ts, err, err_len);
	if (rc < 0) {
		explicit_bzero(p, sizeof(*p));
		return rc;
	}
	outer_set(ike, c, cc, p);
	p->soft.bytes = c->life.soft_bytes;
	p->soft.packets = c->life.soft_packets;
	p->hard.bytes = c->life.hard_bytes;
	p->hard.packets = c->life.hard_packets;
	return 0;
}

bool
ctl_ike_path_update(const struct ike_sa_state *ike, const struct ike_child_state *c,
		    struct dp_sa_update *u)
{
	memset(u, 0, sizeof(*u));
	u->fields = DP_SA_UPD_LOCAL | DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP;
	if (!ctl_ike_addr_to_prefix(&ike->local, &u->local) ||
	    !ctl_ike_addr_to_prefix(&ike->remote, &u->remote))
		return false;
	u->udp_encap = c->udp_encap;
	if (c->udp_encap)
		encap_ports(ike, c, &u->encap_local_port, &u->encap_remote_port);
	return true;
}

/* ---- steering ---- */

static bool
vip_is(const struct ike_state_vip *vip, uint8_t family, const uint8_t *addr)
{
	return vip->addr.family == family && memcmp(vip->addr.ip, addr, family_len(family)) == 0;
}

/* A single host, any protocol and port, leased to the peer: its prefix. */
static bool
client_of(const struct ike_sa_state *ike, const struct ike_ts *ts, struct cfg_prefix *p)
{
	uint8_t family = ts_family(ts);
	unsigned int len = family_len(family);

	if (len == 0 || ts->ip_proto != 0 || !ports_any(ts) ||
	    memcmp(ts->start, ts->end, len) != 0)
		return false;
	if (!vip_is(&ike->vip4, family, ts->start) && !vip_is(&ike->vip6, family, ts->start))
		return false;
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = family == AF_INET ? IPV4_HOST_LEN : IPV6_HOST_LEN;
	memcpy(p->addr.bytes, ts->start, len);
	return true;
}

int
ctl_ike_plan(const struct ike_sa_state *ike, const struct ike_child_state *c,
	     struct ctl_ike_plan *plan, char *err, size_t err_len)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	rc = ctl_ike_ts_pairs(c, plan->pairs, &plan->n_pairs, err, err_len);
	if (rc < 0)
		return rc;
	if (c->ts_remote.n == 0 || c->ts_remote.n > CTL_IKE_MAX_CLIENTS)
		return 0;
	for (unsigned int i = 0; i < c->ts_remote.n; i++) {
		if (!client_of(ike, &c->ts_remote.ts[i], &plan->clients[i])) {
			memset(plan->clients, 0, sizeof(plan->clients));
			return 0;
		}
	}
	plan->n_clients = c->ts_remote.n;
	return 0;
}
