/* IKEv2 identities (RFC 7296 §3.5, struct ike_id in ike_types.h): built from
 * configuration text the way strongSwan reads it, printed the way strongSwan
 * prints it, checked when received, matched (configured vs received, with
 * strongSwan's wildcards), and laid out as the ID payload body IDx' that
 * RFC 7296 §2.15 MACs into the AUTH octets.
 *
 * Text forms (ike_id_from_string):
 *   "%any" "%any6" "*" "0.0.0.0" "::" "0::0"   IKE_ID_ANY (matches anything)
 *   "10.0.0.1", "fd00::1"                      ID_IPV4_ADDR, ID_IPV6_ADDR
 *   "moon.example.org"                         ID_FQDN (no '@', no '=')
 *   "@moon.example.org"                        ID_FQDN (the '@' forces it)
 *   "carol@example.org", "@@carol"             ID_RFC822_ADDR
 *   "C=CH, O=strongSwan, CN=moon"              ID_DER_ASN1_DN ('=' present; ',' or,
 *                                              when the text starts with '/', '/'
 *                                              separates RDNs)
 *   "@#0a1b..."                                ID_KEY_ID from hex
 *   "a:b" (has ':', not an IPv6 address)       ID_KEY_ID with the text (as strongSwan)
 *   "ipv4:" "ipv6:" "fqdn:" "dns:" "email:" "rfc822:" "userfqdn:" "asn1dn:"
 *   "keyid:" prefixes force the type; "prefix:#hex" gives raw bytes.
 * Differences from strongSwan: "" is refused, a DN that does not parse is an
 * error (strongSwan makes it a KEY_ID), "ipv4:"/"ipv6:" values are parsed as
 * addresses, "{n}:" numeric types and "asn1gn:" are not supported.
 *
 * DN values are encoded as strongSwan does: PrintableString when every
 * character allows it, else UTF8String; IA5String for E/emailAddress and
 * unstructuredName. Attribute names (case-insensitive): CN C O OU L ST DC UID
 * S (surname) SN/serialNumber G I T D N dnQualifier ID E/Email/emailAddress
 * UN/unstructuredName UA/unstructuredAddress. Printing uses the first name.
 *
 * Matching (ike_id_match): a configured IKE_ID_ANY matches everything; else
 * the types must be equal. FQDN and RFC822 compare ASCII case-insensitively;
 * a configured value starting with '*' ("*.example.org", "*@example.org")
 * matches any received value with that suffix and at least one character in
 * place of the '*'. DNs compare with X509_NAME_cmp (OpenSSL's canonical form:
 * string types, case and inner whitespace do not matter); a configured RDN
 * whose value is exactly "*" ("C=CH, O=x, CN=*") matches any value of that
 * attribute, the other RDNs (same count, same order) must compare equal.
 * Addresses and KEY_IDs compare as bytes.
 */
#ifndef IKE_ID_H
#define IKE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "ike/ike_types.h"

/* Not a wire type (RFC 7296 §3.5 reserves 0): a configured "%any". */
enum { IKE_ID_ANY = 0 };

enum ike_id_limits {
	IKE_ID_BODY_HDR_LEN = 4,        /* IDx': ID type, 3 reserved octets (§3.5) */
	IKE_ID_BODY_MAX = IKE_ID_BODY_HDR_LEN + IKE_ID_MAX,
	IKE_ID_TEXT_MAX = 1024,         /* a printed ID of IKE_ID_MAX octets fits */
	IKE_ID_DN_RDNS_MAX = 20,        /* as strongSwan's atodn() */
	IKE_ID_KEYID_SHA1_LEN = 20,
};

/* Parse TEXT (forms above) into ID. -EINVAL: empty or malformed text,
 * -E2BIG: encoding longer than IKE_ID_MAX. */
int ike_id_from_string(struct ike_id *id, const char *text);

/* Print ID as strongSwan does: addresses in their usual form, FQDN/RFC822
 * as the string (non-printable octets as '?'), DNs as "C=CH, O=x, CN=y" in
 * the encoded order, KEY_IDs as text when printable (and not 20 octets)
 * else "@#<hex>", "%any". Always NUL-terminates when CAP > 0; -ENOSPC when
 * truncated. */
int ike_id_to_string(const struct ike_id *id, char *out, size_t cap);

/* Validate a received identity (type and body of an ID payload) and copy
 * it into ID. -ENOTSUP: type we do not handle (anything but IPv4/IPv6/FQDN/
 * RFC822/DN/KEY_ID), -E2BIG: longer than IKE_ID_MAX, -EINVAL: empty, an
 * address of the wrong length, a NUL in a string, a DN that is not one
 * complete DER Name. */
int ike_id_set(struct ike_id *id, uint8_t type, const uint8_t *data, size_t len);

/* IDx' (RFC 7296 §2.15): ID type, three zero octets, the ID data; what the
 * AUTH octets MAC for an ID we send. -EINVAL for IKE_ID_ANY, -ENOSPC. */
int ike_id_body(const struct ike_id *id, uint8_t *out, size_t cap, size_t *len);

/* Does RECEIVED satisfy CONFIGURED (rules above)? */
bool ike_id_match(const struct ike_id *configured, const struct ike_id *received);

/* Does the DN CONFIGURED (ID_DER_ASN1_DN, wildcards as above) match NAME,
 * e.g. a certificate's subject? false for other types. */
bool ike_id_match_name(const struct ike_id *configured, const X509_NAME *name);

#endif /* IKE_ID_H */
