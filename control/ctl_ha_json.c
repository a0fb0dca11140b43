/*
 * show ha (ctl_ha.h): the operator's view of the HA node: role and why,
 * the peer as its heartbeats describe it, each link, the sync stream
 * (records and bytes sent, acknowledged, retransmitted; the lag is what
 * is not acknowledged yet), what this appliance holds, the last takeover
 * and the cycles spent in HA code. Never keys.
 */
#include <arpa/inet.h>

#include <rte_cycles.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/ctl_json.h"
#include "control/hagw.h"
#include "dataplane/sa.h"
#include "ike/ike_ctx.h"
#include "ike/ike_ha.h"

static const char *const chan_drop_names[HA_CHAN_DROP_MAX] = {
	[HA_CHAN_DROP_MALFORMED] = "malformed",
	[HA_CHAN_DROP_FOREIGN] = "foreign",
	[HA_CHAN_DROP_VERSION] = "version",
	[HA_CHAN_DROP_AUTH] = "auth",
	[HA_CHAN_DROP_REPLAY] = "replay",
	[HA_CHAN_DROP_NO_SESSION] = "no_session",
};

static struct json_object *
addr_json(const struct dp_udp_end *e)
{
	char s[INET6_ADDRSTRLEN] = "?";

	inet_ntop(e->family, e->addr, s, sizeof(s));
	return STR(s);
}

static uint64_t
ago(uint64_t now, uint64_t then)
{
	return then == 0 || then > now ? 0 : now - then;
}

static struct json_object *
links_json(const struct ctl_ha *ha, uint64_t now)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < ha->n_links; i++) {
		const struct ha_link_state *l = &ha->node.role.link[i];
		struct json_object *o = json_object_new_object();

		ADD(o, "link", STR(i == HA_LINK_SYNC ? "sync" : "data"));
		ADD(o, "port", STR(ha->h->dp.iface[ha->link[i].port].name));
		ADD(o, "local", addr_json(&ha->link[i].local));
		ADD(o, "peer", addr_json(&ha->link[i].peer));
		ADD(o, "up", BOOL(l->up));
		ADD(o, "last_heard_ms_ago", l->last_heard_ms == 0 ? NULL :
		    U64(ago(now, l->last_heard_ms)));
		ADD(o, "heard", U64(l->heard));
		ADD(o, "rtt_ms", U64(l->rtt_ms));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *
peer_json(const struct ha_node *n)
{
	const struct ha_peer_view *p = &n->role.peer;
	struct json_object *o = json_object_new_object();

	ADD(o, "node_id", U64(n->conf.peer_node_id));
	ADD(o, "alive", BOOL(n->role.peer_alive));
	ADD(o, "role", p->known ? STR(ha_role_name((enum ha_role)p->role)) : NULL);
	ADD(o, "priority", p->known ? U64(p->priority) : NULL);
	ADD(o, "epoch", p->known ? U64(p->epoch) : NULL);
	ADD(o, "in_sync", BOOL(p->known && (p->flags & HA_HB_F_IN_SYNC)));
	ADD(o, "session_up", BOOL(ha_chan_up(&n->chan)));
	ADD(o, "sessions", U64(n->chan.sessions));
	ADD(o, "caps", U64(n->peer_caps));
	return o;
}

static struct json_object *
drops_json(const struct ha_chan *c, const struct ctl_ha *ha)
{
	struct json_object *o = json_object_new_object();

	for (unsigned int i = 0; i < HA_CHAN_DROP_MAX; i++)
		ADD(o, chan_drop_names[i], U64(c->drops[i]));
	ADD(o, "unknown_link", U64(ha->rx_unknown_link));
	ADD(o, "too_long", U64(ha->rx_bad));
	return o;
}

static struct json_object *
sync_json(const struct ctl_ha *ha)
{
	const struct ha_stream_stats *s = &ha->node.stream.stats;
	const struct ha_stats *n = &ha->node.stats;
	struct json_object *o = json_object_new_object();

	ADD(o, "records_sent", U64(s->records_sent));
	ADD(o, "bytes_sent", U64(s->bytes_sent));
	ADD(o, "bytes_acked", U64(s->bytes_acked));
	ADD(o, "bytes_retransmitted", U64(s->bytes_retransmitted));
	ADD(o, "retransmits", U64(s->retransmits));
	ADD(o, "fast_retransmits", U64(s->fast_retransmits));
	ADD(o, "ack_time_ms", ha->node.stream.rtt_known ? U64(ha->node.stream.srtt_ms) : NULL);
	ADD(o, "ack_time_var_ms", ha->node.stream.rtt_known ?
	    U64(ha->node.stream.rttvar_ms) : NULL);
	ADD(o, "lag_bytes", U64(ha_stream_unacked(&ha->node.stream)));
	ADD(o, "records_received", U64(s->records_received));
	ADD(o, "records_applied", U64(ha->records_applied));
	ADD(o, "records_failed", U64(ha->records_failed));
	ADD(o, "seq_entries_sent", U64(ha->seq_entries_sent));
	ADD(o, "seq_entries_applied", U64(ha->seq_entries_applied));
	ADD(o, "bulk_syncs_sent", U64(n->bulk_syncs_sent));
	ADD(o, "bulk_syncs_received", U64(n->bulk_syncs_received));
	ADD(o, "events_not_synced", U64(ha->events_dropped));
	ADD(o, "datagrams_sent", U64(n->dgrams_sent));
	ADD(o, "datagrams_received", U64(n->dgrams_received));
	ADD(o, "heartbeats_sent", U64(n->heartbeats_sent));
	ADD(o, "heartbeats_received", U64(n->heartbeats_received));
	ADD(o, "send_errors", U64(n->send_errors));
	ADD(o, "records_unsupported", U64(n->records_unsupported));
	ADD(o, "stalls", U64(n->stalls));
	ADD(o, "stall_max_ms", U64(n->stall_max_ms));
	ADD(o, "dropped", drops_json(&ha->node.chan, ha));
	return o;
}

static struct json_object *
held_json(const struct ctl_ha *ha)
{
	struct json_object *o = json_object_new_object();
	const struct ctl_ike *ike = ha->h->ike;

	ADD(o, "sas", U64(dp_sad_count(ha->h->dp.sad)));
	ADD(o, "sas_active", U64(dp_sad_count_active(ha->h->dp.sad)));
	ADD(o, "ike_sas", U64(ike != NULL ? ike_sa_count(ike->ctx) : 0));
	ADD(o, "child_sas", ike != NULL ? U64(ctl_ike_children_count(&ike->children)) : U64(0));
	return o;
}

static struct json_object *
ike_ha_json(const struct ctl_ha *ha)
{
	const struct ike_ha_stats *s;
	struct json_object *o;

	if (ha->h->ike == NULL)
		return NULL;
	s = ike_ha_get_stats(ha->h->ike->ctx);
	o = json_object_new_object();
	ADD(o, "passive", BOOL(ike_ha_is_passive(ha->h->ike->ctx)));
	ADD(o, "imported", U64(s->imported));
	ADD(o, "forgotten", U64(s->forgotten));
	ADD(o, "passive_drops", U64(s->passive_drops));
	ADD(o, "takeovers", U64(s->takeovers));
	ADD(o, "msgid_syncs_sent", U64(s->msgid_syncs_sent));
	ADD(o, "msgid_syncs_pending", U64(s->msgid_syncs_pending));
	ADD(o, "msgid_syncs_ok", U64(s->msgid_syncs_ok));
	ADD(o, "msgid_syncs_answered", U64(s->msgid_syncs_answered));
	ADD(o, "msgid_syncs_dropped", U64(s->msgid_syncs_dropped));
	ADD(o, "takeover_rekeys_scheduled", U64(s->takeover_rekeys_scheduled));
	return o;
}

static struct json_object *
takeover_json(const struct ctl_ha *ha, uint64_t now)
{
	const struct ctl_ha_takeover_info *t = &ha->takeover;
	struct json_object *o;

	if (t->at_ms == 0)
		return NULL;
	o = json_object_new_object();
	ADD(o, "ms_ago", U64(ago(now, t->at_ms)));
	ADD(o, "reason", STR(ha_reason_name((enum ha_reason)t->reason)));
	ADD(o, "duration_us", U64(t->duration_us));
	ADD(o, "sas_activated", U64(t->sas));
	ADD(o, "largest_margin", U64(t->max_margin));
	ADD(o, "ike_sas", U64(t->ike_sas));
	return o;
}

/* The standby's last bulk sync, null before one has ended. */
static struct json_object *
bulk_rx_json(const struct ctl_ha *ha, uint64_t now)
{
	const struct ctl_ha_bulk_rx_info *b = &ha->bulk_rx;
	struct json_object *o;

	if (b->end_ms == 0)
		return NULL;
	o = json_object_new_object();
	ADD(o, "ms_ago", U64(ago(now, b->end_ms)));
	ADD(o, "ike_sas", U64(b->ike_sas));
	ADD(o, "child_sas", U64(b->child_sas));
	ADD(o, "duration_ms", U64(b->end_ms - b->begin_ms));
	ADD(o, "from_session_ms", U64(b->end_ms - b->session_ms));
	return o;
}

struct json_object *
ctl_ha_json(const struct ctl_ha *ha)
{
	const struct ha_node *n = &ha->node;
	struct json_object *o = json_object_new_object();
	uint64_t now = dp_now_ms();

	ADD(o, "node_id", U64(n->conf.role.node_id));
	ADD(o, "role", STR(ha_role_name(n->role.role)));
	ADD(o, "reason", STR(ha_reason_name(n->role.reason)));
	ADD(o, "role_since_ms_ago", U64(ago(now, n->role.role_since_ms)));
	ADD(o, "epoch", U64(n->role.epoch));
	ADD(o, "priority", U64(n->conf.role.priority));
	ADD(o, "preempt", BOOL(n->conf.role.preempt));
	ADD(o, "in_sync", BOOL(n->in_sync));
	ADD(o, "detection_ms", U64(ha->detect_ms));
	ADD(o, "sync_interval_ms", U64(ha->sync_interval_ms));
	ADD(o, "peer", peer_json(n));
	ADD(o, "links", links_json(ha, now));
	ADD(o, "sync", sync_json(ha));
	ADD(o, "held", held_json(ha));
	ADD(o, "last_bulk_received", bulk_rx_json(ha, now));
	ADD(o, "last_takeover", takeover_json(ha, now));
	ADD(o, "ike", ike_ha_json(ha));
	ADD(o, "takeovers", U64(n->stats.takeovers));
	ADD(o, "cycles", U64(ha->cycles));
	ADD(o, "tsc_hz", U64(rte_get_tsc_hz()));
	return o;
}
