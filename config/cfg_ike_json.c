/*
 * The effective ike section as JSON, shaped like the file: every setting
 * under its file name with defaults filled in, addresses as plain strings,
 * traffic selectors as written ("10.1.0.0/16[tcp/80]", "dynamic"), pools
 * with the first and last address handed out. A secret shows its ids and
 * its file, never the secret or its length.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	JSON_ADDR_LEN = 2 * CFG_ADDR_TEXT_LEN,
	JSON_TS_LEN = 4 * CFG_ADDR_TEXT_LEN,
	JSON_DOUBLE_LEN = 32,
	HOST_V4 = 32,
	HOST_V6 = 128,
};

static void
add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *
str(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *
num(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *
addr_json(const struct cfg_prefix *p, bool omit_len)
{
	char buf[JSON_ADDR_LEN];

	cfg_prefix_format(p, omit_len, buf, sizeof(buf));
	return str(buf);
}

static struct json_object *
addrs_json(const struct cfg_prefix *a, unsigned int n)
{
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(list, addr_json(&a[i], a[i].len == (a[i].family == AF_INET ?
								      HOST_V4 : HOST_V6)));
	return list;
}

static struct json_object *
strings_json(const char (*s)[CFG_IKE_PROPOSAL_LEN], unsigned int n)
{
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(list, str(s[i]));
	return list;
}

static struct json_object *
pool_json(const struct cfg_ike_pool *p)
{
	struct json_object *o = json_object_new_object();
	char a[JSON_ADDR_LEN], b[JSON_ADDR_LEN], range[2 * JSON_ADDR_LEN];

	cfg_prefix_format(&p->first, true, a, sizeof(a));
	cfg_prefix_format(&p->last, true, b, sizeof(b));
	add(o, "name", str(p->name));
	if (p->is_prefix) {
		add(o, "addrs", addr_json(&p->prefix, false));
	} else {
		snprintf(range, sizeof(range), "%s-%s", a, b);
		add(o, "addrs", str(range));
	}
	add(o, "first", str(a));
	add(o, "last", str(b));
	add(o, "size", num(p->size));
	add(o, "dns", addrs_json(p->dns, p->n_dns));
	return o;
}

static struct json_object *
secret_json(const struct cfg_ike_secret *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ids = json_object_new_array();

	for (unsigned int i = 0; i < s->n_ids; i++)
		json_object_array_add(ids, str(s->ids[i].text));
	add(o, "ids", ids);
	add(o, "file", str(s->file));
	return o;
}

static struct json_object *
end_json(const struct cfg_ike_end *e, bool local)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cas;

	add(o, "id", str(e->id.text));
	add(o, "auth", str(cfg_ike_auth_name(e->auth)));
	if (e->auth != CFG_IKE_AUTH_PUBKEY)
		return o;
	if (local) {
		add(o, "cert", str(e->cert));
		add(o, "key", str(e->key));
		return o;
	}
	cas = json_object_new_array();
	for (unsigned int i = 0; i < e->n_cacerts; i++)
		json_object_array_add(cas, str(e->cacerts[i]));
	add(o, "cacerts", cas);
	return o;
}

static struct json_object *
ts_json(const struct cfg_ike_ts *ts, unsigned int n)
{
	struct json_object *list = json_object_new_array();
	char buf[JSON_TS_LEN];

	for (unsigned int i = 0; i < n; i++) {
		cfg_ike_ts_format(&ts[i], buf, sizeof(buf));
		json_object_array_add(list, str(buf));
	}
	return list;
}

static struct json_object *
child_json(const struct cfg_ike_child *ch)
{
	struct json_object *o = json_object_new_object();

	add(o, "name", str(ch->name));
	add(o, "local_ts", ts_json(ch->local_ts, ch->n_local_ts));
	add(o, "remote_ts", ts_json(ch->remote_ts, ch->n_remote_ts));
	add(o, "esp_proposals", strings_json(ch->esp_proposals, ch->n_esp_proposals));
	add(o, "mode", str(cfg_sa_mode_name(ch->mode)));
	add(o, "rekey_time", num(ch->rekey_time));
	add(o, "life_time", num(ch->life_time));
	add(o, "rand_time", num(ch->rand_time));
	add(o, "rekey_bytes", num(ch->rekey_bytes));
	add(o, "life_bytes", num(ch->life_bytes));
	add(o, "rekey_packets", num(ch->rekey_packets));
	add(o, "life_packets", num(ch->life_packets));
	add(o, "replay_window", num(ch->replay_window));
	add(o, "start_action", str(cfg_ike_action_name(ch->start_action)));
	add(o, "dpd_action", str(cfg_ike_dpd_action_name(ch->dpd_action)));
	add(o, "close_action", str(cfg_ike_action_name(ch->close_action)));
	add(o, "df", str(cfg_sa_df_name(ch->df)));
	add(o, "dscp", ch->dscp == CFG_NONE ? str("copy") : num((uint64_t)ch->dscp));
	return o;
}

static void
conn_options_json(struct json_object *o, const struct cfg_ike *ike, const struct cfg_ike_conn *c)
{
	struct json_object *pools = json_object_new_array();

	add(o, "rekey_time", num(c->rekey_time));
	add(o, "reauth_time", num(c->reauth_time));
	add(o, "over_time", num(c->over_time));
	add(o, "dpd_delay", num(c->dpd_delay));
	add(o, "dpd_timeout", num(c->dpd_timeout));
	for (unsigned int i = 0; i < c->n_pools; i++)
		json_object_array_add(pools, str(c->pools[i] < ike->n_pools ?
						 ike->pools[c->pools[i]].name : "?"));
	add(o, "pools", pools);
	add(o, "vips", addrs_json(c->vips, c->n_vips));
	add(o, "send_certreq", json_object_new_boolean(c->send_certreq));
	add(o, "send_cert", str(cfg_ike_send_cert_name(c->send_cert)));
	add(o, "fragmentation", json_object_new_boolean(c->fragmentation));
	add(o, "mobike", json_object_new_boolean(c->mobike));
	add(o, "encap", json_object_new_boolean(c->encap));
	add(o, "keyingtries", num(c->keyingtries));
	add(o, "unique", str(cfg_ike_unique_name(c->unique)));
}

static struct json_object *
conn_json(const struct cfg_ike *ike, const struct cfg_ike_conn *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *remote, *children = json_object_new_array();

	if (c->remote_any) {
		remote = json_object_new_array();
		json_object_array_add(remote, str("%any"));
	} else {
		remote = addrs_json(c->remote_addrs, c->n_remote_addrs);
	}
	add(o, "name", str(c->name));
	add(o, "version", num(c->version));
	add(o, "local_addrs", addrs_json(c->local_addrs, c->n_local_addrs));
	add(o, "remote_addrs", remote);
	add(o, "local", end_json(&c->local, true));
	add(o, "remote", end_json(&c->remote, false));
	add(o, "proposals", strings_json(c->proposals, c->n_proposals));
	conn_options_json(o, ike, c);
	for (unsigned int i = 0; i < c->n_children; i++)
		json_object_array_add(children, child_json(&c->children[i]));
	add(o, "children", children);
	return o;
}

static void
scalars_json(struct json_object *o, const struct cfg_ike *ike)
{
	char base[JSON_DOUBLE_LEN];

	snprintf(base, sizeof(base), "%g", ike->retransmit_base);
	add(o, "listen", addrs_json(ike->listen, ike->n_listen));
	add(o, "port", num(ike->port));
	add(o, "natt_port", num(ike->natt_port));
	add(o, "half_open_max", num(ike->half_open_max));
	add(o, "half_open_per_source", num(ike->half_open_per_source));
	add(o, "cookie_threshold", num(ike->cookie_threshold));
	add(o, "retransmit_timeout_ms", num(ike->retransmit_timeout_ms));
	add(o, "retransmit_tries", num(ike->retransmit_tries));
	add(o, "retransmit_base", json_object_new_double_s(ike->retransmit_base, base));
	add(o, "fragment_size", num(ike->fragment_size));
	add(o, "window_size", num(ike->window_size));
}

struct json_object *
cfg_ike_json(const struct cfg *cfg)
{
	const struct cfg_ike *ike = &cfg->ike;
	struct json_object *o = json_object_new_object();
	struct json_object *pools = json_object_new_array();
	struct json_object *secrets = json_object_new_array();
	struct json_object *conns = json_object_new_array();

	scalars_json(o, ike);
	for (unsigned int i = 0; i < ike->n_pools; i++)
		json_object_array_add(pools, pool_json(&ike->pools[i]));
	for (unsigned int i = 0; i < ike->n_secrets; i++)
		json_object_array_add(secrets, secret_json(&ike->secrets[i]));
	for (unsigned int i = 0; i < ike->n_connections; i++)
		json_object_array_add(conns, conn_json(ike, &ike->connections[i]));
	add(o, "pools", pools);
	add(o, "secrets", secrets);
	add(o, "connections", conns);
	return o;
}
