/* Secret byte strings owned by IKE state (struct ike_key in ike_types.h). */
#ifndef IKE_KEY_H
#define IKE_KEY_H

#include <errno.h>

#include "ike/ike_types.h"

/* Copy len bytes in; -EINVAL when longer than IKE_KEY_MAX. */
int ike_key_set(struct ike_key *k, const uint8_t *bytes, size_t len);

/* Zeroize the whole struct (not optimised away). */
void ike_key_wipe(struct ike_key *k);

#endif /* IKE_KEY_H */
