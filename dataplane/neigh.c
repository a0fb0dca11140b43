/*
 * The neighbour table: ARP cache (RFC 826) and IPv6 neighbour cache
 * (RFC 4861 §7.3, reduced to INCOMPLETE / REACHABLE / PROBE / STATIC).
 *
 * Layout: an rte_hash (lock-free readers, one writer) maps a key to a
 * position. Per position, workers read one 64-bit word (MAC | valid bit)
 * from `words` and set a byte in `used`; the control core alone touches
 * `entries` (state, timers, probes, held-packet FIFO). Held packets sit in
 * one pool of pending_total nodes shared by all entries.
 *
 * Timers (all driven by the now_ms arguments, checked in dp_neigh_tick):
 *  - INCOMPLETE: a broadcast/multicast solicitation at creation and every
 *    retrans_ms; after max_probes unanswered ones, fail and drop the held
 *    packets (RFC 4861 §7.3.3, MAX_MULTICAST_SOLICIT).
 *  - REACHABLE: reachable_ms after the last confirmation; then PROBE if a
 *    worker used the entry meanwhile, else delete.
 *  - PROBE: a unicast solicitation at once and every retrans_ms; after
 *    max_probes unanswered ones, delete (MAX_UNICAST_SOLICIT).
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/neigh.h"

enum {
	NEIGH_SLOTS_PER_ENTRY = 2,	/* hash headroom: cuckoo + slots awaiting RCU */
	NEIGH_MIN_SLOTS = 16,		/* rte_hash needs at least one bucket */
	NEIGH_MAC_BITS = 8,
};

#define NEIGH_VALID (UINT64_C(1) << 63)
#define NEIGH_NIL UINT32_MAX

/* Control-core state of one position; workers never read it. */
struct neigh_entry {
	struct dp_neigh_key key;
	struct rte_ether_addr mac;
	bool in_use;
	uint8_t state;			/* enum dp_neigh_state */
	uint32_t probes;		/* solicitations sent in this state */
	uint64_t timer_ms;		/* next retransmission, or end of REACHABLE */
	uint64_t confirmed_ms;		/* last confirmation, or creation */
	uint32_t held;
	uint32_t head;			/* FIFO of held packets in t->pending */
	uint32_t tail;
};

struct neigh_pending {
	struct rte_mbuf *m;
	uint32_t next;
};

struct dp_neigh_table {
	struct rte_hash *hash;
	uint64_t *words;		/* workers read: MAC | NEIGH_VALID, or 0 */
	uint8_t *used;			/* workers write: used since confirmation */
	struct neigh_entry *entries;	/* control core only */
	struct neigh_pending *pending;
	uint32_t free_pending;		/* free list head in pending */
	uint32_t n_slots;
	unsigned int count;
	unsigned int held;
	struct dp_neigh_params p;
	struct dp_neigh_ops ops;
};

static uint64_t
mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t w = 0;

	for (unsigned int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		w = (w << NEIGH_MAC_BITS) | mac->addr_bytes[i];
	return w | NEIGH_VALID;
}

static void
mac_unpack(uint64_t w, struct rte_ether_addr *mac)
{
	for (unsigned int i = RTE_ETHER_ADDR_LEN; i-- > 0;) {
		mac->addr_bytes[i] = (uint8_t)w;
		w >>= NEIGH_MAC_BITS;
	}
}

static void
publish(struct dp_neigh_table *t, uint32_t pos, uint64_t word)
{
	__atomic_store_n(&t->words[pos], word, __ATOMIC_RELEASE);
}

static bool
pending_push(struct dp_neigh_table *t, struct neigh_entry *e, struct rte_mbuf *m)
{
	uint32_t idx = t->free_pending;

	if (idx == NEIGH_NIL)
		return false;
	t->free_pending = t->pending[idx].next;
	t->pending[idx].m = m;
	t->pending[idx].next = NEIGH_NIL;
	if (e->tail == NEIGH_NIL)
		e->head = idx;
	else
		t->pending[e->tail].next = idx;
	e->tail = idx;
	e->held++;
	t->held++;
	return true;
}

static struct rte_mbuf *
pending_pop(struct dp_neigh_table *t, struct neigh_entry *e)
{
	uint32_t idx = e->head;
	struct rte_mbuf *m;

	if (idx == NEIGH_NIL)
		return NULL;
	m = t->pending[idx].m;
	e->head = t->pending[idx].next;
	if (e->head == NEIGH_NIL)
		e->tail = NEIGH_NIL;
	t->pending[idx].m = NULL;
	t->pending[idx].next = t->free_pending;
	t->free_pending = idx;
	e->held--;
	t->held--;
	return m;
}

static void
drop_held(struct dp_neigh_table *t, struct neigh_entry *e)
{
	struct rte_mbuf *m;

	while ((m = pending_pop(t, e)) != NULL)
		t->ops.drop(t->ops.arg, m);
}

static void
send_held(struct dp_neigh_table *t, struct neigh_entry *e)
{
	struct rte_mbuf *m;

	while ((m = pending_pop(t, e)) != NULL)
		t->ops.send(t->ops.arg, &e->key, &e->mac, m);
}

static int32_t
entry_create(struct dp_neigh_table *t, const struct dp_neigh_key *key, uint64_t now_ms)
{
	struct neigh_entry *e;
	int32_t pos;

	if (t->count >= t->p.entries)
		return -ENOSPC;
	pos = rte_hash_add_key(t->hash, key);
	if (pos < 0)
		return -ENOSPC;
	e = &t->entries[pos];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->in_use = true;
	e->state = DP_NEIGH_INCOMPLETE;
	e->confirmed_ms = now_ms;
	e->head = NEIGH_NIL;
	e->tail = NEIGH_NIL;
	__atomic_store_n(&t->used[pos], 0, __ATOMIC_RELAXED);
	t->count++;
	return pos;
}

static void
entry_remove(struct dp_neigh_table *t, uint32_t pos)
{
	struct neigh_entry *e = &t->entries[pos];

	publish(t, pos, 0);
	drop_held(t, e);
	rte_hash_del_key(t->hash, &e->key);
	/* With QSBR attached the hash frees the slot after a grace period;
	 * without it there are no concurrent readers (single-threaded use). */
	if (t->p.qsbr == NULL)
		rte_hash_free_key_with_position(t->hash, (int32_t)pos);
	e->in_use = false;
	t->count--;
}

static void
set_reachable(struct dp_neigh_table *t, struct neigh_entry *e, uint32_t pos, uint64_t now_ms)
{
	e->state = DP_NEIGH_REACHABLE;
	e->probes = 0;
	e->confirmed_ms = now_ms;
	e->timer_ms = now_ms + t->p.reachable_ms;
	__atomic_store_n(&t->used[pos], 0, __ATOMIC_RELAXED);
}

static void
mark_used(const struct dp_neigh_table *t, int32_t pos)
{
	/* Read first: workers keep the line shared once the flag is set. */
	if (__atomic_load_n(&t->used[pos], __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&t->used[pos], 1, __ATOMIC_RELAXED);
}

static int
table_alloc(struct dp_neigh_table *t, int socket)
{
	uint32_t n_pending = RTE_MAX(t->p.pending_total, 1u);

	t->words = rte_zmalloc_socket("neigh_words", t->n_slots * sizeof(*t->words),
				      RTE_CACHE_LINE_SIZE, socket);
	t->used = rte_zmalloc_socket("neigh_used", t->n_slots, RTE_CACHE_LINE_SIZE, socket);
	t->entries = rte_zmalloc_socket("neigh_entries", t->n_slots * sizeof(*t->entries),
					RTE_CACHE_LINE_SIZE, socket);
	t->pending = rte_zmalloc_socket("neigh_pending", n_pending * sizeof(*t->pending),
					RTE_CACHE_LINE_SIZE, socket);
	if (t->words == NULL || t->used == NULL || t->entries == NULL || t->pending == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->p.pending_total; i++)
		t->pending[i].next = i + 1 < t->p.pending_total ? i + 1 : NEIGH_NIL;
	t->free_pending = t->p.pending_total > 0 ? 0 : NEIGH_NIL;
	return 0;
}

static int
hash_create(struct dp_neigh_table *t, const char *name)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = t->n_slots,
		.key_len = sizeof(struct dp_neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = t->p.socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = {
		.v = t->p.qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};

	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		return -rte_errno;
	if (t->p.qsbr != NULL && rte_hash_rcu_qsbr_add(t->hash, &rcu) != 0)
		return -rte_errno;
	return 0;
}

struct dp_neigh_table *
dp_neigh_create(const char *name, const struct dp_neigh_params *p,
		const struct dp_neigh_ops *ops)
{
	struct dp_neigh_table *t;
	int rc;

	if (p->entries == 0 || p->entries > UINT32_MAX / NEIGH_SLOTS_PER_ENTRY ||
	    ops->solicit == NULL || ops->send == NULL || ops->drop == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("neigh_table", sizeof(*t), RTE_CACHE_LINE_SIZE, p->socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->p = *p;
	t->ops = *ops;
	t->n_slots = RTE_MAX(p->entries * NEIGH_SLOTS_PER_ENTRY, (unsigned int)NEIGH_MIN_SLOTS);
	rc = table_alloc(t, p->socket);
	if (rc == 0)
		rc = hash_create(t, name);
	if (rc < 0) {
		dp_neigh_free(t);
		rte_errno = -rc;
		return NULL;
	}
	return t;
}

void
dp_neigh_free(struct dp_neigh_table *t)
{
	if (t == NULL)
		return;
	if (t->entries != NULL)
		for (uint32_t pos = 0; pos < t->n_slots; pos++)
			if (t->entries[pos].in_use)
				drop_held(t, &t->entries[pos]);
	rte_hash_free(t->hash);
	rte_free(t->pending);
	rte_free(t->entries);
	rte_free(t->used);
	rte_free(t->words);
	rte_free(t);
}

bool
dp_neigh_lookup(const struct dp_neigh_table *t, const struct dp_neigh_key *key,
		struct rte_ether_addr *mac)
{
	int32_t pos = rte_hash_lookup(t->hash, key);
	uint64_t w;

	if (pos < 0)
		return false;
	w = __atomic_load_n(&t->words[pos], __ATOMIC_ACQUIRE);
	if ((w & NEIGH_VALID) == 0)
		return false;
	mark_used(t, pos);
	mac_unpack(w, mac);
	return true;
}

int
dp_neigh_hold(struct dp_neigh_table *t, const struct dp_neigh_key *key,
	      struct rte_mbuf *m, uint64_t now_ms)
{
	int32_t pos = rte_hash_lookup(t->hash, key);
	struct neigh_entry *e;

	if (pos < 0) {
		pos = entry_create(t, key, now_ms);
		if (pos < 0) {
			t->ops.drop(t->ops.arg, m);
			return pos;
		}
		e = &t->entries[pos];
		e->probes = 1;
		e->timer_ms = now_ms + t->p.retrans_ms;
		t->ops.solicit(t->ops.arg, &e->key, NULL);
	}
	e = &t->entries[pos];
	if (e->state != DP_NEIGH_INCOMPLETE) {
		mark_used(t, pos);
		t->ops.send(t->ops.arg, &e->key, &e->mac, m);
		return 0;
	}
	if (e->held >= t->p.pending_per_entry || !pending_push(t, e, m)) {
		t->ops.drop(t->ops.arg, m);
		return -ENOBUFS;
	}
	return 0;
}

int
dp_neigh_learn(struct dp_neigh_table *t, const struct dp_neigh_key *key,
	       const struct rte_ether_addr *mac, bool confirmed, bool create, uint64_t now_ms)
{
	int32_t pos = rte_hash_lookup(t->hash, key);
	struct neigh_entry *e;
	bool had_mac;

	if (pos < 0) {
		if (!create)
			return -ENOENT;
		pos = entry_create(t, key, now_ms);
		if (pos < 0)
			return pos;
	}
	e = &t->entries[pos];
	if (e->state == DP_NEIGH_STATIC)
		return 0;
	had_mac = e->state != DP_NEIGH_INCOMPLETE;
	/* Without a confirmation only the MAC changes (RFC 826 merge,
	 * RFC 4861 §7.2.5 override): the entry keeps its state and timer. */
	if (!had_mac || confirmed)
		set_reachable(t, e, (uint32_t)pos, now_ms);
	if (!had_mac || !rte_is_same_ether_addr(&e->mac, mac)) {
		rte_ether_addr_copy(mac, &e->mac);
		publish(t, (uint32_t)pos, mac_pack(mac));
	}
	send_held(t, e);
	return 0;
}

int
dp_neigh_add_static(struct dp_neigh_table *t, const struct dp_neigh_key *key,
		    const struct rte_ether_addr *mac)
{
	int32_t pos = rte_hash_lookup(t->hash, key);
	struct neigh_entry *e;

	if (pos < 0) {
		pos = entry_create(t, key, 0);
		if (pos < 0)
			return pos;
	}
	e = &t->entries[pos];
	e->state = DP_NEIGH_STATIC;
	e->probes = 0;
	rte_ether_addr_copy(mac, &e->mac);
	publish(t, (uint32_t)pos, mac_pack(mac));
	send_held(t, e);
	return 0;
}

int
dp_neigh_del(struct dp_neigh_table *t, const struct dp_neigh_key *key)
{
	int32_t pos = rte_hash_lookup(t->hash, key);

	if (pos < 0)
		return -ENOENT;
	entry_remove(t, (uint32_t)pos);
	return 0;
}

/* One more solicitation, or false when max_probes have gone unanswered. */
static bool
probe_again(struct dp_neigh_table *t, struct neigh_entry *e, uint64_t now_ms)
{
	if (e->probes >= t->p.max_probes)
		return false;
	e->probes++;
	e->timer_ms = now_ms + t->p.retrans_ms;
	t->ops.solicit(t->ops.arg, &e->key, e->state == DP_NEIGH_PROBE ? &e->mac : NULL);
	return true;
}

static void
tick_entry(struct dp_neigh_table *t, uint32_t pos, uint64_t now_ms)
{
	struct neigh_entry *e = &t->entries[pos];

	if (e->state == DP_NEIGH_STATIC || now_ms < e->timer_ms)
		return;
	if (e->state == DP_NEIGH_REACHABLE) {
		if (__atomic_load_n(&t->used[pos], __ATOMIC_RELAXED) == 0) {
			entry_remove(t, pos);
			return;
		}
		e->state = DP_NEIGH_PROBE;
		e->probes = 0;
	}
	if (!probe_again(t, e, now_ms))
		entry_remove(t, pos);
}

void
dp_neigh_tick(struct dp_neigh_table *t, uint64_t now_ms)
{
	for (uint32_t pos = 0; pos < t->n_slots; pos++)
		if (t->entries[pos].in_use)
			tick_entry(t, pos, now_ms);
}

int
dp_neigh_foreach(const struct dp_neigh_table *t, uint64_t now_ms,
		 int (*fn)(const struct dp_neigh_info *info, void *arg), void *arg)
{
	for (uint32_t pos = 0; pos < t->n_slots; pos++) {
		const struct neigh_entry *e = &t->entries[pos];
		struct dp_neigh_info info;
		int rc;

		if (!e->in_use)
			continue;
		memset(&info, 0, sizeof(info));
		info.key = e->key;
		info.mac = e->mac;
		info.state = (enum dp_neigh_state)e->state;
		info.held = e->held;
		info.probes = e->probes;
		/* Static entries are never confirmed: no age to show. */
		info.age_ms = e->state != DP_NEIGH_STATIC && now_ms > e->confirmed_ms ?
				      now_ms - e->confirmed_ms : 0;
		rc = fn(&info, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

unsigned int
dp_neigh_drop_held(struct dp_neigh_table *t)
{
	unsigned int n = t->held;

	for (uint32_t pos = 0; pos < t->n_slots && t->held > 0; pos++)
		if (t->entries[pos].in_use)
			drop_held(t, &t->entries[pos]);
	return n;
}

unsigned int
dp_neigh_count(const struct dp_neigh_table *t)
{
	return t->count;
}

unsigned int
dp_neigh_held(const struct dp_neigh_table *t)
{
	return t->held;
}

const char *
dp_neigh_state_name(enum dp_neigh_state state)
{
	switch (state) {
	case DP_NEIGH_INCOMPLETE:
		return "incomplete";
	case DP_NEIGH_REACHABLE:
		return "reachable";
	case DP_NEIGH_PROBE:
		return "probe";
	case DP_NEIGH_STATIC:
		return "static";
	}
	return "unknown";
}
