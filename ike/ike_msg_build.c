/* IKEv2 message building: the header (RFC 7296 §3.1), the payload chain
 * with each next-payload byte filled when the following payload is added
 * (§3.2), and the SK (§3.14) and SKF (RFC 7383 §2.5) payloads laid out so
 * the crypto code seals their plaintext in place. Payload bodies are in
 * ike_payload_build.c. */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

enum {
	IKE_HDR_NEXT_PAYLOAD_OFF = 16,
	IKE_HDR_LENGTH_OFF = 24,
	IKE_GENERIC_LEN_OFF = 2,
	IKE_PAYLOAD_LEN_MAX = 0xffff,
};

static int
latch(struct ike_msg_builder *b, int rc)
{
	if (b->err == 0 && rc < 0)
		b->err = rc;
	return b->err;
}

int
ike_msg_build_init(struct ike_msg_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	memset(b, 0, sizeof(*b));
	ike_wr_init(&b->w, buf, cap);
	ike_wr_u64(&b->w, h->spi_i);
	ike_wr_u64(&b->w, h->spi_r);
	ike_wr_u8(&b->w, IKE_PL_NONE);
	ike_wr_u8(&b->w, IKE_VERSION);
	ike_wr_u8(&b->w, h->exchange);
	ike_wr_u8(&b->w, h->flags);
	ike_wr_u32(&b->w, h->msg_id);
	ike_wr_u32(&b->w, 0);
	b->next_at = IKE_HDR_NEXT_PAYLOAD_OFF;
	return b->w.overflow ? latch(b, -ENOBUFS) : 0;
}

int
ike_msg_build_open(struct ike_msg_builder *b, uint8_t type, bool critical, size_t *start)
{
	uint8_t *at;

	if (b->err != 0)
		return b->err;
	if (b->sk_type == IKE_PL_SKF)
		return latch(b, -EINVAL);       /* RFC 7383 §2.5: SKF is last */
	at = ike_wr_reserve(&b->w, IKE_GENERIC_HDR_LEN);
	if (at == NULL)
		return latch(b, -ENOBUFS);
	*start = (size_t)(at - b->w.p);
	at[0] = IKE_PL_NONE;
	at[1] = critical ? IKE_PL_CRITICAL : 0;
	ike_put_be16(at + IKE_GENERIC_LEN_OFF, 0);
	b->w.p[b->next_at] = type;
	b->next_at = *start;
	return 0;
}

int
ike_msg_build_close(struct ike_msg_builder *b, size_t start)
{
	size_t len;

	if (b->err != 0)
		return b->err;
	if (b->w.overflow)
		return latch(b, -ENOBUFS);
	if (start + IKE_GENERIC_HDR_LEN > b->w.len)
		return latch(b, -EINVAL);
	len = b->w.len - start;
	if (len > IKE_PAYLOAD_LEN_MAX)
		return latch(b, -EMSGSIZE);
	ike_put_be16(b->w.p + start + IKE_GENERIC_LEN_OFF, (uint16_t)len);
	return 0;
}

int
ike_msg_build_raw(struct ike_msg_builder *b, uint8_t type, bool critical, const uint8_t *body,
		  size_t len)
{
	size_t start;
	int rc;

	rc = ike_msg_build_open(b, type, critical, &start);
	if (rc < 0)
		return rc;
	ike_wr_bytes(&b->w, body, len);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_begin_sk(struct ike_msg_builder *b, size_t iv_len)
{
	uint8_t *iv;
	size_t start;
	int rc;

	if (b->err == 0 && b->sk_type != 0)
		return latch(b, -EINVAL);       /* one SK per message */
	rc = ike_msg_build_open(b, IKE_PL_SK, false, &start);
	if (rc < 0)
		return rc;
	iv = ike_wr_reserve(&b->w, iv_len);
	if (iv == NULL)
		return latch(b, -ENOBUFS);
	memset(iv, 0, iv_len);
	b->sk_type = IKE_PL_SK;
	b->sk_off = start;
	b->inner_off = b->w.len;
	return 0;
}

int
ike_msg_build_skf(struct ike_msg_builder *b, uint8_t first_payload, uint16_t frag_num,
		  uint16_t frag_total, size_t iv_len, const uint8_t *plain, size_t len)
{
	uint8_t *iv;
	size_t start;
	int rc;

	if (b->err == 0 && (b->sk_type != 0 || frag_num == 0 || frag_total == 0 ||
			    frag_num > frag_total))
		return latch(b, -EINVAL);       /* RFC 7383 §2.5 */
	rc = ike_msg_build_open(b, IKE_PL_SKF, false, &start);
	if (rc < 0)
		return rc;
	b->w.p[start] = frag_num == 1 ? first_payload : IKE_PL_NONE;
	ike_wr_u16(&b->w, frag_num);
	ike_wr_u16(&b->w, frag_total);
	iv = ike_wr_reserve(&b->w, iv_len);
	if (iv == NULL)
		return latch(b, -ENOBUFS);
	memset(iv, 0, iv_len);
	b->sk_type = IKE_PL_SKF;
	b->sk_off = start;
	b->inner_off = b->w.len;
	ike_wr_bytes(&b->w, plain, len);
	return b->w.overflow ? latch(b, -ENOBUFS) : 0;
}

int
ike_msg_build_finish(struct ike_msg_builder *b, size_t *len)
{
	int rc;

	*len = 0;
	if (b->err != 0)
		return b->err;
	if (b->w.overflow)
		return latch(b, -ENOBUFS);
	if (b->sk_type != 0) {
		rc = ike_msg_build_close(b, b->sk_off);
		if (rc < 0)
			return rc;
	}
	if (b->w.len > IKE_MSG_MAX)
		return latch(b, -EMSGSIZE);
	ike_put_be32(b->w.p + IKE_HDR_LENGTH_OFF, (uint32_t)b->w.len);
	*len = b->w.len;
	return 0;
}

int
ike_msg_build_sk_layout(const struct ike_msg_builder *b, struct ike_msg_sk_layout *l)
{
	memset(l, 0, sizeof(*l));
	if (b->err != 0)
		return b->err;
	if (b->sk_type == 0)
		return -ENOENT;
	l->sk_off = b->sk_off;
	l->iv_off = b->sk_off + (b->sk_type == IKE_PL_SKF ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN);
	l->inner_off = b->inner_off;
	l->inner_len = b->w.len - b->inner_off;
	l->cap = b->w.cap;
	return 0;
}

int
ike_msg_set_lengths(uint8_t *msg, size_t msg_len, size_t sk_off)
{
	if (msg_len > IKE_MSG_MAX || sk_off < IKE_HDR_LEN || sk_off > msg_len ||
	    msg_len - sk_off < IKE_GENERIC_HDR_LEN)
		return -EINVAL;
	ike_put_be32(msg + IKE_HDR_LENGTH_OFF, (uint32_t)msg_len);
	ike_put_be16(msg + sk_off + IKE_GENERIC_LEN_OFF, (uint16_t)(msg_len - sk_off));
	return 0;
}
