/*
 * Unit tests of HA standby SAs and takeover (dataplane/sa_ha.c, the
 * standby flag of dp_sa_add, sa_seq.c import; RFC 4303 §3.3.3 sequence
 * numbers never reused, RFC 4106 §3.1 IV nonces never repeated):
 *   - a standby SA is found by id and SPI, but the ESP transforms drop
 *     its packets as esp_inactive (per SA: inactive) and reserve no
 *     sequence number, in both directions;
 *   - outbound activation: the counter continues at imported + margin in
 *     a fresh IV epoch ((generation + 1) << 1 | node bit), checked in the
 *     ESP header and explicit IV of the next packets, which the mirror SA
 *     opens; a second activation changes nothing; unknown ids;
 *   - inbound activation with the window imported from the active
 *     appliance's copy (a second SAD): replays closed there stay closed;
 *   - deactivation and reactivation (a second takeover, a new epoch);
 *   - dp_sa_seq_import on a standby SA only moves forward: lower counters,
 *     older epochs and older windows do not undo newer ones.
 * ESP fixture and OpenSSL reference as for dp_esp; needs EAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <CUnit/Basic.h>

#include "dataplane/esp.h"
#include "tests/unit/dataplane/esp_fixture.h"
#include "tests/unit/dataplane/esp_fixture_main.h"

enum {
	SPI_BASE = 0x5a000,
	PAYLOAD = 10,			/* inner UDP payload */
	OUTER_IP = 20,
	ESP_OFF = FX_L2_LEN + OUTER_IP,	/* tunnel, IPv4 outer, no UDP */
	ESP_SEQ_OFF = 4,
	ESP_IV_OFF = 8,
	IV_LEN = 8,
	BURST = 3,
	MAX_SAS = 8,			/* the second SAD: the active appliance's */
	MARGIN = 1024,
	IPPROTO_IPV4_INNER = 4,		/* next header of a tunnelled IPv4 packet */
};

static const struct fx_combo gcm = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET,
};

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static struct dp_sa *
sa_of(uint32_t spi, enum dp_sa_dir dir, bool standby)
{
	struct dp_sa_params p;

	fx_params(&p, &gcm, spi, dir);
	p.standby = standby;
	return fx_sa_add(&p);
}

/* A clear-text packet for the outbound SA: client -> LAN host. */
static struct rte_mbuf *
clear_pkt(void)
{
	uint8_t pkt[REF_PKT_MAX];

	return fx_mbuf(pkt, ref_ipv4_udp(pkt, fx_c4, fx_l4, 0, true, PAYLOAD));
}

/* N clear packets through the outbound SA; returns how many were sent. */
static uint16_t
out_burst(struct dp_sa *sa, struct rte_mbuf **m, uint16_t n)
{
	struct dp_sa *sas[BURST];

	for (uint16_t i = 0; i < n; i++) {
		m[i] = clear_pkt();
		sas[i] = sa;
	}
	return dp_esp_outbound(fx.w, FX_PORT, m, sas, n);
}

/* ESP the peer (the reference) sends for SPI with sequence number seq. */
static struct rte_mbuf *
peer_esp(uint32_t spi, uint64_t seq)
{
	struct ref_sa ref = {
		.alg = gcm.alg, .key = fx_key, .key_len = dp_sa_alg_enc_key_len(gcm.alg),
		.auth_key = fx_auth_key,
	};
	struct ref_outer o = { .family = AF_INET, .src = fx_a4, .dst = fx_b4 };
	uint8_t inner[REF_PKT_MAX], pkt[REF_PKT_MAX];
	uint16_t len = ref_ipv4_udp(inner, fx_c4, fx_l4, 0, true, PAYLOAD);

	len = ref_trailer(inner, len, gcm.alg, IPPROTO_IPV4_INNER);
	len = ref_esp_packet(pkt, &o, &ref, spi, seq, seq, inner, len);
	return fx_mbuf(pkt, len);
}

/* Runs m through the inbound SA; returns 1 if it was accepted (freed). */
static uint16_t
in_one(struct dp_sa *sa, struct rte_mbuf *m)
{
	uint16_t k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	dp_meta(m)->esp_off = ESP_OFF;
	k = dp_esp_inbound(fx.w, FX_PORT, &m, &sa, 1);
	if (k == 1)
		rte_pktmbuf_free(m);
	return k;
}

static void
import_out(struct dp_sa *sa, uint64_t seq, uint16_t epoch, uint64_t start)
{
	struct dp_sa_seq_state s = {
		.spi = sa->p.spi, .dir = DP_SA_OUTBOUND, .out_seq = seq, .iv_epoch = epoch,
		.epoch_start_seq = start,
	};

	CU_ASSERT_EQUAL(dp_sa_seq_import(sa, &s), 0);
}

static void
expect_out_state(const struct dp_sa *sa, uint64_t seq, uint16_t epoch, uint64_t start)
{
	struct dp_sa_seq_state s;

	dp_sa_seq_export(sa, &s);
	CU_ASSERT_EQUAL(s.out_seq, seq);
	CU_ASSERT_EQUAL(s.iv_epoch, epoch);
	CU_ASSERT_EQUAL(s.epoch_start_seq, start);
	CU_ASSERT_EQUAL(dp_sa_out_seq(sa), seq);
}

static uint64_t
in_top(const struct dp_sa *sa)
{
	struct dp_sa_seq_state s;

	dp_sa_seq_export(sa, &s);
	return s.win.top;
}

/* The ESP header and explicit IV of an outbound packet (RFC 4106 §3.1:
 * the IV is the 64-bit nonce, big-endian). */
static void
expect_esp(struct rte_mbuf *m, uint32_t spi, uint32_t seq, uint64_t nonce)
{
	const uint8_t *esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, ESP_OFF);
	uint8_t iv[IV_LEN];

	for (unsigned int i = 0; i < IV_LEN; i++)
		iv[i] = (uint8_t)(nonce >> (8 * (IV_LEN - 1 - i)));
	CU_ASSERT_EQUAL(get32(esp), spi);
	CU_ASSERT_EQUAL(get32(esp + ESP_SEQ_OFF), seq);
	CU_ASSERT_EQUAL(memcmp(esp + ESP_IV_OFF, iv, IV_LEN), 0);
}

static void
done(void)
{
	fx_reset();
	CU_ASSERT_EQUAL(fx_in_use(), 0);
}

/* ---- standby: found, but every packet dropped as inactive ------------------ */

static void
test_standby_drops(void)
{
	struct dp_sa *out = sa_of(SPI_BASE + 1, DP_SA_OUTBOUND, true);
	struct dp_sa *in = sa_of(SPI_BASE + 1, DP_SA_INBOUND, true);
	uint32_t spi = SPI_BASE + 1;
	struct rte_mbuf *m[BURST];
	struct dp_sa *found = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_FALSE(dp_sa_is_active(out));
	CU_ASSERT_FALSE(dp_sa_is_active(in));
	CU_ASSERT_EQUAL(out->flags, 0);
	CU_ASSERT_FALSE(out->p.standby);	/* the current value lives in flags only */
	CU_ASSERT_PTR_EQUAL(dp_sad_get(fx.dp.sad, out->id), out);
	dp_sad_lookup_spi_bulk(fx.dp.sad, &spi, 1, &found);
	CU_ASSERT_PTR_EQUAL(found, in);
	/* Outbound: dropped, no sequence number reserved. */
	CU_ASSERT_EQUAL(out_burst(out, m, 2), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_INACTIVE), 2);
	CU_ASSERT_EQUAL(out->stats.drops[DP_SA_DROP_INACTIVE], 2);
	CU_ASSERT_EQUAL(out->stats.drops[DP_SA_DROP_LIFETIME], 0);
	CU_ASSERT_EQUAL(dp_sa_out_seq(out), 0);
	CU_ASSERT_EQUAL(out->stats.packets, 0);
	/* Inbound: dropped before the window. */
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 1)), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_INACTIVE), 3);
	CU_ASSERT_EQUAL(in->stats.drops[DP_SA_DROP_INACTIVE], 1);
	CU_ASSERT_EQUAL(in_top(in), 0);
	CU_ASSERT_EQUAL(fx_drops_total(), 3);
	CU_ASSERT_STRING_EQUAL(dp_drop_reason_name(DP_DROP_ESP_INACTIVE), "esp_inactive");
	fx_sa_del(out);
	fx_sa_del(in);
	done();
}

/* ---- outbound takeover ------------------------------------------------------ */

static void
test_activate_outbound(void)
{
	uint32_t spi = SPI_BASE + 2;
	struct dp_sa *out = sa_of(spi, DP_SA_OUTBOUND, true);
	struct dp_sa *in = sa_of(spi, DP_SA_INBOUND, false);	/* the peer's mirror */
	struct rte_mbuf *m[BURST];
	uint32_t gone;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	/* Last sync from the active: 1000 used, epoch 4 (generation 2, node 0). */
	import_out(out, 1000, 4, 200);
	expect_out_state(out, 1000, 4, 200);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, out->id, 1, MARGIN), 0);
	CU_ASSERT_TRUE(dp_sa_is_active(out));
	/* Epoch (2 + 1) << 1 | 1 = 7, counter 1000 + 1024, the epoch starting there. */
	expect_out_state(out, 2024, 7, 2024);
	CU_ASSERT_EQUAL_FATAL(out_burst(out, m, BURST), BURST);
	for (uint16_t i = 0; i < BURST; i++)
		expect_esp(m[i], spi, 2025 + i, UINT64_C(7) << 48 | (2025 + i));
	CU_ASSERT_EQUAL(dp_sa_out_seq(out), 2027);
	/* The peer opens them. */
	for (uint16_t i = 0; i < BURST; i++)
		CU_ASSERT_EQUAL(in_one(in, m[i]), 1);
	CU_ASSERT_EQUAL(in_top(in), 2027);
	/* Already active: no second takeover. */
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, out->id, 0, 5000), 0);
	expect_out_state(out, 2027, 7, 2024);
	CU_ASSERT_EQUAL(fx_drops_total(), 0);
	/* Unknown ids. */
	gone = in->id;
	fx_sa_del(in);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, gone, 1, MARGIN), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_deactivate(fx.dp.sad, gone), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, UINT32_MAX, 1, MARGIN), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_deactivate(fx.dp.sad, UINT32_MAX), -ENOENT);
	fx_sa_del(out);
	done();
}

/* show ha reads the SAD's counts instead of walking it: exact through
 * add (standby or not), activation twice, deactivation twice, delete. */
static void
test_active_count(void)
{
	unsigned int n0 = dp_sad_count(fx.dp.sad), a0 = dp_sad_count_active(fx.dp.sad);
	struct dp_sa *standby = sa_of(SPI_BASE + 5, DP_SA_OUTBOUND, true);
	struct dp_sa *live = sa_of(SPI_BASE + 6, DP_SA_INBOUND, false);
	struct dp_sad *sad = fx.dp.sad;

	CU_ASSERT_PTR_NOT_NULL_FATAL(standby);
	CU_ASSERT_PTR_NOT_NULL_FATAL(live);
	CU_ASSERT_EQUAL(dp_sad_count(sad), n0 + 2);
	CU_ASSERT_EQUAL(dp_sad_count_active(sad), a0 + 1);
	CU_ASSERT_EQUAL(dp_sa_activate(sad, standby->id, 1, MARGIN), 0);
	CU_ASSERT_EQUAL(dp_sa_activate(sad, standby->id, 1, MARGIN), 0);
	CU_ASSERT_EQUAL(dp_sad_count_active(sad), a0 + 2);
	CU_ASSERT_EQUAL(dp_sa_deactivate(sad, live->id), 0);
	CU_ASSERT_EQUAL(dp_sa_deactivate(sad, live->id), 0);
	CU_ASSERT_EQUAL(dp_sad_count_active(sad), a0 + 1);
	fx_sa_del(live);		/* inactive: the active count stays */
	CU_ASSERT_EQUAL(dp_sad_count_active(sad), a0 + 1);
	fx_sa_del(standby);		/* active now */
	CU_ASSERT_EQUAL(dp_sad_count_active(sad), a0);
	CU_ASSERT_EQUAL(dp_sad_count(sad), n0);
	done();
}

/* An active SA given up (switchover back to standby) and taken over again:
 * a second new epoch. */
static void
test_deactivate_outbound(void)
{
	uint32_t spi = SPI_BASE + 3;
	struct dp_sa *out = sa_of(spi, DP_SA_OUTBOUND, false);
	struct rte_mbuf *m[BURST];

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_TRUE(dp_sa_is_active(out));
	CU_ASSERT_EQUAL_FATAL(out_burst(out, m, 1), 1);
	expect_esp(m[0], spi, 1, 1);
	rte_pktmbuf_free(m[0]);
	CU_ASSERT_EQUAL(dp_sa_deactivate(fx.dp.sad, out->id), 0);
	CU_ASSERT_FALSE(dp_sa_is_active(out));
	CU_ASSERT_EQUAL(out_burst(out, m, 1), 0);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_INACTIVE), 1);
	CU_ASSERT_EQUAL(out->stats.drops[DP_SA_DROP_INACTIVE], 1);
	expect_out_state(out, 1, 0, 0);
	/* Epoch 0 (generation 0) -> (0 + 1) << 1 | 0 = 2; 1 + 100. */
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, out->id, 0, 100), 0);
	expect_out_state(out, 101, 2, 101);
	CU_ASSERT_EQUAL_FATAL(out_burst(out, m, 1), 1);
	expect_esp(m[0], spi, 102, UINT64_C(2) << 48 | 102);
	rte_pktmbuf_free(m[0]);
	fx_sa_del(out);
	done();
}

/* ---- inbound takeover ------------------------------------------------------- */

static struct dp_sad *
peer_sad(void)
{
	struct dp_sad_params sp = {
		.max_sas = MAX_SAS, .n_workers = 1, .mgr = fx.dp.ctl_mgr, .socket = SOCKET_ID_ANY,
	};
	struct dp_sad *sad = dp_sad_create("t_sa_ha_peer", &sp);

	CU_ASSERT_PTR_NOT_NULL_FATAL(sad);
	return sad;
}

/* The active appliance's copy of an inbound SA, in its own SAD. */
static struct dp_sa *
peer_in(struct dp_sad *sad, uint32_t spi)
{
	struct dp_sa_params p;
	char err[128] = "";
	uint32_t id;

	fx_params(&p, &gcm, spi, DP_SA_INBOUND);
	CU_ASSERT_EQUAL_FATAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), 0);
	return dp_sad_get(sad, id);
}

static void
move_window(struct dp_sa *from, struct dp_sa *to)
{
	struct dp_sa_seq_state s;

	dp_sa_seq_export(from, &s);
	CU_ASSERT_EQUAL(dp_sa_seq_import(to, &s), 0);
}

static void
test_activate_inbound(void)
{
	static const uint64_t seen[] = { 1, 2, 3, 4, 6, 10 };
	uint32_t spi = SPI_BASE + 4;
	struct dp_sad *other = peer_sad();
	struct dp_sa *active = peer_in(other, spi);
	struct dp_sa *in = sa_of(spi, DP_SA_INBOUND, true);

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	for (unsigned int i = 0; i < RTE_DIM(seen); i++)
		CU_ASSERT_EQUAL(in_one(active, peer_esp(spi, seen[i])), 1);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 7)), 0);	/* standby */
	CU_ASSERT_EQUAL(in->stats.drops[DP_SA_DROP_INACTIVE], 1);
	move_window(active, in);
	CU_ASSERT_EQUAL(in_top(in), 10);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, in->id, 1, MARGIN), 0);
	CU_ASSERT_TRUE(dp_sa_is_active(in));
	CU_ASSERT_EQUAL(in_top(in), 10);		/* no takeover inbound */
	/* What the old active accepted stays closed. */
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 6)), 0);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 10)), 0);
	CU_ASSERT_EQUAL(in->stats.drops[DP_SA_DROP_REPLAY], 2);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_REPLAY), 2);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 5)), 1);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 11)), 1);
	CU_ASSERT_EQUAL(in_top(in), 11);
	/* Deactivated: dropped, the window untouched; then back. */
	CU_ASSERT_EQUAL(dp_sa_deactivate(fx.dp.sad, in->id), 0);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 12)), 0);
	CU_ASSERT_EQUAL(in->stats.drops[DP_SA_DROP_INACTIVE], 2);
	CU_ASSERT_EQUAL(in_top(in), 11);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, in->id, 1, MARGIN), 0);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 12)), 1);
	CU_ASSERT_EQUAL(fx_drops(DP_DROP_ESP_INACTIVE), 2);
	CU_ASSERT_EQUAL(fx_drops_total(), 4);
	fx_sa_del(in);
	dp_sad_free(other);
	done();
}

/* ---- imports on a standby SA only move forward ----------------------------- */

static void
test_import_forward_only_out(void)
{
	struct dp_sa *out = sa_of(SPI_BASE + 5, DP_SA_OUTBOUND, true);
	struct dp_sa_seq_state s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	import_out(out, 1000, 4, 200);
	expect_out_state(out, 1000, 4, 200);
	import_out(out, 900, 4, 200);		/* an older sync: counter stays */
	expect_out_state(out, 1000, 4, 200);
	import_out(out, 1500, 2, 0);		/* older epoch: only the counter moves */
	expect_out_state(out, 1500, 4, 200);
	import_out(out, 1400, 6, 1300);		/* newer epoch, lower counter */
	expect_out_state(out, 1500, 6, 1300);
	/* Same epoch, later start: the earlier start is kept (it bounds the
	 * epoch's 2^48 numbers from where the sender began). */
	import_out(out, 1600, 6, 1350);
	expect_out_state(out, 1600, 6, 1300);
	/* Another SA's state, or the wrong direction: refused, nothing moves. */
	dp_sa_seq_export(out, &s);
	s.spi++;
	s.out_seq = 5000;
	CU_ASSERT_EQUAL(dp_sa_seq_import(out, &s), -EINVAL);
	s.spi--;
	s.dir = DP_SA_INBOUND;
	CU_ASSERT_EQUAL(dp_sa_seq_import(out, &s), -EINVAL);
	expect_out_state(out, 1600, 6, 1300);
	CU_ASSERT_FALSE(dp_sa_is_active(out));
	/* The takeover starts from what was imported: generation 3 + 1. */
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, out->id, 1, 64), 0);
	expect_out_state(out, 1664, 9, 1664);
	fx_sa_del(out);
	done();
}

static void
test_import_forward_only_in(void)
{
	uint32_t spi = SPI_BASE + 6;
	struct dp_sad *other = peer_sad();
	struct dp_sa *active = peer_in(other, spi);
	struct dp_sa *in = sa_of(spi, DP_SA_INBOUND, true);
	struct dp_sa_seq_state older, newer;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	for (uint64_t seq = 1; seq <= 3; seq++)
		CU_ASSERT_EQUAL(in_one(active, peer_esp(spi, seq)), 1);
	dp_sa_seq_export(active, &older);
	for (uint64_t seq = 4; seq <= 10; seq++)
		if (seq != 5)
			CU_ASSERT_EQUAL(in_one(active, peer_esp(spi, seq)), 1);
	dp_sa_seq_export(active, &newer);
	CU_ASSERT_EQUAL(older.win.top, 3);
	CU_ASSERT_EQUAL(newer.win.top, 10);
	CU_ASSERT_EQUAL(dp_sa_seq_import(in, &newer), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_import(in, &older), 0);	/* late: changes nothing */
	CU_ASSERT_EQUAL(in_top(in), 10);
	newer.dir = DP_SA_OUTBOUND;
	CU_ASSERT_EQUAL(dp_sa_seq_import(in, &newer), -EINVAL);
	CU_ASSERT_EQUAL(dp_sa_activate(fx.dp.sad, in->id, 0, MARGIN), 0);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 3)), 0);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 9)), 0);
	CU_ASSERT_EQUAL(in->stats.drops[DP_SA_DROP_REPLAY], 2);
	CU_ASSERT_EQUAL(in_one(in, peer_esp(spi, 5)), 1);	/* never seen: open */
	CU_ASSERT_EQUAL(fx_drops_total(), 2);
	fx_sa_del(in);
	dp_sad_free(other);
	done();
}

int
main(void)
{
	static const struct fx_test tests[] = {
		{ "standby SA: found, packets dropped as inactive", test_standby_drops },
		{ "outbound activation: imported + margin, new IV epoch", test_activate_outbound },
		{ "outbound deactivation and second takeover", test_deactivate_outbound },
		{ "SAD counts: all and active, without a walk", test_active_count },
		{ "inbound activation with the imported window", test_activate_inbound },
		{ "outbound import on a standby SA: forward only", test_import_forward_only_out },
		{ "inbound import on a standby SA: forward only", test_import_forward_only_in },
	};

	return fx_main("test_sa_ha", "hagw_test_sa_ha", "sa_ha", tests, RTE_DIM(tests));
}
