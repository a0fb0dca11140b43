/*
 * Unit tests of IKEv2 identities (ike/ike_id.c, RFC 7296 §3.5): the
 * configuration-string table (strongSwan's rules: FQDN, "@fqdn", RFC822,
 * "@@user", IPv4/IPv6, DN with exact DER, KEY_ID, prefixes, %any, errors),
 * printing, validation of received identities, the IDx' body, and matching
 * (exact, case, %any, "*.example.org" / "*@example.org" wildcards, DNs via
 * X509_NAME_cmp with other string types and case, "CN=*" RDN wildcards).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/x509.h>

#include "ike/ike_id.h"
#include "tests/unit/cu_run.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum { HEX_MAX = 2 * IKE_ID_MAX + 1 };

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	CU_ASSERT_FATAL(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		CU_ASSERT_FATAL(sscanf(hex + 2 * i, "%2x", &b) == 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static void
tohex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* ---- parsing table ---- */

#define DN_MOON "3040310b300906035504061302434831133011060355040a130a7374726f6e675377616e" \
	"311c301a060355040313136d6f6f6e2e7374726f6e677377616e2e6f7267"
#define DN_MOON_TEXT "C=CH, O=strongSwan, CN=moon.strongswan.org"

struct parse_row {
	const char *text;
	int rc;
	uint8_t type;
	const char *hex;        /* expected data */
	const char *printed;    /* NULL: same as text */
};

static const struct parse_row parse_rows[] = {
	{ "moon.example.org", 0, IKE_ID_FQDN, "6d6f6f6e2e6578616d706c652e6f7267", NULL },
	{ "@moon.example.org", 0, IKE_ID_FQDN, "6d6f6f6e2e6578616d706c652e6f7267",
	  "moon.example.org" },
	{ "carol@example.org", 0, IKE_ID_RFC822_ADDR, "6361726f6c406578616d706c652e6f7267", NULL },
	{ "@@carol", 0, IKE_ID_RFC822_ADDR, "6361726f6c", "carol" },
	{ "10.0.0.1", 0, IKE_ID_IPV4_ADDR, "0a000001", NULL },
	{ "fd00::1", 0, IKE_ID_IPV6_ADDR, "fd000000000000000000000000000001", NULL },
	{ "fd00:0:0::0001", 0, IKE_ID_IPV6_ADDR, "fd000000000000000000000000000001", "fd00::1" },
	{ "10.0.0.256", 0, IKE_ID_FQDN, "31302e302e302e323536", NULL },
	{ "%any", 0, IKE_ID_ANY, "", NULL },
	{ "%any6", 0, IKE_ID_ANY, "", "%any" },
	{ "*", 0, IKE_ID_ANY, "", "%any" },
	{ "0.0.0.0", 0, IKE_ID_ANY, "", "%any" },
	{ "::", 0, IKE_ID_ANY, "", "%any" },
	{ DN_MOON_TEXT, 0, IKE_ID_DER_ASN1_DN, DN_MOON, NULL },
	{ "/C=CH/O=strongSwan/CN=moon.strongswan.org", 0, IKE_ID_DER_ASN1_DN, DN_MOON,
	  DN_MOON_TEXT },
	{ " c = CH ,o=strongSwan,   cn = moon.strongswan.org  ", 0, IKE_ID_DER_ASN1_DN, DN_MOON,
	  DN_MOON_TEXT },
	{ "asn1dn:" DN_MOON_TEXT, 0, IKE_ID_DER_ASN1_DN, DN_MOON, DN_MOON_TEXT },
	{ "asn1dn:#" DN_MOON, 0, IKE_ID_DER_ASN1_DN, DN_MOON, DN_MOON_TEXT },
	{ "C=CH, CN=J\xc3\xbcrg", 0, IKE_ID_DER_ASN1_DN,
	  "301d310b3009060355040613024348310e300c06035504030c054ac3bc7267", "C=CH, CN=J??rg" },
	{ "C=CH, E=carol@example.org", 0, IKE_ID_DER_ASN1_DN,
	  "302f310b30090603550406130243483120301e06092a864886f70d010901161163617"
	  "26f6c406578616d706c652e6f7267", NULL },
	{ "C=CH, emailAddress=carol@example.org", 0, IKE_ID_DER_ASN1_DN,
	  "302f310b30090603550406130243483120301e06092a864886f70d010901161163617"
	  "26f6c406578616d706c652e6f7267", "C=CH, E=carol@example.org" },
	{ "serialNumber=1234", 0, IKE_ID_DER_ASN1_DN, "300f310d300b0603550405130431323334",
	  "SN=1234" },
	{ "@#0102a0ff", 0, IKE_ID_KEY_ID, "0102a0ff", NULL },
	{ "keyid:abc", 0, IKE_ID_KEY_ID, "616263", "abc" },
	{ "a:b:c:zz", 0, IKE_ID_KEY_ID, "613a623a633a7a7a", NULL },
	{ "fqdn:10.0.0.1", 0, IKE_ID_FQDN, "31302e302e302e31", "10.0.0.1" },
	{ "DNS:moon", 0, IKE_ID_FQDN, "6d6f6f6e", "moon" },
	{ "email:foo", 0, IKE_ID_RFC822_ADDR, "666f6f", "foo" },
	{ "userfqdn:a@b", 0, IKE_ID_RFC822_ADDR, "614062", "a@b" },
	{ "ipv4:192.0.2.1", 0, IKE_ID_IPV4_ADDR, "c0000201", "192.0.2.1" },
	{ "ipv6:2001:db8::1", 0, IKE_ID_IPV6_ADDR, "20010db8000000000000000000000001",
	  "2001:db8::1" },
	{ "ipv4:#0a000001", 0, IKE_ID_IPV4_ADDR, "0a000001", "10.0.0.1" },
	{ "", -EINVAL, 0, NULL, NULL },
	{ "ipv4:10.0.0.x", -EINVAL, 0, NULL, NULL },
	{ "ipv6:10.0.0.1", -EINVAL, 0, NULL, NULL },
	{ "ipv4:#0a0000", -EINVAL, 0, NULL, NULL },
	{ "fqdn:", -EINVAL, 0, NULL, NULL },
	{ "@#012", -EINVAL, 0, NULL, NULL },
	{ "@#zz", -EINVAL, 0, NULL, NULL },
	{ "@#", -EINVAL, 0, NULL, NULL },
	{ "C=CH, XX=foo", -EINVAL, 0, NULL, NULL },
	{ "C=CH, CN=", -EINVAL, 0, NULL, NULL },
	{ "C=CH,,CN=x", -EINVAL, 0, NULL, NULL },
	{ "=foo", -EINVAL, 0, NULL, NULL },
	{ "E=caf\xc3\xa9@x", -EINVAL, 0, NULL, NULL },
	{ "CN=\xff\xfe", -EINVAL, 0, NULL, NULL },
	{ "asn1dn:#3000ff", -EINVAL, 0, NULL, NULL },
};

static void
test_parse_table(void)
{
	for (size_t i = 0; i < N_ELEMS(parse_rows); i++) {
		const struct parse_row *r = &parse_rows[i];
		char hex[HEX_MAX], text[IKE_ID_TEXT_MAX];
		struct ike_id id;
		int rc = ike_id_from_string(&id, r->text);

		CU_ASSERT_EQUAL(rc, r->rc);
		if (rc != r->rc)
			fprintf(stderr, "row %zu '%s': rc %d\n", i, r->text, rc);
		if (r->rc != 0)
			continue;
		CU_ASSERT_EQUAL(id.type, r->type);
		CU_ASSERT_EQUAL(id.len, strlen(r->hex) / 2);
		tohex(id.data, id.len, hex);
		CU_ASSERT_STRING_EQUAL(hex, r->hex);
		CU_ASSERT_EQUAL(ike_id_to_string(&id, text, sizeof(text)), 0);
		CU_ASSERT_STRING_EQUAL(text, r->printed != NULL ? r->printed : r->text);
		if (strcmp(hex, r->hex) != 0 || strcmp(text, r->printed ? r->printed : r->text))
			fprintf(stderr, "row %zu '%s': %s '%s'\n", i, r->text, hex, text);
	}
}

static void
test_parse_limits(void)
{
	char text[IKE_ID_MAX + 2], dn[32 * (IKE_ID_DN_RDNS_MAX + 1)];
	struct ike_id id;

	memset(text, 'a', sizeof(text));
	text[IKE_ID_MAX] = '\0';
	CU_ASSERT_EQUAL(ike_id_from_string(&id, text), 0);
	CU_ASSERT_EQUAL(id.len, IKE_ID_MAX);
	text[IKE_ID_MAX] = 'a';
	text[IKE_ID_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(ike_id_from_string(&id, text), -E2BIG);

	dn[0] = '\0';
	for (int i = 0; i < IKE_ID_DN_RDNS_MAX; i++)
		strcat(dn, i == 0 ? "OU=a" : ",OU=a");
	CU_ASSERT_EQUAL(ike_id_from_string(&id, dn), 0);
	CU_ASSERT_EQUAL(id.type, IKE_ID_DER_ASN1_DN);
	strcat(dn, ",OU=a");
	CU_ASSERT_EQUAL(ike_id_from_string(&id, dn), -E2BIG);

	/* 9 RDNs of 30 characters: under 20 RDNs but over IKE_ID_MAX octets */
	dn[0] = '\0';
	for (int i = 0; i < 9; i++)
		strcat(dn, i == 0 ? "OU=abcdefghijabcdefghijabcdefghij" :
		       ",OU=abcdefghijabcdefghijabcdefghij");
	CU_ASSERT_EQUAL(ike_id_from_string(&id, dn), -E2BIG);
}

/* ---- printing ---- */

static void
test_print(void)
{
	struct ike_id id = { .type = IKE_ID_FQDN, .len = 4 };
	char out[IKE_ID_TEXT_MAX];

	memcpy(id.data, "a\001\177b", 4);
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "a??b");

	CU_ASSERT_EQUAL(ike_id_from_string(&id, "moon.example.org"), 0);
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, 5), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(out, "moon");
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, 0), -ENOSPC);

	id = (struct ike_id){ .type = 200 };
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "(unknown ID type: 200)");

	id = (struct ike_id){ .type = IKE_ID_DER_ASN1_DN, .len = 3, .data = { 0x30, 0x05, 0x31 } };
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "(invalid ID_DER_ASN1_DN)");

	id = (struct ike_id){ .type = IKE_ID_IPV4_ADDR, .len = 3 };
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "(invalid ID_IPV4_ADDR)");

	/* a 20-octet KEY_ID prints as hex even when printable (a SHA-1 key id) */
	id = (struct ike_id){ .type = IKE_ID_KEY_ID, .len = 20 };
	memset(id.data, 'A', 20);
	CU_ASSERT_EQUAL(ike_id_to_string(&id, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "@#4141414141414141414141414141414141414141");
}

/* ---- received identities ---- */

struct set_row {
	uint8_t type;
	const char *hex;
	int rc;
};

static const struct set_row set_rows[] = {
	{ IKE_ID_IPV4_ADDR, "0a000001", 0 },
	{ IKE_ID_IPV4_ADDR, "0a0000", -EINVAL },
	{ IKE_ID_IPV4_ADDR, "0a00000101", -EINVAL },
	{ IKE_ID_IPV6_ADDR, "fd000000000000000000000000000001", 0 },
	{ IKE_ID_IPV6_ADDR, "0a000001", -EINVAL },
	{ IKE_ID_FQDN, "6d6f6f6e", 0 },
	{ IKE_ID_FQDN, "6d6f006e", -EINVAL },
	{ IKE_ID_RFC822_ADDR, "00", -EINVAL },
	{ IKE_ID_FQDN, "", -EINVAL },
	{ IKE_ID_DER_ASN1_DN, DN_MOON, 0 },
	{ IKE_ID_DER_ASN1_DN, DN_MOON "00", -EINVAL },
	{ IKE_ID_DER_ASN1_DN, "3040310b30090603550406", -EINVAL },
	{ IKE_ID_DER_ASN1_DN, "0401ff", -EINVAL },
	{ IKE_ID_KEY_ID, "00ff", 0 },
	{ 4, "0a0000010a000002", -ENOTSUP },     /* ID_IPV4_ADDR_SUBNET (IKEv1) */
	{ IKE_ID_DER_ASN1_GN, "3000", -ENOTSUP },
	{ 0, "00", -ENOTSUP },
};

static void
test_set(void)
{
	uint8_t buf[IKE_ID_MAX + 1];
	struct ike_id id;

	for (size_t i = 0; i < N_ELEMS(set_rows); i++) {
		size_t n = unhex(set_rows[i].hex, buf, sizeof(buf));
		int rc = ike_id_set(&id, set_rows[i].type, buf, n);

		CU_ASSERT_EQUAL(rc, set_rows[i].rc);
		if (rc != set_rows[i].rc)
			fprintf(stderr, "set row %zu: rc %d\n", i, rc);
		if (rc == 0) {
			CU_ASSERT_EQUAL(id.type, set_rows[i].type);
			CU_ASSERT_EQUAL(id.len, n);
			CU_ASSERT_EQUAL(memcmp(id.data, buf, n), 0);
		}
	}
	memset(buf, 'a', sizeof(buf));
	CU_ASSERT_EQUAL(ike_id_set(&id, IKE_ID_FQDN, buf, IKE_ID_MAX), 0);
	CU_ASSERT_EQUAL(ike_id_set(&id, IKE_ID_FQDN, buf, IKE_ID_MAX + 1), -E2BIG);
}

static void
test_body(void)
{
	static const uint8_t want[] = { IKE_ID_FQDN, 0, 0, 0, 'm', 'o', 'o', 'n' };
	uint8_t out[IKE_ID_BODY_MAX];
	struct ike_id id;
	size_t len = 0;

	CU_ASSERT_EQUAL(ike_id_from_string(&id, "moon"), 0);
	CU_ASSERT_EQUAL(ike_id_body(&id, out, sizeof(out), &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(want));
	CU_ASSERT_EQUAL(memcmp(out, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(ike_id_body(&id, out, sizeof(want) - 1, &len), -ENOSPC);
	CU_ASSERT_EQUAL(ike_id_from_string(&id, "%any"), 0);
	CU_ASSERT_EQUAL(ike_id_body(&id, out, sizeof(out), &len), -EINVAL);
}

/* ---- matching ---- */

struct match_row {
	const char *configured;
	const char *received;
	bool match;
};

static const struct match_row match_rows[] = {
	{ "moon.example.org", "moon.example.org", true },
	{ "moon.example.org", "MOON.Example.ORG", true },
	{ "moon.example.org", "sun.example.org", false },
	{ "moon.example.org", "moon.example.org.", false },
	{ "*.example.org", "moon.example.org", true },
	{ "*.example.org", "a.b.EXAMPLE.org", true },
	{ "*.example.org", "example.org", false },
	{ "*.example.org", ".example.org", false },
	{ "*.example.org", "moon.example.com", false },
	{ "*@example.org", "carol@example.org", true },
	{ "*@example.org", "carol@example.com", false },
	{ "*@example.org", "@example.org", false },
	{ "fqdn:*", "anything", true },
	{ "carol@example.org", "@@carol@example.org", true },
	{ "carol@example.org", "Carol@Example.org", true },
	{ "carol@example.org", "fqdn:carol@example.org", false },
	{ "%any", "moon.example.org", true },
	{ "%any", "10.0.0.1", true },
	{ "%any", DN_MOON_TEXT, true },
	{ "moon.example.org", "%any", false },
	{ "10.0.0.1", "10.0.0.1", true },
	{ "10.0.0.1", "10.0.0.2", false },
	{ "10.0.0.1", "fqdn:10.0.0.1", false },
	{ "fd00::1", "fd00:0::1", true },
	{ "fd00::1", "fd00::2", false },
	{ DN_MOON_TEXT, "c=ch,o=STRONGSWAN,cn=Moon.StrongSwan.org", true },
	{ DN_MOON_TEXT, "C=CH, O=strong  Swan, CN=moon.strongswan.org", false },
	{ DN_MOON_TEXT, "CN=moon.strongswan.org, O=strongSwan, C=CH", false },
	{ DN_MOON_TEXT, "C=CH, O=strongSwan", false },
	{ DN_MOON_TEXT, "moon.strongswan.org", false },
	{ "C=CH, O=strongSwan, CN=*", DN_MOON_TEXT, true },
	{ "C=CH, O=strongSwan, CN=*", "C=CH, O=strongSwan, CN=sun", true },
	{ "C=CH, O=*, CN=*", "C=CH, O=x, CN=y", true },
	{ "C=CH, O=strongSwan, CN=*", "C=CH, O=other, CN=sun", false },
	{ "C=CH, O=strongSwan, CN=*", "C=CH, O=strongSwan", false },
	{ "C=CH, O=strongSwan, CN=*", "C=CH, O=strongSwan, OU=*", false },
	{ "C=CH, O=strongSwan, CN=moon*", DN_MOON_TEXT, false },
	{ "@#0102", "@#0102", true },
	{ "@#0102", "@#0103", false },
};

static void
test_match_table(void)
{
	for (size_t i = 0; i < N_ELEMS(match_rows); i++) {
		struct ike_id cfg, rcv;

		CU_ASSERT_EQUAL_FATAL(ike_id_from_string(&cfg, match_rows[i].configured), 0);
		CU_ASSERT_EQUAL_FATAL(ike_id_from_string(&rcv, match_rows[i].received), 0);
		CU_ASSERT_EQUAL(ike_id_match(&cfg, &rcv), match_rows[i].match);
		if (ike_id_match(&cfg, &rcv) != match_rows[i].match)
			fprintf(stderr, "match row %zu: '%s' vs '%s'\n", i,
				match_rows[i].configured, match_rows[i].received);
	}
}

/* A received DN in UTF8String (as OpenSSL-made certificates carry it)
 * matches the PrintableString DN of the configuration. */
static void
test_match_string_types(void)
{
	X509_NAME *name = X509_NAME_new();
	struct ike_id cfg, rcv;
	unsigned char *q;
	int len;

	CU_ASSERT_FATAL(name != NULL);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"CH",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", V_ASN1_UTF8STRING,
				   (const unsigned char *)"strongSwan", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", V_ASN1_UTF8STRING,
				   (const unsigned char *)"MOON.strongswan.org", -1, -1, 0);
	len = i2d_X509_NAME(name, NULL);
	CU_ASSERT_FATAL(len > 0 && len <= IKE_ID_MAX);
	rcv.type = IKE_ID_DER_ASN1_DN;
	rcv.len = (uint16_t)len;
	q = rcv.data;
	i2d_X509_NAME(name, &q);
	CU_ASSERT_EQUAL(ike_id_from_string(&cfg, DN_MOON_TEXT), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(cfg.data, rcv.data, cfg.len < rcv.len ? cfg.len : rcv.len), 0);
	CU_ASSERT_TRUE(ike_id_match(&cfg, &rcv));
	CU_ASSERT_TRUE(ike_id_match_name(&cfg, name));
	CU_ASSERT_EQUAL(ike_id_from_string(&cfg, "C=CH, O=strongSwan, CN=*"), 0);
	CU_ASSERT_TRUE(ike_id_match_name(&cfg, name));
	CU_ASSERT_EQUAL(ike_id_from_string(&cfg, "moon.strongswan.org"), 0);
	CU_ASSERT_FALSE(ike_id_match_name(&cfg, name));
	X509_NAME_free(name);

	/* a received DN that does not decode never matches */
	CU_ASSERT_EQUAL(ike_id_from_string(&cfg, "C=CH, O=strongSwan, CN=*"), 0);
	rcv = (struct ike_id){ .type = IKE_ID_DER_ASN1_DN, .len = 2, .data = { 0x30, 0x05 } };
	CU_ASSERT_FALSE(ike_id_match(&cfg, &rcv));
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	(void)argv;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_id", NULL, NULL);
	CU_add_test(s, "parse table", test_parse_table);
	CU_add_test(s, "parse limits", test_parse_limits);
	CU_add_test(s, "print", test_print);
	CU_add_test(s, "received ids", test_set);
	CU_add_test(s, "IDx' body", test_body);
	CU_add_test(s, "match table", test_match_table);
	CU_add_test(s, "DN string types", test_match_string_types);
	return cu_run_registered();
}
