#!/usr/bin/env bash
# Browser tests: axe-core on every page type, a keyboard-only run through eservice-needs and
# no horizontal scrolling at 320 px, in Debian's Chromium. Screenshots: target/screenshots/.
# Usage: bash browser-tests/run.sh   (from anywhere; exits non-zero when a test fails)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "installing Debian's chromium and chromium-driver"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v npm >/dev/null; then
  echo "installing Debian's nodejs and npm"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null
fi

cd "$here"
# playwright-core never downloads browsers; the tests launch /usr/bin/chromium.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline

(cd "$repo" && cargo build --bin insikt)

rm -rf "$repo/target/screenshots"
# Files one at a time (the machine may be small). Human-readable output on stdout, TAP (with its
# "# pass N" / "# fail N" totals) in target/browser-tests.tap; exits non-zero on any failure.
tap="$repo/target/browser-tests.tap"
status=0
one_at_a_time=()
node --help | grep -q -- --test-concurrency && one_at_a_time=(--test-concurrency=1)
INSIKT_SKIP_BUILD=1 node --test "${one_at_a_time[@]}" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  test/*.test.js || status=$?
grep -E '^# (tests|pass|fail|cancelled)' "$tap" || true
if [ "$status" -ne 0 ]; then
  echo "browser tests FAILED (exit $status)"
fi
exit "$status"
