/*
 * libFuzzer target for the frame parser and the Internet checksum
 * (dataplane/pkt_parse.c; RFC 791, RFC 8200 §4, RFC 1071). libFuzzer hands
 * over an exactly sized heap buffer, so ASan sees any read past the frame.
 * An accepted frame must satisfy the guarantees of pkt_parse.h, and the
 * checksum must equal a byte-wise reference at two alignments; a breach
 * aborts. Seed corpus: the .bin files in tests/vectors/frames/.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/pkt_parse.h"

enum {
	ETH_HDR_LEN = 14,
	ARP_LEN = 28,
	IP_MIN_HDR = 20,
	SMALL_L4_HDR = 8,		/* ICMP, ICMPv6, UDP */
	TCP_HDR_LEN = 20,
	CSUM_MAX = 4096,		/* bytes checksummed per input */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
fixed_l4_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
	case IPPROTO_UDP:
		return SMALL_L4_HDR;
	case IPPROTO_TCP:
		return TCP_HDR_LEN;
	default:
		return 0;
	}
}

static void
check_info(const struct dp_pkt_info *info, uint32_t len)
{
	uint32_t end = (uint32_t)info->l3_off + info->l3_len;

	if (info->l3_off != ETH_HDR_LEN || end > len)
		abort();
	if (info->kind == DP_PKT_ARP) {
		if (info->l3_len != ARP_LEN || info->l4_off != 0 || info->fragment)
			abort();
		return;
	}
	if (info->kind != DP_PKT_IPV4 && info->kind != DP_PKT_IPV6)
		abort();
	if (info->l4_off < ETH_HDR_LEN + IP_MIN_HDR || info->l4_off > end)
		abort();
	if (info->first_fragment && end - info->l4_off < fixed_l4_len(info->l4_proto))
		abort();
	if (!info->first_fragment && !info->fragment)
		abort();
}

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

static void
check_csum(const uint8_t *data, size_t size)
{
	size_t n = size < CSUM_MAX ? size : CSUM_MAX;
	uint16_t want = ref_csum(data, n);

	if (dp_csum_fold(dp_csum_add(0, data, (uint32_t)n)) != want)
		abort();
	if (n > 1 && dp_csum_fold(dp_csum_add(0, data + 1, (uint32_t)n - 1)) !=
		     ref_csum(data + 1, n - 1))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_pkt_info info;
	enum dp_drop_reason why = DP_DROP_MAX;
	uint32_t len = size > UINT16_MAX ? UINT16_MAX : (uint32_t)size;

	if (dp_pkt_parse(data, len, &info, &why) == 0) {
		check_info(&info, len);
	} else if (why != DP_DROP_MALFORMED && why != DP_DROP_UNKNOWN_ETHERTYPE &&
		   why != DP_DROP_BAD_IP_CHECKSUM) {
		abort();
	}
	check_csum(data, size);
	return 0;
}
