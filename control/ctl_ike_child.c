/*
 * CHILD SAs installed in the SAD and SPD (ctl_ike_child.h): RFC 7296 §2.8
 * make-before-break (inbound first, outbound and steering when the
 * exchange completes, a rekey taking over the old SA's policies), RFC 4301
 * §4.4.1 PROTECT policies, and remote-access client prefixes (§3.15
 * virtual IPs). The table is an open-addressing hash on the CHILD SA id.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>

#include "control/ctl_ike_child.h"
#include "control/log.h"
#include "dataplane/mem_populate.h"
#include "dataplane/mem_table.h"

enum {
	ERR_LEN = 256,
	TABLE_MIN = 64,			/* first allocation, slots */
	LOAD_DEN = 2,			/* grow when more than 1/2 full */
	HASH_MULT_SHIFT = 32,
	SA_IDS_MIN = 64,		/* entries of the bulk index, at least */
};

#define HASH_MULT UINT64_C(0x9e3779b97f4a7c15)	/* Fibonacci hashing */

struct ctl_ike_kid {
	bool used;
	uint64_t id;
	uint32_t spi_in;
	struct ctl_ike_child_info info;
};

struct ctl_ike_pfx {
	struct cfg_prefix p;
	uint32_t n;			/* 0: empty slot */
};

/* ---- client prefix counts (ctl_ike_children.pfx) ---- */

static uint32_t
pfx_home(const struct ctl_ike_children *t, const struct cfg_prefix *p)
{
	uint64_t h = p->family ^ (uint64_t)p->len << 8;

	for (unsigned int i = 0; i < sizeof(p->addr.bytes); i++)
		h = (h ^ p->addr.bytes[i]) * HASH_MULT;
	return (uint32_t)(h >> HASH_MULT_SHIFT) & (t->pfx_cap - 1);
}

static struct ctl_ike_pfx *
pfx_slot(const struct ctl_ike_children *t, const struct cfg_prefix *p)
{
	uint32_t i;

	if (t->pfx_cap == 0)
		return NULL;
	for (i = pfx_home(t, p); t->pfx[i].n != 0; i = (i + 1) & (t->pfx_cap - 1))
		if (memcmp(&t->pfx[i].p, p, sizeof(*p)) == 0)
			return &t->pfx[i];
	return &t->pfx[i];		/* the empty slot where P would go */
}

static int
pfx_resize(struct ctl_ike_children *t, uint32_t cap)
{
	struct ctl_ike_children n = { .pfx_cap = cap };

	n.pfx = calloc(n.pfx_cap, sizeof(*n.pfx));
	if (n.pfx == NULL)
		return -ENOMEM;
	mem_populate(n.pfx, (size_t)cap * sizeof(*n.pfx));
	for (uint32_t i = 0; i < t->pfx_cap; i++)
		if (t->pfx[i].n != 0)
			*pfx_slot(&n, &t->pfx[i].p) = t->pfx[i];
	free(t->pfx);
	t->pfx = n.pfx;
	t->pfx_cap = n.pfx_cap;
	return 0;
}

static int
pfx_grow(struct ctl_ike_children *t)
{
	return pfx_resize(t, t->pfx_cap != 0 ? t->pfx_cap * 2 : TABLE_MIN);
}

static void
pfx_inc(struct ctl_ike_children *t, const struct cfg_prefix *p)
{
	struct ctl_ike_pfx *s;

	if ((t->pfx_n + 1) * LOAD_DEN > t->pfx_cap && pfx_grow(t) < 0) {
		t->pfx_lost = true;
		return;
	}
	s = pfx_slot(t, p);
	if (s->n++ == 0) {
		s->p = *p;
		t->pfx_n++;
	}
}

/* Backward-shift deletion, as kid_del. */
static void
pfx_dec(struct ctl_ike_children *t, const struct cfg_prefix *p)
{
	struct ctl_ike_pfx *s = pfx_slot(t, p);
	uint32_t hole, i, h, mask = t->pfx_cap - 1;

	if (s == NULL || s->n == 0 || --s->n != 0)
		return;
	t->pfx_n--;
	hole = (uint32_t)(s - t->pfx);
	for (i = (hole + 1) & mask; t->pfx[i].n != 0; i = (i + 1) & mask) {
		h = pfx_home(t, &t->pfx[i].p);
		if (((i - h) & mask) >= ((i - hole) & mask)) {
			t->pfx[hole] = t->pfx[i];
			t->pfx[i].n = 0;
			hole = i;
		}
	}
}

/* false: no CHILD SA holds P (true may also mean "not known"). */
static bool
pfx_held(const struct ctl_ike_children *t, const struct cfg_prefix *p)
{
	const struct ctl_ike_pfx *s = pfx_slot(t, p);

	return t->pfx_lost || (s != NULL && s->n != 0);
}

/* ---- the table ---- */

static uint32_t
home(const struct ctl_ike_children *t, uint64_t id)
{
	return (uint32_t)((id * HASH_MULT) >> HASH_MULT_SHIFT) & (t->cap - 1);
}

static struct ctl_ike_kid *
kid_find(const struct ctl_ike_children *t, uint64_t id)
{
	for (uint32_t i = t->cap != 0 ? home(t, id) : 0, n = 0; n < t->cap;
	     i = (i + 1) & (t->cap - 1), n++) {
		if (!t->slot[i].used)
			return NULL;
		if (t->slot[i].id == id)
			return &t->slot[i];
	}
	return NULL;
}

static struct ctl_ike_kid *
kid_insert(struct ctl_ike_children *t, uint64_t id)
{
	uint32_t i = home(t, id);

	while (t->slot[i].used)
		i = (i + 1) & (t->cap - 1);
	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	t->slot[i].used = true;
	t->slot[i].id = id;
	t->n++;
	return &t->slot[i];
}

static int
table_resize(struct ctl_ike_children *t, uint32_t cap)
{
	uint32_t old_cap = t->cap;
	struct ctl_ike_kid *old = t->slot, *slot = calloc(cap, sizeof(*slot));

	if (slot == NULL || cap < old_cap)
		return -ENOMEM;
	mem_populate(slot, (size_t)cap * sizeof(*slot));
	t->slot = slot;
	t->cap = cap;
	t->n = 0;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (!old[i].used)
			continue;
		*kid_insert(t, old[i].id) = old[i];
	}
	free(old);
	return 0;
}

/* Slots for N entries within the load factor: a power of two. */
static uint32_t
table_cap_for(uint32_t n)
{
	uint32_t cap = TABLE_MIN;

	while (cap < UINT32_MAX / 2 && cap < (uint64_t)n * LOAD_DEN)
		cap *= 2;
	return cap;
}

static int
table_grow(struct ctl_ike_children *t)
{
	return table_resize(t, t->cap != 0 ? t->cap * 2 : TABLE_MIN);
}

/* A new empty entry for ID (absent), NULL if out of memory. */
static struct ctl_ike_kid *
kid_add(struct ctl_ike_children *t, uint64_t id)
{
	if ((t->n + 1) * LOAD_DEN > t->cap && table_grow(t) < 0)
		return NULL;
	return kid_insert(t, id);
}

/* Removes K, moving later entries of its probe run back (no tombstones). */
static void
kid_del(struct ctl_ike_children *t, struct ctl_ike_kid *k)
{
	uint32_t hole = (uint32_t)(k - t->slot), i = hole;

	for (;;) {
		i = (i + 1) & (t->cap - 1);
		if (!t->slot[i].used)
			break;
		uint32_t h = home(t, t->slot[i].id);

		/* Movable unless its home lies cyclically in (hole, i]. */
		if ((i > hole && (h <= hole || h > i)) || (i < hole && h <= hole && h > i)) {
			t->slot[hole] = t->slot[i];
			hole = i;
		}
	}
	memset(&t->slot[hole], 0, sizeof(t->slot[hole]));
	t->n--;
}

/* At most one CHILD SA per SAD entry; a name per table (rte_hash wants
 * them unique). */
static struct rte_hash *
sa_ids_create(uint32_t entries)
{
	static unsigned int serial;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries > SA_IDS_MIN ? entries : SA_IDS_MIN,
		.key_len = sizeof(uint64_t),
		.socket_id = SOCKET_ID_ANY,
	};

	snprintf(name, sizeof(name), "ike_child_ids_%u", serial++);
	p.socket_id = mem_table_hash_socket(name, p.entries, SOCKET_ID_ANY);	/* huge pages */
	return rte_hash_create(&p);
}

int
ctl_ike_children_init(struct ctl_ike_children *t, struct dp_sad *sad, struct dp_spd *spd,
		      const struct cfg_ike *cfg)
{
	memset(t, 0, sizeof(*t));
	t->sad = sad;
	t->spd = spd;
	t->cfg = cfg;
	t->next_priority = CTL_IKE_PRIORITY_BASE;
	t->sa_child_n = dp_sad_capacity(sad);
	t->sa_child = calloc(t->sa_child_n, sizeof(t->sa_child[0]));
	t->sa_ids = sa_ids_create(t->sa_child_n);
	/* Sized now for as many CHILD SAs (and client prefixes) as the SAD
	 * holds SAs (a CHILD SA has one at least), and present, like the SAD:
	 * installing them (a standby's bulk sync) neither rehashes nor takes
	 * page faults. */
	if (t->sa_child == NULL || t->sa_ids == NULL ||
	    table_resize(t, table_cap_for(t->sa_child_n)) < 0 ||
	    pfx_resize(t, table_cap_for(t->sa_child_n)) < 0) {
		ctl_ike_children_fini(t);
		return -ENOMEM;
	}
	mem_populate(t->sa_child, t->sa_child_n * sizeof(t->sa_child[0]));
	return 0;
}

/* The reverse map: SA_ID belongs to CHILD_ID (0: to none). */
static void
sa_child_set(struct ctl_ike_children *t, uint32_t sa_id, uint64_t child_id)
{
	if (sa_id < t->sa_child_n)
		t->sa_child[sa_id] = child_id;
}

unsigned int
ctl_ike_children_count(const struct ctl_ike_children *t)
{
	return t->n;
}

bool
ctl_ike_child_get(const struct ctl_ike_children *t, uint64_t child_id,
		  struct ctl_ike_child_info *info)
{
	const struct ctl_ike_kid *k = kid_find(t, child_id);

	if (k != NULL)
		*info = k->info;
	return k != NULL;
}

/* The packed SAD ids of K (ctl_ike_children.sa_ids). */
static uint64_t
kid_packed(const struct ctl_ike_kid *k)
{
	uint64_t in = k->info.has_in ? (uint64_t)k->info.sa_in + 1 : 0;
	uint64_t out = k->info.has_out ? (uint64_t)k->info.sa_out + 1 : 0;

	return in | out << 32;
}

/* K's SAD ids changed: the bulk index follows. */
static int
sa_ids_set(struct ctl_ike_children *t, const struct ctl_ike_kid *k)
{
	return rte_hash_add_key_data(t->sa_ids, &k->id, (void *)(uintptr_t)kid_packed(k));
}

void
ctl_ike_child_sa_ids(const struct ctl_ike_children *t, const uint64_t *ids, unsigned int n,
		     uint64_t *packed)
{
	const void *keys[CTL_IKE_SA_IDS_BULK];
	void *data[CTL_IKE_SA_IDS_BULK];
	uint64_t hits = 0;

	n = n < CTL_IKE_SA_IDS_BULK ? n : CTL_IKE_SA_IDS_BULK;
	for (unsigned int i = 0; i < n; i++)
		keys[i] = &ids[i];
	if (n != 0 && rte_hash_lookup_bulk_data(t->sa_ids, keys, n, &hits, data) < 0)
		hits = 0;
	for (unsigned int i = 0; i < n; i++)
		packed[i] = hits >> i & 1 ? (uint64_t)(uintptr_t)data[i] : 0;
}

bool
ctl_ike_child_spi_of_sa(const struct ctl_ike_children *t, uint32_t sa_id, uint32_t *spi)
{
	uint64_t child_id = ctl_ike_child_of_sa(t, sa_id);
	const struct ctl_ike_kid *k = child_id != 0 ? kid_find(t, child_id) : NULL;

	if (k == NULL || !k->info.has_in)
		return false;
	*spi = k->spi_in;
	return true;
}

/* ---- removal ---- */

static void
policies_del(struct ctl_ike_children *t, struct ctl_ike_child_info *in)
{
	if (in->n_policies == 0)
		return;
	dp_spd_batch_begin(t->spd);
	for (unsigned int i = 0; i < in->n_policies; i++)
		dp_spd_delete(t->spd, in->policies[i]);
	if (dp_spd_batch_end(t->spd) < 0)
		CTL_LOG(ERR, "SPD rebuild failed after deleting %u policies", in->n_policies);
	in->n_policies = 0;
}

static void
kid_uninstall(struct ctl_ike_children *t, struct ctl_ike_kid *k)
{
	struct ctl_ike_child_info *in = &k->info;

	policies_del(t, in);
	for (unsigned int i = 0; i < in->n_clients; i++) {
		dp_spd_delete_client(t->spd, &in->clients[i]);
		pfx_dec(t, &in->clients[i]);
	}
	in->n_clients = 0;
	if (in->has_out) {
		sa_child_set(t, in->sa_out, 0);
		dp_sa_delete(t->sad, in->sa_out);
	}
	if (in->has_in) {
		sa_child_set(t, in->sa_in, 0);
		dp_sa_delete(t->sad, in->sa_in);
	}
	rte_hash_del_key(t->sa_ids, &k->id);
	kid_del(t, k);
}

void
ctl_ike_child_remove(struct ctl_ike_children *t, uint64_t child_id)
{
	struct ctl_ike_kid *k = kid_find(t, child_id);

	if (k != NULL)
		kid_uninstall(t, k);
}

void
ctl_ike_children_fini(struct ctl_ike_children *t)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		/* Deleting moves entries back: look at this slot again. */
		while (t->slot[i].used)
			kid_uninstall(t, &t->slot[i]);
	}
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
	free(t->pfx);
	t->pfx = NULL;
	t->pfx_cap = t->pfx_n = 0;
	free(t->sa_child);
	t->sa_child = NULL;
	t->sa_child_n = 0;
	rte_hash_free(t->sa_ids);
	t->sa_ids = NULL;
}

/* ---- installation ---- */

/* The configured child (DF, DSCP), NULL if the config has no such one. */
static const struct cfg_ike_child *
child_cfg(const struct ctl_ike_children *t, const struct ike_sa_state *ike,
	  const struct ike_child_state *c)
{
	for (unsigned int i = 0; t->cfg != NULL && i < t->cfg->n_connections; i++) {
		const struct cfg_ike_conn *conn = &t->cfg->connections[i];

		if (strncmp(conn->name, ike->name, sizeof(conn->name)) != 0)
			continue;
		for (unsigned int j = 0; j < conn->n_children; j++)
			if (strncmp(conn->children[j].name, c->name,
				    sizeof(conn->children[j].name)) == 0)
				return &conn->children[j];
	}
	return NULL;
}

/* Converts and adds the SA of C for DIR: 0 and its id, or an error. */
static int
sa_add(struct ctl_ike_children *t, const struct ike_sa_state *ike,
       const struct ike_child_state *c, enum dp_sa_dir dir, uint32_t *id)
{
	struct dp_sa_params p;
	char err[ERR_LEN] = "";
	int rc = ctl_ike_sa_params(ike, c, dir, child_cfg(t, ike, c), &p, err, sizeof(err));

	p.standby = t->standby;
	if (rc == 0)
		rc = dp_sa_add(t->sad, &p, id, err, sizeof(err));
	explicit_bzero(&p, sizeof(p));
	if (rc < 0)
		CTL_LOG(WARNING, "CHILD SA %" PRIu64 " %s spi 0x%08x %s: %s", c->id, c->name,
			dir == DP_SA_INBOUND ? c->spi_in : c->spi_out,
			dir == DP_SA_INBOUND ? "in" : "out", err);
	return rc;
}

int
ctl_ike_child_install_in(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			 const struct ike_child_state *c)
{
	struct ctl_ike_kid *k = kid_find(t, c->id);
	uint32_t id;
	int rc;

	if (k != NULL && k->info.has_in)
		return -EEXIST;
	rc = sa_add(t, ike, c, DP_SA_INBOUND, &id);
	if (rc < 0)
		return rc;
	if (k == NULL)
		k = kid_add(t, c->id);
	if (k == NULL) {
		dp_sa_delete(t->sad, id);
		return -ENOMEM;
	}
	k->info.has_in = true;
	k->info.sa_in = id;
	k->spi_in = c->spi_in;
	sa_child_set(t, id, c->id);
	if (sa_ids_set(t, k) < 0) {
		kid_uninstall(t, k);
		return -ENOMEM;
	}
	return 0;
}

/* The entry other than SELF that steers PREFIX, or NULL. */
static struct ctl_ike_kid *
client_owner(struct ctl_ike_children *t, const struct ctl_ike_kid *self,
	     const struct cfg_prefix *prefix, unsigned int *idx)
{
	if (!pfx_held(t, prefix))
		return NULL;
	for (uint32_t i = 0; i < t->cap; i++) {
		struct ctl_ike_kid *k = &t->slot[i];

		if (!k->used || k == self)
			continue;
		for (unsigned int j = 0; j < k->info.n_clients; j++) {
			if (memcmp(&k->info.clients[j], prefix, sizeof(*prefix)) == 0) {
				*idx = j;
				return k;
			}
		}
	}
	return NULL;
}

static void
client_drop(struct ctl_ike_child_info *in, unsigned int j)
{
	in->clients[j] = in->clients[--in->n_clients];
}

/* Undoes the first N prefixes of a failed clients_add: a prefix taken
 * from another CHILD SA (TAKEN, FROM) goes back to it, the others are
 * deleted. */
static void
clients_undo(struct ctl_ike_children *t, struct ctl_ike_kid *k, const bool *taken,
	     const uint64_t *from, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct ctl_ike_kid *owner = taken[i] ? kid_find(t, from[i]) : NULL;
		const struct cfg_prefix *pfx = &k->info.clients[i];

		if (owner != NULL && owner->info.has_out &&
		    owner->info.n_clients < CTL_IKE_MAX_CLIENTS &&
		    dp_spd_add_client(t->spd, pfx, owner->info.sa_out) == 0) {
			owner->info.clients[owner->info.n_clients++] = *pfx;
			pfx_inc(t, pfx);
		} else {
			dp_spd_delete_client(t->spd, pfx);
		}
		pfx_dec(t, pfx);	/* K's, gone below */
	}
	k->info.n_clients = 0;
}

/* Client prefixes -> K's outbound SA. A prefix another CHILD SA steered
 * (rekey, reauthentication, a client back with its old address) becomes
 * K's, so removing the older one does not cut the client off. */
static int
clients_add(struct ctl_ike_children *t, struct ctl_ike_kid *k, const struct ctl_ike_plan *plan)
{
	uint64_t from[CTL_IKE_MAX_CLIENTS] = { 0 };
	bool taken[CTL_IKE_MAX_CLIENTS] = { false };

	for (unsigned int i = 0; i < plan->n_clients; i++) {
		const struct cfg_prefix *pfx = &plan->clients[i];
		unsigned int j = 0;
		struct ctl_ike_kid *owner = client_owner(t, k, pfx, &j);
		int rc = dp_spd_add_client(t->spd, pfx, k->info.sa_out);

		if (rc < 0) {
			CTL_LOG(WARNING, "CHILD SA %" PRIu64 ": client prefix: %s", k->id,
				strerror(-rc));
			clients_undo(t, k, taken, from, i);
			return rc;
		}
		if (owner != NULL) {
			taken[i] = true;
			from[i] = owner->id;
			pfx_dec(t, pfx);
			client_drop(&owner->info, j);
		}
		k->info.clients[k->info.n_clients++] = *pfx;
		pfx_inc(t, pfx);
	}
	return 0;
}

static bool
policies_same(const struct ctl_ike_children *t, const struct ctl_ike_child_info *old,
	      const struct ctl_ike_plan *plan)
{
	struct dp_policy_params pp;

	if (old->n_policies != plan->n_pairs || old->n_clients != 0)
		return false;
	for (unsigned int i = 0; i < old->n_policies; i++) {
		if (!dp_spd_get(t->spd, old->policies[i], &pp) ||
		    memcmp(&pp.local, &plan->pairs[i].local, sizeof(pp.local)) != 0 ||
		    memcmp(&pp.remote, &plan->pairs[i].remote, sizeof(pp.remote)) != 0)
			return false;
	}
	return true;
}

/* Rekey: the old CHILD SA's policies now send into K's SA (atomic for
 * the workers), and become K's. */
static int
policies_take(struct ctl_ike_children *t, struct ctl_ike_kid *k, struct ctl_ike_kid *old)
{
	for (unsigned int i = 0; i < old->info.n_policies; i++) {
		int rc = dp_spd_set_sa(t->spd, old->info.policies[i], k->info.sa_out);

		if (rc < 0)
			return rc;
	}
	memcpy(k->info.policies, old->info.policies, sizeof(k->info.policies));
	k->info.n_policies = old->info.n_policies;
	old->info.n_policies = 0;
	return 0;
}

static int
policies_add(struct ctl_ike_children *t, struct ctl_ike_kid *k, const struct ctl_ike_plan *plan)
{
	int rc = 0;

	dp_spd_batch_begin(t->spd);
	for (unsigned int i = 0; i < plan->n_pairs && rc == 0; i++) {
		struct dp_policy_params pp = {
			.priority = t->next_priority++,
			.action = DP_POLICY_PROTECT,
			.local = plan->pairs[i].local,
			.remote = plan->pairs[i].remote,
			.sa_id = k->info.sa_out,
		};

		if (t->next_priority < CTL_IKE_PRIORITY_BASE)
			t->next_priority = CTL_IKE_PRIORITY_BASE;
		rc = dp_spd_add(t->spd, &pp, &k->info.policies[i]);
		if (rc == 0)
			k->info.n_policies++;
	}
	if (dp_spd_batch_end(t->spd) < 0 && rc == 0)
		rc = -ENOMEM;
	if (rc < 0)
		CTL_LOG(WARNING, "CHILD SA %" PRIu64 ": policies: %s", k->id, strerror(-rc));
	return rc;
}

static int
steer(struct ctl_ike_children *t, struct ctl_ike_kid *k, const struct ike_child_state *c,
      const struct ctl_ike_plan *plan)
{
	struct ctl_ike_kid *old;

	if (plan->n_clients > 0)
		return clients_add(t, k, plan);
	old = c->replaces_id != 0 ? kid_find(t, c->replaces_id) : NULL;
	if (old != NULL && old != k && policies_same(t, &old->info, plan))
		return policies_take(t, k, old);
	return policies_add(t, k, plan);
}

int
ctl_ike_child_install_out(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			  const struct ike_child_state *c)
{
	char err[ERR_LEN] = "";
	struct ctl_ike_plan plan;
	struct ctl_ike_kid *k;
	uint32_t id;
	int rc = ctl_ike_plan(ike, c, &plan, err, sizeof(err));

	if (rc < 0) {
		CTL_LOG(WARNING, "CHILD SA %" PRIu64 " %s: %s", c->id, c->name, err);
		ctl_ike_child_remove(t, c->id);
		return rc;
	}
	k = kid_find(t, c->id);
	if (k != NULL && k->info.has_out)
		return -EEXIST;
	rc = sa_add(t, ike, c, DP_SA_OUTBOUND, &id);
	if (rc == 0 && k == NULL && (k = kid_add(t, c->id)) == NULL) {
		dp_sa_delete(t->sad, id);
		rc = -ENOMEM;
	}
	if (rc < 0) {
		ctl_ike_child_remove(t, c->id);
		return rc;
	}
	k->info.has_out = true;
	k->info.sa_out = id;
	sa_child_set(t, id, c->id);
	rc = sa_ids_set(t, k) < 0 ? -ENOMEM : steer(t, k, c, &plan);
	if (rc < 0)
		kid_uninstall(t, k);
	return rc;
}

int
ctl_ike_child_update_path(struct ctl_ike_children *t, const struct ike_sa_state *ike,
			  const struct ike_child_state *c)
{
	const struct ctl_ike_kid *k = kid_find(t, c->id);
	char err[ERR_LEN] = "";
	struct dp_sa_update u;
	int rc = 0;

	if (k == NULL)
		return -ENOENT;
	if (!ctl_ike_path_update(ike, c, &u))
		return -EINVAL;
	if (k->info.has_in)
		rc = dp_sa_update(t->sad, k->info.sa_in, &u, err, sizeof(err));
	if (rc == 0 && k->info.has_out)
		rc = dp_sa_update(t->sad, k->info.sa_out, &u, err, sizeof(err));
	if (rc < 0)
		CTL_LOG(WARNING, "CHILD SA %" PRIu64 " %s: path: %s", c->id, c->name, err);
	return rc;
}
