/*
 * The IKEv2 daemon on hagw's control core (ctl_ike.h): ike_host.h's
 * operations on DPDK. Datagrams to ike.port / ike.natt_port reach us from
 * the punt ring (RFC 7296 §2.11; on 4500 with the RFC 3948 §2.2 non-ESP
 * marker, which the library strips) and leave through dp_udp_send; CHILD
 * SAs go to the SAD/SPD (ctl_ike_child.c); the library's log lines go to
 * hagw's log; the data path's lifetime events become ike_child_expired().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_mbuf.h>

#include "control/cli.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "control/log.h"
#include "dataplane/dp_stats.h"
#include "dataplane/udp_local.h"
#include "ike/ike_ctx.h"

enum {
	IKE_LOG_LINE = 512,
	IKE_ERR_LEN = 256,
};

/* ---- UDP in and out ---- */

/* A datagram to ike.port or ike.natt_port (ctl_udp.h). */
static void
udp_input(void *arg, const struct dp_udp_dgram *d)
{
	struct ctl_ike *ike = arg;
	struct ike_addr local, remote;

	ctl_ike_addr_from_udp(&d->dst, &local);
	ctl_ike_addr_from_udp(&d->src, &remote);
	ike_input(ike->ctx, &local, &remote, d->payload, d->len);
}

static int
host_send(void *arg, const struct ike_addr *local, const struct ike_addr *remote,
	  const uint8_t *data, size_t len)
{
	struct ctl_ike *ike = arg;
	struct dp_udp_end src, dst;

	if (len > UINT16_MAX)
		return -EMSGSIZE;
	ctl_ike_addr_to_udp(local, &src);
	ctl_ike_addr_to_udp(remote, &dst);
	return dp_udp_send(ike->dp, &src, &dst, data, (uint16_t)len);
}

static uint64_t
host_now_ms(void *arg)
{
	(void)arg;
	return dp_now_ms();
}

static uint64_t
host_wall_s(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

/* ---- CHILD SAs ---- */

static int
host_child_in(void *arg, const struct ike_sa_state *sa, const struct ike_child_state *c)
{
	return ctl_ike_child_install_in(&((struct ctl_ike *)arg)->children, sa, c);
}

static int
host_child_out(void *arg, const struct ike_sa_state *sa, const struct ike_child_state *c)
{
	return ctl_ike_child_install_out(&((struct ctl_ike *)arg)->children, sa, c);
}

static void
host_child_remove(void *arg, const struct ike_child_state *c)
{
	ctl_ike_child_remove(&((struct ctl_ike *)arg)->children, c->id);
}

static int
host_child_path(void *arg, const struct ike_sa_state *sa, const struct ike_child_state *c)
{
	return ctl_ike_child_update_path(&((struct ctl_ike *)arg)->children, sa, c);
}

/* ---- HA ---- */

static void
host_state_event(void *arg, enum ike_state_event ev, const struct ike_sa_state *sa,
		 const struct ike_child_state *c)
{
	struct ctl_ike *ike = arg;

	if (ike->state_hook != NULL)
		ike->state_hook(ike->state_hook_arg, ev, sa, c);
}

void
ctl_ike_set_state_hook(struct ctl_ike *ike,
		       void (*hook)(void *arg, enum ike_state_event ev,
				    const struct ike_sa_state *sa,
				    const struct ike_child_state *child),
		       void *arg)
{
	ike->state_hook = hook;
	ike->state_hook_arg = arg;
}

/* ---- logging ---- */

static uint32_t
rte_level(enum ike_log_level level)
{
	static const uint32_t map[] = {
		[IKE_LOG_ERR] = RTE_LOG_ERR,
		[IKE_LOG_WARNING] = RTE_LOG_WARNING,
		[IKE_LOG_NOTICE] = RTE_LOG_NOTICE,
		[IKE_LOG_INFO] = RTE_LOG_INFO,
		[IKE_LOG_DEBUG] = RTE_LOG_DEBUG,
	};

	return (unsigned int)level <= IKE_LOG_DEBUG ? map[level] : RTE_LOG_DEBUG;
}

static void
host_log(void *arg, enum ike_log_level level, const char *fmt, va_list ap)
{
	char line[IKE_LOG_LINE];
	uint32_t lvl = rte_level(level);

	(void)arg;
	if (!rte_log_can_log(ctl_logtype, lvl))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	rte_log(lvl, ctl_logtype, "ike: %s\n", line);
}

/* ---- life cycle ---- */

static void
ops_fill(struct ctl_ike *ike, struct ike_host_ops *ops)
{
	*ops = (struct ike_host_ops){
		.send = host_send,
		.now_ms = host_now_ms,
		.wall_s = host_wall_s,
		.child_install_inbound = host_child_in,
		.child_install_outbound = host_child_out,
		.child_remove = host_child_remove,
		.child_update_path = host_child_path,
		.state_event = host_state_event,
		.log = host_log,
		.arg = ike,
	};
}

int
ctl_ike_start(struct hagw *h, char *err, size_t err_len)
{
	char why[IKE_ERR_LEN] = "";
	struct ike_host_ops ops;
	struct ctl_ike *ike;

	h->ike = NULL;
	if (!h->cfg.ike.enabled)
		return 0;
	ike = calloc(1, sizeof(*ike));
	if (ike == NULL) {
		snprintf(err, err_len, "IKE: out of memory");
		return -ENOMEM;
	}
	ike->dp = &h->dp;
	ike->port = h->cfg.ike.port;
	ike->natt_port = h->cfg.ike.natt_port;
	if (ctl_ike_children_init(&ike->children, h->dp.sad, h->dp.spd, &h->cfg.ike) < 0) {
		snprintf(err, err_len, "IKE: out of memory");
		free(ike);
		return -ENOMEM;
	}
	ops_fill(ike, &ops);
	/* IKE SA and CHILD SA ids are unique over the appliance pair. */
	ike->ctx = ike_ctx_new(&h->cfg.ike, &ops, h->cfg.ha.enabled ? h->cfg.ha.node_id : 0, why,
			       sizeof(why));
	if (ike->ctx == NULL) {
		snprintf(err, err_len, "IKE: %s", why[0] != '\0' ? why : "cannot start");
		ctl_ike_children_fini(&ike->children);
		free(ike);
		return -EINVAL;
	}
	/* Every CHILD SA takes two SAD entries: ipsec.max_sas / 2 of them and
	 * as many IKE SAs at most, their memory present before the first
	 * client or bulk sync comes (each first touch is a kernel page fault
	 * and zeroing: a third of a standby's bulk sync was that). */
	if (ike_ctx_reserve(h->cfg.ipsec.max_sas / 2, h->cfg.ipsec.max_sas / 2) < 0) {
		snprintf(err, err_len, "IKE: cannot reserve memory for %u IKE SAs",
			 h->cfg.ipsec.max_sas / 2);
		ike_ctx_free(ike->ctx);
		ctl_ike_children_fini(&ike->children);
		free(ike);
		return -ENOMEM;
	}
	if (ctl_udp_register(&h->udp, ike->port, udp_input, ike) < 0 ||
	    ctl_udp_register(&h->udp, ike->natt_port, udp_input, ike) < 0) {
		snprintf(err, err_len, "IKE: UDP port %u or %u already in use", ike->port,
			 ike->natt_port);
		ctl_udp_unregister(&h->udp, ike);
		ike_ctx_free(ike->ctx);
		ctl_ike_children_fini(&ike->children);
		free(ike);
		return -EADDRINUSE;
	}
	h->ike = ike;
	CTL_LOG(NOTICE, "IKE on UDP ports %u and %u, %u connections", ike->port, ike->natt_port,
		h->cfg.ike.n_connections);
	return 0;
}

void
ctl_ike_stop(struct hagw *h)
{
	struct ctl_ike *ike = h->ike;

	if (ike == NULL)
		return;
	ctl_udp_unregister(&h->udp, ike);
	ike_ctx_free(ike->ctx);		/* child_remove for every CHILD SA */
	ctl_ike_children_fini(&ike->children);
	free(ike);
	h->ike = NULL;
}

unsigned int
ctl_ike_poll(struct ctl_ike *ike, uint64_t now_ms)
{
	if (ike == NULL || ike_next_deadline(ike->ctx) > now_ms)
		return 0;
	ike_tick(ike->ctx);
	return 1;
}

/* RFC 4301 §4.4.2.1: soft -> rekey, hard -> the CHILD SA is gone. The
 * library finds the CHILD SA by its inbound SPI (unique, unlike the
 * peer's outbound ones). */
void
ctl_ike_sa_event(struct ctl_ike *ike, const struct dp_sa *sa, uint32_t flag)
{
	uint32_t spi;

	if (ike == NULL || !ctl_ike_child_spi_of_sa(&ike->children, sa->id, &spi))
		return;
	ike_child_expired(ike->ctx, spi, flag == DP_SA_F_HARD_EXPIRED);
}

/* ---- show commands ---- */

static int
walk_sas(const void *src, int (*cb)(const struct ike_sa_state *sa, void *arg), void *arg)
{
	return ike_sa_foreach(src, cb, arg);
}

static int
walk_children(const void *src, uint64_t ike_sa_id,
	      int (*cb)(const struct ike_child_state *child, void *arg), void *arg)
{
	return ike_child_foreach(src, ike_sa_id, cb, arg);
}

void
ctl_ike_walker(const struct ctl_ike *ike, struct ctl_ike_walker *w)
{
	w->sa_foreach = walk_sas;
	w->child_foreach = walk_children;
	w->src = ike->ctx;
}
