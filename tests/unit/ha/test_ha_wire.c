/*
 * Unit tests of the HA wire codec (ha/ha_wire.c): the exact bytes of every
 * value (written out by hand so the format cannot drift silently), round
 * trips, every malformed input the decoders must refuse (each truncation,
 * bad magic, version 0, unknown types, reserved bits, a message running
 * past the end, records too long or of type 0), and the record assembler
 * fed whole, one byte at a time and in random splits.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ha/ha_wire.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum { BUF_MAX = 2048 };

static uint8_t buf[BUF_MAX];

/* Hex (spaces ignored) into OUT: the number of octets. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (*hex != '\0') {
		if (isspace((unsigned char)*hex)) {
			hex++;
			continue;
		}
		if (n == cap || sscanf(hex, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* ENCODED must be the N octets EXPECTED_HEX. */
static void
check_bytes(const uint8_t *encoded, ssize_t n, const char *expected_hex)
{
	uint8_t want[BUF_MAX];
	size_t wn = unhex(expected_hex, want, sizeof(want));

	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)wn);
	CU_ASSERT_EQUAL(memcmp(encoded, want, wn), 0);
}

/* ---- exact bytes and round trips ---- */

static const char HDR_HEX[] = "48414757 01 02 0000 0102 03 00 a1b2c3d4 0102030405060708";

static void
test_hdr_bytes(void)
{
	struct ha_wire_hdr h = {
		.version = 1, .type = HA_DGRAM_DATA, .node_id = 0x0102, .link = 3,
		.session = 0xa1b2c3d4, .counter = 0x0102030405060708ull,
	};
	struct ha_wire_hdr d;

	check_bytes(buf, ha_wire_hdr_encode(&h, buf, sizeof(buf)), HDR_HEX);
	memset(&d, 0xee, sizeof(d));
	CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, HA_WIRE_HDR_LEN, &d), 0);
	CU_ASSERT_EQUAL(d.version, 1);
	CU_ASSERT_EQUAL(d.type, HA_DGRAM_DATA);
	CU_ASSERT_EQUAL(d.flags, 0);
	CU_ASSERT_EQUAL(d.node_id, 0x0102);
	CU_ASSERT_EQUAL(d.link, 3);
	CU_ASSERT_EQUAL(d.session, 0xa1b2c3d4);
	CU_ASSERT_EQUAL(d.counter, 0x0102030405060708ull);
	/* A body may follow the header. */
	CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, HA_WIRE_HDR_LEN + 100, &d), 0);
	CU_ASSERT_EQUAL(ha_wire_hdr_encode(&h, buf, HA_WIRE_HDR_LEN - 1), -ENOSPC);
	h.type = HA_DGRAM_HELLO;
	h.session = 0;
	check_bytes(buf, ha_wire_hdr_encode(&h, buf, HA_WIRE_HDR_LEN),
		    "48414757 01 01 0000 0102 03 00 00000000 0102030405060708");
}

static const char HB_HEX[] = "02 c8 05 00 1122334455667788 99aabbccddeeff00 deadbeef";

static const struct ha_wire_heartbeat HB = {
	.role = HA_WIRE_ROLE_ACTIVE, .priority = 200,
	.flags = HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT,
	.epoch = 0x1122334455667788ull, .boot_id = 0x99aabbccddeeff00ull,
	.sent_ms = 0xdeadbeef,
};

static void
test_heartbeat_bytes(void)
{
	uint8_t v[HA_WIRE_HEARTBEAT_LEN];
	struct ha_wire_heartbeat d;
	struct ha_wire_msg m;
	size_t off = 0;

	check_bytes(buf, ha_wire_heartbeat_encode(&HB, buf, sizeof(buf)), HB_HEX);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d), 0);
	CU_ASSERT_EQUAL(d.role, HA_WIRE_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(d.priority, 200);
	CU_ASSERT_EQUAL(d.flags, HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT);
	CU_ASSERT_EQUAL(d.epoch, 0x1122334455667788ull);
	CU_ASSERT_EQUAL(d.boot_id, 0x99aabbccddeeff00ull);
	CU_ASSERT_EQUAL(d.sent_ms, 0xdeadbeef);
	CU_ASSERT_EQUAL(ha_wire_heartbeat_encode(&HB, buf, HA_WIRE_HEARTBEAT_LEN - 1), -ENOSPC);

	/* As a message. */
	ha_wire_heartbeat_encode(&HB, v, sizeof(v));
	check_bytes(buf, ha_wire_msg_encode(HA_MSG_HEARTBEAT, 0, v, sizeof(v), buf, sizeof(buf)),
		    "01 00 0018 02 c8 05 00 1122334455667788 99aabbccddeeff00 deadbeef");
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 28, &off, &m), 1);
	CU_ASSERT_EQUAL(off, 28);
	CU_ASSERT_EQUAL(m.type, HA_MSG_HEARTBEAT);
	CU_ASSERT_EQUAL(m.flags, 0);
	CU_ASSERT_EQUAL(m.len, HA_WIRE_HEARTBEAT_LEN);
	CU_ASSERT_PTR_EQUAL(m.value, buf + HA_WIRE_MSG_HDR_LEN);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 28, &off, &m), 0);
}

static const char HELLO_HEX[] =
	"01 01 64 01 00000007 0000000000000005 0102030405060708"
	"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

static void
test_hello_bytes(void)
{
	struct ha_wire_hello h, d;

	memset(&h, 0, sizeof(h));
	h.version_min = 1;
	h.version_max = 1;
	h.priority = 100;
	h.role = HA_WIRE_ROLE_STANDBY;
	h.caps = HA_CAP_SEQ_SYNC | HA_CAP_IKE_STATE | HA_CAP_SWITCHOVER;
	h.epoch = 5;
	h.boot_id = 0x0102030405060708ull;
	for (int i = 0; i < HA_WIRE_NONCE_LEN; i++) {
		h.nonce[i] = (uint8_t)(0x10 + i);
		h.peer_nonce[i] = (uint8_t)(0x40 + i);
	}
	check_bytes(buf, ha_wire_hello_encode(&h, buf, sizeof(buf)), HELLO_HEX);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), 0);
	CU_ASSERT_EQUAL(memcmp(&d, &h, sizeof(h)), 0);
	CU_ASSERT_EQUAL(ha_wire_hello_encode(&h, buf, HA_WIRE_HELLO_LEN - 1), -ENOSPC);
	/* Unknown caps are ignored, a range is fine. */
	buf[1] = 3;
	buf[4] = 0xff;
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), 0);
	CU_ASSERT_EQUAL(d.version_max, 3);
	CU_ASSERT_EQUAL(d.caps, 0xff000007u);
}

static void
test_ack_ctrl_bytes(void)
{
	struct ha_wire_ack a = { .offset = 0x0000000100000002ull, .window = 0x00010000 }, ad;
	struct ha_wire_ctrl c = { .request = HA_CTRL_SWITCHOVER, .arg = 7 }, cd;

	check_bytes(buf, ha_wire_ack_encode(&a, buf, sizeof(buf)), "0000000100000002 00010000");
	CU_ASSERT_EQUAL(ha_wire_ack_decode(buf, HA_WIRE_ACK_LEN, &ad), 0);
	CU_ASSERT_EQUAL(ad.offset, a.offset);
	CU_ASSERT_EQUAL(ad.window, a.window);
	CU_ASSERT_EQUAL(ha_wire_ack_encode(&a, buf, HA_WIRE_ACK_LEN - 1), -ENOSPC);

	check_bytes(buf, ha_wire_ctrl_encode(&c, buf, sizeof(buf)), "02 000000 0000000000000007");
	CU_ASSERT_EQUAL(ha_wire_ctrl_decode(buf, HA_WIRE_CTRL_LEN, &cd), 0);
	CU_ASSERT_EQUAL(cd.request, HA_CTRL_SWITCHOVER);
	CU_ASSERT_EQUAL(cd.arg, 7);
	CU_ASSERT_EQUAL(ha_wire_ctrl_encode(&c, buf, HA_WIRE_CTRL_LEN - 1), -ENOSPC);
	for (uint8_t r = HA_CTRL_RESYNC; r <= HA_CTRL_SWITCHOVER_DONE; r++) {
		buf[0] = r;
		CU_ASSERT_EQUAL(ha_wire_ctrl_decode(buf, HA_WIRE_CTRL_LEN, &cd), 0);
		CU_ASSERT_EQUAL(cd.request, r);
	}
}

static const char SEQ_HEX[] =
	"0a0b0c0d0e0f1011 c0ffee01 01 00 0203 1000000000000001 2000000000000002"
	"00030d40 3000000000000003 80000001";

static void
test_seq_bytes(void)
{
	struct ha_wire_seq s = {
		.child_id = 0x0a0b0c0d0e0f1011ull, .spi = 0xc0ffee01, .dir = 1,
		.iv_epoch = 0x0203, .out_seq = 0x1000000000000001ull,
		.epoch_start_seq = 0x2000000000000002ull, .rate_pps = 200000,
		.win_top = 0x3000000000000003ull, .win_bits = 0x80000001,
	};
	struct ha_wire_seq d;

	check_bytes(buf, ha_wire_seq_encode(&s, buf, sizeof(buf)), SEQ_HEX);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(ha_wire_seq_decode(buf, HA_WIRE_SEQ_LEN, &d), 0);
	CU_ASSERT_EQUAL(d.child_id, s.child_id);
	CU_ASSERT_EQUAL(d.spi, s.spi);
	CU_ASSERT_EQUAL(d.dir, 1);
	CU_ASSERT_EQUAL(d.iv_epoch, 0x0203);
	CU_ASSERT_EQUAL(d.out_seq, s.out_seq);
	CU_ASSERT_EQUAL(d.epoch_start_seq, s.epoch_start_seq);
	CU_ASSERT_EQUAL(d.rate_pps, 200000);
	CU_ASSERT_EQUAL(d.win_top, s.win_top);
	CU_ASSERT_EQUAL(d.win_bits, 0x80000001);
	CU_ASSERT_EQUAL(ha_wire_seq_encode(&s, buf, HA_WIRE_SEQ_LEN - 1), -ENOSPC);
}

/* The brief form, outbound: out_seq, its distance to the epoch start, the rate. */
static const char SEQ_BRIEF_OUT_HEX[] =
	"0a0b0c0d0e0f1011 c0ffee01 01 00 0203 1000000000000001 fffffffe 00030d40";
/* Inbound: the window top and bits, reserved zero. */
static const char SEQ_BRIEF_IN_HEX[] =
	"0000000000000007 00001234 00 00 0000 3000000000000003 80000001 00000000";

static void
test_seq_brief_bytes(void)
{
	struct ha_wire_seq out = {
		.child_id = 0x0a0b0c0d0e0f1011ull, .spi = 0xc0ffee01, .dir = 1,
		.iv_epoch = 0x0203, .out_seq = 0x1000000000000001ull,
		.epoch_start_seq = 0x1000000000000001ull - 0xfffffffe, .rate_pps = 200000,
	};
	struct ha_wire_seq in = {
		.child_id = 7, .spi = 0x1234, .dir = 0, .win_top = 0x3000000000000003ull,
		.win_bits = 0x80000001,
	};
	struct ha_wire_seq d, e;

	check_bytes(buf, ha_wire_seq_brief_encode(&out, buf, sizeof(buf)), SEQ_BRIEF_OUT_HEX);
	memset(&d, 0xee, sizeof(d));
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), 0);
	CU_ASSERT_EQUAL(d.child_id, out.child_id);
	CU_ASSERT_EQUAL(d.spi, out.spi);
	CU_ASSERT_EQUAL(d.dir, 1);
	CU_ASSERT_EQUAL(d.iv_epoch, 0x0203);
	CU_ASSERT_EQUAL(d.out_seq, out.out_seq);
	CU_ASSERT_EQUAL(d.epoch_start_seq, out.epoch_start_seq);
	CU_ASSERT_EQUAL(d.rate_pps, 200000);
	CU_ASSERT_EQUAL(d.win_top, 0);
	CU_ASSERT_EQUAL(d.win_bits, 0);
	check_bytes(buf, ha_wire_seq_brief_encode(&in, buf, sizeof(buf)), SEQ_BRIEF_IN_HEX);
	memset(&e, 0xee, sizeof(e));
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &e), 0);
	CU_ASSERT_EQUAL(e.child_id, 7);
	CU_ASSERT_EQUAL(e.spi, 0x1234);
	CU_ASSERT_EQUAL(e.dir, 0);
	CU_ASSERT_EQUAL(e.win_top, in.win_top);
	CU_ASSERT_EQUAL(e.win_bits, 0x80000001);
	CU_ASSERT_EQUAL(e.out_seq, 0);
	CU_ASSERT_EQUAL(e.epoch_start_seq, 0);
	CU_ASSERT_EQUAL(e.iv_epoch, 0);
	CU_ASSERT_EQUAL(e.rate_pps, 0);
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&in, buf, HA_WIRE_SEQ_BRIEF_LEN - 1), -ENOSPC);
	/* What the brief form cannot hold exactly: the long form's job. */
	out.epoch_start_seq = out.out_seq - 0x100000000ull;	/* 2^32 below */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&out, buf, sizeof(buf)), -ERANGE);
	out.epoch_start_seq = out.out_seq + 1;			/* above the counter */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&out, buf, sizeof(buf)), -ERANGE);
	out.epoch_start_seq = out.out_seq;
	out.win_top = 1;					/* the other direction's */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&out, buf, sizeof(buf)), -ERANGE);
	in.rate_pps = 1;
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&in, buf, sizeof(buf)), -ERANGE);
	in.rate_pps = 0;
	in.iv_epoch = 1;
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&in, buf, sizeof(buf)), -ERANGE);
	in.iv_epoch = 0;
	in.dir = 2;
	CU_ASSERT_EQUAL(ha_wire_seq_brief_encode(&in, buf, sizeof(buf)), -ERANGE);
}

static void
test_segment_bytes(void)
{
	static const uint8_t big[100] = { 1 };
	struct ha_wire_segment s;
	struct ha_wire_msg m;
	size_t taken = 99, off = 0;

	check_bytes(buf, ha_wire_segment_encode(0x42, (const uint8_t *)"abc", 3, buf, sizeof(buf),
						&taken), "02 00 000b 0000000000000042 616263");
	CU_ASSERT_EQUAL(taken, 3);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 15, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_SEGMENT);
	CU_ASSERT_EQUAL(ha_wire_segment_decode(m.value, m.len, &s), 0);
	CU_ASSERT_EQUAL(s.offset, 0x42);
	CU_ASSERT_EQUAL(s.len, 3);
	CU_ASSERT_EQUAL(memcmp(s.data, "abc", 3), 0);
	/* CAP limits what is taken. */
	CU_ASSERT_EQUAL(ha_wire_segment_encode(9, big, sizeof(big), buf, 20, &taken), 20);
	CU_ASSERT_EQUAL(taken, 8);
	CU_ASSERT_EQUAL(buf[3], 16);
	CU_ASSERT_EQUAL(ha_wire_segment_encode(9, big, sizeof(big), buf, 12, &taken), -ENOSPC);
	CU_ASSERT_EQUAL(taken, 0);
	CU_ASSERT_EQUAL(ha_wire_segment_encode(9, big, 0, buf, 100, &taken), -EINVAL);
	CU_ASSERT_EQUAL(ha_wire_segment_encode(9, big, 1, buf, 13, &taken), 13);
	CU_ASSERT_EQUAL(taken, 1);
}

static void
test_rec_hdr_bytes(void)
{
	check_bytes(buf, ha_wire_rec_hdr_encode(HA_REC_SEQ, 0x60, buf, sizeof(buf)),
		    "0007 00000060");
	check_bytes(buf, ha_wire_rec_hdr_encode(HA_REC_IKE_SA, HA_WIRE_REC_MAX, buf, 6),
		    "0003 00010000");
	CU_ASSERT_EQUAL(ha_wire_rec_hdr_encode(HA_REC_SEQ, 1, buf, 5), -ENOSPC);
	CU_ASSERT_EQUAL(ha_wire_rec_hdr_encode(0, 1, buf, 6), -EINVAL);
	CU_ASSERT_EQUAL(ha_wire_rec_hdr_encode(1, HA_WIRE_REC_MAX + 1, buf, 6), -EINVAL);
}

/* A list of four messages, walked by the iterator. */
static void
test_msg_list(void)
{
	struct ha_wire_ack a = { .offset = 77, .window = 1000 };
	struct ha_wire_ctrl c = { .request = HA_CTRL_RESYNC, .arg = 0 };
	uint8_t v[32];
	struct ha_wire_msg m;
	struct ha_wire_ack ad;
	struct ha_wire_ctrl cd;
	size_t n = 0, off = 0, taken;

	n += (size_t)ha_wire_msg_encode(HA_MSG_HEARTBEAT, 0, v,
					(uint16_t)ha_wire_heartbeat_encode(&HB, v, sizeof(v)),
					buf + n, sizeof(buf) - n);
	n += (size_t)ha_wire_segment_encode(5, (const uint8_t *)"xy", 2, buf + n,
					    sizeof(buf) - n, &taken);
	n += (size_t)ha_wire_msg_encode(HA_MSG_ACK, 0, v,
					(uint16_t)ha_wire_ack_encode(&a, v, sizeof(v)),
					buf + n, sizeof(buf) - n);
	n += (size_t)ha_wire_msg_encode(HA_MSG_CTRL, 0, v,
					(uint16_t)ha_wire_ctrl_encode(&c, v, sizeof(v)),
					buf + n, sizeof(buf) - n);
	CU_ASSERT_EQUAL_FATAL(n, 28 + 14 + 16 + 16);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_HEARTBEAT);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_SEGMENT);
	CU_ASSERT_EQUAL(m.len, 10);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_ACK);
	CU_ASSERT_EQUAL(ha_wire_ack_decode(m.value, m.len, &ad), 0);
	CU_ASSERT_EQUAL(ad.offset, 77);
	CU_ASSERT_EQUAL(ad.window, 1000);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_CTRL);
	CU_ASSERT_EQUAL(ha_wire_ctrl_decode(m.value, m.len, &cd), 0);
	CU_ASSERT_EQUAL(cd.request, HA_CTRL_RESYNC);
	CU_ASSERT_EQUAL(off, n);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, n, &off, &m), 0);
	/* Empty value, overlapping value, bad arguments. */
	check_bytes(buf, ha_wire_msg_encode(HA_MSG_CTRL, 0, NULL, 0, buf, 4), "04 00 0000");
	CU_ASSERT_EQUAL(ha_wire_msg_encode(HA_MSG_CTRL, 0, NULL, 1, buf, 10), -EINVAL);
	CU_ASSERT_EQUAL(ha_wire_msg_encode(HA_MSG_CTRL, 0, v, 7, buf, 10), -ENOSPC);
	CU_ASSERT_EQUAL(ha_wire_msg_encode(HA_MSG_CTRL, 0, NULL, 0, buf, 3), -ENOSPC);
	memcpy(buf, "abcdef", 6);
	check_bytes(buf, ha_wire_msg_encode(HA_MSG_CTRL, 0, buf, 6, buf, 10),
		    "04 00 0006 616263646566");
}

/* ---- malformed values ---- */

/* Every length but the right one fails. */
static void
check_lengths(int (*dec)(const uint8_t *, size_t), size_t good)
{
	for (size_t len = 0; len <= good + 1; len++) {
		if (len == good)
			continue;
		CU_ASSERT_EQUAL(dec(buf, len), -EBADMSG);
	}
	CU_ASSERT_EQUAL(dec(buf, good), 0);
}

static int
dec_hello(const uint8_t *p, size_t len)
{
	struct ha_wire_hello d;

	return ha_wire_hello_decode(p, len, &d);
}

static int
dec_heartbeat(const uint8_t *p, size_t len)
{
	struct ha_wire_heartbeat d;

	return ha_wire_heartbeat_decode(p, len, &d);
}

static int
dec_ack(const uint8_t *p, size_t len)
{
	struct ha_wire_ack d;

	return ha_wire_ack_decode(p, len, &d);
}

static int
dec_ctrl(const uint8_t *p, size_t len)
{
	struct ha_wire_ctrl d;

	return ha_wire_ctrl_decode(p, len, &d);
}

static int
dec_seq(const uint8_t *p, size_t len)
{
	struct ha_wire_seq d;

	return ha_wire_seq_decode(p, len, &d);
}

static int
dec_seq_brief(const uint8_t *p, size_t len)
{
	struct ha_wire_seq d;

	return ha_wire_seq_brief_decode(p, len, &d);
}

static void
test_bad_seq_brief(void)
{
	struct ha_wire_seq d;

	unhex(SEQ_BRIEF_OUT_HEX, buf, sizeof(buf));
	check_lengths(dec_seq_brief, HA_WIRE_SEQ_BRIEF_LEN);
	buf[13] = 1;					/* reserved */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), -EBADMSG);
	buf[13] = 0;
	buf[12] = 2;					/* dir */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), -EBADMSG);
	buf[12] = 1;
	/* An epoch start below 0: distance 0xfffffffe > out_seq 5. */
	memcpy(buf + 16, "\0\0\0\0\0\0\0\5", 8);
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), -EBADMSG);
	unhex(SEQ_BRIEF_IN_HEX, buf, sizeof(buf));
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), 0);
	buf[15] = 1;					/* inbound: iv_epoch */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), -EBADMSG);
	buf[15] = 0;
	buf[31] = 1;					/* inbound: reserved */
	CU_ASSERT_EQUAL(ha_wire_seq_brief_decode(buf, HA_WIRE_SEQ_BRIEF_LEN, &d), -EBADMSG);
}

static void
test_bad_hdr(void)
{
	struct ha_wire_hdr h = { .version = 1, .type = HA_DGRAM_HELLO, .node_id = 1 }, d;
	uint8_t good[HA_WIRE_HDR_LEN];

	ha_wire_hdr_encode(&h, good, sizeof(good));
	for (size_t len = 0; len < HA_WIRE_HDR_LEN; len++)
		CU_ASSERT_EQUAL(ha_wire_hdr_decode(good, len, &d), -EBADMSG);
	for (size_t i = 0; i < 4; i++) {		/* magic */
		memcpy(buf, good, sizeof(good));
		buf[i] ^= 0x01;
		CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), -EBADMSG);
	}
	memcpy(buf, good, sizeof(good));
	buf[4] = 0;					/* version 0 */
	CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), -EBADMSG);
	buf[4] = 2;					/* a later version parses */
	CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), 0);
	CU_ASSERT_EQUAL(d.version, 2);
	buf[4] = 1;
	for (unsigned int t = 0; t <= 255; t++) {	/* types */
		buf[5] = (uint8_t)t;
		CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d),
				t == HA_DGRAM_HELLO || t == HA_DGRAM_DATA ? 0 : -EBADMSG);
	}
	buf[5] = HA_DGRAM_DATA;
	for (int bit = 0; bit < 16; bit++) {		/* flags */
		buf[6 + (bit / 8)] = (uint8_t)(1u << (bit % 8));
		CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), -EBADMSG);
		buf[6] = buf[7] = 0;
	}
	for (int bit = 0; bit < 8; bit++) {		/* reserved */
		buf[11] = (uint8_t)(1u << bit);
		CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), -EBADMSG);
	}
	buf[11] = 0;
	CU_ASSERT_EQUAL(ha_wire_hdr_decode(buf, sizeof(good), &d), 0);
}

static void
test_bad_hello(void)
{
	struct ha_wire_hello d;

	unhex(HELLO_HEX, buf, sizeof(buf));
	check_lengths(dec_hello, HA_WIRE_HELLO_LEN);
	buf[0] = 0;					/* version_min 0 */
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), -EBADMSG);
	buf[0] = 2;					/* min > max */
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), -EBADMSG);
	buf[0] = 1;
	buf[3] = HA_WIRE_ROLE_ACTIVE + 1;		/* unknown role */
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), -EBADMSG);
	buf[3] = HA_WIRE_ROLE_ACTIVE;
	CU_ASSERT_EQUAL(ha_wire_hello_decode(buf, HA_WIRE_HELLO_LEN, &d), 0);
}

static void
test_bad_heartbeat(void)
{
	struct ha_wire_heartbeat d;

	ha_wire_heartbeat_encode(&HB, buf, sizeof(buf));
	check_lengths(dec_heartbeat, HA_WIRE_HEARTBEAT_LEN);
	buf[0] = HA_WIRE_ROLE_ACTIVE + 1;
	CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d), -EBADMSG);
	buf[0] = HA_WIRE_ROLE_INIT;
	CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d), 0);
	for (int bit = 3; bit < 8; bit++) {		/* undefined flags */
		buf[2] = (uint8_t)(1u << bit);
		CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d),
				-EBADMSG);
	}
	buf[2] = 7;
	CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d), 0);
	buf[3] = 0x80;					/* reserved */
	CU_ASSERT_EQUAL(ha_wire_heartbeat_decode(buf, HA_WIRE_HEARTBEAT_LEN, &d), -EBADMSG);
}

static void
test_bad_ack_ctrl_seq(void)
{
	struct ha_wire_ctrl c = { .request = HA_CTRL_RESYNC }, cd;
	struct ha_wire_seq sd;

	memset(buf, 0, HA_WIRE_ACK_LEN + 1);
	check_lengths(dec_ack, HA_WIRE_ACK_LEN);

	ha_wire_ctrl_encode(&c, buf, sizeof(buf));
	check_lengths(dec_ctrl, HA_WIRE_CTRL_LEN);
	buf[0] = 0;
	CU_ASSERT_EQUAL(ha_wire_ctrl_decode(buf, HA_WIRE_CTRL_LEN, &cd), -EBADMSG);
	buf[0] = HA_CTRL_SWITCHOVER_DONE + 1;
	CU_ASSERT_EQUAL(ha_wire_ctrl_decode(buf, HA_WIRE_CTRL_LEN, &cd), -EBADMSG);
	buf[0] = HA_CTRL_RESYNC;
	for (int i = 1; i <= 3; i++) {			/* reserved */
		buf[i] = 1;
		CU_ASSERT_EQUAL(ha_wire_ctrl_decode(buf, HA_WIRE_CTRL_LEN, &cd), -EBADMSG);
		buf[i] = 0;
	}

	unhex(SEQ_HEX, buf, sizeof(buf));
	check_lengths(dec_seq, HA_WIRE_SEQ_LEN);
	buf[12] = 2;					/* dir */
	CU_ASSERT_EQUAL(ha_wire_seq_decode(buf, HA_WIRE_SEQ_LEN, &sd), -EBADMSG);
	buf[12] = 0;
	CU_ASSERT_EQUAL(ha_wire_seq_decode(buf, HA_WIRE_SEQ_LEN, &sd), 0);
	CU_ASSERT_EQUAL(sd.dir, 0);
	buf[13] = 1;					/* reserved */
	CU_ASSERT_EQUAL(ha_wire_seq_decode(buf, HA_WIRE_SEQ_LEN, &sd), -EBADMSG);
}

static void
test_bad_segment(void)
{
	struct ha_wire_segment s;

	memset(buf, 0, 16);
	for (size_t len = 0; len <= 8; len++)
		CU_ASSERT_EQUAL(ha_wire_segment_decode(buf, len, &s), -EBADMSG);
	CU_ASSERT_EQUAL(ha_wire_segment_decode(buf, 9, &s), 0);
	CU_ASSERT_EQUAL(s.len, 1);
	CU_ASSERT_EQUAL(ha_wire_segment_decode(buf, UINT16_MAX, &s), 0);
	CU_ASSERT_EQUAL(s.len, UINT16_MAX - 8);
	CU_ASSERT_EQUAL(ha_wire_segment_decode(buf, UINT16_MAX + 1, &s), -EBADMSG);
}

static void
test_bad_msg(void)
{
	struct ha_wire_msg m;
	size_t off;

	/* A good CTRL message (16 octets) then 1..3 stray octets. */
	unhex("04 00 000c 01 000000 0000000000000009 04 00 00", buf, sizeof(buf));
	for (size_t tail = 1; tail <= 3; tail++) {
		off = 0;
		CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16 + tail, &off, &m), 1);
		CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16 + tail, &off, &m), -EBADMSG);
	}
	/* The value runs past the end by one octet, at every length. */
	for (size_t len = 1; len < 16; len++) {
		off = 0;
		CU_ASSERT_EQUAL(ha_wire_msg_next(buf, len, &off, &m), -EBADMSG);
		CU_ASSERT_EQUAL(off, 0);
	}
	buf[3] = 0x0d;
	off = 0;
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16, &off, &m), -EBADMSG);
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 17, &off, &m), 1);
	buf[3] = 0x0c;
	/* Types and flags. */
	for (unsigned int t = 0; t <= 255; t++) {
		buf[0] = (uint8_t)t;
		off = 0;
		CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16, &off, &m),
				t >= HA_MSG_HEARTBEAT && t <= HA_MSG_CTRL ? 1 : -EBADMSG);
	}
	buf[0] = HA_MSG_CTRL;
	for (int bit = 0; bit < 8; bit++) {
		buf[1] = (uint8_t)(1u << bit);
		off = 0;
		CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16, &off, &m), -EBADMSG);
	}
	buf[1] = 0;
	off = 17;					/* an offset past the end */
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 16, &off, &m), -EBADMSG);
	off = 0;
	CU_ASSERT_EQUAL(ha_wire_msg_next(buf, 0, &off, &m), 0);
}

/* ---- record assembler ---- */

enum { REC_SEEN_MAX = 64 };

struct rec_seen {
	size_t n;
	uint16_t type[REC_SEEN_MAX];
	uint32_t len[REC_SEEN_MAX];
	uint32_t sum[REC_SEEN_MAX];
	int fail_at;				/* the record number that fails, or -1 */
};

static uint32_t
checksum(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int
rec_cb(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct rec_seen *s = arg;

	if (s->n == REC_SEEN_MAX)
		return -ENOBUFS;
	s->type[s->n] = type;
	s->len[s->n] = len;
	s->sum[s->n] = checksum(value, len);
	if ((int)s->n++ == s->fail_at)
		return -ECANCELED;
	return 0;
}

static const uint32_t rec_lens[] = { 0, 1, 5, 6, 7, 300, 1400, HA_WIRE_REC_MAX, 0, 48, 2 };
static uint8_t *stream;
static size_t stream_len;
static uint32_t stream_sums[DIM(rec_lens)];

static void
build_stream(void)
{
	size_t total = 0;

	for (size_t i = 0; i < DIM(rec_lens); i++)
		total += HA_WIRE_REC_HDR_LEN + rec_lens[i];
	stream = malloc(total);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stream);
	stream_len = 0;
	for (size_t i = 0; i < DIM(rec_lens); i++) {
		uint8_t *v;

		ha_wire_rec_hdr_encode((uint16_t)(i + 1), rec_lens[i], stream + stream_len, 6);
		stream_len += HA_WIRE_REC_HDR_LEN;
		v = stream + stream_len;
		for (uint32_t j = 0; j < rec_lens[i]; j++)
			v[j] = (uint8_t)(j * 31 + i);
		stream_sums[i] = checksum(v, rec_lens[i]);
		stream_len += rec_lens[i];
	}
	CU_ASSERT_EQUAL(stream_len, total);
}

static void
check_seen(const struct rec_seen *s)
{
	CU_ASSERT_EQUAL_FATAL(s->n, DIM(rec_lens));
	for (size_t i = 0; i < DIM(rec_lens); i++) {
		CU_ASSERT_EQUAL(s->type[i], i + 1);
		CU_ASSERT_EQUAL(s->len[i], rec_lens[i]);
		CU_ASSERT_EQUAL(s->sum[i], stream_sums[i]);
	}
}

static void
test_asm_whole_and_bytes(void)
{
	struct ha_rec_asm a;
	struct rec_seen s = { .fail_at = -1 };
	int rc = 0;

	build_stream();
	CU_ASSERT_EQUAL_FATAL(ha_rec_asm_init(&a), 0);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, stream, stream_len, rec_cb, &s), 0);
	check_seen(&s);
	memset(&s, 0, sizeof(s));
	s.fail_at = -1;
	for (size_t i = 0; i < stream_len && rc == 0; i++)
		rc = ha_rec_asm_feed(&a, stream + i, 1, rec_cb, &s);
	CU_ASSERT_EQUAL(rc, 0);
	check_seen(&s);
	CU_ASSERT_EQUAL(a.hdr_have, 0);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, NULL, 0, rec_cb, &s), 0);
	ha_rec_asm_free(&a);
	CU_ASSERT_PTR_NULL(a.value);
}

static void
test_asm_random_splits(void)
{
	struct ha_rec_asm a;
	struct rec_seen s;
	size_t off, n;
	int rc;

	CU_ASSERT_EQUAL_FATAL(ha_rec_asm_init(&a), 0);
	srand(5);
	for (int round = 0; round < 200; round++) {
		memset(&s, 0, sizeof(s));
		s.fail_at = -1;
		rc = 0;
		for (off = 0; off < stream_len && rc == 0; off += n) {
			n = (size_t)rand() % (round % 2 == 0 ? 16 : 9000);
			if (n > stream_len - off)
				n = stream_len - off;
			rc = ha_rec_asm_feed(&a, stream + off, n, rec_cb, &s);
		}
		CU_ASSERT_EQUAL(rc, 0);
		check_seen(&s);
	}
	ha_rec_asm_free(&a);
}

static void
test_asm_bad(void)
{
	struct ha_rec_asm a;
	struct rec_seen s = { .fail_at = -1 };
	uint8_t hdr[HA_WIRE_REC_HDR_LEN];

	CU_ASSERT_EQUAL_FATAL(ha_rec_asm_init(&a), 0);
	/* Type 0, even split in the header: refused, and again until reset. */
	unhex("0000 00000001", hdr, sizeof(hdr));
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, hdr, 3, rec_cb, &s), 0);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, hdr + 3, 3, rec_cb, &s), -EBADMSG);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, stream, 10, rec_cb, &s), -EBADMSG);
	CU_ASSERT_EQUAL(s.n, 0);
	ha_rec_asm_reset(&a);
	/* Longer than HA_WIRE_REC_MAX. */
	unhex("0003 00010001", hdr, sizeof(hdr));
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, hdr, sizeof(hdr), rec_cb, &s), -EBADMSG);
	unhex("0003 ffffffff", hdr, sizeof(hdr));
	ha_rec_asm_reset(&a);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, hdr, sizeof(hdr), rec_cb, &s), -EBADMSG);
	CU_ASSERT_EQUAL(s.n, 0);
	/* Reset drops a partial record; the stream then parses again. */
	ha_rec_asm_reset(&a);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, stream, stream_len, rec_cb, &s), 0);
	check_seen(&s);
	/* A callback error stops the feed with its code. */
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, stream, stream_len, rec_cb, &s), -ECANCELED);
	CU_ASSERT_EQUAL(s.n, 3);
	ha_rec_asm_free(&a);
	CU_ASSERT_EQUAL(ha_rec_asm_feed(&a, stream, 1, rec_cb, &s), -EINVAL);
	free(stream);
	stream = NULL;
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "header exact bytes", test_hdr_bytes },
		{ "heartbeat exact bytes", test_heartbeat_bytes },
		{ "hello exact bytes", test_hello_bytes },
		{ "ack and ctrl exact bytes", test_ack_ctrl_bytes },
		{ "seq exact bytes", test_seq_bytes },
		{ "seq brief exact bytes, what it cannot hold", test_seq_brief_bytes },
		{ "seq brief malformed", test_bad_seq_brief },
		{ "segment exact bytes", test_segment_bytes },
		{ "record header exact bytes", test_rec_hdr_bytes },
		{ "message list", test_msg_list },
		{ "bad header", test_bad_hdr },
		{ "bad hello", test_bad_hello },
		{ "bad heartbeat", test_bad_heartbeat },
		{ "bad ack, ctrl, seq", test_bad_ack_ctrl_seq },
		{ "bad segment", test_bad_segment },
		{ "bad messages", test_bad_msg },
		{ "assembler whole and byte by byte", test_asm_whole_and_bytes },
		{ "assembler random splits", test_asm_random_splits },
		{ "assembler bad records", test_asm_bad },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ha_wire", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
