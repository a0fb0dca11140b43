/*
 * The control core's side of the punt ring: packets for the box go to the
 * ARP/ND/ICMP handlers or the registered UDP handler (IKE, HA later);
 * packets whose next hop had no MAC are held in the neighbour table; and
 * packets that need an ICMP error answered go to the ICMP module.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/local_proto.h"
#include "dataplane/neigh.h"
#include "dataplane/pkt_parse.h"

enum {
	ICMPV6_ND_FIRST = 133,	/* router solicitation */
	ICMPV6_ND_LAST = 137,	/* redirect */
};

static const enum dp_drop_reason error_drop_reason[] = {
	[DP_PUNT_TTL_EXCEEDED] = DP_DROP_TTL_EXCEEDED,
	[DP_PUNT_NO_ROUTE] = DP_DROP_NO_ROUTE,
	[DP_PUNT_TOO_BIG] = DP_DROP_MTU_EXCEEDED,
};

static void
local_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, info->l4_off);

	if (info->kind == DP_PKT_ARP)
		return dp_arp_input(dp, m, info);
	if (info->l4_proto == IPPROTO_ICMPV6 && info->first_fragment &&
	    *l4 >= ICMPV6_ND_FIRST && *l4 <= ICMPV6_ND_LAST)
		return dp_nd_input(dp, m, info);
	if (info->l4_proto == IPPROTO_ICMP || info->l4_proto == IPPROTO_ICMPV6)
		return dp_icmp_input(dp, m, info);
	if (info->l4_proto == IPPROTO_UDP && dp->udp_input != NULL)
		return dp->udp_input(dp->udp_input_arg, m, info);
	dp_count_drop(&dp->ctl_counters, dp_meta(m)->in_port, DP_DROP_LOCAL_UNSUPPORTED);
	rte_pktmbuf_free(m);
}

static void
resolve(struct dp *dp, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	struct dp_neigh_key key = {
		.port = meta->out_port,
		.family = meta->family,
	};

	memcpy(key.addr, meta->nexthop, sizeof(key.addr));
	/* On failure the table already dropped and counted m. */
	dp_neigh_hold(dp->neigh, &key, m, dp_now_ms());
}

static void
handle(struct dp *dp, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_meta(m);
	enum dp_drop_reason why;
	struct dp_pkt_info info;

	if (meta->punt_reason == DP_PUNT_RESOLVE)
		return resolve(dp, m);
	/* The worker parsed this frame already; parse again rather than
	 * carrying the whole result in every mbuf. */
	if (dp_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &info, &why) < 0) {
		dp_count_drop(&dp->ctl_counters, meta->in_port, why);
		rte_pktmbuf_free(m);
		return;
	}
	if (meta->punt_reason == DP_PUNT_LOCAL)
		return local_input(dp, m, &info);
	/* The packet itself is not delivered: count why, then answer it. */
	dp_count_drop(&dp->ctl_counters, meta->in_port, error_drop_reason[meta->punt_reason]);
	dp_icmp_error(dp, m, &info);
}

unsigned int
dp_punt_poll(struct dp *dp)
{
	struct rte_mbuf *pkts[DP_MAX_BURST];
	unsigned int n = rte_ring_dequeue_burst(dp->punt_ring, (void **)pkts, dp->burst, NULL);

	for (unsigned int i = 0; i < n; i++)
		handle(dp, pkts[i]);
	return n;
}
