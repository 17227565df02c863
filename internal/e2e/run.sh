#!/usr/bin/env bash
# make e2e: prove the function on the real runtimes.
#
#   1. lambda:  built exactly as Netlify builds it, run under AWS's Lambda
#               Runtime Interface Emulator, invoked with Netlify-shaped events
#   2. netlify: `netlify functions:serve`, `netlify dev` and `netlify build`
#               (Netlify's own bundler) from the pinned netlify-cli
#   3. browser: the demo page in headless Chromium playing HLS through the
#               function's 302 from a local stand-in for Mux's edge
#   4. viewer:  viewer sign-in against a real OpenID provider on loopback
#               (oidc-provider from npm): under the emulator, under
#               `netlify dev`, and in Chromium (signed in, out, not entitled)
#
# It installs what it needs, pinned, into
# ${XDG_CACHE_HOME:-$HOME/.cache}/netlify-mux-signing/ (never the repository),
# reuses it on later runs, and fails naming any download it cannot get.
# Logs and the screenshot go to reports/e2e/. Ends with "e2e: N passed, M failed".
#
# Every server it starts listens on a port found free on 127.0.0.1, the
# emulator's Runtime API included (--runtime-api-address; the emulator's own
# default, 127.0.0.1:9001, may be held by another program or another run):
# when a port is taken anyway, the failing test names the process holding it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/netlify-mux-signing"
E2E_CACHE="$CACHE/e2e"
NPM_DIR="$E2E_CACHE/npm"
RIE_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
RIE="$E2E_CACHE/bin/aws-lambda-rie"
CHROMIUM=/usr/bin/chromium
REPORTS="$ROOT/reports/e2e"
# name@version of each npm package; package-lock.json pins the rest.
NPM_PINS=(netlify-cli@26.2.0 playwright-core@1.65.1 hls.js@1.7.4 oidc-provider@9.13.3)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/netlify-mux-signing-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$E2E_CACHE" "$REPORTS"

fail() {
	echo "e2e: FAILED: $*" >&2
	echo "e2e: 0 passed, 1 failed (setup)"
	exit 1
}

TIMINGS=()
t0=$EPOCHREALTIME
lap() { # lap NAME: record the time since the last lap
	local t1=$EPOCHREALTIME
	TIMINGS+=("$(awk -v n="$1" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-28s %6.1f s", n, b - a }')")
	t0=$t1
}

# One setup at a time per cache folder.
exec 9>"$E2E_CACHE/install.lock"
if command -v flock >/dev/null; then
	flock -w 900 9 || fail "another make e2e held $E2E_CACHE/install.lock for 15 minutes"
fi

# --- system packages: Chromium and ffmpeg from Debian, only if missing ---
if [[ ! -x $CHROMIUM ]] || ! command -v ffmpeg >/dev/null; then
	echo "e2e: installing chromium and ffmpeg with apt-get (about 760 MB)"
	SUDO=()
	if [[ $(id -u) != 0 ]]; then
		sudo -n true 2>/dev/null || fail "chromium and ffmpeg are missing and apt-get needs root (run as root or with passwordless sudo)"
		SUDO=(sudo -n)
	fi
	timeout 300 "${SUDO[@]}" apt-get update -qq ||
		fail "apt-get update could not download Debian's package lists (needed for chromium and ffmpeg)"
	DEBIAN_FRONTEND=noninteractive timeout 900 "${SUDO[@]}" apt-get install -y -qq chromium ffmpeg >"$WORK/apt.log" 2>&1 ||
		{ tail -20 "$WORK/apt.log" >&2; fail "apt-get install -y chromium ffmpeg failed: could not download Debian's chromium and ffmpeg packages"; }
fi
[[ -x $CHROMIUM ]] || fail "$CHROMIUM is missing after apt-get install chromium"
FFMPEG=$(command -v ffmpeg) || fail "ffmpeg is missing after apt-get install ffmpeg"
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (Node 20 or later)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || fail "netlify-cli 26.2.0 needs Node 20 or later; found $(node --version)"
lap "setup: system packages"

# --- aws-lambda-rie, pinned, built with go install ---
if ! go version -m "$RIE" 2>/dev/null | grep -q "$RIE_VERSION"; then
	echo "e2e: installing aws-lambda-rie $RIE_VERSION"
	GOBIN="$E2E_CACHE/bin" timeout 300 go install "$RIE_MODULE@$RIE_VERSION" ||
		fail "go install $RIE_MODULE@$RIE_VERSION failed: could not download it from the Go module proxy"
fi
lap "setup: aws-lambda-rie"

# --- netlify-cli, playwright-core, hls.js and oidc-provider, pinned by package-lock.json ---
stamp="$(cat internal/e2e/package.json internal/e2e/package-lock.json | sha256sum | cut -c1-16)-node$node_major"
if [[ ! -d $NPM_DIR/node_modules || $(cat "$NPM_DIR/.installed" 2>/dev/null) != "$stamp" ]]; then
	echo "e2e: installing ${NPM_PINS[*]} with npm ci (about 1,200 packages, 470 MB)"
	rm -rf "$NPM_DIR"
	mkdir -p "$NPM_DIR"
	cp internal/e2e/package.json internal/e2e/package-lock.json "$NPM_DIR/"
	(cd "$NPM_DIR" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1 ||
		{ tail -20 "$WORK/npm.log" >&2; fail "npm ci of ${NPM_PINS[*]} from the npm registry failed"; }
	echo "$stamp" >"$NPM_DIR/.installed"
fi
for pin in "${NPM_PINS[@]}"; do
	name=${pin%@*} version=${pin##*@}
	got=$(node -p "require('$NPM_DIR/node_modules/$name/package.json').version" 2>/dev/null) ||
		fail "$name is missing from $NPM_DIR after npm ci"
	[[ $got == "$version" ]] || fail "$name is $got in $NPM_DIR, want $version"
done
lap "setup: npm packages"
exec 9>&-

# --- the tests, built once, run stage by stage ---
timeout 600 go test -c -tags e2e -o "$WORK/e2e.test" ./internal/e2e >"$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log" >&2; fail "the e2e tests do not compile"; }
lap "build: e2e test binary"

export E2E_RIE="$RIE" E2E_NODE_MODULES="$NPM_DIR/node_modules" E2E_CHROMIUM="$CHROMIUM" E2E_FFMPEG="$FFMPEG" E2E_REPORTS="$REPORTS"
unset E2E_PUBLIC_DIR

passed=0 failed=0
SUMMARY=()
stage() { # stage NAME TEST-PATTERN
	local name=$1 pattern=$2 log="$REPORTS/$1.log" rc=0 p f
	echo "e2e: --- $name ---"
	(cd internal/e2e && timeout 900 "$WORK/e2e.test" -test.v -test.count=1 -test.timeout 12m -test.run "$pattern") >"$log" 2>&1 || rc=$?
	p=$(grep -cE '^\s*--- PASS' "$log" || true)
	f=$(grep -cE '^\s*--- FAIL' "$log" || true)
	if ((rc != 0 && f == 0)); then
		f=1 # a panic, timeout or build failure: no --- FAIL line
	fi
	if ((rc != 0)); then
		grep -vE '^=== (RUN|PAUSE|CONT|NAME)' "$log" | tail -80 || true
	fi
	grep -E '^\s*--- (PASS|FAIL)|figure:|screenshot' "$log" | sed 's/^/  /' || true
	passed=$((passed + p)) failed=$((failed + f))
	lap "test: $name"
	SUMMARY+=("$(printf '%-8s %4d passed %3d failed   log: %s' "$name" "$p" "$f" "${log#"$ROOT"/}")")
}
stage lambda '^TestLambdaEmulator$'
stage netlify '^TestNetlify(FunctionsServe|Dev|Build)$'
stage browser '^TestBrowser$'
stage viewer '^TestViewer'
stage edge '^TestEdge'

echo
echo "e2e: timings"
printf '  %s\n' "${TIMINGS[@]}"
echo "e2e: results"
printf '  %s\n' "${SUMMARY[@]}"
if [[ -f $REPORTS/playing.png ]]; then
	echo "e2e: screenshot of the playing demo page: ${REPORTS#"$ROOT"/}/playing.png"
fi
echo "e2e: $passed passed, $failed failed"
((failed == 0))
