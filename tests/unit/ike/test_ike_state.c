/*
 * Unit tests of the IKE SA / CHILD SA state records (ike/ike_state.h) and
 * their versioned TLV form (ike/ike_state_ser*.c): round trips of fully
 * populated and maximal records, the exact bytes of a small CHILD SA
 * record (written out by hand so the format cannot drift silently), the
 * maximum lengths, and wiping. The malformed records (truncation, unknown,
 * duplicate and missing TLVs, bad values, versions, -ENOSPC) are in
 * test_ike_state_bad.c; both run as one program.
 *
 * With IKE_STATE_CORPUS_DIR set, the valid records are also written there
 * as fuzz seeds (tests/fuzz/corpus/fuzz_ike_state/).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "ike/ike_state.h"
#include "ike/ike_state_ser.h"

#include "test_ike_state.h"
#include "tests/unit/cu_run.h"

uint8_t blob[BUF_MAX], blob2[BUF_MAX];

/* ---- building records ---- */

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + 1);
}

void
set_key(struct ike_key *k, uint16_t len, uint8_t seed)
{
	memset(k, 0, sizeof(*k));
	k->len = len;
	fill(k->bytes, len, seed);
}

void
set_addr(struct ike_addr *a, bool v6, uint8_t seed, uint16_t port)
{
	a->family = v6 ? AF_INET6 : AF_INET;
	fill(a->ip, v6 ? 16 : 4, seed);
	a->port = port;
}

static void
set_ts(struct ike_ts *ts, bool v6, uint8_t proto, uint8_t seed)
{
	size_t alen = v6 ? 16 : 4;

	ts->type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	ts->ip_proto = proto;
	ts->start_port = 1000 + seed;
	ts->end_port = 2000 + seed;
	fill(ts->start, alen, seed);
	fill(ts->end, alen, seed + 1);
}

static void
set_ts_set(struct ike_ts_set *s, unsigned int n, uint8_t seed)
{
	s->n = (uint8_t)n;
	for (unsigned int i = 0; i < n; i++)
		set_ts(&s->ts[i], i % 2 == 1, (uint8_t)(6 + i), (uint8_t)(seed + 16 * i));
}

void
set_str(char *dst, size_t cap, char c, size_t n)
{
	memset(dst, 0, cap);
	memset(dst, c, n);
}

/* A blob of N bytes in place of *B's (freed without its length: a test may
 * have broken that). */
static void
fill_blob(uint8_t **b, size_t n, uint8_t seed)
{
	free(*b);
	*b = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*b);
	fill(*b, n, seed);
}

/* Virtual IPs, a response cached as three RFC 7383 fragments, and a
 * window of 4 (RFC 7296 §2.3): two older responses, request
 * msgid_recv + 2 processed out of order, two of ours outstanding. */
static void
fill_sa_tail(struct ike_sa_state *s)
{
	s->win.msgid_next = 0x10000003;
	s->win.recv_done = 1u << 1;
	s->win.n_resp = s->win.n_resp_len = 2;
	s->win.resp_msgid[0] = 0x1ffffffe;
	s->win.resp_msgid[1] = 0x1fffffff;
	s->win.resp_len[0] = 100;
	s->win.resp_len[1] = 333;
	s->win.bytes_len = 433;
	fill_blob(&s->win.bytes, 433, 14);
	set_addr(&s->vip4.addr, false, 0x0a, 0);
	set_str(s->vip4.pool, sizeof(s->vip4.pool), '4', 5);
	set_addr(&s->vip6.addr, true, 0xfd, 0);
	set_str(s->vip6.pool, sizeof(s->vip6.pool), '6', 6);
	s->last_resp.msgid = 0x20000001;
	s->last_resp.n_frags = 3;
	s->last_resp.frag_len[0] = 1200;
	s->last_resp.frag_len[1] = 1200;
	s->last_resp.frag_len[2] = 345;
	s->last_resp.len = 2745;
	fill_blob(&s->last_resp.bytes, 2745, 12);
}

/* Every field non-zero, except where a value check demands zero: the IKE
 * suite's esn, the ESP suite's prf, and last_resp.regenerate (excludes
 * cached bytes; covered by test_sa_regenerate). */
/* S zero; what it held is freed (S is zero or was filled here before). */
void
fill_sa(struct ike_sa_state *s)
{
	free(s->last_resp.bytes);
	free(s->win.bytes);
	memset(s, 0, sizeof(*s));
	s->id = 0x1122334455667788;
	s->spi_i = 0x0102030405060708;
	s->spi_r = 0xf1f2f3f4f5f6f7f8;
	s->phase = IKE_SA_PHASE_ESTABLISHED;
	s->initiator = true;
	s->msgid_send = 0x10000001;
	s->msgid_recv = 0x20000002;
	s->window_local = 4;
	s->window_remote = 2;
	s->iv_counter = 0x0a0b0c0d0e0f1011;
	set_addr(&s->local, true, 0x20, 4500);
	set_addr(&s->remote, false, 0xc0, 45000);
	s->nat_local = s->nat_remote = s->natt = true;
	s->keepalive_interval = 20;
	s->peer_fragmentation = s->peer_msgid_sync = s->peer_mobike = s->peer_redirect = true;
	s->msgid_sync_used = true;
	s->peer_sig_hashes = 1 << IKE_HASH_SHA2_256 | 1 << IKE_HASH_SHA2_512;
	s->auth_local = IKE_AUTH_PSK;
	s->auth_remote = IKE_AUTH_DIGITAL_SIGNATURE;
	s->auth_ok = true;
	s->established_time = 1700000000;
	s->rekey_time = 1700003600;
	s->reauth_time = 1700007200;
	s->expire_time = 1700007800;
	s->last_recv_time = 1700000042;
	s->dpd_interval = 30;
	s->n_children = 3;
	s->child_ids[0] = 7;
	s->child_ids[1] = 0x8000000000000009;
	s->child_ids[2] = 11;
	set_str(s->name, sizeof(s->name), 'n', 12);
	s->suite = (struct ike_suite){ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384,
				       IKE_INTEG_HMAC_SHA2_384_192, IKE_DH_CURVE25519, 0 };
	set_key(&s->sk_d, 48, 1);
	set_key(&s->sk_ai, 48, 2);
	set_key(&s->sk_ar, 48, 3);
	set_key(&s->sk_ei, 32, 4);
	set_key(&s->sk_er, 32, 5);
	set_key(&s->sk_pi, 48, 6);
	set_key(&s->sk_pr, 64, 7);
	s->ni.len = 32;
	fill(s->ni.bytes, 32, 8);
	s->nr.len = 256;
	fill(s->nr.bytes, 256, 9);
	s->collision_nonce.len = 16;
	fill(s->collision_nonce.bytes, 16, 10);
	s->id_local = (struct ike_id){ .type = IKE_ID_FQDN, .len = 9 };
	memcpy(s->id_local.data, "gw.example", 9);
	s->id_remote = (struct ike_id){ .type = IKE_ID_DER_ASN1_DN, .len = 200 };
	fill(s->id_remote.data, 200, 11);
	set_str(s->remote_cert_dn, sizeof(s->remote_cert_dn), 'd', 40);
	fill_sa_tail(s);
}

void
fill_child(struct ike_child_state *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 0x0102030405060708;
	c->ike_sa_id = 0x1122334455667788;
	c->spi_in = 0xc1c2c3c4;
	c->spi_out = 0xd1d2d3d4;
	c->reqid = 42;
	c->replay_window = 1024;
	c->protocol = IKE_PROTO_ESP;
	c->mode = IKE_CHILD_MODE_TRANSPORT;
	c->rekey = IKE_CHILD_REKEY_REKEYED;
	c->initiator = true;
	c->udp_encap = true;
	c->encap_local_port = 4500;
	c->encap_remote_port = 61000;
	c->replaces_id = 5;
	c->replaced_by_id = 9;
	c->life = (struct ike_child_lifetime){ 1 << 20, 1 << 21, 1000, 2000, 3000, 3600,
					       1700000001 };
	c->suite = (struct ike_suite){ IKE_ENCR_AES_CBC, 128, 0, IKE_INTEG_HMAC_SHA2_256_128,
				       IKE_DH_ECP_256, IKE_ESN_YES };
	set_str(c->name, sizeof(c->name), 'c', 63);
	set_key(&c->encr_i, 16, 0x21);
	set_key(&c->integ_i, 32, 0x22);
	set_key(&c->encr_r, 16, 0x23);
	set_key(&c->integ_r, 32, 0x24);
	set_ts_set(&c->ts_local, 2, 0x31);
	set_ts_set(&c->ts_remote, 3, 0x41);
}

/* The largest IKE SA record: every array full. */
void
fill_sa_max(struct ike_sa_state *s)
{
	fill_sa(s);
	set_addr(&s->local, true, 1, 500);
	set_addr(&s->remote, true, 2, 500);
	set_str(s->name, sizeof(s->name), 'n', IKE_STATE_NAME_MAX - 1);
	set_str(s->remote_cert_dn, sizeof(s->remote_cert_dn), 'd', IKE_STATE_DN_MAX - 1);
	set_str(s->vip4.pool, sizeof(s->vip4.pool), '4', IKE_STATE_POOL_MAX - 1);
	set_str(s->vip6.pool, sizeof(s->vip6.pool), '6', IKE_STATE_POOL_MAX - 1);
	s->n_children = IKE_STATE_CHILDREN_MAX;
	for (unsigned int i = 0; i < IKE_STATE_CHILDREN_MAX; i++)
		s->child_ids[i] = 100 + i;
	set_key(&s->sk_d, IKE_KEY_MAX, 1);
	set_key(&s->sk_ai, IKE_KEY_MAX, 2);
	set_key(&s->sk_ar, IKE_KEY_MAX, 3);
	set_key(&s->sk_ei, IKE_KEY_MAX, 4);
	set_key(&s->sk_er, IKE_KEY_MAX, 5);
	set_key(&s->sk_pi, IKE_KEY_MAX, 6);
	set_key(&s->sk_pr, IKE_KEY_MAX, 7);
	s->ni.len = s->nr.len = s->collision_nonce.len = IKE_NONCE_MAX;
	s->id_local.len = s->id_remote.len = IKE_ID_MAX;
	s->last_resp.n_frags = IKE_STATE_RESP_FRAGS_MAX;
	for (unsigned int i = 0; i < IKE_STATE_RESP_FRAGS_MAX; i++)
		s->last_resp.frag_len[i] = IKE_STATE_RESP_MAX / IKE_STATE_RESP_FRAGS_MAX;
	s->last_resp.len = IKE_STATE_RESP_MAX;
	fill_blob(&s->last_resp.bytes, IKE_STATE_RESP_MAX, 13);
	s->win.n_resp = s->win.n_resp_len = IKE_STATE_WIN_RESP_MAX;
	for (unsigned int i = 0; i < IKE_STATE_WIN_RESP_MAX; i++) {
		s->win.resp_msgid[i] = 0x1fffff00 + i;
		s->win.resp_len[i] = IKE_STATE_WIN_BYTES / IKE_STATE_WIN_RESP_MAX;
	}
	s->win.resp_len[0] += IKE_STATE_WIN_BYTES % IKE_STATE_WIN_RESP_MAX;
	s->win.bytes_len = IKE_STATE_WIN_BYTES;
	fill_blob(&s->win.bytes, IKE_STATE_WIN_BYTES, 15);
}

/* ---- TLV surgery on serialized records ---- */

uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
set_total(uint8_t *p, size_t len)
{
	p[TOTAL_OFF] = (uint8_t)(len >> 24);
	p[TOTAL_OFF + 1] = (uint8_t)(len >> 16);
	p[TOTAL_OFF + 2] = (uint8_t)(len >> 8);
	p[TOTAL_OFF + 3] = (uint8_t)len;
}

size_t
put_tlv(uint8_t *dst, size_t d, uint16_t type, const uint8_t *val, size_t vlen)
{
	put16(dst + d, type);
	put16(dst + d + 2, (uint16_t)vlen);
	memcpy(dst + d + TLV_HDR, val, vlen);
	return d + TLV_HDR + vlen;
}

/* dst = src with the first TLV of `type` given the value val/vlen (vlen < 0:
 * removed; no such TLV: appended), total length fixed. Returns dst's length. */
size_t
edit_tlv(const uint8_t *src, size_t len, uint16_t type, const uint8_t *val, int vlen,
	 uint8_t *dst)
{
	size_t o = HDR, d = HDR;
	bool done = false;

	memcpy(dst, src, HDR);
	while (o + TLV_HDR <= len) {
		uint16_t t = be16(src + o), l = be16(src + o + 2);

		if (t == type && !done) {
			if (vlen >= 0)
				d = put_tlv(dst, d, type, val, (size_t)vlen);
			done = true;
		} else {
			memcpy(dst + d, src + o, TLV_HDR + l);
			d += TLV_HDR + l;
		}
		o += TLV_HDR + l;
	}
	if (!done && vlen >= 0)
		d = put_tlv(dst, d, type, val, (size_t)vlen);
	set_total(dst, d);
	return d;
}

bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

size_t
ser_sa(const struct ike_sa_state *s, uint8_t *buf)
{
	ssize_t n = ike_sa_state_serialize(s, buf, BUF_MAX);

	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

size_t
ser_child(const struct ike_child_state *c, uint8_t *buf)
{
	ssize_t n = ike_child_state_serialize(c, buf, BUF_MAX);

	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

void
write_seed(const char *name, const uint8_t *p, size_t n)
{
	const char *dir = getenv("IKE_STATE_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* ---- round trips ---- */

#define EQ(m) CU_ASSERT_EQUAL(a->m, b->m)
#define SAME(m) CU_ASSERT_EQUAL(memcmp(&a->m, &b->m, sizeof(a->m)), 0)

static void
cmp_sa(const struct ike_sa_state *a, const struct ike_sa_state *b)
{
	EQ(id);
	EQ(spi_i);
	EQ(spi_r);
	EQ(phase);
	EQ(initiator);
	EQ(msgid_send);
	EQ(msgid_recv);
	EQ(window_local);
	EQ(window_remote);
	EQ(iv_counter);
	SAME(local);
	SAME(remote);
	EQ(nat_local);
	EQ(nat_remote);
	EQ(natt);
	EQ(keepalive_interval);
	EQ(peer_fragmentation);
	EQ(peer_msgid_sync);
	EQ(msgid_sync_used);
	EQ(peer_mobike);
	EQ(peer_redirect);
	EQ(peer_sig_hashes);
	EQ(auth_local);
	EQ(auth_remote);
	EQ(auth_ok);
	EQ(established_time);
	EQ(rekey_time);
	EQ(reauth_time);
	EQ(expire_time);
	EQ(last_recv_time);
	EQ(dpd_interval);
	EQ(n_children);
	SAME(child_ids);
	CU_ASSERT_STRING_EQUAL(a->name, b->name);
	SAME(suite);
	SAME(sk_d);
	SAME(sk_ai);
	SAME(sk_ar);
	SAME(sk_ei);
	SAME(sk_er);
	SAME(sk_pi);
	SAME(sk_pr);
	SAME(ni);
	SAME(nr);
	SAME(collision_nonce);
	SAME(id_local);
	SAME(id_remote);
	CU_ASSERT_STRING_EQUAL(a->remote_cert_dn, b->remote_cert_dn);
	SAME(vip4);
	SAME(vip6);
	EQ(last_resp.msgid);
	EQ(last_resp.regenerate);
	EQ(last_resp.n_frags);
	EQ(last_resp.len);
	SAME(last_resp.frag_len);
	CU_ASSERT_TRUE(a->last_resp.len == 0 ||
		       memcmp(a->last_resp.bytes, b->last_resp.bytes, a->last_resp.len) == 0);
	EQ(win.msgid_next);
	EQ(win.recv_done);
	EQ(win.n_resp);
	EQ(win.n_resp_len);
	EQ(win.bytes_len);
	SAME(win.resp_msgid);
	SAME(win.resp_len);
	CU_ASSERT_TRUE(a->win.bytes_len == 0 ||
		       memcmp(a->win.bytes, b->win.bytes, a->win.bytes_len) == 0);
	CU_ASSERT_TRUE(ike_sa_state_equal(a, b));
}

static void
cmp_child(const struct ike_child_state *a, const struct ike_child_state *b)
{
	EQ(id);
	EQ(ike_sa_id);
	EQ(spi_in);
	EQ(spi_out);
	EQ(reqid);
	EQ(replay_window);
	EQ(protocol);
	EQ(mode);
	EQ(rekey);
	EQ(initiator);
	EQ(udp_encap);
	EQ(encap_local_port);
	EQ(encap_remote_port);
	EQ(replaces_id);
	EQ(replaced_by_id);
	EQ(life.soft_bytes);
	EQ(life.hard_bytes);
	EQ(life.soft_packets);
	EQ(life.hard_packets);
	EQ(life.soft_seconds);
	EQ(life.hard_seconds);
	EQ(life.install_time);
	SAME(suite);
	CU_ASSERT_STRING_EQUAL(a->name, b->name);
	SAME(encr_i);
	SAME(integ_i);
	SAME(encr_r);
	SAME(integ_r);
	SAME(ts_local);
	SAME(ts_remote);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(*a)), 0);
}

static struct ike_sa_state sa_a, sa_b;
static struct ike_child_state ch_a, ch_b;

static void
round_trip_sa(const char *seed_name)
{
	size_t n = ser_sa(&sa_a, blob);

	/* The reader frees the blobs of the record read before, zeroes the rest. */
	memset(&sa_b, 0x5a, offsetof(struct ike_sa_state, win));
	CU_ASSERT_EQUAL_FATAL(ike_sa_state_deserialize(blob, n, &sa_b), 0);
	cmp_sa(&sa_a, &sa_b);
	/* serializing the copy gives the same bytes */
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa_b, blob2, BUF_MAX), (ssize_t)n);
	CU_ASSERT_EQUAL(memcmp(blob, blob2, n), 0);
	write_seed(seed_name, blob, n);
}

static void
round_trip_child(const char *seed_name)
{
	size_t n = ser_child(&ch_a, blob);

	memset(&ch_b, 0x5a, sizeof(ch_b));
	CU_ASSERT_EQUAL_FATAL(ike_child_state_deserialize(blob, n, &ch_b), 0);
	cmp_child(&ch_a, &ch_b);
	CU_ASSERT_EQUAL(ike_child_state_serialize(&ch_b, blob2, BUF_MAX), (ssize_t)n);
	CU_ASSERT_EQUAL(memcmp(blob, blob2, n), 0);
	write_seed(seed_name, blob, n);
}

static void
test_sa_round_trip(void)
{
	fill_sa(&sa_a);
	round_trip_sa("sa-full.bin");
	fill_sa_max(&sa_a);
	round_trip_sa("sa-max.bin");
}

/* A half-open SA: nothing optional, no keys, a response to regenerate. */
static void
test_sa_regenerate(void)
{
	ike_sa_state_wipe(&sa_a);       /* zero, with what the last test left freed */
	sa_a.id = 3;
	sa_a.phase = IKE_SA_PHASE_INIT_DONE;
	set_addr(&sa_a.local, false, 1, 500);
	set_addr(&sa_a.remote, true, 2, 500);
	sa_a.last_resp.regenerate = true;
	sa_a.last_resp.msgid = 1;
	round_trip_sa("sa-regenerate.bin");
	CU_ASSERT_TRUE(sa_b.last_resp.regenerate);
	CU_ASSERT_EQUAL(sa_b.last_resp.len, 0);
}

static void
test_child_round_trip(void)
{
	fill_child(&ch_a);
	round_trip_child("child-full.bin");
	ch_a.life.soft_bytes = UINT64_MAX;
	ch_a.spi_in = UINT32_MAX;
	ch_a.encap_local_port = UINT16_MAX;
	ch_a.suite = (struct ike_suite){ IKE_ENCR_CHACHA20_POLY1305, 0, 0, IKE_INTEG_NONE,
					 IKE_DH_NONE, IKE_ESN_NO };
	set_key(&ch_a.integ_i, 0, 0);
	set_key(&ch_a.integ_r, 0, 0);
	round_trip_child("child-chacha.bin");
}

/* ---- the exact encoding of a small CHILD SA record ---- */

static void
small_child(struct ike_child_state *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 1;
	c->ike_sa_id = 2;
	strcpy(c->name, "c1");
	c->protocol = IKE_PROTO_ESP;
	c->mode = IKE_CHILD_MODE_TUNNEL;
	c->initiator = true;
	c->spi_in = 0xc0000001;
	c->spi_out = 0xc0000002;
	c->suite = (struct ike_suite){ IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_NONE, 0, 0 };
	set_key(&c->encr_i, 4, 0);
	memcpy(c->encr_i.bytes, "\x11\x12\x13\x14", 4);
	set_key(&c->encr_r, 4, 0);
	memcpy(c->encr_r.bytes, "\x21\x22\x23\x24", 4);
	c->udp_encap = true;
	c->encap_local_port = 4500;
	c->encap_remote_port = 4500;
	c->ts_local.n = 1;
	c->ts_local.ts[0] = (struct ike_ts){ IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535,
					     { 10, 0, 0, 0 }, { 10, 0, 0, 255 } };
	c->ts_remote.n = 1;
	c->ts_remote.ts[0] = (struct ike_ts){ IKE_TS_IPV4_ADDR_RANGE, 17, 53, 53,
					      { 10, 1, 0, 5 }, { 10, 1, 0, 5 } };
	c->life.soft_seconds = 3000;
	c->life.hard_seconds = 3600;
	c->life.install_time = 0x65000000;
	c->replay_window = 64;
	c->reqid = 7;
}

static const uint8_t small_child_bytes[] = {
	0x48, 0x49, 0x4b, 0x53, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x09, /* hdr, 265 */
	0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 1,                /* id 1 */
	0x00, 0x02, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 2,                /* ike_sa_id 2 */
	0x00, 0x03, 0x00, 0x02, 'c', '1',                              /* name */
	0x00, 0x04, 0x00, 0x01, 0x03,                                  /* ESP */
	0x00, 0x05, 0x00, 0x01, 0x01,                                  /* tunnel */
	0x00, 0x06, 0x00, 0x01, 0x01,                                  /* initiator */
	0x00, 0x07, 0x00, 0x04, 0xc0, 0x00, 0x00, 0x01,                /* spi_in */
	0x00, 0x08, 0x00, 0x04, 0xc0, 0x00, 0x00, 0x02,                /* spi_out */
	0x00, 0x09, 0x00, 0x0c, 0x00, 0x14, 0x00, 0x80,                /* GCM-16 128, */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* prf integ dh esn 0 */
	0x00, 0x0a, 0x00, 0x04, 0x11, 0x12, 0x13, 0x14,                /* encr_i */
	0x00, 0x0b, 0x00, 0x00,                                        /* integ_i */
	0x00, 0x0c, 0x00, 0x04, 0x21, 0x22, 0x23, 0x24,                /* encr_r */
	0x00, 0x0d, 0x00, 0x00,                                        /* integ_r */
	0x00, 0x0e, 0x00, 0x01, 0x01,                                  /* udp_encap */
	0x00, 0x0f, 0x00, 0x02, 0x11, 0x94,                            /* 4500 */
	0x00, 0x10, 0x00, 0x02, 0x11, 0x94,                            /* 4500 */
	0x00, 0x11, 0x00, 0x0f, 0x01, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, /* ts_local */
	10, 0, 0, 0, 10, 0, 0, 255,
	0x00, 0x12, 0x00, 0x0f, 0x01, 0x07, 0x11, 0x00, 0x35, 0x00, 0x35, /* ts_remote */
	10, 1, 0, 5, 10, 1, 0, 5,
	0x00, 0x13, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,                /* soft bytes */
	0x00, 0x14, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,                /* hard bytes */
	0x00, 0x15, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,                /* soft packets */
	0x00, 0x16, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,                /* hard packets */
	0x00, 0x17, 0x00, 0x04, 0x00, 0x00, 0x0b, 0xb8,                /* 3000 s */
	0x00, 0x18, 0x00, 0x04, 0x00, 0x00, 0x0e, 0x10,                /* 3600 s */
	0x00, 0x19, 0x00, 0x08, 0, 0, 0, 0, 0x65, 0, 0, 0,             /* installed */
	0x00, 0x1a, 0x00, 0x01, 0x00,                                  /* rekey none */
	0x00, 0x1d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x40,                /* window 64 */
	0x00, 0x1e, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07,                /* reqid 7 */
};

static void
test_child_exact_bytes(void)
{
	ssize_t n;

	small_child(&ch_a);
	n = ike_child_state_serialize(&ch_a, blob, BUF_MAX);
	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)sizeof(small_child_bytes));
	for (size_t i = 0; i < sizeof(small_child_bytes); i++) {
		if (blob[i] != small_child_bytes[i])
			fprintf(stderr, "byte %zu: %02x, expected %02x\n", i, blob[i],
				small_child_bytes[i]);
	}
	CU_ASSERT_EQUAL(memcmp(blob, small_child_bytes, sizeof(small_child_bytes)), 0);
	CU_ASSERT_EQUAL(ike_child_state_deserialize(small_child_bytes, sizeof(small_child_bytes),
						    &ch_b), 0);
	cmp_child(&ch_a, &ch_b);
	write_seed("child-small.bin", blob, (size_t)n);
}

/* Header, one TLV header per field, then each field's longest value. */
static void
test_max_len(void)
{
	size_t sa_values = 8 + 63 + 1 + 1 + 8 + 8 + 12 + 256 + 256 /* id .. nr */
		+ 7 * 64                                 /* SK_* */
		+ 8 + 4 + 4 + 4 + 4                      /* iv, msgids, windows */
		+ 4 + 1 + 16 * 2 + 8192                  /* last response */
		+ 19 + 19 + 1 + 1 + 1 + 4                /* addresses, NAT */
		+ 257 + 257 + 1 + 1 + 1 + 255            /* ids, auth, DN */
		+ 1 + 1 + 1 + 1 + 2                      /* peer capabilities */
		+ 19 + 31 + 19 + 31                      /* virtual IPs */
		+ 5 * 8 + 4 + 256 + 32 * 8               /* times, DPD, nonce, children */
		+ 1                                      /* message ID sync used */
		+ 4 + 4 + 31 * 4 + 31 * 2 + 4096;        /* window (§2.3) */
	size_t child_values = 8 + 8 + 63 + 1 + 1 + 1 + 4 + 4 + 12 /* id .. suite */
		+ 4 * 64 + 1 + 2 + 2                     /* keys, encap */
		+ 2 * (1 + 8 * (1 + 1 + 2 + 2 + 16 + 16)) /* IPv6 selectors */
		+ 4 * 8 + 4 + 4 + 8 + 1 + 8 + 8 + 4 + 4;
	size_t sa_max = HDR + 60 * TLV_HDR + sa_values;
	size_t child_max = HDR + 30 * TLV_HDR + child_values;

	CU_ASSERT_EQUAL(ike_sa_state_max_len(), sa_max);
	CU_ASSERT_EQUAL(ike_child_state_max_len(), child_max);
	CU_ASSERT_FATAL(sa_max <= BUF_MAX);
	fill_sa_max(&sa_a);     /* its IPv4 virtual IP is 12 bytes shorter */
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa_a, blob, BUF_MAX), (ssize_t)(sa_max - 12));
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa_a, blob, sa_max), (ssize_t)(sa_max - 12));
	fill_child(&ch_a);
	set_key(&ch_a.encr_i, IKE_KEY_MAX, 1);
	set_key(&ch_a.integ_i, IKE_KEY_MAX, 2);
	set_key(&ch_a.encr_r, IKE_KEY_MAX, 3);
	set_key(&ch_a.integ_r, IKE_KEY_MAX, 4);
	for (unsigned int i = 0; i < IKE_TS_MAX; i++) {
		set_ts(&ch_a.ts_local.ts[i], true, 6, (uint8_t)i);
		set_ts(&ch_a.ts_remote.ts[i], true, 17, (uint8_t)(i + 50));
	}
	ch_a.ts_local.n = ch_a.ts_remote.n = IKE_TS_MAX;
	CU_ASSERT_EQUAL(ike_child_state_serialize(&ch_a, blob, child_max), (ssize_t)child_max);
	round_trip_child("child-max.bin");
}

static void
test_wipe(void)
{
	fill_sa(&sa_a);
	ike_sa_state_wipe(&sa_a);
	CU_ASSERT_TRUE(all_zero(&sa_a, sizeof(sa_a)));
	fill_child(&ch_a);
	ike_child_state_wipe(&ch_a);
	CU_ASSERT_TRUE(all_zero(&ch_a, sizeof(ch_a)));
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "IKE SA round trip", test_sa_round_trip },
		{ "IKE SA response to regenerate", test_sa_regenerate },
		{ "CHILD SA round trip", test_child_round_trip },
		{ "CHILD SA exact bytes", test_child_exact_bytes },
		{ "maximum lengths", test_max_len },
		{ "wipe", test_wipe },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ike_state", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	test_ike_state_bad_add(suite);
	return cu_run_registered();
}
