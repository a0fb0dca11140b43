/*
 * The SA database (RFC 4301 §4.4.2): inbound SAs found by SPI through an
 * rte_hash (lock-free readers, RFC 4303 §2.1 SPI), every SA found by id
 * through an array of pointers; outbound sequence numbers (RFC 4303
 * §3.3.3, never cycled), the IV nonce and its epoch (RFC 4106 §3.1, RFC
 * 7634 §2: see sa.h), HA export/import/takeover, and lifetimes (RFC 4301
 * §4.4.2.1).
 *
 * Writers and readers. Only the control core adds and deletes. Workers
 * read the hash and the array without locks. A deleted SA is unpublished
 * at once (hash key and array slot), then freed after a QSBR grace period
 * through a defer queue that the control core drains without blocking
 * (it may run worker 0 on the same lcore): the free zeroizes the keys.
 * Until then its id and hash key position stay reserved, so an id is not
 * reused while a worker may still hold the old SA or an event about it.
 */
#define ALLOW_EXPERIMENTAL_API	/* rte_rcu_qsbr_dq_* are experimental in 22.11 */

#include <errno.h>
#include <stdarg.h>
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
#include "dataplane/sa.h"

enum {
	SAD_HASH_HEADROOM = 2,		/* hash key slots per SA: cuckoo load <= 1/2 */
	SAD_HASH_MIN = 16,		/* rte_hash needs a few buckets */
	SAD_MAX_SAS = 1 << 20,
	SA_SPI_MIN = 256,		/* RFC 4303 §2.1: 1..255 reserved, 0 never used */
	SA_IPV4_HDR_LEN = 20,
	SA_IPV6_HDR_LEN = 40,
	SA_UDP_HDR_LEN = 8,		/* RFC 3948 §2.1 */
	SA_DSCP_MAX = 63,
	SA_EPOCH_BITS = 16,
	SA_EPOCH_GEN_MAX = (1 << (SA_EPOCH_BITS - 1)) - 1,	/* epoch = gen << 1 | node */
	SA_NODE_BIT = 1,
};

/* Sequence numbers of one IV epoch: seq - epoch_start_seq < 2^48. */
#define SA_EPOCH_SPACE (UINT64_C(1) << DP_SA_IV_COUNTER_BITS)

_Static_assert(SA_EPOCH_BITS + DP_SA_IV_COUNTER_BITS == 64, "IV nonce is 64 bits");

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
	unsigned int count;		/* published SAs */
	uint32_t next_id;		/* next-fit start: ids come back late */
};

/* Test seam: if a test defines it, it sees every SA after zeroization,
 * just before its memory is returned. */
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

static void
sa_destroy(struct dp_sa *sa)
{
	dp_esp_key_wipe(&sa->key);
	explicit_bzero(sa->p.enc_key, sizeof(sa->p.enc_key));
	explicit_bzero(sa->p.auth_key, sizeof(sa->p.auth_key));
	if (dp_sa_test_free_hook != NULL)
		dp_sa_test_free_hook(sa);
	rte_free(sa);
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
	sa_destroy(sa);
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
		.socket_id = sad->p.socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

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
	table = p->max_sas * sizeof(struct dp_sa *);
	sad->sas = rte_zmalloc_socket("dp_sad_sas", table, RTE_CACHE_LINE_SIZE, p->socket);
	sad->owned = rte_zmalloc_socket("dp_sad_owned", table, RTE_CACHE_LINE_SIZE, p->socket);
	rc = sad->sas == NULL || sad->owned == NULL ? -ENOMEM : sad_hash_create(sad, name);
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
			sa_destroy(sad->owned[id]);
	rte_hash_free(sad->spi_hash);
	rte_free(sad->owned);
	rte_free(sad->sas);
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

static int
sa_check_outer(const struct dp_sad *sad, const struct dp_sa_params *p, char *err,
	       size_t err_len)
{
	if (!sa_family_valid(p->local.family) || p->local.family != p->remote.family) {
		sad_err(err, err_len,
			"local and remote addresses of different or invalid families");
		return -EINVAL;
	}
	if (p->udp_encap && (p->encap_local_port == 0 || p->encap_remote_port == 0)) {
		sad_err(err, err_len, "UDP encapsulation needs non-zero ports");
		return -EINVAL;
	}
	if (p->df != DP_SA_DF_COPY && p->df != DP_SA_DF_SET && p->df != DP_SA_DF_CLEAR) {
		sad_err(err, err_len, "df %d invalid", (int)p->df);
		return -EINVAL;
	}
	if (p->dscp < -1 || p->dscp > SA_DSCP_MAX) {
		sad_err(err, err_len, "dscp %d out of range (-1 = copy, 0..%u)", p->dscp,
			SA_DSCP_MAX);
		return -EINVAL;
	}
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
sa_overhead(const struct dp_sa *sa)
{
	uint16_t len = DP_ESP_HDR_LEN + sa->key.iv_len + DP_ESP_ICV_LEN;

	if (sa->p.mode == DP_SA_TUNNEL)
		len += sa->p.local.family == AF_INET ? SA_IPV4_HDR_LEN : SA_IPV6_HDR_LEN;
	if (sa->p.udp_encap)
		len += SA_UDP_HDR_LEN;
	return len;
}

static int
sa_build(struct dp_sad *sad, const struct dp_sa_params *p, uint32_t id, struct dp_sa **out,
	 char *err, size_t err_len)
{
	struct dp_sa *sa;

	sa = rte_zmalloc_socket("dp_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE, sad->p.socket);
	if (sa == NULL) {
		sad_err(err, err_len, "out of memory for the SA");
		return -ENOMEM;
	}
	sa->p = *p;
	sa->id = id;
	sa->owner = p->owner != DP_SA_NO_OWNER ? p->owner : p->spi % sad->p.n_workers;
	sa->flags = DP_SA_F_ACTIVE;
	sa->created_ms = dp_now_ms();
	if (dp_esp_key_init(sad->p.mgr, &sa->key, p->alg, p->enc_key, p->enc_key_len,
			    p->auth_key, p->auth_key_len) < 0) {
		sad_err(err, err_len, "key expansion failed");
		sa_destroy(sa);
		return -EINVAL;
	}
	sa->overhead = sa_overhead(sa);
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
		sa_destroy(sa);
		return -ENOSPC;
	}
	sad->owned[slot] = sa;
	__atomic_store_n(&sad->sas[slot], sa, __ATOMIC_RELEASE);
	sad->count++;
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
	__atomic_fetch_and(&sa->flags, ~(uint32_t)DP_SA_F_ACTIVE, __ATOMIC_RELAXED);
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
	rte_rcu_qsbr_dq_enqueue(sad->dq, &d);
	return 0;
}

void
dp_sad_reclaim(struct dp_sad *sad)
{
	unsigned int freed, pending, available;

	if (sad->dq != NULL)
		rte_rcu_qsbr_dq_reclaim(sad->dq, sad->p.max_sas, &freed, &pending, &available);
}

struct dp_sa *
dp_sad_get(const struct dp_sad *sad, uint32_t id)
{
	if (id >= sad->p.max_sas)
		return NULL;
	return __atomic_load_n(&sad->sas[id], __ATOMIC_ACQUIRE);
}

void
dp_sad_lookup_spi_bulk(const struct dp_sad *sad, const uint32_t *spis, unsigned int n,
		       struct dp_sa **sas)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int chunk;

	for (unsigned int done = 0; done < n; done += chunk) {
		uint64_t hits = 0;

		chunk = RTE_MIN(n - done, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
		for (unsigned int i = 0; i < chunk; i++)
			keys[i] = &spis[done + i];
		rte_hash_lookup_bulk_data(sad->spi_hash, keys, chunk, &hits, data);
		for (unsigned int i = 0; i < chunk; i++)
			sas[done + i] = (hits >> i) & 1 ? data[i] : NULL;
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

unsigned int
dp_sad_count(const struct dp_sad *sad)
{
	return sad->count;
}

/* Drop counters only: packets and bytes are what the lifetimes count
 * (RFC 4301 §4.4.2.1), and clearing them would extend the SA's life. */
void
dp_sa_clear_stats(struct dp_sa *sa)
{
	for (unsigned int i = 0; i < DP_SA_DROP_MAX; i++)
		__atomic_store_n(&sa->stats.drops[i], 0, __ATOMIC_RELAXED);
}

static void
sa_set_hard_expired(struct dp_sa *sa)
{
	__atomic_fetch_or(&sa->flags, DP_SA_F_HARD_EXPIRED, __ATOMIC_RELAXED);
}

/*
 * RFC 4303 §3.3.3: the counter never cycles (2^32 - 1 without ESN, 2^64 - 1
 * with), and an IV epoch covers fewer than 2^48 numbers (sa.h). A counter
 * that wrapped below the epoch start fails the epoch test too, because
 * prev - start is then huge.
 */
uint64_t
dp_sa_seq_reserve(struct dp_sa *sa, uint32_t n)
{
	uint64_t max = sa->p.esn ? UINT64_MAX : UINT32_MAX;
	uint64_t start, prev;

	if (unlikely(n == 0 ||
		     (__atomic_load_n(&sa->flags, __ATOMIC_RELAXED) & DP_SA_F_HARD_EXPIRED)))
		return 0;
	start = __atomic_load_n(&sa->out.epoch_start_seq, __ATOMIC_RELAXED);
	prev = __atomic_fetch_add(&sa->out.seq, n, __ATOMIC_RELAXED);
	if (unlikely(prev > max - n || prev - start > SA_EPOCH_SPACE - 1 - n)) {
		sa_set_hard_expired(sa);
		return 0;
	}
	return prev + 1;
}

uint64_t
dp_sa_iv_nonce(const struct dp_sa *sa, uint64_t seq)
{
	uint64_t epoch = __atomic_load_n(&sa->out.iv_epoch, __ATOMIC_RELAXED);

	return epoch << DP_SA_IV_COUNTER_BITS | (seq & (SA_EPOCH_SPACE - 1));
}

void
dp_sa_seq_export(const struct dp_sa *sa, struct dp_sa_seq_state *s)
{
	memset(s, 0, sizeof(*s));
	s->spi = sa->p.spi;
	s->dir = (uint8_t)sa->p.dir;
	s->out_seq = __atomic_load_n(&sa->out.seq, __ATOMIC_RELAXED);
	s->iv_epoch = __atomic_load_n(&sa->out.iv_epoch, __ATOMIC_RELAXED);
	s->epoch_start_seq = __atomic_load_n(&sa->out.epoch_start_seq, __ATOMIC_RELAXED);
	if (sa->p.dir == DP_SA_INBOUND)
		dp_replay_export(&sa->win, &s->win);
}

/* Outbound: the higher counter, the newer epoch; within one epoch the
 * earlier start, which keeps the 2^48 limit where the sender began. */
static void
sa_out_import(struct dp_sa *sa, const struct dp_sa_seq_state *s)
{
	uint64_t seq = __atomic_load_n(&sa->out.seq, __ATOMIC_RELAXED);
	uint64_t start = sa->out.epoch_start_seq;
	uint16_t epoch = sa->out.iv_epoch;

	while (s->out_seq > seq &&
	       !__atomic_compare_exchange_n(&sa->out.seq, &seq, s->out_seq, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	if (s->iv_epoch > epoch || (s->iv_epoch == epoch && s->epoch_start_seq < start)) {
		__atomic_store_n(&sa->out.epoch_start_seq, s->epoch_start_seq, __ATOMIC_RELAXED);
		__atomic_store_n(&sa->out.iv_epoch, s->iv_epoch, __ATOMIC_RELEASE);
	}
}

int
dp_sa_seq_import(struct dp_sa *sa, const struct dp_sa_seq_state *s)
{
	if (s->spi != sa->p.spi || s->dir != (uint8_t)sa->p.dir)
		return -EINVAL;
	if (sa->p.dir == DP_SA_INBOUND)
		return dp_replay_import(&sa->win, &s->win);
	sa_out_import(sa, s);
	return 0;
}

/* Called before this node sends on the SA (no worker sends on it yet). */
void
dp_sa_take_over(struct dp_sa *sa, uint8_t node_bit, uint64_t margin)
{
	uint16_t gen = sa->out.iv_epoch >> 1;
	uint64_t seq = __atomic_load_n(&sa->out.seq, __ATOMIC_RELAXED);

	if (gen >= SA_EPOCH_GEN_MAX) {
		sa_set_hard_expired(sa);
		return;
	}
	seq = seq > UINT64_MAX - margin ? UINT64_MAX : seq + margin;
	__atomic_store_n(&sa->out.seq, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->out.epoch_start_seq, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->out.iv_epoch, (uint16_t)((gen + 1) << 1 | (node_bit & SA_NODE_BIT)),
			 __ATOMIC_RELEASE);
}

static bool
sa_limit_reached(uint64_t limit, uint64_t value)
{
	return limit != 0 && value >= limit;
}

uint32_t
dp_sa_account(struct dp_sa *sa, uint32_t packets, uint64_t bytes)
{
	uint64_t pk = __atomic_add_fetch(&sa->stats.packets, packets, __ATOMIC_RELAXED);
	uint64_t by = __atomic_add_fetch(&sa->stats.bytes, bytes, __ATOMIC_RELAXED);
	uint32_t want = 0, old;

	if (sa_limit_reached(sa->p.soft.packets, pk) || sa_limit_reached(sa->p.soft.bytes, by))
		want |= DP_SA_F_SOFT_EXPIRED;
	if (sa_limit_reached(sa->p.hard.packets, pk) || sa_limit_reached(sa->p.hard.bytes, by))
		want |= DP_SA_F_HARD_EXPIRED;
	if (likely(want == 0 ||
		   (__atomic_load_n(&sa->flags, __ATOMIC_RELAXED) & want) == want))
		return 0;
	old = __atomic_fetch_or(&sa->flags, want, __ATOMIC_RELAXED);
	return want & ~old;
}
