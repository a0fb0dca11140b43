/*
 * Dispatch of the UDP datagrams punted to the control core (ctl_udp.h).
 * The datagram is read in place and the mbuf freed here, after the
 * service is done with it.
 */
#include <errno.h>

#include <rte_mbuf.h>

#include "control/cli.h"
#include "control/ctl_udp.h"
#include "control/hagw.h"
#include "dataplane/dp_stats.h"
#include "dataplane/udp_local.h"

int
ctl_udp_register(struct ctl_udp *u, uint16_t port, ctl_udp_fn input, void *arg)
{
	for (unsigned int i = 0; i < u->n; i++)
		if (u->svc[i].port == port)
			return -EADDRINUSE;
	if (u->n == CTL_UDP_MAX_SERVICES)
		return -ENOSPC;
	u->svc[u->n++] = (struct ctl_udp_service){ .port = port, .input = input, .arg = arg };
	return 0;
}

void
ctl_udp_unregister(struct ctl_udp *u, const void *arg)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < u->n; i++)
		if (u->svc[i].arg != arg)
			u->svc[k++] = u->svc[i];
	u->n = (uint8_t)k;
}

static const struct ctl_udp_service *
service_of(const struct ctl_udp *u, uint16_t port)
{
	for (unsigned int i = 0; i < u->n; i++)
		if (u->svc[i].port == port)
			return &u->svc[i];
	return NULL;
}

static void
udp_input(void *arg, struct rte_mbuf *m, const struct dp_pkt_info *info)
{
	struct hagw *h = arg;
	const struct ctl_udp_service *s = NULL;
	struct dp_udp_dgram d;

	if (dp_udp_read(m, info, &d) < 0)
		h->udp.bad++;
	else if ((s = service_of(&h->udp, d.dst.port)) == NULL)
		h->udp.no_service++;
	if (s != NULL)
		s->input(s->arg, &d);
	else
		dp_count_drop(&h->dp.ctl_counters, dp_meta(m)->in_port, DP_DROP_LOCAL_UNSUPPORTED);
	rte_pktmbuf_free(m);
}

void
ctl_udp_start(struct hagw *h)
{
	h->dp.udp_input_arg = h;
	h->dp.udp_input = udp_input;
}

void
ctl_udp_stop(struct hagw *h)
{
	h->dp.udp_input = NULL;
	h->dp.udp_input_arg = NULL;
}
