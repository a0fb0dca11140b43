/*
 * Unit tests: hagwctl's text rendering of CLI JSON (tools/json_text.c):
 * objects, nested objects, counter groups, tables, lists, scalars,
 * escaping, and the help table.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "tests/unit/cu_run.h"
#include "tools/json_text.h"

/* Renders the JSON text and compares the output exactly. */
static void
expect_render(const char *json, const char *want)
{
	struct json_object *o = json_tokener_parse(json);
	char *got;

	CU_ASSERT_FATAL(o != NULL || strcmp(json, "null") == 0);
	got = json_text_render(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	json_object_put(o);
}

static void
test_object(void)
{
	expect_render("{\"version\":\"0.1.0\",\"dpdk\":\"DPDK 22.11.11\",\"pid\":1234,"
		      "\"up\":true,\"standby\":false,\"via\":null,\"rate\":1.5,"
		      "\"ipv4\":[\"192.0.2.1/24\",\"198.51.100.1/24\"],\"ipv6\":[],\"opts\":{}}",
		      "version:  0.1.0\n"
		      "dpdk:     DPDK 22.11.11\n"
		      "pid:      1234\n"
		      "up:       yes\n"
		      "standby:  no\n"
		      "via:      -\n"
		      "rate:     1.5\n"
		      "ipv4:     192.0.2.1/24, 198.51.100.1/24\n"
		      "ipv6:     -\n"
		      "opts:     -\n");
}

static void
test_nested(void)
{
	expect_render("{\"name\":\"port0\",\"link\":{\"state\":\"up\",\"speed_mbps\":10000,"
		      "\"peer\":{\"mac\":\"02:00:00:00:00:01\"}},\"mtu\":1500}",
		      "name:  port0\n"
		      "link:\n"
		      "  state:       up\n"
		      "  speed_mbps:  10000\n"
		      "  peer:\n"
		      "    mac:  02:00:00:00:00:01\n"
		      "mtu:   1500\n");
}

/* All-integer objects (drop counters) get right-aligned numbers. */
static void
test_counter_group(void)
{
	expect_render("{\"drops\":{\"no_route\":0,\"ttl_exceeded\":12345,\"bad_checksum\":7},"
		      "\"total\":12352}",
		      "drops:\n"
		      "  no_route:          0\n"
		      "  ttl_exceeded:  12345\n"
		      "  bad_checksum:      7\n"
		      "total:  12352\n");
}

static void
test_table(void)
{
	expect_render("[{\"prefix\":\"10.0.0.0/8\",\"kind\":\"gateway\",\"port\":\"port0\","
		      "\"via\":\"192.0.2.1\"},{\"prefix\":\"192.0.2.0/24\",\"kind\":\"connected\","
		      "\"port\":\"port0\",\"via\":null}]",
		      "prefix        kind       port   via\n"
		      "10.0.0.0/8    gateway    port0  192.0.2.1\n"
		      "192.0.2.0/24  connected  port0  -\n");
	/* numeric columns right-aligned; keys missing in a row show "-";
	 * keys first seen in later rows are added at the end */
	expect_render("[{\"index\":0,\"lcore\":1,\"rx\":1000000,\"name\":\"w0\"},"
		      "{\"index\":11,\"rx\":5,\"name\":\"worker1\",\"ipv4\":[\"a\",\"b\"]}]",
		      "index  lcore       rx  name     ipv4\n"
		      "    0      1  1000000  w0       -\n"
		      "   11      -        5  worker1  a, b\n");
	expect_render("[]", "(none)\n");
}

static void
test_nested_table(void)
{
	expect_render("{\"workers\":[{\"index\":0,\"lcore\":1},{\"index\":1,\"lcore\":2}],"
		      "\"resources\":{\"mbufs\":8192,\"in_use\":100},\"routes\":[]}",
		      "workers:\n"
		      "  index  lcore\n"
		      "      0      1\n"
		      "      1      2\n"
		      "resources:\n"
		      "  mbufs:   8192\n"
		      "  in_use:   100\n"
		      "routes:  -\n");
}

/* Objects holding objects cannot be table rows: blocks, blank lines between. */
static void
test_blocks(void)
{
	expect_render("{\"ports\":[{\"name\":\"port0\",\"drops\":{\"no_route\":3}},"
		      "{\"name\":\"port1\",\"drops\":{\"no_route\":10}}]}",
		      "ports:\n"
		      "  name:  port0\n"
		      "  drops:\n"
		      "    no_route:  3\n"
		      "\n"
		      "  name:  port1\n"
		      "  drops:\n"
		      "    no_route:  10\n");
	expect_render("[[1,2],{\"a\":1},\"x\"]", "1, 2\n\na:  1\n\nx\n");
}

static void
test_scalars(void)
{
	expect_render("null", "");
	expect_render("{}", "");
	expect_render("true", "yes\n");
	expect_render("-42", "-42\n");
	expect_render("18446744073709551615", "18446744073709551615\n");
	expect_render("0.25", "0.25\n");
	expect_render("\"text\"", "text\n");
	expect_render("[1,\"two\",null,false]", "1, two, -, no\n");
}

/* Control characters from peers must not reach the terminal raw. */
static void
test_escaping(void)
{
	expect_render("\"a\\u001b[31mb\\nc\\u007f\\u009bd\\u00e9\"",
		      "a\\x1b[31mb\\x0ac\\x7f\\u009bd\xc3\xa9\n");
	expect_render("{\"id\":\"\\u001b\",\"\\u00e9t\\u00e9\":1}",
		      "id:   \\x1b\n"
		      "\xc3\xa9t\xc3\xa9:  1\n");
	expect_render("[{\"k\":\"\\t\"},{\"k\":\"ab\"}]", "k\n\\x09\nab\n");
}

static void
test_help(void)
{
	struct json_object *t = json_tokener_parse(
		"[{\"command\":\"show ports\",\"args\":\"\",\"help\":\"the ports\"},"
		"{\"command\":\"set log-level\",\"args\":\"err|info\",\"help\":\"log level\"},"
		"{\"command\":\"shutdown\",\"args\":\"\",\"help\":\"\"},"
		"{\"command\":\"help\",\"args\":\"[words...]\",\"help\":\"list commands\"}]");
	char *got = json_text_help(t);

	CU_ASSERT_STRING_EQUAL(got,
			       "show ports              the ports\n"
			       "set log-level err|info  log level\n"
			       "shutdown\n"
			       "help [words...]         list commands\n");
	free(got);
	json_object_put(t);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("json_text", NULL, NULL);
	CU_add_test(s, "object", test_object);
	CU_add_test(s, "nested objects", test_nested);
	CU_add_test(s, "counter group", test_counter_group);
	CU_add_test(s, "table", test_table);
	CU_add_test(s, "tables in objects", test_nested_table);
	CU_add_test(s, "blocks", test_blocks);
	CU_add_test(s, "scalars", test_scalars);
	CU_add_test(s, "escaping", test_escaping);
	CU_add_test(s, "help", test_help);
	return cu_run_registered();
}
