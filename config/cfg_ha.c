/*
 * The ha section (stateful failover of two appliances): node ids, whose
 * lowest bits must differ (the IV node bit that keeps the two appliances'
 * ESP IVs apart after a takeover, RFC 4106 §3.1: an IV never repeats under
 * one key), priority and preemption, the UDP port, heartbeat and sync
 * intervals, takeover margins, rekeying after a takeover, the virtual MAC
 * (IEEE 802: unicast, locally administered) and the psk_file, whose
 * existence and mode are checked last (its contents are read by
 * ha/ha_chan.c). Parsed before the ike section; then checked against it:
 * the port is none of IKE's (RFC 7296 §2, §2.23) and no VIP lies in an IKE
 * address pool (RFC 7296 §3.15). The links and VIPs: cfg_ha_links.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg_priv.h"

enum {
	DEFAULT_PRIORITY = 100,
	DEFAULT_PORT = 7600,
	DEFAULT_INTERVAL_MS = 25,
	DEFAULT_DEAD_COUNT = 4,
	DEFAULT_SYNC_INTERVAL_MS = 50,
	DEFAULT_MARGIN_FLOOR = 1024,
	DEFAULT_MARGIN_SAFETY = 2,
	DEFAULT_REKEY_SPREAD_S = 10,
	NODE_ID_MIN = 1,
	NODE_ID_MAX = 65535,
	NODE_BIT = 1,			/* node_id & 1: the IV node bit */
	PRIORITY_MIN = 1,
	PRIORITY_MAX = 255,
	UDP_PORT_MIN = 1,
	UDP_PORT_MAX = 65535,
	INTERVAL_MS_MIN = 5,
	INTERVAL_MS_MAX = 1000,
	DEAD_COUNT_MIN = 2,
	DEAD_COUNT_MAX = 50,
	SYNC_INTERVAL_MS_MIN = 10,
	SYNC_INTERVAL_MS_MAX = 1000,
	MARGIN_FLOOR_MIN = 64,
	MARGIN_FLOOR_MAX = 1 << 30,
	MARGIN_SAFETY_MIN = 1,
	MARGIN_SAFETY_MAX = 16,
	REKEY_SPREAD_MIN = 1,
	REKEY_SPREAD_MAX = 3600,
	MAC_GROUP = 0x01,		/* I/G bit of the first octet: multicast */
	MAC_LOCAL = 0x02,		/* U/L bit of the first octet: locally administered */
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
	PRIVATE_FORBIDDEN = S_IRWXG | S_IRWXO,	/* 077, as ha_chan_load_psk */
	MODE_BITS = 07777,
};

/* An integer setting of the section, with its range, stored at off in struct cfg_ha. */
struct int_field {
	const char *key;
	uint32_t min;
	uint32_t max;
	bool required;
	size_t off;
	size_t size;
};

#define HA_FIELD(k, lo, hi, req) { #k, lo, hi, req, offsetof(struct cfg_ha, k), \
				   sizeof(((struct cfg_ha *)0)->k) }

static const struct int_field fields[] = {
	HA_FIELD(node_id, NODE_ID_MIN, NODE_ID_MAX, true),
	HA_FIELD(peer_node_id, NODE_ID_MIN, NODE_ID_MAX, true),
	HA_FIELD(priority, PRIORITY_MIN, PRIORITY_MAX, false),
	HA_FIELD(port, UDP_PORT_MIN, UDP_PORT_MAX, false),
	HA_FIELD(interval_ms, INTERVAL_MS_MIN, INTERVAL_MS_MAX, false),
	HA_FIELD(dead_count, DEAD_COUNT_MIN, DEAD_COUNT_MAX, false),
	HA_FIELD(sync_interval_ms, SYNC_INTERVAL_MS_MIN, SYNC_INTERVAL_MS_MAX, false),
	HA_FIELD(margin_floor, MARGIN_FLOOR_MIN, MARGIN_FLOOR_MAX, false),
	HA_FIELD(margin_safety, MARGIN_SAFETY_MIN, MARGIN_SAFETY_MAX, false),
	HA_FIELD(rekey_spread_s, REKEY_SPREAD_MIN, REKEY_SPREAD_MAX, false),
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const ha_keys[] = {
	"node_id", "peer_node_id", "priority", "preempt", "psk_file", "port", "interval_ms",
	"dead_count", "sync_interval_ms", "margin_floor", "margin_safety",
	"rekey_after_takeover", "rekey_spread_s", "sync", "links", "vips", "vmac", NULL
};

static void
set_defaults(struct cfg_ha *h)
{
	memset(h, 0, sizeof(*h));
	h->priority = DEFAULT_PRIORITY;
	h->port = DEFAULT_PORT;
	h->interval_ms = DEFAULT_INTERVAL_MS;
	h->dead_count = DEFAULT_DEAD_COUNT;
	h->sync_interval_ms = DEFAULT_SYNC_INTERVAL_MS;
	h->margin_floor = DEFAULT_MARGIN_FLOOR;
	h->margin_safety = DEFAULT_MARGIN_SAFETY;
	h->rekey_spread_s = DEFAULT_REKEY_SPREAD_S;
}

static config_setting_t *
member(const config_setting_t *group, const char *key)
{
	return config_setting_get_member((config_setting_t *)(uintptr_t)group, key);
}

static void
store_field(struct cfg_ha *h, const struct int_field *f, int64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (f->size == sizeof(v8))
		memcpy((char *)h + f->off, &v8, sizeof(v8));
	else if (f->size == sizeof(v16))
		memcpy((char *)h + f->off, &v16, sizeof(v16));
	else
		memcpy((char *)h + f->off, &v32, sizeof(v32));
}

static int
parse_scalars(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *s;
	int64_t v;

	for (unsigned int i = 0; i < N_FIELDS; i++) {
		if (cfg_get_member(ctx, ha, fields[i].key, CONFIG_TYPE_INT, fields[i].required,
				   &s) < 0)
			return -EINVAL;
		if (s == NULL)
			continue;
		if (cfg_get_int(ctx, s, fields[i].min, fields[i].max, &v) < 0)
			return -EINVAL;
		store_field(h, &fields[i], v);
	}
	if (cfg_lookup_bool(ctx, ha, "preempt", &h->preempt) < 0 ||
	    cfg_lookup_bool(ctx, ha, "rekey_after_takeover", &h->rekey_after_takeover) < 0)
		return -EINVAL;
	return 0;
}

/* Each appliance puts its node bit into the IVs it makes: the two must differ. */
static int
check_node_ids(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	const struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *s = member(ha, "peer_node_id");

	if (h->peer_node_id == h->node_id)
		return cfg_err_setting(ctx, s, "%u is also node_id (the peer needs an id of its "
				       "own)", h->peer_node_id);
	if (((h->node_id ^ h->peer_node_id) & NODE_BIT) == 0)
		return cfg_err_setting(ctx, s, "node_id and peer_node_id must differ in their "
				       "lowest bit (IV node bit): they are %u and %u", h->node_id,
				       h->peer_node_id);
	return 0;
}

static int
parse_vmac(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	struct cfg_ha *h = &ctx->cfg->ha;
	char q[CFG_ADDR_TEXT_LEN * 2];
	config_setting_t *s;
	const char *text;

	if (cfg_get_member(ctx, ha, "vmac", CONFIG_TYPE_STRING, true, &s) < 0)
		return -EINVAL;
	text = config_setting_get_string(s);
	if (!cfg_mac_parse(text, h->vmac))
		return cfg_err_setting(ctx, s, "'%s' is not a MAC address (expected "
				       "xx:xx:xx:xx:xx:xx, hex digits)",
				       cfg_quote(text, q, sizeof(q)));
	if (h->vmac[0] & MAC_GROUP)
		return cfg_err_setting(ctx, s, "'%s' is a multicast MAC address (a virtual MAC "
				       "must be unicast)", cfg_quote(text, q, sizeof(q)));
	if (!(h->vmac[0] & MAC_LOCAL))
		return cfg_err_setting(ctx, s, "'%s' is not a locally administered MAC address "
				       "(bit 0x02 of the first octet must be set, e.g. "
				       "02:00:5e:00:01:01)", cfg_quote(text, q, sizeof(q)));
	return 0;
}

int
cfg_parse_ha(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *psk;

	set_defaults(h);
	h->enabled = true;
	h->line = config_setting_source_line(ha);
	if (cfg_check_keys(ctx, ha, ha_keys) < 0 || parse_scalars(ctx, ha) < 0 ||
	    check_node_ids(ctx, ha) < 0 ||
	    cfg_get_member(ctx, ha, "psk_file", CONFIG_TYPE_STRING, true, &psk) < 0 ||
	    cfg_ike_path(ctx, psk, h->psk_file, sizeof(h->psk_file)) < 0 ||
	    cfg_ha_parse_links(ctx, ha) < 0 || parse_vmac(ctx, ha) < 0)
		return -EINVAL;
	return 0;
}

/* The HA port is dispatched by destination port: it cannot be one of IKE's. */
static int
check_port(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	const struct cfg *cfg = ctx->cfg;
	config_setting_t *s = member(ha, "port");
	const char *other;

	if (cfg->ha.port == cfg->ike.port)
		other = "ike.port";
	else if (cfg->ha.port == cfg->ike.natt_port)
		other = "ike.natt_port";
	else
		return 0;
	if (s == NULL)
		return cfg_err_setting(ctx, ha, "port %u (the default) is also %s (HA needs a UDP "
				       "port of its own)", cfg->ha.port, other);
	return cfg_err_setting(ctx, s, "%u is also %s (HA needs a UDP port of its own)",
			       cfg->ha.port, other);
}

/* Addresses in network order: memcmp orders them. */
static int
addr_cmp(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	return memcmp(a->addr.bytes, b->addr.bytes, a->family == AF_INET ? IPV4_BYTES :
		      IPV6_BYTES);
}

/* A pool would hand a VIP to a client. */
static int
check_pools(struct cfg_ctx *ctx, const config_setting_t *ha)
{
	const struct cfg *cfg = ctx->cfg;
	config_setting_t *vips = member(ha, "vips");
	char text[CFG_ADDR_TEXT_LEN];

	for (unsigned int i = 0; i < cfg->ha.n_vips; i++) {
		const struct cfg_prefix *a = &cfg->ha.vips[i].address;

		for (unsigned int j = 0; j < cfg->ike.n_pools; j++) {
			const struct cfg_ike_pool *p = &cfg->ike.pools[j];

			if (p->first.family != a->family || addr_cmp(a, &p->first) < 0 ||
			    addr_cmp(a, &p->last) > 0)
				continue;
			cfg_prefix_format(a, true, text, sizeof(text));
			return cfg_err_setting(ctx, member(config_setting_get_elem(vips, i),
							   "address"),
					       "VIP %s is in IKE pool '%s' (ike.pools[%u])", text,
					       p->name, j);
		}
	}
	return 0;
}

int
cfg_ha_check_ike(struct cfg_ctx *ctx)
{
	const config_setting_t *ha = config_lookup(&ctx->lc, "ha");

	if (!ctx->cfg->ha.enabled || !ctx->cfg->ike.enabled || ha == NULL)
		return 0;
	if (check_port(ctx, ha) < 0 || check_pools(ctx, ha) < 0)
		return -EINVAL;
	return 0;
}

/*
 * Looked at with stat() first, so that no device or FIFO is ever opened;
 * then opened once to see that it is readable. The contents are ha/'s.
 */
int
cfg_ha_check_files(struct cfg_ctx *ctx)
{
	const struct cfg_ha *h = &ctx->cfg->ha;
	config_setting_t *s;
	struct stat st;
	int fd, err;

	if (!h->enabled)
		return 0;
	s = config_lookup(&ctx->lc, "ha.psk_file");
	if (stat(h->psk_file, &st) < 0) {
		err = errno;
		return cfg_err_setting(ctx, s, "cannot open psk file %s: %s", h->psk_file,
				       strerror(err));
	}
	if (!S_ISREG(st.st_mode))
		return cfg_err_setting(ctx, s, "psk file %s is not a regular file", h->psk_file);
	if ((st.st_mode & PRIVATE_FORBIDDEN) != 0)
		return cfg_err_setting(ctx, s, "psk file %s is accessible by group or others "
				       "(mode %04o; chmod 600)", h->psk_file,
				       (unsigned int)(st.st_mode & MODE_BITS));
	fd = open(h->psk_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = errno;
		return cfg_err_setting(ctx, s, "cannot open psk file %s: %s", h->psk_file,
				       strerror(err));
	}
	close(fd);
	return 0;
}
