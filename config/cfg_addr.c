/*
 * Address and prefix text in the configuration: "a.b.c.d/len", "x::y/len"
 * and plain next-hop addresses; host bits, subnet membership and the
 * addresses a port may not own (RFC 6890 special-purpose ranges, RFC 4291
 * §2.5.2 unspecified, §2.5.3 loopback, §2.5.6 link-local, §2.7 multicast).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	IPV4_BITS = 32,
	IPV6_BITS = 128,
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
	BYTE_BITS = 8,
	LEN_DIGITS = 3,			/* "128" */
	IPV4_MULTICAST_TOP = 0xe0,	/* 224.0.0.0/4 */
	IPV4_CLASS_MASK = 0xf0,
	IPV4_LOOPBACK_TOP = 127,	/* 127.0.0.0/8 */
	IPV4_THIS_NET_TOP = 0,		/* 0.0.0.0/8 */
	IPV4_HOST_PREFIX_MAX = 30,	/* /31 and /32 have no network/broadcast address */
	IPV6_MULTICAST_TOP = 0xff,	/* ff00::/8 */
	IPV6_LINK_LOCAL_0 = 0xfe,	/* fe80::/10 */
	IPV6_LINK_LOCAL_1 = 0x80,
	IPV6_LINK_LOCAL_MASK_1 = 0xc0,
};

static unsigned int
family_bits(int family)
{
	return family == AF_INET ? IPV4_BITS : IPV6_BITS;
}

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int
parse_len(const char *text, unsigned int min, unsigned int max, unsigned int *len,
	  char *why, size_t why_len)
{
	size_t n = strlen(text);
	unsigned int v = 0;

	if (n == 0 || n > LEN_DIGITS || (n > 1 && text[0] == '0'))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			goto bad;
		v = v * 10 + (unsigned int)(text[i] - '0');
	}
	if (v < min || v > max) {
		snprintf(why, why_len, "has prefix length %u, allowed %u..%u", v, min, max);
		return -ERANGE;
	}
	*len = v;
	return 0;
bad:
	snprintf(why, why_len, "has a bad prefix length (expected a number after '/')");
	return -EINVAL;
}

static int
parse_addr(const char *text, int family, struct cfg_prefix *p, char *why, size_t why_len)
{
	int found = AF_UNSPEC;

	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, text, p->addr.v4) == 1)
		found = AF_INET;
	else if (inet_pton(AF_INET6, text, p->addr.v6) == 1)
		found = AF_INET6;
	if (found == AF_UNSPEC) {
		snprintf(why, why_len, "is not %s address",
			 family == AF_UNSPEC ? "an IP" : family == AF_INET ? "an IPv4" : "an IPv6");
		return -EINVAL;
	}
	if (family != AF_UNSPEC && found != family) {
		snprintf(why, why_len, "is an %s address, expected %s", family_name(found),
			 family_name(family));
		return -EAFNOSUPPORT;
	}
	p->family = (uint8_t)found;
	return 0;
}

/*
 * Parses TEXT of FAMILY (AF_UNSPEC: either). with_len: "addr/len" with len
 * in min_len..32/128; otherwise a plain address (len set to 32/128).
 */
int
cfg_prefix_parse(const char *text, int family, bool with_len, unsigned int min_len,
		 struct cfg_prefix *p, char *why, size_t why_len)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned int len;
	int rc;

	if (with_len && slash == NULL) {
		snprintf(why, why_len, "needs a prefix length (address/len)");
		return -EINVAL;
	}
	if (!with_len && slash != NULL) {
		snprintf(why, why_len, "must be a plain address, without /len");
		return -EINVAL;
	}
	if (n >= sizeof(addr)) {
		snprintf(why, why_len, "is not %s address", family == AF_INET ? "an IPv4" :
			 family == AF_INET6 ? "an IPv6" : "an IP");
		return -EINVAL;
	}
	memcpy(addr, text, n);
	addr[n] = '\0';
	rc = parse_addr(addr, family, p, why, why_len);
	if (rc < 0)
		return rc;
	len = family_bits(p->family);
	if (with_len) {
		rc = parse_len(slash + 1, min_len, family_bits(p->family), &len, why, why_len);
		if (rc < 0)
			return rc;
	}
	p->len = (uint8_t)len;
	return 0;
}

static bool
bit_set(const struct cfg_prefix *p, unsigned int bit)
{
	return (p->addr.bytes[bit / BYTE_BITS] >> (BYTE_BITS - 1 - bit % BYTE_BITS)) & 1;
}

bool
cfg_prefix_has_host_bits(const struct cfg_prefix *p)
{
	for (unsigned int b = p->len; b < family_bits(p->family); b++)
		if (bit_set(p, b))
			return true;
	return false;
}

static bool
host_bits_all_set(const struct cfg_prefix *p)
{
	for (unsigned int b = p->len; b < family_bits(p->family); b++)
		if (!bit_set(p, b))
			return false;
	return true;
}

/* Clears the host bits. */
void
cfg_prefix_mask(struct cfg_prefix *p)
{
	for (unsigned int b = p->len; b < family_bits(p->family); b++)
		p->addr.bytes[b / BYTE_BITS] &= (uint8_t)~(1u << (BYTE_BITS - 1 - b % BYTE_BITS));
}

/* Is ADDR inside the subnet of NET (NET's host bits ignored)? */
bool
cfg_prefix_contains(const struct cfg_prefix *net, const struct cfg_prefix *addr)
{
	if (net->family != addr->family)
		return false;
	for (unsigned int b = 0; b < net->len; b++)
		if (bit_set(net, b) != bit_set(addr, b))
			return false;
	return true;
}

bool
cfg_prefix_equal(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	return a->len == b->len && cfg_addr_equal(a, b);
}

bool
cfg_addr_equal(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	size_t n = a->family == AF_INET ? IPV4_BYTES : IPV6_BYTES;

	return a->family == b->family && memcmp(a->addr.bytes, b->addr.bytes, n) == 0;
}

static const char *
ipv4_problem(const struct cfg_prefix *p)
{
	const uint8_t *a = p->addr.v4;

	if (a[0] == IPV4_THIS_NET_TOP)
		return "is in 0.0.0.0/8 (this network)";
	if (a[0] == IPV4_LOOPBACK_TOP)
		return "is a loopback address";
	if ((a[0] & IPV4_CLASS_MASK) == IPV4_MULTICAST_TOP)
		return "is a multicast address";
	if (p->len <= IPV4_HOST_PREFIX_MAX && !cfg_prefix_has_host_bits(p))
		return "is the network address of its subnet";
	if (p->len <= IPV4_HOST_PREFIX_MAX && host_bits_all_set(p))
		return "is the broadcast address of its subnet";
	return NULL;
}

static const char *
ipv6_problem(const struct cfg_prefix *p)
{
	static const uint8_t zero[IPV6_BYTES];
	const uint8_t *a = p->addr.v6;

	if (memcmp(a, zero, IPV6_BYTES - 1) == 0 && a[IPV6_BYTES - 1] == 0)
		return "is the unspecified address";
	if (memcmp(a, zero, IPV6_BYTES - 1) == 0 && a[IPV6_BYTES - 1] == 1)
		return "is the loopback address";
	if (a[0] == IPV6_MULTICAST_TOP)
		return "is a multicast address";
	if (a[0] == IPV6_LINK_LOCAL_0 && (a[1] & IPV6_LINK_LOCAL_MASK_1) == IPV6_LINK_LOCAL_1)
		return "is a link-local address (hagw derives its own)";
	return NULL;
}

/* Why P may not be a port's own address, or NULL if it may. */
const char *
cfg_host_addr_problem(const struct cfg_prefix *p)
{
	return p->family == AF_INET ? ipv4_problem(p) : ipv6_problem(p);
}
