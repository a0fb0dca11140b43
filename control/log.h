/* Logging for the control core through rte_log (logtype "hagw.ctl"), the
 * log file and the run-time log level. Never logs key material. */
#ifndef HAGW_CTL_LOG_H
#define HAGW_CTL_LOG_H

#include <rte_log.h>

#include "config/cfg.h"

extern int ctl_logtype;

#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ctl_logtype, "ctl: %s: " fmt "\n", __func__, ##__VA_ARGS__)

/* Opens the configured log file (if any) and applies the level. */
int ctl_log_init(const struct cfg_log *log, char *err, size_t err_len);
/* Sets the level of every hagw.* logtype. */
void ctl_log_set_level(enum cfg_log_level level);
void ctl_log_fini(void);

#endif
