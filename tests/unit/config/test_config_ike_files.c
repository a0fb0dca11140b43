/*
 * Unit tests of the files the ike section names (config/cfg_ike_secrets.c,
 * cfg_ike_files.c): secret file contents (text, trailing newline, hex,
 * lengths, binary bytes) table-driven with exact values or messages, the
 * mode rule for secrets and private keys, missing and empty certificates,
 * relative names, wiping, nothing half-applied, and the commented IKE
 * example of config/hagw.example.conf. Files live in the private directory
 * of test_config_ike.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"
#include "test_config.h"

#ifndef CFG_EXAMPLE_DIR
#define CFG_EXAMPLE_DIR "../../../config"
#endif

enum {
	FILE_MAX = 65536,
	PSK_BIG = 600,
	CWD_LEN = 4096,
};

static struct cfg cfg;
static char err[CFG_ERR_LEN];

static void
check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got      %s\n  expected %s\n", got, want);
}

static int
load(void)
{
	return cfg_load(ike_tmp_path("ike.conf"), &cfg, err, sizeof(err));
}

/* "DIR/ike.conf:LINE: SETTING: " + printf(fmt, DIR) */
static void
expect_error(unsigned int line, const char *setting, const char *fmt)
{
	char want[2 * CFG_ERR_LEN], rest[CFG_ERR_LEN];

	snprintf(rest, sizeof(rest), fmt, ike_tmp_dir());
	snprintf(want, sizeof(want), "%s/ike.conf:%u: %s: %s", ike_tmp_dir(), line, setting,
		 rest);
	CU_ASSERT_EQUAL(load(), -EINVAL);
	check_text(err, want);
}

/* ---- secret file contents ---- */

struct psk_case {
	const char *text;	/* file contents */
	size_t len;
	const char *psk;	/* expected secret, or NULL: an error */
	size_t psk_len;
	const char *error;	/* after "the secret in DIR/ike/rw.psk " */
};

#define T(s) s, sizeof(s) - 1

static const struct psk_case psk_cases[] = {
	{ T("12345678"), T("12345678"), NULL },
	{ T("password\n"), T("password"), NULL },
	{ T("password\r\n"), T("password"), NULL },
	{ T("password\n\n"), T("password\n"), NULL },		/* one newline only */
	{ T("ab\0cd efg\n"), T("ab\0cd efg"), NULL },		/* bytes are bytes */
	{ T("1234567\n"), NULL, 0, "is 7 bytes, allowed 8..256" },
	{ T(""), NULL, 0, "is 0 bytes, allowed 8..256" },
	{ T("\n"), NULL, 0, "is 0 bytes, allowed 8..256" },
	{ T("0x0011223344556677\n"), T("\x00\x11\x22\x33\x44\x55\x66\x77"), NULL },
	{ T("0XaAbBcCdDeEfF0099"), T("\xaa\xbb\xcc\xdd\xee\xff\x00\x99"), NULL },
	{ T("0x00112233445566\n"), NULL, 0, "is 7 bytes, allowed 8..256" },
	{ T("0x"), NULL, 0, "is 0 bytes, allowed 8..256" },
	{ T("0x001122334455667\n"), NULL, 0, "has an odd number of hex digits (15)" },
	{ T("0x00112233g4556677\n"), NULL, 0,
	  "is not hex after 0x (character 11 is not a hex digit)" },
};

#define N_PSK_CASES (sizeof(psk_cases) / sizeof(psk_cases[0]))

static void
check_psk_case(const struct psk_case *c)
{
	char want[CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", c->text, c->len, 0600), 0);
	memset(&cfg, 0xa5, sizeof(cfg));
	if (c->psk != NULL) {
		CU_ASSERT_EQUAL(load(), 0);
		CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk_len, c->psk_len);
		CU_ASSERT_EQUAL(memcmp(cfg.ike.secrets[0].psk, c->psk, c->psk_len), 0);
		return;
	}
	snprintf(want, sizeof(want), "%s/ike.conf:42: ike.secrets[0].file: the secret in "
		 "%s/ike/rw.psk %s", ike_tmp_dir(), ike_tmp_dir(), c->error);
	CU_ASSERT_EQUAL(load(), -EINVAL);
	check_text(err, want);
}

static void
test_psk_contents(void)
{
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	for (unsigned int i = 0; i < N_PSK_CASES; i++)
		check_psk_case(&psk_cases[i]);
	ike_tmp_cleanup();
}

/* 256 bytes is the most, as text or as hex; a file above 516 bytes is refused unread. */
static void
test_psk_lengths(void)
{
	static char text[PSK_BIG];

	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	memset(text, 'a', sizeof(text));
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", text, 256, 0600), 0);
	CU_ASSERT_EQUAL(load(), 0);
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk_len, 256);
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk[255], 'a');
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", text, 257, 0600), 0);
	expect_error(42, "ike.secrets[0].file", "the secret in %s/ike/rw.psk is 257 bytes, "
		     "allowed 8..256");
	text[0] = '0';
	text[1] = 'x';
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", text, 2 + 512, 0600), 0);
	CU_ASSERT_EQUAL(load(), 0);
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk_len, 256);
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk[0], 0xaa);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", text, 2 + 514, 0600), 0);
	expect_error(42, "ike.secrets[0].file", "the secret in %s/ike/rw.psk is 257 bytes, "
		     "allowed 8..256");
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/rw.psk", text, sizeof(text), 0600), 0);
	expect_error(42, "ike.secrets[0].file", "secret file %s/ike/rw.psk is larger than "
		     "516 bytes");
	ike_tmp_cleanup();
}

/* ---- modes ---- */

static void
expect_mode(const char *name, mode_t mode, unsigned int line, const char *setting,
	    const char *fmt)
{
	CU_ASSERT_EQUAL_FATAL(chmod(ike_tmp_path(name), mode), 0);
	expect_error(line, setting, fmt);
}

static void
test_secret_mode(void)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0620, 0602, 0610, 0601, 0660 };
	char fmt[CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(fmt, sizeof(fmt), "secret file %%s/ike/rw.psk is accessible by group or "
			 "others (mode %04o; chmod 600)", (unsigned int)modes[i]);
		expect_mode("ike/rw.psk", modes[i], 42, "ike.secrets[0].file", fmt);
	}
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/rw.psk"), 0600), 0);
	expect_mode("ike/site.psk", 0644, 43, "ike.secrets[1].file", "secret file "
		    "%s/ike/site.psk is accessible by group or others (mode 0644; chmod 600)");
	/* Only the owner's bits may be set. */
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/site.psk"), 0400), 0);
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/rw.psk"), 0700), 0);
	CU_ASSERT_EQUAL(load(), 0);
	ike_tmp_cleanup();
}

static void
test_key_and_cert_files(void)
{
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	expect_mode("ike/gw.key", 0640, 91, "ike.connections[1].local.key", "private key "
		    "%s/ike/gw.key is accessible by group or others (mode 0640; chmod 600)");
	expect_mode("ike/gw.key", 0601, 91, "ike.connections[1].local.key", "private key "
		    "%s/ike/gw.key is accessible by group or others (mode 0601; chmod 600)");
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/gw.key"), 0600), 0);
	/* Certificates may be read by anyone, but must not be empty or missing. */
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/gw.pem"), 0444), 0);
	CU_ASSERT_EQUAL(load(), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/gw.pem", "", 0, 0644), 0);
	expect_error(91, "ike.connections[1].local.cert", "certificate %s/ike/gw.pem is empty");
	CU_ASSERT_EQUAL_FATAL(unlink(ike_tmp_path("ike/gw.pem")), 0);
	expect_error(91, "ike.connections[1].local.cert", "cannot open certificate "
		     "%s/ike/gw.pem: No such file or directory");
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/gw.pem", "x\n", 2, 0644), 0);
	CU_ASSERT_EQUAL_FATAL(unlink(ike_tmp_path("ike/ca.pem")), 0);
	expect_error(95, "ike.connections[1].remote.cacerts[0]", "cannot open CA certificate "
		     "%s/ike/ca.pem: No such file or directory");
	ike_tmp_cleanup();
}

/* The modes are checked last: any other error shows first. */
static void
test_files_checked_last(void)
{
	static char text[FILE_MAX];
	char want[CFG_ERR_LEN];
	FILE *f = fopen("good/ike.conf", "r");
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(text, 1, sizeof(text) - 64, f);
	fclose(f);
	len += (size_t)snprintf(text + len, 64, "cli = { socket = \"relative\"; };\n");
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike.conf", text, len, 0644), 0);
	CU_ASSERT_EQUAL(chmod(ike_tmp_path("ike/rw.psk"), 0644), 0);
	CU_ASSERT_EQUAL(load(), -EINVAL);
	snprintf(want, sizeof(want), "%s/ike.conf:119: cli.socket: 'relative' is not an "
		 "absolute path", ike_tmp_dir());
	check_text(err, want);
	ike_tmp_cleanup();
}

/* A main file named without a directory: names stay relative to the working directory. */
static void
test_relative_names(void)
{
	char cwd[CWD_LEN];

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(chdir(ike_tmp_dir()), 0);
	CU_ASSERT_EQUAL(cfg_load("ike.conf", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	check_text(cfg.ike.secrets[0].file, "ike/rw.psk");
	check_text(cfg.ike.connections[1].local.key, "ike/gw.key");
	check_text(cfg.ike.connections[1].remote.cacerts[0], "ike/ca.pem");
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk_len, 28);
	ike_tmp_cleanup();
}

/* ---- wiping, failures ---- */

static void
test_wipe_secrets(void)
{
	static const uint8_t zero[CFG_IKE_PSK_MAX];

	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(load(), 0);
	ike_tmp_cleanup();
	CU_ASSERT_NOT_EQUAL(memcmp(cfg.ike.secrets[0].psk, zero, 28), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(cfg.ike.secrets[1].psk, zero, 16), 0);
	cfg_ike_wipe_secrets(&cfg);
	for (unsigned int i = 0; i < CFG_MAX_SECRETS; i++) {
		CU_ASSERT_EQUAL(memcmp(cfg.ike.secrets[i].psk, zero, CFG_IKE_PSK_MAX), 0);
		CU_ASSERT_EQUAL(cfg.ike.secrets[i].psk_len, 0);
	}
	/* The rest stays. */
	CU_ASSERT_EQUAL(cfg.ike.n_secrets, 2);
	check_text(cfg.ike.secrets[0].ids[0].text, "carol@example.org");
	CU_ASSERT_EQUAL(cfg.ike.n_connections, 3);
}

/* A failure after the secrets were read leaves *cfg as it was. */
static void
test_ike_nothing_half_applied(void)
{
	static struct cfg before;

	memset(&cfg, 0x5a, sizeof(cfg));
	memcpy(&before, &cfg, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(unlink(ike_tmp_path("ike/ca.pem")), 0);
	CU_ASSERT_EQUAL(load(), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
	ike_tmp_cleanup();
	CU_ASSERT_EQUAL(cfg_load("bad/218-ike-child-duplicate-name.conf", &cfg, err,
				 sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&before, &cfg, sizeof(cfg)), 0);
}

/* ---- the commented IKE example of config/hagw.example.conf ---- */

static const char example_begin[] = "# BEGIN IKE example";
static const char example_end[] = "# END IKE example";

/* Removes the first '#' of each line between the markers. */
static int
uncomment_example(char *text)
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
test_example_ike(void)
{
	static char text[FILE_MAX];
	FILE *f = fopen(CFG_EXAMPLE_DIR "/hagw.example.conf", "r");
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	CU_ASSERT_EQUAL_FATAL(uncomment_example(text), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("example.conf", text, strlen(text), 0644), 0);
	CU_ASSERT_EQUAL_FATAL(ike_tmp_write("ike/clients.psk", "example secret\n", 15, 0600), 0);
	CU_ASSERT_EQUAL(cfg_load(ike_tmp_path("example.conf"), &cfg, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "\nexample: %s\n", err);
	CU_ASSERT_TRUE(cfg.ike.enabled);
	CU_ASSERT_EQUAL(cfg.ike.n_listen, 2);
	CU_ASSERT_EQUAL(cfg.ike.n_pools, 2);
	CU_ASSERT_EQUAL(cfg.ike.n_secrets, 1);
	CU_ASSERT_EQUAL(cfg.ike.secrets[0].psk_len, 14);
	CU_ASSERT_EQUAL_FATAL(cfg.ike.n_connections, 2);
	CU_ASSERT_EQUAL(cfg.ike.connections[1].children[0].start_action, CFG_IKE_ACTION_START);
	ike_tmp_cleanup();
	/* As shipped (commented out): no IKE. */
	CU_ASSERT_EQUAL(cfg_load(CFG_EXAMPLE_DIR "/hagw.example.conf", &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_FALSE(cfg.ike.enabled);
}

const struct named_test ike_file_tests[] = {
	{ "ike: secret contents", test_psk_contents },
	{ "ike: secret lengths", test_psk_lengths },
	{ "ike: secret file mode", test_secret_mode },
	{ "ike: key and certificate files", test_key_and_cert_files },
	{ "ike: files checked last", test_files_checked_last },
	{ "ike: relative file names", test_relative_names },
	{ "ike: wipe secrets", test_wipe_secrets },
	{ "ike: nothing half-applied", test_ike_nothing_half_applied },
	{ "ike: example file", test_example_ike },
};

const unsigned int n_ike_file_tests = sizeof(ike_file_tests) / sizeof(ike_file_tests[0]);
