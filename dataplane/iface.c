/* Our ports' own addresses: ownership tests and source address selection
 * for packets the box originates (RFC 6724 reduced to "same subnet first"). */
#include <string.h>

#include "dataplane/dp.h"

static bool
prefix_contains(const struct cfg_prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr.bytes, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr.bytes[full] & mask) == (addr[full] & mask);
}

static bool
owns(const struct cfg_prefix *list, unsigned int n, const uint8_t *addr, size_t len)
{
	for (unsigned int i = 0; i < n; i++)
		if (memcmp(list[i].addr.bytes, addr, len) == 0)
			return true;
	return false;
}

static bool
source_for(const struct cfg_prefix *list, unsigned int n, const uint8_t *dst,
	   uint8_t *src, size_t len)
{
	if (n == 0)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		if (prefix_contains(&list[i], dst)) {
			memcpy(src, list[i].addr.bytes, len);
			return true;
		}
	}
	memcpy(src, list[0].addr.bytes, len);
	return true;
}

bool
dp_iface_owns_ipv4(const struct dp_iface *ifc, const uint8_t addr[4])
{
	return owns(ifc->ipv4, ifc->n_ipv4, addr, 4);
}

bool
dp_iface_owns_ipv6(const struct dp_iface *ifc, const uint8_t addr[16])
{
	if (memcmp(ifc->ipv6_link_local, addr, DP_IPV6_LEN) == 0)
		return true;
	return owns(ifc->ipv6, ifc->n_ipv6, addr, DP_IPV6_LEN);
}

bool
dp_iface_source_ipv4(const struct dp_iface *ifc, const uint8_t dst[4], uint8_t src[4])
{
	return source_for(ifc->ipv4, ifc->n_ipv4, dst, src, 4);
}

bool
dp_iface_source_ipv6(const struct dp_iface *ifc, const uint8_t dst[16], uint8_t src[16])
{
	/* Link-local destinations get our link-local source (RFC 4861 §4.3). */
	if (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) {
		memcpy(src, ifc->ipv6_link_local, DP_IPV6_LEN);
		return true;
	}
	if (source_for(ifc->ipv6, ifc->n_ipv6, dst, src, DP_IPV6_LEN))
		return true;
	memcpy(src, ifc->ipv6_link_local, DP_IPV6_LEN);
	return true;
}

int
dp_iface_by_port_id(const struct dp *dp, uint16_t port_id)
{
	for (unsigned int i = 0; i < dp->n_ifaces; i++)
		if (dp->iface[i].port_id == port_id)
			return (int)i;
	return -1;
}
