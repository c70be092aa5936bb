//! Design-based point estimates with Taylor-linearisation standard errors: means, totals, ratios,
//! proportions, quantiles (Woodruff) and frequency tables, for the population or a domain (R `svymean`,
//! `svytotal`, `svyratio`, `svyquantile`, `svyby`). Domains keep the full design: influence values are
//! zero outside the domain rather than the data being filtered (Lumley 2010, §2.3).

use crate::design::Design;
use crate::dist;
use crate::error::{AnalysisError, Result};

/// A point estimate with its linearisation standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Design degrees of freedom (PSUs − strata).
    pub df: f64,
    /// Unweighted observations that contributed.
    pub n: usize,
    /// Design effect against simple random sampling without replacement (R `deff = TRUE`), when computed.
    pub deff: Option<f64>,
}

impl Estimate {
    /// Wald interval with the normal quantile, as R's `confint` on `svystat` objects.
    pub fn ci(&self, level: f64) -> (f64, f64) {
        let z = dist::qnorm(1.0 - (1.0 - level) / 2.0);
        (self.estimate - z * self.se, self.estimate + z * self.se)
    }

    /// Wald interval with the t quantile on the design degrees of freedom (R `confint(df = degf(design))`).
    pub fn ci_t(&self, level: f64) -> (f64, f64) {
        let t = dist::qt(1.0 - (1.0 - level) / 2.0, self.df);
        (self.estimate - t * self.se, self.estimate + t * self.se)
    }
}

/// A quantile with its Woodruff confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuantileEstimate {
    /// Probability of the quantile.
    pub p: f64,
    /// Quantile (inverse of the weighted ECDF, R `qrule = "math"`).
    pub estimate: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// SE implied by the interval: (upper − lower) / (2 t), as `svyquantile` reports.
    pub se: f64,
}

/// Weighted frequency table of one categorical variable, with SEs of totals and proportions.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FrequencyTable {
    /// Unweighted count per category.
    pub n: Vec<usize>,
    /// Estimated population total per category.
    pub totals: Vec<Estimate>,
    /// Estimated proportion per category.
    pub proportions: Vec<Estimate>,
    /// Covariance matrix of the proportions (k × k, row-major), needed by Rao–Scott tests.
    pub proportion_cov: Vec<f64>,
    /// Covariance matrix of the totals (k × k, row-major), for ratios such as row percentages.
    pub total_cov: Vec<f64>,
    /// Estimated population size of the domain.
    pub population: f64,
}

fn active(domain: Option<&[bool]>, i: usize) -> bool {
    domain.is_none_or(|d| d[i])
}

impl Design {
    fn check_domain(&self, what: &str, len: usize, domain: Option<&[bool]>) -> Result<()> {
        if len != self.len() {
            return Err(AnalysisError::LengthMismatch {
                what: what.into(),
                expected: self.len(),
                got: len,
            });
        }
        if let Some(d) = domain {
            if d.len() != self.len() {
                return Err(AnalysisError::LengthMismatch {
                    what: "domain".into(),
                    expected: self.len(),
                    got: d.len(),
                });
            }
        }
        Ok(())
    }

    /// Weighted mean and its influence values (zero outside the domain and for missing `y`).
    pub(crate) fn mean_influence(
        &self,
        y: &[f64],
        domain: Option<&[bool]>,
    ) -> Result<(f64, Vec<f64>, usize, f64)> {
        self.check_domain("variable", y.len(), domain)?;
        let (mut sw, mut swy, mut n) = (0.0, 0.0, 0usize);
        for (i, (&w, &v)) in self.weights.iter().zip(y).enumerate() {
            if active(domain, i) && !v.is_nan() {
                sw += w;
                swy += w * v;
                n += 1;
            }
        }
        if n == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        if sw <= 0.0 {
            return Err(AnalysisError::ZeroWeightSum {
                context: " in the domain".into(),
            });
        }
        let m = swy / sw;
        let z = self
            .weights
            .iter()
            .zip(y)
            .enumerate()
            .map(|(i, (&w, &v))| {
                if active(domain, i) && !v.is_nan() {
                    w * (v - m) / sw
                } else {
                    0.0
                }
            })
            .collect();
        Ok((m, z, n, sw))
    }

    /// Variance of the mean under SRS without replacement, for the design effect (R `svymean(deff = TRUE)`:
    /// `svyvar(x)/n · (Σw − n)/Σw`), where n counts the observations with a non-zero weight, as R's
    /// `nobs <- sum(weights(design) != 0)` does: a row of weight 0 is not an observation of the SRS.
    fn srs_variance_of_mean(&self, y: &[f64], domain: Option<&[bool]>, mean: f64, sw: f64) -> f64 {
        let mut ss = 0.0;
        let mut n = 0usize;
        for (i, (&w, &v)) in self.weights.iter().zip(y).enumerate() {
            if active(domain, i) && !v.is_nan() {
                ss += w * (v - mean) * (v - mean);
                n += (w != 0.0) as usize;
            }
        }
        if n < 2 {
            return f64::NAN;
        }
        let nf = n as f64;
        let var = ss / sw * nf / (nf - 1.0);
        var / nf * ((sw - nf) / sw).max(0.0)
    }

    /// Weighted mean of `y` (NaN = missing, dropped as a domain) with linearisation SE: R
    /// `svymean(~y, design, na.rm = TRUE, deff = TRUE)`; within a domain, `svyby(~y, ~dom, design,
    /// svymean, na.rm = TRUE)`. `df` is the (domain's) design degrees of freedom, R's `degf`.
    pub fn mean(&self, y: &[f64], domain: Option<&[bool]>) -> Result<Estimate> {
        let (m, z, n, sw) = self.mean_influence(y, domain)?;
        let subset = self.subset_mask(|i| active(domain, i) && !y[i].is_nan());
        let v = self.total_covariance_in(&[z], subset.as_deref())?[0];
        let vsrs = self.srs_variance_of_mean(y, domain, m, sw);
        Ok(Estimate {
            estimate: m,
            se: v.sqrt(),
            df: self.degrees_of_freedom_in(domain),
            n,
            deff: Some(v / vsrs),
        })
    }

    /// Weighted total Σ w y with linearisation SE: R `svytotal(~y, design, na.rm = TRUE, deff = TRUE)`.
    pub fn total(&self, y: &[f64], domain: Option<&[bool]>) -> Result<Estimate> {
        self.check_domain("variable", y.len(), domain)?;
        let (mut t, mut n, mut sw) = (0.0, 0usize, 0.0);
        let z: Vec<f64> = self
            .weights
            .iter()
            .zip(y)
            .enumerate()
            .map(|(i, (&w, &v))| {
                if active(domain, i) && !v.is_nan() {
                    t += w * v;
                    n += 1;
                    sw += w;
                    w * v
                } else {
                    0.0
                }
            })
            .collect();
        if n == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        let subset = self.subset_mask(|i| active(domain, i) && !y[i].is_nan());
        let var = self.total_covariance_in(&[z], subset.as_deref())?[0];
        let mean = if sw > 0.0 { t / sw } else { 0.0 };
        let vsrs = self.srs_variance_of_mean(y, domain, mean, sw) * sw * sw;
        Ok(Estimate {
            estimate: t,
            se: var.sqrt(),
            df: self.degrees_of_freedom_in(domain),
            n,
            deff: Some(var / vsrs),
        })
    }

    /// Ratio of totals Σwy / Σwx with linearisation SE: R `svyratio(~y, ~x, design, na.rm = TRUE)`
    /// (a row missing in either variable is left out).
    pub fn ratio(
        &self,
        numerator: &[f64],
        denominator: &[f64],
        domain: Option<&[bool]>,
    ) -> Result<Estimate> {
        self.check_domain("numerator", numerator.len(), domain)?;
        self.check_domain("denominator", denominator.len(), domain)?;
        let ok = |i: usize| active(domain, i) && !numerator[i].is_nan() && !denominator[i].is_nan();
        let (mut ty, mut tx, mut n) = (0.0, 0.0, 0usize);
        for i in 0..self.len() {
            if ok(i) {
                ty += self.weights[i] * numerator[i];
                tx += self.weights[i] * denominator[i];
                n += 1;
            }
        }
        if n == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        if tx == 0.0 {
            return Err(AnalysisError::InvalidValue(
                "denominator total is zero".into(),
            ));
        }
        let r = ty / tx;
        let z = (0..self.len())
            .map(|i| {
                if ok(i) {
                    self.weights[i] * (numerator[i] - r * denominator[i]) / tx
                } else {
                    0.0
                }
            })
            .collect();
        let subset = self.subset_mask(ok);
        let v = self.total_covariance_in(&[z], subset.as_deref())?[0];
        Ok(Estimate {
            estimate: r,
            se: v.sqrt(),
            df: self.degrees_of_freedom_in(domain),
            n,
            deff: None,
        })
    }

    /// Proportion with an attribute (mean of an indicator): R `svymean(~I(x), design)`; intervals for it
    /// are in [`crate::ci`] (R `svyciprop`).
    pub fn proportion(&self, indicator: &[bool], domain: Option<&[bool]>) -> Result<Estimate> {
        let y: Vec<f64> = indicator
            .iter()
            .map(|&b| if b { 1.0 } else { 0.0 })
            .collect();
        self.mean(&y, domain)
    }

    /// Quantiles by inverting the weighted ECDF with Woodruff intervals: R (survey 4.1)
    /// `svyquantile(~y, design, probs, qrule = "math", interval.type = "mean", ci = TRUE, na.rm = TRUE)`,
    /// which are its defaults (Woodruff 1952): the Wald interval for P(Y ≤ q̂) is mapped back through
    /// the ECDF. t on the degrees of freedom of the rows answered (in the domain), as `svyquantile`
    /// takes `degf()` after dropping missing values, and `svyby` hands it the domain's subset design.
    /// Where R gives NaN (an interval end for P outside [0, 1]) the end is the smallest / largest value.
    pub fn quantiles(
        &self,
        y: &[f64],
        probs: &[f64],
        domain: Option<&[bool]>,
        level: f64,
    ) -> Result<Vec<QuantileEstimate>> {
        self.check_domain("variable", y.len(), domain)?;
        let mut idx: Vec<usize> = (0..self.len())
            .filter(|&i| active(domain, i) && !y[i].is_nan() && self.weights[i] > 0.0)
            .collect();
        if idx.is_empty() {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        idx.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
        let total: f64 = idx.iter().map(|&i| self.weights[i]).sum();
        let mut cum = Vec::with_capacity(idx.len());
        let mut acc = 0.0;
        for &i in &idx {
            acc += self.weights[i];
            cum.push(acc / total);
        }
        let qf = |p: f64| -> f64 {
            let p = p.clamp(0.0, 1.0);
            // Smallest y with F(y) >= p; tolerance guards against rounding in the cumulative sums.
            let k = cum.partition_point(|&c| c < p - 1e-12).min(idx.len() - 1);
            y[idx[k]]
        };
        dist::check_level(level)?;
        // R's svyquantile(na.rm = TRUE) drops the missing rows first, then takes degf() of what is
        // left; under svyby that is the domain's subset design.
        let answered: Vec<bool> = (0..self.len())
            .map(|i| active(domain, i) && !y[i].is_nan())
            .collect();
        let t = dist::qt(
            1.0 - (1.0 - level) / 2.0,
            self.degrees_of_freedom_in(Some(&answered)),
        );
        probs
            .iter()
            .map(|&p| {
                if !(0.0..=1.0).contains(&p) {
                    return Err(AnalysisError::InvalidArgument(format!(
                        "quantile probability {p} outside [0, 1]"
                    )));
                }
                let q = qf(p);
                let ind: Vec<f64> = y
                    .iter()
                    .map(|&v| {
                        if v.is_nan() {
                            f64::NAN
                        } else if v <= q {
                            1.0
                        } else {
                            0.0
                        }
                    })
                    .collect();
                // R's woodruffCI: Wald interval for the estimated P(Y ≤ q̂) (not for p itself), mapped back.
                let f = self.mean(&ind, domain)?;
                let (lo, hi) = (qf(f.estimate - t * f.se), qf(f.estimate + t * f.se));
                Ok(QuantileEstimate {
                    p,
                    estimate: q,
                    lower: lo,
                    upper: hi,
                    se: (hi - lo) / (2.0 * t),
                })
            })
            .collect()
    }

    /// Weighted frequency table of `codes` (values ≥ `levels`, e.g. missing / don't know, are outside the domain),
    /// with SEs of totals and proportions and the full covariance of the proportions (R `svymean(~factor(x))`).
    ///
    /// Fast path: influence values of a categorical variable are sparse, so the PSU sums needed by the
    /// variance are accumulated in one pass (O(n + PSUs · k²)) instead of materialising k dense columns.
    pub fn frequencies(
        &self,
        codes: &[u32],
        levels: usize,
        domain: Option<&[bool]>,
    ) -> Result<FrequencyTable> {
        self.check_domain("codes", codes.len(), domain)?;
        if levels == 0 {
            return Err(AnalysisError::InvalidArgument(
                "a categorical variable needs at least one level".into(),
            ));
        }
        let k = levels;
        // The shortcuts centre every stratum at its own mean, so a policy that recentres a lonely PSU
        // at the grand mean takes the general path.
        // Where the rows of the subset change the combination of strata (see
        // `Design::subset_matters`), the general path takes them into account.
        let subset = self.subset_mask(|i| (codes[i] as usize) < k && active(domain, i));
        let scales = self.stratum_scales_in(subset.as_deref())?;
        let sparse =
            self.calibrations.is_empty() && self.ssu.is_none() && !scales.any_grand_centred();
        // With PSUs and no calibration the variance needs the weighted cell sums per PSU anyway; the
        // cell totals and counts are their column sums, so one pass over the data does both.
        let psu_cells = match (&self.psu, sparse) {
            (Some(psu), true) => Some(psu_cell_sums(
                codes,
                k,
                domain,
                psu,
                &self.weights,
                self.n_psu,
            )),
            _ => None,
        };
        // A calibrated design of single-unit PSUs: the sums per (stratum, calibration cell,
        // answer) group give the covariance (see `grouped`), in the same one pass.
        let grouped = match psu_cells {
            None if !sparse && subset.is_none() => self.slot_groups(codes, k, domain),
            _ => None,
        };
        let (wsum, nsum) = match (&psu_cells, &grouped) {
            (Some(cells), _) => (cells.totals.clone(), cells.counts.clone()),
            (None, Some(g)) => (g.wsum.clone(), g.nsum.clone()),
            (None, None) => {
                let inside = |i: usize| (codes[i] as usize) < k && active(domain, i);
                let mut wsum = vec![0.0; k];
                let mut nsum = vec![0usize; k];
                for i in 0..self.len() {
                    if inside(i) {
                        wsum[codes[i] as usize] += self.weights[i];
                        nsum[codes[i] as usize] += 1;
                    }
                }
                (wsum, nsum)
            }
        };
        let pop: f64 = wsum.iter().sum();
        let n_dom: usize = nsum.iter().sum();
        if n_dom == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        if pop <= 0.0 {
            return Err(AnalysisError::ZeroWeightSum {
                context: " in the domain".into(),
            });
        }
        let p: Vec<f64> = wsum.iter().map(|w| w / pop).collect();
        let (cov_tot, cov_prop) = match (psu_cells, grouped) {
            (Some(cells), _) => self.frequency_cov_psu(cells.by_psu, k, &p, pop, &scales),
            (None, Some(g)) => self.frequency_cov_grouped(&g, &p, pop)?,
            (None, None) if sparse => {
                self.frequency_cov_independent(codes, k, domain, &p, pop, &scales)
            }
            (None, None) => {
                self.frequency_cov_dense(codes, k, domain, &p, pop, subset.as_deref())?
            }
        };
        let df = self.degrees_of_freedom_in(domain);
        let totals = (0..k)
            .map(|j| Estimate {
                estimate: wsum[j],
                se: cov_tot[j * k + j].max(0.0).sqrt(),
                df,
                n: nsum[j],
                deff: None,
            })
            .collect();
        let proportions = (0..k)
            .map(|j| Estimate {
                estimate: p[j],
                se: cov_prop[j * k + j].max(0.0).sqrt(),
                df,
                n: nsum[j],
                deff: None,
            })
            .collect();
        Ok(FrequencyTable {
            n: nsum,
            totals,
            proportions,
            proportion_cov: cov_prop,
            total_cov: cov_tot,
            population: pop,
        })
    }

    pub(crate) fn frequency_cov_dense(
        &self,
        codes: &[u32],
        k: usize,
        domain: Option<&[bool]>,
        p: &[f64],
        pop: f64,
        subset: Option<&[bool]>,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let inside = |i: usize| (codes[i] as usize) < k && active(domain, i);
        let mut cols = Vec::with_capacity(2 * k);
        for j in 0..k {
            cols.push(
                (0..self.len())
                    .map(|i| {
                        if inside(i) && codes[i] as usize == j {
                            self.weights[i]
                        } else {
                            0.0
                        }
                    })
                    .collect::<Vec<f64>>(),
            );
        }
        for j in 0..k {
            cols.push(
                (0..self.len())
                    .map(|i| {
                        if inside(i) {
                            self.weights[i] * ((codes[i] as usize == j) as u8 as f64 - p[j]) / pop
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            );
        }
        // Only the two diagonal blocks are used, and each entry of a covariance depends on its
        // two columns alone, so two k-column calls give the same numbers as one 2k-column call
        // with half the products per unit (a raked page runs this for every question).
        let prop = self.total_covariance_in(&cols[k..], subset)?;
        cols.truncate(k);
        let tot = self.total_covariance_in(&cols, subset)?;
        Ok((tot, prop))
    }

    /// Covariances of the cell totals and shares from the weighted cell sums per PSU (`by_psu`, PSU-major,
    /// `k` per PSU): t_totals = A, t_props = (A − p·B)/N with B the PSU's row sum.
    fn frequency_cov_psu(
        &self,
        a: Vec<f64>,
        k: usize,
        p: &[f64],
        pop: f64,
        scales: &crate::design::StratumScales,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut tp = vec![0.0; a.len()];
        for (row_t, row_a) in tp.chunks_exact_mut(k).zip(a.chunks_exact(k)) {
            let b: f64 = row_a.iter().sum();
            for j in 0..k {
                row_t[j] = (row_a[j] - p[j] * b) / pop;
            }
        }
        let tot = crate::design::between_psu_covariance(
            &a,
            k,
            &self.psu_stratum,
            &self.psus_in_stratum,
            scales,
        );
        let prop = crate::design::between_psu_covariance(
            &tp,
            k,
            &self.psu_stratum,
            &self.psus_in_stratum,
            scales,
        );
        (tot, prop)
    }

    /// Covariances when every observation is its own PSU (no clusters, no calibration).
    fn frequency_cov_independent(
        &self,
        codes: &[u32],
        k: usize,
        domain: Option<&[bool]>,
        p: &[f64],
        pop: f64,
        scales: &crate::design::StratumScales,
    ) -> (Vec<f64>, Vec<f64>) {
        let inside = |i: usize| (codes[i] as usize) < k && active(domain, i);
        // Every observation is a PSU and touches one cell, so Σ t tᵀ per stratum needs only
        // Σw·1[j], Σw²·1[j], Σw and Σw² per stratum.
        let h_n = self.n_strata();
        let mut s1 = vec![0.0; h_n * k];
        let mut s2 = vec![0.0; h_n * k];
        for i in 0..self.len() {
            if inside(i) {
                let h = self.stratum[i] as usize;
                let w = self.weights[i];
                s1[h * k + codes[i] as usize] += w;
                s2[h * k + codes[i] as usize] += w * w;
            }
        }
        let mut tot = vec![0.0; k * k];
        let mut prop = vec![0.0; k * k];
        for h in 0..h_n {
            let sc = scales.scale[h] * scales.factor;
            if sc == 0.0 {
                continue;
            }
            let nh = self.psus_in_stratum[h] as f64;
            let s1h = &s1[h * k..(h + 1) * k];
            let s2h = &s2[h * k..(h + 1) * k];
            let b1: f64 = s1h.iter().sum();
            let b2: f64 = s2h.iter().sum();
            for x in 0..k {
                for y in 0..k {
                    let diag = if x == y { s2h[x] } else { 0.0 };
                    tot[x * k + y] += sc * (diag - s1h[x] * s1h[y] / nh);
                    let stt = diag - s2h[x] * p[y] - p[x] * s2h[y] + b2 * p[x] * p[y];
                    let mx = s1h[x] - p[x] * b1;
                    let my = s1h[y] - p[y] * b1;
                    prop[x * k + y] += sc * (stt - mx * my / nh) / (pop * pop);
                }
            }
        }
        (tot, prop)
    }
}

impl Design {
    /// Share of respondents ticking each option of a multi-select question, among those who answered it
    /// (unanswered rows are outside the domain, not "not selected"); one `svymean` per indicator column.
    pub fn multi_select_proportions(
        &self,
        q: &crate::data::MultiSelect,
        domain: Option<&[bool]>,
    ) -> Result<Vec<Estimate>> {
        let answered = q.answered_mask();
        let dom: Vec<bool> = answered
            .iter()
            .enumerate()
            .map(|(i, &a)| a && active(domain, i))
            .collect();
        q.selected
            .iter()
            .map(|col| self.proportion(col, Some(&dom)))
            .collect()
    }
}

/// Weighted cell sums per PSU for a categorical variable, with the cell totals and counts.
struct PsuCells {
    /// PSU-major, `k` sums per PSU.
    by_psu: Vec<f64>,
    /// Σ over PSUs: weighted total per cell.
    totals: Vec<f64>,
    /// Respondents per cell.
    counts: Vec<usize>,
}

/// One pass over `codes`, `weights` and `psu`: observations outside the domain or with a code ≥ `k`
/// (missing, don't know) go to a spare slot per PSU instead of a branch. One thread, for the reasons
/// given at `tables::category_weight_sums` (a two-half split measured 3.7–4.3 ms against 2.5–2.9 ms
/// for one thread on the busy 2-core benchmark machine).
fn psu_cell_sums(
    codes: &[u32],
    k: usize,
    domain: Option<&[bool]>,
    psu: &[u32],
    weights: &[f64],
    n_psu: usize,
) -> PsuCells {
    let stride = k + 1;
    let (sums, counts) = psu_slot_sums(codes, k, domain, psu, weights, n_psu);
    let mut by_psu = Vec::with_capacity(n_psu * k);
    let mut totals = vec![0.0; k];
    let mut cell_counts = vec![0usize; k];
    for (row, row_n) in sums.chunks_exact(stride).zip(counts.chunks_exact(stride)) {
        by_psu.extend_from_slice(&row[..k]);
        for j in 0..k {
            totals[j] += row[j];
            cell_counts[j] += row_n[j];
        }
    }
    PsuCells {
        by_psu,
        totals,
        counts: cell_counts,
    }
}

/// Weighted sums and counts per (PSU, slot), `k + 1` slots per PSU, the last one for everything
/// outside the table.
fn psu_slot_sums(
    codes: &[u32],
    k: usize,
    domain: Option<&[bool]>,
    psu: &[u32],
    weights: &[f64],
    n_psu: usize,
) -> (Vec<f64>, Vec<usize>) {
    let stride = k + 1;
    let mut sums = vec![0.0; n_psu * stride];
    let mut counts = vec![0usize; n_psu * stride];
    let rows = codes.iter().zip(weights).zip(psu);
    match domain {
        None => {
            for ((&c, &w), &u) in rows {
                let at = u as usize * stride + (c as usize).min(k);
                sums[at] += w;
                counts[at] += 1;
            }
        }
        Some(d) => {
            for (((&c, &w), &u), &inside) in rows.zip(d) {
                let slot = if inside { (c as usize).min(k) } else { k };
                let at = u as usize * stride + slot;
                sums[at] += w;
                counts[at] += 1;
            }
        }
    }
    (sums, counts)
}

#[cfg(test)]
mod frequency_path_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The one-pass PSU path (spare slot for missing codes and for rows outside the domain) gives
        /// the running-sum totals and counts and the covariances of the dense linearisation.
        #[test]
        fn one_pass_psu_path_agrees_with_running_sums_and_dense_linearisation(
            rows in proptest::collection::vec(
                (prop_oneof![6 => 0u32..4, 1 => Just(crate::data::MISSING), 1 => Just(7u32)],
                 1u32..20, 0u64..12, any::<bool>()),
                40..160,
            ),
        ) {
            let k = 4;
            let codes: Vec<u32> = rows.iter().map(|r| r.0).collect();
            let w: Vec<f64> = rows.iter().map(|r| r.1 as f64 * 0.37).collect();
            // Two strata with at least two PSUs each whatever the draw.
            let clusters: Vec<u64> = rows.iter().enumerate().map(|(i, r)| r.2 * 2 + (i % 2) as u64).collect();
            let strata: Vec<u64> = (0..rows.len() as u64).map(|i| i % 2).collect();
            let dom: Vec<bool> = rows.iter().map(|r| r.3).collect();
            let d = Design::builder(w.clone())
                .strata(strata)
                .clusters(clusters)
                .build()
                .expect("design");
            for domain in [None, Some(dom.as_slice())] {
                let inside = |i: usize| (codes[i] as usize) < k && domain.is_none_or(|m| m[i]);
                let mut wsum = vec![0.0; k];
                let mut nsum = vec![0usize; k];
                for i in 0..codes.len() {
                    if inside(i) {
                        wsum[codes[i] as usize] += w[i];
                        nsum[codes[i] as usize] += 1;
                    }
                }
                let pop: f64 = wsum.iter().sum();
                let Ok(ft) = d.frequencies(&codes, k, domain) else {
                    prop_assert!(pop == 0.0);
                    continue;
                };
                prop_assert_eq!(&ft.n, &nsum);
                let p: Vec<f64> = wsum.iter().map(|x| x / pop).collect();
                for j in 0..k {
                    prop_assert!((ft.totals[j].estimate - wsum[j]).abs() <= 1e-9 * pop);
                    prop_assert!((ft.proportions[j].estimate - p[j]).abs() <= 1e-12);
                }
                let (tot, prop) = d.frequency_cov_dense(&codes, k, domain, &p, pop, None).expect("dense");
                for c in 0..k * k {
                    prop_assert!((ft.total_cov[c] - tot[c]).abs() <= 1e-9 * (1.0 + tot[c].abs()), "total cov {c}");
                    prop_assert!((ft.proportion_cov[c] - prop[c]).abs() <= 1e-12, "share cov {c}");
                }
            }
        }
    }

    #[test]
    fn a_large_table_agrees_with_running_sums_and_dense_linearisation() {
        let n = 300_001;
        let k = 3;
        let codes: Vec<u32> = (0..n as u32)
            .map(|i| match i % 13 {
                0 => crate::data::MISSING,
                _ => i.wrapping_mul(2_654_435_761) % k as u32,
            })
            .collect();
        // Integer weights: every sum is exact, so the totals must match the running sums bit for bit.
        let w: Vec<f64> = (0..n).map(|i| (i % 7) as f64 + 1.0).collect();
        let strata: Vec<u64> = (0..n as u64).map(|i| i % 3).collect();
        let clusters: Vec<u64> = (0..n as u64).map(|i| (i * 31) % 90).collect();
        let dom: Vec<bool> = (0..n).map(|i| i % 5 != 0).collect();
        let d = Design::builder(w.clone())
            .strata(strata)
            .clusters(clusters)
            .build()
            .expect("design");
        for domain in [None, Some(dom.as_slice())] {
            let mut wsum = vec![0.0; k];
            let mut nsum = vec![0usize; k];
            for i in 0..n {
                if (codes[i] as usize) < k && domain.is_none_or(|m| m[i]) {
                    wsum[codes[i] as usize] += w[i];
                    nsum[codes[i] as usize] += 1;
                }
            }
            let ft = d.frequencies(&codes, k, domain).expect("freq");
            assert_eq!(ft.n, nsum);
            let totals: Vec<f64> = ft.totals.iter().map(|e| e.estimate).collect();
            assert_eq!(totals, wsum);
            let pop: f64 = wsum.iter().sum();
            let p: Vec<f64> = wsum.iter().map(|x| x / pop).collect();
            let (tot, prop) = d
                .frequency_cov_dense(&codes, k, domain, &p, pop, None)
                .expect("dense");
            for c in 0..k * k {
                assert!((ft.total_cov[c] - tot[c]).abs() <= 1e-9 * (1.0 + tot[c].abs()));
                assert!((ft.proportion_cov[c] - prop[c]).abs() <= 1e-15);
            }
        }
    }
}
