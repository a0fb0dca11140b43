/*
 * Malformed IKE SA / CHILD SA state records (ike/ike_state_ser.c):
 * truncation at every offset, unknown, critical, duplicate and missing
 * TLVs, a table of bad and boundary values, header and version handling
 * (a newer minor accepted, another major refused), -ENOSPC and values the
 * writer refuses. Every failed read must leave the output wiped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "ike/ike_state_ser.h"

#include "test_ike_state.h"

#define S IKE_STATE_REC_IKE_SA
#define C IKE_STATE_REC_CHILD_SA

enum {
	VAL_MAX = 8256,         /* longest value a bad-value row builds */
	FILL = 0x5a,            /* output bytes the writer must not leave changed */
	REPORT_MAX = 5,         /* mismatches printed per test */
};

static struct ike_sa_state sa, sa2;
static struct ike_child_state ch, ch2;

/* Deserialize n bytes from an exactly sized heap copy (so ASan sees any
 * over-read); a failure must leave the output all zero. */
static int
deser(uint8_t kind, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, p, n);
	if (kind == S) {
		rc = ike_sa_state_deserialize(copy, n, &sa2);
		if (rc != 0)
			CU_ASSERT_TRUE(all_zero(&sa2, sizeof(sa2)));
	} else {
		rc = ike_child_state_deserialize(copy, n, &ch2);
		if (rc != 0)
			CU_ASSERT_TRUE(all_zero(&ch2, sizeof(ch2)));
	}
	free(copy);
	return rc;
}

/* The fully populated record of a kind: every TLV present. */
static size_t
valid_blob(uint8_t kind, uint8_t *buf)
{
	if (kind == S) {
		fill_sa(&sa);
		return ser_sa(&sa, buf);
	}
	fill_child(&ch);
	return ser_child(&ch, buf);
}

static uint16_t
n_types(uint8_t kind)
{
	return kind == S ? IKE_SA_T_COUNT : IKE_CHILD_T_COUNT;
}

/* The format's optional fields (ike_state_ser.h: not marked (M)). */
static bool
optional_type(uint8_t kind, uint16_t t)
{
	if (kind == C)
		return t == IKE_CHILD_T_REPLACES_ID || t == IKE_CHILD_T_REPLACED_BY_ID;
	switch (t) {
	case IKE_SA_T_RESP_FRAGS:
	case IKE_SA_T_RESP_BYTES:
	case IKE_SA_T_ID_LOCAL:
	case IKE_SA_T_ID_REMOTE:
	case IKE_SA_T_REMOTE_CERT_DN:
	case IKE_SA_T_VIP4:
	case IKE_SA_T_VIP4_POOL:
	case IKE_SA_T_VIP6:
	case IKE_SA_T_VIP6_POOL:
	case IKE_SA_T_COLLISION_NONCE:
	case IKE_SA_T_CHILD_IDS:
	case IKE_SA_T_MSGID_SYNC_USED:
	case IKE_SA_T_MSGID_NEXT:
	case IKE_SA_T_RECV_DONE:
	case IKE_SA_T_WIN_RESP_MSGIDS:
	case IKE_SA_T_WIN_RESP_LENS:
	case IKE_SA_T_WIN_RESP_BYTES:
		return true;
	default:
		return false;
	}
}

/* Where the value of TLV `type` is; false when absent. */
static bool
find_tlv(const uint8_t *p, size_t n, uint16_t type, size_t *off, uint16_t *len)
{
	for (size_t o = HDR; o + TLV_HDR <= n; o += TLV_HDR + be16(p + o + 2)) {
		if (be16(p + o) == type) {
			*off = o + TLV_HDR;
			*len = be16(p + o + 2);
			return true;
		}
	}
	return false;
}

static size_t
insert_front(const uint8_t *src, size_t n, uint16_t type, const uint8_t *val, size_t vlen,
	     uint8_t *dst)
{
	size_t d;

	memcpy(dst, src, HDR);
	d = put_tlv(dst, HDR, type, val, vlen);
	memcpy(dst + d, src + HDR, n - HDR);
	set_total(dst, d + n - HDR);
	return d + n - HDR;
}

/* ---- truncation ---- */

static bool
win_resp_type(uint8_t kind, uint16_t t)
{
	return kind == S && (t == IKE_SA_T_WIN_RESP_MSGIDS || t == IKE_SA_T_WIN_RESP_LENS ||
			     t == IKE_SA_T_WIN_RESP_BYTES);
}

/* A cut at STARTS[CUT] keeps part of the window's older responses (their
 * message IDs, lengths and bytes go together). */
static bool
splits_win(uint8_t kind, const uint8_t *p, const size_t *starts, size_t count, size_t cut)
{
	bool kept = false, gone = false;

	for (size_t i = 0; i < count; i++) {
		if (!win_resp_type(kind, be16(p + starts[i])))
			continue;
		if (i < cut)
			kept = true;
		else
			gone = true;
	}
	return kept && gone;
}

/* want_at[o]: what a record cut at TLV start o reads as: 0 when it keeps
 * every mandatory field and the window's responses whole or not at all,
 * -ERANGE when it splits those, else -EBADMSG. Returns the 0 cuts. */
static size_t
mark_ok_cuts(uint8_t kind, const uint8_t *p, size_t n, int *want_at)
{
	size_t starts[64], count = 0, ok = 0, o = HDR;
	bool tail_optional = true, split;

	for (size_t i = 0; i <= n; i++)
		want_at[i] = -EBADMSG;
	while (o + TLV_HDR <= n && count < DIM(starts)) {
		starts[count++] = o;
		o += TLV_HDR + be16(p + o + 2);
	}
	for (size_t i = count; i > 0; i--) {
		tail_optional = tail_optional && optional_type(kind, be16(p + starts[i - 1]));
		split = splits_win(kind, p, starts, count, i - 1);
		want_at[starts[i - 1]] = !tail_optional ? -EBADMSG : split ? -ERANGE : 0;
		ok += tail_optional && !split;
	}
	return ok;
}

static void
truncate_kind(uint8_t kind, size_t expected_ok_cuts)
{
	static int want_at[BUF_MAX + 1];
	size_t n = valid_blob(kind, blob), bad = 0;
	int rc, want;

	CU_ASSERT_EQUAL(mark_ok_cuts(kind, blob, n, want_at), expected_ok_cuts);
	for (size_t k = 0; k < n; k++) {
		rc = deser(kind, blob, k);      /* header still says n bytes */
		if (rc != -EBADMSG && bad++ < REPORT_MAX)
			fprintf(stderr, "kind %u cut %zu: %d\n", kind, k, rc);
		if (k < HDR)
			continue;
		memcpy(blob2, blob, k);         /* header says k bytes */
		set_total(blob2, k);
		rc = deser(kind, blob2, k);
		want = want_at[k];
		if (rc != want && bad++ < REPORT_MAX)
			fprintf(stderr, "kind %u cut %zu with header: %d, want %d\n", kind, k, rc,
				want);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The IKE SA record ends with eight optional TLVs, the last three (the
 * window's older responses) only valid together: six cuts keep it valid. */
static void
test_truncation(void)
{
	truncate_kind(C, 0);
	truncate_kind(S, 6);
}

/* ---- unknown, duplicate and missing TLVs ---- */

static void
test_unknown_tlv(void)
{
	static const uint8_t v[3] = { 1, 2, 3 };
	static uint8_t big[1000];
	size_t n = valid_blob(C, blob), m;

	m = edit_tlv(blob, n, 0x7000, v, sizeof(v), blob2);     /* appended */
	CU_ASSERT_EQUAL(m, n + TLV_HDR + sizeof(v));
	CU_ASSERT_EQUAL(deser(C, blob2, m), 0);
	CU_ASSERT_EQUAL(memcmp(&ch, &ch2, sizeof(ch)), 0);
	m = insert_front(blob, n, IKE_CHILD_T_COUNT, v, 0, blob2); /* next unassigned type */
	CU_ASSERT_EQUAL(deser(C, blob2, m), 0);
	CU_ASSERT_EQUAL(memcmp(&ch, &ch2, sizeof(ch)), 0);
	m = insert_front(blob, n, 0, v, sizeof(v), blob2);      /* type 0 */
	CU_ASSERT_EQUAL(deser(C, blob2, m), 0);
	m = insert_front(blob, n, IKE_STATE_TLV_CRITICAL | 0x123, v, sizeof(v), blob2);
	CU_ASSERT_EQUAL(deser(C, blob2, m), -EPROTONOSUPPORT);
	m = edit_tlv(blob, n, IKE_STATE_TLV_CRITICAL | IKE_CHILD_T_ID, v, 0, blob2);
	CU_ASSERT_EQUAL(deser(C, blob2, m), -EPROTONOSUPPORT);

	n = valid_blob(S, blob);
	memset(big, 0xee, sizeof(big));
	m = insert_front(blob, n, 0x4242, big, sizeof(big), blob2);
	CU_ASSERT_EQUAL(deser(S, blob2, m), 0);
	CU_ASSERT_TRUE(ike_sa_state_equal(&sa, &sa2));
}

/* The one removal that is not just "optional or not": a record left
 * inconsistent (fragments without bytes, a pool without an address). */
static int
missing_expect(uint8_t kind, uint16_t t)
{
	if (kind == S && (t == IKE_SA_T_RESP_BYTES || t == IKE_SA_T_VIP4 || t == IKE_SA_T_VIP6 ||
			  t == IKE_SA_T_WIN_RESP_MSGIDS || t == IKE_SA_T_WIN_RESP_LENS ||
			  t == IKE_SA_T_WIN_RESP_BYTES))
		return -ERANGE;
	return optional_type(kind, t) ? 0 : -EBADMSG;
}

/* Every field of both kinds: duplicated (at the end and at the front)
 * -EBADMSG; removed as missing_expect() says. */
static void
dup_and_missing_kind(uint8_t kind)
{
	size_t n = valid_blob(kind, blob), off, m;
	uint16_t len;
	int rc;

	for (uint16_t t = 1; t < n_types(kind); t++) {
		CU_ASSERT_TRUE_FATAL(find_tlv(blob, n, t, &off, &len));
		memcpy(blob2, blob, n);
		m = put_tlv(blob2, n, t, blob + off, len);
		set_total(blob2, m);
		CU_ASSERT_EQUAL(deser(kind, blob2, m), -EBADMSG);
		m = insert_front(blob, n, t, blob + off, len, blob2);
		CU_ASSERT_EQUAL(deser(kind, blob2, m), -EBADMSG);
		m = edit_tlv(blob, n, t, NULL, -1, blob2);
		CU_ASSERT_EQUAL(m, n - TLV_HDR - len);
		rc = deser(kind, blob2, m);
		if (rc != missing_expect(kind, t))
			fprintf(stderr, "kind %u type %u removed: %d\n", kind, t, rc);
		CU_ASSERT_EQUAL(rc, missing_expect(kind, t));
	}
}

static void
test_duplicate_and_missing(void)
{
	dup_and_missing_kind(C);
	dup_and_missing_kind(S);
}

/* ---- bad and boundary values, one TLV replaced in a valid record ---- */

struct bad_row {
	uint8_t kind;
	uint16_t type;
	uint16_t len;           /* value length */
	uint8_t fill;           /* value bytes after pre */
	int expected;
	uint8_t pre[16];        /* first bytes of the value */
	uint8_t npre;
};

#define ROW(k, t, n, f, e, ...) \
	{ k, t, n, f, e, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }
#define GCM128 0, 20, 0, 128

static const struct bad_row bad_rows[] = {
	ROW(C, IKE_CHILD_T_MODE, 1, 0, -ERANGE, 3),
	ROW(C, IKE_CHILD_T_MODE, 1, 0, -ERANGE, 0),
	ROW(C, IKE_CHILD_T_MODE, 1, 0, 0, IKE_CHILD_MODE_TUNNEL),
	ROW(C, IKE_CHILD_T_MODE, 2, 0, -EBADMSG, 0, 1),
	ROW(C, IKE_CHILD_T_PROTOCOL, 1, 0, -ERANGE, IKE_PROTO_AH),
	ROW(C, IKE_CHILD_T_INITIATOR, 1, 0, -ERANGE, 2),
	ROW(C, IKE_CHILD_T_INITIATOR, 0, 0, -EBADMSG, 0),
	ROW(C, IKE_CHILD_T_REKEY, 1, 0, -ERANGE, IKE_CHILD_REKEY_COUNT),
	ROW(C, IKE_CHILD_T_REKEY, 1, 0, 0, IKE_CHILD_REKEY_REKEYING),
	ROW(C, IKE_CHILD_T_ID, 7, 1, -EBADMSG, 1),
	ROW(C, IKE_CHILD_T_ID, 9, 1, -EBADMSG, 1),
	ROW(C, IKE_CHILD_T_SPI_IN, 5, 1, -EBADMSG, 1),
	ROW(C, IKE_CHILD_T_ENCAP_LOCAL_PORT, 4, 1, -EBADMSG, 1),
	ROW(C, IKE_CHILD_T_SUITE, 11, 0, -EBADMSG, GCM128),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, 0, GCM128),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, 0, 99, 0, 128),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, 0, 20, 0, 100),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, 0, 0, 28, 0, 0),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, 0, 12, 0, 128),      /* CBC, no integ */
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 0, 0, 12), /* AEAD + integ */
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 5),       /* ESP with a PRF */
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 0, 0, 0, 0, 15),
	ROW(C, IKE_CHILD_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 0, 0, 0, 0, 0, 0, 2),
	ROW(C, IKE_CHILD_T_ENCR_I, IKE_KEY_MAX + 1, 1, -ERANGE, 1),
	ROW(C, IKE_CHILD_T_ENCR_I, IKE_KEY_MAX, 1, 0, 1),
	ROW(C, IKE_CHILD_T_INTEG_R, 0, 0, 0, 0),
	ROW(C, IKE_CHILD_T_NAME, 3, 0, -ERANGE, 'a', 0, 'b'),
	ROW(C, IKE_CHILD_T_NAME, IKE_STATE_NAME_MAX, 'x', -ERANGE, 'x'),
	ROW(C, IKE_CHILD_T_NAME, IKE_STATE_NAME_MAX - 1, 'x', 0, 'x'),
	ROW(C, IKE_CHILD_T_NAME, 0, 0, 0, 0),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 1, 0, -ERANGE, IKE_TS_MAX + 1),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 2, 0, -ERANGE, 1, 9),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 14, 0, -EBADMSG, 1, IKE_TS_IPV4_ADDR_RANGE),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 15, 0, 0, 1, IKE_TS_IPV4_ADDR_RANGE),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 16, 0, -EBADMSG, 1, IKE_TS_IPV4_ADDR_RANGE),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 39, 0, 0, 1, IKE_TS_IPV6_ADDR_RANGE),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 2, 0, -EBADMSG, 0, 0),
	ROW(C, IKE_CHILD_T_TS_LOCAL, 1, 0, 0, 0),
	ROW(C, IKE_CHILD_T_TS_REMOTE, 0, 0, -EBADMSG, 0),
	ROW(C, IKE_CHILD_T_REPLACES_ID, 8, 0, 0, 0),
	ROW(S, IKE_SA_T_PHASE, 1, 0, -ERANGE, IKE_SA_PHASE_COUNT),
	ROW(S, IKE_SA_T_PHASE, 1, 0, 0, IKE_SA_PHASE_DEAD),
	ROW(S, IKE_SA_T_AUTH_LOCAL, 1, 0, -ERANGE, 3),
	ROW(S, IKE_SA_T_AUTH_LOCAL, 1, 0, 0, 0),
	ROW(S, IKE_SA_T_AUTH_REMOTE, 1, 0, 0, IKE_AUTH_ECDSA_521),
	ROW(S, IKE_SA_T_NI, IKE_NONCE_MIN - 1, 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_NI, IKE_NONCE_MIN, 1, 0, 1),
	ROW(S, IKE_SA_T_NI, IKE_NONCE_MAX, 1, 0, 1),
	ROW(S, IKE_SA_T_NI, IKE_NONCE_MAX + 1, 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_NR, 0, 0, 0, 0),
	ROW(S, IKE_SA_T_COLLISION_NONCE, 1, 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_SK_D, IKE_KEY_MAX + 1, 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_SK_PR, 0, 0, 0, 0),
	ROW(S, IKE_SA_T_LOCAL, 7, 1, -ERANGE, 5),
	ROW(S, IKE_SA_T_LOCAL, 7, 1, 0, 4),
	ROW(S, IKE_SA_T_LOCAL, 19, 1, -EBADMSG, 4),
	ROW(S, IKE_SA_T_LOCAL, 7, 1, -EBADMSG, 6),
	ROW(S, IKE_SA_T_LOCAL, 19, 1, 0, 6),
	ROW(S, IKE_SA_T_REMOTE, 0, 0, -EBADMSG, 0),
	ROW(S, IKE_SA_T_VIP4, 19, 1, -ERANGE, 6),
	ROW(S, IKE_SA_T_VIP6, 7, 1, -ERANGE, 4),
	ROW(S, IKE_SA_T_RESP_FRAGS, 2, 0, -ERANGE, 0, 5),              /* sum != bytes */
	ROW(S, IKE_SA_T_RESP_FRAGS, 4, 0, -ERANGE, 0x0a, 0xb9, 0, 0),  /* empty fragment */
	ROW(S, IKE_SA_T_RESP_FRAGS, 2, 0, 0, 0x0a, 0xb9),              /* one: 2745 */
	ROW(S, IKE_SA_T_RESP_FRAGS, 3, 0, -EBADMSG, 0x0a, 0xb9, 0),
	ROW(S, IKE_SA_T_RESP_FRAGS, 2 * (IKE_STATE_RESP_FRAGS_MAX + 1), 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_RESP_REGENERATE, 1, 0, -ERANGE, 1),            /* but bytes kept */
	ROW(S, IKE_SA_T_RESP_BYTES, IKE_STATE_RESP_MAX + 1, 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_CHILD_IDS, 8 * (IKE_STATE_CHILDREN_MAX + 1), 1, -ERANGE, 1),
	ROW(S, IKE_SA_T_CHILD_IDS, 8 * IKE_STATE_CHILDREN_MAX, 1, 0, 1),
	ROW(S, IKE_SA_T_CHILD_IDS, 12, 1, -EBADMSG, 1),
	ROW(S, IKE_SA_T_ID_LOCAL, 0, 0, -EBADMSG, 0),
	ROW(S, IKE_SA_T_ID_LOCAL, 1, 0, -ERANGE, 0),                   /* ID type 0 */
	ROW(S, IKE_SA_T_ID_LOCAL, 5, 1, -ERANGE, 4),                   /* unassigned */
	ROW(S, IKE_SA_T_ID_LOCAL, 1 + IKE_ID_MAX + 1, 'a', -ERANGE, IKE_ID_FQDN),
	ROW(S, IKE_SA_T_ID_LOCAL, 1 + IKE_ID_MAX, 'a', 0, IKE_ID_FQDN),
	ROW(S, IKE_SA_T_ID_REMOTE, 1, 0, 0, IKE_ID_KEY_ID),
	ROW(S, IKE_SA_T_SUITE, 12, 0, 0, 0),                           /* none yet */
	ROW(S, IKE_SA_T_SUITE, 12, 0, 0, GCM128, 0, 7, 0, 0, 0, 31),
	ROW(S, IKE_SA_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 7, 0, 0, 0, 31, 0, 1), /* esn */
	ROW(S, IKE_SA_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 0, 0, 0, 0, 31),  /* no PRF */
	ROW(S, IKE_SA_T_SUITE, 12, 0, -ERANGE, GCM128, 0, 8, 0, 0, 0, 31),
	ROW(S, IKE_SA_T_KEEPALIVE, 8, 0, -EBADMSG, 0),
	ROW(S, IKE_SA_T_PEER_SIG_HASHES, 2, 0xff, 0, 0xff),
	ROW(S, IKE_SA_T_PEER_MOBIKE, 1, 0, -ERANGE, 0xff),
	ROW(S, IKE_SA_T_REMOTE_CERT_DN, IKE_STATE_DN_MAX - 1, 'd', 0, 'd'),
	ROW(S, IKE_SA_T_REMOTE_CERT_DN, IKE_STATE_DN_MAX, 'd', -ERANGE, 'd'),
	ROW(S, IKE_SA_T_VIP4_POOL, IKE_STATE_POOL_MAX, 'p', -ERANGE, 'p'),
	ROW(S, IKE_SA_T_VIP4_POOL, IKE_STATE_POOL_MAX - 1, 'p', 0, 'p'),
};

static void
test_bad_values(void)
{
	static uint8_t val[VAL_MAX];
	size_t n, m;
	int rc;

	for (size_t i = 0; i < DIM(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];

		CU_ASSERT_FATAL(r->len <= VAL_MAX);
		memset(val, r->fill, r->len);
		memcpy(val, r->pre, r->npre < r->len ? r->npre : r->len);
		n = valid_blob(r->kind, blob);
		m = edit_tlv(blob, n, r->type, val, r->len, blob2);
		rc = deser(r->kind, blob2, m);
		if (rc != r->expected)
			fprintf(stderr, "row %zu (type %u): %d, want %d\n", i, r->type, rc,
				r->expected);
		CU_ASSERT_EQUAL(rc, r->expected);
	}
}

/* ---- header and versions ---- */

static void
test_versions(void)
{
	static const uint8_t v[2] = { 9, 9 };
	struct ike_state_hdr h;
	size_t n = valid_blob(C, blob), m;

	memcpy(blob2, blob, n);
	blob2[MINOR_OFF] = IKE_STATE_MINOR + 1;                 /* newer minor */
	CU_ASSERT_EQUAL(deser(C, blob2, n), 0);
	CU_ASSERT_EQUAL(memcmp(&ch, &ch2, sizeof(ch)), 0);
	m = edit_tlv(blob2, n, IKE_CHILD_T_COUNT + 5, v, sizeof(v), blob2 + BUF_MAX / 2);
	CU_ASSERT_EQUAL(deser(C, blob2 + BUF_MAX / 2, m), 0);   /* ... with a new field */
	blob2[MINOR_OFF] = IKE_STATE_MINOR;
	blob2[RESERVED_OFF] = 0xff;                             /* ignored */
	CU_ASSERT_EQUAL(deser(C, blob2, n), 0);
	blob2[MAJOR_OFF] = IKE_STATE_MAJOR + 1;
	CU_ASSERT_EQUAL(deser(C, blob2, n), -EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(ike_state_peek(blob2, n, &h), 0);       /* still walkable */
	CU_ASSERT_EQUAL(h.major, IKE_STATE_MAJOR + 1);
	CU_ASSERT_EQUAL(h.total_len, n);
	blob2[MAJOR_OFF] = 0;
	CU_ASSERT_EQUAL(deser(C, blob2, n), -EPROTONOSUPPORT);
	memcpy(blob2, blob, n);
	blob2[0] ^= 1;                                          /* magic */
	CU_ASSERT_EQUAL(deser(C, blob2, n), -EBADMSG);
	CU_ASSERT_EQUAL(ike_state_peek(blob2, n, &h), -EBADMSG);
	CU_ASSERT_EQUAL(deser(S, blob, n), -EBADMSG);           /* wrong kind */
	memcpy(blob2, blob, n);
	blob2[KIND_OFF] = 3;
	CU_ASSERT_EQUAL(deser(C, blob2, n), -EBADMSG);
	memcpy(blob2, blob, n + 1);
	CU_ASSERT_EQUAL(deser(C, blob2, n + 1), -EBADMSG);      /* a trailing byte */
	set_total(blob2, n - 1);
	CU_ASSERT_EQUAL(deser(C, blob2, n), -EBADMSG);
	set_total(blob2, HDR - 1);
	CU_ASSERT_EQUAL(ike_state_peek(blob2, n, &h), -EBADMSG);
	CU_ASSERT_EQUAL(ike_state_peek(blob, HDR - 1, &h), -EBADMSG);
	CU_ASSERT_EQUAL(ike_state_peek(NULL, n, &h), -EINVAL);
	CU_ASSERT_EQUAL(ike_child_state_deserialize(NULL, n, &ch2), -EINVAL);
	CU_ASSERT_EQUAL(ike_child_state_deserialize(blob, n, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ike_sa_state_deserialize(NULL, 0, &sa2), -EINVAL);
}

/* Two records back to back, split with ike_state_peek(). */
static void
test_peek_batch(void)
{
	struct ike_state_hdr h;
	size_t n1 = valid_blob(C, blob), n2;

	n2 = valid_blob(S, blob + n1);
	CU_ASSERT_EQUAL(ike_state_peek(blob, n1 + n2, &h), 0);
	CU_ASSERT_EQUAL(h.kind, IKE_STATE_REC_CHILD_SA);
	CU_ASSERT_EQUAL(h.major, IKE_STATE_MAJOR);
	CU_ASSERT_EQUAL(h.minor, IKE_STATE_MINOR);
	CU_ASSERT_EQUAL(h.total_len, n1);
	CU_ASSERT_EQUAL(deser(C, blob, h.total_len), 0);
	CU_ASSERT_EQUAL(ike_state_peek(blob + n1, n2, &h), 0);
	CU_ASSERT_EQUAL(h.kind, IKE_STATE_REC_IKE_SA);
	CU_ASSERT_EQUAL(h.total_len, n2);
	CU_ASSERT_EQUAL(deser(S, blob + n1, n2), 0);
	CU_ASSERT_EQUAL(ike_state_peek(blob + n1, n2 - 1, &h), -EBADMSG);
}

/* ---- the writer ---- */

/* After a failed write the output is wiped where written: zeros, then the
 * bytes it never reached. */
static bool
wiped(const uint8_t *p, size_t cap)
{
	size_t i = 0;

	while (i < cap && p[i] == 0)
		i++;
	while (i < cap && p[i] == FILL)
		i++;
	return i == cap && p[cap] == FILL;
}

static void
test_enospc(void)
{
	size_t n = valid_blob(C, blob), bad = 0;
	ssize_t rc;

	for (size_t cap = 0; cap < n; cap++) {
		memset(blob2, FILL, BUF_MAX);
		rc = ike_child_state_serialize(&ch, blob2, cap);
		if ((rc != -ENOSPC || !wiped(blob2, cap)) && bad++ < REPORT_MAX)
			fprintf(stderr, "cap %zu: %zd\n", cap, rc);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(ike_child_state_serialize(&ch, blob2, n), (ssize_t)n);
	CU_ASSERT_EQUAL(ike_child_state_serialize(&ch, NULL, 0), -ENOSPC);
	CU_ASSERT_EQUAL(ike_child_state_serialize(&ch, NULL, 5), -EINVAL);
	CU_ASSERT_EQUAL(ike_child_state_serialize(NULL, blob2, BUF_MAX), -EINVAL);
	n = valid_blob(S, blob);
	memset(blob2, FILL, BUF_MAX);
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa, blob2, n - 1), -ENOSPC);
	CU_ASSERT_TRUE(wiped(blob2, n - 1));
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa, blob2, n / 2), -ENOSPC);
	CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa, blob2, n), (ssize_t)n);
	CU_ASSERT_EQUAL(ike_sa_state_serialize(NULL, blob2, BUF_MAX), -EINVAL);
}

/* Out-of-range value i of an IKE SA; false past the last one. */
static bool
break_sa(int i, struct ike_sa_state *s)
{
	static const uint8_t two = 2;

	switch (i) {
	case 0: memset(s->name, 'x', sizeof(s->name)); break;   /* no NUL */
	case 1: s->sk_d.len = IKE_KEY_MAX + 1; break;
	case 2: s->phase = IKE_SA_PHASE_COUNT; break;
	case 3: memcpy(&s->initiator, &two, 1); break;
	case 4: s->local.family = 0; break;
	case 5: s->vip4.addr.family = AF_INET6; break;
	case 6: s->last_resp.frag_len[0]++; break;
	case 7: s->last_resp.regenerate = true; break;
	case 8: s->ni.len = IKE_NONCE_MIN - 1; break;
	case 9: s->n_children = IKE_STATE_CHILDREN_MAX + 1; break;
	case 10: s->id_local.type = 4; break;
	case 11: s->id_remote.len = IKE_ID_MAX + 1; break;
	case 12: s->suite.esn = IKE_ESN_YES; break;
	case 13: s->auth_remote = 3; break;
	case 14: s->vip6.addr.family = 0; break;                /* pool left */
	case 15: s->last_resp.n_frags = IKE_STATE_RESP_FRAGS_MAX + 1; break;
	case 16: memset(s->remote_cert_dn, 'd', sizeof(s->remote_cert_dn)); break;
	case 17: s->last_resp.len = IKE_STATE_RESP_MAX + 1; break;
	case 18: s->collision_nonce.len = IKE_NONCE_MAX + 1; break;
	case 19: s->win.n_resp_len = 1; break;                  /* a length missing */
	case 20: s->win.resp_len[1] = 0; s->win.bytes_len = 100; break;
	case 21: s->win.bytes_len++; break;                     /* sum != bytes */
	case 22: s->win.n_resp = s->win.n_resp_len = IKE_STATE_WIN_RESP_MAX + 1; break;
	case 23: s->win.bytes_len = IKE_STATE_WIN_BYTES + 1; break;
	default: return false;
	}
	return true;
}

static bool
break_child(int i, struct ike_child_state *c)
{
	static const uint8_t two = 2;

	switch (i) {
	case 0: c->mode = 0; break;
	case 1: c->protocol = IKE_PROTO_AH; break;
	case 2: c->rekey = IKE_CHILD_REKEY_COUNT; break;
	case 3: c->ts_local.n = IKE_TS_MAX + 1; break;
	case 4: c->ts_remote.ts[1].type = 9; break;
	case 5: c->suite.prf = IKE_PRF_HMAC_SHA2_256; break;
	case 6: c->suite.integ = IKE_INTEG_NONE; break;         /* AES-CBC */
	case 7: c->encr_r.len = IKE_KEY_MAX + 1; break;
	case 8: memset(c->name, 'c', sizeof(c->name)); break;
	case 9: memcpy(&c->udp_encap, &two, 1); break;
	case 10: c->suite.esn = 2; break;
	default: return false;
	}
	return true;
}

static void
test_writer_refuses(void)
{
	int i;

	for (i = 0;; i++) {
		fill_sa(&sa);
		if (!break_sa(i, &sa))
			break;
		memset(blob2, FILL, BUF_MAX);
		CU_ASSERT_EQUAL(ike_sa_state_serialize(&sa, blob2, BUF_MAX - 1), -ERANGE);
		CU_ASSERT_TRUE(wiped(blob2, BUF_MAX - 1));
	}
	CU_ASSERT_EQUAL(i, 24);
	for (i = 0;; i++) {
		fill_child(&ch);
		if (!break_child(i, &ch))
			break;
		memset(blob2, FILL, BUF_MAX);
		CU_ASSERT_EQUAL(ike_child_state_serialize(&ch, blob2, BUF_MAX - 1), -ERANGE);
		CU_ASSERT_TRUE(wiped(blob2, BUF_MAX - 1));
	}
	CU_ASSERT_EQUAL(i, 11);
}

void
test_ike_state_bad_add(CU_pSuite suite)
{
	CU_add_test(suite, "truncation at every offset", test_truncation);
	CU_add_test(suite, "unknown and critical TLVs", test_unknown_tlv);
	CU_add_test(suite, "duplicate and missing TLVs", test_duplicate_and_missing);
	CU_add_test(suite, "bad and boundary values", test_bad_values);
	CU_add_test(suite, "header and versions", test_versions);
	CU_add_test(suite, "records back to back", test_peek_batch);
	CU_add_test(suite, "-ENOSPC wipes", test_enospc);
	CU_add_test(suite, "writer refuses bad values", test_writer_refuses);
}
