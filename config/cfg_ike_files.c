/*
 * The files the ike section names, checked after every other rule (so
 * that a file checked out 0644 hides no other error): secret files and
 * private keys must be regular files that group and others have no access
 * to at all (mode & 077 == 0: the rule of ike/ike_secret_file.c, which the
 * IKE daemon applies when it opens them; opened here without blocking on
 * a FIFO); certificates and CA certificates must be regular, readable and
 * not empty. Only existence and
 * modes are checked here: the IKE library parses the PEM contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg_priv.h"

enum {
	KEY_FILE_MAX = 1 << 16,		/* a PEM private key is a few KiB */
	PRIVATE_FORBIDDEN = S_IRWXG | S_IRWXO,	/* 077: ike/ike_secret_file.c's rule */
	MODE_BITS = 07777,
};

static int
open_regular(struct cfg_ctx *ctx, const config_setting_t *s, const char *path,
	     const char *what, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int err = errno;

	if (fd < 0)
		return cfg_err_setting(ctx, s, "cannot open %s %s: %s", what, path,
				       strerror(err));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return cfg_err_setting(ctx, s, "%s %s is not a regular file", what, path);
	}
	return fd;
}

int
cfg_ike_open_private(struct cfg_ctx *ctx, const config_setting_t *s, const char *path,
		     const char *what, size_t max_size)
{
	struct stat st;
	int fd = open_regular(ctx, s, path, what, &st);

	if (fd < 0)
		return -EINVAL;
	if ((st.st_mode & PRIVATE_FORBIDDEN) != 0) {
		close(fd);
		return cfg_err_setting(ctx, s, "%s %s is accessible by group or others (mode "
				       "%04o; chmod 600)", what, path,
				       (unsigned int)(st.st_mode & MODE_BITS));
	}
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		return cfg_err_setting(ctx, s, "%s %s is larger than %zu bytes", what, path,
				       max_size);
	}
	return fd;
}

static int
check_readable(struct cfg_ctx *ctx, const config_setting_t *s, const char *path,
	       const char *what)
{
	struct stat st;
	int fd = open_regular(ctx, s, path, what, &st);

	if (fd < 0)
		return -EINVAL;
	close(fd);
	if (st.st_size == 0)
		return cfg_err_setting(ctx, s, "%s %s is empty", what, path);
	return 0;
}

static int
check_key(struct cfg_ctx *ctx, const config_setting_t *s, const char *path)
{
	int fd = cfg_ike_open_private(ctx, s, path, "private key", KEY_FILE_MAX);

	if (fd < 0)
		return -EINVAL;
	close(fd);
	return 0;
}

static config_setting_t *
member(const config_setting_t *group, const char *key)
{
	return config_setting_get_member((config_setting_t *)(uintptr_t)group, key);
}

static int
check_conn(struct cfg_ctx *ctx, const config_setting_t *group, const struct cfg_ike_conn *c)
{
	const config_setting_t *local = member(group, "local"), *remote = member(group, "remote");
	config_setting_t *list;

	if (c->local.auth == CFG_IKE_AUTH_PUBKEY &&
	    (check_readable(ctx, member(local, "cert"), c->local.cert, "certificate") < 0 ||
	     check_key(ctx, member(local, "key"), c->local.key) < 0))
		return -EINVAL;
	if (c->remote.auth != CFG_IKE_AUTH_PUBKEY)
		return 0;
	list = member(remote, "cacerts");
	for (unsigned int i = 0; i < c->remote.n_cacerts; i++)
		if (check_readable(ctx, config_setting_get_elem(list, i), c->remote.cacerts[i],
				   "CA certificate") < 0)
			return -EINVAL;
	return 0;
}

int
cfg_ike_check_files(struct cfg_ctx *ctx)
{
	struct cfg_ike *ike = &ctx->cfg->ike;
	config_setting_t *secrets = config_lookup(&ctx->lc, "ike.secrets");
	config_setting_t *conns = config_lookup(&ctx->lc, "ike.connections");

	if (!ike->enabled)
		return 0;
	for (unsigned int i = 0; i < ike->n_secrets; i++)
		if (cfg_ike_read_secret(ctx, member(config_setting_get_elem(secrets, i), "file"),
					&ike->secrets[i]) < 0)
			return -EINVAL;
	for (unsigned int i = 0; i < ike->n_connections; i++)
		if (check_conn(ctx, config_setting_get_elem(conns, i), &ike->connections[i]) < 0)
			return -EINVAL;
	return 0;
}
