/*
 * A stand-in for the IKE daemon (ike/ike_ctx.h) for test_ctl_ike_host.c:
 * every call the host glue makes, recorded in STUB; the triggers answer
 * stub.rc. No IKE runs: the host ops it is given are called by the test.
 */
#ifndef HAGW_TEST_CTL_IKE_STUB_H
#define HAGW_TEST_CTL_IKE_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_ctx.h"

struct ike_ctx {
	int unused;
};

struct ike_stub {
	struct ike_ctx ctx;
	struct ike_host_ops ops;
	bool fail_new, freed;
	unsigned int inputs, ticks, expired;
	struct ike_addr in_local, in_remote;
	uint8_t in_data[16];
	size_t in_len;
	uint64_t deadline;
	uint32_t exp_spi;
	bool exp_hard;
	int rc;				/* what the triggers return */
	char conn[64], child[64];
	uint64_t id;
	struct ike_stats stats;
};

extern struct ike_stub stub;

#endif
