/*
 * ike_load: an IKEv2 load generator (RFC 7296 initiator) built on hagw's own
 * IKE library (ike/ike_ctx.h) hosted on UDP sockets. It opens N IKE SAs
 * with one CHILD SA each against one responder, as fast as the responder
 * answers, keeping at most W establishments in flight, and spreads them
 * over K source addresses (one library instance and one pair of UDP
 * sockets, IKE and NAT-T port, per source address) so that a responder's
 * per-source limits do not throttle it. The connection (proposals, PSK,
 * identities, CHILD SA selectors) comes from a hagw configuration file
 * (only its ike section); ike.listen[0] is the first source address, the
 * others follow it. bench/ike_bench.py drives it (bench/README.md).
 *
 * usage: ike_load --config FILE --conn NAME [--child NAME] --count N
 *                 [--sources K] [--window W] [--vip] [--timeout S]
 *
 * stdout: "progress up=U failed=F inflight=I t=S" about once a second, then
 *   "result n=N up=U failed=F seconds=S rate=R" (R: CHILD SAs up per second).
 * Exit status 0 when all N came up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "ike/ike_ctx.h"
#include "ike/ike_ctx_priv.h"
#include "ike/ike_host.h"

enum load_limits {
	LD_MAX_SOURCES = 4096,
	LD_DGRAM_MAX = 65535,
	LD_EVENTS = 64,
	LD_TICK_MS = 50,		/* library timers: run this often, not per datagram */
	LD_PROGRESS_MS = 1000,
	LD_MAX_ERR_LOGS = 20,
	LD_MS_PER_S = 1000,
	LD_NS_PER_MS = 1000000,
	LD_DEFAULT_SOURCES = 64,
	LD_DEFAULT_WINDOW = 256,
	LD_DEFAULT_TIMEOUT_S = 600,
	LD_SOCKS_PER_SOURCE = 2,	/* IKE port, NAT-T port */
};

struct ld_gen;

/* One source address: a library instance and its two sockets. */
struct ld_src {
	struct ld_gen *gen;
	struct ike_ctx *ctx;
	struct ike_addr addr;		/* port 0 */
	int fd[LD_SOCKS_PER_SOURCE];
	uint16_t port[LD_SOCKS_PER_SOURCE];
};

struct ld_gen {
	struct ld_src *src;
	unsigned int n_src;
	unsigned int next_src;
	const char *conn;
	const char *child;
	unsigned long count;
	unsigned long window;
	unsigned long started;
	unsigned long up;
	unsigned long failed;
	unsigned int err_logs;
	int epfd;
};

static uint64_t
ld_now_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LD_MS_PER_S + (uint64_t)ts.tv_nsec / LD_NS_PER_MS;
}

static uint64_t
ld_wall_s(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

static void
ld_sockaddr(const struct ike_addr *a, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(a->port);
	memcpy(&sin->sin_addr, a->ip, sizeof(sin->sin_addr));
}

static int
ld_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
	const uint8_t *data, size_t len)
{
	struct ld_src *s = arg;
	struct sockaddr_in sin;
	unsigned int i;

	if (remote->family != AF_INET)
		return -EAFNOSUPPORT;
	for (i = 0; i < LD_SOCKS_PER_SOURCE; i++)
		if (s->port[i] == local->port)
			break;
	if (i == LD_SOCKS_PER_SOURCE)
		return -EADDRNOTAVAIL;
	ld_sockaddr(remote, &sin);
	if (sendto(s->fd[i], data, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -errno;
	return 0;
}

static int
ld_child_ok(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *c)
{
	(void)arg;
	(void)ike;
	(void)c;
	return 0;
}

static void
ld_child_remove(void *arg, const struct ike_child_state *c)
{
	(void)arg;
	(void)c;
}

static void
ld_state_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
	       const struct ike_child_state *child)
{
	struct ld_src *s = arg;

	(void)ike;
	if (ev == IKE_EV_CHILD_UP && child != NULL)
		s->gen->up++;
}

/* No SA is deleted during a run unless its establishment failed. */
static void
ld_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	struct ld_src *s = arg;
	struct ld_gen *g = s->gen;

	if (strstr(fmt, " deleted: ") != NULL)
		g->failed++;
	if (level > IKE_LOG_WARNING || g->err_logs >= LD_MAX_ERR_LOGS)
		return;
	g->err_logs++;
	fprintf(stderr, "ike_load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

static int
ld_bind(struct ld_src *s, unsigned int i, uint16_t port, uint32_t index)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ike_addr a = s->addr;
	struct sockaddr_in sin;
	int one = 1, fd;

	a.port = port;
	ld_sockaddr(&a, &sin);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	s->fd[i] = fd;
	s->port[i] = port;
	ev.data.u32 = index;
	if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    epoll_ctl(s->gen->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

/* ike.listen[0] + K as the K-th source address, in a private copy of the section. */
static int
ld_src_init(struct ld_gen *g, const struct cfg_ike *base, unsigned int k)
{
	static const struct ike_host_ops ops = {
		.send = ld_send, .now_ms = ld_now_ms, .wall_s = ld_wall_s,
		.child_install_inbound = ld_child_ok, .child_install_outbound = ld_child_ok,
		.child_remove = ld_child_remove, .child_update_path = ld_child_ok,
		.state_event = ld_state_event, .log = ld_log,
	};
	struct ike_host_ops o = ops;
	struct ld_src *s = &g->src[k];
	struct cfg_ike *ik;
	char err[512];
	uint32_t ip;
	int rc;
	uint8_t c;

	ik = malloc(sizeof(*ik));
	if (ik == NULL)
		return -ENOMEM;
	*ik = *base;
	memcpy(&ip, base->listen[0].addr.bytes, sizeof(ip));
	ip = htonl(ntohl(ip) + k);
	memcpy(ik->listen[0].addr.bytes, &ip, sizeof(ip));
	ik->n_listen = 1;
	for (c = 0; c < ik->n_connections; c++) {
		ik->connections[c].n_local_addrs = 1;
		ik->connections[c].local_addrs[0] = ik->listen[0];
	}
	s->gen = g;
	s->addr.family = AF_INET;
	memcpy(s->addr.ip, &ip, sizeof(ip));
	o.arg = s;
	s->ctx = ike_ctx_new(ik, &o, (uint16_t)(k + 1), err, sizeof(err));
	explicit_bzero(ik, sizeof(*ik));
	free(ik);
	if (s->ctx == NULL) {
		fprintf(stderr, "ike_load: %s\n", err);
		return -EINVAL;
	}
	rc = ld_bind(s, 0, base->port, k * LD_SOCKS_PER_SOURCE);
	if (rc == 0)
		rc = ld_bind(s, 1, base->natt_port, k * LD_SOCKS_PER_SOURCE + 1);
	if (rc < 0)
		fprintf(stderr, "ike_load: source %u: bind: %s\n", k, strerror(-rc));
	return rc;
}

static void
ld_receive(struct ld_gen *g, uint32_t index, uint8_t *buf)
{
	struct ld_src *s = &g->src[index / LD_SOCKS_PER_SOURCE];
	unsigned int i = index % LD_SOCKS_PER_SOURCE;
	struct sockaddr_in sin;
	struct ike_addr local = s->addr, remote;
	socklen_t sl;
	ssize_t n;

	local.port = s->port[i];
	for (;;) {
		sl = sizeof(sin);
		n = recvfrom(s->fd[i], buf, LD_DGRAM_MAX, 0, (struct sockaddr *)&sin, &sl);
		if (n < 0)
			return;
		memset(&remote, 0, sizeof(remote));
		remote.family = AF_INET;
		memcpy(remote.ip, &sin.sin_addr, sizeof(sin.sin_addr));
		remote.port = ntohs(sin.sin_port);
		ike_input(s->ctx, &local, &remote, buf, (size_t)n);
	}
}

/* Starts establishments until W are in flight or N were started. */
static void
ld_fill(struct ld_gen *g)
{
	while (g->started < g->count && g->started - g->up - g->failed < g->window) {
		struct ld_src *s = &g->src[g->next_src];
		int rc;

		g->next_src = (g->next_src + 1) % g->n_src;
		rc = ike_initiate(s->ctx, g->conn, g->child);
		g->started++;
		if (rc < 0) {
			g->failed++;
			if (g->err_logs++ < LD_MAX_ERR_LOGS)
				fprintf(stderr, "ike_load: initiate: %s\n", strerror(-rc));
		}
	}
}

static void
ld_tick_all(struct ld_gen *g)
{
	unsigned int k;

	for (k = 0; k < g->n_src; k++)
		ike_tick(g->src[k].ctx);
}

static int
ld_run(struct ld_gen *g, unsigned int timeout_s)
{
	struct epoll_event ev[LD_EVENTS];
	uint64_t t0 = ld_now_ms(NULL), last_tick = t0, last_prog = t0, now = t0;
	uint8_t *buf = malloc(LD_DGRAM_MAX);
	int n, i;

	if (buf == NULL)
		return -ENOMEM;
	while (g->up + g->failed < g->count && now - t0 < (uint64_t)timeout_s * LD_MS_PER_S) {
		ld_fill(g);
		n = epoll_wait(g->epfd, ev, LD_EVENTS, LD_TICK_MS);
		for (i = 0; i < n; i++)
			ld_receive(g, ev[i].data.u32, buf);
		now = ld_now_ms(NULL);
		if (now - last_tick >= LD_TICK_MS) {
			ld_tick_all(g);
			last_tick = now;
		}
		if (now - last_prog >= LD_PROGRESS_MS) {
			printf("progress up=%lu failed=%lu inflight=%lu t=%.1f\n", g->up, g->failed,
			       g->started - g->up - g->failed, (double)(now - t0) / LD_MS_PER_S);
			fflush(stdout);
			last_prog = now;
		}
	}
	free(buf);
	printf("result n=%lu up=%lu failed=%lu seconds=%.3f rate=%.1f\n", g->count, g->up,
	       g->failed, (double)(now - t0) / LD_MS_PER_S,
	       now > t0 ? (double)g->up * LD_MS_PER_S / (double)(now - t0) : 0.0);
	fflush(stdout);
	return g->up == g->count ? 0 : -ETIMEDOUT;
}

struct ld_opts {
	const char *config;
	unsigned long sources;
	unsigned long timeout;
	bool vip;
};

static int
ld_parse(int argc, char **argv, struct ld_gen *g, struct ld_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conn", required_argument, NULL, 'n' },
		{ "child", required_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'N' },
		{ "sources", required_argument, NULL, 'k' },
		{ "window", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "vip", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'n': g->conn = optarg; break;
		case 'C': g->child = optarg; break;
		case 'N': g->count = strtoul(optarg, NULL, 10); break;
		case 'k': o->sources = strtoul(optarg, NULL, 10); break;
		case 'w': g->window = strtoul(optarg, NULL, 10); break;
		case 't': o->timeout = strtoul(optarg, NULL, 10); break;
		case 'v': o->vip = true; break;
		default: return -EINVAL;
		}
	}
	if (o->config == NULL || g->conn == NULL || g->count == 0 || g->window == 0 ||
	    o->sources == 0 || o->sources > LD_MAX_SOURCES || optind != argc)
		return -EINVAL;
	return 0;
}

/* --vip: connection CONN asks for any IPv4 virtual IP (as cfg vips =
 * [ "0.0.0.0" ] would). -ENOENT. */
static int
ld_ask_vip(struct cfg_ike *ike, const char *conn)
{
	for (unsigned int i = 0; i < ike->n_connections; i++) {
		struct cfg_ike_conn *c = &ike->connections[i];

		if (strcmp(c->name, conn) != 0)
			continue;
		memset(c->vips, 0, sizeof(c->vips));
		c->vips[0].family = AF_INET;
		c->vips[0].len = 32;
		c->n_vips = 1;
		return 0;
	}
	return -ENOENT;
}

static int
ld_setup(struct ld_gen *g, const struct ld_opts *o)
{
	struct cfg *cfg = calloc(1, sizeof(*cfg));
	char err[512];
	unsigned int k;
	int rc = 0;

	if (cfg == NULL)
		return -ENOMEM;
	if (cfg_load(o->config, cfg, err, sizeof(err)) < 0 || !cfg->ike.enabled ||
	    cfg->ike.listen[0].family != AF_INET) {
		fprintf(stderr, "ike_load: %s\n", cfg->ike.enabled ? err : "no IPv4 ike section");
		free(cfg);
		return -EINVAL;
	}
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	g->n_src = (unsigned int)o->sources;
	g->src = calloc(g->n_src, sizeof(*g->src));
	if (g->epfd < 0 || g->src == NULL)
		rc = -ENOMEM;
	if (rc == 0 && o->vip)
		rc = ld_ask_vip(&cfg->ike, g->conn);
	for (k = 0; rc == 0 && k < g->n_src; k++)
		rc = ld_src_init(g, &cfg->ike, k);
	cfg_wipe_keys(cfg);
	free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ld_opts o = { .sources = LD_DEFAULT_SOURCES, .timeout = LD_DEFAULT_TIMEOUT_S };
	struct ld_gen g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.window = LD_DEFAULT_WINDOW;
	g.epfd = -1;
	if (ld_parse(argc, argv, &g, &o) < 0) {
		fprintf(stderr, "usage: ike_load --config FILE --conn NAME [--child NAME]"
			" --count N [--sources K] [--window W] [--vip] [--timeout S]\n");
		return 2;
	}
	rc = ld_setup(&g, &o);
	if (rc == 0)
		rc = ld_run(&g, (unsigned int)o.timeout);
	/* the SAs stay on the responder: ike_ctx_free sends no DELETE */
	_exit(rc == 0 ? 0 : 1);
}
