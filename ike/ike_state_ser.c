/* Versioned TLV serialization of IKE SA and CHILD SA state (ike_state.h),
 * format in ike_state_ser.h: the two record kinds as field tables for the
 * codec (ike_state_ser_codec.c), and the value checks that are not the
 * codec's: negotiated transforms (RFC 7296 §3.3.2; combined-mode ciphers
 * without integrity, §3.3), nonce lengths (§3.9), enums, the cached response's
 * fragments (RFC 7383), the older responses of a message ID window
 * (RFC 7296 §2.3) and the virtual IP leases. The checks run on the
 * host struct, so the writer and the reader apply the same. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_state_ser_codec.h"

/* Table entries: a member of struct st with its kind, flags and check. */
#define MEMBER_SIZE(st, m) sizeof(((st *)0)->m)
#define FIELD(k, st, m, fl, fn) \
	{ .kind = (k), .flags = (fl), .off = offsetof(st, m), .size = MEMBER_SIZE(st, m), \
	  .valid = (fn) }
#define ARRAY(st, m, n, fl, fn) \
	{ .kind = FK_ARRAY, .flags = (fl), .esize = MEMBER_SIZE(st, m[0]), \
	  .off = offsetof(st, m), .size = MEMBER_SIZE(st, m), .off_n = offsetof(st, n), \
	  .valid = (fn) }
#define KEY(st, m) ARRAY(st, m.bytes, m.len, F_M, NULL)
#define BLOB(st, m, n, max) \
	{ .kind = FK_BLOB, .flags = F_OPT, .esize = 1, .off = offsetof(st, m), .size = (max), \
	  .off_n = offsetof(st, n), .valid = NULL }

enum key_bits {
	KEY_BITS_128 = 128,
	KEY_BITS_192 = 192,
	KEY_BITS_256 = 256,
};

static bool
is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

static bool
encr_ok(uint16_t encr, uint16_t bits)
{
	bool aes_bits = bits == KEY_BITS_128 || bits == KEY_BITS_192 || bits == KEY_BITS_256;

	switch (encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		return aes_bits;
	case IKE_ENCR_CHACHA20_POLY1305:
		return bits == 0 || bits == KEY_BITS_256;
	default:
		return false;
	}
}

static bool
integ_ok(uint16_t encr, uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_NONE:
		return is_aead(encr);
	case IKE_INTEG_HMAC_SHA2_256_128:
	case IKE_INTEG_HMAC_SHA2_384_192:
	case IKE_INTEG_HMAC_SHA2_512_256:
		return !is_aead(encr);
	default:
		return false;
	}
}

static bool
dh_ok(uint16_t dh)
{
	return dh == IKE_DH_NONE || dh == IKE_DH_MODP_2048 || dh == IKE_DH_ECP_256 ||
	       dh == IKE_DH_ECP_384 || dh == IKE_DH_ECP_521 || dh == IKE_DH_CURVE25519;
}

/* IKE SA: all zero before IKE_SA_INIT completes, else a full IKE suite. */
static bool
valid_ike_suite(const struct ike_ser_field *f, const uint8_t *rec)
{
	struct ike_suite s;

	memcpy(&s, rec + f->off, sizeof(s));
	if (s.encr == 0 && s.encr_key_bits == 0 && s.prf == 0 && s.integ == 0 && s.dh == 0 &&
	    s.esn == 0)
		return true;
	return encr_ok(s.encr, s.encr_key_bits) && integ_ok(s.encr, s.integ) && dh_ok(s.dh) &&
	       s.esn == IKE_ESN_NO && s.prf >= IKE_PRF_HMAC_SHA2_256 &&
	       s.prf <= IKE_PRF_HMAC_SHA2_512;
}

/* CHILD SA: ESP has no PRF; dh is the PFS group or none. */
static bool
valid_esp_suite(const struct ike_ser_field *f, const uint8_t *rec)
{
	struct ike_suite s;

	memcpy(&s, rec + f->off, sizeof(s));
	return encr_ok(s.encr, s.encr_key_bits) && integ_ok(s.encr, s.integ) && dh_ok(s.dh) &&
	       s.prf == 0 && (s.esn == IKE_ESN_NO || s.esn == IKE_ESN_YES);
}

static bool
valid_phase(const struct ike_ser_field *f, const uint8_t *rec)
{
	return ike_ser_get_uint(rec + f->off, f->size) < IKE_SA_PHASE_COUNT;
}

static bool
valid_auth(const struct ike_ser_field *f, const uint8_t *rec)
{
	switch (ike_ser_get_uint(rec + f->off, f->size)) {
	case 0:
	case IKE_AUTH_RSA_SIG:
	case IKE_AUTH_PSK:
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
	case IKE_AUTH_DIGITAL_SIGNATURE:
		return true;
	default:
		return false;
	}
}

/* RFC 7296 §3.9: 16 to 256 bytes; 0 for none. */
static bool
valid_nonce(const struct ike_ser_field *f, const uint8_t *rec)
{
	uint16_t n = ike_ser_get_count(f, rec);

	return n == 0 || n >= IKE_NONCE_MIN;
}

static bool
valid_vip4(const struct ike_ser_field *f, const uint8_t *rec)
{
	return rec[f->off + offsetof(struct ike_addr, family)] == AF_INET;
}

static bool
valid_vip6(const struct ike_ser_field *f, const uint8_t *rec)
{
	return rec[f->off + offsetof(struct ike_addr, family)] == AF_INET6;
}

static bool
valid_protocol(const struct ike_ser_field *f, const uint8_t *rec)
{
	return ike_ser_get_uint(rec + f->off, f->size) == IKE_PROTO_ESP;
}

static bool
valid_mode(const struct ike_ser_field *f, const uint8_t *rec)
{
	uint64_t v = ike_ser_get_uint(rec + f->off, f->size);

	return v == IKE_CHILD_MODE_TUNNEL || v == IKE_CHILD_MODE_TRANSPORT;
}

static bool
valid_rekey(const struct ike_ser_field *f, const uint8_t *rec)
{
	return ike_ser_get_uint(rec + f->off, f->size) < IKE_CHILD_REKEY_COUNT;
}

/* ---- IKE SA records ---- */

#define SA struct ike_sa_state
static const struct ike_ser_field sa_fields[IKE_SA_T_COUNT] = {
	[IKE_SA_T_ID] = FIELD(FK_UINT, SA, id, F_M, NULL),
	[IKE_SA_T_NAME] = FIELD(FK_STR, SA, name, F_M, NULL),
	[IKE_SA_T_INITIATOR] = FIELD(FK_BOOL, SA, initiator, F_M, NULL),
	[IKE_SA_T_PHASE] = FIELD(FK_UINT, SA, phase, F_M, valid_phase),
	[IKE_SA_T_SPI_I] = FIELD(FK_UINT, SA, spi_i, F_M, NULL),
	[IKE_SA_T_SPI_R] = FIELD(FK_UINT, SA, spi_r, F_M, NULL),
	[IKE_SA_T_SUITE] = FIELD(FK_SUITE, SA, suite, F_M, valid_ike_suite),
	[IKE_SA_T_NI] = ARRAY(SA, ni.bytes, ni.len, F_M, valid_nonce),
	[IKE_SA_T_NR] = ARRAY(SA, nr.bytes, nr.len, F_M, valid_nonce),
	[IKE_SA_T_SK_D] = KEY(SA, sk_d),
	[IKE_SA_T_SK_AI] = KEY(SA, sk_ai),
	[IKE_SA_T_SK_AR] = KEY(SA, sk_ar),
	[IKE_SA_T_SK_EI] = KEY(SA, sk_ei),
	[IKE_SA_T_SK_ER] = KEY(SA, sk_er),
	[IKE_SA_T_SK_PI] = KEY(SA, sk_pi),
	[IKE_SA_T_SK_PR] = KEY(SA, sk_pr),
	[IKE_SA_T_IV_COUNTER] = FIELD(FK_UINT, SA, iv_counter, F_M, NULL),
	[IKE_SA_T_MSGID_SEND] = FIELD(FK_UINT, SA, msgid_send, F_M, NULL),
	[IKE_SA_T_MSGID_RECV] = FIELD(FK_UINT, SA, msgid_recv, F_M, NULL),
	[IKE_SA_T_WINDOW_LOCAL] = FIELD(FK_UINT, SA, window_local, F_M, NULL),
	[IKE_SA_T_WINDOW_REMOTE] = FIELD(FK_UINT, SA, window_remote, F_M, NULL),
	[IKE_SA_T_RESP_MSGID] = FIELD(FK_UINT, SA, last_resp.msgid, F_M, NULL),
	[IKE_SA_T_RESP_REGENERATE] = FIELD(FK_BOOL, SA, last_resp.regenerate, F_M, NULL),
	[IKE_SA_T_RESP_FRAGS] = ARRAY(SA, last_resp.frag_len, last_resp.n_frags, F_OPT, NULL),
	[IKE_SA_T_RESP_BYTES] = BLOB(SA, last_resp.bytes, last_resp.len, IKE_STATE_RESP_MAX),
	[IKE_SA_T_LOCAL] = FIELD(FK_ADDR, SA, local, F_M, NULL),
	[IKE_SA_T_REMOTE] = FIELD(FK_ADDR, SA, remote, F_M, NULL),
	[IKE_SA_T_NAT_LOCAL] = FIELD(FK_BOOL, SA, nat_local, F_M, NULL),
	[IKE_SA_T_NAT_REMOTE] = FIELD(FK_BOOL, SA, nat_remote, F_M, NULL),
	[IKE_SA_T_NATT] = FIELD(FK_BOOL, SA, natt, F_M, NULL),
	[IKE_SA_T_KEEPALIVE] = FIELD(FK_UINT, SA, keepalive_interval, F_M, NULL),
	[IKE_SA_T_ID_LOCAL] = FIELD(FK_ID, SA, id_local, F_OPT, NULL),
	[IKE_SA_T_ID_REMOTE] = FIELD(FK_ID, SA, id_remote, F_OPT, NULL),
	[IKE_SA_T_AUTH_LOCAL] = FIELD(FK_UINT, SA, auth_local, F_M, valid_auth),
	[IKE_SA_T_AUTH_REMOTE] = FIELD(FK_UINT, SA, auth_remote, F_M, valid_auth),
	[IKE_SA_T_AUTH_OK] = FIELD(FK_BOOL, SA, auth_ok, F_M, NULL),
	[IKE_SA_T_REMOTE_CERT_DN] = FIELD(FK_STR, SA, remote_cert_dn, F_OPT, NULL),
	[IKE_SA_T_PEER_FRAGMENTATION] = FIELD(FK_BOOL, SA, peer_fragmentation, F_M, NULL),
	[IKE_SA_T_PEER_MSGID_SYNC] = FIELD(FK_BOOL, SA, peer_msgid_sync, F_M, NULL),
	[IKE_SA_T_PEER_MOBIKE] = FIELD(FK_BOOL, SA, peer_mobike, F_M, NULL),
	[IKE_SA_T_PEER_REDIRECT] = FIELD(FK_BOOL, SA, peer_redirect, F_M, NULL),
	[IKE_SA_T_PEER_SIG_HASHES] = FIELD(FK_UINT, SA, peer_sig_hashes, F_M, NULL),
	[IKE_SA_T_VIP4] = FIELD(FK_ADDR, SA, vip4.addr, F_OPT, valid_vip4),
	[IKE_SA_T_VIP4_POOL] = FIELD(FK_STR, SA, vip4.pool, F_OPT, NULL),
	[IKE_SA_T_VIP6] = FIELD(FK_ADDR, SA, vip6.addr, F_OPT, valid_vip6),
	[IKE_SA_T_VIP6_POOL] = FIELD(FK_STR, SA, vip6.pool, F_OPT, NULL),
	[IKE_SA_T_ESTABLISHED_TIME] = FIELD(FK_UINT, SA, established_time, F_M, NULL),
	[IKE_SA_T_REKEY_TIME] = FIELD(FK_UINT, SA, rekey_time, F_M, NULL),
	[IKE_SA_T_REAUTH_TIME] = FIELD(FK_UINT, SA, reauth_time, F_M, NULL),
	[IKE_SA_T_EXPIRE_TIME] = FIELD(FK_UINT, SA, expire_time, F_M, NULL),
	[IKE_SA_T_LAST_RECV_TIME] = FIELD(FK_UINT, SA, last_recv_time, F_M, NULL),
	[IKE_SA_T_DPD_INTERVAL] = FIELD(FK_UINT, SA, dpd_interval, F_M, NULL),
	[IKE_SA_T_COLLISION_NONCE] = ARRAY(SA, collision_nonce.bytes, collision_nonce.len, F_OPT,
					   valid_nonce),
	[IKE_SA_T_CHILD_IDS] = ARRAY(SA, child_ids, n_children, F_OPT, NULL),
	[IKE_SA_T_MSGID_SYNC_USED] = FIELD(FK_BOOL, SA, msgid_sync_used, F_OPT, NULL),
	[IKE_SA_T_MSGID_NEXT] = FIELD(FK_UINT, SA, win.msgid_next, F_OPT, NULL),
	[IKE_SA_T_RECV_DONE] = FIELD(FK_UINT, SA, win.recv_done, F_OPT, NULL),
	[IKE_SA_T_WIN_RESP_MSGIDS] = ARRAY(SA, win.resp_msgid, win.n_resp, F_OPT, NULL),
	[IKE_SA_T_WIN_RESP_LENS] = ARRAY(SA, win.resp_len, win.n_resp_len, F_OPT, NULL),
	[IKE_SA_T_WIN_RESP_BYTES] = BLOB(SA, win.bytes, win.bytes_len, IKE_STATE_WIN_BYTES),
};
#undef SA

static_assert(IKE_SA_T_COUNT <= 64 && IKE_CHILD_T_COUNT <= 64, "codec's seen-field bitmap");
static_assert(sizeof(struct ike_sa_state) <= UINT32_MAX, "field offsets are 32-bit");

static bool
vip_ok(const struct ike_state_vip *v)
{
	return v->pool[0] == '\0' || v->addr.family != 0;
}

/* The older responses of the window: one length per message ID, none
 * empty, adding up to the blob. */
static int
win_validate(const struct ike_state_win *w)
{
	size_t sum = 0;

	if (w->n_resp != w->n_resp_len || w->n_resp > IKE_STATE_WIN_RESP_MAX ||
	    w->bytes_len > IKE_STATE_WIN_BYTES)
		return -ERANGE;
	for (unsigned int i = 0; i < w->n_resp; i++) {
		if (w->resp_len[i] == 0)
			return -ERANGE;
		sum += w->resp_len[i];
	}
	return sum == w->bytes_len ? 0 : -ERANGE;
}

/* The cached response: whole fragments that add up to the blob, and no
 * bytes when it is to be regenerated. A pool name only with an address. */
static int
sa_validate(const uint8_t *rec)
{
	const struct ike_sa_state *s = (const struct ike_sa_state *)rec;
	const struct ike_state_resp *r = &s->last_resp;
	size_t sum = 0;

	if (r->n_frags > IKE_STATE_RESP_FRAGS_MAX || r->len > IKE_STATE_RESP_MAX)
		return -ERANGE;
	if (r->regenerate && (r->len != 0 || r->n_frags != 0))
		return -ERANGE;
	for (unsigned int i = 0; i < r->n_frags; i++) {
		if (r->frag_len[i] == 0)
			return -ERANGE;
		sum += r->frag_len[i];
	}
	if (r->n_frags > 0 && sum != r->len)
		return -ERANGE;
	if (!vip_ok(&s->vip4) || !vip_ok(&s->vip6))
		return -ERANGE;
	return win_validate(&s->win);
}

static const struct ike_ser_record sa_record = {
	.kind = IKE_STATE_REC_IKE_SA,
	.size = sizeof(struct ike_sa_state),
	.fields = sa_fields,
	.n_fields = IKE_SA_T_COUNT,
	.validate = sa_validate,
};

ssize_t
ike_sa_state_serialize(const struct ike_sa_state *s, uint8_t *buf, size_t cap)
{
	return ike_ser_write(&sa_record, (const uint8_t *)s, buf, cap);
}

int
ike_sa_state_deserialize(const uint8_t *buf, size_t len, struct ike_sa_state *out)
{
	return ike_ser_read(&sa_record, buf, len, (uint8_t *)out);
}

size_t
ike_sa_state_max_len(void)
{
	return ike_ser_max_len(&sa_record);
}

/* ---- CHILD SA records ---- */

#define CH struct ike_child_state
static const struct ike_ser_field child_fields[IKE_CHILD_T_COUNT] = {
	[IKE_CHILD_T_ID] = FIELD(FK_UINT, CH, id, F_M, NULL),
	[IKE_CHILD_T_IKE_SA_ID] = FIELD(FK_UINT, CH, ike_sa_id, F_M, NULL),
	[IKE_CHILD_T_NAME] = FIELD(FK_STR, CH, name, F_M, NULL),
	[IKE_CHILD_T_PROTOCOL] = FIELD(FK_UINT, CH, protocol, F_M, valid_protocol),
	[IKE_CHILD_T_MODE] = FIELD(FK_UINT, CH, mode, F_M, valid_mode),
	[IKE_CHILD_T_INITIATOR] = FIELD(FK_BOOL, CH, initiator, F_M, NULL),
	[IKE_CHILD_T_SPI_IN] = FIELD(FK_UINT, CH, spi_in, F_M, NULL),
	[IKE_CHILD_T_SPI_OUT] = FIELD(FK_UINT, CH, spi_out, F_M, NULL),
	[IKE_CHILD_T_SUITE] = FIELD(FK_SUITE, CH, suite, F_M, valid_esp_suite),
	[IKE_CHILD_T_ENCR_I] = KEY(CH, encr_i),
	[IKE_CHILD_T_INTEG_I] = KEY(CH, integ_i),
	[IKE_CHILD_T_ENCR_R] = KEY(CH, encr_r),
	[IKE_CHILD_T_INTEG_R] = KEY(CH, integ_r),
	[IKE_CHILD_T_UDP_ENCAP] = FIELD(FK_BOOL, CH, udp_encap, F_M, NULL),
	[IKE_CHILD_T_ENCAP_LOCAL_PORT] = FIELD(FK_UINT, CH, encap_local_port, F_M, NULL),
	[IKE_CHILD_T_ENCAP_REMOTE_PORT] = FIELD(FK_UINT, CH, encap_remote_port, F_M, NULL),
	[IKE_CHILD_T_TS_LOCAL] = FIELD(FK_TS, CH, ts_local, F_M, NULL),
	[IKE_CHILD_T_TS_REMOTE] = FIELD(FK_TS, CH, ts_remote, F_M, NULL),
	[IKE_CHILD_T_SOFT_BYTES] = FIELD(FK_UINT, CH, life.soft_bytes, F_M, NULL),
	[IKE_CHILD_T_HARD_BYTES] = FIELD(FK_UINT, CH, life.hard_bytes, F_M, NULL),
	[IKE_CHILD_T_SOFT_PACKETS] = FIELD(FK_UINT, CH, life.soft_packets, F_M, NULL),
	[IKE_CHILD_T_HARD_PACKETS] = FIELD(FK_UINT, CH, life.hard_packets, F_M, NULL),
	[IKE_CHILD_T_SOFT_SECONDS] = FIELD(FK_UINT, CH, life.soft_seconds, F_M, NULL),
	[IKE_CHILD_T_HARD_SECONDS] = FIELD(FK_UINT, CH, life.hard_seconds, F_M, NULL),
	[IKE_CHILD_T_INSTALL_TIME] = FIELD(FK_UINT, CH, life.install_time, F_M, NULL),
	[IKE_CHILD_T_REKEY] = FIELD(FK_UINT, CH, rekey, F_M, valid_rekey),
	[IKE_CHILD_T_REPLACES_ID] = FIELD(FK_UINT, CH, replaces_id, F_OPT, NULL),
	[IKE_CHILD_T_REPLACED_BY_ID] = FIELD(FK_UINT, CH, replaced_by_id, F_OPT, NULL),
	[IKE_CHILD_T_REPLAY_WINDOW] = FIELD(FK_UINT, CH, replay_window, F_M, NULL),
	[IKE_CHILD_T_REQID] = FIELD(FK_UINT, CH, reqid, F_M, NULL),
};
#undef CH

static const struct ike_ser_record child_record = {
	.kind = IKE_STATE_REC_CHILD_SA,
	.size = sizeof(struct ike_child_state),
	.fields = child_fields,
	.n_fields = IKE_CHILD_T_COUNT,
	.validate = NULL,
};

ssize_t
ike_child_state_serialize(const struct ike_child_state *c, uint8_t *buf, size_t cap)
{
	return ike_ser_write(&child_record, (const uint8_t *)c, buf, cap);
}

int
ike_child_state_deserialize(const uint8_t *buf, size_t len, struct ike_child_state *out)
{
	return ike_ser_read(&child_record, buf, len, (uint8_t *)out);
}

size_t
ike_child_state_max_len(void)
{
	return ike_ser_max_len(&child_record);
}
