/* X.509 certificates for IKEv2 (RFC 7296 §3.6, §3.7, §2.15; RFC 4945 §3.1):
 * loading certificates, private keys (secret files) and CAs, chain
 * verification with OpenSSL's X509_STORE, identity-vs-certificate matching
 * and CERTREQ hashes. Rules in ike_cert.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike/ike_cert.h"
#include "ike/ike_id.h"
#include "ike/ike_secret_file.h"

enum {
	SUBJECT_TEXT_MAX = 256,
	SHA1_LEN = 20,
};

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The subject for messages, printed as an identity ("C=CH, O=x, CN=y"). */
static const char *
subject_text(X509 *cert, char *buf, size_t cap)
{
	struct ike_id id;

	if (ike_cert_subject_id(cert, &id) < 0 || ike_id_to_string(&id, buf, cap) < 0)
		snprintf(buf, cap, "(long subject)");
	return buf;
}

/* ---- loading ---- */

static int
open_file(const char *path, FILE **f, char *err, size_t errlen)
{
	int rc;

	*f = fopen(path, "re");
	if (*f == NULL) {
		rc = -errno;
		set_err(err, errlen, "cannot open '%s': %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

int
ike_cert_load(const char *path, X509 **out, char *err, size_t errlen)
{
	FILE *f;
	int rc = open_file(path, &f, err, errlen);

	*out = NULL;
	if (rc < 0)
		return rc;
	*out = PEM_read_X509(f, NULL, NULL, NULL);
	if (*out == NULL) {
		rewind(f);
		*out = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	ERR_clear_error();
	if (*out == NULL) {
		set_err(err, errlen, "'%s' holds no PEM or DER certificate", path);
		return -EBADMSG;
	}
	return 0;
}

/* Never prompt: encrypted keys fail to load. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

int
ike_cert_load_key(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	int fd = ike_secret_file_open(path, err, errlen);
	FILE *f;

	*out = NULL;
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (f == NULL) {
		int rc = -errno;

		close(fd);
		set_err(err, errlen, "cannot read '%s': %s", path, strerror(-rc));
		return rc;
	}
	setvbuf(f, NULL, _IONBF, 0);    /* no copy of the key in a stdio buffer */
	*out = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	if (*out == NULL) {
		rewind(f);
		*out = d2i_PrivateKey_fp(f, NULL);
	}
	fclose(f);
	ERR_clear_error();
	if (*out == NULL) {
		set_err(err, errlen, "'%s' holds no private key (PEM or DER; encrypted keys "
			"are not supported)", path);
		return -EBADMSG;
	}
	return 0;
}

static int
store_add_one(X509_STORE *store, X509 *ca, const char *path, char *err, size_t errlen)
{
	char subj[SUBJECT_TEXT_MAX];

	if (X509_check_ca(ca) == 0) {
		set_err(err, errlen, "certificate '%s' in '%s' is not a CA certificate",
			subject_text(ca, subj, sizeof(subj)), path);
		return -EINVAL;
	}
	if (X509_STORE_add_cert(store, ca) != 1) {
		set_err(err, errlen, "cannot add CA certificate from '%s'", path);
		return -ENOMEM;
	}
	return 0;
}

int
ike_cert_store_add(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	X509 *ca;
	FILE *f;
	int n = 0, rc = open_file(path, &f, err, errlen);

	if (rc < 0)
		return rc;
	while (rc == 0 && (ca = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		rc = store_add_one(store, ca, path, err, errlen);
		X509_free(ca);
		n++;
	}
	if (rc == 0 && n == 0) {
		rewind(f);
		ca = d2i_X509_fp(f, NULL);
		rc = ca != NULL ? store_add_one(store, ca, path, err, errlen) : -EBADMSG;
		X509_free(ca);
		if (ca == NULL)
			set_err(err, errlen, "'%s' holds no PEM or DER certificate", path);
	}
	fclose(f);
	ERR_clear_error();
	return rc;
}

/* ---- verification ---- */

/* Exactly one DER certificate in the chunk. */
static X509 *
cert_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > IKE_MSG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p != der + len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
chain_from_der(const struct ike_chunk *chain, size_t n, STACK_OF(X509) *untrusted,
	       char *err, size_t errlen)
{
	if (n > IKE_CERT_CHAIN_MAX) {
		set_err(err, errlen, "%zu intermediate certificates (at most %d)", n,
			IKE_CERT_CHAIN_MAX);
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		X509 *x = cert_from_der(chain[i].ptr, chain[i].len);

		if (x == NULL || sk_X509_push(untrusted, x) <= 0) {
			X509_free(x);
			set_err(err, errlen, "intermediate certificate %zu does not parse", i + 1);
			return -EBADMSG;
		}
	}
	return 0;
}

static int
chain_verify(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted, time_t now,
	     char *err, size_t errlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char subj[SUBJECT_TEXT_MAX];
	X509_VERIFY_PARAM *vp;
	int rc = -ENOMEM;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, store, cert, untrusted) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	if (now != 0)
		X509_VERIFY_PARAM_set_time(vp, now);
	rc = 0;
	if (X509_verify_cert(ctx) != 1) {
		set_err(err, errlen, "certificate '%s' not accepted: %s",
			subject_text(cert, subj, sizeof(subj)),
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		rc = -EKEYREJECTED;
	}
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* keyUsage, when present, must allow digitalSignature (RFC 5280 §4.2.1.3). */
static int
key_usage_check(X509 *cert, char *err, size_t errlen)
{
	char subj[SUBJECT_TEXT_MAX];

	if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) != 0)
		return 0;
	set_err(err, errlen, "certificate '%s' not accepted: its key usage does not allow "
		"digitalSignature", subject_text(cert, subj, sizeof(subj)));
	return -EPERM;
}

int
ike_cert_verify(X509_STORE *store, const uint8_t *der, size_t len,
		const struct ike_chunk *chain, size_t n_chain, time_t now, X509 **leaf,
		char *err, size_t errlen)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *cert = cert_from_der(der, len);
	int rc = -ENOMEM;

	if (leaf != NULL)
		*leaf = NULL;
	if (cert == NULL) {
		set_err(err, errlen, "end-entity certificate does not parse");
		rc = -EBADMSG;
		goto out;
	}
	if (untrusted == NULL)
		goto out;
	rc = chain_from_der(chain, n_chain, untrusted, err, errlen);
	if (rc == 0)
		rc = chain_verify(store, cert, untrusted, now, err, errlen);
	if (rc == 0)
		rc = key_usage_check(cert, err, errlen);
	if (rc == 0 && leaf != NULL) {
		*leaf = cert;
		cert = NULL;
	}
out:
	X509_free(cert);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return rc;
}

/* ---- identities ---- */

int
ike_cert_subject_id(X509 *cert, struct ike_id *id)
{
	unsigned char *der = NULL;
	int len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
	int rc;

	if (len <= 0)
		return -EINVAL;
	rc = ike_id_set(id, IKE_ID_DER_ASN1_DN, der, (size_t)len);
	OPENSSL_free(der);
	return rc;
}

/* The subjectAltName entry GEN as an identity of the same type as ID. */
static bool
san_as_id(const GENERAL_NAME *gen, struct ike_id *san)
{
	const ASN1_STRING *s;
	uint8_t type;
	int gtype;

	s = GENERAL_NAME_get0_value(gen, &gtype);
	switch (gtype) {
	case GEN_DNS:
		type = IKE_ID_FQDN;
		break;
	case GEN_EMAIL:
		type = IKE_ID_RFC822_ADDR;
		break;
	case GEN_IPADD:
		type = ASN1_STRING_length(s) == 4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		break;
	default:
		return false;
	}
	return ike_id_set(san, type, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s)) == 0;
}

static bool
san_matches(X509 *cert, const struct ike_id *id)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	struct ike_id san;
	bool match = false;

	for (int i = 0; !match && i < sk_GENERAL_NAME_num(gens); i++)
		match = san_as_id(sk_GENERAL_NAME_value(gens, i), &san) &&
			ike_id_match(id, &san);
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return match;
}

static bool
keyid_matches(X509 *cert, const struct ike_id *id)
{
	uint8_t h[SHA1_LEN];
	unsigned int n = 0;

	if (id->len != SHA1_LEN)
		return false;
	if (ike_cert_keyid(cert, h) == 0 && memcmp(h, id->data, SHA1_LEN) == 0)
		return true;
	return X509_pubkey_digest(cert, EVP_sha1(), h, &n) == 1 && n == SHA1_LEN &&
	       memcmp(h, id->data, SHA1_LEN) == 0;
}

bool
ike_cert_matches_id(X509 *cert, const struct ike_id *id)
{
	switch (id->type) {
	case IKE_ID_ANY:
		return true;
	case IKE_ID_DER_ASN1_DN:
		return ike_id_match_name(id, X509_get_subject_name(cert));
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		return san_matches(cert, id);
	case IKE_ID_KEY_ID:
		return keyid_matches(cert, id);
	default:
		return false;
	}
}

int
ike_cert_der(X509 *cert, uint8_t *out, size_t cap, size_t *len)
{
	unsigned char *q = out;
	int n = i2d_X509(cert, NULL);

	if (n <= 0)
		return -EINVAL;
	if ((size_t)n > cap)
		return -ENOSPC;
	if (i2d_X509(cert, &q) != n)
		return -EIO;
	*len = (size_t)n;
	return 0;
}

/* ---- CERTREQ (RFC 7296 §3.7) ---- */

int
ike_cert_keyid(X509 *cert, uint8_t out[IKE_CERTREQ_HASH_LEN])
{
	unsigned char *der = NULL;
	unsigned int n = 0;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	int rc = -EIO;

	if (len > 0 && EVP_Digest(der, (size_t)len, out, &n, EVP_sha1(), NULL) == 1 &&
	    n == IKE_CERTREQ_HASH_LEN)
		rc = 0;
	OPENSSL_free(der);
	return rc;
}

int
ike_cert_certreq_data(X509_STORE *store, uint8_t *out, size_t cap, size_t *len)
{
	STACK_OF(X509_OBJECT) *objs;
	size_t off = 0;
	int rc = 0;

	if (X509_STORE_lock(store) != 1)
		return -EIO;
	objs = X509_STORE_get0_objects(store);
	for (int i = 0; rc == 0 && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (ca == NULL)
			continue;
		if (cap - off < IKE_CERTREQ_HASH_LEN)
			rc = -ENOSPC;
		else
			rc = ike_cert_keyid(ca, out + off);
		off += rc == 0 ? IKE_CERTREQ_HASH_LEN : 0;
	}
	X509_STORE_unlock(store);
	if (rc == 0)
		*len = off;
	return rc;
}

bool
ike_cert_certreq_wants(const uint8_t *data, size_t len, X509 *ca)
{
	uint8_t h[IKE_CERTREQ_HASH_LEN];

	if (len == 0 || len % IKE_CERTREQ_HASH_LEN != 0 || ike_cert_keyid(ca, h) < 0)
		return false;
	for (size_t off = 0; off < len; off += IKE_CERTREQ_HASH_LEN)
		if (memcmp(data + off, h, IKE_CERTREQ_HASH_LEN) == 0)
			return true;
	return false;
}
