/*
 * Unit tests of `show sa`, `show spd`, `show spd clients` and `clear sa
 * counters` (control/ctl_cmds_ipsec.c, control/ctl_sa_counters.c): the
 * exact JSON of a known set of SAs, policies and clients built here with
 * dp_sad_create/dp_sa_add, dp_spd_add and dp_spd_add_client (one IPv6
 * client queued behind a QSBR grace period), its text rendering
 * (tools/json_text.c), that no key
 * byte appears anywhere (JSON, text, telemetry; as hex or raw), the
 * semantics of clearing (display counters only, never the lifetime), the
 * handlers' argument errors, and the telemetry endpoints with their QSBR
 * reader slot. EAL runs with telemetry on (the last part needs it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "control/cli.h"
#include "control/ctl_cmds_ipsec.h"
#include "control/hagw.h"
#include "tests/unit/cu_run.h"
#include "tools/json_text.h"

#include "ctl_ipsec_want.h"

enum {
	N_WORKERS = 2,
	MAX_SAS = 16,
	MAX_POLICIES = 16,
	MAX_CLIENTS = 16,
	AGE_MS = 61500,			/* shown as age_s 61 */
	KEY_WINDOW = 4,			/* bytes of a key searched for as hex */
	RAW_WINDOW = 8,			/* bytes of a key searched for as they are */
	HEX_LEN = 2 * KEY_WINDOW + 1,
	TEL_BUF = 16384,
	ERR_LEN = 256,
	N_KEYS = 5,
	MANY = 20,			/* policies per family, clients: past one allocation */
	QS_READER = 1,			/* QSBR thread id held online by test_spd_clients */
	QS_THREADS = 2,
};

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static IMB_MGR *mgr;
static struct dp_sad *sad;
static struct dp_spd *spd;
static struct dp_sa *sa_a, *sa_b, *sa_c, *sa_d;
static uint64_t now_ms;			/* "now" of the JSON: AGE_MS after the SAs */

/* Every key byte the SAs hold: none may appear in any output. */
static uint8_t key_a[20], key_b[32], auth_b[32], key_c[36], key_d[36];
static const struct {
	const uint8_t *k;
	size_t len;
} keys[N_KEYS] = {
	{ key_a, sizeof(key_a) }, { key_b, sizeof(key_b) }, { auth_b, sizeof(auth_b) },
	{ key_c, sizeof(key_c) }, { key_d, sizeof(key_d) },
};

/* ---- building SAs and policies ---- */

static bool setup_failed;

/* An assertion inside a test (fatal), a message and a flag before any. */
#define CHECK(cond) check_at((cond), #cond, __LINE__)

static void
check_at(bool ok, const char *what, unsigned int line)
{
	if (CU_get_current_test() != NULL) {
		CU_assertImplementation(ok, line, what, __FILE__, "", CU_TRUE);
		return;
	}
	if (!ok) {
		fprintf(stderr, "%s:%u: setup: %s\n", __FILE__, line, what);
		setup_failed = true;
	}
}

static void
key_fill(uint8_t *k, size_t len, uint8_t first)
{
	for (size_t i = 0; i < len; i++)
		k[i] = (uint8_t)(first + i);
}

static void
addr_set(uint8_t *dst, int family, const char *text)
{
	CHECK(inet_pton(family, text, dst) == 1);
}

static void
outer_set(struct cfg_prefix *p, int family, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->len = family == AF_INET ? 32 : 128;
	addr_set(p->addr.bytes, family, text);
}

static struct dp_ts
ts_make(int family, uint8_t proto, const char *lo, const char *hi, uint16_t plo, uint16_t phi)
{
	struct dp_ts ts = { .family = (uint8_t)family, .proto = proto, .port_lo = plo,
			    .port_hi = phi };

	addr_set(ts.addr_lo, family, lo);
	addr_set(ts.addr_hi, family, hi);
	return ts;
}

static struct dp_sa *
sa_add(struct dp_sad *d, const struct dp_sa_params *p)
{
	char err[ERR_LEN] = "";
	uint32_t id = UINT32_MAX;
	int rc = dp_sa_add(d, p, &id, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "dp_sa_add %s: %d %s\n", p->name, rc, err);
	CHECK(rc == 0);
	return dp_sad_get(d, id);
}

/* c1-in: inbound, tunnel, AES-GCM-128, IPv4, NAT-T, owner 1, one selector. */
static void
params_a(struct dp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "c1-in");
	p->spi = 0x1001;
	p->dir = DP_SA_INBOUND;
	p->mode = DP_SA_TUNNEL;
	p->alg = DP_SA_AES_GCM_128;
	memcpy(p->enc_key, key_a, sizeof(key_a));
	p->enc_key_len = sizeof(key_a);
	p->replay_window = 128;
	outer_set(&p->local, AF_INET, "192.0.2.1");
	outer_set(&p->remote, AF_INET, "192.0.2.2");
	p->udp_encap = true;
	p->encap_local_port = 4500;
	p->encap_remote_port = 4501;
	p->dscp = -1;
	p->soft.packets = 50;
	p->hard.packets = 100;
	p->n_ts = 1;
	p->ts[0].local = ts_make(AF_INET, 0, "203.0.113.0", "203.0.113.255", 0, UINT16_MAX);
	p->ts[0].remote = ts_make(AF_INET, 0, "10.9.0.5", "10.9.0.5", 0, UINT16_MAX);
	p->owner = 1;
}

/* c1-out: outbound, transport, AES-CBC-256 + HMAC-SHA-256, IPv6, ESN. */
static void
params_b(struct dp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "c1-out");
	p->spi = 0x2002;
	p->dir = DP_SA_OUTBOUND;
	p->mode = DP_SA_TRANSPORT;
	p->alg = DP_SA_AES_CBC_256_SHA256;
	memcpy(p->enc_key, key_b, sizeof(key_b));
	p->enc_key_len = sizeof(key_b);
	memcpy(p->auth_key, auth_b, sizeof(auth_b));
	p->auth_key_len = sizeof(auth_b);
	p->esn = true;
	outer_set(&p->local, AF_INET6, "2001:db8::1");
	outer_set(&p->remote, AF_INET6, "2001:db8::2");
	p->dscp = -1;
	p->soft.bytes = 1000000;
	p->hard.bytes = 2000000;
	p->n_ts = 2;
	p->ts[0].local = ts_make(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::5", 80, 80);
	p->ts[0].remote = ts_make(AF_INET6, IPPROTO_TCP, "::", "ffff:ffff:ffff:ffff:ffff:ffff:"
				  "ffff:ffff", 1024, UINT16_MAX);
	p->ts[1].local = ts_make(AF_INET6, IPPROTO_ICMPV6, "2001:db8::1", "2001:db8::1", 128,
				 128);
	p->ts[1].remote = ts_make(AF_INET6, IPPROTO_ICMPV6, "2001:db8:9::",
				  "2001:db8:9:ffff:ffff:ffff:ffff:ffff", 0, 255);
	p->owner = DP_SA_NO_OWNER;
}

/* Unnamed inbound ChaCha20-Poly1305, ESN, window 4096, automatic owner. */
static void
params_c(struct dp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x3003;
	p->dir = DP_SA_INBOUND;
	p->mode = DP_SA_TUNNEL;
	p->alg = DP_SA_CHACHA20_POLY1305;
	memcpy(p->enc_key, key_c, sizeof(key_c));
	p->enc_key_len = sizeof(key_c);
	p->esn = true;
	p->replay_window = 4096;
	outer_set(&p->local, AF_INET, "198.51.100.1");
	outer_set(&p->remote, AF_INET, "198.51.100.2");
	p->dscp = -1;
	p->owner = DP_SA_NO_OWNER;
}

/* Unnamed outbound AES-GCM-256 with NAT-T and a hard limit of 10 packets. */
static void
params_d(struct dp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x4004;
	p->dir = DP_SA_OUTBOUND;
	p->mode = DP_SA_TUNNEL;
	p->alg = DP_SA_AES_GCM_256;
	memcpy(p->enc_key, key_d, sizeof(key_d));
	p->enc_key_len = sizeof(key_d);
	outer_set(&p->local, AF_INET, "192.0.2.1");
	outer_set(&p->remote, AF_INET, "192.0.2.9");
	p->udp_encap = true;
	p->encap_local_port = 4500;
	p->encap_remote_port = 4500;
	p->dscp = -1;
	p->hard.packets = 10;
	p->owner = DP_SA_NO_OWNER;
}

/* Traffic as the ESP code would count it. */
static void
traffic(void)
{
	CHECK(dp_replay_update(&sa_a->win, 5) == 0);
	CHECK(dp_replay_update(&sa_a->win, 7) == 0);
	CHECK(dp_sa_account(sa_a, 3, 300) == 0);
	sa_a->stats.drops[DP_SA_DROP_REPLAY] += 2;
	sa_a->stats.drops[DP_SA_DROP_AUTH] += 1;
	CHECK(dp_sa_seq_reserve(sa_b, 5) == 1);
	CHECK(dp_sa_account(sa_b, 5, 1000) == 0);
	sa_b->stats.drops[DP_SA_DROP_MTU] += 4;
	CHECK(dp_sa_seq_reserve(sa_d, 3) == 1);
	CHECK(dp_sa_account(sa_d, 10, 1400) == DP_SA_F_HARD_EXPIRED);
	sa_d->stats.drops[DP_SA_DROP_LIFETIME] += 1;
}

static struct dp_ts
ts_any(int family)
{
	return family == AF_INET ?
	       ts_make(AF_INET, 0, "0.0.0.0", "255.255.255.255", 0, UINT16_MAX) :
	       ts_make(AF_INET6, 0, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, UINT16_MAX);
}

static uint32_t
policy_add(uint32_t priority, enum dp_policy_action action, struct dp_ts local,
	   struct dp_ts remote, uint32_t sa_id)
{
	struct dp_policy_params p = { .priority = priority, .action = action, .local = local,
				      .remote = remote, .sa_id = sa_id };
	uint32_t id = UINT32_MAX;

	CHECK(dp_spd_add(spd, &p, &id) == 0);
	return id;
}

/* Policies added out of priority order; ids 0..3 in the order added. */
static void
policies(void)
{
	struct dp_ts v6_host = ts_make(AF_INET6, 0, "2001:db8::1", "2001:db8::1", 0, UINT16_MAX);
	struct dp_ts v6_net = ts_make(AF_INET6, 0, "2001:db8:9::",
				      "2001:db8:9:ffff:ffff:ffff:ffff:ffff", 0, UINT16_MAX);
	struct dp_ts dns = ts_make(AF_INET, IPPROTO_UDP, "10.0.0.0", "10.255.255.255", 53, 53);
	struct dp_ts low = ts_make(AF_INET, IPPROTO_UDP, "0.0.0.0", "255.255.255.255", 1, 1023);
	struct cfg_prefix client;

	CHECK(policy_add(200, DP_POLICY_BYPASS, ts_any(AF_INET6), ts_any(AF_INET6), 0) == 0);
	CHECK(policy_add(100, DP_POLICY_PROTECT, v6_host, v6_net, sa_b->id) == 1);
	CHECK(policy_add(150, DP_POLICY_DISCARD, dns, low, 0) == 2);
	CHECK(policy_add(100, DP_POLICY_PROTECT, ts_any(AF_INET), ts_any(AF_INET), sa_d->id) == 3);
	outer_set(&client, AF_INET, "10.9.0.6");
	CHECK(dp_spd_add_client(spd, &client, sa_b->id) == 0);
}

/* ---- output checks ---- */

static char *
json_str(struct json_object *o)
{
	return strdup(json_object_to_json_string_ext(o, JSON_FLAGS));
}

static void
hex_window(const uint8_t *k, bool upper, char *buf)
{
	for (unsigned int i = 0; i < KEY_WINDOW; i++)
		snprintf(buf + 2 * i, 3, upper ? "%02X" : "%02x", k[i]);
}

/* No 4-byte piece of a key as hex, no 8-byte piece as it is, no "key". */
static void
expect_no_key(const char *out, size_t len)
{
	char hex[HEX_LEN];
	unsigned int hits = 0;

	for (unsigned int n = 0; n < N_KEYS; n++) {
		for (size_t i = 0; i + KEY_WINDOW <= keys[n].len; i++) {
			hex_window(keys[n].k + i, false, hex);
			hits += strstr(out, hex) != NULL;
			hex_window(keys[n].k + i, true, hex);
			hits += strstr(out, hex) != NULL;
		}
		for (size_t i = 0; i + RAW_WINDOW <= keys[n].len; i++)
			hits += memmem(out, len, keys[n].k + i, RAW_WINDOW) != NULL;
	}
	CU_ASSERT_EQUAL(hits, 0);
	CU_ASSERT_PTR_NULL(strstr(out, "key"));
}

static void
expect_json(struct json_object *o, const char *want)
{
	char *got = json_str(o);

	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:  %s\nwant: %s\n", got, want);
	free(got);
}

static void
expect_text(struct json_object *o, const char *want)
{
	char *got = json_text_render(o);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", got, want);
	expect_no_key(got, strlen(got));
	free(got);
}

static uint64_t
member_u64(struct json_object *o, const char *path)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, "/", &save); k != NULL; k = strtok_r(NULL, "/", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return UINT64_MAX;
	return json_object_get_uint64(o);
}

static bool
member_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* ---- show sa ---- */

static struct json_object *
show(struct ctl_sa_counters *c, const char *filter)
{
	char err[ERR_LEN] = "";
	struct json_object *a = ctl_sa_list_json(sad, c, filter, now_ms, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_STRING_EQUAL(err, "");
	return a;
}

static void
test_show_all(void)
{
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	struct json_object *a = show(&c, NULL);
	const char *want[] = { want_a, want_b, want_c, want_d };
	char *all;

	CU_ASSERT_EQUAL_FATAL(json_object_array_length(a), RTE_DIM(want));
	for (size_t i = 0; i < RTE_DIM(want); i++)
		expect_json(json_object_array_get_idx(a, i), want[i]);
	all = json_str(a);
	expect_no_key(all, strlen(all));
	free(all);
	json_object_put(a);
	ctl_sa_counters_free(&c);
}

static void
test_show_filter(void)
{
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	const char *by_a[] = { "c1-in", "0x1001", "0X1001", "4097", "04097", "0x00001001" };
	char err[ERR_LEN] = "";
	struct json_object *a;

	for (size_t i = 0; i < RTE_DIM(by_a); i++) {
		a = show(&c, by_a[i]);
		CU_ASSERT_EQUAL(json_object_array_length(a), 1);
		expect_json(json_object_array_get_idx(a, 0), want_a);
		json_object_put(a);
	}
	a = show(&c, "c1-out");
	CU_ASSERT_EQUAL(json_object_array_length(a), 1);
	expect_json(json_object_array_get_idx(a, 0), want_b);
	json_object_put(a);
	/* neither a name nor an SPI; a prefix of a name; an SPI too large;
	 * signs, blanks, bare "0x" (strtoull would take them) */
	const char *none[] = { "nope", "c1", "0x100000000", "c1-in ", "0x", "+4097", "0x+1001",
			       " 4097", "-4097", "4097x" };

	for (size_t i = 0; i < RTE_DIM(none); i++) {
		char want_err[ERR_LEN];

		CU_ASSERT_PTR_NULL(ctl_sa_list_json(sad, &c, none[i], now_ms, err, sizeof(err)));
		snprintf(want_err, sizeof(want_err), "no SA with name or SPI '%s'", none[i]);
		CU_ASSERT_STRING_EQUAL(err, want_err);
	}
	ctl_sa_counters_free(&c);
}

static void
test_show_text(void)
{
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	struct json_object *a = show(&c, "c1-in");

	expect_text(a, text_a);
	json_object_put(a);
	a = show(&c, "0x3003");
	expect_text(a, text_c);
	json_object_put(a);
	/* several SAs: one block each, a blank line between */
	a = show(&c, NULL);
	{
		char *t = json_text_render(a);
		size_t la = strlen(text_a);

		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_EQUAL(strncmp(t, text_a, la), 0);
		const char *next = "\nid:             1\n";

		CU_ASSERT_FATAL(strlen(t) > la + strlen(next));
		CU_ASSERT_EQUAL(memcmp(t + la, next, strlen(next)), 0);
		expect_no_key(t, strlen(t));
		free(t);
	}
	json_object_put(a);
	ctl_sa_counters_free(&c);
}

/* ---- clear sa counters ---- */

static struct json_object *
show_one(struct ctl_sa_counters *c, const char *filter)
{
	struct json_object *a = show(c, filter);
	struct json_object *o = json_object_get(json_object_array_get_idx(a, 0));

	json_object_put(a);
	return o;
}

/* Shown counters restart from zero; lifetime usage and enforcement do not. */
static void
test_clear_semantics(void)
{
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	char err[ERR_LEN] = "";
	struct json_object *o;

	CU_ASSERT_EQUAL(ctl_sa_clear(sad, &c, NULL, err, sizeof(err)), 4);
	o = show_one(&c, "c1-in");
	CU_ASSERT_EQUAL(member_u64(o, "packets"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "bytes"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "dropped"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "drops/replay"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "drops/auth"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_packets"), 3);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_bytes"), 300);
	CU_ASSERT_EQUAL(member_u64(o, "replay_top"), 7);
	json_object_put(o);
	/* the SA itself was not written */
	CU_ASSERT_EQUAL(sa_a->stats.packets, 3);
	CU_ASSERT_EQUAL(sa_a->stats.bytes, 300);
	CU_ASSERT_EQUAL(sa_a->stats.drops[DP_SA_DROP_REPLAY], 2);

	/* traffic after the clear: shown from zero, lifetime from installation */
	CU_ASSERT_EQUAL(dp_sa_account(sa_a, 2, 200), 0);
	sa_a->stats.drops[DP_SA_DROP_POLICY] += 6;
	o = show_one(&c, "c1-in");
	CU_ASSERT_EQUAL(member_u64(o, "packets"), 2);
	CU_ASSERT_EQUAL(member_u64(o, "bytes"), 200);
	CU_ASSERT_EQUAL(member_u64(o, "dropped"), 6);
	CU_ASSERT_EQUAL(member_u64(o, "drops/policy"), 6);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_packets"), 5);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_bytes"), 500);
	json_object_put(o);

	/* the lifetime still counts from installation: soft at 50, hard at 100 */
	CU_ASSERT_EQUAL(dp_sa_account(sa_a, 45, 0), DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(ctl_sa_clear(sad, &c, "c1-in", err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(dp_sa_account(sa_a, 50, 0), DP_SA_F_HARD_EXPIRED);
	o = show_one(&c, "c1-in");
	CU_ASSERT_EQUAL(member_u64(o, "packets"), 50);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_packets"), 100);
	CU_ASSERT(member_bool(o, "soft_expired"));
	CU_ASSERT(member_bool(o, "hard_expired"));
	json_object_put(o);

	/* a filter clears only its SAs: by SPI in hex and in decimal */
	CU_ASSERT_EQUAL(dp_sa_account(sa_b, 1, 10), 0);
	CU_ASSERT_EQUAL(ctl_sa_clear(sad, &c, "0x2002", err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(ctl_sa_clear(sad, &c, "12291", err, sizeof(err)), 1);	/* 0x3003 */
	o = show_one(&c, "c1-in");
	CU_ASSERT_EQUAL(member_u64(o, "packets"), 50);
	json_object_put(o);
	o = show_one(&c, "c1-out");
	CU_ASSERT_EQUAL(member_u64(o, "packets"), 0);
	CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_packets"), 6);
	json_object_put(o);
	CU_ASSERT_EQUAL(ctl_sa_clear(sad, &c, "nope", err, sizeof(err)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no SA with name or SPI 'nope'");
	/* other baselines (a fresh set) see the totals */
	{
		struct ctl_sa_counters fresh = CTL_SA_COUNTERS_INIT;

		o = show_one(&fresh, "c1-in");
		CU_ASSERT_EQUAL(member_u64(o, "packets"), 100);
		CU_ASSERT_EQUAL(member_u64(o, "dropped"), 9);
		json_object_put(o);
	}
	ctl_sa_counters_free(&c);
}

/* A baseline belongs to its SA, not to the id a later SA may reuse. */
static void
test_clear_id_reuse(void)
{
	struct dp_sad_params sp = { .max_sas = 2, .n_workers = 1, .mgr = mgr,
				    .socket = SOCKET_ID_ANY };
	struct dp_sad *small = dp_sad_create("test_ctl_sad2", &sp);
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	struct dp_sa_params p;
	struct dp_sa *x, *y;
	char err[ERR_LEN] = "";
	struct json_object *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	params_a(&p);
	p.owner = 0;
	x = sa_add(small, &p);
	CU_ASSERT_EQUAL(x->id, 0);
	dp_sa_account(x, 7, 700);
	CU_ASSERT_EQUAL(ctl_sa_clear(small, &c, NULL, err, sizeof(err)), 1);
	p.spi = 0x1002;
	CU_ASSERT_EQUAL(sa_add(small, &p)->id, 1);
	CU_ASSERT_EQUAL(dp_sa_delete(small, 0), 0);
	p.spi = 0x1001;
	y = sa_add(small, &p);		/* same name, SPI, id (and likely ms) as x */
	CU_ASSERT_EQUAL(y->id, 0);
	dp_sa_account(y, 1, 100);
	a = ctl_sa_list_json(small, &c, "0x1001", now_ms, err, sizeof(err));
	CU_ASSERT_EQUAL(member_u64(json_object_array_get_idx(a, 0), "packets"), 1);
	CU_ASSERT_EQUAL(member_u64(json_object_array_get_idx(a, 0), "bytes"), 100);
	json_object_put(a);
	/* once seen as another SA's, x's baseline never applies to y again */
	dp_sa_account(y, 10, 1000);
	a = ctl_sa_list_json(small, &c, "0x1001", now_ms, err, sizeof(err));
	CU_ASSERT_EQUAL(member_u64(json_object_array_get_idx(a, 0), "packets"), 11);
	CU_ASSERT_EQUAL(member_u64(json_object_array_get_idx(a, 0), "bytes"), 1100);
	json_object_put(a);
	ctl_sa_counters_free(&c);
	dp_sad_free(small);
}

/* ---- show spd ---- */

static void
test_spd(void)
{
	struct dp_spd_params pp = { .max_policies = 1, .max_clients = 1,
				    .default_action = DP_POLICY_BYPASS, .socket = SOCKET_ID_ANY };
	struct dp_spd *empty = dp_spd_create("tctlspde", &pp);
	struct json_object *o = ctl_spd_json(spd, sad);
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	expect_json(o, want_spd);
	expect_text(o, text_spd);
	s = json_str(o);
	expect_no_key(s, strlen(s));
	free(s);
	json_object_put(o);
	/* no SPD (IPsec not configured), no SAD to name SAs */
	o = ctl_spd_json(NULL, NULL);
	expect_json(o, "{\"default_action\":\"bypass\",\"policies\":[],\"clients\":0}");
	expect_text(o, "default_action:  bypass\npolicies:        -\nclients:         0\n");
	json_object_put(o);
	/* the default action is the SPD's */
	CU_ASSERT_PTR_NOT_NULL_FATAL(empty);
	o = ctl_spd_json(empty, sad);
	expect_json(o, "{\"default_action\":\"bypass\",\"policies\":[],\"clients\":0}");
	json_object_put(o);
	dp_spd_free(empty);
	o = ctl_spd_json(spd, NULL);
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(o, "policies")), 4);
	CU_ASSERT_PTR_NULL(json_object_object_get(json_object_array_get_idx(
		json_object_object_get(o, "policies"), 0), "sa"));
	json_object_put(o);
}

static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* More policies and clients than one allocation of the lists holds. */
static void
test_spd_many(void)
{
	struct dp_spd_params pp = { .max_policies = MANY, .max_clients = 2 * MANY,
				    .default_action = DP_POLICY_DISCARD, .socket = SOCKET_ID_ANY };
	struct dp_spd *big = dp_spd_create("tctlspdm", &pp), *fixture_spd = spd;
	struct json_object *o, *list;
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	spd = big;			/* policy_add() adds to spd */
	for (unsigned int i = 0; i < MANY; i++) {
		struct cfg_prefix c4, c6;
		char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

		/* ids 2i (IPv4), 2i + 1 (IPv6); priorities count down */
		CHECK(policy_add(1000 - 2 * i, DP_POLICY_BYPASS, ts_any(AF_INET), ts_any(AF_INET),
				 0) == 2 * i);
		CHECK(policy_add(999 - 2 * i, DP_POLICY_PROTECT, ts_any(AF_INET6),
				 ts_any(AF_INET6), sa_b->id) == 2 * i + 1);
		snprintf(a4, sizeof(a4), "10.9.%u.1", MANY - i);
		snprintf(a6, sizeof(a6), "2001:db8:9::%x", MANY - i);
		outer_set(&c4, AF_INET, a4);
		outer_set(&c6, AF_INET6, a6);
		CHECK(dp_spd_add_client(big, &c4, sa_d->id) == 0);
		CHECK(dp_spd_add_client(big, &c6, sa_d->id) == 0);
	}
	spd = fixture_spd;
	o = ctl_spd_json(big, sad);
	list = json_object_object_get(o, "policies");
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(list), 2 * MANY);
	for (unsigned int i = 0; i < 2 * MANY; i++)
		bad += member_u64(json_object_array_get_idx(list, i), "id") != 2 * MANY - 1 - i;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(member_u64(o, "clients"), 2 * MANY);
	json_object_put(o);
	o = ctl_spd_clients_json(big, sad, 0, 0);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(o), 2 * MANY);
	for (unsigned int i = 0; i < MANY; i++) {
		struct json_object *r4 = json_object_array_get_idx(o, i);
		struct json_object *r6 = json_object_array_get_idx(o, MANY + i);
		char w4[32], w6[48];

		snprintf(w4, sizeof(w4), "10.9.%u.1/32", i + 1);
		snprintf(w6, sizeof(w6), "2001:db8:9::%x/128", i + 1);
		bad += strcmp(member_str(r4, "prefix"), w4) != 0;
		bad += strcmp(member_str(r6, "prefix"), w6) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	json_object_put(o);
	dp_spd_free(big);
}

static void
client_add(struct dp_spd *d, int family, const char *addr, uint8_t len, uint32_t sa_id)
{
	struct cfg_prefix p;

	outer_set(&p, family, addr);
	p.len = len;
	CU_ASSERT_EQUAL(dp_spd_add_client(d, &p, sa_id), 0);
}

/* Named, unnamed and missing SAs, IPv4 and IPv6, one add still queued. */
static void
test_spd_clients(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(QS_THREADS);
	struct rte_rcu_qsbr *v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	struct dp_spd_params pp = { .max_policies = 1, .max_clients = MAX_CLIENTS,
				    .default_action = DP_POLICY_DISCARD, .qsbr = v,
				    .socket = SOCKET_ID_ANY };
	struct dp_spd *d;
	struct cfg_prefix gone;
	struct json_object *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(v, QS_THREADS), 0);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_thread_register(v, QS_READER), 0);
	rte_rcu_qsbr_thread_online(v, QS_READER);
	d = dp_spd_create("tctlspdc", &pp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	o = ctl_spd_clients_json(d, sad, 0, 0);
	expect_json(o, "[]");
	expect_text(o, "(none)\n");
	json_object_put(o);
	client_add(d, AF_INET6, "2001:db8:9::6", 128, sa_b->id);
	client_add(d, AF_INET, "10.200.7.7", 16, 9);		/* no such SA */
	client_add(d, AF_INET, "10.9.1.0", 24, sa_d->id);
	client_add(d, AF_INET, "10.9.0.6", 32, sa_b->id);
	client_add(d, AF_INET6, "2001:db8:9::7", 128, sa_b->id);
	outer_set(&gone, AF_INET6, "2001:db8:9::7");
	CU_ASSERT_EQUAL(dp_spd_delete_client(d, &gone), 0);	/* a grace period starts */
	client_add(d, AF_INET6, "2001:db8:9::", 48, sa_d->id);	/* queued behind it */
	o = ctl_spd_clients_json(d, sad, 0, 0);
	expect_json(o, want_clients);
	expect_text(o, text_clients);
	json_object_put(o);
	/* after the grace period the queued client is in the table */
	rte_rcu_qsbr_quiescent(v, QS_READER);
	dp_spd_reclaim(d);
	o = ctl_spd_clients_json(d, sad, 0, 0);
	CU_ASSERT_FALSE(member_bool(json_object_array_get_idx(o, 3), "pending"));
	CU_ASSERT_STRING_EQUAL(member_str(json_object_array_get_idx(o, 3), "prefix"),
			       "2001:db8:9::/48");
	CU_ASSERT_EQUAL(json_object_array_length(o), 5);
	json_object_put(o);
	/* pages of the same order: from 1, two; from 3 to the end; past it */
	o = ctl_spd_clients_json(d, sad, 1, 2);
	CU_ASSERT_EQUAL(json_object_array_length(o), 2);
	CU_ASSERT_STRING_EQUAL(member_str(json_object_array_get_idx(o, 0), "prefix"),
			       "10.9.1.0/24");
	CU_ASSERT_STRING_EQUAL(member_str(json_object_array_get_idx(o, 1), "prefix"),
			       "10.200.0.0/16");
	json_object_put(o);
	o = ctl_spd_clients_json(d, sad, 3, 0);
	CU_ASSERT_EQUAL(json_object_array_length(o), 2);
	CU_ASSERT_STRING_EQUAL(member_str(json_object_array_get_idx(o, 0), "prefix"),
			       "2001:db8:9::/48");
	json_object_put(o);
	o = ctl_spd_clients_json(d, sad, 5, 10);
	expect_json(o, "[]");
	json_object_put(o);
	/* no SAD to name the SAs; no SPD */
	o = ctl_spd_clients_json(d, NULL, 0, 0);
	CU_ASSERT_PTR_NULL(json_object_object_get(json_object_array_get_idx(o, 0), "sa_spi"));
	json_object_put(o);
	o = ctl_spd_clients_json(NULL, sad, 0, 0);
	expect_json(o, "[]");
	json_object_put(o);
	dp_spd_free(d);
	rte_rcu_qsbr_thread_offline(v, QS_READER);
	rte_rcu_qsbr_thread_unregister(v, QS_READER);
	rte_free(v);
}

/* Selector ranges that are not prefixes, single ports, other protocols. */
static void
test_selector_forms(void)
{
	struct dp_sad_params sp = { .max_sas = 2, .n_workers = 1, .mgr = mgr,
				    .socket = SOCKET_ID_ANY };
	struct dp_sad *small = dp_sad_create("test_ctl_sad3", &sp);
	struct ctl_sa_counters c = CTL_SA_COUNTERS_INIT;
	char err[ERR_LEN] = "";
	struct dp_sa_params p;
	struct json_object *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	params_a(&p);
	p.owner = 0;
	p.n_ts = 3;
	p.ts[0].local = ts_make(AF_INET, IPPROTO_SCTP, "10.0.0.0", "10.0.1.255", 7, 9);
	p.ts[0].remote = ts_make(AF_INET, IPPROTO_SCTP, "10.0.0.1", "10.0.0.2", 0, 0);
	p.ts[1].local = ts_make(AF_INET, IPPROTO_ICMP, "0.0.0.0", "0.0.0.0", 8, 8);
	p.ts[1].remote = ts_make(AF_INET, IPPROTO_ICMP, "10.0.0.0", "10.0.0.254", 0, UINT16_MAX);
	p.ts[2].local = ts_make(AF_INET6, 255, "::", "::", 0, UINT16_MAX);
	p.ts[2].remote = ts_make(AF_INET6, 255, "::ffff:0:0", "::ffff:ffff:ffff", 65535, 65535);
	sa_add(small, &p);
	a = ctl_sa_list_json(small, &c, NULL, now_ms, err, sizeof(err));
	expect_json(json_object_object_get(json_object_array_get_idx(a, 0), "selectors"),
		    "[{\"local\":\"10.0.0.0/23\",\"remote\":\"10.0.0.1-10.0.0.2\","
		    "\"protocol\":\"132\",\"local_ports\":\"7-9\",\"remote_ports\":\"0\"},"
		    "{\"local\":\"0.0.0.0/32\",\"remote\":\"10.0.0.0-10.0.0.254\","
		    "\"protocol\":\"icmp\",\"local_ports\":\"8\",\"remote_ports\":\"any\"},"
		    "{\"local\":\"::/128\",\"remote\":\"::ffff:0.0.0.0/96\",\"protocol\":\"255\","
		    "\"local_ports\":\"any\",\"remote_ports\":\"65535\"}]");
	json_object_put(a);
	ctl_sa_counters_free(&c);
	dp_sad_free(small);
}

/* ---- the handlers, through dispatch and DPDK telemetry ---- */

/* The daemon as the handlers see it: only cfg.ipsec and dp.sad, spd,
 * qsbr and n_workers are set. */
static struct hagw gw;
static int tel_fd = -1;

static const struct ctl_cmd cmds[] = {
	{ "show sa", "[NAME|SPI]", "SAs", ctl_cmd_show_sa, true },
	{ "show spd", "", "policies", ctl_cmd_show_spd, true },
	{ "show spd clients", "", "clients", ctl_cmd_show_spd_clients, true },
	{ "clear sa counters", "[NAME|SPI]", "clear", ctl_cmd_clear_sa_counters, false },
};

static void
expect_dispatch(const char *line, const char *want)
{
	char buf[ERR_LEN], *argv[CTL_MAX_ARGS], *save = NULL;
	int argc = 0;
	struct json_object *r;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	r = ctl_dispatch(cmds, RTE_DIM(cmds), &gw, argc, argv);
	expect_json(r, want);
	json_object_put(r);
}

static void
test_handlers(void)
{
	expect_dispatch("show sa a b", "{\"ok\":false,\"error\":\"usage: show sa [NAME|SPI]\"}");
	expect_dispatch("show spd x", "{\"ok\":false,\"error\":\"usage: show spd\"}");
	expect_dispatch("show spd clients x",
			"{\"ok\":false,\"error\":\"usage: show spd clients [FROM [COUNT]]\"}");
	expect_dispatch("show spd clients 0 0",
			"{\"ok\":false,\"error\":\"usage: show spd clients [FROM [COUNT]]\"}");
	expect_dispatch("show spd clients 0 1 2",
			"{\"ok\":false,\"error\":\"usage: show spd clients [FROM [COUNT]]\"}");
	expect_dispatch("show spd clients", "{\"ok\":true,\"data\":[{\"prefix\":\"10.9.0.6/32\","
			"\"sa\":\"c1-out\",\"sa_spi\":\"0x00002002\",\"pending\":false}]}");
	expect_dispatch("show spd clients 0 1", "{\"ok\":true,\"data\":[{\"prefix\":"
			"\"10.9.0.6/32\",\"sa\":\"c1-out\",\"sa_spi\":\"0x00002002\","
			"\"pending\":false}]}");
	expect_dispatch("show spd clients 1", "{\"ok\":true,\"data\":[]}");
	expect_dispatch("clear sa counters a b",
			"{\"ok\":false,\"error\":\"usage: clear sa counters [NAME|SPI]\"}");
	expect_dispatch("show sa nope",
			"{\"ok\":false,\"error\":\"no SA with name or SPI 'nope'\"}");
	expect_dispatch("clear sa counters 0x9999",
			"{\"ok\":false,\"error\":\"no SA with name or SPI '0x9999'\"}");
	{
		char want[4096];

		snprintf(want, sizeof(want), "{\"ok\":true,\"data\":%s}", want_spd);
		expect_dispatch("show spd", want);
	}
	expect_dispatch("clear sa counters c1-out", "{\"ok\":true,\"data\":{\"cleared\":1}}");
	expect_dispatch("clear sa counters", "{\"ok\":true,\"data\":{\"cleared\":4}}");
	{
		char *argv[] = { "show", "sa", "c1-in" };
		struct json_object *r = ctl_dispatch(cmds, RTE_DIM(cmds), &gw, 3, argv);
		struct json_object *o = json_object_array_get_idx(json_object_object_get(r, "data"),
								  0);

		CU_ASSERT_EQUAL(member_u64(o, "packets"), 0);
		CU_ASSERT_EQUAL(member_u64(o, "lifetime/used_packets"), sa_a->stats.packets);
		json_object_put(r);
	}
}

static char *
tel_ask(const char *req)
{
	char *buf = calloc(1, TEL_BUF + 1);
	ssize_t n;

	if (write(tel_fd, req, strlen(req)) != (ssize_t)strlen(req))
		return buf;
	n = read(tel_fd, buf, TEL_BUF);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

static unsigned int
age_now(const struct dp_sa *sa)
{
	return (unsigned int)((dp_now_ms() - sa->created_ms) / 1000);
}

/* The telemetry thread reads as a QSBR reader in slot n_workers. */
static void
test_telemetry(void)
{
	char want[2][4096];
	unsigned int before = age_now(sa_b);
	char *got = tel_ask("/hagw/show_sa,c1-out");
	unsigned int after = age_now(sa_b);
	uint64_t token;

	snprintf(want[0], sizeof(want[0]), tel_b_fmt, before);
	snprintf(want[1], sizeof(want[1]), tel_b_fmt, after);
	CU_ASSERT(strcmp(got, want[0]) == 0 || strcmp(got, want[1]) == 0);
	if (strcmp(got, want[0]) != 0 && strcmp(got, want[1]) != 0)
		fprintf(stderr, "\ngot:  %s\nwant: %s\n", got, want[0]);
	expect_no_key(got, strlen(got));
	free(got);
	/* the reader went offline again: a grace period completes at once */
	token = rte_rcu_qsbr_start(gw.dp.qsbr);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_check(gw.dp.qsbr, token, false), 1);

	got = tel_ask("/hagw/show_sa,nope");
	CU_ASSERT_STRING_EQUAL(got, "{\"/hagw/show_sa\":{\"error\":"
			       "\"no SA with name or SPI 'nope'\"}}");
	free(got);
	got = tel_ask("/hagw/show_spd");
	CU_ASSERT_STRING_EQUAL(got, tel_spd);
	free(got);
	/* the client table is walked on the control core only */
	got = tel_ask("/hagw/show_spd_clients");
	CU_ASSERT_STRING_EQUAL(got, "{\"/hagw/show_spd_clients\":{\"error\":"
			       "\"not available over telemetry: use the CLI socket\"}}");
	free(got);
	got = tel_ask("/hagw/clear_sa_counters");
	CU_ASSERT_STRING_EQUAL(got, "{\"/hagw/clear_sa_counters\":null}");
	free(got);

	/* no reader slot after the workers': refused, never read unprotected */
	gw.dp.n_workers = 1;
	got = tel_ask("/hagw/show_sa");
	CU_ASSERT_STRING_EQUAL(got, "{\"/hagw/show_sa\":{\"error\":"
			       "\"not available over telemetry: no QSBR reader slot\"}}");
	free(got);
	gw.dp.n_workers = 0;
}

static int
tel_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char hello[TEL_BUF];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    read(fd, hello, sizeof(hello)) <= 0) {
		perror(sun.sun_path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- setup ---- */

static int
fixture(void)
{
	struct dp_sad_params sp = { .max_sas = MAX_SAS, .n_workers = N_WORKERS, .mgr = mgr,
				    .socket = SOCKET_ID_ANY };
	struct dp_spd_params pp = { .max_policies = MAX_POLICIES, .max_clients = MAX_CLIENTS,
				    .default_action = DP_POLICY_DISCARD,
				    .socket = SOCKET_ID_ANY };
	struct dp_sa_params p;

	key_fill(key_a, sizeof(key_a), 0xa0);
	key_fill(key_b, sizeof(key_b), 0xc0);
	key_fill(auth_b, sizeof(auth_b), 0xe0);
	key_fill(key_c, sizeof(key_c), 0x10);
	key_fill(key_d, sizeof(key_d), 0x40);
	sad = dp_sad_create("test_ctl_sad", &sp);
	spd = dp_spd_create("tctlspd", &pp);
	if (sad == NULL || spd == NULL)
		return -1;
	params_a(&p);
	sa_a = sa_add(sad, &p);
	params_b(&p);
	sa_b = sa_add(sad, &p);
	params_c(&p);
	sa_c = sa_add(sad, &p);
	params_d(&p);
	sa_d = sa_add(sad, &p);
	explicit_bzero(&p, sizeof(p));
	if (setup_failed)
		return -1;
	now_ms = RTE_MAX(RTE_MAX(sa_a->created_ms, sa_b->created_ms),
			 RTE_MAX(sa_c->created_ms, sa_d->created_ms)) + AGE_MS;
	traffic();
	policies();
	return 0;
}

/* The gw view for the handlers: a QSBR variable with one slot, for
 * the telemetry reader (no workers). */
static int
daemon_setup(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);

	/* not the SPD's: show spd must ask the SPD (discard) */
	gw.cfg.ipsec.default_policy = CFG_POLICY_BYPASS;
	gw.dp.sad = sad;
	gw.dp.spd = spd;
	gw.dp.n_workers = 0;
	gw.dp.qsbr = rte_zmalloc("test_ctl_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (gw.dp.qsbr == NULL || rte_rcu_qsbr_init(gw.dp.qsbr, 1) != 0)
		return -1;
	if (ctl_telemetry_register(cmds, RTE_DIM(cmds), &gw) != 0)
		return -1;
	tel_fd = tel_connect();
	return tel_fd >= 0 ? 0 : -1;
}

int
main(void)
{
	char *eal[] = { "test_ctl_ipsec", "--no-huge", "-m", "512", "--no-pci",
			"--file-prefix", "hagw_test_ctl_ipsec", "-l", "0", "--log-level=3", NULL };
	unsigned int fails;
	CU_pSuite s;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	mgr = dp_esp_mgr_create();
	if (mgr == NULL || fixture() < 0 || setup_failed || daemon_setup() < 0) {
		fprintf(stderr, "test_ctl_ipsec: setup failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ctl_ipsec", NULL, NULL);
	/* order matters: the clearing tests come after those that show totals */
	CU_add_test(s, "show sa: JSON of every SA", test_show_all);
	CU_add_test(s, "show sa NAME|SPI", test_show_filter);
	CU_add_test(s, "show sa: text", test_show_text);
	CU_add_test(s, "selector forms", test_selector_forms);
	CU_add_test(s, "show spd: JSON and text", test_spd);
	CU_add_test(s, "show spd: many policies and clients", test_spd_many);
	CU_add_test(s, "show spd clients: JSON and text", test_spd_clients);
	CU_add_test(s, "telemetry", test_telemetry);
	CU_add_test(s, "clear sa counters: display only", test_clear_semantics);
	CU_add_test(s, "clear sa counters: id reuse", test_clear_id_reuse);
	CU_add_test(s, "handlers", test_handlers);
	fails = cu_run_count();
	close(tel_fd);
	dp_spd_free(spd);
	dp_sad_free(sad);
	rte_free(gw.dp.qsbr);
	dp_esp_mgr_free(mgr);
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
