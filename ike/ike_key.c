/* Secret byte strings owned by IKE state: setting and wiping them. */
#include <string.h>

#include <openssl/crypto.h>

#include "ike/ike_key.h"

int
ike_key_set(struct ike_key *k, const uint8_t *bytes, size_t len)
{
	if (len > sizeof(k->bytes))
		return -EINVAL;
	memcpy(k->bytes, bytes, len);
	k->len = (uint16_t)len;
	return 0;
}

void
ike_key_wipe(struct ike_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
