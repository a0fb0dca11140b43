/*
 * Unit tests of the HA virtual addresses (dataplane/vip.c with arp.c,
 * nd.c, forward.c, ctl_output.c): a struct dp with three net_null ports
 * (untrusted 192.0.2.2/24 + 2001:db8:2::2/64 with VIPs 192.0.2.1 and
 * 2001:db8:2::1, trusted 10.1.0.2/24 with VIP 10.1.0.1, sync without a
 * VIP), driven through dp_forward_burst and dp_punt_poll:
 *   - the exact bytes of a gratuitous ARP (RFC 5227 §3) and of an
 *     unsolicited NA with Override (RFC 4861 §7.2.6, checksum included),
 *     3 rounds per claim, none while not owned;
 *   - ARP requests and neighbour solicitations for a VIP answered with the
 *     vmac only while owned, only on the VIP's port; own addresses still
 *     answered with the port's MAC; the other node claiming a VIP while we
 *     own it is not learned;
 *   - the L2 check accepts the vmac only while owned and only on ports
 *     with a VIP; packets to a VIP are local while owned (ICMP echo
 *     answered from the VIP) and routed to the VIP's link otherwise;
 *   - the Ethernet source of forwarded frames, control-core frames and ARP
 *     requests is the vmac on ports with a VIP while owned;
 *   - promiscuous mode, argument checks, the table limit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/local_proto.h"
#include "dataplane/neigh.h"
#include "dataplane/route.h"
#include "dataplane/spd.h"
#include "dataplane/vip.h"
#include "tests/unit/cu_run.h"

enum {
	P_U = 0,		/* untrusted, two VIPs */
	P_T = 1,		/* trusted, one VIP */
	P_S = 2,		/* sync, no VIP */
	N_PORTS = 3,
	POOL_SIZE = 255,
	RING_SIZE = 64,
	FRAME_MAX = 256,
	ETH_LEN = 14,
	ARP_LEN = 28,
	ARP_FRAME = ETH_LEN + ARP_LEN,
	IP4_LEN = 20,
	IP6_LEN = 40,
	ICMP_LEN = 8,
	ECHO_DATA = 8,
	ND_LEN = 32,		/* NS/NA with one link-layer option */
	ND_FRAME = ETH_LEN + IP6_LEN + ND_LEN,
	N_VIPS = 3,
	ANNOUNCED = N_VIPS * DP_VIP_ANNOUNCE_COUNT,
	TTL = 64,
	ICMP6_ECHO_REQ = 128,
	ICMP6_NS = 135,
	ICMP6_NA = 136,
	ICMP_ECHO_REQ = 8,
	ICMP_ECHO_REPLY = 0,
};

static const uint8_t mac_u[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_t[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_s[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t vmac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0x01 };
static const uint8_t mac_h[6] = { 0x02, 0xaa, 0, 0, 0, 0x10 };	/* host on P_U */
static const uint8_t mac_l[6] = { 0x02, 0xbb, 0, 0, 0, 0x10 };	/* host on P_T */
static const uint8_t mac_p[6] = { 0x02, 0xcc, 0, 0, 0, 0x02 };	/* peer node on P_S */
static const uint8_t mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 0x20 };	/* unknown host on P_U */
static const uint8_t mac_other[6] = { 0x02, 0, 0, 0, 0, 0x1a };	/* the other node */
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const uint8_t own_u4[4] = { 192, 0, 2, 2 };
static const uint8_t vip_u4[4] = { 192, 0, 2, 1 };
static const uint8_t host_u4[4] = { 192, 0, 2, 10 };
static const uint8_t host_a4[4] = { 192, 0, 2, 20 };
static const uint8_t vip_t4[4] = { 10, 1, 0, 1 };
static const uint8_t own_t4[4] = { 10, 1, 0, 2 };
static const uint8_t host_t4[4] = { 10, 1, 0, 10 };
static const uint8_t own_s4[4] = { 169, 254, 77, 1 };
static const uint8_t peer_s4[4] = { 169, 254, 77, 2 };
static const uint8_t own_u6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 };
static const uint8_t vip_u6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 };
static const uint8_t host_u6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x10 };

/* RFC 5227 §3 announcement of 192.0.2.1 from the vmac. */
static const uint8_t garp_u4[ARP_FRAME] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,		/* Ethernet, IPv4, request */
	0x02, 0x00, 0x5e, 0x00, 0x01, 0x01, 192, 0, 2, 1,	/* sender: vmac, VIP */
	0, 0, 0, 0, 0, 0, 192, 0, 2, 1,				/* target: zero, VIP */
};

/* RFC 4861 §7.2.6 unsolicited NA for 2001:db8:2::1 from it to ff02::1. */
static const uint8_t na_u6[ND_FRAME] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,		/* payload 32, ICMPv6, 255 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x88, 0x00, 0x1a, 0x26,					/* NA, code 0, checksum */
	0xa0, 0x00, 0x00, 0x00,					/* R and O, not S */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x02, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x01,		/* target link-layer address */
};

static struct dp dp;
static struct rte_mempool *pool;
static struct dp_worker *w;

/* ---- an independent Internet checksum (RFC 1071), big-endian words ---- */

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ICMPv6 checksum over the frame's message (IPv6 at 14, no extensions). */
static uint16_t
icmp6_sum(const uint8_t *f, size_t len)
{
	uint32_t plen = (uint32_t)(len - ETH_LEN - IP6_LEN);
	uint32_t sum = sum16(f + ETH_LEN + 8, 32, 0) + plen + IPPROTO_ICMPV6;

	return fold(sum16(f + ETH_LEN + IP6_LEN, plen, sum));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- frames ---- */

static void
eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

/* An ARP request broadcast by SHA/SIP for TIP. */
static uint16_t
arp_req(uint8_t *f, const uint8_t *sha, const uint8_t *sip, const uint8_t *tip)
{
	static const uint8_t hdr[8] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01 };

	memset(f, 0, ARP_FRAME);
	eth(f, bcast, sha, 0x0806);
	memcpy(f + ETH_LEN, hdr, sizeof(hdr));
	memcpy(f + ETH_LEN + 8, sha, 6);
	memcpy(f + ETH_LEN + 14, sip, 4);
	memcpy(f + ETH_LEN + 24, tip, 4);
	return ARP_FRAME;
}

/* An ICMP echo request SRC -> DST in a frame to DMAC from SMAC. */
static uint16_t
echo4(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *src,
      const uint8_t *dst)
{
	uint8_t *ip = f + ETH_LEN, *icmp = ip + IP4_LEN;
	uint16_t ip_len = IP4_LEN + ICMP_LEN + ECHO_DATA;

	memset(f, 0, ETH_LEN + ip_len);
	eth(f, dmac, smac, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, ip_len);
	ip[8] = TTL;
	ip[9] = IPPROTO_ICMP;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, fold(sum16(ip, IP4_LEN, 0)));
	icmp[0] = ICMP_ECHO_REQ;
	put16(icmp + 4, 0x1234);
	put16(icmp + 6, 1);
	for (unsigned int i = 0; i < ECHO_DATA; i++)
		icmp[ICMP_LEN + i] = (uint8_t)i;
	put16(icmp + 2, fold(sum16(icmp, ICMP_LEN + ECHO_DATA, 0)));
	return ETH_LEN + ip_len;
}

/* An IPv6 header SRC -> DST with an ICMPv6 message of LEN bytes. */
static void
ip6(uint8_t *f, const uint8_t *src, const uint8_t *dst, uint16_t len, uint8_t hops)
{
	uint8_t *ip = f + ETH_LEN;

	ip[0] = 0x60;
	put16(ip + 4, len);
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/* ICMPv6 echo request from the host to DST, frame to DMAC. */
static uint16_t
echo6(uint8_t *f, const uint8_t *dmac, const uint8_t *dst)
{
	uint16_t len = ICMP_LEN + ECHO_DATA;
	uint8_t *icmp = f + ETH_LEN + IP6_LEN;

	memset(f, 0, ETH_LEN + IP6_LEN + len);
	eth(f, dmac, mac_h, 0x86dd);
	ip6(f, host_u6, dst, len, TTL);
	icmp[0] = ICMP6_ECHO_REQ;
	put16(icmp + 4, 0x1234);
	put16(icmp + 2, icmp6_sum(f, ETH_LEN + IP6_LEN + len));
	return ETH_LEN + IP6_LEN + len;
}

/* RFC 4861 §4.3: NS for TARGET from the host, with its link-layer address,
 * to the target's solicited-node group. */
static uint16_t
ns6(uint8_t *f, const uint8_t *target)
{
	uint8_t dst[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t dmac[6] = { 0x33, 0x33, 0xff };
	uint8_t *icmp = f + ETH_LEN + IP6_LEN;

	memcpy(dst + 13, target + 13, 3);
	memcpy(dmac + 3, target + 13, 3);
	memset(f, 0, ND_FRAME);
	eth(f, dmac, mac_h, 0x86dd);
	ip6(f, host_u6, dst, ND_LEN, 255);
	icmp[0] = ICMP6_NS;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 1;				/* source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, mac_h, 6);
	put16(icmp + 2, icmp6_sum(f, ND_FRAME));
	return ND_FRAME;
}

/* RFC 4861 §4.4: an unsolicited NA the other node sends for TARGET. */
static uint16_t
na6_other(uint8_t *f, const uint8_t *target)
{
	uint8_t all[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t dmac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t *icmp = f + ETH_LEN + IP6_LEN;

	memset(f, 0, ND_FRAME);
	eth(f, dmac, mac_other, 0x86dd);
	ip6(f, target, all, ND_LEN, 255);
	icmp[0] = ICMP6_NA;
	icmp[4] = 0xa0;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, mac_other, 6);
	put16(icmp + 2, icmp6_sum(f, ND_FRAME));
	return ND_FRAME;
}

/* ---- driving the dataplane ---- */

static void
feed(uint8_t port, const uint8_t *f, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, len), f, len);
	dp_forward_burst(w, port, &m, 1);
	w->neigh_memo.valid = false;		/* as dp_worker_flush does */
}

/* Frames the control core queued for the worker to send (dp_ctl_tx). */
static unsigned int
take_ctl(struct rte_mbuf **out, unsigned int max)
{
	return rte_ring_dequeue_burst(w->tx_ring, (void **)out, max, NULL);
}

static uint16_t
take_tx(uint8_t port, struct rte_mbuf **out)
{
	uint16_t n = w->txbuf[port].n;

	memcpy(out, w->txbuf[port].m, n * sizeof(*out));
	w->txbuf[port].n = 0;
	return n;
}

static void
free_all(struct rte_mbuf **m, unsigned int n)
{
	rte_pktmbuf_free_bulk(m, n);
}

static uint64_t
ctl_drops(uint8_t port, enum dp_drop_reason r)
{
	return dp.ctl_counters.port[port].drops[r];
}

static uint64_t
w_drops(uint8_t port, enum dp_drop_reason r)
{
	return w->counters.port[port].drops[r];
}

static bool
frame_is(struct rte_mbuf *m, const uint8_t *f, uint16_t len)
{
	return rte_pktmbuf_data_len(m) == len && memcmp(rte_pktmbuf_mtod(m, void *), f, len) == 0;
}

/* Claims the VIPs and drops the announcements. */
static void
claim(void)
{
	struct rte_mbuf *m[ANNOUNCED];

	CU_ASSERT_EQUAL(dp_vip_claim(&dp), 0);
	CU_ASSERT_EQUAL(take_ctl(m, ANNOUNCED), ANNOUNCED);
	free_all(m, ANNOUNCED);
}

/* The punt ring served by the control core; frames it sent are left in
 * the worker's TX ring. Returns the number of punted packets. */
static unsigned int
serve(void)
{
	return dp_punt_poll(&dp);
}

static void
reset(void)
{
	struct rte_mbuf *m[RING_SIZE];
	unsigned int n;

	dp_vip_release(&dp);
	while ((n = take_ctl(m, RING_SIZE)) != 0)
		free_all(m, n);
	while ((n = rte_ring_dequeue_burst(dp.punt_ring, (void **)m, RING_SIZE, NULL)) != 0)
		free_all(m, n);
	for (uint8_t p = 0; p < N_PORTS; p++)
		free_all(m, take_tx(p, m));
	memset(&w->counters, 0, sizeof(w->counters));
	memset(&dp.ctl_counters, 0, sizeof(dp.ctl_counters));
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* ---- tests ---- */

static void
test_promisc_and_mac(void)
{
	struct rte_ether_addr multi = { .addr_bytes = { 0x03, 0, 0x5e, 0, 1, 1 } };
	struct rte_ether_addr zero = { .addr_bytes = { 0 } };

	/* Set up in setup(): ports with a VIP are promiscuous, the sync port not. */
	CU_ASSERT_EQUAL(rte_eth_promiscuous_get(dp.iface[P_U].port_id), 1);
	CU_ASSERT_EQUAL(rte_eth_promiscuous_get(dp.iface[P_T].port_id), 1);
	CU_ASSERT_EQUAL(rte_eth_promiscuous_get(dp.iface[P_S].port_id), 0);
	CU_ASSERT_EQUAL(dp_vip_set_mac(&dp, &multi), -EINVAL);
	CU_ASSERT_EQUAL(dp_vip_set_mac(&dp, &zero), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(dp.vips.vmac.addr_bytes, vmac, 6), 0);
	CU_ASSERT_FALSE(dp_vip_owned(&dp));
	claim();
	CU_ASSERT_TRUE(dp_vip_owned(&dp));
	CU_ASSERT_EQUAL(dp_vip_set_mac(&dp, (const struct rte_ether_addr *)mac_other), -EBUSY);
	CU_ASSERT_EQUAL(memcmp(dp.vips.vmac.addr_bytes, vmac, 6), 0);
	reset();
}

static void
test_announce(void)
{
	struct rte_mbuf *m[2 * ANNOUNCED];

	CU_ASSERT_EQUAL(dp_vip_announce(&dp), 0);	/* not owned */
	CU_ASSERT_EQUAL(take_ctl(m, ANNOUNCED), 0);
	CU_ASSERT_PTR_NULL(dp.iface[P_U].vmac);
	CU_ASSERT_EQUAL(dp_vip_claim(&dp), 0);
	CU_ASSERT_PTR_EQUAL(dp.iface[P_U].vmac, &dp.vips.vmac);
	CU_ASSERT_PTR_EQUAL(dp.iface[P_T].vmac, &dp.vips.vmac);
	CU_ASSERT_PTR_NULL(dp.iface[P_S].vmac);
	CU_ASSERT_EQUAL_FATAL(take_ctl(m, 2 * ANNOUNCED), ANNOUNCED);
	/* Three rounds of: GARP 192.0.2.1, NA 2001:db8:2::1 (port 0), GARP 10.1.0.1. */
	for (unsigned int r = 0; r < DP_VIP_ANNOUNCE_COUNT; r++) {
		struct rte_mbuf **f = &m[r * N_VIPS];
		uint8_t garp_t4[ARP_FRAME];

		memcpy(garp_t4, garp_u4, ARP_FRAME);
		memcpy(garp_t4 + ETH_LEN + 14, vip_t4, 4);
		memcpy(garp_t4 + ETH_LEN + 24, vip_t4, 4);
		CU_ASSERT_TRUE(frame_is(f[0], garp_u4, ARP_FRAME));
		CU_ASSERT_EQUAL(dp_meta(f[0])->out_port, P_U);
		CU_ASSERT_TRUE(frame_is(f[1], na_u6, ND_FRAME));
		CU_ASSERT_EQUAL(dp_meta(f[1])->out_port, P_U);
		CU_ASSERT_EQUAL(icmp6_sum(rte_pktmbuf_mtod(f[1], uint8_t *), ND_FRAME), 0);
		CU_ASSERT_TRUE(frame_is(f[2], garp_t4, ARP_FRAME));
		CU_ASSERT_EQUAL(dp_meta(f[2])->out_port, P_T);
	}
	free_all(m, ANNOUNCED);
	/* The caller's repeats, and claiming again: the same frames. */
	CU_ASSERT_EQUAL(dp_vip_announce(&dp), ANNOUNCED);
	CU_ASSERT_EQUAL(dp_vip_claim(&dp), 0);
	CU_ASSERT_EQUAL_FATAL(take_ctl(m, 2 * ANNOUNCED), 2 * ANNOUNCED);
	CU_ASSERT_TRUE(frame_is(m[ANNOUNCED], garp_u4, ARP_FRAME));
	CU_ASSERT_TRUE(frame_is(m[ANNOUNCED + 1], na_u6, ND_FRAME));
	free_all(m, 2 * ANNOUNCED);
	dp_vip_release(&dp);
	CU_ASSERT_FALSE(dp_vip_owned(&dp));
	CU_ASSERT_PTR_NULL(dp.iface[P_U].vmac);
	CU_ASSERT_PTR_NULL(dp.iface[P_T].vmac);
	CU_ASSERT_EQUAL(dp_vip_announce(&dp), 0);
	CU_ASSERT_EQUAL(take_ctl(m, ANNOUNCED), 0);
	reset();
}

/* One ARP request through the worker and the control core; the reply (or
 * NULL) taken from the worker's TX ring. */
static struct rte_mbuf *
arp_exchange(uint8_t port, const uint8_t *sha, const uint8_t *sip, const uint8_t *tip)
{
	uint8_t f[FRAME_MAX];
	struct rte_mbuf *r = NULL;

	feed(port, f, arp_req(f, sha, sip, tip));
	CU_ASSERT_EQUAL(serve(), 1);
	if (take_ctl(&r, 1) != 1)
		return NULL;
	return r;
}

/* RFC 826 reply to the host's request for TIP: sender SHA, from SRC. */
static void
expect_arp_reply(struct rte_mbuf *r, const uint8_t *src, const uint8_t *sha, const uint8_t *tip,
		 const uint8_t *dmac, const uint8_t *dip)
{
	static const uint8_t hdr[8] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02 };
	uint8_t want[ARP_FRAME];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	eth(want, dmac, src, 0x0806);
	memcpy(want + ETH_LEN, hdr, sizeof(hdr));
	memcpy(want + ETH_LEN + 8, sha, 6);
	memcpy(want + ETH_LEN + 14, tip, 4);
	memcpy(want + ETH_LEN + 18, dmac, 6);
	memcpy(want + ETH_LEN + 24, dip, 4);
	CU_ASSERT_TRUE(frame_is(r, want, ARP_FRAME));
	rte_pktmbuf_free(r);
}

/* Replies are checked byte by byte; drop counters only where the sender
 * cannot be learned (RFC 826 merge: a known sender's request that is not
 * for us refreshes its entry and is not counted as a drop). */
static void
test_arp(void)
{
	struct dp_neigh_key key = { .port = P_U, .family = AF_INET };
	struct rte_ether_addr mac;
	uint8_t f[FRAME_MAX];

	/* Not owned: the VIP is not ours. */
	CU_ASSERT_PTR_NULL(arp_exchange(P_U, mac_a, host_a4, vip_u4));
	CU_ASSERT_EQUAL(ctl_drops(P_U, DP_DROP_ARP_NOT_FOR_US), 1);
	memcpy(key.addr, host_a4, 4);
	CU_ASSERT_FALSE(dp_neigh_lookup(dp.neigh, &key, &mac));
	claim();
	expect_arp_reply(arp_exchange(P_U, mac_a, host_a4, vip_u4), vmac, vmac, vip_u4, mac_a,
			 host_a4);
	CU_ASSERT_TRUE(dp_neigh_lookup(dp.neigh, &key, &mac));	/* request for us: learned */
	CU_ASSERT_EQUAL(memcmp(mac.addr_bytes, mac_a, 6), 0);
	/* Our own address: the port's MAC, sent from the vmac. */
	expect_arp_reply(arp_exchange(P_U, mac_h, host_u4, own_u4), vmac, mac_u, own_u4, mac_h,
			 host_u4);
	/* The trusted port's VIP: answered there only. */
	CU_ASSERT_PTR_NULL(arp_exchange(P_U, mac_h, host_u4, vip_t4));
	expect_arp_reply(arp_exchange(P_T, mac_l, host_t4, vip_t4), vmac, vmac, vip_t4, mac_l,
			 host_t4);
	/* The sync port has no VIP and no vmac. */
	expect_arp_reply(arp_exchange(P_S, mac_p, peer_s4, own_s4), mac_s, mac_s, own_s4, mac_p,
			 peer_s4);
	/* The other node announcing our VIP: a conflict, not learned. */
	feed(P_U, f, arp_req(f, mac_other, vip_u4, vip_u4));
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL(ctl_drops(P_U, DP_DROP_ARP_NOT_FOR_US), 2);
	memcpy(key.addr, vip_u4, 4);
	CU_ASSERT_FALSE(dp_neigh_lookup(dp.neigh, &key, &mac));
	/* Released: no answer any more. */
	dp_vip_release(&dp);
	CU_ASSERT_PTR_NULL(arp_exchange(P_U, mac_a, host_a4, vip_u4));
	reset();
}

static void
test_nd(void)
{
	uint8_t f[FRAME_MAX], want[ND_FRAME];
	uint8_t *icmp = want + ETH_LEN + IP6_LEN;
	struct rte_mbuf *r = NULL;

	feed(P_U, f, ns6(f, vip_u6));
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL(take_ctl(&r, 1), 0);
	CU_ASSERT_EQUAL(ctl_drops(P_U, DP_DROP_ND_NOT_FOR_US), 1);
	claim();
	feed(P_U, f, ns6(f, vip_u6));
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL_FATAL(take_ctl(&r, 1), 1);
	/* RFC 4861 §7.2.4: from the VIP to the host, R, S and O, TLLA vmac. */
	memset(want, 0, sizeof(want));
	eth(want, mac_h, vmac, 0x86dd);
	ip6(want, vip_u6, host_u6, ND_LEN, 255);
	icmp[0] = ICMP6_NA;
	icmp[4] = 0xe0;
	memcpy(icmp + 8, vip_u6, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, vmac, 6);
	put16(icmp + 2, icmp6_sum(want, ND_FRAME));
	CU_ASSERT_TRUE(frame_is(r, want, ND_FRAME));
	rte_pktmbuf_free(r);
	/* Our own address: TLLA the port's MAC. */
	feed(P_U, f, ns6(f, own_u6));
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL_FATAL(take_ctl(&r, 1), 1);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(r, uint8_t *, ETH_LEN + IP6_LEN + 26),
			       mac_u, 6), 0);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(r, uint8_t *, 6), vmac, 6), 0);
	rte_pktmbuf_free(r);
	/* The other node advertising our VIP: not learned. */
	feed(P_U, f, na6_other(f, vip_u6));
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL(ctl_drops(P_U, DP_DROP_ND_NOT_FOR_US), 2);
	reset();
}

static void
expect_punt(enum dp_punt_reason why, uint8_t out_port, const uint8_t *nexthop, size_t alen)
{
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL_FATAL(rte_ring_dequeue(dp.punt_ring, (void **)&m), 0);
	CU_ASSERT_EQUAL(dp_meta(m)->punt_reason, why);
	if (why == DP_PUNT_RESOLVE) {
		CU_ASSERT_EQUAL(dp_meta(m)->out_port, out_port);
		CU_ASSERT_EQUAL(memcmp(dp_meta(m)->nexthop, nexthop, alen), 0);
	}
	rte_pktmbuf_free(m);
}

static void
test_l2_and_local(void)
{
	uint8_t f[FRAME_MAX];
	struct rte_mbuf *r = NULL;
	const uint8_t *ip;

	/* Not owned: frames to the vmac are not ours; to our MAC, the VIP
	 * is a host on the untrusted link (resolved there). */
	feed(P_U, f, echo4(f, vmac, mac_h, host_u4, vip_u4));
	CU_ASSERT_EQUAL(w_drops(P_U, DP_DROP_NOT_OUR_MAC), 1);
	feed(P_T, f, echo4(f, mac_t, mac_l, host_t4, vip_u4));
	CU_ASSERT_EQUAL(w->counters.port[P_T].punted, 1);
	expect_punt(DP_PUNT_RESOLVE, P_U, vip_u4, 4);
	feed(P_T, f, echo6(f, mac_t, vip_u6));
	expect_punt(DP_PUNT_RESOLVE, P_U, vip_u6, 16);
	/* Owned: accepted on the ports with a VIP, local, answered from it. */
	claim();
	feed(P_U, f, echo4(f, vmac, mac_h, host_u4, vip_u4));
	CU_ASSERT_EQUAL(w_drops(P_U, DP_DROP_NOT_OUR_MAC), 1);
	CU_ASSERT_EQUAL(rte_ring_count(dp.punt_ring), 1);
	CU_ASSERT_EQUAL(serve(), 1);
	CU_ASSERT_EQUAL_FATAL(take_ctl(&r, 1), 1);
	ip = rte_pktmbuf_mtod_offset(r, const uint8_t *, ETH_LEN);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(r, uint8_t *), mac_h, 6), 0);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(r, uint8_t *, 6), vmac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 12, vip_u4, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 16, host_u4, 4), 0);
	CU_ASSERT_EQUAL(ip[IP4_LEN], ICMP_ECHO_REPLY);
	rte_pktmbuf_free(r);
	feed(P_T, f, echo4(f, vmac, mac_l, host_t4, vip_t4));
	expect_punt(DP_PUNT_LOCAL, 0, NULL, 0);
	feed(P_U, f, echo6(f, vmac, vip_u6));
	expect_punt(DP_PUNT_LOCAL, 0, NULL, 0);
	feed(P_U, f, echo4(f, mac_u, mac_h, host_u4, vip_u4));	/* own MAC still */
	expect_punt(DP_PUNT_LOCAL, 0, NULL, 0);
	/* The sync port has no VIP: the vmac is not its. */
	feed(P_S, f, echo4(f, vmac, mac_p, peer_s4, own_s4));
	CU_ASSERT_EQUAL(w_drops(P_S, DP_DROP_NOT_OUR_MAC), 1);
	CU_ASSERT_EQUAL(rte_ring_count(dp.punt_ring), 0);
	/* Released: back to not ours. */
	dp_vip_release(&dp);
	feed(P_U, f, echo4(f, vmac, mac_h, host_u4, vip_u4));
	CU_ASSERT_EQUAL(w_drops(P_U, DP_DROP_NOT_OUR_MAC), 2);
	feed(P_T, f, echo4(f, mac_t, mac_l, host_t4, vip_u4));
	expect_punt(DP_PUNT_RESOLVE, P_U, vip_u4, 4);
	reset();
}

/* The Ethernet source of a packet forwarded from IN to DST (a static
 * neighbour on OUT) is SRC. */
static void
expect_fwd_src(uint8_t in, const uint8_t *in_mac, const uint8_t *smac, const uint8_t *src,
	       const uint8_t *dst, uint8_t out, const uint8_t *want)
{
	uint8_t f[FRAME_MAX];
	struct rte_mbuf *m[4];

	feed(in, f, echo4(f, in_mac, smac, src, dst));
	CU_ASSERT_EQUAL_FATAL(take_tx(out, m), 1);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m[0], uint8_t *, 6), want, 6), 0);
	rte_pktmbuf_free(m[0]);
}

static void
test_src_mac(void)
{
	struct dp_neigh_key key = { .port = P_U, .family = AF_INET };
	struct rte_mbuf *r = NULL;
	const uint8_t *a;

	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, mac_u);
	expect_fwd_src(P_U, mac_u, mac_h, host_u4, host_t4, P_T, mac_t);
	claim();
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, vmac);
	expect_fwd_src(P_U, vmac, mac_h, host_u4, host_t4, P_T, vmac);
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, peer_s4, P_S, mac_s);
	/* A resolution: the vmac as Ethernet source, the port's MAC in ARP. */
	memcpy(key.addr, (const uint8_t[4]){ 192, 0, 2, 77 }, 4);
	dp_arp_solicit(&dp, &key, NULL);
	CU_ASSERT_EQUAL_FATAL(take_ctl(&r, 1), 1);
	a = rte_pktmbuf_mtod(r, const uint8_t *);
	CU_ASSERT_EQUAL(memcmp(a, bcast, 6), 0);
	CU_ASSERT_EQUAL(memcmp(a + 6, vmac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(a + ETH_LEN + 8, mac_u, 6), 0);
	CU_ASSERT_EQUAL(memcmp(a + ETH_LEN + 14, own_u4, 4), 0);
	rte_pktmbuf_free(r);
	dp_vip_release(&dp);
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, mac_u);
	CU_ASSERT_EQUAL(w_drops(P_U, DP_DROP_NOT_OUR_MAC) + w_drops(P_T, DP_DROP_NOT_OUR_MAC), 0);
	reset();
}

/* A switchover handing the VIPs over (dp_vip_yield): still ours (frames to
 * the vmac accepted and forwarded, ARP answered with the vmac), but every
 * frame leaves with the port's own MAC and nothing is announced; a claim
 * restores the vmac as source and announces, a release ends it all. */
static void
test_yield(void)
{
	struct rte_mbuf *m[2 * ANNOUNCED];

	dp_vip_yield(&dp);			/* not owned: nothing */
	CU_ASSERT_FALSE(dp_vip_owned(&dp));
	CU_ASSERT_FALSE(dp.vips.yielding);
	claim();
	dp_vip_yield(&dp);
	CU_ASSERT_TRUE(dp_vip_owned(&dp));
	CU_ASSERT_PTR_EQUAL(dp.iface[P_U].vmac, &dp.vips.vmac);
	CU_ASSERT_PTR_NULL(dp.iface[P_U].src_vmac);
	CU_ASSERT_PTR_NULL(dp.iface[P_T].src_vmac);
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, mac_u);
	expect_fwd_src(P_U, vmac, mac_h, host_u4, host_t4, P_T, mac_t);
	CU_ASSERT_EQUAL(w_drops(P_U, DP_DROP_NOT_OUR_MAC), 0);
	/* ARP for the VIP: the vmac in the answer, the port's MAC as source. */
	expect_arp_reply(arp_exchange(P_U, mac_a, host_a4, vip_u4), mac_u, vmac, vip_u4, mac_a,
			 host_a4);
	CU_ASSERT_EQUAL(dp_vip_announce(&dp), 0);
	CU_ASSERT_EQUAL(take_ctl(m, ANNOUNCED), 0);
	/* The switchover failed: claimed again, announced, the vmac as source. */
	CU_ASSERT_EQUAL(dp_vip_claim(&dp), 0);
	CU_ASSERT_FALSE(dp.vips.yielding);
	CU_ASSERT_PTR_EQUAL(dp.iface[P_U].src_vmac, &dp.vips.vmac);
	CU_ASSERT_EQUAL(take_ctl(m, 2 * ANNOUNCED), ANNOUNCED);
	free_all(m, ANNOUNCED);
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, vmac);
	/* Yield, then the hand-over completed: released. */
	dp_vip_yield(&dp);
	dp_vip_release(&dp);
	CU_ASSERT_FALSE(dp.vips.yielding);
	CU_ASSERT_PTR_NULL(dp.iface[P_U].vmac);
	CU_ASSERT_PTR_NULL(dp.iface[P_U].src_vmac);
	expect_fwd_src(P_T, mac_t, mac_l, host_t4, host_u4, P_U, mac_u);
	reset();
}

static struct cfg_prefix
pfx(uint8_t family, const uint8_t *addr)
{
	struct cfg_prefix p = { .family = family, .len = family == AF_INET ? 32 : 128 };

	memcpy(p.addr.bytes, addr, family == AF_INET ? 4 : 16);
	return p;
}

/* Last: fills the table. */
static void
test_add_checks(void)
{
	static const uint8_t bad4[][4] = {
		{ 0, 0, 0, 1 }, { 127, 0, 0, 1 }, { 224, 0, 0, 1 }, { 255, 255, 255, 255 },
	};
	static const uint8_t bad6[][16] = {
		{ [15] = 1 }, { 0xfe, 0x80, [15] = 1 }, { 0xff, 0x02, [15] = 1 },
	};
	struct cfg_prefix p;

	for (size_t i = 0; i < RTE_DIM(bad4); i++) {
		p = pfx(AF_INET, bad4[i]);
		CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), -EINVAL);
	}
	for (size_t i = 0; i < RTE_DIM(bad6); i++) {
		p = pfx(AF_INET6, bad6[i]);
		CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), -EINVAL);
	}
	p = pfx(AF_INET, (const uint8_t[4]){ 192, 0, 2, 50 });
	CU_ASSERT_EQUAL(dp_vip_add(&dp, N_PORTS, &p), -EINVAL);
	CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, NULL), -EINVAL);
	p.family = 0;
	CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), -EINVAL);
	p = pfx(AF_INET, own_u4);
	CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), -EEXIST);
	p = pfx(AF_INET, vip_t4);
	CU_ASSERT_EQUAL(dp_vip_add(&dp, P_T, &p), -EEXIST);
	CU_ASSERT_EQUAL(dp.vips.n, N_VIPS);
	CU_ASSERT_EQUAL(dp.vips.port_mask, 1u << P_U | 1u << P_T);
	for (uint8_t i = N_VIPS; i < DP_VIP_MAX; i++) {
		p = pfx(AF_INET, (const uint8_t[4]){ 192, 0, 2, (uint8_t)(100 + i) });
		CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), 0);
	}
	p = pfx(AF_INET, (const uint8_t[4]){ 192, 0, 2, 99 });
	CU_ASSERT_EQUAL(dp_vip_add(&dp, P_U, &p), -ENOSPC);
	CU_ASSERT_EQUAL(dp.vips.n, DP_VIP_MAX);
	CU_ASSERT_EQUAL(dp.vips.port_mask, 1u << P_U | 1u << P_T);
	reset();
}

/* ---- setup ---- */

static void
neigh_solicit(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	if (key->family == AF_INET)
		dp_arp_solicit(&dp, key, mac);
	else
		dp_nd_solicit(&dp, key, mac);
}

static void
neigh_send(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac,
	   struct rte_mbuf *m)
{
	dp_ether_fill(&dp, m, (uint8_t)key->port, mac);
	dp_ctl_tx(&dp, (uint8_t)key->port, m);
}

static void
neigh_drop(void *arg, struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

static int
add_neigh(uint8_t port, uint8_t family, const uint8_t *addr, const uint8_t *mac)
{
	struct dp_neigh_key key = { .port = port, .family = family };
	struct rte_ether_addr e;

	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	memcpy(e.addr_bytes, mac, 6);
	return dp_neigh_add_static(dp.neigh, &key, &e);
}

static int
build_neigh(void)
{
	struct dp_neigh_params p = { .entries = 16, .reachable_ms = 30000, .retrans_ms = 1000,
				     .max_probes = 3, .pending_per_entry = 1, .pending_total = 4,
				     .socket = SOCKET_ID_ANY };
	struct dp_neigh_ops ops = { .solicit = neigh_solicit, .send = neigh_send,
				    .drop = neigh_drop };

	dp.neigh = dp_neigh_create("t_vip_neigh", &p, &ops);
	if (dp.neigh == NULL)
		return -1;
	return add_neigh(P_U, AF_INET, host_u4, mac_h) | add_neigh(P_T, AF_INET, host_t4, mac_l) |
	       add_neigh(P_S, AF_INET, peer_s4, mac_p) | add_neigh(P_U, AF_INET6, host_u6, mac_h);
}

/* As dp.c: own addresses LOCAL, their subnets CONNECTED. */
static int
add_port(uint8_t i, enum cfg_port_role role, const uint8_t *mac, const uint8_t *a4,
	 const uint8_t *a6)
{
	struct dp_iface *ifc = &dp.iface[i];
	struct dp_nexthop local = { .kind = DP_NH_LOCAL, .port = i };
	struct dp_nexthop conn = { .kind = DP_NH_CONNECTED, .port = i };
	int rc;

	ifc->port_id = i;
	ifc->index = i;
	ifc->role = role;
	ifc->mtu = 1500;
	memcpy(ifc->mac.addr_bytes, mac, 6);
	ifc->ipv6_link_local[0] = 0xfe;
	ifc->ipv6_link_local[1] = 0x80;
	ifc->ipv6_link_local[15] = (uint8_t)(i + 1);
	ifc->n_ipv4 = 1;
	ifc->ipv4[0] = pfx(AF_INET, a4);
	rc = dp_route_add(dp.routes, &ifc->ipv4[0], &local);
	ifc->ipv4[0].len = a4[0] == 169 ? 30 : 24;
	rc |= dp_route_add(dp.routes, &ifc->ipv4[0], &conn);
	if (a6 == NULL)
		return rc;
	ifc->n_ipv6 = 1;
	ifc->ipv6[0] = pfx(AF_INET6, a6);
	rc |= dp_route_add(dp.routes, &ifc->ipv6[0], &local);
	ifc->ipv6[0].len = 64;
	return rc | dp_route_add(dp.routes, &ifc->ipv6[0], &conn);
}

static int
add_vips(void)
{
	struct cfg_prefix a = pfx(AF_INET, vip_u4), b = pfx(AF_INET6, vip_u6),
			  c = pfx(AF_INET, vip_t4);

	/* the ports may start promiscuous: off, to see dp_vip_set_mac turn it on. */
	for (uint16_t p = 0; p < N_PORTS; p++)
		if (rte_eth_promiscuous_disable(p) != 0 || rte_eth_promiscuous_get(p) != 0)
			return -1;

	if (dp_vip_add(&dp, P_U, &a) != 0 || dp_vip_add(&dp, P_U, &b) != 0 ||
	    dp_vip_add(&dp, P_T, &c) != 0)
		return -1;
	return dp_vip_set_mac(&dp, (const struct rte_ether_addr *)vmac);
}

static int
setup(void)
{
	struct dp_spd_params pp = { .max_policies = 4, .max_clients = 16,
				    .default_action = DP_POLICY_BYPASS, .socket = SOCKET_ID_ANY };

	pool = rte_pktmbuf_pool_create("t_vip_pool", POOL_SIZE, 0,
				       RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	w = rte_zmalloc("t_vip_w", sizeof(*w), RTE_CACHE_LINE_SIZE);
	dp.routes = dp_route_create("t_vip_rt", 32, SOCKET_ID_ANY);
	if (pool == NULL || w == NULL || dp.routes == NULL)
		return -1;
	dp.pool = pool;
	dp.n_ifaces = N_PORTS;
	dp.burst = DP_MAX_BURST;
	dp.ike_port = 500;
	dp.natt_port = 4500;
	dp.icmp_limit.rate = 100;
	dp.icmp_limit.burst = 100;
	dp.punt_ring = rte_ring_create("t_vip_punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp.spd = dp_spd_create("t_vip", &pp);
	w->dp = &dp;
	w->tx_ring = rte_ring_create("t_vip_tx", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp.n_workers = 1;
	dp.workers[0] = w;
	if (dp.punt_ring == NULL || dp.spd == NULL || w->tx_ring == NULL ||
	    add_port(P_U, CFG_ROLE_UNTRUSTED, mac_u, own_u4, own_u6) != 0 ||
	    add_port(P_T, CFG_ROLE_TRUSTED, mac_t, own_t4, NULL) != 0 ||
	    add_port(P_S, CFG_ROLE_SYNC, mac_s, own_s4, NULL) != 0 || build_neigh() != 0)
		return -1;
	return add_vips();
}

static void
teardown(void)
{
	dp_neigh_free(dp.neigh);
	dp_spd_free(dp.spd);
	dp_route_free(dp.routes);
	rte_ring_free(w->tx_ring);
	rte_ring_free(dp.punt_ring);
	rte_free(w);
	rte_mempool_free(pool);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_vip", "-l", "0", "--log-level=3",
			"--vdev=net_ring0", "--vdev=net_ring1", "--vdev=net_ring2" };
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "promiscuous ports, vmac checks", test_promisc_and_mac },
		{ "GARP and unsolicited NA: exact bytes, 3 rounds", test_announce },
		{ "ARP for a VIP answered only while owned", test_arp },
		{ "NS for a VIP answered only while owned", test_nd },
		{ "L2 accept of the vmac, VIPs local only while owned", test_l2_and_local },
		{ "source MAC switched on ports with a VIP", test_src_mac },
		{ "yield: ours, but the own MACs as source, no announcement", test_yield },
		{ "dp_vip_add checks and table limit", test_add_checks },
	};
	CU_pSuite suite;
	unsigned int failures;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0 || setup() < 0) {
		fprintf(stderr, "EAL init or test setup failed (%d ports)\n",
			rte_eth_dev_count_avail());
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("vip", NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	teardown();
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
