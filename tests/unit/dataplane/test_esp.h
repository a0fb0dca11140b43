/*
 * Helpers shared by the ESP transform test files (test_esp.c: outbound,
 * round trips, known answer; test_esp_inbound.c: inbound checks, ECN).
 */
#ifndef HAGW_TEST_ESP_H
#define HAGW_TEST_ESP_H

#include <CUnit/Basic.h>

#include "dataplane/esp.h"
#include "tests/unit/dataplane/esp_fixture.h"

enum {
	T_BURST = 128,
	T_TOS = 0xb9,			/* DSCP 46 (EF), ECN ECT(1) */
};

/* Runs one SA over n packets. */
uint16_t t_out(struct dp_sa *sa, struct rte_mbuf **m, uint16_t n);
/* Sets esp_off and runs the inbound SA over n packets. */
uint16_t t_in(struct dp_sa *sa, struct rte_mbuf **m, uint16_t n, uint16_t esp_off);

/* The plaintext packet of c: tunnel client -> LAN host of c->inner,
 * transport A -> B of c->outer; UDP with payload bytes. */
uint16_t t_inner(uint8_t *buf, const struct fx_combo *c, uint16_t payload, uint8_t tos, bool df);

/* Sets the outbound SA's last reserved sequence number and the inbound
 * window's top (0: leave). */
void t_set_seq(struct fx_pair *pr, uint64_t out_last, uint64_t in_top);

/* A tunnel-mode packet of c's inbound SA built by the reference: outer
 * B <- A with tos, plain (already padded, trailer included); esp_off set. */
struct rte_mbuf *t_ref_in(const struct fx_pair *pr, const struct fx_combo *c, uint64_t seq,
			  const uint8_t *plain, uint16_t plain_len, uint8_t outer_tos);

static inline uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

/* Outbound test cases (test_esp_outbound.c). */
void test_outer_dscp_ecn_df(void);
void test_outer_ip_id(void);
void test_mtu_tunnel(void);
void test_mtu_other(void);
void test_seq_interleaved(void);
void test_big_burst(void);
void test_lifetime_packets(void);
void test_lifetime_seq_space(void);
void test_lifetime_inbound(void);
void test_out_room(void);
void test_out_transport_limits(void);
void test_out_l2_padding(void);

/* Inbound test cases (test_esp_inbound.c). */
void test_in_replay(void);
void test_in_auth(void);
void test_in_truncated(void);
void test_in_trailer(void);
void test_in_padding_lengths(void);
void test_in_inner(void);
void test_in_transport(void);
void test_in_selectors(void);
void test_in_ecn(void);
void test_in_misc(void);

#endif
