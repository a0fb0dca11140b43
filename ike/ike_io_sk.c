/* SK / SKF sealing and opening with an IKE SA's keys (RFC 7296 §2.14,
 * §3.14; RFC 7383 §2.5). */
#include <errno.h>

#include "ike/ike_io_sk.h"
#include "ike/ike_sk.h"

static int
sk_dir(const struct ike_sa_state *st, bool outbound, struct ike_sk_dir *d)
{
	bool from_initiator = st->initiator == outbound;

	return ike_sk_dir_init(d, &st->suite, from_initiator ? &st->sk_ei : &st->sk_er,
			       from_initiator ? &st->sk_ai : &st->sk_ar);
}

size_t
ike_io_sk_iv_len(const struct ike_sa_state *st)
{
	struct ike_sk_dir d;

	return sk_dir(st, true, &d) == 0 ? ike_sk_iv_len(&d) : 0;
}

size_t
ike_io_sk_overhead(const struct ike_sa_state *st)
{
	struct ike_sk_dir d;

	if (sk_dir(st, true, &d) != 0)
		return IKE_SK_OVERHEAD_MAX;
	return ike_sk_payload_len(&d, IKE_SK_HDR_LEN, 0) - IKE_SK_HDR_LEN + IKE_AES_BLOCK_LEN;
}

int
ike_io_sk_seal(struct ike_sa_state *st, uint8_t *buf, size_t cap, size_t sk_off, bool skf,
	       size_t plain_len, size_t *len)
{
	struct ike_sk_dir d;
	struct ike_sk_msg m = {
		.buf = buf,
		.cap = cap,
		.sk_off = sk_off,
		.sk_hdr_len = skf ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN,
		.plain_len = plain_len,
	};
	int rc = sk_dir(st, true, &d);

	if (rc != 0)
		return rc;
	return ike_sk_encrypt(&d, &m, &st->iv_counter, len);
}

int
ike_io_sk_open(const struct ike_sa_state *st, uint8_t *msg, size_t len, size_t sk_off,
	       bool skf, struct ike_chunk *plain)
{
	struct ike_sk_dir d;
	int rc = sk_dir(st, false, &d);

	if (rc != 0)
		return rc;
	return ike_sk_decrypt(&d, msg, len, sk_off, skf ? IKE_SKF_HDR_LEN : IKE_SK_HDR_LEN,
			      plain);
}
