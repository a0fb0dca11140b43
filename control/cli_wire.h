/*
 * The CLI wire format (docs/cli.md), shared by the server and hagwctl:
 * a frame is a 4-byte big-endian length and that many bytes of JSON.
 * Requests are {"argv": ["word", ...]}; responses {"ok": true, "data": X}
 * or {"ok": false, "error": "message"}.
 */
#ifndef HAGW_CLI_WIRE_H
#define HAGW_CLI_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/cli.h"

struct json_object;

enum {
	CTL_FRAME_HDR_LEN = 4,
};

/* A decoded request: argv points into one buffer owned by the request. */
struct ctl_request {
	int argc;
	char *argv[CTL_MAX_ARGS + 1];
	char *words;
};

uint32_t ctl_frame_len_get(const uint8_t hdr[CTL_FRAME_HDR_LEN]);
void ctl_frame_len_put(uint8_t hdr[CTL_FRAME_HDR_LEN], uint32_t len);

/* Decodes a request body of len bytes (not NUL-terminated). On failure
 * returns -EINVAL or -E2BIG and writes the reason to err; req is then
 * empty. */
int ctl_request_decode(const char *buf, size_t len, struct ctl_request *req, char *err,
		       size_t err_len);
void ctl_request_free(struct ctl_request *req);

/* Builds a framed request for argv; returns 0 or -E2BIG/-ENOMEM. The
 * caller frees *frame. */
int ctl_request_encode(int argc, char *const argv[], uint8_t **frame, size_t *frame_len);

/* {"ok": false, "error": msg}. */
struct json_object *ctl_response_error(const char *msg);

/* Frames resp (and drops the reference to it). A response longer than
 * CTL_MAX_RESPONSE is replaced by an error response. Returns 0 or
 * -ENOMEM; the caller frees *frame. */
int ctl_response_encode(struct json_object *resp, uint8_t **frame, size_t *frame_len);

/* Parses a response body: returns the response object (caller puts it)
 * with "ok" checked to be a boolean, or NULL with the reason in err. */
struct json_object *ctl_response_decode(const char *buf, size_t len, char *err, size_t err_len);

/*
 * Command words (docs/cli.md): the number of words of command (separated
 * by spaces) that argv starts with; 0 unless all of them match. With
 * last_prefix, argv must not have more words than command, may end early,
 * and its last word need only be a prefix: "help sh" lists "show ...".
 */
int ctl_words_match(const char *command, int argc, char **argv, bool last_prefix);

#endif
