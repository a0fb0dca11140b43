/*
 * JSON of the IKE show commands (ctl_ike_json.h): IKE SAs (RFC 7296 §2.2
 * SPIs and roles, §2.3 message IDs and windows, §2.23 NAT, §3.5
 * identities, §3.15 virtual IPs, RFC 7383 / 6311 / 4555 / 5685 peer
 * capabilities), CHILD SAs (§2.8 rekey state, §3.13.1 selectors, RFC 3948
 * encapsulation, RFC 4301 §4.4.2.1 lifetimes) and the daemon's counters.
 * Key names and types are stable (docs/cli.md, "IKE").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "control/ctl_ike_json.h"
#include "control/ctl_json.h"
#include "control/ctl_page.h"
#include "ike/ike_id.h"
#include "ike/ike_proposal.h"
#include "ike/ike_ts_narrow.h"

enum {
	ADDR_PORT_LEN = INET6_ADDRSTRLEN + sizeof("[]:65535"),
	SPI64_LEN = sizeof("0x0123456789abcdef"),
	SPI32_LEN = sizeof("0x01234567"),
	NUM_LEN = sizeof("255"),
};

static const char *const phase_names[IKE_SA_PHASE_COUNT] = {
	[IKE_SA_PHASE_NONE] = "none",
	[IKE_SA_PHASE_INIT_SENT] = "init-sent",
	[IKE_SA_PHASE_INIT_DONE] = "init-done",
	[IKE_SA_PHASE_AUTH_SENT] = "auth-sent",
	[IKE_SA_PHASE_ESTABLISHED] = "established",
	[IKE_SA_PHASE_REKEYING] = "rekeying",
	[IKE_SA_PHASE_DELETING] = "deleting",
	[IKE_SA_PHASE_DEAD] = "dead",
};

static const char *const rekey_names[IKE_CHILD_REKEY_COUNT] = {
	[IKE_CHILD_REKEY_NONE] = "none",
	[IKE_CHILD_REKEY_REKEYING] = "rekeying",
	[IKE_CHILD_REKEY_REKEYED] = "rekeyed",
};

static struct json_object *
name_or_num(const char *const *names, unsigned int n, unsigned int v)
{
	char buf[NUM_LEN + sizeof("unknown-")];

	if (v < n && names[v] != NULL)
		return STR(names[v]);
	snprintf(buf, sizeof(buf), "unknown-%u", v);
	return STR(buf);
}

/* RFC 7296 §3.8 and RFC 7427 §3; null when not authenticated yet. */
static struct json_object *
auth_json(uint8_t method)
{
	char buf[NUM_LEN];

	switch (method) {
	case 0:
		return NULL;
	case IKE_AUTH_RSA_SIG:
		return STR("rsa-sig");
	case IKE_AUTH_PSK:
		return STR("psk");
	case IKE_AUTH_ECDSA_256:
		return STR("ecdsa-256");
	case IKE_AUTH_ECDSA_384:
		return STR("ecdsa-384");
	case IKE_AUTH_ECDSA_521:
		return STR("ecdsa-521");
	case IKE_AUTH_DIGITAL_SIGNATURE:
		return STR("digital-signature");
	default:
		snprintf(buf, sizeof(buf), "%u", method);
		return STR(buf);
	}
}

/* "192.0.2.1:500", "[2001:db8::1]:4500"; null for no address. */
static struct json_object *
addr_port_json(const struct ike_addr *a)
{
	char ip[INET6_ADDRSTRLEN], buf[ADDR_PORT_LEN];

	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->ip, ip, sizeof(ip)) == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, a->port);
	return STR(buf);
}

static struct json_object *
spi64_json(uint64_t spi)
{
	char buf[SPI64_LEN];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, spi);
	return STR(buf);
}

static struct json_object *
spi32_json(uint32_t spi)
{
	char buf[SPI32_LEN];

	snprintf(buf, sizeof(buf), "0x%08x", spi);
	return STR(buf);
}

/* A suite's name; null before it is negotiated. */
static struct json_object *
suite_json(const struct ike_suite *s)
{
	char buf[IKE_SUITE_STR_LEN];

	ike_suite_describe(s, buf, sizeof(buf));
	return buf[0] != '\0' ? STR(buf) : NULL;
}

/* An identity as strongSwan prints it; null when not known yet. */
static struct json_object *
id_json(const struct ike_id *id)
{
	char buf[IKE_ID_TEXT_MAX];

	if (id->type == IKE_ID_ANY)
		return NULL;
	ike_id_to_string(id, buf, sizeof(buf));
	return STR(buf);
}

/* A fixed-size record string, null when empty. */
static struct json_object *
text_json(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n > 0 ? json_object_new_string_len(s, (int)n) : NULL;
}

/* Seconds since T, null when T is unset (0). */
static struct json_object *
since_json(uint64_t t, uint64_t now)
{
	return t != 0 ? U64(now > t ? now - t : 0) : NULL;
}

/* Seconds until T (0 once passed), null when T is unset (0). */
static struct json_object *
until_json(uint64_t t, uint64_t now)
{
	return t != 0 ? U64(t > now ? t - now : 0) : NULL;
}

static struct json_object *
nonzero_json(uint64_t v)
{
	return v != 0 ? U64(v) : NULL;
}

static struct json_object *
vips_json(const struct ike_sa_state *sa)
{
	const struct ike_state_vip *v[] = { &sa->vip4, &sa->vip6 };
	struct json_object *a = json_object_new_array();
	char ip[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if ((v[i]->addr.family == AF_INET || v[i]->addr.family == AF_INET6) &&
		    inet_ntop(v[i]->addr.family, v[i]->addr.ip, ip, sizeof(ip)) != NULL)
			json_object_array_add(a, STR(ip));
	}
	return a;
}

static struct json_object *
peer_json(const struct ike_sa_state *sa)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "fragmentation", BOOL(sa->peer_fragmentation));
	ADD(o, "message_id_sync", BOOL(sa->peer_msgid_sync));
	ADD(o, "mobike", BOOL(sa->peer_mobike));
	ADD(o, "redirect", BOOL(sa->peer_redirect));
	return o;
}

static struct json_object *
child_ids_json(const struct ike_sa_state *sa)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < sa->n_children && i < IKE_STATE_CHILDREN_MAX; i++)
		json_object_array_add(a, U64(sa->child_ids[i]));
	return a;
}

static void
sa_times_add(struct json_object *o, const struct ike_sa_state *sa, uint64_t now)
{
	ADD(o, "established", nonzero_json(sa->established_time));
	ADD(o, "age_s", since_json(sa->established_time, now));
	ADD(o, "rekey_in_s", until_json(sa->rekey_time, now));
	ADD(o, "reauth_in_s", until_json(sa->reauth_time, now));
	ADD(o, "expire_in_s", until_json(sa->expire_time, now));
	ADD(o, "last_recv_s", since_json(sa->last_recv_time, now));
	ADD(o, "dpd_interval_s", nonzero_json(sa->dpd_interval));
}

struct json_object *
ctl_ike_sa_json(const struct ike_sa_state *sa, uint64_t now_s)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "id", U64(sa->id));
	ADD(o, "connection", text_json(sa->name, sizeof(sa->name)));
	ADD(o, "state", name_or_num(phase_names, IKE_SA_PHASE_COUNT, sa->phase));
	ADD(o, "role", STR(sa->initiator ? "initiator" : "responder"));
	ADD(o, "local", addr_port_json(&sa->local));
	ADD(o, "remote", addr_port_json(&sa->remote));
	ADD(o, "nat_local", BOOL(sa->nat_local));
	ADD(o, "nat_remote", BOOL(sa->nat_remote));
	ADD(o, "natt", BOOL(sa->natt));
	ADD(o, "spi_i", spi64_json(sa->spi_i));
	ADD(o, "spi_r", spi64_json(sa->spi_r));
	ADD(o, "suite", suite_json(&sa->suite));
	ADD(o, "auth_local", auth_json(sa->auth_local));
	ADD(o, "auth_remote", auth_json(sa->auth_remote));
	ADD(o, "local_id", id_json(&sa->id_local));
	ADD(o, "remote_id", id_json(&sa->id_remote));
	ADD(o, "remote_cert", text_json(sa->remote_cert_dn, sizeof(sa->remote_cert_dn)));
	ADD(o, "virtual_ips", vips_json(sa));
	sa_times_add(o, sa, now_s);
	ADD(o, "msgid_send", U64(sa->msgid_send));
	ADD(o, "msgid_recv", U64(sa->msgid_recv));
	ADD(o, "window_local", U64(sa->window_local));
	ADD(o, "window_remote", U64(sa->window_remote));
	ADD(o, "children", child_ids_json(sa));
	ADD(o, "peer", peer_json(sa));
	return o;
}

/* ---- CHILD SAs ---- */

static struct json_object *
ts_json(const struct ike_ts_set *set)
{
	struct json_object *a = json_object_new_array();
	char buf[IKE_TS_STR_LEN];

	for (unsigned int i = 0; i < set->n && i < IKE_TS_MAX; i++) {
		if (ike_ts_to_string(&set->ts[i], buf, sizeof(buf)) == -EINVAL)
			snprintf(buf, sizeof(buf), "type-%u", set->ts[i].type);
		json_object_array_add(a, STR(buf));
	}
	return a;
}

static struct json_object *
lifetime_json(const struct ike_child_lifetime *l)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "soft_bytes", nonzero_json(l->soft_bytes));
	ADD(o, "hard_bytes", nonzero_json(l->hard_bytes));
	ADD(o, "soft_packets", nonzero_json(l->soft_packets));
	ADD(o, "hard_packets", nonzero_json(l->hard_packets));
	ADD(o, "soft_seconds", nonzero_json(l->soft_seconds));
	ADD(o, "hard_seconds", nonzero_json(l->hard_seconds));
	return o;
}

/* Wall-clock time INSTALL + SECONDS, 0 when either is unset. */
static uint64_t
deadline(uint64_t install, uint32_t seconds)
{
	return install != 0 && seconds != 0 ? install + seconds : 0;
}

static void
encap_add(struct json_object *o, const struct ike_child_state *c)
{
	ADD(o, "udp_encap", BOOL(c->udp_encap));
	ADD(o, "local_port", c->udp_encap ? U64(c->encap_local_port) : NULL);
	ADD(o, "remote_port", c->udp_encap ? U64(c->encap_remote_port) : NULL);
}

struct json_object *
ctl_ike_child_json(const struct ike_child_state *c, uint64_t now_s)
{
	struct json_object *o = json_object_new_object();
	const struct ike_child_lifetime *l = &c->life;

	ADD(o, "id", U64(c->id));
	ADD(o, "ike_sa", U64(c->ike_sa_id));
	ADD(o, "name", text_json(c->name, sizeof(c->name)));
	ADD(o, "role", STR(c->initiator ? "initiator" : "responder"));
	ADD(o, "spi_in", spi32_json(c->spi_in));
	ADD(o, "spi_out", spi32_json(c->spi_out));
	ADD(o, "mode", STR(c->mode == IKE_CHILD_MODE_TRANSPORT ? "transport" : "tunnel"));
	ADD(o, "suite", suite_json(&c->suite));
	ADD(o, "esn", BOOL(c->suite.esn == IKE_ESN_YES));
	encap_add(o, c);
	ADD(o, "local_ts", ts_json(&c->ts_local));
	ADD(o, "remote_ts", ts_json(&c->ts_remote));
	ADD(o, "reqid", U64(c->reqid));
	ADD(o, "installed", nonzero_json(l->install_time));
	ADD(o, "age_s", since_json(l->install_time, now_s));
	ADD(o, "rekey_in_s", until_json(deadline(l->install_time, l->soft_seconds), now_s));
	ADD(o, "expire_in_s", until_json(deadline(l->install_time, l->hard_seconds), now_s));
	ADD(o, "rekey_state", name_or_num(rekey_names, IKE_CHILD_REKEY_COUNT, c->rekey));
	ADD(o, "replaces", nonzero_json(c->replaces_id));
	ADD(o, "replaced_by", nonzero_json(c->replaced_by_id));
	ADD(o, "lifetime", lifetime_json(l));
	return o;
}

/* ---- the lists ---- */

/* What page_take says of the next record; PAGE_FULL also stops a walk
 * early (a positive return of the foreach callbacks: not an error). */
enum { PAGE_SKIP, PAGE_TAKE, PAGE_FULL };

struct walk {
	const struct ctl_ike_walker *w;
	struct json_object *list;
	uint64_t now;
	uint64_t n_sas, n_children;
	uint64_t index;			/* records passed so far */
	struct ctl_ike_page page;
};

static int
page_take(struct walk *wk)
{
	uint64_t i = wk->index++;

	if (ctl_page_has(wk->page.from, wk->page.count, i))
		return PAGE_TAKE;
	return i < wk->page.from ? PAGE_SKIP : PAGE_FULL;
}

static int
sa_one(const struct ike_sa_state *sa, void *arg)
{
	struct walk *wk = arg;
	int take = page_take(wk);

	if (take == PAGE_TAKE)
		json_object_array_add(wk->list, ctl_ike_sa_json(sa, wk->now));
	return take == PAGE_FULL ? PAGE_FULL : 0;
}

static int
child_one(const struct ike_child_state *c, void *arg)
{
	struct walk *wk = arg;
	int take = page_take(wk);

	if (take == PAGE_TAKE)
		json_object_array_add(wk->list, ctl_ike_child_json(c, wk->now));
	return take == PAGE_FULL ? PAGE_FULL : 0;
}

static int
sa_children(const struct ike_sa_state *sa, void *arg)
{
	struct walk *wk = arg;

	return wk->w->child_foreach(wk->w->src, sa->id, child_one, wk);
}

static struct json_object *
list_walk(const struct ctl_ike_walker *w, uint64_t now_s, const struct ctl_ike_page *page,
	  int (*cb)(const struct ike_sa_state *sa, void *arg))
{
	struct walk wk = { .w = w, .list = json_object_new_array(), .now = now_s };
	int rc;

	if (page != NULL)
		wk.page = *page;
	rc = wk.list == NULL ? -ENOMEM : w->sa_foreach(w->src, cb, &wk);
	if (rc != 0 && rc != PAGE_FULL) {
		json_object_put(wk.list);
		return NULL;
	}
	return wk.list;
}

struct json_object *
ctl_ike_sas_json(const struct ctl_ike_walker *w, uint64_t now_s,
		 const struct ctl_ike_page *page)
{
	return list_walk(w, now_s, page, sa_one);
}

struct json_object *
ctl_ike_children_json(const struct ctl_ike_walker *w, uint64_t now_s,
		      const struct ctl_ike_page *page)
{
	return list_walk(w, now_s, page, sa_children);
}

/* ---- counters ---- */

static int
child_count(const struct ike_child_state *c, void *arg)
{
	(void)c;
	((struct walk *)arg)->n_children++;
	return 0;
}

static int
sa_count(const struct ike_sa_state *sa, void *arg)
{
	struct walk *wk = arg;

	wk->n_sas++;
	return wk->w->child_foreach(wk->w->src, sa->id, child_count, wk);
}

struct json_object *
ctl_ike_stats_json(const struct ctl_ike_walker *w, const struct ike_stats *s,
		   unsigned int half_open)
{
	struct json_object *o = json_object_new_object();
	struct walk wk = { .w = w };

	if (w->sa_foreach(w->src, sa_count, &wk) != 0) {
		json_object_put(o);
		return NULL;
	}
	ADD(o, "ike_sas", U64(wk.n_sas));
	ADD(o, "child_sas", U64(wk.n_children));
	ADD(o, "half_open", U64(half_open));
	ADD(o, "rx_msgs", U64(s->rx_msgs));
	ADD(o, "tx_msgs", U64(s->tx_msgs));
	ADD(o, "rx_invalid", U64(s->rx_invalid));
	ADD(o, "rx_bad_icv", U64(s->rx_bad_icv));
	ADD(o, "rx_unknown_spi", U64(s->rx_unknown_spi));
	ADD(o, "rx_retransmits", U64(s->rx_retransmits));
	ADD(o, "tx_retransmits", U64(s->tx_retransmits));
	ADD(o, "cookies_sent", U64(s->cookies_sent));
	ADD(o, "half_open_rejected", U64(s->half_open_rejected));
	ADD(o, "auth_failed", U64(s->auth_failed));
	ADD(o, "no_proposal", U64(s->no_proposal));
	ADD(o, "ike_sas_established", U64(s->ike_sas_established));
	ADD(o, "child_sas_installed", U64(s->child_sas_installed));
	return o;
}
