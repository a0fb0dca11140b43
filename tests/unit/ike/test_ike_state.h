/* Fixtures shared by the IKE state record tests (test_ike_state.c: round
 * trips and the exact format; test_ike_state_bad.c: malformed records). */
#ifndef TEST_IKE_STATE_H
#define TEST_IKE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "ike/ike_state.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	BUF_MAX = 16384,
	HDR = 12,               /* IKE_STATE_HDR_LEN, spelled out */
	TLV_HDR = 4,
	MAJOR_OFF = 4,          /* header bytes */
	MINOR_OFF = 5,
	KIND_OFF = 6,
	RESERVED_OFF = 7,
	TOTAL_OFF = 8,
};

extern uint8_t blob[BUF_MAX], blob2[BUF_MAX];

void set_key(struct ike_key *k, uint16_t len, uint8_t seed);
void set_addr(struct ike_addr *a, bool v6, uint8_t seed, uint16_t port);
void set_str(char *dst, size_t cap, char c, size_t n);

/* Every field non-zero (where a value check allows). */
void fill_sa(struct ike_sa_state *s);
void fill_child(struct ike_child_state *c);
void fill_sa_max(struct ike_sa_state *s);

/* Serialize into buf (BUF_MAX bytes); a failure is fatal. */
size_t ser_sa(const struct ike_sa_state *s, uint8_t *buf);
size_t ser_child(const struct ike_child_state *c, uint8_t *buf);

uint16_t be16(const uint8_t *p);
void put16(uint8_t *p, uint16_t v);
void set_total(uint8_t *p, size_t len);
size_t put_tlv(uint8_t *dst, size_t d, uint16_t type, const uint8_t *val, size_t vlen);
size_t edit_tlv(const uint8_t *src, size_t len, uint16_t type, const uint8_t *val, int vlen,
		uint8_t *dst);
bool all_zero(const void *p, size_t n);
void write_seed(const char *name, const uint8_t *p, size_t n);

/* Adds the malformed-record tests to suite. */
void test_ike_state_bad_add(CU_pSuite suite);

#endif /* TEST_IKE_STATE_H */
