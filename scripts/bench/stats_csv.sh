#!/usr/bin/env bash
# Reading survey data for `insikt stats` (issue 17): wall time and peak memory of `insikt stats prop`
# and `crosstab` on a 1,000,000-row, 44-column CSV (about 100 MB), against pandas (read the file, weighted
# table, no SEs) and R's survey (read.csv, svydesign, the same estimate with SEs), all in one run.
#
# Usage (from the repository root): scripts/bench/stats_csv.sh [DIR] [REPETITIONS]
# Honours CARGO_TARGET_DIR and INSIKT (a release binary to use instead of building one). Builds `insikt` in release, creates a venv with pandas under the target
# directory, writes DIR/survey_1m_44.csv once (deterministic: numpy seed 17) and prints one line per run:
#   tool  operation  wall_s  peak_rss_MB  load_average
# Each run is a separate process timed by /usr/bin/time (elapsed, maximum resident set size).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="${1:-$TARGET/stats-csv}"
REPS="${2:-3}"
VENV="$TARGET/pandas-venv"
mkdir -p "$DIR"
CSV="$DIR/survey_1m_44.csv"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pandas numpy
fi
# INSIKT=path skips the build (a binary copied out of a shared target directory).
if [ -z "${INSIKT:-}" ]; then
  (cd "$ROOT" && cargo build --release --bin insikt >/dev/null)
  INSIKT="$TARGET/release/insikt"
fi

# The data: 14 strata of 200 PSUs each, a weight, and 41 questions q0..q40 coded 0..k (k = 1..5).
# 3 + 41 = 44 columns. The stratum is text (S01..S14) so one design column is strings, as in exports.
if [ ! -s "$CSV" ]; then
  "$VENV/bin/python" - "$CSV" <<'PY'
import sys
import numpy as np, pandas as pd
N, Q = 1_000_000, 41
rng = np.random.default_rng(17)
stratum = np.arange(N) * 14 // N
df = pd.DataFrame({
    "stratum": np.char.add("S", np.char.zfill((stratum + 1).astype(str), 2)),
    "psu": stratum * 200 + rng.integers(0, 200, N),
    "w": np.round(50.0 + 10.0 * stratum + rng.uniform(0, 100, N), 4),
})
for q in range(Q):
    df[f"q{q}"] = rng.integers(0, 2 + q % 5, N)
df.to_csv(sys.argv[1], index=False)
PY
fi
echo "# data: $CSV, $(du -m "$CSV" | cut -f1) MB, $(head -1 "$CSV" | tr ',' '\n' | wc -l) columns, $(($(wc -l <"$CSV") - 1)) rows"
echo "# insikt $(git -C "$ROOT" rev-parse --short HEAD), $("$VENV/bin/python" -c 'import pandas, numpy; print("pandas", pandas.__version__, "numpy", numpy.__version__)'), $(Rscript -e 'cat("R", R.version$major, ".", R.version$minor, " survey ", as.character(packageVersion("survey")), sep = "")' 2>/dev/null)"
echo "# $(nproc) cores; start $(date -u +%FT%TZ)"
printf '%-8s %-9s %8s %12s  %s\n' tool operation wall_s peak_rss_MB load_average

# Run "$@" under /usr/bin/time, discard its output, print wall time and peak RSS.
measure() {
  local tool=$1 op=$2
  shift 2
  local t
  t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null
  read -r wall rss <"$t"
  rm -f "$t"
  printf '%-8s %-9s %8.2f %12.0f  %s\n' "$tool" "$op" "$wall" "$((rss / 1024))" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

DESIGN=(--strata stratum --cluster psu --weights w)
PANDAS_PROP='
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], usecols=sys.argv[2].split(",") if len(sys.argv) > 2 else None)
print(df.groupby("q4")["w"].sum() / df["w"].sum())'
PANDAS_XTAB='
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], usecols=sys.argv[2].split(",") if len(sys.argv) > 2 else None)
print(pd.crosstab(df["q4"], df["q3"], values=df["w"], aggfunc="sum", normalize=True))'
R_PROP='
suppressMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1])
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
print(svymean(~factor(q4), des))'
R_XTAB='
suppressMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1])
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
print(svymean(~interaction(factor(q4), factor(q3)), des))
print(svychisq(~q4 + q3, des))'

for rep in $(seq "$REPS"); do
  measure insikt prop "$INSIKT" stats prop --data "$CSV" --var q4 "${DESIGN[@]}"
  measure insikt crosstab "$INSIKT" stats crosstab --data "$CSV" --rows q4 --cols q3 "${DESIGN[@]}"
  measure pandas prop "$VENV/bin/python" -c "$PANDAS_PROP" "$CSV"
  measure pandas crosstab "$VENV/bin/python" -c "$PANDAS_XTAB" "$CSV"
  # pandas told which columns to read (usecols): the strongest pandas baseline.
  measure pandas-u prop "$VENV/bin/python" -c "$PANDAS_PROP" "$CSV" q4,w
  measure pandas-u crosstab "$VENV/bin/python" -c "$PANDAS_XTAB" "$CSV" q4,q3,w
done
# R is slow (read.csv of every column as it is): one run of each.
measure R prop Rscript -e "$R_PROP" "$CSV"
measure R crosstab Rscript -e "$R_XTAB" "$CSV"
echo "# end $(date -u +%FT%TZ)"
