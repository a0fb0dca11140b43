/*
 * The HA sync protocol's wire codec (ha_wire.h): datagram header, HELLO
 * body, messages inside a DATA plaintext, records of the reliable stream
 * and their reassembly. Every value has a fixed length or an explicit one
 * that is checked against the bytes left before anything is read; reserved
 * fields and undefined flag bits must be zero. Integers are big-endian.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ha/ha_wire.h"

enum {
	HB_F_KNOWN = HA_HB_F_IN_SYNC | HA_HB_F_SYNC_LINK_UP | HA_HB_F_PREEMPT,
	SEG_OFFSET_LEN = 8,
	SEG_DATA_MAX = UINT16_MAX - SEG_OFFSET_LEN,	/* a message value is at most u16 */
	SEQ_DIR_OUT = 1,
	CTRL_RESERVED_LEN = 3,
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static bool
role_known(uint8_t role)
{
	return role <= HA_WIRE_ROLE_ACTIVE;
}

/* Datagram header: magic 0..3, version 4, type 5, flags 6..7, node id
 * 8..9, link 10, reserved 11, session 12..15, counter 16..23. */
ssize_t
ha_wire_hdr_encode(const struct ha_wire_hdr *h, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_HDR_LEN)
		return -ENOSPC;
	put32(buf, HA_WIRE_MAGIC);
	buf[4] = h->version;
	buf[5] = h->type;
	put16(buf + 6, h->flags);
	put16(buf + 8, h->node_id);
	buf[10] = h->link;
	buf[11] = 0;
	put32(buf + 12, h->session);
	put64(buf + 16, h->counter);
	return HA_WIRE_HDR_LEN;
}

int
ha_wire_hdr_decode(const uint8_t *buf, size_t len, struct ha_wire_hdr *h)
{
	uint16_t flags;

	if (len < HA_WIRE_HDR_LEN || get32(buf) != HA_WIRE_MAGIC)
		return -EBADMSG;
	if (buf[4] == 0)
		return -EBADMSG;
	if (buf[5] != HA_DGRAM_HELLO && buf[5] != HA_DGRAM_DATA)
		return -EBADMSG;
	flags = get16(buf + 6);
	if (flags != 0 || buf[11] != 0)		/* no header flag is defined */
		return -EBADMSG;
	h->version = buf[4];
	h->type = buf[5];
	h->flags = flags;
	h->node_id = get16(buf + 8);
	h->link = buf[10];
	h->session = get32(buf + 12);
	h->counter = get64(buf + 16);
	return 0;
}

/* HELLO body: versions 0..1, priority 2, role 3, caps 4..7, epoch 8..15,
 * boot id 16..23, nonce 24..55, peer nonce 56..87. */
ssize_t
ha_wire_hello_encode(const struct ha_wire_hello *h, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_HELLO_LEN)
		return -ENOSPC;
	buf[0] = h->version_min;
	buf[1] = h->version_max;
	buf[2] = h->priority;
	buf[3] = h->role;
	put32(buf + 4, h->caps);
	put64(buf + 8, h->epoch);
	put64(buf + 16, h->boot_id);
	memcpy(buf + 24, h->nonce, HA_WIRE_NONCE_LEN);
	memcpy(buf + 24 + HA_WIRE_NONCE_LEN, h->peer_nonce, HA_WIRE_NONCE_LEN);
	return HA_WIRE_HELLO_LEN;
}

/* Unknown capability bits are ignored (a newer peer may offer more). */
int
ha_wire_hello_decode(const uint8_t *buf, size_t len, struct ha_wire_hello *h)
{
	if (len != HA_WIRE_HELLO_LEN)
		return -EBADMSG;
	if (buf[0] == 0 || buf[0] > buf[1] || !role_known(buf[3]))
		return -EBADMSG;
	h->version_min = buf[0];
	h->version_max = buf[1];
	h->priority = buf[2];
	h->role = buf[3];
	h->caps = get32(buf + 4);
	h->epoch = get64(buf + 8);
	h->boot_id = get64(buf + 16);
	memcpy(h->nonce, buf + 24, HA_WIRE_NONCE_LEN);
	memcpy(h->peer_nonce, buf + 24 + HA_WIRE_NONCE_LEN, HA_WIRE_NONCE_LEN);
	return 0;
}

/* HEARTBEAT: role 0, priority 1, flags 2, reserved 3, epoch 4..11,
 * boot id 12..19, sent_ms 20..23. */
ssize_t
ha_wire_heartbeat_encode(const struct ha_wire_heartbeat *hb, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_HEARTBEAT_LEN)
		return -ENOSPC;
	buf[0] = hb->role;
	buf[1] = hb->priority;
	buf[2] = hb->flags;
	buf[3] = 0;
	put64(buf + 4, hb->epoch);
	put64(buf + 12, hb->boot_id);
	put32(buf + 20, hb->sent_ms);
	return HA_WIRE_HEARTBEAT_LEN;
}

int
ha_wire_heartbeat_decode(const uint8_t *buf, size_t len, struct ha_wire_heartbeat *hb)
{
	if (len != HA_WIRE_HEARTBEAT_LEN)
		return -EBADMSG;
	if (!role_known(buf[0]) || (buf[2] & ~HB_F_KNOWN) != 0 || buf[3] != 0)
		return -EBADMSG;
	hb->role = buf[0];
	hb->priority = buf[1];
	hb->flags = buf[2];
	hb->epoch = get64(buf + 4);
	hb->boot_id = get64(buf + 12);
	hb->sent_ms = get32(buf + 20);
	return 0;
}

int
ha_wire_segment_decode(const uint8_t *buf, size_t len, struct ha_wire_segment *s)
{
	if (len <= SEG_OFFSET_LEN || len - SEG_OFFSET_LEN > SEG_DATA_MAX)
		return -EBADMSG;
	s->offset = get64(buf);
	s->data = buf + SEG_OFFSET_LEN;
	s->len = (uint16_t)(len - SEG_OFFSET_LEN);
	return 0;
}

/* ACK: offset 0..7, window 8..11. */
ssize_t
ha_wire_ack_encode(const struct ha_wire_ack *a, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_ACK_LEN)
		return -ENOSPC;
	put64(buf, a->offset);
	put32(buf + 8, a->window);
	return HA_WIRE_ACK_LEN;
}

int
ha_wire_ack_decode(const uint8_t *buf, size_t len, struct ha_wire_ack *a)
{
	if (len != HA_WIRE_ACK_LEN)
		return -EBADMSG;
	a->offset = get64(buf);
	a->window = get32(buf + 8);
	return 0;
}

/* CTRL: request 0, reserved 1..3, argument 4..11. */
ssize_t
ha_wire_ctrl_encode(const struct ha_wire_ctrl *c, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_CTRL_LEN)
		return -ENOSPC;
	buf[0] = c->request;
	memset(buf + 1, 0, CTRL_RESERVED_LEN);
	put64(buf + 4, c->arg);
	return HA_WIRE_CTRL_LEN;
}

int
ha_wire_ctrl_decode(const uint8_t *buf, size_t len, struct ha_wire_ctrl *c)
{
	if (len != HA_WIRE_CTRL_LEN)
		return -EBADMSG;
	if (buf[0] < HA_CTRL_RESYNC || buf[0] > HA_CTRL_SWITCHOVER_DONE ||
	    !all_zero(buf + 1, CTRL_RESERVED_LEN))
		return -EBADMSG;
	c->request = buf[0];
	c->arg = get64(buf + 4);
	return 0;
}

/* Message header: type 0, flags 1, length 2..3. */
ssize_t
ha_wire_msg_encode(uint8_t type, uint8_t flags, const void *value, uint16_t len,
		   uint8_t *buf, size_t cap)
{
	if (value == NULL && len != 0)
		return -EINVAL;
	if (cap < HA_WIRE_MSG_HDR_LEN || cap - HA_WIRE_MSG_HDR_LEN < len)
		return -ENOSPC;
	if (len != 0)		/* first: VALUE may overlap the header's place */
		memmove(buf + HA_WIRE_MSG_HDR_LEN, value, len);
	buf[0] = type;
	buf[1] = flags;
	put16(buf + 2, len);
	return HA_WIRE_MSG_HDR_LEN + (ssize_t)len;
}

ssize_t
ha_wire_segment_encode(uint64_t offset, const uint8_t *data, size_t len,
		       uint8_t *buf, size_t cap, size_t *taken)
{
	enum { SEG_HDR = HA_WIRE_MSG_HDR_LEN + SEG_OFFSET_LEN };
	size_t n;

	*taken = 0;
	if (len == 0 || data == NULL)
		return -EINVAL;
	if (cap <= SEG_HDR)
		return -ENOSPC;
	n = cap - SEG_HDR;
	if (n > len)
		n = len;
	if (n > SEG_DATA_MAX)
		n = SEG_DATA_MAX;
	memmove(buf + SEG_HDR, data, n);	/* first: DATA may overlap BUF */
	buf[0] = HA_MSG_SEGMENT;
	buf[1] = 0;
	put16(buf + 2, (uint16_t)(SEG_OFFSET_LEN + n));
	put64(buf + HA_WIRE_MSG_HDR_LEN, offset);
	*taken = n;
	return (ssize_t)(SEG_HDR + n);
}

/* Messages of this version carry no flags; every type is known. */
int
ha_wire_msg_next(const uint8_t *buf, size_t len, size_t *off, struct ha_wire_msg *m)
{
	size_t left;
	uint16_t vlen;

	if (*off >= len)
		return *off == len ? 0 : -EBADMSG;
	left = len - *off;
	if (left < HA_WIRE_MSG_HDR_LEN)
		return -EBADMSG;
	buf += *off;
	vlen = get16(buf + 2);
	if (vlen > left - HA_WIRE_MSG_HDR_LEN)
		return -EBADMSG;
	if (buf[0] < HA_MSG_HEARTBEAT || buf[0] > HA_MSG_CTRL || buf[1] != 0)
		return -EBADMSG;
	m->type = buf[0];
	m->flags = buf[1];
	m->len = vlen;
	m->value = buf + HA_WIRE_MSG_HDR_LEN;
	*off += HA_WIRE_MSG_HDR_LEN + (size_t)vlen;
	return 1;
}

/* Record header: type 0..1, length 2..5. */
ssize_t
ha_wire_rec_hdr_encode(uint16_t type, uint32_t len, uint8_t *buf, size_t cap)
{
	if (type == 0 || len > HA_WIRE_REC_MAX)
		return -EINVAL;
	if (cap < HA_WIRE_REC_HDR_LEN)
		return -ENOSPC;
	put16(buf, type);
	put32(buf + 2, len);
	return HA_WIRE_REC_HDR_LEN;
}

/* SEQ and SEQ_BRIEF begin alike: child id 0..7, spi 8..11, dir 12,
 * reserved 13, iv epoch 14..15. */
static void
seq_head_put(const struct ha_wire_seq *s, uint8_t *buf)
{
	put64(buf, s->child_id);
	put32(buf + 8, s->spi);
	buf[12] = s->dir;
	buf[13] = 0;
	put16(buf + 14, s->iv_epoch);
}

/* SEQ: the head, out_seq 16..23, epoch start 24..31, rate 32..35, win top
 * 36..43, win bits 44..47. */
ssize_t
ha_wire_seq_encode(const struct ha_wire_seq *s, uint8_t *buf, size_t cap)
{
	if (cap < HA_WIRE_SEQ_LEN)
		return -ENOSPC;
	seq_head_put(s, buf);
	put64(buf + 16, s->out_seq);
	put64(buf + 24, s->epoch_start_seq);
	put32(buf + 32, s->rate_pps);
	put64(buf + 36, s->win_top);
	put32(buf + 44, s->win_bits);
	return HA_WIRE_SEQ_LEN;
}

/* SEQ_BRIEF: the head; outbound: out_seq 16..23,
 * out_seq - epoch start 24..27, rate 28..31; inbound: win top 16..23, win
 * bits 24..27, reserved 28..31. */
static bool
brief_fits(const struct ha_wire_seq *s)
{
	if (s->dir == SEQ_DIR_OUT)
		return s->win_top == 0 && s->win_bits == 0 && s->epoch_start_seq <= s->out_seq &&
		       s->out_seq - s->epoch_start_seq <= UINT32_MAX;
	return s->dir < SEQ_DIR_OUT && s->iv_epoch == 0 && s->out_seq == 0 &&
	       s->epoch_start_seq == 0 && s->rate_pps == 0;
}

ssize_t
ha_wire_seq_brief_encode(const struct ha_wire_seq *s, uint8_t *buf, size_t cap)
{
	if (!brief_fits(s))
		return -ERANGE;
	if (cap < HA_WIRE_SEQ_BRIEF_LEN)
		return -ENOSPC;
	seq_head_put(s, buf);
	if (s->dir == SEQ_DIR_OUT) {
		put64(buf + 16, s->out_seq);
		put32(buf + 24, (uint32_t)(s->out_seq - s->epoch_start_seq));
		put32(buf + 28, s->rate_pps);
	} else {
		put64(buf + 16, s->win_top);
		put32(buf + 24, s->win_bits);
		put32(buf + 28, 0);
	}
	return HA_WIRE_SEQ_BRIEF_LEN;
}

int
ha_wire_seq_brief_decode(const uint8_t *buf, size_t len, struct ha_wire_seq *s)
{
	if (len != HA_WIRE_SEQ_BRIEF_LEN)
		return -EBADMSG;
	if (buf[12] > SEQ_DIR_OUT || buf[13] != 0)
		return -EBADMSG;
	if (buf[12] != SEQ_DIR_OUT && (get16(buf + 14) != 0 || get32(buf + 28) != 0))
		return -EBADMSG;
	*s = (struct ha_wire_seq){ .child_id = get64(buf), .spi = get32(buf + 8), .dir = buf[12] };
	if (s->dir == SEQ_DIR_OUT) {
		s->iv_epoch = get16(buf + 14);
		s->out_seq = get64(buf + 16);
		if (get32(buf + 24) > s->out_seq)
			return -EBADMSG;	/* an epoch start below 0 */
		s->epoch_start_seq = s->out_seq - get32(buf + 24);
		s->rate_pps = get32(buf + 28);
	} else {
		s->win_top = get64(buf + 16);
		s->win_bits = get32(buf + 24);
	}
	return 0;
}

int
ha_wire_seq_decode(const uint8_t *buf, size_t len, struct ha_wire_seq *s)
{
	if (len != HA_WIRE_SEQ_LEN)
		return -EBADMSG;
	if (buf[12] > SEQ_DIR_OUT || buf[13] != 0)
		return -EBADMSG;
	s->child_id = get64(buf);
	s->spi = get32(buf + 8);
	s->dir = buf[12];
	s->iv_epoch = get16(buf + 14);
	s->out_seq = get64(buf + 16);
	s->epoch_start_seq = get64(buf + 24);
	s->rate_pps = get32(buf + 32);
	s->win_top = get64(buf + 36);
	s->win_bits = get32(buf + 44);
	return 0;
}

int
ha_rec_asm_init(struct ha_rec_asm *a)
{
	memset(a, 0, sizeof(*a));
	a->value = malloc(HA_WIRE_REC_MAX);
	return a->value == NULL ? -ENOMEM : 0;
}

void
ha_rec_asm_reset(struct ha_rec_asm *a)
{
	a->hdr_have = 0;
	a->type = 0;
	a->len = 0;
	a->have = 0;
}

void
ha_rec_asm_free(struct ha_rec_asm *a)
{
	free(a->value);
	a->value = NULL;
	ha_rec_asm_reset(a);
}

/* Takes header bytes; once the header is whole, checks it. Returns the
 * bytes taken or -EBADMSG (the header stays, so later feeds fail too). */
static ssize_t
asm_take_hdr(struct ha_rec_asm *a, const uint8_t *data, size_t len)
{
	size_t n = 0;

	if (a->hdr_have < HA_WIRE_REC_HDR_LEN) {
		n = HA_WIRE_REC_HDR_LEN - a->hdr_have;
		if (n > len)
			n = len;
		if (n != 0)
			memcpy(a->hdr + a->hdr_have, data, n);
		a->hdr_have += (uint8_t)n;
		if (a->hdr_have < HA_WIRE_REC_HDR_LEN)
			return (ssize_t)n;
		a->type = get16(a->hdr);
		a->len = get32(a->hdr + 2);
		a->have = 0;
	}
	if (a->type == 0 || a->len > HA_WIRE_REC_MAX)
		return -EBADMSG;
	return (ssize_t)n;
}

int
ha_rec_asm_feed(struct ha_rec_asm *a, const uint8_t *data, size_t len, ha_rec_fn fn,
		void *arg)
{
	const uint8_t *value;
	ssize_t took;
	size_t n;
	int rc;

	if (a->value == NULL)
		return -EINVAL;
	for (;;) {
		took = asm_take_hdr(a, data, len);
		if (took < 0)
			return (int)took;
		data += took;
		len -= (size_t)took;
		if (a->hdr_have < HA_WIRE_REC_HDR_LEN)
			return 0;
		n = a->len - a->have;
		if (n > len)
			n = len;
		if (a->have == 0 && n == a->len) {
			value = data;		/* whole in this feed: no copy */
		} else {
			if (n != 0)
				memcpy(a->value + a->have, data, n);
			value = a->value;
		}
		a->have += (uint32_t)n;
		data += n;
		len -= n;
		if (a->have < a->len)
			return 0;
		a->hdr_have = 0;
		rc = fn(arg, a->type, value, a->len);
		if (rc < 0)
			return rc;
		if (len == 0)
			return 0;
	}
}
