/* Virtual IP pools (RFC 7296 §3.15.1): bitmap allocation, deterministic
 * per identity (FNV-1a of the ID as the first probe). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ike_pool.h"

enum {
	IKE_POOL_WORD_BITS = 64,
	IKE_POOL_ADDR_LEN_MAX = 16,
};

static const uint32_t FNV_OFFSET = 2166136261u;
static const uint32_t FNV_PRIME = 16777619u;

int
ike_pool_set_init(struct ike_pool_set *s, const struct cfg_ike *cfg)
{
	uint8_t i;
	size_t words;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < cfg->n_pools; i++) {
		words = (cfg->pools[i].size + IKE_POOL_WORD_BITS - 1) / IKE_POOL_WORD_BITS;
		s->pools[i].cfg = &cfg->pools[i];
		s->pools[i].bits = calloc(words == 0 ? 1 : words, sizeof(uint64_t));
		if (s->pools[i].bits == NULL) {
			ike_pool_set_free(s);
			return -ENOMEM;
		}
		s->n = (uint8_t)(i + 1);
	}
	return 0;
}

void
ike_pool_set_free(struct ike_pool_set *s)
{
	uint8_t i;

	for (i = 0; i < s->n; i++)
		free(s->pools[i].bits);
	memset(s, 0, sizeof(*s));
}

static uint32_t
id_hash(const struct ike_id *id)
{
	uint32_t h = FNV_OFFSET;
	uint16_t i;

	if (id == NULL)
		return 0;
	h = (h ^ id->type) * FNV_PRIME;
	for (i = 0; i < id->len && i < sizeof(id->data); i++)
		h = (h ^ id->data[i]) * FNV_PRIME;
	return h;
}

/* first + idx, big-endian arithmetic over the address octets. */
static void
addr_at(const struct cfg_ike_pool *p, uint32_t idx, struct ike_addr *out)
{
	size_t n = p->first.family == AF_INET ? 4 : IKE_POOL_ADDR_LEN_MAX;
	uint64_t carry = idx;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->family = p->first.family;
	memcpy(out->ip, p->first.addr.bytes, n);
	for (i = n; i > 0 && carry != 0; i--) {
		carry += out->ip[i - 1];
		out->ip[i - 1] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* idx of ADDR in P, or -1 (pools span at most 2^20 addresses: only the
 * low 32 bits may differ from the first address). */
static int64_t
addr_index(const struct cfg_ike_pool *p, const struct ike_addr *a)
{
	size_t n = p->first.family == AF_INET ? 4 : IKE_POOL_ADDR_LEN_MAX;
	uint64_t v = 0, first = 0;
	size_t i;

	if (a->family != p->first.family || memcmp(a->ip, p->first.addr.bytes, n - 4) != 0)
		return -1;
	for (i = n - 4; i < n; i++) {
		v = v << 8 | a->ip[i];
		first = first << 8 | p->first.addr.bytes[i];
	}
	if (v < first || v - first >= p->size)
		return -1;
	return (int64_t)(v - first);
}

static bool
bit_get(const struct ike_pool *p, uint32_t i)
{
	return (p->bits[i / IKE_POOL_WORD_BITS] >> (i % IKE_POOL_WORD_BITS)) & 1;
}

static void
bit_set(struct ike_pool *p, uint32_t i, bool v)
{
	uint64_t m = UINT64_C(1) << (i % IKE_POOL_WORD_BITS);

	if (v)
		p->bits[i / IKE_POOL_WORD_BITS] |= m;
	else
		p->bits[i / IKE_POOL_WORD_BITS] &= ~m;
}

static int
pool_take(struct ike_pool *p, const struct ike_id *id, struct ike_addr *out)
{
	uint32_t size = p->cfg->size, start, k, i;

	if (size == 0 || p->used >= size)
		return -ENOSPC;
	start = id_hash(id) % size;
	for (k = 0; k < size; k++) {
		i = (start + k) % size;
		/* a full word: skip to the next one (many clients of one
		 * identity all start here) */
		if (i % IKE_POOL_WORD_BITS == 0 && p->bits[i / IKE_POOL_WORD_BITS] == UINT64_MAX &&
		    size - i >= IKE_POOL_WORD_BITS && size - k > IKE_POOL_WORD_BITS) {
			k += IKE_POOL_WORD_BITS - 1;
			continue;
		}
		if (!bit_get(p, i)) {
			bit_set(p, i, true);
			p->used++;
			addr_at(p->cfg, i, out);
			return 0;
		}
	}
	return -ENOSPC;
}

int
ike_pool_lease(struct ike_pool_set *s, const uint8_t *pools, uint8_t n_pools,
	       uint8_t family, const struct ike_id *id, struct ike_addr *out,
	       const char **pool_name)
{
	int rc = -ENOENT;
	uint8_t i;

	for (i = 0; i < n_pools; i++) {
		if (pools[i] >= s->n || s->pools[pools[i]].cfg->first.family != family)
			continue;
		rc = pool_take(&s->pools[pools[i]], id, out);
		if (rc == 0) {
			*pool_name = s->pools[pools[i]].cfg->name;
			return 0;
		}
	}
	return rc;
}

static struct ike_pool *
pool_by_name(const struct ike_pool_set *s, const char *name)
{
	uint8_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->pools[i].cfg->name, name) == 0)
			return (struct ike_pool *)&s->pools[i];
	return NULL;
}

void
ike_pool_release(struct ike_pool_set *s, const char *name, const struct ike_addr *addr)
{
	struct ike_pool *p = pool_by_name(s, name);
	int64_t i;

	if (p == NULL || addr->family == 0)
		return;
	i = addr_index(p->cfg, addr);
	if (i < 0 || !bit_get(p, (uint32_t)i))
		return;
	bit_set(p, (uint32_t)i, false);
	p->used--;
}

uint32_t
ike_pool_used(const struct ike_pool_set *s, const char *name)
{
	const struct ike_pool *p = pool_by_name(s, name);

	return p == NULL ? 0 : p->used;
}

int
ike_pool_claim(struct ike_pool_set *s, const char *name, const struct ike_addr *addr)
{
	struct ike_pool *p = pool_by_name(s, name);
	int64_t i = p != NULL ? addr_index(p->cfg, addr) : -1;

	if (i < 0)
		return -ENOENT;
	if (bit_get(p, (uint32_t)i))
		return -EEXIST;
	bit_set(p, (uint32_t)i, true);
	p->used++;
	return 0;
}
