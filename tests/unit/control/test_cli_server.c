/*
 * Unit tests: the CLI server over a real UNIX socket in a temporary
 * directory: modes, framing (partial, pipelined, oversized, malformed),
 * large responses, client limits, stale and live sockets, peer checks,
 * and no leaked descriptors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "cli_test_cmds.h"
#include "control/cli_wire.h"
#include "tests/unit/cu_run.h"

enum {
	TEST_SPINS = 20000,	/* x 100 us: how long to wait for an answer */
	TEST_SPIN_US = 100,
	TEST_NOBODY = 65534,
	TEST_BIG_ROWS = 100000,
};

static char tmpdir[] = "/tmp/hagw-test-cli-XXXXXX";
static char sock_dir[80];
static char sock_path[100];
static struct test_ctx ctx;
static int fds_at_start;

static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static struct ctl_server *
server_open(void)
{
	char err[CTL_ERR_LEN] = "";
	struct ctl_server *srv = ctl_server_open(sock_path, test_cmds, test_n_cmds, &ctx, err,
						 sizeof(err));

	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	return srv;
}

static int
client_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	return fd;
}

static void
send_frame(int fd, const char *body)
{
	uint8_t hdr[CTL_FRAME_HDR_LEN];

	ctl_frame_len_put(hdr, (uint32_t)strlen(body));
	CU_ASSERT_EQUAL(send(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	CU_ASSERT_EQUAL(send(fd, body, strlen(body), 0), (ssize_t)strlen(body));
}

/* Reads len bytes, polling the server meanwhile. 0, or -1 on EOF/timeout. */
static int
recv_exact(struct ctl_server *srv, int fd, void *buf, size_t len)
{
	size_t got = 0;

	for (int spin = 0; got < len && spin < TEST_SPINS; spin++) {
		ssize_t n;

		if (srv != NULL)
			ctl_server_poll(srv);
		n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n > 0)
			got += (size_t)n;
		else
			usleep(TEST_SPIN_US);
	}
	return got == len ? 0 : -1;
}

/* One response body (NUL-terminated, caller frees), or NULL. */
static char *
recv_frame(struct ctl_server *srv, int fd)
{
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	uint32_t len;
	char *body;

	if (recv_exact(srv, fd, hdr, sizeof(hdr)) < 0)
		return NULL;
	len = ctl_frame_len_get(hdr);
	body = calloc(1, (size_t)len + 1);
	if (body != NULL && recv_exact(srv, fd, body, len) < 0) {
		free(body);
		return NULL;
	}
	return body;
}

static char *
ask(struct ctl_server *srv, int fd, const char *body)
{
	send_frame(fd, body);
	return recv_frame(srv, fd);
}

/* Asks and compares the answer exactly. */
static void
expect_answer(struct ctl_server *srv, int fd, const char *body, const char *want)
{
	char *got = ask(srv, fd, body);

	CU_ASSERT_PTR_NOT_NULL(got);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* True once the server has closed the connection. */
static bool
closed_by_server(struct ctl_server *srv, int fd)
{
	char c;

	for (int spin = 0; spin < TEST_SPINS; spin++) {
		ssize_t n;

		ctl_server_poll(srv);
		n = recv(fd, &c, 1, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n > 0)
			return false;
		usleep(TEST_SPIN_US);
	}
	return false;
}

static void
test_open_modes(void)
{
	struct ctl_server *srv;
	struct stat st;

	CU_ASSERT_EQUAL(stat(sock_dir, &st), -1);
	srv = server_open();
	CU_ASSERT_EQUAL_FATAL(stat(sock_dir, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	CU_ASSERT_EQUAL_FATAL(stat(sock_path, &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	ctl_server_close(srv);
	CU_ASSERT_EQUAL(stat(sock_path, &st), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
}

static void
test_request(void)
{
	const char *want = "{\"ok\":true,\"data\":{\"version\":\"1.2.3\",\"uptime_s\":42}}";
	struct ctl_server *srv = server_open();
	int fd = client_connect();
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	char body[128] = "";

	send_frame(fd, "{\"argv\":[\"show\",\"version\"]}");
	/* accepted, read and answered in one poll */
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 1);
	CU_ASSERT_EQUAL(recv(fd, hdr, sizeof(hdr), MSG_WAITALL), (ssize_t)sizeof(hdr));
	CU_ASSERT(hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 0 && hdr[3] == strlen(want));
	CU_ASSERT_EQUAL(recv(fd, body, strlen(want), MSG_WAITALL), (ssize_t)strlen(want));
	CU_ASSERT_STRING_EQUAL(body, want);
	/* the connection stays open for more requests, errors included */
	expect_answer(srv, fd, "{\"argv\":[\"no\",\"such\"]}",
		      "{\"ok\":false,\"error\":\"unknown command 'no such'; try 'help'\"}");
	expect_answer(srv, fd, "{\"argv\":[\"fail\"]}",
		      "{\"ok\":false,\"error\":\"fail: bad things\"}");
	expect_answer(srv, fd, "{\"argv\":[]}",
		      "{\"ok\":false,\"error\":\"empty command; try 'help'\"}");
	expect_answer(srv, fd, "{\"argv\":[\"clear\",\"stats\"]}", "{\"ok\":true,\"data\":null}");
	expect_answer(srv, fd, "{\"argv\":[\"echo\",\"a/b\"]}",
		      "{\"ok\":true,\"data\":{\"argc\":1,\"argv\":[\"a/b\"]}}");
	close(fd);
	ctl_server_close(srv);
}

static void
test_partial(void)
{
	const char *body = "{\"argv\":[\"echo\",\"x\"]}";
	struct ctl_server *srv = server_open();
	int fd = client_connect();
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	char *got;

	ctl_frame_len_put(hdr, (uint32_t)strlen(body));
	for (unsigned int i = 0; i < sizeof(hdr); i++) {
		CU_ASSERT_EQUAL(send(fd, &hdr[i], 1, 0), 1);
		CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	}
	CU_ASSERT_EQUAL(send(fd, body, 5, 0), 5);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	CU_ASSERT_EQUAL(send(fd, body + 5, strlen(body) - 5, 0), (ssize_t)strlen(body) - 5);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 1);
	got = recv_frame(srv, fd);
	CU_ASSERT_STRING_EQUAL(got, "{\"ok\":true,\"data\":{\"argc\":1,\"argv\":[\"x\"]}}");
	free(got);
	close(fd);
	ctl_server_close(srv);
}

static void
test_pipelined(void)
{
	struct ctl_server *srv = server_open();
	int fd = client_connect();
	char *a, *b;

	send_frame(fd, "{\"argv\":[\"echo\",\"1\"]}");
	send_frame(fd, "{\"argv\":[\"echo\",\"2\"]}");
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 1);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 1);
	a = recv_frame(srv, fd);
	b = recv_frame(srv, fd);
	CU_ASSERT_STRING_EQUAL(a, "{\"ok\":true,\"data\":{\"argc\":1,\"argv\":[\"1\"]}}");
	CU_ASSERT_STRING_EQUAL(b, "{\"ok\":true,\"data\":{\"argc\":1,\"argv\":[\"2\"]}}");
	free(a);
	free(b);
	close(fd);
	ctl_server_close(srv);
}

/* A request of exactly CTL_MAX_REQUEST bytes passes; one more does not. */
static void
test_oversized(void)
{
	struct ctl_server *srv = server_open();
	int fd = client_connect();
	const char *head = "{\"argv\":[\"echo\",\"", *tail = "\"]}";
	char *req = malloc(CTL_MAX_REQUEST + 1), *got;
	uint8_t hdr[CTL_FRAME_HDR_LEN];

	memset(req, 'x', CTL_MAX_REQUEST);
	memcpy(req, head, strlen(head));
	memcpy(req + CTL_MAX_REQUEST - strlen(tail), tail, strlen(tail) + 1);
	got = ask(srv, fd, req);
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT(got != NULL && strncmp(got, "{\"ok\":true,\"data\":{\"argc\":1,", 28) == 0);
	free(got);
	ctl_frame_len_put(hdr, CTL_MAX_REQUEST + 1);
	CU_ASSERT_EQUAL(send(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	got = recv_frame(srv, fd);
	CU_ASSERT_STRING_EQUAL(got, "{\"ok\":false,\"error\":\"request too large: 65537 bytes "
			       "(max 65536)\"}");
	CU_ASSERT(closed_by_server(srv, fd));
	free(got);
	free(req);
	close(fd);
	ctl_server_close(srv);
}

/* Each of these is answered with an error and the connection closed. */
static void
expect_protocol_error(struct ctl_server *srv, const char *body, size_t len, const char *want)
{
	int fd = client_connect();
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	char *got;

	ctl_frame_len_put(hdr, (uint32_t)len);
	CU_ASSERT_EQUAL(send(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	if (len > 0)
		CU_ASSERT_EQUAL(send(fd, body, len, 0), (ssize_t)len);
	got = recv_frame(srv, fd);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT(closed_by_server(srv, fd));
	free(got);
	close(fd);
}

static void
test_malformed(void)
{
	struct ctl_server *srv = server_open();

	expect_protocol_error(srv, "", 0, "{\"ok\":false,\"error\":\"empty request\"}");
	expect_protocol_error(srv, "{\"argv\":[", 9,
			      "{\"ok\":false,\"error\":\"invalid JSON: unexpected end of data\"}");
	expect_protocol_error(srv, "{\"argv\":[\"a\0\"]}", 15,
			      "{\"ok\":false,\"error\":\"invalid JSON: unexpected end of data "
			      "at offset 12\"}");
	expect_protocol_error(srv, "[1]", 3, "{\"ok\":false,\"error\":\"request must be an "
			      "object with an \\\"argv\\\" array\"}");
	expect_protocol_error(srv, "{\"argv\":[1]}", 12,
			      "{\"ok\":false,\"error\":\"argv[0] is not a string\"}");
	ctl_server_close(srv);
}

/* A response far larger than the socket buffer goes out over many polls. */
static void
test_big_response(void)
{
	struct ctl_server *srv = server_open();
	int fd = client_connect();
	char *got = ask(srv, fd, "{\"argv\":[\"big\",\"100000\"]}");
	struct json_object *r = got != NULL ? json_tokener_parse(got) : NULL;
	struct json_object *data, *last, *prefix;

	CU_ASSERT_FATAL(r != NULL && json_object_object_get_ex(r, "data", &data));
	CU_ASSERT_EQUAL(json_object_array_length(data), TEST_BIG_ROWS);
	last = json_object_array_get_idx(data, TEST_BIG_ROWS - 1);
	CU_ASSERT(json_object_object_get_ex(last, "prefix", &prefix));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(prefix), "10.134.159.0/24");
	CU_ASSERT(strlen(got) > 3 * 1000 * 1000);
	json_object_put(r);
	free(got);
	/* a client that leaves before its answer is sent */
	send_frame(fd, "{\"argv\":[\"big\",\"100000\"]}");
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 1);
	close(fd);
	for (int i = 0; i < 10; i++)
		ctl_server_poll(srv);
	ctl_server_close(srv);
}

static void
test_disconnects(void)
{
	struct ctl_server *srv = server_open();
	int before = fd_count();
	int fd = client_connect();
	uint8_t hdr[CTL_FRAME_HDR_LEN] = { 0, 0, 0, 20 };

	CU_ASSERT_EQUAL(send(fd, hdr, 2, 0), 2);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	CU_ASSERT_EQUAL(fd_count(), before + 2);
	close(fd);
	fd = client_connect();
	CU_ASSERT_EQUAL(send(fd, hdr, 4, 0), 4);
	CU_ASSERT_EQUAL(send(fd, "{\"argv\"", 7, 0), 7);
	CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	shutdown(fd, SHUT_WR);
	CU_ASSERT(closed_by_server(srv, fd));
	close(fd);
	CU_ASSERT_EQUAL(fd_count(), before);
	ctl_server_close(srv);
}

static void
test_max_clients(void)
{
	struct ctl_server *srv = server_open();
	int fd[CTL_MAX_CLIENTS + 1];
	char *got;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fd[i] = client_connect();
		CU_ASSERT_EQUAL(ctl_server_poll(srv), 0);
	}
	fd[CTL_MAX_CLIENTS] = client_connect();
	got = recv_frame(srv, fd[CTL_MAX_CLIENTS]);
	CU_ASSERT_STRING_EQUAL(got, "{\"ok\":false,\"error\":\"too many clients (max 16)\"}");
	CU_ASSERT(closed_by_server(srv, fd[CTL_MAX_CLIENTS]));
	free(got);
	close(fd[CTL_MAX_CLIENTS]);
	/* every client kept is served */
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		expect_answer(srv, fd[i], "{\"argv\":[\"clear\",\"stats\"]}",
			      "{\"ok\":true,\"data\":null}");
	close(fd[0]);
	fd[0] = client_connect();
	expect_answer(srv, fd[0], "{\"argv\":[\"clear\",\"stats\"]}",
		      "{\"ok\":true,\"data\":null}");
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fd[i]);
	ctl_server_close(srv);
}

static void
test_stale_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct ctl_server *srv;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	CU_ASSERT_EQUAL_FATAL(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(s);	/* the file stays, nobody listens */
	srv = server_open();
	fd = client_connect();
	expect_answer(srv, fd, "{\"argv\":[\"clear\",\"stats\"]}", "{\"ok\":true,\"data\":null}");
	close(fd);
	ctl_server_close(srv);
}

static void
test_live_socket(void)
{
	struct ctl_server *srv = server_open(), *srv2, *srv3;
	char err[CTL_ERR_LEN], want[CTL_ERR_LEN + 64];
	struct stat st;

	srv2 = ctl_server_open(sock_path, test_cmds, test_n_cmds, &ctx, err, sizeof(err));
	CU_ASSERT_PTR_NULL(srv2);
	snprintf(want, sizeof(want), "%s: another hagw is listening", sock_path);
	CU_ASSERT_STRING_EQUAL(err, want);
	/* a newer server took the path over: closing the old one keeps its file */
	CU_ASSERT_EQUAL(unlink(sock_path), 0);
	srv3 = server_open();
	ctl_server_close(srv);
	CU_ASSERT_EQUAL(stat(sock_path, &st), 0);
	ctl_server_close(srv3);
	CU_ASSERT_EQUAL(stat(sock_path, &st), -1);
}

static void
test_bad_paths(void)
{
	char err[CTL_ERR_LEN], want[CTL_ERR_LEN + 64], path[200];
	struct stat st;
	int f = open(sock_path, O_CREAT | O_WRONLY, 0600);

	close(f);
	CU_ASSERT_PTR_NULL(ctl_server_open(sock_path, test_cmds, test_n_cmds, &ctx, err,
					   sizeof(err)));
	snprintf(want, sizeof(want), "%s: exists and is not a socket", sock_path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT(stat(sock_path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(sock_path);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	CU_ASSERT_PTR_NULL(ctl_server_open(path, test_cmds, test_n_cmds, &ctx, err, sizeof(err)));
	CU_ASSERT(strstr(err, ": socket path empty or too long (max 107 bytes)") != NULL);
	CU_ASSERT_PTR_NULL(ctl_server_open("/proc/version/x.sock", test_cmds, test_n_cmds, &ctx,
					   err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "/proc/version: cannot create directory: Not a directory");
}

/* A child as "nobody" connects (the modes are opened up for it). */
static int
nobody_asks(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *want = "{\"ok\":false,\"error\":\"permission denied\"}";
	char buf[128] = "";
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (setgid(TEST_NOBODY) < 0 || setuid(TEST_NOBODY) < 0)
		return 3;
	alarm(5);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return 4;
	if (recv(fd, buf, 4 + strlen(want), MSG_WAITALL) != (ssize_t)(4 + strlen(want)))
		return 5;
	return strcmp(buf + 4, want) == 0 && recv(fd, buf, 1, 0) == 0 ? 0 : 6;
}

static void
test_peer_check(void)
{
	struct ctl_server *srv;
	int status = -1;
	pid_t pid;

	if (geteuid() != 0)
		return;	/* needs root to become another user */
	srv = server_open();
	CU_ASSERT_EQUAL(chmod(tmpdir, 0755), 0);
	CU_ASSERT_EQUAL(chmod(sock_dir, 0755), 0);
	CU_ASSERT_EQUAL(chmod(sock_path, 0666), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(nobody_asks());
	while (waitpid(pid, &status, WNOHANG) == 0) {
		ctl_server_poll(srv);
		usleep(TEST_SPIN_US);
	}
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	ctl_server_close(srv);
	chmod(sock_dir, 0700);
	chmod(tmpdir, 0700);
}

static void
test_no_fd_leak(void)
{
	CU_ASSERT_EQUAL(fd_count(), fds_at_start);
}

int
main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(sock_dir, sizeof(sock_dir), "%s/run", tmpdir);
	snprintf(sock_path, sizeof(sock_path), "%s/hagw.sock", sock_dir);
	fds_at_start = fd_count();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("cli_server", NULL, NULL);
	CU_add_test(s, "open: directory 0700, socket 0600", test_open_modes);
	CU_add_test(s, "request and response bytes", test_request);
	CU_add_test(s, "partial reads", test_partial);
	CU_add_test(s, "pipelined requests", test_pipelined);
	CU_add_test(s, "oversized request", test_oversized);
	CU_add_test(s, "malformed requests", test_malformed);
	CU_add_test(s, "big response", test_big_response);
	CU_add_test(s, "disconnects", test_disconnects);
	CU_add_test(s, "max clients", test_max_clients);
	CU_add_test(s, "stale socket replaced", test_stale_socket);
	CU_add_test(s, "live socket refused", test_live_socket);
	CU_add_test(s, "bad paths", test_bad_paths);
	CU_add_test(s, "peer credentials", test_peer_check);
	CU_add_test(s, "no fd leak", test_no_fd_leak);
	fails = cu_run_count();
	rmdir(sock_dir);
	rmdir(tmpdir);
	return cu_exit_status(fails);
}
