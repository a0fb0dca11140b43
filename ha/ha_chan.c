/*
 * The secure sync channel (ha_chan.h): the PSK file, HELLO authenticated
 * with HMAC-SHA-256 (RFC 2104, RFC 4868 §2.1.2 key sizes), session keys
 * from HKDF-SHA-256 (RFC 5869 §2), DATA sealed with AES-256-GCM (NIST SP
 * 800-38D; 96-bit nonce = salt || counter as in RFC 4106 §4) and strictly
 * increasing counters against replay. Tags are compared in constant time;
 * keys are wiped when replaced and at ha_chan_fini.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <intel-ipsec-mb.h>

#include "ha/ha_chan.h"

enum {
	PSK_FILE_MAX = 1024,		/* 128 hex digits and generous whitespace */
	PSK_MODE_FORBIDDEN = S_IRWXG | S_IRWXO,
	GCM_IV_LEN = HA_CHAN_SALT_LEN + 8,	/* 12: IPsec-MB's one-shot GCM IV */
	GCM_KEY_ALIGN = 64,			/* struct gcm_key_data */
	HELLO_SIGNED_LEN = HA_WIRE_HDR_LEN + HA_WIRE_HELLO_LEN,
	DIR_OKM_LEN = HA_CHAN_KEY_LEN + HA_CHAN_SALT_LEN,
	SESSION_ID_LEN = 4,
	OKM_LEN = 2 * DIR_OKM_LEN + SESSION_ID_LEN,
	KDF_SALT_LEN = 2 * HA_WIRE_NONCE_LEN,
};

static const char KDF_LABEL[] = "hagw sync v1";	/* RFC 5869 info, no NUL */
enum { KDF_LABEL_LEN = sizeof(KDF_LABEL) - 1, KDF_INFO_LEN = KDF_LABEL_LEN + 4 };

static const char *const drop_names[HA_CHAN_DROP_MAX] = {
	[HA_CHAN_DROP_MALFORMED] = "malformed",
	[HA_CHAN_DROP_FOREIGN] = "foreign",
	[HA_CHAN_DROP_VERSION] = "version",
	[HA_CHAN_DROP_AUTH] = "auth",
	[HA_CHAN_DROP_REPLAY] = "replay",
	[HA_CHAN_DROP_NO_SESSION] = "no session",
};

const char *
ha_chan_drop_name(enum ha_chan_drop d)
{
	return (unsigned int)d < HA_CHAN_DROP_MAX ? drop_names[d] : "?";
}

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static int
hex_val(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (unsigned char)tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex digits (whitespace ignored) into OUT: the number of octets or -EINVAL. */
static int
psk_parse(const char *path, const char *text, size_t n, uint8_t *out, char *err,
	  size_t err_len)
{
	size_t digits = 0;
	int v;

	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)text[i]))
			continue;
		v = hex_val((unsigned char)text[i]);
		if (v < 0) {
			set_err(err, err_len, "%s: not a hex digit at offset %zu", path, i);
			return -EINVAL;
		}
		if (digits < 2 * HA_CHAN_PSK_MAX)
			out[digits / 2] = (uint8_t)(digits % 2 == 0 ? v << 4 : out[digits / 2] | v);
		digits++;
	}
	if (digits % 2 != 0 || digits < 2 * HA_CHAN_PSK_MIN || digits > 2 * HA_CHAN_PSK_MAX) {
		set_err(err, err_len, "%s: %zu hex digits, want an even number in %d..%d", path,
			digits, 2 * HA_CHAN_PSK_MIN, 2 * HA_CHAN_PSK_MAX);
		return -EINVAL;
	}
	return (int)(digits / 2);
}

/* The checks are made on the opened descriptor, the one then read. */
static int
psk_check_fd(int fd, const char *path, char *err, size_t err_len)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, err_len, "%s: not a regular file", path);
		return -EINVAL;
	}
	if ((st.st_mode & PSK_MODE_FORBIDDEN) != 0) {
		set_err(err, err_len, "%s: readable by group or others (chmod 600)", path);
		return -EPERM;
	}
	return 0;
}

/* Reads the whole file into TEXT: its length, or -errno. */
static ssize_t
psk_read(int fd, const char *path, char *text, size_t cap, char *err, size_t err_len)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, text + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			set_err(err, err_len, "%s: %s", path, strerror((int)-r));
			return r;
		}
		if (r == 0)
			return (ssize_t)n;
		n += (size_t)r;
		if (n == cap) {
			set_err(err, err_len, "%s: longer than %d octets", path, PSK_FILE_MAX);
			return -EFBIG;
		}
	}
}

int
ha_chan_load_psk(const char *path, uint8_t *psk, uint8_t *psk_len, char *err,
		 size_t err_len)
{
	char text[PSK_FILE_MAX + 1];
	uint8_t key[HA_CHAN_PSK_MAX];
	ssize_t n = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = psk_check_fd(fd, path, err, err_len);
	if (rc == 0) {
		n = psk_read(fd, path, text, sizeof(text), err, err_len);
		rc = n < 0 ? (int)n : 0;
	}
	close(fd);
	if (rc == 0)
		rc = psk_parse(path, text, (size_t)n, key, err, err_len);
	if (rc > 0) {
		memcpy(psk, key, (size_t)rc);
		*psk_len = (uint8_t)rc;
		rc = 0;
	}
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static void
session_wipe(struct ha_chan_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* A fresh nonce of ours: every pair with it is new. */
static int
nonce_draw(struct ha_chan *c)
{
	if (RAND_bytes(c->nonce, sizeof(c->nonce)) != 1)
		return -EIO;
	c->pair_derived = false;
	session_wipe(&c->next);
	return 0;
}

int
ha_chan_init(struct ha_chan *c, uint16_t node_id, uint16_t peer_node_id,
	     const uint8_t *psk, uint8_t psk_len)
{
	memset(c, 0, sizeof(*c));
	if (node_id == 0 || peer_node_id == 0 || (node_id & 1) == (peer_node_id & 1))
		return -EINVAL;
	if (psk == NULL || psk_len < HA_CHAN_PSK_MIN || psk_len > HA_CHAN_PSK_MAX)
		return -EINVAL;
	c->mgr = alloc_mb_mgr(0);
	if (c->mgr == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(c->mgr, NULL);
	if (imb_get_errno(c->mgr) != 0) {
		ha_chan_fini(c);
		return -EIO;
	}
	c->node_id = node_id;
	c->peer_node_id = peer_node_id;
	memcpy(c->psk, psk, psk_len);
	c->psk_len = psk_len;
	if (nonce_draw(c) != 0) {
		ha_chan_fini(c);
		return -EIO;
	}
	return 0;
}

/* The expanded keys go with the keys they came from. */
static void
gcm_forget(struct ha_chan_gcm *g)
{
	if (g->key != NULL)
		OPENSSL_cleanse(g->key, sizeof(*g->key));
	free(g->key);
	OPENSSL_cleanse(g, sizeof(*g));
}

void
ha_chan_fini(struct ha_chan *c)
{
	gcm_forget(&c->seal_gcm);
	gcm_forget(&c->open_gcm);
	if (c->mgr != NULL)
		free_mb_mgr(c->mgr);
	OPENSSL_cleanse(c, sizeof(*c));
}

void
ha_chan_reset(struct ha_chan *c)
{
	session_wipe(&c->cur);
	session_wipe(&c->next);
	gcm_forget(&c->seal_gcm);
	gcm_forget(&c->open_gcm);
	/* On failure pair_derived stays set: no keys from the old pair again. */
	if (nonce_draw(c) != 0)
		c->pair_derived = true;
}

bool
ha_chan_up(const struct ha_chan *c)
{
	return c->cur.valid;
}

static int
drop(struct ha_chan *c, enum ha_chan_drop why)
{
	c->drops[why]++;
	return -EBADMSG;
}

/* HMAC-SHA-256(PSK, DATA) into OUT (HA_WIRE_HMAC_LEN octets). */
static int
hello_mac(const struct ha_chan *c, const uint8_t *data, size_t len, uint8_t *out)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac == NULL ? NULL : EVP_MAC_CTX_new(mac);
	size_t out_len = 0;
	int rc = -EIO;

	if (ctx != NULL && EVP_MAC_init(ctx, c->psk, c->psk_len, params) == 1 &&
	    EVP_MAC_update(ctx, data, len) == 1 &&
	    EVP_MAC_final(ctx, out, &out_len, HA_WIRE_HMAC_LEN) == 1 &&
	    out_len == HA_WIRE_HMAC_LEN)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

ssize_t
ha_chan_hello(struct ha_chan *c, uint8_t link, const struct ha_wire_hello *body,
	      uint8_t *buf, size_t cap)
{
	struct ha_wire_hello h = *body;
	struct ha_wire_hdr hdr = {
		.version = HA_WIRE_VERSION,
		.type = HA_DGRAM_HELLO,
		.node_id = c->node_id,
		.link = link,
	};

	if (cap < HA_CHAN_HELLO_DGRAM_LEN)
		return -ENOSPC;
	h.version_min = HA_WIRE_VERSION;
	h.version_max = HA_WIRE_VERSION;
	memcpy(h.nonce, c->nonce, HA_WIRE_NONCE_LEN);
	if (c->have_peer_nonce)
		memcpy(h.peer_nonce, c->peer_nonce, HA_WIRE_NONCE_LEN);
	else
		memset(h.peer_nonce, 0, HA_WIRE_NONCE_LEN);
	hdr.counter = ++c->hello_counter;
	ha_wire_hdr_encode(&hdr, buf, cap);
	ha_wire_hello_encode(&h, buf + HA_WIRE_HDR_LEN, cap - HA_WIRE_HDR_LEN);
	if (hello_mac(c, buf, HELLO_SIGNED_LEN, buf + HELLO_SIGNED_LEN) != 0)
		return -EIO;
	return HA_CHAN_HELLO_DGRAM_LEN;
}

/* RFC 5869 HKDF-SHA-256 (extract and expand). */
static int
hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
	    const uint8_t *info, size_t info_len, uint8_t *okm, size_t okm_len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
		OSSL_PARAM_construct_end(),
	};
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf == NULL ? NULL : EVP_KDF_CTX_new(kdf);
	int rc = -EIO;

	if (ctx != NULL && EVP_KDF_derive(ctx, okm, okm_len, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* One direction's key || salt from the OKM. */
static void
dir_set(struct ha_chan_dir *d, const uint8_t *okm)
{
	memcpy(d->key, okm, HA_CHAN_KEY_LEN);
	memcpy(d->salt, okm + HA_CHAN_KEY_LEN, HA_CHAN_SALT_LEN);
}

/* Keys of the pair (nonce, peer_nonce) into S (ha_chan.h "keys"). */
static int
derive(struct ha_chan *c, struct ha_chan_session *s)
{
	bool we_lo = c->node_id < c->peer_node_id;
	const uint8_t *lo_nonce = we_lo ? c->nonce : c->peer_nonce;
	const uint8_t *hi_nonce = we_lo ? c->peer_nonce : c->nonce;
	uint8_t salt[KDF_SALT_LEN], info[KDF_INFO_LEN], okm[OKM_LEN];
	const uint8_t *lohi = okm, *hilo = okm + DIR_OKM_LEN, *id = okm + 2 * DIR_OKM_LEN;
	int rc;

	memcpy(salt, lo_nonce, HA_WIRE_NONCE_LEN);
	memcpy(salt + HA_WIRE_NONCE_LEN, hi_nonce, HA_WIRE_NONCE_LEN);
	memcpy(info, KDF_LABEL, KDF_LABEL_LEN);
	put16(info + KDF_LABEL_LEN, we_lo ? c->node_id : c->peer_node_id);
	put16(info + KDF_LABEL_LEN + 2, we_lo ? c->peer_node_id : c->node_id);
	session_wipe(s);
	rc = hkdf_sha256(c->psk, c->psk_len, salt, sizeof(salt), info, sizeof(info), okm,
			 sizeof(okm));
	if (rc == 0) {
		dir_set(&s->tx, we_lo ? lohi : hilo);
		dir_set(&s->rx, we_lo ? hilo : lohi);
		s->id = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 |
			(uint32_t)id[2] << 8 | id[3];
		s->valid = true;
	}
	OPENSSL_cleanse(okm, sizeof(okm));
	return rc;
}

static void
gcm_iv(const struct ha_chan_dir *d, uint64_t counter, uint8_t *iv)
{
	memcpy(iv, d->salt, HA_CHAN_SALT_LEN);
	put64(iv + HA_CHAN_SALT_LEN, counter);
}

/* G's expansion of KEY, or NULL (out of memory). */
static const struct gcm_key_data *
gcm_key(const struct ha_chan *c, struct ha_chan_gcm *g, const uint8_t *key)
{
	if (g->key == NULL) {
		/* aligned_alloc wants a multiple of the alignment */
		g->key = aligned_alloc(GCM_KEY_ALIGN, (sizeof(*g->key) + GCM_KEY_ALIGN - 1) /
						      GCM_KEY_ALIGN * GCM_KEY_ALIGN);
		if (g->key == NULL)
			return NULL;
		g->keyed = false;
	}
	if (!g->keyed || CRYPTO_memcmp(g->raw, key, HA_CHAN_KEY_LEN) != 0) {
		IMB_AES256_GCM_PRE(c->mgr, key, g->key);
		memcpy(g->raw, key, HA_CHAN_KEY_LEN);
		g->keyed = true;
	}
	return g->key;
}

/* AES-256-GCM: N octets from IN to OUT, AAD = the header, TAG after. */
static int
gcm_seal(struct ha_chan *c, const struct ha_chan_dir *d, uint64_t counter,
	 const uint8_t *aad, const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
	const struct gcm_key_data *k = gcm_key(c, &c->seal_gcm, d->key);
	struct gcm_context_data ctx;
	uint8_t iv[GCM_IV_LEN], none = 0;

	if (k == NULL)
		return -EIO;
	gcm_iv(d, counter, iv);
	IMB_AES256_GCM_ENC(c->mgr, k, &ctx, n != 0 ? out : &none, n != 0 ? in : &none, n, iv,
			   aad, HA_WIRE_HDR_LEN, tag, HA_WIRE_TAG_LEN);
	OPENSSL_cleanse(&ctx, sizeof(ctx));
	return imb_get_errno(c->mgr) == 0 ? 0 : -EIO;
}

/* The reverse: 0, -EBADMSG (tag wrong; OUT then holds garbage), -EIO.
 * The tags are compared in constant time. */
static int
gcm_open(struct ha_chan *c, const struct ha_chan_dir *d, uint64_t counter,
	 const uint8_t *aad, const uint8_t *in, size_t n, uint8_t *out, const uint8_t *tag)
{
	const struct gcm_key_data *k = gcm_key(c, &c->open_gcm, d->key);
	struct gcm_context_data ctx;
	uint8_t iv[GCM_IV_LEN], want[HA_WIRE_TAG_LEN], none = 0;
	int rc;

	if (k == NULL)
		return -EIO;
	gcm_iv(d, counter, iv);
	IMB_AES256_GCM_DEC(c->mgr, k, &ctx, n != 0 ? out : &none, n != 0 ? in : &none, n, iv,
			   aad, HA_WIRE_HDR_LEN, want, HA_WIRE_TAG_LEN);
	OPENSSL_cleanse(&ctx, sizeof(ctx));
	if (imb_get_errno(c->mgr) != 0)
		return -EIO;
	rc = CRYPTO_memcmp(want, tag, HA_WIRE_TAG_LEN) == 0 ? 0 : -EBADMSG;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

ssize_t
ha_chan_seal(struct ha_chan *c, uint8_t link, const uint8_t *plain, size_t len,
	     uint8_t *buf, size_t cap)
{
	struct ha_chan_session *s = c->cur.valid ? &c->cur : c->next.valid ? &c->next : NULL;
	size_t room = cap < HA_WIRE_DGRAM_MAX ? cap : HA_WIRE_DGRAM_MAX;
	struct ha_wire_hdr hdr = {
		.version = HA_WIRE_VERSION,
		.type = HA_DGRAM_DATA,
		.node_id = c->node_id,
		.link = link,
	};

	if (s == NULL || s->tx_counter == UINT64_MAX)
		return -ENOTCONN;
	if (room < HA_CHAN_DATA_OVERHEAD || len > room - HA_CHAN_DATA_OVERHEAD)
		return -ENOSPC;
	if (len != 0 && plain == NULL)
		return -EINVAL;
	hdr.session = s->id;
	hdr.counter = ++s->tx_counter;	/* spent even on failure: never reused */
	ha_wire_hdr_encode(&hdr, buf, cap);
	if (gcm_seal(c, &s->tx, hdr.counter, buf, plain, len, buf + HA_WIRE_HDR_LEN,
		     buf + HA_WIRE_HDR_LEN + len) != 0)
		return -EIO;
	return (ssize_t)(HA_CHAN_DATA_OVERHEAD + len);
}

static bool
node_is_peer(const struct ha_chan *c, uint16_t node_id)
{
	return node_id == c->peer_node_id && (node_id & 1) != (c->node_id & 1);
}

static bool
nonce_is_old(const struct ha_chan *c, const uint8_t *nonce)
{
	for (unsigned int i = 0; i < HA_CHAN_OLD_NONCES; i++)
		if (memcmp(c->old_peer_nonces[i], nonce, HA_WIRE_NONCE_LEN) == 0)
			return true;
	return false;
}

/* The peer has a new nonce (it restarted or reset): the current one
 * becomes old, and keys derived with it must not come back. */
static int
peer_nonce_new(struct ha_chan *c, const uint8_t *nonce)
{
	if (c->pair_derived && nonce_draw(c) != 0)
		return -EIO;
	session_wipe(&c->next);
	if (c->have_peer_nonce) {
		memcpy(c->old_peer_nonces[c->old_peer_next], c->peer_nonce, HA_WIRE_NONCE_LEN);
		c->old_peer_next = (uint8_t)((c->old_peer_next + 1) % HA_CHAN_OLD_NONCES);
	}
	memcpy(c->peer_nonce, nonce, HA_WIRE_NONCE_LEN);
	c->have_peer_nonce = true;
	return 0;
}

enum { WORD_BITS = 64 };

/* The ring word holding COUNTER's bit. */
static size_t
window_index(uint64_t counter)
{
	return (size_t)(counter / WORD_BITS % HA_CHAN_WINDOW_WORDS);
}

/* Sliding-window replay check: true when COUNTER may be accepted. */
static bool
window_fresh(const struct ha_chan_window *w, uint64_t counter)
{
	if (counter > w->top)
		return true;
	if (w->top - counter >= HA_CHAN_WINDOW)
		return false;
	return !(w->bits[window_index(counter)] >> (counter % WORD_BITS) & 1);
}

/* Marks COUNTER accepted (after window_fresh and authentication); the
 * words the top moves into are cleared first. */
static void
window_mark(struct ha_chan_window *w, uint64_t counter)
{
	if (counter > w->top) {
		uint64_t from = w->top / WORD_BITS + 1, to = counter / WORD_BITS;

		if (to >= from && to - from >= HA_CHAN_WINDOW_WORDS)
			from = to - HA_CHAN_WINDOW_WORDS + 1;
		for (uint64_t b = from; b <= to; b++)
			w->bits[window_index(b * WORD_BITS)] = 0;
		w->top = counter;
	}
	w->bits[window_index(counter)] |= UINT64_C(1) << (counter % WORD_BITS);
}

/* A verified HELLO: nonce bookkeeping, replay check, key derivation. */
static int
hello_accept(struct ha_chan *c, struct ha_chan_rx *rx)
{
	const struct ha_wire_hello *h = &rx->hello;
	bool same = c->have_peer_nonce &&
		    memcmp(h->nonce, c->peer_nonce, HA_WIRE_NONCE_LEN) == 0;
	int rc;

	if (same ? !window_fresh(&c->peer_hello_win, rx->hdr.counter) :
		   nonce_is_old(c, h->nonce))
		return drop(c, HA_CHAN_DROP_REPLAY);
	if (!same) {
		rc = peer_nonce_new(c, h->nonce);
		if (rc != 0)
			return rc;
		memset(&c->peer_hello_win, 0, sizeof(c->peer_hello_win));
	}
	window_mark(&c->peer_hello_win, rx->hdr.counter);
	rx->is_hello = true;
	if (memcmp(h->peer_nonce, c->nonce, HA_WIRE_NONCE_LEN) != 0) {
		rx->want_hello = true;		/* the peer does not know our nonce */
		return 0;
	}
	rx->fresh = true;
	if (c->pair_derived)
		return 0;
	rc = derive(c, &c->next);
	if (rc != 0)
		return rc;
	c->pair_derived = true;
	rx->want_hello = true;			/* the peer needs our echo of its nonce */
	return 0;
}

static int
open_hello(struct ha_chan *c, const uint8_t *buf, size_t len, struct ha_chan_rx *rx)
{
	uint8_t mac[HA_WIRE_HMAC_LEN];
	bool ok;

	if (len != HA_CHAN_HELLO_DGRAM_LEN || rx->hdr.session != 0)
		return drop(c, HA_CHAN_DROP_MALFORMED);
	if (hello_mac(c, buf, HELLO_SIGNED_LEN, mac) != 0)
		return -EIO;
	ok = CRYPTO_memcmp(mac, buf + HELLO_SIGNED_LEN, HA_WIRE_HMAC_LEN) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	if (!ok)
		return drop(c, HA_CHAN_DROP_AUTH);
	if (ha_wire_hello_decode(buf + HA_WIRE_HDR_LEN, HA_WIRE_HELLO_LEN, &rx->hello) != 0)
		return drop(c, HA_CHAN_DROP_MALFORMED);
	if (rx->hello.version_min > HA_WIRE_VERSION || rx->hello.version_max < HA_WIRE_VERSION)
		return drop(c, HA_CHAN_DROP_VERSION);
	return hello_accept(c, rx);
}

/* The session that opens BUF's DATA into SCRATCH, or NULL with *WHY. */
static struct ha_chan_session *
data_session(struct ha_chan *c, const uint8_t *buf, size_t n, const struct ha_wire_hdr *h,
	     uint8_t *scratch, enum ha_chan_drop *why)
{
	struct ha_chan_session *cand[] = { &c->cur, &c->next };
	const uint8_t *tag = buf + HA_WIRE_HDR_LEN + n;
	int rc;

	*why = HA_CHAN_DROP_NO_SESSION;
	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (!cand[i]->valid || cand[i]->id != h->session)
			continue;
		if (!window_fresh(&cand[i]->rx_win, h->counter)) {
			if (*why == HA_CHAN_DROP_NO_SESSION)
				*why = HA_CHAN_DROP_REPLAY;
			continue;
		}
		rc = gcm_open(c, &cand[i]->rx, h->counter, buf, buf + HA_WIRE_HDR_LEN, n, scratch,
			      tag);
		if (rc == 0)
			return cand[i];
		*why = HA_CHAN_DROP_AUTH;
	}
	return NULL;
}

static int
open_data(struct ha_chan *c, uint8_t *buf, size_t len, struct ha_chan_rx *rx)
{
	uint8_t scratch[HA_WIRE_DGRAM_MAX];
	struct ha_chan_session *s;
	enum ha_chan_drop why;
	size_t n;

	if (len < HA_CHAN_DATA_OVERHEAD)
		return drop(c, HA_CHAN_DROP_MALFORMED);
	if (rx->hdr.version != HA_WIRE_VERSION)
		return drop(c, HA_CHAN_DROP_VERSION);
	n = len - HA_CHAN_DATA_OVERHEAD;
	s = data_session(c, buf, n, &rx->hdr, scratch, &why);
	if (s == NULL) {
		OPENSSL_cleanse(scratch, n);
		return drop(c, why);
	}
	memcpy(buf + HA_WIRE_HDR_LEN, scratch, n);
	OPENSSL_cleanse(scratch, n);
	window_mark(&s->rx_win, rx->hdr.counter);
	if (s == &c->next) {
		session_wipe(&c->cur);
		c->cur = c->next;
		session_wipe(&c->next);
		c->sessions++;
		rx->new_session = true;
	}
	rx->plain = buf + HA_WIRE_HDR_LEN;
	rx->plain_len = n;
	return 0;
}

int
ha_chan_open(struct ha_chan *c, uint8_t *buf, size_t len, struct ha_chan_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	if (buf == NULL || len > HA_WIRE_DGRAM_MAX ||
	    ha_wire_hdr_decode(buf, len, &rx->hdr) != 0)
		return drop(c, HA_CHAN_DROP_MALFORMED);
	if (!node_is_peer(c, rx->hdr.node_id))
		return drop(c, HA_CHAN_DROP_FOREIGN);
	if (rx->hdr.type == HA_DGRAM_HELLO)
		return open_hello(c, buf, len, rx);
	return open_data(c, buf, len, rx);
}
