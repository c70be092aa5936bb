//! Every method ends, with an answer or an error, on any design — degenerate ones included (one
//! category, zero variance, every weight in one PSU, zero and huge weights, a single row) — and
//! none panics (issue 17: `svyciprop`-style intervals with an SE of 0 used to search for ever).
//!
//! The time bound is for detecting a hang only and is deliberately generous (10 s per case, on
//! data of at most 40 rows that take microseconds): it is not a performance test.

use std::sync::mpsc;
use std::time::Duration;

use analysis::hypothesis::{self, PAdjust};
use analysis::{ci, Design, LonelyPsu, Margin, RakeOptions};
use proptest::prelude::*;

const BOUND: Duration = Duration::from_secs(10);

/// Run `f` on a thread; fail if it panics or has not ended within [`BOUND`].
fn ends<F: FnOnce() + Send + 'static>(what: &str, f: F) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(BOUND) {
        Ok(()) => Ok(()),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("{what}: still running after {BOUND:?}"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(format!("{what}: panicked")),
    }
}

#[derive(Debug, Clone)]
struct Case {
    weights: Vec<f64>,
    strata: Vec<u64>,
    clusters: Option<Vec<u64>>,
    y: Vec<f64>,
    codes: Vec<u32>,
    policy: LonelyPsu,
    level: f64,
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.5f64..20.0,
        1 => Just(0.0),
        1 => Just(1.0),
        1 => Just(1e12),
        1 => Just(1e-12),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..40).prop_flat_map(|n| {
        (
            prop::collection::vec(weight(), n),
            // Strata: one, one per row, or a few.
            prop_oneof![Just(0u32), Just(1), Just(2)],
            prop::collection::vec(0u64..4, n),
            // Clusters: none, all in one PSU, or a few per stratum.
            prop_oneof![Just(0u32), Just(1), Just(2)],
            prop::collection::vec(0u64..3, n),
            // y: constant, random, or random with missing values.
            prop_oneof![Just(0u32), Just(1), Just(2)],
            prop::collection::vec(-50.0f64..50.0, n),
            // Category: one level, the stratum itself (every share has SE 0), or random.
            prop_oneof![Just(0u32), Just(1), Just(2)],
            prop::collection::vec(0u32..3, n),
            prop::sample::select(LonelyPsu::ALL.to_vec()),
            prop_oneof![Just(0.95), Just(0.5), Just(0.999999), 0.01f64..0.99],
        )
            .prop_map(|(weights, sk, sv, ck, cv, yk, yv, gk, gv, policy, level)| {
                let n = weights.len();
                let strata: Vec<u64> = match sk {
                    0 => vec![0; n],
                    1 => (0..n as u64).collect(),
                    _ => sv,
                };
                let clusters = match ck {
                    0 => None,
                    1 => Some(vec![7; n]),
                    _ => Some(cv),
                };
                let y = match yk {
                    0 => vec![3.0; n],
                    1 => yv,
                    _ => yv
                        .iter()
                        .enumerate()
                        .map(|(i, v)| if i % 3 == 0 { f64::NAN } else { *v })
                        .collect(),
                };
                let codes = match gk {
                    0 => vec![0; n],
                    1 => strata.iter().map(|s| (*s % 3) as u32).collect(),
                    _ => gv,
                };
                Case {
                    weights,
                    strata,
                    clusters,
                    y,
                    codes,
                    policy,
                    level,
                }
            })
    })
}

/// Every method of the crate on `c`; results and errors are both fine.
fn run_all(c: Case) {
    let mut b = Design::builder(c.weights.clone())
        .strata(c.strata.clone())
        .lonely_psu(c.policy);
    if let Some(cl) = &c.clusters {
        b = b.clusters(cl.clone());
    }
    let Ok(d) = b.build() else { return };
    let n = d.len();
    let x: Vec<f64> = c.y.iter().map(|v| v.abs() + 1.0).collect();
    let _ = d.mean(&c.y, None);
    let _ = d.total(&c.y, None);
    let _ = d.ratio(&c.y, &x, None);
    let dom: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
    let _ = d.mean(&c.y, Some(&dom));
    let _ = d.quantiles(&c.y, &[0.0, 0.25, 0.5, 1.0], None, c.level);
    let _ = d.quantiles(&c.y, &[0.5], Some(&dom), c.level);
    if let Ok(ft) = d.frequencies(&c.codes, 3, None) {
        for e in &ft.proportions {
            let p = e.estimate;
            let _ = ci::korn_graubard(p, e.se, n.max(2), e.df, c.level);
            let _ = ci::logit(p, e.se, n as f64, e.df, c.level);
            let n_eff = if e.se > 0.0 {
                p * (1.0 - p) / (e.se * e.se)
            } else {
                n as f64
            };
            let _ = ci::wilson(p * n_eff, n_eff, c.level);
            let _ = ci::clopper_pearson(p * n_eff, n_eff, c.level);
        }
    }
    let h: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
    let _ = d.crosstab(&c.codes, 3, &h, 2, None);
    let total: f64 = c.weights.iter().sum::<f64>().max(1.0);
    let m1 = Margin {
        codes: c.codes.clone(),
        targets: vec![total * 0.5, total * 0.3, total * 0.2],
    };
    let m2 = Margin {
        codes: h.clone(),
        targets: vec![total * 0.4, total * 0.6],
    };
    let _ = d.rake(&[m1.clone(), m2], RakeOptions::default());
    let _ = d.post_stratify(&m1.codes, &m1.targets);
    let _ = d.calibrate_linear(&[vec![1.0; n], x.clone()], &[total, total * 3.0]);
    let a: Vec<f64> = c.y.iter().step_by(2).copied().collect();
    let b: Vec<f64> = c.y.iter().skip(1).step_by(2).copied().collect();
    let _ = hypothesis::wilcox_test(&a, &b);
    let _ = hypothesis::mann_whitney(&a, &b);
    let _ = hypothesis::welch_t_test(&a, &b);
    let _ = hypothesis::kruskal_wallis(&[a.clone(), b.clone()]);
    let _ = hypothesis::cor_test_spearman(&c.y, &x);
    let _ = hypothesis::spearman(&c.y, &x);
    let p: Vec<f64> = x.iter().map(|v| (v / 60.0).min(1.0)).collect();
    for m in PAdjust::ALL {
        let _ = hypothesis::p_adjust(&p, m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_method_ends_without_panicking_on_any_design(c in case()) {
        let shown = format!("{c:?}");
        if let Err(e) = ends("methods", move || run_all(c)) {
            prop_assert!(false, "{e} on {shown}");
        }
    }
}

#[test]
fn the_share_of_the_stratum_variable_itself_has_a_zero_width_interval() {
    // apistrat-like: the share of each stratum in a stratified design has SE 0. The Korn–Graubard
    // search used to run for ever here (R's svyciprop gives (0.5, 0.5) from qbeta(Inf, Inf); the
    // interval of a quantity without sampling variance is the estimate itself).
    let strata: Vec<u64> = (0..60).map(|i| i % 3).collect();
    let w: Vec<f64> = strata
        .iter()
        .map(|&s| [10.0, 25.0, 40.0][s as usize])
        .collect();
    let codes: Vec<u32> = strata.iter().map(|&s| s as u32).collect();
    ends("stratum shares", move || {
        let d = Design::builder(w).strata(strata).build().unwrap();
        let ft = d.frequencies(&codes, 3, None).unwrap();
        for e in &ft.proportions {
            // 0 up to rounding (the closed-form stratum sums leave about 1e-10).
            assert!(e.se < 1e-8, "se {}", e.se);
            for iv in [
                ci::korn_graubard(e.estimate, e.se, 60, e.df, 0.95).unwrap(),
                ci::logit(e.estimate, e.se, 60.0, e.df, 0.95).unwrap(),
            ] {
                assert!(
                    (iv.lower - e.estimate).abs() < 1e-7,
                    "{iv:?} vs {}",
                    e.estimate
                );
                assert!(
                    (iv.upper - e.estimate).abs() < 1e-7,
                    "{iv:?} vs {}",
                    e.estimate
                );
            }
        }
    })
    .unwrap();
}

#[test]
fn confidence_levels_outside_the_open_unit_interval_are_refused() {
    for level in [0.0, 1.0, 1.5, -0.5, f64::NAN] {
        assert!(
            ci::korn_graubard(0.3, 0.05, 100, 50.0, level).is_err(),
            "{level}"
        );
        assert!(ci::logit(0.3, 0.05, 100.0, 50.0, level).is_err(), "{level}");
        assert!(ci::wilson(30.0, 100.0, level).is_err(), "{level}");
        let d = Design::builder(vec![1.0; 4]).build().unwrap();
        assert!(d
            .quantiles(&[1.0, 2.0, 3.0, 4.0], &[0.5], None, level)
            .is_err());
    }
}
