/* In-memory pair of IKE daemons for the exchange tests (ike_pair.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/ike/ike_pair.h"

enum { PAIR_STEPS_MAX = 1000, PAIR_PATHS = 8, PAIR_PATH_LEN = 512 };

void
ike_pair_addr(struct ike_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, a->ip) == 1) {
		a->family = AF_INET;
	} else {
		inet_pton(AF_INET6, ip, a->ip);
		a->family = AF_INET6;
	}
	a->port = port;
}

static void
set_prefix(struct cfg_prefix *p, const char *ip, uint8_t len)
{
	struct ike_addr a;

	ike_pair_addr(&a, ip, 0);
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	p->len = len;
	memcpy(p->addr.bytes, a.ip, sizeof(p->addr.bytes));
}

static void
set_ts_dynamic(struct cfg_ike_ts *t)
{
	memset(t, 0, sizeof(*t));
	t->dynamic = true;
	t->ts.port_hi = UINT16_MAX;
}

static void
set_ts_net(struct cfg_ike_ts *t, const char *lo, const char *hi)
{
	struct ike_addr a, b;

	memset(t, 0, sizeof(*t));
	ike_pair_addr(&a, lo, 0);
	ike_pair_addr(&b, hi, 0);
	t->ts.family = a.family;
	t->ts.port_hi = UINT16_MAX;
	memcpy(t->ts.addr_lo, a.ip, sizeof(t->ts.addr_lo));
	memcpy(t->ts.addr_hi, b.ip, sizeof(t->ts.addr_hi));
}

static void
cfg_child(struct cfg_ike_child *ch, bool initiator)
{
	snprintf(ch->name, sizeof(ch->name), "net");
	ch->n_local_ts = 1;
	ch->n_remote_ts = 1;
	if (initiator)
		set_ts_dynamic(&ch->local_ts[0]);
	else
		set_ts_net(&ch->local_ts[0], "10.1.0.0", "10.1.255.255");
	if (initiator)
		set_ts_net(&ch->remote_ts[0], "10.1.0.0", "10.1.255.255");
	else
		set_ts_dynamic(&ch->remote_ts[0]);
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

static void
cfg_conn(struct cfg_ike_conn *c, bool initiator)
{
	snprintf(c->name, sizeof(c->name), "gw");
	c->version = 2;
	c->n_local_addrs = 1;
	set_prefix(&c->local_addrs[0], initiator ? "192.0.2.10" : "192.0.2.1", 32);
	c->remote_any = !initiator;
	if (initiator) {
		c->n_remote_addrs = 1;
		set_prefix(&c->remote_addrs[0], "192.0.2.1", 32);
	}
	c->local.id.type = initiator ? CFG_IKE_ID_RFC822 : CFG_IKE_ID_FQDN;
	snprintf(c->local.id.text, CFG_IKE_ID_LEN, initiator ? "carol@example.org" :
		 "moon.example.org");
	c->remote.id.type = CFG_IKE_ID_ANY;
	snprintf(c->remote.id.text, CFG_IKE_ID_LEN, "%%any");
	c->local.auth = CFG_IKE_AUTH_PSK;
	c->remote.auth = CFG_IKE_AUTH_PSK;
	c->n_proposals = 2;
	snprintf(c->proposals[0], CFG_IKE_PROPOSAL_LEN, "aes256gcm16-prfsha384-ecp384");
	snprintf(c->proposals[1], CFG_IKE_PROPOSAL_LEN, "aes128-sha256-x25519");
	c->rekey_time = 14400;
	c->over_time = 1440;
	c->dpd_delay = 30;
	c->dpd_timeout = 150;
	c->send_certreq = true;
	c->send_cert = CFG_IKE_SEND_CERT_IFASKED;
	c->fragmentation = true;
	c->keyingtries = 1;
	c->unique = CFG_IKE_UNIQUE_NO;
	c->n_children = 1;
	cfg_child(&c->children[0], initiator);
}

struct cfg_ike *
ike_pair_cfg(bool initiator)
{
	static const char psk[] = "this is a test secret";
	struct cfg_ike *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	c->enabled = true;
	c->n_listen = 1;
	set_prefix(&c->listen[0], initiator ? "192.0.2.10" : "192.0.2.1", 32);
	c->port = 500;
	c->natt_port = 4500;
	c->half_open_max = 10000;
	c->half_open_per_source = 20;
	c->cookie_threshold = 1000;
	c->retransmit_timeout_ms = 2000;
	c->retransmit_tries = 5;
	c->retransmit_base = 1.8;
	c->fragment_size = 1280;
	c->window_size = 1;
	c->n_secrets = 1;
	c->secrets[0].n_ids = 2;
	c->secrets[0].ids[0].type = CFG_IKE_ID_RFC822;
	snprintf(c->secrets[0].ids[0].text, CFG_IKE_ID_LEN, "carol@example.org");
	c->secrets[0].ids[1].type = CFG_IKE_ID_FQDN;
	snprintf(c->secrets[0].ids[1].text, CFG_IKE_ID_LEN, "moon.example.org");
	c->secrets[0].psk_len = sizeof(psk) - 1;
	memcpy(c->secrets[0].psk, psk, sizeof(psk) - 1);
	c->n_connections = 1;
	cfg_conn(&c->connections[0], initiator);
	return c;
}

static struct ike_pair_side *
side_of(void *arg)
{
	return arg;
}

static void
dgram_copy(struct ike_pair_dgram *d, int to, const struct ike_addr *src,
	   const struct ike_addr *dst, const uint8_t *data, size_t len)
{
	d->to = to;
	d->src = *src;
	d->dst = *dst;
	d->len = len;
	d->data = malloc(len);
	if (d->data == NULL)
		abort();
	memcpy(d->data, data, len);
}

static int
h_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
       const uint8_t *data, size_t len)
{
	struct ike_pair_side *s = side_of(arg);
	struct ike_pair *p = s->pair;
	int n = ++p->n_sent, copies = 1, i;

	s->n_sent++;
	if (p->n_log < PAIR_QUEUE_MAX)
		dgram_copy(&p->log[p->n_log++], 1 - s->idx, local, remote, data, len);
	if (n == p->drop_nth)
		return 0;
	if (n == p->dup_nth)
		copies = 2;
	for (i = 0; i < copies && p->qn < PAIR_QUEUE_MAX; i++)
		dgram_copy(&p->q[p->qn++], 1 - s->idx, local, remote, data, len);
	return 0;
}

static uint64_t
h_now_ms(void *arg)
{
	return side_of(arg)->pair->now_ms;
}

static uint64_t
h_wall_s(void *arg)
{
	return 1700000000 + side_of(arg)->pair->now_ms / 1000;
}

static void
op_add(struct ike_pair_side *s, char op, uint32_t spi)
{
	if (s->n_ops >= PAIR_OPS_MAX)
		return;
	s->op[s->n_ops] = op;
	s->op_spi[s->n_ops++] = spi;
}

static int
h_in(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *child)
{
	struct ike_pair_side *s = side_of(arg);

	(void)ike;
	if (s->fail_inbound != 0)
		return s->fail_inbound;
	if (s->n_in < PAIR_REC_MAX)
		s->in[s->n_in++] = *child;
	op_add(s, 'I', child->spi_in);
	return 0;
}

static int
h_out(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *child)
{
	struct ike_pair_side *s = side_of(arg);

	(void)ike;
	if (s->fail_outbound != 0)
		return s->fail_outbound;
	if (s->n_out < PAIR_REC_MAX)
		s->out[s->n_out++] = *child;
	op_add(s, 'O', child->spi_in);
	return 0;
}

static void
h_remove(void *arg, const struct ike_child_state *child)
{
	struct ike_pair_side *s = side_of(arg);

	if (s->n_removed < PAIR_REC_MAX)
		s->removed_spi_in[s->n_removed++] = child->spi_in;
	op_add(s, 'R', child->spi_in);
}

static void
h_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
	const struct ike_child_state *child)
{
	(void)ike;
	(void)child;
	if ((int)ev < PAIR_EV_COUNT)
		side_of(arg)->n_ev[ev]++;
}

static void
h_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	struct ike_pair_side *s = side_of(arg);
	va_list cp;
	int n;

	if (s->logbuf != NULL && s->log_len + 2 < PAIR_LOG_BUF) {
		va_copy(cp, ap);
		n = vsnprintf(s->logbuf + s->log_len, PAIR_LOG_BUF - s->log_len - 1, fmt, cp);
		va_end(cp);
		if (n > 0 && s->log_len + (size_t)n + 2 < PAIR_LOG_BUF) {
			s->log_len += (size_t)n;
			s->logbuf[s->log_len++] = '\n';
			s->logbuf[s->log_len] = '\0';
		}
	}
	if (!s->pair->verbose && level > IKE_LOG_WARNING)
		return;
	fprintf(stderr, "[%d] ", s->idx);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int
side_start(struct ike_pair_side *s)
{
	struct ike_host_ops ops = {
		.send = h_send,
		.now_ms = h_now_ms,
		.wall_s = h_wall_s,
		.child_install_inbound = h_in,
		.child_install_outbound = h_out,
		.child_remove = h_remove,
		.state_event = h_event,
		.log = h_log,
		.arg = s,
	};
	char err[256] = "";

	s->ctx = ike_ctx_new(s->cfg, &ops, (uint16_t)s->idx, err, sizeof(err));
	if (s->ctx == NULL) {
		fprintf(stderr, "ike_ctx_new: %s\n", err);
		return -1;
	}
	return 0;
}

int
ike_pair_init(struct ike_pair *p, struct cfg_ike *c0, struct cfg_ike *c1)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->now_ms = 1000;
	p->verbose = getenv("IKE_PAIR_VERBOSE") != NULL;
	p->side[0].cfg = c0;
	p->side[1].cfg = c1;
	ike_pair_addr(&p->side[0].addr, "192.0.2.10", 500);
	ike_pair_addr(&p->side[1].addr, "192.0.2.1", 500);
	for (i = 0; i < 2; i++) {
		p->side[i].pair = p;
		p->side[i].idx = i;
		p->side[i].logbuf = calloc(1, PAIR_LOG_BUF);
		if (p->side[i].logbuf == NULL)
			return -1;
		if (side_start(&p->side[i]) != 0)
			return -1;
	}
	return 0;
}

int
ike_pair_restart(struct ike_pair *p, int idx)
{
	ike_ctx_free(p->side[idx].ctx);
	p->side[idx].ctx = NULL;
	return side_start(&p->side[idx]);
}

bool
ike_pair_logged(const struct ike_pair *p, int idx, const char *text)
{
	const char *b = p->side[idx].logbuf;

	return b != NULL && strstr(b, text) != NULL;
}

int
ike_pair_op_at(const struct ike_pair *p, int idx, char op, uint32_t spi)
{
	const struct ike_pair_side *s = &p->side[idx];
	int i;

	for (i = 0; i < s->n_ops; i++)
		if (s->op[i] == op && s->op_spi[i] == spi)
			return i;
	return -1;
}

void
ike_pair_flush(struct ike_pair *p)
{
	int i;

	for (i = 0; i < p->qn; i++)
		free(p->q[i].data);
	p->qn = 0;
}

void
ike_pair_free(struct ike_pair *p)
{
	int i;

	ike_pair_flush(p);
	for (i = 0; i < 2; i++) {
		ike_ctx_free(p->side[i].ctx);
		free(p->side[i].cfg);
		free(p->side[i].logbuf);
	}
	for (i = 0; i < p->n_log; i++)
		free(p->log[i].data);
	memset(p, 0, sizeof(*p));
}

int
ike_pair_step(struct ike_pair *p)
{
	struct ike_pair_dgram d;

	if (p->qn == 0)
		return 0;
	d = p->q[0];
	memmove(&p->q[0], &p->q[1], sizeof(p->q[0]) * (size_t)(p->qn - 1));
	p->qn--;
	if (p->side[d.to].ctx != NULL && !p->mute[d.to])
		ike_input(p->side[d.to].ctx, &d.dst, &d.src, d.data, d.len);
	free(d.data);
	return 1;
}

int
ike_pair_run(struct ike_pair *p)
{
	int n = 0;

	while (n < PAIR_STEPS_MAX && ike_pair_step(p) == 1)
		n++;
	return n;
}

void
ike_pair_advance(struct ike_pair *p, uint64_t ms)
{
	int i;

	p->now_ms += ms;
	for (i = 0; i < 2; i++)
		if (p->side[i].ctx != NULL)
			ike_tick(p->side[i].ctx);
	ike_pair_run(p);
}

static int
first_sa(const struct ike_sa_state *sa, void *arg)
{
	*(const struct ike_sa_state **)arg = sa;
	return 1;
}

const struct ike_sa_state *
ike_pair_sa(const struct ike_pair *p, int idx)
{
	const struct ike_sa_state *sa = NULL;

	ike_sa_foreach(p->side[idx].ctx, first_sa, &sa);
	return sa;
}

static int
count_cb(const struct ike_sa_state *sa, void *arg)
{
	(void)sa;
	(*(int *)arg)++;
	return 0;
}

int
ike_pair_sa_count(const struct ike_pair *p, int idx)
{
	int n = 0;

	ike_sa_foreach(p->side[idx].ctx, count_cb, &n);
	return n;
}

static int
child_count_sa(const struct ike_sa_state *sa, void *arg)
{
	(*(int *)arg) += sa->n_children;
	return 0;
}

int
ike_pair_child_count(const struct ike_pair *p, int idx)
{
	int n = 0;

	ike_sa_foreach(p->side[idx].ctx, child_count_sa, &n);
	return n;
}

static char pki_tmpdir[PAIR_PATH_LEN];
static char pki_paths[PAIR_PATHS][PAIR_PATH_LEN];

/* The copies are removed when the test program ends. */
static void
pki_cleanup(void)
{
	char path[PAIR_PATH_LEN];
	struct dirent *e;
	DIR *d = opendir(pki_tmpdir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.200s/%.200s", pki_tmpdir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(pki_tmpdir);
}

const char *
ike_pair_pki(const char *dir, const char *name)
{
	static int slot;
	char *tmpdir = pki_tmpdir;
	char src[PAIR_PATH_LEN], buf[4096];
	char *out = pki_paths[slot++ % PAIR_PATHS];
	FILE *in, *o;
	size_t n;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(pki_tmpdir), "/tmp/ike_pair.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			abort();
		atexit(pki_cleanup);
	}
	snprintf(src, sizeof(src), "%.300s/%.200s", dir, name);
	if ((size_t)snprintf(out, PAIR_PATH_LEN, "%.200s/%.200s", tmpdir, name) >= PAIR_PATH_LEN)
		abort();
	in = fopen(src, "rb");
	o = fopen(out, "wb");
	if (in == NULL || o == NULL)
		abort();
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, o);
	fclose(in);
	fclose(o);
	chmod(out, 0600);
	return out;
}
