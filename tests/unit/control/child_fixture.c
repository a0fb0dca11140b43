/*
 * CHILD SA states for the control tests (child_fixture.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/control/child_fixture.h"

void
fixture_ts4(struct ike_ts *ts, const char *lo, const char *hi)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = IKE_TS_IPV4_ADDR_RANGE;
	ts->end_port = UINT16_MAX;
	if (inet_pton(AF_INET, lo, ts->start) != 1 || inet_pton(AF_INET, hi, ts->end) != 1)
		abort();	/* a bad literal in a test: also outside a CUnit run */
}

void
fixture_child_fill(struct ike_child_state *c, uint64_t id, const char *local_lo,
		   const char *local_hi, const char *remote_lo, const char *remote_hi)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->ike_sa_id = 1;
	c->spi_in = 0x1000 + (uint32_t)id;
	c->spi_out = 0x2000 + (uint32_t)id;
	c->mode = IKE_CHILD_MODE_TUNNEL;
	c->replay_window = 64;
	c->suite.encr = IKE_ENCR_AES_GCM_16;
	c->suite.encr_key_bits = 128;
	c->encr_i.len = c->encr_r.len = 20;
	memset(c->encr_i.bytes, 0x11, 20);
	memset(c->encr_r.bytes, 0x22, 20);
	snprintf(c->name, sizeof(c->name), "net");
	c->ts_local.n = c->ts_remote.n = 1;
	fixture_ts4(&c->ts_local.ts[0], local_lo, local_hi);
	fixture_ts4(&c->ts_remote.ts[0], remote_lo, remote_hi);
}
