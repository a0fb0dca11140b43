/*
 * The dataplane context: ports, packet pool, worker contexts, routing and
 * neighbour tables, and the rings between workers and the control core.
 *
 * Threading: after dp_init() the tables are written only by the control
 * core; workers read them lock-free and report quiescent states to the
 * QSBR variable once per loop, so deleted entries are reclaimed safely.
 * The QSBR variable has one slot per worker plus one more (index
 * n_workers) for a reader outside the EAL lcores (the telemetry thread).
 *
 * ESP (see sa.h for SA ownership): each worker has its own IPsec-MB
 * manager and a hand-off ring that other workers fill with inbound ESP
 * for the SAs it owns. The control core encrypts what it originates
 * itself with ctl_worker, a worker context that never polls.
 */
#ifndef HAGW_DP_H
#define HAGW_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "config/cfg.h"
#include "dataplane/dp_stats.h"
#include "dataplane/neigh.h"
#include "dataplane/vip.h"

struct rte_mempool;
struct rte_ring;
struct rte_rcu_qsbr;
struct dp_route_table;
struct dp_neigh_table;
struct dp_pkt_info;
struct dp_sad;
struct dp_sa_path;
struct dp_spd;
struct IMB_MGR;

enum {
	DP_MAX_BURST = 64,
	DP_MAX_WORKERS = CFG_MAX_WORKERS,
	DP_MAX_RXQ_PER_WORKER = CFG_MAX_WORKER_QUEUES,
	DP_IPV6_LEN = 16,
};

/* Why a packet was handed to the control core. */
enum dp_punt_reason {
	DP_PUNT_LOCAL,		/* addressed to us: ARP, ND, ICMP, IKE, HA, ... */
	DP_PUNT_RESOLVE,	/* next hop has no MAC yet: hold and resolve */
	DP_PUNT_TTL_EXCEEDED,	/* answer with ICMP time exceeded */
	DP_PUNT_NO_ROUTE,	/* answer with ICMP destination unreachable */
	DP_PUNT_TOO_BIG,	/* answer with frag-needed / packet too big */
};

/*
 * Per-packet metadata in the mbuf private area (the pool is created with
 * priv_size = sizeof(struct dp_mbuf_meta)).
 */
struct dp_mbuf_meta {
	uint8_t in_port;	/* our port index the packet arrived on */
	uint8_t out_port;	/* egress port index (RESOLVE, TX ring) */
	uint8_t punt_reason;	/* enum dp_punt_reason */
	uint8_t family;		/* of nexthop: AF_INET or AF_INET6 */
	uint16_t l3_off;	/* offset of the IP/ARP header in the frame */
	uint16_t mtu;		/* egress MTU, for DP_PUNT_TOO_BIG; ESP outbound: path MTU */
	uint16_t esp_off;	/* inbound: offset of the ESP header (after UDP for NAT-T) */
	uint8_t nexthop[DP_IPV6_LEN];	/* IPv4 in the first 4 bytes, network order */
};

static inline struct dp_mbuf_meta *
dp_meta(struct rte_mbuf *m)
{
	return (struct dp_mbuf_meta *)rte_mbuf_to_priv(m);
}

/* One of our ports, read-only once the dataplane runs, except vmac. */
struct dp_iface {
	uint16_t port_id;		/* DPDK port id */
	uint8_t index;			/* same as the index in cfg.ports */
	enum cfg_port_role role;
	char name[CFG_NAME_LEN];
	struct rte_ether_addr mac;
	/* Atomic (vip.c): the HA virtual MAC while this node owns the port's
	 * VIPs: accepted as destination (vmac) and used as source (src_vmac,
	 * NULL while a switchover hands the VIPs over: dp_vip_yield). NULL
	 * otherwise. */
	const struct rte_ether_addr *vmac;
	const struct rte_ether_addr *src_vmac;
	uint16_t mtu;			/* L3 MTU */
	uint16_t n_rxq;
	uint16_t n_txq;
	uint8_t n_ipv4;
	uint8_t n_ipv6;
	struct cfg_prefix ipv4[CFG_MAX_PORT_ADDRS];
	struct cfg_prefix ipv6[CFG_MAX_PORT_ADDRS];
	uint8_t ipv6_link_local[DP_IPV6_LEN];	/* fe80::/64 + modified EUI-64 */
	bool up;			/* link state at last poll */
};

/* Source MAC of every frame sent from ifc: its own, or the virtual MAC
 * while this node owns the port's VIPs. Read where the Ethernet header is
 * written (the same cache line as mac). */
static inline const struct rte_ether_addr *
dp_iface_src_mac(const struct dp_iface *ifc)
{
	const struct rte_ether_addr *v = __atomic_load_n(&ifc->src_vmac, __ATOMIC_ACQUIRE);

	return v != NULL ? v : &ifc->mac;
}

struct dp_rxq {
	uint16_t port;		/* our port index */
	uint16_t queue;
};

/* Packets a worker has ready for one port, sent once per burst. */
struct dp_txbuf {
	uint16_t n;
	struct rte_mbuf *m[DP_MAX_BURST * 2];
};

/* The last neighbour lookup of a burst: packets of one burst mostly go to
 * the same next hop (a tunnel's peer, a gateway), so the hash lookup runs
 * once per next hop and burst. Forgotten at every flush, so a MAC change
 * is seen by the next burst. */
struct dp_neigh_memo {
	bool valid;
	struct dp_neigh_key key;
	struct rte_ether_addr mac;
};

/* The outer route of an SA path (fwd_ipsec.c): worked out once per path
 * and burst stage, so a route change is seen by the next burst. */
struct dp_outer_memo {
	const struct dp_sa_path *path;	/* NULL: nothing memorised */
	uint8_t out_port;
	uint8_t family;
	uint16_t mtu;			/* egress MTU */
	uint8_t nexthop[DP_IPV6_LEN];
};

/* A poll-mode worker. Everything it writes lives here. */
struct dp_worker {
	struct dp_counters counters;	/* first: cache aligned */
	unsigned int lcore;
	uint16_t index;			/* also this worker's TX queue on every port */
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_RXQ_PER_WORKER];
	struct rte_ring *tx_ring;	/* packets the control core asks us to send */
	struct rte_ring *handoff_ring;	/* inbound ESP for SAs this worker owns (MP/SC) */
	struct IMB_MGR *mgr;		/* this worker's IPsec-MB manager */
	uint16_t ip_id;			/* IPv4 ID counter of the ESP outer headers */
	struct dp_neigh_memo neigh_memo;
	struct dp *dp;
	struct dp_txbuf txbuf[DP_MAX_PORTS];
} __rte_cache_aligned;

/* Token bucket for ICMP errors; refilled by elapsed time. */
struct dp_token_bucket {
	uint64_t tokens_milli;		/* tokens x 1000 */
	uint64_t last_ms;
	uint32_t rate;			/* tokens per second */
	uint32_t burst;			/* bucket depth */
};

/* Takes one token if there is one. */
bool dp_token_take(struct dp_token_bucket *tb, uint64_t now_ms);

struct dp {
	const struct cfg *cfg;
	uint8_t n_ifaces;
	struct dp_iface iface[DP_MAX_PORTS];
	struct rte_mempool *pool;
	struct rte_ring *punt_ring;	/* workers -> control core (MP/SC) */
	struct dp_route_table *routes;
	struct dp_neigh_table *neigh;
	struct dp_sad *sad;		/* security associations */
	struct dp_spd *spd;		/* security policies */
	struct rte_ring *sa_event_ring;	/* workers -> control: struct dp_sa_event (MP/SC) */
	struct IMB_MGR *ctl_mgr;	/* control core's IPsec-MB manager (keys, own packets) */
	struct dp_worker *ctl_worker;	/* control core's ESP context (mgr = ctl_mgr) */
	struct rte_rcu_qsbr *qsbr;
	uint16_t n_workers;
	struct dp_worker *workers[DP_MAX_WORKERS];
	struct dp_counters ctl_counters;	/* written by the control core only */
	struct dp_token_bucket icmp_limit;
	volatile bool stop;
	uint16_t burst;
	unsigned int idle_backoff_us;
	/* IKE's UDP ports (cfg ike.port, ike.natt_port; RFC 7296 §2, RFC 3948
	 * §2), set by dp_init: ESP-in-UDP is taken from natt_port only, and
	 * what the box sends from or to either port bypasses the SPD. */
	uint16_t ike_port;
	uint16_t natt_port;
	/* cfg ha.port when HA is on, else 0: the appliances' sync and
	 * heartbeat datagrams bypass the SPD like IKE's (ctl_output.c). */
	uint16_t ha_port;
	/* HA virtual addresses (vip.c): configured after dp_init. */
	struct dp_vips vips;
	/* Local UDP (IKE, HA sync) goes here once a module registers; the
	 * handler owns m. NULL: counted as local_unsupported and dropped. */
	void (*udp_input)(void *arg, struct rte_mbuf *m, const struct dp_pkt_info *info);
	void *udp_input_arg;
};

/*
 * Builds the dataplane from a validated config after rte_eal_init():
 * pool, ports (configured and started), tables, rings, workers.
 * Returns 0 or a negative errno with a message in err.
 */
int dp_init(struct dp *dp, const struct cfg *cfg, char *err, size_t err_len);
/* Stops the ports, frees held packets, tables and rings. */
void dp_fini(struct dp *dp);

/* Forwards a burst received on our port IN_PORT: L2 checks, inbound ESP
 * (untrusted ports), outbound policy and ESP (trusted ports), routing,
 * TTL, neighbour lookup; punts what the control core must handle. */
void dp_forward_burst(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n);
/* Frees m and counts it as dropped for REASON on our port IN_PORT. */
void dp_worker_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		    enum dp_drop_reason reason);
/* Hands m to the control core for REASON (counted as punted on IN_PORT). */
void dp_worker_punt(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		    enum dp_punt_reason reason);
/* Queues m for transmission on PORT from worker w (sent at the end of the burst). */
static inline void
dp_worker_tx(struct dp_worker *w, uint8_t port, struct rte_mbuf *m)
{
	struct dp_txbuf *tb = &w->txbuf[port];

	if (unlikely(tb->n == RTE_DIM(tb->m))) {
		dp_count_drop(&w->counters, port, DP_DROP_TX_FULL);
		rte_pktmbuf_free(m);
		return;
	}
	tb->m[tb->n++] = m;
}

/* dp_worker_tx for n packets to one port. */
static inline void
dp_worker_tx_burst(struct dp_worker *w, uint8_t port, struct rte_mbuf **m, uint16_t n)
{
	struct dp_txbuf *tb = &w->txbuf[port];
	uint16_t room = (uint16_t)(RTE_DIM(tb->m) - tb->n);
	uint16_t k = n < room ? n : room;

	memcpy(tb->m + tb->n, m, k * sizeof(*m));
	tb->n = (uint16_t)(tb->n + k);
	for (uint16_t i = k; i < n; i++)
		dp_worker_tx(w, port, m[i]);	/* full: dropped and counted */
}

/* Sends everything queued in the worker's TX buffers. */
void dp_worker_flush(struct dp_worker *w);

/* Worker: processes inbound ESP that other workers handed off to w (the
 * SAs' owner); m's meta holds in_port, l3_off and esp_off. */
void dp_handoff_input(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);

/* Control core: handles up to one burst from the punt ring. Returns the
 * number of packets handled. */
unsigned int dp_punt_poll(struct dp *dp);

/* Worker loop body: one pass over the worker's queues and TX ring.
 * Returns the number of packets handled (0 = idle). */
unsigned int dp_worker_poll(struct dp_worker *w);
/* Worker lcore entry point (rte_eal_remote_launch): loops until dp->stop. */
int dp_worker_main(void *worker);

/*
 * Control core: sends a fully built frame (Ethernet header filled) out of
 * our port PORT. Takes ownership of m; returns 0 or -ENOBUFS (m freed and
 * counted as tx_full).
 */
int dp_ctl_tx(struct dp *dp, uint8_t port, struct rte_mbuf *m);

/*
 * Control core: routes an IP packet (m starts at the Ethernet header; the
 * IP header at meta->l3_off = sizeof(ether header)) and sends it, holding it
 * while the next hop resolves. Fills the Ethernet header. A packet that a
 * PROTECT policy covers is ESP-encapsulated first (with ctl_worker) and
 * the outer packet is routed. Takes ownership.
 */
int dp_ctl_output(struct dp *dp, struct rte_mbuf *m);

/* Fills the Ethernet header of m (IP at meta->l3_off) for PORT toward MAC. */
void dp_ether_fill(struct dp *dp, struct rte_mbuf *m, uint8_t port,
		   const struct rte_ether_addr *mac);

/* Finds our port index by DPDK port id, or -1. */
int dp_iface_by_port_id(const struct dp *dp, uint16_t port_id);
/* True if addr (network order) is one of PORT's own addresses. */
bool dp_iface_owns_ipv4(const struct dp_iface *ifc, const uint8_t addr[4]);
bool dp_iface_owns_ipv6(const struct dp_iface *ifc, const uint8_t addr[16]);
/* Source address for packets we originate on PORT toward DST: the own
 * address whose prefix contains dst, else the first one. False if none. */
bool dp_iface_source_ipv4(const struct dp_iface *ifc, const uint8_t dst[4], uint8_t src[4]);
bool dp_iface_source_ipv6(const struct dp_iface *ifc, const uint8_t dst[16], uint8_t src[16]);

/* Sum of all workers' and the control core's counters. */
void dp_counters_sum(const struct dp *dp, struct dp_counters *sum);
void dp_counters_clear(struct dp *dp);

/* Current time in milliseconds (monotonic, from the TSC). */
uint64_t dp_now_ms(void);

#endif
