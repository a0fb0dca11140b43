/* Proposal selection (RFC 7296 §2.7, §3.3): our acceptable proposals built
 * from strongSwan-style strings, the responder's choice among the peer's
 * proposals (§3.3.6), the KE group check (§1.3, §3.4, INVALID_KE_PAYLOAD),
 * the initiator's check of the accepted proposal, and suite names for show
 * commands. Pure policy: the SA payload is parsed by ike_payload_parse_sa.c.
 *
 * The responder's choice (RFC 7296 §2.7, §3.3.6: any acceptable proposal;
 * §1.2, §3.4: a KE of another group costs an INVALID_KE_PAYLOAD round):
 * every pair (one of ours, one of theirs) that matches completely is a
 * candidate, and the best candidate wins by, in this order:
 *   (a) its D-H equals the KE payload's group (ke_group; for ESP without a
 *       KE payload, IKE_DH_NONE: no PFS), over all their proposals;
 *   (b) our preference: the earlier proposal of ours (config order), then,
 *       type by type (ENCR, PRF, INTEG, D-H, ESN), the earlier transform
 *       in that proposal of ours;
 *   (c) their order: the earlier proposal of theirs.
 * Within a pair each type takes the first of OUR transforms that they
 * offer (for D-H: the KE's group when both offer it). So when no candidate
 * gives the KE's group, the choice is our preferred one and
 * ike_proposal_dh_check() asks for its group. strongSwan's default offer
 * (#1 CBC/CTR..., #2 AEAD, KE 31) against hagw's defaults thus gives
 * #2 AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519 with no extra round.
 *
 * Leniencies, all deliberate:
 * - A proposal holding both an AEAD and a non-AEAD cipher (§3.3 says two
 *   proposals are needed) may still match through its non-AEAD cipher; the
 *   AEAD cipher is only chosen when no integrity algorithm other than NONE
 *   is offered with it.
 * - An ESP proposal without an ESN transform (mandatory per §3.3.3) is
 *   taken as offering "no ESN"; an ESP proposal without a D-H transform is
 *   taken as offering NONE (no PFS).
 * - Transform types not defined for the protocol (PRF in ESP, ESN in IKE,
 *   anything above ESN) make the whole proposal unacceptable (§3.3.6).
 * - The chosen proposal carries exactly one transform per type, in type
 *   order: INTEG is left out for AEADs, D-H is left out when NONE was
 *   chosen unless they sent NONE explicitly, ESN is left out when they sent
 *   none.
 */
#ifndef IKE_PROPOSAL_H
#define IKE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_types.h"

enum ike_proposal_limits {
	IKE_PROPOSAL_ERR_LEN = 128,    /* enough for any ike_proposal_parse() error */
	IKE_SUITE_STR_LEN = 96,        /* enough for any ike_suite_describe() text */
	IKE_PROPOSAL_STR_LEN = 512,    /* typical ike_proposal_describe() text */
};

/* How a responder selects. */
struct ike_select_opts {
	uint8_t protocol;     /* IKE_PROTO_IKE or IKE_PROTO_ESP */
	uint16_t ke_group;    /* group of the peer's KE payload; IKE_DH_NONE if none */
	bool no_dh;           /* ESP in IKE_AUTH: D-H transforms on both sides are
	                       * ignored and NONE is chosen (RFC 7296 §1.2) */
};

/*
 * One proposal from a strongSwan-style string: keywords joined by '-'
 * (aes128 aes256 aes128gcm16 aes256gcm16 chacha20poly1305 sha256 sha384
 * sha512 prfsha256 prfsha384 prfsha512 modp2048 ecp256 ecp384 ecp521 x25519
 * curve25519 esn noesn; also aes128gcm/aes128gcm128 and the 256 forms).
 * IKE: a PRF is implied by each integrity keyword when none is given, a
 * group is mandatory. ESP: a group means PFS in CREATE_CHILD_SA, "noesn" is
 * added when neither esn nor noesn is given; only what the data path
 * implements is accepted (no sha384/sha512). AEAD proposals drop their
 * integrity keywords (after implying the PRF), as strongSwan does.
 * Transforms are ordered by type, keywords' order within a type.
 * Returns 0, or -EINVAL with a message naming the offending keyword in err
 * (if err_len > 0).
 */
int ike_proposal_parse(const char *str, uint8_t protocol, uint8_t num,
		       struct ike_proposal *out, char *err, size_t err_len);

/* Strips the D-H transforms of N proposals: the CHILD SA proposals an
 * initiator sends in IKE_AUTH (RFC 7296 §1.2), and the list it then checks
 * the reply against. */
void ike_proposal_strip_dh(struct ike_proposal *props, size_t n);

/*
 * Responder: the best (rule above) of THEIRS that one of OURS (protocol
 * o->protocol) accepts completely, reduced to one transform per type in
 * *chosen (their number and SPI kept) and *suite. Returns 0 or -ENOENT
 * (answer NO_PROPOSAL_CHOSEN).
 */
int ike_proposal_select_opts(const struct ike_proposal *ours, size_t n_ours,
			     const struct ike_proposal *theirs, size_t n_theirs,
			     const struct ike_select_opts *o, struct ike_proposal *chosen,
			     struct ike_suite *suite);

/* ike_proposal_select_opts() with ke_group IKE_DH_NONE (no KE payload) and
 * D-H negotiated. */
int ike_proposal_select(const struct ike_proposal *ours, size_t n_ours,
			const struct ike_proposal *theirs, size_t n_theirs, uint8_t protocol,
			struct ike_proposal *chosen, struct ike_suite *suite);

/* Responder: the chosen group against the group of the KE payload
 * (IKE_DH_NONE when there was none). 0 when they agree or NONE was chosen
 * (the KE payload is then ignored, §3.3.6); else -EAGAIN with *wanted set
 * to the chosen group (answer INVALID_KE_PAYLOAD with it, §1.3, §3.4). */
int ike_proposal_dh_check(const struct ike_suite *chosen, uint16_t ke_group, uint16_t *wanted);

/*
 * Initiator: the responder's SA payload (N_REPLY proposals) against OURS,
 * which we sent as is. There must be exactly one proposal, with the number
 * and protocol of one of ours, exactly one transform of each type it needs
 * (ENCR; IKE: PRF and D-H; INTEG unless AEAD; ESP: D-H if ours had groups)
 * and none of a type it must not have, each transform one that proposal of
 * ours holds (an INTEG NONE with an AEAD, an absent ESN as "no ESN", an
 * absent D-H as NONE are accepted where ours allows them). Fills *suite.
 * Returns 0 or -EBADMSG (the exchange must be terminated, §3.3.6).
 */
int ike_proposal_check_reply(const struct ike_proposal *ours, size_t n_ours,
			     const struct ike_proposal *reply, size_t n_reply,
			     struct ike_suite *suite);

/* strongSwan-like names of a suite, e.g. "AES_GCM_16_256/PRF_HMAC_SHA2_384/
 * ECP_384" or "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ". A suite with
 * prf 0 is a CHILD SA's: its ESN is shown, a D-H of NONE is not. An
 * all-zero encr gives "". Always NUL-terminated (truncated if need be). */
void ike_suite_describe(const struct ike_suite *s, char *buf, size_t len);

/* One transform's name, e.g. "AES_CBC_256", "ECP_384", "ENCR_99". */
void ike_transform_describe(const struct ike_transform *t, char *buf, size_t len);

/* A whole proposal for logs, e.g. "#1 ESP:AES_GCM_16_128/NO_EXT_SEQ/EXT_SEQ". */
void ike_proposal_describe(const struct ike_proposal *p, char *buf, size_t len);

#endif /* IKE_PROPOSAL_H */
