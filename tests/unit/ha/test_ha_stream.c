/*
 * Unit tests of the HA record stream (ha/ha_stream.c): records across
 * segments, the growable ring, -ENOBUFS, the window, RTO back-off,
 * go-back-N and the fast go-back, the in-order receiver.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ha/ha_stream.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	T0 = 1000,			/* test clock start, ms */
	PLAIN = 1360,			/* DATA plaintext room: 1400 - 24 - 16 */
	SEG_OVERHEAD = 12,		/* message header 4 + offset 8 */
	MAX_RECS = 64,
};

/* Records seen by the receiver. */
struct seen {
	unsigned int n;
	uint16_t type[MAX_RECS];
	uint32_t len[MAX_RECS];
	uint8_t first[MAX_RECS];
	uint8_t last[MAX_RECS];
	bool intact[MAX_RECS];		/* value[i] == (uint8_t)(i + len) */
};

static int
on_rec(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct seen *s = arg;
	bool ok = true;

	if (s->n >= MAX_RECS)
		return -ENOSPC;
	for (uint32_t i = 0; i < len; i++)
		ok &= value[i] == (uint8_t)(i + len);
	s->type[s->n] = type;
	s->len[s->n] = len;
	s->first[s->n] = len ? value[0] : 0;
	s->last[s->n] = len ? value[len - 1] : 0;
	s->intact[s->n] = ok;
	s->n++;
	return 0;
}

static uint8_t *
pattern(uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i + len);
	return p;
}

static int
write_pat(struct ha_stream *s, uint16_t type, uint32_t len)
{
	uint8_t *p = pattern(len);
	int rc = ha_stream_write(s, type, p, len);

	free(p);
	return rc;
}

/* Parses one SEGMENT message out of BUF. */
static void
parse_seg(const uint8_t *buf, ssize_t n, struct ha_wire_segment *seg)
{
	struct ha_wire_msg m;
	size_t off = 0;

	CU_ASSERT_EQUAL_FATAL(ha_wire_msg_next(buf, (size_t)n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_SEGMENT);
	CU_ASSERT_EQUAL(off, (size_t)n);
	CU_ASSERT_EQUAL_FATAL(ha_wire_segment_decode(m.value, m.len, seg), 0);
}

/* Moves one segment from TX to RX (DELIVER false: lost). Octets or 0. */
static ssize_t
move_seg(struct ha_stream *tx, struct ha_stream *rx, uint64_t now, bool deliver,
	 struct seen *seen)
{
	uint8_t buf[PLAIN];
	struct ha_wire_segment seg;
	ssize_t n = ha_stream_next_segment(tx, now, buf, sizeof(buf));

	if (n <= 0)
		return n;
	parse_seg(buf, n, &seg);
	if (deliver)
		CU_ASSERT_EQUAL(ha_stream_on_segment(rx, &seg, now, on_rec, seen), 0);
	return n;
}

/* Moves RX's ACK back to TX. */
static void
move_ack(struct ha_stream *rx, struct ha_stream *tx, uint64_t now, uint64_t expect_off)
{
	uint8_t buf[64];
	struct ha_wire_msg m;
	struct ha_wire_ack a;
	size_t off = 0;
	ssize_t n = ha_stream_ack_msg(rx, buf, sizeof(buf), now, true);

	CU_ASSERT_EQUAL_FATAL(n, HA_WIRE_MSG_HDR_LEN + HA_WIRE_ACK_LEN);
	CU_ASSERT_FALSE(rx->ack_due);
	CU_ASSERT_EQUAL(ha_stream_ack_msg(rx, buf, sizeof(buf), now, true), 0);	/* once */
	CU_ASSERT_EQUAL_FATAL(ha_wire_msg_next(buf, (size_t)n, &off, &m), 1);
	CU_ASSERT_EQUAL(m.type, HA_MSG_ACK);
	CU_ASSERT_EQUAL_FATAL(ha_wire_ack_decode(m.value, m.len, &a), 0);
	CU_ASSERT_EQUAL(a.offset, expect_off);
	CU_ASSERT_EQUAL(a.window, HA_STREAM_WINDOW);
	CU_ASSERT_EQUAL(ha_stream_on_ack(tx, &a, now), 0);
}

static void
pair_init(struct ha_stream *tx, struct ha_stream *rx, size_t max)
{
	CU_ASSERT_EQUAL_FATAL(ha_stream_init(tx, max), 0);
	CU_ASSERT_EQUAL_FATAL(ha_stream_init(rx, max), 0);
}

static void
pair_fini(struct ha_stream *tx, struct ha_stream *rx)
{
	ha_stream_fini(tx);
	ha_stream_fini(rx);
}

static void
test_round_trip(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0));
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_IKE_SA, 100), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_CHILD, 0), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 48), 0);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 106 + 6 + 54);
	CU_ASSERT_TRUE(ha_stream_want_send(&tx, T0));
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 166);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, T0 + HA_STREAM_RTO_MS);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0));
	CU_ASSERT_EQUAL(seen.n, 3);
	CU_ASSERT_EQUAL(seen.type[0], HA_REC_IKE_SA);
	CU_ASSERT_EQUAL(seen.len[0], 100);
	CU_ASSERT_TRUE(seen.intact[0]);
	CU_ASSERT_EQUAL(seen.type[1], HA_REC_CHILD);
	CU_ASSERT_EQUAL(seen.len[1], 0);
	CU_ASSERT_EQUAL(seen.type[2], HA_REC_SEQ);
	CU_ASSERT_EQUAL(seen.len[2], 48);
	CU_ASSERT_EQUAL(seen.first[2], 48);
	CU_ASSERT_EQUAL(seen.last[2], 95);
	CU_ASSERT_EQUAL(rx.stats.records_received, 3);
	CU_ASSERT_EQUAL(rx.stats.bytes_received, 166);
	CU_ASSERT_TRUE(rx.ack_due);
	move_ack(&rx, &tx, T0 + 1, 166);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 0);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, 0);
	CU_ASSERT_EQUAL(tx.stats.records_sent, 3);
	CU_ASSERT_EQUAL(tx.stats.bytes_sent, 166);
	CU_ASSERT_EQUAL(tx.stats.bytes_acked, 166);
	CU_ASSERT_EQUAL(tx.stats.retransmits, 0);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0 + 10000));
	pair_fini(&tx, &rx);
}

static void
test_large_record(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	unsigned int segs = 0;
	uint8_t big[HA_WIRE_REC_MAX + 1];

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(ha_stream_write(&tx, HA_REC_IKE_SA, big, sizeof(big)), -EMSGSIZE);
	CU_ASSERT_EQUAL(ha_stream_write2(&tx, HA_REC_IKE_SA, big, 40000, big, 25537),
			-EMSGSIZE);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_CHILD, HA_WIRE_REC_MAX), 0);
	CU_ASSERT_EQUAL(tx.cap, 131072);	/* 4096 doubled to hold 65542 */
	/* The first congestion window: 64 KiB, 1348 a segment (48 full, 832). */
	while (move_seg(&tx, &rx, T0, true, &seen) > 0)
		segs++;
	CU_ASSERT_EQUAL(segs, 49);
	CU_ASSERT_EQUAL(tx.sent, HA_STREAM_CWND_INIT);
	CU_ASSERT_EQUAL(seen.n, 0);
	move_ack(&rx, &tx, T0 + 2, HA_STREAM_CWND_INIT);
	CU_ASSERT_EQUAL(tx.cwnd, HA_STREAM_CWND_INIT + HA_STREAM_CWND_INIT / 2);
	CU_ASSERT_TRUE(tx.rtt_known);
	CU_ASSERT_EQUAL(tx.srtt_ms, 2);
	CU_ASSERT_EQUAL(tx.rto_ms, 3 * 2 + HA_STREAM_RTO_MIN_MS);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, 0);	/* nothing in flight */
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0 + 2, true, &seen), SEG_OVERHEAD + 6);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.len[0], HA_WIRE_REC_MAX);
	CU_ASSERT_TRUE(seen.intact[0]);
	move_ack(&rx, &tx, T0 + 3, HA_WIRE_REC_MAX + HA_WIRE_REC_HDR_LEN);
	CU_ASSERT_EQUAL(tx.cap, 131072);	/* kept: not above HA_STREAM_CAP_KEEP */
	pair_fini(&tx, &rx);
}

/* write2 gathers the value from two pieces. */
static void
test_write2(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	uint8_t *p = pattern(300);

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(ha_stream_write2(&tx, HA_REC_IKE_SA, p, 120, p + 120, 180), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 306);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.len[0], 300);
	CU_ASSERT_TRUE(seen.intact[0]);
	free(p);
	pair_fini(&tx, &rx);
}

/* The ring wraps, then grows with bytes on both sides of the wrap. */
static void
test_ring_wrap_grow(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	unsigned int i;

	pair_init(&tx, &rx, 8 << 20);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 994), 0);	/* 1000 each */
	while (move_seg(&tx, &rx, T0, true, &seen) > 0)
		;
	move_ack(&rx, &tx, T0, 3000);
	CU_ASSERT_EQUAL(tx.cap, 4096);
	/* 3000..5000: wraps at 4096. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 994), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 994), 0);
	CU_ASSERT_EQUAL(tx.cap, 4096);
	/* 5000 unacked bytes would not fit: grows to 8192, keeping offsets. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 2994), 0);
	CU_ASSERT_EQUAL(tx.cap, 8192);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 5000);
	while (move_seg(&tx, &rx, T0 + 1, true, &seen) > 0)
		;
	CU_ASSERT_EQUAL(seen.n, 6);
	CU_ASSERT_EQUAL(seen.len[5], 2994);
	for (i = 0; i < 6; i++)
		CU_ASSERT_TRUE(seen.intact[i]);
	move_ack(&rx, &tx, T0 + 2, 8000);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 0);
	/* 2 MiB in flight, then all acknowledged: back to the first size. */
	for (i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_IKE_SA, HA_WIRE_REC_MAX), 0);
	CU_ASSERT_EQUAL(tx.cap, 4u << 20);
	tx.sent = tx.resend = tx.written;	/* as if sent */
	CU_ASSERT_EQUAL(ha_stream_on_ack(&tx, &(struct ha_wire_ack){ tx.written - 1,
					 HA_STREAM_WINDOW }, T0 + 3), 0);
	CU_ASSERT_EQUAL(tx.cap, 4u << 20);
	CU_ASSERT_EQUAL(ha_stream_on_ack(&tx, &(struct ha_wire_ack){ tx.written,
					 HA_STREAM_WINDOW }, T0 + 3), 0);
	CU_ASSERT_EQUAL(tx.cap, HA_STREAM_CAP_MIN);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 94), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0 + 4, false, &seen), SEG_OVERHEAD + 100);
	pair_fini(&tx, &rx);
}

static void
test_enobufs(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	unsigned int i;

	CU_ASSERT_EQUAL(ha_stream_init(&tx, 0), -EINVAL);
	pair_init(&tx, &rx, 1000);
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 94), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 0), -ENOBUFS);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 1000);
	CU_ASSERT_EQUAL(tx.stats.records_sent, 10);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 1000);
	move_ack(&rx, &tx, T0, 1000);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 994), 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 0), -ENOBUFS);
	pair_fini(&tx, &rx);
}

static void
test_window(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	struct ha_wire_ack a = { .offset = 0, .window = 100 };

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 494), 0);
	CU_ASSERT_EQUAL(ha_stream_on_ack(&tx, &a, T0), 0);
	CU_ASSERT_EQUAL(tx.peer_window, 100);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 100);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0));
	a.offset = 100;
	a.window = 300;
	CU_ASSERT_EQUAL(ha_stream_on_ack(&tx, &a, T0), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 300);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0));
	/* An ACK beyond what was sent is refused. */
	a.offset = 401;
	CU_ASSERT_EQUAL(ha_stream_on_ack(&tx, &a, T0), -EBADMSG);
	CU_ASSERT_EQUAL(tx.acked, 100);
	pair_fini(&tx, &rx);
}

/* RTO: 30 ms doubling to 1000, back to 30 on progress. */
static void
test_rto(void)
{
	static const uint32_t rtos[] = { 60, 120, 240, 480, 960, 1000, 1000 };
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	uint64_t now = T0;

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 94), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, now, false, &seen), SEG_OVERHEAD + 100);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, T0 + 30);
	for (size_t i = 0; i < DIM(rtos); i++) {
		now = tx.rto_deadline_ms;
		CU_ASSERT_FALSE(ha_stream_want_send(&tx, now - 1));
		CU_ASSERT_TRUE(ha_stream_want_send(&tx, now));
		CU_ASSERT_EQUAL(move_seg(&tx, &rx, now, false, &seen), SEG_OVERHEAD + 100);
		CU_ASSERT_EQUAL(tx.rto_ms, rtos[i]);
		CU_ASSERT_EQUAL(tx.rto_deadline_ms, now + rtos[i]);
		CU_ASSERT_FALSE(ha_stream_want_send(&tx, now));
	}
	CU_ASSERT_EQUAL(tx.stats.retransmits, DIM(rtos));
	CU_ASSERT_EQUAL(tx.stats.bytes_retransmitted, 100 * DIM(rtos));
	CU_ASSERT_EQUAL(tx.stats.bytes_sent, 100);
	now = tx.rto_deadline_ms;
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, now, true, &seen), SEG_OVERHEAD + 100);
	CU_ASSERT_EQUAL(seen.n, 1);
	move_ack(&rx, &tx, now + 1, 100);
	CU_ASSERT_EQUAL(tx.rto_ms, HA_STREAM_RTO_MS);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, 0);
	/* Kick: a retransmission at once, first RTO. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 94), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, now + 2, false, &seen), SEG_OVERHEAD + 100);
	tx.rto_ms = 1000;
	ha_stream_kick(&tx, now + 3);
	CU_ASSERT_TRUE(ha_stream_want_send(&tx, now + 3));
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, now + 3, true, &seen), SEG_OVERHEAD + 100);
	CU_ASSERT_EQUAL(tx.rto_ms, 60);
	CU_ASSERT_EQUAL(seen.n, 2);
	pair_fini(&tx, &rx);
}

/* A lost segment: the receiver drops what follows; an ACK that stops
 * short of what was sent at least SRTT (x 1.25) before sends the sender
 * back at once, an earlier one does not. */
static void
test_go_back(void)
{
	enum { T1 = T0 + 10, L = 2 + 4 * 1 };	/* SRTT 2 + 4 x RTTVAR 1 */
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	struct ha_wire_segment seg;
	uint8_t buf[PLAIN];
	ssize_t n;
	unsigned int i;

	pair_init(&tx, &rx, 1 << 20);
	/* A round trip of 2 ms measured first. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 94), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 100);
	move_ack(&rx, &tx, T0 + 2, 100);
	CU_ASSERT_TRUE(tx.rtt_known);
	CU_ASSERT_EQUAL(tx.srtt_ms, 2);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 994), 0);
	/* 4000 bytes at 100: segments at 100 (1348), 1448 (1348), 2796 (1300,
	 * up to the end of the 4096-byte ring), 4096 (4). */
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1, false, &seen), SEG_OVERHEAD + 1348);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1, true, &seen), SEG_OVERHEAD + 1348);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1, true, &seen), SEG_OVERHEAD + 1300);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1, true, &seen), SEG_OVERHEAD + 4);
	CU_ASSERT_EQUAL(rx.stats.segments_out_of_order, 3);
	CU_ASSERT_EQUAL(rx.rx_next, 100);
	CU_ASSERT_EQUAL(seen.n, 1);
	move_ack(&rx, &tx, T1 + 1, 100);	/* too early to tell */
	CU_ASSERT_EQUAL(tx.stats.fast_retransmits, 0);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T1 + 1));
	rx.ack_due = true;
	move_ack(&rx, &tx, T1 + L, 100);	/* sent at T1, SRTT + 4 RTTVAR ago */
	CU_ASSERT_EQUAL(tx.stats.fast_retransmits, 1);
	CU_ASSERT_EQUAL(tx.cwnd, (HA_STREAM_CWND_INIT + 50) / 2);
	CU_ASSERT_EQUAL(tx.goback_ms, T1 + L);
	CU_ASSERT_EQUAL(tx.marks_n, 0);
	/* Again the same offset: nothing sent since the go-back, no second one. */
	rx.ack_due = true;
	move_ack(&rx, &tx, T1 + L + 1, 100);
	CU_ASSERT_EQUAL(tx.stats.fast_retransmits, 1);
	/* Retransmissions: the first arrives, the second is lost. */
	CU_ASSERT_TRUE(ha_stream_want_send(&tx, T1 + L + 2));
	n = ha_stream_next_segment(&tx, T1 + L + 2, buf, sizeof(buf));
	parse_seg(buf, n, &seg);
	CU_ASSERT_EQUAL(seg.offset, 100);
	CU_ASSERT_EQUAL(seg.len, 1348);
	CU_ASSERT_EQUAL(ha_stream_on_segment(&rx, &seg, T0, on_rec, &seen), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1 + L + 2, false, &seen), SEG_OVERHEAD + 1348);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1 + L + 2, true, &seen), SEG_OVERHEAD + 1300);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1 + L + 2, true, &seen), SEG_OVERHEAD + 4);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T1 + L + 2, true, &seen), 0);
	move_ack(&rx, &tx, T1 + L + 3, 1448);	/* progress, too early to tell */
	CU_ASSERT_EQUAL(tx.stats.fast_retransmits, 1);
	rx.ack_due = true;
	move_ack(&rx, &tx, T1 + 2 * L + 2, 1448);
	CU_ASSERT_EQUAL(tx.stats.fast_retransmits, 2);
	CU_ASSERT_EQUAL(tx.resend, 1448);
	/* Duplicate (already received) bytes are dropped. */
	seg.offset = 1000;
	seg.len = 348;
	CU_ASSERT_EQUAL(ha_stream_on_segment(&rx, &seg, T0, on_rec, &seen), 0);
	CU_ASSERT_EQUAL(rx.stats.segments_out_of_order, 6);
	while (move_seg(&tx, &rx, T1 + 2 * L + 4, true, &seen) > 0)
		;
	CU_ASSERT_EQUAL(seen.n, 5);
	for (i = 0; i < 5; i++)
		CU_ASSERT_TRUE(seen.intact[i]);
	CU_ASSERT_EQUAL(rx.stats.bytes_received, 4100);
	CU_ASSERT_EQUAL(tx.stats.bytes_retransmitted, 4000 + 2652);
	CU_ASSERT_EQUAL(tx.stats.bytes_sent, 4100);
	move_ack(&rx, &tx, T1 + 2 * L + 5, 4100);
	CU_ASSERT_EQUAL(ha_stream_unacked(&tx), 0);
	CU_ASSERT_EQUAL(tx.stats.retransmits, 0);
	pair_fini(&tx, &rx);
}

/* An overlapping retransmission: only the new tail is taken. */
static void
test_overlap(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	struct ha_wire_segment seg;
	uint8_t rec[200];
	uint8_t *p = pattern(194);

	pair_init(&tx, &rx, 1 << 20);
	rec[0] = 0;
	rec[1] = HA_REC_SEQ;
	rec[2] = rec[3] = rec[4] = 0;
	rec[5] = 194;
	memcpy(rec + 6, p, 194);
	seg = (struct ha_wire_segment){ .offset = 0, .data = rec, .len = 50 };
	CU_ASSERT_EQUAL(ha_stream_on_segment(&rx, &seg, T0, on_rec, &seen), 0);
	seg = (struct ha_wire_segment){ .offset = 20, .data = rec + 20, .len = 180 };
	CU_ASSERT_EQUAL(ha_stream_on_segment(&rx, &seg, T0, on_rec, &seen), 0);
	CU_ASSERT_EQUAL(rx.rx_next, 200);
	CU_ASSERT_EQUAL(rx.stats.bytes_received, 200);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_TRUE(seen.intact[0]);
	free(p);
	pair_fini(&tx, &rx);
}

/* Delayed ACKs: one owed after an in-order segment waits HA_STREAM_ACK_DELAY_MS
 * (or rides a datagram that goes anyway); HA_STREAM_ACK_EVERY segments, or
 * one out of order, make it go at once; a reset forgets it. */
static void
test_delayed_ack(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	uint8_t buf[64];
	unsigned int i;

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), UINT64_MAX);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT(move_seg(&tx, &rx, T0, true, &seen) > 0);
	CU_ASSERT_TRUE(rx.ack_due);
	CU_ASSERT_FALSE(rx.ack_now);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), T0 + HA_STREAM_ACK_DELAY_MS);
	CU_ASSERT_EQUAL(ha_stream_ack_msg(&rx, buf, sizeof(buf), T0, false), 0);
	CU_ASSERT_EQUAL(ha_stream_ack_msg(&rx, buf, sizeof(buf),
					  T0 + HA_STREAM_ACK_DELAY_MS - 1, false), 0);
	move_ack(&rx, &tx, T0 + HA_STREAM_ACK_DELAY_MS, 16);	/* due now */
	/* The oldest owed segment sets the time; a riding ACK goes early. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT(move_seg(&tx, &rx, T0 + 10, true, &seen) > 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT(move_seg(&tx, &rx, T0 + 11, true, &seen) > 0);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), T0 + 10 + HA_STREAM_ACK_DELAY_MS);
	CU_ASSERT(ha_stream_ack_msg(&rx, buf, sizeof(buf), T0 + 11, true) > 0);
	CU_ASSERT_FALSE(rx.ack_due);
	CU_ASSERT_EQUAL(rx.segs_unacked, 0);
	/* HA_STREAM_ACK_EVERY in-order segments: at once. */
	for (i = 0; i < HA_STREAM_ACK_EVERY; i++) {
		CU_ASSERT_FALSE(rx.ack_now);
		CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
		CU_ASSERT(move_seg(&tx, &rx, T0 + 20, true, &seen) > 0);
	}
	CU_ASSERT_TRUE(rx.ack_now);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), T0 + 20);
	move_ack(&rx, &tx, T0 + 20, 16 * (2 + 1 + HA_STREAM_ACK_EVERY));
	/* A lost segment: the next one is out of order, acknowledged at once. */
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT(move_seg(&tx, &rx, T0 + 30, false, &seen) > 0);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT(move_seg(&tx, &rx, T0 + 30, true, &seen) > 0);
	CU_ASSERT_TRUE(rx.ack_now);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), T0 + 30);
	ha_stream_reset(&rx);
	CU_ASSERT_FALSE(rx.ack_due);
	CU_ASSERT_FALSE(rx.ack_now);
	CU_ASSERT_EQUAL(rx.segs_unacked, 0);
	CU_ASSERT_EQUAL(ha_stream_ack_deadline(&rx), UINT64_MAX);
	pair_fini(&tx, &rx);
}

/* A record of type 0 breaks the stream; reset starts both ends at 0. */
static void
test_broken_and_reset(void)
{
	struct ha_stream tx, rx;
	struct seen seen = { 0 };
	uint8_t rec[6] = { 0 };
	struct ha_wire_segment seg = { .offset = 0, .data = rec, .len = sizeof(rec) };

	pair_init(&tx, &rx, 1 << 20);
	CU_ASSERT_EQUAL(ha_stream_on_segment(&rx, &seg, T0, on_rec, &seen), -EBADMSG);
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_SEQ, 10), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, false, &seen), SEG_OVERHEAD + 16);
	ha_stream_reset(&tx);
	ha_stream_reset(&rx);
	CU_ASSERT_EQUAL(tx.written, 0);
	CU_ASSERT_EQUAL(tx.sent, 0);
	CU_ASSERT_EQUAL(tx.rto_deadline_ms, 0);
	CU_ASSERT_EQUAL(rx.rx_next, 0);
	CU_ASSERT_FALSE(rx.ack_due);
	CU_ASSERT_FALSE(ha_stream_want_send(&tx, T0 + 5000));
	CU_ASSERT_EQUAL(write_pat(&tx, HA_REC_IKE_SA, 10), 0);
	CU_ASSERT_EQUAL(move_seg(&tx, &rx, T0, true, &seen), SEG_OVERHEAD + 16);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.type[0], HA_REC_IKE_SA);
	pair_fini(&tx, &rx);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "round trip", test_round_trip },
		{ "64 KiB record across segments", test_large_record },
		{ "write2 gathers", test_write2 },
		{ "ring wraps and grows", test_ring_wrap_grow },
		{ "ENOBUFS at max buffer", test_enobufs },
		{ "window from the ACK", test_window },
		{ "RTO back-off and kick", test_rto },
		{ "go-back-N, loss seen in ACKs", test_go_back },
		{ "overlapping retransmission", test_overlap },
		{ "broken stream, reset", test_broken_and_reset },
		{ "delayed ACKs", test_delayed_ack },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ha_stream", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
