/* IKEv2 Security Association payload body (RFC 7296 §3.3): proposals
 * (§3.3.1) and their numbering, transforms (§3.3.2) with last-substructure
 * marks and counts, transform attributes (§3.3.5): only a TV Key Length is
 * understood, any other attribute makes its transform unacceptable (§3.3.6).
 * Choosing among the proposals is policy (ike_proposal.c). */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

/* Fixed part of a proposal substructure, host order (§3.3.1). */
struct prop_hdr {
	uint8_t last;
	uint8_t reserved;
	uint16_t len;
	uint8_t num;
	uint8_t protocol;
	uint8_t spi_len;
	uint8_t n_transforms;
};

/* Fixed part of a transform substructure, host order (§3.3.2). */
struct tf_hdr {
	uint8_t last;
	uint8_t reserved;
	uint16_t len;
	uint8_t type;
	uint8_t reserved2;
	uint16_t id;
};

/* A proposal being read: every transform on the wire counted, the first
 * IKE_TRANSFORMS_MAX kept, with bit i of unusable for transform i. */
struct prop_work {
	struct ike_proposal prop;
	uint64_t unusable;
	unsigned int n_wire;
};

/* §3.3.5: attributes of one transform. Returns 0 (usable), 1 (an attribute
 * we do not understand, or a repeated or zero Key Length) or -EBADMSG. */
static int
parse_attrs(struct ike_rd *r, struct ike_transform *t)
{
	uint16_t type, val;
	int unusable = 0;

	while (ike_rd_left(r) > 0) {
		if (!ike_rd_u16(r, &type) || !ike_rd_u16(r, &val))
			return -EBADMSG;
		if (!(type & IKE_ATTR_TV)) {
			if (!ike_rd_skip(r, val))       /* TLV: val is the length */
				return -EBADMSG;
			unusable = 1;
			continue;
		}
		if ((type & ~IKE_ATTR_TV) != IKE_ATTR_KEY_LENGTH || t->key_bits != 0 || val == 0)
			unusable = 1;
		else
			t->key_bits = val;
	}
	return unusable;
}

static int
read_tf_hdr(struct ike_rd *r, struct tf_hdr *h, struct ike_rd *body)
{
	const uint8_t *at;

	if (!ike_rd_u8(r, &h->last) || !ike_rd_u8(r, &h->reserved) || !ike_rd_u16(r, &h->len) ||
	    !ike_rd_u8(r, &h->type) || !ike_rd_u8(r, &h->reserved2) || !ike_rd_u16(r, &h->id))
		return -EBADMSG;
	if (h->len < IKE_TRANSFORM_HDR_LEN)
		return -EBADMSG;
	if (!ike_rd_view(r, &at, h->len - IKE_TRANSFORM_HDR_LEN))
		return -EBADMSG;
	ike_rd_init(body, at, h->len - IKE_TRANSFORM_HDR_LEN);
	return 0;
}

/* The transforms that fill the rest of a proposal body (§3.3.2). */
static int
parse_transforms(struct ike_rd *r, struct prop_work *w)
{
	struct ike_transform t;
	struct ike_rd body;
	struct tf_hdr h;
	int rc;

	h.last = IKE_SUBSTRUC_MORE_TRANSFORMS;
	while (ike_rd_left(r) > 0) {
		if (h.last != IKE_SUBSTRUC_MORE_TRANSFORMS)
			return -EBADMSG;        /* bytes after the last transform */
		rc = read_tf_hdr(r, &h, &body);
		if (rc < 0)
			return rc;
		if (h.last != IKE_SUBSTRUC_LAST && h.last != IKE_SUBSTRUC_MORE_TRANSFORMS)
			return -EBADMSG;
		memset(&t, 0, sizeof(t));
		t.type = h.type;
		t.id = h.id;
		rc = parse_attrs(&body, &t);
		if (rc < 0)
			return rc;
		if (w->n_wire < IKE_TRANSFORMS_MAX) {
			w->prop.transforms[w->n_wire] = t;
			if (rc > 0)
				w->unusable |= UINT64_C(1) << w->n_wire;
		}
		w->n_wire++;
	}
	if (w->n_wire > 0 && h.last != IKE_SUBSTRUC_LAST)
		return -EBADMSG;
	return w->n_wire == w->prop.n_transforms ? 0 : -EBADMSG;
}

static bool
type_still_offered(const struct prop_work *w, uint8_t type)
{
	for (unsigned int i = 0; i < w->prop.n_transforms; i++) {
		if (!(w->unusable & UINT64_C(1) << i) && w->prop.transforms[i].type == type)
			return true;
	}
	return false;
}

/* §3.3.6: unusable transforms leave; a type left with none sinks the
 * proposal (false). *dropped counts the transforms removed. */
static bool
prune_transforms(struct prop_work *w, uint16_t *dropped)
{
	struct ike_proposal *p = &w->prop;
	uint8_t n = 0;

	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (!(w->unusable & UINT64_C(1) << i))
			continue;
		if (!type_still_offered(w, p->transforms[i].type))
			return false;
	}
	for (unsigned int i = 0; i < p->n_transforms; i++) {
		if (w->unusable & UINT64_C(1) << i)
			(*dropped)++;
		else
			p->transforms[n++] = p->transforms[i];
	}
	p->n_transforms = n;
	return true;
}

/* §3.3.1: SPI sizes: 0 or 8 for IKE, 4 for ESP and AH. */
static bool
spi_len_ok(uint8_t protocol, uint8_t spi_len)
{
	switch (protocol) {
	case IKE_PROTO_IKE:
		return spi_len == 0 || spi_len == IKE_SPI_LEN;
	case IKE_PROTO_ESP:
	case IKE_PROTO_AH:
		return spi_len == IKE_ESP_SPI_LEN;
	default:
		return spi_len <= IKE_SPI_LEN;
	}
}

static int
read_prop_hdr(struct ike_rd *r, struct prop_hdr *h, struct ike_rd *body)
{
	const uint8_t *at;

	if (!ike_rd_u8(r, &h->last) || !ike_rd_u8(r, &h->reserved) || !ike_rd_u16(r, &h->len) ||
	    !ike_rd_u8(r, &h->num) || !ike_rd_u8(r, &h->protocol) || !ike_rd_u8(r, &h->spi_len) ||
	    !ike_rd_u8(r, &h->n_transforms))
		return -EBADMSG;
	if (h->len < IKE_PROPOSAL_HDR_LEN)
		return -EBADMSG;
	if (!ike_rd_view(r, &at, h->len - IKE_PROPOSAL_HDR_LEN))
		return -EBADMSG;
	ike_rd_init(body, at, h->len - IKE_PROPOSAL_HDR_LEN);
	if (h->last != IKE_SUBSTRUC_LAST && h->last != IKE_SUBSTRUC_MORE_PROPOSALS)
		return -EBADMSG;
	return spi_len_ok(h->protocol, h->spi_len) ? 0 : -EBADMSG;
}

/* One proposal: parsed in full, kept in sa when it fits and stays usable. */
static int
parse_proposal(const struct prop_hdr *h, struct ike_rd *body, struct ike_pl_sa *sa)
{
	struct prop_work w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.prop.num = h->num;
	w.prop.protocol = h->protocol;
	w.prop.spi_len = h->spi_len;
	w.prop.n_transforms = h->n_transforms;
	if (!ike_rd_bytes(body, w.prop.spi, h->spi_len))
		return -EBADMSG;
	rc = parse_transforms(body, &w);
	if (rc < 0)
		return rc;
	if (w.n_wire > IKE_TRANSFORMS_MAX || sa->n_proposals >= IKE_PROPOSALS_MAX ||
	    !prune_transforms(&w, &sa->n_dropped_transforms)) {
		sa->n_dropped_proposals++;
		return 0;
	}
	sa->proposals[sa->n_proposals++] = w.prop;
	return 0;
}

/* §3.3.1: a request numbers its proposals from 1 (the same or the next
 * number each time); a response holds the one accepted, whatever its number. */
static bool
num_ok(uint8_t num, uint8_t prev, bool first, bool response)
{
	if (first)
		return response ? num != 0 : num == 1;
	return !response && (num == prev || num == prev + 1);
}

int
ike_pl_parse_sa(const uint8_t *p, size_t len, bool response, struct ike_pl_sa *sa)
{
	struct ike_rd r, body;
	struct prop_hdr h;
	unsigned int n = 0;
	uint8_t prev = 0;
	int rc;

	memset(sa, 0, sizeof(*sa));
	ike_rd_init(&r, p, len);
	h.last = IKE_SUBSTRUC_MORE_PROPOSALS;
	while (ike_rd_left(&r) > 0) {
		if (h.last != IKE_SUBSTRUC_MORE_PROPOSALS)
			return -EBADMSG;        /* bytes after the last proposal */
		rc = read_prop_hdr(&r, &h, &body);
		if (rc < 0)
			return rc;
		if (!num_ok(h.num, prev, n++ == 0, response))
			return -EBADMSG;
		prev = h.num;
		rc = parse_proposal(&h, &body, sa);
		if (rc < 0)
			return rc;
	}
	return h.last == IKE_SUBSTRUC_LAST ? 0 : -EBADMSG;
}
