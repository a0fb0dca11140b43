/*
 * The IKE bad files of tests/unit/config/bad/ (164 on): each breaks one rule
 * of the ike section (config/cfg_ike*.c) on a line other than the first;
 * the whole expected message.
 */
#include "test_config.h"

const struct bad_case ike_bad_cases[] = {
	{ "164-ike-unknown-key.conf",
	  "bad/164-ike-unknown-key.conf:22: unknown setting 'listne' in ike (expected "
	  "one of: listen, port, natt_port, half_open_max, half_open_per_source, "
	  "cookie_threshold, retransmit_timeout_ms, retransmit_tries, retransmit_base, "
	  "fragment_size, window_size, pools, secrets, connections)" },
	{ "165-ike-not-group.conf",
	  "bad/165-ike-not-group.conf:21: ike: expected a group, got a list" },
	{ "166-ike-listen-not-ours.conf",
	  "bad/166-ike-listen-not-ours.conf:22: ike.listen[1]: 192.0.2.9 is not an "
	  "address of any port or ha.vips" },
	{ "167-ike-listen-trusted.conf",
	  "bad/167-ike-listen-trusted.conf:22: ike.listen[0]: 198.51.100.1 is an address "
	  "of port 'inside', which is trusted (IKE listens on untrusted ports)" },
	{ "168-ike-listen-twice.conf",
	  "bad/168-ike-listen-twice.conf:23: ike.listen[2]: 2001:db8:1::1 is listed "
	  "twice (also ike.listen[0])" },
	{ "169-ike-listen-prefix.conf",
	  "bad/169-ike-listen-prefix.conf:22: ike.listen[0]: '192.0.2.1/24' must be a "
	  "plain address, without /len" },
	{ "170-ike-no-untrusted-addr.conf",
	  "bad/170-ike-no-untrusted-addr.conf:19: ike: no untrusted port has an address "
	  "for IKE to listen on" },
	{ "171-ike-port-range.conf",
	  "bad/171-ike-port-range.conf:22: ike.port: 0 is out of range (1..65535)" },
	{ "172-ike-natt-same.conf",
	  "bad/172-ike-natt-same.conf:22: ike.port: 4500 is also ike.natt_port (by "
	  "default; NAT-T needs a port of its own)" },
	{ "173-ike-half-open-per-source.conf",
	  "bad/173-ike-half-open-per-source.conf:23: ike.half_open_per_source: 200 is "
	  "more than ike.half_open_max (100)" },
	{ "174-ike-cookie-threshold.conf",
	  "bad/174-ike-cookie-threshold.conf:23: ike.cookie_threshold: 101 is more than "
	  "ike.half_open_max (100): cookies would never be asked for" },
	{ "175-ike-retransmit-base-range.conf",
	  "bad/175-ike-retransmit-base-range.conf:22: ike.retransmit_base: 0.5 is out of "
	  "range (1.0..4.0)" },
	{ "176-ike-retransmit-base-string.conf",
	  "bad/176-ike-retransmit-base-string.conf:22: ike.retransmit_base: expected a "
	  "number, got a string" },
	{ "177-ike-fragment-size.conf",
	  "bad/177-ike-fragment-size.conf:22: ike.fragment_size: 500 is out of range "
	  "(576..65535)" },
	{ "178-ike-window-size.conf",
	  "bad/178-ike-window-size.conf:22: ike.window_size: 33 is out of range (1..32)" },
	{ "357-ike-window-size-zero.conf",
	  "bad/357-ike-window-size-zero.conf:22: ike.window_size: 0 is out of range (1..32)" },
	{ "179-ike-pool-duplicate-name.conf",
	  "bad/179-ike-pool-duplicate-name.conf:24: ike.pools[1].name: duplicate pool "
	  "name 'vip' (also ike.pools[0])" },
	{ "180-ike-pool-host-bits.conf",
	  "bad/180-ike-pool-host-bits.conf:22: ike.pools[0].addrs: '10.3.0.1/24' has "
	  "host bits set (did you mean 10.3.0.0/24?)" },
	{ "181-ike-pool-too-large.conf",
	  "bad/181-ike-pool-too-large.conf:22: ike.pools[0].addrs: '10.0.0.0/8' is too "
	  "large: a pool has at most 1048576 addresses (IPv4 /12, IPv6 /108)" },
	{ "182-ike-pool-range-backwards.conf",
	  "bad/182-ike-pool-range-backwards.conf:22: ike.pools[0].addrs: range "
	  "'10.3.0.99-10.3.0.10' is backwards" },
	{ "183-ike-pool-range-family.conf",
	  "bad/183-ike-pool-range-family.conf:22: ike.pools[0].addrs: range "
	  "'10.3.0.1-fd00::1': the last address is an IPv6 address, expected IPv4" },
	{ "184-ike-pool-overlap.conf",
	  "bad/184-ike-pool-overlap.conf:24: ike.pools[1].addrs: overlaps pool 'a' "
	  "(ike.pools[0])" },
	{ "185-ike-pool-port-address.conf",
	  "bad/185-ike-pool-port-address.conf:22: ike.pools[0].addrs: the pool holds "
	  "2001:db8:1::1, an address of port 'outside'" },
	{ "186-ike-pool-multicast.conf",
	  "bad/186-ike-pool-multicast.conf:22: ike.pools[0].addrs: pool address "
	  "224.0.1.1 is a multicast address" },
	{ "187-ike-pool-dns-bad.conf",
	  "bad/187-ike-pool-dns-bad.conf:22: ike.pools[0].dns[1]: 'dns.example.org' is "
	  "not an IP address" },
	{ "188-ike-pool-unknown-key.conf",
	  "bad/188-ike-pool-unknown-key.conf:22: unknown setting 'wins' in ike.pools[0] "
	  "(expected one of: name, addrs, dns)" },
	{ "189-ike-secret-id-duplicate.conf",
	  "bad/189-ike-secret-id-duplicate.conf:24: ike.secrets[1].ids[1]: identity "
	  "'Carol@Example.org' already has a secret (ike.secrets[0].ids[0])" },
	{ "190-ike-secret-id-any.conf",
	  "bad/190-ike-secret-id-any.conf:22: ike.secrets[0].ids[0]: '%any' matches any "
	  "identity: not allowed here (name one)" },
	{ "191-ike-secret-missing-file.conf",
	  "bad/191-ike-secret-missing-file.conf:22: ike.secrets[0]: missing required "
	  "setting 'file'" },
	{ "192-ike-secret-id-dn-attr.conf",
	  "bad/192-ike-secret-id-dn-attr.conf:22: ike.secrets[0].ids[0]: 'C=CH, "
	  "XY=Example' is not a valid DN identity (expected attr=value parts separated "
	  "by commas, attributes such as C, O, OU, CN, E)" },
	{ "193-ike-secret-id-dn.conf",
	  "bad/193-ike-secret-id-dn.conf:22: ike.secrets[0].ids[0]: 'C=CH, O' is not a "
	  "valid DN identity (expected attr=value parts separated by commas, attributes "
	  "such as C, O, OU, CN, E)" },
	{ "194-ike-secret-id-keyid.conf",
	  "bad/194-ike-secret-id-keyid.conf:22: ike.secrets[0].ids[0]: '@#0x12zz' is not "
	  "a valid identity" },
	{ "195-ike-conn-duplicate-name.conf",
	  "bad/195-ike-conn-duplicate-name.conf:32: ike.connections[1].name: duplicate "
	  "connection name 'rw' (also ike.connections[0])" },
	{ "196-ike-conn-version.conf",
	  "bad/196-ike-conn-version.conf:30: ike.connections[0].version: IKE version 1 "
	  "is not supported (only 2)" },
	{ "197-ike-conn-local-not-listen.conf",
	  "bad/197-ike-conn-local-not-listen.conf:31: ike.connections[0].local_addrs[0]: "
	  "2001:db8:1::1 is not one of ike.listen" },
	{ "198-ike-conn-remote-any-mixed.conf",
	  "bad/198-ike-conn-remote-any-mixed.conf:30: "
	  "ike.connections[0].remote_addrs[1]: %any cannot be combined with addresses" },
	{ "199-ike-conn-remote-ours.conf",
	  "bad/199-ike-conn-remote-ours.conf:30: ike.connections[0].remote_addrs[0]: "
	  "198.51.100.1 is an address of port 'inside' (the peer cannot be hagw itself)" },
	{ "200-ike-conn-remote-host-bits.conf",
	  "bad/200-ike-conn-remote-host-bits.conf:30: "
	  "ike.connections[0].remote_addrs[0]: '203.0.113.7/24' has host bits set (did "
	  "you mean 203.0.113.0/24?)" },
	{ "201-ike-conn-remote-family.conf",
	  "bad/201-ike-conn-remote-family.conf:31: ike.connections[0].remote_addrs: has "
	  "only IPv6 addresses, local_addrs only IPv4" },
	{ "202-ike-conn-missing-local.conf",
	  "bad/202-ike-conn-missing-local.conf:26: ike.connections[0]: missing required "
	  "setting 'local'" },
	{ "203-ike-conn-auth-unknown.conf",
	  "bad/203-ike-conn-auth-unknown.conf:29: ike.connections[0].remote.auth: "
	  "unknown auth 'eap' (expected psk or pubkey)" },
	{ "204-ike-conn-psk-no-secret.conf",
	  "bad/204-ike-conn-psk-no-secret.conf:28: ike.connections[0].local.auth: psk "
	  "needs a secret for 'erin@example.org' or 'gw.example.org' in ike.secrets" },
	{ "205-ike-conn-psk-no-secrets.conf",
	  "bad/205-ike-conn-psk-no-secrets.conf:25: ike.connections[0].local.auth: psk "
	  "needs a secret, but ike.secrets is empty" },
	{ "206-ike-conn-pubkey-no-cert.conf",
	  "bad/206-ike-conn-pubkey-no-cert.conf:25: ike.connections[0].local: missing "
	  "required setting 'cert'" },
	{ "207-ike-conn-cert-with-psk.conf",
	  "bad/207-ike-conn-cert-with-psk.conf:29: ike.connections[0].local.cert: cert "
	  "is only used with auth = \"pubkey\"" },
	{ "208-ike-conn-pubkey-no-cacerts.conf",
	  "bad/208-ike-conn-pubkey-no-cacerts.conf:26: ike.connections[0].remote: "
	  "missing required setting 'cacerts'" },
	{ "209-ike-conn-proposal-chars.conf",
	  "bad/209-ike-conn-proposal-chars.conf:30: ike.connections[0].proposals[1]: "
	  "unknown algorithm keyword 'AES256'" },
	{ "210-ike-conn-proposal-empty-keyword.conf",
	  "bad/210-ike-conn-proposal-empty-keyword.conf:30: "
	  "ike.connections[0].proposals[0]: empty algorithm keyword in 'aes128--sha256'" },
	{ "211-ike-conn-proposal-twice.conf",
	  "bad/211-ike-conn-proposal-twice.conf:31: ike.connections[0].proposals[1]: "
	  "proposal 'aes128-sha256-modp2048' is listed twice (also proposals[0])" },
	{ "212-ike-conn-proposals-too-many.conf",
	  "bad/212-ike-conn-proposals-too-many.conf:30: ike.connections[0].proposals: "
	  "has 9 entries, at most 8 are allowed" },
	{ "213-ike-conn-unknown-pool.conf",
	  "bad/213-ike-conn-unknown-pool.conf:31: ike.connections[0].pools[1]: unknown "
	  "pool 'vip6'" },
	{ "214-ike-conn-send-cert.conf",
	  "bad/214-ike-conn-send-cert.conf:30: ike.connections[0].send_cert: unknown "
	  "send_cert 'sometimes' (expected always, ifasked or never)" },
	{ "215-ike-conn-unique.conf",
	  "bad/215-ike-conn-unique.conf:30: ike.connections[0].unique: unknown unique "
	  "'yes' (expected no, never, replace or keep)" },
	{ "216-ike-conn-dpd-range.conf",
	  "bad/216-ike-conn-dpd-range.conf:30: ike.connections[0].dpd_delay: 100000 is "
	  "out of range (0..86400)" },
	{ "217-ike-conn-rekey-wrap.conf",
	  "bad/217-ike-conn-rekey-wrap.conf:30: ike.connections[0].rekey_time: "
	  "4294967296 is out of range (0..31536000)" },
	{ "218-ike-child-duplicate-name.conf",
	  "bad/218-ike-child-duplicate-name.conf:32: "
	  "ike.connections[0].children[1].name: duplicate CHILD SA name 'net' in "
	  "connection 'rw' (also children[0])" },
	{ "219-ike-child-ts-host-bits.conf",
	  "bad/219-ike-child-ts-host-bits.conf:33: "
	  "ike.connections[0].children[0].local_ts[1]: '10.2.3.4/16' has host bits set "
	  "(did you mean 10.2.0.0/16?)" },
	{ "220-ike-child-ts-syntax.conf",
	  "bad/220-ike-child-ts-syntax.conf:33: "
	  "ike.connections[0].children[0].local_ts[0]: '10.1.0.0/16[tcp/80' is not a "
	  "traffic selector (expected a prefix, an address, a range a-b or dynamic, "
	  "optionally followed by [protocol] or [protocol/ports])" },
	{ "221-ike-child-ts-proto.conf",
	  "bad/221-ike-child-ts-proto.conf:33: "
	  "ike.connections[0].children[0].remote_ts[0]: unknown protocol 'gre' in "
	  "'dynamic[gre]' (expected any, tcp, udp, sctp, icmp, ipv6-icmp or a number "
	  "0..255)" },
	{ "222-ike-child-ts-ports-proto.conf",
	  "bad/222-ike-child-ts-ports-proto.conf:33: "
	  "ike.connections[0].children[0].local_ts[0]: ports need protocol tcp, udp or "
	  "sctp (ICMP: the type), not 47" },
	{ "223-ike-child-ts-icmp-family.conf",
	  "bad/223-ike-child-ts-icmp-family.conf:33: "
	  "ike.connections[0].children[0].local_ts[0]: protocol icmp with an IPv6 "
	  "selector (use ipv6-icmp)" },
	{ "224-ike-child-ts-range-backwards.conf",
	  "bad/224-ike-child-ts-range-backwards.conf:33: "
	  "ike.connections[0].children[0].local_ts[0]: range '10.1.0.9-10.1.0.1' is "
	  "backwards" },
	{ "225-ike-child-transport-ts.conf",
	  "bad/225-ike-child-transport-ts.conf:34: "
	  "ike.connections[0].children[0].local_ts[0]: transport mode protects the outer "
	  "addresses only: use dynamic (optionally with [protocol/ports])" },
	{ "226-ike-child-life-below-rekey.conf",
	  "bad/226-ike-child-life-below-rekey.conf:34: "
	  "ike.connections[0].children[0].life_time: 3000 is not above rekey_time (3600)" },
	{ "227-ike-child-rand-time.conf",
	  "bad/227-ike-child-rand-time.conf:34: "
	  "ike.connections[0].children[0].rand_time: 600 is not below rekey_time (600)" },
	{ "228-ike-child-replay-multiple.conf",
	  "bad/228-ike-child-replay-multiple.conf:33: "
	  "ike.connections[0].children[0].replay_window: 100 is not a multiple of 64" },
	{ "229-ike-child-replay-range.conf",
	  "bad/229-ike-child-replay-range.conf:33: "
	  "ike.connections[0].children[0].replay_window: 8192 is out of range (64..4096)" },
	{ "230-ike-child-start-any.conf",
	  "bad/230-ike-child-start-any.conf:33: "
	  "ike.connections[0].children[0].start_action: 'start' initiates, but "
	  "remote_addrs of connection 'rw' is %any" },
	{ "231-ike-child-dpd-action.conf",
	  "bad/231-ike-child-dpd-action.conf:33: "
	  "ike.connections[0].children[0].dpd_action: unknown dpd_action 'hold' "
	  "(expected clear, restart or trap)" },
	{ "232-ike-child-dscp.conf",
	  "bad/232-ike-child-dscp.conf:33: ike.connections[0].children[0].dscp: 'af41' "
	  "is neither \"copy\" nor a number 0..63" },
	{ "233-ike-child-too-many.conf",
	  "bad/233-ike-child-too-many.conf:30: ike.connections[0].children: has 9 "
	  "entries, at most 8 are allowed" },
	{ "234-ike-child-unknown-key.conf",
	  "bad/234-ike-child-unknown-key.conf:33: unknown setting 'lifetime' in "
	  "ike.connections[0].children[0] (expected one of: name, local_ts, remote_ts, "
	  "esp_proposals, mode, rekey_time, life_time, rand_time, rekey_bytes, "
	  "life_bytes, rekey_packets, life_packets, replay_window, start_action, "
	  "dpd_action, close_action, df, dscp)" },
	{ "235-ike-child-life-bytes.conf",
	  "bad/235-ike-child-life-bytes.conf:34: "
	  "ike.connections[0].children[0].life_bytes: 1000000000 is not above "
	  "rekey_bytes (2000000000)" },
	{ "236-ike-id-keyword.conf",
	  "bad/236-ike-id-keyword.conf:29: ike.connections[0].remote.id: unknown "
	  "identity keyword '%anyone' (only %any)" },
	{ "237-ike-conn-name-chars.conf",
	  "bad/237-ike-conn-name-chars.conf:27: ike.connections[0].name: 'rw 1' has a "
	  "character other than A-Z a-z 0-9 _ . -" },
	{ "238-ike-secret-directory.conf",
	  "bad/238-ike-secret-directory.conf:23: ike.secrets[0].file: secret file bad/. "
	  "is not a regular file" },
	{ "239-ike-secret-not-found.conf",
	  "bad/239-ike-secret-not-found.conf:23: ike.secrets[0].file: cannot open secret "
	  "file bad/ike/none.psk: No such file or directory" },
	{ "240-ike-cert-not-found.conf",
	  "bad/240-ike-cert-not-found.conf:25: ike.connections[0].local.cert: cannot "
	  "open certificate bad/ike/none.pem: No such file or directory" },
	{ "241-ike-secret-ids-empty.conf",
	  "bad/241-ike-secret-ids-empty.conf:22: ike.secrets[0].ids: must not be empty" },
	{ "242-ike-pool-dns-too-many.conf",
	  "bad/242-ike-pool-dns-too-many.conf:23: ike.pools[0].dns: has 5 entries, at "
	  "most 4 are allowed" },
	{ "243-ike-child-ts-bad-address.conf",
	  "bad/243-ike-child-ts-bad-address.conf:33: "
	  "ike.connections[0].children[0].remote_ts[0]: '10.9.0.300/24' is not an IP "
	  "address" },
	{ "244-ike-child-ts-port-range.conf",
	  "bad/244-ike-child-ts-port-range.conf:33: "
	  "ike.connections[0].children[0].remote_ts[0]: port 70000 is out of range "
	  "(0..65535)" },
	{ "245-ike-conn-missing-auth.conf",
	  "bad/245-ike-conn-missing-auth.conf:29: ike.connections[0].remote: missing "
	  "required setting 'auth'" },
	{ "246-ike-conn-local-cacerts.conf",
	  "bad/246-ike-conn-local-cacerts.conf:28: unknown setting 'cacerts' in "
	  "ike.connections[0].local (expected one of: id, auth, cert, key)" },
	{ "247-ike-conn-proposal-no-group.conf",
	  "bad/247-ike-conn-proposal-no-group.conf:30: ike.connections[0].proposals[0]: "
	  "no key exchange group (e.g. x25519) in 'aes128-sha256'" },
	{ "248-ike-child-esp-sha384.conf",
	  "bad/248-ike-child-esp-sha384.conf:33: "
	  "ike.connections[0].children[0].esp_proposals[1]: 'sha384' is not valid in ESP "
	  "proposals" },
	{ "249-ike-child-esp-prf.conf",
	  "bad/249-ike-child-esp-prf.conf:33: "
	  "ike.connections[0].children[0].esp_proposals[0]: 'prfsha256' is not valid in "
	  "ESP proposals" },
	{ "250-ike-conn-proposal-mixed.conf",
	  "bad/250-ike-conn-proposal-mixed.conf:30: ike.connections[0].proposals[0]: "
	  "'aes128gcm16-aes128-sha256-x25519' mixes AEAD and non-AEAD ciphers: use two "
	  "proposals" },
	{ "251-ike-secret-id-spellings.conf",
	  "bad/251-ike-secret-id-spellings.conf:25: ike.secrets[1].ids[1]: identity "
	  "'@GW.Example.org' already has a secret (ike.secrets[0].ids[0])" },
	{ "252-ike-conn-vips-remote-any.conf",
	  "bad/252-ike-conn-vips-remote-any.conf:31: ike.connections[0].vips: virtual "
	  "IPs are asked for by an initiator, but remote_addrs is %any: this connection "
	  "only responds" },
	{ "253-ike-conn-vips-family-twice.conf",
	  "bad/253-ike-conn-vips-family-twice.conf:31: ike.connections[0].vips[1]: a "
	  "second IPv4 virtual IP (also vips[0]): one per family" },
	{ "254-ike-conn-vips-prefix.conf",
	  "bad/254-ike-conn-vips-prefix.conf:31: ike.connections[0].vips[0]: "
	  "'10.3.0.0/24' must be a plain address, without /len" },
	{ "255-ike-conn-vips-multicast.conf",
	  "bad/255-ike-conn-vips-multicast.conf:31: ike.connections[0].vips[0]: virtual "
	  "IP ff02::1 is a multicast address" },
	{ "256-ike-conn-vips-not-address.conf",
	  "bad/256-ike-conn-vips-not-address.conf:31: ike.connections[0].vips[0]: "
	  "'dhcp' is not an IP address" },
	{ "257-ike-conn-vips-empty.conf",
	  "bad/257-ike-conn-vips-empty.conf:31: ike.connections[0].vips: must not be "
	  "empty" },
	{ "258-ike-conn-vips-too-many.conf",
	  "bad/258-ike-conn-vips-too-many.conf:31: ike.connections[0].vips: has 3 "
	  "entries, at most 2 are allowed" },
};

const unsigned int n_ike_bad_cases = sizeof(ike_bad_cases) / sizeof(ike_bad_cases[0]);
