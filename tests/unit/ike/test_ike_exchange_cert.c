/* IKE_AUTH with certificates between two in-memory daemons (RFC 7296
 * §2.15, §3.6-§3.7; RFC 7427 signatures) with the PKI fixtures of
 * tests/vectors/ike/pki (keys copied to a private temp dir, mode 600),
 * and IKE fragmentation (RFC 7383) of the certificate-carrying messages
 * at fragment_size 576. */
#include <string.h>

#include "tests/unit/ike/test_ike_exchange.h"

static void
set_path(char *dst, const char *dir, const char *name)
{
	snprintf(dst, CFG_IKE_PATH_LEN, "%.100s/%.100s", dir, name);
}

/* End ROLE (0 initiator, 1 responder) authenticates with NAME.pem/.key
 * as ID; the peer checks it against CAS (comma-free list of up to two). */
static void
use_cert(struct cfg_ike *me, struct cfg_ike *peer, const char *name, const char *id,
	 int id_type, const char *ca1, const char *ca2)
{
	struct cfg_ike_conn *c = &me->connections[0], *pc = &peer->connections[0];
	char key[64], pem[64];

	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(pem, sizeof(pem), "%s.pem", name);
	c->local.auth = CFG_IKE_AUTH_PUBKEY;
	set_path(c->local.cert, test_ike_pki_dir, pem);
	snprintf(c->local.key, CFG_IKE_PATH_LEN, "%s", ike_pair_pki(test_ike_pki_dir, key));
	c->local.id.type = (enum cfg_ike_id_type)id_type;
	snprintf(c->local.id.text, CFG_IKE_ID_LEN, "%s", id);
	pc->remote.auth = CFG_IKE_AUTH_PUBKEY;
	pc->remote.n_cacerts = ca2 != NULL ? 2 : 1;
	set_path(pc->remote.cacerts[0], test_ike_pki_dir, ca1);
	if (ca2 != NULL)
		set_path(pc->remote.cacerts[1], test_ike_pki_dir, ca2);
}

static const struct {
	const char *client;
	const char *client_id;
	const char *server;
	const char *server_id;
	const char *client_ca2;         /* extra CA the server trusts */
	bool ok;
	uint8_t method;                 /* what the server sees */
} certs[] = {
	{ "dave", "dave@example.org", "moon", "moon.example.org", NULL, true,
	  IKE_AUTH_DIGITAL_SIGNATURE },
	{ "carol", "carol@example.org", "moon", "moon.example.org", "int.pem", true,
	  IKE_AUTH_DIGITAL_SIGNATURE },
	{ "dave", "dave@example.org", "sun", "sun.example.org", NULL, true,
	  IKE_AUTH_DIGITAL_SIGNATURE },
	/* issued by a CA the server does not trust */
	{ "mallory", "moon.example.org", "moon", "moon.example.org", NULL, false, 0 },
	/* a certificate that does not vouch for the identity sent */
	{ "dave", "carol@example.org", "moon", "moon.example.org", NULL, false, 0 },
};

static void
test_cert_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
		const struct ike_sa_state *sa;
		struct ike_pair p;

		use_cert(c0, c1, certs[i].client, certs[i].client_id, CFG_IKE_ID_RFC822, "ca.pem",
			 certs[i].client_ca2);
		use_cert(c1, c0, certs[i].server, certs[i].server_id, CFG_IKE_ID_FQDN, "ca.pem",
			 NULL);
		CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
		test_ike_establish(&p);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), certs[i].ok ? 1 : 0);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), certs[i].ok ? 1 : 0);
		CU_ASSERT_EQUAL(p.side[1].n_in, certs[i].ok ? 1 : 0);
		CU_ASSERT_EQUAL(p.side[0].n_in, certs[i].ok ? 1 : 0);
		if (certs[i].ok) {
			sa = ike_pair_sa(&p, 1);
			CU_ASSERT_EQUAL(sa->auth_remote, certs[i].method);
			CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->auth_remote, certs[i].method);
			CU_ASSERT(strstr(sa->remote_cert_dn, certs[i].client) != NULL);
			test_ike_check_child_keys(&p);
		} else {
			CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->auth_failed, 1);
		}
		ike_pair_free(&p);
	}
}

/* Responder with a certificate, initiator with a PSK (mixed methods). */
static void
test_cert_mixed(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	use_cert(c1, c0, "moon", "moon.example.org", CFG_IKE_ID_FQDN, "ca.pem", NULL);
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL_FATAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->auth_remote, IKE_AUTH_PSK);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 1)->auth_local, IKE_AUTH_DIGITAL_SIGNATURE);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->auth_remote, IKE_AUTH_DIGITAL_SIGNATURE);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* RFC 7383 with RSA-3072/2048 certificates at fragment_size 576: the
 * IKE_AUTH messages go as several SKF datagrams of at most 576 - 28
 * octets of UDP payload, and are reassembled. */
static void
test_fragmentation(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;
	int i;

	use_cert(c0, c1, "dave", "dave@example.org", CFG_IKE_ID_RFC822, "ca.pem", NULL);
	use_cert(c1, c0, "moon", "moon.example.org", CFG_IKE_ID_FQDN, "ca.pem", NULL);
	c0->fragment_size = 576;
	c1->fragment_size = 576;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	CU_ASSERT(p.n_sent > 6);
	for (i = 2; i < p.n_log; i++)
		CU_ASSERT(p.log[i].len <= 576 - 28);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* A lost fragment of the IKE_AUTH response: the whole request is
 * retransmitted and answered from the cache (every fragment again). */
static void
test_fragment_lost(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;
	int before;

	use_cert(c0, c1, "dave", "dave@example.org", CFG_IKE_ID_RFC822, "ca.pem", NULL);
	use_cert(c1, c0, "moon", "moon.example.org", CFG_IKE_ID_FQDN, "ca.pem", NULL);
	c0->fragment_size = 576;
	c1->fragment_size = 576;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	/* count the datagrams of a loss-free run: the last is the last
	 * fragment of the IKE_AUTH response */
	test_ike_establish(&p);
	before = p.n_sent;
	ike_pair_free(&p);

	c0 = ike_pair_cfg(true);
	c1 = ike_pair_cfg(false);
	use_cert(c0, c1, "dave", "dave@example.org", CFG_IKE_ID_RFC822, "ca.pem", NULL);
	use_cert(c1, c0, "moon", "moon.example.org", CFG_IKE_ID_FQDN, "ca.pem", NULL);
	c0->fragment_size = 576;
	c1->fragment_size = 576;
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(&p, c0, c1), 0);
	p.drop_nth = before;            /* the last fragment of the IKE_AUTH response */
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_AUTH_SENT);
	ike_pair_advance(&p, 2000);
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->phase, IKE_SA_PHASE_ESTABLISHED);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_retransmits, 1);
	CU_ASSERT_EQUAL(p.side[1].n_in, 1);
	ike_pair_free(&p);
}

void
test_ike_exchange_cert_register(CU_pSuite s)
{
	CU_add_test(s, "certificates", test_cert_table);
	CU_add_test(s, "certificate and PSK", test_cert_mixed);
	CU_add_test(s, "fragmentation 576", test_fragmentation);
	CU_add_test(s, "lost fragment", test_fragment_lost);
}
