//! Classical tests used alongside survey tables: Welch t, Mann–Whitney U, Kruskal–Wallis, Spearman,
//! Cochran–Armitage trend, Cronbach's alpha and multiple-testing adjustments (each as in base R's stats).

use crate::design::Design;
use crate::dist;
use crate::error::{AnalysisError, Result};
use crate::estimate::Estimate;

/// Result of a test with one statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TestResult {
    /// Test statistic (t, z, W, H, X² … as named by the function).
    pub statistic: f64,
    /// Degrees of freedom where meaningful (NaN otherwise).
    pub df: f64,
    /// p-value (two-sided unless stated).
    pub p_value: f64,
    /// Effect estimate (difference in means, rho …) where meaningful.
    pub estimate: f64,
}

fn finite(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| v.is_finite()).collect()
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (
        m,
        x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0),
    )
}

/// Welch two-sample t-test with Satterthwaite df (Welch 1947; R `t.test(var.equal = FALSE)`); estimate is mean(x) − mean(y).
pub fn welch_t_test(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let (x, y) = (finite(x), finite(y));
    if x.len() < 2 || y.len() < 2 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: x.len().min(y.len()),
        });
    }
    let ((mx, vx), (my, vy)) = (mean_var(&x), mean_var(&y));
    let (sx, sy) = (vx / x.len() as f64, vy / y.len() as f64);
    let se = (sx + sy).sqrt();
    if se == 0.0 {
        return Err(AnalysisError::InvalidValue(
            "both groups are constant; t is undefined".into(),
        ));
    }
    let t = (mx - my) / se;
    let df =
        (sx + sy).powi(2) / (sx * sx / (x.len() as f64 - 1.0) + sy * sy / (y.len() as f64 - 1.0));
    Ok(TestResult {
        statistic: t,
        df,
        p_value: dist::clamp_p(2.0 * dist::pt_upper(t.abs(), df)),
        estimate: mx - my,
    })
}

/// Average ranks (1-based) with ties sharing the mean rank, plus Σ(t³ − t) over tie groups.
pub fn ranks(x: &[f64]) -> (Vec<f64>, f64) {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (r, ties)
}

/// Mann–Whitney U / Wilcoxon rank-sum test, normal approximation with tie and continuity correction
/// (R `wilcox.test(exact = FALSE, correct = TRUE)`). Statistic is R's W = U of `x`.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let (x, y) = (finite(x), finite(y));
    if x.is_empty() || y.is_empty() {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let all: Vec<f64> = x.iter().chain(&y).copied().collect();
    let (r, ties) = ranks(&all);
    let w = r[..x.len()].iter().sum::<f64>() - nx * (nx + 1.0) / 2.0;
    let z0 = w - nx * ny / 2.0;
    let n = nx + ny;
    let sigma = (nx * ny / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    if sigma == 0.0 {
        return Err(AnalysisError::InvalidValue("all values are tied".into()));
    }
    // R's sign(0) is 0: no continuity correction when W sits exactly at its mean.
    let correction = if z0 == 0.0 { 0.0 } else { 0.5 * z0.signum() };
    let z = (z0 - correction) / sigma;
    Ok(TestResult {
        statistic: w,
        df: f64::NAN,
        p_value: dist::clamp_p(2.0 * dist::pnorm_upper(z.abs())),
        estimate: z,
    })
}

/// Kruskal–Wallis H with tie correction, χ² on k − 1 df (Kruskal & Wallis 1952; R `kruskal.test`).
pub fn kruskal_wallis(groups: &[Vec<f64>]) -> Result<TestResult> {
    let groups: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| finite(g))
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() < 2 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: groups.len(),
        });
    }
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let (r, ties) = ranks(&all);
    let mut h = 0.0;
    let mut off = 0;
    for g in &groups {
        let s: f64 = r[off..off + g.len()].iter().sum();
        h += s * s / g.len() as f64;
        off += g.len();
    }
    h = 12.0 / (n * (n + 1.0)) * h - 3.0 * (n + 1.0);
    let corr = 1.0 - ties / (n * n * n - n);
    if corr <= 0.0 {
        return Err(AnalysisError::InvalidValue("all values are tied".into()));
    }
    h /= corr;
    let df = groups.len() as f64 - 1.0;
    Ok(TestResult {
        statistic: h,
        df,
        p_value: dist::clamp_p(dist::pchisq_upper(h, df)),
        estimate: f64::NAN,
    })
}

/// Spearman rank correlation with the t approximation p-value (R `cor.test(method = "spearman", exact = FALSE)`);
/// pairs with a missing value are dropped.
pub fn spearman(x: &[f64], y: &[f64]) -> Result<TestResult> {
    if x.len() != y.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "y".into(),
            expected: x.len(),
            got: y.len(),
        });
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let n = xs.len();
    if n < 3 {
        return Err(AnalysisError::InsufficientData { needed: 3, got: n });
    }
    let (rx, _) = ranks(&xs);
    let (ry, _) = ranks(&ys);
    let (mx, vx) = mean_var(&rx);
    let (my, vy) = mean_var(&ry);
    let cov = rx
        .iter()
        .zip(&ry)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (n as f64 - 1.0);
    let rho = cov / (vx * vy).sqrt();
    let df = n as f64 - 2.0;
    let t = rho * (df / (1.0 - rho * rho).max(f64::MIN_POSITIVE)).sqrt();
    Ok(TestResult {
        statistic: t,
        df,
        p_value: dist::clamp_p(2.0 * dist::pt_upper(t.abs(), df)),
        estimate: rho,
    })
}

/// Cochran–Armitage test for trend in proportions `successes / trials` over `scores`
/// (Armitage 1955; R `prop.trend.test`: the regression sum of squares of a weighted linear fit).
pub fn cochran_armitage(successes: &[f64], trials: &[f64], scores: &[f64]) -> Result<TestResult> {
    let k = successes.len();
    if trials.len() != k || scores.len() != k {
        return Err(AnalysisError::LengthMismatch {
            what: "trials/scores".into(),
            expected: k,
            got: trials.len().min(scores.len()),
        });
    }
    if k < 2 {
        return Err(AnalysisError::InsufficientData { needed: 2, got: k });
    }
    let p = successes.iter().sum::<f64>() / trials.iter().sum::<f64>();
    if !(p > 0.0 && p < 1.0) {
        return Err(AnalysisError::InvalidValue(
            "overall proportion is 0 or 1; trend undefined".into(),
        ));
    }
    let w: Vec<f64> = trials.iter().map(|n| n / (p * (1.0 - p))).collect();
    let f: Vec<f64> = successes.iter().zip(trials).map(|(x, n)| x / n).collect();
    let sw: f64 = w.iter().sum();
    let sbar = w.iter().zip(scores).map(|(w, s)| w * s).sum::<f64>() / sw;
    let fbar = w.iter().zip(&f).map(|(w, f)| w * f).sum::<f64>() / sw;
    let sxy: f64 = (0..k)
        .map(|i| w[i] * (scores[i] - sbar) * (f[i] - fbar))
        .sum();
    let sxx: f64 = (0..k).map(|i| w[i] * (scores[i] - sbar).powi(2)).sum();
    let chisq = sxy * sxy / sxx;
    Ok(TestResult {
        statistic: chisq,
        df: 1.0,
        p_value: dist::clamp_p(dist::pchisq_upper(chisq, 1.0)),
        estimate: sxy / sxx,
    })
}

/// Cronbach's alpha k/(k−1)·(1 − Σ var(item)/var(total)) over complete cases (Cronbach 1951).
pub fn cronbach_alpha(items: &[Vec<f64>]) -> Result<f64> {
    let k = items.len();
    if k < 2 {
        return Err(AnalysisError::InsufficientData { needed: 2, got: k });
    }
    let n = items[0].len();
    if let Some(bad) = items.iter().find(|c| c.len() != n) {
        return Err(AnalysisError::LengthMismatch {
            what: "item".into(),
            expected: n,
            got: bad.len(),
        });
    }
    let rows: Vec<usize> = (0..n)
        .filter(|&i| items.iter().all(|c| c[i].is_finite()))
        .collect();
    if rows.len() < 2 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: rows.len(),
        });
    }
    let item_var: f64 = items
        .iter()
        .map(|c| mean_var(&rows.iter().map(|&i| c[i]).collect::<Vec<_>>()).1)
        .sum();
    let total: Vec<f64> = rows
        .iter()
        .map(|&i| items.iter().map(|c| c[i]).sum())
        .collect();
    let (_, tv) = mean_var(&total);
    if tv == 0.0 {
        return Err(AnalysisError::InvalidValue(
            "total score has zero variance".into(),
        ));
    }
    Ok(k as f64 / (k as f64 - 1.0) * (1.0 - item_var / tv))
}

/// Multiple-testing adjustment method (R `p.adjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PAdjust {
    /// Bonferroni: p·m.
    Bonferroni,
    /// Holm (1979) step-down.
    Holm,
    /// Benjamini & Hochberg (1995) step-up false discovery rate.
    BenjaminiHochberg,
}

/// Adjusted p-values, same order as the input (R `p.adjust`).
pub fn p_adjust(p: &[f64], method: PAdjust) -> Result<Vec<f64>> {
    if let Some(bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(AnalysisError::InvalidValue(format!(
            "p-value {bad} outside [0, 1]"
        )));
    }
    let m = p.len() as f64;
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; p.len()];
    match method {
        PAdjust::Bonferroni => {
            for (o, v) in out.iter_mut().zip(p) {
                *o = (v * m).min(1.0);
            }
        }
        PAdjust::Holm => {
            let mut run = 0.0_f64;
            for (rank, &i) in idx.iter().enumerate() {
                run = run.max((m - rank as f64) * p[i]);
                out[i] = run.min(1.0);
            }
        }
        PAdjust::BenjaminiHochberg => {
            let mut run = 1.0_f64;
            for (rank, &i) in idx.iter().enumerate().rev() {
                run = run.min(m / (rank as f64 + 1.0) * p[i]);
                out[i] = run.min(1.0);
            }
        }
    }
    Ok(out)
}

impl Design {
    /// Difference p_a − p_b of a weighted proportion between two domains of the same design, with the
    /// linearisation SE of the difference (covariance included, as `svyby` + `svycontrast`) and a two-sided
    /// Wald test on the design df.
    pub fn proportion_difference(
        &self,
        indicator: &[bool],
        domain_a: &[bool],
        domain_b: &[bool],
    ) -> Result<(Estimate, f64)> {
        let y: Vec<f64> = indicator.iter().map(|&b| b as u8 as f64).collect();
        self.mean_difference(&y, domain_a, domain_b)
    }

    /// Difference of weighted means between two domains with linearisation SE and two-sided p-value (t on design df).
    pub fn mean_difference(
        &self,
        y: &[f64],
        domain_a: &[bool],
        domain_b: &[bool],
    ) -> Result<(Estimate, f64)> {
        let (ma, za, na, _) = self.mean_influence(y, Some(domain_a))?;
        let (mb, zb, nb, _) = self.mean_influence(y, Some(domain_b))?;
        let z: Vec<f64> = za.iter().zip(&zb).map(|(a, b)| a - b).collect();
        let se = self.total_variance(z)?.sqrt();
        let df = self.degrees_of_freedom();
        let est = Estimate {
            estimate: ma - mb,
            se,
            df,
            n: na + nb,
            deff: None,
        };
        let p = if se > 0.0 {
            dist::clamp_p(2.0 * dist::pt_upper(((ma - mb) / se).abs(), df))
        } else {
            f64::NAN
        };
        Ok((est, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_average_rank() {
        let (r, ties) = ranks(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r, vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(ties, 6.0);
    }

    #[test]
    fn holm_is_never_below_bh_and_never_above_bonferroni() {
        let p = [0.01, 0.04, 0.03, 0.2];
        let bh = p_adjust(&p, PAdjust::BenjaminiHochberg).expect("bh");
        let holm = p_adjust(&p, PAdjust::Holm).expect("holm");
        let bonf = p_adjust(&p, PAdjust::Bonferroni).expect("bonferroni");
        for i in 0..p.len() {
            assert!(bh[i] <= holm[i] + 1e-15 && holm[i] <= bonf[i] + 1e-15);
        }
    }
}
