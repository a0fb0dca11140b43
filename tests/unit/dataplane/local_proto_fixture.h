/*
 * Fixture shared by the local protocol tests (test_local_proto.c): see
 * local_proto_fixture.c. Frames are Ethernet + IPv4/IPv6 without options
 * or extension headers, or Ethernet + ARP.
 */
#ifndef HAGW_TEST_LOCAL_PROTO_FIXTURE_H
#define HAGW_TEST_LOCAL_PROTO_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "dataplane/dp.h"
#include "dataplane/local_proto.h"
#include "dataplane/neigh.h"

enum {
	N_MBUFS = 256,
	MAX_CAPTURE = 8,
	FRAME_MAX = 2048,
	ETH_LEN = 14,
	IP4_LEN = 20,
	IP6_LEN = 40,
	L4_OFF6 = ETH_LEN + IP6_LEN,
	ICMP6_CSUM_OFF = L4_OFF6 + 2,
	BIG_LEN = 1500,		/* IP datagram length of the too-big packets */
	NEXT_MTU = 1400,
};

/* One frame handed to dp_ctl_tx (output = false) or dp_ctl_output. */
struct capture {
	bool output;
	uint8_t port;
	uint16_t l3_off;
	uint16_t len;
	uint8_t bytes[FRAME_MAX];
};


extern struct dp dp;			/* ports 0 and 1, a fresh neighbour table */
extern struct rte_mempool *pool;	/* priv_size = sizeof(struct dp_mbuf_meta) */
extern unsigned int baseline;		/* pool in-use count after setup */
extern struct capture cap[MAX_CAPTURE];
extern unsigned int n_cap;		/* frames sent since begin() */
extern unsigned int held_sent, held_dropped;	/* neighbour table ops */
extern struct rte_ether_addr held_mac;	/* MAC of the last held packet sent */

extern const struct rte_ether_addr mac_p0, mac_p1;	/* our ports */
extern const struct rte_ether_addr mac_h, mac_h20;	/* hosts on port 0 */

/* EAL and pool; 0 or -1. */
int lp_init(void);
/* Fresh dp state before each test; end() frees it and checks the pool. */
void begin(void);
void end(void);

/* Reference checksum: ones' complement sum of big-endian words. */
uint32_t ref_sum(const uint8_t *p, size_t len, uint32_t sum);
uint16_t ref_fold(uint32_t sum);
/* ICMPv6 checksum over the frame's message; 0 when the field is right. */
uint16_t ref_icmp6(const uint8_t *f, size_t len);
/* Rewrite the ICMPv6 / ICMP checksum of a frame after a mutation. */
void fix_icmp6(uint8_t *f, size_t len);
void fix_icmp4(uint8_t *f, size_t len);

/* What dp_pkt_parse() reports for such frames. */
struct dp_pkt_info info_of(const uint8_t *f, size_t len);
struct rte_mbuf *mbuf_of(const uint8_t *f, size_t len, uint8_t port, uint8_t reason,
			 uint16_t mtu);
/* Feed a frame to dp_arp_input / dp_nd_input / dp_icmp_input (from
 * PORT) or dp_icmp_error (from port 0, with REASON and MTU in the meta). */
void arp_in(const uint8_t *f, size_t len, uint8_t port);
void nd_in(const uint8_t *f, size_t len, uint8_t port);
void icmp_in(const uint8_t *f, size_t len, uint8_t port);
void error_in(const uint8_t *f, size_t len, uint8_t reason, uint16_t mtu);

uint64_t drops(uint8_t port, enum dp_drop_reason r);
uint64_t all_drops(void);
/* Capture I is exactly F (LEN bytes), sent by dp_ctl_output (OUTPUT) or
 * dp_ctl_tx, on / from PORT. */
bool sent_exactly(unsigned int i, bool output, uint8_t port, const uint8_t *f, size_t len);
bool neigh_mac(uint16_t port, uint8_t family, const uint8_t *addr, struct rte_ether_addr *mac);

#endif
