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

/* Limits of the ike section (config/cfg_ike*.c). */
enum {
	CFG_IKE_MAX_LISTEN = 16,	/* our IKE addresses */
	CFG_MAX_CONNECTIONS = 64,
	CFG_MAX_CHILDREN = 8,		/* CHILD SA configurations per connection */
	CFG_MAX_POOLS = 16,		/* virtual IP pools */
	CFG_MAX_SECRETS = 256,		/* pre-shared keys */
	CFG_IKE_MAX_PROPOSALS = 8,	/* strings per proposal list */
	CFG_IKE_PROPOSAL_LEN = 128,	/* "aes256gcm16-prfsha384-ecp384", incl. NUL */
	CFG_IKE_ID_LEN = 256,		/* identity text incl. NUL (IKE_ID_MAX) */
	CFG_IKE_MAX_SECRET_IDS = 8,	/* identities sharing one secret */
	CFG_IKE_PSK_MIN = 8,		/* bytes of a pre-shared key */
	CFG_IKE_PSK_MAX = 256,
	CFG_IKE_MAX_ADDRS = 16,		/* local_addrs, remote_addrs per connection */
	CFG_IKE_MAX_TS = 8,		/* local_ts, remote_ts per CHILD SA (IKE_TS_MAX) */
	CFG_IKE_MAX_DNS = 4,		/* DNS servers per pool */
	CFG_IKE_MAX_CACERTS = 4,	/* trust anchors per connection */
	CFG_IKE_MAX_CONN_POOLS = 4,	/* pools per connection */
	CFG_IKE_MAX_VIPS = 2,		/* virtual IPs an initiator asks for: one per family */
	CFG_IKE_PATH_LEN = CFG_PATH_LEN * 2,	/* a file named in the ike section */
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

/* How one end of an IKE SA authenticates (RFC 7296 §2.15, RFC 7427). */
enum cfg_ike_auth {
	CFG_IKE_AUTH_PSK,		/* shared key from ike.secrets */
	CFG_IKE_AUTH_PUBKEY,		/* certificate, RFC 7427 digital signature */
};

/*
 * Identity types (RFC 7296 §3.5) as the IKE library reads the text
 * (ike/ike_id.h, strongSwan's forms): "%any", an IPv4 or IPv6 address,
 * "user@domain" (RFC822), a DN with "attr=value" parts, "@#hex" (key ID),
 * else an FQDN.
 */
enum cfg_ike_id_type {
	CFG_IKE_ID_ANY,			/* local: our IKE address (psk) or the cert subject */
	CFG_IKE_ID_IPV4,
	CFG_IKE_ID_IPV6,
	CFG_IKE_ID_FQDN,
	CFG_IKE_ID_RFC822,
	CFG_IKE_ID_DN,
	CFG_IKE_ID_KEY_ID,
};

enum cfg_ike_send_cert {
	CFG_IKE_SEND_CERT_ALWAYS,
	CFG_IKE_SEND_CERT_IFASKED,	/* when the peer sent CERTREQ */
	CFG_IKE_SEND_CERT_NEVER,
};

/* What to do with an older IKE SA of the same identities. */
enum cfg_ike_unique {
	CFG_IKE_UNIQUE_NO,		/* keep both; replace on INITIAL_CONTACT */
	CFG_IKE_UNIQUE_NEVER,		/* keep both, ignore INITIAL_CONTACT */
	CFG_IKE_UNIQUE_REPLACE,		/* delete the old one */
	CFG_IKE_UNIQUE_KEEP,		/* refuse the new one */
};

/* start_action and close_action of a CHILD SA. */
enum cfg_ike_action {
	CFG_IKE_ACTION_NONE,
	CFG_IKE_ACTION_START,		/* initiate at once */
	CFG_IKE_ACTION_TRAP,		/* install a trap policy, initiate on traffic */
};

enum cfg_ike_dpd_action {
	CFG_IKE_DPD_CLEAR,		/* close the CHILD SA */
	CFG_IKE_DPD_RESTART,		/* initiate again */
	CFG_IKE_DPD_TRAP,		/* install a trap policy */
};

struct cfg_ike_id {
	enum cfg_ike_id_type type;
	char text[CFG_IKE_ID_LEN];	/* as written, for ike_id_from_string() */
};

/* A virtual IP pool (RFC 7296 §3.15) and the DNS servers handed out with it. */
struct cfg_ike_pool {
	char name[CFG_NAME_LEN];	/* [A-Za-z0-9_.-], unique */
	bool is_prefix;			/* addrs was "a/len" (else "a-b") */
	struct cfg_prefix prefix;	/* is_prefix: as written, no host bits */
	struct cfg_prefix first;	/* first and last address handed out (len 32/128) */
	struct cfg_prefix last;
	uint32_t size;			/* addresses first..last */
	uint8_t n_dns;
	struct cfg_prefix dns[CFG_IKE_MAX_DNS];	/* len 32/128 */
	int line;
};

/* A pre-shared key for one or more identities; psk: wipe with cfg_ike_wipe_secrets(). */
struct cfg_ike_secret {
	uint8_t n_ids;
	struct cfg_ike_id ids[CFG_IKE_MAX_SECRET_IDS];	/* unique among all secrets */
	char file[CFG_IKE_PATH_LEN];	/* as opened: relative names from the main file's dir */
	uint16_t psk_len;		/* CFG_IKE_PSK_MIN..CFG_IKE_PSK_MAX */
	uint8_t psk[CFG_IKE_PSK_MAX];
	int line;
};

/* One end of a connection: local uses cert and key, remote uses cacerts. */
struct cfg_ike_end {
	struct cfg_ike_id id;		/* default %any */
	enum cfg_ike_auth auth;
	char cert[CFG_IKE_PATH_LEN];	/* local pubkey: our certificate (PEM) */
	char key[CFG_IKE_PATH_LEN];	/* local pubkey: its private key (mode & 077 == 0) */
	uint8_t n_cacerts;		/* remote pubkey: 1.. */
	char cacerts[CFG_IKE_MAX_CACERTS][CFG_IKE_PATH_LEN];
};

/*
 * A traffic selector of a CHILD SA (RFC 7296 §3.13.1). dynamic: the
 * address part is our outer address (local) or the peer's outer address
 * or virtual IP (remote), and ts.family is AF_UNSPEC; ts.proto and the
 * ports apply either way (ICMP: the ports hold the type).
 */
struct cfg_ike_ts {
	bool dynamic;
	struct cfg_ts ts;
};

/* A CHILD SA configuration. Times in seconds; 0 = none. */
struct cfg_ike_child {
	char name[CFG_NAME_LEN];	/* unique within the connection */
	uint8_t n_local_ts;
	uint8_t n_remote_ts;
	struct cfg_ike_ts local_ts[CFG_IKE_MAX_TS];	/* default: dynamic */
	struct cfg_ike_ts remote_ts[CFG_IKE_MAX_TS];
	uint8_t n_esp_proposals;
	char esp_proposals[CFG_IKE_MAX_PROPOSALS][CFG_IKE_PROPOSAL_LEN];
	enum cfg_sa_mode mode;		/* default tunnel */
	uint32_t rekey_time;		/* default 3600 */
	uint32_t life_time;		/* default rekey_time + 10 % (at least + 1) */
	uint32_t rand_time;		/* < rekey_time; default 10 % of it, <= life - rekey */
	uint64_t rekey_bytes;		/* default 0 */
	uint64_t life_bytes;		/* default rekey_bytes + 10 % (at least + 1) */
	uint64_t rekey_packets;
	uint64_t life_packets;
	uint16_t replay_window;		/* 64..4096, multiple of 64; default 64 */
	enum cfg_ike_action start_action;	/* default none */
	enum cfg_ike_dpd_action dpd_action;	/* default clear */
	enum cfg_ike_action close_action;	/* default none */
	enum cfg_sa_df df;		/* default copy */
	int16_t dscp;			/* 0..63; CFG_NONE = copy (default) */
	int line;
};

/* An IKE connection (IKE SA configuration). Times in seconds; 0 = none. */
struct cfg_ike_conn {
	char name[CFG_NAME_LEN];	/* [A-Za-z0-9_.-], unique */
	uint8_t version;		/* 2 */
	uint8_t n_local_addrs;		/* default: every ike.listen address */
	struct cfg_prefix local_addrs[CFG_IKE_MAX_ADDRS];	/* len 32/128 */
	bool remote_any;		/* "%any" (default): n_remote_addrs = 0 */
	uint8_t n_remote_addrs;
	struct cfg_prefix remote_addrs[CFG_IKE_MAX_ADDRS];	/* hosts or prefixes */
	struct cfg_ike_end local;
	struct cfg_ike_end remote;
	uint8_t n_proposals;
	char proposals[CFG_IKE_MAX_PROPOSALS][CFG_IKE_PROPOSAL_LEN];
	uint32_t rekey_time;		/* default 14400 */
	uint32_t reauth_time;		/* default 0 */
	uint32_t over_time;		/* default 10 % of the larger of the two */
	uint32_t dpd_delay;		/* default 30 */
	uint32_t dpd_timeout;		/* default 150 */
	uint8_t n_pools;
	uint8_t pools[CFG_IKE_MAX_CONN_POOLS];	/* indices into cfg.ike.pools */
	uint8_t n_vips;			/* initiator: virtual IPs asked for (RFC 7296 §3.15) */
	struct cfg_prefix vips[CFG_IKE_MAX_VIPS];	/* len 32/128, one per family;
							 * 0.0.0.0 / ::: any address */
	bool send_certreq;		/* default true */
	enum cfg_ike_send_cert send_cert;	/* default ifasked */
	bool fragmentation;		/* RFC 7383; default true */
	bool mobike;			/* RFC 4555; default false */
	bool encap;			/* UDP encapsulation without NAT; default false */
	uint32_t keyingtries;		/* default 1; 0 = forever */
	enum cfg_ike_unique unique;	/* default no */
	uint8_t n_children;
	struct cfg_ike_child children[CFG_MAX_CHILDREN];
	int line;
};

/* The ike section; enabled = false (the section is absent): no IKE daemon. */
struct cfg_ike {
	bool enabled;
	uint8_t n_listen;		/* default: every address of every untrusted port */
	struct cfg_prefix listen[CFG_IKE_MAX_LISTEN];	/* len 32/128 */
	uint8_t listen_port[CFG_IKE_MAX_LISTEN];	/* index into cfg.ports of each */
	uint16_t port;			/* default 500 */
	uint16_t natt_port;		/* default 4500 */
	uint32_t half_open_max;		/* RFC 7296 §2.6; default 10000 */
	uint32_t half_open_per_source;	/* default 20 */
	uint32_t cookie_threshold;	/* half-open SAs above which cookies are asked; 1000 */
	uint32_t retransmit_timeout_ms;	/* first retransmission; default 2000 */
	uint32_t retransmit_tries;	/* default 5 */
	double retransmit_base;		/* back-off factor; default 1.8 */
	uint16_t fragment_size;		/* RFC 7383; default 1280 */
	uint16_t window_size;		/* RFC 7296 §2.3; default 1 */
	uint8_t n_pools;
	struct cfg_ike_pool pools[CFG_MAX_POOLS];
	uint16_t n_secrets;
	struct cfg_ike_secret secrets[CFG_MAX_SECRETS];
	uint8_t n_connections;
	struct cfg_ike_conn connections[CFG_MAX_CONNECTIONS];
};

/* Limits of the ha section (config/cfg_ha*.c). */
enum {
	CFG_HA_MAX_LINKS = 3,		/* data links; with the sync link HA_MAX_LINKS (4) */
	CFG_HA_MAX_VIPS = 8,
	CFG_HA_PATH_LEN = CFG_PATH_LEN * 2,	/* psk_file */
};

/* A link the two appliances talk over: a port, our address on it, the peer's. */
struct cfg_ha_link {
	uint8_t port;			/* index into cfg.ports */
	struct cfg_prefix local;	/* one of that port's own addresses (len 32/128) */
	struct cfg_prefix peer;		/* in the subnet of local, not ours (len 32/128) */
	int line;
};

/* A virtual IP: an extra address of a port, owned by whichever appliance is active. */
struct cfg_ha_vip {
	uint8_t port;			/* index into cfg.ports; not the sync port */
	struct cfg_prefix address;	/* in a subnet of the port, not a port's own (len 32/128) */
	int line;
};

/* The ha section (stateful failover); enabled = false (the section is absent): no HA. */
struct cfg_ha {
	bool enabled;
	uint16_t node_id;		/* 1..65535 */
	uint16_t peer_node_id;		/* differs from node_id in bit 0 (the IV node bit) */
	uint8_t priority;		/* 1..255, higher wins; default 100 */
	bool preempt;			/* default false */
	char psk_file[CFG_HA_PATH_LEN];	/* as opened: relative names from the main file's dir;
					 * a regular file, mode & 077 == 0 (read by ha/) */
	uint16_t port;			/* UDP port on every link; default 7600 */
	uint32_t interval_ms;		/* heartbeat interval, 5..1000; default 25 */
	uint32_t dead_count;		/* detection = interval x dead_count, 2..50; default 4 */
	uint32_t sync_interval_ms;	/* sequence-state sync, 10..1000; default 50 */
	uint32_t margin_floor;		/* least outbound sequence advance at takeover,
					 * 64..2^30; default 1024 */
	uint32_t margin_safety;		/* x rate x (sync interval + detection), 1..16; default 2 */
	bool rekey_after_takeover;	/* default false */
	uint32_t rekey_spread_s;	/* 1..3600; default 10 */
	struct cfg_ha_link sync;	/* on the port of role sync */
	uint8_t n_links;		/* data links, 0..CFG_HA_MAX_LINKS */
	struct cfg_ha_link links[CFG_HA_MAX_LINKS];
	uint8_t n_vips;			/* 1..CFG_HA_MAX_VIPS */
	struct cfg_ha_vip vips[CFG_HA_MAX_VIPS];
	uint8_t vmac[CFG_MAC_LEN];	/* the active's MAC on ports with a VIP: unicast,
					 * locally administered, the same on both */
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
	struct cfg_ike ike;
	struct cfg_ha ha;
};

/*
 * Reads and validates PATH into *cfg (which is fully overwritten).
 * Returns 0, or -EINVAL with "FILE:LINE: message" in err (no trailing
 * newline). Errors that belong to no line (file unreadable) use
 * "FILE: message". *cfg holds SA keys: wipe it with cfg_wipe_keys() once
 * the SAs are installed. Keys never appear in errors or JSON.
 */
int cfg_load(const char *path, struct cfg *cfg, char *err, size_t err_len);

/* Zeroizes the keys of every SA and the IKE pre-shared keys (explicit_bzero:
 * not optimised away). */
void cfg_wipe_keys(struct cfg *cfg);
/* Zeroizes the pre-shared keys of the ike section. */
void cfg_ike_wipe_secrets(struct cfg *cfg);

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

/* Names as in the file ("psk", "fqdn", "ifasked", "replace", "start", "restart"); "?" if
 * unknown. */
const char *cfg_ike_auth_name(enum cfg_ike_auth auth);
const char *cfg_ike_id_type_name(enum cfg_ike_id_type type);
const char *cfg_ike_send_cert_name(enum cfg_ike_send_cert send);
const char *cfg_ike_unique_name(enum cfg_ike_unique unique);
const char *cfg_ike_action_name(enum cfg_ike_action action);
const char *cfg_ike_dpd_action_name(enum cfg_ike_dpd_action action);
/* A CHILD SA traffic selector as in the file: "10.1.0.0/16[tcp/80]", "dynamic". */
void cfg_ike_ts_format(const struct cfg_ike_ts *ts, char *buf, size_t len);

/* Formats a prefix as "a.b.c.d/len" or "x::y/len" (len omitted if omit_len). */
void cfg_prefix_format(const struct cfg_prefix *p, bool omit_len, char *buf, size_t len);

#endif
