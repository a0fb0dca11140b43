/*
 * CLI command dispatch: the longest match of the request's words against
 * the command table, and the built-in "help" (docs/cli.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "control/cli.h"
#include "control/cli_wire.h"

static const struct ctl_cmd ctl_help_cmd = {
	.command = "help",
	.args = "[words...]",
	.help = "list the commands (those starting with the words given)",
};

/* Writes the words separated by spaces (truncated to fit). */
static void
words_join(int argc, char **argv, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i > 0 ? " " : "", argv[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static const struct ctl_cmd *
cmd_find(const struct ctl_cmd *cmds, unsigned int n_cmds, int argc, char **argv, int *used)
{
	const struct ctl_cmd *best = NULL;

	*used = 0;
	for (unsigned int i = 0; i < n_cmds; i++) {
		int n = ctl_words_match(cmds[i].command, argc, argv, false);

		if (n > *used) {
			*used = n;
			best = &cmds[i];
		}
	}
	return best;
}

static struct json_object *
response_ok(struct json_object *data)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(true));
	json_object_object_add(r, "data", data);
	return r;
}

static struct json_object *
response_errorf_words(const char *what, int argc, char **argv)
{
	char words[CTL_ERR_LEN / 2];
	char msg[CTL_ERR_LEN];

	words_join(argc, argv, words, sizeof(words));
	snprintf(msg, sizeof(msg), "%s '%s'; try 'help'", what, words);
	return ctl_response_error(msg);
}

static void
help_add(struct json_object *list, const struct ctl_cmd *cmd)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "command", json_object_new_string(cmd->command));
	json_object_object_add(o, "args", json_object_new_string(cmd->args ? cmd->args : ""));
	json_object_object_add(o, "help", json_object_new_string(cmd->help ? cmd->help : ""));
	json_object_array_add(list, o);
}

/* The table (and "help" itself), only the commands that start with argv. */
static struct json_object *
help_run(const struct ctl_cmd *cmds, unsigned int n_cmds, int argc, char **argv)
{
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; i < n_cmds; i++)
		if (argc == 0 || ctl_words_match(cmds[i].command, argc, argv, true) > 0)
			help_add(list, &cmds[i]);
	if (argc == 0 || ctl_words_match(ctl_help_cmd.command, argc, argv, true) > 0)
		help_add(list, &ctl_help_cmd);
	if (json_object_array_length(list) == 0) {
		json_object_put(list);
		return response_errorf_words("no command starts with", argc, argv);
	}
	return response_ok(list);
}

static struct json_object *
cmd_run(const struct ctl_cmd *cmd, void *ctx, int argc, char **argv)
{
	char err[CTL_ERR_LEN] = "";
	struct json_object *out = NULL;
	int rc;

	if (cmd->fn == NULL) {
		snprintf(err, sizeof(err), "'%s' is not implemented", cmd->command);
		return ctl_response_error(err);
	}
	rc = cmd->fn(ctx, argc, argv, &out, err, sizeof(err));
	if (rc >= 0)
		return response_ok(out);
	json_object_put(out);
	if (err[0] == '\0')
		snprintf(err, sizeof(err), "%s: %s", cmd->command, strerror(-rc));
	return ctl_response_error(err);
}

struct json_object *
ctl_dispatch(const struct ctl_cmd *cmds, unsigned int n_cmds, void *ctx, int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	int used;

	if (argc <= 0)
		return ctl_response_error("empty command; try 'help'");
	if (strcmp(argv[0], ctl_help_cmd.command) == 0)
		return help_run(cmds, n_cmds, argc - 1, argv + 1);
	cmd = cmd_find(cmds, n_cmds, argc, argv, &used);
	if (cmd == NULL)
		return response_errorf_words("unknown command", argc, argv);
	return cmd_run(cmd, ctx, argc - used, argv + used);
}
