/* Around the first two exchanges, two in-memory daemons: virtual IPs from
 * a pool with selectors narrowed to them (RFC 7296 §3.15, §2.9),
 * INITIAL_CONTACT replacing an old IKE SA (§2.4), DELETE from either side
 * removing everything (§1.4.1), forced UDP encapsulation floating to
 * natt_port with the non-ESP marker (§2.23, RFC 3948), a failed inbound
 * install (the IKE SA stays), and malformed or tampered datagrams. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike_ctx_priv.h"
#include "ike/ike_io.h"
#include "ike/ike_msg.h"
#include "ike/ike_task.h"
#include "tests/unit/ike/test_ike_exchange.h"

static void
add_pool(struct cfg_ike *c)
{
	struct cfg_ike_pool *p = &c->pools[0];

	c->n_pools = 1;
	snprintf(p->name, sizeof(p->name), "vip4");
	p->is_prefix = true;
	p->prefix.family = AF_INET;
	p->prefix.len = 24;
	inet_pton(AF_INET, "10.3.0.0", p->prefix.addr.v4);
	p->first = p->prefix;
	p->first.len = 32;
	inet_pton(AF_INET, "10.3.0.1", p->first.addr.v4);
	p->last = p->first;
	inet_pton(AF_INET, "10.3.0.254", p->last.addr.v4);
	p->size = 254;
	p->n_dns = 1;
	p->dns[0].family = AF_INET;
	p->dns[0].len = 32;
	inet_pton(AF_INET, "198.51.100.53", p->dns[0].addr.v4);
	c->connections[0].n_pools = 1;
	c->connections[0].pools[0] = 0;
}

/* A fd00:3::/120 pool "vip6" for the gateway's connection, after vip4. */
static void
add_pool6(struct cfg_ike *c)
{
	struct cfg_ike_pool *p = &c->pools[c->n_pools];

	snprintf(p->name, sizeof(p->name), "vip6");
	p->is_prefix = true;
	p->prefix.family = AF_INET6;
	p->prefix.len = 120;
	inet_pton(AF_INET6, "fd00:3::", p->prefix.addr.v6);
	p->first = p->prefix;
	p->first.len = 128;
	inet_pton(AF_INET6, "fd00:3::1", p->first.addr.v6);
	p->last = p->first;
	inet_pton(AF_INET6, "fd00:3::ff", p->last.addr.v6);
	p->size = 255;
	c->connections[0].pools[c->connections[0].n_pools++] = c->n_pools++;
}

/* The client's connection asks for the virtual IP TEXT (cfg vips:
 * "0.0.0.0" or "::" for any address of the family). */
static struct cfg_ike *
ask_vip(struct cfg_ike *c, const char *text)
{
	struct cfg_ike_conn *conn = &c->connections[0];
	struct cfg_prefix *v = &conn->vips[conn->n_vips++];

	memset(v, 0, sizeof(*v));
	v->family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	v->len = v->family == AF_INET ? 32 : 128;
	inet_pton(v->family, text, v->addr.bytes);
	return c;
}

static void
test_vip(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	const struct ike_sa_state *a;
	struct ike_pair p;
	uint8_t first[4];
	int round;

	add_pool(c1);
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ask_vip(ike_pair_cfg(true), "0.0.0.0"), c1), 0);
	for (round = 0; round < 2; round++) {
		p.side[0].n_in = p.side[0].n_out = p.side[1].n_in = p.side[1].n_out = 0;
		test_ike_establish(&p);
		a = ike_pair_sa(&p, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_EQUAL_FATAL(a->vip4.addr.family, AF_INET);
		CU_ASSERT_EQUAL(a->vip4.addr.ip[0], 10);
		CU_ASSERT_EQUAL(a->vip4.addr.ip[1], 3);
		if (round == 0)
			memcpy(first, a->vip4.addr.ip, 4);
		else    /* the same identity gets the same address again */
			CU_ASSERT_EQUAL(memcmp(first, a->vip4.addr.ip, 4), 0);
		CU_ASSERT_EQUAL(memcmp(ike_pair_sa(&p, 1)->vip4.addr.ip, first, 4), 0);
		CU_ASSERT_STRING_EQUAL(ike_pair_sa(&p, 1)->vip4.pool, "vip4");
		CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(p.side[1].ctx), "vip4"), 1);
		/* TS narrowed to the virtual IP on both sides */
		CU_ASSERT_EQUAL_FATAL(p.side[1].n_in, 1);
		CU_ASSERT_EQUAL(p.side[1].in[0].ts_remote.n, 1);
		CU_ASSERT_EQUAL(memcmp(p.side[1].in[0].ts_remote.ts[0].start, first, 4), 0);
		CU_ASSERT_EQUAL(memcmp(p.side[1].in[0].ts_remote.ts[0].end, first, 4), 0);
		CU_ASSERT_EQUAL_FATAL(p.side[0].n_out, 1);
		CU_ASSERT_EQUAL(memcmp(p.side[0].out[0].ts_local.ts[0].start, first, 4), 0);
		CU_ASSERT_EQUAL(p.side[0].out[0].ts_remote.ts[0].start[1], 1);
		test_ike_check_child_keys(&p);
		CU_ASSERT_EQUAL(ike_terminate_ike(p.side[0].ctx, a->id), 0);
		ike_pair_run(&p);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
		CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(p.side[1].ctx), "vip4"), 0);
	}
	ike_pair_free(&p);
}

/* The pool is exhausted: INTERNAL_ADDRESS_FAILURE, no CHILD SA, the IKE
 * SA stays (§3.15.4, §1.2). */
static void
test_vip_exhausted(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	add_pool(c1);
	c1->pools[0].size = 0;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ask_vip(ike_pair_cfg(true), "0.0.0.0"), c1), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
	CU_ASSERT_EQUAL(p.side[0].n_in + p.side[1].n_in, 0);
	ike_pair_free(&p);
}

/* vips = [ "10.3.0.77", "::" ] (RFC 7296 §3.15.1: an address wanted, and
 * any IPv6 one): one CFG_REQUEST for both families, each leased from its
 * pool (the gateway gives what its pool has); TSi offered as all of both
 * families, narrowed to the IPv4 address; without vips nothing is asked. */
static void
test_vips_both(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	const struct ike_sa_state *a, *b;
	struct ike_pair p;
	struct ike_sa *sa;
	uint8_t want6[16];

	add_pool(c1);
	add_pool6(c1);
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ask_vip(ask_vip(ike_pair_cfg(true), "10.3.0.77"),
							"::"), c1), 0);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	sa = p.side[0].ctx->table.all;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	ike_pair_run(&p);
	a = ike_pair_sa(&p, 0);
	b = ike_pair_sa(&p, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(sa->offer_tsi.n, 2);
	CU_ASSERT_EQUAL(sa->offer_tsi.ts[0].type, IKE_TS_IPV4_ADDR_RANGE);
	CU_ASSERT_EQUAL(sa->offer_tsi.ts[1].type, IKE_TS_IPV6_ADDR_RANGE);
	CU_ASSERT_EQUAL(a->vip4.addr.family, AF_INET);
	CU_ASSERT_EQUAL(memcmp(a->vip4.addr.ip, b->vip4.addr.ip, 4), 0);
	CU_ASSERT_EQUAL(a->vip4.addr.ip[0], 10);        /* from the pool */
	CU_ASSERT_EQUAL(a->vip4.addr.ip[1], 3);
	CU_ASSERT_EQUAL(a->vip6.addr.family, AF_INET6);
	inet_pton(AF_INET6, "fd00:3::", want6);
	CU_ASSERT_EQUAL(memcmp(a->vip6.addr.ip, want6, 15), 0);     /* fd00:3::/120 */
	CU_ASSERT_EQUAL(memcmp(b->vip6.addr.ip, a->vip6.addr.ip, 16), 0);
	CU_ASSERT_STRING_EQUAL(b->vip6.pool, "vip6");
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(p.side[1].ctx), "vip4"), 1);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(p.side[1].ctx), "vip6"), 1);
	CU_ASSERT_EQUAL_FATAL(p.side[0].n_out, 1);
	CU_ASSERT_EQUAL(p.side[0].out[0].ts_local.n, 1);
	CU_ASSERT_EQUAL(memcmp(p.side[0].out[0].ts_local.ts[0].start, a->vip4.addr.ip, 4), 0);
	ike_pair_free(&p);

	/* no vips: no CFG_REQUEST, no lease */
	c1 = ike_pair_cfg(false);
	add_pool(c1);
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), c1), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->vip4.addr.family, 0);
	CU_ASSERT_EQUAL(ike_pool_used(ike_ctx_pools(p.side[1].ctx), "vip4"), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 1);
	ike_pair_free(&p);
}

/* The client restarts and connects again with INITIAL_CONTACT: the
 * gateway deletes the old IKE SA and its CHILD SA. */
static void
test_initial_contact(void)
{
	struct ike_pair p;
	uint32_t old_spi;

	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL_FATAL(p.side[1].n_in, 1);
	old_spi = p.side[1].in[0].spi_in;
	CU_ASSERT_EQUAL(ike_pair_restart(&p, 0), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_EQUAL(p.side[1].n_removed, 1);
	CU_ASSERT_EQUAL(p.side[1].removed_spi_in[0], old_spi);
	CU_ASSERT_EQUAL(p.side[1].n_ev[IKE_EV_SA_DOWN], 1);
	CU_ASSERT_EQUAL(p.side[1].n_ev[IKE_EV_SA_UP], 2);
	/* a second SA from the running client carries no INITIAL_CONTACT */
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 2);
	ike_pair_free(&p);
}

/* The unique policy against a second IKE SA of the same peer, without
 * (running client) and with INITIAL_CONTACT (restarted client): IKE SAs
 * left on the gateway and on the client. */
static const struct {
	enum cfg_ike_unique u;
	bool restart;
	int gw;
	int client;
} uniq[] = {
	{ CFG_IKE_UNIQUE_NO, false, 2, 2 },
	{ CFG_IKE_UNIQUE_NEVER, false, 2, 2 },
	{ CFG_IKE_UNIQUE_REPLACE, false, 1, 2 },
	{ CFG_IKE_UNIQUE_KEEP, false, 1, 1 },
	{ CFG_IKE_UNIQUE_NO, true, 1, 1 },
	{ CFG_IKE_UNIQUE_NEVER, true, 2, 1 },
	{ CFG_IKE_UNIQUE_REPLACE, true, 1, 1 },
	{ CFG_IKE_UNIQUE_KEEP, true, 1, 0 },
};

static void
test_unique(void)
{
	size_t i;

	for (i = 0; i < sizeof(uniq) / sizeof(uniq[0]); i++) {
		struct cfg_ike *c1 = ike_pair_cfg(false);
		struct ike_pair p;

		c1->connections[0].unique = uniq[i].u;
		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), c1), 0);
		test_ike_establish(&p);
		if (uniq[i].restart)
			CU_ASSERT_EQUAL(ike_pair_restart(&p, 0), 0);
		test_ike_establish(&p);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), uniq[i].gw);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), uniq[i].client);
		ike_pair_free(&p);
	}
}

/* DELETE of the IKE SA from the initiator (0) or the responder (1). */
static void
test_delete(void)
{
	int who;

	for (who = 0; who < 2; who++) {
		struct ike_pair p;
		int i;

		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)),
				      0);
		test_ike_establish(&p);
		CU_ASSERT_EQUAL(ike_terminate_ike(p.side[who].ctx, ike_pair_sa(&p, who)->id), 0);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, who), 1);    /* until answered */
		ike_pair_run(&p);
		for (i = 0; i < 2; i++) {
			CU_ASSERT_EQUAL(ike_pair_sa_count(&p, i), 0);
			CU_ASSERT_EQUAL(p.side[i].n_removed, 1);
			CU_ASSERT_EQUAL(p.side[i].removed_spi_in[0], p.side[i].in[0].spi_in);
			CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_SA_DOWN], 1);
			CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_CHILD_DOWN], 1);
		}
		CU_ASSERT_EQUAL(p.n_sent, 6);
		CU_ASSERT_EQUAL(ike_terminate_ike(p.side[0].ctx, 12345), -ENOENT);
		ike_pair_free(&p);
	}
}

/* DELETE of the CHILD SA alone, from either side: both remove it, the
 * IKE SA stays (§1.4.1). */
static void
test_delete_child(void)
{
	int who;

	for (who = 0; who < 2; who++) {
		struct ike_pair p;
		int i;

		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)),
				      0);
		test_ike_establish(&p);
		CU_ASSERT_EQUAL_FATAL(p.side[who].n_in, 1);
		CU_ASSERT_EQUAL(ike_terminate_child(p.side[who].ctx, 999), -ENOENT);
		CU_ASSERT_EQUAL(ike_terminate_child(p.side[who].ctx, p.side[who].in[0].id), 0);
		CU_ASSERT_EQUAL(ike_terminate_child(p.side[who].ctx, p.side[who].in[0].id),
				-EBUSY);        /* one request at a time */
		ike_pair_run(&p);
		for (i = 0; i < 2; i++) {
			CU_ASSERT_EQUAL(ike_pair_sa_count(&p, i), 1);
			CU_ASSERT_EQUAL(ike_pair_child_count(&p, i), 0);
			CU_ASSERT_EQUAL(p.side[i].n_removed, 1);
			CU_ASSERT_EQUAL(p.side[i].removed_spi_in[0], p.side[i].in[0].spi_in);
			CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_CHILD_DOWN], 1);
			CU_ASSERT_EQUAL(p.side[i].n_ev[IKE_EV_SA_DOWN], 0);
		}
		CU_ASSERT_EQUAL(p.n_sent, 6);
		ike_pair_free(&p);
	}
}

/* encap = true: a faked NAT_DETECTION_SOURCE_IP, the initiator floats
 * to 4500 (non-ESP marker), both CHILD SAs are UDP-encapsulated. */
static void
test_encap_float(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true);
	struct ike_pair p;

	c0->connections[0].encap = true;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, ike_pair_cfg(false)), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_TRUE(ike_pair_sa(&p, 1)->nat_remote);
	CU_ASSERT_FALSE(ike_pair_sa(&p, 1)->nat_local);
	CU_ASSERT_TRUE(ike_pair_sa(&p, 0)->natt);
	CU_ASSERT_TRUE(ike_pair_sa(&p, 1)->natt);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->remote.port, 4500);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->local.port, 4500);
	CU_ASSERT_EQUAL_FATAL(p.n_log, 4);
	CU_ASSERT_EQUAL(p.log[2].dst.port, 4500);
	CU_ASSERT_EQUAL(p.log[2].data[0] | p.log[2].data[1] | p.log[2].data[2] |
			p.log[2].data[3], 0);
	CU_ASSERT_EQUAL(p.log[3].src.port, 4500);
	CU_ASSERT_EQUAL_FATAL(p.side[1].n_in, 1);
	CU_ASSERT_TRUE(p.side[1].in[0].udp_encap);
	CU_ASSERT_EQUAL(p.side[1].in[0].encap_local_port, 4500);
	CU_ASSERT_EQUAL(p.side[1].in[0].encap_remote_port, 4500);
	CU_ASSERT_TRUE(p.side[0].out[0].udp_encap);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* USE_TRANSPORT_MODE (§1.3.1): both ends configured for transport mode
 * with dynamic selectors: the outer addresses. */
static void
test_transport(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;
	int i;

	for (i = 0; i < 2; i++) {
		struct cfg_ike_child *ch = &(i == 0 ? c0 : c1)->connections[0].children[0];

		ch->mode = CFG_SA_TRANSPORT;
		memset(&ch->local_ts[0], 0, sizeof(ch->local_ts[0]));
		ch->local_ts[0].dynamic = true;
		ch->local_ts[0].ts.port_hi = UINT16_MAX;
		ch->remote_ts[0] = ch->local_ts[0];
	}
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL_FATAL(p.side[1].n_in, 1);
	CU_ASSERT_EQUAL_FATAL(p.side[0].n_in, 1);
	CU_ASSERT_EQUAL(p.side[1].in[0].mode, IKE_CHILD_MODE_TRANSPORT);
	CU_ASSERT_EQUAL(p.side[0].in[0].mode, IKE_CHILD_MODE_TRANSPORT);
	CU_ASSERT_EQUAL(memcmp(p.side[1].in[0].ts_local.ts[0].start, p.side[1].addr.ip, 4), 0);
	CU_ASSERT_EQUAL(memcmp(p.side[1].in[0].ts_remote.ts[0].end, p.side[0].addr.ip, 4), 0);
	CU_ASSERT_EQUAL(memcmp(p.side[0].in[0].ts_local.ts[0].start, p.side[0].addr.ip, 4), 0);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* The CHILD SA fails in IKE_AUTH (no common ESP proposal, selectors that
 * do not meet): the IKE SA is up anyway, no CHILD SA on either side. */
static void
test_child_fails(void)
{
	int k;

	for (k = 0; k < 2; k++) {
		struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
		struct cfg_ike_child *ch = &c1->connections[0].children[0];
		struct ike_pair p;

		if (k == 0) {
			snprintf(ch->esp_proposals[0], CFG_IKE_PROPOSAL_LEN, "chacha20poly1305");
			ch->n_esp_proposals = 1;
		} else {
			ch->local_ts[0].ts.addr_lo[1] = 9;      /* 10.9.0.0/16 */
			ch->local_ts[0].ts.addr_hi[1] = 9;
		}
		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
		test_ike_establish(&p);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
		CU_ASSERT_EQUAL(p.side[0].n_in + p.side[1].n_in + p.side[1].n_out, 0);
		CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->no_proposal, k == 0 ? 1 : 0);
		ike_pair_free(&p);
	}
}

/* The data path refuses the inbound SA: the CHILD SA fails, the IKE SA
 * stays, nothing is installed. */
static void
test_install_fails(void)
{
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)), 0);
	p.side[1].fail_inbound = -ENOMEM;
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
	CU_ASSERT_EQUAL(p.side[1].n_out + p.side[0].n_in + p.side[0].n_out, 0);
	ike_pair_free(&p);
}

/* RFC 7296 §1.4.1: the CHILD SA made in IKE_AUTH cannot be installed on
 * one side (inbound or outbound on the initiator, outbound on the
 * responder, after its response): that side removes it and sends the
 * DELETE of its inbound SPI, the other side removes its copy; the IKE SAs
 * stay. The responder's DELETE waits for its timer (no response of its
 * own to kick it). */
static const struct {
	const char *what;
	int side;               /* where the data path fails */
	bool outbound;
	int installed_in;       /* inbound installs on the failing side */
} abandon_rows[] = {
	{ "initiator inbound", 0, false, 0 },
	{ "initiator outbound", 0, true, 1 },
	{ "responder outbound", 1, true, 1 },
};

static void
test_install_abandoned(void)
{
	struct ike_pair p;
	size_t i;
	int f, o;
	uint32_t spi;

	for (i = 0; i < sizeof(abandon_rows) / sizeof(abandon_rows[0]); i++) {
		f = abandon_rows[i].side;
		o = 1 - f;
		printf("\n    %-45s", abandon_rows[i].what);
		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)),
				      0);
		if (abandon_rows[i].outbound)
			p.side[f].fail_outbound = -ENOMEM;
		else
			p.side[f].fail_inbound = -ENOMEM;
		test_ike_establish(&p);
		if (f == 1)
			ike_pair_advance(&p, 0);        /* the DELETE is due now */
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->phase, IKE_SA_PHASE_ESTABLISHED);
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, 0), 0);
		CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 0);
		CU_ASSERT_TRUE(ike_pair_logged(&p, f, "DELETE queued"));
		/* the other side had it in its data path, and took it out */
		CU_ASSERT_EQUAL_FATAL(p.side[o].n_in, 1);
		CU_ASSERT_EQUAL(p.side[o].n_out, 1);
		spi = p.side[o].in[0].spi_in;
		CU_ASSERT_EQUAL(p.side[o].n_removed, 1);
		CU_ASSERT_EQUAL(p.side[o].removed_spi_in[0], spi);
		CU_ASSERT_EQUAL(p.side[o].n_ev[IKE_EV_CHILD_DOWN], 1);
		CU_ASSERT_EQUAL(p.side[f].n_in, abandon_rows[i].installed_in);
		CU_ASSERT_EQUAL(p.side[f].n_out, 0);
		CU_ASSERT_EQUAL(p.side[f].n_removed, abandon_rows[i].installed_in);
		CU_ASSERT_EQUAL(p.side[f].n_ev[IKE_EV_CHILD_UP], 0);
		/* IKE_SA_INIT, IKE_AUTH, INFORMATIONAL: three requests, three answers */
		CU_ASSERT_EQUAL(p.n_sent, 6);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, f)->msgid_send, f == 0 ? 3 : 1);
		ike_pair_free(&p);
	}
}

static const struct {
	const char *name;
	uint16_t port;
	size_t len;
	uint8_t bytes[40];
} junk[] = {
	{ "empty", 500, 0, { 0 } },
	{ "short", 500, 3, { 1, 2, 3 } },
	{ "zero marker on 500", 500, 32, { 0, 0, 0, 0, 1 } },
	{ "no marker on 4500", 4500, 32, { 1, 2, 3, 4, 5 } },
	{ "marker only", 4500, 4, { 0 } },
	{ "header short", 500, 27, { 1, 2, 3, 4, 5, 6, 7, 8 } },
	{ "bad length", 500, 28, { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				   0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 1, 0 } },
	{ "version 1", 500, 28, { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				  0, 0x10, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28 } },
	{ "empty init", 500, 28, { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				   0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28 } },
	{ "unknown SPI", 500, 28, { 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0,
				    0, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 28 } },
};

/* Garbage, truncated and tampered datagrams into a responder: dropped and
 * counted, nothing sent, no SA; the untampered message still works. */
static void
test_malformed(void)
{
	struct ike_pair p;
	struct ike_addr from, to;
	struct ike_pair_dgram init, auth;
	static uint8_t buf[IKE_CTX_INIT_MAX + 1];
	struct ike_msg m;
	size_t i;
	int sent;

	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)), 0);
	ike_pair_addr(&from, "192.0.2.10", 500);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ike_pair_addr(&to, "192.0.2.1", junk[i].port);
		ike_input(p.side[1].ctx, &to, &from, junk[i].bytes, junk[i].len);
	}
	/* an IKE_SA_INIT request over IKE_CTX_INIT_MAX octets */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, junk[8].bytes, IKE_HDR_LEN);
	buf[26] = (uint8_t)((IKE_CTX_INIT_MAX + 1) >> 8);      /* header length */
	buf[27] = (uint8_t)(IKE_CTX_INIT_MAX + 1);
	ike_input(p.side[1].ctx, &to, &from, buf, IKE_CTX_INIT_MAX + 1);
	/* only the request for an unknown SA is answered (§2.21.4) */
	CU_ASSERT_EQUAL_FATAL(p.n_sent, 1);
	CU_ASSERT_EQUAL(ike_msg_parse(p.log[0].data, p.log[0].len, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.flags, IKE_FLAG_RESPONSE);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKE_EXCH_AUTH);
	CU_ASSERT_EQUAL_FATAL(m.n_notify, 1);
	CU_ASSERT_EQUAL(m.notify[0].type, IKE_N_INVALID_IKE_SPI);
	ike_pair_flush(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_invalid, 10);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_unknown_spi, 1);

	/* a real IKE_SA_INIT request, truncated at every length */
	p.drop_nth = 4;                 /* keep the IKE_AUTH request for later */
	test_ike_establish(&p);
	CU_ASSERT_EQUAL_FATAL(p.n_log, 4);
	init = p.log[1];
	auth = p.log[3];
	ike_pair_addr(&to, "192.0.2.1", 500);
	sent = p.n_sent;
	for (i = 0; i < init.len && i < sizeof(buf); i++) {
		memcpy(buf, init.data, i);
		ike_input(p.side[1].ctx, &to, &from, buf, i);
	}
	CU_ASSERT_EQUAL(p.n_sent, sent);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	/* the IKE_AUTH request with one octet flipped at a time */
	for (i = 0; i < auth.len && auth.len <= sizeof(buf); i++) {
		memcpy(buf, auth.data, auth.len);
		buf[i] ^= 0x41;
		ike_input(p.side[1].ctx, &to, &from, buf, auth.len);
	}
	CU_ASSERT_EQUAL(p.n_sent, sent);
	CU_ASSERT(ike_get_stats(p.side[1].ctx)->rx_bad_icv > 0);
	CU_ASSERT_EQUAL(p.side[1].n_in, 0);
	/* and the original still establishes the SA */
	ike_input(p.side[1].ctx, &to, &from, auth.data, auth.len);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->phase, IKE_SA_PHASE_ESTABLISHED);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* An authenticated request with an unknown critical payload inside SK is
 * answered UNSUPPORTED_CRITICAL_PAYLOAD (§2.21.2, §3.2); the SA stays. */
static void
test_critical_inside(void)
{
	static const uint8_t body[1] = { 0 };
	struct ike_pair p;
	struct ike_sa *sa;
	struct ike_out o;
	struct ike_msg m;
	struct ike_pair_dgram *last;

	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)), 0);
	test_ike_establish(&p);
	sa = p.side[0].ctx->table.all;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(ike_io_begin(p.side[0].ctx, sa, &o, IKE_EXCH_INFORMATIONAL, false,
				     sa->st.msgid_send), 0);
	CU_ASSERT_EQUAL(ike_msg_build_raw(&o.b, 99, true, body, sizeof(body)), 0);
	CU_ASSERT_EQUAL(ike_io_send(p.side[0].ctx, sa, &o), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL_FATAL(p.n_log, 6);
	last = &p.log[5];
	CU_ASSERT_EQUAL(last->to, 0);
	CU_ASSERT_EQUAL(ike_msg_parse(last->data, last->len, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.flags & IKE_FLAG_RESPONSE, IKE_FLAG_RESPONSE);
	CU_ASSERT_EQUAL(m.hdr.msg_id, 2);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->msgid_recv, 3);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->msgid_send, 3);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
	/* an empty INFORMATIONAL (liveness) is answered too */
	CU_ASSERT_EQUAL(ike_exch_initiate(p.side[0].ctx, sa, IKE_EXCH_INFORMATIONAL), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(p.n_log, 8);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->msgid_recv, 4);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->msgid_send, 4);
	CU_ASSERT_EQUAL(ike_pair_child_count(&p, 1), 1);
	ike_pair_free(&p);
}

void
test_ike_exchange_misc_register(CU_pSuite s)
{
	CU_add_test(s, "virtual IP", test_vip);
	CU_add_test(s, "virtual IP exhausted", test_vip_exhausted);
	CU_add_test(s, "vips: IPv4 address wanted and any IPv6", test_vips_both);
	CU_add_test(s, "INITIAL_CONTACT", test_initial_contact);
	CU_add_test(s, "unique policy", test_unique);
	CU_add_test(s, "delete from either side", test_delete);
	CU_add_test(s, "delete a CHILD SA", test_delete_child);
	CU_add_test(s, "encap float to 4500", test_encap_float);
	CU_add_test(s, "inbound install fails", test_install_fails);
	CU_add_test(s, "install fails: DELETE to the peer", test_install_abandoned);
	CU_add_test(s, "transport mode", test_transport);
	CU_add_test(s, "CHILD SA fails, IKE SA stays", test_child_fails);
	CU_add_test(s, "malformed datagrams", test_malformed);
	CU_add_test(s, "critical payload inside SK", test_critical_inside);
}
