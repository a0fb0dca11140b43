/*
 * CHILD SA configurations of a connection (RFC 7296 §1.3, §2.17): a name
 * unique in the connection, traffic selectors (§2.9, cfg_ike_ts.c), ESP
 * proposals (§3.3), tunnel or transport mode (RFC 4301 §4.1; transport
 * protects the outer addresses only: its selectors are dynamic),
 * lifetimes in time, bytes and packets (§2.8: rekey = soft, life = hard,
 * rand_time spreads rekeys), the anti-replay window (RFC 4303 §3.4.3, as
 * for static SAs), the actions on start, DPD and close (§2.4), and outer
 * DF and DSCP (RFC 4301 §8.1, RFC 2474) as for static SAs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/cfg_priv.h"

enum {
	TIME_MAX = 31536000,		/* one year, in seconds */
	DEFAULT_REKEY = 3600,
	LIFE_EXTRA_DIVISOR = 10,	/* life = rekey + 10 %, rand = 10 % of rekey */
	REPLAY_MIN = 64,
	REPLAY_MAX = 4096,
	REPLAY_STEP = 64,
	DEFAULT_REPLAY = 64,
	DSCP_MAX = 63,
	HOST_V4 = 32,
	HOST_V6 = 128,
};

static const char *const child_keys[] = {
	"name", "local_ts", "remote_ts", "esp_proposals", "mode", "rekey_time", "life_time",
	"rand_time", "rekey_bytes", "life_bytes", "rekey_packets", "life_packets",
	"replay_window", "start_action", "dpd_action", "close_action", "df", "dscp", NULL
};

static config_setting_t *
member(const config_setting_t *group, const char *key)
{
	return config_setting_get_member((config_setting_t *)(uintptr_t)group, key);
}

static int
parse_ts_list(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
	      enum cfg_sa_mode mode, struct cfg_ike_ts *ts, uint8_t *n)
{
	config_setting_t *list, *s;

	if (cfg_get_list(ctx, group, key, false, 1, CFG_IKE_MAX_TS, &list) < 0)
		return -EINVAL;
	*n = 1;
	ts[0] = (struct cfg_ike_ts){ .dynamic = true, .ts.port_hi = UINT16_MAX };
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		s = config_setting_get_elem(list, i);
		if (cfg_ike_parse_ts(ctx, s, &ts[i]) < 0)
			return -EINVAL;
		if (mode == CFG_SA_TRANSPORT && !ts[i].dynamic)
			return cfg_err_setting(ctx, s, "transport mode protects the outer "
					       "addresses only: use dynamic (optionally with "
					       "[protocol/ports])");
		*n = (uint8_t)(i + 1);
	}
	return 0;
}

/* The default hard limit: the soft one + 10 % (at least + 1); 0 stays 0 (none). */
static uint64_t
plus_tenth(uint64_t rekey)
{
	uint64_t extra = rekey / LIFE_EXTRA_DIVISOR;

	return rekey == 0 ? 0 : rekey + (extra > 0 ? extra : 1);
}

static int
parse_lifetimes(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_child *ch)
{
	ch->rekey_time = DEFAULT_REKEY;
	if (cfg_ike_lookup_u32(ctx, g, "rekey_time", 0, TIME_MAX, &ch->rekey_time) < 0)
		return -EINVAL;
	ch->life_time = (uint32_t)plus_tenth(ch->rekey_time);
	if (cfg_ike_lookup_u32(ctx, g, "life_time", 0, TIME_MAX, &ch->life_time) < 0)
		return -EINVAL;
	ch->rand_time = ch->rekey_time / LIFE_EXTRA_DIVISOR;
	if (ch->life_time > ch->rekey_time && ch->life_time - ch->rekey_time < ch->rand_time)
		ch->rand_time = ch->life_time - ch->rekey_time;
	if (cfg_ike_lookup_u32(ctx, g, "rand_time", 0, TIME_MAX, &ch->rand_time) < 0 ||
	    cfg_ike_lookup_u64(ctx, g, "rekey_bytes", &ch->rekey_bytes) < 0)
		return -EINVAL;
	ch->life_bytes = plus_tenth(ch->rekey_bytes);
	if (cfg_ike_lookup_u64(ctx, g, "life_bytes", &ch->life_bytes) < 0 ||
	    cfg_ike_lookup_u64(ctx, g, "rekey_packets", &ch->rekey_packets) < 0)
		return -EINVAL;
	ch->life_packets = plus_tenth(ch->rekey_packets);
	return cfg_ike_lookup_u64(ctx, g, "life_packets", &ch->life_packets);
}

/* life_KEY above rekey_KEY where both are limits. */
static int
check_above(struct cfg_ctx *ctx, const config_setting_t *g, const char *what, uint64_t rekey,
	    uint64_t life)
{
	char key[CFG_NAME_LEN];
	config_setting_t *s;

	if (rekey == 0 || life == 0 || life > rekey)
		return 0;
	snprintf(key, sizeof(key), "life_%s", what);
	s = member(g, key);
	return cfg_err_setting(ctx, s != NULL ? s : g, "%" PRIu64 " is not above rekey_%s (%"
			       PRIu64 ")", life, what, rekey);
}

static int
check_lifetimes(struct cfg_ctx *ctx, const config_setting_t *g, const struct cfg_ike_child *ch)
{
	config_setting_t *rand = member(g, "rand_time");

	if (check_above(ctx, g, "time", ch->rekey_time, ch->life_time) < 0 ||
	    check_above(ctx, g, "bytes", ch->rekey_bytes, ch->life_bytes) < 0 ||
	    check_above(ctx, g, "packets", ch->rekey_packets, ch->life_packets) < 0)
		return -EINVAL;
	if (rand != NULL && ch->rand_time > 0 && ch->rand_time >= ch->rekey_time)
		return cfg_err_setting(ctx, rand, "%" PRIu32 " is not below rekey_time (%" PRIu32
				       ")", ch->rand_time, ch->rekey_time);
	return 0;
}

static int
parse_replay(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_child *ch)
{
	config_setting_t *s = member(g, "replay_window");
	uint32_t v = DEFAULT_REPLAY;

	if (cfg_ike_lookup_u32(ctx, g, "replay_window", REPLAY_MIN, REPLAY_MAX, &v) < 0)
		return -EINVAL;
	if (v % REPLAY_STEP != 0)
		return cfg_err_setting(ctx, s, "%" PRIu32 " is not a multiple of %d", v,
				       REPLAY_STEP);
	ch->replay_window = (uint16_t)v;
	return 0;
}

static int
parse_dscp(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_child *ch)
{
	config_setting_t *s = member(g, "dscp");
	char q[CFG_ADDR_TEXT_LEN * 2];
	int64_t v;

	ch->dscp = CFG_NONE;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (strcmp(config_setting_get_string(s), "copy") == 0)
			return 0;
		return cfg_err_setting(ctx, s, "'%s' is neither \"copy\" nor a number 0..%d",
				       cfg_quote(config_setting_get_string(s), q, sizeof(q)),
				       DSCP_MAX);
	}
	if (cfg_get_int(ctx, s, 0, DSCP_MAX, &v) < 0)
		return -EINVAL;
	ch->dscp = (int16_t)v;
	return 0;
}

/* An action that initiates needs a single peer address to send to. */
static int
check_initiates(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
		const struct cfg_ike_conn *c)
{
	config_setting_t *s = member(g, key);

	for (unsigned int i = 0; i < c->n_remote_addrs; i++)
		if (c->remote_addrs[i].len == (c->remote_addrs[i].family == AF_INET ? HOST_V4 :
					       HOST_V6))
			return 0;
	return cfg_err_setting(ctx, s, "'%s' initiates, but remote_addrs of connection '%s' %s",
			       config_setting_get_string(s), c->name,
			       c->remote_any ? "is %any" : "has no single address");
}

static int
parse_actions(struct cfg_ctx *ctx, const config_setting_t *g, const struct cfg_ike_conn *c,
	      struct cfg_ike_child *ch)
{
	int start = CFG_IKE_ACTION_NONE, dpd = CFG_IKE_DPD_CLEAR, close = CFG_IKE_ACTION_NONE;

	if (cfg_lookup_name(ctx, g, "start_action", false, cfg_ike_action_names,
			    "start_action", NULL, &start) < 0 ||
	    cfg_lookup_name(ctx, g, "dpd_action", false, cfg_ike_dpd_action_names, "dpd_action",
			    NULL, &dpd) < 0 ||
	    cfg_lookup_name(ctx, g, "close_action", false, cfg_ike_action_names,
			    "close_action", NULL, &close) < 0)
		return -EINVAL;
	ch->start_action = (enum cfg_ike_action)start;
	ch->dpd_action = (enum cfg_ike_dpd_action)dpd;
	ch->close_action = (enum cfg_ike_action)close;
	if ((start != CFG_IKE_ACTION_NONE && check_initiates(ctx, g, "start_action", c) < 0) ||
	    (dpd != CFG_IKE_DPD_CLEAR && check_initiates(ctx, g, "dpd_action", c) < 0) ||
	    (close != CFG_IKE_ACTION_NONE && check_initiates(ctx, g, "close_action", c) < 0))
		return -EINVAL;
	return 0;
}

static int
parse_kind(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_child *ch)
{
	int mode = CFG_SA_TUNNEL, df = CFG_SA_DF_COPY;

	if (cfg_lookup_name(ctx, g, "mode", false, cfg_sa_mode_names, "mode", NULL, &mode) < 0 ||
	    cfg_lookup_name(ctx, g, "df", false, cfg_sa_df_names, "df", NULL, &df) < 0)
		return -EINVAL;
	ch->mode = (enum cfg_sa_mode)mode;
	ch->df = (enum cfg_sa_df)df;
	return 0;
}

int
cfg_ike_parse_child(struct cfg_ctx *ctx, const config_setting_t *g, struct cfg_ike_conn *c,
		    unsigned int index)
{
	struct cfg_ike_child *ch = &c->children[index];
	config_setting_t *name;

	if (cfg_check_elem(ctx, g, CONFIG_TYPE_GROUP) < 0 ||
	    cfg_check_keys(ctx, g, child_keys) < 0 ||
	    cfg_ike_parse_name(ctx, g, ch->name, &name) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < index; i++)
		if (strcmp(c->children[i].name, ch->name) == 0)
			return cfg_err_setting(ctx, name, "duplicate CHILD SA name '%s' in "
					       "connection '%s' (also children[%u])", ch->name,
					       c->name, i);
	if (parse_kind(ctx, g, ch) < 0 ||
	    parse_ts_list(ctx, g, "local_ts", ch->mode, ch->local_ts, &ch->n_local_ts) < 0 ||
	    parse_ts_list(ctx, g, "remote_ts", ch->mode, ch->remote_ts, &ch->n_remote_ts) < 0 ||
	    cfg_ike_parse_proposals(ctx, g, "esp_proposals", true,
				    cfg_ike_default_esp_proposals,
				    cfg_ike_n_default_esp_proposals, ch->esp_proposals,
				    &ch->n_esp_proposals) < 0 ||
	    parse_lifetimes(ctx, g, ch) < 0 || check_lifetimes(ctx, g, ch) < 0 ||
	    parse_replay(ctx, g, ch) < 0 || parse_actions(ctx, g, c, ch) < 0 ||
	    parse_dscp(ctx, g, ch) < 0)
		return -EINVAL;
	ch->line = config_setting_source_line(g);
	return 0;
}
