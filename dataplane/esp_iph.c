/*
 * IP headers as the ESP transforms see them: a checked view of an IPv4 or
 * IPv6 header (RFC 791 §3.1, RFC 8200 §3), the fields transport mode
 * rewrites (RFC 4303 §3.1.1), and the fresh outer header of tunnel mode
 * (RFC 4303 §3.1.2, RFC 4301 §5.1.2.1).
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "dataplane/esp_priv.h"

static bool
parse_ipv4(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
{
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	uint16_t frag;

	if (avail < DP_ESP_IPV4_HDR_LEN)
		return false;
	v->hdr_len = (h->version_ihl & DP_ESP_IPV4_IHL_MASK) * DP_ESP_IPV4_IHL_UNIT;
	v->len = rte_be_to_cpu_16(h->total_length);
	if (v->hdr_len < DP_ESP_IPV4_HDR_LEN || v->len < v->hdr_len || v->len > avail)
		return false;
	frag = rte_be_to_cpu_16(h->fragment_offset);
	v->family = AF_INET;
	v->proto = h->next_proto_id;
	v->tos = h->type_of_service;
	v->df = (frag & DP_ESP_IPV4_DF) != 0;
	v->fragment = (frag & (DP_ESP_IPV4_MF | DP_ESP_IPV4_FRAG_MASK)) != 0;
	return true;
}

static bool
parse_ipv6(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
{
	const struct rte_ipv6_hdr *h = (const struct rte_ipv6_hdr *)ip;
	uint32_t len;

	if (avail < DP_ESP_IPV6_HDR_LEN)
		return false;
	len = DP_ESP_IPV6_HDR_LEN + (uint32_t)rte_be_to_cpu_16(h->payload_len);
	if (len > avail || len > DP_ESP_L3_MAX)
		return false;
	v->family = AF_INET6;
	v->hdr_len = DP_ESP_IPV6_HDR_LEN;
	v->len = (uint16_t)len;
	v->proto = h->proto;
	v->tos = (rte_be_to_cpu_32(h->vtc_flow) >> DP_ESP_IPV6_TC_SHIFT) & DP_ESP_IPV6_TC_MASK;
	v->df = true;
	v->fragment = h->proto == IPPROTO_FRAGMENT;
	return true;
}

bool
dp_esp_ip_parse(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
{
	if (avail == 0)
		return false;
	switch (ip[0] >> DP_ESP_IP_VERSION_SHIFT) {
	case DP_ESP_IPV4_VERSION:
		return parse_ipv4(ip, avail, v);
	case DP_ESP_IPV6_VERSION:
		return parse_ipv6(ip, avail, v);
	default:
		return false;
	}
}

void
dp_esp_ip_set(uint8_t *ip, const struct dp_esp_ip *v, uint16_t len, uint8_t proto)
{
	if (v->family == AF_INET) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->total_length = rte_cpu_to_be_16(len);
		h->next_proto_id = proto;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->payload_len = rte_cpu_to_be_16(len - DP_ESP_IPV6_HDR_LEN);
		h->proto = proto;
	}
}

static void
outer_ipv4(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t proto,
	   uint8_t tos, bool df, uint16_t id)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

	h->version_ihl = DP_ESP_IPV4_VIHL;
	h->type_of_service = tos;
	h->total_length = rte_cpu_to_be_16(len);
	h->packet_id = rte_cpu_to_be_16(id);
	h->fragment_offset = rte_cpu_to_be_16(df ? DP_ESP_IPV4_DF : 0);
	h->time_to_live = DP_ESP_OUTER_TTL;
	h->next_proto_id = proto;
	memcpy(&h->src_addr, path->local.addr.v4, sizeof(h->src_addr));
	memcpy(&h->dst_addr, path->remote.addr.v4, sizeof(h->dst_addr));
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

/* The flow label stays 0 (RFC 6437 §2 allows it; RFC 6438 hashing is an
 * option for later). */
static void
outer_ipv6(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t proto,
	   uint8_t tos)
{
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

	h->vtc_flow = rte_cpu_to_be_32(DP_ESP_IPV6_VERSION_WORD |
				       (uint32_t)tos << DP_ESP_IPV6_TC_SHIFT);
	h->payload_len = rte_cpu_to_be_16(len - DP_ESP_IPV6_HDR_LEN);
	h->proto = proto;
	h->hop_limits = DP_ESP_OUTER_TTL;
	memcpy(h->src_addr, path->local.addr.v6, sizeof(h->src_addr));
	memcpy(h->dst_addr, path->remote.addr.v6, sizeof(h->dst_addr));
}

void
dp_esp_ip_outer(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t proto,
		uint8_t tos, bool df, uint16_t id)
{
	if (path->local.family == AF_INET)
		outer_ipv4(ip, path, len, proto, tos, df, id);
	else
		outer_ipv6(ip, path, len, proto, tos);
}
