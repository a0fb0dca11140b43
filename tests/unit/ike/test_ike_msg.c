/*
 * Unit tests of the IKEv2 message parser and builder (ike/ike_msg.h, RFC
 * 7296 §3, RFC 7383 §2.5): build -> parse gives back the same structs for
 * every payload type, in cleartext and inside SK. The malformed table is in
 * test_ike_msg_bad.c, real wire bytes and the SK/SKF layout in
 * test_ike_msg_wire.c.
 *
 * With "--write-corpus DIR" the program writes the fuzz seeds of
 * tests/fuzz/fuzz_ike_msg.c (valid messages of every kind) and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ike_msg.h"
#include "tests/unit/cu_run.h"

const struct ike_hdr t_hdr = {
	.spi_i = UINT64_C(0x0102030405060708),
	.spi_r = UINT64_C(0x1112131415161718),
	.exchange = IKE_EXCH_AUTH,
	.flags = IKE_FLAG_INITIATOR,
	.msg_id = 1,
};

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
t_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v = hex_val(*hex);

		if (*hex == ' ' || *hex == '\n')
			continue;
		if (v < 0 || (hi < 0 && n >= cap))
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	return n;
}

size_t
t_msg(uint8_t *buf, size_t cap, uint8_t first, uint8_t flags, const uint8_t *chain, size_t len,
      int len_delta)
{
	struct ike_wr w;

	ike_wr_init(&w, buf, cap);
	ike_wr_u64(&w, t_hdr.spi_i);
	ike_wr_u64(&w, t_hdr.spi_r);
	ike_wr_u8(&w, first);
	ike_wr_u8(&w, IKE_VERSION);
	ike_wr_u8(&w, t_hdr.exchange);
	ike_wr_u8(&w, flags);
	ike_wr_u32(&w, t_hdr.msg_id);
	ike_wr_u32(&w, (uint32_t)((long)(IKE_HDR_LEN + len) + len_delta));
	ike_wr_bytes(&w, chain, len);
	if (w.overflow)
		abort();
	return w.len;
}

static const uint8_t key32[32] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9 };
static const uint8_t nonce32[32] = { 0x4e, 0x4f, 0x4e, 0x43, 0x45, 1, 2, 3, 4, 5, 6, 7, 8 };

/* An IKE proposal (AES-CBC 256 and 128, HMAC-SHA2-256-128, PRF SHA2-256,
 * ECP-256 and Curve25519) and an ESP one (AES-GCM-16 256, no ESN). */
static void
two_proposals(struct ike_proposal p[2])
{
	memset(p, 0, 2 * sizeof(*p));
	p[0] = (struct ike_proposal){ .num = 1, .protocol = IKE_PROTO_IKE, .n_transforms = 6 };
	p[0].transforms[0] = (struct ike_transform){ IKE_TF_ENCR, IKE_ENCR_AES_CBC, 256 };
	p[0].transforms[1] = (struct ike_transform){ IKE_TF_ENCR, IKE_ENCR_AES_CBC, 128 };
	p[0].transforms[2] = (struct ike_transform){ IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 };
	p[0].transforms[3] = (struct ike_transform){ IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, 0 };
	p[0].transforms[4] = (struct ike_transform){ IKE_TF_DH, IKE_DH_ECP_256, 0 };
	p[0].transforms[5] = (struct ike_transform){ IKE_TF_DH, IKE_DH_CURVE25519, 0 };
	p[1] = (struct ike_proposal){ .num = 2, .protocol = IKE_PROTO_ESP, .spi_len = 4,
				      .spi = { 0xc0, 0xff, 0xee, 0x01 }, .n_transforms = 2 };
	p[1].transforms[0] = (struct ike_transform){ IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 256 };
	p[1].transforms[1] = (struct ike_transform){ IKE_TF_ESN, IKE_ESN_NO, 0 };
}

static void
check_proposal(const struct ike_proposal *got, const struct ike_proposal *want)
{
	CU_ASSERT_EQUAL(got->num, want->num);
	CU_ASSERT_EQUAL(got->protocol, want->protocol);
	CU_ASSERT_EQUAL(got->spi_len, want->spi_len);
	CU_ASSERT_EQUAL(memcmp(got->spi, want->spi, IKE_SPI_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(got->n_transforms, want->n_transforms);
	for (uint8_t i = 0; i < want->n_transforms; i++) {
		CU_ASSERT_EQUAL(got->transforms[i].type, want->transforms[i].type);
		CU_ASSERT_EQUAL(got->transforms[i].id, want->transforms[i].id);
		CU_ASSERT_EQUAL(got->transforms[i].key_bits, want->transforms[i].key_bits);
	}
}

static bool
chunk_eq(struct ike_chunk c, const void *p, size_t len)
{
	return c.len == len && (len == 0 || memcmp(c.ptr, p, len) == 0);
}

typedef void (*add_fn)(struct ike_msg_builder *b);

/* Build header + payloads (inside SK with a 16-byte IV when in_sk), parse
 * them back into m. The buffer must outlive m (chunks borrow it). */
static void
roundtrip(uint8_t *buf, add_fn add, bool in_sk, uint8_t flags, struct ike_msg *m)
{
	struct ike_msg_builder b;
	struct ike_msg_sk_layout l;
	struct ike_hdr h = t_hdr;
	size_t len;

	h.flags = flags;
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_init(&b, buf, T_BUF, &h), 0);
	if (in_sk)
		CU_ASSERT_EQUAL(ike_msg_build_begin_sk(&b, 16), 0);
	add(&b);
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_finish(&b, &len), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, m), 0);
	CU_ASSERT_EQUAL(m->hdr.spi_i, t_hdr.spi_i);
	CU_ASSERT_EQUAL(m->hdr.spi_r, t_hdr.spi_r);
	CU_ASSERT_EQUAL(m->hdr.version, IKE_VERSION);
	CU_ASSERT_EQUAL(m->hdr.exchange, IKE_EXCH_AUTH);
	CU_ASSERT_EQUAL(m->hdr.flags, flags);
	CU_ASSERT_EQUAL(m->hdr.msg_id, 1);
	CU_ASSERT_EQUAL(m->hdr.length, len);
	if (!in_sk) {
		CU_ASSERT_EQUAL(m->sk.type, 0);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_sk_layout(&b, &l), 0);
	CU_ASSERT_EQUAL(m->sk.type, IKE_PL_SK);
	CU_ASSERT_EQUAL(m->sk.hdr_off, l.sk_off);
	CU_ASSERT_EQUAL(m->sk.body_off, l.iv_off);
	CU_ASSERT_EQUAL(l.inner_off, l.iv_off + 16);
	CU_ASSERT_EQUAL(l.inner_off + l.inner_len, len);
	CU_ASSERT_PTR_EQUAL(m->sk.body.ptr, buf + l.iv_off);
	CU_ASSERT_EQUAL_FATAL(m->sk.body.len, 16 + l.inner_len);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(buf + l.inner_off, l.inner_len,
						  m->sk.first_payload, m), 0);
}

static void
add_sa(struct ike_msg_builder *b)
{
	struct ike_proposal p[2];

	two_proposals(p);
	CU_ASSERT_EQUAL(ike_msg_build_sa(b, p, 2), 0);
}

static void
add_sa_response(struct ike_msg_builder *b)
{
	struct ike_proposal p[2];

	two_proposals(p);
	p[0].num = 3;
	p[0].spi_len = IKE_SPI_LEN;
	memcpy(p[0].spi, "\x10\x20\x30\x40\x50\x60\x70\x80", IKE_SPI_LEN);
	CU_ASSERT_EQUAL(ike_msg_build_sa(b, p, 1), 0);
}

static void
test_rt_sa(void)
{
	static uint8_t buf[T_BUF];
	struct ike_proposal want[2];
	static struct ike_msg m;

	two_proposals(want);
	for (int in_sk = 0; in_sk <= 1; in_sk++) {
		roundtrip(buf, add_sa, in_sk, IKE_FLAG_INITIATOR, &m);
		CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 2);
		CU_ASSERT_EQUAL(m.sa.n_dropped_proposals, 0);
		CU_ASSERT_EQUAL(m.sa.n_dropped_transforms, 0);
		check_proposal(&m.sa.proposals[0], &want[0]);
		check_proposal(&m.sa.proposals[1], &want[1]);
		CU_ASSERT_TRUE(ike_msg_has(&m, IKE_PL_SA));
		CU_ASSERT_EQUAL((m.inner >> IKE_PL_SA) & 1, (uint64_t)in_sk);
	}
	roundtrip(buf, add_sa_response, true, IKE_FLAG_RESPONSE, &m);
	want[0].num = 3;
	want[0].spi_len = IKE_SPI_LEN;
	memcpy(want[0].spi, "\x10\x20\x30\x40\x50\x60\x70\x80", IKE_SPI_LEN);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 1);
	check_proposal(&m.sa.proposals[0], &want[0]);
}

static void
add_ke_nonce(struct ike_msg_builder *b)
{
	struct ike_pl_ke ke = { IKE_DH_CURVE25519, { key32, sizeof(key32) } };

	CU_ASSERT_EQUAL(ike_msg_build_ke(b, &ke), 0);
	CU_ASSERT_EQUAL(ike_msg_build_nonce(b, nonce32, sizeof(nonce32)), 0);
}

static void
test_rt_ke_nonce(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	for (int in_sk = 0; in_sk <= 1; in_sk++) {
		roundtrip(buf, add_ke_nonce, in_sk, IKE_FLAG_INITIATOR, &m);
		CU_ASSERT_EQUAL(m.ke.group, IKE_DH_CURVE25519);
		CU_ASSERT_TRUE(chunk_eq(m.ke.data, key32, sizeof(key32)));
		CU_ASSERT_TRUE(chunk_eq(m.nonce, nonce32, sizeof(nonce32)));
		CU_ASSERT_EQUAL(m.n_payloads, in_sk ? 3 : 2);
	}
}

static void
add_nonce_bounds(struct ike_msg_builder *b)
{
	static const uint8_t n256[IKE_NONCE_MAX] = { 1 };

	CU_ASSERT_EQUAL(ike_msg_build_nonce(b, n256, IKE_NONCE_MIN - 1), -EINVAL);
	b->err = 0;
	CU_ASSERT_EQUAL(ike_msg_build_nonce(b, n256, IKE_NONCE_MAX + 1), -EINVAL);
	b->err = 0;
	CU_ASSERT_EQUAL(ike_msg_build_nonce(b, n256, IKE_NONCE_MAX), 0);
}

static void
test_rt_nonce_bounds(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_nonce_bounds, false, 0, &m);
	CU_ASSERT_EQUAL(m.nonce.len, IKE_NONCE_MAX);
	CU_ASSERT_EQUAL(m.nonce.ptr[0], 1);
}

static const struct ike_id id_fqdn = { IKE_ID_FQDN, 15, "gw.example.test" };
static const struct ike_id id_ip4 = { IKE_ID_IPV4_ADDR, 4, { 192, 0, 2, 1 } };

static void
add_ids(struct ike_msg_builder *b)
{
	CU_ASSERT_EQUAL(ike_msg_build_id(b, IKE_PL_IDI, &id_fqdn), 0);
	CU_ASSERT_EQUAL(ike_msg_build_id(b, IKE_PL_IDR, &id_ip4), 0);
}

static void
check_id(const struct ike_pl_id *got, const struct ike_id *want)
{
	CU_ASSERT_EQUAL(got->id.type, want->type);
	CU_ASSERT_EQUAL_FATAL(got->id.len, want->len);
	CU_ASSERT_EQUAL(memcmp(got->id.data, want->data, want->len), 0);
	/* RFC 7296 §2.15: IDx' is type, three reserved bytes, data. */
	CU_ASSERT_EQUAL_FATAL(got->body.len, IKE_ID_HDR_LEN + want->len);
	CU_ASSERT_EQUAL(got->body.ptr[0], want->type);
	CU_ASSERT_EQUAL(got->body.ptr[1] | got->body.ptr[2] | got->body.ptr[3], 0);
	CU_ASSERT_EQUAL(memcmp(got->body.ptr + IKE_ID_HDR_LEN, want->data, want->len), 0);
}

static void
test_rt_id(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_ids, true, IKE_FLAG_INITIATOR, &m);
	check_id(&m.idi, &id_fqdn);
	check_id(&m.idr, &id_ip4);
	CU_ASSERT_TRUE(m.idi.body.ptr > buf && m.idi.body.ptr < buf + T_BUF);
	CU_ASSERT_EQUAL(m.inner, UINT64_C(1) << IKE_PL_IDI | UINT64_C(1) << IKE_PL_IDR);
	CU_ASSERT_EQUAL(m.present, m.inner | UINT64_C(1) << IKE_PL_SK);
}

static const uint8_t der[] = { 0x30, 0x82, 0x01, 0x0a, 0x02, 0x01 };
static const uint8_t ca_hash[40] = { 0xca, 0x01, [20] = 0xca, [21] = 0x02 };

static void
add_certs(struct ike_msg_builder *b)
{
	struct ike_pl_cert c = { IKE_CERT_X509_SIG, { der, sizeof(der) } };
	struct ike_pl_cert r = { IKE_CERT_X509_SIG, { ca_hash, sizeof(ca_hash) } };
	struct ike_pl_cert empty = { IKE_CERT_X509_SIG, { NULL, 0 } };

	CU_ASSERT_EQUAL(ike_msg_build_cert(b, &c), 0);
	CU_ASSERT_EQUAL(ike_msg_build_cert(b, &c), 0);
	CU_ASSERT_EQUAL(ike_msg_build_certreq(b, &r), 0);
	CU_ASSERT_EQUAL(ike_msg_build_certreq(b, &empty), 0);
}

static void
test_rt_cert(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_certs, true, IKE_FLAG_INITIATOR, &m);
	CU_ASSERT_EQUAL_FATAL(m.n_cert, 2);
	CU_ASSERT_EQUAL_FATAL(m.n_certreq, 2);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(m.cert[i].encoding, IKE_CERT_X509_SIG);
		CU_ASSERT_TRUE(chunk_eq(m.cert[i].data, der, sizeof(der)));
	}
	CU_ASSERT_TRUE(chunk_eq(m.certreq[0].data, ca_hash, sizeof(ca_hash)));
	CU_ASSERT_EQUAL(m.certreq[1].encoding, IKE_CERT_X509_SIG);
	CU_ASSERT_EQUAL(m.certreq[1].data.len, 0);
}

static const uint8_t sig[] = { 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d };

/* The first error latches: every later call and finish report it. */
static void
test_build_latch(void)
{
	static const uint8_t eap[] = { 0x02, 0x07, 0x00, 0x09, 0x01, 'u', 's', 'e', 'r' };
	static uint8_t buf[T_BUF];
	struct ike_msg_builder b;
	size_t len;

	CU_ASSERT_EQUAL(ike_msg_build_init(&b, buf, T_BUF, &t_hdr), 0);
	CU_ASSERT_EQUAL(ike_msg_build_begin_sk(&b, 0), 0);
	CU_ASSERT_EQUAL(ike_msg_build_eap(&b, eap, sizeof(eap) - 1), -EINVAL);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ike_msg_build_finish(&b, &len), -EINVAL);
	CU_ASSERT_EQUAL(len, 0);
}

static void
add_auth_vendor_eap_ok(struct ike_msg_builder *b)
{
	static const uint8_t eap[] = { 0x02, 0x07, 0x00, 0x09, 0x01, 'u', 's', 'e', 'r' };
	struct ike_pl_auth a = { IKE_AUTH_DIGITAL_SIGNATURE, { sig, sizeof(sig) } };

	CU_ASSERT_EQUAL(ike_msg_build_auth(b, &a), 0);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(b, (const uint8_t *)"strongSwan", 10), 0);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(b, NULL, 0), 0);
	CU_ASSERT_EQUAL(ike_msg_build_eap(b, eap, sizeof(eap)), 0);
}

static void
test_rt_auth_vendor_eap_ok(void)
{
	static const uint8_t eap[] = { 0x02, 0x07, 0x00, 0x09, 0x01, 'u', 's', 'e', 'r' };
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_auth_vendor_eap_ok, true, IKE_FLAG_INITIATOR, &m);
	CU_ASSERT_EQUAL(m.auth.method, IKE_AUTH_DIGITAL_SIGNATURE);
	CU_ASSERT_TRUE(chunk_eq(m.auth.data, sig, sizeof(sig)));
	CU_ASSERT_EQUAL_FATAL(m.n_vendor, 2);
	CU_ASSERT_TRUE(chunk_eq(m.vendor[0], "strongSwan", 10));
	CU_ASSERT_EQUAL(m.vendor[1].len, 0);
	CU_ASSERT_EQUAL_FATAL(m.n_eap, 1);
	CU_ASSERT_TRUE(chunk_eq(m.eap[0], eap, sizeof(eap)));
}

static void
add_notifies(struct ike_msg_builder *b)
{
	static const uint8_t ck[] = { 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 };
	struct ike_notify rekey = { .protocol = IKE_PROTO_ESP, .spi_len = 4,
				    .type = IKE_N_REKEY_SA, .spi = { 0xc1, 0xc2, 0xc3, 0xc4 } };
	struct ike_notify ikespi = { .protocol = IKE_PROTO_IKE, .spi_len = 8,
				     .type = IKE_N_INVALID_IKE_SPI,
				     .spi = { 1, 2, 3, 4, 5, 6, 7, 8 }, .data = { ck, 2 } };

	CU_ASSERT_EQUAL(ike_msg_build_status(b, IKE_N_COOKIE, ck, sizeof(ck)), 0);
	CU_ASSERT_EQUAL(ike_msg_build_notify(b, &rekey), 0);
	CU_ASSERT_EQUAL(ike_msg_build_notify(b, &ikespi), 0);
	CU_ASSERT_EQUAL(ike_msg_build_status(b, IKE_N_MESSAGE_ID_SYNC_SUPPORTED, NULL, 0), 0);
}

static void
test_rt_notify(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;
	const struct ike_notify *n;

	for (int in_sk = 0; in_sk <= 1; in_sk++) {
		roundtrip(buf, add_notifies, in_sk, IKE_FLAG_INITIATOR, &m);
		CU_ASSERT_EQUAL_FATAL(m.n_notify, 4);
		CU_ASSERT_EQUAL(m.notify[0].type, IKE_N_COOKIE);
		CU_ASSERT_EQUAL(m.notify[0].protocol, 0);
		CU_ASSERT_EQUAL(m.notify[0].spi_len, 0);
		CU_ASSERT_TRUE(chunk_eq(m.notify[0].data, "\xde\xad\xbe\xef\0\1\2\3", 8));
		CU_ASSERT_EQUAL(m.notify[0].in_sk, in_sk);
		n = ike_msg_find_notify(&m, IKE_N_REKEY_SA);
		CU_ASSERT_PTR_EQUAL_FATAL(n, &m.notify[1]);
		CU_ASSERT_EQUAL(n->protocol, IKE_PROTO_ESP);
		CU_ASSERT_EQUAL(n->spi_len, 4);
		CU_ASSERT_EQUAL(memcmp(n->spi, "\xc1\xc2\xc3\xc4", 4), 0);
		CU_ASSERT_EQUAL(n->data.len, 0);
		n = ike_msg_find_notify(&m, IKE_N_INVALID_IKE_SPI);
		CU_ASSERT_PTR_EQUAL_FATAL(n, &m.notify[2]);
		CU_ASSERT_EQUAL(memcmp(n->spi, "\1\2\3\4\5\6\7\10", 8), 0);
		CU_ASSERT_TRUE(chunk_eq(n->data, "\xde\xad", 2));
		CU_ASSERT_PTR_EQUAL(ike_msg_find_notify(&m, IKE_N_MESSAGE_ID_SYNC_SUPPORTED),
				    &m.notify[3]);
		CU_ASSERT_PTR_NULL(ike_msg_find_notify(&m, IKE_N_INITIAL_CONTACT));
	}
}

static void
add_deletes(struct ike_msg_builder *b)
{
	struct ike_delete ike = { .protocol = IKE_PROTO_IKE };
	struct ike_delete esp = { .protocol = IKE_PROTO_ESP, .spi_len = 4, .n_spis = 3,
				  .spis = { 0xc0000001, 0xc0000002, 0xffffffff } };

	CU_ASSERT_EQUAL(ike_msg_build_delete(b, &esp), 0);
	CU_ASSERT_EQUAL(ike_msg_build_delete(b, &ike), 0);
}

static void
test_rt_delete(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_deletes, true, IKE_FLAG_INITIATOR, &m);
	CU_ASSERT_EQUAL_FATAL(m.n_delete, 2);
	CU_ASSERT_EQUAL(m.del[0].protocol, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(m.del[0].spi_len, 4);
	CU_ASSERT_EQUAL_FATAL(m.del[0].n_spis, 3);
	CU_ASSERT_EQUAL(m.del[0].spis[0], 0xc0000001);
	CU_ASSERT_EQUAL(m.del[0].spis[1], 0xc0000002);
	CU_ASSERT_EQUAL(m.del[0].spis[2], 0xffffffff);
	CU_ASSERT_EQUAL(m.del[1].protocol, IKE_PROTO_IKE);
	CU_ASSERT_EQUAL(m.del[1].spi_len, 0);
	CU_ASSERT_EQUAL(m.del[1].n_spis, 0);
}

static void
ts_sets(struct ike_ts_set *tsi, struct ike_ts_set *tsr)
{
	memset(tsi, 0, sizeof(*tsi));
	memset(tsr, 0, sizeof(*tsr));
	tsi->n = 2;
	tsi->ts[0] = (struct ike_ts){ IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535,
				      { 10, 0, 0, 0 }, { 10, 0, 0, 255 } };
	tsi->ts[1] = (struct ike_ts){ IKE_TS_IPV6_ADDR_RANGE, 17, 500, 4500,
				      { 0x20, 0x01, 0x0d, 0xb8 },
				      { 0x20, 0x01, 0x0d, 0xb8, [4] = 0xff, [15] = 0xff } };
	tsr->n = 1;
	tsr->ts[0] = (struct ike_ts){ IKE_TS_IPV4_ADDR_RANGE, 6, 80, 80,
				      { 192, 0, 2, 7 }, { 192, 0, 2, 7 } };
}

static void
add_ts(struct ike_msg_builder *b)
{
	struct ike_ts_set tsi, tsr;

	ts_sets(&tsi, &tsr);
	CU_ASSERT_EQUAL(ike_msg_build_ts(b, IKE_PL_TSI, &tsi), 0);
	CU_ASSERT_EQUAL(ike_msg_build_ts(b, IKE_PL_TSR, &tsr), 0);
}

static void
check_ts(const struct ike_ts_set *got, const struct ike_ts_set *want)
{
	CU_ASSERT_EQUAL_FATAL(got->n, want->n);
	for (uint8_t i = 0; i < want->n; i++) {
		CU_ASSERT_EQUAL(got->ts[i].type, want->ts[i].type);
		CU_ASSERT_EQUAL(got->ts[i].ip_proto, want->ts[i].ip_proto);
		CU_ASSERT_EQUAL(got->ts[i].start_port, want->ts[i].start_port);
		CU_ASSERT_EQUAL(got->ts[i].end_port, want->ts[i].end_port);
		CU_ASSERT_EQUAL(memcmp(got->ts[i].start, want->ts[i].start, 16), 0);
		CU_ASSERT_EQUAL(memcmp(got->ts[i].end, want->ts[i].end, 16), 0);
	}
}

static void
test_rt_ts(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;
	struct ike_ts_set tsi, tsr;

	ts_sets(&tsi, &tsr);
	roundtrip(buf, add_ts, true, IKE_FLAG_INITIATOR, &m);
	check_ts(&m.tsi, &tsi);
	check_ts(&m.tsr, &tsr);
}

static void
add_cp(struct ike_msg_builder *b)
{
	struct ike_pl_cp cp = { .type = IKE_CFG_REPLY, .n_attrs = 3 };

	cp.attrs[0] = (struct ike_pl_cp_attr){ IKE_CP_INTERNAL_IP4_ADDRESS,
					       { (const uint8_t *)"\x0a\x63\0\x02", 4 } };
	cp.attrs[1] = (struct ike_pl_cp_attr){ IKE_CP_INTERNAL_IP4_DNS,
					       { (const uint8_t *)"\x0a\0\0\x35", 4 } };
	cp.attrs[2] = (struct ike_pl_cp_attr){ IKE_CP_INTERNAL_IP6_ADDRESS, { NULL, 0 } };
	CU_ASSERT_EQUAL(ike_msg_build_cp(b, &cp), 0);
}

static void
test_rt_cp(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;

	roundtrip(buf, add_cp, true, IKE_FLAG_RESPONSE, &m);
	CU_ASSERT_EQUAL(m.cp.type, IKE_CFG_REPLY);
	CU_ASSERT_EQUAL_FATAL(m.cp.n_attrs, 3);
	CU_ASSERT_EQUAL(m.cp.attrs[0].type, IKE_CP_INTERNAL_IP4_ADDRESS);
	CU_ASSERT_TRUE(chunk_eq(m.cp.attrs[0].value, "\x0a\x63\0\x02", 4));
	CU_ASSERT_EQUAL(m.cp.attrs[1].type, IKE_CP_INTERNAL_IP4_DNS);
	CU_ASSERT_TRUE(chunk_eq(m.cp.attrs[1].value, "\x0a\0\0\x35", 4));
	CU_ASSERT_EQUAL(m.cp.attrs[2].type, IKE_CP_INTERNAL_IP6_ADDRESS);
	CU_ASSERT_EQUAL(m.cp.attrs[2].value.len, 0);
}

/* The test messages below are also the fuzz seeds. */
static size_t
finish_or_zero(struct ike_msg_builder *b)
{
	size_t len;

	return ike_msg_build_finish(b, &len) == 0 ? len : 0;
}

size_t
t_build_sa_init(uint8_t *buf, size_t cap)
{
	static const uint8_t natd[20] = { 0x4e, 0x41, 0x54 };
	struct ike_hdr h = t_hdr;
	struct ike_msg_builder b;
	struct ike_proposal p[2];
	struct ike_pl_ke ke = { IKE_DH_ECP_256, { key32, sizeof(key32) } };
	struct ike_pl_cert cr = { IKE_CERT_X509_SIG, { ca_hash, 20 } };

	h.spi_r = 0;
	h.exchange = IKE_EXCH_SA_INIT;
	h.msg_id = 0;
	two_proposals(p);
	p[1] = p[0];
	p[1].num = 2;
	p[1].transforms[0].id = IKE_ENCR_AES_GCM_16;
	p[1].transforms[2].id = IKE_INTEG_NONE;
	ike_msg_build_init(&b, buf, cap, &h);
	ike_msg_build_sa(&b, p, 2);
	ike_msg_build_ke(&b, &ke);
	ike_msg_build_nonce(&b, nonce32, sizeof(nonce32));
	ike_msg_build_status(&b, IKE_N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	ike_msg_build_status(&b, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, sizeof(natd));
	ike_msg_build_certreq(&b, &cr);
	ike_msg_build_status(&b, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_msg_build_vendor(&b, (const uint8_t *)"hagw", 4);
	return finish_or_zero(&b);
}

size_t
t_build_auth(uint8_t *buf, size_t cap)
{
	struct ike_msg_builder b;
	struct ike_proposal p[2];
	struct ike_pl_auth a = { IKE_AUTH_PSK, { sig, sizeof(sig) } };

	two_proposals(p);
	p[1].num = 1;
	ike_msg_build_init(&b, buf, cap, &t_hdr);
	ike_msg_build_begin_sk(&b, 0);
	ike_msg_build_id(&b, IKE_PL_IDI, &id_fqdn);
	ike_msg_build_id(&b, IKE_PL_IDR, &id_ip4);
	ike_msg_build_auth(&b, &a);
	add_cp(&b);
	ike_msg_build_sa(&b, &p[1], 1);
	add_ts(&b);
	ike_msg_build_status(&b, IKE_N_INITIAL_CONTACT, NULL, 0);
	ike_msg_build_status(&b, IKE_N_MESSAGE_ID_SYNC_SUPPORTED, NULL, 0);
	return finish_or_zero(&b);
}

size_t
t_build_informational(uint8_t *buf, size_t cap)
{
	struct ike_msg_builder b;
	struct ike_hdr h = t_hdr;

	h.exchange = IKE_EXCH_INFORMATIONAL;
	h.msg_id = 7;
	ike_msg_build_init(&b, buf, cap, &h);
	ike_msg_build_begin_sk(&b, 0);
	add_deletes(&b);
	return finish_or_zero(&b);
}

size_t
t_build_create_child(uint8_t *buf, size_t cap)
{
	struct ike_msg_builder b;
	struct ike_hdr h = t_hdr;
	struct ike_proposal p[2];

	two_proposals(p);
	p[1].num = 1;
	h.exchange = IKE_EXCH_CREATE_CHILD_SA;
	h.msg_id = 2;
	ike_msg_build_init(&b, buf, cap, &h);
	ike_msg_build_begin_sk(&b, 0);
	add_notifies(&b);
	ike_msg_build_sa(&b, &p[1], 1);
	add_ke_nonce(&b);
	add_ts(&b);
	return finish_or_zero(&b);
}

size_t
t_build_skf(uint8_t *buf, size_t cap)
{
	static const uint8_t chunk[48] = { 0x23, 0x00, 0x00, 0x13 };
	struct ike_msg_builder b;

	ike_msg_build_init(&b, buf, cap, &t_hdr);
	ike_msg_build_skf(&b, IKE_PL_IDI, 1, 3, 0, chunk, sizeof(chunk));
	return finish_or_zero(&b);
}

static const char *corpus_dir;

/* Run as a test (the builders assert): one file per seed in corpus_dir. */
static void
write_corpus(void)
{
	static const struct {
		const char *name;
		size_t (*build)(uint8_t *buf, size_t cap);
	} seeds[] = {
		{ "sa_init", t_build_sa_init },
		{ "auth_sk_plain", t_build_auth },
		{ "informational_delete", t_build_informational },
		{ "create_child_sa", t_build_create_child },
		{ "skf_1_of_3", t_build_skf },
		{ "strongswan_sa_init", t_strongswan_sa_init },
	};
	static uint8_t buf[T_BUF];
	char path[512];
	FILE *f;
	size_t len;

	for (size_t i = 0; i < DIM(seeds); i++) {
		len = seeds[i].build(buf, sizeof(buf));
		CU_ASSERT_NOT_EQUAL_FATAL(len, 0);
		snprintf(path, sizeof(path), "%s/%s", corpus_dir, seeds[i].name);
		f = fopen(path, "wb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fwrite(buf, 1, len, f), len);
		CU_ASSERT_EQUAL(fclose(f), 0);
	}
}

void
t_add_roundtrip_tests(CU_pSuite s)
{
	CU_add_test(s, "round trip SA (request, inside SK, response)", test_rt_sa);
	CU_add_test(s, "round trip KE and Nonce", test_rt_ke_nonce);
	CU_add_test(s, "round trip Nonce bounds", test_rt_nonce_bounds);
	CU_add_test(s, "round trip IDi/IDr with IDx' body", test_rt_id);
	CU_add_test(s, "round trip CERT/CERTREQ", test_rt_cert);
	CU_add_test(s, "builder error latches", test_build_latch);
	CU_add_test(s, "round trip AUTH, Vendor, EAP", test_rt_auth_vendor_eap_ok);
	CU_add_test(s, "round trip Notify", test_rt_notify);
	CU_add_test(s, "round trip Delete", test_rt_delete);
	CU_add_test(s, "round trip TSi/TSr", test_rt_ts);
	CU_add_test(s, "round trip CP", test_rt_cp);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_msg", NULL, NULL);
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
		corpus_dir = argv[2];
		CU_add_test(s, "write the fuzz seeds", write_corpus);
	} else {
		t_add_roundtrip_tests(s);
		t_add_wire_tests(s);
		t_add_bad_tests(s);
	}
	return cu_run_registered();
}
