//! Confidence intervals for a proportion: Wilson, Clopper–Pearson, logit and Korn–Graubard. Every
//! interval stays inside [0, 1] and is exact at the boundaries (0 successes → lower limit 0, all → upper 1).

use statrs::distribution::{Beta, ContinuousCDF};

use crate::dist;
use crate::error::{AnalysisError, Result};

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

fn check(x: f64, n: f64, level: f64) -> Result<()> {
    if n.is_nan() || n <= 0.0 || !(0.0..=n).contains(&x) {
        return Err(AnalysisError::InvalidArgument(format!(
            "need 0 ≤ x ≤ n and n > 0, got x = {x}, n = {n}"
        )));
    }
    if level.is_nan() || level <= 0.0 || level >= 1.0 {
        return Err(AnalysisError::InvalidArgument(format!(
            "confidence level {level} outside (0, 1)"
        )));
    }
    Ok(())
}

fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    Beta::new(a, b)
        .map(|d| d.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Wilson score interval without continuity correction (Wilson 1927; R `prop.test(correct = FALSE)`).
/// `x` and `n` may be non-integer (e.g. an effective sample size).
pub fn wilson(x: f64, n: f64, level: f64) -> Result<Interval> {
    check(x, n, level)?;
    let z = dist::qnorm(1.0 - (1.0 - level) / 2.0);
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Ok(Interval {
        lower: if x == 0.0 {
            0.0
        } else {
            (centre - half).clamp(0.0, 1.0)
        },
        upper: if x == n {
            1.0
        } else {
            (centre + half).clamp(0.0, 1.0)
        },
    })
}

/// Clopper–Pearson "exact" interval from beta quantiles (Clopper & Pearson 1934; R `binom.test`).
pub fn clopper_pearson(x: f64, n: f64, level: f64) -> Result<Interval> {
    check(x, n, level)?;
    let a = (1.0 - level) / 2.0;
    Ok(Interval {
        lower: if x == 0.0 {
            0.0
        } else {
            qbeta(a, x, n - x + 1.0)
        },
        upper: if x == n {
            1.0
        } else {
            qbeta(1.0 - a, x + 1.0, n - x)
        },
    })
}

/// Logit interval: Wald on the log-odds scale with t on `df` degrees of freedom (R `svyciprop(method = "logit")`).
/// At p = 0 or 1 the log-odds are infinite, so the one-sided Clopper–Pearson limit with effective n
/// p(1−p)/se² is not available either; we return the exact boundary and the other limit from Clopper–Pearson with `n`.
pub fn logit(p: f64, se: f64, n: f64, df: f64, level: f64) -> Result<Interval> {
    if !(0.0..=1.0).contains(&p) || se.is_nan() || se < 0.0 {
        return Err(AnalysisError::InvalidArgument(format!(
            "need p in [0, 1] and se ≥ 0, got p = {p}, se = {se}"
        )));
    }
    if p == 0.0 || p == 1.0 || se == 0.0 {
        return clopper_pearson((p * n).round(), n, level);
    }
    let t = dist::qt(1.0 - (1.0 - level) / 2.0, df);
    let l = (p / (1.0 - p)).ln();
    let s = se / (p * (1.0 - p));
    let expit = |v: f64| 1.0 / (1.0 + (-v).exp());
    Ok(Interval {
        lower: expit(l - t * s),
        upper: expit(l + t * s),
    })
}

/// Korn–Graubard interval (Korn & Graubard 1998): Clopper–Pearson with the effective sample size
/// p(1−p)/se², adjusted by (t_{n−1}/t_df)²; R `svyciprop(method = "beta")`.
pub fn korn_graubard(p: f64, se: f64, n: usize, df: f64, level: f64) -> Result<Interval> {
    if !(0.0..=1.0).contains(&p) || se.is_nan() || se < 0.0 || n < 2 {
        return Err(AnalysisError::InvalidArgument(format!(
            "need p in [0, 1], se ≥ 0 and n ≥ 2, got p = {p}, se = {se}, n = {n}"
        )));
    }
    let alpha = 1.0 - level;
    let mut n_eff = if se > 0.0 && p > 0.0 && p < 1.0 {
        p * (1.0 - p) / (se * se)
    } else {
        n as f64
    };
    n_eff *= (dist::qt(alpha / 2.0, n as f64 - 1.0) / dist::qt(alpha / 2.0, df)).powi(2);
    Ok(Interval {
        lower: if p == 0.0 {
            0.0
        } else {
            qbeta(alpha / 2.0, n_eff * p, n_eff * (1.0 - p) + 1.0)
        },
        upper: if p == 1.0 {
            1.0
        } else {
            qbeta(1.0 - alpha / 2.0, n_eff * p + 1.0, n_eff * (1.0 - p))
        },
    })
}
