/*
 * Typed, range-checked access to libconfig settings: unknown keys, missing
 * keys, wrong types, list lengths, integer ranges (checked against the
 * literal as written, since libconfig 1.5 wraps integers past 32 bits) and
 * names made of [A-Za-z0-9_-].
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_priv.h"

enum {
	KEY_LIST_LEN = 256,	/* "name, device, role, ..." in unknown-setting errors */
	LITERAL_SHOWN = 40,	/* digits of a huge literal shown in an error */
};

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

/* An integer may be written with or without L; a list may be (...) or [...]. */
static bool
type_matches(const config_setting_t *s, int type)
{
	int t = config_setting_type(s);

	if (type == CONFIG_TYPE_INT)
		return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	if (type == CONFIG_TYPE_LIST)
		return t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY;
	return t == type;
}

static bool
key_known(const char *name, const char *const keys[])
{
	for (unsigned int i = 0; keys[i] != NULL; i++)
		if (strcmp(name, keys[i]) == 0)
			return true;
	return false;
}

int
cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *group, const char *const keys[])
{
	char list[KEY_LIST_LEN] = "";
	char where[CFG_PATH_TEXT_LEN];
	config_setting_t *g = (config_setting_t *)(uintptr_t)group;
	size_t used = 0;

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);

		if (name == NULL || key_known(name, keys))
			continue;
		for (unsigned int k = 0; keys[k] != NULL && used < sizeof(list); k++)
			used += snprintf(list + used, sizeof(list) - used, "%s%s", k ? ", " : "",
					 keys[k]);
		cfg_setting_path(group, where, sizeof(where));
		if (where[0] == '\0')
			return cfg_err_at(ctx, s, "unknown setting '%s' at top level "
					  "(expected one of: %s)", name, list);
		return cfg_err_at(ctx, s, "unknown setting '%s' in %s (expected one of: %s)",
				  name, where, list);
	}
	return 0;
}

static int
missing(struct cfg_ctx *ctx, const config_setting_t *group, const char *key)
{
	unsigned int last = 0;

	if (config_setting_parent(group) != NULL)
		return cfg_err_setting(ctx, group, "missing required setting '%s'", key);
	/* A missing section belongs to no line: name the end of the file. */
	if (cfg_file_lines(ctx, ctx->path, &last) < 0)
		last = 0;
	return cfg_err_file(ctx, ctx->path, last, "missing required section '%s'", key);
}

int
cfg_get_member(struct cfg_ctx *ctx, const config_setting_t *group, const char *key, int type,
	       bool required, config_setting_t **out)
{
	config_setting_t *m = config_setting_get_member((config_setting_t *)(uintptr_t)group,
							key);

	*out = NULL;
	if (m == NULL)
		return required ? missing(ctx, group, key) : 0;
	if (!type_matches(m, type))
		return cfg_err_setting(ctx, m, "expected %s, got %s", type_name(type),
				       type_name(config_setting_type(m)));
	*out = m;
	return 0;
}

int
cfg_check_elem(struct cfg_ctx *ctx, const config_setting_t *elem, int type)
{
	if (!type_matches(elem, type))
		return cfg_err_setting(ctx, elem, "expected %s, got %s", type_name(type),
				       type_name(config_setting_type(elem)));
	return 0;
}

int
cfg_get_int(struct cfg_ctx *ctx, const config_setting_t *s, int64_t min, int64_t max,
	    int64_t *out)
{
	struct cfg_literal lit;
	int64_t v;
	int shown;

	if (cfg_check_elem(ctx, s, CONFIG_TYPE_INT) < 0)
		return -EINVAL;
	v = config_setting_get_int64(s);
	if (cfg_literal_find(ctx, s, &lit) == 0) {
		shown = (int)(lit.len > LITERAL_SHOWN ? LITERAL_SHOWN : lit.len);
		if (!lit.fits)
			return cfg_err_setting(ctx, s, "value %.*s%s does not fit in 64 bits "
					       "(allowed %" PRId64 "..%" PRId64 ")", shown,
					       lit.text, lit.len > LITERAL_SHOWN ? "..." : "",
					       min, max);
		v = lit.value;
	}
	if (v < min || v > max)
		return cfg_err_setting(ctx, s, "%" PRId64 " is out of range (%" PRId64 "..%" PRId64
				       ")", v, min, max);
	*out = v;
	return 0;
}

int
cfg_lookup_int(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	       int64_t min, int64_t max, int64_t *out)
{
	config_setting_t *s;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_INT, false, &s) < 0)
		return -EINVAL;
	return s == NULL ? 0 : cfg_get_int(ctx, s, min, max, out);
}

int
cfg_lookup_bool(struct cfg_ctx *ctx, const config_setting_t *group, const char *key, bool *out)
{
	config_setting_t *s;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_BOOL, false, &s) < 0)
		return -EINVAL;
	if (s != NULL)
		*out = config_setting_get_bool(s) != 0;
	return 0;
}

int
cfg_lookup_string(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		  bool required, const char **out)
{
	config_setting_t *s;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_STRING, required, &s) < 0)
		return -EINVAL;
	if (s != NULL)
		*out = config_setting_get_string(s);
	return 0;
}

int
cfg_get_list(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	     bool required, unsigned int min, unsigned int max, config_setting_t **out)
{
	unsigned int n;

	if (cfg_get_member(ctx, group, key, CONFIG_TYPE_LIST, required, out) < 0)
		return -EINVAL;
	if (*out == NULL)
		return 0;
	n = (unsigned int)config_setting_length(*out);
	if (n < min && min == 1)
		return cfg_err_setting(ctx, *out, "must not be empty");
	if (n < min)
		return cfg_err_setting(ctx, *out, "has %u entries, at least %u are required", n,
				       min);
	if (n > max)
		return cfg_err_setting(ctx, *out, "has %u entries, at most %u are allowed", n, max);
	return 0;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Port names and the EAL file prefix: [A-Za-z0-9_-], 1..CFG_NAME_LEN - 1 characters. */
int
cfg_check_name(struct cfg_ctx *ctx, const config_setting_t *s, const char *value)
{
	char q[CFG_ADDR_TEXT_LEN * 2];
	size_t n = strlen(value);

	if (n == 0)
		return cfg_err_setting(ctx, s, "must not be empty");
	if (n >= CFG_NAME_LEN)
		return cfg_err_setting(ctx, s, "'%s' is too long (%zu characters, at most %d)",
				       cfg_quote(value, q, sizeof(q)), n, CFG_NAME_LEN - 1);
	for (size_t i = 0; i < n; i++)
		if (!name_char(value[i]))
			return cfg_err_setting(ctx, s, "'%s' has a character other than "
					       "A-Z a-z 0-9 _ -", cfg_quote(value, q, sizeof(q)));
	return 0;
}
