/*
 * `show sa`, `show spd`, `show spd clients` and `clear sa counters`: JSON
 * views of the SA database (RFC 4301 §4.4.2) and the security policy
 * database (RFC 4301 §4.4.1), with traffic selectors (§4.4.1.1) written as
 * in the config file. Key names and types are stable (docs/cli.md,
 * "IPsec"). Nothing here reads struct dp_sa's key or p.enc_key/p.auth_key.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "control/cli.h"
#include "control/ctl_cmds_ipsec.h"
#include "control/ctl_json.h"
#include "control/ctl_page.h"
#include "control/hagw.h"
#include "dataplane/ts.h"

enum {
	/* "lo-hi" of two IPv6 addresses, or one with "/len" */
	CTL_ADDR_STR_LEN = 2 * INET6_ADDRSTRLEN + sizeof("-"),
	CTL_SPI_STR_LEN = sizeof("0x12345678"),
	CTL_PORTS_STR_LEN = sizeof("65535-65535"),
	CTL_MS_PER_S = 1000,
	CTL_BITS_PER_BYTE = 8,
	CTL_TS_PROTO_ANY = 0,		/* dp_ts.proto */
	CTL_ROWS_MIN = 16,		/* first allocation of a collected list */
	CTL_HEX_PREFIX_LEN = 2,		/* "0x" */
	CTL_HEX_BASE = 16,
	CTL_DEC_BASE = 10,
};

#define CTL_PORTS_ANY "any"
#define CTL_PROTO_ANY "any"

static const char *const sa_drop_names[DP_SA_DROP_MAX] = {
	[DP_SA_DROP_REPLAY] = "replay",
	[DP_SA_DROP_AUTH] = "auth",
	[DP_SA_DROP_POLICY] = "policy",
	[DP_SA_DROP_MALFORMED] = "malformed",
	[DP_SA_DROP_LIFETIME] = "lifetime",
	[DP_SA_DROP_MTU] = "mtu",
	[DP_SA_DROP_INACTIVE] = "inactive",
};

/* Counter baselines of the daemon's `clear sa counters`. */
static struct ctl_sa_counters daemon_counters = CTL_SA_COUNTERS_INIT;

const char *
ctl_sa_drop_name(enum dp_sa_drop d)
{
	return d < DP_SA_DROP_MAX && sa_drop_names[d] != NULL ? sa_drop_names[d] : "unknown";
}

/* ---- traffic selectors, written as the config file writes them ---- */

static bool
bit_of(const uint8_t *a, unsigned int i)
{
	return (a[i / CTL_BITS_PER_BYTE] >> (CTL_BITS_PER_BYTE - 1 - i % CTL_BITS_PER_BYTE)) & 1;
}

/* The prefix length if lo..hi is exactly one prefix, else -1. */
static int
range_prefix_len(const uint8_t *lo, const uint8_t *hi, unsigned int bytes)
{
	unsigned int bits = bytes * CTL_BITS_PER_BYTE, len = 0;

	while (len < bits && bit_of(lo, len) == bit_of(hi, len))
		len++;
	for (unsigned int i = len; i < bits; i++)
		if (bit_of(lo, i) || !bit_of(hi, i))
			return -1;
	return (int)len;
}

static void
addr_format(uint8_t family, const uint8_t *addr, int len, char *buf, size_t buf_len)
{
	struct cfg_prefix p = { .family = family, .len = (uint8_t)(len < 0 ? 0 : len) };

	memcpy(p.addr.bytes, addr, dp_ts_addr_len(family));
	cfg_prefix_format(&p, len < 0, buf, buf_len);
}

/* "10.0.0.0/24" when the range is a prefix, else "10.0.0.1-10.0.0.5". */
static struct json_object *
ts_addr_json(const struct dp_ts *ts)
{
	unsigned int bytes = dp_ts_addr_len(ts->family);
	int len = range_prefix_len(ts->addr_lo, ts->addr_hi, bytes);
	char buf[CTL_ADDR_STR_LEN], hi[CTL_ADDR_STR_LEN];

	addr_format(ts->family, ts->addr_lo, len, buf, sizeof(buf));
	if (len < 0) {
		addr_format(ts->family, ts->addr_hi, -1, hi, sizeof(hi));
		strncat(buf, "-", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, hi, sizeof(buf) - strlen(buf) - 1);
	}
	return STR(buf);
}

/* The config file's names: any | tcp | udp | icmp | ipv6-icmp | 0..255. */
static struct json_object *
ts_proto_json(uint8_t proto)
{
	char buf[sizeof("255")];

	switch (proto) {
	case CTL_TS_PROTO_ANY:
		return STR(CTL_PROTO_ANY);
	case IPPROTO_TCP:
		return STR("tcp");
	case IPPROTO_UDP:
		return STR("udp");
	case IPPROTO_ICMP:
		return STR("icmp");
	case IPPROTO_ICMPV6:
		return STR("ipv6-icmp");
	default:
		snprintf(buf, sizeof(buf), "%u", proto);
		return STR(buf);
	}
}

/* any | N | N-M (ICMP: the type on the local side, the code on the remote). */
static struct json_object *
ts_ports_json(uint16_t lo, uint16_t hi)
{
	char buf[CTL_PORTS_STR_LEN];

	if (lo == DP_TS_PORT_MIN && hi == DP_TS_PORT_MAX)
		return STR(CTL_PORTS_ANY);
	if (lo == hi)
		snprintf(buf, sizeof(buf), "%u", lo);
	else
		snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	return STR(buf);
}

/* The members a policy and an SA selector have in common. */
static void
ts_pair_add(struct json_object *o, const struct dp_ts *local, const struct dp_ts *remote)
{
	ADD(o, "local", ts_addr_json(local));
	ADD(o, "remote", ts_addr_json(remote));
	ADD(o, "protocol", ts_proto_json(local->proto));
	ADD(o, "local_ports", ts_ports_json(local->port_lo, local->port_hi));
	ADD(o, "remote_ports", ts_ports_json(remote->port_lo, remote->port_hi));
}

static struct json_object *
selectors_json(const struct dp_sa_params *p)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < p->n_ts && i < DP_SA_MAX_TS; i++) {
		struct json_object *o = json_object_new_object();

		ts_pair_add(o, &p->ts[i].local, &p->ts[i].remote);
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- one SA ---- */

static struct json_object *
spi_json(uint32_t spi)
{
	char buf[CTL_SPI_STR_LEN];

	snprintf(buf, sizeof(buf), "0x%08x", spi);
	return STR(buf);
}

static struct json_object *
outer_addr_json(const struct cfg_prefix *p)
{
	char buf[CTL_ADDR_STR_LEN];

	cfg_prefix_format(p, true, buf, sizeof(buf));
	return STR(buf);
}

/* The SA's name (not NUL-terminated at full length), null if unnamed. */
static struct json_object *
sa_name_json(const struct dp_sa *sa)
{
	size_t n = strnlen(sa->p.name, sizeof(sa->p.name));

	return n > 0 ? json_object_new_string_len(sa->p.name, (int)n) : NULL;
}

/* A limit, or null for none (0 in the SA). */
static struct json_object *
limit_json(uint64_t limit)
{
	return limit != 0 ? U64(limit) : NULL;
}

static struct json_object *
lifetime_json(const struct dp_sa *sa)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "used_bytes", U64(__atomic_load_n(&sa->stats.bytes, __ATOMIC_RELAXED)));
	ADD(o, "soft_bytes", limit_json(__atomic_load_n(&sa->soft.bytes, __ATOMIC_RELAXED)));
	ADD(o, "hard_bytes", limit_json(__atomic_load_n(&sa->hard.bytes, __ATOMIC_RELAXED)));
	ADD(o, "used_packets", U64(__atomic_load_n(&sa->stats.packets, __ATOMIC_RELAXED)));
	ADD(o, "soft_packets", limit_json(__atomic_load_n(&sa->soft.packets, __ATOMIC_RELAXED)));
	ADD(o, "hard_packets", limit_json(__atomic_load_n(&sa->hard.packets, __ATOMIC_RELAXED)));
	return o;
}

static void
counters_add(struct json_object *o, const struct ctl_sa_shown *c)
{
	struct json_object *drops = json_object_new_object();
	uint64_t total = 0;

	for (unsigned int d = 0; d < DP_SA_DROP_MAX; d++) {
		ADD(drops, ctl_sa_drop_name(d), U64(c->drops[d]));
		total += c->drops[d];
	}
	ADD(o, "packets", U64(c->packets));
	ADD(o, "bytes", U64(c->bytes));
	ADD(o, "dropped", U64(total));
	ADD(o, "drops", drops);
}

/* Sequence state: outbound counter and IV epoch, or inbound window. */
static void
seq_add(struct json_object *o, const struct dp_sa *sa)
{
	bool out = sa->p.dir == DP_SA_OUTBOUND;

	ADD(o, "seq", out ? U64(__atomic_load_n(&sa->out->seq, __ATOMIC_RELAXED)) : NULL);
	ADD(o, "iv_epoch", out ? U64(__atomic_load_n(&sa->out->iv_epoch, __ATOMIC_RELAXED)) : NULL);
	ADD(o, "replay_window", out ? NULL : U64(sa->win.size));
	ADD(o, "replay_top", out ? NULL : U64(__atomic_load_n(&sa->win.top, __ATOMIC_RELAXED)));
}

static void
flags_add(struct json_object *o, const struct dp_sa *sa)
{
	uint32_t f = __atomic_load_n(&sa->flags, __ATOMIC_ACQUIRE);

	ADD(o, "active", BOOL((f & DP_SA_F_ACTIVE) != 0));
	ADD(o, "soft_expired", BOOL((f & DP_SA_F_SOFT_EXPIRED) != 0));
	ADD(o, "hard_expired", BOOL((f & DP_SA_F_HARD_EXPIRED) != 0));
}

/* The SA's current outer path (dp_sa_update changes it), read once so
 * that the fields shown belong together. */
static void
outer_add(struct json_object *o, const struct dp_sa *sa)
{
	const struct dp_sa_path *path = dp_sa_path_get(sa);

	ADD(o, "local", outer_addr_json(&path->local));
	ADD(o, "remote", outer_addr_json(&path->remote));
	ADD(o, "udp_encap", BOOL(path->udp_encap));
	ADD(o, "local_port", path->udp_encap ? U64(path->encap_local_port) : NULL);
	ADD(o, "remote_port", path->udp_encap ? U64(path->encap_remote_port) : NULL);
}

static struct json_object *
sa_json(const struct dp_sa *sa, const struct ctl_sa_shown *shown, uint64_t now_ms)
{
	struct json_object *o = json_object_new_object();
	const struct dp_sa_params *p = &sa->p;
	bool in = p->dir == DP_SA_INBOUND;

	ADD(o, "id", U64(sa->id));
	ADD(o, "name", sa_name_json(sa));
	ADD(o, "spi", spi_json(p->spi));
	ADD(o, "direction", STR(in ? "in" : "out"));
	ADD(o, "mode", STR(p->mode == DP_SA_TRANSPORT ? "transport" : "tunnel"));
	ADD(o, "algorithm", STR(dp_sa_alg_name(p->alg)));
	ADD(o, "esn", BOOL(p->esn));
	outer_add(o, sa);
	ADD(o, "owner", in ? U64(sa->owner) : NULL);
	flags_add(o, sa);
	ADD(o, "age_s",
	    U64(now_ms > sa->created_ms ? (now_ms - sa->created_ms) / CTL_MS_PER_S : 0));
	seq_add(o, sa);
	counters_add(o, shown);
	ADD(o, "lifetime", lifetime_json(sa));
	ADD(o, "selectors", selectors_json(p));
	return o;
}

/* ---- the SA list and the filter ---- */

/* An SPI as typed: 0x and hex digits, or decimal (no octal). */
static bool
spi_parse(const char *word, uint32_t *spi)
{
	bool hex = word[0] == '0' && (word[1] == 'x' || word[1] == 'X');
	const char *digits = hex ? word + CTL_HEX_PREFIX_LEN : word;
	unsigned long long v;
	char *end;

	if (!isxdigit((unsigned char)digits[0]) || (!hex && !isdigit((unsigned char)digits[0])))
		return false;
	errno = 0;
	v = strtoull(digits, &end, hex ? CTL_HEX_BASE : CTL_DEC_BASE);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return false;
	*spi = (uint32_t)v;
	return true;
}

void
ctl_sa_filter_init(struct ctl_sa_filter *f, const char *word)
{
	f->word = word;
	f->has_spi = word != NULL && spi_parse(word, &f->spi);
}

bool
ctl_sa_filter_match(const struct ctl_sa_filter *f, const struct dp_sa *sa)
{
	if (f->word == NULL)
		return true;
	if (f->has_spi && sa->p.spi == f->spi)
		return true;
	return strncmp(sa->p.name, f->word, sizeof(sa->p.name)) == 0 &&
	       strlen(f->word) < sizeof(sa->p.name);
}

void
ctl_sa_filter_none(const char *word, char *err, size_t err_len)
{
	snprintf(err, err_len, "no SA with name or SPI '%s'", word);
}

struct json_object *
ctl_sa_list_json(const struct dp_sad *sad, struct ctl_sa_counters *c, const char *filter,
		 uint64_t now_ms, char *err, size_t err_len)
{
	struct json_object *a = json_object_new_array();
	struct ctl_sa_filter f;
	uint32_t iter = 0;
	struct dp_sa *sa;

	ctl_sa_filter_init(&f, filter);
	while (sad != NULL && (sa = dp_sad_next(sad, &iter)) != NULL) {
		struct ctl_sa_shown shown;

		if (!ctl_sa_filter_match(&f, sa))
			continue;
		ctl_sa_counters_get(c, sa, &shown);
		json_object_array_add(a, sa_json(sa, &shown, now_ms));
	}
	if (filter != NULL && json_object_array_length(a) == 0) {
		json_object_put(a);
		ctl_sa_filter_none(filter, err, err_len);
		return NULL;
	}
	return a;
}

int
ctl_sa_clear(const struct dp_sad *sad, struct ctl_sa_counters *c, const char *filter,
	     char *err, size_t err_len)
{
	struct ctl_sa_filter f;
	uint32_t iter = 0;
	struct dp_sa *sa;
	int n = 0;

	ctl_sa_filter_init(&f, filter);
	while (sad != NULL && (sa = dp_sad_next(sad, &iter)) != NULL) {
		if (!ctl_sa_filter_match(&f, sa))
			continue;
		if (ctl_sa_counters_clear(c, sa) < 0) {
			snprintf(err, err_len, "clear sa counters: out of memory");
			return -ENOMEM;
		}
		n++;
	}
	if (filter != NULL && n == 0) {
		ctl_sa_filter_none(filter, err, err_len);
		return -ENOENT;
	}
	return n;
}

/* ---- the SPD ---- */

/* ROWS (*cap rows of SIZE bytes) with room for row N: ROWS or a larger
 * block, NULL if out of memory (ROWS is then still allocated). */
static void *
rows_room(void *rows, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap != 0 ? 2 * *cap : CTL_ROWS_MIN;
	void *p;

	if (n < *cap)
		return rows;
	p = realloc(rows, c * size);
	if (p != NULL)
		*cap = c;
	return p;
}

struct policy_row {
	uint32_t id;
	struct dp_policy_params p;
};

static int
policy_cmp(const void *a, const void *b)
{
	const struct policy_row *x = a, *y = b;

	if (x->p.priority != y->p.priority)
		return x->p.priority < y->p.priority ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Every policy, by priority (then id), as dp_spd_next gives them; NULL if
 * out of memory. dp_spd_next ends after the last slot, so policies that
 * come and go under the telemetry thread cannot make it spin. */
static struct policy_row *
policies_collect(const struct dp_spd *spd, size_t *n)
{
	struct policy_row *rows = NULL, *more;
	size_t cap = 0;
	uint32_t iter = 0;

	*n = 0;
	for (;;) {
		more = rows_room(rows, *n, &cap, sizeof(*rows));
		if (more == NULL) {
			free(rows);
			return NULL;
		}
		rows = more;
		if (!dp_spd_next(spd, &iter, &rows[*n].id, &rows[*n].p))
			break;
		(*n)++;
	}
	qsort(rows, *n, sizeof(*rows), policy_cmp);
	return rows;
}

/* The outbound SA a policy or client names: its name and SPI, or nulls. */
static void
sa_ref_add(struct json_object *o, const struct dp_sad *sad, uint32_t sa_id)
{
	const struct dp_sa *sa = sad != NULL ? dp_sad_get(sad, sa_id) : NULL;

	ADD(o, "sa", sa != NULL ? sa_name_json(sa) : NULL);
	ADD(o, "sa_spi", sa != NULL ? spi_json(sa->p.spi) : NULL);
}

static struct json_object *
policy_json(const struct policy_row *r, const struct dp_sad *sad)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "id", U64(r->id));
	ADD(o, "priority", U64(r->p.priority));
	ADD(o, "action", STR(dp_policy_action_name(r->p.action)));
	ts_pair_add(o, &r->p.local, &r->p.remote);
	if (r->p.action == DP_POLICY_PROTECT) {
		sa_ref_add(o, sad, r->p.sa_id);
	} else {
		ADD(o, "sa", NULL);
		ADD(o, "sa_spi", NULL);
	}
	return o;
}

struct json_object *
ctl_spd_json(const struct dp_spd *spd, const struct dp_sad *sad)
{
	enum dp_policy_action dflt = spd != NULL ? dp_spd_default_action(spd) : DP_POLICY_BYPASS;
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct policy_row *rows = NULL;
	size_t n = 0;

	if (spd != NULL && (rows = policies_collect(spd, &n)) == NULL) {
		json_object_put(list);
		json_object_put(o);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, policy_json(&rows[i], sad));
	free(rows);
	ADD(o, "default_action", STR(dp_policy_action_name(dflt)));
	ADD(o, "policies", list);
	ADD(o, "clients", U64(spd != NULL ? dp_spd_client_count(spd) : 0));
	return o;
}

/* ---- the SPD's remote-access clients ---- */

struct client_row {
	struct cfg_prefix prefix;
	uint32_t sa_id;
	bool pending;
};

struct client_rows {
	struct client_row *row;
	size_t n;
	size_t cap;
};

static int
client_collect(const struct cfg_prefix *prefix, uint32_t sa_id, bool pending, void *arg)
{
	struct client_rows *c = arg;
	struct client_row *more = rows_room(c->row, c->n, &c->cap, sizeof(*c->row));

	if (more == NULL)
		return -ENOMEM;
	c->row = more;
	c->row[c->n].prefix = *prefix;
	c->row[c->n].sa_id = sa_id;
	c->row[c->n++].pending = pending;
	return 0;
}

/* IPv4 first, then by address, then by length (shorter first). */
static int
client_cmp(const void *a, const void *b)
{
	const struct cfg_prefix *x = &((const struct client_row *)a)->prefix;
	const struct cfg_prefix *y = &((const struct client_row *)b)->prefix;
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = memcmp(x->addr.bytes, y->addr.bytes, dp_ts_addr_len(x->family));
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static struct json_object *
client_json(const struct client_row *r, const struct dp_sad *sad)
{
	struct json_object *o = json_object_new_object();
	char buf[CTL_ADDR_STR_LEN];

	cfg_prefix_format(&r->prefix, false, buf, sizeof(buf));
	ADD(o, "prefix", STR(buf));
	sa_ref_add(o, sad, r->sa_id);
	ADD(o, "pending", BOOL(r->pending));
	return o;
}

struct json_object *
ctl_spd_clients_json(const struct dp_spd *spd, const struct dp_sad *sad, uint64_t from,
		     uint64_t count)
{
	struct client_rows c = { .row = NULL };
	struct json_object *a;

	if (dp_spd_client_foreach(spd, client_collect, &c) != 0) {
		free(c.row);
		return NULL;
	}
	if (c.n > 0)
		qsort(c.row, c.n, sizeof(*c.row), client_cmp);
	a = json_object_new_array();
	for (size_t i = from; i < c.n && ctl_page_has(from, count, i); i++)
		json_object_array_add(a, client_json(&c.row[i], sad));
	free(c.row);
	return a;
}

/* ---- the handlers ---- */

/* One telemetry reader at a time: they share one QSBR slot. */
static pthread_mutex_t tel_reader_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * On the control core the tables are ours (the only writer). On DPDK's
 * telemetry thread (not an EAL lcore) they are read as a QSBR reader in
 * the slot after the workers' (dp.c sizes the QSBR variable for it), so
 * no SA or ACL context is freed while we read it.
 */
static int
reader_enter(struct dp *dp, bool *online, char *err, size_t err_len)
{
	unsigned int slot = dp->n_workers;

	*online = false;
	if (rte_lcore_id() != LCORE_ID_ANY || dp->qsbr == NULL)
		return 0;
	if (slot >= dp->qsbr->max_threads) {
		snprintf(err, err_len, "not available over telemetry: no QSBR reader slot");
		return -ENOTSUP;
	}
	pthread_mutex_lock(&tel_reader_lock);
	if (rte_rcu_qsbr_thread_register(dp->qsbr, slot) != 0) {
		pthread_mutex_unlock(&tel_reader_lock);
		snprintf(err, err_len, "not available over telemetry: QSBR registration failed");
		return -ENOTSUP;
	}
	rte_rcu_qsbr_thread_online(dp->qsbr, slot);
	*online = true;
	return 0;
}

static void
reader_exit(struct dp *dp, bool online)
{
	if (!online)
		return;
	rte_rcu_qsbr_thread_offline(dp->qsbr, dp->n_workers);
	pthread_mutex_unlock(&tel_reader_lock);
}

static int
usage(const char *synopsis, char *err, size_t err_len)
{
	snprintf(err, err_len, "usage: %s", synopsis);
	return -EINVAL;
}

int
ctl_cmd_show_sa(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		size_t err_len)
{
	struct hagw *h = ctx;
	bool online;
	int rc;

	if (argc > 1)
		return usage("show sa [NAME|SPI]", err, err_len);
	rc = reader_enter(&h->dp, &online, err, err_len);
	if (rc < 0)
		return rc;
	*out = ctl_sa_list_json(h->dp.sad, &daemon_counters, argc == 1 ? argv[0] : NULL,
				dp_now_ms(), err, err_len);
	reader_exit(&h->dp, online);
	return *out != NULL ? 0 : -ENOENT;
}

int
ctl_cmd_show_spd(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		 size_t err_len)
{
	struct hagw *h = ctx;
	bool online;
	int rc;

	if (argc > 0)
		return usage("show spd", err, err_len);
	rc = reader_enter(&h->dp, &online, err, err_len);
	if (rc < 0)
		return rc;
	*out = ctl_spd_json(h->dp.spd, h->dp.sad);
	reader_exit(&h->dp, online);
	return *out != NULL ? 0 : -ENOMEM;
}

/* The client table is the control core's (spd.h): no QSBR reader can
 * make it safe to walk from the telemetry thread. */
int
ctl_cmd_show_spd_clients(void *ctx, int argc, char **argv, struct json_object **out,
			 char *err, size_t err_len)
{
	struct hagw *h = ctx;
	uint64_t from, count;

	if (!ctl_page_parse(argc, argv, &from, &count))
		return usage("show spd clients [FROM [COUNT]]", err, err_len);
	if (rte_lcore_id() == LCORE_ID_ANY) {
		snprintf(err, err_len, "not available over telemetry: use the CLI socket");
		return -ENOTSUP;
	}
	*out = ctl_spd_clients_json(h->dp.spd, h->dp.sad, from, count);
	return *out != NULL ? 0 : -ENOMEM;
}

int
ctl_cmd_clear_sa_counters(void *ctx, int argc, char **argv, struct json_object **out,
			  char *err, size_t err_len)
{
	struct hagw *h = ctx;
	bool online;
	int rc;

	if (argc > 1)
		return usage("clear sa counters [NAME|SPI]", err, err_len);
	rc = reader_enter(&h->dp, &online, err, err_len);
	if (rc < 0)
		return rc;
	rc = ctl_sa_clear(h->dp.sad, &daemon_counters, argc == 1 ? argv[0] : NULL, err, err_len);
	reader_exit(&h->dp, online);
	if (rc < 0)
		return rc;
	*out = json_object_new_object();
	ADD(*out, "cleared", U64((uint64_t)rc));
	return 0;
}
