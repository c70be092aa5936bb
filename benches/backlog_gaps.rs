//! The backlog's group gaps for one area at city scale: 100,000 weighted respondents in 84 strata
//! (14 districts × 6 age groups), 17 groups (65+, impairment, 14 districts, low digital
//! confidence) × 4 measures = 68 design-based comparisons, Holm-adjusted. Baseline in the same
//! run: the same comparisons by three calls each (`Design::mean` on the group and on the rest,
//! `Design::mean_difference`), as a first version did. A ranking of n areas costs n times one
//! area, split over the cores. Run: `cargo bench --bench backlog_gaps`.

use analysis::Design;
use criterion::{criterion_group, criterion_main, Criterion};
use insikt::use_cases::backlog::gaps::{area_gaps, GapMeasure, Group, GroupKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 100_000;
const DISTRICTS: usize = 14;
const AGES: usize = 6;

struct Data {
    design: Design,
    groups: Vec<Group>,
    measures: Vec<(GapMeasure, Vec<f64>)>,
}

fn data() -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let district: Vec<usize> = (0..N).map(|_| rng.gen_range(0..DISTRICTS)).collect();
    let age: Vec<usize> = (0..N).map(|_| rng.gen_range(0..AGES)).collect();
    let weights: Vec<f64> = (0..N).map(|_| rng.gen_range(20.0..200.0)).collect();
    let design = Design::builder(weights)
        .strata(
            (0..N)
                .map(|i| (district[i] * AGES + age[i]) as u64)
                .collect(),
        )
        .build()
        .expect("design");
    let old: Vec<bool> = age.iter().map(|&a| a >= 4).collect();
    let impaired: Vec<bool> = (0..N)
        .map(|i| rng.gen::<f64>() < if old[i] { 0.25 } else { 0.1 })
        .collect();
    let low: Vec<bool> = (0..N)
        .map(|i| rng.gen::<f64>() < if old[i] { 0.3 } else { 0.08 })
        .collect();
    let group = |kind, key: String, members: Vec<bool>| Group {
        kind,
        label: kind.label(),
        key,
        rest: members.iter().map(|m| !m).collect(),
        members,
    };
    let mut groups = vec![
        group(GroupKind::Age65Plus, "age_65_plus".into(), old.clone()),
        group(GroupKind::Impairment, "impairment".into(), impaired),
        group(GroupKind::LowDigitalConfidence, "low".into(), low.clone()),
    ];
    for d in 0..DISTRICTS {
        groups.push(group(
            GroupKind::District,
            format!("district:{d}"),
            district.iter().map(|&x| x == d).collect(),
        ));
    }
    // Reach 10% (missing for 2%), importance 1–5 (for those with the errand), would use and
    // prefers the e-service lower for the old and the unconfident.
    let had: Vec<bool> = (0..N).map(|_| rng.gen::<f64>() < 0.1).collect();
    let reach: Vec<f64> = (0..N)
        .map(|i| {
            if rng.gen::<f64>() < 0.02 {
                f64::NAN
            } else {
                f64::from(u8::from(had[i]))
            }
        })
        .collect();
    let importance: Vec<f64> = (0..N)
        .map(|i| {
            if had[i] {
                f64::from(rng.gen_range(1u8..=5))
            } else {
                f64::NAN
            }
        })
        .collect();
    let ready = |i: usize| if old[i] || low[i] { 0.35 } else { 0.6 };
    let would: Vec<f64> = (0..N)
        .map(|i| f64::from(u8::from(rng.gen::<f64>() < ready(i))))
        .collect();
    let digital: Vec<f64> = (0..N)
        .map(|i| f64::from(u8::from(rng.gen::<f64>() < 0.8 * ready(i))))
        .collect();
    Data {
        design,
        groups,
        measures: vec![
            (GapMeasure::Reach, reach),
            (GapMeasure::Importance, importance),
            (GapMeasure::WouldUse, would),
            (GapMeasure::Digital, digital),
        ],
    }
}

/// The first version: three estimator calls per comparison.
fn three_calls(d: &Data) -> usize {
    let mut tested = 0;
    for g in &d.groups {
        for (_, y) in &d.measures {
            let a = d.design.mean(y, Some(&g.members));
            let b = d.design.mean(y, Some(&g.rest));
            let diff = d.design.mean_difference(y, &g.members, &g.rest);
            tested += usize::from(a.is_ok() && b.is_ok() && diff.is_ok());
        }
    }
    tested
}

fn bench(c: &mut Criterion) {
    let d = data();
    assert_eq!(area_gaps(&d.design, &d.groups, &d.measures).gaps.len(), 68);
    let mut group = c.benchmark_group("backlog_gaps");
    group.sample_size(10);
    group.bench_function("one_area_68_comparisons_100k_one_pass", |b| {
        b.iter(|| area_gaps(&d.design, &d.groups, &d.measures))
    });
    group.bench_function("one_area_68_comparisons_100k_three_calls_baseline", |b| {
        b.iter(|| three_calls(&d))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
