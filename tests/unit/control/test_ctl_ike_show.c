/*
 * Unit tests of control/ctl_ike_json.c: the exact JSON and text
 * (tools/json_text.c) of `show ike-sas`, `show child-sas` and `show ike
 * stats` from fixed IKE SA and CHILD SA records given through a fake
 * walker (no IKE daemon), that no key byte appears, and a failing walk.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "control/ctl_ike_json.h"
#include "ike/ike_id.h"
#include "tests/unit/cu_run.h"
#include "tools/json_text.h"

enum {
	NOW = 1700000000,		/* wall clock of the show commands */
	N_SAS = 2,
	N_CHILDREN = 2,
	KEY_BYTE = 0xa5,		/* every key byte of the records */
	WALK_ERR = -EIO,
};

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static struct ike_sa_state sas[N_SAS];
static struct ike_child_state children[N_CHILDREN];
static bool walk_fails;

/* ---- the records ---- */

static void
addr_set(struct ike_addr *a, int family, const char *text, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	a->port = port;
	if (inet_pton(family, text, a->ip) != 1)
		abort();
}

static void
ts_set(struct ike_ts *ts, int family, uint8_t proto, const char *lo, const char *hi,
       uint16_t plo, uint16_t phi)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	ts->ip_proto = proto;
	ts->start_port = plo;
	ts->end_port = phi;
	if (inet_pton(family, lo, ts->start) != 1 || inet_pton(family, hi, ts->end) != 1)
		abort();
}

static void
keys_fill(struct ike_key *k, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		k[i].len = 32;
		memset(k[i].bytes, KEY_BYTE, sizeof(k[i].bytes));
	}
}

/* A road warrior behind a NAT, established; and an IPv6 initiation. */
static void
sas_fill(void)
{
	struct ike_sa_state *a = &sas[0], *b = &sas[1];

	memset(sas, 0, sizeof(sas));
	a->id = 1;
	a->spi_i = 0x0123456789abcdefULL;
	a->spi_r = 0xfedcba9876543210ULL;
	a->phase = IKE_SA_PHASE_ESTABLISHED;
	a->msgid_send = 2;
	a->msgid_recv = 5;
	a->window_local = a->window_remote = 1;
	addr_set(&a->local, AF_INET, "192.0.2.1", 4500);
	addr_set(&a->remote, AF_INET, "198.51.100.7", 31000);
	a->nat_remote = a->natt = true;
	a->peer_fragmentation = a->peer_msgid_sync = true;
	a->auth_local = IKE_AUTH_DIGITAL_SIGNATURE;
	a->auth_remote = IKE_AUTH_PSK;
	a->auth_ok = true;
	a->established_time = NOW - 61;
	a->rekey_time = NOW + 3539;
	a->expire_time = NOW + 3899;
	a->last_recv_time = NOW - 3;
	a->dpd_interval = 30;
	a->n_children = 2;
	a->child_ids[0] = 11;
	a->child_ids[1] = 12;
	snprintf(a->name, sizeof(a->name), "rw");
	a->suite = (struct ike_suite){ .encr = IKE_ENCR_AES_GCM_16, .encr_key_bits = 256,
				       .prf = IKE_PRF_HMAC_SHA2_256, .dh = IKE_DH_ECP_256 };
	keys_fill(&a->sk_d, 7);
	if (ike_id_from_string(&a->id_local, "gw.example.org") < 0 ||
	    ike_id_from_string(&a->id_remote, "carol@example.org") < 0)
		abort();
	addr_set(&a->vip4.addr, AF_INET, "10.9.0.6", 0);
	snprintf(a->vip4.pool, sizeof(a->vip4.pool), "rw4");

	b->id = 2;
	b->spi_i = 0x1111222233334444ULL;
	b->phase = IKE_SA_PHASE_INIT_SENT;
	b->initiator = true;
	b->msgid_send = 1;
	b->window_local = b->window_remote = 1;
	addr_set(&b->local, AF_INET6, "2001:db8::1", 500);
	addr_set(&b->remote, AF_INET6, "2001:db8:f::2", 500);
	snprintf(b->name, sizeof(b->name), "site-b");
}

static void
children_fill(void)
{
	struct ike_child_state *c = &children[0], *d = &children[1];

	memset(children, 0, sizeof(children));
	c->id = 11;
	c->ike_sa_id = 1;
	c->spi_in = 0xc1000001;
	c->spi_out = 0x0a0b0c0d;
	c->reqid = 3;
	c->replay_window = 128;
	c->protocol = IKE_PROTO_ESP;
	c->mode = IKE_CHILD_MODE_TUNNEL;
	c->udp_encap = true;
	c->encap_local_port = 4500;
	c->encap_remote_port = 31000;
	c->life = (struct ike_child_lifetime){ .soft_bytes = 1000000, .hard_bytes = 1100000,
					       .soft_seconds = 3600, .hard_seconds = 3960,
					       .install_time = NOW - 61 };
	c->suite = (struct ike_suite){ .encr = IKE_ENCR_AES_GCM_16, .encr_key_bits = 128,
				       .esn = IKE_ESN_YES };
	snprintf(c->name, sizeof(c->name), "net");
	keys_fill(&c->encr_i, 4);
	c->ts_local.n = 1;
	ts_set(&c->ts_local.ts[0], AF_INET, 0, "0.0.0.0", "255.255.255.255", 0, 65535);
	c->ts_remote.n = 1;
	ts_set(&c->ts_remote.ts[0], AF_INET, 0, "10.9.0.6", "10.9.0.6", 0, 65535);

	d->id = 12;
	d->ike_sa_id = 1;
	d->spi_in = 0xc1000002;
	d->spi_out = 0x0a0b0c0e;
	d->reqid = 4;
	d->initiator = true;
	d->protocol = IKE_PROTO_ESP;
	d->mode = IKE_CHILD_MODE_TRANSPORT;
	d->rekey = IKE_CHILD_REKEY_REKEYED;
	d->replaces_id = 10;
	d->replaced_by_id = 13;
	d->life = (struct ike_child_lifetime){ .soft_packets = 500, .hard_packets = 600,
					       .soft_seconds = 60, .install_time = NOW - 100 };
	d->suite = (struct ike_suite){ .encr = IKE_ENCR_AES_CBC, .encr_key_bits = 128,
				       .integ = IKE_INTEG_HMAC_SHA2_256_128,
				       .esn = IKE_ESN_NO };
	snprintf(d->name, sizeof(d->name), "web");
	keys_fill(&d->encr_i, 4);
	d->ts_local.n = 2;
	ts_set(&d->ts_local.ts[0], AF_INET, IPPROTO_TCP, "192.0.2.1", "192.0.2.1", 80, 80);
	ts_set(&d->ts_local.ts[1], AF_INET, IPPROTO_TCP, "192.0.2.1", "192.0.2.1", 443, 443);
	d->ts_remote.n = 1;
	ts_set(&d->ts_remote.ts[0], AF_INET, IPPROTO_TCP, "198.51.100.7", "198.51.100.9",
	       1024, 65535);
}

/* ---- the fake walker ---- */

static int
fake_sas(const void *src, int (*cb)(const struct ike_sa_state *sa, void *arg), void *arg)
{
	(void)src;
	for (unsigned int i = 0; i < N_SAS; i++) {
		int rc = cb(&sas[i], arg);

		if (rc != 0)
			return rc;
	}
	return walk_fails ? WALK_ERR : 0;
}

static int
fake_children(const void *src, uint64_t ike_sa_id,
	      int (*cb)(const struct ike_child_state *child, void *arg), void *arg)
{
	(void)src;
	for (unsigned int i = 0; i < N_CHILDREN; i++) {
		int rc = children[i].ike_sa_id == ike_sa_id ? cb(&children[i], arg) : 0;

		if (rc != 0)
			return rc;
	}
	return 0;
}

static const struct ctl_ike_walker walker = {
	.sa_foreach = fake_sas,
	.child_foreach = fake_children,
	.src = NULL,
};

/* ---- expected answers ---- */

static const char want_sas[] =
	"[{\"id\":1,\"connection\":\"rw\",\"state\":\"established\",\"role\":\"responder\","
	"\"local\":\"192.0.2.1:4500\",\"remote\":\"198.51.100.7:31000\",\"nat_local\":false,"
	"\"nat_remote\":true,\"natt\":true,\"spi_i\":\"0x0123456789abcdef\","
	"\"spi_r\":\"0xfedcba9876543210\","
	"\"suite\":\"AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256\","
	"\"auth_local\":\"digital-signature\",\"auth_remote\":\"psk\","
	"\"local_id\":\"gw.example.org\",\"remote_id\":\"carol@example.org\","
	"\"remote_cert\":null,\"virtual_ips\":[\"10.9.0.6\"],\"established\":1699999939,"
	"\"age_s\":61,\"rekey_in_s\":3539,\"reauth_in_s\":null,\"expire_in_s\":3899,"
	"\"last_recv_s\":3,\"dpd_interval_s\":30,\"msgid_send\":2,\"msgid_recv\":5,"
	"\"window_local\":1,\"window_remote\":1,\"children\":[11,12],"
	"\"peer\":{\"fragmentation\":true,\"message_id_sync\":true,\"mobike\":false,"
	"\"redirect\":false}},"
	"{\"id\":2,\"connection\":\"site-b\",\"state\":\"init-sent\",\"role\":\"initiator\","
	"\"local\":\"[2001:db8::1]:500\",\"remote\":\"[2001:db8:f::2]:500\","
	"\"nat_local\":false,\"nat_remote\":false,\"natt\":false,"
	"\"spi_i\":\"0x1111222233334444\",\"spi_r\":\"0x0000000000000000\",\"suite\":null,"
	"\"auth_local\":null,\"auth_remote\":null,\"local_id\":null,\"remote_id\":null,"
	"\"remote_cert\":null,\"virtual_ips\":[],\"established\":null,\"age_s\":null,"
	"\"rekey_in_s\":null,\"reauth_in_s\":null,\"expire_in_s\":null,\"last_recv_s\":null,"
	"\"dpd_interval_s\":null,\"msgid_send\":1,\"msgid_recv\":0,\"window_local\":1,"
	"\"window_remote\":1,\"children\":[],"
	"\"peer\":{\"fragmentation\":false,\"message_id_sync\":false,\"mobike\":false,"
	"\"redirect\":false}}]";

static const char text_sas[] =
	"id:              1\n"
	"connection:      rw\n"
	"state:           established\n"
	"role:            responder\n"
	"local:           192.0.2.1:4500\n"
	"remote:          198.51.100.7:31000\n"
	"nat_local:       no\n"
	"nat_remote:      yes\n"
	"natt:            yes\n"
	"spi_i:           0x0123456789abcdef\n"
	"spi_r:           0xfedcba9876543210\n"
	"suite:           AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256\n"
	"auth_local:      digital-signature\n"
	"auth_remote:     psk\n"
	"local_id:        gw.example.org\n"
	"remote_id:       carol@example.org\n"
	"remote_cert:     -\n"
	"virtual_ips:     10.9.0.6\n"
	"established:     1699999939\n"
	"age_s:           61\n"
	"rekey_in_s:      3539\n"
	"reauth_in_s:     -\n"
	"expire_in_s:     3899\n"
	"last_recv_s:     3\n"
	"dpd_interval_s:  30\n"
	"msgid_send:      2\n"
	"msgid_recv:      5\n"
	"window_local:    1\n"
	"window_remote:   1\n"
	"children:        11, 12\n"
	"peer:\n"
	"  fragmentation:    yes\n"
	"  message_id_sync:  yes\n"
	"  mobike:           no\n"
	"  redirect:         no\n"
	"\n"
	"id:              2\n"
	"connection:      site-b\n"
	"state:           init-sent\n"
	"role:            initiator\n"
	"local:           [2001:db8::1]:500\n"
	"remote:          [2001:db8:f::2]:500\n"
	"nat_local:       no\n"
	"nat_remote:      no\n"
	"natt:            no\n"
	"spi_i:           0x1111222233334444\n"
	"spi_r:           0x0000000000000000\n"
	"suite:           -\n"
	"auth_local:      -\n"
	"auth_remote:     -\n"
	"local_id:        -\n"
	"remote_id:       -\n"
	"remote_cert:     -\n"
	"virtual_ips:     -\n"
	"established:     -\n"
	"age_s:           -\n"
	"rekey_in_s:      -\n"
	"reauth_in_s:     -\n"
	"expire_in_s:     -\n"
	"last_recv_s:     -\n"
	"dpd_interval_s:  -\n"
	"msgid_send:      1\n"
	"msgid_recv:      0\n"
	"window_local:    1\n"
	"window_remote:   1\n"
	"children:        -\n"
	"peer:\n"
	"  fragmentation:    no\n"
	"  message_id_sync:  no\n"
	"  mobike:           no\n"
	"  redirect:         no\n";

static const char want_children[] =
	"[{\"id\":11,\"ike_sa\":1,\"name\":\"net\",\"role\":\"responder\","
	"\"spi_in\":\"0xc1000001\",\"spi_out\":\"0x0a0b0c0d\",\"mode\":\"tunnel\","
	"\"suite\":\"AES_GCM_16_128/EXT_SEQ\",\"esn\":true,\"udp_encap\":true,"
	"\"local_port\":4500,\"remote_port\":31000,\"local_ts\":[\"0.0.0.0/0\"],"
	"\"remote_ts\":[\"10.9.0.6/32\"],\"reqid\":3,\"installed\":1699999939,\"age_s\":61,"
	"\"rekey_in_s\":3539,\"expire_in_s\":3899,\"rekey_state\":\"none\","
	"\"replaces\":null,\"replaced_by\":null,"
	"\"lifetime\":{\"soft_bytes\":1000000,\"hard_bytes\":1100000,\"soft_packets\":null,"
	"\"hard_packets\":null,\"soft_seconds\":3600,\"hard_seconds\":3960}},"
	"{\"id\":12,\"ike_sa\":1,\"name\":\"web\",\"role\":\"initiator\","
	"\"spi_in\":\"0xc1000002\",\"spi_out\":\"0x0a0b0c0e\",\"mode\":\"transport\","
	"\"suite\":\"AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ\",\"esn\":false,"
	"\"udp_encap\":false,\"local_port\":null,\"remote_port\":null,"
	"\"local_ts\":[\"192.0.2.1/32[tcp/80]\",\"192.0.2.1/32[tcp/443]\"],"
	"\"remote_ts\":[\"198.51.100.7..198.51.100.9[tcp/1024-65535]\"],\"reqid\":4,"
	"\"installed\":1699999900,\"age_s\":100,\"rekey_in_s\":0,\"expire_in_s\":null,"
	"\"rekey_state\":\"rekeyed\",\"replaces\":10,\"replaced_by\":13,"
	"\"lifetime\":{\"soft_bytes\":null,\"hard_bytes\":null,\"soft_packets\":500,"
	"\"hard_packets\":600,\"soft_seconds\":60,\"hard_seconds\":null}}]";

static const char text_child_12[] =
	"id:           12\n"
	"ike_sa:       1\n"
	"name:         web\n"
	"role:         initiator\n"
	"spi_in:       0xc1000002\n"
	"spi_out:      0x0a0b0c0e\n"
	"mode:         transport\n"
	"suite:        AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ\n"
	"esn:          no\n"
	"udp_encap:    no\n"
	"local_port:   -\n"
	"remote_port:  -\n"
	"local_ts:     192.0.2.1/32[tcp/80], 192.0.2.1/32[tcp/443]\n"
	"remote_ts:    198.51.100.7..198.51.100.9[tcp/1024-65535]\n"
	"reqid:        4\n"
	"installed:    1699999900\n"
	"age_s:        100\n"
	"rekey_in_s:   0\n"
	"expire_in_s:  -\n"
	"rekey_state:  rekeyed\n"
	"replaces:     10\n"
	"replaced_by:  13\n"
	"lifetime:\n"
	"  soft_bytes:    -\n"
	"  hard_bytes:    -\n"
	"  soft_packets:  500\n"
	"  hard_packets:  600\n"
	"  soft_seconds:  60\n"
	"  hard_seconds:  -\n";

static const char want_stats[] =
	"{\"ike_sas\":2,\"child_sas\":2,\"half_open\":1,\"rx_msgs\":1,\"tx_msgs\":2,"
	"\"rx_invalid\":3,\"rx_bad_icv\":4,\"rx_unknown_spi\":5,\"rx_retransmits\":6,"
	"\"tx_retransmits\":7,\"cookies_sent\":8,\"half_open_rejected\":9,\"auth_failed\":10,"
	"\"no_proposal\":11,\"ike_sas_established\":12,\"child_sas_installed\":13}";

static const char text_stats[] =
	"ike_sas:               2\n"
	"child_sas:             2\n"
	"half_open:             1\n"
	"rx_msgs:               1\n"
	"tx_msgs:               2\n"
	"rx_invalid:            3\n"
	"rx_bad_icv:            4\n"
	"rx_unknown_spi:        5\n"
	"rx_retransmits:        6\n"
	"tx_retransmits:        7\n"
	"cookies_sent:          8\n"
	"half_open_rejected:    9\n"
	"auth_failed:          10\n"
	"no_proposal:          11\n"
	"ike_sas_established:  12\n"
	"child_sas_installed:  13\n";

/* ---- checks ---- */

static void
check_json(struct json_object *o, const char *want)
{
	const char *got = o != NULL ? json_object_to_json_string_ext(o, JSON_FLAGS) : "(null)";

	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:  %s\nwant: %s\n", got, want);
}

static void
check_text(struct json_object *o, const char *want)
{
	char *got = json_text_render(o);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", got, want);
	free(got);
}

/* No key byte in the JSON, as hex or raw. */
static void
check_no_keys(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_FLAGS);
	char raw[4] = { (char)KEY_BYTE, (char)KEY_BYTE, (char)KEY_BYTE, 0 };

	CU_ASSERT_PTR_NULL(strstr(s, "a5a5"));
	CU_ASSERT_PTR_NULL(strstr(s, "A5A5"));
	CU_ASSERT_PTR_NULL(strstr(s, raw));
}

static void
test_ike_sas(void)
{
	struct json_object *o = ctl_ike_sas_json(&walker, NOW, NULL);

	check_json(o, want_sas);
	check_text(o, text_sas);
	check_no_keys(o);
	json_object_put(o);
}

/* ids of the records in a page, as "1,2". */
static void
page_ids(struct json_object *o, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; o != NULL && i < json_object_array_length(o); i++) {
		struct json_object *id;

		json_object_object_get_ex(json_object_array_get_idx(o, i), "id", &id);
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					json_object_get_string(id));
	}
	json_object_put(o);
}

static void
test_pages(void)
{
	const struct { uint64_t from, count; const char *sas, *children; } cases[] = {
		{ 0, 0, "1,2", "11,12" }, { 0, 1, "1", "11" }, { 1, 1, "2", "12" },
		{ 1, 0, "2", "12" }, { 1, 5, "2", "12" }, { 2, 1, "", "" }, { 9, 0, "", "" },
	};
	char got[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_ike_page p = { cases[i].from, cases[i].count };

		page_ids(ctl_ike_sas_json(&walker, NOW, &p), got, sizeof(got));
		CU_ASSERT_STRING_EQUAL(got, cases[i].sas);
		page_ids(ctl_ike_children_json(&walker, NOW, &p), got, sizeof(got));
		CU_ASSERT_STRING_EQUAL(got, cases[i].children);
	}
}

static void
test_child_sas(void)
{
	struct json_object *o = ctl_ike_children_json(&walker, NOW, NULL);
	struct json_object *one;

	check_json(o, want_children);
	check_no_keys(o);
	one = ctl_ike_child_json(&children[1], NOW);
	check_text(one, text_child_12);
	json_object_put(one);
	json_object_put(o);
}

static void
test_stats(void)
{
	struct ike_stats st = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	struct json_object *o = ctl_ike_stats_json(&walker, &st, 1);

	check_json(o, want_stats);
	check_text(o, text_stats);
	json_object_put(o);
}

/* Unknown states and methods are named by number; passed deadlines show 0. */
static void
test_odd_values(void)
{
	struct ike_sa_state s = sas[0];
	struct json_object *o, *v;

	s.phase = IKE_SA_PHASE_COUNT;
	s.auth_local = 99;
	s.rekey_time = NOW - 5;
	s.established_time = NOW + 5;	/* clock stepped back: age 0 */
	o = ctl_ike_sa_json(&s, NOW);
	CU_ASSERT(json_object_object_get_ex(o, "state", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "unknown-8");
	CU_ASSERT(json_object_object_get_ex(o, "auth_local", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "99");
	CU_ASSERT(json_object_object_get_ex(o, "rekey_in_s", &v));
	CU_ASSERT_EQUAL(json_object_get_uint64(v), 0);
	CU_ASSERT(json_object_object_get_ex(o, "age_s", &v));
	CU_ASSERT_EQUAL(json_object_get_uint64(v), 0);
	json_object_put(o);
}

static void
test_walk_fails(void)
{
	struct ike_stats st = { 0 };

	walk_fails = true;
	CU_ASSERT_PTR_NULL(ctl_ike_sas_json(&walker, NOW, NULL));
	CU_ASSERT_PTR_NULL(ctl_ike_children_json(&walker, NOW, NULL));
	CU_ASSERT_PTR_NULL(ctl_ike_stats_json(&walker, &st, 0));
	walk_fails = false;
}

int
main(void)
{
	CU_pSuite s;
	unsigned int fails;

	sas_fill();
	children_fill();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ctl_ike_show", NULL, NULL);
	CU_add_test(s, "show ike-sas", test_ike_sas);
	CU_add_test(s, "show child-sas", test_child_sas);
	CU_add_test(s, "pages", test_pages);
	CU_add_test(s, "show ike stats", test_stats);
	CU_add_test(s, "odd values", test_odd_values);
	CU_add_test(s, "walk fails", test_walk_fails);
	fails = cu_run_count();
	return cu_exit_status(fails);
}
