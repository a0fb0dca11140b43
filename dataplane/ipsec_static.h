/*
 * Static SAs and policies from the configuration file (manual keying,
 * RFC 4301 §4.5): installed into the SA and policy databases at startup.
 */
#ifndef HAGW_IPSEC_STATIC_H
#define HAGW_IPSEC_STATIC_H

#include <stddef.h>

#include "dataplane/dp.h"

/*
 * Control core, before the ports start: adds every cfg SA (dp_sa_add)
 * and every policy (dp_spd_add, dp_spd_add_client; one ACL build).
 * Returns 0, or a negative errno with "FILE:LINE: SA "NAME": reason" or
 * "FILE:LINE: policy: reason" in err; what was added stays in the tables
 * for dp_fini() to free. Keys are wiped from the stack copies.
 */
int dp_ipsec_static_install(struct dp *dp, char *err, size_t err_len);

#endif
