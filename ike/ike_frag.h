/* IKE fragmentation (RFC 7383): reassembly of the SKF payloads of one
 * message after each was decrypted and verified on its own (§2.6), with
 * consistency of Total Fragments (§2.6.2: a larger total restarts, a
 * smaller one is dropped), limits on fragments and bytes, and a timeout;
 * and the plaintext chunk size that keeps each fragment's IP datagram
 * within the configured size (§2.5.1). */
#ifndef IKE_FRAG_H
#define IKE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ike_frag_limits {
	IKE_FRAG_MAX = 32,              /* fragments of one message we accept */
	IKE_FRAG_BYTES_MAX = 65535,     /* reassembled plaintext */
	IKE_FRAG_TIMEOUT_MS = 30000,    /* incomplete message dropped after */
	IKE_FRAG_IPV4_HDR = 20,
	IKE_FRAG_IPV6_HDR = 40,
	IKE_FRAG_UDP_HDR = 8,
};

struct ike_frag_rx {
	bool active;
	bool response;
	uint32_t msgid;
	uint16_t total;
	uint16_t have;
	uint8_t first_payload;
	uint64_t started_ms;
	size_t bytes;
	uint8_t *part[IKE_FRAG_MAX];
	uint16_t len[IKE_FRAG_MAX];
};

/*
 * Add the decrypted plaintext of fragment NUM of TOTAL of message MSGID.
 * FIRST_PAYLOAD: the SKF next payload (fragment 1 only). Returns 1 when
 * the message is complete, 0 when more are needed, -EALREADY for a
 * duplicate, -ERANGE for an inconsistent total or number, -E2BIG over the
 * limits, -ENOMEM.
 */
int ike_frag_add(struct ike_frag_rx *f, uint32_t msgid, bool response, uint16_t num,
		 uint16_t total, uint8_t first_payload, const uint8_t *plain, size_t len,
		 uint64_t now_ms);

/* The reassembled plaintext into OUT; then the state is reset. */
int ike_frag_take(struct ike_frag_rx *f, uint8_t *out, size_t cap, size_t *len,
		  uint8_t *first_payload);

/* Drop what was collected when older than IKE_FRAG_TIMEOUT_MS. */
void ike_frag_expire(struct ike_frag_rx *f, uint64_t now_ms);

void ike_frag_reset(struct ike_frag_rx *f);

/* Plaintext octets per fragment: FRAG_SIZE (IP datagram) minus the IP and
 * UDP headers, the non-ESP marker (NATT), the IKE header, the SKF header
 * and the SK overhead (OVERHEAD: IV, padding, ICV). 0 when nothing fits. */
size_t ike_frag_chunk_len(uint16_t frag_size, bool ipv6, bool natt, size_t overhead);

#endif /* IKE_FRAG_H */
