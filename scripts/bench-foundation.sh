#!/usr/bin/env bash
# Foundation benchmarks against the release build: idle RSS of `insikt serve` and GET /healthz
# throughput with wrk (Debian package), compared with a static asset in the same run.
# Usage: scripts/bench-foundation.sh [seconds] [connections]
# Env:   INSIKT_BIN  an already built binary to run instead of `cargo build --release` (e.g. the
#                    postgres-enabled release build, to avoid rebuilding with other features)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bin=${INSIKT_BIN:-target/release/insikt}
[ -n "${INSIKT_BIN:-}" ] || cargo build --release --quiet
echo "date: $(date -u +%FT%TZ)  host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB  load: $(cut -d' ' -f1-3 /proc/loadavg)"
dir=$(mktemp -d)
port=18089
INSIKT_DATA_DIR="$dir" INSIKT_BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
sleep 2
echo "idle RSS: $(ps -o rss= -p $pid | tr -d ' ') KiB"
echo "--- wrk GET /healthz (database round trip)"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E 'Requests/sec|Latency|99%'
echo "--- wrk GET /static/app.css (no database; baseline)"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/static/app.css" | grep -E 'Requests/sec|Latency|99%'
echo "RSS after load: $(ps -o rss= -p $pid | tr -d ' ') KiB"
