/*
 * Unit tests: CLI commands served by DPDK telemetry. EAL runs with
 * telemetry on; the test asks over the telemetry socket and compares the
 * JSON DPDK writes: names, parameters, errors, and the conversion rules
 * (one container level, deeper levels flattened into "a/b" keys).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_telemetry.h>

#include "cli_test_cmds.h"
#include "tests/unit/cu_run.h"

enum {
	TEST_TEL_BUF = 16384,
	TEST_MAX_CMDS = 32,
	TEST_LONG_STRING = 130,
};

static int tel_fd = -1;	/* the telemetry socket */

static int
cmd_json(struct json_object **out, const char *json)
{
	*out = json_tokener_parse(json);
	return 0;
}

static int
cmd_nested(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	char s[TEST_LONG_STRING + 1];
	int rc;

	rc = cmd_json(out, "{\"a\":1,\"neg\":-5,\"big_neg\":-9999999999,\"flag\":true,"
		      "\"none\":null,\"dbl\":1.5,\"obj\":{\"x\":1,\"deep\":{\"y\":2,"
		      "\"list\":[1,2]},\"e\":{}},\"list\":[\"a\",\"b\"],\"nums\":[1,2],"
		      "\"mixed\":[1,\"x\"],\"negs\":[-1,2],\"objs\":[{\"n\":1},{\"n\":2}],"
		      "\"bad-key.x\":3}");
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	json_object_object_add(*out, "s", json_object_new_string(s));
	return rc;
}

static int
cmd_list(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	return cmd_json(out, "[1,2,3]");
}

static int
cmd_string(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	return cmd_json(out, "\"just text\"");
}

static int
cmd_nothing(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	return 0;
}

static const struct ctl_cmd extra_cmds[] = {
	{ "show nested", "", "nested data", cmd_nested, true },
	{ "show list", "", "a list", cmd_list, true },
	{ "show string", "", "a string", cmd_string, true },
	{ "set log-level", "<level>", "a name with a dash", cmd_nothing, true },
	{ "a command whose name is far too long for dpdk telemetry", "", "", cmd_nothing, true },
};

static struct ctl_cmd tel_cmds[TEST_MAX_CMDS];

/* Sends one telemetry request and returns the reply (caller frees). */
static char *
tel_ask(const char *req)
{
	char *buf = calloc(1, TEST_TEL_BUF + 1);
	ssize_t n;

	if (write(tel_fd, req, strlen(req)) != (ssize_t)strlen(req))
		return buf;
	n = read(tel_fd, buf, TEST_TEL_BUF);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

static void
expect_tel(const char *req, const char *want)
{
	char *got = tel_ask(req);

	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void
test_commands(void)
{
	expect_tel("/hagw/show_version",
		   "{\"/hagw/show_version\":{\"version\":\"1.2.3\",\"uptime_s\":42}}");
	/* an array of objects becomes a dict keyed by index */
	expect_tel("/hagw/show_ports", "{\"/hagw/show_ports\":{"
		   "\"0\":{\"name\":\"port0\",\"mtu\":1500,\"link\":\"up\"},"
		   "\"1\":{\"name\":\"port1\",\"mtu\":9000,\"link\":\"down\"}}}");
	expect_tel("/hagw/show_list", "{\"/hagw/show_list\":[1,2,3]}");
	expect_tel("/hagw/show_string", "{\"/hagw/show_string\":\"just text\"}");
	expect_tel("/hagw/set_log_level", "{\"/hagw/set_log_level\":{}}");
}

static void
test_params(void)
{
	expect_tel("/hagw/echo", "{\"/hagw/echo\":{\"argc\":0,\"argv\":[]}}");
	expect_tel("/hagw/echo,a b,c",
		   "{\"/hagw/echo\":{\"argc\":3,\"argv\":[\"a\",\"b\",\"c\"]}}");
}

static void
test_errors(void)
{
	char *list;

	expect_tel("/hagw/fail", "{\"/hagw/fail\":{\"error\":\"fail: bad things\"}}");
	/* commands without .telemetry are not registered */
	expect_tel("/hagw/show", "{\"/hagw/show\":null}");
	expect_tel("/hagw/fail_silently", "{\"/hagw/fail_silently\":null}");
	list = tel_ask("/");
	CU_ASSERT(strstr(list, "\"/hagw/show_ports\"") != NULL);
	CU_ASSERT(strstr(list, "\"/hagw/clear_stats\"") == NULL);
	CU_ASSERT(strstr(list, "\"/hagw/a_command") == NULL);
	free(list);
}

static void
test_flatten(void)
{
	char want[1024];
	char s[RTE_TEL_MAX_STRING_LEN];

	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	snprintf(want, sizeof(want), "{\"/hagw/show_nested\":{\"a\":1,\"neg\":-5,"
		 "\"big_neg\":\"-9999999999\",\"flag\":1,\"dbl\":\"1.5\","
		 "\"obj\":{\"x\":1,\"deep/y\":2,\"deep/list/0\":1,\"deep/list/1\":2},"
		 "\"list\":[\"a\",\"b\"],\"nums\":[1,2],\"mixed\":[\"1\",\"x\"],\"negs\":[-1,2],"
		 "\"objs\":{\"0/n\":1,\"1/n\":2},\"bad_key_x\":3,\"s\":\"%s\"}}", s);
	expect_tel("/hagw/show_nested", want);
}

static int
tel_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char hello[TEST_TEL_BUF];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    read(fd, hello, sizeof(hello)) <= 0) {
		perror(sun.sun_path);
		return -1;
	}
	return fd;
}

static int
setup(void)
{
	char *eal[] = { "test_cli_telemetry", "--no-huge", "-m", "256", "--no-pci",
			"--file-prefix", "hagw_test_cli_tel", "-l", "0", "--log-level=3", NULL };
	static struct test_ctx ctx;
	unsigned int n = 0;
	int rc;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return -1;
	for (unsigned int i = 0; i < test_n_cmds; i++)
		tel_cmds[n++] = test_cmds[i];
	for (unsigned int i = 0; i < RTE_DIM(extra_cmds); i++)
		tel_cmds[n++] = extra_cmds[i];
	rc = ctl_telemetry_register(tel_cmds, n, &ctx);
	if (rc != -ENAMETOOLONG)
		fprintf(stderr, "ctl_telemetry_register: %d, want -ENAMETOOLONG\n", rc);
	if (ctl_telemetry_register(tel_cmds, n, &ctx) != -EALREADY)
		return -1;
	tel_fd = tel_connect();
	return rc == -ENAMETOOLONG && tel_fd >= 0 ? 0 : -1;
}

int
main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (setup() < 0)
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("cli_telemetry", NULL, NULL);
	CU_add_test(s, "commands", test_commands);
	CU_add_test(s, "parameters", test_params);
	CU_add_test(s, "errors and unregistered commands", test_errors);
	CU_add_test(s, "nesting flattened", test_flatten);
	fails = cu_run_count();
	close(tel_fd);
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
