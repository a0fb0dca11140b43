/*
 * IP headers as the ESP transforms see them, inline because every packet
 * needs them: a checked view of an IPv4 or IPv6 header (RFC 791 §3.1,
 * RFC 8200 §3), and the per-packet fields of the fresh outer header of
 * tunnel mode (RFC 4303 §3.1.2, RFC 4301 §5.1.2.1), whose fixed part the
 * SA's path precomputes (esp_encap.c). What transport mode rewrites is in
 * esp_iph.c.
 */
#ifndef HAGW_ESP_IPH_H
#define HAGW_ESP_IPH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "dataplane/esp_hdr.h"
#include "dataplane/sa.h"

/* An IP header checked against the bytes that hold it. */
struct dp_esp_ip {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPv4 protocol / next header of the IPv6 fixed header */
	uint8_t tos;		/* TOS / traffic class: DSCP and ECN */
	bool df;		/* IPv4 DF; IPv6: true (RFC 8200 §5: routers never fragment) */
	bool fragment;		/* IPv4 MF or offset; IPv6 fragment header first */
	uint16_t hdr_len;	/* IPv4 IHL x 4, IPv6 40 (fixed header) */
	uint16_t len;		/* datagram length from the header */
};

static inline bool
dp_esp_ip_parse4(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
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

static inline bool
dp_esp_ip_parse6(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
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

/* Fills v from the header at ip if it is a consistent IPv4 or IPv6 header
 * whose datagram (v->len) lies within the avail bytes. */
static inline bool
dp_esp_ip_parse(const uint8_t *ip, uint32_t avail, struct dp_esp_ip *v)
{
	if (avail == 0)
		return false;
	switch (ip[0] >> DP_ESP_IP_VERSION_SHIFT) {
	case DP_ESP_IPV4_VERSION:
		return dp_esp_ip_parse4(ip, avail, v);
	case DP_ESP_IPV6_VERSION:
		return dp_esp_ip_parse6(ip, avail, v);
	default:
		return false;
	}
}

/* The per-packet fields of an outer IPv4 header copied from the path's
 * template; the checksum from the template's sum (RFC 1071 §4.1). frag
 * is the fragment field: DP_ESP_IPV4_DF or 0. */
static inline void
dp_esp_ip_outer4(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t tos,
		 uint16_t frag, uint16_t id)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
	uint32_t sum = path->ip_csum + tos + len + id + frag;

	h->type_of_service = tos;
	h->total_length = rte_cpu_to_be_16(len);
	h->packet_id = rte_cpu_to_be_16(id);
	h->fragment_offset = rte_cpu_to_be_16(frag);
	sum = (sum & DP_ESP_CSUM_MASK) + (sum >> DP_ESP_CSUM_SHIFT);
	sum = (sum & DP_ESP_CSUM_MASK) + (sum >> DP_ESP_CSUM_SHIFT);
	h->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static inline void
dp_esp_ip_outer6(uint8_t *ip, uint16_t len, uint8_t tos)
{
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

	h->vtc_flow = rte_cpu_to_be_32(DP_ESP_IPV6_VERSION_WORD |
				       (uint32_t)tos << DP_ESP_IPV6_TC_SHIFT);
	h->payload_len = rte_cpu_to_be_16(len - DP_ESP_IPV6_HDR_LEN);
}

/* Fills the per-packet fields of the outer header copied from the path's
 * template at ip: length, TOS / traffic class from the inner one (the
 * path's DSCP rule, ECN copied: RFC 6040 §4.1 normal mode), and for IPv4
 * DF, ID and checksum. */
static inline void
dp_esp_ip_outer(uint8_t *ip, const struct dp_sa_path *path, uint16_t len, uint8_t inner_tos,
		uint16_t frag, uint16_t id)
{
	uint8_t tos = (inner_tos & path->tos_keep) | path->tos_set;

	if (path->ip_len == DP_ESP_IPV4_HDR_LEN)
		dp_esp_ip_outer4(ip, path, len, tos, frag, id);
	else
		dp_esp_ip_outer6(ip, len, tos);
}

#endif
