/*
 * Building the frames the control core originates: a fresh mbuf with its
 * metadata, Ethernet/IPv4/IPv6 headers, Internet checksums (RFC 1071)
 * including the ICMPv6 pseudo-header (RFC 8200 §8.1, RFC 4443 §2.3), and
 * the IPv6 multicast mappings neighbour discovery needs (RFC 4291 §2.7.1,
 * RFC 2464 §7).
 */
#ifndef HAGW_PKT_BUILD_H
#define HAGW_PKT_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>

struct rte_mbuf;
struct rte_mempool;

enum {
	DP_IPV4_ADDR_LEN = 4,
	DP_IP_DEFAULT_TTL = 64,		/* TTL / hop limit of packets we originate */
	DP_ICMP_HDR_LEN = 8,		/* type, code, checksum, 4 bytes rest */
};

/*
 * A zeroed single-segment packet of LEN bytes from POOL, its metadata
 * cleared with in_port = out_port = PORT and l3_off = Ethernet header size.
 * NULL when the pool is empty or LEN does not fit one segment.
 */
struct rte_mbuf *dp_pkt_new(struct rte_mempool *pool, uint8_t port, uint32_t len);

/* Writes the Ethernet header at the start of m. */
void dp_pkt_eth(struct rte_mbuf *m, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src, uint16_t ether_type);

/* Writes a 20-byte IPv4 header (DF set, ID 0: an atomic datagram,
 * RFC 6864 §4) with its checksum. */
void dp_pkt_ipv4(struct rte_ipv4_hdr *ip, const uint8_t src[4], const uint8_t dst[4],
		 uint8_t proto, uint8_t tos, uint16_t total_len);

/* Writes an IPv6 header without extension headers. */
void dp_pkt_ipv6(struct rte_ipv6_hdr *ip, const uint8_t src[16], const uint8_t dst[16],
		 uint8_t proto, uint8_t hop_limit, uint16_t payload_len);

/* Internet checksum of LEN bytes, complemented: ready to store as is. A
 * message whose checksum field is correct yields 0. */
uint16_t dp_pkt_csum(const void *data, uint32_t len);

/* ICMPv6 checksum of the LEN-byte message at MSG between SRC and DST,
 * complemented: ready to store; 0 when the message's own field is right. */
uint16_t dp_pkt_icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const void *msg,
			   uint32_t len);

bool dp_ipv6_is_multicast(const uint8_t a[16]);
bool dp_ipv6_is_unspecified(const uint8_t a[16]);
bool dp_ipv6_is_loopback(const uint8_t a[16]);
/* True for ff02::1:ff00:0/104 (RFC 4291 §2.7.1). */
bool dp_ipv6_is_solicited_node(const uint8_t a[16]);
/* The solicited-node multicast group of ADDR. */
void dp_ipv6_solicited_node(const uint8_t addr[16], uint8_t group[16]);
/* The Ethernet multicast address 33:33:xx:xx:xx:xx of an IPv6 group. */
void dp_ipv6_mcast_mac(const uint8_t group[16], struct rte_ether_addr *mac);
/* ff02::1, all nodes on the link. */
void dp_ipv6_all_nodes(uint8_t group[16]);

#endif
