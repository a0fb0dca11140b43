/*
 * The SA database (RFC 4301 §4.4.2): inbound SAs found by SPI through an
 * rte_hash (lock-free readers, RFC 4303 §2.1 SPI), every SA found by id
 * through an array of pointers; outbound sequence numbers (RFC 4303
 * §3.3.3, never cycled), the IV nonce and its epoch (RFC 4106 §3.1, RFC
 * 7634 §2: see sa.h), HA export/import/takeover, lifetimes (RFC 4301
 * §4.4.2.1), and changes to a live SA's outer path and lifetimes (IKEv2
 * NAT rebinding and MOBIKE: RFC 7296 §2.23, RFC 4555 §3.5).
 *
 * Writers and readers. Only the control core adds and deletes. Workers
 * read the hash and the array without locks. A deleted SA is unpublished
 * at once (hash key and array slot), then freed after a QSBR grace period
 * through a defer queue that the control core drains without blocking
 * (it may run worker 0 on the same lcore): the free zeroizes the keys.
 * Until then its id and hash key position stay reserved, so an id is not
 * reused while a worker may still hold the old SA or an event about it.
 * A path replaced by dp_sa_update goes on a retire list with a QSBR token
 * (rte_rcu_qsbr_start), like the SPD's old contexts, and is freed by
 * dp_sad_reclaim once rte_rcu_qsbr_check passes: the list needs no size
 * (the defer queue holds one entry per id, and a full queue would make
 * an update fail) and never waits.
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_rcu_qsbr_dq_* are experimental in 22.11 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/mem_table.h"
#include "dataplane/sa.h"

enum {
	SAD_HASH_HEADROOM = 2,		/* hash key slots per SA: cuckoo load <= 1/2 */
	SAD_PATH_SPARE_DIV = 8,		/* replaced paths in the store: max_sas / 8 */
	SAD_HASH_MIN = 16,		/* rte_hash needs a few buckets */
	SAD_MAX_SAS = 1 << 20,
	SA_SPI_MIN = 256,		/* RFC 4303 §2.1: 1..255 reserved, 0 never used */
	SA_IPV4_HDR_LEN = 20,
	SA_IPV6_HDR_LEN = 40,
	SA_UDP_HDR_LEN = 8,		/* RFC 3948 §2.1 */
	SA_DSCP_MAX = 63,
};

/* One entry of the defer queue: the SA's id and its hash key position
 * (-1: outbound, not in the hash). */
struct sad_deferred {
	uint32_t id;
	int32_t pos;
};

struct dp_sad {
	struct dp_sad_params p;
	struct rte_hash *spi_hash;	/* inbound SPI -> struct dp_sa * */
	struct rte_rcu_qsbr_dq *dq;	/* NULL without QSBR: free at once */
	struct dp_sa **sas;		/* published SAs by id (atomic) */
	struct dp_sa **owned;		/* control core: every allocated SA, also deferred */
	struct dp_sa *slots;		/* the SA of id i lives in slots[i] (populated) */
	uint64_t *moved;		/* moved marks (sa.h), bit id of word id / 64 */
	uint32_t moved_words;
	struct dp_sa_out *outs;		/* outbound counter lines by id (struct dp_sa) */
	unsigned int count;		/* published SAs */
	unsigned int count_active;	/* of which DP_SA_F_ACTIVE (dp_sa_set_active) */
	uint32_t next_id;		/* next-fit start: ids come back late */
	unsigned int deferred;		/* in dq, as of the last reclaim or enqueue */
	struct dp_sa_path *path_store;	/* paths made at start (path_alloc) */
	uint32_t n_path_store;
	struct dp_sa_path *path_free;	/* unused ones of path_store */
	struct dp_sa_path *retired_head;	/* replaced paths, oldest first */
	struct dp_sa_path *retired_tail;
	unsigned int n_retired;
};

/* Workers read the first two cache lines of a path only. */
_Static_assert(offsetof(struct dp_sa_path, retired_next) <= 2 * RTE_CACHE_LINE_MIN_SIZE,
	       "the fields workers read fit in two cache lines");

/* Test seam: if a test defines it, it sees every SA after its keys are
 * zeroized, just before its slot is wiped for the next SA of its id. */
void dp_sa_test_free_hook(const struct dp_sa *sa) __attribute__((weak));

static void __attribute__((format(printf, 3, 4)))
sad_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* Paths come from a store made present at start, one per SA and a spare
 * for replaced ones awaiting their grace period (SAD_PATH_SPARE_DIV),
 * linked through retired_next while unused: installing an SA allocates
 * nothing from EAL's heap (an rte_malloc each was a fifth of a standby's
 * bulk sync: a heap walk and fresh pages). When the store runs out, e.g.
 * in a storm of updates, EAL's heap serves. */
static struct dp_sa_path *
path_alloc(struct dp_sad *sad)
{
	struct dp_sa_path *np = sad->path_free;

	if (np != NULL) {
		sad->path_free = np->retired_next;
		return np;
	}
	return rte_malloc_socket("dp_sa_path", sizeof(*np), RTE_CACHE_LINE_SIZE, sad->p.socket);
}

static void
path_release(struct dp_sad *sad, struct dp_sa_path *t)
{
	if (t == NULL)
		return;
	if (t >= sad->path_store && t < sad->path_store + sad->n_path_store) {
		t->retired_next = sad->path_free;
		sad->path_free = t;
	} else {
		rte_free(t);
	}
}

static int
path_store_create(struct dp_sad *sad)
{
	sad->n_path_store = sad->p.max_sas + sad->p.max_sas / SAD_PATH_SPARE_DIV + 1;
	sad->path_store = mem_table_alloc("dp_sad_paths",
					  sad->n_path_store * sizeof(struct dp_sa_path),
					  sad->p.socket);
	if (sad->path_store == NULL)
		return -ENOMEM;
	for (uint32_t i = sad->n_path_store; i-- > 0;)
		path_release(sad, &sad->path_store[i]);
	return 0;
}

/* The slot is left all zero: the next SA of this id starts from there. */
static void
sa_destroy(struct dp_sad *sad, struct dp_sa *sa)
{
	dp_esp_key_wipe(&sa->key);
	explicit_bzero(sa->p.enc_key, sizeof(sa->p.enc_key));
	explicit_bzero(sa->p.auth_key, sizeof(sa->p.auth_key));
	if (dp_sa_test_free_hook != NULL)
		dp_sa_test_free_hook(sa);
	path_release(sad, sa->path);
	explicit_bzero(sa, sizeof(*sa));
}

static void
sad_paths_reclaim(struct dp_sad *sad)
{
	struct dp_sa_path *old;

	/* Tokens grow along the list: the first one not passed stops it. */
	while ((old = sad->retired_head) != NULL &&
	       rte_rcu_qsbr_check(sad->p.qsbr, old->retired_token, false) == 1) {
		sad->retired_head = old->retired_next;
		if (sad->retired_head == NULL)
			sad->retired_tail = NULL;
		sad->n_retired--;
		path_release(sad, old);
	}
}

static void
sad_paths_free(struct dp_sad *sad)
{
	while (sad->retired_head != NULL) {
		struct dp_sa_path *old = sad->retired_head;

		sad->retired_head = old->retired_next;
		path_release(sad, old);
	}
	sad->retired_tail = NULL;
	sad->n_retired = 0;
}

static void
sad_release(struct dp_sad *sad, uint32_t id, int32_t pos)
{
	struct dp_sa *sa = sad->owned[id];

	if (sa == NULL)
		return;
	if (pos >= 0)
		rte_hash_free_key_with_position(sad->spi_hash, pos);
	sad->owned[id] = NULL;
	sa_destroy(sad, sa);
}

/* Defer queue callback: the grace period of these entries has passed. */
static void
sad_dq_free(void *arg, void *e, unsigned int n)
{
	const struct sad_deferred *d = e;

	for (unsigned int i = 0; i < n; i++)
		sad_release(arg, d[i].id, d[i].pos);
}

static int
sad_hash_create(struct dp_sad *sad, const char *name)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(sad->p.max_sas * SAD_HASH_HEADROOM, (unsigned int)SAD_HASH_MIN),
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	hp.socket_id = mem_table_hash_socket(name, hp.entries, sad->p.socket);	/* huge pages */
	sad->spi_hash = rte_hash_create(&hp);
	return sad->spi_hash == NULL ? -rte_errno : 0;
}

static int
sad_dq_create(struct dp_sad *sad, const char *name)
{
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = name,
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,	/* control core only */
		.size = sad->p.max_sas,		/* one entry per id at most */
		.esize = sizeof(struct sad_deferred),
		.trigger_reclaim_limit = UINT32_MAX,	/* reclaimed by dp_sad_reclaim */
		.max_reclaim_size = sad->p.max_sas,
		.free_fn = sad_dq_free,
		.p = sad,
		.v = sad->p.qsbr,
	};

	sad->dq = rte_rcu_qsbr_dq_create(&dp);
	return sad->dq == NULL ? -rte_errno : 0;
}

struct dp_sad *
dp_sad_create(const char *name, const struct dp_sad_params *p)
{
	struct dp_sad *sad;
	size_t table;
	int rc;

	if (name == NULL || p == NULL || p->max_sas == 0 || p->max_sas > SAD_MAX_SAS ||
	    p->n_workers == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	sad = rte_zmalloc_socket("dp_sad", sizeof(*sad), RTE_CACHE_LINE_SIZE, p->socket);
	if (sad == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	sad->p = *p;
	/* Every table sized by max_sas is present from now on (mem_table.h):
	 * an SA installed later (a standby's bulk sync installs tens of
	 * thousands at once) touches no fresh page. What an operator sizes
	 * max_sas for is what the appliance holds in memory from the start. */
	table = p->max_sas * sizeof(struct dp_sa *);
	sad->sas = mem_table_alloc("dp_sad_sas", table, p->socket);
	sad->owned = mem_table_alloc("dp_sad_owned", table, p->socket);
	sad->moved_words = (p->max_sas + DP_SA_MOVED_WORD_BITS - 1) / DP_SA_MOVED_WORD_BITS;
	sad->moved = mem_table_alloc("dp_sad_moved", sad->moved_words * sizeof(uint64_t),
				     p->socket);
	sad->outs = mem_table_alloc("dp_sad_outs", p->max_sas * sizeof(struct dp_sa_out),
				    p->socket);
	sad->slots = mem_table_alloc("dp_sad_slots", p->max_sas * sizeof(struct dp_sa), p->socket);
	rc = sad->sas == NULL || sad->owned == NULL || sad->moved == NULL || sad->outs == NULL ||
	     sad->slots == NULL ? -ENOMEM : sad_hash_create(sad, name);
	if (rc == 0)
		rc = path_store_create(sad);
	if (rc == 0 && p->qsbr != NULL)
		rc = sad_dq_create(sad, name);
	if (rc < 0) {
		dp_sad_free(sad);
		rte_errno = -rc;
		return NULL;
	}
	return sad;
}

void
dp_sad_free(struct dp_sad *sad)
{
	if (sad == NULL)
		return;
	/* Workers are stopped: the queue drains at once. If some reader is
	 * still online it refuses; the loop below frees those SAs anyway
	 * and the queue's own memory is left behind. */
	if (sad->dq != NULL)
		rte_rcu_qsbr_dq_delete(sad->dq);
	for (uint32_t id = 0; sad->owned != NULL && id < sad->p.max_sas; id++)
		if (sad->owned[id] != NULL)
			sa_destroy(sad, sad->owned[id]);
	sad_paths_free(sad);
	mem_table_free(sad->path_store, sad->n_path_store * sizeof(struct dp_sa_path));
	rte_hash_free(sad->spi_hash);
	mem_table_free(sad->owned, sad->p.max_sas * sizeof(struct dp_sa *));
	mem_table_free(sad->moved, sad->moved_words * sizeof(uint64_t));
	mem_table_free(sad->outs, sad->p.max_sas * sizeof(struct dp_sa_out));
	mem_table_free(sad->slots, sad->p.max_sas * sizeof(struct dp_sa));
	mem_table_free(sad->sas, sad->p.max_sas * sizeof(struct dp_sa *));
	rte_free(sad);
}

static int
sa_check_kind(const struct dp_sa_params *p, char *err, size_t err_len)
{
	struct dp_replay_window probe;

	if (p->dir != DP_SA_INBOUND && p->dir != DP_SA_OUTBOUND) {
		sad_err(err, err_len, "direction %d invalid", (int)p->dir);
		return -EINVAL;
	}
	if (p->mode != DP_SA_TUNNEL && p->mode != DP_SA_TRANSPORT) {
		sad_err(err, err_len, "mode %d invalid", (int)p->mode);
		return -EINVAL;
	}
	/* RFC 4303 §2.1: SPIs 1..255 are reserved by IANA, 0 is local use. */
	if (p->spi < SA_SPI_MIN) {
		sad_err(err, err_len, "SPI %u reserved (must be >= %u)", p->spi, SA_SPI_MIN);
		return -EINVAL;
	}
	if (p->dir == DP_SA_INBOUND && dp_replay_init(&probe, p->replay_window, p->esn) < 0) {
		sad_err(err, err_len, "replay window %u: must be %u..%u, a multiple of %u",
			p->replay_window, DP_REPLAY_MIN, DP_REPLAY_MAX, DP_REPLAY_WORD_BITS);
		return -EINVAL;
	}
	return 0;
}

static int
sa_check_keys(const struct dp_sa_params *p, char *err, size_t err_len)
{
	uint8_t enc, auth;

	if ((unsigned int)p->alg >= DP_SA_ALG_COUNT) {
		sad_err(err, err_len, "algorithm %d unknown", (int)p->alg);
		return -EINVAL;
	}
	enc = dp_sa_alg_enc_key_len(p->alg);
	auth = dp_sa_alg_auth_key_len(p->alg);
	if (p->enc_key_len != enc) {
		sad_err(err, err_len, "%s needs a %u-byte key, got %u bytes",
			dp_sa_alg_name(p->alg), enc, p->enc_key_len);
		return -EINVAL;
	}
	if (p->auth_key_len != auth && auth == 0) {
		sad_err(err, err_len, "%s takes no auth key, got %u bytes",
			dp_sa_alg_name(p->alg), p->auth_key_len);
		return -EINVAL;
	}
	if (p->auth_key_len != auth) {
		sad_err(err, err_len, "%s needs a %u-byte auth key, got %u bytes",
			dp_sa_alg_name(p->alg), auth, p->auth_key_len);
		return -EINVAL;
	}
	return 0;
}

static bool
sa_family_valid(uint8_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static int
sa_check_ts(const struct dp_sa_params *p, char *err, size_t err_len)
{
	if (p->n_ts > DP_SA_MAX_TS) {
		sad_err(err, err_len, "%u selectors (at most %u)", p->n_ts, DP_SA_MAX_TS);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < p->n_ts; i++) {
		const struct dp_ts *l = &p->ts[i].local, *r = &p->ts[i].remote;

		if (!sa_family_valid(l->family) || l->family != r->family) {
			sad_err(err, err_len, "selector %u: address families differ or invalid", i);
			return -EINVAL;
		}
		/* Transport mode: the selectors describe the outer header itself. */
		if (p->mode == DP_SA_TRANSPORT && l->family != p->local.family) {
			sad_err(err, err_len, "selector %u: family differs from the SA's addresses "
				"(transport mode)", i);
			return -EINVAL;
		}
		if (l->port_lo > l->port_hi || r->port_lo > r->port_hi ||
		    memcmp(l->addr_lo, l->addr_hi, sizeof(l->addr_lo)) > 0 ||
		    memcmp(r->addr_lo, r->addr_hi, sizeof(r->addr_lo)) > 0) {
			sad_err(err, err_len, "selector %u: empty range", i);
			return -EINVAL;
		}
	}
	return 0;
}

static void
path_from_params(struct dp_sa_path *t, const struct dp_sa_params *p)
{
	memset(t, 0, sizeof(*t));
	t->local = p->local;
	t->remote = p->remote;
	t->udp_encap = p->udp_encap;
	t->encap_local_port = p->encap_local_port;
	t->encap_remote_port = p->encap_remote_port;
	t->df = p->df;
	t->dscp = p->dscp;
}

/* The checks of an outer path, for dp_sa_add and dp_sa_update alike. */
static int
sa_check_path(const struct dp_sa_path *t, char *err, size_t err_len)
{
	if (!sa_family_valid(t->local.family) || t->local.family != t->remote.family) {
		sad_err(err, err_len,
			"local and remote addresses of different or invalid families");
		return -EINVAL;
	}
	if (t->udp_encap && (t->encap_local_port == 0 || t->encap_remote_port == 0)) {
		sad_err(err, err_len, "UDP encapsulation needs non-zero ports");
		return -EINVAL;
	}
	if (t->df != DP_SA_DF_COPY && t->df != DP_SA_DF_SET && t->df != DP_SA_DF_CLEAR) {
		sad_err(err, err_len, "df %d invalid", (int)t->df);
		return -EINVAL;
	}
	if (t->dscp < -1 || t->dscp > SA_DSCP_MAX) {
		sad_err(err, err_len, "dscp %d out of range (-1 = copy, 0..%u)", t->dscp,
			SA_DSCP_MAX);
		return -EINVAL;
	}
	return 0;
}

static int
sa_check_outer(const struct dp_sad *sad, const struct dp_sa_params *p, char *err,
	       size_t err_len)
{
	struct dp_sa_path t;
	int rc;

	path_from_params(&t, p);
	rc = sa_check_path(&t, err, err_len);
	if (rc < 0)
		return rc;
	if (p->owner != DP_SA_NO_OWNER && p->owner >= sad->p.n_workers) {
		sad_err(err, err_len, "owner worker %u out of range (%u workers)", p->owner,
			sad->p.n_workers);
		return -EINVAL;
	}
	return 0;
}

static bool
sa_limit_above(uint64_t soft, uint64_t hard)
{
	return soft != 0 && hard != 0 && soft > hard;
}

static int
sa_params_check(const struct dp_sad *sad, const struct dp_sa_params *p, char *err,
		size_t err_len)
{
	int rc;

	rc = sa_check_kind(p, err, err_len);
	if (rc == 0)
		rc = sa_check_keys(p, err, err_len);
	if (rc == 0)
		rc = sa_check_outer(sad, p, err, err_len);
	if (rc == 0)
		rc = sa_check_ts(p, err, err_len);
	if (rc == 0 && (sa_limit_above(p->soft.bytes, p->hard.bytes) ||
			sa_limit_above(p->soft.packets, p->hard.packets))) {
		sad_err(err, err_len, "soft lifetime above hard lifetime");
		rc = -EINVAL;
	}
	return rc;
}

/* Outer headers + ESP header + IV + ICV; padding and the 2-byte trailer
 * (pad length, next header) depend on the packet. */
static uint16_t
path_overhead(const struct dp_sa *sa, const struct dp_sa_path *t)
{
	uint16_t len = DP_ESP_HDR_LEN + sa->key.iv_len + DP_ESP_ICV_LEN;

	if (sa->p.mode == DP_SA_TUNNEL)
		len += t->local.family == AF_INET ? SA_IPV4_HDR_LEN : SA_IPV6_HDR_LEN;
	if (t->udp_encap)
		len += SA_UDP_HDR_LEN;
	return len;
}

/* A path to publish for sa (its keys expanded): a copy of t. */
static struct dp_sa_path *
path_new(struct dp_sad *sad, const struct dp_sa *sa, const struct dp_sa_path *t)
{
	struct dp_sa_path *np = path_alloc(sad);

	if (np == NULL)
		return NULL;
	*np = *t;
	np->overhead = path_overhead(sa, t);
	dp_esp_path_headers(np, sa->p.mode, sa->p.spi);
	np->retired_next = NULL;
	np->retired_token = 0;
	return np;
}

/* What dp_sa_update changes lives only in path, soft and hard (sa.h);
 * whether the SA is a standby copy only in flags (dp_sa_activate). */
static void
sa_params_strip(struct dp_sa_params *p)
{
	memset(&p->local, 0, sizeof(p->local));
	memset(&p->remote, 0, sizeof(p->remote));
	p->udp_encap = false;
	p->encap_local_port = 0;
	p->encap_remote_port = 0;
	p->df = DP_SA_DF_COPY;
	p->dscp = 0;
	memset(&p->soft, 0, sizeof(p->soft));
	memset(&p->hard, 0, sizeof(p->hard));
	p->standby = false;
}

static int
sa_build(struct dp_sad *sad, const struct dp_sa_params *p, uint32_t id, struct dp_sa **out,
	 char *err, size_t err_len)
{
	struct dp_sa_path t;
	struct dp_sa *sa;

	sa = &sad->slots[id];	/* zero: never used, or wiped by sa_destroy */
	sa->p = *p;
	sa_params_strip(&sa->p);
	sa->soft = p->soft;
	sa->hard = p->hard;
	sa->id = id;
	sa->moved = &sad->moved[id / DP_SA_MOVED_WORD_BITS];
	sa->out = &sad->outs[id];	/* free since the id's last SA was reclaimed */
	memset(sa->out, 0, sizeof(*sa->out));
	sa->owner = p->owner != DP_SA_NO_OWNER ? p->owner : p->spi % sad->p.n_workers;
	sa->flags = p->standby ? 0 : DP_SA_F_ACTIVE;	/* the current value: flags */
	sa->created_ms = dp_now_ms();
	if (dp_esp_key_init(sad->p.mgr, &sa->key, p->alg, p->enc_key, p->enc_key_len,
			    p->auth_key, p->auth_key_len) < 0) {
		sad_err(err, err_len, "key expansion failed");
		sa_destroy(sad, sa);
		return -EINVAL;
	}
	path_from_params(&t, p);
	sa->path = path_new(sad, sa, &t);
	if (sa->path == NULL) {
		sad_err(err, err_len, "out of memory for the SA");
		sa_destroy(sad, sa);
		return -ENOMEM;
	}
	if (p->dir == DP_SA_INBOUND)
		dp_replay_init(&sa->win, p->replay_window, p->esn);	/* checked before */
	*out = sa;
	return 0;
}

/* A free id (neither published nor awaiting reclamation), next-fit. */
static int
sad_slot_find(struct dp_sad *sad, uint32_t *id)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < sad->p.max_sas; i++) {
			uint32_t cand = (sad->next_id + i) % sad->p.max_sas;

			if (sad->owned[cand] == NULL) {
				*id = cand;
				return 0;
			}
		}
		if (sad->dq == NULL)
			break;
		dp_sad_reclaim(sad);
	}
	return -ENOSPC;
}

int
dp_sa_add(struct dp_sad *sad, const struct dp_sa_params *p, uint32_t *id, char *err,
	  size_t err_len)
{
	struct dp_sa *sa;
	uint32_t slot;
	int rc;

	rc = sa_params_check(sad, p, err, err_len);
	if (rc < 0)
		return rc;
	if (p->dir == DP_SA_INBOUND && rte_hash_lookup(sad->spi_hash, &p->spi) >= 0) {
		sad_err(err, err_len, "inbound SPI 0x%08x already in use", p->spi);
		return -EEXIST;
	}
	if (sad_slot_find(sad, &slot) < 0) {
		sad_err(err, err_len, "SA table full (%u SAs)", sad->p.max_sas);
		return -ENOSPC;
	}
	rc = sa_build(sad, p, slot, &sa, err, err_len);
	if (rc < 0)
		return rc;
	if (p->dir == DP_SA_INBOUND && rte_hash_add_key_data(sad->spi_hash, &sa->p.spi, sa) < 0) {
		sad_err(err, err_len, "SPI table full");
		sa_destroy(sad, sa);
		return -ENOSPC;
	}
	sad->owned[slot] = sa;
	__atomic_store_n(&sad->sas[slot], sa, __ATOMIC_RELEASE);
	sad->count++;
	sad->count_active += (sa->flags & DP_SA_F_ACTIVE) != 0;
	sad->next_id = (slot + 1) % sad->p.max_sas;
	*id = slot;
	return 0;
}

int
dp_sa_delete(struct dp_sad *sad, uint32_t id)
{
	struct sad_deferred d = { .id = id, .pos = -1 };
	struct dp_sa *sa;

	if (id >= sad->p.max_sas)
		return -ENOENT;
	sa = __atomic_load_n(&sad->sas[id], __ATOMIC_RELAXED);
	if (sa == NULL)
		return -ENOENT;
	dp_sa_set_active(sad, sa, false, __ATOMIC_RELAXED);
	__atomic_store_n(&sad->sas[id], NULL, __ATOMIC_RELEASE);
	if (sa->p.dir == DP_SA_INBOUND)
		d.pos = rte_hash_del_key(sad->spi_hash, &sa->p.spi);
	sad->count--;
	if (sad->dq == NULL) {
		sad_release(sad, d.id, d.pos);
		return 0;
	}
	/* The queue holds one entry per id, so it cannot be full; were it
	 * full, the SA would stay owned and be freed by dp_sad_free. */
	if (rte_rcu_qsbr_dq_enqueue(sad->dq, &d) == 0)
		sad->deferred++;
	return 0;
}

static const char *
family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* The SA's path with u applied, checked, in new memory. */
static int
update_path(struct dp_sad *sad, const struct dp_sa *sa, const struct dp_sa_update *u,
	    struct dp_sa_path **out, char *err, size_t err_len)
{
	const struct dp_sa_path *cur = sa->path;	/* ours: we are the only writer */
	struct dp_sa_path t = *cur;
	int rc;

	if (u->fields & DP_SA_UPD_LOCAL)
		t.local = u->local;
	if (u->fields & DP_SA_UPD_REMOTE)
		t.remote = u->remote;
	if (u->fields & DP_SA_UPD_ENCAP) {
		t.udp_encap = u->udp_encap;
		t.encap_local_port = u->encap_local_port;
		t.encap_remote_port = u->encap_remote_port;
	}
	if (u->fields & DP_SA_UPD_DF)
		t.df = u->df;
	if (u->fields & DP_SA_UPD_DSCP)
		t.dscp = u->dscp;
	if (t.local.family != cur->local.family || t.remote.family != cur->local.family) {
		sad_err(err, err_len, "%s address: family differs from the SA's (%s)",
			t.local.family != cur->local.family ? "local" : "remote",
			family_name(cur->local.family));
		return -EINVAL;
	}
	rc = sa_check_path(&t, err, err_len);
	if (rc < 0)
		return rc;
	*out = path_new(sad, sa, &t);
	if (*out == NULL) {
		sad_err(err, err_len, "out of memory for the SA's path");
		return -ENOMEM;
	}
	return 0;
}

static int
update_limits(const struct dp_sa *sa, const struct dp_sa_update *u, struct dp_sa_limits *soft,
	      struct dp_sa_limits *hard, char *err, size_t err_len)
{
	*soft = u->fields & DP_SA_UPD_SOFT ? u->soft : sa->soft;
	*hard = u->fields & DP_SA_UPD_HARD ? u->hard : sa->hard;
	if (sa_limit_above(soft->bytes, hard->bytes) ||
	    sa_limit_above(soft->packets, hard->packets)) {
		sad_err(err, err_len, "soft lifetime above hard lifetime");
		return -EINVAL;
	}
	return 0;
}

/* Publishes np; the old path joins the retire list (sa.c header). */
static void
path_replace(struct dp_sad *sad, struct dp_sa *sa, struct dp_sa_path *np)
{
	struct dp_sa_path *old = sa->path;

	__atomic_store_n(&sa->path, np, __ATOMIC_RELEASE);
	if (sad->p.qsbr == NULL) {
		path_release(sad, old);
		return;
	}
	sad_paths_reclaim(sad);			/* keeps the list short */
	old->retired_next = NULL;
	old->retired_token = rte_rcu_qsbr_start(sad->p.qsbr);	/* after the store */
	if (sad->retired_tail != NULL)
		sad->retired_tail->retired_next = old;
	else
		sad->retired_head = old;
	sad->retired_tail = old;
	sad->n_retired++;
}

/* Four independent 64-bit stores. A worker accounting meanwhile compares
 * each limit on its own with either its old or its new value: whatever
 * mix it sees, each flag it raises is one the burst would have raised
 * just before or just after the update. */
static void
limits_store(struct dp_sa *sa, const struct dp_sa_limits *soft, const struct dp_sa_limits *hard)
{
	__atomic_store_n(&sa->soft.bytes, soft->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->soft.packets, soft->packets, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->hard.bytes, hard->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->hard.packets, hard->packets, __ATOMIC_RELAXED);
}

int
dp_sa_update(struct dp_sad *sad, uint32_t id, const struct dp_sa_update *u, char *err,
	     size_t err_len)
{
	struct dp_sa_limits soft, hard;
	struct dp_sa_path *np = NULL;
	struct dp_sa *sa = NULL;
	int rc;

	if (id < sad->p.max_sas)
		sa = __atomic_load_n(&sad->sas[id], __ATOMIC_RELAXED);
	if (sa == NULL) {
		sad_err(err, err_len, "SA id %u not found", id);
		return -ENOENT;
	}
	if ((u->fields & ~(uint32_t)DP_SA_UPD_ALL) != 0) {
		sad_err(err, err_len, "unknown update fields 0x%x",
			u->fields & ~(uint32_t)DP_SA_UPD_ALL);
		return -EINVAL;
	}
	rc = update_limits(sa, u, &soft, &hard, err, err_len);
	if (rc == 0 && (u->fields & DP_SA_UPD_PATH) != 0)
		rc = update_path(sad, sa, u, &np, err, err_len);
	if (rc < 0)
		return rc;
	if (np != NULL)
		path_replace(sad, sa, np);
	if ((u->fields & (DP_SA_UPD_SOFT | DP_SA_UPD_HARD)) != 0)
		limits_store(sa, &soft, &hard);
	return 0;
}

void
dp_sad_reclaim(struct dp_sad *sad)
{
	unsigned int freed, pending = sad->deferred, available;

	/* Called every control pass: the defer queue only when it holds
	 * something (a reclaim call costs a debug log call even when empty). */
	if (sad->dq != NULL && sad->deferred != 0) {
		rte_rcu_qsbr_dq_reclaim(sad->dq, sad->p.max_sas, &freed, &pending, &available);
		sad->deferred = pending;
	}
	sad_paths_reclaim(sad);
}

unsigned int
dp_sad_retired_paths(const struct dp_sad *sad)
{
	return sad->n_retired;
}

struct dp_sa *
dp_sad_get(const struct dp_sad *sad, uint32_t id)
{
	if (id >= sad->p.max_sas)
		return NULL;
	return __atomic_load_n(&sad->sas[id], __ATOMIC_ACQUIRE);
}

/* A peer's packets arrive in runs of one SPI: each run is one key. */
static void
spi_chunk(const struct dp_sad *sad, const uint32_t *spis, unsigned int n, struct dp_sa **sas)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t key_of[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int k = 0;
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (i == 0 || spis[i] != spis[i - 1])
			keys[k++] = &spis[i];
		key_of[i] = (uint8_t)(k - 1);
	}
	rte_hash_lookup_bulk_data(sad->spi_hash, keys, k, &hits, data);
	for (unsigned int i = 0; i < n; i++)
		sas[i] = (hits >> key_of[i]) & 1 ? data[key_of[i]] : NULL;
}

void
dp_sad_lookup_spi_bulk(const struct dp_sad *sad, const uint32_t *spis, unsigned int n,
		       struct dp_sa **sas)
{
	unsigned int chunk;

	for (unsigned int done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
		spi_chunk(sad, spis + done, chunk, sas + done);
	}
}

struct dp_sa *
dp_sad_next(const struct dp_sad *sad, uint32_t *iter)
{
	for (uint32_t id = *iter; id < sad->p.max_sas; id++) {
		struct dp_sa *sa = __atomic_load_n(&sad->sas[id], __ATOMIC_ACQUIRE);

		if (sa != NULL) {
			*iter = id + 1;
			return sa;
		}
	}
	*iter = sad->p.max_sas;
	return NULL;
}

size_t
dp_sad_memory(unsigned int max_sas)
{
	return (size_t)max_sas * (sizeof(struct dp_sa) + 2 * sizeof(struct dp_sa *) +
				  sizeof(struct dp_sa_out));
}

unsigned int
dp_sad_capacity(const struct dp_sad *sad)
{
	return sad->p.max_sas;
}

uint32_t
dp_sad_moved_words(const struct dp_sad *sad)
{
	return sad->moved_words;
}

/* A word nobody marked is only read: no exchange, no line taken away
 * from the workers. */
uint32_t
dp_sad_moved_take(struct dp_sad *sad, uint64_t *out, uint32_t n_words)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < n_words && i < sad->moved_words; i++) {
		uint64_t w = __atomic_load_n(&sad->moved[i], __ATOMIC_RELAXED);

		if (w != 0)
			w = __atomic_exchange_n(&sad->moved[i], 0, __ATOMIC_ACQUIRE);
		out[i] = w;
		n += (uint32_t)__builtin_popcountll(w);
	}
	return n;
}

struct dp_sa_out *
dp_sad_out(const struct dp_sad *sad, uint32_t id)
{
	return &sad->outs[id];
}

void
dp_sad_prefetch_seq(const struct dp_sad *sad, uint32_t id)
{
	rte_prefetch0(&sad->sas[id]);
	rte_prefetch0(&sad->outs[id]);
}

unsigned int
dp_sad_count(const struct dp_sad *sad)
{
	return sad->count;
}

unsigned int
dp_sad_count_active(const struct dp_sad *sad)
{
	return sad->count_active;
}

/* The only writer of DP_SA_F_ACTIVE after dp_sa_add, so that the count
 * stays exact without a walk (show ha asks for it while a bulk sync
 * installs 100,000s of SAs). */
void
dp_sa_set_active(struct dp_sad *sad, struct dp_sa *sa, bool on, int memorder)
{
	uint32_t before = on ? __atomic_fetch_or(&sa->flags, DP_SA_F_ACTIVE, memorder) :
			       __atomic_fetch_and(&sa->flags, ~(uint32_t)DP_SA_F_ACTIVE, memorder);

	if (((before & DP_SA_F_ACTIVE) != 0) != on)
		sad->count_active += on ? 1u : -1u;
}
