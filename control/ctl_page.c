/* Page arguments of the listing commands (ctl_page.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "control/ctl_page.h"

enum { DEC_BASE = 10 };

bool
ctl_parse_u64(const char *word, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)word[0]))
		return false;
	errno = 0;
	x = strtoull(word, &end, DEC_BASE);
	if (errno != 0 || *end != '\0')
		return false;
	*v = x;
	return true;
}

bool
ctl_page_parse(int argc, char **argv, uint64_t *from, uint64_t *count)
{
	*from = 0;
	*count = 0;
	if (argc > 2 || (argc >= 1 && !ctl_parse_u64(argv[0], from)))
		return false;
	return argc < 2 || (ctl_parse_u64(argv[1], count) && *count > 0);
}
