/*
 * One IKEv2 daemon instance (RFC 7296): its configuration, its IKE SAs and
 * CHILD SAs, its DoS state (cookies, half-open limits, §2.6), and the calls
 * a host makes. Everything runs on the host's thread; nothing blocks.
 */
#ifndef IKE_CTX_H
#define IKE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "ike/ike_host.h"
#include "ike/ike_state.h"
#include "ike/ike_types.h"

struct ike_ctx;

/* Counters for show commands and telemetry. */
struct ike_stats {
	uint64_t rx_msgs;                /* datagrams given to ike_input */
	uint64_t tx_msgs;
	uint64_t rx_invalid;             /* malformed, dropped without answer */
	uint64_t rx_bad_icv;             /* SK integrity failed */
	uint64_t rx_unknown_spi;
	uint64_t rx_retransmits;         /* answered from the response cache */
	uint64_t tx_retransmits;
	uint64_t cookies_sent;
	uint64_t half_open_rejected;
	uint64_t auth_failed;
	uint64_t no_proposal;
	uint64_t ike_sas_established;
	uint64_t child_sas_installed;
};

/*
 * Builds a daemon from the validated ike section of a configuration
 * (credentials are read here: certificates, keys, CAs). OPS are copied.
 * NULL with a message in err on failure (nothing half-built is left).
 * NODE_ID (0..65535) makes SA ids and SPIs unique across an appliance pair.
 */
struct ike_ctx *ike_ctx_new(const struct cfg_ike *cfg, const struct ike_host_ops *ops,
			    uint16_t node_id, char *err, size_t err_len);
/* Deletes every SA (child_remove for each CHILD SA, no DELETE sent) and
 * wipes all keys. */
void ike_ctx_free(struct ike_ctx *ctx);
/* Memory for IKE_SAS IKE SAs and CHILD_SAS CHILD SAs made present now
 * (ike_sa_reserve); more are still allocated on demand. 0 or -1. */
int ike_ctx_reserve(size_t ike_sas, size_t child_sas);

/* One UDP datagram (the UDP payload; on port 4500 still with the non-ESP
 * marker) that arrived on LOCAL from REMOTE. */
void ike_input(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	       const uint8_t *data, size_t len);

/* Runs due timers (retransmits, DPD, rekeys, expiries, half-open
 * timeouts, NAT keepalives). Returns the next deadline in now_ms() time,
 * UINT64_MAX when none. */
uint64_t ike_tick(struct ike_ctx *ctx);
uint64_t ike_next_deadline(const struct ike_ctx *ctx);

/* Operator and data-path triggers. 0 or a negative errno (-ENOENT: no
 * such connection/child/SA). */
int ike_initiate(struct ike_ctx *ctx, const char *conn, const char *child);
int ike_terminate_ike(struct ike_ctx *ctx, uint64_t ike_sa_id);
int ike_terminate_child(struct ike_ctx *ctx, uint64_t child_id);
int ike_rekey_ike(struct ike_ctx *ctx, uint64_t ike_sa_id);
int ike_rekey_child(struct ike_ctx *ctx, uint64_t child_id);
/* The data path's soft (rekey) or hard (gone) lifetime event of a CHILD
 * SA, found by the SPI of one of its ESP SAs. */
void ike_child_expired(struct ike_ctx *ctx, uint32_t spi, bool hard);

/* Show commands: calls CB for each IKE SA (CHILD SAs through
 * ike_child_foreach); a non-zero return stops the walk and is returned. */
int ike_sa_foreach(const struct ike_ctx *ctx,
		   int (*cb)(const struct ike_sa_state *sa, void *arg), void *arg);
/* CB for the one IKE SA with IKE_SA_ID (CB's return), or -ENOENT. */
int ike_sa_visit(const struct ike_ctx *ctx, uint64_t ike_sa_id,
		 int (*cb)(const struct ike_sa_state *sa, void *arg), void *arg);
int ike_child_foreach(const struct ike_ctx *ctx, uint64_t ike_sa_id,
		      int (*cb)(const struct ike_child_state *child, void *arg), void *arg);
const struct ike_stats *ike_get_stats(const struct ike_ctx *ctx);
/* IKE SAs held, any phase. */
unsigned int ike_sa_count(const struct ike_ctx *ctx);
unsigned int ike_half_open_count(const struct ike_ctx *ctx);

/* HA (issue 5): install state received from the peer appliance (inactive
 * until takeover) and export. Declared here so the state layout stays the
 * one contract; implemented by the HA work. */

#endif /* IKE_CTX_H */
