/*
 * The effective ha section as JSON, shaped like the file: every setting
 * under its file name with defaults filled in, ports by name, addresses as
 * plain strings, the virtual MAC as "xx:xx:xx:xx:xx:xx". The psk_file is shown as the path hagw opens, never its
 * contents.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "config/cfg_priv.h"

enum {
	JSON_ADDR_LEN = 2 * CFG_ADDR_TEXT_LEN,
	JSON_MAC_LEN = 3 * CFG_MAC_LEN,		/* "xx:xx:xx:xx:xx:xx" and NUL */
};

static void
add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *
num(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *
addr_json(const struct cfg_prefix *p)
{
	char buf[JSON_ADDR_LEN];

	cfg_prefix_format(p, true, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *
port_json(const struct cfg *cfg, uint8_t port)
{
	return json_object_new_string(port < cfg->n_ports ? cfg->ports[port].name : "?");
}

static struct json_object *
link_json(const struct cfg *cfg, const struct cfg_ha_link *l)
{
	struct json_object *o = json_object_new_object();

	add(o, "port", port_json(cfg, l->port));
	add(o, "local", addr_json(&l->local));
	add(o, "peer", addr_json(&l->peer));
	return o;
}

static struct json_object *
vips_json(const struct cfg *cfg)
{
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; i < cfg->ha.n_vips; i++) {
		struct json_object *o = json_object_new_object();

		add(o, "port", port_json(cfg, cfg->ha.vips[i].port));
		add(o, "address", addr_json(&cfg->ha.vips[i].address));
		json_object_array_add(list, o);
	}
	return list;
}

static void
add_links(struct json_object *o, const struct cfg *cfg)
{
	const struct cfg_ha *h = &cfg->ha;
	struct json_object *links = json_object_new_array();
	const uint8_t *m = h->vmac;
	char mac[JSON_MAC_LEN];

	for (unsigned int i = 0; i < h->n_links; i++)
		json_object_array_add(links, link_json(cfg, &h->links[i]));
	add(o, "sync", link_json(cfg, &h->sync));
	add(o, "links", links);
	add(o, "vips", vips_json(cfg));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	add(o, "vmac", json_object_new_string(mac));
}

struct json_object *
cfg_ha_json(const struct cfg *cfg)
{
	const struct cfg_ha *h = &cfg->ha;
	struct json_object *o = json_object_new_object();

	add(o, "node_id", num(h->node_id));
	add(o, "peer_node_id", num(h->peer_node_id));
	add(o, "priority", num(h->priority));
	add(o, "preempt", json_object_new_boolean(h->preempt));
	add(o, "psk_file", json_object_new_string(h->psk_file));
	add(o, "port", num(h->port));
	add(o, "interval_ms", num(h->interval_ms));
	add(o, "dead_count", num(h->dead_count));
	add(o, "sync_interval_ms", num(h->sync_interval_ms));
	add(o, "margin_floor", num(h->margin_floor));
	add(o, "margin_safety", num(h->margin_safety));
	add(o, "rekey_after_takeover", json_object_new_boolean(h->rekey_after_takeover));
	add(o, "rekey_spread_s", num(h->rekey_spread_s));
	add_links(o, cfg);
	return o;
}
