/* The set of our inbound ESP SPIs (ike_spi_set.h): linear probing,
 * doubled at half full, backward-shift deletion (no tombstones). */
#include <errno.h>
#include <stdlib.h>

#include "ike/ike_spi_set.h"

enum { IKE_SPI_SET_MIN = 1024 };

static uint32_t
home(const struct ike_spi_set *s, uint32_t spi)
{
	return (spi * UINT32_C(0x9e3779b1)) & (s->cap - 1);
}

static void
put(struct ike_spi_set *s, uint32_t spi)
{
	uint32_t i = home(s, spi);

	while (s->slot[i] != 0)
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = spi;
	s->used++;
}

static int
grow(struct ike_spi_set *s)
{
	struct ike_spi_set n = { .cap = s->cap != 0 ? s->cap * 2 : IKE_SPI_SET_MIN };
	uint32_t i;

	n.slot = calloc(n.cap, sizeof(*n.slot));
	if (n.slot == NULL)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slot[i] != 0)
			put(&n, s->slot[i]);
	free(s->slot);
	*s = n;
	return 0;
}

bool
ike_spi_set_has(const struct ike_spi_set *s, uint32_t spi)
{
	uint32_t i;

	if (s->cap == 0 || spi == 0)
		return false;
	for (i = home(s, spi); s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == spi)
			return true;
	return false;
}

int
ike_spi_set_add(struct ike_spi_set *s, uint32_t spi)
{
	if (spi == 0 || ike_spi_set_has(s, spi))
		return 0;
	if ((s->used + 1) * 2 > s->cap && grow(s) != 0)
		return -ENOMEM;
	put(s, spi);
	return 0;
}

void
ike_spi_set_del(struct ike_spi_set *s, uint32_t spi)
{
	uint32_t i, j, h;

	if (s->cap == 0 || spi == 0)
		return;
	for (i = home(s, spi); s->slot[i] != spi; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == 0)
			return;
	s->slot[i] = 0;
	s->used--;
	/* move back the entries of the cluster that can no longer be reached */
	for (j = (i + 1) & (s->cap - 1); s->slot[j] != 0; j = (j + 1) & (s->cap - 1)) {
		h = home(s, s->slot[j]);
		if (((j - h) & (s->cap - 1)) >= ((j - i) & (s->cap - 1))) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

void
ike_spi_set_free(struct ike_spi_set *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->used = 0;
}
