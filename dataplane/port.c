/*
 * Port setup: finds the DPDK port for a configured device, configures its
 * RX queues (as the config assigns them to workers) and one TX queue per
 * worker, sets the MTU, and derives the IPv6 link-local address
 * (RFC 4291 §2.5.1 modified EUI-64, RFC 4862 §5.3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dataplane/dp.h"
#include "dataplane/dp_log.h"
#include "dataplane/port.h"

enum {
	EUI64_UL_BIT = 0x02,
	LINK_LOCAL_0 = 0xfe,
	LINK_LOCAL_1 = 0x80,
};

static int
find_port_id(const char *device, uint16_t *port_id)
{
	char name[CFG_DEVICE_LEN];
	struct rte_dev_iterator it;
	uint16_t id;

	snprintf(name, sizeof(name), "%s", device);
	name[strcspn(name, ",")] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	RTE_ETH_FOREACH_MATCHING_DEV(id, device, &it) {
		*port_id = id;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	return -ENODEV;
}

static void
link_local_from_mac(const struct rte_ether_addr *mac, uint8_t ll[16])
{
	memset(ll, 0, 16);
	ll[0] = LINK_LOCAL_0;
	ll[1] = LINK_LOCAL_1;
	ll[8] = mac->addr_bytes[0] ^ EUI64_UL_BIT;
	ll[9] = mac->addr_bytes[1];
	ll[10] = mac->addr_bytes[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = mac->addr_bytes[3];
	ll[14] = mac->addr_bytes[4];
	ll[15] = mac->addr_bytes[5];
}

static int
configure_queues(struct dp_iface *ifc, const struct cfg_dataplane *dpc, struct rte_mempool *pool,
		 char *err, size_t err_len)
{
	int socket = rte_eth_dev_socket_id(ifc->port_id);
	int rc;

	for (uint16_t q = 0; q < ifc->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(ifc->port_id, q, dpc->rx_desc, socket, NULL, pool);
		if (rc < 0) {
			snprintf(err, err_len, "port %s: RX queue %u setup failed: %s", ifc->name,
				 q, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < ifc->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(ifc->port_id, q, dpc->tx_desc, socket, NULL);
		if (rc < 0) {
			snprintf(err, err_len, "port %s: TX queue %u setup failed: %s", ifc->name,
				 q, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int
check_limits(const struct dp_iface *ifc, const struct rte_eth_dev_info *info, char *err,
	     size_t err_len)
{
	if (ifc->n_rxq > info->max_rx_queues || ifc->n_txq > info->max_tx_queues) {
		snprintf(err, err_len,
			 "port %s: needs %u RX and %u TX queues (one TX queue per worker), device "
			 "offers %u and %u (for net_af_packet add qpairs=N to the device string)",
			 ifc->name, ifc->n_rxq, ifc->n_txq, info->max_rx_queues,
			 info->max_tx_queues);
		return -EINVAL;
	}
	return 0;
}

int
dp_port_init(struct dp_iface *ifc, const struct cfg_port *cp, const struct cfg_dataplane *dpc,
	     uint16_t n_workers, struct rte_mempool *pool, char *err, size_t err_len)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int rc;

	if (find_port_id(cp->device, &ifc->port_id) < 0) {
		snprintf(err, err_len, "port %s: no DPDK device matches '%s'", cp->name, cp->device);
		return -ENODEV;
	}
	ifc->n_rxq = cp->rx_queues;
	ifc->n_txq = n_workers;
	rc = rte_eth_dev_info_get(ifc->port_id, &info);
	if (rc == 0)
		rc = check_limits(ifc, &info, err, err_len);
	if (rc < 0)
		return rc;
	conf.rxmode.mtu = cp->mtu;
	/* IPv4 header checksums checked by the device where it can: the
	 * parser then trusts RTE_MBUF_F_RX_IP_CKSUM_GOOD (forward.c). */
	conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	rc = rte_eth_dev_configure(ifc->port_id, ifc->n_rxq, ifc->n_txq, &conf);
	if (rc < 0) {
		snprintf(err, err_len, "port %s: configure failed: %s", cp->name, rte_strerror(-rc));
		return rc;
	}
	rc = configure_queues(ifc, dpc, pool, err, err_len);
	if (rc < 0)
		return rc;
	rte_eth_macaddr_get(ifc->port_id, &ifc->mac);
	link_local_from_mac(&ifc->mac, ifc->ipv6_link_local);
	/* Solicited-node multicast for ND: accept all multicast. Virtual
	 * devices without multicast filters already do; ignore -ENOTSUP. */
	rte_eth_allmulticast_enable(ifc->port_id);
	return 0;
}

int
dp_port_start(struct dp_iface *ifc, char *err, size_t err_len)
{
	int rc = rte_eth_dev_start(ifc->port_id);

	if (rc < 0) {
		snprintf(err, err_len, "port %s: start failed: %s", ifc->name, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_set_mtu(ifc->port_id, ifc->mtu);
	if (rc < 0 && rc != -ENOTSUP)
		DP_LOG(WARNING, "port %s: MTU %u not set on the device: %s", ifc->name, ifc->mtu,
		       rte_strerror(-rc));
	return 0;
}

void
dp_port_stop(struct dp_iface *ifc)
{
	rte_eth_dev_stop(ifc->port_id);
	rte_eth_dev_close(ifc->port_id);
}

bool
dp_port_link_up(const struct dp_iface *ifc)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(ifc->port_id, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}
