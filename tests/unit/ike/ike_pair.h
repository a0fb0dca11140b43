/* Two IKE daemons wired together in memory for exchange tests (the way
 * strongSwan's test_child_rekey.c runs two IKE SAs against each other):
 * host ops on a datagram queue, a fake clock, drop/duplicate of the n-th
 * datagram, and a record of every install/remove/state hook. */
#ifndef IKE_PAIR_H
#define IKE_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "ike/ike_ctx.h"

enum {
	PAIR_QUEUE_MAX = 256,
	PAIR_REC_MAX = 32,
	PAIR_EV_COUNT = IKE_EV_CHILD_DOWN + 1,
	PAIR_OPS_MAX = 64,
	PAIR_LOG_BUF = 65536,
};

struct ike_pair_dgram {
	int to;                         /* side index */
	struct ike_addr src;
	struct ike_addr dst;
	size_t len;
	uint8_t *data;
};

struct ike_pair;

struct ike_pair_side {
	struct ike_pair *pair;
	int idx;
	struct ike_ctx *ctx;
	struct cfg_ike *cfg;
	struct ike_addr addr;           /* our IKE address (port 500) */
	int n_in;
	int n_out;
	int n_removed;
	struct ike_child_state in[PAIR_REC_MAX];
	struct ike_child_state out[PAIR_REC_MAX];
	uint32_t removed_spi_in[PAIR_REC_MAX];
	int n_ev[PAIR_EV_COUNT];
	int fail_inbound;               /* child_install_inbound returns this */
	int fail_outbound;              /* child_install_outbound returns this */
	int n_sent;
	/* data path calls in order: 'I' inbound, 'O' outbound, 'R' removed,
	 * with the CHILD SA's spi_in */
	int n_ops;
	char op[PAIR_OPS_MAX];
	uint32_t op_spi[PAIR_OPS_MAX];
	size_t log_len;                 /* every log line, all levels */
	char *logbuf;
};

struct ike_pair {
	struct ike_pair_side side[2];
	uint64_t now_ms;
	int qn;
	struct ike_pair_dgram q[PAIR_QUEUE_MAX];
	int n_sent;                     /* datagrams sent by both sides */
	int drop_nth;                   /* 1-based; 0: none */
	int dup_nth;
	int n_log;
	struct ike_pair_dgram log[PAIR_QUEUE_MAX];   /* copies of all sent */
	bool verbose;
	bool mute[2];                   /* datagrams to that side are lost */
};

/* A usable ike section: PSK, one connection "gw" with CHILD "net", the
 * secret for carol@example.org / moon.example.org. INITIATOR: side 0
 * (192.0.2.10, carol) with remote 192.0.2.1; else side 1 (moon, any
 * remote, local_ts 10.1.0.0/16). Caller frees. */
struct cfg_ike *ike_pair_cfg(bool initiator);

/* Both daemons from the configurations (taken over, freed at the end).
 * 0 or -1 (err printed). */
int ike_pair_init(struct ike_pair *p, struct cfg_ike *c0, struct cfg_ike *c1);
/* Forget side IDX (ike_ctx_free) and start it again from its config. */
int ike_pair_restart(struct ike_pair *p, int idx);
void ike_pair_free(struct ike_pair *p);

/* Deliver the first queued datagram (1) or nothing (0). */
int ike_pair_step(struct ike_pair *p);
/* Deliver queued datagrams until none is left; returns how many. */
int ike_pair_run(struct ike_pair *p);
/* Advance the clock by MS and run both sides' timers (and deliveries). */
void ike_pair_advance(struct ike_pair *p, uint64_t ms);
/* Drop the queue. */
void ike_pair_flush(struct ike_pair *p);

/* The first IKE SA of a side (NULL if none) and counts. */
const struct ike_sa_state *ike_pair_sa(const struct ike_pair *p, int idx);
int ike_pair_sa_count(const struct ike_pair *p, int idx);
int ike_pair_child_count(const struct ike_pair *p, int idx);

/* Did side IDX log a line containing TEXT? */
bool ike_pair_logged(const struct ike_pair *p, int idx, const char *text);
/* Index of the first data path call OP for spi_in SPI on side IDX, -1. */
int ike_pair_op_at(const struct ike_pair *p, int idx, char op, uint32_t spi);

/* Parse "a.b.c.d" into an address with PORT. */
void ike_pair_addr(struct ike_addr *a, const char *ip, uint16_t port);

/* Copy PKI fixture NAME (e.g. "moon.key") into a private temp dir with
 * mode 600 and return its path (static storage per call slot). */
const char *ike_pair_pki(const char *dir, const char *name);

#endif /* IKE_PAIR_H */
