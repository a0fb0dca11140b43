/* IKEv2 exchanges as tasks (strongSwan's libcharon/sa/ikev2/tasks): each
 * exchange runs a fixed list of small tasks; each task adds its payloads
 * to our message (build) and takes its payloads from the peer's message
 * (process), as initiator (build_i, process_i) or responder (process_r,
 * build_r). IKE_SA_INIT: ike_init, ike_natd (RFC 7296 §1.2, §2.23);
 * IKE_AUTH: ike_auth, ike_config, child_create, ike_window (§1.2, §2.15,
 * §3.15, §2.9, §2.3);
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
	/* CREATE_CHILD_SA */
	uint8_t ccsa_kind;              /* enum ike_ccsa_kind of this exchange */
	bool ccsa_initiator;            /* we sent the request */
	struct ike_child *old_child;    /* responder: CHILD SA being rekeyed */
	struct ike_sa *new_sa;          /* IKE SA rekey: the new IKE SA */
	struct ike_state_nonce nonce;   /* responder: our Nr */
	uint16_t ke_group;              /* responder: our KE payload (public value) */
	uint16_t ke_len;
	uint8_t ke_pub[IKE_DH_PUBLIC_MAX];
	const struct ike_conf_child *cc;
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
extern const struct ike_task ike_task_ccsa;
extern const struct ike_task ike_task_window;

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

/* CHILD SA helpers (ike_task_child.c) shared with CREATE_CHILD_SA. */
void ike_child_put_spi(struct ike_proposal *p, uint32_t spi);
uint32_t ike_child_get_spi(const struct ike_proposal *p);
const struct ike_addr *ike_child_remote_dyn(const struct ike_sa *sa);
/* Initiator asking for virtual IPs (cfg vips, RFC 7296 §2.19): TSi is all
 * of each family asked for (our inner address is not known yet, §3.13.1),
 * narrowed by the responder to the addresses it gives. */
int ike_child_vip_tsi(const struct ike_sa *sa, struct ike_ts_set *out);
/* KEYMAT from SK_d, [GIR,] NI, NR (§2.17) and the child state; INITIATOR:
 * we initiated the exchange that creates it (the _i keys are then ours). */
int ike_child_fill(struct ike_exch *x, struct ike_child *c, const struct ike_conf_child *cc,
		   const struct ike_suite *esp, bool transport, const struct ike_chunk *gir,
		   const struct ike_chunk *ni, const struct ike_chunk *nr, bool initiator);
int ike_child_install_in(struct ike_exch *x, struct ike_child *c);
/* Outbound; on failure the CHILD SA is abandoned (ike_child_abandon). */
void ike_child_install_out(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);
/* §1.4.1: the peer has a CHILD SA we do not (install failed, reply
 * refused): its DELETE (SPI_IN, our inbound SPI) goes with our next
 * INFORMATIONAL, which ike_rekey_kick starts once the window is free. */
void ike_child_queue_delete(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t spi_in);
/* C, which the peer has, could not be set up here: removed now, its
 * DELETE queued (ike_child_queue_delete). */
void ike_child_abandon(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);

/* CREATE_CHILD_SA (ike_task_rekey.c, ike_task_child_rekey.c,
 * ike_task_ike_rekey.c): start queued work when the peer's window has
 * room (DELETEs after a rekey, rekeys asked for while busy). */
void ike_rekey_kick(struct ike_ctx *ctx, struct ike_sa *sa);
/* An additional CHILD SA of configuration CC in SA: sent now or queued
 * until the peer's window has room. */
int ike_rekey_child_add(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_conf_child *cc);
/* Our CREATE_CHILD_SA in sa->ccsa sent (again: INVALID_KE_PAYLOAD, RFC
 * 6311 sync) under a new message ID; on failure its state is dropped. */
int ike_rekey_resend(struct ike_ctx *ctx, struct ike_sa *sa);
/* INVALID_KE_PAYLOAD in answer to our CREATE_CHILD_SA: true when it is
 * to be sent again with the group the notify names (at most MAX_RETRIES). */
enum { IKE_REKEY_NOTIFY_GROUP_LEN = 2 };	/* notify data: the 16-bit group */
bool ike_rekey_retry_group(struct ike_ccsa *q, const struct ike_notify *n,
			   unsigned int max_retries);
/* TEMPORARY_FAILURE: our CREATE_CHILD_SA again after a random delay. */
void ike_rekey_backoff(struct ike_ctx *ctx, struct ike_sa *sa);
/* An additional CHILD SA of configuration CHILD in IKE SA IKE_SA_ID
 * (§1.3.1; also a test hook). */
int ike_rekey_child_new(struct ike_ctx *ctx, uint64_t ike_sa_id, const char *child);
int ike_rekey_child_start(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);
int ike_rekey_ike_start(struct ike_ctx *ctx, struct ike_sa *sa);
struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
struct ike_child *ike_child_by_id(struct ike_sa *sa, uint64_t id);

/* CREATE_CHILD_SA parts: CHILD SAs (ike_task_child_rekey.c). */
int ike_ccsa_child_build_i(struct ike_exch *x);
int ike_ccsa_child_process_r(struct ike_exch *x);
int ike_ccsa_child_build_r(struct ike_exch *x);
int ike_ccsa_child_process_i(struct ike_exch *x);
void ike_ccsa_child_done(struct ike_exch *x);
/* IKE SA (ike_task_ike_rekey.c). */
int ike_ccsa_ike_build_i(struct ike_exch *x);
int ike_ccsa_ike_process_r(struct ike_exch *x);
int ike_ccsa_ike_build_r(struct ike_exch *x);
int ike_ccsa_ike_process_i(struct ike_exch *x);
void ike_ccsa_ike_done(struct ike_exch *x);
/* The peer deletes C (IKE SA SA) while our colliding rekey of it is
 * still open: the SA its exchange made replaces it now (§2.8.1, §2.8.2). */
void ike_rekey_child_gone(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);
void ike_rekey_ike_gone(struct ike_ctx *ctx, struct ike_sa *sa);
/* §2.8.1: does the exchange with nonces (A_NI, A_NR) hold the lowest of
 * the four nonces of two colliding exchanges? */
bool ike_rekey_lost(const struct ike_state_nonce *a_ni, const struct ike_state_nonce *a_nr,
		    const struct ike_state_nonce *b_ni, const struct ike_state_nonce *b_nr);
/* Nonce of ours (fresh, IKE_NONCE_LEN) */
int ike_rekey_nonce(struct ike_state_nonce *n);
int ike_rekey_set_nonce(struct ike_state_nonce *n, const struct ike_chunk *c);
/* D-H of a CREATE_CHILD_SA: our public value of DH into a KE payload. */
int ike_rekey_add_ke(struct ike_exch *x, const struct ike_dh *dh);
/* Responder: a key pair of GROUP, g^ir with their KE, our public value
 * kept in x->ke_pub for the response. */
int ike_rekey_dh_r(struct ike_exch *x, uint16_t group, struct ike_dh_secret *gir);

/* Work waiting for room in the peer's window (ike_task_queue.c). */
enum ike_queue_kind {
	IKE_QUEUE_CHILD_NEW = 1,        /* additional CHILD SA (§1.3.1) */
	IKE_QUEUE_CHILD_REKEY,          /* §1.3.3 */
	IKE_QUEUE_CHILD_DELETE,         /* §1.4.1 */
};
/* Append (once per CHILD SA and kind): 0, -ENOSPC, -ENOMEM. */
int ike_queue_add(struct ike_sa *sa, uint8_t kind, uint64_t child_id,
		  const struct ike_conf_child *conf);
bool ike_queue_has(const struct ike_sa *sa, uint8_t kind, uint64_t child_id);
/* Start what the window has room for, in order (from ike_rekey_kick). */
void ike_queue_run(struct ike_ctx *ctx, struct ike_sa *sa);
void ike_queue_clear(struct ike_sa *sa);
/* INFORMATIONAL DELETE of C now, or queued while the window is full;
 * -EBUSY when one is outstanding or queued already or SA is not
 * established. */
int ike_queue_child_delete(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);

/* RFC 6311 IKEV2_MESSAGE_ID_SYNC (ike_task_msgid_sync.c): start ours;
 * may a message ID 0 request pass the window (decided once decrypted);
 * the peer's request and the response to ours (true: handled there). */
int ike_msgid_sync_start(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t margin);
bool ike_msgid_sync_window(const struct ike_sa *sa, const struct ike_msg *m);
bool ike_msgid_sync_request(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m);
bool ike_msgid_sync_response(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_msg *m);

/* Timers of established SAs (ike_task_dpd.c): DPD (§1.4, §2.4), NAT-T
 * keepalives (RFC 3948 §4), IKE and CHILD SA lifetimes (§2.8). */
uint64_t ike_dpd_deadline(const struct ike_ctx *ctx, const struct ike_sa *sa);
/* The hard lifetime of C: DELETE (now or queued), else removed. */
void ike_dpd_child_hard(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c);
/* false: the SA is gone. */
bool ike_dpd_run(struct ike_ctx *ctx, struct ike_sa *sa, uint64_t now);

#endif /* IKE_TASK_H */
