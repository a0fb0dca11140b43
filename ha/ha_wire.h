/*
 * The HA sync protocol on the wire (seed §7; README "HA design"): how two
 * appliances frame what they say to each other over UDP, on the sync link
 * and, for heartbeats, on the data links. Three layers, each parsed with
 * every length checked before use:
 *
 *   datagram   header (clear, authenticated) + body
 *              HELLO: clear body + HMAC-SHA-256 tag (ha_chan.c)
 *              DATA:  AES-256-GCM ciphertext of a message list + tag
 *   message    TLV inside a DATA plaintext, many to a datagram:
 *              heartbeat, stream segment, stream ack, control request
 *   record     TLV inside the reliable stream (ha_stream.c), may span
 *              segments: IKE SA / CHILD SA state (the ike_state.h
 *              serialized form, opaque here), deletes, sequence state,
 *              bulk-sync markers
 *
 * All integers are big-endian on the wire. This file knows no keys and no
 * IKE: the HA module ships the IKE state's serialized bytes as they are.
 */
#ifndef HA_WIRE_H
#define HA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	HA_WIRE_MAGIC = 0x48414757,	/* "HAGW" */
	HA_WIRE_VERSION = 1,		/* this implementation speaks 1..1 */
	HA_WIRE_HDR_LEN = 24,
	HA_WIRE_NONCE_LEN = 32,
	HA_WIRE_HMAC_LEN = 32,		/* HELLO tag: HMAC-SHA-256 */
	HA_WIRE_TAG_LEN = 16,		/* DATA tag: AES-256-GCM */
	HA_WIRE_DGRAM_MAX = 1400,	/* fits a 1500-byte link with IPv6+UDP */
	HA_WIRE_MSG_HDR_LEN = 4,	/* type, flags, length */
	HA_WIRE_REC_HDR_LEN = 6,	/* type (2), length (4) */
	HA_WIRE_REC_MAX = 65536,	/* largest record value */
};

/* Datagram types. */
enum ha_dgram_type {
	HA_DGRAM_HELLO = 1,
	HA_DGRAM_DATA = 2,
};

/*
 * Datagram header, 24 octets, authenticated in both types:
 *   magic u32 | version u8 | type u8 | flags u16 |
 *   sender node id u16 | link u8 | reserved u8 (0) | session u32 |
 *   counter u64
 * session: 0 in HELLO; in DATA the id both sides derived with the keys.
 * counter: per sender and direction, strictly increasing (replay check);
 * in DATA it is also the AEAD nonce's low 64 bits.
 */
struct ha_wire_hdr {
	uint8_t version;
	uint8_t type;			/* enum ha_dgram_type */
	uint16_t flags;
	uint16_t node_id;
	uint8_t link;			/* enum ha_link_id of the sender's link */
	uint32_t session;
	uint64_t counter;
};

/* Roles (ha_role.h) as they appear in HELLO and heartbeats. */
enum ha_wire_role {
	HA_WIRE_ROLE_INIT = 0,		/* starting, has no role yet */
	HA_WIRE_ROLE_STANDBY = 1,
	HA_WIRE_ROLE_ACTIVE = 2,
};

/* Capability bits (HELLO caps): what a peer may send us. */
enum {
	HA_CAP_SEQ_SYNC = 1u << 0,	/* HA_REC_SEQ records */
	HA_CAP_IKE_STATE = 1u << 1,	/* HA_REC_IKE_SA / HA_REC_CHILD */
	HA_CAP_SWITCHOVER = 1u << 2,	/* HA_CTRL_SWITCHOVER */
	HA_CAP_SEQ_BRIEF = 1u << 3,	/* HA_REC_SEQ_BRIEF records */
};

/*
 * HELLO body, 88 octets, then HA_WIRE_HMAC_LEN of tag over header + body:
 *   version_min u8 | version_max u8 | priority u8 | role u8 |
 *   caps u32 | epoch u64 | boot_id u64 |
 *   nonce [32] | peer_nonce [32] (the last nonce heard from the peer,
 *   zero when none)
 */
struct ha_wire_hello {
	uint8_t version_min;
	uint8_t version_max;
	uint8_t priority;
	uint8_t role;			/* enum ha_wire_role */
	uint32_t caps;
	uint64_t epoch;			/* role epoch (ha_role.h) */
	uint64_t boot_id;		/* random per process start */
	uint8_t nonce[HA_WIRE_NONCE_LEN];
	uint8_t peer_nonce[HA_WIRE_NONCE_LEN];
};
enum { HA_WIRE_HELLO_LEN = 88 };

/* Messages inside a DATA plaintext: type u8 | flags u8 | length u16 | value. */
enum ha_msg_type {
	HA_MSG_HEARTBEAT = 1,
	HA_MSG_SEGMENT = 2,		/* reliable stream bytes */
	HA_MSG_ACK = 3,			/* cumulative stream acknowledgement */
	HA_MSG_CTRL = 4,		/* a request: enum ha_ctrl */
};

/*
 * HEARTBEAT value, 24 octets:
 *   role u8 | priority u8 | flags u8 | reserved u8 |
 *   epoch u64 | boot_id u64 | sent_ms u32 (sender's clock, for RTT)
 */
enum {
	HA_HB_F_IN_SYNC = 1u << 0,	/* standby: bulk sync complete */
	HA_HB_F_SYNC_LINK_UP = 1u << 1,	/* the sender hears us on the sync link */
	HA_HB_F_PREEMPT = 1u << 2,	/* the sender's preempt setting */
};
struct ha_wire_heartbeat {
	uint8_t role;			/* enum ha_wire_role */
	uint8_t priority;
	uint8_t flags;			/* HA_HB_F_* */
	uint64_t epoch;
	uint64_t boot_id;
	uint32_t sent_ms;
};
enum { HA_WIRE_HEARTBEAT_LEN = 24 };

/* SEGMENT value: stream offset u64 | bytes (1..). */
struct ha_wire_segment {
	uint64_t offset;
	const uint8_t *data;
	uint16_t len;
};

/* ACK value, 12 octets: next expected stream offset u64 | window u32. */
struct ha_wire_ack {
	uint64_t offset;
	uint32_t window;		/* bytes the receiver takes beyond offset */
};
enum { HA_WIRE_ACK_LEN = 12 };

/* CTRL value, 12 octets: request u8 | reserved [3] | argument u64. */
enum ha_ctrl {
	HA_CTRL_RESYNC = 1,		/* standby -> active: send a bulk sync */
	HA_CTRL_SWITCHOVER = 2,		/* active -> standby: take over now (arg: epoch) */
	HA_CTRL_SWITCHOVER_DONE = 3,	/* new active -> old: I am active (arg: epoch) */
};
struct ha_wire_ctrl {
	uint8_t request;		/* enum ha_ctrl */
	uint64_t arg;
};
enum { HA_WIRE_CTRL_LEN = 12 };

/* One message as parsed: type and its value (pointing into the buffer). */
struct ha_wire_msg {
	uint8_t type;			/* enum ha_msg_type */
	uint8_t flags;
	uint16_t len;
	const uint8_t *value;
};

/* Records in the reliable stream: type u16 | length u32 | value. */
enum ha_rec_type {
	HA_REC_BULK_BEGIN = 1,		/* value: generation u64 */
	HA_REC_BULK_END = 2,		/* value: generation u64 | IKE SAs u32 | CHILD SAs u32 */
	HA_REC_IKE_SA = 3,		/* value: ike_sa_state serialized (ike_state_ser.h) */
	HA_REC_IKE_SA_DEL = 4,		/* value: IKE SA id u64 */
	HA_REC_CHILD = 5,		/* value: ike_child_state serialized */
	HA_REC_CHILD_DEL = 6,		/* value: CHILD SA id u64 */
	HA_REC_SEQ = 7,			/* value: n x struct ha_wire_seq (below) */
	HA_REC_SEQ_BRIEF = 8,		/* value: n x the same, brief form (below) */
};

/*
 * Sequence state of one ESP SA, 48 octets:
 *   child_id u64 (0: a static SA from the config, keyed by spi) |
 *   spi u32 | dir u8 (0 in, 1 out) | reserved u8 | iv_epoch u16 |
 *   out_seq u64 | epoch_start_seq u64 | rate_pps u32 |
 *   win_top u64 (inbound: highest sequence number accepted) |
 *   win_bits u32 (inbound: the 32 numbers below win_top, bit i = top-1-i seen)
 */
struct ha_wire_seq {
	uint64_t child_id;
	uint32_t spi;
	uint8_t dir;
	uint16_t iv_epoch;
	uint64_t out_seq;
	uint64_t epoch_start_seq;
	uint32_t rate_pps;		/* outbound packets/s measured by the sender */
	uint64_t win_top;
	uint32_t win_bits;
};
enum { HA_WIRE_SEQ_LEN = 48 };

/*
 * The same state in 32 octets, each direction's fields only (HA_REC_SEQ_BRIEF,
 * to a peer that announced HA_CAP_SEQ_BRIEF: a third fewer octets and
 * datagrams for the sync of moving SAs):
 *   child_id u64 | spi u32 | dir u8 | reserved u8 | iv_epoch u16 |
 *   outbound: out_seq u64 | out_seq - epoch_start_seq u32 | rate_pps u32
 *   inbound:  win_top u64 | win_bits u32 | reserved u32
 * An entry this cannot hold exactly (its epoch began 2^32 numbers or more
 * below the counter, or a field of the other direction is not zero) goes
 * in a HA_REC_SEQ record instead.
 */
enum { HA_WIRE_SEQ_BRIEF_LEN = 32 };
/* Encoders: return octets written, or -ENOSPC when CAP is too small
 * (-EINVAL: a NULL value with a length, an empty segment, a record of
 * type 0 or longer than HA_WIRE_REC_MAX). VALUE and DATA may overlap BUF. */
ssize_t ha_wire_hdr_encode(const struct ha_wire_hdr *h, uint8_t *buf, size_t cap);
ssize_t ha_wire_hello_encode(const struct ha_wire_hello *h, uint8_t *buf, size_t cap);
ssize_t ha_wire_heartbeat_encode(const struct ha_wire_heartbeat *hb, uint8_t *buf, size_t cap);
ssize_t ha_wire_ack_encode(const struct ha_wire_ack *a, uint8_t *buf, size_t cap);
ssize_t ha_wire_ctrl_encode(const struct ha_wire_ctrl *c, uint8_t *buf, size_t cap);
/* A whole message: header + value (VALUE may be NULL when LEN is 0). */
ssize_t ha_wire_msg_encode(uint8_t type, uint8_t flags, const void *value, uint16_t len,
			   uint8_t *buf, size_t cap);
/* A SEGMENT message (header included) carrying up to MAX_DATA stream
 * bytes: the number of data bytes taken is put in *TAKEN. */
ssize_t ha_wire_segment_encode(uint64_t offset, const uint8_t *data, size_t len,
			       uint8_t *buf, size_t cap, size_t *taken);
/* A record header (the value follows, written by the caller). */
ssize_t ha_wire_rec_hdr_encode(uint16_t type, uint32_t len, uint8_t *buf, size_t cap);
ssize_t ha_wire_seq_encode(const struct ha_wire_seq *s, uint8_t *buf, size_t cap);
/* -ERANGE: S does not fit the brief form (above). */
ssize_t ha_wire_seq_brief_encode(const struct ha_wire_seq *s, uint8_t *buf, size_t cap);

/* Decoders: 0, or -EBADMSG (bad magic, version 0, unknown type, reserved
 * bits set, wrong length). ha_wire_hdr_decode also refuses a buffer
 * shorter than the header (longer is fine: the body follows); the others
 * want their exact length (SEGMENT: 9..65535). No header, message or
 * heartbeat flag other than those defined above may be set; unknown HELLO
 * caps bits are ignored; HELLO needs 1 <= version_min <= version_max. */
int ha_wire_hdr_decode(const uint8_t *buf, size_t len, struct ha_wire_hdr *h);
int ha_wire_hello_decode(const uint8_t *buf, size_t len, struct ha_wire_hello *h);
int ha_wire_heartbeat_decode(const uint8_t *buf, size_t len, struct ha_wire_heartbeat *hb);
int ha_wire_segment_decode(const uint8_t *buf, size_t len, struct ha_wire_segment *s);
int ha_wire_ack_decode(const uint8_t *buf, size_t len, struct ha_wire_ack *a);
int ha_wire_ctrl_decode(const uint8_t *buf, size_t len, struct ha_wire_ctrl *c);
int ha_wire_seq_decode(const uint8_t *buf, size_t len, struct ha_wire_seq *s);
/* The other direction's fields come out zero, as the long form has them. */
int ha_wire_seq_brief_decode(const uint8_t *buf, size_t len, struct ha_wire_seq *s);

/*
 * Message iterator over a DATA plaintext: fills *M with the next message
 * and advances *OFF. 1 (a message), 0 (end), -EBADMSG (a message runs
 * past the end, or has type 0 / an unknown type / flags set: the whole
 * datagram is dropped, not just the tail).
 */
int ha_wire_msg_next(const uint8_t *buf, size_t len, size_t *off, struct ha_wire_msg *m);

/*
 * Record reassembly from the stream: records arrive split across segments
 * at any byte. The assembler keeps at most one partial record.
 */
struct ha_rec_asm {
	uint8_t hdr[HA_WIRE_REC_HDR_LEN];
	uint8_t hdr_have;
	uint16_t type;
	uint32_t len;
	uint32_t have;
	uint8_t *value;			/* HA_WIRE_REC_MAX octets, malloc'd once */
};
/* Called for each complete record; a negative return stops the feed. */
typedef int (*ha_rec_fn)(void *arg, uint16_t type, const uint8_t *value, uint32_t len);

int ha_rec_asm_init(struct ha_rec_asm *a);
void ha_rec_asm_reset(struct ha_rec_asm *a);	/* drop a partial record */
void ha_rec_asm_free(struct ha_rec_asm *a);
/* Feeds LEN stream bytes; calls FN per complete record. 0, -EBADMSG (a
 * record longer than HA_WIRE_REC_MAX or of type 0: the stream is broken
 * and must be reset), or FN's negative return. */
int ha_rec_asm_feed(struct ha_rec_asm *a, const uint8_t *data, size_t len, ha_rec_fn fn,
		    void *arg);

#endif /* HA_WIRE_H */
