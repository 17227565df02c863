#!/usr/bin/env bash
# make bench: the performance figures of issue 5, measured side by side in one
# run, printed as a table with the ratios computed from this run.
#
# Needs Go, Node and npm (the 2019 baseline is installed with `npm ci` into
# ${XDG_CACHE_HOME:-~/.cache}/netlify-mux-signing/node-baseline), and
# optionally aws-lambda-rie on PATH or in ~/go/bin:
#   go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
#
# Knobs: BENCH_ROUNDS (rounds of the handler benchmarks, default 7), BENCH_COLD_N
# (launches per cold-start figure, default 15), BENCH_REQUESTS / BENCH_IDS
# (memory run, default 100000 over 10000), BENCH_KEEP=1 keeps the raw outputs.
# It listens only on 127.0.0.1, ports 19001, 19002, 19080 and 19091 (the
# emulator's Runtime API, moved off its default 127.0.0.1:9001 with
# --runtime-api-address), and still runs the emulator under
# `flock /tmp/netlify-mux-signing-rie.lock`. A port another program holds is
# named with its holder before anything is measured.
#
# The cold start is timed for three commands in alternation, in one run: the
# deployed bootstrap, the floor (internal/bench/floor: a minimal function on
# the same aws-lambda-go and golang-jwt, built the same way) and the Node
# baseline. GODEBUG=inittrace=1 lists the init work of the bootstrap and of
# the floor.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
GO=${GO:-go}
ROUNDS=${BENCH_ROUNDS:-7}
COLD_N=${BENCH_COLD_N:-15}
REQUESTS=${BENCH_REQUESTS:-100000}
IDS=${BENCH_IDS:-10000}
RIE_LOCK=/tmp/netlify-mux-signing-rie.lock
NODE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/netlify-mux-signing/node-baseline

WORK=$(mktemp -d "${TMPDIR:-/tmp}/netlify-mux-signing-bench.XXXXXX")
cleanup() {
	if [[ ${BENCH_KEEP:-} == 1 ]]; then
		echo "raw outputs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*" >&2; }

for tool in node npm; do
	command -v "$tool" >/dev/null || { echo "make bench needs $tool for the 2019 Node baseline" >&2; exit 1; }
done

# The throwaway key of the conformance vectors: never a real one.
MUX_SIGNING_KEY=$(node -p 'require(process.argv[1]).keyId' "$ROOT/testdata/mux-node-sdk-vectors.json")
MUX_PRIVATE_KEY=$(node -p 'require(process.argv[1]).keys.pkcs1_pem_base64' "$ROOT/testdata/mux-node-sdk-vectors.json")
export MUX_SIGNING_KEY MUX_PRIVATE_KEY

# port_holder PORT: who listens on 127.0.0.1:PORT, or nothing.
port_holder() {
	local port=$1 out=""
	if command -v ss >/dev/null; then
		out=$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/pid \2 (\1)/p' | head -1)
		[[ -z $out ]] && ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && out="a process this user cannot see"
	elif command -v lsof >/dev/null; then
		out=$(lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | awk 'NR == 2 { print "pid " $2 " (" $1 ")" }')
	elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		out="an unknown program (neither ss nor lsof is installed)"
	fi
	[[ -n $out ]] && echo "$out"
	return 0
}
for port in 19001 19002; do
	if holder=$(port_holder "$port") && [[ -n $holder ]]; then
		echo "make bench: 127.0.0.1:$port is taken by $holder; stop it (or wait for it) and run make bench again" >&2
		exit 1
	fi
done

step "building the function and the floor as Netlify does, the tools and the test binaries"
(cd functions/sign_playback_id && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	timeout 300 "$GO" build -o "$WORK/bootstrap" -ldflags "-s -w" -tags lambda.norpc .)
(cd internal/bench/floor && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	timeout 300 "$GO" build -o "$WORK/floor" -ldflags "-s -w" -tags lambda.norpc .)
for tool in coldstart memory report; do
	timeout 300 "$GO" build -o "$WORK/$tool" "./internal/bench/$tool"
done
timeout 300 "$GO" test -c -o "$WORK/endpoint.test" ./internal/endpoint
timeout 300 "$GO" test -c -o "$WORK/muxsign.test" ./internal/muxsign

step "installing the 2019 Node baseline (@mux/mux-node 3.3.2) into $NODE_DIR"
mkdir -p "$NODE_DIR"
cp -R internal/bench/node-baseline/. "$NODE_DIR/"
if ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.installed-lock.json"; then
	(cd "$NODE_DIR" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
	cp "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.installed-lock.json"
fi

step "benchmarks: $ROUNDS rounds of the handler against the bare signature, and of cached requests"
for ((r = 1; r <= ROUNDS; r++)); do
	(cd internal/endpoint &&
		timeout 300 "$WORK/endpoint.test" -test.run '^$' -test.benchmem -test.benchtime 200x \
			-test.bench '^BenchmarkFreshOverBare$' &&
		timeout 300 "$WORK/endpoint.test" -test.run '^$' -test.benchmem -test.benchtime 20000x \
			-test.bench '^BenchmarkHandleCached$') >>"$WORK/endpoint.txt"
	printf '  round %d/%d\n' "$r" "$ROUNDS" >&2
done
(cd internal/endpoint &&
	timeout 300 "$WORK/endpoint.test" -test.run '^$' -test.benchmem -test.benchtime 200x \
		-test.bench '^(BenchmarkRSASignPKCS1v15|BenchmarkHandleFresh)$' &&
	timeout 300 "$WORK/endpoint.test" -test.run '^$' -test.benchmem -test.benchtime 5000x \
		-test.bench '^BenchmarkHandleViewer$') >>"$WORK/endpoint.txt"
(cd internal/muxsign &&
	timeout 300 "$WORK/muxsign.test" -test.run '^$' -test.benchmem -test.benchtime 200x \
		-test.bench '^(BenchmarkRSASignPKCS1v15|BenchmarkSignerSign|BenchmarkCacheMiss|BenchmarkParsePrivateKey)$' &&
	timeout 300 "$WORK/muxsign.test" -test.run '^$' -test.benchmem -test.benchtime 200000x \
		-test.bench '^(BenchmarkCacheHit|BenchmarkCacheHitParallel)$') >"$WORK/muxsign.txt"

step "cold starts: $COLD_N launches each of the deployed function, the floor and the Node baseline, alternating"
timeout 600 "$WORK/coldstart" launch -n "$COLD_N" -addr 127.0.0.1:19001 \
	-go "$WORK/bootstrap" -floor "$WORK/floor" -node "node $NODE_DIR/runtime.js" -out "$WORK/launch.json" >&2

step "init work: GODEBUG=inittrace=1, $COLD_N starts each of the bootstrap and the floor"
# Outside Lambda the bootstrap says so and exits 2, and the floor's
# lambda.Start exits 1: both after every package's init, which is all
# inittrace reports.
for ((r = 1; r <= COLD_N; r++)); do
	env -u AWS_LAMBDA_RUNTIME_API GODEBUG=inittrace=1 timeout 10 "$WORK/bootstrap" 2>>"$WORK/inittrace.txt" >/dev/null || true
	env -u AWS_LAMBDA_RUNTIME_API GODEBUG=inittrace=1 timeout 10 "$WORK/floor" 2>>"$WORK/floor-inittrace.txt" >/dev/null || true
done

RIE=$(command -v aws-lambda-rie || true)
[[ -z $RIE && -x $HOME/go/bin/aws-lambda-rie ]] && RIE=$HOME/go/bin/aws-lambda-rie
RIE_ARGS=()
if [[ -z $RIE ]]; then
	RIE_ARGS=(-rie-note "aws-lambda-rie is not installed (see the top of internal/bench/run.sh)")
elif holder=$(port_holder 19080; port_holder 19091) && [[ -n $holder ]]; then
	RIE_ARGS=(-rie-note "127.0.0.1:19080 or 19091, the emulator's ports, is taken by $holder")
else
	step "cold starts under aws-lambda-rie (waiting for $RIE_LOCK if another run holds it)"
	if flock -w 300 "$RIE_LOCK" timeout 600 "$WORK/coldstart" rie -n "$COLD_N" -rie "$RIE" \
		-addr 127.0.0.1:19080 -api-addr 127.0.0.1:19091 \
		-go "$WORK/bootstrap" -node "node $NODE_DIR/runtime.js" -out "$WORK/rie.json" >&2 2>"$WORK/rie.err"; then
		RIE_ARGS=(-rie "$WORK/rie.json")
	else
		cat "$WORK/rie.err" >&2 || true
		RIE_ARGS=(-rie-note "the emulator run failed: $(head -c 300 "$WORK/rie.err" 2>/dev/null || echo 'lock not acquired')")
	fi
fi

step "memory: $REQUESTS requests over $IDS playback IDs through the deployed binary"
timeout 900 "$WORK/memory" -bootstrap "$WORK/bootstrap" -requests "$REQUESTS" -ids "$IDS" \
	-addr 127.0.0.1:19002 -out "$WORK/memory.json" >&2

step "edge cache: a day of views replayed through a model of Netlify's CDN (internal/bench/cdnsim)"
timeout 900 go run ./internal/bench/cdnsim -views "${CDN_VIEWS:-1000000}" >"$WORK/cdnsim.txt" 2>&1 || { cat "$WORK/cdnsim.txt" >&2; exit 1; }

step "results"
"$WORK/report" -endpoint "$WORK/endpoint.txt" -muxsign "$WORK/muxsign.txt" \
	-launch "$WORK/launch.json" "${RIE_ARGS[@]}" -memory "$WORK/memory.json" -binary "$WORK/bootstrap" \
	-inittrace "$WORK/inittrace.txt" -floor-inittrace "$WORK/floor-inittrace.txt"
echo
echo "edge cache (go run ./internal/bench/cdnsim -views ${CDN_VIEWS:-1000000}):"
sed 's/^/  /' "$WORK/cdnsim.txt"
