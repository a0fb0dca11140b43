/*
 * ARP on our ports (RFC 826): answers requests for our IPv4 addresses,
 * and for the HA virtual addresses while this node owns them (with the
 * virtual MAC, vip.h), learns senders with the merge rule (create when
 * the request targets us, otherwise refresh existing entries only), sends
 * the requests the neighbour table asks for, and the gratuitous ARP
 * announcements of a takeover (RFC 5227 §3). ARP probes (sender 0.0.0.0,
 * RFC 5227 §2.1.1) for our addresses are answered but never learned from;
 * a sender claiming one of our addresses (RFC 5227 §2.4 conflict) is
 * never learned. Frames leave with the port's current source MAC
 * (dp_iface_src_mac); the sender hardware address is the one the address
 * is answered with.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "dataplane/local_proto.h"
#include "dataplane/pkt_build.h"

enum {
	ARP_FRAME_LEN = RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr),
	ARP_IPV4_LEN = 4,
	IPV4_CLASS_D_E = 0xe0,		/* 224/4 multicast and 240/4 reserved */
	IPV4_LOOPBACK_NET = 127,
	IPV4_THIS_NET = 0,
};

static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

/* The fixed fields of an Ethernet/IPv4 ARP packet, copied out of the frame. */
struct arp_msg {
	uint16_t op;
	struct rte_ether_addr sha;
	uint8_t sip[ARP_IPV4_LEN];
	uint8_t tip[ARP_IPV4_LEN];
};

static void
arp_drop(struct dp *dp, uint8_t port, struct rte_mbuf *m, enum dp_drop_reason reason)
{
	dp_count_drop(&dp->ctl_counters, port, reason);
	rte_pktmbuf_free(m);
}

/* RFC 826: Ethernet hardware, IPv4 protocol, request or reply. */
static bool
arp_parse(const struct rte_mbuf *m, const struct dp_pkt_info *info, struct arp_msg *msg)
{
	const struct rte_arp_hdr *a;
	uint16_t op;

	if (info->l3_off > m->data_len || (uint32_t)(m->data_len - info->l3_off) < sizeof(*a))
		return false;
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, info->l3_off);
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != ARP_IPV4_LEN ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY))
		return false;
	msg->op = op;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &msg->sha);
	memcpy(msg->sip, &a->arp_data.arp_sip, ARP_IPV4_LEN);
	memcpy(msg->tip, &a->arp_data.arp_tip, ARP_IPV4_LEN);
	return rte_is_valid_assigned_ether_addr(&msg->sha);
}

/* A sender address that names one host and may enter the cache. */
static bool
arp_learnable(const uint8_t sip[4])
{
	return sip[0] != IPV4_THIS_NET && sip[0] != IPV4_LOOPBACK_NET &&
	       (sip[0] & IPV4_CLASS_D_E) != IPV4_CLASS_D_E;
}

/* One host, or 0.0.0.0 for an ARP probe (RFC 5227 §2.1.1). */
static bool
arp_sender_valid(const uint8_t sip[4])
{
	static const uint8_t unspecified[ARP_IPV4_LEN];

	return arp_learnable(sip) || memcmp(sip, unspecified, ARP_IPV4_LEN) == 0;
}

/* The sender and target of an ARP packet we build. */
struct arp_ends {
	const struct rte_ether_addr *sha;
	const uint8_t *sip;
	const struct rte_ether_addr *tha;
	const uint8_t *tip;
};

static void
arp_build(struct rte_mbuf *m, const struct dp_iface *ifc, const struct rte_ether_addr *eth_dst,
	  uint16_t op, const struct arp_ends *e)
{
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
							RTE_ETHER_HDR_LEN);

	dp_pkt_eth(m, eth_dst, dp_iface_src_mac(ifc), RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = ARP_IPV4_LEN;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(e->sha, &a->arp_data.arp_sha);
	memcpy(&a->arp_data.arp_sip, e->sip, ARP_IPV4_LEN);
	rte_ether_addr_copy(e->tha, &a->arp_data.arp_tha);
	memcpy(&a->arp_data.arp_tip, e->tip, ARP_IPV4_LEN);
}

/* RFC 826: swap sender and target, MAC (ours, or the VIPs') as sender,
 * unicast back. */
static void
arp_reply(struct dp *dp, uint8_t port, const struct arp_msg *req,
	  const struct rte_ether_addr *mac)
{
	struct rte_mbuf *r = dp_pkt_new(dp->pool, port, ARP_FRAME_LEN);
	struct arp_ends e = { .sha = mac, .sip = req->tip, .tha = &req->sha, .tip = req->sip };

	if (r == NULL) {
		dp_count_drop(&dp->ctl_counters, port, DP_DROP_NO_MBUF);
		return;
	}
	arp_build(r, &dp->iface[port], &req->sha, RTE_ARP_OP_REPLY, &e);
	dp_ctl_tx(dp, port, r);
}

/* RFC 826 merge rule. True if the sender's entry was created or updated. */
static bool
arp_learn(struct dp *dp, uint8_t port, const struct arp_msg *msg, bool for_us)
{
	struct dp_neigh_key key = { .port = port, .family = AF_INET };
	bool reply = msg->op == RTE_ARP_OP_REPLY;

	if (!arp_learnable(msg->sip))
		return false;
	memcpy(key.addr, msg->sip, ARP_IPV4_LEN);
	return dp_neigh_learn(dp->neigh, &key, &msg->sha, reply && for_us,
			      for_us && !reply, dp_now_ms()) == 0;
}

void
dp_arp_input(struct dp *dp, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	uint8_t port = dp_meta(m)->in_port;
	const struct rte_ether_addr *vip_mac;
	const struct dp_iface *ifc;
	struct arp_msg msg;
	bool for_us, learned;

	if (port >= dp->n_ifaces) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!arp_parse(m, info, &msg) || !arp_sender_valid(msg.sip))
		return arp_drop(dp, port, m, DP_DROP_MALFORMED);
	ifc = &dp->iface[port];
	/* Our own address as sender: a conflict or our own frame looped back. */
	if (dp_iface_owns_ipv4(ifc, msg.sip) || dp_vip_is_ours(dp, AF_INET, msg.sip))
		return arp_drop(dp, port, m, DP_DROP_ARP_NOT_FOR_US);
	vip_mac = dp_vip_answer(dp, port, AF_INET, msg.tip);
	for_us = vip_mac != NULL || dp_iface_owns_ipv4(ifc, msg.tip);
	learned = arp_learn(dp, port, &msg, for_us);
	if (for_us && msg.op == RTE_ARP_OP_REQUEST)
		arp_reply(dp, port, &msg, vip_mac != NULL ? vip_mac : &ifc->mac);
	else if (!for_us && !learned)
		return arp_drop(dp, port, m, DP_DROP_ARP_NOT_FOR_US);
	rte_pktmbuf_free(m);
}

void
dp_arp_solicit(struct dp *dp, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	uint8_t src[ARP_IPV4_LEN];
	const struct dp_iface *ifc;
	struct rte_mbuf *m;
	struct arp_ends e;

	if (key->port >= dp->n_ifaces || key->family != AF_INET)
		return;
	ifc = &dp->iface[key->port];
	if (!dp_iface_source_ipv4(ifc, key->addr, src))
		return;
	m = dp_pkt_new(dp->pool, (uint8_t)key->port, ARP_FRAME_LEN);
	if (m == NULL) {
		dp_count_drop(&dp->ctl_counters, key->port, DP_DROP_NO_MBUF);
		return;
	}
	e = (struct arp_ends){ .sha = &ifc->mac, .sip = src, .tha = &zero_mac, .tip = key->addr };
	arp_build(m, ifc, mac != NULL ? mac : &bcast, RTE_ARP_OP_REQUEST, &e);
	dp_ctl_tx(dp, (uint8_t)key->port, m);
}

/* RFC 5227 §3: an ARP request with sender and target protocol address
 * both ADDR, sender hardware address MAC, target hardware address zero,
 * broadcast. */
int
dp_arp_announce(struct dp *dp, uint8_t port, const uint8_t addr[4],
		const struct rte_ether_addr *mac)
{
	struct arp_ends e = { .sha = mac, .sip = addr, .tha = &zero_mac, .tip = addr };
	struct rte_mbuf *m;

	if (port >= dp->n_ifaces)
		return -EINVAL;
	m = dp_pkt_new(dp->pool, port, ARP_FRAME_LEN);
	if (m == NULL) {
		dp_count_drop(&dp->ctl_counters, port, DP_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	arp_build(m, &dp->iface[port], &bcast, RTE_ARP_OP_REQUEST, &e);
	return dp_ctl_tx(dp, port, m);
}
