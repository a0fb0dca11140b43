/* The daemon's runtime configuration, compiled once from the validated
 * cfg_ike section (config/cfg.h, docs/config.md): per connection the IKE
 * proposals (RFC 7296 §3.3), identities (§3.5), credentials (PSK from
 * ike.secrets copied here, certificate, private key and CA store), per
 * CHILD SA the ESP proposals and traffic selectors (§3.13.1, "dynamic"
 * resolved per SA). Connection selection of a responder: by addresses at
 * IKE_SA_INIT, by identities at IKE_AUTH (§2.15). */
#ifndef IKE_CONF_H
#define IKE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "config/cfg.h"
#include "ike/ike_types.h"

struct ike_conf_child {
	const struct cfg_ike_child *cfg;
	uint8_t n_esp;
	struct ike_proposal esp[CFG_IKE_MAX_PROPOSALS];   /* D-H stripped (IKE_AUTH) */
};

struct ike_conf_conn {
	const struct cfg_ike_conn *cfg;
	uint8_t n_props;
	struct ike_proposal props[CFG_IKE_MAX_PROPOSALS];
	struct ike_id id_local;         /* IKE_ID_ANY: our address or cert subject */
	struct ike_id id_remote;        /* IKE_ID_ANY: any peer */
	X509 *cert;                     /* local pubkey */
	EVP_PKEY *key;
	X509_STORE *store;              /* remote pubkey: trust anchors */
	struct ike_conf_child children[CFG_MAX_CHILDREN];
};

struct ike_conf_secret {
	uint8_t n_ids;
	struct ike_id ids[CFG_IKE_MAX_SECRET_IDS];
	uint16_t len;
	uint8_t psk[CFG_IKE_PSK_MAX];
};

struct ike_conf {
	struct cfg_ike cfg;             /* a copy; its PSKs wiped (kept in secrets) */
	struct ike_conf_conn conns[CFG_MAX_CONNECTIONS];
	struct ike_conf_secret secrets[CFG_MAX_SECRETS];
};

/* Compile CFG; NULL with a message in ERR (nothing left allocated). */
struct ike_conf *ike_conf_new(const struct cfg_ike *cfg, char *err, size_t err_len);

/* Free credentials and wipe the secrets. NULL is a no-op. */
void ike_conf_free(struct ike_conf *c);

const struct ike_conf_conn *ike_conf_find(const struct ike_conf *c, const char *name);
const struct ike_conf_child *ike_conf_find_child(const struct ike_conf_conn *cc,
						 const char *name);

/* Responder at IKE_SA_INIT: the first connection (after AFTER, NULL: from
 * the start) whose local_addrs hold LOCAL and remote_addrs REMOTE. */
const struct ike_conf_conn *ike_conf_match_addr(const struct ike_conf *c,
						const struct ike_addr *local,
						const struct ike_addr *remote,
						const struct ike_conf_conn *after);

/* Responder at IKE_AUTH: among the connections matching the addresses, the
 * best whose remote id accepts IDI and whose local id fits IDR (NULL: no
 * IDr sent); a connection naming the peer's id beats a %any one. */
const struct ike_conf_conn *ike_conf_match_ids(const struct ike_conf *c,
					       const struct ike_addr *local,
					       const struct ike_addr *remote,
					       const struct ike_id *idi, const struct ike_id *idr);

/* The pre-shared key of identity A or, failing that, of B (NULL if none). */
const struct ike_conf_secret *ike_conf_psk(const struct ike_conf *c, const struct ike_id *a,
					   const struct ike_id *b);

/* Selectors of a CHILD SA end: "dynamic" ones become DYN (our outer
 * address, the peer's or its virtual IP); those of another family than
 * DYN's are skipped for dynamic only. -ENOENT when none is left. */
int ike_conf_ts(const struct cfg_ike_ts *ts, uint8_t n, const struct ike_addr *dyn,
		struct ike_ts_set *out);

/* Our identity for SA addresses LOCAL: the configured one, else our
 * certificate's subject (pubkey) or address (psk). */
int ike_conf_local_id(const struct ike_conf_conn *cc, const struct ike_addr *local,
		      struct ike_id *out);

/* Address in a cfg prefix (host or network). */
bool ike_conf_prefix_has(const struct cfg_prefix *p, const struct ike_addr *a);

#endif /* IKE_CONF_H */
