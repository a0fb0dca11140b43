/* High availability of the IKE daemon (ike_ha.h; issue 5): passive mode,
 * passive copies of the active appliance's IKE SAs and CHILD SAs from
 * their state records (RFC 7296 §2.3 message IDs and response cache,
 * §2.14 keys, §3.15 virtual IP leases), and the takeover: SK IV counters
 * advanced (RFC 5282 §3), timers re-armed, RFC 6311 message ID sync,
 * spread CHILD SA rekeys (RFC 7296 §2.8). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_ha.h"
#include "ike/ike_io.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_window.h"

enum { IKE_HA_MS_PER_S = 1000 };

typedef void (*ha_event_fn)(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
			    const struct ike_child_state *child);

/* Forgetting or replacing a copy is no state change to ship: no events. */
static ha_event_fn
events_off(struct ike_ctx *ctx)
{
	ha_event_fn fn = ctx->ops.state_event;

	ctx->ops.state_event = NULL;
	return fn;
}

static void
events_on(struct ike_ctx *ctx, ha_event_fn fn)
{
	ctx->ops.state_event = fn;
}

/* ---- RFC 6311 syncs after a takeover, a burst per tick ---- */

void
ike_ha_midsync_clear(struct ike_ctx *ctx)
{
	free(ctx->midsync_due.ids);
	memset(&ctx->midsync_due, 0, sizeof(ctx->midsync_due));
	ctx->ha_stats.msgid_syncs_pending = 0;
}

static void
midsync_one(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t margin)
{
	int rc = ike_msgid_sync_start(ctx, sa, margin);

	if (rc != 0)
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "MESSAGE_ID_SYNC not sent: %d", rc);
}

/* The next burst of the queue; an IKE SA deleted since the takeover is
 * skipped. */
static void
midsync_burst(struct ike_ctx *ctx)
{
	struct ike_midsync_due *d = &ctx->midsync_due;

	for (uint32_t sent = 0; d->next < d->n && sent < d->burst; sent++) {
		struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, d->ids[d->next++]);

		if (sa != NULL)
			midsync_one(ctx, sa, d->margin);
	}
	ctx->ha_stats.msgid_syncs_pending = d->n - d->next;
	if (d->next == d->n)
		ike_ha_midsync_clear(ctx);
}

bool
ike_ha_midsync_pending(const struct ike_ctx *ctx)
{
	return ctx->midsync_due.next < ctx->midsync_due.n;
}

void
ike_ha_midsync_tick(struct ike_ctx *ctx)
{
	if (ike_ha_midsync_pending(ctx))
		midsync_burst(ctx);
}

/* A takeover's queue: room for every IKE SA (false: no memory, then the
 * syncs go out at once as they did before there was a queue). */
static bool
midsync_start(struct ike_ctx *ctx, const struct ike_ha_takeover_opts *o)
{
	struct ike_midsync_due *d = &ctx->midsync_due;

	ike_ha_midsync_clear(ctx);
	d->ids = malloc((ctx->table.count + 1) * sizeof(d->ids[0]));
	if (d->ids == NULL)
		return false;
	d->margin = o->msgid_margin != 0 ? o->msgid_margin : IKE_HA_MSGID_MARGIN_DEFAULT;
	d->burst = o->msgid_sync_burst != 0 ? o->msgid_sync_burst :
					      IKE_HA_MSGID_SYNC_BURST_DEFAULT;
	return true;
}

int
ike_ha_set_passive(struct ike_ctx *ctx, bool passive)
{
	if (passive)
		ike_ha_midsync_clear(ctx);	/* a standby sends nothing */
	if (ctx->ha_passive != passive)
		IKE_LOG(ctx, IKE_LOG_NOTICE, "%s", passive ? "passive (HA standby)" : "active");
	ctx->ha_passive = passive;
	return 0;
}

bool
ike_ha_is_passive(const struct ike_ctx *ctx)
{
	return ctx->ha_passive;
}

const struct ike_ha_stats *
ike_ha_get_stats(const struct ike_ctx *ctx)
{
	return &ctx->ha_stats;
}

static bool
lease_of(const struct ike_state_vip *v)
{
	return v->addr.family != 0 && v->pool[0] != '\0';     /* a peer's lease, not ours */
}

static bool
same_lease(const struct ike_state_vip *a, const struct ike_state_vip *b)
{
	return lease_of(a) && strcmp(a->pool, b->pool) == 0 &&
	       memcmp(&a->addr, &b->addr, sizeof(a->addr)) == 0;
}

/* Another SA of the same peer identity holding lease V (an IKE SA rekey
 * moves the leases to the new SA): the lease is now ST's. */
static bool
lease_move(struct ike_ctx *ctx, const struct ike_sa *self, const struct ike_sa_state *st,
	   const struct ike_state_vip *v)
{
	struct ike_sa *sa;

	for (sa = ctx->table.all; sa != NULL; sa = sa->next) {
		if (sa == self || sa->st.id_remote.type != st->id_remote.type ||
		    sa->st.id_remote.len != st->id_remote.len ||
		    memcmp(sa->st.id_remote.data, st->id_remote.data, st->id_remote.len) != 0)
			continue;
		if (same_lease(&sa->st.vip4, v)) {
			memset(&sa->st.vip4, 0, sizeof(sa->st.vip4));
			return true;
		}
		if (same_lease(&sa->st.vip6, v)) {
			memset(&sa->st.vip6, 0, sizeof(sa->st.vip6));
			return true;
		}
	}
	return false;
}

static int
lease_take(struct ike_ctx *ctx, const struct ike_sa *self, const struct ike_sa_state *st,
	   const struct ike_state_vip *v)
{
	int rc;

	if (!lease_of(v))
		return 0;
	rc = ike_pool_claim(&ctx->pools, v->pool, &v->addr);
	if (rc == -EEXIST && lease_move(ctx, self, st, v))
		return 0;
	return rc == -EEXIST ? -EADDRINUSE : rc == -ENOENT ? -EADDRNOTAVAIL : rc;
}

static void
lease_put(struct ike_ctx *ctx, const struct ike_state_vip *v)
{
	if (lease_of(v))
		ike_pool_release(&ctx->pools, v->pool, &v->addr);
}

/* The leases of ST taken (those of OLD, the copy being replaced, given
 * back first and taken again should ST's fail). */
static int
leases_swap(struct ike_ctx *ctx, struct ike_sa *old, const struct ike_sa_state *st)
{
	int rc;

	if (old != NULL) {
		lease_put(ctx, &old->st.vip4);
		lease_put(ctx, &old->st.vip6);
	}
	rc = lease_take(ctx, old, st, &st->vip4);
	if (rc == 0) {
		rc = lease_take(ctx, old, st, &st->vip6);
		if (rc != 0)
			lease_put(ctx, &st->vip4);
	}
	if (rc != 0 && old != NULL) {
		lease_take(ctx, old, &old->st, &old->st.vip4);
		lease_take(ctx, old, &old->st, &old->st.vip6);
	}
	return rc;
}

/* Whatever SA was doing here (a former active's copy) is over: the
 * record is what counts. */
static void
sa_idle(struct ike_ctx *ctx, struct ike_sa *sa)
{
	ike_sa_init_done(sa);
	ike_ctx_half_open_end(ctx, sa);
	ike_win_clear(sa);
	ike_dh_free(sa->ccsa.dh);
	OPENSSL_cleanse(&sa->ccsa, sizeof(sa->ccsa));
	ike_frag_reset(&sa->frag);
	sa->del_child_spi = 0;
	sa->pend_del_child = 0;
	sa->pend_del_ike = false;
	sa->pend_rekey_ike = false;
	sa->pend_rekey_child = 0;
	ike_queue_clear(sa);
	sa->pend_at_ms = 0;
	sa->coll_sa_id = 0;
}

/* Copies of a record's response blobs, made before anything is changed. */
struct sa_blobs {
	uint8_t *resp;
	uint8_t *win;
};

static int
blobs_dup(const struct ike_sa_state *st, struct sa_blobs *b)
{
	b->win = NULL;
	if (ike_state_blob_dup(&b->resp, st->last_resp.bytes, st->last_resp.len) < 0 ||
	    ike_state_blob_dup(&b->win, st->win.bytes, st->win.bytes_len) < 0) {
		ike_state_blob_free(&b->resp, st->last_resp.len);
		return -ENOMEM;
	}
	return 0;
}

/* ST into SA: established, idle, its CHILD SAs as they are here; B, the
 * copies of ST's blobs, are SA's now. A FRESH SA (ike_sa_alloc: zero,
 * from the slot pool) has nothing to wipe. */
static void
sa_fill(struct ike_sa *sa, bool fresh, const struct ike_sa_state *st, struct sa_blobs *b,
	const struct ike_conf_conn *conn)
{
	if (!fresh)
		ike_sa_state_wipe(&sa->st);
	memcpy(&sa->st, st, sizeof(sa->st));
	sa->st.last_resp.bytes = b->resp;
	sa->st.win.bytes = b->win;
	sa->st.phase = IKE_SA_PHASE_ESTABLISHED;
	sa->st.collision_nonce.len = 0;         /* that exchange died with the old active */
	sa->st.win.msgid_next = sa->st.msgid_send;      /* so did its requests (§2.3) */
	sa->conn = conn;
	sa->rekey_fired = false;
	sa->expire_fired = false;
	memset(&sa->midsync, 0, sizeof(sa->midsync));
	ike_sa_child_ids(sa);
}

/* ike_ha_import_sa, with ST's blobs taken (TAKE) or copied. */
static int
import_sa(struct ike_ctx *ctx, const struct ike_sa_state *st, bool take)
{
	const struct ike_conf_conn *conn = ike_conf_find(ctx->conf, st->name);
	struct ike_sa *old = ike_sa_table_by_id(&ctx->table, st->id), *sa, *clash;
	struct sa_blobs b;
	bool used;
	int rc;

	if (conn == NULL)
		return -ENOENT;
	if (st->phase < IKE_SA_PHASE_ESTABLISHED || st->phase >= IKE_SA_PHASE_DEAD)
		return -EINVAL;
	clash = ike_sa_table_by_spi(&ctx->table, st->initiator ? st->spi_i : st->spi_r);
	if (clash != NULL && clash != old)
		return -EEXIST;
	if (take) {
		b.resp = st->last_resp.bytes;
		b.win = st->win.bytes;
	} else if (blobs_dup(st, &b) < 0) {
		return -ENOMEM;
	}
	sa = old != NULL ? old : ike_sa_alloc();
	rc = sa == NULL ? -ENOMEM : leases_swap(ctx, old, st);
	if (rc != 0) {
		if (old == NULL)
			ike_sa_free(sa);
		if (!take) {
			ike_state_blob_free(&b.resp, st->last_resp.len);
			ike_state_blob_free(&b.win, st->win.bytes_len);
		}
		return rc;
	}
	/* RFC 6311 once per IKE SA (strongSwan derives AEAD IVs from message
	 * IDs and drops the SA on a second sync): if this appliance used it
	 * while it was active (a split brain it lost), the active's copy
	 * cannot know, and the flag stays set. */
	used = old != NULL && old->st.msgid_sync_used;
	if (old != NULL) {
		ike_sa_table_del(&ctx->table, old);     /* re-listed under the record's keys */
		sa_idle(ctx, old);
	}
	sa_fill(sa, old == NULL, st, &b, conn);
	sa->st.msgid_sync_used = sa->st.msgid_sync_used || used;
	ike_sa_table_add(&ctx->table, sa);
	ctx->ha_stats.imported++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_DEBUG, "IKE SA %s %s (HA)", sa->st.name,
		   old != NULL ? "updated" : "imported");
	return 0;
}

int
ike_ha_import_sa(struct ike_ctx *ctx, const struct ike_sa_state *st)
{
	return import_sa(ctx, st, false);
}

int
ike_ha_import_sa_take(struct ike_ctx *ctx, struct ike_sa_state *st)
{
	int rc = import_sa(ctx, st, true);

	if (rc == 0) {
		st->last_resp.bytes = NULL;
		st->last_resp.len = 0;
		st->win.bytes = NULL;
		st->win.bytes_len = 0;
	}
	return rc;
}

/* Remove C from OWNER through the data path, without state events. */
static void
child_drop(struct ike_ctx *ctx, struct ike_sa *owner, struct ike_child *c)
{
	ha_event_fn fn = events_off(ctx);

	ike_ctx_child_remove(ctx, owner, c);
	events_on(ctx, fn);
}

static int
child_install(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *n)
{
	int rc = 0;

	if (ctx->ops.child_install_inbound != NULL)
		rc = ctx->ops.child_install_inbound(ctx->ops.arg, &sa->st, &n->st);
	n->installed_in = rc == 0;
	if (rc == 0 && ctx->ops.child_install_outbound != NULL)
		rc = ctx->ops.child_install_outbound(ctx->ops.arg, &sa->st, &n->st);
	n->installed_out = rc == 0;
	if (rc != 0) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "CHILD SA %08x_i not installed (HA): %d",
			   n->st.spi_in, rc);
		child_drop(ctx, sa, n);
	}
	return rc;
}

int
ike_ha_import_child(struct ike_ctx *ctx, const struct ike_child_state *c)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, c->ike_sa_id), *owner = NULL;
	const struct ike_conf_child *cc = sa != NULL ? ike_conf_find_child(sa->conn, c->name) :
					  NULL;
	struct ike_child *old, *n;
	int rc = 0;

	if (cc == NULL)
		return -ENOENT;
	/* A CHILD SA keeps its inbound SPI for life: an SPI never handed out
	 * here means a new CHILD SA (a bulk sync to a fresh standby: no walk). */
	old = ike_spi_set_has(&ctx->esp_spis, c->spi_in) ?
	      ike_ctx_child_find(ctx, c->id, sa, &owner) : NULL;
	if (old != NULL)
		child_drop(ctx, owner, old);    /* replacement: out, then in again */
	n = ike_sa_child_add(sa);
	if (n == NULL)
		return -ENOSPC;
	n->st = *c;
	n->conf = cc;
	if (n->st.rekey == IKE_CHILD_REKEY_REKEYING)
		n->st.rekey = IKE_CHILD_REKEY_NONE;     /* that exchange died with the old active */
	if (!ike_spi_set_has(&ctx->esp_spis, c->spi_in))
		rc = ike_spi_set_add(&ctx->esp_spis, c->spi_in);        /* never handed out here */
	if (rc == 0)
		rc = child_install(ctx, sa, n);
	else
		child_drop(ctx, sa, n);
	if (rc != 0)
		return rc;
	ike_sa_child_ids(sa);
	if (c->reqid > ctx->reqid_seq)
		ctx->reqid_seq = c->reqid;      /* ours stay unique */
	ctx->ha_stats.imported++;
	return 0;
}

int
ike_ha_forget_sa(struct ike_ctx *ctx, uint64_t id)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, id);
	ha_event_fn fn;

	if (sa == NULL)
		return -ENOENT;
	fn = events_off(ctx);
	ike_ctx_sa_delete(ctx, sa, "forgotten (HA)");
	events_on(ctx, fn);
	ctx->ha_stats.forgotten++;
	return 0;
}

int
ike_ha_forget_child(struct ike_ctx *ctx, uint64_t id)
{
	struct ike_sa *owner = NULL;
	struct ike_child *c = ike_ctx_child_find(ctx, id, NULL, &owner);

	if (c == NULL)
		return -ENOENT;
	child_drop(ctx, owner, c);
	ctx->ha_stats.forgotten++;
	return 0;
}

/* Uniform in [0, spread_s) seconds, in ms. */
static uint64_t
spread_ms(uint32_t spread_s)
{
	uint64_t r = 0;

	ike_spi_random((uint8_t *)&r, sizeof(r));
	return r % ((uint64_t)spread_s * IKE_HA_MS_PER_S);
}

static void
children_rearm(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_ha_takeover_opts *o,
	       uint64_t now)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next) {
		c->soft_fired = false;
		c->hard_fired = false;
		if (c->st.rekey == IKE_CHILD_REKEY_REKEYED && c->expire_ms == 0)
			c->expire_ms = now + IKE_HA_REKEYED_MS;
		if (o->rekey_spread_s == 0 || c->st.rekey != IKE_CHILD_REKEY_NONE ||
		    !c->installed_out || c->conf == NULL)
			continue;
		c->rekey_at_ms = now + spread_ms(o->rekey_spread_s);
		ctx->ha_stats.takeover_rekeys_scheduled++;
	}
}

static void
sa_takeover(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_ha_takeover_opts *o,
	    uint64_t now, bool queued)
{
	uint64_t m = o->iv_margin > IKE_HA_IV_MARGIN_MIN ? o->iv_margin : IKE_HA_IV_MARGIN_MIN;
	struct ike_midsync_due *d = &ctx->midsync_due;

	sa->st.iv_counter = sa->st.iv_counter > UINT64_MAX - m ? UINT64_MAX :
			    sa->st.iv_counter + m;
	sa->st.last_recv_time = ike_ctx_wall_s(ctx);    /* DPD from now */
	sa->keepalive_ms = now;
	sa->rekey_fired = false;
	sa->expire_fired = false;
	children_rearm(ctx, sa, o, now);
	/* A sync is once per IKE SA (ike_msgid_sync_start): one spent at an
	 * earlier takeover is not tried again. */
	if (o->msgid_sync && sa->st.peer_msgid_sync && !sa->st.msgid_sync_used) {
		if (queued)
			d->ids[d->n++] = sa->st.id;
		else
			midsync_one(ctx, sa, o->msgid_margin != 0 ? o->msgid_margin :
					     IKE_HA_MSGID_MARGIN_DEFAULT);
	}
	ike_ctx_event(ctx, IKE_EV_SA_UPDATE, sa, NULL);
}

int
ike_ha_takeover(struct ike_ctx *ctx, const struct ike_ha_takeover_opts *o)
{
	uint64_t now = ike_ctx_now_ms(ctx);
	struct ike_sa *sa;
	bool queued;
	int n = 0;

	if (o == NULL)
		return -EINVAL;
	ctx->ha_passive = false;
	ctx->ha_stats.takeovers++;
	ctx->timer_next_ms = now;
	queued = o->msgid_sync && midsync_start(ctx, o);
	for (sa = ctx->table.all; sa != NULL; sa = sa->next) {
		sa_takeover(ctx, sa, o, now, queued);
		n++;
	}
	ike_ha_midsync_tick(ctx);	/* the first burst at once */
	IKE_LOG(ctx, IKE_LOG_NOTICE, "takeover: %d IKE SAs", n);
	return n;
}

int
ike_ha_msgid_sync(struct ike_ctx *ctx, uint64_t id, uint32_t msgid_margin)
{
	struct ike_sa *sa = ike_sa_table_by_id(&ctx->table, id);

	if (sa == NULL)
		return -ENOENT;
	return ike_msgid_sync_start(ctx, sa, msgid_margin != 0 ? msgid_margin :
					IKE_HA_MSGID_MARGIN_DEFAULT);
}
