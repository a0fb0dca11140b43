/*
 * Integer literals as written in the file. libconfig 1.5 converts integers
 * without the L suffix with atoi() (4294967296 reads as 0) and saturates
 * 64-bit ones silently, so the range checks re-read the literal from the
 * setting's source line and use its true value. A literal is only trusted
 * if converting it the way libconfig does gives libconfig's value, so a
 * look-alike elsewhere on the line (a comment, another group) is ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_priv.h"

enum {
	MAX_FILE_SIZE = 16 << 20,	/* larger files are refused */
	READ_CHUNK = 4096,
	MAX_LITERAL = 1024,		/* longer tokens are left to libconfig's value */
};

/* The whole file NAME, NUL-terminated, in *text (to be freed). */
int
cfg_read_text(const char *name, char **text, size_t *len)
{
	size_t used = 0, cap = READ_CHUNK, n;
	char *buf, *bigger;
	int rc = 0;
	FILE *f;

	f = fopen(name, "r");
	if (f == NULL)
		return -errno;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	errno = 0;
	while (rc == 0 && (n = fread(buf + used, 1, cap - used, f)) > 0) {
		used += n;
		if (used < cap)
			continue;
		bigger = cap >= MAX_FILE_SIZE ? NULL : realloc(buf, cap * 2 + 1);
		if (bigger == NULL)
			rc = cap >= MAX_FILE_SIZE ? -EFBIG : -ENOMEM;
		else
			buf = bigger;
		cap *= 2;
	}
	if (rc == 0 && ferror(f))
		rc = errno != 0 ? -errno : -EIO;
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
}

static int
index_lines(struct cfg_file_text *f)
{
	unsigned int n = 1;

	for (size_t i = 0; i < f->len; i++)
		n += f->text[i] == '\n';
	f->line_start = calloc(n, sizeof(*f->line_start));
	if (f->line_start == NULL)
		return -ENOMEM;
	f->n_lines = 0;
	f->line_start[f->n_lines++] = 0;
	for (size_t i = 0; i < f->len; i++)
		if (f->text[i] == '\n' && f->n_lines < n)
			f->line_start[f->n_lines++] = i + 1;
	return 0;
}

/* The text of the file libconfig calls NAME, read once and kept. */
static int
file_get(struct cfg_ctx *ctx, const char *name, struct cfg_file_text **out)
{
	char buf[CFG_PATH_LEN * 3];
	struct cfg_file_text *f;
	int rc;

	for (unsigned int i = 0; i < ctx->n_files; i++)
		if (strcmp(ctx->files[i].name, name) == 0) {
			*out = &ctx->files[i];
			return 0;
		}
	if (ctx->n_files == CFG_MAX_FILES)
		return -ENOSPC;
	f = &ctx->files[ctx->n_files];
	memset(f, 0, sizeof(*f));
	rc = cfg_read_text(cfg_file_name(ctx, name, buf, sizeof(buf)), &f->text, &f->len);
	if (rc < 0)
		return rc;
	f->name = strdup(name);
	if (f->name == NULL || index_lines(f) < 0) {
		free(f->name);
		free(f->text);
		return -ENOMEM;
	}
	ctx->n_files++;
	*out = f;
	return 0;
}

void
cfg_files_free(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->n_files; i++) {
		free(ctx->files[i].name);
		free(ctx->files[i].text);
		free(ctx->files[i].line_start);
	}
	ctx->n_files = 0;
}

/* The number of the file's last line (a final newline ends a line, it does not start one). */
int
cfg_file_lines(struct cfg_ctx *ctx, const char *file, unsigned int *n_lines)
{
	struct cfg_file_text *f;
	int rc = file_get(ctx, file, &f);

	if (rc < 0)
		return rc;
	*n_lines = f->n_lines;
	if (f->n_lines > 1 && f->len > 0 && f->text[f->len - 1] == '\n')
		(*n_lines)--;
	return 0;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

/* Skips blanks and comments (#, //, C style), across lines. */
static const char *
skip_blank(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f') {
			p++;
		} else if (*p == '#' || (*p == '/' && p + 1 < end && p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
				p++;
			p = p + 1 < end ? p + 2 : end;
		} else {
			break;
		}
	}
	return p;
}

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
hex_digit(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9');
}

static const char *
token_end(const char *p, const char *end)
{
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	while (p < end && alnum(*p))
		p++;
	return p;
}

/* After "name": the blanks, '=' or ':', the blanks; NULL if not an assignment. */
static const char *
after_assign(const char *p, const char *end)
{
	p = skip_blank(p, end);
	if (p >= end || (*p != '=' && *p != ':'))
		return NULL;
	return skip_blank(p + 1, end);
}

/* The start of element INDEX of the array or list that starts at p. */
static const char *
list_elem(const char *p, const char *end, int index)
{
	if (p >= end || (*p != '[' && *p != '('))
		return NULL;
	p = skip_blank(p + 1, end);
	for (int i = 0; i < index; i++) {
		p = skip_blank(token_end(p, end), end);
		if (p >= end || *p != ',')
			return NULL;
		p = skip_blank(p + 1, end);
	}
	return p;
}

/*
 * Converts the token [p, q) twice: as libconfig 1.5 does (atoi/atoll or
 * strtoul/strtoull, then truncated to int without L) and exactly. Returns
 * true if the first matches libconfig's value for s.
 */
static bool
literal_convert(const char *p, const char *q, const config_setting_t *s,
		struct cfg_literal *lit)
{
	char buf[MAX_LITERAL + 1];
	size_t n = (size_t)(q - p);
	bool hex;
	char *e;
	int64_t sat, lib;
	uint64_t u;

	if (n == 0 || n > MAX_LITERAL)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (n > 1 && buf[n - 1] == 'L')
		buf[--n] = '\0';
	if (n > 1 && buf[n - 1] == 'L')
		buf[--n] = '\0';
	hex = n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	if (hex && !hex_digit(buf[2]))
		return false;
	errno = 0;
	if (hex) {
		u = strtoull(buf + 2, &e, 16);
		lit->fits = errno != ERANGE && u <= INT64_MAX;
		sat = (int64_t)u;
	} else {
		sat = strtoll(buf, &e, 10);
		lit->fits = errno != ERANGE;
	}
	if (*e != '\0' || e == buf)
		return false;
	lib = config_setting_type(s) == CONFIG_TYPE_INT ? (int32_t)(uint32_t)(uint64_t)sat : sat;
	if (lib != config_setting_get_int64(s))
		return false;
	lit->value = sat;
	lit->text = p;
	lit->len = (size_t)(q - p);
	return true;
}

int
cfg_literal_find(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_literal *lit)
{
	const config_setting_t *named = s;
	const char *name, *ls, *le, *end, *v;
	struct cfg_file_text *f;
	unsigned int line;
	int index = -1;
	size_t nlen;

	if (config_setting_name(s) == NULL) {
		named = config_setting_parent(s);
		index = config_setting_index(s);
		if (named == NULL || config_setting_name(named) == NULL || index < 0)
			return -ENOENT;
	}
	line = config_setting_source_line(named);
	if (config_setting_source_file(named) == NULL ||
	    file_get(ctx, config_setting_source_file(named), &f) < 0 ||
	    line == 0 || line > f->n_lines)
		return -ENOENT;
	name = config_setting_name(named);
	nlen = strlen(name);
	end = f->text + f->len;
	ls = f->text + f->line_start[line - 1];
	le = memchr(ls, '\n', (size_t)(end - ls));
	le = le == NULL ? end : le;
	for (const char *p = ls; p + nlen <= le; p++) {
		if (memcmp(p, name, nlen) != 0 || (p > ls && name_char(p[-1])) ||
		    (p + nlen < end && name_char(p[nlen])))
			continue;
		v = after_assign(p + nlen, end);
		if (v != NULL && index >= 0)
			v = list_elem(v, end, index);
		if (v != NULL && literal_convert(v, token_end(v, end), s, lit))
			return 0;
	}
	return -ENOENT;
}
