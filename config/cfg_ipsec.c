/*
 * The ipsec section (SPD default action for traffic no policy matches,
 * RFC 4301 §4.4.1; SAD and SPD table sizes), the order in which ipsec, sas
 * and policies are read, and the protection of manual keys: a file that
 * holds a key must be private to its owner, and the key text is zeroized
 * in libconfig's tree and in the loaded configuration when done.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfg_priv.h"

enum {
	MAX_SAS_MIN = 16,
	MAX_SAS_MAX = 1048576,
	DEFAULT_MAX_SAS = 4096,
	MAX_POLICIES_MIN = 1,
	MAX_POLICIES_MAX = 65536,
	DEFAULT_MAX_POLICIES = 1024,
	MAX_CLIENTS_MIN = 16,
	MAX_CLIENTS_MAX = 1048576,
	DEFAULT_MAX_CLIENTS = 65536,
};

/* default_policy: index = enum cfg_policy_action (protect needs an SA: not a default). */
static const char *const default_names[] = {
	[CFG_POLICY_BYPASS] = "bypass", [CFG_POLICY_DISCARD] = "discard", NULL
};

static const char *const key_settings[] = { "key", "auth_key" };

#define N_KEY_SETTINGS (sizeof(key_settings) / sizeof(key_settings[0]))

void
cfg_ipsec_set_defaults(struct cfg *cfg)
{
	cfg->ipsec = (struct cfg_ipsec){
		.default_policy = CFG_POLICY_BYPASS,
		.max_sas = DEFAULT_MAX_SAS,
		.max_policies = DEFAULT_MAX_POLICIES,
		.max_clients = DEFAULT_MAX_CLIENTS,
	};
}

static int
parse_ipsec(struct cfg_ctx *ctx, const config_setting_t *group)
{
	static const char *const keys[] = {
		"default_policy", "max_sas", "max_policies", "max_clients", NULL
	};
	struct cfg_ipsec *ip = &ctx->cfg->ipsec;
	int64_t sas = ip->max_sas, policies = ip->max_policies, clients = ip->max_clients;
	int def = (int)ip->default_policy;

	if (cfg_check_keys(ctx, group, keys) < 0 ||
	    cfg_lookup_name(ctx, group, "default_policy", false, default_names,
			    "default_policy", NULL, &def) < 0 ||
	    cfg_lookup_int(ctx, group, "max_sas", MAX_SAS_MIN, MAX_SAS_MAX, &sas) < 0 ||
	    cfg_lookup_int(ctx, group, "max_policies", MAX_POLICIES_MIN, MAX_POLICIES_MAX,
			   &policies) < 0 ||
	    cfg_lookup_int(ctx, group, "max_clients", MAX_CLIENTS_MIN, MAX_CLIENTS_MAX,
			   &clients) < 0)
		return -EINVAL;
	ip->default_policy = (enum cfg_policy_action)def;
	ip->max_sas = (unsigned int)sas;
	ip->max_policies = (unsigned int)policies;
	ip->max_clients = (unsigned int)clients;
	return 0;
}

int
cfg_parse_ipsec_sections(struct cfg_ctx *ctx, const config_setting_t *root)
{
	config_setting_t *ipsec, *sas, *policies;

	if (cfg_get_member(ctx, root, "ipsec", CONFIG_TYPE_GROUP, false, &ipsec) < 0 ||
	    (ipsec != NULL && parse_ipsec(ctx, ipsec) < 0) ||
	    cfg_get_list(ctx, root, "sas", false, 0, CFG_MAX_SAS, &sas) < 0 ||
	    (sas != NULL && cfg_parse_sas(ctx, sas) < 0) ||
	    cfg_get_list(ctx, root, "policies", false, 0, CFG_MAX_POLICIES, &policies) < 0 ||
	    (policies != NULL && cfg_parse_policies(ctx, policies) < 0))
		return -EINVAL;
	return 0;
}

static int
check_key_file(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa)
{
	char name[CFG_PATH_LEN * 3];
	const char *file = cfg_file_name(ctx, config_setting_source_file(s), name, sizeof(name));
	struct stat st;

	if (stat(file, &st) < 0)
		return cfg_err_at(ctx, s, "SA \"%s\": cannot check who may read the file with "
				  "its %s: %s", sa->name, config_setting_name(s), strerror(errno));
	if (st.st_mode & (S_IRGRP | S_IROTH))
		return cfg_err_at(ctx, s, "SA \"%s\": %s in a file readable by group or others "
				  "(chmod 600)", sa->name, config_setting_name(s));
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return cfg_err_at(ctx, s, "SA \"%s\": %s in a file writable by group or others "
				  "(chmod 600)", sa->name, config_setting_name(s));
	return 0;
}

/* Runs after every other check: the SAs are all parsed, in file order. */
int
cfg_check_key_files(struct cfg_ctx *ctx)
{
	config_setting_t *sas = config_lookup(&ctx->lc, "sas"), *group, *s;

	for (unsigned int i = 0; sas != NULL && i < ctx->cfg->n_sas; i++) {
		group = config_setting_get_elem(sas, i);
		for (unsigned int k = 0; group != NULL && k < N_KEY_SETTINGS; k++) {
			s = config_setting_get_member(group, key_settings[k]);
			if (s != NULL && check_key_file(ctx, s, &ctx->cfg->sas[i]) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

void
cfg_wipe_key_text(struct cfg_ctx *ctx)
{
	config_setting_t *sas = config_lookup(&ctx->lc, "sas"), *group, *s;
	const char *text;

	if (sas == NULL || !config_setting_is_aggregate(sas))
		return;
	for (int i = 0; i < config_setting_length(sas); i++) {
		group = config_setting_get_elem(sas, i);
		if (config_setting_type(group) != CONFIG_TYPE_GROUP)
			continue;
		for (unsigned int k = 0; k < N_KEY_SETTINGS; k++) {
			s = config_setting_get_member(group, key_settings[k]);
			if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
				continue;
			text = config_setting_get_string(s);
			if (text != NULL)
				explicit_bzero((char *)(uintptr_t)text, strlen(text));
		}
	}
}

void
cfg_wipe_keys(struct cfg *cfg)
{
	for (unsigned int i = 0; i < CFG_MAX_SAS; i++) {
		explicit_bzero(cfg->sas[i].key, sizeof(cfg->sas[i].key));
		explicit_bzero(cfg->sas[i].auth_key, sizeof(cfg->sas[i].auth_key));
	}
	cfg_ike_wipe_secrets(cfg);
}
