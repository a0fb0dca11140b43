/*
 * The CLI commands: each builds a JSON object from the daemon's state;
 * hagwctl renders text from it. Key names are stable (docs/cli.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "control/cli.h"
#include "control/ctl_cmds_ha.h"
#include "control/ctl_cmds_ike.h"
#include "control/ctl_cmds_ipsec.h"
#include "control/ctl_json.h"
#include "control/ctl_sa_state.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/neigh.h"
#include "dataplane/route.h"

static struct json_object *
mac_json(const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	/* Lower case, as in the config file and `show config`. */
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
		 b[4], b[5]);
	return STR(buf);
}

static struct json_object *
prefixes_json(const struct cfg_prefix *list, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	char buf[64];

	for (unsigned int i = 0; i < n; i++) {
		cfg_prefix_format(&list[i], false, buf, sizeof(buf));
		json_object_array_add(a, STR(buf));
	}
	return a;
}

static int
cmd_show_version(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		 size_t len)
{
	struct hagw *h = ctx;
	struct json_object *o = json_object_new_object();

	ADD(o, "version", STR(HAGW_VERSION));
	ADD(o, "dpdk", STR(rte_version()));
	ADD(o, "ipsec_mb", STR(imb_get_version_str()));
	ADD(o, "openssl", STR(OpenSSL_version(OPENSSL_VERSION)));
	ADD(o, "pid", U64((uint64_t)getpid()));
	ADD(o, "uptime_s", U64((dp_now_ms() - h->started_ms) / 1000));
	ADD(o, "config", STR(h->cfg.path));
	ADD(o, "tsc_hz", U64(rte_get_tsc_hz()));
	*out = o;
	return 0;
}

static struct json_object *
port_json(const struct hagw *h, const struct dp_iface *ifc)
{
	struct json_object *o = json_object_new_object();
	struct rte_eth_stats st = { 0 };
	struct rte_eth_link link = { 0 };
	char ll[64];
	struct cfg_prefix llp = { .family = AF_INET6, .len = 64 };

	rte_eth_stats_get(ifc->port_id, &st);
	rte_eth_link_get_nowait(ifc->port_id, &link);
	memcpy(llp.addr.v6, ifc->ipv6_link_local, sizeof(llp.addr.v6));
	cfg_prefix_format(&llp, false, ll, sizeof(ll));
	ADD(o, "name", STR(ifc->name));
	ADD(o, "role", STR(cfg_role_name(ifc->role)));
	ADD(o, "device", STR(h->cfg.ports[ifc->index].device));
	ADD(o, "port_id", U64(ifc->port_id));
	ADD(o, "mac", mac_json(&ifc->mac));
	ADD(o, "mtu", U64(ifc->mtu));
	ADD(o, "link", STR(link.link_status == RTE_ETH_LINK_UP ? "up" : "down"));
	ADD(o, "speed_mbps", U64(link.link_speed));
	ADD(o, "rx_queues", U64(ifc->n_rxq));
	ADD(o, "tx_queues", U64(ifc->n_txq));
	ADD(o, "ipv4", prefixes_json(ifc->ipv4, ifc->n_ipv4));
	ADD(o, "ipv6", prefixes_json(ifc->ipv6, ifc->n_ipv6));
	ADD(o, "ipv6_link_local", STR(ll));
	ADD(o, "hw_rx_packets", U64(st.ipackets));
	ADD(o, "hw_tx_packets", U64(st.opackets));
	ADD(o, "hw_rx_bytes", U64(st.ibytes));
	ADD(o, "hw_tx_bytes", U64(st.obytes));
	ADD(o, "hw_rx_missed", U64(st.imissed));
	ADD(o, "hw_rx_errors", U64(st.ierrors));
	ADD(o, "hw_tx_errors", U64(st.oerrors));
	ADD(o, "hw_rx_nombuf", U64(st.rx_nombuf));
	return o;
}

static int
cmd_show_ports(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct hagw *h = ctx;
	struct json_object *a = json_object_new_array();

	for (uint8_t i = 0; i < h->dp.n_ifaces; i++)
		json_object_array_add(a, port_json(h, &h->dp.iface[i]));
	*out = a;
	return 0;
}

static struct json_object *
drops_json(const uint64_t drops[DP_DROP_MAX], uint64_t *total)
{
	struct json_object *o = json_object_new_object();

	for (unsigned int r = 0; r < DP_DROP_MAX; r++) {
		ADD(o, dp_drop_reason_name(r), U64(drops[r]));
		*total += drops[r];
	}
	return o;
}

static struct json_object *
port_stats_json(const struct dp_iface *ifc, const struct dp_port_counters *c)
{
	struct json_object *o = json_object_new_object();
	uint64_t dropped = 0;
	struct json_object *drops = drops_json(c->drops, &dropped);

	ADD(o, "name", STR(ifc->name));
	ADD(o, "rx_packets", U64(c->rx_packets));
	ADD(o, "rx_bytes", U64(c->rx_bytes));
	ADD(o, "tx_packets", U64(c->tx_packets));
	ADD(o, "tx_bytes", U64(c->tx_bytes));
	ADD(o, "forwarded", U64(c->forwarded));
	ADD(o, "punted", U64(c->punted));
	ADD(o, "dropped", U64(dropped));
	ADD(o, "drops", drops);
	return o;
}

static struct json_object *
worker_stats_json(const struct dp *dp, const struct dp_worker *w)
{
	struct json_object *o = json_object_new_object();
	uint64_t rx = 0, tx = 0, dropped = 0;

	for (uint8_t p = 0; p < dp->n_ifaces; p++) {
		rx += w->counters.port[p].rx_packets;
		tx += w->counters.port[p].tx_packets;
		for (unsigned int r = 0; r < DP_DROP_MAX; r++)
			dropped += w->counters.port[p].drops[r];
	}
	ADD(o, "index", U64(w->index));
	ADD(o, "lcore", U64(w->lcore));
	ADD(o, "rx_packets", U64(rx));
	ADD(o, "tx_packets", U64(tx));
	ADD(o, "dropped", U64(dropped));
	ADD(o, "polls", U64(w->counters.polls));
	ADD(o, "idle_polls", U64(w->counters.idle_polls));
	ADD(o, "sa_events_lost", U64(w->counters.sa_events_lost));
	return o;
}

/* sum: every worker's counters and the control core's (dp_counters_sum). */
static struct json_object *
resources_json(const struct dp *dp, const struct dp_counters *sum)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "mbufs", U64(dp->pool->size));
	ADD(o, "mbufs_in_use", U64(rte_mempool_in_use_count(dp->pool)));
	ADD(o, "punt_ring_used", U64(rte_ring_count(dp->punt_ring)));
	ADD(o, "neighbors", U64(dp_neigh_count(dp->neigh)));
	ADD(o, "neighbor_held_packets", U64(dp_neigh_held(dp->neigh)));
	ADD(o, "routes", U64(dp_route_count(dp->routes)));
	ADD(o, "sas", U64(dp_sad_count(dp->sad)));
	ADD(o, "sa_events_lost", U64(sum->sa_events_lost));
	return o;
}

static int
cmd_show_stats(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct hagw *h = ctx;
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *workers = json_object_new_array();
	struct dp_counters sum;

	dp_counters_sum(&h->dp, &sum);
	for (uint8_t i = 0; i < h->dp.n_ifaces; i++)
		json_object_array_add(ports, port_stats_json(&h->dp.iface[i], &sum.port[i]));
	for (uint16_t i = 0; i < h->dp.n_workers; i++)
		json_object_array_add(workers, worker_stats_json(&h->dp, h->dp.workers[i]));
	ADD(o, "ports", ports);
	ADD(o, "workers", workers);
	ADD(o, "resources", resources_json(&h->dp, &sum));
	*out = o;
	return 0;
}

/* foreach callbacks get the daemon and the array they fill. */
struct list_ctx {
	const struct hagw *h;
	struct json_object *list;
};

static int
route_json(const struct dp_route *r, void *arg)
{
	struct list_ctx *lc = arg;
	struct json_object *o = json_object_new_object();
	char buf[64];

	cfg_prefix_format(&r->prefix, false, buf, sizeof(buf));
	ADD(o, "prefix", STR(buf));
	ADD(o, "kind", STR(dp_nexthop_kind_name(r->nh.kind)));
	ADD(o, "port", STR(lc->h->dp.iface[r->nh.port].name));
	if (r->nh.kind == DP_NH_GATEWAY) {
		struct cfg_prefix gw = { .family = r->nh.family };

		memcpy(gw.addr.bytes, r->nh.gw, sizeof(gw.addr.bytes));
		cfg_prefix_format(&gw, true, buf, sizeof(buf));
		ADD(o, "via", STR(buf));
	} else {
		ADD(o, "via", NULL);
	}
	json_object_array_add(lc->list, o);
	return 0;
}

static int
cmd_show_routes(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		size_t len)
{
	struct list_ctx lc = { .h = ctx, .list = json_object_new_array() };

	dp_route_foreach(lc.h->dp.routes, route_json, &lc);
	*out = lc.list;
	return 0;
}

static int
neigh_json(const struct dp_neigh_info *n, void *arg)
{
	struct list_ctx *lc = arg;
	struct json_object *o = json_object_new_object();
	struct cfg_prefix a = { .family = n->key.family };
	char buf[64];

	memcpy(a.addr.bytes, n->key.addr, sizeof(a.addr.bytes));
	cfg_prefix_format(&a, true, buf, sizeof(buf));
	ADD(o, "address", STR(buf));
	ADD(o, "port", STR(lc->h->dp.iface[n->key.port].name));
	ADD(o, "mac", n->state == DP_NEIGH_INCOMPLETE ? NULL : mac_json(&n->mac));
	ADD(o, "state", STR(dp_neigh_state_name(n->state)));
	ADD(o, "age_ms", U64(n->age_ms));
	ADD(o, "held_packets", U64(n->held));
	ADD(o, "probes", U64(n->probes));
	json_object_array_add(lc->list, o);
	return 0;
}

static int
cmd_show_neighbors(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		   size_t len)
{
	struct list_ctx lc = { .h = ctx, .list = json_object_new_array() };

	dp_neigh_foreach(lc.h->dp.neigh, dp_now_ms(), neigh_json, &lc);
	*out = lc.list;
	return 0;
}

static int
cmd_show_config(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		size_t len)
{
	const struct hagw *h = ctx;

	*out = cfg_to_json(&h->cfg);
	return 0;
}

static int
cmd_clear_stats(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		size_t len)
{
	struct hagw *h = ctx;

	dp_counters_clear(&h->dp);
	for (uint8_t i = 0; i < h->dp.n_ifaces; i++)
		rte_eth_stats_reset(h->dp.iface[i].port_id);
	*out = NULL;
	return 0;
}

static int
cmd_set_log_level(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t len)
{
	struct hagw *h = ctx;
	enum cfg_log_level level;

	if (argc != 1 || cfg_log_level_parse(argv[0], &level) < 0) {
		snprintf(err, len, "usage: set log-level err|warning|notice|info|debug");
		return -EINVAL;
	}
	h->cfg.log.level = level;
	ctl_log_set_level(level);
	CTL_LOG(NOTICE, "log level set to %s", cfg_log_level_name(level));
	*out = json_object_new_object();
	ADD(*out, "level", STR(cfg_log_level_name(level)));
	return 0;
}

static int
cmd_shutdown(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct hagw *h = ctx;

	CTL_LOG(NOTICE, "shutdown requested from the CLI");
	h->stop = 1;
	h->dp.stop = true;
	*out = json_object_new_object();
	ADD(*out, "stopping", json_object_new_boolean(true));
	return 0;
}

const struct ctl_cmd ctl_commands[] = {
	{ "show version", "", "software versions, uptime and config file",
	  cmd_show_version, true },
	{ "show ports", "", "ports: device, role, MAC, MTU, link, addresses, device counters",
	  cmd_show_ports, true },
	{ "show stats", "", "packet counters per port (with drops by reason) and per worker",
	  cmd_show_stats, true },
	{ "show routes", "", "the routing table: local, connected and gateway routes",
	  cmd_show_routes, false },
	{ "show neighbors", "", "the ARP / IPv6 neighbour cache", cmd_show_neighbors, false },
	{ "show config", "", "the effective configuration, defaults filled in",
	  cmd_show_config, false },
	{ "show sa", "[NAME|SPI]", "security associations: SPI, algorithm, mode, peers, selectors, "
	  "owner, sequence number, replay window, counters, drops, lifetimes (never keys)",
	  ctl_cmd_show_sa, true },
	{ "show spd clients", "", "remote-access client prefixes: SA name, SPI, pending",
	  ctl_cmd_show_spd_clients, false },
	{ "show spd", "", "security policies by priority, the default action, the number of "
	  "remote-access clients", ctl_cmd_show_spd, true },
	{ "show ike-sas", "[FROM [COUNT]]", "IKE SAs (a page of COUNT from index FROM): state, "
	  "role, addresses, NAT, SPIs, suite, identities, "
	  "virtual IPs, times, message IDs, peer capabilities (never keys)",
	  ctl_cmd_show_ike_sas, false },
	{ "show child-sas", "[FROM [COUNT]]", "CHILD SAs (a page of COUNT from index FROM): SPIs, "
	  "mode, suite, encapsulation, traffic selectors, "
	  "lifetimes, rekey state (never keys)", ctl_cmd_show_child_sas, false },
	{ "show ike stats", "", "IKE counters: messages, errors, cookies, half-open SAs",
	  ctl_cmd_show_ike_stats, false },
	{ "initiate", "CONNECTION [CHILD]", "start an IKE SA of a connection (with one CHILD SA, "
	  "or all of them)", ctl_cmd_initiate, false },
	{ "terminate ike", "ID", "delete an IKE SA and its CHILD SAs (INFORMATIONAL DELETE)",
	  ctl_cmd_terminate_ike, false },
	{ "terminate child", "ID", "delete one CHILD SA", ctl_cmd_terminate_child, false },
	{ "rekey ike", "ID", "rekey an IKE SA now", ctl_cmd_rekey_ike, false },
	{ "rekey child", "ID", "rekey a CHILD SA now", ctl_cmd_rekey_child, false },
	{ "show ha", "", "HA: role and why, peer, links, sync stream (sent, acknowledged, "
	  "retransmitted, lag), SAs held, last takeover, HA cycles", ctl_cmd_show_ha, false },
	{ "ha switchover", "", "hand the active role to the peer (alive and in sync), no loss",
	  ctl_cmd_ha_switchover, false },
	{ "ha resync", "", "standby: ask the active for a new bulk sync", ctl_cmd_ha_resync,
	  false },
	{ "clear stats", "", "reset all packet counters", cmd_clear_stats, false },
	{ "clear sa counters", "[NAME|SPI]", "reset the packets, bytes and drops that show sa shows; "
	  "lifetime usage is never reset", ctl_cmd_clear_sa_counters, false },
	{ "sa export", "[NAME|SPI]", "HA sequence state of SAs: outbound counter and IV epoch, "
	  "inbound replay window (never keys)", ctl_cmd_sa_export, false },
	{ "sa import", "NAME|SPI FIELD VALUE...", "merge sequence state into one SA (out_seq, "
	  "iv_epoch, epoch_start_seq, win_top, win_bitmap); never moves backwards",
	  ctl_cmd_sa_import, false },
	{ "sa takeover", "NAME|SPI NODE_BIT MARGIN", "before sending on an outbound SA another "
	  "node used: new IV epoch for this node, sequence number advanced by MARGIN",
	  ctl_cmd_sa_takeover, false },
	{ "set log-level", "err|warning|notice|info|debug", "change the log level at run time",
	  cmd_set_log_level, false },
	{ "shutdown", "", "stop the daemon cleanly", cmd_shutdown, false },
};

const unsigned int ctl_n_commands = RTE_DIM(ctl_commands);
