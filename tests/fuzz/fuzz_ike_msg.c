/*
 * libFuzzer target for the IKEv2 message parser and builder (ike/ike_msg.h;
 * RFC 7296 §3, RFC 7383 §2.5). The input is parsed as a datagram; when it
 * carries SK/SKF the body is parsed again as the inner chain (the seeds are
 * built with a 0-byte IV and no encryption, so it is plaintext). The bytes
 * after the header are also parsed directly as an inner chain. libFuzzer
 * hands over an exactly sized heap buffer, so ASan sees any over-read.
 *
 * Promises checked (a breach aborts): only the documented errors, with the
 * matching error_notify; on success every bound holds and every chunk lies
 * in the input; a parsed message rebuilt from its structs (every payload
 * inside SK) parses back to the same structs. Seeds: tests/fuzz/corpus/
 * fuzz_ike_msg/, written by `test_ike_msg --write-corpus DIR`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_msg.h"

enum {
	REBUILD_MAX = 2 * IKE_MSG_MAX,
	HDR_NEXT_PAYLOAD_OFF = 16,
	HDR_FLAGS_OFF = 19,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_lo, *in_hi;

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_chunk(struct ike_chunk c)
{
	check(c.len == 0 || (c.ptr >= in_lo && c.ptr <= in_hi && c.len <= (size_t)(in_hi - c.ptr)));
}

static void
check_error(int rc, const struct ike_msg *m)
{
	switch (rc) {
	case 0:
		check(m->error_notify == 0 && m->error_data_len == 0);
		break;
	case -EOPNOTSUPP:
		check(m->error_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		check(m->error_data_len == 1 && m->error_data[0] == m->error_payload);
		break;
	case -EPROTONOSUPPORT:
		check(m->error_notify == IKE_N_INVALID_MAJOR_VERSION);
		break;
	case -EBADMSG:
		check(m->error_notify == IKE_N_INVALID_SYNTAX ||
		      (m->error_notify == 0 && m->error_payload == IKE_PL_SKF));
		break;
	case -EMSGSIZE:
	case -EPROTO:
	case -EEXIST:
	case -E2BIG:
		check(m->error_notify == IKE_N_INVALID_SYNTAX);
		break;
	default:
		abort();
	}
}

static void
check_sa(const struct ike_pl_sa *sa)
{
	check(sa->n_proposals <= IKE_PROPOSALS_MAX);
	for (uint8_t i = 0; i < sa->n_proposals; i++) {
		check(sa->proposals[i].n_transforms <= IKE_TRANSFORMS_MAX);
		check(sa->proposals[i].spi_len <= IKE_SPI_LEN);
		check(sa->proposals[i].num != 0);
	}
}

static void
check_bounds(const struct ike_msg *m)
{
	check(m->n_payloads <= IKE_PAYLOADS_MAX && m->n_notify <= IKE_MSG_NOTIFY_MAX);
	check(m->n_vendor <= IKE_MSG_VENDOR_MAX && m->n_cert <= IKE_MSG_CERT_MAX);
	check(m->n_certreq <= IKE_MSG_CERTREQ_MAX && m->n_delete <= IKE_MSG_DELETE_MAX);
	check(m->n_eap <= IKE_MSG_EAP_MAX && m->cp.n_attrs <= IKE_CP_ATTRS_MAX);
	check(m->tsi.n <= IKE_TS_MAX && m->tsr.n <= IKE_TS_MAX);
	check(m->idi.id.len <= IKE_ID_MAX && m->idr.id.len <= IKE_ID_MAX);
	check_sa(&m->sa);
	if (ike_msg_has(m, IKE_PL_NONCE))
		check(m->nonce.len >= IKE_NONCE_MIN && m->nonce.len <= IKE_NONCE_MAX);
	for (uint8_t i = 0; i < m->n_delete; i++)
		check(m->del[i].n_spis <= IKE_DELETE_SPIS_MAX);
	for (uint8_t i = 0; i < m->n_notify; i++) {
		check(m->notify[i].spi_len <= IKE_SPI_LEN);
		check_chunk(m->notify[i].data);
	}
	for (uint8_t i = 0; i < m->n_vendor; i++)
		check_chunk(m->vendor[i]);
	for (uint8_t i = 0; i < m->n_cert; i++)
		check_chunk(m->cert[i].data);
	for (uint8_t i = 0; i < m->n_certreq; i++)
		check_chunk(m->certreq[i].data);
	for (uint8_t i = 0; i < m->n_eap; i++)
		check_chunk(m->eap[i]);
	for (uint8_t i = 0; i < m->cp.n_attrs; i++)
		check_chunk(m->cp.attrs[i].value);
	check_chunk(m->ke.data);
	check_chunk(m->auth.data);
	check_chunk(m->nonce);
	check_chunk(m->idi.body);
	check_chunk(m->idr.body);
	check_chunk(m->sk.body);
}

static void
add_single(struct ike_msg_builder *b, const struct ike_msg *m, bool sa)
{
	if (sa)
		ike_msg_build_sa(b, m->sa.proposals, m->sa.n_proposals);
	if (ike_msg_has(m, IKE_PL_KE))
		ike_msg_build_ke(b, &m->ke);
	if (ike_msg_has(m, IKE_PL_IDI))
		ike_msg_build_id(b, IKE_PL_IDI, &m->idi.id);
	if (ike_msg_has(m, IKE_PL_IDR))
		ike_msg_build_id(b, IKE_PL_IDR, &m->idr.id);
	if (ike_msg_has(m, IKE_PL_AUTH))
		ike_msg_build_auth(b, &m->auth);
	if (ike_msg_has(m, IKE_PL_NONCE))
		ike_msg_build_nonce(b, m->nonce.ptr, m->nonce.len);
	if (ike_msg_has(m, IKE_PL_TSI))
		ike_msg_build_ts(b, IKE_PL_TSI, &m->tsi);
	if (ike_msg_has(m, IKE_PL_TSR))
		ike_msg_build_ts(b, IKE_PL_TSR, &m->tsr);
	if (ike_msg_has(m, IKE_PL_CP))
		ike_msg_build_cp(b, &m->cp);
}

static void
add_repeated(struct ike_msg_builder *b, const struct ike_msg *m)
{
	for (uint8_t i = 0; i < m->n_notify; i++)
		ike_msg_build_notify(b, &m->notify[i]);
	for (uint8_t i = 0; i < m->n_vendor; i++)
		ike_msg_build_vendor(b, m->vendor[i].ptr, m->vendor[i].len);
	for (uint8_t i = 0; i < m->n_cert; i++)
		ike_msg_build_cert(b, &m->cert[i]);
	for (uint8_t i = 0; i < m->n_certreq; i++)
		ike_msg_build_certreq(b, &m->certreq[i]);
	for (uint8_t i = 0; i < m->n_delete; i++)
		ike_msg_build_delete(b, &m->del[i]);
	for (uint8_t i = 0; i < m->n_eap; i++)
		ike_msg_build_eap(b, m->eap[i].ptr, m->eap[i].len);
}

static bool
chunk_eq(struct ike_chunk a, struct ike_chunk b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void
same_sa(const struct ike_pl_sa *a, const struct ike_pl_sa *b)
{
	check(a->n_proposals == b->n_proposals);
	for (uint8_t i = 0; i < a->n_proposals; i++) {
		const struct ike_proposal *p = &a->proposals[i], *q = &b->proposals[i];

		check(p->num == q->num && p->protocol == q->protocol && p->spi_len == q->spi_len);
		check(memcmp(p->spi, q->spi, p->spi_len) == 0);
		check(p->n_transforms == q->n_transforms);
		for (uint8_t t = 0; t < p->n_transforms; t++) {
			check(p->transforms[t].type == q->transforms[t].type);
			check(p->transforms[t].id == q->transforms[t].id);
			check(p->transforms[t].key_bits == q->transforms[t].key_bits);
		}
	}
}

static void
same_ts(const struct ike_ts_set *a, const struct ike_ts_set *b)
{
	check(a->n == b->n);
	for (uint8_t i = 0; i < a->n; i++) {
		check(a->ts[i].type == b->ts[i].type && a->ts[i].ip_proto == b->ts[i].ip_proto);
		check(a->ts[i].start_port == b->ts[i].start_port);
		check(a->ts[i].end_port == b->ts[i].end_port);
		check(memcmp(a->ts[i].start, b->ts[i].start, sizeof(a->ts[i].start)) == 0);
		check(memcmp(a->ts[i].end, b->ts[i].end, sizeof(a->ts[i].end)) == 0);
	}
}

/* The ID body's reserved bytes are not kept: compare type and data. */
static void
same_id(const struct ike_id *a, const struct ike_id *b)
{
	check(a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

static void
same_single(const struct ike_msg *a, const struct ike_msg *b, bool sa)
{
	if (sa)
		same_sa(&a->sa, &b->sa);
	check(a->ke.group == b->ke.group && chunk_eq(a->ke.data, b->ke.data));
	same_id(&a->idi.id, &b->idi.id);
	same_id(&a->idr.id, &b->idr.id);
	check(a->auth.method == b->auth.method && chunk_eq(a->auth.data, b->auth.data));
	check(chunk_eq(a->nonce, b->nonce));
	same_ts(&a->tsi, &b->tsi);
	same_ts(&a->tsr, &b->tsr);
	check(a->cp.type == b->cp.type && a->cp.n_attrs == b->cp.n_attrs);
	for (uint8_t i = 0; i < a->cp.n_attrs; i++) {
		check(a->cp.attrs[i].type == b->cp.attrs[i].type);
		check(chunk_eq(a->cp.attrs[i].value, b->cp.attrs[i].value));
	}
}

static void
same_repeated(const struct ike_msg *a, const struct ike_msg *b)
{
	check(a->n_notify == b->n_notify && a->n_vendor == b->n_vendor);
	check(a->n_cert == b->n_cert && a->n_certreq == b->n_certreq);
	check(a->n_delete == b->n_delete && a->n_eap == b->n_eap);
	for (uint8_t i = 0; i < a->n_notify; i++) {
		const struct ike_notify *p = &a->notify[i], *q = &b->notify[i];

		check(p->protocol == q->protocol && p->type == q->type && p->spi_len == q->spi_len);
		check(memcmp(p->spi, q->spi, p->spi_len) == 0 && chunk_eq(p->data, q->data));
	}
	for (uint8_t i = 0; i < a->n_vendor; i++)
		check(chunk_eq(a->vendor[i], b->vendor[i]));
	for (uint8_t i = 0; i < a->n_cert; i++)
		check(a->cert[i].encoding == b->cert[i].encoding &&
		      chunk_eq(a->cert[i].data, b->cert[i].data));
	for (uint8_t i = 0; i < a->n_certreq; i++)
		check(a->certreq[i].encoding == b->certreq[i].encoding &&
		      chunk_eq(a->certreq[i].data, b->certreq[i].data));
	for (uint8_t i = 0; i < a->n_delete; i++) {
		check(a->del[i].protocol == b->del[i].protocol);
		check(a->del[i].n_spis == b->del[i].n_spis);
		check(memcmp(a->del[i].spis, b->del[i].spis, a->del[i].n_spis * 4u) == 0);
	}
	for (uint8_t i = 0; i < a->n_eap; i++)
		check(chunk_eq(a->eap[i], b->eap[i]));
}

/* Rebuild m with every payload inside SK (0-byte IV), parse it back, compare.
 * An SA that lost proposals or transforms is left out: its numbering no
 * longer follows §3.3.1 once pruned. */
static void
rebuild(const struct ike_msg *m)
{
	static uint8_t buf[REBUILD_MAX];
	static struct ike_msg r;
	bool sa = ike_msg_has(m, IKE_PL_SA) && m->sa.n_proposals > 0 &&
		  m->sa.n_dropped_proposals == 0 && m->sa.n_dropped_transforms == 0;
	unsigned int known = m->n_payloads - m->n_unknown - (m->sk.type != 0);
	struct ike_msg_builder b;
	size_t len;

	if (known + 1 > IKE_PAYLOADS_MAX)
		return;                         /* no room left for the SK payload */
	ike_msg_build_init(&b, buf, sizeof(buf), &m->hdr);
	ike_msg_build_begin_sk(&b, 0);
	add_single(&b, m, sa);
	add_repeated(&b, m);
	if (ike_msg_build_finish(&b, &len) == -EMSGSIZE)
		return;
	check(b.err == 0);
	check(ike_msg_parse(buf, len, &r) == 0);
	check(r.sk.type == IKE_PL_SK);
	check(ike_msg_parse_inner(r.sk.body.ptr, r.sk.body.len, r.sk.first_payload, &r) == 0);
	same_single(m, &r, sa);
	same_repeated(m, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	int rc;

	in_lo = data;
	in_hi = data + size;
	rc = ike_msg_parse(data, size, &m);
	check_error(rc, &m);
	if (rc == 0 && m.sk.type != 0) {
		check(m.sk.body_off <= size && m.sk.hdr_off >= IKE_HDR_LEN);
		rc = ike_msg_parse_inner(m.sk.body.ptr, m.sk.body.len, m.sk.first_payload, &m);
		check_error(rc, &m);
	}
	if (rc == 0) {
		check_bounds(&m);
		rebuild(&m);
	}
	if (size > IKE_HDR_LEN) {
		memset(&m, 0, sizeof(m));
		m.hdr.flags = data[HDR_FLAGS_OFF];
		rc = ike_msg_parse_inner(data + IKE_HDR_LEN, size - IKE_HDR_LEN,
					 data[HDR_NEXT_PAYLOAD_OFF], &m);
		check_error(rc, &m);
		if (rc == 0)
			check_bounds(&m);
	}
	return 0;
}
