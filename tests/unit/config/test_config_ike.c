/*
 * Unit tests of the ike section of the configuration (config/cfg_ike*.c):
 * good/ike.conf (every setting, pools of both kinds, text and hex secrets,
 * PSK and certificate connections, a connection of defaults) loaded from a
 * private copy and checked field by field, then as JSON; the defaults of
 * an empty ike section; a file without one. Secret files, modes, wiping
 * and the example: test_config_ike_files.c; bad files:
 * test_config_ike_bad.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"
#include "ike/ike_const.h"
#include "ike/ike_proposal.h"
#include "test_config.h"

enum {
	MAX_TMP_FILES = 16,
	TMP_DIR_LEN = 40,
	TMP_PATH_LEN = 160,
	FILE_MAX = 65536,
	JSON_MAX = 16384,
};

static struct cfg cfg;
static char err[CFG_ERR_LEN];
static char tmp_dir[TMP_DIR_LEN];
static char tmp_files[MAX_TMP_FILES][TMP_PATH_LEN];
static unsigned int n_tmp_files;

/* ---- the private directory ---- */

const char *
ike_tmp_dir(void)
{
	return tmp_dir;
}

const char *
ike_tmp_path(const char *name)
{
	static char path[TMP_PATH_LEN];

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	return path;
}

int
ike_tmp_write(const char *name, const void *data, size_t len, unsigned int mode)
{
	char path[TMP_PATH_LEN];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (fchmod(fd, (mode_t)mode) < 0 || n != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	for (unsigned int i = 0; i < n_tmp_files; i++)
		if (strcmp(tmp_files[i], path) == 0)
			return close(fd) < 0 ? -errno : 0;
	if (n_tmp_files < MAX_TMP_FILES)
		snprintf(tmp_files[n_tmp_files++], TMP_PATH_LEN, "%s", path);
	return close(fd) < 0 ? -errno : 0;
}

static int
copy_good(const char *name, mode_t mode)
{
	static char text[FILE_MAX];
	char src[TMP_PATH_LEN];
	size_t len;
	FILE *f;

	snprintf(src, sizeof(src), "good/%s", name);
	f = fopen(src, "r");
	if (f == NULL)
		return -errno;
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	return ike_tmp_write(name, text, len, mode);
}

int
ike_tmp_setup(void)
{
	static const struct { const char *name; mode_t mode; } files[] = {
		{ "ike.conf", 0644 }, { "ike/rw.psk", 0600 }, { "ike/site.psk", 0600 },
		{ "ike/gw.pem", 0644 }, { "ike/gw.key", 0600 }, { "ike/ca.pem", 0644 },
	};
	int rc;

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_config_ike.XXXXXX");
	if (mkdtemp(tmp_dir) == NULL || mkdir(ike_tmp_path("ike"), 0700) < 0)
		return -errno;
	for (unsigned int i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rc = copy_good(files[i].name, files[i].mode);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
ike_tmp_cleanup(void)
{
	for (unsigned int i = 0; i < n_tmp_files; i++)
		unlink(tmp_files[i]);
	n_tmp_files = 0;
	if (tmp_dir[0] == '\0')
		return;
	rmdir(ike_tmp_path("ike"));
	rmdir(tmp_dir);
	tmp_dir[0] = '\0';
}

/* good/ike.conf from a private copy into cfg. */
static int
load_ike(void)
{
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	rc = ike_tmp_setup();
	if (rc == 0)
		rc = cfg_load(ike_tmp_path("ike.conf"), &cfg, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "\nike.conf: unexpected error %d: %s\n", rc, err);
	return rc;
}

/* ---- checks ---- */

static void
check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got      %s\n  expected %s\n", got, want);
}

static void
check_prefix(const struct cfg_prefix *p, int family, const char *text)
{
	char buf[64];

	CU_ASSERT_EQUAL(p->family, family);
	cfg_prefix_format(p, false, buf, sizeof(buf));
	check_text(buf, text);
}

static void
check_path(const char *got, const char *name)
{
	check_text(got, ike_tmp_path(name));
}

/* An address selector: family, inclusive range, protocol and ports. */
static void
check_ts(const struct cfg_ike_ts *t, int family, const char *lo, const char *hi,
	 unsigned int proto, unsigned int port_lo, unsigned int port_hi)
{
	char a[INET6_ADDRSTRLEN] = "", b[INET6_ADDRSTRLEN] = "";

	CU_ASSERT_FALSE(t->dynamic);
	CU_ASSERT_EQUAL(t->ts.family, family);
	inet_ntop(family, t->ts.addr_lo, a, sizeof(a));
	inet_ntop(family, t->ts.addr_hi, b, sizeof(b));
	check_text(a, lo);
	check_text(b, hi);
	CU_ASSERT_EQUAL(t->ts.proto, proto);
	CU_ASSERT_EQUAL(t->ts.port_lo, port_lo);
	CU_ASSERT_EQUAL(t->ts.port_hi, port_hi);
}

static void
check_dynamic(const struct cfg_ike_ts *t, unsigned int proto, unsigned int port_lo,
	      unsigned int port_hi)
{
	static const uint8_t zero[16];

	CU_ASSERT_TRUE(t->dynamic);
	CU_ASSERT_EQUAL(t->ts.family, AF_UNSPEC);
	CU_ASSERT_EQUAL(memcmp(t->ts.addr_lo, zero, sizeof(zero)), 0);
	CU_ASSERT_EQUAL(t->ts.proto, proto);
	CU_ASSERT_EQUAL(t->ts.port_lo, port_lo);
	CU_ASSERT_EQUAL(t->ts.port_hi, port_hi);
}

static void
check_default_esp(const struct cfg_ike_child *ch)
{
	static const char *const def[] = {
		"aes256gcm16", "aes128gcm16", "chacha20poly1305", "aes256-sha256", "aes128-sha256"
	};

	CU_ASSERT_EQUAL_FATAL(ch->n_esp_proposals, 5);
	for (unsigned int i = 0; i < 5; i++)
		check_text(ch->esp_proposals[i], def[i]);
}

static void
check_default_ike(const struct cfg_ike_conn *c)
{
	static const char *const def[] = {
		"aes256gcm16-prfsha384-x25519", "aes256gcm16-prfsha384-ecp384",
		"aes128gcm16-prfsha256-ecp256", "chacha20poly1305-prfsha256-x25519",
		"aes256-sha256-modp2048"
	};

	CU_ASSERT_EQUAL_FATAL(c->n_proposals, 5);
	for (unsigned int i = 0; i < 5; i++)
		check_text(c->proposals[i], def[i]);
}

/* ---- good/ike.conf ---- */

static void
test_ike_scalars(void)
{
	const struct cfg_ike *ike = &cfg.ike;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	CU_ASSERT_TRUE(ike->enabled);
	CU_ASSERT_EQUAL_FATAL(ike->n_listen, 2);
	check_prefix(&ike->listen[0], AF_INET, "192.0.2.1/32");
	check_prefix(&ike->listen[1], AF_INET6, "2001:db8:1::1/128");
	CU_ASSERT_EQUAL(ike->listen_port[0], 0);
	CU_ASSERT_EQUAL(ike->listen_port[1], 0);
	CU_ASSERT_EQUAL(ike->port, 1500);
	CU_ASSERT_EQUAL(ike->natt_port, 14500);
	CU_ASSERT_EQUAL(ike->half_open_max, 5000);
	CU_ASSERT_EQUAL(ike->half_open_per_source, 10);
	CU_ASSERT_EQUAL(ike->cookie_threshold, 0);
	CU_ASSERT_EQUAL(ike->retransmit_timeout_ms, 500);
	CU_ASSERT_EQUAL(ike->retransmit_tries, 3);
	CU_ASSERT_DOUBLE_EQUAL(ike->retransmit_base, 2.5, 1e-9);
	CU_ASSERT_EQUAL(ike->fragment_size, 1400);
	CU_ASSERT_EQUAL(ike->window_size, 4);
	CU_ASSERT_EQUAL(ike->n_connections, 3);
	ike_tmp_cleanup();
}

static void
test_ike_pools(void)
{
	const struct cfg_ike_pool *p = cfg.ike.pools;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.ike.n_pools, 3);
	check_text(p[0].name, "vip4");
	CU_ASSERT_TRUE(p[0].is_prefix);
	check_prefix(&p[0].prefix, AF_INET, "10.3.0.0/24");
	check_prefix(&p[0].first, AF_INET, "10.3.0.1/32");
	check_prefix(&p[0].last, AF_INET, "10.3.0.254/32");
	CU_ASSERT_EQUAL(p[0].size, 254);
	CU_ASSERT_EQUAL_FATAL(p[0].n_dns, 2);
	check_prefix(&p[0].dns[0], AF_INET, "10.1.0.53/32");
	check_prefix(&p[0].dns[1], AF_INET6, "2001:db8:2::53/128");
	CU_ASSERT_EQUAL(p[0].line, 37);
	check_text(p[1].name, "vip6");
	CU_ASSERT_TRUE(p[1].is_prefix);
	check_prefix(&p[1].prefix, AF_INET6, "fd00:3::/120");
	check_prefix(&p[1].first, AF_INET6, "fd00:3::1/128");
	check_prefix(&p[1].last, AF_INET6, "fd00:3::ff/128");
	CU_ASSERT_EQUAL(p[1].size, 255);
	CU_ASSERT_EQUAL(p[1].n_dns, 0);
	check_text(p[2].name, "range4");
	CU_ASSERT_FALSE(p[2].is_prefix);
	check_prefix(&p[2].first, AF_INET, "10.4.0.10/32");
	check_prefix(&p[2].last, AF_INET, "10.4.0.99/32");
	CU_ASSERT_EQUAL(p[2].size, 90);
	CU_ASSERT_EQUAL(p[2].line, 39);
	ike_tmp_cleanup();
}

static void
test_ike_secrets(void)
{
	static const uint8_t hex[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	const struct cfg_ike_secret *s = cfg.ike.secrets;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.ike.n_secrets, 2);
	CU_ASSERT_EQUAL_FATAL(s[0].n_ids, 2);
	CU_ASSERT_EQUAL(s[0].ids[0].type, CFG_IKE_ID_RFC822);
	check_text(s[0].ids[0].text, "carol@example.org");
	CU_ASSERT_EQUAL(s[0].ids[1].type, CFG_IKE_ID_RFC822);
	check_text(s[0].ids[1].text, "dave@example.org");
	check_path(s[0].file, "ike/rw.psk");
	CU_ASSERT_EQUAL(s[0].psk_len, 28);
	CU_ASSERT_EQUAL(memcmp(s[0].psk, "correct horse battery staple", 28), 0);
	CU_ASSERT_EQUAL(s[0].line, 42);
	CU_ASSERT_EQUAL_FATAL(s[1].n_ids, 2);
	CU_ASSERT_EQUAL(s[1].ids[0].type, CFG_IKE_ID_IPV4);
	check_text(s[1].ids[0].text, "192.0.2.99");
	CU_ASSERT_EQUAL(s[1].ids[1].type, CFG_IKE_ID_DN);
	check_text(s[1].ids[1].text, "C=CH, O=Example, CN=site");
	check_path(s[1].file, "ike/site.psk");
	CU_ASSERT_EQUAL_FATAL(s[1].psk_len, sizeof(hex));
	CU_ASSERT_EQUAL(memcmp(s[1].psk, hex, sizeof(hex)), 0);
	ike_tmp_cleanup();
}

static void
test_ike_conn_rw(void)
{
	const struct cfg_ike_conn *c = &cfg.ike.connections[0];

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	check_text(c->name, "rw");
	CU_ASSERT_EQUAL(c->version, 2);
	CU_ASSERT_EQUAL_FATAL(c->n_local_addrs, 1);
	check_prefix(&c->local_addrs[0], AF_INET, "192.0.2.1/32");
	CU_ASSERT_TRUE(c->remote_any);
	CU_ASSERT_EQUAL(c->n_remote_addrs, 0);
	CU_ASSERT_EQUAL(c->local.id.type, CFG_IKE_ID_FQDN);
	check_text(c->local.id.text, "gw.example.org");
	CU_ASSERT_EQUAL(c->local.auth, CFG_IKE_AUTH_PSK);
	CU_ASSERT_EQUAL(c->remote.id.type, CFG_IKE_ID_ANY);
	check_text(c->remote.id.text, "%any");
	CU_ASSERT_EQUAL(c->remote.auth, CFG_IKE_AUTH_PSK);
	check_text(c->local.cert, "");
	CU_ASSERT_EQUAL(c->remote.n_cacerts, 0);
	CU_ASSERT_EQUAL_FATAL(c->n_proposals, 2);
	check_text(c->proposals[0], "aes256gcm16-prfsha384-ecp384");
	check_text(c->proposals[1], "aes128-sha256-modp2048");
	CU_ASSERT_EQUAL(c->rekey_time, 7200);
	CU_ASSERT_EQUAL(c->reauth_time, 86400);
	CU_ASSERT_EQUAL(c->over_time, 8640);	/* 10 % of the larger */
	CU_ASSERT_EQUAL(c->dpd_delay, 10);
	CU_ASSERT_EQUAL(c->dpd_timeout, 60);
	CU_ASSERT_EQUAL_FATAL(c->n_pools, 2);
	CU_ASSERT_EQUAL(c->pools[0], 0);
	CU_ASSERT_EQUAL(c->pools[1], 1);
	CU_ASSERT_EQUAL(c->n_vips, 0);
	CU_ASSERT_FALSE(c->send_certreq);
	CU_ASSERT_EQUAL(c->send_cert, CFG_IKE_SEND_CERT_NEVER);
	CU_ASSERT_FALSE(c->fragmentation);
	CU_ASSERT_TRUE(c->mobike);
	CU_ASSERT_TRUE(c->encap);
	CU_ASSERT_EQUAL(c->keyingtries, 0);
	CU_ASSERT_EQUAL(c->unique, CFG_IKE_UNIQUE_REPLACE);
	CU_ASSERT_EQUAL(c->n_children, 2);
	CU_ASSERT_EQUAL(c->line, 46);
	ike_tmp_cleanup();
}

static void
test_ike_children_rw(void)
{
	const struct cfg_ike_child *ch = cfg.ike.connections[0].children;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	check_text(ch[0].name, "net");
	CU_ASSERT_EQUAL_FATAL(ch[0].n_local_ts, 2);
	check_ts(&ch[0].local_ts[0], AF_INET, "10.1.0.0", "10.1.255.255", 0, 0, 65535);
	check_ts(&ch[0].local_ts[1], AF_INET6, "2001:db8:2::", "2001:db8:2:0:ffff:ffff:ffff:ffff",
		 IPPROTO_TCP, 80, 80);
	CU_ASSERT_EQUAL_FATAL(ch[0].n_remote_ts, 1);
	check_dynamic(&ch[0].remote_ts[0], 0, 0, 65535);
	CU_ASSERT_EQUAL_FATAL(ch[0].n_esp_proposals, 2);
	check_text(ch[0].esp_proposals[0], "aes128gcm16");
	check_text(ch[0].esp_proposals[1], "aes256-sha256-x25519");
	CU_ASSERT_EQUAL(ch[0].mode, CFG_SA_TUNNEL);
	CU_ASSERT_EQUAL(ch[0].rekey_time, 1800);
	CU_ASSERT_EQUAL(ch[0].life_time, 1980);
	CU_ASSERT_EQUAL(ch[0].rand_time, 180);
	CU_ASSERT_EQUAL(ch[0].rekey_bytes, 1000000000);
	CU_ASSERT_EQUAL(ch[0].life_bytes, 1100000000);
	CU_ASSERT_EQUAL(ch[0].rekey_packets, 0);
	CU_ASSERT_EQUAL(ch[0].life_packets, 5000000);
	CU_ASSERT_EQUAL(ch[0].replay_window, 1024);
	CU_ASSERT_EQUAL(ch[0].start_action, CFG_IKE_ACTION_NONE);
	CU_ASSERT_EQUAL(ch[0].dpd_action, CFG_IKE_DPD_CLEAR);
	CU_ASSERT_EQUAL(ch[0].close_action, CFG_IKE_ACTION_NONE);
	CU_ASSERT_EQUAL(ch[0].df, CFG_SA_DF_CLEAR);
	CU_ASSERT_EQUAL(ch[0].dscp, 46);
	CU_ASSERT_EQUAL(ch[0].line, 67);
	check_text(ch[1].name, "dns");
	CU_ASSERT_EQUAL_FATAL(ch[1].n_local_ts, 2);
	check_ts(&ch[1].local_ts[0], AF_INET, "10.1.0.53", "10.1.0.53", IPPROTO_UDP, 53, 53);
	check_ts(&ch[1].local_ts[1], AF_INET, "10.1.0.60", "10.1.0.69", IPPROTO_ICMP, 8, 8);
	CU_ASSERT_EQUAL_FATAL(ch[1].n_remote_ts, 1);
	check_dynamic(&ch[1].remote_ts[0], IPPROTO_UDP, 1024, 65535);
	check_default_esp(&ch[1]);
	CU_ASSERT_EQUAL(ch[1].rekey_time, 0);
	CU_ASSERT_EQUAL(ch[1].life_time, 0);
	CU_ASSERT_EQUAL(ch[1].rand_time, 0);
	CU_ASSERT_EQUAL(ch[1].life_bytes, 0);
	CU_ASSERT_EQUAL(ch[1].replay_window, 64);
	CU_ASSERT_EQUAL(ch[1].df, CFG_SA_DF_COPY);
	CU_ASSERT_EQUAL(ch[1].dscp, CFG_NONE);
	CU_ASSERT_EQUAL(ch[1].line, 79);
	ike_tmp_cleanup();
}

static void
test_ike_conn_site(void)
{
	const struct cfg_ike_conn *c = &cfg.ike.connections[1];
	const struct cfg_ike_child *ch = &c->children[0];

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	check_text(c->name, "site");
	CU_ASSERT_EQUAL_FATAL(c->n_local_addrs, 2);	/* every listen address */
	check_prefix(&c->local_addrs[0], AF_INET, "192.0.2.1/32");
	check_prefix(&c->local_addrs[1], AF_INET6, "2001:db8:1::1/128");
	CU_ASSERT_FALSE(c->remote_any);
	CU_ASSERT_EQUAL_FATAL(c->n_remote_addrs, 2);
	check_prefix(&c->remote_addrs[0], AF_INET, "192.0.2.99/32");
	check_prefix(&c->remote_addrs[1], AF_INET, "203.0.113.0/24");
	CU_ASSERT_EQUAL(c->local.id.type, CFG_IKE_ID_ANY);
	CU_ASSERT_EQUAL(c->local.auth, CFG_IKE_AUTH_PUBKEY);
	check_path(c->local.cert, "ike/gw.pem");
	check_path(c->local.key, "ike/gw.key");
	CU_ASSERT_EQUAL(c->remote.id.type, CFG_IKE_ID_DN);
	CU_ASSERT_EQUAL(c->remote.auth, CFG_IKE_AUTH_PUBKEY);
	CU_ASSERT_EQUAL_FATAL(c->remote.n_cacerts, 1);
	check_path(c->remote.cacerts[0], "ike/ca.pem");
	check_default_ike(c);
	CU_ASSERT_EQUAL(c->rekey_time, 14400);
	CU_ASSERT_EQUAL(c->over_time, 600);
	CU_ASSERT_EQUAL(c->n_pools, 0);
	CU_ASSERT_EQUAL_FATAL(c->n_vips, 2);	/* any IPv4, any IPv6 */
	check_prefix(&c->vips[0], AF_INET, "0.0.0.0/32");
	check_prefix(&c->vips[1], AF_INET6, "::/128");
	CU_ASSERT_EQUAL_FATAL(c->n_children, 1);
	check_text(ch->name, "host");
	CU_ASSERT_EQUAL(ch->mode, CFG_SA_TRANSPORT);
	CU_ASSERT_EQUAL_FATAL(ch->n_local_ts, 1);
	check_dynamic(&ch->local_ts[0], 47, 0, 65535);
	CU_ASSERT_EQUAL(ch->start_action, CFG_IKE_ACTION_START);
	CU_ASSERT_EQUAL(ch->dpd_action, CFG_IKE_DPD_RESTART);
	CU_ASSERT_EQUAL(ch->close_action, CFG_IKE_ACTION_TRAP);
	CU_ASSERT_EQUAL(ch->rekey_time, 3600);
	CU_ASSERT_EQUAL(ch->life_time, 4000);
	CU_ASSERT_EQUAL(ch->rand_time, 60);
	CU_ASSERT_EQUAL(c->line, 88);
	ike_tmp_cleanup();
}

static void
test_ike_conn_defaults(void)
{
	const struct cfg_ike_conn *c = &cfg.ike.connections[2];
	const struct cfg_ike_child *ch = &c->children[0];

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	check_text(c->name, "defaults");
	CU_ASSERT_EQUAL(c->version, 2);
	CU_ASSERT_EQUAL(c->n_local_addrs, 2);
	CU_ASSERT_TRUE(c->remote_any);
	CU_ASSERT_EQUAL(c->local.id.type, CFG_IKE_ID_IPV6);
	check_text(c->local.id.text, "2001:0db8:1::1");	/* as written */
	CU_ASSERT_EQUAL(c->remote.id.type, CFG_IKE_ID_IPV4);
	check_default_ike(c);
	CU_ASSERT_EQUAL(c->rekey_time, 14400);
	CU_ASSERT_EQUAL(c->reauth_time, 0);
	CU_ASSERT_EQUAL(c->over_time, 1440);
	CU_ASSERT_EQUAL(c->dpd_delay, 30);
	CU_ASSERT_EQUAL(c->dpd_timeout, 150);
	CU_ASSERT_TRUE(c->send_certreq);
	CU_ASSERT_EQUAL(c->send_cert, CFG_IKE_SEND_CERT_IFASKED);
	CU_ASSERT_TRUE(c->fragmentation);
	CU_ASSERT_FALSE(c->mobike);
	CU_ASSERT_FALSE(c->encap);
	CU_ASSERT_EQUAL(c->keyingtries, 1);
	CU_ASSERT_EQUAL(c->unique, CFG_IKE_UNIQUE_NO);
	CU_ASSERT_EQUAL_FATAL(c->n_children, 1);
	check_text(ch->name, "all");
	CU_ASSERT_EQUAL_FATAL(ch->n_local_ts, 1);
	check_dynamic(&ch->local_ts[0], 0, 0, 65535);
	CU_ASSERT_EQUAL_FATAL(ch->n_remote_ts, 1);
	check_dynamic(&ch->remote_ts[0], 0, 0, 65535);
	check_default_esp(ch);
	CU_ASSERT_EQUAL(ch->mode, CFG_SA_TUNNEL);
	CU_ASSERT_EQUAL(ch->rekey_time, 3600);
	CU_ASSERT_EQUAL(ch->life_time, 3960);
	CU_ASSERT_EQUAL(ch->rand_time, 360);
	CU_ASSERT_EQUAL(ch->rekey_bytes, 0);
	CU_ASSERT_EQUAL(ch->life_bytes, 0);
	CU_ASSERT_EQUAL(ch->rekey_packets, 0);
	CU_ASSERT_EQUAL(ch->life_packets, 0);
	CU_ASSERT_EQUAL(ch->replay_window, 64);
	CU_ASSERT_EQUAL(ch->start_action, CFG_IKE_ACTION_NONE);
	CU_ASSERT_EQUAL(ch->dpd_action, CFG_IKE_DPD_CLEAR);
	CU_ASSERT_EQUAL(ch->close_action, CFG_IKE_ACTION_NONE);
	CU_ASSERT_EQUAL(ch->df, CFG_SA_DF_COPY);
	CU_ASSERT_EQUAL(ch->dscp, CFG_NONE);
	CU_ASSERT_EQUAL(ch->line, 115);
	ike_tmp_cleanup();
}

/* ---- JSON ---- */

static const char *
json_text(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

#define DEF_IKE "[\"aes256gcm16-prfsha384-x25519\",\"aes256gcm16-prfsha384-ecp384\"," \
	"\"aes128gcm16-prfsha256-ecp256\",\"chacha20poly1305-prfsha256-x25519\"," \
	"\"aes256-sha256-modp2048\"]"
#define DEF_ESP "[\"aes256gcm16\",\"aes128gcm16\",\"chacha20poly1305\",\"aes256-sha256\"," \
	"\"aes128-sha256\"]"
#define DEF_OPTS "\"send_certreq\":true,\"send_cert\":\"ifasked\",\"fragmentation\":true," \
	"\"mobike\":false,\"encap\":false,\"keyingtries\":1,\"unique\":\"no\""

/* "$" stands for the private directory. */
static const char ike_json[] =
	"{\"listen\":[\"192.0.2.1\",\"2001:db8:1::1\"],\"port\":1500,\"natt_port\":14500,"
	"\"half_open_max\":5000,\"half_open_per_source\":10,\"cookie_threshold\":0,"
	"\"retransmit_timeout_ms\":500,\"retransmit_tries\":3,\"retransmit_base\":2.5,"
	"\"fragment_size\":1400,\"window_size\":4,"
	"\"pools\":[{\"name\":\"vip4\",\"addrs\":\"10.3.0.0/24\",\"first\":\"10.3.0.1\","
	"\"last\":\"10.3.0.254\",\"size\":254,\"dns\":[\"10.1.0.53\",\"2001:db8:2::53\"]},"
	"{\"name\":\"vip6\",\"addrs\":\"fd00:3::/120\",\"first\":\"fd00:3::1\","
	"\"last\":\"fd00:3::ff\",\"size\":255,\"dns\":[]},"
	"{\"name\":\"range4\",\"addrs\":\"10.4.0.10-10.4.0.99\",\"first\":\"10.4.0.10\","
	"\"last\":\"10.4.0.99\",\"size\":90,\"dns\":[]}],"
	"\"secrets\":[{\"ids\":[\"carol@example.org\",\"dave@example.org\"],"
	"\"file\":\"$/ike/rw.psk\"},"
	"{\"ids\":[\"192.0.2.99\",\"C=CH, O=Example, CN=site\"],\"file\":\"$/ike/site.psk\"}],"
	"\"connections\":["
	"{\"name\":\"rw\",\"version\":2,\"local_addrs\":[\"192.0.2.1\"],"
	"\"remote_addrs\":[\"%any\"],\"local\":{\"id\":\"gw.example.org\",\"auth\":\"psk\"},"
	"\"remote\":{\"id\":\"%any\",\"auth\":\"psk\"},"
	"\"proposals\":[\"aes256gcm16-prfsha384-ecp384\",\"aes128-sha256-modp2048\"],"
	"\"rekey_time\":7200,\"reauth_time\":86400,\"over_time\":8640,\"dpd_delay\":10,"
	"\"dpd_timeout\":60,\"pools\":[\"vip4\",\"vip6\"],\"vips\":[],"
	"\"send_certreq\":false,\"send_cert\":\"never\",\"fragmentation\":false,"
	"\"mobike\":true,\"encap\":true,\"keyingtries\":0,\"unique\":\"replace\",\"children\":["
	"{\"name\":\"net\",\"local_ts\":[\"10.1.0.0/16\",\"2001:db8:2::/64[tcp/80]\"],"
	"\"remote_ts\":[\"dynamic\"],\"esp_proposals\":[\"aes128gcm16\",\"aes256-sha256-x25519\"],"
	"\"mode\":\"tunnel\",\"rekey_time\":1800,\"life_time\":1980,\"rand_time\":180,"
	"\"rekey_bytes\":1000000000,\"life_bytes\":1100000000,\"rekey_packets\":0,"
	"\"life_packets\":5000000,\"replay_window\":1024,\"start_action\":\"none\","
	"\"dpd_action\":\"clear\",\"close_action\":\"none\",\"df\":\"clear\",\"dscp\":46},"
	"{\"name\":\"dns\",\"local_ts\":[\"10.1.0.53/32[udp/53]\","
	"\"10.1.0.60-10.1.0.69[icmp/8]\"],\"remote_ts\":[\"dynamic[udp/1024-65535]\"],"
	"\"esp_proposals\":" DEF_ESP ",\"mode\":\"tunnel\",\"rekey_time\":0,\"life_time\":0,"
	"\"rand_time\":0,\"rekey_bytes\":0,\"life_bytes\":0,\"rekey_packets\":0,"
	"\"life_packets\":0,\"replay_window\":64,\"start_action\":\"none\","
	"\"dpd_action\":\"clear\",\"close_action\":\"none\",\"df\":\"copy\",\"dscp\":\"copy\"}]},"
	"{\"name\":\"site\",\"version\":2,\"local_addrs\":[\"192.0.2.1\",\"2001:db8:1::1\"],"
	"\"remote_addrs\":[\"192.0.2.99\",\"203.0.113.0/24\"],"
	"\"local\":{\"id\":\"%any\",\"auth\":\"pubkey\",\"cert\":\"$/ike/gw.pem\","
	"\"key\":\"$/ike/gw.key\"},\"remote\":{\"id\":\"C=CH, O=Example, CN=site\","
	"\"auth\":\"pubkey\",\"cacerts\":[\"$/ike/ca.pem\"]},\"proposals\":" DEF_IKE ","
	"\"rekey_time\":14400,\"reauth_time\":0,\"over_time\":600,\"dpd_delay\":30,"
	"\"dpd_timeout\":150,\"pools\":[],\"vips\":[\"0.0.0.0\",\"::\"]," DEF_OPTS
	",\"children\":["
	"{\"name\":\"host\",\"local_ts\":[\"dynamic[47]\"],\"remote_ts\":[\"dynamic\"],"
	"\"esp_proposals\":" DEF_ESP ",\"mode\":\"transport\",\"rekey_time\":3600,"
	"\"life_time\":4000,\"rand_time\":60,\"rekey_bytes\":0,\"life_bytes\":0,"
	"\"rekey_packets\":0,\"life_packets\":0,\"replay_window\":64,"
	"\"start_action\":\"start\",\"dpd_action\":\"restart\",\"close_action\":\"trap\","
	"\"df\":\"copy\",\"dscp\":\"copy\"}]},"
	"{\"name\":\"defaults\",\"version\":2,\"local_addrs\":[\"192.0.2.1\",\"2001:db8:1::1\"],"
	"\"remote_addrs\":[\"%any\"],\"local\":{\"id\":\"2001:0db8:1::1\",\"auth\":\"psk\"},"
	"\"remote\":{\"id\":\"192.0.2.99\",\"auth\":\"psk\"},\"proposals\":" DEF_IKE ","
	"\"rekey_time\":14400,\"reauth_time\":0,\"over_time\":1440,\"dpd_delay\":30,"
	"\"dpd_timeout\":150,\"pools\":[],\"vips\":[]," DEF_OPTS ",\"children\":["
	"{\"name\":\"all\",\"local_ts\":[\"dynamic\"],\"remote_ts\":[\"dynamic\"],"
	"\"esp_proposals\":" DEF_ESP ",\"mode\":\"tunnel\",\"rekey_time\":3600,"
	"\"life_time\":3960,\"rand_time\":360,\"rekey_bytes\":0,\"life_bytes\":0,"
	"\"rekey_packets\":0,\"life_packets\":0,\"replay_window\":64,"
	"\"start_action\":\"none\",\"dpd_action\":\"clear\",\"close_action\":\"none\","
	"\"df\":\"copy\",\"dscp\":\"copy\"}]}]}";

/* ike_json with "$" replaced by the private directory. */
static void
expected_json(char *buf, size_t len)
{
	size_t used = 0;

	for (const char *p = ike_json; *p != '\0' && used + 1 < len; p++) {
		if (*p == '$')
			used += (size_t)snprintf(buf + used, len - used, "%s", ike_tmp_dir());
		else
			buf[used++] = *p;
	}
	buf[used < len ? used : len - 1] = '\0';
}

static void
test_ike_json(void)
{
	static char want[JSON_MAX];
	struct json_object *o, *v;
	const char *text;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	expected_json(want, sizeof(want));
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "ike", &v));
	check_text(json_text(v), want);
	/* The secrets themselves never: neither the text nor the hex bytes. */
	text = json_text(o);
	CU_ASSERT_PTR_NULL(strstr(text, "horse"));
	CU_ASSERT_PTR_NULL(strstr(text, "00112233"));
	CU_ASSERT_PTR_NULL(strstr(text, "bytes hidden"));
	/* "ike" comes between "policies" and "cli". */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"policies\":[],\"ike\":{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "]}]},\"cli\":{"));
	json_object_put(o);
	ike_tmp_cleanup();
}

/* ---- defaults, absence ---- */

static void
test_ike_absent(void)
{
	struct json_object *o, *v;

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(cfg_load("good/minimal.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(cfg.ike.enabled);
	CU_ASSERT_EQUAL(cfg.ike.n_listen, 0);
	CU_ASSERT_EQUAL(cfg.ike.n_connections, 0);
	CU_ASSERT_EQUAL(cfg.ike.n_secrets, 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_FALSE(json_object_object_get_ex(o, "ike", &v));
	json_object_put(o);
}

/* An empty ike section: every untrusted port address, IPv4 first; every default. */
static void
test_ike_section_defaults(void)
{
	const struct cfg_ike *ike = &cfg.ike;
	struct json_object *o, *v;

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(cfg_load("good/ike-defaults.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(ike->enabled);
	CU_ASSERT_EQUAL_FATAL(ike->n_listen, 4);
	check_prefix(&ike->listen[0], AF_INET, "192.0.2.1/32");
	check_prefix(&ike->listen[1], AF_INET6, "2001:db8:1::1/128");
	check_prefix(&ike->listen[2], AF_INET, "203.0.113.1/32");
	check_prefix(&ike->listen[3], AF_INET, "203.0.113.2/32");
	CU_ASSERT_EQUAL(ike->listen_port[0], 0);
	CU_ASSERT_EQUAL(ike->listen_port[1], 0);
	CU_ASSERT_EQUAL(ike->listen_port[2], 2);
	CU_ASSERT_EQUAL(ike->listen_port[3], 2);
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "ike", &v));
	check_text(json_text(v), "{\"listen\":[\"192.0.2.1\",\"2001:db8:1::1\",\"203.0.113.1\","
		   "\"203.0.113.2\"],\"port\":500,\"natt_port\":4500,\"half_open_max\":10000,"
		   "\"half_open_per_source\":20,\"cookie_threshold\":1000,"
		   "\"retransmit_timeout_ms\":2000,\"retransmit_tries\":5,"
		   "\"retransmit_base\":1.8,\"fragment_size\":1280,\"window_size\":1,"
		   "\"pools\":[],\"secrets\":[],\"connections\":[]}");
	json_object_put(o);
	CU_ASSERT_DOUBLE_EQUAL(ike->retransmit_base, 1.8, 1e-9);
}

/* ---- names, selector text ---- */

static void
test_ike_names(void)
{
	check_text(cfg_ike_auth_name(CFG_IKE_AUTH_PSK), "psk");
	check_text(cfg_ike_auth_name(CFG_IKE_AUTH_PUBKEY), "pubkey");
	check_text(cfg_ike_auth_name((enum cfg_ike_auth)2), "?");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_ANY), "any");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_IPV4), "ipv4");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_IPV6), "ipv6");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_FQDN), "fqdn");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_RFC822), "rfc822");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_DN), "dn");
	check_text(cfg_ike_id_type_name(CFG_IKE_ID_KEY_ID), "keyid");
	check_text(cfg_ike_id_type_name((enum cfg_ike_id_type)7), "?");
	check_text(cfg_ike_send_cert_name(CFG_IKE_SEND_CERT_ALWAYS), "always");
	check_text(cfg_ike_send_cert_name(CFG_IKE_SEND_CERT_IFASKED), "ifasked");
	check_text(cfg_ike_send_cert_name(CFG_IKE_SEND_CERT_NEVER), "never");
	check_text(cfg_ike_send_cert_name((enum cfg_ike_send_cert)3), "?");
	check_text(cfg_ike_unique_name(CFG_IKE_UNIQUE_NO), "no");
	check_text(cfg_ike_unique_name(CFG_IKE_UNIQUE_NEVER), "never");
	check_text(cfg_ike_unique_name(CFG_IKE_UNIQUE_REPLACE), "replace");
	check_text(cfg_ike_unique_name(CFG_IKE_UNIQUE_KEEP), "keep");
	check_text(cfg_ike_unique_name((enum cfg_ike_unique)4), "?");
	check_text(cfg_ike_action_name(CFG_IKE_ACTION_NONE), "none");
	check_text(cfg_ike_action_name(CFG_IKE_ACTION_START), "start");
	check_text(cfg_ike_action_name(CFG_IKE_ACTION_TRAP), "trap");
	check_text(cfg_ike_action_name((enum cfg_ike_action)3), "?");
	check_text(cfg_ike_dpd_action_name(CFG_IKE_DPD_CLEAR), "clear");
	check_text(cfg_ike_dpd_action_name(CFG_IKE_DPD_RESTART), "restart");
	check_text(cfg_ike_dpd_action_name(CFG_IKE_DPD_TRAP), "trap");
	check_text(cfg_ike_dpd_action_name((enum cfg_ike_dpd_action)3), "?");
}

static void
test_ike_ts_format(void)
{
	struct cfg_ike_ts v4 = { .ts = { .family = AF_INET, .proto = IPPROTO_TCP,
					 .port_lo = 1024, .port_hi = 2047,
					 .addr_lo = { 10, 0, 0, 0 }, .addr_hi = { 10, 0, 0, 255 } } };
	struct cfg_ike_ts dyn = { .dynamic = true, .ts = { .proto = IPPROTO_ICMPV6,
							    .port_lo = 128, .port_hi = 128 } };
	struct cfg_ike_ts any = { .dynamic = true, .ts = { .port_hi = 65535 } };
	char buf[128];

	cfg_ike_ts_format(&v4, buf, sizeof(buf));
	check_text(buf, "10.0.0.0/24[tcp/1024-2047]");
	v4.ts.port_lo = 0;
	v4.ts.port_hi = 65535;
	v4.ts.addr_hi[3] = 9;
	cfg_ike_ts_format(&v4, buf, sizeof(buf));
	check_text(buf, "10.0.0.0-10.0.0.9[tcp]");
	cfg_ike_ts_format(&dyn, buf, sizeof(buf));
	check_text(buf, "dynamic[ipv6-icmp/128]");
	cfg_ike_ts_format(&any, buf, sizeof(buf));
	check_text(buf, "dynamic");
}

/* Identities in strongSwan's forms: the type the IKE library finds, the text as written. */
static const char ids_head[] =
	"eal = { lcores = [ 0 ]; };\n"
	"ports = ( { name = \"o\"; device = \"net_null0\"; role = \"untrusted\";\n"
	"\t    ipv4 = [ \"192.0.2.1/24\" ]; } );\n"
	"ike = { secrets = (\n"
	"\t{ ids = [ \"gw.example.org\", \"@gw2.example.org\", \"fqdn:gw3.example.org\",\n"
	"\t\t  \"carol@example.org\", \"@@dave\", \"*@example.com\", \"192.0.2.55\",\n"
	"\t\t  \"2001:0DB8::55\" ]; file = \"ike/rw.psk\"; },\n"
	"\t{ ids = [ \"C=CH, O=Example, CN=erin\", \"@#0a0b0c0d\"";
static const char ids_tail[] = " ];\n\t  file = \"ike/rw.psk\"; }\n); };\n";

static int
load_ids(const char *extra)
{
	char text[sizeof(ids_head) + sizeof(ids_tail) + 64];
	int n = snprintf(text, sizeof(text), "%s%s%s", ids_head, extra, ids_tail);

	if (ike_tmp_write("ids.conf", text, (size_t)n, 0644) < 0)
		return -EIO;
	return cfg_load(ike_tmp_path("ids.conf"), &cfg, err, sizeof(err));
}

static void
test_ike_id_forms(void)
{
	static const struct { enum cfg_ike_id_type type; const char *text; } want[] = {
		{ CFG_IKE_ID_FQDN, "gw.example.org" }, { CFG_IKE_ID_FQDN, "@gw2.example.org" },
		{ CFG_IKE_ID_FQDN, "fqdn:gw3.example.org" },
		{ CFG_IKE_ID_RFC822, "carol@example.org" }, { CFG_IKE_ID_RFC822, "@@dave" },
		{ CFG_IKE_ID_RFC822, "*@example.com" }, { CFG_IKE_ID_IPV4, "192.0.2.55" },
		{ CFG_IKE_ID_IPV6, "2001:0DB8::55" },
		{ CFG_IKE_ID_DN, "C=CH, O=Example, CN=erin" }, { CFG_IKE_ID_KEY_ID, "@#0a0b0c0d" },
	};
	const struct cfg_ike_secret *s = cfg.ike.secrets;
	char expect[CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL(load_ids(""), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.ike.n_secrets, 2);
	CU_ASSERT_EQUAL_FATAL(s[0].n_ids, 8);
	CU_ASSERT_EQUAL_FATAL(s[1].n_ids, 2);
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct cfg_ike_id *id = i < 8 ? &s[0].ids[i] : &s[1].ids[i - 8];

		CU_ASSERT_EQUAL(id->type, want[i].type);
		check_text(id->text, want[i].text);
	}
	/* Any identity is refused in secrets; two spellings of one identity clash. */
	CU_ASSERT_EQUAL(load_ids(", \"%any6\""), -EINVAL);
	snprintf(expect, sizeof(expect), "%s/ids.conf:8: ike.secrets[1].ids[2]: '%%any6' "
		 "matches any identity: not allowed here (name one)", ike_tmp_dir());
	check_text(err, expect);
	CU_ASSERT_EQUAL(load_ids(", \"rfc822:DAVE\""), -EINVAL);
	snprintf(expect, sizeof(expect), "%s/ids.conf:8: ike.secrets[1].ids[2]: identity "
		 "'rfc822:DAVE' already has a secret (ike.secrets[0].ids[4])", ike_tmp_dir());
	check_text(err, expect);
	CU_ASSERT_EQUAL(load_ids(", \"asn1dn:C=CH,O=Example,CN=erin\""), -EINVAL);
	snprintf(expect, sizeof(expect), "%s/ids.conf:8: ike.secrets[1].ids[2]: identity "
		 "'asn1dn:C=CH,O=Example,CN=erin' already has a secret (ike.secrets[1].ids[0])",
		 ike_tmp_dir());
	check_text(err, expect);
	ike_tmp_cleanup();
}

/* A psk peer given by a wildcard needs a secret whose id the wildcard matches. */
static void
test_ike_psk_wildcard(void)
{
	static const char head[] =
		"eal = { lcores = [ 0 ]; };\n"
		"ports = ( { name = \"o\"; device = \"net_null0\"; role = \"untrusted\";\n"
		"\t    ipv4 = [ \"192.0.2.1/24\" ]; } );\n"
		"ike = {\n"
		"\tsecrets = ( { ids = [ \"carol@example.org\" ]; file = \"ike/rw.psk\"; } );\n"
		"\tconnections = ( { name = \"rw\"; local = { auth = \"psk\"; };\n"
		"\t\tremote = { auth = \"psk\"; id = \"";
	static const char tail[] = "\"; }; } );\n};\n";
	static const char *const ok[] = { "*@example.org", "carol@EXAMPLE.org", "%any" };
	char text[sizeof(head) + sizeof(tail) + 32], expect[CFG_ERR_LEN];
	int n;

	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	for (unsigned int i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = snprintf(text, sizeof(text), "%s%s%s", head, ok[i], tail);
		CU_ASSERT_EQUAL_FATAL(ike_tmp_write("psk.conf", text, (size_t)n, 0644), 0);
		CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("psk.conf"), &cfg, err, sizeof(err)), 0);
		check_text(err, "");
		CU_ASSERT_EQUAL(cfg.ike.connections[0].remote.id.type,
				i < 2 ? CFG_IKE_ID_RFC822 : CFG_IKE_ID_ANY);
	}
	n = snprintf(text, sizeof(text), "%s%s%s", head, "*@example.com", tail);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("psk.conf", text, (size_t)n, 0644), 0);
	CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("psk.conf"), &cfg, err, sizeof(err)), -EINVAL);
	snprintf(expect, sizeof(expect), "%s/psk.conf:6: ike.connections[0].local.auth: psk "
		 "needs a secret for '*@example.com' in ike.secrets", ike_tmp_dir());
	check_text(err, expect);
	ike_tmp_cleanup();
}

/* The default lists are filled in unparsed: each must parse with the IKE library. */
static void
test_ike_default_proposals(void)
{
	const struct cfg_ike_conn *c = &cfg.ike.connections[2];
	const struct cfg_ike_child *ch = &c->children[0];
	char why[IKE_PROPOSAL_ERR_LEN];
	struct ike_proposal p;

	CU_ASSERT_EQUAL_FATAL(load_ike(), 0);
	ike_tmp_cleanup();
	check_default_ike(c);
	check_default_esp(ch);
	for (unsigned int i = 0; i < c->n_proposals; i++) {
		CU_ASSERT_EQUAL(ike_proposal_parse(c->proposals[i], IKE_PROTO_IKE, 1, &p, why,
						   sizeof(why)), 0);
		CU_ASSERT_EQUAL(p.protocol, IKE_PROTO_IKE);
	}
	for (unsigned int i = 0; i < ch->n_esp_proposals; i++) {
		CU_ASSERT_EQUAL(ike_proposal_parse(ch->esp_proposals[i], IKE_PROTO_ESP, 1, &p, why,
						   sizeof(why)), 0);
		CU_ASSERT_EQUAL(p.protocol, IKE_PROTO_ESP);
	}
}

const struct named_test ike_tests[] = {
	{ "ike: section", test_ike_scalars },
	{ "ike: pools", test_ike_pools },
	{ "ike: secrets", test_ike_secrets },
	{ "ike: PSK connection", test_ike_conn_rw },
	{ "ike: CHILD SAs", test_ike_children_rw },
	{ "ike: certificate connection", test_ike_conn_site },
	{ "ike: connection defaults", test_ike_conn_defaults },
	{ "ike: identity forms", test_ike_id_forms },
	{ "ike: psk peer by wildcard", test_ike_psk_wildcard },
	{ "ike: default proposals parse", test_ike_default_proposals },
	{ "ike: json", test_ike_json },
	{ "ike: absent", test_ike_absent },
	{ "ike: empty section", test_ike_section_defaults },
	{ "ike: names", test_ike_names },
	{ "ike: selector text", test_ike_ts_format },
};

const unsigned int n_ike_tests = sizeof(ike_tests) / sizeof(ike_tests[0]);
