/* Logging for the dataplane through DPDK's rte_log (logtype "hagw.dp").
 * Used only at setup and on the control core, never per packet on workers. */
#ifndef HAGW_DP_LOG_H
#define HAGW_DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, dp_logtype, "dp: %s: " fmt "\n", __func__, ##__VA_ARGS__)

#endif
