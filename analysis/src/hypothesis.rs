//! Classical tests used alongside survey tables: Welch t, Mann–Whitney U (approximate and exact), Kruskal–Wallis,
//! Spearman (approximate and, without ties, R's default p-value),
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

/// Null distribution of the Mann–Whitney U for samples of sizes `m` and `n` without ties: entry `u` is the
/// number of the C(m + n, m) equally likely rank assignments with U = u, for u = 0 ..= m·n. These are the
/// coefficients of the Gaussian binomial coefficient ∏ᵢ (1 − q^(n+i)) / (1 − q^i), i = 1..m (Mann &
/// Whitney 1947), the distribution R's `dwilcox`/`pwilcox` count. Exact integers for m, n < 50
/// (C(98, 49) < 2^127); larger sizes are an error rather than an overflow.
pub fn wilcox_null_counts(m: usize, n: usize) -> Result<Vec<u128>> {
    if m >= 50 || n >= 50 {
        return Err(AnalysisError::InvalidArgument(format!(
            "exact Mann–Whitney counts are for samples below 50 (got {m} and {n})"
        )));
    }
    let top = m * n;
    // Room for the intermediate product before each division.
    let mut c = vec![0i128; top + m + n + 2];
    c[0] = 1;
    for i in 1..=m {
        let up = n + i;
        for k in (up..c.len()).rev() {
            c[k] -= c[k - up];
        }
        for k in i..c.len() {
            c[k] += c[k - i];
        }
    }
    c.truncate(top + 1);
    Ok(c.into_iter().map(|v| v.max(0) as u128).collect())
}

/// Mann–Whitney U / Wilcoxon rank-sum test with the exact two-sided p-value, for samples without ties
/// and both sizes below 50: exactly R's default `wilcox.test(x, y)` in that case (`exact = NULL`), i.e.
/// p = min(1, 2·P(U ≤ W)) when W ≤ m·n/2, else min(1, 2·P(U ≥ W)), from [`wilcox_null_counts`].
/// Statistic is R's W (U of `x`); estimate is W / (m·n), the share of (x, y) pairs with x > y.
/// With ties or larger samples it is an error: use [`mann_whitney`] (normal approximation), as R does.
pub fn mann_whitney_exact(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let (x, y) = (finite(x), finite(y));
    if x.is_empty() || y.is_empty() {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    if x.len() >= 50 || y.len() >= 50 {
        return Err(AnalysisError::InvalidArgument(format!(
            "the exact Mann–Whitney p-value is for samples below 50 (got {} and {}); use the normal approximation",
            x.len(),
            y.len()
        )));
    }
    let all: Vec<f64> = x.iter().chain(&y).copied().collect();
    let (r, ties) = ranks(&all);
    if ties > 0.0 {
        return Err(AnalysisError::InvalidArgument(
            "the exact Mann–Whitney p-value needs data without ties; use the normal approximation"
                .into(),
        ));
    }
    let (m, n) = (x.len(), y.len());
    let w = r[..m].iter().sum::<f64>() - (m * (m + 1)) as f64 / 2.0;
    // Ranks without ties are integers, so W is an integer.
    let u = w.round() as usize;
    let counts = wilcox_null_counts(m, n)?;
    let total: u128 = counts.iter().sum();
    let tail: u128 = if 2 * u > m * n {
        counts[u..].iter().sum()
    } else {
        counts[..=u].iter().sum()
    };
    Ok(TestResult {
        statistic: w,
        df: f64::NAN,
        p_value: dist::clamp_p((2.0 * (tail as f64 / total as f64)).min(1.0)),
        estimate: w / (m * n) as f64,
    })
}

/// Number of permutations of 1..=n with each value of S = Σ (i − π(i))², indexed by S (0 ..= (n³ − n)/3).
fn spearman_null_counts(n: usize) -> Vec<u64> {
    fn walk(pos: usize, n: usize, used: &mut [bool], s: usize, counts: &mut [u64]) {
        if pos > n {
            counts[s] += 1;
            return;
        }
        for v in 1..=n {
            if !used[v] {
                used[v] = true;
                let d = pos.abs_diff(v);
                walk(pos + 1, n, used, s + d * d, counts);
                used[v] = false;
            }
        }
    }
    let mut counts = vec![0u64; (n * n * n - n) / 3 + 1];
    let mut used = vec![false; n + 1];
    walk(1, n, &mut used, 0, &mut counts);
    counts
}

/// Tail probability of Spearman's S by Algorithm AS 89's Edgeworth series (Best & Roberts 1975), as in
/// R's `prho.c`: P(S ≥ is) (upper) or P(S < is) (lower).
fn prho_edgeworth(n: usize, is: f64, lower: bool) -> f64 {
    const C: [f64; 12] = [
        0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131,
        4.6e-4,
    ];
    let nf = n as f64;
    let none = if lower { 0.0 } else { 1.0 };
    if is <= 0.0 {
        return none;
    }
    if is > nf * (nf * nf - 1.0) / 3.0 {
        return 1.0 - none;
    }
    let b = 1.0 / nf;
    let x = (6.0 * (is - 1.0) * b / (nf * nf - 1.0) - 1.0) * (nf - 1.0).sqrt();
    let y = x * x;
    let u = x
        * b
        * (C[0]
            + b * (C[1] + C[2] * b)
            + y * (-C[3] + b * (C[4] + C[5] * b)
                - y * b * (C[6] + C[7] * b - y * (C[8] - C[9] * b + y * b * (C[10] - C[11] * y)))));
    let corr = u / (y / 2.0).exp();
    let pv = if lower {
        -corr + dist::pnorm_upper(-x)
    } else {
        corr + dist::pnorm_upper(x)
    };
    pv.clamp(0.0, 1.0)
}

/// Spearman rank correlation with R's default p-value for data without ties
/// (`cor.test(method = "spearman")`, `exact = NULL`): statistic S = Σ (rank x − rank y)², estimate rho,
/// two-sided p = min(1, 2·tail), the tail being P(S' ≥ S) when S exceeds its mean (n³ − n)/6 and
/// P(S' ≤ S) otherwise. The tail is exact (enumeration of all n! permutations) for n ≤ 9; for
/// 10 ≤ n ≤ 1290 it is Algorithm AS 89's Edgeworth series (Best & Roberts 1975), which is what R
/// computes there although it is called "exact"; above 1290 the t approximation, as in R. Pairs with a
/// missing value are dropped. Ties are an error: use [`spearman`] (t approximation), as R does.
pub fn spearman_exact(x: &[f64], y: &[f64]) -> Result<TestResult> {
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
    let (rx, tx) = ranks(&xs);
    let (ry, ty) = ranks(&ys);
    if tx > 0.0 || ty > 0.0 {
        return Err(AnalysisError::InvalidArgument(
            "the exact Spearman p-value needs data without ties; use the t approximation".into(),
        ));
    }
    // Without ties the ranks are the integers 1..=n, so S is an exact (even) integer.
    let s: usize = rx
        .iter()
        .zip(&ry)
        .map(|(a, b)| {
            let d = (*a as i64 - *b as i64).unsigned_abs() as usize;
            d * d
        })
        .sum();
    let nf = n as f64;
    let mean_s = (nf * nf * nf - nf) / 6.0;
    let rho = 1.0 - s as f64 / mean_s;
    let upper = s as f64 > mean_s;
    let tail = if n <= 9 {
        let counts = spearman_null_counts(n);
        let total: u64 = counts.iter().sum();
        let hit: u64 = if upper {
            counts[s..].iter().sum()
        } else {
            counts[..=s].iter().sum()
        };
        hit as f64 / total as f64
    } else if n <= 1290 {
        // R: pRho(round(q) + 2 * lower.tail, n, lower.tail); S is even, so P(S' < S + 2) = P(S' ≤ S).
        if upper {
            prho_edgeworth(n, s as f64, false)
        } else {
            prho_edgeworth(n, s as f64 + 2.0, true)
        }
    } else {
        let df = nf - 2.0;
        let t = rho / ((1.0 - rho * rho) / df).sqrt();
        dist::pt_upper(t.abs(), df)
    };
    Ok(TestResult {
        statistic: s as f64,
        df: f64::NAN,
        p_value: dist::clamp_p((2.0 * tail).min(1.0)),
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

/// Multiple-testing adjustment method: the seven of R's `p.adjust` (`p.adjust.methods` less "none").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PAdjust {
    /// Bonferroni: p·m (`"bonferroni"`).
    Bonferroni,
    /// Holm (1979) step-down (`"holm"`, R's default).
    Holm,
    /// Hochberg (1988) step-up (`"hochberg"`).
    Hochberg,
    /// Hommel (1988) (`"hommel"`).
    Hommel,
    /// Benjamini & Hochberg (1995) step-up false discovery rate (`"BH"`, alias `"fdr"`).
    BenjaminiHochberg,
    /// Benjamini & Yekutieli (2001) false discovery rate under dependence (`"BY"`).
    BenjaminiYekutieli,
}

impl PAdjust {
    /// Every method, in the order of R's `p.adjust.methods`.
    pub const ALL: [PAdjust; 6] = [
        PAdjust::Holm,
        PAdjust::Hochberg,
        PAdjust::Hommel,
        PAdjust::Bonferroni,
        PAdjust::BenjaminiHochberg,
        PAdjust::BenjaminiYekutieli,
    ];

    /// R's name of the method (`"BH"` also answers to `"fdr"` in R).
    pub fn as_str(self) -> &'static str {
        match self {
            PAdjust::Bonferroni => "bonferroni",
            PAdjust::Holm => "holm",
            PAdjust::Hochberg => "hochberg",
            PAdjust::Hommel => "hommel",
            PAdjust::BenjaminiHochberg => "BH",
            PAdjust::BenjaminiYekutieli => "BY",
        }
    }
}

/// Adjusted p-values, same order as the input: R's `p.adjust(p, method)` (stats 4.2), including its
/// rule that with two p-values Hommel's method is Hochberg's.
pub fn p_adjust(p: &[f64], method: PAdjust) -> Result<Vec<f64>> {
    if let Some(bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(AnalysisError::InvalidValue(format!(
            "p-value {bad} outside [0, 1]"
        )));
    }
    let n = p.len();
    if n <= 1 {
        return Ok(p.to_vec());
    }
    let method = if n == 2 && method == PAdjust::Hommel {
        PAdjust::Hochberg
    } else {
        method
    };
    let m = n as f64;
    // Ascending order; R's `order` is stable, and so is this sort.
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; n];
    // Step-up methods: cumulative minimum from the largest p down, factor(rank) with rank 1-based.
    let step_up = |out: &mut [f64], factor: &dyn Fn(f64) -> f64| {
        let mut run = f64::INFINITY;
        for (rank, &i) in idx.iter().enumerate().rev() {
            run = run.min(factor(rank as f64 + 1.0) * p[i]);
            out[i] = run.min(1.0);
        }
    };
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
        PAdjust::Hochberg => step_up(&mut out, &|i| m + 1.0 - i),
        PAdjust::BenjaminiHochberg => step_up(&mut out, &|i| m / i),
        PAdjust::BenjaminiYekutieli => {
            let q: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
            step_up(&mut out, &|i| q * m / i)
        }
        PAdjust::Hommel => {
            // R's loop, on the sorted p-values (1-based i in the comments, 0-based here).
            let ps: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
            let init = (0..n)
                .map(|i| m * ps[i] / (i as f64 + 1.0))
                .fold(f64::INFINITY, f64::min);
            let mut q = vec![init; n];
            let mut pa = vec![init; n];
            for mm in (2..n).rev() {
                // i1 = 1..n−m+1, i2 = n−m+2..n
                let split = n - mm + 1;
                let q1 = (split..n)
                    .enumerate()
                    .map(|(k, i)| mm as f64 * ps[i] / (k as f64 + 2.0))
                    .fold(f64::INFINITY, f64::min);
                for i in 0..split {
                    q[i] = (mm as f64 * ps[i]).min(q1);
                }
                for i in split..n {
                    q[i] = q[split - 1];
                }
                for i in 0..n {
                    pa[i] = pa[i].max(q[i]);
                }
            }
            for (rank, &i) in idx.iter().enumerate() {
                out[i] = pa[rank].max(ps[rank]);
            }
        }
    }
    Ok(out)
}

/// R's default two-sample `wilcox.test(x, y)` (`exact = NULL`, `correct = TRUE`): the exact p-value
/// ([`mann_whitney_exact`]) when both samples have fewer than 50 values and there are no ties, the
/// normal approximation with continuity correction ([`mann_whitney`]) otherwise.
pub fn wilcox_test(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let (fx, fy) = (finite(x), finite(y));
    let all: Vec<f64> = fx.iter().chain(&fy).copied().collect();
    let exact = fx.len() < 50 && fy.len() < 50 && !fx.is_empty() && !fy.is_empty();
    if exact && ranks(&all).1 == 0.0 {
        mann_whitney_exact(x, y)
    } else {
        mann_whitney(x, y)
    }
}

/// R's default `cor.test(x, y, method = "spearman")` (`exact = NULL`): statistic S = (n³ − n)(1 − ρ)/6,
/// estimate ρ; the p-value from [`spearman_exact`] (exact for n ≤ 9, AS 89 up to 1290) when there are
/// no ties and n < 1290, otherwise from the t approximation of [`spearman`]. Pairs with a missing
/// value are dropped.
pub fn cor_test_spearman(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let t = spearman(x, y)?;
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let n = xs.len();
    if n < 1290 && ranks(&xs).1 == 0.0 && ranks(&ys).1 == 0.0 {
        return spearman_exact(x, y);
    }
    let nf = n as f64;
    Ok(TestResult {
        statistic: (nf * nf * nf - nf) * (1.0 - t.estimate) / 6.0,
        df: f64::NAN,
        p_value: t.p_value,
        estimate: t.estimate,
    })
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

    /// U of every m-subset of the ranks 1..=m+n, by brute force.
    fn brute_wilcox_counts(m: usize, n: usize) -> Vec<u128> {
        let mut counts = vec![0u128; m * n + 1];
        for mask in 0u32..(1 << (m + n)) {
            if mask.count_ones() as usize == m {
                let rank_sum: usize = (0..m + n)
                    .filter(|b| mask >> b & 1 == 1)
                    .map(|b| b + 1)
                    .sum();
                counts[rank_sum - m * (m + 1) / 2] += 1;
            }
        }
        counts
    }

    #[test]
    fn wilcox_null_counts_match_brute_force_enumeration() {
        for m in 1..=7 {
            for n in 1..=7 {
                assert_eq!(
                    wilcox_null_counts(m, n).unwrap(),
                    brute_wilcox_counts(m, n),
                    "m={m} n={n}"
                );
            }
        }
        // Largest sizes of the exact range: the counts add up to C(98, 49) and are symmetric.
        let c = wilcox_null_counts(49, 49).unwrap();
        assert!(wilcox_null_counts(50, 3).is_err());
        let total: u128 = c.iter().sum();
        assert_eq!(total, 25_477_612_258_980_856_902_730_428_600);
        assert!(c.iter().zip(c.iter().rev()).all(|(a, b)| a == b));
    }

    #[test]
    fn exact_mann_whitney_matches_wilcox_test_on_hollander_wolfe_permeability() {
        // R `?wilcox.test` (Hollander & Wolfe 1973, p. 69): wilcox.test(x, y, alternative = "greater")
        // prints W = 35, p-value = 0.1272; the two-sided p is twice that one-sided tail here (W > m·n/2).
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        let y = [1.15, 0.88, 0.90, 0.74, 1.21];
        let r = mann_whitney_exact(&x, &y).expect("exact");
        assert_eq!(r.statistic, 35.0);
        assert!(
            (r.p_value / 2.0 - 0.1272).abs() <= 0.00005,
            "p = {}",
            r.p_value
        );
        // Same data the other way round: W' = m·n − W, same two-sided p.
        let s = mann_whitney_exact(&y, &x).expect("exact");
        assert_eq!(s.statistic, 15.0);
        assert!((s.p_value - r.p_value).abs() < 1e-15);
    }

    #[test]
    fn exact_mann_whitney_is_close_to_the_normal_approximation_for_larger_samples() {
        let x: Vec<f64> = (0..40).map(|i| (i * 37 % 101) as f64 + 0.5).collect();
        let y: Vec<f64> = (0..45).map(|i| (i * 53 % 103) as f64 + 0.25).collect();
        let exact = mann_whitney_exact(&x, &y).expect("exact").p_value;
        let approx = mann_whitney(&x, &y).expect("approx").p_value;
        assert!((exact - approx).abs() < 0.01, "{exact} vs {approx}");
    }

    #[test]
    fn exact_tests_refuse_ties_and_large_samples() {
        assert!(mann_whitney_exact(&[1.0, 2.0], &[2.0, 3.0]).is_err());
        assert!(mann_whitney_exact(&vec![1.0; 50], &[2.0]).is_err());
        assert!(spearman_exact(&[1.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).is_err());
    }

    #[test]
    fn spearman_null_counts_cover_every_permutation_symmetrically() {
        for n in 2..=7 {
            let c = spearman_null_counts(n);
            let total: u64 = c.iter().sum();
            assert_eq!(total, (1..=n as u64).product::<u64>());
            assert!(c.iter().zip(c.iter().rev()).all(|(a, b)| a == b), "n={n}");
            // Odd S is impossible (Σ d = 0); S = 2 comes from the n − 1 adjacent swaps.
            assert!(c.iter().skip(1).step_by(2).all(|&k| k == 0));
            assert_eq!(c[2], n as u64 - 1);
        }
    }

    #[test]
    fn exact_spearman_matches_cor_test_on_hollander_wolfe_tuna() {
        // R `?cor.test` (Hollander & Wolfe 1973, p. 187f): cor.test(x, y, method = "spearman",
        // alternative = "greater") prints S = 48, p-value = 0.0484, rho 0.6 (n = 9: exact enumeration).
        let x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1];
        let y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8];
        let r = spearman_exact(&x, &y).expect("exact");
        assert_eq!(r.statistic, 48.0);
        assert!((r.estimate - 0.6).abs() < 1e-12);
        assert!(
            (r.p_value / 2.0 - 0.0484).abs() <= 0.00005,
            "p = {}",
            r.p_value
        );
    }

    #[test]
    fn as89_edgeworth_tail_is_close_to_the_exact_tail_where_both_exist() {
        // At n = 9 both are available; AS 89 is accurate to a few thousandths there.
        let n = 9;
        let c = spearman_null_counts(n);
        let total: u64 = c.iter().sum();
        for s in (20..=220).step_by(20) {
            let exact_upper = c[s..].iter().sum::<u64>() as f64 / total as f64;
            let exact_lower = c[..=s].iter().sum::<u64>() as f64 / total as f64;
            assert!(
                (prho_edgeworth(n, s as f64, false) - exact_upper).abs() < 0.01,
                "S={s}"
            );
            assert!(
                (prho_edgeworth(n, s as f64 + 2.0, true) - exact_lower).abs() < 0.01,
                "S={s}"
            );
        }
    }

    #[test]
    fn spearman_exact_uses_as89_beyond_nine_and_agrees_with_the_t_approximation_roughly() {
        let x: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..30).map(|i| ((i * 7) % 30) as f64).collect();
        let e = spearman_exact(&x, &y).expect("as89");
        let t = spearman(&x, &y).expect("t");
        assert!((e.estimate - t.estimate).abs() < 1e-12);
        assert!(
            (e.p_value - t.p_value).abs() < 0.02,
            "{} vs {}",
            e.p_value,
            t.p_value
        );
    }
}
