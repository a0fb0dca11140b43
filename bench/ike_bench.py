#!/usr/bin/env python3
"""IKEv2 responder cost: IKE SAs (each with one CHILD SA) per CPU-second of hagw's IKE
daemon (one control core, net_af_packet in the lab of scripts/lab.sh) and of strongSwan's
charon (kernel-libipsec), both driven by bench/ike_load (hagw's IKE library as initiator
on UDP sockets in the client namespace, PSK + X25519 + AES-GCM, a virtual IP per client,
the load spread over many source addresses). See bench/README.md, section IKE.

usage: ike_bench.py --build BUILD [--n 1000,10000] [--swan-max N] [--sources K]
                    [--window W] [--only hagw|swan] [--swan-table-size S]
                    [--repeat R [--repeat-max N]] [--keep]
Needs root (namespaces). Prints one table row per responder and N.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

LAB = os.path.join(ROOT, "scripts", "lab.sh")
NAME = "ikebench"
TMP = "/tmp/ikebench"
NS_C, NS_GW = NAME + "-c", NAME + "-gw"
GW4 = "192.0.2.1"
SRC_BASE = 10                     # sources 192.0.2.10 ...
PSK = "ike-bench-pre-shared-key-0123456789"
IKE_PROP = "aes128gcm16-prfsha256-x25519"
ESP_PROP = "aes128gcm16"
POOL = "10.64.0.0/15"             # 131072 addresses: N = 100,000 fits
IDLE_S = 2.0
SWAN_PLUGINS = ("random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints kdf "
                "kernel-libipsec kernel-netlink socket-default vici")


def run(cmd, env=None, check=True, **kw):
    return subprocess.run(cmd, env=env, check=check, text=True, **kw)


def lab_env(build, extra, no_hagw=False):
    env = dict(os.environ, LAB_NAME=NAME, LAB_DIR=TMP, LAB_LOG_LEVEL="notice",
               HAGW_BIN=os.path.join(build, "control", "hagw"),
               HAGWCTL_BIN=os.path.join(build, "tools", "hagwctl"),
               LAB_MEMORY_MB="1024", LAB_START_TIMEOUT="120", LAB_CONF_EXTRA=extra)
    if no_hagw:
        env["LAB_NO_HAGW"] = "1"
    return env


def lab_down(env):
    run([LAB, "down"], env=env, check=False, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


def add_sources(k):
    for i in range(k):
        run(["ip", "-n", NS_C, "addr", "add", f"192.0.2.{SRC_BASE + i}/32", "dev", "c-gw"])


def cpu_ns(pid):
    """On-CPU time of every thread of PID (schedstat, ns)."""
    total = 0
    for f in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except OSError:
            pass
    return total


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---- configs ----

def hagw_extra(n):
    return "\n" + benchlib.ipsec_sizing(n) + "\n" + benchlib.gateway_ike_section(
        "bench.psk", POOL, "203.0.113.0/24", IKE_PROP, ESP_PROP, listen=GW4)


def load_config(path):
    benchlib.write_load_config(path, "ikeload", "bench.psk", GW4, "203.0.113.0/24", SRC_BASE,
                               IKE_PROP, ESP_PROP, "bench/ike_bench.py")


def swan_setup(d, table_size):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "run"))
    for sub in ("conf.d", "x509", "x509ca", "private"):
        os.makedirs(os.path.join(d, "swanctl", sub))
    with open(os.path.join(d, "strongswan.conf"), "w") as f:
        f.write(f"""charon {{
	load_modular = no
	load = {SWAN_PLUGINS}
	install_routes = no
	dos_protection = no
	block_threshold = 1000000
	cookie_threshold = 1000000
	cookie_threshold_ip = 1000000
	init_limit_half_open = 0
	init_limit_job_load = 0
	ikesa_table_size = {table_size}
	ikesa_table_segments = 16
	filelog {{
		charon {{
			path = {d}/charon.log
			default = 0
			flush_line = no
		}}
	}}
	syslog {{
		daemon {{
			default = -1
		}}
	}}
	plugins {{
		vici {{
			socket = unix://{d}/charon.vici
		}}
		kernel-libipsec {{
			allow_peer_ts = yes
		}}
		socket-default {{
			fwmark = 0x42
		}}
		kernel-netlink {{
			fwmark = !0x42
		}}
	}}
}}
swanctl {{
	socket = unix://{d}/charon.vici
}}
""")
    benchlib.write_private(os.path.join(d, "swanctl", "swanctl.conf"), f"""connections {{
	rw {{
		version = 2
		local_addrs = {GW4}
		proposals = {IKE_PROP}
		pools = bench
		rekey_time = 0
		dpd_delay = 0
		mobike = no
		unique = never
		local {{
			auth = psk
			id = gw.bench
		}}
		remote {{
			auth = psk
			id = client.bench
		}}
		children {{
			net {{
				local_ts = 203.0.113.0/24
				esp_proposals = {ESP_PROP}
				rekey_time = 0
				life_time = 0
			}}
		}}
	}}
}}
pools {{
	bench {{
		addrs = {POOL}
	}}
}}
secrets {{
	ike-bench {{
		secret = "{PSK}"
	}}
}}
""")


def swan_ctl(d, *args):
    env = dict(os.environ, STRONGSWAN_CONF=os.path.join(d, "strongswan.conf"),
               SWANCTL_DIR=os.path.join(d, "swanctl"))
    return run(["swanctl", *args], env=env, check=False, capture_output=True)


def swan_start(d):
    log = open(os.path.join(d, "charon.stderr"), "w")
    p = subprocess.Popen(
        ["ip", "netns", "exec", NS_GW, "unshare", "--mount", "--propagation", "private",
         "sh", "-c", 'mount --bind "$1/run" /run && exec env STRONGSWAN_CONF="$1/strongswan.conf"'
         ' /usr/lib/ipsec/charon', "sh", d], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    for _ in range(100):
        if swan_ctl(d, "--stats").returncode == 0:
            break
        time.sleep(0.1)
    r = swan_ctl(d, "--load-all", "--clear", "--noprompt")
    if r.returncode != 0 or "fail" in r.stdout.lower() or "error" in r.stdout.lower():
        raise RuntimeError(f"swanctl --load-all: {r.stdout} {r.stderr}")
    return p


def swan_counts(d):
    """charon's own count of IKE SAs, and the CHILD SAs listed by swanctl --list-sas."""
    r = swan_ctl(d, "--stats", "--raw")
    m = re.search(r"ikesas \{total=(\d+)", r.stdout)
    ike = m.group(1) if m else "?"
    r = swan_ctl(d, "--list-sas", "--raw")
    kids = r.stdout.count("state=INSTALLED")
    return f"ike-sas={ike} child-sas-installed={kids}", kids


# ---- one run ----

def generate(build, n, sources, window, conf):
    cmd = ["ip", "netns", "exec", NS_C, os.path.join(build, "bench", "ike_load"),
           "--config", conf, "--conn", "load", "--child", "net", "--count", str(n),
           "--sources", str(sources), "--window", str(window), "--vip",
           "--timeout", str(max(120, n // 50))]
    out = run(cmd, check=False, capture_output=True)
    res = {}
    for line in out.stdout.splitlines():
        if line.startswith("result "):
            res = dict(kv.split("=", 1) for kv in line.split()[1:])
    if not res:
        raise RuntimeError(f"ike_load: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    if out.stderr:
        sys.stderr.write(out.stderr[-2000:])
    return res


def measure(pid, build, n, sources, window, conf):
    c0 = cpu_ns(pid)
    time.sleep(IDLE_S)
    c1 = cpu_ns(pid)
    idle_rate = (c1 - c0) / IDLE_S          # ns of CPU per s when idle (polling)
    rss0 = rss_kb(pid)
    t0 = time.monotonic()
    res = generate(build, n, sources, window, conf)
    t1 = time.monotonic()
    c2 = cpu_ns(pid)
    rss1 = rss_kb(pid)
    wall = t1 - t0
    cpu = (c2 - c1) / 1e9
    busy = max(cpu - idle_rate * wall / 1e9, 1e-9)
    up = int(res["up"])
    return {"n": n, "up": up, "failed": int(res["failed"]), "seconds": float(res["seconds"]),
            "cpu_s": cpu, "idle_cpu_per_s": idle_rate / 1e9, "busy_s": busy,
            "sas_per_cpu_s": up / cpu if cpu > 0 else 0.0,
            "sas_per_busy_s": up / busy, "rss_kb": rss1 - rss0,
            "rss_per_client_b": (rss1 - rss0) * 1024 / up if up else 0}


def hagw_json(env, *words):
    r = run([env["HAGWCTL_BIN"], "-s", os.path.join(TMP, "hagw.sock"), "--json", *words],
            check=False, capture_output=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": r.stdout[-300:] + r.stderr[-300:]}


def count_child_sas(env, page=20000):
    """show child-sas page by page (hagwctl refuses answers above 16 MiB, ~550 B a
    CHILD SA): the number listed, or None if a page failed."""
    total = 0
    while True:
        got = hagw_json(env, "show", "child-sas", str(total), str(page))
        if not isinstance(got, list):
            return None
        total += len(got)
        if len(got) < page:
            return total


def count_list(obj):
    """The length of the largest list in a hagwctl JSON answer."""
    best = 0
    if isinstance(obj, list):
        return len(obj)
    if isinstance(obj, dict):
        for v in obj.values():
            best = max(best, count_list(v))
    return best


def dpdk_heap(prefix):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    try:
        t = benchlib.Telemetry(prefix, lambda: None)
        r = t.query("/eal/heap_info,0")
        t.close()
        return int(r["Alloc_size"])
    except Exception:  # noqa: BLE001 (telemetry is optional)
        return None if not os.path.exists(path) else -1


def run_hagw(args, n):
    env = lab_env(args.build, hagw_extra(n))
    lab_down(env)
    os.makedirs(TMP, exist_ok=True)
    benchlib.write_private(os.path.join(TMP, "bench.psk"), PSK + "\n")
    run([LAB, "up"], env=env, stdout=subprocess.DEVNULL)
    try:
        add_sources(args.sources)
        conf = os.path.join(TMP, "load.conf")
        load_config(conf)
        with open(os.path.join(TMP, "hagw.pid")) as f:
            pid = int(f.read())
        heap0 = dpdk_heap(NAME)
        m = measure(pid, args.build, n, args.sources, args.window, conf)
        heap1 = dpdk_heap(NAME)
        m["dpdk_heap_b"] = heap1 if heap1 is not None else -1
        m["dpdk_growth_b"] = (heap1 - heap0) if heap0 and heap1 else -1
        # hagwctl refuses answers above 16 MiB: show child-sas is listed page by page;
        # the data path's SAs are counted by show stats (resources.sas) and its
        # clients by show spd clients
        kids = count_child_sas(env)
        st = hagw_json(env, "show", "stats")
        sas = st.get("resources", {}).get("sas") if isinstance(st, dict) else None
        stats = hagw_json(env, "show", "ike", "stats")
        ike_kids = stats.get("child_sas", -1) if isinstance(stats, dict) else -1
        clients = count_list(hagw_json(env, "show", "spd", "clients"))
        m["check"] = (f"show child-sas={kids if kids is not None else 'failed'} "
                      f"SAD={sas if sas is not None else 'failed'} "
                      f"ike-stats child_sas={ike_kids} spd-clients={clients}")
        m["ok"] = (kids == n and sas is not None and sas >= 2 * n and ike_kids == n and
                   clients == n)
        return m
    finally:
        if not args.keep:
            lab_down(env)


def run_swan(args, n):
    env = lab_env(args.build, "", no_hagw=True)
    lab_down(env)
    run([LAB, "up"], env=env, stdout=subprocess.DEVNULL)
    d = os.path.join(TMP, "swan")
    proc = None
    try:
        run(["ip", "-n", NS_GW, "addr", "add", f"{GW4}/24", "dev", "gw-c"])
        # libipsec routes each CHILD SA's remote selector into ipsec0 with a source address
        # from the local selector: the gateway needs one (hagw's lan side in the other runs)
        run(["ip", "-n", NS_GW, "link", "add", "lan0", "type", "veth", "peer", "name", "lan0p"])
        run(["ip", "-n", NS_GW, "link", "set", "lan0p", "up"])
        run(["ip", "-n", NS_GW, "addr", "add", "203.0.113.1/24", "dev", "lan0"])
        run(["ip", "-n", NS_GW, "link", "set", "lan0", "up"])
        add_sources(args.sources)
        os.makedirs(TMP, exist_ok=True)
        benchlib.write_private(os.path.join(TMP, "bench.psk"), PSK + "\n")
        conf = os.path.join(TMP, "load.conf")
        load_config(conf)
        swan_setup(d, args.swan_table_size)
        proc = swan_start(d)
        m = measure(proc.pid, args.build, n, args.sources, args.window, conf)
        m["dpdk_heap_b"] = m["dpdk_growth_b"] = -1
        m["check"], kids = swan_counts(d)
        m["ok"] = m["up"] == n and kids == n
        return m
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if not args.keep:
            lab_down(env)


def row(who, m):
    return (f"| {who} | {m['n']} | {m['up']} | {m['seconds']:.1f} | {m['cpu_s']:.2f} | "
            f"{m['busy_s']:.2f} | {m['sas_per_cpu_s']:.0f} | {m['sas_per_busy_s']:.0f} | "
            f"{m['rss_per_client_b']:.0f} | "
            f"{m['dpdk_growth_b'] / m['up'] if m['up'] and m['dpdk_growth_b'] >= 0 else '-'}"
            f" | {m['check']} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--n", default="1000")
    ap.add_argument("--swan-max", type=int, default=10000,
                    help="largest N run against strongSwan (its cost grows with N)")
    ap.add_argument("--sources", type=int, default=64)
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--only", choices=("hagw", "swan"))
    ap.add_argument("--keep", action="store_true", help="leave hagw's lab up (debugging)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per responder and N (N <= --repeat-max), then the median row")
    ap.add_argument("--repeat-max", type=int, default=1000)
    ap.add_argument("--swan-table-size", type=int, default=65536,
                    help="charon.ikesa_table_size (strongSwan's default is 1)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    btype, san = benchlib.read_build_type(args.build)
    print(f"# build {args.build}: {btype}, sanitize={san}; sources={args.sources} "
          f"window={args.window}")
    print("| responder | N | up | seconds | on-CPU s | busy s | SAs/CPU-s | SAs/busy-s | "
          "RSS B/client | DPDK B/client | check |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for n in (int(x) for x in args.n.split(",")):
        for who, key, fn in (("hagw", "hagw", run_hagw), ("strongSwan", "swan", run_swan)):
            if args.only and args.only != key:
                continue
            if who == "strongSwan" and n > args.swan_max:
                print(f"| strongSwan | {n} | skipped (--swan-max {args.swan_max}) |")
                continue
            runs = []
            for _ in range(args.repeat if n <= args.repeat_max else 1):
                m = fn(args, n)
                ok = ok and m["ok"]
                runs.append(m)
                print(row(who, m), flush=True)
            if len(runs) > 1:
                med = sorted(runs, key=lambda r: r["sas_per_cpu_s"])[len(runs) // 2]
                print(row(who + " median", med), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
