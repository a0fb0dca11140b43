/* IKEv2 message parsing: the header (RFC 7296 §3.1) and the payload chain
 * (§3.2): generic headers checked before use, unknown payloads skipped or,
 * when critical, refused (§2.5), payloads legal only inside SK refused in
 * cleartext, duplicates refused, SK/SKF last (§3.14, RFC 7383 §2.5). Each
 * payload body is handed to its parser in ike_payload_parse*.c. */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

enum {
	IKE_HDR_NEXT_PAYLOAD_OFF = 16,
	PL_SINGLE = 1 << 0,             /* at most one per message */
	PL_ONLY_SK = 1 << 1,            /* never in cleartext */
	PL_MASK_BITS = 64,              /* width of ike_msg.present */
};

typedef int (*pl_parse_fn)(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk);

struct pl_rule {
	uint8_t type;
	uint8_t flags;
	pl_parse_fn parse;
};

/* The generic payload header, host order (§3.2). */
struct pl_gen {
	uint8_t next;
	uint8_t flags;
	uint16_t len;
};

static bool
is_response(const struct ike_msg *m)
{
	return (m->hdr.flags & IKE_FLAG_RESPONSE) != 0;
}

static int
on_sa(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_sa(p, len, is_response(m), &m->sa);
}

static int
on_ke(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_ke(p, len, &m->ke);
}

static int
on_idi(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_id(p, len, &m->idi);
}

static int
on_idr(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_id(p, len, &m->idr);
}

static int
on_cert(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	int rc;

	if (m->n_cert >= IKE_MSG_CERT_MAX)
		return -E2BIG;
	rc = ike_pl_parse_cert(p, len, &m->cert[m->n_cert]);
	if (rc == 0)
		m->n_cert++;
	return rc;
}

static int
on_certreq(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	int rc;

	if (m->n_certreq >= IKE_MSG_CERTREQ_MAX)
		return -E2BIG;
	rc = ike_pl_parse_cert(p, len, &m->certreq[m->n_certreq]);
	if (rc == 0)
		m->n_certreq++;
	return rc;
}

static int
on_auth(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_auth(p, len, &m->auth);
}

static int
on_nonce(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_nonce(p, len, &m->nonce);
}

static int
on_notify(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	int rc;

	if (m->n_notify >= IKE_MSG_NOTIFY_MAX)
		return -E2BIG;
	rc = ike_pl_parse_notify(p, len, &m->notify[m->n_notify]);
	if (rc == 0)
		m->notify[m->n_notify++].in_sk = in_sk;
	return rc;
}

static int
on_delete(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	int rc;

	if (m->n_delete >= IKE_MSG_DELETE_MAX)
		return -E2BIG;
	rc = ike_pl_parse_delete(p, len, &m->del[m->n_delete]);
	if (rc == 0)
		m->n_delete++;
	return rc;
}

static int
on_vendor(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	if (m->n_vendor >= IKE_MSG_VENDOR_MAX)
		return -E2BIG;
	m->vendor[m->n_vendor].ptr = p;
	m->vendor[m->n_vendor].len = len;
	m->n_vendor++;
	return 0;
}

static int
on_tsi(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_ts(p, len, &m->tsi);
}

static int
on_tsr(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_ts(p, len, &m->tsr);
}

static int
on_cp(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	return ike_pl_parse_cp(p, len, &m->cp);
}

static int
on_eap(struct ike_msg *m, const uint8_t *p, size_t len, bool in_sk)
{
	int rc;

	if (m->n_eap >= IKE_MSG_EAP_MAX)
		return -E2BIG;
	rc = ike_pl_parse_eap(p, len, &m->eap[m->n_eap]);
	if (rc == 0)
		m->n_eap++;
	return rc;
}

/* Which payloads may repeat and which are legal only inside SK (§3.2 and
 * the message layouts of §1.2-§1.5). SK and SKF are handled apart. */
static const struct pl_rule pl_rules[] = {
	{ IKE_PL_SA, PL_SINGLE, on_sa },
	{ IKE_PL_KE, PL_SINGLE, on_ke },
	{ IKE_PL_IDI, PL_SINGLE | PL_ONLY_SK, on_idi },
	{ IKE_PL_IDR, PL_SINGLE | PL_ONLY_SK, on_idr },
	{ IKE_PL_CERT, PL_ONLY_SK, on_cert },
	{ IKE_PL_CERTREQ, 0, on_certreq },
	{ IKE_PL_AUTH, PL_SINGLE | PL_ONLY_SK, on_auth },
	{ IKE_PL_NONCE, PL_SINGLE, on_nonce },
	{ IKE_PL_NOTIFY, 0, on_notify },
	{ IKE_PL_DELETE, PL_ONLY_SK, on_delete },
	{ IKE_PL_VENDOR, 0, on_vendor },
	{ IKE_PL_TSI, PL_SINGLE | PL_ONLY_SK, on_tsi },
	{ IKE_PL_TSR, PL_SINGLE | PL_ONLY_SK, on_tsr },
	{ IKE_PL_CP, PL_SINGLE | PL_ONLY_SK, on_cp },
	{ IKE_PL_EAP, PL_ONLY_SK, on_eap },
};

static const struct pl_rule *
find_rule(uint8_t type)
{
	for (size_t i = 0; i < sizeof(pl_rules) / sizeof(pl_rules[0]); i++) {
		if (pl_rules[i].type == type)
			return &pl_rules[i];
	}
	return NULL;
}

static uint64_t
type_bit(uint8_t type)
{
	return type < PL_MASK_BITS ? UINT64_C(1) << type : 0;
}

/* Record the answer to a failure; rc is returned unchanged. */
static int
fail(struct ike_msg *m, int rc)
{
	switch (rc) {
	case -EPROTONOSUPPORT:
		m->error_notify = IKE_N_INVALID_MAJOR_VERSION;
		break;
	case -EOPNOTSUPP:
		m->error_notify = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
		m->error_data[0] = m->error_payload;
		m->error_data_len = 1;
		break;
	default:
		m->error_notify = IKE_N_INVALID_SYNTAX;
		break;
	}
	return rc;
}

/* Step one: the generic header fits, its length covers itself and stays
 * within the bytes left (§3.2). *body is the rest of the payload. */
static bool
read_generic(struct ike_rd *r, struct pl_gen *g, struct ike_chunk *body)
{
	if (!ike_rd_u8(r, &g->next) || !ike_rd_u8(r, &g->flags) || !ike_rd_u16(r, &g->len))
		return false;
	if (g->len < IKE_GENERIC_HDR_LEN)
		return false;
	body->len = g->len - IKE_GENERIC_HDR_LEN;
	return ike_rd_view(r, &body->ptr, body->len);
}

/* SK or SKF: recorded, never entered here; nothing may follow it. */
static int
on_sk(struct ike_msg *m, const struct ike_rd *r, size_t start, const struct pl_gen *g,
      const struct ike_chunk *body, uint8_t type)
{
	struct ike_rd f;
	struct ike_pl_sk *sk = &m->sk;

	if (ike_rd_left(r) != 0)
		return fail(m, -EPROTO);        /* §3.14: SK is the last payload */
	sk->type = type;
	sk->first_payload = g->next;
	sk->hdr_off = start;
	sk->body_off = start + IKE_SK_HDR_LEN;
	sk->body = *body;
	m->present |= type_bit(type);
	if (type == IKE_PL_SK)
		return 0;
	ike_rd_init(&f, body->ptr, body->len);
	if (!ike_rd_u16(&f, &sk->frag_num) || !ike_rd_u16(&f, &sk->frag_total))
		return fail(m, -EBADMSG);
	sk->body_off = start + IKE_SKF_HDR_LEN;
	sk->body.ptr += f.off;
	sk->body.len -= f.off;
	/* RFC 7383 §2.6: invalid numbers are discarded silently. */
	if (sk->frag_num == 0 || sk->frag_total == 0 || sk->frag_num > sk->frag_total) {
		fail(m, -EBADMSG);
		m->error_notify = 0;
		return -EBADMSG;
	}
	return 0;
}

/* Where the payload may be and how often (§3.2, §3.14). */
static int
check_place(struct ike_msg *m, const struct pl_rule *rule, bool in_sk)
{
	if ((rule->flags & PL_ONLY_SK) && !in_sk)
		return -EPROTO;
	if ((rule->flags & PL_SINGLE) && (m->present & type_bit(rule->type)))
		return -EEXIST;
	return 0;
}

/* One payload of the chain; *type is its type on entry, the next on return.
 * Returns 1 after SK/SKF (the end of the cleartext chain). */
static int
one_payload(struct ike_msg *m, struct ike_rd *r, uint8_t *type, bool in_sk)
{
	const struct pl_rule *rule;
	struct ike_chunk body;
	struct pl_gen g;
	size_t start = r->off;
	int rc;

	m->error_payload = *type;
	if (m->n_payloads >= IKE_PAYLOADS_MAX)
		return fail(m, -E2BIG);
	m->n_payloads++;
	if (!read_generic(r, &g, &body))
		return fail(m, -EBADMSG);
	if (*type == IKE_PL_SK || *type == IKE_PL_SKF) {
		if (in_sk || m->sk.type != 0)
			return fail(m, -EPROTO);
		rc = on_sk(m, r, start, &g, &body, *type);
		return rc < 0 ? rc : 1;
	}
	rule = find_rule(*type);
	if (rule == NULL) {
		if (g.flags & IKE_PL_CRITICAL)
			return fail(m, -EOPNOTSUPP);   /* §2.5 */
		m->n_unknown++;
		*type = g.next;
		return 0;
	}
	rc = check_place(m, rule, in_sk);
	if (rc == 0)
		rc = rule->parse(m, body.ptr, body.len, in_sk);
	if (rc < 0)
		return fail(m, rc);
	m->present |= type_bit(*type);
	if (in_sk)
		m->inner |= type_bit(*type);
	*type = g.next;
	return 0;
}

/* The chain from r's position to its end, first payload type given. */
static int
walk(struct ike_msg *m, struct ike_rd *r, uint8_t type, bool in_sk)
{
	int rc;

	while (type != IKE_PL_NONE) {
		rc = one_payload(m, r, &type, in_sk);
		if (rc < 0)
			return rc;
		if (rc > 0)
			break;
	}
	m->error_payload = IKE_PL_NONE;
	if (ike_rd_left(r) != 0)
		return fail(m, -EBADMSG);       /* bytes after the last payload */
	return 0;
}

int
ike_msg_parse_header(const uint8_t *p, size_t len, struct ike_hdr *h)
{
	struct ike_rd r;

	memset(h, 0, sizeof(*h));
	if (len < IKE_HDR_LEN)
		return -EBADMSG;
	ike_rd_init(&r, p, len);
	ike_rd_u64(&r, &h->spi_i);
	ike_rd_u64(&r, &h->spi_r);
	ike_rd_u8(&r, &h->next_payload);
	ike_rd_u8(&r, &h->version);
	ike_rd_u8(&r, &h->exchange);
	ike_rd_u8(&r, &h->flags);
	ike_rd_u32(&r, &h->msg_id);
	ike_rd_u32(&r, &h->length);
	/* §3.1: a higher major version is answered, the minor one ignored. */
	if ((h->version >> IKE_HDR_VERSION_MAJOR_SHIFT) != IKE_HDR_VERSION_MAJOR)
		return -EPROTONOSUPPORT;
	if (h->length < IKE_HDR_LEN)
		return -EBADMSG;
	if (h->length != len)
		return -EMSGSIZE;
	return 0;
}

int
ike_msg_parse(const uint8_t *p, size_t len, struct ike_msg *m)
{
	struct ike_rd r;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = ike_msg_parse_header(p, len, &m->hdr);
	if (rc < 0)
		return fail(m, rc);
	ike_rd_init(&r, p, len);
	ike_rd_skip(&r, IKE_HDR_LEN);
	return walk(m, &r, m->hdr.next_payload, false);
}

int
ike_msg_parse_inner(const uint8_t *p, size_t len, uint8_t first_payload, struct ike_msg *m)
{
	struct ike_rd r;

	m->error_notify = 0;
	m->error_payload = 0;
	m->error_data_len = 0;
	ike_rd_init(&r, p, len);
	return walk(m, &r, first_payload, true);
}

const struct ike_notify *
ike_msg_find_notify(const struct ike_msg *m, uint16_t type)
{
	for (uint8_t i = 0; i < m->n_notify; i++) {
		if (m->notify[i].type == type)
			return &m->notify[i];
	}
	return NULL;
}

bool
ike_msg_has(const struct ike_msg *m, uint8_t type)
{
	return (m->present & type_bit(type)) != 0;
}
