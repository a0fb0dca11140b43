/*
 * Unit tests: the built hagwctl (argv[1]) against a CLI server running in
 * a child process: text and JSON output, exit codes and messages, the
 * socket from the environment, scripts on stdin, and the -i shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "cli_test_cmds.h"
#include "tests/unit/cu_run.h"

enum {
	TEST_POLL_US = 1000,
	TEST_MAX_ARGV = 48,
	TEST_OUT_MAX = 64 * 1024,
	TEST_PTY_WAIT_MS = 10000,
	TEST_MAX_CMDS = 32,
};

static const char *hagwctl;

/* "show sa": two SAs, one without a name (completion offers its SPI). */
static int
cmd_show_sa(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	*out = json_tokener_parse("[{\"name\": \"c1-in\", \"spi\": \"0x00001001\"},"
				  " {\"name\": null, \"spi\": \"0x00003003\"},"
				  " {\"name\": \"c1 \\u001b[2J\", \"spi\": \"0x00004004\"}]");
	return 0;
}

/* "clear sa counters": answers {"argv": [...]} */
static int
cmd_words(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < argc; i++)
		json_object_array_add(a, json_object_new_string(argv[i]));
	*out = json_object_new_object();
	json_object_object_add(*out, "argv", a);
	return 0;
}

static const struct ctl_cmd sa_cmds[] = {
	{ "show sa", "[NAME|SPI]", "security associations", cmd_show_sa, false },
	{ "clear sa counters", "[NAME|SPI]", "answers the words", cmd_words, false },
};

static struct ctl_cmd cmds[TEST_MAX_CMDS];
static unsigned int n_cmds;
static char tmpdir[] = "/tmp/hagw-test-ctl-XXXXXX";
static char sock_path[100];
static char in_path[100], out_path[100], err_path[100];

/* The whole file as a string (caller frees). */
static char *
slurp(const char *path)
{
	char *buf = calloc(1, TEST_OUT_MAX + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, TEST_OUT_MAX) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

static void
spew(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			CU_FAIL("cannot write the test's stdin");
		close(fd);
	}
}

static void
child_exec(char **argv)
{
	int in = open(in_path, O_RDONLY);
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		_exit(127);
	execv(hagwctl, argv);
	_exit(127);
}

/* Runs hagwctl with the words (NULL-terminated) and stdin from in;
 * returns the exit status (-1 if it did not exit) and the output. */
static int
run_capture(const char *in, const char *const *words, char **out, char **err)
{
	char *argv[TEST_MAX_ARGV] = { (char *)hagwctl };
	int n = 1, status = -1;
	pid_t pid;

	for (; words[n - 1] != NULL && n < TEST_MAX_ARGV - 1; n++)
		argv[n] = (char *)words[n - 1];
	spew(in_path, in);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		child_exec(argv);
	waitpid(pid, &status, 0);
	*out = slurp(out_path);
	*err = slurp(err_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Compares stdout, stderr and the exit status exactly. */
static void
expect_run(const char *in, const char *want_out, const char *want_err, int want_rc,
	   const char *const *words)
{
	char *out, *err;

	CU_ASSERT_EQUAL(run_capture(in, words, &out, &err), want_rc);
	CU_ASSERT_STRING_EQUAL(out, want_out);
	CU_ASSERT_STRING_EQUAL(err, want_err);
	if (strcmp(out, want_out) != 0 || strcmp(err, want_err) != 0)
		fprintf(stderr, "\nstdout:\n%s\nstderr:\n%s\n", out, err);
	free(out);
	free(err);
}

#define RUN(in, out, err, rc, ...) \
	expect_run(in, out, err, rc, (const char *const[]){ __VA_ARGS__, NULL })
#define S "-s", sock_path

static void
test_text(void)
{
	RUN("", "version:   1.2.3\nuptime_s:  42\n", "", 0, S, "show", "version");
	RUN("", "name    mtu  link\nport0  1500  up\nport1  9000  down\n", "", 0, S, "show",
	    "ports");
	RUN("", "", "", 0, S, "clear", "stats");
	RUN("", "argc:  2\nargv:  -j, x\n", "", 0, S, "echo", "-j", "x");
}

static void
test_json_output(void)
{
	RUN("", "{\n  \"version\": \"1.2.3\",\n  \"uptime_s\": 42\n}\n", "", 0, S, "--json", "show",
	    "version");
	RUN("", "null\n", "", 0, "-j", S, "clear", "stats");
	RUN("", "", "hagwctl: fail: bad things\n", 1, "--json", S, "fail");
}

static void
test_errors(void)
{
	RUN("", "", "hagwctl: fail: bad things\n", 1, S, "fail");
	RUN("", "", "hagwctl: unknown command 'nope'; try 'help'\n", 1, S, "nope");
	RUN("", "", "hagwctl: cannot connect to /nonexistent/hagw.sock: No such file or "
	    "directory\n", 2, "-s", "/nonexistent/hagw.sock", "show", "version");
	RUN("", "", "hagwctl: request too large (at most 32 words, 65536 bytes)\n", 1, S, "echo",
	    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
	    "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30",
	    "31", "32");
}

static void
test_env_socket(void)
{
	setenv("HAGW_SOCKET", sock_path, 1);
	RUN("", "argc:  0\nargv:  -\n", "", 0, "echo");
	unsetenv("HAGW_SOCKET");
}

static void
test_help_output(void)
{
	RUN("", "show <what>         the generic show\nshow version        software versions\n"
	    "show ports          the ports\nshow sa [NAME|SPI]  security associations\n", "", 0, S,
	    "help", "show");
	RUN("", "", "hagwctl: no command starts with 'zz'; try 'help'\n", 1, S, "help", "zz");
}

static void
test_script(void)
{
	RUN("show version\n# a comment\n\n  fail  \necho 'a b' \"c\"\n",
	    "version:   1.2.3\nuptime_s:  42\nargc:  2\nargv:  a b, c\n",
	    "hagwctl: fail: bad things\n", 1, S);
	RUN("echo 1\nquit\necho 2\n", "argc:  1\nargv:  1\n", "", 0, S);
	RUN("echo 'open\n", "", "hagwctl: unclosed quote\n", 1, S);
	RUN("echo 1\n", "", "hagwctl: cannot connect to /nonexistent/hagw.sock: No such file or "
	    "directory\n", 2, "-s", "/nonexistent/hagw.sock");
}

/* The shell reads a pipe when forced with -i: local help, history file. */
static void
test_interactive(void)
{
	char hist[128];
	char *h;

	snprintf(hist, sizeof(hist), "%s/.hagwctl_history", tmpdir);
	setenv("HOME", tmpdir, 1);
	RUN("help show v\necho x\nexit\necho y\n",
	    "show version  software versions\nargc:  1\nargv:  x\n", "", 0, S, "-i");
	/* libedit's history format: a header, blanks as \040 */
	h = slurp(hist);
	CU_ASSERT_STRING_EQUAL(h, "_HiStOrY_V2_\nhelp\\040show\\040v\necho\\040x\nexit\n");
	free(h);
	unlink(hist);
}

/* Everything the pty gives until hagwctl exits (EIO) or the wait ends. */
static char *
pty_drain(int fd)
{
	char *buf = calloc(1, TEST_OUT_MAX + 1);
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (n < TEST_OUT_MAX && poll(&p, 1, TEST_PTY_WAIT_MS) > 0) {
		ssize_t r = read(fd, buf + n, TEST_OUT_MAX - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return buf;
}

/* Tab completes SA names (and the SPIs of unnamed SAs) from "show sa". */
static void
test_completion(void)
{
	const char *in = "clear sa counters c1\t\nclear sa counters 0x\t\nshow s\t\t\nexit\n";
	char hist[128], *out;
	int fd, status = -1;
	pid_t pid;

	snprintf(hist, sizeof(hist), "%s/.hagwctl_history", tmpdir);
	pid = forkpty(&fd, NULL, NULL, NULL);
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		setenv("HOME", tmpdir, 1);
		setenv("TERM", "xterm", 1);
		execl(hagwctl, hagwctl, "-s", sock_path, (char *)NULL);
		_exit(127);
	}
	CU_ASSERT_EQUAL(write(fd, in, strlen(in)), (ssize_t)strlen(in));
	out = pty_drain(fd);
	waitpid(pid, &status, 0);
	close(fd);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "argv:  c1-in\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "argv:  0x00003003\r\n"));
	/* "show s" completes to "show sa ", the second tab lists the names */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "c1-in       0x00001001\r\n-           0x00003003\r\n"
				      "c1 \\x1b[2J  0x00004004\r\n"));
	/* a name with a blank and an escape sequence is never offered */
	CU_ASSERT_PTR_NULL(strstr(out, "\x1b[2J"));
	CU_ASSERT_PTR_NULL(strstr(out, "hagwctl:"));
	free(out);
	unlink(hist);
}

static void
test_usage(void)
{
	const char *usage = "usage: hagwctl [-s SOCKET] [--json] [-i] [COMMAND ...]\n";
	char *out, *err;

	CU_ASSERT_EQUAL(run_capture("", (const char *const[]){ "-h", NULL }, &out, &err), 0);
	CU_ASSERT_EQUAL(strncmp(out, usage, strlen(usage)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run_capture("", (const char *const[]){ "--bogus", NULL }, &out, &err), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT(strstr(err, usage) != NULL);
	free(out);
	free(err);
}

int
main(int argc, char **argv)
{
	struct test_ctx ctx = { 0 };
	char err[CTL_ERR_LEN];
	struct ctl_server *srv;
	unsigned int fails;
	CU_pSuite s;
	pid_t pid;

	if (argc != 2 || mkdtemp(tmpdir) == NULL)
		return 1;
	hagwctl = argv[1];
	snprintf(sock_path, sizeof(sock_path), "%s/hagw.sock", tmpdir);
	snprintf(in_path, sizeof(in_path), "%s/in", tmpdir);
	snprintf(out_path, sizeof(out_path), "%s/out", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/err", tmpdir);
	unsetenv("HAGW_SOCKET");
	for (unsigned int i = 0; i < test_n_cmds; i++)
		cmds[n_cmds++] = test_cmds[i];
	for (unsigned int i = 0; i < sizeof(sa_cmds) / sizeof(sa_cmds[0]); i++)
		cmds[n_cmds++] = sa_cmds[i];
	srv = ctl_server_open(sock_path, cmds, n_cmds, &ctx, err, sizeof(err));
	if (srv == NULL)
		return 1;
	pid = fork();
	if (pid == 0)
		for (;;) {
			ctl_server_poll(srv);
			usleep(TEST_POLL_US);
		}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("hagwctl", NULL, NULL);
	CU_add_test(s, "text output", test_text);
	CU_add_test(s, "json output", test_json_output);
	CU_add_test(s, "errors and exit codes", test_errors);
	CU_add_test(s, "socket from HAGW_SOCKET", test_env_socket);
	CU_add_test(s, "help", test_help_output);
	CU_add_test(s, "script on stdin", test_script);
	CU_add_test(s, "interactive", test_interactive);
	CU_add_test(s, "completion of SA names", test_completion);
	CU_add_test(s, "usage", test_usage);
	fails = cu_run_count();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ctl_server_close(srv);
	unlink(in_path);
	unlink(out_path);
	unlink(err_path);
	rmdir(tmpdir);
	return cu_exit_status(fails);
}
