//! Thin wrappers over statrs distributions so the rest of the crate handles parameter errors in one place.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

/// Standard normal quantile.
pub fn qnorm(p: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Standard normal upper tail P(Z > z).
pub fn pnorm_upper(z: f64) -> f64 {
    Normal::new(0.0, 1.0).map(|n| n.sf(z)).unwrap_or(f64::NAN)
}

/// Student t quantile; infinite df gives the normal quantile.
pub fn qt(p: f64, df: f64) -> f64 {
    if !df.is_finite() {
        return qnorm(p);
    }
    StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Student t upper tail P(T > t).
pub fn pt_upper(t: f64, df: f64) -> f64 {
    if !df.is_finite() {
        return pnorm_upper(t);
    }
    StudentsT::new(0.0, 1.0, df)
        .map(|d| d.sf(t))
        .unwrap_or(f64::NAN)
}

/// Chi-square upper tail.
pub fn pchisq_upper(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}

/// F upper tail.
pub fn pf_upper(x: f64, df1: f64, df2: f64) -> f64 {
    FisherSnedecor::new(df1, df2)
        .map(|d| d.sf(x))
        .unwrap_or(f64::NAN)
}

/// Clamp a p-value into [0, 1] (guards tiny floating excursions).
pub fn clamp_p(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}
