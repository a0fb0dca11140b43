/*
 * Unit tests for the control core's local protocols: ARP (arp.c), IPv6
 * neighbour discovery (nd.c), ICMP echo and errors (icmp.c). Frames go in
 * as bytes; what the code sends is captured by the fixture's test doubles
 * of dp_ctl_tx()/dp_ctl_output() and compared byte for byte with frames
 * scapy produced (local_proto_frames.h); checksums are also re-verified
 * with a checksum routine that shares no code with the dataplane.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tests/unit/cu_run.h"
#include "tests/unit/dataplane/local_proto_fixture.h"
#include "tests/unit/dataplane/local_proto_frames.h"

/* ---- ARP ---- */

enum {
	ARP_HLEN = 18, ARP_PLEN = 19, ARP_OP = 21, ARP_SHA = 22, ARP_SPA = 28, ARP_TPA = 38,
	ARP_LEN = 42,
};

static void
test_arp_request(void)
{
	static const uint8_t host[4] = { 192, 0, 2, 10 };
	struct rte_ether_addr mac;

	begin();
	arp_in(arp_req_in, sizeof(arp_req_in), 0);
	CU_ASSERT_EQUAL(n_cap, 1);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, arp_reply_out, sizeof(arp_reply_out)));
	/* RFC 826: a request for us creates the sender's entry. */
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET, host, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_h));
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_arp_not_for_us(void)
{
	uint8_t f[sizeof(arp_req_in)];

	begin();
	memcpy(f, arp_req_in, sizeof(f));
	f[ARP_TPA + 3] = 99;			/* 192.0.2.99: nobody here */
	arp_in(f, sizeof(f), 0);
	memcpy(f + ARP_TPA, (uint8_t[]){ 198, 51, 100, 1 }, 4);	/* port 1's */
	arp_in(f, sizeof(f), 0);
	memcpy(f, arp_req_in, sizeof(f));
	f[ARP_SPA + 3] = 1;			/* sender claims 192.0.2.1 */
	arp_in(f, sizeof(f), 0);
	CU_ASSERT_EQUAL(n_cap, 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_ARP_NOT_FOR_US), 3);
	CU_ASSERT_EQUAL(all_drops(), 3);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	end();
}

static void
test_arp_malformed(void)
{
	static const struct {
		unsigned int off;
		uint8_t value;
	} bad[] = {
		{ 15, 6 },		/* hardware type 6 */
		{ 16, 0x86 },		/* protocol 0x86dd... */
		{ ARP_HLEN, 8 },
		{ ARP_PLEN, 6 },
		{ ARP_OP, 3 },		/* RARP request */
		{ ARP_SHA, 0x01 },	/* multicast sender MAC */
		{ ARP_SPA, 127 },	/* loopback sender */
		{ ARP_SPA, 224 },	/* multicast sender */
	};
	uint8_t f[sizeof(arp_req_in)];

	begin();
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		memcpy(f, arp_req_in, sizeof(f));
		f[bad[i].off] = bad[i].value;
		arp_in(f, sizeof(f), 0);
	}
	arp_in(arp_req_in, ARP_LEN - 1, 0);	/* truncated */
	CU_ASSERT_EQUAL(n_cap, 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_MALFORMED), RTE_DIM(bad) + 1);
	CU_ASSERT_EQUAL(all_drops(), RTE_DIM(bad) + 1);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	end();
}

static void
test_arp_learning(void)
{
	static const uint8_t host[4] = { 192, 0, 2, 10 }, h20[4] = { 192, 0, 2, 20 };
	struct dp_neigh_key k = { .port = 0, .family = AF_INET, .addr = { 192, 0, 2, 20 } };
	uint8_t f[sizeof(arp_req_in)];
	struct rte_ether_addr mac;

	begin();
	/* Gratuitous ARP for an unknown sender: nothing to update. */
	memcpy(f, arp_req_in, sizeof(f));
	memcpy(f + ARP_TPA, host, 4);
	arp_in(f, sizeof(f), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_ARP_NOT_FOR_US), 1);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	/* Known sender: its new MAC replaces the old one, silently. */
	arp_in(arp_req_in, sizeof(arp_req_in), 0);
	f[ARP_SHA + 5] = 0x11;
	arp_in(f, sizeof(f), 0);
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET, host, &mac));
	CU_ASSERT_EQUAL(mac.addr_bytes[5], 0x11);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_ARP_NOT_FOR_US), 1);
	CU_ASSERT_EQUAL(n_cap, 1);		/* the reply to the request only */
	/* A reply resolves an INCOMPLETE entry and releases what it held. */
	CU_ASSERT_EQUAL(dp_neigh_hold(dp.neigh, &k, rte_pktmbuf_alloc(pool), 0), 0);
	CU_ASSERT_EQUAL(n_cap, 2);		/* our broadcast request */
	memcpy(f, arp_reply_out, ARP_LEN);	/* a reply from 192.0.2.20 to us */
	f[ARP_OP] = 2;
	memcpy(f + ARP_SHA, mac_h20.addr_bytes, 6);
	memcpy(f + ARP_SPA, h20, 4);
	memcpy(f + ARP_TPA, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	arp_in(f, ARP_LEN, 0);
	CU_ASSERT_EQUAL(held_sent, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&held_mac, &mac_h20));
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET, h20, &mac));
	/* An unsolicited reply creates nothing. */
	f[ARP_SPA + 3] = 30;
	arp_in(f, ARP_LEN, 0);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 2);
	CU_ASSERT_EQUAL(n_cap, 2);
	CU_ASSERT_EQUAL(all_drops(), 1);
	end();
}

static void
test_arp_probe(void)
{
	uint8_t f[sizeof(arp_req_in)];

	begin();
	memcpy(f, arp_req_in, sizeof(f));
	memset(f + ARP_SPA, 0, 4);		/* RFC 5227 probe */
	arp_in(f, sizeof(f), 0);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, arp_probe_reply_out,
				    sizeof(arp_probe_reply_out)));
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_arp_solicit(void)
{
	struct dp_neigh_key k = { .port = 0, .family = AF_INET, .addr = { 192, 0, 2, 10 } };
	struct dp_neigh_key k1 = { .port = 1, .family = AF_INET, .addr = { 198, 51, 100, 7 } };

	begin();
	dp_arp_solicit(&dp, &k, NULL);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, arp_solicit_out, sizeof(arp_solicit_out)));
	dp_arp_solicit(&dp, &k, &mac_h);	/* unicast probe */
	CU_ASSERT_EQUAL(n_cap, 2);
	CU_ASSERT_EQUAL(memcmp(cap[1].bytes, mac_h.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(cap[1].bytes + 6, arp_solicit_out + 6, ARP_LEN - 6), 0);
	dp_arp_solicit(&dp, &k1, NULL);		/* port 1: its own address */
	CU_ASSERT_EQUAL(n_cap, 3);
	CU_ASSERT_EQUAL(cap[2].port, 1);
	CU_ASSERT_EQUAL(memcmp(cap[2].bytes + ARP_SPA, (uint8_t[]){ 198, 51, 100, 1 }, 4), 0);
	CU_ASSERT_EQUAL(memcmp(cap[2].bytes + ARP_SHA, mac_p1.addr_bytes, 6), 0);
	end();
}

/* ---- ND ---- */

enum {
	IP6_PLEN = 18, IP6_HLIM = 21, IP6_SRC = 22, IP6_DST = 38,
	ND_TYPE = 54, ND_CODE = 55, ND_FLAGS = 58, ND_TARGET = 62, ND_OPT = 78,
	NS_NO_OPT_LEN = 78,
};

static const uint8_t ip6_h20[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x20 };
static const uint8_t ip6_h[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };

static void
test_nd_ns_reply(void)
{
	struct rte_ether_addr mac;

	begin();
	nd_in(ns_in, sizeof(ns_in), 0);
	CU_ASSERT_EQUAL(n_cap, 1);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, na_out, sizeof(na_out)));
	CU_ASSERT_EQUAL(ref_icmp6(cap[0].bytes, cap[0].len), 0);
	/* RFC 4861 §7.2.3: the SLLAO creates the sender's entry. */
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET6, ip6_h, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_h));
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_nd_ns_link_local(void)
{
	static const uint8_t ll_h[16] = { 0xfe, 0x80, [15] = 0x10 };
	static const uint8_t ll_p0[16] = { 0xfe, 0x80, [15] = 0x01 };
	uint8_t f[sizeof(ns_in)];

	begin();
	memcpy(f, ns_in, sizeof(f));
	memcpy(f + IP6_SRC, ll_h, 16);
	memcpy(f + ND_TARGET, ll_p0, 16);
	fix_icmp6(f, sizeof(f));
	nd_in(f, sizeof(f), 0);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, na_ll_out, sizeof(na_ll_out)));
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_nd_dad(void)
{
	uint8_t f[sizeof(ns_in)];

	begin();
	memcpy(f, ns_in, NS_NO_OPT_LEN);
	memset(f + IP6_SRC, 0, 16);		/* from :: */
	f[IP6_PLEN + 1] = 24;			/* no SLLAO */
	fix_icmp6(f, NS_NO_OPT_LEN);
	nd_in(f, NS_NO_OPT_LEN, 0);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, na_dad_out, sizeof(na_dad_out)));
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

/* RFC 4861 §7.1.1/§7.1.2 validity checks, one failure per frame. */
static void
test_nd_malformed(void)
{
	uint8_t f[sizeof(ns_in)];
	unsigned int n = 0;

	begin();
#define NS_CASE(mutation, len) do { \
		memcpy(f, ns_in, sizeof(f)); \
		mutation; \
		fix_icmp6(f, len); \
		nd_in(f, len, 0); \
		n++; \
	} while (0)
	NS_CASE(f[ND_CODE] = 1, sizeof(f));
	NS_CASE(f[ND_OPT + 1] = 0, sizeof(f));			/* option length 0 */
	NS_CASE(f[ND_OPT + 1] = 2, sizeof(f));			/* option overruns */
	NS_CASE(f[ND_TARGET] = 0xff, sizeof(f));		/* multicast target */
	NS_CASE(memset(f + ND_TARGET, 0, 16), sizeof(f));	/* target :: */
	NS_CASE(memset(f + IP6_SRC, 0, 16), sizeof(f));		/* :: with SLLAO */
	NS_CASE((memset(f + IP6_SRC, 0, 16), f[IP6_PLEN + 1] = 24,
		 memcpy(f + IP6_DST, ip6_h, 16)), NS_NO_OPT_LEN);	/* :: to unicast */
	NS_CASE(f[IP6_PLEN + 1] = 20, ETH_LEN + IP6_LEN + 20);	/* shorter than 24 */
#undef NS_CASE
	memcpy(f, ns_in, sizeof(f));
	f[IP6_HLIM] = 64;					/* RFC 4861 §7.1.1 */
	nd_in(f, sizeof(f), 0);
	f[IP6_HLIM] = 255;
	f[ICMP6_CSUM_OFF] ^= 0x01;				/* bad checksum */
	nd_in(f, sizeof(f), 0);
	memcpy(f, na_in, sizeof(na_in));			/* S set, to multicast */
	memcpy(f + IP6_DST, (uint8_t[]){ 0xff, 0x02, [15] = 1 }, 16);
	fix_icmp6(f, sizeof(na_in));
	nd_in(f, sizeof(na_in), 0);
	n += 3;
	CU_ASSERT_EQUAL(n_cap, 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_MALFORMED), n);
	CU_ASSERT_EQUAL(all_drops(), n);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	end();
}

static void
test_nd_not_for_us(void)
{
	uint8_t f[sizeof(ns_in)];

	begin();
	memcpy(f, ns_in, sizeof(f));
	f[ND_TARGET + 15] = 0x99;			/* 2001:db8:1::99 */
	fix_icmp6(f, sizeof(f));
	nd_in(f, sizeof(f), 0);
	memcpy(f, ns_in, sizeof(f));
	f[IP6_SRC + 15] = 0x01;				/* from our own address */
	fix_icmp6(f, sizeof(f));
	nd_in(f, sizeof(f), 0);
	nd_in(na_in, sizeof(na_in), 0);			/* nobody asked */
	memcpy(f, na_in, sizeof(na_in));
	f[ND_TARGET + 15] = 0x01;			/* someone claims our address */
	fix_icmp6(f, sizeof(na_in));
	nd_in(f, sizeof(na_in), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_ND_NOT_FOR_US), 4);
	f[ND_TYPE] = 133;				/* router solicitation */
	fix_icmp6(f, sizeof(na_in));
	nd_in(f, sizeof(na_in), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_LOCAL_UNSUPPORTED), 1);
	CU_ASSERT_EQUAL(all_drops(), 5);
	CU_ASSERT_EQUAL(n_cap, 0);
	CU_ASSERT_EQUAL(dp_neigh_count(dp.neigh), 0);
	end();
}

static void
test_nd_na_learn(void)
{
	struct dp_neigh_key k = { .port = 0, .family = AF_INET6 };
	uint8_t f[sizeof(na_in)];
	struct rte_ether_addr mac;

	begin();
	memcpy(k.addr, ip6_h20, 16);
	CU_ASSERT_EQUAL(dp_neigh_hold(dp.neigh, &k, rte_pktmbuf_alloc(pool), 0), 0);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, ns_solicit_out, sizeof(ns_solicit_out)));
	nd_in(na_in, sizeof(na_in), 0);
	CU_ASSERT_EQUAL(held_sent, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&held_mac, &mac_h20));
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET6, ip6_h20, &mac));
	/* RFC 4861 §7.2.5: without O a different TLLA replaces nothing... */
	memcpy(f, na_in, sizeof(f));
	f[ND_FLAGS] = 0x40;
	f[ND_OPT + 7] = 0x99;
	fix_icmp6(f, sizeof(f));
	nd_in(f, sizeof(f), 0);
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET6, ip6_h20, &mac));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&mac, &mac_h20));
	/* ...with O it does. */
	f[ND_FLAGS] = 0x20;
	fix_icmp6(f, sizeof(f));
	nd_in(f, sizeof(f), 0);
	CU_ASSERT_TRUE(neigh_mac(0, AF_INET6, ip6_h20, &mac));
	CU_ASSERT_EQUAL(mac.addr_bytes[5], 0x99);
	CU_ASSERT_EQUAL(n_cap, 1);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_nd_solicit_unicast(void)
{
	struct dp_neigh_key k = { .port = 0, .family = AF_INET6 };

	begin();
	memcpy(k.addr, ip6_h, 16);
	dp_nd_solicit(&dp, &k, &mac_h);
	CU_ASSERT_TRUE(sent_exactly(0, false, 0, ns_unicast_out, sizeof(ns_unicast_out)));
	CU_ASSERT_EQUAL(ref_icmp6(cap[0].bytes, cap[0].len), 0);
	end();
}

/* ---- ICMP echo ---- */

enum { IP4_FRAG = 20, IP4_SRC = 26, IP4_DST = 30, ICMP4_TYPE = 34 };

static void
test_echo(void)
{
	begin();
	icmp_in(echo4_in, sizeof(echo4_in), 0);
	CU_ASSERT_TRUE(sent_exactly(0, true, 0, echo4_out, sizeof(echo4_out)));
	icmp_in(echo6_in, sizeof(echo6_in), 0);
	CU_ASSERT_TRUE(sent_exactly(1, true, 0, echo6_out, sizeof(echo6_out)));
	/* RFC 4443 §4.2: a multicast request is answered from a unicast address. */
	icmp_in(echo6_mc_in, sizeof(echo6_mc_in), 0);
	CU_ASSERT_TRUE(sent_exactly(2, true, 0, echo6_mc_out, sizeof(echo6_mc_out)));
	CU_ASSERT_EQUAL(n_cap, 3);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_icmp_not_served(void)
{
	uint8_t f[sizeof(echo6_in)];

	begin();
	memcpy(f, echo4_in, sizeof(echo4_in));
	f[sizeof(echo4_in) - 1] ^= 0xff;		/* bad ICMP checksum */
	icmp_in(f, sizeof(echo4_in), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_MALFORMED), 1);
	memcpy(f, echo4_in, sizeof(echo4_in));
	f[ICMP4_TYPE] = 13;				/* timestamp */
	fix_icmp4(f, sizeof(echo4_in));
	icmp_in(f, sizeof(echo4_in), 0);
	memcpy(f, echo4_in, sizeof(echo4_in));
	f[IP4_FRAG] = 0x20;				/* MF: no reassembly */
	icmp_in(f, sizeof(echo4_in), 0);
	memcpy(f, echo6_in, sizeof(echo6_in));
	f[ND_TYPE] = 130;				/* MLD query */
	fix_icmp6(f, sizeof(echo6_in));
	icmp_in(f, sizeof(echo6_in), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_LOCAL_UNSUPPORTED), 3);
	memcpy(f, echo4_in, sizeof(echo4_in));
	memcpy(f + IP4_SRC, (uint8_t[]){ 127, 0, 0, 1 }, 4);	/* loopback source */
	icmp_in(f, sizeof(echo4_in), 0);
	memcpy(f, echo6_in, sizeof(echo6_in));
	memset(f + IP6_SRC, 0, 16);			/* from :: */
	fix_icmp6(f, sizeof(echo6_in));
	icmp_in(f, sizeof(echo6_in), 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_MARTIAN), 2);
	CU_ASSERT_EQUAL(all_drops(), 6);
	CU_ASSERT_EQUAL(n_cap, 0);
	end();
}

/* ---- ICMP errors ---- */

static void
test_error_small(void)
{
	begin();
	error_in(ttl4_in, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	CU_ASSERT_TRUE(sent_exactly(0, true, 0, ttl4_out, sizeof(ttl4_out)));
	error_in(ttl4_in, sizeof(ttl4_in), DP_PUNT_NO_ROUTE, 0);
	CU_ASSERT_TRUE(sent_exactly(1, true, 0, noroute4_out, sizeof(noroute4_out)));
	error_in(ttl6_in, sizeof(ttl6_in), DP_PUNT_TTL_EXCEEDED, 0);
	CU_ASSERT_TRUE(sent_exactly(2, true, 0, ttl6_out, sizeof(ttl6_out)));
	CU_ASSERT_EQUAL(ref_icmp6(cap[2].bytes, cap[2].len), 0);
	error_in(ttl6_in, sizeof(ttl6_in), DP_PUNT_NO_ROUTE, 0);
	CU_ASSERT_TRUE(sent_exactly(3, true, 0, noroute6_out, sizeof(noroute6_out)));
	CU_ASSERT_EQUAL(n_cap, 4);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

/* A BIG_LEN-byte UDP datagram from the host to 203.0.113.5 / 2001:db8:99::5. */
static size_t
big_packet(uint8_t *f, bool v6)
{
	size_t hdr = v6 ? ETH_LEN + IP6_LEN : ETH_LEN + IP4_LEN;

	memcpy(f, v6 ? ttl6_in : ttl4_in, hdr);
	for (size_t i = hdr; i < ETH_LEN + BIG_LEN; i++)
		f[i] = (uint8_t)i;
	if (v6) {
		f[IP6_PLEN] = (BIG_LEN - IP6_LEN) >> 8;
		f[IP6_PLEN + 1] = (BIG_LEN - IP6_LEN) & 0xff;
	} else {
		f[16] = BIG_LEN >> 8;
		f[17] = BIG_LEN & 0xff;
		f[IP4_FRAG] = 0x40;			/* DF */
	}
	return ETH_LEN + BIG_LEN;
}

static void
test_error_too_big4(void)
{
	static uint8_t f[ETH_LEN + BIG_LEN];
	size_t len = big_packet(f, false);
	const uint8_t *o = cap[0].bytes;
	const uint8_t *icmp = o + ETH_LEN + IP4_LEN;

	begin();
	error_in(f, len, DP_PUNT_TOO_BIG, NEXT_MTU);
	CU_ASSERT_FATAL(n_cap == 1);
	/* RFC 1812 §4.3.2.3: the whole error fits in 576 bytes. */
	CU_ASSERT_EQUAL(cap[0].len, ETH_LEN + 576);
	CU_ASSERT_EQUAL(o[16] << 8 | o[17], 576);
	CU_ASSERT_EQUAL(o[15], 0xc0);
	CU_ASSERT_EQUAL(o[23], IPPROTO_ICMP);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(o + ETH_LEN, IP4_LEN, 0)), 0);
	CU_ASSERT_EQUAL(memcmp(o + IP4_SRC, (uint8_t[]){ 192, 0, 2, 1, 192, 0, 2, 10 }, 8), 0);
	/* RFC 1191 §4: type 3 code 4, unused 0, next-hop MTU. */
	CU_ASSERT_EQUAL(icmp[0], 3);
	CU_ASSERT_EQUAL(icmp[1], 4);
	CU_ASSERT_EQUAL(icmp[4] << 8 | icmp[5], 0);
	CU_ASSERT_EQUAL(icmp[6] << 8 | icmp[7], NEXT_MTU);
	CU_ASSERT_EQUAL(memcmp(icmp + 8, f + ETH_LEN, 576 - IP4_LEN - 8), 0);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(icmp, 576 - IP4_LEN, 0)), 0);
	end();
}

static void
test_error_too_big6(void)
{
	static uint8_t f[ETH_LEN + BIG_LEN];
	size_t len = big_packet(f, true);
	const uint8_t *o = cap[0].bytes;
	const uint8_t *icmp = o + L4_OFF6;

	begin();
	error_in(f, len, DP_PUNT_TOO_BIG, NEXT_MTU);
	CU_ASSERT_FATAL(n_cap == 1);
	/* RFC 4443 §2.4(c): no more than the minimum MTU, 1280. */
	CU_ASSERT_EQUAL(cap[0].len, ETH_LEN + 1280);
	CU_ASSERT_EQUAL(o[IP6_PLEN] << 8 | o[IP6_PLEN + 1], 1280 - IP6_LEN);
	CU_ASSERT_EQUAL(memcmp(o + IP6_SRC, dp.iface[0].ipv6[0].addr.v6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(o + IP6_DST, ip6_h, 16), 0);
	/* RFC 4443 §3.2: type 2 code 0, 32-bit MTU. */
	CU_ASSERT_EQUAL(icmp[0], 2);
	CU_ASSERT_EQUAL(icmp[1], 0);
	CU_ASSERT_EQUAL(memcmp(icmp + 4, (uint8_t[]){ 0, 0, NEXT_MTU >> 8, NEXT_MTU & 0xff }, 4),
			0);
	CU_ASSERT_EQUAL(memcmp(icmp + 8, f + ETH_LEN, 1280 - IP6_LEN - 8), 0);
	CU_ASSERT_EQUAL(ref_icmp6(o, cap[0].len), 0);
	end();
}

/* RFC 1812 §4.3.2.7, RFC 4443 §2.4(e): packets never answered. */
static void
test_error_never(void)
{
	static const uint8_t v4_bad_src[][4] = {
		{ 0, 0, 0, 0 }, { 127, 0, 0, 1 }, { 224, 1, 1, 1 }, { 240, 0, 0, 1 },
		{ 255, 255, 255, 255 }, { 192, 0, 2, 255 },	/* port 0's subnet broadcast */
	};
	uint8_t f[FRAME_MAX];

	begin();
	for (unsigned int i = 0; i < RTE_DIM(v4_bad_src); i++) {
		memcpy(f, ttl4_in, sizeof(ttl4_in));
		memcpy(f + IP4_SRC, v4_bad_src[i], 4);
		error_in(f, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	}
	memcpy(f, ttl4_in, sizeof(ttl4_in));
	memcpy(f + IP4_DST, (uint8_t[]){ 224, 0, 0, 9 }, 4);	/* multicast */
	error_in(f, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, ttl4_in, sizeof(ttl4_in));
	f[IP4_FRAG] = 0x00;
	f[IP4_FRAG + 1] = 0x10;				/* offset 128: not first */
	error_in(f, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, ttl4_in, sizeof(ttl4_in));
	f[0] = 0xff;					/* link-layer broadcast */
	error_in(f, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, echo4_in, sizeof(echo4_in));
	f[ICMP4_TYPE] = 3;				/* an ICMP error itself */
	error_in(f, sizeof(echo4_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, ttl6_in, sizeof(ttl6_in));
	memset(f + IP6_SRC, 0, 16);			/* from :: */
	error_in(f, sizeof(ttl6_in), DP_PUNT_NO_ROUTE, 0);
	memcpy(f, ttl6_in, sizeof(ttl6_in));
	f[IP6_DST] = 0xff;				/* to multicast */
	error_in(f, sizeof(ttl6_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, echo6_in, sizeof(echo6_in));
	f[ND_TYPE] = 1;					/* ICMPv6 error */
	error_in(f, sizeof(echo6_in), DP_PUNT_TTL_EXCEEDED, 0);
	f[ND_TYPE] = 137;				/* redirect */
	error_in(f, sizeof(echo6_in), DP_PUNT_TTL_EXCEEDED, 0);
	CU_ASSERT_EQUAL(n_cap, 0);
	/* Controls: an echo request is answered; packet too big is, even
	 * for a multicast destination (RFC 4443 §2.4(e.3)). */
	f[ND_TYPE] = 128;
	error_in(f, sizeof(echo6_in), DP_PUNT_TTL_EXCEEDED, 0);
	memcpy(f, ttl6_in, sizeof(ttl6_in));
	f[IP6_DST] = 0xff;
	error_in(f, sizeof(ttl6_in), DP_PUNT_TOO_BIG, 1280);
	CU_ASSERT_EQUAL(n_cap, 2);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
test_error_rate_limit(void)
{
	begin();
	memset(&dp.icmp_limit, 0, sizeof(dp.icmp_limit));	/* rate 0, burst 0 */
	for (unsigned int i = 0; i < 3; i++)
		error_in(ttl4_in, sizeof(ttl4_in), DP_PUNT_TTL_EXCEEDED, 0);
	error_in(ttl6_in, sizeof(ttl6_in), DP_PUNT_TOO_BIG, 1280);
	CU_ASSERT_EQUAL(n_cap, 0);
	CU_ASSERT_EQUAL(drops(0, DP_DROP_ICMP_RATE_LIMITED), 4);
	CU_ASSERT_EQUAL(all_drops(), 4);
	end();
}

/* The fixture's info_of() must say what dp_pkt_parse() says (punt.c
 * hands the parser's result to the handlers). */
static void
test_parse_contract(void)
{
	static const struct {
		const uint8_t *f;
		size_t len;
	} frames[] = {
		{ arp_req_in, sizeof(arp_req_in) }, { ns_in, sizeof(ns_in) },
		{ na_in, sizeof(na_in) }, { echo4_in, sizeof(echo4_in) },
		{ echo6_in, sizeof(echo6_in) }, { echo6_mc_in, sizeof(echo6_mc_in) },
		{ ttl4_in, sizeof(ttl4_in) }, { ttl6_in, sizeof(ttl6_in) },
	};

	for (unsigned int i = 0; i < RTE_DIM(frames); i++) {
		struct dp_pkt_info want = info_of(frames[i].f, frames[i].len), got;
		enum dp_drop_reason why;

		memset(&got, 0, sizeof(got));
		CU_ASSERT_EQUAL_FATAL(dp_pkt_parse(frames[i].f, frames[i].len, &got, &why), 0);
		CU_ASSERT_EQUAL(got.kind, want.kind);
		CU_ASSERT_EQUAL(got.l2_multicast, want.l2_multicast);
		CU_ASSERT_EQUAL(got.l3_off, want.l3_off);
		if (want.kind == DP_PKT_ARP)
			continue;
		CU_ASSERT_EQUAL(got.l4_proto, want.l4_proto);
		CU_ASSERT_EQUAL(got.fragment, want.fragment);
		CU_ASSERT_EQUAL(got.first_fragment, want.first_fragment);
		CU_ASSERT_EQUAL(got.l4_off, want.l4_off);
		CU_ASSERT_EQUAL(got.l3_len, want.l3_len);
	}
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "ARP request for us: reply, learn", test_arp_request },
		{ "ARP not for us", test_arp_not_for_us },
		{ "ARP malformed", test_arp_malformed },
		{ "ARP merge rule and replies", test_arp_learning },
		{ "ARP probe answered, not learned", test_arp_probe },
		{ "ARP solicit broadcast/unicast", test_arp_solicit },
		{ "NS for us: NA, learn SLLAO", test_nd_ns_reply },
		{ "NS for our link-local address", test_nd_ns_link_local },
		{ "NS from :: (DAD): NA to all-nodes", test_nd_dad },
		{ "ND validity checks", test_nd_malformed },
		{ "ND not for us", test_nd_not_for_us },
		{ "NA resolves, override rule", test_nd_na_learn },
		{ "NS unicast", test_nd_solicit_unicast },
		{ "echo replies", test_echo },
		{ "ICMP not served", test_icmp_not_served },
		{ "time exceeded / unreachable", test_error_small },
		{ "fragmentation needed", test_error_too_big4 },
		{ "packet too big", test_error_too_big6 },
		{ "errors never sent", test_error_never },
		{ "error rate limit", test_error_rate_limit },
		{ "fixture agrees with dp_pkt_parse", test_parse_contract },
	};
	CU_pSuite suite;
	unsigned int failures;

	if (lp_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("local_proto", NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
