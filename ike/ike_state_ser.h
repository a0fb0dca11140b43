/* Versioned byte form of the IKE SA and CHILD SA state (ike_state.h), for
 * the HA sync channel and RFC 5723 tickets: the receiving appliance may run
 * an older or newer version.
 *
 * SECRET: a serialized record holds raw keys (SK_d, SK_e*, SK_a*, SK_p*,
 * ESP KEYMAT). It must only travel inside the HA channel's or the ticket's
 * encryption, and callers must wipe their buffers (OPENSSL_cleanse) when
 * done with them. On error the functions below wipe what they wrote.
 *
 * Format (all integers in network byte order):
 *   header: magic "HIKS" (4), major (1), minor (1), record kind (1),
 *           reserved (1, sent 0, ignored), total length incl. header (4)
 *   then TLVs: type (2), length (2), value (length bytes), in any order.
 * Versioning: a TLV type number is never reused. A reader accepts any minor
 * version of its major and refuses another major (-EPROTONOSUPPORT). Fields
 * added by a later minor version get new type numbers; readers that do not
 * know them skip them unless the type has IKE_STATE_TLV_CRITICAL set, which
 * makes an unknown type fatal (-EPROTONOSUPPORT). Every known field may
 * appear once; the fields of version 1.0 marked (M) must be present. Fields
 * not marked are omitted by the writer when empty (zero, "" or length 0).
 *
 * Value encodings: u8/u16/u32/u64 integers; bool one byte 0 or 1; string
 * the bytes without the NUL (shorter than its array, no NUL inside); key
 * and nonce the raw bytes; address: IP version (4 or 6), port (2), 4 or 16
 * address bytes; identity: ID type (1) then its data; suite: encr,
 * encr_key_bits, prf, integ, dh, esn as six u16; traffic selectors: count
 * (1) then per selector TS type (1), IP protocol (1), start port (2), end
 * port (2), start and end address (4 or 16 bytes each by TS type); arrays:
 * their elements back to back (the count is the length / element size).
 *
 * Errors: -EINVAL bad arguments; -ENOSPC output too small; -EBADMSG a
 * malformed record (magic, lengths, truncation, wrong kind, a fixed-size
 * field of the wrong size, a duplicate or a missing mandatory field);
 * -ERANGE a value out of range (enum, bool, key/nonce/string/array length);
 * -EPROTONOSUPPORT another major version or an unknown critical TLV. The
 * serializers apply the same value checks and return -ERANGE. */
#ifndef IKE_STATE_SER_H
#define IKE_STATE_SER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ike/ike_state.h"

enum ike_state_format {
	IKE_STATE_MAGIC = 0x48494b53,   /* "HIKS" */
	IKE_STATE_MAJOR = 1,
	IKE_STATE_MINOR = 1,            /* 1.1: the message ID window TLVs */
	IKE_STATE_HDR_LEN = 12,
	IKE_STATE_TLV_HDR_LEN = 4,
	IKE_STATE_TLV_CRITICAL = 0x8000,
};

enum ike_state_record_kind {
	IKE_STATE_REC_IKE_SA = 1,
	IKE_STATE_REC_CHILD_SA = 2,
};

/* TLV types of an IKE SA record (fields of struct ike_sa_state). */
enum ike_sa_tlv {
	IKE_SA_T_ID = 1,                /* (M) u64 */
	IKE_SA_T_NAME,                  /* (M) string */
	IKE_SA_T_INITIATOR,             /* (M) bool */
	IKE_SA_T_PHASE,                 /* (M) u8 enum ike_sa_phase */
	IKE_SA_T_SPI_I,                 /* (M) u64 */
	IKE_SA_T_SPI_R,                 /* (M) u64 */
	IKE_SA_T_SUITE,                 /* (M) suite */
	IKE_SA_T_NI,                    /* (M) nonce */
	IKE_SA_T_NR,                    /* (M) nonce */
	IKE_SA_T_SK_D,                  /* (M) key, through T_SK_PR */
	IKE_SA_T_SK_AI,
	IKE_SA_T_SK_AR,
	IKE_SA_T_SK_EI,
	IKE_SA_T_SK_ER,
	IKE_SA_T_SK_PI,
	IKE_SA_T_SK_PR,
	IKE_SA_T_IV_COUNTER,            /* (M) u64 */
	IKE_SA_T_MSGID_SEND,            /* (M) u32 */
	IKE_SA_T_MSGID_RECV,            /* (M) u32 */
	IKE_SA_T_WINDOW_LOCAL,          /* (M) u32 */
	IKE_SA_T_WINDOW_REMOTE,         /* (M) u32 */
	IKE_SA_T_RESP_MSGID,            /* (M) u32 */
	IKE_SA_T_RESP_REGENERATE,       /* (M) bool */
	IKE_SA_T_RESP_FRAGS,            /* u16 array */
	IKE_SA_T_RESP_BYTES,            /* bytes */
	IKE_SA_T_LOCAL,                 /* (M) address */
	IKE_SA_T_REMOTE,                /* (M) address */
	IKE_SA_T_NAT_LOCAL,             /* (M) bool */
	IKE_SA_T_NAT_REMOTE,            /* (M) bool */
	IKE_SA_T_NATT,                  /* (M) bool */
	IKE_SA_T_KEEPALIVE,             /* (M) u32 */
	IKE_SA_T_ID_LOCAL,              /* identity */
	IKE_SA_T_ID_REMOTE,             /* identity */
	IKE_SA_T_AUTH_LOCAL,            /* (M) u8 enum ike_auth_method or 0 */
	IKE_SA_T_AUTH_REMOTE,           /* (M) u8 enum ike_auth_method or 0 */
	IKE_SA_T_AUTH_OK,               /* (M) bool */
	IKE_SA_T_REMOTE_CERT_DN,        /* string */
	IKE_SA_T_PEER_FRAGMENTATION,    /* (M) bool */
	IKE_SA_T_PEER_MSGID_SYNC,       /* (M) bool */
	IKE_SA_T_PEER_MOBIKE,           /* (M) bool */
	IKE_SA_T_PEER_REDIRECT,         /* (M) bool */
	IKE_SA_T_PEER_SIG_HASHES,       /* (M) u16 */
	IKE_SA_T_VIP4,                  /* address (IPv4) */
	IKE_SA_T_VIP4_POOL,             /* string */
	IKE_SA_T_VIP6,                  /* address (IPv6) */
	IKE_SA_T_VIP6_POOL,             /* string */
	IKE_SA_T_ESTABLISHED_TIME,      /* (M) u64, through T_LAST_RECV_TIME */
	IKE_SA_T_REKEY_TIME,
	IKE_SA_T_REAUTH_TIME,
	IKE_SA_T_EXPIRE_TIME,
	IKE_SA_T_LAST_RECV_TIME,
	IKE_SA_T_DPD_INTERVAL,          /* (M) u32 */
	IKE_SA_T_COLLISION_NONCE,       /* nonce */
	IKE_SA_T_CHILD_IDS,             /* u64 array */
	IKE_SA_T_MSGID_SYNC_USED,       /* bool (absent: false) */
	/* Version 1.1: message ID windows above one (RFC 7296 §2.3; struct
	 * ike_state_win), all absent with a window of one (a 1.0 reader skips
	 * them; a 1.0 record reads as no window state). */
	IKE_SA_T_MSGID_NEXT,            /* u32 (absent: msgid_send) */
	IKE_SA_T_RECV_DONE,             /* u32 bitmap */
	IKE_SA_T_WIN_RESP_MSGIDS,       /* u32 array, oldest first */
	IKE_SA_T_WIN_RESP_LENS,         /* u16 array, as many */
	IKE_SA_T_WIN_RESP_BYTES,        /* bytes: the sum of those lengths */
	IKE_SA_T_COUNT,
};

/* TLV types of a CHILD SA record (fields of struct ike_child_state). */
enum ike_child_tlv {
	IKE_CHILD_T_ID = 1,             /* (M) u64 */
	IKE_CHILD_T_IKE_SA_ID,          /* (M) u64 */
	IKE_CHILD_T_NAME,               /* (M) string */
	IKE_CHILD_T_PROTOCOL,           /* (M) u8, IKE_PROTO_ESP */
	IKE_CHILD_T_MODE,               /* (M) u8 enum ike_child_mode */
	IKE_CHILD_T_INITIATOR,          /* (M) bool */
	IKE_CHILD_T_SPI_IN,             /* (M) u32 */
	IKE_CHILD_T_SPI_OUT,            /* (M) u32 */
	IKE_CHILD_T_SUITE,              /* (M) suite */
	IKE_CHILD_T_ENCR_I,             /* (M) key, through T_INTEG_R */
	IKE_CHILD_T_INTEG_I,
	IKE_CHILD_T_ENCR_R,
	IKE_CHILD_T_INTEG_R,
	IKE_CHILD_T_UDP_ENCAP,          /* (M) bool */
	IKE_CHILD_T_ENCAP_LOCAL_PORT,   /* (M) u16 */
	IKE_CHILD_T_ENCAP_REMOTE_PORT,  /* (M) u16 */
	IKE_CHILD_T_TS_LOCAL,           /* (M) traffic selectors */
	IKE_CHILD_T_TS_REMOTE,          /* (M) traffic selectors */
	IKE_CHILD_T_SOFT_BYTES,         /* (M) u64, through T_HARD_PACKETS */
	IKE_CHILD_T_HARD_BYTES,
	IKE_CHILD_T_SOFT_PACKETS,
	IKE_CHILD_T_HARD_PACKETS,
	IKE_CHILD_T_SOFT_SECONDS,       /* (M) u32 */
	IKE_CHILD_T_HARD_SECONDS,       /* (M) u32 */
	IKE_CHILD_T_INSTALL_TIME,       /* (M) u64 */
	IKE_CHILD_T_REKEY,              /* (M) u8 enum ike_child_rekey_state */
	IKE_CHILD_T_REPLACES_ID,        /* u64 */
	IKE_CHILD_T_REPLACED_BY_ID,     /* u64 */
	IKE_CHILD_T_REPLAY_WINDOW,      /* (M) u32 */
	IKE_CHILD_T_REQID,              /* (M) u32 */
	IKE_CHILD_T_COUNT,
};

/* A record's header, as read by ike_state_peek(). */
struct ike_state_hdr {
	uint8_t major;
	uint8_t minor;
	uint8_t kind;                   /* enum ike_state_record_kind (unchecked) */
	uint32_t total_len;             /* header included */
};

/* Read the header at buf (e.g. to walk records packed back to back): 0, or
 * -EBADMSG when the magic is wrong or the record is longer than len. The
 * version and kind are returned, not checked. */
int ike_state_peek(const uint8_t *buf, size_t len, struct ike_state_hdr *hdr);

/* Write s as one record into buf: its length, -ENOSPC when cap is too
 * small (ike_sa_state_max_len() always suffices), -ERANGE when a value is
 * out of range. */
ssize_t ike_sa_state_serialize(const struct ike_sa_state *s, uint8_t *buf, size_t cap);

/* Read exactly one record of len bytes into out: 0 or a negative errno
 * (see above). out must be zeroed or hold a record read before: the blobs
 * it holds are freed, then it is zeroed; wiped on error. The response
 * blobs read are out's (ike_state.h): end it with ike_sa_state_wipe(). */
int ike_sa_state_deserialize(const uint8_t *buf, size_t len, struct ike_sa_state *out);

/* The longest record the serializer can write. */
size_t ike_sa_state_max_len(void);

ssize_t ike_child_state_serialize(const struct ike_child_state *c, uint8_t *buf, size_t cap);
int ike_child_state_deserialize(const uint8_t *buf, size_t len, struct ike_child_state *out);
size_t ike_child_state_max_len(void);

#endif /* IKE_STATE_SER_H */
