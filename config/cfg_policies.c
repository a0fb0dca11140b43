/*
 * The policies section: the static SPD (RFC 4301 §4.4.1). Selector
 * policies carry traffic selectors and an action (PROTECT with an outbound
 * SA, BYPASS, DISCARD) and are matched first by priority, lower first;
 * priorities are unique per family so the order is never left to the ACL.
 * Client policies map a remote-access client's prefix (its inner address)
 * to the outbound SA that reaches it and take no other setting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	PRIORITY_MAX = INT32_MAX,	/* 2^31 - 1 */
};

static const char *const policy_keys[] = {
	"priority", "action", "sa", "local", "remote", "protocol", "local_ports",
	"remote_ports", "client", NULL
};

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Whether SA can carry inner packets of FAMILY. */
static bool
sa_carries(const struct cfg_sa *sa, int family)
{
	if (sa->mode == CFG_SA_TRANSPORT)
		return sa->local.family == family;
	for (unsigned int i = 0; i < sa->n_ts; i++)
		if (sa->ts[i].local.family == family)
			return true;
	return sa->n_ts == 0;
}

/* The required "sa" setting: an outbound SA that carries FAMILY; its index in *out. */
static int
lookup_sa(struct cfg_ctx *ctx, const config_setting_t *group, int family, int *out)
{
	const struct cfg *cfg = ctx->cfg;
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *name;

	if (cfg_get_member(ctx, group, "sa", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	name = config_setting_get_string(s);
	for (unsigned int i = 0; i < cfg->n_sas; i++) {
		const struct cfg_sa *sa = &cfg->sas[i];

		if (strcmp(sa->name, name) != 0)
			continue;
		if (sa->dir != CFG_SA_OUT)
			return cfg_err_setting(ctx, s, "SA \"%s\" is inbound; a policy protects "
					       "with an outbound SA", sa->name);
		if (!sa_carries(sa, family))
			return cfg_err_setting(ctx, s, "SA \"%s\" carries no %s traffic (its "
					       "%s)", sa->name, family_name(family),
					       sa->mode == CFG_SA_TRANSPORT ?
					       "addresses" : "selectors");
		*out = (int)i;
		return 0;
	}
	return cfg_err_setting(ctx, s, "unknown SA '%s'", cfg_quote(name, q, sizeof(q)));
}

static int
check_client_keys(struct cfg_ctx *ctx, const config_setting_t *group)
{
	config_setting_t *g = (config_setting_t *)(uintptr_t)group, *s;
	const char *name;

	for (int i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		name = config_setting_name(s);
		if (strcmp(name, "client") != 0 && strcmp(name, "sa") != 0)
			return cfg_err_setting(ctx, s, "a client policy takes only 'client' and "
					       "'sa' (selectors and actions belong to selector "
					       "policies)");
	}
	return 0;
}

static int
check_room(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	const struct cfg *cfg = ctx->cfg;
	const struct cfg_policy *p = &cfg->policies[index];
	int family = p->kind == CFG_POLICY_CLIENT ? p->client.family : p->local.family;
	unsigned int n = 0, max = p->kind == CFG_POLICY_CLIENT ? cfg->ipsec.max_clients :
				  cfg->ipsec.max_policies;

	for (unsigned int i = 0; i <= index; i++) {
		const struct cfg_policy *o = &cfg->policies[i];

		n += o->kind == p->kind && family == (o->kind == CFG_POLICY_CLIENT ?
						      o->client.family : o->local.family);
	}
	if (n <= max)
		return 0;
	return cfg_err_setting(ctx, group, "more than %u %s %s policies (ipsec.%s)", max,
			       family_name(family),
			       p->kind == CFG_POLICY_CLIENT ? "client" : "selector",
			       p->kind == CFG_POLICY_CLIENT ? "max_clients" : "max_policies");
}

static int
parse_client(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_policy *p = &ctx->cfg->policies[index];
	char text[CFG_ADDR_TEXT_LEN];
	config_setting_t *s;

	if (check_client_keys(ctx, group) < 0 ||
	    cfg_get_member(ctx, group, "client", CONFIG_TYPE_STRING, true, &s) < 0 ||
	    cfg_parse_ts_prefix(ctx, s, &p->client) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < index; i++) {
		const struct cfg_policy *o = &ctx->cfg->policies[i];

		if (o->kind != CFG_POLICY_CLIENT || !cfg_prefix_equal(&o->client, &p->client))
			continue;
		cfg_prefix_format(&p->client, false, text, sizeof(text));
		return cfg_err_setting(ctx, s, "duplicate client prefix %s (also policies[%u])",
				       text, i);
	}
	p->kind = CFG_POLICY_CLIENT;
	p->action = CFG_POLICY_PROTECT;
	return lookup_sa(ctx, group, p->client.family, &p->sa);
}

static int
check_priority(struct cfg_ctx *ctx, const config_setting_t *s, unsigned int index)
{
	const struct cfg_policy *p = &ctx->cfg->policies[index];

	for (unsigned int i = 0; i < index; i++) {
		const struct cfg_policy *o = &ctx->cfg->policies[i];

		if (o->kind == CFG_POLICY_SELECTOR && o->priority == p->priority &&
		    o->local.family == p->local.family)
			return cfg_err_setting(ctx, s, "priority %u is already used by "
					       "policies[%u] (%s); the order of equal priorities "
					       "would be undefined", p->priority, i,
					       family_name(p->local.family));
	}
	return 0;
}

static int
parse_action(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_policy *p)
{
	config_setting_t *sa = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							 "sa");
	int action = CFG_POLICY_BYPASS;

	if (cfg_lookup_name(ctx, group, "action", true, cfg_policy_action_names, "action", NULL,
			    &action) < 0)
		return -EINVAL;
	p->action = (enum cfg_policy_action)action;
	if (p->action != CFG_POLICY_PROTECT && sa != NULL)
		return cfg_err_setting(ctx, sa, "action %s takes no SA (only protect does)",
				       cfg_policy_action_name(p->action));
	if (p->action == CFG_POLICY_PROTECT && sa == NULL)
		return cfg_err_setting(ctx, group, "action protect needs 'sa' (an outbound SA)");
	return 0;
}

static int
parse_selector(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_policy *p = &ctx->cfg->policies[index];
	struct cfg_ts_pair ts;
	config_setting_t *prio;
	int64_t v;

	p->kind = CFG_POLICY_SELECTOR;
	if (cfg_get_member(ctx, group, "priority", CONFIG_TYPE_INT, true, &prio) < 0 ||
	    cfg_get_int(ctx, prio, 0, PRIORITY_MAX, &v) < 0 ||
	    parse_action(ctx, group, p) < 0 || cfg_parse_ts_pair(ctx, group, &ts) < 0)
		return -EINVAL;
	p->priority = (uint32_t)v;
	p->local = ts.local;
	p->remote = ts.remote;
	if (check_priority(ctx, prio, index) < 0)
		return -EINVAL;
	if (p->action != CFG_POLICY_PROTECT)
		return 0;
	return lookup_sa(ctx, group, p->local.family, &p->sa);
}

int
cfg_parse_policies(struct cfg_ctx *ctx, const config_setting_t *policies)
{
	const config_setting_t *group;
	struct cfg_policy *p;
	int rc;

	for (int i = 0; i < config_setting_length(policies); i++) {
		group = config_setting_get_elem(policies, i);
		p = &ctx->cfg->policies[i];
		p->sa = CFG_NONE;
		if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
		    cfg_check_keys(ctx, group, policy_keys) < 0)
			return -EINVAL;
		if (config_setting_get_member((config_setting_t *)(uintptr_t)group,
					      "client") != NULL)
			rc = parse_client(ctx, group, (unsigned int)i);
		else
			rc = parse_selector(ctx, group, (unsigned int)i);
		if (rc < 0 || check_room(ctx, group, (unsigned int)i) < 0)
			return -EINVAL;
		p->line = config_setting_source_line(group);
		ctx->cfg->n_policies = (uint16_t)(i + 1);
	}
	return 0;
}
