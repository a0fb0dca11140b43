/*
 * The CLI server: a UNIX stream socket (mode 0600, peers checked with
 * SO_PEERCRED) that the control core polls without ever blocking. Each
 * connection buffers partial requests and partial responses; a protocol
 * error is answered (if possible) and closes the connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "control/cli.h"
#include "control/cli_wire.h"

enum {
	CTL_DIR_MODE = 0700,
	CTL_SOCK_UMASK = 0177,		/* bind() creates the socket file 0600 */
	CTL_CONN_IDLE_MS = 60 * 1000,	/* a connection making no progress is closed */
	CTL_MS_PER_S = 1000,
	CTL_NS_PER_MS = 1000 * 1000,
};

struct ctl_conn {
	int fd;			/* -1: free slot */
	bool close_after;	/* close once out is sent (protocol error) */
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	uint32_t hdr_got;
	uint32_t req_len;
	uint32_t req_got;
	char *req;
	uint8_t *out;		/* the framed response being written */
	size_t out_len;
	size_t out_off;
	uint64_t last_ms;	/* last progress */
};

struct ctl_server {
	int fd;
	uid_t euid;
	dev_t dev;		/* the socket file we created */
	ino_t ino;
	const struct ctl_cmd *cmds;
	unsigned int n_cmds;
	void *ctx;
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	struct ctl_conn conn[CTL_MAX_CLIENTS];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * CTL_MS_PER_S + (uint64_t)ts.tv_nsec / CTL_NS_PER_MS;
}

/* ---- opening the socket ---- */

static int
sun_fill(struct sockaddr_un *sun, const char *path, char *err, size_t err_len)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, err_len, "%s: socket path empty or too long (max %zu bytes)", path,
			 sizeof(sun->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Creates the socket's directory (mode 0700) if it is missing. */
static int
dir_ensure(const char *path, char *err, size_t err_len)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char *slash;
	struct stat st;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, CTL_DIR_MODE) == 0)
		return 0;
	rc = errno == EEXIST ? -ENOTDIR : -errno;
	if (rc == -ENOTDIR && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	snprintf(err, err_len, "%s: cannot create directory: %s", dir, strerror(-rc));
	return rc;
}

/* Replaces a stale socket file; a live one (someone accepts) is an error. */
static int
stale_remove(const struct sockaddr_un *sun, const char *path, char *err, size_t err_len)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, err_len, "%s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_len, "%s: socket: %s", path, strerror(errno));
		return -errno;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ? 0 : -errno;
	close(fd);
	if (rc == -ECONNREFUSED && (unlink(path) == 0 || errno == ENOENT))
		return 0;
	if (rc == -ECONNREFUSED)
		rc = -errno;
	if (rc == 0 || rc == -EAGAIN)
		snprintf(err, err_len, "%s: another hagw is listening", path);
	else
		snprintf(err, err_len, "%s: %s", path, strerror(-rc));
	return rc == 0 ? -EADDRINUSE : rc;
}

static int
listen_open(const struct sockaddr_un *sun, const char *path, char *err, size_t err_len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old;
	int rc;

	if (fd < 0) {
		snprintf(err, err_len, "%s: socket: %s", path, strerror(errno));
		return -errno;
	}
	old = umask(CTL_SOCK_UMASK);
	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (rc == 0)
		rc = listen(fd, CTL_MAX_CLIENTS);
	if (rc < 0) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

struct ctl_server *
ctl_server_open(const char *path, const struct ctl_cmd *cmds, unsigned int n_cmds, void *ctx,
		char *err, size_t err_len)
{
	struct ctl_server *srv;
	struct sockaddr_un sun;
	struct stat st;

	if (sun_fill(&sun, path, err, err_len) < 0 || dir_ensure(path, err, err_len) < 0 ||
	    stale_remove(&sun, path, err, err_len) < 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(err, err_len, "%s: out of memory", path);
		return NULL;
	}
	srv->fd = listen_open(&sun, path, err, err_len);
	if (srv->fd < 0) {
		free(srv);
		return NULL;
	}
	if (stat(path, &st) == 0) {
		srv->dev = st.st_dev;
		srv->ino = st.st_ino;
	}
	memcpy(srv->path, sun.sun_path, sizeof(srv->path));
	srv->euid = geteuid();
	srv->cmds = cmds;
	srv->n_cmds = n_cmds;
	srv->ctx = ctx;
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		srv->conn[i].fd = -1;
	return srv;
}

/* ---- connections ---- */

static void
conn_close(struct ctl_conn *c)
{
	close(c->fd);
	free(c->req);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Sends what the socket takes now; closes when done and asked to. */
static void
conn_write(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
		c->last_ms = now_ms();
	}
	free(c->out);
	c->out = NULL;
	c->out_len = 0;
	c->out_off = 0;
	if (c->close_after)
		conn_close(c);
}

/* Queues resp (a reference taken over) and starts writing it. */
static void
conn_answer(struct ctl_conn *c, struct json_object *resp, bool close_after)
{
	c->close_after = close_after;
	if (ctl_response_encode(resp, &c->out, &c->out_len) < 0) {
		conn_close(c);
		return;
	}
	c->out_off = 0;
	conn_write(c);
}

static void
conn_answer_error(struct ctl_conn *c, const char *msg)
{
	conn_answer(c, ctl_response_error(msg), true);
}

/* The 4 length bytes are in: check the length and make room for the body.
 * Returns true when the request was answered (with an error). */
static bool
conn_header_done(struct ctl_conn *c)
{
	char msg[CTL_ERR_LEN];

	c->req_len = ctl_frame_len_get(c->hdr);
	c->req_got = 0;
	if (c->req_len == 0) {
		conn_answer_error(c, "empty request");
		return true;
	}
	if (c->req_len > CTL_MAX_REQUEST) {
		snprintf(msg, sizeof(msg), "request too large: %u bytes (max %d)", c->req_len,
			 CTL_MAX_REQUEST);
		conn_answer_error(c, msg);
		return true;
	}
	c->req = malloc(c->req_len);
	if (c->req == NULL) {
		conn_answer_error(c, "out of memory");
		return true;
	}
	return false;
}

static void
conn_request_done(struct ctl_server *srv, struct ctl_conn *c)
{
	struct ctl_request req;
	char err[CTL_ERR_LEN];
	int rc = ctl_request_decode(c->req, c->req_len, &req, err, sizeof(err));

	free(c->req);
	c->req = NULL;
	c->hdr_got = 0;
	if (rc < 0) {
		conn_answer_error(c, err);
		return;
	}
	conn_answer(c, ctl_dispatch(srv->cmds, srv->n_cmds, srv->ctx, req.argc, req.argv),
		    false);
	ctl_request_free(&req);
}

/* Receives into buf: > 0 bytes read, 0 nothing now, < 0 the connection
 * was closed (EOF or error). */
static ssize_t
conn_recv(struct ctl_conn *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->fd, buf, len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		conn_close(c);
		return -1;
	}
	c->last_ms = now_ms();
	return n;
}

/* Reads until one request is complete (and answers it) or nothing is
 * left. Returns 1 if a request was answered. */
static unsigned int
conn_read(struct ctl_server *srv, struct ctl_conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->hdr_got < CTL_FRAME_HDR_LEN) {
			n = conn_recv(c, c->hdr + c->hdr_got, CTL_FRAME_HDR_LEN - c->hdr_got);
			if (n <= 0)
				return 0;
			c->hdr_got += (uint32_t)n;
			if (c->hdr_got == CTL_FRAME_HDR_LEN && conn_header_done(c))
				return 1;
			continue;
		}
		n = conn_recv(c, c->req + c->req_got, c->req_len - c->req_got);
		if (n <= 0)
			return 0;
		c->req_got += (uint32_t)n;
		if (c->req_got == c->req_len) {
			conn_request_done(srv, c);
			return 1;
		}
	}
}

static unsigned int
conn_service(struct ctl_server *srv, struct ctl_conn *c, short revents)
{
	if (revents & (POLLERR | POLLNVAL)) {
		conn_close(c);
		return 0;
	}
	if (c->out != NULL) {
		conn_write(c);
		return 0;
	}
	if (revents & (POLLIN | POLLHUP))
		return conn_read(srv, c);
	return 0;
}

/* Best effort: one error frame to a connection we do not keep. */
static void
reject(int fd, const char *msg)
{
	uint8_t *frame;
	size_t len;

	if (ctl_response_encode(ctl_response_error(msg), &frame, &len) == 0) {
		/* If this fails too, the peer just sees EOF. */
		(void)send(fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(frame);
	}
	close(fd);
}

static bool
peer_allowed(const struct ctl_server *srv, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof(cr))
		return false;
	return cr.uid == 0 || cr.uid == srv->euid;
}

static struct ctl_conn *
conn_free_slot(struct ctl_server *srv)
{
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->conn[i].fd < 0)
			return &srv->conn[i];
	return NULL;
}

/* Accepts every pending connection and reads what each has sent. */
static unsigned int
accept_all(struct ctl_server *srv)
{
	unsigned int answered = 0;
	char msg[CTL_ERR_LEN];
	struct ctl_conn *c;
	int fd;

	while ((fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!peer_allowed(srv, fd)) {
			reject(fd, "permission denied");
			continue;
		}
		c = conn_free_slot(srv);
		if (c == NULL) {
			snprintf(msg, sizeof(msg), "too many clients (max %d)", CTL_MAX_CLIENTS);
			reject(fd, msg);
			continue;
		}
		c->fd = fd;
		c->last_ms = now_ms();
		answered += conn_read(srv, c);
	}
	return answered;
}

static void
conns_expire(struct ctl_server *srv, unsigned int n_conns)
{
	uint64_t now;

	if (n_conns == 0)
		return;
	now = now_ms();
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->conn[i].fd >= 0 && now - srv->conn[i].last_ms > CTL_CONN_IDLE_MS)
			conn_close(&srv->conn[i]);
}

unsigned int
ctl_server_poll(struct ctl_server *srv)
{
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	unsigned int slot[CTL_MAX_CLIENTS + 1];
	unsigned int n = 0, answered = 0;

	if (srv == NULL)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (srv->conn[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = srv->conn[i].fd,
					  .events = srv->conn[i].out != NULL ? POLLOUT : POLLIN };
		slot[n++] = i;
	}
	if (poll(pfd, n, 0) <= 0)
		return 0;
	for (unsigned int k = 1; k < n; k++)
		if (pfd[k].revents != 0)
			answered += conn_service(srv, &srv->conn[slot[k]], pfd[k].revents);
	if (pfd[0].revents & POLLIN)
		answered += accept_all(srv);
	conns_expire(srv, n - 1);
	return answered;
}

void
ctl_server_close(struct ctl_server *srv)
{
	struct stat st;

	if (srv == NULL)
		return;
	for (unsigned int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->conn[i].fd >= 0)
			conn_close(&srv->conn[i]);
	close(srv->fd);
	/* Only our own file: a newer daemon may have replaced it. */
	if (lstat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
		unlink(srv->path);
	free(srv);
}
