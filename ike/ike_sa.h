/* One IKE SA at runtime: the shippable state (struct ike_sa_state of
 * ike_state.h, kept current: HA copies it), its CHILD SAs, and what only
 * lives here: the D-H key pair until IKE_SA_INIT is done, the IKE_SA_INIT
 * messages the AUTH payloads sign (RFC 7296 §2.15), our outstanding
 * request with its retransmission timer (§2.1, §2.4), fragment reassembly
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
};

struct ike_child {
	struct ike_child_state st;
	const struct ike_conf_child *conf;
	bool installed_in;
	bool installed_out;
	struct ike_child *next;
};

/* Our request awaiting its response, as sent (all fragments back to back). */
struct ike_sa_req {
	bool active;
	uint8_t exchange;
	uint32_t msgid;
	uint16_t n_frags;               /* 0: one datagram */
	uint16_t frag_len[IKE_SA_REQ_FRAGS_MAX];
	size_t len;
	uint8_t *bytes;
	uint32_t tries;                 /* retransmissions done */
	uint64_t deadline_ms;
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

	/* INFORMATIONAL we started: DELETE of this CHILD SA (our inbound SPI) */
	uint32_t del_child_spi;

	struct ike_sa_req req;
	struct ike_frag_rx frag;

	struct ike_sa *next_spi;        /* ike_sa_table buckets */
	struct ike_sa *next_init;
	struct ike_sa *next;            /* all SAs */
	struct ike_sa *prev;
};

/* Phase change along the table (-EINVAL for a move it does not allow). */
int ike_sa_set_phase(struct ike_sa *sa, enum ike_sa_phase to);
bool ike_sa_phase_allowed(enum ike_sa_phase from, enum ike_sa_phase to);
const char *ike_sa_phase_name(enum ike_sa_phase p);

/* A zeroed SA (NULL if out of memory). */
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
struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi);
void ike_sa_child_ids(struct ike_sa *sa);     /* refresh st.child_ids */

#endif /* IKE_SA_H */
