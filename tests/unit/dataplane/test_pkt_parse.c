/*
 * Unit tests of the frame parser (dataplane/pkt_parse.c) and the Internet
 * checksum (RFC 1071 §3 example). Sample frames are built by scapy
 * (tests/vectors/frames/gen_frames.py), independently of the parser. Every
 * frame is handed over as an exactly sized heap copy so that ASan reports
 * any read past its end.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "dataplane/pkt_parse.h"
#include "tests/unit/cu_run.h"

enum {
	L3 = 14,			/* Ethernet header length */
	GARBAGE_FRAMES = 100000,
	GARBAGE_MAX_LEN = 200,
	MUTATIONS_PER_FRAME = 4000,
	FRAME_MAX = 512,
};

struct frame_case {
	const char *name;
	const char *hex;
	struct dp_pkt_info want;
};

#define INFO(k, proto, mc, frag, first, l4, l3len) \
	{ .kind = (k), .l4_proto = (proto), .l2_multicast = (mc), .fragment = (frag), \
	  .first_fragment = (first), .l3_off = L3, .l4_off = (l4), .l3_len = (l3len) }

static const struct frame_case frames[] = {
	{ "arp_request",
	  "ffffffffffff02000000000108060001080006040001020000000001c0000201000000000000c0000202",
	  INFO(DP_PKT_ARP, 0, true, false, false, 0, 28) },
	{ "ipv4_icmp_echo",
	  "0200000000020200000000010800450000241234000040017c69c0000201c633640708006662000700016162"
	  "636465666768",
	  INFO(DP_PKT_IPV4, IPPROTO_ICMP, false, false, true, 34, 36) },
	{ "ipv4_udp",
	  "0200000000020200000000010800450000211234000040117c5cc0000201c633640704d20035000dcabe6865"
	  "6c6c6f",
	  INFO(DP_PKT_IPV4, IPPROTO_UDP, false, false, true, 34, 33) },
	{ "ipv4_tcp",
	  "0200000000020200000000010800450000301234000040067c58c0000201c63364079c400016000000010000"
	  "00006002200016cc0000020405b464617461",
	  INFO(DP_PKT_IPV4, IPPROTO_TCP, false, false, true, 34, 48) },
	{ "ipv4_options_udp",
	  "020000000002020000000001080046000023123400004011e755c0000201c63364079404000013881389000b"
	  "fa1078797a",
	  INFO(DP_PKT_IPV4, IPPROTO_UDP, false, false, true, 38, 35) },
	{ "ipv4_first_fragment",
	  "02000000000202000000000108004500002c1234200040115c51c0000201c6336407000700070064e3f03031"
	  "3233343536373839616263646566",
	  INFO(DP_PKT_IPV4, IPPROTO_UDP, false, true, true, 34, 44) },
	{ "ipv4_later_fragment",
	  "0200000000020200000000010800450000181234000340117c62c0000201c63364077778797a",
	  INFO(DP_PKT_IPV4, IPPROTO_UDP, false, true, false, 34, 24) },
	{ "ipv6_icmpv6_ns",
	  "3333ff00000202000000000186dd6000000000203afffe800000000000000000000000000001ff0200000000"
	  "000000000001ff00000287004b5f0000000020010db80000000000000000000000020101020000000001",
	  INFO(DP_PKT_IPV6, IPPROTO_ICMPV6, true, false, true, 54, 72) },
	{ "ipv6_hbh_frag_dst_udp",
	  "02000000000202000000000186dd600000000028004020010db800000000000000000000000120010db80001"
	  "000000000000000000072c000104000000003c0000010000006311000104000000000009000900c8e6387061"
	  "796c6f616421",
	  INFO(DP_PKT_IPV6, IPPROTO_UDP, false, true, true, 78, 80) },
	{ "ipv6_later_fragment",
	  "02000000000202000000000186dd60000000000c2c4020010db800000000000000000000000120010db80001"
	  "0000000000000000000711000320000000637461696c",
	  INFO(DP_PKT_IPV6, IPPROTO_UDP, false, true, false, 62, 52) },
	{ "ipv6_routing_tcp",
	  "02000000000202000000000186dd60000000002c2b4020010db800000000000000000000000120010db80001"
	  "00000000000000000007060200010000000020010db80000000000000000000000999c4001bb000000000000"
	  "00005002200095db0000",
	  INFO(DP_PKT_IPV6, IPPROTO_TCP, false, false, true, 78, 84) },
	{ "ipv6_first_fragment_echo",
	  "02000000000202000000000186dd6000000000102c4020010db800000000000000000000000120010db80001"
	  "000000000000000000073a000001000000058000243f00010002",
	  INFO(DP_PKT_IPV6, IPPROTO_ICMPV6, false, true, true, 62, 56) },
	{ "ipv6_esp",
	  "02000000000202000000000186dd600000000018324020010db800000000000000000000000120010db80001"
	  "00000000000000000007000010000000000100000000000000000000000000000000",
	  INFO(DP_PKT_IPV6, IPPROTO_ESP, false, false, true, 54, 64) },
	{ "ipv6_ah_udp",
	  "02000000000202000000000186dd600000000020334020010db800000000000000000000000120010db80001"
	  "000000000000000000071104000000002000000000010000000000000000000000000001000200080000",
	  INFO(DP_PKT_IPV6, IPPROTO_AH, false, false, true, 54, 72) },
	{ "ipv6_no_next_header",
	  "02000000000202000000000186dd6000000000003b4020010db800000000000000000000000120010db80001"
	  "00000000000000000007",
	  INFO(DP_PKT_IPV6, IPPROTO_NONE, false, false, true, 54, 40) },
	{ "ipv4_esp",
	  "0200000000020200000000010800450000241234000040327c38c0000201c633640700001000000000010000"
	  "000000000000",
	  INFO(DP_PKT_IPV4, IPPROTO_ESP, false, false, true, 34, 36) },
	{ "ipv4_padded",
	  "02000000000202000000000108004500001c1234000040017c71c0000201c63364070800f7fd000100010000"
	  "00000000000000000000000000000000",
	  INFO(DP_PKT_IPV4, IPPROTO_ICMP, false, false, true, 34, 28) },
};

/* Decodes HEX into an exactly sized heap buffer; *len is its length. */
static uint8_t *
hex_frame(const char *hex, uint32_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *f = malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		f[i] = (uint8_t)b;
	}
	*len = (uint32_t)n;
	return f;
}

/* Parses an exactly sized heap copy of the first LEN bytes of SRC. */
static int
parse_copy(const uint8_t *src, uint32_t len, struct dp_pkt_info *info, enum dp_drop_reason *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, src, len);
	rc = dp_pkt_parse(len ? copy : copy + 1, len, info, why);
	free(copy);
	return rc;
}

static bool
info_equal(const struct dp_pkt_info *a, const struct dp_pkt_info *b)
{
	return a->kind == b->kind && a->l4_proto == b->l4_proto &&
	       a->l2_multicast == b->l2_multicast && a->fragment == b->fragment &&
	       a->first_fragment == b->first_fragment && a->l3_off == b->l3_off &&
	       a->l4_off == b->l4_off && a->l3_len == b->l3_len;
}

static void
assert_info(const struct dp_pkt_info *got, const struct dp_pkt_info *want)
{
	CU_ASSERT_EQUAL(got->kind, want->kind);
	CU_ASSERT_EQUAL(got->l4_proto, want->l4_proto);
	CU_ASSERT_EQUAL(got->l2_multicast, want->l2_multicast);
	CU_ASSERT_EQUAL(got->fragment, want->fragment);
	CU_ASSERT_EQUAL(got->first_fragment, want->first_fragment);
	CU_ASSERT_EQUAL(got->l3_off, want->l3_off);
	CU_ASSERT_EQUAL(got->l4_off, want->l4_off);
	CU_ASSERT_EQUAL(got->l3_len, want->l3_len);
}

static void
test_valid_frames(void)
{
	for (size_t i = 0; i < RTE_DIM(frames); i++) {
		struct dp_pkt_info info;
		enum dp_drop_reason why = DP_DROP_MAX;
		uint32_t len;
		uint8_t *f = hex_frame(frames[i].hex, &len);
		int rc = dp_pkt_parse(f, len, &info, &why);

		if (rc != 0 || !info_equal(&info, &frames[i].want))
			printf("\n  %s: rc %d why %d\n", frames[i].name, rc, why);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(why, DP_DROP_MAX);	/* untouched on success */
		assert_info(&info, &frames[i].want);
		free(f);
	}
}

/* Every prefix shorter than the datagram is malformed; longer ones (L2
 * padding) parse exactly like the whole frame. */
static void
test_truncated_frames(void)
{
	for (size_t i = 0; i < RTE_DIM(frames); i++) {
		const struct dp_pkt_info *want = &frames[i].want;
		uint32_t end = (uint32_t)want->l3_off + want->l3_len;
		unsigned int bad = 0;
		uint32_t len;
		uint8_t *f = hex_frame(frames[i].hex, &len);

		for (uint32_t n = 0; n < len; n++) {
			struct dp_pkt_info info;
			enum dp_drop_reason why = DP_DROP_MAX;
			int rc = parse_copy(f, n, &info, &why);
			bool ok = n < end ? rc == -1 && why == DP_DROP_MALFORMED :
					    rc == 0 && info_equal(&info, want);

			if (!ok && bad++ == 0)
				printf("\n  %s truncated to %u: rc %d why %d\n", frames[i].name, n,
				       rc, why);
		}
		CU_ASSERT_EQUAL(bad, 0);
		free(f);
	}
}

/* A private copy of the named sample frame in buf (FRAME_MAX bytes). */
static uint32_t
sample(const char *name, uint8_t *buf)
{
	for (size_t i = 0; i < RTE_DIM(frames); i++) {
		if (strcmp(frames[i].name, name) == 0) {
			uint32_t len;
			uint8_t *f = hex_frame(frames[i].hex, &len);

			memcpy(buf, f, len);
			free(f);
			return len;
		}
	}
	CU_FAIL_FATAL("no such sample frame");
	return 0;
}

/* Reference checksum: big-endian 16-bit words, byte by byte. */
static uint16_t
ref_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Recomputes the IPv4 header checksum of the frame in buf (header of hlen). */
static void
ipv4_fix_csum(uint8_t *buf, size_t hlen)
{
	uint16_t c;

	buf[L3 + 10] = buf[L3 + 11] = 0;
	c = (uint16_t)~ref_csum(buf + L3, hlen);
	buf[L3 + 10] = (uint8_t)(c >> 8);
	buf[L3 + 11] = (uint8_t)c;
}

static void
set_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
expect_drop(const uint8_t *buf, uint32_t len, enum dp_drop_reason want, const char *what)
{
	struct dp_pkt_info info;
	enum dp_drop_reason why = DP_DROP_MAX;
	int rc = parse_copy(buf, len, &info, &why);

	if (rc != -1 || why != want)
		printf("\n  %s: rc %d why %d, want %d\n", what, rc, why, want);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(why, want);
}

static void
test_bad_ipv4_checksum(void)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = sample("ipv4_udp", buf);

	buf[L3 + 11] ^= 0x01;
	expect_drop(buf, len, DP_DROP_BAD_IP_CHECKSUM, "checksum");
	len = sample("ipv4_options_udp", buf);
	buf[L3 + 21] ^= 0x80;	/* inside the option: covered by the checksum */
	expect_drop(buf, len, DP_DROP_BAD_IP_CHECKSUM, "option checksum");
}

static void
test_ethertypes(void)
{
	static const uint16_t unknown[] = { 0x88cc, 0x0000, 0x05dc, 0x8035, 0x86de, 0xffff };
	uint8_t buf[FRAME_MAX], tagged[FRAME_MAX];
	uint32_t len;

	for (size_t i = 0; i < RTE_DIM(unknown); i++) {
		len = sample("ipv4_udp", buf);
		set_be16(buf + 12, unknown[i]);
		expect_drop(buf, len, DP_DROP_UNKNOWN_ETHERTYPE, "ethertype");
	}
	/* 802.1Q and 802.1ad tags in front of a valid IPv4 packet. */
	len = sample("ipv4_udp", buf);
	memcpy(tagged, buf, 12);
	set_be16(tagged + 12, 0x8100);
	set_be16(tagged + 14, 100);
	memcpy(tagged + 16, buf + 12, len - 12);
	expect_drop(tagged, len + 4, DP_DROP_UNKNOWN_ETHERTYPE, "802.1Q");
	set_be16(tagged + 12, 0x88a8);
	expect_drop(tagged, len + 4, DP_DROP_UNKNOWN_ETHERTYPE, "802.1ad");
	/* Ethernet header alone, each type. */
	set_be16(buf + 12, 0x0800);
	expect_drop(buf, L3, DP_DROP_MALFORMED, "bare ethernet");
	expect_drop(buf, 0, DP_DROP_MALFORMED, "empty");
}

static void
test_bad_arp(void)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = sample("arp_request", buf);

	buf[L3 + 1] = 6;	/* htype IEEE 802 */
	expect_drop(buf, len, DP_DROP_MALFORMED, "arp htype");
	len = sample("arp_request", buf);
	set_be16(buf + L3 + 2, 0x86dd);
	expect_drop(buf, len, DP_DROP_MALFORMED, "arp ptype");
	len = sample("arp_request", buf);
	buf[L3 + 4] = 8;
	expect_drop(buf, len, DP_DROP_MALFORMED, "arp hlen");
	len = sample("arp_request", buf);
	buf[L3 + 5] = 16;
	expect_drop(buf, len, DP_DROP_MALFORMED, "arp plen");
}

static void
test_bad_ipv4_header(void)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = sample("ipv4_udp", buf);

	buf[L3] = 0x44;		/* IHL 4 */
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "IHL 4");
	buf[L3] = 0x40;		/* IHL 0 */
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "IHL 0");
	len = sample("ipv4_udp", buf);
	buf[L3] = 0x4f;		/* 60-byte header, longer than the 33-byte datagram */
	expect_drop(buf, len, DP_DROP_MALFORMED, "IHL 15");
	len = sample("ipv4_udp", buf);
	buf[L3] = 0x65;		/* version 6 */
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "version 6");
	len = sample("ipv4_udp", buf);
	set_be16(buf + L3 + 2, 34);	/* total length one past the frame */
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "total length > frame");
	set_be16(buf + L3 + 2, 19);	/* shorter than the header */
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "total length < IHL");
	set_be16(buf + L3 + 2, 0);
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "total length 0");
}

static void
test_bad_upper_headers(void)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = sample("ipv4_tcp", buf);

	buf[34 + 12] = 0x40;	/* TCP data offset 4 */
	expect_drop(buf, len, DP_DROP_MALFORMED, "tcp doff 4");
	buf[34 + 12] = 0x80;	/* 32 bytes: one past the 28 present */
	expect_drop(buf, len, DP_DROP_MALFORMED, "tcp doff 8");
	buf[34 + 12] = 0x70;	/* 28 bytes: exactly what is there */
	CU_ASSERT_EQUAL(parse_copy(buf, len, &(struct dp_pkt_info){ 0 },
				   &(enum dp_drop_reason){ 0 }), 0);
	/* A UDP first fragment too short for the UDP header. */
	len = sample("ipv4_first_fragment", buf);
	set_be16(buf + L3 + 2, 27);
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "udp first fragment of 7");
	/* ICMP echo cut to 7 bytes of ICMP (datagram length, not frame). */
	len = sample("ipv4_icmp_echo", buf);
	set_be16(buf + L3 + 2, 27);
	ipv4_fix_csum(buf, 20);
	expect_drop(buf, len, DP_DROP_MALFORMED, "icmp of 7");
	/* ICMPv6 in an IPv6 datagram of 7 payload bytes. */
	len = sample("ipv6_icmpv6_ns", buf);
	set_be16(buf + L3 + 4, 7);
	expect_drop(buf, len, DP_DROP_MALFORMED, "icmpv6 of 7");
}

static void
test_ipv4_fragments(void)
{
	uint8_t buf[FRAME_MAX];
	struct dp_pkt_info info;
	enum dp_drop_reason why;
	uint32_t len = sample("ipv4_later_fragment", buf);

	/* The reassembled datagram may not exceed 65535 bytes (RFC 791 §3.1):
	 * the largest offset, 8191 * 8 = 65528, with 4 data bytes fits. */
	set_be16(buf + L3 + 6, 0x1fff);
	ipv4_fix_csum(buf, 20);
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.fragment, true);
	CU_ASSERT_EQUAL(info.first_fragment, false);
	set_be16(buf + L3 + 2, 20 + 8);		/* 65528 + 8 data bytes: too long */
	set_be16(buf + L3 + 6, 0x1fff);
	ipv4_fix_csum(buf, 20);
	memset(buf + len, 0, 4);
	expect_drop(buf, len + 4, DP_DROP_MALFORMED, "fragment past 65535");
	/* MF with offset 0: a first fragment. DF alone: not a fragment. */
	len = sample("ipv4_udp", buf);
	set_be16(buf + L3 + 6, 0x4000);
	ipv4_fix_csum(buf, 20);
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.fragment, false);
	CU_ASSERT_EQUAL(info.first_fragment, true);
	/* Later fragment with fewer bytes than a UDP header: accepted. */
	len = sample("ipv4_later_fragment", buf);
	set_be16(buf + L3 + 2, 21);
	ipv4_fix_csum(buf, 20);
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.l3_len, 21);
	CU_ASSERT_EQUAL(info.l4_off, 34);
}

/*
 * IPv6 with the extension headers TYPES (each 8 bytes) followed by UDP
 * (8 bytes) into buf; returns the frame length.
 */
static uint32_t
ipv6_chain(uint8_t *buf, const uint8_t *types, unsigned int n)
{
	uint32_t len = sample("ipv6_no_next_header", buf);
	uint8_t *nh = buf + L3 + 6;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *h = buf + len;

		*nh = types[i];
		memset(h, 0, 8);
		if (types[i] != IPPROTO_FRAGMENT) {
			h[2] = 1;	/* PadN, 4 bytes */
			h[3] = 4;
		}
		nh = h;
		len += 8;
	}
	*nh = IPPROTO_UDP;
	memset(buf + len, 0, 8);
	set_be16(buf + len + 4, 8);
	len += 8;
	set_be16(buf + L3 + 4, (uint16_t)(len - L3 - 40));
	return len;
}

static void
test_ipv6_ext_headers(void)
{
	uint8_t types[12], buf[FRAME_MAX];
	struct dp_pkt_info info;
	enum dp_drop_reason why;
	uint32_t len;

	types[0] = IPPROTO_HOPOPTS;
	for (unsigned int i = 1; i < RTE_DIM(types); i++)
		types[i] = IPPROTO_DSTOPTS;
	len = ipv6_chain(buf, types, 8);	/* the limit */
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.l4_proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(info.l4_off, 54 + 64);
	CU_ASSERT_EQUAL(info.l3_len, 40 + 64 + 8);
	len = ipv6_chain(buf, types, 9);
	expect_drop(buf, len, DP_DROP_MALFORMED, "9 extension headers");
	len = ipv6_chain(buf, types, 12);
	expect_drop(buf, len, DP_DROP_MALFORMED, "12 extension headers");
	/* Hop-by-hop only first. */
	types[0] = IPPROTO_DSTOPTS;
	types[1] = IPPROTO_HOPOPTS;
	len = ipv6_chain(buf, types, 2);
	expect_drop(buf, len, DP_DROP_MALFORMED, "hop-by-hop second");
	/* Two fragment headers. */
	types[0] = IPPROTO_FRAGMENT;
	types[1] = IPPROTO_FRAGMENT;
	len = ipv6_chain(buf, types, 2);
	expect_drop(buf, len, DP_DROP_MALFORMED, "two fragment headers");
	/* Header length reaching past the payload. */
	types[0] = IPPROTO_ROUTING;
	len = ipv6_chain(buf, types, 1);
	buf[54 + 1] = 1;	/* 16 bytes, only 8 + 8 (UDP) follow: fits exactly */
	buf[54] = IPPROTO_NONE;
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.l4_proto, IPPROTO_NONE);
	CU_ASSERT_EQUAL(info.l4_off, 70);
	buf[54 + 1] = 2;	/* 24 bytes */
	expect_drop(buf, len, DP_DROP_MALFORMED, "routing header past payload");
	/* A later fragment ends the walk even if it claims an extension header:
	 * its 4 bytes are the middle of the original payload. */
	len = sample("ipv6_later_fragment", buf);
	buf[54] = IPPROTO_DSTOPTS;
	CU_ASSERT_EQUAL(parse_copy(buf, len, &info, &why), 0);
	CU_ASSERT_EQUAL(info.l4_proto, IPPROTO_DSTOPTS);
	CU_ASSERT_EQUAL(info.l4_off, 62);
	CU_ASSERT_EQUAL(info.first_fragment, false);
}

static void
test_bad_ipv6_header(void)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = sample("ipv6_icmpv6_ns", buf);

	set_be16(buf + L3 + 4, 33);	/* one past the frame */
	expect_drop(buf, len, DP_DROP_MALFORMED, "payload length > frame");
	len = sample("ipv6_icmpv6_ns", buf);
	buf[L3] = 0x40;
	expect_drop(buf, len, DP_DROP_MALFORMED, "version 4");
	/* Jumbogram: payload length 0 with a hop-by-hop header (RFC 2675). */
	len = sample("ipv6_hbh_frag_dst_udp", buf);
	set_be16(buf + L3 + 4, 0);
	expect_drop(buf, len, DP_DROP_MALFORMED, "jumbogram");
}

/* Invariants every accepted frame must satisfy; returns false on a breach. */
static bool
info_sane(const struct dp_pkt_info *info, uint32_t len)
{
	uint32_t end = (uint32_t)info->l3_off + info->l3_len;

	if (info->l3_off != L3 || end > len)
		return false;
	if (info->kind == DP_PKT_ARP)
		return info->l3_len == 28 && info->l4_off == 0;
	if (info->kind != DP_PKT_IPV4 && info->kind != DP_PKT_IPV6)
		return false;
	if (info->l4_off < L3 + 20 || info->l4_off > end)
		return false;
	if (info->first_fragment && info->l4_proto == IPPROTO_TCP)
		return end - info->l4_off >= 20;
	if (info->first_fragment && (info->l4_proto == IPPROTO_UDP ||
				     info->l4_proto == IPPROTO_ICMP ||
				     info->l4_proto == IPPROTO_ICMPV6))
		return end - info->l4_off >= 8;
	return true;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static unsigned int
parse_checked(const uint8_t *buf, uint32_t len, unsigned int *accepted)
{
	struct dp_pkt_info info;
	enum dp_drop_reason why = DP_DROP_MAX;

	if (parse_copy(buf, len, &info, &why) == 0) {
		(*accepted)++;
		return info_sane(&info, len) ? 0 : 1;
	}
	return why == DP_DROP_MALFORMED || why == DP_DROP_UNKNOWN_ETHERTYPE ||
	       why == DP_DROP_BAD_IP_CHECKSUM ? 0 : 1;
}

/* Random bytes, mostly behind a known EtherType and IP version. */
static void
test_garbage(void)
{
	static const uint16_t types[] = { 0x0806, 0x0800, 0x86dd };
	unsigned int bad = 0, accepted = 0;
	uint8_t buf[GARBAGE_MAX_LEN];

	for (unsigned int i = 0; i < GARBAGE_FRAMES; i++) {
		uint32_t len = rng() % GARBAGE_MAX_LEN;
		uint32_t r = rng();

		for (uint32_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rng();
		if (len >= L3 + 1 && (r & 3) != 0) {
			set_be16(buf + 12, types[r % RTE_DIM(types)]);
			if ((r >> 8) & 1)
				buf[L3] = types[r % RTE_DIM(types)] == 0x0800 ? 0x45 : 0x60;
			if (len >= L3 + 20 && buf[L3] == 0x45 && ((r >> 9) & 1)) {
				set_be16(buf + L3 + 2, (uint16_t)(len - L3 - (r >> 12) % 4));
				ipv4_fix_csum(buf, 20);
			}
		}
		bad += parse_checked(buf, len, &accepted);
	}
	printf(" (%u of %u accepted) ", accepted, GARBAGE_FRAMES);
	CU_ASSERT_EQUAL(bad, 0);
}

/* Random byte changes to the valid samples. */
static void
test_mutations(void)
{
	unsigned int bad = 0, accepted = 0;
	uint8_t buf[FRAME_MAX];

	for (size_t i = 0; i < RTE_DIM(frames); i++) {
		for (unsigned int m = 0; m < MUTATIONS_PER_FRAME; m++) {
			uint32_t len = sample(frames[i].name, buf);
			unsigned int flips = 1 + rng() % 3;

			for (unsigned int k = 0; k < flips; k++)
				buf[L3 + rng() % (len - L3)] = (uint8_t)rng();
			if (frames[i].want.kind == DP_PKT_IPV4 && (rng() & 1)) {
				uint32_t hlen = 4u * (buf[L3] & 0x0f);

				/* Mostly past the checksum check to the deeper code. */
				ipv4_fix_csum(buf, hlen < 20 || hlen > len - L3 ? 20 : hlen);
			}
			bad += parse_checked(buf, (rng() & 1) ? len : rng() % (len + 1), &accepted);
		}
	}
	printf(" (%u accepted) ", accepted);
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_csum_rfc1071(void)
{
	/* RFC 1071 §3: the example bytes sum to ddf2 (checksum 220d). */
	static const uint8_t ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* An IPv4 header whose checksum is b861. */
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t zeroed[sizeof(ip)];

	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ex, sizeof(ex))), 0xddf2);
	CU_ASSERT_EQUAL((uint16_t)~dp_csum_fold(dp_csum_add(0, ex, sizeof(ex))), 0x220d);
	/* Chained in pieces of even length, and with a carried-in sum. */
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(dp_csum_add(0, ex, 2), ex + 2, 6)), 0xddf2);
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0x1ffff, ex, 0)), 0x0001);
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ip, sizeof(ip))), 0xffff);
	memcpy(zeroed, ip, sizeof(ip));
	zeroed[10] = zeroed[11] = 0;
	CU_ASSERT_EQUAL((uint16_t)~dp_csum_fold(dp_csum_add(0, zeroed, sizeof(zeroed))), 0xb861);
	/* Odd lengths: the last byte is the high half of a zero-padded word. */
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ex, 3)), 0xf201);
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ex + 2, 1)), 0xf200);
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ex, 7)), 0xdcfb);
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, ex, 0)), 0);
	CU_ASSERT_EQUAL(dp_csum_fold(0x0001fffe), 0xffff);
	CU_ASSERT_EQUAL(dp_csum_fold(0xffffffff), 0xffff);
	CU_ASSERT_EQUAL(dp_csum_fold(0x00012345), 0x2346);
}

/* Every length 0..300 at every alignment 0..7 against the reference. */
static void
test_csum_lengths_alignments(void)
{
	enum { MAXLEN = 300, ALIGN = 8 };
	unsigned int bad = 0;
	uint8_t src[MAXLEN];

	for (unsigned int i = 0; i < MAXLEN; i++)
		src[i] = (uint8_t)rng();
	for (unsigned int a = 0; a < ALIGN; a++) {
		for (unsigned int n = 0; n <= MAXLEN; n++) {
			uint8_t *buf = malloc(a + n + 1);

			memcpy(buf + a, src, n);
			if (dp_csum_fold(dp_csum_add(0, buf + a, n)) != ref_csum(src, n))
				bad++;
			free(buf);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* All ones: any number of 0xffff words folds to 0xffff. */
	memset(src, 0xff, sizeof(src));
	CU_ASSERT_EQUAL(dp_csum_fold(dp_csum_add(0, src, sizeof(src))), 0xffff);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "valid frames, every field", test_valid_frames },
		{ "truncated at every length", test_truncated_frames },
		{ "bad IPv4 checksum", test_bad_ipv4_checksum },
		{ "unknown ethertype and VLAN", test_ethertypes },
		{ "non Ethernet/IPv4 ARP", test_bad_arp },
		{ "bad IPv4 header lengths", test_bad_ipv4_header },
		{ "upper-layer header outside the datagram", test_bad_upper_headers },
		{ "IPv4 fragments", test_ipv4_fragments },
		{ "IPv6 extension header chain", test_ipv6_ext_headers },
		{ "bad IPv6 header", test_bad_ipv6_header },
		{ "100k garbage frames", test_garbage },
		{ "mutated samples", test_mutations },
		{ "checksum: RFC 1071 values", test_csum_rfc1071 },
		{ "checksum: lengths and alignments", test_csum_lengths_alignments },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("pkt_parse", NULL, NULL);
	for (size_t i = 0; i < RTE_DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
