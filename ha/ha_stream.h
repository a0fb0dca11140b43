/*
 * The reliable, ordered record stream from one appliance to its peer
 * (README "HA design"): the active writes records (IKE SA, CHILD SA,
 * deletes, sequence state, bulk markers) and they reach the standby in
 * order, exactly once, or the active knows they have not.
 *
 * Like TCP without a handshake: records are appended to a byte stream;
 * the sender cuts it into SEGMENT messages (many records to a datagram, a
 * large record across several); the receiver takes only a segment that
 * covers the next expected offset (go-back-N: on a direct link loss is
 * rare and this keeps the receiver bufferless) and answers with a
 * cumulative ACK of that offset and its window. The sender keeps every
 * unacknowledged byte, sends at most the window ahead of the last ACK
 * (flow control for the bulk sync), and after an RTO without progress
 * goes back to the acknowledged offset. Faster: an ACK that stops short of
 * bytes sent a round trip (SRTT x 1.25, 1 ms at least) before it arrived means
 * the segment at the ACK's offset was lost (the channel drops reordered
 * datagrams): the sender goes back at once (time-based loss detection in
 * the spirit of RFC 8985 RACK). The RTO follows the measured RTT (3 x
 * SRTT + 10 ms) and doubles on each expiry. A congestion window
 * (RFC 5681 §3.1 in spirit) keeps a lossy link from making every loss
 * cost a whole receiver window of retransmissions. Both ends start at
 * offset 0 with each new channel session; the active then sends a bulk
 * sync.
 */
#ifndef HA_STREAM_H
#define HA_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ha/ha_wire.h"

enum {
	HA_STREAM_WINDOW = 1u << 20,	/* receiver window, bytes */
	HA_STREAM_RTO_MS = 30,		/* first retransmission timeout (no RTT yet) */
	HA_STREAM_RTO_MAX_MS = 1000,
	HA_STREAM_RTO_MIN_MS = 10,	/* RTO floor once the RTT is measured */
	HA_STREAM_CAP_MIN = 4096,	/* first ring size, bytes */
	HA_STREAM_CAP_KEEP = 1u << 20,	/* a larger ring is freed once all is acked */
	HA_STREAM_CWND_INIT = 64 * 1024,	/* bytes in flight before the first ACK */
	HA_STREAM_CWND_MIN = 8 * 1024,	/* after losses */
	HA_STREAM_MARKS = 16,		/* ms of transmission history kept */
	/* Delayed ACKs (the receiver): an ACK waits for this many in-order
	 * segments or this long, unless a datagram goes anyway; a segment out
	 * of order or seen before is acknowledged at once. Each ACK alone is
	 * a datagram sealed, sent, received and opened on the two control
	 * cores, and the sync of moving SAs sends segments in bursts. */
	HA_STREAM_ACK_EVERY = 8,
	HA_STREAM_ACK_DELAY_MS = 2,
};

struct ha_stream_stats {
	uint64_t records_sent;		/* records written */
	uint64_t bytes_sent;		/* stream bytes sent the first time */
	uint64_t bytes_acked;
	uint64_t bytes_retransmitted;
	uint64_t retransmits;		/* RTO expiries */
	uint64_t fast_retransmits;	/* go-back on an ACK that shows a loss */
	uint64_t records_received;
	uint64_t bytes_received;	/* in-order stream bytes accepted */
	uint64_t segments_out_of_order;	/* dropped: not at the expected offset */
};

struct ha_stream {
	/* Sender: bytes [acked, written) are kept in buf, a growable ring. */
	uint8_t *buf;
	size_t cap;			/* power of two */
	size_t max_cap;			/* write fails with -ENOBUFS beyond */
	uint64_t acked;			/* peer has every byte below */
	uint64_t sent;			/* next byte to send the first time */
	uint64_t written;		/* end of the stream */
	uint64_t resend;		/* go-back-N: next byte to send again (< sent) */
	uint32_t peer_window;
	uint32_t cwnd;			/* in flight at most (with peer_window): grows by
					 * half of what each ACK acknowledges, halves on a
					 * go-back, drops to the minimum on an RTO */
	uint64_t rto_deadline_ms;	/* 0: nothing in flight */
	uint32_t rto_ms;
	uint64_t goback_ms;		/* the last go-back */
	/* Loss detection: where transmission had got to, per ms (a ring). */
	struct ha_stream_mark {
		uint64_t ms;
		uint64_t pos;		/* end of the last segment sent in that ms */
	} marks[HA_STREAM_MARKS];
	unsigned int marks_n, mark_last;
	uint64_t rtt_off;		/* RTT sample: ACK this offset (0: none running) */
	uint64_t rtt_sent_ms;		/* ... sent then */
	uint32_t srtt_ms;		/* smoothed RTT, when rtt_known */
	uint32_t rttvar_ms;		/* its variation (RFC 6298) */
	bool rtt_known;
	/* Receiver. */
	uint64_t rx_next;		/* next expected offset */
	bool ack_due;			/* an ACK is owed: it goes with the next datagram */
	bool ack_now;			/* ... and must go at once */
	uint32_t segs_unacked;		/* in-order segments since the last ACK */
	uint64_t ack_owed_ms;		/* when the oldest of them arrived */
	struct ha_rec_asm rx_asm;
	struct ha_stream_stats stats;
};

/* MAX_BUFFER: the most unacknowledged bytes kept (a standby that stops
 * acknowledging cannot make the active eat its memory). 0 or -ENOMEM. */
int ha_stream_init(struct ha_stream *s, size_t max_buffer);
void ha_stream_fini(struct ha_stream *s);
/* Back to offset 0 at both ends (a new channel session): the unsent and
 * unacknowledged bytes are discarded. */
void ha_stream_reset(struct ha_stream *s);

/* Appends one record. 0, -ENOBUFS (buffer full: the caller marks the
 * peer out of sync and resyncs later), -EMSGSIZE (> HA_WIRE_REC_MAX). */
int ha_stream_write(struct ha_stream *s, uint16_t type, const void *value, uint32_t len);
/* Appends one record whose value is gathered from two pieces. */
int ha_stream_write2(struct ha_stream *s, uint16_t type, const void *a, uint32_t a_len,
		     const void *b, uint32_t b_len);

/* Sender: bytes written but not acknowledged. */
uint64_t ha_stream_unacked(const struct ha_stream *s);
/* Sender: true when a segment may go out now (new bytes within the
 * window, or a retransmission due at NOW_MS). */
bool ha_stream_want_send(const struct ha_stream *s, uint64_t now_ms);
/* Sender: writes the next SEGMENT message (header included) into BUF.
 * Octets written, 0 when nothing is due, -ENOSPC when CAP cannot hold a
 * segment with at least one byte. Arms the RTO. */
ssize_t ha_stream_next_segment(struct ha_stream *s, uint64_t now_ms, uint8_t *buf, size_t cap);
/* Sender: an ACK arrived. Offsets beyond what we sent are ignored (and
 * counted by the caller as malformed): 0 or -EBADMSG. */
int ha_stream_on_ack(struct ha_stream *s, const struct ha_wire_ack *a, uint64_t now_ms);

/* Sender: we were away GAP_MS (the host did not run us): ACKs sent in
 * that time wait unread in our input queue, so neither the RTO nor the
 * transmission marks may take that time as silence. The RTO moves out by
 * GAP_MS and the marks are forgotten. */
void ha_stream_away(struct ha_stream *s, uint64_t gap_ms);

/* Sender: the path came back (sync link up again): retransmit what is in
 * flight now, with the first RTO. */
void ha_stream_kick(struct ha_stream *s, uint64_t now_ms);

/* Receiver: a SEGMENT arrived at NOW_MS. In-order bytes are fed to the
 * record assembler, which calls FN per record. 0, -EBADMSG (stream broken:
 * the caller resets the session), or FN's error. */
int ha_stream_on_segment(struct ha_stream *s, const struct ha_wire_segment *seg,
			 uint64_t now_ms, ha_rec_fn fn, void *arg);
/* Receiver: when the owed ACK must leave (HA_STREAM_ACK_EVERY /
 * HA_STREAM_ACK_DELAY_MS); UINT64_MAX if none is owed. */
uint64_t ha_stream_ack_deadline(const struct ha_stream *s);
/* Receiver: writes an ACK message (header included) if one is owed and
 * RIDING (the datagram goes anyway) or due by NOW_MS. Octets or 0. */
ssize_t ha_stream_ack_msg(struct ha_stream *s, uint8_t *buf, size_t cap, uint64_t now_ms,
			  bool riding);

#endif /* HA_STREAM_H */
