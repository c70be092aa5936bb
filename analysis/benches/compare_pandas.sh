#!/usr/bin/env bash
# Compare the weighted frequency table and weighted cross-tab of the Rust `analysis` crate with pandas on the
# same synthetic survey (1,000,000 respondents x 40 questions, 14 strata x 200 PSUs, same distributions;
# the random streams differ). pandas computes point estimates only (no design-based SEs, no Rao-Scott), so the
# ratio flatters pandas: Rust does strictly more work per call.
#
# Usage (from the repository root): analysis/benches/compare_pandas.sh
# Honours CARGO_TARGET_DIR. Creates target/pandas-venv, installs pandas + numpy from PyPI, runs the criterion benches
# (design-based, point-only, and the running-sum baseline) and pandas, printing the load average around each phase.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/pandas-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pandas numpy
fi

cd "$ROOT"
# The machine may be shared: print the load average next to every phase so figures can be judged.
echo "start  $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
cargo bench -p analysis --bench survey -- 'frequency_table_with_se|crosstab_rao_scott|point_only' >/dev/null
echo "rust   $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
rust_ms() {
  "$VENV/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e6)" \
    "${CARGO_TARGET_DIR:-$ROOT/target}/criterion/survey_1m/$1/new/estimates.json"
}
RUST_FREQ=$(rust_ms frequency_table_with_se)
RUST_XTAB=$(rust_ms crosstab_rao_scott)
RUST_FREQ_PT=$(rust_ms weighted_shares_point_only)
RUST_XTAB_PT=$(rust_ms weighted_joint_shares_point_only)
RUST_FREQ_RUNNING=$(rust_ms weighted_shares_running_sum_point_only)

"$VENV/bin/python" - "$RUST_FREQ" "$RUST_XTAB" "$RUST_FREQ_PT" "$RUST_XTAB_PT" "$RUST_FREQ_RUNNING" <<'PY'
import sys, time
import numpy as np, pandas as pd

rust_freq, rust_xtab, rust_freq_pt, rust_xtab_pt, rust_freq_running = map(float, sys.argv[1:6])
N, Q = 1_000_000, 40
rng = np.random.default_rng(2026)
stratum = (np.arange(N) * 14 // N).astype(np.int8)
df = pd.DataFrame({"stratum": stratum,
                   "psu": stratum.astype(np.int32) * 200 + rng.integers(0, 200, N),
                   "w": 50.0 + 10.0 * stratum + rng.uniform(0, 100, N)})
for q in range(Q):
    df[f"q{q}"] = rng.integers(0, 2 + q % 5, N).astype(np.int8)

def best_of(f, reps=10):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter(); f(); best = min(best, time.perf_counter() - t)
    return best * 1e3

freq = best_of(lambda: df.groupby("q4")["w"].sum() / df["w"].sum())
xtab = best_of(lambda: pd.crosstab(df["q4"], df["q3"], values=df["w"], aggfunc="sum", normalize=True))
print(f"pandas {pd.__version__}, numpy {np.__version__}")
print(f"weighted frequency: pandas {freq:8.2f} ms (point estimates only) | rust {rust_freq:8.2f} ms (with SEs) | pandas/rust = {freq / rust_freq:.2f}")
print(f"weighted crosstab : pandas {xtab:8.2f} ms (point estimates only) | rust {rust_xtab:8.2f} ms (with SEs + Rao-Scott) | pandas/rust = {xtab / rust_xtab:.2f}")
print("like for like (both point estimates only):")
print(f"weighted frequency: pandas {freq:8.2f} ms | rust weighted_shares {rust_freq_pt:8.3f} ms | pandas/rust = {freq / rust_freq_pt:.1f}")
print(f"weighted crosstab : pandas {xtab:8.2f} ms | rust weighted_joint_shares {rust_xtab_pt:8.3f} ms | pandas/rust = {xtab / rust_xtab_pt:.1f}")
print(f"  (single running-sum loop, the old weighted_shares: {rust_freq_running:8.3f} ms | pandas/rust = {freq / rust_freq_running:.1f})")
PY
echo "pandas $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
