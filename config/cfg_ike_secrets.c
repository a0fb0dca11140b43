/*
 * Pre-shared keys of the ike section (RFC 7296 §2.15): each secret names
 * the identities it belongs to (unique among all secrets) and a file that
 * holds it, private to its owner. The file holds the secret as text (one
 * trailing newline is not part of it) or as "0x" and hex digits; 8 to 256
 * bytes. The files are read last (cfg_ike_check_files); the secret never
 * appears in a message and is zeroized by cfg_ike_wipe_secrets().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config/cfg_priv.h"

enum {
	HEX_PREFIX_LEN = 2,
	HEX_BASE = 16,
	FILE_MAX = HEX_PREFIX_LEN + 2 * CFG_IKE_PSK_MAX + 2,	/* "0x", digits, "\r\n" */
};

static const char *const secret_keys[] = { "ids", "file", NULL };

/* Where identity ID already has a secret: secrets before INDEX, or earlier ids of this one. */
static bool
id_taken(const struct cfg_ike *ike, unsigned int index, unsigned int n_ids,
	 const struct cfg_ike_id *id, unsigned int *si, unsigned int *ji)
{
	for (unsigned int i = 0; i <= index; i++) {
		unsigned int n = i == index ? n_ids : ike->secrets[i].n_ids;

		for (unsigned int j = 0; j < n; j++)
			if (cfg_ike_id_equal(&ike->secrets[i].ids[j], id)) {
				*si = i;
				*ji = j;
				return true;
			}
	}
	return false;
}

static int
parse_ids(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ike_secret *secret = &ctx->cfg->ike.secrets[index];
	config_setting_t *list, *s;
	unsigned int si, ji;

	if (cfg_get_list(ctx, group, "ids", true, 1, CFG_IKE_MAX_SECRET_IDS, &list) < 0)
		return -EINVAL;
	for (int i = 0; i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_ike_parse_id(ctx, s, false, &secret->ids[i]) < 0)
			return -EINVAL;
		if (id_taken(&ctx->cfg->ike, index, (unsigned int)i, &secret->ids[i], &si, &ji))
			return cfg_err_setting(ctx, s, "identity '%s' already has a secret "
					       "(ike.secrets[%u].ids[%u])", secret->ids[i].text,
					       si, ji);
		secret->n_ids = (uint8_t)(i + 1);
	}
	return 0;
}

static int
parse_secret(struct cfg_ctx *ctx, const config_setting_t *group, unsigned int index)
{
	struct cfg_ike_secret *secret = &ctx->cfg->ike.secrets[index];
	config_setting_t *file;

	if (cfg_check_elem(ctx, group, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, group, secret_keys) < 0 || parse_ids(ctx, group, index) < 0 ||
	    cfg_get_member(ctx, group, "file", CONFIG_TYPE_STRING, true, &file) < 0 ||
	    cfg_ike_path(ctx, file, secret->file, sizeof(secret->file)) < 0)
		return -EINVAL;
	secret->line = config_setting_source_line(group);
	return 0;
}

int
cfg_ike_parse_secrets(struct cfg_ctx *ctx, const config_setting_t *secrets)
{
	for (int i = 0; i < config_setting_length(secrets); i++) {
		if (parse_secret(ctx, config_setting_get_elem(secrets, i), (unsigned int)i) < 0)
			return -EINVAL;
		ctx->cfg->ike.n_secrets = (uint16_t)(i + 1);
	}
	return 0;
}

/* The n hex digits at text into out; why set on error (never the digits themselves). */
static int
decode_hex(const char *text, size_t n, struct cfg_ike_secret *secret, char *why,
	   size_t why_len)
{
	for (size_t i = 0; i < n; i++)
		if (OPENSSL_hexchar2int((unsigned char)text[i]) < 0) {
			snprintf(why, why_len, "is not hex after 0x (character %zu is not a hex "
				 "digit)", HEX_PREFIX_LEN + i + 1);
			return -EINVAL;
		}
	if (n % 2 != 0) {
		snprintf(why, why_len, "has an odd number of hex digits (%zu)", n);
		return -EINVAL;
	}
	if (n / 2 > CFG_IKE_PSK_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n / 2; i++)
		secret->psk[i] = (uint8_t)(OPENSSL_hexchar2int((unsigned char)text[2 * i]) * HEX_BASE +
					   OPENSSL_hexchar2int((unsigned char)text[2 * i + 1]));
	secret->psk_len = (uint16_t)(n / 2);
	return 0;
}

/* TEXT (n bytes, the whole file) into secret->psk; why set on error. */
static int
decode(const char *text, size_t n, struct cfg_ike_secret *secret, char *why, size_t why_len)
{
	if (n > 0 && text[n - 1] == '\n')
		n--;
	if (n > 0 && text[n - 1] == '\r')
		n--;
	if (n >= HEX_PREFIX_LEN && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		int rc = decode_hex(text + HEX_PREFIX_LEN, n - HEX_PREFIX_LEN, secret, why,
				    why_len);

		if (rc != -E2BIG && rc < 0)
			return rc;
		n = rc == -E2BIG ? (n - HEX_PREFIX_LEN) / 2 : secret->psk_len;
	} else if (n <= CFG_IKE_PSK_MAX) {
		memcpy(secret->psk, text, n);
		secret->psk_len = (uint16_t)n;
	}
	if (n < CFG_IKE_PSK_MIN || n > CFG_IKE_PSK_MAX) {
		snprintf(why, why_len, "is %zu bytes, allowed %d..%d", n, CFG_IKE_PSK_MIN,
			 CFG_IKE_PSK_MAX);
		explicit_bzero(secret->psk, sizeof(secret->psk));
		secret->psk_len = 0;
		return -EINVAL;
	}
	return 0;
}

/* Reads up to len bytes; a regular file gives them in one or a few reads. */
static ssize_t
read_all(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	while (used < len) {
		n = read(fd, buf + used, len - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	return (ssize_t)used;
}

int
cfg_ike_read_secret(struct cfg_ctx *ctx, const config_setting_t *s,
		    struct cfg_ike_secret *secret)
{
	char text[FILE_MAX + 1], why[CFG_ERR_LEN / 4];
	ssize_t n;
	int fd, rc;

	fd = cfg_ike_open_private(ctx, s, secret->file, "secret file", FILE_MAX);
	if (fd < 0)
		return -EINVAL;
	n = read_all(fd, text, sizeof(text));
	rc = n < 0 ? (int)n : 0;
	close(fd);
	if (rc < 0)
		return cfg_err_setting(ctx, s, "cannot read secret file %s: %s", secret->file,
				       strerror(-rc));
	rc = decode(text, (size_t)n, secret, why, sizeof(why));
	explicit_bzero(text, sizeof(text));
	if (rc < 0)
		return cfg_err_setting(ctx, s, "the secret in %s %s", secret->file, why);
	return 0;
}

void
cfg_ike_wipe_secrets(struct cfg *cfg)
{
	for (unsigned int i = 0; i < CFG_MAX_SECRETS; i++) {
		explicit_bzero(cfg->ike.secrets[i].psk, sizeof(cfg->ike.secrets[i].psk));
		cfg->ike.secrets[i].psk_len = 0;
	}
}
