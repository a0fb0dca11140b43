/*
 * Configuration error messages: every error is one line "FILE:LINE: text",
 * where FILE is the file that holds the setting (an @include'd file names
 * itself) and the text names the setting by its path, e.g. "ports[1].mtu".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"

enum {
	PATH_MAX_DEPTH = 16,	/* deeper settings are shown as "..." */
	QUOTE_MAX = 64,		/* characters of a value shown in a message */
};

/* Appends to buf at *used, never past len, always NUL-terminated. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*used = (size_t)n >= len - *used ? len - 1 : *used + (size_t)n;
}

static void
path_append(const config_setting_t *s, char *buf, size_t len, size_t *used, unsigned int depth)
{
	const config_setting_t *parent = config_setting_parent(s);
	const char *name = config_setting_name(s);

	if (parent == NULL)
		return;
	if (depth >= PATH_MAX_DEPTH) {
		append(buf, len, used, "...");
		return;
	}
	path_append(parent, buf, len, used, depth + 1);
	if (name != NULL)
		append(buf, len, used, "%s%s", *used > 0 ? "." : "", name);
	else
		append(buf, len, used, "[%d]", config_setting_index(s));
}

/* "ports[1].ipv4[0]"; the root setting is "" (callers say "top level"). */
void
cfg_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	path_append(s, buf, len, &used, 0);
}

/*
 * libconfig names an @include'd file as written in the directive, but opens
 * it relative to the include directory (the main file's directory).
 */
const char *
cfg_file_name(struct cfg_ctx *ctx, const char *libconfig_name, char *buf, size_t len)
{
	if (libconfig_name == NULL || strcmp(libconfig_name, ctx->path) == 0)
		return ctx->path;
	if (strcmp(ctx->include_dir, ".") == 0)
		return libconfig_name;
	snprintf(buf, len, "%s/%s", ctx->include_dir, libconfig_name);
	return buf;
}

/* A user string made printable and short enough for a one-line message. */
const char *
cfg_quote(const char *s, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int shown = 0;

	if (len == 0)
		return "";
	buf[0] = '\0';
	for (; *s != '\0' && used < len - 1; s++, shown++) {
		unsigned char c = (unsigned char)*s;

		if (shown == QUOTE_MAX) {
			append(buf, len, &used, "...");
			break;
		}
		if (c < ' ' || c > '~' || c == '\\')
			append(buf, len, &used, "\\x%02x", c);
		else
			append(buf, len, &used, "%c", c);
	}
	return buf;
}

/* Keeps the message on one line whatever file names or values it carries. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			*s = '?';
}

static int
verr(struct cfg_ctx *ctx, const char *file, unsigned int line, const char *path,
     const char *fmt, va_list ap)
{
	size_t used = 0;

	if (line > 0)
		append(ctx->err, ctx->err_len, &used, "%s:%u: ", file, line);
	else
		append(ctx->err, ctx->err_len, &used, "%s: ", file);
	if (path != NULL && path[0] != '\0')
		append(ctx->err, ctx->err_len, &used, "%s: ", path);
	if (used < ctx->err_len)
		vsnprintf(ctx->err + used, ctx->err_len - used, fmt, ap);
	one_line(ctx->err);
	return -EINVAL;
}

int
cfg_err_file(struct cfg_ctx *ctx, const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(ctx, file, line, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *
setting_file(struct cfg_ctx *ctx, const config_setting_t *s, char *buf, size_t len)
{
	return cfg_file_name(ctx, s != NULL ? config_setting_source_file(s) : NULL, buf, len);
}

static unsigned int
setting_line(const config_setting_t *s)
{
	return s != NULL ? config_setting_source_line(s) : 0;
}

/* "FILE:LINE: text" at the line of setting s. */
int
cfg_err_at(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	char name[CFG_PATH_LEN * 3];
	const char *file = setting_file(ctx, s, name, sizeof(name));
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(ctx, file, setting_line(s), NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* "FILE:LINE: PATH: text" at the line of setting s. */
int
cfg_err_setting(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	char name[CFG_PATH_LEN * 3];
	char path[CFG_PATH_TEXT_LEN] = "";
	const char *file = setting_file(ctx, s, name, sizeof(name));
	va_list ap;
	int rc;

	if (s != NULL)
		cfg_setting_path(s, path, sizeof(path));
	va_start(ap, fmt);
	rc = verr(ctx, file, setting_line(s), path, fmt, ap);
	va_end(ap);
	return rc;
}
