/*
 * Unit tests of the SA database (dataplane/sa.c, RFC 4301 §4.4.2): add,
 * SPI lookup and delete, duplicate SPIs, a full table, every parameter
 * check, deferred reclamation through QSBR with a real reader thread (the
 * SA stays readable until the reader is quiescent, and its keys are zero
 * when it is freed), outbound sequence numbers from two threads at once,
 * the end of the sequence and IV-epoch spaces (RFC 4303 §3.3.3), the IV
 * nonce layout and HA takeover epochs (sa.h), and lifetimes (RFC 4301
 * §4.4.2.1). Links the real esp_crypto.c for key expansion.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/sa.h"
#include "tests/unit/cu_run.h"

enum {
	WORKERS = 2,
	SMALL = 16,
	RESERVE_CALLS = 500000,		/* per thread: 10^6 reservations in all */
	RESERVE_N_MAX = 4,		/* n = 1..4 per call */
	TAKEOVER_ROUNDS = 100,
	CHURN = 200,			/* delete/add cycles */
	NONCES = 1000,
	GCM128_KEY = 20,
	CBC_KEY = 16,
	HMAC_KEY = 32,
};

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define EPOCH_SPACE (UINT64_C(1) << DP_SA_IV_COUNTER_BITS)

static IMB_MGR *mgr;

/* Test seam of sa.c: every SA passes here, keys zeroized, before its slot is wiped. */
void dp_sa_test_free_hook(const struct dp_sa *sa);

static struct {
	unsigned int freed;
	unsigned int freed_zero;	/* of them, with every key byte zero */
	uint32_t last_spi;
} hook;

static bool
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

void
dp_sa_test_free_hook(const struct dp_sa *sa)
{
	__atomic_fetch_add(&hook.freed, 1, __ATOMIC_RELAXED);
	if (all_zero(&sa->key, sizeof(sa->key)) && all_zero(sa->p.enc_key, sizeof(sa->p.enc_key)) &&
	    all_zero(sa->p.auth_key, sizeof(sa->p.auth_key)))
		hook.freed_zero++;
	hook.last_spi = sa->p.spi;
}

static struct cfg_prefix
v4(uint8_t last)
{
	struct cfg_prefix p = { .family = AF_INET, .len = 32, .addr.v4 = { 192, 0, 2, last } };

	return p;
}

static struct cfg_prefix
v6(uint8_t last)
{
	struct cfg_prefix p = { .family = AF_INET6, .len = 128,
				.addr.v6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = last } };

	return p;
}

/* A valid inbound AES-GCM-128 tunnel SA over IPv4. */
static struct dp_sa_params
gcm_in(uint32_t spi)
{
	struct dp_sa_params p = {
		.spi = spi, .dir = DP_SA_INBOUND, .mode = DP_SA_TUNNEL,
		.alg = DP_SA_AES_GCM_128, .enc_key_len = GCM128_KEY, .replay_window = 64,
		.local = v4(1), .remote = v4(2), .df = DP_SA_DF_COPY, .dscp = -1,
		.owner = DP_SA_NO_OWNER,
	};

	for (unsigned int i = 0; i < GCM128_KEY; i++)
		p.enc_key[i] = (uint8_t)(0xa0 + i);
	snprintf(p.name, sizeof(p.name), "in-%x", spi);
	return p;
}

static struct dp_sa_params
gcm_out(uint32_t spi)
{
	struct dp_sa_params p = gcm_in(spi);

	p.dir = DP_SA_OUTBOUND;
	p.replay_window = 0;
	return p;
}

static struct dp_sad *
sad_new(const char *name, unsigned int max, struct rte_rcu_qsbr *v)
{
	struct dp_sad_params p = {
		.max_sas = max, .n_workers = WORKERS, .qsbr = v, .mgr = mgr,
		.socket = SOCKET_ID_ANY,
	};
	struct dp_sad *sad = dp_sad_create(name, &p);

	CU_ASSERT_FATAL(sad != NULL);
	return sad;
}

static uint32_t
add_ok(struct dp_sad *sad, const struct dp_sa_params *p)
{
	char err[128] = "";
	uint32_t id = UINT32_MAX;
	int rc = dp_sa_add(sad, p, &id, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "dp_sa_add: %d %s\n", rc, err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return id;
}

static void
test_add_lookup_delete(void)
{
	struct dp_sad *sad = sad_new("t_sad_basic", SMALL, NULL);
	struct dp_sa_params p = gcm_in(0x1001);
	uint32_t spis[] = { 0x1001, 0x9999, 0x1002, 0x2001 };
	struct dp_sa *found[DIM(spis)];
	struct dp_sa *sa, *sa0;
	uint32_t id0, id1, id2, id3, iter = 0;

	id0 = add_ok(sad, &p);
	p = gcm_in(0x1002);
	id1 = add_ok(sad, &p);
	p = gcm_out(0x2001);
	id2 = add_ok(sad, &p);
	CU_ASSERT_EQUAL(id0, 0);
	CU_ASSERT_EQUAL(id1, 1);
	CU_ASSERT_EQUAL(id2, 2);
	CU_ASSERT_EQUAL(dp_sad_count(sad), 3);
	sa0 = dp_sad_get(sad, id0);
	CU_ASSERT_FATAL(sa0 != NULL);
	CU_ASSERT_EQUAL(sa0->p.spi, 0x1001);
	CU_ASSERT_EQUAL(sa0->id, 0);
	CU_ASSERT_EQUAL(sa0->owner, 0x1001 % WORKERS);
	CU_ASSERT_EQUAL(sa0->flags, DP_SA_F_ACTIVE);
	/* IPv4, ESP, IV, ICV */
	CU_ASSERT_EQUAL(dp_sa_path_get(sa0)->overhead, 20 + 8 + 8 + 16);
	CU_ASSERT_EQUAL(sa0->win.size, 64);
	CU_ASSERT_EQUAL(sa0->win.top, 0);
	CU_ASSERT_EQUAL(sa0->key.iv_len, 8);
	CU_ASSERT_FALSE(all_zero(&sa0->key.k, sizeof(sa0->key.k)));	/* expanded */
	CU_ASSERT_EQUAL(strcmp(sa0->p.name, "in-1001"), 0);
	CU_ASSERT_PTR_NULL(dp_sad_get(sad, 3));
	CU_ASSERT_PTR_NULL(dp_sad_get(sad, SMALL));
	CU_ASSERT_PTR_NULL(dp_sad_get(sad, UINT32_MAX));
	dp_sad_lookup_spi_bulk(sad, spis, DIM(spis), found);
	CU_ASSERT_PTR_EQUAL(found[0], sa0);
	CU_ASSERT_PTR_NULL(found[1]);			/* unknown */
	CU_ASSERT_PTR_EQUAL(found[2], dp_sad_get(sad, id1));
	CU_ASSERT_PTR_NULL(found[3]);			/* outbound: not by SPI */
	CU_ASSERT_EQUAL(dp_sa_delete(sad, id1), 0);
	CU_ASSERT_PTR_NULL(dp_sad_get(sad, id1));
	CU_ASSERT_EQUAL(dp_sa_delete(sad, id1), -ENOENT);
	CU_ASSERT_EQUAL(dp_sa_delete(sad, SMALL), -ENOENT);
	CU_ASSERT_EQUAL(dp_sad_count(sad), 2);
	CU_ASSERT_EQUAL(hook.last_spi, 0x1002);		/* no QSBR: freed at once */
	dp_sad_lookup_spi_bulk(sad, spis, DIM(spis), found);
	CU_ASSERT_PTR_EQUAL(found[0], sa0);
	CU_ASSERT_PTR_NULL(found[2]);
	p = gcm_in(0x1002);
	id3 = add_ok(sad, &p);
	CU_ASSERT_EQUAL(id3, 3);			/* next fit: ids come back late */
	CU_ASSERT_EQUAL(dp_sad_next(sad, &iter)->id, 0);
	CU_ASSERT_EQUAL(dp_sad_next(sad, &iter)->id, 2);
	sa = dp_sad_next(sad, &iter);
	CU_ASSERT_EQUAL(sa->id, 3);
	CU_ASSERT_PTR_NULL(dp_sad_next(sad, &iter));
	dp_sad_free(sad);
}

/* An id's SA lives in the SAD's slot for that id: the next SA of the id
 * takes the same memory, and starts from nothing of the last one (keys,
 * counters, window, flags, name), as a fresh allocation did. */
static void
test_slot_reuse(void)
{
	struct dp_sad *sad = sad_new("t_sad_slot", 1, NULL);
	struct dp_sa_params p = gcm_in(0x3001);
	struct dp_sa_seq_state st = { .spi = 0x3001, .dir = DP_SA_INBOUND };
	struct dp_sa *first, *again;
	unsigned int zero_before = hook.freed_zero;
	uint32_t id;

	id = add_ok(sad, &p);
	first = dp_sad_get(sad, id);
	CU_ASSERT_FATAL(first != NULL);
	first->stats.packets = 7;
	first->stats.bytes = 700;
	first->stats.drops[0] = 3;
	dp_sa_seq_export(first, &st);
	st.win.top = 1000;
	CU_ASSERT_EQUAL(dp_sa_seq_import(first, &st), 0);
	CU_ASSERT_EQUAL(first->win.top, 1000);
	CU_ASSERT_EQUAL(dp_sa_delete(sad, id), 0);
	CU_ASSERT_EQUAL(hook.freed_zero, zero_before + 1);	/* keys wiped */
	CU_ASSERT_TRUE(all_zero(first, sizeof(*first)));	/* all of it */
	p = gcm_in(0x3002);
	p.replay_window = 128;
	snprintf(p.name, sizeof(p.name), "b");
	CU_ASSERT_EQUAL(add_ok(sad, &p), id);
	again = dp_sad_get(sad, id);
	CU_ASSERT_PTR_EQUAL(again, first);
	CU_ASSERT_EQUAL(again->p.spi, 0x3002);
	CU_ASSERT_EQUAL(again->stats.packets, 0);
	CU_ASSERT_EQUAL(again->stats.bytes, 0);
	CU_ASSERT_EQUAL(again->stats.drops[0], 0);
	CU_ASSERT_EQUAL(again->win.top, 0);
	CU_ASSERT_EQUAL(again->win.size, 128);
	CU_ASSERT_EQUAL(again->flags, DP_SA_F_ACTIVE);
	CU_ASSERT_EQUAL(strcmp(again->p.name, "b"), 0);
	CU_ASSERT_FALSE(all_zero(&again->key.k, sizeof(again->key.k)));
	dp_sad_free(sad);
}

/* A full burst of 64 SPIs, one lookup call. */
static void
test_lookup_bulk_64(void)
{
	struct dp_sad *sad = sad_new("t_sad_bulk", 64, NULL);
	uint32_t spis[64];
	struct dp_sa *found[64];
	unsigned int wrong = 0;

	for (uint32_t i = 0; i < 32; i++) {
		struct dp_sa_params p = gcm_in(0x5000 + 2 * i);

		add_ok(sad, &p);
	}
	for (uint32_t i = 0; i < 64; i++)
		spis[i] = 0x5000 + i;
	dp_sad_lookup_spi_bulk(sad, spis, 64, found);
	for (uint32_t i = 0; i < 64; i++)
		wrong += i % 2 == 0 ? found[i] == NULL || found[i]->p.spi != spis[i]
				    : found[i] != NULL;
	CU_ASSERT_EQUAL(wrong, 0);
	dp_sad_lookup_spi_bulk(sad, spis, 0, found);	/* nothing, no crash */
	dp_sad_free(sad);
}

static void
test_overhead_owner(void)
{
	struct dp_sad *sad = sad_new("t_sad_ovh", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0x3000);
	struct dp_sa *sa;

	p.local = v6(1);
	p.remote = v6(2);
	p.udp_encap = true;
	p.encap_local_port = 4500;
	p.encap_remote_port = 4500;
	p.alg = DP_SA_AES_CBC_128_SHA256;
	p.enc_key_len = CBC_KEY;
	p.auth_key_len = HMAC_KEY;
	sa = dp_sad_get(sad, add_ok(sad, &p));
	/* IPv6, UDP, ESP, IV, ICV */
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 40 + 8 + 8 + 16 + 16);
	CU_ASSERT_EQUAL(sa->key.iv_len, 16);
	p = gcm_in(0x3001);
	p.mode = DP_SA_TRANSPORT;
	p.owner = 1;
	sa = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 8 + 8 + 16);
	CU_ASSERT_EQUAL(sa->owner, 1);
	p = gcm_in(0x3002);
	p.mode = DP_SA_TRANSPORT;
	p.udp_encap = true;
	p.encap_local_port = 4500;
	p.encap_remote_port = 4501;
	p.alg = DP_SA_CHACHA20_POLY1305;
	p.enc_key_len = 36;
	sa = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_path_get(sa)->overhead, 8 + 8 + 8 + 16);
	CU_ASSERT_EQUAL(sa->owner, 0x3002 % WORKERS);
	dp_sad_free(sad);
}

static void
test_duplicate_spi(void)
{
	struct dp_sad *sad = sad_new("t_sad_dup", SMALL, NULL);
	struct dp_sa_params p = gcm_in(0x1001);
	char err[128] = "";
	uint32_t id = 77;

	add_ok(sad, &p);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -EEXIST);
	CU_ASSERT_STRING_EQUAL(err, "inbound SPI 0x00001001 already in use");
	CU_ASSERT_EQUAL(id, 77);
	p = gcm_out(0x1001);				/* outbound SPIs are the peer's */
	add_ok(sad, &p);
	add_ok(sad, &p);
	CU_ASSERT_EQUAL(dp_sad_count(sad), 3);
	dp_sad_free(sad);
}

static void
test_table_full(void)
{
	struct dp_sad *sad = sad_new("t_sad_full", 4, NULL);
	struct dp_sa_params p;
	char err[128] = "";
	uint32_t id;

	for (uint32_t i = 0; i < 4; i++) {
		p = i % 2 ? gcm_in(0x100 + i) : gcm_out(0x100 + i);
		CU_ASSERT_EQUAL(add_ok(sad, &p), i);
	}
	p = gcm_in(0x200);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(err, "SA table full (4 SAs)");
	CU_ASSERT_EQUAL(dp_sa_delete(sad, 2), 0);
	CU_ASSERT_EQUAL(add_ok(sad, &p), 2);
	CU_ASSERT_EQUAL(dp_sad_count(sad), 4);
	/* Churn: hash key positions come back (the hash has 16). */
	for (uint32_t i = 0; i < CHURN; i++) {
		CU_ASSERT_EQUAL(dp_sa_delete(sad, 2), 0);
		p = gcm_in(0x1000 + i);
		CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(id, 2);
	}
	dp_sad_free(sad);
}

/* One invalid parameter per row, and the message it gives. */
enum bad_case {
	BAD_DIR, BAD_MODE, BAD_SPI_255, BAD_SPI_0, BAD_WINDOW_0, BAD_WINDOW_100,
	BAD_WINDOW_4160, BAD_ALG, BAD_KEY_LEN, BAD_AUTH_ON_AEAD, BAD_NO_AUTH_CBC,
	BAD_FAMILIES, BAD_FAMILY_0, BAD_TS_FAMILIES, BAD_TS_TRANSPORT, BAD_TS_PORTS,
	BAD_TS_ADDRS, BAD_TS_COUNT, BAD_ENCAP_PORT, BAD_DF, BAD_DSCP_HIGH, BAD_DSCP_LOW,
	BAD_OWNER, BAD_LIFETIME, BAD_COUNT
};

static const char *const bad_msgs[BAD_COUNT] = {
	[BAD_DIR] = "direction 7 invalid",
	[BAD_MODE] = "mode 9 invalid",
	[BAD_SPI_255] = "SPI 255 reserved (must be >= 256)",
	[BAD_SPI_0] = "SPI 0 reserved (must be >= 256)",
	[BAD_WINDOW_0] = "replay window 0: must be 64..4096, a multiple of 64",
	[BAD_WINDOW_100] = "replay window 100: must be 64..4096, a multiple of 64",
	[BAD_WINDOW_4160] = "replay window 4160: must be 64..4096, a multiple of 64",
	[BAD_ALG] = "algorithm 5 unknown",
	[BAD_KEY_LEN] = "aes-gcm-128 needs a 20-byte key, got 16 bytes",
	[BAD_AUTH_ON_AEAD] = "aes-gcm-128 takes no auth key, got 32 bytes",
	[BAD_NO_AUTH_CBC] = "aes-cbc-256-hmac-sha256 needs a 32-byte auth key, got 0 bytes",
	[BAD_FAMILIES] = "local and remote addresses of different or invalid families",
	[BAD_FAMILY_0] = "local and remote addresses of different or invalid families",
	[BAD_TS_FAMILIES] = "selector 1: address families differ or invalid",
	[BAD_TS_TRANSPORT] = "selector 0: family differs from the SA's addresses "
			     "(transport mode)",
	[BAD_TS_PORTS] = "selector 0: empty range",
	[BAD_TS_ADDRS] = "selector 0: empty range",
	[BAD_TS_COUNT] = "5 selectors (at most 4)",
	[BAD_ENCAP_PORT] = "UDP encapsulation needs non-zero ports",
	[BAD_DF] = "df 3 invalid",
	[BAD_DSCP_HIGH] = "dscp 64 out of range (-1 = copy, 0..63)",
	[BAD_DSCP_LOW] = "dscp -2 out of range (-1 = copy, 0..63)",
	[BAD_OWNER] = "owner worker 2 out of range (2 workers)",
	[BAD_LIFETIME] = "soft lifetime above hard lifetime",
};

static struct dp_ts
ts4(uint8_t lo, uint8_t hi)
{
	struct dp_ts t = { .family = AF_INET, .port_hi = 65535,
			   .addr_lo = { 10, 9, 0, lo }, .addr_hi = { 10, 9, 0, hi } };

	return t;
}

static void
break_selectors(struct dp_sa_params *p, enum bad_case c)
{
	p->n_ts = 2;
	p->ts[0].local = ts4(0, 255);
	p->ts[0].remote = ts4(5, 5);
	p->ts[1] = p->ts[0];
	if (c == BAD_TS_FAMILIES)
		p->ts[1].remote.family = AF_INET6;
	if (c == BAD_TS_TRANSPORT) {
		p->mode = DP_SA_TRANSPORT;
		p->ts[0].local.family = AF_INET6;
		p->ts[0].remote.family = AF_INET6;
	}
	if (c == BAD_TS_PORTS) {
		p->ts[0].remote.port_lo = 65535;
		p->ts[0].remote.port_hi = 1;
	}
	if (c == BAD_TS_ADDRS)
		p->ts[0].local = ts4(9, 8);
	if (c == BAD_TS_COUNT)
		p->n_ts = 5;
}

static struct dp_sa_params
bad_params(enum bad_case c)
{
	struct dp_sa_params p = gcm_in(0x4000);

	switch (c) {
	case BAD_DIR: p.dir = (enum dp_sa_dir)7; break;
	case BAD_MODE: p.mode = (enum dp_sa_mode)9; break;
	case BAD_SPI_255: p.spi = 255; break;
	case BAD_SPI_0: p.spi = 0; break;
	case BAD_WINDOW_0: p.replay_window = 0; break;
	case BAD_WINDOW_100: p.replay_window = 100; break;
	case BAD_WINDOW_4160: p.replay_window = 4160; break;
	case BAD_ALG: p.alg = DP_SA_ALG_COUNT; break;
	case BAD_KEY_LEN: p.enc_key_len = 16; break;
	case BAD_AUTH_ON_AEAD: p.auth_key_len = HMAC_KEY; break;
	case BAD_NO_AUTH_CBC: p.alg = DP_SA_AES_CBC_256_SHA256; p.enc_key_len = 32; break;
	case BAD_FAMILIES: p.remote = v6(2); break;
	case BAD_FAMILY_0: p.local.family = 0; p.remote.family = 0; break;
	case BAD_ENCAP_PORT: p.udp_encap = true; p.encap_local_port = 4500; break;
	case BAD_DF: p.df = (enum dp_sa_df)3; break;
	case BAD_DSCP_HIGH: p.dscp = 64; break;
	case BAD_DSCP_LOW: p.dscp = -2; break;
	case BAD_OWNER: p.owner = WORKERS; break;
	case BAD_LIFETIME: p.soft.bytes = 100; p.hard.bytes = 50; break;
	default: break_selectors(&p, c); break;
	}
	return p;
}

static void
test_validation(void)
{
	struct dp_sad *sad = sad_new("t_sad_val", SMALL, NULL);
	struct dp_sa_params p;
	unsigned int c;
	uint32_t id;

	for (c = 0; c < BAD_COUNT; c++) {
		char err[128] = "";

		p = bad_params(c);
		CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, bad_msgs[c]);
		if (strcmp(err, bad_msgs[c]) != 0)
			fprintf(stderr, "case %u: \"%s\"\n", c, err);
	}
	CU_ASSERT_EQUAL(dp_sad_count(sad), 0);
	/* Valid edges: outbound ignores the window, tunnel mixes families,
	 * soft == hard, NULL err buffer. */
	p = gcm_out(0x4001);
	p.replay_window = 12345;
	add_ok(sad, &p);
	p = gcm_in(0x4002);
	break_selectors(&p, BAD_COUNT);
	p.ts[1].local.family = AF_INET6;
	p.ts[1].remote.family = AF_INET6;
	p.soft.packets = p.hard.packets = 10;
	p.replay_window = 4096;
	add_ok(sad, &p);
	p = gcm_in(0x4003);
	p.spi = 1;
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(dp_sad_count(sad), 2);
	dp_sad_free(sad);
}

static void
test_no_manager(void)
{
	struct dp_sad_params sp = { .max_sas = SMALL, .n_workers = 1, .socket = SOCKET_ID_ANY };
	struct dp_sad *sad = dp_sad_create("t_sad_nomgr", &sp);
	struct dp_sa_params p = gcm_in(0x1001);
	char err[128] = "";
	uint32_t id;

	CU_ASSERT_FATAL(sad != NULL);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "key expansion failed");
	CU_ASSERT_EQUAL(dp_sad_count(sad), 0);
	sp.n_workers = 0;
	CU_ASSERT_PTR_NULL(dp_sad_create("t_sad_bad", &sp));
	sp.n_workers = 1;
	sp.max_sas = 0;
	CU_ASSERT_PTR_NULL(dp_sad_create("t_sad_bad", &sp));
	dp_sad_free(sad);
}

/*
 * A reader thread registered with the QSBR variable: it takes SA pointers
 * and reports quiescent states only when told to.
 */
struct reader {
	struct rte_rcu_qsbr *v;
	struct dp_sad *sad;
	uint32_t id;			/* SA to hold */
	struct dp_sa *held;
	uint32_t spi_seen;		/* read through held after the delete */
	unsigned int cmd;		/* bumped by the main thread */
	unsigned int done;		/* acknowledged commands */
	bool stop;
};

enum { READER_HOLD = 1, READER_READ, READER_QUIESCE };

static unsigned int reader_op;

static void
reader_run(struct reader *r, unsigned int op)
{
	if (op == READER_HOLD)
		r->held = dp_sad_get(r->sad, r->id);
	else if (op == READER_READ)
		r->spi_seen = r->held->p.spi;
	else if (op == READER_QUIESCE)
		rte_rcu_qsbr_quiescent(r->v, 0);
}

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
		reader_run(r, __atomic_load_n(&reader_op, __ATOMIC_ACQUIRE));
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

	__atomic_store_n(&reader_op, op, __ATOMIC_RELEASE);
	__atomic_store_n(&r->cmd, cmd, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != cmd)
		sched_yield();
}

static struct rte_rcu_qsbr *
qsbr_new(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("t_sa_qsbr", sz, RTE_CACHE_LINE_SIZE);

	CU_ASSERT_FATAL(v != NULL && rte_rcu_qsbr_init(v, 1) == 0);
	return v;
}

/* Delete and add through grace periods (table full): ids and hash key
 * positions come back only after the reader was quiescent. */
static void
reclaim_churn(struct reader *r, uint32_t id)
{
	unsigned int errors = 0;
	char err[128];

	for (uint32_t i = 0; i < CHURN; i++) {
		struct dp_sa_params p = gcm_in(0x7100 + i);

		reader_do(r, READER_QUIESCE);
		errors += dp_sa_delete(r->sad, id) != 0;
		errors += dp_sa_add(r->sad, &p, &id, err, sizeof(err)) != -ENOSPC;
		reader_do(r, READER_QUIESCE);
		errors += dp_sa_add(r->sad, &p, &id, err, sizeof(err)) != 0;
	}
	CU_ASSERT_EQUAL(errors, 0);
}

static void
test_deferred_reclaim(void)
{
	struct rte_rcu_qsbr *v = qsbr_new();
	struct dp_sad *sad = sad_new("t_sad_rcu", 2, v);
	struct dp_sa_params p = gcm_in(0x7001);
	struct reader r = { .v = v, .sad = sad };
	unsigned int freed0 = hook.freed, zero0 = hook.freed_zero;
	struct dp_sa *found;
	pthread_t th;
	uint32_t id;
	char err[128];

	r.id = add_ok(sad, &p);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, reader_main, &r) == 0);
	reader_do(&r, READER_HOLD);
	CU_ASSERT_PTR_EQUAL(r.held, dp_sad_get(sad, r.id));
	CU_ASSERT_EQUAL(dp_sa_delete(sad, r.id), 0);
	CU_ASSERT_PTR_NULL(dp_sad_get(sad, r.id));
	dp_sad_lookup_spi_bulk(sad, &p.spi, 1, &found);
	CU_ASSERT_PTR_NULL(found);
	/* The reader has not been quiescent: nothing is freed, however often
	 * the control core reclaims, and the SA is still readable. */
	for (int i = 0; i < 10; i++)
		dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(hook.freed, freed0);
	reader_do(&r, READER_READ);
	CU_ASSERT_EQUAL(r.spi_seen, 0x7001);
	CU_ASSERT_EQUAL(r.held->flags & DP_SA_F_ACTIVE, 0);	/* marked on delete */
	/* The SPI can be installed again at once; the id stays reserved,
	 * so with a table of 2 the next add finds no room. */
	id = add_ok(sad, &p);
	CU_ASSERT_NOT_EQUAL(id, r.id);
	p = gcm_in(0x7002);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_EQUAL(hook.freed, freed0);
	/* Quiescent: the next reclaim frees it, keys zeroized. */
	reader_do(&r, READER_QUIESCE);
	dp_sad_reclaim(sad);
	CU_ASSERT_EQUAL(hook.freed, freed0 + 1);
	CU_ASSERT_EQUAL(hook.freed_zero, zero0 + 1);
	CU_ASSERT_EQUAL(hook.last_spi, 0x7001);
	/* dp_sa_add reclaims by itself when the table is full. */
	CU_ASSERT_EQUAL(dp_sa_delete(sad, id), 0);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), 0);	/* old id free */
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -EEXIST);
	p = gcm_in(0x7003);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), -ENOSPC);
	reader_do(&r, READER_QUIESCE);
	CU_ASSERT_EQUAL(dp_sa_add(sad, &p, &id, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(hook.freed, freed0 + 2);
	CU_ASSERT_EQUAL(hook.last_spi, 0x7001);
	reclaim_churn(&r, id);
	CU_ASSERT_EQUAL(hook.freed, freed0 + 2 + CHURN);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	dp_sad_free(sad);				/* the two left, zeroized */
	CU_ASSERT_EQUAL(hook.freed, freed0 + 4 + CHURN);
	CU_ASSERT_EQUAL(hook.freed_zero, zero0 + 4 + CHURN);
	rte_free(v);
}

struct reserver {
	struct dp_sa *sa;
	uint64_t *first;		/* RESERVE_CALLS */
};

static uint32_t
reserve_n(unsigned int i)
{
	return 1 + i % RESERVE_N_MAX;
}

static void *
reserver_main(void *arg)
{
	struct reserver *r = arg;

	for (unsigned int i = 0; i < RESERVE_CALLS; i++)
		r->first[i] = dp_sa_seq_reserve(r->sa, reserve_n(i));
	return NULL;
}

/* Every number 1..total handed out exactly once. */
static unsigned int
coverage_errors(const struct reserver *rs, unsigned int n_rs, uint64_t total)
{
	uint8_t *hits = calloc(total + 1, 1);
	unsigned int errors = 0;

	CU_ASSERT_FATAL(hits != NULL);
	for (unsigned int t = 0; t < n_rs; t++) {
		for (unsigned int i = 0; i < RESERVE_CALLS; i++) {
			uint64_t f = rs[t].first[i];

			if (f == 0 || f + reserve_n(i) - 1 > total) {
				errors++;
				continue;
			}
			for (uint64_t s = f; s < f + reserve_n(i); s++)
				hits[s]++;
		}
	}
	for (uint64_t s = 1; s <= total; s++)
		errors += hits[s] != 1;
	free(hits);
	return errors;
}

static void
test_seq_reserve_concurrent(void)
{
	struct dp_sad *sad = sad_new("t_sad_seq", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0x8001);
	struct dp_sa *sa = dp_sad_get(sad, add_ok(sad, &p));
	struct reserver rs[2];
	pthread_t th[2];
	uint64_t total = 0;

	for (unsigned int i = 0; i < RESERVE_CALLS; i++)
		total += 2 * reserve_n(i);
	for (unsigned int t = 0; t < 2; t++) {
		rs[t].sa = sa;
		rs[t].first = calloc(RESERVE_CALLS, sizeof(uint64_t));
		CU_ASSERT_FATAL(rs[t].first != NULL);
	}
	for (unsigned int t = 0; t < 2; t++)
		CU_ASSERT_FATAL(pthread_create(&th[t], NULL, reserver_main, &rs[t]) == 0);
	for (unsigned int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	CU_ASSERT_EQUAL(total, 2500000);
	CU_ASSERT_EQUAL(sa->out->seq, total);
	CU_ASSERT_EQUAL(coverage_errors(rs, 2, total), 0);
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE);
	for (unsigned int t = 0; t < 2; t++)
		free(rs[t].first);
	dp_sad_free(sad);
}

static struct dp_sa_seq_state
out_state(const struct dp_sa *sa, uint64_t out_seq, uint16_t epoch, uint64_t start)
{
	struct dp_sa_seq_state s;

	dp_sa_seq_export(sa, &s);
	s.out_seq = out_seq;
	s.iv_epoch = epoch;
	s.epoch_start_seq = start;
	return s;
}

static void
test_seq_exhaustion(void)
{
	struct dp_sad *sad = sad_new("t_sad_exh", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0x8002);
	struct dp_sa *a = dp_sad_get(sad, add_ok(sad, &p));
	struct dp_sa *b = dp_sad_get(sad, add_ok(sad, &p));
	struct dp_sa *c, *d;
	struct dp_sa_seq_state s;

	/* Without ESN: the last number is 2^32 - 1. */
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 1), 1);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 0), 0);
	s = out_state(a, UINT32_MAX - 3, 0, 0);
	CU_ASSERT_EQUAL(dp_sa_seq_import(a, &s), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_import(b, &s), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 3), UINT32_MAX - 2);	/* ..2^32-1 */
	CU_ASSERT_EQUAL(a->flags, DP_SA_F_ACTIVE);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 1), 0);
	CU_ASSERT_EQUAL(a->flags, DP_SA_F_ACTIVE | DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 1), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(b, 4), 0);			/* not partly */
	CU_ASSERT_EQUAL(b->flags & DP_SA_F_HARD_EXPIRED, DP_SA_F_HARD_EXPIRED);
	/* With ESN: 2^64 - 1 (in a late epoch that starts near the end). */
	p.esn = true;
	c = dp_sad_get(sad, add_ok(sad, &p));
	s = out_state(c, UINT64_MAX - 5, 2, UINT64_MAX - 100);
	CU_ASSERT_EQUAL(dp_sa_seq_import(c, &s), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(c, 5), UINT64_MAX - 4);	/* ..2^64-1 */
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(c, 1), 0);
	CU_ASSERT_EQUAL(c->flags & DP_SA_F_HARD_EXPIRED, DP_SA_F_HARD_EXPIRED);
	/* With ESN, one epoch: at most 2^48 - 1 numbers after its start. */
	d = dp_sad_get(sad, add_ok(sad, &p));
	s = out_state(d, EPOCH_SPACE - 3, 0, 0);
	CU_ASSERT_EQUAL(dp_sa_seq_import(d, &s), 0);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(d, 2), EPOCH_SPACE - 2);	/* ..2^48-1 */
	CU_ASSERT_EQUAL(d->flags, DP_SA_F_ACTIVE);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(d, 1), 0);
	CU_ASSERT_EQUAL(d->flags & DP_SA_F_HARD_EXPIRED, DP_SA_F_HARD_EXPIRED);
	dp_sad_free(sad);
}

static void
test_iv_nonce(void)
{
	struct dp_sad *sad = sad_new("t_sad_iv", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0x8003);
	struct dp_sa *sa;
	struct dp_sa_seq_state s;

	p.esn = true;
	sa = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(sa->out->iv_epoch, 0);
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(sa, 1), 1);
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(sa, UINT64_C(0x123456789abcdef0)),
			UINT64_C(0x000056789abcdef0));
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(sa, 7), 1);
	dp_sa_take_over(sa, 1, 1000);
	CU_ASSERT_EQUAL(sa->out->iv_epoch, 3);			/* gen 1, node 1 */
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(sa, 1), 1008);	/* 7 + 1000 + 1 */
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(sa, 1008), UINT64_C(0x00030000000003f0));
	CU_ASSERT_EQUAL(dp_sa_iv_nonce(sa, UINT64_C(0xfedcba9876543210)),
			UINT64_C(0x0003ba9876543210));
	dp_sa_seq_export(sa, &s);
	CU_ASSERT_EQUAL(s.spi, 0x8003);
	CU_ASSERT_EQUAL(s.dir, DP_SA_OUTBOUND);
	CU_ASSERT_EQUAL(s.out_seq, 1008);
	CU_ASSERT_EQUAL(s.iv_epoch, 3);
	CU_ASSERT_EQUAL(s.epoch_start_seq, 1007);
	dp_sad_free(sad);
}

/* Two nodes hand an SA back and forth; in each round both also take over
 * from the same state at once (split brain). */
static unsigned int
takeover_round(struct dp_sa *a, struct dp_sa *b, uint16_t *last)
{
	struct dp_sa_seq_state s;
	unsigned int errors = 0;
	uint64_t sa_first, sb_first;

	dp_sa_seq_export(a, &s);
	errors += dp_sa_seq_import(b, &s) != 0;
	dp_sa_take_over(a, 0, 64);
	dp_sa_take_over(b, 1, 64);
	errors += a->out->iv_epoch == b->out->iv_epoch;
	errors += (a->out->iv_epoch & 1) != 0 || (b->out->iv_epoch & 1) != 1;
	errors += (a->out->iv_epoch >> 1) != (b->out->iv_epoch >> 1);
	errors += a->out->iv_epoch <= *last;
	sa_first = dp_sa_seq_reserve(a, NONCES);
	sb_first = dp_sa_seq_reserve(b, NONCES);
	errors += sa_first == 0 || sa_first != sb_first;	/* same numbers ... */
	for (uint64_t i = 0; i < NONCES; i++)			/* ... other nonces */
		errors += dp_sa_iv_nonce(a, sa_first + i) == dp_sa_iv_nonce(b, sb_first + i) ||
			  dp_sa_iv_nonce(a, sa_first + i) >> DP_SA_IV_COUNTER_BITS !=
				  a->out->iv_epoch;
	*last = b->out->iv_epoch;
	/* The node that lost hands its state back: epochs only rise. */
	dp_sa_seq_export(b, &s);
	errors += dp_sa_seq_import(a, &s) != 0;
	errors += a->out->iv_epoch != b->out->iv_epoch || a->out->seq != b->out->seq;
	return errors;
}

static void
test_takeover_epochs(void)
{
	struct dp_sad *sad = sad_new("t_sad_ho", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0x8004);
	struct dp_sa *a, *b;
	struct dp_sa_seq_state s;
	uint16_t last = 0;
	unsigned int errors = 0;

	p.esn = true;
	a = dp_sad_get(sad, add_ok(sad, &p));
	b = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(a, 10), 1);
	for (unsigned int r = 0; r < TAKEOVER_ROUNDS; r++)
		errors += takeover_round(a, b, &last);
	CU_ASSERT_EQUAL(errors, 0);
	CU_ASSERT_EQUAL(last, 2 * TAKEOVER_ROUNDS + 1);
	/* Import never moves back: lower counter, older epoch, wrong SA. */
	dp_sa_seq_export(a, &s);
	s.out_seq = 5;
	s.iv_epoch = 1;
	s.epoch_start_seq = 0;
	CU_ASSERT_EQUAL(dp_sa_seq_import(a, &s), 0);
	CU_ASSERT_EQUAL(a->out->iv_epoch, last);
	CU_ASSERT_EQUAL(a->out->seq, b->out->seq);
	CU_ASSERT_EQUAL(a->out->epoch_start_seq, b->out->epoch_start_seq);
	s.spi = 0x8005;
	CU_ASSERT_EQUAL(dp_sa_seq_import(a, &s), -EINVAL);
	s.spi = 0x8004;
	s.dir = DP_SA_INBOUND;
	CU_ASSERT_EQUAL(dp_sa_seq_import(a, &s), -EINVAL);
	/* The last generation: 0xfffd -> 0xffff works, 0xfffe cannot move. */
	s = out_state(a, a->out->seq, 0xfffd, a->out->seq);
	CU_ASSERT_EQUAL(dp_sa_seq_import(a, &s), 0);
	dp_sa_take_over(a, 1, 0);
	CU_ASSERT_EQUAL(a->out->iv_epoch, 0xffff);
	CU_ASSERT_EQUAL(a->flags, DP_SA_F_ACTIVE);
	s = out_state(b, b->out->seq, 0xfffe, b->out->seq);
	CU_ASSERT_EQUAL(dp_sa_seq_import(b, &s), 0);
	dp_sa_take_over(b, 0, 0);
	CU_ASSERT_EQUAL(b->out->iv_epoch, 0xfffe);
	CU_ASSERT_EQUAL(b->flags & DP_SA_F_HARD_EXPIRED, DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_seq_reserve(b, 1), 0);
	dp_sad_free(sad);
}

static void
test_inbound_seq_state(void)
{
	struct dp_sad *sad = sad_new("t_sad_inw", SMALL, NULL);
	struct dp_sa_params p = gcm_in(0x9001);
	struct dp_sa *a = dp_sad_get(sad, add_ok(sad, &p));
	struct dp_sa *b;
	struct dp_sa_seq_state s;
	uint64_t seq;

	p.spi = 0x9002;
	b = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_replay_update(&a->win, 500), 0);
	CU_ASSERT_EQUAL(dp_replay_update(&a->win, 480), 0);
	dp_sa_seq_export(a, &s);
	CU_ASSERT_EQUAL(s.dir, DP_SA_INBOUND);
	CU_ASSERT_EQUAL(s.win.top, 500);
	CU_ASSERT_EQUAL(dp_sa_seq_import(b, &s), -EINVAL);	/* other SPI */
	s.spi = 0x9002;
	CU_ASSERT_EQUAL(dp_sa_seq_import(b, &s), 0);
	CU_ASSERT_EQUAL(b->win.top, 500);
	CU_ASSERT_EQUAL(dp_replay_check(&b->win, 480, &seq), -1);
	CU_ASSERT_EQUAL(dp_replay_check(&b->win, 481, &seq), 0);
	dp_sad_free(sad);
}

static void
test_account(void)
{
	struct dp_sad *sad = sad_new("t_sad_acct", SMALL, NULL);
	struct dp_sa_params p = gcm_out(0xa001);
	struct dp_sa *sa, *sb, *sc;

	p.soft.packets = 10;
	p.hard.packets = 20;
	sa = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_account(sa, 5, 500), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 4, 400), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 100), DP_SA_F_SOFT_EXPIRED);	/* 10 */
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 100), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sa, 8, 800), 0);				/* 19 */
	CU_ASSERT_EQUAL(dp_sa_account(sa, 1, 100), DP_SA_F_HARD_EXPIRED);	/* 20 */
	CU_ASSERT_EQUAL(dp_sa_account(sa, 30, 3000), 0);
	CU_ASSERT_EQUAL(sa->stats.packets, 50);
	CU_ASSERT_EQUAL(sa->stats.bytes, 5000);
	CU_ASSERT_EQUAL(sa->flags,
			DP_SA_F_ACTIVE | DP_SA_F_SOFT_EXPIRED | DP_SA_F_HARD_EXPIRED);
	/* Bytes; both limits crossed by one burst: both flags at once. */
	p = gcm_out(0xa002);
	p.soft.bytes = 1000;
	p.hard.bytes = 2000;
	sb = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_account(sb, 1, 999), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sb, 1, 1), DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_account(sb, 1, 999), 0);
	CU_ASSERT_EQUAL(dp_sa_account(sb, 1, 1), DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_account(sb, 1, 1), 0);
	p = gcm_out(0xa003);
	p.soft.bytes = 1000;
	p.hard.packets = 2;
	sc = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_account(sc, 2, 5000),
			DP_SA_F_SOFT_EXPIRED | DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(dp_sa_account(sc, 2, 5000), 0);
	/* No limits: never. Clearing keeps what the lifetimes count. */
	sc->stats.drops[DP_SA_DROP_REPLAY] = 3;
	sc->stats.drops[DP_SA_DROP_MTU] = 4;
	dp_sa_clear_stats(sc);
	CU_ASSERT_EQUAL(sc->stats.drops[DP_SA_DROP_REPLAY], 0);
	CU_ASSERT_EQUAL(sc->stats.drops[DP_SA_DROP_MTU], 0);
	CU_ASSERT_EQUAL(sc->stats.packets, 4);
	CU_ASSERT_EQUAL(sc->stats.bytes, 10000);
	p = gcm_out(0xa004);
	sa = dp_sad_get(sad, add_ok(sad, &p));
	CU_ASSERT_EQUAL(dp_sa_account(sa, UINT32_MAX, UINT64_MAX / 2), 0);
	CU_ASSERT_EQUAL(sa->flags, DP_SA_F_ACTIVE);
	dp_sad_free(sad);
}

static int
eal_init(void)
{
	char *argv[] = {
		"test_sa", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
		"--file-prefix", "test_sa", "-l", "0", "--log-level=3",
	};

	return rte_eal_init((int)DIM(argv), argv);
}

int
main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (eal_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	mgr = dp_esp_mgr_create();
	if (mgr == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("sa", NULL, NULL);
	CU_add_test(s, "add, lookup, delete", test_add_lookup_delete);
	CU_add_test(s, "an id's slot reused from nothing", test_slot_reuse);
	CU_add_test(s, "bulk lookup of 64", test_lookup_bulk_64);
	CU_add_test(s, "overhead and owner", test_overhead_owner);
	CU_add_test(s, "duplicate SPI", test_duplicate_spi);
	CU_add_test(s, "table full", test_table_full);
	CU_add_test(s, "parameter checks", test_validation);
	CU_add_test(s, "no manager, bad create", test_no_manager);
	CU_add_test(s, "deferred reclamation with a reader", test_deferred_reclaim);
	CU_add_test(s, "sequence reservation from two threads", test_seq_reserve_concurrent);
	CU_add_test(s, "sequence space exhaustion", test_seq_exhaustion);
	CU_add_test(s, "IV nonce layout", test_iv_nonce);
	CU_add_test(s, "takeover epochs", test_takeover_epochs);
	CU_add_test(s, "inbound window export/import", test_inbound_seq_state);
	CU_add_test(s, "lifetime accounting", test_account);
	failures = cu_run_count();
	dp_esp_mgr_free(mgr);
	rte_eal_cleanup();
	return cu_exit_status(failures);
}
