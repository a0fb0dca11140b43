/*
 * Unit tests of changes to a live SA (dp_sa_update in dataplane/sa.c;
 * IKEv2 NAT rebinding and MOBIKE, RFC 7296 §2.23, RFC 4555 §3.5):
 *   - every check and its message, all or nothing, unknown ids;
 *   - overhead +8 / -8 when UDP encapsulation (RFC 3948 §2.1) is switched;
 *   - the bytes of the next packets' outer IPv4 and IPv6 headers (source,
 *     destination, protocol 50 / 17, lengths, UDP ports and checksum,
 *     DSCP, DF), the ciphertext still opened by the OpenSSL reference;
 *   - lifetimes lowered below what the SA used and raised (RFC 4301
 *     §4.4.2.1), with SA events from real packets;
 *   - the replaced path freed only after a QSBR grace period, and no
 *     rte_malloc memory left after dp_sad_free with replacements pending
 *     (heap statistics: ASan does not see DPDK memory);
 *   - a thread encapsulating while the main thread swaps the path 10000
 *     times: every packet carries exactly one of the two paths.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <CUnit/Basic.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane/esp.h"
#include "tests/unit/dataplane/esp_fixture.h"
#include "tests/unit/dataplane/esp_fixture_main.h"

enum {
	MAX_SAS = 16,
	NATT = 4500,
	NATT_PEER = 4501,		/* the port a NAT gave the peer */
	PAYLOAD = 10,			/* inner UDP payload: inner IPv4 packet of 38 bytes */
	INNER_LEN = 38,
	ESP_PLAIN = 40,			/* inner + no padding + pad length + next header */
	OUT4_LEN = 20 + 8 + 8 + ESP_PLAIN + 16,	/* IPv4, ESP, IV, payload, ICV */
	OUT6_LEN = 40 + 8 + 8 + ESP_PLAIN + 16,
	UDP_HDR = 8,
	DSCP_EF = 46,
	RACE_UPDATES = 10000,
	RACE_SYNC = 101,		/* odd: the path at the sync points alternates */
	RACE_BURST = 8,
	RECLAIM_EVERY = 64,
};

static const struct fx_combo gcm44 = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET,
};
static const struct fx_combo gcm46 = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET6,
};

static const uint8_t new4[4] = { 198, 51, 100, 7 };	/* the peer behind a new NAT */
static const uint8_t vip4[4] = { 203, 0, 113, 77 };	/* our HA address, moved */
static const uint8_t new6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };

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

static struct cfg_prefix
pf(int family, const uint8_t *addr)
{
	struct cfg_prefix p = { .family = (uint8_t)family };

	p.len = family == AF_INET ? 32 : 128;
	memcpy(p.addr.bytes, addr, family == AF_INET ? 4 : 16);
	return p;
}

/* rte_malloc elements in use on every socket. */
static uint64_t
heap_allocs(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t n = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			n += st.alloc_count;
	return n;
}

static struct dp_sad *
sad_new(const char *name, struct rte_rcu_qsbr *v)
{
	struct dp_sad_params sp = {
		.max_sas = MAX_SAS, .n_workers = 1, .qsbr = v, .mgr = fx.dp.ctl_mgr,
		.socket = SOCKET_ID_ANY,
	};
	struct dp_sad *sad = dp_sad_create(name, &sp);

	CU_ASSERT_FATAL(sad != NULL);
	return sad;
}

static struct dp_sa *
sa_add(struct dp_sad *sad, const struct dp_sa_params *p)
{
	char err[128] = "";
	uint32_t id;

	CU_ASSERT_EQUAL_FATAL(dp_sa_add(sad, p, &id, err, sizeof(err)), 0);
	return dp_sad_get(sad, id);
}

static int
upd(struct dp_sad *sad, const struct dp_sa *sa, const struct dp_sa_update *u)
{
	char err[128] = "";
	int rc = dp_sa_update(sad, sa->id, u, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "dp_sa_update: %d %s\n", rc, err);
	return rc;
}

/* dp_sa_update on the SA expected to fail with rc and msg. */
static void
upd_fails(struct dp_sad *sad, uint32_t id, const struct dp_sa_update *u, int rc, const char *msg)
{
	char err[128] = "";

	CU_ASSERT_EQUAL(dp_sa_update(sad, id, u, err, sizeof(err)), rc);
	CU_ASSERT_STRING_EQUAL(err, msg);
}

/* ---- checks ---------------------------------------------------------------------- */

#define T_V4(a, b, c, d) { .family = AF_INET, .len = 32, .addr.v4 = { a, b, c, d } }
#define T_V6(last) { .family = AF_INET6, .len = 128, \
		     .addr.v6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = last } }

/* One bad update per row of an IPv4 SA with soft 10 / hard 20 packets. */
static const struct {
	struct dp_sa_update u;
	const char *msg;
} bad_updates[] = {
	{ { .fields = DP_SA_UPD_REMOTE, .remote = T_V6(2) },
	  "remote address: family differs from the SA's (IPv4)" },
	{ { .fields = DP_SA_UPD_LOCAL, .local = T_V6(1) },
	  "local address: family differs from the SA's (IPv4)" },
	{ { .fields = DP_SA_UPD_LOCAL }, "local address: family differs from the SA's (IPv4)" },
	{ { .fields = DP_SA_UPD_ENCAP, .udp_encap = true, .encap_local_port = NATT },
	  "UDP encapsulation needs non-zero ports" },
	{ { .fields = DP_SA_UPD_ENCAP, .udp_encap = true, .encap_remote_port = NATT },
	  "UDP encapsulation needs non-zero ports" },
	{ { .fields = DP_SA_UPD_DF, .df = (enum dp_sa_df)3 }, "df 3 invalid" },
	{ { .fields = DP_SA_UPD_DSCP, .dscp = 64 }, "dscp 64 out of range (-1 = copy, 0..63)" },
	{ { .fields = DP_SA_UPD_DSCP, .dscp = -2 }, "dscp -2 out of range (-1 = copy, 0..63)" },
	{ { .fields = 1u << 7 }, "unknown update fields 0x80" },
	{ { .fields = DP_SA_UPD_SOFT, .soft.packets = 21 }, "soft lifetime above hard lifetime" },
	{ { .fields = DP_SA_UPD_HARD, .hard.packets = 9 }, "soft lifetime above hard lifetime" },
	/* All or nothing: good path fields with a bad lifetime change nothing. */
	{ { .fields = DP_SA_UPD_PATH | DP_SA_UPD_HARD, .local = T_V4(203, 0, 113, 77),
	    .remote = T_V4(198, 51, 100, 7), .udp_encap = true, .encap_local_port = NATT,
	    .encap_remote_port = NATT, .dscp = 1, .hard.packets = 5 },
	  "soft lifetime above hard lifetime" },
};

static void
test_checks(void)
{
	struct dp_sad *sad = sad_new("t_upd_chk", NULL);
	const struct dp_sa_path *path0;
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, 0x100, DP_SA_OUTBOUND);
	p.soft.packets = 10;
	p.hard.packets = 20;
	sa = sa_add(sad, &p);
	path0 = dp_sa_path_get(sa);
	for (unsigned int i = 0; i < RTE_DIM(bad_updates); i++)
		upd_fails(sad, sa->id, &bad_updates[i].u, -EINVAL, bad_updates[i].msg);
	CU_ASSERT_EQUAL(dp_sa_update(sad, sa->id, &bad_updates[0].u, NULL, 0), -EINVAL);
	CU_ASSERT_PTR_EQUAL(dp_sa_path_get(sa), path0);
	CU_ASSERT_EQUAL(memcmp(path0->local.addr.v4, fx_a4, 4), 0);
	CU_ASSERT_EQUAL(memcmp(path0->remote.addr.v4, fx_b4, 4), 0);
	CU_ASSERT_FALSE(path0->udp_encap);
	CU_ASSERT_EQUAL(path0->dscp, -1);
	CU_ASSERT_EQUAL(sa->soft.packets, 10);
	CU_ASSERT_EQUAL(sa->hard.packets, 20);
	dp_sad_free(sad);
}

/* Unknown, never used and deleted ids; no stale copies in sa->p. */
static void
test_ids(void)
{
	struct dp_sad *sad = sad_new("t_upd_ids", NULL);
	struct dp_sa_update u = { .fields = DP_SA_UPD_REMOTE, .remote = T_V4(198, 51, 100, 7) };
	const struct dp_sa_path *path0;
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, 0x101, DP_SA_OUTBOUND);
	p.soft.packets = 10;
	sa = sa_add(sad, &p);
	path0 = dp_sa_path_get(sa);
	CU_ASSERT_EQUAL(sa->p.local.family, 0);
	CU_ASSERT_EQUAL(sa->p.remote.family, 0);
	CU_ASSERT_EQUAL(sa->p.soft.packets, 0);
	CU_ASSERT_EQUAL(sa->soft.packets, 10);
	upd_fails(sad, MAX_SAS, &u, -ENOENT, "SA id 16 not found");
	upd_fails(sad, UINT32_MAX, &u, -ENOENT, "SA id 4294967295 not found");
	upd_fails(sad, 5, &u, -ENOENT, "SA id 5 not found");
	u.fields = 0;					/* nothing asked: nothing done */
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_PTR_EQUAL(dp_sa_path_get(sa), path0);
	CU_ASSERT_EQUAL(dp_sa_delete(sad, sa->id), 0);
	u.fields = DP_SA_UPD_REMOTE;
	upd_fails(sad, 0, &u, -ENOENT, "SA id 0 not found");
	dp_sad_free(sad);
}

/* Outer path fields and overhead of IPv4 / IPv6, tunnel / transport,
 * outbound / inbound: UDP encapsulation adds exactly 8 bytes. */
static void
test_overhead(void)
{
	struct dp_sad *sad = sad_new("t_upd_ovh", NULL);
	struct dp_sa_update on = { .fields = DP_SA_UPD_ENCAP, .udp_encap = true,
				   .encap_local_port = NATT, .encap_remote_port = NATT_PEER };
	struct dp_sa_update off = { .fields = DP_SA_UPD_ENCAP };
	struct fx_combo c = gcm46;
	const struct dp_sa_path *path;
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, 0x200, DP_SA_OUTBOUND);
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 20 + 8 + 8 + 16);
	CU_ASSERT_EQUAL(upd(sad, sa, &on), 0);
	path = dp_sa_path_get(sa);
	CU_ASSERT_EQUAL(path->overhead, 20 + 8 + 8 + 16 + UDP_HDR);
	CU_ASSERT_TRUE(path->udp_encap);
	CU_ASSERT_EQUAL(path->encap_local_port, NATT);
	CU_ASSERT_EQUAL(path->encap_remote_port, NATT_PEER);
	CU_ASSERT_EQUAL(memcmp(path->remote.addr.v4, fx_b4, 4), 0);	/* kept */
	CU_ASSERT_EQUAL(upd(sad, sa, &off), 0);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 20 + 8 + 8 + 16);
	CU_ASSERT_FALSE(dp_sa_path_get(sa)->udp_encap);
	/* IPv6 tunnel, CBC: IV 16. */
	c.alg = DP_SA_AES_CBC_128_SHA256;
	fx_params(&p, &c, 0x201, DP_SA_OUTBOUND);
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 40 + 8 + 16 + 16);
	CU_ASSERT_EQUAL(upd(sad, sa, &on), 0);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 40 + 8 + 16 + 16 + UDP_HDR);
	/* Inbound IPv6 transport: allowed, same rules. */
	c = gcm46;
	c.mode = DP_SA_TRANSPORT;
	c.inner = AF_INET6;
	fx_params(&p, &c, 0x202, DP_SA_INBOUND);
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 8 + 8 + 16);
	on.fields |= DP_SA_UPD_REMOTE;
	on.remote = pf(AF_INET6, new6);
	CU_ASSERT_EQUAL(upd(sad, sa, &on), 0);
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 8 + 8 + 16 + UDP_HDR);
	CU_ASSERT_EQUAL(memcmp(dp_sa_path_get(sa)->remote.addr.v6, new6, 16), 0);
	dp_sad_free(sad);
}

/* ---- packets ---------------------------------------------------------------------- */

static const struct ref_sa gcm_ref = {
	.alg = DP_SA_AES_GCM_128, .key = fx_key, .key_len = 20,
};

/* One inner IPv4 packet 10.9.0.5 -> 203.0.113.10 (DF set) through sa;
 * the outer IP packet is at FX_L2_LEN of the returned mbuf. */
static struct rte_mbuf *
encap_one(struct dp_sa *sa, uint8_t *inner)
{
	struct rte_mbuf *m = fx_mbuf(inner, ref_ipv4_udp(inner, fx_c4, fx_l4, 0, true, PAYLOAD));

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(dp_esp_outbound(fx.w, FX_PORT, &m, &sa, 1), 1);
	return m;
}

/* The ESP part: SPI, sequence number, and the reference opens it to the
 * inner packet, no padding, next header IPv4 (RFC 4303 §2.6). */
static void
check_esp(uint8_t *esp, uint32_t spi, uint32_t seq, const uint8_t *inner)
{
	CU_ASSERT_EQUAL(get32(esp), spi);
	CU_ASSERT_EQUAL(get32(esp + 4), seq);
	CU_ASSERT_EQUAL_FATAL(ref_open(&gcm_ref, esp, ESP_PLAIN, 0), 0);
	CU_ASSERT_EQUAL(memcmp(esp + 16, inner, INNER_LEN), 0);
	CU_ASSERT_EQUAL(esp[16 + INNER_LEN], 0);
	CU_ASSERT_EQUAL(esp[16 + INNER_LEN + 1], IPPROTO_IPIP);
}

/* An outer IPv4 header, byte by byte. */
static void
check_ip4(const uint8_t *ip, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	  uint16_t len, uint8_t tos, uint16_t flags)
{
	CU_ASSERT_EQUAL(ip[0], 0x45);
	CU_ASSERT_EQUAL(ip[1], tos);
	CU_ASSERT_EQUAL(get16(ip + 2), len);
	CU_ASSERT_EQUAL(get16(ip + 6), flags);
	CU_ASSERT_EQUAL(ip[8], 64);
	CU_ASSERT_EQUAL(ip[9], proto);
	CU_ASSERT_EQUAL(memcmp(ip + 12, src, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 16, dst, 4), 0);
	CU_ASSERT_TRUE(ref_ipv4_csum_ok(ip));
}

static void
check_udp(const uint8_t *udp, uint16_t sport, uint16_t dport, uint16_t len)
{
	CU_ASSERT_EQUAL(get16(udp), sport);
	CU_ASSERT_EQUAL(get16(udp + 2), dport);
	CU_ASSERT_EQUAL(get16(udp + 4), len);
}

/* NAT rebinding (new peer address and port, UDP switched on), then the
 * HA address moving with UDP off again, DSCP set and DF cleared. */
static void
test_packets_ipv4(void)
{
	struct dp_sa_update u = {
		.fields = DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP, .remote = pf(AF_INET, new4),
		.udp_encap = true, .encap_local_port = NATT, .encap_remote_port = NATT_PEER,
	};
	uint8_t inner[REF_PKT_MAX];
	struct dp_sa_params p;
	struct rte_mbuf *m;
	struct dp_sa *sa;
	uint8_t *ip;

	fx_params(&p, &gcm44, 0x300, DP_SA_OUTBOUND);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	check_ip4(ip, fx_a4, fx_b4, IPPROTO_ESP, OUT4_LEN, 0, 0x4000);
	check_esp(ip + 20, 0x300, 1, inner);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + OUT4_LEN + UDP_HDR);
	check_ip4(ip, fx_a4, new4, IPPROTO_UDP, OUT4_LEN + UDP_HDR, 0, 0x4000);
	check_udp(ip + 20, NATT, NATT_PEER, OUT4_LEN + UDP_HDR - 20);
	CU_ASSERT_EQUAL(get16(ip + 26), 0);	/* RFC 3948 §2.1: IPv4 checksum 0 */
	check_esp(ip + 28, 0x300, 2, inner);
	rte_pktmbuf_free(m);
	u = (struct dp_sa_update){
		.fields = DP_SA_UPD_LOCAL | DP_SA_UPD_ENCAP | DP_SA_UPD_DSCP | DP_SA_UPD_DF,
		.local = pf(AF_INET, vip4), .dscp = DSCP_EF, .df = DP_SA_DF_CLEAR,
	};
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + OUT4_LEN);
	check_ip4(ip, vip4, new4, IPPROTO_ESP, OUT4_LEN, DSCP_EF << 2, 0);
	check_esp(ip + 20, 0x300, 3, inner);
	rte_pktmbuf_free(m);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

static void
check_ip6(const uint8_t *ip, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	  uint16_t len)
{
	CU_ASSERT_EQUAL(get32(ip), 0x60000000);
	CU_ASSERT_EQUAL(get16(ip + 4), len - 40);
	CU_ASSERT_EQUAL(ip[6], proto);
	CU_ASSERT_EQUAL(ip[7], 64);
	CU_ASSERT_EQUAL(memcmp(ip + 8, src, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 24, dst, 16), 0);
}

static void
test_packets_ipv6(void)
{
	struct dp_sa_update u = {
		.fields = DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP, .remote = pf(AF_INET6, new6),
		.udp_encap = true, .encap_local_port = NATT, .encap_remote_port = NATT_PEER,
	};
	uint8_t inner[REF_PKT_MAX];
	struct dp_sa_params p;
	struct rte_mbuf *m;
	struct dp_sa *sa;
	uint8_t *ip;

	fx_params(&p, &gcm46, 0x400, DP_SA_OUTBOUND);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	check_ip6(ip, fx_a6, fx_b6, IPPROTO_ESP, OUT6_LEN);
	check_esp(ip + 40, 0x400, 1, inner);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + OUT6_LEN + UDP_HDR);
	check_ip6(ip, fx_a6, new6, IPPROTO_UDP, OUT6_LEN + UDP_HDR);
	check_udp(ip + 40, NATT, NATT_PEER, OUT6_LEN + UDP_HDR - 40);
	CU_ASSERT_TRUE(ref_udp6_csum_ok(ip));	/* RFC 8200 §8.1: required */
	check_esp(ip + 48, 0x400, 2, inner);
	rte_pktmbuf_free(m);
	u.fields = DP_SA_UPD_ENCAP;
	u.udp_encap = false;
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	m = encap_one(sa, inner);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + OUT6_LEN);
	check_ip6(ip, fx_a6, new6, IPPROTO_ESP, OUT6_LEN);
	check_esp(ip + 40, 0x400, 3, inner);
	rte_pktmbuf_free(m);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- lifetimes -------------------------------------------------------------------- */

static void
test_lifetimes_account(void)
{
	struct dp_sad *sad = sad_new("t_upd_life", NULL);
	struct dp_sa_update u = { .fields = DP_SA_UPD_SOFT, .soft.packets = 40 };
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, 0x500, DP_SA_OUTBOUND);
	p.soft.packets = 100;
	p.hard.packets = 200;
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 50, 5000), 0);
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);		/* below the 50 used */
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE);	/* takes effect with traffic */
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 100), DP_SA_F_SOFT_EXPIRED);
	u.soft.packets = 1000;				/* raised: stays soft-expired */
	u.fields = DP_SA_UPD_SOFT | DP_SA_UPD_HARD;
	u.hard.packets = 2000;
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 100), 0);
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE | DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(sa->soft.packets, 1000);
	CU_ASSERT_EQUAL(sa->hard.packets, 2000);
	/* Hard raised before it is reached: the SA goes on. */
	fx_params(&p, &gcm44, 0x501, DP_SA_OUTBOUND);
	p.hard.packets = 60;
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 51, 0), 0);
	u = (struct dp_sa_update){ .fields = DP_SA_UPD_HARD, .hard.packets = 1000 };
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 20, 0), 0);	/* 71 > 60 */
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(sa, 1), 1);
	/* Lowered below use: hard-expired by the next burst, and no new
	 * limit revives it (stored and shown, flag kept). */
	u.hard.packets = 50;
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 0), DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(sa, 1), 0);
	u.hard.packets = 0;
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_EQUAL(sa->hard.packets, 0);
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE | DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(sa, 1), 0);
	/* Bytes. */
	fx_params(&p, &gcm44, 0x502, DP_SA_OUTBOUND);
	p.soft.bytes = 1000;
	sa = sa_add(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 600), 0);
	u = (struct dp_sa_update){ .fields = DP_SA_UPD_SOFT, .soft.bytes = 500 };
	CU_ASSERT_EQUAL(upd(sad, sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 1), DP_SA_F_SOFT_EXPIRED);
	dp_sad_free(sad);
}

static unsigned int
events(struct dp_sa_event *ev, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && rte_ring_dequeue_elem(fx.dp.sa_event_ring, &ev[n], sizeof(*ev)) == 0)
		n++;
	return n;
}

static uint16_t
send_n(struct dp_sa *sa, uint16_t n)
{
	struct rte_mbuf *m[RACE_BURST];
	struct dp_sa *sas[RACE_BURST];
	uint8_t inner[REF_PKT_MAX];
	uint16_t len = ref_ipv4_udp(inner, fx_c4, fx_l4, 0, true, PAYLOAD), k;

	for (uint16_t i = 0; i < n; i++) {
		m[i] = fx_mbuf(inner, len);
		sas[i] = sa;
	}
	k = dp_esp_outbound(fx.w, FX_PORT, m, sas, n);
	for (uint16_t i = 0; i < k; i++)
		rte_pktmbuf_free(m[i]);
	return k;
}

/* The same through real packets and the SA event ring. */
static void
test_lifetimes_packets(void)
{
	struct dp_sa_update u = { .fields = DP_SA_UPD_HARD, .hard.packets = 100 };
	struct dp_sa_event ev[4];
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_reset();
	fx_params(&p, &gcm44, 0x600, DP_SA_OUTBOUND);
	p.soft.packets = 2;
	p.hard.packets = 4;
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(send_n(sa, 3), 3);
	CU_ASSERT_EQUAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	CU_ASSERT_EQUAL(send_n(sa, 3), 3);		/* 6 > 4: still usable */
	CU_ASSERT_EQUAL(events(ev, 4), 0);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	CU_ASSERT_EQUAL(sa->flags & DP_SA_F_HARD_EXPIRED, 0);
	fx_sa_del(sa);
	/* No limits, then a soft limit below use: event with the next packet. */
	fx_params(&p, &gcm44, 0x601, DP_SA_OUTBOUND);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(send_n(sa, 5), 5);
	u = (struct dp_sa_update){ .fields = DP_SA_UPD_SOFT, .soft.packets = 3 };
	CU_ASSERT_EQUAL(upd(fx.dp.sad, sa, &u), 0);
	CU_ASSERT_EQUAL(events(ev, 4), 0);
	CU_ASSERT_EQUAL(send_n(sa, 1), 1);
	CU_ASSERT_EQUAL_FATAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(ev[0].sa_id, sa->id);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- grace period ----------------------------------------------------------------- */

static struct rte_rcu_qsbr *
qsbr_new(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("t_upd_qsbr", sz, RTE_CACHE_LINE_SIZE);

	CU_ASSERT_FATAL(v != NULL && rte_rcu_qsbr_init(v, 1) == 0);
	return v;
}

/* A worker-like thread (QSBR thread id 0) that does what it is told. */
struct reader {
	struct rte_rcu_qsbr *v;
	struct dp_sa *sa;
	const struct dp_sa_path *path;	/* held across updates */
	uint8_t seen;			/* last byte of path->remote, read late */
	unsigned int op, cmd, done;
	bool stop;
};

enum { READER_HOLD = 1, READER_READ, READER_QUIESCE };

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned int seen = 0;

	rte_rcu_qsbr_thread_register(r->v, 0);
	rte_rcu_qsbr_thread_online(r->v, 0);
	__atomic_store_n(&r->done, 0, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		unsigned int cmd = __atomic_load_n(&r->cmd, __ATOMIC_ACQUIRE);

		if (cmd == seen) {
			sched_yield();
			continue;
		}
		if (r->op == READER_HOLD)
			r->path = dp_sa_path_get(r->sa);
		else if (r->op == READER_READ)
			r->seen = r->path->remote.addr.v4[3];
		else
			rte_rcu_qsbr_quiescent(r->v, 0);
		seen = cmd;
		__atomic_store_n(&r->done, seen, __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_thread_offline(r->v, 0);
	rte_rcu_qsbr_thread_unregister(r->v, 0);
	return NULL;
}

static void
reader_do(struct reader *r, unsigned int op)
{
	unsigned int cmd = r->cmd + 1;

	r->op = op;
	__atomic_store_n(&r->cmd, cmd, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != cmd)
		sched_yield();
}

static void
test_grace_period(void)
{
	uint64_t base = heap_allocs(), held;
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_sad *sad = sad_new("t_upd_rcu", v);
	struct dp_sa_update u = { .fields = DP_SA_UPD_REMOTE, .remote = pf(AF_INET, new4) };
	struct reader r = { .v = v };
	struct dp_sa_params p;
	struct dp_sa *sb;
	pthread_t th;

	fx_params(&p, &gcm44, 0x700, DP_SA_OUTBOUND);
	r.sa = sa_add(sad, &p);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, reader_main, &r) == 0);
	reader_do(&r, READER_HOLD);
	CU_ASSERT_PTR_EQUAL(r.path, dp_sa_path_get(r.sa));
	held = heap_allocs();
	CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	CU_ASSERT_PTR_NOT_EQUAL(dp_sa_path_get(r.sa), r.path);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 1);
	CU_ASSERT_EQUAL(heap_allocs(), held);	/* paths come from the SAD's store */
	/* Not quiescent: kept however often the control core reclaims. */
	for (int i = 0; i < 10; i++)
		dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 1);
	reader_do(&r, READER_READ);
	CU_ASSERT_EQUAL(r.seen, fx_b4[3]);		/* the old path, intact */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 4);
	CU_ASSERT_EQUAL(heap_allocs(), held);
	/* The store holds MAX_SAS + MAX_SAS / 8 + 1 = 19 paths, 5 in use:
	 * 20 more updates take the other 14 and 6 from EAL's heap. */
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 24);
	CU_ASSERT_EQUAL(heap_allocs(), held + 6);
	/* Quiescent: all go with the next reclaim, the current path (the last
	 * one, from the heap) stays; replaced by one from the store, it goes
	 * back to the heap after its grace period. */
	reader_do(&r, READER_QUIESCE);
	dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 0);
	CU_ASSERT_EQUAL(heap_allocs(), held + 1);
	CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	reader_do(&r, READER_QUIESCE);
	dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 0);
	CU_ASSERT_EQUAL(heap_allocs(), held);
	CU_ASSERT_EQUAL(dp_sa_path_get(r.sa)->remote.addr.v4[3], new4[3]);
	/* An update reclaims what has passed before it retires its own. */
	CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	reader_do(&r, READER_QUIESCE);
	CU_ASSERT_EQUAL(upd(sad, r.sa, &u), 0);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 1);
	/* Left pending for dp_sad_free: replaced paths, a deleted SA with
	 * its current path, a live SA. */
	fx_params(&p, &gcm44, 0x701, DP_SA_OUTBOUND);
	sb = sa_add(sad, &p);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(upd(sad, sb, &u), 0);
	CU_ASSERT_EQUAL(dp_sa_delete(sad, sb->id), 0);
	dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 4);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	dp_sad_free(sad);
	rte_free(v);
	CU_ASSERT_EQUAL(heap_allocs(), base);
}

/* ---- concurrency ------------------------------------------------------------------ */

struct encaper {
	struct rte_rcu_qsbr *v;
	struct dp_sa *sa;
	unsigned int bursts;		/* completed (atomic) */
	uint64_t path_a, path_b, bad;	/* read after the join */
	bool stop;
};

/* Path A: the peer at B, plain ESP; path B: the peer behind a NAT at
 * new4, UDP 4500 -> 4501. A packet must match one of them entirely. */
static void
classify(struct encaper *e, const uint8_t *ip, uint16_t data_len)
{
	bool hdr_ok = ref_ipv4_csum_ok(ip) && memcmp(ip + 12, fx_a4, 4) == 0;

	if (hdr_ok && memcmp(ip + 16, fx_b4, 4) == 0 && ip[9] == IPPROTO_ESP &&
	    get16(ip + 2) == OUT4_LEN && data_len == FX_L2_LEN + OUT4_LEN &&
	    get32(ip + 20) == 0x800)
		e->path_a++;
	else if (hdr_ok && memcmp(ip + 16, new4, 4) == 0 && ip[9] == IPPROTO_UDP &&
		 get16(ip + 2) == OUT4_LEN + UDP_HDR &&
		 data_len == FX_L2_LEN + OUT4_LEN + UDP_HDR && get16(ip + 20) == NATT &&
		 get16(ip + 22) == NATT_PEER && get32(ip + 28) == 0x800)
		e->path_b++;
	else
		e->bad++;
}

static void
encap_burst(struct encaper *e, const uint8_t *inner, uint16_t len)
{
	struct rte_mbuf *m[RACE_BURST];
	struct dp_sa *sas[RACE_BURST];
	uint16_t k;

	for (uint16_t i = 0; i < RACE_BURST; i++) {
		m[i] = fx_mbuf(inner, len);
		sas[i] = e->sa;
	}
	k = dp_esp_outbound(fx.w, FX_PORT, m, sas, RACE_BURST);
	e->bad += RACE_BURST - k;
	for (uint16_t i = 0; i < k; i++) {
		classify(e, rte_pktmbuf_mtod_offset(m[i], const uint8_t *, FX_L2_LEN),
			 m[i]->data_len);
		rte_pktmbuf_free(m[i]);
	}
}

static void *
encaper_main(void *arg)
{
	struct encaper *e = arg;
	uint8_t inner[REF_PKT_MAX];
	uint16_t len = ref_ipv4_udp(inner, fx_c4, fx_l4, 0, true, PAYLOAD);

	rte_rcu_qsbr_thread_register(e->v, 0);
	rte_rcu_qsbr_thread_online(e->v, 0);
	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
		encap_burst(e, inner, len);
		rte_rcu_qsbr_quiescent(e->v, 0);
		__atomic_fetch_add(&e->bursts, 1, __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_thread_offline(e->v, 0);
	rte_rcu_qsbr_thread_unregister(e->v, 0);
	return NULL;
}

/* Two bursts completed: the second began after this call. */
static void
encaper_wait(struct encaper *e)
{
	unsigned int target = __atomic_load_n(&e->bursts, __ATOMIC_ACQUIRE) + 2;

	while (__atomic_load_n(&e->bursts, __ATOMIC_ACQUIRE) < target)
		sched_yield();
}

static void
test_concurrent_updates(void)
{
	const struct dp_sa_update to_a = { .fields = DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP,
					   .remote = pf(AF_INET, fx_b4) };
	const struct dp_sa_update to_b = {
		.fields = DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP, .remote = pf(AF_INET, new4),
		.udp_encap = true, .encap_local_port = NATT, .encap_remote_port = NATT_PEER,
	};
	uint64_t base = heap_allocs();
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_sad *sad = sad_new("t_upd_race", v);
	struct encaper e = { .v = v };
	unsigned int errors = 0;
	struct dp_sa_params p;
	pthread_t th;

	fx_reset();
	fx_params(&p, &gcm44, 0x800, DP_SA_OUTBOUND);
	e.sa = sa_add(sad, &p);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, encaper_main, &e) == 0);
	encaper_wait(&e);
	for (unsigned int i = 0; i < RACE_UPDATES; i++) {
		errors += dp_sa_update(sad, e.sa->id, i % 2 ? &to_a : &to_b, NULL, 0) != 0;
		if (i % RACE_SYNC == 0)
			encaper_wait(&e);
		if (i % RECLAIM_EVERY == 0)
			dp_sad_reclaim(sad);
	}
	encaper_wait(&e);
	__atomic_store_n(&e.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	dp_sad_reclaim(sad);
	printf("\n    %u bursts: %lu packets on path A, %lu on path B ", e.bursts,
	       (unsigned long)e.path_a, (unsigned long)e.path_b);
	CU_ASSERT_EQUAL(errors, 0);
	CU_ASSERT_EQUAL(e.bad, 0);
	CU_ASSERT_TRUE(e.path_a > 0 && e.path_b > 0);
	CU_ASSERT_EQUAL(e.path_a + e.path_b, (uint64_t)e.bursts * RACE_BURST);
	CU_ASSERT_EQUAL(dp_sad_retired_paths(sad), 0);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	CU_ASSERT_EQUAL(fx_in_use(), 0);
	dp_sad_free(sad);
	rte_free(v);
	CU_ASSERT_EQUAL(heap_allocs(), base);
}

int
main(void)
{
	static const struct fx_test tests[] = {
		{ "checks and messages, all or nothing", test_checks },
		{ "unknown ids, no stale copies", test_ids },
		{ "path fields and overhead +-8", test_overhead },
		{ "IPv4 outer header: NAT rebinding, HA address, DSCP, DF", test_packets_ipv4 },
		{ "IPv6 outer header: new peer, UDP on and off", test_packets_ipv6 },
		{ "lifetimes lowered and raised", test_lifetimes_account },
		{ "lifetimes with packets and events", test_lifetimes_packets },
		{ "old path freed after the grace period, no leak", test_grace_period },
		{ "10000 updates while a thread encapsulates", test_concurrent_updates },
	};

	return fx_main("test_sa_update", "hagw_test_sa_update", "sa_update", tests, RTE_DIM(tests));
}
