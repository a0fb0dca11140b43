/* Bounds-checked cursors over untrusted bytes (reader) and over an output
 * buffer (writer). Getters fail instead of over-reading; a writer that runs
 * out of room latches an error that the caller checks once at the end. */
#ifndef IKE_BUF_H
#define IKE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ike_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void
ike_rd_init(struct ike_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t
ike_rd_left(const struct ike_rd *r)
{
	return r->len - r->off;
}

static inline bool
ike_rd_bytes(struct ike_rd *r, void *dst, size_t n)
{
	if (n > ike_rd_left(r))
		return false;
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

/* Borrow n bytes in place. */
static inline bool
ike_rd_view(struct ike_rd *r, const uint8_t **dst, size_t n)
{
	if (n > ike_rd_left(r))
		return false;
	*dst = r->p + r->off;
	r->off += n;
	return true;
}

static inline bool
ike_rd_skip(struct ike_rd *r, size_t n)
{
	if (n > ike_rd_left(r))
		return false;
	r->off += n;
	return true;
}

static inline bool
ike_rd_u8(struct ike_rd *r, uint8_t *v)
{
	return ike_rd_bytes(r, v, 1);
}

static inline bool
ike_rd_u16(struct ike_rd *r, uint16_t *v)
{
	uint8_t b[2];

	if (!ike_rd_bytes(r, b, sizeof(b)))
		return false;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return true;
}

static inline bool
ike_rd_u32(struct ike_rd *r, uint32_t *v)
{
	uint8_t b[4];

	if (!ike_rd_bytes(r, b, sizeof(b)))
		return false;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return true;
}

static inline bool
ike_rd_u64(struct ike_rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (!ike_rd_u32(r, &hi) || !ike_rd_u32(r, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

struct ike_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void
ike_wr_init(struct ike_wr *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

/* Reserve n bytes and return where they start (NULL once overflowed). */
static inline uint8_t *
ike_wr_reserve(struct ike_wr *w, size_t n)
{
	uint8_t *at;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	at = w->p + w->len;
	w->len += n;
	return at;
}

static inline void
ike_wr_bytes(struct ike_wr *w, const void *src, size_t n)
{
	uint8_t *at = ike_wr_reserve(w, n);

	if (at != NULL && n > 0)
		memcpy(at, src, n);
}

static inline void
ike_wr_u8(struct ike_wr *w, uint8_t v)
{
	ike_wr_bytes(w, &v, 1);
}

static inline void
ike_put_be16(uint8_t *at, uint16_t v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

static inline void
ike_put_be32(uint8_t *at, uint32_t v)
{
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
}

static inline void
ike_wr_u16(struct ike_wr *w, uint16_t v)
{
	uint8_t *at = ike_wr_reserve(w, 2);

	if (at != NULL)
		ike_put_be16(at, v);
}

static inline void
ike_wr_u32(struct ike_wr *w, uint32_t v)
{
	uint8_t *at = ike_wr_reserve(w, 4);

	if (at != NULL)
		ike_put_be32(at, v);
}

static inline void
ike_wr_u64(struct ike_wr *w, uint64_t v)
{
	ike_wr_u32(w, (uint32_t)(v >> 32));
	ike_wr_u32(w, (uint32_t)v);
}

#endif /* IKE_BUF_H */
