/*
 * The security policy database (spd.h, spd_priv.h): RFC 4301 §4.4.1
 * policies, the outbound decision of RFC 4301 §5.1 step 1 and the
 * clear-text inbound decision of §5.2 step 3b. Policies become rte_acl
 * contexts in spd_acl.c; a family with few policies is also given a table
 * for a linear scan (spd_linear.c), which workers use instead of its
 * context (cheaper, same answers). Client prefixes live in spd_client.c.
 *
 * Policy table. Slots indexed by policy id: control data, plus a small
 * "hot" entry the workers read after a match (action, SA id; the SA id is
 * written atomically by dp_spd_set_sa for make-before-break rekeys). Each
 * change marks the family dirty; the family's context is rebuilt from
 * every live policy (at once, or at dp_spd_batch_end) and published with
 * an atomic pointer store.
 *
 * Opaque ports (RFC 4301 §4.4.1, §7: non-first fragments match only
 * policies whose port selectors are ANY). ACL categories do this without
 * an extra field in every lookup: category 0 holds every rule, category 1
 * only rules with both port ranges full. Flows with ports are classified
 * with one category; flows with opaque ports (rare) once more with
 * SPD_ACL_CATEGORIES, taking category 1, where their (zero) port bytes
 * cannot matter. A sentinel port value would not do: a higher-priority
 * rule whose port range contains the sentinel would shadow the right
 * answer, and a flag field would cost every lookup a trie level.
 *
 * Reclamation. The old context (and linear table) of a swap is retired with a QSBR token
 * (rte_rcu_qsbr_start) and freed by dp_spd_reclaim once
 * rte_rcu_qsbr_check passes, never waiting. A deleted policy's slot keeps
 * its hot entry until the context that no longer names it has been
 * published and a grace period has passed, so a worker still holding the
 * old context never reads a reused slot. Without QSBR both go at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/flow.h"
#include "dataplane/spd_priv.h"
#include "dataplane/ts.h"

enum {
	SPD_MAX_POLICIES = 65536,	/* per family */
	SPD_MAX_CLIENTS = 1 << 20,	/* per family */
	SPD_SLOTS_PER_POLICY = 4,	/* two families, and room for slots in a grace period */
};

const char *
dp_policy_action_name(enum dp_policy_action a)
{
	switch (a) {
	case DP_POLICY_BYPASS:
		return "bypass";
	case DP_POLICY_DISCARD:
		return "discard";
	case DP_POLICY_PROTECT:
		return "protect";
	}
	return "unknown";
}

/* ---- Publishing and reclamation ---- */

static void
slot_release(struct dp_spd *spd, uint32_t id)
{
	spd->slots[id].state = SLOT_FREE;
	memset(&spd->hot[id], 0, sizeof(spd->hot[id]));
}

/* After the swap: OLD, OLD_LIN and the slots deleted from FAM wait for a
 * grace period. */
static void
retire(struct dp_spd *spd, unsigned int fam, struct rte_acl_ctx *old, struct spd_linear *old_lin,
       struct spd_retired *node)
{
	struct rte_rcu_qsbr *v = spd->p.qsbr;
	uint64_t token = v != NULL ? rte_rcu_qsbr_start(v) : 0;

	for (uint32_t i = 0; i < spd->n_slots; i++) {
		struct spd_slot *s = &spd->slots[i];

		if (s->state != SLOT_DELETED || s->fam != fam)
			continue;
		if (v == NULL) {
			slot_release(spd, i);
			continue;
		}
		s->state = SLOT_RETIRED;
		s->token = token;
		spd->n_retired_slots++;
	}
	if (v == NULL || (old == NULL && old_lin == NULL)) {
		rte_acl_free(old);
		dp_spd_linear_free(old_lin);
		free(node);
		return;
	}
	node->ctx = old;
	node->lin = old_lin;
	node->token = token;
	node->next = spd->retired;
	spd->retired = node;
}

/* The family's ACL context, and its linear table when it is small. */
static int
build(struct dp_spd *spd, unsigned int fam, struct rte_acl_ctx **ctx, struct spd_linear **lin)
{
	int rc = dp_spd_acl_build(spd, fam, ctx);

	if (rc != 0)
		return rc;
	rc = dp_spd_linear_build(spd, fam, lin);
	if (rc != 0) {
		rte_acl_free(*ctx);
		*ctx = NULL;
	}
	return rc;
}

static int
rebuild(struct dp_spd *spd, unsigned int fam)
{
	struct spd_retired *node = NULL;
	struct rte_acl_ctx *ctx, *old;
	struct spd_linear *lin, *old_lin;
	int rc;

	if (spd->p.qsbr != NULL && (spd->acl[fam] != NULL || spd->lin[fam] != NULL)) {
		node = malloc(sizeof(*node));
		if (node == NULL)
			return -ENOMEM;
	}
	rc = build(spd, fam, &ctx, &lin);
	if (rc != 0) {
		free(node);
		return rc;
	}
	old = spd->acl[fam];
	old_lin = spd->lin[fam];
	__atomic_store_n(&spd->lin[fam], lin, __ATOMIC_RELEASE);
	__atomic_store_n(&spd->acl[fam], ctx, __ATOMIC_RELEASE);
	spd->dirty[fam] = false;
	retire(spd, fam, old, old_lin, node);
	return 0;
}

static void
reclaim_contexts(struct dp_spd *spd)
{
	struct spd_retired **pp = &spd->retired;

	while (*pp != NULL) {
		struct spd_retired *r = *pp;

		if (rte_rcu_qsbr_check(spd->p.qsbr, r->token, false) != 1) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		rte_acl_free(r->ctx);
		dp_spd_linear_free(r->lin);
		free(r);
	}
}

static void
reclaim_slots(struct dp_spd *spd)
{
	for (uint32_t i = 0; spd->n_retired_slots > 0 && i < spd->n_slots; i++) {
		struct spd_slot *s = &spd->slots[i];

		if (s->state != SLOT_RETIRED ||
		    rte_rcu_qsbr_check(spd->p.qsbr, s->token, false) != 1)
			continue;
		slot_release(spd, i);
		spd->n_retired_slots--;
	}
}

/* ---- Worker lookups ---- */

static void
key_fill(struct spd_key *k, const struct dp_flow *f)
{
	k->proto = f->proto;
	memset(k->pad, 0, sizeof(k->pad));
	memcpy(k->src, f->src, sizeof(k->src));
	memcpy(k->dst, f->dst, sizeof(k->dst));
	/* Opaque ports: classified in the any-ports category, where they do not matter. */
	k->sport = f->ports_opaque ? 0 : rte_cpu_to_be_16(f->sport);
	k->dport = f->ports_opaque ? 0 : rte_cpu_to_be_16(f->dport);
}

/* No policy matched (yet): the default action; clients may still match. */
static void
result_none(const struct dp_spd *spd, struct dp_policy_result *r)
{
	r->action = spd->default_action;
	r->sa_id = 0;
	r->policy_id = SPD_NO_POLICY;
}

static void
result_policy(const struct dp_spd *spd, uint32_t userdata, struct dp_policy_result *r)
{
	const struct spd_hot *h = &spd->hot[userdata - 1];

	r->action = (enum dp_policy_action)h->action;
	r->sa_id = __atomic_load_n(&h->sa_id, __ATOMIC_RELAXED);
	r->policy_id = userdata - 1;
}

/* Classifies the N flows FLOWS[IDX[j]]: out[j] = userdata of the best
 * rule, 0 if none. Flows with opaque ports take the best rule with both
 * port ranges full. */
static void
classify(const struct rte_acl_ctx *ctx, const struct dp_flow *const *flows, const uint8_t *idx,
	 unsigned int n, uint32_t *out)
{
	struct spd_key keys[SPD_BULK];
	const uint8_t *data[SPD_BULK];
	uint32_t cat[SPD_BULK * SPD_ACL_CATEGORIES];
	const uint8_t *od[SPD_BULK];
	uint8_t oi[SPD_BULK];
	unsigned int no = 0;

	for (unsigned int j = 0; j < n; j++) {
		key_fill(&keys[j], flows[idx[j]]);
		data[j] = (const uint8_t *)&keys[j];
	}
	rte_acl_classify(ctx, data, out, n, 1);
	for (unsigned int j = 0; j < n; j++) {
		if (flows[idx[j]]->ports_opaque) {
			od[no] = data[j];
			oi[no++] = (uint8_t)j;
		}
	}
	if (no == 0)
		return;
	rte_acl_classify(ctx, od, cat, no, SPD_ACL_CATEGORIES);
	for (unsigned int j = 0; j < no; j++)
		out[oi[j]] = cat[j * SPD_ACL_CATEGORIES + SPD_CAT_ANY_PORTS];
}

/* Policies (the linear table of a small family, else the ACL context),
 * then clients, for the N flows of one family (indices IDX into FLOWS). */
static void
lookup_family(const struct dp_spd *spd, unsigned int fam, const struct dp_flow *const *flows,
	      const uint8_t *idx, unsigned int n, struct dp_policy_result *res)
{
	const struct spd_linear *lin = __atomic_load_n(&spd->lin[fam], __ATOMIC_ACQUIRE);
	const struct rte_acl_ctx *ctx = __atomic_load_n(&spd->acl[fam], __ATOMIC_ACQUIRE);
	uint32_t ud[SPD_BULK];
	uint8_t miss[SPD_BULK];
	unsigned int nm = 0;

	if (n == 0)
		return;
	if (lin != NULL)
		dp_spd_linear_lookup(lin, flows, idx, n, ud);
	else if (ctx != NULL)
		classify(ctx, flows, idx, n, ud);
	else
		memset(ud, 0, n * sizeof(ud[0]));
	for (unsigned int j = 0; j < n; j++) {
		if (ud[j] != 0)
			result_policy(spd, ud[j], &res[idx[j]]);
		else
			miss[nm++] = idx[j];
	}
	if (nm != 0)
		dp_spd_clients_lookup(spd, fam, flows, miss, nm, res);
}

/* lookup_chunk for the common chunk, every flow IPv4 with the IPv4
 * policies in a linear table: the same answers in one pass, without the
 * index lists. False (nothing written) for any other chunk. */
static bool
lookup_chunk_v4_linear(const struct dp_spd *spd, const struct dp_flow *const *flows,
		       unsigned int n, struct dp_policy_result *res)
{
	const struct spd_linear *lin = __atomic_load_n(&spd->lin[SPD_V4], __ATOMIC_ACQUIRE);
	uint8_t miss[SPD_BULK];
	unsigned int nm = 0;
	uint32_t ud;

	if (lin == NULL)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (flows[i]->family != AF_INET)
			return false;
	for (unsigned int i = 0; i < n; i++) {
		ud = dp_spd_linear_match4(lin, flows[i]);
		if (ud != 0) {
			result_policy(spd, ud, &res[i]);
			continue;
		}
		result_none(spd, &res[i]);
		miss[nm++] = (uint8_t)i;
	}
	if (nm != 0)
		dp_spd_clients_lookup(spd, SPD_V4, flows, miss, nm, res);
	return true;
}

static void
lookup_chunk(const struct dp_spd *spd, const struct dp_flow *const *flows, unsigned int n,
	     struct dp_policy_result *res)
{
	uint8_t idx[SPD_FAMILIES][SPD_BULK];
	unsigned int cnt[SPD_FAMILIES] = { 0, 0 };

	for (unsigned int i = 0; i < n; i++) {
		int fam = dp_spd_family_index(flows[i]->family);

		result_none(spd, &res[i]);
		if (fam >= 0)
			idx[fam][cnt[fam]++] = (uint8_t)i;
	}
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++)
		lookup_family(spd, fam, flows, idx[fam], cnt[fam], res);
}

void
dp_spd_lookup_out(const struct dp_spd *spd, const struct dp_flow *const *flows,
		  unsigned int n, struct dp_policy_result *res)
{
	for (unsigned int off = 0; off < n; off += SPD_BULK) {
		unsigned int cnt = RTE_MIN(n - off, (unsigned int)SPD_BULK);

		if (!lookup_chunk_v4_linear(spd, flows + off, cnt, res + off))
			lookup_chunk(spd, flows + off, cnt, res + off);
	}
}

/* RFC 4301 §5.2 step 3b: the SPD is read for each flow's reply, as it
 * would go out: the same first match (policies, then clients, then the
 * default). */
void
dp_spd_lookup_in_bulk(const struct dp_spd *spd, const struct dp_flow *const *flows,
		      unsigned int n, enum dp_policy_action *act)
{
	struct dp_flow rev[SPD_BULK];
	const struct dp_flow *rp[SPD_BULK];
	struct dp_policy_result res[SPD_BULK];

	for (unsigned int off = 0; off < n; off += SPD_BULK) {
		unsigned int cnt = RTE_MIN(n - off, (unsigned int)SPD_BULK);

		for (unsigned int i = 0; i < cnt; i++) {
			dp_flow_reverse(flows[off + i], &rev[i]);
			rp[i] = &rev[i];
		}
		lookup_chunk(spd, rp, cnt, res);
		for (unsigned int i = 0; i < cnt; i++)
			act[off + i] = res[i].action;
	}
}

enum dp_policy_action
dp_spd_lookup_in(const struct dp_spd *spd, const struct dp_flow *f)
{
	enum dp_policy_action act;

	dp_spd_lookup_in_bulk(spd, &f, 1, &act);
	return act;
}

/* No ACL context and no client LPM of either family: nothing can match. */
bool
dp_spd_empty(const struct dp_spd *spd)
{
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++)
		if (__atomic_load_n(&spd->acl[fam], __ATOMIC_ACQUIRE) != NULL)
			return false;
	return __atomic_load_n(&spd->lpm4, __ATOMIC_ACQUIRE) == NULL &&
	       __atomic_load_n(&spd->lpm6, __ATOMIC_ACQUIRE) == NULL;
}

bool
dp_spd_requires_protection(const struct dp_spd *spd, const struct dp_flow *f)
{
	return dp_spd_lookup_in(spd, f) == DP_POLICY_PROTECT;
}

/* ---- Policies (control core) ---- */

static bool
policy_valid(const struct dp_policy_params *p)
{
	if (p->action != DP_POLICY_BYPASS && p->action != DP_POLICY_DISCARD &&
	    p->action != DP_POLICY_PROTECT)
		return false;
	if (!dp_ts_valid(&p->local) || !dp_ts_valid(&p->remote) ||
	    p->local.family != p->remote.family)
		return false;
	/* One next-layer protocol: the same on both sides, or given on one. */
	return p->local.proto == p->remote.proto || p->local.proto == 0 || p->remote.proto == 0;
}

static uint32_t
slot_find_free(struct dp_spd *spd)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < spd->n_slots; i++) {
			if (spd->slots[i].state == SLOT_FREE)
				return i;
		}
		dp_spd_reclaim(spd);
	}
	return SPD_NO_POLICY;
}

int
dp_spd_add(struct dp_spd *spd, const struct dp_policy_params *p, uint32_t *id)
{
	struct spd_slot *s;
	bool was_dirty;
	uint32_t i;
	int fam, rc;

	if (spd == NULL || p == NULL || !policy_valid(p))
		return -EINVAL;
	fam = dp_spd_family_index(p->local.family);
	if (spd->n_used[fam] >= spd->p.max_policies)
		return -ENOSPC;
	i = slot_find_free(spd);
	if (i == SPD_NO_POLICY)
		return -ENOSPC;
	s = &spd->slots[i];
	s->p = *p;
	s->fam = (uint8_t)fam;
	s->state = SLOT_USED;
	/* Written before any context that names slot i is published. */
	spd->hot[i].action = p->action;
	__atomic_store_n(&spd->hot[i].sa_id, p->sa_id, __ATOMIC_RELAXED);
	spd->n_used[fam]++;
	was_dirty = spd->dirty[fam];
	spd->dirty[fam] = true;
	if (spd->batch == 0) {
		rc = rebuild(spd, (unsigned int)fam);
		if (rc != 0) {
			spd->n_used[fam]--;
			slot_release(spd, i);
			spd->dirty[fam] = was_dirty;
			return rc;
		}
	}
	if (id != NULL)
		*id = i;
	return 0;
}

int
dp_spd_delete(struct dp_spd *spd, uint32_t id)
{
	struct spd_slot *s;
	int rc;

	if (spd == NULL || id >= spd->n_slots || spd->slots[id].state != SLOT_USED)
		return -ENOENT;
	s = &spd->slots[id];
	s->state = SLOT_DELETED;
	spd->n_used[s->fam]--;
	spd->dirty[s->fam] = true;
	if (spd->batch == 0) {
		rc = rebuild(spd, s->fam);
		if (rc != 0) {
			s->state = SLOT_USED;
			spd->n_used[s->fam]++;
			return rc;
		}
	}
	return 0;
}

void
dp_spd_batch_begin(struct dp_spd *spd)
{
	spd->batch++;
}

int
dp_spd_batch_end(struct dp_spd *spd)
{
	int rc = 0;

	if (spd->batch > 0)
		spd->batch--;
	if (spd->batch > 0)
		return 0;
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++) {
		int r = spd->dirty[fam] ? rebuild(spd, fam) : 0;

		if (r != 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int
dp_spd_set_sa(struct dp_spd *spd, uint32_t id, uint32_t sa_id)
{
	struct spd_slot *s;

	if (spd == NULL || id >= spd->n_slots || spd->slots[id].state != SLOT_USED)
		return -ENOENT;
	s = &spd->slots[id];
	if (s->p.action != DP_POLICY_PROTECT)
		return -EINVAL;
	s->p.sa_id = sa_id;
	__atomic_store_n(&spd->hot[id].sa_id, sa_id, __ATOMIC_RELEASE);
	return 0;
}

void
dp_spd_reclaim(struct dp_spd *spd)
{
	if (spd == NULL || spd->p.qsbr == NULL)
		return;
	reclaim_contexts(spd);
	reclaim_slots(spd);
	dp_spd_clients_reclaim(spd);
}

bool
dp_spd_next(const struct dp_spd *spd, uint32_t *iter, uint32_t *id,
	    struct dp_policy_params *p)
{
	for (uint32_t i = *iter; spd != NULL && i < spd->n_slots; i++) {
		if (spd->slots[i].state != SLOT_USED)
			continue;
		*iter = i + 1;
		*id = i;
		*p = spd->slots[i].p;
		return true;
	}
	if (spd != NULL)
		*iter = spd->n_slots;
	return false;
}

bool
dp_spd_get(const struct dp_spd *spd, uint32_t id, struct dp_policy_params *p)
{
	if (spd == NULL || id >= spd->n_slots || spd->slots[id].state != SLOT_USED)
		return false;
	*p = spd->slots[id].p;
	return true;
}

uint32_t
dp_spd_policy_count(const struct dp_spd *spd)
{
	return spd->n_used[SPD_V4] + spd->n_used[SPD_V6];
}

enum dp_policy_action
dp_spd_default_action(const struct dp_spd *spd)
{
	return spd->default_action;
}

/* ---- Creation ---- */

static bool
params_valid(const char *name, const struct dp_spd_params *p)
{
	return name != NULL && name[0] != '\0' && strlen(name) <= SPD_NAME_MAX && p != NULL &&
	       p->max_policies >= 1 && p->max_policies <= SPD_MAX_POLICIES &&
	       p->max_clients >= 1 && p->max_clients <= SPD_MAX_CLIENTS &&
	       (p->default_action == DP_POLICY_BYPASS || p->default_action == DP_POLICY_DISCARD);
}

struct dp_spd *
dp_spd_create(const char *name, const struct dp_spd_params *p)
{
	char mz_name[SPD_OBJ_NAME_LEN];
	const struct rte_memzone *mz;
	struct dp_spd *spd;

	if (!params_valid(name, p)) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* The memzone makes the name unique, and with it every derived name. */
	snprintf(mz_name, sizeof(mz_name), "SPD_%s", name);
	mz = rte_memzone_reserve_aligned(mz_name, sizeof(*spd), p->socket, 0,
					 RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return NULL;
	spd = mz->addr;
	memset(spd, 0, sizeof(*spd));
	spd->mz = mz;
	snprintf(spd->name, sizeof(spd->name), "%s", name);
	spd->p = *p;
	spd->default_action = p->default_action;
	spd->n_slots = p->max_policies * SPD_SLOTS_PER_POLICY;
	spd->slots = calloc(spd->n_slots, sizeof(*spd->slots));
	spd->hot = rte_zmalloc_socket(NULL, spd->n_slots * sizeof(*spd->hot),
				      RTE_CACHE_LINE_SIZE, p->socket);
	if (spd->slots == NULL || spd->hot == NULL) {
		dp_spd_free(spd);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++)
		dp_spd_acl_config(&spd->acl_cfg[fam], fam);
	dp_spd_clients_prepare(spd);
	return spd;
}

/* Workers must have stopped using SPD. */
void
dp_spd_free(struct dp_spd *spd)
{
	if (spd == NULL)
		return;
	for (unsigned int fam = 0; fam < SPD_FAMILIES; fam++) {
		rte_acl_free(spd->acl[fam]);
		dp_spd_linear_free(spd->lin[fam]);
	}
	while (spd->retired != NULL) {
		struct spd_retired *r = spd->retired;

		spd->retired = r->next;
		rte_acl_free(r->ctx);
		dp_spd_linear_free(r->lin);
		free(r);
	}
	dp_spd_clients_free(spd);
	free(spd->slots);
	rte_free(spd->hot);
	rte_memzone_free(spd->mz);
}
