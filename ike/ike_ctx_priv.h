/* Inside of an IKEv2 daemon instance (ike_ctx.h): what the pipeline, the
 * tasks and the timers share. Not for hosts. */
#ifndef IKE_CTX_PRIV_H
#define IKE_CTX_PRIV_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "ike/ike_conf.h"
#include "ike/ike_cookie.h"
#include "ike/ike_msg.h"
#include "ike/ike_ctx.h"
#include "ike/ike_ha.h"
#include "ike/ike_pool.h"
#include "ike/ike_sa.h"
#include "ike/ike_sa_table.h"
#include "ike/ike_spi_set.h"

enum ike_ctx_limits {
	IKE_CTX_BUF = IKE_MSG_MAX + 1,
	/* one answer to unprotected messages per second (§2.21.4):
	 * INVALID_IKE_SPI, INVALID_MAJOR_VERSION */
	IKE_CTX_INVALID_SPI_MS = 1000,
	IKE_CTX_HALF_OPEN_MS = 30000,   /* a responder's IKE_AUTH must come by then */
	/* Largest IKE_SA_INIT request kept by a half-open SA (it cannot be
	 * fragmented; strongSwan's default proposals make ~900 octets): caps
	 * the memory half_open_max SAs can hold. */
	IKE_CTX_INIT_MAX = 8192,
};

struct ike_ctx {
	struct ike_host_ops ops;
	uint16_t node_id;
	struct ike_conf *conf;
	struct ike_sa_table table;
	struct ike_cookie cookie;
	struct ike_pool_set pools;
	struct ike_stats stats;
	struct ike_spi_set esp_spis;      /* inbound ESP SPIs handed out */
	uint64_t timer_next_ms;         /* ike_timer.c: cached earliest deadline */
	uint64_t sa_seq;
	uint64_t child_seq;
	uint32_t reqid_seq;
	uint64_t invalid_spi_ms;        /* last of those answers (or log line), 0: none */
	bool ha_passive;                /* HA standby (ike_ha.h): no input, no timers */
	struct ike_ha_stats ha_stats;
	struct ike_midsync_due {        /* RFC 6311 syncs a takeover left to send (ike_ha.c) */
		uint64_t *ids;          /* IKE SA ids, in the order of the takeover */
		size_t n, next;
		uint32_t margin;
		uint32_t burst;         /* sent per ike_tick() */
	} midsync_due;
	uint8_t rx[IKE_CTX_BUF];        /* a received message, decrypted in place */
	uint8_t tx[IKE_CTX_BUF];        /* the message being built */
	uint8_t plain[IKE_CTX_BUF];     /* plaintext being cut into fragments */
	uint8_t reasm[IKE_CTX_BUF];     /* reassembled plaintext of a received message */
	struct ike_msg msg;             /* the received message being processed */
};

/* ike_ha.c: the RFC 6311 syncs a takeover queued: any left, the next
 * burst of them, and the queue dropped (going passive, freeing). */
bool ike_ha_midsync_pending(const struct ike_ctx *ctx);
void ike_ha_midsync_tick(struct ike_ctx *ctx);
void ike_ha_midsync_clear(struct ike_ctx *ctx);

void ike_logf(struct ike_ctx *ctx, enum ike_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One line per event: function and SPIs first, never keys. */
#define IKE_LOG(ctx, lvl, fmt, ...) \
	ike_logf(ctx, lvl, "%s: " fmt, __func__, ##__VA_ARGS__)
#define IKE_LOG_SA(ctx, sa, lvl, fmt, ...) \
	ike_logf(ctx, lvl, "%s %016" PRIx64 "_i %016" PRIx64 "_r: " fmt, __func__, \
		 (sa)->st.spi_i, (sa)->st.spi_r, ##__VA_ARGS__)

uint64_t ike_ctx_now_ms(const struct ike_ctx *ctx);
uint64_t ike_ctx_wall_s(const struct ike_ctx *ctx);
void ike_ctx_event(struct ike_ctx *ctx, enum ike_state_event ev, const struct ike_sa *sa,
		   const struct ike_child *child);

/* A new SA (not in the table yet) with its id and, for an initiator, SPIi. */
struct ike_sa *ike_ctx_sa_new(struct ike_ctx *ctx, bool initiator,
			      const struct ike_conf_conn *conn);
/* A fresh unique IKE SPI of ours. */
int ike_ctx_ike_spi(struct ike_ctx *ctx, uint64_t *spi);
/* A fresh unique inbound ESP SPI. */
int ike_ctx_esp_spi(struct ike_ctx *ctx, uint32_t *spi);
uint64_t ike_ctx_child_id(struct ike_ctx *ctx);
uint32_t ike_ctx_reqid(struct ike_ctx *ctx);

/* Remove one CHILD SA: data path, event, free. */
void ike_ctx_child_remove(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);
/* The CHILD SA with CHILD_ID and its IKE SA (*OWNER), or NULL. HINT (may
 * be NULL), the IKE SA it most likely belongs to, is searched first; the
 * rest is a walk of every IKE SA. */
struct ike_child *ike_ctx_child_find(const struct ike_ctx *ctx, uint64_t child_id,
				     struct ike_sa *hint, struct ike_sa **owner);
/* The SA is over: children removed, virtual IPs released, SA_DOWN if it
 * was up, out of the table, freed. */
void ike_ctx_sa_delete(struct ike_ctx *ctx, struct ike_sa *sa, const char *why);
/* Half-open accounting of a responder SA. */
void ike_ctx_half_open_end(struct ike_ctx *ctx, struct ike_sa *sa);

/* Pools for the config task. */
struct ike_pool_set *ike_ctx_pools(struct ike_ctx *ctx);

#endif /* IKE_CTX_PRIV_H */
