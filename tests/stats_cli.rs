//! Runs the `insikt stats` binary on the reference CSVs and checks the published values come out (JSON),
//! and that bad input gives one clear error line and a non-zero exit.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("analysis/tests/data")
        .join(name)
        .display()
        .to_string()
}

fn stats(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_insikt"))
        .arg("stats")
        .args(args)
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "insikt stats {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn stats_err(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_insikt"))
        .arg("stats")
        .args(args)
        .output()
        .expect("binary runs");
    assert!(!out.status.success(), "insikt stats {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one error line, got: {err}");
    err
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Half a unit of the last printed digit of `expected`.
fn close(got: f64, expected: &str) {
    let e: f64 = expected.parse().expect("number");
    let mant = expected.split(['e', 'E']).next().expect("mantissa");
    let exp: i32 = expected
        .split(['e', 'E'])
        .nth(1)
        .map_or(0, |x| x.parse().expect("exponent"));
    let dec = mant.split('.').nth(1).map_or(0, |d| d.len() as i32);
    let tol = 0.5 * 10f64.powi(exp - dec) * (1.0 + 1e-9);
    assert!((got - e).abs() <= tol, "got {got}, expected {expected}");
}

fn dstrat() -> Vec<String> {
    [
        "--data",
        &data("apistrat.csv"),
        "--weights",
        "pw",
        "--strata",
        "stype",
        "--fpc",
        "fpc",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn dclus1() -> Vec<String> {
    [
        "--data",
        &data("apiclus1.csv"),
        "--weights",
        "pw",
        "--cluster",
        "dnum",
        "--fpc",
        "fpc",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn with(base: Vec<String>, method: &str, extra: &[&str]) -> Value {
    let mut args = vec![method.to_string()];
    args.extend(base);
    args.extend(extra.iter().map(|s| s.to_string()));
    stats(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn mean_and_total_for_the_stratified_design_match_the_survey_package() {
    let m = with(dstrat(), "mean", &["--var", "api00"]);
    close(f(&m["result"]["estimate"]), "662.29");
    close(f(&m["result"]["se"]), "9.4089");
    let t = with(dstrat(), "total", &["--var", "enroll"]);
    close(f(&t["result"]["estimate"]), "3687178");
    close(f(&t["result"]["se"]), "114642");
}

#[test]
fn mean_total_and_ratio_for_the_cluster_design_match_the_survey_package() {
    let m = with(dclus1(), "mean", &["--var", "api00"]);
    close(f(&m["result"]["estimate"]), "644.17");
    close(f(&m["result"]["se"]), "23.542");
    let t = with(dclus1(), "total", &["--var", "enroll"]);
    close(f(&t["result"]["estimate"]), "3404940");
    close(f(&t["result"]["se"]), "932235");
    let r = with(dclus1(), "ratio", &["--num", "api.stu", "--den", "enroll"]);
    close(f(&r["result"]["estimate"]), "0.8497087");
    close(f(&r["result"]["se"]), "0.008386297");
}

fn margin_files() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let stype = dir.path().join("stype.csv");
    let sw = dir.path().join("schwide.csv");
    std::fs::write(&stype, "stype,Freq\nE,4421\nH,755\nM,1018\n").expect("write");
    std::fs::write(&sw, "sch.wide,Freq\nNo,1072\nYes,5122\n").expect("write");
    (
        dir,
        format!("stype={}", stype.display()),
        format!("sch.wide={}", sw.display()),
    )
}

#[test]
fn raking_the_cluster_design_matches_rakecheck() {
    let (_dir, m1, m2) = margin_files();
    let r = with(
        dclus1(),
        "rake",
        &["--margin", &m1, "--margin", &m2, "--var", "api00"],
    );
    assert_eq!(r["report"]["converged"], Value::Bool(true));
    close(f(&r["result"]["mean"]["estimate"]), "641.23");
    close(f(&r["result"]["mean"]["se"]), "23.704");
    let t = with(
        dclus1(),
        "rake",
        &[
            "--margin", &m1, "--margin", &m2, "--var", "enroll", "--total",
        ],
    );
    close(f(&t["result"]["total"]["estimate"]), "3647280");
    close(f(&t["result"]["total"]["se"]), "400603");
}

#[test]
fn post_stratifying_the_cluster_design_gives_the_published_mean() {
    let (_dir, m1, _) = margin_files();
    let r = with(
        dclus1(),
        "poststratify",
        &["--margin", &m1, "--var", "api00"],
    );
    close(f(&r["result"]["mean"]["estimate"]), "642.31");
    // R prints this SE through `printCoefmat`, which rounds twice (to 4 decimals, then to 5
    // significant digits); see analysis/tests/reference.rs. The SEs that R prints as 23.921 are
    // exactly those in [23.92045, 23.92145).
    let se = f(&r["result"]["mean"]["se"]);
    assert!((23.92045..23.92145).contains(&se), "se {se}");
}

#[test]
fn crosstab_reports_the_rao_scott_second_order_f_test() {
    let r = with(
        dclus1(),
        "crosstab",
        &["--rows", "sch.wide", "--cols", "stype"],
    );
    let rs = &r["result"]["rao_scott"];
    close(f(&rs["f"]), "5.1933695");
    close(f(&rs["ndf"]), "1.4946");
    close(f(&rs["ddf"]), "20.925");
    close(f(&rs["p_value"]), "0.02174746");
}

#[test]
fn welch_t_test_on_the_sleep_data_matches_r() {
    let r = stats(&[
        "ttest",
        "--data",
        &data("sleep_student1908.csv"),
        "--var",
        "extra",
        "--group",
        "group",
    ]);
    close(f(&r["result"]["statistic"]), "-1.8608");
    close(f(&r["result"]["df"]), "17.776");
    close(f(&r["result"]["p_value"]), "0.07939");
}

#[test]
fn trend_test_on_the_smokers_data_matches_prop_trend_test() {
    let r = stats(&[
        "trend",
        "--data",
        &data("smokers_trend.csv"),
        "--successes",
        "smokers",
        "--trials",
        "patients",
        "--scores",
        "group",
    ]);
    close(f(&r["result"]["statistic"]), "8.2249");
    close(f(&r["result"]["p_value"]), "0.004132");
}

#[test]
fn p_value_adjustments_reject_as_published() {
    for (method, n) in [("bh", 4), ("holm", 3), ("bonferroni", 3)] {
        let r = stats(&[
            "padjust",
            "--data",
            &data("bh1995_pvalues.csv"),
            "--pvalues",
            "p",
            "--method",
            method,
        ]);
        assert_eq!(r["rejected"], Value::from(n), "{method}");
    }
}

#[test]
fn maxdiff_scores_match_bwstools() {
    let r = stats(&[
        "maxdiff",
        "--data",
        &data("bwstools_vdata.csv"),
        "--item",
        "issue",
        "--value",
        "value",
    ]);
    let items = r["items"].as_array().expect("items");
    let hc = items
        .iter()
        .find(|i| i["item"] == "healthcare")
        .expect("healthcare");
    close(f(&hc["b"]), "0.926814507");
    close(f(&hc["se"]), "0.04192792");
    close(f(&hc["choice_p"]), "0.17160598");
}

#[test]
fn kano_counts_give_the_published_better_and_worse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("kano.csv");
    let mut s = String::from("functional,dysfunctional\n");
    for (fa, da, n) in [
        ("like", "neutral", 10),
        ("like", "dislike", 20),
        ("neutral", "dislike", 5),
        ("neutral", "neutral", 15),
    ] {
        for _ in 0..n {
            s.push_str(&format!("{fa},{da}\n"));
        }
    }
    std::fs::write(&p, s).expect("write");
    let r = stats(&[
        "kano",
        "--data",
        &p.display().to_string(),
        "--functional",
        "functional",
        "--dysfunctional",
        "dysfunctional",
    ]);
    close(f(&r["features"][0]["better"]), "0.6");
    close(f(&r["features"][0]["worse"]), "-0.5");
}

#[test]
fn a_missing_column_is_one_error_line_naming_file_and_column() {
    let e = stats_err(&["mean", "--data", &data("apistrat.csv"), "--var", "nope"]);
    assert!(e.contains("apistrat.csv") && e.contains("'nope'"), "{e}");
}

#[test]
fn a_non_numeric_value_is_one_error_line_naming_row_and_column() {
    let e = stats_err(&["mean", "--data", &data("apistrat.csv"), "--var", "stype"]);
    assert!(
        e.contains("row 1") && e.contains("'stype'") && e.contains("not a number"),
        "{e}"
    );
}

#[test]
fn a_stratum_with_one_psu_is_one_error_line_naming_the_stratum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("lonely.csv");
    std::fs::write(&p, "y,s,w\n1,a,1\n2,a,1\n3,b,1\n").expect("write");
    let e = stats_err(&[
        "mean",
        "--data",
        &p.display().to_string(),
        "--strata",
        "s",
        "--weights",
        "w",
        "--var",
        "y",
    ]);
    assert!(
        e.contains("stratum 'b'") && e.contains("one PSU") && e.contains("lonely.csv"),
        "{e}"
    );
}

#[test]
fn zero_weight_sum_is_one_error_line_naming_the_weight_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("zero.csv");
    std::fs::write(&p, "y,w\n1,0\n2,0\n").expect("write");
    let e = stats_err(&[
        "mean",
        "--data",
        &p.display().to_string(),
        "--weights",
        "w",
        "--var",
        "y",
    ]);
    assert!(e.contains("'w'") && e.contains("sum to zero"), "{e}");
}

#[test]
fn a_population_category_without_respondents_is_one_error_line_naming_the_margin_file_and_label() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = dir.path().join("stype_x.csv");
    std::fs::write(&m, "stype,Freq\nE,4421\nH,755\nM,1000\nX,18\n").expect("write");
    let spec = format!("stype={}", m.display());
    let mut args = vec!["poststratify".to_string()];
    args.extend(dclus1());
    args.extend([
        "--margin".to_string(),
        spec,
        "--var".to_string(),
        "api00".to_string(),
    ]);
    let e = stats_err(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        e.contains("stype_x.csv") && e.contains("category 'X'") && e.contains("no respondents"),
        "{e}"
    );
}

#[test]
fn lonely_psu_chooses_how_a_single_psu_stratum_enters_the_variance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("lonely.csv");
    std::fs::write(&p, "y,s,w\n1,a,1\n2,a,1\n3,b,1\n").expect("write");
    let path = p.display().to_string();
    let run = |policy: &str| {
        stats(&[
            "mean",
            "--data",
            &path,
            "--strata",
            "s",
            "--weights",
            "w",
            "--var",
            "y",
            "--lonely-psu",
            policy,
        ])
    };
    // options(survey.lonely.psu = "remove"); svymean(~y, svydesign(ids = ~1, strata = ~s, weights = ~w))
    // Influence values (y − 2)/3; stratum a: 2·Σ(z − z̄)² = 1/9, so SE = 1/3.
    close(f(&run("remove")["result"]["se"]), "0.333333333");
    close(f(&run("certainty")["result"]["se"]), "0.333333333");
    // "average": 1/9 · 2/1 → SE = √2/3. "adjust": 1/9 + (1/3 − 0)² → SE = √2/3 as well.
    close(f(&run("average")["result"]["se"]), "0.471404521");
    close(f(&run("adjust")["result"]["se"]), "0.471404521");
    let e = stats_err(&[
        "mean",
        "--data",
        &path,
        "--strata",
        "s",
        "--var",
        "y",
        "--lonely-psu",
        "fail",
    ]);
    assert!(
        e.contains("--lonely-psu"),
        "the error names the way out: {e}"
    );
}

/// Write `body` to a CSV in a new temporary directory; the directory lives as long as the guard.
fn csv_file(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("in.csv");
    std::fs::write(&p, body).expect("write");
    let path = p.display().to_string();
    (dir, path)
}

#[test]
fn the_share_of_the_stratum_variable_itself_ends_with_zero_width_intervals() {
    // Issue 17: this ran at 100% CPU until killed. Every share has SE 0 in a design stratified by
    // the variable itself, so every interval is the estimate.
    for ci in ["korn-graubard", "logit", "wilson", "clopper-pearson"] {
        for format in ["json", "table"] {
            let out = Command::new(env!("CARGO_BIN_EXE_insikt"))
                .args(["stats", "prop", "--data", &data("apistrat.csv")])
                .args(["--var", "stype", "--strata", "stype", "--weights", "pw"])
                .args(["--ci", ci, "--format", format])
                .output()
                .expect("binary runs");
            assert!(
                out.status.success(),
                "{ci} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if format == "json" {
                let v: Value = serde_json::from_slice(&out.stdout).expect("json");
                for c in v["result"]["categories"].as_array().expect("categories") {
                    let p = f(&c["proportion"]);
                    if ci == "korn-graubard" || ci == "logit" {
                        assert!(
                            (f(&c["ci"][0]) - p).abs() < 1e-7 && (f(&c["ci"][1]) - p).abs() < 1e-7,
                            "{ci}: {c}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_confidence_level_outside_zero_to_one_is_one_error_line() {
    for level in ["1.5", "-0.5", "0", "1", "NaN"] {
        let e = stats_err(&[
            "mean",
            "--data",
            &data("apistrat.csv"),
            "--var",
            "api00",
            "--level",
            level,
        ]);
        assert!(
            e.contains("--level") && e.contains("between 0 and 1"),
            "{level}: {e}"
        );
    }
}

#[test]
fn an_infinite_or_nan_value_is_one_error_line_naming_row_and_column() {
    let (_d, path) = csv_file("y,w\n1,1\ninf,2\n3,1\n");
    let e = stats_err(&["mean", "--data", &path, "--var", "y"]);
    assert!(
        e.contains("data row 2") && e.contains("'y'") && e.contains("not a finite number"),
        "{e}"
    );
    for bad in ["inf", "NaN", "-inf"] {
        let (_d, path) = csv_file(&format!("y,w\n1,1\n2,{bad}\n3,1\n"));
        let e = stats_err(&["mean", "--data", &path, "--var", "y", "--weights", "w"]);
        assert!(
            e.contains("'w'") && e.contains("not a finite number") && !e.contains("missing"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_single_row_without_strata_says_the_sample_has_one_psu() {
    let (_d, path) = csv_file("y\n4\n");
    let e = stats_err(&["mean", "--data", &path, "--var", "y"]);
    assert!(e.contains("only one PSU") && !e.contains("stratum"), "{e}");
}

#[test]
fn population_counts_with_a_certainty_unit_of_size_one_are_read_as_r_reads_them() {
    // R's as.fpc: all values ≥ 1 with some > 1 are population sizes; N = 1 is a certainty stratum.
    let (_d, path) = csv_file("y,s,N\n1,a,10\n3,a,10\n2,b,20\n6,b,20\n5,c,1\n");
    let v = stats(&[
        "mean", "--data", &path, "--var", "y", "--strata", "s", "--fpc", "N",
    ]);
    assert!(f(&v["result"]["se"]) > 0.0, "{v}");
    let (_d, path) = csv_file("y,s,N\n1,a,0.5\n3,a,2\n");
    let e = stats_err(&[
        "mean", "--data", &path, "--var", "y", "--strata", "s", "--fpc", "N",
    ]);
    assert!(e.contains("'N'") && e.contains("population sizes"), "{e}");
}

#[test]
fn rank_tests_use_r_defaults_exact_for_small_samples_without_ties() {
    // Hollander & Wolfe's permeability data, R 4.2: wilcox.test(x, y) gives W = 35 and the exact
    // p-value 0.2544; wilcox.test(x, y, exact = FALSE) gives 0.2446.
    let (_d, path) = csv_file(
        "v,g\n0.80,x\n0.83,x\n1.89,x\n1.04,x\n1.45,x\n1.38,x\n1.91,x\n1.64,x\n0.73,x\n1.46,x\n1.15,y\n0.88,y\n0.90,y\n0.74,y\n1.21,y\n",
    );
    let v = stats(&["mannwhitney", "--data", &path, "--var", "v", "--group", "g"]);
    close(f(&v["result"]["statistic"]), "35");
    close(f(&v["result"]["p_value"]), "0.2544");
    let approx = stats(&[
        "mannwhitney",
        "--data",
        &path,
        "--var",
        "v",
        "--group",
        "g",
        "--exact",
        "no",
    ]);
    assert!(
        (f(&approx["result"]["p_value"]) - 0.2544).abs() > 1e-4,
        "{approx}"
    );
}

#[test]
fn p_adjust_offers_all_seven_methods_of_r() {
    let (_d, path) = csv_file("p\n0.01\n0.02\n0.03\n0.04\n0.05\n");
    for (m, first) in [
        ("holm", 0.05),
        ("hochberg", 0.05),
        ("hommel", 0.05),
        ("bonferroni", 0.05),
        ("bh", 0.05),
        ("fdr", 0.05),
        ("by", 0.05 * (1.0 + 0.5 + 1.0 / 3.0 + 0.25 + 0.2)),
    ] {
        let v = stats(&["padjust", "--data", &path, "--pvalues", "p", "--method", m]);
        let got = f(&v["adjusted"][0]);
        assert!((got - first).abs() < 1e-12, "{m}: {got}");
    }
}

/// Run `insikt stats` with a deadline; `None` when it had to be killed.
fn run_bounded(args: &[String]) -> Option<std::process::Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_insikt"))
        .arg("stats")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

mod no_input_panics {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (-5i32..20).prop_map(|v| v.to_string()),
            2 => (0.0f64..3.0).prop_map(|v| format!("{v:.3}")),
            1 => Just(String::new()),
            1 => Just("NA".to_string()),
            1 => Just("inf".to_string()),
            1 => Just("NaN".to_string()),
            1 => Just("0".to_string()),
            1 => Just("1e308".to_string()),
            1 => prop::sample::select(vec!["a", "b", "c"]).prop_map(String::from),
        ]
    }

    fn option() -> impl Strategy<Value = Vec<String>> {
        let col = prop::sample::select(vec!["c0", "c1", "c2", "c3", "nope"]);
        prop_oneof![
            (col.clone()).prop_map(|c| vec!["--weights".into(), c.into()]),
            (col.clone()).prop_map(|c| vec!["--strata".into(), c.into()]),
            (col.clone()).prop_map(|c| vec!["--cluster".into(), c.into()]),
            (col.clone(), col.clone())
                .prop_map(|(a, b)| vec!["--cluster".into(), format!("{a},{b}")]),
            (col.clone()).prop_map(|c| vec!["--fpc".into(), c.into()]),
            (col.clone()).prop_map(|c| vec!["--by".into(), c.into()]),
            prop::sample::select(vec!["fail", "remove", "certainty", "average", "adjust"])
                .prop_map(|p| vec!["--lonely-psu".into(), p.into()]),
            prop::sample::select(vec!["0.95", "1.5", "-0.5", "0", "1", "0.999999", "1e-9"])
                .prop_map(|l| vec!["--level".into(), l.into()]),
        ]
    }

    fn method() -> impl Strategy<Value = Vec<String>> {
        let col = || prop::sample::select(vec!["c0", "c1", "c2", "c3"]).prop_map(String::from);
        prop_oneof![
            col().prop_map(|c| vec!["mean".into(), "--var".into(), c]),
            col().prop_map(|c| vec!["total".into(), "--var".into(), c]),
            (col(), col()).prop_map(|(a, b)| vec![
                "ratio".into(),
                "--num".into(),
                a,
                "--den".into(),
                b
            ]),
            (
                col(),
                prop::sample::select(vec!["korn-graubard", "logit", "wilson", "clopper-pearson"])
            )
                .prop_map(|(c, m)| vec![
                    "prop".into(),
                    "--var".into(),
                    c,
                    "--ci".into(),
                    m.into()
                ]),
            col().prop_map(|c| vec![
                "quantile".into(),
                "--var".into(),
                c,
                "--probs".into(),
                "0,0.5,1".into()
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "crosstab".into(),
                "--rows".into(),
                a,
                "--cols".into(),
                b
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "ttest".into(),
                "--var".into(),
                a,
                "--group".into(),
                b
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "mannwhitney".into(),
                "--var".into(),
                a,
                "--group".into(),
                b
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "kruskal".into(),
                "--var".into(),
                a,
                "--group".into(),
                b
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "spearman".into(),
                "--x".into(),
                a,
                "--y".into(),
                b
            ]),
            col().prop_map(|c| vec![
                "padjust".into(),
                "--pvalues".into(),
                c,
                "--method".into(),
                "hommel".into()
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "alpha".into(),
                "--items".into(),
                format!("{a},{b}")
            ]),
            (col(), col()).prop_map(|(a, b)| vec![
                "calibrate".into(),
                "--population".into(),
                "100".into(),
                "--total-of".into(),
                format!("{a}=50"),
                "--var".into(),
                b
            ]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// No small CSV and no combination of options makes `insikt stats` panic or run past the
        /// (generous, hang-detecting) bound: it answers, or fails with one error line.
        #[test]
        fn no_small_csv_or_option_makes_insikt_stats_panic_or_hang(
            rows in prop::collection::vec(prop::collection::vec(cell(), 4), 1..12),
            method in method(),
            options in prop::collection::vec(option(), 0..4),
        ) {
            let mut body = String::from("c0,c1,c2,c3\n");
            for r in &rows {
                body.push_str(&r.join(","));
                body.push('\n');
            }
            let (_d, path) = csv_file(&body);
            let mut args = method.clone();
            args.extend(["--data".to_string(), path]);
            args.extend(options.into_iter().flatten());
            let out = run_bounded(&args);
            prop_assert!(out.is_some(), "still running after 10 s: {args:?}\n{body}");
            let out = out.unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            prop_assert!(out.status.code() != Some(101) && !err.contains("panicked"), "panic on {args:?}\n{body}\n{err}");
            if !out.status.success() {
                prop_assert!(out.status.code() == Some(1) || out.status.code() == Some(2), "exit {:?}", out.status.code());
                // clap's usage errors are several lines; ours are one.
                if out.status.code() == Some(1) {
                    prop_assert_eq!(err.trim().lines().count(), 1, "{:?}: {}", args, err);
                }
            }
        }
    }
}

#[test]
fn raking_sweeps_and_tolerance_are_bounded_with_one_error_line() {
    let (_m, margin) = csv_file("g,Freq\na,60\nb,40\n");
    let (_d, path) = csv_file("y,g\n1,a\n2,b\n3,a\n");
    let spec = format!("g={margin}");
    for (opt, val) in [
        ("--max-iter", "0"),
        ("--max-iter", "18446744073709551615"),
        ("--tolerance", "0"),
        ("--tolerance", "-1"),
    ] {
        let e = stats_err(&["rake", "--data", &path, "--margin", &spec, opt, val]);
        assert!(e.contains(opt), "{opt} {val}: {e}");
    }
}

/// A CSV written to a temporary file (kept alive by the returned handle).
fn temp_csv(bytes: &[u8]) -> tempfile::NamedTempFile {
    use std::io::Write as _;
    let mut f = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("temp file");
    f.write_all(bytes).expect("write");
    f
}

#[test]
fn a_column_the_command_does_not_use_is_not_decoded_so_invalid_utf8_there_does_not_stop_it() {
    // R's read.csv reads this file too (it keeps the bytes); only the columns used must be text.
    let file = temp_csv(b"y,note\n1,ok\n2,\xff\xfe\n3,fine\n");
    let path = file.path().display().to_string();
    let r = stats(&["mean", "--data", &path, "--var", "y"]);
    close(f(&r["result"]["estimate"]), "2");
    let e = stats_err(&["prop", "--data", &path, "--var", "note"]);
    assert!(
        e.contains("data row 2") && e.contains("malformed CSV") && e.contains("'note'"),
        "{e}"
    );
}

#[test]
fn a_row_with_too_many_fields_is_malformed_even_if_its_extra_field_is_not_used() {
    let file = temp_csv(b"y,note\n1,a\n2,b,extra\n");
    let path = file.path().display().to_string();
    let e = stats_err(&["mean", "--data", &path, "--var", "y"]);
    assert!(
        e.contains("data row 2") && e.contains("malformed CSV"),
        "{e}"
    );
}

#[test]
fn one_column_can_be_both_the_cluster_and_the_variable() {
    let file = temp_csv(b"id,w\n1,1\n1,1\n2,1\n3,1\n");
    let path = file.path().display().to_string();
    let r = stats(&["mean", "--data", &path, "--var", "id", "--cluster", "id"]);
    close(f(&r["result"]["estimate"]), "1.75");
}
