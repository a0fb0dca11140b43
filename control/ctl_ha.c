/*
 * The HA node on hagw's control core (ctl_ha.h): its configuration, its
 * datagrams and its clock. The node's datagrams go to the peer's address
 * on each link from ours, on cfg ha.port, through the control core's UDP
 * path (dp_udp_send_sealed: AEAD-sealed, no UDP checksum over IPv4); those
 * that reach ha.port come back here from the punt ring (ctl_udp.c) and are
 * matched to a link by their addresses.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_ring.h>

#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/mem_populate.h"
#include "dataplane/dp.h"
#include "dataplane/sa.h"
#include "dataplane/vip.h"
#include "ike/ike_ha.h"
#include "ike/ike_state_ser.h"

enum {
	HA_LOG_LINE = 512,
	/* Unacknowledged stream bytes kept: a bulk sync of 100,000 CHILD SAs
	 * (~1.2 KB each with its IKE SA) must fit; the ring grows on demand. */
	HA_DEFAULT_BUFFER = 512u << 20,
};

/* ---- host operations ---- */

static int
host_send(void *arg, unsigned int link, const uint8_t *data, size_t len)
{
	struct ctl_ha *ha = arg;

	if (link >= ha->n_links || len > UINT16_MAX)
		return -EINVAL;
	return dp_udp_send_sealed(&ha->h->dp, &ha->link[link].local, &ha->link[link].peer, data,
				  (uint16_t)len);
}

/* The control core's frames queue on worker 0's TX ring (dp_ctl_tx); a
 * quarter of it stays free for ARP, ND, IKE and heartbeats. */
static unsigned int
host_send_room(void *arg, unsigned int link)
{
	struct ctl_ha *ha = arg;
	struct rte_ring *r = ha->h->dp.workers[0]->tx_ring;
	unsigned int free_n = rte_ring_free_count(r), keep = rte_ring_get_capacity(r) / 4;

	(void)link;
	return free_n > keep ? free_n - keep : 0;
}

static uint64_t
host_now_ms(void *arg)
{
	(void)arg;
	return dp_now_ms();
}

static void
host_log(void *arg, int level, const char *fmt, va_list ap)
{
	static const uint32_t map[] = {
		RTE_LOG_ERR, RTE_LOG_WARNING, RTE_LOG_NOTICE, RTE_LOG_INFO, RTE_LOG_DEBUG,
	};
	uint32_t lvl = level >= 0 && level < (int)RTE_DIM(map) ? map[level] : RTE_LOG_DEBUG;
	char line[HA_LOG_LINE];

	(void)arg;
	if (!rte_log_can_log(ctl_logtype, lvl))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	rte_log(lvl, ctl_logtype, "ha: %s\n", line);
}

/* ---- configuration ---- */

static void
udp_end(const struct cfg_prefix *p, uint16_t port, struct dp_udp_end *e)
{
	memset(e, 0, sizeof(*e));
	e->family = p->family;
	memcpy(e->addr, p->addr.bytes, p->family == AF_INET ? 4 : 16);
	e->port = port;
}

static void
link_set(struct ctl_ha *ha, unsigned int i, uint8_t port, const struct cfg_prefix *local,
	 const struct cfg_prefix *peer)
{
	ha->link[i].port = port;
	udp_end(local, ha->port, &ha->link[i].local);
	udp_end(peer, ha->port, &ha->link[i].peer);
}

static void
links_from_cfg(struct ctl_ha *ha, const struct cfg_ha *c)
{
	link_set(ha, HA_LINK_SYNC, c->sync.port, &c->sync.local, &c->sync.peer);
	for (unsigned int i = 0; i < c->n_links; i++)
		link_set(ha, i + 1, c->links[i].port, &c->links[i].local, &c->links[i].peer);
	ha->n_links = (uint8_t)(c->n_links + 1);
}

static int
conf_from_cfg(struct ctl_ha *ha, const struct cfg_ha *c, struct ha_conf *hc, char *err,
	      size_t err_len)
{
	memset(hc, 0, sizeof(*hc));
	hc->role = (struct ha_role_conf){
		.node_id = c->node_id, .priority = c->priority, .preempt = c->preempt,
		.interval_ms = c->interval_ms, .dead_count = c->dead_count,
		.n_links = ha->n_links,
	};
	hc->peer_node_id = c->peer_node_id;
	hc->sync_interval_ms = c->sync_interval_ms;
	hc->max_buffer = HA_DEFAULT_BUFFER;
	return ha_chan_load_psk(c->psk_file, hc->psk, &hc->psk_len, err, err_len);
}

static int
vips_from_cfg(struct dp *dp, const struct cfg_ha *c, char *err, size_t err_len)
{
	struct rte_ether_addr vmac;

	memcpy(vmac.addr_bytes, c->vmac, sizeof(vmac.addr_bytes));
	for (unsigned int i = 0; i < c->n_vips; i++) {
		int rc = dp_vip_add(dp, c->vips[i].port, &c->vips[i].address);

		if (rc < 0) {
			snprintf(err, err_len, "HA: virtual address %u: %s", i, strerror(-rc));
			return rc;
		}
	}
	dp_vip_set_mac(dp, &vmac);
	return 0;
}

/* Until the role is decided nothing of ours sends: static SAs (the only
 * SAs there yet) and the IKE daemon wait as a standby would. */
static void
enter_standby(struct ctl_ha *ha, struct hagw *h)
{
	uint32_t iter = 0;
	struct dp_sa *sa;

	while ((sa = dp_sad_next(h->dp.sad, &iter)) != NULL && ha->n_static < ha->n_seq) {
		ha->static_ids[ha->n_static++] = sa->id;
		ha->seq[sa->id].is_static = true;
		dp_sa_deactivate(h->dp.sad, sa->id);
	}
	if (h->ike != NULL) {
		h->ike->children.standby = true;
		ike_ha_set_passive(h->ike->ctx, true);
	}
}

static int
tables_alloc(struct ctl_ha *ha, unsigned int max_sas)
{
	ha->n_seq = max_sas;
	ha->seq = calloc(max_sas, sizeof(ha->seq[0]));
	ha->buf = malloc(HA_WIRE_REC_MAX);
	ha->sa_scratch = calloc(1, sizeof(*ha->sa_scratch));
	ha->child_scratch = calloc(1, sizeof(*ha->child_scratch));
	ha->static_ids = calloc(max_sas, sizeof(ha->static_ids[0]));
	ha->moved_words = (max_sas + DP_SA_MOVED_WORD_BITS - 1) / DP_SA_MOVED_WORD_BITS;
	ha->moved_cur = calloc(ha->moved_words, sizeof(ha->moved_cur[0]));
	ha->moved_prev = calloc(ha->moved_words, sizeof(ha->moved_prev[0]));
	if (ha->seq == NULL || ha->buf == NULL || ha->sa_scratch == NULL ||
	    ha->child_scratch == NULL || ha->static_ids == NULL || ha->moved_cur == NULL ||
	    ha->moved_prev == NULL)
		return -ENOMEM;
	/* Present now, as the SAD is: a bulk sync writes every SA's entry. */
	mem_populate(ha->seq, max_sas * sizeof(ha->seq[0]));
	return 0;
}

static void
ha_free(struct ctl_ha *ha)
{
	free(ha->seq);
	free(ha->buf);
	if (ha->sa_scratch != NULL)
		ike_sa_state_wipe(ha->sa_scratch);
	if (ha->child_scratch != NULL)
		ike_child_state_wipe(ha->child_scratch);
	free(ha->sa_scratch);
	free(ha->child_scratch);
	free(ha->static_ids);
	free(ha->moved_cur);
	free(ha->moved_prev);
	free(ha->bulk_ids);
	free(ha->bulk_child_ids);
	free(ha->bulk_tx.ids);
	free(ha);
}

static void
ops_fill(struct ctl_ha *ha, struct ha_host_ops *ops)
{
	*ops = (struct ha_host_ops){
		.send = host_send,
		.send_room = host_send_room,
		.now_ms = host_now_ms,
		.role_change = ctl_ha_role_change,
		.yielding = ctl_ha_yielding,
		.bulk_request = ctl_ha_bulk_request,
		.record = ctl_ha_record,
		.sync_tick = ctl_ha_sync_tick,
		.log = host_log,
		.arg = ha,
	};
}

static void
params_from_cfg(struct ctl_ha *ha, const struct cfg_ha *c)
{
	ha->port = c->port;
	ha->node_bit = c->node_id & 1;
	ha->detect_ms = (uint64_t)c->interval_ms * c->dead_count;
	ha->sync_interval_ms = c->sync_interval_ms;
	ha->margin_floor = c->margin_floor;
	ha->margin_safety = c->margin_safety;
	ha->rekey_spread_s = c->rekey_after_takeover ? c->rekey_spread_s : 0;
}

int
ctl_ha_start(struct hagw *h, char *err, size_t err_len)
{
	const struct cfg_ha *c = &h->cfg.ha;
	struct ha_host_ops ops;
	struct ha_conf hc;
	struct ctl_ha *ha;
	int rc;

	h->ha = NULL;
	if (!c->enabled)
		return 0;
	ha = calloc(1, sizeof(*ha));
	if (ha == NULL || tables_alloc(ha, h->cfg.ipsec.max_sas) < 0) {
		snprintf(err, err_len, "HA: out of memory");
		if (ha != NULL)
			ha_free(ha);
		return -ENOMEM;
	}
	ha->h = h;
	params_from_cfg(ha, c);
	links_from_cfg(ha, c);
	rc = conf_from_cfg(ha, c, &hc, err, err_len);
	if (rc == 0)
		rc = vips_from_cfg(&h->dp, c, err, err_len);
	ops_fill(ha, &ops);
	if (rc == 0) {
		rc = ha_node_init(&ha->node, &hc, &ops);
		if (rc < 0)
			snprintf(err, err_len, "HA: %s", strerror(-rc));
	}
	explicit_bzero(&hc, sizeof(hc));
	if (rc < 0) {
		ha_free(ha);
		return rc;
	}
	if (ctl_udp_register(&h->udp, ha->port, ctl_ha_input, ha) < 0) {
		snprintf(err, err_len, "HA: UDP port %u already in use", ha->port);
		ha_node_fini(&ha->node);
		ha_free(ha);
		return -EADDRINUSE;
	}
	enter_standby(ha, h);
	h->ha = ha;
	if (h->ike != NULL)
		ctl_ike_set_state_hook(h->ike, ctl_ha_ike_event, ha);
	CTL_LOG(NOTICE, "HA node %u (peer %u), priority %u, %u links, UDP port %u", c->node_id,
		c->peer_node_id, c->priority, ha->n_links, ha->port);
	return 0;
}

void
ctl_ha_stop(struct hagw *h)
{
	struct ctl_ha *ha = h->ha;

	if (ha == NULL)
		return;
	if (h->ike != NULL)
		ctl_ike_set_state_hook(h->ike, NULL, NULL);
	ctl_udp_unregister(&h->udp, ha);
	dp_vip_release(&h->dp);
	ha_node_fini(&ha->node);
	ha_free(ha);
	h->ha = NULL;
}

unsigned int
ctl_ha_poll(struct ctl_ha *ha, uint64_t now_ms)
{
	uint64_t t0;

	if (ha == NULL)
		return 0;
	ctl_ha_announce_poll(ha, now_ms);
	if (ha->bulk_tx.active) {
		t0 = rte_rdtsc();
		if (ctl_ha_bulk_step(ha))
			ha->next_ms = now_ms;		/* flush what it wrote */
		ha->cycles += rte_rdtsc() - t0;
	}
	if (now_ms < ha->next_ms)
		return 0;
	t0 = rte_rdtsc();
	ha->next_ms = ha_tick(&ha->node);
	ha->cycles += rte_rdtsc() - t0;
	return 1;
}

static bool
end_equal(const struct dp_udp_end *a, const struct dp_udp_end *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* The link a datagram came over: its port and both addresses must match. */
static int
link_of(const struct ctl_ha *ha, const struct dp_udp_dgram *d)
{
	for (unsigned int i = 0; i < ha->n_links; i++) {
		const struct ctl_ha_link *l = &ha->link[i];

		if (l->port == d->in_port && end_equal(&l->local, &d->dst) &&
		    end_equal(&l->peer, &d->src))
			return (int)i;
	}
	return -1;
}

void
ctl_ha_input(void *arg, const struct dp_udp_dgram *d)
{
	struct ctl_ha *ha = arg;
	uint8_t buf[HA_WIRE_DGRAM_MAX];
	int link = link_of(ha, d);
	uint64_t t0, due;

	if (link < 0) {
		ha->rx_unknown_link++;
		return;
	}
	if (d->len > sizeof(buf)) {
		ha->rx_bad++;
		return;
	}
	memcpy(buf, d->payload, d->len);	/* opened in place */
	t0 = rte_rdtsc();
	due = ha_input(&ha->node, (unsigned int)link, buf, d->len);
	ha->cycles += rte_rdtsc() - t0;
	if (due < ha->next_ms)
		ha->next_ms = due;	/* an answer due now goes on this pass */
}
