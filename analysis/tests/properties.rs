//! Property tests: invariants that must hold for any data, not just the reference sets.

use analysis::{ci, hypothesis, Design, Margin, RakeOptions};
use proptest::prelude::*;

fn sample() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<u64>)> {
    (6usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(0.1f64..50.0, n),
            prop::collection::vec(-100.0f64..100.0, n),
            // Two strata with at least two units each: alternate codes.
            Just((0..n as u64).map(|i| i % 2).collect::<Vec<u64>>()),
        )
    })
}

proptest! {
    #[test]
    fn weighted_mean_and_se_are_invariant_to_scaling_all_weights((w, y, s) in sample(), c in 0.01f64..100.0) {
        let d1 = Design::builder(w.clone()).strata(s.clone()).build().expect("design");
        let d2 = Design::builder(w.iter().map(|x| x * c).collect()).strata(s).build().expect("design");
        let (a, b) = (d1.mean(&y, None).expect("mean"), d2.mean(&y, None).expect("mean"));
        prop_assert!((a.estimate - b.estimate).abs() <= 1e-9 * (1.0 + a.estimate.abs()));
        prop_assert!((a.se - b.se).abs() <= 1e-9 * (1.0 + a.se));
    }

    #[test]
    fn raked_weights_reproduce_every_margin((w, _y, s) in sample(), t0 in 10.0f64..1000.0, t1 in 10.0f64..1000.0) {
        let n = w.len();
        let a: Vec<u32> = s.iter().map(|&v| v as u32).collect();
        let b: Vec<u32> = (0..n as u32).map(|i| (i / 2) % 3).collect();
        let total = t0 + t1;
        let margins = [
            Margin { codes: a.clone(), targets: vec![t0, t1] },
            Margin { codes: b.clone(), targets: vec![total * 0.5, total * 0.3, total * 0.2] },
        ];
        let d = Design::builder(w).build().expect("design");
        let (r, rep) = d.rake(&margins, RakeOptions::default()).expect("rake");
        prop_assert!(rep.converged);
        for m in &margins {
            let mut sums = vec![0.0; m.targets.len()];
            for (c, w) in m.codes.iter().zip(r.weights()) { sums[*c as usize] += w; }
            for (s, t) in sums.iter().zip(&m.targets) { prop_assert!((s - t).abs() <= 1e-7 * t); }
        }
    }

    #[test]
    fn proportion_intervals_contain_the_estimate_and_stay_in_unit_interval(n in 1u32..500, frac in 0.0f64..=1.0, level in 0.5f64..0.999) {
        let x = (n as f64 * frac).round();
        let n = n as f64;
        for iv in [ci::wilson(x, n, level).expect("wilson"), ci::clopper_pearson(x, n, level).expect("cp")] {
            prop_assert!(0.0 <= iv.lower && iv.lower <= x / n + 1e-12 && x / n <= iv.upper + 1e-12 && iv.upper <= 1.0);
        }
        let p = x / n;
        let se = (p * (1.0 - p) / n).sqrt();
        if n >= 2.0 {
            for iv in [ci::logit(p, se, n, n - 1.0, level).expect("logit"), ci::korn_graubard(p, se, n as usize, n - 1.0, level).expect("kg")] {
                prop_assert!(0.0 <= iv.lower && iv.lower <= p + 1e-9 && p <= iv.upper + 1e-9 && iv.upper <= 1.0, "{iv:?} p={p}");
            }
        }
    }

    #[test]
    fn p_values_lie_in_unit_interval(x in prop::collection::vec(-10.0f64..10.0, 3..40), y in prop::collection::vec(-10.0f64..10.0, 3..40)) {
        let tests = [
            hypothesis::welch_t_test(&x, &y).ok().map(|r| r.p_value),
            hypothesis::mann_whitney(&x, &y).ok().map(|r| r.p_value),
            hypothesis::kruskal_wallis(&[x.clone(), y.clone()]).ok().map(|r| r.p_value),
            hypothesis::spearman(&x[..x.len().min(y.len())], &y[..x.len().min(y.len())]).ok().map(|r| r.p_value),
        ];
        for p in tests.into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&p), "p = {p}");
        }
        let ps: Vec<f64> = x.iter().map(|v| (v.abs() / 10.0).min(1.0)).collect();
        for m in [hypothesis::PAdjust::Holm, hypothesis::PAdjust::Bonferroni, hypothesis::PAdjust::BenjaminiHochberg] {
            for (q, p) in hypothesis::p_adjust(&ps, m).expect("adjust").iter().zip(&ps) {
                prop_assert!((0.0..=1.0).contains(q) && q >= p);
            }
        }
    }
}
