/*
 * The CLI server: a UNIX stream socket (mode 0600, peers checked with
 * SO_PEERCRED) that the control core polls without blocking. Commands are
 * a table of handlers that return JSON; hagwctl renders text from it.
 *
 * Wire format (both directions): a 4-byte big-endian length, then that
 * many bytes of JSON. Request: {"argv": ["show", "ports"]}. Response:
 * {"ok": true, "data": ...} or {"ok": false, "error": "message"}.
 * The built-in command "help" returns the command table:
 * [{"command": "show ports", "args": "", "help": "..."}, ...].
 */
#ifndef HAGW_CLI_H
#define HAGW_CLI_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

enum {
	CTL_MAX_REQUEST = 64 * 1024,
	CTL_MAX_RESPONSE = 16 * 1024 * 1024,
	CTL_MAX_ARGS = 32,
	CTL_MAX_CLIENTS = 16,
	CTL_ERR_LEN = 256,
};

/*
 * A command handler. argv holds the words after the command's own words
 * (argc may be 0). On success return 0 and set *out (may stay NULL for
 * "no data"); on failure return a negative errno and write a message to err.
 */
typedef int (*ctl_cmd_fn)(void *ctx, int argc, char **argv, struct json_object **out,
			  char *err, size_t err_len);

struct ctl_cmd {
	const char *command;	/* the words, e.g. "show ports" */
	const char *args;	/* argument synopsis, e.g. "<level>", or "" */
	const char *help;	/* one line */
	ctl_cmd_fn fn;
	bool telemetry;		/* also registered with DPDK telemetry (thread safe) */
};

struct ctl_server;

/* Creates the socket (and its directory, mode 0700, if missing). A stale
 * socket file with no listener is replaced; a live one is an error. */
struct ctl_server *ctl_server_open(const char *path, const struct ctl_cmd *cmds,
				   unsigned int n_cmds, void *ctx, char *err, size_t err_len);
/* Accepts, reads and answers what is ready; never blocks. Returns the
 * number of requests answered. */
unsigned int ctl_server_poll(struct ctl_server *srv);
/* Closes every connection and removes the socket file. */
void ctl_server_close(struct ctl_server *srv);

/* Runs one request (argv already split) against the table: the server
 * uses it, so do the unit tests. Returns the response object. */
struct json_object *ctl_dispatch(const struct ctl_cmd *cmds, unsigned int n_cmds, void *ctx,
				 int argc, char **argv);

/* Registers every cmd with .telemetry under "/hagw/<words joined by _>"
 * (e.g. "/hagw/show_ports"), converting the JSON to telemetry data. */
int ctl_telemetry_register(const struct ctl_cmd *cmds, unsigned int n_cmds, void *ctx);

#endif
