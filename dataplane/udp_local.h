/*
 * UDP datagrams addressed to the box and sent by it (RFC 768, RFC 8200
 * §8.1): how the control core's UDP services (IKE on 500/4500, HA sync)
 * receive and send, without touching mbufs themselves.
 */
#ifndef HAGW_UDP_LOCAL_H
#define HAGW_UDP_LOCAL_H

#include <stdint.h>

struct dp;
struct rte_mbuf;
struct dp_pkt_info;

/* One end of a datagram: address in network order (IPv4 in the first 4
 * bytes), port in host order. */
struct dp_udp_end {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};

/* A received datagram: the payload points into the mbuf. */
struct dp_udp_dgram {
	struct dp_udp_end src;
	struct dp_udp_end dst;
	uint8_t in_port;
	const uint8_t *payload;
	uint16_t len;
};

/*
 * Reads the UDP datagram of M (parsed into INFO by dp_pkt_parse). Checks
 * the UDP length against the IP datagram and the checksum (mandatory for
 * IPv6, RFC 8200 §8.1; for IPv4 when non-zero). Fragments are not
 * reassembled here. 0, or -EBADMSG (malformed, fragment, bad checksum).
 */
int dp_udp_read(struct rte_mbuf *m, const struct dp_pkt_info *info,
		struct dp_udp_dgram *d);

/*
 * Sends LEN bytes from SRC (one of our addresses) to DST through the
 * control core's output path (route, neighbour resolution; the outbound
 * SPD does not apply to IKE's ports). 0, -EINVAL (families differ),
 * -EMSGSIZE (datagram does not fit one mbuf; IKE fragments its own
 * messages, RFC 7383), -ENOBUFS (no mbuf), or dp_ctl_output's error.
 */
int dp_udp_send(struct dp *dp, const struct dp_udp_end *src, const struct dp_udp_end *dst,
		const void *payload, uint16_t len);
/* The same for a payload that carries its own integrity check (the HA
 * channel's AEAD tag): over IPv4 the UDP checksum is 0, none computed
 * (RFC 768), which saves a pass over every sync datagram; over IPv6 it is
 * computed as always (RFC 8200 §8.1). */
int dp_udp_send_sealed(struct dp *dp, const struct dp_udp_end *src, const struct dp_udp_end *dst,
		       const void *payload, uint16_t len);

#endif
