/*
 * libFuzzer target: the CLI server's request decoding. The input is the
 * byte stream a client sends: frames are cut by their 4-byte length and
 * checked like the server does, each body is decoded, dispatched against
 * a small command table, and the response encoded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control/cli.h"
#include "control/cli_wire.h"

static int
cmd_echo(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < argc; i++)
		json_object_array_add(a, json_object_new_string(argv[i]));
	*out = a;
	return 0;
}

static int
cmd_fail(void *ctx, int argc, char **argv, struct json_object **out, char *err, size_t len)
{
	snprintf(err, len, "failed with %d words", argc);
	return -1;
}

static const struct ctl_cmd fuzz_cmds[] = {
	{ "show", "", "", cmd_echo, false },
	{ "show ports", "", "", cmd_echo, false },
	{ "set log-level", "<level>", "", cmd_fail, false },
};

static void
request_run(const char *body, size_t len)
{
	struct ctl_request req;
	struct json_object *resp;
	char err[CTL_ERR_LEN];
	uint8_t *frame;
	size_t frame_len;

	if (ctl_request_decode(body, len, &req, err, sizeof(err)) < 0) {
		resp = ctl_response_error(err);
	} else {
		resp = ctl_dispatch(fuzz_cmds, sizeof(fuzz_cmds) / sizeof(fuzz_cmds[0]), NULL,
				    req.argc, req.argv);
		ctl_request_free(&req);
	}
	if (ctl_response_encode(resp, &frame, &frame_len) == 0)
		free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size >= CTL_FRAME_HDR_LEN) {
		uint32_t len = ctl_frame_len_get(data);
		char *body;

		data += CTL_FRAME_HDR_LEN;
		size -= CTL_FRAME_HDR_LEN;
		if (len == 0 || len > CTL_MAX_REQUEST || len > size)
			break;
		/* a heap copy of exactly len bytes: ASan sees any over-read */
		body = malloc(len);
		if (body == NULL)
			break;
		memcpy(body, data, len);
		request_run(body, len);
		free(body);
		data += len;
		size -= len;
	}
	return 0;
}
