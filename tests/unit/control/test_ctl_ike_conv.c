/*
 * Unit tests of control/ctl_ike_conv.c: CHILD SA records (ike/ike_state.h)
 * to data path SA parameters: algorithm per suite, key halves by the
 * CHILD SA's role with the exact bytes, outer path and RFC 3948 ports,
 * lifetimes, ESN, replay window, selectors (ICMP type/code, families,
 * limits), the client-prefix / policy choice, path updates, and the UDP
 * address conversions. No EAL: pure functions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/Basic.h>

#include "control/ctl_ike_conv.h"
#include "tests/unit/cu_run.h"

enum {
	ERR_LEN = 256,
	KEY_I = 0x10,			/* first byte of every _i key */
	KEY_R = 0x80,			/* first byte of every _r key */
	INTEG_OFF = 0x40,		/* integrity keys start this much higher */
	PORT_NAT = 31000,
};

static char err[ERR_LEN];

static void
key_fill(struct ike_key *k, uint16_t len, uint8_t first)
{
	k->len = len;
	for (uint16_t i = 0; i < len; i++)
		k->bytes[i] = (uint8_t)(first + i);
}

static bool
key_is(const uint8_t *b, size_t len, uint8_t first)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != (uint8_t)(first + i))
			return false;
	return true;
}

static void
addr4(struct ike_addr *a, const char *text, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	CU_ASSERT_FATAL(inet_pton(AF_INET, text, a->ip) == 1);
}

static void
ts_set(struct ike_ts *ts, int family, uint8_t proto, const char *lo, const char *hi,
       uint16_t plo, uint16_t phi)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	ts->ip_proto = proto;
	ts->start_port = plo;
	ts->end_port = phi;
	CU_ASSERT_FATAL(inet_pton(family, lo, ts->start) == 1);
	CU_ASSERT_FATAL(inet_pton(family, hi, ts->end) == 1);
}

/* 192.0.2.1:500 <-> 198.51.100.7:500, a tunnel 10.1.0.0/16 <-> 10.2.0.0/16,
 * AES-GCM-128, keys by role. */
static void
fixture(struct ike_sa_state *ike, struct ike_child_state *c, bool initiator)
{
	memset(ike, 0, sizeof(*ike));
	memset(c, 0, sizeof(*c));
	addr4(&ike->local, "192.0.2.1", 500);
	addr4(&ike->remote, "198.51.100.7", 500);
	c->id = 7;
	c->spi_in = 0xc1000001;
	c->spi_out = 0xc2000002;
	c->mode = IKE_CHILD_MODE_TUNNEL;
	c->initiator = initiator;
	c->replay_window = 128;
	c->suite.encr = IKE_ENCR_AES_GCM_16;
	c->suite.encr_key_bits = 128;
	c->suite.esn = IKE_ESN_NO;
	snprintf(c->name, sizeof(c->name), "net");
	key_fill(&c->encr_i, 20, KEY_I);
	key_fill(&c->encr_r, 20, KEY_R);
	c->ts_local.n = 1;
	c->ts_remote.n = 1;
	ts_set(&c->ts_local.ts[0], AF_INET, 0, "10.1.0.0", "10.1.255.255", 0, 65535);
	ts_set(&c->ts_remote.ts[0], AF_INET, 0, "10.2.0.0", "10.2.255.255", 0, 65535);
}

static void
test_keys_by_role(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;

	/* CHILD SA initiator: sends with _i, receives with _r. */
	fixture(&ike, &c, true);
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.spi, 0xc2000002);
	CU_ASSERT_EQUAL(p.dir, DP_SA_OUTBOUND);
	CU_ASSERT_EQUAL(p.enc_key_len, 20);
	CU_ASSERT(key_is(p.enc_key, 20, KEY_I));
	CU_ASSERT_EQUAL(p.auth_key_len, 0);
	CU_ASSERT_EQUAL(p.replay_window, 0);
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.spi, 0xc1000001);
	CU_ASSERT_EQUAL(p.dir, DP_SA_INBOUND);
	CU_ASSERT(key_is(p.enc_key, 20, KEY_R));
	CU_ASSERT_EQUAL(p.replay_window, 128);

	/* Responder: the reverse. */
	fixture(&ike, &c, false);
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT(key_is(p.enc_key, 20, KEY_R));
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT(key_is(p.enc_key, 20, KEY_I));

	/* CBC + HMAC: both keys of the same half. */
	fixture(&ike, &c, false);
	c.suite.encr = IKE_ENCR_AES_CBC;
	c.suite.encr_key_bits = 256;
	c.suite.integ = IKE_INTEG_HMAC_SHA2_256_128;
	key_fill(&c.encr_i, 32, KEY_I);
	key_fill(&c.encr_r, 32, KEY_R);
	key_fill(&c.integ_i, 32, KEY_I + INTEG_OFF);
	key_fill(&c.integ_r, 32, KEY_R + INTEG_OFF);
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.alg, DP_SA_AES_CBC_256_SHA256);
	CU_ASSERT_EQUAL(p.enc_key_len, 32);
	CU_ASSERT_EQUAL(p.auth_key_len, 32);
	CU_ASSERT(key_is(p.enc_key, 32, KEY_I));
	CU_ASSERT(key_is(p.auth_key, 32, KEY_I + INTEG_OFF));
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT(key_is(p.enc_key, 32, KEY_R));
	CU_ASSERT(key_is(p.auth_key, 32, KEY_R + INTEG_OFF));
}

static const struct {
	uint16_t encr, bits, integ;
	int rc;
	enum dp_sa_alg alg;
	uint16_t enc_len, auth_len;	/* KEYMAT lengths given */
} algs[] = {
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, DP_SA_AES_GCM_128, 20, 0 },
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0, DP_SA_AES_GCM_256, 36, 0 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0, DP_SA_AES_CBC_128_SHA256, 16,
	  32 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0, DP_SA_AES_CBC_256_SHA256, 32,
	  32 },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE, 0, DP_SA_CHACHA20_POLY1305, 36, 0 },
	{ IKE_ENCR_CHACHA20_POLY1305, 256, IKE_INTEG_NONE, 0, DP_SA_CHACHA20_POLY1305, 36, 0 },
	{ IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE, -ENOTSUP, 0, 28, 0 },
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA2_256_128, -ENOTSUP, 0, 20, 32 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_384_192, -ENOTSUP, 0, 16, 48 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, -ENOTSUP, 0, 16, 0 },
	{ IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128, -ENOTSUP, 0, 24, 32 },
	{ IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE, -ENOTSUP, 0, 36, 0 },
	{ 3 /* 3DES */, 0, IKE_INTEG_HMAC_SHA2_256_128, -ENOTSUP, 0, 24, 32 },
};

static void
test_algorithms(void)
{
	for (unsigned int i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct ike_suite s = { .encr = algs[i].encr, .encr_key_bits = algs[i].bits,
				       .integ = algs[i].integ };
		struct ike_sa_state ike;
		struct ike_child_state c;
		struct dp_sa_params p;
		enum dp_sa_alg alg = DP_SA_ALG_COUNT;

		CU_ASSERT_EQUAL(ctl_ike_alg(&s, &alg), algs[i].rc);
		if (algs[i].rc == 0)
			CU_ASSERT_EQUAL(alg, algs[i].alg);
		fixture(&ike, &c, true);
		c.suite = s;
		key_fill(&c.encr_i, algs[i].enc_len, KEY_I);
		key_fill(&c.encr_r, algs[i].enc_len, KEY_R);
		key_fill(&c.integ_i, algs[i].auth_len, KEY_I + INTEG_OFF);
		key_fill(&c.integ_r, algs[i].auth_len, KEY_R + INTEG_OFF);
		CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err,
						  ERR_LEN), algs[i].rc);
		if (algs[i].rc != 0)
			continue;
		CU_ASSERT_EQUAL(p.alg, algs[i].alg);
		CU_ASSERT_EQUAL(p.enc_key_len, algs[i].enc_len);
		CU_ASSERT_EQUAL(p.auth_key_len, algs[i].auth_len);
		CU_ASSERT(key_is(p.enc_key, algs[i].enc_len, KEY_I));
		CU_ASSERT(key_is(p.auth_key, algs[i].auth_len, KEY_I + INTEG_OFF));
	}
}

static void
test_bad_records(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;

	/* KEYMAT of the wrong length (GCM-128 needs 16 + 4 salt). */
	fixture(&ike, &c, true);
	c.encr_i.len = 16;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "aes-gcm-128 needs 20+0 key bytes, KEYMAT has 16+0");
	CU_ASSERT_EQUAL(p.enc_key_len, 0);
	CU_ASSERT_EQUAL(p.enc_key[0], 0);	/* wiped on failure */
	/* Unknown mode. */
	fixture(&ike, &c, true);
	c.mode = 0;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "mode 0 unknown");
	/* Outer addresses of two families. */
	fixture(&ike, &c, true);
	ike.remote.family = AF_INET6;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "IKE SA addresses: family 2/10");
	/* Suite the data path lacks. */
	fixture(&ike, &c, true);
	c.suite.encr_key_bits = 192;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN),
			-ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "suite encr 20/192 integ 0 not in the data path");
}

static void
test_sa_fields(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;
	struct cfg_ike_child cc = { .df = CFG_SA_DF_SET, .dscp = 46 };
	uint8_t v4[4];

	fixture(&ike, &c, true);
	c.mode = IKE_CHILD_MODE_TRANSPORT;
	c.suite.esn = IKE_ESN_YES;
	c.replay_window = 0;
	c.life = (struct ike_child_lifetime){ .soft_bytes = 1000, .hard_bytes = 2000,
					      .soft_packets = 30, .hard_packets = 40 };
	snprintf(c.name, sizeof(c.name), "a-name-longer-than-thirty-one-characters");
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, &cc, &p, err, ERR_LEN), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "a-name-longer-than-thirty-one-c");
	CU_ASSERT_EQUAL(p.mode, DP_SA_TRANSPORT);
	CU_ASSERT_EQUAL(p.alg, DP_SA_AES_GCM_128);
	CU_ASSERT(p.esn);
	CU_ASSERT_EQUAL(p.replay_window, CTL_IKE_REPLAY_DEFAULT);
	CU_ASSERT_EQUAL(p.soft.bytes, 1000);
	CU_ASSERT_EQUAL(p.hard.bytes, 2000);
	CU_ASSERT_EQUAL(p.soft.packets, 30);
	CU_ASSERT_EQUAL(p.hard.packets, 40);
	CU_ASSERT_EQUAL(p.df, DP_SA_DF_SET);
	CU_ASSERT_EQUAL(p.dscp, 46);
	CU_ASSERT_EQUAL(p.owner, DP_SA_NO_OWNER);
	CU_ASSERT_EQUAL(p.local.family, AF_INET);
	CU_ASSERT_EQUAL(p.local.len, 32);
	inet_pton(AF_INET, "192.0.2.1", v4);
	CU_ASSERT_EQUAL(memcmp(p.local.addr.v4, v4, 4), 0);
	inet_pton(AF_INET, "198.51.100.7", v4);
	CU_ASSERT_EQUAL(memcmp(p.remote.addr.v4, v4, 4), 0);
	CU_ASSERT_EQUAL(p.remote.len, 32);
	CU_ASSERT(!p.udp_encap);
	CU_ASSERT_EQUAL(p.encap_local_port, 0);
	CU_ASSERT_EQUAL(p.encap_remote_port, 0);
	/* No configured child: DF copy, DSCP copied (-1). */
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.df, DP_SA_DF_COPY);
	CU_ASSERT_EQUAL(p.dscp, -1);
	cc.dscp = CFG_NONE;
	cc.df = CFG_SA_DF_CLEAR;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, &cc, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.df, DP_SA_DF_CLEAR);
	CU_ASSERT_EQUAL(p.dscp, -1);
}

static void
test_natt(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;
	struct dp_sa_update u;

	/* Behind a NAT: the IKE SA floated to 4500, the peer's source port. */
	fixture(&ike, &c, false);
	ike.natt = ike.nat_remote = true;
	ike.local.port = 4500;
	ike.remote.port = PORT_NAT;
	c.udp_encap = true;
	c.encap_local_port = 4500;
	c.encap_remote_port = 4500;	/* stale: the IKE SA's ports win */
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_OUTBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT(p.udp_encap);
	CU_ASSERT_EQUAL(p.encap_local_port, 4500);
	CU_ASSERT_EQUAL(p.encap_remote_port, PORT_NAT);
	/* Not floated (record from elsewhere): the CHILD SA's ports, else 4500. */
	ike.natt = false;
	c.encap_remote_port = 4501;
	c.encap_local_port = 0;
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.encap_local_port, 4500);
	CU_ASSERT_EQUAL(p.encap_remote_port, 4501);
	/* Path update after rebinding. */
	ike.natt = true;
	addr4(&ike.remote, "203.0.113.9", PORT_NAT + 1);
	CU_ASSERT(ctl_ike_path_update(&ike, &c, &u));
	CU_ASSERT_EQUAL(u.fields, DP_SA_UPD_LOCAL | DP_SA_UPD_REMOTE | DP_SA_UPD_ENCAP);
	CU_ASSERT(u.udp_encap);
	CU_ASSERT_EQUAL(u.encap_local_port, 4500);
	CU_ASSERT_EQUAL(u.encap_remote_port, PORT_NAT + 1);
	CU_ASSERT_EQUAL(memcmp(u.remote.addr.v4, ike.remote.ip, 4), 0);
	CU_ASSERT_EQUAL(u.remote.len, 32);
	/* Without encapsulation the update turns it off. */
	c.udp_encap = false;
	CU_ASSERT(ctl_ike_path_update(&ike, &c, &u));
	CU_ASSERT(!u.udp_encap);
	CU_ASSERT_EQUAL(u.encap_remote_port, 0);
	ike.local.family = 0;
	CU_ASSERT(!ctl_ike_path_update(&ike, &c, &u));
}

static bool
dp_ts_is(const struct dp_ts *t, int family, uint8_t proto, const char *lo, const char *hi,
	 uint16_t plo, uint16_t phi)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };

	inet_pton(family, lo, a);
	inet_pton(family, hi, b);
	return t->family == family && t->proto == proto && t->port_lo == plo &&
	       t->port_hi == phi && memcmp(t->addr_lo, a, 16) == 0 &&
	       memcmp(t->addr_hi, b, 16) == 0;
}

static void
test_selectors(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;
	struct dp_ts_pair pr[DP_SA_MAX_TS];
	uint8_t n = 9;

	/* Two local x two remote, one of each family: 2 pairs, families kept. */
	fixture(&ike, &c, true);
	c.ts_local.n = c.ts_remote.n = 2;
	ts_set(&c.ts_local.ts[0], AF_INET, IPPROTO_TCP, "10.1.0.0", "10.1.0.255", 80, 80);
	ts_set(&c.ts_local.ts[1], AF_INET6, 0, "2001:db8:1::", "2001:db8:1::ffff", 0, 65535);
	ts_set(&c.ts_remote.ts[0], AF_INET6, 0, "2001:db8:2::1", "2001:db8:2::1", 0, 65535);
	ts_set(&c.ts_remote.ts[1], AF_INET, 0, "10.2.0.1", "10.2.0.9", 1024, 65535);
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT(dp_ts_is(&pr[0].local, AF_INET, IPPROTO_TCP, "10.1.0.0", "10.1.0.255", 80, 80));
	CU_ASSERT(dp_ts_is(&pr[0].remote, AF_INET, IPPROTO_TCP, "10.2.0.1", "10.2.0.9", 1024,
			   65535));
	CU_ASSERT(dp_ts_is(&pr[1].local, AF_INET6, 0, "2001:db8:1::", "2001:db8:1::ffff", 0,
			   65535));
	CU_ASSERT(dp_ts_is(&pr[1].remote, AF_INET6, 0, "2001:db8:2::1", "2001:db8:2::1", 0,
			   65535));
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(p.n_ts, 2);
	CU_ASSERT_EQUAL(memcmp(p.ts, pr, 2 * sizeof(pr[0])), 0);

	/* Protocols that differ: no pair. */
	c.ts_remote.n = 1;
	c.ts_local.n = 1;
	ts_set(&c.ts_remote.ts[0], AF_INET, IPPROTO_UDP, "10.2.0.1", "10.2.0.1", 0, 65535);
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "no selector pair of one family");
	CU_ASSERT_EQUAL(n, 0);
}

static void
test_selectors_icmp(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_ts_pair pr[DP_SA_MAX_TS];
	uint8_t n = 9;

	fixture(&ike, &c, true);
	/* ICMP echo request (type 8, any code): type 8 local, code 0-255 remote. */
	ts_set(&c.ts_local.ts[0], AF_INET, IPPROTO_ICMP, "0.0.0.0", "255.255.255.255", 0x0800,
	       0x08ff);
	ts_set(&c.ts_remote.ts[0], AF_INET, IPPROTO_ICMP, "10.2.0.1", "10.2.0.1", 0, 65535);
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), 0);
	CU_ASSERT(dp_ts_is(&pr[0].local, AF_INET, IPPROTO_ICMP, "0.0.0.0", "255.255.255.255", 8,
			   8));
	CU_ASSERT(dp_ts_is(&pr[0].remote, AF_INET, IPPROTO_ICMP, "10.2.0.1", "10.2.0.1", 0,
			   255));
	/* Restricted on the remote selector only, one code; then several types. */
	c.ts_local.ts[0].start_port = 0;
	c.ts_local.ts[0].end_port = 65535;
	c.ts_remote.ts[0].start_port = 0x0301;
	c.ts_remote.ts[0].end_port = 0x0301;
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(pr[0].local.port_lo, 3);
	CU_ASSERT_EQUAL(pr[0].local.port_hi, 3);
	CU_ASSERT_EQUAL(pr[0].remote.port_lo, 1);
	CU_ASSERT_EQUAL(pr[0].remote.port_hi, 1);
	c.ts_remote.ts[0].start_port = 0x0302;
	c.ts_remote.ts[0].end_port = 0x0501;
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(pr[0].local.port_lo, 3);
	CU_ASSERT_EQUAL(pr[0].local.port_hi, 5);
	CU_ASSERT_EQUAL(pr[0].remote.port_lo, 0);
	CU_ASSERT_EQUAL(pr[0].remote.port_hi, 255);
	/* Any ICMP: any, any. */
	c.ts_remote.ts[0].start_port = 0;
	c.ts_remote.ts[0].end_port = 65535;
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), 0);
	CU_ASSERT(pr[0].local.port_lo == 0 && pr[0].local.port_hi == 65535);
	CU_ASSERT(pr[0].remote.port_lo == 0 && pr[0].remote.port_hi == 65535);
}

static void
test_selectors_refused(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct dp_sa_params p;
	struct dp_ts_pair pr[DP_SA_MAX_TS];
	uint8_t n = 9;

	fixture(&ike, &c, true);
	/* OPAQUE ports and unknown types are refused. */
	c.ts_remote.ts[0].ip_proto = IPPROTO_UDP;
	c.ts_local.ts[0].ip_proto = IPPROTO_UDP;
	c.ts_remote.ts[0].start_port = 65535;
	c.ts_remote.ts[0].end_port = 0;
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "remote selector 0: OPAQUE ports unsupported");
	c.ts_remote.ts[0].end_port = 65535;
	c.ts_local.ts[0].type = 9;
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "local selector 0: type 9 unsupported");

	/* 3 x 2 of one family: more pairs than an SA holds. */
	fixture(&ike, &c, true);
	c.ts_local.n = 3;
	c.ts_remote.n = 2;
	for (unsigned int i = 0; i < 3; i++)
		c.ts_local.ts[i] = c.ts_local.ts[0];
	c.ts_remote.ts[1] = c.ts_remote.ts[0];
	CU_ASSERT_EQUAL(ctl_ike_ts_pairs(&c, pr, &n, err, ERR_LEN), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "more than 4 selector pairs");
	CU_ASSERT_EQUAL(ctl_ike_sa_params(&ike, &c, DP_SA_INBOUND, NULL, &p, err, ERR_LEN),
			-E2BIG);
}

static void
test_plan(void)
{
	struct ike_sa_state ike;
	struct ike_child_state c;
	struct ctl_ike_plan plan;
	uint8_t vip[4], vip6[16];

	/* Road warrior: 0.0.0.0/0 <-> its virtual IP 10.9.0.6/32: a client. */
	fixture(&ike, &c, false);
	addr4(&ike.vip4.addr, "10.9.0.6", 0);
	ts_set(&c.ts_local.ts[0], AF_INET, 0, "0.0.0.0", "255.255.255.255", 0, 65535);
	ts_set(&c.ts_remote.ts[0], AF_INET, 0, "10.9.0.6", "10.9.0.6", 0, 65535);
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(plan.n_clients, 1);
	CU_ASSERT_EQUAL(plan.n_pairs, 1);
	inet_pton(AF_INET, "10.9.0.6", vip);
	CU_ASSERT_EQUAL(plan.clients[0].family, AF_INET);
	CU_ASSERT_EQUAL(plan.clients[0].len, 32);
	CU_ASSERT_EQUAL(memcmp(plan.clients[0].addr.v4, vip, 4), 0);

	/* Dual stack: both virtual IPs. */
	ike.vip6.addr.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:9::6", ike.vip6.addr.ip);
	c.ts_local.n = c.ts_remote.n = 2;
	ts_set(&c.ts_local.ts[1], AF_INET6, 0, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	       0, 65535);
	ts_set(&c.ts_remote.ts[1], AF_INET6, 0, "2001:db8:9::6", "2001:db8:9::6", 0, 65535);
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL_FATAL(plan.n_clients, 2);
	CU_ASSERT_EQUAL(plan.n_pairs, 2);
	inet_pton(AF_INET6, "2001:db8:9::6", vip6);
	CU_ASSERT_EQUAL(plan.clients[1].family, AF_INET6);
	CU_ASSERT_EQUAL(plan.clients[1].len, 128);
	CU_ASSERT_EQUAL(memcmp(plan.clients[1].addr.v6, vip6, 16), 0);

	/* One selector narrower than the whole host: policies. */
	c.ts_remote.ts[1].ip_proto = IPPROTO_TCP;
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(plan.n_clients, 0);
	CU_ASSERT_EQUAL(plan.n_pairs, 2);
	CU_ASSERT_EQUAL(plan.clients[0].family, 0);

	/* A single host that is not a leased address (site-to-site /32). */
	c.ts_local.n = c.ts_remote.n = 1;
	ts_set(&c.ts_remote.ts[0], AF_INET, 0, "10.9.0.7", "10.9.0.7", 0, 65535);
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(plan.n_clients, 0);
	CU_ASSERT_EQUAL(plan.n_pairs, 1);
	/* A subnet: policies. */
	fixture(&ike, &c, true);
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), 0);
	CU_ASSERT_EQUAL(plan.n_clients, 0);
	CU_ASSERT_EQUAL(plan.n_pairs, 1);
	/* Errors of the selectors come through. */
	c.ts_remote.ts[0].type = 0;
	CU_ASSERT_EQUAL(ctl_ike_plan(&ike, &c, &plan, err, ERR_LEN), -ENOTSUP);
}

static void
test_addresses(void)
{
	struct dp_udp_end e = { .family = AF_INET6, .port = 4500 }, back;
	struct ike_addr a;
	struct cfg_prefix pfx;

	inet_pton(AF_INET6, "2001:db8::1", e.addr);
	ctl_ike_addr_from_udp(&e, &a);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(a.port, 4500);
	CU_ASSERT_EQUAL(memcmp(a.ip, e.addr, 16), 0);
	ctl_ike_addr_to_udp(&a, &back);
	CU_ASSERT_EQUAL(memcmp(&back, &e, sizeof(e)), 0);
	CU_ASSERT(ctl_ike_addr_to_prefix(&a, &pfx));
	CU_ASSERT_EQUAL(pfx.len, 128);
	CU_ASSERT_EQUAL(memcmp(pfx.addr.v6, e.addr, 16), 0);
	a.family = 0;
	CU_ASSERT(!ctl_ike_addr_to_prefix(&a, &pfx));
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ctl_ike_conv", NULL, NULL);
	CU_add_test(s, "keys by role", test_keys_by_role);
	CU_add_test(s, "algorithms", test_algorithms);
	CU_add_test(s, "bad records", test_bad_records);
	CU_add_test(s, "SA fields", test_sa_fields);
	CU_add_test(s, "NAT-T", test_natt);
	CU_add_test(s, "selectors", test_selectors);
	CU_add_test(s, "selectors: ICMP", test_selectors_icmp);
	CU_add_test(s, "selectors refused", test_selectors_refused);
	CU_add_test(s, "client or policies", test_plan);
	CU_add_test(s, "addresses", test_addresses);
	return cu_run_registered();
}
