/* The SK / SKF payload of an IKE SA's messages (RFC 7296 §3.14, RFC 7383
 * §2.5) on top of ike_sk.h, keyed from the SA state: our outbound keys
 * are SK_ei/SK_ai when we are the original initiator (§2.14), AEAD IVs
 * from st.iv_counter. */
#ifndef IKE_IO_SK_H
#define IKE_IO_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_state.h"
#include "ike/ike_types.h"

/* IV octets of the SA's SK payloads (0 when the suite is unusable). */
size_t ike_io_sk_iv_len(const struct ike_sa_state *st);

/* Most octets sealing adds to the plaintext: IV, padding, pad length, ICV. */
size_t ike_io_sk_overhead(const struct ike_sa_state *st);

/* Seal the SK (SKF: skf = true) payload at SK_OFF whose PLAIN_LEN inner
 * octets follow its header and IV; *LEN: the whole message. */
int ike_io_sk_seal(struct ike_sa_state *st, uint8_t *buf, size_t cap, size_t sk_off, bool skf,
		   size_t plain_len, size_t *len);

/* Verify and decrypt in place; *PLAIN the inner payloads. -EACCES: ICV. */
int ike_io_sk_open(const struct ike_sa_state *st, uint8_t *msg, size_t len, size_t sk_off,
		   bool skf, struct ike_chunk *plain);

#endif /* IKE_IO_SK_H */
