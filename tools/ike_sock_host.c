/*
 * ike_sock_host: the IKEv2 library (ike/ike_ctx.h) hosted on plain UDP
 * sockets, for interop tests against real peers (strongSwan,
 * tests/integration/test_ike_interop.sh). Loads a hagw configuration (only
 * its ike section matters; the ports it describes are never opened), binds
 * the IKE and NAT-T ports of every ike.listen address (RFC 7296 §2, §2.23;
 * the RFC 3948 §2.2 non-ESP marker is the library's business), runs the
 * library's timers and prints what a data path would install, never keys.
 *
 * usage: ike_sock_host --config FILE [--initiate CONN[/CHILD]]
 *                      [--log-level err|warning|notice|info|debug] [--keys-out FILE]
 *
 * stdout, one event a line of key=value fields (the tests parse them):
 *   ready listen=ADDR[PORT],...      initiate conn=C child=C|- rc=ERRNO
 *   ike-up id= name= phase= spi-i=16HEX spi-r=16HEX local=ADDR[PORT] remote=ADDR[PORT]
 *          remote-id= initiator=yes|no suite=ALGS vip4=ADDR|- vip6=ADDR|-
 *   ike-down id= name=               child-in|child-out id= ike= name= spi-in= spi-out=
 *   child-up id= ike= name= spi-in=8HEX spi-out=8HEX mode= encap=yes|no suite=
 *          local-ts=TS,... remote-ts=TS,...
 *   child-down id= spi-in= spi-out=  log LEVEL: TEXT
 *   SIGUSR1: sa-count N, "sa ..." and "child ..." lines, stats ..., dump-end
 *   SIGTERM/SIGINT: ike_ctx_free, "exit", status 0.
 * --keys-out FILE (created mode 600), a line per ESP SA: spi=8HEX dir=in|out src= dst=
 * suite= encr-key=HEX (salt included) integ-key=HEX|-
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config/cfg.h"
#include "ike/ike_ctx.h"
#include "ike/ike_host.h"
#include "ike/ike_id.h"
#include "ike/ike_proposal.h"
#include "ike/ike_state.h"
#include "ike/ike_ts_narrow.h"

enum sock_host_limits {
	SH_MAX_SOCKS = CFG_IKE_MAX_LISTEN * 2,	/* IKE port and NAT-T port per address */
	SH_DGRAM_MAX = 65535,			/* largest UDP payload */
	SH_CMSG_LEN = 256,
	SH_ADDR_STR = INET6_ADDRSTRLEN + 8,	/* "addr[port]" */
	SH_TS_STR = 1024,
	SH_ID_STR = 300,
	SH_KEY_HEX = IKE_KEY_MAX * 2 + 1,
	SH_NODE_ID = 1,
	SH_MS_PER_S = 1000,
	SH_NS_PER_MS = 1000000,
};

struct sh_sock {
	int fd;
	struct ike_addr local;		/* bound address and port */
};

struct sh_host {
	struct cfg *cfg;
	struct ike_ctx *ctx;
	struct sh_sock socks[SH_MAX_SOCKS];
	unsigned int n_socks;
	enum cfg_log_level log_level;
	FILE *keys;			/* --keys-out, or NULL */
};

static volatile sig_atomic_t sh_stop;
static volatile sig_atomic_t sh_dump;

static void
sh_on_signal(int sig)
{
	if (sig == SIGUSR1)
		sh_dump = 1;
	else
		sh_stop = 1;
}

/* "192.0.2.1[500]"; port omitted when 0. */
static void
sh_addr_str(const struct ike_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	if (a->port != 0)
		snprintf(buf, len, "%s[%u]", ip, a->port);
	else
		snprintf(buf, len, "%s", ip);
}

/* The selectors of SET joined by "," (no blanks: one key=value token). */
static void
sh_ts_str(const struct ike_ts_set *set, char *buf, size_t len)
{
	char *r, *w;

	if (ike_ts_set_to_string(set, buf, len) < 0)
		snprintf(buf, len, "?");
	for (r = buf, w = buf; *r != '\0'; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
}

/* ---- host ops ---- */

static struct sh_sock *
sh_sock_for(struct sh_host *h, const struct ike_addr *local)
{
	size_t alen = local->family == AF_INET ? 4 : 16;
	unsigned int i;

	for (i = 0; i < h->n_socks; i++) {
		struct sh_sock *s = &h->socks[i];

		if (s->local.family == local->family && s->local.port == local->port &&
		    memcmp(s->local.ip, local->ip, alen) == 0)
			return s;
	}
	return NULL;
}

/* ADDR as a socket address; its length (0 for an unknown family). */
static socklen_t
sh_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->ip, 4);
		return sizeof(*sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->ip, 16);
		return sizeof(*sin6);
	}
	return 0;
}

static int
sh_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
	const uint8_t *data, size_t len)
{
	struct sh_host *h = arg;
	struct sh_sock *s = sh_sock_for(h, local);
	struct sockaddr_storage ss;
	socklen_t sl = sh_sockaddr(remote, &ss);
	ssize_t n;

	if (s == NULL)
		return -EADDRNOTAVAIL;
	if (sl == 0 || remote->family != local->family)
		return -EAFNOSUPPORT;
	n = sendto(s->fd, data, len, 0, (struct sockaddr *)&ss, sl);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static uint64_t
sh_now_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SH_MS_PER_S + (uint64_t)ts.tv_nsec / SH_NS_PER_MS;
}

static uint64_t
sh_wall_s(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

static void
sh_hex(const struct ike_key *k, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < k->len && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", k->bytes[i]);
}

/* One ESP SA's keys for tests: inbound keys are the peer's sending keys. */
static void
sh_write_keys(struct sh_host *h, const struct ike_sa_state *ike,
	      const struct ike_child_state *c, bool inbound)
{
	/* KEYMAT: initiator-to-responder keys first (RFC 7296 §2.17); the peer
	 * sends with the "i" keys when it initiated this CHILD SA. */
	bool use_i = inbound ? !c->initiator : c->initiator;
	const struct ike_key *ek = use_i ? &c->encr_i : &c->encr_r;
	const struct ike_key *ak = use_i ? &c->integ_i : &c->integ_r;
	char src[SH_ADDR_STR], dst[SH_ADDR_STR], suite[IKE_SUITE_STR_LEN];
	char ehex[SH_KEY_HEX], ahex[SH_KEY_HEX];
	struct ike_addr a = inbound ? ike->remote : ike->local;
	struct ike_addr b = inbound ? ike->local : ike->remote;

	if (h->keys == NULL)
		return;
	a.port = 0;
	b.port = 0;
	sh_addr_str(&a, src, sizeof(src));
	sh_addr_str(&b, dst, sizeof(dst));
	ike_suite_describe(&c->suite, suite, sizeof(suite));
	sh_hex(ek, ehex, sizeof(ehex));
	sh_hex(ak, ahex, sizeof(ahex));
	fprintf(h->keys, "spi=%08x dir=%s src=%s dst=%s suite=%s encr-key=%s integ-key=%s\n",
		inbound ? c->spi_in : c->spi_out, inbound ? "in" : "out", src, dst, suite,
		ehex, ahex[0] != '\0' ? ahex : "-");
	fflush(h->keys);
	OPENSSL_cleanse(ehex, sizeof(ehex));
	OPENSSL_cleanse(ahex, sizeof(ahex));
}

static int
sh_install(struct sh_host *h, const struct ike_sa_state *ike, const struct ike_child_state *c,
	   bool inbound)
{
	printf("child-%s id=%" PRIu64 " ike=%" PRIu64 " name=%s spi-in=%08x spi-out=%08x\n",
	       inbound ? "in" : "out", c->id, ike->id, c->name, c->spi_in, c->spi_out);
	sh_write_keys(h, ike, c, inbound);
	return 0;
}

static int
sh_child_in(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *c)
{
	return sh_install(arg, ike, c, true);
}

static int
sh_child_out(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *c)
{
	return sh_install(arg, ike, c, false);
}

static void
sh_child_remove(void *arg, const struct ike_child_state *c)
{
	(void)arg;
	printf("child-down id=%" PRIu64 " spi-in=%08x spi-out=%08x\n", c->id, c->spi_in,
	       c->spi_out);
}

static int
sh_child_update(void *arg, const struct ike_sa_state *ike, const struct ike_child_state *c)
{
	char remote[SH_ADDR_STR];

	(void)arg;
	sh_addr_str(&ike->remote, remote, sizeof(remote));
	printf("child-path id=%" PRIu64 " spi-in=%08x remote=%s\n", c->id, c->spi_in, remote);
	return 0;
}

static void
sh_print_vip(const char *key, const struct ike_state_vip *v)
{
	char buf[SH_ADDR_STR];

	if (v->addr.family == 0) {
		printf(" %s=-", key);
		return;
	}
	sh_addr_str(&v->addr, buf, sizeof(buf));
	printf(" %s=%s", key, buf);
}

static void
sh_print_ike(const char *what, const struct ike_sa_state *s)
{
	char local[SH_ADDR_STR], remote[SH_ADDR_STR], id[SH_ID_STR], suite[IKE_SUITE_STR_LEN];

	sh_addr_str(&s->local, local, sizeof(local));
	sh_addr_str(&s->remote, remote, sizeof(remote));
	if (s->id_remote.type == 0 || ike_id_to_string(&s->id_remote, id, sizeof(id)) < 0)
		snprintf(id, sizeof(id), "-");
	ike_suite_describe(&s->suite, suite, sizeof(suite));
	printf("%s id=%" PRIu64 " name=%s phase=%u spi-i=%016" PRIx64 " spi-r=%016" PRIx64
	       " local=%s remote=%s remote-id=%s initiator=%s suite=%s", what, s->id, s->name,
	       s->phase, s->spi_i, s->spi_r, local, remote, id, s->initiator ? "yes" : "no",
	       suite[0] != '\0' ? suite : "-");
	sh_print_vip("vip4", &s->vip4);
	sh_print_vip("vip6", &s->vip6);
	printf("\n");
}

static void
sh_print_child(const char *what, const struct ike_child_state *c)
{
	char suite[IKE_SUITE_STR_LEN], lts[SH_TS_STR], rts[SH_TS_STR];

	ike_suite_describe(&c->suite, suite, sizeof(suite));
	sh_ts_str(&c->ts_local, lts, sizeof(lts));
	sh_ts_str(&c->ts_remote, rts, sizeof(rts));
	printf("%s id=%" PRIu64 " ike=%" PRIu64 " name=%s spi-in=%08x spi-out=%08x mode=%s"
	       " encap=%s suite=%s local-ts=%s remote-ts=%s\n", what, c->id, c->ike_sa_id,
	       c->name, c->spi_in, c->spi_out,
	       c->mode == IKE_CHILD_MODE_TRANSPORT ? "transport" : "tunnel",
	       c->udp_encap ? "yes" : "no", suite, lts, rts);
}

static void
sh_state_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *ike,
	       const struct ike_child_state *child)
{
	(void)arg;
	switch (ev) {
	case IKE_EV_SA_UP:
		sh_print_ike("ike-up", ike);
		break;
	case IKE_EV_SA_DOWN:
		printf("ike-down id=%" PRIu64 " name=%s\n", ike->id, ike->name);
		break;
	case IKE_EV_CHILD_UP:
		if (child != NULL)
			sh_print_child("child-up", child);
		break;
	case IKE_EV_CHILD_DOWN:
	case IKE_EV_SA_UPDATE:
		break;
	}
	fflush(stdout);
}

static void
sh_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "err", "warning", "notice", "info", "debug" };
	struct sh_host *h = arg;

	if ((int)level > (int)h->log_level)
		return;
	printf("log %s: ", (unsigned int)level < 5 ? names[level] : "?");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

/* ---- SIGUSR1: what the daemon holds ---- */

static int
sh_dump_child(const struct ike_child_state *c, void *arg)
{
	(void)arg;
	sh_print_child("child", c);
	return 0;
}

static int
sh_count_sa(const struct ike_sa_state *s, void *arg)
{
	(void)s;
	(*(unsigned int *)arg)++;
	return 0;
}

static int
sh_dump_sa(const struct ike_sa_state *s, void *arg)
{
	sh_print_ike("sa", s);
	return ike_child_foreach(arg, s->id, sh_dump_child, NULL);
}

static void
sh_dump_state(struct sh_host *h)
{
	const struct ike_stats *st = ike_get_stats(h->ctx);
	unsigned int n = 0;

	ike_sa_foreach(h->ctx, sh_count_sa, &n);
	printf("sa-count %u\n", n);
	ike_sa_foreach(h->ctx, sh_dump_sa, h->ctx);
	printf("stats rx=%" PRIu64 " tx=%" PRIu64 " invalid=%" PRIu64 " bad-icv=%" PRIu64
	       " auth-failed=%" PRIu64 " no-proposal=%" PRIu64 " established=%" PRIu64
	       " children=%" PRIu64 " half-open=%u\n", st->rx_msgs, st->tx_msgs, st->rx_invalid,
	       st->rx_bad_icv, st->auth_failed, st->no_proposal, st->ike_sas_established,
	       st->child_sas_installed, ike_half_open_count(h->ctx));
	printf("dump-end\n");
	fflush(stdout);
}

/* ---- sockets ---- */

static int
sh_bind(struct sh_host *h, const struct cfg_prefix *p, uint16_t port)
{
	struct sh_sock *s = &h->socks[h->n_socks];
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd;

	memset(s, 0, sizeof(*s));
	s->local.family = p->family;
	memcpy(s->local.ip, p->addr.bytes, p->family == AF_INET ? 4 : 16);
	s->local.port = port;
	sl = sh_sockaddr(&s->local, &ss);
	fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if ((p->family == AF_INET &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) ||
	    (p->family == AF_INET6 &&
	     (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->fd = fd;
	h->n_socks++;
	return 0;
}

static int
sh_open_sockets(struct sh_host *h)
{
	const struct cfg_ike *ike = &h->cfg->ike;
	char buf[SH_ADDR_STR];
	unsigned int i;
	int rc;

	for (i = 0; i < ike->n_listen && h->n_socks + 2 <= SH_MAX_SOCKS; i++) {
		rc = sh_bind(h, &ike->listen[i], ike->port);
		if (rc == 0)
			rc = sh_bind(h, &ike->listen[i], ike->natt_port);
		if (rc < 0) {
			fprintf(stderr, "ike_sock_host: bind listen address %u: %s\n", i,
				strerror(-rc));
			return rc;
		}
	}
	printf("ready listen=");
	for (i = 0; i < h->n_socks; i++) {
		sh_addr_str(&h->socks[i].local, buf, sizeof(buf));
		printf("%s%s", i > 0 ? "," : "", buf);
	}
	printf("\n");
	fflush(stdout);
	return 0;
}

/* The local address of a datagram: IP_PKTINFO / IPV6_PKTINFO, else the bound one. */
static void
sh_pktinfo(const struct msghdr *msg, struct ike_addr *local)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(local->ip, &pi.ipi_addr, 4);
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			memcpy(local->ip, &pi6.ipi6_addr, 16);
		}
	}
}

static void
sh_remote(const struct sockaddr_storage *ss, struct ike_addr *remote)
{
	memset(remote, 0, sizeof(*remote));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		remote->family = AF_INET;
		memcpy(remote->ip, &sin->sin_addr, 4);
		remote->port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		remote->family = AF_INET6;
		memcpy(remote->ip, &sin6->sin6_addr, 16);
		remote->port = ntohs(sin6->sin6_port);
	}
}

/* Reads every datagram waiting on S and gives each to the library. */
static void
sh_receive(struct sh_host *h, struct sh_sock *s, uint8_t *buf)
{
	union {
		struct cmsghdr align;
		uint8_t bytes[SH_CMSG_LEN];
	} cbuf;
	struct sockaddr_storage ss;
	struct ike_addr local, remote;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;

	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = SH_DGRAM_MAX;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.bytes;
		msg.msg_controllen = sizeof(cbuf.bytes);
		n = recvmsg(s->fd, &msg, 0);
		if (n < 0)
			return;	/* EAGAIN: drained; other errors: try again at the next poll */
		local = s->local;
		sh_pktinfo(&msg, &local);
		sh_remote(&ss, &remote);
		if (remote.family != local.family)
			continue;
		ike_input(h->ctx, &local, &remote, buf, (size_t)n);
	}
}

/* ---- main loop ---- */

static int
sh_poll_timeout(struct sh_host *h)
{
	uint64_t deadline = ike_next_deadline(h->ctx), now = sh_now_ms(NULL);
	const uint64_t max_wait_ms = 1000;	/* an upper bound, whatever the timers say */

	if (deadline <= now)
		return 0;
	return deadline - now > max_wait_ms ? (int)max_wait_ms : (int)(deadline - now);
}

static int
sh_run(struct sh_host *h)
{
	struct pollfd pfd[SH_MAX_SOCKS];
	sigset_t empty;
	uint8_t *buf;
	unsigned int i;

	buf = malloc(SH_DGRAM_MAX);
	if (buf == NULL)
		return -ENOMEM;
	sigemptyset(&empty);
	while (!sh_stop) {
		struct timespec ts;
		int ms = sh_poll_timeout(h);

		for (i = 0; i < h->n_socks; i++) {
			pfd[i].fd = h->socks[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		ts.tv_sec = ms / SH_MS_PER_S;
		ts.tv_nsec = (long)(ms % SH_MS_PER_S) * SH_NS_PER_MS;
		if (ppoll(pfd, h->n_socks, &ts, &empty) > 0) {
			for (i = 0; i < h->n_socks; i++)
				if (pfd[i].revents & POLLIN)
					sh_receive(h, &h->socks[i], buf);
		}
		if (ike_next_deadline(h->ctx) <= sh_now_ms(NULL))
			ike_tick(h->ctx);
		if (sh_dump) {
			sh_dump = 0;
			sh_dump_state(h);
		}
		fflush(stdout);
	}
	free(buf);
	return 0;
}

static int
sh_signals(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sh_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	/* Delivered only inside ppoll(): no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	return sigprocmask(SIG_BLOCK, &block, NULL) < 0 ? -errno : 0;
}

struct sh_opts {
	const char *config;
	const char *initiate;
	const char *keys_out;
	const char *log_level;
};

static void
sh_usage(void)
{
	fprintf(stderr, "usage: ike_sock_host --config FILE [--initiate CONN[/CHILD]]\n"
		"                     [--log-level err|warning|notice|info|debug]"
		" [--keys-out FILE]\n");
}

static int
sh_parse_opts(int argc, char **argv, struct sh_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "initiate", required_argument, NULL, 'i' },
		{ "keys-out", required_argument, NULL, 'k' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:i:k:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			o->initiate = optarg;
			break;
		case 'k':
			o->keys_out = optarg;
			break;
		case 'l':
			o->log_level = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	return o->config != NULL && optind == argc ? 0 : -EINVAL;
}

static int
sh_open_keys(struct sh_host *h, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);

	if (fd < 0 || fchmod(fd, S_IRUSR | S_IWUSR) < 0) {
		fprintf(stderr, "ike_sock_host: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	h->keys = fdopen(fd, "w");
	if (h->keys == NULL) {
		close(fd);
		return -EIO;
	}
	return 0;
}

/* "CONN" or "CONN/CHILD". */
static int
sh_initiate(struct sh_host *h, const char *spec)
{
	char conn[CFG_NAME_LEN * 2 + 2];
	char *slash;
	int rc;

	if (strlen(spec) >= sizeof(conn))
		return -EINVAL;
	snprintf(conn, sizeof(conn), "%s", spec);
	slash = strchr(conn, '/');
	if (slash != NULL)
		*slash++ = '\0';
	rc = ike_initiate(h->ctx, conn, slash);
	printf("initiate conn=%s child=%s rc=%d\n", conn, slash != NULL ? slash : "-", rc);
	fflush(stdout);
	return rc;
}

static int
sh_setup(struct sh_host *h, const struct sh_opts *o)
{
	struct ike_host_ops ops = {
		.send = sh_send, .now_ms = sh_now_ms, .wall_s = sh_wall_s,
		.child_install_inbound = sh_child_in, .child_install_outbound = sh_child_out,
		.child_remove = sh_child_remove, .child_update_path = sh_child_update,
		.state_event = sh_state_event, .log = sh_log, .arg = h,
	};
	char err[512];

	h->log_level = CFG_LOG_INFO;
	if (o->log_level != NULL && cfg_log_level_parse(o->log_level, &h->log_level) < 0) {
		fprintf(stderr, "ike_sock_host: unknown log level '%s'\n", o->log_level);
		return -EINVAL;
	}
	h->cfg = calloc(1, sizeof(*h->cfg));
	if (h->cfg == NULL)
		return -ENOMEM;
	if (cfg_load(o->config, h->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "ike_sock_host: %s\n", err);
		return -EINVAL;
	}
	if (!h->cfg->ike.enabled) {
		fprintf(stderr, "ike_sock_host: %s has no ike section\n", o->config);
		return -EINVAL;
	}
	if (o->keys_out != NULL && sh_open_keys(h, o->keys_out) < 0)
		return -EIO;
	h->ctx = ike_ctx_new(&h->cfg->ike, &ops, SH_NODE_ID, err, sizeof(err));
	if (h->ctx == NULL) {
		fprintf(stderr, "ike_sock_host: %s\n", err);
		return -EINVAL;
	}
	/* Last: its "ready" line tells a test that everything is up. */
	return sh_open_sockets(h) < 0 ? -EIO : 0;
}

static void
sh_teardown(struct sh_host *h)
{
	unsigned int i;

	if (h->ctx != NULL)
		ike_ctx_free(h->ctx);
	for (i = 0; i < h->n_socks; i++)
		close(h->socks[i].fd);
	if (h->cfg != NULL) {
		cfg_ike_wipe_secrets(h->cfg);
		cfg_wipe_keys(h->cfg);
		free(h->cfg);
	}
	if (h->keys != NULL)
		fclose(h->keys);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sh_host h;
	struct sh_opts o;
	int rc;

	memset(&h, 0, sizeof(h));
	if (sh_parse_opts(argc, argv, &o) < 0) {
		sh_usage();
		return 2;
	}
	if (sh_signals() < 0) {
		perror("ike_sock_host: signals");
		return 1;
	}
	rc = sh_setup(&h, &o);
	if (rc == 0 && o.initiate != NULL)
		rc = sh_initiate(&h, o.initiate);
	if (rc == 0)
		rc = sh_run(&h);
	sh_teardown(&h);
	if (rc == 0)
		printf("exit\n");
	return rc == 0 ? 0 : 1;
}
