/* IKEv2 identities (RFC 7296 §3.5): configuration text to struct ike_id the
 * way strongSwan reads it, printing, validation of received identities,
 * matching with wildcards, and the ID payload body IDx' of §2.15. The rules
 * are spelled out in ike_id.h. DNs are encoded and compared with OpenSSL's
 * X509_NAME. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <openssl/crypto.h>

#include "ike/ike_id.h"

enum {
	IPV4_LEN = 4,
	IPV6_LEN = 16,
	ASCII_PRINT_MIN = 0x20,
	ASCII_PRINT_MAX = 0x7e,
	ASCII_MAX = 0x7f,
	OID_TEXT_MAX = 80,
};

struct rdn_attr {
	const char *name;
	int nid;
	int str_type;   /* V_ASN1_PRINTABLESTRING (UTF8String when needed) or IA5 */
};

/* strongSwan's x501rdns[] names; the first name of a NID is the printed one. */
static const struct rdn_attr rdn_attrs[] = {
	{ "CN", NID_commonName, V_ASN1_PRINTABLESTRING },
	{ "C", NID_countryName, V_ASN1_PRINTABLESTRING },
	{ "O", NID_organizationName, V_ASN1_PRINTABLESTRING },
	{ "OU", NID_organizationalUnitName, V_ASN1_PRINTABLESTRING },
	{ "L", NID_localityName, V_ASN1_PRINTABLESTRING },
	{ "ST", NID_stateOrProvinceName, V_ASN1_PRINTABLESTRING },
	{ "DC", NID_domainComponent, V_ASN1_PRINTABLESTRING },
	{ "UID", NID_userId, V_ASN1_PRINTABLESTRING },
	{ "S", NID_surname, V_ASN1_PRINTABLESTRING },
	{ "SN", NID_serialNumber, V_ASN1_PRINTABLESTRING },
	{ "serialNumber", NID_serialNumber, V_ASN1_PRINTABLESTRING },
	{ "G", NID_givenName, V_ASN1_PRINTABLESTRING },
	{ "I", NID_initials, V_ASN1_PRINTABLESTRING },
	{ "T", NID_title, V_ASN1_PRINTABLESTRING },
	{ "D", NID_description, V_ASN1_PRINTABLESTRING },
	{ "N", NID_name, V_ASN1_PRINTABLESTRING },
	{ "dnQualifier", NID_dnQualifier, V_ASN1_PRINTABLESTRING },
	{ "ID", NID_x500UniqueIdentifier, V_ASN1_PRINTABLESTRING },
	{ "E", NID_pkcs9_emailAddress, V_ASN1_IA5STRING },
	{ "Email", NID_pkcs9_emailAddress, V_ASN1_IA5STRING },
	{ "emailAddress", NID_pkcs9_emailAddress, V_ASN1_IA5STRING },
	{ "UN", NID_pkcs9_unstructuredName, V_ASN1_IA5STRING },
	{ "unstructuredName", NID_pkcs9_unstructuredName, V_ASN1_IA5STRING },
	{ "UA", NID_pkcs9_unstructuredAddress, V_ASN1_PRINTABLESTRING },
	{ "unstructuredAddress", NID_pkcs9_unstructuredAddress, V_ASN1_PRINTABLESTRING },
};

static const char *const any_words[] = { "%any", "%any6", "*", "0.0.0.0", "::", "0::0" };

struct id_prefix {
	const char *prefix;
	uint8_t type;
};

static const struct id_prefix id_prefixes[] = {
	{ "ipv4:", IKE_ID_IPV4_ADDR },
	{ "ipv6:", IKE_ID_IPV6_ADDR },
	{ "rfc822:", IKE_ID_RFC822_ADDR },
	{ "email:", IKE_ID_RFC822_ADDR },
	{ "userfqdn:", IKE_ID_RFC822_ADDR },
	{ "fqdn:", IKE_ID_FQDN },
	{ "dns:", IKE_ID_FQDN },
	{ "asn1dn:", IKE_ID_DER_ASN1_DN },
	{ "keyid:", IKE_ID_KEY_ID },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- DN helpers ---- */

/* One complete DER Name in DATA, or NULL. */
static X509_NAME *
dn_decode(const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *name;

	if (len == 0 || len > IKE_ID_MAX)
		return NULL;
	name = d2i_X509_NAME(NULL, &p, (long)len);
	if (name != NULL && p != data + len) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

static const struct rdn_attr *
rdn_by_name(const char *s, size_t n)
{
	for (size_t i = 0; i < N_ELEMS(rdn_attrs); i++)
		if (strlen(rdn_attrs[i].name) == n && strncasecmp(rdn_attrs[i].name, s, n) == 0)
			return &rdn_attrs[i];
	return NULL;
}

static const char *
rdn_print_name(int nid)
{
	for (size_t i = 0; i < N_ELEMS(rdn_attrs); i++)
		if (rdn_attrs[i].nid == nid)
			return rdn_attrs[i].name;
	return NULL;
}

/* X.680 PrintableString characters (what strongSwan's asn1_is_printablestring allows). */
static bool
printable_string(const char *s, size_t n)
{
	static const char extra[] = " '()+,-./:=?";

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c != '\0' && strchr(extra, c) != NULL)))
			return false;
	}
	return true;
}

static bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;

	while (n > 0) {
		int used = UTF8_getc(p, (int)n, &cp);

		if (used <= 0 || cp == 0)
			return false;
		p += used;
		n -= (size_t)used;
	}
	return true;
}

static bool
ascii_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || (unsigned char)s[i] > ASCII_MAX)
			return false;
	return true;
}

static const char *
skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static const char *
trim_spaces(const char *start, const char *end)
{
	while (end > start && end[-1] == ' ')
		end--;
	return end;
}

/* One "attr=value" RDN in [p, end), spaces around attr and value ignored. */
static int
dn_add_rdn(X509_NAME *name, const char *p, const char *end)
{
	const struct rdn_attr *attr;
	const char *eq, *val, *val_end;
	int type;
	size_t vlen;

	p = skip_spaces(p, end);
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return -EINVAL;
	attr = rdn_by_name(p, (size_t)(trim_spaces(p, eq) - p));
	val = skip_spaces(eq + 1, end);
	val_end = trim_spaces(val, end);
	vlen = (size_t)(val_end - val);
	if (attr == NULL || vlen == 0)
		return -EINVAL;
	type = attr->str_type;
	if (type == V_ASN1_PRINTABLESTRING && !printable_string(val, vlen))
		type = V_ASN1_UTF8STRING;
	if ((type == V_ASN1_UTF8STRING && !utf8_valid(val, vlen)) ||
	    (type == V_ASN1_IA5STRING && !ascii_valid(val, vlen)))
		return -EINVAL;
	if (X509_NAME_add_entry_by_NID(name, attr->nid, type, (const unsigned char *)val,
				       (int)vlen, -1, 0) != 1)
		return -ENOMEM;
	return 0;
}

static int
dn_encode(struct ike_id *id, X509_NAME *name)
{
	unsigned char *q = id->data;
	int len = i2d_X509_NAME(name, NULL);

	if (len <= 0)
		return -EINVAL;
	if (len > IKE_ID_MAX)
		return -E2BIG;
	if (i2d_X509_NAME(name, &q) != len)
		return -EINVAL;
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)len;
	return 0;
}

/* "C=CH, O=x, CN=y" (or "/C=CH/O=x/CN=y"), RDNs kept in the written order. */
static int
dn_from_text(struct ike_id *id, const char *text)
{
	X509_NAME *name = X509_NAME_new();
	const char *p = text;
	char sep = ',';
	int n = 0, rc = 0;

	if (name == NULL)
		return -ENOMEM;
	if (*p == '/') {
		sep = '/';
		p++;
	}
	while (rc == 0 && *p != '\0') {
		const char *end = strchr(p, sep);

		if (end == NULL)
			end = p + strlen(p);
		rc = ++n > IKE_ID_DN_RDNS_MAX ? -E2BIG : dn_add_rdn(name, p, end);
		p = *end != '\0' ? end + 1 : end;
	}
	if (rc == 0 && n == 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = dn_encode(id, name);
	X509_NAME_free(name);
	return rc;
}

/* ---- building from text ---- */

int
ike_id_set(struct ike_id *id, uint8_t type, const uint8_t *data, size_t len)
{
	X509_NAME *name;

	memset(id, 0, sizeof(*id));
	if (len == 0)
		return -EINVAL;
	if (len > IKE_ID_MAX)
		return -E2BIG;
	switch (type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (len != (type == IKE_ID_IPV4_ADDR ? IPV4_LEN : IPV6_LEN))
			return -EINVAL;
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		if (memchr(data, '\0', len) != NULL)
			return -EINVAL;
		break;
	case IKE_ID_DER_ASN1_DN:
		name = dn_decode(data, len);
		if (name == NULL)
			return -EINVAL;
		X509_NAME_free(name);
		break;
	case IKE_ID_KEY_ID:
		break;
	default:
		return -ENOTSUP;
	}
	id->type = type;
	id->len = (uint16_t)len;
	memcpy(id->data, data, len);
	return 0;
}

static int
id_from_hex(struct ike_id *id, uint8_t type, const char *hex)
{
	uint8_t buf[IKE_ID_MAX];
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0)
		return -EINVAL;
	if (n / 2 > sizeof(buf))
		return -E2BIG;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]), lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	return ike_id_set(id, type, buf, n / 2);
}

static int
id_from_text(struct ike_id *id, uint8_t type, const char *text)
{
	return ike_id_set(id, type, (const uint8_t *)text, strlen(text));
}

static int
id_from_addr(struct ike_id *id, int family, const char *text)
{
	uint8_t a[IPV6_LEN];

	if (inet_pton(family, text, a) != 1)
		return -EINVAL;
	if (family == AF_INET)
		return ike_id_set(id, IKE_ID_IPV4_ADDR, a, IPV4_LEN);
	return ike_id_set(id, IKE_ID_IPV6_ADDR, a, IPV6_LEN);
}

/* "type:value" or "type:#hex". */
static int
id_from_prefixed(struct ike_id *id, uint8_t type, const char *value)
{
	if (*value == '#')
		return id_from_hex(id, type, value + 1);
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return id_from_addr(id, AF_INET, value);
	case IKE_ID_IPV6_ADDR:
		return id_from_addr(id, AF_INET6, value);
	case IKE_ID_DER_ASN1_DN:
		return dn_from_text(id, value);
	default:
		return id_from_text(id, type, value);
	}
}

/* Neither '=' nor '@': %any, an address, an FQDN or (with ':') a KEY_ID. */
static int
id_from_plain(struct ike_id *id, const char *text)
{
	for (size_t i = 0; i < N_ELEMS(any_words); i++) {
		if (strcmp(text, any_words[i]) == 0) {
			memset(id, 0, sizeof(*id));
			id->type = IKE_ID_ANY;
			return 0;
		}
	}
	if (strchr(text, ':') == NULL) {
		if (id_from_addr(id, AF_INET, text) == 0)
			return 0;
		return id_from_text(id, IKE_ID_FQDN, text);
	}
	if (id_from_addr(id, AF_INET6, text) == 0)
		return 0;
	return id_from_text(id, IKE_ID_KEY_ID, text);
}

int
ike_id_from_string(struct ike_id *id, const char *text)
{
	memset(id, 0, sizeof(*id));
	if (text == NULL || *text == '\0')
		return -EINVAL;
	for (size_t i = 0; i < N_ELEMS(id_prefixes); i++) {
		size_t n = strlen(id_prefixes[i].prefix);

		if (strncasecmp(text, id_prefixes[i].prefix, n) == 0)
			return id_from_prefixed(id, id_prefixes[i].type, text + n);
	}
	if (strchr(text, '=') != NULL)
		return dn_from_text(id, text);
	if (strchr(text, '@') == NULL)
		return id_from_plain(id, text);
	if (text[0] != '@')
		return id_from_text(id, IKE_ID_RFC822_ADDR, text);
	if (text[1] == '#')
		return id_from_hex(id, IKE_ID_KEY_ID, text + 2);
	if (text[1] == '@')
		return id_from_text(id, IKE_ID_RFC822_ADDR, text + 2);
	return id_from_text(id, IKE_ID_FQDN, text + 1);
}

/* ---- printing ---- */

struct out_buf {
	char *p;
	size_t cap;
	size_t len;
	bool truncated;
};

static void
out_char(struct out_buf *o, char c)
{
	if (o->len + 1 >= o->cap) {
		o->truncated = true;
		return;
	}
	o->p[o->len++] = c;
	o->p[o->len] = '\0';
}

static void
out_str(struct out_buf *o, const char *s)
{
	while (*s != '\0')
		out_char(o, *s++);
}

/* Bytes as text, non-printable ones as '?' (strongSwan's chunk_printable). */
static void
out_printable(struct out_buf *o, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i] >= ASCII_PRINT_MIN && s[i] <= ASCII_PRINT_MAX ? (char)s[i] : '?');
}

static bool
all_printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < ASCII_PRINT_MIN || s[i] > ASCII_PRINT_MAX)
			return false;
	return true;
}

static void
out_hex(struct out_buf *o, const uint8_t *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out_char(o, digits[s[i] >> 4]);
		out_char(o, digits[s[i] & 0xf]);
	}
}

static void
out_dn(struct out_buf *o, const struct ike_id *id)
{
	X509_NAME *name = dn_decode(id->data, id->len);
	char oid[OID_TEXT_MAX];

	if (name == NULL) {
		out_str(o, "(invalid ID_DER_ASN1_DN)");
		return;
	}
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
		const ASN1_STRING *val = X509_NAME_ENTRY_get_data(e);
		const char *attr = rdn_print_name(OBJ_obj2nid(obj));

		if (attr == NULL && OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0)
			attr = oid;
		if (i > 0)
			out_str(o, ", ");
		out_str(o, attr != NULL ? attr : "?");
		out_char(o, '=');
		out_printable(o, ASN1_STRING_get0_data(val), (size_t)ASN1_STRING_length(val));
	}
	X509_NAME_free(name);
}

static void
out_addr(struct out_buf *o, const struct ike_id *id, int family, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (id->len != len || inet_ntop(family, id->data, text, sizeof(text)) == NULL) {
		out_str(o, family == AF_INET ? "(invalid ID_IPV4_ADDR)" : "(invalid ID_IPV6_ADDR)");
		return;
	}
	out_str(o, text);
}

static void
out_id(struct out_buf *o, const struct ike_id *id)
{
	char unknown[sizeof("(unknown ID type: 255)")];

	switch (id->type) {
	case IKE_ID_ANY:
		out_str(o, "%any");
		break;
	case IKE_ID_IPV4_ADDR:
		out_addr(o, id, AF_INET, IPV4_LEN);
		break;
	case IKE_ID_IPV6_ADDR:
		out_addr(o, id, AF_INET6, IPV6_LEN);
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		out_printable(o, id->data, id->len);
		break;
	case IKE_ID_DER_ASN1_DN:
		out_dn(o, id);
		break;
	case IKE_ID_DER_ASN1_GN:
		out_str(o, "(ASN.1 general name)");
		break;
	case IKE_ID_KEY_ID:
		if (id->len != IKE_ID_KEYID_SHA1_LEN && all_printable(id->data, id->len)) {
			out_printable(o, id->data, id->len);
		} else {
			out_str(o, "@#");
			out_hex(o, id->data, id->len);
		}
		break;
	default:
		snprintf(unknown, sizeof(unknown), "(unknown ID type: %u)", id->type);
		out_str(o, unknown);
		break;
	}
}

int
ike_id_to_string(const struct ike_id *id, char *out, size_t cap)
{
	struct out_buf o = { .p = out, .cap = cap };

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (id->len > IKE_ID_MAX) {
		out_str(&o, "(invalid ID)");
		return o.truncated ? -ENOSPC : 0;
	}
	out_id(&o, id);
	return o.truncated ? -ENOSPC : 0;
}

int
ike_id_body(const struct ike_id *id, uint8_t *out, size_t cap, size_t *len)
{
	if (id->type == IKE_ID_ANY || id->len > IKE_ID_MAX)
		return -EINVAL;
	if (cap < IKE_ID_BODY_HDR_LEN + (size_t)id->len)
		return -ENOSPC;
	memset(out, 0, IKE_ID_BODY_HDR_LEN);
	out[0] = id->type;
	memcpy(out + IKE_ID_BODY_HDR_LEN, id->data, id->len);
	*len = IKE_ID_BODY_HDR_LEN + (size_t)id->len;
	return 0;
}

/* ---- matching ---- */

static bool
ascii_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* FQDN / RFC822: equal ignoring ASCII case, or a leading '*' wildcard. */
static bool
string_match(const struct ike_id *cfg, const struct ike_id *rcv)
{
	size_t suffix;

	if (memchr(rcv->data, '\0', rcv->len) != NULL)
		return false;
	if (cfg->len == rcv->len && ascii_caseeq(cfg->data, rcv->data, cfg->len))
		return true;
	if (cfg->len == 0 || cfg->data[0] != '*')
		return false;
	if (cfg->len == 1)
		return true;
	if (rcv->len < cfg->len)
		return false;
	suffix = (size_t)cfg->len - 1;
	return ascii_caseeq(cfg->data + 1, rcv->data + rcv->len - suffix, suffix);
}

static bool
entry_is_wildcard(const X509_NAME_ENTRY *e)
{
	const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);

	return ASN1_STRING_length(v) == 1 && ASN1_STRING_get0_data(v)[0] == '*';
}

/* Two RDN values equal in X509_NAME_cmp's canonical form. */
static bool
entry_equal(const X509_NAME_ENTRY *a, const X509_NAME_ENTRY *b)
{
	X509_NAME *na = X509_NAME_new(), *nb = X509_NAME_new();
	bool eq = false;

	if (na != NULL && nb != NULL &&
	    X509_NAME_add_entry(na, a, -1, 0) == 1 && X509_NAME_add_entry(nb, b, -1, 0) == 1)
		eq = X509_NAME_cmp(na, nb) == 0;
	X509_NAME_free(na);
	X509_NAME_free(nb);
	return eq;
}

/* RDN by RDN: same count, same attributes in order, "*" values match any. */
static bool
dn_match_wildcards(const X509_NAME *cfg, const X509_NAME *rcv)
{
	int n = X509_NAME_entry_count(cfg);
	bool wild = false;

	if (n != X509_NAME_entry_count(rcv))
		return false;
	for (int i = 0; i < n; i++)
		wild |= entry_is_wildcard(X509_NAME_get_entry(cfg, i));
	if (!wild)
		return false;
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *c = X509_NAME_get_entry(cfg, i);
		const X509_NAME_ENTRY *r = X509_NAME_get_entry(rcv, i);

		if (OBJ_cmp(X509_NAME_ENTRY_get_object(c), X509_NAME_ENTRY_get_object(r)) != 0)
			return false;
		if (!entry_is_wildcard(c) && !entry_equal(c, r))
			return false;
	}
	return true;
}

static bool
dn_names_match(const X509_NAME *cfg, const X509_NAME *rcv)
{
	return X509_NAME_cmp(cfg, rcv) == 0 || dn_match_wildcards(cfg, rcv);
}

bool
ike_id_match_name(const struct ike_id *configured, const X509_NAME *name)
{
	X509_NAME *cfg;
	bool match;

	if (configured->type != IKE_ID_DER_ASN1_DN || name == NULL)
		return false;
	cfg = dn_decode(configured->data, configured->len);
	if (cfg == NULL)
		return false;
	match = dn_names_match(cfg, name);
	X509_NAME_free(cfg);
	return match;
}

static bool
dn_match(const struct ike_id *cfg, const struct ike_id *rcv)
{
	X509_NAME *name;
	bool match;

	name = dn_decode(rcv->data, rcv->len);
	if (name == NULL)
		return false;
	match = ike_id_match_name(cfg, name);
	X509_NAME_free(name);
	return match;
}

bool
ike_id_match(const struct ike_id *configured, const struct ike_id *received)
{
	if (configured->type == IKE_ID_ANY)
		return true;
	if (configured->type != received->type || configured->len > IKE_ID_MAX ||
	    received->len > IKE_ID_MAX)
		return false;
	switch (configured->type) {
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		return string_match(configured, received);
	case IKE_ID_DER_ASN1_DN:
		return dn_match(configured, received);
	default:
		return configured->len == received->len &&
		       memcmp(configured->data, received->data, configured->len) == 0;
	}
}
