/*
 * Fixture for the ESP transform tests and the inbound fuzz target (see
 * esp_fixture.h): one worker, its IPsec-MB manager, the SA database and
 * the SA event ring, and doubles of the worker's drop/punt functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dataplane/esp_crypto.h"
#include "tests/unit/dataplane/esp_fixture.h"

enum {
	FX_MAX_SAS = 1024,
	FX_EVENT_RING = 64,
};

struct esp_fx fx;

/* Test doubles of forward.c. */
void
dp_worker_drop(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	       enum dp_drop_reason reason)
{
	dp_count_drop(&w->counters, in_port, reason);
	rte_pktmbuf_free(m);
}

void
dp_worker_punt(struct dp_worker *w, struct rte_mbuf *m, uint8_t in_port,
	       enum dp_punt_reason reason)
{
	dp_meta(m)->punt_reason = reason;
	w->counters.port[in_port].punted++;
	if (fx.n_punt < FX_MAX_PUNT)
		fx.punt[fx.n_punt++] = m;
	else
		rte_pktmbuf_free(m);
}

static int
fx_dp_init(void)
{
	struct dp_sad_params sp = {
		.max_sas = FX_MAX_SAS, .n_workers = 1, .qsbr = NULL, .socket = SOCKET_ID_ANY,
	};

	fx.dp.ctl_mgr = dp_esp_mgr_create();
	fx.w = rte_zmalloc("t_esp_worker", sizeof(*fx.w), RTE_CACHE_LINE_SIZE);
	if (fx.dp.ctl_mgr == NULL || fx.w == NULL)
		return -1;
	fx.w_mgr = dp_esp_mgr_create();
	fx.w->mgr = fx.w_mgr;
	fx.w->dp = &fx.dp;
	fx.w->index = 0;
	fx.dp.n_workers = 1;
	fx.dp.workers[0] = fx.w;
	fx.dp.n_ifaces = 1;
	fx.dp.pool = fx.pool;
	sp.mgr = fx.dp.ctl_mgr;
	fx.dp.sad = dp_sad_create("t_esp_sad", &sp);
	fx.dp.sa_event_ring = rte_ring_create_elem("t_esp_ev", sizeof(struct dp_sa_event),
						   FX_EVENT_RING, SOCKET_ID_ANY,
						   RING_F_SC_DEQ);
	if (fx.w->mgr == NULL || fx.dp.sad == NULL || fx.dp.sa_event_ring == NULL)
		return -1;
	return 0;
}

int
fx_init(const char *prog, const char *prefix)
{
	char *argv[] = {
		(char *)prog, "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
		"--file-prefix", (char *)prefix, "-l", "0", "--log-level=3",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	fx.pool = rte_pktmbuf_pool_create("t_esp_pool", FX_N_MBUFS, 0,
					  RTE_ALIGN(sizeof(struct dp_mbuf_meta),
						    RTE_MBUF_PRIV_ALIGN),
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (fx.pool == NULL || fx_dp_init() < 0)
		return -1;
	fx.baseline = rte_mempool_in_use_count(fx.pool);
	return 0;
}

void
fx_fini(void)
{
	fx_reset();
	dp_sad_free(fx.dp.sad);
	rte_ring_free(fx.dp.sa_event_ring);
	dp_esp_mgr_free(fx.w->mgr);
	dp_esp_mgr_free(fx.dp.ctl_mgr);
	rte_free(fx.w);
	rte_mempool_free(fx.pool);
	rte_eal_cleanup();
}

void
fx_reset(void)
{
	struct dp_sa_event ev;

	for (unsigned int i = 0; i < fx.n_punt; i++)
		rte_pktmbuf_free(fx.punt[i]);
	fx.n_punt = 0;
	memset(&fx.w->counters, 0, sizeof(fx.w->counters));
	while (rte_ring_dequeue_elem(fx.dp.sa_event_ring, &ev, sizeof(ev)) == 0)
		;
}

uint64_t
fx_drops(enum dp_drop_reason why)
{
	return fx.w->counters.port[FX_PORT].drops[why];
}

uint64_t
fx_drops_total(void)
{
	uint64_t sum = 0;

	for (unsigned int r = 0; r < DP_DROP_MAX; r++)
		sum += fx.w->counters.port[FX_PORT].drops[r];
	return sum;
}

unsigned int
fx_in_use(void)
{
	return rte_mempool_in_use_count(fx.pool) - fx.baseline;
}

struct dp_sa *
fx_sa_add(const struct dp_sa_params *p)
{
	char err[256] = "";
	uint32_t id;

	if (dp_sa_add(fx.dp.sad, p, &id, err, sizeof(err)) != 0) {
		fprintf(stderr, "dp_sa_add: %s\n", err);
		return NULL;
	}
	return dp_sad_get(fx.dp.sad, id);
}

void
fx_sa_del(struct dp_sa *sa)
{
	if (sa == NULL)
		return;
	dp_sa_delete(fx.dp.sad, sa->id);
	dp_sad_reclaim(fx.dp.sad);
}

static const uint8_t fx_l2[FX_L2_LEN] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
};

static void
fx_fill(struct rte_mbuf *m, const uint8_t *l3, uint16_t len)
{
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, FX_L2_LEN + len);
	struct dp_mbuf_meta *meta = dp_meta(m);

	memcpy(d, fx_l2, FX_L2_LEN);
	if (len != 0)
		memcpy(d + FX_L2_LEN, l3, len);
	memset(meta, 0, sizeof(*meta));
	meta->l3_off = FX_L2_LEN;
	meta->in_port = FX_PORT;
}

struct rte_mbuf *
fx_mbuf(const uint8_t *l3, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	if (m == NULL || rte_pktmbuf_tailroom(m) < FX_L2_LEN + len) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	fx_fill(m, l3, len);
	return m;
}

static void
fx_ext_free(void *addr, void *opaque)
{
	free(opaque);
}

struct rte_mbuf *
fx_mbuf_exact(const uint8_t *l3, uint16_t len, uint16_t headroom)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);
	uint16_t buf_len = headroom + FX_L2_LEN + len;
	uint8_t *buf;

	/* One allocation: the shared info first, the buffer at the very end. */
	buf = malloc(sizeof(*shinfo) + buf_len);
	if (m == NULL || buf == NULL) {
		rte_pktmbuf_free(m);
		free(buf);
		return NULL;
	}
	shinfo = (struct rte_mbuf_ext_shared_info *)buf;
	shinfo->free_cb = fx_ext_free;
	shinfo->fcb_opaque = buf;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf + sizeof(*shinfo), 0, buf_len, shinfo);
	m->data_off = headroom;
	fx_fill(m, l3, len);
	return m;
}

const uint8_t fx_a4[4] = { 192, 0, 2, 1 };
const uint8_t fx_b4[4] = { 192, 0, 2, 2 };
const uint8_t fx_a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t fx_b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
const uint8_t fx_c4[4] = { 10, 9, 0, 5 };
const uint8_t fx_l4[4] = { 203, 0, 113, 10 };
const uint8_t fx_c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 5 };
const uint8_t fx_l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };
const uint8_t fx_key[DP_ESP_MAX_ENC_KEY] = {
	0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a, 0xc7, 0x3c,
	0x36, 0x13, 0xa6, 0x34, 0x2c, 0x0e, 0xf1, 0x8d, 0x77, 0x5a, 0x31, 0x9f,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xca, 0xfe, 0xba, 0xbe,
};
const uint8_t fx_auth_key[DP_ESP_MAX_AUTH_KEY] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};

static void
fx_prefix(struct cfg_prefix *pf, int family, bool a)
{
	memset(pf, 0, sizeof(*pf));
	pf->family = (uint8_t)family;
	if (family == AF_INET) {
		pf->len = 32;
		memcpy(pf->addr.v4, a ? fx_a4 : fx_b4, 4);
	} else {
		pf->len = 128;
		memcpy(pf->addr.v6, a ? fx_a6 : fx_b6, 16);
	}
}

void
fx_params(struct dp_sa_params *p, const struct fx_combo *c, uint32_t spi, enum dp_sa_dir dir)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "t-%x-%s", spi, dir == DP_SA_INBOUND ? "in" : "out");
	p->spi = spi;
	p->dir = dir;
	p->mode = c->mode;
	p->alg = c->alg;
	p->enc_key_len = dp_sa_alg_enc_key_len(c->alg);
	memcpy(p->enc_key, fx_key, p->enc_key_len);
	p->auth_key_len = dp_sa_alg_auth_key_len(c->alg);
	memcpy(p->auth_key, fx_auth_key, p->auth_key_len);
	p->esn = c->esn;
	p->replay_window = dir == DP_SA_INBOUND ? DP_REPLAY_MIN : 0;
	fx_prefix(&p->local, c->outer, dir == DP_SA_OUTBOUND);
	fx_prefix(&p->remote, c->outer, dir != DP_SA_OUTBOUND);
	p->udp_encap = c->udp;
	p->encap_local_port = c->udp ? 4500 : 0;
	p->encap_remote_port = c->udp ? 4500 : 0;
	p->df = DP_SA_DF_COPY;
	p->dscp = -1;
	p->owner = dir == DP_SA_INBOUND ? 0 : DP_SA_NO_OWNER;
}

int
fx_pair_make_p(struct fx_pair *pr, const struct dp_sa_params *out,
	       const struct dp_sa_params *in)
{
	pr->out = fx_sa_add(out);
	pr->in = fx_sa_add(in);
	pr->ref.alg = out->alg;
	pr->ref.key = fx_key;
	pr->ref.key_len = out->enc_key_len;
	pr->ref.auth_key = fx_auth_key;
	pr->ref.esn = out->esn;
	if (pr->out == NULL || pr->in == NULL) {
		fx_pair_free(pr);
		return -1;
	}
	return 0;
}

int
fx_pair_make(struct fx_pair *pr, const struct fx_combo *c, uint32_t spi)
{
	struct dp_sa_params out, in;

	fx_params(&out, c, spi, DP_SA_OUTBOUND);
	fx_params(&in, c, spi, DP_SA_INBOUND);
	return fx_pair_make_p(pr, &out, &in);
}

void
fx_pair_free(struct fx_pair *pr)
{
	fx_sa_del(pr->out);
	fx_sa_del(pr->in);
	pr->out = pr->in = NULL;
}

uint16_t
fx_esp_off(const struct fx_combo *c, uint16_t inner_hdr_len)
{
	uint16_t ip = c->outer == AF_INET ? 20 : 40;

	if (c->mode == DP_SA_TRANSPORT)
		ip = inner_hdr_len;
	return FX_L2_LEN + ip + (c->udp ? 8 : 0);
}
