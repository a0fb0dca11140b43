/* A small CLI command table shared by the control unit tests. */
#ifndef HAGW_TEST_CLI_CMDS_H
#define HAGW_TEST_CLI_CMDS_H

#include "control/cli.h"

/* Counts handler calls; ctx of every command. */
struct test_ctx {
	unsigned int calls;
};

extern const struct ctl_cmd test_cmds[];
extern const unsigned int test_n_cmds;

/* JSON text of a response: plain, '/' not escaped; caller frees. */
char *test_json(struct json_object *o);

#endif
