/*
 * Unit tests for the neighbour table (dataplane/neigh.c): lookup, holding
 * packets while resolving (per-entry and total limits), the INCOMPLETE /
 * REACHABLE / PROBE timers of RFC 4861 §7.3 as simplified in neigh.h,
 * static entries, capacity, iteration, and that no mbuf leaks.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/neigh.h"
#include "tests/unit/cu_run.h"

enum {
	N_MBUFS = 128,
	MAX_EVENTS = 64,
	REACHABLE_MS = 30000,
	RETRANS_MS = 1000,
	MAX_PROBES = 3,
	PER_ENTRY = 4,
	TOTAL = 6,
	ENTRIES = 8,
};

/* What the table asked its owner to do. */
struct recorder {
	unsigned int solicits;
	struct dp_neigh_key solicit_key;
	bool solicit_unicast;
	struct rte_ether_addr solicit_mac;
	unsigned int sent;
	uint8_t sent_tag[MAX_EVENTS];
	struct rte_ether_addr sent_mac[MAX_EVENTS];
	unsigned int dropped;
	uint8_t dropped_tag[MAX_EVENTS];
};

static struct rte_mempool *pool;
static struct recorder rec;
static unsigned int baseline;
static unsigned int table_seq;

static const struct rte_ether_addr mac_a = { .addr_bytes = { 0x02, 0xaa, 0, 0, 0, 0x0a } };
static const struct rte_ether_addr mac_b = { .addr_bytes = { 0x02, 0xbb, 0, 0, 0, 0x0b } };

static uint8_t
tag_of(struct rte_mbuf *m)
{
	return *rte_pktmbuf_mtod(m, uint8_t *);
}

static void
rec_solicit(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	rec.solicits++;
	rec.solicit_key = *key;
	rec.solicit_unicast = mac != NULL;
	if (mac != NULL)
		rec.solicit_mac = *mac;
}

static void
rec_send(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac,
	 struct rte_mbuf *m)
{
	if (rec.sent < MAX_EVENTS) {
		rec.sent_tag[rec.sent] = tag_of(m);
		rec.sent_mac[rec.sent] = *mac;
	}
	rec.sent++;
	rte_pktmbuf_free(m);
}

static void
rec_drop(void *arg, struct rte_mbuf *m)
{
	if (rec.dropped < MAX_EVENTS)
		rec.dropped_tag[rec.dropped] = tag_of(m);
	rec.dropped++;
	rte_pktmbuf_free(m);
}

static const struct dp_neigh_ops ops = {
	.solicit = rec_solicit, .send = rec_send, .drop = rec_drop, .arg = NULL,
};

static struct dp_neigh_params
params(void)
{
	struct dp_neigh_params p = {
		.entries = ENTRIES,
		.reachable_ms = REACHABLE_MS,
		.retrans_ms = RETRANS_MS,
		.max_probes = MAX_PROBES,
		.pending_per_entry = PER_ENTRY,
		.pending_total = TOTAL,
		.qsbr = NULL,
		.socket = SOCKET_ID_ANY,
	};
	return p;
}

static struct dp_neigh_table *
table_with(const struct dp_neigh_params *p)
{
	char name[32];

	memset(&rec, 0, sizeof(rec));
	snprintf(name, sizeof(name), "t_neigh%u", table_seq++);
	return dp_neigh_create(name, p, &ops);
}

static struct dp_neigh_table *
table(void)
{
	struct dp_neigh_params p = params();

	return table_with(&p);
}

static struct dp_neigh_key
key4(uint8_t last)
{
	struct dp_neigh_key k = { .port = 1, .family = AF_INET, .addr = { 192, 0, 2, last } };

	return k;
}

static struct dp_neigh_key
key6(uint8_t last)
{
	struct dp_neigh_key k = {
		.port = 0, .family = AF_INET6,
		.addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = last },
	};
	return k;
}

static struct rte_mbuf *
pkt(uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	*(uint8_t *)rte_pktmbuf_append(m, 1) = tag;
	return m;
}

/* State of KEY via dp_neigh_foreach, or -1 when absent. */
struct find_arg {
	struct dp_neigh_key key;
	struct dp_neigh_info info;
	bool found;
};

static int
find_cb(const struct dp_neigh_info *info, void *arg)
{
	struct find_arg *f = arg;

	if (memcmp(&info->key, &f->key, sizeof(f->key)) != 0)
		return 0;
	f->info = *info;
	f->found = true;
	return 1;
}

static int
state_of(struct dp_neigh_table *t, struct dp_neigh_key key)
{
	struct find_arg f = { .key = key };

	dp_neigh_foreach(t, 0, find_cb, &f);
	return f.found ? (int)f.info.state : -1;
}

static void
test_lookup(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k1 = key4(1), k2 = key6(2);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_FALSE(dp_neigh_lookup(t, &k1, &mac));
	CU_ASSERT_EQUAL(dp_neigh_add_static(t, &k1, &mac_a), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k1, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_a));
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k2, &mac_b, true, true, 0), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k2, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_b));
	CU_ASSERT_EQUAL(dp_neigh_count(t), 2);
	CU_ASSERT_EQUAL(dp_neigh_del(t, &k1), 0);
	CU_ASSERT_FALSE(dp_neigh_lookup(t, &k1, &mac));
	CU_ASSERT_EQUAL(dp_neigh_del(t, &k1), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 1);
	CU_ASSERT_EQUAL(rec.solicits, 0);
	dp_neigh_free(t);
}

static void
test_hold_then_learn(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(7);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	for (uint8_t i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(dp_neigh_hold(t, &k, pkt(i), 100), 0);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	CU_ASSERT_FALSE(rec.solicit_unicast);
	CU_ASSERT_EQUAL(memcmp(&rec.solicit_key, &k, sizeof(k)), 0);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 3);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_INCOMPLETE);
	CU_ASSERT_FALSE(dp_neigh_lookup(t, &k, &mac));
	CU_ASSERT_EQUAL(rec.sent, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline + 3);

	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, false, 200), 0);
	CU_ASSERT_EQUAL(rec.sent, 3);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(rec.sent_tag[i], i + 1);
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&rec.sent_mac[i], &mac_a));
	}
	CU_ASSERT_EQUAL(dp_neigh_held(t), 0);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_REACHABLE);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	/* Resolved: the next packet leaves at once, no new solicitation. */
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k, pkt(4), 300), 0);
	CU_ASSERT_EQUAL(rec.sent, 4);
	CU_ASSERT_EQUAL(rec.sent_tag[3], 4);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	CU_ASSERT_EQUAL(rec.dropped, 0);
	dp_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

static void
test_hold_limits(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k1 = key4(1), k2 = key6(2);
	int rc;

	CU_ASSERT_FATAL(t != NULL);
	/* PER_ENTRY (4) fit, the 5th and 6th are dropped. */
	for (uint8_t i = 1; i <= 6; i++) {
		rc = dp_neigh_hold(t, &k1, pkt(i), 0);
		CU_ASSERT_EQUAL(rc, i <= PER_ENTRY ? 0 : -ENOBUFS);
	}
	CU_ASSERT_EQUAL(rec.dropped, 2);
	CU_ASSERT_EQUAL(rec.dropped_tag[0], 5);
	CU_ASSERT_EQUAL(rec.dropped_tag[1], 6);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 4);
	/* TOTAL (6): two more fit for another key, the third is dropped. */
	for (uint8_t i = 7; i <= 9; i++) {
		rc = dp_neigh_hold(t, &k2, pkt(i), 0);
		CU_ASSERT_EQUAL(rc, i <= 8 ? 0 : -ENOBUFS);
	}
	CU_ASSERT_EQUAL(rec.dropped, 3);
	CU_ASSERT_EQUAL(rec.dropped_tag[2], 9);
	CU_ASSERT_EQUAL(dp_neigh_held(t), TOTAL);
	CU_ASSERT_EQUAL(rec.solicits, 2);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline + TOTAL);
	/* Resolving k1 frees room in the shared pool for k2. */
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k1, &mac_a, true, false, 10), 0);
	CU_ASSERT_EQUAL(rec.sent, 4);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k2, pkt(10), 20), 0);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 3);
	/* Freeing the table drops what is still held. */
	dp_neigh_free(t);
	CU_ASSERT_EQUAL(rec.dropped, 6);
	CU_ASSERT_EQUAL(rec.dropped_tag[3], 7);
	CU_ASSERT_EQUAL(rec.dropped_tag[4], 8);
	CU_ASSERT_EQUAL(rec.dropped_tag[5], 10);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

/* HA role change (ctl_ha_takeover.c): every held packet dropped at once,
 * counted; the entries stay INCOMPLETE, and a later answer sends only
 * what was held after. */
static void
test_drop_held(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k1 = key4(11), k2 = key6(12);

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_drop_held(t), 0);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k1, pkt(1), 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k1, pkt(2), 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k2, pkt(3), 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_drop_held(t), 3);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 0);
	CU_ASSERT_EQUAL(rec.dropped, 3);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 2);
	CU_ASSERT_EQUAL(state_of(t, k1), DP_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k1, pkt(4), 10), 0);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k1, &mac_a, true, false, 20), 0);
	CU_ASSERT_EQUAL(rec.sent, 1);
	CU_ASSERT_EQUAL(rec.sent_tag[0], 4);
	dp_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

static void
test_incomplete_fails(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(9);

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k, pkt(1), 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k, pkt(2), 10), 0);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	dp_neigh_tick(t, RETRANS_MS - 1);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	dp_neigh_tick(t, RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 2);
	dp_neigh_tick(t, 2 * RETRANS_MS - 1);
	CU_ASSERT_EQUAL(rec.solicits, 2);
	dp_neigh_tick(t, 2 * RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 3);
	CU_ASSERT_FALSE(rec.solicit_unicast);
	dp_neigh_tick(t, 3 * RETRANS_MS - 1);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 1);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 2);
	CU_ASSERT_EQUAL(rec.dropped, 0);
	/* MAX_PROBES solicitations unanswered: fail, drop what was held. */
	dp_neigh_tick(t, 3 * RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 3);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	CU_ASSERT_EQUAL(dp_neigh_held(t), 0);
	CU_ASSERT_EQUAL(rec.dropped, 2);
	CU_ASSERT_EQUAL(rec.dropped_tag[0], 1);
	CU_ASSERT_EQUAL(rec.dropped_tag[1], 2);
	CU_ASSERT_EQUAL(rec.sent, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
	dp_neigh_free(t);
}

static void
test_reachable_to_probe(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key6(5);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));	/* a worker uses it */
	dp_neigh_tick(t, REACHABLE_MS - 1);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_REACHABLE);
	CU_ASSERT_EQUAL(rec.solicits, 0);
	dp_neigh_tick(t, REACHABLE_MS);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_PROBE);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	CU_ASSERT_TRUE(rec.solicit_unicast);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&rec.solicit_mac, &mac_a));
	/* Still usable while probing. */
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	dp_neigh_tick(t, REACHABLE_MS + RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 2);
	dp_neigh_tick(t, REACHABLE_MS + 2 * RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 3);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 1);
	dp_neigh_tick(t, REACHABLE_MS + 3 * RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 3);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	CU_ASSERT_FALSE(dp_neigh_lookup(t, &k, &mac));
	dp_neigh_free(t);
}

static void
test_probe_answered(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(5);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	dp_neigh_tick(t, REACHABLE_MS);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_PROBE);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, false, REACHABLE_MS + 500), 0);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_REACHABLE);
	dp_neigh_tick(t, REACHABLE_MS + RETRANS_MS);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	/* Confirmation cleared the used flag: unused since, it expires. */
	dp_neigh_tick(t, 2 * REACHABLE_MS + 499);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 1);
	dp_neigh_tick(t, 2 * REACHABLE_MS + 500);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	CU_ASSERT_EQUAL(rec.solicits, 1);
	dp_neigh_free(t);
}

static void
test_reachable_unused_deleted(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(6);

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, false, true, 1000), 0);
	dp_neigh_tick(t, 1000 + REACHABLE_MS - 1);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 1);
	dp_neigh_tick(t, 1000 + REACHABLE_MS);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	CU_ASSERT_EQUAL(rec.solicits, 0);
	dp_neigh_free(t);
}

static void
test_static_never_ages(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(2);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_add_static(t, &k, &mac_a), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	dp_neigh_tick(t, 1000ULL * REACHABLE_MS);
	dp_neigh_tick(t, 2000ULL * REACHABLE_MS);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_STATIC);
	CU_ASSERT_EQUAL(rec.solicits, 0);
	/* Learning never overrides a static MAC. */
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_b, true, true, 5), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_a));
	dp_neigh_free(t);
}

static void
test_unsolicited_update(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key4(3);
	struct rte_ether_addr mac;

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_b, false, false, 100), 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_b));
	/* Unconfirmed: the reachable timer still runs from 0; used, so probe
	 * the new MAC. */
	dp_neigh_tick(t, REACHABLE_MS);
	CU_ASSERT_EQUAL(state_of(t, k), DP_NEIGH_PROBE);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&rec.solicit_mac, &mac_b));
	dp_neigh_free(t);
}

static void
test_learn_unknown(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k = key6(8);

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, false, 0), -ENOENT);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	dp_neigh_free(t);
}

static void
test_table_full(void)
{
	struct dp_neigh_params p = params();
	struct dp_neigh_table *t;
	struct dp_neigh_key k;

	p.entries = 4;
	t = table_with(&p);
	CU_ASSERT_FATAL(t != NULL);
	for (uint8_t i = 1; i <= 4; i++) {
		k = key4(i);
		CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), 0);
	}
	k = key4(5);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), -ENOSPC);
	CU_ASSERT_EQUAL(dp_neigh_add_static(t, &k, &mac_a), -ENOSPC);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k, pkt(1), 0), -ENOSPC);
	CU_ASSERT_EQUAL(rec.dropped, 1);
	CU_ASSERT_EQUAL(rec.solicits, 0);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 4);
	/* Room again after a delete. */
	k = key4(1);
	CU_ASSERT_EQUAL(dp_neigh_del(t, &k), 0);
	k = key4(5);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, 0), 0);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 4);
	dp_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

struct count_arg {
	unsigned int calls;
	unsigned int by_state[DP_NEIGH_STATIC + 1];
	unsigned int held;
	uint64_t age_ms;
	int stop_with;
};

static int
count_cb(const struct dp_neigh_info *info, void *arg)
{
	struct count_arg *c = arg;

	c->calls++;
	c->by_state[info->state]++;
	c->held += info->held;
	if (info->state == DP_NEIGH_REACHABLE)
		c->age_ms = info->age_ms;
	return c->stop_with;
}

static void
test_foreach_count(void)
{
	struct dp_neigh_table *t = table();
	struct dp_neigh_key k1 = key4(1), k2 = key4(2), k3 = key6(3);
	struct count_arg c = { 0 };

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(dp_neigh_add_static(t, &k1, &mac_a), 0);
	CU_ASSERT_EQUAL(dp_neigh_learn(t, &k2, &mac_b, true, true, 100), 0);
	CU_ASSERT_EQUAL(dp_neigh_hold(t, &k3, pkt(1), 100), 0);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 3);
	CU_ASSERT_EQUAL(dp_neigh_foreach(t, 350, count_cb, &c), 0);
	CU_ASSERT_EQUAL(c.calls, 3);
	CU_ASSERT_EQUAL(c.by_state[DP_NEIGH_STATIC], 1);
	CU_ASSERT_EQUAL(c.by_state[DP_NEIGH_REACHABLE], 1);
	CU_ASSERT_EQUAL(c.by_state[DP_NEIGH_INCOMPLETE], 1);
	CU_ASSERT_EQUAL(c.held, 1);
	CU_ASSERT_EQUAL(c.age_ms, 250);
	memset(&c, 0, sizeof(c));
	c.stop_with = 7;
	CU_ASSERT_EQUAL(dp_neigh_foreach(t, 350, count_cb, &c), 7);
	CU_ASSERT_EQUAL(c.calls, 1);
	/* Deleting an INCOMPLETE entry drops what it held. */
	CU_ASSERT_EQUAL(dp_neigh_del(t, &k3), 0);
	CU_ASSERT_EQUAL(rec.dropped, 1);
	CU_ASSERT_EQUAL(dp_neigh_count(t), 2);
	CU_ASSERT_STRING_EQUAL(dp_neigh_state_name(DP_NEIGH_INCOMPLETE), "incomplete");
	CU_ASSERT_STRING_EQUAL(dp_neigh_state_name(DP_NEIGH_REACHABLE), "reachable");
	CU_ASSERT_STRING_EQUAL(dp_neigh_state_name(DP_NEIGH_PROBE), "probe");
	CU_ASSERT_STRING_EQUAL(dp_neigh_state_name(DP_NEIGH_STATIC), "static");
	dp_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

/* With a QSBR variable the hash reclaims deleted slots after a grace
 * period; the table must behave the same for its user. */
static void
test_qsbr(void)
{
	struct dp_neigh_params p = params();
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("t_qsbr", sz, RTE_CACHE_LINE_SIZE);
	struct dp_neigh_key k = key4(4);
	struct rte_ether_addr mac;
	struct dp_neigh_table *t;

	CU_ASSERT_FATAL(v != NULL && rte_rcu_qsbr_init(v, 1) == 0);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(v, 0), 0);
	rte_rcu_qsbr_thread_online(v, 0);
	p.entries = 2;
	p.qsbr = v;
	t = table_with(&p);
	CU_ASSERT_FATAL(t != NULL);
	for (unsigned int round = 0; round < 10; round++) {
		CU_ASSERT_EQUAL(dp_neigh_learn(t, &k, &mac_a, true, true, round), 0);
		CU_ASSERT_TRUE(dp_neigh_lookup(t, &k, &mac));
		CU_ASSERT_EQUAL(dp_neigh_del(t, &k), 0);
		CU_ASSERT_FALSE(dp_neigh_lookup(t, &k, &mac));
		rte_rcu_qsbr_quiescent(v, 0);
	}
	CU_ASSERT_EQUAL(dp_neigh_count(t), 0);
	rte_rcu_qsbr_thread_offline(v, 0);
	rte_rcu_qsbr_thread_unregister(v, 0);
	dp_neigh_free(t);
	rte_free(v);
}

static int
eal_init(void)
{
	char *argv[] = {
		"test_neigh", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
		"--file-prefix", "hagw_test_neigh", "-l", "0", "--log-level=3",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("t_neigh_pool", N_MBUFS, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	baseline = rte_mempool_in_use_count(pool);
	return 0;
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "lookup miss/hit, static, delete", test_lookup },
		{ "hold, solicit once, learn sends in order", test_hold_then_learn },
		{ "per-entry and total hold limits", test_hold_limits },
		{ "INCOMPLETE retransmits and fails", test_incomplete_fails },
		{ "held packets dropped on demand", test_drop_held },
		{ "REACHABLE used -> PROBE -> deleted", test_reachable_to_probe },
		{ "PROBE answered -> REACHABLE", test_probe_answered },
		{ "REACHABLE unused -> deleted", test_reachable_unused_deleted },
		{ "static entries never age", test_static_never_ages },
		{ "unsolicited update changes the MAC", test_unsolicited_update },
		{ "learn without create on unknown key", test_learn_unknown },
		{ "table full", test_table_full },
		{ "foreach and count", test_foreach_count },
		{ "QSBR reclamation", test_qsbr },
	};
	CU_pSuite suite;
	unsigned int failures;

	if (eal_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("neigh", NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
