/*
 * The reliable, ordered HA record stream (ha_stream.h): a growable
 * power-of-two ring of unacknowledged bytes on the sending side, go-back-N
 * with a doubling RTO and a fast go-back on a non-advancing ACK, and a
 * bufferless in-order receiver feeding the record assembler (ha_wire.h).
 * Loosely TCP (RFC 9293 §3.4 sequence space, RFC 6298 §5 back-off).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ha/ha_stream.h"

enum {
	HA_STREAM_SEG_OVERHEAD = HA_WIRE_MSG_HDR_LEN + 8,	/* msg header + offset */
};

/* Copies LEN bytes into the ring at stream offset OFF. */
static void
ring_put(uint8_t *buf, size_t cap, uint64_t off, const void *data, size_t len)
{
	size_t at = off & (cap - 1);
	size_t first = cap - at < len ? cap - at : len;

	if (len == 0)
		return;
	memcpy(buf + at, data, first);
	if (first < len)
		memcpy(buf, (const uint8_t *)data + first, len - first);
}

static size_t
pow2_at_least(size_t n)
{
	size_t c = HA_STREAM_CAP_MIN;

	while (c < n)
		c <<= 1;
	return c;
}

/* Everything acknowledged: a ring grown by a bulk sync goes back to its
 * first size (no need to keep tens of MiB for sequence records). */
static void
stream_shrink(struct ha_stream *s)
{
	uint8_t *nbuf;

	if (s->acked != s->written || s->cap <= HA_STREAM_CAP_KEEP)
		return;
	nbuf = malloc(HA_STREAM_CAP_MIN);
	if (nbuf == NULL)
		return;
	free(s->buf);
	s->buf = nbuf;
	s->cap = HA_STREAM_CAP_MIN;
}

int
ha_stream_init(struct ha_stream *s, size_t max_buffer)
{
	memset(s, 0, sizeof(*s));
	if (max_buffer == 0)
		return -EINVAL;
	s->cap = HA_STREAM_CAP_MIN;
	s->buf = malloc(s->cap);
	if (s->buf == NULL)
		return -ENOMEM;
	if (ha_rec_asm_init(&s->rx_asm) < 0) {
		free(s->buf);
		s->buf = NULL;
		return -ENOMEM;
	}
	s->max_cap = max_buffer;
	ha_stream_reset(s);
	return 0;
}

void
ha_stream_fini(struct ha_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	ha_rec_asm_free(&s->rx_asm);
}

void
ha_stream_reset(struct ha_stream *s)
{
	s->acked = 0;
	s->sent = 0;
	s->written = 0;
	s->resend = 0;
	s->marks_n = 0;
	s->peer_window = HA_STREAM_WINDOW;
	s->cwnd = HA_STREAM_CWND_INIT;
	s->rto_deadline_ms = 0;
	s->rto_ms = HA_STREAM_RTO_MS;
	s->rtt_known = false;
	s->srtt_ms = 0;
	s->rtt_off = 0;
	s->goback_ms = 0;
	s->rttvar_ms = 0;
	s->rx_next = 0;
	s->ack_due = false;
	s->ack_now = false;
	s->segs_unacked = 0;
	s->ack_owed_ms = 0;
	ha_rec_asm_reset(&s->rx_asm);
	stream_shrink(s);
}

/* Makes room for NEED more bytes: doubles the ring (keeping every byte at
 * its offset) up to max_cap unacknowledged bytes. 0, -ENOBUFS, -ENOMEM. */
static int
stream_reserve(struct ha_stream *s, size_t need)
{
	uint64_t kept = s->written - s->acked;
	size_t ncap, at, first;
	uint8_t *nbuf;

	if (need > s->max_cap || kept > s->max_cap - need)
		return -ENOBUFS;
	if (kept + need <= s->cap)
		return 0;
	ncap = pow2_at_least(kept + need);
	nbuf = malloc(ncap);
	if (nbuf == NULL)
		return -ENOMEM;
	at = s->acked & (s->cap - 1);
	first = s->cap - at < kept ? s->cap - at : kept;
	ring_put(nbuf, ncap, s->acked, s->buf + at, first);
	ring_put(nbuf, ncap, s->acked + first, s->buf, kept - first);
	free(s->buf);
	s->buf = nbuf;
	s->cap = ncap;
	return 0;
}

int
ha_stream_write2(struct ha_stream *s, uint16_t type, const void *a, uint32_t a_len,
		 const void *b, uint32_t b_len)
{
	uint8_t hdr[HA_WIRE_REC_HDR_LEN];
	uint64_t len = (uint64_t)a_len + b_len;
	int rc;

	if (len > HA_WIRE_REC_MAX)
		return -EMSGSIZE;
	rc = stream_reserve(s, HA_WIRE_REC_HDR_LEN + len);
	if (rc < 0)
		return rc;
	if (ha_wire_rec_hdr_encode(type, (uint32_t)len, hdr, sizeof(hdr)) < 0)
		return -EINVAL;
	ring_put(s->buf, s->cap, s->written, hdr, sizeof(hdr));
	s->written += sizeof(hdr);
	ring_put(s->buf, s->cap, s->written, a, a_len);
	s->written += a_len;
	ring_put(s->buf, s->cap, s->written, b, b_len);
	s->written += b_len;
	s->stats.records_sent++;
	return 0;
}

int
ha_stream_write(struct ha_stream *s, uint16_t type, const void *value, uint32_t len)
{
	return ha_stream_write2(s, type, value, len, NULL, 0);
}

uint64_t
ha_stream_unacked(const struct ha_stream *s)
{
	return s->written - s->acked;
}

static bool
rto_expired(const struct ha_stream *s, uint64_t now_ms)
{
	return s->rto_deadline_ms != 0 && now_ms >= s->rto_deadline_ms && s->acked < s->sent;
}

/* End of what may go out the first time: the window beyond the last ACK. */
static uint64_t
send_limit(const struct ha_stream *s)
{
	uint64_t lim = s->acked + (s->cwnd < s->peer_window ? s->cwnd : s->peer_window);

	return lim < s->written ? lim : s->written;
}

bool
ha_stream_want_send(const struct ha_stream *s, uint64_t now_ms)
{
	return s->resend < s->sent || rto_expired(s, now_ms) || s->sent < send_limit(s);
}

/* The RTO with nothing lost: the larger of 3 x SRTT and SRTT + 4 x RTTVAR
 * (RFC 6298 §2), plus a floor, in whole ms; HA_STREAM_RTO_MS before any
 * sample. */
static uint32_t
rto_base(const struct ha_stream *s)
{
	uint32_t var = s->srtt_ms + 4 * s->rttvar_ms;
	uint32_t rto = (var > 3 * s->srtt_ms ? var : 3 * s->srtt_ms) + HA_STREAM_RTO_MIN_MS;

	if (!s->rtt_known)
		return HA_STREAM_RTO_MS;
	return rto < HA_STREAM_RTO_MAX_MS ? rto : HA_STREAM_RTO_MAX_MS;
}

/* Goes back to the acknowledged offset (go-back-N). */
static void
stream_go_back(struct ha_stream *s, uint32_t cwnd, uint64_t now_ms)
{
	s->resend = s->acked;
	s->goback_ms = now_ms;
	s->marks_n = 0;		/* what went before can no longer tell a loss */
	s->rtt_off = 0;		/* Karn: no sample across a retransmission */
	s->cwnd = cwnd > HA_STREAM_CWND_MIN ? cwnd : HA_STREAM_CWND_MIN;
}

/* Transmission reached END at NOW_MS. */
static void
mark_tx(struct ha_stream *s, uint64_t end, uint64_t now_ms)
{
	struct ha_stream_mark *m = &s->marks[s->mark_last];

	if (s->marks_n != 0 && m->ms == now_ms) {
		m->pos = end;
		return;
	}
	s->mark_last = (s->mark_last + 1) % HA_STREAM_MARKS;
	s->marks[s->mark_last] = (struct ha_stream_mark){ .ms = now_ms, .pos = end };
	if (s->marks_n < HA_STREAM_MARKS)
		s->marks_n++;
}

/* The end of what was sent long enough before NOW_MS to be acknowledged
 * by an ACK arriving now (0: nothing that old since the last go-back). */
static uint64_t
due_acked(const struct ha_stream *s, uint64_t now_ms)
{
	uint64_t rtt = s->rtt_known ? s->srtt_ms + 4 * s->rttvar_ms : HA_STREAM_RTO_MS;
	unsigned int i;

	if (rtt == 0)
		rtt = 1;	/* an ACK never covers what was sent in its own ms */
	for (i = 0; i < s->marks_n; i++) {
		const struct ha_stream_mark *m =
			&s->marks[(s->mark_last + HA_STREAM_MARKS - i) % HA_STREAM_MARKS];

		if (m->ms + rtt <= now_ms)
			return m->pos;
	}
	return 0;
}

/* First transmission of [from, from + len): maybe the RTT sample. */
static void
sent_new(struct ha_stream *s, size_t len, uint64_t now_ms)
{
	s->sent += len;
	s->resend = s->sent;
	s->stats.bytes_sent += len;
	if (s->rtt_off == 0) {
		s->rtt_off = s->sent;
		s->rtt_sent_ms = now_ms;
	}
}

ssize_t
ha_stream_next_segment(struct ha_stream *s, uint64_t now_ms, uint8_t *buf, size_t cap)
{
	bool again;
	uint64_t from, end;
	size_t at, len, taken = 0;
	ssize_t n;

	if (rto_expired(s, now_ms)) {
		stream_go_back(s, HA_STREAM_CWND_MIN, now_ms);
		s->stats.retransmits++;
		s->rto_ms = s->rto_ms * 2 < HA_STREAM_RTO_MAX_MS ? s->rto_ms * 2 :
			    HA_STREAM_RTO_MAX_MS;
		s->rto_deadline_ms = 0;
	}
	again = s->resend < s->sent;
	from = again ? s->resend : s->sent;
	end = again ? s->sent : send_limit(s);
	if (from >= end)
		return 0;
	if (cap <= HA_STREAM_SEG_OVERHEAD)
		return -ENOSPC;
	at = from & (s->cap - 1);
	len = end - from < s->cap - at ? end - from : s->cap - at;
	n = ha_wire_segment_encode(from, s->buf + at, len, buf, cap, &taken);
	if (n < 0 || taken == 0)
		return n < 0 ? n : -ENOSPC;
	if (again) {
		s->resend += taken;
		s->stats.bytes_retransmitted += taken;
	} else {
		sent_new(s, taken, now_ms);
	}
	mark_tx(s, from + taken, now_ms);
	if (s->rto_deadline_ms == 0)
		s->rto_deadline_ms = now_ms + s->rto_ms;
	return n;
}

void
ha_stream_away(struct ha_stream *s, uint64_t gap_ms)
{
	if (s->rto_deadline_ms != 0)
		s->rto_deadline_ms += gap_ms;
	s->marks_n = 0;
	s->rtt_off = 0;			/* the sample would count our absence */
}

/* RFC 6298 §2: the smoothed RTT and its variation. The sample is how
 * long the peer took to acknowledge, which includes the time it spent
 * applying what came before (a standby busy with a bulk sync): the
 * variation keeps such lags from reading as losses. */
static void
rtt_sample(struct ha_stream *s, uint32_t sample)
{
	if (!s->rtt_known) {
		s->srtt_ms = sample;
		s->rttvar_ms = sample / 2;
		s->rtt_known = true;
		return;
	}
	s->rttvar_ms = (3 * s->rttvar_ms + (s->srtt_ms > sample ? s->srtt_ms - sample :
					     sample - s->srtt_ms)) / 4;
	s->srtt_ms = (7 * s->srtt_ms + sample) / 8;
}

/* Progress up to OFFSET: RTT sample, congestion window, RTO reset. */
static void
acked_to(struct ha_stream *s, uint64_t offset, uint64_t now_ms)
{
	uint64_t cwnd = s->cwnd + (offset - s->acked) / 2;
	uint32_t sample;

	if (s->rtt_off != 0 && offset >= s->rtt_off) {
		sample = (uint32_t)(now_ms - s->rtt_sent_ms);
		rtt_sample(s, sample);
		s->rtt_off = 0;
	}
	s->cwnd = cwnd < HA_STREAM_WINDOW ? (uint32_t)cwnd : HA_STREAM_WINDOW;
	s->stats.bytes_acked += offset - s->acked;
	s->acked = offset;
	if (s->resend < s->acked)
		s->resend = s->acked;
	s->rto_ms = rto_base(s);
	s->rto_deadline_ms = s->acked == s->sent ? 0 : now_ms + s->rto_ms;
	stream_shrink(s);
}

int
ha_stream_on_ack(struct ha_stream *s, const struct ha_wire_ack *a, uint64_t now_ms)
{
	if (a->offset > s->sent)
		return -EBADMSG;
	if (a->offset < s->acked)
		return 0;	/* older than one already taken */
	s->peer_window = a->window;
	if (a->offset > s->acked) {
		/* Progress: a receiver working through a backlog acknowledges
		 * late, but in order; going back now would only resend what it
		 * is about to take (a third of a bulk sync's bytes, seen). */
		acked_to(s, a->offset, now_ms);
		return 0;
	}
	if (s->acked < s->sent && s->acked < due_acked(s, now_ms)) {
		stream_go_back(s, s->cwnd / 2, now_ms);
		s->stats.fast_retransmits++;
	}
	return 0;
}

struct rx_ctx {
	struct ha_stream *s;
	ha_rec_fn fn;
	void *arg;
};

static int
rx_record(void *arg, uint16_t type, const uint8_t *value, uint32_t len)
{
	struct rx_ctx *c = arg;

	c->s->stats.records_received++;
	return c->fn(c->arg, type, value, len);
}

/* One more segment to acknowledge: at once when IMMEDIATE, else after
 * HA_STREAM_ACK_EVERY of them or HA_STREAM_ACK_DELAY_MS. */
static void
ack_owe(struct ha_stream *s, uint64_t now_ms, bool immediate)
{
	if (!s->ack_due)
		s->ack_owed_ms = now_ms;
	s->ack_due = true;
	if (immediate || ++s->segs_unacked >= HA_STREAM_ACK_EVERY)
		s->ack_now = true;
}

int
ha_stream_on_segment(struct ha_stream *s, const struct ha_wire_segment *seg, uint64_t now_ms,
		     ha_rec_fn fn, void *arg)
{
	struct rx_ctx c = { .s = s, .fn = fn, .arg = arg };
	uint64_t end = seg->offset + seg->len;
	bool in_order = seg->offset <= s->rx_next && end > s->rx_next;
	uint64_t skip;

	/* A gap (loss) or a segment seen before (our ACK lost, or the
	 * sender's RTO fired): the sender needs to know now. */
	ack_owe(s, now_ms, !in_order);
	if (!in_order) {
		s->stats.segments_out_of_order++;
		return 0;
	}
	skip = s->rx_next - seg->offset;	/* an overlapping retransmission */
	s->rx_next = end;
	s->stats.bytes_received += seg->len - skip;
	return ha_rec_asm_feed(&s->rx_asm, seg->data + skip, seg->len - skip, rx_record, &c);
}

uint64_t
ha_stream_ack_deadline(const struct ha_stream *s)
{
	if (!s->ack_due)
		return UINT64_MAX;
	return s->ack_now ? s->ack_owed_ms : s->ack_owed_ms + HA_STREAM_ACK_DELAY_MS;
}

ssize_t
ha_stream_ack_msg(struct ha_stream *s, uint8_t *buf, size_t cap, uint64_t now_ms, bool riding)
{
	struct ha_wire_ack a = { .offset = s->rx_next, .window = HA_STREAM_WINDOW };
	uint8_t v[HA_WIRE_ACK_LEN];
	ssize_t n;

	if (!s->ack_due || (!riding && now_ms < ha_stream_ack_deadline(s)))
		return 0;
	if (ha_wire_ack_encode(&a, v, sizeof(v)) != HA_WIRE_ACK_LEN)
		return -EINVAL;
	n = ha_wire_msg_encode(HA_MSG_ACK, 0, v, sizeof(v), buf, cap);
	if (n > 0) {
		s->ack_due = false;
		s->ack_now = false;
		s->segs_unacked = 0;
	}
	return n;
}

void
ha_stream_kick(struct ha_stream *s, uint64_t now_ms)
{
	s->rto_ms = rto_base(s);
	if (s->acked < s->sent)
		s->rto_deadline_ms = now_ms;
}
