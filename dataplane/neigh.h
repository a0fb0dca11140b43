/*
 * The neighbour table (ARP cache and IPv6 neighbour cache, RFC 826 and
 * RFC 4861 §7.3): next-hop IP address on a port -> MAC address.
 *
 * Workers call only dp_neigh_lookup(): lock-free (rte_hash with
 * RW_CONCURRENCY_LF) and returning a MAC read in one atomic 64-bit load.
 * Everything else is called by the control core alone, which holds packets
 * waiting for resolution in bounded queues (per entry and in total), sends
 * solicitations, and ages entries: REACHABLE for reachable_ms after
 * confirmation, then PROBE with unicast solicitations if a worker used the
 * entry meanwhile, else deleted; INCOMPLETE entries retransmit every
 * retrans_ms and fail after max_probes, dropping what they held. Deleted
 * slots are reclaimed through the QSBR variable when one is given.
 */
#ifndef HAGW_NEIGH_H
#define HAGW_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct rte_mbuf;
struct rte_rcu_qsbr;
struct json_object;

enum dp_neigh_state {
	DP_NEIGH_INCOMPLETE,	/* resolving, no MAC yet */
	DP_NEIGH_REACHABLE,
	DP_NEIGH_PROBE,		/* MAC still used, reconfirming by unicast */
	DP_NEIGH_STATIC,
};

struct dp_neigh_key {
	uint16_t port;		/* our port index */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t pad;		/* zero */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes, rest zero */
};

struct dp_neigh_params {
	unsigned int entries;		/* capacity */
	unsigned int reachable_ms;	/* default 30000 */
	unsigned int retrans_ms;	/* default 1000 */
	unsigned int max_probes;	/* default 3 */
	unsigned int pending_per_entry;	/* packets held per INCOMPLETE entry */
	unsigned int pending_total;	/* packets held in all */
	struct rte_rcu_qsbr *qsbr;	/* NULL: single-threaded use (tests) */
	int socket;
};

/* What the table asks its owner (the control core) to do. */
struct dp_neigh_ops {
	/* Send an ARP request / neighbour solicitation for key; to the
	 * broadcast/solicited-node address, or unicast to mac when non-NULL. */
	void (*solicit)(void *arg, const struct dp_neigh_key *key,
			const struct rte_ether_addr *mac);
	/* A held packet may leave now: fill its Ethernet destination with mac
	 * and transmit it on key->port. */
	void (*send)(void *arg, const struct dp_neigh_key *key,
		     const struct rte_ether_addr *mac, struct rte_mbuf *m);
	/* A held packet could not be delivered (resolution failed, or the
	 * table is being flushed): count it and free it. */
	void (*drop)(void *arg, struct rte_mbuf *m);
	void *arg;
};

struct dp_neigh_table;

struct dp_neigh_table *dp_neigh_create(const char *name, const struct dp_neigh_params *p,
				       const struct dp_neigh_ops *ops);
/* Drops every held packet through ops->drop, then frees the table. */
void dp_neigh_free(struct dp_neigh_table *t);

/* Worker fast path. True and *mac filled when the entry has a MAC
 * (REACHABLE, PROBE or STATIC). Marks the entry used. */
bool dp_neigh_lookup(const struct dp_neigh_table *t, const struct dp_neigh_key *key,
		     struct rte_ether_addr *mac);

/* Control core. Holds m until key resolves, creating an INCOMPLETE entry
 * (and soliciting) when there is none. If the key already has a MAC, m is
 * sent at once. Returns 0, or -ENOBUFS / -ENOSPC when the packet could not
 * be held (m passed to ops->drop). */
int dp_neigh_hold(struct dp_neigh_table *t, const struct dp_neigh_key *key,
		  struct rte_mbuf *m, uint64_t now_ms);

/* Control core. A MAC was learned for key. confirmed: from a reply to our
 * solicitation or a unicast-targeted NA (reachability confirmed);
 * create: add an entry if none exists (e.g. from an ARP request for our
 * address, RFC 826). Held packets are sent. Returns 0, -ENOENT (no entry
 * and !create) or -ENOSPC. */
int dp_neigh_learn(struct dp_neigh_table *t, const struct dp_neigh_key *key,
		   const struct rte_ether_addr *mac, bool confirmed, bool create,
		   uint64_t now_ms);

/* Control core. Adds a static entry (never aged). */
int dp_neigh_add_static(struct dp_neigh_table *t, const struct dp_neigh_key *key,
			const struct rte_ether_addr *mac);
/* Control core. Removes key (held packets dropped). 0 or -ENOENT. */
int dp_neigh_del(struct dp_neigh_table *t, const struct dp_neigh_key *key);

/* Control core, call every ~100 ms: retransmissions, aging, expiry. */
void dp_neigh_tick(struct dp_neigh_table *t, uint64_t now_ms);

struct dp_neigh_info {
	struct dp_neigh_key key;
	struct rte_ether_addr mac;
	enum dp_neigh_state state;
	unsigned int held;		/* packets waiting */
	unsigned int probes;		/* solicitations sent in this state */
	uint64_t age_ms;		/* since last confirmation or creation */
};

/* Control core. Calls fn for every entry; stops on non-zero return. */
int dp_neigh_foreach(const struct dp_neigh_table *t, uint64_t now_ms,
		     int (*fn)(const struct dp_neigh_info *info, void *arg), void *arg);
/* Control core. Drops every held packet through ops->drop (the entries
 * stay and keep soliciting); returns how many. For HA: what was encrypted
 * under an SA state that has just been superseded must not leave late. */
unsigned int dp_neigh_drop_held(struct dp_neigh_table *t);
unsigned int dp_neigh_count(const struct dp_neigh_table *t);
unsigned int dp_neigh_held(const struct dp_neigh_table *t);
const char *dp_neigh_state_name(enum dp_neigh_state state);

#endif
