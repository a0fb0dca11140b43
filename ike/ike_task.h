/* IKEv2 exchanges as tasks (strongSwan's libcharon/sa/ikev2/tasks): each
 * exchange runs a fixed list of small tasks; each task adds its payloads
 * to our message (build) and takes its payloads from the peer's message
 * (process), as initiator (build_i, process_i) or responder (process_r,
 * build_r). IKE_SA_INIT: ike_init, ike_natd (RFC 7296 §1.2, §2.23);
 * IKE_AUTH: ike_auth, ike_config, child_create (§1.2, §2.15, §3.15, §2.9);
 * INFORMATIONAL: ike_info (§1.4: DELETE, liveness). The driver in
 * ike_task_run.c sends, answers and moves the SA along its phases. */
#ifndef IKE_TASK_H
#define IKE_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike_io.h"

/* One exchange in progress. */
struct ike_exch {
	struct ike_ctx *ctx;
	struct ike_sa *sa;
	const struct ike_addr *local;   /* where the message came in */
	const struct ike_addr *remote;
	struct ike_msg *in;             /* the peer's message; NULL in build_i */
	const uint8_t *raw;             /* IKE_SA_INIT: the peer's message as received */
	size_t raw_len;
	struct ike_proposal chosen;     /* responder: accepted proposal (IKE or ESP) */
	uint16_t n_del;                 /* INFORMATIONAL: our SPIs of deleted CHILD SAs */
	uint32_t del_spis[IKE_DELETE_SPIS_MAX];
	struct ike_msg_builder *b;      /* our message */
	uint16_t notify;                /* error that ends the exchange (and the SA) */
	uint8_t notify_data[2];
	uint8_t notify_data_len;
	bool stateless;                 /* IKE_SA_INIT error: answer without an SA */
	bool retry;                     /* initiator: send IKE_SA_INIT again */
	uint16_t child_notify;          /* the CHILD SA failed, the IKE SA stays */
	struct ike_child *child;        /* CHILD SA being created */
	bool delete_ike;                /* INFORMATIONAL: the peer deletes the IKE SA */
};

struct ike_task {
	const char *name;
	int (*build_i)(struct ike_exch *x);
	int (*process_r)(struct ike_exch *x);
	int (*build_r)(struct ike_exch *x);
	int (*process_i)(struct ike_exch *x);
	/* The exchange completed (responder: response sent; initiator:
	 * response processed) without error. */
	void (*done)(struct ike_exch *x);
};

extern const struct ike_task ike_task_init;
extern const struct ike_task ike_task_natd;
extern const struct ike_task ike_task_auth;
extern const struct ike_task ike_task_config;
extern const struct ike_task ike_task_child;
extern const struct ike_task ike_task_info;

/* Driver (ike_task_run.c). */
int ike_exch_initiate(struct ike_ctx *ctx, struct ike_sa *sa, uint8_t exchange);
/* Responder: a request (IKE_SA_INIT with a tentative SA not in the table:
 * it is added or freed here). */
void ike_exch_request(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_msg *m,
		      const struct ike_addr *local, const struct ike_addr *remote,
		      const uint8_t *raw, size_t raw_len);
/* Initiator: the response to our outstanding request. */
void ike_exch_response(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_msg *m,
		       const struct ike_addr *local, const struct ike_addr *remote,
		       const uint8_t *raw, size_t raw_len);
/* Responder: answer an authenticated but malformed request with NOTIFY
 * (§2.21.2: INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD); an SA not yet
 * established goes. */
void ike_exch_reject(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m,
		     uint16_t notify);
/* INFORMATIONAL DELETE of the IKE SA (ike_terminate_ike). */
int ike_exch_delete(struct ike_ctx *ctx, struct ike_sa *sa);

/* Helpers shared by tasks. */
void ike_task_fail(struct ike_exch *x, uint16_t notify);
/* The chunk view of a state nonce. */
struct ike_chunk ike_task_nonce(const struct ike_state_nonce *n);

#endif /* IKE_TASK_H */
