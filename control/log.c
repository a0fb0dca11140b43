/* Log destination and level for all of hagw's rte_log types. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/log.h"

RTE_LOG_REGISTER(ctl_logtype, hagw.ctl, INFO);

static FILE *log_file;

static uint32_t
rte_level(enum cfg_log_level level)
{
	static const uint32_t map[] = {
		[CFG_LOG_ERR] = RTE_LOG_ERR,
		[CFG_LOG_WARNING] = RTE_LOG_WARNING,
		[CFG_LOG_NOTICE] = RTE_LOG_NOTICE,
		[CFG_LOG_INFO] = RTE_LOG_INFO,
		[CFG_LOG_DEBUG] = RTE_LOG_DEBUG,
	};

	return level <= CFG_LOG_DEBUG ? map[level] : RTE_LOG_INFO;
}

void
ctl_log_set_level(enum cfg_log_level level)
{
	rte_log_set_level_pattern("hagw.*", rte_level(level));
}

int
ctl_log_init(const struct cfg_log *log, char *err, size_t err_len)
{
	if (log->file[0] != '\0') {
		log_file = fopen(log->file, "a");
		if (log_file == NULL) {
			snprintf(err, err_len, "log file %s: %s", log->file, strerror(errno));
			return -errno;
		}
		setvbuf(log_file, NULL, _IOLBF, 0);
		rte_openlog_stream(log_file);
	}
	ctl_log_set_level(log->level);
	return 0;
}

void
ctl_log_fini(void)
{
	if (log_file != NULL) {
		rte_openlog_stream(NULL);
		fclose(log_file);
		log_file = NULL;
	}
}
