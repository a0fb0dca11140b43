/*
 * ESP reference for the transform tests (see esp_ref.h): OpenSSL EVP and
 * HMAC, byte-by-byte checksums, packet builders. Nothing here comes from
 * dataplane/.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/unit/dataplane/esp_ref.h"

enum {
	REF_SALT = 4,
	REF_AEAD_IV = 8,
	REF_CBC_IV = 16,
	REF_NONCE = 12,
	REF_HDR = 8,
	REF_IPV4 = 20,
	REF_IPV6 = 40,
	REF_UDP = 8,
	REF_NATT_PORT = 4500,
	REF_PORT_A = 5000,
	REF_PORT_B = 6000,
	REF_TTL = 64,
	REF_SHA256 = 32,
};

static bool
aead(enum dp_sa_alg alg)
{
	return alg == DP_SA_AES_GCM_128 || alg == DP_SA_AES_GCM_256 ||
	       alg == DP_SA_CHACHA20_POLY1305;
}

uint8_t
ref_iv_len(enum dp_sa_alg alg)
{
	return aead(alg) ? REF_AEAD_IV : REF_CBC_IV;
}

uint8_t
ref_block(enum dp_sa_alg alg)
{
	return aead(alg) ? 4 : 16;
}

static const EVP_CIPHER *
cipher(const struct ref_sa *sa)
{
	switch (sa->alg) {
	case DP_SA_AES_GCM_128:
		return EVP_aes_128_gcm();
	case DP_SA_AES_GCM_256:
		return EVP_aes_256_gcm();
	case DP_SA_AES_CBC_128_SHA256:
		return EVP_aes_128_cbc();
	case DP_SA_AES_CBC_256_SHA256:
		return EVP_aes_256_cbc();
	default:
		return EVP_chacha20_poly1305();
	}
}

/* AAD: SPI || [seq_hi] || seq_lo (RFC 4106 §5, RFC 7634 §2.1). */
static int
aad(const struct ref_sa *sa, const uint8_t *esp, uint32_t seq_hi, uint8_t *out)
{
	uint8_t hi[4] = { seq_hi >> 24, seq_hi >> 16, seq_hi >> 8, seq_hi };

	memcpy(out, esp, 4);
	if (!sa->esn) {
		memcpy(out + 4, esp + 4, 4);
		return 8;
	}
	memcpy(out + 4, hi, 4);
	memcpy(out + 8, esp + 4, 4);
	return 12;
}

static int
aead_run(const struct ref_sa *sa, uint8_t *esp, uint32_t len, uint32_t seq_hi, bool enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[REF_NONCE], a[12];
	uint8_t *data = esp + REF_HDR + REF_AEAD_IV;
	int alen = aad(sa, esp, seq_hi, a), out = 0, ok;

	memcpy(nonce, sa->key + sa->key_len - REF_SALT, REF_SALT);
	memcpy(nonce + REF_SALT, esp + REF_HDR, REF_AEAD_IV);
	ok = EVP_CipherInit_ex(c, cipher(sa), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, REF_NONCE, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, sa->key, nonce, enc) &&
	     EVP_CipherUpdate(c, NULL, &out, a, alen);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, REF_ICV_LEN, data + len);
	ok = ok && EVP_CipherUpdate(c, data, &out, data, (int)len) &&
	     EVP_CipherFinal_ex(c, data + out, &out);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, REF_ICV_LEN, data + len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int
cbc_run(const struct ref_sa *sa, uint8_t *data, const uint8_t *iv, uint32_t len, bool enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int out = 0, ok;

	ok = EVP_CipherInit_ex(c, cipher(sa), NULL, sa->key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_CipherUpdate(c, data, &out, data, (int)len) &&
	     EVP_CipherFinal_ex(c, data + out, &out);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* HMAC-SHA-256-128 over header || IV || ciphertext || [seq_hi] (RFC 4303 §3.3.2.1). */
static void
cbc_icv(const struct ref_sa *sa, const uint8_t *esp, uint32_t len, uint32_t seq_hi,
	uint8_t icv[REF_ICV_LEN])
{
	uint8_t msg[REF_PKT_MAX + 4], md[REF_SHA256];
	uint32_t n = REF_HDR + REF_CBC_IV + len;
	unsigned int md_len = sizeof(md);

	memcpy(msg, esp, n);
	if (sa->esn) {
		uint8_t hi[4] = { seq_hi >> 24, seq_hi >> 16, seq_hi >> 8, seq_hi };

		memcpy(msg + n, hi, 4);
		n += 4;
	}
	HMAC(EVP_sha256(), sa->auth_key, REF_SHA256, msg, n, md, &md_len);
	memcpy(icv, md, REF_ICV_LEN);
}

int
ref_seal(const struct ref_sa *sa, uint8_t *esp, uint32_t payload_len, uint32_t seq_hi)
{
	uint8_t *data = esp + REF_HDR + REF_CBC_IV;

	if (aead(sa->alg))
		return aead_run(sa, esp, payload_len, seq_hi, true);
	if (cbc_run(sa, data, esp + REF_HDR, payload_len, true) < 0)
		return -1;
	cbc_icv(sa, esp, payload_len, seq_hi, data + payload_len);
	return 0;
}

int
ref_open(const struct ref_sa *sa, uint8_t *esp, uint32_t payload_len, uint32_t seq_hi)
{
	uint8_t *data = esp + REF_HDR + REF_CBC_IV;
	uint8_t icv[REF_ICV_LEN];

	if (aead(sa->alg))
		return aead_run(sa, esp, payload_len, seq_hi, false);
	cbc_icv(sa, esp, payload_len, seq_hi, icv);
	if (memcmp(icv, data + payload_len, REF_ICV_LEN) != 0)
		return -1;
	return cbc_run(sa, data, esp + REF_HDR, payload_len, false);
}

void
ref_cbc_iv(const struct ref_sa *sa, uint64_t nonce, uint8_t iv[16])
{
	const EVP_CIPHER *ecb = sa->alg == DP_SA_AES_CBC_128_SHA256 ? EVP_aes_128_ecb() :
								      EVP_aes_256_ecb();
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int out = 0;

	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(nonce >> (56 - 8 * i));
	memset(iv + 8, 0, 8);
	EVP_EncryptInit_ex(c, ecb, NULL, sa->key, NULL);
	EVP_CIPHER_CTX_set_padding(c, 0);
	EVP_EncryptUpdate(c, iv, &out, iv, 16);
	EVP_CIPHER_CTX_free(c);
}

uint16_t
ref_csum(const uint8_t *b, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

bool
ref_ipv4_csum_ok(const uint8_t *ip)
{
	return ref_csum(ip, (ip[0] & 0xf) * 4u, 0) == 0xffff;
}

/* IPv6 pseudo header (RFC 8200 §8.1) + the UDP datagram. */
static uint16_t
udp6_sum(const uint8_t *ip)
{
	uint32_t len = (uint32_t)ip[4] << 8 | ip[5];
	uint32_t sum = ref_csum(ip + 8, 32, 0);

	sum += len + IPPROTO_UDP;
	return ref_csum(ip + REF_IPV6, len, sum);
}

bool
ref_udp6_csum_ok(const uint8_t *ip)
{
	const uint8_t *udp = ip + REF_IPV6;

	return (udp[6] != 0 || udp[7] != 0) && udp6_sum(ip) == 0xffff;
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void
udp_payload(uint8_t *udp, uint16_t payload_len)
{
	put16(udp, REF_PORT_A);
	put16(udp + 2, REF_PORT_B);
	put16(udp + 4, REF_UDP + payload_len);
	put16(udp + 6, 0);
	for (uint16_t i = 0; i < payload_len; i++)
		udp[REF_UDP + i] = (uint8_t)(i * 7 + 3);
}

uint16_t
ref_ipv4_udp(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint8_t tos, bool df,
	     uint16_t payload_len)
{
	uint16_t len = REF_IPV4 + REF_UDP + payload_len;
	uint8_t *udp = out + REF_IPV4;
	uint32_t sum;

	memset(out, 0, REF_IPV4);
	out[0] = 0x45;
	out[1] = tos;
	put16(out + 2, len);
	put16(out + 4, 0x1234);
	out[6] = df ? 0x40 : 0;
	out[8] = REF_TTL;
	out[9] = IPPROTO_UDP;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	put16(out + 10, (uint16_t)~ref_csum(out, REF_IPV4, 0));
	udp_payload(udp, payload_len);
	sum = ref_csum(out + 12, 8, 0) + IPPROTO_UDP + REF_UDP + payload_len;
	put16(udp + 6, (uint16_t)~ref_csum(udp, REF_UDP + payload_len, sum));
	return len;
}

uint16_t
ref_ipv6_udp(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint8_t tc,
	     uint16_t payload_len)
{
	uint16_t udp_len = REF_UDP + payload_len;

	memset(out, 0, REF_IPV6);
	out[0] = 0x60 | tc >> 4;
	out[1] = (uint8_t)(tc << 4) | 0x0a;	/* flow label 0xa0bcd */
	out[2] = 0x0b;
	out[3] = 0xcd;
	put16(out + 4, udp_len);
	out[6] = IPPROTO_UDP;
	out[7] = REF_TTL;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	udp_payload(out + REF_IPV6, payload_len);
	put16(out + REF_IPV6 + 6, (uint16_t)~udp6_sum(out));
	return REF_IPV6 + udp_len;
}

uint16_t
ref_trailer(uint8_t *buf, uint16_t len, enum dp_sa_alg alg, uint8_t nh)
{
	uint8_t block = ref_block(alg);
	uint8_t pad = (uint8_t)((block - (len + 2) % block) % block);

	for (uint8_t i = 0; i < pad; i++)
		buf[len + i] = i + 1;
	buf[len + pad] = pad;
	buf[len + pad + 1] = nh;
	return len + pad + 2;
}

static uint16_t
outer_header(uint8_t *out, const struct ref_outer *o, uint16_t len, uint8_t proto)
{
	if (o->family == AF_INET) {
		memset(out, 0, REF_IPV4);
		out[0] = 0x45;
		out[1] = o->tos;
		put16(out + 2, len);
		out[8] = REF_TTL;
		out[9] = proto;
		memcpy(out + 12, o->src, 4);
		memcpy(out + 16, o->dst, 4);
		put16(out + 10, (uint16_t)~ref_csum(out, REF_IPV4, 0));
		return REF_IPV4;
	}
	memset(out, 0, REF_IPV6);
	out[0] = 0x60 | o->tos >> 4;
	out[1] = (uint8_t)(o->tos << 4);
	put16(out + 4, len - REF_IPV6);
	out[6] = proto;
	out[7] = REF_TTL;
	memcpy(out + 8, o->src, 16);
	memcpy(out + 24, o->dst, 16);
	return REF_IPV6;
}

uint16_t
ref_esp_packet(uint8_t *out, const struct ref_outer *o, const struct ref_sa *sa, uint32_t spi,
	       uint64_t seq, uint64_t iv_nonce, const uint8_t *plain, uint16_t plain_len)
{
	uint8_t iv_len = ref_iv_len(sa->alg);
	uint16_t ip_len = o->family == AF_INET ? REF_IPV4 : REF_IPV6;
	uint16_t udp = o->udp ? REF_UDP : 0;
	uint16_t len = ip_len + udp + REF_HDR + iv_len + plain_len + REF_ICV_LEN;
	uint8_t *esp = out + ip_len + udp;

	outer_header(out, o, len, o->udp ? IPPROTO_UDP : IPPROTO_ESP);
	if (o->udp) {
		put16(out + ip_len, REF_NATT_PORT);
		put16(out + ip_len + 2, REF_NATT_PORT);
		put16(out + ip_len + 4, len - ip_len);
		put16(out + ip_len + 6, 0);
	}
	put16(esp, spi >> 16);
	put16(esp + 2, spi & 0xffff);
	put16(esp + 4, (uint16_t)(seq >> 16));
	put16(esp + 6, (uint16_t)seq);
	if (aead(sa->alg)) {
		for (int i = 0; i < 8; i++)
			esp[REF_HDR + i] = (uint8_t)(iv_nonce >> (56 - 8 * i));
	} else {
		ref_cbc_iv(sa, iv_nonce, esp + REF_HDR);
	}
	memcpy(esp + REF_HDR + iv_len, plain, plain_len);
	ref_seal(sa, esp, plain_len, (uint32_t)(seq >> 32));
	return len;
}
