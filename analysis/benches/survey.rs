//! Criterion benchmarks on a synthetic survey: 1,000,000 respondents × 40 single-choice questions,
//! 14 strata × 200 PSUs. Targets from issue 6 are in the bench names' comments and in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use analysis::{Design, Margin, RakeOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 1_000_000;
const QUESTIONS: usize = 40;
const STRATA: u64 = 14;
const PSU_PER_STRATUM: u64 = 200;

struct Synthetic {
    design: Design,
    questions: Vec<(Vec<u32>, usize)>,
    strata: Vec<u32>,
    region: Vec<u32>,
    sex: Vec<u32>,
}

/// Same generator as compare_pandas.sh (same sizes and distributions; not bit-identical random streams).
fn synthetic() -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let strata: Vec<u32> = (0..N)
        .map(|i| (i as u64 * STRATA / N as u64) as u32)
        .collect();
    let psu: Vec<u64> = (0..N)
        .map(|i| strata[i] as u64 * PSU_PER_STRATUM + rng.gen_range(0..PSU_PER_STRATUM))
        .collect();
    let weights: Vec<f64> = (0..N)
        .map(|i| 50.0 + 10.0 * strata[i] as f64 + rng.gen_range(0.0..100.0))
        .collect();
    let questions: Vec<(Vec<u32>, usize)> = (0..QUESTIONS)
        .map(|q| {
            let levels = 2 + q % 5;
            (
                (0..N).map(|_| rng.gen_range(0..levels as u32)).collect(),
                levels,
            )
        })
        .collect();
    let region: Vec<u32> = (0..N).map(|_| rng.gen_range(0..6)).collect();
    let sex: Vec<u32> = (0..N).map(|_| rng.gen_range(0..2)).collect();
    let design = Design::builder(weights)
        .strata(strata.iter().map(|&s| s as u64).collect())
        .clusters(psu)
        .build()
        .expect("synthetic design is valid");
    Synthetic {
        design,
        questions,
        strata,
        region,
        sex,
    }
}

fn benches(c: &mut Criterion) {
    let s = synthetic();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut g = c.benchmark_group("survey_1m");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    // Target < 20 ms.
    g.bench_function("frequency_table_with_se", |b| {
        b.iter(|| {
            black_box(
                s.design
                    .frequencies(&s.questions[4].0, s.questions[4].1, None)
                    .expect("freq"),
            )
        })
    });

    // Target < 300 ms: three margins 14 × 6 × 2 to 1e-8.
    let pop = s.design.weights().iter().sum::<f64>();
    let margins = vec![
        Margin {
            codes: s.strata.clone(),
            targets: vec![pop / 14.0; 14],
        },
        Margin {
            codes: s.region.clone(),
            targets: vec![
                pop * 0.1,
                pop * 0.15,
                pop * 0.2,
                pop * 0.25,
                pop * 0.2,
                pop * 0.1,
            ],
        },
        Margin {
            codes: s.sex.clone(),
            targets: vec![pop * 0.49, pop * 0.51],
        },
    ];
    g.bench_function("rake_3_margins_1e-8", |b| {
        b.iter(|| {
            let (_, rep) = s
                .design
                .rake(
                    &margins,
                    RakeOptions {
                        tolerance: 1e-8,
                        max_iterations: 100,
                    },
                )
                .expect("rake");
            assert!(rep.converged);
            black_box(rep)
        })
    });

    // The same computations pandas does (point estimates only), for a like-for-like comparison.
    g.bench_function("weighted_shares_point_only", |b| {
        b.iter(|| {
            black_box(
                analysis::tables::weighted_shares(
                    &s.questions[4].0,
                    s.questions[4].1,
                    s.design.weights(),
                )
                .expect("shares"),
            )
        })
    });
    // Baseline for the kernel above: the single running-sum loop `weighted_shares` used before.
    g.bench_function("weighted_shares_running_sum_point_only", |b| {
        b.iter(|| {
            let (codes, levels) = (&s.questions[4].0, s.questions[4].1);
            let mut sums = vec![0.0; levels];
            let mut total = 0.0;
            for (&c, &w) in codes.iter().zip(s.design.weights()) {
                if let Some(x) = sums.get_mut(c as usize) {
                    *x += w;
                    total += w;
                }
            }
            black_box(sums.into_iter().map(|x| x / total).collect::<Vec<f64>>())
        })
    });
    g.bench_function("weighted_joint_shares_point_only", |b| {
        b.iter(|| {
            black_box(
                analysis::tables::weighted_joint_shares(
                    &s.questions[4].0,
                    s.questions[4].1,
                    &s.questions[3].0,
                    s.questions[3].1,
                    s.design.weights(),
                )
                .expect("joint shares"),
            )
        })
    });

    // Target < 100 ms.
    g.bench_function("crosstab_rao_scott", |b| {
        b.iter(|| {
            black_box(
                s.design
                    .crosstab(
                        &s.questions[4].0,
                        s.questions[4].1,
                        &s.questions[3].0,
                        s.questions[3].1,
                        None,
                    )
                    .expect("crosstab"),
            )
        })
    });

    // Target < 5 s: 1,000 replicates of a weighted proportion.
    let ind: Vec<f64> = s.questions[0]
        .0
        .iter()
        .map(|&c| (c == 0) as u8 as f64)
        .collect();
    g.bench_function("bootstrap_1000_proportion", |b| {
        b.iter(|| {
            let r = s
                .design
                .bootstrap(1000, 42, 0.95, threads, |w| {
                    let (mut num, mut den) = (0.0, 0.0);
                    for (wi, yi) in w.iter().zip(&ind) {
                        num += wi * yi;
                        den += wi;
                    }
                    num / den
                })
                .expect("bootstrap");
            black_box(r.se)
        })
    });

    // Same replicates from PSU totals (Design::bootstrap_ratio): O(PSUs) per replicate.
    let ones = vec![1.0; N];
    g.bench_function("bootstrap_ratio_1000_proportion", |b| {
        b.iter(|| {
            black_box(
                s.design
                    .bootstrap_ratio(&ind, &ones, 1000, 42, 0.95)
                    .expect("bootstrap")
                    .se,
            )
        })
    });

    // Target < 30 s on 2 cores: all 780 pairs of the 40 questions, each with Rao–Scott.
    let pairs: Vec<(usize, usize)> = (0..QUESTIONS)
        .flat_map(|a| (a + 1..QUESTIONS).map(move |b| (a, b)))
        .collect();
    g.bench_function("all_780_crosstabs", |b| {
        b.iter(|| {
            let chunk = pairs.len().div_ceil(threads);
            std::thread::scope(|scope| {
                for part in pairs.chunks(chunk) {
                    let s = &s;
                    scope.spawn(move || {
                        for &(a, b) in part {
                            let ct = s
                                .design
                                .crosstab(
                                    &s.questions[a].0,
                                    s.questions[a].1,
                                    &s.questions[b].0,
                                    s.questions[b].1,
                                    None,
                                )
                                .expect("crosstab");
                            black_box(ct.rao_scott.p_value);
                        }
                    });
                }
            });
        })
    });
    g.finish();
}

criterion_group!(survey, benches);
criterion_main!(survey);
