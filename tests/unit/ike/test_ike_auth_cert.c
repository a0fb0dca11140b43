/*
 * Unit tests of certificates and secret files for IKEv2 authentication
 * (ike/ike_cert.c, ike/ike_secret_file.c; RFC 7296 §3.6, §3.7):
 *  - secret files: mode 600 accepted; 644/640/604/620, a directory and a
 *    missing file refused with a message naming the path;
 *  - loading certificates (PEM, DER) and keys (PEM, DER; world-readable and
 *    encrypted keys refused), CA files (bundles; non-CA refused);
 *  - chain verification against the test PKI (make-pki.sh) at fixed times:
 *    direct and via an intermediate, a configured intermediate as anchor,
 *    foreign CA, expired, not yet valid, no digitalSignature, bad signature,
 *    malformed DER, too many intermediates;
 *  - identity vs certificate: DN (case, string types, wildcard), FQDN,
 *    RFC822 and IP in subjectAltName only, KEY_ID, mismatches;
 *  - CERTREQ hashes against SHA-1 digests of the CAs' SubjectPublicKeyInfo
 *    computed with the openssl CLI (values below belong to the committed
 *    PKI: re-running make-pki.sh means updating them).
 * argv[1]: the fixture directory tests/vectors/ike/pki. Keys are copied to
 * a temporary directory and chmod'ed there (git does not keep modes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ike/ike_cert.h"
#include "ike/ike_id.h"
#include "ike/ike_secret_file.h"
#include "tests/unit/cu_run.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum {
	PATH_LEN = 512,
	ERR_LEN = 512,
	DER_MAX = 4096,
	HOUR = 3600,
};

/* 2030-01-01 00:00:00 UTC: inside the good certificates' validity */
static const time_t t_good = 1893456000;
/* 2020-01-01 00:00:00 UTC: before every certificate */
static const time_t t_old = 1577836800;

/* sha1(SubjectPublicKeyInfo DER), from
 * openssl x509 -in X.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha1sum */
static const char keyid_ca[] = "1239de0550f43e2d619739d993a3e87dc66986e5";
static const char keyid_int[] = "9ff016d6c15c2d85e71f72764f134d881fb9ba7a";
static const char keyid_foreign[] = "4c1258cb0e7ae8177039b3c5c71e3512f2b46a98";

static const char *pki_dir = "tests/vectors/ike/pki";
static char tmp_dir[] = "/tmp/test_ike_auth_cert.XXXXXX";

/* ---- helpers ---- */

static void
unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; i < strlen(hex) / 2; i++) {
		unsigned int b;

		CU_ASSERT_FATAL(sscanf(hex + 2 * i, "%2x", &b) == 1);
		out[i] = (uint8_t)b;
	}
}

static const char *
fixture(const char *name, char *buf)
{
	snprintf(buf, PATH_LEN, "%s/%s", pki_dir, name);
	return buf;
}

static const char *
tmp_path(const char *name, char *buf)
{
	snprintf(buf, PATH_LEN, "%s/%s", tmp_dir, name);
	return buf;
}

/* Copy fixture NAME to the temporary directory as AS with MODE. */
static const char *
copy_mode(const char *name, const char *as, mode_t mode, char *buf)
{
	char src[PATH_LEN], data[DER_MAX];
	size_t n;
	FILE *in, *out;

	in = fopen(fixture(name, src), "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	n = fread(data, 1, sizeof(data), in);
	fclose(in);
	unlink(tmp_path(as, buf));      /* a 0400 copy is not writable for non-root */
	out = fopen(buf, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(fwrite(data, 1, n, out), n);
	fclose(out);
	CU_ASSERT_EQUAL_FATAL(chmod(buf, mode), 0);
	return buf;
}

static X509 *
load_cert(const char *name)
{
	char path[PATH_LEN], err[ERR_LEN];
	X509 *x = NULL;

	CU_ASSERT_EQUAL_FATAL(ike_cert_load(fixture(name, path), &x, err, sizeof(err)), 0);
	return x;
}

static size_t
cert_der(const char *name, uint8_t *out)
{
	X509 *x = load_cert(name);
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(ike_cert_der(x, out, DER_MAX, &len), 0);
	X509_free(x);
	return len;
}

static X509_STORE *
store_of(const char *const *files, size_t n)
{
	X509_STORE *st = X509_STORE_new();
	char path[PATH_LEN], err[ERR_LEN];

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(ike_cert_store_add(st, fixture(files[i], path), err,
							 sizeof(err)), 0);
	return st;
}

/* ---- secret files ---- */

struct mode_row {
	mode_t mode;
	int rc;
	const char *text;       /* in the message */
};

static const struct mode_row mode_rows[] = {
	{ 0600, 0, NULL },
	{ 0400, 0, NULL },
	{ 0644, -EPERM, "(mode 0644): chmod 600 it" },
	{ 0640, -EPERM, "(mode 0640)" },
	{ 0604, -EPERM, "(mode 0604)" },
	{ 0620, -EPERM, "(mode 0620)" },
	{ 0601, -EPERM, "(mode 0601)" },
};

static void
test_secret_file_modes(void)
{
	char path[PATH_LEN], err[ERR_LEN];

	for (size_t i = 0; i < N_ELEMS(mode_rows); i++) {
		const struct mode_row *r = &mode_rows[i];
		int rc;

		copy_mode("carol.key", "mode.key", r->mode, path);
		err[0] = '\0';
		rc = ike_secret_file_check(path, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, r->rc);
		if (r->text == NULL)
			continue;
		CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, r->text));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "accessible by group or others"));
	}
	CU_ASSERT_EQUAL(ike_secret_file_check(tmp_path("missing.key", path), err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_EQUAL(ike_secret_file_check(tmp_dir, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	CU_ASSERT_EQUAL(ike_secret_file_check(tmp_dir, NULL, 0), -EINVAL);
}

static void
test_load_key(void)
{
	char path[PATH_LEN], err[ERR_LEN];
	EVP_PKEY *k = NULL, *k2 = NULL;
	FILE *f;

	CU_ASSERT_EQUAL(ike_cert_load_key(copy_mode("moon.key", "moon.key", 0600, path), &k, err,
					  sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_TRUE(EVP_PKEY_is_a(k, "RSA"));
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(k), 3072);

	/* world-readable: refused, the message names the file */
	CU_ASSERT_EQUAL(ike_cert_load_key(copy_mode("carol.key", "open.key", 0644, path), &k2,
					  err, sizeof(err)), -EPERM);
	CU_ASSERT_PTR_NULL(k2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0644"));

	/* DER key */
	f = fopen(tmp_path("moon.der", path), "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(i2d_PrivateKey_fp(f, k), 1);
	fclose(f);
	chmod(path, 0600);
	CU_ASSERT_EQUAL(ike_cert_load_key(path, &k2, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k, k2), 1);
	EVP_PKEY_free(k2);

	/* encrypted: refused without prompting */
	f = fopen(tmp_path("enc.key", path), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(PEM_write_PKCS8PrivateKey(f, k, EVP_aes_128_cbc(), "secret", 6, NULL,
						  NULL), 1);
	fclose(f);
	chmod(path, 0600);
	CU_ASSERT_EQUAL(ike_cert_load_key(path, &k2, err, sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "encrypted keys are not supported"));

	/* not a key */
	CU_ASSERT_EQUAL(ike_cert_load_key(copy_mode("moon.pem", "cert.key", 0600, path), &k2, err,
					  sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	EVP_PKEY_free(k);
}

static void
test_load_cert(void)
{
	char path[PATH_LEN], err[ERR_LEN];
	uint8_t der[DER_MAX];
	X509 *x = NULL, *y = NULL;
	size_t len;
	FILE *f;

	x = load_cert("moon.pem");
	len = cert_der("moon.pem", der);
	f = fopen(tmp_path("moon.cer", path), "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(der, 1, len, f), len);
	fclose(f);
	CU_ASSERT_EQUAL(ike_cert_load(path, &y, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(X509_cmp(x, y), 0);
	CU_ASSERT_EQUAL(ike_cert_der(x, der, 100, &len), -ENOSPC);
	X509_free(y);
	X509_free(x);
	CU_ASSERT_EQUAL(ike_cert_load(fixture("moon.key", path), &y, err, sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NULL(y);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_EQUAL(ike_cert_load(fixture("nothere.pem", path), &y, err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
}

static void
test_store(void)
{
	char path[PATH_LEN], err[ERR_LEN], bundle[PATH_LEN];
	X509_STORE *st = X509_STORE_new();
	char data[2 * DER_MAX];
	size_t n = 0;
	FILE *in, *out;

	CU_ASSERT_EQUAL(ike_cert_store_add(st, fixture("moon.pem", path), err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not a CA certificate"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CN=moon.example.org"));
	CU_ASSERT_EQUAL(ike_cert_store_add(st, fixture("ca.key", path), err, sizeof(err)),
			-EBADMSG);
	X509_STORE_free(st);

	/* a bundle of two PEM CAs */
	out = fopen(tmp_path("bundle.pem", bundle), "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (int i = 0; i < 2; i++) {
		in = fopen(fixture(i == 0 ? "ca.pem" : "int.pem", path), "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(in);
		n = fread(data, 1, sizeof(data), in);
		fclose(in);
		CU_ASSERT_EQUAL(fwrite(data, 1, n, out), n);
	}
	fclose(out);
	st = X509_STORE_new();
	CU_ASSERT_EQUAL(ike_cert_store_add(st, bundle, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ike_cert_certreq_data(st, (uint8_t *)data, sizeof(data), &n), 0);
	CU_ASSERT_EQUAL(n, 2 * IKE_CERTREQ_HASH_LEN);
	X509_STORE_free(st);
}

/* ---- chain verification ---- */

struct chain_row {
	const char *leaf;
	const char *chain;      /* one intermediate, or NULL */
	const char *const *cas;
	size_t n_cas;
	time_t now;
	int rc;
	const char *text;       /* in the message */
};

static const char *const root[] = { "ca.pem" };
static const char *const inter_only[] = { "int.pem" };
static const char *const foreign[] = { "foreign-ca.pem" };
static const char *const both[] = { "ca.pem", "foreign-ca.pem" };

static const struct chain_row chain_rows[] = {
	{ "moon.pem", NULL, root, 1, t_good, 0, NULL },
	{ "dave.pem", NULL, root, 1, t_good, 0, NULL },
	{ "sun.pem", NULL, root, 1, t_good, 0, NULL },
	{ "venus.pem", NULL, root, 1, t_good, 0, NULL },
	{ "moon.pem", NULL, root, 1, 0, 0, NULL },
	{ "carol.pem", "int.pem", root, 1, t_good, 0, NULL },
	{ "carol.pem", NULL, root, 1, t_good, -EKEYREJECTED, "unable to get local issuer" },
	{ "carol.pem", NULL, inter_only, 1, t_good, 0, NULL },
	{ "moon.pem", NULL, inter_only, 1, t_good, -EKEYREJECTED, "CN=moon.example.org" },
	{ "mallory.pem", NULL, root, 1, t_good, -EKEYREJECTED,
	  "certificate 'C=CH, O=hagw test, CN=moon.example.org' not accepted: unable to get" },
	{ "mallory.pem", NULL, foreign, 1, t_good, 0, NULL },
	{ "moon.pem", NULL, foreign, 1, t_good, -EKEYREJECTED, "unable to get local issuer" },
	{ "mallory.pem", NULL, both, 2, t_good, 0, NULL },
	{ "expired.pem", NULL, root, 1, t_good, -EKEYREJECTED, "certificate has expired" },
	{ "moon.pem", NULL, root, 1, t_old, -EKEYREJECTED, "is not yet valid" },
	{ "carol.pem", "int.pem", root, 1, t_old, -EKEYREJECTED, "is not yet valid" },
	{ "nods.pem", NULL, root, 1, t_good, -EPERM, "does not allow digitalSignature" },
};

static int
verify_row(const struct chain_row *r, char *err)
{
	uint8_t der[DER_MAX], inter[DER_MAX];
	struct ike_chunk chain = { .ptr = inter };
	X509_STORE *st = store_of(r->cas, r->n_cas);
	X509 *leaf = NULL;
	size_t len = cert_der(r->leaf, der);
	int rc;

	if (r->chain != NULL)
		chain.len = cert_der(r->chain, inter);
	err[0] = '\0';
	rc = ike_cert_verify(st, der, len, &chain, r->chain != NULL ? 1 : 0, r->now, &leaf, err,
			     ERR_LEN);
	CU_ASSERT_EQUAL(rc == 0, leaf != NULL);
	X509_free(leaf);
	X509_STORE_free(st);
	return rc;
}

static void
test_chain_table(void)
{
	char err[ERR_LEN];

	for (size_t i = 0; i < N_ELEMS(chain_rows); i++) {
		const struct chain_row *r = &chain_rows[i];
		int rc = verify_row(r, err);

		CU_ASSERT_EQUAL(rc, r->rc);
		if (r->text != NULL)
			CU_ASSERT_PTR_NOT_NULL(strstr(err, r->text));
		if (rc != r->rc || (r->text != NULL && strstr(err, r->text) == NULL))
			fprintf(stderr, "chain row %zu: rc %d '%s'\n", i, rc, err);
	}
}

static time_t
not_before(X509 *x)
{
	struct tm tm;

	CU_ASSERT_EQUAL_FATAL(ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm), 1);
	return timegm(&tm);
}

/* The expired certificate verifies inside its one-day window. */
static void
test_chain_expired_window(void)
{
	static const char *const cas[] = { "ca.pem" };
	X509 *x = load_cert("expired.pem");
	struct chain_row r = { "expired.pem", NULL, cas, 1, not_before(x) + HOUR, 0, NULL };
	char err[ERR_LEN];

	CU_ASSERT_EQUAL(verify_row(&r, err), 0);
	r.now = not_before(x) + 25 * HOUR;
	CU_ASSERT_EQUAL(verify_row(&r, err), -EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate has expired"));
	X509_free(x);
}

static void
test_chain_malformed(void)
{
	static const char *const cas[] = { "ca.pem" };
	uint8_t der[DER_MAX + 1], inter[DER_MAX];
	struct ike_chunk chain[IKE_CERT_CHAIN_MAX + 1];
	X509_STORE *st = store_of(cas, 1);
	size_t len = cert_der("moon.pem", der), ilen = cert_der("int.pem", inter);
	char err[ERR_LEN];

	for (size_t i = 0; i < N_ELEMS(chain); i++)
		chain[i] = (struct ike_chunk){ .ptr = inter, .len = ilen };
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len, NULL, 0, t_good, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len, chain, IKE_CERT_CHAIN_MAX, t_good, NULL,
					err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len, chain, IKE_CERT_CHAIN_MAX + 1, t_good, NULL,
					err, sizeof(err)), -E2BIG);
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len - 1, NULL, 0, t_good, NULL, err,
					sizeof(err)), -EBADMSG);
	der[len] = 0;
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len + 1, NULL, 0, t_good, NULL, err,
					sizeof(err)), -EBADMSG);
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, 0, NULL, 0, t_good, NULL, err, sizeof(err)),
			-EBADMSG);
	chain[0].len = ilen - 3;
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len, chain, 1, t_good, NULL, err, sizeof(err)),
			-EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "intermediate certificate 1"));
	/* last octet of the signature changed */
	der[len - 1] ^= 0x01;
	CU_ASSERT_EQUAL(ike_cert_verify(st, der, len, NULL, 0, t_good, NULL, err, sizeof(err)),
			-EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "signature failure"));
	X509_STORE_free(st);
}

/* ---- identity vs certificate ---- */

struct id_row {
	const char *cert;
	const char *id;
	bool match;
};

static const struct id_row id_rows[] = {
	{ "moon.pem", "moon.example.org", true },
	{ "moon.pem", "MOON.Example.org", true },
	{ "moon.pem", "*.example.org", true },
	{ "moon.pem", "sun.example.org", false },
	{ "moon.pem", "192.0.2.1", true },
	{ "moon.pem", "192.0.2.2", false },
	{ "moon.pem", "2001:db8::1", true },
	{ "moon.pem", "2001:db8::2", false },
	{ "moon.pem", "C=CH, O=hagw test, CN=moon.example.org", true },
	{ "moon.pem", "c=ch, o=HAGW TEST, cn=Moon.Example.Org", true },
	{ "moon.pem", "C=CH, O=hagw test, CN=*", true },
	{ "moon.pem", "C=CH, O=other, CN=moon.example.org", false },
	{ "moon.pem", "CN=moon.example.org", false },
	{ "moon.pem", "moon@example.org", false },
	{ "moon.pem", "%any", true },
	{ "carol.pem", "carol@example.org", true },
	{ "carol.pem", "*@example.org", true },
	{ "carol.pem", "dave@example.org", false },
	{ "carol.pem", "C=CH, O=hagw test, CN=carol@example.org", true },
	{ "carol.pem", "fqdn:carol@example.org", false },  /* CN does not count */
	{ "carol.pem", "example.org", false },
	{ "dave.pem", "dave@example.org", true },
	{ "sun.pem", "carol@example.org", false },
	{ "sun.pem", "sun.example.org", true },
	{ "mallory.pem", "moon.example.org", true },       /* matching is not trust */
};

static void
test_id_table(void)
{
	for (size_t i = 0; i < N_ELEMS(id_rows); i++) {
		X509 *x = load_cert(id_rows[i].cert);
		struct ike_id id;

		CU_ASSERT_EQUAL_FATAL(ike_id_from_string(&id, id_rows[i].id), 0);
		CU_ASSERT_EQUAL(ike_cert_matches_id(x, &id), id_rows[i].match);
		if (ike_cert_matches_id(x, &id) != id_rows[i].match)
			fprintf(stderr, "id row %zu: %s %s\n", i, id_rows[i].cert, id_rows[i].id);
		X509_free(x);
	}
}

static void
test_id_keyid_subject(void)
{
	X509 *moon = load_cert("moon.pem"), *ca = load_cert("ca.pem");
	struct ike_id id = { .type = IKE_ID_KEY_ID, .len = IKE_CERTREQ_HASH_LEN };
	char text[IKE_ID_TEXT_MAX];
	unsigned int n = 0;

	CU_ASSERT_EQUAL(ike_cert_keyid(moon, id.data), 0);
	CU_ASSERT_TRUE(ike_cert_matches_id(moon, &id));
	CU_ASSERT_FALSE(ike_cert_matches_id(ca, &id));
	CU_ASSERT_EQUAL(X509_pubkey_digest(moon, EVP_sha1(), id.data, &n), 1);
	CU_ASSERT_TRUE(ike_cert_matches_id(moon, &id));
	id.len = 19;
	CU_ASSERT_FALSE(ike_cert_matches_id(moon, &id));

	CU_ASSERT_EQUAL(ike_cert_subject_id(moon, &id), 0);
	CU_ASSERT_EQUAL(id.type, IKE_ID_DER_ASN1_DN);
	CU_ASSERT_EQUAL(ike_id_to_string(&id, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "C=CH, O=hagw test, CN=moon.example.org");
	CU_ASSERT_TRUE(ike_cert_matches_id(moon, &id));
	X509_free(moon);
	X509_free(ca);
}

/* ---- CERTREQ ---- */

static void
test_certreq(void)
{
	static const char *const cas[] = { "ca.pem", "int.pem" };
	X509 *ca = load_cert("ca.pem"), *inter = load_cert("int.pem");
	X509 *fca = load_cert("foreign-ca.pem");
	uint8_t h[IKE_CERTREQ_HASH_LEN], want[3 * IKE_CERTREQ_HASH_LEN], data[64];
	X509_STORE *st = store_of(cas, 2), *empty = X509_STORE_new();
	size_t len = 0;

	CU_ASSERT_EQUAL(ike_cert_keyid(ca, h), 0);
	unhex(keyid_ca, want);
	CU_ASSERT_EQUAL(memcmp(h, want, sizeof(h)), 0);
	CU_ASSERT_EQUAL(ike_cert_keyid(inter, h), 0);
	unhex(keyid_int, want);
	CU_ASSERT_EQUAL(memcmp(h, want, sizeof(h)), 0);

	CU_ASSERT_EQUAL(ike_cert_certreq_data(st, data, sizeof(data), &len), 0);
	CU_ASSERT_EQUAL(len, 2 * IKE_CERTREQ_HASH_LEN);
	CU_ASSERT_TRUE(ike_cert_certreq_wants(data, len, ca));
	CU_ASSERT_TRUE(ike_cert_certreq_wants(data, len, inter));
	CU_ASSERT_FALSE(ike_cert_certreq_wants(data, len, fca));
	CU_ASSERT_EQUAL(ike_cert_certreq_data(st, data, 39, &len), -ENOSPC);
	CU_ASSERT_EQUAL(ike_cert_certreq_data(empty, data, sizeof(data), &len), 0);
	CU_ASSERT_EQUAL(len, 0);

	/* a peer asking for the foreign CA and our root */
	unhex(keyid_foreign, want);
	unhex(keyid_ca, want + IKE_CERTREQ_HASH_LEN);
	CU_ASSERT_TRUE(ike_cert_certreq_wants(want, 2 * IKE_CERTREQ_HASH_LEN, ca));
	CU_ASSERT_TRUE(ike_cert_certreq_wants(want, 2 * IKE_CERTREQ_HASH_LEN, fca));
	CU_ASSERT_FALSE(ike_cert_certreq_wants(want, 2 * IKE_CERTREQ_HASH_LEN, inter));
	CU_ASSERT_FALSE(ike_cert_certreq_wants(want, IKE_CERTREQ_HASH_LEN, ca));
	CU_ASSERT_FALSE(ike_cert_certreq_wants(want, 2 * IKE_CERTREQ_HASH_LEN - 1, ca));
	CU_ASSERT_FALSE(ike_cert_certreq_wants(want, 0, ca));
	X509_STORE_free(st);
	X509_STORE_free(empty);
	X509_free(ca);
	X509_free(inter);
	X509_free(fca);
}

static int
cleanup_tmp(void)
{
	static const char *const names[] = {
		"mode.key", "moon.key", "open.key", "moon.der", "enc.key", "cert.key",
		"moon.cer", "bundle.pem",
	};
	char path[PATH_LEN];

	for (size_t i = 0; i < N_ELEMS(names); i++)
		unlink(tmp_path(names[i], path));
	return rmdir(tmp_dir);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	unsigned int failures;

	if (argc > 1)
		pki_dir = argv[1];
	if (mkdtemp(tmp_dir) == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_cert", NULL, NULL);
	CU_add_test(s, "secret file modes", test_secret_file_modes);
	CU_add_test(s, "load keys", test_load_key);
	CU_add_test(s, "load certificates", test_load_cert);
	CU_add_test(s, "CA store", test_store);
	CU_add_test(s, "chain table", test_chain_table);
	CU_add_test(s, "expired window", test_chain_expired_window);
	CU_add_test(s, "malformed chains", test_chain_malformed);
	CU_add_test(s, "identity vs certificate", test_id_table);
	CU_add_test(s, "KEY_ID and subject", test_id_keyid_subject);
	CU_add_test(s, "CERTREQ", test_certreq);
	failures = cu_run_count();
	if (cleanup_tmp() != 0)
		failures++;
	return cu_exit_status(failures);
}
