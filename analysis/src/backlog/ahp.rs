//! Criteria weights by the Analytic Hierarchy Process (Saaty 1977, 1980, 2008): the principal
//! eigenvector of a reciprocal pairwise comparison matrix, λmax, the consistency index
//! CI = (λmax − n)/(n − 1) and the consistency ratio CR = CI / RI(n), flagged above 0.1.
//!
//! References: T. L. Saaty, "A scaling method for priorities in hierarchical structures", J. Math.
//! Psychology 15 (1977) 234–281; T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980
//! (random index table); T. L. Saaty, "Decision making with the analytic hierarchy process",
//! Int. J. Services Sciences 1(1) (2008) 83–98 (the drinks example of the tests).

use crate::error::{AnalysisError, Result};

/// Saaty's threshold: a consistency ratio above 0.1 means the judgements should be revised.
pub const CR_THRESHOLD: f64 = 0.1;

/// How far a_ij · a_ji may stray from 1: reciprocals typed with two decimals still pass (1/7 as 0.14
/// gives 0.98, the worst case on Saaty's 1–9 scale), a judgement entered the wrong way round does not.
pub const RECIPROCAL_TOLERANCE: f64 = 0.025;

/// Saaty's random consistency index RI(n) for n = 1..=10 (Saaty 1980): the mean CI of random reciprocal
/// matrices with entries from the 1–9 scale. RI(7) = 1.32.
const SAATY_RI: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];

/// Saaty's random index for an n × n matrix; `None` beyond n = 10, where the table stops (AHP advises
/// comparing at most about seven elements at a time).
pub fn saaty_random_index(n: usize) -> Option<f64> {
    SAATY_RI.get(n.checked_sub(1)?).copied()
}

/// Result of [`ahp_weights`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AhpResult {
    /// Priority weights: the principal right eigenvector, scaled to sum 1.
    pub weights: Vec<f64>,
    /// Principal eigenvalue λmax (n for a perfectly consistent matrix).
    pub lambda_max: f64,
    /// Consistency index (λmax − n)/(n − 1); 0 for n ≤ 2.
    pub consistency_index: f64,
    /// Saaty's RI(n); `None` for n > 10.
    pub random_index: Option<f64>,
    /// CI / RI(n); 0 for n ≤ 2 (such matrices are always consistent), `None` for n > 10.
    pub consistency_ratio: Option<f64>,
    /// True when the consistency ratio exceeds [`CR_THRESHOLD`]: show a warning.
    pub inconsistent: bool,
    /// Power iterations used.
    pub iterations: usize,
}

/// Build the full reciprocal matrix from the judgements above the diagonal, row by row:
/// a_12, a_13, …, a_1n, a_23, …, a_(n−1)n; a_ji = 1/a_ij and a_ii = 1.
pub fn reciprocal_matrix(n: usize, upper: &[f64]) -> Result<Vec<Vec<f64>>> {
    let expected = n * n.saturating_sub(1) / 2;
    if upper.len() != expected {
        return Err(AnalysisError::LengthMismatch {
            what: "pairwise judgements above the diagonal".into(),
            expected,
            got: upper.len(),
        });
    }
    let mut a = vec![vec![1.0; n]; n];
    let mut it = upper.iter();
    for i in 0..n {
        for j in i + 1..n {
            let v = *it.next().expect("length checked above");
            a[i][j] = v;
            a[j][i] = 1.0 / v;
        }
    }
    Ok(a)
}

fn validate(a: &[Vec<f64>]) -> Result<usize> {
    let n = a.len();
    if n == 0 {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    for (i, row) in a.iter().enumerate() {
        if row.len() != n {
            return Err(AnalysisError::LengthMismatch {
                what: format!("row {i} of the comparison matrix"),
                expected: n,
                got: row.len(),
            });
        }
        for (j, &v) in row.iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(AnalysisError::InvalidValue(format!(
                    "comparison ({i}, {j}) must be a positive number, got {v}"
                )));
            }
        }
    }
    for i in 0..n {
        for j in i..n {
            if (a[i][j] * a[j][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return Err(AnalysisError::NotReciprocal {
                    row: i,
                    col: j,
                    value: a[i][j],
                    mirror: a[j][i],
                    expected: 1.0 / a[i][j],
                });
            }
        }
    }
    Ok(n)
}

/// Priority weights and consistency of a pairwise comparison matrix (`a[i][j]`: how many times more
/// important criterion i is than j, on Saaty's 1–9 scale).
///
/// The principal eigenvector is found by power iteration from the uniform vector: x ← A·x / Σ(A·x).
/// A positive matrix has a simple dominant eigenvalue with a positive eigenvector (Perron–Frobenius),
/// so the iteration converges; it stops when no weight moves by more than 1e-12. With x summing to 1,
/// A·x = λx gives λmax = Σ(A·x).
pub fn ahp_weights(a: &[Vec<f64>]) -> Result<AhpResult> {
    const TOL: f64 = 1e-12;
    const MAX_ITER: usize = 10_000;
    let n = validate(a)?;
    let mut x = vec![1.0 / n as f64; n];
    let mut y = vec![0.0; n];
    let mut lambda = n as f64;
    let mut iterations = 0;
    let mut change = f64::INFINITY;
    while change > TOL {
        if iterations == MAX_ITER {
            return Err(AnalysisError::NoConvergence {
                what: "AHP power iteration".into(),
                iterations,
                max_error: change,
            });
        }
        for (yi, row) in y.iter_mut().zip(a) {
            *yi = row.iter().zip(&x).map(|(r, x)| r * x).sum();
        }
        lambda = y.iter().sum();
        change = 0.0;
        for (xi, yi) in x.iter_mut().zip(&y) {
            let next = yi / lambda;
            change = change.max((next - *xi).abs());
            *xi = next;
        }
        iterations += 1;
    }
    let (ci, ri, cr) = if n <= 2 {
        // Any reciprocal 1×1 or 2×2 matrix is consistent; RI is 0 there, so CR is defined as 0.
        (0.0, saaty_random_index(n), Some(0.0))
    } else {
        let ci = (lambda - n as f64) / (n as f64 - 1.0);
        let ri = saaty_random_index(n);
        (ci, ri, ri.map(|ri| ci / ri))
    };
    Ok(AhpResult {
        weights: x,
        lambda_max: lambda,
        consistency_index: ci,
        random_index: ri,
        consistency_ratio: cr,
        inconsistent: cr.is_some_and(|cr| cr > CR_THRESHOLD),
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services Sciences
    /// 1(1) 83–98, the matrix "Which drink is consumed more in the US?" (rows/columns: coffee, wine, tea,
    /// beer, sodas, milk, water). Saaty's published eigenvector (3 decimals): coffee .177, wine .019,
    /// tea .042, beer .116, sodas .190, milk .129, water .327; CR = 0.022 with RI(7) = 1.32.
    fn drinks() -> Vec<Vec<f64>> {
        vec![
            vec![1.0, 9.0, 5.0, 2.0, 1.0, 1.0, 0.5],
            vec![
                1.0 / 9.0,
                1.0,
                1.0 / 3.0,
                1.0 / 9.0,
                1.0 / 9.0,
                1.0 / 9.0,
                1.0 / 9.0,
            ],
            vec![0.2, 3.0, 1.0, 1.0 / 3.0, 0.25, 1.0 / 3.0, 1.0 / 9.0],
            vec![0.5, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
            vec![1.0, 9.0, 4.0, 2.0, 1.0, 2.0, 0.5],
            vec![1.0, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
            vec![2.0, 9.0, 9.0, 3.0, 2.0, 3.0, 1.0],
        ]
    }

    #[test]
    fn saatys_drinks_example_gives_his_published_weights_and_consistency_ratio() {
        let r = ahp_weights(&drinks()).unwrap();
        let published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327];
        for (w, p) in r.weights.iter().zip(published) {
            // Published to three decimals: agree after rounding.
            assert!((w - p).abs() <= 0.0005 + 1e-12, "{w} vs {p}");
        }
        assert_eq!(r.random_index, Some(1.32));
        let cr = r.consistency_ratio.unwrap();
        assert!((cr - 0.022).abs() < 0.0005, "CR {cr}");
        assert!(!r.inconsistent);
        assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_consistent_matrix_returns_its_generating_weights_with_lambda_n() {
        let w = [0.5, 0.25, 0.15, 0.1];
        let a: Vec<Vec<f64>> = w
            .iter()
            .map(|wi| w.iter().map(|wj| wi / wj).collect())
            .collect();
        let r = ahp_weights(&a).unwrap();
        for (got, want) in r.weights.iter().zip(w) {
            assert!((got - want).abs() < 1e-10);
        }
        assert!((r.lambda_max - 4.0).abs() < 1e-10);
        assert!(r.consistency_ratio.unwrap().abs() < 1e-10);
    }

    #[test]
    fn contradictory_judgements_are_flagged_as_inconsistent() {
        // A ≫ B, B ≫ C, yet C ≫ A.
        let a = reciprocal_matrix(3, &[9.0, 1.0 / 9.0, 9.0]).unwrap();
        let r = ahp_weights(&a).unwrap();
        assert!(r.consistency_ratio.unwrap() > CR_THRESHOLD);
        assert!(r.inconsistent);
    }

    #[test]
    fn a_matrix_that_is_not_reciprocal_is_refused_naming_the_entry() {
        let mut a = drinks();
        a[2][4] = 4.0; // tea vs sodas; sodas vs tea stays 4
        match ahp_weights(&a) {
            Err(AnalysisError::NotReciprocal {
                row, col, mirror, ..
            }) => {
                assert_eq!((row, col), (2, 4));
                assert_eq!(mirror, 4.0);
            }
            other => panic!("expected NotReciprocal, got {other:?}"),
        }
        // Two-decimal reciprocals are accepted.
        let mut b = drinks();
        b[0][6] = 0.5;
        b[1][2] = 0.33;
        b[2][4] = 0.25;
        let mut c = b.clone();
        assert!(ahp_weights(&b).is_ok());
        c[3][1] = 7.0;
        c[1][3] = 0.14;
        assert!(ahp_weights(&c).is_ok());
    }

    #[test]
    fn the_upper_triangle_builds_the_reciprocal_matrix() {
        let a = reciprocal_matrix(3, &[2.0, 4.0, 2.0]).unwrap();
        assert_eq!(a[1][0], 0.5);
        assert_eq!(a[2][0], 0.25);
        assert_eq!(a[2][1], 0.5);
        let r = ahp_weights(&a).unwrap();
        // Consistent (2·2 = 4): weights 4:2:1.
        assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-10);
        assert!(matches!(
            reciprocal_matrix(3, &[2.0]),
            Err(AnalysisError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn the_random_index_table_is_saatys() {
        assert_eq!(saaty_random_index(3), Some(0.58));
        assert_eq!(saaty_random_index(7), Some(1.32));
        assert_eq!(saaty_random_index(10), Some(1.49));
        assert_eq!(saaty_random_index(11), None);
        assert_eq!(saaty_random_index(0), None);
    }
}
