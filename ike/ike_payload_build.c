/* IKEv2 payload bodies written from the host structs the parser fills:
 * SA with proposals, transforms and the Key Length attribute (RFC 7296
 * §3.3), KE (§3.4), ID (§3.5), CERT/CERTREQ (§3.6, §3.7), AUTH (§3.8),
 * Nonce (§3.9), Notify (§3.10), Delete (§3.11), Vendor ID (§3.12), TS
 * (§3.13), CP (§3.15), EAP (§3.16). A value the parser would refuse is
 * refused here too (-EINVAL), so what we send always parses. */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

enum {
	SUBSTRUC_LEN_OFF = 2,           /* proposal and transform length field */
	EAP_LEN_OFF = 2,                /* RFC 3748 §4 Length field */
};

static int
refuse(struct ike_msg_builder *b)
{
	if (b->err == 0)
		b->err = -EINVAL;
	return b->err;
}

/* Patch a 16-bit substructure length at start + 2 (§3.3.1, §3.3.2). */
static void
close_substruc(struct ike_msg_builder *b, size_t start)
{
	if (!b->w.overflow && b->w.len - start <= UINT16_MAX)
		ike_put_be16(b->w.p + start + SUBSTRUC_LEN_OFF, (uint16_t)(b->w.len - start));
	else
		b->w.overflow = true;
}

static void
put_transform(struct ike_msg_builder *b, const struct ike_transform *t, bool last)
{
	size_t start = b->w.len;

	ike_wr_u8(&b->w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_MORE_TRANSFORMS);
	ike_wr_u8(&b->w, 0);
	ike_wr_u16(&b->w, 0);
	ike_wr_u8(&b->w, t->type);
	ike_wr_u8(&b->w, 0);
	ike_wr_u16(&b->w, t->id);
	if (t->key_bits != 0) {
		ike_wr_u16(&b->w, IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH);
		ike_wr_u16(&b->w, t->key_bits);
	}
	close_substruc(b, start);
}

static void
put_proposal(struct ike_msg_builder *b, const struct ike_proposal *p, bool last)
{
	size_t start = b->w.len;

	ike_wr_u8(&b->w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_MORE_PROPOSALS);
	ike_wr_u8(&b->w, 0);
	ike_wr_u16(&b->w, 0);
	ike_wr_u8(&b->w, p->num);
	ike_wr_u8(&b->w, p->protocol);
	ike_wr_u8(&b->w, p->spi_len);
	ike_wr_u8(&b->w, p->n_transforms);
	ike_wr_bytes(&b->w, p->spi, p->spi_len);
	for (uint8_t i = 0; i < p->n_transforms; i++)
		put_transform(b, &p->transforms[i], i + 1 == p->n_transforms);
	close_substruc(b, start);
}

int
ike_msg_build_sa(struct ike_msg_builder *b, const struct ike_proposal *props, size_t n)
{
	size_t start;
	int rc;

	if (n == 0 || n > IKE_PROPOSALS_MAX)
		return refuse(b);
	for (size_t i = 0; i < n; i++) {
		if (props[i].spi_len > IKE_SPI_LEN || props[i].n_transforms > IKE_TRANSFORMS_MAX)
			return refuse(b);
	}
	rc = ike_msg_build_open(b, IKE_PL_SA, false, &start);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		put_proposal(b, &props[i], i + 1 == n);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_ke(struct ike_msg_builder *b, const struct ike_pl_ke *ke)
{
	size_t start;
	int rc;

	if (ke->data.len == 0)
		return refuse(b);
	rc = ike_msg_build_open(b, IKE_PL_KE, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u16(&b->w, ke->group);
	ike_wr_u16(&b->w, 0);
	ike_wr_bytes(&b->w, ke->data.ptr, ke->data.len);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_id(struct ike_msg_builder *b, uint8_t pl_type, const struct ike_id *id)
{
	size_t start;
	int rc;

	if ((pl_type != IKE_PL_IDI && pl_type != IKE_PL_IDR) || id->len == 0 ||
	    id->len > sizeof(id->data))
		return refuse(b);
	rc = ike_msg_build_open(b, pl_type, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, id->type);
	ike_wr_bytes(&b->w, "\0\0\0", IKE_ID_HDR_LEN - 1);
	ike_wr_bytes(&b->w, id->data, id->len);
	return ike_msg_build_close(b, start);
}

static int
build_cert(struct ike_msg_builder *b, uint8_t pl_type, const struct ike_pl_cert *c)
{
	size_t start;
	int rc;

	rc = ike_msg_build_open(b, pl_type, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, c->encoding);
	ike_wr_bytes(&b->w, c->data.ptr, c->data.len);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_cert(struct ike_msg_builder *b, const struct ike_pl_cert *c)
{
	return build_cert(b, IKE_PL_CERT, c);
}

int
ike_msg_build_certreq(struct ike_msg_builder *b, const struct ike_pl_cert *c)
{
	return build_cert(b, IKE_PL_CERTREQ, c);
}

int
ike_msg_build_auth(struct ike_msg_builder *b, const struct ike_pl_auth *a)
{
	size_t start;
	int rc;

	if (a->data.len == 0)
		return refuse(b);
	rc = ike_msg_build_open(b, IKE_PL_AUTH, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, a->method);
	ike_wr_bytes(&b->w, "\0\0\0", IKE_AUTH_HDR_LEN - 1);
	ike_wr_bytes(&b->w, a->data.ptr, a->data.len);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_nonce(struct ike_msg_builder *b, const uint8_t *nonce, size_t len)
{
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return refuse(b);
	return ike_msg_build_raw(b, IKE_PL_NONCE, false, nonce, len);
}

int
ike_msg_build_notify(struct ike_msg_builder *b, const struct ike_notify *n)
{
	size_t start;
	int rc;

	if (n->spi_len > IKE_SPI_LEN)
		return refuse(b);
	rc = ike_msg_build_open(b, IKE_PL_NOTIFY, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, n->protocol);
	ike_wr_u8(&b->w, n->spi_len);
	ike_wr_u16(&b->w, n->type);
	ike_wr_bytes(&b->w, n->spi, n->spi_len);
	ike_wr_bytes(&b->w, n->data.ptr, n->data.len);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_status(struct ike_msg_builder *b, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_notify n;

	memset(&n, 0, sizeof(n));
	n.type = type;
	n.data.ptr = data;
	n.data.len = len;
	return ike_msg_build_notify(b, &n);
}

int
ike_msg_build_delete(struct ike_msg_builder *b, const struct ike_delete *d)
{
	bool ike = d->protocol == IKE_PROTO_IKE;
	bool child = d->protocol == IKE_PROTO_ESP || d->protocol == IKE_PROTO_AH;
	size_t start;
	int rc;

	if (!(ike && d->spi_len == 0 && d->n_spis == 0) &&
	    !(child && d->spi_len == IKE_ESP_SPI_LEN && d->n_spis <= IKE_DELETE_SPIS_MAX))
		return refuse(b);               /* §3.11 */
	rc = ike_msg_build_open(b, IKE_PL_DELETE, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, d->protocol);
	ike_wr_u8(&b->w, d->spi_len);
	ike_wr_u16(&b->w, d->n_spis);
	for (uint16_t i = 0; i < d->n_spis; i++)
		ike_wr_u32(&b->w, d->spis[i]);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_vendor(struct ike_msg_builder *b, const uint8_t *vid, size_t len)
{
	return ike_msg_build_raw(b, IKE_PL_VENDOR, false, vid, len);
}

static size_t
ts_addr_len(uint8_t type)
{
	if (type == IKE_TS_IPV4_ADDR_RANGE)
		return IKE_IPV4_ADDR_LEN;
	return type == IKE_TS_IPV6_ADDR_RANGE ? IKE_IPV6_ADDR_LEN : 0;
}

/* §3.13.1 */
static void
put_selector(struct ike_msg_builder *b, const struct ike_ts *ts)
{
	size_t alen = ts_addr_len(ts->type);

	ike_wr_u8(&b->w, ts->type);
	ike_wr_u8(&b->w, ts->ip_proto);
	ike_wr_u16(&b->w, alen == IKE_IPV4_ADDR_LEN ? IKE_TS_V4_LEN : IKE_TS_V6_LEN);
	ike_wr_u16(&b->w, ts->start_port);
	ike_wr_u16(&b->w, ts->end_port);
	ike_wr_bytes(&b->w, ts->start, alen);
	ike_wr_bytes(&b->w, ts->end, alen);
}

int
ike_msg_build_ts(struct ike_msg_builder *b, uint8_t pl_type, const struct ike_ts_set *set)
{
	size_t start;
	int rc;

	if ((pl_type != IKE_PL_TSI && pl_type != IKE_PL_TSR) || set->n > IKE_TS_MAX)
		return refuse(b);
	for (uint8_t i = 0; i < set->n; i++) {
		if (ts_addr_len(set->ts[i].type) == 0)
			return refuse(b);
	}
	rc = ike_msg_build_open(b, pl_type, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, set->n);
	ike_wr_bytes(&b->w, "\0\0\0", IKE_TS_HDR_LEN - 1);
	for (uint8_t i = 0; i < set->n; i++)
		put_selector(b, &set->ts[i]);
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_cp(struct ike_msg_builder *b, const struct ike_pl_cp *cp)
{
	size_t start;
	int rc;

	if (cp->n_attrs > IKE_CP_ATTRS_MAX)
		return refuse(b);
	for (uint8_t i = 0; i < cp->n_attrs; i++) {
		if (cp->attrs[i].value.len > UINT16_MAX)
			return refuse(b);
	}
	rc = ike_msg_build_open(b, IKE_PL_CP, false, &start);
	if (rc < 0)
		return rc;
	ike_wr_u8(&b->w, cp->type);
	ike_wr_bytes(&b->w, "\0\0\0", IKE_CP_HDR_LEN - 1);
	for (uint8_t i = 0; i < cp->n_attrs; i++) {
		ike_wr_u16(&b->w, cp->attrs[i].type & IKE_CP_ATTR_TYPE_MASK);
		ike_wr_u16(&b->w, (uint16_t)cp->attrs[i].value.len);
		ike_wr_bytes(&b->w, cp->attrs[i].value.ptr, cp->attrs[i].value.len);
	}
	return ike_msg_build_close(b, start);
}

int
ike_msg_build_eap(struct ike_msg_builder *b, const uint8_t *eap, size_t len)
{
	if (len < IKE_EAP_HDR_LEN || ((size_t)eap[EAP_LEN_OFF] << 8 | eap[EAP_LEN_OFF + 1]) != len)
		return refuse(b);
	return ike_msg_build_raw(b, IKE_PL_EAP, false, eap, len);
}
