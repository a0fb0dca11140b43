/*
 * The keys of a static SA: "0x" and an even number of hex digits, exactly
 * as many bytes as the algorithm needs (AEAD keys end with the 4-byte salt,
 * RFC 4106 §8.1, RFC 7634 §2; CBC takes a separate 32-byte HMAC-SHA-256
 * key, RFC 4868 §2.1.1). Key text never appears in a message; cfg_load()
 * zeroizes the strings libconfig holds (cfg_wipe_key_text).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/cfg_priv.h"

enum {
	HEX_PREFIX_LEN = 2,	/* "0x" */
	HEX_BASE = 16,
	SALT_LEN = 4,
};

static bool
is_aead(enum cfg_sa_alg alg)
{
	return cfg_sa_alg_auth_key_len(alg) == 0;
}

/* Why TEXT is not a key of WANT bytes, written to why; 0 if it is one. */
static int
check_hex(const char *text, size_t want, enum cfg_sa_alg alg, const char *what, char *why,
	  size_t why_len)
{
	size_t n = strlen(text), digits;

	if (n < HEX_PREFIX_LEN || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
		snprintf(why, why_len, "%s is not hex (expected \"0x\" and hex digits)", what);
		return -EINVAL;
	}
	digits = n - HEX_PREFIX_LEN;
	for (size_t i = 0; i < digits; i++)
		if (OPENSSL_hexchar2int((unsigned char)text[HEX_PREFIX_LEN + i]) < 0) {
			snprintf(why, why_len, "%s is not hex (character %zu is not a hex digit)",
				 what, HEX_PREFIX_LEN + i + 1);
			return -EINVAL;
		}
	if (digits % 2 != 0) {
		snprintf(why, why_len, "%s has an odd number of hex digits (%zu)", what, digits);
		return -EINVAL;
	}
	if (digits / 2 != want && strcmp(what, "key") == 0 && is_aead(alg)) {
		snprintf(why, why_len, "%s is %zu bytes, %s needs %zu (%zu-byte key + %d-byte "
			 "salt)", what, digits / 2, cfg_sa_alg_name(alg), want, want - SALT_LEN,
			 SALT_LEN);
		return -EINVAL;
	}
	if (digits / 2 != want) {
		snprintf(why, why_len, "%s is %zu bytes, %s needs %zu", what, digits / 2,
			 cfg_sa_alg_name(alg), want);
		return -EINVAL;
	}
	return 0;
}

/* Decodes the hex setting s into out (want bytes). cfg_load() zeroizes the text. */
static int
parse_hex(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa, size_t want,
	  const char *what, uint8_t *out)
{
	const char *text = config_setting_get_string(s);
	char why[CFG_ERR_LEN / 2];
	int rc = check_hex(text, want, sa->alg, what, why, sizeof(why));

	if (rc == 0)
		for (size_t i = 0; i < want; i++)
			out[i] = (uint8_t)(OPENSSL_hexchar2int((unsigned char)text[HEX_PREFIX_LEN + 2 * i]) * HEX_BASE +
					   OPENSSL_hexchar2int((unsigned char)text[HEX_PREFIX_LEN + 2 * i + 1]));
	return rc == 0 ? 0 : cfg_err_sa(ctx, s, sa, "%s", why);
}

int
cfg_parse_sa_keys(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa)
{
	uint8_t key_len = cfg_sa_alg_key_len(sa->alg);
	uint8_t auth_len = cfg_sa_alg_auth_key_len(sa->alg);
	config_setting_t *key, *auth;

	if (cfg_get_member(ctx, group, "key", CONFIG_TYPE_STRING, true, &key) < 0 ||
	    parse_hex(ctx, key, sa, key_len, "key", sa->key) < 0)
		return -EINVAL;
	sa->key_len = key_len;
	if (cfg_get_member(ctx, group, "auth_key", CONFIG_TYPE_STRING, false, &auth) < 0)
		return -EINVAL;
	if (auth != NULL && auth_len == 0)
		return cfg_err_sa(ctx, auth, sa, "auth_key is not used by %s (AEAD: the key "
				  "also authenticates)", cfg_sa_alg_name(sa->alg));
	if (auth == NULL && auth_len != 0)
		return cfg_err_sa(ctx, group, sa, "%s needs auth_key (%u bytes of HMAC-SHA-256 "
				  "key)", cfg_sa_alg_name(sa->alg), auth_len);
	if (auth == NULL)
		return 0;
	if (parse_hex(ctx, auth, sa, auth_len, "auth_key", sa->auth_key) < 0)
		return -EINVAL;
	sa->auth_key_len = auth_len;
	return 0;
}
