/* Key derivation for IKE SAs and CHILD SAs: SKEYSEED and the seven SK_*
 * keys (RFC 7296 §2.14), SKEYSEED of a rekeyed IKE SA (§2.18), CHILD SA
 * KEYMAT with and without PFS (§2.17); key lengths per transform (§2.13,
 * RFC 5282 §7.1, RFC 4106 §8.1, RFC 7634 §2-3, RFC 4868 §2.1.1). */
#ifndef IKE_KEYS_H
#define IKE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_const.h"
#include "ike/ike_types.h"

enum ike_keys_limits {
	/* SK_d + 2 * (SK_a + SK_e) + SK_pi + SK_pr: 64 + 2 * (64 + 36) + 2 * 64 */
	IKE_KEYMAT_SA_MAX = 392,
	/* 2 * (encr + integ): 2 * (32 + 64) */
	IKE_KEYMAT_CHILD_MAX = 192,
};

/* The seven secrets of an IKE SA (RFC 7296 §2.14). SK_ai/SK_ar have length
 * 0 with AEAD suites; SK_ei/SK_er of AEADs are key | 4-octet salt. */
struct ike_sa_keys {
	struct ike_key sk_d;
	struct ike_key sk_ai;
	struct ike_key sk_ar;
	struct ike_key sk_ei;
	struct ike_key sk_er;
	struct ike_key sk_pi;
	struct ike_key sk_pr;
};

/* ESP keys of one CHILD SA (RFC 7296 §2.17): _i protect traffic from the
 * initiator of the exchange to the responder (the responder's inbound SA),
 * _r the reverse. integ_* have length 0 with AEADs; AEAD encr_* are
 * key | 4-octet salt. */
struct ike_child_keys {
	struct ike_key encr_i;
	struct ike_key integ_i;
	struct ike_key encr_r;
	struct ike_key integ_r;
};

/* Key lengths of a suite in octets. prf is 0 for ESP suites. */
struct ike_key_lens {
	size_t prf;                  /* SK_d, SK_pi, SK_pr: PRF output length */
	size_t integ;                /* SK_a*, ESP integrity keys */
	size_t encr;                 /* SK_e*, ESP encryption keys (with salt) */
};

/* Lengths for an IKE suite (WITH_PRF: its PRF must be supported) or an ESP
 * suite (!WITH_PRF). -ENOTSUP for an unsupported or inconsistent suite. */
int ike_keys_lens(const struct ike_suite *s, bool with_prf, struct ike_key_lens *out);

/* RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir). */
int ike_keys_skeyseed(uint16_t prf, const struct ike_chunk *ni, const struct ike_chunk *nr,
		      const struct ike_chunk *gir, struct ike_key *skeyseed);

/* RFC 7296 §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with
 * the OLD IKE SA's PRF; Ni, Nr are the CREATE_CHILD_SA nonces. */
int ike_keys_skeyseed_rekey(uint16_t old_prf, const struct ike_key *old_sk_d,
			    const struct ike_chunk *gir, const struct ike_chunk *ni,
			    const struct ike_chunk *nr, struct ike_key *skeyseed);

/* RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 * = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), lengths from suite S. */
int ike_keys_sa(const struct ike_suite *s, const struct ike_key *skeyseed,
		const struct ike_chunk *ni, const struct ike_chunk *nr,
		const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		struct ike_sa_keys *out);

/* SKEYSEED then the SK_* keys of a new IKE SA (IKE_SA_INIT); SKEYSEED is
 * not kept. */
int ike_keys_sa_init(const struct ike_suite *s, const struct ike_chunk *ni,
		     const struct ike_chunk *nr, const struct ike_chunk *gir,
		     const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		     struct ike_sa_keys *out);

/* The SK_* keys of the IKE SA that replaces one with OLD_PRF and OLD_SK_D
 * (RFC 7296 §2.18); S is the new SA's suite, SPIs the new SA's SPIs. */
int ike_keys_sa_rekey(uint16_t old_prf, const struct ike_key *old_sk_d,
		      const struct ike_suite *s, const struct ike_chunk *ni,
		      const struct ike_chunk *nr, const struct ike_chunk *gir,
		      const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		      struct ike_sa_keys *out);

/* RFC 7296 §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), split as
 * encr_i, integ_i, encr_r, integ_r with the lengths of ESP suite ESP.
 * GIR is NULL (or empty) without PFS. */
int ike_keys_child(uint16_t prf, const struct ike_key *sk_d, const struct ike_suite *esp,
		   const struct ike_chunk *gir, const struct ike_chunk *ni,
		   const struct ike_chunk *nr, struct ike_child_keys *out);

void ike_keys_sa_wipe(struct ike_sa_keys *k);

void ike_keys_child_wipe(struct ike_child_keys *k);

#endif /* IKE_KEYS_H */
