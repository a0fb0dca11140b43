/*
 * The operator's view of the IKE daemon (RFC 7296): the JSON of `show
 * ike-sas`, `show child-sas` and `show ike stats` (docs/cli.md, "IKE"),
 * built from the library's state records through a walker, so that tests
 * give fixed records without a running daemon. Never a key byte, nonce or
 * cached message: identities, SPIs, addresses, suites, times and counters.
 */
#ifndef HAGW_CTL_IKE_JSON_H
#define HAGW_CTL_IKE_JSON_H

#include <stdint.h>

#include "ike/ike_ctx.h"
#include "ike/ike_state.h"

struct json_object;

/* Where the records come from: ike_sa_foreach / ike_child_foreach on a
 * context in the daemon, fixed arrays in tests. */
struct ctl_ike_walker {
	int (*sa_foreach)(const void *src, int (*cb)(const struct ike_sa_state *sa, void *arg),
			  void *arg);
	int (*child_foreach)(const void *src, uint64_t ike_sa_id,
			     int (*cb)(const struct ike_child_state *child, void *arg), void *arg);
	const void *src;
};

/* One record; NOW_S is wall-clock seconds (for ages and times left). */
struct json_object *ctl_ike_sa_json(const struct ike_sa_state *sa, uint64_t now_s);
struct json_object *ctl_ike_child_json(const struct ike_child_state *c, uint64_t now_s);

/* A page of a list: COUNT records from index FROM (walk order); COUNT 0:
 * all from FROM. At 100,000 SAs the whole list is tens of MB of JSON that
 * the control core would build in one go. */
struct ctl_ike_page {
	uint64_t from;
	uint64_t count;
};

/* Arrays of the IKE SAs / CHILD SAs (by IKE SA, in walk order) of PAGE
 * (NULL: all); NULL if out of memory or the walk failed. */
struct json_object *ctl_ike_sas_json(const struct ctl_ike_walker *w, uint64_t now_s,
				     const struct ctl_ike_page *page);
struct json_object *ctl_ike_children_json(const struct ctl_ike_walker *w, uint64_t now_s,
					  const struct ctl_ike_page *page);

/* The counters, the half-open count and the number of SAs now. */
struct json_object *ctl_ike_stats_json(const struct ctl_ike_walker *w, const struct ike_stats *s,
				       unsigned int half_open);

#endif
