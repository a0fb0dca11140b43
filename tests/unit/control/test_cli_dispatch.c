/*
 * Unit tests: CLI dispatch (longest match, argv passing, unknown
 * commands, handler errors, help filtering) and the wire format (frame
 * lengths, request decoding and encoding, response encoding).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "cli_test_cmds.h"
#include "control/cli_wire.h"
#include "tests/unit/cu_run.h"

/* Dispatches the words and compares the response JSON exactly. */
static void
expect(int argc, const char *const *words, const char *want)
{
	struct test_ctx ctx = { 0 };
	char *argv[CTL_MAX_ARGS + 1] = { NULL };
	struct json_object *r;
	char *got;

	for (int i = 0; i < argc; i++)
		argv[i] = (char *)words[i];
	r = ctl_dispatch(test_cmds, test_n_cmds, &ctx, argc, argv);
	got = test_json(r);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	json_object_put(r);
}

#define W(...) (const char *const[]){ __VA_ARGS__ }
#define N(...) (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
#define EXPECT(want, ...) expect(N(__VA_ARGS__), W(__VA_ARGS__), want)

static void
test_longest_match(void)
{
	EXPECT("{\"ok\":true,\"data\":{\"version\":\"1.2.3\",\"uptime_s\":42}}",
	       "show", "version");
	EXPECT("{\"ok\":true,\"data\":[{\"name\":\"port0\",\"mtu\":1500,\"link\":\"up\"},"
	       "{\"name\":\"port1\",\"mtu\":9000,\"link\":\"down\"}]}", "show", "ports");
	/* "show" is a command too: the rest are its words. */
	EXPECT("{\"ok\":true,\"data\":{\"argc\":1,\"argv\":[\"portsx\"]}}", "show", "portsx");
	EXPECT("{\"ok\":true,\"data\":{\"argc\":0,\"argv\":[]}}", "show");
}

static void
test_argv_passing(void)
{
	EXPECT("{\"ok\":true,\"data\":{\"argc\":3,\"argv\":[\"a\",\"b c\",\"\"]}}",
	       "echo", "a", "b c", "");
	/* the words after "show ports" go to its handler (which ignores them) */
	EXPECT("{\"ok\":true,\"data\":[{\"name\":\"port0\",\"mtu\":1500,\"link\":\"up\"},"
	       "{\"name\":\"port1\",\"mtu\":9000,\"link\":\"down\"}]}", "show", "ports", "x");
	EXPECT("{\"ok\":true,\"data\":null}", "clear", "stats");
}

static void
test_unknown(void)
{
	EXPECT("{\"ok\":false,\"error\":\"unknown command 'no such'; try 'help'\"}", "no", "such");
	EXPECT("{\"ok\":false,\"error\":\"unknown command 'clear'; try 'help'\"}", "clear");
	EXPECT("{\"ok\":false,\"error\":\"unknown command 'Show version'; try 'help'\"}",
	       "Show", "version");
	expect(0, NULL, "{\"ok\":false,\"error\":\"empty command; try 'help'\"}");
}

static void
test_handler_error(void)
{
	struct test_ctx ctx = { 0 };
	char *argv[] = { "fail", NULL };
	struct json_object *r;

	EXPECT("{\"ok\":false,\"error\":\"fail: bad things\"}", "fail");
	EXPECT("{\"ok\":false,\"error\":\"fail silently: No such file or directory\"}", "fail",
	       "silently");
	EXPECT("{\"ok\":false,\"error\":\"usage: big N\"}", "big");
	r = ctl_dispatch(test_cmds, test_n_cmds, &ctx, 1, argv);
	CU_ASSERT_EQUAL(ctx.calls, 1);
	json_object_put(r);
}

static void
test_help(void)
{
	EXPECT("{\"ok\":true,\"data\":["
	       "{\"command\":\"show\",\"args\":\"<what>\",\"help\":\"the generic show\"},"
	       "{\"command\":\"show version\",\"args\":\"\",\"help\":\"software versions\"},"
	       "{\"command\":\"show ports\",\"args\":\"\",\"help\":\"the ports\"},"
	       "{\"command\":\"echo\",\"args\":\"[words...]\",\"help\":\"answers the words\"},"
	       "{\"command\":\"fail\",\"args\":\"\",\"help\":\"always fails\"},"
	       "{\"command\":\"fail silently\",\"args\":\"\",\"help\":\"fails without a message\"},"
	       "{\"command\":\"clear stats\",\"args\":\"\",\"help\":\"answers no data\"},"
	       "{\"command\":\"big\",\"args\":\"<n>\",\"help\":\"n objects\"},"
	       "{\"command\":\"help\",\"args\":\"[words...]\","
	       "\"help\":\"list the commands (those starting with the words given)\"}]}", "help");
	EXPECT("{\"ok\":true,\"data\":["
	       "{\"command\":\"show version\",\"args\":\"\",\"help\":\"software versions\"}]}",
	       "help", "show", "v");
	EXPECT("{\"ok\":true,\"data\":["
	       "{\"command\":\"fail\",\"args\":\"\",\"help\":\"always fails\"},"
	       "{\"command\":\"fail silently\",\"args\":\"\","
	       "\"help\":\"fails without a message\"}]}", "help", "fa");
	EXPECT("{\"ok\":true,\"data\":[{\"command\":\"help\",\"args\":\"[words...]\","
	       "\"help\":\"list the commands (those starting with the words given)\"}]}",
	       "help", "he");
	EXPECT("{\"ok\":false,\"error\":\"no command starts with 'show version x'; "
	       "try 'help'\"}", "help", "show", "version", "x");
	EXPECT("{\"ok\":false,\"error\":\"no command starts with 'zz'; try 'help'\"}",
	       "help", "zz");
}

static void
test_words_match(void)
{
	char *a[] = { "show", "ports", "x" };
	char *b[] = { "show", "po" };

	CU_ASSERT_EQUAL(ctl_words_match("show ports", 3, a, false), 2);
	CU_ASSERT_EQUAL(ctl_words_match("show  ports ", 2, a, false), 2);
	CU_ASSERT_EQUAL(ctl_words_match("show ports", 1, a, false), 0);
	CU_ASSERT_EQUAL(ctl_words_match("", 3, a, false), 0);
	CU_ASSERT_EQUAL(ctl_words_match("show ports", 2, b, true), 2);
	CU_ASSERT_EQUAL(ctl_words_match("show ports", 2, b, false), 0);
	CU_ASSERT_EQUAL(ctl_words_match("show ports", 1, b, true), 1);
	CU_ASSERT_EQUAL(ctl_words_match("show", 2, b, true), 0);
	CU_ASSERT_EQUAL(ctl_words_match("show p", 2, b, true), 0);
}

static void
test_frame_len(void)
{
	uint8_t h[CTL_FRAME_HDR_LEN];

	ctl_frame_len_put(h, 0x01020304);
	CU_ASSERT(h[0] == 1 && h[1] == 2 && h[2] == 3 && h[3] == 4);
	CU_ASSERT_EQUAL(ctl_frame_len_get(h), 0x01020304);
	ctl_frame_len_put(h, 0xffffffff);
	CU_ASSERT_EQUAL(ctl_frame_len_get(h), 0xffffffffu);
}

/* Decodes s and checks the error message, or the words joined by '|'. */
static void
expect_decode(const char *s, int want_rc, const char *want)
{
	struct ctl_request req;
	char err[CTL_ERR_LEN] = "", got[CTL_ERR_LEN] = "";
	int rc = ctl_request_decode(s, strlen(s), &req, err, sizeof(err));

	CU_ASSERT_EQUAL(rc, want_rc);
	if (rc < 0) {
		CU_ASSERT_STRING_EQUAL(err, want);
		CU_ASSERT_PTR_NULL(req.words);
		return;
	}
	for (int i = 0; i < req.argc; i++) {
		strcat(got, i > 0 ? "|" : "");
		strcat(got, req.argv[i]);
	}
	CU_ASSERT_PTR_NULL(req.argv[req.argc]);
	CU_ASSERT_STRING_EQUAL(got, want);
	ctl_request_free(&req);
}

static void
test_request_decode(void)
{
	char many[1024] = "{\"argv\":[\"w\"";

	expect_decode("{\"argv\":[\"show\",\"ports\"]}", 0, "show|ports");
	expect_decode(" {\"argv\": [], \"future\": 1}\n", 0, "");
	expect_decode("{\"argv\":[\"\\u00e9t\\u00e9\"]}", 0, "\xc3\xa9t\xc3\xa9");
	expect_decode("{\"argv\":[\"a\\u0000b\"]}", -EINVAL, "argv[0] contains a NUL character");
	expect_decode("{\"argv\":[\"a\",1]}", -EINVAL, "argv[1] is not a string");
	expect_decode("{\"argv\":\"show\"}", -EINVAL,
		      "request must be an object with an \"argv\" array");
	expect_decode("[\"show\"]", -EINVAL, "request must be an object with an \"argv\" array");
	expect_decode("{\"args\":[]}", -EINVAL, "request must be an object with an \"argv\" array");
	expect_decode("{\"argv\":[", -EINVAL, "invalid JSON: unexpected end of data");
	expect_decode("", -EINVAL, "invalid JSON: unexpected end of data");
	expect_decode("{\"argv\":[]} {}", -EINVAL,
		      "invalid JSON: unexpected character at offset 12");
	expect_decode("{\"argv\":[]}\n\n]", -EINVAL,
		      "invalid JSON: unexpected character at offset 13");
	expect_decode("{\"argv\":[\"a\",]}", -EINVAL,
		      "invalid JSON: unexpected character at offset 13");
	expect_decode("{\"argv\":[\"\xff\"]}", -EINVAL,
		      "invalid JSON: invalid utf-8 string at offset 10");
	for (int i = 1; i <= CTL_MAX_ARGS; i++)
		strcat(many, ",\"w\"");
	strcat(many, "]}");
	expect_decode(many, -E2BIG, "too many words: 33 (max 32)");
}

static void
test_request_encode(void)
{
	char *argv[CTL_MAX_ARGS + 1] = { "show", "a/b \"q\"" };
	const char *want = "{\"argv\":[\"show\",\"a/b \\\"q\\\"\"]}";
	uint8_t *f;
	size_t len;

	CU_ASSERT_EQUAL(ctl_request_encode(2, argv, &f, &len), 0);
	CU_ASSERT_EQUAL(len, CTL_FRAME_HDR_LEN + strlen(want));
	CU_ASSERT_EQUAL(ctl_frame_len_get(f), strlen(want));
	CU_ASSERT(memcmp(f + CTL_FRAME_HDR_LEN, want, strlen(want)) == 0);
	free(f);
	for (int i = 0; i <= CTL_MAX_ARGS; i++)
		argv[i] = "w";
	CU_ASSERT_EQUAL(ctl_request_encode(CTL_MAX_ARGS + 1, argv, &f, &len), -E2BIG);
}

static void
test_response_encode(void)
{
	const char *want = "{\"ok\":false,\"error\":\"x/y\"}";
	struct json_object *big = json_object_new_object();
	char *s = malloc(CTL_MAX_RESPONSE);
	uint8_t *f;
	size_t len;

	CU_ASSERT_EQUAL(ctl_response_encode(ctl_response_error("x/y"), &f, &len), 0);
	CU_ASSERT_EQUAL(len, CTL_FRAME_HDR_LEN + strlen(want));
	CU_ASSERT(memcmp(f + CTL_FRAME_HDR_LEN, want, strlen(want)) == 0);
	free(f);
	/* the key and the quotes push it just over the limit */
	memset(s, 'a', CTL_MAX_RESPONSE - 1);
	s[CTL_MAX_RESPONSE - 1] = '\0';
	json_object_object_add(big, "data", json_object_new_string(s));
	free(s);
	want = "{\"ok\":false,\"error\":\"response too large: 16777226 bytes (max 16777216)\"}";
	CU_ASSERT_EQUAL(ctl_response_encode(big, &f, &len), 0);
	CU_ASSERT_EQUAL(len, CTL_FRAME_HDR_LEN + strlen(want));
	CU_ASSERT(memcmp(f + CTL_FRAME_HDR_LEN, want, strlen(want)) == 0);
	free(f);
}

static void
test_response_decode(void)
{
	const char *ok = "{\"ok\":true,\"data\":null}";
	const char *bad[] = { "{\"ok\":1}", "{\"ok\":false}", "{\"ok\":false,\"error\":1}", "[]" };
	char err[CTL_ERR_LEN];
	struct json_object *r = ctl_response_decode(ok, strlen(ok), err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL(r);
	json_object_put(r);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_PTR_NULL(ctl_response_decode(bad[i], strlen(bad[i]), err, sizeof(err)));
		CU_ASSERT_STRING_EQUAL(err, "malformed response");
	}
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("cli_dispatch", NULL, NULL);
	CU_add_test(s, "longest match", test_longest_match);
	CU_add_test(s, "argv passing", test_argv_passing);
	CU_add_test(s, "unknown command", test_unknown);
	CU_add_test(s, "handler error", test_handler_error);
	CU_add_test(s, "help filtering", test_help);
	CU_add_test(s, "words match", test_words_match);
	CU_add_test(s, "frame length", test_frame_len);
	CU_add_test(s, "request decode", test_request_decode);
	CU_add_test(s, "request encode", test_request_encode);
	CU_add_test(s, "response encode", test_response_encode);
	CU_add_test(s, "response decode", test_response_decode);
	return cu_run_registered();
}
