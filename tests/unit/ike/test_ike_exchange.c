/* IKE_SA_INIT + IKE_AUTH between two in-memory daemons (RFC 7296 §1.2):
 * PSK both directions and with several suites, the CHILD SA keys installed
 * on both sides against an independent ike_keys_child() recomputation from
 * the exported states (§2.17), state events. Entry point of the exchange
 * tests (the other test_ike_exchange_*.c register their own). */
#include <string.h>

#include <CUnit/Basic.h>

#include <stdlib.h>

#include "ike/ike_keys.h"
#include "ike/ike_state_ser.h"
#include "tests/unit/cu_run.h"
#include "tests/unit/ike/test_ike_exchange.h"

const char *test_ike_pki_dir = "tests/vectors/ike/pki";

void
test_ike_establish(struct ike_pair *p)
{
	CU_ASSERT_EQUAL(ike_initiate(p->side[0].ctx, "gw", "net"), 0);
	ike_pair_run(p);
}

static bool
key_eq(const struct ike_key *a, const struct ike_key *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

void
test_ike_check_child_keys(const struct ike_pair *p)
{
	const struct ike_pair_side *i = &p->side[0], *r = &p->side[1];

	CU_ASSERT_EQUAL_FATAL(i->n_in, 1);
	CU_ASSERT_EQUAL_FATAL(i->n_out, 1);
	CU_ASSERT_EQUAL_FATAL(r->n_in, 1);
	CU_ASSERT_EQUAL_FATAL(r->n_out, 1);
	/* SPIs swapped */
	CU_ASSERT_EQUAL(i->out[0].spi_out, r->in[0].spi_in);
	CU_ASSERT_EQUAL(r->out[0].spi_out, i->in[0].spi_in);
	CU_ASSERT(i->in[0].spi_in >= 256);
	CU_ASSERT(r->in[0].spi_in >= 256);
	/* the same KEYMAT on both sides, non-empty */
	CU_ASSERT(i->out[0].encr_i.len > 0);
	CU_ASSERT(key_eq(&i->out[0].encr_i, &r->in[0].encr_i));
	CU_ASSERT(key_eq(&i->out[0].integ_i, &r->in[0].integ_i));
	CU_ASSERT(key_eq(&i->out[0].encr_r, &r->in[0].encr_r));
	CU_ASSERT(key_eq(&i->out[0].integ_r, &r->in[0].integ_r));
	CU_ASSERT_FALSE(key_eq(&i->out[0].encr_i, &i->out[0].encr_r));
	CU_ASSERT_TRUE(i->out[0].initiator);
	CU_ASSERT_FALSE(r->out[0].initiator);
	CU_ASSERT_EQUAL(i->out[0].suite.encr, r->out[0].suite.encr);
}

/* §2.17 recomputed from the exported IKE SA state (SK_d, Ni, Nr) after
 * a round trip through the HA serialization (ike_state_ser.h). */
static void
check_keymat(const struct ike_pair *p)
{
	const struct ike_child_state *c = &p->side[1].in[0];
	size_t cap = ike_sa_state_max_len();
	uint8_t *buf = malloc(cap);
	struct ike_sa_state *sa = calloc(1, sizeof(*sa));
	struct ike_chunk ni, nr;
	struct ike_child_keys k;
	ssize_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	len = ike_sa_state_serialize(ike_pair_sa(p, 1), buf, cap);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL_FATAL(ike_sa_state_deserialize(buf, (size_t)len, sa), 0);
	CU_ASSERT_EQUAL(sa->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(sa->n_children, 1);
	CU_ASSERT_EQUAL(sa->child_ids[0], c->id);
	ni.ptr = sa->ni.bytes;
	ni.len = sa->ni.len;
	nr.ptr = sa->nr.bytes;
	nr.len = sa->nr.len;
	CU_ASSERT_EQUAL_FATAL(ike_keys_child(sa->suite.prf, &sa->sk_d, &c->suite, NULL, &ni,
					     &nr, &k), 0);
	CU_ASSERT(key_eq(&k.encr_i, &c->encr_i));
	CU_ASSERT(key_eq(&k.encr_r, &c->encr_r));
	CU_ASSERT(key_eq(&k.integ_i, &c->integ_i));
	CU_ASSERT(key_eq(&k.integ_r, &c->integ_r));
	ike_keys_child_wipe(&k);
	ike_sa_state_wipe(sa);
	free(sa);
	free(buf);
}

static void
check_up(const struct ike_pair *p)
{
	const struct ike_sa_state *a = ike_pair_sa(p, 0), *b = ike_pair_sa(p, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(b->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_TRUE(a->initiator);
	CU_ASSERT_FALSE(b->initiator);
	CU_ASSERT_EQUAL(a->spi_i, b->spi_i);
	CU_ASSERT_EQUAL(a->spi_r, b->spi_r);
	CU_ASSERT_TRUE(a->auth_ok);
	CU_ASSERT_TRUE(b->auth_ok);
	CU_ASSERT_EQUAL(a->msgid_send, 2);
	CU_ASSERT_EQUAL(b->msgid_recv, 2);
	CU_ASSERT_EQUAL(a->n_children, 1);
	CU_ASSERT_EQUAL(b->n_children, 1);
	CU_ASSERT_TRUE(a->peer_fragmentation);
	CU_ASSERT_TRUE(b->peer_msgid_sync);
	CU_ASSERT_TRUE(a->peer_msgid_sync);
	CU_ASSERT_FALSE(a->natt);
	CU_ASSERT_EQUAL(p->side[0].n_ev[IKE_EV_SA_UP], 1);
	CU_ASSERT_EQUAL(p->side[1].n_ev[IKE_EV_SA_UP], 1);
	CU_ASSERT_EQUAL(p->side[0].n_ev[IKE_EV_CHILD_UP], 1);
	CU_ASSERT_EQUAL(p->side[1].n_ev[IKE_EV_CHILD_UP], 1);
	CU_ASSERT_EQUAL(ike_get_stats(p->side[1].ctx)->ike_sas_established, 1);
	CU_ASSERT_EQUAL(ike_half_open_count(p->side[1].ctx), 0);
}

/* Table: IKE proposal of the initiator, ESP proposal, expected suites. */
static const struct {
	const char *ike;
	const char *esp;
	uint16_t encr, prf, dh, esp_encr, esp_integ;
} suites[] = {
	{ "aes256gcm16-prfsha384-ecp384", "aes256gcm16", IKE_ENCR_AES_GCM_16,
	  IKE_PRF_HMAC_SHA2_384, IKE_DH_ECP_384, IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE },
	{ "aes128-sha256-x25519", "aes128-sha256", IKE_ENCR_AES_CBC, IKE_PRF_HMAC_SHA2_256,
	  IKE_DH_CURVE25519, IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "chacha20poly1305-prfsha256-x25519", "chacha20poly1305",
	  IKE_ENCR_CHACHA20_POLY1305, IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519,
	  IKE_ENCR_CHACHA20_POLY1305, IKE_INTEG_NONE },
	{ "aes256-sha256-modp2048", "aes256gcm16", IKE_ENCR_AES_CBC, IKE_PRF_HMAC_SHA2_256,
	  IKE_DH_MODP_2048, IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE },
};

static void
test_psk_suites(void)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
		struct ike_pair p;

		snprintf(c0->connections[0].proposals[0], CFG_IKE_PROPOSAL_LEN, "%s",
			 suites[i].ike);
		c0->connections[0].n_proposals = 1;
		snprintf(c1->connections[0].proposals[2], CFG_IKE_PROPOSAL_LEN, "%s",
			 suites[i].ike);
		c1->connections[0].n_proposals = 3;
		snprintf(c0->connections[0].children[0].esp_proposals[0], CFG_IKE_PROPOSAL_LEN,
			 "%s", suites[i].esp);
		c0->connections[0].children[0].n_esp_proposals = 1;
		snprintf(c1->connections[0].children[0].esp_proposals[2], CFG_IKE_PROPOSAL_LEN,
			 "%s", suites[i].esp);
		c1->connections[0].children[0].n_esp_proposals = 3;
		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
		test_ike_establish(&p);
		check_up(&p);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->suite.encr, suites[i].encr);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->suite.prf, suites[i].prf);
		CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->suite.dh, suites[i].dh);
		test_ike_check_child_keys(&p);
		check_keymat(&p);
		CU_ASSERT_EQUAL(p.side[1].in[0].suite.encr, suites[i].esp_encr);
		CU_ASSERT_EQUAL(p.side[1].in[0].suite.integ, suites[i].esp_integ);
		ike_pair_free(&p);
	}
}

/* The pair with roles swapped: side 1 (moon) initiates towards side 0. */
static void
test_psk_reverse(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	/* moon initiates to carol: give moon a remote address, carol accepts any */
	c1->connections[0].remote_any = false;
	c1->connections[0].n_remote_addrs = 1;
	c1->connections[0].remote_addrs[0] = c0->listen[0];
	c0->connections[0].remote_any = true;
	c0->connections[0].n_remote_addrs = 0;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	CU_ASSERT_EQUAL(ike_initiate(p.side[1].ctx, "gw", "net"), 0);
	ike_pair_run(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ike_pair_sa(&p, 0));
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_TRUE(ike_pair_sa(&p, 1)->initiator);
	CU_ASSERT_EQUAL(p.side[0].n_in, 1);
	CU_ASSERT_EQUAL(p.side[1].n_out, 1);
	CU_ASSERT_EQUAL(p.side[1].out[0].spi_out, p.side[0].in[0].spi_in);
	/* moon's TSi is 10.1.0.0/16, carol's dynamic TSr is moon's address */
	CU_ASSERT_EQUAL(p.side[0].in[0].ts_remote.n, 1);
	CU_ASSERT_EQUAL(p.side[0].in[0].ts_remote.ts[0].start[1], 1);
	ike_pair_free(&p);
}

/* Each side's secret lists only the peer's identity (as strongSwan's
 * secrets often do): the initiator signs with the secret of its
 * configured remote id before IDr arrives. */
static void
test_psk_by_peer_id(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	c0->connections[0].remote.id.type = CFG_IKE_ID_FQDN;
	snprintf(c0->connections[0].remote.id.text, CFG_IKE_ID_LEN, "moon.example.org");
	c0->secrets[0].n_ids = 1;
	c0->secrets[0].ids[0] = c0->secrets[0].ids[1];
	c1->secrets[0].n_ids = 1;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	test_ike_establish(&p);
	check_up(&p);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* Unknown connection / child names. */
static void
test_initiate_unknown(void)
{
	struct ike_pair p;

	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, ike_pair_cfg(true), ike_pair_cfg(false)), 0);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "nope", NULL), -ENOENT);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "nope"), -ENOENT);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
	CU_ASSERT_EQUAL(p.n_sent, 0);
	ike_pair_free(&p);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	if (argc > 1)
		test_ike_pki_dir = argv[1];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ike_exchange", NULL, NULL);
	CU_add_test(s, "psk suites", test_psk_suites);
	CU_add_test(s, "psk reverse roles", test_psk_reverse);
	CU_add_test(s, "psk secret by peer id", test_psk_by_peer_id);
	CU_add_test(s, "initiate unknown", test_initiate_unknown);
	test_ike_exchange_err_register(s);
	test_ike_exchange_cert_register(s);
	test_ike_exchange_misc_register(s);
	test_ike_exchange_parts_register(s);
	return cu_run_registered();
}
