/*
 * Encrypted payload (ike/ike_sk.c): whole messages for AES-CBC-128/256 with
 * HMAC-SHA2-256-128 and -384-192, AES-GCM-16-128, AES-GCM-16-256 in an SKF
 * payload, and ChaCha20-Poly1305 against python3-cryptography
 * (make_vectors.py); the AEAD IV counter; random CBC IVs; one flipped bit
 * anywhere authenticated (header, SK header, IV, ciphertext, ICV) refused;
 * truncated and inconsistent lengths; pad lengths too large, exact and
 * longer than needed; layout errors; key choice by role and direction.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ike/ike_buf.h"
#include "ike/ike_const.h"
#include "ike/ike_key.h"
#include "ike/ike_sk.h"

#include "test_ike_crypto.h"
#include "test_ike_crypto_vectors.h"

enum { MSG_BUF = IKE_MSG_MAX + 64 };

struct sk_vec {
	const char *name;
	struct ike_suite s;
	const char *ekey, *akey, *iv, *prefix, *plain, *msg;
	size_t hdr_len;
};

#define CBC128 { IKE_ENCR_AES_CBC, 128, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 0 }
#define CBC256 { IKE_ENCR_AES_CBC, 256, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 0 }
#define CBC256_384 { IKE_ENCR_AES_CBC, 256, 0, IKE_INTEG_HMAC_SHA2_384_192, 0, 0 }
#define GCM128 { IKE_ENCR_AES_GCM_16, 128, 0, IKE_INTEG_NONE, 0, 0 }
#define GCM256 { IKE_ENCR_AES_GCM_16, 256, 0, IKE_INTEG_NONE, 0, 0 }
#define CHACHA { IKE_ENCR_CHACHA20_POLY1305, 0, 0, IKE_INTEG_NONE, 0, 0 }
#define VEC(n, suite) { #n, suite, SK_##n##_EKEY, SK_##n##_AKEY, SK_##n##_IV, \
	SK_##n##_PREFIX, SK_##n##_PLAIN, SK_##n##_MSG, SK_##n##_HDR_LEN }

static const struct sk_vec vecs[] = {
	VEC(CBC128, CBC128),
	VEC(CBC256, CBC256),
	VEC(CBC256_384, CBC256_384),
	VEC(GCM128, GCM128),
	VEC(GCM256, GCM256),
	VEC(CHACHA, CHACHA),
};

static uint8_t buf[MSG_BUF];
static struct ike_key ekey, akey;
static struct hex h;

static void
dir_of(const struct sk_vec *v, struct ike_sk_dir *d)
{
	hex_decode(&h, v->ekey);
	CU_ASSERT_EQUAL_FATAL(ike_key_set(&ekey, h.b, h.len), 0);
	hex_decode(&h, v->akey);
	CU_ASSERT_EQUAL_FATAL(ike_key_set(&akey, h.b, h.len), 0);
	CU_ASSERT_EQUAL_FATAL(ike_sk_dir_init(d, &v->s, &ekey, &akey), 0);
}

/* The IKE header and SK header of V, then its plaintext at the place
 * ike_sk_plain_off() gives. */
static void
build(const struct sk_vec *v, const struct ike_sk_dir *d, struct ike_sk_msg *m)
{
	memset(buf, 0xee, sizeof(buf));
	hex_decode(&h, v->prefix);
	memcpy(buf, h.b, h.len);
	m->buf = buf;
	m->cap = sizeof(buf);
	m->sk_off = IKE_HDR_LEN;
	m->sk_hdr_len = v->hdr_len;
	CU_ASSERT_EQUAL(h.len, IKE_HDR_LEN + v->hdr_len);
	hex_decode(&h, v->plain);
	memcpy(buf + ike_sk_plain_off(d, m->sk_off, m->sk_hdr_len), h.b, h.len);
	m->plain_len = h.len;
}

/* Decrypts the message in buf and checks the span against V's plaintext. */
static void
check_decrypt(const struct sk_vec *v, const struct ike_sk_dir *d, size_t len)
{
	struct ike_chunk plain;

	CU_ASSERT_EQUAL(ike_sk_decrypt(d, buf, len, IKE_HDR_LEN, v->hdr_len, &plain), 0);
	CU_ASSERT_PTR_EQUAL(plain.ptr, buf + ike_sk_plain_off(d, IKE_HDR_LEN, v->hdr_len));
	check_hex(v->name, plain.ptr, plain.len, v->plain);
}

static void
test_sk_kat(void)
{
	struct ike_sk_dir d;
	struct ike_sk_msg m;
	size_t i, len;

	for (i = 0; i < DIM(vecs); i++) {
		dir_of(&vecs[i], &d);
		build(&vecs[i], &d, &m);
		hex_decode(&h, vecs[i].iv);
		len = 0;
		CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, h.len, &len), 0);
		hex_decode(&h, vecs[i].msg);
		CU_ASSERT_EQUAL(len, h.len);
		CU_ASSERT_EQUAL(ike_sk_payload_len(&d, vecs[i].hdr_len, m.plain_len),
				h.len - IKE_HDR_LEN);
		check_hex(vecs[i].name, buf, len, vecs[i].msg);
		CU_ASSERT_EQUAL(buf[len], 0xee);   /* nothing written beyond */
		/* The reference message decrypts to the plaintext. */
		memcpy(buf, h.b, h.len);
		check_decrypt(&vecs[i], &d, h.len);
	}
}

static void
test_sk_aead_counter(void)
{
	struct ike_sk_dir d;
	struct ike_sk_msg m;
	uint64_t ctr, start;
	size_t i, len;

	for (i = 0; i < DIM(vecs); i++) {
		dir_of(&vecs[i], &d);
		if (!d.encr.aead)
			continue;
		hex_decode(&h, vecs[i].iv);
		start = (uint64_t)h.b[0] << 56 | (uint64_t)h.b[1] << 48 | (uint64_t)h.b[2] << 40 |
			(uint64_t)h.b[3] << 32 | (uint64_t)h.b[4] << 24 | (uint64_t)h.b[5] << 16 |
			(uint64_t)h.b[6] << 8 | h.b[7];
		ctr = start;
		build(&vecs[i], &d, &m);
		CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, &ctr, &len), 0);
		CU_ASSERT_EQUAL(ctr, start + 1);
		check_hex(vecs[i].name, buf, len, vecs[i].msg);
		/* The next message takes the next IV. */
		build(&vecs[i], &d, &m);
		CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, &ctr, &len), 0);
		CU_ASSERT_EQUAL(ctr, start + 2);
		CU_ASSERT_EQUAL(buf[IKE_HDR_LEN + vecs[i].hdr_len + 7], (uint8_t)(start + 1));
		check_decrypt(&vecs[i], &d, len);
		/* Exhausted, or no counter: refused, nothing consumed. */
		ctr = UINT64_MAX;
		CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, &ctr, &len), -EOVERFLOW);
		CU_ASSERT_EQUAL(ctr, UINT64_MAX);
		CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, NULL, &len), -EINVAL);
		ctr = UINT64_MAX - 1;
		build(&vecs[i], &d, &m);
		CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, &ctr, &len), 0);
		CU_ASSERT_EQUAL(ctr, UINT64_MAX);
	}
}

static void
test_sk_cbc_random_iv(void)
{
	uint8_t first[IKE_AES_CBC_IV_LEN];
	struct ike_sk_dir d;
	struct ike_sk_msg m;
	size_t len;

	dir_of(&vecs[0], &d);
	build(&vecs[0], &d, &m);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, NULL, &len), 0);
	CU_ASSERT_EQUAL(len, 28 + 4 + 16 + 48 + 16);
	memcpy(first, buf + 32, sizeof(first));
	check_decrypt(&vecs[0], &d, len);
	build(&vecs[0], &d, &m);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&d, &m, NULL, &len), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(first, buf + 32, sizeof(first)), 0);
	check_decrypt(&vecs[0], &d, len);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Flips one bit at OFF of V's reference message and expects RC; a failed
 * CBC check leaves the message untouched, a failed AEAD tag wipes the
 * ciphertext. */
static void
check_flip(const struct sk_vec *v, const struct ike_sk_dir *d, size_t off, int rc)
{
	static uint8_t copy[MSG_BUF];
	size_t ct_off = ike_sk_plain_off(d, IKE_HDR_LEN, v->hdr_len);
	struct ike_chunk plain;
	int got;

	hex_decode(&h, v->msg);
	memcpy(buf, h.b, h.len);
	buf[off] ^= 0x01;
	memcpy(copy, buf, h.len);
	got = ike_sk_decrypt(d, buf, h.len, IKE_HDR_LEN, v->hdr_len, &plain);
	CU_ASSERT_EQUAL(got, rc);
	if (got != rc)
		fprintf(stderr, "\n%s: bit flipped at %zu gave %d, not %d\n", v->name, off, got,
			rc);
	CU_ASSERT_PTR_NULL(plain.ptr);
	if (rc == -EACCES && !d->encr.aead)
		CU_ASSERT_EQUAL(memcmp(copy, buf, h.len), 0);
	if (rc == -EACCES && d->encr.aead)
		CU_ASSERT_TRUE(all_zero(buf + ct_off, h.len - ct_off - d->encr.icv_len));
}

static void
test_sk_tamper(void)
{
	struct ike_sk_dir d;
	size_t i, j, len, icv, sk, ct, hdr_last;

	for (i = 0; i < DIM(vecs); i++) {
		dir_of(&vecs[i], &d);
		hex_decode(&h, vecs[i].msg);
		len = h.len;
		icv = d.encr.aead ? d.encr.icv_len : d.integ.icv_len;
		sk = IKE_HDR_LEN;
		ct = ike_sk_plain_off(&d, sk, vecs[i].hdr_len);
		/* SKF: Total Fragments; SK: the reserved octet. */
		hdr_last = vecs[i].hdr_len == IKE_SKF_HDR_LEN ? sk + 7 : sk + 1;
		{
			const size_t offs[] = {
				0, 8, 16, 17, 18, 19, 20, 23,  /* SPIs, next payload, version, */
				sk, sk + 1, hdr_last,          /* ..., SK/SKF header, */
				sk + vecs[i].hdr_len, ct - 1,  /* IV, */
				ct, ct + 5,                    /* ciphertext, */
				len - icv - 1,                 /* pad length, */
				len - icv, len - 1,            /* ICV or tag */
			};

			for (j = 0; j < DIM(offs); j++)
				check_flip(&vecs[i], &d, offs[j], -EACCES);
		}
		/* Length fields: refused before any cryptography. */
		check_flip(&vecs[i], &d, IKE_HDR_LEN_OFF + 3, -EBADMSG);
		check_flip(&vecs[i], &d, IKE_HDR_LEN_OFF, -EBADMSG);
		check_flip(&vecs[i], &d, sk + IKE_SK_LEN_OFF + 1, -EBADMSG);
	}
}

/* V's reference message cut to LEN octets with both length fields made to
 * agree, then decrypted. */
static int
decrypt_cut(const struct sk_vec *v, const struct ike_sk_dir *d, size_t len)
{
	struct ike_chunk plain;

	hex_decode(&h, v->msg);
	memcpy(buf, h.b, h.len);
	ike_put_be32(buf + IKE_HDR_LEN_OFF, (uint32_t)len);
	ike_put_be16(buf + IKE_HDR_LEN + IKE_SK_LEN_OFF, (uint16_t)(len - IKE_HDR_LEN));
	return ike_sk_decrypt(d, buf, len, IKE_HDR_LEN, v->hdr_len, &plain);
}

static void
test_sk_truncated(void)
{
	struct ike_chunk plain;
	struct ike_sk_dir d;
	size_t i, len, min;

	for (i = 0; i < DIM(vecs); i++) {
		dir_of(&vecs[i], &d);
		hex_decode(&h, vecs[i].msg);
		len = h.len;
		min = IKE_HDR_LEN + vecs[i].hdr_len + d.encr.iv_len +
		      (d.encr.aead ? d.encr.icv_len : d.integ.icv_len);
		/* Shorter than the length fields say. */
		memcpy(buf, h.b, len);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len - 1, IKE_HDR_LEN, vecs[i].hdr_len,
					       &plain), -EBADMSG);
		/* Cut with consistent lengths: CBC misaligned, AEAD tag wrong. */
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, len - 1),
				d.encr.aead ? -EACCES : -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, len - 16), -EACCES);
		/* No room for the pad length octet (AEAD) or a block (CBC). */
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, min), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, min - 1), -EBADMSG);
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, IKE_HDR_LEN + vecs[i].hdr_len),
				-EBADMSG);
		CU_ASSERT_EQUAL(decrypt_cut(&vecs[i], &d, IKE_HDR_LEN + vecs[i].hdr_len - 1),
				-EBADMSG);
		/* Offsets and sizes the caller got wrong. */
		memcpy(buf, h.b, len);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, 27, 28, vecs[i].hdr_len, &plain),
				-EBADMSG);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, 24, vecs[i].hdr_len, &plain),
				-EBADMSG);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, len + 1, vecs[i].hdr_len, &plain),
				-EBADMSG);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, len - 2, vecs[i].hdr_len, &plain),
				-EBADMSG);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, IKE_HDR_LEN, 5, &plain), -EINVAL);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, IKE_HDR_LEN, 0, &plain), -EINVAL);
		/* Still intact after all that. */
		check_decrypt(&vecs[i], &d, len);
	}
}

static void
test_sk_padding(void)
{
	static const struct {
		struct sk_vec v;
		int rc;
	} rows[] = {
		{ VEC(CBC_BADPAD, CBC128), -EBADMSG },
		{ VEC(CBC_ALLPAD, CBC128), 0 },
		{ VEC(CBC_LONGPAD, CBC128), 0 },
		{ VEC(GCM_BADPAD, GCM128), -EBADMSG },
		{ VEC(GCM_ALLPAD, GCM128), 0 },
		{ VEC(CHACHA_LONGPAD, CHACHA), 0 },
	};
	struct ike_chunk plain;
	struct ike_sk_dir d;
	size_t i;

	for (i = 0; i < DIM(rows); i++) {
		dir_of(&rows[i].v, &d);
		hex_decode(&h, rows[i].v.msg);
		memcpy(buf, h.b, h.len);
		CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, h.len, IKE_HDR_LEN, rows[i].v.hdr_len,
					       &plain), rows[i].rc);
		if (rows[i].rc == 0)
			check_hex(rows[i].v.name, plain.ptr, plain.len, rows[i].v.plain);
		else
			CU_ASSERT_PTR_NULL(plain.ptr);
	}
}

static void
test_sk_layout(void)
{
	struct ike_chunk plain;
	struct ike_sk_dir d;
	struct ike_sk_msg m;
	size_t len = 0;

	dir_of(&vecs[3], &d);   /* GCM-128: 57 octets around the plaintext */
	build(&vecs[3], &d, &m);
	hex_decode(&h, vecs[3].iv);
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 7, &len), -EINVAL);
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 16, &len), -EINVAL);
	m.cap = 28 + 4 + 8 + 37 + 1 + 16 - 1;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), -ENOSPC);
	m.cap++;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), 0);
	CU_ASSERT_EQUAL(len, m.cap);
	m.sk_off = 27;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), -EINVAL);
	m.sk_off = 28;
	m.sk_hdr_len = 6;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), -EINVAL);
	m.sk_hdr_len = 4;
	m.cap = sizeof(buf);
	/* The largest message: 65535 octets; one more is too big. */
	m.plain_len = IKE_MSG_MAX - 57;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), 0);
	CU_ASSERT_EQUAL(len, IKE_MSG_MAX);
	CU_ASSERT_EQUAL(buf[IKE_HDR_LEN_OFF + 2], 0xff);   /* 65535 */
	CU_ASSERT_EQUAL(buf[IKE_HDR_LEN_OFF + 3], 0xff);
	CU_ASSERT_EQUAL(buf[IKE_HDR_LEN + IKE_SK_LEN_OFF], 0xff);   /* 65507 */
	CU_ASSERT_EQUAL(buf[IKE_HDR_LEN + IKE_SK_LEN_OFF + 1], 0xe3);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&d, buf, len, IKE_HDR_LEN, 4, &plain), 0);
	CU_ASSERT_EQUAL(plain.len, IKE_MSG_MAX - 57);
	m.plain_len++;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), -EMSGSIZE);
	m.plain_len = (size_t)1 << 40;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), -EMSGSIZE);
	m.plain_len = 0;
	CU_ASSERT_EQUAL(ike_sk_encrypt_iv(&d, &m, h.b, 8, &len), 0);
	CU_ASSERT_EQUAL(len, 57);
}

static void
test_sk_sizes(void)
{
	static const struct {
		struct ike_suite s;
		size_t iv, len37, len47;
	} rows[] = {
		{ CBC128, 16, 4 + 16 + 48 + 16, 4 + 16 + 48 + 16 },
		{ CBC256_384, 16, 4 + 16 + 48 + 24, 4 + 16 + 48 + 24 },
		{ GCM256, 8, 4 + 8 + 38 + 16, 4 + 8 + 48 + 16 },
		{ CHACHA, 8, 4 + 8 + 38 + 16, 4 + 8 + 48 + 16 },
	};
	struct ike_encr_info e;
	struct ike_integ_info in;
	struct ike_sk_dir d;
	size_t i;

	for (i = 0; i < DIM(rows); i++) {
		CU_ASSERT_EQUAL(ike_cipher_suite_info(&rows[i].s, &e, &in), 0);
		ekey.len = e.key_len;
		akey.len = in.key_len;
		CU_ASSERT_EQUAL_FATAL(ike_sk_dir_init(&d, &rows[i].s, &ekey, &akey), 0);
		CU_ASSERT_EQUAL(ike_sk_iv_len(&d), rows[i].iv);
		CU_ASSERT_EQUAL(ike_sk_plain_off(&d, 28, 8), 36 + rows[i].iv);
		CU_ASSERT_EQUAL(ike_sk_payload_len(&d, 4, 37), rows[i].len37);
		CU_ASSERT_EQUAL(ike_sk_payload_len(&d, 4, 47), rows[i].len47);
		CU_ASSERT_TRUE(ike_sk_payload_len(&d, 4, 0) <= 4 + IKE_SK_OVERHEAD_MAX);
		/* Keys of the wrong length. */
		ekey.len++;
		CU_ASSERT_EQUAL(ike_sk_dir_init(&d, &rows[i].s, &ekey, &akey), -EINVAL);
		ekey.len -= 2;
		CU_ASSERT_EQUAL(ike_sk_dir_init(&d, &rows[i].s, &ekey, &akey), -EINVAL);
		ekey.len++;
		akey.len++;
		CU_ASSERT_EQUAL(ike_sk_dir_init(&d, &rows[i].s, &ekey, &akey),
				e.aead ? 0 : -EINVAL);
	}
	CU_ASSERT_EQUAL(ike_sk_dir_init(&d, &(struct ike_suite)GCM128, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ike_sk_dir_init(&d, &(struct ike_suite){ 3, 0, 0, 0, 0, 0 }, &ekey,
					&akey), -ENOTSUP);
}

/* Messages sent by the original initiator are protected with SK_ei/SK_ai
 * whoever sends them; the other direction with SK_er/SK_ar. */
static void
test_sk_dir_sa(void)
{
	static const struct ike_suite s = CBC256;
	struct ike_sk_dir i_out, i_in, r_out, r_in;
	struct ike_chunk plain;
	struct ike_sa_keys k;
	struct ike_sk_msg m;
	size_t len;

	memset(&k, 0, sizeof(k));
	k.sk_ei.len = k.sk_er.len = 32;
	k.sk_ai.len = k.sk_ar.len = 32;
	k.sk_ei.bytes[0] = 1;
	k.sk_er.bytes[0] = 2;
	k.sk_ai.bytes[0] = 3;
	k.sk_ar.bytes[0] = 4;
	CU_ASSERT_EQUAL(ike_sk_dir_sa(&i_out, &s, &k, true, true), 0);
	CU_ASSERT_EQUAL(ike_sk_dir_sa(&i_in, &s, &k, true, false), 0);
	CU_ASSERT_EQUAL(ike_sk_dir_sa(&r_out, &s, &k, false, true), 0);
	CU_ASSERT_EQUAL(ike_sk_dir_sa(&r_in, &s, &k, false, false), 0);
	CU_ASSERT_PTR_EQUAL(i_out.ekey, &k.sk_ei);
	CU_ASSERT_PTR_EQUAL(i_out.akey, &k.sk_ai);
	CU_ASSERT_PTR_EQUAL(r_in.ekey, &k.sk_ei);
	CU_ASSERT_PTR_EQUAL(r_out.ekey, &k.sk_er);
	CU_ASSERT_PTR_EQUAL(r_out.akey, &k.sk_ar);
	CU_ASSERT_PTR_EQUAL(i_in.akey, &k.sk_ar);
	build(&vecs[1], &i_out, &m);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&i_out, &m, NULL, &len), 0);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&r_out, buf, len, 28, 4, &plain), -EACCES);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&i_in, buf, len, 28, 4, &plain), -EACCES);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&r_in, buf, len, 28, 4, &plain), 0);
	check_hex("initiator to responder", plain.ptr, plain.len, vecs[1].plain);
	build(&vecs[1], &r_out, &m);
	CU_ASSERT_EQUAL(ike_sk_encrypt(&r_out, &m, NULL, &len), 0);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&r_in, buf, len, 28, 4, &plain), -EACCES);
	CU_ASSERT_EQUAL(ike_sk_decrypt(&i_in, buf, len, 28, 4, &plain), 0);
	check_hex("responder to initiator", plain.ptr, plain.len, vecs[1].plain);
}

const struct test_def test_ike_sk_tests[] = {
	{ "known answers for every cipher, SK and SKF", test_sk_kat },
	{ "AEAD explicit IV counter", test_sk_aead_counter },
	{ "CBC random IVs", test_sk_cbc_random_iv },
	{ "one flipped bit refused", test_sk_tamper },
	{ "truncated messages and bad offsets", test_sk_truncated },
	{ "pad length checks", test_sk_padding },
	{ "encryption layout errors and the size limit", test_sk_layout },
	{ "sizes and key lengths", test_sk_sizes },
	{ "keys by role and direction", test_sk_dir_sa },
};
const size_t test_ike_sk_count = DIM(test_ike_sk_tests);
