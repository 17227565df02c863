#!/usr/bin/env bash
# Flake proof: runs each package's unit tests RUNS times, each run a fresh
# process of the compiled test binary, so that anything made once per process
# (a random key, a map order, a scheduling) gets RUNS chances to change an
# outcome. One line per package "pkg: N/RUNS passed", then
# "flake: P passed, F failed" (runs, over all packages). Exits non-zero if any
# run failed or timed out.
#
#   bash internal/flake/run.sh 200 ./internal/muxsign ./internal/muxverify
#   bash internal/flake/run.sh 20            # every unit-test package
#
# Packages default to every package under ./internal and ./functions but the
# e2e ones. Each binary runs from its package directory, without -test.short,
# with -test.timeout PER_RUN_TIMEOUT (whole seconds, default 120s) and a hard kill after
# that plus 30s. The output of a failed run is kept in a temporary directory
# whose path is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs="${1:-}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 RUNS [packages...]" >&2
	exit 2
fi
shift
go="${GO:-go}"
per_run="${PER_RUN_TIMEOUT:-120s}"
hard=$((${per_run%s} + 30))

if [ "$#" -gt 0 ]; then
	pkgs=$("$go" list "$@")
else
	pkgs=$("$go" list ./internal/... ./functions/... | grep -v /e2e)
fi

work=$(mktemp -d)
failures_dir=""
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

total_pass=0
total_fail=0
for pkg in $pkgs; do
	dir=$("$go" list -f '{{.Dir}}' "$pkg")
	bin="$work/$(basename "$pkg").test"
	if ! "$go" test -c -o "$bin" "$pkg" >"$work/build.log" 2>&1; then
		echo "$pkg: build failed" >&2
		cat "$work/build.log" >&2
		total_fail=$((total_fail + runs))
		continue
	fi
	if [ ! -x "$bin" ]; then # no test files
		continue
	fi
	pass=0
	for i in $(seq 1 "$runs"); do
		if (cd "$dir" && timeout -k 5 "$hard" "$bin" -test.timeout "$per_run" >"$work/run.log" 2>&1); then
			pass=$((pass + 1))
		else
			if [ -z "$failures_dir" ]; then
				failures_dir=$(mktemp -d "${TMPDIR:-/tmp}/flake.XXXXXX")
			fi
			cp "$work/run.log" "$failures_dir/$(echo "$pkg" | tr / _).run$i.log"
		fi
	done
	rm -f "$bin"
	echo "$pkg: $pass/$runs passed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + runs - pass))
done

echo "flake: $total_pass passed, $total_fail failed"
if [ -n "$failures_dir" ]; then
	echo "output of the failed runs: $failures_dir" >&2
fi
[ "$total_fail" -eq 0 ]
