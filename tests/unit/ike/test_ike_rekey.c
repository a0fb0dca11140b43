/* CREATE_CHILD_SA between two in-memory daemons (RFC 7296 §1.3, §2.8,
 * §2.17, §2.18, §2.25): CHILD SA rekey both directions with and without
 * PFS, IKE SA rekey both directions, simultaneous rekeys (§2.8.1,
 * §2.8.2), TEMPORARY_FAILURE, INVALID_KE_PAYLOAD in CREATE_CHILD_SA, an
 * additional CHILD SA, a new CHILD SA we cannot install deleted at the
 * peer (§1.4.1), the data path's soft and hard lifetimes and the
 * configured ones (test_ike_rekey_timers.c: DPD and lifetimes). */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ike/ike_task.h"
#include "tests/unit/cu_run.h"
#include "tests/unit/ike/test_ike_rekey.h"

static int
first_child_cb(const struct ike_child_state *c, void *arg)
{
	*(struct ike_child_state *)arg = *c;
	return 1;
}

void
rk_child(const struct ike_pair *p, int idx, struct ike_child_state *out)
{
	const struct ike_sa_state *sa = ike_pair_sa(p, idx);

	memset(out, 0, sizeof(*out));
	if (sa != NULL)
		ike_child_foreach(p->side[idx].ctx, sa->id, first_child_cb, out);
}

bool
rk_key_eq(const struct ike_key *a, const struct ike_key *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* "gw"/"net" up from side 0; ESP proposals ESP (NULL: the default ones). */
int
rk_setup(struct ike_pair *p, const char *esp0, const char *esp1)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);

	if (esp0 != NULL) {
		c0->connections[0].children[0].n_esp_proposals = 1;
		snprintf(c0->connections[0].children[0].esp_proposals[0], CFG_IKE_PROPOSAL_LEN,
			 "%s", esp0);
	}
	if (esp1 != NULL) {
		c1->connections[0].children[0].n_esp_proposals = 1;
		snprintf(c1->connections[0].children[0].esp_proposals[0], CFG_IKE_PROPOSAL_LEN,
			 "%s", esp1);
	}
	return rk_setup_cfg(p, c0, c1);
}

int
rk_setup_cfg(struct ike_pair *p, struct cfg_ike *c0, struct cfg_ike *c1)
{
	if (ike_pair_init(p, c0, c1) != 0)
		return -1;
	if (ike_initiate(p->side[0].ctx, "gw", "net") != 0)
		return -1;
	ike_pair_run(p);
	return ike_pair_child_count(p, 0) == 1 && ike_pair_child_count(p, 1) == 1 ? 0 : -1;
}

/* The new CHILD SA of both sides against each other and the old ones. */
static void
check_new_pair(const struct ike_child_state *n0, const struct ike_child_state *n1,
	       const struct ike_child_state *o0, const struct ike_child_state *o1)
{
	CU_ASSERT_NOT_EQUAL(n0->spi_in, o0->spi_in);
	CU_ASSERT_NOT_EQUAL(n1->spi_in, o1->spi_in);
	CU_ASSERT_EQUAL(n0->spi_in, n1->spi_out);
	CU_ASSERT_EQUAL(n0->spi_out, n1->spi_in);
	CU_ASSERT(n0->encr_i.len > 0);
	CU_ASSERT(rk_key_eq(&n0->encr_i, &n1->encr_i));
	CU_ASSERT(rk_key_eq(&n0->encr_r, &n1->encr_r));
	CU_ASSERT(rk_key_eq(&n0->integ_i, &n1->integ_i));
	CU_ASSERT(rk_key_eq(&n0->integ_r, &n1->integ_r));
	CU_ASSERT_FALSE(rk_key_eq(&n0->encr_i, &o0->encr_i));
	CU_ASSERT_FALSE(rk_key_eq(&n0->encr_r, &o0->encr_r));
	CU_ASSERT_NOT_EQUAL(n0->initiator, n1->initiator);
	CU_ASSERT_EQUAL(n0->rekey, IKE_CHILD_REKEY_NONE);
	CU_ASSERT_EQUAL(n1->rekey, IKE_CHILD_REKEY_NONE);
}

/* Make-before-break on side IDX: new inbound, new outbound, old removed. */
static void
check_order(const struct ike_pair *p, int idx, uint32_t new_in, uint32_t old_in)
{
	int i = ike_pair_op_at(p, idx, 'I', new_in), o = ike_pair_op_at(p, idx, 'O', new_in);
	int r = ike_pair_op_at(p, idx, 'R', old_in);

	CU_ASSERT(i >= 0);
	CU_ASSERT(o > i);
	CU_ASSERT(r > o);
	CU_ASSERT_EQUAL(ike_pair_op_at(p, idx, 'R', new_in), -1);
}

static void
child_rekey(int from, const char *esp, uint16_t group)
{
	struct ike_child_state o[2], n[2];
	struct ike_pair p;
	int i;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, esp, esp), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[from].ctx, o[from].id), 0);
	ike_pair_run(&p);
	/* the rekey's initiator keeps the old inbound SA 5 s after its DELETE */
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, from), 2);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1 - from), 1);
	CU_ASSERT_EQUAL(ike_pair_op_at(&p, from, 'R', o[from].spi_in), -1);
	ike_pair_advance(&p, 4900);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, from), 2);
	ike_pair_advance(&p, 200);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, i), 1);
		rk_child(&p, i, &n[i]);
		CU_ASSERT_EQUAL(n[i].replaces_id, o[i].id);
		CU_ASSERT_EQUAL(n[i].suite.dh, group);
		CU_ASSERT_EQUAL(n[i].initiator, i == from);
		check_order(&p, i, n[i].spi_in, o[i].spi_in);
		CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_CHILD_UP], 2);
		CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_CHILD_DOWN], 1);
		CU_ASSERT_EQUAL(p.side[i].out[1].replaces_id, o[i].id);
	}
	check_new_pair(&n[0], &n[1], &o[0], &o[1]);
	/* the IKE initiator: IKE_SA_INIT 0, IKE_AUTH 1; then CREATE_CHILD_SA
	 * and the INFORMATIONAL DELETE (the responder's first requests: 0, 1) */
	CU_ASSERT_EQUAL(ike_pair_sa(&p, from)->msgid_send, from == 0 ? 4 : 2);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1 - from)->msgid_recv, from == 0 ? 4 : 2);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, from)->n_children, 1);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, from)->child_ids[0], n[from].id);
	ike_pair_free(&p);
}

static void
test_child_rekey_i(void)
{
	child_rekey(0, NULL, IKE_DH_NONE);
}

static void
test_child_rekey_r(void)
{
	child_rekey(1, NULL, IKE_DH_NONE);
}

static void
test_child_rekey_pfs(void)
{
	child_rekey(0, "aes256gcm16-ecp256", IKE_DH_ECP_256);
	child_rekey(1, "aes128-sha256-modp2048", IKE_DH_MODP_2048);
}

/* §1.3: ours offers ecp256 first, theirs wants modp2048 only. */
static void
test_child_rekey_invalid_ke(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, "aes256gcm16-ecp256-modp2048",
				       "aes256gcm16-modp2048"), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, o[0].id), 0);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "CREATE_CHILD_SA failed (notify 17)"));
	ike_pair_advance(&p, 5100);
	rk_child(&p, 0, &n[0]);
	rk_child(&p, 1, &n[1]);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	CU_ASSERT_EQUAL(n[0].suite.dh, IKE_DH_MODP_2048);
	check_new_pair(&n[0], &n[1], &o[0], &o[1]);
	ike_pair_free(&p);
}

/* PFS wanted by the initiator only: NO_PROPOSAL_CHOSEN, nothing changes. */
static void
test_child_rekey_no_proposal(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_pair p;
	int i;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, "aes256gcm16-ecp256", "aes256gcm16"), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, o[0].id), 0);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 1, "CREATE_CHILD_SA refused: notify 14"));
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "CREATE_CHILD_SA failed (notify 14)"));
	for (i = 0; i < 2; i++) {
		rk_child(&p, i, &n[i]);
		CU_ASSERT_EQUAL(n[i].spi_in, o[i].spi_in);
		CU_ASSERT_EQUAL(n[i].rekey, IKE_CHILD_REKEY_NONE);
		CU_ASSERT_EQUAL(p.side[i].n_in, 1);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, i)->phase, IKE_SA_PHASE_ESTABLISHED);
	}
	/* and it can be tried again */
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, o[0].id), 0);
	ike_pair_free(&p);
}

static void
ike_rekey(int from)
{
	struct ike_sa_state o[2], *n[2];
	struct ike_child_state co[2], cn[2];
	struct ike_pair p;
	int i;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	for (i = 0; i < 2; i++) {
		o[i] = *ike_pair_sa(&p, i);
		rk_child(&p, i, &co[i]);
	}
	CU_ASSERT_EQUAL(ike_rekey_ike(p.side[from].ctx, o[from].id), 0);
	ike_pair_run(&p);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, i), 1);
		n[i] = (struct ike_sa_state *)ike_pair_sa(&p, i);
		CU_ASSERT_NOT_EQUAL(n[i]->id, o[i].id);
		CU_ASSERT_NOT_EQUAL(n[i]->spi_i, o[i].spi_i);
		CU_ASSERT_NOT_EQUAL(n[i]->spi_r, o[i].spi_r);
		CU_ASSERT_EQUAL(n[i]->initiator, i == from);
		CU_ASSERT_EQUAL(n[i]->phase, IKE_SA_PHASE_ESTABLISHED);
		CU_ASSERT_EQUAL(n[i]->msgid_send, 0);
		CU_ASSERT_EQUAL(n[i]->msgid_recv, 0);
		CU_ASSERT_FALSE(rk_key_eq(&n[i]->sk_d, &o[i].sk_d));
		CU_ASSERT_EQUAL(n[i]->n_children, 1);
		rk_child(&p, i, &cn[i]);
		CU_ASSERT_EQUAL(cn[i].spi_in, co[i].spi_in);        /* survived */
		CU_ASSERT_EQUAL(cn[i].ike_sa_id, n[i]->id);
		CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_SA_DOWN], 1);
		CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_CHILD_DOWN], 0);
		CU_ASSERT_EQUAL(p.side[i].n_removed, 0);
	}
	CU_ASSERT_EQUAL(n[0]->spi_i, n[1]->spi_i);
	CU_ASSERT_EQUAL(n[0]->spi_r, n[1]->spi_r);
	CU_ASSERT(rk_key_eq(&n[0]->sk_d, &n[1]->sk_d));
	CU_ASSERT(rk_key_eq(&n[0]->sk_ei, &n[1]->sk_ei));
	CU_ASSERT(rk_key_eq(&n[0]->sk_pr, &n[1]->sk_pr));
	/* the new IKE SA carries a CHILD SA rekey: message IDs 0 and 1 */
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[from].ctx, cn[from].id), 0);
	ike_pair_run(&p);
	ike_pair_advance(&p, 5100);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, from)->msgid_send, 2);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1 - from)->msgid_recv, 2);
	rk_child(&p, 0, &co[0]);
	rk_child(&p, 1, &co[1]);
	check_new_pair(&co[0], &co[1], &cn[0], &cn[1]);
	ike_pair_free(&p);
}

static void
test_ike_rekey_i(void)
{
	ike_rekey(0);
}

static void
test_ike_rekey_r(void)
{
	ike_rekey(1);
}

/* §2.8.1: both rekey the CHILD SA at once; one new SA stays, the same. */
static void
test_child_collision(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_pair p;
	int i;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, o[0].id), 0);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[1].ctx, o[1].id), 0);
	ike_pair_run(&p);
	ike_pair_advance(&p, 5100);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, i), 1);
		rk_child(&p, i, &n[i]);
		CU_ASSERT_TRUE(ike_pair_logged(&p, i, "CHILD SA rekey collision"));
		CU_ASSERT_EQUAL(p.side[i].n_out, 2);   /* only the survivor went out */
		CU_ASSERT_EQUAL(p.side[i].n_in, 3);    /* old, ours, theirs */
		CU_ASSERT_EQUAL(p.side[i].n_removed, 2);
		CU_ASSERT(ike_pair_op_at(&p, i, 'R', o[i].spi_in) >= 0);
		CU_ASSERT(ike_pair_op_at(&p, i, 'O', n[i].spi_in) >= 0);
	}
	CU_ASSERT_NOT_EQUAL(ike_pair_logged(&p, 0, "collision lost"),
			    ike_pair_logged(&p, 1, "collision lost"));
	check_new_pair(&n[0], &n[1], &o[0], &o[1]);
	ike_pair_free(&p);
}

/* §2.8.2: both rekey the IKE SA at once; one new IKE SA stays, the same. */
static void
test_ike_collision(void)
{
	struct ike_child_state c[2];
	struct ike_sa_state o[2];
	const struct ike_sa_state *n[2];
	struct ike_pair p;
	int i;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	o[0] = *ike_pair_sa(&p, 0);
	o[1] = *ike_pair_sa(&p, 1);
	CU_ASSERT_EQUAL(ike_rekey_ike(p.side[0].ctx, o[0].id), 0);
	CU_ASSERT_EQUAL(ike_rekey_ike(p.side[1].ctx, o[1].id), 0);
	ike_pair_run(&p);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, i), 1);
		n[i] = ike_pair_sa(&p, i);
		CU_ASSERT_NOT_EQUAL(n[i]->spi_i, o[i].spi_i);
		CU_ASSERT_EQUAL(n[i]->n_children, 1);
		rk_child(&p, i, &c[i]);
		CU_ASSERT_EQUAL(c[i].ike_sa_id, n[i]->id);
		CU_ASSERT_TRUE(ike_pair_logged(&p, i, "IKE SA rekey collision"));
		CU_ASSERT_EQUAL(p.side[i].n_removed, 0);
	}
	CU_ASSERT_NOT_EQUAL(ike_pair_logged(&p, 0, "collision lost"),
			    ike_pair_logged(&p, 1, "collision lost"));
	CU_ASSERT_EQUAL(n[0]->spi_i, n[1]->spi_i);
	CU_ASSERT_EQUAL(n[0]->spi_r, n[1]->spi_r);
	CU_ASSERT_NOT_EQUAL(n[0]->initiator, n[1]->initiator);
	CU_ASSERT(rk_key_eq(&n[0]->sk_er, &n[1]->sk_er));
	/* it works: a CHILD SA rekey over it */
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, c[0].id), 0);
	ike_pair_run(&p);
	ike_pair_advance(&p, 5100);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	rk_child(&p, 0, &c[0]);
	rk_child(&p, 1, &c[1]);
	CU_ASSERT_EQUAL(c[0].spi_in, c[1].spi_out);
	CU_ASSERT_EQUAL(c[0].replaces_id != 0, true);
	ike_pair_free(&p);
}

/* §2.8.1 with side 1's request lost once: side 0 completes first and
 * deletes the old SA; side 1's new SA (from side 0's exchange) takes over,
 * its own retransmitted request finds nothing to rekey. */
static void
test_collision_lost_request(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_sa_state s[2];
	struct ike_pair p;
	int i, kind;

	for (kind = 0; kind < 2; kind++) {
		CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
		for (i = 0; i < 2; i++) {
			rk_child(&p, i, &o[i]);
			s[i] = *ike_pair_sa(&p, i);
		}
		p.drop_nth = p.n_sent + 2;
		for (i = 0; i < 2; i++)
			CU_ASSERT_EQUAL(kind == 0 ? ike_rekey_child(p.side[i].ctx, o[i].id) :
					ike_rekey_ike(p.side[i].ctx, s[i].id), 0);
		ike_pair_run(&p);
		ike_pair_advance(&p, 3000);     /* side 1's retransmission */
		ike_pair_advance(&p, 3000);
		for (i = 0; i < 2; i++) {
			CU_ASSERT_EQUAL(ike_pair_sa_count(&p, i), 1);
			CU_ASSERT_EQUAL(ike_pair_child_count(&p, i), 1);
			rk_child(&p, i, &n[i]);
			CU_ASSERT_EQUAL(p.side[i].n_out, kind == 0 ? 2 : 1);
		}
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_i, ike_pair_sa(&p, 1)->spi_i);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_r, ike_pair_sa(&p, 1)->spi_r);
		if (kind == 0)          /* its retransmission: old one gone */
			CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "CREATE_CHILD_SA refused: notify 44"));
		if (kind == 0)
			check_new_pair(&n[0], &n[1], &o[0], &o[1]);
		else
			CU_ASSERT_NOT_EQUAL(ike_pair_sa(&p, 0)->spi_i, s[0].spi_i);
		CU_ASSERT_EQUAL(n[0].spi_in, n[1].spi_out);
		CU_ASSERT_TRUE(ike_pair_logged(&p, 1,
					       kind == 0 ? "CHILD SA rekey collision" :
					       "IKE SA rekey collision"));
		CU_ASSERT_FALSE(ike_pair_logged(&p, 0, "collision"));
		ike_pair_free(&p);
	}
}

/* §2.25: an IKE SA rekey meets a CHILD SA rekey: both TEMPORARY_FAILURE,
 * both retried after a random back-off until both are done. */
static void
test_temporary_failure(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_sa_state s0;
	struct ike_pair p;
	int step;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	s0 = *ike_pair_sa(&p, 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	CU_ASSERT_EQUAL(ike_rekey_ike(p.side[0].ctx, s0.id), 0);
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[1].ctx, o[1].id), 0);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "IKE SA rekey failed (notify 43)"));
	CU_ASSERT_TRUE(ike_pair_logged(&p, 1, "CREATE_CHILD_SA failed (notify 43)"));
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_i, s0.spi_i);
	for (step = 0; step < 1000; step++)
		ike_pair_advance(&p, 10);
	CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_NOT_EQUAL(ike_pair_sa(&p, 0)->spi_i, s0.spi_i);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->spi_i, ike_pair_sa(&p, 1)->spi_i);
	rk_child(&p, 0, &n[0]);
	rk_child(&p, 1, &n[1]);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	check_new_pair(&n[0], &n[1], &o[0], &o[1]);
	ike_pair_free(&p);
}

/* §1.3.1: an additional CHILD SA of the same configuration. */
static void
test_additional_child(void)
{
	struct ike_pair p;
	struct ike_child_state c[2];

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	CU_ASSERT_EQUAL(ike_rekey_child_new(p.side[0].ctx, 12345, "net"), -ENOENT);
	CU_ASSERT_EQUAL(ike_rekey_child_new(p.side[0].ctx, ike_pair_sa(&p, 0)->id, "nope"),
			-ENOENT);
	CU_ASSERT_EQUAL(ike_rekey_child_new(p.side[0].ctx, ike_pair_sa(&p, 0)->id, "net"), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 2);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 2);
	CU_ASSERT_EQUAL(p.side[0].n_out, 2);
	CU_ASSERT_EQUAL(p.side[1].n_out, 2);
	rk_child(&p, 0, &c[0]);         /* the newest first */
	rk_child(&p, 1, &c[1]);
	CU_ASSERT_EQUAL(c[0].spi_in, c[1].spi_out);
	CU_ASSERT_EQUAL(c[0].replaces_id, 0);
	CU_ASSERT_EQUAL(c[0].ts_remote.n, 1);
	CU_ASSERT_EQUAL(memcmp(&c[0].ts_remote, &c[1].ts_local, sizeof(c[0].ts_remote)), 0);
	CU_ASSERT(rk_key_eq(&c[0].encr_i, &c[1].encr_i));
	CU_ASSERT_FALSE(rk_key_eq(&c[0].encr_i, &p.side[0].in[0].encr_i));
	ike_pair_free(&p);
}

/* §1.4.1: our additional CHILD SA cannot be installed (inbound, when the
 * response comes): the responder made it, so it gets our DELETE and
 * removes it; the first CHILD SA and the IKE SA stay. */
static void
test_additional_child_abandoned(void)
{
	struct ike_child_state c[2];
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	p.side[0].fail_inbound = -ENOMEM;
	CU_ASSERT_EQUAL(ike_rekey_child_new(p.side[0].ctx, ike_pair_sa(&p, 0)->id, "net"), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "DELETE queued"));
	CU_ASSERT_EQUAL_FATAL(p.side[1].n_out, 2);     /* the responder had it in use */
	CU_ASSERT(ike_pair_op_at(&p, 1, 'R', p.side[1].in[1].spi_in) >
		  ike_pair_op_at(&p, 1, 'O', p.side[1].in[1].spi_in));
	CU_ASSERT_EQUAL(ike_pair_op_at(&p, 1, 'R', p.side[1].in[0].spi_in), -1);
	rk_child(&p, 0, &c[0]);
	rk_child(&p, 1, &c[1]);
	CU_ASSERT_EQUAL(c[0].spi_in, c[1].spi_out);     /* the first one, both sides */
	CU_ASSERT_EQUAL(c[1].spi_in, p.side[1].in[0].spi_in);
	/* INIT 0, AUTH 1, CREATE_CHILD_SA 2, INFORMATIONAL 3 */
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->msgid_send, 4);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->msgid_recv, 4);
	ike_pair_free(&p);
}

/* Our rekey's new CHILD SA gets no outbound SA (the exchange is done):
 * its DELETE goes to the responder, which removes it; the old one is not
 * replaced on our side (it stays in use until its lifetime ends). */
static void
test_rekey_abandoned(void)
{
	struct ike_child_state o[2], c;
	struct ike_pair p;
	uint32_t new1;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	p.side[0].fail_outbound = -ENOMEM;
	CU_ASSERT_EQUAL(ike_rekey_child(p.side[0].ctx, o[0].id), 0);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(ike_pair_logged(&p, 0, "DELETE queued"));
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	rk_child(&p, 0, &c);
	CU_ASSERT_EQUAL(c.id, o[0].id);
	CU_ASSERT_EQUAL(c.rekey, IKE_CHILD_REKEY_NONE);
	CU_ASSERT_EQUAL(ike_pair_op_at(&p, 0, 'R', o[0].spi_in), -1);
	CU_ASSERT_EQUAL_FATAL(p.side[0].n_in, 2);
	CU_ASSERT(ike_pair_op_at(&p, 0, 'R', p.side[0].in[1].spi_in) >
		  ike_pair_op_at(&p, 0, 'I', p.side[0].in[1].spi_in));
	CU_ASSERT_EQUAL_FATAL(p.side[1].n_in, 2);
	new1 = p.side[1].in[1].spi_in;
	CU_ASSERT_EQUAL(p.side[1].in[1].spi_out, p.side[0].in[1].spi_in);
	CU_ASSERT(ike_pair_op_at(&p, 1, 'R', new1) > ike_pair_op_at(&p, 1, 'O', new1));
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->msgid_send, 4);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	ike_pair_free(&p);
}

/* The data path's lifetimes (ike_child_expired): soft rekeys, hard
 * deletes the CHILD SA (the IKE SA stays). */
static void
test_data_path_lifetimes(void)
{
	struct ike_child_state o[2], n[2];
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(rk_setup(&p, NULL, NULL), 0);
	rk_child(&p, 0, &o[0]);
	rk_child(&p, 1, &o[1]);
	ike_child_expired(p.side[1].ctx, 0x1234, false);     /* unknown: nothing */
	CU_ASSERT_EQUAL(p.qn, 0);
	ike_child_expired(p.side[1].ctx, o[1].spi_out, false);
	ike_pair_run(&p);
	ike_pair_advance(&p, 5100);
	rk_child(&p, 0, &n[0]);
	rk_child(&p, 1, &n[1]);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	CU_ASSERT_TRUE(n[1].initiator);
	check_new_pair(&n[0], &n[1], &o[0], &o[1]);
	ike_child_expired(p.side[0].ctx, n[0].spi_in, true);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT(ike_pair_op_at(&p, 1, 'R', n[1].spi_in) >= 0);
	ike_pair_free(&p);
}

void
test_ike_rekey_register(CU_pSuite s)
{
	CU_add_test(s, "CHILD SA rekey by the IKE initiator", test_child_rekey_i);
	CU_add_test(s, "CHILD SA rekey by the IKE responder", test_child_rekey_r);
	CU_add_test(s, "CHILD SA rekey with PFS", test_child_rekey_pfs);
	CU_add_test(s, "CHILD SA rekey INVALID_KE_PAYLOAD", test_child_rekey_invalid_ke);
	CU_add_test(s, "CHILD SA rekey NO_PROPOSAL_CHOSEN", test_child_rekey_no_proposal);
	CU_add_test(s, "IKE SA rekey by the initiator", test_ike_rekey_i);
	CU_add_test(s, "IKE SA rekey by the responder", test_ike_rekey_r);
	CU_add_test(s, "CHILD SA rekey collision", test_child_collision);
	CU_add_test(s, "IKE SA rekey collision", test_ike_collision);
	CU_add_test(s, "rekey collision, one request lost", test_collision_lost_request);
	CU_add_test(s, "TEMPORARY_FAILURE", test_temporary_failure);
	CU_add_test(s, "additional CHILD SA", test_additional_child);
	CU_add_test(s, "additional CHILD SA not installed: DELETE",
		    test_additional_child_abandoned);
	CU_add_test(s, "rekeyed CHILD SA not installed: DELETE", test_rekey_abandoned);
	CU_add_test(s, "data path lifetimes", test_data_path_lifetimes);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_rekey", NULL, NULL);
	if (s == NULL)
		return 1;
	test_ike_rekey_register(s);
	test_ike_rekey_timers_register(s);
	return cu_run_registered();
}
