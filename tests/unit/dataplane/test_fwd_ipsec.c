/*
 * Unit tests of the IPsec stages of the forwarding path (dataplane/
 * fwd_ipsec.c through dp_forward_burst): what an untrusted port does with
 * packets for our address (RFC 4303 ESP, RFC 3948 ESP-in-UDP, NAT
 * keepalives, non-ESP marker, IKE), every length check on the way, and
 * the hand-off of ESP to the worker that owns the SA, which looks the SA
 * up again and decrypts. Table-driven; each row one frame, one outcome;
 * no mbuf leaks.
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
#include "dataplane/esp_crypto.h"
#include "dataplane/route.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

enum {
	PORT_UNTRUSTED = 0,
	PORT_TRUSTED = 1,
	N_WORKERS = 2,
	POOL_SIZE = 255,
	RING_SIZE = 64,
	FRAME_MAX = 256,
	ETH_LEN = 14,
	IP_LEN = 20,
	UDP_LEN = 8,
	IKE_PORT = 500,
	NATT_PORT = 4500,
	SPI_OWNED_BY_1 = 0x1001,
	SPI_UNKNOWN = 0x7777,
	IPV4_MF = 0x2000,
	/* Expected outcomes other than a drop reason. */
	PUNTED = -1,
	HANDED_OFF = -2,
};

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 1, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 1, 2 };
static const uint8_t our_ip[4] = { 192, 0, 2, 1 };
static const uint8_t peer_ip[4] = { 192, 0, 2, 2 };

static struct dp dp;
static struct rte_mempool *pool;

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

static int
setup(void)
{
	struct dp_spd_params pp = { .max_policies = 4, .max_clients = 16,
				    .default_action = DP_POLICY_BYPASS, .socket = SOCKET_ID_ANY };
	struct cfg_prefix host = { .family = AF_INET, .len = 32, .addr.v4 = { 192, 0, 2, 1 } };
	struct dp_nexthop local = { .kind = DP_NH_LOCAL, .port = PORT_UNTRUSTED,
				    .family = AF_INET };

	pool = rte_pktmbuf_pool_create("t_pool", POOL_SIZE, 0,
				       RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	dp.n_ifaces = 2;
	dp.burst = DP_MAX_BURST;
	for (uint8_t i = 0; i < dp.n_ifaces; i++) {
		dp.iface[i].index = i;
		dp.iface[i].mtu = 1500;
		dp.iface[i].role = i == PORT_TRUSTED ? CFG_ROLE_TRUSTED : CFG_ROLE_UNTRUSTED;
		memcpy(dp.iface[i].mac.addr_bytes, our_mac, 6);
	}
	dp.punt_ring = rte_ring_create("t_punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp.routes = dp_route_create("t_rt", 16, SOCKET_ID_ANY);
	dp.spd = dp_spd_create("t_spd", &pp);
	dp.n_workers = N_WORKERS;
	for (uint16_t i = 0; i < N_WORKERS; i++)
		dp.workers[i] = worker(i);
	/* The SAD expands keys with worker 0's manager: freed after the SAD. */
	if (pool == NULL || dp.punt_ring == NULL || dp.routes == NULL || dp.spd == NULL ||
	    dp.workers[0] == NULL || dp.workers[1] == NULL ||
	    dp_route_add(dp.routes, &host, &local) != 0 || add_sa(dp.workers[0]->mgr) != 0)
		return -1;
	return 0;
}

static void
teardown(void)
{
	for (uint16_t i = 0; i < N_WORKERS; i++) {
		struct dp_worker *w = dp.workers[i];

		if (w == NULL)
			continue;
		if (w->mgr != NULL)
			dp_esp_mgr_free(w->mgr);
		rte_ring_free(w->handoff_ring);
		rte_free(w);
	}
	dp_sad_free(dp.sad);
	if (dp.spd != NULL)
		dp_spd_free(dp.spd);
	if (dp.routes != NULL)
		dp_route_free(dp.routes);
	rte_ring_free(dp.punt_ring);
	rte_mempool_free(pool);
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
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	teardown();
	rte_eal_cleanup();
	return (int)failures;
}
