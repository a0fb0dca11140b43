/*
 * The IPsec bad files of tests/unit/config/bad/: each breaks one rule of
 * the ipsec, sas or policies sections (config/cfg_ipsec.c and the files it
 * names) on a line other than the first; the whole expected message.
 */
#include "test_config.h"

const struct bad_case ipsec_bad_cases[] = {
	{ "89-sa-unknown-key.conf",
	  "bad/89-sa-unknown-key.conf:35: unknown setting 'spii' in sas[1] (expected one "
	  "of: name, spi, direction, mode, algorithm, key, auth_key, local, remote, "
	  "udp_encap, local_port, remote_port, esn, replay_window, df, dscp, worker, "
	  "lifetime, selectors)" },
	{ "90-sa-missing-spi.conf",
	  "bad/90-sa-missing-spi.conf:32: sas[1]: missing required setting 'spi'" },
	{ "91-spi-reserved.conf",
	  "bad/91-spi-reserved.conf:34: sas[1].spi: SA \"c1-out\": SPI 255 is below 256 "
	  "(1..255 are reserved, RFC 4303 section 2.1)" },
	{ "92-spi-too-large-L.conf",
	  "bad/92-spi-too-large-L.conf:34: sas[1].spi: SA \"c1-out\": SPI 4294967296 "
	  "(0x100000000) is too large: 0xffffffff is the maximum" },
	{ "93-spi-wrap32.conf",
	  "bad/93-spi-wrap32.conf:34: sas[1].spi: SA \"c1-out\": SPI 4294967552 "
	  "(0x100000100) is too large: 0xffffffff is the maximum" },
	{ "94-spi-duplicate-in.conf",
	  "bad/94-spi-duplicate-in.conf:43: sas[2].spi: SA \"c2-in\": SPI 0x1001 is "
	  "already used by inbound SA \"c1-in\" (sas[0])" },
	{ "95-sa-duplicate-name.conf",
	  "bad/95-sa-duplicate-name.conf:33: sas[1].name: duplicate SA name 'c1-in' "
	  "(also sas[0])" },
	{ "96-sa-unknown-algorithm.conf",
	  "bad/96-sa-unknown-algorithm.conf:36: sas[1].algorithm: SA \"c1-out\": unknown "
	  "algorithm 'aes-ccm-128' (expected aes-gcm-128, aes-gcm-256, "
	  "aes-cbc-128-hmac-sha256, aes-cbc-256-hmac-sha256 or chacha20-poly1305)" },
	{ "97-key-no-0x.conf",
	  "bad/97-key-no-0x.conf:37: sas[1].key: SA \"c1-out\": key is not hex (expected "
	  "\"0x\" and hex digits)" },
	{ "98-key-not-hex.conf",
	  "bad/98-key-not-hex.conf:37: sas[1].key: SA \"c1-out\": key is not hex "
	  "(character 7 is not a hex digit)" },
	{ "99-key-odd-digits.conf",
	  "bad/99-key-odd-digits.conf:37: sas[1].key: SA \"c1-out\": key has an odd "
	  "number of hex digits (39)" },
	{ "100-key-length-gcm.conf",
	  "bad/100-key-length-gcm.conf:37: sas[1].key: SA \"c1-out\": key is 16 bytes, "
	  "aes-gcm-128 needs 20 (16-byte key + 4-byte salt)" },
	{ "101-key-length-cbc.conf",
	  "bad/101-key-length-cbc.conf:37: sas[1].key: SA \"c1-out\": key is 36 bytes, "
	  "aes-cbc-256-hmac-sha256 needs 32" },
	{ "102-auth-key-length.conf",
	  "bad/102-auth-key-length.conf:40: sas[1].auth_key: SA \"c1-out\": auth_key is "
	  "20 bytes, aes-cbc-128-hmac-sha256 needs 32" },
	{ "103-auth-key-aead.conf",
	  "bad/103-auth-key-aead.conf:40: sas[1].auth_key: SA \"c1-out\": auth_key is "
	  "not used by aes-gcm-128 (AEAD: the key also authenticates)" },
	{ "104-auth-key-missing.conf",
	  "bad/104-auth-key-missing.conf:32: sas[1]: SA \"c1-out\": "
	  "aes-cbc-128-hmac-sha256 needs auth_key (32 bytes of HMAC-SHA-256 key)" },
	{ "105-sa-local-not-ours.conf",
	  "bad/105-sa-local-not-ours.conf:38: sas[1].local: SA \"c1-out\": local "
	  "192.0.2.9 is not an address of any port" },
	{ "106-sa-outer-family.conf",
	  "bad/106-sa-outer-family.conf:39: sas[1].remote: SA \"c1-out\": remote "
	  "2001:db8:1::2 is IPv6 but local 192.0.2.1 is IPv4" },
	{ "107-sa-port-no-encap.conf",
	  "bad/107-sa-port-no-encap.conf:40: sas[1].local_port: SA \"c1-out\": "
	  "local_port is only used with udp_encap = true" },
	{ "108-sa-port-range.conf",
	  "bad/108-sa-port-range.conf:41: sas[1].remote_port: SA \"c1-out\": remote_port "
	  "0 is out of range (1..65535)" },
	{ "109-replay-outbound.conf",
	  "bad/109-replay-outbound.conf:40: sas[1].replay_window: SA \"c1-out\": "
	  "replay_window is for inbound SAs only (the receiver keeps the window)" },
	{ "110-replay-range.conf",
	  "bad/110-replay-range.conf:31: sas[0].replay_window: SA \"c1-in\": "
	  "replay_window 8192 is out of range (64..4096)" },
	{ "111-replay-multiple.conf",
	  "bad/111-replay-multiple.conf:31: sas[0].replay_window: SA \"c1-in\": "
	  "replay_window 100 is not a multiple of 64" },
	{ "112-dscp-range.conf",
	  "bad/112-dscp-range.conf:40: sas[1].dscp: SA \"c1-out\": dscp 64 is out of "
	  "range (0..63)" },
	{ "113-dscp-name.conf",
	  "bad/113-dscp-name.conf:40: sas[1].dscp: SA \"c1-out\": dscp 'ef' is neither "
	  "\"copy\" nor a number 0..63" },
	{ "114-df-unknown.conf",
	  "bad/114-df-unknown.conf:40: sas[1].df: SA \"c1-out\": unknown df 'keep' "
	  "(expected copy, set or clear)" },
	{ "115-worker-not-worker.conf",
	  "bad/115-worker-not-worker.conf:31: sas[0].worker: SA \"c1-in\": lcore 0 runs "
	  "no worker (workers: lcore 1, 2)" },
	{ "116-worker-outbound.conf",
	  "bad/116-worker-outbound.conf:40: sas[1].worker: SA \"c1-out\": worker is for "
	  "inbound SAs only (the worker that owns the replay window)" },
	{ "117-lifetime-bytes.conf",
	  "bad/117-lifetime-bytes.conf:42: sas[1].lifetime.soft_bytes: SA \"c1-out\": "
	  "soft_bytes 20000000000 is above hard_bytes 10000000000" },
	{ "118-lifetime-packets.conf",
	  "bad/118-lifetime-packets.conf:42: sas[1].lifetime.soft_packets: SA "
	  "\"c1-out\": soft_packets 1001 is above hard_packets 1000" },
	{ "119-lifetime-unknown-key.conf",
	  "bad/119-lifetime-unknown-key.conf:41: unknown setting 'soft_byte' in "
	  "sas[1].lifetime (expected one of: soft_bytes, hard_bytes, soft_packets, "
	  "hard_packets)" },
	{ "120-lifetime-negative.conf",
	  "bad/120-lifetime-negative.conf:41: sas[1].lifetime.hard_packets: SA "
	  "\"c1-out\": hard_packets -1 is out of range (0..9223372036854775807)" },
	{ "121-selector-host-bits.conf",
	  "bad/121-selector-host-bits.conf:41: sas[1].selectors[0].local: "
	  "'203.0.113.9/24' has host bits set (did you mean 203.0.113.0/24?)" },
	{ "122-selector-prefix-len.conf",
	  "bad/122-selector-prefix-len.conf:41: sas[1].selectors[0].remote: "
	  "'10.9.0.0/33' has prefix length 33, allowed 0..32" },
	{ "123-selector-family.conf",
	  "bad/123-selector-family.conf:41: sas[1].selectors[0].remote: remote is IPv6 "
	  "but local is IPv4" },
	{ "124-selector-ports-any.conf",
	  "bad/124-selector-ports-any.conf:41: sas[1].selectors[0].local_ports: ports "
	  "need protocol tcp, udp or sctp (ICMP: type and code), not any" },
	{ "125-selector-ports-gre.conf",
	  "bad/125-selector-ports-gre.conf:42: sas[1].selectors[1].remote_ports: ports "
	  "need protocol tcp, udp or sctp (ICMP: type and code), not 47" },
	{ "126-selector-icmp-type.conf",
	  "bad/126-selector-icmp-type.conf:41: sas[1].selectors[0].local_ports: ICMP "
	  "type 300 is out of range (0..255)" },
	{ "127-selector-icmp-family.conf",
	  "bad/127-selector-icmp-family.conf:41: sas[1].selectors[0].protocol: protocol "
	  "icmp with IPv6 selectors (use ipv6-icmp)" },
	{ "128-selector-port-backwards.conf",
	  "bad/128-selector-port-backwards.conf:41: sas[1].selectors[0].remote_ports: "
	  "port range 2000-1000 is backwards (2000 > 1000)" },
	{ "129-selector-port-syntax.conf",
	  "bad/129-selector-port-syntax.conf:41: sas[1].selectors[0].local_ports: "
	  "'80:90' is not a port range (expected \"any\", N or N-M)" },
	{ "130-selector-port-range.conf",
	  "bad/130-selector-port-range.conf:41: sas[1].selectors[0].local_ports: port "
	  "65536 is out of range (0..65535)" },
	{ "131-selector-protocol.conf",
	  "bad/131-selector-protocol.conf:41: sas[1].selectors[0].protocol: unknown "
	  "protocol 'gre' (expected any, tcp, udp, sctp, icmp, ipv6-icmp or a number "
	  "0..255)" },
	{ "132-selector-too-many.conf",
	  "bad/132-selector-too-many.conf:40: sas[1].selectors: has 5 entries, at most 4 "
	  "are allowed" },
	{ "133-selector-unknown-key.conf",
	  "bad/133-selector-unknown-key.conf:41: unknown setting 'ports' in "
	  "sas[1].selectors[0] (expected one of: local, remote, protocol, local_ports, "
	  "remote_ports)" },
	{ "134-transport-family.conf",
	  "bad/134-transport-family.conf:42: sas[1].selectors[0]: SA \"c1-out\": a "
	  "transport-mode SA between IPv4 addresses cannot carry IPv6 traffic" },
	{ "135-sa-remote-ours.conf",
	  "bad/135-sa-remote-ours.conf:39: sas[1].remote: SA \"c1-out\": remote "
	  "198.51.100.1 is an address of port 'inside' (the peer cannot be hagw itself)" },
	{ "136-sa-name-chars.conf",
	  "bad/136-sa-name-chars.conf:33: sas[1].name: 'c1 out' has a character other "
	  "than A-Z a-z 0-9 _ . -" },
	{ "137-sa-direction.conf",
	  "bad/137-sa-direction.conf:35: sas[1].direction: SA \"c1-out\": unknown "
	  "direction 'both' (expected in or out)" },
	{ "138-sa-missing-key.conf",
	  "bad/138-sa-missing-key.conf:32: sas[1]: missing required setting 'key'" },
	{ "139-sas-not-list.conf",
	  "bad/139-sas-not-list.conf:22: sas: expected a list, got a group" },
	{ "140-policy-action.conf",
	  "bad/140-policy-action.conf:43: policies[0].action: unknown action 'encrypt' "
	  "(expected bypass, discard or protect)" },
	{ "141-policy-protect-no-sa.conf",
	  "bad/141-policy-protect-no-sa.conf:43: policies[0]: action protect needs 'sa' "
	  "(an outbound SA)" },
	{ "142-policy-bypass-sa.conf",
	  "bad/142-policy-bypass-sa.conf:44: policies[1].sa: action bypass takes no SA "
	  "(only protect does)" },
	{ "143-policy-unknown-sa.conf",
	  "bad/143-policy-unknown-sa.conf:43: policies[0].sa: unknown SA 'c9-out'" },
	{ "144-policy-inbound-sa.conf",
	  "bad/144-policy-inbound-sa.conf:43: policies[0].sa: SA \"c1-in\" is inbound; a "
	  "policy protects with an outbound SA" },
	{ "145-policy-sa-family.conf",
	  "bad/145-policy-sa-family.conf:46: policies[0].sa: SA \"c1-out\" carries no "
	  "IPv6 traffic (its selectors)" },
	{ "146-policy-unknown-key.conf",
	  "bad/146-policy-unknown-key.conf:43: unknown setting 'prio' in policies[0] "
	  "(expected one of: priority, action, sa, local, remote, protocol, local_ports, "
	  "remote_ports, client)" },
	{ "147-policy-missing-remote.conf",
	  "bad/147-policy-missing-remote.conf:43: policies[0]: missing required setting "
	  "'remote'" },
	{ "148-policy-priority-range.conf",
	  "bad/148-policy-priority-range.conf:43: policies[0].priority: 2147483648 is "
	  "out of range (0..2147483647)" },
	{ "149-policy-priority-twice.conf",
	  "bad/149-policy-priority-twice.conf:45: policies[2].priority: priority 100 is "
	  "already used by policies[0] (IPv4); the order of equal priorities would be "
	  "undefined" },
	{ "150-policy-selector-family.conf",
	  "bad/150-policy-selector-family.conf:43: policies[0].remote: remote is IPv4 "
	  "but local is IPv6" },
	{ "151-client-extra-key.conf",
	  "bad/151-client-extra-key.conf:44: policies[1].priority: a client policy takes "
	  "only 'client' and 'sa' (selectors and actions belong to selector policies)" },
	{ "152-client-host-bits.conf",
	  "bad/152-client-host-bits.conf:43: policies[0].client: '10.9.0.6/24' has host "
	  "bits set (did you mean 10.9.0.0/24?)" },
	{ "153-client-duplicate.conf",
	  "bad/153-client-duplicate.conf:45: policies[2].client: duplicate client prefix "
	  "10.9.0.6/32 (also policies[0])" },
	{ "154-client-family.conf",
	  "bad/154-client-family.conf:46: policies[0].sa: SA \"c1-out\" carries no IPv6 "
	  "traffic (its selectors)" },
	{ "155-client-inbound-sa.conf",
	  "bad/155-client-inbound-sa.conf:43: policies[0].sa: SA \"c1-in\" is inbound; a "
	  "policy protects with an outbound SA" },
	{ "156-ipsec-default-policy.conf",
	  "bad/156-ipsec-default-policy.conf:23: ipsec.default_policy: unknown "
	  "default_policy 'protect' (expected bypass or discard)" },
	{ "157-ipsec-max-sas.conf",
	  "bad/157-ipsec-max-sas.conf:23: ipsec.max_sas: 8 is out of range (16..1048576)" },
	{ "158-ipsec-max-policies-wrap.conf",
	  "bad/158-ipsec-max-policies-wrap.conf:23: ipsec.max_policies: 4294967297 is "
	  "out of range (1..65536)" },
	{ "159-ipsec-unknown-key.conf",
	  "bad/159-ipsec-unknown-key.conf:23: unknown setting 'max_sa' in ipsec "
	  "(expected one of: default_policy, max_sas, max_policies, max_clients)" },
	{ "160-too-many-sas.conf",
	  "bad/160-too-many-sas.conf:25: sas: has 17 SAs, more than ipsec.max_sas (16)" },
	{ "161-too-many-policies.conf",
	  "bad/161-too-many-policies.conf:48: policies[2]: more than 1 IPv4 selector "
	  "policies (ipsec.max_policies)" },
	{ "162-sa-mode.conf",
	  "bad/162-sa-mode.conf:40: sas[1].mode: SA \"c1-out\": unknown mode 'tunel' "
	  "(expected tunnel or transport)" },
	{ "163-key-not-string.conf",
	  "bad/163-key-not-string.conf:37: sas[1].key: expected a string, got an integer" },
};

const unsigned int n_ipsec_bad_cases = sizeof(ipsec_bad_cases) / sizeof(ipsec_bad_cases[0]);
