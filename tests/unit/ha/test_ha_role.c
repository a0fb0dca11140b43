/*
 * Unit tests of the HA roles (ha/ha_role.c): startup hold, election,
 * liveness per link, takeover, split brain, switchover hand-off rules,
 * stale views, the preemption predicate and deadlines. Time is passed in.
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ha/ha_role.h"
#include "tests/unit/cu_run.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	T0 = 10000,
	IV = 25,			/* interval */
	DEAD = 100,			/* 25 x 4 */
	HOLD = 300,			/* default: 3 x dead */
	ID_A = 1,
	ID_B = 2,
};

static void
init(struct ha_role_state *r, uint16_t id, uint8_t prio, bool preempt)
{
	struct ha_role_conf c = {
		.node_id = id, .priority = prio, .preempt = preempt, .interval_ms = IV,
		.dead_count = 4, .n_links = 3,
	};

	ha_role_init(r, &c, T0);
}

static struct ha_peer_view
view(enum ha_wire_role role, uint8_t prio, uint64_t epoch, uint8_t flags, uint16_t id)
{
	return (struct ha_peer_view){
		.known = true, .role = role, .priority = prio, .flags = flags, .has_flags = true,
		.epoch = epoch, .boot_id = 0x1234, .node_id = id,
	};
}

static void
hear(struct ha_role_state *r, unsigned int link, struct ha_peer_view v, uint64_t now)
{
	ha_role_heard(r, link, &v, now);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(ha_role_name(HA_ROLE_INIT), "init");
	CU_ASSERT_STRING_EQUAL(ha_role_name(HA_ROLE_STANDBY), "standby");
	CU_ASSERT_STRING_EQUAL(ha_role_name(HA_ROLE_ACTIVE), "active");
	CU_ASSERT_STRING_EQUAL(ha_role_name((enum ha_role)7), "?");
	CU_ASSERT_STRING_EQUAL(ha_reason_name(HA_REASON_PEER_DEAD), "peer-dead");
	CU_ASSERT_STRING_EQUAL(ha_reason_name(HA_REASON_SPLIT_BRAIN), "split-brain");
	CU_ASSERT_STRING_EQUAL(ha_reason_name(HA_REASON_SWITCHOVER), "switchover");
	CU_ASSERT_STRING_EQUAL(ha_reason_name(HA_REASON_MAX), "?");
}

static void
test_startup_alone(void)
{
	struct ha_role_state r;

	init(&r, ID_A, 100, false);
	CU_ASSERT_EQUAL(r.conf.startup_hold_ms, HOLD);
	CU_ASSERT_EQUAL(ha_role_dead_ms(&r), DEAD);
	CU_ASSERT_EQUAL(r.role, HA_ROLE_INIT);
	CU_ASSERT_EQUAL(ha_role_next_deadline(&r), T0 + HOLD);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + HOLD - 1), -1);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + HOLD), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(r.reason, HA_REASON_STARTUP_ALONE);
	CU_ASSERT_EQUAL(r.epoch, 1);
	CU_ASSERT_EQUAL(r.transitions, 1);
	CU_ASSERT_EQUAL(r.role_since_ms, T0 + HOLD);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + HOLD + 1000), -1);
	CU_ASSERT_EQUAL(ha_role_next_deadline(&r), UINT64_MAX);
}

/* Both start at once: the same winner on both sides. */
static void
test_election(void)
{
	static const struct {
		uint8_t prio_a, prio_b;
		uint64_t epoch_a, epoch_b;
		bool a_wins;
	} rows[] = {
		{ 100, 100, 0, 0, true },	/* lower node id */
		{ 100, 200, 0, 0, false },	/* priority first */
		{ 200, 100, 0, 5, true },
		{ 100, 100, 2, 3, false },	/* then epoch */
		{ 100, 100, 4, 3, true },
	};

	for (size_t i = 0; i < DIM(rows); i++) {
		struct ha_role_state a, b;

		init(&a, ID_A, rows[i].prio_a, false);
		init(&b, ID_B, rows[i].prio_b, false);
		a.epoch = rows[i].epoch_a;
		b.epoch = rows[i].epoch_b;
		hear(&a, 0, view(HA_WIRE_ROLE_INIT, rows[i].prio_b, rows[i].epoch_b, 0, ID_B),
		     T0 + 5);
		hear(&b, 0, view(HA_WIRE_ROLE_INIT, rows[i].prio_a, rows[i].epoch_a, 0, ID_A),
		     T0 + 5);
		CU_ASSERT_EQUAL(ha_role_we_win(&a), rows[i].a_wins);
		CU_ASSERT_EQUAL(ha_role_we_win(&b), !rows[i].a_wins);
		CU_ASSERT_EQUAL(ha_role_step(&a, false, T0 + 6),
				rows[i].a_wins ? HA_ROLE_ACTIVE : HA_ROLE_STANDBY);
		CU_ASSERT_EQUAL(ha_role_step(&b, false, T0 + 6),
				rows[i].a_wins ? HA_ROLE_STANDBY : HA_ROLE_ACTIVE);
		CU_ASSERT_EQUAL(a.reason, HA_REASON_STARTUP_ELECTED);
		CU_ASSERT_EQUAL(b.reason, HA_REASON_STARTUP_ELECTED);
		if (rows[i].a_wins)
			CU_ASSERT_EQUAL(a.epoch, (rows[i].epoch_a > rows[i].epoch_b ?
						  rows[i].epoch_a : rows[i].epoch_b) + 1);
	}
}

static void
test_join_active(void)
{
	struct ha_role_state r;

	init(&r, ID_A, 250, false);
	hear(&r, 1, view(HA_WIRE_ROLE_ACTIVE, 10, 7, 0, ID_B), T0 + 20);
	CU_ASSERT_TRUE(r.peer_alive);
	CU_ASSERT_EQUAL(r.link[1].heard, 1);
	CU_ASSERT_EQUAL(r.link[0].heard, 0);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 21), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(r.reason, HA_REASON_PEER_ACTIVE);
	CU_ASSERT_EQUAL(r.epoch, 0);
	CU_ASSERT_FALSE(r.link[0].up);
	CU_ASSERT_TRUE(r.link[1].up);
	/* A link beyond n_links is not heard. */
	hear(&r, 3, view(HA_WIRE_ROLE_ACTIVE, 10, 7, 0, ID_B), T0 + 22);
	CU_ASSERT_EQUAL(r.link[3].heard, 0);
}

/* INIT meeting a STANDBY waits as standby; two standbys: the one in sync,
 * else the winner, becomes active. */
static void
test_two_standbys(void)
{
	struct ha_role_state r;

	init(&r, ID_A, 200, false);
	hear(&r, 0, view(HA_WIRE_ROLE_STANDBY, 100, 3, HA_HB_F_IN_SYNC, ID_B), T0 + 10);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 10), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(r.reason, HA_REASON_STARTUP_ELECTED);
	/* The peer is in sync, we are not: we stay standby despite priority. */
	CU_ASSERT_TRUE(ha_role_we_win(&r));
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 20), -1);
	/* A peer view from a HELLO (no flags): no decision yet. */
	{
		struct ha_peer_view v = view(HA_WIRE_ROLE_STANDBY, 100, 3, 0, ID_B);

		v.has_flags = false;
		hear(&r, 0, v, T0 + 25);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 25), -1);
		CU_ASSERT_EQUAL(r.role, HA_ROLE_STANDBY);
	}
	/* Neither in sync: the winner (priority 200). */
	hear(&r, 0, view(HA_WIRE_ROLE_STANDBY, 100, 3, 0, ID_B), T0 + 30);
	CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 30), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(r.reason, HA_REASON_STARTUP_ELECTED);
	CU_ASSERT_EQUAL(r.epoch, 4);
	/* Only HELLOs from a standby peer (no session): the winner after the
	 * startup hold, the loser never. */
	for (unsigned int prio = 50; prio <= 150; prio += 100) {
		struct ha_peer_view v = view(HA_WIRE_ROLE_STANDBY, 100, 0, 0, ID_B);

		init(&r, ID_A, (uint8_t)prio, false);
		v.has_flags = false;
		hear(&r, 0, v, T0 + 1);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 1), HA_ROLE_STANDBY);
		hear(&r, 0, v, T0 + HOLD);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + HOLD), -1);
		hear(&r, 0, v, T0 + 1 + HOLD);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 1 + HOLD),
				prio > 100 ? HA_ROLE_ACTIVE : -1);
	}
	/* We in sync, the peer not: we take it though we would lose. */
	init(&r, ID_A, 50, false);
	ha_role_set(&r, HA_ROLE_STANDBY, HA_REASON_PEER_ACTIVE, T0);
	hear(&r, 0, view(HA_WIRE_ROLE_STANDBY, 100, 3, 0, ID_B), T0 + 10);
	CU_ASSERT_FALSE(ha_role_we_win(&r));
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 10), HA_ROLE_ACTIVE);
}

/* Liveness: any link heard within interval x dead_count. */
static void
test_takeover(void)
{
	struct ha_role_state r;

	init(&r, ID_B, 100, false);
	hear(&r, 0, view(HA_WIRE_ROLE_ACTIVE, 100, 6, 0, ID_A), T0 + 10);
	hear(&r, 2, view(HA_WIRE_ROLE_ACTIVE, 100, 6, 0, ID_A), T0 + 10);
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 10), HA_ROLE_STANDBY);
	/* The sync link goes silent, a data link still carries heartbeats. */
	hear(&r, 2, view(HA_WIRE_ROLE_ACTIVE, 100, 6, 0, ID_A), T0 + 100);
	CU_ASSERT_EQUAL(ha_role_next_deadline(&r), T0 + 110);
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 150), -1);
	CU_ASSERT_FALSE(r.link[0].up);
	CU_ASSERT_TRUE(r.link[2].up);
	CU_ASSERT_TRUE(r.peer_alive);
	CU_ASSERT_EQUAL(r.role, HA_ROLE_STANDBY);
	/* Every link silent for 100 ms: takeover, epoch above the peer's. */
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 199), -1);
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 200), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(r.reason, HA_REASON_PEER_DEAD);
	CU_ASSERT_FALSE(r.peer_alive);
	CU_ASSERT_EQUAL(r.epoch, 7);
	CU_ASSERT_EQUAL(r.transitions, 2);
}

/* Other datagrams of the session (a bulk sync's segments) keep a link
 * alive once a heartbeat was heard there; never a link not heard yet. */
static void
test_link_heard(void)
{
	struct ha_role_state r;

	init(&r, ID_B, 100, false);
	ha_role_link_heard(&r, 0, T0 + 5);
	CU_ASSERT_EQUAL(r.link[0].last_heard_ms, 0);
	hear(&r, 0, view(HA_WIRE_ROLE_ACTIVE, 100, 6, 0, ID_A), T0 + 10);
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 10), HA_ROLE_STANDBY);
	for (uint64_t t = T0 + 20; t <= T0 + 400; t += 20) {
		ha_role_link_heard(&r, 0, t);
		CU_ASSERT_EQUAL(ha_role_step(&r, true, t), -1);
	}
	CU_ASSERT_EQUAL(r.link[0].last_heard_ms, T0 + 400);
	CU_ASSERT_TRUE(r.peer_alive);
	CU_ASSERT_EQUAL(r.link[0].heard, 1);		/* heartbeats counted apart */
	ha_role_link_heard(&r, 1, T0 + 400);
	CU_ASSERT_EQUAL(r.link[1].last_heard_ms, 0);
	ha_role_link_heard(&r, 7, T0 + 400);		/* no such link: ignored */
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 499), -1);
	CU_ASSERT_EQUAL(ha_role_step(&r, true, T0 + 500), HA_ROLE_ACTIVE);
}

/* Two actives: the loser steps down, deterministically. */
static void
test_split_brain(void)
{
	static const struct {
		uint8_t prio, peer_prio;
		uint64_t epoch, peer_epoch;
		uint16_t id, peer_id;
		bool stays;
	} rows[] = {
		{ 100, 100, 7, 6, ID_A, ID_B, true },
		{ 100, 100, 6, 7, ID_A, ID_B, false },
		{ 200, 100, 6, 7, ID_A, ID_B, true },
		{ 100, 200, 9, 7, ID_A, ID_B, false },
		{ 100, 100, 7, 7, ID_A, ID_B, true },
		{ 100, 100, 7, 7, ID_B, ID_A, false },
	};

	for (size_t i = 0; i < DIM(rows); i++) {
		struct ha_role_state r;

		init(&r, rows[i].id, rows[i].prio, false);
		ha_role_set(&r, HA_ROLE_ACTIVE, HA_REASON_PEER_DEAD, T0);
		r.epoch = rows[i].epoch;
		hear(&r, 1, view(HA_WIRE_ROLE_ACTIVE, rows[i].peer_prio, rows[i].peer_epoch, 0,
				 rows[i].peer_id), T0 + 1);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + 1),
				rows[i].stays ? -1 : HA_ROLE_STANDBY);
		CU_ASSERT_EQUAL(r.role, rows[i].stays ? HA_ROLE_ACTIVE : HA_ROLE_STANDBY);
		CU_ASSERT_EQUAL(r.reason, rows[i].stays ? HA_REASON_PEER_DEAD :
				HA_REASON_SPLIT_BRAIN);
		CU_ASSERT_EQUAL(r.epoch, rows[i].epoch);
	}
}

/* Switchover: the standby takes over on request, the old active yields,
 * the new one keeps its role against the old epoch for a detection time. */
static void
test_switchover_rules(void)
{
	struct ha_role_state a, b;

	init(&a, ID_A, 200, false);
	init(&b, ID_B, 100, false);
	ha_role_set(&a, HA_ROLE_ACTIVE, HA_REASON_STARTUP_ALONE, T0);
	ha_role_set(&b, HA_ROLE_STANDBY, HA_REASON_PEER_ACTIVE, T0);
	hear(&b, 0, view(HA_WIRE_ROLE_ACTIVE, 200, a.epoch, 0, ID_A), T0 + 1);
	b.switchover_requested = true;
	CU_ASSERT_EQUAL(ha_role_step(&b, true, T0 + 2), HA_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(b.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_EQUAL(b.epoch, 2);
	CU_ASSERT_FALSE(b.switchover_requested);
	CU_ASSERT_EQUAL(b.grace_until_ms, T0 + 2 + DEAD);
	/* The old active's heartbeat (priority 200, epoch 1) arrives late. */
	hear(&b, 1, view(HA_WIRE_ROLE_ACTIVE, 200, 1, 0, ID_A), T0 + 3);
	CU_ASSERT_FALSE(ha_role_we_win(&b));
	CU_ASSERT_EQUAL(ha_role_step(&b, true, T0 + 3), -1);
	/* The yielding old active loses whatever its priority. */
	a.yielding = true;
	hear(&a, 0, view(HA_WIRE_ROLE_ACTIVE, 100, 2, 0, ID_B), T0 + 3);
	CU_ASSERT_FALSE(ha_role_we_win(&a));
	CU_ASSERT_EQUAL(ha_role_step(&a, false, T0 + 3), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(a.reason, HA_REASON_SWITCHOVER);
	CU_ASSERT_FALSE(a.yielding);
	/* Past the grace, an active of higher priority wins again. */
	hear(&b, 1, view(HA_WIRE_ROLE_ACTIVE, 200, 1, 0, ID_A), T0 + 2 + DEAD);
	CU_ASSERT_EQUAL(ha_role_step(&b, true, T0 + 2 + DEAD), HA_ROLE_STANDBY);
	CU_ASSERT_EQUAL(b.reason, HA_REASON_SPLIT_BRAIN);
}

/* A late view (same boot, lower epoch) only proves liveness. */
static void
test_stale_view(void)
{
	struct ha_role_state r;
	struct ha_peer_view v = view(HA_WIRE_ROLE_ACTIVE, 100, 5, 0, ID_B);

	init(&r, ID_A, 100, false);
	hear(&r, 0, v, T0 + 1);
	hear(&r, 1, view(HA_WIRE_ROLE_STANDBY, 100, 4, 0, ID_B), T0 + 2);
	CU_ASSERT_EQUAL(r.peer.role, HA_WIRE_ROLE_ACTIVE);
	CU_ASSERT_EQUAL(r.peer.epoch, 5);
	CU_ASSERT_EQUAL(r.link[1].last_heard_ms, T0 + 2);
	/* A restarted peer (new boot id) replaces the view. */
	v = view(HA_WIRE_ROLE_INIT, 100, 0, 0, ID_B);
	v.boot_id = 0x9999;
	hear(&r, 1, v, T0 + 3);
	CU_ASSERT_EQUAL(r.peer.role, HA_WIRE_ROLE_INIT);
	CU_ASSERT_EQUAL(r.peer.epoch, 0);
	CU_ASSERT_EQUAL(r.peer.boot_id, 0x9999);
}

static void
test_preempt(void)
{
	static const struct {
		uint8_t peer_prio, flags;
		enum ha_wire_role peer_role;
		bool want;
	} rows[] = {
		{ 200, HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT, HA_WIRE_ROLE_STANDBY, true },
		{ 200, HA_HB_F_PREEMPT, HA_WIRE_ROLE_STANDBY, false },
		{ 200, HA_HB_F_IN_SYNC, HA_WIRE_ROLE_STANDBY, false },
		{ 100, HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT, HA_WIRE_ROLE_STANDBY, false },
		{ 200, HA_HB_F_IN_SYNC | HA_HB_F_PREEMPT, HA_WIRE_ROLE_INIT, false },
	};

	for (size_t i = 0; i < DIM(rows); i++) {
		struct ha_role_state r;

		init(&r, ID_A, 100, false);
		CU_ASSERT_FALSE(ha_role_peer_preempts(&r));
		ha_role_set(&r, HA_ROLE_ACTIVE, HA_REASON_STARTUP_ALONE, T0);
		hear(&r, 0, view(rows[i].peer_role, rows[i].peer_prio, 0, rows[i].flags, ID_B),
		     T0 + 1);
		CU_ASSERT_EQUAL(ha_role_peer_preempts(&r), rows[i].want);
		CU_ASSERT_EQUAL(ha_role_step(&r, false, T0 + DEAD + 1), -1);
		CU_ASSERT_FALSE(ha_role_peer_preempts(&r));	/* peer dead now */
	}
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "names", test_names },
		{ "startup alone after the hold", test_startup_alone },
		{ "election of two starting nodes", test_election },
		{ "joining an active", test_join_active },
		{ "two standbys", test_two_standbys },
		{ "takeover when every link is silent", test_takeover },
		{ "liveness from other datagrams", test_link_heard },
		{ "split brain", test_split_brain },
		{ "switchover rules", test_switchover_rules },
		{ "stale peer view", test_stale_view },
		{ "preemption predicate", test_preempt },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ha_role", NULL, NULL);
	if (suite == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	for (size_t i = 0; i < DIM(tests); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	return cu_run_registered();
}
