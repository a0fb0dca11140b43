/*
 * The workers section: which worker lcore polls which RX queue. Workers run
 * on the lcores after the first (the main, control lcore), or on the only
 * lcore; each RX queue of each port is polled by exactly one worker. Without
 * a workers section the queues are dealt out round robin.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"

enum {
	QUEUE_DIGITS = 5,	/* "65535" */
	NO_OWNER = -1,
};

/* Which worker polls each queue, while the workers are parsed. */
struct owners {
	int w[CFG_MAX_PORTS][CFG_MAX_QUEUES];
};

static bool
lcore_listed(const struct cfg_eal *e, unsigned int lcore)
{
	for (unsigned int i = 0; i < e->n_lcores; i++)
		if (e->lcores[i] == lcore)
			return true;
	return false;
}

/* "port:queue" with a decimal queue number. */
static bool
split_ref(const char *text, char *name, size_t name_len, unsigned int *queue)
{
	const char *colon = strrchr(text, ':');
	const char *digits;
	size_t n;

	if (colon == NULL || colon == text)
		return false;
	n = (size_t)(colon - text);
	digits = colon + 1;
	if (strlen(digits) == 0 || strlen(digits) > QUEUE_DIGITS)
		return false;
	*queue = 0;
	for (const char *d = digits; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return false;
		*queue = *queue * 10 + (unsigned int)(*d - '0');
	}
	/* A longer name cannot be a port's: keep it empty so the lookup fails. */
	if (n >= name_len)
		n = 0;
	memcpy(name, text, n);
	name[n] = '\0';
	return true;
}

static int
parse_ref(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_queue_ref *ref)
{
	char name[CFG_NAME_LEN], q[CFG_ADDR_TEXT_LEN * 2];
	const struct cfg_port *p;
	unsigned int queue;
	const char *text;
	int port;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	text = config_setting_get_string(s);
	if (!split_ref(text, name, sizeof(name), &queue))
		return cfg_err_setting(ctx, s, "bad queue reference '%s' (expected \"port:queue\", "
				       "e.g. \"lan:0\")", cfg_quote(text, q, sizeof(q)));
	port = cfg_port_find(ctx->cfg, name);
	if (port < 0)
		return cfg_err_setting(ctx, s, "unknown port in queue reference '%s'",
				       cfg_quote(text, q, sizeof(q)));
	p = &ctx->cfg->ports[port];
	if (queue >= p->rx_queues)
		return cfg_err_setting(ctx, s, "queue %u of port '%s' does not exist "
				       "(rx_queues = %u)", queue, p->name, p->rx_queues);
	ref->port = (uint8_t)port;
	ref->queue = (uint16_t)queue;
	return 0;
}

static int
parse_lcore(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	const struct cfg_eal *e = &ctx->cfg->eal;
	config_setting_t *s;
	int64_t lcore;

	if (cfg_get_member(ctx, group, "lcore", CONFIG_TYPE_INT, true, &s) < 0 ||
	    cfg_get_int(ctx, s, 0, CFG_MAX_LCORE_ID, &lcore) < 0)
		return -EINVAL;
	if (!lcore_listed(e, (unsigned int)lcore))
		return cfg_err_setting(ctx, s, "lcore %u is not in eal.lcores",
				       (unsigned int)lcore);
	/* Worker 0 may share the main lcore (the control loop runs it between
	 * its own passes): two workers on a 2-core machine. */
	if (index != 0 && lcore == e->lcores[0])
		return cfg_err_setting(ctx, s, "lcore %u is the main (control) lcore: only "
				       "workers[0] may share it", (unsigned int)lcore);
	for (unsigned int i = 0; i < index; i++)
		if (ctx->cfg->workers[i].lcore == lcore)
			return cfg_err_setting(ctx, s, "lcore %u already has a worker "
					       "(workers[%u])", (unsigned int)lcore, i);
	ctx->cfg->workers[index].lcore = (unsigned int)lcore;
	return 0;
}

static int
parse_worker(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index,
	     struct owners *own)
{
	static const char *const keys[] = { "lcore", "queues", NULL };
	struct cfg_worker *w = &ctx->cfg->workers[index];
	config_setting_t *list, *s;
	struct cfg_queue_ref *ref;
	int *owner;

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, keys) < 0 || parse_lcore(ctx, group, index) < 0 ||
	    cfg_get_list(ctx, group, "queues", true, 1, CFG_MAX_WORKER_QUEUES, &list) < 0)
		return -EINVAL;
	for (int i = 0; i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		ref = &w->queues[w->n_queues];
		if (parse_ref(ctx, s, ref) < 0)
			return -EINVAL;
		owner = &own->w[ref->port][ref->queue];
		if (*owner != NO_OWNER)
			return cfg_err_setting(ctx, s, "queue %s:%u is already polled by "
					       "workers[%d] (lcore %u)",
					       ctx->cfg->ports[ref->port].name, ref->queue, *owner,
					       ctx->cfg->workers[*owner].lcore);
		*owner = (int)index;
		w->n_queues++;
	}
	w->line = config_setting_source_line(group);
	return 0;
}

/* Every lcore that should run a worker has one; every RX queue has a worker. */
static int
check_cover(struct cfg_ctx *ctx, const config_setting_t *root, const config_setting_t *list,
	    const struct owners *own)
{
	const struct cfg *cfg = ctx->cfg;
	const config_setting_t *ports;
	bool found;

	for (unsigned int i = cfg->eal.n_lcores > 1 ? 1 : 0; i < cfg->eal.n_lcores; i++) {
		found = false;
		for (unsigned int w = 0; w < cfg->n_workers; w++)
			found = found || cfg->workers[w].lcore == cfg->eal.lcores[i];
		if (!found)
			return cfg_err_setting(ctx, list, "lcore %u has no worker (every lcore "
					       "after the first needs one)", cfg->eal.lcores[i]);
	}
	ports = config_setting_get_member((config_setting_t *)(uintptr_t)root, "ports");
	for (unsigned int p = 0; p < cfg->n_ports; p++)
		for (unsigned int q = 0; q < cfg->ports[p].rx_queues; q++)
			if (own->w[p][q] == NO_OWNER)
				return cfg_err_setting(ctx, config_setting_get_elem(ports, p),
						       "RX queue %s:%u is polled by no worker",
						       cfg->ports[p].name, q);
	return 0;
}

static int
default_workers(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct cfg *cfg = ctx->cfg;
	unsigned int nw = cfg->eal.n_lcores > 1 ? cfg->eal.n_lcores - 1u : 1u, k = 0;
	const config_setting_t *ports;
	struct cfg_worker *w;

	if (nw > CFG_MAX_WORKERS)
		return cfg_err_setting(ctx, config_lookup(&ctx->lc, "eal.lcores"), "%u worker "
				       "lcores, at most %d are supported", nw, CFG_MAX_WORKERS);
	for (unsigned int i = 0; i < nw; i++)
		cfg->workers[i].lcore = cfg->eal.lcores[cfg->eal.n_lcores > 1 ? i + 1 : 0];
	ports = config_setting_get_member((config_setting_t *)(uintptr_t)root, "ports");
	for (unsigned int p = 0; p < cfg->n_ports; p++)
		for (unsigned int q = 0; q < cfg->ports[p].rx_queues; q++, k++) {
			w = &cfg->workers[k % nw];
			if (w->n_queues == CFG_MAX_WORKER_QUEUES)
				return cfg_err_setting(ctx, config_setting_get_elem(ports, p),
						       "round robin gives lcore %u more than %d RX "
						       "queues (add lcores or a workers section)",
						       w->lcore, CFG_MAX_WORKER_QUEUES);
			w->queues[w->n_queues++] = (struct cfg_queue_ref){
				.port = (uint8_t)p, .queue = (uint16_t)q };
		}
	cfg->n_workers = (uint16_t)nw;
	return 0;
}

int
cfg_parse_workers(struct cfg_ctx *ctx, const config_setting_t *root)
{
	config_setting_t *list;
	struct owners own;

	if (cfg_get_list(ctx, root, "workers", false, 1, CFG_MAX_WORKERS, &list) < 0)
		return -EINVAL;
	if (list == NULL)
		return default_workers(ctx, root);
	for (unsigned int p = 0; p < CFG_MAX_PORTS; p++)
		for (unsigned int q = 0; q < CFG_MAX_QUEUES; q++)
			own.w[p][q] = NO_OWNER;
	for (int i = 0; i < config_setting_length(list); i++) {
		if (parse_worker(ctx, config_setting_get_elem(list, i), (unsigned int)i, &own) < 0)
			return -EINVAL;
		ctx->cfg->n_workers = (uint16_t)(i + 1);
	}
	return check_cover(ctx, root, list, &own);
}
