# strongSwan (charon + swanctl, Debian 12's 5.9.8) as a real IKEv2 peer in a network namespace.
# Source it after lib.sh. Each instance lives in its own directory DIR (its strongswan.conf,
# swanctl/ tree, run/ bind-mounted over /run, vici socket, charon.log, charon.pid).
#
#   swan_check_install                 fatal unless charon, swanctl and the plugins are there
#   swan_setup DIR NS                  creates DIR, writes DIR/strongswan.conf for namespace NS
#   swan_conf DIR KEY=VALUE...         appends one connection to DIR/swanctl/swanctl.conf:
#        conn=NAME child=NAME (default "net") version=2 local_addrs= remote_addrs=
#        auth=psk|pubkey (both ends; or local_auth= remote_auth=) psk=SECRET
#        local_id= remote_id= cert=FILE key=FILE (copied into swanctl/) ca=FILE (trusted)
#        ike_proposals= (default "default") esp_proposals= (default "default")
#        local_ts= remote_ts= (default dynamic) vips= (e.g. 0.0.0.0) pools=NAME
#        pool_addrs=CIDR (defines pool "pools" with those addrs) mode= (tunnel)
#        start_action= (none) dpd_delay= rekey_time= (IKE SA) child_rekey_time= encap=yes|no
#        send_certreq= send_cert= (ifasked) mobike= (swanctl's default: yes) fragmentation=
#   swan_start VAR DIR                 starts charon in DIR's namespace, pid in VAR; waits for vici
#   swan_ctl DIR ARGS...               swanctl against DIR's charon
#   swan_reset DIR                     empties swanctl.conf and the certificate/key dirs
#   swan_load DIR                      swanctl --load-all --clear (fails on any load error;
#                                      connections no longer in swanctl.conf are unloaded)
#   swan_initiate DIR CHILD [TIMEOUT]  swanctl --initiate --child CHILD (0 if established)
#   swan_sas DIR                       the SAs as JSON: {"CONN": {... "child-sas": {...}}}
#   swan_sa_field DIR EXPR             EXPR (Python over d = swan_sas) or "missing"
#   swan_wait DIR EXPR WANT [TRIES]    polls swan_sa_field until it prints WANT
#   swan_log_mark DIR / swan_log_since DIR MARK   the charon log lines written after a mark
#   swan_terminate_all DIR             deletes every IKE SA (forced), waits for none
#   swan_stop DIR                      SIGTERM to charon by pid, SIGKILL after 5 s, reaped
#   swan_log DIR                       prints DIR/charon.log
#   swan_save_logs DIR NAME            copies charon.log to LAB_SAVE_LOGS
#   swan_topology                      namespaces LAB_NS_C / LAB_NS_GW, veth, lan0 (below)
#   kv_field PREFIX KEY                KEY=... of the last stdin line starting "PREFIX "
#   ish_start / ish_wait / ish_field / ish_count / ish_dump / ish_stop: tools/ike_sock_host
#                                      in LAB_NS_GW (the other end of the interop tests)
#
# Traps handled here (see /work/shared/docs/lab.md): load_modular = no with an explicit list
# (kernel-libipsec before kernel-netlink: userspace ESP on a TUN "ipsec0", which always
# UDP-encapsulates on 4500); one strongswan.conf setting per line; a private /run per charon
# (compiled-in /var/run/charon.pid); DoS limits raised so tests may set up SAs quickly;
# IKE and ESP-in-UDP marked (fwmark) so that libipsec's routes (table 220) never swallow
# charon's own packets when a traffic selector covers the peer's address.

SWAN_CHARON=/usr/lib/ipsec/charon
# The smallest set that works with Debian 12's 5.9.8 (tried): without kdf, IKE key
# derivation fails with OpenSSL 3; openssl brings AES-GCM, ECP, X25519/X448, RSA/ECDSA;
# constraints enforces certificate path lengths (the PKI has a pathlen-0 intermediate).
SWAN_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints kdf"
SWAN_PLUGINS+=" kernel-libipsec kernel-netlink socket-default vici"
SWAN_SWANCTL_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints"
SWAN_PIDS=()

swan_check_install() {
	local p
	[ -x "$SWAN_CHARON" ] ||
		fatal "strongSwan charon missing ($SWAN_CHARON): scripts/install-deps.sh"
	command -v swanctl >/dev/null || fatal "swanctl missing: scripts/install-deps.sh"
	for p in $SWAN_PLUGINS; do
		[ -f "/usr/lib/ipsec/plugins/libstrongswan-$p.so" ] ||
			fatal "strongSwan plugin $p missing: scripts/install-deps.sh"
	done
}

# swan_setup DIR NS
swan_setup() {
	local dir=$1 ns=$2 d
	mkdir -p "$dir/run" || return 1
	for d in conf.d x509 x509ca x509aa x509ac x509crl x509ocsp private rsa ecdsa bliss pkcs8 \
		pkcs12 pubkey; do
		mkdir -p "$dir/swanctl/$d" || return 1
	done
	chmod 700 "$dir/swanctl/private" "$dir/swanctl/pkcs8" "$dir/swanctl/rsa" \
		"$dir/swanctl/ecdsa"
	echo "$ns" >"$dir/ns"
	: >"$dir/swanctl/swanctl.conf"
	chmod 600 "$dir/swanctl/swanctl.conf"
	cat >"$dir/strongswan.conf" <<EOF
# strongSwan instance in namespace $ns (tests/integration/swan.sh)
charon {
	load_modular = no
	load = $SWAN_PLUGINS
	install_routes = yes
	block_threshold = 1000
	cookie_threshold = 1000
	cookie_threshold_ip = 1000
	init_limit_half_open = 1000
	retransmit_tries = 3
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	filelog {
		charon {
			path = $dir/charon.log
			time_format = %T
			ike_name = yes
			append = no
			default = 1
			ike = 2
			cfg = 2
			enc = 1
			knl = 1
			flush_line = yes
		}
	}
	syslog {
		identifier = charon-$ns
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
		kernel-libipsec {
			allow_peer_ts = yes
		}
		# IKE and UDP-encapsulated ESP (both leave through socket-default) must not
		# follow libipsec's routes (table 220) into ipsec0 when a traffic selector
		# covers the peer's own address: they carry a mark the routing rule skips.
		socket-default {
			fwmark = 0x42
		}
		kernel-netlink {
			fwmark = !0x42
		}
	}
}
swanctl {
	socket = unix://$dir/charon.vici
	load = $SWAN_SWANCTL_PLUGINS
}
EOF
}

swan_ns() { cat "$1/ns"; }

# swan_kv KEY: the value of KEY in the associative array SWAN_KV ("" if unset).
swan_kv() { printf '%s' "${SWAN_KV[$1]:-${2:-}}"; }

# swan_conf_auth SIDE(local|remote) AUTH
swan_conf_auth() {
	local side=$1 auth=$2 id
	id=$(swan_kv "${side}_id")
	echo "		$side {"
	echo "			auth = $auth"
	[ -n "$id" ] && echo "			id = $id"
	if [ "$side" = local ] && [ "$auth" = pubkey ] && [ -n "$(swan_kv cert)" ]; then
		echo "			certs = $(basename "$(swan_kv cert)")"
	fi
	echo "		}"
}

swan_conf_child() {
	local child v k
	child=$(swan_kv child net)
	echo "		children {"
	echo "			$child {"
	for k in local_ts remote_ts esp_proposals mode start_action dpd_action close_action; do
		v=$(swan_kv "$k")
		[ -n "$v" ] && echo "				$k = $v"
	done
	v=$(swan_kv child_rekey_time)
	[ -n "$v" ] && echo "				rekey_time = $v"
	echo "			}"
	echo "		}"
}

# swan_conf DIR KEY=VALUE...: one connection (and its secret, pool, certificates).
swan_conf() {
	local dir=$1 kv k v conn f auth
	shift
	declare -gA SWAN_KV=()
	for kv in "$@"; do
		SWAN_KV[${kv%%=*}]=${kv#*=}
	done
	conn=$(swan_kv conn home)
	auth=$(swan_kv auth psk)
	for f in cert ca; do
		v=$(swan_kv "$f")
		[ -n "$v" ] || continue
		[ "$f" = cert ] && cp -f "$v" "$dir/swanctl/x509/" && continue
		cp -f "$v" "$dir/swanctl/x509ca/"
	done
	v=$(swan_kv key)
	[ -n "$v" ] && { cp -f "$v" "$dir/swanctl/private/" && chmod 600 "$dir/swanctl/private/"*; }
	{
		echo "connections {"
		echo "	$conn {"
		echo "		version = $(swan_kv version 2)"
		for k in local_addrs remote_addrs vips pools dpd_delay rekey_time encap \
			send_certreq send_cert mobike fragmentation; do
			v=$(swan_kv "$k")
			[ -n "$v" ] && echo "		$k = $v"
		done
		echo "		proposals = $(swan_kv ike_proposals default)"
		swan_conf_auth local "$(swan_kv local_auth "$auth")"
		swan_conf_auth remote "$(swan_kv remote_auth "$auth")"
		swan_conf_child
		echo "	}"
		echo "}"
		v=$(swan_kv psk)
		if [ -n "$v" ]; then
			echo "secrets {"
			echo "	ike-$conn {"
			echo "		secret = \"$v\""
			echo "	}"
			echo "}"
		fi
		v=$(swan_kv pool_addrs)
		if [ -n "$v" ]; then
			echo "pools {"
			echo "	$(swan_kv pools pool) {"
			echo "		addrs = $v"
			echo "	}"
			echo "}"
		fi
	} >>"$dir/swanctl/swanctl.conf"
}

# swan_start VAR DIR: charon in DIR's namespace with DIR/run as /run; VAR gets charon's pid.
swan_start() {
	local var=$1 dir=$2 ns pid i
	ns=$(swan_ns "$dir")
	: >"$dir/charon.log"
	# ip, unshare, sh and env all exec: the pid is charon's.
	ip netns exec "$ns" unshare --mount --propagation private sh -c \
		'mount --bind "$1/run" /run && exec env STRONGSWAN_CONF="$1/strongswan.conf" "$2"' \
		sh "$dir" "$SWAN_CHARON" </dev/null >"$dir/charon.stderr" 2>&1 &
	pid=$!
	SWAN_PIDS+=("$pid")
	T_BG_PIDS+=("$pid")
	echo "$pid" >"$dir/charon.pid"
	printf -v "$var" '%s' "$pid"
	for i in $(seq 100); do
		if ! lab_alive "$pid"; then
			t_log "charon ($dir) exited: $(cat "$dir/charon.stderr")" \
				"$(tail -n 20 "$dir/charon.log")"
			return 1
		fi
		swan_ctl "$dir" --stats >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	t_log "charon ($dir) vici socket did not answer"
	return 1
}

swan_ctl() {
	local dir=$1
	shift
	STRONGSWAN_CONF=$dir/strongswan.conf SWANCTL_DIR=$dir/swanctl swanctl "$@"
}

# swan_reset DIR: forgets the connections, secrets and certificates written so far (the next
# swan_load unloads them from charon).
swan_reset() {
	local d
	: >"$1/swanctl/swanctl.conf"
	for d in x509 x509ca private; do
		rm -f "$1/swanctl/$d/"*
	done
}

# swanctl --load-all --clear prints "loaded ..." and "successfully loaded N ..." lines; any
# "failed"/"error" line is a failure.
swan_load() {
	local out
	out=$(swan_ctl "$1" --load-all --clear --noprompt 2>&1)
	if grep -qiE 'fail|error' <<<"$out"; then
		t_log "swanctl --load-all ($1): $out"
		return 1
	fi
	return 0
}

# swan_initiate DIR CHILD [TIMEOUT] [IKE]
swan_initiate() {
	local dir=$1 child=$2 timeout=${3:-10} ike=${4:-}
	if [ -n "$ike" ]; then
		swan_ctl "$dir" --initiate --child "$child" --ike "$ike" --timeout "$timeout" 2>&1
	else
		swan_ctl "$dir" --initiate --child "$child" --timeout "$timeout" 2>&1
	fi
}

# The vici list-sas stream (swanctl --raw) as one JSON object keyed by IKE SA name; each
# value holds the IKE SA's keys (state, local-host, remote-host, initiator-spi, ...,
# local-vips, child-sas {NAME-ID: {state, spi-in, spi-out, encr-alg, ...}}).
swan_sas() {
	swan_ctl "$1" --list-sas --raw 2>/dev/null | "$PY" -c '
import json, re, sys
tok = re.compile(r"\s*(?:(\{)|(\})|(\[)|(\])|([^\s=\{\}\[\]]+)=([^\s\{\}\[\]]*)|([^\s=\{\}\[\]]+))")
out = {}
for line in sys.stdin:
    pos, stack, key = 0, [], None
    line = line.strip()
    cur = None
    root = {}
    while pos < len(line):
        m = tok.match(line, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        ob, cb, ol, cl, k, v, word = m.groups()
        if k is not None and v == "" and line[pos:pos + 1] in "[{":
            key = k
        elif k is not None:
            if isinstance(cur, list):
                cur.append(k + "=" + v)
            else:
                cur[k] = v
        elif word is not None:
            if isinstance(cur, list):
                cur.append(word)
            else:
                key = word
        elif ob:
            if cur is None:
                cur = root
                continue
            new = {}
            cur[key] = new
            stack.append(cur)
            cur = new
        elif ol:
            new = []
            cur[key] = new
            stack.append(cur)
            cur = new
        elif cb or cl:
            cur = stack.pop() if stack else None
    if line.startswith("list-sa event"):
        out.update({k: v for k, v in root.items()})
print(json.dumps(out))
'
}

# swan_sa_field DIR EXPR: a Python expression over d (swan_sas); "missing" if it fails.
swan_sa_field() {
	swan_sas "$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
try:
    v = eval(sys.argv[1])
except Exception:
    v = "missing"
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$2"
}

# swan_wait DIR EXPR WANT [TRIES]: polls swan_sa_field until it prints WANT (0.2 s apart).
swan_wait() {
	local i got
	for i in $(seq "${4:-50}"); do
		got=$(swan_sa_field "$1" "$2")
		[ "$got" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

# swan_terminate_all DIR: deletes every IKE SA charon holds (--force: without waiting for the
# peer), then waits until list-sas is empty. Tests call it between cases.
swan_terminate_all() {
	local name
	for name in $(swan_sa_field "$1" "' '.join(d.keys())"); do
		[ "$name" = missing ] && continue
		swan_ctl "$1" --terminate --ike "$name" --force --timeout 3 >/dev/null 2>&1
	done
	swan_wait "$1" "len(d)" 0
}

swan_stop() {
	local dir=$1 pid i
	[ -s "$dir/charon.pid" ] || return 0
	pid=$(cat "$dir/charon.pid")
	if lab_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 50); do
			lab_alive "$pid" || break
			sleep 0.1
		done
		lab_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/charon.pid"
}

swan_log() { cat "$1/charon.log" "$1/charon.stderr" 2>/dev/null; }

# swan_log_mark DIR: a mark (the log's line count); swan_log_since DIR MARK: lines after it.
swan_log_mark() { wc -l <"$1/charon.log"; }
swan_log_since() { tail -n +$(($2 + 1)) "$1/charon.log"; }

# swan_save_logs DIR NAME: copies the instance's log to LAB_SAVE_LOGS (if set).
swan_save_logs() {
	[ -n "${LAB_SAVE_LOGS:-}" ] || return 0
	mkdir -p "$LAB_SAVE_LOGS"
	cp -f "$1/charon.log" "$LAB_SAVE_LOGS/$2-charon.log" 2>/dev/null || true
}

# Two namespaces of the lab (LAB_NS_C "client", LAB_NS_GW "gateway") without hagw:
#   client  c-gw 198.51.100.2/24, 2001:db8:1::2/64  ---veth---  gw-c 198.51.100.1/24,
#   2001:db8:1::1/64 (gateway); behind the gateway a dummy "lan0" 203.0.113.1/24,
#   2001:db8:3::1/64 (the protected network). Virtual IPs come from 192.0.2.0/24 and
#   2001:db8:2::/64. lab_down (t_cleanup) removes both namespaces.
SWAN_C4=198.51.100.2
SWAN_GW4=198.51.100.1
SWAN_C6=2001:db8:1::2
SWAN_GW6=2001:db8:1::1
SWAN_LAN4=203.0.113.1
SWAN_LAN6=2001:db8:3::1
SWAN_LAN_NET4=203.0.113.0/24
SWAN_LAN_NET6=2001:db8:3::/64

swan_topology() {
	local ns
	for ns in "$LAB_NS_C" "$LAB_NS_GW"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		lab_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 &&
		lab_sysctl "$ns" net.ipv6.conf.default.accept_dad=0 || return 1
	done
	ip -n "$LAB_NS_C" link add "$LAB_IF_C" type veth peer name "$LAB_IF_GWC" \
		netns "$LAB_NS_GW" &&
	ip -n "$LAB_NS_C" addr add "$SWAN_C4/24" dev "$LAB_IF_C" &&
	ip -n "$LAB_NS_C" addr add "$SWAN_C6/64" dev "$LAB_IF_C" nodad &&
	ip -n "$LAB_NS_GW" addr add "$SWAN_GW4/24" dev "$LAB_IF_GWC" &&
	ip -n "$LAB_NS_GW" addr add "$SWAN_GW6/64" dev "$LAB_IF_GWC" nodad &&
	ip -n "$LAB_NS_C" link set "$LAB_IF_C" up &&
	ip -n "$LAB_NS_GW" link set "$LAB_IF_GWC" up || return 1
	if ! ip -n "$LAB_NS_GW" link add lan0 type dummy 2>/dev/null; then
		ip -n "$LAB_NS_GW" link add lan0 type veth peer name lan0p &&
		ip -n "$LAB_NS_GW" link set lan0p up || return 1
	fi
	ip -n "$LAB_NS_GW" addr add "$SWAN_LAN4/24" dev lan0 &&
	ip -n "$LAB_NS_GW" addr add "$SWAN_LAN6/64" dev lan0 nodad &&
	ip -n "$LAB_NS_GW" link set lan0 up
}

# ---- ike_sock_host (tools/ike_sock_host.c): hagw's IKE library on UDP sockets, the other end
# of the strongSwan interop tests. Its stdout (one event a line, see the tool's header) goes to
# $T_TMP/ish-NAME.out, its stderr to $LAB_DIR/ish-NAME.stderr (lab_down scans it for sanitizer
# reports).
ISH_BIN=${IKE_SOCK_HOST_BIN:-${HAGW_BIN%/control/hagw}/tools/ike_sock_host}

# ish_start VAR NAME CONF [ARGS...]: starts it in LAB_NS_GW, waits for its "ready" line.
ish_start() {
	local var=$1 name=$2 conf=$3 pid i
	shift 3
	mkdir -p "$LAB_DIR"
	ip netns exec "$LAB_NS_GW" "$ISH_BIN" --config "$conf" --log-level debug "$@" \
		</dev/null >"$T_TMP/ish-$name.out" 2>"$LAB_DIR/ish-$name.stderr" &
	pid=$!
	T_BG_PIDS+=("$pid")
	printf -v "$var" '%s' "$pid"
	for i in $(seq 100); do
		grep -q '^ready ' "$T_TMP/ish-$name.out" 2>/dev/null && return 0
		lab_alive "$pid" || break
		sleep 0.05
	done
	t_log "ike_sock_host ($name) did not start: $(cat "$LAB_DIR/ish-$name.stderr")"
	return 1
}

ish_out() { cat "$T_TMP/ish-$1.out" 2>/dev/null; }

# ish_wait NAME REGEX [TRIES]: polls its output (0.1 s apart) for a line matching REGEX.
ish_wait() {
	local i
	for i in $(seq "${3:-100}"); do
		grep -qE -- "$2" "$T_TMP/ish-$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# kv_field PREFIX KEY: the value of KEY=... in the last line of stdin starting "PREFIX ".
kv_field() {
	awk -v p="$1" -v k="$2" '$1 == p { v = "missing"; for (i = 2; i <= NF; i++)
		if (index($i, k "=") == 1) v = substr($i, length(k) + 2); last = v }
		END { print (last == "" ? "missing:" p "." k : last) }'
}

# ish_field NAME PREFIX KEY: kv_field over its output.
ish_field() { kv_field "$2" "$3" <"$T_TMP/ish-$1.out"; }

# ish_count NAME REGEX: lines of its output matching REGEX.
ish_count() { grep -cE -- "$2" "$T_TMP/ish-$1.out" 2>/dev/null; }

# ish_dump PID NAME: SIGUSR1, then prints the dump it writes (sa-count ... dump-end).
ish_dump() {
	local pid=$1 name=$2 before i
	before=$(ish_count "$name" '^dump-end$')
	kill -USR1 "$pid" 2>/dev/null || return 1
	for i in $(seq 50); do
		[ "$(ish_count "$name" '^dump-end$')" -gt "$before" ] && break
		sleep 0.1
	done
	awk 'BEGIN { n = 0 } /^sa-count / { n++; buf = "" } n > 0 { buf = buf $0 "\n" }
		/^dump-end$/ { last = buf } END { printf "%s", last }' "$T_TMP/ish-$name.out"
}

# ish_stop PID NAME: SIGTERM, up to 5 s, then SIGKILL. 0 only if it exited 0 by itself.
ish_stop() {
	local pid=$1 i rc=0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		lab_alive "$pid" || break
		sleep 0.1
	done
	if lab_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		rc=1
	fi
	wait "$pid" 2>/dev/null || rc=$?
	if [ -n "${LAB_SAVE_LOGS:-}" ]; then
		mkdir -p "$LAB_SAVE_LOGS"
		cp -f "$T_TMP/ish-$2.out" "$LAB_DIR/ish-$2.stderr" "$LAB_SAVE_LOGS/" 2>/dev/null
	fi
	return $rc
}

# swan_ike_suite DIR CONN / swan_child_suite DIR CONN: the suites of CONN's IKE SA and of
# its INSTALLED CHILD SA as strongSwan lists them, in hagw's ike_suite_describe() form.
swan_ike_suite() {
	swan_sa_field "$1" "(lambda s: '/'.join([s['encr-alg'] + ('_' + s['encr-keysize']
		if s.get('encr-keysize') else '')] + [s[k] for k in ('integ-alg', 'prf-alg',
		'dh-group') if k in s]))(d['$2'])"
}

swan_child_suite() {
	swan_sa_field "$1" "(lambda c: '/'.join([c['encr-alg'] + ('_' + c['encr-keysize']
		if c.get('encr-keysize') else '')] + [c[k] for k in ('integ-alg', 'dh-group')
		if k in c] + ['EXT_SEQ' if c.get('esn') == '1' else 'NO_EXT_SEQ']))(
		[c for c in d['$2']['child-sas'].values() if c['state'] == 'INSTALLED'][0])"
}
