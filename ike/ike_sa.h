/* One IKE SA at runtime: the shippable state (struct ike_sa_state of
 * ike_state.h, kept current: HA copies it), its CHILD SAs, and what only
 * lives here: the D-H key pair until IKE_SA_INIT is done, the IKE_SA_INIT
 * messages the AUTH payloads sign (RFC 7296 §2.15), our outstanding
 * requests with their retransmission timers (§2.1, §2.3, §2.4), fragment reassembly
 * (RFC 7383) and the responder's half-open bookkeeping (§2.6). The coarse
 * phase moves only along the transition table in ike_sa.c. */
#ifndef IKE_SA_H
#define IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_conf.h"
#include "ike/ike_dh.h"
#include "ike/ike_frag.h"
#include "ike/ike_state.h"

enum ike_sa_limits {
	IKE_SA_REQ_FRAGS_MAX = IKE_FRAG_MAX,
	IKE_SA_INIT_HASH_LEN = 32,      /* SHA-256 of the first IKE_SA_INIT request */
	IKE_SA_DEL_GONE_MAX = 4,        /* queued DELETEs of CHILD SAs gone here */
};

struct ike_queued;              /* ike_task_queue.c */

struct ike_child {
	struct ike_child_state st;
	const struct ike_conf_child *conf;
	bool installed_in;
	bool installed_out;
	bool out_deferred;              /* rekey collision: outbound waits (§2.8.1) */
	bool soft_fired;                /* soft lifetime acted on (rekey started) */
	bool hard_fired;                /* hard lifetime acted on (DELETE asked) */
	uint64_t expire_ms;             /* REKEYED: removed then without DELETE, 0: none */
	uint64_t rekey_at_ms;           /* HA takeover: rekey then (ike_ha.c), 0: none */
	/* §2.8.1: the peer rekeyed this SA while we did too: the CHILD SA its
	 * exchange made and that exchange's nonces (theirs Ni, ours Nr). */
	uint64_t coll_id;
	struct ike_state_nonce coll_ni;
	struct ike_state_nonce coll_nr;
	struct ike_child *next;
};

/* The CREATE_CHILD_SA exchange we started (RFC 7296 §1.3). */
enum ike_ccsa_kind {
	IKE_CCSA_NONE = 0,
	IKE_CCSA_CHILD_NEW,             /* §1.3.1 additional CHILD SA */
	IKE_CCSA_CHILD_REKEY,           /* §1.3.3 */
	IKE_CCSA_IKE_REKEY,             /* §1.3.2 */
};

struct ike_ccsa {
	uint8_t kind;                   /* enum ike_ccsa_kind */
	uint64_t old_child_id;          /* CHILD_REKEY: the SA being replaced */
	const struct ike_conf_child *conf;
	uint32_t spi;                   /* CHILD: our new inbound SPI */
	uint64_t ike_spi;               /* IKE_REKEY: our new IKE SPI */
	uint16_t group;                 /* D-H group of our KE, IKE_DH_NONE: none */
	struct ike_dh *dh;
	struct ike_state_nonce nonce;   /* our Ni */
	uint8_t n_props;
	struct ike_proposal props[CFG_IKE_MAX_PROPOSALS];   /* as sent, SPI included */
	struct ike_ts_set tsi;
	struct ike_ts_set tsr;
	uint8_t retries;                /* INVALID_KE_PAYLOAD rounds */
	bool again;                     /* send it again (another group) */
};

/* RFC 6311 IKEV2_MESSAGE_ID_SYNC (ike_task_msgid_sync.c): our request
 * (out_*) and the last request of the peer we accepted (in_*). */
struct ike_sa_midsync {
	bool out_active;
	uint32_t out_nonce;
	uint32_t out_m1;                /* the send ID we announced */
	uint32_t out_p1;                /* the receive ID we announced */
	bool in_seen;
	uint32_t in_nonce;
	uint32_t in_m1;
};

/* One request of ours awaiting its response (RFC 7296 §2.1, §2.3), as
 * sent (all fragments back to back), with what its exchange needs when
 * the response comes: the CREATE_CHILD_SA state and the CHILD SA an
 * INFORMATIONAL deletes (parked here from sa->ccsa and sa->del_child_spi
 * when sent, put back when answered: ike_window.h). */
struct ike_win_req {
	uint8_t exchange;
	bool outside;                   /* RFC 6311 sync (ID 0): not in the window */
	uint32_t msgid;
	uint16_t n_frags;               /* 0: one datagram */
	uint16_t frag_len[IKE_SA_REQ_FRAGS_MAX];
	size_t len;
	uint8_t *bytes;
	uint32_t tries;                 /* retransmissions done */
	uint64_t deadline_ms;
	struct ike_ccsa ccsa;
	uint32_t del_child_spi;
	struct ike_win_req *next;       /* by message ID */
};

struct ike_sa {
	struct ike_sa_state st;
	const struct ike_conf_conn *conn;
	const struct ike_conf_child *child_conf;   /* initiator: CHILD SA to create */
	struct ike_child *children;

	/* IKE_SA_INIT (both freed once IKE_AUTH is done). */
	struct ike_dh *dh;
	uint16_t dh_group;
	uint8_t *init_local;            /* our IKE_SA_INIT message as sent */
	size_t init_local_len;
	uint8_t *init_remote;           /* theirs as received */
	size_t init_remote_len;
	uint8_t cookie[IKE_COOKIE_MAX]; /* initiator: the responder's COOKIE */
	uint8_t cookie_len;
	uint8_t init_hash[IKE_SA_INIT_HASH_LEN];   /* responder */
	bool half_open;                 /* counted in the half-open limits */
	uint64_t half_open_deadline_ms;
	uint8_t init_retries;           /* initiator: COOKIE / INVALID_KE rounds */

	/* IKE_AUTH */
	bool peer_certreq;
	bool peer_initial_contact;
	uint32_t child_spi;             /* initiator: SPI of the CHILD SA offered */
	struct ike_ts_set offer_tsi;    /* initiator: TSi/TSr offered */
	struct ike_ts_set offer_tsr;

	/* The exchange being built or processed (its request's, parked in
	 * out while outstanding): INFORMATIONAL we started: DELETE of this
	 * CHILD SA (our inbound SPI); CREATE_CHILD_SA state. */
	uint32_t del_child_spi;
	struct ike_ccsa ccsa;

	/* The work queued while the window is full (ike_task_rekey.c starts
	 * it when there is room). */
	uint32_t pend_del_child;        /* DELETE of this CHILD SA (our inbound SPI) */
	/* CHILD SAs the peer has but we could not set up (already removed
	 * here, §1.4.1): our inbound SPIs, for the next INFORMATIONAL's DELETE */
	uint8_t n_del_gone;
	uint32_t del_gone[IKE_SA_DEL_GONE_MAX];
	bool pend_del_ike;              /* DELETE of this IKE SA (rekeyed, §2.18) */
	bool pend_rekey_ike;
	uint64_t pend_rekey_child;      /* CHILD SA id */
	struct ike_queued *queued;      /* and the rest, in order (ike_task_queue.c) */
	uint64_t pend_at_ms;            /* not before (TEMPORARY_FAILURE back-off) */
	/* IKE SA rekey collision (§2.8.2): the SA the peer's exchange made,
	 * and that exchange's Ni (ours, Nr, is st.collision_nonce). */
	uint64_t coll_sa_id;
	struct ike_state_nonce coll_ni;
	bool rekeyed;                   /* replaced: waits for the DELETE */

	/* Timers (ike_task_dpd.c): the lifetimes in st are wall-clock
	 * seconds; these are monotonic ms, 0: not armed. */
	bool rekey_fired;               /* st.rekey_time acted on */
	bool expire_fired;              /* st.expire_time acted on */
	uint64_t expire_ms;             /* rekeyed: deleted then without DELETE */
	uint64_t keepalive_ms;          /* next NAT-T keepalive */

	struct ike_win_req *out;        /* our outstanding requests (ike_window.h) */
	uint8_t n_out;
	struct ike_frag_rx frag;
	struct ike_sa_midsync midsync;

	struct ike_sa *next_spi;        /* ike_sa_table buckets */
	struct ike_sa *next_init;
	struct ike_sa *next_id;
	struct ike_sa *next;            /* all SAs */
	struct ike_sa *prev;
};

/* Phase change along the table (-EINVAL for a move it does not allow). */
int ike_sa_set_phase(struct ike_sa *sa, enum ike_sa_phase to);
bool ike_sa_phase_allowed(enum ike_sa_phase from, enum ike_sa_phase to);
const char *ike_sa_phase_name(enum ike_sa_phase p);

/* A zeroed SA (NULL if out of memory). */
/* Memory for IKE_SAS IKE SAs and CHILD_SAS CHILD SAs made present now
 * (ike_sa_pool_reserve): the pools still grow past it. 0 or -1. */
int ike_sa_reserve(size_t ike_sas, size_t child_sas);
struct ike_sa *ike_sa_alloc(void);

/* Free everything the SA owns and wipe its keys (children included:
 * callers remove them from the data path first). */
void ike_sa_free(struct ike_sa *sa);

/* Drop the IKE_SA_INIT leftovers (D-H pair, messages) once authenticated. */
void ike_sa_init_done(struct ike_sa *sa);

/* Keep a copy of a message (init_local / init_remote, req). */
int ike_sa_keep(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len);

/* Children */
struct ike_child *ike_sa_child_add(struct ike_sa *sa);
void ike_sa_child_unlink(struct ike_sa *sa, struct ike_child *c);
/* Wipes and frees a CHILD SA (unlinked). */
void ike_sa_child_free(struct ike_child *c);
struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi);
void ike_sa_child_ids(struct ike_sa *sa);     /* refresh st.child_ids */

#endif /* IKE_SA_H */
