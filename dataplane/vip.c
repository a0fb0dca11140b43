/*
 * HA virtual IP addresses (vip.h): owned by the active appliance, answered
 * for with one virtual MAC (the vmac), announced on takeover with
 * gratuitous ARP (RFC 5227 §3 ARP announcements, RFC 826 frames) and
 * unsolicited neighbour advertisements with Override (RFC 4861 §7.2.6).
 *
 * How ownership reaches the packet path without locks:
 *   - routing: each VIP has a permanent LOCAL host route whose next hop
 *     carries the VIP in gw. dp_vip_route() keeps it local while owned (IKE,
 *     ESP and ICMP to the VIP are punted or decrypted as for our own
 *     addresses) and otherwise returns the CONNECTED next hop of the VIP's
 *     port, so the VIP is then a host on that link. Nothing is added to or
 *     removed from the route table at claim or release: a removal would
 *     need a grace period the control core cannot wait for.
 *   - L2: a port with a VIP has a vmac pointer (struct dp_iface) set to
 *     the vmac while owned and NULL otherwise; workers load it once per
 *     burst for the destination check. A second pointer, src_vmac, is
 *     read where they write an Ethernet source (dp_iface_src_mac): the
 *     same, but NULL while a switchover hands the VIPs over
 *     (dp_vip_yield). The vmac itself never changes while owned. The
 *     ports are promiscuous (dp_vip_set_mac): frames to the vmac are
 *     dropped by the L2 check, as not_our_mac, when not owned.
 *   - ARP and ND (arp.c, nd.c) ask dp_vip_answer / dp_vip_is_ours.
 * Claim stores the vmac pointers, then the ownership flag (release), then
 * announces; release clears the flag, then the pointers.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ethdev.h>

#include "dataplane/dp.h"
#include "dataplane/local_proto.h"
#include "dataplane/route.h"
#include "dataplane/vip.h"

enum {
	VIP_IPV4_LEN = 4,
	VIP_IPV6_LEN = 16,
	VIP_IPV4_HOST = 32,
	VIP_IPV6_HOST = 128,
	IPV4_THIS_NET = 0,
	IPV4_LOOPBACK_NET = 127,
	IPV4_CLASS_D_E = 0xe0,		/* 224/3: multicast, reserved, broadcast */
	IPV6_MCAST = 0xff,
	IPV6_LINK_LOCAL_0 = 0xfe,
	IPV6_LINK_LOCAL_1 = 0x80,
	IPV6_LINK_LOCAL_MASK = 0xc0,
};

static size_t
addr_len(uint8_t family)
{
	return family == AF_INET ? VIP_IPV4_LEN : VIP_IPV6_LEN;
}

/* A unicast address that can name one host; IPv6 ::/8 is excluded too,
 * which keeps the first byte of a VIP non-zero (dp_vip_nexthop). */
static bool
vip_addr_valid(const struct cfg_prefix *a)
{
	const uint8_t *b = a->addr.bytes;

	if (a->family == AF_INET)
		return b[0] != IPV4_THIS_NET && b[0] != IPV4_LOOPBACK_NET &&
		       (b[0] & IPV4_CLASS_D_E) != IPV4_CLASS_D_E;
	if (a->family == AF_INET6)
		return b[0] != 0 && b[0] != IPV6_MCAST &&
		       !(b[0] == IPV6_LINK_LOCAL_0 &&
			 (b[1] & IPV6_LINK_LOCAL_MASK) == IPV6_LINK_LOCAL_1);
	return false;
}

static bool
vip_matches(const struct dp_vip *vip, uint8_t family, const uint8_t *addr)
{
	return vip->addr.family == family &&
	       memcmp(vip->addr.addr.bytes, addr, addr_len(family)) == 0;
}

static const struct rte_ether_addr *
vip_mac(const struct dp *dp, uint8_t port)
{
	return dp->vips.has_vmac ? &dp->vips.vmac : &dp->iface[port].mac;
}

static int
port_promisc(const struct dp *dp, uint8_t port)
{
	return rte_eth_promiscuous_enable(dp->iface[port].port_id);
}

/* The ports with a VIP: their accepted vmac and their source vmac
 * pointers (each the vmac or NULL). Only the control core writes
 * port_mask: plain reads here. */
static void
ports_vmac(struct dp *dp, const struct rte_ether_addr *accept, const struct rte_ether_addr *src)
{
	for (uint8_t p = 0; p < dp->n_ifaces; p++) {
		if ((dp->vips.port_mask & (1u << p)) == 0)
			continue;
		__atomic_store_n(&dp->iface[p].vmac, accept, __ATOMIC_RELEASE);
		__atomic_store_n(&dp->iface[p].src_vmac, src, __ATOMIC_RELEASE);
	}
}

int
dp_vip_add(struct dp *dp, uint8_t port, const struct cfg_prefix *addr)
{
	struct dp_vips *v = &dp->vips;
	struct dp_nexthop nh = { .kind = DP_NH_LOCAL, .port = port };
	struct dp_vip vip = { .port = port };
	uint32_t mask = v->port_mask;
	int rc;

	if (addr == NULL || port >= dp->n_ifaces || port >= DP_MAX_PORTS || !vip_addr_valid(addr))
		return -EINVAL;
	if (v->n == DP_VIP_MAX)
		return -ENOSPC;
	vip.addr.family = addr->family;
	vip.addr.len = addr->family == AF_INET ? VIP_IPV4_HOST : VIP_IPV6_HOST;
	memcpy(vip.addr.addr.bytes, addr->addr.bytes, addr_len(addr->family));
	nh.family = addr->family;
	memcpy(nh.gw, vip.addr.addr.bytes, addr_len(addr->family));
	/* Written before the route that leads workers to them is published. */
	if ((mask & (1u << port)) == 0) {
		v->onlink[port] = (struct dp_nexthop){ .kind = DP_NH_CONNECTED, .port = port };
		__atomic_store_n(&v->port_mask, mask | 1u << port, __ATOMIC_RELEASE);
	}
	rc = dp_route_add(dp->routes, &vip.addr, &nh);
	if (rc < 0) {
		__atomic_store_n(&v->port_mask, mask, __ATOMIC_RELEASE);
		return rc;
	}
	v->vip[v->n++] = vip;
	if (v->has_vmac) {
		port_promisc(dp, port);		/* errors: dp_vip_set_mac reports them */
		if (dp_vip_owned(dp)) {
			__atomic_store_n(&dp->iface[port].vmac, &v->vmac, __ATOMIC_RELEASE);
			if (!v->yielding)
				__atomic_store_n(&dp->iface[port].src_vmac, &v->vmac,
						 __ATOMIC_RELEASE);
		}
	}
	return 0;
}

int
dp_vip_set_mac(struct dp *dp, const struct rte_ether_addr *vmac)
{
	struct dp_vips *v = &dp->vips;
	int rc = 0;

	if (dp_vip_owned(dp))
		return -EBUSY;
	if (vmac == NULL) {
		v->has_vmac = false;
		return 0;
	}
	if (!rte_is_valid_assigned_ether_addr(vmac))
		return -EINVAL;
	v->vmac = *vmac;
	v->has_vmac = true;
	for (uint8_t p = 0; p < dp->n_ifaces; p++) {
		int r = (v->port_mask & (1u << p)) != 0 ? port_promisc(dp, p) : 0;

		if (rc == 0)
			rc = r;
	}
	return rc;
}

int
dp_vip_claim(struct dp *dp)
{
	struct dp_vips *v = &dp->vips;

	v->yielding = false;
	if (v->has_vmac)
		ports_vmac(dp, &v->vmac, &v->vmac);
	__atomic_store_n(&v->owned, true, __ATOMIC_RELEASE);
	return dp_vip_announce(dp) == v->n * DP_VIP_ANNOUNCE_COUNT ? 0 : -ENOBUFS;
}

void
dp_vip_yield(struct dp *dp)
{
	struct dp_vips *v = &dp->vips;

	if (!dp_vip_owned(dp))
		return;
	v->yielding = true;
	if (v->has_vmac)
		ports_vmac(dp, &v->vmac, NULL);
}

void
dp_vip_release(struct dp *dp)
{
	__atomic_store_n(&dp->vips.owned, false, __ATOMIC_RELEASE);
	dp->vips.yielding = false;
	ports_vmac(dp, NULL, NULL);
}

bool
dp_vip_owned(const struct dp *dp)
{
	return __atomic_load_n(&dp->vips.owned, __ATOMIC_ACQUIRE);
}

int
dp_vip_announce(struct dp *dp)
{
	const struct dp_vips *v = &dp->vips;
	int sent = 0;

	if (!dp_vip_owned(dp) || v->yielding)
		return 0;
	/* Rounds rather than three in a row: the repeats spread a little. */
	for (unsigned int round = 0; round < DP_VIP_ANNOUNCE_COUNT; round++) {
		for (unsigned int i = 0; i < v->n; i++) {
			const struct dp_vip *vip = &v->vip[i];
			const struct rte_ether_addr *mac = vip_mac(dp, vip->port);
			int rc = vip->addr.family == AF_INET ?
				 dp_arp_announce(dp, vip->port, vip->addr.addr.v4, mac) :
				 dp_nd_announce(dp, vip->port, vip->addr.addr.v6, mac);

			sent += rc == 0;
		}
	}
	return sent;
}

const struct rte_ether_addr *
dp_vip_answer(const struct dp *dp, uint8_t port, uint8_t family, const uint8_t *addr)
{
	const struct dp_vips *v = &dp->vips;

	if (!dp_vip_owned(dp))
		return NULL;
	for (unsigned int i = 0; i < v->n; i++)
		if (v->vip[i].port == port && vip_matches(&v->vip[i], family, addr))
			return vip_mac(dp, port);
	return NULL;
}

bool
dp_vip_is_ours(const struct dp *dp, uint8_t family, const uint8_t *addr)
{
	const struct dp_vips *v = &dp->vips;

	if (!dp_vip_owned(dp))
		return false;
	for (unsigned int i = 0; i < v->n; i++)
		if (vip_matches(&v->vip[i], family, addr))
			return true;
	return false;
}
