/*
 * Unit tests of traffic selector narrowing (ike/ike_ts_narrow.c, RFC 7296
 * §2.9, §3.13.1): intersections of address ranges (partial overlap,
 * containment, disjoint, one address), protocols (any vs specific), ports
 * (any vs one, ranges, OPAQUE, ICMP type/code as plain ranges), families;
 * narrowing of sets (several selectors, the packet-specific first one,
 * redundancy, the IKE_TS_MAX cap, the responder's pair, "dynamic" hosts);
 * containment for §2.9.2; builders; and the text for show commands.
 * Table-driven; selectors written as text and compared as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "ike/ike_ts_narrow.h"
#include "tests/unit/cu_run.h"

enum {
	SPEC_LEN = 128,
	SET_TEXT_LEN = 8 * IKE_TS_STR_LEN,
};

static void
check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s: got \"%s\", want \"%s\"\n", what, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/*
 * A selector from text: "ADDR/LEN" or "LO..HI", then optionally
 * "|PROTO" and "|START-END" (ports), e.g. "10.0.0.0/8|6|80-80". An
 * unknown type "?" and an empty range "!" are test-only forms.
 */
static struct ike_ts
ts(const char *spec)
{
	char a[SPEC_LEN], lo[SPEC_LEN], hi[SPEC_LEN];
	unsigned int proto = 0, sp = IKE_TS_PORT_ANY_START, ep = IKE_TS_PORT_ANY_END, len = 0;
	uint8_t blo[16], bhi[16];
	struct ike_ts t;
	char *bar, *dots, *slash;
	int family, rc;

	memset(&t, 0, sizeof(t));
	snprintf(a, sizeof(a), "%s", spec);
	bar = strchr(a, '|');
	if (bar != NULL) {
		*bar = '\0';
		if (sscanf(bar + 1, "%u|%u-%u", &proto, &sp, &ep) < 1)
			CU_FAIL("bad test spec");
	}
	if (strcmp(a, "?") == 0) {
		t.type = 99;
		return t;
	}
	family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
	dots = strstr(a, "..");
	slash = strchr(a, '/');
	if (dots != NULL) {
		*dots = '\0';
		snprintf(lo, sizeof(lo), "%s", a);
		snprintf(hi, sizeof(hi), "%s", dots + 2);
	} else {
		if (slash != NULL) {
			*slash = '\0';
			len = (unsigned int)atoi(slash + 1);
		}
		snprintf(lo, sizeof(lo), "%s", a);
		snprintf(hi, sizeof(hi), "%s", a);
	}
	CU_ASSERT_EQUAL_FATAL(inet_pton(family, lo, blo), 1);
	CU_ASSERT_EQUAL_FATAL(inet_pton(family, hi, bhi), 1);
	if (dots != NULL)
		rc = ike_ts_from_range(&t, (uint8_t)family, blo, bhi, (uint8_t)proto,
				       (uint16_t)sp, (uint16_t)ep);
	else if (slash == NULL)
		rc = ike_ts_from_range(&t, (uint8_t)family, blo, blo, (uint8_t)proto,
				       (uint16_t)sp, (uint16_t)ep);
	else
		rc = ike_ts_from_prefix(&t, (uint8_t)family, blo, (uint8_t)len, (uint8_t)proto,
					(uint16_t)sp, (uint16_t)ep);
	if (rc != 0)
		fprintf(stderr, "\ntest spec %s: %d\n", spec, rc);
	CU_ASSERT_EQUAL(rc, 0);
	return t;
}

static struct ike_ts_set
set(const char *const *specs)
{
	struct ike_ts_set s;

	memset(&s, 0, sizeof(s));
	for (; *specs != NULL && s.n < IKE_TS_MAX; specs++)
		s.ts[s.n++] = ts(*specs);
	return s;
}

static const char *
text(const struct ike_ts *t, char *buf)
{
	CU_ASSERT_EQUAL(ike_ts_to_string(t, buf, IKE_TS_STR_LEN), 0);
	return buf;
}

static const char *
set_text(const struct ike_ts_set *s, char *buf)
{
	CU_ASSERT_EQUAL(ike_ts_set_to_string(s, buf, SET_TEXT_LEN), 0);
	return buf;
}

/* ---- one selector with another ---- */

struct isect_case {
	const char *name;
	const char *a, *b;
	const char *want;       /* NULL: no intersection */
};

static const struct isect_case isect_cases[] = {
	{ "partial overlap", "10.0.0.0..10.0.0.100", "10.0.0.50..10.0.0.200",
	  "10.0.0.50..10.0.0.100" },
	{ "contained", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/24" },
	{ "contained, other order", "10.0.1.0/24", "10.0.0.0/16", "10.0.1.0/24" },
	{ "equal", "192.0.2.0/24", "192.0.2.0/24", "192.0.2.0/24" },
	{ "disjoint", "10.0.0.0/24", "10.0.1.0/24", NULL },
	{ "adjacent", "10.0.0.0..10.0.0.9", "10.0.0.10..10.0.0.20", NULL },
	{ "touching at one address", "10.0.0.0..10.0.0.10", "10.0.0.10..10.0.0.20",
	  "10.0.0.10/32" },
	{ "everything", "0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0" },
	{ "any protocol vs tcp", "0.0.0.0/0", "10.0.0.0/8|6", "10.0.0.0/8[tcp]" },
	{ "tcp vs any protocol", "10.0.0.0/8|6", "0.0.0.0/0", "10.0.0.0/8[tcp]" },
	{ "tcp vs tcp", "10.0.0.0/8|6", "10.1.0.0/16|6", "10.1.0.0/16[tcp]" },
	{ "tcp vs udp", "10.0.0.0/8|6", "10.0.0.0/8|17", NULL },
	{ "all ports vs one", "10.0.0.0/8|6|0-65535", "10.0.0.0/8|6|80-80",
	  "10.0.0.0/8[tcp/80]" },
	{ "any protocol, one port", "10.0.0.0/8|0|53-53", "10.0.0.0/8", "10.0.0.0/8[any/53]" },
	{ "port ranges overlap", "10.0.0.0/8|17|1000-2000", "0.0.0.0/0|17|1500-3000",
	  "10.0.0.0/8[udp/1500-2000]" },
	{ "ports disjoint", "10.0.0.0/8|6|80-80", "10.0.0.0/8|6|443-443", NULL },
	{ "ICMP type 8, any code (RFC 4301 §4.4.1.3)", "0.0.0.0/0|1|2048-2303", "10.0.0.0/8|1",
	  "10.0.0.0/8[icmp/2048-2303]" },
	{ "ICMP type/code narrowed", "0.0.0.0/0|1|2048-2048", "0.0.0.0/0|1|0-2303",
	  "0.0.0.0/0[icmp/2048]" },
	{ "OPAQUE vs any ports", "10.0.0.0/8|17|65535-0", "10.0.0.0/8|17",
	  "10.0.0.0/8[udp/opaque]" },
	{ "any ports vs OPAQUE", "10.0.0.0/8", "10.0.0.0/8|17|65535-0", "10.0.0.0/8[udp/opaque]" },
	{ "OPAQUE vs OPAQUE", "10.0.0.0/8|17|65535-0", "10.0.0.0/8|17|65535-0",
	  "10.0.0.0/8[udp/opaque]" },
	{ "OPAQUE vs one port", "10.0.0.0/8|17|65535-0", "10.0.0.0/8|17|53-53", NULL },
	{ "IPv4 vs IPv6", "0.0.0.0/0", "::/0", NULL },
	{ "IPv6 contained", "2001:db8::/32", "2001:db8:1::/48|6|443-443",
	  "2001:db8:1::/48[tcp/443]" },
	{ "IPv6 partial", "2001:db8::1..2001:db8::ff", "2001:db8::80..2001:db8::1:0",
	  "2001:db8::80/121" },
	{ "IPv6 disjoint", "2001:db8::/64", "2001:db8:0:1::/64", NULL },
	{ "unknown type", "?", "0.0.0.0/0", NULL },
	{ "unknown type both", "?", "?", NULL },
};

static void
test_intersect_table(void)
{
	char buf[IKE_TS_STR_LEN];

	for (size_t i = 0; i < sizeof(isect_cases) / sizeof(isect_cases[0]); i++) {
		const struct isect_case *c = &isect_cases[i];
		struct ike_ts a = ts(c->a), b = ts(c->b), out;
		bool ok = ike_ts_intersect(&a, &b, &out);

		if (ok != (c->want != NULL))
			fprintf(stderr, "\n%s: intersect %d\n", c->name, ok);
		CU_ASSERT_EQUAL(ok, c->want != NULL);
		if (ok)
			check_str(c->name, text(&out, buf), c->want);
		else
			CU_ASSERT_EQUAL(out.type, 0);
	}
}

static void
test_intersect_empty_inputs(void)
{
	static const uint8_t hi[4] = { 10, 0, 0, 9 }, lo[4] = { 10, 0, 0, 1 };
	struct ike_ts a = ts("10.0.0.0/8"), b = ts("10.0.0.0/8"), out;

	/* start above end: address, then ports */
	memcpy(b.start, hi, sizeof(hi));
	memcpy(b.end, lo, sizeof(lo));
	CU_ASSERT_TRUE(ike_ts_is_empty(&b));
	CU_ASSERT_FALSE(ike_ts_intersect(&a, &b, &out));
	CU_ASSERT_FALSE(ike_ts_intersect(&b, &a, &out));
	b = ts("10.0.0.0/8|6");
	b.start_port = 90;
	b.end_port = 80;
	CU_ASSERT_TRUE(ike_ts_is_empty(&b));
	CU_ASSERT_FALSE(ike_ts_intersect(&a, &b, &out));
	CU_ASSERT_FALSE(ike_ts_intersect(&b, &a, &out));
	CU_ASSERT_FALSE(ike_ts_is_empty(&a));
	b = ts("10.0.0.0/8|17|65535-0");
	CU_ASSERT_FALSE(ike_ts_is_empty(&b));
	b = ts("?");
	CU_ASSERT_TRUE(ike_ts_is_empty(&b));
}

/* ---- sets ---- */

struct narrow_case {
	const char *name;
	const char *theirs[IKE_TS_MAX + 1];
	const char *ours[IKE_TS_MAX + 1];
	int rc;
	const char *want;
};

static const struct narrow_case narrow_cases[] = {
	{ "ours within theirs", { "0.0.0.0/0" }, { "10.1.0.0/16", "10.2.0.0/16" }, 0,
	  "10.1.0.0/16, 10.2.0.0/16" },
	{ "theirs within ours", { "10.1.2.0/24", "10.2.0.0/16|6" }, { "10.0.0.0/8" }, 0,
	  "10.1.2.0/24, 10.2.0.0/16[tcp]" },
	{ "packet selector first, then a covering range",
	  { "10.1.0.5/32|6|80-80", "10.1.0.0/24" }, { "10.0.0.0/8" }, 0, "10.1.0.0/24" },
	{ "packet selector first, range not acceptable",
	  { "10.1.0.5/32|6|80-80", "10.9.0.0/24" }, { "10.1.0.0/16" }, 0,
	  "10.1.0.5/32[tcp/80]" },
	{ "packet selector first, range narrowed",
	  { "10.1.0.5/32|6|80-80", "10.1.0.0/24", "192.168.0.0/16" },
	  { "10.1.0.0/25", "192.168.5.0/24" }, 0, "10.1.0.0/25, 192.168.5.0/24" },
	{ "the range holding the packet selector stays first",
	  { "10.1.0.200/32|17|53-53", "10.1.0.0/24" }, { "10.1.0.128/25", "10.1.0.0/26" }, 0,
	  "10.1.0.128/25, 10.1.0.0/26" },
	{ "mixed families ignored", { "0.0.0.0/0", "::/0" }, { "10.0.0.0/8" }, 0, "10.0.0.0/8" },
	{ "both families", { "0.0.0.0/0", "::/0" }, { "2001:db8::/32", "10.0.0.0/8" }, 0,
	  "10.0.0.0/8, 2001:db8::/32" },
	{ "other family only", { "0.0.0.0/0" }, { "2001:db8::/32" }, -ENOENT, "" },
	{ "disjoint", { "10.0.0.0/24", "10.0.2.0/24" }, { "10.0.1.0/24" }, -ENOENT, "" },
	{ "protocols disjoint", { "10.0.0.0/8|6" }, { "10.0.0.0/8|17" }, -ENOENT, "" },
	{ "duplicates once", { "10.0.0.0/8", "10.0.0.0/16" }, { "10.0.0.0/16" }, 0,
	  "10.0.0.0/16" },
	{ "a later narrower one dropped", { "10.0.0.0/24", "10.0.0.5/32|6", "10.0.0.0/25" },
	  { "0.0.0.0/0" }, 0, "10.0.0.0/24" },
	{ "a later one covers two earlier",
	  { "10.0.0.1/32", "10.0.0.3/32", "10.0.0.0/24" }, { "0.0.0.0/0" }, 0, "10.0.0.0/24" },
	{ "a later one covers the second", { "10.0.0.1/32", "10.0.1.0/32", "10.0.1.0/24" },
	  { "0.0.0.0/0" }, 0, "10.0.0.1/32, 10.0.1.0/24" },
	{ "ports narrowed per selector", { "10.0.0.0/8|0|0-65535" },
	  { "10.0.0.0/8|6|80-80", "10.0.0.0/8|6|443-443" }, 0,
	  "10.0.0.0/8[tcp/80], 10.0.0.0/8[tcp/443]" },
	{ "unknown type ignored", { "?", "10.0.0.0/8" }, { "0.0.0.0/0" }, 0, "10.0.0.0/8" },
	{ "only unknown types", { "?" }, { "0.0.0.0/0" }, -ENOENT, "" },
	{ "nothing of theirs", { NULL }, { "0.0.0.0/0" }, -ENOENT, "" },
	{ "nothing of ours", { "0.0.0.0/0" }, { NULL }, -ENOENT, "" },
};

static void
test_narrow_table(void)
{
	char buf[SET_TEXT_LEN];

	for (size_t i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++) {
		const struct narrow_case *c = &narrow_cases[i];
		struct ike_ts_set theirs = set(c->theirs), ours = set(c->ours), out;
		int rc = ike_ts_narrow(&theirs, &ours, &out);

		if (rc != c->rc)
			fprintf(stderr, "\n%s: rc %d\n", c->name, rc);
		CU_ASSERT_EQUAL(rc, c->rc);
		check_str(c->name, set_text(&out, buf), c->want);
		/* what was narrowed lies within both */
		if (rc == 0) {
			CU_ASSERT_TRUE(ike_ts_set_within(&out, &theirs));
			CU_ASSERT_TRUE(ike_ts_set_within(&out, &ours));
		}
	}
}

static void
test_narrow_cap(void)
{
	static const char *const theirs_s[] = {
		"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24",
		"10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24", "10.0.7.0/24", NULL,
	};
	static const char *const ours_s[] = { "10.0.0.0/8|6", "10.0.0.0/8|17", NULL };
	struct ike_ts_set theirs = set(theirs_s), ours = set(ours_s), out;
	char buf[IKE_TS_STR_LEN];

	CU_ASSERT_EQUAL(ike_ts_narrow(&theirs, &ours, &out), 0);
	CU_ASSERT_EQUAL(out.n, IKE_TS_MAX);
	check_str("cap first", text(&out.ts[0], buf), "10.0.0.0/24[tcp]");
	check_str("cap second", text(&out.ts[1], buf), "10.0.0.0/24[udp]");
	check_str("cap last", text(&out.ts[IKE_TS_MAX - 1], buf), "10.0.3.0/24[udp]");
	/* a count above IKE_TS_MAX is not trusted */
	theirs.n = 200;
	CU_ASSERT_EQUAL(ike_ts_narrow(&theirs, &ours, &out), 0);
	CU_ASSERT_EQUAL(out.n, IKE_TS_MAX);
}

static void
test_narrow_responder(void)
{
	static const char *const any_s[] = { "0.0.0.0/0", "::/0", NULL };
	static const char *const local_s[] = { "10.1.0.0/16", NULL };
	struct ike_ts_set tsi = set(any_s), tsr = set(any_s), local = set(local_s);
	struct ike_ts_set remote, out_i, out_r;
	struct ike_addr vip = { .family = AF_INET, .port = 4500 };
	char buf[SET_TEXT_LEN];

	/* a road warrior asking for everything, its virtual IP as "dynamic" */
	inet_pton(AF_INET, "10.3.0.7", vip.ip);
	memset(&remote, 0, sizeof(remote));
	CU_ASSERT_EQUAL(ike_ts_from_addr(&remote.ts[0], &vip, 0, IKE_TS_PORT_ANY_START,
					 IKE_TS_PORT_ANY_END), 0);
	remote.n = 1;
	CU_ASSERT_EQUAL(ike_ts_narrow_responder(&tsi, &tsr, &local, &remote, &out_i, &out_r), 0);
	check_str("responder TSi", set_text(&out_i, buf), "10.3.0.7/32");
	check_str("responder TSr", set_text(&out_r, buf), "10.1.0.0/16");
	/* its TSi naming another host: TS_UNACCEPTABLE, both sides empty */
	tsi = set((const char *const[]){ "10.3.0.8/32", NULL });
	CU_ASSERT_EQUAL(ike_ts_narrow_responder(&tsi, &tsr, &local, &remote, &out_i, &out_r),
			-ENOENT);
	CU_ASSERT_EQUAL(out_i.n, 0);
	CU_ASSERT_EQUAL(out_r.n, 0);
	/* TSr outside our local side */
	tsi = set(any_s);
	tsr = set((const char *const[]){ "192.168.0.0/16", NULL });
	CU_ASSERT_EQUAL(ike_ts_narrow_responder(&tsi, &tsr, &local, &remote, &out_i, &out_r),
			-ENOENT);
	CU_ASSERT_EQUAL(out_i.n, 0);
}

/* ---- containment (§2.9.2 and the initiator's check) ---- */

struct within_case {
	const char *sub[IKE_TS_MAX + 1];
	const char *super[IKE_TS_MAX + 1];
	bool want;
};

static const struct within_case within_cases[] = {
	{ { "10.1.0.0/24" }, { "10.0.0.0/8" }, true },
	{ { "10.1.0.0/24", "11.0.0.0/8" }, { "10.0.0.0/8" }, false },
	{ { "10.1.0.0/24", "11.0.0.0/8" }, { "10.0.0.0/8", "11.0.0.0/8" }, true },
	{ { "10.0.0.0/8" }, { "10.0.0.0/8" }, true },
	{ { "10.0.0.0/7" }, { "10.0.0.0/8" }, false },
	{ { "10.1.0.0/24|6" }, { "10.0.0.0/8" }, true },
	{ { "10.0.0.0/8" }, { "10.0.0.0/8|6" }, false },
	{ { "10.0.0.0/8|6|80-80" }, { "10.0.0.0/8|6|1-1024" }, true },
	{ { "10.0.0.0/8|6|80-2000" }, { "10.0.0.0/8|6|1-1024" }, false },
	{ { "10.0.0.0/8|17|65535-0" }, { "10.0.0.0/8" }, true },
	{ { "10.0.0.0/8|17" }, { "10.0.0.0/8|17|65535-0" }, false },
	{ { "10.0.0.0/8|17|65535-0" }, { "10.0.0.0/8|17|1-65535" }, false },
	{ { "::/0" }, { "0.0.0.0/0" }, false },
	{ { "2001:db8::5" }, { "2001:db8::/64" }, true },
	{ { NULL }, { "0.0.0.0/0" }, false },
	{ { "?" }, { "0.0.0.0/0" }, false },
};

static void
test_within_table(void)
{
	for (size_t i = 0; i < sizeof(within_cases) / sizeof(within_cases[0]); i++) {
		struct ike_ts_set sub = set(within_cases[i].sub);
		struct ike_ts_set super = set(within_cases[i].super);

		if (ike_ts_set_within(&sub, &super) != within_cases[i].want)
			fprintf(stderr, "\nwithin row %zu\n", i);
		CU_ASSERT_EQUAL(ike_ts_set_within(&sub, &super), within_cases[i].want);
	}
}

/* ---- builders ---- */

static void
test_builders(void)
{
	static const uint8_t v4[4] = { 10, 1, 2, 3 };
	static const uint8_t v4_lo[4] = { 10, 1, 0, 0 }, v4_hi[4] = { 10, 1, 255, 255 };
	static const uint8_t zero12[12];
	uint8_t v6[16];
	struct ike_ts t;
	struct ike_addr a6 = { .family = AF_INET6 };
	char buf[IKE_TS_STR_LEN];

	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 16, IPPROTO_TCP, 80, 80), 0);
	CU_ASSERT_EQUAL(t.type, IKE_TS_IPV4_ADDR_RANGE);
	CU_ASSERT_EQUAL(t.ip_proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(t.start_port, 80);
	CU_ASSERT_EQUAL(t.end_port, 80);
	CU_ASSERT_EQUAL(memcmp(t.start, v4_lo, 4), 0);      /* host bits cleared */
	CU_ASSERT_EQUAL(memcmp(t.end, v4_hi, 4), 0);
	CU_ASSERT_EQUAL(memcmp(t.start + 4, zero12, 12), 0);
	CU_ASSERT_EQUAL(memcmp(t.end + 4, zero12, 12), 0);
	check_str("prefix", text(&t, buf), "10.1.0.0/16[tcp/80]");
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 0, 0, 0, 65535), 0);
	check_str("prefix 0", text(&t, buf), "0.0.0.0/0");
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 32, 0, 0, 65535), 0);
	check_str("prefix 32", text(&t, buf), "10.1.2.3/32");
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 33, 0, 0, 65535), -EINVAL);
	CU_ASSERT_EQUAL(t.type, 0);
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_UNSPEC, v4, 8, 0, 0, 65535), -EINVAL);
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 8, 6, 81, 80), -EINVAL);
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET, v4, 8, 17, 65535, 0), 0);
	check_str("opaque", text(&t, buf), "10.0.0.0/8[udp/opaque]");

	inet_pton(AF_INET6, "2001:db8::1", v6);
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET6, v6, 129, 0, 0, 65535), -EINVAL);
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET6, v6, 0, 0, 0, 65535), 0);
	check_str("v6 prefix 0", text(&t, buf), "::/0");
	CU_ASSERT_EQUAL(ike_ts_from_prefix(&t, AF_INET6, v6, 47, IPPROTO_ICMPV6, 0, 65535), 0);
	check_str("v6 prefix", text(&t, buf), "2001:db8::/47[ipv6-icmp]");

	CU_ASSERT_EQUAL(ike_ts_from_range(&t, AF_INET, v4_lo, v4_hi, 0, 0, 65535), 0);
	check_str("range as prefix", text(&t, buf), "10.1.0.0/16");
	CU_ASSERT_EQUAL(ike_ts_from_range(&t, AF_INET, v4_lo, v4, 47, 0, 65535), 0);
	check_str("range", text(&t, buf), "10.1.0.0..10.1.2.3[47]");
	CU_ASSERT_EQUAL(ike_ts_from_range(&t, AF_INET, v4, v4_lo, 0, 0, 65535), -EINVAL);
	CU_ASSERT_EQUAL(t.type, 0);

	memcpy(a6.ip, v6, sizeof(v6));
	CU_ASSERT_EQUAL(ike_ts_from_addr(&t, &a6, 0, 0, 65535), 0);
	check_str("v6 host", text(&t, buf), "2001:db8::1/128");
	a6.family = 0;
	CU_ASSERT_EQUAL(ike_ts_from_addr(&t, &a6, 0, 0, 65535), -EINVAL);
}

/* ---- text ---- */

static void
test_to_string(void)
{
	static const struct {
		const char *spec, *want;
	} rows[] = {
		{ "10.0.0.0/24|6|80-80", "10.0.0.0/24[tcp/80]" },
		{ "10.0.0.1..10.0.0.9", "10.0.0.1..10.0.0.9" },
		{ "10.0.0.0..10.0.1.255", "10.0.0.0/23" },
		{ "10.0.0.0..10.0.2.255", "10.0.0.0..10.0.2.255" },
		{ "10.0.0.1..10.0.0.2", "10.0.0.1..10.0.0.2" },
		{ "0.0.0.0..255.255.255.255", "0.0.0.0/0" },
		{ "10.0.0.0/8|17|1000-2000", "10.0.0.0/8[udp/1000-2000]" },
		{ "10.0.0.0/8|132", "10.0.0.0/8[sctp]" },
		{ "10.0.0.0/8|1|2048-2303", "10.0.0.0/8[icmp/2048-2303]" },
		{ "10.0.0.0/8|0|53-53", "10.0.0.0/8[any/53]" },
		{ "2001:db8::/32|6|443-443", "2001:db8::/32[tcp/443]" },
		{ "2001:db8::1..2001:db8::9", "2001:db8::1..2001:db8::9" },
		{ "::/0|58", "::/0[ipv6-icmp]" },
	};
	char buf[IKE_TS_STR_LEN], small[8];
	struct ike_ts t;
	struct ike_ts_set s;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t = ts(rows[i].spec);
		check_str(rows[i].spec, text(&t, buf), rows[i].want);
	}
	/* the longest text fits IKE_TS_STR_LEN */
	t = ts("8000:ffff:ffff:ffff:ffff:ffff:ffff:ffff..ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
	       "|58|65534-65535");
	CU_ASSERT_EQUAL(ike_ts_to_string(&t, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "8000:ffff:ffff:ffff:ffff:ffff:ffff:ffff.."
			       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe[ipv6-icmp/65534-65535]");
	/* truncation, unknown type */
	t = ts("10.0.0.0/24");
	CU_ASSERT_EQUAL(ike_ts_to_string(&t, small, sizeof(small)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(small, "10.0.0.");
	t = ts("?");
	CU_ASSERT_EQUAL(ike_ts_to_string(&t, buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(buf, "");
	/* sets */
	s = set((const char *const[]){ "10.0.0.0/24", "10.1.0.0/24|6", NULL });
	CU_ASSERT_EQUAL(ike_ts_set_to_string(&s, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "10.0.0.0/24, 10.1.0.0/24[tcp]");
	CU_ASSERT_EQUAL(ike_ts_set_to_string(&s, small, sizeof(small)), -ENOSPC);
	s.n = 0;
	CU_ASSERT_EQUAL(ike_ts_set_to_string(&s, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_ts", NULL, NULL);
	CU_add_test(s, "intersect table", test_intersect_table);
	CU_add_test(s, "intersect empty inputs", test_intersect_empty_inputs);
	CU_add_test(s, "narrow table", test_narrow_table);
	CU_add_test(s, "narrow cap", test_narrow_cap);
	CU_add_test(s, "narrow responder", test_narrow_responder);
	CU_add_test(s, "within table", test_within_table);
	CU_add_test(s, "builders", test_builders);
	CU_add_test(s, "to string", test_to_string);
	return cu_run_registered();
}
