/* IKEv2 messages: parsing the header and the payload chain into host-order
 * structs (RFC 7296 §3.1-§3.16, two steps as in OpenIKED: validate the
 * generic header and the fixed part, then interpret), and building them
 * back (same structs), with the SK payload (§3.14) and the RFC 7383 §2.5
 * SKF fragment laid out for in-place encryption by the crypto code.
 *
 * Parsing never decrypts: it records where SK/SKF sits; the decrypted inner
 * chain is then handed to ike_msg_parse_inner() on the same struct. Chunks
 * in a parsed struct are borrowed: they point into the datagram (cleartext
 * payloads) or into the decrypted buffer (inner payloads), which must both
 * outlive the struct. */
#ifndef IKE_MSG_H
#define IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_buf.h"
#include "ike/ike_const.h"
#include "ike/ike_types.h"

enum ike_msg_limits {
	IKE_MSG_NOTIFY_MAX = 32,        /* N payloads in one message */
	IKE_MSG_VENDOR_MAX = 16,
	IKE_MSG_CERT_MAX = 8,           /* end-entity certificate and its chain */
	IKE_MSG_CERTREQ_MAX = 8,
	IKE_MSG_DELETE_MAX = 8,
	IKE_MSG_EAP_MAX = 2,
	IKE_MSG_ERROR_DATA_MAX = 4,     /* notification data for error_notify */
};

/* Wire sizes of the fixed parts (RFC 7296 §3.3-§3.16, RFC 7383 §2.5). */
enum ike_msg_wire {
	IKE_HDR_VERSION_MAJOR_SHIFT = 4,
	IKE_HDR_VERSION_MAJOR = 2,
	IKE_PROPOSAL_HDR_LEN = 8,
	IKE_TRANSFORM_HDR_LEN = 8,
	IKE_ATTR_HDR_LEN = 4,
	IKE_KE_HDR_LEN = 4,             /* group, reserved */
	IKE_ID_HDR_LEN = 4,             /* ID type, reserved */
	IKE_CERT_HDR_LEN = 1,           /* encoding (CERT and CERTREQ) */
	IKE_AUTH_HDR_LEN = 4,           /* method, reserved */
	IKE_NOTIFY_HDR_LEN = 4,         /* protocol, SPI size, type */
	IKE_DELETE_HDR_LEN = 4,         /* protocol, SPI size, count */
	IKE_TS_HDR_LEN = 4,             /* count, reserved */
	IKE_TS_V4_LEN = 16,             /* RFC 7296 §3.13.1 selector lengths */
	IKE_TS_V6_LEN = 40,
	IKE_CP_HDR_LEN = 4,             /* CFG type, reserved */
	IKE_CP_ATTR_HDR_LEN = 4,
	IKE_CP_ATTR_TYPE_MASK = 0x7fff, /* high bit reserved: RFC 7296 §3.15.1 */
	IKE_EAP_HDR_LEN = 4,            /* code, identifier, length: RFC 3748 §4 */
	IKE_SUBSTRUC_LAST = 0,          /* RFC 7296 §3.3.1, §3.3.2 */
	IKE_SUBSTRUC_MORE_PROPOSALS = 2,
	IKE_SUBSTRUC_MORE_TRANSFORMS = 3,
	IKE_ESP_SPI_LEN = 4,
	IKE_IPV4_ADDR_LEN = 4,
	IKE_IPV6_ADDR_LEN = 16,
};

/* The 28-byte header, host order (RFC 7296 §3.1). */
struct ike_hdr {
	uint64_t spi_i;
	uint64_t spi_r;
	uint8_t next_payload;
	uint8_t version;                /* major in the high nibble */
	uint8_t exchange;               /* enum ike_exchange_type */
	uint8_t flags;                  /* enum ike_hdr_flag */
	uint32_t msg_id;
	uint32_t length;
};

/* SA payload (§3.3). Proposals that cannot be kept are left out and
 * counted: a proposal with more than IKE_TRANSFORMS_MAX transforms or after
 * the IKE_PROPOSALS_MAX-th. A transform carrying an attribute other than a
 * TV Key Length is unacceptable (§3.3.6) and left out of its proposal; when
 * that leaves a transform type of the proposal with no transform, the whole
 * proposal is unacceptable and left out. Numbers stay as on the wire. */
struct ike_pl_sa {
	uint8_t n_proposals;
	uint8_t n_dropped_proposals;
	uint16_t n_dropped_transforms;
	struct ike_proposal proposals[IKE_PROPOSALS_MAX];
};

struct ike_pl_ke {                  /* §3.4 */
	uint16_t group;                 /* enum ike_dh_id */
	struct ike_chunk data;          /* non-empty */
};

struct ike_pl_id {                  /* §3.5 */
	struct ike_id id;
	struct ike_chunk body;          /* IDx' of §2.15: the body after the generic header */
};

struct ike_pl_cert {                /* §3.6 CERT and §3.7 CERTREQ */
	uint8_t encoding;               /* enum ike_cert_encoding */
	struct ike_chunk data;
};

struct ike_pl_auth {                /* §3.8 */
	uint8_t method;                 /* enum ike_auth_method */
	struct ike_chunk data;          /* non-empty */
};

struct ike_notify {                 /* §3.10 */
	uint8_t protocol;               /* enum ike_protocol_id, 0: none */
	uint8_t spi_len;                /* 0..IKE_SPI_LEN */
	uint16_t type;                  /* enum ike_notify_type */
	uint8_t spi[IKE_SPI_LEN];
	struct ike_chunk data;
	bool in_sk;                     /* parsed from inside SK */
};

struct ike_delete {                 /* §3.11 */
	uint8_t protocol;               /* IKE: spi_len 0, no SPIs; ESP/AH: spi_len 4 */
	uint8_t spi_len;
	uint16_t n_spis;
	uint32_t spis[IKE_DELETE_SPIS_MAX];  /* host order */
};

struct ike_pl_cp_attr {             /* §3.15.1 */
	uint16_t type;                  /* enum ike_cp_attr, reserved bit cleared */
	struct ike_chunk value;
};

struct ike_pl_cp {                  /* §3.15 */
	uint8_t type;                   /* enum ike_cp_type */
	uint8_t n_attrs;
	struct ike_pl_cp_attr attrs[IKE_CP_ATTRS_MAX];
};

/* Where the SK (§3.14) or SKF (RFC 7383 §2.5) payload sits in the message:
 * bytes [0, body_off) are the AEAD associated data (RFC 5282 §5.1). */
struct ike_pl_sk {
	uint8_t type;                   /* IKE_PL_SK or IKE_PL_SKF; 0: absent */
	uint8_t first_payload;          /* next-payload of the SK/SKF header */
	uint16_t frag_num;              /* SKF only: 1..frag_total */
	uint16_t frag_total;
	size_t hdr_off;                 /* SK/SKF generic header */
	size_t body_off;                /* IV */
	struct ike_chunk body;          /* IV | ciphertext | ICV */
};

/* A parsed message. */
struct ike_msg {
	struct ike_hdr hdr;
	uint64_t present;               /* bit t: a payload of known type t */
	uint64_t inner;                 /* bit t: ... of which one inside SK */
	uint8_t n_payloads;             /* all, unknown ones included */
	uint8_t n_unknown;              /* unknown non-critical, skipped */

	struct ike_pl_sa sa;
	struct ike_pl_ke ke;
	struct ike_pl_id idi;
	struct ike_pl_id idr;
	struct ike_pl_auth auth;
	struct ike_chunk nonce;
	struct ike_ts_set tsi;
	struct ike_ts_set tsr;
	struct ike_pl_cp cp;
	struct ike_pl_sk sk;

	uint8_t n_notify;
	uint8_t n_vendor;
	uint8_t n_cert;
	uint8_t n_certreq;
	uint8_t n_delete;
	uint8_t n_eap;
	struct ike_notify notify[IKE_MSG_NOTIFY_MAX];
	struct ike_chunk vendor[IKE_MSG_VENDOR_MAX];
	struct ike_pl_cert cert[IKE_MSG_CERT_MAX];
	struct ike_pl_cert certreq[IKE_MSG_CERTREQ_MAX];
	struct ike_delete del[IKE_MSG_DELETE_MAX];
	struct ike_chunk eap[IKE_MSG_EAP_MAX];

	/* Set when a parse function fails: the notification that answers it
	 * (0 when the message is to be dropped silently), its data, and the
	 * payload type being parsed (0: the header). */
	uint16_t error_notify;
	uint8_t error_payload;
	uint8_t error_data_len;
	uint8_t error_data[IKE_MSG_ERROR_DATA_MAX];
};

/*
 * Parsing. Errors (error_notify in brackets; the caller decides whether to
 * answer, RFC 7296 §2.21):
 *   -EBADMSG          malformed lengths or fields [INVALID_SYNTAX]; bad
 *                     SKF fragment numbers [0: RFC 7383 §2.6 discards]
 *   -EMSGSIZE         header length field != datagram length [INVALID_SYNTAX]
 *   -EPROTONOSUPPORT  major version != 2 [INVALID_MAJOR_VERSION]
 *   -EOPNOTSUPP       unknown payload with the critical bit
 *                     [UNSUPPORTED_CRITICAL_PAYLOAD, data: the type byte]
 *   -EPROTO           payload where it may not be: only-in-SK payload in
 *                     cleartext, SK/SKF not last or inside SK [INVALID_SYNTAX]
 *   -EEXIST           second SA, KE, IDi, IDr, AUTH, Nonce, TSi, TSr, CP or
 *                     SK [INVALID_SYNTAX]
 *   -E2BIG            over one of our bounds (payloads, repeated payloads,
 *                     selectors, CP attributes, SPIs, ID length) [INVALID_SYNTAX]
 */

/* The header of a datagram of len bytes. h is filled whenever len >= 28,
 * also when a check after that fails (to answer INVALID_MAJOR_VERSION). */
int ike_msg_parse_header(const uint8_t *p, size_t len, struct ike_hdr *h);

/* Header and cleartext payload chain; m is reset first. */
int ike_msg_parse(const uint8_t *p, size_t len, struct ike_msg *m);

/* The decrypted SK content (padding removed), first_payload from the SK
 * header, into m as filled by ike_msg_parse (duplicates are counted across
 * both; m->hdr.flags tells whether SA payloads are in a response). */
int ike_msg_parse_inner(const uint8_t *p, size_t len, uint8_t first_payload,
			struct ike_msg *m);

/* The first notify of that type, or NULL. */
const struct ike_notify *ike_msg_find_notify(const struct ike_msg *m, uint16_t type);

/* A payload of that (known) type was parsed. */
bool ike_msg_has(const struct ike_msg *m, uint8_t type);

/* Payload bodies (after the generic header), used by the chain walker. They
 * return 0, -EBADMSG or -E2BIG. response: an SA in a response (one accepted
 * proposal, any number) rather than in a request (numbers from 1). */
int ike_pl_parse_sa(const uint8_t *p, size_t len, bool response, struct ike_pl_sa *sa);
int ike_pl_parse_ke(const uint8_t *p, size_t len, struct ike_pl_ke *ke);
int ike_pl_parse_id(const uint8_t *p, size_t len, struct ike_pl_id *id);
int ike_pl_parse_cert(const uint8_t *p, size_t len, struct ike_pl_cert *c);
int ike_pl_parse_auth(const uint8_t *p, size_t len, struct ike_pl_auth *a);
int ike_pl_parse_nonce(const uint8_t *p, size_t len, struct ike_chunk *nonce);
int ike_pl_parse_notify(const uint8_t *p, size_t len, struct ike_notify *n);
int ike_pl_parse_delete(const uint8_t *p, size_t len, struct ike_delete *d);
int ike_pl_parse_ts(const uint8_t *p, size_t len, struct ike_ts_set *ts);
int ike_pl_parse_cp(const uint8_t *p, size_t len, struct ike_pl_cp *cp);
int ike_pl_parse_eap(const uint8_t *p, size_t len, struct ike_chunk *eap);

/*
 * Building over a caller buffer. Payloads are appended in order; each one
 * fills the previous next-payload byte. Errors latch: after the first one
 * every call returns it, and ike_msg_build_finish() reports it (-ENOBUFS:
 * buffer too small, -EINVAL: a value the parser would reject, -EMSGSIZE:
 * payload or message over 65535 bytes). After ike_msg_build_begin_sk()
 * the payloads go inside SK, as plaintext, where the crypto code encrypts
 * them in place (ike_msg_build_sk_layout()).
 */
struct ike_msg_builder {
	struct ike_wr w;
	size_t next_at;                 /* the next-payload byte to fill */
	size_t sk_off;                  /* SK/SKF generic header, when sk_type != 0 */
	size_t inner_off;               /* first plaintext byte inside SK */
	uint8_t sk_type;
	int err;
};

/* What the crypto code needs to seal the SK/SKF payload in place: write the
 * IV at iv_off, pad and encrypt [inner_off, inner_off + inner_len), append
 * the ICV (staying within cap), then call ike_msg_set_lengths(). */
struct ike_msg_sk_layout {
	size_t sk_off;
	size_t iv_off;
	size_t inner_off;
	size_t inner_len;
	size_t cap;
};

/* Write the header of h (its SPIs, exchange, flags, message ID; version 2.0;
 * next payload and length filled later). */
int ike_msg_build_init(struct ike_msg_builder *b, uint8_t *buf, size_t cap,
		       const struct ike_hdr *h);

/* Low level: open a payload (generic header), append its body through b->w,
 * close it (fills its length). *start receives the generic header offset. */
int ike_msg_build_open(struct ike_msg_builder *b, uint8_t type, bool critical, size_t *start);
int ike_msg_build_close(struct ike_msg_builder *b, size_t start);

/* Any payload from its body bytes (also unknown types, for tests). */
int ike_msg_build_raw(struct ike_msg_builder *b, uint8_t type, bool critical,
		      const uint8_t *body, size_t len);

int ike_msg_build_sa(struct ike_msg_builder *b, const struct ike_proposal *props, size_t n);
int ike_msg_build_ke(struct ike_msg_builder *b, const struct ike_pl_ke *ke);
/* pl_type: IKE_PL_IDI or IKE_PL_IDR */
int ike_msg_build_id(struct ike_msg_builder *b, uint8_t pl_type, const struct ike_id *id);
int ike_msg_build_cert(struct ike_msg_builder *b, const struct ike_pl_cert *c);
int ike_msg_build_certreq(struct ike_msg_builder *b, const struct ike_pl_cert *c);
int ike_msg_build_auth(struct ike_msg_builder *b, const struct ike_pl_auth *a);
int ike_msg_build_nonce(struct ike_msg_builder *b, const uint8_t *nonce, size_t len);
int ike_msg_build_notify(struct ike_msg_builder *b, const struct ike_notify *n);
/* A notify with no protocol and no SPI: the common case. */
int ike_msg_build_status(struct ike_msg_builder *b, uint16_t type, const uint8_t *data,
			 size_t len);
int ike_msg_build_delete(struct ike_msg_builder *b, const struct ike_delete *d);
int ike_msg_build_vendor(struct ike_msg_builder *b, const uint8_t *vid, size_t len);
/* pl_type: IKE_PL_TSI or IKE_PL_TSR */
int ike_msg_build_ts(struct ike_msg_builder *b, uint8_t pl_type, const struct ike_ts_set *ts);
int ike_msg_build_cp(struct ike_msg_builder *b, const struct ike_pl_cp *cp);
int ike_msg_build_eap(struct ike_msg_builder *b, const uint8_t *eap, size_t len);

/* Open the SK payload: its generic header and iv_len bytes for the IV; the
 * payloads added next are its plaintext content. Must be the last payload. */
int ike_msg_build_begin_sk(struct ike_msg_builder *b, size_t iv_len);

/* RFC 7383 §2.5: an SKF payload around one plaintext chunk (next payload
 * first_payload in fragment 1, 0 in the others). Nothing may follow it. */
int ike_msg_build_skf(struct ike_msg_builder *b, uint8_t first_payload, uint16_t frag_num,
		      uint16_t frag_total, size_t iv_len, const uint8_t *plain, size_t len);

/* Fill the header length (and the SK/SKF payload length); *len: bytes. */
int ike_msg_build_finish(struct ike_msg_builder *b, size_t *len);

/* Offsets of the SK/SKF payload after ike_msg_build_finish(); -ENOENT when
 * the message has none. */
int ike_msg_build_sk_layout(const struct ike_msg_builder *b, struct ike_msg_sk_layout *l);

/* After sealing: the message is msg_len bytes and its SK/SKF payload, which
 * starts at sk_off, runs to the end. Sets both length fields. */
int ike_msg_set_lengths(uint8_t *msg, size_t msg_len, size_t sk_off);

#endif /* IKE_MSG_H */
