/* IKE SA lookup tables (RFC 7296 §2.1, §2.6). */
#include <string.h>

#include "ike/ike_sa_table.h"

static unsigned int
bucket(uint64_t spi)
{
	spi ^= spi >> 33;
	spi *= UINT64_C(0xff51afd7ed558ccd);
	spi ^= spi >> 33;
	return (unsigned int)(spi % IKE_SA_TABLE_BUCKETS);
}

uint64_t
ike_sa_our_spi(const struct ike_sa *sa)
{
	return sa->st.initiator ? sa->st.spi_i : sa->st.spi_r;
}

static bool
in_init_table(const struct ike_sa *sa)
{
	return !sa->st.initiator;
}

void
ike_sa_table_add(struct ike_sa_table *t, struct ike_sa *sa)
{
	unsigned int b = bucket(ike_sa_our_spi(sa));

	sa->next_spi = t->by_spi[b];
	t->by_spi[b] = sa;
	if (in_init_table(sa)) {
		b = bucket(sa->st.spi_i);
		sa->next_init = t->by_init[b];
		t->by_init[b] = sa;
	}
	b = bucket(sa->st.id);
	sa->next_id = t->by_id[b];
	t->by_id[b] = sa;
	sa->prev = NULL;
	sa->next = t->all;
	if (t->all != NULL)
		t->all->prev = sa;
	t->all = sa;
	t->count++;
}

void
ike_sa_table_del(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_sa **pp;

	for (pp = &t->by_spi[bucket(ike_sa_our_spi(sa))]; *pp != NULL; pp = &(*pp)->next_spi)
		if (*pp == sa) {
			*pp = sa->next_spi;
			break;
		}
	if (in_init_table(sa))
		for (pp = &t->by_init[bucket(sa->st.spi_i)]; *pp != NULL; pp = &(*pp)->next_init)
			if (*pp == sa) {
				*pp = sa->next_init;
				break;
			}
	for (pp = &t->by_id[bucket(sa->st.id)]; *pp != NULL; pp = &(*pp)->next_id)
		if (*pp == sa) {
			*pp = sa->next_id;
			break;
		}
	if (sa->prev != NULL)
		sa->prev->next = sa->next;
	else
		t->all = sa->next;
	if (sa->next != NULL)
		sa->next->prev = sa->prev;
	sa->next = sa->prev = sa->next_spi = sa->next_init = sa->next_id = NULL;
	t->count--;
}

struct ike_sa *
ike_sa_table_by_spi(const struct ike_sa_table *t, uint64_t our_spi)
{
	struct ike_sa *sa;

	for (sa = t->by_spi[bucket(our_spi)]; sa != NULL; sa = sa->next_spi)
		if (ike_sa_our_spi(sa) == our_spi)
			return sa;
	return NULL;
}

bool
ike_sa_table_spi_used(const struct ike_sa_table *t, uint64_t spi)
{
	return ike_sa_table_by_spi(t, spi) != NULL;
}

static bool
same_addr(const struct ike_addr *a, const struct ike_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, sizeof(a->ip)) == 0;
}

struct ike_sa *
ike_sa_table_by_init(const struct ike_sa_table *t, uint64_t spi_i,
		     const struct ike_addr *remote, const uint8_t *hash)
{
	struct ike_sa *sa;

	for (sa = t->by_init[bucket(spi_i)]; sa != NULL; sa = sa->next_init)
		if (sa->st.spi_i == spi_i && same_addr(&sa->st.remote, remote) &&
		    memcmp(sa->init_hash, hash, IKE_SA_INIT_HASH_LEN) == 0)
			return sa;
	return NULL;
}

struct ike_sa *
ike_sa_table_by_id(const struct ike_sa_table *t, uint64_t id)
{
	struct ike_sa *sa;

	for (sa = t->by_id[bucket(id)]; sa != NULL; sa = sa->next_id)
		if (sa->st.id == id)
			return sa;
	return NULL;
}
