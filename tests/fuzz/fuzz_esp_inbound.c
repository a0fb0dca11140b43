/*
 * libFuzzer target for inbound ESP (dataplane/esp_inbound.c, esp_decap.c,
 * esp_ecn.c; RFC 4303 §3.4, RFC 4301 §5.2, RFC 6040). Input: one control
 * byte, then the IP packet that arrived (the Ethernet header is added).
 * Control byte: bits 0-1 pick one of four fixed inbound SAs (GCM tunnel
 * over IPv4; ChaCha20-Poly1305 tunnel over IPv6 + UDP with selectors;
 * CBC transport over IPv4; GCM transport over IPv6 + UDP with ESN);
 * bit 2 seals the packet first (a valid ICV over whatever the bytes are,
 * when its lengths allow) so that the checks after decryption see fuzzed
 * plaintext; bit 3 takes the ESP offset from the next input byte instead
 * of the SA's layout. The packet sits in an exactly sized heap buffer, so
 * ASan sees any read past it. A good packet must satisfy what esp.h
 * promises; every input must leave the mempool as it found it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "dataplane/esp.h"
#include "dataplane/replay.h"
#include "tests/unit/dataplane/esp_fixture.h"

enum {
	N_SAS = 4,
	CTL_SA_MASK = 0x03,
	CTL_SEAL = 0x04,
	CTL_ESP_OFF = 0x08,
	IPV4_HDR = 20,
	IPV6_HDR = 40,
	UDP_HDR = 8,
	ESP_HDR = 8,
	ICV = 16,
	INPUT_MAX = 2000,
	SPI_BASE = 0x5000,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fx_combo combos[N_SAS] = {
	{ DP_SA_AES_GCM_128, DP_SA_TUNNEL, AF_INET, AF_INET, false, false },
	{ DP_SA_CHACHA20_POLY1305, DP_SA_TUNNEL, AF_INET, AF_INET6, true, false },
	{ DP_SA_AES_CBC_128_SHA256, DP_SA_TRANSPORT, AF_INET, AF_INET, false, false },
	{ DP_SA_AES_GCM_256, DP_SA_TRANSPORT, AF_INET6, AF_INET6, true, true },
};

static struct dp_sa *sas[N_SAS];

static void
selectors(struct dp_sa_params *p)
{
	struct dp_ts *l = &p->ts[0].local, *r = &p->ts[0].remote;

	p->n_ts = 1;
	l->family = r->family = AF_INET;
	l->port_hi = r->port_hi = UINT16_MAX;
	memset(l->addr_hi, 0xff, 4);
	r->addr_lo[0] = r->addr_hi[0] = 10;
	memset(r->addr_hi + 1, 0xff, 3);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct dp_sa_params p;

	if (fx_init("fuzz_esp_inbound", "hagw_fuzz_esp") < 0)
		abort();
	for (int i = 0; i < N_SAS; i++) {
		fx_params(&p, &combos[i], SPI_BASE + i, DP_SA_INBOUND);
		if (i == 1)
			selectors(&p);
		sas[i] = fx_sa_add(&p);
		if (sas[i] == NULL)
			abort();
	}
	return 0;
}

static uint16_t
layout_esp_off(const struct fx_combo *c)
{
	return FX_L2_LEN + (c->outer == AF_INET ? IPV4_HDR : IPV6_HDR) + (c->udp ? UDP_HDR : 0);
}

/* A valid ICV over the bytes, if the IP length and ESP offset allow one. */
static void
seal(struct dp_sa *sa, struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	const uint8_t *ip = f + FX_L2_LEN;
	uint32_t esp_off = dp_meta(m)->esp_off, end, payload;
	struct dp_esp_op op = { .key = &sa->key, .esn = sa->p.esn };

	if (m->data_len < FX_L2_LEN + IPV6_HDR)
		return;
	end = FX_L2_LEN + ((ip[0] >> 4) == 4 ? (uint32_t)(ip[2] << 8 | ip[3]) :
					      IPV6_HDR + (uint32_t)(ip[4] << 8 | ip[5]));
	if (end > m->data_len || esp_off + ESP_HDR + sa->key.iv_len + ICV > end)
		return;
	payload = end - esp_off - ESP_HDR - sa->key.iv_len - ICV;
	if (payload == 0 || payload % sa->key.block != 0)
		return;
	f[esp_off] = (uint8_t)(sa->p.spi >> 24);
	f[esp_off + 1] = (uint8_t)(sa->p.spi >> 16);
	f[esp_off + 2] = (uint8_t)(sa->p.spi >> 8);
	f[esp_off + 3] = (uint8_t)sa->p.spi;
	op.esp = f + esp_off;
	op.payload_len = payload;
	op.iv_nonce = 1;
	dp_esp_encrypt_burst(fx.w->mgr, &op, 1);
}

/* esp.h: inner IP packet at l3_off, its length exactly what is left. */
static void
check_good(struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, FX_L2_LEN);
	uint32_t len = m->data_len - FX_L2_LEN;

	if (dp_meta(m)->l3_off != FX_L2_LEN || m->data_len < FX_L2_LEN + IPV4_HDR)
		abort();
	if ((ip[0] >> 4) == 4 && (uint32_t)(ip[2] << 8 | ip[3]) == len)
		return;
	if ((ip[0] >> 4) == 6 && len >= IPV6_HDR &&
	    (uint32_t)(ip[4] << 8 | ip[5]) + IPV6_HDR == len)
		return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int skip;
	struct rte_mbuf *m;
	struct dp_sa *sa;
	uint8_t ctl;

	if (size < 2 || size > INPUT_MAX)
		return 0;
	ctl = data[0];
	skip = ctl & CTL_ESP_OFF ? 2 : 1;
	sa = sas[ctl & CTL_SA_MASK];
	dp_replay_init(&sa->win, sa->p.replay_window, sa->p.esn);
	m = fx_mbuf_exact(data + skip, (uint16_t)(size - skip), RTE_PKTMBUF_HEADROOM);
	if (m == NULL)
		abort();
	dp_meta(m)->esp_off = ctl & CTL_ESP_OFF ? FX_L2_LEN + data[1] :
						   layout_esp_off(&combos[ctl & CTL_SA_MASK]);
	if (ctl & CTL_SEAL)
		seal(sa, m);
	if (dp_esp_inbound(fx.w, FX_PORT, &m, &sa, 1) == 1) {
		check_good(m);
		rte_pktmbuf_free(m);
	}
	if (fx_in_use() != 0)
		abort();
	return 0;
}
