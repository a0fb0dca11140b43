/* Pages of a long listing (`show ike-sas FROM COUNT`, `show spd clients
 * FROM COUNT`): one command builds at most a page, so that listing 100,000
 * entries need not hold the control core for longer than the peer's
 * failure detection. */
#ifndef CTL_PAGE_H
#define CTL_PAGE_H

#include <stdbool.h>
#include <stdint.h>

/* A decimal number (no sign, no blanks, fits 64 bits). */
bool ctl_parse_u64(const char *word, uint64_t *v);

/* ARGV: nothing, FROM, or FROM COUNT (COUNT >= 1; 0 in *COUNT: to the
 * end). False on anything else. */
bool ctl_page_parse(int argc, char **argv, uint64_t *from, uint64_t *count);

/* Entry INDEX of a listing is on the page FROM, COUNT. */
static inline bool
ctl_page_has(uint64_t from, uint64_t count, uint64_t index)
{
	return index >= from && (count == 0 || index - from < count);
}

#endif /* CTL_PAGE_H */
