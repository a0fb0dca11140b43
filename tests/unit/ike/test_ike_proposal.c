/*
 * Unit tests of proposal selection (ike/ike_proposal.c, RFC 7296 §2.7,
 * §3.3): the strongSwan-style string parser (accepted strings with their
 * exact transforms, errors naming the keyword), the responder's choice
 * (KE group first, then our order, against strongSwan's exact default
 * offer; AEAD/integrity rules, key lengths, unknown IDs and types, ESN and
 * PFS in ESP, IKE_AUTH without D-H), the
 * INVALID_KE_PAYLOAD check, the initiator's check of the reply, and the
 * names of suites. Table-driven; every expectation is an exact value, the
 * proposals compared through their full ike_proposal_describe() text.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ike/ike_proposal.h"
#include "tests/unit/cu_run.h"

enum {
	MAX_LIST = 8,
	TEXT_LEN = 512,
};

static const uint8_t esp_spi[4] = { 0xc0, 0x01, 0x02, 0x03 };

static void
check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s: got \"%s\", want \"%s\"\n", what, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

static void
check_int(const char *what, long got, long want)
{
	if (got != want)
		fprintf(stderr, "\n%s: got %ld, want %ld\n", what, got, want);
	CU_ASSERT_EQUAL(got, want);
}

/* ---- proposals as a peer would send them: transforms in the order given ---- */

struct tok {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t bits;
};

static const struct tok toks[] = {
	{ "aes0", IKE_TF_ENCR, IKE_ENCR_AES_CBC, 0 },      /* no Key Length attribute */
	{ "aes128", IKE_TF_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192", IKE_TF_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256", IKE_TF_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "aes128gcm16", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", IKE_TF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "aes128ctr", IKE_TF_ENCR, 13, 128 },
	{ "aes192ctr", IKE_TF_ENCR, 13, 192 },
	{ "aes256ctr", IKE_TF_ENCR, 13, 256 },
	{ "camellia128", IKE_TF_ENCR, 23, 128 },
	{ "camellia192", IKE_TF_ENCR, 23, 192 },
	{ "camellia256", IKE_TF_ENCR, 23, 256 },
	{ "camellia128ctr", IKE_TF_ENCR, 24, 128 },
	{ "camellia192ctr", IKE_TF_ENCR, 24, 192 },
	{ "camellia256ctr", IKE_TF_ENCR, 24, 256 },
	{ "aes128ccm16", IKE_TF_ENCR, 16, 128 },
	{ "aes192ccm16", IKE_TF_ENCR, 16, 192 },
	{ "aes256ccm16", IKE_TF_ENCR, 16, 256 },
	{ "aes128gcm12", IKE_TF_ENCR, 19, 128 },
	{ "aes192gcm12", IKE_TF_ENCR, 19, 192 },
	{ "aes256gcm12", IKE_TF_ENCR, 19, 256 },
	{ "aes128gcm8", IKE_TF_ENCR, 18, 128 },
	{ "aes192gcm8", IKE_TF_ENCR, 18, 192 },
	{ "aes256gcm8", IKE_TF_ENCR, 18, 256 },
	{ "aes128ccm12", IKE_TF_ENCR, 15, 128 },
	{ "aes192ccm12", IKE_TF_ENCR, 15, 192 },
	{ "aes256ccm12", IKE_TF_ENCR, 15, 256 },
	{ "aes128ccm8", IKE_TF_ENCR, 14, 128 },
	{ "aes192ccm8", IKE_TF_ENCR, 14, 192 },
	{ "aes256ccm8", IKE_TF_ENCR, 14, 256 },
	{ "3des", IKE_TF_ENCR, 3, 0 },
	{ "e99", IKE_TF_ENCR, 99, 0 },                      /* unknown ID */
	{ "sha1", IKE_TF_INTEG, 2, 0 },
	{ "sha256", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "inone", IKE_TF_INTEG, IKE_INTEG_NONE, 0 },
	{ "prfsha1", IKE_TF_PRF, 2, 0 },
	{ "prfsha256", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	{ "modp1024", IKE_TF_DH, 2, 0 },
	{ "modp2048", IKE_TF_DH, IKE_DH_MODP_2048, 0 },
	{ "modp3072", IKE_TF_DH, 15, 0 },
	{ "ecp256", IKE_TF_DH, IKE_DH_ECP_256, 0 },
	{ "ecp384", IKE_TF_DH, IKE_DH_ECP_384, 0 },
	{ "ecp521", IKE_TF_DH, IKE_DH_ECP_521, 0 },
	{ "x25519", IKE_TF_DH, IKE_DH_CURVE25519, 0 },
	{ "curve448", IKE_TF_DH, 32, 0 },
	{ "ecp256bp", IKE_TF_DH, 28, 0 },
	{ "ecp384bp", IKE_TF_DH, 29, 0 },
	{ "ecp512bp", IKE_TF_DH, 30, 0 },
	{ "modp4096", IKE_TF_DH, 16, 0 },
	{ "modp6144", IKE_TF_DH, 17, 0 },
	{ "modp8192", IKE_TF_DH, 18, 0 },
	{ "dnone", IKE_TF_DH, IKE_DH_NONE, 0 },
	{ "esn", IKE_TF_ESN, IKE_ESN_YES, 0 },
	{ "noesn", IKE_TF_ESN, IKE_ESN_NO, 0 },
	{ "t6", 6, 1, 0 },                                  /* unknown type */
};

static const struct tok *
find_tok(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++) {
		if (strlen(toks[i].name) == n && memcmp(toks[i].name, name, n) == 0)
			return &toks[i];
	}
	fprintf(stderr, "test bug: no token %.*s\n", (int)n, name);
	CU_FAIL("unknown test token");
	return NULL;
}

/* "aes128-sha256-..." as sent: protocol PROTO, number NUM; ESP gets a 4-byte SPI. */
static struct ike_proposal
raw(uint8_t proto, uint8_t num, const char *spec)
{
	struct ike_proposal p;
	const char *w = spec;

	memset(&p, 0, sizeof(p));
	p.num = num;
	p.protocol = proto;
	if (proto == IKE_PROTO_ESP) {
		p.spi_len = sizeof(esp_spi);
		memcpy(p.spi, esp_spi, sizeof(esp_spi));
	}
	while (*w != '\0') {
		const char *dash = strchr(w, '-');
		size_t n = dash != NULL ? (size_t)(dash - w) : strlen(w);
		const struct tok *t = find_tok(w, n);

		if (t != NULL) {
			p.transforms[p.n_transforms].type = t->type;
			p.transforms[p.n_transforms].id = t->id;
			p.transforms[p.n_transforms].key_bits = t->bits;
			p.n_transforms++;
		}
		w = dash != NULL ? dash + 1 : w + n;
	}
	return p;
}

/* Our list: each string through the parser, numbered 1..n. */
static size_t
ours_list(uint8_t proto, const char *const *strs, struct ike_proposal *out)
{
	char err[IKE_PROPOSAL_ERR_LEN];
	size_t n = 0;

	for (; n < MAX_LIST && strs[n] != NULL; n++) {
		int rc = ike_proposal_parse(strs[n], proto, (uint8_t)(n + 1), &out[n], err,
					    sizeof(err));

		if (rc != 0)
			fprintf(stderr, "\nparse %s: %s\n", strs[n], err);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
	return n;
}

static size_t
theirs_list(uint8_t proto, const char *const *specs, struct ike_proposal *out)
{
	size_t n = 0;

	for (; n < MAX_LIST && specs[n] != NULL; n++)
		out[n] = raw(proto, (uint8_t)(n + 1), specs[n]);
	return n;
}

/* ---- the string parser ---- */

struct parse_case {
	const char *str;
	uint8_t proto;
	int rc;
	const char *want;       /* describe() of the result, or the error */
};

static const struct parse_case parse_cases[] = {
	{ "aes128-sha256-x25519", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/CURVE_25519" },
	{ "aes256gcm16-prfsha384-ecp384", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "chacha20poly1305-prfsha256-x25519", IKE_PROTO_IKE, 0,
	  "#1 IKE:CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "aes128-aes256-sha256-sha384-modp2048-ecp256", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_CBC_128/AES_CBC_256/PRF_HMAC_SHA2_256/PRF_HMAC_SHA2_384/"
	  "HMAC_SHA2_256_128/HMAC_SHA2_384_192/MODP_2048/ECP_256" },
	{ "aes256-sha512-prfsha256-ecp521", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_512_256/ECP_521" },
	{ "aes256gcm16-sha384-ecp384", IKE_PROTO_IKE, 0,      /* PRF implied, integ dropped */
	  "#1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "x25519-aes128-sha256-curve25519-aes128", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/CURVE_25519" },
	{ "aes128gcm-aes256gcm128-prfsha512-ecp256", IKE_PROTO_IKE, 0,
	  "#1 IKE:AES_GCM_16_128/AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256" },
	{ "aes128gcm16-esn-noesn", IKE_PROTO_ESP, 0, "#1 ESP:AES_GCM_16_128/EXT_SEQ/NO_EXT_SEQ" },
	{ "aes256-sha256", IKE_PROTO_ESP, 0, "#1 ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "chacha20poly1305", IKE_PROTO_ESP, 0, "#1 ESP:CHACHA20_POLY1305/NO_EXT_SEQ" },
	{ "aes128-sha256-modp2048", IKE_PROTO_ESP, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ" },
	{ "aes256gcm16-sha256-ecp256-esn", IKE_PROTO_ESP, 0,
	  "#1 ESP:AES_GCM_16_256/ECP_256/EXT_SEQ" },
	{ "noesn-aes128gcm16", IKE_PROTO_ESP, 0, "#1 ESP:AES_GCM_16_128/NO_EXT_SEQ" },
	{ "aes128-foo-x25519", IKE_PROTO_IKE, -EINVAL, "unknown algorithm keyword 'foo'" },
	{ "aes192-sha256-x25519", IKE_PROTO_IKE, -EINVAL, "unknown algorithm keyword 'aes192'" },
	{ "AES128-sha256-x25519", IKE_PROTO_IKE, -EINVAL, "unknown algorithm keyword 'AES128'" },
	{ "aes128-sha256-abcdefghijklmnopqrstuvwxyz0123456789", IKE_PROTO_IKE, -EINVAL,
	  "unknown algorithm keyword 'abcdefghijklmnopqrstuvwxyz012345'" },
	{ "aes256-sha384", IKE_PROTO_ESP, -EINVAL, "'sha384' is not valid in ESP proposals" },
	{ "aes256-sha512", IKE_PROTO_ESP, -EINVAL, "'sha512' is not valid in ESP proposals" },
	{ "aes256gcm16-prfsha256", IKE_PROTO_ESP, -EINVAL,
	  "'prfsha256' is not valid in ESP proposals" },
	{ "aes256gcm16-prfsha256-x25519-esn", IKE_PROTO_IKE, -EINVAL,
	  "'esn' is not valid in IKE proposals" },
	{ "aes128--sha256", IKE_PROTO_IKE, -EINVAL, "empty algorithm keyword in 'aes128--sha256'" },
	{ "-aes128", IKE_PROTO_ESP, -EINVAL, "empty algorithm keyword in '-aes128'" },
	{ "aes128gcm16-", IKE_PROTO_ESP, -EINVAL, "empty algorithm keyword in 'aes128gcm16-'" },
	{ "", IKE_PROTO_IKE, -EINVAL, "empty proposal" },
	{ "sha256-x25519", IKE_PROTO_IKE, -EINVAL, "no encryption algorithm in 'sha256-x25519'" },
	{ "aes128-aes128gcm16-sha256-x25519", IKE_PROTO_IKE, -EINVAL,
	  "'aes128-aes128gcm16-sha256-x25519' mixes AEAD and non-AEAD ciphers: use two proposals" },
	{ "aes128-prfsha256-x25519", IKE_PROTO_IKE, -EINVAL,
	  "no integrity algorithm (e.g. sha256) in 'aes128-prfsha256-x25519'" },
	{ "aes128", IKE_PROTO_ESP, -EINVAL, "no integrity algorithm (e.g. sha256) in 'aes128'" },
	{ "aes128gcm16-x25519", IKE_PROTO_IKE, -EINVAL,
	  "no PRF (e.g. prfsha256) in 'aes128gcm16-x25519'" },
	{ "aes128-sha256", IKE_PROTO_IKE, -EINVAL,
	  "no key exchange group (e.g. x25519) in 'aes128-sha256'" },
	{ "aes128gcm16", IKE_PROTO_AH, -EINVAL, "protocol 2 has no proposals" },
};

static void
test_parse_table(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		char err[IKE_PROPOSAL_ERR_LEN], text[TEXT_LEN];
		struct ike_proposal p;
		int rc;

		memset(err, 'x', sizeof(err));
		rc = ike_proposal_parse(c->str, c->proto, 1, &p, err, sizeof(err));
		check_int(c->str, rc, c->rc);
		if (rc == 0) {
			check_str(c->str, err, "");
			ike_proposal_describe(&p, text, sizeof(text));
			check_str(c->str, text, c->want);
			CU_ASSERT_EQUAL(p.spi_len, 0);
		} else {
			check_str(c->str, err, c->want);
			CU_ASSERT_EQUAL(p.n_transforms, 0);
		}
	}
}

static void
test_parse_details(void)
{
	char err[8];
	struct ike_proposal p;

	/* key lengths, numbers and protocol land in the struct */
	CU_ASSERT_EQUAL(ike_proposal_parse("aes256-sha256", IKE_PROTO_ESP, 7, &p, NULL, 0), 0);
	CU_ASSERT_EQUAL(p.num, 7);
	CU_ASSERT_EQUAL(p.protocol, IKE_PROTO_ESP);
	CU_ASSERT_EQUAL(p.n_transforms, 3);
	CU_ASSERT_EQUAL(p.transforms[0].type, IKE_TF_ENCR);
	CU_ASSERT_EQUAL(p.transforms[0].id, IKE_ENCR_AES_CBC);
	CU_ASSERT_EQUAL(p.transforms[0].key_bits, 256);
	CU_ASSERT_EQUAL(p.transforms[1].key_bits, 0);
	CU_ASSERT_EQUAL(p.transforms[2].type, IKE_TF_ESN);
	CU_ASSERT_EQUAL(p.transforms[2].id, IKE_ESN_NO);
	/* no error buffer, a tiny one, NULL string */
	CU_ASSERT_EQUAL(ike_proposal_parse("bogus", IKE_PROTO_ESP, 1, &p, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ike_proposal_parse("bogus", IKE_PROTO_ESP, 1, &p, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "unknown");
	CU_ASSERT_EQUAL(ike_proposal_parse(NULL, IKE_PROTO_ESP, 1, &p, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "empty p");
}

/* ---- the responder's choice ---- */

struct sel_case {
	const char *name;
	uint8_t proto;
	const char *ours[MAX_LIST];
	const char *theirs[MAX_LIST];
	uint16_t ke_group;
	bool no_dh;
	int rc;
	const char *chosen;     /* describe() of the chosen proposal */
	const char *suite;      /* ike_suite_describe() */
};

#define HAGW_IKE_DEFAULTS \
	"aes256gcm16-prfsha384-x25519", "aes256gcm16-prfsha384-ecp384", \
	"aes128gcm16-prfsha256-ecp256", "chacha20poly1305-prfsha256-x25519", \
	"aes256-sha256-modp2048"
#define HAGW_ESP_DEFAULTS \
	"aes256gcm16", "aes128gcm16", "chacha20poly1305", "aes256-sha256", "aes128-sha256"
/* What a strongSwan 5.9.8 initiator offers by default, transform for transform
 * (notes/strongswan-wire.md): #1 34 transforms, #2 36 (AEAD, no INTEG). */
#define SWAN_DH \
	"x25519-curve448-ecp256-ecp384-ecp521-ecp256bp-ecp384bp-ecp512bp-modp3072-" \
	"modp4096-modp6144-modp8192-modp2048"
#define SWAN_IKE_CBC \
	"aes128-aes192-aes256-aes128ctr-aes192ctr-aes256ctr-camellia128-camellia192-" \
	"camellia256-camellia128ctr-camellia192ctr-camellia256ctr-3des-" \
	"sha256-sha384-sha512-sha1-prfsha256-prfsha384-prfsha512-prfsha1-" SWAN_DH
#define SWAN_IKE_AEAD \
	"aes128gcm16-aes192gcm16-aes256gcm16-aes128ccm16-aes192ccm16-aes256ccm16-" \
	"chacha20poly1305-aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-" \
	"aes256gcm8-aes128ccm12-aes192ccm12-aes256ccm12-aes128ccm8-aes192ccm8-aes256ccm8-" \
	"prfsha256-prfsha384-prfsha512-prfsha1-" SWAN_DH
#define GCM256_X25519 "AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519"

static const struct sel_case sel_cases[] = {
	/* strongSwan's exact default offer (CBC/CTR first) against hagw's defaults */
	{ "swan defaults, KE x25519: AEAD of their #2, no INVALID_KE", IKE_PROTO_IKE,
	  { HAGW_IKE_DEFAULTS }, { SWAN_IKE_CBC, SWAN_IKE_AEAD }, IKE_DH_CURVE25519, false, 0,
	  "#2 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "swan defaults, KE ecp256", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { SWAN_IKE_CBC, SWAN_IKE_AEAD }, IKE_DH_ECP_256, false, 0,
	  "#2 IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256",
	  "AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256" },
	{ "swan defaults, KE ecp384", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { SWAN_IKE_CBC, SWAN_IKE_AEAD }, IKE_DH_ECP_384, false, 0,
	  "#2 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "swan defaults, KE modp2048: our last proposal", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { SWAN_IKE_CBC, SWAN_IKE_AEAD }, IKE_DH_MODP_2048, false, 0,
	  "#1 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "swan defaults, KE curve448 not ours: our first", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { SWAN_IKE_CBC, SWAN_IKE_AEAD }, 32, false, 0, "#2 IKE:" GCM256_X25519,
	  GCM256_X25519 },
	{ "swan defaults, KE modp3072 not ours: our first", IKE_PROTO_IKE,
	  { HAGW_IKE_DEFAULTS }, { SWAN_IKE_CBC, SWAN_IKE_AEAD }, 15, false, 0,
	  "#2 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "swan defaults AEAD first, KE x25519", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { SWAN_IKE_AEAD, SWAN_IKE_CBC }, IKE_DH_CURVE25519, false, 0,
	  "#1 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "swan CBC proposal only, KE x25519: INVALID_KE follows", IKE_PROTO_IKE,
	  { HAGW_IKE_DEFAULTS }, { SWAN_IKE_CBC }, IKE_DH_CURVE25519, false, 0,
	  "#1 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "CBC only", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes128-aes192-aes256-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-"
	    "ecp256-modp2048" }, IKE_DH_ECP_256, false, 0,
	  "#1 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "KE group wins over their order", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256-sha256-prfsha256-modp2048", "aes256gcm16-prfsha384-x25519" },
	  IKE_DH_CURVE25519, false, 0, "#2 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "no KE match: our order wins over theirs", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256-sha256-prfsha256-modp2048", "aes256gcm16-prfsha384-x25519" },
	  IKE_DH_ECP_384, false, 0, "#2 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "KE group wins over our proposal order", IKE_PROTO_IKE,
	  { "aes256gcm16-prfsha384-x25519", "aes128gcm16-prfsha256-ecp256" },
	  { "aes256gcm16-aes128gcm16-prfsha384-prfsha256-x25519-ecp256" }, IKE_DH_ECP_256,
	  false, 0, "#1 IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256",
	  "AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256" },
	{ "KE group within one pair of proposals", IKE_PROTO_IKE,
	  { "aes256gcm16-prfsha384-x25519-ecp384" },
	  { "aes256gcm16-prfsha384-x25519-ecp384" }, IKE_DH_ECP_384, false, 0,
	  "#1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "our transform order within a proposal", IKE_PROTO_IKE,
	  { "aes128-aes256-sha512-sha256-ecp256-modp2048" },
	  { "aes256-aes128-sha256-sha512-prfsha256-prfsha512-modp2048-ecp256" }, 15, false, 0,
	  "#1 IKE:AES_CBC_128/PRF_HMAC_SHA2_512/HMAC_SHA2_512_256/ECP_256",
	  "AES_CBC_128/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_256" },
	{ "our transform order across their proposals", IKE_PROTO_IKE,
	  { "aes256gcm16-aes128gcm16-prfsha256-x25519" },
	  { "aes128gcm16-prfsha256-x25519", "aes256gcm16-prfsha256-x25519" },
	  IKE_DH_CURVE25519, false, 0, "#2 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519",
	  "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "their order breaks ties", IKE_PROTO_IKE, { "aes256gcm16-prfsha384-x25519" },
	  { "aes256gcm16-prfsha384-x25519", "aes256gcm16-prfsha384-x25519" },
	  IKE_DH_CURVE25519, false, 0, "#1 IKE:" GCM256_X25519, GCM256_X25519 },
	{ "first fitting of theirs", IKE_PROTO_IKE, { "aes128-sha256-x25519" },
	  { "3des-sha1-prfsha1-modp1024", "aes128-sha256-prfsha256-x25519" }, 0, false, 0,
	  "#2 IKE:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/CURVE_25519",
	  "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "no overlap", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "3des-sha1-prfsha1-modp1024", "aes128-sha256-prfsha256-modp3072" }, 0, false,
	  -ENOENT, NULL, NULL },
	{ "no group in common", IKE_PROTO_IKE, { "aes128gcm16-prfsha256-ecp256" },
	  { "aes128gcm16-prfsha256-x25519-ecp384" }, 0, false, -ENOENT, NULL, NULL },
	{ "no PRF in common", IKE_PROTO_IKE, { "aes128gcm16-prfsha256-ecp256" },
	  { "aes128gcm16-prfsha384-ecp256" }, 0, false, -ENOENT, NULL, NULL },
	{ "IKE without D-H", IKE_PROTO_IKE, { "aes128gcm16-prfsha256-ecp256" },
	  { "aes128gcm16-prfsha256" }, 0, false, -ENOENT, NULL, NULL },
	{ "IKE with D-H NONE only", IKE_PROTO_IKE, { "aes128gcm16-prfsha256-ecp256" },
	  { "aes128gcm16-prfsha256-dnone" }, 0, false, -ENOENT, NULL, NULL },
	{ "IKE without PRF", IKE_PROTO_IKE, { "aes128gcm16-prfsha256-ecp256" },
	  { "aes128gcm16-ecp256" }, 0, false, -ENOENT, NULL, NULL },
	{ "AEAD with integrity rejected", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256gcm16-sha256-prfsha384-x25519" }, 0, false, -ENOENT, NULL, NULL },
	{ "AEAD with integrity NONE", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256gcm16-inone-prfsha384-x25519" }, 0, false, 0,
	  "#1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519",
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519" },
	{ "CBC without integrity rejected", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256-prfsha256-modp2048", "aes256-inone-prfsha256-modp2048" }, 0, false,
	  -ENOENT, NULL, NULL },
	{ "AEAD and CBC in one proposal: CBC", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256gcm16-aes256-sha256-prfsha256-modp2048" }, 0, false, 0,
	  "#1 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "key length mismatch", IKE_PROTO_IKE, { "aes256-sha256-modp2048" },
	  { "aes128-aes192-sha256-prfsha256-modp2048" }, 0, false, -ENOENT, NULL, NULL },
	{ "AES without key length", IKE_PROTO_IKE, { "aes256-sha256-modp2048" },
	  { "aes0-sha256-prfsha256-modp2048" }, 0, false, -ENOENT, NULL, NULL },
	{ "GCM key length mismatch", IKE_PROTO_ESP, { "aes256gcm16" },
	  { "aes128gcm16-aes192gcm16-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "unknown transform IDs ignored", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "e99-aes256gcm16-prfsha1-prfsha384-curve448-x25519" }, 0, false, 0,
	  "#1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519",
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519" },
	{ "unknown transform ID only", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "e99-prfsha384-x25519" }, 0, false, -ENOENT, NULL, NULL },
	{ "unknown transform type rejects the proposal", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256gcm16-prfsha384-x25519-t6", "aes256-sha256-prfsha256-modp2048" },
	  IKE_DH_CURVE25519, false, 0,
	  "#2 IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "ESN in an IKE proposal rejects it", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes256gcm16-prfsha384-x25519-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: strongSwan defaults", IKE_PROTO_ESP, { HAGW_ESP_DEFAULTS },
	  { "aes128gcm16-aes192gcm16-aes256gcm16-noesn",
	    "aes128-aes192-aes256-sha256-sha384-sha512-noesn" }, 0, false, 0,
	  "#1 ESP:AES_GCM_16_256/NO_EXT_SEQ", "AES_GCM_16_256/NO_EXT_SEQ" },
	{ "ESP: CBC", IKE_PROTO_ESP, { HAGW_ESP_DEFAULTS },
	  { "aes128-sha512-sha256-noesn" }, 0, false, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "ESP: sha384 not for the data path", IKE_PROTO_ESP, { HAGW_ESP_DEFAULTS },
	  { "aes256-sha384-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: chacha", IKE_PROTO_ESP, { HAGW_ESP_DEFAULTS },
	  { "chacha20poly1305-noesn" }, 0, false, 0,
	  "#1 ESP:CHACHA20_POLY1305/NO_EXT_SEQ", "CHACHA20_POLY1305/NO_EXT_SEQ" },
	{ "ESP: our ESN preference", IKE_PROTO_ESP, { "aes128gcm16-esn-noesn" },
	  { "aes128gcm16-esn-noesn" }, 0, false, 0,
	  "#1 ESP:AES_GCM_16_128/EXT_SEQ", "AES_GCM_16_128/EXT_SEQ" },
	{ "ESP: our ESN preference over theirs", IKE_PROTO_ESP, { "aes128gcm16-esn-noesn" },
	  { "aes128gcm16-noesn-esn" }, 0, false, 0,
	  "#1 ESP:AES_GCM_16_128/EXT_SEQ", "AES_GCM_16_128/EXT_SEQ" },
	{ "ESP: our no-ESN preference over theirs", IKE_PROTO_ESP, { "aes128gcm16-noesn-esn" },
	  { "aes128gcm16-esn-noesn" }, 0, false, 0,
	  "#1 ESP:AES_GCM_16_128/NO_EXT_SEQ", "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "ESP: ESN not accepted", IKE_PROTO_ESP, { "aes128gcm16" },
	  { "aes128gcm16-esn" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: absent ESN taken as no ESN", IKE_PROTO_ESP, { "aes128gcm16" },
	  { "aes128gcm16" }, 0, false, 0,
	  "#1 ESP:AES_GCM_16_128", "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "ESP: absent ESN, ESN required", IKE_PROTO_ESP, { "aes128gcm16-esn" },
	  { "aes128gcm16" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: PFS required, none offered", IKE_PROTO_ESP, { "aes128-sha256-modp2048" },
	  { "aes128-sha256-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: PFS", IKE_PROTO_ESP, { "aes128-sha256-modp2048" },
	  { "aes128-sha256-modp2048-noesn" }, IKE_DH_MODP_2048, false, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ" },
	{ "ESP: PFS, KE group preferred within the proposal", IKE_PROTO_ESP,
	  { "aes128-sha256-modp2048-ecp256" }, { "aes128-sha256-modp2048-ecp256-noesn" },
	  IKE_DH_ECP_256, false, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/ECP_256/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/ECP_256/NO_EXT_SEQ" },
	{ "ESP: PFS, no KE: our order", IKE_PROTO_ESP,
	  { "aes128-sha256-modp2048-ecp256" }, { "aes128-sha256-ecp256-modp2048-noesn" },
	  0, false, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ" },
	{ "ESP: no KE prefers no PFS over our order", IKE_PROTO_ESP,
	  { "aes128gcm16-modp2048", "aes128gcm16" },
	  { "aes128gcm16-modp2048-noesn", "aes128gcm16-noesn" }, 0, false, 0,
	  "#2 ESP:AES_GCM_16_128/NO_EXT_SEQ", "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "ESP: KE group for PFS", IKE_PROTO_ESP, { "aes128gcm16-modp2048", "aes128gcm16" },
	  { "aes128gcm16-modp2048-noesn", "aes128gcm16-noesn" }, IKE_DH_MODP_2048, false, 0,
	  "#1 ESP:AES_GCM_16_128/MODP_2048/NO_EXT_SEQ", "AES_GCM_16_128/MODP_2048/NO_EXT_SEQ" },
	{ "ESP: no PFS configured, groups offered", IKE_PROTO_ESP, { "aes128-sha256" },
	  { "aes128-sha256-modp2048-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "ESP: no PFS configured, groups or NONE offered", IKE_PROTO_ESP, { "aes128-sha256" },
	  { "aes128-sha256-modp2048-dnone-noesn" }, IKE_DH_MODP_2048, false, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/NONE/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "ESP in IKE_AUTH: PFS configured, no D-H", IKE_PROTO_ESP,
	  { "aes128-sha256-modp2048" }, { "aes128-sha256-noesn" }, 0, true, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "ESP in IKE_AUTH: their D-H ignored", IKE_PROTO_ESP, { "aes128-sha256" },
	  { "aes128-sha256-ecp384-noesn" }, 0, true, 0,
	  "#1 ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ",
	  "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "ESP: PRF in ESP rejects the proposal", IKE_PROTO_ESP, { HAGW_ESP_DEFAULTS },
	  { "aes128gcm16-prfsha256-noesn", "aes128gcm16-noesn" }, 0, false, 0,
	  "#2 ESP:AES_GCM_16_128/NO_EXT_SEQ", "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "protocol mismatch skipped", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS },
	  { "aes128gcm16-noesn" }, 0, false, -ENOENT, NULL, NULL },
	{ "nothing offered", IKE_PROTO_IKE, { HAGW_IKE_DEFAULTS }, { NULL }, 0, false,
	  -ENOENT, NULL, NULL },
	{ "nothing configured", IKE_PROTO_ESP, { NULL }, { "aes128gcm16-noesn" }, 0, false,
	  -ENOENT, NULL, NULL },
};

static void
run_sel_case(const struct sel_case *c)
{
	struct ike_proposal ours[MAX_LIST], theirs[MAX_LIST], chosen;
	struct ike_select_opts o = { .protocol = c->proto, .ke_group = c->ke_group,
				     .no_dh = c->no_dh };
	/* the "protocol mismatch" case sends ESP proposals to an IKE selection */
	uint8_t their_proto = strstr(c->name, "mismatch") != NULL ? IKE_PROTO_ESP : c->proto;
	size_t n_ours = ours_list(c->proto, c->ours, ours);
	size_t n_theirs = theirs_list(their_proto, c->theirs, theirs);
	char text[TEXT_LEN];
	struct ike_suite s;
	int rc;

	memset(&chosen, 0xee, sizeof(chosen));
	rc = ike_proposal_select_opts(ours, n_ours, theirs, n_theirs, &o, &chosen, &s);
	check_int(c->name, rc, c->rc);
	if (rc != 0) {
		CU_ASSERT_EQUAL(s.encr, 0);
		return;
	}
	ike_proposal_describe(&chosen, text, sizeof(text));
	check_str(c->name, text, c->chosen);
	ike_suite_describe(&s, text, sizeof(text));
	check_str(c->name, text, c->suite);
	CU_ASSERT_EQUAL(chosen.spi_len, c->proto == IKE_PROTO_ESP ? 4 : 0);
	CU_ASSERT_EQUAL(memcmp(chosen.spi, theirs[chosen.num - 1].spi, sizeof(chosen.spi)), 0);
	/* the chosen proposal passes the initiator's check against what was sent */
	if (!c->no_dh) {
		struct ike_suite s2;

		check_int(c->name, ike_proposal_check_reply(theirs, n_theirs, &chosen, 1, &s2), 0);
		CU_ASSERT_EQUAL(memcmp(&s, &s2, sizeof(s)), 0);
	}
}

static void
test_select_table(void)
{
	for (size_t i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++)
		run_sel_case(&sel_cases[i]);
}

static void
test_select_plain_and_rekey(void)
{
	static const char *const ours_s[] = { HAGW_IKE_DEFAULTS, NULL };
	struct ike_proposal ours[MAX_LIST], theirs[2], chosen;
	static const uint8_t spi[IKE_SPI_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t n_ours = ours_list(IKE_PROTO_IKE, ours_s, ours);
	struct ike_suite s;
	char text[TEXT_LEN];

	/* IKE SA rekey: 8-byte SPI and the number kept */
	theirs[0] = raw(IKE_PROTO_IKE, 3, "aes128gcm16-prfsha256-ecp384-ecp256");
	theirs[0].spi_len = IKE_SPI_LEN;
	memcpy(theirs[0].spi, spi, sizeof(spi));
	CU_ASSERT_EQUAL(ike_proposal_select(ours, n_ours, theirs, 1, IKE_PROTO_IKE, &chosen, &s),
			0);
	ike_proposal_describe(&chosen, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "#3 IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256");
	CU_ASSERT_EQUAL(chosen.spi_len, IKE_SPI_LEN);
	CU_ASSERT_EQUAL(memcmp(chosen.spi, spi, sizeof(spi)), 0);
	CU_ASSERT_EQUAL(s.encr, IKE_ENCR_AES_GCM_16);
	CU_ASSERT_EQUAL(s.encr_key_bits, 128);
	CU_ASSERT_EQUAL(s.prf, IKE_PRF_HMAC_SHA2_256);
	CU_ASSERT_EQUAL(s.integ, IKE_INTEG_NONE);
	CU_ASSERT_EQUAL(s.dh, IKE_DH_ECP_256);
	CU_ASSERT_EQUAL(s.esn, 0);
	/* bad SPI sizes: 4 for IKE, 0 for ESP */
	theirs[0].spi_len = 4;
	CU_ASSERT_EQUAL(ike_proposal_select(ours, n_ours, theirs, 1, IKE_PROTO_IKE, &chosen, &s),
			-ENOENT);
	theirs[1] = raw(IKE_PROTO_ESP, 1, "aes256gcm16-noesn");
	theirs[1].spi_len = 0;
	ours[0] = raw(IKE_PROTO_ESP, 1, "aes256gcm16-noesn");
	CU_ASSERT_EQUAL(ike_proposal_select(ours, 1, &theirs[1], 1, IKE_PROTO_ESP, &chosen, &s),
			-ENOENT);
	/* too many transforms claimed */
	theirs[1].spi_len = 4;
	CU_ASSERT_EQUAL(ike_proposal_select(ours, 1, &theirs[1], 1, IKE_PROTO_ESP, &chosen, &s),
			0);
	theirs[1].n_transforms = IKE_TRANSFORMS_MAX + 1;
	CU_ASSERT_EQUAL(ike_proposal_select(ours, 1, &theirs[1], 1, IKE_PROTO_ESP, &chosen, &s),
			-ENOENT);
}

/* ---- INVALID_KE_PAYLOAD ---- */

static void
test_dh_check(void)
{
	static const struct {
		uint16_t chosen, ke;
		int rc;
		uint16_t wanted;
	} rows[] = {
		{ IKE_DH_CURVE25519, IKE_DH_CURVE25519, 0, 0xffff },
		{ IKE_DH_CURVE25519, IKE_DH_ECP_256, -EAGAIN, IKE_DH_CURVE25519 },
		{ IKE_DH_MODP_2048, IKE_DH_ECP_256, -EAGAIN, IKE_DH_MODP_2048 },
		{ IKE_DH_MODP_2048, IKE_DH_NONE, -EAGAIN, IKE_DH_MODP_2048 },  /* PFS, no KE */
		{ IKE_DH_NONE, IKE_DH_ECP_256, 0, 0xffff },      /* §3.3.6: KE ignored */
		{ IKE_DH_NONE, IKE_DH_NONE, 0, 0xffff },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ike_suite s = { .dh = rows[i].chosen };
		uint16_t wanted = 0xffff;

		CU_ASSERT_EQUAL(ike_proposal_dh_check(&s, rows[i].ke, &wanted), rows[i].rc);
		CU_ASSERT_EQUAL(wanted, rows[i].wanted);
	}
}

/* Select, then the KE check: INVALID_KE only when no acceptable choice
 * gives the KE's group, asking for our preferred group. */
static void
test_select_then_invalid_ke(void)
{
	static const char *const defaults_s[] = { HAGW_IKE_DEFAULTS, NULL };
	static const char *const modp_s[] = { "aes256-sha256-modp2048", NULL };
	static const char *const swan_s[] = { SWAN_IKE_CBC, SWAN_IKE_AEAD, NULL };
	static const struct {
		const char *const *ours;
		size_t n_swan;
		uint16_t ke;
		int rc;
		uint16_t wanted;
	} rows[] = {
		{ modp_s, 1, IKE_DH_CURVE25519, -EAGAIN, IKE_DH_MODP_2048 },
		{ modp_s, 1, IKE_DH_MODP_2048, 0, 0 },
		{ defaults_s, 2, IKE_DH_CURVE25519, 0, 0 },
		{ defaults_s, 2, IKE_DH_ECP_384, 0, 0 },
		{ defaults_s, 2, IKE_DH_MODP_2048, 0, 0 },
		{ defaults_s, 2, 32, -EAGAIN, IKE_DH_CURVE25519 },
		{ defaults_s, 2, 15, -EAGAIN, IKE_DH_CURVE25519 },
		{ defaults_s, 1, IKE_DH_CURVE25519, -EAGAIN, IKE_DH_MODP_2048 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ike_select_opts o = { .protocol = IKE_PROTO_IKE, .ke_group = rows[i].ke };
		struct ike_proposal ours[MAX_LIST], theirs[MAX_LIST], chosen;
		size_t n_ours = ours_list(IKE_PROTO_IKE, rows[i].ours, ours);
		size_t n_theirs = theirs_list(IKE_PROTO_IKE, swan_s, theirs);
		struct ike_suite s;
		uint16_t wanted = 0;

		CU_ASSERT_EQUAL(n_theirs, 2);
		CU_ASSERT_EQUAL(theirs[0].n_transforms, 34);
		CU_ASSERT_EQUAL(theirs[1].n_transforms, 36);
		CU_ASSERT_EQUAL(ike_proposal_select_opts(ours, n_ours, theirs, rows[i].n_swan, &o,
							 &chosen, &s), 0);
		check_int("INVALID_KE row", ike_proposal_dh_check(&s, rows[i].ke, &wanted),
			  rows[i].rc);
		check_int("INVALID_KE wanted", wanted, rows[i].wanted);
	}
}

/* ---- the initiator's check of the reply ---- */

struct reply_case {
	const char *name;
	uint8_t proto;
	uint8_t num;
	const char *reply;
	int rc;
	const char *suite;
};

static const char *const init_ike[] = {
	"aes128-sha256-x25519", "aes256gcm16-prfsha384-ecp384", NULL,
};
static const char *const init_esp[] = {
	"aes128gcm16-esn-noesn", "aes128-sha256-modp2048", NULL,
};

static const struct reply_case reply_cases[] = {
	{ "AEAD", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-ecp384", 0,
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "CBC, any order", IKE_PROTO_IKE, 1, "x25519-sha256-prfsha256-aes128", 0,
	  "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "AEAD with integrity NONE", IKE_PROTO_IKE, 2, "aes256gcm16-inone-prfsha384-ecp384", 0,
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
	{ "two ENCR", IKE_PROTO_IKE, 1, "aes128-aes128-sha256-prfsha256-x25519", -EBADMSG, "" },
	{ "two D-H", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-ecp384-ecp384", -EBADMSG, "" },
	{ "two INTEG", IKE_PROTO_IKE, 1, "aes128-sha256-inone-prfsha256-x25519", -EBADMSG, "" },
	{ "ENCR not offered", IKE_PROTO_IKE, 1, "aes256-sha256-prfsha256-x25519", -EBADMSG, "" },
	{ "group of another proposal", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-x25519",
	  -EBADMSG, "" },
	{ "unknown number", IKE_PROTO_IKE, 3, "aes256gcm16-prfsha384-ecp384", -EBADMSG, "" },
	{ "no D-H", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384", -EBADMSG, "" },
	{ "no PRF", IKE_PROTO_IKE, 2, "aes256gcm16-ecp384", -EBADMSG, "" },
	{ "no ENCR", IKE_PROTO_IKE, 1, "sha256-prfsha256-x25519", -EBADMSG, "" },
	{ "CBC without INTEG", IKE_PROTO_IKE, 1, "aes128-prfsha256-x25519", -EBADMSG, "" },
	{ "CBC with INTEG NONE", IKE_PROTO_IKE, 1, "aes128-inone-prfsha256-x25519", -EBADMSG,
	  "" },
	{ "unknown type", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-ecp384-t6", -EBADMSG, "" },
	{ "ESN in IKE", IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-ecp384-noesn", -EBADMSG, "" },
	{ "ESP: ESN", IKE_PROTO_ESP, 1, "aes128gcm16-esn", 0, "AES_GCM_16_128/EXT_SEQ" },
	{ "ESP: absent ESN", IKE_PROTO_ESP, 1, "aes128gcm16", 0, "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "ESP: both ESN", IKE_PROTO_ESP, 1, "aes128gcm16-esn-noesn", -EBADMSG, "" },
	{ "ESP: PFS group", IKE_PROTO_ESP, 2, "aes128-sha256-modp2048-noesn", 0,
	  "AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ" },
	{ "ESP: PFS group missing", IKE_PROTO_ESP, 2, "aes128-sha256-noesn", -EBADMSG, "" },
	{ "ESP: group not offered", IKE_PROTO_ESP, 2, "aes128-sha256-ecp256-noesn", -EBADMSG,
	  "" },
	{ "ESP: ESN not offered", IKE_PROTO_ESP, 2, "aes128-sha256-modp2048-esn", -EBADMSG, "" },
	{ "ESP: D-H NONE where none offered", IKE_PROTO_ESP, 1, "aes128gcm16-dnone-noesn", 0,
	  "AES_GCM_16_128/NO_EXT_SEQ" },
	{ "ESP: PRF", IKE_PROTO_ESP, 1, "aes128gcm16-prfsha256-noesn", -EBADMSG, "" },
};

static void
test_reply_table(void)
{
	struct ike_proposal ike[MAX_LIST], esp[MAX_LIST];
	size_t n_ike = ours_list(IKE_PROTO_IKE, init_ike, ike);
	size_t n_esp = ours_list(IKE_PROTO_ESP, init_esp, esp);

	for (size_t i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];
		bool is_ike = c->proto == IKE_PROTO_IKE;
		struct ike_proposal r = raw(c->proto, c->num, c->reply);
		char text[TEXT_LEN];
		struct ike_suite s;

		memset(&s, 0xee, sizeof(s));
		check_int(c->name, ike_proposal_check_reply(is_ike ? ike : esp,
							    is_ike ? n_ike : n_esp, &r, 1, &s),
			  c->rc);
		ike_suite_describe(&s, text, sizeof(text));
		check_str(c->name, text, c->suite);
	}
}

static void
test_reply_shape(void)
{
	struct ike_proposal ike[MAX_LIST], esp[MAX_LIST], r[2];
	size_t n_ike = ours_list(IKE_PROTO_IKE, init_ike, ike);
	size_t n_esp = ours_list(IKE_PROTO_ESP, init_esp, esp);
	struct ike_suite s;
	char text[TEXT_LEN];

	r[0] = raw(IKE_PROTO_IKE, 2, "aes256gcm16-prfsha384-ecp384");
	r[1] = r[0];
	CU_ASSERT_EQUAL(ike_proposal_check_reply(ike, n_ike, r, 1, &s), 0);
	CU_ASSERT_EQUAL(ike_proposal_check_reply(ike, n_ike, r, 2, &s), -EBADMSG);
	CU_ASSERT_EQUAL(ike_proposal_check_reply(ike, n_ike, r, 0, &s), -EBADMSG);
	/* an ESP reply to IKE proposals, an IKE reply with a 4-byte SPI */
	r[1] = raw(IKE_PROTO_ESP, 2, "aes256gcm16-prfsha384-ecp384");
	CU_ASSERT_EQUAL(ike_proposal_check_reply(ike, n_ike, &r[1], 1, &s), -EBADMSG);
	r[0].spi_len = 4;
	CU_ASSERT_EQUAL(ike_proposal_check_reply(ike, n_ike, r, 1, &s), -EBADMSG);
	/* ESP with no SPI */
	r[0] = raw(IKE_PROTO_ESP, 1, "aes128gcm16-noesn");
	CU_ASSERT_EQUAL(ike_proposal_check_reply(esp, n_esp, r, 1, &s), 0);
	r[0].spi_len = 0;
	CU_ASSERT_EQUAL(ike_proposal_check_reply(esp, n_esp, r, 1, &s), -EBADMSG);
	/* IKE_AUTH: we send ours without D-H; the reply has none */
	ike_proposal_strip_dh(esp, n_esp);
	ike_proposal_describe(&esp[1], text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "#2 ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ");
	r[0] = raw(IKE_PROTO_ESP, 2, "aes128-sha256-noesn");
	CU_ASSERT_EQUAL(ike_proposal_check_reply(esp, n_esp, r, 1, &s), 0);
	ike_suite_describe(&s, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ");
	r[0] = raw(IKE_PROTO_ESP, 2, "aes128-sha256-modp2048-noesn");
	CU_ASSERT_EQUAL(ike_proposal_check_reply(esp, n_esp, r, 1, &s), -EBADMSG);
}

/* ---- names ---- */

static void
test_describe(void)
{
	static const struct {
		struct ike_suite s;
		const char *want;
	} rows[] = {
		{ { IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		    IKE_DH_MODP_2048, 0 },
		  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
		{ { IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_NONE,
		    IKE_DH_ECP_384, 0 }, "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" },
		{ { IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256,
		    IKE_DH_ECP_521, 0 },
		  "AES_CBC_128/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_521" },
		{ { IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_NONE, IKE_DH_NONE, IKE_ESN_NO },
		  "AES_GCM_16_128/NO_EXT_SEQ" },
		{ { IKE_ENCR_CHACHA20_POLY1305, 0, 0, IKE_INTEG_NONE, IKE_DH_CURVE25519,
		    IKE_ESN_YES }, "CHACHA20_POLY1305/CURVE_25519/EXT_SEQ" },
		{ { IKE_ENCR_AES_CBC, 128, 0, IKE_INTEG_HMAC_SHA2_384_192, IKE_DH_ECP_256,
		    IKE_ESN_NO }, "AES_CBC_128/HMAC_SHA2_384_192/ECP_256/NO_EXT_SEQ" },
		{ { 99, 0, 77, 66, 55, 0 }, "ENCR_99/INTEG_66/PRF_77/DH_55" },
		{ { 0, 0, 0, 0, 0, 0 }, "" },
	};
	static const struct ike_suite gcm = { IKE_ENCR_AES_GCM_16, 128, 0, 0, 0, 0 };
	char buf[TEXT_LEN];
	struct ike_transform t = { 9, 3, 0 };
	struct ike_proposal p;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ike_suite_describe(&rows[i].s, buf, sizeof(buf));
		check_str("suite", buf, rows[i].want);
	}
	ike_suite_describe(&gcm, buf, 10);
	CU_ASSERT_STRING_EQUAL(buf, "AES_GCM_1");
	ike_suite_describe(&gcm, buf, 1);
	CU_ASSERT_STRING_EQUAL(buf, "");
	ike_transform_describe(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "TYPE9_3");
	t = (struct ike_transform){ IKE_TF_ENCR, IKE_ENCR_AES_CBC, 192 };
	ike_transform_describe(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "AES_CBC_192");
	p = raw(IKE_PROTO_AH, 4, "aes128gcm16");
	ike_proposal_describe(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "#4 PROTO2:AES_GCM_16_128");
	/* the longest suite fits IKE_SUITE_STR_LEN */
	ike_suite_describe(&(struct ike_suite){ IKE_ENCR_CHACHA20_POLY1305, 0,
		IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256, IKE_DH_CURVE25519, 0 },
		buf, sizeof(buf));
	CU_ASSERT(strlen(buf) < IKE_SUITE_STR_LEN);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_proposal", NULL, NULL);
	CU_add_test(s, "parse table", test_parse_table);
	CU_add_test(s, "parse details", test_parse_details);
	CU_add_test(s, "select table", test_select_table);
	CU_add_test(s, "select plain, rekey, SPI sizes", test_select_plain_and_rekey);
	CU_add_test(s, "dh check", test_dh_check);
	CU_add_test(s, "select then INVALID_KE", test_select_then_invalid_ke);
	CU_add_test(s, "reply table", test_reply_table);
	CU_add_test(s, "reply shape", test_reply_shape);
	CU_add_test(s, "describe", test_describe);
	return cu_run_registered();
}
