/* The message pipeline of the daemon (RFC 7296 §2.1-§2.3, §2.6, §2.21,
 * §2.23; RFC 3948 §2.2; RFC 7383): datagrams in (marker, header, cheap
 * checks, message ID window, SK decryption, fragment reassembly, inner
 * parsing, dispatch to the exchange driver) and messages out (SK sealing,
 * fragmentation, marker, retransmission of requests, the response cache). */
#ifndef IKE_IO_H
#define IKE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_ctx_priv.h"
#include "ike/ike_msg.h"

/* A message being built for an SA. */
struct ike_out {
	struct ike_msg_builder b;
	uint8_t exchange;
	bool response;
	bool sk;
	uint32_t msgid;
};

/* Datagrams as sent (fragments back to back). */
struct ike_dgrams {
	uint8_t *buf;
	size_t len;
	uint16_t n;
	uint16_t lens[IKE_FRAG_MAX];
};

/* Input (ike_io_in.c). */
void ike_io_input(struct ike_ctx *ctx, const struct ike_addr *local,
		  const struct ike_addr *remote, const uint8_t *data, size_t len);

/* A responder's IKE_SA_INIT request (ike_io_init.c): retransmission,
 * half-open limits and cookie before any D-H work, then the tasks. */
void ike_io_init_request(struct ike_ctx *ctx, const struct ike_addr *local,
			 const struct ike_addr *remote, const uint8_t *p, size_t len,
			 const struct ike_hdr *h);

/* Output (ike_io_out.c). Begin: header of SA (its SPIs, our role flag),
 * and the SK payload unless IKE_SA_INIT. Send: finish, seal, fragment when
 * the peer supports it and the message is larger than fragment_size, send
 * and keep it (request: for retransmission, response: the cache; both
 * in ike_window.h). */
int ike_io_begin(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_out *o, uint8_t exchange,
		 bool response, uint32_t msgid);
int ike_io_send(struct ike_ctx *ctx, struct ike_sa *sa, struct ike_out *o);

/* One datagram to the wire (the non-ESP marker added on natt_port). */
int ike_io_xmit(struct ike_ctx *ctx, const struct ike_addr *local, const struct ike_addr *remote,
		const uint8_t *msg, size_t len);

/* A cleartext notify-only reply to an IKE_SA_INIT request (COOKIE,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN): no SA, responder SPI 0. */
int ike_io_init_reply(struct ike_ctx *ctx, const struct ike_hdr *req, const struct ike_addr *local,
		      const struct ike_addr *remote, uint16_t type, const uint8_t *data,
		      size_t len);

/* A cleartext notify-only response to a request outside any IKE SA
 * (RFC 7296 §1.5, §2.21.4: INVALID_IKE_SPI, INVALID_MAJOR_VERSION): both
 * SPIs, exchange and message ID of REQ copied; the caller rate-limits. */
int ike_io_error_reply(struct ike_ctx *ctx, const struct ike_hdr *req,
		       const struct ike_addr *local, const struct ike_addr *remote,
		       uint16_t type);

/* Retransmissions (ike_io_out.c): request Q of ours; last_resp. */
void ike_io_resend_request(struct ike_ctx *ctx, struct ike_sa *sa, const struct ike_win_req *q);
void ike_io_resend_response(struct ike_ctx *ctx, struct ike_sa *sa);
/* Deadline of the next retransmission of the request (tries done). */
uint64_t ike_io_retransmit_at(const struct ike_ctx *ctx, uint64_t sent_ms, uint32_t tries);

#endif /* IKE_IO_H */
