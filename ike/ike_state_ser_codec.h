/* The table-driven TLV record codec behind ike_state_ser.h (private to
 * ike_state_ser*.c): a record kind is a table of field descriptors indexed
 * by TLV type, each naming a member of the host struct, its value kind and
 * its value check. One writer and one two-step reader (bounds, then
 * values) serve every record kind. */
#ifndef IKE_STATE_SER_CODEC_H
#define IKE_STATE_SER_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "ike/ike_state_ser.h"

enum ike_ser_kind {
	FK_NONE = 0,    /* no field with this TLV type */
	FK_UINT,        /* unsigned integer of its member's size */
	FK_BOOL,
	FK_STR,         /* NUL-terminated char array */
	FK_ARRAY,       /* counted array (uint16_t count member) of 1/2/4/8-byte elements */
	FK_ADDR,        /* struct ike_addr */
	FK_ID,          /* struct ike_id */
	FK_SUITE,       /* struct ike_suite */
	FK_TS,          /* struct ike_ts_set */
	FK_BLOB,        /* uint8_t * to a heap blob of count (uint16_t member) bytes,
			 * at most size; decoding allocates it, and the record
			 * owns it (ike_ser_read frees what a record held) */
};

enum ike_ser_flag {
	F_OPT = 0,
	F_M = 1,        /* mandatory from version 1.<minor> on */
};

struct ike_ser_field;
typedef bool (*ike_ser_valid_fn)(const struct ike_ser_field *f, const uint8_t *rec);

struct ike_ser_field {
	uint8_t kind;           /* enum ike_ser_kind */
	uint8_t flags;          /* enum ike_ser_flag */
	uint8_t minor;          /* format minor version that added the field */
	uint8_t esize;          /* FK_ARRAY: element size; FK_BLOB: 1 */
	uint32_t off;           /* member offset in the record */
	uint32_t size;          /* member size (the whole array for arrays; a
				 * blob's largest length) */
	uint32_t off_n;         /* FK_ARRAY, FK_BLOB: offset of its uint16_t count */
	ike_ser_valid_fn valid; /* value check beyond the kind's, or NULL */
};

struct ike_ser_record {
	uint8_t kind;           /* enum ike_state_record_kind */
	size_t size;            /* sizeof the struct */
	const struct ike_ser_field *fields;
	size_t n_fields;        /* indexed by TLV type; at most 64 */
	int (*validate)(const uint8_t *rec);   /* checks across fields, or NULL */
};

/* Members of a record, by offset and size (1, 2, 4 or 8 bytes). */
static inline uint64_t
ike_ser_get_uint(const uint8_t *p, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case sizeof(u8):
		memcpy(&u8, p, size);
		return u8;
	case sizeof(u16):
		memcpy(&u16, p, size);
		return u16;
	case sizeof(u32):
		memcpy(&u32, p, size);
		return u32;
	case sizeof(u64):
		memcpy(&u64, p, size);
		return u64;
	default:
		return 0;
	}
}

static inline void
ike_ser_set_uint(uint8_t *p, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (size) {
	case sizeof(u8):
		memcpy(p, &u8, size);
		break;
	case sizeof(u16):
		memcpy(p, &u16, size);
		break;
	case sizeof(u32):
		memcpy(p, &u32, size);
		break;
	case sizeof(v):
		memcpy(p, &v, size);
		break;
	default:
		break;
	}
}

static inline uint16_t
ike_ser_get_count(const struct ike_ser_field *f, const uint8_t *rec)
{
	return (uint16_t)ike_ser_get_uint(rec + f->off_n, sizeof(uint16_t));
}

/* Write rec as one record of kind r into buf: its length or -errno. */
ssize_t ike_ser_write(const struct ike_ser_record *r, const uint8_t *rec, uint8_t *buf,
		      size_t cap);

/* Read exactly one record of kind r from buf into out (r->size bytes,
 * zeroed first, wiped on error): 0 or -errno. */
int ike_ser_read(const struct ike_ser_record *r, const uint8_t *buf, size_t len, uint8_t *out);

/* The longest record of kind r. */
size_t ike_ser_max_len(const struct ike_ser_record *r);

#endif /* IKE_STATE_SER_CODEC_H */
