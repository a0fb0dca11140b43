/*
 * Small policy sets matched by a linear scan (spd_priv.h): RFC 4301
 * §4.4.1 first match in (priority, id) order over the selector ranges of
 * §4.4.1.1, for a family with at most SPD_LINEAR_MAX policies. A gateway
 * usually has a handful of policies per family; for those, comparing a
 * flow with each range costs a few instructions per policy, where an
 * rte_acl classification walks a trie byte by byte. Larger sets use the
 * ACL context (spd_acl.c), which is built either way.
 *
 * The answer is the ACL's, by construction: the same policies in the same
 * order, the same key (outbound: source against the local range and its
 * port range, destination against the remote ones; protocol 0 is any;
 * ports of a flow without them are 0), and flows with opaque ports match
 * only policies whose two port ranges are full (the ACL's category
 * SPD_CAT_ANY_PORTS). Addresses compare as 128-bit numbers (IPv4: the
 * first 4 bytes), so a range that crosses a 32-bit word needs no boxes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "dataplane/spd_priv.h"
#include "dataplane/ts.h"

typedef unsigned __int128 spd_u128;

/* One policy: ranges inclusive, addresses as numbers (IPv4: also as
 * 32-bit numbers, compared on their own). */
struct spd_lin_rule {
	spd_u128 src_lo, src_hi;	/* local selector (outbound source) */
	spd_u128 dst_lo, dst_hi;	/* remote selector */
	uint32_t src4_lo, src4_hi, dst4_lo, dst4_hi;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	uint8_t proto;			/* 0: any */
	bool ports_any;			/* both port ranges full */
	uint32_t userdata;		/* policy id + 1 */
};

struct spd_linear {
	uint32_t n;
	uint8_t addr_len;		/* 4 or 16 */
	struct spd_lin_rule r[];
};

static spd_u128
addr_num(const uint8_t *a, unsigned int len)
{
	uint64_t hi, lo;
	uint32_t v4;

	if (len == SPD_WORD_LEN) {
		memcpy(&v4, a, sizeof(v4));
		return rte_be_to_cpu_32(v4);
	}
	memcpy(&hi, a, sizeof(hi));
	memcpy(&lo, a + sizeof(hi), sizeof(lo));
	return (spd_u128)rte_be_to_cpu_64(hi) << 64 | rte_be_to_cpu_64(lo);
}

static void
rule_from_policy(struct spd_lin_rule *r, const struct dp_policy_params *p, uint32_t id,
		 unsigned int len)
{
	r->src_lo = addr_num(p->local.addr_lo, len);
	r->src_hi = addr_num(p->local.addr_hi, len);
	r->dst_lo = addr_num(p->remote.addr_lo, len);
	r->dst_hi = addr_num(p->remote.addr_hi, len);
	r->src4_lo = (uint32_t)r->src_lo;	/* IPv4 only */
	r->src4_hi = (uint32_t)r->src_hi;
	r->dst4_lo = (uint32_t)r->dst_lo;
	r->dst4_hi = (uint32_t)r->dst_hi;
	r->sport_lo = p->local.port_lo;
	r->sport_hi = p->local.port_hi;
	r->dport_lo = p->remote.port_lo;
	r->dport_hi = p->remote.port_hi;
	r->proto = p->local.proto != 0 ? p->local.proto : p->remote.proto;
	r->ports_any = dp_ts_ports_any(&p->local) && dp_ts_ports_any(&p->remote);
	r->userdata = id + 1;
}

int
dp_spd_linear_build(const struct dp_spd *spd, unsigned int fam, struct spd_linear **out)
{
	unsigned int len = dp_spd_words(fam) * SPD_WORD_LEN;
	struct spd_linear *t;
	uint32_t *ids;
	int n;

	*out = NULL;
	if (spd->n_used[fam] > SPD_LINEAR_MAX)
		return 0;
	n = dp_spd_sorted_policies(spd, fam, &ids);
	if (n <= 0)
		return n;
	t = rte_zmalloc_socket("spd_linear", sizeof(*t) + (size_t)n * sizeof(t->r[0]),
			       RTE_CACHE_LINE_SIZE, spd->p.socket);
	if (t == NULL) {
		free(ids);
		return -ENOMEM;
	}
	t->n = (uint32_t)n;
	t->addr_len = (uint8_t)len;
	for (int i = 0; i < n; i++)
		rule_from_policy(&t->r[i], &spd->slots[ids[i]].p, ids[i], len);
	free(ids);
	*out = t;
	return 0;
}

void
dp_spd_linear_free(struct spd_linear *t)
{
	rte_free(t);
}

static inline bool
rest_match(const struct spd_lin_rule *r, const struct dp_flow *f)
{
	if (f->ports_opaque)
		return r->ports_any;
	return f->sport >= r->sport_lo && f->sport <= r->sport_hi &&
	       f->dport >= r->dport_lo && f->dport <= r->dport_hi;
}

static uint32_t
match6(const struct spd_linear *t, const struct dp_flow *f)
{
	spd_u128 src = addr_num(f->src, t->addr_len);
	spd_u128 dst = addr_num(f->dst, t->addr_len);

	for (uint32_t i = 0; i < t->n; i++) {
		const struct spd_lin_rule *r = &t->r[i];

		if ((r->proto == 0 || r->proto == f->proto) && src >= r->src_lo &&
		    src <= r->src_hi && dst >= r->dst_lo && dst <= r->dst_hi && rest_match(r, f))
			return r->userdata;
	}
	return 0;
}

uint32_t
dp_spd_linear_match4(const struct spd_linear *t, const struct dp_flow *f)
{
	uint32_t src, dst;

	memcpy(&src, f->src, sizeof(src));
	memcpy(&dst, f->dst, sizeof(dst));
	src = rte_be_to_cpu_32(src);
	dst = rte_be_to_cpu_32(dst);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct spd_lin_rule *r = &t->r[i];

		if ((r->proto == 0 || r->proto == f->proto) && src >= r->src4_lo &&
		    src <= r->src4_hi && dst >= r->dst4_lo && dst <= r->dst4_hi &&
		    rest_match(r, f))
			return r->userdata;
	}
	return 0;
}

void
dp_spd_linear_lookup(const struct spd_linear *t, const struct dp_flow *const *flows,
		     const uint8_t *idx, unsigned int n, uint32_t *ud)
{
	if (t->addr_len == SPD_WORD_LEN) {
		for (unsigned int j = 0; j < n; j++)
			ud[j] = dp_spd_linear_match4(t, flows[idx[j]]);
		return;
	}
	for (unsigned int j = 0; j < n; j++)
		ud[j] = match6(t, flows[idx[j]]);
}
