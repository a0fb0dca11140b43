/*
 * Names of the IPsec enums as they appear in the file, the CLI and JSON
 * (algorithms, directions, modes, DF handling, policy actions), the key
 * lengths each algorithm needs (RFC 4106 §8.1 and RFC 7634 §2: AEAD keys
 * carry a 4-byte salt; RFC 4868 §2.1.1: HMAC-SHA-256 keys are 32 bytes),
 * and the lookup of a string setting among such names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	AES128_KEY = 16,
	AES256_KEY = 32,
	CHACHA_KEY = 32,
	SALT = 4,
	HMAC_SHA256_KEY = 32,
	NAME_LIST_LEN = 192,
};

struct alg_info {
	uint8_t key_len;
	uint8_t auth_key_len;
};

static const struct alg_info algs[CFG_SA_ALG_COUNT] = {
	[CFG_SA_AES_GCM_128] = { AES128_KEY + SALT, 0 },
	[CFG_SA_AES_GCM_256] = { AES256_KEY + SALT, 0 },
	[CFG_SA_AES_CBC_128_SHA256] = { AES128_KEY, HMAC_SHA256_KEY },
	[CFG_SA_AES_CBC_256_SHA256] = { AES256_KEY, HMAC_SHA256_KEY },
	[CFG_SA_CHACHA20_POLY1305] = { CHACHA_KEY + SALT, 0 },
};

const char *const cfg_sa_alg_names[CFG_SA_ALG_COUNT + 1] = {
	[CFG_SA_AES_GCM_128] = "aes-gcm-128",
	[CFG_SA_AES_GCM_256] = "aes-gcm-256",
	[CFG_SA_AES_CBC_128_SHA256] = "aes-cbc-128-hmac-sha256",
	[CFG_SA_AES_CBC_256_SHA256] = "aes-cbc-256-hmac-sha256",
	[CFG_SA_CHACHA20_POLY1305] = "chacha20-poly1305",
	[CFG_SA_ALG_COUNT] = NULL,
};

const char *const cfg_sa_dir_names[] = {
	[CFG_SA_IN] = "in", [CFG_SA_OUT] = "out", NULL
};

const char *const cfg_sa_mode_names[] = {
	[CFG_SA_TUNNEL] = "tunnel", [CFG_SA_TRANSPORT] = "transport", NULL
};

const char *const cfg_sa_df_names[] = {
	[CFG_SA_DF_COPY] = "copy", [CFG_SA_DF_SET] = "set", [CFG_SA_DF_CLEAR] = "clear", NULL
};

const char *const cfg_policy_action_names[] = {
	[CFG_POLICY_BYPASS] = "bypass",
	[CFG_POLICY_DISCARD] = "discard",
	[CFG_POLICY_PROTECT] = "protect",
	NULL
};

static const char *
name_of(const char *const names[], size_t n, unsigned int v)
{
	return v < n && names[v] != NULL ? names[v] : "?";
}

const char *
cfg_sa_alg_name(enum cfg_sa_alg alg)
{
	return name_of(cfg_sa_alg_names, N_ELEMS(cfg_sa_alg_names), (unsigned int)alg);
}

const char *
cfg_sa_dir_name(enum cfg_sa_dir dir)
{
	return name_of(cfg_sa_dir_names, N_ELEMS(cfg_sa_dir_names), (unsigned int)dir);
}

const char *
cfg_sa_mode_name(enum cfg_sa_mode mode)
{
	return name_of(cfg_sa_mode_names, N_ELEMS(cfg_sa_mode_names), (unsigned int)mode);
}

const char *
cfg_sa_df_name(enum cfg_sa_df df)
{
	return name_of(cfg_sa_df_names, N_ELEMS(cfg_sa_df_names), (unsigned int)df);
}

const char *
cfg_policy_action_name(enum cfg_policy_action action)
{
	return name_of(cfg_policy_action_names, N_ELEMS(cfg_policy_action_names),
		       (unsigned int)action);
}

uint8_t
cfg_sa_alg_key_len(enum cfg_sa_alg alg)
{
	return (unsigned int)alg < CFG_SA_ALG_COUNT ? algs[alg].key_len : 0;
}

uint8_t
cfg_sa_alg_auth_key_len(enum cfg_sa_alg alg)
{
	return (unsigned int)alg < CFG_SA_ALG_COUNT ? algs[alg].auth_key_len : 0;
}

/* "a, b or c" from a NULL-terminated list. */
static void
name_list(const char *const names[], char *buf, size_t len)
{
	size_t used = 0;
	unsigned int n = 0;

	while (names[n] != NULL)
		n++;
	buf[0] = '\0';
	for (unsigned int i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/*
 * The string setting KEY of GROUP is one of NAMES (NULL-terminated): its
 * index in *out. Absent and not required: *out untouched. WHAT names the
 * kind of value in the error ("unknown WHAT 'x' (expected a, b or c)");
 * SA, if not NULL, is the SA the setting belongs to.
 */
int
cfg_lookup_name(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		bool required, const char *const names[], const char *what,
		const struct cfg_sa *sa, int *out)
{
	char list[NAME_LIST_LEN], q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *text;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_STRING, required, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	text = config_setting_get_string(s);
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = i;
			return 0;
		}
	name_list(names, list, sizeof(list));
	cfg_quote(text, q, sizeof(q));
	if (sa != NULL)
		return cfg_err_sa(ctx, s, sa, "unknown %s '%s' (expected %s)", what, q, list);
	return cfg_err_setting(ctx, s, "unknown %s '%s' (expected %s)", what, q, list);
}
