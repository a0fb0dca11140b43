/*
 * Unit tests of the IKE host on the control core against a real SAD and
 * SPD (EAL, no ports): control/ctl_ike_child.c through the host ops that
 * control/ctl_ike.c gives the library (install inbound then outbound,
 * PROTECT policies or client prefixes, a rekey taking over the policies,
 * reauthentication taking over a client prefix, removal, failures leaving
 * nothing, path updates), lifetime events to ike_child_expired, the timer
 * poll, start/stop, punted UDP, and the commands of control/ctl_cmds_ike.c.
 * The IKE context (ike/ike_ctx.h) is stubbed in test_ctl_ike_stub.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "tests/unit/control/child_fixture.h"
#include "control/cli.h"
#include "control/ctl_cmds_ike.h"
#include "control/ctl_ike.h"
#include "control/hagw.h"
#include "dataplane/pkt_build.h"
#include "dataplane/pkt_parse.h"
#include "ike/ike_ctx.h"

#include "test_ctl_ike_stub.h"
#include "tests/unit/cu_run.h"

enum {
	ERR_LEN = 256,
	MAX_SAS = 64,
	MAX_POLICIES = 64,
	MAX_CLIENTS = 64,
	POOL_SIZE = 64,
	ETH_IP_UDP = RTE_ETHER_HDR_LEN + 20 + 8,
};

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- the daemon around it ---- */

static struct hagw gw;
static IMB_MGR *mgr;
static char err[ERR_LEN];

static void
addr4(struct ike_addr *a, const char *text, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	CU_ASSERT_FATAL(inet_pton(AF_INET, text, a->ip) == 1);
}

static void
ike_fill(struct ike_sa_state *ike)
{
	memset(ike, 0, sizeof(*ike));
	ike->id = 1;
	addr4(&ike->local, "192.0.2.1", 500);
	addr4(&ike->remote, "198.51.100.7", 500);
	snprintf(ike->name, sizeof(ike->name), "site");
}

/* CHILD SA ID with SPIs from ID, AES-GCM-128, 10.1/16 <-> 10.2/16. */
static void
child_fill(struct ike_child_state *c, uint64_t id)
{
	fixture_child_fill(c, id, "10.1.0.0", "10.1.255.255", "10.2.0.0", "10.2.255.255");
}

static int
install(const struct ike_sa_state *ike, const struct ike_child_state *c)
{
	int rc = stub.ops.child_install_inbound(stub.ops.arg, ike, c);

	return rc == 0 ? stub.ops.child_install_outbound(stub.ops.arg, ike, c) : rc;
}

static struct ctl_ike_children *
table(void)
{
	return &gw.ike->children;
}

static int
start_ike(void)
{
	gw.cfg.ike.enabled = true;
	gw.cfg.ike.port = 500;
	gw.cfg.ike.natt_port = 4500;
	ctl_udp_start(&gw);
	return ctl_ike_start(&gw, err, sizeof(err));
}

/* ---- policies, rekeying, removal ---- */

static void
test_site_to_site(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct ctl_ike_child_info in;
	struct dp_policy_params pp;
	const struct dp_sa *sa;

	ike_fill(&ike);
	child_fill(&c, 7);
	CU_ASSERT_EQUAL(stub.ops.child_install_inbound(stub.ops.arg, &ike, &c), 0);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 1);
	CU_ASSERT(ctl_ike_child_get(table(), 7, &in) && in.has_in && !in.has_out);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 0);
	CU_ASSERT_EQUAL(stub.ops.child_install_inbound(stub.ops.arg, &ike, &c), -EEXIST);
	CU_ASSERT_EQUAL(stub.ops.child_install_outbound(stub.ops.arg, &ike, &c), 0);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 7, &in) && in.has_out);
	sa = dp_sad_get(gw.dp.sad, in.sa_in);
	CU_ASSERT(sa != NULL && sa->p.spi == 0x1007 && sa->p.dir == DP_SA_INBOUND);
	sa = dp_sad_get(gw.dp.sad, in.sa_out);
	CU_ASSERT(sa != NULL && sa->p.spi == 0x2007 && sa->p.dir == DP_SA_OUTBOUND);
	CU_ASSERT_STRING_EQUAL(sa->p.name, "net");
	CU_ASSERT_EQUAL_FATAL(in.n_policies, 1);
	CU_ASSERT_EQUAL(in.n_clients, 0);
	CU_ASSERT_FATAL(dp_spd_get(gw.dp.spd, in.policies[0], &pp));
	CU_ASSERT_EQUAL(pp.action, DP_POLICY_PROTECT);
	CU_ASSERT_EQUAL(pp.sa_id, in.sa_out);
	CU_ASSERT_EQUAL(pp.priority, CTL_IKE_PRIORITY_BASE);
	CU_ASSERT_EQUAL(pp.local.addr_lo[1], 1);
	CU_ASSERT_EQUAL(pp.remote.addr_lo[1], 2);
}

static void
test_rekey(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c, r;
	struct ctl_ike_child_info in, in_r;
	struct dp_policy_params pp;

	ike_fill(&ike);
	child_fill(&c, 7);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 7, &in) && in.n_policies == 1);
	/* Rekey with the same selectors: the policy moves to the new SA. */
	child_fill(&r, 8);
	r.replaces_id = 7;
	CU_ASSERT_EQUAL(install(&ike, &r), 0);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 4);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 1);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 8, &in_r));
	CU_ASSERT_EQUAL(in_r.n_policies, 1);
	CU_ASSERT_EQUAL(in_r.policies[0], in.policies[0]);
	CU_ASSERT(dp_spd_get(gw.dp.spd, in.policies[0], &pp) && pp.sa_id == in_r.sa_out);
	CU_ASSERT(ctl_ike_child_get(table(), 7, &in) && in.n_policies == 0);
	/* The old one's DELETE: its SAs go, the policy stays. */
	stub.ops.child_remove(stub.ops.arg, &c);
	CU_ASSERT(!ctl_ike_child_get(table(), 7, &in));
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 2);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 1);

	/* Rekey with other selectors: a policy of its own, the old one goes
	 * with the old SA. */
	child_fill(&c, 9);
	c.replaces_id = 8;
	fixture_ts4(&c.ts_remote.ts[0], "10.3.0.0", "10.3.0.255");
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 2);
	CU_ASSERT(ctl_ike_child_get(table(), 9, &in) && in.n_policies == 1);
	CU_ASSERT(dp_spd_get(gw.dp.spd, in.policies[0], &pp) &&
		  pp.priority == CTL_IKE_PRIORITY_BASE + 1);
	stub.ops.child_remove(stub.ops.arg, &r);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 1);
	stub.ops.child_remove(stub.ops.arg, &c);
	stub.ops.child_remove(stub.ops.arg, &c);	/* absent: nothing happens */
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 0);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	CU_ASSERT_EQUAL(ctl_ike_children_count(table()), 0);
}

static uint32_t client_sa;
static unsigned int n_clients;

static int
client_cb(const struct cfg_prefix *p, uint32_t sa_id, bool pending, void *arg)
{
	(void)arg;
	(void)pending;
	CU_ASSERT(p->len == (p->family == AF_INET ? 32 : 128));
	client_sa = sa_id;
	n_clients++;
	return 0;
}

static unsigned int
clients(void)
{
	n_clients = 0;
	dp_spd_client_foreach(gw.dp.spd, client_cb, NULL);
	return n_clients;
}

static void
test_remote_access(void)
{
	struct ike_sa_state ike, ike2;
	struct ike_child_state c, d;
	struct ctl_ike_child_info in;

	ike_fill(&ike);
	addr4(&ike.vip4.addr, "10.9.0.6", 0);
	child_fill(&c, 20);
	fixture_ts4(&c.ts_local.ts[0], "0.0.0.0", "255.255.255.255");
	fixture_ts4(&c.ts_remote.ts[0], "10.9.0.6", "10.9.0.6");
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 0);
	CU_ASSERT_EQUAL(clients(), 1);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 20, &in));
	CU_ASSERT_EQUAL(in.n_clients, 1);
	CU_ASSERT_EQUAL(client_sa, in.sa_out);
	CU_ASSERT_EQUAL(dp_sad_get(gw.dp.sad, in.sa_in)->p.n_ts, 1);

	/* Reauthentication: a new IKE SA with the same address takes the prefix;
	 * deleting the old CHILD SA leaves the client reachable. */
	ike2 = ike;
	ike2.id = 2;
	child_fill(&d, 21);
	d.ike_sa_id = 2;
	d.ts_local = c.ts_local;
	d.ts_remote = c.ts_remote;
	CU_ASSERT_EQUAL(install(&ike2, &d), 0);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 21, &in));
	CU_ASSERT_EQUAL(clients(), 1);
	CU_ASSERT_EQUAL(client_sa, in.sa_out);
	stub.ops.child_remove(stub.ops.arg, &c);
	CU_ASSERT_EQUAL(clients(), 1);
	CU_ASSERT_EQUAL(client_sa, in.sa_out);
	stub.ops.child_remove(stub.ops.arg, &d);
	CU_ASSERT_EQUAL(clients(), 0);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
}

/* A dual-stack client whose IPv6 prefix does not fit (SPD full): the IPv4
 * prefix it took over goes back to the CHILD SA that had it. */
static void
test_client_undo(void)
{
	struct dp_spd_params sp = { .max_policies = 4, .max_clients = 1,
				    .default_action = DP_POLICY_BYPASS };
	struct dp_spd *full = dp_spd_create("tike_sp2", &sp), *saved = table()->spd;
	struct cfg_prefix other = { .family = AF_INET6, .len = 128 };
	struct ike_sa_state ike;
	struct ike_child_state a, b;
	struct ctl_ike_child_info in_a, in_b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	table()->spd = gw.dp.spd = full;
	ike_fill(&ike);
	addr4(&ike.vip4.addr, "10.9.0.6", 0);
	ike.vip6.addr.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:9::6", ike.vip6.addr.ip);
	child_fill(&a, 70);
	fixture_ts4(&a.ts_remote.ts[0], "10.9.0.6", "10.9.0.6");
	CU_ASSERT_EQUAL(install(&ike, &a), 0);
	inet_pton(AF_INET6, "2001:db8:9::99", other.addr.v6);
	CU_ASSERT_EQUAL(dp_spd_add_client(full, &other, 0), 0);	/* IPv6 now full */
	child_fill(&b, 71);
	b.ts_remote = a.ts_remote;
	b.ts_remote.n = 2;
	b.ts_remote.ts[1] = b.ts_remote.ts[0];
	b.ts_remote.ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	memcpy(b.ts_remote.ts[1].start, ike.vip6.addr.ip, 16);
	memcpy(b.ts_remote.ts[1].end, ike.vip6.addr.ip, 16);
	CU_ASSERT_EQUAL(install(&ike, &b), -ENOSPC);
	CU_ASSERT(!ctl_ike_child_get(table(), 71, &in_b));
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 70, &in_a));
	CU_ASSERT_EQUAL(in_a.n_clients, 1);
	CU_ASSERT_EQUAL(clients(), 2);
	dp_spd_delete_client(full, &other);
	CU_ASSERT_EQUAL(clients(), 1);
	CU_ASSERT_EQUAL(client_sa, in_a.sa_out);
	stub.ops.child_remove(stub.ops.arg, &a);
	CU_ASSERT_EQUAL(clients(), 0);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	table()->spd = gw.dp.spd = saved;
	dp_spd_free(full);
}

static void
test_failures(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c, d;
	struct ctl_ike_child_info in;

	ike_fill(&ike);
	/* Outbound refused after the inbound: nothing of it is left. */
	child_fill(&c, 30);
	CU_ASSERT_EQUAL(stub.ops.child_install_inbound(stub.ops.arg, &ike, &c), 0);
	c.ts_remote.ts[0].type = 0;
	CU_ASSERT_EQUAL(stub.ops.child_install_outbound(stub.ops.arg, &ike, &c), -ENOTSUP);
	CU_ASSERT(!ctl_ike_child_get(table(), 30, &in));
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	/* SA refused by the SAD (reserved SPI): nothing. */
	child_fill(&c, 31);
	c.spi_out = 1;
	CU_ASSERT_EQUAL(stub.ops.child_install_inbound(stub.ops.arg, &ike, &c), 0);
	CU_ASSERT_EQUAL(stub.ops.child_install_outbound(stub.ops.arg, &ike, &c), -EINVAL);
	CU_ASSERT(!ctl_ike_child_get(table(), 31, &in));
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	/* Inbound SPI already in use by another CHILD SA. */
	child_fill(&c, 32);
	child_fill(&d, 33);
	d.spi_in = c.spi_in;
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	CU_ASSERT_EQUAL(stub.ops.child_install_inbound(stub.ops.arg, &ike, &d), -EEXIST);
	CU_ASSERT(!ctl_ike_child_get(table(), 33, &in));
	CU_ASSERT_EQUAL(stub.ops.child_install_outbound(stub.ops.arg, &ike, &c), -EEXIST);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 2);
	stub.ops.child_remove(stub.ops.arg, &c);
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 0);
}

static void
test_update_path(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct ctl_ike_child_info in;
	const struct dp_sa_path *path;
	uint8_t want[4];

	ike_fill(&ike);
	child_fill(&c, 40);
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 40, &in));
	/* The peer went behind a NAT and came back from 203.0.113.9:31000. */
	addr4(&ike.remote, "203.0.113.9", 31000);
	ike.local.port = 4500;
	ike.natt = true;
	c.udp_encap = true;
	CU_ASSERT_EQUAL(stub.ops.child_update_path(stub.ops.arg, &ike, &c), 0);
	inet_pton(AF_INET, "203.0.113.9", want);
	for (int i = 0; i < 2; i++) {
		path = dp_sa_path_get(dp_sad_get(gw.dp.sad, i == 0 ? in.sa_in : in.sa_out));
		CU_ASSERT_EQUAL(memcmp(path->remote.addr.v4, want, 4), 0);
		CU_ASSERT(path->udp_encap);
		CU_ASSERT_EQUAL(path->encap_local_port, 4500);
		CU_ASSERT_EQUAL(path->encap_remote_port, 31000);
	}
	c.id = 41;
	CU_ASSERT_EQUAL(stub.ops.child_update_path(stub.ops.arg, &ike, &c), -ENOENT);
	c.id = 40;
	stub.ops.child_remove(stub.ops.arg, &c);
	dp_sad_reclaim(gw.dp.sad);
}

static void
test_events_and_timers(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct ctl_ike_child_info in;
	struct dp_sa_params p = { .name = "static", .spi = 0x9999, .dir = DP_SA_INBOUND,
				  .alg = DP_SA_AES_GCM_128, .enc_key_len = 20,
				  .replay_window = 64, .owner = DP_SA_NO_OWNER };
	uint32_t static_id;

	ike_fill(&ike);
	child_fill(&c, 50);
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	CU_ASSERT_FATAL(ctl_ike_child_get(table(), 50, &in));
	/* Outbound soft, inbound hard: both name the inbound SPI. */
	ctl_ike_sa_event(gw.ike, dp_sad_get(gw.dp.sad, in.sa_out), DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(stub.expired, 1);
	CU_ASSERT_EQUAL(stub.exp_spi, 0x1000 + 50);
	CU_ASSERT(!stub.exp_hard);
	ctl_ike_sa_event(gw.ike, dp_sad_get(gw.dp.sad, in.sa_in), DP_SA_F_HARD_EXPIRED);
	CU_ASSERT_EQUAL(stub.expired, 2);
	CU_ASSERT(stub.exp_hard);
	/* A static SA is not IKE's; without IKE nothing is called. */
	p.local.family = p.remote.family = AF_INET;
	p.local.len = p.remote.len = 32;
	CU_ASSERT_FATAL(dp_sa_add(gw.dp.sad, &p, &static_id, err, sizeof(err)) == 0);
	ctl_ike_sa_event(gw.ike, dp_sad_get(gw.dp.sad, static_id), DP_SA_F_SOFT_EXPIRED);
	ctl_ike_sa_event(NULL, dp_sad_get(gw.dp.sad, in.sa_in), DP_SA_F_SOFT_EXPIRED);
	CU_ASSERT_EQUAL(stub.expired, 2);
	dp_sa_delete(gw.dp.sad, static_id);
	stub.ops.child_remove(stub.ops.arg, &c);

	stub.deadline = 100;
	CU_ASSERT_EQUAL(ctl_ike_poll(gw.ike, 99), 0);
	CU_ASSERT_EQUAL(stub.ticks, 0);
	CU_ASSERT_EQUAL(ctl_ike_poll(gw.ike, 100), 1);
	CU_ASSERT_EQUAL(stub.ticks, 1);
	CU_ASSERT_EQUAL(ctl_ike_poll(NULL, 100), 0);
	stub.deadline = UINT64_MAX;
	CU_ASSERT_EQUAL(ctl_ike_poll(gw.ike, UINT64_MAX - 1), 0);
	CU_ASSERT(stub.ops.now_ms(stub.ops.arg) > 0);
	CU_ASSERT(stub.ops.wall_s(stub.ops.arg) > 1700000000);
	/* The state hook forwards to HA only once HA sets one. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(stub.ops.state_event);
	stub.ops.state_event(stub.ops.arg, IKE_EV_SA_UP, NULL, NULL);
}

/* ---- punted UDP ---- */

/* An Ethernet/IPv4/UDP frame 198.51.100.7:SPORT -> 192.0.2.1:DPORT with
 * PLEN bytes of PAYLOAD; UDP_LEN_EXTRA makes the UDP length lie. */
static void
punt(uint16_t sport, uint16_t dport, const char *payload, uint16_t plen,
     uint16_t udp_len_extra)
{
	struct rte_mbuf *m = dp_pkt_new(gw.dp.pool, 0, ETH_IP_UDP + plen);
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *u;
	struct dp_pkt_info info;
	enum dp_drop_reason why;
	uint8_t src[4], dst[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	inet_pton(AF_INET, "198.51.100.7", src);
	inet_pton(AF_INET, "192.0.2.1", dst);
	dp_pkt_ipv4((struct rte_ipv4_hdr *)(eth + 1), src, dst, IPPROTO_UDP, 0,
		    (uint16_t)(20 + 8 + plen));
	u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, RTE_ETHER_HDR_LEN + 20);
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + plen + udp_len_extra));
	memcpy(u + 1, payload, plen);
	CU_ASSERT_FATAL(dp_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &info,
				     &why) == 0);
	gw.dp.udp_input(gw.dp.udp_input_arg, m, &info);
}

static void
test_udp_input(void)
{
	uint64_t *unsupported = &gw.dp.ctl_counters.port[0].drops[DP_DROP_LOCAL_UNSUPPORTED];
	unsigned int in_use = rte_mempool_in_use_count(gw.dp.pool);
	uint8_t ip[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(gw.dp.udp_input);
	punt(31000, 4500, "\0\0\0\0ike", 7, 0);
	CU_ASSERT_EQUAL(stub.inputs, 1);
	CU_ASSERT_EQUAL(stub.in_len, 7);
	CU_ASSERT_EQUAL(memcmp(stub.in_data, "\0\0\0\0ike", 7), 0);
	CU_ASSERT_EQUAL(stub.in_local.port, 4500);
	CU_ASSERT_EQUAL(stub.in_remote.port, 31000);
	CU_ASSERT_EQUAL(stub.in_local.family, AF_INET);
	inet_pton(AF_INET, "192.0.2.1", ip);
	CU_ASSERT_EQUAL(memcmp(stub.in_local.ip, ip, 4), 0);
	inet_pton(AF_INET, "198.51.100.7", ip);
	CU_ASSERT_EQUAL(memcmp(stub.in_remote.ip, ip, 4), 0);
	punt(500, 500, "hdr", 3, 0);
	CU_ASSERT_EQUAL(stub.inputs, 2);
	CU_ASSERT_EQUAL(stub.in_local.port, 500);
	/* Another port: counted as before (local_unsupported) and dropped. */
	punt(5353, 53, "dns", 3, 0);
	CU_ASSERT_EQUAL(stub.inputs, 2);
	CU_ASSERT_EQUAL(*unsupported, 1);
	CU_ASSERT_EQUAL(gw.udp.no_service, 1);
	/* UDP length beyond the IP datagram: refused by dp_udp_read. */
	punt(500, 500, "bad", 3, 4);
	CU_ASSERT_EQUAL(stub.inputs, 2);
	CU_ASSERT_EQUAL(*unsupported, 2);
	CU_ASSERT_EQUAL(gw.udp.bad, 1);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(gw.dp.pool), in_use);	/* all freed */
}

/* ---- commands ---- */

static int
run(ctl_cmd_fn fn, int argc, const char *const *argv, char *json, size_t len)
{
	struct json_object *out = NULL;
	int rc;

	err[0] = '\0';
	rc = fn(&gw, argc, (char **)argv, &out, err, sizeof(err));
	snprintf(json, len, "%s", out != NULL ? json_object_to_json_string_ext(out, JSON_FLAGS) :
		 "null");
	json_object_put(out);
	return rc;
}

static void
test_commands(void)
{
	const char *conn[] = { "site", "net" }, *bad[] = { "12x" }, *five[] = { "5" };
	char j[1024];

	CU_ASSERT_EQUAL(run(ctl_cmd_initiate, 2, conn, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"connection\":\"site\",\"child\":\"net\",\"initiated\":true}");
	CU_ASSERT_STRING_EQUAL(stub.conn, "site");
	CU_ASSERT_STRING_EQUAL(stub.child, "net");
	CU_ASSERT_EQUAL(run(ctl_cmd_initiate, 1, conn, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"connection\":\"site\",\"child\":null,\"initiated\":true}");
	CU_ASSERT_EQUAL(run(ctl_cmd_initiate, 0, conn, j, sizeof(j)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "usage: initiate CONNECTION [CHILD]");
	stub.rc = -ENOENT;
	CU_ASSERT_EQUAL(run(ctl_cmd_initiate, 1, conn, j, sizeof(j)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no connection 'site'");
	CU_ASSERT_EQUAL(run(ctl_cmd_initiate, 2, conn, j, sizeof(j)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no connection 'site' with a child 'net'");
	CU_ASSERT_EQUAL(run(ctl_cmd_terminate_ike, 1, five, j, sizeof(j)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no IKE SA with id 5");
	CU_ASSERT_EQUAL(run(ctl_cmd_rekey_child, 1, five, j, sizeof(j)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no CHILD SA with id 5");
	stub.rc = -EBUSY;
	CU_ASSERT_EQUAL(run(ctl_cmd_rekey_ike, 1, five, j, sizeof(j)), -EBUSY);
	CU_ASSERT_STRING_EQUAL(err, "rekey ike 5: Device or resource busy");
	stub.rc = 0;
	CU_ASSERT_EQUAL(run(ctl_cmd_terminate_ike, 1, five, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"ike_sa\":5,\"terminating\":true}");
	CU_ASSERT_STRING_EQUAL(stub.conn, "terminate-ike");
	CU_ASSERT_EQUAL(stub.id, 5);
	CU_ASSERT_EQUAL(run(ctl_cmd_terminate_child, 1, five, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"child_sa\":5,\"terminating\":true}");
	CU_ASSERT_STRING_EQUAL(stub.conn, "terminate-child");
	CU_ASSERT_EQUAL(run(ctl_cmd_rekey_ike, 1, five, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"ike_sa\":5,\"rekeying\":true}");
	CU_ASSERT_EQUAL(run(ctl_cmd_rekey_child, 1, five, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"child_sa\":5,\"rekeying\":true}");
	CU_ASSERT_STRING_EQUAL(stub.conn, "rekey-child");
	CU_ASSERT_EQUAL(run(ctl_cmd_terminate_child, 1, bad, j, sizeof(j)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "usage: terminate child ID");
	CU_ASSERT_EQUAL(run(ctl_cmd_rekey_ike, 0, bad, j, sizeof(j)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "usage: rekey ike ID");

	CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_sas, 0, NULL, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "[]");
	CU_ASSERT_EQUAL(run(ctl_cmd_show_child_sas, 0, NULL, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "[]");
	CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_sas, 1, five, j, sizeof(j)), 0);	/* a page */
	CU_ASSERT_STRING_EQUAL(j, "[]");
	{
		const char *zero_count[] = { "0", "0" }, *three[] = { "1", "2", "3" };

		CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_sas, 1, bad, j, sizeof(j)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "usage: show ike-sas [FROM [COUNT]]");
		CU_ASSERT_EQUAL(run(ctl_cmd_show_child_sas, 2, zero_count, j, sizeof(j)),
				-EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "usage: show child-sas [FROM [COUNT]]");
		CU_ASSERT_EQUAL(run(ctl_cmd_show_child_sas, 3, three, j, sizeof(j)), -EINVAL);
		CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_stats, 1, five, j, sizeof(j)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "usage: show ike stats");
	}
	stub.stats.rx_msgs = 4;
	CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_stats, 0, NULL, j, sizeof(j)), 0);
	CU_ASSERT_STRING_EQUAL(j, "{\"ike_sas\":0,\"child_sas\":0,\"half_open\":3,\"rx_msgs\":4,"
			       "\"tx_msgs\":0,\"rx_invalid\":0,\"rx_bad_icv\":0,"
			       "\"rx_unknown_spi\":0,\"rx_retransmits\":0,\"tx_retransmits\":0,"
			       "\"cookies_sent\":0,\"half_open_rejected\":0,\"auth_failed\":0,"
			       "\"no_proposal\":0,\"ike_sas_established\":0,"
			       "\"child_sas_installed\":0}");
}

/* Start and stop with the daemon; commands without IKE. */
static void
test_life_cycle(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	const char *five[] = { "5" };
	char j[256];

	/* Left installed at shutdown: removed with the table. */
	ike_fill(&ike);
	child_fill(&c, 60);
	CU_ASSERT_EQUAL(install(&ike, &c), 0);
	ctl_ike_stop(&gw);
	CU_ASSERT(stub.freed);
	CU_ASSERT_PTR_NULL(gw.ike);
	CU_ASSERT_EQUAL(gw.udp.n, 0);		/* its ports given back */
	CU_ASSERT_EQUAL(dp_sad_count(gw.dp.sad), 0);
	CU_ASSERT_EQUAL(dp_spd_policy_count(gw.dp.spd), 0);
	ctl_ike_stop(&gw);		/* again: nothing */

	CU_ASSERT_EQUAL(run(ctl_cmd_show_ike_sas, 0, NULL, j, sizeof(j)), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "IKE is not configured (no ike section in test.conf)");
	CU_ASSERT_EQUAL(run(ctl_cmd_terminate_ike, 1, five, j, sizeof(j)), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "IKE is not configured (no ike section in test.conf)");

	stub.fail_new = true;
	CU_ASSERT_EQUAL(start_ike(), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "IKE: connection gw: cannot read gw.pem");
	CU_ASSERT_PTR_NULL(gw.ike);
	CU_ASSERT_EQUAL(gw.udp.n, 0);
	stub.fail_new = false;
	gw.cfg.ike.enabled = false;
	CU_ASSERT_EQUAL(ctl_ike_start(&gw, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(gw.ike);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--file-prefix", "test_ctl_ike_host", "-l", "0", "--log-level=3" };
	struct dp_sad_params sp = { .max_sas = MAX_SAS, .n_workers = 1 };
	struct dp_spd_params pp = { .max_policies = MAX_POLICIES, .max_clients = MAX_CLIENTS,
				    .default_action = DP_POLICY_BYPASS };
	unsigned int fails;
	CU_pSuite s;

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	mgr = dp_esp_mgr_create();
	sp.mgr = mgr;
	gw.dp.sad = dp_sad_create("tike_sad", &sp);
	gw.dp.spd = dp_spd_create("tike_spd", &pp);
	gw.dp.pool = rte_pktmbuf_pool_create("tike_pool", POOL_SIZE, 0,
					     RTE_ALIGN(sizeof(struct dp_mbuf_meta),
						       RTE_MBUF_PRIV_ALIGN),
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(gw.cfg.path, sizeof(gw.cfg.path), "test.conf");
	if (mgr == NULL || gw.dp.sad == NULL || gw.dp.spd == NULL || gw.dp.pool == NULL ||
	    start_ike() != 0 || CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "setup failed: %p %p %p %p %s\n", (void *)mgr, (void *)gw.dp.sad,
			(void *)gw.dp.spd, (void *)gw.dp.pool, err);
		return 1;
	}
	s = CU_add_suite("ctl_ike_host", NULL, NULL);
	CU_add_test(s, "site to site", test_site_to_site);
	CU_add_test(s, "rekey", test_rekey);
	CU_add_test(s, "remote access clients", test_remote_access);
	CU_add_test(s, "failures leave nothing", test_failures);
	CU_add_test(s, "client prefix given back", test_client_undo);
	CU_add_test(s, "path update", test_update_path);
	CU_add_test(s, "lifetime events, timers", test_events_and_timers);
	CU_add_test(s, "punted UDP", test_udp_input);
	CU_add_test(s, "commands", test_commands);
	CU_add_test(s, "start and stop", test_life_cycle);
	fails = cu_run_count();
	dp_spd_free(gw.dp.spd);
	dp_sad_free(gw.dp.sad);
	rte_mempool_free(gw.dp.pool);
	dp_esp_mgr_free(mgr);
	rte_eal_cleanup();
	return cu_exit_status(fails);
}
