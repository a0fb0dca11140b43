/*
 * ECN across an ESP tunnel on decapsulation: the inner DSCP is kept and
 * the ECN fields are combined per the table of RFC 6040 §4.2, dropping CE
 * on a Not-ECT inner packet. (On encapsulation the outer DSCP is copied
 * from the inner header or set by the SA, RFC 4301 §5.1.2.1, RFC 2983, and
 * the ECN field is copied, RFC 6040 §4.1 normal mode: the path's
 * tos_keep / tos_set, esp_encap.c.)
 */
#include <errno.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "dataplane/esp_priv.h"

enum {
	ECN_DROP = 0xff,		/* table entry: discard the packet */
	BYTE_BITS = 8,
	CSUM_FOLD_BITS = 16,
	CSUM_MASK = 0xffff,
};

/* RFC 6040 §4.2 Figure 4: [inner][outer] -> outgoing inner ECN field.
 * Codepoints index as Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3. */
static const uint8_t ecn_decap[4][4] = {
	[DP_ESP_ECN_NOT_ECT] = {
		[DP_ESP_ECN_NOT_ECT] = DP_ESP_ECN_NOT_ECT, [DP_ESP_ECN_ECT0] = DP_ESP_ECN_NOT_ECT,
		[DP_ESP_ECN_ECT1] = DP_ESP_ECN_NOT_ECT, [DP_ESP_ECN_CE] = ECN_DROP,
	},
	[DP_ESP_ECN_ECT0] = {
		[DP_ESP_ECN_NOT_ECT] = DP_ESP_ECN_ECT0, [DP_ESP_ECN_ECT0] = DP_ESP_ECN_ECT0,
		[DP_ESP_ECN_ECT1] = DP_ESP_ECN_ECT1, [DP_ESP_ECN_CE] = DP_ESP_ECN_CE,
	},
	[DP_ESP_ECN_ECT1] = {
		[DP_ESP_ECN_NOT_ECT] = DP_ESP_ECN_ECT1, [DP_ESP_ECN_ECT0] = DP_ESP_ECN_ECT1,
		[DP_ESP_ECN_ECT1] = DP_ESP_ECN_ECT1, [DP_ESP_ECN_CE] = DP_ESP_ECN_CE,
	},
	[DP_ESP_ECN_CE] = {
		[DP_ESP_ECN_NOT_ECT] = DP_ESP_ECN_CE, [DP_ESP_ECN_ECT0] = DP_ESP_ECN_CE,
		[DP_ESP_ECN_ECT1] = DP_ESP_ECN_CE, [DP_ESP_ECN_CE] = DP_ESP_ECN_CE,
	},
};

/* RFC 1624 eqn. 3 for the 16-bit word holding version/IHL and TOS. */
static void
ipv4_set_tos(struct rte_ipv4_hdr *h, uint8_t tos)
{
	uint16_t old_w = (uint16_t)(h->version_ihl << BYTE_BITS | h->type_of_service);
	uint16_t new_w = (uint16_t)(h->version_ihl << BYTE_BITS | tos);
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(h->hdr_checksum);

	sum += (uint16_t)~old_w;
	sum += new_w;
	sum = (sum & CSUM_MASK) + (sum >> CSUM_FOLD_BITS);
	sum = (sum & CSUM_MASK) + (sum >> CSUM_FOLD_BITS);
	h->type_of_service = tos;
	h->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static void
ipv6_set_tc(struct rte_ipv6_hdr *h, uint8_t tc)
{
	uint32_t vtc = rte_be_to_cpu_32(h->vtc_flow);

	vtc &= ~((uint32_t)DP_ESP_IPV6_TC_MASK << DP_ESP_IPV6_TC_SHIFT);
	vtc |= (uint32_t)tc << DP_ESP_IPV6_TC_SHIFT;
	h->vtc_flow = rte_cpu_to_be_32(vtc);
}

int
dp_esp_ecn_decap(uint8_t outer_tos, uint8_t *inner, const struct dp_esp_ip *v)
{
	uint8_t in_ecn = v->tos & DP_ESP_ECN_MASK;
	uint8_t ecn = ecn_decap[in_ecn][outer_tos & DP_ESP_ECN_MASK];
	uint8_t tos;

	if (ecn == ECN_DROP)
		return -EBADMSG;
	if (ecn == in_ecn)
		return 0;
	tos = (uint8_t)((v->tos & ~DP_ESP_ECN_MASK) | ecn);
	if (v->family == AF_INET)
		ipv4_set_tos((struct rte_ipv4_hdr *)inner, tos);
	else
		ipv6_set_tc((struct rte_ipv6_hdr *)inner, tos);
	return 0;
}
