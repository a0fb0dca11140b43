/* Runtime configuration compiled from cfg_ike: proposals (RFC 7296 §3.3),
 * identities (§3.5), credentials (§2.15, RFC 7427), traffic selectors
 * (§3.13.1) and connection selection. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "ike/ike_cert.h"
#include "ike/ike_conf.h"
#include "ike/ike_id.h"
#include "ike/ike_proposal.h"
#include "ike/ike_ts_narrow.h"

enum { IKE_CONF_ICMP_SHIFT = 8 };   /* RFC 4301 §4.4.1.3: type in the high octet */

static int
conf_props(const char (*strs)[CFG_IKE_PROPOSAL_LEN], uint8_t n, uint8_t proto,
	   struct ike_proposal *out, char *err, size_t err_len)
{
	uint8_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = ike_proposal_parse(strs[i], proto, (uint8_t)(i + 1), &out[i], err, err_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
conf_id(const struct cfg_ike_id *cid, struct ike_id *id, char *err, size_t err_len)
{
	if (cid->text[0] == '\0' || cid->type == CFG_IKE_ID_ANY) {
		memset(id, 0, sizeof(*id));
		id->type = IKE_ID_ANY;
		return 0;
	}
	if (ike_id_from_string(id, cid->text) != 0) {
		snprintf(err, err_len, "identity '%s' does not parse", cid->text);
		return -EINVAL;
	}
	return 0;
}

static int
conf_creds(struct ike_conf_conn *cc, char *err, size_t err_len)
{
	const struct cfg_ike_conn *cfg = cc->cfg;
	uint8_t i;
	int rc;

	if (cfg->local.auth == CFG_IKE_AUTH_PUBKEY) {
		rc = ike_cert_load(cfg->local.cert, &cc->cert, err, err_len);
		if (rc == 0)
			rc = ike_cert_load_key(cfg->local.key, &cc->key, err, err_len);
		if (rc != 0)
			return rc;
	}
	if (cfg->remote.auth != CFG_IKE_AUTH_PUBKEY)
		return 0;
	cc->store = X509_STORE_new();
	if (cc->store == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->remote.n_cacerts; i++) {
		rc = ike_cert_store_add(cc->store, cfg->remote.cacerts[i], err, err_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
conf_conn(struct ike_conf_conn *cc, const struct cfg_ike_conn *cfg, char *err, size_t err_len)
{
	uint8_t i;
	int rc;

	cc->cfg = cfg;
	cc->n_props = cfg->n_proposals;
	rc = conf_props(cfg->proposals, cfg->n_proposals, IKE_PROTO_IKE, cc->props, err, err_len);
	if (rc == 0)
		rc = conf_id(&cfg->local.id, &cc->id_local, err, err_len);
	if (rc == 0)
		rc = conf_id(&cfg->remote.id, &cc->id_remote, err, err_len);
	for (i = 0; rc == 0 && i < cfg->n_children; i++) {
		cc->children[i].cfg = &cfg->children[i];
		cc->children[i].n_esp = cfg->children[i].n_esp_proposals;
		rc = conf_props(cfg->children[i].esp_proposals, cc->children[i].n_esp,
				IKE_PROTO_ESP, cc->children[i].esp, err, err_len);
		ike_proposal_strip_dh(cc->children[i].esp, cc->children[i].n_esp);
	}
	if (rc == 0)
		rc = conf_creds(cc, err, err_len);
	return rc;
}

static int
conf_secrets(struct ike_conf *c, char *err, size_t err_len)
{
	const struct cfg_ike_secret *s;
	uint16_t i;
	uint8_t j;
	int rc;

	for (i = 0; i < c->cfg.n_secrets; i++) {
		s = &c->cfg.secrets[i];
		c->secrets[i].n_ids = s->n_ids;
		for (j = 0; j < s->n_ids; j++) {
			rc = conf_id(&s->ids[j], &c->secrets[i].ids[j], err, err_len);
			if (rc != 0)
				return rc;
		}
		c->secrets[i].len = s->psk_len;
		memcpy(c->secrets[i].psk, s->psk, s->psk_len);
	}
	OPENSSL_cleanse(c->cfg.secrets, sizeof(c->cfg.secrets));
	return 0;
}

struct ike_conf *
ike_conf_new(const struct cfg_ike *cfg, char *err, size_t err_len)
{
	struct ike_conf *c = calloc(1, sizeof(*c));
	uint8_t i;
	int rc;

	if (c == NULL) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	c->cfg = *cfg;
	rc = conf_secrets(c, err, err_len);
	for (i = 0; rc == 0 && i < c->cfg.n_connections; i++)
		rc = conf_conn(&c->conns[i], &c->cfg.connections[i], err, err_len);
	if (rc != 0) {
		ike_conf_free(c);
		return NULL;
	}
	return c;
}

void
ike_conf_free(struct ike_conf *c)
{
	uint8_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CFG_MAX_CONNECTIONS; i++) {
		X509_free(c->conns[i].cert);
		EVP_PKEY_free(c->conns[i].key);
		X509_STORE_free(c->conns[i].store);
	}
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

const struct ike_conf_conn *
ike_conf_find(const struct ike_conf *c, const char *name)
{
	uint8_t i;

	for (i = 0; i < c->cfg.n_connections; i++)
		if (strcmp(c->cfg.connections[i].name, name) == 0)
			return &c->conns[i];
	return NULL;
}

const struct ike_conf_child *
ike_conf_find_child(const struct ike_conf_conn *cc, const char *name)
{
	uint8_t i;

	for (i = 0; i < cc->cfg->n_children; i++)
		if (name == NULL || strcmp(cc->cfg->children[i].name, name) == 0)
			return &cc->children[i];
	return NULL;
}

bool
ike_conf_prefix_has(const struct cfg_prefix *p, const struct ike_addr *a)
{
	unsigned int bits = p->len, i;
	uint8_t mask;

	if (p->family != a->family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (p->addr.bytes[i] != a->ip[i])
			return false;
	if (bits == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - bits));
	return (p->addr.bytes[i] & mask) == (a->ip[i] & mask);
}

static bool
conn_addr_ok(const struct cfg_ike_conn *cfg, const struct ike_addr *local,
	     const struct ike_addr *remote)
{
	bool ok = cfg->n_local_addrs == 0;
	uint8_t i;

	for (i = 0; !ok && i < cfg->n_local_addrs; i++)
		ok = ike_conf_prefix_has(&cfg->local_addrs[i], local);
	if (!ok)
		return false;
	if (cfg->remote_any || cfg->n_remote_addrs == 0)
		return true;
	for (i = 0; i < cfg->n_remote_addrs; i++)
		if (ike_conf_prefix_has(&cfg->remote_addrs[i], remote))
			return true;
	return false;
}

const struct ike_conf_conn *
ike_conf_match_addr(const struct ike_conf *c, const struct ike_addr *local,
		    const struct ike_addr *remote, const struct ike_conf_conn *after)
{
	size_t i = after == NULL ? 0 : (size_t)(after - c->conns) + 1;

	for (; i < c->cfg.n_connections; i++)
		if (conn_addr_ok(c->conns[i].cfg, local, remote))
			return &c->conns[i];
	return NULL;
}

const struct ike_conf_conn *
ike_conf_match_ids(const struct ike_conf *c, const struct ike_addr *local,
		   const struct ike_addr *remote, const struct ike_id *idi,
		   const struct ike_id *idr)
{
	const struct ike_conf_conn *cc = NULL, *best = NULL;

	while ((cc = ike_conf_match_addr(c, local, remote, cc)) != NULL) {
		if (!ike_id_match(&cc->id_remote, idi))
			continue;
		if (idr != NULL && cc->id_local.type != IKE_ID_ANY &&
		    !ike_id_match(idr, &cc->id_local) && !ike_id_match(&cc->id_local, idr))
			continue;
		if (cc->id_remote.type != IKE_ID_ANY)
			return cc;
		if (best == NULL)
			best = cc;
	}
	return best;
}

static const struct ike_conf_secret *
psk_of(const struct ike_conf *c, const struct ike_id *id)
{
	uint16_t i;
	uint8_t j;

	if (id == NULL || id->type == IKE_ID_ANY)
		return NULL;
	for (i = 0; i < c->cfg.n_secrets; i++)
		for (j = 0; j < c->secrets[i].n_ids; j++)
			if (ike_id_match(&c->secrets[i].ids[j], id))
				return &c->secrets[i];
	return NULL;
}

const struct ike_conf_secret *
ike_conf_psk(const struct ike_conf *c, const struct ike_id *a, const struct ike_id *b)
{
	const struct ike_conf_secret *s = psk_of(c, a);

	return s != NULL ? s : psk_of(c, b);
}

static int
conf_one_ts(const struct cfg_ike_ts *t, const struct ike_addr *dyn, struct ike_ts *out)
{
	uint16_t lo = t->ts.port_lo, hi = t->ts.port_hi;

	if ((t->ts.proto == 1 || t->ts.proto == 58) && !(lo == 0 && hi == UINT16_MAX)) {
		lo = (uint16_t)(lo << IKE_CONF_ICMP_SHIFT);
		hi = (uint16_t)(hi << IKE_CONF_ICMP_SHIFT | 0xff);
	}
	if (t->dynamic)
		return ike_ts_from_addr(out, dyn, t->ts.proto, lo, hi);
	return ike_ts_from_range(out, t->ts.family, t->ts.addr_lo, t->ts.addr_hi, t->ts.proto,
				 lo, hi);
}

int
ike_conf_ts(const struct cfg_ike_ts *ts, uint8_t n, const struct ike_addr *dyn,
	    struct ike_ts_set *out)
{
	uint8_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n && out->n < IKE_TS_MAX; i++) {
		if (ts[i].dynamic && (dyn == NULL || dyn->family == 0))
			continue;
		if (conf_one_ts(&ts[i], dyn, &out->ts[out->n]) == 0)
			out->n++;
	}
	return out->n == 0 ? -ENOENT : 0;
}

int
ike_conf_local_id(const struct ike_conf_conn *cc, const struct ike_addr *local,
		  struct ike_id *out)
{
	if (cc->id_local.type != IKE_ID_ANY) {
		*out = cc->id_local;
		return 0;
	}
	if (cc->cert != NULL)
		return ike_cert_subject_id(cc->cert, out);
	memset(out, 0, sizeof(*out));
	out->type = local->family == AF_INET ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
	out->len = local->family == AF_INET ? 4 : 16;
	memcpy(out->data, local->ip, out->len);
	return 0;
}
