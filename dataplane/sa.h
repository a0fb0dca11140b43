/*
 * Security associations (RFC 4301 §4.4.2) and the SA database: what one
 * ESP SA is, who writes which part of it, and the API the control core
 * (static config now, IKE and HA later) uses to install and remove SAs.
 *
 * Layout. struct dp_sa keeps the control data (parameters, expanded keys:
 * written once before the SA is published) apart from the fields workers
 * write, each group on its own cache lines so writers do not share lines:
 *   out   outbound sequence counter   any worker, one atomic add per burst
 *   win   inbound replay window       the SA's owner worker only
 *   stats packets, bytes, drops       any worker, relaxed atomic adds
 *
 * What the control core changes on a live SA (dp_sa_update: IKEv2 NAT
 * rebinding and MOBIKE, RFC 7296 §2.23 and RFC 4555 §3.5, an HA virtual
 * address moving, new lifetimes) is never written where a worker reads
 * it half-way:
 *   path  outer addresses, UDP encapsulation, DF/DSCP policy, overhead:
 *         an immutable struct dp_sa_path behind one pointer; an update
 *         publishes a new one (release store) and frees the old one after
 *         a QSBR grace period. A worker loads the pointer once per packet
 *         (dp_sa_path_get) and uses that copy for every stage of the
 *         packet, so no packet mixes two paths.
 *   soft, hard  lifetime limits, 64-bit atomic stores and loads.
 * sa->p keeps what dp_sa_add was given except those fields, which are
 * zero there: there is no stale copy to read by mistake.
 *
 * Ownership with several workers. Outbound: the sequence counter is shared;
 * a worker reserves the n numbers it needs for a burst with one
 * __atomic_fetch_add, so numbers are unique without a lock (packets of one
 * SA sent by two workers may leave out of order, which the peer's window
 * absorbs). Inbound: the replay window has exactly one writer, the owner
 * worker chosen when the SA is added (p.owner, or SPI modulo the number of
 * workers). A worker that receives ESP for an SA it does not own hands the
 * packet, before any check, to the owner's handoff ring; RSS normally
 * sends one peer's packets to one queue, so hand-offs are rare.
 *
 * IV uniqueness (RFC 4106 §3.1, RFC 7634 §2: a (key, IV) pair must never
 * repeat). The 64-bit IV nonce of a packet is
 *     iv_epoch (16 bits) << 48  |  sequence number mod 2^48
 * Within one epoch the sequence number strictly increases from where the
 * epoch started and the SA stops after 2^48 packets of one epoch, so nonces
 * of one epoch differ. Each time an appliance starts sending on an SA that
 * another appliance or an earlier run may have sent on (HA takeover,
 * restore after a reboot) it calls dp_sa_take_over(), which moves to
 * epoch ((generation + 1) << 1 | node_bit): the generation is higher than
 * any epoch shipped to this node, and the node bit differs between the two
 * appliances, so even two actives in a split brain, both taking over the
 * same generation, never produce the same nonce. This holds whatever the
 * sequence-number margin of the takeover turns out to be.
 */
#ifndef HAGW_SA_H
#define HAGW_SA_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "config/cfg.h"
#include "dataplane/esp_crypto.h"
#include "dataplane/replay.h"

struct rte_rcu_qsbr;
struct rte_hash;

enum dp_sa_dir {
	DP_SA_INBOUND,
	DP_SA_OUTBOUND,
};

enum dp_sa_mode {
	DP_SA_TUNNEL,
	DP_SA_TRANSPORT,
};

/* DF bit of the outer IPv4 header (RFC 4301 §8.1). */
enum dp_sa_df {
	DP_SA_DF_COPY,		/* from the inner IPv4 header; set for inner IPv6 */
	DP_SA_DF_SET,
	DP_SA_DF_CLEAR,
};

/* Why an ESP packet of a known SA was dropped; counted per SA. */
enum dp_sa_drop {
	DP_SA_DROP_REPLAY,		/* seen before or left of the window */
	DP_SA_DROP_AUTH,		/* ICV verification failed */
	DP_SA_DROP_POLICY,		/* inner packet outside the SA's selectors */
	DP_SA_DROP_MALFORMED,		/* bad length, padding or next header */
	DP_SA_DROP_LIFETIME,		/* hard lifetime or sequence space exhausted */
	DP_SA_DROP_MTU,			/* encapsulated packet too big for the path */
	DP_SA_DROP_INACTIVE,		/* HA standby copy (or being deleted): not in use here */
	DP_SA_DROP_MAX
};

enum {
	DP_SA_MAX_TS = 4,		/* traffic selector pairs per SA */
	DP_SA_NAME_LEN = 32,
	DP_SA_IV_COUNTER_BITS = 48,	/* low bits of the IV nonce: sequence number */
	DP_SA_NO_OWNER = 0xffff,	/* p.owner: choose SPI % workers */
	DP_SA_HDR_MAX = 64,		/* outbound header template of a path */
};

/* A traffic selector (RFC 4301 §4.4.1.1, RFC 7296 §3.13.1): ranges,
 * inclusive. Addresses in network order, ports in host order.
 * ICMP/ICMPv6: local port range = type, remote port range = code, in both
 * directions. */
struct dp_ts {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* IPPROTO_*, 0 = any */
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
};

/* Traffic the SA carries: from local to remote when outbound. An inbound
 * SA accepts an inner packet with source in remote and destination in
 * local (RFC 4301 §5.2). */
struct dp_ts_pair {
	struct dp_ts local;
	struct dp_ts remote;
};

struct dp_sa_limits {
	uint64_t bytes;			/* 0 = no limit */
	uint64_t packets;
};

/* The outer path of an SA (RFC 4301 §4.4.2 "tunnel header IP source and
 * destination", RFC 3948 §2.1): immutable once published (sa.h header
 * comment). The first two cache lines hold what workers read: the
 * precomputed outbound headers (esp_encap.c) and the settings. */
struct dp_sa_path {
	/* Tunnel: outer IP header [+ UDP] + ESP header; transport: [UDP +]
	 * ESP header. Per-packet fields (lengths, TOS, DF, ID, checksums,
	 * sequence number) are 0. */
	uint8_t hdr[DP_SA_HDR_MAX];
	struct cfg_prefix local;	/* our outer address */
	struct cfg_prefix remote;	/* the peer's, same family as local */
	bool udp_encap;			/* RFC 3948 */
	uint16_t encap_local_port;	/* with udp_encap: ours, the peer's */
	uint16_t encap_remote_port;
	enum dp_sa_df df;
	int16_t dscp;			/* outer DSCP: -1 = copy inner */
	uint16_t overhead;		/* outer headers + ESP + IV + ICV, without padding */
	uint8_t hdr_len;		/* bytes of hdr in use */
	uint8_t ip_len;			/* outer IP header at hdr's start; 0: transport */
	uint8_t tos_keep;		/* outer TOS = inner TOS & tos_keep | tos_set */
	uint8_t tos_set;
	bool df_copy;			/* outer DF = inner DF & df_copy | df_set */
	bool df_set;
	uint32_t ip_csum;		/* IPv4 outer: sum of hdr's header words, unfolded */
	/* Control core only, once replaced: the SAD's retire list. */
	struct dp_sa_path *retired_next;
	uint64_t retired_token;		/* rte_rcu_qsbr_start() when replaced */
};

/* Everything needed to install an SA (from config or IKE). */
struct dp_sa_params {
	char name[DP_SA_NAME_LEN];	/* for the CLI; may be empty */
	uint32_t spi;			/* host order; unique among inbound SAs */
	enum dp_sa_dir dir;
	enum dp_sa_mode mode;
	enum dp_sa_alg alg;
	uint8_t enc_key[DP_ESP_MAX_ENC_KEY];	/* incl. salt for AEAD */
	uint8_t enc_key_len;
	uint8_t auth_key[DP_ESP_MAX_AUTH_KEY];
	uint8_t auth_key_len;
	bool esn;
	uint32_t replay_window;		/* inbound: 64..4096, multiple of 64 */
	/* Outer addresses: ours and the peer's (tunnel endpoints; transport:
	 * the two hosts). Same family. */
	struct cfg_prefix local;
	struct cfg_prefix remote;
	/* RFC 3948 UDP encapsulation: outer UDP ports (ours, the peer's). */
	bool udp_encap;
	uint16_t encap_local_port;
	uint16_t encap_remote_port;
	enum dp_sa_df df;
	int16_t dscp;			/* outer DSCP: -1 = copy inner (default) */
	struct dp_sa_limits soft;	/* event to the control core */
	struct dp_sa_limits hard;	/* SA no longer used */
	uint8_t n_ts;
	struct dp_ts_pair ts[DP_SA_MAX_TS];	/* 0 pairs: any */
	uint16_t owner;			/* inbound owner worker, DP_SA_NO_OWNER: automatic */
	bool standby;			/* HA: installed inactive, until dp_sa_activate() */
};

/* Outbound counter and IV epoch: one cache line, written by workers. */
struct dp_sa_out {
	uint64_t seq;			/* last sequence number reserved (atomic) */
	uint64_t epoch_start_seq;	/* seq when iv_epoch began */
	uint16_t iv_epoch;
} __rte_cache_aligned;

struct dp_sa_stats {
	uint64_t packets;		/* ESP packets processed successfully */
	uint64_t bytes;			/* their payload bytes (inner packet), for lifetimes */
	uint64_t drops[DP_SA_DROP_MAX];
} __rte_cache_aligned;

/* SA flags (atomic). */
enum {
	DP_SA_F_ACTIVE = 1u << 0,	/* used for traffic (clear: HA standby copy) */
	DP_SA_F_SOFT_EXPIRED = 1u << 1,	/* soft limit reached, event sent */
	DP_SA_F_HARD_EXPIRED = 1u << 2,	/* hard limit or sequence space reached */
};

struct dp_sa {
	/* Control data: written before the SA is published, then read-only.
	 * p: as given to dp_sa_add, but local .. dscp, soft and hard are
	 * zero (their current values: path, soft, hard below). */
	struct dp_sa_params p;
	uint32_t id;			/* index in the SAD */
	uint16_t owner;			/* inbound: owner worker */
	uint64_t *moved;		/* the SAD's moved-marks word holding bit id % 64 */
	uint32_t flags;			/* DP_SA_F_* (atomic) */
	uint64_t created_ms;
	/* Changed by dp_sa_update while workers run. */
	struct dp_sa_path *path;	/* atomic: read with dp_sa_path_get() */
	struct dp_sa_limits soft;	/* atomic 64-bit stores / loads */
	struct dp_sa_limits hard;
	struct dp_esp_key key;		/* cache aligned */
	/* Worker-written state. The outbound counter line lives in the SAD's
	 * dense array (outs[id]), not here: the HA sync reads it for every SA
	 * that moved, and a dense array keeps those reads on a few pages
	 * instead of one page (a TLB miss) per SA. Exclusive to this SA until
	 * its id is reused, which waits for the grace period as its memory
	 * does. */
	struct dp_sa_out *out;
	struct dp_replay_window win __rte_cache_aligned;
	struct dp_sa_stats stats;
} __rte_cache_aligned;

/* Sequence state of one SA as the HA module ships it. */
struct dp_sa_seq_state {
	uint32_t spi;
	uint8_t dir;			/* enum dp_sa_dir */
	uint64_t out_seq;		/* outbound: highest number reserved */
	uint16_t iv_epoch;
	uint64_t epoch_start_seq;
	struct dp_replay_state win;	/* inbound */
};

/* What the HA sync ships of a moved SA each interval (dp_sa_seq_brief):
 * the outbound counter and IV epoch, or the inbound window's top and the
 * numbers just below it; no copy of the whole window. */
struct dp_sa_seq_brief {
	uint64_t out_seq;
	uint64_t epoch_start_seq;
	uint16_t iv_epoch;
	uint64_t win_top;
	uint64_t win_seen;		/* bit i: win_top - 1 - i seen */
};

/* An SA event for the control core (soft/hard lifetime). */
struct dp_sa_event {
	uint32_t sa_id;
	uint32_t flag;			/* DP_SA_F_SOFT_EXPIRED or DP_SA_F_HARD_EXPIRED */
};

/* What dp_sa_update changes: DP_SA_UPD_* bits in fields. */
enum {
	DP_SA_UPD_LOCAL = 1u << 0,	/* local */
	DP_SA_UPD_REMOTE = 1u << 1,	/* remote */
	DP_SA_UPD_ENCAP = 1u << 2,	/* udp_encap with both ports */
	DP_SA_UPD_DF = 1u << 3,		/* df */
	DP_SA_UPD_DSCP = 1u << 4,	/* dscp */
	DP_SA_UPD_SOFT = 1u << 5,	/* soft (bytes and packets) */
	DP_SA_UPD_HARD = 1u << 6,	/* hard (bytes and packets) */
	DP_SA_UPD_PATH = DP_SA_UPD_LOCAL | DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP | DP_SA_UPD_DF |
			 DP_SA_UPD_DSCP,
	DP_SA_UPD_ALL = DP_SA_UPD_PATH | DP_SA_UPD_SOFT | DP_SA_UPD_HARD,
};

/* New values for a live SA; fields not named in fields are ignored. */
struct dp_sa_update {
	uint32_t fields;		/* DP_SA_UPD_* */
	struct cfg_prefix local, remote;
	bool udp_encap;
	uint16_t encap_local_port, encap_remote_port;
	enum dp_sa_df df;
	int16_t dscp;
	struct dp_sa_limits soft, hard;
};

struct dp_sad;

struct dp_sad_params {
	unsigned int max_sas;
	unsigned int n_workers;
	struct rte_rcu_qsbr *qsbr;	/* NULL: single-threaded use (tests) */
	IMB_MGR *mgr;			/* control core's manager, for key expansion */
	int socket;
};

/* Creates / frees the SA database (frees, and zeroizes, every SA). */
struct dp_sad *dp_sad_create(const char *name, const struct dp_sad_params *p);
void dp_sad_free(struct dp_sad *sad);

/* Control core. Validates p (-EINVAL with a reason in err), expands the
 * keys, publishes the SA, returns 0 and its id. -EEXIST: inbound SPI in
 * use; -ENOSPC: table full. The SA starts active, or inactive with
 * p->standby (an HA standby copy: found by id and SPI, its state imported
 * with dp_sa_seq_import, but every packet for it is dropped as inactive
 * until dp_sa_activate). */
int dp_sa_add(struct dp_sad *sad, const struct dp_sa_params *p, uint32_t *id, char *err,
	      size_t err_len);
/* Control core. Unpublishes the SA; it is zeroized and freed once every
 * worker has passed a quiescent state. -ENOENT if unknown. */
int dp_sa_delete(struct dp_sad *sad, uint32_t id);
/*
 * Control core: changes a live SA (inbound or outbound), checked like
 * dp_sa_add, all or nothing. Returns 0; -ENOENT unknown id; -EINVAL with
 * the reason in err (bad value, unknown bit in fields, an address of
 * another family than the SA's: transport-mode selectors were checked
 * against it, and a packet routed before the update must not be
 * encapsulated for another family after it); -ENOMEM.
 * Path fields: the next packet a worker starts uses the new path; the old
 * one is freed after a grace period (dp_sad_reclaim). Lifetimes: checked
 * on the SA's next dp_sa_account, so a limit lowered below what the SA
 * has used raises its flag (and event) with the next packet. Flags are
 * never cleared: a soft-expired SA whose soft limit is raised stays
 * soft-expired (the rekey was already asked for), and a hard-expired SA
 * stays dead whatever its new hard limit (the new values are stored and
 * shown, the call succeeds).
 */
int dp_sa_update(struct dp_sad *sad, uint32_t id, const struct dp_sa_update *u, char *err,
		 size_t err_len);
/* Control core: reclaims deleted SAs and replaced paths whose grace
 * period has passed. */
void dp_sad_reclaim(struct dp_sad *sad);
/* Replaced paths waiting for their grace period. */
unsigned int dp_sad_retired_paths(const struct dp_sad *sad);

/* Workers. NULL when no SA (or a deleted one). */
struct dp_sa *dp_sad_get(const struct dp_sad *sad, uint32_t id);
/* esp_encap.c: the precomputed outbound headers and TOS/DF rules of t
 * (its other fields set) for an SA of this mode and SPI. */
void dp_esp_path_headers(struct dp_sa_path *t, enum dp_sa_mode mode, uint32_t spi);
/* Workers (and readers of the SA): the SA's current outer path, valid
 * until the caller's next quiescent state. Load it once per packet. */
static inline const struct dp_sa_path *
dp_sa_path_get(const struct dp_sa *sa)
{
	return __atomic_load_n(&sa->path, __ATOMIC_ACQUIRE);
}
/* Inbound lookup of n SPIs (host order), n <= 64; sas[i] NULL if unknown. */
void dp_sad_lookup_spi_bulk(const struct dp_sad *sad, const uint32_t *spis, unsigned int n,
			    struct dp_sa **sas);

/* Control core: iteration for the CLI (id order) and counters. */
struct dp_sa *dp_sad_next(const struct dp_sad *sad, uint32_t *iter);
unsigned int dp_sad_count(const struct dp_sad *sad);
unsigned int dp_sad_count_active(const struct dp_sad *sad);
/* Control core: DP_SA_F_ACTIVE set or cleared (MEMORDER of the atomic),
 * the active count kept. */
void dp_sa_set_active(struct dp_sad *sad, struct dp_sa *sa, bool on, int memorder);
void dp_sa_clear_stats(struct dp_sa *sa);

/* Outbound: reserves n sequence numbers; returns the first, or 0 when the
 * SA's sequence space (2^32-1 without ESN, 2^64-1 with) or its IV epoch
 * space would be exceeded, after which the SA is hard-expired. */
uint64_t dp_sa_seq_reserve(struct dp_sa *sa, uint32_t n);
/* IV nonce for outbound sequence number seq (see the header comment),
 * from the nonce of sequence number 0 of the same epoch. */
static inline uint64_t
dp_sa_iv_nonce_of(uint64_t nonce0, uint64_t seq)
{
	return nonce0 | (seq & ((UINT64_C(1) << DP_SA_IV_COUNTER_BITS) - 1));
}
/* IV nonce for outbound sequence number seq (see the header comment). */
static inline uint64_t
dp_sa_iv_nonce(const struct dp_sa *sa, uint64_t seq)
{
	uint64_t epoch = __atomic_load_n(&sa->out->iv_epoch, __ATOMIC_RELAXED);

	return dp_sa_iv_nonce_of(epoch << DP_SA_IV_COUNTER_BITS, seq);
}

/* HA: export / import sequence state (import never moves backwards), and
 * takeover: a fresh IV epoch for this node, outbound counter advanced by
 * margin. */
void dp_sa_seq_export(const struct dp_sa *sa, struct dp_sa_seq_state *s);
/* The same, brief: outbound counter and epoch, or inbound top and which of
 * the N (<= 64) numbers below it were seen (dp_replay_seen_below). */
void dp_sa_seq_brief(const struct dp_sa *sa, unsigned int n, struct dp_sa_seq_brief *b);
int dp_sa_seq_import(struct dp_sa *sa, const struct dp_sa_seq_state *s);
/* The outbound counter line of the SA with id ID (< max_sas) in the SAD's
 * dense array, without touching the SA (struct dp_sa, out), and its brief
 * export and import (as dp_sa_seq_brief / dp_sa_seq_import_brief of an
 * outbound SA) for the HA sync. */
struct dp_sa_out *dp_sad_out(const struct dp_sad *sad, uint32_t id);
/* Prefetches what the HA sync reads of id ID (< max_sas) before the SA
 * itself: its slot in the SAD's pointer table and its counter line. */
void dp_sad_prefetch_seq(const struct dp_sad *sad, uint32_t id);
void dp_sa_out_brief(const struct dp_sa_out *o, struct dp_sa_seq_brief *b);
void dp_sa_out_import(struct dp_sa_out *o, const struct dp_sa_seq_brief *b);
/* The same from the brief form (N: the window bits below the top in
 * b->win_seen), without building a whole window (dp_replay_import_brief). */
int dp_sa_seq_import_brief(struct dp_sa *sa, const struct dp_sa_seq_brief *b, unsigned int n);
void dp_sa_take_over(struct dp_sa *sa, uint8_t node_bit, uint64_t margin);

/*
 * HA (sa_ha.c), control core. dp_sa_activate: the SA starts carrying
 * traffic here; outbound first dp_sa_take_over(sa, node_bit, margin), so
 * the first packet uses sequence number (last imported + margin + 1) in a
 * fresh IV epoch. Nothing is done to an SA that is already active (no
 * second takeover). dp_sa_deactivate: workers drop its packets from their
 * next burst on (DP_SA_DROP_INACTIVE); the SA stays installed and keeps
 * its state. Both return 0 or -ENOENT (unknown id).
 */
int dp_sa_activate(struct dp_sad *sad, uint32_t id, uint8_t node_bit, uint64_t margin);
int dp_sa_deactivate(struct dp_sad *sad, uint32_t id);

static inline bool
dp_sa_is_active(const struct dp_sa *sa)
{
	return (__atomic_load_n(&sa->flags, __ATOMIC_ACQUIRE) & DP_SA_F_ACTIVE) != 0;
}

/* The outbound counter (highest sequence number reserved), for the rate
 * the HA glue measures between sync ticks. */
static inline uint64_t
dp_sa_out_seq(const struct dp_sa *sa)
{
	return __atomic_load_n(&sa->out->seq, __ATOMIC_RELAXED);
}

/* The HA sync reads and writes the windows of many inbound SAs in a row
 * (ctl_ha_sync.c): prefetched ahead, their misses overlap. The lines of
 * p.spi / p.dir and of the window top (address arithmetic only: the SA
 * is not read here). */
static inline void
dp_sa_prefetch_win(const struct dp_sa *sa)
{
	rte_prefetch0(&sa->p.dir);
	rte_prefetch0(&sa->win);
}

/*
 * Moved marks (HA): which SAs' sequence state changed since the control
 * core last looked, so the sync visits those only. One bitmap for the
 * SAD, bit id of word id / 64, shared by every worker: a worker marks an
 * SA at most once per collection (test before set), so the line moves
 * between cores at most once per SA per sync interval, and the control
 * core reads one array instead of one per worker.
 *
 * Workers: after a burst moved the SA's outbound counter or inbound window
 * (esp_account.c, esp_inbound.c); the control core after a takeover moved
 * the counter (dp_sa_take_over). The steady cost is the load of a word
 * that stays in the cache while the bit is set; the atomic OR (release:
 * the burst's counter or window stores happen before it) only when the
 * bit is clear.
 */
enum { DP_SA_MOVED_WORD_BITS = 64 };

static inline void
dp_sa_mark_moved(struct dp_sa *sa)
{
	uint64_t bit = UINT64_C(1) << (sa->id % DP_SA_MOVED_WORD_BITS);

	if ((__atomic_load_n(sa->moved, __ATOMIC_RELAXED) & bit) == 0)
		__atomic_fetch_or(sa->moved, bit, __ATOMIC_RELEASE);
}

/* Control core: the SAD's max_sas (ids are below it). */
unsigned int dp_sad_capacity(const struct dp_sad *sad);
/* DPDK memory a SAD of MAX_SAS takes from the start (its SA slots and
 * tables are reserved and made present by dp_sad_create), hash aside. */
size_t dp_sad_memory(unsigned int max_sas);
/* Control core: words of the bitmap (max_sas / 64 rounded up). */
uint32_t dp_sad_moved_words(const struct dp_sad *sad);
/*
 * Control core: takes the marks of the first N_WORDS words (at most
 * dp_sad_moved_words()), out[i] = word i (atomic exchange with 0,
 * acquire: the counter and window stores of every burst whose OR is taken
 * here are visible to the caller's next reads of those SAs). Returns how
 * many SAs were marked. A worker whose load still saw a bit set just as it
 * was taken does not mark again: the caller must read an SA marked in one
 * collection once more after the next one (ctl_ha_seq.c). Marks of a
 * deleted SA whose id is reused stay: a spurious visit.
 */
uint32_t dp_sad_moved_take(struct dp_sad *sad, uint64_t *out, uint32_t n_words);

/* Lifetime accounting after a burst: adds packets/bytes and raises
 * soft/hard flags once; returns the flag newly set (0 if none) so the
 * caller can send a struct dp_sa_event. */
uint32_t dp_sa_account(struct dp_sa *sa, uint32_t packets, uint64_t bytes);

/* Whether an inner packet (addresses/ports/proto from its headers) lies in
 * the SA's selectors, in the direction the SA carries it. */
struct dp_flow;
bool dp_sa_selectors_match(const struct dp_sa *sa, const struct dp_flow *f);

#endif
