#!/usr/bin/env bash
# make build-netlify: build the function exactly as Netlify does (in its
# directory: CGO_ENABLED=0 GOOS=linux GOARCH=amd64
# go build -ldflags "-s -w" -tags lambda.norpc), into dist/bootstrap, and
# prove that binary is the Lambda function and nothing else:
#   1. no development tool is in it: a second build with the same tags but
#      without -s -w keeps its symbol table, and `go tool nm` must show
#      neither the dev server nor the dev key nor the sign/verify/check
#      commands, nor any way to open a listening socket (net.Listen*,
#      net/http.Server); the stripped binary must not hold their strings;
#   2. its size is at most MAX_BYTES (default 7,300,000);
#   3. started without AWS_LAMBDA_RUNTIME_API it says it is a Lambda
#      function, exits non-zero within a few seconds, and (checked with
#      strace when present) never binds or listens on a socket.
# Usage: internal/bench/build-netlify.sh [DIST]   (default dist)
set -euo pipefail

cd "$(dirname "$0")/../.."
GO=${GO:-go}
DIST=${1:-dist}
FUNCTION=sign_playback_id
MAX_BYTES=${MAX_BYTES:-7300000}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/netlify-mux-signing-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

failures=0
fail() { echo "build-netlify: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "build-netlify: ok: $*"; }

mkdir -p "$DIST"
out=$(cd "$DIST" && pwd)/bootstrap
(cd "functions/$FUNCTION" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	timeout 300 "$GO" build -o "$out" -ldflags "-s -w" -tags lambda.norpc .)
(cd "functions/$FUNCTION" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	timeout 300 "$GO" build -o "$WORK/bootstrap.symbols" -tags lambda.norpc .)

size=$(stat -c %s "$out")
awk -v s="$size" -v d="$DIST" 'BEGIN { printf "build-netlify: %s/bootstrap is %d bytes (%.2f MB)\n", d, s, s / 1e6 }'

# 1. Symbols. The positive controls prove the listing is real: a check that
# finds nothing because nm printed nothing would prove nothing.
"$GO" tool nm "$WORK/bootstrap.symbols" >"$WORK/nm.txt"
for want in 'main.runLambda' 'github.com/aws/aws-lambda-go/lambda.StartWithOptions' \
	'github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint.New'; do
	grep -qF " $want" "$WORK/nm.txt" || fail "go tool nm does not list $want: the symbol check cannot be trusted"
done
forbidden='internal/devserver|main\.(withDevKey|withDotenv|runServe|runSign|runVerify|runCheck|readDotenv|writeBox|selfTest)$|(^| )net\.(Listen|ListenTCP|ListenUDP|ListenUnix|ListenPacket)$|net\.\(\*ListenConfig\)\.|net/http\.\(\*Server\)\.'
if found=$(awk '{ print $NF }' "$WORK/nm.txt" | grep -E "$forbidden" | sort -u | head -20) && [[ -n $found ]]; then
	fail "the Netlify build links development tools or a listener:"$'\n'"$found"
else
	ok "no dev server, dev key, sign/verify/check or listener symbols ($(wc -l <"$WORK/nm.txt") symbols checked)"
fi
# Whatever the tools' functions come to be called, the Netlify build's
# package main holds only main, run, runLambda and exitCode.
if extra=$(awk '$NF ~ /^main\./ { print $NF }' "$WORK/nm.txt" |
	grep -vE '^main\.(\.inittask|main|run|runLambda|exitCode|\(\*exitCode\)|init|notLambda|envRuntimeAPI)([.].*)?$' | sort -u | head -20) && [[ -n $extra ]]; then
	fail "package main of the Netlify build holds more than the Lambda entry:"$'\n'"$extra"
else
	ok "package main holds only the Lambda entry (main, run, runLambda, exitCode)"
fi
grep -qaF 'AWS Lambda function built for Netlify' "$out" ||
	fail "the stripped binary lacks the Lambda-only message: the string check cannot be trusted"
for s in devOnlyThrowawayKey 'throwaway development key' 'internal/devserver' 'usage: sign_playback_id'; do
	if grep -qaF "$s" "$out"; then fail "the stripped binary contains \"$s\""; fi
done
[[ $failures -eq 0 ]] && ok "the stripped binary holds no dev server or dev key strings"

# 2. Size.
if ((size > MAX_BYTES)); then
	fail "$DIST/bootstrap is $size bytes, above the $MAX_BYTES-byte target"
else
	ok "size $size <= $MAX_BYTES bytes"
fi

# 3. Started outside Lambda. The environment is emptied of
# AWS_LAMBDA_RUNTIME_API; strace, when present, sees every bind and listen.
trace=()
command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null &&
	trace=(strace -f -qq -e trace=bind,listen -o "$WORK/strace.txt")
status=0
env -u AWS_LAMBDA_RUNTIME_API PORT=8888 timeout 10 "${trace[@]}" "$out" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
if ((status == 0)); then
	fail "started outside Lambda, $DIST/bootstrap exited 0; want non-zero"
elif ((status == 124)); then
	fail "started outside Lambda, $DIST/bootstrap was still running after 10 s (is it serving?)"
elif ! grep -qF 'AWS Lambda function built for Netlify' "$WORK/stderr"; then
	fail "started outside Lambda, $DIST/bootstrap did not say it is a Lambda function; it printed: $(head -c 500 "$WORK/stderr")"
else
	ok "started outside Lambda it says so and exits $status"
fi
if ((${#trace[@]})); then
	if grep -E '(bind|listen)\(' "$WORK/strace.txt" | grep -v -- '--- ' >"$WORK/sockets.txt"; then
		fail "started outside Lambda it touched a socket:"$'\n'"$(head -5 "$WORK/sockets.txt")"
	else
		ok "strace saw no bind or listen"
	fi
else
	echo "build-netlify: note: strace is not usable here; the symbol check above shows no listener is linked"
fi

if ((failures)); then
	echo "build-netlify: $failures check(s) failed" >&2
	exit 1
fi
