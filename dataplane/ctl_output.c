/*
 * How the control core sends: dp_ctl_tx() hands a finished frame to worker
 * 0's TX ring (workers own the TX queues, so no queue is ever shared);
 * dp_ctl_output() routes an IP packet the box originates, resolving its
 * next hop through the neighbour table.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/neigh.h"
#include "dataplane/route.h"

enum { IP_VERSION_SHIFT = 4, IP_VERSION_4 = 4, IP_VERSION_6 = 6 };

void
dp_ether_fill(struct dp *dp, struct rte_mbuf *m, uint8_t port, const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, dp_meta(m)->l3_off);
	bool v4 = (*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4;

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(&dp->iface[port].mac, &eth->src_addr);
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

int
dp_ctl_output(struct dp *dp, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	struct dp_neigh_key key = { 0 };
	const struct dp_nexthop *nh;
	const uint8_t *dst;
	size_t alen;

	if ((*l3 >> IP_VERSION_SHIFT) == IP_VERSION_4) {
		dst = l3 + offsetof(struct rte_ipv4_hdr, dst_addr);
		nh = dp_route_lookup4(dp->routes, dst);
		key.family = AF_INET;
		alen = 4;
	} else {
		dst = l3 + offsetof(struct rte_ipv6_hdr, dst_addr);
		nh = dp_route_lookup6(dp->routes, dst);
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
