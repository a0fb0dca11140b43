/*
 * `sa export`, `sa import` and `sa takeover`: the HA sequence state of an
 * SA as the operator sees and moves it (dataplane/sa.h, "IV uniqueness"):
 * the outbound counter (RFC 4303 §3.3.3) with its IV epoch (RFC 4106 §3.1,
 * RFC 7634 §2: an IV never repeats under one key), and the inbound
 * anti-replay window (RFC 4303 §3.4.3, Appendix A; RFC 6479 bitmap).
 * Words in, JSON out (docs/cli.md, "SA state"); the rules (import never
 * moves backwards, takeover's epoch) are dataplane/sa_seq.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control/cli.h"
#include "control/ctl_cmds_ipsec.h"
#include "control/ctl_json.h"
#include "control/ctl_sa_state.h"
#include "control/hagw.h"
#include "control/log.h"

#define HEX_DIGITS "0123456789abcdefABCDEF"
#define DEC_DIGITS "0123456789"

enum {
	STATE_HEX_PREFIX_LEN = 2,		/* "0x" */
	STATE_NIBBLE_BITS = 4,
	STATE_WORD_HEX = DP_REPLAY_WORD_BITS / STATE_NIBBLE_BITS,
	STATE_BITMAP_HEX_MAX = DP_REPLAY_WORDS * STATE_WORD_HEX,
	STATE_BITMAP_STR_LEN = STATE_HEX_PREFIX_LEN + STATE_BITMAP_HEX_MAX + 1,
	STATE_SPI_STR_LEN = sizeof("0x12345678"),
	STATE_HEX_BASE = 16,
	STATE_DEC_BASE = 10,
	STATE_NODE_BIT_MAX = 1,
	STATE_TAKEOVER_ARGS = 3,		/* NAME|SPI NODE_BIT MARGIN */
};

/* The fields `sa import` takes, and the direction of SA each applies to. */
enum state_field {
	STATE_OUT_SEQ,
	STATE_IV_EPOCH,
	STATE_EPOCH_START_SEQ,
	STATE_WIN_TOP,
	STATE_WIN_BITMAP,
	STATE_FIELD_MAX
};

static const struct {
	const char *name;
	enum dp_sa_dir dir;
	uint64_t max;				/* numbers; the bitmap is hex */
} state_fields[STATE_FIELD_MAX] = {
	[STATE_OUT_SEQ] = { "out_seq", DP_SA_OUTBOUND, UINT64_MAX },
	[STATE_IV_EPOCH] = { "iv_epoch", DP_SA_OUTBOUND, UINT16_MAX },
	[STATE_EPOCH_START_SEQ] = { "epoch_start_seq", DP_SA_OUTBOUND, UINT64_MAX },
	[STATE_WIN_TOP] = { "win_top", DP_SA_INBOUND, UINT64_MAX },
	[STATE_WIN_BITMAP] = { "win_bitmap", DP_SA_INBOUND, 0 },
};

/* What `sa import` was given. */
struct state_req {
	uint32_t given;				/* 1 << enum state_field */
	uint64_t val[STATE_FIELD_MAX];
	uint64_t bitmap[DP_REPLAY_WORDS];	/* bit k: window slot k */
};

static int
usage(const char *synopsis, char *err, size_t err_len)
{
	snprintf(err, err_len, "usage: %s", synopsis);
	return -EINVAL;
}

static const char *
dir_name(enum dp_sa_dir dir)
{
	return dir == DP_SA_INBOUND ? "in" : "out";
}

/* ---- words ---- */

static bool
has_hex_prefix(const char *w)
{
	return w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
}

/* A number as typed: decimal, or 0x and hex digits; nothing else. */
static bool
u64_parse(const char *w, uint64_t *v)
{
	bool hex = has_hex_prefix(w);
	const char *d = hex ? w + STATE_HEX_PREFIX_LEN : w;
	size_t n = strlen(d);
	unsigned long long x;
	char *end;

	if (n == 0 || strspn(d, hex ? HEX_DIGITS : DEC_DIGITS) != n)
		return false;
	errno = 0;
	x = strtoull(d, &end, hex ? STATE_HEX_BASE : STATE_DEC_BASE);
	if (errno != 0 || *end != '\0')
		return false;
	*v = x;
	return true;
}

static unsigned int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + STATE_DEC_BASE);
	return (unsigned int)(c - 'A' + STATE_DEC_BASE);
}

/* The bitmap as one hex number (optional 0x): its bit k is window slot k,
 * i.e. word k / 64, bit k % 64. */
static int
bitmap_parse(const char *w, uint64_t bm[DP_REPLAY_WORDS], char *err, size_t err_len)
{
	const char *d = has_hex_prefix(w) ? w + STATE_HEX_PREFIX_LEN : w;
	size_t n = strlen(d);

	if (n == 0 || strspn(d, HEX_DIGITS) != n) {
		snprintf(err, err_len, "bad hex number '%s' for win_bitmap", w);
		return -EINVAL;
	}
	if (n > STATE_BITMAP_HEX_MAX) {
		snprintf(err, err_len, "win_bitmap: %zu hex digits, more than %u", n,
			 STATE_BITMAP_HEX_MAX);
		return -EINVAL;
	}
	memset(bm, 0, sizeof(bm[0]) * DP_REPLAY_WORDS);
	for (size_t i = 0; i < n; i++)
		bm[i / STATE_WORD_HEX] |= (uint64_t)hex_value(d[n - 1 - i])
					  << (i % STATE_WORD_HEX * STATE_NIBBLE_BITS);
	return 0;
}

static int
field_find(const char *name)
{
	for (int f = 0; f < STATE_FIELD_MAX; f++)
		if (strcmp(name, state_fields[f].name) == 0)
			return f;
	return -1;
}

/* FIELD VALUE pairs into req; syntax only (the SA is not known yet). */
static int
req_parse(int argc, char **argv, struct state_req *req, char *err, size_t err_len)
{
	memset(req, 0, sizeof(*req));
	for (int i = 0; i + 1 < argc; i += 2) {
		int f = field_find(argv[i]);

		if (f < 0) {
			snprintf(err, err_len, "unknown field '%s' (out_seq, iv_epoch, "
				 "epoch_start_seq, win_top, win_bitmap)", argv[i]);
			return -EINVAL;
		}
		if (req->given & 1u << f) {
			snprintf(err, err_len, "field '%s' given twice", argv[i]);
			return -EINVAL;
		}
		req->given |= 1u << f;
		if (f == STATE_WIN_BITMAP) {
			if (bitmap_parse(argv[i + 1], req->bitmap, err, err_len) < 0)
				return -EINVAL;
			continue;
		}
		if (!u64_parse(argv[i + 1], &req->val[f]) || req->val[f] > state_fields[f].max) {
			snprintf(err, err_len, "bad number '%s' for %s (0..%" PRIu64
				 ", decimal or 0x hex)", argv[i + 1], argv[i],
				 state_fields[f].max);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the SA ---- */

/* The one SA that word names: -ENOENT for none, -EINVAL for several. */
static int
sa_find_one(const struct dp_sad *sad, const char *word, struct dp_sa **found, char *err,
	    size_t err_len)
{
	struct ctl_sa_filter f;
	unsigned int n = 0;
	uint32_t iter = 0;
	struct dp_sa *sa;

	*found = NULL;
	ctl_sa_filter_init(&f, word);
	while (sad != NULL && (sa = dp_sad_next(sad, &iter)) != NULL) {
		if (!ctl_sa_filter_match(&f, sa))
			continue;
		if (n++ == 0)
			*found = sa;
	}
	if (n == 0) {
		ctl_sa_filter_none(word, err, err_len);
		return -ENOENT;
	}
	if (n > 1) {
		snprintf(err, err_len, "'%s' matches %u SAs: name one SA (its name, or an SPI "
			 "no other SA has)", word, n);
		return -EINVAL;
	}
	return 0;
}

static const char *
sa_label(const struct dp_sa *sa, char *buf, size_t len)
{
	size_t n = strnlen(sa->p.name, sizeof(sa->p.name));

	if (n > 0)
		snprintf(buf, len, "%.*s", (int)n, sa->p.name);
	else
		snprintf(buf, len, "0x%08x", sa->p.spi);
	return buf;
}

/* Fields of the other direction, a window too long for this SA's, a top
 * that a 32-bit window cannot hold (dp_replay_import refuses it). */
static int
req_check(const struct dp_sa *sa, const struct state_req *req, char *err, size_t err_len)
{
	char label[DP_SA_NAME_LEN + 1];

	for (int f = 0; f < STATE_FIELD_MAX; f++) {
		if ((req->given & 1u << f) == 0 || state_fields[f].dir == sa->p.dir)
			continue;
		snprintf(err, err_len, "field %s is for %sbound SAs; %s is %sbound",
			 state_fields[f].name, dir_name(state_fields[f].dir),
			 sa_label(sa, label, sizeof(label)), dir_name(sa->p.dir));
		return -EINVAL;
	}
	for (uint32_t i = sa->win.words; i < DP_REPLAY_WORDS; i++) {
		if (req->bitmap[i] == 0)
			continue;
		snprintf(err, err_len, "win_bitmap has bits beyond the window's %u words "
			 "(win_size %u)", sa->win.words, sa->win.size);
		return -EINVAL;
	}
	if ((req->given & 1u << STATE_WIN_TOP) && !sa->p.esn &&
	    req->val[STATE_WIN_TOP] > UINT32_MAX) {
		snprintf(err, err_len, "win_top %" PRIu64 " needs ESN: %s has 32-bit sequence "
			 "numbers", req->val[STATE_WIN_TOP], sa_label(sa, label, sizeof(label)));
		return -EINVAL;
	}
	return 0;
}

/* ---- JSON ---- */

static struct json_object *
name_json(const struct dp_sa *sa)
{
	size_t n = strnlen(sa->p.name, sizeof(sa->p.name));

	return n > 0 ? json_object_new_string_len(sa->p.name, (int)n) : NULL;
}

static void
ident_add(struct json_object *o, const struct dp_sa *sa)
{
	char spi[STATE_SPI_STR_LEN];

	snprintf(spi, sizeof(spi), "0x%08x", sa->p.spi);
	ADD(o, "name", name_json(sa));
	ADD(o, "spi", json_object_new_string(spi));
	ADD(o, "direction", json_object_new_string(dir_name(sa->p.dir)));
}

/* "0x" and 16 hex digits per word, the highest word first. */
static struct json_object *
bitmap_json(const uint64_t *bm, uint32_t words)
{
	char buf[STATE_BITMAP_STR_LEN] = "0x";
	size_t off = STATE_HEX_PREFIX_LEN;

	for (uint32_t i = RTE_MIN(words, (uint32_t)DP_REPLAY_WORDS); i-- > 0;)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%016" PRIx64, bm[i]);
	return json_object_new_string(buf);
}

static struct json_object *
state_json(const struct dp_sa *sa, const struct dp_sa_seq_state *s)
{
	struct json_object *o = json_object_new_object();
	bool out = sa->p.dir == DP_SA_OUTBOUND;

	ident_add(o, sa);
	ADD(o, "out_seq", out ? U64(s->out_seq) : NULL);
	ADD(o, "iv_epoch", out ? U64(s->iv_epoch) : NULL);
	ADD(o, "epoch_start_seq", out ? U64(s->epoch_start_seq) : NULL);
	ADD(o, "win_size", out ? NULL : U64(s->win.size));
	ADD(o, "win_top", out ? NULL : U64(s->win.top));
	ADD(o, "win_bitmap", out ? NULL : bitmap_json(s->win.bitmap, sa->win.words));
	return o;
}

static bool
state_equal(const struct dp_sa_seq_state *a, const struct dp_sa_seq_state *b)
{
	return a->out_seq == b->out_seq && a->iv_epoch == b->iv_epoch &&
	       a->epoch_start_seq == b->epoch_start_seq && a->win.top == b->win.top &&
	       memcmp(a->win.bitmap, b->win.bitmap, sizeof(a->win.bitmap)) == 0;
}

/* ---- the commands ---- */

int
ctl_cmd_sa_export(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t err_len)
{
	const struct hagw *h = ctx;
	struct json_object *a;
	struct ctl_sa_filter f;
	uint32_t iter = 0;
	struct dp_sa *sa;

	if (argc > 1)
		return usage("sa export [NAME|SPI]", err, err_len);
	ctl_sa_filter_init(&f, argc == 1 ? argv[0] : NULL);
	a = json_object_new_array();
	while (h->dp.sad != NULL && (sa = dp_sad_next(h->dp.sad, &iter)) != NULL) {
		struct dp_sa_seq_state s;

		if (!ctl_sa_filter_match(&f, sa))
			continue;
		dp_sa_seq_export(sa, &s);
		json_object_array_add(a, state_json(sa, &s));
	}
	if (argc == 1 && json_object_array_length(a) == 0) {
		json_object_put(a);
		ctl_sa_filter_none(argv[0], err, err_len);
		return -ENOENT;
	}
	*out = a;
	return 0;
}

/* The SA's current state with the fields of req put in. */
static void
req_apply(const struct state_req *req, struct dp_sa_seq_state *s)
{
	if (req->given & 1u << STATE_OUT_SEQ)
		s->out_seq = req->val[STATE_OUT_SEQ];
	if (req->given & 1u << STATE_IV_EPOCH)
		s->iv_epoch = (uint16_t)req->val[STATE_IV_EPOCH];
	if (req->given & 1u << STATE_EPOCH_START_SEQ)
		s->epoch_start_seq = req->val[STATE_EPOCH_START_SEQ];
	if (req->given & 1u << STATE_WIN_TOP)
		s->win.top = req->val[STATE_WIN_TOP];
	if (req->given & 1u << STATE_WIN_BITMAP)
		memcpy(s->win.bitmap, req->bitmap, sizeof(s->win.bitmap));
}

int
ctl_cmd_sa_import(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		  size_t err_len)
{
	struct hagw *h = ctx;
	struct dp_sa_seq_state before, s, after;
	char label[DP_SA_NAME_LEN + 1];
	struct state_req req;
	struct dp_sa *sa;
	int rc;

	if (argc < 3 || argc % 2 == 0)
		return usage("sa import NAME|SPI FIELD VALUE [FIELD VALUE]...", err, err_len);
	rc = req_parse(argc - 1, argv + 1, &req, err, err_len);
	if (rc == 0)
		rc = sa_find_one(h->dp.sad, argv[0], &sa, err, err_len);
	if (rc == 0)
		rc = req_check(sa, &req, err, err_len);
	if (rc < 0)
		return rc;
	dp_sa_seq_export(sa, &before);
	s = before;
	req_apply(&req, &s);
	rc = dp_sa_seq_import(sa, &s);
	if (rc < 0) {
		snprintf(err, err_len, "sa import: %s refused the state (%s)",
			 sa_label(sa, label, sizeof(label)), strerror(-rc));
		return rc;
	}
	dp_sa_seq_export(sa, &after);
	*out = state_json(sa, &after);
	ADD(*out, "changed", json_object_new_boolean(!state_equal(&before, &after)));
	if (!state_equal(&before, &after))
		CTL_LOG(NOTICE, "SA %s spi 0x%08x: state imported: seq %" PRIu64 " -> %" PRIu64
			", IV epoch %u -> %u, window top %" PRIu64 " -> %" PRIu64,
			sa_label(sa, label, sizeof(label)), sa->p.spi, before.out_seq,
			after.out_seq, before.iv_epoch, after.iv_epoch, before.win.top,
			after.win.top);
	return 0;
}

static struct json_object *
takeover_json(const struct dp_sa *sa, const struct dp_sa_seq_state *before,
	      const struct dp_sa_seq_state *after)
{
	struct json_object *o = json_object_new_object();

	ident_add(o, sa);
	ADD(o, "previous_iv_epoch", U64(before->iv_epoch));
	ADD(o, "previous_out_seq", U64(before->out_seq));
	ADD(o, "iv_epoch", U64(after->iv_epoch));
	ADD(o, "out_seq", U64(after->out_seq));
	ADD(o, "epoch_start_seq", U64(after->epoch_start_seq));
	return o;
}

int
ctl_cmd_sa_takeover(void *ctx, int argc, char **argv, struct json_object **out, char *err,
		    size_t err_len)
{
	struct hagw *h = ctx;
	struct dp_sa_seq_state before, after;
	char label[DP_SA_NAME_LEN + 1];
	uint64_t node_bit, margin;
	struct dp_sa *sa;
	int rc;

	if (argc != STATE_TAKEOVER_ARGS)
		return usage("sa takeover NAME|SPI NODE_BIT MARGIN", err, err_len);
	if (!u64_parse(argv[1], &node_bit) || node_bit > STATE_NODE_BIT_MAX ||
	    strlen(argv[1]) != 1) {
		snprintf(err, err_len, "bad node bit '%s' (0 or 1)", argv[1]);
		return -EINVAL;
	}
	if (!u64_parse(argv[2], &margin)) {
		snprintf(err, err_len, "bad number '%s' for margin (decimal or 0x hex)", argv[2]);
		return -EINVAL;
	}
	rc = sa_find_one(h->dp.sad, argv[0], &sa, err, err_len);
	if (rc < 0)
		return rc;
	if (sa->p.dir != DP_SA_OUTBOUND) {
		snprintf(err, err_len, "%s is inbound: takeover moves an outbound SA to a new "
			 "IV epoch", sa_label(sa, label, sizeof(label)));
		return -EINVAL;
	}
	dp_sa_seq_export(sa, &before);
	dp_sa_take_over(sa, (uint8_t)node_bit, margin);
	dp_sa_seq_export(sa, &after);
	if (after.iv_epoch == before.iv_epoch) {
		snprintf(err, err_len, "%s: IV epochs exhausted (epoch %u): the SA is "
			 "hard-expired; a new SA is needed", sa_label(sa, label, sizeof(label)),
			 before.iv_epoch);
		return -ENOSPC;
	}
	CTL_LOG(NOTICE, "SA %s spi 0x%08x: takeover (node bit %" PRIu64 ", margin %" PRIu64
		"): IV epoch %u -> %u, seq %" PRIu64 " -> %" PRIu64,
		sa_label(sa, label, sizeof(label)), sa->p.spi, node_bit, margin,
		before.iv_epoch, after.iv_epoch, before.out_seq, after.out_seq);
	*out = takeover_json(sa, &before, &after);
	return 0;
}
