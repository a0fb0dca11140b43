/*
 * Names of configuration enums (port roles, log levels) as they appear in
 * the file, the CLI and JSON, and the text form of a prefix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

static const char *const role_names[] = {
	[CFG_ROLE_UNTRUSTED] = "untrusted",
	[CFG_ROLE_TRUSTED] = "trusted",
	[CFG_ROLE_SYNC] = "sync",
};

static const char *const level_names[] = {
	[CFG_LOG_ERR] = "err",
	[CFG_LOG_WARNING] = "warning",
	[CFG_LOG_NOTICE] = "notice",
	[CFG_LOG_INFO] = "info",
	[CFG_LOG_DEBUG] = "debug",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *
cfg_role_name(enum cfg_port_role role)
{
	if ((unsigned int)role >= N_ELEMS(role_names))
		return "?";
	return role_names[role];
}

int
cfg_role_parse(const char *name, enum cfg_port_role *role)
{
	for (unsigned int i = 0; i < N_ELEMS(role_names); i++)
		if (strcmp(name, role_names[i]) == 0) {
			*role = (enum cfg_port_role)i;
			return 0;
		}
	return -EINVAL;
}

const char *
cfg_log_level_name(enum cfg_log_level level)
{
	if ((unsigned int)level >= N_ELEMS(level_names))
		return "?";
	return level_names[level];
}

int
cfg_log_level_parse(const char *name, enum cfg_log_level *level)
{
	if (name == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < N_ELEMS(level_names); i++)
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum cfg_log_level)i;
			return 0;
		}
	return -EINVAL;
}

/* The index of the port called NAME, or -ENOENT. */
int
cfg_port_find(const struct cfg *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

void
cfg_prefix_format(const struct cfg_prefix *p, bool omit_len, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (len == 0)
		return;
	if ((p->family != AF_INET && p->family != AF_INET6) ||
	    inet_ntop(p->family, p->addr.bytes, addr, sizeof(addr)) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (omit_len)
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, p->len);
}
