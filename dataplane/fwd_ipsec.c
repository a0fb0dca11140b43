/*
 * The IPsec stages of the worker's forwarding path (RFC 4301 §5.1 and
 * §5.2, RFC 4303 §3.4, RFC 3948 §2-§3):
 *   - untrusted ports: what is addressed to us is classified: ESP
 *     (protocol 50), ESP-in-UDP on ike.natt_port (dp->natt_port, 4500 by
 *     default), NAT keepalives (dropped and counted), IKE (non-ESP marker
 *     on natt_port, or any other UDP port, ike.port included: punted);
 *   - inbound ESP of a burst: SPIs looked up in bulk; a packet for an SA
 *     another worker owns is handed to that worker's ring before any check
 *     (sa.h: one writer per replay window); the owner decrypts, and the
 *     inner packets go back to routing (forward.c);
 *   - clear text forwarded from an untrusted port is judged by the policy
 *     of its reply (RFC 4301 §5.2, dp_spd_lookup_in): PROTECT (it should
 *     have come through ESP) and DISCARD drop it;
 *   - packets toward the unprotected side (RFC 4301 §5.1): everything
 *     forwarded from a trusted port, and what comes out of an ESP tunnel
 *     or in clear from an untrusted port when it leaves through an
 *     untrusted port (dp_fwd_spd_out_applies): outbound SPD lookup in
 *     bulk; PROTECT encapsulates with the policy's SA and forwards the
 *     outer packet toward the SA's peer (a client's packet to another
 *     client is encrypted again for that client), BYPASS forwards,
 *     DISCARD drops.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_memcpy.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/esp.h"
#include "dataplane/flow.h"
#include "dataplane/fwd.h"
#include "dataplane/neigh.h"

enum {
	UDP_HDR_LEN = 8,		/* RFC 768 */
	NATT_KEEPALIVE_LEN = 1,		/* RFC 3948 §2.3 */
	NATT_KEEPALIVE = 0xff,
	NON_ESP_MARKER_LEN = 4,		/* RFC 3948 §2.2: four zero bytes */
	ADDR4_LEN = 4,
	ADDR6_LEN = 16,
};

static uint32_t
get_be32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static enum dp_fwd_verdict
consume_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	     enum dp_drop_reason reason)
{
	dp_worker_drop(w, m, in_port, reason);
	return DP_FWD_DONE;
}

/* RFC 3948 §2-3: what a UDP datagram to natt_port carries. The ESP
 * transform takes the IP length as the end of ESP, so the UDP length
 * must agree with it. */
static enum dp_fwd_verdict
natt_classify(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	      const struct dp_pkt_info *info, uint32_t ip_payload)
{
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off);
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)l4;
	uint32_t ulen = rte_be_to_cpu_16(u->dgram_len);
	const uint8_t *data = l4 + UDP_HDR_LEN;
	uint32_t len;

	if (ulen < UDP_HDR_LEN || ulen != ip_payload)
		return consume_drop(w, m, in_port, DP_DROP_MALFORMED);
	len = ulen - UDP_HDR_LEN;
	if (len == NATT_KEEPALIVE_LEN && data[0] == NATT_KEEPALIVE)
		return consume_drop(w, m, in_port, DP_DROP_NATT_KEEPALIVE);
	if (len >= NON_ESP_MARKER_LEN && get_be32(data) == 0)
		return DP_FWD_ROUTED;	/* IKE: the local path punts it */
	if (len < DP_ESP_HDR_LEN)
		return consume_drop(w, m, in_port, DP_DROP_ESP_MALFORMED);
	dp_meta(m)->esp_off = (uint16_t)(info->l4_off + UDP_HDR_LEN);
	return DP_FWD_ESP_IN;
}

enum dp_fwd_verdict
dp_fwd_esp_classify(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
		    const struct dp_pkt_info *info)
{
	uint32_t end = (uint32_t)info->l3_off + info->l3_len;
	uint32_t ip_payload;

	if (info->l4_proto != IPPROTO_ESP && info->l4_proto != IPPROTO_UDP)
		return DP_FWD_ROUTED;
	if (info->fragment) {
		/* RFC 4303 §3.4.1 wants reassembly first; not implemented. */
		if (info->l4_proto == IPPROTO_ESP)
			return consume_drop(w, m, in_port, DP_DROP_LOCAL_UNSUPPORTED);
		return DP_FWD_ROUTED;
	}
	if (unlikely(info->l4_off < info->l3_off || info->l4_off > end))
		return consume_drop(w, m, in_port, DP_DROP_MALFORMED);
	ip_payload = end - info->l4_off;
	if (info->l4_proto == IPPROTO_UDP) {
		const struct rte_udp_hdr *u =
			rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, info->l4_off);

		if (u->dst_port != rte_cpu_to_be_16(w->dp->natt_port))
			return DP_FWD_ROUTED;	/* incl. IKE on ike.port */
		return natt_classify(w, m, in_port, info, ip_payload);
	}
	if (ip_payload < DP_ESP_HDR_LEN)
		return consume_drop(w, m, in_port, DP_DROP_ESP_MALFORMED);
	dp_meta(m)->esp_off = info->l4_off;
	return DP_FWD_ESP_IN;
}

/* To the owner's ring (multi-producer: any worker may hand off). */
static void
handoff(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, uint16_t owner)
{
	if (unlikely(rte_ring_mp_enqueue(w->dp->workers[owner]->handoff_ring, m) != 0))
		dp_worker_drop(w, m, in_port, DP_DROP_ESP_HANDOFF_FULL);
}

void
dp_fwd_esp_in(struct dp_worker *w, uint8_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t spi[DP_MAX_BURST];
	struct dp_sa *sas[DP_MAX_BURST];
	uint16_t k = 0;

	if (unlikely(n == 0))
		return;
	for (uint16_t i = 0; i < n; i++)
		spi[i] = get_be32(rte_pktmbuf_mtod_offset(pkts[i], const uint8_t *,
							  dp_meta(pkts[i])->esp_off));
	dp_sad_lookup_spi_bulk(w->dp->sad, spi, n, sas);
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(sas[i] == NULL)) {
			dp_worker_drop(w, pkts[i], in_port, DP_DROP_ESP_UNKNOWN_SPI);
		} else if (sas[i]->owner != w->index) {
			handoff(w, pkts[i], in_port, sas[i]->owner);
		} else {
			pkts[k] = pkts[i];
			sas[k++] = sas[i];
		}
	}
	if (k == 0)
		return;
	k = dp_esp_inbound(w, in_port, pkts, sas, k);
	dp_fwd_inner(w, in_port, pkts, k);
}

/* Packets in the ring may come from several ports: runs of one port. The
 * SA is looked up again: the sender's pointer may be stale by now. */
void
dp_handoff_input(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t j;

	for (uint16_t i = 0; i < n; i = j) {
		uint8_t port = dp_meta(pkts[i])->in_port;

		for (j = i + 1; j < n && dp_meta(pkts[j])->in_port == port; j++)
			;
		dp_fwd_esp_in(w, port, pkts + i, j - i);
	}
}

/* The outer next hop of path's peer and the egress MTU into *r (r->path
 * set on success only). */
static int
outer_route(const struct dp *dp, const struct dp_sa_path *path, struct dp_outer_memo *r)
{
	const struct cfg_prefix *peer = &path->remote;
	bool v4 = peer->family == AF_INET;
	const struct dp_nexthop *nh = v4 ? dp_route_lookup4(dp->routes, peer->addr.v4) :
					   dp_route_lookup6(dp->routes, peer->addr.v6);

	if (unlikely(nh == NULL || nh->kind == DP_NH_LOCAL))
		return -EHOSTUNREACH;
	r->out_port = nh->port;
	r->family = peer->family;
	r->mtu = dp->iface[nh->port].mtu;
	memset(r->nexthop, 0, sizeof(r->nexthop));
	memcpy(r->nexthop, nh->kind == DP_NH_GATEWAY ? nh->gw : peer->addr.bytes,
	       v4 ? ADDR4_LEN : ADDR6_LEN);
	r->path = path;
	return 0;
}

static void
outer_meta(struct rte_mbuf *m, const struct dp_outer_memo *r)
{
	struct dp_mbuf_meta *meta = dp_meta(m);

	meta->out_port = r->out_port;
	meta->family = r->family;
	meta->mtu = r->mtu;
	memcpy(meta->nexthop, r->nexthop, sizeof(meta->nexthop));
}

/* The path dp_esp_outbound loads next may be a newer one (sa.h,
 * dp_sa_update): the packet then carries the new peer address to the old
 * one's next hop, checked against that port's MTU, once. The family
 * cannot change, so family and next hop stay consistent. */
int
dp_fwd_outer_route(const struct dp *dp, struct rte_mbuf *m, const struct dp_sa *sa)
{
	struct dp_outer_memo r;

	if (outer_route(dp, dp_sa_path_get(sa), &r) < 0)
		return -EHOSTUNREACH;
	outer_meta(m, &r);
	return 0;
}

/* Where the packets of one SA path go, worked out once per path and
 * dp_fwd_spd_out call (a burst mostly has one SA): the outer route and
 * MTU, and, when the neighbour table knows the next hop, the whole
 * Ethernet header the outer packets leave with (the port's source MAC
 * loaded once, like the L2 check's). The path cannot be freed and reused
 * before the worker's next quiescent state, i.e. within the burst. */
struct outer_hop {
	struct dp_outer_memo r;
	bool eth_ok;			/* eth is valid; else dp_fwd_neigh_tx (resolve) */
	struct rte_ether_hdr eth;
};

/* The neighbour's MAC for r: the worker's memo, else the table (and the
 * memo then holds it). False if the next hop is not resolved. */
static bool
outer_mac(struct dp_worker *w, const struct dp_outer_memo *r, struct rte_ether_addr *mac)
{
	struct dp_neigh_memo *memo = &w->neigh_memo;
	struct dp_neigh_key key = { .port = r->out_port, .family = r->family };

	memcpy(key.addr, r->nexthop, sizeof(key.addr));
	if (memo->valid && memcmp(&memo->key, &key, sizeof(key)) == 0) {
		*mac = memo->mac;
		return true;
	}
	if (!dp_neigh_lookup(w->dp->neigh, &key, mac))
		return false;
	memo->key = key;
	memo->mac = *mac;
	memo->valid = true;
	return true;
}

static int
outer_hop_make(struct dp_worker *w, const struct dp_sa_path *path, struct outer_hop *h)
{
	const struct dp *dp = w->dp;

	if (outer_route(dp, path, &h->r) < 0)
		return -EHOSTUNREACH;
	h->eth_ok = outer_mac(w, &h->r, &h->eth.dst_addr);
	rte_ether_addr_copy(dp_iface_src_mac(&dp->iface[h->r.out_port]), &h->eth.src_addr);
	h->eth.ether_type = rte_cpu_to_be_16(h->r.family == AF_INET ? RTE_ETHER_TYPE_IPV4 :
					     RTE_ETHER_TYPE_IPV6);
	return 0;
}

/* The policy stages' state for one burst. */
struct spd_burst {
	struct dp_flow flow[DP_MAX_BURST];
	struct dp_policy_result res[DP_MAX_BURST];
	bool ok[DP_MAX_BURST];			/* flow read: res valid */
	struct rte_mbuf *m[DP_MAX_BURST];	/* to encapsulate */
	struct rte_mbuf *sent[DP_MAX_BURST];	/* the same, for dp_esp_outbound */
	struct dp_sa *sa[DP_MAX_BURST];
	uint8_t hop_of[DP_MAX_BURST];		/* m[i]'s outer hop */
	uint16_t n;
	uint16_t n_hops;
	uint32_t last_sa_id;			/* protect_one: the SA of this id */
	struct dp_sa *last_sa;
	struct outer_hop hop[DP_MAX_BURST];	/* one per path, in order of use */
};

/* The selector fields of each packet, then the outbound SPD in bulk; a
 * packet they cannot be read from is dropped. With an empty SPD every
 * answer is the default action: no flow is read. */
static void
policy_lookup(struct dp_worker *w, uint8_t in_port, const struct dp_fwd_pkt *pkts, uint16_t n,
	      struct spd_burst *o)
{
	const struct dp_spd *spd = w->dp->spd;
	const struct dp_flow *fp[DP_MAX_BURST];
	struct dp_policy_result res[DP_MAX_BURST];
	uint16_t idx[DP_MAX_BURST];
	uint16_t cnt = 0;

	if (dp_spd_empty(spd)) {
		for (uint16_t i = 0; i < n; i++) {
			o->ok[i] = true;
			o->res[i] = (struct dp_policy_result){
				.action = dp_spd_default_action(spd),
				.policy_id = UINT32_MAX,
			};
		}
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct dp_fwd_pkt *p = &pkts[i];

		if (p->flow != NULL) {
			o->ok[i] = true;
			fp[cnt] = p->flow;
			idx[cnt++] = i;
			continue;
		}
		o->ok[i] = dp_flow_from_parsed(rte_pktmbuf_mtod(p->m, const uint8_t *), &p->info,
					       &o->flow[i]) == 0;
		if (unlikely(!o->ok[i])) {
			dp_worker_drop(w, p->m, in_port, DP_DROP_MALFORMED);
			continue;
		}
		fp[cnt] = &o->flow[i];
		idx[cnt++] = i;
	}
	if (likely(cnt == n)) {		/* every flow read: answers in place */
		dp_spd_lookup_out(spd, fp, n, o->res);
		return;
	}
	dp_spd_lookup_out(spd, fp, cnt, res);
	for (uint16_t i = 0; i < cnt; i++)
		o->res[idx[i]] = res[i];
}

/* RFC 4301 §5.2 step 3b (dp_spd_lookup_in_bulk): clear text is judged by
 * the policy that covers its reply, for the whole burst at once; with an
 * empty SPD by the default action alone. ACT[i] is the answer for
 * PKTS[i]; a packet whose flow cannot be read is dropped (malformed) and
 * gets DP_POLICY_DISCARD with *DROPPED set. */
static void
clear_text_lookup(struct dp_worker *w, uint8_t in_port, const struct dp_fwd_pkt *pkts,
		  uint16_t n, enum dp_policy_action *act, bool *dropped)
{
	const struct dp_spd *spd = w->dp->spd;
	struct dp_flow flow[DP_MAX_BURST];
	const struct dp_flow *fp[DP_MAX_BURST];
	enum dp_policy_action res[DP_MAX_BURST];
	uint16_t idx[DP_MAX_BURST];
	uint16_t cnt = 0;

	for (uint16_t i = 0; i < n; i++) {
		act[i] = dp_spd_default_action(spd);
		dropped[i] = false;
	}
	if (dp_spd_empty(spd))
		return;
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(dp_flow_from_parsed(rte_pktmbuf_mtod(pkts[i].m, const uint8_t *),
						 &pkts[i].info, &flow[cnt]) < 0)) {
			dp_worker_drop(w, pkts[i].m, in_port, DP_DROP_MALFORMED);
			dropped[i] = true;
			continue;
		}
		fp[cnt] = &flow[cnt];
		idx[cnt++] = i;
	}
	dp_spd_lookup_in_bulk(spd, fp, cnt, res);
	for (uint16_t i = 0; i < cnt; i++)
		act[idx[i]] = res[i];
}

/* Only BYPASS passes: PROTECT traffic should have come through ESP
 * (spd_unprotected), DISCARD is discarded both ways. */
static bool
clear_text_allowed(struct dp_worker *w, uint8_t in_port, struct rte_mbuf *m,
		   enum dp_policy_action act)
{
	switch (act) {
	case DP_POLICY_BYPASS:
		return true;
	case DP_POLICY_PROTECT:
		dp_worker_drop(w, m, in_port, DP_DROP_SPD_UNPROTECTED);
		return false;
	default:
		dp_worker_drop(w, m, in_port, DP_DROP_SPD_DISCARD);
		return false;
	}
}

/* What passes continues like anything else from the unprotected side:
 * toward the protected side it is forwarded; toward the unprotected
 * side (or without a route) the outbound SPD decides, in bulk. */
void
dp_fwd_spd_in_clear(struct dp_worker *w, uint8_t in_port, struct dp_fwd_pkt *pkts, uint16_t n)
{
	enum dp_policy_action act[DP_MAX_BURST];
	bool dropped[DP_MAX_BURST];
	uint16_t k = 0;

	clear_text_lookup(w, in_port, pkts, n, act, dropped);
	for (uint16_t i = 0; i < n; i++) {
		if (dropped[i] || !clear_text_allowed(w, in_port, pkts[i].m, act[i]))
			continue;
		if (dp_fwd_spd_out_applies(w->dp, pkts[i].nh))
			pkts[k++] = pkts[i];	/* k <= i: compacted in place */
		else
			dp_fwd_finish(w, pkts[i].m, in_port, &pkts[i].info, pkts[i].nh);
	}
	if (k != 0)
		dp_fwd_spd_out(w, in_port, pkts, k);
}

/* The outer hop of sa's current path, made the burst's last (hop[n_hops - 1]):
 * the last one again, or a new one. */
static int
hop_of(struct dp_worker *w, struct spd_burst *o, const struct dp_sa *sa)
{
	const struct dp_sa_path *path = dp_sa_path_get(sa);

	if (likely(o->n_hops != 0 && o->hop[o->n_hops - 1].r.path == path))
		return 0;
	if (outer_hop_make(w, path, &o->hop[o->n_hops]) < 0)
		return -EHOSTUNREACH;
	o->n_hops++;
	return 0;
}

/* An encapsulated packet to its outer next hop: the hop's Ethernet header,
 * or through the neighbour table (which punts it to be resolved). */
static __rte_always_inline void
hop_tx(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port, const struct outer_hop *h)
{
	if (unlikely(!h->eth_ok)) {
		outer_meta(m, &h->r);
		return dp_fwd_neigh_tx(w, m, in_port);
	}
	rte_memcpy(rte_pktmbuf_mtod(m, void *), &h->eth, sizeof(h->eth));
	w->counters.port[in_port].forwarded++;
	dp_worker_tx(w, h->r.out_port, m);
}

/* PROTECT: checks before the packet is changed (so an ICMP error quotes
 * it as received), outer route, inner TTL; queued for dp_esp_outbound.
 * The SA of the previous PROTECT packet is reused for the same id. */
static void
protect_one(struct dp_worker *w, uint8_t in_port, const struct dp_fwd_pkt *p, uint32_t sa_id,
	    struct spd_burst *o)
{
	struct rte_mbuf *m = p->m;
	struct dp_sa *sa;

	if (o->last_sa_id != sa_id) {
		o->last_sa = dp_sad_get(w->dp->sad, sa_id);
		o->last_sa_id = sa_id;
	}
	sa = o->last_sa;

	if (unlikely(sa == NULL || sa->p.dir != DP_SA_OUTBOUND))
		return dp_worker_drop(w, m, in_port, DP_DROP_ESP_NO_SA);
	if (unlikely(dp_fwd_ttl_expired(m, &p->info)))
		return dp_worker_punt(w, m, in_port, DP_PUNT_TTL_EXCEEDED);
	if (unlikely(hop_of(w, o, sa) < 0))
		return dp_worker_punt(w, m, in_port, DP_PUNT_NO_ROUTE);
	dp_meta(m)->mtu = o->hop[o->n_hops - 1].r.mtu;
	dp_fwd_ttl_dec(m, &p->info);
	o->hop_of[o->n] = (uint8_t)(o->n_hops - 1);
	o->m[o->n] = m;
	o->sent[o->n] = m;	/* not copied later: a wide copy of o->m would stall */
	o->sa[o->n++] = sa;
}

/* The SA every policy answer of the burst protects with, when they are all
 * PROTECT with one SA (a burst of one client's traffic), it is an
 * outbound SA whose outer hop is resolved and the ESP lane fits it: its
 * hop is then o->hop[0]. NULL otherwise (protect_one decides). */
static struct dp_sa *
one_sa_of(struct dp_worker *w, uint16_t n, struct spd_burst *o)
{
	struct dp_sa *sa;
	uint32_t id;

	if (n == 0 || n > DP_ESP_MAX_BURST)
		return NULL;
	id = o->res[0].sa_id;
	for (uint16_t i = 0; i < n; i++)
		if (!o->ok[i] || o->res[i].action != DP_POLICY_PROTECT || o->res[i].sa_id != id)
			return NULL;
	sa = dp_sad_get(w->dp->sad, id);
	if (sa == NULL || sa->p.dir != DP_SA_OUTBOUND || hop_of(w, o, sa) < 0)
		return NULL;
	if (!o->hop[0].eth_ok || !dp_esp_lane_fits(sa, o->hop[0].r.path))
		return NULL;
	return sa;
}

/* PROTECT of a burst of one SA (one_sa_of): protect_one's checks and TTL
 * per packet, then the ESP lane writes the hop's Ethernet header, and the
 * burst is queued on the hop's port. */
static void
protect_burst(struct dp_worker *w, uint8_t in_port, const struct dp_fwd_pkt *pkts, uint16_t n,
	      struct dp_sa *sa, struct spd_burst *o)
{
	const struct outer_hop *h = &o->hop[0];
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i].m;

		if (unlikely(dp_fwd_ttl_expired(m, &pkts[i].info))) {
			dp_worker_punt(w, m, in_port, DP_PUNT_TTL_EXCEEDED);
			continue;
		}
		dp_meta(m)->mtu = h->r.mtu;
		dp_fwd_ttl_dec(m, &pkts[i].info);
		o->sent[k++] = m;
	}
	k = dp_esp_outbound_lane(w, in_port, o->sent, sa, h->r.path, &h->eth, k);
	w->counters.port[in_port].forwarded += k;
	dp_worker_tx_burst(w, h->r.out_port, o->sent, k);
}

void
dp_fwd_spd_out(struct dp_worker *w, uint8_t in_port, struct dp_fwd_pkt *pkts, uint16_t n)
{
	struct spd_burst o;
	struct dp_sa *one;
	uint16_t k;

	policy_lookup(w, in_port, pkts, n, &o);
	o.n_hops = 0;
	one = one_sa_of(w, n, &o);
	if (one != NULL)
		return protect_burst(w, in_port, pkts, n, one, &o);
	o.n = 0;
	o.n_hops = 0;		/* again: one_sa_of may have made one */
	o.last_sa_id = UINT32_MAX;
	o.last_sa = NULL;
	for (uint16_t i = 0; i < n; i++) {
		if (!o.ok[i])
			continue;
		if (o.res[i].action == DP_POLICY_BYPASS)
			dp_fwd_finish(w, pkts[i].m, in_port, &pkts[i].info, pkts[i].nh);
		else if (o.res[i].action == DP_POLICY_PROTECT)
			protect_one(w, in_port, &pkts[i], o.res[i].sa_id, &o);
		else
			dp_worker_drop(w, pkts[i].m, in_port, DP_DROP_SPD_DISCARD);
	}
	if (o.n == 0)
		return;
	k = dp_esp_outbound(w, in_port, o.sent, o.sa, o.n);
	if (o.n_hops == 1) {		/* one path (a burst to one peer): no search */
		for (uint16_t j = 0; j < k; j++)
			hop_tx(w, o.sent[j], in_port, &o.hop[0]);
		return;
	}
	/* What dp_esp_outbound kept is in order: find each one's hop. */
	for (uint16_t i = 0, j = 0; j < k; i++) {
		if (o.m[i] == o.sent[j])
			hop_tx(w, o.sent[j++], in_port, &o.hop[o.hop_of[i]]);
	}
}
