/*
 * Unit tests of `sa export`, `sa import` and `sa takeover`
 * (control/ctl_sa_state.c) through the CLI dispatcher, against a real SAD
 * built with dp_sad_create/dp_sa_add: the exact JSON of the export
 * (outbound counter and IV epoch, inbound window with its bitmap as one hex
 * number), import that never moves backwards ("changed" false) and merges
 * window bits, the window and IV nonce the dataplane then uses, takeover's
 * epoch arithmetic ((generation + 1) << 1 | node bit) up to the last epoch,
 * and every error message. Never a key byte in the output.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "control/cli.h"
#include "control/ctl_sa_state.h"
#include "control/hagw.h"
#include "dataplane/sa.h"
#include "tests/unit/cu_run.h"

enum {
	MAX_SAS = 8,
	ERR_LEN = 256,
	LINE_LEN = 2048,
	WANT_LEN = 8192,
	WIN_I1 = 128,			/* 3 bitmap words: 48 hex digits */
	WIN_I2 = 4096,			/* 65 words: 1040 hex digits */
	HEX_I1 = 48,
	HEX_I2 = 1040,
	KEY_LEN_GCM128 = 20,
	EPOCH_SHIFT = 48,
};

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static IMB_MGR *mgr;
static struct dp_sad *sad;
static struct dp_sa *o1, *i1, *i2, *o2;
static struct hagw gw;
static uint8_t key_o1[KEY_LEN_GCM128];

static const struct ctl_cmd cmds[] = {
	{ "sa export", "[NAME|SPI]", "export", ctl_cmd_sa_export, false },
	{ "sa import", "NAME|SPI FIELD VALUE...", "import", ctl_cmd_sa_import, false },
	{ "sa takeover", "NAME|SPI NODE_BIT MARGIN", "takeover", ctl_cmd_sa_takeover, false },
};

/* ---- helpers ---- */

/* "0x" and n zeros. */
static const char *
zeros(unsigned int n)
{
	static char buf[2][HEX_I2 + 3];
	static unsigned int next;
	char *b = buf[next++ % 2];

	snprintf(b, sizeof(buf[0]), "0x");
	memset(b + 2, '0', n);
	b[n + 2] = '\0';
	return b;
}

/* The dispatcher's response to a line of words, as compact JSON (caller frees). */
static char *
run(const char *line)
{
	static char buf[LINE_LEN];
	char *argv[CTL_MAX_ARGS], *save = NULL;
	struct json_object *r;
	int argc = 0;
	char *s;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w != NULL && argc < CTL_MAX_ARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	r = ctl_dispatch(cmds, RTE_DIM(cmds), &gw, argc, argv);
	s = strdup(json_object_to_json_string_ext(r, JSON_FLAGS));
	json_object_put(r);
	return s;
}

#define EXPECT(line, want) expect_at((line), (want), __LINE__)

static void
expect_at(const char *line, const char *want, unsigned int at)
{
	char *got = run(line);
	bool ok = strcmp(got, want) == 0;

	CU_assertImplementation(ok, at, line, __FILE__, "", CU_FALSE);
	if (!ok)
		fprintf(stderr, "\n%s:%u: %s\n  got:  %s\n  want: %s\n", __FILE__, at, line, got,
			want);
	free(got);
}

static void
expect_error(const char *line, const char *msg)
{
	char want[WANT_LEN];

	snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}", msg);
	EXPECT(line, want);
}

/* One outbound SA's export object, without braces. */
static void
out_fmt(char *buf, size_t len, const char *name, const char *spi, uint64_t seq,
	unsigned int epoch, uint64_t start)
{
	snprintf(buf, len, "\"name\":%s,\"spi\":\"%s\",\"direction\":\"out\",\"out_seq\":%lu,"
		 "\"iv_epoch\":%u,\"epoch_start_seq\":%lu,\"win_size\":null,\"win_top\":null,"
		 "\"win_bitmap\":null", name, spi, (unsigned long)seq, epoch,
		 (unsigned long)start);
}

static void
in_fmt(char *buf, size_t len, const char *name, const char *spi, unsigned int size,
       uint64_t top, const char *bitmap)
{
	snprintf(buf, len, "\"name\":\"%s\",\"spi\":\"%s\",\"direction\":\"in\",\"out_seq\":null,"
		 "\"iv_epoch\":null,\"epoch_start_seq\":null,\"win_size\":%u,\"win_top\":%lu,"
		 "\"win_bitmap\":\"%s\"", name, spi, size, (unsigned long)top, bitmap);
}

/* ---- the SAD ---- */

static void
outer_set(struct cfg_prefix *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = 32;
	inet_pton(AF_INET, text, p->addr.bytes);
}

static struct dp_sa *
sa_add(const char *name, uint32_t spi, enum dp_sa_dir dir, bool esn, uint32_t window)
{
	struct dp_sa_params p = { .spi = spi, .dir = dir, .mode = DP_SA_TUNNEL,
				  .alg = DP_SA_AES_GCM_128, .enc_key_len = KEY_LEN_GCM128,
				  .esn = esn, .replay_window = window, .dscp = -1,
				  .owner = DP_SA_NO_OWNER };
	char err[ERR_LEN] = "";
	uint32_t id = UINT32_MAX;

	snprintf(p.name, sizeof(p.name), "%s", name);
	memcpy(p.enc_key, key_o1, sizeof(key_o1));
	outer_set(&p.local, "192.0.2.1");
	outer_set(&p.remote, "192.0.2.2");
	if (dp_sa_add(sad, &p, &id, err, sizeof(err)) != 0) {
		fprintf(stderr, "dp_sa_add %s: %s\n", name, err);
		return NULL;
	}
	explicit_bzero(&p, sizeof(p));
	return dp_sad_get(sad, id);
}

static int
fixture(void)
{
	struct dp_sad_params sp = { .max_sas = MAX_SAS, .n_workers = 1, .mgr = mgr,
				    .socket = SOCKET_ID_ANY };

	for (size_t i = 0; i < sizeof(key_o1); i++)
		key_o1[i] = (uint8_t)(0xa0 + i);
	sad = dp_sad_create("test_sa_state", &sp);
	if (sad == NULL)
		return -1;
	o1 = sa_add("o1", 0x2001, DP_SA_OUTBOUND, false, 0);
	i1 = sa_add("i1", 0x1001, DP_SA_INBOUND, false, WIN_I1);
	i2 = sa_add("i2", 0x2001, DP_SA_INBOUND, true, WIN_I2);	/* o1's SPI too */
	o2 = sa_add("", 0x3003, DP_SA_OUTBOUND, true, 0);
	gw.dp.sad = sad;
	return o1 && i1 && i2 && o2 ? 0 : -1;
}

/* ---- sa export ---- */

static void
test_export(void)
{
	char a[512], b[512], c[1600], d[512], want[WANT_LEN];
	char *all;

	out_fmt(a, sizeof(a), "\"o1\"", "0x00002001", 0, 0, 0);
	in_fmt(b, sizeof(b), "i1", "0x00001001", WIN_I1, 0, zeros(HEX_I1));
	in_fmt(c, sizeof(c), "i2", "0x00002001", WIN_I2, 0, zeros(HEX_I2));
	out_fmt(d, sizeof(d), "null", "0x00003003", 0, 0, 0);
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":[{%s},{%s},{%s},{%s}]}", a, b, c, d);
	EXPECT("sa export", want);
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":[{%s}]}", a);
	EXPECT("sa export o1", want);
	/* an SPI selects by number (hex or decimal); o1 and i2 share 0x2001 */
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":[{%s},{%s}]}", a, c);
	EXPECT("sa export 0x2001", want);
	EXPECT("sa export 8193", want);
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":[{%s}]}", d);
	EXPECT("sa export 0x3003", want);
	expect_error("sa export nope", "no SA with name or SPI 'nope'");
	expect_error("sa export o1 i1", "usage: sa export [NAME|SPI]");

	/* never a key byte, as hex */
	all = run("sa export");
	CU_ASSERT_PTR_NULL(strstr(all, "a0a1a2a3"));
	CU_ASSERT_PTR_NULL(strstr(all, "A0A1A2A3"));
	free(all);
}

/* ---- sa import ---- */

static void
expect_o1(const char *line, uint64_t seq, unsigned int epoch, uint64_t start, bool changed)
{
	char obj[512], want[WANT_LEN];

	out_fmt(obj, sizeof(obj), "\"o1\"", "0x00002001", seq, epoch, start);
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":{%s,\"changed\":%s}}", obj,
		 changed ? "true" : "false");
	EXPECT(line, want);
}

static void
test_import_out(void)
{
	expect_o1("sa import o1 out_seq 200", 200, 0, 0, true);
	/* backwards: ignored */
	expect_o1("sa import o1 out_seq 100", 200, 0, 0, false);
	expect_o1("sa import o1 out_seq 200", 200, 0, 0, false);
	/* a newer epoch with its start */
	expect_o1("sa import o1 out_seq 0x100 iv_epoch 4 epoch_start_seq 150", 256, 4, 150, true);
	/* an older epoch: ignored, whatever its start */
	expect_o1("sa import o1 iv_epoch 2 epoch_start_seq 10", 256, 4, 150, false);
	/* the same epoch: the earlier start wins (the 2^48 limit counts from it) */
	expect_o1("sa import o1 iv_epoch 4 epoch_start_seq 100", 256, 4, 100, true);
	expect_o1("sa import o1 iv_epoch 4 epoch_start_seq 120", 256, 4, 100, false);
	CU_ASSERT_EQUAL(o1->out->seq, 256);
	CU_ASSERT_EQUAL(o1->out->iv_epoch, 4);
	CU_ASSERT_EQUAL(o1->out->epoch_start_seq, 100);
	/* the next packet: sequence number 257, IV epoch 4 */
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(o1, 1), 257);
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(o1, 257), (UINT64_C(4) << EPOCH_SHIFT) | 257);
	expect_o1("sa import o1 out_seq 256", 257, 4, 100, false);
}

static void
expect_i1(const char *line, uint64_t top, const char *bitmap, bool changed)
{
	char obj[512], want[WANT_LEN];

	in_fmt(obj, sizeof(obj), "i1", "0x00001001", WIN_I1, top, bitmap);
	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":{%s,\"changed\":%s}}", obj,
		 changed ? "true" : "false");
	EXPECT(line, want);
}

static bool
replay_ok(const struct dp_sa *sa, uint32_t seq)
{
	uint64_t full;

	return dp_replay_check(&sa->win, seq, &full) == 0;
}

/*
 * Window 128 = 3 words: bit k of the number is sequence number slot
 * k = seq mod 192. Seen: 3 (word 0 bit 3), 70 and 100 (word 1 bits 6 and 36),
 * 129 and 130 (word 2 bits 1 and 2); 133 (word 2 bit 5) lies above top 130
 * and is dropped by the import.
 */
static void
test_import_in(void)
{
	expect_i1("sa import i1 win_top 130 win_bitmap 2600000010000000400000000000000008", 130,
		  "0x000000000000000600000010000000400000000000000008", true);
	CU_ASSERT_FALSE(replay_ok(i1, 100));
	CU_ASSERT_TRUE(replay_ok(i1, 101));
	CU_ASSERT_FALSE(replay_ok(i1, 3));
	CU_ASSERT_TRUE(replay_ok(i1, 4));
	CU_ASSERT_FALSE(replay_ok(i1, 2));	/* left of the window */
	CU_ASSERT_FALSE(replay_ok(i1, 130));
	CU_ASSERT_TRUE(replay_ok(i1, 133));
	/* an older top: the top stays, the bits are merged (90 is closed now) */
	expect_i1("sa import i1 win_top 100 win_bitmap 0x40000000000000000000000", 130,
		  "0x000000000000000600000010040000400000000000000008", true);
	CU_ASSERT_FALSE(replay_ok(i1, 90));
	expect_i1("sa import i1 win_top 100 win_bitmap 0x40000000000000000000000", 130,
		  "0x000000000000000600000010040000400000000000000008", false);
	expect_i1("sa import i1 win_top 5", 130,
		  "0x000000000000000600000010040000400000000000000008", false);
	CU_ASSERT_EQUAL(i1->win.top, 130);
}

/* ESN: a top past 2^32; the jump clears the whole ring. */
static void
test_import_esn(void)
{
	char *got = run("sa import i2 win_top 4294967296");
	struct json_object *r = json_tokener_parse(got);
	struct json_object *d = json_object_object_get(r, "data");

	CU_ASSERT_EQUAL(json_object_get_uint64(json_object_object_get(d, "win_top")),
			UINT64_C(4294967296));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(d, "win_bitmap")),
			       zeros(HEX_I2));
	CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(d, "changed")));
	CU_ASSERT_EQUAL(i2->win.top, UINT64_C(4294967296));
	json_object_put(r);
	free(got);
}

static void
test_import_errors(void)
{
	char line[LINE_LEN];
	const char *usage = "usage: sa import NAME|SPI FIELD VALUE [FIELD VALUE]...";

	expect_error("sa import o1", usage);
	expect_error("sa import o1 out_seq", usage);
	expect_error("sa import o1 out_seq 1 iv_epoch", usage);
	expect_error("sa import o1 seq 1", "unknown field 'seq' (out_seq, iv_epoch, "
		     "epoch_start_seq, win_top, win_bitmap)");
	expect_error("sa import o1 out_seq x1", "bad number 'x1' for out_seq "
		     "(0..18446744073709551615, decimal or 0x hex)");
	expect_error("sa import o1 out_seq -1", "bad number '-1' for out_seq "
		     "(0..18446744073709551615, decimal or 0x hex)");
	expect_error("sa import o1 out_seq 18446744073709551616", "bad number "
		     "'18446744073709551616' for out_seq (0..18446744073709551615, decimal or "
		     "0x hex)");
	expect_error("sa import o1 out_seq 0x0x5", "bad number '0x0x5' for out_seq "
		     "(0..18446744073709551615, decimal or 0x hex)");
	expect_error("sa import o1 iv_epoch 65536", "bad number '65536' for iv_epoch (0..65535, "
		     "decimal or 0x hex)");
	expect_error("sa import o1 out_seq 1 out_seq 2", "field 'out_seq' given twice");
	expect_error("sa import nope out_seq 1", "no SA with name or SPI 'nope'");
	expect_error("sa import 0x2001 out_seq 1", "'0x2001' matches 2 SAs: name one SA (its "
		     "name, or an SPI no other SA has)");
	expect_error("sa import o1 win_top 5", "field win_top is for inbound SAs; o1 is outbound");
	expect_error("sa import i1 out_seq 5", "field out_seq is for outbound SAs; i1 is inbound");
	expect_error("sa import 0x3003 win_bitmap 0", "field win_bitmap is for inbound SAs; "
		     "0x00003003 is outbound");
	expect_error("sa import i1 win_bitmap 0xzz", "bad hex number '0xzz' for win_bitmap");
	expect_error("sa import i1 win_bitmap 0x", "bad hex number '0x' for win_bitmap");
	/* bit 192: the fourth word, past a 128-packet window's three */
	snprintf(line, sizeof(line), "sa import i1 win_bitmap 1%s", zeros(HEX_I1) + 2);
	expect_error(line, "win_bitmap has bits beyond the window's 3 words (win_size 128)");
	snprintf(line, sizeof(line), "sa import i1 win_bitmap %s0", zeros(HEX_I2));
	expect_error(line, "win_bitmap: 1041 hex digits, more than 1040");
	expect_error("sa import i1 win_top 4294967296", "win_top 4294967296 needs ESN: i1 has "
		     "32-bit sequence numbers");
	/* nothing moved */
	CU_ASSERT_EQUAL(o1->out->seq, 257);
	CU_ASSERT_EQUAL(i1->win.top, 130);
}

/* ---- sa takeover ---- */

static void
expect_takeover(const char *line, const char *name, const char *spi, unsigned int prev_epoch,
		uint64_t prev_seq, unsigned int epoch, uint64_t seq)
{
	char want[WANT_LEN];

	snprintf(want, sizeof(want), "{\"ok\":true,\"data\":{\"name\":%s,\"spi\":\"%s\","
		 "\"direction\":\"out\",\"previous_iv_epoch\":%u,\"previous_out_seq\":%lu,"
		 "\"iv_epoch\":%u,\"out_seq\":%lu,\"epoch_start_seq\":%lu}}", name, spi,
		 prev_epoch, (unsigned long)prev_seq, epoch, (unsigned long)seq,
		 (unsigned long)seq);
	EXPECT(line, want);
}

static void
test_takeover(void)
{
	/* epoch 4 = generation 2: node 1 takes generation 3, epoch 3 << 1 | 1 */
	expect_takeover("sa takeover o1 1 1000", "\"o1\"", "0x00002001", 4, 257, 7, 1257);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(o1, 2), 1258);
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(o1, 1258), (UINT64_C(7) << EPOCH_SHIFT) | 1258);
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(o1, 1259), (UINT64_C(7) << EPOCH_SHIFT) | 1259);
	/* back on node 0: generation 4, epoch 8; margin 0 keeps the counter */
	expect_takeover("sa takeover o1 0 0", "\"o1\"", "0x00002001", 7, 1259, 8, 1259);
	/* an import of the older epoch afterwards changes nothing */
	expect_o1("sa import o1 out_seq 1259 iv_epoch 7 epoch_start_seq 1257", 1259, 8, 1259,
		  false);

	/* the last generation: 32766 -> epoch 65535, then no epoch is left */
	EXPECT("sa import 0x3003 iv_epoch 65532 out_seq 10",
	       "{\"ok\":true,\"data\":{\"name\":null,\"spi\":\"0x00003003\",\"direction\":\"out\","
	       "\"out_seq\":10,\"iv_epoch\":65532,\"epoch_start_seq\":0,\"win_size\":null,"
	       "\"win_top\":null,\"win_bitmap\":null,\"changed\":true}}");
	expect_takeover("sa takeover 0x3003 1 0x10", "null", "0x00003003", 65532, 10, 65535, 26);
	CU_ASSERT_EQUAL(o2->flags & DP_SA_F_HARD_EXPIRED, 0);
	expect_error("sa takeover 0x3003 0 1", "0x00003003: IV epochs exhausted (epoch 65535): "
		     "the SA is hard-expired; a new SA is needed");
	CU_ASSERT_NOT_EQUAL(o2->flags & DP_SA_F_HARD_EXPIRED, 0);
	CU_ASSERT_EQUAL(o2->out->seq, 26);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(o2, 1), 0);
}

static void
test_takeover_errors(void)
{
	const char *usage = "usage: sa takeover NAME|SPI NODE_BIT MARGIN";

	expect_error("sa takeover o1 1", usage);
	expect_error("sa takeover o1 1 2 3", usage);
	expect_error("sa takeover o1 2 10", "bad node bit '2' (0 or 1)");
	expect_error("sa takeover o1 01 10", "bad node bit '01' (0 or 1)");
	expect_error("sa takeover o1 x 10", "bad node bit 'x' (0 or 1)");
	expect_error("sa takeover o1 1 -5", "bad number '-5' for margin (decimal or 0x hex)");
	expect_error("sa takeover nope 1 1", "no SA with name or SPI 'nope'");
	expect_error("sa takeover 8193 1 1", "'8193' matches 2 SAs: name one SA (its name, or an "
		     "SPI no other SA has)");
	expect_error("sa takeover i1 1 10", "i1 is inbound: takeover moves an outbound SA to a "
		     "new IV epoch");
	CU_ASSERT_EQUAL(o1->out->iv_epoch, 8);
	CU_ASSERT_EQUAL(o1->out->seq, 1259);
}

int
main(void)
{
	char *eal[] = { "test_ctl_sa_state", "--no-huge", "-m", "256", "--no-pci",
			"--no-telemetry", "--file-prefix", "hagw_test_ctl_sa_state", "-l", "0",
			"--log-level=3", NULL };
	unsigned int fails;
	CU_pSuite s;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	mgr = dp_esp_mgr_create();
	if (mgr == NULL || fixture() < 0) {
		fprintf(stderr, "test_ctl_sa_state: setup failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ctl_sa_state", NULL, NULL);
	/* in order: each test starts from the state the previous one left */
	CU_add_test(s, "sa export: JSON, filters, no keys", test_export);
	CU_add_test(s, "sa import: outbound, never backwards", test_import_out);
	CU_add_test(s, "sa import: inbound window and bitmap", test_import_in);
	CU_add_test(s, "sa import: ESN window", test_import_esn);
	CU_add_test(s, "sa import: errors", test_import_errors);
	CU_add_test(s, "sa takeover: epochs", test_takeover);
	CU_add_test(s, "sa takeover: errors", test_takeover_errors);
	fails = cu_run_count();
	dp_sad_free(sad);
	dp_esp_mgr_free(mgr);
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
