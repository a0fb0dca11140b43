/*
 * What `clear sa counters` clears: per-SA baselines kept by the control
 * plane, so that `show sa` shows packets, bytes and drops since the last
 * clear while the SA's own counters, which its lifetime limits measure
 * (RFC 4301 §4.4.2.1), keep counting from installation. See
 * control/ctl_cmds_ipsec.h for why the SA itself is never written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_cmds_ipsec.h"

/* The SA a baseline belongs to: SA ids are reused after a delete. */
struct ctl_sa_base {
	bool set;
	uint8_t dir;
	uint32_t spi;
	uint64_t created_ms;
	char name[DP_SA_NAME_LEN];
	struct ctl_sa_shown at;		/* the SA's totals when cleared */
};

/* The SA's totals; workers add to them with relaxed atomics. */
static void
totals_read(const struct dp_sa *sa, struct ctl_sa_shown *t)
{
	t->packets = __atomic_load_n(&sa->stats.packets, __ATOMIC_RELAXED);
	t->bytes = __atomic_load_n(&sa->stats.bytes, __ATOMIC_RELAXED);
	for (unsigned int d = 0; d < DP_SA_DROP_MAX; d++)
		t->drops[d] = __atomic_load_n(&sa->stats.drops[d], __ATOMIC_RELAXED);
}

/*
 * Whether b was taken from sa. The id, SPI, name and creation time must
 * match; and since an SA's counters never go down, totals below the
 * baseline mean a newer SA that reused all of those within the same ms.
 */
static bool
base_matches(const struct ctl_sa_base *b, const struct dp_sa *sa, const struct ctl_sa_shown *t)
{
	if (!b->set || b->dir != sa->p.dir || b->spi != sa->p.spi ||
	    b->created_ms != sa->created_ms || strncmp(b->name, sa->p.name, sizeof(b->name)) != 0)
		return false;
	if (t->packets < b->at.packets || t->bytes < b->at.bytes)
		return false;
	for (unsigned int d = 0; d < DP_SA_DROP_MAX; d++)
		if (t->drops[d] < b->at.drops[d])
			return false;
	return true;
}

void
ctl_sa_counters_get(struct ctl_sa_counters *c, const struct dp_sa *sa, struct ctl_sa_shown *out)
{
	struct ctl_sa_base *b;

	totals_read(sa, out);
	pthread_mutex_lock(&c->lock);
	b = sa->id < c->n ? &c->base[sa->id] : NULL;
	if (b != NULL && base_matches(b, sa, out)) {
		out->packets -= b->at.packets;
		out->bytes -= b->at.bytes;
		for (unsigned int d = 0; d < DP_SA_DROP_MAX; d++)
			out->drops[d] -= b->at.drops[d];
	} else if (b != NULL) {
		b->set = false;		/* an earlier SA's: never again */
	}
	pthread_mutex_unlock(&c->lock);
}

/* Room for id; caller holds the lock. */
static int
counters_grow(struct ctl_sa_counters *c, uint32_t id)
{
	uint32_t n = c->n != 0 ? c->n : 1;
	struct ctl_sa_base *p;

	if (id < c->n)
		return 0;
	while (n <= id) {
		if (n > UINT32_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	p = realloc(c->base, (size_t)n * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memset(p + c->n, 0, (size_t)(n - c->n) * sizeof(*p));
	c->base = p;
	c->n = n;
	return 0;
}

int
ctl_sa_counters_clear(struct ctl_sa_counters *c, const struct dp_sa *sa)
{
	struct ctl_sa_base *b;
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = counters_grow(c, sa->id);
	if (rc == 0) {
		b = &c->base[sa->id];
		b->set = true;
		b->dir = (uint8_t)sa->p.dir;
		b->spi = sa->p.spi;
		b->created_ms = sa->created_ms;
		memcpy(b->name, sa->p.name, sizeof(b->name));
		totals_read(sa, &b->at);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
ctl_sa_counters_free(struct ctl_sa_counters *c)
{
	pthread_mutex_lock(&c->lock);
	free(c->base);
	c->base = NULL;
	c->n = 0;
	pthread_mutex_unlock(&c->lock);
}
