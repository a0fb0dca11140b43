/*
 * Unit tests of the IPsec part of the configuration (config/cfg_ipsec.c,
 * cfg_sas.c, cfg_sa_keys.c, cfg_sa_outer.c, cfg_selectors.c,
 * cfg_policies.c): good files with SAs of every algorithm checked field by
 * field (exact key bytes, selector ranges), defaults, the key-file mode
 * rule (files copied to a private directory with the mode under test,
 * since git checks files out 0644), JSON without key material, key
 * wiping, names and the commented example in config/hagw.example.conf.
 * The bad files and their messages: test_config_ipsec_bad.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"
#include "test_config.h"

#ifndef CFG_EXAMPLE_DIR
#define CFG_EXAMPLE_DIR "../../../config"
#endif

enum {
	MAX_TMP_FILES = 4,
	TMP_DIR_LEN = 32,		/* "/tmp/test_config.XXXXXX" */
	TMP_PATH_LEN = 128,
	FILE_MAX = 65536,
	HEX_LEN = 2 * 36 + 1,
};

static struct cfg cfg;
static char err[CFG_ERR_LEN];
static char tmp_dir[TMP_DIR_LEN];
static char tmp_files[MAX_TMP_FILES][TMP_PATH_LEN];
static unsigned int n_tmp_files;

/* ---- a private directory for files whose mode matters ---- */

static int
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	/* fchmod: the mode under test, whatever the umask. */
	if (fchmod(fd, mode) < 0 || n != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int
read_file(const char *path, char *buf, size_t size, size_t *len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -errno;
	*len = fread(buf, 1, size - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return *len == size - 1 ? -EFBIG : 0;
}

static const char *
tmp_path(const char *name)
{
	static char path[TMP_PATH_LEN];

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	return path;
}

static void
tmp_cleanup(void)
{
	for (unsigned int i = 0; i < n_tmp_files; i++)
		unlink(tmp_files[i]);
	n_tmp_files = 0;
	if (tmp_dir[0] != '\0')
		rmdir(tmp_dir);
	tmp_dir[0] = '\0';
}

/* Writes TEXT as NAME in the private directory (created on first use) with MODE. */
static int
tmp_write(const char *name, const char *text, size_t len, mode_t mode)
{
	if (tmp_dir[0] == '\0') {
		snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_config.XXXXXX");
		if (mkdtemp(tmp_dir) == NULL)
			return -errno;
	}
	if (n_tmp_files == MAX_TMP_FILES)
		return -ENOSPC;
	snprintf(tmp_files[n_tmp_files++], TMP_PATH_LEN, "%s/%s", tmp_dir, name);
	return write_file(tmp_files[n_tmp_files - 1], text, len, mode);
}

/* Copies good/NAME into the private directory with MODE. */
static int
tmp_copy(const char *name, mode_t mode)
{
	static char text[FILE_MAX];
	char src[TMP_PATH_LEN];
	size_t len;
	int rc;

	snprintf(src, sizeof(src), "good/%s", name);
	rc = read_file(src, text, sizeof(text), &len);
	return rc < 0 ? rc : tmp_write(name, text, len, mode);
}

static int
load_tmp(const char *name)
{
	int rc = cfg_load(tmp_path(name), &cfg, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "\n%s: unexpected error: %s\n", name, err);
	return rc;
}

/* good/ipsec.conf loaded from a 0600 copy. */
static int
load_ipsec(void)
{
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	rc = tmp_copy("ipsec.conf", 0600);
	if (rc == 0)
		rc = load_tmp("ipsec.conf");
	tmp_cleanup();
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
check_addr(const struct cfg_prefix *p, int family, const char *text)
{
	char buf[64];

	cfg_prefix_format(p, true, buf, sizeof(buf));
	CU_ASSERT_EQUAL(p->family, family);
	CU_ASSERT_EQUAL(p->len, family == AF_INET ? 32 : 128);
	check_text(buf, text);
}

/* Key bytes start, start+1, ... (mod 256). */
static void
check_key_run(const uint8_t *key, unsigned int len, unsigned int start)
{
	for (unsigned int i = 0; i < len; i++)
		CU_ASSERT_EQUAL(key[i], (uint8_t)(start + i));
}

static void
check_ts_range(const struct cfg_ts *ts, int family, const char *lo, const char *hi)
{
	char a[INET6_ADDRSTRLEN] = "", b[INET6_ADDRSTRLEN] = "";
	static const uint8_t zero[12];

	CU_ASSERT_EQUAL(ts->family, family);
	inet_ntop(family, ts->addr_lo, a, sizeof(a));
	inet_ntop(family, ts->addr_hi, b, sizeof(b));
	check_text(a, lo);
	check_text(b, hi);
	if (family == AF_INET) {
		CU_ASSERT_EQUAL(memcmp(ts->addr_lo + 4, zero, sizeof(zero)), 0);
		CU_ASSERT_EQUAL(memcmp(ts->addr_hi + 4, zero, sizeof(zero)), 0);
	}
}

static void
check_ts(const struct cfg_ts *ts, int family, unsigned int proto, unsigned int port_lo,
	 unsigned int port_hi, const char *lo, const char *hi)
{
	CU_ASSERT_EQUAL(ts->proto, proto);
	CU_ASSERT_EQUAL(ts->port_lo, port_lo);
	CU_ASSERT_EQUAL(ts->port_hi, port_hi);
	check_ts_range(ts, family, lo, hi);
}

/* ---- good files ---- */

static void
test_ipsec_section(void)
{
	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	CU_ASSERT_EQUAL(cfg.ipsec.default_policy, CFG_POLICY_DISCARD);
	CU_ASSERT_EQUAL(cfg.ipsec.max_sas, 16);
	CU_ASSERT_EQUAL(cfg.ipsec.max_policies, 4);
	CU_ASSERT_EQUAL(cfg.ipsec.max_clients, 16);
	CU_ASSERT_EQUAL(cfg.n_sas, 8);
	CU_ASSERT_EQUAL(cfg.n_policies, 9);
	CU_ASSERT_EQUAL(cfg.n_workers, 2);
}

/* AES-GCM-128 in/out: tunnel, ESN, window, worker, lifetimes, two selectors. */
static void
test_sa_gcm128(void)
{
	static const uint8_t key0[20] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
		0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x02, 0x03, 0x04 };
	const struct cfg_sa *sa = &cfg.sas[0];

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	check_text(sa->name, "gcm128-in");
	CU_ASSERT_EQUAL(sa->spi, 0x1001);
	CU_ASSERT_EQUAL(sa->dir, CFG_SA_IN);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TUNNEL);
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_AES_GCM_128);
	CU_ASSERT_EQUAL(sa->key_len, 20);
	CU_ASSERT_EQUAL(memcmp(sa->key, key0, sizeof(key0)), 0);
	CU_ASSERT_EQUAL(sa->auth_key_len, 0);
	check_addr(&sa->local, AF_INET, "192.0.2.1");
	check_addr(&sa->remote, AF_INET, "192.0.2.2");
	CU_ASSERT_EQUAL(sa->port, 0);
	CU_ASSERT_FALSE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->local_port, 0);
	CU_ASSERT_EQUAL(sa->remote_port, 0);
	CU_ASSERT_TRUE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 1024);
	CU_ASSERT_EQUAL(sa->df, CFG_SA_DF_COPY);
	CU_ASSERT_EQUAL(sa->dscp, CFG_NONE);
	CU_ASSERT_EQUAL(sa->worker_lcore, 2);
	CU_ASSERT_EQUAL(sa->worker, 1);
	CU_ASSERT_EQUAL(sa->soft.bytes, 1000000);
	CU_ASSERT_EQUAL(sa->hard.bytes, 2000000);
	CU_ASSERT_EQUAL(sa->soft.packets, 900);
	CU_ASSERT_EQUAL(sa->hard.packets, 1000);
	CU_ASSERT_EQUAL(sa->line, 31);
	CU_ASSERT_EQUAL_FATAL(sa->n_ts, 2);
	check_ts(&sa->ts[0].local, AF_INET, 0, 0, 65535, "203.0.113.0", "203.0.113.255");
	check_ts(&sa->ts[0].remote, AF_INET, 0, 0, 65535, "10.9.0.0", "10.9.255.255");
	check_ts(&sa->ts[1].local, AF_INET, 6, 443, 443, "198.51.100.7", "198.51.100.7");
	check_ts(&sa->ts[1].remote, AF_INET, 6, 1024, 65535, "10.9.0.5", "10.9.0.5");

	sa = &cfg.sas[1];
	check_text(sa->name, "gcm128-out");
	CU_ASSERT_EQUAL(sa->spi, 0x2001);
	CU_ASSERT_EQUAL(sa->dir, CFG_SA_OUT);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TUNNEL);
	CU_ASSERT_EQUAL(sa->key_len, 20);
	check_key_run(sa->key, 20, 0xa0);
	CU_ASSERT_FALSE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 0);
	CU_ASSERT_EQUAL(sa->df, CFG_SA_DF_SET);
	CU_ASSERT_EQUAL(sa->dscp, 46);
	CU_ASSERT_EQUAL(sa->worker, CFG_NONE);
	CU_ASSERT_EQUAL(sa->worker_lcore, CFG_NONE);
	/* 64-bit values with L, and 2^32 without L (libconfig would read 0). */
	CU_ASSERT_EQUAL(sa->hard.bytes, 10000000000ULL);
	CU_ASSERT_EQUAL(sa->soft.bytes, 10000000000ULL);
	CU_ASSERT_EQUAL(sa->soft.packets, 4294967296ULL);
	CU_ASSERT_EQUAL(sa->hard.packets, 0);
	CU_ASSERT_EQUAL(sa->n_ts, 1);
	CU_ASSERT_EQUAL(sa->line, 55);
}

/* AES-GCM-256 transport over IPv6, AES-CBC in both mixed-family tunnels with UDP encap. */
static void
test_sa_gcm256_cbc(void)
{
	const struct cfg_sa *sa = &cfg.sas[2];

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	check_text(sa->name, "gcm256-in.v6");
	CU_ASSERT_EQUAL(sa->spi, 0xffffffffu);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TRANSPORT);
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_AES_GCM_256);
	CU_ASSERT_EQUAL(sa->key_len, 36);
	check_key_run(sa->key, 36, 0x00);
	check_addr(&sa->local, AF_INET6, "2001:db8:1::1");
	check_addr(&sa->remote, AF_INET6, "2001:db8:1::2");
	CU_ASSERT_EQUAL(sa->replay_window, 64);
	CU_ASSERT_EQUAL_FATAL(sa->n_ts, 1);
	check_ts(&sa->ts[0].local, AF_INET6, 58, 128, 129, "2001:db8:1::1", "2001:db8:1::1");
	check_ts(&sa->ts[0].remote, AF_INET6, 58, 0, 0, "2001:db8:1::2", "2001:db8:1::2");

	sa = &cfg.sas[3];
	check_text(sa->name, "cbc128-out");
	CU_ASSERT_EQUAL(sa->spi, 3000);
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_AES_CBC_128_SHA256);
	CU_ASSERT_EQUAL(sa->key_len, 16);
	check_key_run(sa->key, 16, 0xc0);
	CU_ASSERT_EQUAL(sa->auth_key_len, 32);
	check_key_run(sa->auth_key, 32, 0xd0);
	check_addr(&sa->local, AF_INET6, "2001:db8:1::1");
	CU_ASSERT_TRUE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->local_port, 4500);
	CU_ASSERT_EQUAL(sa->remote_port, 4501);
	CU_ASSERT_EQUAL(sa->dscp, CFG_NONE);
	CU_ASSERT_EQUAL_FATAL(sa->n_ts, 1);
	check_ts(&sa->ts[0].local, AF_INET, 0, 0, 65535, "198.51.100.0", "198.51.100.255");
	check_ts(&sa->ts[0].remote, AF_INET, 0, 0, 65535, "10.9.1.0", "10.9.1.255");

	sa = &cfg.sas[4];
	check_text(sa->name, "cbc256-in");
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_AES_CBC_256_SHA256);
	CU_ASSERT_EQUAL(sa->key_len, 32);
	check_key_run(sa->key, 32, 0x40);
	CU_ASSERT_EQUAL(sa->auth_key_len, 32);
	check_key_run(sa->auth_key, 32, 0x60);
	check_addr(&sa->remote, AF_INET, "192.0.2.3");
	CU_ASSERT_TRUE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->local_port, 4500);
	CU_ASSERT_EQUAL(sa->remote_port, 4500);
	CU_ASSERT_EQUAL(sa->replay_window, 4096);
	CU_ASSERT_FALSE(sa->esn);
	CU_ASSERT_EQUAL(sa->df, CFG_SA_DF_CLEAR);
	CU_ASSERT_EQUAL(sa->worker_lcore, 1);
	CU_ASSERT_EQUAL(sa->worker, 0);
	CU_ASSERT_EQUAL_FATAL(sa->n_ts, 1);
	check_ts(&sa->ts[0].local, AF_INET6, 0, 0, 65535, "2001:db8:2::",
		 "2001:db8:2:0:ffff:ffff:ffff:ffff");
	check_ts(&sa->ts[0].remote, AF_INET6, 0, 0, 65535, "2001:db8:9::",
		 "2001:db8:9:ffff:ffff:ffff:ffff:ffff");
}

/* ChaCha20-Poly1305 transport with four selectors, an SA without selectors, SPI 256. */
static void
test_sa_chacha(void)
{
	const struct cfg_sa *sa = &cfg.sas[5];

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	check_text(sa->name, "chacha-out");
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_CHACHA20_POLY1305);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TRANSPORT);
	CU_ASSERT_EQUAL(sa->key_len, 36);
	check_key_run(sa->key, 36, 0x80);
	CU_ASSERT_EQUAL(sa->port, 1);	/* 198.51.100.1 is the inside port's */
	CU_ASSERT_TRUE(sa->esn);
	CU_ASSERT_EQUAL(sa->dscp, 0);
	CU_ASSERT_EQUAL_FATAL(sa->n_ts, 4);
	check_ts(&sa->ts[0].local, AF_INET, 47, 0, 65535, "198.51.100.1", "198.51.100.1");
	check_ts(&sa->ts[0].remote, AF_INET, 47, 0, 65535, "198.51.100.7", "198.51.100.7");
	check_ts(&sa->ts[1].local, AF_INET, 17, 500, 500, "198.51.100.1", "198.51.100.1");
	check_ts(&sa->ts[1].remote, AF_INET, 17, 0, 65535, "198.51.100.7", "198.51.100.7");
	check_ts(&sa->ts[2].local, AF_INET, 132, 5000, 5000, "198.51.100.1", "198.51.100.1");
	check_ts(&sa->ts[2].remote, AF_INET, 132, 0, 65535, "198.51.100.7", "198.51.100.7");
	check_ts(&sa->ts[3].local, AF_INET, 1, 8, 8, "198.51.100.1", "198.51.100.1");
	check_ts(&sa->ts[3].remote, AF_INET, 1, 0, 65535, "198.51.100.7", "198.51.100.7");

	sa = &cfg.sas[6];
	check_text(sa->name, "c2-out");
	CU_ASSERT_EQUAL(sa->spi, 0x2001);	/* outbound SPIs may repeat */
	check_key_run(sa->key, 20, 0xe0);
	CU_ASSERT_EQUAL(sa->n_ts, 0);

	sa = &cfg.sas[7];
	check_text(sa->name, "C_2.in");
	CU_ASSERT_EQUAL(sa->spi, 256);
	CU_ASSERT_EQUAL(sa->alg, CFG_SA_CHACHA20_POLY1305);
	check_key_run(sa->key, 36, 0x24);
	CU_ASSERT_EQUAL(sa->auth_key_len, 0);
	CU_ASSERT_TRUE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->local_port, 4600);
	CU_ASSERT_EQUAL(sa->remote_port, 65535);
	CU_ASSERT_EQUAL(sa->replay_window, 64);
	CU_ASSERT_EQUAL(sa->port, 0);
	CU_ASSERT_EQUAL(sa->line, 143);
}

static void
check_selector_policy(unsigned int i, uint32_t priority, enum cfg_policy_action action,
		      int sa, int line)
{
	const struct cfg_policy *p = &cfg.policies[i];

	CU_ASSERT_EQUAL(p->kind, CFG_POLICY_SELECTOR);
	CU_ASSERT_EQUAL(p->priority, priority);
	CU_ASSERT_EQUAL(p->action, action);
	CU_ASSERT_EQUAL(p->sa, sa);
	CU_ASSERT_EQUAL(p->line, line);
}

static void
check_client_policy(unsigned int i, int family, const char *prefix, int sa, int line)
{
	const struct cfg_policy *p = &cfg.policies[i];
	char buf[64];

	CU_ASSERT_EQUAL(p->kind, CFG_POLICY_CLIENT);
	CU_ASSERT_EQUAL(p->action, CFG_POLICY_PROTECT);
	CU_ASSERT_EQUAL(p->client.family, family);
	cfg_prefix_format(&p->client, false, buf, sizeof(buf));
	check_text(buf, prefix);
	CU_ASSERT_EQUAL(p->sa, sa);
	CU_ASSERT_EQUAL(p->line, line);
}

static void
test_policies(void)
{
	static const char all_v6[] = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
	const struct cfg_policy *p = cfg.policies;

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_policies, 9);
	check_selector_policy(0, 100, CFG_POLICY_PROTECT, 1, 158);
	check_ts(&p[0].local, AF_INET, 0, 0, 65535, "203.0.113.0", "203.0.113.255");
	check_ts(&p[0].remote, AF_INET, 0, 0, 65535, "10.9.0.5", "10.9.0.5");
	check_selector_policy(1, 200, CFG_POLICY_BYPASS, CFG_NONE, 160);
	check_ts(&p[1].local, AF_INET6, 0, 0, 65535, "::", all_v6);
	check_ts(&p[1].remote, AF_INET6, 0, 0, 65535, "::", all_v6);
	check_selector_policy(2, 0, CFG_POLICY_DISCARD, CFG_NONE, 161);
	check_ts(&p[2].local, AF_INET, 17, 53, 53, "10.0.0.0", "10.255.255.255");
	check_ts(&p[2].remote, AF_INET, 17, 0, 65535, "0.0.0.0", "255.255.255.255");
	check_selector_policy(3, 2147483647u, CFG_POLICY_PROTECT, 3, 163);
	check_ts(&p[3].local, AF_INET, 6, 80, 80, "198.51.100.0", "198.51.100.255");
	check_ts(&p[3].remote, AF_INET, 6, 1024, 2047, "10.9.1.0", "10.9.1.255");
	check_client_policy(4, AF_INET, "10.9.0.6/32", 6, 166);
	check_client_policy(5, AF_INET, "10.9.0.128/25", 6, 167);
	check_client_policy(6, AF_INET6, "2001:db8:9::/48", 6, 168);
	/* The same priority in the other family is fine. */
	check_selector_policy(7, 100, CFG_POLICY_DISCARD, CFG_NONE, 169);
	check_ts(&p[7].local, AF_INET6, 58, 128, 128, "2001:db8:2::",
		 "2001:db8:2:0:ffff:ffff:ffff:ffff");
	check_ts(&p[7].remote, AF_INET6, 58, 0, 0, "2001:db8:9::",
		 "2001:db8:9:ffff:ffff:ffff:ffff:ffff");
	/* A plain address is a host prefix. */
	check_client_policy(8, AF_INET, "10.9.0.7/32", 6, 172);
}

/* SAs in an @include'd file, every optional setting at its default. */
static void
test_defaults_include(void)
{
	const struct cfg_sa *sa = &cfg.sas[0];

	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(tmp_copy("ipsec-include.conf", 0644), 0);
	CU_ASSERT_EQUAL_FATAL(tmp_copy("ipsec-keys.inc", 0600), 0);
	CU_ASSERT_EQUAL(load_tmp("ipsec-include.conf"), 0);
	tmp_cleanup();
	CU_ASSERT_EQUAL(cfg.ipsec.default_policy, CFG_POLICY_BYPASS);
	CU_ASSERT_EQUAL(cfg.ipsec.max_sas, 4096);
	CU_ASSERT_EQUAL(cfg.ipsec.max_policies, 1024);
	CU_ASSERT_EQUAL(cfg.ipsec.max_clients, 65536);
	CU_ASSERT_EQUAL_FATAL(cfg.n_sas, 2);
	check_text(sa->name, "minimal-in");
	CU_ASSERT_EQUAL(sa->spi, 256);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TUNNEL);
	CU_ASSERT_EQUAL(sa->key_len, 36);
	for (unsigned int i = 0; i < 36; i++)
		CU_ASSERT_EQUAL(sa->key[i], 0xff - i);
	CU_ASSERT_FALSE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->local_port, 0);
	CU_ASSERT_EQUAL(sa->remote_port, 0);
	CU_ASSERT_FALSE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 64);
	CU_ASSERT_EQUAL(sa->df, CFG_SA_DF_COPY);
	CU_ASSERT_EQUAL(sa->dscp, CFG_NONE);
	CU_ASSERT_EQUAL(sa->worker, CFG_NONE);
	CU_ASSERT_EQUAL(sa->worker_lcore, CFG_NONE);
	CU_ASSERT_EQUAL(sa->soft.bytes, 0);
	CU_ASSERT_EQUAL(sa->hard.bytes, 0);
	CU_ASSERT_EQUAL(sa->soft.packets, 0);
	CU_ASSERT_EQUAL(sa->hard.packets, 0);
	CU_ASSERT_EQUAL(sa->n_ts, 0);
	CU_ASSERT_EQUAL(sa->line, 3);	/* in the included file */
	sa = &cfg.sas[1];
	CU_ASSERT_EQUAL(sa->dir, CFG_SA_OUT);
	CU_ASSERT_EQUAL(sa->replay_window, 0);
	CU_ASSERT_EQUAL(sa->key_len, 16);
	CU_ASSERT_EQUAL(sa->key[15], 0x0f);
	CU_ASSERT_EQUAL(sa->key[0], 0);
	CU_ASSERT_EQUAL(sa->auth_key_len, 32);
	CU_ASSERT_EQUAL(sa->auth_key[31], 0xff);
	CU_ASSERT_EQUAL(sa->auth_key[30], 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_policies, 1);
	check_client_policy(0, AF_INET, "10.9.0.0/16", 1, 17);
	/* A file without any IPsec section. */
	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(cfg_load("good/minimal.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.n_sas, 0);
	CU_ASSERT_EQUAL(cfg.n_policies, 0);
	CU_ASSERT_EQUAL(cfg.ipsec.default_policy, CFG_POLICY_BYPASS);
	CU_ASSERT_EQUAL(cfg.ipsec.max_sas, 4096);
}

/* ---- who may read a file with keys ---- */

static void
expect_mode_error(const char *name, mode_t mode, const char *file, const char *rest)
{
	char want[CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(chmod(tmp_path(name), mode), 0);
	snprintf(want, sizeof(want), "%s/%s%s", tmp_dir, file, rest);
	CU_ASSERT_EQUAL(cfg_load(tmp_path("ipsec.conf"), &cfg, err, sizeof(err)), -EINVAL);
	check_text(err, want);
}

static void
test_key_file_mode(void)
{
	static const char readable[] =
		":37: SA \"gcm128-in\": key in a file readable by group or others (chmod 600)";
	static const char writable[] =
		":37: SA \"gcm128-in\": key in a file writable by group or others (chmod 600)";

	CU_ASSERT_EQUAL_FATAL(tmp_copy("ipsec.conf", 0644), 0);
	expect_mode_error("ipsec.conf", 0644, "ipsec.conf", readable);
	expect_mode_error("ipsec.conf", 0640, "ipsec.conf", readable);
	expect_mode_error("ipsec.conf", 0604, "ipsec.conf", readable);
	expect_mode_error("ipsec.conf", 0620, "ipsec.conf", writable);
	expect_mode_error("ipsec.conf", 0602, "ipsec.conf", writable);
	/* Private to the owner (execute bits do not matter). */
	CU_ASSERT_EQUAL(chmod(tmp_path("ipsec.conf"), 0400), 0);
	CU_ASSERT_EQUAL(load_tmp("ipsec.conf"), 0);
	CU_ASSERT_EQUAL(chmod(tmp_path("ipsec.conf"), 0711), 0);
	CU_ASSERT_EQUAL(load_tmp("ipsec.conf"), 0);
	tmp_cleanup();
}

/* The file a key comes from counts, not the main file. */
static void
test_key_file_mode_include(void)
{
	char want[CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(tmp_copy("ipsec-include.conf", 0600), 0);
	CU_ASSERT_EQUAL_FATAL(tmp_copy("ipsec-keys.inc", 0644), 0);
	CU_ASSERT_EQUAL(cfg_load(tmp_path("ipsec-include.conf"), &cfg, err, sizeof(err)),
			-EINVAL);
	snprintf(want, sizeof(want), "%s/ipsec-keys.inc:4: SA \"minimal-in\": key in a file "
		 "readable by group or others (chmod 600)", tmp_dir);
	check_text(err, want);
	/* Private again: fine. */
	CU_ASSERT_EQUAL(chmod(tmp_path("ipsec-keys.inc"), 0600), 0);
	CU_ASSERT_EQUAL(load_tmp("ipsec-include.conf"), 0);
	tmp_cleanup();
}

/* ---- JSON never shows key material ---- */

static void
hex_of(const uint8_t *b, unsigned int n, bool upper, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, upper ? "%02X" : "%02x", b[i]);
}

static const char *
json_text(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* No 4-byte window of any key, in either case, appears in text. */
static void
check_no_key(const char *text, const uint8_t *key, unsigned int len)
{
	char hex[HEX_LEN];

	for (unsigned int i = 0; i + 4 <= len; i++) {
		hex_of(key + i, 4, false, hex);
		CU_ASSERT_PTR_NULL(strstr(text, hex));
		hex_of(key + i, 4, true, hex);
		CU_ASSERT_PTR_NULL(strstr(text, hex));
	}
}

static void
test_json_hides_keys(void)
{
	struct json_object *o;
	const char *text;

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	o = cfg_to_json(&cfg);
	text = json_text(o);
	for (unsigned int i = 0; i < cfg.n_sas; i++) {
		check_no_key(text, cfg.sas[i].key, cfg.sas[i].key_len);
		check_no_key(text, cfg.sas[i].auth_key, cfg.sas[i].auth_key_len);
	}
	CU_ASSERT_PTR_NULL(strstr(text, "0x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"key\":\"<20 bytes hidden>\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"key\":\"<36 bytes hidden>\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"auth_key\":\"<32 bytes hidden>\""));
	json_object_put(o);
}

static const char sa0_json[] =
	"{\"name\":\"gcm128-in\",\"spi\":4097,\"direction\":\"in\",\"mode\":\"tunnel\","
	"\"algorithm\":\"aes-gcm-128\",\"key\":\"<20 bytes hidden>\",\"local\":\"192.0.2.1\","
	"\"remote\":\"192.0.2.2\",\"udp_encap\":false,\"esn\":true,\"replay_window\":1024,"
	"\"df\":\"copy\",\"dscp\":\"copy\",\"worker\":2,\"lifetime\":{\"soft_bytes\":1000000,"
	"\"hard_bytes\":2000000,\"soft_packets\":900,\"hard_packets\":1000},"
	"\"selectors\":[{\"local\":\"203.0.113.0/24\",\"remote\":\"10.9.0.0/16\","
	"\"protocol\":\"any\",\"local_ports\":\"any\",\"remote_ports\":\"any\"},"
	"{\"local\":\"198.51.100.7/32\",\"remote\":\"10.9.0.5/32\",\"protocol\":\"tcp\","
	"\"local_ports\":\"443\",\"remote_ports\":\"1024-65535\"}]}";

static const char sa3_json[] =
	"{\"name\":\"cbc128-out\",\"spi\":3000,\"direction\":\"out\",\"mode\":\"tunnel\","
	"\"algorithm\":\"aes-cbc-128-hmac-sha256\",\"key\":\"<16 bytes hidden>\","
	"\"auth_key\":\"<32 bytes hidden>\",\"local\":\"2001:db8:1::1\","
	"\"remote\":\"2001:db8:1::2\",\"udp_encap\":true,\"local_port\":4500,"
	"\"remote_port\":4501,\"esn\":false,\"df\":\"copy\",\"dscp\":\"copy\","
	"\"lifetime\":{\"soft_bytes\":0,\"hard_bytes\":0,\"soft_packets\":0,\"hard_packets\":0},"
	"\"selectors\":[{\"local\":\"198.51.100.0/24\",\"remote\":\"10.9.1.0/24\","
	"\"protocol\":\"any\",\"local_ports\":\"any\",\"remote_ports\":\"any\"}]}";

static const char policies_json[] =
	"[{\"priority\":100,\"action\":\"protect\",\"sa\":\"gcm128-out\","
	"\"local\":\"203.0.113.0/24\",\"remote\":\"10.9.0.5/32\",\"protocol\":\"any\","
	"\"local_ports\":\"any\",\"remote_ports\":\"any\"},"
	"{\"priority\":200,\"action\":\"bypass\",\"local\":\"::/0\",\"remote\":\"::/0\","
	"\"protocol\":\"any\",\"local_ports\":\"any\",\"remote_ports\":\"any\"},"
	"{\"priority\":0,\"action\":\"discard\",\"local\":\"10.0.0.0/8\","
	"\"remote\":\"0.0.0.0/0\",\"protocol\":\"udp\",\"local_ports\":\"53\","
	"\"remote_ports\":\"any\"},"
	"{\"priority\":2147483647,\"action\":\"protect\",\"sa\":\"cbc128-out\","
	"\"local\":\"198.51.100.0/24\",\"remote\":\"10.9.1.0/24\",\"protocol\":\"tcp\","
	"\"local_ports\":\"80\",\"remote_ports\":\"1024-2047\"},"
	"{\"client\":\"10.9.0.6/32\",\"sa\":\"c2-out\"},"
	"{\"client\":\"10.9.0.128/25\",\"sa\":\"c2-out\"},"
	"{\"client\":\"2001:db8:9::/48\",\"sa\":\"c2-out\"},"
	"{\"priority\":100,\"action\":\"discard\",\"local\":\"2001:db8:2::/64\","
	"\"remote\":\"2001:db8:9::/48\",\"protocol\":\"ipv6-icmp\",\"local_ports\":\"128\","
	"\"remote_ports\":\"0\"},"
	"{\"client\":\"10.9.0.7/32\",\"sa\":\"c2-out\"}]";

static void
test_json_ipsec(void)
{
	struct json_object *o, *v;

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	o = cfg_to_json(&cfg);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "ipsec", &v));
	check_text(json_text(v), "{\"default_policy\":\"discard\",\"max_sas\":16,"
		   "\"max_policies\":4,\"max_clients\":16}");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "sas", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 8);
	check_text(json_text(json_object_array_get_idx(v, 0)), sa0_json);
	check_text(json_text(json_object_array_get_idx(v, 3)), sa3_json);
	check_text(json_text(json_object_object_get(json_object_array_get_idx(v, 2),
						    "selectors")),
		   "[{\"local\":\"2001:db8:1::1/128\",\"remote\":\"2001:db8:1::2/128\","
		   "\"protocol\":\"ipv6-icmp\",\"local_ports\":\"128-129\","
		   "\"remote_ports\":\"0\"}]");
	check_text(json_text(json_object_object_get(json_object_array_get_idx(v, 5),
						    "selectors")),
		   "[{\"local\":\"198.51.100.1/32\",\"remote\":\"198.51.100.7/32\","
		   "\"protocol\":\"47\",\"local_ports\":\"any\",\"remote_ports\":\"any\"},"
		   "{\"local\":\"198.51.100.1/32\",\"remote\":\"198.51.100.7/32\","
		   "\"protocol\":\"udp\",\"local_ports\":\"500\",\"remote_ports\":\"any\"},"
		   "{\"local\":\"198.51.100.1/32\",\"remote\":\"198.51.100.7/32\","
		   "\"protocol\":\"sctp\",\"local_ports\":\"5000\",\"remote_ports\":\"any\"},"
		   "{\"local\":\"198.51.100.1/32\",\"remote\":\"198.51.100.7/32\","
		   "\"protocol\":\"icmp\",\"local_ports\":\"8\",\"remote_ports\":\"any\"}]");
	check_text(json_text(json_object_object_get(json_object_array_get_idx(v, 1),
						    "dscp")), "46");
	check_text(json_text(json_object_object_get(json_object_array_get_idx(v, 1),
						    "df")), "\"set\"");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "policies", &v));
	check_text(json_text(v), policies_json);
	json_object_put(o);
}

/* ---- keys wiped, names ---- */

static void
test_wipe_keys(void)
{
	static const uint8_t zero[CFG_SA_MAX_KEY];

	CU_ASSERT_EQUAL_FATAL(load_ipsec(), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(cfg.sas[0].key, zero, cfg.sas[0].key_len), 0);
	cfg_wipe_keys(&cfg);
	for (unsigned int i = 0; i < CFG_MAX_SAS; i++) {
		CU_ASSERT_EQUAL(memcmp(cfg.sas[i].key, zero, CFG_SA_MAX_KEY), 0);
		CU_ASSERT_EQUAL(memcmp(cfg.sas[i].auth_key, zero, CFG_SA_MAX_AUTH_KEY), 0);
	}
	CU_ASSERT_EQUAL(cfg.sas[0].key_len, 20);	/* the rest stays */
	CU_ASSERT_EQUAL(cfg.sas[0].spi, 0x1001);
}

static void
test_ipsec_names(void)
{
	static const char *const algs[] = {
		"aes-gcm-128", "aes-gcm-256", "aes-cbc-128-hmac-sha256",
		"aes-cbc-256-hmac-sha256", "chacha20-poly1305"
	};
	static const uint8_t key_len[] = { 20, 36, 16, 32, 36 };
	static const uint8_t auth_len[] = { 0, 0, 32, 32, 0 };

	CU_ASSERT_EQUAL(CFG_SA_ALG_COUNT, 5);
	for (unsigned int i = 0; i < CFG_SA_ALG_COUNT; i++) {
		check_text(cfg_sa_alg_name((enum cfg_sa_alg)i), algs[i]);
		CU_ASSERT_EQUAL(cfg_sa_alg_key_len((enum cfg_sa_alg)i), key_len[i]);
		CU_ASSERT_EQUAL(cfg_sa_alg_auth_key_len((enum cfg_sa_alg)i), auth_len[i]);
	}
	check_text(cfg_sa_alg_name(CFG_SA_ALG_COUNT), "?");
	CU_ASSERT_EQUAL(cfg_sa_alg_key_len(CFG_SA_ALG_COUNT), 0);
	check_text(cfg_sa_dir_name(CFG_SA_IN), "in");
	check_text(cfg_sa_dir_name(CFG_SA_OUT), "out");
	check_text(cfg_sa_dir_name((enum cfg_sa_dir)2), "?");
	check_text(cfg_sa_mode_name(CFG_SA_TUNNEL), "tunnel");
	check_text(cfg_sa_mode_name(CFG_SA_TRANSPORT), "transport");
	check_text(cfg_sa_df_name(CFG_SA_DF_COPY), "copy");
	check_text(cfg_sa_df_name(CFG_SA_DF_SET), "set");
	check_text(cfg_sa_df_name(CFG_SA_DF_CLEAR), "clear");
	check_text(cfg_sa_df_name((enum cfg_sa_df)3), "?");
	check_text(cfg_policy_action_name(CFG_POLICY_BYPASS), "bypass");
	check_text(cfg_policy_action_name(CFG_POLICY_DISCARD), "discard");
	check_text(cfg_policy_action_name(CFG_POLICY_PROTECT), "protect");
	check_text(cfg_policy_action_name((enum cfg_policy_action)3), "?");
}

/* ---- the commented static-SA example of config/hagw.example.conf ---- */

static const char example_begin[] = "# BEGIN static IPsec example";
static const char example_end[] = "# END static IPsec example";

/* Removes the first '#' of each line between the markers. */
static int
uncomment_example(char *text, size_t *len)
{
	char *begin = strstr(text, example_begin), *end = strstr(text, example_end), *p, *w;

	if (begin == NULL || end == NULL || end < begin)
		return -ENOENT;
	p = strchr(begin, '\n');
	w = p;
	while (p != NULL && p < end) {
		*w++ = *p++;			/* the newline */
		if (*p == '#' && p < end)
			p++;
		while (p < end && *p != '\n')
			*w++ = *p++;
	}
	memmove(w, end, strlen(end) + 1);
	*len = strlen(text);
	return 0;
}

static void
test_example_sas(void)
{
	static char text[FILE_MAX];
	size_t len;

	CU_ASSERT_EQUAL_FATAL(read_file(CFG_EXAMPLE_DIR "/hagw.example.conf", text,
					sizeof(text), &len), 0);
	CU_ASSERT_EQUAL_FATAL(uncomment_example(text, &len), 0);
	CU_ASSERT_EQUAL_FATAL(tmp_write("example.conf", text, len, 0600), 0);
	memset(&cfg, 0xa5, sizeof(cfg));
	CU_ASSERT_EQUAL(load_tmp("example.conf"), 0);
	CU_ASSERT_EQUAL(cfg.n_sas, 4);
	CU_ASSERT_EQUAL(cfg.n_policies, 4);
	CU_ASSERT_EQUAL(cfg.ipsec.default_policy, CFG_POLICY_BYPASS);
	/* The same file checked out 0644 is refused. */
	CU_ASSERT_EQUAL(chmod(tmp_path("example.conf"), 0644), 0);
	CU_ASSERT_EQUAL(cfg_load(tmp_path("example.conf"), &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "key in a file readable by group or others "
				      "(chmod 600)"));
	tmp_cleanup();
	/* As shipped (commented out) it has no SAs. */
	CU_ASSERT_EQUAL(cfg_load(CFG_EXAMPLE_DIR "/hagw.example.conf", &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(cfg.n_sas, 0);
	CU_ASSERT_EQUAL(cfg.n_policies, 0);
}

/* A failed load leaves *cfg as it was, even when SAs were parsed before the error. */
static void
test_ipsec_nothing_half_applied(void)
{
	static struct cfg before;

	memset(&cfg, 0x5a, sizeof(cfg));
	memcpy(&before, &cfg, sizeof(cfg));
	CU_ASSERT_EQUAL(cfg_load("bad/94-spi-duplicate-in.conf", &cfg, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
	CU_ASSERT_EQUAL(cfg_load("bad/149-policy-priority-twice.conf", &cfg, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
}

const struct named_test ipsec_tests[] = {
	{ "ipsec: section", test_ipsec_section },
	{ "ipsec: AES-GCM-128 SAs", test_sa_gcm128 },
	{ "ipsec: AES-GCM-256 and AES-CBC SAs", test_sa_gcm256_cbc },
	{ "ipsec: ChaCha20-Poly1305 SAs", test_sa_chacha },
	{ "ipsec: policies", test_policies },
	{ "ipsec: defaults, @include", test_defaults_include },
	{ "ipsec: key file mode", test_key_file_mode },
	{ "ipsec: key file mode, @include", test_key_file_mode_include },
	{ "ipsec: json hides keys", test_json_hides_keys },
	{ "ipsec: json", test_json_ipsec },
	{ "ipsec: wipe keys", test_wipe_keys },
	{ "ipsec: names", test_ipsec_names },
	{ "ipsec: example file", test_example_sas },
	{ "ipsec: nothing half-applied", test_ipsec_nothing_half_applied },
};

const unsigned int n_ipsec_tests = sizeof(ipsec_tests) / sizeof(ipsec_tests[0]);
