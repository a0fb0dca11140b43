/* Helpers of the ike_auth task (ike_task_auth.c, ike_task_auth_cert.c):
 * certificates and signatures (RFC 7296 §3.6-§3.8, RFC 7427), other IKE
 * SAs of the same peer (§2.4 INITIAL_CONTACT, unique policy), lifetimes. */
#ifndef IKE_TASK_AUTH_H
#define IKE_TASK_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_auth.h"
#include "ike/ike_task.h"

int ike_task_auth_octets(const struct ike_sa *sa, bool signer_i, struct ike_chunk id_body,
			 struct ike_auth_octets *o);

/* Our CERT (send_cert policy) and, as initiator, CERTREQ payloads. */
int ike_task_auth_certs(struct ike_exch *x, bool initiator);

/* AUTH by signature with our key into BUF. */
int ike_task_auth_sign(struct ike_exch *x, const struct ike_auth_octets *o,
		       struct ike_pl_auth *a, uint8_t *buf, size_t cap);

/* The peer's CERT chain against the connection's CAs, its identity, then
 * its AUTH signature. */
int ike_task_auth_verify_sig(struct ike_exch *x, const struct ike_auth_octets *o);

/* Another established IKE SA of the same connection and remote identity. */
bool ike_task_auth_have_other(const struct ike_ctx *ctx, const struct ike_sa *sa);

/* INITIAL_CONTACT / unique=replace: delete the older IKE SAs of that peer. */
void ike_task_auth_replace_old(struct ike_ctx *ctx, struct ike_sa *sa);

/* rekey/reauth/expire times of an established IKE SA from its connection. */
void ike_task_auth_lifetimes(struct ike_sa *sa);

#endif /* IKE_TASK_AUTH_H */
