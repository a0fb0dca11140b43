/* Shared helpers of the IKEv2 message parser/builder tests
 * (test_ike_msg*.c, ike/ike_msg.h). */
#ifndef TEST_IKE_MSG_H
#define TEST_IKE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/Basic.h>

#include "ike/ike_msg.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum { T_BUF = 4096 };

/* Hex digits (spaces ignored) into out; returns the byte count, aborts on bad input. */
size_t t_hex(const char *hex, uint8_t *out, size_t cap);

/* A header with t_hdr's fields, next payload first and flags, followed by
 * chain; the length field is the real length plus len_delta. */
size_t t_msg(uint8_t *buf, size_t cap, uint8_t first, uint8_t flags, const uint8_t *chain,
	     size_t len, int len_delta);

/* The header used by the tests' builders. */
extern const struct ike_hdr t_hdr;

/* Valid messages of every kind (also the fuzz seeds); each returns its length. */
size_t t_build_sa_init(uint8_t *buf, size_t cap);
size_t t_build_auth(uint8_t *buf, size_t cap);
size_t t_build_informational(uint8_t *buf, size_t cap);
size_t t_build_create_child(uint8_t *buf, size_t cap);
size_t t_build_skf(uint8_t *buf, size_t cap);
/* The IKE_SA_INIT request of test_ike_msg_wire.c, laid out as strongSwan's. */
size_t t_strongswan_sa_init(uint8_t *buf, size_t cap);

void t_add_roundtrip_tests(CU_pSuite s);
void t_add_bad_tests(CU_pSuite s);
void t_add_wire_tests(CU_pSuite s);

#endif /* TEST_IKE_MSG_H */
