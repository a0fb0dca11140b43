/*
 * IKE identities in the configuration (RFC 7296 §3.5), read with the IKE
 * library's parser (ike/ike_id.h, strongSwan's forms): "%any" (also "*",
 * "%any6"), an IPv4 or IPv6 address, "user@example.org", a DN
 * "C=CH, O=Example, CN=gw", an FQDN ("@" forces one), "@#hex" key IDs and
 * the "fqdn:", "email:", "asn1dn:", ... prefixes. What it refuses, the
 * configuration refuses; the type is the one it finds and the text is kept
 * as written, for the IKE daemon to parse the same way. Two spellings of one
 * identity ("@gw.example.org", "fqdn:GW.example.org") compare equal. A '%'
 * keyword other than %any / %any6 is refused here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/cfg_priv.h"
#include "ike/ike_const.h"
#include "ike/ike_id.h"

static enum cfg_ike_id_type
type_of(uint8_t type)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return CFG_IKE_ID_IPV4;
	case IKE_ID_IPV6_ADDR:
		return CFG_IKE_ID_IPV6;
	case IKE_ID_FQDN:
		return CFG_IKE_ID_FQDN;
	case IKE_ID_RFC822_ADDR:
		return CFG_IKE_ID_RFC822;
	case IKE_ID_DER_ASN1_DN:
		return CFG_IKE_ID_DN;
	case IKE_ID_KEY_ID:
		return CFG_IKE_ID_KEY_ID;
	default:
		return CFG_IKE_ID_ANY;
	}
}

static int
invalid(struct cfg_ctx *ctx, const config_setting_t *s, const char *text, int rc)
{
	char q[CFG_ADDR_TEXT_LEN * 2];

	cfg_quote(text, q, sizeof(q));
	if (rc == -E2BIG)
		return cfg_err_setting(ctx, s, "'%s' is too long once encoded (at most %d bytes)",
				       q, IKE_ID_MAX);
	if (strchr(text, '=') != NULL)
		return cfg_err_setting(ctx, s, "'%s' is not a valid DN identity (expected "
				       "attr=value parts separated by commas, attributes such "
				       "as C, O, OU, CN, E)", q);
	return cfg_err_setting(ctx, s, "'%s' is not a valid identity", q);
}

int
cfg_ike_parse_id(struct cfg_ctx *ctx, const config_setting_t *s, bool allow_any,
		 struct cfg_ike_id *id)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	struct ike_id parsed;
	const char *text;
	size_t n;
	int rc;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_STRING) < 0)
		return -EINVAL;
	text = config_setting_get_string(s);
	n = strlen(text);
	memset(id, 0, sizeof(*id));
	if (n == 0)
		return cfg_err_setting(ctx, s, "must not be empty");
	if (n >= sizeof(id->text))
		return cfg_err_setting(ctx, s, "'%s' is too long (%zu characters, at most %zu)",
				       cfg_quote(text, q, sizeof(q)), n, sizeof(id->text) - 1);
	rc = ike_id_from_string(&parsed, text);
	if (rc < 0)
		return invalid(ctx, s, text, rc);
	id->type = type_of(parsed.type);
	if (text[0] == '%' && id->type != CFG_IKE_ID_ANY)
		return cfg_err_setting(ctx, s, "unknown identity keyword '%s' (only %%any)",
				       cfg_quote(text, q, sizeof(q)));
	if (id->type == CFG_IKE_ID_ANY && !allow_any)
		return cfg_err_setting(ctx, s, "'%s' matches any identity: not allowed here "
				       "(name one)", cfg_quote(text, q, sizeof(q)));
	snprintf(id->text, sizeof(id->text), "%s", text);
	return 0;
}

/* The encoded identities: FQDNs and email addresses without case (RFC 4343). */
bool
cfg_ike_id_equal(const struct cfg_ike_id *a, const struct cfg_ike_id *b)
{
	struct ike_id x, y;
	bool text;

	if (a->type != b->type)
		return false;
	if (strcmp(a->text, b->text) == 0)
		return true;
	if (ike_id_from_string(&x, a->text) < 0 || ike_id_from_string(&y, b->text) < 0 ||
	    x.len != y.len)
		return false;
	text = a->type == CFG_IKE_ID_FQDN || a->type == CFG_IKE_ID_RFC822;
	return text ? strncasecmp((const char *)x.data, (const char *)y.data, x.len) == 0 :
	       memcmp(x.data, y.data, x.len) == 0;
}
