/* IKEv2 payload bodies other than SA and TS: KE (RFC 7296 §3.4), ID
 * (§3.5), CERT and CERTREQ (§3.6, §3.7), AUTH (§3.8), Nonce (§3.9), Notify
 * (§3.10), Delete (§3.11), Configuration (§3.15) and EAP (§3.16, RFC 3748
 * §4). Each reads its fixed part into host order first, then checks it and
 * borrows the variable part. */
#include <errno.h>
#include <string.h>

#include "ike/ike_msg.h"

/* The bytes left in r, borrowed. */
static void
rest(struct ike_rd *r, struct ike_chunk *c)
{
	c->len = ike_rd_left(r);
	ike_rd_view(r, &c->ptr, c->len);
}

int
ike_pl_parse_ke(const uint8_t *p, size_t len, struct ike_pl_ke *ke)
{
	struct ike_rd r;
	uint16_t reserved;

	memset(ke, 0, sizeof(*ke));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u16(&r, &ke->group) || !ike_rd_u16(&r, &reserved))
		return -EBADMSG;
	rest(&r, &ke->data);
	return ke->data.len == 0 ? -EBADMSG : 0;
}

/* §3.5: address identities have the address's exact length. */
static bool
id_len_ok(uint8_t type, size_t len)
{
	if (type == IKE_ID_IPV4_ADDR)
		return len == IKE_IPV4_ADDR_LEN;
	if (type == IKE_ID_IPV6_ADDR)
		return len == IKE_IPV6_ADDR_LEN;
	return len > 0;
}

int
ike_pl_parse_id(const uint8_t *p, size_t len, struct ike_pl_id *id)
{
	struct ike_chunk data;
	struct ike_rd r;
	uint8_t reserved[IKE_ID_HDR_LEN - 1];

	memset(id, 0, sizeof(*id));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &id->id.type) || !ike_rd_bytes(&r, reserved, sizeof(reserved)))
		return -EBADMSG;
	rest(&r, &data);
	if (!id_len_ok(id->id.type, data.len))
		return -EBADMSG;
	if (data.len > sizeof(id->id.data))
		return -E2BIG;
	memcpy(id->id.data, data.ptr, data.len);
	id->id.len = (uint16_t)data.len;
	id->body.ptr = p;
	id->body.len = len;
	return 0;
}

int
ike_pl_parse_cert(const uint8_t *p, size_t len, struct ike_pl_cert *c)
{
	struct ike_rd r;

	memset(c, 0, sizeof(*c));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &c->encoding))
		return -EBADMSG;
	rest(&r, &c->data);
	return 0;
}

int
ike_pl_parse_auth(const uint8_t *p, size_t len, struct ike_pl_auth *a)
{
	struct ike_rd r;
	uint8_t reserved[IKE_AUTH_HDR_LEN - 1];

	memset(a, 0, sizeof(*a));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &a->method) || !ike_rd_bytes(&r, reserved, sizeof(reserved)))
		return -EBADMSG;
	rest(&r, &a->data);
	return a->data.len == 0 ? -EBADMSG : 0;
}

int
ike_pl_parse_nonce(const uint8_t *p, size_t len, struct ike_chunk *nonce)
{
	nonce->ptr = NULL;
	nonce->len = 0;
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return -EBADMSG;                /* §3.9: 16 to 256 octets */
	nonce->ptr = p;
	nonce->len = len;
	return 0;
}

int
ike_pl_parse_notify(const uint8_t *p, size_t len, struct ike_notify *n)
{
	struct ike_rd r;

	memset(n, 0, sizeof(*n));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &n->protocol) || !ike_rd_u8(&r, &n->spi_len) ||
	    !ike_rd_u16(&r, &n->type))
		return -EBADMSG;
	if (n->spi_len > IKE_SPI_LEN || !ike_rd_bytes(&r, n->spi, n->spi_len))
		return -EBADMSG;
	rest(&r, &n->data);
	return 0;
}

/* §3.11: IKE SA deletes carry no SPI; ESP and AH ones 4-byte SPIs. */
static int
delete_shape(const struct ike_delete *d)
{
	switch (d->protocol) {
	case IKE_PROTO_IKE:
		return d->spi_len == 0 && d->n_spis == 0 ? 0 : -EBADMSG;
	case IKE_PROTO_ESP:
	case IKE_PROTO_AH:
		if (d->spi_len != IKE_ESP_SPI_LEN)
			return -EBADMSG;
		return d->n_spis > IKE_DELETE_SPIS_MAX ? -E2BIG : 0;
	default:
		return -EBADMSG;
	}
}

int
ike_pl_parse_delete(const uint8_t *p, size_t len, struct ike_delete *d)
{
	struct ike_rd r;
	int rc;

	memset(d, 0, sizeof(*d));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &d->protocol) || !ike_rd_u8(&r, &d->spi_len) ||
	    !ike_rd_u16(&r, &d->n_spis))
		return -EBADMSG;
	rc = delete_shape(d);
	if (rc < 0)
		return rc;
	if (ike_rd_left(&r) != (size_t)d->n_spis * d->spi_len)
		return -EBADMSG;
	for (uint16_t i = 0; i < d->n_spis; i++)
		ike_rd_u32(&r, &d->spis[i]);
	return 0;
}

static int
parse_cp_attr(struct ike_rd *r, struct ike_pl_cp_attr *a)
{
	uint16_t type, len;

	if (!ike_rd_u16(r, &type) || !ike_rd_u16(r, &len))
		return -EBADMSG;
	a->type = type & IKE_CP_ATTR_TYPE_MASK;
	a->value.len = len;
	return ike_rd_view(r, &a->value.ptr, len) ? 0 : -EBADMSG;
}

int
ike_pl_parse_cp(const uint8_t *p, size_t len, struct ike_pl_cp *cp)
{
	struct ike_rd r;
	uint8_t reserved[IKE_CP_HDR_LEN - 1];
	int rc;

	memset(cp, 0, sizeof(*cp));
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &cp->type) || !ike_rd_bytes(&r, reserved, sizeof(reserved)))
		return -EBADMSG;
	while (ike_rd_left(&r) > 0) {
		if (cp->n_attrs >= IKE_CP_ATTRS_MAX)
			return -E2BIG;
		rc = parse_cp_attr(&r, &cp->attrs[cp->n_attrs]);
		if (rc < 0)
			return rc;
		cp->n_attrs++;
	}
	return 0;
}

/* §3.16: one EAP message (RFC 3748 §4) whose Length covers the body. */
int
ike_pl_parse_eap(const uint8_t *p, size_t len, struct ike_chunk *eap)
{
	struct ike_rd r;
	uint8_t code, ident;
	uint16_t eap_len;

	eap->ptr = NULL;
	eap->len = 0;
	ike_rd_init(&r, p, len);
	if (!ike_rd_u8(&r, &code) || !ike_rd_u8(&r, &ident) || !ike_rd_u16(&r, &eap_len))
		return -EBADMSG;
	if (eap_len != len)
		return -EBADMSG;
	eap->ptr = p;
	eap->len = len;
	return 0;
}
