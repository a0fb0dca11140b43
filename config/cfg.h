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
};

/*
 * Reads and validates PATH into *cfg (which is fully overwritten).
 * Returns 0, or -EINVAL with "FILE:LINE: message" in err (no trailing
 * newline). Errors that belong to no line (file unreadable) use
 * "FILE: message".
 */
int cfg_load(const char *path, struct cfg *cfg, char *err, size_t err_len);

/* The effective configuration (defaults filled in) as a JSON object. */
struct json_object *cfg_to_json(const struct cfg *cfg);

const char *cfg_role_name(enum cfg_port_role role);
const char *cfg_log_level_name(enum cfg_log_level level);
/* Returns 0 and sets *level, or -EINVAL for an unknown name. */
int cfg_log_level_parse(const char *name, enum cfg_log_level *level);

/* Formats a prefix as "a.b.c.d/len" or "x::y/len" (len omitted if omit_len). */
void cfg_prefix_format(const struct cfg_prefix *p, bool omit_len, char *buf, size_t len);

#endif
