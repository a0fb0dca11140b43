/*
 * hagwctl: the operator's shell for the hagw daemon. Sends command words
 * over the CLI socket (docs/cli.md), renders the JSON answer as text or
 * prints it as JSON; interactive with libedit on a terminal, line by line
 * from a script otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <editline/readline.h>
#include <json-c/json.h>

#include "control/cli_wire.h"
#include "tools/json_text.h"

enum {
	HAGWCTL_EXIT_OK = 0,
	HAGWCTL_EXIT_ERROR = 1,		/* the command failed, or bad usage */
	HAGWCTL_EXIT_CONNECT = 2,	/* no answer from the daemon */
	HAGWCTL_TIMEOUT_S = 30,
	HAGWCTL_HISTORY_MAX = 1000,
	HAGWCTL_MSG_LEN = 512,
	HAGWCTL_PATH_LEN = 4096,
	HAGWCTL_MAX_CANDIDATES = 256,
	HAGWCTL_JSON_FLAGS = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE,
};

#define HAGWCTL_DEFAULT_SOCKET "/run/hagw/hagw.sock"
#define HAGWCTL_SOCKET_ENV "HAGW_SOCKET"
#define HAGWCTL_HISTORY_FILE ".hagwctl_history"
#define HAGWCTL_PROMPT "hagw> "
#define HAGWCTL_HELP "help"

struct opts {
	const char *socket;
	bool json;
	bool interactive;
};

/* The daemon's help table, fetched once for the interactive shell. */
static struct json_object *help_table;

/* ---- talking to the daemon ---- */

static int
sock_connect(const char *path, char *err, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = HAGWCTL_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, len, "cannot connect to %s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, len, "cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0, or -1 with errno (0 when the daemon closed the connection). */
static int
recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n == 0 ? 0 : errno;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *
io_error(void)
{
	return errno == 0 ? "connection closed by hagw" : strerror(errno);
}

/* Reads one framed response and checks its shape. */
static struct json_object *
response_read(int fd, const char *path, char *err, size_t len)
{
	uint8_t hdr[CTL_FRAME_HDR_LEN];
	struct json_object *resp = NULL;
	char *body;
	uint32_t n;

	if (recv_all(fd, hdr, sizeof(hdr)) < 0) {
		snprintf(err, len, "%s: %s", path, io_error());
		return NULL;
	}
	n = ctl_frame_len_get(hdr);
	if (n == 0 || n > CTL_MAX_RESPONSE) {
		snprintf(err, len, "%s: bad response length %u", path, n);
		return NULL;
	}
	body = malloc(n);
	if (body == NULL)
		snprintf(err, len, "out of memory for %u bytes", n);
	else if (recv_all(fd, body, n) < 0)
		snprintf(err, len, "%s: %s", path, io_error());
	else if ((resp = ctl_response_decode(body, n, err, len)) == NULL)
		snprintf(err, len, "%s: malformed response", path);
	free(body);
	return resp;
}

/* Sends one command; returns an exit code, *resp when it is 0. */
static int
ctl_call(const char *path, int argc, char **argv, struct json_object **resp, char *err,
	 size_t len)
{
	uint8_t *frame;
	size_t frame_len;
	int fd, rc = HAGWCTL_EXIT_CONNECT;

	if (ctl_request_encode(argc, argv, &frame, &frame_len) < 0) {
		snprintf(err, len, "request too large (at most %d words, %d bytes)", CTL_MAX_ARGS,
			 CTL_MAX_REQUEST);
		return HAGWCTL_EXIT_ERROR;
	}
	fd = sock_connect(path, err, len);
	if (fd >= 0 && send_all(fd, frame, frame_len) < 0)
		snprintf(err, len, "%s: %s", path, io_error());
	else if (fd >= 0 && (*resp = response_read(fd, path, err, len)) != NULL)
		rc = HAGWCTL_EXIT_OK;
	if (fd >= 0)
		close(fd);
	free(frame);
	return rc;
}

/* ---- output ---- */

static void
print_owned(char *text)
{
	if (text == NULL) {
		fprintf(stderr, "hagwctl: out of memory\n");
		return;
	}
	fputs(text, stdout);
	free(text);
}

/* Daemon messages are rendered like data: control characters escaped. */
static void
print_error(struct json_object *msg)
{
	char *text = json_text_render(msg);

	fprintf(stderr, "hagwctl: %s", text != NULL ? text : "out of memory\n");
	free(text);
}

static int
print_response(const struct opts *o, struct json_object *resp, bool help)
{
	struct json_object *ok, *v = NULL;

	json_object_object_get_ex(resp, "ok", &ok);
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(resp, "error", &v);
		print_error(v);
		return HAGWCTL_EXIT_ERROR;
	}
	json_object_object_get_ex(resp, "data", &v);
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(v, HAGWCTL_JSON_FLAGS));
	else if (help && json_object_is_type(v, json_type_array))
		print_owned(json_text_help(v));
	else
		print_owned(json_text_render(v));
	return HAGWCTL_EXIT_OK;
}

static int
run_one(const struct opts *o, int argc, char **argv)
{
	struct json_object *resp = NULL;
	char err[HAGWCTL_MSG_LEN];
	int rc = ctl_call(o->socket, argc, argv, &resp, err, sizeof(err));

	if (rc != HAGWCTL_EXIT_OK) {
		fprintf(stderr, "hagwctl: %s\n", err);
		return rc;
	}
	rc = print_response(o, resp, argc > 0 && strcmp(argv[0], HAGWCTL_HELP) == 0);
	fflush(stdout);
	json_object_put(resp);
	return rc;
}

/* ---- lines of words ---- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Splits line in place into words at blanks; '...' and "..." quote blanks.
 * Returns the number of words, -E2BIG for more than max, -EINVAL for an
 * unclosed quote.
 */
static int
words_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = '\0';

		while (is_blank(*r))
			r++;
		if (*r == '\0')
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w;
		for (; *r != '\0' && (quote != '\0' || !is_blank(*r)); r++) {
			if (quote == '\0' && (*r == '"' || *r == '\''))
				quote = *r;
			else if (*r == quote)
				quote = '\0';
			else
				*w++ = *r;
		}
		if (quote != '\0')
			return -EINVAL;
		if (*r != '\0')
			r++;
		*w++ = '\0';
	}
}

/* The table entries whose command starts with the words. */
static struct json_object *
help_filter(int argc, char **argv)
{
	struct json_object *out = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(help_table); i++) {
		struct json_object *e = json_object_array_get_idx(help_table, i), *cmd;

		if (!json_object_object_get_ex(e, "command", &cmd) ||
		    !json_object_is_type(cmd, json_type_string))
			continue;
		if (argc == 0 || ctl_words_match(json_object_get_string(cmd), argc, argv, true) > 0)
			json_object_array_add(out, json_object_get(e));
	}
	return out;
}

static int
help_local(int argc, char **argv)
{
	struct json_object *list = help_filter(argc, argv);
	int rc = HAGWCTL_EXIT_OK;

	if (json_object_array_length(list) == 0) {
		fprintf(stderr, "hagwctl: no command starts with '%s'\n", argv[0]);
		rc = HAGWCTL_EXIT_ERROR;
	} else {
		print_owned(json_text_help(list));
	}
	json_object_put(list);
	return rc;
}

/* Runs one line; sets *quit for quit/exit. Returns an exit code. */
static int
line_run(const struct opts *o, char *line, bool local_help, bool *quit)
{
	char *argv[CTL_MAX_ARGS + 1];
	int argc = words_split(line, argv, CTL_MAX_ARGS);

	*quit = false;
	if (argc < 0) {
		fprintf(stderr, "hagwctl: %s\n", argc == -E2BIG ? "too many words" :
			"unclosed quote");
		return HAGWCTL_EXIT_ERROR;
	}
	if (argc == 0 || argv[0][0] == '#')
		return HAGWCTL_EXIT_OK;
	if (argc == 1 && (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0)) {
		*quit = true;
		return HAGWCTL_EXIT_OK;
	}
	if (local_help && strcmp(argv[0], HAGWCTL_HELP) == 0)
		return help_local(argc - 1, argv + 1);
	return run_one(o, argc, argv);
}

/* Commands from a script on stdin: stops at quit or a lost daemon;
 * returns the worst exit code. */
static int
script_run(const struct opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	int worst = HAGWCTL_EXIT_OK;
	bool quit = false;

	while (!quit && worst != HAGWCTL_EXIT_CONNECT && getline(&line, &cap, stdin) > 0) {
		int rc = line_run(o, line, false, &quit);

		worst = rc > worst ? rc : worst;
	}
	free(line);
	return worst;
}

/* ---- the interactive shell ---- */

static char *candidate[HAGWCTL_MAX_CANDIDATES];
static unsigned int n_candidates;
static const char *shell_socket;	/* the daemon, for completing arguments */

/*
 * Arguments completed with values from the daemon: after the words of
 * command, the string member key (or fallback, when key is not a string)
 * of each item of the array that the command list answers.
 */
struct arg_source {
	const char *command;
	const char *list;
	const char *key;
	const char *fallback;
};

static const struct arg_source arg_sources[] = {
	{ "show sa", "show sa", "name", "spi" },
	{ "clear sa counters", "show sa", "name", "spi" },
};

#define HAGWCTL_N_ARG_SOURCES (sizeof(arg_sources) / sizeof(arg_sources[0]))

static void
candidate_add(const char *word, size_t len, const char *text)
{
	char *c;

	if (len < strlen(text) || strncmp(word, text, strlen(text)) != 0 ||
	    n_candidates == HAGWCTL_MAX_CANDIDATES)
		return;
	for (unsigned int i = 0; i < n_candidates; i++)
		if (strlen(candidate[i]) == len && strncmp(candidate[i], word, len) == 0)
			return;
	c = strndup(word, len);
	if (c != NULL)
		candidate[n_candidates++] = c;
}

/* Offers word argc of command if its first argc words are argv. */
static void
candidate_from(const char *command, int argc, char **argv, const char *text)
{
	const char *p = command + strspn(command, " ");

	for (int i = 0; i < argc; i++) {
		size_t len = strcspn(p, " ");

		if (strlen(argv[i]) != len || strncmp(argv[i], p, len) != 0)
			return;
		p += len;
		p += strspn(p, " ");
	}
	if (*p != '\0')
		candidate_add(p, strcspn(p, " "), text);
}

static char *
candidate_next(const char *text, int state)
{
	static unsigned int next;

	if (state == 0)
		next = 0;
	if (next == n_candidates)
		return NULL;
	return strdup(candidate[next++]);
}

static void
candidates_clear(void)
{
	for (unsigned int i = 0; i < n_candidates; i++)
		free(candidate[i]);
	n_candidates = 0;
}

/* The string member key of o, else fallback's, else NULL. */
static const char *
item_string(struct json_object *o, const char *key, const char *fallback)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_object_get_ex(o, fallback, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Printable ASCII without blanks or quotes: safe to put on the line as is
 * (names can come from peers). */
static bool
word_plain(const char *w)
{
	for (; *w != '\0'; w++)
		if (*w <= ' ' || *w > '~' || *w == '"' || *w == '\'')
			return false;
	return true;
}

/* Offers the values src names from the daemon's answer to src->list. */
static void
candidates_from_list(const struct arg_source *src, const char *text)
{
	char words[HAGWCTL_MSG_LEN], err[HAGWCTL_MSG_LEN];
	char *argv[CTL_MAX_ARGS + 1];
	struct json_object *resp = NULL, *data;
	int argc;

	snprintf(words, sizeof(words), "%s", src->list);
	argc = words_split(words, argv, CTL_MAX_ARGS);
	if (argc <= 0 || ctl_call(shell_socket, argc, argv, &resp, err, sizeof(err)) != 0)
		return;
	if (json_object_object_get_ex(resp, "data", &data) &&
	    json_object_is_type(data, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(data); i++) {
			const char *v = item_string(json_object_array_get_idx(data, i), src->key,
						    src->fallback);

			if (v != NULL && word_plain(v))
				candidate_add(v, strlen(v), text);
		}
	}
	json_object_put(resp);
}

static void
candidates_find(int argc, char **argv, const char *text)
{
	int skip = argc > 0 && strcmp(argv[0], HAGWCTL_HELP) == 0 ? 1 : 0;

	candidates_clear();
	for (size_t i = 0; i < json_object_array_length(help_table); i++) {
		struct json_object *cmd;

		if (json_object_object_get_ex(json_object_array_get_idx(help_table, i), "command",
					      &cmd) && json_object_is_type(cmd, json_type_string))
			candidate_from(json_object_get_string(cmd), argc - skip, argv + skip, text);
	}
	/* the first argument of a command whose values the daemon lists */
	for (size_t i = 0; skip == 0 && argc > 0 && i < HAGWCTL_N_ARG_SOURCES; i++)
		if (ctl_words_match(arg_sources[i].command, argc, argv, false) == argc)
			candidates_from_list(&arg_sources[i], text);
	if (argc == 0) {
		candidate_add("quit", strlen("quit"), text);
		candidate_add("exit", strlen("exit"), text);
	}
}

/* libedit: completes the word at start from the words before it. */
static char **
complete(const char *text, int start, int end)
{
	char *words = strndup(rl_line_buffer, (size_t)start);
	char *argv[CTL_MAX_ARGS + 1];
	int argc;

	rl_attempted_completion_over = 1;
	if (words == NULL)
		return NULL;
	argc = words_split(words, argv, CTL_MAX_ARGS);
	if (argc >= 0)
		candidates_find(argc, argv, text);
	free(words);
	return argc < 0 ? NULL : rl_completion_matches(text, candidate_next);
}

static void
history_path(char *buf, size_t len)
{
	const char *home = getenv("HOME");

	buf[0] = '\0';
	if (home != NULL && home[0] != '\0')
		snprintf(buf, len, "%s/" HAGWCTL_HISTORY_FILE, home);
}

/* Fetches the help table that completion and local help use. */
static int
help_fetch(const struct opts *o)
{
	static char word[] = HAGWCTL_HELP;
	char *argv[] = { word, NULL };
	struct json_object *resp = NULL, *data;
	char err[HAGWCTL_MSG_LEN];
	int rc = ctl_call(o->socket, 1, argv, &resp, err, sizeof(err));

	if (rc != HAGWCTL_EXIT_OK) {
		fprintf(stderr, "hagwctl: %s\n", err);
		return rc;
	}
	if (!json_object_object_get_ex(resp, "data", &data) ||
	    !json_object_is_type(data, json_type_array)) {
		fprintf(stderr, "hagwctl: %s: no help table\n", o->socket);
		rc = HAGWCTL_EXIT_ERROR;
	} else {
		help_table = json_object_get(data);
	}
	json_object_put(resp);
	return rc;
}

static int
interactive_run(const struct opts *o)
{
	char hist[HAGWCTL_PATH_LEN];
	bool quit = false;
	char *line;
	int rc = help_fetch(o);

	if (rc != HAGWCTL_EXIT_OK)
		return rc;
	history_path(hist, sizeof(hist));
	using_history();
	stifle_history(HAGWCTL_HISTORY_MAX);
	if (hist[0] != '\0')
		read_history(hist);
	shell_socket = o->socket;
	rl_readline_name = "hagwctl";
	rl_attempted_completion_function = complete;
	while (!quit && (line = readline(HAGWCTL_PROMPT)) != NULL) {
		if (line[strspn(line, " \t")] != '\0')
			add_history(line);
		line_run(o, line, true, &quit);
		free(line);
	}
	if (hist[0] != '\0')
		write_history(hist);
	candidates_clear();
	json_object_put(help_table);
	return HAGWCTL_EXIT_OK;
}

/* ---- options ---- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: hagwctl [-s SOCKET] [--json] [-i] [COMMAND ...]\n"
		"  -s, --socket SOCKET  the daemon's CLI socket (default $" HAGWCTL_SOCKET_ENV
		" or " HAGWCTL_DEFAULT_SOCKET ")\n"
		"  -j, --json           print the answer as JSON\n"
		"  -i, --interactive    the interactive shell even when stdin is not a terminal\n"
		"  -h, --help           this text; 'hagwctl help' lists the daemon's commands\n"
		"Without a COMMAND: an interactive shell on a terminal, else one command per\n"
		"line from stdin. Exit status: 0 ok, 1 the command failed, 2 no connection.\n");
}

/* Returns the index of the first command word, or -1 to exit with *rc. */
static int
opts_parse(struct opts *o, int argc, char **argv, int *rc)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv(HAGWCTL_SOCKET_ENV);
	int c;

	o->socket = env != NULL && env[0] != '\0' ? env : HAGWCTL_DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:jih", longopts, NULL)) != -1) {
		if (c == 's') {
			o->socket = optarg;
		} else if (c == 'j') {
			o->json = true;
		} else if (c == 'i') {
			o->interactive = true;
		} else {
			usage(c == 'h' ? stdout : stderr);
			*rc = c == 'h' ? HAGWCTL_EXIT_OK : HAGWCTL_EXIT_ERROR;
			return -1;
		}
	}
	return optind;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	int rc = HAGWCTL_EXIT_OK;
	int first = opts_parse(&o, argc, argv, &rc);

	if (first < 0)
		return rc;
	if (first < argc)
		return run_one(&o, argc - first, argv + first);
	if (o.interactive || isatty(STDIN_FILENO))
		return interactive_run(&o);
	return script_run(&o);
}
