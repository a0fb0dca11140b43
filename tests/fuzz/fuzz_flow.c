/*
 * libFuzzer target for flow extraction (dataplane/flow.c; RFC 4301
 * §4.4.1.1 selector fields, RFC 791, RFC 8200 §4 extension headers, RFC
 * 4301 §7 fragments). The input is read as an IP packet twice: from its
 * first byte, and after 14 bytes (so the Ethernet frame seeds in
 * tests/vectors/frames/ give valid packets). libFuzzer hands over an
 * exactly sized heap buffer, so ASan sees any read past it. Any breach of
 * flow.h's promises aborts.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/flow.h"

enum {
	ETH_HDR_LEN = 14,
	IP_VERSION_SHIFT = 4,
	IPV4_SRC_OFF = 12,
	IPV4_DST_OFF = 16,
	IPV6_SRC_OFF = 8,
	IPV6_DST_OFF = 24,
	IPV4_ADDR_LEN = 4,
	IPV6_ADDR_LEN = 16,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static bool
has_ports(const struct dp_flow *f)
{
	return f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == IPPROTO_SCTP ||
	       dp_flow_proto_is_icmp(f->family, f->proto);
}

static void
check_ok(const uint8_t *l3, const struct dp_flow *f)
{
	unsigned int ver = l3[0] >> IP_VERSION_SHIFT;
	struct dp_flow r, rr;

	if (ver == 4) {
		if (f->family != AF_INET || memcmp(f->src, l3 + IPV4_SRC_OFF, IPV4_ADDR_LEN) != 0 ||
		    memcmp(f->dst, l3 + IPV4_DST_OFF, IPV4_ADDR_LEN) != 0 ||
		    !all_zero(f->src + IPV4_ADDR_LEN, IPV6_ADDR_LEN - IPV4_ADDR_LEN) ||
		    !all_zero(f->dst + IPV4_ADDR_LEN, IPV6_ADDR_LEN - IPV4_ADDR_LEN))
			abort();
	} else if (ver == 6) {
		if (f->family != AF_INET6 ||
		    memcmp(f->src, l3 + IPV6_SRC_OFF, IPV6_ADDR_LEN) != 0 ||
		    memcmp(f->dst, l3 + IPV6_DST_OFF, IPV6_ADDR_LEN) != 0)
			abort();
	} else {
		abort();
	}
	if ((f->ports_opaque || !has_ports(f)) && (f->sport != 0 || f->dport != 0))
		abort();
	if (dp_flow_proto_is_icmp(f->family, f->proto) && (f->sport > UINT8_MAX ||
							   f->dport > UINT8_MAX))
		abort();
	dp_flow_reverse(f, &r);
	dp_flow_reverse(&r, &rr);
	if (memcmp(&rr, f, sizeof(rr)) != 0)
		abort();
}

static void
one(const uint8_t *l3, size_t len)
{
	struct dp_flow f;
	int rc;

	memset(&f, 0xa5, sizeof(f));
	rc = dp_flow_extract(l3, (uint32_t)len, &f);
	if (rc == 0)
		check_ok(l3, &f);
	else if (rc != -EINVAL || !all_zero(&f, sizeof(f)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size);
	if (size >= ETH_HDR_LEN)
		one(data + ETH_HDR_LEN, size - ETH_HDR_LEN);
	return 0;
}
