/*
 * Text rendering of CLI JSON for operators: "key: value" lines, aligned
 * tables, comma-separated lists (the rules are in docs/cli.md). Strings
 * from the daemon may carry peer-supplied bytes: control characters are
 * escaped so they cannot drive the terminal.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tools/json_text.h"

enum {
	JT_INDENT = 2,		/* nested objects and tables under "key:" */
	JT_COL_GAP = 2,		/* spaces between table columns */
	JT_KEY_GAP = 2,		/* spaces after the longest "key:" */
	JT_SB_MIN = 256,
	JT_ASCII_DEL = 0x7f,
	JT_ASCII_SPACE = 0x20,
	JT_UTF8_C1_LEAD = 0xc2,	/* C2 80..C2 9F encode U+0080..U+009F */
	JT_UTF8_C1_MIN = 0x80,
	JT_UTF8_C1_MAX = 0x9f,
	JT_UTF8_CONT_MASK = 0xc0,
	JT_UTF8_CONT = 0x80,
	JT_ESC_X_LEN = 4,	/* \x1b */
	JT_ESC_U_LEN = 6,	/* \u009b */
};

#define JT_NULL "-"
#define JT_NONE "(none)"
#define JT_LIST_SEP ", "

/* ---- a growing string ---- */

struct sb {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static bool
sb_reserve(struct sb *sb, size_t n)
{
	size_t cap = sb->cap != 0 ? sb->cap : JT_SB_MIN;
	char *p;

	if (sb->oom)
		return false;
	if (sb->len + n + 1 <= sb->cap)
		return true;
	while (cap < sb->len + n + 1)
		cap *= 2;
	p = realloc(sb->p, cap);
	if (p == NULL) {
		sb->oom = true;
		return false;
	}
	sb->p = p;
	sb->cap = cap;
	return true;
}

static void
sb_add(struct sb *sb, const char *s, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void
sb_puts(struct sb *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static void
sb_pad(struct sb *sb, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memset(sb->p + sb->len, ' ', n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *sb, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(sb, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Hands the string over (never NULL unless out of memory). */
static char *
sb_take(struct sb *sb)
{
	if (!sb_reserve(sb, 0)) {
		free(sb->p);
		return NULL;
	}
	sb->p[sb->len] = '\0';
	return sb->p;
}

/* Columns the text takes once escaped: one per UTF-8 code point, four
 * per "\xNN" and six per "\u00NN" (see string_put). */
static size_t
display_width(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t w = 0;

	for (; *c != '\0'; c++) {
		if (*c < JT_ASCII_SPACE || *c == JT_ASCII_DEL)
			w += JT_ESC_X_LEN;
		else if (*c == JT_UTF8_C1_LEAD && c[1] >= JT_UTF8_C1_MIN && c[1] <= JT_UTF8_C1_MAX)
			w += JT_ESC_U_LEN;
		else if ((*c & JT_UTF8_CONT_MASK) != JT_UTF8_CONT)
			w++;
	}
	return w;
}

static size_t
max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* ---- scalars ---- */

/* Copies s, escaping C0 and C1 control characters and DEL. */
static void
string_put(struct sb *sb, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c < JT_ASCII_SPACE || *c == JT_ASCII_DEL)
			sb_printf(sb, "\\x%02x", *c);
		else if (*c == JT_UTF8_C1_LEAD && c[1] >= JT_UTF8_C1_MIN && c[1] <= JT_UTF8_C1_MAX)
			sb_printf(sb, "\\u%04x", *++c);
		else
			sb_add(sb, (const char *)c, 1);
	}
}

static bool
is_scalar(struct json_object *v)
{
	return !json_object_is_type(v, json_type_object) &&
	       !json_object_is_type(v, json_type_array);
}

static bool
is_scalar_array(struct json_object *v)
{
	if (!json_object_is_type(v, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!is_scalar(json_object_array_get_idx(v, i)))
			return false;
	return true;
}

static bool
is_empty(struct json_object *v)
{
	if (json_object_is_type(v, json_type_object))
		return json_object_object_length(v) == 0;
	return json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0;
}

/* Rendered on one line: scalars, scalar arrays and empty containers. */
static bool
is_inline(struct json_object *v)
{
	return is_scalar(v) || is_scalar_array(v) || is_empty(v);
}

static void
scalar_put(struct sb *sb, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		sb_puts(sb, JT_NULL);
		break;
	case json_type_boolean:
		sb_puts(sb, json_object_get_boolean(v) ? "yes" : "no");
		break;
	case json_type_double:
		sb_printf(sb, "%.15g", json_object_get_double(v));
		break;
	case json_type_int:
		sb_puts(sb, json_object_get_string(v));
		break;
	case json_type_string:
		string_put(sb, json_object_get_string(v));
		break;
	default:
		break;
	}
}

/* One line: a scalar, a comma-separated scalar array, "-" if empty. */
static void
inline_put(struct sb *sb, struct json_object *v)
{
	size_t n;

	if (is_scalar(v)) {
		scalar_put(sb, v);
		return;
	}
	if (is_empty(v)) {
		sb_puts(sb, JT_NULL);
		return;
	}
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		scalar_put(sb, json_object_array_get_idx(v, i));
		if (i + 1 < n)
			sb_puts(sb, JT_LIST_SEP);
	}
}

/* The inline rendering as its own string (NULL if out of memory). */
static char *
inline_str(struct json_object *v)
{
	struct sb sb = { 0 };

	inline_put(&sb, v);
	return sb_take(&sb);
}

/* ---- objects ---- */

static void block_put(struct sb *sb, struct json_object *v, size_t indent);

/* Objects whose values are all integers (counter groups) get their
 * numbers right-aligned. */
static bool
is_int_group(struct json_object *o)
{
	json_object_object_foreach(o, key, val) {
		(void)key;
		if (!json_object_is_type(val, json_type_int))
			return false;
	}
	return json_object_object_length(o) > 0;
}

static void
object_put(struct sb *sb, struct json_object *o, size_t indent)
{
	size_t key_w = 0, val_w = 0;
	bool ints = is_int_group(o);

	json_object_object_foreach(o, k, v) {
		if (is_inline(v))
			key_w = max_size(key_w, display_width(k));
		if (ints)
			val_w = max_size(val_w, strlen(json_object_get_string(v)));
	}
	json_object_object_foreach(o, key, val) {
		sb_pad(sb, indent);
		string_put(sb, key);
		sb_puts(sb, ":");
		if (!is_inline(val)) {
			sb_puts(sb, "\n");
			block_put(sb, val, indent + JT_INDENT);
			continue;
		}
		sb_pad(sb, key_w - display_width(key) + JT_KEY_GAP);
		if (ints)
			sb_pad(sb, val_w - strlen(json_object_get_string(val)));
		inline_put(sb, val);
		sb_puts(sb, "\n");
	}
}

/* ---- tables: arrays of flat objects ---- */

struct table {
	size_t n_rows;
	size_t n_cols;
	const char **key;	/* column names, in order of first appearance */
	char **cell;		/* n_rows * n_cols, NULL: key missing */
	size_t *width;
	bool *numeric;		/* every value present is an integer */
};

static bool
is_table(struct json_object *a)
{
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *row = json_object_array_get_idx(a, i);

		if (!json_object_is_type(row, json_type_object))
			return false;
		json_object_object_foreach(row, k, v) {
			(void)k;
			if (!is_inline(v))
				return false;
		}
	}
	return true;
}

static int
table_col(const struct table *t, const char *key)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (strcmp(t->key[c], key) == 0)
			return (int)c;
	return -1;
}

static int
table_add_col(struct table *t, const char *key)
{
	size_t n = t->n_cols + 1;
	const char **k = realloc(t->key, n * sizeof(*k));
	size_t *w;
	bool *num;

	if (k == NULL)
		return -1;
	t->key = k;
	w = realloc(t->width, n * sizeof(*w));
	if (w == NULL)
		return -1;
	t->width = w;
	num = realloc(t->numeric, n * sizeof(*num));
	if (num == NULL)
		return -1;
	t->numeric = num;
	t->key[t->n_cols] = key;
	t->width[t->n_cols] = display_width(key);
	t->numeric[t->n_cols] = true;
	t->n_cols = n;
	return 0;
}

static int
table_columns(struct table *t, struct json_object *a)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		json_object_object_foreach(json_object_array_get_idx(a, i), k, v) {
			(void)v;
			if (table_col(t, k) < 0 && table_add_col(t, k) < 0)
				return -1;
		}
	}
	return 0;
}

static int
table_cells(struct table *t, struct json_object *a)
{
	t->cell = calloc(t->n_rows * t->n_cols, sizeof(*t->cell));
	if (t->cell == NULL)
		return -1;
	for (size_t r = 0; r < t->n_rows; r++) {
		json_object_object_foreach(json_object_array_get_idx(a, r), k, v) {
			size_t c = (size_t)table_col(t, k);
			char **cell = &t->cell[r * t->n_cols + c];

			*cell = inline_str(v);
			if (*cell == NULL)
				return -1;
			t->width[c] = max_size(t->width[c], display_width(*cell));
			if (v != NULL && !json_object_is_type(v, json_type_int))
				t->numeric[c] = false;
		}
	}
	return 0;
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; t->cell != NULL && i < t->n_rows * t->n_cols; i++)
		free(t->cell[i]);
	free(t->cell);
	free(t->key);
	free(t->width);
	free(t->numeric);
}

/* One line: numeric columns right-aligned, no trailing blanks. */
static void
table_line(struct sb *sb, const struct table *t, const char *const *text, size_t indent)
{
	sb_pad(sb, indent);
	for (size_t c = 0; c < t->n_cols; c++) {
		const char *s = text[c] != NULL ? text[c] : JT_NULL;
		size_t pad = t->width[c] - display_width(s);
		bool last = c + 1 == t->n_cols;

		if (t->numeric[c])
			sb_pad(sb, pad);
		string_put(sb, s);
		if (!last)
			sb_pad(sb, (t->numeric[c] ? 0 : pad) + JT_COL_GAP);
	}
	sb_puts(sb, "\n");
}

static void
table_put(struct sb *sb, struct json_object *a, size_t indent)
{
	struct table t = { .n_rows = json_object_array_length(a) };

	if (table_columns(&t, a) < 0 || table_cells(&t, a) < 0) {
		sb->oom = true;
		table_free(&t);
		return;
	}
	table_line(sb, &t, t.key, indent);
	for (size_t r = 0; r < t.n_rows; r++)
		table_line(sb, &t, (const char *const *)&t.cell[r * t.n_cols], indent);
	table_free(&t);
}

/* ---- arrays and the top level ---- */

/* Elements that are not a table: one block each, blank lines between. */
static void
list_put(struct sb *sb, struct json_object *a, size_t indent)
{
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		if (i > 0)
			sb_puts(sb, "\n");
		if (is_inline(v)) {
			sb_pad(sb, indent);
			inline_put(sb, v);
			sb_puts(sb, "\n");
		} else {
			block_put(sb, v, indent);
		}
	}
}

/* A value that does not fit on one line. */
static void
block_put(struct sb *sb, struct json_object *v, size_t indent)
{
	if (json_object_is_type(v, json_type_object))
		object_put(sb, v, indent);
	else if (is_table(v))
		table_put(sb, v, indent);
	else
		list_put(sb, v, indent);
}

char *
json_text_render(struct json_object *data)
{
	struct sb sb = { 0 };

	sb_reserve(&sb, 0);
	if (data == NULL || json_object_is_type(data, json_type_null))
		return sb_take(&sb);
	if (json_object_is_type(data, json_type_array) && is_empty(data)) {
		sb_puts(&sb, JT_NONE "\n");
	} else if (json_object_is_type(data, json_type_object) && is_empty(data)) {
		/* nothing to show */
	} else if (is_inline(data)) {
		inline_put(&sb, data);
		sb_puts(&sb, "\n");
	} else {
		block_put(&sb, data, 0);
	}
	return sb_take(&sb);
}

/* ---- help ---- */

static const char *
field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* "command args" into sb. */
static void
synopsis_put(struct sb *sb, struct json_object *e)
{
	string_put(sb, field(e, "command"));
	if (field(e, "args")[0] != '\0') {
		sb_puts(sb, " ");
		string_put(sb, field(e, "args"));
	}
}

static size_t
synopsis_width(struct json_object *e)
{
	struct sb sb = { 0 };
	size_t w;

	synopsis_put(&sb, e);
	w = sb.p != NULL ? display_width(sb.p) : 0;
	free(sb.p);
	return w;
}

char *
json_text_help(struct json_object *table)
{
	struct sb sb = { 0 };
	size_t n = json_object_array_length(table), w = 0;

	sb_reserve(&sb, 0);
	for (size_t i = 0; i < n; i++)
		w = max_size(w, synopsis_width(json_object_array_get_idx(table, i)));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(table, i);

		synopsis_put(&sb, e);
		if (field(e, "help")[0] != '\0') {
			sb_pad(&sb, w - synopsis_width(e) + JT_COL_GAP);
			string_put(&sb, field(e, "help"));
		}
		sb_puts(&sb, "\n");
	}
	return sb_take(&sb);
}
