/*
 * A small CLI command table shared by the control unit tests: fixed
 * answers, argv echo, failures, and a response as large as asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli_test_cmds.h"

enum {
	TEST_BIG_MAX = 1000 * 1000,
};

static int
cmd_version(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *o = json_object_new_object();

	((struct test_ctx *)ctx)->calls++;
	json_object_object_add(o, "version", json_object_new_string("1.2.3"));
	json_object_object_add(o, "uptime_s", json_object_new_uint64(42));
	*out = o;
	return 0;
}

static struct json_object *
port(const char *name, uint64_t mtu, const char *link)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "mtu", json_object_new_uint64(mtu));
	json_object_object_add(o, "link", json_object_new_string(link));
	return o;
}

static int
cmd_ports(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *a = json_object_new_array();

	((struct test_ctx *)ctx)->calls++;
	json_object_array_add(a, port("port0", 1500, "up"));
	json_object_array_add(a, port("port1", 9000, "down"));
	*out = a;
	return 0;
}

/* {"argc": n, "argv": [...]} */
static int
cmd_echo(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();

	((struct test_ctx *)ctx)->calls++;
	for (int i = 0; i < argc; i++)
		json_object_array_add(a, json_object_new_string(argv[i]));
	json_object_object_add(o, "argc", json_object_new_int(argc));
	json_object_object_add(o, "argv", a);
	*out = o;
	return 0;
}

static int
cmd_fail(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	((struct test_ctx *)ctx)->calls++;
	*out = json_object_new_object();	/* must be dropped by dispatch */
	snprintf(err, len, "fail: bad things");
	return -EINVAL;
}

static int
cmd_fail_silently(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t len)
{
	((struct test_ctx *)ctx)->calls++;
	return -ENOENT;
}

static int
cmd_nothing(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	((struct test_ctx *)ctx)->calls++;
	return 0;
}

/* "big N": N route-like objects. */
static int
cmd_big(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *a;
	long n;
	char buf[32];

	((struct test_ctx *)ctx)->calls++;
	n = argc == 1 ? strtol(argv[0], NULL, 10) : -1;
	if (n < 0 || n > TEST_BIG_MAX) {
		snprintf(err, len, "usage: big N");
		return -EINVAL;
	}
	a = json_object_new_array();
	for (long i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		snprintf(buf, sizeof(buf), "10.%ld.%ld.0/24", i / 256 % 256, i % 256);
		json_object_object_add(o, "prefix", json_object_new_string(buf));
		json_object_object_add(o, "index", json_object_new_int64(i));
		json_object_array_add(a, o);
	}
	*out = a;
	return 0;
}

const struct ctl_cmd test_cmds[] = {
	{ "show", "<what>", "the generic show", cmd_echo, false },
	{ "show version", "", "software versions", cmd_version, true },
	{ "show ports", "", "the ports", cmd_ports, true },
	{ "echo", "[words...]", "answers the words", cmd_echo, true },
	{ "fail", "", "always fails", cmd_fail, true },
	{ "fail silently", "", "fails without a message", cmd_fail_silently, false },
	{ "clear stats", "", "answers no data", cmd_nothing, false },
	{ "big", "<n>", "n objects", cmd_big, false },
};

const unsigned int test_n_cmds = sizeof(test_cmds) / sizeof(test_cmds[0]);

char *
test_json(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);

	return strdup(s);
}
