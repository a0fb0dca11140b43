/*
 * libFuzzer target for the trusted port's one-pass reader
 * (dataplane/fwd_fast.c), checked against the general stages it stands
 * in for: a frame it takes must parse (dp_pkt_parse) to the same
 * dp_pkt_info, give the same flow (dp_flow_from_parsed) and next hop
 * (dp_route_lookup4), and pass the checks the general path would drop or
 * punt it for (TTL, martians, MTU, a route to us); a frame it leaves must
 * be unchanged. Any breach aborts. The frame is an exactly sized heap
 * buffer behind a stack mbuf (EAL memory is not ASan's), so ASan sees a
 * read past it.
 *
 * Input: a flags octet, then the frame. Flag bits make the interesting
 * frames reachable without guessing: 0x01 writes the port's MAC as the
 * destination, 0x02 writes a correct IPv4 header checksum, 0x04 says the
 * device verified the checksum (RX offload flag).
 * Seeds: tests/fuzz/corpus/fuzz_fwd_fast/ (the frame vectors behind a
 * flags octet, and frames the reader takes).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/flow.h"
#include "dataplane/fwd.h"
#include "dataplane/route.h"

enum {
	PORT = 0,
	MTU = 1500,
	FRAME_MAX = 9000,
	ETH_LEN = 14,
	IPV4_HDR = 20,
	F_OUR_MAC = 0x01,
	F_CSUM = 0x02,
	F_CSUM_GOOD = 0x04,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dp dp;
static struct dp_worker worker;

/* An mbuf with its private area (dp_meta) right behind it. */
struct fake_mbuf {
	struct rte_mbuf m;
	struct dp_mbuf_meta meta;
};
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 1, 1 };

/* 192.0.2.1/32 ours, 192.0.2.0/24 connected, 10.0.0.0/8 via a gateway;
 * nothing else (no route is fine for a PROTECT policy). */
static int
routes(void)
{
	static const struct {
		uint8_t addr[4], len;
		enum dp_nexthop_kind kind;
	} r[] = {
		{ { 192, 0, 2, 1 }, 32, DP_NH_LOCAL },
		{ { 192, 0, 2, 0 }, 24, DP_NH_CONNECTED },
		{ { 10, 0, 0, 0 }, 8, DP_NH_GATEWAY },
	};

	dp.routes = dp_route_create("fz_rt", 16, SOCKET_ID_ANY);
	if (dp.routes == NULL)
		return -1;
	for (size_t i = 0; i < RTE_DIM(r); i++) {
		struct cfg_prefix pfx = { .family = AF_INET, .len = r[i].len };
		struct dp_nexthop nh = { .kind = r[i].kind, .port = PORT, .family = AF_INET,
					 .gw = { 192, 0, 2, 254 } };

		memcpy(pfx.addr.v4, r[i].addr, 4);
		if (dp_route_add(dp.routes, &pfx, &nh) != 0)
			return -1;
	}
	return 0;
}

/* At exit, before LeakSanitizer looks: the table's heap parts are
 * reachable only through EAL memory, which it does not scan. */
static void
routes_free(void)
{
	dp_route_free(dp.routes);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz_fwd_fast", "--no-huge", "-m", "512", "--no-pci", "--no-telemetry",
			"--file-prefix", "hagw_fuzz_fwd_fast", "-l", "0", "--log-level=1" };

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		abort();
	if (routes() < 0 || atexit(routes_free) != 0)
		abort();
	dp.n_ifaces = 1;
	dp.iface[PORT].mtu = MTU;
	dp.iface[PORT].role = CFG_ROLE_TRUSTED;
	memcpy(dp.iface[PORT].mac.addr_bytes, our_mac, sizeof(our_mac));
	worker.dp = &dp;
	return 0;
}

static void
prepare(uint8_t *f, uint32_t len, uint8_t flags)
{
	if ((flags & F_OUR_MAC) && len >= 6)
		memcpy(f, our_mac, 6);
	if ((flags & F_CSUM) && len >= ETH_LEN + IPV4_HDR && (f[ETH_LEN] >> 4) == 4 &&
	    (f[ETH_LEN] & 0xf) * 4u <= len - ETH_LEN) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
}

/* What the general stages make of a frame the reader took. */
static void
check_taken(struct rte_mbuf *m, const struct dp_fwd_pkt *p, const struct dp_flow *f)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + ETH_LEN);
	const struct dp_nexthop *nh;
	struct dp_pkt_info info;
	struct dp_flow flow;
	enum dp_drop_reason why;

	if (dp_pkt_parse_rx(frame, m->data_len,
			    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD,
			    &info, &why) != 0 || info.kind != DP_PKT_IPV4 ||
	    info.kind != p->info.kind || info.l4_proto != p->info.l4_proto ||
	    info.l2_multicast || p->info.l2_multicast || info.fragment || p->info.fragment ||
	    !info.first_fragment || !p->info.first_fragment || info.l3_off != p->info.l3_off ||
	    info.l4_off != p->info.l4_off || info.l3_len != p->info.l3_len ||
	    info.l3_off + info.l3_len != m->data_len)
		abort();
	if (dp_flow_from_parsed(frame, &info, &flow) != 0 || memcmp(&flow, f, sizeof(flow)) != 0 ||
	    p->flow != f || p->m != m)
		abort();
	nh = dp_route_lookup4(dp.routes, (const uint8_t *)&ip->dst_addr);
	if (p->nh != nh || (nh != NULL && nh->kind == DP_NH_LOCAL))
		abort();
	if (ip->time_to_live <= 1 || dp_fwd_ipv4_martian(ip) || dp_fwd_ipv4_not_unicast(ip) ||
	    info.l3_len > MTU || memcmp(frame, our_mac, 6) != 0)
		abort();
	if (dp_meta(m)->in_port != PORT || dp_meta(m)->l3_off != ETH_LEN)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_mbuf fm;
	struct rte_mbuf *m = &fm.m;
	uint8_t before[FRAME_MAX];
	struct dp_fwd_pkt p;
	struct dp_flow f;
	uint16_t len;
	uint8_t *frame;

	if (size < 1 || size - 1 > sizeof(before))
		return 0;
	len = (uint16_t)(size - 1);
	frame = malloc(len == 0 ? 1 : len);
	if (frame == NULL)
		abort();
	memcpy(frame, data + 1, len);
	memset(&fm, 0, sizeof(fm));
	m->buf_addr = frame;
	m->buf_len = len;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	prepare(frame, len, data[0]);
	if (data[0] & F_CSUM_GOOD)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	memcpy(before, frame, len);
	if (dp_fwd_fast_ipv4(&worker, m, PORT, NULL, &p, &f))
		check_taken(m, &p, &f);
	else if (m->data_len != len || memcmp(before, frame, len) != 0)
		abort();
	free(frame);
	return 0;
}
