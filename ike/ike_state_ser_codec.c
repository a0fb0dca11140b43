/* The table-driven TLV record codec behind ike_state_ser.h: header, TLV
 * walk, duplicate and mandatory-field tracking, and the encoding, decoding
 * and intrinsic checks of each value kind (addresses, RFC 7296 §3.5 ID
 * types, §3.13.1 traffic selectors, counted arrays, strings). Every length
 * is checked before use; a failed read wipes the output, a failed write
 * wipes what it wrote. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "ike/ike_buf.h"
#include "ike/ike_state_ser_codec.h"

enum wire_size {
	IPV4_LEN = 4,
	IPV6_LEN = 16,
	WIRE_IPV4 = 4,          /* IP version byte of an address */
	WIRE_IPV6 = 6,
	ADDR_WIRE_MAX = 1 + 2 + IPV6_LEN,
	SUITE_WIRE_LEN = 6 * 2,
	TS_WIRE_MAX = 1 + 1 + 2 + 2 + 2 * IPV6_LEN,
	TS_SET_WIRE_MAX = 1 + IKE_TS_MAX * TS_WIRE_MAX,
	ID_WIRE_MAX = 1 + IKE_ID_MAX,
};

static_assert(TS_SET_WIRE_MAX <= UINT16_MAX && ID_WIRE_MAX <= UINT16_MAX, "TLV length is 16-bit");

/* Integers are 1, 2, 4 or 8 octets (ike_ser_get_uint); a bulk sync
 * writes and reads hundreds per IKE SA, so each size is one store. */
static void
wr_be(struct ike_wr *w, uint64_t v, size_t size)
{
	switch (size) {
	case 1:
		ike_wr_u8(w, (uint8_t)v);
		break;
	case 2:
		ike_wr_u16(w, (uint16_t)v);
		break;
	case 4:
		ike_wr_u32(w, (uint32_t)v);
		break;
	case 8:
		ike_wr_u64(w, v);
		break;
	default:
		for (size_t i = size; i > 0; i--)
			ike_wr_u8(w, (uint8_t)(v >> (8 * (i - 1))));
		break;
	}
}

static bool
rd_be(struct ike_rd *r, uint64_t *v, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	*v = 0;
	switch (size) {
	case 1:
		return ike_rd_u8(r, &u8) && (*v = u8, true);
	case 2:
		return ike_rd_u16(r, &u16) && (*v = u16, true);
	case 4:
		return ike_rd_u32(r, &u32) && (*v = u32, true);
	case 8:
		return ike_rd_u64(r, v);
	default:
		for (size_t i = 0; i < size; i++) {
			if (!ike_rd_u8(r, &u8))
				return false;
			*v = *v << 8 | u8;
		}
		return true;
	}
}

static bool
id_type_ok(uint8_t type)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_IPV6_ADDR:
	case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN:
	case IKE_ID_KEY_ID:
		return true;
	default:
		return false;
	}
}

static bool
ts_set_ok(const struct ike_ts_set *s)
{
	if (s->n > IKE_TS_MAX)
		return false;
	for (unsigned int i = 0; i < s->n; i++) {
		if (s->ts[i].type != IKE_TS_IPV4_ADDR_RANGE &&
		    s->ts[i].type != IKE_TS_IPV6_ADDR_RANGE)
			return false;
	}
	return true;
}

static const uint8_t *
blob_of(const struct ike_ser_field *f, const uint8_t *rec)
{
	const uint8_t *b;

	memcpy(&b, rec + f->off, sizeof(b));
	return b;
}

/* The blobs REC holds, wiped and freed (a record is zeroed or decoded
 * before it is read into). */
static void
blobs_free(const struct ike_ser_record *r, uint8_t *rec)
{
	for (size_t t = 0; t < r->n_fields; t++) {
		const struct ike_ser_field *f = &r->fields[t];
		uint8_t *b;

		if (f->kind != FK_BLOB)
			continue;
		memcpy(&b, rec + f->off, sizeof(b));
		ike_state_blob_free(&b, ike_ser_get_count(f, rec));
		memcpy(rec + f->off, &b, sizeof(b));
		ike_ser_set_uint(rec + f->off_n, sizeof(uint16_t), 0);
	}
}

/* What every value of a kind must satisfy: 0 or -ERANGE. */
static int
kind_check(const struct ike_ser_field *f, const uint8_t *rec)
{
	const uint8_t *m = rec + f->off;
	const struct ike_addr *a = (const struct ike_addr *)m;
	const struct ike_id *id = (const struct ike_id *)m;
	bool ok = true;

	switch (f->kind) {
	case FK_BOOL:
		ok = m[0] <= 1;
		break;
	case FK_STR:
		ok = memchr(m, '\0', f->size) != NULL;
		break;
	case FK_ARRAY:
		ok = ike_ser_get_count(f, rec) <= f->size / f->esize;
		break;
	case FK_BLOB:
		ok = ike_ser_get_count(f, rec) <= f->size &&
		     (ike_ser_get_count(f, rec) == 0 || blob_of(f, rec) != NULL);
		break;
	case FK_ADDR:
		ok = a->family == AF_INET || a->family == AF_INET6;
		break;
	case FK_ID:
		ok = id_type_ok(id->type) && id->len <= IKE_ID_MAX;
		break;
	case FK_TS:
		ok = ts_set_ok((const struct ike_ts_set *)m);
		break;
	default:
		break;
	}
	if (ok && f->valid != NULL)
		ok = f->valid(f, rec);
	return ok ? 0 : -ERANGE;
}

/* Optional fields are left out when empty. */
static bool
field_empty(const struct ike_ser_field *f, const uint8_t *rec)
{
	const uint8_t *m = rec + f->off;

	switch (f->kind) {
	case FK_STR:
		return m[0] == '\0';
	case FK_ARRAY:
	case FK_BLOB:
		return ike_ser_get_count(f, rec) == 0;
	case FK_ADDR:
		return ((const struct ike_addr *)m)->family == 0;
	case FK_ID:
		return ((const struct ike_id *)m)->type == 0;
	case FK_UINT:
	case FK_BOOL:
		return ike_ser_get_uint(m, f->size) == 0;
	default:
		return false;
	}
}

/* Longest value a field can have on the wire. */
static size_t
field_max_len(const struct ike_ser_field *f)
{
	switch (f->kind) {
	case FK_UINT:
	case FK_ARRAY:
	case FK_BLOB:
		return f->size;
	case FK_BOOL:
		return 1;
	case FK_STR:
		return f->size - 1;
	case FK_ADDR:
		return ADDR_WIRE_MAX;
	case FK_ID:
		return ID_WIRE_MAX;
	case FK_SUITE:
		return SUITE_WIRE_LEN;
	case FK_TS:
		return TS_SET_WIRE_MAX;
	default:
		return 0;
	}
}

/* ---- encoding ---- */

static size_t
ip_len(bool v6)
{
	return v6 ? IPV6_LEN : IPV4_LEN;
}

static void
enc_addr(struct ike_wr *w, const struct ike_addr *a)
{
	bool v6 = a->family == AF_INET6;

	ike_wr_u8(w, v6 ? WIRE_IPV6 : WIRE_IPV4);
	ike_wr_u16(w, a->port);
	ike_wr_bytes(w, a->ip, ip_len(v6));
}

static void
enc_suite(struct ike_wr *w, const struct ike_suite *s)
{
	ike_wr_u16(w, s->encr);
	ike_wr_u16(w, s->encr_key_bits);
	ike_wr_u16(w, s->prf);
	ike_wr_u16(w, s->integ);
	ike_wr_u16(w, s->dh);
	ike_wr_u16(w, s->esn);
}

static void
enc_ts_set(struct ike_wr *w, const struct ike_ts_set *s)
{
	ike_wr_u8(w, s->n);
	for (unsigned int i = 0; i < s->n; i++) {
		const struct ike_ts *ts = &s->ts[i];
		size_t alen = ip_len(ts->type == IKE_TS_IPV6_ADDR_RANGE);

		ike_wr_u8(w, ts->type);
		ike_wr_u8(w, ts->ip_proto);
		ike_wr_u16(w, ts->start_port);
		ike_wr_u16(w, ts->end_port);
		ike_wr_bytes(w, ts->start, alen);
		ike_wr_bytes(w, ts->end, alen);
	}
}

static void
enc_array(struct ike_wr *w, const struct ike_ser_field *f, const uint8_t *rec)
{
	uint16_t n = ike_ser_get_count(f, rec);
	const uint8_t *m = rec + f->off;

	if (f->esize == 1) {
		ike_wr_bytes(w, m, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		wr_be(w, ike_ser_get_uint(m + i * f->esize, f->esize), f->esize);
}

static void
enc_value(struct ike_wr *w, const struct ike_ser_field *f, const uint8_t *rec)
{
	const uint8_t *m = rec + f->off;
	const struct ike_id *id = (const struct ike_id *)m;

	switch (f->kind) {
	case FK_UINT:
	case FK_BOOL:
		wr_be(w, ike_ser_get_uint(m, f->size), f->size);
		break;
	case FK_STR:
		ike_wr_bytes(w, m, strlen((const char *)m));
		break;
	case FK_ARRAY:
		enc_array(w, f, rec);
		break;
	case FK_BLOB:
		ike_wr_bytes(w, blob_of(f, rec), ike_ser_get_count(f, rec));
		break;
	case FK_ADDR:
		enc_addr(w, (const struct ike_addr *)m);
		break;
	case FK_ID:
		ike_wr_u8(w, id->type);
		ike_wr_bytes(w, id->data, id->len);
		break;
	case FK_SUITE:
		enc_suite(w, (const struct ike_suite *)m);
		break;
	case FK_TS:
		enc_ts_set(w, (const struct ike_ts_set *)m);
		break;
	default:
		break;
	}
}

/* One TLV, or nothing for an empty optional field. */
static int
put_field(struct ike_wr *w, uint16_t type, const struct ike_ser_field *f, const uint8_t *rec)
{
	uint8_t *len_at;
	size_t start;
	int rc;

	if (!(f->flags & F_M) && field_empty(f, rec))
		return 0;
	rc = kind_check(f, rec);
	if (rc != 0)
		return rc;
	ike_wr_u16(w, type);
	len_at = ike_wr_reserve(w, sizeof(uint16_t));
	start = w->len;
	enc_value(w, f, rec);
	if (len_at != NULL && !w->overflow)
		ike_put_be16(len_at, (uint16_t)(w->len - start));
	return 0;
}

ssize_t
ike_ser_write(const struct ike_ser_record *r, const uint8_t *rec, uint8_t *buf, size_t cap)
{
	struct ike_wr w;
	int rc;

	if (rec == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	rc = r->validate != NULL ? r->validate(rec) : 0;
	if (rc != 0)
		return rc;
	ike_wr_init(&w, buf, cap);
	ike_wr_u32(&w, IKE_STATE_MAGIC);
	ike_wr_u8(&w, IKE_STATE_MAJOR);
	ike_wr_u8(&w, IKE_STATE_MINOR);
	ike_wr_u8(&w, r->kind);
	ike_wr_u8(&w, 0);
	ike_wr_u32(&w, 0);      /* total length, set below */
	for (size_t t = 0; t < r->n_fields && rc == 0; t++) {
		if (r->fields[t].kind != FK_NONE)
			rc = put_field(&w, (uint16_t)t, &r->fields[t], rec);
	}
	if (rc == 0 && w.overflow)
		rc = -ENOSPC;
	if (rc != 0) {
		if (w.len > 0)
			OPENSSL_cleanse(buf, w.len);
		return rc;
	}
	ike_put_be32(buf + IKE_STATE_HDR_LEN - sizeof(uint32_t), (uint32_t)w.len);
	return (ssize_t)w.len;
}

/* ---- decoding: each value is a reader over exactly its TLV's bytes ---- */

static int
dec_addr(struct ike_rd *v, struct ike_addr *a)
{
	uint8_t ver;

	if (!ike_rd_u8(v, &ver))
		return -EBADMSG;
	if (ver != WIRE_IPV4 && ver != WIRE_IPV6)
		return -ERANGE;
	a->family = ver == WIRE_IPV6 ? AF_INET6 : AF_INET;
	if (ike_rd_left(v) != sizeof(uint16_t) + ip_len(ver == WIRE_IPV6) ||
	    !ike_rd_u16(v, &a->port) || !ike_rd_bytes(v, a->ip, ip_len(ver == WIRE_IPV6)))
		return -EBADMSG;
	return 0;
}

static int
dec_id(struct ike_rd *v, struct ike_id *id)
{
	if (!ike_rd_u8(v, &id->type))
		return -EBADMSG;
	if (ike_rd_left(v) > IKE_ID_MAX)
		return -ERANGE;
	id->len = (uint16_t)ike_rd_left(v);
	ike_rd_bytes(v, id->data, id->len);
	return 0;
}

static int
dec_suite(struct ike_rd *v, struct ike_suite *s)
{
	if (ike_rd_left(v) != SUITE_WIRE_LEN)
		return -EBADMSG;
	ike_rd_u16(v, &s->encr);
	ike_rd_u16(v, &s->encr_key_bits);
	ike_rd_u16(v, &s->prf);
	ike_rd_u16(v, &s->integ);
	ike_rd_u16(v, &s->dh);
	ike_rd_u16(v, &s->esn);
	return 0;
}

static int
dec_ts(struct ike_rd *v, struct ike_ts *ts)
{
	size_t alen;

	if (!ike_rd_u8(v, &ts->type))
		return -EBADMSG;
	if (ts->type != IKE_TS_IPV4_ADDR_RANGE && ts->type != IKE_TS_IPV6_ADDR_RANGE)
		return -ERANGE;
	alen = ip_len(ts->type == IKE_TS_IPV6_ADDR_RANGE);
	if (!ike_rd_u8(v, &ts->ip_proto) || !ike_rd_u16(v, &ts->start_port) ||
	    !ike_rd_u16(v, &ts->end_port) || !ike_rd_bytes(v, ts->start, alen) ||
	    !ike_rd_bytes(v, ts->end, alen))
		return -EBADMSG;
	return 0;
}

static int
dec_ts_set(struct ike_rd *v, struct ike_ts_set *s)
{
	int rc;

	if (!ike_rd_u8(v, &s->n))
		return -EBADMSG;
	if (s->n > IKE_TS_MAX)
		return -ERANGE;
	for (unsigned int i = 0; i < s->n; i++) {
		rc = dec_ts(v, &s->ts[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
dec_array(struct ike_rd *v, const struct ike_ser_field *f, uint8_t *rec)
{
	size_t len = ike_rd_left(v);
	uint8_t *m = rec + f->off;
	uint64_t e;

	if (len % f->esize != 0)
		return -EBADMSG;
	if (len > f->size)
		return -ERANGE;
	ike_ser_set_uint(rec + f->off_n, sizeof(uint16_t), len / f->esize);
	if (f->esize == 1) {
		ike_rd_bytes(v, m, len);
		return 0;
	}
	for (size_t i = 0; i < len / f->esize; i++) {
		rd_be(v, &e, f->esize);
		ike_ser_set_uint(m + i * f->esize, f->esize, e);
	}
	return 0;
}

/* A blob of its own length (none for 0). A field seen twice is refused
 * before this (get_field), so no blob is overwritten. */
static int
dec_blob(struct ike_rd *v, const struct ike_ser_field *f, uint8_t *rec)
{
	size_t len = ike_rd_left(v);
	uint8_t *b;

	if (len > f->size)
		return -ERANGE;
	if (len == 0)
		return 0;
	b = malloc(len);
	if (b == NULL)
		return -ENOMEM;
	ike_rd_bytes(v, b, len);
	memcpy(rec + f->off, &b, sizeof(b));
	ike_ser_set_uint(rec + f->off_n, sizeof(uint16_t), len);
	return 0;
}

static int
dec_uint(struct ike_rd *v, const struct ike_ser_field *f, uint8_t *m)
{
	uint64_t x;

	if (ike_rd_left(v) != f->size || !rd_be(v, &x, f->size))
		return -EBADMSG;
	if (f->kind == FK_BOOL && x > 1)
		return -ERANGE;
	ike_ser_set_uint(m, f->size, x);
	return 0;
}

static int
dec_str(struct ike_rd *v, const struct ike_ser_field *f, uint8_t *m)
{
	size_t len = ike_rd_left(v);

	if (len >= f->size)
		return -ERANGE;
	ike_rd_bytes(v, m, len);
	return memchr(m, '\0', len) == NULL ? 0 : -ERANGE;
}

static int
dec_value(struct ike_rd *v, const struct ike_ser_field *f, uint8_t *rec)
{
	uint8_t *m = rec + f->off;

	switch (f->kind) {
	case FK_UINT:
	case FK_BOOL:
		return dec_uint(v, f, m);
	case FK_STR:
		return dec_str(v, f, m);
	case FK_ARRAY:
		return dec_array(v, f, rec);
	case FK_BLOB:
		return dec_blob(v, f, rec);
	case FK_ADDR:
		return dec_addr(v, (struct ike_addr *)m);
	case FK_ID:
		return dec_id(v, (struct ike_id *)m);
	case FK_SUITE:
		return dec_suite(v, (struct ike_suite *)m);
	case FK_TS:
		return dec_ts_set(v, (struct ike_ts_set *)m);
	default:
		return -EBADMSG;
	}
}

/* One TLV: skip it if unknown, else decode and check its value. */
static int
get_field(const struct ike_ser_record *r, struct ike_rd *rd, uint8_t *rec, uint64_t *seen)
{
	const struct ike_ser_field *f;
	const uint8_t *val;
	struct ike_rd v;
	uint16_t type, len;
	int rc;

	if (!ike_rd_u16(rd, &type) || !ike_rd_u16(rd, &len) || !ike_rd_view(rd, &val, len))
		return -EBADMSG;
	if (type >= r->n_fields || r->fields[type].kind == FK_NONE)
		return (type & IKE_STATE_TLV_CRITICAL) ? -EPROTONOSUPPORT : 0;
	if (*seen & (UINT64_C(1) << type))
		return -EBADMSG;
	*seen |= UINT64_C(1) << type;
	f = &r->fields[type];
	ike_rd_init(&v, val, len);
	rc = dec_value(&v, f, rec);
	if (rc == 0 && ike_rd_left(&v) != 0)
		rc = -EBADMSG;
	return rc != 0 ? rc : kind_check(f, rec);
}

int
ike_state_peek(const uint8_t *buf, size_t len, struct ike_state_hdr *hdr)
{
	struct ike_rd r;
	uint32_t magic;
	uint8_t reserved;

	if (buf == NULL || hdr == NULL)
		return -EINVAL;
	ike_rd_init(&r, buf, len);
	if (!ike_rd_u32(&r, &magic) || magic != IKE_STATE_MAGIC || !ike_rd_u8(&r, &hdr->major) ||
	    !ike_rd_u8(&r, &hdr->minor) || !ike_rd_u8(&r, &hdr->kind) ||
	    !ike_rd_u8(&r, &reserved) || !ike_rd_u32(&r, &hdr->total_len))
		return -EBADMSG;
	if (hdr->total_len < IKE_STATE_HDR_LEN || hdr->total_len > len)
		return -EBADMSG;
	return 0;
}

static int
read_header(const struct ike_ser_record *r, const uint8_t *buf, size_t len, struct ike_state_hdr *h)
{
	int rc = ike_state_peek(buf, len, h);

	if (rc != 0)
		return rc;
	if (h->major != IKE_STATE_MAJOR)
		return -EPROTONOSUPPORT;
	if (h->total_len != len || h->kind != r->kind)
		return -EBADMSG;
	return 0;
}

static int
check_mandatory(const struct ike_ser_record *r, const struct ike_state_hdr *h, uint64_t seen)
{
	for (size_t t = 0; t < r->n_fields; t++) {
		const struct ike_ser_field *f = &r->fields[t];

		if (f->kind != FK_NONE && (f->flags & F_M) && h->minor >= f->minor &&
		    !(seen & (UINT64_C(1) << t)))
			return -EBADMSG;
	}
	return 0;
}

int
ike_ser_read(const struct ike_ser_record *r, const uint8_t *buf, size_t len, uint8_t *out)
{
	struct ike_state_hdr h;
	struct ike_rd rd;
	uint64_t seen = 0;
	int rc;

	if (out == NULL)
		return -EINVAL;
	blobs_free(r, out);
	memset(out, 0, r->size);
	rc = read_header(r, buf, len, &h);
	if (rc != 0)
		goto fail;
	ike_rd_init(&rd, buf + IKE_STATE_HDR_LEN, len - IKE_STATE_HDR_LEN);
	while (rc == 0 && ike_rd_left(&rd) > 0)
		rc = get_field(r, &rd, out, &seen);
	if (rc == 0)
		rc = check_mandatory(r, &h, seen);
	if (rc == 0 && r->validate != NULL)
		rc = r->validate(out);
	if (rc == 0)
		return 0;
fail:
	blobs_free(r, out);
	OPENSSL_cleanse(out, r->size);
	return rc;
}

size_t
ike_ser_max_len(const struct ike_ser_record *r)
{
	size_t n = IKE_STATE_HDR_LEN;

	for (size_t t = 0; t < r->n_fields; t++) {
		if (r->fields[t].kind != FK_NONE)
			n += IKE_STATE_TLV_HDR_LEN + field_max_len(&r->fields[t]);
	}
	return n;
}
