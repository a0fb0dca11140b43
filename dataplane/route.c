/*
 * The routing table (route.h): longest-prefix match (RFC 4632 §5.1 for IPv4,
 * RFC 4291 §2.5 prefixes for IPv6) with DPDK rte_lpm and rte_lpm6.
 *
 * Both LPMs hold an index into one fixed array of next hops, shared by the
 * two families: identical next hops (compared byte for byte) are stored once
 * and reference counted, and a slot is free again when its last route goes.
 * rte_lpm and rte_lpm6 cannot hold depth 0, so each family's default route
 * is a separate slot consulted when the LPM misses. A sorted array per
 * family (address, then length) gives dp_route_foreach its order and finds
 * duplicates; only the control core touches it.
 *
 * Concurrency: one writer (the control core), lock-free readers (workers).
 * A next hop is written before the LPM entry or default slot that publishes
 * its index. Without an attached QSBR variable a next-hop slot or an rte_lpm6
 * tbl8 group freed by dp_route_del may be reused by the next dp_route_add
 * while a worker still reads it: fine while routes are set up before the
 * workers start. dp_route_attach_qsbr() closes that window: rte_lpm then
 * reclaims its own tbl8 groups after a grace period, and dp_route_del waits
 * for one before returning (rte_lpm6 has no RCU support of its own).
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_lpm_rcu_qsbr_add() is experimental in 22.11 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/route.h"

enum rt_family {
	RT_V4,
	RT_V6,
	RT_FAMILIES,
};

enum {
	RT_NAME_KEEP = 8,		/* chars of the caller's name in LPM object names */
	RT_NAME_LEN = 24,		/* rte_lpm6 adds "RG_HT_LRH_" to it; memzones take 31 */
	RT_LPM6_LEVELS = 13,		/* tbl8 groups a /128 may need: (128 - 24) / 8 */
	RT_LPM6_MAX_TBL8 = 1 << 21,	/* RTE_LPM6_TBL8_MAX_NUM_GROUPS (rte_lpm6.c) */
	RT_MAX_ROUTES = 1 << 20,	/* per family: 2 * this indices fit rte_lpm6's 21 bits */
	RT_LPM_NH_MASK = 0x00ffffff,	/* next-hop bits of an rte_lpm bulk result */
	RT_BULK = 64,			/* addresses per rte_lpm_lookup_bulk call */
	RT_V4_BITS = 32,
	RT_V6_BITS = 128,
};

#define RT_NH_NONE UINT32_MAX

struct rt_entry {
	struct dp_route r;
	uint32_t nh;			/* index into dp_route_table.nh */
};

struct rt_list {
	struct rt_entry *e;		/* sorted by address, then prefix length */
	unsigned int n;
};

struct dp_route_table {
	/* Read by the workers. */
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6;
	struct dp_nexthop *nh;		/* nh_cap slots */
	uint32_t dflt[RT_FAMILIES];	/* default route's next hop, or RT_NH_NONE */
	/* Control core only. */
	uint32_t *refs;			/* routes per next hop; 0: slot free */
	uint32_t nh_cap;
	uint32_t nh_top;		/* slots [nh_top, nh_cap) never used */
	uint32_t nh_used;
	unsigned int max_routes;	/* per family */
	struct rt_list list[RT_FAMILIES];
	struct rte_rcu_qsbr *qsbr;
};

static uint32_t rt_seq;			/* makes LPM object names unique */

static unsigned int
addr_bytes(unsigned int fi)
{
	return fi == RT_V4 ? sizeof(((struct cfg_prefix *)0)->addr.v4) :
			     sizeof(((struct cfg_prefix *)0)->addr.v6);
}

/* Family index of P, or RT_FAMILIES if P is no valid prefix. */
static unsigned int
prefix_family(const struct cfg_prefix *p)
{
	if (p->family == AF_INET && p->len <= RT_V4_BITS)
		return RT_V4;
	if (p->family == AF_INET6 && p->len <= RT_V6_BITS)
		return RT_V6;
	return RT_FAMILIES;
}

/* A copy of P with the host bits cleared and unused address bytes zero. */
static struct cfg_prefix
prefix_masked(const struct cfg_prefix *p, unsigned int fi)
{
	struct cfg_prefix m = { .family = p->family, .len = p->len };
	unsigned int full = p->len / CHAR_BIT;
	unsigned int bits = p->len % CHAR_BIT;

	memcpy(m.addr.bytes, p->addr.bytes, full);
	if (bits != 0 && full < addr_bytes(fi))
		m.addr.bytes[full] = p->addr.bytes[full] & (uint8_t)(0xff << (CHAR_BIT - bits));
	return m;
}

static int
prefix_cmp(const struct cfg_prefix *a, const struct cfg_prefix *b, unsigned int fi)
{
	int c = memcmp(a->addr.bytes, b->addr.bytes, addr_bytes(fi));

	return c != 0 ? c : (int)a->len - (int)b->len;
}

static bool
nexthop_valid(const struct dp_nexthop *nh)
{
	bool family_ok = nh->family == AF_INET || nh->family == AF_INET6;

	if (nh->kind > DP_NH_GATEWAY || nh->port >= CFG_MAX_PORTS)
		return false;
	return nh->kind == DP_NH_GATEWAY ? family_ok : family_ok || nh->family == 0;
}

/* Binary search: true if P is in L; *pos is its index or insertion point. */
static bool
list_find(const struct rt_list *l, const struct cfg_prefix *p, unsigned int fi,
	  unsigned int *pos)
{
	unsigned int lo = 0, hi = l->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = prefix_cmp(&l->e[mid].r.prefix, p, fi);

		if (c == 0) {
			*pos = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return false;
}

static void
list_insert(struct rt_list *l, unsigned int pos, const struct rt_entry *e)
{
	memmove(&l->e[pos + 1], &l->e[pos], (l->n - pos) * sizeof(l->e[0]));
	l->e[pos] = *e;
	l->n++;
}

static void
list_remove(struct rt_list *l, unsigned int pos)
{
	memmove(&l->e[pos], &l->e[pos + 1], (l->n - pos - 1) * sizeof(l->e[0]));
	l->n--;
}

/* Takes a reference on a slot holding NH, filling a free slot if needed. */
static int
nh_get(struct dp_route_table *rt, const struct dp_nexthop *nh, uint32_t *idx)
{
	uint32_t slot = RT_NH_NONE;

	for (uint32_t i = 0; i < rt->nh_top; i++) {
		if (rt->refs[i] == 0) {
			if (slot == RT_NH_NONE)
				slot = i;
		} else if (memcmp(&rt->nh[i], nh, sizeof(*nh)) == 0) {
			rt->refs[i]++;
			*idx = i;
			return 0;
		}
	}
	if (slot == RT_NH_NONE) {
		if (rt->nh_top == rt->nh_cap)
			return -ENOSPC;
		slot = rt->nh_top++;
	}
	rt->nh[slot] = *nh;
	rt->refs[slot] = 1;
	rt->nh_used++;
	*idx = slot;
	return 0;
}

static void
nh_put(struct dp_route_table *rt, uint32_t idx)
{
	if (--rt->refs[idx] == 0)
		rt->nh_used--;
}

/* Publishes IDX for the (masked) prefix P. */
static int
lpm_add(struct dp_route_table *rt, unsigned int fi, const struct cfg_prefix *p, uint32_t idx)
{
	uint32_t ip;

	/* The next hop must be visible before its index is. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (p->len == 0) {
		__atomic_store_n(&rt->dflt[fi], idx, __ATOMIC_RELEASE);
		return 0;
	}
	if (fi == RT_V6)
		return rte_lpm6_add(rt->lpm6, p->addr.v6, p->len, idx);
	memcpy(&ip, p->addr.v4, sizeof(ip));
	return rte_lpm_add(rt->lpm4, rte_be_to_cpu_32(ip), p->len, idx);
}

static int
lpm_del(struct dp_route_table *rt, unsigned int fi, const struct cfg_prefix *p)
{
	uint32_t ip;

	if (p->len == 0) {
		__atomic_store_n(&rt->dflt[fi], RT_NH_NONE, __ATOMIC_RELEASE);
		return 0;
	}
	if (fi == RT_V6)
		return rte_lpm6_delete(rt->lpm6, p->addr.v6, p->len);
	memcpy(&ip, p->addr.v4, sizeof(ip));
	return rte_lpm_delete(rt->lpm4, rte_be_to_cpu_32(ip), p->len);
}

static int
create_lpms(struct dp_route_table *rt, const char *name, int socket)
{
	uint32_t id = __atomic_fetch_add(&rt_seq, 1, __ATOMIC_RELAXED);
	struct rte_lpm_config c4 = {
		.max_rules = rt->max_routes,
		.number_tbl8s = rt->max_routes,	/* a route longer than /24 needs one */
	};
	struct rte_lpm6_config c6 = {
		.max_rules = rt->max_routes,
		.number_tbl8s = RTE_MIN((uint32_t)RT_LPM6_MAX_TBL8,
					rt->max_routes * RT_LPM6_LEVELS),
	};
	char n4[RT_NAME_LEN], n6[RT_NAME_LEN];

	snprintf(n4, sizeof(n4), "%.*s%u_4", RT_NAME_KEEP, name, id);
	snprintf(n6, sizeof(n6), "%.*s%u_6", RT_NAME_KEEP, name, id);
	rt->lpm4 = rte_lpm_create(n4, socket, &c4);
	rt->lpm6 = rte_lpm6_create(n6, socket, &c6);
	return rt->lpm4 != NULL && rt->lpm6 != NULL ? 0 : -ENOMEM;
}

struct dp_route_table *
dp_route_create(const char *name, unsigned int max_routes, int socket)
{
	struct dp_route_table *rt;

	if (name == NULL || max_routes == 0 || max_routes > RT_MAX_ROUTES)
		return NULL;
	rt = rte_zmalloc_socket("dp_route_table", sizeof(*rt), RTE_CACHE_LINE_SIZE, socket);
	if (rt == NULL)
		return NULL;
	rt->max_routes = max_routes;
	rt->nh_cap = RT_FAMILIES * max_routes;
	rt->dflt[RT_V4] = rt->dflt[RT_V6] = RT_NH_NONE;
	rt->nh = rte_zmalloc_socket("dp_nexthops", rt->nh_cap * sizeof(rt->nh[0]),
				    RTE_CACHE_LINE_SIZE, socket);
	rt->refs = calloc(rt->nh_cap, sizeof(rt->refs[0]));
	for (unsigned int f = 0; f < RT_FAMILIES; f++)
		rt->list[f].e = calloc(max_routes, sizeof(rt->list[f].e[0]));
	if (rt->nh == NULL || rt->refs == NULL || rt->list[RT_V4].e == NULL ||
	    rt->list[RT_V6].e == NULL || create_lpms(rt, name, socket) < 0) {
		dp_route_free(rt);
		return NULL;
	}
	return rt;
}

void
dp_route_free(struct dp_route_table *rt)
{
	if (rt == NULL)
		return;
	rte_lpm_free(rt->lpm4);
	rte_lpm6_free(rt->lpm6);
	for (unsigned int f = 0; f < RT_FAMILIES; f++)
		free(rt->list[f].e);
	free(rt->refs);
	rte_free(rt->nh);
	rte_free(rt);
}

int
dp_route_attach_qsbr(struct dp_route_table *rt, struct rte_rcu_qsbr *v)
{
	struct rte_lpm_rcu_config cfg = { .v = v, .mode = RTE_LPM_QSBR_MODE_SYNC };

	if (rt == NULL || v == NULL)
		return -EINVAL;
	if (rt->qsbr != NULL)
		return -EEXIST;
	if (rte_lpm_rcu_qsbr_add(rt->lpm4, &cfg) != 0)
		return -rte_errno;
	rt->qsbr = v;
	return 0;
}

int
dp_route_add(struct dp_route_table *rt, const struct cfg_prefix *prefix,
	     const struct dp_nexthop *nh)
{
	struct rt_entry e;
	unsigned int fi, pos;
	struct rt_list *l;
	int rc;

	if (rt == NULL || prefix == NULL || nh == NULL || !nexthop_valid(nh))
		return -EINVAL;
	fi = prefix_family(prefix);
	if (fi == RT_FAMILIES)
		return -EINVAL;
	e.r.prefix = prefix_masked(prefix, fi);
	e.r.nh = *nh;
	l = &rt->list[fi];
	if (list_find(l, &e.r.prefix, fi, &pos))
		return -EEXIST;
	if (l->n == rt->max_routes)
		return -ENOSPC;
	rc = nh_get(rt, nh, &e.nh);
	if (rc < 0)
		return rc;
	rc = lpm_add(rt, fi, &e.r.prefix, e.nh);
	if (rc < 0) {
		nh_put(rt, e.nh);
		return rc;
	}
	list_insert(l, pos, &e);
	return 0;
}

int
dp_route_del(struct dp_route_table *rt, const struct cfg_prefix *prefix)
{
	struct cfg_prefix p;
	unsigned int fi, pos;
	struct rt_list *l;
	uint32_t idx;

	if (rt == NULL || prefix == NULL)
		return -EINVAL;
	fi = prefix_family(prefix);
	if (fi == RT_FAMILIES)
		return -ENOENT;
	p = prefix_masked(prefix, fi);
	l = &rt->list[fi];
	if (!list_find(l, &p, fi, &pos))
		return -ENOENT;
	idx = l->e[pos].nh;
	if (lpm_del(rt, fi, &p) < 0)
		return -ENOENT;	/* cannot happen: the list mirrors the LPM */
	list_remove(l, pos);
	/* Readers may still hold the old index or an rte_lpm6 tbl8 group. */
	if (rt->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->qsbr, RTE_QSBR_THRID_INVALID);
	nh_put(rt, idx);
	return 0;
}

const struct dp_nexthop *
dp_route_lookup4(const struct dp_route_table *rt, const uint8_t dst[4])
{
	uint32_t ip, idx;

	memcpy(&ip, dst, sizeof(ip));
	if (rte_lpm_lookup(rt->lpm4, rte_be_to_cpu_32(ip), &idx) != 0) {
		idx = __atomic_load_n(&rt->dflt[RT_V4], __ATOMIC_ACQUIRE);
		if (idx == RT_NH_NONE)
			return NULL;
	}
	return &rt->nh[idx];
}

const struct dp_nexthop *
dp_route_lookup6(const struct dp_route_table *rt, const uint8_t dst[16])
{
	uint32_t idx;

	if (rte_lpm6_lookup(rt->lpm6, dst, &idx) != 0) {
		idx = __atomic_load_n(&rt->dflt[RT_V6], __ATOMIC_ACQUIRE);
		if (idx == RT_NH_NONE)
			return NULL;
	}
	return &rt->nh[idx];
}

void
dp_route_lookup4_bulk(const struct dp_route_table *rt, const uint32_t *dst_host_order,
		      const struct dp_nexthop **nh, unsigned int n)
{
	uint32_t dflt = __atomic_load_n(&rt->dflt[RT_V4], __ATOMIC_ACQUIRE);
	const struct dp_nexthop *miss = dflt == RT_NH_NONE ? NULL : &rt->nh[dflt];
	uint32_t hops[RT_BULK];

	/* Chunks of at most RT_BULK; never n = 0 (a VLA of size 0 inside). */
	for (unsigned int done = 0, k; done < n; done += k) {
		k = RTE_MIN(n - done, (unsigned int)RT_BULK);
		rte_lpm_lookup_bulk(rt->lpm4, dst_host_order + done, hops, k);
		for (unsigned int i = 0; i < k; i++)
			nh[done + i] = (hops[i] & RTE_LPM_LOOKUP_SUCCESS) ?
				       &rt->nh[hops[i] & RT_LPM_NH_MASK] : miss;
	}
}

int
dp_route_foreach(const struct dp_route_table *rt,
		 int (*fn)(const struct dp_route *r, void *arg), void *arg)
{
	for (unsigned int f = 0; f < RT_FAMILIES; f++) {
		for (unsigned int i = 0; i < rt->list[f].n; i++) {
			int rc = fn(&rt->list[f].e[i].r, arg);

			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

unsigned int
dp_route_count(const struct dp_route_table *rt)
{
	return rt->list[RT_V4].n + rt->list[RT_V6].n;
}

unsigned int
dp_route_nexthop_count(const struct dp_route_table *rt)
{
	return rt->nh_used;
}

const char *
dp_nexthop_kind_name(enum dp_nexthop_kind kind)
{
	switch (kind) {
	case DP_NH_LOCAL:
		return "local";
	case DP_NH_CONNECTED:
		return "connected";
	case DP_NH_GATEWAY:
		return "gateway";
	}
	return "unknown";
}
