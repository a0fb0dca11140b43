/*
 * Unit tests of flow extraction (dataplane/flow.c): RFC 4301 §4.4.1.1
 * selector fields from IPv4 (RFC 791) and IPv6 (RFC 8200 §4) packets,
 * ports for TCP/UDP/SCTP, ICMP/ICMPv6 type and code, IPv6 extension
 * headers, fragments (RFC 4301 §7: non-first fragments have opaque ports),
 * L2 padding, every truncation of every valid packet (from exactly sized
 * heap copies, so ASan sees any over-read), malformed headers and random
 * garbage; dp_flow_reverse; and dp_flow_from_parsed against extraction
 * for random frames the parser accepts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "dataplane/flow.h"
#include "tests/unit/cu_run.h"

enum {
	BUF_LEN = 512,
	V4_HDR = 20,
	V6_HDR = 40,
	EXT_LEN = 8,
	FRAG_LEN = 8,
	GARBAGE_ROUNDS = 20000,
	GARBAGE_MAX = 160,
	PROTO_GRE = 47,
	PROTO_ESP = 50,
	PROTO_NONE6 = 59,
	ICMP_ECHO = 8,
	ICMP_UNREACH = 3,
	ICMP_PORT_UNREACH = 3,
	ICMP6_ECHO = 128,
	ICMP6_TOO_BIG = 2,
	V4_MF = 0x2000,
	V6_MF = 0x0001,
};

static const uint8_t SRC4[4] = { 203, 0, 113, 7 };
static const uint8_t DST4[4] = { 10, 9, 0, 5 };
static uint8_t SRC6[16];
static uint8_t DST6[16];

struct pkt {
	uint8_t b[BUF_LEN];
	uint32_t len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* IPv4 header with IHL words of header (options zero), PAYLOAD bytes after it. */
static void
v4(struct pkt *k, uint8_t proto, unsigned int ihl, uint16_t frag, const uint8_t *payload,
   uint32_t plen)
{
	uint32_t hlen = ihl * 4;

	memset(k, 0, sizeof(*k));
	k->b[0] = (uint8_t)(0x40 | ihl);
	put16(k->b + 2, (uint16_t)(hlen + plen));
	put16(k->b + 6, frag);
	k->b[8] = 64;
	k->b[9] = proto;
	memcpy(k->b + 12, SRC4, 4);
	memcpy(k->b + 16, DST4, 4);
	memcpy(k->b + hlen, payload, plen);
	k->len = hlen + plen;
}

/* IPv6 header, then the chain already written at b + 40 (CHAIN bytes). */
static void
v6(struct pkt *k, uint8_t nh, const uint8_t *chain, uint32_t clen)
{
	memset(k, 0, sizeof(*k));
	k->b[0] = 0x60;
	put16(k->b + 4, (uint16_t)clen);
	k->b[6] = nh;
	k->b[7] = 64;
	memcpy(k->b + 8, SRC6, 16);
	memcpy(k->b + 24, DST6, 16);
	if (clen != 0)
		memcpy(k->b + V6_HDR, chain, clen);
	k->len = V6_HDR + clen;
}

/* Extracts from an exactly sized heap copy of the first LEN bytes. */
static int
extract(const struct pkt *k, uint32_t len, struct dp_flow *f)
{
	uint8_t *copy = malloc(len != 0 ? len : 1);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, k->b, len);
	rc = dp_flow_extract(copy, len, f);
	free(copy);
	return rc;
}

static bool
is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static void
expect4(const struct pkt *k, uint8_t proto, bool opaque, uint16_t sport, uint16_t dport)
{
	struct dp_flow f;

	CU_ASSERT_EQUAL_FATAL(extract(k, k->len, &f), 0);
	CU_ASSERT_EQUAL(f.family, AF_INET);
	CU_ASSERT_EQUAL(f.proto, proto);
	CU_ASSERT_EQUAL(f.ports_opaque, opaque);
	CU_ASSERT_EQUAL(f.sport, sport);
	CU_ASSERT_EQUAL(f.dport, dport);
	CU_ASSERT(memcmp(f.src, SRC4, 4) == 0);
	CU_ASSERT(memcmp(f.dst, DST4, 4) == 0);
	CU_ASSERT(is_zero(f.src + 4, 12));
	CU_ASSERT(is_zero(f.dst + 4, 12));
}

static void
expect6(const struct pkt *k, uint8_t proto, bool opaque, uint16_t sport, uint16_t dport)
{
	struct dp_flow f;

	CU_ASSERT_EQUAL_FATAL(extract(k, k->len, &f), 0);
	CU_ASSERT_EQUAL(f.family, AF_INET6);
	CU_ASSERT_EQUAL(f.proto, proto);
	CU_ASSERT_EQUAL(f.ports_opaque, opaque);
	CU_ASSERT_EQUAL(f.sport, sport);
	CU_ASSERT_EQUAL(f.dport, dport);
	CU_ASSERT(memcmp(f.src, SRC6, 16) == 0);
	CU_ASSERT(memcmp(f.dst, DST6, 16) == 0);
}

/* Every strict prefix shorter than NEED bytes is rejected, and the flow zeroed. */
static void
expect_truncations_fail(const struct pkt *k, uint32_t need)
{
	struct dp_flow f;
	unsigned int bad = 0;

	for (uint32_t len = 0; len < need; len++) {
		memset(&f, 0xa5, sizeof(f));
		if (extract(k, len, &f) != -EINVAL || !is_zero(&f, sizeof(f)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* 12345 -> 443 */
static const uint8_t TCP_HDR[20] = { 0x30, 0x39, 0x01, 0xbb, [12] = 0x50 };
static const uint8_t UDP_HDR[8] = { 0x11, 0x94, 0x00, 0x35, 0x00, 0x08 };	/* 4500 -> 53 */
static const uint8_t SCTP_HDR[12] = { 0x0b, 0x59, 0x0e, 0x7c };		/* 2905 -> 3708 */
static const uint8_t ICMP_HDR[8] = { ICMP_UNREACH, ICMP_PORT_UNREACH };
static const uint8_t ICMP6_HDR[8] = { ICMP6_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1 };

static void
test_v4_ports(void)
{
	struct pkt k;

	v4(&k, IPPROTO_TCP, 5, 0, TCP_HDR, sizeof(TCP_HDR));
	expect4(&k, IPPROTO_TCP, false, 12345, 443);
	expect_truncations_fail(&k, V4_HDR + 4);
	v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, sizeof(UDP_HDR));
	expect4(&k, IPPROTO_UDP, false, 4500, 53);
	expect_truncations_fail(&k, V4_HDR + 4);
	v4(&k, IPPROTO_SCTP, 5, 0, SCTP_HDR, sizeof(SCTP_HDR));
	expect4(&k, IPPROTO_SCTP, false, 2905, 3708);
	/* Only the port bytes are needed: a 4-byte UDP "header" is enough. */
	v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, 4);
	expect4(&k, IPPROTO_UDP, false, 4500, 53);
	/* Options (IHL 15): ports after 60 bytes of header. */
	v4(&k, IPPROTO_TCP, 15, 0, TCP_HDR, sizeof(TCP_HDR));
	expect4(&k, IPPROTO_TCP, false, 12345, 443);
	expect_truncations_fail(&k, 60 + 4);
}

static void
test_v4_icmp_and_other(void)
{
	static const uint8_t echo[8] = { ICMP_ECHO, 0, 0, 0, 0, 1, 0, 1 };
	static const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct pkt k;

	v4(&k, IPPROTO_ICMP, 5, 0, ICMP_HDR, sizeof(ICMP_HDR));
	expect4(&k, IPPROTO_ICMP, false, ICMP_UNREACH, ICMP_PORT_UNREACH);
	expect_truncations_fail(&k, V4_HDR + 2);
	v4(&k, IPPROTO_ICMP, 5, 0, echo, 2);
	expect4(&k, IPPROTO_ICMP, false, ICMP_ECHO, 0);
	/* No ports for other protocols, whatever the payload. */
	v4(&k, PROTO_GRE, 5, 0, junk, sizeof(junk));
	expect4(&k, PROTO_GRE, false, 0, 0);
	v4(&k, PROTO_ESP, 5, 0, junk, sizeof(junk));
	expect4(&k, PROTO_ESP, false, 0, 0);
	v4(&k, PROTO_GRE, 5, 0, junk, 0);
	expect4(&k, PROTO_GRE, false, 0, 0);
	/* ICMPv6's number in IPv4 is just another protocol. */
	v4(&k, IPPROTO_ICMPV6, 5, 0, junk, sizeof(junk));
	expect4(&k, IPPROTO_ICMPV6, false, 0, 0);
}

static void
test_v4_fragments(void)
{
	struct pkt k;

	/* First fragment: MF set, offset 0: ports read. */
	v4(&k, IPPROTO_TCP, 5, V4_MF, TCP_HDR, sizeof(TCP_HDR));
	expect4(&k, IPPROTO_TCP, false, 12345, 443);
	/* ...and must hold them. */
	v4(&k, IPPROTO_TCP, 5, V4_MF, TCP_HDR, 3);
	CU_ASSERT_EQUAL(extract(&k, k.len, &(struct dp_flow){ 0 }), -EINVAL);
	/* Later fragments (with or without MF): opaque, bytes there ignored. */
	v4(&k, IPPROTO_TCP, 5, V4_MF | 185, TCP_HDR, sizeof(TCP_HDR));
	expect4(&k, IPPROTO_TCP, true, 0, 0);
	v4(&k, IPPROTO_UDP, 5, 1, UDP_HDR, 0);
	expect4(&k, IPPROTO_UDP, true, 0, 0);
	v4(&k, IPPROTO_ICMP, 5, 0x1fff, ICMP_HDR, 1);
	expect4(&k, IPPROTO_ICMP, true, 0, 0);
	/* DF alone is no fragment. */
	v4(&k, IPPROTO_UDP, 5, 0x4000, UDP_HDR, sizeof(UDP_HDR));
	expect4(&k, IPPROTO_UDP, false, 4500, 53);
}

static void
test_v4_malformed(void)
{
	struct dp_flow f;
	struct pkt k;

	v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, sizeof(UDP_HDR));
	/* L2 padding after the datagram is fine. */
	CU_ASSERT_EQUAL(extract(&k, k.len + 18, &f), 0);
	CU_ASSERT_EQUAL(f.dport, 53);
	/* IHL < 5. */
	k.b[0] = 0x44;
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Total length shorter than the header, longer than the buffer. */
	v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, sizeof(UDP_HDR));
	put16(k.b + 2, 19);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	put16(k.b + 2, (uint16_t)(k.len + 1));
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Total length cuts the ports off although the buffer has them. */
	put16(k.b + 2, V4_HDR + 3);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* IHL beyond the total length. */
	v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, sizeof(UDP_HDR));
	k.b[0] = 0x47;
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Versions other than 4 and 6, empty and NULL input. */
	for (unsigned int ver = 0; ver < 16; ver++) {
		if (ver == 4 || ver == 6)
			continue;
		v4(&k, IPPROTO_UDP, 5, 0, UDP_HDR, sizeof(UDP_HDR));
		k.b[0] = (uint8_t)(ver << 4 | 5);
		CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	}
	CU_ASSERT_EQUAL(dp_flow_extract(NULL, 40, &f), -EINVAL);
	CU_ASSERT_EQUAL(extract(&k, 0, &f), -EINVAL);
}

static void
test_v6_ports(void)
{
	struct pkt k;

	v6(&k, IPPROTO_TCP, TCP_HDR, sizeof(TCP_HDR));
	expect6(&k, IPPROTO_TCP, false, 12345, 443);
	expect_truncations_fail(&k, V6_HDR + 4);
	v6(&k, IPPROTO_UDP, UDP_HDR, sizeof(UDP_HDR));
	expect6(&k, IPPROTO_UDP, false, 4500, 53);
	v6(&k, IPPROTO_SCTP, SCTP_HDR, sizeof(SCTP_HDR));
	expect6(&k, IPPROTO_SCTP, false, 2905, 3708);
	v6(&k, IPPROTO_ICMPV6, ICMP6_HDR, sizeof(ICMP6_HDR));
	expect6(&k, IPPROTO_ICMPV6, false, ICMP6_ECHO, 0);
	expect_truncations_fail(&k, V6_HDR + 2);
	/* ICMP (the IPv4 number) in IPv6 has no type/code for us. */
	v6(&k, IPPROTO_ICMP, ICMP_HDR, sizeof(ICMP_HDR));
	expect6(&k, IPPROTO_ICMP, false, 0, 0);
	v6(&k, PROTO_NONE6, NULL, 0);
	expect6(&k, PROTO_NONE6, false, 0, 0);
	v6(&k, PROTO_ESP, UDP_HDR, sizeof(UDP_HDR));
	expect6(&k, PROTO_ESP, false, 0, 0);
}

static void
test_v6_extension_headers(void)
{
	uint8_t c[BUF_LEN] = { 0 };
	struct pkt k;
	uint32_t n = 0;

	/* Hop-by-hop (8) -> routing (24) -> destination options (16) -> UDP. */
	c[n] = IPPROTO_ROUTING;
	n += EXT_LEN;
	c[n] = IPPROTO_DSTOPTS;
	c[n + 1] = 2;
	n += 3 * EXT_LEN;
	c[n] = IPPROTO_UDP;
	c[n + 1] = 1;
	n += 2 * EXT_LEN;
	memcpy(c + n, UDP_HDR, sizeof(UDP_HDR));
	n += sizeof(UDP_HDR);
	v6(&k, IPPROTO_HOPOPTS, c, n);
	expect6(&k, IPPROTO_UDP, false, 4500, 53);
	expect_truncations_fail(&k, V6_HDR + 48 + 4);
	/* Hop-by-hop not first: malformed (RFC 8200 §4.3). */
	c[0] = IPPROTO_HOPOPTS;
	v6(&k, IPPROTO_ROUTING, c, n);
	CU_ASSERT_EQUAL(extract(&k, k.len, &(struct dp_flow){ 0 }), -EINVAL);
	/* An extension header longer than the payload. */
	memset(c, 0, sizeof(c));
	c[0] = IPPROTO_TCP;
	c[1] = 3;		/* 32 bytes, only 24 present */
	v6(&k, IPPROTO_DSTOPTS, c, 24);
	CU_ASSERT_EQUAL(extract(&k, k.len, &(struct dp_flow){ 0 }), -EINVAL);
}

static void
test_v6_ext_limit(void)
{
	uint8_t c[BUF_LEN] = { 0 };
	struct pkt k;
	uint32_t n = 0;

	/* DP_FLOW_EXT_MAX destination-option headers are walked, one more is not. */
	for (unsigned int i = 0; i < DP_FLOW_EXT_MAX; i++) {
		c[n] = i + 1 < DP_FLOW_EXT_MAX ? IPPROTO_DSTOPTS : IPPROTO_UDP;
		n += EXT_LEN;
	}
	memcpy(c + n, UDP_HDR, sizeof(UDP_HDR));
	v6(&k, IPPROTO_DSTOPTS, c, n + sizeof(UDP_HDR));
	expect6(&k, IPPROTO_UDP, false, 4500, 53);
	c[n - EXT_LEN] = IPPROTO_DSTOPTS;
	c[n] = IPPROTO_UDP;
	memcpy(c + n + EXT_LEN, UDP_HDR, sizeof(UDP_HDR));
	v6(&k, IPPROTO_DSTOPTS, c, n + EXT_LEN + sizeof(UDP_HDR));
	CU_ASSERT_EQUAL(extract(&k, k.len, &(struct dp_flow){ 0 }), -EINVAL);
}

static void
test_v6_fragments(void)
{
	uint8_t c[BUF_LEN] = { 0 };
	struct pkt k;

	/* First fragment (offset 0, M set): ports after the fragment header. */
	c[0] = IPPROTO_TCP;
	put16(c + 2, V6_MF);
	memcpy(c + FRAG_LEN, TCP_HDR, sizeof(TCP_HDR));
	v6(&k, IPPROTO_FRAGMENT, c, FRAG_LEN + sizeof(TCP_HDR));
	expect6(&k, IPPROTO_TCP, false, 12345, 443);
	expect_truncations_fail(&k, V6_HDR + FRAG_LEN + 4);
	/* Atomic fragment (offset 0, M clear). */
	put16(c + 2, 0);
	v6(&k, IPPROTO_FRAGMENT, c, FRAG_LEN + sizeof(TCP_HDR));
	expect6(&k, IPPROTO_TCP, false, 12345, 443);
	/* Later fragment: proto from the fragment header, ports opaque. */
	put16(c + 2, 1480 | V6_MF);
	v6(&k, IPPROTO_FRAGMENT, c, FRAG_LEN + sizeof(TCP_HDR));
	expect6(&k, IPPROTO_TCP, true, 0, 0);
	/* Last fragment without any payload after the header. */
	put16(c + 2, 8);
	v6(&k, IPPROTO_FRAGMENT, c, FRAG_LEN);
	expect6(&k, IPPROTO_TCP, true, 0, 0);
	expect_truncations_fail(&k, V6_HDR + FRAG_LEN);
	/* Destination options before the fragment header. */
	memset(c, 0, sizeof(c));
	c[0] = IPPROTO_FRAGMENT;
	c[EXT_LEN] = IPPROTO_ICMPV6;
	put16(c + EXT_LEN + 2, 64);
	v6(&k, IPPROTO_DSTOPTS, c, EXT_LEN + FRAG_LEN + 8);
	expect6(&k, IPPROTO_ICMPV6, true, 0, 0);
}

static void
test_v6_malformed(void)
{
	struct dp_flow f;
	struct pkt k;

	v6(&k, IPPROTO_UDP, UDP_HDR, sizeof(UDP_HDR));
	/* Padding after the payload is fine; a payload past the buffer is not. */
	CU_ASSERT_EQUAL(extract(&k, k.len + 10, &f), 0);
	CU_ASSERT_EQUAL(f.sport, 4500);
	put16(k.b + 4, sizeof(UDP_HDR) + 1);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Payload length cuts the ports off. */
	put16(k.b + 4, 3);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Jumbogram (payload length 0 with hop-by-hop). */
	v6(&k, IPPROTO_HOPOPTS, (const uint8_t[8]){ IPPROTO_UDP }, 8);
	put16(k.b + 4, 0);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
	/* Payload length 0 otherwise: no next layer bytes. */
	v6(&k, PROTO_NONE6, NULL, 0);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), 0);
	v6(&k, IPPROTO_UDP, NULL, 0);
	CU_ASSERT_EQUAL(extract(&k, k.len, &f), -EINVAL);
}

/* Random bytes (half with a plausible version nibble): 0 or -EINVAL, and a
 * zeroed flow on failure; on success the family matches the version. */
static void
test_garbage(void)
{
	unsigned int bad = 0, ok = 0;
	struct dp_flow f;
	struct pkt k;

	srand(42);
	for (unsigned int r = 0; r < GARBAGE_ROUNDS; r++) {
		uint32_t len = (uint32_t)rand() % GARBAGE_MAX;
		int rc;

		memset(&k, 0, sizeof(k));
		for (uint32_t i = 0; i < len; i++)
			k.b[i] = (uint8_t)rand();
		if (len > 0 && (r & 1))
			k.b[0] = (uint8_t)((r & 2 ? 0x40 : 0x60) | (k.b[0] & 0x0f));
		if (len > 4 && (r & 4) && (k.b[0] >> 4) == 6)
			put16(k.b + 4, (uint16_t)(len > V6_HDR ? len - V6_HDR : 0));
		if (len > 4 && (r & 4) && (k.b[0] >> 4) == 4)
			put16(k.b + 2, (uint16_t)len);
		rc = extract(&k, len, &f);
		if (rc == 0) {
			ok++;
			if (f.family != ((k.b[0] >> 4) == 4 ? AF_INET : AF_INET6))
				bad++;
		} else if (rc != -EINVAL || !is_zero(&f, sizeof(f))) {
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(ok > 0);
	printf("(%u of %u random inputs accepted) ", ok, (unsigned int)GARBAGE_ROUNDS);
}

/* A random IPv6 extension header chain at b (next header of the fixed
 * header in *nh, the upper layer UL last); returns its length. */
static uint32_t
rand_chain(uint8_t *b, uint8_t *nh, uint8_t ul)
{
	static const uint8_t kinds[4] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
					  IPPROTO_FRAGMENT };
	unsigned int n = (unsigned int)rand() % 4;
	uint32_t off = 0;
	uint8_t *prev = nh;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t kind = kinds[rand() % 4];

		*prev = kind;
		memset(b + off, 0, EXT_LEN);
		if (kind == IPPROTO_FRAGMENT)
			put16(b + off + 2, (uint16_t)(rand() % 3 == 0 ? 8 : rand() % 2));
		prev = b + off;
		off += EXT_LEN;
	}
	*prev = ul;
	return off;
}

/* A random IPv4 or IPv6 packet in an Ethernet frame: protocols with and
 * without ports, options, fragments, extension headers, random upper-layer
 * bytes, and sometimes a length field that lies. */
static uint32_t
rand_frame(uint8_t *frame)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP,
					  IPPROTO_ICMPV6, PROTO_GRE, PROTO_ESP, PROTO_NONE6 };
	uint8_t proto = rand() % 8 ? protos[rand() % sizeof(protos)] : (uint8_t)rand();
	uint8_t payload[64];
	uint32_t plen = (uint32_t)rand() % sizeof(payload);
	struct pkt k;

	for (uint32_t i = 0; i < plen; i++)
		payload[i] = (uint8_t)rand();
	if (rand() % 2) {
		uint16_t frag = 0;

		if (rand() % 4 == 0)
			frag = (uint16_t)(rand() % 3 ? V4_MF : 1 + rand() % 8);
		v4(&k, proto, 5 + (unsigned int)rand() % 3, frag, payload, plen);
		put16(frame + 12, 0x0800);
	} else {
		uint8_t chain[4 * EXT_LEN + sizeof(payload)], nh;
		uint32_t clen = rand_chain(chain, &nh, proto);

		memcpy(chain + clen, payload, plen);
		v6(&k, nh, chain, clen + plen);
		put16(frame + 12, 0x86dd);
	}
	if (rand() % 8 == 0)
		put16(k.b + (k.b[0] >> 4 == 4 ? 2 : 4), (uint16_t)(rand() % 96));
	memset(frame, 0x02, 12);
	memcpy(frame + 14, k.b, k.len);
	return 14 + k.len;
}

/* dp_flow_from_parsed gives what dp_flow_extract gives, for every frame
 * the parser accepts (forward.c and fwd_ipsec.c use the one for the
 * other). */
static void
test_from_parsed(void)
{
	unsigned int compared = 0, bad = 0;
	uint8_t frame[BUF_LEN];

	srand(4301);
	for (unsigned int r = 0; r < GARBAGE_ROUNDS; r++) {
		uint32_t len = rand_frame(frame);
		struct dp_flow a, b;
		struct dp_pkt_info info;
		enum dp_drop_reason why;
		int ra, rb;

		if (rand() % 4 == 0)
			len -= (uint32_t)rand() % (len - 13);	/* truncated, maybe to L2 */
		if (dp_pkt_parse_rx(frame, len, true, &info, &why) < 0 ||
		    info.kind == DP_PKT_ARP)
			continue;
		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0x5a, sizeof(b));
		ra = dp_flow_from_parsed(frame, &info, &a);
		rb = dp_flow_extract(frame + info.l3_off, info.l3_len, &b);
		bad += ra != rb || memcmp(&a, &b, sizeof(a)) != 0;
		compared++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(compared > GARBAGE_ROUNDS / 4);
	printf("(%u frames parsed and compared) ", compared);
}

static void
test_reverse(void)
{
	struct dp_flow f = { .family = AF_INET, .proto = IPPROTO_TCP, .sport = 1, .dport = 2 };
	struct dp_flow r;

	memcpy(f.src, SRC4, 4);
	memcpy(f.dst, DST4, 4);
	dp_flow_reverse(&f, &r);
	CU_ASSERT_EQUAL(r.sport, 2);
	CU_ASSERT_EQUAL(r.dport, 1);
	CU_ASSERT(memcmp(r.src, DST4, 4) == 0 && memcmp(r.dst, SRC4, 4) == 0);
	CU_ASSERT_EQUAL(r.proto, IPPROTO_TCP);
	/* ICMP type/code keep their places. */
	f.proto = IPPROTO_ICMP;
	dp_flow_reverse(&f, &r);
	CU_ASSERT_EQUAL(r.sport, 1);
	CU_ASSERT_EQUAL(r.dport, 2);
	f.family = AF_INET6;
	f.proto = IPPROTO_ICMPV6;
	dp_flow_reverse(&f, &r);
	CU_ASSERT_EQUAL(r.sport, 1);
	CU_ASSERT_EQUAL(r.dport, 2);
	/* In place. */
	f.proto = IPPROTO_UDP;
	f.ports_opaque = true;
	dp_flow_reverse(&f, &f);
	CU_ASSERT_EQUAL(f.sport, 2);
	CU_ASSERT(f.ports_opaque);
	CU_ASSERT(memcmp(f.src, DST4, 4) == 0 && memcmp(f.dst, SRC4, 4) == 0);
	CU_ASSERT(dp_flow_proto_is_icmp(AF_INET, IPPROTO_ICMP));
	CU_ASSERT(!dp_flow_proto_is_icmp(AF_INET, IPPROTO_ICMPV6));
	CU_ASSERT(dp_flow_proto_is_icmp(AF_INET6, IPPROTO_ICMPV6));
	CU_ASSERT(!dp_flow_proto_is_icmp(AF_INET6, IPPROTO_ICMP));
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "IPv4 TCP/UDP/SCTP ports, options", test_v4_ports },
		{ "IPv4 ICMP type/code, other protocols", test_v4_icmp_and_other },
		{ "IPv4 fragments", test_v4_fragments },
		{ "IPv4 malformed", test_v4_malformed },
		{ "IPv6 ports and ICMPv6", test_v6_ports },
		{ "IPv6 extension headers", test_v6_extension_headers },
		{ "IPv6 extension header limit", test_v6_ext_limit },
		{ "IPv6 fragments", test_v6_fragments },
		{ "IPv6 malformed", test_v6_malformed },
		{ "random garbage", test_garbage },
		{ "reverse", test_reverse },
		{ "from a parsed frame = extraction", test_from_parsed },
	};
	CU_pSuite suite;

	inet_pton(AF_INET6, "2001:db8:9::6", SRC6);
	inet_pton(AF_INET6, "2001:db8:1:2::10", DST6);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("flow", NULL, NULL);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
