/* The state a peer appliance needs to continue an IKE SA and its CHILD SAs
 * without re-running IKE (issue 4 item 11, shipped by ha/ and later put
 * into RFC 5723 tickets): keys (RFC 7296 §2.14, §2.17), SPIs and message
 * IDs with the windows and the last response (§2.3), addresses and NAT
 * state (§2.23), identities and authentication results (§2.15), virtual IP
 * leases (§3.15), lifetimes and rekey state (§2.8). Plain structs in host
 * byte order, which ike_state_ser.h turns into bytes and back, with two
 * exceptions: the cached responses (the last one and the window's older
 * ones) are heap blobs of their own length that the record owns (see
 * "Blobs" below), so an IKE SA is ~3 KiB plus what it actually keeps
 * instead of ~15 KiB of mostly empty caches: a standby imports 100,000 of
 * them in one bulk sync, and each byte of a fresh one is a byte the
 * kernel zeroes first. These structs hold secret keys: wipe them with the
 * functions below. */
#ifndef IKE_STATE_H
#define IKE_STATE_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_const.h"
#include "ike/ike_types.h"

enum ike_state_limits {
	IKE_STATE_NAME_MAX = 64,        /* config connection/child name, with NUL */
	IKE_STATE_POOL_MAX = 32,        /* address pool name, with NUL */
	IKE_STATE_DN_MAX = 256,         /* remote certificate subject, with NUL */
	IKE_STATE_RESP_MAX = 8192,      /* cached last response, all fragments */
	IKE_STATE_RESP_FRAGS_MAX = 16,  /* RFC 7383 fragments of that response */
	IKE_STATE_CHILDREN_MAX = 32,    /* CHILD SA ids listed per IKE SA */
	IKE_STATE_WIN_MAX = 32,         /* largest message ID window (§2.3) */
	IKE_STATE_WIN_RESP_MAX = IKE_STATE_WIN_MAX - 1,  /* responses besides last_resp */
	IKE_STATE_WIN_BYTES = 4096,     /* their bytes, all together */
};

/* Coarse IKE SA state (strongSwan style: the exchanges are tasks). */
enum ike_sa_phase {
	IKE_SA_PHASE_NONE = 0,
	IKE_SA_PHASE_INIT_SENT,         /* IKE_SA_INIT request sent */
	IKE_SA_PHASE_INIT_DONE,         /* IKE_SA_INIT done, keys derived */
	IKE_SA_PHASE_AUTH_SENT,         /* IKE_AUTH request sent */
	IKE_SA_PHASE_ESTABLISHED,
	IKE_SA_PHASE_REKEYING,          /* CREATE_CHILD_SA for this IKE SA running */
	IKE_SA_PHASE_DELETING,          /* INFORMATIONAL DELETE sent */
	IKE_SA_PHASE_DEAD,
	IKE_SA_PHASE_COUNT,
};

enum ike_child_mode {
	IKE_CHILD_MODE_TUNNEL = 1,
	IKE_CHILD_MODE_TRANSPORT = 2,   /* USE_TRANSPORT_MODE, RFC 7296 §1.3.1 */
};

/* RFC 7296 §2.8: make-before-break rekeying of a CHILD SA. */
enum ike_child_rekey_state {
	IKE_CHILD_REKEY_NONE = 0,
	IKE_CHILD_REKEY_REKEYING,       /* CREATE_CHILD_SA with REKEY_SA running */
	IKE_CHILD_REKEY_REKEYED,        /* replaced: old SA awaiting its DELETE */
	IKE_CHILD_REKEY_COUNT,
};

/* A nonce as received or sent (RFC 7296 §3.9). */
struct ike_state_nonce {
	uint16_t len;                   /* 0 (none) or IKE_NONCE_MIN..IKE_NONCE_MAX */
	uint8_t bytes[IKE_NONCE_MAX];
};

/* The last response sent: what answers a retransmitted request with the
 * same bytes (RFC 7296 §2.1). A fragmented response (RFC 7383) is kept as
 * its datagrams back to back in bytes[], frag_len[] giving each one; each
 * datagram starts at the IKE header (no non-ESP marker). */
struct ike_state_resp {
	uint32_t msgid;                 /* message ID of that response */
	bool regenerate;                /* bytes not kept: rebuild the response */
	uint16_t n_frags;               /* 0: one unfragmented message */
	uint16_t len;                   /* bytes used in bytes[]; 0: none */
	uint16_t frag_len[IKE_STATE_RESP_FRAGS_MAX];
	uint8_t *bytes;                 /* len bytes (blob), NULL when len is 0 */
};

/* Message ID windows above one (RFC 7296 §2.3, ike_window.h). Ours:
 * msgid_send is the lowest request ID of ours not answered yet, msgid_next
 * the next one we use (between them: our outstanding requests; 0 or equal:
 * none). The peer's: msgid_recv is the lowest request ID not processed
 * yet; recv_done bit i marks request msgid_recv + 1 + i as processed
 * (requests may arrive out of order). The responses sent before last_resp
 * (up to our window in all), oldest first, each one unfragmented message
 * with its bytes back to back in bytes[]; an older or fragmented one is
 * gone (a retransmission of its request is ignored). */
struct ike_state_win {
	uint32_t msgid_next;
	uint32_t recv_done;
	uint16_t n_resp;                /* entries of resp_msgid[] */
	uint16_t n_resp_len;            /* entries of resp_len[]: the same */
	uint16_t bytes_len;             /* sum of resp_len[] */
	uint32_t resp_msgid[IKE_STATE_WIN_RESP_MAX];
	uint16_t resp_len[IKE_STATE_WIN_RESP_MAX];
	uint8_t *bytes;                 /* bytes_len bytes (blob), NULL when 0 */
};

/* A virtual IP leased to the peer from a pool (RFC 7296 §3.15). */
struct ike_state_vip {
	struct ike_addr addr;           /* family 0: no lease; port 0 */
	char pool[IKE_STATE_POOL_MAX];
};

/* Every time below is wall-clock seconds since the Unix epoch (both
 * appliances agree on it, unlike monotonic clocks), 0 meaning unset. */
struct ike_sa_state {
	/* Hot: looked at for every message of this SA. */
	uint64_t id;                    /* unique over the appliance pair */
	uint64_t spi_i;                 /* IKE SPIs (RFC 7296 §3.1), host order */
	uint64_t spi_r;
	uint8_t phase;                  /* enum ike_sa_phase */
	bool initiator;                 /* role: we initiated this IKE SA (§2.2) */
	uint32_t msgid_send;            /* next request message ID we send (§2.3) */
	uint32_t msgid_recv;            /* next request message ID expected */
	uint32_t window_local;          /* our window, announced by SET_WINDOW_SIZE */
	uint32_t window_remote;         /* the peer's (1 unless it announced one) */
	/*
	 * Counter from which the IVs of our SK payloads are made (AES-GCM and
	 * ChaCha20-Poly1305 need a unique IV per key, RFC 5282 §3.1, RFC 7634
	 * §2). A snapshot is stale as soon as the next message leaves: whoever
	 * restores this state MUST advance the counter by a margin covering
	 * every message the old owner may have sent since, before encrypting,
	 * so that no (key, IV) pair is ever used twice.
	 */
	uint64_t iv_counter;

	/* Addresses and NAT traversal (RFC 7296 §2.23, RFC 3948). */
	struct ike_addr local;
	struct ike_addr remote;
	bool nat_local;                 /* we are behind a NAT */
	bool nat_remote;                /* the peer is behind a NAT */
	bool natt;                      /* IKE moved to port 4500 */
	uint32_t keepalive_interval;    /* NAT-T keepalive seconds, 0: none */

	/* What the peer announced. */
	bool peer_fragmentation;        /* FRAGMENTATION_SUPPORTED (RFC 7383) */
	bool peer_msgid_sync;           /* MESSAGE_ID_SYNC_SUPPORTED (RFC 6311) */
	/* An RFC 6311 exchange (message ID 0) already ran on this IKE SA:
	 * another would reuse message ID 0 under the same keys, and an
	 * implementation that makes AEAD IVs from message IDs (strongSwan)
	 * refuses to answer it and drops the IKE SA. The next takeover
	 * skips it; an IKE SA rekey gives a fresh SA. */
	bool msgid_sync_used;
	bool peer_mobike;               /* MOBIKE_SUPPORTED (RFC 4555) */
	bool peer_redirect;             /* REDIRECT_SUPPORTED (RFC 5685) */
	uint16_t peer_sig_hashes;       /* bit n: RFC 7427 hash algorithm n */

	/* Authentication (RFC 7296 §2.15, RFC 7427). */
	uint8_t auth_local;             /* enum ike_auth_method, 0: not yet */
	uint8_t auth_remote;
	bool auth_ok;                   /* the peer's AUTH verified */

	/* Lifetimes and liveness. */
	uint64_t established_time;
	uint64_t rekey_time;            /* when to rekey this IKE SA */
	uint64_t reauth_time;           /* when to reauthenticate */
	uint64_t expire_time;           /* hard end: rekey/reauth time + over time */
	uint64_t last_recv_time;        /* last packet from the peer (DPD) */
	uint32_t dpd_interval;          /* seconds, 0: no DPD */

	/* CHILD SAs of this IKE SA: their own records, by id. */
	uint16_t n_children;
	uint64_t child_ids[IKE_STATE_CHILDREN_MAX];

	char name[IKE_STATE_NAME_MAX];  /* config connection, NUL-terminated */
	struct ike_suite suite;         /* all zero before IKE_SA_INIT completes */

	/* Keys (RFC 7296 §2.14). */
	struct ike_key sk_d;
	struct ike_key sk_ai;           /* len 0 with AEAD suites */
	struct ike_key sk_ar;
	struct ike_key sk_ei;           /* AEAD: key then salt */
	struct ike_key sk_er;
	struct ike_key sk_pi;
	struct ike_key sk_pr;

	/* Ni and Nr of the exchange that created this IKE SA (what an IKE SA
	 * rekey's SKEYSEED needs for the new SA, §2.18), and our nonce in a
	 * simultaneous-rekey collision (§2.8.2: the lowest nonce loses). */
	struct ike_state_nonce ni;
	struct ike_state_nonce nr;
	struct ike_state_nonce collision_nonce;  /* len 0: no collision */

	struct ike_id id_local;         /* type 0: not known yet */
	struct ike_id id_remote;
	char remote_cert_dn[IKE_STATE_DN_MAX];  /* for display, "" if none */

	struct ike_state_vip vip4;      /* family 0 or AF_INET */
	struct ike_state_vip vip6;      /* family 0 or AF_INET6 */

	struct ike_state_win win;       /* windows above one (§2.3) */
	struct ike_state_resp last_resp;
};

/* Byte, packet and time limits of a CHILD SA (RFC 4301 §4.4.2.1). */
struct ike_child_lifetime {
	uint64_t soft_bytes;            /* 0: no limit */
	uint64_t hard_bytes;
	uint64_t soft_packets;
	uint64_t hard_packets;
	uint32_t soft_seconds;          /* after install_time */
	uint32_t hard_seconds;
	uint64_t install_time;          /* wall-clock seconds since the epoch */
};

struct ike_child_state {
	uint64_t id;                    /* unique over the appliance pair */
	uint64_t ike_sa_id;             /* the IKE SA that owns it */
	uint32_t spi_in;                /* ours: the peer sends ESP to it */
	uint32_t spi_out;               /* the peer's: we send ESP to it */
	uint32_t reqid;                 /* binds the SA to its policies */
	uint32_t replay_window;         /* inbound anti-replay window, packets */
	uint8_t protocol;               /* IKE_PROTO_ESP (the only one) */
	uint8_t mode;                   /* enum ike_child_mode */
	uint8_t rekey;                  /* enum ike_child_rekey_state */
	bool initiator;                 /* we initiated this CHILD SA */
	bool udp_encap;                 /* ESP in UDP (RFC 3948) */
	uint16_t encap_local_port;      /* UDP ports when udp_encap */
	uint16_t encap_remote_port;
	uint64_t replaces_id;           /* the CHILD SA this one rekeyed, 0: none */
	uint64_t replaced_by_id;        /* the CHILD SA that rekeyed it, 0: none */
	struct ike_child_lifetime life;
	struct ike_suite suite;         /* suite.esn is the ESN flag */
	char name[IKE_STATE_NAME_MAX];  /* config child, NUL-terminated */

	/* KEYMAT (RFC 7296 §2.17): initiator-to-responder keys first, the
	 * salt at the end of the encryption key for AEADs (RFC 4106 §8.1). */
	struct ike_key encr_i;
	struct ike_key integ_i;         /* len 0 with AEADs */
	struct ike_key encr_r;
	struct ike_key integ_r;

	struct ike_ts_set ts_local;     /* narrowed traffic selectors */
	struct ike_ts_set ts_remote;
};

/* The serialized form uses 16-bit TLV lengths (ike_state_ser.h). */
static_assert(IKE_STATE_RESP_MAX <= UINT16_MAX, "response blob length is 16-bit");
static_assert(IKE_STATE_RESP_FRAGS_MAX * IKE_MSG_MAX >= IKE_STATE_RESP_MAX,
	      "fragment lengths cover the blob");
static_assert(IKE_STATE_WIN_BYTES <= UINT16_MAX && IKE_STATE_WIN_MAX <= 32,
	      "window blob length is 16-bit, recv_done a 32-bit map");
static_assert(IKE_NONCE_MAX <= UINT16_MAX && IKE_ID_MAX < UINT16_MAX, "TLV length is 16-bit");
/* Per-message fields in the first two cache lines. */
static_assert(offsetof(struct ike_sa_state, iv_counter) + sizeof(uint64_t) <= 128,
	      "hot IKE SA fields in the first two cache lines");
/*
 * Blobs: last_resp.bytes and win.bytes belong to the record they are in.
 * A record is zeroed (calloc, a fresh IKE SA) or decoded before use, and
 * ends with ike_sa_state_wipe(), which wipes and frees them. A copy of a
 * record gets copies of them (ike_state_blob_dup), never the pointers.
 */

/* Wipes and frees a blob of LEN bytes; *B becomes NULL. */
static inline void
ike_state_blob_free(uint8_t **b, size_t len)
{
	if (*b == NULL)
		return;
	OPENSSL_cleanse(*b, len);
	free(*b);
	*b = NULL;
}

/* *DST = a copy of LEN bytes at SRC (NULL for 0): 0 or -ENOMEM. */
static inline int
ike_state_blob_dup(uint8_t **dst, const uint8_t *src, size_t len)
{
	*dst = NULL;
	if (len == 0)
		return 0;
	*dst = malloc(len);
	if (*dst == NULL)
		return -ENOMEM;
	memcpy(*dst, src, len);
	return 0;
}

/* Same record: every field, and the blobs' bytes (not where they are). */
static inline bool
ike_sa_state_equal(const struct ike_sa_state *a, const struct ike_sa_state *b)
{
	struct ike_sa_state x = *a, y = *b;
	bool same;

	x.last_resp.bytes = y.last_resp.bytes = NULL;
	x.win.bytes = y.win.bytes = NULL;
	same = memcmp(&x, &y, sizeof(x)) == 0 &&
	       (a->last_resp.len == 0 ||
		memcmp(a->last_resp.bytes, b->last_resp.bytes, a->last_resp.len) == 0) &&
	       (a->win.bytes_len == 0 || memcmp(a->win.bytes, b->win.bytes, a->win.bytes_len) == 0);
	OPENSSL_cleanse(&x, sizeof(x));
	OPENSSL_cleanse(&y, sizeof(y));
	return same;
}

/* Zeroize a whole record (keys included) and free its blobs. */
static inline void
ike_sa_state_wipe(struct ike_sa_state *s)
{
	ike_state_blob_free(&s->last_resp.bytes, s->last_resp.len);
	ike_state_blob_free(&s->win.bytes, s->win.bytes_len);
	OPENSSL_cleanse(s, sizeof(*s));
}

static inline void
ike_child_state_wipe(struct ike_child_state *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

#endif /* IKE_STATE_H */
