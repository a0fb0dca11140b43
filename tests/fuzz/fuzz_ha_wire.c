/*
 * libFuzzer target for the HA sync protocol (ha/ha_wire.c, ha/ha_chan.c;
 * formats in ha/ha_wire.h, ha/ha_chan.h). Input: one control byte, then
 * the bytes. Node B holds a confirmed session with node A; both use fixed
 * nonces, so the session keys are the same in every run and the seeds can
 * carry valid HELLO and DATA datagrams from A.
 *   - Control bit 0 clear: the bytes are a datagram that arrived at B
 *     (ha_chan_open); bit 0 set: A seals the bytes as a DATA plaintext
 *     first, so that what follows decryption sees fuzzed plaintext.
 *     An opened DATA plaintext is walked message by message, every value
 *     decoded, segments fed to B's record assembler.
 *   - Always: the raw bytes go through the message iterator, every
 *     decoder and the record assembler (chunk size from control bits 1-4).
 * Checks (abort on breach): a refused datagram changes nothing in B but
 * one drop counter; what a decoder accepts encodes back to the same
 * bytes; the iterator stays inside the buffer; sealed bytes open to
 * themselves. B is restored from a snapshot before every input. The bytes
 * sit in an exactly sized heap buffer, so ASan sees any read past it.
 * Seeds: tests/fuzz/corpus/fuzz_ha_wire/ (FUZZ_HA_WIRE_CORPUS=DIR writes
 * them from LLVMFuzzerInitialize, then exits).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ha/ha_chan.h"
#include "ha/ha_wire.h"

enum {
	CTL_SEAL = 0x01,
	CTL_CHUNK_SHIFT = 1,
	CTL_CHUNK_MASK = 0x0f,
	NODE_A = 1,
	NODE_B = 2,
	PSK_LEN = 32,
	OUT_MAX = 2 * HA_WIRE_DGRAM_MAX,
	OUT2_MAX = HA_WIRE_MSG_HDR_LEN + UINT16_MAX,	/* a re-encoded segment */
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ha_chan a_snap, b_snap, a, b;
static struct ha_rec_asm rasm;
static uint8_t out[OUT_MAX], out2[OUT2_MAX];
static size_t asm_fed, asm_emitted;
static const struct ha_wire_hello body = { .priority = 100, .role = HA_WIRE_ROLE_ACTIVE };

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
chan_setup(struct ha_chan *c, uint16_t node, uint16_t peer, uint8_t nonce_seed)
{
	uint8_t psk[PSK_LEN];

	for (size_t i = 0; i < sizeof(psk); i++)
		psk[i] = (uint8_t)(0x5a + i);
	check(ha_chan_init(c, node, peer, psk, sizeof(psk)) == 0);
	memset(c->nonce, nonce_seed, sizeof(c->nonce));
}

static void
deliver_hello(struct ha_chan *from, struct ha_chan *to)
{
	struct ha_chan_rx rx;
	ssize_t n = ha_chan_hello(from, 0, &body, out, sizeof(out));

	check(n > 0 && ha_chan_open(to, out, (size_t)n, &rx) == 0);
}

static void
deliver_data(struct ha_chan *from, struct ha_chan *to)
{
	struct ha_chan_rx rx;
	ssize_t n = ha_chan_seal(from, 0, NULL, 0, out, sizeof(out));

	check(n > 0 && ha_chan_open(to, out, (size_t)n, &rx) == 0 && rx.new_session);
}

/* ---- seeds ---- */

/* Writes one seed; a datagram seed is first opened by B (as snapshot)
 * with the verdict wanted. */
static void
seed_write(const char *dir, const char *name, uint8_t ctl, const uint8_t *p, size_t n,
	   int want)
{
	static uint8_t copy[OUT_MAX];
	struct ha_chan_rx rx;
	char path[512];
	FILE *f;

	if ((ctl & CTL_SEAL) == 0) {
		b = b_snap;
		memcpy(copy, p, n);
		check(ha_chan_open(&b, copy, n, &rx) == want);
	}

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	check(f != NULL);
	check(fputc(ctl, f) == ctl && fwrite(p, 1, n, f) == n);
	check(fclose(f) == 0);
}

/* A record stream: BULK_BEGIN, one SEQ record, one SEQ_BRIEF record. Its
 * length. */
static size_t
seed_stream(uint8_t *stream, size_t cap)
{
	struct ha_wire_seq seq = { .child_id = 7, .spi = 0x1234, .dir = 1, .out_seq = 99 };
	size_t s = 0;

	s += (size_t)ha_wire_rec_hdr_encode(HA_REC_BULK_BEGIN, 8, stream, cap);
	memset(stream + s, 0, 8);
	s += 8;
	s += (size_t)ha_wire_rec_hdr_encode(HA_REC_SEQ, HA_WIRE_SEQ_LEN, stream + s, cap - s);
	s += (size_t)ha_wire_seq_encode(&seq, stream + s, cap - s);
	s += (size_t)ha_wire_rec_hdr_encode(HA_REC_SEQ_BRIEF, HA_WIRE_SEQ_BRIEF_LEN, stream + s,
					    cap - s);
	s += (size_t)ha_wire_seq_brief_encode(&seq, stream + s, cap - s);
	return s;
}

/* A message list: heartbeat, two segments (the records split across
 * them), an ACK and a CTRL. Its length. */
static size_t
seed_messages(uint8_t *buf, size_t cap)
{
	struct ha_wire_heartbeat hb = { .role = HA_WIRE_ROLE_ACTIVE, .priority = 9,
					.flags = HA_HB_F_IN_SYNC, .epoch = 2, .sent_ms = 5 };
	struct ha_wire_ack ack = { .offset = 10, .window = 4096 };
	struct ha_wire_ctrl ctrl = { .request = HA_CTRL_SWITCHOVER, .arg = 2 };
	uint8_t v[64], stream[128];
	size_t n = 0, s = seed_stream(stream, sizeof(stream)), taken;

	n += (size_t)ha_wire_msg_encode(HA_MSG_HEARTBEAT, 0, v,
					(uint16_t)ha_wire_heartbeat_encode(&hb, v, sizeof(v)),
					buf + n, cap - n);
	n += (size_t)ha_wire_segment_encode(0, stream, 20, buf + n, cap - n, &taken);
	n += (size_t)ha_wire_segment_encode(taken, stream + taken, s - taken, buf + n, cap - n,
					    &taken);
	n += (size_t)ha_wire_msg_encode(HA_MSG_ACK, 0, v,
					(uint16_t)ha_wire_ack_encode(&ack, v, sizeof(v)),
					buf + n, cap - n);
	n += (size_t)ha_wire_msg_encode(HA_MSG_CTRL, 0, v,
					(uint16_t)ha_wire_ctrl_encode(&ctrl, v, sizeof(v)),
					buf + n, cap - n);
	return n;
}

static void
seeds_write(const char *dir)
{
	uint8_t msgs[512];
	size_t m = seed_messages(msgs, sizeof(msgs));
	ssize_t n;

	a = a_snap;
	n = ha_chan_hello(&a, 0, &body, out, sizeof(out));
	seed_write(dir, "hello-a.bin", 0, out, (size_t)n, 0);
	n = ha_chan_seal(&a, 1, msgs, m, out, sizeof(out));
	seed_write(dir, "data-messages.bin", 0, out, (size_t)n, 0);
	n = ha_chan_seal(&a, 2, NULL, 0, out, sizeof(out));
	seed_write(dir, "data-empty.bin", 0, out, (size_t)n, 0);
	seed_write(dir, "plain-messages.bin", CTL_SEAL | 3 << CTL_CHUNK_SHIFT, msgs, m, 0);
	n = ha_chan_hello(&b_snap, 0, &body, out, sizeof(out));	/* B's own: foreign */
	seed_write(dir, "hello-b.bin", 0, out, (size_t)n, -EBADMSG);
	/* A restarted (new nonce), echoing B: B draws a new nonce. */
	chan_setup(&a, NODE_A, NODE_B, 0xc3);
	memcpy(a.peer_nonce, b_snap.nonce, HA_WIRE_NONCE_LEN);
	a.have_peer_nonce = true;
	n = ha_chan_hello(&a, 0, &body, out, sizeof(out));
	seed_write(dir, "hello-a-restarted.bin", 0, out, (size_t)n, 0);
	ha_chan_fini(&a);
	m = seed_stream(msgs, sizeof(msgs));
	seed_write(dir, "records.bin", CTL_SEAL | 6 << CTL_CHUNK_SHIFT, msgs, m, 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_HA_WIRE_CORPUS");

	chan_setup(&a, NODE_A, NODE_B, 0xa1);
	chan_setup(&b, NODE_B, NODE_A, 0xb2);
	deliver_hello(&a, &b);
	deliver_hello(&b, &a);
	deliver_hello(&a, &b);
	deliver_data(&a, &b);
	deliver_data(&b, &a);
	check(ha_chan_up(&a) && ha_chan_up(&b));
	a_snap = a;
	b_snap = b;
	check(ha_rec_asm_init(&rasm) == 0);
	if (dir != NULL) {
		seeds_write(dir);
		exit(0);
	}
	return 0;
}

/* ---- what is checked on raw bytes ---- */

static int
rec_cb(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct ha_wire_seq s;

	check(type != 0 && len <= HA_WIRE_REC_MAX);
	asm_emitted += HA_WIRE_REC_HDR_LEN + (size_t)len;
	for (uint32_t off = 0; type == HA_REC_SEQ && len - off >= HA_WIRE_SEQ_LEN;
	     off += HA_WIRE_SEQ_LEN) {
		if (ha_wire_seq_decode(value + off, HA_WIRE_SEQ_LEN, &s) != 0)
			continue;
		check(ha_wire_seq_encode(&s, out2, sizeof(out2)) == HA_WIRE_SEQ_LEN &&
		      memcmp(out2, value + off, HA_WIRE_SEQ_LEN) == 0);
	}
	for (uint32_t off = 0; type == HA_REC_SEQ_BRIEF && len - off >= HA_WIRE_SEQ_BRIEF_LEN;
	     off += HA_WIRE_SEQ_BRIEF_LEN) {
		if (ha_wire_seq_brief_decode(value + off, HA_WIRE_SEQ_BRIEF_LEN, &s) != 0)
			continue;
		check(ha_wire_seq_brief_encode(&s, out2, sizeof(out2)) == HA_WIRE_SEQ_BRIEF_LEN &&
		      memcmp(out2, value + off, HA_WIRE_SEQ_BRIEF_LEN) == 0);
	}
	return 0;
}

static void
asm_reset(void)
{
	ha_rec_asm_reset(&rasm);
	asm_fed = 0;
	asm_emitted = 0;
}

/* Feeds P to the assembler in CHUNK-sized pieces; the records it gives
 * never hold more octets than were fed. */
static void
asm_feed(const uint8_t *p, size_t n, size_t chunk)
{
	size_t k;
	int rc = 0;

	for (size_t off = 0; off < n && rc == 0; off += k) {
		k = n - off < chunk ? n - off : chunk;
		asm_fed += k;
		rc = ha_rec_asm_feed(&rasm, p + off, k, rec_cb, NULL);
	}
	check(rc == 0 || rc == -EBADMSG);
	check(asm_emitted <= asm_fed);
}

/* Decoder D accepted P: encoder E must give P back. */
#define ROUND_TRIP(type, d, e, p, n) do { \
	type v_; \
	if (d((p), (n), &v_) == 0) \
		check(e(&v_, out2, sizeof(out2)) == (ssize_t)(n) && memcmp(out2, (p), (n)) == 0); \
} while (0)

static void
decoders(const uint8_t *p, size_t n)
{
	struct ha_wire_segment seg;
	struct ha_wire_hdr h;
	size_t taken;

	if (ha_wire_hdr_decode(p, n, &h) == 0)
		check(ha_wire_hdr_encode(&h, out2, sizeof(out2)) == HA_WIRE_HDR_LEN &&
		      memcmp(out2, p, HA_WIRE_HDR_LEN) == 0);
	ROUND_TRIP(struct ha_wire_hello, ha_wire_hello_decode, ha_wire_hello_encode, p, n);
	ROUND_TRIP(struct ha_wire_heartbeat, ha_wire_heartbeat_decode, ha_wire_heartbeat_encode,
		   p, n);
	ROUND_TRIP(struct ha_wire_ack, ha_wire_ack_decode, ha_wire_ack_encode, p, n);
	ROUND_TRIP(struct ha_wire_ctrl, ha_wire_ctrl_decode, ha_wire_ctrl_encode, p, n);
	ROUND_TRIP(struct ha_wire_seq, ha_wire_seq_decode, ha_wire_seq_encode, p, n);
	ROUND_TRIP(struct ha_wire_seq, ha_wire_seq_brief_decode, ha_wire_seq_brief_encode, p, n);
	if (ha_wire_segment_decode(p, n, &seg) == 0) {
		check(seg.len == n - 8 && seg.data == p + 8);
		check(ha_wire_segment_encode(seg.offset, seg.data, seg.len, out2, sizeof(out2),
					     &taken) == (ssize_t)(n + HA_WIRE_MSG_HDR_LEN) &&
		      taken == seg.len && memcmp(out2 + HA_WIRE_MSG_HDR_LEN, p, n) == 0);
	}
}

/* Walks a message list, decoding every value; segments to the assembler. */
static void
messages(const uint8_t *p, size_t n, size_t chunk)
{
	struct ha_wire_segment seg;
	struct ha_wire_msg m;
	size_t off = 0, prev = 0;
	int rc;

	while ((rc = ha_wire_msg_next(p, n, &off, &m)) == 1) {
		check(off > prev && off <= n && m.value >= p && m.value + m.len == p + off);
		prev = off;
		decoders(m.value, m.len);
		if (m.type == HA_MSG_SEGMENT && ha_wire_segment_decode(m.value, m.len, &seg) == 0)
			asm_feed(seg.data, seg.len, chunk);
	}
	check(rc == 0 || rc == -EBADMSG);
	check(rc != 0 || off == n);
}

/* ---- the channel ---- */

/* B opens BUF: a refusal must change nothing but one drop counter. */
static void
chan_open(uint8_t *buf, size_t n, size_t chunk, bool must_open)
{
	struct ha_chan before = b;
	struct ha_chan_rx rx;
	uint64_t drops = 0;
	int rc;

	rc = ha_chan_open(&b, buf, n, &rx);
	if (rc != 0) {
		check(rc == -EBADMSG && !must_open);
		for (int d = 0; d < HA_CHAN_DROP_MAX; d++) {
			check(b.drops[d] >= before.drops[d]);
			drops += b.drops[d] - before.drops[d];
		}
		check(drops == 1);
		memcpy(before.drops, b.drops, sizeof(b.drops));
		check(memcmp(&before, &b, sizeof(b)) == 0);
		return;
	}
	if (!rx.is_hello) {
		check(rx.plain == buf + HA_WIRE_HDR_LEN &&
		      rx.plain_len == n - HA_CHAN_DATA_OVERHEAD);
		asm_reset();
		messages(rx.plain, rx.plain_len, chunk);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t sealed[HA_WIRE_DGRAM_MAX];
	uint8_t *dgram;
	size_t chunk;
	ssize_t n;

	if (size == 0)
		return 0;
	chunk = (size_t)((data[0] >> CTL_CHUNK_SHIFT) & CTL_CHUNK_MASK) + 1;
	b = b_snap;
	if (data[0] & CTL_SEAL) {
		a = a_snap;
		n = ha_chan_seal(&a, 0, data + 1, size - 1, sealed, sizeof(sealed));
		if (n > 0) {
			chan_open(sealed, (size_t)n, chunk, true);
			check(memcmp(sealed + HA_WIRE_HDR_LEN, data + 1, size - 1) == 0);
		} else {
			check(n == -ENOSPC && size - 1 > HA_WIRE_DGRAM_MAX - HA_CHAN_DATA_OVERHEAD);
		}
	} else {
		/* An exactly sized copy: ha_chan_open works in place. */
		dgram = malloc(size - 1 == 0 ? 1 : size - 1);
		check(dgram != NULL);
		memcpy(dgram, data + 1, size - 1);
		chan_open(dgram, size - 1, chunk, false);
		free(dgram);
	}
	decoders(data + 1, size - 1);
	asm_reset();
	messages(data + 1, size - 1, chunk);
	asm_reset();
	asm_feed(data + 1, size - 1, chunk);
	return 0;
}
