/*
 * Unit tests of the SAD's moved marks (sa.h) and the brief sequence export
 * the HA sync reads for a moved SA (dp_sa_seq_brief, dp_replay_seen_below):
 *   - mark / take: exact words, a second take empty, a mark of a marked SA
 *     changes nothing, a take of fewer words leaves the rest;
 *   - the ESP transforms mark an outbound SA that reserved numbers and an
 *     inbound SA whose window moved; a replay, or a standby SA, marks none;
 *     a takeover marks the SA;
 *   - two threads (free to run on any CPU) reserving numbers and marking
 *     while this one takes the marks (at least 1,000 takes while they run)
 *     and reads every SA marked in this take or the one before: after the
 *     threads end and two more takes, every counter read equals the SA's
 *     final counter (no movement lost), exactly;
 *   - dp_replay_seen_below against the window as dp_replay_export copies
 *     it, over pseudo-random accepted numbers, and dp_sa_seq_brief against
 *     dp_sa_seq_export.
 * ESP fixture as for dp_esp; needs EAL.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <CUnit/Basic.h>

#include "dataplane/esp.h"
#include "tests/unit/dataplane/esp_fixture.h"
#include "tests/unit/dataplane/esp_fixture_main.h"

enum {
	SPI_BASE = 0x6b000,
	PAYLOAD = 10,
	OUTER_IP = 20,
	ESP_OFF = FX_L2_LEN + OUTER_IP,	/* tunnel, IPv4 outer, no UDP */
	IPPROTO_IPV4_INNER = 4,
	BURST = 3,
	WORDS = 1024 / 64,		/* FX_MAX_SAS / 64 */
	N_RACE = 128,			/* SAs the two threads mark */
	RACE_ROUNDS = 200000,		/* per thread at least, over every SA */
	MIN_TICKS = 1000,		/* takes while the threads mark */
	SEEN_BITS = 32,
	RANDOM_STEPS = 3000,
};

static const struct fx_combo gcm = {
	.alg = DP_SA_AES_GCM_128, .mode = DP_SA_TUNNEL, .inner = AF_INET, .outer = AF_INET,
};

static uint64_t took[WORDS];

static struct dp_sa *
sa_of(uint32_t spi, enum dp_sa_dir dir, bool standby)
{
	struct dp_sa_params p;

	fx_params(&p, &gcm, spi, dir);
	p.standby = standby;
	return fx_sa_add(&p);
}

static uint64_t
bit_of(const struct dp_sa *sa)
{
	return UINT64_C(1) << (sa->id % 64);
}

/* Takes every mark; returns how many SAs were marked. */
static uint32_t
take(void)
{
	return dp_sad_moved_take(fx.dp.sad, took, WORDS);
}

static bool
taken(const struct dp_sa *sa)
{
	return (took[sa->id / 64] & bit_of(sa)) != 0;
}

/* ---- mark and take -------------------------------------------------------- */

static void
test_mark_take(void)
{
	struct dp_sa *a = sa_of(SPI_BASE + 1, DP_SA_OUTBOUND, false);
	struct dp_sa *b = sa_of(SPI_BASE + 2, DP_SA_OUTBOUND, false);
	uint64_t want[WORDS] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(dp_sad_capacity(fx.dp.sad), 1024);
	CU_ASSERT_EQUAL(dp_sad_moved_words(fx.dp.sad), WORDS);
	take();
	CU_ASSERT_EQUAL(take(), 0);
	dp_sa_mark_moved(a);
	dp_sa_mark_moved(a);
	dp_sa_mark_moved(b);
	CU_ASSERT_PTR_EQUAL(a->moved, b->moved - b->id / 64 + a->id / 64);
	want[a->id / 64] |= bit_of(a);
	want[b->id / 64] |= bit_of(b);
	CU_ASSERT_EQUAL(take(), 2);
	CU_ASSERT_EQUAL(memcmp(took, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL(took[a->id / 64], 0);
	/* A take of word 0 only: the other words keep their marks. */
	dp_sa_mark_moved(a);
	CU_ASSERT_EQUAL(dp_sad_moved_take(fx.dp.sad, took, 1), a->id < 64 ? 1 : 0);
	CU_ASSERT_EQUAL(take(), a->id < 64 ? 0 : 1);
	fx_sa_del(a);
	fx_sa_del(b);
	fx_reset();
}

/* ---- the ESP transforms mark ---------------------------------------------- */

static uint16_t
out_burst(struct dp_sa *sa, uint16_t n)
{
	struct rte_mbuf *m[BURST];
	struct dp_sa *sas[BURST];
	uint8_t pkt[REF_PKT_MAX];
	uint16_t k;

	for (uint16_t i = 0; i < n; i++) {
		m[i] = fx_mbuf(pkt, ref_ipv4_udp(pkt, fx_c4, fx_l4, 0, true, PAYLOAD));
		sas[i] = sa;
	}
	k = dp_esp_outbound(fx.w, FX_PORT, m, sas, n);
	for (uint16_t i = 0; i < k; i++)
		rte_pktmbuf_free(m[i]);
	return k;
}

static uint16_t
in_one(struct dp_sa *sa, uint32_t spi, uint64_t seq)
{
	struct ref_sa ref = {
		.alg = gcm.alg, .key = fx_key, .key_len = dp_sa_alg_enc_key_len(gcm.alg),
		.auth_key = fx_auth_key,
	};
	struct ref_outer o = { .family = AF_INET, .src = fx_a4, .dst = fx_b4 };
	uint8_t inner[REF_PKT_MAX], pkt[REF_PKT_MAX];
	uint16_t len = ref_ipv4_udp(inner, fx_c4, fx_l4, 0, true, PAYLOAD);
	struct rte_mbuf *m;
	uint16_t k;

	len = ref_trailer(inner, len, gcm.alg, IPPROTO_IPV4_INNER);
	len = ref_esp_packet(pkt, &o, &ref, spi, seq, seq, inner, len);
	m = fx_mbuf(pkt, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	dp_meta(m)->esp_off = ESP_OFF;
	k = dp_esp_inbound(fx.w, FX_PORT, &m, &sa, 1);
	if (k == 1)
		rte_pktmbuf_free(m);
	return k;
}

static void
test_esp_marks(void)
{
	uint32_t spi = SPI_BASE + 3;
	struct dp_sa *out = sa_of(spi, DP_SA_OUTBOUND, false);
	struct dp_sa *in = sa_of(spi, DP_SA_INBOUND, false);
	struct dp_sa *sb = sa_of(SPI_BASE + 4, DP_SA_OUTBOUND, true);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	take();
	CU_ASSERT_EQUAL(out_burst(out, 2), 2);
	CU_ASSERT_EQUAL(take(), 1);
	CU_ASSERT_TRUE(taken(out));
	CU_ASSERT_EQUAL(in_one(in, spi, 5), 1);
	CU_ASSERT_EQUAL(take(), 1);
	CU_ASSERT_TRUE(taken(in));
	/* A replay is dropped before the window: nothing moved. */
	CU_ASSERT_EQUAL(in_one(in, spi, 5), 0);
	CU_ASSERT_EQUAL(take(), 0);
	/* A standby copy reserves nothing. */
	CU_ASSERT_EQUAL(out_burst(sb, 2), 0);
	CU_ASSERT_EQUAL(take(), 0);
	fx_sa_del(out);
	fx_sa_del(in);
	fx_sa_del(sb);
	fx_reset();
}

/* ---- two threads marking while this one takes ----------------------------- */

static struct dp_sa *race_sa[N_RACE];
static int race_go, race_stop, race_done;
static uint64_t race_reserved;		/* numbers the threads reserved */
static unsigned int race_failed;	/* CUnit asserts are not for threads */

/*
 * What a worker does per burst: reserve numbers, then mark (sa.h). It
 * marks until this thread has taken MIN_TICKS collections (race_stop), so
 * the takes overlap the marks however the threads are scheduled.
 */
static void *
marker(void *arg)
{
	unsigned int start = (unsigned int)(uintptr_t)arg;
	uint64_t reserved = 0;

	while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE))
		;
	for (unsigned int r = 0;
	     r < RACE_ROUNDS || !__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE); r++) {
		struct dp_sa *sa = race_sa[(start + r * 7) % N_RACE];

		if (dp_sa_seq_reserve(sa, 1 + r % 3) == 0)
			__atomic_fetch_add(&race_failed, 1, __ATOMIC_RELAXED);
		reserved += 1 + r % 3;
		dp_sa_mark_moved(sa);
	}
	__atomic_fetch_add(&race_reserved, reserved, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* One sync tick (ctl_ha_seq.c): the SAs marked now or in the take before. */
static void
collect(uint64_t *prev, uint64_t *seen)
{
	take();
	for (unsigned int i = 0; i < N_RACE; i++) {
		const struct dp_sa *sa = race_sa[i];
		uint64_t b = bit_of(sa);

		if ((took[sa->id / 64] | prev[sa->id / 64]) & b)
			seen[i] = dp_sa_out_seq(sa);
	}
	memcpy(prev, took, sizeof(took));
}

/*
 * EAL pinned this thread to one CPU (-l 0) and a new thread inherits that:
 * the markers may run on any CPU, so that marks and takes really race on
 * two cores where the machine has them.
 */
static int
start_marker(pthread_t *t, unsigned int start)
{
	pthread_attr_t attr;
	cpu_set_t all;
	int rc;

	CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(all), &all);
	rc = pthread_create(t, &attr, marker, (void *)(uintptr_t)start);
	pthread_attr_destroy(&attr);
	return rc;
}

static void
test_race(void)
{
	uint64_t prev[WORDS] = { 0 }, seen[N_RACE] = { 0 }, total = 0, least = 0;
	unsigned int lost = 0, ticks = 0;
	pthread_t t[2];

	for (unsigned int i = 0; i < N_RACE; i++) {
		race_sa[i] = sa_of(SPI_BASE + 0x100 + i, DP_SA_OUTBOUND, false);
		CU_ASSERT_PTR_NOT_NULL_FATAL(race_sa[i]);
	}
	take();
	race_go = race_stop = race_done = 0;
	race_reserved = 0;
	CU_ASSERT_EQUAL_FATAL(start_marker(&t[0], 0), 0);
	CU_ASSERT_EQUAL_FATAL(start_marker(&t[1], 3), 0);
	__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&race_done, __ATOMIC_ACQUIRE) < 2) {
		collect(prev, seen);
		if (++ticks == MIN_TICKS)
			__atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	/* The take after the last marks, and the one after it. */
	collect(prev, seen);
	collect(prev, seen);
	for (unsigned int i = 0; i < N_RACE; i++) {
		lost += seen[i] != dp_sa_out_seq(race_sa[i]);
		total += dp_sa_out_seq(race_sa[i]);
	}
	for (unsigned int r = 0; r < RACE_ROUNDS; r++)
		least += 2 * (1 + r % 3);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT_EQUAL(race_failed, 0);
	CU_ASSERT_EQUAL(total, race_reserved);
	CU_ASSERT_TRUE(race_reserved >= least);
	CU_ASSERT_TRUE(ticks >= MIN_TICKS);
	CU_ASSERT_EQUAL(take(), 0);
	for (unsigned int i = 0; i < N_RACE; i++)
		fx_sa_del(race_sa[i]);
	fx_reset();
}

/* ---- brief export --------------------------------------------------------- */

/* The bits as the HA sync computed them from an exported copy. */
static uint64_t
seen_from_copy(const struct dp_replay_state *w, unsigned int n)
{
	uint64_t ring = ((uint64_t)w->size / DP_REPLAY_WORD_BITS + 1) * DP_REPLAY_WORD_BITS;
	uint64_t bits = 0;

	for (unsigned int i = 0; i < n && w->top > i + 1; i++) {
		uint64_t s = (w->top - 1 - i) % ring;

		if (w->bitmap[s / DP_REPLAY_WORD_BITS] >> (s % DP_REPLAY_WORD_BITS) & 1)
			bits |= UINT64_C(1) << i;
	}
	return bits;
}

static unsigned int
seen_mismatches(uint32_t size)
{
	struct dp_replay_window w;
	struct dp_replay_state s;
	uint64_t x = 12345, top = 1;
	unsigned int bad = 0;

	CU_ASSERT_EQUAL_FATAL(dp_replay_init(&w, size, true), 0);
	bad += dp_replay_seen_below(&w, 0, SEEN_BITS) != 0;
	for (unsigned int i = 0; i < RANDOM_STEPS; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* Mostly just below or above the top, sometimes a jump. */
		uint64_t step = (x >> 33) % 100;
		uint64_t seq = step < 60 ? top + (x >> 40) % 4 :
			       step < 95 ? (top > 70 ? top - (x >> 40) % 70 : 1) :
			       top + (x >> 40) % 300;

		dp_replay_update(&w, seq == 0 ? 1 : seq);
		top = w.top;
		dp_replay_export(&w, &s);
		bad += dp_replay_seen_below(&w, w.top, SEEN_BITS) != seen_from_copy(&s, SEEN_BITS);
		bad += dp_replay_seen_below(&w, w.top, 64) != seen_from_copy(&s, 64);
		bad += dp_replay_seen_below(&w, w.top, 0) != 0;
	}
	return bad;
}

static void
test_seen_below(void)
{
	struct dp_replay_window w;

	CU_ASSERT_EQUAL(seen_mismatches(64), 0);
	CU_ASSERT_EQUAL(seen_mismatches(128), 0);
	CU_ASSERT_EQUAL(seen_mismatches(1024), 0);
	/* Exact: 1, 3, 4 seen, top 4: bits for 3 (i 0), 1 (i 2); 2 not seen. */
	CU_ASSERT_EQUAL_FATAL(dp_replay_init(&w, 64, false), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, 1), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, 3), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&w, 4), 0);
	CU_ASSERT_EQUAL(dp_replay_seen_below(&w, 4, SEEN_BITS), 0x5);
	CU_ASSERT_EQUAL(dp_replay_seen_below(&w, 1, SEEN_BITS), 0);
	CU_ASSERT_EQUAL(dp_replay_seen_below(&w, 4, 1), 0x1);
}

static void
test_brief(void)
{
	uint32_t spi = SPI_BASE + 5;
	struct dp_sa *out = sa_of(spi, DP_SA_OUTBOUND, false);
	struct dp_sa *in = sa_of(spi, DP_SA_INBOUND, false);
	struct dp_sa_seq_state s;
	struct dp_sa_seq_brief b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL(out_burst(out, 3), 3);
	take();
	dp_sa_take_over(out, 1, 100);		/* a takeover moves the counter: marked */
	CU_ASSERT_EQUAL(take(), 1);
	CU_ASSERT_TRUE(taken(out));
	CU_ASSERT_EQUAL(out_burst(out, 2), 2);
	dp_sa_seq_export(out, &s);
	dp_sa_seq_brief(out, SEEN_BITS, &b);
	CU_ASSERT_EQUAL(b.out_seq, 105);
	CU_ASSERT_EQUAL(b.out_seq, s.out_seq);
	CU_ASSERT_EQUAL(b.epoch_start_seq, 103);
	CU_ASSERT_EQUAL(b.iv_epoch, 3);
	CU_ASSERT_EQUAL(b.win_top, 0);
	CU_ASSERT_EQUAL(b.win_seen, 0);
	for (uint64_t seq = 1; seq <= 40; seq += 3)
		CU_ASSERT_EQUAL(in_one(in, spi, seq), 1);
	dp_sa_seq_export(in, &s);
	dp_sa_seq_brief(in, SEEN_BITS, &b);
	CU_ASSERT_EQUAL(b.win_top, 40);
	CU_ASSERT_EQUAL(b.win_seen, seen_from_copy(&s.win, SEEN_BITS));
	CU_ASSERT_EQUAL(b.win_seen, 0x24924924);	/* 37, 34, ... 10: every third */
	CU_ASSERT_EQUAL(b.out_seq, 0);
	CU_ASSERT_EQUAL(b.iv_epoch, 0);
	fx_sa_del(out);
	fx_sa_del(in);
	fx_reset();
}

int
main(void)
{
	static const struct fx_test tests[] = {
		{ "mark and take", test_mark_take },
		{ "the ESP transforms mark what moved", test_esp_marks },
		{ "two threads marking while one takes: nothing lost", test_race },
		{ "replay window: seen below the top", test_seen_below },
		{ "brief sequence export", test_brief },
	};

	return fx_main("test_sa_moved", "hagw_test_sa_moved", "sa_moved", tests, RTE_DIM(tests));
}
