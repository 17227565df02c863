#!/usr/bin/env bash
# make load: a bounded, mixed load on the local server from a second process.
#
# Builds the function and internal/load/loadgen, starts the function's local
# server on 127.0.0.1 (a port in 17000-17099) with a freshly generated key and
# the token cache on, sends LOAD_REQUESTS (20000) requests at LOAD_CONCURRENCY
# (64) in flight: cached and uncached IDs, JSON, thumbnails, HEAD, invalid
# input, preflights and a refused method. Redirects are not followed.
# Prints errors, unexpected statuses, p50/p99 latency, requests per second and
# the server's resident memory before and after; exits non-zero on any error
# or unexpected status. Every wait is bounded; the server is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."

requests="${LOAD_REQUESTS:-20000}"
concurrency="${LOAD_CONCURRENCY:-64}"
go="${GO:-go}"

tmp=$(mktemp -d)
server_pid=""
stop_server() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT

echo "==> building the function and the load generator"
"$go" build -o "$tmp/sign_playback_id" ./functions/sign_playback_id
"$go" build -o "$tmp/loadgen" ./internal/load/loadgen
key=$("$tmp/loadgen" keygen)

# A free port in 17000-17099: nothing answers on it, and the server binds it.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
url=""
for attempt in 1 2 3 4 5; do
	port=$((17000 + RANDOM % 100))
	port_in_use "$port" && continue
	# Only what the test sets reaches the server: env -i drops the caller's
	# MUX_* variables, and --env-file "" skips any .env file.
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
		MUX_SIGNING_KEY=loadTestSigningKey MUX_PRIVATE_KEY="$key" MUX_TOKEN_CACHE_SIZE=10000 \
		"$tmp/sign_playback_id" serve --addr "127.0.0.1:$port" --public "" --env-file "" \
		>"$tmp/server.out" 2>"$tmp/server.log" &
	server_pid=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$tmp/server.out" 2>/dev/null && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q 'listening on' "$tmp/server.out" 2>/dev/null; then
		url="http://127.0.0.1:$port/.netlify/functions/sign_playback_id"
		break
	fi
	echo "port $port: the server did not start; trying another" >&2
	tail -n 3 "$tmp/server.log" >&2 || true
	stop_server
done
if [ -z "$url" ]; then
	echo "could not start the server on a port in 17000-17099" >&2
	exit 1
fi
echo "==> server PID $server_pid at $url"

status=0
timeout 600 "$tmp/loadgen" -url "$url" -n "$requests" -c "$concurrency" -pid "$server_pid" || status=$?

stop_server
lines=$(wc -l <"$tmp/server.log")
panics=$(grep -c '"msg":"panic"' "$tmp/server.log" || true)
echo "server log: $lines lines, $panics panics"
if [ "$panics" -gt 0 ]; then
	status=1
fi
exit "$status"
