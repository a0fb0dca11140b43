/*
 * Fixture for test_local_proto.c: a struct dp with two ports and a
 * neighbour table, test doubles of dp_ctl_tx()/dp_ctl_output() that
 * capture what the code under test sends, frames fed in as bytes, and an
 * Internet checksum (RFC 1071) that shares no code with the dataplane.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tests/unit/dataplane/local_proto_fixture.h"

struct dp dp;
struct rte_mempool *pool;
unsigned int baseline;
static unsigned int table_seq;
struct capture cap[MAX_CAPTURE];
unsigned int n_cap;
unsigned int held_sent, held_dropped;
struct rte_ether_addr held_mac;

const struct rte_ether_addr mac_p0 = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };
const struct rte_ether_addr mac_p1 = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
const struct rte_ether_addr mac_h = { .addr_bytes = { 0x02, 0xaa, 0, 0, 0, 0x10 } };
const struct rte_ether_addr mac_h20 = { .addr_bytes = { 0x02, 0xaa, 0, 0, 0, 0x20 } };

static void
capture(bool output, uint8_t port, struct rte_mbuf *m)
{
	if (n_cap < MAX_CAPTURE) {
		struct capture *c = &cap[n_cap];

		c->output = output;
		c->port = port;
		c->l3_off = dp_meta(m)->l3_off;
		c->len = (uint16_t)RTE_MIN(rte_pktmbuf_data_len(m), FRAME_MAX);
		memcpy(c->bytes, rte_pktmbuf_mtod(m, void *), c->len);
	}
	n_cap++;
	rte_pktmbuf_free(m);
}

/* Test doubles of ctl_output.c. */
int
dp_ctl_tx(struct dp *d, uint8_t port, struct rte_mbuf *m)
{
	capture(false, port, m);
	return 0;
}

int
dp_ctl_output(struct dp *d, struct rte_mbuf *m)
{
	capture(true, dp_meta(m)->in_port, m);
	return 0;
}

/* The neighbour table's owner, as dp.c wires it. */
static void
ops_solicit(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac)
{
	if (key->family == AF_INET)
		dp_arp_solicit(&dp, key, mac);
	else
		dp_nd_solicit(&dp, key, mac);
}

static void
ops_send(void *arg, const struct dp_neigh_key *key, const struct rte_ether_addr *mac,
	 struct rte_mbuf *m)
{
	held_sent++;
	held_mac = *mac;
	rte_pktmbuf_free(m);
}

static void
ops_drop(void *arg, struct rte_mbuf *m)
{
	held_dropped++;
	rte_pktmbuf_free(m);
}

/* ---- an independent Internet checksum (RFC 1071), big-endian words ---- */

uint32_t
ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ICMPv6 checksum of the frame's message (IPv6 at 14, no extension headers). */
uint16_t
ref_icmp6(const uint8_t *f, size_t len)
{
	uint32_t plen = len - L4_OFF6;
	uint32_t sum = ref_sum(f + ETH_LEN + 8, 32, 0) + plen + IPPROTO_ICMPV6;

	return ref_fold(ref_sum(f + L4_OFF6, plen, sum));
}

void
fix_icmp6(uint8_t *f, size_t len)
{
	uint16_t c;

	f[ICMP6_CSUM_OFF] = f[ICMP6_CSUM_OFF + 1] = 0;
	c = ref_icmp6(f, len);
	f[ICMP6_CSUM_OFF] = (uint8_t)(c >> 8);
	f[ICMP6_CSUM_OFF + 1] = (uint8_t)c;
}

void
fix_icmp4(uint8_t *f, size_t len)
{
	size_t off = ETH_LEN + IP4_LEN;
	uint16_t c;

	f[off + 2] = f[off + 3] = 0;
	c = ref_fold(ref_sum(f + off, len - off, 0));
	f[off + 2] = (uint8_t)(c >> 8);
	f[off + 3] = (uint8_t)c;
}

/* ---- frames in ---- */

/* The parse result dp_pkt_parse() would give for our simple frames. */
struct dp_pkt_info
info_of(const uint8_t *f, size_t len)
{
	struct dp_pkt_info info = { .l3_off = ETH_LEN, .l2_multicast = (f[0] & 1) != 0 };
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	if (type == RTE_ETHER_TYPE_ARP) {
		info.kind = DP_PKT_ARP;
		info.l3_len = (uint16_t)(len - ETH_LEN);
	} else if (type == RTE_ETHER_TYPE_IPV4) {
		uint16_t frag = (uint16_t)((f[20] << 8 | f[21]) & 0x3fff);

		info.kind = DP_PKT_IPV4;
		info.l4_proto = f[23];
		info.l4_off = (uint16_t)(ETH_LEN + (f[14] & 0xf) * 4);
		info.l3_len = (uint16_t)(f[16] << 8 | f[17]);
		info.fragment = frag != 0;
		info.first_fragment = (frag & 0x1fff) == 0;
	} else {
		info.kind = DP_PKT_IPV6;
		info.l4_proto = f[20];
		info.l4_off = L4_OFF6;
		info.l3_len = (uint16_t)(IP6_LEN + (f[18] << 8 | f[19]));
		info.first_fragment = true;
	}
	return info;
}

struct rte_mbuf *
mbuf_of(const uint8_t *f, size_t len, uint8_t port, uint8_t reason, uint16_t mtu)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct dp_mbuf_meta *meta = dp_meta(m);

	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	memset(meta, 0, sizeof(*meta));
	meta->in_port = port;
	meta->l3_off = ETH_LEN;
	meta->punt_reason = reason;
	meta->mtu = mtu;
	return m;
}

void
arp_in(const uint8_t *f, size_t len, uint8_t port)
{
	struct dp_pkt_info info = info_of(f, len);

	dp_arp_input(&dp, mbuf_of(f, len, port, DP_PUNT_LOCAL, 0), &info);
}

void
nd_in(const uint8_t *f, size_t len, uint8_t port)
{
	struct dp_pkt_info info = info_of(f, len);

	dp_nd_input(&dp, mbuf_of(f, len, port, DP_PUNT_LOCAL, 0), &info);
}

void
icmp_in(const uint8_t *f, size_t len, uint8_t port)
{
	struct dp_pkt_info info = info_of(f, len);

	dp_icmp_input(&dp, mbuf_of(f, len, port, DP_PUNT_LOCAL, 0), &info);
}

void
error_in(const uint8_t *f, size_t len, uint8_t reason, uint16_t mtu)
{
	struct dp_pkt_info info = info_of(f, len);

	dp_icmp_error(&dp, mbuf_of(f, len, 0, reason, mtu), &info);
}

/* ---- fixture ---- */

static void
iface_setup(struct dp_iface *ifc, uint8_t index, const struct rte_ether_addr *mac,
	    uint8_t v4_net, uint8_t v6_net)
{
	static const uint8_t v4_prefix[2][3] = { { 192, 0, 2 }, { 198, 51, 100 } };

	memset(ifc, 0, sizeof(*ifc));
	ifc->index = index;
	ifc->mac = *mac;
	ifc->mtu = BIG_LEN;
	ifc->n_ipv4 = 1;
	ifc->ipv4[0].family = AF_INET;
	ifc->ipv4[0].len = 24;
	memcpy(ifc->ipv4[0].addr.v4, v4_prefix[v4_net], 3);
	ifc->ipv4[0].addr.v4[3] = 1;
	ifc->n_ipv6 = 1;
	ifc->ipv6[0].family = AF_INET6;
	ifc->ipv6[0].len = 64;
	memcpy(ifc->ipv6[0].addr.v6, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, v6_net }, 6);
	ifc->ipv6[0].addr.v6[15] = 1;
	ifc->ipv6_link_local[0] = 0xfe;
	ifc->ipv6_link_local[1] = 0x80;
	ifc->ipv6_link_local[15] = (uint8_t)(index + 1);
}

void
begin(void)
{
	struct dp_neigh_params p = {
		.entries = 16, .reachable_ms = 30000, .retrans_ms = 1000, .max_probes = 3,
		.pending_per_entry = 4, .pending_total = 16, .socket = SOCKET_ID_ANY,
	};
	struct dp_neigh_ops ops = {
		.solicit = ops_solicit, .send = ops_send, .drop = ops_drop,
	};
	char name[32];

	memset(&dp, 0, sizeof(dp));
	dp.n_ifaces = 2;
	dp.pool = pool;
	iface_setup(&dp.iface[0], 0, &mac_p0, 0, 1);
	iface_setup(&dp.iface[1], 1, &mac_p1, 1, 2);
	snprintf(name, sizeof(name), "t_lp%u", table_seq++);
	dp.neigh = dp_neigh_create(name, &p, &ops);
	dp.icmp_limit.rate = 0;
	dp.icmp_limit.burst = 100;
	dp.icmp_limit.tokens_milli = 100 * 1000;
	dp.icmp_limit.last_ms = dp_now_ms();
	n_cap = 0;
	held_sent = held_dropped = 0;
	memset(cap, 0, sizeof(cap));
}

void
end(void)
{
	dp_neigh_free(dp.neigh);
	dp.neigh = NULL;
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), baseline);
}

uint64_t
drops(uint8_t port, enum dp_drop_reason r)
{
	return dp.ctl_counters.port[port].drops[r];
}

uint64_t
all_drops(void)
{
	uint64_t n = 0;

	for (unsigned int p = 0; p < DP_MAX_PORTS; p++)
		for (unsigned int r = 0; r < DP_DROP_MAX; r++)
			n += dp.ctl_counters.port[p].drops[r];
	return n;
}

bool
sent_exactly(unsigned int i, bool output, uint8_t port, const uint8_t *f, size_t len)
{
	return i < n_cap && cap[i].output == output && cap[i].port == port &&
	       cap[i].l3_off == ETH_LEN && cap[i].len == len && memcmp(cap[i].bytes, f, len) == 0;
}

bool
neigh_mac(uint16_t port, uint8_t family, const uint8_t *addr, struct rte_ether_addr *mac)
{
	struct dp_neigh_key k = { .port = port, .family = family };

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	return dp_neigh_lookup(dp.neigh, &k, mac);
}


int
lp_init(void)
{
	char *argv[] = {
		"test_local_proto", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
		"--file-prefix", "hagw_test_local_proto", "-l", "0", "--log-level=3",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("t_lp_pool", N_MBUFS, 0,
				       RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	baseline = rte_mempool_in_use_count(pool);
	return 0;
}

