/*
 * Dataplane construction and teardown: packet pool, ports, routing table
 * (own addresses as LOCAL routes, port subnets as CONNECTED routes, then
 * the configured routes), neighbour table with the configured static
 * entries, rings and worker contexts, and the IPsec state: SA and policy
 * databases with the config's static SAs and policies (ipsec_static.c),
 * one IPsec-MB manager and one ESP hand-off ring per worker, the SA event
 * ring and the control core's own ESP context.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/dp_log.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/ipsec_static.h"
#include "dataplane/local_proto.h"
#include "dataplane/neigh.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

RTE_LOG_REGISTER(dp_logtype, hagw.dp, INFO);

enum {
	ETHER_OVERHEAD = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN,
	NEIGH_RETRANS_MS = 1000,
	NEIGH_MAX_PROBES = 3,
	ROUTE_HEADROOM = 1024,
	DP_INIT_MS_PER_S = 1000,
	ADDR_TEXT_LEN = 64,	/* an address with "/len" */
	/* ESP grows a packet in place (esp_encap.c): in front at most an
	 * IPv6 outer header, UDP, the ESP header and a CBC IV; behind at most
	 * 15 bytes of padding, the trailer and the ICV. */
	ESP_MAX_FRONT = 40 + 8 + DP_ESP_HDR_LEN + DP_ESP_CBC_IV_LEN,
	ESP_MAX_TAIL = DP_ESP_AES_BLOCK - 1 + 2 + DP_ESP_ICV_LEN,
	QSBR_EXTRA_READERS = 1,	/* the telemetry thread (ctl_cmds_ipsec.c) */
	SA_EVENT_RING = 1024,	/* soft/hard lifetime events in flight */
};

_Static_assert(RTE_PKTMBUF_HEADROOM >= ESP_MAX_FRONT, "mbuf headroom too small for ESP");

_Static_assert(CFG_MAC_LEN == RTE_ETHER_ADDR_LEN, "cfg_neighbor.mac is an Ethernet address");

static int
create_pool(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;
	unsigned int room = RTE_MBUF_DEFAULT_BUF_SIZE;
	uint16_t priv = RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN);

	/* One segment per frame: data room for the largest MTU, plus what
	 * ESP appends (the headroom takes what it prepends). The default
	 * 2048 + 128 leaves 534 bytes behind a 1514-byte frame. */
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		room = RTE_MAX(room, cfg->ports[i].mtu + ETHER_OVERHEAD + RTE_PKTMBUF_HEADROOM +
				     ESP_MAX_TAIL);
	dp->pool = rte_pktmbuf_pool_create("hagw_pkt", cfg->dp.mbufs, cfg->dp.mbuf_cache, priv,
					   room, SOCKET_ID_ANY);
	if (dp->pool == NULL) {
		snprintf(err, err_len, "packet pool of %u mbufs: %s", cfg->dp.mbufs,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
setup_iface(struct dp_iface *ifc, const struct cfg_port *cp, uint8_t index)
{
	ifc->index = index;
	ifc->role = cp->role;
	snprintf(ifc->name, sizeof(ifc->name), "%s", cp->name);
	ifc->mtu = cp->mtu;
	ifc->n_ipv4 = cp->n_ipv4;
	ifc->n_ipv6 = cp->n_ipv6;
	memcpy(ifc->ipv4, cp->ipv4, sizeof(ifc->ipv4));
	memcpy(ifc->ipv6, cp->ipv6, sizeof(ifc->ipv6));
}

static int
add_route(struct dp *dp, const struct cfg_prefix *prefix, const struct dp_nexthop *nh,
	  char *err, size_t err_len)
{
	char text[ADDR_TEXT_LEN];
	int rc = dp_route_add(dp->routes, prefix, nh);

	/* Two ports may share a subnet, and a configured route may repeat a
	 * connected one: the first one wins. */
	if (rc == -EEXIST)
		return 0;
	if (rc < 0) {
		cfg_prefix_format(prefix, false, text, sizeof(text));
		snprintf(err, err_len, "route %s: %s", text, strerror(-rc));
	}
	return rc;
}

static struct cfg_prefix
host_prefix(const struct cfg_prefix *p)
{
	struct cfg_prefix h = *p;

	h.len = p->family == AF_INET ? 32 : 128;
	return h;
}

static int
add_port_routes(struct dp *dp, const struct cfg_port *cp, uint8_t index, char *err, size_t len)
{
	struct dp_nexthop local = { .kind = DP_NH_LOCAL, .port = index };
	struct dp_nexthop connected = { .kind = DP_NH_CONNECTED, .port = index };
	const struct cfg_prefix *lists[2] = { cp->ipv4, cp->ipv6 };
	const uint8_t counts[2] = { cp->n_ipv4, cp->n_ipv6 };
	int rc = 0;

	for (unsigned int f = 0; f < 2 && rc == 0; f++) {
		for (unsigned int i = 0; i < counts[f] && rc == 0; i++) {
			struct cfg_prefix host = host_prefix(&lists[f][i]);

			local.family = connected.family = host.family;
			rc = add_route(dp, &host, &local, err, len);
			if (rc == 0 && lists[f][i].len < host.len)
				rc = add_route(dp, &lists[f][i], &connected, err, len);
		}
	}
	return rc;
}

static int
build_routes(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;
	int rc = 0;

	/* Sized to the config plus room for routes added at run time: the
	 * IPv6 table reserves memory for the worst case of every route. */
	dp->routes = dp_route_create("hagw_rt", cfg->n_routes + 2 * CFG_MAX_PORTS *
				     CFG_MAX_PORT_ADDRS + ROUTE_HEADROOM, SOCKET_ID_ANY);
	if (dp->routes == NULL) {
		snprintf(err, err_len, "routing table: out of memory");
		return -ENOMEM;
	}
	for (uint8_t i = 0; i < cfg->n_ports && rc == 0; i++)
		rc = add_port_routes(dp, &cfg->ports[i], i, err, err_len);
	for (unsigned int i = 0; i < cfg->n_routes && rc == 0; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		struct dp_nexthop nh = {
			.kind = r->has_via ? DP_NH_GATEWAY : DP_NH_CONNECTED,
			.port = r->port,
			.family = r->prefix.family,
		};

		if (r->has_via)
			memcpy(nh.gw, r->via.addr.bytes, sizeof(nh.gw));
		rc = add_route(dp, &r->prefix, &nh, err, err_len);
	}
	return rc;
}

/* Neighbour table callbacks: the control core sends and drops. */
static void
neigh_solicit(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	if (key->family == AF_INET)
		dp_arp_solicit(arg, key, mac);
	else
		dp_nd_solicit(arg, key, mac);
}

static void
neigh_send(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac,
	   struct rte_mbuf *m)
{
	struct dp *dp = arg;

	dp_ether_fill(dp, m, (uint8_t)key->port, mac);
	dp_ctl_tx(dp, (uint8_t)key->port, m);
}

static void
neigh_drop(void *arg, struct rte_mbuf *m)
{
	struct dp *dp = arg;

	dp_count_drop(&dp->ctl_counters, dp_meta(m)->in_port, DP_DROP_NEIGH_UNRESOLVED);
	rte_pktmbuf_free(m);
}

static int
build_neigh(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg_dataplane *c = &dp->cfg->dp;
	struct dp_neigh_params p = {
		.entries = c->neigh_entries,
		.reachable_ms = c->neigh_reachable_s * DP_INIT_MS_PER_S,
		.retrans_ms = NEIGH_RETRANS_MS,
		.max_probes = NEIGH_MAX_PROBES,
		.pending_per_entry = c->neigh_pending,
		.pending_total = c->neigh_pending_total,
		.qsbr = dp->qsbr,
		.socket = SOCKET_ID_ANY,
	};
	struct dp_neigh_ops ops = {
		.solicit = neigh_solicit, .send = neigh_send, .drop = neigh_drop, .arg = dp,
	};

	dp->neigh = dp_neigh_create("hagw_neigh", &p, &ops);
	if (dp->neigh == NULL) {
		snprintf(err, err_len, "neighbour table of %u entries: %s", c->neigh_entries,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int
add_static_neigh(struct dp *dp, const struct cfg_neighbor *n, char *err, size_t err_len)
{
	struct dp_neigh_key key = { .port = n->port, .family = n->addr.family, .pad = 0 };
	struct rte_ether_addr mac;
	char text[ADDR_TEXT_LEN];
	int rc;

	/* cfg_prefix holds IPv4 in the first 4 bytes and zeros after, as the key wants. */
	memcpy(key.addr, n->addr.addr.bytes, sizeof(key.addr));
	memcpy(mac.addr_bytes, n->mac, sizeof(mac.addr_bytes));
	rc = dp_neigh_add_static(dp->neigh, &key, &mac);
	if (rc < 0) {
		cfg_prefix_format(&n->addr, true, text, sizeof(text));
		snprintf(err, err_len, "static neighbour %s on port %s: %s", text,
			 dp->cfg->ports[n->port].name, strerror(-rc));
	}
	return rc;
}

static int
build_static_neigh(struct dp *dp, char *err, size_t err_len)
{
	int rc = 0;

	for (unsigned int i = 0; i < dp->cfg->n_neighbors && rc == 0; i++)
		rc = add_static_neigh(dp, &dp->cfg->neighbors[i], err, err_len);
	return rc;
}

static int
build_qsbr(struct dp *dp, char *err, size_t err_len)
{
	uint32_t threads = dp->n_workers + QSBR_EXTRA_READERS;
	size_t sz = rte_rcu_qsbr_get_memsize(threads);

	dp->qsbr = rte_zmalloc("hagw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, threads) != 0) {
		snprintf(err, err_len, "RCU QSBR for %u workers: out of memory", dp->n_workers);
		return -ENOMEM;
	}
	return 0;
}

static void
drain_ring(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* A worker context without queues: the rings and the IPsec-MB manager. */
static struct dp_worker *
worker_create(struct dp *dp, uint16_t index)
{
	struct dp_worker *w = rte_zmalloc("hagw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	unsigned int size = dp->cfg->dp.punt_ring;
	char name[RTE_RING_NAMESIZE];

	if (w == NULL)
		return NULL;
	w->dp = dp;
	w->index = index;
	snprintf(name, sizeof(name), "hagw_tx%u", index);
	w->tx_ring = rte_ring_create(name, size, SOCKET_ID_ANY, RING_F_SC_DEQ | RING_F_SP_ENQ);
	snprintf(name, sizeof(name), "hagw_ho%u", index);
	w->handoff_ring = rte_ring_create(name, size, SOCKET_ID_ANY, RING_F_SC_DEQ);
	w->mgr = dp_esp_mgr_create();
	return w;
}

static void
worker_free(struct dp_worker *w)
{
	for (unsigned int p = 0; p < DP_MAX_PORTS; p++)
		rte_pktmbuf_free_bulk(w->txbuf[p].m, w->txbuf[p].n);
	if (w->tx_ring != NULL)
		drain_ring(w->tx_ring);
	if (w->handoff_ring != NULL)
		drain_ring(w->handoff_ring);
	rte_ring_free(w->tx_ring);
	rte_ring_free(w->handoff_ring);
	if (w->mgr != NULL)
		dp_esp_mgr_free(w->mgr);
	rte_free(w);
}

static int
build_workers(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;

	for (uint16_t i = 0; i < dp->n_workers; i++) {
		const struct cfg_worker *cw = &cfg->workers[i];
		struct dp_worker *w = worker_create(dp, i);

		if (w == NULL || w->tx_ring == NULL || w->handoff_ring == NULL || w->mgr == NULL) {
			if (w != NULL)
				worker_free(w);
			snprintf(err, err_len, "worker %u: out of memory (rings, IPsec-MB manager)",
				 i);
			return -ENOMEM;
		}
		w->lcore = cw->lcore;
		w->n_rxq = cw->n_queues;
		for (uint16_t q = 0; q < cw->n_queues; q++) {
			w->rxq[q].port = cw->queues[q].port;
			w->rxq[q].queue = cw->queues[q].queue;
		}
		dp->workers[i] = w;
	}
	return 0;
}

/* The control core's ESP context: never polls, owns no ring; its
 * counters are summed with the workers'. */
static int
build_ctl_worker(struct dp *dp, char *err, size_t err_len)
{
	dp->ctl_mgr = dp_esp_mgr_create();
	dp->ctl_worker = rte_zmalloc("hagw_ctl_worker", sizeof(*dp->ctl_worker),
				     RTE_CACHE_LINE_SIZE);
	if (dp->ctl_mgr == NULL || dp->ctl_worker == NULL) {
		snprintf(err, err_len, "control core ESP context: out of memory");
		return -ENOMEM;
	}
	dp->ctl_worker->dp = dp;
	dp->ctl_worker->index = dp->n_workers;
	dp->ctl_worker->lcore = rte_get_main_lcore();
	dp->ctl_worker->mgr = dp->ctl_mgr;
	return 0;
}

static int
build_ipsec(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg_ipsec *c = &dp->cfg->ipsec;
	struct dp_sad_params sp = {
		.max_sas = c->max_sas, .n_workers = dp->n_workers, .qsbr = dp->qsbr,
		.socket = SOCKET_ID_ANY,
	};
	struct dp_spd_params pp = {
		.max_policies = c->max_policies, .max_clients = c->max_clients,
		.default_action = c->default_policy == CFG_POLICY_DISCARD ? DP_POLICY_DISCARD :
									    DP_POLICY_BYPASS,
		.qsbr = dp->qsbr, .socket = SOCKET_ID_ANY,
	};
	int rc = build_ctl_worker(dp, err, err_len);

	if (rc < 0)
		return rc;
	sp.mgr = dp->ctl_mgr;
	dp->sad = dp_sad_create("hagw_sad", &sp);
	dp->spd = dp_spd_create("hagw_spd", &pp);
	dp->sa_event_ring = rte_ring_create_elem("hagw_sa_ev", sizeof(struct dp_sa_event),
						 SA_EVENT_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (dp->sad == NULL || dp->spd == NULL || dp->sa_event_ring == NULL) {
		snprintf(err, err_len, "IPsec tables (%u SAs: %zu MiB reserved at start, %u "
			 "policies, %u clients) in eal.memory_mb = %u: %s", c->max_sas,
			 dp_sad_memory(c->max_sas) >> 20, c->max_policies, c->max_clients,
			 dp->cfg->eal.memory_mb, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return dp_ipsec_static_install(dp, err, err_len);
}

static void
free_ipsec(struct dp *dp)
{
	/* Zeroizes every SA's keys. */
	dp_sad_free(dp->sad);
	if (dp->spd != NULL)
		dp_spd_free(dp->spd);
	rte_ring_free(dp->sa_event_ring);
	rte_free(dp->ctl_worker);
	if (dp->ctl_mgr != NULL)
		dp_esp_mgr_free(dp->ctl_mgr);
	dp->sad = NULL;
	dp->spd = NULL;
	dp->sa_event_ring = NULL;
	dp->ctl_worker = NULL;
	dp->ctl_mgr = NULL;
}

static int
build_ports(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;
	int rc = 0;

	for (uint8_t i = 0; i < cfg->n_ports && rc == 0; i++) {
		setup_iface(&dp->iface[i], &cfg->ports[i], i);
		rc = dp_port_init(&dp->iface[i], &cfg->ports[i], &cfg->dp, dp->n_workers, dp->pool,
				  err, err_len);
		if (rc == 0)
			dp->n_ifaces = i + 1;
	}
	return rc;
}

static int
start_ports(struct dp *dp, char *err, size_t err_len)
{
	for (uint8_t i = 0; i < dp->n_ifaces; i++) {
		int rc = dp_port_start(&dp->iface[i], err, err_len);

		if (rc < 0)
			return rc;
		dp->iface[i].up = dp_port_link_up(&dp->iface[i]);
	}
	return 0;
}

int
dp_init(struct dp *dp, const struct cfg *cfg, char *err, size_t err_len)
{
	int rc;

	memset(dp, 0, sizeof(*dp));
	dp->cfg = cfg;
	dp->burst = cfg->dp.burst;
	dp->idle_backoff_us = cfg->dp.idle_backoff_us;
	dp->ike_port = cfg->ike.port;
	dp->natt_port = cfg->ike.natt_port;
	dp->ha_port = cfg->ha.enabled ? cfg->ha.port : 0;
	dp->n_workers = cfg->n_workers;
	dp->icmp_limit.rate = cfg->dp.icmp_rate;
	dp->icmp_limit.burst = cfg->dp.icmp_burst;
	dp->icmp_limit.tokens_milli = (uint64_t)cfg->dp.icmp_burst * 1000;
	dp->icmp_limit.last_ms = dp_now_ms();
	dp->punt_ring = rte_ring_create("hagw_punt", cfg->dp.punt_ring, SOCKET_ID_ANY,
					RING_F_SC_DEQ);
	if (dp->punt_ring == NULL) {
		snprintf(err, err_len, "punt ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = create_pool(dp, err, err_len);
	if (rc == 0)
		rc = build_qsbr(dp, err, err_len);
	if (rc == 0)
		rc = build_workers(dp, err, err_len);
	if (rc == 0)
		rc = build_routes(dp, err, err_len);
	if (rc == 0)
		rc = build_neigh(dp, err, err_len);
	if (rc == 0)
		rc = build_static_neigh(dp, err, err_len);
	if (rc == 0)
		rc = build_ipsec(dp, err, err_len);
	if (rc == 0)
		rc = build_ports(dp, err, err_len);
	if (rc == 0)
		rc = start_ports(dp, err, err_len);
	if (rc < 0)
		dp_fini(dp);
	return rc;
}

void
dp_fini(struct dp *dp)
{
	for (uint8_t i = 0; i < dp->n_ifaces; i++)
		dp_port_stop(&dp->iface[i]);
	dp->n_ifaces = 0;
	if (dp->punt_ring != NULL)
		drain_ring(dp->punt_ring);
	for (uint16_t i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		worker_free(w);
		dp->workers[i] = NULL;
	}
	if (dp->neigh != NULL)
		dp_neigh_free(dp->neigh);
	if (dp->routes != NULL)
		dp_route_free(dp->routes);
	free_ipsec(dp);
	rte_free(dp->qsbr);
	rte_ring_free(dp->punt_ring);
	rte_mempool_free(dp->pool);
	dp->neigh = NULL;
	dp->routes = NULL;
	dp->qsbr = NULL;
	dp->punt_ring = NULL;
	dp->pool = NULL;
}

void
dp_counters_sum(const struct dp *dp, struct dp_counters *sum)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	const size_t words = sizeof(*sum) / sizeof(uint64_t);

	memcpy(sum, &dp->ctl_counters, sizeof(*sum));
	for (uint16_t i = 0; i <= dp->n_workers; i++) {
		const struct dp_worker *w = i < dp->n_workers ? dp->workers[i] : dp->ctl_worker;

		if (w == NULL)
			continue;
		src = (const uint64_t *)&w->counters;
		for (size_t k = 0; k < words; k++)
			dst[k] += src[k];
	}
}

void
dp_counters_clear(struct dp *dp)
{
	/* Racy by design: a worker may add to a counter while it is cleared. */
	memset(&dp->ctl_counters, 0, sizeof(dp->ctl_counters));
	for (uint16_t i = 0; i < dp->n_workers; i++)
		memset(&dp->workers[i]->counters, 0, sizeof(dp->workers[i]->counters));
	if (dp->ctl_worker != NULL)
		memset(&dp->ctl_worker->counters, 0, sizeof(dp->ctl_worker->counters));
}
