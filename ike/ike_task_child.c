/* Task child_create: the first CHILD SA, inside IKE_AUTH (RFC 7296 §1.2,
 * §2.9, §2.17, §3.3): ESP proposal selection (no D-H in IKE_AUTH), SPIs
 * (ours random, unique, >= 256), traffic selector narrowing ("dynamic":
 * our outer address, the peer's virtual IP or outer address),
 * USE_TRANSPORT_MODE (§1.3.1), KEYMAT from SK_d and the IKE_SA_INIT
 * nonces, install through the host (inbound before the response that lets
 * the peer use it, outbound when the exchange is done). A failure is a
 * notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, ...) and the IKE SA stays;
 * a CHILD SA the peer made that we cannot install (or refuse) gets our
 * DELETE (§1.4.1). Virtual IPs asked for: TSi is all of their families. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_keys.h"
#include "ike/ike_proposal.h"
#include "ike/ike_spi.h"
#include "ike/ike_task.h"
#include "ike/ike_ts_narrow.h"

enum { IKE_CHILD_SPI_LEN = 4 };

void
ike_child_put_spi(struct ike_proposal *p, uint32_t spi)
{
	p->spi_len = IKE_CHILD_SPI_LEN;
	p->spi[0] = (uint8_t)(spi >> 24);
	p->spi[1] = (uint8_t)(spi >> 16);
	p->spi[2] = (uint8_t)(spi >> 8);
	p->spi[3] = (uint8_t)spi;
}

uint32_t
ike_child_get_spi(const struct ike_proposal *p)
{
	if (p->spi_len != IKE_CHILD_SPI_LEN)
		return 0;
	return (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 |
	       (uint32_t)p->spi[2] << 8 | p->spi[3];
}

/* The remote "dynamic" address: the virtual IP of that family or the
 * peer's outer address. */
const struct ike_addr *
ike_child_remote_dyn(const struct ike_sa *sa)
{
	if (sa->st.vip4.addr.family != 0)
		return &sa->st.vip4.addr;
	if (sa->st.vip6.addr.family != 0)
		return &sa->st.vip6.addr;
	return &sa->st.remote;
}

int
ike_child_vip_tsi(const struct ike_sa *sa, struct ike_ts_set *out)
{
	static const struct ike_addr any;      /* 0.0.0.0/0, ::/0 */
	const struct cfg_ike_conn *c = sa->conn->cfg;
	uint8_t i;
	int rc = 0;

	out->n = 0;
	for (i = 0; rc == 0 && i < c->n_vips && i < IKE_TS_MAX; i++)
		rc = ike_ts_from_prefix(&out->ts[out->n++], c->vips[i].family, any.ip, 0, 0,
					IKE_TS_PORT_ANY_START, IKE_TS_PORT_ANY_END);
	return rc;
}

static int
build_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	const struct ike_conf_child *cc = sa->child_conf;
	struct ike_proposal props[CFG_IKE_MAX_PROPOSALS];
	uint32_t spi = 0;
	uint8_t i;
	int rc;

	if (cc == NULL)
		return 0;
	rc = ike_ctx_esp_spi(x->ctx, &spi);
	sa->child_spi = spi;
	for (i = 0; i < cc->n_esp; i++) {
		props[i] = cc->esp[i];
		ike_child_put_spi(&props[i], sa->child_spi);
	}
	if (rc == 0 && sa->conn->cfg->n_vips != 0)     /* our address is not known yet */
		rc = ike_child_vip_tsi(sa, &sa->offer_tsi);
	else if (rc == 0)
		rc = ike_conf_ts(cc->cfg->local_ts, cc->cfg->n_local_ts, &sa->st.local,
				 &sa->offer_tsi);
	if (rc == 0)
		rc = ike_conf_ts(cc->cfg->remote_ts, cc->cfg->n_remote_ts, &sa->st.remote,
				 &sa->offer_tsr);
	if (rc == 0 && cc->cfg->mode == CFG_SA_TRANSPORT)
		rc = ike_msg_build_status(x->b, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, props, cc->n_esp);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSI, &sa->offer_tsi);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSR, &sa->offer_tsr);
	return rc;
}

/* §2.8: a random part of rand_time off the rekey time, so that both
 * ends do not rekey at once. */
static uint32_t
jitter(uint32_t rand_time, uint32_t rekey_time)
{
	uint32_t r = 0;

	if (rand_time == 0 || rand_time >= rekey_time ||
	    ike_spi_random((uint8_t *)&r, sizeof(r)) != 0)
		return 0;
	return r % (rand_time + 1);
}

static int
child_fill(struct ike_exch *x, struct ike_child *c, const struct ike_conf_child *cc,
	   const struct ike_suite *esp, bool transport)
{
	struct ike_chunk ni = ike_task_nonce(&x->sa->st.ni), nr = ike_task_nonce(&x->sa->st.nr);

	return ike_child_fill(x, c, cc, esp, transport, NULL, &ni, &nr, x->sa->st.initiator);
}

/* KEYMAT (§2.17) and the parts of the child state both roles share. */
int
ike_child_fill(struct ike_exch *x, struct ike_child *c, const struct ike_conf_child *cc,
	       const struct ike_suite *esp, bool transport, const struct ike_chunk *gir,
	       const struct ike_chunk *ni, const struct ike_chunk *nr, bool initiator)
{
	struct ike_sa *sa = x->sa;
	const struct cfg_ike_child *cfg = cc->cfg;
	struct ike_child_keys k;
	int rc;

	c->conf = cc;
	c->st.id = ike_ctx_child_id(x->ctx);
	c->st.ike_sa_id = sa->st.id;
	c->st.reqid = ike_ctx_reqid(x->ctx);
	c->st.replay_window = cfg->replay_window;
	c->st.protocol = IKE_PROTO_ESP;
	c->st.mode = transport ? IKE_CHILD_MODE_TRANSPORT : IKE_CHILD_MODE_TUNNEL;
	c->st.initiator = initiator;
	c->st.udp_encap = sa->st.nat_local || sa->st.nat_remote || sa->conn->cfg->encap;
	c->st.encap_local_port = c->st.udp_encap ? x->ctx->conf->cfg.natt_port : 0;
	c->st.encap_remote_port = c->st.udp_encap ? sa->st.remote.port : 0;
	c->st.suite = *esp;
	snprintf(c->st.name, sizeof(c->st.name), "%s", cfg->name);
	c->st.life.soft_seconds = cfg->rekey_time - jitter(cfg->rand_time, cfg->rekey_time);
	c->st.life.hard_seconds = cfg->life_time;
	c->st.life.soft_bytes = cfg->rekey_bytes;
	c->st.life.hard_bytes = cfg->life_bytes;
	c->st.life.soft_packets = cfg->rekey_packets;
	c->st.life.hard_packets = cfg->life_packets;
	c->st.life.install_time = ike_ctx_wall_s(x->ctx);
	rc = ike_keys_child(sa->st.suite.prf, &sa->st.sk_d, esp, gir, ni, nr, &k);
	if (rc == 0) {
		c->st.encr_i = k.encr_i;
		c->st.integ_i = k.integ_i;
		c->st.encr_r = k.encr_r;
		c->st.integ_r = k.integ_r;
	}
	ike_keys_child_wipe(&k);
	return rc;
}

/* Try one CHILD SA configuration: proposal, then selectors. */
static int
try_child(struct ike_exch *x, const struct ike_conf_child *cc, struct ike_suite *esp,
	  struct ike_ts_set *tsi, struct ike_ts_set *tsr)
{
	const struct ike_msg *m = x->in;
	struct ike_sa *sa = x->sa;
	struct ike_select_opts o = { .protocol = IKE_PROTO_ESP, .no_dh = true };
	struct ike_ts_set local, remote;

	if (ike_proposal_select_opts(cc->esp, cc->n_esp, m->sa.proposals, m->sa.n_proposals, &o,
				     &x->chosen, esp) != 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (ike_conf_ts(cc->cfg->local_ts, cc->cfg->n_local_ts, &sa->st.local, &local) != 0 ||
	    ike_conf_ts(cc->cfg->remote_ts, cc->cfg->n_remote_ts, ike_child_remote_dyn(sa),
			&remote) != 0 ||
	    ike_ts_narrow_responder(&m->tsi, &m->tsr, &local, &remote, tsi, tsr) != 0)
		return IKE_N_TS_UNACCEPTABLE;
	return 0;
}

int
ike_child_install_in(struct ike_exch *x, struct ike_child *c)
{
	int rc = 0;

	if (x->ctx->ops.child_install_inbound != NULL)
		rc = x->ctx->ops.child_install_inbound(x->ctx->ops.arg, &x->sa->st, &c->st);
	c->installed_in = rc == 0;
	return rc;
}

static int
create_r(struct ike_exch *x, const struct ike_conf_child *cc, const struct ike_suite *esp,
	 const struct ike_ts_set *tsi, const struct ike_ts_set *tsr)
{
	bool transport = cc->cfg->mode == CFG_SA_TRANSPORT &&
			 ike_msg_find_notify(x->in, IKE_N_USE_TRANSPORT_MODE) != NULL;
	struct ike_child *c = ike_sa_child_add(x->sa);
	int rc;

	if (c == NULL)
		return IKE_N_NO_ADDITIONAL_SAS;
	c->st.spi_out = ike_child_get_spi(&x->chosen);
	c->st.ts_local = *tsr;
	c->st.ts_remote = *tsi;
	rc = ike_ctx_esp_spi(x->ctx, &c->st.spi_in);
	if (rc == 0)
		rc = child_fill(x, c, cc, esp, transport);
	if (rc == 0 && c->st.spi_out >= 256)
		rc = ike_child_install_in(x, c);
	if (rc != 0 || c->st.spi_out < 256) {
		IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "CHILD SA not created: %d (SPI %08x)",
			   rc, c->st.spi_out);
		ike_sa_child_unlink(x->sa, c);
		ike_sa_child_free(c);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	ike_sa_child_ids(x->sa);
	x->child = c;
	ike_child_put_spi(&x->chosen, c->st.spi_in);
	return 0;
}

static int
process_r(struct ike_exch *x)
{
	const struct ike_conf_conn *conn = x->sa->conn;
	struct ike_ts_set tsi, tsr;
	struct ike_suite esp;
	uint16_t err = IKE_N_NO_PROPOSAL_CHOSEN, e;
	uint8_t i;

	if (x->child_notify != 0 || !ike_msg_has(x->in, IKE_PL_SA) ||
	    !ike_msg_has(x->in, IKE_PL_TSI) || !ike_msg_has(x->in, IKE_PL_TSR))
		return 0;
	for (i = 0; i < conn->cfg->n_children; i++) {
		e = (uint16_t)try_child(x, &conn->children[i], &esp, &tsi, &tsr);
		if (e == 0) {
			x->child_notify = (uint16_t)create_r(x, &conn->children[i], &esp, &tsi,
							     &tsr);
			return 0;
		}
		if (e == IKE_N_TS_UNACCEPTABLE)
			err = e;
	}
	x->ctx->stats.no_proposal += err == IKE_N_NO_PROPOSAL_CHOSEN;
	x->child_notify = err;
	IKE_LOG_SA(x->ctx, x->sa, IKE_LOG_NOTICE, "no CHILD SA: notify %u", err);
	return 0;
}

static int
build_r(struct ike_exch *x)
{
	struct ike_child *c = x->child;
	int rc = 0;

	if (c == NULL)
		return x->child_notify != 0 ?
		       ike_msg_build_status(x->b, x->child_notify, NULL, 0) : 0;
	if (c->st.mode == IKE_CHILD_MODE_TRANSPORT)
		rc = ike_msg_build_status(x->b, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (rc == 0)
		rc = ike_msg_build_sa(x->b, &x->chosen, 1);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSI, &c->st.ts_remote);
	if (rc == 0)
		rc = ike_msg_build_ts(x->b, IKE_PL_TSR, &c->st.ts_local);
	return rc;
}

void
ike_child_queue_delete(struct ike_ctx *ctx, struct ike_sa *sa, uint32_t spi_in)
{
	if (spi_in < IKE_SPI_ESP_MIN)
		return;
	if (sa->n_del_gone >= IKE_SA_DEL_GONE_MAX) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_WARNING, "no room to DELETE CHILD SA %08x_i", spi_in);
		return;
	}
	sa->del_gone[sa->n_del_gone++] = spi_in;
}

void
ike_child_abandon(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	uint32_t spi = c->st.spi_in;

	IKE_LOG_SA(ctx, sa, IKE_LOG_NOTICE, "CHILD SA %s %08x_i %08x_o not set up here: DELETE "
		   "queued", c->st.name, c->st.spi_in, c->st.spi_out);
	ike_ctx_child_remove(ctx, sa, c);
	ike_child_queue_delete(ctx, sa, spi);
}

void
ike_child_install_out(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_child *c)
{
	int rc = 0;

	if (ctx->ops.child_install_outbound != NULL)
		rc = ctx->ops.child_install_outbound(ctx->ops.arg, &sa->st, &c->st);
	if (rc != 0) {
		IKE_LOG_SA(ctx, sa, IKE_LOG_ERR, "CHILD SA %s outbound not installed: %d",
			   c->st.name, rc);
		ike_child_abandon(ctx, sa, c);  /* the peer has it (§1.4.1) */
		return;
	}
	c->installed_out = true;
	ctx->stats.child_sas_installed++;
	IKE_LOG_SA(ctx, sa, IKE_LOG_INFO, "CHILD SA %s %08x_i %08x_o installed", c->st.name,
		   c->st.spi_in, c->st.spi_out);
	ike_ctx_event(ctx, IKE_EV_CHILD_UP, sa, c);
}

static void
done(struct ike_exch *x)
{
	if (x->child != NULL)
		ike_child_install_out(x->ctx, x->sa, x->child);
}

/* Initiator: the responder's choice against what we offered. */
static int
check_reply(struct ike_exch *x, struct ike_suite *esp, struct ike_proposal *chosen)
{
	const struct ike_conf_child *cc = x->sa->child_conf;
	const struct ike_msg *m = x->in;
	struct ike_proposal ours[CFG_IKE_MAX_PROPOSALS];
	uint8_t i;

	for (i = 0; i < cc->n_esp; i++) {
		ours[i] = cc->esp[i];
		ike_child_put_spi(&ours[i], x->sa->child_spi);
	}
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_TSI) ||
	    !ike_msg_has(m, IKE_PL_TSR) || m->sa.n_proposals != 1 ||
	    ike_proposal_check_reply(ours, cc->n_esp, m->sa.proposals, 1, esp) != 0 ||
	    ike_child_get_spi(&m->sa.proposals[0]) < 256)
		return -EBADMSG;
	if (!ike_ts_set_within(&m->tsi, &x->sa->offer_tsi) ||
	    !ike_ts_set_within(&m->tsr, &x->sa->offer_tsr))
		return -EBADMSG;
	*chosen = m->sa.proposals[0];
	return 0;
}

static int
process_i(struct ike_exch *x)
{
	struct ike_sa *sa = x->sa;
	const struct ike_msg *m = x->in;
	struct ike_proposal chosen;
	struct ike_suite esp;
	struct ike_child *c;
	bool transport;

	if (sa->child_conf == NULL || x->notify != 0)
		return 0;
	if (check_reply(x, &esp, &chosen) != 0) {
		IKE_LOG_SA(x->ctx, sa, IKE_LOG_NOTICE, "no CHILD SA (notify %u)",
			   m->n_notify > 0 ? m->notify[0].type : 0);
		if (ike_msg_has(m, IKE_PL_SA))  /* the peer made one we refuse */
			ike_child_queue_delete(x->ctx, sa, sa->child_spi);
		return 0;               /* the IKE SA stays (§1.2) */
	}
	transport = ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	c = ike_sa_child_add(sa);
	if (c == NULL)
		return 0;
	c->st.spi_in = sa->child_spi;
	c->st.spi_out = ike_child_get_spi(&chosen);
	c->st.ts_local = m->tsi;
	c->st.ts_remote = m->tsr;
	sa->child_spi = 0;
	if (child_fill(x, c, sa->child_conf, &esp, transport) != 0 ||
	    ike_child_install_in(x, c) != 0) {
		ike_child_abandon(x->ctx, sa, c);       /* the peer has it (§1.4.1) */
		return 0;
	}
	ike_sa_child_ids(sa);
	x->child = c;
	return 0;
}

const struct ike_task ike_task_child = {
	.name = "child_create",
	.build_i = build_i,
	.process_r = process_r,
	.build_r = build_r,
	.process_i = process_i,
	.done = done,
};
