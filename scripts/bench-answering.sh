#!/usr/bin/env bash
# Answering load benchmark (issue 4), against a release build on 127.0.0.1 only.
# In one run of one server: GET /healthz (baseline), GET /s/it-habits (survey landing page) and
# POST /s/it-habits complete submissions (review page, nav=submit, every request a new attempt
# minted beforehand through the start form, since the server seals attempts; see
# scripts/bench/mint_attempts.py and scripts/bench/submit.lua), all with wrk at the same connection count. Completed
# submissions are counted in the database before and after (the truth; wrk's rate includes any
# non-200). Prints p99 latencies, peak RSS (VmHWM) and the submission/healthz ratio.
# SQLite runs with the app's pragmas (WAL, synchronous=FULL).
#
# Usage: scripts/bench-answering.sh [seconds=15] [connections=256] [sqlite|postgres]
# Env:   INSIKT_BIN  binary to run (default target/release/insikt; for postgres it must be built
#                    with `cargo build --release --features postgres`)
#        PORT        listen port (default 28391)
#        MINT_PER_SECOND  sealed attempts minted per benchmark second and phase (default 10000)
#        PACED_DELAY_MS  also run a paced submission phase (e.g. 120 ms at 256 connections ≈ 2,000/s
#                    offered) to measure latency at the target rate rather than at saturation
# Needs: wrk, python3, curl; for postgres a server on 127.0.0.1:5432, user postgres, trust auth
# (a fresh database insikt_bench_<epoch> is created and left for inspection).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
conns=${2:-256}
backend=${3:-sqlite}
bin=${INSIKT_BIN:-target/release/insikt}
port=${PORT:-28391}
base="http://127.0.0.1:$port"
dir=$(mktemp -d)
db_url="sqlite://$dir/insikt.db"
if [ "$backend" = postgres ]; then
  pgdb="insikt_bench_$(date +%s)"
  psql -q -h 127.0.0.1 -U postgres -c "create database $pgdb"
  db_url="postgres://postgres@127.0.0.1:5432/$pgdb"
fi
count() {
  if [ "$backend" = postgres ]; then
    psql -tA -h 127.0.0.1 -U postgres -d "$pgdb" -c 'select count(*) from responses'
  else
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from responses').fetchone()[0])" "$dir/insikt.db"
  fi
}
DATABASE_URL="$db_url" INSIKT_DATA_DIR="$dir" INSIKT_BIND="127.0.0.1:$port" INSIKT_RATE_LIMIT=0 \
  RUST_LOG=warn "$bin" serve >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
echo "date: $(date -u +%FT%TZ)  host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin ($(sha256sum "$bin" | cut -c1-12))  backend: $backend  connections: $conns  seconds: $secs"
python3 scripts/bench/review_form.py "$base" it-habits >"$dir/form"
export CSRF_COOKIE FORM_BODY ATTEMPTS_FILE WRK_THREADS=2
CSRF_COOKIE=$(sed -n 1p "$dir/form")
FORM_BODY=$(sed -n 2p "$dir/form")
START_BODY=$(sed -n 3p "$dir/form")
# Enough sealed attempts per phase for MINT_PER_SECOND submissions a second (more than the server
# stores: if a phase ever stores exactly secs × MINT_PER_SECOND, the pool ran out — raise it).
# Minting runs at about 3,000 attempts/s on the 2-core VM, before the timed phases.
per_second=${MINT_PER_SECOND:-10000}
mint() { python3 scripts/bench/mint_attempts.py "$base" it-habits "$CSRF_COOKIE" "$START_BODY" "$1" >"$2"; }
mint $((secs * per_second)) "$dir/attempts-saturated"
[ -z "${PACED_DELAY_MS:-}" ] || mint $((secs * per_second)) "$dir/attempts-paced"
mint 1 "$dir/attempts-check"
check=$(curl -s -o /dev/null -w '%{http_code}' -b "insikt_csrf=$CSRF_COOKIE" \
  --data "$FORM_BODY&$(cat "$dir/attempts-check")" "$base/s/it-habits")
[ "$check" = 200 ] || { echo "a single submission answered $check"; exit 1; }
run() { wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" | grep -E 'Requests/sec|Latency  |99%|Non-2xx|requests in|errors'; }
echo "--- baseline: wrk GET /healthz"
run "$base/healthz"
echo "--- wrk GET /s/it-habits (survey landing page)"
run "$base/s/it-habits"
echo "--- wrk POST /s/it-habits nav=submit (complete it-habits responses, each a new attempt)"
ATTEMPTS_FILE="$dir/attempts-saturated"
before=$(count)
t0=$(date +%s.%N)
run -s scripts/bench/submit.lua "$base/s/it-habits"
t1=$(date +%s.%N)
after=$(count)
python3 -c "import sys; b,a,t0,t1=map(float,sys.argv[1:]); print(f'completed submissions stored: {int(a-b)} in {t1-t0:.1f} s = {(a-b)/(t1-t0):.0f}/s')" "$before" "$after" "$t0" "$t1"
if [ -n "${PACED_DELAY_MS:-}" ]; then
  echo "--- paced: wrk POST submissions, each connection waits ${PACED_DELAY_MS} ms between requests"
  echo "    (offered rate ≈ $conns / (${PACED_DELAY_MS} ms + latency); latency of a submission at that rate)"
  ATTEMPTS_FILE="$dir/attempts-paced"
  before=$(count)
  t0=$(date +%s.%N)
  SUBMIT_DELAY_MS=$PACED_DELAY_MS run -s scripts/bench/submit.lua "$base/s/it-habits"
  t1=$(date +%s.%N)
  after=$(count)
  python3 -c "import sys; b,a,t0,t1=map(float,sys.argv[1:]); print(f'paced submissions stored: {int(a-b)} in {t1-t0:.1f} s = {(a-b)/(t1-t0):.0f}/s')" "$before" "$after" "$t0" "$t1"
fi
grep -E 'VmHWM|VmRSS' /proc/$pid/status
