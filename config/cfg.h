/*
 * hagw configuration: the validated, in-memory form of the libconfig file.
 *
 * cfg_load() reads and validates a file; every error is reported as
 * "FILE:LINE: what is wrong" and nothing is half-applied. The structs
 * below are plain data so the dataplane and control modules can be set up
 * from them without reading files.
 */
#ifndef HAGW_CFG_H
#define HAGW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

enum {
	CFG_NAME_LEN = 32,	/* port names, incl. NUL */
	CFG_DEVICE_LEN = 256,	/* DPDK vdev string or PCI address */
	CFG_PATH_LEN = 108,	/* sizeof(sun_path) */
	CFG_ERR_LEN = 512,
	CFG_MAC_LEN = 6,	/* Ethernet address */
	CFG_MAX_PORTS = 8,
	CFG_MAX_PORT_ADDRS = 8,	/* per family, per port */
	CFG_MAX_ROUTES = 4096,
	CFG_MAX_NEIGHBORS = 1024,
	CFG_MAX_LCORES = 64,
	CFG_MAX_WORKERS = 32,
	CFG_MAX_QUEUES = 16,	/* RX queues per port */
	CFG_MAX_WORKER_QUEUES = 64,
	CFG_MAX_EAL_ARGS = 16,
	CFG_EAL_ARG_LEN = 128,
	CFG_MAX_SAS = 1024,		/* static SAs in the file */
	CFG_MAX_POLICIES = 1024,	/* static policies in the file (selector + client) */
	CFG_SA_MAX_TS = 4,		/* selector pairs per SA (DP_SA_MAX_TS) */
	CFG_SA_MAX_KEY = 36,		/* encryption key incl. salt (DP_ESP_MAX_ENC_KEY) */
	CFG_SA_MAX_AUTH_KEY = 32,	/* DP_ESP_MAX_AUTH_KEY */
	CFG_NONE = -1,			/* cfg_sa.worker, cfg_sa.dscp, cfg_policy.sa: not set */
};

enum cfg_port_role {
	CFG_ROLE_UNTRUSTED,	/* client-facing */
	CFG_ROLE_TRUSTED,	/* protected network */
	CFG_ROLE_SYNC,		/* dedicated HA link to the peer appliance */
};

enum cfg_log_level {
	CFG_LOG_ERR,
	CFG_LOG_WARNING,
	CFG_LOG_NOTICE,
	CFG_LOG_INFO,
	CFG_LOG_DEBUG,
};

/*
 * ESP algorithms, in the order of enum dp_sa_alg (dataplane/esp_crypto.h).
 * config/ does not include dataplane headers: dataplane/ipsec_static.c
 * checks the correspondence with a _Static_assert per value. The same
 * holds for cfg_sa_dir / dp_sa_dir, cfg_sa_mode / dp_sa_mode,
 * cfg_sa_df / dp_sa_df and cfg_policy_action / dp_policy_action.
 */
enum cfg_sa_alg {
	CFG_SA_AES_GCM_128,		/* key 16 + salt 4 (RFC 4106) */
	CFG_SA_AES_GCM_256,		/* key 32 + salt 4 */
	CFG_SA_AES_CBC_128_SHA256,	/* key 16, auth key 32 (RFC 3602, RFC 4868) */
	CFG_SA_AES_CBC_256_SHA256,	/* key 32, auth key 32 */
	CFG_SA_CHACHA20_POLY1305,	/* key 32 + salt 4 (RFC 7634) */
	CFG_SA_ALG_COUNT
};

enum cfg_sa_dir {
	CFG_SA_IN,			/* DP_SA_INBOUND */
	CFG_SA_OUT,			/* DP_SA_OUTBOUND */
};

enum cfg_sa_mode {
	CFG_SA_TUNNEL,			/* DP_SA_TUNNEL */
	CFG_SA_TRANSPORT,		/* DP_SA_TRANSPORT */
};

/* DF bit of the outer IPv4 header (RFC 4301 §8.1). */
enum cfg_sa_df {
	CFG_SA_DF_COPY,			/* DP_SA_DF_COPY */
	CFG_SA_DF_SET,			/* DP_SA_DF_SET */
	CFG_SA_DF_CLEAR,		/* DP_SA_DF_CLEAR */
};

enum cfg_policy_action {
	CFG_POLICY_BYPASS,		/* DP_POLICY_BYPASS */
	CFG_POLICY_DISCARD,		/* DP_POLICY_DISCARD */
	CFG_POLICY_PROTECT,		/* DP_POLICY_PROTECT */
};

enum cfg_policy_kind {
	CFG_POLICY_SELECTOR,		/* traffic selectors, by priority (rte_acl) */
	CFG_POLICY_CLIENT,		/* remote-access client prefix -> SA (rte_lpm) */
};

/* An IPv4 or IPv6 address with prefix length; addresses in network order. */
struct cfg_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length; 32/128 for a plain address */
	union {
		uint8_t v4[4];
		uint8_t v6[16];
		uint8_t bytes[16];
	} addr;
};

struct cfg_port {
	char name[CFG_NAME_LEN];
	char device[CFG_DEVICE_LEN];
	enum cfg_port_role role;
	uint16_t mtu;			/* L3 MTU, 576..9000; default 1500 */
	uint16_t rx_queues;		/* default 1 */
	uint8_t n_ipv4;
	uint8_t n_ipv6;
	struct cfg_prefix ipv4[CFG_MAX_PORT_ADDRS];	/* own address/prefix */
	struct cfg_prefix ipv6[CFG_MAX_PORT_ADDRS];
	int line;
};

struct cfg_route {
	struct cfg_prefix prefix;	/* host bits must be zero */
	bool has_via;			/* false: destination is on-link */
	struct cfg_prefix via;		/* next hop (len 32/128) */
	uint8_t port;			/* index into cfg.ports */
	int line;
};

/* A static neighbour (never aged, never solicited): next-hop address -> MAC. */
struct cfg_neighbor {
	struct cfg_prefix addr;		/* len 32/128, inside a subnet of the port */
	uint8_t mac[CFG_MAC_LEN];	/* unicast, not all-zero */
	uint8_t port;			/* index into cfg.ports */
	int line;
};

struct cfg_queue_ref {
	uint8_t port;		/* index into cfg.ports */
	uint16_t queue;		/* RX queue of that port */
};

struct cfg_worker {
	unsigned int lcore;
	uint16_t n_queues;
	struct cfg_queue_ref queues[CFG_MAX_WORKER_QUEUES];
	int line;
};

struct cfg_eal {
	uint16_t n_lcores;
	unsigned int lcores[CFG_MAX_LCORES];	/* [0] is the main (control) lcore */
	unsigned int memory_mb;		/* default 512 */
	bool hugepages;			/* false: --no-huge */
	bool pci;			/* false: --no-pci */
	char file_prefix[CFG_NAME_LEN];	/* default "hagw" */
	uint16_t n_extra_args;
	char extra_args[CFG_MAX_EAL_ARGS][CFG_EAL_ARG_LEN];
};

struct cfg_dataplane {
	unsigned int mbufs;		/* mbufs in the packet pool; default 8191 */
	unsigned int mbuf_cache;	/* per-lcore cache; default 256 */
	uint16_t rx_desc;		/* default 1024 */
	uint16_t tx_desc;		/* default 1024 */
	uint16_t burst;			/* 1..64; default 32 */
	unsigned int punt_ring;		/* punt/tx ring entries, power of 2; default 1024 */
	unsigned int idle_backoff_us;	/* sleep when idle; 0 = busy poll (default) */
	unsigned int neigh_entries;	/* neighbour table size; default 4096 */
	unsigned int neigh_reachable_s;	/* time an entry stays reachable; default 30 */
	unsigned int neigh_pending;	/* packets held per unresolved neighbour; default 8 */
	unsigned int neigh_pending_total; /* packets held in all; default 1024 */
	unsigned int icmp_rate;		/* ICMP errors per second; default 100 */
	unsigned int icmp_burst;	/* token bucket depth; default 50 */
};

/* The ipsec section: SPD default and table sizes. */
struct cfg_ipsec {
	enum cfg_policy_action default_policy;	/* BYPASS (default) or DISCARD */
	unsigned int max_sas;		/* SA table size, 16..1048576; default 4096 */
	unsigned int max_policies;	/* ACL rules per family, 1..65536; default 1024 */
	unsigned int max_clients;	/* client prefixes, 16..1048576; default 65536 */
};

/*
 * A traffic selector (RFC 4301 §4.4.1.1), the layout of struct dp_ts:
 * inclusive ranges; addresses in network order (IPv4 in the first 4
 * bytes, the rest zero), ports in host order. A prefix "10.0.0.0/24" is
 * 10.0.0.0..10.0.0.255. proto 0 = any. Ports "any" = 0..65535; for ICMP
 * and ICMPv6 the local ports hold the type, the remote ports the code.
 */
struct cfg_ts {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* IPPROTO_*, 0 = any */
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
};

/* Local (our protected side, outbound source) and remote (outbound destination). */
struct cfg_ts_pair {
	struct cfg_ts local;
	struct cfg_ts remote;
};

/* Lifetime limits; 0 = none. */
struct cfg_sa_limits {
	uint64_t bytes;
	uint64_t packets;
};

/* A static SA (manual keying); mirrors struct dp_sa_params. */
struct cfg_sa {
	char name[CFG_NAME_LEN];	/* [A-Za-z0-9_.-], unique */
	uint32_t spi;			/* 256..0xffffffff; unique among inbound SAs */
	enum cfg_sa_dir dir;
	enum cfg_sa_mode mode;		/* default tunnel */
	enum cfg_sa_alg alg;
	uint8_t key[CFG_SA_MAX_KEY];	/* incl. the 4-byte salt for AEAD */
	uint8_t key_len;
	uint8_t auth_key[CFG_SA_MAX_AUTH_KEY];	/* CBC only */
	uint8_t auth_key_len;		/* 0 for AEAD */
	struct cfg_prefix local;	/* outer: one of the ports' addresses, len 32/128 */
	struct cfg_prefix remote;	/* outer: the peer, same family */
	uint8_t port;			/* index into cfg.ports of the port owning local */
	bool udp_encap;			/* RFC 3948 */
	uint16_t local_port;		/* UDP ports with udp_encap (default 4500), else 0 */
	uint16_t remote_port;
	bool esn;			/* RFC 4303 §2.2.1 extended sequence numbers */
	uint16_t replay_window;		/* inbound: 64..4096, multiple of 64 (default 64);
					 * outbound: 0 */
	enum cfg_sa_df df;		/* default copy */
	int16_t dscp;			/* outer DSCP 0..63; CFG_NONE = copy (default) */
	int worker_lcore;		/* inbound owner worker's lcore; CFG_NONE: automatic */
	int worker;			/* its index into cfg.workers; CFG_NONE: automatic */
	struct cfg_sa_limits soft;	/* soft <= hard where hard != 0 */
	struct cfg_sa_limits hard;
	uint8_t n_ts;			/* 0: any traffic */
	struct cfg_ts_pair ts[CFG_SA_MAX_TS];
	int line;
};

/*
 * A static policy. Selector policies: first match by priority (lower
 * first); PROTECT names an outbound SA. Client policies: destination
 * prefix (a client's address) -> outbound SA, action PROTECT.
 */
struct cfg_policy {
	enum cfg_policy_kind kind;
	uint32_t priority;		/* selector: 0..2^31-1, unique per family */
	enum cfg_policy_action action;	/* client: PROTECT */
	int sa;				/* index into cfg.sas (outbound); CFG_NONE */
	struct cfg_ts local;		/* selector policies */
	struct cfg_ts remote;
	struct cfg_prefix client;	/* client policies: host bits zero */
	int line;
};

struct cfg_cli {
	char socket[CFG_PATH_LEN];	/* default "/run/hagw/hagw.sock" */
};

struct cfg_log {
	enum cfg_log_level level;	/* default info */
	char file[CFG_PATH_LEN * 2];	/* empty: stderr */
};

struct cfg {
	char path[CFG_PATH_LEN * 2];
	struct cfg_eal eal;
	struct cfg_dataplane dp;
	struct cfg_cli cli;
	struct cfg_log log;
	uint8_t n_ports;
	struct cfg_port ports[CFG_MAX_PORTS];
	uint16_t n_routes;
	struct cfg_route routes[CFG_MAX_ROUTES];
	uint16_t n_neighbors;
	struct cfg_neighbor neighbors[CFG_MAX_NEIGHBORS];
	uint16_t n_workers;
	struct cfg_worker workers[CFG_MAX_WORKERS];
	struct cfg_ipsec ipsec;
	uint16_t n_sas;
	struct cfg_sa sas[CFG_MAX_SAS];
	uint16_t n_policies;
	struct cfg_policy policies[CFG_MAX_POLICIES];
};

/*
 * Reads and validates PATH into *cfg (which is fully overwritten).
 * Returns 0, or -EINVAL with "FILE:LINE: message" in err (no trailing
 * newline). Errors that belong to no line (file unreadable) use
 * "FILE: message". *cfg holds SA keys: wipe it with cfg_wipe_keys() once
 * the SAs are installed. Keys never appear in errors or JSON.
 */
int cfg_load(const char *path, struct cfg *cfg, char *err, size_t err_len);

/* Zeroizes the keys of every SA (explicit_bzero: not optimised away). */
void cfg_wipe_keys(struct cfg *cfg);

/* The effective configuration (defaults filled in) as a JSON object. */
struct json_object *cfg_to_json(const struct cfg *cfg);

const char *cfg_role_name(enum cfg_port_role role);
const char *cfg_log_level_name(enum cfg_log_level level);
/* Returns 0 and sets *level, or -EINVAL for an unknown name. */
int cfg_log_level_parse(const char *name, enum cfg_log_level *level);

/* Names as in the file ("aes-gcm-128", "in", "tunnel", "copy", "protect"); "?" if unknown. */
const char *cfg_sa_alg_name(enum cfg_sa_alg alg);
const char *cfg_sa_dir_name(enum cfg_sa_dir dir);
const char *cfg_sa_mode_name(enum cfg_sa_mode mode);
const char *cfg_sa_df_name(enum cfg_sa_df df);
const char *cfg_policy_action_name(enum cfg_policy_action action);
/* Key bytes the algorithm needs: encryption incl. salt; auth (0 for AEAD). */
uint8_t cfg_sa_alg_key_len(enum cfg_sa_alg alg);
uint8_t cfg_sa_alg_auth_key_len(enum cfg_sa_alg alg);

/* Formats a prefix as "a.b.c.d/len" or "x::y/len" (len omitted if omit_len). */
void cfg_prefix_format(const struct cfg_prefix *p, bool omit_len, char *buf, size_t len);

#endif
