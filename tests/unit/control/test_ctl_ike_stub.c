/*
 * The stubbed IKE context of test_ctl_ike_host.c (test_ctl_ike_stub.h):
 * ike_ctx.h's functions that the host glue calls, recording their
 * arguments.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test_ctl_ike_stub.h"

struct ike_stub stub;

struct ike_ctx *
ike_ctx_new(const struct cfg_ike *cfg, const struct ike_host_ops *ops, uint16_t node_id,
	    char *err, size_t err_len)
{
	(void)cfg;
	(void)node_id;
	if (stub.fail_new) {
		snprintf(err, err_len, "connection gw: cannot read gw.pem");
		return NULL;
	}
	stub.ops = *ops;
	return &stub.ctx;
}

void
ike_ctx_free(struct ike_ctx *ctx)
{
	CU_ASSERT_PTR_EQUAL(ctx, &stub.ctx);
	stub.freed = true;
}

int
ike_ctx_reserve(size_t ike_sas, size_t child_sas)
{
	(void)ike_sas;
	(void)child_sas;
	return 0;
}

void
ike_input(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
	  const uint8_t *data, size_t len)
{
	(void)ctx;
	stub.inputs++;
	stub.in_local = *local;
	stub.in_remote = *remote;
	stub.in_len = len;
	memcpy(stub.in_data, data, len < sizeof(stub.in_data) ? len : sizeof(stub.in_data));
}

uint64_t
ike_tick(struct ike_ctx *ctx)
{
	(void)ctx;
	stub.ticks++;
	return stub.deadline;
}

uint64_t
ike_next_deadline(const struct ike_ctx *ctx)
{
	(void)ctx;
	return stub.deadline;
}

static int
trigger(const char *conn, const char *child, uint64_t id)
{
	snprintf(stub.conn, sizeof(stub.conn), "%s", conn != NULL ? conn : "");
	snprintf(stub.child, sizeof(stub.child), "%s", child != NULL ? child : "");
	stub.id = id;
	return stub.rc;
}

int
ike_initiate(struct ike_ctx *ctx, const char *conn, const char *child)
{
	(void)ctx;
	return trigger(conn, child, 0);
}

int
ike_terminate_ike(struct ike_ctx *ctx, uint64_t id)
{
	(void)ctx;
	return trigger("terminate-ike", NULL, id);
}

int
ike_terminate_child(struct ike_ctx *ctx, uint64_t id)
{
	(void)ctx;
	return trigger("terminate-child", NULL, id);
}

int
ike_rekey_ike(struct ike_ctx *ctx, uint64_t id)
{
	(void)ctx;
	return trigger("rekey-ike", NULL, id);
}

int
ike_rekey_child(struct ike_ctx *ctx, uint64_t id)
{
	(void)ctx;
	return trigger("rekey-child", NULL, id);
}

void
ike_child_expired(struct ike_ctx *ctx, uint32_t spi, bool hard)
{
	(void)ctx;
	stub.expired++;
	stub.exp_spi = spi;
	stub.exp_hard = hard;
}

int
ike_sa_foreach(const struct ike_ctx *ctx, int (*cb)(const struct ike_sa_state *sa, void *arg),
	       void *arg)
{
	(void)ctx;
	(void)cb;
	(void)arg;
	return 0;
}

int
ike_child_foreach(const struct ike_ctx *ctx, uint64_t ike_sa_id,
		  int (*cb)(const struct ike_child_state *child, void *arg), void *arg)
{
	(void)ctx;
	(void)ike_sa_id;
	(void)cb;
	(void)arg;
	return 0;
}

const struct ike_stats *
ike_get_stats(const struct ike_ctx *ctx)
{
	(void)ctx;
	return &stub.stats;
}

unsigned int
ike_half_open_count(const struct ike_ctx *ctx)
{
	(void)ctx;
	return 3;
}
