/*
 * The CLI wire format: length-prefixed JSON frames, request decoding
 * (every field checked before use), response encoding, and the matching
 * of command words; shared by the server and hagwctl (docs/cli.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control/cli_wire.h"

enum {
	CTL_JSON_OUT_FLAGS = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	CTL_JSON_IN_FLAGS = JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8,
};

uint32_t
ctl_frame_len_get(const uint8_t hdr[CTL_FRAME_HDR_LEN])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
}

void
ctl_frame_len_put(uint8_t hdr[CTL_FRAME_HDR_LEN], uint32_t len)
{
	hdr[0] = len >> 24;
	hdr[1] = len >> 16;
	hdr[2] = len >> 8;
	hdr[3] = len;
}

static bool
only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Parses exactly len bytes as one JSON value (trailing white space only). */
static struct json_object *
json_parse_exact(const char *buf, size_t len, char *err, size_t err_len)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	tok = len <= INT_MAX ? json_tokener_new() : NULL;
	if (tok == NULL) {
		snprintf(err, err_len, "cannot parse %zu bytes", len);
		return NULL;
	}
	json_tokener_set_flags(tok, CTL_JSON_IN_FLAGS);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_success && end <= len && only_space(buf + end, len - end))
		return obj;
	json_object_put(obj);
	if (jerr == json_tokener_continue)
		snprintf(err, err_len, "invalid JSON: unexpected end of data");
	else if (jerr == json_tokener_success)
		snprintf(err, err_len, "invalid JSON: data after the value at offset %zu", end);
	else
		snprintf(err, err_len, "invalid JSON: %s at offset %zu",
			 json_tokener_error_desc(jerr), end);
	return NULL;
}

/* Checks every word and sums the bytes needed to copy them. */
static int
argv_measure(struct json_object *argv, size_t *total, char *err, size_t err_len)
{
	size_t n = json_object_array_length(argv);

	if (n > CTL_MAX_ARGS) {
		snprintf(err, err_len, "too many words: %zu (max %d)", n, CTL_MAX_ARGS);
		return -E2BIG;
	}
	*total = 1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(argv, i);
		const char *s = json_object_get_string(w);

		if (!json_object_is_type(w, json_type_string)) {
			snprintf(err, err_len, "argv[%zu] is not a string", i);
			return -EINVAL;
		}
		if (strlen(s) != (size_t)json_object_get_string_len(w)) {
			snprintf(err, err_len, "argv[%zu] contains a NUL character", i);
			return -EINVAL;
		}
		*total += strlen(s) + 1;
	}
	return 0;
}

static int
argv_copy(struct json_object *argv, struct ctl_request *req, char *err, size_t err_len)
{
	size_t total, off = 0;
	int rc = argv_measure(argv, &total, err, err_len);

	if (rc < 0)
		return rc;
	req->words = malloc(total);
	if (req->words == NULL) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	req->argc = (int)json_object_array_length(argv);
	for (int i = 0; i < req->argc; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(argv, i));
		size_t len = strlen(s) + 1;

		memcpy(req->words + off, s, len);
		req->argv[i] = req->words + off;
		off += len;
	}
	req->argv[req->argc] = NULL;
	return 0;
}

int
ctl_request_decode(const char *buf, size_t len, struct ctl_request *req, char *err,
		   size_t err_len)
{
	struct json_object *obj, *argv;
	int rc;

	memset(req, 0, sizeof(*req));
	obj = json_parse_exact(buf, len, err, err_len);
	if (obj == NULL)
		return -EINVAL;
	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, "argv", &argv) ||
	    !json_object_is_type(argv, json_type_array)) {
		snprintf(err, err_len, "request must be an object with an \"argv\" array");
		rc = -EINVAL;
	} else {
		rc = argv_copy(argv, req, err, err_len);
	}
	json_object_put(obj);
	if (rc < 0)
		ctl_request_free(req);
	return rc;
}

void
ctl_request_free(struct ctl_request *req)
{
	free(req->words);
	memset(req, 0, sizeof(*req));
}

static int
frame_build(const char *body, size_t len, uint8_t **frame, size_t *frame_len)
{
	uint8_t *f = malloc(CTL_FRAME_HDR_LEN + len);

	if (f == NULL)
		return -ENOMEM;
	ctl_frame_len_put(f, (uint32_t)len);
	memcpy(f + CTL_FRAME_HDR_LEN, body, len);
	*frame = f;
	*frame_len = CTL_FRAME_HDR_LEN + len;
	return 0;
}

int
ctl_request_encode(int argc, char *const argv[], uint8_t **frame, size_t *frame_len)
{
	struct json_object *req = json_object_new_object();
	struct json_object *words = json_object_new_array();
	const char *s;
	size_t len;
	int rc = -E2BIG;

	json_object_object_add(req, "argv", words);
	for (int i = 0; i < argc; i++)
		json_object_array_add(words, json_object_new_string(argv[i]));
	s = json_object_to_json_string_length(req, CTL_JSON_OUT_FLAGS, &len);
	if (s == NULL)
		rc = -ENOMEM;
	else if (argc <= CTL_MAX_ARGS && len <= CTL_MAX_REQUEST)
		rc = frame_build(s, len, frame, frame_len);
	json_object_put(req);
	return rc;
}

struct json_object *
ctl_response_error(const char *msg)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(false));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

int
ctl_response_encode(struct json_object *resp, uint8_t **frame, size_t *frame_len)
{
	const char *s;
	size_t len = 0;
	int rc;

	s = json_object_to_json_string_length(resp, CTL_JSON_OUT_FLAGS, &len);
	if (s != NULL && len > CTL_MAX_RESPONSE) {
		char msg[CTL_ERR_LEN];

		snprintf(msg, sizeof(msg), "response too large: %zu bytes (max %d)", len,
			 CTL_MAX_RESPONSE);
		json_object_put(resp);
		resp = ctl_response_error(msg);
		s = json_object_to_json_string_length(resp, CTL_JSON_OUT_FLAGS, &len);
	}
	rc = s == NULL ? -ENOMEM : frame_build(s, len, frame, frame_len);
	json_object_put(resp);
	return rc;
}

/* An object with a boolean "ok", and an "error" string when it is false. */
static bool
response_shape_ok(struct json_object *r)
{
	struct json_object *ok, *msg;

	if (!json_object_is_type(r, json_type_object) ||
	    !json_object_object_get_ex(r, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
		return false;
	return json_object_get_boolean(ok) ||
	       (json_object_object_get_ex(r, "error", &msg) &&
		json_object_is_type(msg, json_type_string));
}

struct json_object *
ctl_response_decode(const char *buf, size_t len, char *err, size_t err_len)
{
	struct json_object *r = json_parse_exact(buf, len, err, err_len);

	if (r == NULL)
		return NULL;
	if (!response_shape_ok(r)) {
		snprintf(err, err_len, "malformed response");
		json_object_put(r);
		return NULL;
	}
	return r;
}

/* Compares word by word; only argv's last word may be a prefix. */
int
ctl_words_match(const char *command, int argc, char **argv, bool last_prefix)
{
	const char *p = command + strspn(command, " ");
	int n = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (n == argc)
			return last_prefix ? n : 0;
		if (last_prefix && n == argc - 1) {
			size_t wl = strlen(argv[n]);

			if (wl > len || memcmp(argv[n], p, wl) != 0)
				return 0;
		} else if (strlen(argv[n]) != len || memcmp(argv[n], p, len) != 0) {
			return 0;
		}
		n++;
		p += len;
		p += strspn(p, " ");
	}
	return n == argc || !last_prefix ? n : 0;
}
