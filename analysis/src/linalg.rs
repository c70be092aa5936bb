//! Small dense linear algebra (row-major `Vec<f64>`) for the few p × p systems the estimators need.

use crate::error::{AnalysisError, Result};

/// Solve `a x = b` for square `a` (n × n, row-major) and `b` (n × m, row-major) by Gaussian
/// elimination with partial pivoting. Used for calibration and the Rao–Scott design-effect matrix.
pub fn solve(a: &[f64], b: &[f64], n: usize, m: usize, what: &str) -> Result<Vec<f64>> {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let scale = a
        .iter()
        .fold(0.0_f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
            .unwrap_or(col);
        if a[piv * n + col].abs() <= scale * 1e-13 {
            return Err(AnalysisError::Singular(what.to_string()));
        }
        if piv != col {
            for k in 0..n {
                a.swap(piv * n + k, col * n + k);
            }
            for k in 0..m {
                b.swap(piv * m + k, col * m + k);
            }
        }
        let d = a[col * n + col];
        for row in col + 1..n {
            let f = a[row * n + col] / d;
            if f == 0.0 {
                continue;
            }
            for k in col..n {
                a[row * n + k] -= f * a[col * n + k];
            }
            for k in 0..m {
                b[row * m + k] -= f * b[col * m + k];
            }
        }
    }
    let mut x = vec![0.0; n * m];
    for k in 0..m {
        for row in (0..n).rev() {
            let mut s = b[row * m + k];
            for j in row + 1..n {
                s -= a[row * n + j] * x[j * m + k];
            }
            x[row * m + k] = s / a[row * n + row];
        }
    }
    Ok(x)
}

/// Product of `a` (n × k) and `b` (k × m), row-major.
pub fn matmul(a: &[f64], b: &[f64], n: usize, k: usize, m: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * m];
    for i in 0..n {
        for l in 0..k {
            let av = a[i * k + l];
            if av == 0.0 {
                continue;
            }
            for j in 0..m {
                out[i * m + j] += av * b[l * m + j];
            }
        }
    }
    out
}

/// Transpose of an n × m row-major matrix.
pub fn transpose(a: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            out[j * n + i] = a[i * m + j];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_recovers_a_known_solution_with_pivoting() {
        // First pivot is zero, so this fails without row exchange.
        let a = [0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 2.0, 0.0, 3.0];
        let x = [1.0, -2.0, 3.0];
        let b = matmul(&a, &x, 3, 3, 1);
        let got = solve(&a, &b, 3, 1, "test").expect("regular");
        for (g, e) in got.iter().zip(x) {
            assert!((g - e).abs() < 1e-12);
        }
    }

    #[test]
    fn solve_reports_a_singular_matrix() {
        assert!(solve(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0], 2, 1, "test").is_err());
    }
}
