/* Timers of established SAs on the pair's fake clock (RFC 7296 §1.4,
 * §2.4, §2.8): DPD against a silent peer (dead after the retransmissions,
 * CHILD SAs removed from the data path) and an answering one (kept), the
 * configured CHILD SA and IKE SA rekey times, NAT-T keepalives (RFC 3948
 * §4). */
#include <string.h>

#include <CUnit/Basic.h>

#include "ike/ike_ctx_priv.h"
#include "tests/unit/ike/test_ike_rekey.h"

static void
advance_s(struct ike_pair *p, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++)
		ike_pair_advance(p, 100);
}

/* dpd_delay 30 s, 2 s × 1.8^n, 5 retransmissions: the request at 31 s,
 * the last retransmission at 75.7 s, given up at 113.5 s. */
static void
test_dpd_silent(void)
{
	struct ike_child_state c;
	struct ike_pair p;
	int sent;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	rk_child(&p, 0, &c);
	p.mute[0] = true;
	p.mute[1] = true;
	sent = p.side[0].n_sent;
	advance_s(&p, 29);
	CU_ASSERT_EQUAL(p.side[0].n_sent, sent);
	advance_s(&p, 2);
	CU_ASSERT_EQUAL(p.side[0].n_sent, sent + 1);       /* the DPD request */
	advance_s(&p, 70);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(p.side[0].n_sent, sent + 6);       /* + 5 retransmissions */
	advance_s(&p, 20);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
	CU_ASSERT_EQUAL(p.side[0].n_sent, sent + 6);
	CU_ASSERT_EQUAL(p.side[0].n_removed, 1);
	CU_ASSERT_EQUAL(p.side[0].removed_spi_in[0], c.spi_in);
	CU_ASSERT_EQUAL(p.side[0].n_ev[IKE_EV_SA_DOWN], 1);
	CU_ASSERT_EQUAL(p.side[0].n_ev[IKE_EV_CHILD_DOWN], 1);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "peer not responding, giving up"));
	ike_pair_free(&p);
}

static void
test_dpd_answered(void)
{
	struct ike_pair p;
	int sent0, sent1;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	sent0 = p.side[0].n_sent;
	sent1 = p.side[1].n_sent;
	advance_s(&p, 200);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(p.side[0].n_removed, 0);
	CU_ASSERT_EQUAL(p.side[1].n_removed, 0);
	/* each liveness check is a request and its response: at least 6
	 * exchanges in 200 s with a 30 s delay */
	CU_ASSERT((p.side[0].n_sent - sent0) + (p.side[1].n_sent - sent1) >= 12);
	CU_ASSERT_EQUAL(p.side[0].n_sent - sent0, p.side[1].n_sent - sent1);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[0].ctx)->tx_retransmits, 0);
	ike_pair_free(&p);
}

/* rekey_time of the CHILD SA (no jitter) and of the IKE SA, side 0. */
static void
test_configured_rekeys(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_child_state o, n;
	struct ike_sa_state s;
	struct ike_pair p;

	c0->connections[0].children[0].rekey_time = 100;
	c0->connections[0].children[0].rand_time = 0;
	c0->connections[0].children[0].life_time = 200;
	c0->connections[0].rekey_time = 250;
	c0->connections[0].over_time = 30;
	CU_ASSERT_EQUAL_FATAL(rk_setup_cfg(&p, c0, c1), 0);
	rk_child(&p, 0, &o);
	s = *ike_pair_sa(&p, 0);
	CU_ASSERT_EQUAL(o.life.soft_seconds, 100);
	CU_ASSERT_EQUAL(o.life.hard_seconds, 200);
	advance_s(&p, 98);
	rk_child(&p, 0, &n);
	CU_ASSERT_EQUAL(n.spi_in, o.spi_in);
	advance_s(&p, 8);               /* + 5 s for the old inbound SA */
	rk_child(&p, 0, &n);
	CU_ASSERT_NOT_EQUAL(n.spi_in, o.spi_in);
	CU_ASSERT_EQUAL(n.replaces_id, o.id);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	advance_s(&p, 142);             /* 248 s: the IKE SA not yet */
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_i, s.spi_i);
	advance_s(&p, 4);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_NOT_EQUAL(ike_pair_sa(&p, 0)->spi_i, s.spi_i);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_i, ike_pair_sa(&p, 1)->spi_i);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->n_children, 1);
	ike_pair_free(&p);
}

static int
keepalives(const struct ike_pair *p, int from)
{
	int i, n = 0;

	for (i = 0; i < p->n_log; i++)
		if (p->log[i].to == 1 - from && p->log[i].len == 1 && p->log[i].data[0] == 0xff &&
		    p->log[i].src.port == 4500)
			n++;
	return n;
}

/* Behind a NAT on 4500: one 0xff octet at once, then every 20 s; none
 * from the side that is not behind a NAT. */
static void
test_keepalive(void)
{
	struct ike_sa *sa;
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	sa = p.side[0].ctx->table.all;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	sa->st.nat_local = true;
	sa->st.local.port = 4500;
	p.mute[0] = true;               /* the peer's messages would move it back to 500 */
	p.mute[1] = true;
	advance_s(&p, 1);
	CU_ASSERT_EQUAL(keepalives(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->keepalive_interval, 20);
	advance_s(&p, 19);
	CU_ASSERT_EQUAL(keepalives(&p, 0), 1);
	advance_s(&p, 1);
	CU_ASSERT_EQUAL(keepalives(&p, 0), 2);
	advance_s(&p, 20);
	CU_ASSERT_EQUAL(keepalives(&p, 0), 3);
	CU_ASSERT_EQUAL(keepalives(&p, 1), 0);
	ike_pair_free(&p);
}

void
test_ike_rekey_timers_register(CU_pSuite s)
{
	CU_add_test(s, "DPD: silent peer", test_dpd_silent);
	CU_add_test(s, "DPD: answering peer", test_dpd_answered);
	CU_add_test(s, "configured rekey times", test_configured_rekeys);
	CU_add_test(s, "NAT-T keepalives", test_keepalive);
}
