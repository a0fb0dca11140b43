#!/bin/sh
# Test PKI for the IKEv2 authentication unit tests (tests/unit/ike/test_ike_auth*.c):
# RFC 7296 §2.15 / RFC 7427 signatures, chain verification, ID-vs-certificate match.
# Run once with the openssl CLI; the outputs are committed (keys included: they are
# test keys). Re-running changes every key and signature, and the tests that hard-code
# dates (2030-01-01 inside the validity of the good certificates, 2020-01-01 before it)
# assume the good certificates are issued after 2020 and valid ~30 years.
#
#   ca.pem/.key          root CA, ECDSA P-256, "C=CH, O=hagw test, CN=hagw test Root CA"
#   int.pem/.key         intermediate CA (pathlen 0) under the root, ECDSA P-256
#   moon.pem/.key        gateway, RSA 3072, SAN DNS:moon.example.org IP:192.0.2.1
#                        IP:2001:db8::1, issued by the root
#   carol.pem/.key       client, ECDSA P-256, SAN email:carol@example.org, issued by int
#   dave.pem/.key        client, RSA 2048, SAN email:dave@example.org, issued by the root
#   sun.pem/.key         gateway, ECDSA P-384, SAN DNS:sun.example.org
#   venus.pem/.key       gateway, ECDSA P-521, SAN DNS:venus.example.org
#   foreign-ca.pem/.key  an unrelated root CA
#   mallory.pem/.key     "moon.example.org" issued by the foreign CA
#   nods.pem/.key        keyUsage keyAgreement only (no digitalSignature)
#   expired.pem/.key     valid one day (the day it was made), issued by the root
#   octets.bin           InitiatorSignedOctets from gen-auth-vectors.py
#   sig-*.bin            signatures of octets.bin made here by `openssl dgst -sign`
set -eu
cd "$(dirname "$0")"
DAYS=10950
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[int]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[moon]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
subjectAltName = DNS:moon.example.org, IP:192.0.2.1, IP:2001:db8::1
[carol]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = email:carol@example.org
[dave]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
subjectAltName = email:dave@example.org
[sun]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = DNS:sun.example.org
[venus]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = DNS:venus.example.org
[nods]
basicConstraints = CA:FALSE
keyUsage = keyAgreement
subjectAltName = DNS:nods.example.org
[old]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = DNS:old.example.org
CNF

key_ec() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1.key"; }
key_rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key"; }

# selfsigned NAME SUBJECT
selfsigned() {
	openssl req -new -x509 -key "$1.key" -subj "$2" -days $DAYS -sha256 \
		-set_serial 1 -extensions ca -config "$TMP/ext.cnf" -out "$1.pem"
}

# issue NAME SUBJECT ISSUER EXTENSION SERIAL [DAYS]
issue() {
	openssl req -new -key "$1.key" -subj "$2" -config "$TMP/ext.cnf" -out "$TMP/$1.csr"
	openssl x509 -req -in "$TMP/$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "$5" \
		-days "${6:-$DAYS}" -sha256 -extfile "$TMP/ext.cnf" -extensions "$4" -out "$1.pem"
}

key_ec ca P-256
selfsigned ca "/C=CH/O=hagw test/CN=hagw test Root CA"
key_ec int P-256
issue int "/C=CH/O=hagw test/CN=hagw test Intermediate CA" ca int 2
key_rsa moon 3072
issue moon "/C=CH/O=hagw test/CN=moon.example.org" ca moon 10
key_ec carol P-256
issue carol "/C=CH/O=hagw test/CN=carol@example.org" int carol 11
key_rsa dave 2048
issue dave "/C=CH/O=hagw test/CN=dave@example.org" ca dave 12
key_ec sun P-384
issue sun "/C=CH/O=hagw test/CN=sun.example.org" ca sun 13
key_ec venus P-521
issue venus "/C=CH/O=hagw test/CN=venus.example.org" ca venus 14
key_ec nods P-256
issue nods "/C=CH/O=hagw test/CN=nods.example.org" ca nods 15
key_ec expired P-256
issue expired "/C=CH/O=hagw test/CN=old.example.org" ca old 16 1
key_ec foreign-ca P-256
selfsigned foreign-ca "/C=CH/O=foreign/CN=foreign Root CA"
key_ec mallory P-256
issue mallory "/C=CH/O=hagw test/CN=moon.example.org" foreign-ca moon 17
rm -f ./*.srl

# Signatures of the octets by an independent producer (the openssl CLI).
python3 gen-auth-vectors.py >/dev/null
openssl dgst -sha256 -sign moon.key -out sig-moon-pkcs1-sha256.bin octets.bin
openssl dgst -sha512 -sign moon.key -out sig-moon-pkcs1-sha512.bin octets.bin
openssl dgst -sha256 -sign moon.key -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
	-sigopt rsa_mgf1_md:sha256 -out sig-moon-pss-sha256.bin octets.bin
openssl dgst -sha256 -sign carol.key -out sig-carol-ecdsa-sha256.bin octets.bin
openssl dgst -sha384 -sign sun.key -out sig-sun-ecdsa-sha384.bin octets.bin
chmod 644 ./*.key ./*.pem ./*.bin
