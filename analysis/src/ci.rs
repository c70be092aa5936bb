//! Confidence intervals for a proportion: Wilson, Clopper–Pearson, logit and Korn–Graubard. Every
//! interval stays inside [0, 1] and is exact at the boundaries (0 successes → lower limit 0, all → upper 1).

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
    dist::check_level(level)
}

/// Beta quantile, bounded in steps whatever the shapes (see [`dist::qbeta`]). Beyond 10¹⁰ the
/// beta is normal to far below double precision of an interval end, so the normal quantile with
/// the beta's mean and SD is used: an SE of 0 gives an effective sample size of 10³⁰, and the
/// interval is then [p, p], as R's `qbeta` gives for such shapes.
fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    let s = a + b;
    if a.is_finite() && b.is_finite() && s > 1e10 {
        let m = a / s;
        let sd = (m * (1.0 - m) / (s + 1.0)).sqrt();
        return (m + dist::qnorm(p) * sd).clamp(0.0, 1.0);
    }
    dist::qbeta(p, a, b)
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

/// Logit interval: Wald on the log-odds scale with t on `df` degrees of freedom: R
/// `svyciprop(~I(x == k), design, method = "logit", na.rm = TRUE)`, R's default method, with `df` =
/// `degf(design)` (of the domain's subset design under `svyby`).
/// At p = 0 or 1 the log-odds are infinite, so the one-sided Clopper–Pearson limit with effective n
/// p(1−p)/se² is not available either; we return the exact boundary and the other limit from Clopper–Pearson with `n`.
pub fn logit(p: f64, se: f64, n: f64, df: f64, level: f64) -> Result<Interval> {
    if !(0.0..=1.0).contains(&p) || !se.is_finite() || se < 0.0 {
        return Err(AnalysisError::InvalidArgument(format!(
            "need p in [0, 1] and se ≥ 0, got p = {p}, se = {se}"
        )));
    }
    dist::check_level(level)?;
    if p == 0.0 || p == 1.0 {
        return clopper_pearson((p * n).round(), n, level);
    }
    if se == 0.0 {
        // No sampling variance (e.g. the share of a stratum in a stratified design): the interval
        // has width 0, as R's `svyciprop(method = "logit")` gives.
        return Ok(Interval { lower: p, upper: p });
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
/// p(1−p)/se², adjusted by (t_{n−1}/t_df)²; R `svyciprop(~I(x == k), design, method = "beta",
/// na.rm = TRUE)`. As R, `n` is `nrow(design)`, every row of the (sub)design including rows missing
/// in the variable, and `df` is `degf(design)` (of the domain's subset design under `svyby`).
/// With an SE of 0 the interval is [p, p] (R gives (0.5, 0.5) there: its `qbeta` with two infinite
/// shapes is a point mass at ½); at p = 0 or 1, where R gives NaN, the Clopper–Pearson end with n.
pub fn korn_graubard(p: f64, se: f64, n: usize, df: f64, level: f64) -> Result<Interval> {
    if !(0.0..=1.0).contains(&p) || !se.is_finite() || se < 0.0 || n < 2 {
        return Err(AnalysisError::InvalidArgument(format!(
            "need p in [0, 1], se ≥ 0 and n ≥ 2, got p = {p}, se = {se}, n = {n}"
        )));
    }
    dist::check_level(level)?;
    let alpha = 1.0 - level;
    if se == 0.0 && p > 0.0 && p < 1.0 {
        // No sampling variance: R's effective sample size p(1−p)/se² is infinite (or, from a
        // variance that rounds to 10⁻³⁵, 10³⁰) and the interval has width 0.
        return Ok(Interval { lower: p, upper: p });
    }
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
