/*
 * The operator's view of the SAD and SPD (RFC 4301 §4.4.1, §4.4.2): the
 * JSON of `show sa`, `show spd`, `show spd clients` and `clear sa
 * counters` (docs/cli.md, "IPsec"). Never a key byte: only names, SPIs,
 * parameters and counters.
 *
 * Counters and lifetimes. `clear sa counters` does not write the SA: a
 * worker-written counter must not be reset under the workers, and the
 * packets/bytes an SA has carried are what its lifetime limits (RFC 4301
 * §4.4.2.1) measure, which protect the key and must never be reset by an
 * operator. Instead the control plane remembers, per SA, the counters at
 * the time of the last clear (a baseline) and shows the difference;
 * "lifetime" always shows the totals since the SA was installed.
 */
#ifndef HAGW_CTL_CMDS_IPSEC_H
#define HAGW_CTL_CMDS_IPSEC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/sa.h"
#include "dataplane/spd.h"

struct json_object;
struct dp_sa;
struct ctl_sa_base;

/* Counter baselines of `clear sa counters`, indexed by SA id. The lock
 * serialises the control core and DPDK's telemetry thread. */
struct ctl_sa_counters {
	pthread_mutex_t lock;
	uint32_t n;			/* entries allocated */
	struct ctl_sa_base *base;
};

#define CTL_SA_COUNTERS_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* The counters shown for sa: totals minus the baseline of the last clear. */
struct ctl_sa_shown {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops[DP_SA_DROP_MAX];
};

void ctl_sa_counters_get(struct ctl_sa_counters *c, const struct dp_sa *sa,
			 struct ctl_sa_shown *out);
/* Makes the current totals of sa its baseline. 0 or -ENOMEM. */
int ctl_sa_counters_clear(struct ctl_sa_counters *c, const struct dp_sa *sa);
void ctl_sa_counters_free(struct ctl_sa_counters *c);

/* Name of a per-SA drop reason in JSON ("replay", "auth", ...). */
const char *ctl_sa_drop_name(enum dp_sa_drop d);

/* The NAME|SPI argument of the SA commands: an SA matches if its name is
 * the word or its SPI is the word as a number (0x... hex or decimal). */
struct ctl_sa_filter {
	const char *word;		/* NULL: every SA */
	bool has_spi;
	uint32_t spi;
};

void ctl_sa_filter_init(struct ctl_sa_filter *f, const char *word);
bool ctl_sa_filter_match(const struct ctl_sa_filter *f, const struct dp_sa *sa);
/* The error of a filter that matches no SA: "no SA with name or SPI 'X'". */
void ctl_sa_filter_none(const char *word, char *err, size_t err_len);

/*
 * `show sa [NAME|SPI]`: an array of SA objects in id order; with a filter
 * only the SAs whose name is filter or whose SPI is filter as a number
 * (0x... hex or decimal). NULL with a message in err if the filter matches
 * nothing. now_ms is dp_now_ms() (for age_s).
 */
struct json_object *ctl_sa_list_json(const struct dp_sad *sad, struct ctl_sa_counters *c,
				     const char *filter, uint64_t now_ms, char *err,
				     size_t err_len);

/* `clear sa counters [NAME|SPI]`: returns the number of SAs cleared, or a
 * negative errno with a message in err (-ENOENT: filter matches none). */
int ctl_sa_clear(const struct dp_sad *sad, struct ctl_sa_counters *c, const char *filter,
		 char *err, size_t err_len);

/* `show spd`: {"default_action", "policies": [by priority], "clients"}
 * from dp_spd_next and dp_spd_default_action; spd NULL (no IPsec): bypass,
 * no policies. sad names the SAs of PROTECT policies (may be NULL). NULL
 * if out of memory. */
struct json_object *ctl_spd_json(const struct dp_spd *spd, const struct dp_sad *sad);

/* `show spd clients [FROM [COUNT]]`: [{"prefix", "sa", "sa_spi",
 * "pending"}], IPv4 then IPv6, by address then length, from
 * dp_spd_client_foreach (control core only); of those, the ones from index
 * FROM on, COUNT at most (0: all). spd NULL: []. NULL if out of memory. */
struct json_object *ctl_spd_clients_json(const struct dp_spd *spd, const struct dp_sad *sad,
					 uint64_t from, uint64_t count);

/* Handlers for control/ctl_cmds.c (ctx: struct hagw). Safe on DPDK's
 * telemetry thread: there they read the tables as a QSBR reader. */
int ctl_cmd_show_sa(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		    size_t err_len);
int ctl_cmd_show_spd(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		     size_t err_len);
/* Control core only: on the telemetry thread it answers an error. */
int ctl_cmd_show_spd_clients(void *ctx, int argc, char **argv, struct json_object **out,
			     char *err, size_t err_len);
int ctl_cmd_clear_sa_counters(void *ctx, int argc, char **argv, struct json_object **out,
			      char *err, size_t err_len);

#endif
