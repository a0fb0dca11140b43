/*
 * Unit tests of outbound ESP details (dataplane/esp_outbound.c,
 * esp_encap.c, esp_ecn.c, esp_account.c; RFC 4303 §3.1-3.3, RFC 4301
 * §5.1.2.1 and §8.1, RFC 6040 §4.1): outer DSCP/ECN/DF and IPv4 ID, MTU
 * punt (with the MTU that fits) vs drop, sequence numbers of 3 SAs
 * interleaved in a burst of 64, bursts over 64, soft/hard lifetimes with
 * SA events, sequence space exhaustion, and the drops for short headroom
 * or tailroom, several segments, bad inner packets and transport mode
 * limits. Run from test_esp.c's main.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "tests/unit/dataplane/test_esp.h"

enum {
	IPV4_HDR = 20,
	IPV6_HDR = 40,
	UDP_HDR = 8,
	SPI_BASE = 0x10000,
	SEQ_SAS = 3,
	BIG_BURST = 100,
};

/* ---- outer header policy: DSCP, ECN, DF, IPv4 ID ---------------------------------- */

static const struct fx_combo gcm44 = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET,
};

/* Encapsulates one IPv4 packet (tos, df) with an SA of combo c whose DSCP
 * and DF policy are given; returns the outer header's TOS and flags. */
static void
outer_of(const struct fx_combo *c, int16_t dscp, enum dp_sa_df df, uint8_t in_tos, bool in_df,
	 uint8_t *tos, uint16_t *flags)
{
	struct dp_sa_params p;
	struct dp_sa *sa;
	uint8_t pkt[REF_PKT_MAX];
	struct rte_mbuf *m;
	uint8_t *ip;

	fx_params(&p, c, SPI_BASE - 1, DP_SA_OUTBOUND);
	p.dscp = dscp;
	p.df = df;
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	m = fx_mbuf(pkt, t_inner(pkt, c, 10, in_tos, in_df));
	CU_ASSERT_EQUAL_FATAL(t_out(sa, &m, 1), 1);
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN);
	if (c->outer == AF_INET) {
		*tos = ip[1];
		*flags = get16(ip + 6);
	} else {
		*tos = (uint8_t)(ip[0] << 4 | ip[1] >> 4);
		*flags = 0;
	}
	rte_pktmbuf_free(m);
	fx_sa_del(sa);
}

void
test_outer_dscp_ecn_df(void)
{
	struct fx_combo c64 = gcm44;
	uint16_t flags;
	uint8_t tos;

	/* RFC 6040 §4.1: ECN copied whatever it is; DSCP copied or set. */
	for (uint8_t ecn = 0; ecn < 4; ecn++) {
		outer_of(&gcm44, -1, DP_SA_DF_COPY, (uint8_t)(0x28 << 2 | ecn), true, &tos, &flags);
		CU_ASSERT_EQUAL(tos, 0x28 << 2 | ecn);
		outer_of(&gcm44, 10, DP_SA_DF_COPY, (uint8_t)(0x28 << 2 | ecn), true, &tos, &flags);
		CU_ASSERT_EQUAL(tos, 10 << 2 | ecn);
	}
	/* RFC 4301 §8.1: DF copied, set or cleared; IPv6 inner: set. */
	outer_of(&gcm44, -1, DP_SA_DF_COPY, 0, false, &tos, &flags);
	CU_ASSERT_EQUAL(flags, 0);
	outer_of(&gcm44, -1, DP_SA_DF_COPY, 0, true, &tos, &flags);
	CU_ASSERT_EQUAL(flags, 0x4000);
	outer_of(&gcm44, -1, DP_SA_DF_SET, 0, false, &tos, &flags);
	CU_ASSERT_EQUAL(flags, 0x4000);
	outer_of(&gcm44, -1, DP_SA_DF_CLEAR, 0, true, &tos, &flags);
	CU_ASSERT_EQUAL(flags, 0);
	c64.inner = AF_INET6;
	outer_of(&c64, -1, DP_SA_DF_COPY, 0x03, false, &tos, &flags);
	CU_ASSERT_EQUAL(flags, 0x4000);
	CU_ASSERT_EQUAL(tos, 0x03);
	c64.outer = AF_INET6;
	outer_of(&c64, 46, DP_SA_DF_COPY, 0x02, false, &tos, &flags);
	CU_ASSERT_EQUAL(tos, 46 << 2 | 0x02);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* IPv4 identification from a per-worker counter: consecutive. */
void
test_outer_ip_id(void)
{
	struct dp_sa_params p;
	struct rte_mbuf *m[3];
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = t_inner(pkt, &gcm44, 10, 0, true), id0;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, SPI_BASE - 2, DP_SA_OUTBOUND);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	for (int i = 0; i < 3; i++)
		m[i] = fx_mbuf(pkt, len);
	CU_ASSERT_EQUAL_FATAL(t_out(sa, m, 3), 3);
	id0 = get16(rte_pktmbuf_mtod_offset(m[0], uint8_t *, FX_L2_LEN + 4));
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(get16(rte_pktmbuf_mtod_offset(m[i], uint8_t *, FX_L2_LEN + 4)),
				(uint16_t)(id0 + i));
		rte_pktmbuf_free(m[i]);
	}
	fx_sa_del(sa);
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- MTU ------------------------------------------------------------------------ */

enum {
	MTU = 1400,
	UDP4_OVER = IPV4_HDR + UDP_HDR,	/* inner IPv4 length = UDP payload + this */
	UDP6_OVER = IPV6_HDR + UDP_HDR,
};

/* One packet of inner length len (IPv4 or IPv6 per c) through sa with
 * meta->mtu = mtu: returns k; on a punt, checks the packet is untouched. */
static uint16_t
out_mtu(const struct fx_combo *c, struct dp_sa *sa, uint16_t len, bool df, uint16_t mtu)
{
	bool v4 = (c->mode == DP_SA_TRANSPORT ? c->outer : c->inner) == AF_INET;
	uint8_t pkt[REF_PKT_MAX];
	uint16_t plen = t_inner(pkt, c, len - (v4 ? UDP4_OVER : UDP6_OVER), 0, df);
	struct rte_mbuf *m = fx_mbuf(pkt, plen);
	unsigned int punts = fx.n_punt;
	uint16_t k;

	CU_ASSERT_EQUAL_FATAL(plen, len);
	dp_meta(m)->mtu = mtu;
	k = t_out(sa, &m, 1);
	if (k == 1) {
		CU_ASSERT(mtu == 0 || m->data_len - FX_L2_LEN <= mtu);
		rte_pktmbuf_free(m);
	} else if (fx.n_punt == punts + 1) {
		m = fx.punt[punts];
		CU_ASSERT_EQUAL(dp_meta(m)->punt_reason, DP_PUNT_TOO_BIG);
		CU_ASSERT_EQUAL(dp_meta(m)->l3_off, FX_L2_LEN);
		CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + plen);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN), pkt, plen),
				0);
	}
	return k;
}

static struct dp_sa *
sa_df(const struct fx_combo *c, enum dp_sa_df df)
{
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, c, SPI_BASE - 3, DP_SA_OUTBOUND);
	p.df = df;
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	return sa;
}

/* GCM, IPv4 in IPv4: 52 bytes of headers and ICV, payload 4-aligned:
 * 1346 = 1400 - 52 - 2 fits exactly, 1347 does not. */
void
test_mtu_tunnel(void)
{
	struct fx_combo c6 = gcm44;
	struct dp_sa *sa = sa_df(&gcm44, DP_SA_DF_COPY);

	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1346, true, MTU), 1);
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1347, true, MTU), 0);
	CU_ASSERT_EQUAL_FATAL(fx.n_punt, 1);
	CU_ASSERT_EQUAL(dp_meta(fx.punt[0])->mtu, 1346);
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1347, false, MTU), 0);	/* DF clear: drop */
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_MTU_EXCEEDED), 1);
	CU_ASSERT_EQUAL(sa->stats.drops[DP_SA_DROP_MTU], 1);
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1347, true, 50), 0);	/* nothing fits: drop */
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_MTU_EXCEEDED), 2);
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1500, true, 0), 1);	/* mtu 0: no check */
	fx_sa_del(sa);
	sa = sa_df(&gcm44, DP_SA_DF_SET);			/* DF set by the SA: punt */
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1347, false, MTU), 0);
	CU_ASSERT_EQUAL(fx.n_punt, 2);
	fx_sa_del(sa);
	sa = sa_df(&gcm44, DP_SA_DF_CLEAR);			/* DF cleared by the SA: drop */
	CU_ASSERT_EQUAL(out_mtu(&gcm44, sa, 1347, true, MTU), 0);
	CU_ASSERT_EQUAL(fx.n_punt, 2);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_MTU_EXCEEDED), 3);
	c6.inner = AF_INET6;					/* IPv6 inner: always punt */
	CU_ASSERT_EQUAL(out_mtu(&c6, sa, 1347, false, MTU), 0);
	CU_ASSERT_EQUAL_FATAL(fx.n_punt, 3);
	CU_ASSERT_EQUAL(dp_meta(fx.punt[2])->mtu, 1346);
	CU_ASSERT_EQUAL(fx.w->counters.port[FX_PORT].punted, 3);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* CBC over IPv6 + UDP: 40 + 8 + 8 + 16 + 16 = 88, payload 16-aligned:
 * (1400 - 88) / 16 * 16 - 2 = 1310. Transport GCM over IPv4: the header
 * is not added, 1400 - 52 - 2 + 20 = 1366. */
void
test_mtu_other(void)
{
	struct fx_combo cbc = {
		.alg = DP_SA_AES_CBC_128_SHA256, .mode = DP_SA_TUNNEL, .inner = AF_INET,
		.outer = AF_INET6, .udp = true,
	};
	struct fx_combo tr = { .alg = DP_SA_AES_GCM_128, .mode = DP_SA_TRANSPORT,
			       .inner = AF_INET, .outer = AF_INET };
	struct dp_sa *sa = sa_df(&cbc, DP_SA_DF_COPY);

	CU_ASSERT_EQUAL(out_mtu(&cbc, sa, 1310, true, MTU), 1);
	CU_ASSERT_EQUAL(out_mtu(&cbc, sa, 1311, true, MTU), 0);
	CU_ASSERT_EQUAL_FATAL(fx.n_punt, 1);
	CU_ASSERT_EQUAL(dp_meta(fx.punt[0])->mtu, 1310);
	fx_sa_del(sa);
	sa = sa_df(&tr, DP_SA_DF_COPY);
	CU_ASSERT_EQUAL(out_mtu(&tr, sa, 1366, true, MTU), 1);
	CU_ASSERT_EQUAL(out_mtu(&tr, sa, 1367, true, MTU), 0);
	CU_ASSERT_EQUAL_FATAL(fx.n_punt, 2);
	CU_ASSERT_EQUAL(dp_meta(fx.punt[1])->mtu, 1366);
	CU_ASSERT_EQUAL(out_mtu(&tr, sa, 1367, false, MTU), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_MTU_EXCEEDED), 1);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- sequence numbers ------------------------------------------------------------- */

/* 64 packets for 3 SAs interleaved: each SA's packets carry 1, 2, 3, ...
 * in burst order, the burst order is kept, one reservation per SA. */
static void
seq_round(struct dp_sa **sa, uint32_t *next, int round)
{
	struct rte_mbuf *m[DP_MAX_BURST];
	struct dp_sa *sas[DP_MAX_BURST];
	uint8_t pkt[REF_PKT_MAX];
	int owner[DP_MAX_BURST];

	for (int i = 0; i < DP_MAX_BURST; i++) {
		owner[i] = (i * 7 + i / 3 + round) % SEQ_SAS;
		sas[i] = sa[owner[i]];
		m[i] = fx_mbuf(pkt, t_inner(pkt, &gcm44, (uint16_t)(4 * i + 4), 0, true));
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
	}
	CU_ASSERT_EQUAL_FATAL(dp_esp_outbound(fx.w, FX_PORT, m, sas, DP_MAX_BURST), DP_MAX_BURST);
	for (int i = 0; i < DP_MAX_BURST; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod_offset(m[i], uint8_t *, FX_L2_LEN);

		/* inner 32 + 4i, +2 trailer, padded: 36 + 4i; + 52 */
		CU_ASSERT_EQUAL(get16(ip + 2), 88 + 4 * i);
		CU_ASSERT_EQUAL(get32(ip + IPV4_HDR), sa[owner[i]]->p.spi);
		CU_ASSERT_EQUAL(get32(ip + IPV4_HDR + 4), next[owner[i]]);
		next[owner[i]]++;
		rte_pktmbuf_free(m[i]);
	}
}

void
test_seq_interleaved(void)
{
	struct dp_sa *sa[SEQ_SAS];
	uint32_t next[SEQ_SAS] = { 1, 1, 1 };
	struct dp_sa_seq_state s;
	struct dp_sa_params p;

	for (int i = 0; i < SEQ_SAS; i++) {
		fx_params(&p, &gcm44, SPI_BASE - 10 - i, DP_SA_OUTBOUND);
		sa[i] = fx_sa_add(&p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa[i]);
	}
	seq_round(sa, next, 0);
	seq_round(sa, next, 1);
	for (int i = 0; i < SEQ_SAS; i++) {
		dp_sa_seq_export(sa[i], &s);
		CU_ASSERT_EQUAL(s.out_seq, next[i] - 1);
		CU_ASSERT_EQUAL(sa[i]->stats.packets, next[i] - 1);
		fx_sa_del(sa[i]);
	}
	CU_ASSERT_EQUAL(next[0] + next[1] + next[2], 2 * DP_MAX_BURST + SEQ_SAS);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* More than DP_ESP_MAX_BURST packets in one call, both directions. */
void
test_big_burst(void)
{
	struct rte_mbuf *m[BIG_BURST];
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = t_inner(pkt, &gcm44, 33, 0, true);
	struct fx_pair pr;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm44, SPI_BASE - 20), 0);
	for (int i = 0; i < BIG_BURST; i++)
		m[i] = fx_mbuf(pkt, len);
	CU_ASSERT_EQUAL_FATAL(t_out(pr.out, m, BIG_BURST), BIG_BURST);
	for (int i = 0; i < BIG_BURST; i++)
		CU_ASSERT_EQUAL(get32(rte_pktmbuf_mtod_offset(m[i], uint8_t *, 38)), i + 1);
	CU_ASSERT_EQUAL_FATAL(t_in(pr.in, m, BIG_BURST, fx_esp_off(&gcm44, 0)), BIG_BURST);
	for (int i = 0; i < BIG_BURST; i++) {
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m[i], uint8_t *, FX_L2_LEN), pkt,
				       len), 0);
		rte_pktmbuf_free(m[i]);
	}
	CU_ASSERT_EQUAL(pr.in->stats.packets, BIG_BURST);
	fx_pair_free(&pr);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- lifetimes ------------------------------------------------------------------- */

static unsigned int
events(struct dp_sa_event *ev, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && rte_ring_dequeue_elem(fx.dp.sa_event_ring, &ev[n], sizeof(*ev)) == 0)
		n++;
	return n;
}

static uint16_t
out_n(struct dp_sa *sa, uint16_t n, struct rte_mbuf **m)
{
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = t_inner(pkt, &gcm44, 32, 0, true);

	for (uint16_t i = 0; i < n; i++)
		m[i] = fx_mbuf(pkt, len);
	return t_out(sa, m, n);
}

static void
free_n(struct rte_mbuf **m, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* Soft at 2 packets, hard at 4: an event each, then esp_lifetime. */
void
test_lifetime_packets(void)
{
	struct dp_sa_event ev[4];
	struct rte_mbuf *m[2];
	struct dp_sa_params p;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, SPI_BASE - 30, DP_SA_OUTBOUND);
	p.soft.packets = 2;
	p.hard.packets = 4;
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(out_n(sa, 2, m), 2);
	free_n(m, 2);
	CU_ASSERT_EQUAL_FATAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].sa_id, sa->id);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(out_n(sa, 2, m), 2);
	free_n(m, 2);
	CU_ASSERT_EQUAL_FATAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].sa_id, sa->id);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(out_n(sa, 1, m), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_LIFETIME), 1);
	CU_ASSERT_EQUAL(sa->stats.drops[DP_SA_DROP_LIFETIME], 1);
	CU_ASSERT_EQUAL(sa->stats.packets, 4);
	CU_ASSERT_EQUAL(events(ev, 4), 0);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* Without ESN the last number is 2^32 - 1 (RFC 4303 §3.3.3); a burst
 * that would pass it is dropped whole and the SA expires, with an event. */
void
test_lifetime_seq_space(void)
{
	struct dp_sa_event ev[4];
	struct rte_mbuf *m[3];
	struct fx_pair pr;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm44, SPI_BASE - 31), 0);
	t_set_seq(&pr, 0xfffffffd, 0);
	CU_ASSERT_EQUAL_FATAL(out_n(pr.out, 2, m), 2);
	CU_ASSERT_EQUAL(get32(rte_pktmbuf_mtod_offset(m[0], uint8_t *, 38)), 0xfffffffe);
	CU_ASSERT_EQUAL(get32(rte_pktmbuf_mtod_offset(m[1], uint8_t *, 38)), 0xffffffff);
	free_n(m, 2);
	CU_ASSERT_EQUAL(events(ev, 4), 0);
	CU_ASSERT_EQUAL(out_n(pr.out, 3, m), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_LIFETIME), 3);
	CU_ASSERT_EQUAL(pr.out->stats.drops[DP_SA_DROP_LIFETIME], 3);
	CU_ASSERT_EQUAL_FATAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].sa_id, pr.out->id);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(out_n(pr.out, 1, m), 0);
	CU_ASSERT_EQUAL(events(ev, 4), 0);
	fx_pair_free(&pr);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* Inbound byte lifetime counts inner packet bytes: 60 + 60 >= 100. */
void
test_lifetime_inbound(void)
{
	struct dp_sa_params po, pi;
	struct dp_sa_event ev[4];
	struct rte_mbuf *m[3];
	struct fx_pair pr;

	fx_params(&po, &gcm44, SPI_BASE - 32, DP_SA_OUTBOUND);
	fx_params(&pi, &gcm44, SPI_BASE - 32, DP_SA_INBOUND);
	pi.hard.bytes = 100;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make_p(&pr, &po, &pi), 0);
	CU_ASSERT_EQUAL_FATAL(out_n(pr.out, 3, m), 3);	/* inner 28 + 32 = 60 bytes */
	CU_ASSERT_EQUAL(t_in(pr.in, m, 2, fx_esp_off(&gcm44, 0)), 2);
	CU_ASSERT_EQUAL(pr.in->stats.bytes, 120);
	CU_ASSERT_EQUAL_FATAL(events(ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].sa_id, pr.in->id);
	CU_ASSERT_EQUAL(ev[0].flag, DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(t_in(pr.in, m + 2, 1, fx_esp_off(&gcm44, 0)), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_LIFETIME), 1);
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_LIFETIME], 1);
	free_n(m, 2);
	fx_pair_free(&pr);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- outbound drops ----------------------------------------------------------------- */

static void
expect_out_drop(struct dp_sa *sa, struct rte_mbuf *m, enum dp_drop_reason why,
		enum dp_sa_drop sa_why)
{
	uint64_t before = fx_drops(why), sa_before = sa->stats.drops[sa_why];

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(t_out(sa, &m, 1), 0);
	CU_ASSERT_EQUAL(fx_drops(why), before + 1);
	CU_ASSERT_EQUAL(sa->stats.drops[sa_why], sa_before + 1);
}

/* Room and segment checks: never write outside the buffer. */
void
test_out_room(void)
{
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = t_inner(pkt, &gcm44, 40, 0, true);
	struct dp_sa_params p;
	struct rte_mbuf *m;
	struct dp_sa *sa;

	fx_params(&p, &gcm44, SPI_BASE - 40, DP_SA_OUTBOUND);
	sa = fx_sa_add(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	expect_out_drop(sa, fx_mbuf_exact(pkt, len, 0), DP_DROP_NO_MBUF, DP_SA_DROP_MALFORMED);
	expect_out_drop(sa, fx_mbuf_exact(pkt, len, 35), DP_DROP_NO_MBUF, DP_SA_DROP_MALFORMED);
	/* headroom enough (36), tailroom 0: the trailer and ICV do not fit */
	expect_out_drop(sa, fx_mbuf_exact(pkt, len, 36), DP_DROP_NO_MBUF, DP_SA_DROP_MALFORMED);
	m = fx_mbuf(pkt, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(rte_pktmbuf_chain(m, rte_pktmbuf_alloc(fx.pool)), 0);
	expect_out_drop(sa, m, DP_DROP_MALFORMED, DP_SA_DROP_MALFORMED);
	pkt[0] = 0x55;						/* not IP */
	expect_out_drop(sa, fx_mbuf(pkt, len), DP_DROP_MALFORMED, DP_SA_DROP_MALFORMED);
	pkt[0] = 0x45;
	pkt[3]++;						/* longer than the frame */
	expect_out_drop(sa, fx_mbuf(pkt, len), DP_DROP_MALFORMED, DP_SA_DROP_MALFORMED);
	pkt[3]--;
	__atomic_fetch_and(&sa->flags, ~(uint32_t)DP_SA_F_ACTIVE, __ATOMIC_RELAXED);
	expect_out_drop(sa, fx_mbuf(pkt, len), DP_DROP_ESP_INACTIVE, DP_SA_DROP_INACTIVE);
	fx_sa_del(sa);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* Transport mode: whole datagrams of the SA's family, no IPv6 extension
 * headers (RFC 4303 §3.1.1, §3.3.4; see esp_encap.c). */
void
test_out_transport_limits(void)
{
	struct fx_combo t4 = { .alg = DP_SA_AES_GCM_128, .mode = DP_SA_TRANSPORT,
			       .inner = AF_INET, .outer = AF_INET };
	struct fx_combo t6 = t4;
	uint8_t pkt[REF_PKT_MAX];
	struct dp_sa_params p;
	struct dp_sa *s4, *s6;
	uint16_t len;

	t6.inner = t6.outer = AF_INET6;
	fx_params(&p, &t4, SPI_BASE - 41, DP_SA_OUTBOUND);
	s4 = fx_sa_add(&p);
	fx_params(&p, &t6, SPI_BASE - 42, DP_SA_OUTBOUND);
	s6 = fx_sa_add(&p);
	CU_ASSERT_FATAL(s4 != NULL && s6 != NULL);
	len = t_inner(pkt, &t4, 40, 0, false);
	pkt[6] |= 0x20;						/* MF: a fragment */
	expect_out_drop(s4, fx_mbuf(pkt, len), DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
	len = t_inner(pkt, &t6, 40, 0, false);
	expect_out_drop(s4, fx_mbuf(pkt, len), DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
	pkt[6] = IPPROTO_HOPOPTS;				/* extension header */
	expect_out_drop(s6, fx_mbuf(pkt, len), DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
	pkt[6] = IPPROTO_FRAGMENT;
	expect_out_drop(s6, fx_mbuf(pkt, len), DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
	fx_sa_del(s4);
	fx_sa_del(s6);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* Ethernet padding behind a short packet is not protected. */
void
test_out_l2_padding(void)
{
	uint8_t pkt[REF_PKT_MAX];
	uint16_t len = t_inner(pkt, &gcm44, 4, 0, true);	/* 32 bytes */
	struct rte_mbuf *m;
	struct fx_pair pr;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm44, SPI_BASE - 43), 0);
	memset(pkt + len, 0xee, 14);
	m = fx_mbuf(pkt, len + 14);
	CU_ASSERT_EQUAL_FATAL(t_out(pr.out, &m, 1), 1);
	/* 20 + 8 + 8 + (32 + 2 + 2) + 16 */
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + 88);
	CU_ASSERT_EQUAL_FATAL(t_in(pr.in, &m, 1, fx_esp_off(&gcm44, 0)), 1);
	CU_ASSERT_EQUAL(m->data_len, FX_L2_LEN + len);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, FX_L2_LEN), pkt, len), 0);
	rte_pktmbuf_free(m);
	fx_pair_free(&pr);
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}
