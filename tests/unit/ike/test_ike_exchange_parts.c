/* The daemon's small parts, table-driven: the IKE SA phase transition
 * table, fragment reassembly (RFC 7383 §2.6), cookies (RFC 7296 §2.6),
 * virtual IP pools (§3.15) and SPIs (§2.6, RFC 4303 §2.1). */
#include <arpa/inet.h>
#include <string.h>

#include "ike/ike_cookie.h"
#include "ike/ike_frag.h"
#include "ike/ike_pool.h"
#include "ike/ike_sa.h"
#include "ike/ike_spi.h"
#include "tests/unit/ike/test_ike_exchange.h"

static const struct {
	enum ike_sa_phase from;
	enum ike_sa_phase to;
	bool ok;
} moves[] = {
	{ IKE_SA_PHASE_NONE, IKE_SA_PHASE_INIT_SENT, true },
	{ IKE_SA_PHASE_NONE, IKE_SA_PHASE_INIT_DONE, true },
	{ IKE_SA_PHASE_NONE, IKE_SA_PHASE_ESTABLISHED, false },
	{ IKE_SA_PHASE_INIT_SENT, IKE_SA_PHASE_INIT_SENT, true },
	{ IKE_SA_PHASE_INIT_SENT, IKE_SA_PHASE_AUTH_SENT, false },
	{ IKE_SA_PHASE_INIT_DONE, IKE_SA_PHASE_AUTH_SENT, true },
	{ IKE_SA_PHASE_INIT_DONE, IKE_SA_PHASE_ESTABLISHED, true },
	{ IKE_SA_PHASE_AUTH_SENT, IKE_SA_PHASE_ESTABLISHED, true },
	{ IKE_SA_PHASE_AUTH_SENT, IKE_SA_PHASE_INIT_DONE, false },
	{ IKE_SA_PHASE_ESTABLISHED, IKE_SA_PHASE_DELETING, true },
	{ IKE_SA_PHASE_ESTABLISHED, IKE_SA_PHASE_INIT_SENT, false },
	{ IKE_SA_PHASE_DELETING, IKE_SA_PHASE_ESTABLISHED, false },
	{ IKE_SA_PHASE_DELETING, IKE_SA_PHASE_DEAD, true },
	{ IKE_SA_PHASE_DEAD, IKE_SA_PHASE_DEAD, false },
	{ IKE_SA_PHASE_DEAD, IKE_SA_PHASE_ESTABLISHED, false },
	{ IKE_SA_PHASE_COUNT, IKE_SA_PHASE_DEAD, false },
};

static void
test_phases(void)
{
	size_t i;

	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		CU_ASSERT_EQUAL(ike_sa_phase_allowed(moves[i].from, moves[i].to), moves[i].ok);
	CU_ASSERT_STRING_EQUAL(ike_sa_phase_name(IKE_SA_PHASE_ESTABLISHED), "established");
	CU_ASSERT_STRING_EQUAL(ike_sa_phase_name(IKE_SA_PHASE_COUNT), "?");
}

/* Fragment steps: (msgid, num, total, expected result). */
static const struct {
	uint32_t msgid;
	uint16_t num;
	uint16_t total;
	int rc;
} frags[] = {
	{ 1, 2, 3, 0 },
	{ 1, 2, 3, -EALREADY },         /* duplicate */
	{ 1, 1, 2, -ERANGE },           /* smaller total: dropped (§2.6.2) */
	{ 1, 4, 3, -ERANGE },           /* number above the total */
	{ 1, 0, 3, -ERANGE },
	{ 1, 1, 33, -E2BIG },           /* over IKE_FRAG_MAX */
	{ 1, 1, 3, 0 },
	{ 1, 3, 3, 1 },                 /* complete */
};

static void
test_frag(void)
{
	struct ike_frag_rx f;
	uint8_t part[3] = { 'a', 'b', 'c' }, out[16], first = 0;
	size_t i, len = 0;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++)
		CU_ASSERT_EQUAL(ike_frag_add(&f, frags[i].msgid, false, frags[i].num,
					     frags[i].total, frags[i].num == 1 ? 41 : 0,
					     &part[frags[i].num == 0 ? 0 : (frags[i].num - 1) % 3],
					     1, 100), frags[i].rc);
	CU_ASSERT_EQUAL(ike_frag_take(&f, out, sizeof(out), &len, &first), 0);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(memcmp(out, "abc", 3), 0);
	CU_ASSERT_EQUAL(first, 41);
	CU_ASSERT_FALSE(f.active);
	/* a larger total restarts; a timeout drops what was collected */
	CU_ASSERT_EQUAL(ike_frag_add(&f, 2, false, 1, 2, 41, part, 1, 100), 0);
	CU_ASSERT_EQUAL(ike_frag_add(&f, 2, false, 3, 4, 0, part, 1, 100), 0);
	CU_ASSERT_EQUAL(f.have, 1);
	CU_ASSERT_EQUAL(f.total, 4);
	ike_frag_expire(&f, 100 + IKE_FRAG_TIMEOUT_MS - 1);
	CU_ASSERT_TRUE(f.active);
	ike_frag_expire(&f, 100 + IKE_FRAG_TIMEOUT_MS);
	CU_ASSERT_FALSE(f.active);
	/* sizes: 576 - 20 - 8 - 4 (marker) - 28 - 8 - 40 */
	CU_ASSERT_EQUAL(ike_frag_chunk_len(576, false, true, 40), 468);
	CU_ASSERT_EQUAL(ike_frag_chunk_len(576, true, false, 40), 452);
	CU_ASSERT_EQUAL(ike_frag_chunk_len(100, false, false, 40), 0);
	ike_frag_reset(&f);
}

static void
test_cookie(void)
{
	struct ike_cookie c;
	uint8_t nonce[32] = { 1 }, ck[IKE_COOKIE_LEN], old[IKE_COOKIE_LEN];
	struct ike_chunk n = { nonce, sizeof(nonce) };
	struct ike_addr a, b;
	size_t len = 0;

	ike_pair_addr(&a, "192.0.2.10", 500);
	ike_pair_addr(&b, "192.0.2.11", 500);
	CU_ASSERT_EQUAL_FATAL(ike_cookie_init(&c, 0), 0);
	CU_ASSERT_EQUAL(ike_cookie_make(&c, &n, &a, 7, ck, &len), 0);
	CU_ASSERT_EQUAL(len, IKE_COOKIE_LEN);
	CU_ASSERT_TRUE(ike_cookie_check(&c, &n, &a, 7, ck, len));
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &a, 8, ck, len));     /* other SPIi */
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &b, 7, ck, len));     /* other source */
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &a, 7, ck, len - 1));
	ck[5] ^= 1;
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &a, 7, ck, len));
	ck[5] ^= 1;
	ck[0] = (uint8_t)(c.version - 1);          /* "previous" before any renewal */
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &a, 7, ck, len));
	ck[0] = c.version;
	memcpy(old, ck, sizeof(ck));
	ike_cookie_tick(&c, IKE_COOKIE_SECRET_LIFE_MS - 1);
	CU_ASSERT_EQUAL(c.version, 0);
	ike_cookie_tick(&c, IKE_COOKIE_SECRET_LIFE_MS);
	CU_ASSERT_EQUAL(c.version, 1);
	CU_ASSERT_TRUE(ike_cookie_check(&c, &n, &a, 7, old, len));     /* previous secret */
	ike_cookie_tick(&c, 2 * IKE_COOKIE_SECRET_LIFE_MS);
	CU_ASSERT_FALSE(ike_cookie_check(&c, &n, &a, 7, old, len));    /* two back: gone */
	/* half-open accounting */
	ike_cookie_half_open_add(&c, &a);
	ike_cookie_half_open_add(&c, &a);
	CU_ASSERT_EQUAL(c.half_open, 2);
	CU_ASSERT_EQUAL(ike_cookie_source_count(&c, &a), 2);
	ike_cookie_half_open_del(&c, &a);
	ike_cookie_half_open_del(&c, &a);
	ike_cookie_half_open_del(&c, &a);
	CU_ASSERT_EQUAL(c.half_open, 0);
	CU_ASSERT_EQUAL(ike_cookie_source_count(&c, &a), 0);
	ike_cookie_wipe(&c);
}

static void
pool_cfg(struct cfg_ike *cfg, const char *first, uint32_t size)
{
	struct cfg_ike_pool *p = &cfg->pools[0];

	memset(cfg, 0, sizeof(*cfg));
	cfg->n_pools = 1;
	snprintf(p->name, sizeof(p->name), "p");
	p->first.family = AF_INET;
	p->first.len = 32;
	inet_pton(AF_INET, first, p->first.addr.v4);
	p->size = size;
}

static void
test_pool(void)
{
	static struct cfg_ike cfg;
	struct ike_pool_set s;
	struct ike_addr a[3], again;
	struct ike_id id1 = { .type = IKE_ID_FQDN, .len = 1, .data = { 'a' } };
	struct ike_id id2 = { .type = IKE_ID_FQDN, .len = 1, .data = { 'b' } };
	const uint8_t pools[] = { 0 };
	const char *name = NULL;

	pool_cfg(&cfg, "10.0.0.254", 3);        /* .254, .255, 10.0.1.0 */
	CU_ASSERT_EQUAL_FATAL(ike_pool_set_init(&s, &cfg), 0);
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET, &id1, &a[0], &name), 0);
	CU_ASSERT_STRING_EQUAL(name, "p");
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET, &id2, &a[1], &name), 0);
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET, &id1, &a[2], &name), 0);
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET, &id1, &again, &name), -ENOSPC);
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET6, &id1, &again, &name), -ENOENT);
	CU_ASSERT_EQUAL(ike_pool_used(&s, "p"), 3);
	CU_ASSERT_NOT_EQUAL(memcmp(a[0].ip, a[1].ip, 4), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a[0].ip, a[2].ip, 4), 0);
	CU_ASSERT_EQUAL(a[0].ip[0] + a[1].ip[0] + a[2].ip[0], 30);
	CU_ASSERT_EQUAL(a[0].ip[2] + a[1].ip[2] + a[2].ip[2], 1);    /* one is 10.0.1.0 */
	ike_pool_release(&s, "p", &a[0]);
	ike_pool_release(&s, "p", &a[0]);               /* twice: no-op */
	ike_pool_release(&s, "nope", &a[1]);
	CU_ASSERT_EQUAL(ike_pool_used(&s, "p"), 2);
	CU_ASSERT_EQUAL(ike_pool_lease(&s, pools, 1, AF_INET, &id1, &again, &name), 0);
	CU_ASSERT_EQUAL(memcmp(again.ip, a[0].ip, 4), 0);  /* same identity, same address */
	ike_pool_set_free(&s);
}

static void
test_spi(void)
{
	uint64_t ike = 0;
	uint32_t esp = 0;
	int i;

	for (i = 0; i < 64; i++) {
		CU_ASSERT_EQUAL(ike_spi_ike(3, &ike), 0);
		CU_ASSERT_EQUAL(ike >> IKE_SPI_NODE_SHIFT, 3);
		CU_ASSERT_NOT_EQUAL(ike, 0);
		CU_ASSERT_EQUAL(ike_spi_esp(1, &esp), 0);
		CU_ASSERT(esp >= IKE_SPI_ESP_MIN);
		CU_ASSERT_EQUAL(esp >> IKE_SPI_ESP_NODE_BIT, 1);
		CU_ASSERT_EQUAL(ike_spi_esp(0, &esp), 0);
		CU_ASSERT_EQUAL(esp >> IKE_SPI_ESP_NODE_BIT, 0);
	}
	CU_ASSERT_EQUAL(ike_spi_id(2, 5), (UINT64_C(2) << 48) | 5);
}

void
test_ike_exchange_parts_register(CU_pSuite s)
{
	CU_add_test(s, "phase table", test_phases);
	CU_add_test(s, "fragment reassembly", test_frag);
	CU_add_test(s, "cookies", test_cookie);
	CU_add_test(s, "pools", test_pool);
	CU_add_test(s, "SPIs", test_spi);
}
