/* The IKEv2 pseudorandom function and its iteration prf+ (RFC 7296 §2.13):
 * PRF_HMAC_SHA2_256/384/512 (RFC 4868 §2.1.2), computed with OpenSSL's
 * EVP_MAC HMAC. Inputs are given as lists of chunks so callers can hash
 * Ni | Nr | SPIi | SPIr without concatenating them first. */
#ifndef IKE_PRF_H
#define IKE_PRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_types.h"

enum ike_prf_limits {
	IKE_PRF_OUT_MAX = 64,          /* PRF_HMAC_SHA2_512 */
	IKE_PRF_PLUS_ITER_MAX = 255,   /* RFC 7296 §2.13: one-octet counter */
	IKE_PRF_CHUNKS_MAX = 8,        /* chunks in one prf/prf+ input */
};

/* Output (= preferred key) length of PRF in octets; 0 if unsupported. */
size_t ike_prf_len(uint16_t prf);

bool ike_prf_supported(uint16_t prf);

/* Longest prf+ output: 255 * ike_prf_len(prf); 0 if unsupported. */
size_t ike_prf_plus_max(uint16_t prf);

/* out = prf(KEY, DATA[0] | ... | DATA[N-1]); writes ike_prf_len(prf) octets
 * and needs OUT_LEN >= that. -ENOTSUP for an unknown PRF, -EINVAL for bad
 * sizes (N > IKE_PRF_CHUNKS_MAX, OUT_LEN too small), -EIO if OpenSSL fails. */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *data,
	    size_t n, uint8_t *out, size_t out_len);

/* The first OUT_LEN octets of prf+(KEY, SEED[0] | ... | SEED[N-1]):
 * T1 = prf(K, S | 0x01), Ti = prf(K, Ti-1 | S | i). OUT_LEN may be any
 * value up to ike_prf_plus_max(prf) (-EINVAL beyond). Errors as ike_prf. */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *seed,
		 size_t n, uint8_t *out, size_t out_len);

/* HMAC with the OpenSSL digest DIGEST ("SHA2-256" ...) over the chunks;
 * writes the full digest length into OUT (OUT_LEN >= it) and sets *MAC_LEN.
 * Shared by the PRF and the SK payload's integrity check. */
int ike_prf_hmac(const char *digest, const uint8_t *key, size_t key_len,
		 const struct ike_chunk *data, size_t n, uint8_t *out, size_t out_len,
		 size_t *mac_len);

#endif /* IKE_PRF_H */
