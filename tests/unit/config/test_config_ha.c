/*
 * Unit tests of the ha section of the configuration (config/cfg_ha*.c):
 * good/ha.conf (every setting away from its default) and
 * good/ha-defaults.conf (the required settings only) loaded from the
 * private directory of test_config_ike.c with a psk_file of mode 0600 and
 * checked field by field, then as JSON; a file without the section; the
 * psk_file rules (mode, kind, absolute and relative names, checked last);
 * the commented HA example of config/hagw.example.conf. The bad files
 * (300 on) are listed here and run by test_config.c.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg.h"
#include "test_config.h"

#ifndef CFG_EXAMPLE_DIR
#define CFG_EXAMPLE_DIR "../../../config"
#endif

enum {
	FILE_MAX = 65536,
	JSON_MAX = 4096,
	PATH_MAX_LEN = 256,
};

static struct cfg cfg;
static char err[CFG_ERR_LEN];
static char text[FILE_MAX];

/* 64 hex digits: what ha_chan_load_psk reads (not read by config/). */
static const char psk_text[] =
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

const struct bad_case ha_bad_cases[] = {
	{ "300-ha-unknown-key.conf",
	  "bad/300-ha-unknown-key.conf:34: unknown setting 'nodeid' in ha (expected one of: "
	  "node_id, peer_node_id, priority, preempt, psk_file, port, interval_ms, "
	  "dead_count, sync_interval_ms, margin_floor, margin_safety, rekey_after_takeover, "
	  "rekey_spread_s, sync, links, vips, vmac)" },
	{ "301-ha-not-group.conf",
	  "bad/301-ha-not-group.conf:26: ha: expected a group, got a list" },
	{ "302-ha-missing-node-id.conf",
	  "bad/302-ha-missing-node-id.conf:26: ha: missing required setting 'node_id'" },
	{ "303-ha-node-id-range.conf",
	  "bad/303-ha-node-id-range.conf:27: ha.node_id: 0 is out of range (1..65535)" },
	{ "304-ha-node-id-wrap.conf",
	  "bad/304-ha-node-id-wrap.conf:27: ha.node_id: 4294967297 is out of range "
	  "(1..65535)" },
	{ "305-ha-node-ids-equal.conf",
	  "bad/305-ha-node-ids-equal.conf:28: ha.peer_node_id: 1 is also node_id (the peer "
	  "needs an id of its own)" },
	{ "306-ha-node-bit.conf",
	  "bad/306-ha-node-bit.conf:28: ha.peer_node_id: node_id and peer_node_id must "
	  "differ in their lowest bit (IV node bit): they are 1 and 3" },
	{ "307-ha-priority-range.conf",
	  "bad/307-ha-priority-range.conf:34: ha.priority: 0 is out of range (1..255)" },
	{ "308-ha-interval-range.conf",
	  "bad/308-ha-interval-range.conf:34: ha.interval_ms: 4 is out of range (5..1000)" },
	{ "309-ha-dead-count-range.conf",
	  "bad/309-ha-dead-count-range.conf:34: ha.dead_count: 51 is out of range (2..50)" },
	{ "310-ha-sync-interval-range.conf",
	  "bad/310-ha-sync-interval-range.conf:34: ha.sync_interval_ms: 9 is out of range "
	  "(10..1000)" },
	{ "311-ha-margin-floor-range.conf",
	  "bad/311-ha-margin-floor-range.conf:34: ha.margin_floor: 63 is out of range "
	  "(64..1073741824)" },
	{ "312-ha-margin-safety-range.conf",
	  "bad/312-ha-margin-safety-range.conf:34: ha.margin_safety: 17 is out of range "
	  "(1..16)" },
	{ "313-ha-rekey-spread-range.conf",
	  "bad/313-ha-rekey-spread-range.conf:34: ha.rekey_spread_s: 0 is out of range "
	  "(1..3600)" },
	{ "314-ha-preempt-type.conf",
	  "bad/314-ha-preempt-type.conf:34: ha.preempt: expected a boolean, got a string" },
	{ "315-ha-port-ike.conf",
	  "bad/315-ha-port-ike.conf:36: ha.port: 500 is also ike.port (HA needs a UDP port "
	  "of its own)" },
	{ "316-ha-port-natt.conf",
	  "bad/316-ha-port-natt.conf:36: ha.port: 4500 is also ike.natt_port (HA needs a "
	  "UDP port of its own)" },
	{ "317-ha-port-default-ike.conf",
	  "bad/317-ha-port-default-ike.conf:29: ha: port 7600 (the default) is also "
	  "ike.port (HA needs a UDP port of its own)" },
	{ "318-ha-missing-psk-file.conf",
	  "bad/318-ha-missing-psk-file.conf:26: ha: missing required setting 'psk_file'" },
	{ "319-ha-psk-file-empty.conf",
	  "bad/319-ha-psk-file-empty.conf:29: ha.psk_file: must not be empty" },
	{ "320-ha-psk-not-found.conf",
	  "bad/320-ha-psk-not-found.conf:29: ha.psk_file: cannot open psk file "
	  "bad/ha/none.key: No such file or directory" },
	{ "321-ha-psk-directory.conf",
	  "bad/321-ha-psk-directory.conf:29: ha.psk_file: psk file bad/. is not a regular "
	  "file" },
	{ "322-ha-missing-sync.conf",
	  "bad/322-ha-missing-sync.conf:26: ha: missing required setting 'sync'" },
	{ "323-ha-sync-not-sync-port.conf",
	  "bad/323-ha-sync-not-sync-port.conf:30: ha.sync.port: port 'trusted0' is trusted, "
	  "not sync (the sync link needs the port of role sync)" },
	{ "324-ha-sync-unknown-port.conf",
	  "bad/324-ha-sync-unknown-port.conf:30: ha.sync.port: unknown port 'sync1'" },
	{ "325-ha-sync-unknown-key.conf",
	  "bad/325-ha-sync-unknown-key.conf:30: unknown setting 'mtu' in ha.sync (expected "
	  "one of: port, local, peer)" },
	{ "326-ha-sync-local-not-ours.conf",
	  "bad/326-ha-sync-local-not-ours.conf:30: ha.sync.local: 169.254.77.9 is not an "
	  "address of port 'sync0' (local is our own address on the link)" },
	{ "327-ha-link-local-other-port.conf",
	  "bad/327-ha-link-local-other-port.conf:31: ha.links[0].local: 10.1.0.2 is an "
	  "address of port 'trusted0', not of 'untrusted0'" },
	{ "328-ha-link-peer-outside-subnet.conf",
	  "bad/328-ha-link-peer-outside-subnet.conf:31: ha.links[0].peer: peer 192.0.3.3 is "
	  "not in the subnet of local (192.0.2.2/24)" },
	{ "329-ha-link-peer-family.conf",
	  "bad/329-ha-link-peer-family.conf:31: ha.links[0].peer: peer 2001:db8:1::3 is "
	  "IPv6 but local 192.0.2.2 is IPv4" },
	{ "330-ha-link-peer-ours.conf",
	  "bad/330-ha-link-peer-ours.conf:31: ha.links[0].peer: peer 192.0.2.2 is an "
	  "address of port 'untrusted0' (the peer cannot be hagw itself)" },
	{ "331-ha-link-peer-broadcast.conf",
	  "bad/331-ha-link-peer-broadcast.conf:31: ha.links[0].peer: peer 192.0.2.255 is "
	  "the broadcast address of its subnet" },
	{ "332-ha-link-sync-port.conf",
	  "bad/332-ha-link-sync-port.conf:31: ha.links[0].port: port 'sync0' is the sync "
	  "port (ha.sync; data links are on the other ports)" },
	{ "333-ha-link-port-twice.conf",
	  "bad/333-ha-link-port-twice.conf:32: ha.links[1].port: port 'untrusted0' already "
	  "has a link (ha.links[0])" },
	{ "334-ha-links-too-many.conf",
	  "bad/334-ha-links-too-many.conf:31: ha.links: has 4 entries, at most 3 are "
	  "allowed" },
	{ "335-ha-link-missing-peer.conf",
	  "bad/335-ha-link-missing-peer.conf:31: ha.links[0]: missing required setting "
	  "'peer'" },
	{ "336-ha-link-peer-with-len.conf",
	  "bad/336-ha-link-peer-with-len.conf:31: ha.links[0].peer: '192.0.2.3/24' must be "
	  "a plain address, without /len" },
	{ "337-ha-vips-empty.conf",
	  "bad/337-ha-vips-empty.conf:32: ha.vips: must not be empty" },
	{ "338-ha-vips-missing.conf",
	  "bad/338-ha-vips-missing.conf:26: ha: missing required setting 'vips'" },
	{ "339-ha-vips-too-many.conf",
	  "bad/339-ha-vips-too-many.conf:32: ha.vips: has 9 entries, at most 8 are allowed" },
	{ "340-ha-vip-port-address.conf",
	  "bad/340-ha-vip-port-address.conf:32: ha.vips[0].address: VIP 192.0.2.2 is an "
	  "address of port 'untrusted0' (a VIP is an extra address, not a port's own)" },
	{ "341-ha-vip-other-port-address.conf",
	  "bad/341-ha-vip-other-port-address.conf:32: ha.vips[0].address: VIP 10.1.0.2 is "
	  "an address of port 'trusted0' (a VIP is an extra address, not a port's own)" },
	{ "342-ha-vip-outside-subnet.conf",
	  "bad/342-ha-vip-outside-subnet.conf:32: ha.vips[0].address: VIP 198.51.100.1 is "
	  "not inside a subnet of port 'untrusted0'" },
	{ "343-ha-vip-no-ipv6.conf",
	  "bad/343-ha-vip-no-ipv6.conf:32: ha.vips[0].address: VIP 2001:db8:2::1 is not "
	  "inside a subnet of port 'trusted0' (it has no IPv6 address)" },
	{ "344-ha-vip-duplicate.conf",
	  "bad/344-ha-vip-duplicate.conf:34: ha.vips[2].address: VIP 192.0.2.1 is listed "
	  "twice (also ha.vips[0])" },
	{ "345-ha-vip-peer.conf",
	  "bad/345-ha-vip-peer.conf:33: ha.vips[1].address: VIP 192.0.2.3 is the peer's "
	  "address (ha.links[0].peer)" },
	{ "346-ha-vip-sync-port.conf",
	  "bad/346-ha-vip-sync-port.conf:32: ha.vips[0].port: port 'sync0' is the sync port "
	  "(VIPs are on the other ports)" },
	{ "347-ha-vip-network-address.conf",
	  "bad/347-ha-vip-network-address.conf:32: ha.vips[0].address: VIP 192.0.2.0 is the "
	  "network address of its subnet" },
	{ "348-ha-vip-unknown-key.conf",
	  "bad/348-ha-vip-unknown-key.conf:32: unknown setting 'mac' in ha.vips[0] "
	  "(expected one of: port, address)" },
	{ "349-ha-vmac-multicast.conf",
	  "bad/349-ha-vmac-multicast.conf:33: ha.vmac: '03:00:5e:00:01:01' is a multicast "
	  "MAC address (a virtual MAC must be unicast)" },
	{ "350-ha-vmac-universal.conf",
	  "bad/350-ha-vmac-universal.conf:33: ha.vmac: '00:00:5e:00:01:01' is not a locally "
	  "administered MAC address (bit 0x02 of the first octet must be set, e.g. "
	  "02:00:5e:00:01:01)" },
	{ "351-ha-vmac-syntax.conf",
	  "bad/351-ha-vmac-syntax.conf:33: ha.vmac: '02-00-5e-00-01-01' is not a MAC "
	  "address (expected xx:xx:xx:xx:xx:xx, hex digits)" },
	{ "352-ha-vmac-type.conf",
	  "bad/352-ha-vmac-type.conf:33: ha.vmac: expected a string, got an integer" },
	{ "353-ha-vip-not-address.conf",
	  "bad/353-ha-vip-not-address.conf:32: ha.vips[0].address: 'gw.example.org' is not "
	  "an IP address" },
	{ "354-ha-sync-peer-family.conf",
	  "bad/354-ha-sync-peer-family.conf:30: ha.sync.peer: peer fe80::2 is IPv6 but "
	  "local 169.254.77.1 is IPv4" },
	{ "355-ha-missing-vmac.conf",
	  "bad/355-ha-missing-vmac.conf:26: ha: missing required setting 'vmac'" },
	{ "356-ha-vip-in-pool.conf",
	  "bad/356-ha-vip-in-pool.conf:36: ha.vips[1].address: VIP 192.0.2.200 is in IKE "
	  "pool 'clients' (ike.pools[0])" },
};

const unsigned int n_ha_bad_cases = sizeof(ha_bad_cases) / sizeof(ha_bad_cases[0]);

static void
check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got      %s\n  expected %s\n", got, want);
}

static void
check_addr(const struct cfg_prefix *p, int family, const char *want)
{
	char buf[64];

	cfg_prefix_format(p, false, buf, sizeof(buf));
	CU_ASSERT_EQUAL(p->family, family);
	check_text(buf, want);
}

static void
check_link(const struct cfg_ha_link *l, unsigned int port, int family, const char *local,
	   const char *peer, int line)
{
	CU_ASSERT_EQUAL(l->port, port);
	check_addr(&l->local, family, local);
	check_addr(&l->peer, family, peer);
	CU_ASSERT_EQUAL(l->line, line);
}

static void
check_vip(const struct cfg_ha_vip *v, unsigned int port, int family, const char *addr,
	  int line)
{
	CU_ASSERT_EQUAL(v->port, port);
	check_addr(&v->address, family, addr);
	CU_ASSERT_EQUAL(v->line, line);
}

/* Reads FILE (NUL-terminated) into text. */
static int
read_text(const char *file)
{
	FILE *f = fopen(file, "r");
	size_t len;

	if (f == NULL)
		return -errno;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	return 0;
}

/* Replaces the first FROM in text by TO. */
static int
replace(const char *from, const char *to)
{
	char *p = strstr(text, from);
	size_t from_len = strlen(from), to_len = strlen(to);

	if (p == NULL || strlen(text) - from_len + to_len >= sizeof(text))
		return -ENOENT;
	memmove(p + to_len, p + from_len, strlen(p + from_len) + 1);
	memcpy(p, to, to_len);
	return 0;
}

/* text as NAME and the psk file ha.key (MODE) in the private directory. */
static int
write_tmp(const char *name, unsigned int mode)
{
	int rc = ike_tmp_write(name, text, strlen(text), 0644);

	return rc < 0 ? rc : ike_tmp_write("ha.key", psk_text, strlen(psk_text), mode);
}

/* good/NAME (after replacing FROM by TO, if FROM) loaded from the private directory. */
static int
load_good(const char *name, const char *from, const char *to, unsigned int psk_mode)
{
	char src[PATH_MAX_LEN];
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	snprintf(src, sizeof(src), "good/%s", name);
	rc = ike_tmp_setup();
	if (rc == 0)
		rc = read_text(src);
	if (rc == 0 && from != NULL)
		rc = replace(from, to);
	if (rc == 0)
		rc = write_tmp(name, psk_mode);
	if (rc == 0)
		rc = cfg_load(ike_tmp_path(name), &cfg, err, sizeof(err));
	return rc;
}

static void
test_ha_every_setting(void)
{
	static const uint8_t vmac[CFG_MAC_LEN] = { 0x0a, 0x00, 0x5e, 0x00, 0x01, 0xff };
	const struct cfg_ha *h = &cfg.ha;
	int rc = load_good("ha.conf", NULL, NULL, 0600);

	if (rc != 0)
		fprintf(stderr, "\nha.conf: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(h->enabled);
	CU_ASSERT_EQUAL(h->node_id, 65534);
	CU_ASSERT_EQUAL(h->peer_node_id, 65535);
	CU_ASSERT_EQUAL(h->priority, 255);
	CU_ASSERT_TRUE(h->preempt);
	check_text(h->psk_file, ike_tmp_path("ha.key"));
	CU_ASSERT_EQUAL(h->port, 7700);
	CU_ASSERT_EQUAL(h->interval_ms, 5);
	CU_ASSERT_EQUAL(h->dead_count, 50);
	CU_ASSERT_EQUAL(h->sync_interval_ms, 1000);
	CU_ASSERT_EQUAL(h->margin_floor, 1073741824u);
	CU_ASSERT_EQUAL(h->margin_safety, 16);
	CU_ASSERT_TRUE(h->rekey_after_takeover);
	CU_ASSERT_EQUAL(h->rekey_spread_s, 3600);
	check_link(&h->sync, 2, AF_INET, "169.254.77.2/32", "169.254.77.1/32", 52);
	CU_ASSERT_EQUAL_FATAL(h->n_links, 3);
	check_link(&h->links[0], 0, AF_INET, "192.0.2.2/32", "192.0.2.254/32", 54);
	check_link(&h->links[1], 3, AF_INET6, "fd00:10::20/128", "fd00:10::21/128", 55);
	check_link(&h->links[2], 1, AF_INET, "10.1.0.2/32", "10.1.0.3/32", 56);
	CU_ASSERT_EQUAL_FATAL(h->n_vips, 4);
	check_vip(&h->vips[0], 0, AF_INET, "192.0.2.1/32", 59);
	check_vip(&h->vips[1], 0, AF_INET6, "2001:db8:1::1/128", 60);
	check_vip(&h->vips[2], 1, AF_INET, "10.1.0.1/32", 61);
	check_vip(&h->vips[3], 3, AF_INET6, "fd00:10::1/128", 62);
	CU_ASSERT_EQUAL(memcmp(h->vmac, vmac, sizeof(vmac)), 0);
	CU_ASSERT_EQUAL(h->line, 38);
	CU_ASSERT_TRUE(cfg.ike.enabled);
	ike_tmp_cleanup();
}

static void
test_ha_defaults(void)
{
	static const uint8_t vmac[CFG_MAC_LEN] = { 0x02 };
	const struct cfg_ha *h = &cfg.ha;
	int rc = load_good("ha-defaults.conf", NULL, NULL, 0400);

	if (rc != 0)
		fprintf(stderr, "\nha-defaults.conf: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(h->enabled);
	CU_ASSERT_EQUAL(h->node_id, 2);
	CU_ASSERT_EQUAL(h->peer_node_id, 1);
	CU_ASSERT_EQUAL(h->priority, 100);
	CU_ASSERT_FALSE(h->preempt);
	check_text(h->psk_file, ike_tmp_path("ha.key"));
	CU_ASSERT_EQUAL(h->port, 7600);
	CU_ASSERT_EQUAL(h->interval_ms, 25);
	CU_ASSERT_EQUAL(h->dead_count, 4);
	CU_ASSERT_EQUAL(h->sync_interval_ms, 50);
	CU_ASSERT_EQUAL(h->margin_floor, 1024);
	CU_ASSERT_EQUAL(h->margin_safety, 2);
	CU_ASSERT_FALSE(h->rekey_after_takeover);
	CU_ASSERT_EQUAL(h->rekey_spread_s, 10);
	check_link(&h->sync, 1, AF_INET6, "fd00:77::1/128", "fd00:77::2/128", 24);
	CU_ASSERT_EQUAL(h->n_links, 0);
	CU_ASSERT_EQUAL_FATAL(h->n_vips, 1);
	check_vip(&h->vips[0], 0, AF_INET, "192.0.2.1/32", 25);
	CU_ASSERT_EQUAL(memcmp(h->vmac, vmac, sizeof(vmac)), 0);
	CU_ASSERT_EQUAL(h->line, 20);
	CU_ASSERT_FALSE(cfg.ike.enabled);
	ike_tmp_cleanup();
}

/* Without an ike section no UDP port is IKE's: ha.port may be 500. */
static void
test_ha_port_without_ike(void)
{
	int rc = load_good("ha-defaults.conf", "vmac =", "port = 500;\n\tvmac =", 0600);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(cfg.ha.port, 500);
	CU_ASSERT_FALSE(cfg.ike.enabled);
	ike_tmp_cleanup();
}

/* No ha section: disabled, all zero, no "ha" in the JSON. */
static void
test_ha_absent(void)
{
	static const struct cfg_ha zero;
	struct json_object *o, *v;

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(cfg_load("good/minimal.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(cfg.ha.enabled);
	CU_ASSERT_EQUAL(memcmp(&cfg.ha, &zero, sizeof(zero)), 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_FALSE(json_object_object_get_ex(o, "ha", &v));
	json_object_put(o);
}

static const char ha_json_fmt[] =
	"{\"node_id\":65534,\"peer_node_id\":65535,\"priority\":255,\"preempt\":true,"
	"\"psk_file\":\"%s\",\"port\":7700,\"interval_ms\":5,\"dead_count\":50,"
	"\"sync_interval_ms\":1000,\"margin_floor\":1073741824,\"margin_safety\":16,"
	"\"rekey_after_takeover\":true,\"rekey_spread_s\":3600,"
	"\"sync\":{\"port\":\"sync0\",\"local\":\"169.254.77.2\",\"peer\":\"169.254.77.1\"},"
	"\"links\":[{\"port\":\"untrusted0\",\"local\":\"192.0.2.2\",\"peer\":\"192.0.2.254\"},"
	"{\"port\":\"trusted1\",\"local\":\"fd00:10::20\",\"peer\":\"fd00:10::21\"},"
	"{\"port\":\"trusted0\",\"local\":\"10.1.0.2\",\"peer\":\"10.1.0.3\"}],"
	"\"vips\":[{\"port\":\"untrusted0\",\"address\":\"192.0.2.1\"},"
	"{\"port\":\"untrusted0\",\"address\":\"2001:db8:1::1\"},"
	"{\"port\":\"trusted0\",\"address\":\"10.1.0.1\"},"
	"{\"port\":\"trusted1\",\"address\":\"fd00:10::1\"}],"
	"\"vmac\":\"0a:00:5e:00:01:ff\"}";

static const char ha_defaults_json_fmt[] =
	"{\"node_id\":2,\"peer_node_id\":1,\"priority\":100,\"preempt\":false,"
	"\"psk_file\":\"%s\",\"port\":7600,\"interval_ms\":25,\"dead_count\":4,"
	"\"sync_interval_ms\":50,\"margin_floor\":1024,\"margin_safety\":2,"
	"\"rekey_after_takeover\":false,\"rekey_spread_s\":10,"
	"\"sync\":{\"port\":\"sync\",\"local\":\"fd00:77::1\",\"peer\":\"fd00:77::2\"},"
	"\"links\":[],\"vips\":[{\"port\":\"outside\",\"address\":\"192.0.2.1\"}],"
	"\"vmac\":\"02:00:00:00:00:00\"}";

/* The "ha" object of cfg's JSON against FMT with the psk_file path filled in. */
static void
check_json(const char *fmt)
{
	char want[JSON_MAX];
	struct json_object *o, *v;

	snprintf(want, sizeof(want), fmt, ike_tmp_path("ha.key"));
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "ha", &v));
	check_text(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE), want);
	json_object_put(o);
}

static void
test_ha_json(void)
{
	CU_ASSERT_EQUAL_FATAL(load_good("ha.conf", NULL, NULL, 0600), 0);
	check_json(ha_json_fmt);
	ike_tmp_cleanup();
	CU_ASSERT_EQUAL_FATAL(load_good("ha-defaults.conf", NULL, NULL, 0600), 0);
	check_json(ha_defaults_json_fmt);
	ike_tmp_cleanup();
}

/* "DIR/NAME:LINE: ha.psk_file: " + printf(fmt, DIR) */
static void
expect_psk_error(int rc, const char *name, unsigned int line, const char *fmt)
{
	char want[2 * CFG_ERR_LEN], rest[CFG_ERR_LEN];

	snprintf(rest, sizeof(rest), fmt, ike_tmp_dir());
	snprintf(want, sizeof(want), "%s/%s:%u: ha.psk_file: %s", ike_tmp_dir(), name, line,
		 rest);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	check_text(err, want);
}

static void
test_ha_psk_mode(void)
{
	static const struct { unsigned int mode; bool ok; } modes[] = {
		{ 0600, true }, { 0400, true }, { 0700, true }, { 0200, true },
		{ 0640, false }, { 0604, false }, { 0620, false }, { 0602, false },
		{ 0610, false }, { 0601, false }, { 0644, false }, { 0666, false },
	};
	char fmt[CFG_ERR_LEN];
	int rc;

	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		rc = load_good("ha-defaults.conf", NULL, NULL, modes[i].mode);
		if (modes[i].ok) {
			CU_ASSERT_EQUAL(rc, 0);
		} else {
			snprintf(fmt, sizeof(fmt), "psk file %%s/ha.key is accessible by group or "
				 "others (mode %04o; chmod 600)", modes[i].mode);
			expect_psk_error(rc, "ha-defaults.conf", 23, fmt);
		}
		ike_tmp_cleanup();
	}
}

static void
test_ha_psk_names(void)
{
	char abs_name[PATH_MAX_LEN];
	int rc;

	/* An absolute name is taken as it is. */
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	snprintf(abs_name, sizeof(abs_name), "psk_file = \"%s/ike/../ha.key\";", ike_tmp_dir());
	CU_ASSERT_EQUAL_FATAL(read_text("good/ha-defaults.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(replace("psk_file = \"ha.key\";", abs_name), 0);
	CU_ASSERT_EQUAL_FATAL(write_tmp("abs.conf", 0600), 0);
	CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("abs.conf"), &cfg, err, sizeof(err)), 0);
	snprintf(abs_name, sizeof(abs_name), "%s/ike/../ha.key", ike_tmp_dir());
	check_text(cfg.ha.psk_file, abs_name);
	ike_tmp_cleanup();
	/* Missing, a directory. */
	rc = load_good("ha-defaults.conf", "\"ha.key\"", "\"none.key\"", 0600);
	expect_psk_error(rc, "ha-defaults.conf", 23, "cannot open psk file %s/none.key: No such "
			 "file or directory");
	ike_tmp_cleanup();
	rc = load_good("ha-defaults.conf", "\"ha.key\"", "\"ike\"", 0600);
	expect_psk_error(rc, "ha-defaults.conf", 23, "psk file %s/ike is not a regular file");
	ike_tmp_cleanup();
	/* Any other error wins over the mode (a psk_file checked out 0644). */
	rc = load_good("ha-defaults.conf", "node_id = 2;", "node_id = 3;", 0644);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	snprintf(abs_name, sizeof(abs_name), "%s/ha-defaults.conf:22: ha.peer_node_id: "
		 "node_id and peer_node_id must differ in their lowest bit (IV node bit): "
		 "they are 3 and 1", ike_tmp_dir());
	check_text(err, abs_name);
	ike_tmp_cleanup();
}

/* A failed load leaves *cfg as it was, even when only the psk_file (checked last) is wrong. */
static void
test_ha_nothing_half_applied(void)
{
	static struct cfg before;

	CU_ASSERT_EQUAL_FATAL(load_good("ha.conf", NULL, NULL, 0600), 0);
	memcpy(&before, &cfg, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ha.key", psk_text, strlen(psk_text), 0660), 0);
	CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("ha.conf"), &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
	CU_ASSERT_EQUAL(cfg_load("bad/345-ha-vip-peer.conf", &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
	ike_tmp_cleanup();
}

/* ---- the commented HA example of config/hagw.example.conf ---- */

static const char example_begin[] = "# BEGIN HA example";
static const char example_end[] = "# END HA example";

/* Removes the first '#' of each line between the markers. */
static int
uncomment_example(void)
{
	char *begin = strstr(text, example_begin), *end = strstr(text, example_end), *p, *w;

	if (begin == NULL || end == NULL || end < begin)
		return -ENOENT;
	p = strchr(begin, '\n');
	w = p;
	while (p != NULL && p < end) {
		*w++ = *p++;
		if (*p == '#' && p < end)
			p++;
		while (p < end && *p != '\n')
			*w++ = *p++;
	}
	memmove(w, end, strlen(end) + 1);
	return 0;
}

static void
test_ha_example(void)
{
	static const uint8_t vmac[CFG_MAC_LEN] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0x01 };
	const struct cfg_ha *h = &cfg.ha;

	CU_ASSERT_EQUAL_FATAL(read_text(CFG_EXAMPLE_DIR "/hagw.example.conf"), 0);
	CU_ASSERT_EQUAL_FATAL(uncomment_example(), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(write_tmp("example.conf", 0600), 0);
	CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("example.conf"), &cfg, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "\nexample: %s\n", err);
	CU_ASSERT_TRUE(h->enabled);
	CU_ASSERT_EQUAL(h->node_id, 1);
	CU_ASSERT_EQUAL(h->peer_node_id, 2);
	CU_ASSERT_EQUAL(h->priority, 200);
	CU_ASSERT_EQUAL(h->port, 7600);
	check_link(&h->sync, 2, AF_INET, "203.0.113.1/32", "203.0.113.2/32", h->sync.line);
	CU_ASSERT_EQUAL(h->n_links, 2);
	CU_ASSERT_EQUAL_FATAL(h->n_vips, 3);
	check_vip(&h->vips[1], 0, AF_INET6, "2001:db8:1::10/128", h->vips[1].line);
	CU_ASSERT_EQUAL(memcmp(h->vmac, vmac, sizeof(vmac)), 0);
	ike_tmp_cleanup();
	/* As shipped (commented out): no HA. */
	CU_ASSERT_EQUAL(cfg_load(CFG_EXAMPLE_DIR "/hagw.example.conf", &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_FALSE(cfg.ha.enabled);
}

const struct named_test ha_tests[] = {
	{ "ha: every setting", test_ha_every_setting },
	{ "ha: defaults", test_ha_defaults },
	{ "ha: port without ike", test_ha_port_without_ike },
	{ "ha: absent", test_ha_absent },
	{ "ha: json", test_ha_json },
	{ "ha: psk file mode", test_ha_psk_mode },
	{ "ha: psk file names, checked last", test_ha_psk_names },
	{ "ha: nothing half-applied", test_ha_nothing_half_applied },
	{ "ha: example file", test_ha_example },
};

const unsigned int n_ha_tests = sizeof(ha_tests) / sizeof(ha_tests[0]);
