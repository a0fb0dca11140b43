/*
 * Proposal lists of connections (IKE SA) and CHILD SAs (ESP), RFC 7296
 * §3.3, in strongSwan's notation: algorithm keywords joined by '-', e.g.
 * "aes256gcm16-prfsha384-ecp384" or "aes128-sha256-modp2048" (IKE),
 * "aes128gcm16" or "aes256-sha256-x25519" (ESP, with a group for PFS).
 * Each string is kept as written, unique in its list, 1..127 characters,
 * and must parse with the IKE library's parser (ike/ike_proposal.h), whose
 * error text is reported. The defaults are suites the IKE library and the
 * data path implement.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"
#include "ike/ike_const.h"
#include "ike/ike_proposal.h"

const char *const cfg_ike_default_proposals[] = {
	"aes256gcm16-prfsha384-x25519",
	"aes256gcm16-prfsha384-ecp384",
	"aes128gcm16-prfsha256-ecp256",
	"chacha20poly1305-prfsha256-x25519",
	"aes256-sha256-modp2048",
};

const unsigned int cfg_ike_n_default_proposals =
	sizeof(cfg_ike_default_proposals) / sizeof(cfg_ike_default_proposals[0]);

const char *const cfg_ike_default_esp_proposals[] = {
	"aes256gcm16",
	"aes128gcm16",
	"chacha20poly1305",
	"aes256-sha256",
	"aes128-sha256",
};

const unsigned int cfg_ike_n_default_esp_proposals =
	sizeof(cfg_ike_default_esp_proposals) / sizeof(cfg_ike_default_esp_proposals[0]);

/* Each string through the IKE library's parser: what it refuses, config refuses. */
static int
parse_one(struct cfg_ctx *ctx, const config_setting_t *s, const char *key, bool esp,
	  char out[][CFG_IKE_PROPOSAL_LEN], unsigned int index)
{
	char q[CFG_ADDR_TEXT_LEN * 2], why[IKE_PROPOSAL_ERR_LEN];
	struct ike_proposal parsed;
	const char *text;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	text = config_setting_get_string(s);
	if (text[0] == '\0')
		return cfg_err_setting(ctx, s, "must not be empty");
	if (strlen(text) >= CFG_IKE_PROPOSAL_LEN)
		return cfg_err_setting(ctx, s, "proposal '%s' is too long (%zu characters, at "
				       "most %d)", cfg_quote(text, q, sizeof(q)), strlen(text),
				       CFG_IKE_PROPOSAL_LEN - 1);
	if (ike_proposal_parse(text, esp ? IKE_PROTO_ESP : IKE_PROTO_IKE, 1, &parsed, why,
			       sizeof(why)) < 0)
		return cfg_err_setting(ctx, s, "%s", why);
	for (unsigned int i = 0; i < index; i++)
		if (strcmp(out[i], text) == 0)
			return cfg_err_setting(ctx, s, "proposal '%s' is listed twice (also "
					       "%s[%u])", text, key, i);
	snprintf(out[index], CFG_IKE_PROPOSAL_LEN, "%s", text);
	return 0;
}

int
cfg_ike_parse_proposals(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
			bool esp, const char *const def[], unsigned int n_def,
			char out[][CFG_IKE_PROPOSAL_LEN], uint8_t *n_out)
{
	config_setting_t *list;

	if (cfg_get_list(ctx, group, key, false, 1, CFG_IKE_MAX_PROPOSALS, &list) < 0)
		return -EINVAL;
	if (list == NULL) {
		for (unsigned int i = 0; i < n_def; i++)
			snprintf(out[i], CFG_IKE_PROPOSAL_LEN, "%s", def[i]);
		*n_out = (uint8_t)n_def;
		return 0;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		if (parse_one(ctx, config_setting_get_elem(list, i), key, esp, out,
			      (unsigned int)i) < 0)
			return -EINVAL;
		*n_out = (uint8_t)(i + 1);
	}
	return 0;
}
