/* The IKE SAs of a daemon: lookup by our SPI (every message after
 * IKE_SA_INIT, RFC 7296 §2.6), by the initiator's SPI, source and a hash
 * of the request for a retransmitted IKE_SA_INIT (§2.1: same answer), by
 * id (operator commands), and a list of all for timers and show commands. */
#ifndef IKE_SA_TABLE_H
#define IKE_SA_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_sa.h"

/* Chains stay short up to a few hundred thousand IKE SAs (6 MiB of heads;
 * at 32,768 buckets and 100,000 SAs every lookup walked ~3 entries). */
enum { IKE_SA_TABLE_BUCKETS = 1 << 18 };

struct ike_sa_table {
	struct ike_sa *by_spi[IKE_SA_TABLE_BUCKETS];
	struct ike_sa *by_init[IKE_SA_TABLE_BUCKETS];
	struct ike_sa *by_id[IKE_SA_TABLE_BUCKETS];
	struct ike_sa *all;
	uint32_t count;
};

/* Our SPI of SA: spi_i when we initiated, else spi_r. */
uint64_t ike_sa_our_spi(const struct ike_sa *sa);

void ike_sa_table_add(struct ike_sa_table *t, struct ike_sa *sa);
void ike_sa_table_del(struct ike_sa_table *t, struct ike_sa *sa);
bool ike_sa_table_spi_used(const struct ike_sa_table *t, uint64_t spi);

struct ike_sa *ike_sa_table_by_spi(const struct ike_sa_table *t, uint64_t our_spi);
/* Responder SA created by the IKE_SA_INIT request (spi_i, remote, hash). */
struct ike_sa *ike_sa_table_by_init(const struct ike_sa_table *t, uint64_t spi_i,
				    const struct ike_addr *remote, const uint8_t *hash);
struct ike_sa *ike_sa_table_by_id(const struct ike_sa_table *t, uint64_t id);

#endif /* IKE_SA_TABLE_H */
