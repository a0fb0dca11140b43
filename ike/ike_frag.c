/* IKE fragment reassembly and sizing (RFC 7383 §2.5, §2.6). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_const.h"
#include "ike/ike_frag.h"
#include "ike/ike_sk.h"

void
ike_frag_reset(struct ike_frag_rx *f)
{
	unsigned int i;

	for (i = 0; i < IKE_FRAG_MAX; i++) {
		if (f->part[i] != NULL) {
			OPENSSL_cleanse(f->part[i], f->len[i]);
			free(f->part[i]);
		}
	}
	memset(f, 0, sizeof(*f));
}

static int
frag_start(struct ike_frag_rx *f, uint32_t msgid, bool response, uint16_t total,
	   uint64_t now_ms)
{
	if (f->active && f->msgid == msgid && f->response == response) {
		if (total < f->total)
			return -ERANGE;         /* §2.6.2: smaller total, drop it */
		if (total == f->total)
			return 0;
	}
	ike_frag_reset(f);                      /* new message or larger total */
	f->active = true;
	f->msgid = msgid;
	f->response = response;
	f->total = total;
	f->started_ms = now_ms;
	return 0;
}

int
ike_frag_add(struct ike_frag_rx *f, uint32_t msgid, bool response, uint16_t num,
	     uint16_t total, uint8_t first_payload, const uint8_t *plain, size_t len,
	     uint64_t now_ms)
{
	int rc;

	if (total == 0 || total > IKE_FRAG_MAX || num == 0 || num > total)
		return total > IKE_FRAG_MAX ? -E2BIG : -ERANGE;
	rc = frag_start(f, msgid, response, total, now_ms);
	if (rc != 0)
		return rc;
	if (f->part[num - 1] != NULL)
		return -EALREADY;
	if (len > IKE_FRAG_BYTES_MAX - f->bytes)
		return -E2BIG;
	f->part[num - 1] = malloc(len == 0 ? 1 : len);
	if (f->part[num - 1] == NULL)
		return -ENOMEM;
	memcpy(f->part[num - 1], plain, len);
	f->len[num - 1] = (uint16_t)len;
	f->bytes += len;
	f->have++;
	if (num == 1)
		f->first_payload = first_payload;
	return f->have == f->total ? 1 : 0;
}

int
ike_frag_take(struct ike_frag_rx *f, uint8_t *out, size_t cap, size_t *len,
	      uint8_t *first_payload)
{
	size_t off = 0;
	unsigned int i;

	if (!f->active || f->have != f->total || f->bytes > cap)
		return -EINVAL;
	for (i = 0; i < f->total; i++) {
		memcpy(out + off, f->part[i], f->len[i]);
		off += f->len[i];
	}
	*len = off;
	*first_payload = f->first_payload;
	ike_frag_reset(f);
	return 0;
}

void
ike_frag_expire(struct ike_frag_rx *f, uint64_t now_ms)
{
	if (f->active && now_ms - f->started_ms >= IKE_FRAG_TIMEOUT_MS)
		ike_frag_reset(f);
}

size_t
ike_frag_chunk_len(uint16_t frag_size, bool ipv6, bool natt, size_t overhead)
{
	size_t fixed = (ipv6 ? IKE_FRAG_IPV6_HDR : IKE_FRAG_IPV4_HDR) + IKE_FRAG_UDP_HDR +
		       (natt ? IKE_NON_ESP_MARKER_LEN : 0) + IKE_HDR_LEN + IKE_SKF_HDR_LEN +
		       overhead;

	return frag_size > fixed ? frag_size - fixed : 0;
}
