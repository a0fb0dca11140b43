/*
 * Unit tests of the ESP transforms (dataplane/esp_*.c; RFC 4303 §2-3,
 * RFC 4301 §5.1.2 and §8.1, RFC 3948, RFC 6040), this file: outbound and
 * round trips.
 *   - every algorithm x tunnel (IPv4/IPv6 inner x IPv4/IPv6 outer) and
 *     transport (IPv4, IPv6) x UDP encapsulation on/off x ESN on/off (ESN
 *     across 2^32): outbound, then each packet checked field by field and
 *     decrypted by an independent reference (OpenSSL: padding 1, 2, 3...,
 *     pad length, next header, IV = nonce), then inbound with the mirror
 *     SA gives back the identical packet;
 *   - RFC 7634 Appendix A: the published ESP packet decrypts to the
 *     published plaintext (and the second copy is a replay);
 * Outbound details (DSCP/ECN/DF, MTU, sequence numbers, lifetimes, drops)
 * are in test_esp_outbound.c, inbound checks in test_esp_inbound.c; this
 * file has the main. Every test ends with the mempool's in-use count back
 * at its start.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "tests/unit/dataplane/test_esp.h"
#include "tests/unit/dataplane/esp_fixture_main.h"

enum {
	N_SIZES = 4,
	IPV4_HDR = 20,
	IPV6_HDR = 40,
	UDP_HDR = 8,
	ESP_HDR = 8,
	ICV = 16,
	NATT = 4500,
	SPI_BASE = 0x10000,
	ESN_OUT_LAST = 0xfffffffd,	/* next: 2^32 - 2, 2^32 - 1, 2^32, 2^32 + 1 */
	ESN_IN_TOP = 0xfffffff0,
	SEQ_SAS = 3,
	BIG_BURST = 100,
};

static const uint16_t sizes[N_SIZES] = { 1, 18, 101, 1000 };	/* UDP payloads */

/* ---- shared helpers (test_esp.h) ---------------------------------------- */

/* The outbound tests run twice: through dp_esp_outbound, and through
 * dp_esp_outbound_lane where it fits, which must give the same bytes and
 * counts. */
static bool t_out_one_sa;

uint16_t
t_out(struct dp_sa *sa, struct rte_mbuf **m, uint16_t n)
{
	struct dp_sa *sas[T_BURST];

	for (uint16_t i = 0; i < n; i++)
		sas[i] = sa;
	if (t_out_one_sa && n <= DP_ESP_MAX_BURST && dp_esp_lane_fits(sa, dp_sa_path_get(sa)))
		return dp_esp_outbound_lane(fx.w, FX_PORT, m, sa, dp_sa_path_get(sa), NULL, n);
	return dp_esp_outbound(fx.w, FX_PORT, m, sas, n);
}

#define ONE_SA(test)                    \
	static void test##_one_sa(void) \
	{                               \
		t_out_one_sa = true;    \
		test();                 \
		t_out_one_sa = false;   \
	}

uint16_t
t_in(struct dp_sa *sa, struct rte_mbuf **m, uint16_t n, uint16_t esp_off)
{
	struct dp_sa *sas[T_BURST];

	for (uint16_t i = 0; i < n; i++) {
		sas[i] = sa;
		dp_meta(m[i])->esp_off = esp_off;
	}
	return dp_esp_inbound(fx.w, FX_PORT, m, sas, n);
}

uint16_t
t_inner(uint8_t *buf, const struct fx_combo *c, uint16_t payload, uint8_t tos, bool df)
{
	bool tr = c->mode == DP_SA_TRANSPORT;
	int family = tr ? c->outer : c->inner;

	if (family == AF_INET)
		return ref_ipv4_udp(buf, tr ? fx_a4 : fx_c4, tr ? fx_b4 : fx_l4, tos, df, payload);
	return ref_ipv6_udp(buf, tr ? fx_a6 : fx_c6, tr ? fx_b6 : fx_l6, tos, payload);
}

void
t_set_seq(struct fx_pair *pr, uint64_t out_last, uint64_t in_top)
{
	struct dp_sa_seq_state s;

	if (out_last != 0) {
		dp_sa_seq_export(pr->out, &s);
		s.out_seq = out_last;
		CU_ASSERT_EQUAL(dp_sa_seq_import(pr->out, &s), 0);
	}
	if (in_top != 0) {
		dp_sa_seq_export(pr->in, &s);
		s.win.top = in_top;
		memset(s.win.bitmap, 0, sizeof(s.win.bitmap));
		CU_ASSERT_EQUAL(dp_sa_seq_import(pr->in, &s), 0);
	}
}

struct rte_mbuf *
t_ref_in(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq, const uint8_t *plain,
	 uint16_t plain_len, uint8_t outer_tos)
{
	struct ref_outer o = {
		.family = c->outer, .src = c->outer == AF_INET ? fx_a4 : fx_a6,
		.dst = c->outer == AF_INET ? fx_b4 : fx_b6, .tos = outer_tos, .udp = c->udp,
	};
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = ref_esp_packet(pkt, &o, &pr->ref, pr->in->p.spi, seq, seq, plain,
				      plain_len);
	struct rte_mbuf *m = fx_mbuf(pkt, len);

	if (m != NULL)
		dp_meta(m)->esp_off = fx_esp_off(c, c->outer == AF_INET ? IPV4_HDR : IPV6_HDR);
	return m;
}

/* ---- wire checks ----------------------------------------------------------- */

/* Tunnel: the fresh outer header (RFC 4301 §5.1.2.1, §8.1). */
static void
check_outer(const struct fx_combo *c, const uint8_t *ip, uint16_t len, const uint8_t *inner)
{
	uint8_t proto = c->udp ? IPPROTO_UDP : IPPROTO_ESP;
	uint8_t tos = c->inner == AF_INET ? inner[1] : (uint8_t)(inner[0] << 4 | inner[1] >> 4);
	bool df = c->inner == AF_INET ? (inner[6] & 0x40) != 0 : true;

	if (c->outer == AF_INET) {
		CU_ASSERT_EQUAL(ip[0], 0x45);
		CU_ASSERT_EQUAL(ip[1], tos);
		CU_ASSERT_EQUAL(get16(ip + 2), len);
		CU_ASSERT_EQUAL(get16(ip + 6), df ? 0x4000 : 0);
		CU_ASSERT_EQUAL(ip[8], 64);
		CU_ASSERT_EQUAL(ip[9], proto);
		CU_ASSERT_TRUE(ref_ipv4_csum_ok(ip));
		CU_ASSERT_EQUAL(memcmp(ip + 12, fx_a4, 4), 0);
		CU_ASSERT_EQUAL(memcmp(ip + 16, fx_b4, 4), 0);
		return;
	}
	CU_ASSERT_EQUAL(get32(ip), 0x60000000u | (uint32_t)tos << 20);
	CU_ASSERT_EQUAL(get16(ip + 4), len - IPV6_HDR);
	CU_ASSERT_EQUAL(ip[6], proto);
	CU_ASSERT_EQUAL(ip[7], 64);
	CU_ASSERT_EQUAL(memcmp(ip + 8, fx_a6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 24, fx_b6, 16), 0);
}

/* Transport: the packet's own header, with protocol and length changed. */
static void
check_transport(const struct fx_combo *c, const uint8_t *ip, uint16_t len, const uint8_t *inner)
{
	uint8_t proto = c->udp ? IPPROTO_UDP : IPPROTO_ESP;

	if (c->outer == AF_INET) {
		CU_ASSERT_EQUAL(memcmp(ip, inner, 2), 0);
		CU_ASSERT_EQUAL(get16(ip + 2), len);
		CU_ASSERT_EQUAL(memcmp(ip + 4, inner + 4, 5), 0);
		CU_ASSERT_EQUAL(ip[9], proto);
		CU_ASSERT_TRUE(ref_ipv4_csum_ok(ip));
		CU_ASSERT_EQUAL(memcmp(ip + 12, inner + 12, 8), 0);
		return;
	}
	CU_ASSERT_EQUAL(memcmp(ip, inner, 4), 0);
	CU_ASSERT_EQUAL(get16(ip + 4), len - IPV6_HDR);
	CU_ASSERT_EQUAL(ip[6], proto);
	CU_ASSERT_EQUAL(memcmp(ip + 7, inner + 7, 33), 0);
}

/* RFC 3948 §2.1: ports, length; checksum 0 over IPv4, valid over IPv6. */
static void
check_udp(const struct fx_combo *c, const uint8_t *ip, const uint8_t *udp, uint16_t udp_len)
{
	CU_ASSERT_EQUAL(get16(udp), NATT);
	CU_ASSERT_EQUAL(get16(udp + 2), NATT);
	CU_ASSERT_EQUAL(get16(udp + 4), udp_len);
	if (c->outer == AF_INET) {
		CU_ASSERT_EQUAL(get16(udp + 6), 0);
	} else {
		CU_ASSERT_TRUE(ref_udp6_csum_ok(ip));
	}
}

/* SPI, sequence number, IV = nonce (AEAD) or AES-ECB_K(nonce || 0) (CBC). */
static void
check_esp_hdr(const struct fx_pair *pr, const uint8_t *esp, uint64_t seq)
{
	uint64_t nonce = dp_sa_iv_nonce(pr->out, seq);
	uint8_t iv[16];

	CU_ASSERT_EQUAL(get32(esp), pr->out->p.spi);
	CU_ASSERT_EQUAL(get32(esp + 4), (uint32_t)seq);
	if (ref_iv_len(pr->ref.alg) == 8) {
		for (int i = 0; i < 8; i++)
			iv[i] = (uint8_t)(nonce >> (56 - 8 * i));
		CU_ASSERT_EQUAL(memcmp(esp + ESP_HDR, iv, 8), 0);
	} else {
		ref_cbc_iv(&pr->ref, nonce, iv);
		CU_ASSERT_EQUAL(memcmp(esp + ESP_HDR, iv, 16), 0);
	}
}

/* The whole outbound packet m, made from inner with sequence number seq. */
static void
check_wire(const struct fx_combo *c, const struct fx_pair *pr, struct rte_mbuf *m,
	   const uint8_t *inner, uint16_t inner_len, uint64_t seq)
{
	bool tr = c->mode == DP_SA_TRANSPORT;
	uint16_t hdr = tr ? (c->outer == AF_INET ? IPV4_HDR : IPV6_HDR) : 0;
	uint16_t esp_off = fx_esp_off(c, hdr) - FX_L2_LEN;
	uint16_t len = m->data_len - FX_L2_LEN, iv = ref_iv_len(c->alg);
	uint8_t pkt[REF_PKT_MAX], want[REF_PKT_MAX];
	uint16_t want_len;

	CU_ASSERT_EQUAL_FATAL(dp_meta(m)->l3_off, FX_L2_LEN);
	CU_ASSERT_FATAL(len > esp_off + ESP_HDR + iv + ICV && len <= REF_PKT_MAX);
	memcpy(pkt, rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN), len);
	if (tr)
		check_transport(c, pkt, len, inner);
	else
		check_outer(c, pkt, len, inner);
	if (c->udp)
		check_udp(c, pkt, pkt + esp_off - UDP_HDR, len - esp_off + UDP_HDR);
	check_esp_hdr(pr, pkt + esp_off, seq);
	memcpy(want, inner + hdr, inner_len - hdr);
	want_len = ref_trailer(want, inner_len - hdr, c->alg,
			       tr ? IPPROTO_UDP : (c->inner == AF_INET ? 4 : 41));
	CU_ASSERT_EQUAL_FATAL(len - esp_off - ESP_HDR - iv - ICV, want_len);
	CU_ASSERT_EQUAL_FATAL(ref_open(&pr->ref, pkt + esp_off, want_len, (uint32_t)(seq >> 32)),
			      0);
	CU_ASSERT_EQUAL(memcmp(pkt + esp_off + ESP_HDR + iv, want, want_len), 0);
}

/* ---- round trips --------------------------------------------------------------- */

static void
roundtrip_check_back(const struct fx_combo *c, struct fx_pair *pr, struct rte_mbuf **m,
		     uint8_t inner[N_SIZES][REF_PKT_MAX], const uint16_t *len)
{
	uint16_t hdr = c->mode == DP_SA_TRANSPORT ? (c->outer == AF_INET ? IPV4_HDR : IPV6_HDR) : 0;
	uint64_t bytes = 0;

	CU_ASSERT_EQUAL_FATAL(t_in(pr->in, m, N_SIZES, fx_esp_off(c, hdr)), N_SIZES);
	for (int i = 0; i < N_SIZES; i++) {
		CU_ASSERT_EQUAL(dp_meta(m[i])->l3_off, FX_L2_LEN);
		CU_ASSERT_EQUAL(m[i]->data_len, FX_L2_LEN + len[i]);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m[i], uint8_t *, FX_L2_LEN),
				       inner[i], len[i]), 0);
		bytes += len[i];
		rte_pktmbuf_free(m[i]);
	}
	CU_ASSERT_EQUAL(pr->out->stats.packets, N_SIZES);
	CU_ASSERT_EQUAL(pr->out->stats.bytes, bytes);
	CU_ASSERT_EQUAL(pr->in->stats.packets, N_SIZES);
	CU_ASSERT_EQUAL(pr->in->stats.bytes, bytes);
}

static void
roundtrip(const struct fx_combo *c, uint32_t spi)
{
	uint8_t inner[N_SIZES][REF_PKT_MAX];
	uint16_t len[N_SIZES];
	struct rte_mbuf *m[N_SIZES];
	uint64_t first = c->esn ? (uint64_t)ESN_OUT_LAST + 1 : 1;
	struct fx_pair pr;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, c, spi), 0);
	if (c->esn)
		t_set_seq(&pr, ESN_OUT_LAST, ESN_IN_TOP);
	for (int i = 0; i < N_SIZES; i++) {
		len[i] = t_inner(inner[i], c, sizes[i], T_TOS, i % 2 == 0);
		m[i] = fx_mbuf(inner[i], len[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
	}
	CU_ASSERT_EQUAL_FATAL(t_out(pr.out, m, N_SIZES), N_SIZES);
	for (int i = 0; i < N_SIZES; i++)
		check_wire(c, &pr, m[i], inner[i], len[i], first + i);
	roundtrip_check_back(c, &pr, m, inner, len);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	fx_pair_free(&pr);
	fx_reset();
}

static void
test_roundtrip_all(void)
{
	static const struct {
		enum dp_sa_mode mode;
		int inner, outer;
	} modes[] = {
		{ DP_SA_TUNNEL, AF_INET, AF_INET }, { DP_SA_TUNNEL, AF_INET6, AF_INET6 },
		{ DP_SA_TUNNEL, AF_INET, AF_INET6 }, { DP_SA_TUNNEL, AF_INET6, AF_INET },
		{ DP_SA_TRANSPORT, AF_INET, AF_INET }, { DP_SA_TRANSPORT, AF_INET6, AF_INET6 },
	};
	uint32_t spi = SPI_BASE;

	for (int alg = 0; alg < DP_SA_ALG_COUNT; alg++)
		for (unsigned int md = 0; md < RTE_DIM(modes); md++)
			for (int flags = 0; flags < 4; flags++) {
				struct fx_combo c = {
					.alg = (enum dp_sa_alg)alg, .mode = modes[md].mode,
					.inner = modes[md].inner, .outer = modes[md].outer,
					.udp = (flags & 1) != 0, .esn = (flags & 2) != 0,
				};

				roundtrip(&c, spi++);
			}
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- RFC 7634 Appendix A ------------------------------------------------------- */

static const uint8_t rfc7634_packet[] = {
	0x45, 0x00, 0x00, 0x8c, 0x23, 0x45, 0x00, 0x00, 0x40, 0x32, 0xde, 0x5b, 0xcb, 0x00,
	0x71, 0x99, 0xcb, 0x00, 0x71, 0x05, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x05,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x24, 0x03, 0x94, 0x28, 0xb9, 0x7f,
	0x41, 0x7e, 0x3c, 0x13, 0x75, 0x3a, 0x4f, 0x05, 0x08, 0x7b, 0x67, 0xc3, 0x52, 0xe6,
	0xa7, 0xfa, 0xb1, 0xb9, 0x82, 0xd4, 0x66, 0xef, 0x40, 0x7a, 0xe5, 0xc6, 0x14, 0xee,
	0x80, 0x99, 0xd5, 0x28, 0x44, 0xeb, 0x61, 0xaa, 0x95, 0xdf, 0xab, 0x4c, 0x02, 0xf7,
	0x2a, 0xa7, 0x1e, 0x7c, 0x4c, 0x4f, 0x64, 0xc9, 0xbe, 0xfe, 0x2f, 0xac, 0xc6, 0x38,
	0xe8, 0xf3, 0xcb, 0xec, 0x16, 0x3f, 0xac, 0x46, 0x9b, 0x50, 0x27, 0x73, 0xf6, 0xfb,
	0x94, 0xe6, 0x64, 0xda, 0x91, 0x65, 0xb8, 0x28, 0x29, 0xf6, 0x41, 0xe0, 0x76, 0xaa,
	0xa8, 0x26, 0x6b, 0x7f, 0xb0, 0xf7, 0xb1, 0x1b, 0x36, 0x99, 0x07, 0xe1, 0xad, 0x43,
};

static const uint8_t rfc7634_source[] = {
	0x45, 0x00, 0x00, 0x54, 0xa6, 0xf2, 0x00, 0x00, 0x40, 0x01, 0xe7, 0x78, 0xc6, 0x33,
	0x64, 0x05, 0xc0, 0x00, 0x02, 0x05, 0x08, 0x00, 0x5b, 0x7a, 0x3a, 0x08, 0x00, 0x00,
	0x55, 0x3b, 0xec, 0x10, 0x00, 0x07, 0x36, 0x27, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* The receiving side of the example: us = 203.0.113.5, peer = .153. */
static void
rfc7634_params(struct dp_sa_params *p)
{
	static const uint8_t us[4] = { 203, 0, 113, 5 }, peer[4] = { 203, 0, 113, 153 };

	memset(p, 0, sizeof(*p));
	strcpy(p->name, "rfc7634");
	p->spi = 0x01020304;
	p->dir = DP_SA_INBOUND;
	p->mode = DP_SA_TUNNEL;
	p->alg = DP_SA_CHACHA20_POLY1305;
	p->enc_key_len = 36;
	for (int i = 0; i < 36; i++)
		p->enc_key[i] = (uint8_t)(0x80 + i);
	p->replay_window = 64;
	p->local.family = p->remote.family = AF_INET;
	p->local.len = p->remote.len = 32;
	memcpy(p->local.addr.v4, us, 4);
	memcpy(p->remote.addr.v4, peer, 4);
	p->dscp = -1;
	p->owner = 0;
}

static void
test_rfc7634(void)
{
	struct dp_sa_params p;
	struct rte_mbuf *m[2];
	struct dp_sa *sa;

	rfc7634_params(&p);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	m[0] = fx_mbuf(rfc7634_packet, sizeof(rfc7634_packet));
	m[1] = fx_mbuf(rfc7634_packet, sizeof(rfc7634_packet));
	CU_ASSERT_FATAL(m[0] != NULL && m[1] != NULL);
	CU_ASSERT_EQUAL_FATAL(t_in(sa, m, 1, FX_L2_LEN + IPV4_HDR), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, FX_L2_LEN + sizeof(rfc7634_source));
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m[0], uint8_t *, FX_L2_LEN),
			       rfc7634_source, sizeof(rfc7634_source)), 0);
	CU_ASSERT_EQUAL(sa->stats.packets, 1);
	CU_ASSERT_EQUAL(sa->stats.bytes, sizeof(rfc7634_source));
	rte_pktmbuf_free(m[0]);
	/* The same packet again: RFC 4303 §3.4.3. */
	CU_ASSERT_EQUAL(t_in(sa, m + 1, 1, FX_L2_LEN + IPV4_HDR), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_REPLAY), 1);
	CU_ASSERT_EQUAL(sa->stats.drops[DP_SA_DROP_REPLAY], 1);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}


/* ---- main ----------------------------------------------------------------------------- */

ONE_SA(test_roundtrip_all)
ONE_SA(test_rfc7634)
ONE_SA(test_outer_dscp_ecn_df)
ONE_SA(test_outer_ip_id)
ONE_SA(test_mtu_tunnel)
ONE_SA(test_big_burst)
ONE_SA(test_lifetime_packets)
ONE_SA(test_lifetime_seq_space)
ONE_SA(test_out_room)
ONE_SA(test_out_l2_padding)

int
main(void)
{
	static const struct fx_test tests[] = {
		{ "round trip: 5 algs x 6 modes x UDP x ESN, wire checked", test_roundtrip_all },
		{ "RFC 7634 Appendix A packet, then its replay", test_rfc7634 },
		{ "outer DSCP, ECN, DF", test_outer_dscp_ecn_df },
		{ "outer IPv4 ID per worker", test_outer_ip_id },
		{ "MTU tunnel: punt vs drop, MTU that fits", test_mtu_tunnel },
		{ "MTU CBC over IPv6+UDP, transport", test_mtu_other },
		{ "sequence numbers: 3 SAs interleaved in 64", test_seq_interleaved },
		{ "burst of 100", test_big_burst },
		{ "lifetime packets: soft, hard, events", test_lifetime_packets },
		{ "sequence space exhausted", test_lifetime_seq_space },
		{ "lifetime inbound bytes", test_lifetime_inbound },
		{ "outbound room, segments, bad inner, inactive", test_out_room },
		{ "transport limits", test_out_transport_limits },
		{ "L2 padding not protected", test_out_l2_padding },
		{ "inbound replay", test_in_replay },
		{ "inbound ICV", test_in_auth },
		{ "inbound truncated at every length", test_in_truncated },
		{ "inbound padding and next header", test_in_trailer },
		{ "inbound padding of 3..43 bytes", test_in_padding_lengths },
		{ "inbound inner header, TFC padding", test_in_inner },
		{ "inbound transport mode", test_in_transport },
		{ "inbound selectors", test_in_selectors },
		{ "inbound ECN table (RFC 6040)", test_in_ecn },
		{ "inbound SPI, lifetime, mixed burst", test_in_misc },
		{ "one SA: round trips", test_roundtrip_all_one_sa },
		{ "one SA: RFC 7634 packet", test_rfc7634_one_sa },
		{ "one SA: outer DSCP, ECN, DF", test_outer_dscp_ecn_df_one_sa },
		{ "one SA: outer IPv4 ID", test_outer_ip_id_one_sa },
		{ "one SA: MTU tunnel", test_mtu_tunnel_one_sa },
		{ "one SA: burst of 100", test_big_burst_one_sa },
		{ "one SA: lifetime packets", test_lifetime_packets_one_sa },
		{ "one SA: sequence space exhausted", test_lifetime_seq_space_one_sa },
		{ "one SA: room, segments, bad inner, inactive", test_out_room_one_sa },
		{ "one SA: L2 padding", test_out_l2_padding_one_sa },
	};

	return fx_main("test_esp", "hagw_test_esp", "esp", tests, RTE_DIM(tests));
}
