#!/usr/bin/env bash
# Large durability run (issue 4): tests/durability.rs against the release build. Client threads
# submit complete responses while the server is SIGKILLed at random moments and restarted on the
# same SQLite data directory; afterwards every receipt shown must be a complete stored response.
# The test prints "durability: submitted …, receipted …" and "durability: found …, stored …".
#
# Usage: scripts/durability-large.sh [submissions=50000] [kills=5] [clients=16] [budget_s=1200]
# Env:   CARGO_FEATURES  extra features for the release build (e.g. postgres, to reuse that build)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "date: $(date -u +%FT%TZ)  host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB  load: $(cut -d' ' -f1-3 /proc/loadavg)"
DURABILITY_SUBMISSIONS=${1:-50000} DURABILITY_KILLS=${2:-5} DURABILITY_CLIENTS=${3:-16} \
  DURABILITY_SECONDS=${4:-1200} \
  /usr/bin/time -f 'wall %e s, test process max RSS %M KiB' \
  cargo test --release ${CARGO_FEATURES:+--features "$CARGO_FEATURES"} --test durability -- --nocapture
