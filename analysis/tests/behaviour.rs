//! Behaviour of the crate on edge cases and errors: lonely PSUs, bad margins, domains, two-stage designs,
//! quantiles, bootstrap reproducibility, waves and disclosure control.

use analysis::disclosure::suppress_small_cells;
use analysis::{AnalysisError, Design, Fpc, Margin, RakeOptions, TrimBounds};

#[test]
fn a_stratum_with_one_psu_is_a_clear_error() {
    let d = Design::builder(vec![1.0, 1.0, 1.0])
        .strata(vec![0, 0, 1])
        .build()
        .expect("design");
    let err = d.mean(&[1.0, 2.0, 3.0], None).expect_err("lonely PSU");
    assert_eq!(
        err,
        AnalysisError::LonelyPsu {
            stratum: 1,
            stage: 1
        }
    );
}

#[test]
fn zero_weight_sum_is_rejected_when_building_the_design() {
    let err = Design::builder(vec![0.0, 0.0])
        .build()
        .expect_err("zero weights");
    assert!(matches!(err, AnalysisError::ZeroWeightSum { .. }));
}

#[test]
fn fpc_as_fraction_equals_fpc_as_population_size() {
    let y = [3.0, 5.0, 8.0, 1.0, 4.0, 9.0];
    let s = vec![0, 0, 0, 1, 1, 1];
    let a = Design::builder(vec![10.0; 6])
        .strata(s.clone())
        .fpc(Fpc::PopulationSize(vec![30.0; 6]))
        .build()
        .expect("design");
    let b = Design::builder(vec![10.0; 6])
        .strata(s)
        .fpc(Fpc::Fraction(vec![0.1; 6]))
        .build()
        .expect("design");
    let (ma, mb) = (
        a.mean(&y, None).expect("mean"),
        b.mean(&y, None).expect("mean"),
    );
    assert!((ma.se - mb.se).abs() < 1e-12);
}

#[test]
fn domain_estimate_keeps_the_full_design_rather_than_filtering() {
    // With the domain restricted to stratum 0 only, filtering would leave stratum 1 out of the variance;
    // the domain approach keeps its PSUs (with zero influence), so the SE differs from a filtered design.
    let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let clusters = vec![1, 1, 2, 2, 3, 3, 4, 4];
    let d = Design::builder(vec![1.0; 8])
        .clusters(clusters)
        .build()
        .expect("design");
    let dom = [true, false, true, true, false, false, true, true];
    let m = d.mean(&y, Some(&dom)).expect("domain mean");
    assert!((m.estimate - (1.0 + 3.0 + 4.0 + 7.0 + 8.0) / 5.0).abs() < 1e-12);
    let filtered = Design::builder(vec![1.0; 5])
        .clusters(vec![1, 2, 2, 4, 4])
        .build()
        .expect("design");
    let f = filtered
        .mean(&[1.0, 3.0, 4.0, 7.0, 8.0], None)
        .expect("mean");
    assert!(
        (m.se - f.se).abs() > 1e-6,
        "domain SE {} vs filtered SE {}",
        m.se,
        f.se
    );
}

#[test]
fn two_stage_design_with_fpc_adds_the_second_stage_term() {
    let y: Vec<f64> = (0..12).map(|i| (i * 7 % 5) as f64).collect();
    let psu: Vec<u64> = (0..12).map(|i| i / 4).collect();
    let ssu: Vec<u64> = (0..12).map(|i| i / 2).collect();
    let one = Design::builder(vec![5.0; 12])
        .clusters(psu.clone())
        .fpc(Fpc::PopulationSize(vec![6.0; 12]))
        .build()
        .expect("design");
    let two = Design::builder(vec![5.0; 12])
        .clusters(psu)
        .subclusters(ssu)
        .fpc(Fpc::PopulationSize(vec![6.0; 12]))
        .fpc2(Fpc::PopulationSize(vec![5.0; 12]))
        .build()
        .expect("design");
    let (a, b) = (
        one.total(&y, None).expect("total"),
        two.total(&y, None).expect("total"),
    );
    assert!(b.se > a.se);
}

#[test]
fn inconsistent_margin_totals_are_an_error() {
    let d = Design::builder(vec![1.0; 4]).build().expect("design");
    let margins = [
        Margin {
            codes: vec![0, 1, 0, 1],
            targets: vec![5.0, 5.0],
        },
        Margin {
            codes: vec![0, 0, 1, 1],
            targets: vec![5.0, 6.0],
        },
    ];
    assert!(matches!(
        d.rake(&margins, RakeOptions::default()),
        Err(AnalysisError::InconsistentMargins { .. })
    ));
}

#[test]
fn a_population_category_missing_from_the_sample_is_an_error() {
    let d = Design::builder(vec![1.0; 4]).build().expect("design");
    let margins = [Margin {
        codes: vec![0, 1, 0, 1],
        targets: vec![4.0, 4.0, 2.0],
    }];
    assert!(matches!(
        d.rake(&margins, RakeOptions::default()),
        Err(AnalysisError::EmptySampleCell { category: 2, .. })
    ));
}

#[test]
fn trimmed_raking_respects_the_bounds_and_the_margins() {
    let n = 40;
    let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
    let a: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
    let b: Vec<u32> = (0..n as u32).map(|i| (i / 3) % 2).collect();
    let margins = [
        Margin {
            codes: a,
            targets: vec![100.0, 100.0],
        },
        Margin {
            codes: b,
            targets: vec![120.0, 80.0],
        },
    ];
    let d = Design::builder(w).build().expect("design");
    let (r, rep) = d
        .rake_trimmed(
            &margins,
            RakeOptions::default(),
            TrimBounds {
                lower: 1.0,
                upper: 8.0,
            },
            100,
        )
        .expect("trim");
    assert!(rep.converged, "{rep:?}");
    assert!(r
        .weights()
        .iter()
        .all(|&x| (1.0 - 1e-5..=8.0 + 1e-5).contains(&x)));
}

#[test]
fn linear_calibration_reproduces_the_auxiliary_totals() {
    let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
    let ones = vec![1.0; 20];
    let d = Design::builder(vec![2.0; 20]).build().expect("design");
    let c = d
        .calibrate_linear(&[ones.clone(), x.clone()], &[50.0, 600.0])
        .expect("calibrate");
    let t = c.total(&x, None).expect("total");
    assert!((t.estimate - 600.0).abs() < 1e-8);
    assert!(
        t.se < 1e-6,
        "a calibrated total is known exactly, se {}",
        t.se
    );
}

#[test]
fn median_of_equal_weights_is_the_middle_value_with_an_interval_around_it() {
    let y: Vec<f64> = (1..=101).map(|i| i as f64).collect();
    let d = Design::builder(vec![1.0; 101]).build().expect("design");
    let q = d.quantiles(&y, &[0.5], None, 0.95).expect("median")[0];
    assert_eq!(q.estimate, 51.0);
    assert!(q.lower < 51.0 && q.upper > 51.0 && q.se > 0.0);
}

#[test]
fn bootstrap_with_the_same_seed_is_reproducible_across_thread_counts() {
    let n = 200;
    let y: Vec<f64> = (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect();
    let d = Design::builder(vec![1.5; n])
        .strata((0..n as u64).map(|i| i % 4).collect())
        .build()
        .expect("design");
    let stat =
        |w: &[f64]| w.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>();
    let a = d.bootstrap(50, 7, 0.95, 1, stat).expect("bootstrap");
    let b = d.bootstrap(50, 7, 0.95, 2, stat).expect("bootstrap");
    assert_eq!(a.replicates, b.replicates);
    let lin = d.mean(&y, None).expect("mean").se;
    assert!(
        (a.se / lin - 1.0).abs() < 0.5,
        "bootstrap se {} vs linearisation {}",
        a.se,
        lin
    );
}

#[test]
fn wave_change_and_trend_detect_a_rising_proportion() {
    let n = 600;
    let wave: Vec<u32> = (0..n as u32).map(|i| i % 3).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| ((i / 3) % 10 < 3 + 2 * (i % 3)) as u8 as f64)
        .collect();
    let d = Design::builder(vec![1.0; n]).build().expect("design");
    let w = d.waves(&y, &wave, 3, 0.95).expect("waves");
    assert!(
        (w.per_wave[0].estimate - 0.3).abs() < 1e-12
            && (w.per_wave[2].estimate - 0.7).abs() < 1e-12
    );
    assert!(w.changes[0].change.estimate > 0.0 && w.changes[0].lower > 0.0);
    assert!(w.trend_p < 1e-6);
}

#[test]
fn secondary_suppression_leaves_no_line_with_a_single_hidden_cell() {
    let counts = [3.0, 20.0, 30.0, 25.0, 40.0, 12.0, 18.0, 22.0, 9.0];
    let s = suppress_small_cells(&counts, 3, 5.0).expect("suppress");
    assert!(s.primary[0] && s.suppressed[0]);
    for line in [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
    ] {
        let hidden = line.iter().filter(|&&c| s.suppressed[c]).count();
        assert!(hidden != 1, "line {line:?} has one hidden cell");
    }
}

#[test]
fn frequency_table_fast_path_agrees_with_dense_linearisation() {
    let n = 300;
    let codes: Vec<u32> = (0..n as u32).map(|i| (i * 7 + i / 5) % 4).collect();
    let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 5) as f64).collect();
    let strata: Vec<u64> = (0..n as u64).map(|i| i % 3).collect();
    for clusters in [
        None,
        Some((0..n as u64).map(|i| i / 6).collect::<Vec<u64>>()),
    ] {
        let mut b = Design::builder(w.clone()).strata(strata.clone());
        if let Some(c) = clusters {
            b = b.clusters(c);
        }
        let d = b.build().expect("design");
        let ft = d.frequencies(&codes, 4, None).expect("freq");
        for j in 0..4u32 {
            let ind: Vec<bool> = codes.iter().map(|&c| c == j).collect();
            let p = d.proportion(&ind, None).expect("prop");
            assert!(
                (ft.proportions[j as usize].se - p.se).abs() < 1e-12,
                "category {j}"
            );
            let t = d
                .total(
                    &ind.iter().map(|&b| b as u8 as f64).collect::<Vec<_>>(),
                    None,
                )
                .expect("total");
            assert!((ft.totals[j as usize].se - t.se).abs() < 1e-9 * t.se.max(1.0));
        }
    }
}

#[test]
fn fisher_exact_test_on_the_tea_tasting_table_matches_fisher() {
    // Fisher (1935) lady tasting tea, R fisher.test(matrix(c(3, 1, 1, 3), 2)): p = 0.4857.
    let p = analysis::tables::fisher_exact_2x2(3, 1, 1, 3).expect("fisher");
    assert!((p - 0.4857).abs() < 5e-5, "p = {p}");
}

#[test]
fn cramers_v_is_one_for_a_perfectly_associated_table_and_residuals_are_symmetric() {
    let x = analysis::tables::pearson_chisq(&[10.0, 0.0, 0.0, 10.0], 2).expect("chisq");
    assert!((x.cramers_v - 1.0).abs() < 1e-12);
    assert!((x.adjusted_residuals[0] + x.adjusted_residuals[1]).abs() < 1e-12);
}

#[test]
fn rank_tests_find_no_difference_between_identical_groups() {
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mw = analysis::hypothesis::mann_whitney(&a, &a).expect("mw");
    assert!(mw.p_value > 0.99 && mw.statistic == 18.0);
    let kw =
        analysis::hypothesis::kruskal_wallis(&[a.to_vec(), a.to_vec(), a.to_vec()]).expect("kw");
    assert!(kw.statistic.abs() < 1e-12 && kw.p_value > 0.99);
    let sp = analysis::hypothesis::spearman(&a, &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0]).expect("spearman");
    assert!((sp.estimate + 1.0).abs() < 1e-12);
}

#[test]
fn cronbach_alpha_is_one_for_identical_items() {
    let item = vec![1.0, 2.0, 4.0, 3.0, 5.0];
    let a =
        analysis::hypothesis::cronbach_alpha(&[item.clone(), item.clone(), item]).expect("alpha");
    assert!((a - 1.0).abs() < 1e-12);
}

#[test]
fn individual_best_minus_worst_scores_count_per_respondent() {
    let scores = analysis::priority::maxdiff_individual(
        &[7, 7, 7, 8, 8, 8],
        &[0, 1, 2, 0, 1, 2],
        &[1, -1, 0, -1, 0, 1],
        3,
    )
    .expect("individual");
    assert_eq!(
        scores,
        vec![(7, vec![1.0, -1.0, 0.0]), (8, vec![-1.0, 0.0, 1.0])]
    );
}

#[test]
fn opportunity_score_adds_only_unmet_importance() {
    assert_eq!(analysis::priority::opportunity_score(8.0, 5.0), 11.0);
    assert_eq!(analysis::priority::opportunity_score(4.0, 7.0), 4.0);
}

#[test]
fn difference_of_weighted_proportions_between_domains_has_a_ci_and_test() {
    let n = 400;
    let grp: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
    let other: Vec<bool> = grp.iter().map(|g| !g).collect();
    let y: Vec<bool> = (0..n)
        .map(|i| if i % 2 == 0 { i % 10 < 6 } else { i % 10 < 3 })
        .collect();
    let d = Design::builder(vec![2.0; n]).build().expect("design");
    let (diff, p) = d
        .proportion_difference(&y, &grp, &other)
        .expect("difference");
    assert!((diff.estimate - 0.4).abs() < 1e-12, "{}", diff.estimate);
    let (lo, hi) = diff.ci(0.95);
    assert!(lo > 0.0 && hi < 1.0 && p < 1e-6);
}

#[test]
fn design_effect_is_about_one_for_equal_weights_without_clusters_and_kish_n_equals_n() {
    // R's deff compares with SRS without replacement from a population of Σw, so a small sampling fraction
    // (100 of 100,000) is needed for the design effect of an unclustered equal-weight sample to be ≈ 1.
    let y: Vec<f64> = (0..100).map(|i| ((i * 37) % 11) as f64).collect();
    let d = Design::builder(vec![1000.0; 100]).build().expect("design");
    let m = d.mean(&y, None).expect("mean");
    assert!((m.deff.expect("deff") - 1.0).abs() < 0.02, "{:?}", m.deff);
    assert!((d.kish_effective_n(None) - 100.0).abs() < 1e-9);
}

#[test]
fn categorical_columns_keep_missing_and_dont_know_apart() {
    use analysis::{AnswerState, Categorical};
    let c = Categorical::from_text(
        &[Some("yes"), None, Some("dk"), Some("no"), Some("")],
        Some("dk"),
        None,
    );
    assert_eq!(c.labels, vec!["yes", "no"]);
    assert_eq!(c.state(1), AnswerState::Missing);
    assert_eq!(c.state(2), AnswerState::DontKnow);
    assert_eq!(c.valid_mask(), vec![true, false, false, true, false]);
}

#[test]
fn multi_select_shares_are_among_those_who_answered() {
    use analysis::{AnswerState, MultiSelect};
    let q = MultiSelect {
        options: vec!["bus".into(), "bike".into()],
        selected: vec![
            vec![true, false, true, false],
            vec![true, true, false, false],
        ],
        state: vec![
            AnswerState::Valid,
            AnswerState::Valid,
            AnswerState::Valid,
            AnswerState::Missing,
        ],
    };
    let d = Design::builder(vec![1.0; 4]).build().expect("design");
    let shares = d.multi_select_proportions(&q, None).expect("shares");
    assert!(
        (shares[0].estimate - 2.0 / 3.0).abs() < 1e-12
            && (shares[1].estimate - 2.0 / 3.0).abs() < 1e-12
    );
}

#[test]
fn psu_total_bootstrap_of_a_proportion_equals_the_closure_bootstrap_with_the_same_seed() {
    let n = 240;
    let y: Vec<f64> = (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect();
    let d = Design::builder((0..n).map(|i| 1.0 + (i % 4) as f64).collect())
        .strata((0..n as u64).map(|i| i % 2).collect())
        .clusters((0..n as u64).map(|i| i / 8).collect())
        .build()
        .expect("design");
    let stat =
        |w: &[f64]| w.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>();
    let a = d
        .bootstrap(40, 11, 0.95, 2, stat)
        .expect("closure bootstrap");
    let b = d
        .bootstrap_ratio(&y, &vec![1.0; n], 40, 11, 0.95)
        .expect("ratio bootstrap");
    for (x, z) in a.replicates.iter().zip(&b.replicates) {
        assert!((x - z).abs() < 1e-12);
    }
}
