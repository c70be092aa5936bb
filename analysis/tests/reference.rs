//! Reproduces the published values in /work/shared/reference/README.md (copied to tests/data) within half a
//! unit of the last printed digit.

use analysis::{Design, Fpc};

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(name: &str) -> Table {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut rdr = csv::Reader::from_path(&path).expect("reference CSV is present");
        let header = rdr
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = rdr
            .records()
            .map(|r| r.expect("record").iter().map(str::to_string).collect())
            .collect();
        Table { header, rows }
    }
    fn idx(&self, col: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == col)
            .unwrap_or_else(|| panic!("column {col}"))
    }
    fn num(&self, col: &str) -> Vec<f64> {
        let i = self.idx(col);
        self.rows
            .iter()
            .map(|r| {
                if r[i].is_empty() {
                    f64::NAN
                } else {
                    r[i].parse().expect("number")
                }
            })
            .collect()
    }
    fn text(&self, col: &str) -> Vec<String> {
        let i = self.idx(col);
        self.rows.iter().map(|r| r[i].clone()).collect()
    }
    fn codes(&self, col: &str) -> (Vec<u32>, Vec<String>) {
        let mut labels: Vec<String> = self.text(col);
        labels.sort();
        labels.dedup();
        let codes = self
            .text(col)
            .iter()
            .map(|v| labels.iter().position(|l| l == v).expect("label") as u32)
            .collect();
        (codes, labels)
    }
}

/// Assert `got` matches the printed `expected` within half a unit of its last printed digit.
fn assert_printed(got: f64, expected: &str) {
    let e: f64 = expected.parse().expect("expected number");
    let mantissa = expected.split(['e', 'E']).next().expect("mantissa");
    let exp: i32 = expected
        .split(['e', 'E'])
        .nth(1)
        .map(|x| x.parse().expect("exponent"))
        .unwrap_or(0);
    let decimals = mantissa
        .split('.')
        .nth(1)
        .map(|d| d.len() as i32)
        .unwrap_or(0);
    let tol = 0.5 * 10f64.powi(exp - decimals);
    assert!(
        (got - e).abs() <= tol * (1.0 + 1e-9),
        "got {got}, expected {expected} (tolerance {tol})"
    );
}

/// Assert a value printed to `sig` significant digits (R's default print of 5 or 7 digits).
fn assert_sig(got: f64, expected: f64, sig: i32) {
    let mag = expected.abs().log10().floor() as i32;
    let tol = 0.5 * 10f64.powi(mag - sig + 1);
    assert!(
        (got - expected).abs() <= tol * (1.0 + 1e-9),
        "got {got}, expected {expected} to {sig} significant digits"
    );
}

fn codes_u64(v: &[String]) -> Vec<u64> {
    let mut labels = v.to_vec();
    labels.sort();
    labels.dedup();
    v.iter()
        .map(|x| labels.iter().position(|l| l == x).expect("label") as u64)
        .collect()
}

fn dstrat() -> (Table, Design) {
    let t = Table::read("apistrat.csv");
    let d = Design::builder(t.num("pw"))
        .strata(codes_u64(&t.text("stype")))
        .fpc(Fpc::PopulationSize(t.num("fpc")))
        .build()
        .expect("dstrat builds");
    (t, d)
}

fn dclus1() -> (Table, Design) {
    let t = Table::read("apiclus1.csv");
    let d = Design::builder(t.num("pw"))
        .clusters(t.num("dnum").iter().map(|v| *v as u64).collect())
        .fpc(Fpc::PopulationSize(t.num("fpc")))
        .build()
        .expect("dclus1 builds");
    (t, d)
}

#[test]
fn stratified_mean_of_api00_matches_survey_package() {
    let (t, d) = dstrat();
    let m = d.mean(&t.num("api00"), None).expect("mean");
    assert_printed(m.estimate, "662.29");
    assert_printed(m.se, "9.4089");
}

#[test]
fn stratified_total_of_enroll_matches_survey_package() {
    let (t, d) = dstrat();
    let m = d.total(&t.num("enroll"), None).expect("total");
    assert_printed(m.estimate, "3687178");
    assert_printed(m.se, "114642");
}

#[test]
fn cluster_mean_of_api00_matches_survey_package() {
    let (t, d) = dclus1();
    let m = d.mean(&t.num("api00"), None).expect("mean");
    assert_printed(m.estimate, "644.17");
    assert_printed(m.se, "23.542");
}

#[test]
fn cluster_total_of_enroll_matches_survey_package() {
    let (t, d) = dclus1();
    let m = d.total(&t.num("enroll"), None).expect("total");
    assert_printed(m.estimate, "3404940");
    assert_printed(m.se, "932235");
}

#[test]
fn cluster_ratio_of_students_tested_to_enrolled_matches_vignette() {
    let (t, d) = dclus1();
    let r = d
        .ratio(&t.num("api.stu"), &t.num("enroll"), None)
        .expect("ratio");
    assert_printed(r.estimate, "0.8497087");
    assert_printed(r.se, "0.008386297");
}
