#!/bin/sh
# Times R's survey package on the results-page benchmark's 100,000 responses (issue 13) and
# compares its figures with the app's; quote the app's `page_40_questions_raked_and_filtered`
# median from the same session against R's `page_*` seconds (BENCHMARKS.md).
# Usage: scripts/bench/results_r.sh [DIR] [REPETITIONS]   (needs Rscript with `survey`)
set -eu
dir=${1:-target/results-r}
reps=${2:-5}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
RESULTS_R_DIR="$dir" cargo bench --bench results
Rscript "$(dirname "$0")/results_r.R" "$dir" "$reps"
