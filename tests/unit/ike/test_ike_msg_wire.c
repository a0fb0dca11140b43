/*
 * IKEv2 wire bytes (RFC 7296 §3): an IKE_SA_INIT request laid out as
 * strongSwan 5.9 sends it (aes128gcm16-prfsha256-x25519), parsed and
 * rebuilt byte for byte; the header checks (§3.1); the SK/SKF layout handed
 * to the crypto code and the lengths it fixes after sealing (§3.14, RFC
 * 7383 §2.5); transform attributes (§3.3.5, §3.3.6) and our SA bounds;
 * builder refusals; the fuzz seeds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_ike_msg.h"

/* HDR, SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
 * N(FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS), N(REDIRECT_SUPPORTED). */
static const char sa_init_hex[] =
	"1a2b3c4d5e6f7081 0000000000000000 21 20 22 08 00000000 000000e8"
	/* SA: one IKE proposal, ENCR AES-GCM-16 128, PRF SHA2-256, DH 31 */
	"22 00 0028  00 00 0024 01 01 00 03"
	"  03 00 000c 01 00 0014 800e 0080"
	"  03 00 0008 02 00 0005"
	"  00 00 0008 04 00 001f"
	/* KE: group 31, 32 bytes */
	"28 00 0028 001f 0000"
	"  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	/* Ni: 32 bytes */
	"29 00 0024 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"29 00 001c 00 00 4004 404142434445464748494a4b4c4d4e4f50515253"
	"29 00 001c 00 00 4005 606162636465666768696a6b6c6d6e6f70717273"
	"29 00 0008 00 00 402e"
	"29 00 0010 00 00 402f 0002 0003 0004 0005"
	"00 00 0008 00 00 4016";

size_t
t_strongswan_sa_init(uint8_t *buf, size_t cap)
{
	return t_hex(sa_init_hex, buf, cap);
}

static void
test_strongswan_sa_init(void)
{
	static uint8_t wire[512];
	static struct ike_msg m;
	size_t len = t_hex(sa_init_hex, wire, sizeof(wire));
	const struct ike_proposal *p;
	const struct ike_notify *n;

	CU_ASSERT_EQUAL_FATAL(len, 232);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(wire, len, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.spi_i, UINT64_C(0x1a2b3c4d5e6f7081));
	CU_ASSERT_EQUAL(m.hdr.spi_r, 0);
	CU_ASSERT_EQUAL(m.hdr.next_payload, IKE_PL_SA);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKE_EXCH_SA_INIT);
	CU_ASSERT_EQUAL(m.hdr.flags, IKE_FLAG_INITIATOR);
	CU_ASSERT_EQUAL(m.hdr.msg_id, 0);
	CU_ASSERT_EQUAL(m.hdr.length, 232);
	CU_ASSERT_EQUAL(m.n_payloads, 8);
	CU_ASSERT_EQUAL(m.present, UINT64_C(1) << IKE_PL_SA | UINT64_C(1) << IKE_PL_KE |
				   UINT64_C(1) << IKE_PL_NONCE | UINT64_C(1) << IKE_PL_NOTIFY);
	CU_ASSERT_EQUAL(m.inner, 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 1);
	p = &m.sa.proposals[0];
	CU_ASSERT_EQUAL(p->num, 1);
	CU_ASSERT_EQUAL(p->protocol, IKE_PROTO_IKE);
	CU_ASSERT_EQUAL(p->spi_len, 0);
	CU_ASSERT_EQUAL_FATAL(p->n_transforms, 3);
	CU_ASSERT_EQUAL(p->transforms[0].type, IKE_TF_ENCR);
	CU_ASSERT_EQUAL(p->transforms[0].id, IKE_ENCR_AES_GCM_16);
	CU_ASSERT_EQUAL(p->transforms[0].key_bits, 128);
	CU_ASSERT_EQUAL(p->transforms[1].type, IKE_TF_PRF);
	CU_ASSERT_EQUAL(p->transforms[1].id, IKE_PRF_HMAC_SHA2_256);
	CU_ASSERT_EQUAL(p->transforms[1].key_bits, 0);
	CU_ASSERT_EQUAL(p->transforms[2].type, IKE_TF_DH);
	CU_ASSERT_EQUAL(p->transforms[2].id, IKE_DH_CURVE25519);
	CU_ASSERT_EQUAL(m.ke.group, IKE_DH_CURVE25519);
	CU_ASSERT_PTR_EQUAL(m.ke.data.ptr, wire + 28 + 40 + 8);
	CU_ASSERT_EQUAL(m.ke.data.len, 32);
	CU_ASSERT_PTR_EQUAL(m.nonce.ptr, wire + 28 + 40 + 40 + 4);
	CU_ASSERT_EQUAL(m.nonce.len, 32);
	CU_ASSERT_EQUAL(m.nonce.ptr[0], 0x20);
	CU_ASSERT_EQUAL_FATAL(m.n_notify, 5);
	CU_ASSERT_EQUAL(m.notify[0].type, IKE_N_NAT_DETECTION_SOURCE_IP);
	CU_ASSERT_EQUAL(m.notify[0].data.len, 20);
	CU_ASSERT_EQUAL(m.notify[0].data.ptr[0], 0x40);
	CU_ASSERT_EQUAL(m.notify[1].type, IKE_N_NAT_DETECTION_DESTINATION_IP);
	CU_ASSERT_EQUAL(m.notify[1].data.ptr[19], 0x73);
	CU_ASSERT_EQUAL(m.notify[2].type, IKE_N_FRAGMENTATION_SUPPORTED);
	CU_ASSERT_EQUAL(m.notify[2].data.len, 0);
	n = ike_msg_find_notify(&m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	CU_ASSERT_PTR_EQUAL_FATAL(n, &m.notify[3]);
	CU_ASSERT_EQUAL(n->data.len, 8);
	CU_ASSERT_EQUAL(memcmp(n->data.ptr, "\0\2\0\3\0\4\0\5", 8), 0);
	CU_ASSERT_EQUAL(m.notify[4].type, IKE_N_REDIRECT_SUPPORTED);
	CU_ASSERT_FALSE(m.notify[4].in_sk);
	CU_ASSERT_EQUAL(m.sk.type, 0);
}

/* Rebuilt from the parsed structs: the same bytes. */
static void
test_strongswan_rebuild(void)
{
	static uint8_t wire[512], buf[512];
	static struct ike_msg m;
	size_t len = t_hex(sa_init_hex, wire, sizeof(wire));
	struct ike_msg_builder b;
	size_t blen;

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(wire, len, &m), 0);
	CU_ASSERT_EQUAL(ike_msg_build_init(&b, buf, sizeof(buf), &m.hdr), 0);
	CU_ASSERT_EQUAL(ike_msg_build_sa(&b, m.sa.proposals, m.sa.n_proposals), 0);
	CU_ASSERT_EQUAL(ike_msg_build_ke(&b, &m.ke), 0);
	CU_ASSERT_EQUAL(ike_msg_build_nonce(&b, m.nonce.ptr, m.nonce.len), 0);
	for (uint8_t i = 0; i < m.n_notify; i++)
		CU_ASSERT_EQUAL(ike_msg_build_notify(&b, &m.notify[i]), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_finish(&b, &blen), 0);
	CU_ASSERT_EQUAL_FATAL(blen, len);
	CU_ASSERT_EQUAL(memcmp(buf, wire, len), 0);
	CU_ASSERT_EQUAL(ike_msg_build_sk_layout(&b, &(struct ike_msg_sk_layout){ 0 }), -ENOENT);
}

struct hdr_row {
	const char *name;
	size_t cut;             /* datagram = message minus cut bytes */
	int len_delta;          /* added to the length field */
	uint8_t version;
	int rc;
	uint16_t notify;
};

static const struct hdr_row hdr_rows[] = {
	{ "valid", 0, 0, IKE_VERSION, 0, 0 },
	{ "27 bytes", 9, -9, IKE_VERSION, -EBADMSG, IKE_N_INVALID_SYNTAX },
	{ "length field larger than datagram", 0, 1, IKE_VERSION, -EMSGSIZE, IKE_N_INVALID_SYNTAX },
	{ "length field smaller than datagram", 0, -1, IKE_VERSION, -EMSGSIZE,
	  IKE_N_INVALID_SYNTAX },
	{ "length field below 28", 0, -16, IKE_VERSION, -EBADMSG, IKE_N_INVALID_SYNTAX },
	{ "IKEv1", 0, 0, 0x10, -EPROTONOSUPPORT, IKE_N_INVALID_MAJOR_VERSION },
	{ "major version 3", 0, 0, 0x30, -EPROTONOSUPPORT, IKE_N_INVALID_MAJOR_VERSION },
	{ "minor version 2.1 is ignored", 0, 0, 0x21, 0, 0 },
};

/* Each row: HDR, N(INITIAL_CONTACT): 36 bytes. */
static void
test_header_table(void)
{
	static struct ike_msg m;
	uint8_t msg[64], n[IKE_GENERIC_HDR_LEN + IKE_NOTIFY_HDR_LEN];
	size_t nlen = t_hex("00 00 0008 00 00 4000", n, sizeof(n));
	struct ike_hdr h;

	for (size_t i = 0; i < DIM(hdr_rows); i++) {
		const struct hdr_row *row = &hdr_rows[i];
		size_t len = t_msg(msg, sizeof(msg), IKE_PL_NOTIFY, IKE_FLAG_INITIATOR, n, nlen,
				   row->len_delta);
		int rc;

		msg[17] = row->version;
		rc = ike_msg_parse(msg, len - row->cut, &m);
		if (rc != row->rc || m.error_notify != row->notify)
			fprintf(stderr, "header row '%s': rc %d notify %u\n", row->name, rc,
				m.error_notify);
		CU_ASSERT_EQUAL(rc, row->rc);
		CU_ASSERT_EQUAL(m.error_notify, row->notify);
		CU_ASSERT_EQUAL(m.error_payload, 0);
		CU_ASSERT_EQUAL(ike_msg_parse_header(msg, len - row->cut, &h), row->rc);
		if (row->cut != 0)
			continue;
		/* Filled even on failure: INVALID_MAJOR_VERSION needs SPIs and ID. */
		CU_ASSERT_EQUAL(h.spi_i, t_hdr.spi_i);
		CU_ASSERT_EQUAL(h.spi_r, t_hdr.spi_r);
		CU_ASSERT_EQUAL(h.msg_id, t_hdr.msg_id);
		CU_ASSERT_EQUAL(h.version, row->version);
		CU_ASSERT_EQUAL(h.length, (uint32_t)((int)(IKE_HDR_LEN + nlen) + row->len_delta));
	}
}

/* SK with an 8-byte IV: the layout, then what sealing does (16-byte ICV
 * appended, lengths fixed), then parsing the sealed message. */
static void
test_sk_layout(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;
	struct ike_msg_builder b;
	struct ike_msg_sk_layout l;
	size_t len;

	CU_ASSERT_EQUAL(ike_msg_build_init(&b, buf, sizeof(buf), &t_hdr), 0);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, (const uint8_t *)"v", 1), 0);
	CU_ASSERT_EQUAL(ike_msg_build_begin_sk(&b, 8), 0);
	CU_ASSERT_EQUAL(ike_msg_build_begin_sk(&b, 8), -EINVAL);
	b.err = 0;
	CU_ASSERT_EQUAL(ike_msg_build_status(&b, IKE_N_INITIAL_CONTACT, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_finish(&b, &len), 0);
	CU_ASSERT_EQUAL(len, 28 + 5 + 4 + 8 + 8);
	CU_ASSERT_EQUAL_FATAL(ike_msg_build_sk_layout(&b, &l), 0);
	CU_ASSERT_EQUAL(l.sk_off, 33);
	CU_ASSERT_EQUAL(l.iv_off, 37);
	CU_ASSERT_EQUAL(l.inner_off, 45);
	CU_ASSERT_EQUAL(l.inner_len, 8);
	CU_ASSERT_EQUAL(l.cap, sizeof(buf));
	CU_ASSERT_EQUAL(buf[28], IKE_PL_SK);            /* V's next payload */
	CU_ASSERT_EQUAL(buf[33], IKE_PL_NOTIFY);        /* SK's: the first inner one */
	CU_ASSERT_EQUAL(buf[45], IKE_PL_NONE);

	memset(buf + len, 0xcc, 16);
	CU_ASSERT_EQUAL(ike_msg_set_lengths(buf, len + 16, l.sk_off), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len + 16, &m), 0);
	CU_ASSERT_EQUAL(m.sk.type, IKE_PL_SK);
	CU_ASSERT_EQUAL(m.sk.first_payload, IKE_PL_NOTIFY);
	CU_ASSERT_EQUAL(m.sk.hdr_off, 33);
	CU_ASSERT_EQUAL(m.sk.body_off, 37);
	CU_ASSERT_PTR_EQUAL(m.sk.body.ptr, buf + 37);
	CU_ASSERT_EQUAL(m.sk.body.len, 8 + 8 + 16);
	CU_ASSERT_EQUAL(m.n_vendor, 1);
	CU_ASSERT_EQUAL(m.n_notify, 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(buf + l.inner_off, l.inner_len, m.sk.first_payload,
					    &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.n_notify, 1);
	CU_ASSERT_TRUE(m.notify[0].in_sk);
	CU_ASSERT_EQUAL(m.inner, UINT64_C(1) << IKE_PL_NOTIFY);

	CU_ASSERT_EQUAL(ike_msg_set_lengths(buf, 27, 28), -EINVAL);
	CU_ASSERT_EQUAL(ike_msg_set_lengths(buf, 40, 20), -EINVAL);
	CU_ASSERT_EQUAL(ike_msg_set_lengths(buf, 40, 37), -EINVAL);
	CU_ASSERT_EQUAL(ike_msg_set_lengths(buf, IKE_MSG_MAX + 1, 28), -EINVAL);
}

static void
test_skf(void)
{
	static const uint8_t plain[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	static uint8_t buf[T_BUF];
	static struct ike_msg m;
	struct ike_msg_builder b;
	struct ike_msg_sk_layout l;
	size_t len;

	for (uint16_t num = 1; num <= 2; num++) {
		ike_msg_build_init(&b, buf, sizeof(buf), &t_hdr);
		CU_ASSERT_EQUAL(ike_msg_build_skf(&b, IKE_PL_IDI, num, 2, 16, plain, 10), 0);
		CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, plain, 1), -EINVAL);
		b.err = 0;
		CU_ASSERT_EQUAL_FATAL(ike_msg_build_finish(&b, &len), 0);
		CU_ASSERT_EQUAL(len, 28 + 8 + 16 + 10);
		CU_ASSERT_EQUAL_FATAL(ike_msg_build_sk_layout(&b, &l), 0);
		CU_ASSERT_EQUAL(l.sk_off, 28);
		CU_ASSERT_EQUAL(l.iv_off, 36);
		CU_ASSERT_EQUAL(l.inner_off, 52);
		CU_ASSERT_EQUAL(l.inner_len, 10);
		CU_ASSERT_EQUAL(memcmp(buf + 52, plain, 10), 0);
		CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
		CU_ASSERT_EQUAL(m.hdr.next_payload, IKE_PL_SKF);
		CU_ASSERT_EQUAL(m.sk.type, IKE_PL_SKF);
		CU_ASSERT_EQUAL(m.sk.first_payload, num == 1 ? IKE_PL_IDI : IKE_PL_NONE);
		CU_ASSERT_EQUAL(m.sk.frag_num, num);
		CU_ASSERT_EQUAL(m.sk.frag_total, 2);
		CU_ASSERT_EQUAL(m.sk.body_off, 36);
		CU_ASSERT_EQUAL(m.sk.body.len, 26);
	}
	const uint16_t bad[][2] = { { 0, 2 }, { 3, 2 }, { 1, 0 }, { 0, 0 } };

	for (size_t i = 0; i < DIM(bad); i++) {
		ike_msg_build_init(&b, buf, sizeof(buf), &t_hdr);
		CU_ASSERT_EQUAL(ike_msg_build_skf(&b, IKE_PL_IDI, bad[i][0], bad[i][1], 16, plain,
						  10), -EINVAL);
	}
	ike_msg_build_init(&b, buf, sizeof(buf), &t_hdr);
	ike_msg_build_begin_sk(&b, 8);
	CU_ASSERT_EQUAL(ike_msg_build_skf(&b, IKE_PL_IDI, 1, 1, 16, plain, 10), -EINVAL);
}

static void
test_builder_refusals(void)
{
	static uint8_t buf[T_BUF], big[IKE_MSG_MAX];
	struct ike_msg_builder b;
	struct ike_proposal p = { .num = 1, .protocol = IKE_PROTO_IKE,
				  .n_transforms = IKE_TRANSFORMS_MAX + 1 };
	struct ike_delete d = { .protocol = IKE_PROTO_IKE, .spi_len = 4, .n_spis = 1 };
	struct ike_ts_set ts = { .n = 1, .ts = { { .type = 9 } } };
	struct ike_id id = { IKE_ID_FQDN, 1, "a" };
	struct ike_pl_ke ke = { IKE_DH_ECP_256, { NULL, 0 } };
	struct ike_pl_auth a = { IKE_AUTH_PSK, { NULL, 0 } };
	size_t len;

	struct {
		const char *name;
		int rc;
	} got[] = {
		{ "SA of 0 proposals", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
					ike_msg_build_sa(&b, &p, 0)) },
		{ "too many transforms", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
				    ike_msg_build_sa(&b, &p, 1)) },
		{ "IKE delete with SPIs", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
					   ike_msg_build_delete(&b, &d)) },
		{ "TS type 9", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
				ike_msg_build_ts(&b, IKE_PL_TSI, &ts)) },
		{ "TS as IDi", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
				ike_msg_build_ts(&b, IKE_PL_IDI, &(struct ike_ts_set){ 0 })) },
		{ "ID as TSi", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
				ike_msg_build_id(&b, IKE_PL_TSI, &id)) },
		{ "empty KE", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
			       ike_msg_build_ke(&b, &ke)) },
		{ "empty AUTH", (ike_msg_build_init(&b, buf, T_BUF, &t_hdr),
				 ike_msg_build_auth(&b, &a)) },
	};

	for (size_t i = 0; i < DIM(got); i++) {
		if (got[i].rc != -EINVAL)
			fprintf(stderr, "builder '%s': %d\n", got[i].name, got[i].rc);
		CU_ASSERT_EQUAL(got[i].rc, -EINVAL);
	}
	/* Out of room: latched, reported by finish. */
	CU_ASSERT_EQUAL(ike_msg_build_init(&b, buf, IKE_HDR_LEN - 1, &t_hdr), -ENOBUFS);
	ike_msg_build_init(&b, buf, IKE_HDR_LEN + 10, &t_hdr);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, big, 7), -ENOBUFS);
	CU_ASSERT_EQUAL(ike_msg_build_finish(&b, &len), -ENOBUFS);
	/* A payload over 65535 bytes; a message over 65535 bytes. */
	static uint8_t huge[2 * IKE_MSG_MAX];

	ike_msg_build_init(&b, huge, sizeof(huge), &t_hdr);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, big, IKE_MSG_MAX - 3), -EMSGSIZE);
	ike_msg_build_init(&b, huge, sizeof(huge), &t_hdr);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, big, IKE_MSG_MAX - 4), 0);
	CU_ASSERT_EQUAL(ike_msg_build_finish(&b, &len), -EMSGSIZE);
	ike_msg_build_init(&b, huge, sizeof(huge), &t_hdr);
	CU_ASSERT_EQUAL(ike_msg_build_vendor(&b, big, IKE_MSG_MAX - IKE_HDR_LEN - 4), 0);
	CU_ASSERT_EQUAL(ike_msg_build_finish(&b, &len), 0);
	CU_ASSERT_EQUAL(len, IKE_MSG_MAX);
}

/* §3.3.5/§3.3.6: proposal 1 loses its AES-CBC with attribute 15 but keeps
 * the one with Key Length 128; proposal 2 (Key Length as TLV) and 3 (Key
 * Length 0) lose their only ENCR and are dropped; proposal 4 stays. */
static const char attr_sa_hex[] =
	"00 00 0074"
	"  02 00 0028 01 01 00 03"
	"    03 00 000c 01 00 000c 800e 0080"
	"    03 00 000c 01 00 000c 800f 0001"
	"    00 00 0008 03 00 000c"
	"  02 00 0020 02 01 00 02"
	"    03 00 0010 01 00 000c 000e 0004 00000080"
	"    00 00 0008 03 00 000c"
	"  02 00 0014 03 01 00 01"
	"    00 00 000c 01 00 000c 800e 0000"
	"  00 00 0014 04 01 00 01"
	"    00 00 000c 01 00 000c 800e 0100";

static void
test_sa_attributes(void)
{
	static uint8_t chain[256], msg[512];
	static struct ike_msg m;
	size_t len = t_hex(attr_sa_hex, chain, sizeof(chain));
	size_t mlen = t_msg(msg, sizeof(msg), IKE_PL_SA, 0, chain, len, 0);

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(msg, mlen, &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 2);
	CU_ASSERT_EQUAL(m.sa.n_dropped_proposals, 2);
	CU_ASSERT_EQUAL(m.sa.n_dropped_transforms, 1);
	CU_ASSERT_EQUAL(m.sa.proposals[0].num, 1);
	CU_ASSERT_EQUAL_FATAL(m.sa.proposals[0].n_transforms, 2);
	CU_ASSERT_EQUAL(m.sa.proposals[0].transforms[0].key_bits, 128);
	CU_ASSERT_EQUAL(m.sa.proposals[0].transforms[1].type, IKE_TF_INTEG);
	CU_ASSERT_EQUAL(m.sa.proposals[1].num, 4);
	CU_ASSERT_EQUAL_FATAL(m.sa.proposals[1].n_transforms, 1);
	CU_ASSERT_EQUAL(m.sa.proposals[1].transforms[0].key_bits, 256);
}

/* An SA body of n_props proposals of n_tf transforms (ENCR AES-CBC 128). */
static size_t
sa_body(uint8_t *out, size_t cap, unsigned int n_props, unsigned int n_tf)
{
	struct ike_wr w;

	ike_wr_init(&w, out, cap);
	for (unsigned int p = 0; p < n_props; p++) {
		ike_wr_u8(&w, p + 1 < n_props ? IKE_SUBSTRUC_MORE_PROPOSALS : IKE_SUBSTRUC_LAST);
		ike_wr_u8(&w, 0);
		ike_wr_u16(&w, (uint16_t)(IKE_PROPOSAL_HDR_LEN + n_tf * 12));
		ike_wr_u8(&w, (uint8_t)(p + 1));
		ike_wr_u8(&w, IKE_PROTO_IKE);
		ike_wr_u8(&w, 0);
		ike_wr_u8(&w, (uint8_t)n_tf);
		for (unsigned int t = 0; t < n_tf; t++) {
			ike_wr_u8(&w, t + 1 < n_tf ? IKE_SUBSTRUC_MORE_TRANSFORMS : 0);
			ike_wr_u8(&w, 0);
			ike_wr_u16(&w, 12);
			ike_wr_u32(&w, (uint32_t)IKE_TF_ENCR << 24 | IKE_ENCR_AES_CBC);
			ike_wr_u32(&w, (uint32_t)(IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH) << 16 | 128);
		}
	}
	CU_ASSERT_FALSE_FATAL(w.overflow);
	return w.len;
}

static void
test_sa_bounds(void)
{
	static uint8_t body[8192];
	static struct ike_pl_sa sa;
	size_t len;

	len = sa_body(body, sizeof(body), 1, IKE_TRANSFORMS_MAX + 1);
	CU_ASSERT_EQUAL(ike_pl_parse_sa(body, len, false, &sa), 0);
	CU_ASSERT_EQUAL(sa.n_proposals, 0);
	CU_ASSERT_EQUAL(sa.n_dropped_proposals, 1);
	len = sa_body(body, sizeof(body), 1, IKE_TRANSFORMS_MAX);
	CU_ASSERT_EQUAL(ike_pl_parse_sa(body, len, false, &sa), 0);
	CU_ASSERT_EQUAL_FATAL(sa.n_proposals, 1);
	CU_ASSERT_EQUAL(sa.proposals[0].n_transforms, IKE_TRANSFORMS_MAX);
	len = sa_body(body, sizeof(body), IKE_PROPOSALS_MAX + 1, 1);
	CU_ASSERT_EQUAL(ike_pl_parse_sa(body, len, false, &sa), 0);
	CU_ASSERT_EQUAL_FATAL(sa.n_proposals, IKE_PROPOSALS_MAX);
	CU_ASSERT_EQUAL(sa.proposals[IKE_PROPOSALS_MAX - 1].num, IKE_PROPOSALS_MAX);
	CU_ASSERT_EQUAL(sa.n_dropped_proposals, 1);
	/* One proposal in a response: any number but 0. */
	len = sa_body(body, sizeof(body), 1, 1);
	body[4] = 0;
	CU_ASSERT_EQUAL(ike_pl_parse_sa(body, len, true, &sa), -EBADMSG);
}

/* A second SA inside SK when one came in cleartext. */
static void
test_duplicate_across_sk(void)
{
	static uint8_t buf[T_BUF], inner[64];
	static struct ike_msg m;
	size_t len = t_build_sa_init(buf, sizeof(buf));
	size_t ilen = t_hex("00 00 0014 0000 0010 01 01 00 01 0000 0008 01 00 000c", inner,
			    sizeof(inner));

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(inner, ilen, IKE_PL_SA, &m), -EEXIST);
	CU_ASSERT_EQUAL(m.error_notify, IKE_N_INVALID_SYNTAX);
	CU_ASSERT_EQUAL(m.error_payload, IKE_PL_SA);
}

/* The fuzz seeds parse, inner chains (IV of 0 bytes) included. */
static void
test_seeds(void)
{
	static uint8_t buf[T_BUF];
	static struct ike_msg m;
	size_t len;

	len = t_build_sa_init(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL(m.sa.n_proposals, 2);
	CU_ASSERT_EQUAL(m.n_notify, 3);
	CU_ASSERT_EQUAL(m.n_certreq, 1);
	CU_ASSERT_EQUAL(m.n_vendor, 1);
	CU_ASSERT_EQUAL(m.n_payloads, 8);

	len = t_build_auth(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(m.sk.body.ptr, m.sk.body.len,
						  m.sk.first_payload, &m), 0);
	CU_ASSERT_EQUAL(m.n_payloads, 10);
	CU_ASSERT_EQUAL(m.idi.id.type, IKE_ID_FQDN);
	CU_ASSERT_EQUAL(m.auth.method, IKE_AUTH_PSK);
	CU_ASSERT_EQUAL(m.cp.n_attrs, 3);
	CU_ASSERT_EQUAL(m.tsi.n, 2);
	CU_ASSERT_EQUAL(m.n_notify, 2);

	len = t_build_informational(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(m.sk.body.ptr, m.sk.body.len,
						  m.sk.first_payload, &m), 0);
	CU_ASSERT_EQUAL(m.n_delete, 2);

	len = t_build_create_child(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(m.sk.body.ptr, m.sk.body.len,
						  m.sk.first_payload, &m), 0);
	CU_ASSERT_EQUAL(m.n_notify, 4);
	CU_ASSERT_EQUAL(m.sa.proposals[0].protocol, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(m.ke.group, IKE_DH_CURVE25519);
	CU_ASSERT_EQUAL(m.tsr.n, 1);

	len = t_build_skf(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(buf, len, &m), 0);
	CU_ASSERT_EQUAL(m.sk.frag_num, 1);
	CU_ASSERT_EQUAL(m.sk.frag_total, 3);
}

void
t_add_wire_tests(CU_pSuite s)
{
	CU_add_test(s, "strongSwan IKE_SA_INIT request", test_strongswan_sa_init);
	CU_add_test(s, "strongSwan IKE_SA_INIT request rebuilt", test_strongswan_rebuild);
	CU_add_test(s, "header checks", test_header_table);
	CU_add_test(s, "SK layout, sealing lengths", test_sk_layout);
	CU_add_test(s, "SKF build and parse", test_skf);
	CU_add_test(s, "builder refusals and limits", test_builder_refusals);
	CU_add_test(s, "transform attributes (RFC 7296 3.3.6)", test_sa_attributes);
	CU_add_test(s, "SA bounds: transforms, proposals", test_sa_bounds);
	CU_add_test(s, "duplicate across cleartext and SK", test_duplicate_across_sk);
	CU_add_test(s, "fuzz seeds parse", test_seeds);
}
