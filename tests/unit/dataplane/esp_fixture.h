/*
 * Fixture for the ESP transform tests and the inbound fuzz target: EAL,
 * a struct dp with one worker (its IPsec-MB manager, the SA database, the
 * SA event ring, a packet pool), test doubles of dp_worker_drop() and
 * dp_worker_punt() that count and keep what they get, and mbufs built
 * from bytes, also over exactly sized heap buffers so that ASan sees any
 * read past the end of a packet.
 */
#ifndef HAGW_TEST_ESP_FIXTURE_H
#define HAGW_TEST_ESP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/sa.h"
#include "tests/unit/dataplane/esp_ref.h"

enum {
	FX_L2_LEN = 14,			/* Ethernet header in front of every packet */
	FX_MAX_PUNT = 64,
	FX_PORT = 0,
	FX_N_MBUFS = 1024,
};

struct esp_fx {
	struct dp dp;
	struct dp_worker *w;
	struct IMB_MGR *w_mgr;		/* = w->mgr; LSan does not scan DPDK memory */
	struct rte_mempool *pool;
	unsigned int baseline;		/* pool in-use count after setup */
	unsigned int n_punt;
	struct rte_mbuf *punt[FX_MAX_PUNT];	/* punted packets, kept for inspection */
};

extern struct esp_fx fx;

/* EAL with the given file prefix, then the fixture. 0 or -1. */
int fx_init(const char *prog, const char *prefix);
void fx_fini(void);


/* Zeroes the worker's counters, frees kept punts, empties the event ring. */
void fx_reset(void);
uint64_t fx_drops(enum dp_drop_reason why);
/* Sum of all port drop counters. */
uint64_t fx_drops_total(void);
unsigned int fx_in_use(void);

/* Adds an SA; NULL (and a message on stderr) on failure. */
struct dp_sa *fx_sa_add(const struct dp_sa_params *p);
void fx_sa_del(struct dp_sa *sa);

/* A frame: FX_L2_LEN bytes of Ethernet header, then l3 (len bytes), with
 * headroom as the pool gives it. meta: l3_off = FX_L2_LEN, mtu = 0. */
struct rte_mbuf *fx_mbuf(const uint8_t *l3, uint16_t len);
/* The same over a heap buffer of exactly headroom + FX_L2_LEN + len bytes
 * (no tailroom): overreads hit ASan. */
struct rte_mbuf *fx_mbuf_exact(const uint8_t *l3, uint16_t len, uint16_t headroom);

/* Test addresses: outer A -> B (IPv4 192.0.2.1/.2, IPv6 2001:db8::1/::2),
 * inner client -> LAN host (10.9.0.5 -> 203.0.113.10, 2001:db8:9::5 ->
 * 2001:db8:1::10), and the keys every test SA uses. */
extern const uint8_t fx_a4[4], fx_b4[4], fx_a6[16], fx_b6[16];
extern const uint8_t fx_c4[4], fx_l4[4], fx_c6[16], fx_l6[16];
extern const uint8_t fx_key[DP_ESP_MAX_ENC_KEY], fx_auth_key[DP_ESP_MAX_AUTH_KEY];

/* One SA configuration: algorithm, mode, inner and outer family
 * (AF_INET / AF_INET6; transport: inner = outer), UDP encapsulation, ESN. */
struct fx_combo {
	enum dp_sa_alg alg;
	enum dp_sa_mode mode;
	int inner;
	int outer;
	bool udp;
	bool esn;
};

/* Parameters of the outbound SA (A -> B) or of its mirror, the inbound SA
 * at B (same SPI and keys; local B, remote A); no selectors, window 64,
 * UDP ports 4500 -> 4500, DF copy, DSCP copy. */
void fx_params(struct dp_sa_params *p, const struct fx_combo *c, uint32_t spi,
	       enum dp_sa_dir dir);

/* An outbound SA and its inbound mirror, and the reference's view. */
struct fx_pair {
	struct dp_sa *out;
	struct dp_sa *in;
	struct ref_sa ref;
};

int fx_pair_make(struct fx_pair *pr, const struct fx_combo *c, uint32_t spi);
int fx_pair_make_p(struct fx_pair *pr, const struct dp_sa_params *out,
		   const struct dp_sa_params *in);
void fx_pair_free(struct fx_pair *pr);

/* Offset of the ESP header in a frame from the outbound SA of c. */
uint16_t fx_esp_off(const struct fx_combo *c, uint16_t inner_hdr_len);

#endif
