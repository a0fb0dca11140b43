/*
 * The effective configuration (defaults filled in) as JSON, shaped like
 * the file: one object per section, ports/routes/neighbors/workers/sas/
 * policies as arrays, addresses as "a.b.c.d/len" strings, MAC addresses as
 * "xx:xx:xx:xx:xx:xx". SA keys are never shown, only their length:
 * "key": "<20 bytes hidden>". The ike section (cfg_ike_json.c) and the ha
 * section (cfg_ha_json.c) are present only when the file has them. Key names are stable.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "config/cfg_priv.h"

enum {
	JSON_ADDR_LEN = 2 * CFG_ADDR_TEXT_LEN,	/* "lo-hi" address ranges */
	JSON_HIDDEN_LEN = 32,			/* "<36 bytes hidden>" */
	JSON_QUEUE_LEN = CFG_NAME_LEN + 8,	/* "port:65535" */
	JSON_MAC_LEN = 3 * CFG_MAC_LEN,		/* "xx:xx:xx:xx:xx:xx" and NUL */
};

static void
add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *
uint_json(unsigned int v)
{
	return json_object_new_int64(v);
}

static struct json_object *
prefix_json(const struct cfg_prefix *p, bool omit_len)
{
	char buf[JSON_ADDR_LEN];

	cfg_prefix_format(p, omit_len, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *
eal_json(const struct cfg_eal *e)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lcores = json_object_new_array();
	struct json_object *args = json_object_new_array();

	for (unsigned int i = 0; i < e->n_lcores; i++)
		json_object_array_add(lcores, uint_json(e->lcores[i]));
	for (unsigned int i = 0; i < e->n_extra_args; i++)
		json_object_array_add(args, json_object_new_string(e->extra_args[i]));
	add(o, "lcores", lcores);
	add(o, "memory_mb", uint_json(e->memory_mb));
	add(o, "hugepages", json_object_new_boolean(e->hugepages));
	add(o, "pci", json_object_new_boolean(e->pci));
	add(o, "file_prefix", json_object_new_string(e->file_prefix));
	add(o, "extra_args", args);
	return o;
}

static struct json_object *
dataplane_json(const struct cfg_dataplane *d)
{
	struct json_object *o = json_object_new_object();

	add(o, "mbufs", uint_json(d->mbufs));
	add(o, "mbuf_cache", uint_json(d->mbuf_cache));
	add(o, "rx_desc", uint_json(d->rx_desc));
	add(o, "tx_desc", uint_json(d->tx_desc));
	add(o, "burst", uint_json(d->burst));
	add(o, "punt_ring", uint_json(d->punt_ring));
	add(o, "idle_backoff_us", uint_json(d->idle_backoff_us));
	add(o, "neigh_entries", uint_json(d->neigh_entries));
	add(o, "neigh_reachable_s", uint_json(d->neigh_reachable_s));
	add(o, "neigh_pending", uint_json(d->neigh_pending));
	add(o, "neigh_pending_total", uint_json(d->neigh_pending_total));
	add(o, "icmp_rate", uint_json(d->icmp_rate));
	add(o, "icmp_burst", uint_json(d->icmp_burst));
	return o;
}

static struct json_object *
port_json(const struct cfg_port *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *v4 = json_object_new_array();
	struct json_object *v6 = json_object_new_array();

	for (unsigned int i = 0; i < p->n_ipv4; i++)
		json_object_array_add(v4, prefix_json(&p->ipv4[i], false));
	for (unsigned int i = 0; i < p->n_ipv6; i++)
		json_object_array_add(v6, prefix_json(&p->ipv6[i], false));
	add(o, "name", json_object_new_string(p->name));
	add(o, "device", json_object_new_string(p->device));
	add(o, "role", json_object_new_string(cfg_role_name(p->role)));
	add(o, "ipv4", v4);
	add(o, "ipv6", v6);
	add(o, "mtu", uint_json(p->mtu));
	add(o, "rx_queues", uint_json(p->rx_queues));
	return o;
}

static const char *
port_name(const struct cfg *cfg, uint8_t port)
{
	return port < cfg->n_ports ? cfg->ports[port].name : "?";
}

static struct json_object *
route_json(const struct cfg *cfg, const struct cfg_route *r)
{
	struct json_object *o = json_object_new_object();

	add(o, "prefix", prefix_json(&r->prefix, false));
	if (r->has_via)
		add(o, "via", prefix_json(&r->via, true));
	add(o, "port", json_object_new_string(port_name(cfg, r->port)));
	return o;
}

static struct json_object *
neighbor_json(const struct cfg *cfg, const struct cfg_neighbor *n)
{
	struct json_object *o = json_object_new_object();
	const uint8_t *m = n->mac;
	char mac[JSON_MAC_LEN];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	add(o, "port", json_object_new_string(port_name(cfg, n->port)));
	add(o, "address", prefix_json(&n->addr, true));
	add(o, "mac", json_object_new_string(mac));
	return o;
}

static struct json_object *
worker_json(const struct cfg *cfg, const struct cfg_worker *w)
{
	struct json_object *o = json_object_new_object();
	struct json_object *queues = json_object_new_array();
	char buf[JSON_QUEUE_LEN];

	for (unsigned int i = 0; i < w->n_queues; i++) {
		const struct cfg_queue_ref *q = &w->queues[i];

		snprintf(buf, sizeof(buf), "%s:%u", port_name(cfg, q->port), q->queue);
		json_object_array_add(queues, json_object_new_string(buf));
	}
	add(o, "lcore", uint_json(w->lcore));
	add(o, "queues", queues);
	return o;
}

static struct json_object *
ipsec_json(const struct cfg_ipsec *ip)
{
	struct json_object *o = json_object_new_object();
	const char *def = cfg_policy_action_name(ip->default_policy);

	add(o, "default_policy", json_object_new_string(def));
	add(o, "max_sas", uint_json(ip->max_sas));
	add(o, "max_policies", uint_json(ip->max_policies));
	add(o, "max_clients", uint_json(ip->max_clients));
	return o;
}

static struct json_object *
hidden_json(unsigned int len)
{
	char buf[JSON_HIDDEN_LEN];

	snprintf(buf, sizeof(buf), "<%u bytes hidden>", len);
	return json_object_new_string(buf);
}

/* local, remote, protocol, local_ports, remote_ports of a selector pair into o. */
static void
ts_json(struct json_object *o, const struct cfg_ts *local, const struct cfg_ts *remote)
{
	char buf[JSON_ADDR_LEN];

	cfg_ts_format_addr(local, buf, sizeof(buf));
	add(o, "local", json_object_new_string(buf));
	cfg_ts_format_addr(remote, buf, sizeof(buf));
	add(o, "remote", json_object_new_string(buf));
	add(o, "protocol", json_object_new_string(cfg_ts_proto_name(local->proto, buf,
								     sizeof(buf))));
	cfg_ts_format_ports(local, buf, sizeof(buf));
	add(o, "local_ports", json_object_new_string(buf));
	cfg_ts_format_ports(remote, buf, sizeof(buf));
	add(o, "remote_ports", json_object_new_string(buf));
}

static struct json_object *
lifetime_json(const struct cfg_sa *sa)
{
	struct json_object *o = json_object_new_object();

	add(o, "soft_bytes", json_object_new_uint64(sa->soft.bytes));
	add(o, "hard_bytes", json_object_new_uint64(sa->hard.bytes));
	add(o, "soft_packets", json_object_new_uint64(sa->soft.packets));
	add(o, "hard_packets", json_object_new_uint64(sa->hard.packets));
	return o;
}

/* Settings that only some SAs have are left out for the others. */
static void
sa_options_json(struct json_object *o, const struct cfg_sa *sa)
{
	add(o, "udp_encap", json_object_new_boolean(sa->udp_encap));
	if (sa->udp_encap) {
		add(o, "local_port", uint_json(sa->local_port));
		add(o, "remote_port", uint_json(sa->remote_port));
	}
	add(o, "esn", json_object_new_boolean(sa->esn));
	if (sa->dir == CFG_SA_IN)
		add(o, "replay_window", uint_json(sa->replay_window));
	add(o, "df", json_object_new_string(cfg_sa_df_name(sa->df)));
	add(o, "dscp", sa->dscp == CFG_NONE ? json_object_new_string("copy") :
	    uint_json((unsigned int)sa->dscp));
	if (sa->worker_lcore != CFG_NONE)
		add(o, "worker", uint_json((unsigned int)sa->worker_lcore));
}

static struct json_object *
sa_json(const struct cfg_sa *sa)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ts = json_object_new_array();

	add(o, "name", json_object_new_string(sa->name));
	add(o, "spi", uint_json(sa->spi));
	add(o, "direction", json_object_new_string(cfg_sa_dir_name(sa->dir)));
	add(o, "mode", json_object_new_string(cfg_sa_mode_name(sa->mode)));
	add(o, "algorithm", json_object_new_string(cfg_sa_alg_name(sa->alg)));
	add(o, "key", hidden_json(sa->key_len));
	if (sa->auth_key_len > 0)
		add(o, "auth_key", hidden_json(sa->auth_key_len));
	add(o, "local", prefix_json(&sa->local, true));
	add(o, "remote", prefix_json(&sa->remote, true));
	sa_options_json(o, sa);
	add(o, "lifetime", lifetime_json(sa));
	for (unsigned int i = 0; i < sa->n_ts; i++) {
		struct json_object *t = json_object_new_object();

		ts_json(t, &sa->ts[i].local, &sa->ts[i].remote);
		json_object_array_add(ts, t);
	}
	add(o, "selectors", ts);
	return o;
}

static struct json_object *
policy_json(const struct cfg *cfg, const struct cfg_policy *p)
{
	struct json_object *o = json_object_new_object();
	const char *sa = p->sa >= 0 && p->sa < cfg->n_sas ? cfg->sas[p->sa].name : NULL;

	if (p->kind == CFG_POLICY_CLIENT) {
		add(o, "client", prefix_json(&p->client, false));
		add(o, "sa", json_object_new_string(sa != NULL ? sa : "?"));
		return o;
	}
	add(o, "priority", uint_json(p->priority));
	add(o, "action", json_object_new_string(cfg_policy_action_name(p->action)));
	if (sa != NULL)
		add(o, "sa", json_object_new_string(sa));
	ts_json(o, &p->local, &p->remote);
	return o;
}

static void
add_ipsec(struct json_object *o, const struct cfg *cfg)
{
	struct json_object *sas = json_object_new_array();
	struct json_object *policies = json_object_new_array();

	for (unsigned int i = 0; i < cfg->n_sas; i++)
		json_object_array_add(sas, sa_json(&cfg->sas[i]));
	for (unsigned int i = 0; i < cfg->n_policies; i++)
		json_object_array_add(policies, policy_json(cfg, &cfg->policies[i]));
	add(o, "ipsec", ipsec_json(&cfg->ipsec));
	add(o, "sas", sas);
	add(o, "policies", policies);
}

struct json_object *
cfg_to_json(const struct cfg *cfg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *routes = json_object_new_array();
	struct json_object *neighbors = json_object_new_array();
	struct json_object *workers = json_object_new_array();
	struct json_object *cli = json_object_new_object();
	struct json_object *log = json_object_new_object();

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		json_object_array_add(ports, port_json(&cfg->ports[i]));
	for (unsigned int i = 0; i < cfg->n_routes; i++)
		json_object_array_add(routes, route_json(cfg, &cfg->routes[i]));
	for (unsigned int i = 0; i < cfg->n_neighbors; i++)
		json_object_array_add(neighbors, neighbor_json(cfg, &cfg->neighbors[i]));
	for (unsigned int i = 0; i < cfg->n_workers; i++)
		json_object_array_add(workers, worker_json(cfg, &cfg->workers[i]));
	add(cli, "socket", json_object_new_string(cfg->cli.socket));
	add(log, "level", json_object_new_string(cfg_log_level_name(cfg->log.level)));
	add(log, "file", json_object_new_string(cfg->log.file));
	add(o, "eal", eal_json(&cfg->eal));
	add(o, "dataplane", dataplane_json(&cfg->dp));
	add(o, "ports", ports);
	add(o, "routes", routes);
	add(o, "neighbors", neighbors);
	add(o, "workers", workers);
	add_ipsec(o, cfg);
	if (cfg->ike.enabled)
		add(o, "ike", cfg_ike_json(cfg));
	if (cfg->ha.enabled)
		add(o, "ha", cfg_ha_json(cfg));
	add(o, "cli", cli);
	add(o, "log", log);
	return o;
}
