/*
 * Virtual IP addresses of an HA pair (design in vip.c): addresses that
 * belong to whichever appliance is active, on given ports, answered for
 * with one virtual MAC, and announced on takeover with gratuitous ARP
 * (RFC 5227 §3 announcements) and unsolicited neighbour advertisements
 * (RFC 4861 §7.2.6).
 *
 * Threads: the control core configures, claims and releases; workers read
 * only the ownership flag (dp_vips_owned, via dp_vip_route) and the ports'
 * vmac pointers (struct dp_iface, dp_iface_src_mac), without locks.
 */
#ifndef HAGW_VIP_H
#define HAGW_VIP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>

#include "config/cfg.h"
#include "dataplane/dp_stats.h"
#include "dataplane/route.h"

struct dp;

enum {
	DP_VIP_MAX = 8,
	/* Announcements per VIP and dp_vip_announce call: RFC 4861 §10
	 * MAX_NEIGHBOR_ADVERTISEMENT, used for ARP too. */
	DP_VIP_ANNOUNCE_COUNT = 3,
};

struct dp_vip {
	struct cfg_prefix addr;		/* host prefix: /32 or /128 */
	uint8_t port;			/* our port index */
};

/* The VIP table of struct dp. Written by the control core only. */
struct dp_vips {
	bool owned;			/* atomic: this node holds the VIPs */
	bool has_vmac;
	bool yielding;			/* owned, handed over: own MACs as source */
	uint8_t n;
	uint32_t port_mask;		/* atomic: ports with a VIP */
	struct rte_ether_addr vmac;	/* with has_vmac; never changed while owned */
	struct dp_vip vip[DP_VIP_MAX];
	/* Per port: where a VIP's packets go while not owned, a host on
	 * the VIP's link (kind CONNECTED). */
	struct dp_nexthop onlink[DP_MAX_PORTS];
};

/*
 * Control core. dp_vip_add: ADDR (host address, any prefix length read as
 * /32 or /128) becomes a VIP on PORT, not owned: a LOCAL route to it is
 * installed whose next hop carries the address in gw (see dp_vip_route).
 * 0; -EINVAL (bad port, not a unicast address that can name a host: IPv4
 * 0/8, 127/8, 224/3, 255.255.255.255; IPv6 ::/8, multicast, fe80::/10),
 * -ENOSPC (DP_VIP_MAX reached or route table full), -EEXIST (already one
 * of our addresses or VIPs).
 */
int dp_vip_add(struct dp *dp, uint8_t port, const struct cfg_prefix *addr);
/* The virtual MAC of every port with a VIP (NULL: none, the ports' own
 * MACs are used). Puts the ports with a VIP (and those added later) in
 * promiscuous mode: frames to the vmac must reach the workers. 0;
 * -EINVAL (multicast or zero MAC); -EBUSY while owned (workers read it);
 * or the first error of rte_eth_promiscuous_enable (the MAC is set, but
 * frames to it may not arrive on that port). */
int dp_vip_set_mac(struct dp *dp, const struct rte_ether_addr *vmac);
/*
 * Takes every VIP: from now on ARP requests and neighbour solicitations
 * for a VIP on its port are answered with the vmac, frames to the vmac
 * pass the L2 check of the ports with a VIP, every frame sent from those
 * ports has the vmac as source, and packets to a VIP are local (IKE, ESP,
 * ICMP echo). Then one dp_vip_announce. 0, or -ENOBUFS if an announcement
 * could not be queued (counted as no_mbuf or tx_full; ownership is taken
 * anyway). Claiming again only announces again.
 */
int dp_vip_claim(struct dp *dp);
/*
 * A switchover hands the VIPs to the peer: they stay ours (ARP, ND,
 * frames to the vmac are accepted and forwarded), but frames leave with
 * the ports' own MACs and nothing is announced, so that no frame of ours
 * teaches a switch that the vmac is still behind our port once the peer
 * announced it; a frame it sends meanwhile would draw the clients'
 * packets back here, to be dropped after the hand-over. Ends with
 * dp_vip_claim (the switchover failed: we keep the VIPs) or
 * dp_vip_release (it completed). Nothing while not owned.
 */
void dp_vip_yield(struct dp *dp);
/* Gives the VIPs up: none of the above; a packet to a VIP is routed to the
 * VIP's link like any host's (the new active answers for it). */
void dp_vip_release(struct dp *dp);
bool dp_vip_owned(const struct dp *dp);
/* While owned: DP_VIP_ANNOUNCE_COUNT rounds of one announcement per VIP,
 * IPv4 a gratuitous ARP request (RFC 5227 §3: sender and target protocol
 * address the VIP, sender hardware address the vmac, target hardware
 * address zero, broadcast), IPv6 an unsolicited NA to ff02::1 (RFC 4861
 * §7.2.6: target the VIP, flags Router and Override, target link-layer
 * address option the vmac, hop limit 255). Returns the number of frames
 * queued (0 when not owned). */
int dp_vip_announce(struct dp *dp);

/* Control core (ARP, ND): the MAC to answer for ADDR on PORT with, if ADDR
 * is a VIP of that port and this node owns the VIPs; else NULL. */
const struct rte_ether_addr *dp_vip_answer(const struct dp *dp, uint8_t port, uint8_t family,
					   const uint8_t *addr);
/* Control core: ADDR is a VIP (on any port) and this node owns the VIPs. */
bool dp_vip_is_ours(const struct dp *dp, uint8_t family, const uint8_t *addr);

static inline bool
dp_vips_owned(const struct dp_vips *v)
{
	return __atomic_load_n(&v->owned, __ATOMIC_RELAXED);
}

/* A VIP's route: a LOCAL next hop with a non-zero gw (own addresses'
 * LOCAL next hops have gw zero, dp.c; a VIP's first byte is never 0) on a
 * port with a VIP. Checked only for LOCAL routes. */
static inline bool
dp_vip_nexthop(const struct dp_vips *v, const struct dp_nexthop *nh)
{
	return nh->kind == DP_NH_LOCAL && nh->gw[0] != 0 &&
	       ((__atomic_load_n(&v->port_mask, __ATOMIC_RELAXED) >> nh->port) & 1) != 0;
}

/* Workers and control core, after each route lookup: the next hop NH
 * stands for. A VIP's LOCAL route is local only while this node owns the
 * VIPs (one relaxed load, only for packets to a VIP); otherwise the VIP is
 * a host on its port's link. */
static inline const struct dp_nexthop *
dp_vip_route(const struct dp_vips *v, const struct dp_nexthop *nh)
{
	if (likely(nh == NULL || !dp_vip_nexthop(v, nh)) || dp_vips_owned(v))
		return nh;
	return &v->onlink[nh->port];
}

#endif
