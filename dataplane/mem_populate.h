/* Faulting memory in before the fast or the bulk path needs it. */
#ifndef MEM_POPULATE_H
#define MEM_POPULATE_H

#include <stddef.h>

/* Makes every page of [P, P + LEN) present and writable now, so that its
 * first use later does not take a page fault (the memory keeps its
 * contents). With hugepages EAL memory is present from the start; without
 * them (--no-huge) it is faulted in 4 KiB at a time on first touch, which
 * the standby would otherwise pay for during a bulk sync. */
void mem_populate(void *p, size_t len);

#endif /* MEM_POPULATE_H */
