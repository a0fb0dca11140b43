/*
 * Unit tests of the IPsec stages of the forwarding path (dataplane/
 * fwd_ipsec.c through dp_forward_burst): what an untrusted port does with
 * packets for our address (RFC 4303 ESP, RFC 3948 ESP-in-UDP, NAT
 * keepalives, non-ESP marker, IKE), every length check on the way, and
 * the hand-off of ESP to the worker that owns the SA, which looks the SA
 * up again and decrypts. Then the outbound SPD for what does not come
 * from a trusted port (RFC 4301 §5.1): decrypted packets, clear text from
 * the untrusted or the sync port, that leave through an untrusted port
 * (or have no route) are protected, discarded or bypassed by policy; a
 * client's packet to another client is encrypted again for that client
 * (checked by decrypting it). Lost SA events counted per worker, the outer IPv4 ID
 * counter per worker. Non-default IKE ports (ike.port 5000, ike.natt_port
 * 5001): ESP-in-UDP on 5001 only, 4500 plain local UDP; the box's own
 * datagrams from or to those ports skip the SPD (dp_ctl_output).
 * The trusted port's one-pass reader (fwd_fast.c): what it takes it reads
 * as the general stages do, what it leaves is untouched.
 * Table-driven; each row one frame, one outcome; no mbuf leaks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/flow.h"
#include "dataplane/fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/route.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"
#include "tests/unit/cu_run.h"

enum {
	PORT_UNTRUSTED = 0,
	PORT_TRUSTED = 1,
	PORT_SYNC = 2,
	N_WORKERS = 2,
	POOL_SIZE = 255,
	RING_SIZE = 64,
	FRAME_MAX = 256,
	ETH_LEN = 14,
	IP_LEN = 20,
	UDP_LEN = 8,
	IKE_PORT = 500,
	NATT_PORT = 4500,
	ALT_IKE_PORT = 5000,	/* test_ike_ports: ike.port, ike.natt_port */
	ALT_NATT_PORT = 5001,
	SPI_OWNED_BY_1 = 0x1001,
	SPI_UNKNOWN = 0x7777,
	IPV4_MF = 0x2000,
	/* Expected outcomes other than a drop reason. */
	PUNTED = -1,
	HANDED_OFF = -2,
	/* Outbound SPD rows (spd_rows). */
	SPI_A = 0x1005,		/* client A -> us (a-in), and a-peer, which makes that ESP */
	SPI_A_OUT = 0x2005,	/* us -> client A */
	SPI_B_OUT = 0x2006,	/* us -> client B (b-out), and b-peer, which opens it */
	SPI_EV = 0x2007,	/* lifetimes 1 / 2 packets: SA events */
	SPI_EV2 = 0x2008,
	ICMP_LEN = 8,
	ICMP_ECHO = 8,
	INNER_DATA = 16,
	INNER_TTL = 64,
	GEN_INDEX = 2,		/* worker index of the ESP generator (the ctl_worker slot) */
	ESP_HDR = 8,
	IPV4_ID_OFF = 4,
	IPV4_TTL_OFF = 8,
	IPV4_PROTO_OFF = 9,
	IPV4_SRC_OFF = 12,
	IPV4_DST_OFF = 16,
	HAIRPIN_BURST = 4,
};

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 1, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 1, 2 };
static const uint8_t our_ip[4] = { 192, 0, 2, 1 };
static const uint8_t peer_ip[4] = { 192, 0, 2, 2 };

static const uint8_t peer_b_ip[4] = { 192, 0, 2, 3 };
static const uint8_t inet_gw_ip[4] = { 192, 0, 2, 254 };
static const uint8_t neigh_mac[6] = { 0x02, 0, 0, 0, 9, 9 };
/* Inner addresses: remote-access clients A and B (no route), DISCARD
 * policies (no route; routed via the untrusted port; on the trusted side). */
static const uint8_t client_a[4] = { 10, 9, 0, 5 };
static const uint8_t client_b[4] = { 10, 9, 0, 6 };
static const uint8_t discarded[4] = { 10, 9, 0, 99 };
static const uint8_t inet_discarded[4] = { 203, 0, 113, 66 };
static const uint8_t lan_discarded[4] = { 198, 51, 100, 99 };
static const uint8_t inet_host[4] = { 203, 0, 113, 7 };
static const uint8_t inet_src[4] = { 192, 0, 2, 50 };
static const uint8_t unrouted[4] = { 10, 8, 0, 1 };
static const uint8_t lan_host[4] = { 198, 51, 100, 2 };

static struct dp dp;
static struct rte_mempool *pool;
/* Makes ESP as client A would (a-peer), on a worker of its own. */
static struct dp_worker *gen;
static struct dp_sa *sa_a_peer, *sa_b_out, *sa_b_peer, *sa_ev, *sa_ev2;

/* One frame to our address: IPv4 with PROTO, an optional UDP header to
 * DPORT whose length field is off by UDP_DELTA, then PAYLOAD. */
struct row {
	const char *what;
	uint8_t port;
	uint8_t proto;
	uint16_t dport;
	int16_t udp_delta;
	uint16_t frag;
	uint8_t payload_len;
	uint8_t payload[48];
	int expect;		/* enum dp_drop_reason, PUNTED or HANDED_OFF */
};

#define SPI(x) ((x) >> 24) & 0xff, ((x) >> 16) & 0xff, ((x) >> 8) & 0xff, (x) & 0xff

static const struct row rows[] = {
	{ "NAT keepalive", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 1, { 0xff },
	  DP_DROP_NATT_KEEPALIVE },
	{ "one byte, not 0xff", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 1, { 0xfe },
	  DP_DROP_ESP_MALFORMED },
	{ "non-ESP marker: IKE", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 12,
	  { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }, PUNTED },
	{ "IKE on port 500", PORT_UNTRUSTED, IPPROTO_UDP, IKE_PORT, 0, 0, 8, { 1 }, PUNTED },
	{ "ESP-in-UDP shorter than an ESP header", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0,
	  7, { SPI(SPI_UNKNOWN), 0, 0, 1 }, DP_DROP_ESP_MALFORMED },
	{ "ESP-in-UDP, unknown SPI", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 8,
	  { SPI(SPI_UNKNOWN), 0, 0, 0, 1 }, DP_DROP_ESP_UNKNOWN_SPI },
	{ "UDP length short of the IP payload", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, -4, 0,
	  12, { SPI(SPI_UNKNOWN), 0, 0, 0, 1 }, DP_DROP_MALFORMED },
	{ "ESP shorter than its header", PORT_UNTRUSTED, IPPROTO_ESP, 0, 0, 0, 7,
	  { SPI(SPI_UNKNOWN) }, DP_DROP_ESP_MALFORMED },
	{ "ESP, unknown SPI", PORT_UNTRUSTED, IPPROTO_ESP, 0, 0, 0, 8,
	  { SPI(SPI_UNKNOWN), 0, 0, 0, 1 }, DP_DROP_ESP_UNKNOWN_SPI },
	{ "ESP fragment (no reassembly)", PORT_UNTRUSTED, IPPROTO_ESP, 0, 0, IPV4_MF, 8,
	  { SPI(SPI_UNKNOWN), 0, 0, 0, 1 }, DP_DROP_LOCAL_UNSUPPORTED },
	{ "ESP for worker 1's SA", PORT_UNTRUSTED, IPPROTO_ESP, 0, 0, 0, 36,
	  { SPI(SPI_OWNED_BY_1), 0, 0, 0, 1 }, HANDED_OFF },
	{ "ESP-in-UDP for worker 1's SA", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 36,
	  { SPI(SPI_OWNED_BY_1), 0, 0, 0, 2 }, HANDED_OFF },
	{ "keepalive on a trusted port: local UDP", PORT_TRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0,
	  1, { 0xff }, PUNTED },
	{ "ESP on a trusted port: no ESP there", PORT_TRUSTED, IPPROTO_ESP, 0, 0, 0, 8,
	  { SPI(SPI_OWNED_BY_1), 0, 0, 0, 1 }, DP_DROP_LOCAL_UNSUPPORTED },
};

static uint16_t
build(uint8_t *f, const struct row *r)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);
	uint8_t *l4 = f + ETH_LEN + IP_LEN;
	uint16_t l4_len = r->payload_len + (r->proto == IPPROTO_UDP ? UDP_LEN : 0);

	memset(f, 0, FRAME_MAX);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(IP_LEN + l4_len);
	ip->fragment_offset = rte_cpu_to_be_16(r->frag);
	ip->time_to_live = 64;
	ip->next_proto_id = r->proto;
	memcpy(&ip->src_addr, peer_ip, 4);
	memcpy(&ip->dst_addr, our_ip, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (r->proto == IPPROTO_UDP) {
		l4[0] = NATT_PORT >> 8;
		l4[1] = NATT_PORT & 0xff;
		l4[2] = r->dport >> 8;
		l4[3] = r->dport & 0xff;
		l4[4] = (uint16_t)(l4_len + r->udp_delta) >> 8;
		l4[5] = (uint16_t)(l4_len + r->udp_delta) & 0xff;
		l4 += UDP_LEN;
	}
	memcpy(l4, r->payload, r->payload_len);
	return ETH_LEN + IP_LEN + l4_len;
}

static void
feed(struct dp_worker *w, const struct row *r)
{
	uint8_t frame[FRAME_MAX];
	uint16_t len = build(frame, r);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, len), frame, len);
	dp_forward_burst(w, r->port, &m, 1);
	dp_worker_flush(w);
}

static uint64_t
drops_total(const struct dp_worker *w, uint8_t port)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < DP_DROP_MAX; i++)
		n += w->counters.port[port].drops[i];
	return n;
}

static void
free_ring(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void
check_row(const struct row *r)
{
	struct dp_worker *w0 = dp.workers[0], *w1 = dp.workers[1];
	const struct dp_port_counters *c = &w0->counters.port[r->port];

	memset(&w0->counters, 0, sizeof(w0->counters));
	feed(w0, r);
	printf("\n  %-45s", r->what);
	CU_ASSERT_EQUAL(c->rx_packets, 1);
	CU_ASSERT_EQUAL(c->forwarded, 0);
	if (r->expect == PUNTED) {
		CU_ASSERT_EQUAL(c->punted, 1);
		CU_ASSERT_EQUAL(rte_ring_count(dp.punt_ring), 1);
		CU_ASSERT_EQUAL(drops_total(w0, r->port), 0);
	} else if (r->expect == HANDED_OFF) {
		CU_ASSERT_EQUAL(rte_ring_count(w1->handoff_ring), 1);
		CU_ASSERT_EQUAL(c->punted, 0);
		CU_ASSERT_EQUAL(drops_total(w0, r->port), 0);
	} else {
		CU_ASSERT_EQUAL(c->drops[r->expect], 1);
		CU_ASSERT_EQUAL(drops_total(w0, r->port), 1);
		CU_ASSERT_EQUAL(c->punted, 0);
	}
	free_ring(dp.punt_ring);
	free_ring(w1->handoff_ring);
}

static void
test_classification(void)
{
	for (size_t i = 0; i < RTE_DIM(rows); i++)
		check_row(&rows[i]);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* The owner takes the packet from its ring, finds the SA again and runs
 * the inbound transform: the garbage ICV fails (esp_auth, counted by the
 * owner on the receiving port); worker 0 counts nothing but the RX. */
static void
test_handoff_to_owner(void)
{
	struct dp_worker *w0 = dp.workers[0], *w1 = dp.workers[1];
	const struct row *r = &rows[10];
	struct rte_mbuf *pkts[DP_MAX_BURST];
	unsigned int n;
	uint32_t iter = 0;
	struct dp_sa *sa = dp_sad_next(dp.sad, &iter);

	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(r->expect, HANDED_OFF);
	memset(&w0->counters, 0, sizeof(w0->counters));
	memset(&w1->counters, 0, sizeof(w1->counters));
	feed(w0, r);
	feed(w0, r);
	n = rte_ring_dequeue_burst(w1->handoff_ring, (void **)pkts, DP_MAX_BURST, NULL);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(dp_meta(pkts[0])->in_port, PORT_UNTRUSTED);
	dp_handoff_input(w1, pkts, (uint16_t)n);
	CU_ASSERT_EQUAL(w1->counters.port[PORT_UNTRUSTED].drops[DP_DROP_ESP_AUTH], 2);
	CU_ASSERT_EQUAL(w1->counters.port[PORT_UNTRUSTED].rx_packets, 0);
	CU_ASSERT_EQUAL(w0->counters.port[PORT_UNTRUSTED].rx_packets, 2);
	CU_ASSERT_EQUAL(drops_total(w0, PORT_UNTRUSTED), 0);
	CU_ASSERT_EQUAL(sa->stats.drops[DP_SA_DROP_AUTH], 2);
	/* Received by the owner itself: no hand-off, same verdict. */
	feed(w1, r);
	CU_ASSERT_EQUAL(rte_ring_count(w1->handoff_ring), 0);
	CU_ASSERT_EQUAL(w1->counters.port[PORT_UNTRUSTED].drops[DP_DROP_ESP_AUTH], 3);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* ---- Outbound SPD for packets from the unprotected side ------------------------ */

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

/* An Ethernet frame to us holding an ICMP echo request SRC -> DST. */
static struct rte_mbuf *
echo_frame(const uint8_t *src, const uint8_t *dst, uint8_t ttl)
{
	uint16_t ip_len = IP_LEN + ICMP_LEN + INNER_DATA;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *f = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, ETH_LEN + ip_len) : NULL;
	struct rte_ipv4_hdr *ip;

	if (f == NULL)
		return NULL;
	memset(f, 0, ETH_LEN + ip_len);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	f[ETH_LEN + IP_LEN] = ICMP_ECHO;
	for (uint16_t i = 0; i < INNER_DATA; i++)
		f[ETH_LEN + IP_LEN + ICMP_LEN + i] = (uint8_t)i;
	dp_meta(m)->l3_off = ETH_LEN;
	return m;
}

/* IP packets of m (at l3_off) encrypted on worker w with sa; 1 if done. */
static uint16_t
encrypt_on(struct dp_worker *w, struct rte_mbuf **m, struct dp_sa *sa)
{
	dp_meta(*m)->l3_off = ETH_LEN;
	dp_meta(*m)->mtu = 0;
	return dp_esp_outbound(w, PORT_UNTRUSTED, m, &sa, 1);
}

/* What client A sends through its tunnel: the echo request in ESP (SA
 * a-in), outer 192.0.2.2 -> 192.0.2.1, as a frame to us. */
static struct rte_mbuf *
esp_from_a(const uint8_t *src, const uint8_t *dst, uint8_t ttl)
{
	struct rte_mbuf *m = echo_frame(src, dst, ttl);
	uint8_t *f;

	if (m == NULL || encrypt_on(gen, &m, sa_a_peer) != 1)
		return NULL;
	f = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0;
	return m;
}

/* The inner IPv4 header of m is SRC -> DST, ICMP, TTL. */
static void
check_inner(struct rte_mbuf *m, const uint8_t *src, const uint8_t *dst, uint8_t ttl)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, dp_meta(m)->l3_off);

	CU_ASSERT_EQUAL(memcmp(ip + IPV4_SRC_OFF, src, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + IPV4_DST_OFF, dst, 4), 0);
	CU_ASSERT_EQUAL(ip[IPV4_PROTO_OFF], IPPROTO_ICMP);
	CU_ASSERT_EQUAL(ip[IPV4_TTL_OFF], ttl);
	CU_ASSERT_EQUAL(get16(ip + 2), IP_LEN + ICMP_LEN + INNER_DATA);
}

/* m leaves for client B: Ethernet to the neighbour, outer 192.0.2.1 ->
 * 192.0.2.3, ESP of b-out; opened with b-peer (as B would), it holds SRC
 * -> DST with TTL. Frees m. Returns the ESP sequence number. */
static uint32_t
check_esp_to_b(struct rte_mbuf *m, const uint8_t *src, const uint8_t *dst, uint8_t ttl)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = f + ETH_LEN;
	uint32_t seq = get32(ip + IP_LEN + 4);
	struct dp_sa *sa = sa_b_peer;

	CU_ASSERT_EQUAL(memcmp(f, neigh_mac, 6), 0);
	CU_ASSERT_EQUAL(ip[IPV4_PROTO_OFF], IPPROTO_ESP);
	CU_ASSERT_EQUAL(memcmp(ip + IPV4_SRC_OFF, our_ip, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + IPV4_DST_OFF, peer_b_ip, 4), 0);
	CU_ASSERT_EQUAL(get32(ip + IP_LEN), SPI_B_OUT);
	dp_meta(m)->l3_off = ETH_LEN;
	dp_meta(m)->esp_off = ETH_LEN + IP_LEN;
	CU_ASSERT_EQUAL_FATAL(dp_esp_inbound(gen, PORT_UNTRUSTED, &m, &sa, 1), 1);
	check_inner(m, src, dst, ttl);
	rte_pktmbuf_free(m);
	return seq;
}

/* Takes the frames worker w queued for PORT (never sent: no devices). */
static uint16_t
take_tx(struct dp_worker *w, uint8_t port, struct rte_mbuf **out)
{
	uint16_t n = w->txbuf[port].n;

	memcpy(out, w->txbuf[port].m, n * sizeof(*out));
	w->txbuf[port].n = 0;
	return n;
}

enum spd_outcome {
	TO_B_IN_ESP,	/* encrypted again with b-out */
	IN_CLEAR,	/* forwarded in clear on port arg */
	DROPPED,	/* drop reason arg */
	PUNT,		/* punt reason arg */
};

enum spd_via {
	VIA_ESP,	/* from client A through a-in (untrusted port) */
	VIA_CLEAR,	/* clear text on the untrusted port */
	VIA_SYNC,	/* clear text on the sync port */
};

struct spd_row {
	const char *what;
	enum spd_via via;
	const uint8_t *src;
	const uint8_t *dst;
	uint8_t ttl;
	enum spd_outcome out;
	int arg;
};

static const struct spd_row spd_rows[] = {
	{ "ESP A -> B: encrypted again for B", VIA_ESP, client_a, client_b, 64, TO_B_IN_ESP, 0 },
	{ "ESP A -> B, TTL 1: time exceeded", VIA_ESP, client_a, client_b, 1, PUNT,
	  DP_PUNT_TTL_EXCEEDED },
	{ "ESP A -> DISCARD, no route", VIA_ESP, client_a, discarded, 64, DROPPED,
	  DP_DROP_SPD_DISCARD },
	{ "ESP A -> DISCARD, routed untrusted", VIA_ESP, client_a, inet_discarded, 64, DROPPED,
	  DP_DROP_SPD_DISCARD },
	{ "ESP A -> Internet: BYPASS", VIA_ESP, client_a, inet_host, 64, IN_CLEAR, PORT_UNTRUSTED },
	{ "ESP A -> lan, DISCARD policy: not SPD-O", VIA_ESP, client_a, lan_discarded, 64, IN_CLEAR,
	  PORT_TRUSTED },
	{ "ESP A -> unrouted, BYPASS: no route", VIA_ESP, client_a, unrouted, 64, PUNT,
	  DP_PUNT_NO_ROUTE },
	{ "clear Internet -> B: encrypted for B", VIA_CLEAR, inet_src, client_b, 64, TO_B_IN_ESP,
	  0 },
	{ "clear Internet -> DISCARD, no route", VIA_CLEAR, inet_src, discarded, 64, DROPPED,
	  DP_DROP_SPD_DISCARD },
	{ "clear Internet -> DISCARD, routed", VIA_CLEAR, inet_src, inet_discarded, 64, DROPPED,
	  DP_DROP_SPD_DISCARD },
	{ "clear -> Internet: BYPASS", VIA_CLEAR, inet_src, inet_host, 64, IN_CLEAR,
	  PORT_UNTRUSTED },
	{ "clear -> lan: BYPASS", VIA_CLEAR, inet_src, lan_host, 64, IN_CLEAR, PORT_TRUSTED },
	{ "clear from client A: spd_unprotected", VIA_CLEAR, client_a, inet_host, 64, DROPPED,
	  DP_DROP_SPD_UNPROTECTED },
	{ "sync -> B: encrypted for B", VIA_SYNC, inet_src, client_b, 64, TO_B_IN_ESP, 0 },
	{ "sync -> lan, DISCARD policy: not SPD-O", VIA_SYNC, inet_src, lan_discarded, 64, IN_CLEAR,
	  PORT_TRUSTED },
};

static void
check_spd_row(const struct spd_row *r)
{
	struct dp_worker *w0 = dp.workers[0];
	uint8_t in_port = r->via == VIA_SYNC ? PORT_SYNC : PORT_UNTRUSTED;
	const struct dp_port_counters *c = &w0->counters.port[in_port];
	struct rte_mbuf *m = r->via == VIA_ESP ? esp_from_a(r->src, r->dst, r->ttl) :
						 echo_frame(r->src, r->dst, r->ttl);
	struct rte_mbuf *tx[DP_MAX_BURST * 2];
	uint64_t b_packets = sa_b_out->stats.packets;
	uint16_t n;

	printf("\n  %-45s", r->what);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memset(&w0->counters, 0, sizeof(w0->counters));
	dp_forward_burst(w0, in_port, &m, 1);
	CU_ASSERT_EQUAL(c->rx_packets, 1);
	CU_ASSERT_EQUAL(drops_total(w0, in_port), r->out == DROPPED ? 1 : 0);
	CU_ASSERT_EQUAL(c->forwarded, r->out == TO_B_IN_ESP || r->out == IN_CLEAR ? 1 : 0);
	CU_ASSERT_EQUAL(c->punted, r->out == PUNT ? 1 : 0);
	CU_ASSERT_EQUAL(sa_b_out->stats.packets, b_packets + (r->out == TO_B_IN_ESP ? 1 : 0));
	n = take_tx(w0, r->out == IN_CLEAR ? r->arg : PORT_UNTRUSTED, tx);
	CU_ASSERT_EQUAL(n, r->out == TO_B_IN_ESP || r->out == IN_CLEAR ? 1 : 0);
	CU_ASSERT_EQUAL(w0->txbuf[PORT_UNTRUSTED].n + w0->txbuf[PORT_TRUSTED].n +
			w0->txbuf[PORT_SYNC].n, 0);
	CU_ASSERT_EQUAL(rte_ring_count(dp.punt_ring), r->out == PUNT ? 1 : 0);
	if (r->out == TO_B_IN_ESP && n == 1) {
		check_esp_to_b(tx[0], r->src, r->dst, r->ttl - 1);
		n = 0;
	} else if (r->out == IN_CLEAR && n == 1) {
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(tx[0], uint8_t *), neigh_mac, 6), 0);
		check_inner(tx[0], r->src, r->dst, r->ttl - 1);
	} else if (r->out == DROPPED) {
		CU_ASSERT_EQUAL(c->drops[r->arg], 1);
	} else if (r->out == PUNT && rte_ring_dequeue(dp.punt_ring, (void **)&m) == 0) {
		CU_ASSERT_EQUAL(dp_meta(m)->punt_reason, r->arg);
		rte_pktmbuf_free(m);
	}
	rte_pktmbuf_free_bulk(tx, n);
	free_ring(dp.punt_ring);
	for (uint8_t p = 0; p < dp.n_ifaces; p++)	/* whatever went wrong */
		rte_pktmbuf_free_bulk(tx, take_tx(w0, p, tx));
}

static void
test_spd_out_unprotected_side(void)
{
	for (size_t i = 0; i < RTE_DIM(spd_rows); i++)
		check_spd_row(&spd_rows[i]);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* One burst on the untrusted port: ESP A -> B (x HAIRPIN_BURST), clear
 * text to B (x 2), ESP A -> lan, clear text to the Internet. B's packets
 * get consecutive sequence numbers from two bulk encryptions (ESP stage,
 * clear-text stage). */
static void
test_spd_out_burst(void)
{
	struct dp_worker *w0 = dp.workers[0];
	struct rte_mbuf *in[DP_MAX_BURST], *tx[DP_MAX_BURST * 2];
	uint64_t seq0 = sa_b_out->out->seq;
	uint16_t n = 0, k, n_esp = 0;

	for (int i = 0; i < HAIRPIN_BURST; i++)
		in[n++] = esp_from_a(client_a, client_b, 64);
	in[n++] = echo_frame(inet_src, client_b, 64);
	in[n++] = esp_from_a(client_a, lan_host, 64);
	in[n++] = echo_frame(inet_src, inet_host, 64);
	in[n++] = echo_frame(inet_src, client_b, 64);
	for (uint16_t i = 0; i < n; i++)
		CU_ASSERT_PTR_NOT_NULL_FATAL(in[i]);
	memset(&w0->counters, 0, sizeof(w0->counters));
	dp_forward_burst(w0, PORT_UNTRUSTED, in, n);
	CU_ASSERT_EQUAL(w0->counters.port[PORT_UNTRUSTED].forwarded, n);
	CU_ASSERT_EQUAL(drops_total(w0, PORT_UNTRUSTED), 0);
	CU_ASSERT_EQUAL(sa_b_out->out->seq, seq0 + HAIRPIN_BURST + 2);
	k = take_tx(w0, PORT_UNTRUSTED, tx);
	CU_ASSERT_EQUAL(k, HAIRPIN_BURST + 3);
	for (uint16_t i = 0; i < k; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod_offset(tx[i], const uint8_t *, ETH_LEN);

		if (ip[IPV4_PROTO_OFF] != IPPROTO_ESP) {
			dp_meta(tx[i])->l3_off = ETH_LEN;
			check_inner(tx[i], inet_src, inet_host, 63);
			rte_pktmbuf_free(tx[i]);
			continue;
		}
		/* In order: A's four first, then the two clear-text ones. */
		CU_ASSERT_EQUAL(check_esp_to_b(tx[i], n_esp < HAIRPIN_BURST ? client_a : inet_src,
					       client_b, 63),
				seq0 + 1 + n_esp);
		n_esp++;
	}
	CU_ASSERT_EQUAL(n_esp, HAIRPIN_BURST + 2);
	k = take_tx(w0, PORT_TRUSTED, tx);
	CU_ASSERT_EQUAL(k, 1);
	if (k == 1)
		check_inner(tx[0], client_a, lan_host, 63);
	rte_pktmbuf_free_bulk(tx, k);
	free_ring(dp.punt_ring);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* Outer IPv4 IDs come from the worker's own counter: the control core's
 * ESP context (same lcore here, as with workers[0] on the main lcore)
 * does not move worker 0's sequence. */
static void
test_ip_id_per_worker(void)
{
	struct dp_worker *w0 = dp.workers[0];
	struct rte_mbuf *m[3];
	struct dp_worker *on[3] = { w0, gen, w0 };
	uint16_t id[3], w0_id = w0->ip_id, gen_id = gen->ip_id;

	for (int i = 0; i < 3; i++) {
		m[i] = echo_frame(inet_src, client_b, 64);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		CU_ASSERT_EQUAL_FATAL(encrypt_on(on[i], &m[i], sa_b_out), 1);
		id[i] = get16(rte_pktmbuf_mtod_offset(m[i], uint8_t *, ETH_LEN + IPV4_ID_OFF));
	}
	CU_ASSERT_EQUAL(id[2], (uint16_t)(id[0] + 1));
	CU_ASSERT_NOT_EQUAL(id[1], id[0]);
	CU_ASSERT_EQUAL(w0->ip_id, (uint16_t)(w0_id + 2));
	CU_ASSERT_EQUAL(gen->ip_id, (uint16_t)(gen_id + 1));
	for (int i = 0; i < 3; i++) {
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), neigh_mac, 6);	/* not routed */
		check_esp_to_b(m[i], inet_src, client_b, 64);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* SA events that do not fit in the event ring are counted on the worker
 * that raised them (soft and hard lifetimes of 1 and 2 packets, a ring
 * with room for one), and summed with the control core's. */
static void
test_sa_events_lost(void)
{
	struct dp_worker *w0 = dp.workers[0], *w1 = dp.workers[1];
	struct rte_ring *ring = rte_ring_create_elem("t_sa_ev", sizeof(struct dp_sa_event), 2,
						     SOCKET_ID_ANY, RING_F_SC_DEQ);
	struct dp_sa_event ev;
	struct dp_counters sum;
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ring);
	CU_ASSERT_EQUAL_FATAL(rte_ring_get_capacity(ring), 1);
	dp.sa_event_ring = ring;
	dp.ctl_worker = gen;
	dp_counters_clear(&dp);
	for (int i = 0; i < 2; i++) {	/* soft: sent; hard: lost */
		m = echo_frame(inet_src, client_b, 64);
		CU_ASSERT_EQUAL_FATAL(encrypt_on(w1, &m, sa_ev), 1);
		rte_pktmbuf_free(m);
	}
	m = echo_frame(inet_src, client_b, 64);
	CU_ASSERT_EQUAL_FATAL(encrypt_on(gen, &m, sa_ev2), 1);	/* soft: lost */
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(w0->counters.sa_events_lost, 0);
	CU_ASSERT_EQUAL(w1->counters.sa_events_lost, 1);
	CU_ASSERT_EQUAL(gen->counters.sa_events_lost, 1);
	dp_counters_sum(&dp, &sum);
	CU_ASSERT_EQUAL(sum.sa_events_lost, 2);
	CU_ASSERT_EQUAL(rte_ring_dequeue_elem(ring, &ev, sizeof(ev)), 0);
	CU_ASSERT_EQUAL(ev.sa_id, sa_ev->id);
	CU_ASSERT_EQUAL(ev.flag, DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(rte_ring_count(ring), 0);
	dp_counters_clear(&dp);
	dp_counters_sum(&dp, &sum);
	CU_ASSERT_EQUAL(sum.sa_events_lost, 0);
	dp.sa_event_ring = NULL;
	dp.ctl_worker = NULL;
	rte_ring_free(ring);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static struct dp_worker *
worker(uint16_t index)
{
	struct dp_worker *w = rte_zmalloc("w", sizeof(*w), RTE_CACHE_LINE_SIZE);
	char name[RTE_RING_NAMESIZE];

	if (w == NULL)
		return NULL;
	snprintf(name, sizeof(name), "t_ho%u", index);
	w->dp = &dp;
	w->index = index;
	w->handoff_ring = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	w->mgr = dp_esp_mgr_create();
	return w->handoff_ring != NULL && w->mgr != NULL ? w : NULL;
}

static int
add_sa(IMB_MGR *mgr)
{
	struct dp_sa_params p = {
		.name = "owned-by-1", .spi = SPI_OWNED_BY_1, .dir = DP_SA_INBOUND,
		.mode = DP_SA_TUNNEL, .alg = DP_SA_AES_GCM_128, .enc_key_len = 20,
		.replay_window = 64, .df = DP_SA_DF_COPY, .dscp = -1, .owner = 1,
		.local = { .family = AF_INET, .len = 32, .addr.v4 = { 192, 0, 2, 1 } },
		.remote = { .family = AF_INET, .len = 32, .addr.v4 = { 192, 0, 2, 2 } },
	};
	struct dp_sad_params sp = { .max_sas = 16, .n_workers = N_WORKERS, .mgr = mgr,
				    .socket = SOCKET_ID_ANY };
	char err[256];
	uint32_t id;

	dp.sad = dp_sad_create("t_sad", &sp);
	if (dp.sad == NULL)
		return -ENOMEM;
	return dp_sa_add(dp.sad, &p, &id, err, sizeof(err));
}

/* A tunnel-mode AES-GCM-128 SA (owner worker 0) from LOCAL to REMOTE with
 * a key made of KEY_BYTE; NULL on error. */
static struct dp_sa *
tunnel_sa(const char *name, uint32_t spi, enum dp_sa_dir dir, const uint8_t *local,
	  const uint8_t *remote, uint8_t key_byte, uint64_t soft, uint64_t hard)
{
	struct dp_sa_params p = {
		.spi = spi, .dir = dir, .mode = DP_SA_TUNNEL, .alg = DP_SA_AES_GCM_128,
		.enc_key_len = 20, .replay_window = dir == DP_SA_INBOUND ? 64 : 0,
		.df = DP_SA_DF_COPY, .dscp = -1, .owner = 0,
		.local = { .family = AF_INET, .len = 32 },
		.remote = { .family = AF_INET, .len = 32 },
		.soft = { .packets = soft }, .hard = { .packets = hard },
	};
	char err[256];
	uint32_t id;

	snprintf(p.name, sizeof(p.name), "%s", name);
	memset(p.enc_key, key_byte, p.enc_key_len);
	memcpy(p.local.addr.v4, local, 4);
	memcpy(p.remote.addr.v4, remote, 4);
	if (dp_sa_add(dp.sad, &p, &id, err, sizeof(err)) != 0) {
		fprintf(stderr, "SA %s: %s\n", name, err);
		return NULL;
	}
	return dp_sad_get(dp.sad, id);
}

static int
client_add(const uint8_t *addr, const struct dp_sa *sa)
{
	struct cfg_prefix pfx = { .family = AF_INET, .len = 32 };

	memcpy(pfx.addr.v4, addr, 4);
	return dp_spd_add_client(dp.spd, &pfx, sa->id);
}

/* A DISCARD policy for outbound traffic from anywhere to DST. */
static int
discard_add(const uint8_t *dst, uint32_t priority)
{
	struct dp_policy_params p = {
		.priority = priority, .action = DP_POLICY_DISCARD,
		.local = { .family = AF_INET, .port_hi = UINT16_MAX,
			   .addr_hi = { 255, 255, 255, 255 } },
		.remote = { .family = AF_INET, .port_hi = UINT16_MAX },
	};
	uint32_t id;

	memcpy(p.remote.addr_lo, dst, 4);
	memcpy(p.remote.addr_hi, dst, 4);
	return dp_spd_add(dp.spd, &p, &id);
}

/* Remote access: clients A and B behind their own SAs, DISCARD policies
 * for an address without a route, one routed through the untrusted port
 * and one on the trusted side; the default is BYPASS. */
static int
add_ipsec(void)
{
	struct dp_sa *a_in = tunnel_sa("a-in", SPI_A, DP_SA_INBOUND, our_ip, peer_ip, 0xa1, 0, 0);
	struct dp_sa *a_out = tunnel_sa("a-out", SPI_A_OUT, DP_SA_OUTBOUND, our_ip, peer_ip, 0xa2,
					0, 0);

	sa_a_peer = tunnel_sa("a-peer", SPI_A, DP_SA_OUTBOUND, peer_ip, our_ip, 0xa1, 0, 0);
	sa_b_out = tunnel_sa("b-out", SPI_B_OUT, DP_SA_OUTBOUND, our_ip, peer_b_ip, 0xb2, 0, 0);
	sa_b_peer = tunnel_sa("b-peer", SPI_B_OUT, DP_SA_INBOUND, peer_b_ip, our_ip, 0xb2, 0, 0);
	sa_ev = tunnel_sa("ev", SPI_EV, DP_SA_OUTBOUND, our_ip, peer_b_ip, 0xe1, 1, 2);
	sa_ev2 = tunnel_sa("ev2", SPI_EV2, DP_SA_OUTBOUND, our_ip, peer_b_ip, 0xe2, 1, 0);
	if (a_in == NULL || a_out == NULL || sa_a_peer == NULL || sa_b_out == NULL ||
	    sa_b_peer == NULL || sa_ev == NULL || sa_ev2 == NULL)
		return -1;
	if (client_add(client_a, a_out) != 0 || client_add(client_b, sa_b_out) != 0 ||
	    discard_add(discarded, 10) != 0 || discard_add(inet_discarded, 20) != 0 ||
	    discard_add(lan_discarded, 30) != 0)
		return -1;
	return 0;
}

static void
neigh_solicit(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	(void)arg;
	(void)key;
	(void)mac;
}

static void
neigh_send(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac,
	   struct rte_mbuf *m)
{
	(void)arg;
	(void)key;
	(void)mac;
	rte_pktmbuf_free(m);
}

static void
neigh_drop(void *arg, struct rte_mbuf *m)
{
	(void)arg;
	rte_pktmbuf_free(m);
}

/* Static neighbours for every next hop the rows use. */
static int
build_neigh(void)
{
	struct dp_neigh_params p = { .entries = 16, .reachable_ms = 30000, .retrans_ms = 1000,
				     .max_probes = 3, .pending_per_entry = 1, .pending_total = 4,
				     .socket = SOCKET_ID_ANY };
	struct dp_neigh_ops ops = { .solicit = neigh_solicit, .send = neigh_send,
				    .drop = neigh_drop };
	const uint8_t *v4[] = { peer_ip, peer_b_ip, inet_gw_ip, lan_host, lan_discarded };
	const uint8_t port[] = { PORT_UNTRUSTED, PORT_UNTRUSTED, PORT_UNTRUSTED, PORT_TRUSTED,
				 PORT_TRUSTED };
	struct rte_ether_addr mac;

	dp.neigh = dp_neigh_create("t_neigh", &p, &ops);
	if (dp.neigh == NULL)
		return -1;
	memcpy(mac.addr_bytes, neigh_mac, 6);
	for (size_t i = 0; i < RTE_DIM(v4); i++) {
		struct dp_neigh_key key = { .port = port[i], .family = AF_INET };

		memcpy(key.addr, v4[i], 4);
		if (dp_neigh_add_static(dp.neigh, &key, &mac) != 0)
			return -1;
	}
	return 0;
}

/* 192.0.2.1/32 local (untrusted port), 192.0.2.0/24 on the untrusted
 * port, 198.51.100.0/24 on the trusted one, 203.0.113.0/24 (the
 * Internet) via 192.0.2.254; nothing for the clients' 10.9.0.0/16. */
static int
build_routes(void)
{
	struct {
		uint8_t addr[4], len;
		enum dp_nexthop_kind kind;
		uint8_t port;
	} r[] = {
		{ { 192, 0, 2, 1 }, 32, DP_NH_LOCAL, PORT_UNTRUSTED },
		{ { 192, 0, 2, 0 }, 24, DP_NH_CONNECTED, PORT_UNTRUSTED },
		{ { 198, 51, 100, 0 }, 24, DP_NH_CONNECTED, PORT_TRUSTED },
		{ { 203, 0, 113, 0 }, 24, DP_NH_GATEWAY, PORT_UNTRUSTED },
	};

	dp.routes = dp_route_create("t_rt", 16, SOCKET_ID_ANY);
	if (dp.routes == NULL)
		return -1;
	for (size_t i = 0; i < RTE_DIM(r); i++) {
		struct cfg_prefix pfx = { .family = AF_INET, .len = r[i].len };
		struct dp_nexthop nh = { .kind = r[i].kind, .port = r[i].port,
					 .family = AF_INET };

		memcpy(pfx.addr.v4, r[i].addr, 4);
		memcpy(nh.gw, inet_gw_ip, 4);
		if (dp_route_add(dp.routes, &pfx, &nh) != 0)
			return -1;
	}
	return 0;
}

static int
setup(void)
{
	struct dp_spd_params pp = { .max_policies = 4, .max_clients = 16,
				    .default_action = DP_POLICY_BYPASS, .socket = SOCKET_ID_ANY };

	pool = rte_pktmbuf_pool_create("t_pool", POOL_SIZE, 0,
				       RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	dp.n_ifaces = 3;
	dp.burst = DP_MAX_BURST;
	dp.ike_port = IKE_PORT;		/* as dp_init sets them from cfg ike */
	dp.natt_port = NATT_PORT;
	for (uint8_t i = 0; i < dp.n_ifaces; i++) {
		dp.iface[i].index = i;
		dp.iface[i].mtu = 1500;
		dp.iface[i].role = i == PORT_TRUSTED ? CFG_ROLE_TRUSTED :
				   i == PORT_SYNC ? CFG_ROLE_SYNC : CFG_ROLE_UNTRUSTED;
		memcpy(dp.iface[i].mac.addr_bytes, our_mac, 6);
	}
	dp.punt_ring = rte_ring_create("t_punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp.spd = dp_spd_create("t_spd", &pp);
	dp.n_workers = N_WORKERS;
	for (uint16_t i = 0; i < N_WORKERS; i++)
		dp.workers[i] = worker(i);
	gen = worker(GEN_INDEX);
	/* The SAD expands keys with worker 0's manager: freed after the SAD. */
	if (pool == NULL || dp.punt_ring == NULL || dp.spd == NULL || dp.workers[0] == NULL ||
	    dp.workers[1] == NULL || gen == NULL || build_routes() != 0 || build_neigh() != 0 ||
	    add_sa(dp.workers[0]->mgr) != 0 || add_ipsec() != 0)
		return -1;
	return 0;
}

static void
worker_free(struct dp_worker *w)
{
	if (w == NULL)
		return;
	if (w->mgr != NULL)
		dp_esp_mgr_free(w->mgr);
	rte_ring_free(w->handoff_ring);
	rte_free(w);
}

static void
teardown(void)
{
	dp_sad_free(dp.sad);
	for (uint16_t i = 0; i < N_WORKERS; i++)
		worker_free(dp.workers[i]);
	worker_free(gen);
	if (dp.spd != NULL)
		dp_spd_free(dp.spd);
	if (dp.neigh != NULL)
		dp_neigh_free(dp.neigh);
	if (dp.routes != NULL)
		dp_route_free(dp.routes);
	rte_ring_free(dp.punt_ring);
	rte_mempool_free(pool);
}

/* ---- Non-default IKE ports ------------------------------------------------------ */

/* ike.port 5000, ike.natt_port 5001: ESP-in-UDP, keepalives and the
 * non-ESP marker are recognised on 5001 only; 4500 is plain local UDP,
 * punted like 500 (the control core serves no IKE there). */
static const struct row alt_rows[] = {
	{ "5001: NAT keepalive", PORT_UNTRUSTED, IPPROTO_UDP, ALT_NATT_PORT, 0, 0, 1, { 0xff },
	  DP_DROP_NATT_KEEPALIVE },
	{ "5001: non-ESP marker: IKE", PORT_UNTRUSTED, IPPROTO_UDP, ALT_NATT_PORT, 0, 0, 12,
	  { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }, PUNTED },
	{ "5001: ESP-in-UDP, unknown SPI", PORT_UNTRUSTED, IPPROTO_UDP, ALT_NATT_PORT, 0, 0, 8,
	  { SPI(SPI_UNKNOWN), 0, 0, 0, 1 }, DP_DROP_ESP_UNKNOWN_SPI },
	{ "5001: ESP-in-UDP for worker 1's SA", PORT_UNTRUSTED, IPPROTO_UDP, ALT_NATT_PORT, 0, 0,
	  36, { SPI(SPI_OWNED_BY_1), 0, 0, 0, 2 }, HANDED_OFF },
	{ "5000: IKE", PORT_UNTRUSTED, IPPROTO_UDP, ALT_IKE_PORT, 0, 0, 8, { 1 }, PUNTED },
	{ "4500: keepalive is local UDP", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 1,
	  { 0xff }, PUNTED },
	{ "4500: ESP for worker 1's SA is local UDP", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0,
	  0, 36, { SPI(SPI_OWNED_BY_1), 0, 0, 0, 2 }, PUNTED },
	{ "4500: short, not ESP-malformed", PORT_UNTRUSTED, IPPROTO_UDP, NATT_PORT, 0, 0, 7,
	  { SPI(SPI_UNKNOWN), 0, 0, 1 }, PUNTED },
	{ "500: local UDP", PORT_UNTRUSTED, IPPROTO_UDP, IKE_PORT, 0, 0, 8, { 1 }, PUNTED },
};

/* A UDP datagram the box sends: our address:SPORT -> DST:DPORT. */
static struct rte_mbuf *
udp_out_frame(const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	uint16_t ip_len = IP_LEN + UDP_LEN + INNER_DATA;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *f = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, ETH_LEN + ip_len) : NULL;
	struct rte_ipv4_hdr *ip;
	uint8_t *u;

	if (f == NULL)
		return NULL;
	memset(f, 0, ETH_LEN + ip_len);
	ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = INNER_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, our_ip, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u = f + ETH_LEN + IP_LEN;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[5] = UDP_LEN + INNER_DATA;
	dp_meta(m)->l3_off = ETH_LEN;
	dp_meta(m)->in_port = PORT_UNTRUSTED;
	return m;
}

/* What the box sends to the DISCARD policy's routed address: from or to
 * an IKE port it is not subject to the SPD (sent: 0), else discarded. */
static const struct {
	uint16_t sport, dport;
	int rc;
} alt_out[] = {
	{ ALT_IKE_PORT, ALT_IKE_PORT, 0 },
	{ ALT_NATT_PORT, ALT_NATT_PORT, 0 },
	{ 1234, ALT_NATT_PORT, 0 },
	{ IKE_PORT, IKE_PORT, -EHOSTUNREACH },
	{ NATT_PORT, NATT_PORT, -EHOSTUNREACH },
};

static void
test_ike_ports(void)
{
	const uint64_t *discards = &dp.ctl_counters.port[PORT_UNTRUSTED].drops[DP_DROP_SPD_DISCARD];
	uint64_t before;

	dp.ike_port = ALT_IKE_PORT;
	dp.natt_port = ALT_NATT_PORT;
	for (size_t i = 0; i < RTE_DIM(alt_rows); i++)
		check_row(&alt_rows[i]);
	for (size_t i = 0; i < RTE_DIM(alt_out); i++) {
		struct rte_mbuf *m = udp_out_frame(inet_discarded, alt_out[i].sport,
						   alt_out[i].dport);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		before = *discards;
		CU_ASSERT_EQUAL(dp_ctl_output(&dp, m), alt_out[i].rc);
		CU_ASSERT_EQUAL(*discards - before, alt_out[i].rc == 0 ? 0 : 1);
	}
	dp.ike_port = IKE_PORT;
	dp.natt_port = NATT_PORT;
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* dp_fwd_ttl_dec (fwd.h): TTL one less and the checksum right, for every
 * TTL a forwarded packet can have and headers whose checksum word takes
 * many values (RFC 1624 eqn. 3 has no 0x0000 / 0xffff corner left). */
static void
test_ttl_dec_checksum(void)
{
	uint8_t frame[ETH_LEN + sizeof(struct rte_ipv6_hdr)];	/* room for either */
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + ETH_LEN);
	struct dp_pkt_info info = { .kind = DP_PKT_IPV4, .l3_off = ETH_LEN };
	struct rte_mbuf m;
	unsigned int bad = 0;

	memset(&m, 0, sizeof(m));
	m.buf_addr = frame;
	for (unsigned int id = 0; id < 1024; id++) {
		for (unsigned int ttl = 2; ttl <= UINT8_MAX; ttl++) {
			memset(frame, 0, sizeof(frame));
			ip->version_ihl = 0x45;
			ip->total_length = rte_cpu_to_be_16(IP_LEN);
			ip->packet_id = rte_cpu_to_be_16((uint16_t)(id * 67));
			ip->time_to_live = (uint8_t)ttl;
			ip->next_proto_id = (uint8_t)id;
			memcpy(&ip->src_addr, peer_ip, sizeof(peer_ip));
			memcpy(&ip->dst_addr, our_ip, sizeof(our_ip));
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			dp_fwd_ttl_dec(&m, &info);
			bad += ip->time_to_live != ttl - 1 || rte_ipv4_cksum(ip) != 0;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- The trusted port's one-pass reader (fwd_fast.c) ---------------------------- */

/* A frame from the LAN host to DST on the trusted port, changed by MUT
 * (applied before the checksum unless the row breaks it). */
enum fast_mut {
	FM_NONE, FM_TCP, FM_ICMP, FM_PADDING, FM_OPTIONS, FM_MF, FM_OFFSET, FM_DF, FM_TTL1,
	FM_TTL0, FM_BAD_CSUM, FM_OTHER_MAC, FM_BROADCAST_MAC, FM_ARP, FM_IPV6, FM_GRE,
	FM_UDP_SHORT, FM_TCP_DOFF4, FM_TCP_SHORT, FM_SRC_LOOPBACK, FM_SRC_MCAST,
	FM_DST_MCAST, FM_DST_BCAST, FM_DST_US, FM_TOTAL_LONG, FM_TOTAL_SHORT, FM_OVER_MTU,
};

static const struct {
	const char *what;
	enum fast_mut mut;
	const uint8_t *dst;
	bool taken;
} fast_rows[] = {
	{ "UDP, routed via the gateway", FM_NONE, inet_host, true },
	{ "TCP", FM_TCP, inet_host, true },
	{ "ICMP", FM_ICMP, inet_host, true },
	{ "DF set", FM_DF, inet_host, true },
	{ "L2 padding: trimmed", FM_PADDING, inet_host, true },
	{ "no route (a client's address)", FM_NONE, client_a, true },
	{ "to the trusted side itself", FM_NONE, lan_host, true },
	{ "IP options", FM_OPTIONS, inet_host, false },
	{ "more fragments", FM_MF, inet_host, false },
	{ "fragment offset", FM_OFFSET, inet_host, false },
	{ "TTL 1", FM_TTL1, inet_host, false },
	{ "TTL 0", FM_TTL0, inet_host, false },
	{ "bad header checksum", FM_BAD_CSUM, inet_host, false },
	{ "another MAC", FM_OTHER_MAC, inet_host, false },
	{ "broadcast MAC", FM_BROADCAST_MAC, inet_host, false },
	{ "ARP", FM_ARP, inet_host, false },
	{ "IPv6", FM_IPV6, inet_host, false },
	{ "GRE", FM_GRE, inet_host, false },
	{ "UDP shorter than its header", FM_UDP_SHORT, inet_host, false },
	{ "TCP data offset 4", FM_TCP_DOFF4, inet_host, false },
	{ "TCP shorter than its header", FM_TCP_SHORT, inet_host, false },
	{ "source 127/8", FM_SRC_LOOPBACK, inet_host, false },
	{ "source multicast", FM_SRC_MCAST, inet_host, false },
	{ "destination multicast", FM_DST_MCAST, inet_host, false },
	{ "destination 255.255.255.255", FM_DST_BCAST, inet_host, false },
	{ "for us", FM_DST_US, our_ip, false },
	{ "total length beyond the frame", FM_TOTAL_LONG, inet_host, false },
	{ "total length below the header", FM_TOTAL_SHORT, inet_host, false },
	{ "above the port's MTU", FM_OVER_MTU, inet_host, false },
};

static void
fast_mutate(uint8_t *f, uint16_t *len, enum fast_mut mut)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);
	uint8_t *l4 = f + ETH_LEN + IP_LEN;
	static const uint8_t mcast[4] = { 224, 0, 0, 5 }, loop[4] = { 127, 0, 0, 1 };

	switch (mut) {
	case FM_TCP:
		ip->next_proto_id = IPPROTO_TCP;
		l4[12] = 5 << 4;
		break;
	case FM_ICMP:
		ip->next_proto_id = IPPROTO_ICMP;
		l4[0] = ICMP_ECHO;
		break;
	case FM_PADDING:
		*len += 6;
		break;
	case FM_OPTIONS:
		ip->version_ihl = 0x46;
		break;
	case FM_MF:
		ip->fragment_offset = rte_cpu_to_be_16(IPV4_MF);
		break;
	case FM_OFFSET:
		ip->fragment_offset = rte_cpu_to_be_16(3);
		break;
	case FM_DF:
		ip->fragment_offset = rte_cpu_to_be_16(0x4000);
		break;
	case FM_TTL1:
		ip->time_to_live = 1;
		break;
	case FM_TTL0:
		ip->time_to_live = 0;
		break;
	case FM_OTHER_MAC:
		f[5] ^= 0x40;
		break;
	case FM_BROADCAST_MAC:
		memset(f, 0xff, 6);
		break;
	case FM_ARP:
		f[13] = 0x06;
		break;
	case FM_IPV6:
		f[12] = 0x86;
		f[13] = 0xdd;
		break;
	case FM_GRE:
		ip->next_proto_id = IPPROTO_GRE;
		break;
	case FM_UDP_SHORT:
		ip->total_length = rte_cpu_to_be_16(IP_LEN + 4);
		break;
	case FM_TCP_DOFF4:
		ip->next_proto_id = IPPROTO_TCP;
		l4[12] = 4 << 4;
		break;
	case FM_TCP_SHORT:
		ip->next_proto_id = IPPROTO_TCP;
		ip->total_length = rte_cpu_to_be_16(IP_LEN + 16);
		l4[12] = 5 << 4;
		break;
	case FM_SRC_LOOPBACK:
		memcpy(&ip->src_addr, loop, 4);
		break;
	case FM_SRC_MCAST:
		memcpy(&ip->src_addr, mcast, 4);
		break;
	case FM_DST_MCAST:
		memcpy(&ip->dst_addr, mcast, 4);
		break;
	case FM_DST_BCAST:
		ip->dst_addr = UINT32_MAX;
		break;
	case FM_TOTAL_LONG:
		ip->total_length = rte_cpu_to_be_16(rte_be_to_cpu_16(ip->total_length) + 1);
		break;
	case FM_TOTAL_SHORT:
		ip->total_length = rte_cpu_to_be_16(IP_LEN - 1);
		break;
	default:
		break;
	}
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (mut == FM_BAD_CSUM)
		ip->hdr_checksum ^= 0x0100;
}

static struct rte_mbuf *
fast_frame(const uint8_t *dst, enum fast_mut mut)
{
	uint16_t len = ETH_LEN + IP_LEN + UDP_LEN + INNER_DATA;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t f[FRAME_MAX] = { 0 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, neigh_mac, 6);
	f[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len - ETH_LEN);
	ip->time_to_live = INNER_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, lan_host, 4);
	memcpy(&ip->dst_addr, dst, 4);
	f[ETH_LEN + IP_LEN] = 0x12;		/* source port 0x1234 */
	f[ETH_LEN + IP_LEN + 1] = 0x34;
	f[ETH_LEN + IP_LEN + 3] = 9;		/* destination port 9 */
	fast_mutate(f, &len, mut);
	memcpy(rte_pktmbuf_append(m, len), f, len);
	return m;
}

/* What the general stages make of the same frame: parse, flow, route. */
static void
fast_expect(const struct rte_mbuf *m, const uint8_t *dst, const struct dp_fwd_pkt *p,
	    const struct dp_flow *f)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	struct dp_pkt_info info;
	struct dp_flow flow;
	enum dp_drop_reason why;

	CU_ASSERT_EQUAL_FATAL(dp_pkt_parse(frame, m->data_len, &info, &why), 0);
	CU_ASSERT(info.kind == p->info.kind && info.l4_proto == p->info.l4_proto &&
		  info.l2_multicast == p->info.l2_multicast &&
		  info.fragment == p->info.fragment &&
		  info.first_fragment == p->info.first_fragment &&
		  info.l3_off == p->info.l3_off && info.l4_off == p->info.l4_off &&
		  info.l3_len == p->info.l3_len);
	CU_ASSERT_EQUAL(info.l3_off + info.l3_len, m->data_len);	/* padding trimmed */
	CU_ASSERT_EQUAL_FATAL(dp_flow_from_parsed(frame, &info, &flow), 0);
	CU_ASSERT_EQUAL(memcmp(&flow, f, sizeof(flow)), 0);
	CU_ASSERT_PTR_EQUAL(p->flow, f);
	CU_ASSERT_PTR_EQUAL(p->m, m);
	CU_ASSERT_PTR_EQUAL(p->nh, dp_route_lookup4(dp.routes, dst));
	CU_ASSERT_EQUAL(dp_meta((struct rte_mbuf *)m)->in_port, PORT_TRUSTED);
	CU_ASSERT_EQUAL(dp_meta((struct rte_mbuf *)m)->l3_off, ETH_LEN);
}

/* Every frame the reader takes it reads as the general stages do; every
 * other frame it leaves untouched (bytes and length) for them. */
static void
test_fast_reader(void)
{
	struct dp_worker *w = dp.workers[0];

	for (size_t i = 0; i < RTE_DIM(fast_rows); i++) {
		struct rte_mbuf *m;
		uint8_t before[FRAME_MAX];
		uint16_t len;
		struct dp_fwd_pkt p;
		struct dp_flow f;
		bool taken;

		if (fast_rows[i].mut == FM_OVER_MTU)
			dp.iface[PORT_TRUSTED].mtu = IP_LEN + UDP_LEN + INNER_DATA - 1;
		m = fast_frame(fast_rows[i].dst, fast_rows[i].mut);
		len = m->data_len;
		memcpy(before, rte_pktmbuf_mtod(m, const uint8_t *), len);
		memset(&p, 0xa5, sizeof(p));
		taken = dp_fwd_fast_ipv4(w, m, PORT_TRUSTED, NULL, &p, &f);
		dp.iface[PORT_TRUSTED].mtu = 1500;
		printf("\n  %-45s %s", fast_rows[i].what, taken ? "taken" : "left");
		CU_ASSERT_EQUAL(taken, fast_rows[i].taken);
		if (taken)
			fast_expect(m, fast_rows[i].dst, &p, &f);
		else
			CU_ASSERT(m->data_len == len &&
				  memcmp(before, rte_pktmbuf_mtod(m, const uint8_t *), len) == 0);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* The VIPs' MAC, while this node owns it, is as good as the port's. */
static void
test_fast_reader_vmac(void)
{
	struct rte_ether_addr vmac = { .addr_bytes = { 0x02, 0, 0x5e, 0, 0, 1 } };
	struct rte_mbuf *m = fast_frame(inet_host, FM_NONE);
	struct dp_fwd_pkt p;
	struct dp_flow f;

	rte_pktmbuf_mtod(m, uint8_t *)[5] = 0x77;	/* another MAC ... */
	memcpy(vmac.addr_bytes, rte_pktmbuf_mtod(m, uint8_t *), 6);	/* ... the VIPs' */
	CU_ASSERT_FALSE(dp_fwd_fast_ipv4(dp.workers[0], m, PORT_TRUSTED, NULL, &p, &f));
	CU_ASSERT_TRUE(dp_fwd_fast_ipv4(dp.workers[0], m, PORT_TRUSTED, &vmac, &p, &f));
	rte_pktmbuf_free(m);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_fwd_ipsec", "-l", "0", "--log-level=3" };
	CU_pSuite suite;
	unsigned int failures;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0 || setup() < 0) {
		fprintf(stderr, "EAL init or test setup failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("fwd_ipsec", NULL, NULL);
	CU_add_test(suite, "classification of packets for us", test_classification);
	CU_add_test(suite, "hand-off to the owner worker", test_handoff_to_owner);
	CU_add_test(suite, "ike.port 5000, ike.natt_port 5001", test_ike_ports);
	CU_add_test(suite, "outbound SPD from the unprotected side", test_spd_out_unprotected_side);
	CU_add_test(suite, "outbound SPD from the unprotected side, one burst",
		    test_spd_out_burst);
	CU_add_test(suite, "outer IPv4 ID per worker", test_ip_id_per_worker);
	CU_add_test(suite, "SA events lost, per worker", test_sa_events_lost);
	CU_add_test(suite, "TTL decrement: incremental checksum", test_ttl_dec_checksum);
	CU_add_test(suite, "trusted port: the one-pass reader", test_fast_reader);
	CU_add_test(suite, "trusted port: the one-pass reader, VIPs' MAC", test_fast_reader_vmac);
	failures = cu_run_count();
	teardown();
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
