/*
 * @include directives, checked before libconfig reads the file: libconfig
 * 1.5 ends the whole process (flex "input in flex scanner failed", exit 2)
 * when an @include names a directory, and would block on a FIFO. Every
 * included name that exists must be a regular file; names that do not
 * exist are left to libconfig ("cannot open include file").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfg_priv.h"

enum {
	MAX_INCLUDE_DEPTH = 10,		/* libconfig's own limit */
};

static const char directive[] = "@include";

static int scan(struct cfg_ctx *ctx, const char *file, const char *text, size_t size,
		unsigned int depth);

/* The file name of an @include line ("^[ \t]*@include[ \t]+\"NAME\""), or NULL. */
static const char *
include_name(const char *line, const char *end, size_t *len)
{
	const char *p = line, *q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) <= sizeof(directive) ||
	    memcmp(p, directive, sizeof(directive) - 1) != 0)
		return NULL;
	p += sizeof(directive) - 1;
	if (*p != ' ' && *p != '\t')
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '"')
		return NULL;
	q = memchr(p + 1, '"', (size_t)(end - p - 1));
	if (q == NULL)
		return NULL;
	*len = (size_t)(q - p - 1);
	return p + 1;
}

static int
check_one(struct cfg_ctx *ctx, const char *file, unsigned int line, const char *name,
	  size_t len, unsigned int depth)
{
	char path[CFG_PATH_LEN * 5], shown[CFG_PATH_LEN * 3], q[CFG_PATH_LEN * 2];
	char raw[CFG_PATH_LEN * 2];
	struct stat st;
	char *text;
	size_t size;
	int rc;

	snprintf(raw, sizeof(raw), "%.*s", (int)len, name);
	if (memchr(name, '\\', len) != NULL || memchr(name, '\0', len) != NULL ||
	    len >= sizeof(raw))
		return cfg_err_file(ctx, file, line, "@include \"%s\": escapes and names of %zu "
				    "characters or more are not supported",
				    cfg_quote(raw, q, sizeof(q)), sizeof(raw));
	/* libconfig opens the name below the include directory, always. */
	snprintf(path, sizeof(path), "%s/%s", ctx->include_dir, raw);
	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode))
		return cfg_err_file(ctx, file, line, "@include \"%s\": not a regular file",
				    cfg_quote(raw, q, sizeof(q)));
	if (depth + 1 >= MAX_INCLUDE_DEPTH || cfg_read_text(path, &text, &size) < 0)
		return 0;
	snprintf(shown, sizeof(shown), "%s", cfg_file_name(ctx, raw, q, sizeof(q)));
	rc = scan(ctx, shown, text, size, depth + 1);
	free(text);
	return rc;
}

static int
scan(struct cfg_ctx *ctx, const char *file, const char *text, size_t size, unsigned int depth)
{
	const char *line = text, *end, *name, *stop = text + size;
	unsigned int n = 1;
	size_t len;

	for (; line < stop; n++) {
		end = memchr(line, '\n', (size_t)(stop - line));
		if (end == NULL)
			end = stop;
		name = include_name(line, end, &len);
		if (name != NULL && check_one(ctx, file, n, name, len, depth) < 0)
			return -EINVAL;
		line = end + 1;
	}
	return 0;
}

/* Checks the @include lines of the main file and, recursively, of the files it includes. */
int
cfg_check_includes(struct cfg_ctx *ctx)
{
	char *text;
	size_t size;
	int rc;

	rc = cfg_read_text(ctx->path, &text, &size);
	if (rc < 0)
		return cfg_err_file(ctx, ctx->path, 0, "cannot read: %s", strerror(-rc));
	rc = scan(ctx, ctx->path, text, size, 0);
	free(text);
	return rc;
}
