/* Task ike_config: configuration payloads in IKE_AUTH (RFC 7296 §2.19,
 * §3.15): a CFG_REQUEST for INTERNAL_IP4_ADDRESS / INTERNAL_IP6_ADDRESS
 * leases an address from the connection's pools (the same one per
 * identity when free) and is answered with a CFG_REPLY (with the pool's
 * DNS servers); none free: INTERNAL_ADDRESS_FAILURE and no CHILD SA
 * (§3.15.4). An initiator asks for the virtual IPs of its connection's
 * vips (any address of a family, or one address) with their DNS servers. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_pool.h"
#include "ike/ike_task.h"

enum {
	IKE_CP_IP4_LEN = 4,
	IKE_CP_IP6_LEN = 17,            /* address and prefix length: §3.15.1 */
	IKE_CP_IP6_PREFIX = 128,
};

static bool
wants(const struct ike_pl_cp *cp, uint16_t type)
{
	uint8_t i;

	for (i = 0; i < cp->n_attrs; i++)
		if (cp->attrs[i].type == type)
			return true;
	return false;
}

static int
lease(struct ike_exch *x, uint8_t family, struct ike_state_vip *vip)
{
	const struct cfg_ike_conn *c = x->sa->conn->cfg;
	const char *pool = NULL;
	int rc = ike_pool_lease(ike_ctx_pools(x->ctx), c->pools, c->n_pools, family,
				&x->sa->st.id_remote, &vip->addr, &pool);

	if (rc != 0)
		return rc;
	snprintf(vip->pool, sizeof(vip->pool), "%s", pool);
	return 0;
}

static int
process_r(struct ike_exch *x)
{
	const struct ike_msg *m = x->in;
	struct ike_sa *sa = x->sa;
	int rc4 = 0, rc6 = 0;
	bool v4, v6;

	if (!ike_msg_has(m, IKE_PL_CP) || m->cp.type != IKE_CFG_REQUEST)
		return 0;
	v4 = wants(&m->cp, IKE_CP_INTERNAL_IP4_ADDRESS);
	v6 = wants(&m->cp, IKE_CP_INTERNAL_IP6_ADDRESS);
	if (v4)
		rc4 = lease(x, AF_INET, &sa->st.vip4);
	if (v6)
		rc6 = lease(x, AF_INET6, &sa->st.vip6);
	if ((v4 || v6) && sa->st.vip4.addr.family == 0 && sa->st.vip6.addr.family == 0) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "no virtual IP to give (%d/%d)", rc4, rc6);
		x->child_notify = IKE_N_INTERNAL_ADDRESS_FAILURE;
	}
	return 0;
}

static const struct cfg_ike_pool *
pool_cfg(const struct ike_ctx *ctx, const char *name)
{
	uint8_t i;

	for (i = 0; i < ctx->conf->cfg.n_pools; i++)
		if (strcmp(ctx->conf->cfg.pools[i].name, name) == 0)
			return &ctx->conf->cfg.pools[i];
	return NULL;
}

static void
add_attr(struct ike_pl_cp *cp, uint16_t type, const uint8_t *v, size_t len)
{
	if (cp->n_attrs >= IKE_CP_ATTRS_MAX)
		return;
	cp->attrs[cp->n_attrs].type = type;
	cp->attrs[cp->n_attrs].value.ptr = v;
	cp->attrs[cp->n_attrs].value.len = len;
	cp->n_attrs++;
}

static void
add_dns(const struct cfg_ike_pool *p, struct ike_pl_cp *cp)
{
	uint8_t i;

	for (i = 0; p != NULL && i < p->n_dns; i++)
		add_attr(cp, p->dns[i].family == AF_INET ? IKE_CP_INTERNAL_IP4_DNS :
			 IKE_CP_INTERNAL_IP6_DNS, p->dns[i].addr.bytes,
			 p->dns[i].family == AF_INET ? IKE_CP_IP4_LEN : IKE_CP_IP6_LEN - 1);
}

static bool
is_any(const struct cfg_prefix *p)
{
	static const uint8_t zero[sizeof(p->addr.bytes)];

	return memcmp(p->addr.bytes, zero, sizeof(zero)) == 0;
}

/* Initiator (§2.19, §3.15.1): an address of each family of cfg vips,
 * empty for any (0.0.0.0, ::) or the one wanted, and DNS servers. */
static int
build_i(struct ike_exch *x)
{
	const struct cfg_ike_conn *c = x->sa->conn->cfg;
	struct ike_pl_cp cp = { .type = IKE_CFG_REQUEST };
	uint8_t v6[IKE_CP_IP6_LEN];
	uint8_t i;

	if (c->n_vips == 0)
		return 0;
	for (i = 0; i < c->n_vips; i++) {
		const struct cfg_prefix *v = &c->vips[i];

		if (v->family == AF_INET) {
			add_attr(&cp, IKE_CP_INTERNAL_IP4_ADDRESS, v->addr.bytes,
				 is_any(v) ? 0 : IKE_CP_IP4_LEN);
			add_attr(&cp, IKE_CP_INTERNAL_IP4_DNS, NULL, 0);
			continue;
		}
		memcpy(v6, v->addr.bytes, IKE_CP_IP6_LEN - 1);
		v6[IKE_CP_IP6_LEN - 1] = IKE_CP_IP6_PREFIX;
		add_attr(&cp, IKE_CP_INTERNAL_IP6_ADDRESS, v6, is_any(v) ? 0 : sizeof(v6));
		add_attr(&cp, IKE_CP_INTERNAL_IP6_DNS, NULL, 0);
	}
	return ike_msg_build_cp(x->b, &cp);
}

static int
build_r(struct ike_exch *x)
{
	const struct ike_sa *sa = x->sa;
	struct ike_pl_cp cp = { .type = IKE_CFG_REPLY };
	uint8_t v6[IKE_CP_IP6_LEN];

	if (sa->st.vip4.addr.family == 0 && sa->st.vip6.addr.family == 0)
		return 0;
	if (sa->st.vip4.addr.family != 0) {
		add_attr(&cp, IKE_CP_INTERNAL_IP4_ADDRESS, sa->st.vip4.addr.ip, IKE_CP_IP4_LEN);
		add_dns(pool_cfg(x->ctx, sa->st.vip4.pool), &cp);
	}
	if (sa->st.vip6.addr.family != 0) {
		memcpy(v6, sa->st.vip6.addr.ip, IKE_CP_IP6_LEN - 1);
		v6[IKE_CP_IP6_LEN - 1] = IKE_CP_IP6_PREFIX;
		add_attr(&cp, IKE_CP_INTERNAL_IP6_ADDRESS, v6, sizeof(v6));
		add_dns(pool_cfg(x->ctx, sa->st.vip6.pool), &cp);
	}
	return ike_msg_build_cp(x->b, &cp);
}

/* Initiator: the address we were given (kept in vip4/vip6 as ours). */
static int
process_i(struct ike_exch *x)
{
	const struct ike_msg *m = x->in;
	struct ike_sa *sa = x->sa;
	uint8_t i;

	if (!ike_msg_has(m, IKE_PL_CP) || m->cp.type != IKE_CFG_REPLY)
		return 0;
	for (i = 0; i < m->cp.n_attrs; i++) {
		const struct ike_pl_cp_attr *a = &m->cp.attrs[i];

		if (a->type == IKE_CP_INTERNAL_IP4_ADDRESS && a->value.len == IKE_CP_IP4_LEN) {
			sa->st.vip4.addr.family = AF_INET;
			memcpy(sa->st.vip4.addr.ip, a->value.ptr, IKE_CP_IP4_LEN);
		}
		if (a->type == IKE_CP_INTERNAL_IP6_ADDRESS && a->value.len == IKE_CP_IP6_LEN) {
			sa->st.vip6.addr.family = AF_INET6;
			memcpy(sa->st.vip6.addr.ip, a->value.ptr, IKE_CP_IP6_LEN - 1);
		}
	}
	return 0;
}

const struct ike_task ike_task_config = {
	.name = "ike_config",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
};
