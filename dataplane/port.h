/* Port setup and teardown for one configured port (see port.c). */
#ifndef HAGW_PORT_H
#define HAGW_PORT_H

#include "dataplane/dp.h"

/* Finds and configures the device (not started). ifc->name/index/mtu and
 * addresses are filled by the caller. */
int dp_port_init(struct dp_iface *ifc, const struct cfg_port *cp, const struct cfg_dataplane *dpc,
		 uint16_t n_workers, struct rte_mempool *pool, char *err, size_t err_len);
int dp_port_start(struct dp_iface *ifc, char *err, size_t err_len);
void dp_port_stop(struct dp_iface *ifc);
bool dp_port_link_up(const struct dp_iface *ifc);

#endif
