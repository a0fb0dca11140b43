/*
 * Names of the IKE configuration enums as they appear in the file, the
 * CLI and JSON: authentication methods (RFC 7296 §2.15, RFC 7427),
 * identity types (RFC 7296 §3.5), certificate sending (§3.6, §3.7),
 * uniqueness of IKE SAs, CHILD SA start/close and DPD actions (§2.4).
 */
#include <stdio.h>

#include "config/cfg_priv.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *const cfg_ike_auth_names[] = {
	[CFG_IKE_AUTH_PSK] = "psk", [CFG_IKE_AUTH_PUBKEY] = "pubkey", NULL
};

static const char *const id_type_names[] = {
	[CFG_IKE_ID_ANY] = "any",
	[CFG_IKE_ID_IPV4] = "ipv4",
	[CFG_IKE_ID_IPV6] = "ipv6",
	[CFG_IKE_ID_FQDN] = "fqdn",
	[CFG_IKE_ID_RFC822] = "rfc822",
	[CFG_IKE_ID_DN] = "dn",
	[CFG_IKE_ID_KEY_ID] = "keyid",
};

const char *const cfg_ike_send_cert_names[] = {
	[CFG_IKE_SEND_CERT_ALWAYS] = "always",
	[CFG_IKE_SEND_CERT_IFASKED] = "ifasked",
	[CFG_IKE_SEND_CERT_NEVER] = "never",
	NULL
};

const char *const cfg_ike_unique_names[] = {
	[CFG_IKE_UNIQUE_NO] = "no",
	[CFG_IKE_UNIQUE_NEVER] = "never",
	[CFG_IKE_UNIQUE_REPLACE] = "replace",
	[CFG_IKE_UNIQUE_KEEP] = "keep",
	NULL
};

const char *const cfg_ike_action_names[] = {
	[CFG_IKE_ACTION_NONE] = "none",
	[CFG_IKE_ACTION_START] = "start",
	[CFG_IKE_ACTION_TRAP] = "trap",
	NULL
};

const char *const cfg_ike_dpd_action_names[] = {
	[CFG_IKE_DPD_CLEAR] = "clear",
	[CFG_IKE_DPD_RESTART] = "restart",
	[CFG_IKE_DPD_TRAP] = "trap",
	NULL
};

static const char *
name_of(const char *const names[], size_t n, unsigned int v)
{
	return v < n && names[v] != NULL ? names[v] : "?";
}

const char *
cfg_ike_auth_name(enum cfg_ike_auth auth)
{
	return name_of(cfg_ike_auth_names, N_ELEMS(cfg_ike_auth_names), (unsigned int)auth);
}

const char *
cfg_ike_id_type_name(enum cfg_ike_id_type type)
{
	return name_of(id_type_names, N_ELEMS(id_type_names), (unsigned int)type);
}

const char *
cfg_ike_send_cert_name(enum cfg_ike_send_cert send)
{
	return name_of(cfg_ike_send_cert_names, N_ELEMS(cfg_ike_send_cert_names),
		       (unsigned int)send);
}

const char *
cfg_ike_unique_name(enum cfg_ike_unique unique)
{
	return name_of(cfg_ike_unique_names, N_ELEMS(cfg_ike_unique_names),
		       (unsigned int)unique);
}

const char *
cfg_ike_action_name(enum cfg_ike_action action)
{
	return name_of(cfg_ike_action_names, N_ELEMS(cfg_ike_action_names),
		       (unsigned int)action);
}

const char *
cfg_ike_dpd_action_name(enum cfg_ike_dpd_action action)
{
	return name_of(cfg_ike_dpd_action_names, N_ELEMS(cfg_ike_dpd_action_names),
		       (unsigned int)action);
}
