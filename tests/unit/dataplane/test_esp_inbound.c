/*
 * Unit tests of inbound ESP (dataplane/esp_inbound.c, esp_decap.c,
 * esp_ecn.c; RFC 4303 §3.4, RFC 4301 §5.2, RFC 6040 §4.2) with packets
 * built by the independent reference (esp_ref.c): replay, ICV failures,
 * truncation at every length (exactly sized heap buffers, so ASan sees
 * overreads), padding and next header, inner header consistency, TFC
 * padding, transport mode, selectors, the whole RFC 6040 decapsulation
 * table, and bursts mixing SAs and verdicts. Run from test_esp.c's main.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "tests/unit/dataplane/test_esp.h"

enum {
	SPI_IN = 0x20000,
	L = FX_L2_LEN,
	IPV4_HDR = 20,
	IPV6_HDR = 40,
};

static const struct fx_combo gcm = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET,
};

/* A tunnel packet of pr/c: inner with payload bytes, trailer with nh. */
static struct rte_mbuf *
pkt_nh(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq, uint16_t payload,
       uint8_t nh)
{
	uint8_t plain[REF_PKT_MAX];
	uint16_t len = t_inner(plain, c, payload, 0, true);

	len = ref_trailer(plain, len, c->alg, nh);
	return t_ref_in(pr, c, seq, plain, len, 0);
}

static struct rte_mbuf *
pkt(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq, uint16_t payload)
{
	uint8_t nh = c->mode == DP_SA_TRANSPORT ? IPPROTO_UDP : (c->inner == AF_INET ? 4 : 41);

	if (c->mode == DP_SA_TRANSPORT) {
		uint8_t plain[REF_PKT_MAX];
		uint16_t hdr = c->outer == AF_INET ? IPV4_HDR : IPV6_HDR;
		uint16_t len = t_inner(plain, c, payload, 0, true) - hdr;

		memmove(plain, plain + hdr, len);
		len = ref_trailer(plain, len, c->alg, nh);
		return t_ref_in(pr, c, seq, plain, len, 0);
	}
	return pkt_nh(pr, c, seq, payload, nh);
}

/* Runs m (esp_off set) through sa, expects k good and, if k == 0, one more
 * drop for why (port) and sa_why (SA). */
static void
expect(struct dp_sa *sa, struct rte_mbuf *m, uint16_t k, enum dp_drop_reason why,
       enum dp_sa_drop sa_why)
{
	uint64_t d = fx_drops(why), s = sa->stats.drops[sa_why], total = fx_drops_total();

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(dp_esp_inbound(fx.w, FX_PORT, &m, &sa, 1), k);
	if (k == 1) {
		CU_ASSERT_EQUAL(fx_drops_total(), total);
		rte_pktmbuf_free(m);
		return;
	}
	CU_ASSERT_EQUAL(fx_drops(why), d + 1);
	CU_ASSERT_EQUAL(sa->stats.drops[sa_why], s + 1);
	CU_ASSERT_EQUAL(fx_drops_total(), total + 1);
}

static void
good(struct dp_sa *sa, struct rte_mbuf *m)
{
	expect(sa, m, 1, DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
}

static void
bad(struct dp_sa *sa, struct rte_mbuf *m)
{
	expect(sa, m, 0, DP_DROP_ESP_MALFORMED, DP_SA_DROP_MALFORMED);
}

static void
done(struct fx_pair *pr)
{
	fx_pair_free(pr);
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

void
test_in_replay(void)
{
	struct rte_mbuf *m[3];
	struct fx_pair pr;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN), 0);
	good(pr.in, pkt(&pr, &gcm, 1, 10));
	expect(pr.in, pkt(&pr, &gcm, 1, 10), 0, DP_DROP_ESP_REPLAY, DP_SA_DROP_REPLAY);
	/* s, s+1, s+1 in one burst: the check passes all, the update one. */
	m[0] = pkt(&pr, &gcm, 2, 10);
	m[1] = pkt(&pr, &gcm, 3, 11);
	m[2] = pkt(&pr, &gcm, 3, 12);
	CU_ASSERT_EQUAL_FATAL(t_in(pr.in, m, 3, fx_esp_off(&gcm, 0)), 2);
	CU_ASSERT_EQUAL(m[0]->data_len, L + 28 + 10);
	CU_ASSERT_EQUAL(m[1]->data_len, L + 28 + 11);
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_REPLAY], 2);
	/* RFC 4303 §3.3.3: 0 is never sent without ESN. */
	expect(pr.in, pkt(&pr, &gcm, 0, 10), 0, DP_DROP_ESP_REPLAY, DP_SA_DROP_REPLAY);
	good(pr.in, pkt(&pr, &gcm, 200, 10));
	expect(pr.in, pkt(&pr, &gcm, 136, 10), 0, DP_DROP_ESP_REPLAY, DP_SA_DROP_REPLAY);
	good(pr.in, pkt(&pr, &gcm, 137, 10));			/* 200 - 63: inside */
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_REPLAY], 4);
	CU_ASSERT_EQUAL(pr.in->stats.packets, 5);
	done(&pr);
}

/* Flips the low bit of the byte at off (from the frame's start). */
static struct rte_mbuf *
flip_at(struct rte_mbuf *m, uint16_t off)
{
	rte_pktmbuf_mtod_offset(m, uint8_t *, off)[0] ^= 0x01;
	return m;
}

/* Flips the low bit of the byte n bytes before the end (1: the last). */
static struct rte_mbuf *
flip(struct rte_mbuf *m, uint16_t n)
{
	return flip_at(m, m->data_len - n);
}

void
test_in_auth(void)
{
	struct fx_combo cbc = gcm;
	struct fx_pair pr, pc;

	cbc.alg = DP_SA_AES_CBC_256_SHA256;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN + 1), 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pc, &cbc, SPI_IN + 2), 0);
	expect(pr.in, flip(pkt(&pr, &gcm, 5, 30), 1), 0, DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
	expect(pr.in, flip(pkt(&pr, &gcm, 5, 30), 20), 0, DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
	/* the sequence number is authenticated */
	expect(pr.in, flip_at(pkt(&pr, &gcm, 5, 30), L + IPV4_HDR + 7), 0, DP_DROP_ESP_AUTH,
	       DP_SA_DROP_AUTH);
	good(pr.in, pkt(&pr, &gcm, 5, 30));		/* failures did not move the window */
	expect(pc.in, flip(pkt(&pc, &cbc, 1, 30), 17), 0, DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
	expect(pc.in, flip(pkt(&pc, &cbc, 1, 30), 40), 0, DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
	good(pc.in, pkt(&pc, &cbc, 1, 30));
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_AUTH], 3);
	CU_ASSERT_EQUAL(pc.in->stats.drops[DP_SA_DROP_AUTH], 2);
	fx_pair_free(&pc);
	done(&pr);
}

/* ---- truncation --------------------------------------------------------------- */

struct trunc {
	uint8_t full[REF_PKT_MAX];
	uint16_t len;			/* of the IP packet */
	uint16_t hdr;			/* outer IP header */
	uint16_t esp;			/* ESP offset in the IP packet */
	uint16_t min;			/* shortest IP packet the length checks accept */
	uint8_t iv;
	uint8_t block;
};

static void
trunc_setup(struct trunc *t, const struct fx_pair *pr, const struct fx_combo *c)
{
	struct rte_mbuf *m = pkt(pr, c, 1, 40);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	t->len = m->data_len - L;
	memcpy(t->full, rte_pktmbuf_mtod_offset(m, uint8_t *, L), t->len);
	rte_pktmbuf_free(m);
	t->hdr = c->outer == AF_INET ? IPV4_HDR : IPV6_HDR;
	t->esp = t->hdr + (c->udp ? 8 : 0);
	t->iv = ref_iv_len(c->alg);
	t->block = ref_block(c->alg);
	t->min = t->esp + 8 + t->iv + 2 + REF_ICV_LEN;
}

/* The IP packet of t with its length field saying n. */
static void
trunc_len(const struct trunc *t, uint8_t *b, uint16_t n)
{
	memcpy(b, t->full, t->len);
	if (t->hdr == IPV4_HDR) {
		b[2] = n >> 8;
		b[3] = n & 0xff;
	} else {
		uint16_t pl = n >= IPV6_HDR ? n - IPV6_HDR : 0;

		b[4] = pl >> 8;
		b[5] = pl & 0xff;
	}
}

static void
trunc_one(struct dp_sa *sa, const struct trunc *t, const uint8_t *b, uint16_t data, uint16_t n)
{
	struct rte_mbuf *m = fx_mbuf_exact(b, data, RTE_PKTMBUF_HEADROOM);
	bool shape_ok = n >= t->min && (n - t->esp - 8 - t->iv - REF_ICV_LEN) % t->block == 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	dp_meta(m)->esp_off = L + t->esp;
	if (shape_ok)
		expect(sa, m, 0, DP_DROP_ESP_AUTH, DP_SA_DROP_AUTH);
	else
		bad(sa, m);
}

static void
truncate_all(const struct fx_combo *c, uint32_t spi)
{
	uint8_t b[REF_PKT_MAX];
	struct rte_mbuf *m;
	struct fx_pair pr;
	struct trunc t;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, c, spi), 0);
	trunc_setup(&t, &pr, c);
	for (uint16_t n = 0; n < t.len; n++) {
		m = fx_mbuf_exact(t.full, n, RTE_PKTMBUF_HEADROOM);
		/* frame cut, IP length unchanged: longer than the frame */
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		dp_meta(m)->esp_off = L + t.esp;
		bad(pr.in, m);
		/* IP length n: exact frame, then with the rest as L2 padding */
		trunc_len(&t, b, n);
		trunc_one(pr.in, &t, b, n, n);
		trunc_one(pr.in, &t, b, t.len, n);
	}
	m = fx_mbuf_exact(t.full, t.len, RTE_PKTMBUF_HEADROOM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	dp_meta(m)->esp_off = L + t.esp;
	good(pr.in, m);
	done(&pr);
}

void
test_in_truncated(void)
{
	struct fx_combo c = gcm;

	truncate_all(&c, SPI_IN + 10);
	c.udp = true;
	truncate_all(&c, SPI_IN + 11);
	c.alg = DP_SA_AES_CBC_128_SHA256;
	c.outer = AF_INET6;
	truncate_all(&c, SPI_IN + 12);
	c.mode = DP_SA_TRANSPORT;
	c.alg = DP_SA_CHACHA20_POLY1305;
	c.udp = false;
	c.inner = AF_INET6;
	truncate_all(&c, SPI_IN + 13);
}

/* ---- trailer and inner header ------------------------------------------------------ */

/* plain = inner (payload bytes of UDP) with a trailer, returned length;
 * *data = the inner length. */
static uint16_t
plain_of(uint8_t *plain, const struct fx_combo *c, uint16_t payload, uint8_t nh,
	 uint16_t *data)
{
	*data = t_inner(plain, c, payload, 0, true);
	return ref_trailer(plain, *data, c->alg, nh);
}

void
test_in_trailer(void)
{
	struct fx_combo cbc = gcm, c6 = gcm;
	uint8_t p[REF_PKT_MAX];
	struct fx_pair pr, pc;
	uint16_t n, d;
	uint64_t seq = 1;

	cbc.alg = DP_SA_AES_CBC_128_SHA256;
	c6.inner = AF_INET6;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN + 20), 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pc, &cbc, SPI_IN + 21), 0);
	n = plain_of(p, &gcm, 11, 4, &d);			/* 39 + 3 pad + 2 */
	CU_ASSERT_EQUAL_FATAL(n - d, 5);
	good(pr.in, t_ref_in(&pr, &gcm, seq++, p, n, 0));
	p[d + 1] = 3;						/* 1, 3, 3 */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, n, 0));
	p[d + 1] = 2;
	p[n - 2] = (uint8_t)(n - 1);			/* pad length beyond the payload */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, n, 0));
	p[n - 2] = (uint8_t)(n - 2);			/* all padding: no inner packet */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, n, 0));
	p[n - 2] = 255;
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, n, 0));
	p[n - 2] = 3;
	/* RFC 4303 §2.4: more padding than needed is fine (1..7, 7, 4) */
	for (uint8_t i = 0; i < 7; i++)
		p[d + i] = i + 1;
	p[d + 7] = 7;
	p[d + 8] = 4;
	good(pr.in, t_ref_in(&pr, &gcm, seq++, p, d + 9, 0));
	/* next header: not IP, dummy (RFC 4303 §2.6), wrong IP version */
	bad(pr.in, pkt_nh(&pr, &gcm, seq++, 11, IPPROTO_TCP));
	bad(pr.in, pkt_nh(&pr, &gcm, seq++, 11, 59));
	bad(pr.in, pkt_nh(&pr, &gcm, seq++, 11, 41));
	bad(pr.in, pkt_nh(&pr, &c6, seq++, 11, 4));
	good(pr.in, pkt_nh(&pr, &c6, seq++, 11, 41));
	n = plain_of(p, &cbc, 11, 4, &d);			/* 39 + 7 pad + 2 = 48 */
	CU_ASSERT_EQUAL_FATAL(n, 48);
	good(pc.in, t_ref_in(&pc, &cbc, 1, p, n, 0));
	p[d + 6] = 0;
	bad(pc.in, t_ref_in(&pc, &cbc, 2, p, n, 0));
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_MALFORMED], 8);
	CU_ASSERT_EQUAL(pr.in->stats.packets, 3);
	fx_pair_free(&pc);
	done(&pr);
}

/* RFC 4303 §2.4: padding 1, 2, 3, ... of every length that keeps the
 * payload 4-aligned, up to 43 bytes (past the 16 the receiver compares as
 * two words), good as written and bad with any one byte changed. */
void
test_in_padding_lengths(void)
{
	uint8_t p[REF_PKT_MAX];
	struct fx_pair pr;
	uint16_t d;
	uint64_t seq = 1;
	unsigned int bads = 0;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN + 22), 0);
	for (uint8_t pad = 3; pad <= 43; pad += 4) {
		plain_of(p, &gcm, 11, 4, &d);			/* inner packet of 39 */
		for (uint8_t i = 0; i < pad; i++)
			p[d + i] = i + 1;
		p[d + pad] = pad;
		p[d + pad + 1] = 4;
		good(pr.in, t_ref_in(&pr, &gcm, seq++, p, d + pad + 2, 0));
		for (uint8_t j = 0; j < pad; j++) {
			p[d + j] ^= 0x80;
			bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, d + pad + 2, 0));
			p[d + j] ^= 0x80;
			bads++;
		}
	}
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_MALFORMED], bads);
	CU_ASSERT_EQUAL(pr.in->stats.packets, 11);
	done(&pr);
}

/* Inner lengths must agree with what decrypted; TFC padding (RFC 4303
 * §2.7) after the inner packet is allowed and cut. */
void
test_in_inner(void)
{
	struct fx_combo c6 = gcm;
	uint8_t p[REF_PKT_MAX], inner[REF_PKT_MAX];
	struct rte_mbuf *m;
	struct fx_pair pr;
	uint16_t n, d;
	uint64_t seq = 1;

	c6.inner = AF_INET6;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN + 30), 0);
	plain_of(p, &gcm, 20, 4, &d);
	p[3] += 4;						/* IPv4 length past the data */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, ref_trailer(p, d, gcm.alg, 4), 0));
	plain_of(p, &gcm, 20, 4, &d);
	p[10] ^= 0xff;						/* IPv4 header checksum */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, ref_trailer(p, d, gcm.alg, 4), 0));
	plain_of(p, &gcm, 20, 4, &d);
	p[0] = 0x44;						/* IHL 4 */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, ref_trailer(p, d, gcm.alg, 4), 0));
	plain_of(p, &c6, 20, 41, &d);
	p[5] += 1;						/* IPv6 payload length */
	bad(pr.in, t_ref_in(&pr, &c6, seq++, p, ref_trailer(p, d, gcm.alg, 41), 0));
	memset(p, 0x45, 10);					/* 10 bytes, version 4 */
	bad(pr.in, t_ref_in(&pr, &gcm, seq++, p, ref_trailer(p, 10, gcm.alg, 4), 0));
	for (int v6 = 0; v6 < 2; v6++) {
		d = t_inner(inner, v6 ? &c6 : &gcm, 20, 0, true);
		memcpy(p, inner, d);
		memset(p + d, 0, 24);				/* TFC padding */
		n = ref_trailer(p, d + 24, gcm.alg, v6 ? 41 : 4);
		m = t_ref_in(&pr, v6 ? &c6 : &gcm, seq++, p, n, 0);
		CU_ASSERT_EQUAL_FATAL(t_in(pr.in, &m, 1, fx_esp_off(&gcm, 0)), 1);
		CU_ASSERT_EQUAL(m->data_len, L + d);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, L), inner, d), 0);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_MALFORMED], 5);
	done(&pr);
}

/* ---- transport mode ------------------------------------------------------------------- */

/* The packet the reference sent (outer header from ref_esp_packet: TOS 0,
 * ID 0, no DF, TTL 64) comes back with next header and length fixed. */
static void
transport_good(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq)
{
	uint16_t hdr = c->outer == AF_INET ? IPV4_HDR : IPV6_HDR;
	uint8_t inner[REF_PKT_MAX];
	uint16_t len = t_inner(inner, c, 25, 0, true);
	struct rte_mbuf *m = pkt(pr, c, seq, 25);
	const uint8_t *ip;

	CU_ASSERT_EQUAL_FATAL(t_in(pr->in, &m, 1, fx_esp_off(c, hdr)), 1);
	CU_ASSERT_EQUAL_FATAL(m->data_len, L + len);
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, L);
	if (hdr == IPV4_HDR) {
		static const uint8_t fixed[10] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, IPPROTO_UDP };

		CU_ASSERT_EQUAL(memcmp(ip, fixed, 2), 0);
		CU_ASSERT_EQUAL(ip[2] << 8 | ip[3], len);
		CU_ASSERT_EQUAL(memcmp(ip + 4, fixed + 4, 6), 0);
		CU_ASSERT_TRUE(ref_ipv4_csum_ok(ip));
		CU_ASSERT_EQUAL(memcmp(ip + 12, inner + 12, 8), 0);
	} else {
		CU_ASSERT_EQUAL(ip[0], 0x60);
		CU_ASSERT_EQUAL(ip[4] << 8 | ip[5], len - IPV6_HDR);
		CU_ASSERT_EQUAL(ip[6], IPPROTO_UDP);
		CU_ASSERT_EQUAL(memcmp(ip + 8, inner + 8, 32), 0);
	}
	CU_ASSERT_EQUAL(memcmp(ip + hdr, inner + hdr, len - hdr), 0);
	CU_ASSERT_EQUAL(dp_meta(m)->l3_off, L);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), "\x02\0\0\0\0\x01", 6), 0);
	rte_pktmbuf_free(m);
}

void
test_in_transport(void)
{
	struct fx_combo t4 = { .alg = DP_SA_AES_GCM_256, .mode = DP_SA_TRANSPORT,
			       .inner = AF_INET, .outer = AF_INET };
	struct fx_combo t4u = t4, t6 = t4;
	struct fx_pair p4, p4u, p6;
	struct rte_mbuf *m;

	t4u.udp = true;
	t6.inner = t6.outer = AF_INET6;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&p4, &t4, SPI_IN + 40), 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&p4u, &t4u, SPI_IN + 41), 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&p6, &t6, SPI_IN + 42), 0);
	transport_good(&p4, &t4, 1);
	transport_good(&p4u, &t4u, 1);
	transport_good(&p6, &t6, 1);
	/* dummy packet (RFC 4303 §2.6) */
	bad(p4.in, pkt_nh(&p4, &t4, 2, 10, 59));
	/* ESP must follow the IP header (or the RFC 3948 UDP header) directly */
	m = pkt(&p4, &t4, 3, 10);
	dp_meta(m)->esp_off += 8;
	bad(p4.in, m);
	m = pkt(&p4u, &t4u, 3, 10);
	dp_meta(m)->esp_off -= 8;
	bad(p4u.in, m);
	m = pkt(&p6, &t6, 3, 10);
	rte_pktmbuf_mtod_offset(m, uint8_t *, L + 6)[0] = IPPROTO_DSTOPTS;	/* ext header */
	bad(p6.in, m);
	transport_good(&p4, &t4, 4);
	fx_pair_free(&p4u);
	fx_pair_free(&p6);
	done(&p4);
}

/* ---- selectors ------------------------------------------------------------------------- */

static void
ts4(struct dp_ts *ts, uint8_t a, uint8_t b, uint8_t c, uint8_t proto)
{
	memset(ts, 0, sizeof(*ts));
	ts->family = AF_INET;
	ts->proto = proto;
	ts->port_hi = UINT16_MAX;
	ts->addr_lo[0] = ts->addr_hi[0] = a;
	ts->addr_lo[1] = ts->addr_hi[1] = b;
	ts->addr_lo[2] = ts->addr_hi[2] = c;
	ts->addr_hi[3] = 255;
}

static struct rte_mbuf *
sel_pkt(const struct fx_pair *pr, uint64_t seq, const uint8_t *src, const uint8_t *dst)
{
	uint8_t p[REF_PKT_MAX];
	uint16_t d = ref_ipv4_udp(p, src, dst, 0, true, 20);

	return t_ref_in(pr, &gcm, seq, p, ref_trailer(p, d, gcm.alg, 4), 0);
}

/* RFC 4301 §5.2: inner source in the remote selector, destination local. */
void
test_in_selectors(void)
{
	static const uint8_t other[4] = { 10, 8, 0, 5 };
	struct dp_sa_params po, pi;
	struct fx_combo c6 = gcm;
	struct fx_pair pr;

	c6.inner = AF_INET6;
	fx_params(&po, &gcm, SPI_IN + 50, DP_SA_OUTBOUND);
	fx_params(&pi, &gcm, SPI_IN + 50, DP_SA_INBOUND);
	pi.n_ts = 2;
	ts4(&pi.ts[0].local, 203, 0, 113, IPPROTO_UDP);
	ts4(&pi.ts[0].remote, 10, 9, 0, IPPROTO_UDP);
	ts4(&pi.ts[1].local, 198, 51, 100, 0);
	ts4(&pi.ts[1].remote, 10, 8, 0, 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make_p(&pr, &po, &pi), 0);
	good(pr.in, sel_pkt(&pr, 1, fx_c4, fx_l4));
	expect(pr.in, sel_pkt(&pr, 2, other, fx_l4), 0, DP_DROP_ESP_POLICY, DP_SA_DROP_POLICY);
	expect(pr.in, sel_pkt(&pr, 3, fx_l4, fx_c4), 0, DP_DROP_ESP_POLICY, DP_SA_DROP_POLICY);
	good(pr.in, sel_pkt(&pr, 4, other, (const uint8_t[]){ 198, 51, 100, 7 }));
	expect(pr.in, pkt(&pr, &c6, 5, 10), 0, DP_DROP_ESP_POLICY, DP_SA_DROP_POLICY);
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_POLICY], 3);
	CU_ASSERT_EQUAL(pr.in->stats.packets, 2);
	done(&pr);
}

/* ---- ECN (RFC 6040 §4.2) ------------------------------------------------------------------ */

enum { NOT_ECT = 0, ECT1 = 1, ECT0 = 2, CE = 3, DROP = -1 };

/* RFC 6040 Figure 4, typed in from the RFC: [inner][outer]. */
static const int rfc6040[4][4] = {
	[NOT_ECT] = { [NOT_ECT] = NOT_ECT, [ECT0] = NOT_ECT, [ECT1] = NOT_ECT, [CE] = DROP },
	[ECT0] = { [NOT_ECT] = ECT0, [ECT0] = ECT0, [ECT1] = ECT1, [CE] = CE },
	[ECT1] = { [NOT_ECT] = ECT1, [ECT0] = ECT1, [ECT1] = ECT1, [CE] = CE },
	[CE] = { [NOT_ECT] = CE, [ECT0] = CE, [ECT1] = CE, [CE] = CE },
};

static void
ecn_case(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq, int in, int out)
{
	uint8_t dscp_in = 10, dscp_out = 0x30;
	uint8_t p[REF_PKT_MAX], tos;
	uint16_t d = t_inner(p, c, 20, (uint8_t)(dscp_in << 2 | in), true);
	uint16_t n = ref_trailer(p, d, c->alg, c->inner == AF_INET ? 4 : 41);
	struct rte_mbuf *m = t_ref_in(pr, c, seq, p, n, (uint8_t)(dscp_out << 2 | out));
	const uint8_t *ip;

	if (rfc6040[in][out] == DROP) {
		bad(pr->in, m);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(t_in(pr->in, &m, 1, dp_meta(m)->esp_off), 1);
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, L);
	if (c->inner == AF_INET) {
		tos = ip[1];
		CU_ASSERT_TRUE(ref_ipv4_csum_ok(ip));
		CU_ASSERT_EQUAL(memcmp(ip + 2, p + 2, 8), 0);	/* all but TOS, checksum */
		CU_ASSERT_EQUAL(memcmp(ip + 12, p + 12, d - 12), 0);
	} else {
		tos = (uint8_t)(ip[0] << 4 | ip[1] >> 4);
		CU_ASSERT_EQUAL(ip[1] & 0x0f, p[1] & 0x0f);	/* flow label kept */
		CU_ASSERT_EQUAL(memcmp(ip + 2, p + 2, d - 2), 0);
	}
	CU_ASSERT_EQUAL(tos, dscp_in << 2 | rfc6040[in][out]);
	rte_pktmbuf_free(m);
}

void
test_in_ecn(void)
{
	struct fx_combo c6 = gcm;
	struct fx_pair pr;
	uint64_t seq = 1;

	c6.inner = AF_INET6;
	c6.outer = AF_INET6;
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &gcm, SPI_IN + 60), 0);
	for (int in = 0; in < 4; in++)
		for (int out = 0; out < 4; out++) {
			ecn_case(&pr, &gcm, seq++, in, out);
		}
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_MALFORMED], 1);
	fx_pair_free(&pr);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&pr, &c6, SPI_IN + 61), 0);
	for (int in = 0; in < 4; in++)
		for (int out = 0; out < 4; out++)
			ecn_case(&pr, &c6, seq++, in, out);
	CU_ASSERT_EQUAL(pr.in->stats.drops[DP_SA_DROP_MALFORMED], 1);
	CU_ASSERT_EQUAL(pr.in->stats.packets, 15);
	done(&pr);
}

/* ---- misc ------------------------------------------------------------------------------------ */

/* Two SAs and mixed verdicts in one burst: the good ones, in order. */
static void
mixed_burst(struct fx_pair *a, struct fx_pair *b)
{
	struct rte_mbuf *m[6];
	struct dp_sa *sas[6] = { a->in, a->in, b->in, a->in, b->in, b->in };

	m[0] = pkt(a, &gcm, 1, 10);
	m[1] = flip(pkt(a, &gcm, 2, 11), 1);			/* ICV */
	m[2] = pkt(b, &gcm, 1, 12);
	m[3] = pkt(a, &gcm, 1, 13);				/* replay of m[0] */
	m[4] = pkt(b, &gcm, 7, 14);
	m[5] = pkt(a, &gcm, 3, 15);				/* a's packet to b's SA */
	CU_ASSERT_EQUAL_FATAL(dp_esp_inbound(fx.w, FX_PORT, m, sas, 6), 3);
	CU_ASSERT_EQUAL(m[0]->data_len, L + 28 + 10);
	CU_ASSERT_EQUAL(m[1]->data_len, L + 28 + 12);
	CU_ASSERT_EQUAL(m[2]->data_len, L + 28 + 14);
	for (int i = 0; i < 3; i++)
		rte_pktmbuf_free(m[i]);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_AUTH), 1);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_REPLAY), 1);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_MALFORMED), 1);	/* SPI not the SA's */
	CU_ASSERT_EQUAL(a->in->stats.packets, 1);
	CU_ASSERT_EQUAL(b->in->stats.packets, 2);
	CU_ASSERT_EQUAL(b->in->stats.drops[DP_SA_DROP_MALFORMED], 1);
}

void
test_in_misc(void)
{
	struct fx_pair a, b;
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&a, &gcm, SPI_IN + 70), 0);
	CU_ASSERT_EQUAL_FATAL(fx_pair_make(&b, &gcm, SPI_IN + 71), 0);
	mixed_burst(&a, &b);
	fx_reset();
	m = pkt(&a, &gcm, 5, 10);
	dp_meta(m)->esp_off = L + 10;				/* inside the IP header */
	bad(a.in, m);
	m = pkt(&a, &gcm, 5, 10);
	dp_meta(m)->esp_off = m->data_len + 1;			/* past the packet */
	bad(a.in, m);
	m = pkt(&a, &gcm, 5, 10);
	CU_ASSERT_EQUAL(rte_pktmbuf_chain(m, rte_pktmbuf_alloc(fx.pool)), 0);
	bad(a.in, m);						/* two segments */
	__atomic_fetch_or(&a.in->flags, DP_SA_F_HARD_EXPIRED, __ATOMIC_RELAXED);
	expect(a.in, pkt(&a, &gcm, 5, 10), 0, DP_DROP_ESP_LIFETIME, DP_SA_DROP_LIFETIME);
	__atomic_fetch_and(&b.in->flags, ~(uint32_t)DP_SA_F_ACTIVE, __ATOMIC_RELAXED);
	expect(b.in, pkt(&b, &gcm, 9, 10), 0, DP_DROP_ESP_INACTIVE, DP_SA_DROP_INACTIVE);
	fx_pair_free(&b);
	done(&a);
}
