#!/usr/bin/env bash
# Installs what is missing, builds hagw with ASan/UBSan (build-asan/) and runs the tests:
# each meson unit test (suite "unit") and each tests/integration/test_*.sh counts as one.
#
# usage: scripts/test.sh [SUBSET]
#   SUBSET   "unit", "integration", "fuzz", or a substring of test names (e.g. "ping", "config")
#
# Fuzz targets (tests/fuzz/, libFuzzer) are built with clang in build-fuzz/ and each runs
# FUZZ_SECONDS (default 10) from its seed corpus; a crash, leak or sanitizer report fails it.
#
# Prints "PASS name (12.3 s)" or "FAIL name" per test and ends with "N passed, N failed".
# Exit status 0 only if every selected test passed; a build failure, a missing tool or a
# subset that selects nothing is a failure, never a skip. Logs: build-asan/test-logs/.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-asan
LOGS=$BUILD/test-logs
SUBSET=${1:-}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-300}
PY=/usr/bin/python3

passed=0
failed=0

pass_line() { echo "PASS $1 ($2 s)"; passed=$((passed + 1)); }
fail_line() { echo "FAIL $1${2:+ ($2)}"; failed=$((failed + 1)); }

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

cd "$ROOT" || exit 1
pre_log=$(mktemp /tmp/hagw-test-setup.XXXXXX)
trap 'rm -f "$pre_log"' EXIT

# --- prerequisites and build ---
if ! "$ROOT/scripts/install-deps.sh" >"$pre_log" 2>&1; then
	cat "$pre_log"
	fail_line install-deps "scripts/install-deps.sh failed"
	finish
fi
if [ -f "$BUILD/build.ninja" ]; then
	setup=(meson setup --reconfigure "$BUILD")
else
	setup=(meson setup "$BUILD")
fi
if ! "${setup[@]}" -Db_sanitize=address,undefined -Db_lundef=false >"$pre_log" 2>&1; then
	tail -n 30 "$pre_log"
	fail_line "meson setup" "${setup[*]} failed"
	finish
fi
mkdir -p "$LOGS"
if ! ninja -C "$BUILD" -k 0 >"$LOGS/build.log" 2>&1; then
	grep -E -A8 "error:|FAILED:" "$LOGS/build.log" | head -n 80
	fail_line build "see $LOGS/build.log"
fi

want_unit=1
want_integration=1
want_fuzz=1
filter=
case "$SUBSET" in
"") ;;
unit) want_integration=0 want_fuzz=0 ;;
integration) want_unit=0 want_fuzz=0 ;;
fuzz) want_unit=0 want_integration=0 ;;
*) filter=$SUBSET ;;
esac
ran=0

# --- unit tests: each meson test is one test ---
run_unit() {
	local names=() n log
	mapfile -t names < <(meson introspect --tests "$BUILD" 2>/dev/null | "$PY" -c '
import json, sys
for t in json.load(sys.stdin):
    if "unit" in t.get("suite", []) or any(s.endswith(":unit") for s in t.get("suite", [])):
        print(t["name"])
')
	if [ -n "$filter" ]; then
		local sel=()
		for n in "${names[@]}"; do [[ "$n" == *"$filter"* ]] && sel+=("$n"); done
		names=("${sel[@]}")
	fi
	[ ${#names[@]} -gt 0 ] || return 0
	ran=$((ran + ${#names[@]}))
	log=$BUILD/meson-logs/testlog.json
	rm -f "$log"
	meson test -C "$BUILD" --suite unit --no-rebuild --print-errorlogs "${names[@]}" \
		>"$LOGS/unit.log" 2>&1
	if [ ! -s "$log" ]; then
		cat "$LOGS/unit.log"
		for n in "${names[@]}"; do fail_line "unit/$n" "did not run"; done
		return
	fi
	while IFS='|' read -r res name secs; do
		if [ "$res" = OK ]; then
			pass_line "unit/$name" "$secs"
		else
			fail_line "unit/$name" "$res"
			failed_unit=1
		fi
	done < <("$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print("%s|%s|%.1f" % (t["result"], t["name"], t.get("duration", 0)))
' "$log")
	# Tests meson was asked for but did not report.
	for n in "${names[@]}"; do
		grep -q "\"name\": \"$n\"" "$log" || fail_line "unit/$n" "not reported"
	done
	if [ "${failed_unit:-0}" = 1 ]; then
		echo "---- unit test output (full log: $LOGS/unit.log) ----"
		grep -v -E '^ *[0-9]+/[0-9]+ .* OK ' "$LOGS/unit.log" | tail -n 200
	fi
}

# --- integration tests: each script is one test ---
run_integration() {
	local t name start secs rc tools=() missing=()
	local tests=()
	for t in "$ROOT"/tests/integration/test_*.sh; do
		[ -e "$t" ] || continue
		name=integration/$(basename "$t" .sh)
		[ -z "$filter" ] || [[ "$name" == *"$filter"* ]] || continue
		tests+=("$t")
	done
	[ ${#tests[@]} -gt 0 ] || return 0
	ran=$((ran + ${#tests[@]}))
	tools=(ip ethtool ping iperf3 tcpdump tshark dpdk-telemetry.py timeout)
	for t in "${tools[@]}"; do command -v "$t" >/dev/null || missing+=("$t"); done
	"$PY" -c 'import scapy.all' 2>/dev/null || missing+=("python3-scapy")
	[ "$(id -u)" -eq 0 ] || missing+=("root")
	[ -x "$BUILD/control/hagw" ] || missing+=("$BUILD/control/hagw")
	[ -x "$BUILD/tools/hagwctl" ] || missing+=("$BUILD/tools/hagwctl")
	for t in "${tests[@]}"; do
		name=integration/$(basename "$t" .sh)
		if [ ${#missing[@]} -gt 0 ]; then
			fail_line "$name" "missing: ${missing[*]}"
			continue
		fi
		start=$(date +%s.%N)
		rc=0
		HAGW_BIN=$BUILD/control/hagw HAGWCTL_BIN=$BUILD/tools/hagwctl \
			LAB_SAVE_LOGS=$LOGS/$(basename "$t" .sh) \
			timeout -k 10 "$INTEGRATION_TIMEOUT" bash "$t" >"$LOGS/$(basename "$t" .sh).log" 2>&1 ||
			rc=$?
		secs=$(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}")
		if [ "$rc" -eq 0 ]; then
			pass_line "$name" "$secs"
		else
			[ "$rc" -eq 124 ] && echo "  (timed out after $INTEGRATION_TIMEOUT s)"
			sed 's/^/  | /' "$LOGS/$(basename "$t" .sh).log" | grep -v '^  | ok   - ' | tail -n 80
			fail_line "$name" "exit $rc, ${secs} s, log $LOGS/$(basename "$t" .sh).log"
		fi
	done
}

# --- fuzz targets: each runs FUZZ_SECONDS from its seeds ---
FUZZ_BUILD=$ROOT/build-fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-10}

# Builds only the fuzz targets named in $@.
fuzz_build() {
	local setup=(meson setup "$FUZZ_BUILD") t targets=()
	[ -f "$FUZZ_BUILD/build.ninja" ] && setup=(meson setup --reconfigure "$FUZZ_BUILD")
	for t in "$@"; do targets+=("tests/fuzz/$t"); done
	CC=clang "${setup[@]}" -Dfuzz=true -Db_lundef=false >"$LOGS/fuzz-setup.log" 2>&1 &&
		ninja -C "$FUZZ_BUILD" "${targets[@]}" >"$LOGS/fuzz-build.log" 2>&1
}

# Seeds: tests/fuzz/corpus/NAME/ if present, the config test files for the config loader,
# the frame vectors for packet parsers. One directory per line.
fuzz_seeds() {
	local name=$1
	if [ -d "$ROOT/tests/fuzz/corpus/$name" ]; then
		echo "$ROOT/tests/fuzz/corpus/$name"
	elif [ "$name" = fuzz_config ]; then
		printf '%s\n' "$ROOT/tests/unit/config/good" "$ROOT/tests/unit/config/bad"
	elif [[ "$name" == *pkt* || "$name" == *flow* || "$name" == *esp* ]]; then
		echo "$ROOT/tests/vectors/frames"
	fi
}

run_fuzz() {
	local t name work start secs rc targets=() seeds=()
	for t in "$ROOT"/tests/fuzz/fuzz_*.c; do
		name=fuzz/$(basename "$t" .c)
		[ -z "$filter" ] || [[ "$name" == *"$filter"* ]] || continue
		targets+=("$(basename "$t" .c)")
	done
	[ ${#targets[@]} -gt 0 ] || return 0
	ran=$((ran + ${#targets[@]}))
	if ! command -v clang >/dev/null || ! fuzz_build "${targets[@]}"; then
		tail -n 30 "$LOGS/fuzz-build.log" 2>/dev/null
		for t in "${targets[@]}"; do fail_line "fuzz/$t" "clang build failed (see $LOGS)"; done
		return
	fi
	for t in "${targets[@]}"; do
		work=$(mktemp -d /tmp/hagw-fuzz.XXXXXX)
		mapfile -t seeds < <(fuzz_seeds "$t")
		start=$(date +%s.%N)
		rc=0
		(cd "$work" && timeout -k 10 $((FUZZ_SECONDS + 60)) \
			"$FUZZ_BUILD/tests/fuzz/$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=4096 \
			"$work" "${seeds[@]}" >"$LOGS/fuzz-$t.log" 2>&1) || rc=$?
		secs=$(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}")
		if [ ! -x "$FUZZ_BUILD/tests/fuzz/$t" ]; then
			fail_line "fuzz/$t" "not built"
		elif [ "$rc" -eq 0 ]; then
			pass_line "fuzz/$t" "$secs"
		else
			tail -n 40 "$LOGS/fuzz-$t.log" | sed 's/^/  | /'
			cp "$work"/crash-* "$work"/leak-* "$LOGS/" 2>/dev/null
			fail_line "fuzz/$t" "exit $rc, log $LOGS/fuzz-$t.log"
		fi
		rm -rf "$work"
	done
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

[ "$want_unit" = 1 ] && run_unit
[ "$want_integration" = 1 ] && run_integration
[ "$want_fuzz" = 1 ] && run_fuzz
if [ "$ran" -eq 0 ]; then
	fail_line "selection" "no test matches '${SUBSET}'"
fi
finish
