/*
 * Remote-access clients of the SPD (spd.h, spd_priv.h): a client's
 * virtual address (or pool prefix) -> its outbound SA, by longest-prefix
 * match on the destination with rte_lpm (IPv4) and rte_lpm6 (IPv6), next
 * hop = SA id. Consulted after the ACL policies and before the default
 * action; tens of thousands of clients without an ACL rebuild per client.
 *
 * Each LPM is created at the first client of its family (each costs a
 * 64 MB tbl24) and lives until dp_spd_free. Updates happen in place: one
 * writer, lock-free readers. Freed tbl8 groups must not be reused while a
 * worker may still walk them:
 *   - rte_lpm takes the QSBR variable in defer-queue mode and recycles its
 *     tbl8 groups itself after a grace period, never blocking;
 *   - rte_lpm6 (no RCU support) recycles tbl8 groups at once on delete, so
 *     after an IPv6 delete the "gate" closes with a QSBR token: a new IPv6
 *     client that may need tbl8 groups waits in a queue (counted as a
 *     client, missing from lookups) until dp_spd_reclaim sees the grace
 *     period passed. Replacing the SA of a present prefix (rekey) writes
 *     in place and needs no group.
 * tbl8 sizing: IPv4 4096 groups (client /32s in 4096 distinct /24s); IPv6
 * two groups per client, 64..16384 (clients from pools share the groups
 * of their common prefix). Beyond that adds fail with -ENOSPC.
 *
 * IPv4 host clients. A /32 (a virtual IP, the usual client) goes into an
 * exact-match rte_hash (lock-free readers, QSBR-deferred reclamation)
 * instead of the LPM, looked up first: rte_lpm keeps its rules in one
 * array per depth and scans it on every add and delete, so 100,000 /32
 * rules made each client cost O(N) there (30 % of the control core at
 * N = 100,000). Other IPv4 prefixes (pools) stay in the LPM.
 *
 * Shadow table. An LPM cannot be listed, so the control core keeps every
 * client of a family in an rte_hash too (created with the LPM, room for
 * max_clients with its extension table): key = masked prefix, data = SA id
 * plus a "pending" bit for IPv6 adds still in the queue. It answers
 * "present?" in O(1) for adds and deletes, so it is changed first and put
 * back if the LPM or the queue then fails: the two never disagree.
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_lpm_rcu_qsbr_add() is experimental in 22.11 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/mem_table.h"
#include "dataplane/spd_priv.h"

enum {
	CLI_LPM4_NH_MAX = 1 << 24,	/* rte_lpm next hops are 24 bits */
	CLI_LPM4_NH_MASK = CLI_LPM4_NH_MAX - 1,
	CLI_LPM6_NH_MAX = 1 << 21,	/* rte_lpm6 next hops are 21 bits */
	CLI_LPM4_TBL8 = 1 << 12,
	CLI_LPM6_TBL8_MIN = 64,
	CLI_LPM6_TBL8_MAX = 1 << 14,	/* 16 MB */
	CLI_LPM6_TBL8_PER_CLIENT = 2,
	CLI_PENDING_MIN = 16,
	CLI_V4_BITS = 32,
	CLI_V6_BITS = 128,
	CLI_SHADOW_MIN = 8,		/* rte_hash's smallest table */
};

/* Shadow data: the SA id (< 2^24, the LPM limits) and this bit. */
#define CLI_SHADOW_PENDING ((uintptr_t)1 << 31)

/* Shadow key: a masked prefix (IPv4 in the first 4 bytes, the rest 0). */
struct spd_client_key {
	uint8_t len;
	uint8_t pad[3];
	uint8_t addr[16];
};

/* An IPv6 client add waiting for the grace period after a delete. */
struct spd_pending6 {
	struct cfg_prefix prefix;	/* masked */
	uint32_t sa_id;
};

static uint32_t
prefix_v4(const struct cfg_prefix *p)
{
	uint32_t v;

	memcpy(&v, p->addr.v4, sizeof(v));
	return rte_be_to_cpu_32(v);
}

/* The prefix with its host bits cleared. */
static struct cfg_prefix
prefix_masked(const struct cfg_prefix *p)
{
	struct cfg_prefix m = *p;
	unsigned int bits = p->family == AF_INET ? CLI_V4_BITS : CLI_V6_BITS;

	for (unsigned int i = p->len; i < bits; i++)
		m.addr.bytes[i / CHAR_BIT] &= (uint8_t)~(0x80u >> (i % CHAR_BIT));
	for (unsigned int i = bits / CHAR_BIT; i < sizeof(m.addr.bytes); i++)
		m.addr.bytes[i] = 0;
	return m;
}

/* ---- Shadow table ---- */

static void
shadow_name(const struct dp_spd *spd, unsigned int fam, char *buf, size_t len)
{
	snprintf(buf, len, "%s.s%c", spd->name, fam == SPD_V4 ? '4' : '6');
}

static void
host4_name(const struct dp_spd *spd, char *buf, size_t len)
{
	snprintf(buf, len, "%s.h4", spd->name);
}

static unsigned int
hash_entries(const struct dp_spd *spd)
{
	return RTE_MAX(spd->p.max_clients, (unsigned int)CLI_SHADOW_MIN);
}

void
dp_spd_clients_prepare(struct dp_spd *spd)
{
	char name[SPD_OBJ_NAME_LEN];

	/* The hashes are made on the first client; their heaps now (mem_table.h) */
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++) {
		shadow_name(spd, fam, name, sizeof(name));
		(void)mem_table_hash_socket(name, hash_entries(spd), spd->p.socket);
	}
	host4_name(spd, name, sizeof(name));
	(void)mem_table_hash_socket(name, hash_entries(spd), spd->p.socket);
}

static int
shadow_get(struct dp_spd *spd, unsigned int fam)
{
	char name[SPD_OBJ_NAME_LEN];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = hash_entries(spd),
		.key_len = sizeof(struct spd_client_key),
		.hash_func = rte_jhash,
		.socket_id = spd->p.socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,	/* room for every entry */
	};

	if (spd->shadow[fam] != NULL)
		return 0;
	shadow_name(spd, fam, name, sizeof(name));
	hp.socket_id = mem_table_hash_socket(name, hp.entries, hp.socket_id);	/* huge pages */
	spd->shadow[fam] = rte_hash_create(&hp);
	return spd->shadow[fam] != NULL ? 0 : -rte_errno;
}

static struct spd_client_key
shadow_key(unsigned int fam, const struct cfg_prefix *m)
{
	struct spd_client_key k;

	memset(&k, 0, sizeof(k));
	k.len = m->len;
	memcpy(k.addr, m->addr.bytes, fam == SPD_V4 ? sizeof(m->addr.v4) : sizeof(m->addr.v6));
	return k;
}

/* Whether masked prefix M is a client of FAM; *v: its shadow data. */
static bool
shadow_find(const struct dp_spd *spd, unsigned int fam, const struct cfg_prefix *m,
	    uintptr_t *v)
{
	struct spd_client_key k = shadow_key(fam, m);
	void *data;

	if (spd->shadow[fam] == NULL || rte_hash_lookup_data(spd->shadow[fam], &k, &data) < 0)
		return false;
	*v = (uintptr_t)data;
	return true;
}

static int
shadow_set(struct dp_spd *spd, unsigned int fam, const struct cfg_prefix *m, uint32_t sa_id,
	   bool pending)
{
	struct spd_client_key k = shadow_key(fam, m);
	uintptr_t v = sa_id | (pending ? CLI_SHADOW_PENDING : 0);

	return rte_hash_add_key_data(spd->shadow[fam], &k, (void *)v);
}

static void
shadow_del(struct dp_spd *spd, unsigned int fam, const struct cfg_prefix *m)
{
	struct spd_client_key k = shadow_key(fam, m);

	rte_hash_del_key(spd->shadow[fam], &k);
}

/* Undoes a shadow_set after a failure: M as it was (HAD: data OLD) or gone. */
static void
shadow_restore(struct dp_spd *spd, unsigned int fam, const struct cfg_prefix *m, bool had,
	       uintptr_t old)
{
	struct spd_client_key k = shadow_key(fam, m);

	if (had)
		rte_hash_add_key_data(spd->shadow[fam], &k, (void *)old);
	else
		rte_hash_del_key(spd->shadow[fam], &k);
}

int
dp_spd_client_foreach(const struct dp_spd *spd,
		      int (*cb)(const struct cfg_prefix *prefix, uint32_t sa_id, bool pending,
				void *arg),
		      void *arg)
{
	for (unsigned int fam = 0; spd != NULL && fam < SPD_FAMILIES; fam++) {
		const struct rte_hash *h = spd->shadow[fam];
		uint32_t next = 0;
		const void *key;
		void *data;

		while (h != NULL && rte_hash_iterate(h, &key, &data, &next) >= 0) {
			const struct spd_client_key *k = key;
			struct cfg_prefix p = { .family = fam == SPD_V4 ? AF_INET : AF_INET6,
						.len = k->len };
			uintptr_t v = (uintptr_t)data;
			int rc;

			memcpy(p.addr.bytes, k->addr, sizeof(p.addr.bytes));
			rc = cb(&p, (uint32_t)(v & ~CLI_SHADOW_PENDING),
				(v & CLI_SHADOW_PENDING) != 0, arg);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- Client tables ---- */

static int
client_family(const struct cfg_prefix *p)
{
	if (p == NULL)
		return -1;
	if (p->family == AF_INET && p->len >= 1 && p->len <= CLI_V4_BITS)
		return SPD_V4;
	if (p->family == AF_INET6 && p->len >= 1 && p->len <= CLI_V6_BITS)
		return SPD_V6;
	return -1;
}

static int
host4_get(struct dp_spd *spd)
{
	char name[SPD_OBJ_NAME_LEN];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = hash_entries(spd),
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = spd->p.socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = { .v = spd->p.qsbr, .mode = RTE_HASH_QSBR_MODE_DQ };
	struct rte_hash *h;

	if (spd->host4 != NULL)
		return 0;
	host4_name(spd, name, sizeof(name));
	hp.socket_id = mem_table_hash_socket(name, hp.entries, hp.socket_id);	/* huge pages */
	h = rte_hash_create(&hp);
	if (h == NULL)
		return -rte_errno;
	if (spd->p.qsbr != NULL && rte_hash_rcu_qsbr_add(h, &rcu) != 0) {
		rte_hash_free(h);
		return -rte_errno;
	}
	__atomic_store_n(&spd->host4, h, __ATOMIC_RELEASE);
	return 0;
}

/* Key of a /32 in host4: the address in network order. */
static uint32_t
host4_key(const struct cfg_prefix *m)
{
	uint32_t v;

	memcpy(&v, m->addr.v4, sizeof(v));
	return v;
}

static int
lpm4_get(struct dp_spd *spd, struct rte_lpm **out)
{
	struct rte_lpm_config c = {
		.max_rules = spd->p.max_clients,
		.number_tbl8s = RTE_MIN(spd->p.max_clients, (unsigned int)CLI_LPM4_TBL8),
	};
	struct rte_lpm_rcu_config rc = { .v = spd->p.qsbr, .mode = RTE_LPM_QSBR_MODE_DQ };
	char name[SPD_OBJ_NAME_LEN];
	struct rte_lpm *lpm;

	*out = spd->lpm4;
	if (*out != NULL)
		return 0;
	snprintf(name, sizeof(name), "%s.c4", spd->name);
	lpm = rte_lpm_create(name, spd->p.socket, &c);
	if (lpm == NULL)
		return -rte_errno;
	/* Freed tbl8 groups wait in rte_lpm's defer queue for a grace period. */
	if (spd->p.qsbr != NULL && rte_lpm_rcu_qsbr_add(lpm, &rc) != 0) {
		rte_lpm_free(lpm);
		return -ENOMEM;
	}
	__atomic_store_n(&spd->lpm4, lpm, __ATOMIC_RELEASE);
	*out = lpm;
	return 0;
}

static int
lpm6_get(struct dp_spd *spd, struct rte_lpm6 **out)
{
	unsigned int tbl8 = spd->p.max_clients * CLI_LPM6_TBL8_PER_CLIENT;
	struct rte_lpm6_config c = {
		.max_rules = spd->p.max_clients,
		.number_tbl8s = RTE_MIN(RTE_MAX(tbl8, (unsigned int)CLI_LPM6_TBL8_MIN),
					(unsigned int)CLI_LPM6_TBL8_MAX),
	};
	char name[SPD_OBJ_NAME_LEN];
	struct rte_lpm6 *lpm;

	*out = spd->lpm6;
	if (*out != NULL)
		return 0;
	snprintf(name, sizeof(name), "%s.c6", spd->name);
	lpm = rte_lpm6_create(name, spd->p.socket, &c);
	if (lpm == NULL)
		return -rte_errno;
	__atomic_store_n(&spd->lpm6, lpm, __ATOMIC_RELEASE);
	*out = lpm;
	return 0;
}

static int
client_add4(struct dp_spd *spd, const struct cfg_prefix *prefix, uint32_t sa_id)
{
	struct cfg_prefix m = prefix_masked(prefix);
	struct rte_lpm *lpm;
	uintptr_t old = 0;
	bool present;
	int rc;

	if (sa_id >= CLI_LPM4_NH_MAX)
		return -EINVAL;
	rc = shadow_get(spd, SPD_V4);
	if (rc == 0)
		rc = host4_get(spd);
	if (rc == 0)
		rc = lpm4_get(spd, &lpm);
	if (rc != 0)
		return rc;
	present = shadow_find(spd, SPD_V4, &m, &old);
	if (!present && spd->n_clients[SPD_V4] >= spd->p.max_clients)
		return -ENOSPC;
	rc = shadow_set(spd, SPD_V4, &m, sa_id, false);
	if (rc == 0 && m.len == CLI_V4_BITS) {
		uint32_t key = host4_key(&m);

		rc = rte_hash_add_key_data(spd->host4, &key, (void *)(uintptr_t)sa_id);
	} else if (rc == 0) {
		rc = rte_lpm_add(lpm, prefix_v4(&m), m.len, sa_id);
	}
	if (rc != 0) {
		shadow_restore(spd, SPD_V4, &m, present, old);
		return rc;
	}
	if (!present)
		spd->n_clients[SPD_V4]++;
	return 0;
}

static int
client_delete4(struct dp_spd *spd, const struct cfg_prefix *prefix)
{
	struct cfg_prefix m = prefix_masked(prefix);
	uintptr_t v;
	int rc;

	if (!shadow_find(spd, SPD_V4, &m, &v))
		return -ENOENT;
	if (m.len == CLI_V4_BITS) {
		uint32_t key = host4_key(&m);

		rc = rte_hash_del_key(spd->host4, &key);
		rc = rc < 0 ? rc : 0;
	} else {
		rc = rte_lpm_delete(spd->lpm4, prefix_v4(&m), m.len);
	}
	if (rc != 0)
		return rc;
	shadow_del(spd, SPD_V4, &m);
	spd->n_clients[SPD_V4]--;
	return 0;
}

static int
pending_find(const struct dp_spd *spd, const struct cfg_prefix *m)
{
	for (unsigned int i = 0; i < spd->n_pending; i++) {
		const struct cfg_prefix *q = &spd->pending[i].prefix;

		if (q->len == m->len && memcmp(q->addr.v6, m->addr.v6, sizeof(q->addr.v6)) == 0)
			return (int)i;
	}
	return -1;
}

/* Queues an add of M, or gives the queued one SA_ID. */
static int
pending_put(struct dp_spd *spd, const struct cfg_prefix *m, uint32_t sa_id)
{
	int q = pending_find(spd, m);

	if (q >= 0) {
		spd->pending[q].sa_id = sa_id;
		return 0;
	}
	if (spd->n_pending == spd->cap_pending) {
		unsigned int cap = spd->cap_pending != 0 ? spd->cap_pending * 2 : CLI_PENDING_MIN;
		struct spd_pending6 *e = realloc(spd->pending, cap * sizeof(*e));

		if (e == NULL)
			return -ENOMEM;
		spd->pending = e;
		spd->cap_pending = cap;
	}
	spd->pending[spd->n_pending].prefix = *m;
	spd->pending[spd->n_pending].sa_id = sa_id;
	spd->n_pending++;
	return 0;
}

static void
pending_remove(struct dp_spd *spd, unsigned int i)
{
	memmove(&spd->pending[i], &spd->pending[i + 1],
		(spd->n_pending - i - 1) * sizeof(spd->pending[0]));
	spd->n_pending--;
}

/* IPv6 adds that may need tbl8 groups wait while the gate is closed. */
static bool
lpm6_gate_open(struct dp_spd *spd)
{
	if (spd->lpm6_gate && rte_rcu_qsbr_check(spd->p.qsbr, spd->lpm6_token, false) == 1)
		spd->lpm6_gate = false;
	return !spd->lpm6_gate;
}

/* A present prefix gets its new SA in place (no tbl8 group needed), a
 * queued one in the queue; a new one waits while the gate is closed. */
static int
client_add6(struct dp_spd *spd, const struct cfg_prefix *prefix, uint32_t sa_id)
{
	struct cfg_prefix m = prefix_masked(prefix);
	struct rte_lpm6 *lpm;
	uintptr_t old = 0;
	bool had, pending;
	int rc;

	if (sa_id >= CLI_LPM6_NH_MAX)
		return -EINVAL;
	rc = shadow_get(spd, SPD_V6);
	if (rc == 0)
		rc = lpm6_get(spd, &lpm);
	if (rc != 0)
		return rc;
	had = shadow_find(spd, SPD_V6, &m, &old);
	if (!had && spd->n_clients[SPD_V6] >= spd->p.max_clients)
		return -ENOSPC;
	pending = had ? (old & CLI_SHADOW_PENDING) != 0 : !lpm6_gate_open(spd);
	rc = shadow_set(spd, SPD_V6, &m, sa_id, pending);
	if (rc == 0)
		rc = pending ? pending_put(spd, &m, sa_id) :
		     rte_lpm6_add(lpm, m.addr.v6, m.len, sa_id);
	if (rc != 0) {
		shadow_restore(spd, SPD_V6, &m, had, old);
		return rc;
	}
	if (!had)
		spd->n_clients[SPD_V6]++;
	return 0;
}

static int
client_delete6(struct dp_spd *spd, const struct cfg_prefix *prefix)
{
	struct cfg_prefix m = prefix_masked(prefix);
	uintptr_t v;
	int rc, q;

	if (!shadow_find(spd, SPD_V6, &m, &v))
		return -ENOENT;
	if (v & CLI_SHADOW_PENDING) {
		q = pending_find(spd, &m);
		if (q >= 0)
			pending_remove(spd, (unsigned int)q);
	} else {
		rc = rte_lpm6_delete(spd->lpm6, m.addr.v6, m.len);
		if (rc != 0)
			return rc;
		/* rte_lpm6 may have freed tbl8 groups a worker is still reading. */
		if (spd->p.qsbr != NULL) {
			spd->lpm6_token = rte_rcu_qsbr_start(spd->p.qsbr);
			spd->lpm6_gate = true;
		}
	}
	shadow_del(spd, SPD_V6, &m);
	spd->n_clients[SPD_V6]--;
	return 0;
}

/* Applies queued IPv6 adds once the grace period after the last delete passed. */
void
dp_spd_clients_reclaim(struct dp_spd *spd)
{
	unsigned int i = 0;

	if (spd->n_pending == 0 || !lpm6_gate_open(spd))
		return;
	while (i < spd->n_pending) {
		struct spd_pending6 *e = &spd->pending[i];

		/* On failure (tbl8 groups exhausted) the add stays queued. */
		if (rte_lpm6_add(spd->lpm6, e->prefix.addr.v6, e->prefix.len, e->sa_id) != 0) {
			i++;
			continue;
		}
		/* In place: the key is there, this cannot fail. */
		shadow_set(spd, SPD_V6, &e->prefix, e->sa_id, false);
		pending_remove(spd, i);
	}
}

int
dp_spd_add_client(struct dp_spd *spd, const struct cfg_prefix *prefix, uint32_t sa_id)
{
	int fam = client_family(prefix);

	if (spd == NULL || fam < 0)
		return -EINVAL;
	return fam == SPD_V4 ? client_add4(spd, prefix, sa_id) : client_add6(spd, prefix, sa_id);
}

int
dp_spd_delete_client(struct dp_spd *spd, const struct cfg_prefix *prefix)
{
	int fam = client_family(prefix);

	if (spd == NULL || fam < 0)
		return -EINVAL;
	return fam == SPD_V4 ? client_delete4(spd, prefix) : client_delete6(spd, prefix);
}

unsigned int
dp_spd_client_count(const struct dp_spd *spd)
{
	return spd->n_clients[SPD_V4] + spd->n_clients[SPD_V6];
}

/* ---- Worker lookups ---- */

static void
result_client(uint32_t sa_id, struct dp_policy_result *r)
{
	r->action = DP_POLICY_PROTECT;
	r->sa_id = sa_id;
	r->policy_id = SPD_NO_POLICY;
}

/* /32 clients first: the flows of MISS found in host4 get their result;
 * the others are left in REST (count returned). */
static unsigned int
hosts4(const struct rte_hash *h, const struct dp_flow *const *flows, const uint8_t *miss,
       unsigned int n, struct dp_policy_result *res, uint8_t *rest)
{
	uint32_t keys[SPD_BULK];
	const void *kp[SPD_BULK];
	void *data[SPD_BULK];
	uint64_t hits = 0;
	unsigned int k = 0;

	for (unsigned int j = 0; j < n; j++) {
		memcpy(&keys[j], flows[miss[j]]->dst, sizeof(keys[j]));
		kp[j] = &keys[j];
	}
	if (rte_hash_lookup_bulk_data(h, kp, n, &hits, data) < 0)
		hits = 0;
	for (unsigned int j = 0; j < n; j++) {
		if (hits >> j & 1)
			result_client((uint32_t)(uintptr_t)data[j], &res[miss[j]]);
		else
			rest[k++] = miss[j];
	}
	return k;
}

static void
clients4(const struct dp_spd *spd, const struct dp_flow *const *flows, const uint8_t *miss,
	 unsigned int n, struct dp_policy_result *res)
{
	const struct rte_lpm *lpm = __atomic_load_n(&spd->lpm4, __ATOMIC_ACQUIRE);
	const struct rte_hash *h = __atomic_load_n(&spd->host4, __ATOMIC_ACQUIRE);
	uint32_t ips[SPD_BULK], nh[SPD_BULK];
	uint8_t rest[SPD_BULK];

	if (lpm == NULL || n == 0)
		return;
	if (h != NULL) {
		n = hosts4(h, flows, miss, n, res, rest);
		miss = rest;
		if (n == 0)
			return;		/* all found; rte_lpm's bulk lookup needs n >= 1 */
	}
	for (unsigned int j = 0; j < n; j++) {
		uint32_t v;

		memcpy(&v, flows[miss[j]]->dst, sizeof(v));
		ips[j] = rte_be_to_cpu_32(v);
	}
	rte_lpm_lookup_bulk(lpm, ips, nh, n);
	for (unsigned int j = 0; j < n; j++) {
		if (nh[j] & RTE_LPM_LOOKUP_SUCCESS)
			result_client(nh[j] & CLI_LPM4_NH_MASK, &res[miss[j]]);
	}
}

static void
clients6(const struct dp_spd *spd, const struct dp_flow *const *flows, const uint8_t *miss,
	 unsigned int n, struct dp_policy_result *res)
{
	const struct rte_lpm6 *lpm = __atomic_load_n(&spd->lpm6, __ATOMIC_ACQUIRE);
	uint8_t ips[SPD_BULK][RTE_LPM6_IPV6_ADDR_SIZE];
	int32_t nh[SPD_BULK];

	if (lpm == NULL || n == 0)
		return;
	for (unsigned int j = 0; j < n; j++)
		memcpy(ips[j], flows[miss[j]]->dst, RTE_LPM6_IPV6_ADDR_SIZE);
	rte_lpm6_lookup_bulk_func(lpm, ips, nh, n);
	for (unsigned int j = 0; j < n; j++) {
		if (nh[j] >= 0)
			result_client((uint32_t)nh[j], &res[miss[j]]);
	}
}

void
dp_spd_clients_lookup(const struct dp_spd *spd, unsigned int fam,
		      const struct dp_flow *const *flows, const uint8_t *miss, unsigned int n,
		      struct dp_policy_result *res)
{
	if (fam == SPD_V4)
		clients4(spd, flows, miss, n, res);
	else
		clients6(spd, flows, miss, n, res);
}

void
dp_spd_clients_free(struct dp_spd *spd)
{
	rte_lpm_free(spd->lpm4);
	rte_hash_free(spd->host4);
	rte_lpm6_free(spd->lpm6);
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++)
		rte_hash_free(spd->shadow[fam]);
	free(spd->pending);
}
