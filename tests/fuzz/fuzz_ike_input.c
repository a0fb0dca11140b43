/*
 * libFuzzer target for the IKE daemon's input path (ike/ike_ctx.h:
 * ike_input, ike_tick; RFC 7296 §2-3 messages, RFC 3948 §2.2 non-ESP
 * marker, RFC 7383 fragments) as seen by a responder with a PSK
 * connection and a virtual IP pool (RFC 7296 §3.15), on a fake clock,
 * with host ops that keep only the last datagram sent.
 *
 * Input: a mode byte, then data. Mode bits 0-1:
 *   0 PLAIN   data is one datagram from the peer (port 4500 if bit 2, the
 *             non-ESP marker then being part of data; IPv6 if bit 3);
 *   1 SESSION data is up to SESSION_MAX records [flags, len (2, big
 *             endian), bytes]: flag bit 0 port 4500 (marker prepended),
 *             bit 1 the responder SPI (header octets 8-15) replaced by
 *             the one of the last datagram the responder sent, bit 2 the
 *             clock advanced and timers run before the record;
 *   2 AUTH    a real initiator (a second ike_ctx) runs IKE_SA_INIT with
 *             the responder; data = [first inner payload, bytes] is then
 *             sent as its IKE_AUTH request, sealed with the SA's keys, so
 *             the responder's checks after decryption see fuzzed payloads;
 *   3 ESTAB   as AUTH but the IKE SA is first established (PSK) and data =
 *             [first inner payload, exchange type, bytes] is the next
 *             request (INFORMATIONAL, CREATE_CHILD_SA, ... on that SA).
 * Bit 4 makes the initiator of modes 2-3 offer AES-CBC/HMAC instead of
 * AES-GCM. After the input the clock moves and timers run (retransmits,
 * half-open and DPD timeouts).
 *
 * Contexts: ike_ctx_new + ike_ctx_free cost ~5 ms here (the ~1.9 MB
 * configuration is copied, then wiped), 40 times one IKE_SA_INIT (~0.1
 * ms): a fresh responder per input ran ~200 inputs/s, a reused one ~2600.
 * So modes 0-1 reuse the responder until it holds more than REUSE_SA_MAX
 * IKE SAs (the timers run after each input expire the half-open SAs, so
 * little state carries over); modes 2-3 start fresh contexts. A single
 * input (a crash reproducer) always runs on a fresh responder;
 * FUZZ_IKE_INPUT_FRESH=1 makes every input do so.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg.h"
#include "ike/ike_const.h"
#include "ike/ike_ctx.h"
#include "ike/ike_sk.h"

enum {
	MODE_MASK = 0x03,
	MODE_PLAIN = 0,
	MODE_SESSION = 1,
	MODE_AUTH = 2,
	MODE_ESTAB = 3,
	MODE_NATT = 0x04,
	MODE_IPV6 = 0x08,
	MODE_CBC = 0x10,
	REC_NATT = 0x01,
	REC_SPI = 0x02,
	REC_TICK = 0x04,
	REC_HDR = 3,
	SESSION_MAX = 16,
	SPI_OFF = 8,                    /* IKE header (RFC 7296 §3.1): responder SPI */
	NEXT_OFF = 16,                  /* next payload */
	VERSION_OFF = 17,
	EXCH_OFF = 18,                  /* exchange type */
	FLAGS_OFF = 19,
	MSGID_OFF = 20,
	MSGID_LEN = 4,
	DGRAM_MAX = 65535,              /* IKE message length field */
	SEND_MAX = DGRAM_MAX + IKE_NON_ESP_MARKER_LEN,
	OUTBOX_MAX = 8,
	PUMP_MAX = 32,
	TICK_STEP_MS = 10000,
	AEAD_IV_START = 1u << 20,       /* past any IV the initiator ctx used */
	POOL_SIZE = 254,
	REUSE_SA_MAX = 32,
	PORT_IKE = 500,                 /* RFC 7296 §2 */
	PORT_NATT = 4500,               /* RFC 3948 */
	WALL_EPOCH_S = 1700000000,      /* the fake wall clock's start */
	MS_PER_S = 1000,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One side: a context and what it sent. */
struct side {
	struct ike_ctx *ctx;
	int n_out;
	struct {
		struct ike_addr src, dst;
		size_t len;
		uint8_t buf[SEND_MAX];
	} out[OUTBOX_MAX];
	size_t last_len;                /* the last datagram sent, kept for REC_SPI */
	uint8_t last[SEND_MAX];
};

static uint64_t now_ms = MS_PER_S;
static struct side sides[2];            /* 0: responder, 1: initiator */
static struct cfg_ike cfg_resp, cfg_init[2];     /* initiator: GCM, CBC */
static uint8_t dgram[SEND_MAX];

static void
addr(struct ike_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = inet_pton(AF_INET, ip, a->ip) == 1 ? AF_INET : AF_INET6;
	if (a->family == AF_INET6)
		inet_pton(AF_INET6, ip, a->ip);
	a->port = port;
}

static void
prefix(struct cfg_prefix *p, const char *ip, uint8_t len)
{
	struct ike_addr a;

	addr(&a, ip, 0);
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	p->len = len;
	memcpy(p->addr.bytes, a.ip, sizeof(p->addr.bytes));
}

static void
ts_net(struct cfg_ike_ts *t, const char *lo, const char *hi)
{
	struct ike_addr a, b;

	memset(t, 0, sizeof(*t));
	addr(&a, lo, 0);
	addr(&b, hi, 0);
	t->ts.family = a.family;
	t->ts.port_hi = UINT16_MAX;
	memcpy(t->ts.addr_lo, a.ip, sizeof(t->ts.addr_lo));
	memcpy(t->ts.addr_hi, b.ip, sizeof(t->ts.addr_hi));
}

static void
child_cfg(struct cfg_ike_child *ch, bool initiator)
{
	snprintf(ch->name, sizeof(ch->name), "net");
	ch->n_local_ts = 1;
	ch->n_remote_ts = 1;
	ch->local_ts[0].dynamic = initiator;
	ch->local_ts[0].ts.port_hi = UINT16_MAX;
	if (!initiator)
		ts_net(&ch->local_ts[0], "10.1.0.0", "10.1.255.255");
	ch->remote_ts[0].dynamic = !initiator;
	ch->remote_ts[0].ts.port_hi = UINT16_MAX;
	if (initiator)
		ts_net(&ch->remote_ts[0], "10.1.0.0", "10.1.255.255");
	ch->n_esp_proposals = 2;
	snprintf(ch->esp_proposals[0], CFG_IKE_PROPOSAL_LEN, "aes256gcm16");
	snprintf(ch->esp_proposals[1], CFG_IKE_PROPOSAL_LEN, "aes128-sha256");
	ch->mode = CFG_SA_TUNNEL;
	ch->rekey_time = 3600;
	ch->life_time = 3960;
	ch->rand_time = 360;
	ch->replay_window = 64;
	ch->dscp = CFG_NONE;
}

/* hagw's default IKE proposals (docs/config.md) on the responder, and a
 * CBC one with a fast group for the initiator's CBC variant. */
static void
proposals(struct cfg_ike_conn *c, bool initiator, bool cbc)
{
	static const char *const resp[] = {
		"aes256gcm16-prfsha384-x25519", "aes256gcm16-prfsha384-ecp384",
		"aes128gcm16-prfsha256-ecp256", "chacha20poly1305-prfsha256-x25519",
		"aes256-sha256-modp2048", "aes128-sha256-x25519",
	};

	if (initiator) {
		c->n_proposals = 1;
		snprintf(c->proposals[0], CFG_IKE_PROPOSAL_LEN, "%s",
			 cbc ? "aes128-sha256-x25519" : "aes256gcm16-prfsha384-x25519");
		return;
	}
	c->n_proposals = sizeof(resp) / sizeof(resp[0]);
	for (unsigned int i = 0; i < c->n_proposals; i++)
		snprintf(c->proposals[i], CFG_IKE_PROPOSAL_LEN, "%s", resp[i]);
}

static void
conn_cfg(struct cfg_ike_conn *c, bool initiator, bool cbc)
{
	snprintf(c->name, sizeof(c->name), "gw");
	c->version = 2;
	c->n_local_addrs = initiator ? 1 : 2;
	prefix(&c->local_addrs[0], initiator ? "198.51.100.2" : "192.0.2.1", 32);
	prefix(&c->local_addrs[1], "2001:db8::1", 128);
	c->remote_any = !initiator;
	c->n_remote_addrs = initiator ? 1 : 0;
	prefix(&c->remote_addrs[0], "192.0.2.1", 32);
	c->local.id.type = initiator ? CFG_IKE_ID_RFC822 : CFG_IKE_ID_FQDN;
	snprintf(c->local.id.text, CFG_IKE_ID_LEN, initiator ? "carol@example.org" :
		 "moon.example.org");
	c->remote.id.type = CFG_IKE_ID_ANY;
	snprintf(c->remote.id.text, CFG_IKE_ID_LEN, "%%any");
	c->local.auth = CFG_IKE_AUTH_PSK;
	c->remote.auth = CFG_IKE_AUTH_PSK;
	proposals(c, initiator, cbc);
	c->rekey_time = 14400;
	c->over_time = 1440;
	c->dpd_delay = 30;
	c->dpd_timeout = 150;
	c->n_pools = initiator ? 0 : 1;
	c->send_certreq = true;
	c->send_cert = CFG_IKE_SEND_CERT_IFASKED;
	c->fragmentation = true;
	c->keyingtries = 1;
	c->unique = CFG_IKE_UNIQUE_NO;
	c->n_children = 1;
	child_cfg(&c->children[0], initiator);
}

static void
pool_cfg(struct cfg_ike_pool *p)
{
	snprintf(p->name, sizeof(p->name), "vip");
	p->is_prefix = true;
	prefix(&p->prefix, "10.3.0.0", 24);
	prefix(&p->first, "10.3.0.1", 32);
	prefix(&p->last, "10.3.0.254", 32);
	p->size = POOL_SIZE;
	p->n_dns = 1;
	prefix(&p->dns[0], "10.3.0.53", 32);
}

static void
ike_cfg(struct cfg_ike *c, bool initiator, bool cbc)
{
	static const char psk[] = "this is a fuzzing secret";

	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->n_listen = initiator ? 1 : 2;
	prefix(&c->listen[0], initiator ? "198.51.100.2" : "192.0.2.1", 32);
	prefix(&c->listen[1], "2001:db8::1", 128);
	c->port = PORT_IKE;
	c->natt_port = PORT_NATT;
	c->half_open_max = 10000;
	c->half_open_per_source = 20;
	c->cookie_threshold = 1000;
	c->retransmit_timeout_ms = 2000;
	c->retransmit_tries = 3;
	c->retransmit_base = 1.8;
	c->fragment_size = 1280;
	c->window_size = initiator ? 1 : 4;    /* §2.3: a responder window above one */
	c->n_pools = initiator ? 0 : 1;
	pool_cfg(&c->pools[0]);
	c->n_secrets = 1;
	c->secrets[0].n_ids = 2;
	c->secrets[0].ids[0].type = CFG_IKE_ID_RFC822;
	snprintf(c->secrets[0].ids[0].text, CFG_IKE_ID_LEN, "carol@example.org");
	c->secrets[0].ids[1].type = CFG_IKE_ID_FQDN;
	snprintf(c->secrets[0].ids[1].text, CFG_IKE_ID_LEN, "moon.example.org");
	c->secrets[0].psk_len = sizeof(psk) - 1;
	memcpy(c->secrets[0].psk, psk, sizeof(psk) - 1);
	c->n_connections = 1;
	conn_cfg(&c->connections[0], initiator, cbc);
}

/* ---- host ops ---- */

static int
h_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
       const uint8_t *buf, size_t len)
{
	struct side *s = arg;

	if (len > SEND_MAX)
		abort();                /* the library never builds more */
	memcpy(s->last, buf, len);
	s->last_len = len;
	if (s->n_out < OUTBOX_MAX) {
		s->out[s->n_out].src = *local;
		s->out[s->n_out].dst = *remote;
		s->out[s->n_out].len = len;
		memcpy(s->out[s->n_out].buf, buf, len);
		s->n_out++;
	}
	return 0;
}

static uint64_t
h_now_ms(void *arg)
{
	(void)arg;
	return now_ms;
}

static uint64_t
h_wall_s(void *arg)
{
	(void)arg;
	return WALL_EPOCH_S + now_ms / MS_PER_S;
}

static int
h_install(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *child)
{
	(void)arg;
	(void)ike;
	(void)child;
	return 0;
}

static void
h_remove(void *arg, const struct ike_child_state *child)
{
	(void)arg;
	(void)child;
}

/* FUZZ_IKE_INPUT_LOG=1 in the environment: the library's log on stderr
 * (to check what a seed reaches). */
static void
h_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	fprintf(stderr, "[%s %d] ", arg == &sides[0] ? "resp" : "init", (int)level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
side_start(struct side *s, const struct cfg_ike *cfg, uint16_t node)
{
	struct ike_host_ops ops = {
		.send = h_send,
		.now_ms = h_now_ms,
		.wall_s = h_wall_s,
		.child_install_inbound = h_install,
		.child_install_outbound = h_install,
		.child_remove = h_remove,
		.child_update_path = h_install,
		.log = getenv("FUZZ_IKE_INPUT_LOG") != NULL ? h_log : NULL,
		.arg = s,
	};
	char err[256] = "";

	s->n_out = 0;
	s->last_len = 0;
	s->ctx = ike_ctx_new(cfg, &ops, node, err, sizeof(err));
	if (s->ctx == NULL) {
		fprintf(stderr, "fuzz_ike_input: ike_ctx_new: %s\n", err);
		abort();
	}
}

static void
tick(struct ike_ctx *ctx, uint64_t ms)
{
	now_ms += ms;
	(void)ike_tick(ctx);
}

/* The peer's address towards the responder, and the responder's. */
static void
endpoints(bool natt, bool v6, struct ike_addr *local, struct ike_addr *remote)
{
	uint16_t port = natt ? PORT_NATT : PORT_IKE;

	addr(local, v6 ? "2001:db8::1" : "192.0.2.1", port);
	addr(remote, v6 ? "2001:db8::2" : "198.51.100.2", port);
}

/* ---- modes 0 and 1 ---- */

static void
deliver(bool natt, bool v6, const uint8_t *p, size_t len)
{
	/* an exactly sized copy: ASan sees reads past the datagram */
	uint8_t *copy = malloc(len ? len : 1);
	struct ike_addr local, remote;

	if (copy == NULL)
		abort();
	endpoints(natt, v6, &local, &remote);
	memcpy(copy, p, len);
	ike_input(sides[0].ctx, &local, &remote, copy, len);
	free(copy);
}

/* The responder SPI of its last datagram (after the marker on 4500). */
static void
patch_spi(uint8_t *p, size_t len)
{
	const struct side *r = &sides[0];
	size_t off = r->last_len >= IKE_NON_ESP_MARKER_LEN + IKE_HDR_LEN &&
		     memcmp(r->last, "\0\0\0\0", IKE_NON_ESP_MARKER_LEN) == 0 ?
		     IKE_NON_ESP_MARKER_LEN : 0;

	if (r->last_len < off + IKE_HDR_LEN || len < SPI_OFF + IKE_SPI_LEN)
		return;
	memcpy(p + SPI_OFF, r->last + off + SPI_OFF, IKE_SPI_LEN);
}

static void
run_session(bool v6, const uint8_t *data, size_t size)
{
	for (int n = 0; n < SESSION_MAX && size >= REC_HDR; n++) {
		uint8_t flags = data[0];
		size_t len = (size_t)data[1] << 8 | data[2], off = 0;

		data += REC_HDR;
		size -= REC_HDR;
		if (len > size)
			len = size;
		if (flags & REC_NATT) {
			memset(dgram, 0, IKE_NON_ESP_MARKER_LEN);
			off = IKE_NON_ESP_MARKER_LEN;
		}
		memcpy(dgram + off, data, len);
		if (flags & REC_SPI)
			patch_spi(dgram + off, len);
		if (flags & REC_TICK)
			tick(sides[0].ctx, TICK_STEP_MS);
		deliver(flags & REC_NATT, v6, dgram, off + len);
		data += len;
		size -= len;
	}
}

/* ---- modes 2 and 3: a real initiator ---- */

static uint8_t
exch_of(const uint8_t *buf, size_t len)
{
	size_t off = len >= IKE_NON_ESP_MARKER_LEN &&
		     memcmp(buf, "\0\0\0\0", IKE_NON_ESP_MARKER_LEN) == 0 ?
		     IKE_NON_ESP_MARKER_LEN : 0;

	return len > off + EXCH_OFF ? buf[off + EXCH_OFF] : 0;
}

/* Delivers what each side sent to the other until nothing moves or the
 * initiator sends an exchange of type STOP (not delivered). */
static bool
pump(uint8_t stop)
{
	for (int round = 0; round < PUMP_MAX; round++) {
		bool moved = false;

		for (int i = 0; i < 2; i++) {
			struct side *s = &sides[i];
			int n = s->n_out;

			s->n_out = 0;
			for (int k = 0; k < n; k++) {
				if (i == 1 && stop != 0 && exch_of(s->out[k].buf, s->out[k].len) == stop)
					return true;
				ike_input(sides[1 - i].ctx, &s->out[k].dst, &s->out[k].src,
					  s->out[k].buf, s->out[k].len);
				moved = true;
			}
		}
		if (!moved)
			return stop == 0;
	}
	return false;
}

static int
first_sa(const struct ike_sa_state *sa, void *arg)
{
	*(const struct ike_sa_state **)arg = sa;
	return 1;
}

/* From the initiator's IKE SA: FIRST (inner payload type) and SIZE octets
 * of DATA inside SK, sent as EXCH with message ID MSGID to the responder. */
static void
send_sealed(const struct ike_sa_state *sa, uint8_t exch, uint32_t msgid, uint8_t first,
	    const uint8_t *data, size_t size)
{
	struct ike_sk_dir d;
	struct ike_sk_msg m = { .buf = dgram + IKE_NON_ESP_MARKER_LEN, .cap = DGRAM_MAX,
				.sk_off = IKE_HDR_LEN, .sk_hdr_len = IKE_SK_HDR_LEN };
	uint64_t iv = AEAD_IV_START;
	size_t len = 0, plain;
	bool natt = sa->remote.port != PORT_IKE;

	if (ike_sk_dir_init(&d, &sa->suite, &sa->sk_ei, &sa->sk_ai) != 0)
		abort();
	plain = ike_sk_plain_off(&d, IKE_HDR_LEN, IKE_SK_HDR_LEN);
	if (plain + size + IKE_SK_OVERHEAD_MAX > DGRAM_MAX)
		size = DGRAM_MAX - plain - IKE_SK_OVERHEAD_MAX;
	memset(m.buf, 0, plain);
	for (int i = 0; i < IKE_SPI_LEN; i++) {
		m.buf[i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		m.buf[IKE_SPI_LEN + i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	m.buf[NEXT_OFF] = IKE_PL_SK;
	m.buf[VERSION_OFF] = IKE_VERSION;
	m.buf[EXCH_OFF] = exch;
	m.buf[FLAGS_OFF] = IKE_FLAG_INITIATOR;
	for (int i = 0; i < MSGID_LEN; i++)
		m.buf[MSGID_OFF + i] = (uint8_t)(msgid >> (24 - 8 * i));
	m.buf[IKE_HDR_LEN] = first;
	memcpy(m.buf + plain, data, size);
	m.plain_len = size;
	if (ike_sk_encrypt(&d, &m, &iv, &len) != 0)
		abort();
	memset(dgram, 0, IKE_NON_ESP_MARKER_LEN);
	deliver(natt, false, natt ? dgram : m.buf, natt ? len + IKE_NON_ESP_MARKER_LEN : len);
}

static void
run_initiator(bool established, bool cbc, const uint8_t *data, size_t size)
{
	const struct ike_sa_state *sa = NULL;

	side_start(&sides[1], &cfg_init[cbc], 1);
	if (ike_initiate(sides[1].ctx, "gw", "net") != 0)
		abort();
	if (!pump(established ? 0 : IKE_EXCH_AUTH))
		abort();                /* the handshake itself must work */
	(void)ike_sa_foreach(sides[1].ctx, first_sa, &sa);
	if (sa == NULL || sa->suite.encr == 0)
		abort();
	if (!established && size >= 1)
		send_sealed(sa, IKE_EXCH_AUTH, 1, data[0], data + 1, size - 1);
	else if (established && size >= 2)
		send_sealed(sa, data[1], sa->msgid_send, data[0], data + 2, size - 2);
	ike_ctx_free(sides[1].ctx);
	sides[1].ctx = NULL;
}

static int
count_sa(const struct ike_sa_state *sa, void *arg)
{
	(void)sa;
	++*(unsigned int *)arg;
	return 0;
}

/* The responder for this input: fresh, or (reuse) the previous one unless
 * it holds more than REUSE_SA_MAX IKE SAs. */
static void
responder_get(bool reuse)
{
	unsigned int n = 0;

	if (sides[0].ctx != NULL && reuse) {
		(void)ike_sa_foreach(sides[0].ctx, count_sa, &n);
		if (n <= REUSE_SA_MAX)
			return;
	}
	if (sides[0].ctx != NULL)
		ike_ctx_free(sides[0].ctx);
	now_ms = MS_PER_S;
	side_start(&sides[0], &cfg_resp, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int reuse = -1;
	uint8_t mode;

	if (size < 1 || size > DGRAM_MAX)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (!cfg_resp.enabled) {
		ike_cfg(&cfg_resp, false, false);
		ike_cfg(&cfg_init[0], true, false);
		ike_cfg(&cfg_init[1], true, true);
		reuse = getenv("FUZZ_IKE_INPUT_FRESH") == NULL;
	}
	responder_get(reuse && (mode & MODE_MASK) <= MODE_SESSION);
	sides[0].n_out = 0;
	sides[0].last_len = 0;
	if ((mode & MODE_MASK) == MODE_PLAIN)
		deliver(mode & MODE_NATT, mode & MODE_IPV6, data, size);
	else if ((mode & MODE_MASK) == MODE_SESSION)
		run_session(mode & MODE_IPV6, data, size);
	else
		run_initiator((mode & MODE_MASK) == MODE_ESTAB, mode & MODE_CBC, data, size);
	tick(sides[0].ctx, TICK_STEP_MS);
	tick(sides[0].ctx, 6 * TICK_STEP_MS);
	tick(sides[0].ctx, 60 * TICK_STEP_MS);
	if (!reuse) {
		ike_ctx_free(sides[0].ctx);
		sides[0].ctx = NULL;
	}
	return 0;
}
