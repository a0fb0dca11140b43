/*
 * Local UDP (dataplane/udp_local.c): reading punted datagrams (length and
 * checksum rules of RFC 768 / RFC 8200 §8.1) and the frames dp_udp_send
 * builds, checked byte by byte with the fixture's own checksum code.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dataplane/udp_local.h"
#include "tests/unit/cu_run.h"
#include "tests/unit/dataplane/local_proto_fixture.h"

enum {
	UDP_LEN = 8,
	PAYLOAD = 12,
	V4_FRAME = ETH_LEN + IP4_LEN + UDP_LEN + PAYLOAD,
	V6_FRAME = ETH_LEN + IP6_LEN + UDP_LEN + PAYLOAD,
	UDP_OFF4 = ETH_LEN + IP4_LEN,
	UDP_OFF6 = ETH_LEN + IP6_LEN,
	IKE_NATT = 4500,
	PEER_PORT = 61000,
};

static const uint8_t a4_us[4] = { 192, 0, 2, 1 };
static const uint8_t a4_peer[4] = { 198, 51, 100, 7 };
static const uint8_t a6_us[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t a6_peer[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 7 };
static const uint8_t payload[PAYLOAD] = { 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* UDP checksum with the pseudo header, as stored (0 -> 0xffff); ref_fold
 * returns the complemented sum. */
static uint16_t
ref_udp(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *udp, size_t len)
{
	uint8_t ph[40] = { 0 };
	uint32_t sum;
	uint16_t c;

	memcpy(ph, src, alen);
	memcpy(ph + alen, dst, alen);
	ph[2 * alen + 2] = (uint8_t)(len >> 8);
	ph[2 * alen + 3] = (uint8_t)len;
	ph[2 * alen + 1] = IPPROTO_UDP;
	/* IPv4: zero, proto, length; IPv6: length (32 bits), zeros, next header. */
	if (alen == 16) {
		memset(ph + 32, 0, 8);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = IPPROTO_UDP;
		sum = ref_sum(ph, 40, 0);
	} else {
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		sum = ref_sum(ph, 12, 0);
	}
	sum = ref_sum(udp, len, sum);
	c = ref_fold(sum);
	return c == 0 ? 0xffff : c;
}

static void
frame4(uint8_t *f, bool csum)
{
	memset(f, 0, V4_FRAME);
	memcpy(f, &mac_p0, 6);
	memcpy(f + 6, &mac_h, 6);
	put16(f + 12, RTE_ETHER_TYPE_IPV4);
	f[ETH_LEN] = 0x45;
	put16(f + ETH_LEN + 2, IP4_LEN + UDP_LEN + PAYLOAD);
	f[ETH_LEN + 8] = 64;
	f[ETH_LEN + 9] = IPPROTO_UDP;
	memcpy(f + ETH_LEN + 12, a4_peer, 4);
	memcpy(f + ETH_LEN + 16, a4_us, 4);
	put16(f + ETH_LEN + 10, ref_fold(ref_sum(f + ETH_LEN, IP4_LEN, 0)));
	put16(f + UDP_OFF4, PEER_PORT);
	put16(f + UDP_OFF4 + 2, IKE_NATT);
	put16(f + UDP_OFF4 + 4, UDP_LEN + PAYLOAD);
	memcpy(f + UDP_OFF4 + UDP_LEN, payload, PAYLOAD);
	if (csum)
		put16(f + UDP_OFF4 + 6, ref_udp(a4_peer, a4_us, 4, f + UDP_OFF4,
						UDP_LEN + PAYLOAD));
}

static void
frame6(uint8_t *f)
{
	memset(f, 0, V6_FRAME);
	memcpy(f, &mac_p0, 6);
	memcpy(f + 6, &mac_h, 6);
	put16(f + 12, RTE_ETHER_TYPE_IPV6);
	f[ETH_LEN] = 0x60;
	put16(f + ETH_LEN + 4, UDP_LEN + PAYLOAD);
	f[ETH_LEN + 6] = IPPROTO_UDP;
	f[ETH_LEN + 7] = 64;
	memcpy(f + ETH_LEN + 8, a6_peer, 16);
	memcpy(f + ETH_LEN + 24, a6_us, 16);
	put16(f + UDP_OFF6, PEER_PORT);
	put16(f + UDP_OFF6 + 2, IKE_NATT);
	put16(f + UDP_OFF6 + 4, UDP_LEN + PAYLOAD);
	memcpy(f + UDP_OFF6 + UDP_LEN, payload, PAYLOAD);
	put16(f + UDP_OFF6 + 6, ref_udp(a6_peer, a6_us, 16, f + UDP_OFF6, UDP_LEN + PAYLOAD));
}

/* dp_udp_read on a frame; the mbuf is freed. */
static int
read_frame(const uint8_t *f, size_t len, struct dp_udp_dgram *d, uint8_t *copy)
{
	struct dp_pkt_info info = info_of(f, len);
	struct rte_mbuf *m = mbuf_of(f, len, 1, 0, 0);
	int rc = dp_udp_read(m, &info, d);

	if (rc == 0)
		memcpy(copy, d->payload, d->len);
	rte_pktmbuf_free(m);
	return rc;
}

static void
test_read_v4(void)
{
	uint8_t f[V4_FRAME], got[PAYLOAD];
	struct dp_udp_dgram d;

	begin();
	frame4(f, true);
	CU_ASSERT_EQUAL(read_frame(f, sizeof(f), &d, got), 0);
	CU_ASSERT_EQUAL(d.src.family, AF_INET);
	CU_ASSERT_EQUAL(memcmp(d.src.addr, a4_peer, 4), 0);
	CU_ASSERT_EQUAL(memcmp(d.dst.addr, a4_us, 4), 0);
	CU_ASSERT_EQUAL(d.src.port, PEER_PORT);
	CU_ASSERT_EQUAL(d.dst.port, IKE_NATT);
	CU_ASSERT_EQUAL(d.in_port, 1);
	CU_ASSERT_EQUAL(d.len, PAYLOAD);
	CU_ASSERT_EQUAL(memcmp(got, payload, PAYLOAD), 0);
	/* RFC 768: checksum 0 means none was computed. */
	frame4(f, false);
	CU_ASSERT_EQUAL(read_frame(f, sizeof(f), &d, got), 0);
	CU_ASSERT_EQUAL(d.len, PAYLOAD);
	end();
}

static void
test_read_bad(void)
{
	uint8_t f[V6_FRAME], got[PAYLOAD];
	struct dp_udp_dgram d;

	begin();
	frame4(f, true);
	f[V4_FRAME - 1] ^= 1;			/* payload changed, checksum not */
	CU_ASSERT_EQUAL(read_frame(f, V4_FRAME, &d, got), -EBADMSG);
	frame4(f, false);
	put16(f + UDP_OFF4 + 4, UDP_LEN + PAYLOAD + 1);	/* beyond the datagram */
	CU_ASSERT_EQUAL(read_frame(f, V4_FRAME, &d, got), -EBADMSG);
	put16(f + UDP_OFF4 + 4, UDP_LEN - 1);		/* shorter than its header */
	CU_ASSERT_EQUAL(read_frame(f, V4_FRAME, &d, got), -EBADMSG);
	put16(f + UDP_OFF4 + 4, UDP_LEN + 2);		/* shorter: the rest is padding */
	CU_ASSERT_EQUAL(read_frame(f, V4_FRAME, &d, got), 0);
	CU_ASSERT_EQUAL(d.len, 2);
	frame6(f);
	CU_ASSERT_EQUAL(read_frame(f, V6_FRAME, &d, got), 0);
	CU_ASSERT_EQUAL(d.src.family, AF_INET6);
	CU_ASSERT_EQUAL(memcmp(d.src.addr, a6_peer, 16), 0);
	CU_ASSERT_EQUAL(memcmp(d.dst.addr, a6_us, 16), 0);
	CU_ASSERT_EQUAL(memcmp(got, payload, PAYLOAD), 0);
	put16(f + UDP_OFF6 + 6, 0);		/* RFC 8200 §8.1: mandatory for IPv6 */
	CU_ASSERT_EQUAL(read_frame(f, V6_FRAME, &d, got), -EBADMSG);
	CU_ASSERT_EQUAL(all_drops(), 0);
	end();
}

static void
check_sent(const struct capture *c, bool v4, bool sealed)
{
	const uint8_t *ip = c->bytes + ETH_LEN;
	const uint8_t *u = ip + (v4 ? IP4_LEN : IP6_LEN);
	uint16_t want_csum = v4 ? ref_udp(a4_us, a4_peer, 4, u, UDP_LEN + PAYLOAD) :
				  ref_udp(a6_us, a6_peer, 16, u, UDP_LEN + PAYLOAD);
	uint8_t zeroed[UDP_LEN + PAYLOAD];

	CU_ASSERT(c->output);
	CU_ASSERT_EQUAL(c->len, v4 ? V4_FRAME : V6_FRAME);
	if (v4) {
		CU_ASSERT_EQUAL(ip[0], 0x45);
		CU_ASSERT_EQUAL(ip[9], IPPROTO_UDP);
		CU_ASSERT_EQUAL(ip[2] << 8 | ip[3], IP4_LEN + UDP_LEN + PAYLOAD);
		CU_ASSERT_EQUAL(memcmp(ip + 12, a4_us, 4), 0);
		CU_ASSERT_EQUAL(memcmp(ip + 16, a4_peer, 4), 0);
		CU_ASSERT_EQUAL(ref_fold(ref_sum(ip, IP4_LEN, 0)), 0);
	} else {
		CU_ASSERT_EQUAL(ip[0] >> 4, 6);
		CU_ASSERT_EQUAL(ip[6], IPPROTO_UDP);
		CU_ASSERT_EQUAL(ip[4] << 8 | ip[5], UDP_LEN + PAYLOAD);
		CU_ASSERT_EQUAL(memcmp(ip + 8, a6_us, 16), 0);
		CU_ASSERT_EQUAL(memcmp(ip + 24, a6_peer, 16), 0);
	}
	CU_ASSERT_EQUAL(u[0] << 8 | u[1], IKE_NATT);
	CU_ASSERT_EQUAL(u[2] << 8 | u[3], PEER_PORT);
	CU_ASSERT_EQUAL(u[4] << 8 | u[5], UDP_LEN + PAYLOAD);
	CU_ASSERT_EQUAL(memcmp(u + UDP_LEN, payload, PAYLOAD), 0);
	memcpy(zeroed, u, sizeof(zeroed));
	zeroed[6] = zeroed[7] = 0;
	want_csum = v4 ? ref_udp(a4_us, a4_peer, 4, zeroed, sizeof(zeroed)) :
			 ref_udp(a6_us, a6_peer, 16, zeroed, sizeof(zeroed));
	/* A sealed payload over IPv4: no checksum (RFC 768), 0 on the wire. */
	CU_ASSERT_EQUAL(u[6] << 8 | u[7], sealed && v4 ? 0 : want_csum);
}

static void
test_send(void)
{
	struct dp_udp_end us4 = { .family = AF_INET, .port = IKE_NATT };
	struct dp_udp_end peer4 = { .family = AF_INET, .port = PEER_PORT };
	struct dp_udp_end us6 = { .family = AF_INET6, .port = IKE_NATT };
	struct dp_udp_end peer6 = { .family = AF_INET6, .port = PEER_PORT };
	static uint8_t big[4096];

	memcpy(us4.addr, a4_us, 4);
	memcpy(peer4.addr, a4_peer, 4);
	memcpy(us6.addr, a6_us, 16);
	memcpy(peer6.addr, a6_peer, 16);
	begin();
	CU_ASSERT_EQUAL(dp_udp_send(&dp, &us4, &peer4, payload, PAYLOAD), 0);
	CU_ASSERT_EQUAL(dp_udp_send(&dp, &us6, &peer6, payload, PAYLOAD), 0);
	CU_ASSERT_EQUAL(dp_udp_send_sealed(&dp, &us4, &peer4, payload, PAYLOAD), 0);
	CU_ASSERT_EQUAL(dp_udp_send_sealed(&dp, &us6, &peer6, payload, PAYLOAD), 0);
	CU_ASSERT_EQUAL_FATAL(n_cap, 4);
	check_sent(&cap[0], true, false);
	check_sent(&cap[1], false, false);
	check_sent(&cap[2], true, true);
	check_sent(&cap[3], false, true);
	CU_ASSERT_EQUAL(dp_udp_send(&dp, &us4, &peer6, payload, PAYLOAD), -EINVAL);
	CU_ASSERT_EQUAL(dp_udp_send(&dp, &us4, &peer4, big, sizeof(big)), -EMSGSIZE);
	CU_ASSERT_EQUAL(dp_udp_send_sealed(&dp, &us4, &peer4, big, sizeof(big)), -EMSGSIZE);
	CU_ASSERT_EQUAL(n_cap, 4);
	end();
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "read IPv4 datagram", test_read_v4 },
		{ "length and checksum rules", test_read_bad },
		{ "send IPv4/IPv6 datagrams, sealed ones", test_send },
	};
	CU_pSuite suite;
	unsigned int failures;

	if (lp_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("udp_local", NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	failures = cu_run_count();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
