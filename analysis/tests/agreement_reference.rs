//! Inter-coder agreement against published values (issue 15): Krippendorff's own reliability
//! data, a SAS PROC FREQ printout, and R's `irr` on Fleiss's diagnoses.

use analysis::agreement::{cohen_kappa, cohen_kappa_table, krippendorff_alpha_nominal};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability". University of
/// Pennsylvania, Annenberg School for Communication, ASC papers 43, section C ("nominal data,
/// any number of observers, missing data"): four observers A–D code twelve units; "." is a
/// missing value. Krippendorff reports α_nominal = 0.743 (and 9 units with pairable values,
/// n.. = 40).
#[test]
fn krippendorffs_alpha_reproduces_krippendorffs_own_four_observer_example() {
    const M: Option<u8> = None;
    let observers: [[Option<u8>; 12]; 4] = [
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(1),
            Some(4),
            Some(1),
            Some(2),
            M,
            M,
            M,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(2),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            M,
            Some(3),
        ],
        [
            M,
            Some(3),
            Some(3),
            Some(3),
            Some(2),
            Some(3),
            Some(4),
            Some(2),
            Some(2),
            Some(5),
            Some(1),
            M,
        ],
        [
            Some(1),
            Some(2),
            Some(3),
            Some(3),
            Some(2),
            Some(4),
            Some(4),
            Some(1),
            Some(2),
            Some(5),
            Some(1),
            M,
        ],
    ];
    let units: Vec<Vec<Option<u8>>> = (0..12)
        .map(|u| observers.iter().map(|o| o[u]).collect())
        .collect();
    let alpha = krippendorff_alpha_nominal(&units).unwrap();
    assert!(close(alpha.alpha, 0.743, 0.0005), "{alpha:?}");
    assert_eq!(alpha.pairable_values, 40);
    // Unit 12 has a single value and cannot be paired.
    assert_eq!(alpha.units, 11);
}

/// SAS/STAT PROC FREQ, AGREE option, on the 3×3 table [[0, 4, 1], [0, 8, 0], [0, 1, 5]]: simple
/// kappa 0.4842, ASE 0.1380, 95% limits 0.2137–0.7547, ASE under H0 0.1484, Z 3.2626 (the SAS
/// printout statsmodels' `test_inter_rater.py` reproduces). Checks the Fleiss–Cohen–Everitt
/// standard errors too.
#[test]
fn cohens_kappa_and_its_standard_errors_match_sas_proc_freq() {
    let k = cohen_kappa_table(&[vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]]).unwrap();
    assert!(close(k.kappa, 0.4842, 0.00005), "{k:?}");
    assert!(close(k.se, 0.1380, 0.00005), "{k:?}");
    assert!(close(k.se0, 0.1484, 0.00005), "{k:?}");
    assert!(close(k.z(), 3.2626, 0.00005), "{k:?}");
    let (lo, hi) = k.interval(0.95);
    assert!(
        close(lo, 0.2137, 0.00005) && close(hi, 0.7547, 0.00005),
        "{lo} {hi}"
    );
}

/// Fleiss, J. L. (1971). "Measuring nominal scale agreement among many raters". Psychological
/// Bulletin 76(5), 378–382: 30 patients, six psychiatrists, five diagnoses (the `diagnoses`
/// data of R's `irr` package). `irr::kappa2(diagnoses[, 1:2])` prints Kappa = 0.651 for the
/// first two raters (irr manual, example of `kappa2`).
#[test]
fn cohens_kappa_matches_r_irr_on_fleiss_diagnoses() {
    let diagnoses: [[u8; 2]; 30] = [
        [4, 4],
        [2, 2],
        [2, 3],
        [5, 5],
        [2, 2],
        [1, 1],
        [3, 3],
        [1, 1],
        [1, 1],
        [5, 5],
        [1, 4],
        [1, 2],
        [2, 2],
        [1, 4],
        [2, 2],
        [3, 3],
        [1, 1],
        [1, 1],
        [2, 2],
        [1, 3],
        [5, 5],
        [2, 4],
        [2, 2],
        [1, 1],
        [1, 4],
        [2, 2],
        [1, 1],
        [2, 2],
        [1, 3],
        [5, 5],
    ];
    let a: Vec<u8> = diagnoses.iter().map(|r| r[0]).collect();
    let b: Vec<u8> = diagnoses.iter().map(|r| r[1]).collect();
    let k = cohen_kappa(&a, &b).unwrap();
    assert!(close(k.kappa, 0.651, 0.0005), "{k:?}");
}
