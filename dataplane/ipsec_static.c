/*
 * Static SAs and policies from the configuration file (manual keying,
 * RFC 4301 §4.5, as DPDK's ipsec-secgw allows): struct cfg_sa becomes
 * struct dp_sa_params for dp_sa_add(), struct cfg_policy a selector
 * policy for dp_spd_add() or a remote-access client prefix for
 * dp_spd_add_client(). An error names the config line; the caller
 * (dp_init) then fails the start, so the daemon never runs with half of
 * its policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_log.h"
#include "dataplane/ipsec_static.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

/* config/ mirrors the dataplane's enums without including them. */
_Static_assert((int)CFG_SA_AES_GCM_128 == (int)DP_SA_AES_GCM_128, "alg");
_Static_assert((int)CFG_SA_AES_GCM_256 == (int)DP_SA_AES_GCM_256, "alg");
_Static_assert((int)CFG_SA_AES_CBC_128_SHA256 == (int)DP_SA_AES_CBC_128_SHA256, "alg");
_Static_assert((int)CFG_SA_AES_CBC_256_SHA256 == (int)DP_SA_AES_CBC_256_SHA256, "alg");
_Static_assert((int)CFG_SA_CHACHA20_POLY1305 == (int)DP_SA_CHACHA20_POLY1305, "alg");
_Static_assert((int)CFG_SA_ALG_COUNT == (int)DP_SA_ALG_COUNT, "alg");
_Static_assert((int)CFG_SA_IN == (int)DP_SA_INBOUND, "dir");
_Static_assert((int)CFG_SA_OUT == (int)DP_SA_OUTBOUND, "dir");
_Static_assert((int)CFG_SA_TUNNEL == (int)DP_SA_TUNNEL, "mode");
_Static_assert((int)CFG_SA_TRANSPORT == (int)DP_SA_TRANSPORT, "mode");
_Static_assert((int)CFG_SA_DF_COPY == (int)DP_SA_DF_COPY, "df");
_Static_assert((int)CFG_SA_DF_SET == (int)DP_SA_DF_SET, "df");
_Static_assert((int)CFG_SA_DF_CLEAR == (int)DP_SA_DF_CLEAR, "df");
_Static_assert((int)CFG_POLICY_BYPASS == (int)DP_POLICY_BYPASS, "action");
_Static_assert((int)CFG_POLICY_DISCARD == (int)DP_POLICY_DISCARD, "action");
_Static_assert((int)CFG_POLICY_PROTECT == (int)DP_POLICY_PROTECT, "action");
_Static_assert((int)CFG_SA_MAX_TS <= (int)DP_SA_MAX_TS, "selectors");
_Static_assert((int)CFG_SA_MAX_KEY <= (int)DP_ESP_MAX_ENC_KEY, "key");
_Static_assert((int)CFG_SA_MAX_AUTH_KEY <= (int)DP_ESP_MAX_AUTH_KEY, "auth key");
_Static_assert((int)CFG_NAME_LEN <= (int)DP_SA_NAME_LEN, "SA name");
_Static_assert(sizeof(((struct cfg_ts *)0)->addr_lo) == sizeof(((struct dp_ts *)0)->addr_lo),
	       "selector address");

enum { REASON_LEN = 256 };

static void
ts_from_cfg(struct dp_ts *d, const struct cfg_ts *c)
{
	d->family = c->family;
	d->proto = c->proto;
	d->port_lo = c->port_lo;
	d->port_hi = c->port_hi;
	memcpy(d->addr_lo, c->addr_lo, sizeof(d->addr_lo));
	memcpy(d->addr_hi, c->addr_hi, sizeof(d->addr_hi));
}

static void
sa_params_from_cfg(struct dp_sa_params *p, const struct cfg_sa *c)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->spi = c->spi;
	p->dir = (enum dp_sa_dir)c->dir;
	p->mode = (enum dp_sa_mode)c->mode;
	p->alg = (enum dp_sa_alg)c->alg;
	memcpy(p->enc_key, c->key, c->key_len);
	p->enc_key_len = c->key_len;
	memcpy(p->auth_key, c->auth_key, c->auth_key_len);
	p->auth_key_len = c->auth_key_len;
	p->esn = c->esn;
	p->replay_window = c->replay_window;
	p->local = c->local;
	p->remote = c->remote;
	p->udp_encap = c->udp_encap;
	p->encap_local_port = c->local_port;
	p->encap_remote_port = c->remote_port;
	p->df = (enum dp_sa_df)c->df;
	p->dscp = c->dscp;	/* CFG_NONE (-1): copy the inner DSCP */
	p->soft.bytes = c->soft.bytes;
	p->soft.packets = c->soft.packets;
	p->hard.bytes = c->hard.bytes;
	p->hard.packets = c->hard.packets;
	p->n_ts = c->n_ts;
	for (uint8_t i = 0; i < c->n_ts; i++) {
		ts_from_cfg(&p->ts[i].local, &c->ts[i].local);
		ts_from_cfg(&p->ts[i].remote, &c->ts[i].remote);
	}
	p->owner = c->worker == CFG_NONE ? DP_SA_NO_OWNER : (uint16_t)c->worker;
}

static int
install_sa(struct dp *dp, const struct cfg_sa *c, uint32_t *id, char *err, size_t err_len)
{
	struct dp_sa_params p;
	char reason[REASON_LEN] = "";
	int rc;

	sa_params_from_cfg(&p, c);
	rc = dp_sa_add(dp->sad, &p, id, reason, sizeof(reason));
	explicit_bzero(&p, sizeof(p));
	if (rc < 0)
		snprintf(err, err_len, "%s:%d: SA \"%s\": %s", dp->cfg->path, c->line, c->name,
			 reason[0] != '\0' ? reason : strerror(-rc));
	return rc;
}

static int
install_policy(struct dp *dp, const struct cfg_policy *c, const uint32_t *sa_ids, char *err,
	       size_t err_len)
{
	uint32_t sa_id = c->sa != CFG_NONE ? sa_ids[c->sa] : UINT32_MAX;
	struct dp_policy_params p = {
		.priority = c->priority,
		.action = (enum dp_policy_action)c->action,
		.sa_id = sa_id,
	};
	uint32_t id;
	int rc;

	if (c->kind == CFG_POLICY_CLIENT) {
		rc = dp_spd_add_client(dp->spd, &c->client, sa_id);
	} else {
		ts_from_cfg(&p.local, &c->local);
		ts_from_cfg(&p.remote, &c->remote);
		rc = dp_spd_add(dp->spd, &p, &id);
	}
	if (rc < 0)
		snprintf(err, err_len, "%s:%d: %s policy: %s", dp->cfg->path, c->line,
			 c->kind == CFG_POLICY_CLIENT ? "client" : "selector",
			 rc == -ENOSPC ? "table full (raise ipsec.max_policies / max_clients)" :
			 strerror(-rc));
	return rc;
}

static int
install_policies(struct dp *dp, const uint32_t *sa_ids, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;
	int rc = 0;

	dp_spd_batch_begin(dp->spd);
	for (unsigned int i = 0; i < cfg->n_policies && rc == 0; i++)
		rc = install_policy(dp, &cfg->policies[i], sa_ids, err, err_len);
	if (dp_spd_batch_end(dp->spd) < 0 && rc == 0) {
		snprintf(err, err_len, "%s: security policies: building the lookup tables failed",
			 cfg->path);
		rc = -ENOMEM;
	}
	return rc;
}

int
dp_ipsec_static_install(struct dp *dp, char *err, size_t err_len)
{
	const struct cfg *cfg = dp->cfg;
	uint32_t *sa_ids = calloc(CFG_MAX_SAS, sizeof(*sa_ids));
	int rc = 0;

	if (sa_ids == NULL) {
		snprintf(err, err_len, "static SAs: out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cfg->n_sas && rc == 0; i++)
		rc = install_sa(dp, &cfg->sas[i], &sa_ids[i], err, err_len);
	if (rc == 0)
		rc = install_policies(dp, sa_ids, err, err_len);
	if (rc == 0 && (cfg->n_sas != 0 || cfg->n_policies != 0))
		DP_LOG(INFO, "%u static SAs and %u policies installed", cfg->n_sas,
		       cfg->n_policies);
	free(sa_ids);
	return rc;
}
