/* Proposal selection (RFC 7296 §2.7, §3.3): the responder's choice among
 * the peer's proposals (§3.3.6), the KE group check (§1.3), the initiator's
 * check of the accepted proposal (§3.3.6) and the names of suites. The
 * string form of our proposals is in the second half of this file. The
 * choice rule and the leniencies are in ike_proposal.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike_proposal.h"

enum {
	KEY_BITS_128 = 128,
	KEY_BITS_256 = 256,
	ESP_SPI_LEN = 4,             /* RFC 7296 §3.3.1 */
	KEYWORD_SHOWN_MAX = 32,      /* longest keyword quoted in an error */
	PROPOSAL_SHOWN_MAX = 40,     /* longest proposal quoted in an error */
};

static uint32_t
type_bit(uint8_t type)
{
	return UINT32_C(1) << (type & 31);
}

static bool
is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

/* RFC 7296 §3.3.3: the transform types each protocol uses. */
static bool
type_defined(uint8_t protocol, uint8_t type)
{
	switch (type) {
	case IKE_TF_ENCR:
	case IKE_TF_INTEG:
	case IKE_TF_DH:
		return true;
	case IKE_TF_PRF:
		return protocol == IKE_PROTO_IKE;
	case IKE_TF_ESN:
		return protocol == IKE_PROTO_ESP;
	default:
		return false;
	}
}

/* RFC 7296 §3.3.1: 0 (IKE_SA_INIT) or 8 (IKE SA rekey) for IKE, 4 for ESP. */
static bool
spi_len_ok(uint8_t protocol, uint8_t spi_len)
{
	if (protocol == IKE_PROTO_IKE)
		return spi_len == 0 || spi_len == IKE_SPI_LEN;
	return protocol == IKE_PROTO_ESP && spi_len == ESP_SPI_LEN;
}

static bool
has_type(const struct ike_proposal *p, uint8_t type)
{
	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (p->transforms[i].type == type)
			return true;
	}
	return false;
}

static bool
has_transform(const struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	for (unsigned int i = 0; i < p->n_transforms; i++) {
		const struct ike_transform *t = &p->transforms[i];

		if (t->type == type && t->id == id && t->key_bits == key_bits)
			return true;
	}
	return false;
}

/* Whether our proposal Q takes this transform. An ESP proposal of ours
 * without D-H (or ESN) transforms takes NONE (or "no ESN"). */
static bool
accepts(const struct ike_proposal *q, uint8_t type, uint16_t id, uint16_t key_bits)
{
	if (has_transform(q, type, id, key_bits))
		return true;
	if (q->protocol != IKE_PROTO_ESP || has_type(q, type) || key_bits != 0)
		return false;
	return (type == IKE_TF_DH && id == IKE_DH_NONE) || (type == IKE_TF_ESN && id == IKE_ESN_NO);
}

/* RFC 7296 §3.3: a combined-mode cipher comes with no integrity algorithm
 * or a single NONE; true if P offers one other than NONE. */
static bool
offers_integ(const struct ike_proposal *p)
{
	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (p->transforms[i].type == IKE_TF_INTEG && p->transforms[i].id != IKE_INTEG_NONE)
			return true;
	}
	return false;
}

/* A candidate choice: OURS[q] with THEIRS[p]. rank[type] is the index in
 * ours[q] of the transform chosen for that type (ike_proposal.h). */
struct cand {
	struct ike_suite s;
	size_t q;
	size_t p;
	uint8_t rank[IKE_TF_ESN + 1];
};

/* Index in our Q of its first TYPE transform their P offers, or -1 (INTEG NONE never). */
static int
first_ours(const struct ike_proposal *p, const struct ike_proposal *q, uint8_t type)
{
	for (unsigned int i = 0; i < q->n_transforms && i < IKE_TRANSFORMS_MAX; i++) {
		const struct ike_transform *t = &q->transforms[i];

		if (t->type != type || (type == IKE_TF_INTEG && t->id == IKE_INTEG_NONE))
			continue;
		if (has_transform(p, type, t->id, t->key_bits))
			return (int)i;
	}
	return -1;
}

/* ENCR in our order, and INTEG (our order) when the cipher is not an AEAD. */
static bool
pick_cipher(const struct ike_proposal *p, const struct ike_proposal *q, struct cand *c)
{
	for (unsigned int i = 0; i < q->n_transforms && i < IKE_TRANSFORMS_MAX; i++) {
		const struct ike_transform *t = &q->transforms[i];
		int k = -1;

		if (t->type != IKE_TF_ENCR || !has_transform(p, t->type, t->id, t->key_bits))
			continue;
		if (is_aead(t->id) && offers_integ(p))
			continue;               /* RFC 7296 §3.3 */
		if (!is_aead(t->id) && (k = first_ours(p, q, IKE_TF_INTEG)) < 0)
			continue;
		c->s.integ = k < 0 ? IKE_INTEG_NONE : q->transforms[k].id;
		c->rank[IKE_TF_INTEG] = k < 0 ? 0 : (uint8_t)k;
		c->s.encr = t->id;
		c->s.encr_key_bits = t->key_bits;
		c->rank[IKE_TF_ENCR] = (uint8_t)i;
		return true;
	}
	return false;
}

/* D-H: the KE payload's group when both offer it, else our order; absent
 * in their ESP proposal means NONE. In IKE_AUTH (no_dh) D-H is not
 * negotiated. Implicit NONE ranks last. */
static bool
pick_dh(const struct ike_proposal *p, const struct ike_proposal *q,
	const struct ike_select_opts *o, struct cand *c)
{
	int k;

	c->s.dh = IKE_DH_NONE;
	c->rank[IKE_TF_DH] = (uint8_t)q->n_transforms;
	if (o->no_dh && p->protocol == IKE_PROTO_ESP)
		return true;
	if (!has_type(p, IKE_TF_DH))
		return p->protocol == IKE_PROTO_ESP && accepts(q, IKE_TF_DH, IKE_DH_NONE, 0);
	if (has_transform(p, IKE_TF_DH, o->ke_group, 0) &&
	    accepts(q, IKE_TF_DH, o->ke_group, 0)) {
		c->s.dh = o->ke_group;
		return true;
	}
	k = first_ours(p, q, IKE_TF_DH);
	if (k >= 0) {
		c->s.dh = q->transforms[k].id;
		c->rank[IKE_TF_DH] = (uint8_t)k;
		return true;
	}
	return accepts(q, IKE_TF_DH, IKE_DH_NONE, 0) && has_transform(p, IKE_TF_DH, IKE_DH_NONE, 0);
}

/* ESN in our order; absent on their side means "no ESN". */
static bool
pick_esn(const struct ike_proposal *p, const struct ike_proposal *q, struct cand *c)
{
	bool sent = has_type(p, IKE_TF_ESN);
	int k = sent ? first_ours(p, q, IKE_TF_ESN) : -1;

	c->s.esn = k >= 0 ? q->transforms[k].id : IKE_ESN_NO;
	c->rank[IKE_TF_ESN] = (uint8_t)(k >= 0 ? k : q->n_transforms);
	if (k >= 0)
		return true;
	return (!sent || has_transform(p, IKE_TF_ESN, IKE_ESN_NO, 0)) &&
	       accepts(q, IKE_TF_ESN, IKE_ESN_NO, 0);
}

/* Whether our Q takes their P as a whole; the choice in *c. */
static bool
match(const struct ike_proposal *p, const struct ike_proposal *q,
      const struct ike_select_opts *o, struct cand *c)
{
	int k;

	memset(c, 0, sizeof(*c));
	if (q->protocol != p->protocol || !pick_cipher(p, q, c))
		return false;
	if (p->protocol == IKE_PROTO_ESP)
		return pick_dh(p, q, o, c) && pick_esn(p, q, c);
	k = first_ours(p, q, IKE_TF_PRF);
	if (k < 0)
		return false;
	c->s.prf = q->transforms[k].id;
	c->rank[IKE_TF_PRF] = (uint8_t)k;
	return pick_dh(p, q, o, c) && c->s.dh != IKE_DH_NONE;
}

/* RFC 7296 §3.3.6: a proposal with a type we do not know is unacceptable. */
static bool
usable(const struct ike_proposal *p, uint8_t protocol)
{
	if (p->protocol != protocol || !spi_len_ok(p->protocol, p->spi_len) ||
	    p->n_transforms > IKE_TRANSFORMS_MAX)
		return false;
	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (!type_defined(protocol, p->transforms[i].type))
			return false;
	}
	return true;
}

/* Whether A is preferred to B (the rule in ike_proposal.h): the KE's group,
 * then our proposal, then our transforms type by type, then their order. */
static bool
better(const struct cand *a, const struct cand *b, uint16_t ke_group)
{
	bool a_ke = a->s.dh == ke_group, b_ke = b->s.dh == ke_group;

	if (a_ke != b_ke)
		return a_ke;
	if (a->q != b->q)
		return a->q < b->q;
	for (uint8_t type = IKE_TF_ENCR; type <= IKE_TF_ESN; type++) {
		if (a->rank[type] != b->rank[type])
			return a->rank[type] < b->rank[type];
	}
	return a->p < b->p;
}

static void
add_transform(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	struct ike_transform *t = &p->transforms[p->n_transforms++];

	t->type = type;
	t->id = id;
	t->key_bits = key_bits;
}

/* One transform per type, in type order (see ike_proposal.h). */
static void
build_chosen(const struct ike_proposal *p, const struct ike_suite *s,
	     const struct ike_select_opts *o, struct ike_proposal *c)
{
	bool esp = p->protocol == IKE_PROTO_ESP;

	memset(c, 0, sizeof(*c));
	c->num = p->num;
	c->protocol = p->protocol;
	c->spi_len = p->spi_len;
	memcpy(c->spi, p->spi, sizeof(c->spi));
	add_transform(c, IKE_TF_ENCR, s->encr, s->encr_key_bits);
	if (!esp)
		add_transform(c, IKE_TF_PRF, s->prf, 0);
	if (!is_aead(s->encr))
		add_transform(c, IKE_TF_INTEG, s->integ, 0);
	if (s->dh != IKE_DH_NONE ||
	    (!o->no_dh && has_transform(p, IKE_TF_DH, IKE_DH_NONE, 0)))
		add_transform(c, IKE_TF_DH, s->dh, 0);
	if (esp && has_type(p, IKE_TF_ESN))
		add_transform(c, IKE_TF_ESN, s->esn, 0);
}

int
ike_proposal_select_opts(const struct ike_proposal *ours, size_t n_ours,
			 const struct ike_proposal *theirs, size_t n_theirs,
			 const struct ike_select_opts *o, struct ike_proposal *chosen,
			 struct ike_suite *suite)
{
	struct cand best, c;
	bool found = false;

	memset(suite, 0, sizeof(*suite));
	for (size_t q = 0; q < n_ours; q++) {
		if (found && best.s.dh == o->ke_group)
			break;          /* no later proposal of ours can do better */
		for (size_t p = 0; p < n_theirs; p++) {
			if (!usable(&theirs[p], o->protocol) ||
			    !match(&theirs[p], &ours[q], o, &c))
				continue;
			c.q = q;
			c.p = p;
			if (!found || better(&c, &best, o->ke_group))
				best = c;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	*suite = best.s;
	build_chosen(&theirs[best.p], suite, o, chosen);
	return 0;
}

int
ike_proposal_select(const struct ike_proposal *ours, size_t n_ours,
		    const struct ike_proposal *theirs, size_t n_theirs, uint8_t protocol,
		    struct ike_proposal *chosen, struct ike_suite *suite)
{
	struct ike_select_opts o = { .protocol = protocol, .ke_group = IKE_DH_NONE };

	return ike_proposal_select_opts(ours, n_ours, theirs, n_theirs, &o, chosen, suite);
}

int
ike_proposal_dh_check(const struct ike_suite *chosen, uint16_t ke_group, uint16_t *wanted)
{
	if (chosen->dh == IKE_DH_NONE || chosen->dh == ke_group)
		return 0;
	*wanted = chosen->dh;           /* RFC 7296 §1.3: INVALID_KE_PAYLOAD */
	return -EAGAIN;
}

void
ike_proposal_strip_dh(struct ike_proposal *props, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ike_proposal *p = &props[i];
		uint8_t k = 0;

		for (unsigned int j = 0; j < p->n_transforms; j++) {
			if (p->transforms[j].type != IKE_TF_DH)
				p->transforms[k++] = p->transforms[j];
		}
		p->n_transforms = k;
	}
}

/* ---- the initiator's check of the reply ---- */

static const struct ike_proposal *
find_sent(const struct ike_proposal *ours, size_t n_ours, const struct ike_proposal *r)
{
	for (size_t i = 0; i < n_ours; i++) {
		if (ours[i].num == r->num && ours[i].protocol == r->protocol)
			return &ours[i];
	}
	return NULL;
}

/* Each transform of R once per type and sent in Q; *seen the types. */
static int
reply_transforms(const struct ike_proposal *q, const struct ike_proposal *r,
		 struct ike_suite *s, uint32_t *seen)
{
	*seen = 0;
	for (unsigned int i = 0; i < r->n_transforms; i++) {
		const struct ike_transform *t = &r->transforms[i];
		bool integ_none = t->type == IKE_TF_INTEG && t->id == IKE_INTEG_NONE &&
				  t->key_bits == 0;

		if (!type_defined(r->protocol, t->type) || (*seen & type_bit(t->type)))
			return -EBADMSG;
		*seen |= type_bit(t->type);
		if (!integ_none && !accepts(q, t->type, t->id, t->key_bits))
			return -EBADMSG;
		if (t->type == IKE_TF_ENCR) {
			s->encr = t->id;
			s->encr_key_bits = t->key_bits;
		} else if (t->type == IKE_TF_PRF) {
			s->prf = t->id;
		} else if (t->type == IKE_TF_INTEG) {
			s->integ = t->id;
		} else if (t->type == IKE_TF_DH) {
			s->dh = t->id;
		} else {
			s->esn = t->id;
		}
	}
	return 0;
}

/* The types R must hold (RFC 7296 §3.3.3) and the meaning of those absent. */
static bool
reply_complete(const struct ike_proposal *q, const struct ike_proposal *r,
	       const struct ike_suite *s, uint32_t seen)
{
	if (!(seen & type_bit(IKE_TF_ENCR)))
		return false;
	if (is_aead(s->encr) ? s->integ != IKE_INTEG_NONE : s->integ == IKE_INTEG_NONE)
		return false;
	if (r->protocol == IKE_PROTO_IKE)
		return (seen & type_bit(IKE_TF_PRF)) && s->dh != IKE_DH_NONE;
	if (!(seen & type_bit(IKE_TF_DH)) && !accepts(q, IKE_TF_DH, IKE_DH_NONE, 0))
		return false;
	return (seen & type_bit(IKE_TF_ESN)) || accepts(q, IKE_TF_ESN, IKE_ESN_NO, 0);
}

int
ike_proposal_check_reply(const struct ike_proposal *ours, size_t n_ours,
			 const struct ike_proposal *reply, size_t n_reply,
			 struct ike_suite *suite)
{
	const struct ike_proposal *q;
	uint32_t seen;

	memset(suite, 0, sizeof(*suite));
	if (n_reply != 1 || reply->n_transforms > IKE_TRANSFORMS_MAX)
		return -EBADMSG;
	q = find_sent(ours, n_ours, reply);
	if (q == NULL || !spi_len_ok(reply->protocol, reply->spi_len) ||
	    reply_transforms(q, reply, suite, &seen) < 0 ||
	    !reply_complete(q, reply, suite, seen)) {
		memset(suite, 0, sizeof(*suite));
		return -EBADMSG;
	}
	return 0;
}

/* ---- names ---- */

struct sbuf {
	char *buf;
	size_t len;
	size_t off;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->off += (size_t)n;
	if (b->off >= b->len)
		b->off = b->len - 1;
}

struct tf_name {
	uint8_t type;
	uint16_t id;
	const char *name;
};

static const struct tf_name tf_names[] = {
	{ IKE_TF_ENCR, IKE_ENCR_AES_CBC, "AES_CBC" },
	{ IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, "AES_GCM_16" },
	{ IKE_TF_ENCR, IKE_ENCR_CHACHA20_POLY1305, "CHACHA20_POLY1305" },
	{ IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256" },
	{ IKE_TF_PRF, IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384" },
	{ IKE_TF_PRF, IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512" },
	{ IKE_TF_INTEG, IKE_INTEG_NONE, "NONE" },
	{ IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128" },
	{ IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192" },
	{ IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256" },
	{ IKE_TF_DH, IKE_DH_NONE, "NONE" },
	{ IKE_TF_DH, IKE_DH_MODP_2048, "MODP_2048" },
	{ IKE_TF_DH, IKE_DH_ECP_256, "ECP_256" },
	{ IKE_TF_DH, IKE_DH_ECP_384, "ECP_384" },
	{ IKE_TF_DH, IKE_DH_ECP_521, "ECP_521" },
	{ IKE_TF_DH, IKE_DH_CURVE25519, "CURVE_25519" },
	{ IKE_TF_ESN, IKE_ESN_NO, "NO_EXT_SEQ" },
	{ IKE_TF_ESN, IKE_ESN_YES, "EXT_SEQ" },
};

static const char *const type_prefix[] = {
	[IKE_TF_ENCR] = "ENCR",
	[IKE_TF_PRF] = "PRF",
	[IKE_TF_INTEG] = "INTEG",
	[IKE_TF_DH] = "DH",
	[IKE_TF_ESN] = "ESN",
};

static void
add_name(struct sbuf *b, uint8_t type, uint16_t id, uint16_t key_bits)
{
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(tf_names) / sizeof(tf_names[0]); i++) {
		if (tf_names[i].type == type && tf_names[i].id == id)
			name = tf_names[i].name;
	}
	if (name != NULL)
		sb_add(b, "%s", name);
	else if (type < sizeof(type_prefix) / sizeof(type_prefix[0]) && type_prefix[type])
		sb_add(b, "%s_%u", type_prefix[type], id);
	else
		sb_add(b, "TYPE%u_%u", type, id);
	if (key_bits != 0)
		sb_add(b, "_%u", key_bits);
}

void
ike_transform_describe(const struct ike_transform *t, char *buf, size_t len)
{
	struct sbuf b = { .buf = buf, .len = len };

	if (len == 0)
		return;
	buf[0] = '\0';
	add_name(&b, t->type, t->id, t->key_bits);
}

void
ike_suite_describe(const struct ike_suite *s, char *buf, size_t len)
{
	struct sbuf b = { .buf = buf, .len = len };
	bool child = s->prf == 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (s->encr == 0)
		return;
	add_name(&b, IKE_TF_ENCR, s->encr, s->encr_key_bits);
	if (s->integ != IKE_INTEG_NONE) {
		sb_add(&b, "/");
		add_name(&b, IKE_TF_INTEG, s->integ, 0);
	}
	if (!child) {
		sb_add(&b, "/");
		add_name(&b, IKE_TF_PRF, s->prf, 0);
	}
	if (s->dh != IKE_DH_NONE) {
		sb_add(&b, "/");
		add_name(&b, IKE_TF_DH, s->dh, 0);
	}
	if (child) {
		sb_add(&b, "/");
		add_name(&b, IKE_TF_ESN, s->esn, 0);
	}
}

void
ike_proposal_describe(const struct ike_proposal *p, char *buf, size_t len)
{
	struct sbuf b = { .buf = buf, .len = len };
	unsigned int n = p->n_transforms;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (p->protocol == IKE_PROTO_IKE)
		sb_add(&b, "#%u IKE:", p->num);
	else if (p->protocol == IKE_PROTO_ESP)
		sb_add(&b, "#%u ESP:", p->num);
	else
		sb_add(&b, "#%u PROTO%u:", p->num, p->protocol);
	if (n > IKE_TRANSFORMS_MAX)
		n = IKE_TRANSFORMS_MAX;
	for (unsigned int i = 0; i < n; i++) {
		const struct ike_transform *t = &p->transforms[i];

		if (i > 0)
			sb_add(&b, "/");
		add_name(&b, t->type, t->id, t->key_bits);
	}
}

/* ---- our proposals from strongSwan-style strings ---- */

enum kw_where {
	KW_IKE = 1 << 0,
	KW_ESP = 1 << 1,
	KW_BOTH = KW_IKE | KW_ESP,
};

struct keyword {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
	uint8_t where;          /* enum kw_where */
};

static const struct keyword keywords[] = {
	{ "aes128", IKE_TF_ENCR, IKE_ENCR_AES_CBC, KEY_BITS_128, KW_BOTH },
	{ "aes256", IKE_TF_ENCR, IKE_ENCR_AES_CBC, KEY_BITS_256, KW_BOTH },
	{ "aes128gcm16", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_128, KW_BOTH },
	{ "aes128gcm128", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_128, KW_BOTH },
	{ "aes128gcm", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_128, KW_BOTH },
	{ "aes256gcm16", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_256, KW_BOTH },
	{ "aes256gcm128", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_256, KW_BOTH },
	{ "aes256gcm", IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, KEY_BITS_256, KW_BOTH },
	{ "chacha20poly1305", IKE_TF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, KW_BOTH },
	{ "sha256", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, KW_BOTH },
	{ "sha384", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, KW_IKE },
	{ "sha512", IKE_TF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, KW_IKE },
	{ "prfsha256", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, 0, KW_IKE },
	{ "prfsha384", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_384, 0, KW_IKE },
	{ "prfsha512", IKE_TF_PRF, IKE_PRF_HMAC_SHA2_512, 0, KW_IKE },
	{ "modp2048", IKE_TF_DH, IKE_DH_MODP_2048, 0, KW_BOTH },
	{ "ecp256", IKE_TF_DH, IKE_DH_ECP_256, 0, KW_BOTH },
	{ "ecp384", IKE_TF_DH, IKE_DH_ECP_384, 0, KW_BOTH },
	{ "ecp521", IKE_TF_DH, IKE_DH_ECP_521, 0, KW_BOTH },
	{ "x25519", IKE_TF_DH, IKE_DH_CURVE25519, 0, KW_BOTH },
	{ "curve25519", IKE_TF_DH, IKE_DH_CURVE25519, 0, KW_BOTH },
	{ "esn", IKE_TF_ESN, IKE_ESN_YES, 0, KW_ESP },
	{ "noesn", IKE_TF_ESN, IKE_ESN_NO, 0, KW_ESP },
};

/* The PRF an integrity keyword implies in IKE proposals (strongSwan). */
static const struct {
	uint16_t integ;
	uint16_t prf;
} implied_prf[] = {
	{ IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 },
	{ IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384 },
	{ IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512 },
};

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct keyword *
lookup(const char *word, size_t n)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strlen(keywords[i].name) == n && memcmp(keywords[i].name, word, n) == 0)
			return &keywords[i];
	}
	return NULL;
}

/* Appends a transform unless already there; false when full. */
static bool
add_unique(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	if (has_transform(p, type, id, key_bits))
		return true;
	if (p->n_transforms >= IKE_TRANSFORMS_MAX)
		return false;
	add_transform(p, type, id, key_bits);
	return true;
}

static const char *
proto_name(uint8_t protocol)
{
	return protocol == IKE_PROTO_IKE ? "IKE" : "ESP";
}

/* The keywords of STR, in order, into RAW. */
static int
read_keywords(const char *str, uint8_t protocol, struct ike_proposal *raw, char *err,
	      size_t err_len)
{
	uint8_t where = protocol == IKE_PROTO_IKE ? KW_IKE : KW_ESP;
	const char *word = str;

	for (;;) {
		const char *dash = strchr(word, '-');
		size_t n = dash != NULL ? (size_t)(dash - word) : strlen(word);
		const struct keyword *kw = lookup(word, n);

		if (n == 0)
			return fail(err, err_len, "empty algorithm keyword in '%.*s'",
				    PROPOSAL_SHOWN_MAX, str);
		if (kw == NULL)
			return fail(err, err_len, "unknown algorithm keyword '%.*s'",
				    (int)(n < KEYWORD_SHOWN_MAX ? n : KEYWORD_SHOWN_MAX), word);
		if (!(kw->where & where))
			return fail(err, err_len, "'%s' is not valid in %s proposals", kw->name,
				    proto_name(protocol));
		if (!add_unique(raw, kw->type, kw->id, kw->key_bits))
			return fail(err, err_len, "too many algorithms in '%.*s'",
				    PROPOSAL_SHOWN_MAX, str);
		if (dash == NULL)
			return 0;
		word = dash + 1;
	}
}

static void
remove_type(struct ike_proposal *p, uint8_t type)
{
	uint8_t k = 0;

	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (p->transforms[i].type != type)
			p->transforms[k++] = p->transforms[i];
	}
	p->n_transforms = k;
}

/* IKE without a PRF keyword: the PRFs of its integrity keywords. */
static void
imply_prf(struct ike_proposal *p)
{
	unsigned int n = p->n_transforms;

	for (unsigned int i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(implied_prf) / sizeof(implied_prf[0]); k++) {
			if (p->transforms[i].type == IKE_TF_INTEG &&
			    p->transforms[i].id == implied_prf[k].integ)
				(void)add_unique(p, IKE_TF_PRF, implied_prf[k].prf, 0);
		}
	}
}

/* RFC 7296 §3.3.3 mandatory types, §3.3 AEADs without integrity. */
static int
complete(const char *str, uint8_t protocol, struct ike_proposal *p, char *err, size_t err_len)
{
	unsigned int aead = 0, plain = 0;

	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (p->transforms[i].type != IKE_TF_ENCR)
			continue;
		if (is_aead(p->transforms[i].id))
			aead++;
		else
			plain++;
	}
	if (aead + plain == 0)
		return fail(err, err_len, "no encryption algorithm in '%.*s'", PROPOSAL_SHOWN_MAX,
			    str);
	if (aead > 0 && plain > 0)
		return fail(err, err_len, "'%.*s' mixes AEAD and non-AEAD ciphers: use two "
			    "proposals", PROPOSAL_SHOWN_MAX, str);
	if (protocol == IKE_PROTO_IKE && !has_type(p, IKE_TF_PRF))
		imply_prf(p);
	if (aead > 0)
		remove_type(p, IKE_TF_INTEG);
	if (plain > 0 && !has_type(p, IKE_TF_INTEG))
		return fail(err, err_len, "no integrity algorithm (e.g. sha256) in '%.*s'",
			    PROPOSAL_SHOWN_MAX, str);
	if (protocol == IKE_PROTO_IKE && !has_type(p, IKE_TF_PRF))
		return fail(err, err_len, "no PRF (e.g. prfsha256) in '%.*s'", PROPOSAL_SHOWN_MAX,
			    str);
	if (protocol == IKE_PROTO_IKE && !has_type(p, IKE_TF_DH))
		return fail(err, err_len, "no key exchange group (e.g. x25519) in '%.*s'",
			    PROPOSAL_SHOWN_MAX, str);
	if (protocol == IKE_PROTO_ESP && !has_type(p, IKE_TF_ESN))
		add_transform(p, IKE_TF_ESN, IKE_ESN_NO, 0);
	return 0;
}

int
ike_proposal_parse(const char *str, uint8_t protocol, uint8_t num,
		   struct ike_proposal *out, char *err, size_t err_len)
{
	struct ike_proposal raw;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&raw, 0, sizeof(raw));
	if (err_len > 0)
		err[0] = '\0';
	if (protocol != IKE_PROTO_IKE && protocol != IKE_PROTO_ESP)
		return fail(err, err_len, "protocol %u has no proposals", protocol);
	if (str == NULL || str[0] == '\0')
		return fail(err, err_len, "empty proposal");
	raw.protocol = protocol;
	rc = read_keywords(str, protocol, &raw, err, err_len);
	if (rc == 0)
		rc = complete(str, protocol, &raw, err, err_len);
	if (rc < 0)
		return rc;
	out->num = num;
	out->protocol = protocol;
	for (uint8_t type = IKE_TF_ENCR; type <= IKE_TF_ESN; type++) {
		for (unsigned int i = 0; i < raw.n_transforms; i++) {
			if (raw.transforms[i].type == type)
				out->transforms[out->n_transforms++] = raw.transforms[i];
		}
	}
	return 0;
}
