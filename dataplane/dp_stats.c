/* Names and descriptions of the dataplane's drop reasons. */
#include "dataplane/dp_stats.h"

struct drop_reason_text {
	const char *name;
	const char *help;
};

static const struct drop_reason_text drop_reason_text[DP_DROP_MAX] = {
	[DP_DROP_MALFORMED] = { "malformed", "truncated or inconsistent headers" },
	[DP_DROP_UNKNOWN_ETHERTYPE] = { "unknown_ethertype", "neither IPv4, IPv6 nor ARP" },
	[DP_DROP_NOT_OUR_MAC] = { "not_our_mac", "unicast frame for another station" },
	[DP_DROP_OVERSIZE] = { "oversize", "frame longer than the port MTU allows" },
	[DP_DROP_BAD_IP_CHECKSUM] = { "bad_ip_checksum", "IPv4 header checksum wrong" },
	[DP_DROP_MARTIAN] = { "martian", "source or destination address never valid" },
	[DP_DROP_ARP_NOT_FOR_US] = { "arp_not_for_us", "ARP for an address we do not own" },
	[DP_DROP_ND_NOT_FOR_US] = { "nd_not_for_us", "neighbour discovery for another node" },
	[DP_DROP_NO_ROUTE] = { "no_route", "no route to the destination" },
	[DP_DROP_TTL_EXCEEDED] = { "ttl_exceeded", "TTL or hop limit reached zero" },
	[DP_DROP_MTU_EXCEEDED] = { "mtu_exceeded", "larger than the egress MTU" },
	[DP_DROP_NEIGH_UNRESOLVED] = { "neigh_unresolved",
				       "next hop did not resolve, or its queue was full" },
	[DP_DROP_LOCAL_UNSUPPORTED] = { "local_unsupported",
					"addressed to us, but no service for it" },
	[DP_DROP_ICMP_RATE_LIMITED] = { "icmp_rate_limited",
					"ICMP error not sent: rate limit" },
	[DP_DROP_PUNT_RING_FULL] = { "punt_ring_full", "control core queue full" },
	[DP_DROP_TX_FULL] = { "tx_full", "transmit queue full" },
	[DP_DROP_NO_MBUF] = { "no_mbuf", "packet pool exhausted" },
	[DP_DROP_ESP_UNKNOWN_SPI] = { "esp_unknown_spi", "ESP for an SPI we do not have" },
	[DP_DROP_ESP_REPLAY] = { "esp_replay", "ESP sequence number replayed or too old" },
	[DP_DROP_ESP_AUTH] = { "esp_auth", "ESP ICV verification failed" },
	[DP_DROP_ESP_POLICY] = { "esp_policy",
				 "decrypted packet outside the SA's traffic selectors" },
	[DP_DROP_ESP_MALFORMED] = { "esp_malformed", "bad ESP length, padding or next header" },
	[DP_DROP_ESP_LIFETIME] = { "esp_lifetime",
				   "SA hard lifetime reached or sequence numbers exhausted" },
	[DP_DROP_ESP_NO_SA] = { "esp_no_sa", "policy requires an SA that is not installed" },
	[DP_DROP_ESP_HANDOFF_FULL] = { "esp_handoff_full",
				       "hand-off ring to the SA's owner worker full" },
	[DP_DROP_SPD_DISCARD] = { "spd_discard", "security policy says discard" },
	[DP_DROP_SPD_UNPROTECTED] = { "spd_unprotected",
				      "clear text where policy requires ESP" },
	[DP_DROP_NATT_KEEPALIVE] = { "natt_keepalive",
				     "NAT-T keepalive (RFC 3948), consumed by design" },
	[DP_DROP_ESP_INACTIVE] = { "esp_inactive",
				   "ESP for an SA that is an HA standby copy, not active here" },
};

const char *
dp_drop_reason_name(enum dp_drop_reason reason)
{
	return reason < DP_DROP_MAX ? drop_reason_text[reason].name : "unknown";
}

const char *
dp_drop_reason_help(enum dp_drop_reason reason)
{
	return reason < DP_DROP_MAX ? drop_reason_text[reason].help : "unknown";
}
