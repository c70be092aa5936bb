#!/usr/bin/env bash
# Fieldwork benchmarks (issue 5), on the release build:
#  1. draw a stratified sample of 50,000 from a 1,000,000-row frame, CSV parsing included
#     (`insikt sample draw`, the same code as the web draw), against `wc -l` and Python's csv
#     module reading the same file as baselines;
#  2. write 10,000 printable letters (`insikt invitations letters`) for 10,000 invitations.
# Usage: bash scripts/bench-fieldwork.sh   (builds target/release/insikt if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$repo/target/release/insikt"
[ -x "$bin" ] || (cd "$repo" && cargo build --release --bin insikt)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
frame="$work/frame.csv"

echo "== date: $(date -u +%Y-%m-%dT%H:%MZ)  cores: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$frame" <<'PY'
import random, sys
random.seed(1)
districts = ["bromma", "farsta", "kista", "skarholmen", "sodermalm", "spanga", "vasastan",
             "ostermalm", "hagersten", "enskede", "kungsholmen", "norrmalm", "rinkeby",
             "hasselby", "alvsjo", "skarpnack", "liljeholmen", "arsta", "solna", "tensta"]
ages = ["16-29", "30-44", "45-64", "65-79", "80+"]
with open(sys.argv[1], "w") as f:
    f.write("id,district,age_group,gender,name,address,email,language\n")
    for i in range(1_000_000):
        d = districts[i % 20]
        f.write(f"P{i:07d},{d},{ages[(i // 20) % 5]},{'kf'[i % 2]},Person {i},"
                f"\"Gatan {i % 997}|1{i % 89:02d} 45 Stockholm\",p{i}@example.se,"
                f"{'en' if i % 9 == 0 else 'sv'}\n")
PY
echo "frame: $(wc -l < "$frame") lines, $(du -h "$frame" | cut -f1)"

t() { /usr/bin/time -f "%e s, max RSS %M KiB" "$@"; }
echo "-- baseline: wc -l"
t wc -l "$frame" >/dev/null
echo "-- baseline: Python csv.reader over the same file"
t python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' "$frame" >/dev/null
for run in 1 2 3; do
  echo "-- insikt sample draw: 50,000 of 1,000,000, strata district × age_group (100), proportional (run $run)"
  t "$bin" sample draw --frame "$frame" --strata district,age_group --n 50000 \
    --allocation proportional --seed 2026 --out "$work/sample.csv" >"$work/table.txt"
done
tail -n 2 "$work/table.txt"
echo "sample rows: $(($(wc -l < "$work/sample.csv") - 1))"

# Letters: a fresh SQLite database with the shipped surveys and 10,000 invitations from a list.
export DATABASE_URL="sqlite://$work/bench.db" INSIKT_DATA_DIR="$work"
"$bin" surveys load "$repo/surveys" >/dev/null
# Letters go to invitations with a postal address: the frame's first 10,000 rows without e-mail.
python3 - "$frame" "$work/list.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w", newline="") as dst:
    r, w = csv.reader(src), csv.writer(dst)
    next(r)
    w.writerow(["id", "name", "address", "language"])
    for n, row in enumerate(r):
        if n == 10000:
            break
        w.writerow([row[0], row[4], row[5], row[7]])
PY
"$bin" invitations import --survey it-habits --list "$work/list.csv"
for run in 1 2 3; do
  echo "-- insikt invitations letters: 10,000 letters (run $run)"
  t "$bin" invitations letters --survey it-habits --base-url https://enkat.example.se \
    --out "$work/letters.html"
done
echo "letters file: $(du -h "$work/letters.html" | cut -f1), $(grep -o 'class="letter"' "$work/letters.html" | wc -l) letters"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
