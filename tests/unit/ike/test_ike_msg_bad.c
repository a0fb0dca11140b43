/*
 * Malformed IKEv2 payload chains (RFC 7296 §3.2-§3.16, RFC 7383 §2.5), one
 * table row each with the exact error, error_notify and failing payload:
 * generic header lengths, SK placement, payloads legal only inside SK,
 * duplicates, unknown (critical) payloads, proposal/transform structure,
 * Nonce/KE/ID/AUTH/TS/Delete/Notify/CP/EAP bodies, SKF numbers and our
 * bounds. Header-level cases are in test_ike_msg_wire.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_ike_msg.h"

enum {
	PL_UNKNOWN = 60,        /* not assigned by IANA */
	CHAIN_MAX = 2048,
};

typedef size_t (*gen_fn)(uint8_t *out, size_t cap);

struct bad_row {
	const char *name;
	uint8_t first;          /* header next payload, or first inner payload */
	uint8_t flags;          /* header flags */
	bool inner;             /* the chain is decrypted SK content */
	const char *hex;        /* the chain, or NULL: gen */
	gen_fn gen;
	int rc;
	uint16_t notify;
	uint8_t payload;        /* error_payload */
};

/* A chain of payloads of these types, each body body_len bytes of fill. */
static size_t
chain_of(uint8_t *out, size_t cap, const uint8_t *types, size_t n, size_t body_len, uint8_t fill)
{
	struct ike_wr w;

	ike_wr_init(&w, out, cap);
	for (size_t i = 0; i < n; i++) {
		ike_wr_u8(&w, i + 1 < n ? types[i + 1] : IKE_PL_NONE);
		ike_wr_u8(&w, 0);
		ike_wr_u16(&w, (uint16_t)(IKE_GENERIC_HDR_LEN + body_len));
		for (size_t j = 0; j < body_len; j++)
			ike_wr_u8(&w, fill);
	}
	CU_ASSERT_FALSE_FATAL(w.overflow);
	return w.len;
}

static size_t
repeat(uint8_t *out, size_t cap, uint8_t type, size_t n, size_t body_len)
{
	uint8_t types[IKE_PAYLOADS_MAX + 1];

	CU_ASSERT_FATAL(n <= DIM(types));
	memset(types, type, n);
	return chain_of(out, cap, types, n, body_len, 0);
}

static size_t
gen_nonce15(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_NONCE, 1, IKE_NONCE_MIN - 1);
}

static size_t
gen_nonce16(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_NONCE, 1, IKE_NONCE_MIN);
}

static size_t
gen_nonce256(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_NONCE, 1, IKE_NONCE_MAX);
}

static size_t
gen_nonce257(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_NONCE, 1, IKE_NONCE_MAX + 1);
}

static size_t
gen_65_unknown(uint8_t *o, size_t cap)
{
	return repeat(o, cap, PL_UNKNOWN, IKE_PAYLOADS_MAX + 1, 0);
}

static size_t
gen_17_vendor(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_VENDOR, IKE_MSG_VENDOR_MAX + 1, 2);
}

static size_t
gen_33_notify(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_NOTIFY, IKE_MSG_NOTIFY_MAX + 1, IKE_NOTIFY_HDR_LEN);
}

static size_t
gen_9_certreq(uint8_t *o, size_t cap)
{
	return repeat(o, cap, IKE_PL_CERTREQ, IKE_MSG_CERTREQ_MAX + 1, IKE_CERT_HDR_LEN);
}

/* Exactly IKE_PAYLOADS_MAX: 32 N, 16 V, 16 unknown non-critical. */
static size_t
gen_64_mixed(uint8_t *o, size_t cap)
{
	uint8_t types[IKE_PAYLOADS_MAX];

	memset(types, IKE_PL_NOTIFY, IKE_MSG_NOTIFY_MAX);
	memset(types + IKE_MSG_NOTIFY_MAX, IKE_PL_VENDOR, IKE_MSG_VENDOR_MAX);
	memset(types + IKE_MSG_NOTIFY_MAX + IKE_MSG_VENDOR_MAX, PL_UNKNOWN,
	       IKE_PAYLOADS_MAX - IKE_MSG_NOTIFY_MAX - IKE_MSG_VENDOR_MAX);
	return chain_of(o, cap, types, DIM(types), IKE_NOTIFY_HDR_LEN, 0);
}

/* One payload: generic header, then the hex head, then n bytes of fill. */
static size_t
one_body(uint8_t *o, size_t cap, const char *head, size_t n, uint8_t fill)
{
	uint8_t h[16];
	size_t hl = t_hex(head, h, sizeof(h));

	CU_ASSERT_FATAL(IKE_GENERIC_HDR_LEN + hl + n <= cap);
	o[0] = IKE_PL_NONE;
	o[1] = 0;
	ike_put_be16(o + 2, (uint16_t)(IKE_GENERIC_HDR_LEN + hl + n));
	memcpy(o + IKE_GENERIC_HDR_LEN, h, hl);
	memset(o + IKE_GENERIC_HDR_LEN + hl, fill, n);
	return IKE_GENERIC_HDR_LEN + hl + n;
}

static size_t
gen_id_257(uint8_t *o, size_t cap)
{
	return one_body(o, cap, "02 000000", IKE_ID_MAX + 1, 'a');
}

static size_t
gen_id_256(uint8_t *o, size_t cap)
{
	return one_body(o, cap, "02 000000", IKE_ID_MAX, 'a');
}

/* 17 attributes of type 0 and length 0. */
static size_t
gen_cp_17(uint8_t *o, size_t cap)
{
	return one_body(o, cap, "01 000000", (IKE_CP_ATTRS_MAX + 1) * IKE_CP_ATTR_HDR_LEN, 0);
}

/* Count 9; the selectors do not matter: the count is refused first. */
static size_t
gen_ts_9(uint8_t *o, size_t cap)
{
	return one_body(o, cap, "09 000000", (IKE_TS_MAX + 1) * IKE_TS_V4_LEN, 0);
}

/* SA with one IKE proposal: ENCR AES-CBC, no attribute. */
#define SA1 "0000 0010 01 01 00 01  0000 0008 01 00 000c"

static const struct bad_row rows[] = {
	/* generic header (§3.2) */
	{ "payload length < 4", IKE_PL_NOTIFY, 0, false, "00 00 0003 00 00 4000", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "payload running past the end", IKE_PL_NOTIFY, 0, false, "00 00 0010 00 00 4000",
	  NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "generic header cut", IKE_PL_NOTIFY, 0, false, "00 00", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "bytes after the last payload", IKE_PL_NOTIFY, 0, false, "00 00 0008 00 00 4000 00",
	  NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NONE },
	/* SK placement (§3.14) */
	{ "SK not last", IKE_PL_SK, 0, false, "29 00 0008 deadbeef 00 00 0004", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_SK },
	{ "SK after N, not last", IKE_PL_NOTIFY, 0, false,
	  "2e 00 0008 00 00 4000  29 00 0005 00  00", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_SK },
	{ "SK inside SK", IKE_PL_SK, 0, true, "29 00 0004", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_SK },
	{ "SKF inside SK", IKE_PL_SKF, 0, true, "00 00 0008 0001 0001", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_SKF },
	/* payloads only legal inside SK */
	{ "IDi outside SK", IKE_PL_IDI, 0, false, "00 00 000c 02 000000 61626364", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_IDI },
	{ "IDr outside SK", IKE_PL_IDR, 0, false, "00 00 000c 02 000000 61626364", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_IDR },
	{ "CERT outside SK", IKE_PL_CERT, 0, false, "00 00 0006 04 aa", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_CERT },
	{ "AUTH outside SK", IKE_PL_AUTH, 0, false, "00 00 0009 02 000000 aa", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_AUTH },
	{ "TSi outside SK", IKE_PL_TSI, 0, false, "00 00 0008 00 000000", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	{ "TSr outside SK", IKE_PL_TSR, 0, false, "00 00 0008 00 000000", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_TSR },
	{ "CP outside SK", IKE_PL_CP, 0, false, "00 00 0008 01 000000", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_CP },
	{ "Delete outside SK", IKE_PL_DELETE, 0, false, "00 00 0008 01 00 0000", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	{ "EAP outside SK", IKE_PL_EAP, 0, false, "00 00 0008 01 01 0004", NULL,
	  -EPROTO, IKE_N_INVALID_SYNTAX, IKE_PL_EAP },
	{ "CERTREQ in cleartext is fine", IKE_PL_CERTREQ, 0, false, "00 00 0005 04", NULL,
	  0, 0, 0 },
	/* duplicates */
	{ "duplicate SA", IKE_PL_SA, 0, false, "21 00 0014 " SA1 " 00 00 0014 " SA1, NULL,
	  -EEXIST, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "duplicate Nonce", IKE_PL_NONCE, 0, false,
	  "28 00 0014 00000000000000000000000000000000 00 00 0014 00000000000000000000000000000000",
	  NULL, -EEXIST, IKE_N_INVALID_SYNTAX, IKE_PL_NONCE },
	{ "duplicate KE", IKE_PL_KE, 0, false, "22 00 0009 0013 0000 01 00 00 0009 0013 0000 01",
	  NULL, -EEXIST, IKE_N_INVALID_SYNTAX, IKE_PL_KE },
	{ "duplicate IDi", IKE_PL_IDI, 0, true, "23 00 0009 02 000000 61 00 00 0009 02 000000 61",
	  NULL, -EEXIST, IKE_N_INVALID_SYNTAX, IKE_PL_IDI },
	{ "duplicate TSr", IKE_PL_TSR, 0, true, "2d 00 0008 00 000000 00 00 0008 00 000000",
	  NULL, -EEXIST, IKE_N_INVALID_SYNTAX, IKE_PL_TSR },
	{ "two notifies are fine", IKE_PL_NOTIFY, 0, false,
	  "29 00 0008 00 00 4000 00 00 0008 00 00 4000", NULL, 0, 0, 0 },
	/* unknown payloads (§2.5, §3.2) */
	{ "unknown critical", PL_UNKNOWN, 0, false, "29 80 0008 01020304 00 00 0008 00 00 4000",
	  NULL, -EOPNOTSUPP, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, PL_UNKNOWN },
	{ "unknown critical inside SK", IKE_PL_NOTIFY, 0, true, "fe 00 0008 00 00 4000 00 80 0004",
	  NULL, -EOPNOTSUPP, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 0xfe },
	{ "unknown non-critical skipped", PL_UNKNOWN, 0, false,
	  "29 7f 0008 01020304 00 00 0008 00 00 4000", NULL, 0, 0, 0 },
	{ "known payload with the critical bit", IKE_PL_NOTIFY, 0, false, "00 80 0008 00 00 4000",
	  NULL, 0, 0, 0 },
	/* SA: proposals and transforms (§3.3) */
	{ "empty SA", IKE_PL_SA, 0, false, "00 00 0004", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "first proposal number 2", IKE_PL_SA, 0, false,
	  "00 00 0014 0000 0010 02 01 00 01 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "proposal numbers 1 then 3", IKE_PL_SA, 0, false,
	  "00 00 0024 0200 0010 01 01 00 01 0000 0008 01 00 000c"
	  " 0000 0010 03 01 00 01 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "proposal numbers 1 then 1", IKE_PL_SA, 0, false,
	  "00 00 0024 0200 0010 01 01 00 01 0000 0008 01 00 000c"
	  " 0000 0010 01 01 00 01 0000 0008 01 00 000c", NULL, 0, 0, 0 },
	{ "response with two proposals", IKE_PL_SA, IKE_FLAG_RESPONSE, false,
	  "00 00 0024 0200 0010 01 01 00 01 0000 0008 01 00 000c"
	  " 0000 0010 02 01 00 01 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "response proposal number 5", IKE_PL_SA, IKE_FLAG_RESPONSE, false,
	  "00 00 0014 0000 0010 05 01 00 01 0000 0008 01 00 000c", NULL, 0, 0, 0 },
	{ "transform count mismatch", IKE_PL_SA, 0, false,
	  "00 00 0014 0000 0010 01 01 00 02 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "last proposal marked 'more'", IKE_PL_SA, 0, false, "00 00 0014 0200 0010 01 01 00 01"
	  " 0000 0008 01 00 000c", NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "last transform marked 'more'", IKE_PL_SA, 0, false, "00 00 0014 0000 0010 01 01 00 01"
	  " 0300 0008 01 00 000c", NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "proposal marked last, another follows", IKE_PL_SA, 0, false,
	  "00 00 0024 0000 0010 01 01 00 01 0000 0008 01 00 000c"
	  " 0000 0010 02 01 00 01 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "transform length < 8", IKE_PL_SA, 0, false,
	  "00 00 0014 0000 0010 01 01 00 01 0000 0007 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "proposal length past the SA", IKE_PL_SA, 0, false,
	  "00 00 0014 0000 0011 01 01 00 01 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "TLV attribute past the transform", IKE_PL_SA, 0, false,
	  "00 00 001c 0000 0018 01 01 00 01 0000 0010 01 00 000c 000e 0010 00000000", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "ESP proposal with a 3-byte SPI", IKE_PL_SA, 0, false,
	  "00 00 0017 0000 0013 01 03 03 01 aabbcc 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	{ "IKE proposal with a 4-byte SPI", IKE_PL_SA, 0, false,
	  "00 00 0018 0000 0014 01 01 04 01 aabbccdd 0000 0008 01 00 000c", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SA },
	/* KE (§3.4), ID (§3.5), AUTH (§3.8), Nonce (§3.9) */
	{ "zero-length KE data", IKE_PL_KE, 0, false, "00 00 0008 001f 0000", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_KE },
	{ "KE header cut", IKE_PL_KE, 0, false, "00 00 0006 001f", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_KE },
	{ "ID IPv4 of 5 bytes", IKE_PL_IDI, 0, true, "00 00 000d 01 000000 0a00000102", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_IDI },
	{ "ID IPv6 of 4 bytes", IKE_PL_IDR, 0, true, "00 00 000c 05 000000 20010db8", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_IDR },
	{ "ID with no data", IKE_PL_IDI, 0, true, "00 00 0008 02 000000", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_IDI },
	{ "ID of 257 bytes", IKE_PL_IDI, 0, true, NULL, gen_id_257,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_IDI },
	{ "ID of 256 bytes", IKE_PL_IDI, 0, true, NULL, gen_id_256, 0, 0, 0 },
	{ "AUTH with no data", IKE_PL_AUTH, 0, true, "00 00 0008 02 000000", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_AUTH },
	{ "nonce of 15 bytes", IKE_PL_NONCE, 0, false, NULL, gen_nonce15,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NONCE },
	{ "nonce of 16 bytes", IKE_PL_NONCE, 0, false, NULL, gen_nonce16, 0, 0, 0 },
	{ "nonce of 256 bytes", IKE_PL_NONCE, 0, false, NULL, gen_nonce256, 0, 0, 0 },
	{ "nonce of 257 bytes", IKE_PL_NONCE, 0, false, NULL, gen_nonce257,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NONCE },
	/* Notify (§3.10), Delete (§3.11) */
	{ "notify SPI size 9", IKE_PL_NOTIFY, 0, false, "00 00 0011 03 09 4000 010203040506070809",
	  NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "notify SPI past the payload", IKE_PL_NOTIFY, 0, false, "00 00 000a 03 04 4000 0102",
	  NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "delete ESP with SPI size 8", IKE_PL_DELETE, 0, true,
	  "00 00 0010 03 08 0001 0102030405060708", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	{ "delete IKE with SPI size 8", IKE_PL_DELETE, 0, true,
	  "00 00 0010 01 08 0001 0102030405060708", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	{ "delete ESP: 2 SPIs announced, 1 sent", IKE_PL_DELETE, 0, true,
	  "00 00 000c 03 04 0002 c0000001", NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	{ "delete of protocol 5", IKE_PL_DELETE, 0, true, "00 00 000c 05 04 0001 c0000001", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	{ "delete ESP with 65 SPIs", IKE_PL_DELETE, 0, true, "00 00 0008 03 04 0041", NULL,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE },
	/* TS (§3.13) */
	{ "TS selector length 17", IKE_PL_TSI, 0, true,
	  "00 00 0018 01 000000 07 00 0011 0000 ffff 0a000000 0a0000ff", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	{ "TS IPv6 selector length 16", IKE_PL_TSR, 0, true,
	  "00 00 0018 01 000000 08 00 0010 0000 ffff 0a000000 0a0000ff", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_TSR },
	{ "TS type 9", IKE_PL_TSI, 0, true,
	  "00 00 0018 01 000000 09 00 0010 0000 ffff 0a000000 0a0000ff", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	{ "TS count 2, one selector", IKE_PL_TSI, 0, true,
	  "00 00 0018 02 000000 07 00 0010 0000 ffff 0a000000 0a0000ff", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	{ "TS count 0, one selector", IKE_PL_TSI, 0, true,
	  "00 00 0018 00 000000 07 00 0010 0000 ffff 0a000000 0a0000ff", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	{ "TS count 9", IKE_PL_TSI, 0, true, NULL, gen_ts_9,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_TSI },
	/* CP (§3.15), EAP (§3.16) */
	{ "CP attribute past the payload", IKE_PL_CP, 0, true,
	  "00 00 000e 01 000000 0001 0004 0a00", NULL, -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_CP },
	{ "CP with 17 attributes", IKE_PL_CP, 0, true, NULL, gen_cp_17,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_CP },
	{ "EAP length 4 in 5 bytes", IKE_PL_EAP, 0, true, "00 00 0009 01 01 0004 00", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_EAP },
	/* SKF (RFC 7383 §2.5, §2.6: silently discarded) */
	{ "SKF fragment 0", IKE_PL_SKF, 0, false, "00 00 0010 0000 0002 0102030405060708", NULL,
	  -EBADMSG, 0, IKE_PL_SKF },
	{ "SKF fragment 3 of 2", IKE_PL_SKF, 0, false, "00 00 0010 0003 0002 0102030405060708",
	  NULL, -EBADMSG, 0, IKE_PL_SKF },
	{ "SKF total 0", IKE_PL_SKF, 0, false, "00 00 0010 0000 0000 0102030405060708", NULL,
	  -EBADMSG, 0, IKE_PL_SKF },
	{ "SKF header cut", IKE_PL_SKF, 0, false, "00 00 0006 0001", NULL,
	  -EBADMSG, IKE_N_INVALID_SYNTAX, IKE_PL_SKF },
	{ "SKF fragment 2 of 2", IKE_PL_SKF, 0, false, "00 00 0010 0002 0002 0102030405060708",
	  NULL, 0, 0, 0 },
	/* our bounds */
	{ "65 payloads", PL_UNKNOWN, 0, false, NULL, gen_65_unknown,
	  -E2BIG, IKE_N_INVALID_SYNTAX, PL_UNKNOWN },
	{ "64 payloads", IKE_PL_NOTIFY, 0, false, NULL, gen_64_mixed, 0, 0, 0 },
	{ "17 vendor IDs", IKE_PL_VENDOR, 0, false, NULL, gen_17_vendor,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_VENDOR },
	{ "33 notifies", IKE_PL_NOTIFY, 0, false, NULL, gen_33_notify,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY },
	{ "9 CERTREQs", IKE_PL_CERTREQ, 0, false, NULL, gen_9_certreq,
	  -E2BIG, IKE_N_INVALID_SYNTAX, IKE_PL_CERTREQ },
};

static int
run_row(const struct bad_row *row, struct ike_msg *m)
{
	static uint8_t chain[CHAIN_MAX], msg[CHAIN_MAX + IKE_HDR_LEN];
	size_t len, mlen;

	if (row->hex != NULL)
		len = t_hex(row->hex, chain, sizeof(chain));
	else
		len = row->gen(chain, sizeof(chain));
	if (!row->inner) {
		mlen = t_msg(msg, sizeof(msg), row->first, row->flags, chain, len, 0);
		return ike_msg_parse(msg, mlen, m);
	}
	memset(m, 0, sizeof(*m));
	m->hdr.flags = row->flags;
	return ike_msg_parse_inner(chain, len, row->first, m);
}

static void
test_bad_table(void)
{
	static struct ike_msg m;

	for (size_t i = 0; i < DIM(rows); i++) {
		const struct bad_row *row = &rows[i];
		int rc = run_row(row, &m);
		bool data_ok = row->rc == -EOPNOTSUPP ?
			m.error_data_len == 1 && m.error_data[0] == row->payload :
			m.error_data_len == 0;

		if (rc != row->rc || m.error_notify != row->notify ||
		    (rc != 0 && m.error_payload != row->payload) || !data_ok)
			fprintf(stderr, "row '%s': rc %d notify %u payload %u, want %d %u %u\n",
				row->name, rc, m.error_notify, m.error_payload, row->rc,
				row->notify, row->payload);
		CU_ASSERT_EQUAL(rc, row->rc);
		CU_ASSERT_EQUAL(m.error_notify, row->notify);
		if (rc != 0)
			CU_ASSERT_EQUAL(m.error_payload, row->payload);
		CU_ASSERT_TRUE(data_ok);
	}
}

static const struct bad_row *
find_row(const char *name)
{
	for (size_t i = 0; i < DIM(rows); i++) {
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	}
	CU_FAIL_FATAL("no such row");
	return NULL;
}

/* What the accepted special rows leave in the struct. */
static void
test_bad_table_accepted(void)
{
	static struct ike_msg m;

	CU_ASSERT_EQUAL_FATAL(run_row(find_row("64 payloads"), &m), 0);
	CU_ASSERT_EQUAL(m.n_payloads, IKE_PAYLOADS_MAX);
	CU_ASSERT_EQUAL(m.n_notify, IKE_MSG_NOTIFY_MAX);
	CU_ASSERT_EQUAL(m.n_vendor, IKE_MSG_VENDOR_MAX);
	CU_ASSERT_EQUAL(m.n_unknown, IKE_PAYLOADS_MAX - IKE_MSG_NOTIFY_MAX - IKE_MSG_VENDOR_MAX);
	CU_ASSERT_FALSE(ike_msg_has(&m, PL_UNKNOWN));

	CU_ASSERT_EQUAL_FATAL(run_row(find_row("unknown non-critical skipped"), &m), 0);
	CU_ASSERT_EQUAL(m.n_payloads, 2);
	CU_ASSERT_EQUAL(m.n_unknown, 1);
	CU_ASSERT_EQUAL_FATAL(m.n_notify, 1);
	CU_ASSERT_EQUAL(m.notify[0].type, 0x4000);

	CU_ASSERT_EQUAL_FATAL(run_row(find_row("SKF fragment 2 of 2"), &m), 0);
	CU_ASSERT_EQUAL(m.sk.type, IKE_PL_SKF);
	CU_ASSERT_EQUAL(m.sk.frag_num, 2);
	CU_ASSERT_EQUAL(m.sk.frag_total, 2);
	CU_ASSERT_EQUAL(m.sk.first_payload, 0);
	CU_ASSERT_EQUAL(m.sk.hdr_off, IKE_HDR_LEN);
	CU_ASSERT_EQUAL(m.sk.body_off, IKE_HDR_LEN + IKE_SKF_HDR_LEN);
	CU_ASSERT_EQUAL_FATAL(m.sk.body.len, 8);
	CU_ASSERT_EQUAL(m.sk.body.ptr[0], 1);
	CU_ASSERT_TRUE(ike_msg_has(&m, IKE_PL_SKF));

	CU_ASSERT_EQUAL_FATAL(run_row(find_row("response proposal number 5"), &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 1);
	CU_ASSERT_EQUAL(m.sa.proposals[0].num, 5);

	CU_ASSERT_EQUAL_FATAL(run_row(find_row("proposal numbers 1 then 1"), &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.sa.n_proposals, 2);
	CU_ASSERT_EQUAL(m.sa.proposals[1].num, 1);
}

void
t_add_bad_tests(CU_pSuite s)
{
	CU_add_test(s, "malformed chains: exact errors", test_bad_table);
	CU_add_test(s, "accepted edge cases", test_bad_table_accepted);
}
