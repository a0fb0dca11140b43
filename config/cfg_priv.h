/*
 * Private interface of the configuration module: the load context shared by
 * the cfg_*.c files, typed and range-checked getters, the literal re-reader
 * and the address parser. Nothing here is used outside config/.
 */
#ifndef HAGW_CFG_PRIV_H
#define HAGW_CFG_PRIV_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"

enum {
	CFG_MAX_FILES = 16,		/* main file + @include'd files kept for re-reading */
	CFG_PATH_TEXT_LEN = 128,	/* a setting path such as "ports[7].ipv6[7]" */
	CFG_ADDR_TEXT_LEN = 64,		/* an address with "/len" */
	CFG_MBUF_HEADROOM = 1024,	/* mbufs beyond those the descriptor rings hold */
	CFG_MAX_LCORE_ID = 1023,
	CFG_IPV6_MIN_MTU = 1280,	/* RFC 8200 §5 */
};

/* One file's text, split into lines, for re-reading integer literals. */
struct cfg_file_text {
	char *name;		/* as libconfig names it */
	char *text;		/* NUL-terminated contents */
	size_t len;
	size_t *line_start;	/* offset of each line; line N starts at line_start[N - 1] */
	unsigned int n_lines;
};

struct cfg_ctx {
	config_t lc;
	struct cfg *cfg;	/* the local copy being filled */
	const char *path;	/* the main file, as given */
	char include_dir[CFG_PATH_LEN * 2];
	char *err;
	size_t err_len;
	unsigned int n_files;
	struct cfg_file_text files[CFG_MAX_FILES];
};

/* Errors (cfg_value.c). Each returns -EINVAL after writing "FILE:LINE: ..." to ctx->err. */
int cfg_err_at(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_err_setting(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_err_file(struct cfg_ctx *ctx, const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cfg_setting_path(const config_setting_t *s, char *buf, size_t len);
const char *cfg_file_name(struct cfg_ctx *ctx, const char *libconfig_name, char *buf,
			  size_t len);

/* Typed getters (cfg_value.c). Absent optional settings leave *out untouched. */
int cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *group, const char *const keys[]);
int cfg_get_member(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		   int type, bool required, config_setting_t **out);
int cfg_get_int(struct cfg_ctx *ctx, const config_setting_t *s, int64_t min, int64_t max,
		int64_t *out);
int cfg_lookup_int(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		   int64_t min, int64_t max, int64_t *out);
int cfg_lookup_bool(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		    bool *out);
int cfg_lookup_string(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		      bool required, const char **out);
int cfg_get_list(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		 bool required, unsigned int min, unsigned int max, config_setting_t **out);
int cfg_check_elem(struct cfg_ctx *ctx, const config_setting_t *elem, int type);
int cfg_check_name(struct cfg_ctx *ctx, const config_setting_t *s, const char *value);
const char *cfg_quote(const char *s, char *buf, size_t len);

/* Integer literal as written in the file (cfg_literal.c). */
struct cfg_literal {
	const char *text;	/* the token in the file text */
	size_t len;
	bool fits;		/* value fits in a signed 64-bit integer */
	int64_t value;
};

int cfg_literal_find(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_literal *lit);
int cfg_file_lines(struct cfg_ctx *ctx, const char *file, unsigned int *n_lines);
int cfg_read_text(const char *name, char **text, size_t *len);

/* @include targets that libconfig 1.5 cannot survive (cfg_include.c). */
int cfg_check_includes(struct cfg_ctx *ctx);
void cfg_files_free(struct cfg_ctx *ctx);

/* Sections (cfg_sections.c, cfg_ports.c, cfg_routes.c, cfg_neighbors.c, cfg_workers.c). */
void cfg_set_defaults(struct cfg *cfg);
int cfg_parse_eal(struct cfg_ctx *ctx, const config_setting_t *eal);
int cfg_parse_dataplane(struct cfg_ctx *ctx, const config_setting_t *dp);
int cfg_parse_cli(struct cfg_ctx *ctx, const config_setting_t *cli);
int cfg_parse_log(struct cfg_ctx *ctx, const config_setting_t *log);
int cfg_parse_ports(struct cfg_ctx *ctx, const config_setting_t *ports);
int cfg_parse_routes(struct cfg_ctx *ctx, const config_setting_t *routes);
int cfg_parse_neighbors(struct cfg_ctx *ctx, const config_setting_t *neighbors);
int cfg_parse_workers(struct cfg_ctx *ctx, const config_setting_t *root);

/*
 * References from routes and neighbours to ports (cfg_routes.c).
 * cfg_lookup_port: the required "port" setting of GROUP names a port.
 * cfg_check_on_link: a next hop or neighbour address ADDR must lie inside a
 * subnet of port PORT of its family and must not be one of the port's own
 * addresses. WHAT names it in the message ("next hop", "neighbor").
 */
int cfg_lookup_port(struct cfg_ctx *ctx, const config_setting_t *group, uint8_t *port);
int cfg_check_on_link(struct cfg_ctx *ctx, const config_setting_t *s,
		      const struct cfg_prefix *addr, uint8_t port, const char *what);

/* Addresses (cfg_addr.c). why is set to a message fragment on error. */
int cfg_prefix_parse(const char *text, int family, bool with_len, unsigned int min_len,
		     struct cfg_prefix *p, char *why, size_t why_len);
bool cfg_prefix_has_host_bits(const struct cfg_prefix *p);
void cfg_prefix_mask(struct cfg_prefix *p);
bool cfg_prefix_contains(const struct cfg_prefix *net, const struct cfg_prefix *addr);
bool cfg_prefix_equal(const struct cfg_prefix *a, const struct cfg_prefix *b);
bool cfg_addr_equal(const struct cfg_prefix *a, const struct cfg_prefix *b);
const char *cfg_host_addr_problem(const struct cfg_prefix *p);

/* Names (cfg_names.c). */
int cfg_role_parse(const char *name, enum cfg_port_role *role);
int cfg_port_find(const struct cfg *cfg, const char *name);

/*
 * IPsec: the ipsec section and the key-file check (cfg_ipsec.c), static
 * SAs (cfg_sas.c, cfg_sa_outer.c, cfg_sa_keys.c), traffic selectors
 * (cfg_selectors.c), policies (cfg_policies.c), names (cfg_ipsec_names.c).
 */
extern const char *const cfg_sa_alg_names[];
extern const char *const cfg_sa_dir_names[];
extern const char *const cfg_sa_mode_names[];
extern const char *const cfg_sa_df_names[];
extern const char *const cfg_policy_action_names[];
int cfg_lookup_name(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		    bool required, const char *const names[], const char *what,
		    const struct cfg_sa *sa, int *out);

void cfg_ipsec_set_defaults(struct cfg *cfg);
/* The sections ipsec, sas and policies of the root group (after workers). */
int cfg_parse_ipsec_sections(struct cfg_ctx *ctx, const config_setting_t *root);
int cfg_parse_sas(struct cfg_ctx *ctx, const config_setting_t *sas);
int cfg_parse_policies(struct cfg_ctx *ctx, const config_setting_t *policies);
/* A file holding a key or auth_key must not be readable or writable by group or others. */
int cfg_check_key_files(struct cfg_ctx *ctx);
/* Zeroizes the key strings in libconfig's tree (whether or not they were parsed). */
void cfg_wipe_key_text(struct cfg_ctx *ctx);

/* "FILE:LINE: PATH: SA "NAME": text" at the line of setting s. */
int cfg_err_sa(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The integer setting s in min..max, else "SA "NAME": WHAT V is out of range (MIN..MAX)". */
int cfg_sa_int(struct cfg_ctx *ctx, const config_setting_t *s, const struct cfg_sa *sa,
	       const char *what, int64_t min, int64_t max, int64_t *out);
/* key and auth_key of SA group (algorithm already parsed). */
int cfg_parse_sa_keys(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa);
/* local, remote, udp_encap, local_port, remote_port of SA group. */
int cfg_parse_sa_outer(struct cfg_ctx *ctx, const config_setting_t *group, struct cfg_sa *sa);

/*
 * A traffic selector pair from the settings local, remote (required),
 * protocol, local_ports, remote_ports of GROUP.
 */
int cfg_parse_ts_pair(struct cfg_ctx *ctx, const config_setting_t *group,
		      struct cfg_ts_pair *ts);
/* A prefix without host bits (SETTING's string) as an address range. */
int cfg_parse_ts_prefix(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_prefix *p);
void cfg_ts_from_prefix(const struct cfg_prefix *p, struct cfg_ts *ts);
/* The inverse, for JSON: "a/len" if the range is a prefix, else "lo-hi". */
void cfg_ts_format_addr(const struct cfg_ts *ts, char *buf, size_t len);
void cfg_ts_format_ports(const struct cfg_ts *ts, char *buf, size_t len);
const char *cfg_ts_proto_name(uint8_t proto, char *buf, size_t len);

/*
 * IKE: the ike section and its order (cfg_ike.c), names (cfg_ike_names.c),
 * pools (cfg_ike_pools.c), secrets (cfg_ike_secrets.c), identities
 * (cfg_ike_id.c), connections (cfg_ike_conn.c), their ends and
 * authentication (cfg_ike_auth.c), CHILD SAs (cfg_ike_child.c), traffic
 * selectors (cfg_ike_ts.c), proposal lists (cfg_ike_proposals.c), the files
 * it names (cfg_ike_files.c) and its JSON (cfg_ike_json.c).
 */
extern const char *const cfg_ike_auth_names[];
extern const char *const cfg_ike_send_cert_names[];
extern const char *const cfg_ike_unique_names[];
extern const char *const cfg_ike_action_names[];
extern const char *const cfg_ike_dpd_action_names[];

void cfg_ike_set_defaults(struct cfg *cfg);
/* The optional ike group of the root (after the ipsec sections). */
int cfg_parse_ike(struct cfg_ctx *ctx, const config_setting_t *ike);
int cfg_ike_parse_pools(struct cfg_ctx *ctx, const config_setting_t *pools);
int cfg_ike_parse_secrets(struct cfg_ctx *ctx, const config_setting_t *secrets);
int cfg_ike_parse_connections(struct cfg_ctx *ctx, const config_setting_t *conns);
int cfg_ike_parse_child(struct cfg_ctx *ctx, const config_setting_t *group,
			struct cfg_ike_conn *conn, unsigned int index);
/* local and remote of connection group; then the secret a psk end needs. */
int cfg_ike_parse_ends(struct cfg_ctx *ctx, const config_setting_t *group,
		       struct cfg_ike_conn *conn);
/* Runs after every other check (the key-file modes included): files exist, secrets read. */
int cfg_ike_check_files(struct cfg_ctx *ctx);

/* The required "name" of GROUP: 1..31 characters of [A-Za-z0-9_.-]; *s set to it. */
int cfg_ike_parse_name(struct cfg_ctx *ctx, const config_setting_t *group, char *name,
		       config_setting_t **s);
/* An identity; "%any" only if allow_any. */
int cfg_ike_parse_id(struct cfg_ctx *ctx, const config_setting_t *s, bool allow_any,
		     struct cfg_ike_id *id);
bool cfg_ike_id_equal(const struct cfg_ike_id *a, const struct cfg_ike_id *b);
/* A CHILD SA traffic selector from the string setting s. */
int cfg_ike_parse_ts(struct cfg_ctx *ctx, const config_setting_t *s, struct cfg_ike_ts *ts);
/* The optional list KEY of proposal strings; absent: the n_def strings of def. */
int cfg_ike_parse_proposals(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
			    bool esp, const char *const def[], unsigned int n_def,
			    char out[][CFG_IKE_PROPOSAL_LEN], uint8_t *n_out);
extern const char *const cfg_ike_default_proposals[];
extern const unsigned int cfg_ike_n_default_proposals;
extern const char *const cfg_ike_default_esp_proposals[];
extern const unsigned int cfg_ike_n_default_esp_proposals;
/* A file name as the daemon opens it: relative names from the main file's directory. */
int cfg_ike_path(struct cfg_ctx *ctx, const config_setting_t *s, char *out, size_t len);
/* The optional integer KEY in min..max into *out (a uint32_t / uint64_t). */
int cfg_ike_lookup_u32(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		       uint32_t min, uint32_t max, uint32_t *out);
int cfg_ike_lookup_u64(struct cfg_ctx *ctx, const config_setting_t *group, const char *key,
		       uint64_t *out);
/*
 * Opens PATH (named by setting s) for reading: a regular file of at most
 * max_size bytes, no access for group or others (mode & 077 == 0). WHAT names
 * it in errors ("secret file"). Returns the descriptor or -EINVAL.
 */
int cfg_ike_open_private(struct cfg_ctx *ctx, const config_setting_t *s, const char *path,
			 const char *what, size_t max_size);
/* The secret file of setting s into secret->psk. */
int cfg_ike_read_secret(struct cfg_ctx *ctx, const config_setting_t *s,
			struct cfg_ike_secret *secret);
/* The index of the port that owns address a, or -ENOENT. */
int cfg_port_owning(const struct cfg *cfg, const struct cfg_prefix *a);
/* A port number text in [p, end): at most 5 decimal digits, no sign. */
bool cfg_parse_port_number(const char *p, const char *end, unsigned int *v);
struct json_object *cfg_ike_json(const struct cfg *cfg);

/*
 * HA: the ha section and its psk_file (cfg_ha.c), its sync link, data links
 * and VIPs (cfg_ha_links.c) and its JSON (cfg_ha_json.c).
 */
/* The optional ha group of the root (before the ike section, which may use the VIPs). */
int cfg_parse_ha(struct cfg_ctx *ctx, const config_setting_t *ha);
/* After the ike section: ha.port is none of IKE's, no VIP lies in an IKE pool. */
int cfg_ha_check_ike(struct cfg_ctx *ctx);
/* sync, links and vips of the ha group. */
int cfg_ha_parse_links(struct cfg_ctx *ctx, const config_setting_t *ha);
/* Runs last, like cfg_ike_check_files: psk_file is a regular file private to its owner. */
int cfg_ha_check_files(struct cfg_ctx *ctx);
struct json_object *cfg_ha_json(const struct cfg *cfg);

/* Exactly "xx:xx:xx:xx:xx:xx", two hex digits per octet (cfg_neighbors.c). */
bool cfg_mac_parse(const char *text, uint8_t mac[CFG_MAC_LEN]);

#endif
