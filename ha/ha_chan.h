/*
 * The secure sync channel (seed §7 "security considerations"): peer
 * authentication, confidentiality, integrity and replay protection for
 * everything two appliances say to each other.
 *
 * Both appliances are configured with the same pre-shared sync key (PSK,
 * 32..64 octets, from a file only root may read). Each process start
 * draws a random 32-octet nonce (drawn again by ha_chan_reset and when the
 * peer's nonce changes after keys were derived: see ha_chan_open).
 *
 *   HELLO   clear (it carries nothing secret), tagged with
 *           HMAC-SHA-256(PSK, header || body): a peer without the PSK
 *           cannot make one. A HELLO names the last nonce it heard from
 *           us (peer_nonce).
 *   keys    when a verified HELLO echoes our current nonce, both sides
 *           hold both nonces and derive, with HKDF-SHA-256 (RFC 5869):
 *             salt = nonce of the lower node id || nonce of the higher
 *             IKM  = PSK
 *             info = "hagw sync v1" || lower node id u16 || higher u16
 *             OKM  = key lo->hi (32) || salt lo->hi (4) ||
 *                    key hi->lo (32) || salt hi->lo (4) || session u32
 *           A replayed old HELLO never echoes our current nonce, so it
 *           never yields keys; a wrong PSK fails the HMAC.
 *   DATA    AES-256-GCM, nonce = direction salt (4) || counter (8),
 *           AAD = the 24-octet header. The sender's counter starts at 1
 *           for each session and increases by one per datagram; the
 *           receiver accepts each counter once, within a window of
 *           HA_CHAN_WINDOW below the highest accepted (RFC 4303 §3.4.3,
 *           kept as a ring of words as in RFC 6479): one counter space
 *           serves every link, so a backlog of a bulk sync's segments
 *           queued on the sync link is overtaken by the next ticks'
 *           heartbeats on the data links; the window must cover the
 *           datagrams that can be in flight (the stream window, ~750).
 *           HELLO counters are checked the same way. A new session (new keys)
 *           becomes current only when a DATA datagram under it verifies,
 *           so a forged or replayed HELLO cannot tear down a working
 *           session.
 * Keys are zeroized when replaced and when the channel is freed.
 */
#ifndef HA_CHAN_H
#define HA_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ha/ha_wire.h"

enum {
	HA_CHAN_HELLO_DGRAM_LEN = HA_WIRE_HDR_LEN + HA_WIRE_HELLO_LEN + HA_WIRE_HMAC_LEN,
	HA_CHAN_DATA_OVERHEAD = HA_WIRE_HDR_LEN + HA_WIRE_TAG_LEN,
	HA_CHAN_PSK_MIN = 32,
	HA_CHAN_PSK_MAX = 64,
	HA_CHAN_KEY_LEN = 32,
	HA_CHAN_SALT_LEN = 4,
	HA_CHAN_OLD_NONCES = 16,	/* superseded peer nonces remembered */
};

/* Why a datagram was dropped (counted; never logged per packet). */
enum ha_chan_drop {
	HA_CHAN_DROP_MALFORMED,		/* header or body fails to parse, truncated */
	HA_CHAN_DROP_FOREIGN,		/* not our peer's node id, or our own */
	HA_CHAN_DROP_VERSION,		/* no common protocol version */
	HA_CHAN_DROP_AUTH,		/* HMAC or GCM tag wrong (tampered, wrong key) */
	HA_CHAN_DROP_REPLAY,		/* counter not above the highest accepted */
	HA_CHAN_DROP_NO_SESSION,	/* DATA for a session we do not hold */
	HA_CHAN_DROP_MAX
};

enum {
	HA_CHAN_WINDOW_WORDS = 64,
	/* Counters accepted below the highest: one word of the ring is the
	 * one the top is in, so the window is a word short of the ring. */
	HA_CHAN_WINDOW = (HA_CHAN_WINDOW_WORDS - 1) * 64,
};

/* Sliding replay window: bit (c % 64) of word (c / 64) % WORDS says
 * counter c was accepted, for c in (top - HA_CHAN_WINDOW, top]. */
struct ha_chan_window {
	uint64_t top;			/* highest counter accepted */
	uint64_t bits[HA_CHAN_WINDOW_WORDS];
};

struct ha_chan_dir {
	uint8_t key[HA_CHAN_KEY_LEN];
	uint8_t salt[HA_CHAN_SALT_LEN];
};

/* An AES-256-GCM key expanded once per session key (Intel IPsec-MB's
 * direct GCM API: the key schedule and GHASH table cost more than sealing
 * a datagram, and OpenSSL's EVP calls cost several thousand cycles per
 * datagram whatever its size). Wiped with the sessions (ha_chan_reset,
 * _fini). */
struct gcm_key_data;
struct IMB_MGR;

struct ha_chan_gcm {
	struct gcm_key_data *key;	/* 64-byte aligned; NULL until first used */
	uint8_t raw[HA_CHAN_KEY_LEN];	/* the key it was expanded from */
	bool keyed;
};

/* One derived session: our sending and receiving directions. */
struct ha_chan_session {
	bool valid;
	uint32_t id;
	struct ha_chan_dir tx;
	struct ha_chan_dir rx;
	uint64_t tx_counter;		/* last counter sent */
	struct ha_chan_window rx_win;	/* DATA counters accepted */
};

struct ha_chan {
	uint16_t node_id;		/* ours */
	uint16_t peer_node_id;		/* the configured peer's */
	uint8_t psk[HA_CHAN_PSK_MAX];
	uint8_t psk_len;
	uint8_t nonce[HA_WIRE_NONCE_LEN];	/* ours: drawn at init, reset, peer restart */
	uint8_t peer_nonce[HA_WIRE_NONCE_LEN];	/* last verified from the peer */
	bool have_peer_nonce;
	bool pair_derived;		/* a session came from (nonce, peer_nonce): never again */
	uint64_t hello_counter;		/* HELLO counters we sent */
	struct ha_chan_window peer_hello_win;	/* HELLO counters accepted, per peer nonce */
	/* Peer nonces superseded by a newer one: a HELLO carrying one is a
	 * replay (a peer never goes back to an old nonce). A ring. */
	uint8_t old_peer_nonces[HA_CHAN_OLD_NONCES][HA_WIRE_NONCE_LEN];
	uint8_t old_peer_next;
	struct ha_chan_session cur;	/* in use */
	struct ha_chan_session next;	/* derived, not yet confirmed by a DATA */
	uint64_t drops[HA_CHAN_DROP_MAX];
	uint64_t sessions;		/* sessions confirmed so far */
	struct IMB_MGR *mgr;		/* IPsec-MB, for the GCM functions */
	struct ha_chan_gcm seal_gcm, open_gcm;
};

/*
 * Reads the PSK from PATH: the file must be a regular file not readable
 * or writable by group or others, holding 64..128 hex digits (whitespace
 * ignored). 0, or -errno with "PATH: why" in err (-EPERM: "PATH: readable
 * by group or others (chmod 600)"; -EINVAL: not a regular file, bad
 * digits; -EFBIG: over 1024 octets). The key is never printed.
 */
int ha_chan_load_psk(const char *path, uint8_t *psk, uint8_t *psk_len, char *err,
		     size_t err_len);

/* Sets up C (draws the nonce from OpenSSL's RNG). PSK is copied. 0,
 * -EINVAL (a node id 0, both ids with the same lowest bit (the IV node
 * bit), a PSK length outside 32..64) or -EIO. */
int ha_chan_init(struct ha_chan *c, uint16_t node_id, uint16_t peer_node_id,
		 const uint8_t *psk, uint8_t psk_len);
/* Zeroizes the whole struct (keys, PSK, nonces). */
void ha_chan_fini(struct ha_chan *c);

/* Builds a HELLO datagram (header + body + HMAC) into BUF. LINK is the
 * sender's link id for the header. BODY gives priority, role, caps, epoch
 * and boot_id; the channel fills version_min/max, nonce and peer_nonce.
 * Octets (HA_CHAN_HELLO_DGRAM_LEN), -ENOSPC or -EIO (crypto library). */
ssize_t ha_chan_hello(struct ha_chan *c, uint8_t link, const struct ha_wire_hello *body,
		      uint8_t *buf, size_t cap);

/*
 * Seals PLAIN (a message list) into a DATA datagram under the current
 * session, or under the derived one while none is confirmed (that is how
 * the peer confirms it). Octets, -ENOTCONN (no session), -ENOSPC (CAP or
 * HA_WIRE_DGRAM_MAX too small), -EIO. PLAIN may be BUF + HA_WIRE_HDR_LEN.
 */
ssize_t ha_chan_seal(struct ha_chan *c, uint8_t link, const uint8_t *plain, size_t len,
		     uint8_t *buf, size_t cap);

/* What ha_chan_open found in a datagram. */
struct ha_chan_rx {
	struct ha_wire_hdr hdr;
	bool is_hello;
	struct ha_wire_hello hello;	/* when is_hello */
	bool new_session;		/* this DATA made a new session current */
	bool want_hello;		/* HELLO: answer with a HELLO now (the peer lacks
					 * our nonce or our echo of its nonce) */
	bool fresh;			/* HELLO: echoes our current nonce, so it was made
					 * after we drew it: a sign of life. A HELLO that
					 * is not fresh may be an old one replayed. */
	const uint8_t *plain;		/* DATA: decrypted messages (in BUF, in place) */
	size_t plain_len;
};

/*
 * Checks and opens one received datagram, in place. HELLO: verified, its
 * nonce remembered; when it echoes our nonce, the next session is
 * derived. DATA: decrypted under the current or the next session (the
 * next becomes current on success). 0, or -EBADMSG with the reason
 * counted in c->drops (the datagram must be ignored), or -EIO (crypto
 * library failure, not counted).
 *
 * Nonce rules (each (nonce, peer_nonce) pair yields keys at most once):
 * a HELLO with the peer's current nonce needs a counter above the highest
 * accepted; one with a nonce the peer used before (the last
 * HA_CHAN_OLD_NONCES) is a replay; one with a new nonce (peer restart)
 * replaces the current one, and if keys were already derived from the old
 * pair, our own nonce is drawn again, so an old HELLO replayed later can
 * never echo our nonce.
 *
 * Host duties (ha.c): while !ha_chan_up(), send a HELLO every interval
 * AND, when ha_chan_seal() succeeds (a derived session is pending), DATA
 * too: the first DATA that verifies confirms the session at the peer.
 * Answer a HELLO at once when rx->want_hello. On rx->new_session, restart
 * the stream (the peer restarted or re-keyed). Count a HELLO as a sign of
 * life only when rx->fresh.
 */
int ha_chan_open(struct ha_chan *c, uint8_t *buf, size_t len, struct ha_chan_rx *rx);

/* The drop reason's name for counters and logs ("malformed", ...). */
const char *ha_chan_drop_name(enum ha_chan_drop d);

/* True when a confirmed session exists. */
bool ha_chan_up(const struct ha_chan *c);
/* Forgets the sessions (peer restarted or declared dead): the next HELLO
 * exchange derives new keys. Our nonce is drawn again, so the new keys
 * differ from the old ones (the counters restart at 1: the same keys again
 * would repeat GCM nonces). */
void ha_chan_reset(struct ha_chan *c);

#endif /* HA_CHAN_H */
