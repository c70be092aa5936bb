//! The synthetic backlog of the benchmark, shared by `benches/backlog.rs` and `examples/backlog_cpu.rs`:
//! 100 areas over 100,000 weighted respondents in 84 strata, each respondent its own PSU.

use std::sync::Mutex;

use analysis::backlog::{
    rank_areas, Combine, Criterion as Crit, CriterionSource, Direction, Ratio, SurveyMeasure,
    WeightedSum,
};
use analysis::Design;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const N: usize = 100_000;
pub const STRATA: u64 = 84;
pub const AREAS: usize = 100;

/// One area's survey answers: who had the errand, their importance and satisfaction (1–5), and who
/// of them prefers a digital channel.
pub struct AreaData {
    pub had: Vec<u32>,
    pub importance: Vec<f64>,
    pub satisfaction: Vec<f64>,
    pub digital: Vec<u32>,
}

pub struct Synthetic {
    pub design: Design,
    pub areas: Vec<AreaData>,
    pub fixed: Vec<[f64; 3]>,
}

pub fn synthetic() -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let strata: Vec<u64> = (0..N as u64).map(|i| i * STRATA / N as u64).collect();
    let weights: Vec<f64> = (0..N).map(|_| rng.gen_range(20.0..200.0)).collect();
    let design = Design::builder(weights)
        .strata(strata)
        .build()
        .expect("valid design");
    let areas = (0..AREAS)
        .map(|a| {
            // Reach from 5% to 40%: on average a fifth of the respondents had an area's errand.
            let reach = 0.05 + 0.35 * a as f64 / (AREAS - 1) as f64;
            let mut d = AreaData {
                had: Vec::new(),
                importance: Vec::new(),
                satisfaction: Vec::new(),
                digital: Vec::new(),
            };
            for i in 0..N as u32 {
                if rng.gen_bool(reach) {
                    d.had.push(i);
                    d.importance.push(f64::from(rng.gen_range(1u8..=5)));
                    d.satisfaction.push(f64::from(rng.gen_range(1u8..=5)));
                    if rng.gen_bool(0.4) {
                        d.digital.push(i);
                    }
                }
            }
            d
        })
        .collect();
    let fixed = (0..AREAS)
        .map(|_| {
            [
                rng.gen_range(1e5..1e7),
                rng.gen_range(1e5..5e6),
                f64::from(rng.gen_range(1u8..=5)),
            ]
        })
        .collect();
    Synthetic {
        design,
        areas,
        fixed,
    }
}

pub fn criteria() -> Vec<Crit> {
    vec![
        Crit::new("need", Direction::HigherIsBetter, 3.0),
        Crit::new("reach", Direction::HigherIsBetter, 2.0),
        Crit::new("benefit", Direction::HigherIsBetter, 2.0),
        Crit::new("cost", Direction::LowerIsBetter, 1.0),
        Crit::new("feasibility", Direction::HigherIsBetter, 1.0),
        Crit::new("equity", Direction::HigherIsBetter, 1.0),
    ]
}

pub fn sources(s: &Synthetic) -> Vec<Vec<CriterionSource>> {
    s.areas
        .iter()
        .zip(&s.fixed)
        .map(|(d, f)| {
            vec![
                CriterionSource::Survey(SurveyMeasure {
                    ratios: vec![
                        Ratio::mean(d.had.clone(), d.importance.clone()),
                        Ratio::mean(d.had.clone(), d.satisfaction.clone()),
                    ],
                    combine: Combine::OpportunityScore,
                }),
                CriterionSource::Survey(SurveyMeasure {
                    ratios: vec![Ratio::share_of_all(d.had.clone())],
                    combine: Combine::Ratio,
                }),
                CriterionSource::Fixed(f[0]),
                CriterionSource::Fixed(f[1]),
                CriterionSource::Fixed(f[2]),
                CriterionSource::Survey(SurveyMeasure {
                    ratios: vec![Ratio {
                        numerator: WeightedSum::count(d.digital.clone()),
                        denominator: WeightedSum::count(d.had.clone()),
                    }],
                    combine: Combine::Ratio,
                }),
            ]
        })
        .collect()
}

/// The naive route: per replicate, every area's measures summed over its respondents with the
/// replicate weights, then the ranking; `Design::bootstrap` supplies the replicate weights.
pub fn naive(s: &Synthetic, replicates: usize) -> Vec<Vec<usize>> {
    let criteria = criteria();
    let ranks = Mutex::new(Vec::new());
    let sum = |w: &[f64], rows: &[u32], v: Option<&[f64]>| -> f64 {
        match v {
            Some(v) => rows.iter().zip(v).map(|(&i, &y)| w[i as usize] * y).sum(),
            None => rows.iter().map(|&i| w[i as usize]).sum(),
        }
    };
    s.design
        .bootstrap(replicates, 1, 0.9, 2, |w| {
            let total: f64 = w.iter().sum();
            let table: Vec<Vec<f64>> = s
                .areas
                .iter()
                .zip(&s.fixed)
                .map(|(d, f)| {
                    let had = sum(w, &d.had, None);
                    let imp = sum(w, &d.had, Some(&d.importance)) / had;
                    let sat = sum(w, &d.had, Some(&d.satisfaction)) / had;
                    let need = imp + (imp - sat).max(0.0);
                    let digital = sum(w, &d.digital, None) / had;
                    vec![need, had / total, f[0], f[1], f[2], digital]
                })
                .collect();
            let r = rank_areas(&table, &criteria).expect("finite table");
            ranks.lock().expect("no panic while locked").push(r.ranks);
            0.0
        })
        .expect("bootstrap runs");
    ranks.into_inner().expect("no panic while locked")
}
