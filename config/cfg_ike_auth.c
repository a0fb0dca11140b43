/*
 * The two ends of a connection and how each authenticates (RFC 7296
 * §2.15, RFC 7427): an identity (§3.5; default %any) and psk or pubkey.
 * Our end with pubkey names its certificate and private key; the peer's
 * end with pubkey names the CA certificates its certificate must chain to
 * (§3.7). An end using psk needs a secret in ike.secrets for the peer's
 * identity (a secret id its wildcards match) or ours; with a peer of any
 * identity, any secret may be the one: the secrets must not be empty. Files are checked last
 * (cfg_ike_files.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"
#include "ike/ike_id.h"

static const char *const local_keys[] = { "id", "auth", "cert", "key", NULL };
static const char *const remote_keys[] = { "id", "auth", "cacerts", NULL };

static int
pubkey_only(struct cfg_ctx *ctx, const config_setting_t *g, const struct cfg_ike_end *end,
	    const char *key)
{
	config_setting_t *s = config_setting_get_member((config_setting_t *)(uintptr_t)g, key);

	if (s == NULL || end->auth == CFG_IKE_AUTH_PUBKEY)
		return 0;
	return cfg_err_setting(ctx, s, "%s is only used with auth = \"pubkey\"", key);
}

static int
parse_path(struct cfg_ctx *ctx, const config_setting_t *g, const char *key, char *out)
{
	config_setting_t *s;

	if (cfg_get_member(ctx, g, key, CONFIG_TYPE_STRING, true, &s) < 0 ||
	    cfg_ike_path(ctx, s, out, CFG_IKE_PATH_LEN) < 0)
		return -EINVAL;
	return 0;
}

static int
parse_cacerts(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_end *end)
{
	config_setting_t *list, *s;

	if (cfg_get_list(ctx, g, "cacerts", true, 1, CFG_IKE_MAX_CACERTS, &list) < 0)
		return -EINVAL;
	for (int i = 0; i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0 ||
		    cfg_ike_path(ctx, s, end->cacerts[i], sizeof(end->cacerts[i])) < 0)
			return -EINVAL;
		end->n_cacerts = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_end(struct cfg_ctx *ctx, const config_setting_t *group, bool local,
	  struct cfg_ike_end *end)
{
	config_setting_t *g, *id;
	int auth = CFG_IKE_AUTH_PSK;

	if (cfg_get_member(ctx, group, local ? "local" : "remote", CONFIG_TYPE_GROUP, true,
			   &g) < 0 ||
	    cfg_check_keys(ctx, g, local ? local_keys : remote_keys) < 0 ||
	    cfg_get_member(ctx, g, "id", CONFIG_TYPE_STRING, false, &id) < 0)
		return -EINVAL;
	if (id != NULL && cfg_ike_parse_id(ctx, id, true, &end->id) < 0)
		return -EINVAL;
	if (id == NULL) {
		end->id.type = CFG_IKE_ID_ANY;
		snprintf(end->id.text, sizeof(end->id.text), "%%any");
	}
	if (cfg_lookup_name(ctx, g, "auth", true, cfg_ike_auth_names, "auth", NULL, &auth) < 0)
		return -EINVAL;
	end->auth = (enum cfg_ike_auth)auth;
	if (!local)
		return pubkey_only(ctx, g, end, "cacerts") < 0 ||
		       (end->auth == CFG_IKE_AUTH_PUBKEY && parse_cacerts(ctx, g, end) < 0) ?
		       -EINVAL : 0;
	if (pubkey_only(ctx, g, end, "cert") < 0 || pubkey_only(ctx, g, end, "key") < 0)
		return -EINVAL;
	if (end->auth == CFG_IKE_AUTH_PUBKEY &&
	    (parse_path(ctx, g, "cert", end->cert) < 0 || parse_path(ctx, g, "key", end->key) < 0))
		return -EINVAL;
	return 0;
}

/* A secret one of whose ids ID matches (ID may hold wildcards: "*@example.org"). */
static bool
has_secret(const struct cfg_ike *ike, const struct cfg_ike_id *id)
{
	struct ike_id pattern, sid;

	if (id->type == CFG_IKE_ID_ANY || ike_id_from_string(&pattern, id->text) < 0)
		return false;
	for (unsigned int i = 0; i < ike->n_secrets; i++)
		for (unsigned int j = 0; j < ike->secrets[i].n_ids; j++)
			if (ike_id_from_string(&sid, ike->secrets[i].ids[j].text) == 0 &&
			    ike_id_match(&pattern, &sid))
				return true;
	return false;
}

/* At the auth setting of the first end that uses psk. */
static int
check_psk(struct cfg_ctx *ctx, const config_setting_t *group, const struct cfg_ike_conn *c)
{
	const struct cfg_ike *ike = &ctx->cfg->ike;
	const config_setting_t *end;
	config_setting_t *auth;

	if (c->local.auth != CFG_IKE_AUTH_PSK && c->remote.auth != CFG_IKE_AUTH_PSK)
		return 0;
	end = config_setting_get_member((config_setting_t *)(uintptr_t)group,
					c->local.auth == CFG_IKE_AUTH_PSK ? "local" : "remote");
	auth = config_setting_get_member((config_setting_t *)(uintptr_t)end, "auth");
	if (c->remote.id.type == CFG_IKE_ID_ANY)
		return ike->n_secrets > 0 ? 0 :
		       cfg_err_setting(ctx, auth, "psk needs a secret, but ike.secrets is empty");
	if (has_secret(ike, &c->remote.id) || has_secret(ike, &c->local.id))
		return 0;
	if (c->local.id.type == CFG_IKE_ID_ANY)
		return cfg_err_setting(ctx, auth, "psk needs a secret for '%s' in ike.secrets",
				       c->remote.id.text);
	return cfg_err_setting(ctx, auth, "psk needs a secret for '%s' or '%s' in ike.secrets",
			       c->remote.id.text, c->local.id.text);
}

int
cfg_ike_parse_ends(struct cfg_ctx *ctx, const config_setting_t *group,
		   struct cfg_ike_conn *conn)
{
	if (parse_end(ctx, group, true, &conn->local) < 0 ||
	    parse_end(ctx, group, false, &conn->remote) < 0 || check_psk(ctx, group, conn) < 0)
		return -EINVAL;
	return 0;
}
