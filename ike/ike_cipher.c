/* Parameters of the IKE/ESP encryption and integrity transforms (RFC 3602,
 * RFC 5282 §7.1, RFC 4106 §8.1, RFC 7634 §2-3, RFC 4868 §2) and the OpenSSL
 * algorithm handles fetched once per process (explicit fetching avoids a
 * provider lookup on every operation). */
#include <errno.h>

#include <openssl/crypto.h>

#include "ike/ike_cipher.h"

enum { KEY_BITS_128 = 128, KEY_BITS_256 = 256, BITS_PER_OCTET = 8 };

/* Index into the fetched cipher table. */
enum cipher_slot {
	SLOT_AES_128_CBC,
	SLOT_AES_256_CBC,
	SLOT_AES_128_GCM,
	SLOT_AES_256_GCM,
	SLOT_CHACHA20_POLY1305,
	SLOT_COUNT,
};

struct encr_row {
	struct ike_encr_info info;
	enum cipher_slot slot;
	const char *name;            /* OpenSSL cipher name */
};

#define CBC(bits, slot_, name_) { .info = { .encr = IKE_ENCR_AES_CBC, .key_bits = (bits), \
	.key_len = (bits) / BITS_PER_OCTET, .iv_len = IKE_AES_CBC_IV_LEN, \
	.block_len = IKE_AES_BLOCK_LEN }, .slot = (slot_), .name = (name_) }
#define AEAD(id, bits, slot_, name_) { .info = { .encr = (id), .key_bits = (bits), \
	.key_len = (bits) / BITS_PER_OCTET + IKE_AEAD_SALT_LEN, .salt_len = IKE_AEAD_SALT_LEN, \
	.iv_len = IKE_AEAD_IV_LEN, .block_len = 1, .icv_len = IKE_AEAD_ICV_LEN, .aead = true }, \
	.slot = (slot_), .name = (name_) }

static const struct encr_row encr_rows[] = {
	CBC(KEY_BITS_128, SLOT_AES_128_CBC, "AES-128-CBC"),
	CBC(KEY_BITS_256, SLOT_AES_256_CBC, "AES-256-CBC"),
	AEAD(IKE_ENCR_AES_GCM_16, KEY_BITS_128, SLOT_AES_128_GCM, "AES-128-GCM"),
	AEAD(IKE_ENCR_AES_GCM_16, KEY_BITS_256, SLOT_AES_256_GCM, "AES-256-GCM"),
	AEAD(IKE_ENCR_CHACHA20_POLY1305, KEY_BITS_256, SLOT_CHACHA20_POLY1305,
	     "ChaCha20-Poly1305"),
};

#undef CBC
#undef AEAD

static const struct ike_integ_info integ_rows[] = {
	{ IKE_INTEG_NONE, 0, 0, NULL },
	{ IKE_INTEG_HMAC_SHA2_256_128, 32, 16, "SHA2-256" },
	{ IKE_INTEG_HMAC_SHA2_384_192, 48, 24, "SHA2-384" },
	{ IKE_INTEG_HMAC_SHA2_512_256, 64, 32, "SHA2-512" },
};

static CRYPTO_ONCE fetch_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_CIPHER *ciphers[SLOT_COUNT];
static EVP_MAC *hmac;

static void
fetch_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(encr_rows) / sizeof(encr_rows[0]); i++)
		ciphers[encr_rows[i].slot] = EVP_CIPHER_fetch(NULL, encr_rows[i].name, NULL);
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const struct encr_row *
encr_row_find(uint16_t encr, uint16_t key_bits)
{
	size_t i;

	/* RFC 7634 §4: ChaCha20-Poly1305 has no Key Length attribute. */
	if (encr == IKE_ENCR_CHACHA20_POLY1305 && key_bits == 0)
		key_bits = KEY_BITS_256;
	for (i = 0; i < sizeof(encr_rows) / sizeof(encr_rows[0]); i++)
		if (encr_rows[i].info.encr == encr && encr_rows[i].info.key_bits == key_bits)
			return &encr_rows[i];
	return NULL;
}

int
ike_cipher_encr_info(uint16_t encr, uint16_t key_bits, struct ike_encr_info *out)
{
	const struct encr_row *row = encr_row_find(encr, key_bits);

	if (row == NULL)
		return -ENOTSUP;
	*out = row->info;
	return 0;
}

int
ike_cipher_integ_info(uint16_t integ, struct ike_integ_info *out)
{
	size_t i;

	for (i = 0; i < sizeof(integ_rows) / sizeof(integ_rows[0]); i++) {
		if (integ_rows[i].integ == integ) {
			*out = integ_rows[i];
			return 0;
		}
	}
	return -ENOTSUP;
}

int
ike_cipher_suite_info(const struct ike_suite *s, struct ike_encr_info *encr,
		      struct ike_integ_info *integ)
{
	int rc;

	rc = ike_cipher_encr_info(s->encr, s->encr_key_bits, encr);
	if (rc != 0)
		return rc;
	rc = ike_cipher_integ_info(s->integ, integ);
	if (rc != 0)
		return rc;
	/* RFC 5282 §8: AEADs take no integrity transform; CBC needs one. */
	if (encr->aead != (integ->integ == IKE_INTEG_NONE))
		return -ENOTSUP;
	return 0;
}

const EVP_CIPHER *
ike_cipher_evp(const struct ike_encr_info *e)
{
	const struct encr_row *row = encr_row_find(e->encr, e->key_bits);

	if (row == NULL || !CRYPTO_THREAD_run_once(&fetch_once, fetch_all))
		return NULL;
	return ciphers[row->slot];
}

EVP_MAC *
ike_cipher_hmac(void)
{
	if (!CRYPTO_THREAD_run_once(&fetch_once, fetch_all))
		return NULL;
	return hmac;
}
