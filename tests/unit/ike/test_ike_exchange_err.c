/* Failures and recovery of IKE_SA_INIT / IKE_AUTH between two in-memory
 * daemons: INVALID_KE_PAYLOAD retry (RFC 7296 §1.3), cookies (§2.6),
 * NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED leaving nothing (§2.21.2),
 * retransmission answered from the response cache with the same bytes
 * (§2.1), giving up after retransmit_tries, malformed datagrams, answers
 * outside an IKE SA (INVALID_IKE_SPI, INVALID_MAJOR_VERSION: §1.5, §2.5,
 * §2.21.4, rate-limited). */
#include <stdio.h>
#include <string.h>

#include "ike/ike_ctx_priv.h"
#include "ike/ike_msg.h"
#include "tests/unit/ike/test_ike_exchange.h"

static void
pair_new(struct ike_pair *p, struct cfg_ike *c0, struct cfg_ike *c1)
{
	if (c0 == NULL)
		c0 = ike_pair_cfg(true);
	if (c1 == NULL)
		c1 = ike_pair_cfg(false);
	CU_ASSERT_EQUAL_FATAL(ike_pair_init(p, c0, c1), 0);
}

static void
set_props(struct cfg_ike *c, const char *a, const char *b)
{
	snprintf(c->connections[0].proposals[0], CFG_IKE_PROPOSAL_LEN, "%s", a);
	c->connections[0].n_proposals = 1;
	if (b != NULL) {
		snprintf(c->connections[0].proposals[1], CFG_IKE_PROPOSAL_LEN, "%s", b);
		c->connections[0].n_proposals = 2;
	}
}

static bool
established(const struct ike_pair *p, int idx)
{
	const struct ike_sa_state *sa = ike_pair_sa(p, idx);

	return sa != NULL && sa->phase == IKE_SA_PHASE_ESTABLISHED;
}

/* §1.3: the KE group is not the one chosen: INVALID_KE_PAYLOAD(20), the
 * initiator retries with ECP-384; the responder kept no state for it. */
static void
test_invalid_ke(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	set_props(c0, "aes128-sha256-x25519", "aes256gcm16-prfsha384-ecp384");
	set_props(c1, "aes256gcm16-prfsha384-ecp384", NULL);
	pair_new(&p, c0, c1);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	CU_ASSERT_EQUAL(ike_pair_step(&p), 1);         /* request to the responder */
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);  /* stateless answer */
	CU_ASSERT_EQUAL(p.n_sent, 2);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(established(&p, 0));
	CU_ASSERT_TRUE(established(&p, 1));
	CU_ASSERT_EQUAL(ike_pair_sa(&p, 0)->suite.dh, IKE_DH_ECP_384);
	CU_ASSERT_EQUAL(p.n_sent, 6);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 1);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* §2.6 with cookie_threshold 0: every IKE_SA_INIT without a cookie gets
 * a COOKIE and creates nothing (no D-H); the retry with it succeeds. */
static void
test_cookie(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	c1->cookie_threshold = 0;
	pair_new(&p, NULL, c1);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	CU_ASSERT_EQUAL(ike_pair_step(&p), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_half_open_count(p.side[1].ctx), 0);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->cookies_sent, 1);
	ike_pair_run(&p);
	CU_ASSERT_TRUE(established(&p, 0));
	CU_ASSERT_TRUE(established(&p, 1));
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->cookies_sent, 1);
	CU_ASSERT_EQUAL(p.n_sent, 6);
	test_ike_check_child_keys(&p);
	ike_pair_free(&p);
}

/* §2.6: the threshold counts half-open SAs. One half-open SA (its
 * response lost), threshold 1: the next initiator is asked for a cookie. */
static void
test_cookie_threshold(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	c1->cookie_threshold = 1;
	pair_new(&p, NULL, c1);
	p.drop_nth = 2;                         /* the first IKE_SA_INIT response */
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_half_open_count(p.side[1].ctx), 1);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->cookies_sent, 0);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	ike_pair_run(&p);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->cookies_sent, 1);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->ike_sas_established, 1);
	CU_ASSERT_EQUAL(ike_half_open_count(p.side[1].ctx), 1);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 2);
	/* the half-open SA times out */
	ike_pair_advance(&p, 31000);
	CU_ASSERT_EQUAL(ike_half_open_count(p.side[1].ctx), 0);
	ike_pair_free(&p);
}

/* No common proposal: NO_PROPOSAL_CHOSEN, nothing left on either side. */
static void
test_no_proposal(void)
{
	struct cfg_ike *c0 = ike_pair_cfg(true), *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	set_props(c0, "aes128-sha256-x25519", NULL);
	set_props(c1, "aes256gcm16-prfsha384-ecp384", NULL);
	pair_new(&p, c0, c1);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->no_proposal, 1);
	CU_ASSERT_EQUAL(p.n_sent, 2);
	CU_ASSERT_EQUAL(p.side[0].n_in + p.side[1].n_in, 0);
	ike_pair_free(&p);
}

/* Wrong PSK: the responder answers AUTHENTICATION_FAILED; nothing is
 * installed, no SA is left on either side. */
static void
test_wrong_psk(void)
{
	struct cfg_ike *c1 = ike_pair_cfg(false);
	struct ike_pair p;

	c1->secrets[0].psk[0] ^= 1;
	pair_new(&p, NULL, c1);
	test_ike_establish(&p);
	CU_ASSERT_EQUAL(p.n_sent, 4);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->auth_failed, 1);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[0].ctx)->auth_failed, 1);
	CU_ASSERT_EQUAL(ike_half_open_count(p.side[1].ctx), 0);
	CU_ASSERT_EQUAL(p.side[0].n_in + p.side[0].n_out, 0);
	CU_ASSERT_EQUAL(p.side[1].n_in + p.side[1].n_out, 0);
	CU_ASSERT_EQUAL(p.side[0].n_ev[IKE_EV_SA_UP] + p.side[1].n_ev[IKE_EV_SA_UP], 0);
	ike_pair_free(&p);
}

/* Table: which datagram is lost, and the pair of datagrams (0-based in
 * the log) that must be byte-identical afterwards. */
static const struct {
	int drop;
	int same_a;
	int same_b;
	int sent;
} lost[] = {
	{ 2, 1, 3, 6 },         /* IKE_SA_INIT response: resent from the cache */
	{ 4, 3, 5, 6 },         /* IKE_AUTH response: resent from the cache */
	{ 3, 2, 3, 5 },         /* IKE_AUTH request: retransmitted as it was */
};

static void
test_retransmit(void)
{
	size_t i;

	for (i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		struct ike_pair p;

		pair_new(&p, NULL, NULL);
		p.drop_nth = lost[i].drop;
		test_ike_establish(&p);
		CU_ASSERT_FALSE(established(&p, 0));
		CU_ASSERT_EQUAL(ike_next_deadline(p.side[0].ctx), p.now_ms + 2000);
		ike_pair_advance(&p, 2000);
		CU_ASSERT_TRUE(established(&p, 0));
		CU_ASSERT_TRUE(established(&p, 1));
		CU_ASSERT_EQUAL(p.n_sent, lost[i].sent);
		CU_ASSERT_EQUAL_FATAL(p.n_log, lost[i].sent);
		CU_ASSERT_EQUAL(p.log[lost[i].same_a].len, p.log[lost[i].same_b].len);
		CU_ASSERT_EQUAL(memcmp(p.log[lost[i].same_a].data, p.log[lost[i].same_b].data,
				       p.log[lost[i].same_a].len), 0);
		CU_ASSERT_EQUAL(ike_get_stats(p.side[0].ctx)->tx_retransmits, 1);
		CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_retransmits,
				lost[i].drop == 3 ? 0 : 1);
		CU_ASSERT_EQUAL(p.side[1].n_in, 1);     /* installed once */
		test_ike_check_child_keys(&p);
		ike_pair_free(&p);
	}
}

/* A duplicated request is answered twice with the same bytes and
 * processed once. */
static void
test_duplicate(void)
{
	struct ike_pair p;

	pair_new(&p, NULL, NULL);
	p.dup_nth = 3;                          /* IKE_AUTH request */
	test_ike_establish(&p);
	CU_ASSERT_TRUE(established(&p, 0));
	CU_ASSERT_TRUE(established(&p, 1));
	CU_ASSERT_EQUAL(p.n_sent, 5);
	CU_ASSERT_EQUAL(memcmp(p.log[3].data, p.log[4].data, p.log[3].len), 0);
	CU_ASSERT_EQUAL(p.side[1].n_in, 1);
	CU_ASSERT_EQUAL(ike_get_stats(p.side[1].ctx)->rx_retransmits, 1);
	ike_pair_free(&p);
}

/* The peer never answers: retransmit_tries retransmissions with back-off
 * (2000 ms × 1.8^n), then the SA is dead and gone. */
static void
test_give_up(void)
{
	static const uint64_t at[] = { 2000, 3600, 6480, 11664, 20995 };
	struct ike_pair p;
	uint64_t start;
	size_t i;

	pair_new(&p, NULL, NULL);
	CU_ASSERT_EQUAL(ike_initiate(p.side[0].ctx, "gw", "net"), 0);
	start = p.now_ms;
	ike_pair_flush(&p);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		CU_ASSERT_EQUAL(ike_next_deadline(p.side[0].ctx), p.now_ms + at[i]);
		p.now_ms += at[i];
		ike_tick(p.side[0].ctx);
		ike_pair_flush(&p);
		CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 1);
	}
	CU_ASSERT_EQUAL(ike_get_stats(p.side[0].ctx)->tx_retransmits, 5);
	p.now_ms += 37791;
	CU_ASSERT_EQUAL(ike_tick(p.side[0].ctx), UINT64_MAX);
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 0), 0);
	CU_ASSERT_EQUAL(p.n_sent, 6);
	CU_ASSERT(p.now_ms - start >= 82000);
	ike_pair_free(&p);
}

/* A bare 28-octet header for the responder (side 1, an SA it does not
 * have): SPIs, version, exchange, flags, message ID. */
struct unprot_row {
	const char *what;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint64_t spi_r;
	uint16_t answer;        /* notify type, 0: nothing sent */
};

enum {
	SPI_I = 0x0102030405060708ULL,
	SPI_R = 0x1112131415161718ULL,
	UNPROT_MSGID = 7,
};

static const struct unprot_row unprot_rows[] = {
	{ "IKE_AUTH request, unknown SPI", 0x20, IKE_EXCH_AUTH, IKE_FLAG_INITIATOR, SPI_R,
	  IKE_N_INVALID_IKE_SPI },
	{ "INFORMATIONAL from the original responder", 0x20, IKE_EXCH_INFORMATIONAL, 0, SPI_R,
	  IKE_N_INVALID_IKE_SPI },
	{ "minor version 2.7 is ignored", 0x27, IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_INITIATOR,
	  SPI_R, IKE_N_INVALID_IKE_SPI },
	{ "response, unknown SPI: never answered", 0x20, IKE_EXCH_INFORMATIONAL,
	  IKE_FLAG_RESPONSE | IKE_FLAG_INITIATOR, SPI_R, 0 },
	{ "IKE_SA_INIT request with SPIr", 0x20, IKE_EXCH_SA_INIT, IKE_FLAG_INITIATOR, SPI_R, 0 },
	{ "version 3.0 request", 0x30, IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_INITIATOR, SPI_R,
	  IKE_N_INVALID_MAJOR_VERSION },
	{ "version 15.15 IKE_SA_INIT request", 0xff, IKE_EXCH_SA_INIT, IKE_FLAG_INITIATOR, 0,
	  IKE_N_INVALID_MAJOR_VERSION },
	{ "version 3.0 response", 0x30, IKE_EXCH_INFORMATIONAL, IKE_FLAG_RESPONSE, SPI_R, 0 },
	{ "version 1 (ISAKMP)", 0x10, IKE_EXCH_AUTH, 0, SPI_R, 0 },
	{ "version 0", 0x00, IKE_EXCH_AUTH, IKE_FLAG_INITIATOR, SPI_R, 0 },
};

static void
put_be(uint8_t *b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static void
unprot_send(struct ike_pair *p, const struct unprot_row *r)
{
	uint8_t h[IKE_HDR_LEN] = { 0 };
	struct ike_addr to, from;

	put_be(h, SPI_I, 8);
	put_be(h + 8, r->spi_r, 8);
	h[17] = r->version;
	h[18] = r->exchange;
	h[19] = r->flags;
	put_be(h + 20, UNPROT_MSGID, 4);
	put_be(h + 24, IKE_HDR_LEN, 4);
	ike_pair_addr(&to, "192.0.2.1", 500);
	ike_pair_addr(&from, "192.0.2.10", 500);
	ike_input(p->side[1].ctx, &to, &from, h, sizeof(h));
}

/* The last datagram sent is R's answer, as §1.5 describes it. */
static void
unprot_check(const struct ike_pair *p, const struct unprot_row *r)
{
	const struct ike_pair_dgram *d = &p->log[p->n_log - 1];
	struct ike_msg m;

	CU_ASSERT_EQUAL(d->to, 0);
	CU_ASSERT_EQUAL(d->dst.port, 500);
	CU_ASSERT_EQUAL(d->dst.ip[3], 10);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(d->data, d->len, &m), 0);
	CU_ASSERT_EQUAL(m.hdr.version, IKE_VERSION);
	CU_ASSERT_EQUAL(m.hdr.spi_i, SPI_I);
	CU_ASSERT_EQUAL(m.hdr.spi_r, r->spi_r);
	CU_ASSERT_EQUAL(m.hdr.exchange, r->exchange);
	CU_ASSERT_EQUAL(m.hdr.msg_id, UNPROT_MSGID);
	CU_ASSERT_EQUAL(m.hdr.flags, IKE_FLAG_RESPONSE |
			((r->flags & IKE_FLAG_INITIATOR) ? 0 : IKE_FLAG_INITIATOR));
	CU_ASSERT_EQUAL(m.sk.type, 0);                  /* cleartext */
	CU_ASSERT_EQUAL_FATAL(m.n_notify, 1);
	CU_ASSERT_EQUAL(m.notify[0].type, r->answer);
	CU_ASSERT_EQUAL(m.notify[0].data.len, 0);
}

/* Each row a second after the last (the rate limit lets one answer
 * through per IKE_CTX_INVALID_SPI_MS), then two answerable requests in
 * the same second: one answer; a second later, answered again. */
static void
test_unprotected_answers(void)
{
	struct ike_pair p;
	int sent;

	pair_new(&p, NULL, NULL);
	for (size_t i = 0; i < sizeof(unprot_rows) / sizeof(unprot_rows[0]); i++) {
		const struct unprot_row *r = &unprot_rows[i];

		printf("\n    %-45s", r->what);
		p.now_ms += IKE_CTX_INVALID_SPI_MS;
		sent = p.n_sent;
		unprot_send(&p, r);
		CU_ASSERT_EQUAL(p.n_sent, sent + (r->answer != 0));
		if (r->answer != 0 && p.n_sent == sent + 1)
			unprot_check(&p, r);
		ike_pair_flush(&p);
	}
	CU_ASSERT_EQUAL(ike_pair_sa_count(&p, 1), 0);
	p.now_ms += IKE_CTX_INVALID_SPI_MS;
	sent = p.n_sent;
	unprot_send(&p, &unprot_rows[0]);
	p.now_ms += IKE_CTX_INVALID_SPI_MS - 1;
	unprot_send(&p, &unprot_rows[5]);
	unprot_send(&p, &unprot_rows[1]);
	CU_ASSERT_EQUAL(p.n_sent, sent + 1);
	p.now_ms += 1;
	unprot_send(&p, &unprot_rows[5]);
	CU_ASSERT_EQUAL_FATAL(p.n_sent, sent + 2);
	unprot_check(&p, &unprot_rows[5]);
	ike_pair_free(&p);
}

void
test_ike_exchange_err_register(CU_pSuite s)
{
	CU_add_test(s, "INVALID_KE_PAYLOAD retry", test_invalid_ke);
	CU_add_test(s, "cookie always", test_cookie);
	CU_add_test(s, "cookie threshold", test_cookie_threshold);
	CU_add_test(s, "NO_PROPOSAL_CHOSEN", test_no_proposal);
	CU_add_test(s, "wrong PSK", test_wrong_psk);
	CU_add_test(s, "retransmission", test_retransmit);
	CU_add_test(s, "duplicate request", test_duplicate);
	CU_add_test(s, "retransmit give-up", test_give_up);
	CU_add_test(s, "answers outside an IKE SA", test_unprotected_answers);
}
