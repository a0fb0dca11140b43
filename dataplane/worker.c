/*
 * The poll-mode worker loop: RX bursts from the queues this worker owns,
 * forwarding, inbound ESP that other workers handed off (for the SAs this
 * worker owns), packets the control core asked it to send, one TX burst
 * per port per pass, and a quiescent-state report for RCU reclamation.
 */
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <unistd.h>

#include "dataplane/dp.h"

enum { TX_RETRIES = 2 };

static void
flush_port(struct dp_worker *w, uint8_t port)
{
	struct dp_txbuf *tb = &w->txbuf[port];
	struct dp_port_counters *c = &w->counters.port[port];
	uint16_t port_id = w->dp->iface[port].port_id;
	uint64_t bytes = 0;
	uint16_t sent = 0;

	/* Counted before they are sent: a sent mbuf is the driver's (net_null
	 * frees it at once). */
	for (uint16_t i = 0; i < tb->n; i++)
		bytes += rte_pktmbuf_pkt_len(tb->m[i]);
	for (unsigned int tries = 0; tries <= TX_RETRIES && sent < tb->n; tries++)
		sent += rte_eth_tx_burst(port_id, w->index, tb->m + sent, tb->n - sent);
	c->tx_packets += sent;
	if (unlikely(sent < tb->n)) {
		c->drops[DP_DROP_TX_FULL] += tb->n - sent;
		for (uint16_t i = sent; i < tb->n; i++)
			bytes -= rte_pktmbuf_pkt_len(tb->m[i]);
		rte_pktmbuf_free_bulk(tb->m + sent, tb->n - sent);
	}
	c->tx_bytes += bytes;
	tb->n = 0;
}

void
dp_worker_flush(struct dp_worker *w)
{
	w->neigh_memo.valid = false;
	for (uint8_t p = 0; p < w->dp->n_ifaces; p++)
		if (w->txbuf[p].n != 0)
			flush_port(w, p);
}

/* Frames built by the control core (ARP, ND, ICMP, resolved packets). */
static unsigned int
drain_tx_ring(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_MAX_BURST];
	unsigned int n = rte_ring_dequeue_burst(w->tx_ring, (void **)pkts, w->dp->burst, NULL);

	for (unsigned int i = 0; i < n; i++)
		dp_worker_tx(w, dp_meta(pkts[i])->out_port, pkts[i]);
	return n;
}

/* Inbound ESP for our SAs, received by other workers. */
static unsigned int
drain_handoff_ring(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_MAX_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->handoff_ring, (void **)pkts, w->dp->burst,
						   NULL);

	if (n != 0)
		dp_handoff_input(w, pkts, (uint16_t)n);
	return n;
}

unsigned int
dp_worker_poll(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_MAX_BURST];
	const struct dp *dp = w->dp;
	unsigned int work = 0;

	for (uint16_t i = 0; i < w->n_rxq; i++) {
		const struct dp_rxq *q = &w->rxq[i];
		uint16_t n = rte_eth_rx_burst(dp->iface[q->port].port_id, q->queue, pkts,
					      dp->burst);

		if (n == 0)
			continue;
		dp_forward_burst(w, (uint8_t)q->port, pkts, n);
		dp_worker_flush(w);
		work += n;
	}
	work += drain_handoff_ring(w);
	work += drain_tx_ring(w);
	dp_worker_flush(w);
	rte_rcu_qsbr_quiescent(dp->qsbr, w->index);
	w->counters.polls++;
	if (work == 0)
		w->counters.idle_polls++;
	return work;
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;

	rte_rcu_qsbr_thread_register(dp->qsbr, w->index);
	rte_rcu_qsbr_thread_online(dp->qsbr, w->index);
	while (!dp->stop) {
		if (dp_worker_poll(w) == 0 && dp->idle_backoff_us != 0)
			usleep(dp->idle_backoff_us);
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, w->index);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w->index);
	return 0;
}
