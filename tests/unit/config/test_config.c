/*
 * Unit tests of the configuration loader (config/): good files checked
 * field by field (values, defaults, default round-robin workers, @include,
 * integer spellings, static neighbours), bad files each compared with the full expected
 * "FILE:LINE: message", JSON output, names and prefix formatting. The
 * IPsec sections are tested in test_config_ipsec.c, the ike section in
 * test_config_ike*.c, the ha section in test_config_ha.c (their bad files
 * run here).
 *
 * Runs with tests/unit/config as working directory.
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg.h"
#include "test_config.h"
#include "tests/unit/cu_run.h"

#ifndef CFG_EXAMPLE_DIR
#define CFG_EXAMPLE_DIR "../../../config"
#endif

static struct cfg cfg;
static char err[CFG_ERR_LEN];

static int
load(const char *path)
{
	int rc = cfg_load(path, &cfg, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "\n%s: unexpected error: %s\n", path, err);
	return rc;
}

static void
check_prefix(const struct cfg_prefix *p, int family, const char *text)
{
	char buf[64];

	cfg_prefix_format(p, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL(p->family, family);
	CU_ASSERT_STRING_EQUAL(buf, text);
	if (strcmp(buf, text) != 0)
		fprintf(stderr, "\nprefix %s, expected %s\n", buf, text);
}

static void
check_queue(const struct cfg_worker *w, unsigned int i, unsigned int port, unsigned int queue)
{
	CU_ASSERT_EQUAL(w->queues[i].port, port);
	CU_ASSERT_EQUAL(w->queues[i].queue, queue);
}

/* ---- good files ---- */

static void
test_full_eal(void)
{
	const struct cfg_eal *e = &cfg.eal;

	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.path, "good/full.conf");
	CU_ASSERT_EQUAL(e->n_lcores, 3);
	CU_ASSERT_EQUAL(e->lcores[0], 2);
	CU_ASSERT_EQUAL(e->lcores[1], 5);
	CU_ASSERT_EQUAL(e->lcores[2], 7);
	CU_ASSERT_EQUAL(e->memory_mb, 2048);
	CU_ASSERT_TRUE(e->hugepages);
	CU_ASSERT_TRUE(e->pci);
	CU_ASSERT_STRING_EQUAL(e->file_prefix, "gw-a_1");
	CU_ASSERT_EQUAL(e->n_extra_args, 2);
	CU_ASSERT_STRING_EQUAL(e->extra_args[0], "--log-level=pmd.net.af_packet:8");
	CU_ASSERT_STRING_EQUAL(e->extra_args[1], "--huge-dir=/mnt/huge");
}

static void
test_full_dataplane(void)
{
	const struct cfg_dataplane *d = &cfg.dp;

	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_EQUAL(d->mbufs, 65535);
	CU_ASSERT_EQUAL(d->mbuf_cache, 128);
	CU_ASSERT_EQUAL(d->rx_desc, 512);
	CU_ASSERT_EQUAL(d->tx_desc, 2048);
	CU_ASSERT_EQUAL(d->burst, 16);
	CU_ASSERT_EQUAL(d->punt_ring, 4096);
	CU_ASSERT_EQUAL(d->idle_backoff_us, 20);
	CU_ASSERT_EQUAL(d->neigh_entries, 8192);
	CU_ASSERT_EQUAL(d->neigh_reachable_s, 60);
	CU_ASSERT_EQUAL(d->neigh_pending, 4);
	CU_ASSERT_EQUAL(d->neigh_pending_total, 2048);
	CU_ASSERT_EQUAL(d->icmp_rate, 0);
	CU_ASSERT_EQUAL(d->icmp_burst, 10);
}

static void
test_full_ports(void)
{
	const struct cfg_port *p = cfg.ports;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };

	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 3);
	CU_ASSERT_STRING_EQUAL(p[0].name, "outside");
	CU_ASSERT_STRING_EQUAL(p[0].device, "0000:01:00.0");
	CU_ASSERT_EQUAL(p[0].role, CFG_ROLE_UNTRUSTED);
	CU_ASSERT_EQUAL(p[0].n_ipv4, 2);
	check_prefix(&p[0].ipv4[0], AF_INET, "192.0.2.10/24");
	check_prefix(&p[0].ipv4[1], AF_INET, "203.0.113.5/30");
	CU_ASSERT_EQUAL(p[0].n_ipv6, 1);
	check_prefix(&p[0].ipv6[0], AF_INET6, "2001:db8:1::10/64");
	CU_ASSERT_EQUAL(memcmp(p[0].ipv6[0].addr.v6, v6, sizeof(v6)), 0);
	CU_ASSERT_EQUAL(p[0].ipv4[0].addr.v4[3], 10);
	CU_ASSERT_EQUAL(p[0].mtu, 9000);
	CU_ASSERT_EQUAL(p[0].rx_queues, 2);
	CU_ASSERT_EQUAL(p[0].line, 26);
	CU_ASSERT_STRING_EQUAL(p[1].name, "inside");
	CU_ASSERT_STRING_EQUAL(p[1].device, "0000:01:00.1");
	CU_ASSERT_EQUAL(p[1].role, CFG_ROLE_TRUSTED);
	CU_ASSERT_EQUAL(p[1].n_ipv4, 1);
	check_prefix(&p[1].ipv4[0], AF_INET, "198.51.100.1/25");
	CU_ASSERT_EQUAL(p[1].n_ipv6, 2);
	check_prefix(&p[1].ipv6[0], AF_INET6, "2001:db8:2::1/48");
	check_prefix(&p[1].ipv6[1], AF_INET6, "2001:db8:3::1/127");
	CU_ASSERT_EQUAL(p[1].mtu, 1280);
	CU_ASSERT_EQUAL(p[1].rx_queues, 3);
	CU_ASSERT_EQUAL(p[1].line, 35);
	CU_ASSERT_STRING_EQUAL(p[2].name, "ha");
	CU_ASSERT_STRING_EQUAL(p[2].device, "net_memif0,role=server");
	CU_ASSERT_EQUAL(p[2].role, CFG_ROLE_SYNC);
	CU_ASSERT_EQUAL(p[2].n_ipv4, 1);
	check_prefix(&p[2].ipv4[0], AF_INET, "10.255.0.1/31");
	CU_ASSERT_EQUAL(p[2].n_ipv6, 0);
	CU_ASSERT_EQUAL(p[2].mtu, 576);
	CU_ASSERT_EQUAL(p[2].rx_queues, 1);
	CU_ASSERT_EQUAL(p[2].line, 44);
}

static void
check_route(unsigned int i, const char *prefix, const char *via, unsigned int port, int line)
{
	const struct cfg_route *r = &cfg.routes[i];
	char buf[64];

	cfg_prefix_format(&r->prefix, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, prefix);
	CU_ASSERT_EQUAL(r->has_via, via != NULL);
	if (via != NULL) {
		cfg_prefix_format(&r->via, false, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, via);
		CU_ASSERT_EQUAL(r->via.family, r->prefix.family);
	}
	CU_ASSERT_EQUAL(r->port, port);
	CU_ASSERT_EQUAL(r->line, line);
}

static void
test_full_routes(void)
{
	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_routes, 5);
	check_route(0, "0.0.0.0/0", "192.0.2.1/32", 0, 53);
	check_route(1, "198.51.100.128/25", "198.51.100.2/32", 1, 54);
	check_route(2, "10.0.0.0/8", NULL, 1, 55);
	check_route(3, "::/0", "2001:db8:1::1/128", 0, 56);
	check_route(4, "2001:db8:100::/40", "2001:db8:2::2/128", 1, 57);
	CU_ASSERT_EQUAL(cfg.routes[0].prefix.family, AF_INET);
	CU_ASSERT_EQUAL(cfg.routes[3].prefix.family, AF_INET6);
}

static void
test_full_workers(void)
{
	const struct cfg_worker *w = cfg.workers;

	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(w[0].lcore, 5);
	CU_ASSERT_EQUAL(w[0].line, 60);
	CU_ASSERT_EQUAL_FATAL(w[0].n_queues, 4);
	check_queue(&w[0], 0, 0, 0);
	check_queue(&w[0], 1, 1, 0);
	check_queue(&w[0], 2, 1, 2);
	check_queue(&w[0], 3, 2, 0);
	CU_ASSERT_EQUAL(w[1].lcore, 7);
	CU_ASSERT_EQUAL(w[1].line, 61);
	CU_ASSERT_EQUAL_FATAL(w[1].n_queues, 2);
	check_queue(&w[1], 0, 0, 1);
	check_queue(&w[1], 1, 1, 1);
	CU_ASSERT_STRING_EQUAL(cfg.cli.socket, "/var/run/hagw-a.sock");
	CU_ASSERT_EQUAL(cfg.log.level, CFG_LOG_DEBUG);
	CU_ASSERT_STRING_EQUAL(cfg.log.file, "/var/log/hagw.log");
}

static void
test_minimal_defaults(void)
{
	const struct cfg_dataplane *d = &cfg.dp;

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(load("good/minimal.conf"), 0);
	CU_ASSERT_EQUAL(cfg.eal.n_lcores, 1);
	CU_ASSERT_EQUAL(cfg.eal.lcores[0], 0);
	CU_ASSERT_EQUAL(cfg.eal.memory_mb, 512);
	CU_ASSERT_FALSE(cfg.eal.hugepages);
	CU_ASSERT_FALSE(cfg.eal.pci);
	CU_ASSERT_STRING_EQUAL(cfg.eal.file_prefix, "hagw");
	CU_ASSERT_EQUAL(cfg.eal.n_extra_args, 0);
	CU_ASSERT_EQUAL(d->mbufs, 8191);
	CU_ASSERT_EQUAL(d->mbuf_cache, 256);
	CU_ASSERT_EQUAL(d->rx_desc, 1024);
	CU_ASSERT_EQUAL(d->tx_desc, 1024);
	CU_ASSERT_EQUAL(d->burst, 32);
	CU_ASSERT_EQUAL(d->punt_ring, 1024);
	CU_ASSERT_EQUAL(d->idle_backoff_us, 0);
	CU_ASSERT_EQUAL(d->neigh_entries, 4096);
	CU_ASSERT_EQUAL(d->neigh_reachable_s, 30);
	CU_ASSERT_EQUAL(d->neigh_pending, 8);
	CU_ASSERT_EQUAL(d->neigh_pending_total, 1024);
	CU_ASSERT_EQUAL(d->icmp_rate, 100);
	CU_ASSERT_EQUAL(d->icmp_burst, 50);
	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 1);
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].name, "only");
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].device, "net_null0");
	CU_ASSERT_EQUAL(cfg.ports[0].role, CFG_ROLE_TRUSTED);
	CU_ASSERT_EQUAL(cfg.ports[0].n_ipv4, 0);
	CU_ASSERT_EQUAL(cfg.ports[0].n_ipv6, 0);
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 1500);
	CU_ASSERT_EQUAL(cfg.ports[0].rx_queues, 1);
	CU_ASSERT_EQUAL(cfg.ports[0].line, 6);
	CU_ASSERT_EQUAL(cfg.n_routes, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 1);
	CU_ASSERT_EQUAL(cfg.workers[0].lcore, 0);
	CU_ASSERT_EQUAL(cfg.workers[0].line, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.workers[0].n_queues, 1);
	check_queue(&cfg.workers[0], 0, 0, 0);
	CU_ASSERT_STRING_EQUAL(cfg.cli.socket, "/run/hagw/hagw.sock");
	CU_ASSERT_EQUAL(cfg.log.level, CFG_LOG_INFO);
	CU_ASSERT_STRING_EQUAL(cfg.log.file, "");
}

/* Two lcores: lcore 0 is the control core, lcore 1 polls everything. */
static void
test_round_robin_2(void)
{
	const struct cfg_worker *w = cfg.workers;

	CU_ASSERT_EQUAL_FATAL(load("good/rr2.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 1);
	CU_ASSERT_EQUAL(w[0].lcore, 1);
	CU_ASSERT_EQUAL_FATAL(w[0].n_queues, 3);
	check_queue(&w[0], 0, 0, 0);
	check_queue(&w[0], 1, 0, 1);
	check_queue(&w[0], 2, 1, 0);
}

/* Main lcore 3; queues a:0 a:1 a:2 b:0 b:1 go to lcores 1 2 1 2 1. */
static void
test_round_robin_3(void)
{
	const struct cfg_worker *w = cfg.workers;

	CU_ASSERT_EQUAL_FATAL(load("good/rr3.conf"), 0);
	CU_ASSERT_EQUAL(cfg.eal.lcores[0], 3);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(w[0].lcore, 1);
	CU_ASSERT_EQUAL(w[1].lcore, 2);
	CU_ASSERT_EQUAL_FATAL(w[0].n_queues, 3);
	check_queue(&w[0], 0, 0, 0);
	check_queue(&w[0], 1, 0, 2);
	check_queue(&w[0], 2, 1, 1);
	CU_ASSERT_EQUAL_FATAL(w[1].n_queues, 2);
	check_queue(&w[1], 0, 0, 1);
	check_queue(&w[1], 1, 1, 0);
	CU_ASSERT_EQUAL(cfg.dp.mbufs, 4095);
	CU_ASSERT_EQUAL(cfg.dp.rx_desc, 256);
	CU_ASSERT_EQUAL(cfg.dp.tx_desc, 256);
}

static void
test_include(void)
{
	CU_ASSERT_EQUAL_FATAL(load("good/include.conf"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.path, "good/include.conf");
	CU_ASSERT_EQUAL_FATAL(cfg.n_ports, 2);
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].name, "client");
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].device, "net_af_packet0,iface=veth-c");
	CU_ASSERT_EQUAL(cfg.ports[0].role, CFG_ROLE_UNTRUSTED);
	check_prefix(&cfg.ports[0].ipv4[0], AF_INET, "192.0.2.1/24");
	CU_ASSERT_EQUAL(cfg.ports[0].line, 3);	/* line in the included file */
	CU_ASSERT_STRING_EQUAL(cfg.ports[1].name, "lan");
	check_prefix(&cfg.ports[1].ipv4[0], AF_INET, "198.51.100.1/24");
	CU_ASSERT_EQUAL(cfg.ports[1].line, 5);
	CU_ASSERT_EQUAL_FATAL(cfg.n_routes, 1);
	check_route(0, "203.0.113.0/24", "198.51.100.2/32", 1, 8);
	CU_ASSERT_EQUAL(cfg.log.level, CFG_LOG_WARNING);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 1);
	CU_ASSERT_EQUAL(cfg.workers[0].n_queues, 2);
}

static void
check_neighbor(unsigned int i, unsigned int port, int family, const char *addr,
	       const uint8_t mac[CFG_MAC_LEN], int line)
{
	const struct cfg_neighbor *n = &cfg.neighbors[i];

	CU_ASSERT_EQUAL(n->port, port);
	check_prefix(&n->addr, family, addr);
	CU_ASSERT_EQUAL(memcmp(n->mac, mac, CFG_MAC_LEN), 0);
	CU_ASSERT_EQUAL(n->line, line);
}

static void
test_neighbors(void)
{
	static const uint8_t mac0[] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t mac1[] = { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f };
	static const uint8_t mac2[] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 };
	static const uint8_t mac3[] = { 0, 0, 0, 0, 0, 0x01 };
	static const uint8_t v4[16] = { 198, 51, 100, 2 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x0a };

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(load("good/neighbors.conf"), 0);
	CU_ASSERT_EQUAL(cfg.n_ports, 3);
	CU_ASSERT_EQUAL(cfg.n_routes, 1);
	CU_ASSERT_EQUAL_FATAL(cfg.n_neighbors, 4);
	check_neighbor(0, 1, AF_INET, "198.51.100.2/32", mac0, 33);
	check_neighbor(1, 0, AF_INET6, "2001:db8:1::a/128", mac1, 34);
	check_neighbor(2, 2, AF_INET, "198.51.100.2/32", mac2, 35);
	check_neighbor(3, 1, AF_INET6, "2001:db8:2::ffff/128", mac3, 40);
	/* Whole 16 bytes: IPv4 in the first 4, the rest zero. */
	CU_ASSERT_EQUAL(memcmp(cfg.neighbors[0].addr.addr.bytes, v4, sizeof(v4)), 0);
	CU_ASSERT_EQUAL(memcmp(cfg.neighbors[1].addr.addr.bytes, v6, sizeof(v6)), 0);
	CU_ASSERT_EQUAL(cfg.neighbors[0].addr.len, 32);
	CU_ASSERT_EQUAL(cfg.neighbors[1].addr.len, 128);
	/* A file without the section has none. */
	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	CU_ASSERT_EQUAL(cfg.n_neighbors, 0);
}

static const char neighbors_json[] =
	"[{\"port\":\"lan\",\"address\":\"198.51.100.2\",\"mac\":\"02:00:00:00:00:02\"},"
	"{\"port\":\"client\",\"address\":\"2001:db8:1::a\",\"mac\":\"0a:1b:2c:3d:4e:5f\"},"
	"{\"port\":\"lan2\",\"address\":\"198.51.100.2\",\"mac\":\"fe:dc:ba:98:76:54\"},"
	"{\"port\":\"lan\",\"address\":\"2001:db8:2::ffff\",\"mac\":\"00:00:00:00:00:01\"}]";

/* Hex, L suffixes, ':' and values on the next line read as written. */
static void
test_literals(void)
{
	CU_ASSERT_EQUAL_FATAL(load("good/literals.conf"), 0);
	CU_ASSERT_EQUAL(cfg.eal.n_lcores, 3);
	CU_ASSERT_EQUAL(cfg.eal.lcores[1], 1);
	CU_ASSERT_EQUAL(cfg.eal.lcores[2], 2);
	CU_ASSERT_EQUAL(cfg.eal.memory_mb, 1024);
	CU_ASSERT_EQUAL(cfg.dp.mbufs, 100000);
	CU_ASSERT_EQUAL(cfg.dp.burst, 8);
	CU_ASSERT_EQUAL(cfg.dp.icmp_rate, 1000000);
	CU_ASSERT_EQUAL(cfg.dp.icmp_burst, 1000000);
	CU_ASSERT_EQUAL(cfg.dp.idle_backoff_us, 100000);
	CU_ASSERT_EQUAL(cfg.ports[0].mtu, 9000);
	CU_ASSERT_EQUAL(cfg.ports[1].rx_queues, 16);
	CU_ASSERT_EQUAL_FATAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(cfg.workers[0].n_queues, 9);
	CU_ASSERT_EQUAL(cfg.workers[1].n_queues, 8);
}

static void
test_examples(void)
{
	CU_ASSERT_EQUAL_FATAL(load(CFG_EXAMPLE_DIR "/hagw.example.conf"), 0);
	CU_ASSERT_EQUAL(cfg.eal.n_lcores, 3);
	CU_ASSERT_TRUE(cfg.eal.hugepages);
	CU_ASSERT_TRUE(cfg.eal.pci);
	CU_ASSERT_EQUAL(cfg.n_ports, 3);
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].device, "0000:01:00.0");
	CU_ASSERT_EQUAL(cfg.n_workers, 2);
	CU_ASSERT_EQUAL(cfg.n_routes, 4);
	CU_ASSERT_EQUAL_FATAL(load(CFG_EXAMPLE_DIR "/lab.example.conf"), 0);
	CU_ASSERT_EQUAL(cfg.eal.n_lcores, 1);
	CU_ASSERT_FALSE(cfg.eal.hugepages);
	CU_ASSERT_STRING_EQUAL(cfg.ports[0].device, "net_af_packet0,iface=veth-c");
	CU_ASSERT_EQUAL(cfg.n_workers, 1);
	CU_ASSERT_EQUAL(cfg.workers[0].lcore, 0);
	CU_ASSERT_EQUAL(cfg.workers[0].n_queues, 2);
	CU_ASSERT_EQUAL(cfg.dp.idle_backoff_us, 50);
}

/* ---- bad files: each breaks one rule; the whole message is compared ---- */

static const struct bad_case bad_cases[] = {
	{ "01-syntax.conf",
	  "bad/01-syntax.conf:4: syntax error: syntax error" },
	{ "02-unknown-section.conf",
	  "bad/02-unknown-section.conf:34: unknown setting 'clii' at top level (expected "
	  "one of: eal, dataplane, ports, routes, neighbors, workers, ipsec, sas, policies, "
	  "ike, ha, cli, log)" },
	{ "03-unknown-port-key.conf",
	  "bad/03-unknown-port-key.conf:25: unknown setting 'mtux' in ports[1] (expected "
	  "one of: name, device, role, ipv4, ipv6, mtu, rx_queues)" },
	{ "04-unknown-dataplane-key.conf",
	  "bad/04-unknown-dataplane-key.conf:9: unknown setting 'mbuf' in dataplane "
	  "(expected one of: mbufs, mbuf_cache, rx_desc, tx_desc, burst, punt_ring, "
	  "idle_backoff_us, neigh_entries, neigh_reachable_s, neigh_pending, "
	  "neigh_pending_total, icmp_rate, icmp_burst)" },
	{ "05-missing-eal.conf",
	  "bad/05-missing-eal.conf:31: missing required section 'eal'" },
	{ "06-missing-ports.conf",
	  "bad/06-missing-ports.conf:11: missing required section 'ports'" },
	{ "07-missing-device.conf",
	  "bad/07-missing-device.conf:18: ports[1]: missing required setting 'device'" },
	{ "08-wrong-type.conf",
	  "bad/08-wrong-type.conf:24: ports[1].rx_queues: expected an integer, got a "
	  "string" },
	{ "09-out-of-range.conf",
	  "bad/09-out-of-range.conf:25: ports[1].mtu: 100 is out of range (576..9000)" },
	{ "10-wrap32.conf",
	  "bad/10-wrap32.conf:4: eal.memory_mb: 4294967296 is out of range (64..1048576)" },
	{ "11-overflow64-L.conf",
	  "bad/11-overflow64-L.conf:7: dataplane.mbufs: value 99999999999999999999L does "
	  "not fit in 64 bits (allowed 1023..16777215)" },
	{ "12-overflow64.conf",
	  "bad/12-overflow64.conf:7: dataplane.mbufs: value 99999999999999999999 does not "
	  "fit in 64 bits (allowed 1023..16777215)" },
	{ "13-negative.conf",
	  "bad/13-negative.conf:9: dataplane.burst: -1 is out of range (1..64)" },
	{ "14-not-pow2.conf",
	  "bad/14-not-pow2.conf:8: dataplane.rx_desc: 1000 is not a power of two" },
	{ "15-bad-address.conf",
	  "bad/15-bad-address.conf:22: ports[1].ipv4[0]: '198.51.100.300/24' is not an "
	  "IPv4 address" },
	{ "16-bad-prefix-len.conf",
	  "bad/16-bad-prefix-len.conf:22: ports[1].ipv4[0]: '198.51.100.1/33' has prefix "
	  "length 33, allowed 1..32" },
	{ "17-no-prefix-len.conf",
	  "bad/17-no-prefix-len.conf:22: ports[1].ipv4[0]: '198.51.100.1' needs a prefix "
	  "length (address/len)" },
	{ "18-family-mismatch.conf",
	  "bad/18-family-mismatch.conf:22: ports[1].ipv4[1]: '2001:db8:9::1/64' is an "
	  "IPv6 address, expected IPv4" },
	{ "19-network-address.conf",
	  "bad/19-network-address.conf:15: ports[0].ipv4[0]: '192.0.2.0/24' is the "
	  "network address of its subnet" },
	{ "20-broadcast-address.conf",
	  "bad/20-broadcast-address.conf:15: ports[0].ipv4[0]: '192.0.2.255/24' is the "
	  "broadcast address of its subnet" },
	{ "21-ipv6-link-local.conf",
	  "bad/21-ipv6-link-local.conf:16: ports[0].ipv6[0]: 'fe80::1/64' is a link-local "
	  "address (hagw derives its own)" },
	{ "22-ipv6-multicast.conf",
	  "bad/22-ipv6-multicast.conf:16: ports[0].ipv6[0]: 'ff02::1/64' is a multicast "
	  "address" },
	{ "23-ipv6-unspecified.conf",
	  "bad/23-ipv6-unspecified.conf:16: ports[0].ipv6[0]: '::/64' is the unspecified "
	  "address" },
	{ "24-route-host-bits.conf",
	  "bad/24-route-host-bits.conf:28: routes[0].prefix: '203.0.113.9/24' has host "
	  "bits set (did you mean 203.0.113.0/24?)" },
	{ "25-duplicate-port-name.conf",
	  "bad/25-duplicate-port-name.conf:19: ports[1].name: duplicate port name "
	  "'client' (also ports[0])" },
	{ "26-duplicate-device.conf",
	  "bad/26-duplicate-device.conf:20: ports[1].device: device "
	  "'net_af_packet0,iface=veth-c' is already used by ports[0] ('client')" },
	{ "27-duplicate-address.conf",
	  "bad/27-duplicate-address.conf:23: ports[1].ipv6[1]: address 2001:db8:1::1 is "
	  "already assigned to ports[0] ('client')" },
	{ "28-route-unknown-port.conf",
	  "bad/28-route-unknown-port.conf:28: routes[0].port: unknown port 'wan'" },
	{ "29-via-family.conf",
	  "bad/29-via-family.conf:28: routes[0].via: next hop 2001:db8:2::2 is IPv6 but "
	  "the prefix 203.0.113.0/24 is IPv4" },
	{ "30-via-outside-subnet.conf",
	  "bad/30-via-outside-subnet.conf:28: routes[0].via: next hop 192.0.2.2 is not "
	  "inside a subnet of port 'lan'" },
	{ "31-duplicate-route.conf",
	  "bad/31-duplicate-route.conf:29: routes[1].prefix: duplicate route prefix "
	  "203.0.113.0/24 (also routes[0])" },
	{ "32-unknown-role.conf",
	  "bad/32-unknown-role.conf:21: ports[1].role: unknown role 'inside' (expected "
	  "untrusted, trusted or sync)" },
	{ "33-two-sync-ports.conf",
	  "bad/33-two-sync-ports.conf:21: ports[1].role: more than one sync port "
	  "(ports[0] 'client' is already the sync port)" },
	{ "34-lcore-twice.conf",
	  "bad/34-lcore-twice.conf:4: eal.lcores[3]: lcore 1 is listed twice (also "
	  "eal.lcores[1])" },
	{ "35-worker-lcore-unlisted.conf",
	  "bad/35-worker-lcore-unlisted.conf:32: workers[0].lcore: lcore 3 is not in "
	  "eal.lcores" },
	{ "36-two-workers-one-lcore.conf",
	  "bad/36-two-workers-one-lcore.conf:33: workers[1].lcore: lcore 1 already has a "
	  "worker (workers[0])" },
	{ "37-worker-on-main.conf",
	  "bad/37-worker-on-main.conf:33: workers[1].lcore: lcore 0 is the main (control) "
	  "lcore: only workers[0] may share it" },
	{ "38-lcore-without-worker.conf",
	  "bad/38-lcore-without-worker.conf:31: workers: lcore 2 has no worker (every "
	  "lcore after the first needs one)" },
	{ "39-bad-queue-ref.conf",
	  "bad/39-bad-queue-ref.conf:32: workers[0].queues[2]: bad queue reference "
	  "'lan-1' (expected \"port:queue\", e.g. \"lan:0\")" },
	{ "40-queue-unknown-port.conf",
	  "bad/40-queue-unknown-port.conf:32: workers[0].queues[2]: unknown port in queue "
	  "reference 'wan:1'" },
	{ "41-queue-out-of-range.conf",
	  "bad/41-queue-out-of-range.conf:32: workers[0].queues[2]: queue 2 of port 'lan' "
	  "does not exist (rx_queues = 2)" },
	{ "42-queue-twice.conf",
	  "bad/42-queue-twice.conf:33: workers[1].queues[1]: queue client:0 is already "
	  "polled by workers[0] (lcore 1)" },
	{ "43-queue-unpolled.conf",
	  "bad/43-queue-unpolled.conf:18: ports[1]: RX queue lan:1 is polled by no worker" },
	{ "44-file-prefix-chars.conf",
	  "bad/44-file-prefix-chars.conf:5: eal.file_prefix: 'hagw a' has a character "
	  "other than A-Z a-z 0-9 _ -" },
	{ "45-name-too-long.conf",
	  "bad/45-name-too-long.conf:19: ports[1].name: "
	  "'lan-0123456789012345678901234567' is too long (32 characters, at most 31)" },
	{ "46-socket-relative.conf",
	  "bad/46-socket-relative.conf:34: cli.socket: 'run/hagw.sock' is not an absolute "
	  "path" },
	{ "47-socket-too-long.conf",
	  "bad/47-socket-too-long.conf:34: cli.socket: path is too long (108 characters, "
	  "at most 107)" },
	{ "48-log-level.conf",
	  "bad/48-log-level.conf:35: log.level: unknown log level 'verbose' (expected "
	  "err, warning, notice, info or debug)" },
	{ "49-empty-lcores.conf",
	  "bad/49-empty-lcores.conf:3: eal.lcores: must not be empty" },
	{ "50-empty-ports.conf",
	  "bad/50-empty-ports.conf:10: ports: must not be empty" },
	{ "51-mbufs-too-few.conf",
	  "bad/51-mbufs-too-few.conf:7: dataplane.mbufs = 2047 is too few: the rings need "
	  "4608 (1536 RX descriptors + 2 port(s) x 1 worker(s) x 1024 TX descriptors + 1024 "
	  "headroom)" },
	{ "52-ipv6-mtu.conf",
	  "bad/52-ipv6-mtu.conf:25: ports[1].mtu: 1000 is too small for a port with IPv6 "
	  "addresses (at least 1280)" },
	{ "53-include-error.conf",
	  "bad/53-include-error.inc:17: ports[1].mtu: 9001 is out of range (576..9000)" },
	{ "54-include-syntax.conf",
	  "bad/54-include-syntax.inc:13: syntax error: syntax error" },
	{ "55-hex-wrap.conf",
	  "bad/55-hex-wrap.conf:4: eal.memory_mb: 4294967360 is out of range "
	  "(64..1048576)" },
	{ "56-float.conf",
	  "bad/56-float.conf:4: eal.memory_mb: expected an integer, got a float" },
	{ "57-unclosed-list.conf",
	  "bad/57-unclosed-list.conf:33: syntax error: syntax error" },
	{ "58-empty-queues.conf",
	  "bad/58-empty-queues.conf:32: workers[0].queues: must not be empty" },
	{ "59-duplicate-key.conf",
	  "bad/59-duplicate-key.conf:9: syntax error: duplicate setting name" },
	{ "60-neigh-pending.conf",
	  "bad/60-neigh-pending.conf:9: dataplane.neigh_pending: 64 is more than "
	  "dataplane.neigh_pending_total (32)" },
	{ "61-wrap32-lcore.conf",
	  "bad/61-wrap32-lcore.conf:3: eal.lcores[1]: 4294967297 is out of range "
	  "(0..1023)" },
	{ "62-via-own-address.conf",
	  "bad/62-via-own-address.conf:28: routes[0].via: next hop 198.51.100.1 is an "
	  "address of port 'lan' itself" },
	{ "63-too-many-extra-args.conf",
	  "bad/63-too-many-extra-args.conf:5: eal.extra_args: has 17 entries, at most 16 "
	  "are allowed" },
	{ "64-unknown-worker-key.conf",
	  "bad/64-unknown-worker-key.conf:33: unknown setting 'core' in workers[0] "
	  "(expected one of: lcore, queues)" },
	{ "65-port-not-group.conf",
	  "bad/65-port-not-group.conf:18: ports[1]: expected a group, got a string" },
	{ "66-via-with-len.conf",
	  "bad/66-via-with-len.conf:28: routes[0].via: '198.51.100.2/24' must be a plain "
	  "address, without /len" },
	{ "67-empty-device.conf",
	  "bad/67-empty-device.conf:20: ports[1].device: must not be empty" },
	{ "68-missing-lcores.conf",
	  "bad/68-missing-lcores.conf:2: eal: missing required setting 'lcores'" },
	{ "69-lcore-range.conf",
	  "bad/69-lcore-range.conf:3: eal.lcores[2]: 1024 is out of range (0..1023)" },
	{ "70-ipv4-loopback.conf",
	  "bad/70-ipv4-loopback.conf:15: ports[0].ipv4[0]: '127.0.0.1/8' is a loopback "
	  "address" },
	{ "71-include-directory.conf",
	  "bad/71-include-directory.conf:27: @include \".\": not a regular file" },
	{ "72-duplicate-device-name.conf",
	  "bad/72-duplicate-device-name.conf:20: ports[1].device: DPDK device name "
	  "'net_af_packet0' is already used by ports[0] ('client')" },
	{ "73-nested-include.conf",
	  "bad/73-nested-include.inc:3: @include \".\": not a regular file" },
	{ "74-neighbor-unknown-key.conf",
	  "bad/74-neighbor-unknown-key.conf:33: unknown setting 'addr' in neighbors[1] "
	  "(expected one of: port, address, mac)" },
	{ "75-neighbor-missing-mac.conf",
	  "bad/75-neighbor-missing-mac.conf:33: neighbors[1]: missing required setting "
	  "'mac'" },
	{ "76-neighbor-unknown-port.conf",
	  "bad/76-neighbor-unknown-port.conf:33: neighbors[1].port: unknown port 'wan'" },
	{ "77-neighbor-bad-address.conf",
	  "bad/77-neighbor-bad-address.conf:33: neighbors[1].address: '198.51.100.256' is "
	  "not an IP address" },
	{ "78-neighbor-outside-subnet.conf",
	  "bad/78-neighbor-outside-subnet.conf:33: neighbors[1].address: neighbor 192.0.2.2 "
	  "is not inside a subnet of port 'lan'" },
	{ "79-neighbor-own-address.conf",
	  "bad/79-neighbor-own-address.conf:33: neighbors[1].address: neighbor 2001:db8:2::1 "
	  "is an address of port 'lan' itself" },
	{ "80-neighbor-bad-mac.conf",
	  "bad/80-neighbor-bad-mac.conf:33: neighbors[1].mac: '2:0:0:0:0:3' is not a MAC "
	  "address (expected xx:xx:xx:xx:xx:xx, hex digits)" },
	{ "81-neighbor-multicast-mac.conf",
	  "bad/81-neighbor-multicast-mac.conf:33: neighbors[1].mac: '01:00:5E:00:00:03' is a "
	  "multicast MAC address" },
	{ "82-neighbor-zero-mac.conf",
	  "bad/82-neighbor-zero-mac.conf:33: neighbors[1].mac: '00:00:00:00:00:00' is the "
	  "all-zero MAC address" },
	{ "83-neighbor-duplicate.conf",
	  "bad/83-neighbor-duplicate.conf:34: neighbors[2].address: duplicate neighbor "
	  "2001:db8:2::2 on port 'lan' (also neighbors[0])" },
	{ "84-neighbor-with-len.conf",
	  "bad/84-neighbor-with-len.conf:32: neighbors[0].address: '198.51.100.2/24' must be "
	  "a plain address, without /len" },
	{ "85-neighbor-mac-separator.conf",
	  "bad/85-neighbor-mac-separator.conf:32: neighbors[0].mac: '02-00-00-00-00-02' is "
	  "not a MAC address (expected xx:xx:xx:xx:xx:xx, hex digits)" },
	{ "86-neighbor-broadcast-mac.conf",
	  "bad/86-neighbor-broadcast-mac.conf:32: neighbors[0].mac: 'ff:ff:ff:ff:ff:ff' is a "
	  "multicast MAC address" },
	{ "87-neighbors-not-list.conf",
	  "bad/87-neighbors-not-list.conf:31: neighbors: expected a list, got a group" },
	{ "88-neighbors-too-many.conf",
	  "bad/88-neighbors-too-many.conf:32: neighbors: has 65 entries, more than "
	  "dataplane.neigh_entries (64)" },
};

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void
run_bad_cases(const struct bad_case *cases, unsigned int n)
{
	char path[256];
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "bad/%s", cases[i].file);
		memset(err, 'x', sizeof(err));
		rc = cfg_load(path, &cfg, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, cases[i].expect);
		if (strcmp(err, cases[i].expect) != 0)
			fprintf(stderr, "\n%s:\n  got      %s\n  expected %s\n", path, err,
				cases[i].expect);
	}
}

static void
test_bad_files(void)
{
	run_bad_cases(bad_cases, N_BAD);
}

static void
test_bad_files_ipsec(void)
{
	run_bad_cases(ipsec_bad_cases, n_ipsec_bad_cases);
	CU_ASSERT_TRUE(n_ipsec_bad_cases >= 30);
}

static void
test_bad_files_ike(void)
{
	run_bad_cases(ike_bad_cases, n_ike_bad_cases);
	CU_ASSERT_TRUE(n_ike_bad_cases >= 40);
}

static void
test_bad_files_ha(void)
{
	run_bad_cases(ha_bad_cases, n_ha_bad_cases);
	CU_ASSERT_TRUE(n_ha_bad_cases >= 25);
}

static bool
listed_in(const struct bad_case *cases, unsigned int n, const char *file)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(cases[i].file, file) == 0)
			return true;
	return false;
}

/* Every .conf file in bad/ has a row in a table, so none is silently skipped. */
static void
test_bad_files_all_listed(void)
{
	DIR *d = opendir("bad");
	struct dirent *e;
	unsigned int n = 0;
	size_t len;
	bool listed;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		n++;
		listed = listed_in(bad_cases, N_BAD, e->d_name) ||
			 listed_in(ipsec_bad_cases, n_ipsec_bad_cases, e->d_name) ||
			 listed_in(ike_bad_cases, n_ike_bad_cases, e->d_name) ||
			 listed_in(ha_bad_cases, n_ha_bad_cases, e->d_name);
		CU_ASSERT_TRUE(listed);
		if (!listed)
			fprintf(stderr, "\nbad/%s has no expected message\n", e->d_name);
	}
	closedir(d);
	CU_ASSERT_EQUAL(n, N_BAD + n_ipsec_bad_cases + n_ike_bad_cases + n_ha_bad_cases);
	CU_ASSERT_TRUE(N_BAD >= 30);
}

/* ---- error handling ---- */

/* A failed load leaves *cfg exactly as it was. */
static void
test_nothing_half_applied(void)
{
	static struct cfg before;

	memset(&cfg, 0x5a, sizeof(cfg));
	memcpy(&before, &cfg, sizeof(cfg));
	CU_ASSERT_EQUAL(cfg_load("bad/51-mbufs-too-few.conf", &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
	CU_ASSERT_EQUAL(cfg_load("bad/43-queue-unpolled.conf", &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
}

static void
test_unreadable(void)
{
	char small[24];

	CU_ASSERT_EQUAL(cfg_load("good/no-such-file.conf", &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "good/no-such-file.conf: cannot read: No such file or "
			       "directory");
	CU_ASSERT_EQUAL(cfg_load("good", &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "good: cannot read: Is a directory");
	/* A short buffer gets a truncated, terminated message; no buffer is fine. */
	CU_ASSERT_EQUAL(cfg_load("bad/48-log-level.conf", &cfg, small, sizeof(small)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(small, "bad/48-log-level.conf:3");
	CU_ASSERT_EQUAL(cfg_load("bad/48-log-level.conf", &cfg, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(cfg_load(NULL, &cfg, err, sizeof(err)), -EINVAL);
}

/* ---- JSON, names, formatting ---- */

static const char minimal_json[] =
	"{\"eal\":{\"lcores\":[0],\"memory_mb\":512,\"hugepages\":false,\"pci\":false,"
	"\"file_prefix\":\"hagw\",\"extra_args\":[]},"
	"\"dataplane\":{\"mbufs\":8191,\"mbuf_cache\":256,\"rx_desc\":1024,\"tx_desc\":1024,"
	"\"burst\":32,\"punt_ring\":1024,\"idle_backoff_us\":0,\"neigh_entries\":4096,"
	"\"neigh_reachable_s\":30,\"neigh_pending\":8,\"neigh_pending_total\":1024,"
	"\"icmp_rate\":100,\"icmp_burst\":50},"
	"\"ports\":[{\"name\":\"only\",\"device\":\"net_null0\",\"role\":\"trusted\","
	"\"ipv4\":[],\"ipv6\":[],\"mtu\":1500,\"rx_queues\":1}],"
	"\"routes\":[],\"neighbors\":[],"
	"\"workers\":[{\"lcore\":0,\"queues\":[\"only:0\"]}],"
	"\"ipsec\":{\"default_policy\":\"bypass\",\"max_sas\":4096,\"max_policies\":1024,"
	"\"max_clients\":65536},\"sas\":[],\"policies\":[],"
	"\"cli\":{\"socket\":\"/run/hagw/hagw.sock\"},"
	"\"log\":{\"level\":\"info\",\"file\":\"\"}}";

static const char *
json_text(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_json_minimal(void)
{
	struct json_object *o;

	CU_ASSERT_EQUAL_FATAL(load("good/minimal.conf"), 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_STRING_EQUAL(json_text(o), minimal_json);
	json_object_put(o);
}

static const char full_routes_json[] =
	"[{\"prefix\":\"0.0.0.0/0\",\"via\":\"192.0.2.1\",\"port\":\"outside\"},"
	"{\"prefix\":\"198.51.100.128/25\",\"via\":\"198.51.100.2\",\"port\":\"inside\"},"
	"{\"prefix\":\"10.0.0.0/8\",\"port\":\"inside\"},"
	"{\"prefix\":\"::/0\",\"via\":\"2001:db8:1::1\",\"port\":\"outside\"},"
	"{\"prefix\":\"2001:db8:100::/40\",\"via\":\"2001:db8:2::2\",\"port\":\"inside\"}]";

static void
test_json_full(void)
{
	struct json_object *o, *v;

	CU_ASSERT_EQUAL_FATAL(load("good/full.conf"), 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "routes", &v));
	CU_ASSERT_STRING_EQUAL(json_text(v), full_routes_json);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "ports", &v));
	CU_ASSERT_STRING_EQUAL(json_text(json_object_array_get_idx(v, 1)),
			       "{\"name\":\"inside\",\"device\":\"0000:01:00.1\","
			       "\"role\":\"trusted\","
			       "\"ipv4\":[\"198.51.100.1/25\"],"
			       "\"ipv6\":[\"2001:db8:2::1/48\",\"2001:db8:3::1/127\"],"
			       "\"mtu\":1280,\"rx_queues\":3}");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "workers", &v));
	CU_ASSERT_STRING_EQUAL(json_text(v), "[{\"lcore\":5,\"queues\":[\"outside:0\","
			       "\"inside:0\",\"inside:2\",\"ha:0\"]},{\"lcore\":7,\"queues\":"
			       "[\"outside:1\",\"inside:1\"]}]");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "eal", &v));
	CU_ASSERT_STRING_EQUAL(json_text(v), "{\"lcores\":[2,5,7],\"memory_mb\":2048,"
			       "\"hugepages\":true,\"pci\":true,\"file_prefix\":\"gw-a_1\","
			       "\"extra_args\":[\"--log-level=pmd.net.af_packet:8\","
			       "\"--huge-dir=/mnt/huge\"]}");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "log", &v));
	CU_ASSERT_STRING_EQUAL(json_text(v),
			       "{\"level\":\"debug\",\"file\":\"/var/log/hagw.log\"}");
	json_object_put(o);
}

static void
test_json_neighbors(void)
{
	struct json_object *o, *v;

	CU_ASSERT_EQUAL_FATAL(load("good/neighbors.conf"), 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "neighbors", &v));
	CU_ASSERT_STRING_EQUAL(json_text(v), neighbors_json);
	json_object_put(o);
}

static void
test_names(void)
{
	enum cfg_log_level level = CFG_LOG_ERR;
	static const char *const levels[] = { "err", "warning", "notice", "info", "debug" };

	CU_ASSERT_STRING_EQUAL(cfg_role_name(CFG_ROLE_UNTRUSTED), "untrusted");
	CU_ASSERT_STRING_EQUAL(cfg_role_name(CFG_ROLE_TRUSTED), "trusted");
	CU_ASSERT_STRING_EQUAL(cfg_role_name(CFG_ROLE_SYNC), "sync");
	CU_ASSERT_STRING_EQUAL(cfg_role_name((enum cfg_port_role)7), "?");
	for (unsigned int i = 0; i < 5; i++) {
		CU_ASSERT_STRING_EQUAL(cfg_log_level_name((enum cfg_log_level)i), levels[i]);
		CU_ASSERT_EQUAL(cfg_log_level_parse(levels[i], &level), 0);
		CU_ASSERT_EQUAL(level, (enum cfg_log_level)i);
	}
	CU_ASSERT_STRING_EQUAL(cfg_log_level_name((enum cfg_log_level)5), "?");
	level = CFG_LOG_NOTICE;
	CU_ASSERT_EQUAL(cfg_log_level_parse("verbose", &level), -EINVAL);
	CU_ASSERT_EQUAL(cfg_log_level_parse("INFO", &level), -EINVAL);
	CU_ASSERT_EQUAL(cfg_log_level_parse("", &level), -EINVAL);
	CU_ASSERT_EQUAL(cfg_log_level_parse(NULL, &level), -EINVAL);
	CU_ASSERT_EQUAL(level, CFG_LOG_NOTICE);
}

static void
test_prefix_format(void)
{
	struct cfg_prefix v4 = { .family = AF_INET, .len = 24, .addr.v4 = { 192, 0, 2, 1 } };
	struct cfg_prefix v6 = { .family = AF_INET6, .len = 64,
				 .addr.v6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct cfg_prefix bad = { .family = 99 };
	char buf[64], tiny[8];

	cfg_prefix_format(&v4, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1/24");
	cfg_prefix_format(&v4, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1");
	cfg_prefix_format(&v6, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1/64");
	cfg_prefix_format(&v6, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1");
	cfg_prefix_format(&bad, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "?");
	cfg_prefix_format(&v4, false, tiny, sizeof(tiny));
	CU_ASSERT_STRING_EQUAL(tiny, "192.0.2");
}

int
main(void)
{
	static const struct named_test tests[] = {
		{ "full file: eal", test_full_eal },
		{ "full file: dataplane", test_full_dataplane },
		{ "full file: ports", test_full_ports },
		{ "full file: routes", test_full_routes },
		{ "full file: workers, cli, log", test_full_workers },
		{ "minimal file: defaults", test_minimal_defaults },
		{ "round robin, 2 lcores", test_round_robin_2 },
		{ "round robin, 3 lcores", test_round_robin_3 },
		{ "@include", test_include },
		{ "static neighbours", test_neighbors },
		{ "integer literals", test_literals },
		{ "example files", test_examples },
		{ "bad files", test_bad_files },
		{ "bad files: ipsec", test_bad_files_ipsec },
		{ "bad files: ike", test_bad_files_ike },
		{ "bad files: ha", test_bad_files_ha },
		{ "every bad file listed", test_bad_files_all_listed },
		{ "nothing half-applied", test_nothing_half_applied },
		{ "unreadable file, short buffers", test_unreadable },
		{ "json: minimal", test_json_minimal },
		{ "json: full", test_json_full },
		{ "json: neighbours", test_json_neighbors },
		{ "names", test_names },
		{ "prefix format", test_prefix_format },
	};
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("config", NULL, NULL);
	for (unsigned int i = 0; suite != NULL && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	for (unsigned int i = 0; suite != NULL && i < n_ipsec_tests; i++)
		CU_add_test(suite, ipsec_tests[i].name, ipsec_tests[i].fn);
	for (unsigned int i = 0; suite != NULL && i < n_ike_tests; i++)
		CU_add_test(suite, ike_tests[i].name, ike_tests[i].fn);
	for (unsigned int i = 0; suite != NULL && i < n_ike_file_tests; i++)
		CU_add_test(suite, ike_file_tests[i].name, ike_file_tests[i].fn);
	for (unsigned int i = 0; suite != NULL && i < n_ha_tests; i++)
		CU_add_test(suite, ha_tests[i].name, ha_tests[i].fn);
	return cu_run_registered();
}
