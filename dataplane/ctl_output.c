/*
 * How the control core sends: dp_ctl_tx() hands a finished frame to worker
 * 0's TX ring (workers own the TX queues, so no queue is ever shared);
 * dp_ctl_output() routes an IP packet the box originates, resolving its
 * next hop through the neighbour table.
 *
 * Packets the box originates obey the outbound SPD too (RFC 4301 §5.1):
 * an echo reply to a transport-mode peer, an ICMP error to a client
 * behind a tunnel. The control core encrypts them itself with ctl_worker
 * (its own IPsec-MB manager, dp->ctl_mgr), then routes the outer packet
 * like any other. That is simpler than handing them to a worker: the
 * SPD and SAD are the control core's own tables (it is their only
 * writer, so its reads need no grace period), the outbound sequence
 * counter is shared through one atomic add (sa.h), and a packet waiting
 * for its next hop is held by the neighbour table already encrypted.
 * Only explicit policies apply: the default action (for traffic from
 * trusted ports) and IKE's own ports (ike.port and ike.natt_port, RFC 7296
 * §2.23, RFC 3948) and the HA port are not applied to, or taken from,
 * what the box sends.
 * Frames leave with the port's current source MAC (the HA virtual MAC
 * while this node owns the port's VIPs), and a VIP is a host on its link
 * while not owned (vip.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/flow.h"
#include "dataplane/fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/route.h"

enum {
	IP_VERSION_SHIFT = 4,
	IP_VERSION_4 = 4,
	IP_VERSION_6 = 6,
};

void
dp_ether_fill(struct dp *dp, struct rte_mbuf *m, uint8_t port, const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, dp_meta(m)->l3_off);
	bool v4 = (*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4;

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(dp_iface_src_mac(&dp->iface[port]), &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(v4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
}

int
dp_ctl_tx(struct dp *dp, uint8_t port, struct rte_mbuf *m)
{
	dp_meta(m)->out_port = port;
	if (unlikely(rte_ring_enqueue(dp->workers[0]->tx_ring, m) != 0)) {
		dp_count_drop(&dp->ctl_counters, port, DP_DROP_TX_FULL);
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static int
ctl_drop(struct dp *dp, struct rte_mbuf *m, enum dp_drop_reason reason)
{
	dp_count_drop(&dp->ctl_counters, dp_meta(m)->in_port, reason);
	rte_pktmbuf_free(m);
	return -EHOSTUNREACH;
}

/* ike.port or ike.natt_port (RFC 7296 §2, RFC 3948 §2), or ha.port:
 * the appliance's own control traffic, never subject to the SPD. */
static bool
own_control_port(const struct dp *dp, uint16_t port)
{
	return port == dp->ike_port || port == dp->natt_port ||
	       (dp->ha_port != 0 && port == dp->ha_port);
}

/* The policy for a packet we send; *sa set for PROTECT. */
static enum dp_policy_action
ctl_policy(struct dp *dp, struct rte_mbuf *m, struct dp_sa **sa)
{
	uint16_t l3_off = dp_meta(m)->l3_off;
	const struct dp_flow *fp;
	struct dp_policy_result res;
	struct dp_flow f;

	if (dp->spd == NULL ||
	    dp_flow_extract(rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off),
			    rte_pktmbuf_data_len(m) - l3_off, &f) < 0)
		return DP_POLICY_BYPASS;
	if (f.proto == IPPROTO_UDP && (own_control_port(dp, f.sport) || own_control_port(dp, f.dport)))
		return DP_POLICY_BYPASS;
	fp = &f;
	dp_spd_lookup_out(dp->spd, &fp, 1, &res);
	if (res.action == DP_POLICY_DISCARD && res.policy_id == UINT32_MAX)
		return DP_POLICY_BYPASS;	/* the default is for forwarded traffic */
	if (res.action == DP_POLICY_PROTECT)
		*sa = dp_sad_get(dp->sad, res.sa_id);
	return res.action;
}

/* ESP with ctl_worker, then the outer packet held until its next hop
 * resolves (or sent at once). */
static int
ctl_protect(struct dp *dp, struct rte_mbuf *m, struct dp_sa *sa)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	struct dp_neigh_key key = { 0 };

	if (sa == NULL || sa->p.dir != DP_SA_OUTBOUND)
		return ctl_drop(dp, m, DP_DROP_ESP_NO_SA);
	if (dp_fwd_outer_route(dp, m, sa) < 0)
		return ctl_drop(dp, m, DP_DROP_NO_ROUTE);
	/* Dropped (counted) or punted as too big when it returns 0. */
	if (dp_esp_outbound(dp->ctl_worker, meta->in_port, &m, &sa, 1) != 1)
		return -EMSGSIZE;
	key.port = meta->out_port;
	key.family = meta->family;
	memcpy(key.addr, meta->nexthop, sizeof(key.addr));
	return dp_neigh_hold(dp->neigh, &key, m, dp_now_ms());
}

int
dp_ctl_output(struct dp *dp, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	struct dp_neigh_key key = { 0 };
	const struct dp_nexthop *nh;
	const uint8_t *dst;
	struct dp_sa *sa = NULL;
	size_t alen;

	switch (ctl_policy(dp, m, &sa)) {
	case DP_POLICY_PROTECT:
		return ctl_protect(dp, m, sa);
	case DP_POLICY_DISCARD:
		return ctl_drop(dp, m, DP_DROP_SPD_DISCARD);
	default:
		break;
	}
	if ((*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4) {
		dst = l3 + offsetof(struct rte_ipv4_hdr, dst_addr);
		nh = dp_vip_route(&dp->vips, dp_route_lookup4(dp->routes, dst));
		key.family = AF_INET;
		alen = 4;
	} else {
		dst = l3 + offsetof(struct rte_ipv6_hdr, dst_addr);
		nh = dp_vip_route(&dp->vips, dp_route_lookup6(dp->routes, dst));
		key.family = AF_INET6;
		alen = 16;
	}
	if (nh == NULL || nh->kind == DP_NH_LOCAL)
		return ctl_drop(dp, m, DP_DROP_NO_ROUTE);
	if (rte_pktmbuf_pkt_len(m) - meta->l3_off > dp->iface[nh->port].mtu)
		return ctl_drop(dp, m, DP_DROP_MTU_EXCEEDED);
	key.port = nh->port;
	memcpy(key.addr, nh->kind == DP_NH_GATEWAY ? nh->gw : dst, alen);
	meta->out_port = nh->port;
	return dp_neigh_hold(dp->neigh, &key, m, dp_now_ms());
}
