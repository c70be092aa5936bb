//! Criterion benchmarks of the backlog ranking (issue 14): 100 areas ranked with 1,000 design-based
//! bootstrap replicates over 100,000 weighted respondents in 84 strata (each respondent its own PSU).
//! Target: < 3 s on 2 cores. Baselines in the same run: one thread, and the naive route through
//! `Design::bootstrap` (replicate weights per respondent, every column summed over its rows).

use std::hint::black_box;
use std::time::Duration;

use analysis::backlog::{rank_uncertainty, RankUncertaintyOptions};
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "backlog/data.rs"]
mod data;
use data::{criteria, naive, sources, synthetic};

fn bench(c: &mut Criterion) {
    let s = synthetic();
    let areas = sources(&s);
    let criteria = criteria();
    let mut g = c.benchmark_group("backlog");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for threads in [2, 1] {
        let options = RankUncertaintyOptions {
            replicates: 1000,
            seed: 14,
            level: 0.9,
            top_k: 5,
            threads,
        };
        // Target (issue 14): < 3 s on 2 cores.
        g.bench_function(
            format!("rank_100_areas_1000_replicates_{threads}_threads"),
            |b| b.iter(|| black_box(rank_uncertainty(&s.design, &criteria, &areas, &options))),
        );
    }
    // Baseline: the naive per-respondent route, 40 replicates (scale by 25 for 1,000).
    g.bench_function("naive_100_areas_40_replicates_2_threads", |b| {
        b.iter(|| black_box(naive(&s, 40)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
