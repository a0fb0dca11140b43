/*
 * Unit tests of the secure sync channel (ha/ha_chan.c): two channels run
 * the HELLO exchange in memory and exchange DATA both ways; the derived
 * keys are checked against HKDF computed independently (EVP_PKEY_HKDF,
 * itself checked on RFC 5869 A.1), the HELLO tag against a one-shot HMAC
 * and a DATA datagram is opened with EVP directly. Then every way a
 * datagram must be dropped (tampering at each octet, replays, truncation,
 * wrong PSK, foreign nodes, versions), old HELLOs replayed against a
 * working session, peer restarts, resets, the PSK file checks and wiping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "ha/ha_chan.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	NODE_A = 1,
	NODE_B = 2,
	PSK_LEN = 32,
	OKM_LEN = 76,
};

static uint8_t psk[HA_CHAN_PSK_MAX];
static struct ha_chan a, b;
static uint8_t dg[HA_WIRE_DGRAM_MAX], dg2[HA_WIRE_DGRAM_MAX];
static const struct ha_wire_hello hello_body = {
	.priority = 100, .role = HA_WIRE_ROLE_INIT, .caps = HA_CAP_SEQ_SYNC, .epoch = 3,
	.boot_id = 0x1234,
};

static void
fill_psk(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 3 * i);
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *q = p;

	for (size_t i = 0; i < n; i++)
		if (q[i] != 0)
			return false;
	return true;
}

/* FROM sends a HELLO to TO; TO's verdict, RX filled. */
static int
send_hello(struct ha_chan *from, struct ha_chan *to, struct ha_chan_rx *rx)
{
	ssize_t n = ha_chan_hello(from, 0, &hello_body, dg, sizeof(dg));

	CU_ASSERT_EQUAL_FATAL(n, HA_CHAN_HELLO_DGRAM_LEN);
	return ha_chan_open(to, dg, (size_t)n, rx);
}

/* FROM seals MSG (as the plaintext) into DG: its length. */
static size_t
seal(struct ha_chan *from, const char *msg, uint8_t *out)
{
	ssize_t n = ha_chan_seal(from, 1, (const uint8_t *)msg, strlen(msg), out,
				 HA_WIRE_DGRAM_MAX);

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(n, (ssize_t)(HA_CHAN_DATA_OVERHEAD + strlen(msg)));
	return (size_t)n;
}

/* FROM sends MSG to TO, which must open it. */
static void
data_ok(struct ha_chan *from, struct ha_chan *to, const char *msg, bool new_session)
{
	struct ha_chan_rx rx;
	size_t n = seal(from, msg, dg);

	CU_ASSERT_EQUAL_FATAL(ha_chan_open(to, dg, n, &rx), 0);
	CU_ASSERT_FALSE(rx.is_hello);
	CU_ASSERT_EQUAL(rx.new_session, new_session);
	CU_ASSERT_EQUAL(rx.plain_len, strlen(msg));
	CU_ASSERT_EQUAL(memcmp(rx.plain, msg, rx.plain_len), 0);
	CU_ASSERT_PTR_EQUAL(rx.plain, dg + HA_WIRE_HDR_LEN);
}

/* The HELLO exchange step by step, then DATA confirming both sides. */
static void
handshake(struct ha_chan *x, struct ha_chan *y)
{
	struct ha_chan_rx rx;

	CU_ASSERT_EQUAL(send_hello(x, y, &rx), 0);		/* x: nonce, no echo */
	CU_ASSERT_TRUE(rx.is_hello);
	CU_ASSERT_TRUE(rx.want_hello);
	CU_ASSERT_FALSE(rx.fresh);
	CU_ASSERT_FALSE(y->next.valid);
	CU_ASSERT_EQUAL(send_hello(y, x, &rx), 0);		/* y echoes x */
	CU_ASSERT_TRUE(rx.want_hello);
	CU_ASSERT_TRUE(rx.fresh);
	CU_ASSERT_TRUE(x->next.valid);
	CU_ASSERT_FALSE(ha_chan_up(x));
	CU_ASSERT_EQUAL(send_hello(x, y, &rx), 0);		/* x echoes y */
	CU_ASSERT_TRUE(rx.want_hello);
	CU_ASSERT_TRUE(y->next.valid);
	CU_ASSERT_EQUAL(send_hello(y, x, &rx), 0);		/* nothing new */
	CU_ASSERT_FALSE(rx.want_hello);
	CU_ASSERT_TRUE(rx.fresh);
	data_ok(x, y, "first", true);
	CU_ASSERT_TRUE(ha_chan_up(y));
	CU_ASSERT_FALSE(ha_chan_up(x));
	data_ok(y, x, "second", true);
	CU_ASSERT_TRUE(ha_chan_up(x));
	CU_ASSERT_FALSE(x->next.valid);
	CU_ASSERT_FALSE(y->next.valid);
}

static void
pair_init(void)
{
	fill_psk(psk, sizeof(psk), 7);
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&a, NODE_A, NODE_B, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, psk, PSK_LEN), 0);
}

static void
pair_up(void)
{
	pair_init();
	handshake(&a, &b);
}

static void
pair_fini(void)
{
	ha_chan_fini(&a);
	ha_chan_fini(&b);
}

/*
 * Both sides as ha.c runs them: while not up, a HELLO and (if a derived
 * session is pending) DATA every round; a HELLO answered at once when
 * want_hello. Rounds until both are up, or -1.
 */
static int
pump(struct ha_chan *x, struct ha_chan *y, int rounds)
{
	struct ha_chan *side[2] = { x, y };
	bool want[2] = { false, false };
	struct ha_chan_rx rx;
	ssize_t n;

	for (int r = 0; r < rounds; r++) {
		if (ha_chan_up(x) && ha_chan_up(y))
			return r;
		for (int i = 0; i < 2; i++) {
			struct ha_chan *s = side[i], *o = side[1 - i];

			if (!ha_chan_up(s) || want[i]) {
				want[i] = false;
				if (send_hello(s, o, &rx) == 0 && rx.want_hello)
					want[1 - i] = true;
			}
			n = ha_chan_seal(s, 0, (const uint8_t *)"hb", 2, dg, sizeof(dg));
			if (n > 0)
				ha_chan_open(o, dg, (size_t)n, &rx);
		}
	}
	return ha_chan_up(x) && ha_chan_up(y) ? rounds : -1;
}

/* ---- independent references ---- */

static void
ref_hkdf(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
	 const uint8_t *info, size_t info_len, uint8_t *okm, size_t okm_len)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t len = okm_len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pctx);
	CU_ASSERT_EQUAL(EVP_PKEY_derive_init(pctx), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_CTX_set1_hkdf_salt(pctx, salt, (int)salt_len), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_CTX_set1_hkdf_key(pctx, ikm, (int)ikm_len), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_CTX_add1_hkdf_info(pctx, info, (int)info_len), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_derive(pctx, okm, &len), 1);
	CU_ASSERT_EQUAL(len, okm_len);
	EVP_PKEY_CTX_free(pctx);
}

/* RFC 5869 A.1 through the reference: the reference itself is right. */
static void
test_ref_hkdf_rfc5869(void)
{
	static const uint8_t salt[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t info[] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
					0xf8, 0xf9 };
	static const uint8_t want[42] = {
		0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64,
		0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c,
		0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34, 0x00, 0x72, 0x08,
		0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65,
	};
	uint8_t ikm[22], okm[42];

	memset(ikm, 0x0b, sizeof(ikm));
	ref_hkdf(ikm, sizeof(ikm), salt, sizeof(salt), info, sizeof(info), okm, sizeof(okm));
	CU_ASSERT_EQUAL(memcmp(okm, want, sizeof(want)), 0);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The OKM of the session between A (lower id) and B. */
static void
expected_okm(uint8_t *okm)
{
	uint8_t salt[2 * HA_WIRE_NONCE_LEN];
	uint8_t info[] = "hagw sync v1\0\1\0\2";

	memcpy(salt, a.nonce, HA_WIRE_NONCE_LEN);
	memcpy(salt + HA_WIRE_NONCE_LEN, b.nonce, HA_WIRE_NONCE_LEN);
	ref_hkdf(psk, PSK_LEN, salt, sizeof(salt), info, sizeof(info) - 1, okm, OKM_LEN);
}

static void
test_keys(void)
{
	uint8_t okm[OKM_LEN];

	pair_up();
	expected_okm(okm);
	CU_ASSERT_EQUAL(memcmp(a.cur.tx.key, okm, 32), 0);
	CU_ASSERT_EQUAL(memcmp(a.cur.tx.salt, okm + 32, 4), 0);
	CU_ASSERT_EQUAL(memcmp(a.cur.rx.key, okm + 36, 32), 0);
	CU_ASSERT_EQUAL(memcmp(a.cur.rx.salt, okm + 68, 4), 0);
	CU_ASSERT_EQUAL(a.cur.id, be32(okm + 72));
	CU_ASSERT_EQUAL(memcmp(&b.cur.tx, &a.cur.rx, sizeof(b.cur.tx)), 0);
	CU_ASSERT_EQUAL(memcmp(&b.cur.rx, &a.cur.tx, sizeof(b.cur.rx)), 0);
	CU_ASSERT_EQUAL(b.cur.id, a.cur.id);
	CU_ASSERT_EQUAL(a.sessions, 1);
	CU_ASSERT_EQUAL(b.sessions, 1);
	CU_ASSERT_EQUAL(memcmp(a.peer_nonce, b.nonce, HA_WIRE_NONCE_LEN), 0);
	CU_ASSERT_EQUAL(memcmp(b.peer_nonce, a.nonce, HA_WIRE_NONCE_LEN), 0);
	for (int i = 0; i < HA_CHAN_DROP_MAX; i++) {
		CU_ASSERT_EQUAL(a.drops[i], 0);
		CU_ASSERT_EQUAL(b.drops[i], 0);
	}
	pair_fini();
}

/* A HELLO's exact header and its tag by a one-shot HMAC. */
static void
test_hello_bytes(void)
{
	static const uint8_t hdr[HA_WIRE_HDR_LEN] = {
		0x48, 0x41, 0x47, 0x57, 1, HA_DGRAM_HELLO, 0, 0, 0, NODE_A, 2, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	uint8_t mac[32];
	unsigned int mac_len = 0;
	ssize_t n;

	pair_init();
	n = ha_chan_hello(&a, 2, &hello_body, dg, sizeof(dg));
	CU_ASSERT_EQUAL_FATAL(n, 24 + 88 + 32);
	CU_ASSERT_EQUAL(memcmp(dg, hdr, sizeof(hdr)), 0);
	CU_ASSERT_EQUAL(dg[24], 1);			/* version_min, max */
	CU_ASSERT_EQUAL(dg[25], 1);
	CU_ASSERT_EQUAL(dg[26], 100);
	CU_ASSERT_EQUAL(memcmp(dg + 24 + 24, a.nonce, 32), 0);
	CU_ASSERT_TRUE(all_zero(dg + 24 + 56, 32));
	CU_ASSERT_PTR_NOT_NULL(HMAC(EVP_sha256(), psk, PSK_LEN, dg, 24 + 88, mac, &mac_len));
	CU_ASSERT_EQUAL(mac_len, 32);
	CU_ASSERT_EQUAL(memcmp(dg + 24 + 88, mac, 32), 0);
	/* The counter increases per HELLO. */
	CU_ASSERT_EQUAL(ha_chan_hello(&a, 2, &hello_body, dg, sizeof(dg)), n);
	CU_ASSERT_EQUAL(dg[23], 2);
	CU_ASSERT_EQUAL(ha_chan_hello(&a, 2, &hello_body, dg, (size_t)n - 1), -ENOSPC);
	pair_fini();
}

/* A DATA datagram opened with EVP from the independently derived keys. */
static void
test_data_bytes(void)
{
	uint8_t okm[OKM_LEN], iv[12] = { 0 }, out[64];
	EVP_CIPHER_CTX *ctx;
	size_t n;
	int l;

	pair_up();
	expected_okm(okm);
	n = seal(&a, "hello b", dg);			/* A's 2nd DATA: counter 2 */
	CU_ASSERT_EQUAL(be32(dg), 0x48414757);
	CU_ASSERT_EQUAL(dg[4], 1);
	CU_ASSERT_EQUAL(dg[5], HA_DGRAM_DATA);
	CU_ASSERT_EQUAL(dg[9], NODE_A);
	CU_ASSERT_EQUAL(dg[10], 1);
	CU_ASSERT_EQUAL(be32(dg + 12), be32(okm + 72));
	CU_ASSERT_EQUAL(be32(dg + 16), 0);
	CU_ASSERT_EQUAL(be32(dg + 20), 2);
	memcpy(iv, okm + 32, 4);
	iv[11] = 2;
	ctx = EVP_CIPHER_CTX_new();
	CU_ASSERT_EQUAL(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, okm, iv), 1);
	CU_ASSERT_EQUAL(EVP_DecryptUpdate(ctx, NULL, &l, dg, 24), 1);
	CU_ASSERT_EQUAL(EVP_DecryptUpdate(ctx, out, &l, dg + 24, 7), 1);
	CU_ASSERT_EQUAL(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, dg + 31), 1);
	CU_ASSERT_EQUAL(EVP_DecryptFinal_ex(ctx, out + 7, &l), 1);
	CU_ASSERT_EQUAL(memcmp(out, "hello b", 7), 0);
	EVP_CIPHER_CTX_free(ctx);
	CU_ASSERT_EQUAL(n, 24 + 7 + 16);
	pair_fini();
}

static void
test_data_both_ways(void)
{
	char msg[32];

	pair_up();
	for (int i = 0; i < 50; i++) {
		snprintf(msg, sizeof(msg), "a to b %d", i);
		data_ok(&a, &b, msg, false);
		snprintf(msg, sizeof(msg), "b to a %d", i);
		data_ok(&b, &a, msg, false);
	}
	data_ok(&a, &b, "", false);			/* empty message list */
	CU_ASSERT_EQUAL(a.cur.tx_counter, 52);		/* 1 confirming + 50 + 1 */
	CU_ASSERT_EQUAL(b.cur.rx_win.top, 52);
	CU_ASSERT_EQUAL(b.cur.tx_counter, 51);
	CU_ASSERT_EQUAL(a.cur.rx_win.top, 51);
	/* In place: plaintext at BUF + header. */
	memcpy(dg + HA_WIRE_HDR_LEN, "inplace", 7);
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, dg + HA_WIRE_HDR_LEN, 7, dg, sizeof(dg)), 47);
	{
		struct ha_chan_rx rx;

		CU_ASSERT_EQUAL(ha_chan_open(&b, dg, 47, &rx), 0);
		CU_ASSERT_EQUAL(memcmp(rx.plain, "inplace", 7), 0);
	}
	pair_fini();
}

/* Expected drop reason when octet I of a DATA datagram has 0x80 flipped. */
static enum ha_chan_drop
tamper_reason(size_t i)
{
	if (i < 4)
		return HA_CHAN_DROP_MALFORMED;		/* magic */
	if (i == 4)
		return HA_CHAN_DROP_VERSION;		/* version 0x81 */
	if (i == 5 || i == 6 || i == 7 || i == 11)
		return HA_CHAN_DROP_MALFORMED;		/* type, flags, reserved */
	if (i == 8 || i == 9)
		return HA_CHAN_DROP_FOREIGN;		/* node id */
	if (i >= 12 && i < 16)
		return HA_CHAN_DROP_NO_SESSION;		/* session */
	return HA_CHAN_DROP_AUTH;			/* link, counter, body, tag */
}

static void
test_tamper(void)
{
	struct ha_chan_rx rx;
	uint64_t before[HA_CHAN_DROP_MAX];
	size_t n;

	pair_up();
	n = seal(&a, "tamper with me", dg2);
	for (size_t i = 0; i < n; i++) {
		enum ha_chan_drop why = tamper_reason(i);

		memcpy(before, b.drops, sizeof(before));
		memcpy(dg, dg2, n);
		dg[i] ^= 0x80;
		CU_ASSERT_EQUAL(ha_chan_open(&b, dg, n, &rx), -EBADMSG);
		for (int d = 0; d < HA_CHAN_DROP_MAX; d++)
			CU_ASSERT_EQUAL(b.drops[d], before[d] + (d == (int)why));
	}
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_AUTH], 1 + (n - 24) + 8);
	/* Nothing moved: the genuine datagram still opens. */
	memcpy(dg, dg2, n);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, n, &rx), 0);
	CU_ASSERT_EQUAL(memcmp(rx.plain, "tamper with me", 14), 0);
	/* A HELLO tampered in its body or tag fails the HMAC. */
	for (size_t i = HA_WIRE_HDR_LEN; i < HA_CHAN_HELLO_DGRAM_LEN; i++) {
		CU_ASSERT_EQUAL(ha_chan_hello(&a, 0, &hello_body, dg, sizeof(dg)),
				HA_CHAN_HELLO_DGRAM_LEN);
		dg[i] ^= 0x01;
		CU_ASSERT_EQUAL(ha_chan_open(&b, dg, HA_CHAN_HELLO_DGRAM_LEN, &rx), -EBADMSG);
	}
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_AUTH], 1 + (n - 24) + 8 + 88 + 32);
	CU_ASSERT_TRUE(ha_chan_up(&b));
	data_ok(&a, &b, "still up", false);
	pair_fini();
}

static void
test_replay(void)
{
	struct ha_chan_rx rx;
	size_t n1, n2;

	uint8_t first[HA_WIRE_DGRAM_MAX];

	pair_up();
	n1 = seal(&a, "one", dg2);
	memcpy(first, dg2, n1);
	n2 = seal(&a, "two", dg);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, n2, &rx), 0);
	/* Older but inside the window (sent on another link): once. */
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg2, n1, &rx), 0);
	CU_ASSERT_EQUAL(ha_chan_open(&b, first, n1, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_REPLAY], 1);
	n2 = seal(&a, "three", dg);
	memcpy(dg2, dg, n2);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, n2, &rx), 0);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg2, n2, &rx), -EBADMSG);	/* again */
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_REPLAY], 2);
	/* HA_CHAN_WINDOW - 1 counters behind the top: taken once (a bulk
	 * sync's backlog on the sync link overtaken by heartbeats). */
	n1 = seal(&a, "edge", first);
	for (int i = 0; i < HA_CHAN_WINDOW - 1; i++)
		data_ok(&a, &b, "newer", false);
	CU_ASSERT_EQUAL(ha_chan_open(&b, first, n1, &rx), 0);
	CU_ASSERT_EQUAL(ha_chan_open(&b, first, n1, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_REPLAY], 3);
	/* Exactly HA_CHAN_WINDOW behind: left of the window, dropped even if
	 * never seen. */
	n1 = seal(&a, "old", first);
	for (int i = 0; i < HA_CHAN_WINDOW; i++)
		data_ok(&a, &b, "newer", false);
	CU_ASSERT_EQUAL(ha_chan_open(&b, first, n1, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_REPLAY], 4);
	data_ok(&a, &b, "four", false);
	pair_fini();
}

static void
test_truncated(void)
{
	struct ha_chan_rx rx;
	size_t n;

	pair_up();
	n = seal(&a, "some messages", dg2);
	for (size_t len = 0; len < n; len++) {
		memcpy(dg, dg2, n);
		CU_ASSERT_EQUAL(ha_chan_open(&b, dg, len, &rx), -EBADMSG);
	}
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_MALFORMED], HA_CHAN_DATA_OVERHEAD);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_AUTH], n - HA_CHAN_DATA_OVERHEAD);
	CU_ASSERT_EQUAL(ha_chan_open(&b, NULL, 0, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(ha_chan_hello(&a, 0, &hello_body, dg2, sizeof(dg2)),
			HA_CHAN_HELLO_DGRAM_LEN);
	for (size_t len = 0; len < HA_CHAN_HELLO_DGRAM_LEN; len++) {
		memcpy(dg, dg2, HA_CHAN_HELLO_DGRAM_LEN);
		CU_ASSERT_EQUAL(ha_chan_open(&b, dg, len, &rx), -EBADMSG);
	}
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_MALFORMED],
			HA_CHAN_DATA_OVERHEAD + 1 + HA_CHAN_HELLO_DGRAM_LEN);
	/* Longer than a datagram may be, and a HELLO one octet too long. */
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, HA_WIRE_DGRAM_MAX + 1, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, HA_CHAN_HELLO_DGRAM_LEN + 1, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_MALFORMED],
			HA_CHAN_DATA_OVERHEAD + 3 + HA_CHAN_HELLO_DGRAM_LEN);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_AUTH], n - HA_CHAN_DATA_OVERHEAD);
	pair_fini();
}

static void
test_wrong_psk(void)
{
	uint8_t other[PSK_LEN];

	fill_psk(psk, sizeof(psk), 7);
	fill_psk(other, sizeof(other), 7);
	other[PSK_LEN - 1] ^= 1;
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&a, NODE_A, NODE_B, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, other, PSK_LEN), 0);
	CU_ASSERT_EQUAL(pump(&a, &b, 20), -1);
	CU_ASSERT_FALSE(a.next.valid || b.next.valid || a.have_peer_nonce || b.have_peer_nonce);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_AUTH], 20);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_AUTH], 20);
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, (const uint8_t *)"x", 1, dg, sizeof(dg)), -ENOTCONN);
	pair_fini();
	/* Same length, one shorter key: also no session. */
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&a, NODE_A, NODE_B, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, psk, PSK_LEN + 1), 0);
	CU_ASSERT_EQUAL(pump(&a, &b, 5), -1);
	pair_fini();
}

static void
test_foreign(void)
{
	struct ha_chan x;
	struct ha_chan_rx rx;

	pair_up();
	/* Node 4: not our peer. */
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&x, 4, NODE_A, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL(send_hello(&x, &a, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_FOREIGN], 1);
	ha_chan_fini(&x);
	/* Our own node id (same IV node bit). */
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&x, NODE_A, NODE_B, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL(send_hello(&x, &a, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_FOREIGN], 2);
	/* Our own DATA reflected back. */
	CU_ASSERT_EQUAL(ha_chan_open(&a, dg, seal(&a, "echo", dg), &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_FOREIGN], 3);
	ha_chan_fini(&x);
	/* Both ids with the same low bit, or equal, or 0: refused at init. */
	CU_ASSERT_EQUAL(ha_chan_init(&x, 1, 3, psk, PSK_LEN), -EINVAL);
	CU_ASSERT_EQUAL(ha_chan_init(&x, 2, 2, psk, PSK_LEN), -EINVAL);
	CU_ASSERT_EQUAL(ha_chan_init(&x, 0, 1, psk, PSK_LEN), -EINVAL);
	CU_ASSERT_EQUAL(ha_chan_init(&x, 1, 2, psk, HA_CHAN_PSK_MIN - 1), -EINVAL);
	CU_ASSERT_EQUAL(ha_chan_init(&x, 1, 2, psk, HA_CHAN_PSK_MAX + 1), -EINVAL);
	CU_ASSERT_EQUAL(ha_chan_init(&x, 1, 2, NULL, PSK_LEN), -EINVAL);
	CU_ASSERT_TRUE(ha_chan_up(&a));
	data_ok(&b, &a, "fine", false);
	pair_fini();
}

/* A HELLO re-tagged after its body was changed (as a peer of another
 * version would send it). */
static void
hello_retag(uint8_t vmin, uint8_t vmax)
{
	unsigned int l;

	CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, dg, sizeof(dg)),
			HA_CHAN_HELLO_DGRAM_LEN);
	dg[24] = vmin;
	dg[25] = vmax;
	HMAC(EVP_sha256(), psk, PSK_LEN, dg, 24 + 88, dg + 24 + 88, &l);
}

static void
test_version(void)
{
	struct ha_chan_rx rx;

	pair_init();
	hello_retag(2, 3);
	CU_ASSERT_EQUAL(ha_chan_open(&a, dg, HA_CHAN_HELLO_DGRAM_LEN, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_VERSION], 1);
	CU_ASSERT_FALSE(a.have_peer_nonce);
	hello_retag(0, 1);
	CU_ASSERT_EQUAL(ha_chan_open(&a, dg, HA_CHAN_HELLO_DGRAM_LEN, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_MALFORMED], 1);
	hello_retag(1, 7);				/* overlaps 1..1 */
	CU_ASSERT_EQUAL(ha_chan_open(&a, dg, HA_CHAN_HELLO_DGRAM_LEN, &rx), 0);
	CU_ASSERT_EQUAL(rx.hello.version_max, 7);
	CU_ASSERT_TRUE(a.have_peer_nonce);
	pair_fini();
	/* DATA of another version. */
	pair_up();
	seal(&a, "v", dg);
	dg[4] = 2;
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, 24 + 1 + 16, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(b.drops[HA_CHAN_DROP_VERSION], 1);
	pair_fini();
}

/* Old HELLOs replayed after the session is up change nothing. */
static void
test_old_hello_replay(void)
{
	uint8_t old[HA_CHAN_HELLO_DGRAM_LEN], older[HA_CHAN_HELLO_DGRAM_LEN];
	struct ha_chan_session cur;
	struct ha_chan_rx rx;

	pair_init();
	CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, older, sizeof(older)),
			HA_CHAN_HELLO_DGRAM_LEN);		/* no echo yet */
	handshake(&a, &b);
	/* B's HELLO that echoed A's nonce (as handshake() sent it). */
	b.hello_counter--;
	CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, old, sizeof(old)),
			HA_CHAN_HELLO_DGRAM_LEN);
	cur = a.cur;
	CU_ASSERT_EQUAL(ha_chan_open(&a, old, sizeof(old), &rx), -EBADMSG);
	/* Never delivered and inside the window: taken once (it is B's, of
	 * this nonce), and changes nothing; a second copy is a replay. */
	memcpy(dg, older, sizeof(older));
	CU_ASSERT_EQUAL(ha_chan_open(&a, dg, sizeof(older), &rx), 0);
	CU_ASSERT_FALSE(rx.fresh);
	CU_ASSERT_EQUAL(ha_chan_open(&a, older, sizeof(older), &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_REPLAY], 2);
	CU_ASSERT_EQUAL(memcmp(&cur, &a.cur, sizeof(cur)), 0);
	CU_ASSERT_FALSE(a.next.valid);
	data_ok(&a, &b, "after", false);
	data_ok(&b, &a, "replays", false);
	CU_ASSERT_EQUAL(a.sessions, 1);
	pair_fini();
}

static void
test_peer_restart(void)
{
	struct ha_chan b_old;
	uint8_t old_hello[HA_CHAN_HELLO_DGRAM_LEN], old_data[64];
	uint8_t a_nonce[HA_WIRE_NONCE_LEN];
	struct ha_chan_session cur;
	struct ha_chan_rx rx;
	size_t n;

	pair_up();
	memcpy(a_nonce, a.nonce, sizeof(a_nonce));
	cur = a.cur;
	/* Keep the old B's last HELLO (echoing A) and a DATA it sent. */
	CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, old_hello, sizeof(old_hello)),
			HA_CHAN_HELLO_DGRAM_LEN);
	n = seal(&b, "from the old b", old_data);
	b_old = b;
	/* B restarts: new process, new nonce. */
	CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, psk, PSK_LEN), 0);
	CU_ASSERT_EQUAL(send_hello(&b, &a, &rx), 0);
	CU_ASSERT_TRUE(rx.want_hello);
	/* A had keys from the old pair: its nonce is new now. */
	CU_ASSERT_NOT_EQUAL(memcmp(a_nonce, a.nonce, sizeof(a_nonce)), 0);
	CU_ASSERT_TRUE(ha_chan_up(&a));			/* the old session until confirmed */
	CU_ASSERT_TRUE(pump(&a, &b, 10) > 0);
	CU_ASSERT_EQUAL(a.sessions, 2);
	CU_ASSERT_NOT_EQUAL(a.cur.id, cur.id);
	CU_ASSERT_NOT_EQUAL(memcmp(a.cur.rx.key, cur.rx.key, HA_CHAN_KEY_LEN), 0);
	data_ok(&a, &b, "to the new b", false);
	data_ok(&b, &a, "from the new b", false);
	/* The old B's DATA and HELLO, replayed, do nothing. */
	CU_ASSERT_EQUAL(ha_chan_open(&a, old_data, n, &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_NO_SESSION], 1);
	memcpy(a_nonce, a.nonce, sizeof(a_nonce));
	CU_ASSERT_EQUAL(ha_chan_open(&a, old_hello, sizeof(old_hello), &rx), -EBADMSG);
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_REPLAY], 1);
	CU_ASSERT_EQUAL(memcmp(a_nonce, a.nonce, sizeof(a_nonce)), 0);
	CU_ASSERT_FALSE(a.next.valid);
	data_ok(&a, &b, "still", false);
	data_ok(&b, &a, "working", false);
	CU_ASSERT_EQUAL(a.sessions, 2);
	ha_chan_fini(&b_old);
	pair_fini();
}

/* HELLOs of two earlier peer processes, replayed in turns, are refused
 * every time; past HA_CHAN_OLD_NONCES restarts the oldest is forgotten. */
static void
test_old_nonces(void)
{
	uint8_t h1[HA_CHAN_HELLO_DGRAM_LEN], h2[HA_CHAN_HELLO_DGRAM_LEN];
	uint8_t a_nonce[HA_WIRE_NONCE_LEN];
	struct ha_chan_session cur;
	struct ha_chan_rx rx;

	pair_up();
	CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, h1, sizeof(h1)), sizeof(h1));
	for (int restart = 0; restart < 2; restart++) {
		ha_chan_fini(&b);
		CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, psk, PSK_LEN), 0);
		CU_ASSERT_TRUE(pump(&a, &b, 10) > 0);
		if (restart == 0)
			CU_ASSERT_EQUAL(ha_chan_hello(&b, 0, &hello_body, h2, sizeof(h2)),
					sizeof(h2));
	}
	CU_ASSERT_EQUAL(a.sessions, 3);
	memcpy(a_nonce, a.nonce, sizeof(a_nonce));
	cur = a.cur;
	for (int i = 0; i < 3; i++) {
		memcpy(dg, h1, sizeof(h1));
		CU_ASSERT_EQUAL(ha_chan_open(&a, dg, sizeof(h1), &rx), -EBADMSG);
		memcpy(dg, h2, sizeof(h2));
		CU_ASSERT_EQUAL(ha_chan_open(&a, dg, sizeof(h2), &rx), -EBADMSG);
	}
	CU_ASSERT_EQUAL(a.drops[HA_CHAN_DROP_REPLAY], 6);
	CU_ASSERT_EQUAL(memcmp(a_nonce, a.nonce, sizeof(a_nonce)), 0);
	CU_ASSERT_EQUAL(memcmp(&cur, &a.cur, sizeof(cur)), 0);
	data_ok(&b, &a, "unharmed", false);
	/* Restarts enough to push h1's nonce (only) out of the ring. */
	for (int i = 0; i < HA_CHAN_OLD_NONCES - 1; i++) {
		ha_chan_fini(&b);
		CU_ASSERT_EQUAL_FATAL(ha_chan_init(&b, NODE_B, NODE_A, psk, PSK_LEN), 0);
		CU_ASSERT_EQUAL(send_hello(&b, &a, &rx), 0);
	}
	CU_ASSERT_EQUAL(ha_chan_open(&a, h2, sizeof(h2), &rx), -EBADMSG);
	CU_ASSERT_EQUAL(ha_chan_open(&a, h1, sizeof(h1), &rx), 0);
	CU_ASSERT_FALSE(rx.fresh);
	CU_ASSERT_FALSE(a.next.valid);
	pair_fini();
}

static void
test_reset(void)
{
	struct ha_chan_session cur;

	pair_up();
	cur = a.cur;
	ha_chan_reset(&a);
	CU_ASSERT_FALSE(ha_chan_up(&a));
	CU_ASSERT_TRUE(all_zero(&a.cur, sizeof(a.cur)));
	CU_ASSERT_TRUE(all_zero(&a.next, sizeof(a.next)));
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, (const uint8_t *)"x", 1, dg, sizeof(dg)), -ENOTCONN);
	/* B still holds the old session; both come back with new keys. */
	CU_ASSERT_TRUE(pump(&a, &b, 10) > 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.cur.tx.key, cur.tx.key, HA_CHAN_KEY_LEN), 0);
	CU_ASSERT_NOT_EQUAL(a.cur.id, cur.id);
	CU_ASSERT_EQUAL(a.cur.id, b.cur.id);
	CU_ASSERT_EQUAL(a.sessions, 2);
	CU_ASSERT_EQUAL(b.sessions, 2);
	data_ok(&a, &b, "again", false);
	data_ok(&b, &a, "again", false);
	/* Both reset (a cut link healed). */
	ha_chan_reset(&a);
	ha_chan_reset(&b);
	CU_ASSERT_TRUE(pump(&a, &b, 10) > 0);
	CU_ASSERT_EQUAL(a.sessions, 3);
	data_ok(&b, &a, "third", false);
	pair_fini();
}

static void
test_seal_limits(void)
{
	static uint8_t big[HA_WIRE_DGRAM_MAX];
	size_t max = HA_WIRE_DGRAM_MAX - HA_CHAN_DATA_OVERHEAD;
	struct ha_chan_rx rx;

	pair_init();
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, big, 1, dg, sizeof(dg)), -ENOTCONN);
	handshake(&a, &b);
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, big, max + 1, dg, sizeof(dg)), -ENOSPC);
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, big, 10, dg, 10 + HA_CHAN_DATA_OVERHEAD - 1),
			-ENOSPC);
	CU_ASSERT_EQUAL(ha_chan_seal(&a, 0, big, max, dg, sizeof(dg)),
			(ssize_t)HA_WIRE_DGRAM_MAX);
	CU_ASSERT_EQUAL(ha_chan_open(&b, dg, HA_WIRE_DGRAM_MAX, &rx), 0);
	CU_ASSERT_EQUAL(rx.plain_len, max);
	CU_ASSERT_STRING_EQUAL(ha_chan_drop_name(HA_CHAN_DROP_REPLAY), "replay");
	CU_ASSERT_STRING_EQUAL(ha_chan_drop_name(HA_CHAN_DROP_NO_SESSION), "no session");
	CU_ASSERT_STRING_EQUAL(ha_chan_drop_name(HA_CHAN_DROP_MAX), "?");
	pair_fini();
}

static void
test_fini_wipes(void)
{
	pair_up();
	CU_ASSERT_FALSE(all_zero(a.cur.tx.key, HA_CHAN_KEY_LEN));
	ha_chan_fini(&a);
	ha_chan_fini(&b);
	CU_ASSERT_TRUE(all_zero(&a, sizeof(a)));
	CU_ASSERT_TRUE(all_zero(&b, sizeof(b)));
}

/* ---- PSK file ---- */

static char tmpdir[] = "/tmp/test_ha_chan.XXXXXX";

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

static const char HEX64[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void
test_psk_file(void)
{
	char path[64], err[160], want[160], text[400];
	uint8_t key[HA_CHAN_PSK_MAX];
	uint8_t len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/ha.key", tmpdir);
	snprintf(text, sizeof(text), "%s\n", HEX64);
	write_file(path, text, 0644);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EPERM);
	snprintf(want, sizeof(want), "%s: readable by group or others (chmod 600)", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(chmod(path, 0604), 0);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EPERM);
	CU_ASSERT_EQUAL(chmod(path, 0620), 0);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EPERM);
	CU_ASSERT_EQUAL(chmod(path, 0600), 0);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(len, 32);
	for (int i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(key[i], i);
	CU_ASSERT_EQUAL(chmod(path, 0400), 0);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), 0);
	/* 128 digits, upper case, whitespace anywhere. */
	snprintf(text, sizeof(text), "  %s\n\t%s \n", HEX64, HEX64);
	text[2] = 'F';
	text[3] = 'F';
	write_file(path, text, 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(len, 64);
	CU_ASSERT_EQUAL(key[0], 0xff);
	CU_ASSERT_EQUAL(key[63], 0x1f);
	/* Too short, too long, odd, not hex, empty. */
	write_file(path, HEX64 + 2, 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: 62 hex digits, want an even number in 64..128", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	snprintf(text, sizeof(text), "%s%s00", HEX64, HEX64);
	write_file(path, text, 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EINVAL);
	snprintf(text, sizeof(text), "%s0", HEX64);
	write_file(path, text, 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EINVAL);
	snprintf(text, sizeof(text), "%sxy", HEX64);
	write_file(path, text, 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a hex digit at offset 64", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	write_file(path, "", 0600);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EINVAL);
	/* Longer than any key file. */
	memset(text, ' ', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	{
		FILE *f = fopen(path, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = 0; i < 4; i++)
			fputs(text, f);
		fclose(f);
	}
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -EFBIG);
	/* Not a regular file, missing. */
	CU_ASSERT_EQUAL(ha_chan_load_psk(tmpdir, key, &len, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, err, sizeof(err)), -ENOENT);
	CU_ASSERT_EQUAL(ha_chan_load_psk(path, key, &len, NULL, 0), -ENOENT);
	CU_ASSERT_EQUAL(len, 64);			/* untouched by the failures */
	rmdir(tmpdir);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "reference HKDF on RFC 5869 A.1", test_ref_hkdf_rfc5869 },
		{ "keys against independent HKDF", test_keys },
		{ "HELLO bytes and tag", test_hello_bytes },
		{ "DATA bytes opened with EVP", test_data_bytes },
		{ "DATA both ways", test_data_both_ways },
		{ "tampered octets", test_tamper },
		{ "replays", test_replay },
		{ "truncation", test_truncated },
		{ "wrong PSK", test_wrong_psk },
		{ "foreign nodes", test_foreign },
		{ "versions", test_version },
		{ "old HELLO replayed on a session", test_old_hello_replay },
		{ "peer restart", test_peer_restart },
		{ "old peer nonces", test_old_nonces },
		{ "reset", test_reset },
		{ "seal limits, drop names", test_seal_limits },
		{ "fini wipes", test_fini_wipes },
		{ "PSK file", test_psk_file },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ha_chan", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
