/*
 * Turns the config into EAL arguments: lcores and the main lcore, memory,
 * hugepages or not, PCI or not, a file prefix (so several appliances can
 * share a host), and one --vdev or -a per port device, so that EAL probes
 * exactly the configured devices.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>

#include "control/eal_args.h"

static int
add(struct eal_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->argc >= EAL_MAX_ARGS)
		return -E2BIG;
	va_start(ap, fmt);
	vsnprintf(a->buf[a->argc], EAL_ARG_LEN, fmt, ap);
	va_end(ap);
	a->argv[a->argc] = a->buf[a->argc];
	a->argc++;
	a->argv[a->argc] = NULL;
	return 0;
}

/* "0000:01:00.0" or "01:00.0" (optionally with ",devargs") is a PCI device. */
static bool
is_pci_address(const char *device)
{
	static const char *pattern = "^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7](,|$)";
	regex_t re;
	bool match;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	match = regexec(&re, device, 0, NULL, 0) == 0;
	regfree(&re);
	return match;
}

static int
add_lcores(const struct cfg_eal *e, struct eal_args *a)
{
	char list[CFG_MAX_LCORES * 6] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < e->n_lcores; i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%u", i ? "," : "",
				 e->lcores[i]);
	if (add(a, "-l") || add(a, "%s", list))
		return -E2BIG;
	return add(a, "--main-lcore=%u", e->lcores[0]);
}

int
ctl_eal_args_build(const struct cfg *cfg, const char *prog, struct eal_args *a)
{
	const struct cfg_eal *e = &cfg->eal;
	int rc;

	a->argc = 0;
	rc = add(a, "%s", prog);
	rc = rc ?: add_lcores(e, a);
	rc = rc ?: add(a, "-m") ?: add(a, "%u", e->memory_mb);
	rc = rc ?: add(a, "--file-prefix=%s", e->file_prefix);
	if (!e->hugepages)
		rc = rc ?: add(a, "--no-huge");
	if (!e->pci)
		rc = rc ?: add(a, "--no-pci");
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const char *dev = cfg->ports[i].device;

		rc = rc ?: add(a, is_pci_address(dev) ? "-a" : "--vdev") ?: add(a, "%s", dev);
	}
	for (unsigned int i = 0; i < e->n_extra_args; i++)
		rc = rc ?: add(a, "%s", e->extra_args[i]);
	return rc;
}
