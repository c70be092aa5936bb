//! Distribution functions, each ending in a bounded number of steps for every input.
//!
//! statrs' quantile functions for the beta and t distributions (`inv_beta_reg`, AS 109) iterate
//! until convergence with no limit, and never converge for very large shapes (an interval with a
//! standard error of 0 gives an effective sample size of 10³⁰): a results page would hang a worker
//! for ever. So the quantiles here are our own bracketed Newton iterations on statrs' regularised
//! incomplete beta (a continued fraction of at most 140 terms), with at most [`MAX_STEPS`] steps,
//! and every function answers NaN (never a panic) for arguments outside its domain. Degenerate
//! shapes follow R's `qbeta` (`src/nmath/qbeta.c`): a = 0 or b = ∞ is a point mass at 0, b = 0 or
//! a = ∞ at 1, both infinite at ½.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};
use statrs::function::beta::{beta_reg, ln_beta};

/// Most iterations any quantile search takes (bisection alone needs about 1,100 to pin a double
/// in (0, 1) when it halves on the log scale first).
pub const MAX_STEPS: usize = 1_200;

/// Standard normal quantile (R `qnorm`); NaN outside [0, 1], ∓∞ at 0 and 1.
pub fn qnorm(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Standard normal upper tail P(Z > z).
pub fn pnorm_upper(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    Normal::new(0.0, 1.0).map(|n| n.sf(z)).unwrap_or(f64::NAN)
}

/// Student t quantile (R `qt`); infinite df gives the normal quantile, df ≤ 0 or NaN gives NaN.
pub fn qt(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if !df.is_finite() || df > 1e10 {
        return qnorm(p);
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2), so the tail 2·min(p, 1−p) maps to a beta quantile.
    let tail = 2.0 * p.min(1.0 - p);
    let x = qbeta(tail, df / 2.0, 0.5);
    let mut t = if x > 0.0 {
        (df * (1.0 - x) / x).sqrt()
    } else {
        f64::INFINITY
    };
    // Polish on the t scale, where 1 − x above loses digits near the centre (a few bounded steps).
    if let Ok(dist) = StudentsT::new(0.0, 1.0, df) {
        use statrs::distribution::Continuous;
        for _ in 0..4 {
            if !t.is_finite() {
                break;
            }
            let f = dist.sf(t) - tail / 2.0;
            let d = dist.pdf(t);
            if d <= 0.0 || !f.is_finite() {
                break;
            }
            let step = f / d;
            if !step.is_finite() || step.abs() > 0.5 * t.abs().max(1e-3) {
                break;
            }
            t += step;
            if step.abs() <= 1e-15 * t.abs() {
                break;
            }
        }
    }
    if p < 0.5 {
        -t
    } else {
        t
    }
}

/// Student t upper tail P(T > t).
pub fn pt_upper(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if !df.is_finite() {
        return pnorm_upper(t);
    }
    if t == f64::INFINITY {
        return 0.0;
    }
    if t == f64::NEG_INFINITY {
        return 1.0;
    }
    StudentsT::new(0.0, 1.0, df)
        .map(|d| d.sf(t))
        .unwrap_or(f64::NAN)
}

/// Chi-square upper tail (R `pchisq(lower.tail = FALSE)`).
pub fn pchisq_upper(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 || !df.is_finite() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}

/// F upper tail (R `pf(lower.tail = FALSE)`).
pub fn pf_upper(x: f64, df1: f64, df2: f64) -> f64 {
    if x.is_nan() || df1.is_nan() || df2.is_nan() || df1 <= 0.0 || df2 <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if !df2.is_finite() {
        // F(df1, ∞) is χ²(df1)/df1.
        return pchisq_upper(x * df1, df1);
    }
    FisherSnedecor::new(df1, df2)
        .map(|d| d.sf(x))
        .unwrap_or(f64::NAN)
}

/// Regularised incomplete beta I_x(a, b) (R `pbeta`), NaN outside its domain.
pub fn pbeta(x: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() || a.is_nan() || b.is_nan() || a < 0.0 || b < 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if a == 0.0 || b == f64::INFINITY {
        return 1.0;
    }
    if b == 0.0 || a == f64::INFINITY {
        return 0.0;
    }
    beta_reg(a, b, x)
}

/// Beta quantile (R `qbeta(p, a, b)`): the x in [0, 1] with I_x(a, b) = p, found by Newton steps
/// kept inside a shrinking bracket (a bisection step, halving on the log scale while the bracket
/// spans orders of magnitude, whenever Newton would leave it). At most [`MAX_STEPS`] steps.
pub fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    if p.is_nan() || a.is_nan() || b.is_nan() || a < 0.0 || b < 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    // Point masses, as R's qbeta.
    match (
        a == 0.0 || b == f64::INFINITY,
        b == 0.0 || a == f64::INFINITY,
    ) {
        (true, true) => {
            return if a == 0.0 && b == 0.0 {
                if p < 0.5 {
                    0.0
                } else {
                    1.0
                }
            } else {
                0.5
            }
        }
        (true, false) => return 0.0,
        (false, true) => return 1.0,
        (false, false) => {}
    }
    if p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return 1.0;
    }
    let ln_b = ln_beta(a, b);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = (a / (a + b)).clamp(1e-10, 1.0 - 1e-10);
    for _ in 0..MAX_STEPS {
        let f = beta_reg(a, b, x) - p;
        if !f.is_finite() {
            return f64::NAN;
        }
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let ln_d = (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b;
        let newton = x - f / ln_d.exp();
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if lo > 0.0 && hi / lo > 4.0 {
            (lo * hi).sqrt()
        } else if lo == 0.0 && hi > 1e-300 {
            // Halve the exponent: reaches tiny quantiles in a few dozen steps.
            (hi.ln() * 1.5).exp().min(hi * 0.5)
        } else if hi == 1.0 && lo > 0.5 {
            1.0 - (1.0 - lo) * 0.5
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE)
            || hi - lo <= 4.0 * f64::EPSILON * hi
        {
            return next;
        }
        x = next;
    }
    x
}

/// Clamp a p-value into [0, 1] (guards tiny floating excursions).
pub fn clamp_p(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

/// A confidence level in the open interval (0, 1), or an error naming it.
pub fn check_level(level: f64) -> crate::Result<()> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(crate::AnalysisError::InvalidArgument(format!(
            "confidence level {level} is not between 0 and 1 (exclusive)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * want.abs().max(1e-300),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn beta_quantiles_agree_with_r() {
        // R 4.2: qbeta(0.025, 3, 7); qbeta(0.975, 40.5, 2); qbeta(1e-10, 0.5, 0.5); qbeta(0.5, 2000, 3000)
        close(qbeta(0.025, 3.0, 7.0), 7.48546314196918e-2, 1e-9);
        close(qbeta(0.975, 40.5, 2.0), 9.941093998312535e-1, 1e-9);
        close(qbeta(1e-10, 0.5, 0.5), 2.467401100272341e-20, 1e-7);
        close(qbeta(0.5, 2000.0, 3000.0), 3.999866656264175e-1, 1e-9);
    }

    #[test]
    fn beta_quantiles_end_for_huge_and_degenerate_shapes() {
        for (p, a, b) in [
            (0.025, 1e30, 3e30),
            (0.975, 1e300, 1.0),
            (0.5, f64::INFINITY, f64::INFINITY),
            (0.5, 0.0, 5.0),
            (0.5, 5.0, 0.0),
            (0.3, 1e-300, 1e-300),
        ] {
            let q = qbeta(p, a, b);
            assert!(q.is_nan() || (0.0..=1.0).contains(&q), "{p} {a} {b}: {q}");
        }
        assert_eq!(qbeta(0.5, f64::INFINITY, f64::INFINITY), 0.5);
        assert!(qbeta(1.5, 2.0, 2.0).is_nan());
    }

    #[test]
    fn t_quantiles_agree_with_r() {
        // R: qt(0.975, c(1, 2, 5, 30, 197)); qt(0.0005, 3)
        for (df, want) in [
            (1.0, 12.706204736174698),
            (2.0, 4.302652729749464),
            (5.0, 2.570581835636314),
            (30.0, 2.042272456301238),
            (197.0, 1.972079033778501),
        ] {
            close(qt(0.975, df), want, 1e-10);
            close(qt(0.025, df), -want, 1e-10);
        }
        close(qt(0.0005, 3.0), -12.92397863668748, 1e-10);
        assert!(qt(1.25, 5.0).is_nan() && qt(0.5, -1.0).is_nan());
        assert!(qnorm(-0.25).is_nan());
    }
}
