/*
 * Policies to an rte_acl context (spd_priv.h): RFC 4301 §4.4.1.1 selector
 * ranges as ACL rules, ordered as RFC 4301 §4.4.1 requires (first match by
 * priority).
 *
 * Layout. One input key per flow (struct spd_key): protocol byte
 * (BITMASK: exact or any), source and destination address as 1 (IPv4) or
 * 4 (IPv6) 32-bit RANGE fields, source and destination port (RANGE, one
 * 4-byte input group), as in DPDK's l3fwd-acl and ipsec-secgw. Outbound,
 * the source is the policy's local side: its port range (for ICMP, the
 * type range) goes to the source port field, the remote one (ICMP: code)
 * to the destination port field.
 *
 * Address ranges. A selector range of 128-bit numbers cannot be one RANGE
 * per 32-bit word when it crosses a word boundary (e.g.
 * ::0:ffff:ffff:fff0 .. ::1:0:0:f): range_split() cuts it into at most
 * 2 * words - 1 boxes (leading words exact, one word a range, trailing
 * words full), and a policy becomes boxes(local) x boxes(remote) rules
 * with the same priority and userdata. A prefix is always one box.
 *
 * Priority. spd.h: lower value first, ties broken by lower id. rte_acl
 * prefers the higher priority and leaves ties unspecified, so policies
 * are sorted by (priority, id) and rule priority is RTE_ACL_MAX_PRIORITY -
 * rank. Userdata is the policy id + 1 (0 = no match).
 *
 * Categories. Category SPD_CAT_ALL holds every rule, SPD_CAT_ANY_PORTS only
 * rules whose two port ranges are full: the answer for flows with opaque
 * ports (spd.c).
 *
 * Names. Contexts are NAME.4.GEN / NAME.6.GEN, GEN counting the family's
 * contexts from 1; rte_acl_create() would hand back an existing context of
 * the same name, so an existing name is an error (EEXIST).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "dataplane/spd_priv.h"
#include "dataplane/ts.h"

enum {
	ACL_MAX_BOXES = 2 * SPD_WORDS_V6 - 1,	/* boxes of one address range */
	ACL_PROTO_MASK = 0xff,
};

/* A cut of an address range: word w in [lo[w], hi[w]]. */
struct spd_box {
	uint32_t lo[SPD_WORDS_V6];
	uint32_t hi[SPD_WORDS_V6];
};

static unsigned int
acl_fields(unsigned int words)
{
	return 3 + 2 * words;		/* proto, src words, dst words, sport, dport */
}

static void
acl_field(struct rte_acl_config *c, uint8_t type, uint8_t size, uint8_t input, uint32_t off)
{
	struct rte_acl_field_def *d = &c->defs[c->num_fields];

	d->type = type;
	d->size = size;
	d->field_index = (uint8_t)c->num_fields;
	d->input_index = input;
	d->offset = off;
	c->num_fields++;
}

void
dp_spd_acl_config(struct rte_acl_config *c, unsigned int fam)
{
	unsigned int words = dp_spd_words(fam);
	uint8_t in = 0;

	memset(c, 0, sizeof(*c));
	c->num_categories = SPD_ACL_CATEGORIES;
	acl_field(c, RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t), in++,
		  offsetof(struct spd_key, proto));
	for (unsigned int w = 0; w < words; w++)
		acl_field(c, RTE_ACL_FIELD_TYPE_RANGE, SPD_WORD_LEN, in++,
			  offsetof(struct spd_key, src) + w * SPD_WORD_LEN);
	for (unsigned int w = 0; w < words; w++)
		acl_field(c, RTE_ACL_FIELD_TYPE_RANGE, SPD_WORD_LEN, in++,
			  offsetof(struct spd_key, dst) + w * SPD_WORD_LEN);
	/* Both ports share one 4-byte input group. */
	acl_field(c, RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), in,
		  offsetof(struct spd_key, sport));
	acl_field(c, RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), in,
		  offsetof(struct spd_key, dport));
}

static void
load_words(const uint8_t *addr, unsigned int words, uint32_t *w)
{
	for (unsigned int i = 0; i < words; i++) {
		uint32_t v;

		memcpy(&v, addr + i * SPD_WORD_LEN, sizeof(v));
		w[i] = rte_be_to_cpu_32(v);
	}
}

static bool
tail_is(const uint32_t *w, unsigned int from, unsigned int words, uint32_t v)
{
	for (unsigned int i = from; i < words; i++) {
		if (w[i] != v)
			return false;
	}
	return true;
}

/* Emits the boxes covering [lo, hi]: words < k are fixed in *b (equal in lo
 * and hi), only words >= k of lo and hi are read. At most 2 * words - 1. */
static unsigned int
range_split(const uint32_t *lo, const uint32_t *hi, unsigned int k, unsigned int words,
	    struct spd_box b, struct spd_box *out)
{
	static const uint32_t zero[SPD_WORDS_V6] = { 0, 0, 0, 0 };
	static const uint32_t ones[SPD_WORDS_V6] = { UINT32_MAX, UINT32_MAX, UINT32_MAX,
						     UINT32_MAX };
	unsigned int n = 0;
	uint32_t a, z;

	for (; k + 1 < words && lo[k] == hi[k]; k++) {
		b.lo[k] = lo[k];
		b.hi[k] = lo[k];
	}
	for (unsigned int i = k + 1; i < words; i++) {
		b.lo[i] = 0;
		b.hi[i] = UINT32_MAX;
	}
	/* Either k is the last word, or lo[k] < hi[k]. */
	a = lo[k];
	z = hi[k];
	if (k + 1 < words && !tail_is(lo, k + 1, words, 0)) {
		b.lo[k] = a;
		b.hi[k] = a++;
		n += range_split(lo, ones, k + 1, words, b, out + n);
	}
	if (k + 1 < words && !tail_is(hi, k + 1, words, UINT32_MAX)) {
		b.lo[k] = z;
		b.hi[k] = z--;
		n += range_split(zero, hi, k + 1, words, b, out + n);
	}
	if (a <= z) {
		b.lo[k] = a;
		b.hi[k] = z;
		out[n++] = b;
	}
	return n;
}

static unsigned int
ts_boxes(const struct dp_ts *ts, unsigned int words, struct spd_box *out)
{
	uint32_t lo[SPD_WORDS_V6], hi[SPD_WORDS_V6];
	struct spd_box b;

	memset(&b, 0, sizeof(b));
	load_words(ts->addr_lo, words, lo);
	load_words(ts->addr_hi, words, hi);
	return range_split(lo, hi, 0, words, b, out);
}

static uint8_t
policy_proto(const struct dp_policy_params *p)
{
	return p->local.proto != 0 ? p->local.proto : p->remote.proto;
}

static struct rte_acl_rule *
rule_at(uint8_t *rules, size_t rule_size, uint32_t i)
{
	return (struct rte_acl_rule *)(rules + (size_t)i * rule_size);
}

static void
rule_fill(struct rte_acl_rule *r, const struct dp_policy_params *p, uint32_t userdata,
	  int32_t prio, const struct spd_box *src, const struct spd_box *dst, unsigned int words)
{
	uint8_t proto = policy_proto(p);
	unsigned int f = 0;

	r->data.category_mask = 1u << SPD_CAT_ALL;
	if (dp_ts_ports_any(&p->local) && dp_ts_ports_any(&p->remote))
		r->data.category_mask |= 1u << SPD_CAT_ANY_PORTS;
	r->data.priority = prio;
	r->data.userdata = userdata;
	r->field[f].value.u8 = proto;
	r->field[f++].mask_range.u8 = proto != 0 ? ACL_PROTO_MASK : 0;
	for (unsigned int w = 0; w < words; w++, f++) {
		r->field[f].value.u32 = src->lo[w];
		r->field[f].mask_range.u32 = src->hi[w];
	}
	for (unsigned int w = 0; w < words; w++, f++) {
		r->field[f].value.u32 = dst->lo[w];
		r->field[f].mask_range.u32 = dst->hi[w];
	}
	/* Outbound: source = local side. ICMP type/code sit in the same places. */
	r->field[f].value.u16 = p->local.port_lo;
	r->field[f++].mask_range.u16 = p->local.port_hi;
	r->field[f].value.u16 = p->remote.port_lo;
	r->field[f].mask_range.u16 = p->remote.port_hi;
}

static int
slot_cmp(const void *a, const void *b, void *arg)
{
	const struct spd_slot *slots = arg;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	uint32_t pa = slots[ia].p.priority, pb = slots[ib].p.priority;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	return ia < ib ? -1 : (ia > ib);
}

int
dp_spd_sorted_policies(const struct dp_spd *spd, unsigned int fam, uint32_t **ids)
{
	uint32_t n = 0;

	*ids = NULL;
	if (spd->n_used[fam] == 0)
		return 0;
	*ids = malloc(spd->n_used[fam] * sizeof(**ids));
	if (*ids == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < spd->n_slots; i++) {
		if (spd->slots[i].state == SLOT_USED && spd->slots[i].fam == fam)
			(*ids)[n++] = i;
	}
	qsort_r(*ids, n, sizeof(**ids), slot_cmp, spd->slots);
	return (int)n;
}

/* Fills RULES (NULL: only counts) with the rules of the sorted policies. */
static uint32_t
make_rules(const struct dp_spd *spd, unsigned int fam, const uint32_t *ids, uint32_t n,
	   uint8_t *rules, size_t rule_size)
{
	struct spd_box src[ACL_MAX_BOXES], dst[ACL_MAX_BOXES];
	unsigned int words = dp_spd_words(fam);
	uint32_t count = 0;

	for (uint32_t r = 0; r < n; r++) {
		const struct dp_policy_params *p = &spd->slots[ids[r]].p;
		unsigned int ns = ts_boxes(&p->local, words, src);
		unsigned int nd = ts_boxes(&p->remote, words, dst);
		int32_t prio = (int32_t)(RTE_ACL_MAX_PRIORITY - r);

		for (unsigned int i = 0; rules != NULL && i < ns; i++) {
			for (unsigned int j = 0; j < nd; j++)
				rule_fill(rule_at(rules, rule_size, count + i * nd + j), p,
					  ids[r] + 1, prio, &src[i], &dst[j], words);
		}
		count += ns * nd;
	}
	return count;
}

static struct rte_acl_ctx *
acl_create(struct dp_spd *spd, unsigned int fam, uint32_t n_rules, size_t rule_size)
{
	char name[SPD_OBJ_NAME_LEN];
	struct rte_acl_param ap = {
		.name = name,
		.socket_id = spd->p.socket,
		.rule_size = (uint32_t)rule_size,
		.max_rule_num = n_rules,
	};

	snprintf(name, sizeof(name), "%s.%c.%u", spd->name, fam == SPD_V4 ? '4' : '6',
		 spd->gen[fam] + 1);
	/* rte_acl_create() hands back an existing context of the same name. */
	if (rte_acl_find_existing(name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	return rte_acl_create(&ap);
}

int
dp_spd_acl_build(struct dp_spd *spd, unsigned int fam, struct rte_acl_ctx **out)
{
	size_t rule_size = RTE_ACL_RULE_SZ(acl_fields(dp_spd_words(fam)));
	struct rte_acl_ctx *ctx = NULL;
	uint8_t *rules = NULL;
	uint32_t *ids, n_rules;
	int n, rc;

	*out = NULL;
	n = dp_spd_sorted_policies(spd, fam, &ids);
	if (n <= 0)
		return n;
	n_rules = make_rules(spd, fam, ids, (uint32_t)n, NULL, rule_size);
	rules = calloc(n_rules, rule_size);
	rc = -ENOMEM;
	if (rules == NULL)
		goto out;
	make_rules(spd, fam, ids, (uint32_t)n, rules, rule_size);
	ctx = acl_create(spd, fam, n_rules, rule_size);
	if (ctx == NULL) {
		rc = -rte_errno;
		goto out;
	}
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)rules, n_rules);
	if (rc == 0)
		rc = rte_acl_build(ctx, &spd->acl_cfg[fam]);
	if (rc == 0) {
		spd->gen[fam]++;
		*out = ctx;
		ctx = NULL;
	}
out:
	rte_acl_free(ctx);
	free(rules);
	free(ids);
	return rc;
}
