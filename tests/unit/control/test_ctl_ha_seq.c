/*
 * Unit tests of the sequence state the HA active ships (control/ctl_ha_seq.c)
 * against a real SAD and SPD (EAL, no ports), CHILD SAs installed through
 * control/ctl_ike_child.c and one static SA; the workers' part (reserve
 * numbers or move a window, then mark the SA: sa.h) is done here by hand:
 *   - a tick with nothing moved visits no SA and writes nothing;
 *   - a tick visits exactly the SAs marked since the last one and those of
 *     the tick before, and ships those whose counter or window changed:
 *     exact entries (CHILD SA id, SPI, direction, counter, epoch, window
 *     top and bits), static SAs with CHILD SA id 0;
 *   - a store the worker made without marking (it found its bit still set
 *     as the control core took it) is shipped by the next tick;
 *   - marks of a removed CHILD SA's SAs ship nothing; the SA -> CHILD SA map
 *     and the standby's bulk CHILD SA -> SA ids lookup, before and after;
 *   - a bulk write ships every SA once;
 *   - to a peer that takes them, 32-octet HA_REC_SEQ_BRIEF entries with the
 *     same values, and an entry that does not fit them alone in a
 *     HA_REC_SEQ record, in order;
 *   - the rate: measured over the window the marks allow, decayed once per
 *     tick whether the SA is visited or not, a standby's shipped rate as is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>

#include "tests/unit/control/child_fixture.h"
#include "control/cli.h"
#include "control/ctl_ha.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"
#include "ha/ha_wire.h"
#include "tests/unit/cu_run.h"

enum {
	ERR_LEN = 256,
	MAX_SAS = 128,
	MAX_POLICIES = 64,
	MAX_CLIENTS = 64,
	MAX_ENTRIES = 64,
	N_CHILDREN = 4,			/* CHILD SAs 1..4 */
	STATIC_SPI = 0x7000,
	SLEEP_MS = 5,
	NS_PER_MS = 1000000,
};

static struct hagw gw;
static struct ctl_ike ike;
static struct ctl_ha ha;
static IMB_MGR *mgr;
static struct dp_sa *stat_sa;

static struct ha_wire_seq got[MAX_ENTRIES];
static uint16_t got_type[MAX_ENTRIES];	/* the record each came in */
static unsigned int n_got, n_emits;

static int
emit(void *arg, uint16_t type, const uint8_t *entries, uint32_t len)
{
	bool brief = type == HA_REC_SEQ_BRIEF;
	uint32_t size = brief ? HA_WIRE_SEQ_BRIEF_LEN : HA_WIRE_SEQ_LEN;

	(void)arg;
	n_emits++;
	CU_ASSERT(type == HA_REC_SEQ || type == HA_REC_SEQ_BRIEF);
	CU_ASSERT_EQUAL(len % size, 0);
	for (uint32_t off = 0; off + size <= len && n_got < MAX_ENTRIES; off += size) {
		got_type[n_got] = type;
		CU_ASSERT_EQUAL(brief ? ha_wire_seq_brief_decode(entries + off, size, &got[n_got])
				      : ha_wire_seq_decode(entries + off, size, &got[n_got]), 0);
		n_got++;
	}
	return 0;
}

/* One sync tick; returns the SAs it visited. */
static uint64_t
tick(void)
{
	uint64_t v = ha.seq_visits;

	n_got = 0;
	n_emits = 0;
	CU_ASSERT_EQUAL(ctl_ha_seq_write(&ha, emit, NULL), 0);
	return ha.seq_visits - v;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * NS_PER_MS };

	nanosleep(&ts, NULL);
}

/* ---- set-up: CHILD SAs as in test_ctl_ike_host.c, one static SA ---- */

static void
ike_fill(struct ike_sa_state *s)
{
	memset(s, 0, sizeof(*s));
	s->id = 1;
	s->local.family = s->remote.family = AF_INET;
	s->local.port = s->remote.port = 500;
	inet_pton(AF_INET, "192.0.2.1", s->local.ip);
	inet_pton(AF_INET, "198.51.100.7", s->remote.ip);
	snprintf(s->name, sizeof(s->name), "site");
}

static void
child_fill(struct ike_child_state *c, uint64_t id)
{
	char lo[32], hi[32];

	snprintf(lo, sizeof(lo), "10.%u.0.0", (unsigned int)id);
	snprintf(hi, sizeof(hi), "10.%u.255.255", (unsigned int)id);
	fixture_child_fill(c, id, "10.100.0.0", "10.100.255.255", lo, hi);
}

static int
install(uint64_t id)
{
	struct ike_sa_state s;
	struct ike_child_state c;
	int rc;

	ike_fill(&s);
	child_fill(&c, id);
	rc = ctl_ike_child_install_in(&ike.children, &s, &c);
	return rc == 0 ? ctl_ike_child_install_out(&ike.children, &s, &c) : rc;
}

static struct dp_sa *
child_sa(uint64_t id, enum dp_sa_dir dir)
{
	struct ctl_ike_child_info info;

	if (!ctl_ike_child_get(&ike.children, id, &info))
		return NULL;
	return dp_sad_get(gw.dp.sad, dir == DP_SA_INBOUND ? info.sa_in : info.sa_out);
}

static struct dp_sa *
static_sa_add(void)
{
	struct dp_sa_params p = {
		.spi = STATIC_SPI, .dir = DP_SA_OUTBOUND, .mode = DP_SA_TUNNEL,
		.alg = DP_SA_AES_GCM_128, .enc_key_len = 20, .df = DP_SA_DF_COPY, .dscp = -1,
		.owner = DP_SA_NO_OWNER,
		.local = { .family = AF_INET, .len = 32, .addr.v4 = { 192, 0, 2, 1 } },
		.remote = { .family = AF_INET, .len = 32, .addr.v4 = { 198, 51, 100, 9 } },
	};
	char err[ERR_LEN];
	uint32_t id;

	if (dp_sa_add(gw.dp.sad, &p, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "static SA: %s\n", err);
		return NULL;
	}
	ha.static_ids[ha.n_static++] = id;
	ha.seq[id].is_static = true;
	return dp_sad_get(gw.dp.sad, id);
}

/* What a worker does after a burst (esp_outbound.c, esp_account.c). */
static void
send_n(struct dp_sa *sa, uint32_t n)
{
	CU_ASSERT_NOT_EQUAL(dp_sa_seq_reserve(sa, n), 0);
	dp_sa_mark_moved(sa);
}

/* Drains the marks of earlier tests: two ticks. */
static void
quiet(void)
{
	tick();
	tick();
	CU_ASSERT_EQUAL(tick(), 0);
}

/* ---- ticks ---- */

static void
test_idle(void)
{
	quiet();
	CU_ASSERT_EQUAL(tick(), 0);
	CU_ASSERT_EQUAL(n_got, 0);
	CU_ASSERT_EQUAL(n_emits, 0);
}

static void
test_moved_only(void)
{
	struct dp_sa *out = child_sa(2, DP_SA_OUTBOUND);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	quiet();
	send_n(out, 5);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(n_emits, 1);
	CU_ASSERT_EQUAL(got[0].child_id, 2);
	CU_ASSERT_EQUAL(got[0].spi, 0x2002);
	CU_ASSERT_EQUAL(got[0].dir, DP_SA_OUTBOUND);
	CU_ASSERT_EQUAL(got[0].out_seq, 5);
	CU_ASSERT_EQUAL(got[0].epoch_start_seq, 0);
	CU_ASSERT_EQUAL(got[0].iv_epoch, 0);
	CU_ASSERT_EQUAL(got[0].win_top, 0);
	CU_ASSERT_EQUAL(got[0].win_bits, 0);
	/* The tick after: visited again (marked in the previous take), unchanged. */
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(n_got, 0);
	CU_ASSERT_EQUAL(n_emits, 0);
	CU_ASSERT_EQUAL(tick(), 0);
	/* Two SAs of different CHILD SAs and the static one. */
	send_n(child_sa(1, DP_SA_OUTBOUND), 2);
	send_n(child_sa(4, DP_SA_OUTBOUND), 3);
	send_n(stat_sa, 7);
	CU_ASSERT_EQUAL(tick(), 3);
	CU_ASSERT_EQUAL_FATAL(n_got, 3);
	for (unsigned int i = 0; i < n_got; i++) {
		if (got[i].child_id == 0) {
			CU_ASSERT_EQUAL(got[i].spi, STATIC_SPI);
			CU_ASSERT_EQUAL(got[i].out_seq, 7);
		} else {
			CU_ASSERT_EQUAL(got[i].spi, 0x2000 + got[i].child_id);
			CU_ASSERT_EQUAL(got[i].out_seq, got[i].child_id == 1 ? 2 : 3);
		}
	}
	CU_ASSERT_EQUAL(tick(), 3);
	CU_ASSERT_EQUAL(n_got, 0);
	CU_ASSERT_EQUAL(tick(), 0);
}

static void
test_inbound(void)
{
	struct dp_sa *in = child_sa(3, DP_SA_INBOUND);

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	quiet();
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 1), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 2), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 5), 0);
	dp_sa_mark_moved(in);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].child_id, 3);
	CU_ASSERT_EQUAL(got[0].spi, 0x1003);
	CU_ASSERT_EQUAL(got[0].dir, DP_SA_INBOUND);
	CU_ASSERT_EQUAL(got[0].win_top, 5);
	CU_ASSERT_EQUAL(got[0].win_bits, 0xc);	/* 4 and 3 not seen, 2 and 1 seen */
	CU_ASSERT_EQUAL(got[0].out_seq, 0);
	/* A hole filled below the top: visited, but the top did not move. */
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 4), 0);
	dp_sa_mark_moved(in);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(n_got, 0);
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 6), 0);
	dp_sa_mark_moved(in);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].win_top, 6);
	CU_ASSERT_EQUAL(got[0].win_bits, 0x1b);	/* 5, 4, 2, 1 seen; 3 not */
}

/* The worker stored, found its bit still set and did not mark, while the
 * tick took the mark and read the SA before the store was visible. */
static void
test_store_after_take(void)
{
	struct dp_sa *out = child_sa(2, DP_SA_OUTBOUND);
	uint64_t base;

	if (out == NULL) {
		CU_FAIL("no SA");
		return;
	}
	base = dp_sa_out_seq(out);
	quiet();
	send_n(out, 1);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].out_seq, base + 1);
	CU_ASSERT_NOT_EQUAL(dp_sa_seq_reserve(out, 4), 0);	/* no mark */
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].child_id, 2);
	CU_ASSERT_EQUAL(got[0].out_seq, base + 5);
	CU_ASSERT_EQUAL(tick(), 0);
}

static void
test_mark_unchanged(void)
{
	quiet();
	dp_sa_mark_moved(child_sa(1, DP_SA_INBOUND));
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(n_got, 1);		/* never shipped before: its first entry */
	CU_ASSERT_EQUAL(got[0].win_top, 0);
	dp_sa_mark_moved(child_sa(1, DP_SA_INBOUND));
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(n_got, 0);
}

/* The standby's bulk lookup (ctl_ike_child_sa_ids) of CHILD SAs 1..4,
 * an unknown id and id 0, in one call: how many answers are wrong, CHILD
 * SA ID expected to hold IN_ID / OUT_ID (UINT32_MAX: none). */
static unsigned int
bulk_ids_wrong(uint64_t id, uint32_t in_id, uint32_t out_id)
{
	static const uint64_t ids[] = { 1, 2, 3, 4, 99, 0 };
	uint64_t packed[RTE_DIM(ids)];
	unsigned int wrong = 0;
	uint32_t sa;

	ctl_ike_child_sa_ids(&ike.children, ids, RTE_DIM(ids), packed);
	for (unsigned int i = 0; i < RTE_DIM(ids); i++) {
		bool known = ids[i] >= 1 && ids[i] <= N_CHILDREN &&
			     (ids[i] != id || in_id != UINT32_MAX);
		uint32_t want_in = !known ? UINT32_MAX : ids[i] == id ? in_id :
				   child_sa(ids[i], DP_SA_INBOUND)->id;
		uint32_t want_out = !known ? UINT32_MAX : ids[i] == id ? out_id :
				    child_sa(ids[i], DP_SA_OUTBOUND)->id;

		wrong += ctl_ike_child_packed_sa(packed[i], DP_SA_INBOUND, &sa) != known ||
			 (known && sa != want_in);
		wrong += ctl_ike_child_packed_sa(packed[i], DP_SA_OUTBOUND, &sa) != known ||
			 (known && sa != want_out);
	}
	return wrong;
}

static void
test_removed(void)
{
	struct dp_sa *in = child_sa(4, DP_SA_INBOUND), *out = child_sa(4, DP_SA_OUTBOUND);
	uint32_t in_id, out_id, spi = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	in_id = in->id;
	out_id = out->id;
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, in_id), 4);
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, out_id), 4);
	CU_ASSERT_TRUE(ctl_ike_child_spi_of_sa(&ike.children, out_id, &spi));
	CU_ASSERT_EQUAL(spi, 0x1004);
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, stat_sa->id), 0);
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, MAX_SAS), 0);
	CU_ASSERT_EQUAL(bulk_ids_wrong(4, in_id, out_id), 0);
	quiet();
	send_n(out, 1);
	dp_sa_mark_moved(in);
	ctl_ike_child_remove(&ike.children, 4);
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, in_id), 0);
	CU_ASSERT_EQUAL(ctl_ike_child_of_sa(&ike.children, out_id), 0);
	CU_ASSERT_FALSE(ctl_ike_child_spi_of_sa(&ike.children, out_id, &spi));
	CU_ASSERT_EQUAL(bulk_ids_wrong(4, UINT32_MAX, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(tick(), 0);
	CU_ASSERT_EQUAL(n_got, 0);
	CU_ASSERT_EQUAL(install(4), 0);		/* back for the tests after */
	CU_ASSERT_EQUAL(bulk_ids_wrong(4, child_sa(4, DP_SA_INBOUND)->id,
				       child_sa(4, DP_SA_OUTBOUND)->id), 0);
	CU_ASSERT_EQUAL(tick(), 0);
}

static void
test_bulk(void)
{
	static const uint64_t all_children[N_CHILDREN] = { 1, 2, 3, 4 };
	uint64_t v = ha.seq_visits;
	unsigned int per_child[N_CHILDREN + 1] = { 0 };

	quiet();
	n_got = 0;
	CU_ASSERT_EQUAL(ctl_ha_seq_write_static(&ha, emit, NULL), 0);
	CU_ASSERT_EQUAL(ctl_ha_seq_write_children(&ha, all_children, N_CHILDREN, emit, NULL), 0);
	CU_ASSERT_EQUAL(ha.seq_visits - v, 2 * N_CHILDREN + 1);
	CU_ASSERT_EQUAL_FATAL(n_got, 2 * N_CHILDREN + 1);
	for (unsigned int i = 0; i < n_got; i++)
		if (got[i].child_id <= N_CHILDREN)
			per_child[got[i].child_id]++;
	CU_ASSERT_EQUAL(per_child[0], 1);
	for (unsigned int c = 1; c <= N_CHILDREN; c++)
		CU_ASSERT_EQUAL(per_child[c], 2);
	CU_ASSERT_EQUAL(tick(), 0);
}

/* What a bulk sync writes in parts: the CHILD SAs asked for (an unknown id
 * skipped), each in and out, then the static SA: the same entries as
 * one pass over every SA. */
static void
test_bulk_parts(void)
{
	const uint64_t ids[] = { 2, 999, 1 };
	unsigned int per_child[N_CHILDREN + 1] = { 0 };
	uint64_t v = ha.seq_visits;

	quiet();
	n_got = 0;
	CU_ASSERT_EQUAL(ctl_ha_seq_write_children(&ha, ids, 3, emit, NULL), 0);
	CU_ASSERT_EQUAL(ha.seq_visits - v, 4);
	CU_ASSERT_EQUAL_FATAL(n_got, 4);
	CU_ASSERT_EQUAL(got[0].child_id, 2);
	CU_ASSERT_EQUAL(got[1].child_id, 2);
	CU_ASSERT_EQUAL(got[2].child_id, 1);
	CU_ASSERT_EQUAL(got[3].child_id, 1);
	CU_ASSERT_NOT_EQUAL(got[0].dir, got[1].dir);
	n_got = 0;
	CU_ASSERT_EQUAL(ctl_ha_seq_write_static(&ha, emit, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].child_id, 0);
	n_got = 0;
	for (uint64_t c = 1; c <= N_CHILDREN; c++)
		CU_ASSERT_EQUAL(ctl_ha_seq_write_children(&ha, &c, 1, emit, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(n_got, 2 * N_CHILDREN);
	for (unsigned int i = 0; i < n_got; i++)
		if (got[i].child_id <= N_CHILDREN)
			per_child[got[i].child_id]++;
	for (unsigned int c = 1; c <= N_CHILDREN; c++)
		CU_ASSERT_EQUAL(per_child[c], 2);
	CU_ASSERT_EQUAL(tick(), 0);
}

/* ---- the rate ---- */

static uint32_t
decayed(uint32_t x, unsigned int shift, unsigned int n)
{
	while (n-- > 0)
		x -= x >> shift;
	return x;
}

static void
test_rate(void)
{
	struct dp_sa *out = child_sa(3, DP_SA_OUTBOUND);
	struct ctl_ha_sa_seq *q;
	uint64_t from, last_seq, r;

	if (out == NULL) {
		CU_FAIL("no SA");
		return;
	}
	q = &ha.seq[out->id];
	quiet();
	sleep_ms(SLEEP_MS);
	q->rate_pps = q->rate_slow_pps = 0;
	from = RTE_MAX(q->last_ms, ha.seq_collect_ms);
	last_seq = q->sampled ? q->last_seq : 0;
	send_n(out, 1000);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_TRUE_FATAL(ha.seq_collect_ms > from);
	r = (dp_sa_out_seq(out) - last_seq) * 1000 / (ha.seq_collect_ms - from);
	CU_ASSERT_EQUAL(q->rate_pps, r);
	CU_ASSERT_EQUAL(q->rate_slow_pps, r);
	CU_ASSERT_EQUAL_FATAL(n_got, 1);
	CU_ASSERT_EQUAL(got[0].rate_pps, r);
	CU_ASSERT_EQUAL(q->last_ms, ha.seq_collect_ms);
	/* Visited once more with nothing sent: one decay. */
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(q->rate_pps, decayed((uint32_t)r, 3, 1));
	CU_ASSERT_EQUAL(q->rate_slow_pps, decayed((uint32_t)r, 8, 1));
	/* Not visited: the stored value stays, the rate read decays per tick. */
	for (unsigned int n = 2; n <= 6; n++) {
		CU_ASSERT_EQUAL(tick(), 0);
		CU_ASSERT_EQUAL(q->rate_pps, decayed((uint32_t)r, 3, 1));
		CU_ASSERT_EQUAL(ctl_ha_seq_rate(&ha, out->id, false), decayed((uint32_t)r, 3, n));
		CU_ASSERT_EQUAL(ctl_ha_seq_rate(&ha, out->id, true), decayed((uint32_t)r, 8, n));
	}
	/* Moving again: the decays due first, then the new sample (none: a
	 * burst of 1 in a window of 5 ms or more is below the held rate). */
	sleep_ms(SLEEP_MS);
	send_n(out, 1);
	CU_ASSERT_EQUAL(tick(), 1);
	CU_ASSERT_EQUAL(q->rate_pps, decayed((uint32_t)r, 3, 7));
	CU_ASSERT_EQUAL(ctl_ha_seq_rate(&ha, out->id, false), decayed((uint32_t)r, 3, 7));
	/* A standby's rate is as shipped (ctl_ha_sync.c apply_seq_one): never
	 * decayed there. */
	quiet();
	q->rate_pps = 5000;
	q->sampled = false;
	CU_ASSERT_EQUAL(tick(), 0);
	CU_ASSERT_EQUAL(tick(), 0);
	CU_ASSERT_EQUAL(ctl_ha_seq_rate(&ha, out->id, false), 5000);
	CU_ASSERT_EQUAL(ctl_ha_seq_rate(&ha, MAX_SAS, false), 0);
}

static int
setup(void)
{
	struct dp_sad_params sp = { .max_sas = MAX_SAS, .n_workers = 1 };
	struct dp_spd_params pp = { .max_policies = MAX_POLICIES, .max_clients = MAX_CLIENTS,
				    .default_action = DP_POLICY_BYPASS };

	mgr = dp_esp_mgr_create();
	sp.mgr = mgr;
	gw.dp.sad = dp_sad_create("thaseqsa", &sp);
	gw.dp.spd = dp_spd_create("thaseqsp", &pp);
	if (mgr == NULL || gw.dp.sad == NULL || gw.dp.spd == NULL ||
	    ctl_ike_children_init(&ike.children, gw.dp.sad, gw.dp.spd, NULL) < 0) {
		fprintf(stderr, "SAD, SPD or CHILD SA table: %p %p %p\n", (void *)mgr,
			(void *)gw.dp.sad, (void *)gw.dp.spd);
		return -1;
	}
	gw.ike = &ike;
	ha.h = &gw;
	ha.n_seq = MAX_SAS;
	ha.seq = calloc(MAX_SAS, sizeof(ha.seq[0]));
	ha.static_ids = calloc(MAX_SAS, sizeof(ha.static_ids[0]));
	ha.buf = malloc(HA_WIRE_REC_MAX);
	ha.moved_words = dp_sad_moved_words(gw.dp.sad);
	ha.moved_cur = calloc(ha.moved_words, sizeof(uint64_t));
	ha.moved_prev = calloc(ha.moved_words, sizeof(uint64_t));
	if (ha.seq == NULL || ha.static_ids == NULL || ha.buf == NULL || ha.moved_cur == NULL ||
	    ha.moved_prev == NULL || (stat_sa = static_sa_add()) == NULL)
		return -1;
	for (uint64_t c = 1; c <= N_CHILDREN; c++) {
		int rc = install(c);

		if (rc < 0) {
			fprintf(stderr, "CHILD SA %u: %s\n", (unsigned int)c, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static void
teardown(void)
{
	ctl_ike_children_fini(&ike.children);
	free(ha.seq);
	free(ha.static_ids);
	free(ha.buf);
	free(ha.moved_cur);
	free(ha.moved_prev);
	dp_spd_free(gw.dp.spd);
	dp_sad_free(gw.dp.sad);
	dp_esp_mgr_free(mgr);
}

/* ---- the brief form ---- */

static const struct ha_wire_seq *
got_of(uint64_t child_id, uint8_t dir)
{
	for (unsigned int i = 0; i < n_got; i++)
		if (got[i].child_id == child_id && got[i].dir == dir)
			return &got[i];
	return NULL;
}

/* The SAD id an entry came from (the tick visits in id order). */
static uint32_t
sa_id_of(const struct ha_wire_seq *w)
{
	const struct dp_sa *sa = w->child_id == 0 ? stat_sa :
				 child_sa(w->child_id, (enum dp_sa_dir)w->dir);

	return sa != NULL ? sa->id : UINT32_MAX;
}

static void
test_brief(void)
{
	struct dp_sa *out = child_sa(1, DP_SA_OUTBOUND), *in = child_sa(2, DP_SA_INBOUND);
	struct dp_sa *far = child_sa(4, DP_SA_OUTBOUND);
	struct dp_sa_seq_brief st = {
		.out_seq = UINT64_C(1) << 33, .epoch_start_seq = 1, .iv_epoch = 2,
	};
	const struct ha_wire_seq *w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(far);
	ha.node.peer_caps = HA_CAP_SEQ_SYNC | HA_CAP_SEQ_BRIEF;
	quiet();
	send_n(out, 9);
	CU_ASSERT_EQUAL(dp_replay_update(&in->win, 3), 0);
	dp_sa_mark_moved(in);
	send_n(stat_sa, 1);
	CU_ASSERT_EQUAL(tick(), 3);
	CU_ASSERT_EQUAL_FATAL(n_got, 3);
	CU_ASSERT_EQUAL(n_emits, 1);
	for (unsigned int i = 0; i < n_got; i++)
		CU_ASSERT_EQUAL(got_type[i], HA_REC_SEQ_BRIEF);
	w = got_of(1, DP_SA_OUTBOUND);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->spi, 0x2001);
	CU_ASSERT_EQUAL(w->out_seq, dp_sa_out_seq(out));
	CU_ASSERT_EQUAL(w->epoch_start_seq, 0);
	w = got_of(2, DP_SA_INBOUND);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->spi, 0x1002);
	CU_ASSERT_EQUAL(w->win_top, in->win.top);
	CU_ASSERT_EQUAL(w->out_seq, 0);
	CU_ASSERT_EQUAL(w->rate_pps, 0);
	w = got_of(0, DP_SA_OUTBOUND);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->spi, STATIC_SPI);
	/* An epoch that began 2^33 - 1 numbers below the counter: the long
	 * form, alone, after the brief entries before it. */
	quiet();
	send_n(out, 1);
	dp_sa_out_import(dp_sad_out(gw.dp.sad, far->id), &st);
	dp_sa_mark_moved(far);
	send_n(stat_sa, 1);
	CU_ASSERT_EQUAL(tick(), 3);
	CU_ASSERT_EQUAL_FATAL(n_got, 3);
	w = got_of(4, DP_SA_OUTBOUND);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(got_type[w - got], HA_REC_SEQ);
	CU_ASSERT_EQUAL(w->out_seq, UINT64_C(1) << 33);
	CU_ASSERT_EQUAL(w->epoch_start_seq, 1);
	CU_ASSERT_EQUAL(w->iv_epoch, 2);
	CU_ASSERT_EQUAL(got_type[got_of(1, DP_SA_OUTBOUND) - got], HA_REC_SEQ_BRIEF);
	CU_ASSERT_EQUAL(got_type[got_of(0, DP_SA_OUTBOUND) - got], HA_REC_SEQ_BRIEF);
	/* In visiting order (ascending SAD ids): the brief entries visited
	 * before it went out before it, those after it after. */
	for (unsigned int i = 1; i < n_got; i++)
		CU_ASSERT(sa_id_of(&got[i - 1]) < sa_id_of(&got[i]));
	CU_ASSERT_EQUAL(n_emits, w == &got[0] || w == &got[2] ? 2 : 3);
	ha.node.peer_caps = 0;
	quiet();
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_ctl_ha_seq", "-l", "0", "--log-level=3" };
	unsigned int fails;
	CU_pSuite s;

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	if (setup() < 0 || CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	s = CU_add_suite("ctl_ha_seq", NULL, NULL);
	CU_add_test(s, "idle tick", test_idle);
	CU_add_test(s, "moved SAs only", test_moved_only);
	CU_add_test(s, "inbound window", test_inbound);
	CU_add_test(s, "store after the take", test_store_after_take);
	CU_add_test(s, "marked, unchanged", test_mark_unchanged);
	CU_add_test(s, "removed CHILD SA", test_removed);
	CU_add_test(s, "bulk: every SA", test_bulk);
	CU_add_test(s, "bulk in parts: CHILD SAs by id, static SAs", test_bulk_parts);
	CU_add_test(s, "rate", test_rate);
	CU_add_test(s, "brief entries to a peer that takes them", test_brief);
	fails = cu_run_count();
	teardown();
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
