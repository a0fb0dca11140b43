/*
 * Dataplane counters: per worker and per port, plus one reason code for
 * every packet the dataplane drops. Each worker writes only its own block
 * (single writer, no atomics needed on x86-64 for aligned 64-bit stores);
 * the control core sums the blocks when asked. struct dp_counters holds
 * only uint64_t counters: dp_counters_sum() adds them word by word.
 */
#ifndef HAGW_DP_STATS_H
#define HAGW_DP_STATS_H

#include <stdint.h>

#include <rte_common.h>

enum { DP_MAX_PORTS = 8 };

enum dp_drop_reason {
	DP_DROP_MALFORMED,		/* truncated or inconsistent headers */
	DP_DROP_UNKNOWN_ETHERTYPE,
	DP_DROP_NOT_OUR_MAC,		/* unicast frame for another station */
	DP_DROP_OVERSIZE,		/* frame longer than the port MTU allows */
	DP_DROP_BAD_IP_CHECKSUM,
	DP_DROP_MARTIAN,		/* source or destination never valid */
	DP_DROP_ARP_NOT_FOR_US,
	DP_DROP_ND_NOT_FOR_US,
	DP_DROP_NO_ROUTE,
	DP_DROP_TTL_EXCEEDED,
	DP_DROP_MTU_EXCEEDED,
	DP_DROP_NEIGH_UNRESOLVED,	/* resolution failed or queue full */
	DP_DROP_LOCAL_UNSUPPORTED,	/* for us, but no service listens */
	DP_DROP_ICMP_RATE_LIMITED,
	DP_DROP_PUNT_RING_FULL,
	DP_DROP_TX_FULL,
	DP_DROP_NO_MBUF,
	DP_DROP_ESP_UNKNOWN_SPI,	/* ESP for an SPI we do not have */
	DP_DROP_ESP_REPLAY,		/* per SA too: replayed or too old */
	DP_DROP_ESP_AUTH,		/* ICV verification failed */
	DP_DROP_ESP_POLICY,		/* decrypted packet outside the SA's selectors */
	DP_DROP_ESP_MALFORMED,		/* bad ESP length, padding or next header */
	DP_DROP_ESP_LIFETIME,		/* SA hard-expired or out of sequence numbers */
	DP_DROP_ESP_NO_SA,		/* policy says PROTECT but its SA is gone */
	DP_DROP_ESP_HANDOFF_FULL,	/* owner worker's hand-off ring full */
	DP_DROP_SPD_DISCARD,		/* a DISCARD policy (or the default) matched */
	DP_DROP_SPD_UNPROTECTED,	/* clear text that policy says must be ESP */
	DP_DROP_NATT_KEEPALIVE,		/* RFC 3948 NAT keepalive: consumed, by design */
	DP_DROP_ESP_INACTIVE,		/* SA installed as an HA standby copy, not active */
	DP_DROP_MAX
};

/* Stable snake_case name of a drop reason, as used in CLI/JSON output. */
const char *dp_drop_reason_name(enum dp_drop_reason reason);
/* One-line description for help texts and the README. */
const char *dp_drop_reason_help(enum dp_drop_reason reason);

struct dp_port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t forwarded;		/* routed to another (or the same) port */
	uint64_t punted;		/* handed to the control core */
	uint64_t drops[DP_DROP_MAX];	/* by reason, counted on the RX port */
};

struct dp_counters {
	struct dp_port_counters port[DP_MAX_PORTS];
	uint64_t polls;			/* loop iterations */
	uint64_t idle_polls;		/* iterations that found no packet */
	uint64_t sa_events_lost;	/* SA lifetime events not sent: event ring full */
} __rte_cache_aligned;

static inline void
dp_count_drop(struct dp_counters *c, uint16_t port, enum dp_drop_reason reason)
{
	c->port[port].drops[reason]++;
}

#endif
