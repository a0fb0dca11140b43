/*
 * The IP header fields transport mode rewrites (RFC 4303 §3.1.1): length
 * and protocol / next header, the IPv4 checksum recomputed. The checked
 * view of a header and the outer header of tunnel mode, which every
 * packet needs, are inline in esp_iph.h.
 */
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "dataplane/esp_priv.h"

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
