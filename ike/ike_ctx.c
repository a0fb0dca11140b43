/* An IKEv2 daemon instance (ike_ctx.h, RFC 7296): creation from the
 * configuration, the host's entry points, SA and CHILD SA lifetimes
 * (removal from the data path, virtual IP release, state events), show
 * walks and counters. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/mem_populate.h"
#include "ike/ike_io.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_timer.h"
#include "ike/ike_window.h"

void
ike_logf(struct ike_ctx *ctx, enum ike_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (ctx->ops.log == NULL)
		return;
	va_start(ap, fmt);
	ctx->ops.log(ctx->ops.arg, lvl, fmt, ap);
	va_end(ap);
}

uint64_t
ike_ctx_now_ms(const struct ike_ctx *ctx)
{
	return ctx->ops.now_ms(ctx->ops.arg);
}

uint64_t
ike_ctx_wall_s(const struct ike_ctx *ctx)
{
	return ctx->ops.wall_s != NULL ? ctx->ops.wall_s(ctx->ops.arg) : 0;
}

void
ike_ctx_event(struct ike_ctx *ctx, enum ike_state_event ev, const struct ike_sa *sa,
	      const struct ike_child *child)
{
	if (ctx->ops.state_event != NULL)
		ctx->ops.state_event(ctx->ops.arg, ev, &sa->st, child == NULL ? NULL : &child->st);
}

struct ike_ctx *
ike_ctx_new(const struct cfg_ike *cfg, const struct ike_host_ops *ops, uint16_t node_id,
	    char *err, size_t err_len)
{
	struct ike_ctx *ctx;

	if (ops == NULL || ops->send == NULL || ops->now_ms == NULL) {
		snprintf(err, err_len, "host ops without send/now_ms");
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	/* The SA tables' buckets present now, not one page fault at a time
	 * while a standby's bulk sync or a flood of clients fills them. */
	mem_populate(&ctx->table, sizeof(ctx->table));
	ctx->ops = *ops;
	ctx->node_id = node_id;
	ctx->conf = ike_conf_new(cfg, err, err_len);
	if (ctx->conf == NULL)
		goto fail;
	if (ike_pool_set_init(&ctx->pools, &ctx->conf->cfg) != 0 ||
	    ike_cookie_init(&ctx->cookie, ike_ctx_now_ms(ctx)) != 0) {
		snprintf(err, err_len, "out of memory or no randomness");
		goto fail;
	}
	return ctx;
fail:
	ike_pool_set_free(&ctx->pools);
	ike_conf_free(ctx->conf);
	free(ctx);
	return NULL;
}

int
ike_ctx_reserve(size_t ike_sas, size_t child_sas)
{
	return ike_sa_reserve(ike_sas, child_sas);
}

void
ike_ctx_free(struct ike_ctx *ctx)
{
	struct ike_sa *sa;

	if (ctx == NULL)
		return;
	/* no state events: the HA peer keeps its copies (a takeover may
	 * follow); the data path is cleaned through child_remove */
	ctx->ops.state_event = NULL;
	while ((sa = ctx->table.all) != NULL)
		ike_ctx_sa_delete(ctx, sa, "daemon stopped");
	ike_ha_midsync_clear(ctx);
	ike_cookie_wipe(&ctx->cookie);
	ike_pool_set_free(&ctx->pools);
	ike_spi_set_free(&ctx->esp_spis);
	ike_conf_free(ctx->conf);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	free(ctx);
}

void
ike_input(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	  const uint8_t *data, size_t len)
{
	if (ctx->ha_passive) {          /* HA standby (ike_ha.h) */
		ctx->ha_stats.passive_drops++;
		return;
	}
	ike_io_input(ctx, local, remote, data, len);
}

/* While a takeover's RFC 6311 syncs are queued the host ticks every
 * pass: a burst of them each time, the timer walk when it is due. */
uint64_t
ike_tick(struct ike_ctx *ctx)
{
	uint64_t now;

	if (ctx->ha_passive)
		return UINT64_MAX;
	now = ike_ctx_now_ms(ctx);
	if (!ike_ha_midsync_pending(ctx) || ike_timer_next(ctx) <= now)
		ike_timer_run(ctx, now);
	ike_ha_midsync_tick(ctx);
	return ike_next_deadline(ctx);
}

uint64_t
ike_next_deadline(const struct ike_ctx *ctx)
{
	if (ctx->ha_passive)
		return UINT64_MAX;
	return ike_ha_midsync_pending(ctx) ? 0 : ike_timer_next(ctx);
}

int
ike_ctx_ike_spi(struct ike_ctx *ctx, uint64_t *spi)
{
	uint64_t cand;
	int i, rc;

	for (i = 0; i < IKE_SPI_TRIES; i++) {
		rc = ike_spi_ike(ctx->node_id, &cand);
		if (rc != 0)
			return rc;
		if (!ike_sa_table_spi_used(&ctx->table, cand)) {
			*spi = cand;
			return 0;
		}
	}
	return -EEXIST;
}

int
ike_ctx_esp_spi(struct ike_ctx *ctx, uint32_t *spi)
{
	uint32_t cand;
	int i, rc;

	for (i = 0; i < IKE_SPI_TRIES; i++) {
		rc = ike_spi_esp(ctx->node_id, &cand);
		if (rc != 0)
			return rc;
		/* reserved until the CHILD SA using it is freed (ike_spi_set.h) */
		if (!ike_spi_set_has(&ctx->esp_spis, cand)) {
			rc = ike_spi_set_add(&ctx->esp_spis, cand);
			if (rc != 0)
				return rc;
			*spi = cand;
			return 0;
		}
	}
	return -EEXIST;
}

uint64_t
ike_ctx_child_id(struct ike_ctx *ctx)
{
	return ike_spi_id(ctx->node_id, ++ctx->child_seq);
}

uint32_t
ike_ctx_reqid(struct ike_ctx *ctx)
{
	return ++ctx->reqid_seq;
}

struct ike_pool_set *
ike_ctx_pools(struct ike_ctx *ctx)
{
	return &ctx->pools;
}

struct ike_sa *
ike_ctx_sa_new(struct ike_ctx *ctx, bool initiator, const struct ike_conf_conn *conn)
{
	struct ike_sa *sa = ike_sa_alloc();

	if (sa == NULL)
		return NULL;
	sa->st.id = ike_spi_id(ctx->node_id, ++ctx->sa_seq);
	sa->st.initiator = initiator;
	sa->st.window_local = ctx->conf->cfg.window_size;
	sa->conn = conn;
	if (conn != NULL)
		snprintf(sa->st.name, sizeof(sa->st.name), "%s", conn->cfg->name);
	if (initiator && ike_ctx_ike_spi(ctx, &sa->st.spi_i) != 0) {
		ike_sa_free(sa);
		return NULL;
	}
	return sa;
}

void
ike_ctx_half_open_end(struct ike_ctx *ctx, struct ike_sa *sa)
{
	if (!sa->half_open)
		return;
	sa->half_open = false;
	ike_cookie_half_open_del(&ctx->cookie, &sa->st.remote);
}

void
ike_ctx_child_remove(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	if ((c->installed_in || c->installed_out) && ctx->ops.child_remove != NULL)
		ctx->ops.child_remove(ctx->ops.arg, &c->st);
	ike_sa_child_unlink(sa, c);
	if (c->installed_in || c->installed_out) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "CHILD SA %s %08x_i %08x_o removed", c->st.name,
			   c->st.spi_in, c->st.spi_out);
		ike_ctx_event(ctx, IKE_EV_CHILD_DOWN, sa, c);
	}
	ike_spi_set_del(&ctx->esp_spis, c->st.spi_in);
	ike_sa_child_free(c);
}

void
ike_ctx_sa_delete(struct ike_ctx *ctx, struct ike_sa *sa, const char *why)
{
	bool was_up = sa->st.auth_ok && sa->st.phase >= IKE_SA_PHASE_ESTABLISHED;
	bool listed = ike_sa_table_by_spi(&ctx->table, ike_sa_our_spi(sa)) == sa;

	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "IKE SA %s deleted: %s", sa->st.name, why);
	while (sa->children != NULL)
		ike_ctx_child_remove(ctx, sa, sa->children);
	ike_spi_set_del(&ctx->esp_spis, sa->child_spi);     /* a CHILD SA never created */
	/* leases have a pool name (a rekeyed SA may be the initiator of the
	 * new one, §2.18); an initiator's own virtual IP has none */
	ike_pool_release(&ctx->pools, sa->st.vip4.pool, &sa->st.vip4.addr);
	ike_pool_release(&ctx->pools, sa->st.vip6.pool, &sa->st.vip6.addr);
	ike_ctx_half_open_end(ctx, sa);
	if (sa->st.phase != IKE_SA_PHASE_DEAD)
		ike_sa_set_phase(sa, IKE_SA_PHASE_DEAD);
	if (was_up)
		ike_ctx_event(ctx, IKE_EV_SA_DOWN, sa, NULL);
	if (listed)
		ike_sa_table_del(&ctx->table, sa);
	ike_sa_free(sa);
}

static uint8_t
host_len(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* The first single remote address, and our first address of its family. */
static void
set_initiator_addrs(const struct ike_ctx *ctx, const struct cfg_ike_conn *cfg,
		    struct ike_sa *sa)
{
	const struct cfg_prefix *r = &cfg->remote_addrs[0], *l = &cfg->local_addrs[0];
	uint8_t i;

	for (i = 0; i < cfg->n_remote_addrs; i++)
		if (cfg->remote_addrs[i].len == host_len(cfg->remote_addrs[i].family)) {
			r = &cfg->remote_addrs[i];
			break;
		}
	for (i = 0; i < cfg->n_local_addrs; i++)
		if (cfg->local_addrs[i].family == r->family) {
			l = &cfg->local_addrs[i];
			break;
		}
	sa->st.local.family = l->family;
	memcpy(sa->st.local.ip, l->addr.bytes, sizeof(sa->st.local.ip));
	sa->st.local.port = ctx->conf->cfg.port;
	sa->st.remote.family = r->family;
	memcpy(sa->st.remote.ip, r->addr.bytes, sizeof(sa->st.remote.ip));
	sa->st.remote.port = ctx->conf->cfg.port;
}

int
ike_initiate(struct ike_ctx *ctx, const char *conn, const char *child)
{
	const struct ike_conf_conn *cc = ike_conf_find(ctx->conf, conn);
	const struct cfg_ike_conn *cfg;
	struct ike_sa *sa;
	int rc;

	if (cc == NULL)
		return -ENOENT;
	cfg = cc->cfg;
	if (cfg->remote_any || cfg->n_remote_addrs == 0 || cfg->n_local_addrs == 0)
		return -EDESTADDRREQ;
	sa = ike_ctx_sa_new(ctx, true, cc);
	if (sa == NULL)
		return -ENOMEM;
	sa->child_conf = ike_conf_find_child(cc, child);
	if (child != NULL && sa->child_conf == NULL) {
		ike_sa_free(sa);
		return -ENOENT;
	}
	set_initiator_addrs(ctx, cfg, sa);
	ike_sa_table_add(&ctx->table, sa);
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "initiating %s", cfg->name);
	rc = ike_exch_initiate(ctx, sa, IKE_EXCH_SA_INIT);
	if (rc != 0)
		ike_ctx_sa_delete(ctx, sa, "IKE_SA_INIT not sent");
	return rc;
}

int
ike_terminate_ike(struct ike_ctx *ctx, uint64_t ike_sa_id)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, ike_sa_id);

	if (sa == NULL)
		return -ENOENT;
	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED || !ike_win_idle(sa)) {
		ike_ctx_sa_delete(ctx, sa, "terminated");
		return 0;
	}
	return ike_exch_delete(ctx, sa);
}

struct ike_child *
ike_ctx_child_find(const struct ike_ctx *ctx, uint64_t child_id, struct ike_sa *hint,
		   struct ike_sa **owner)
{
	struct ike_child *c;
	struct ike_sa *sa;

	if (hint != NULL && (c = ike_child_by_id(hint, child_id)) != NULL) {
		*owner = hint;
		return c;
	}
	for (sa = ctx->table.all; sa != NULL; sa = sa->next)
		if (sa != hint && (c = ike_child_by_id(sa, child_id)) != NULL) {
			*owner = sa;
			return c;
		}
	return NULL;
}

/* RFC 7296 §1.4.1: INFORMATIONAL DELETE of the CHILD SA (queued while
 * the peer's window is full, §2.3); it is removed when the peer answers
 * (or with the IKE SA when it does not). */
int
ike_terminate_child(struct ike_ctx *ctx, uint64_t child_id)
{
	struct ike_sa *sa = NULL;
	struct ike_child *c = ike_ctx_child_find(ctx, child_id, NULL, &sa);

	if (c == NULL)
		return -ENOENT;
	return ike_queue_child_delete(ctx, sa, c);      /* queued while the window is full */
}

/* RFC 7296 §1.3.2: CREATE_CHILD_SA rekeying the IKE SA (queued while a
 * request of ours is outstanding). */
int
ike_rekey_ike(struct ike_ctx *ctx, uint64_t ike_sa_id)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, ike_sa_id);

	if (sa == NULL)
		return -ENOENT;
	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED)
		return -EBUSY;
	return ike_rekey_ike_start(ctx, sa);
}

/* RFC 7296 §1.3.3: CREATE_CHILD_SA with REKEY_SA. */
int
ike_rekey_child(struct ike_ctx *ctx, uint64_t child_id)
{
	struct ike_sa *sa = NULL;
	struct ike_child *c = ike_ctx_child_find(ctx, child_id, NULL, &sa);

	if (c == NULL)
		return -ENOENT;
	if (sa->st.phase != IKE_SA_PHASE_ESTABLISHED && sa->st.phase != IKE_SA_PHASE_REKEYING)
		return -EBUSY;
	return ike_rekey_child_start(ctx, sa, c);
}

static struct ike_child *
child_by_esp_spi(const struct ike_ctx *ctx, uint32_t spi, struct ike_sa **owner)
{
	struct ike_child *c;
	struct ike_sa *sa;

	for (sa = ctx->table.all; sa != NULL; sa = sa->next)
		for (c = sa->children; c != NULL; c = c->next)
			if (c->st.spi_in == spi || c->st.spi_out == spi) {
				*owner = sa;
				return c;
			}
	return NULL;
}

/* The data path's lifetimes (RFC 4301 §4.4.2.1): soft rekeys, hard
 * deletes. A replaced SA is not rekeyed again. */
void
ike_child_expired(struct ike_ctx *ctx, uint32_t spi, bool hard)
{
	struct ike_sa *sa = NULL;
	struct ike_child *c = child_by_esp_spi(ctx, spi, &sa);

	if (c == NULL)
		return;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "CHILD SA %08x_i: %s lifetime", c->st.spi_in,
		   hard ? "hard" : "soft");
	if (hard) {
		ike_dpd_child_hard(ctx, sa, c);
		return;
	}
	if (c->soft_fired || c->st.rekey != IKE_CHILD_REKEY_NONE)
		return;
	c->soft_fired = true;
	ike_rekey_child_start(ctx, sa, c);
}

int
ike_sa_foreach(const struct ike_ctx *ctx, int (*cb)(const struct ike_sa_state *sa, void *arg),
	       void *arg)
{
	const struct ike_sa *sa;
	int rc;

	for (sa = ctx->table.all; sa != NULL; sa = sa->next) {
		rc = cb(&sa->st, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
ike_sa_visit(const struct ike_ctx *ctx, uint64_t ike_sa_id,
	     int (*cb)(const struct ike_sa_state *sa, void *arg), void *arg)
{
	const struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, ike_sa_id);

	return sa == NULL ? -ENOENT : cb(&sa->st, arg);
}

int
ike_child_foreach(const struct ike_ctx *ctx, uint64_t ike_sa_id,
		  int (*cb)(const struct ike_child_state *child, void *arg), void *arg)
{
	const struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, ike_sa_id);
	const struct ike_child *c;
	int rc;

	if (sa == NULL)
		return -ENOENT;
	for (c = sa->children; c != NULL; c = c->next) {
		rc = cb(&c->st, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct ike_stats *
ike_get_stats(const struct ike_ctx *ctx)
{
	return &ctx->stats;
}

unsigned int
ike_sa_count(const struct ike_ctx *ctx)
{
	return ctx->table.count;
}

unsigned int
ike_half_open_count(const struct ike_ctx *ctx)
{
	return ctx->cookie.half_open;
}
