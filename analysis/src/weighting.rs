//! Weighting: post-stratification, raking (iterative proportional fitting), weight trimming with re-raking
//! and linear (GREG) calibration. Each returns a new [`Design`] that remembers the calibration so that
//! standard errors use the calibration residuals, as R's `postStratify`, `rake` and `calibrate` do.

use crate::design::{Calibration, Design};
use crate::error::{AnalysisError, Result};

/// One raking margin: a category code per observation and the population total per category code.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// Category code per observation (0-based, indexing `targets`).
    pub codes: Vec<u32>,
    /// Population total per category.
    pub targets: Vec<f64>,
}

/// Stopping rule for raking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RakeOptions {
    /// Largest allowed relative gap |achieved − target| / target over all margin cells.
    pub tolerance: f64,
    /// Iteration cap (one iteration = one sweep over all margins).
    pub max_iterations: usize,
}

impl Default for RakeOptions {
    fn default() -> Self {
        RakeOptions {
            tolerance: 1e-8,
            max_iterations: 200,
        }
    }
}

/// How raking ended.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RakeReport {
    /// Sweeps over the margins that were run.
    pub iterations: usize,
    /// Largest relative gap to a margin target at the end.
    pub max_error: f64,
    /// True when `max_error <= tolerance`.
    pub converged: bool,
}

/// Bounds for weight trimming, in the units of the weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrimBounds {
    /// Smallest allowed weight.
    pub lower: f64,
    /// Largest allowed weight.
    pub upper: f64,
}

fn cell_sums(codes: &[u32], w: &[f64], k: usize) -> Vec<f64> {
    let mut s = vec![0.0; k];
    for (c, w) in codes.iter().zip(w) {
        s[*c as usize] += w;
    }
    s
}

/// Check a margin against the sample: codes known, targets finite, every populated cell has sample weight,
/// every sample cell has a population (R: "Strata in sample absent from population").
fn check_margin(index: usize, m: &Margin, w: &[f64]) -> Result<()> {
    if m.codes.len() != w.len() {
        return Err(AnalysisError::LengthMismatch {
            what: format!("margin {index}"),
            expected: w.len(),
            got: m.codes.len(),
        });
    }
    if let Some(&c) = m.codes.iter().find(|&&c| c as usize >= m.targets.len()) {
        return Err(AnalysisError::UnknownCategory {
            margin: index,
            category: c as usize,
        });
    }
    if let Some(t) = m.targets.iter().find(|t| !t.is_finite() || **t < 0.0) {
        return Err(AnalysisError::InvalidValue(format!(
            "margin {index}: population total {t} is not a finite non-negative number"
        )));
    }
    let sums = cell_sums(&m.codes, w, m.targets.len());
    for (j, (&s, &t)) in sums.iter().zip(&m.targets).enumerate() {
        if t > 0.0 && s <= 0.0 {
            return Err(AnalysisError::EmptySampleCell {
                margin: index,
                category: j,
                target: t,
            });
        }
        if t == 0.0 && s > 0.0 {
            return Err(AnalysisError::UnknownCategory {
                margin: index,
                category: j,
            });
        }
    }
    Ok(())
}

fn max_relative_error(margins: &[Margin], w: &[f64]) -> f64 {
    let mut err = 0.0_f64;
    for m in margins {
        let s = cell_sums(&m.codes, w, m.targets.len());
        for (a, t) in s.iter().zip(&m.targets) {
            if *t > 0.0 {
                err = err.max((a - t).abs() / t);
            }
        }
    }
    err
}

/// Plain iterative proportional fitting of `w` in place; returns the report.
fn ipf(margins: &[Margin], w: &mut [f64], opts: RakeOptions) -> RakeReport {
    let mut max_error = max_relative_error(margins, w);
    let mut iterations = 0;
    while max_error > opts.tolerance && iterations < opts.max_iterations {
        for m in margins {
            let s = cell_sums(&m.codes, w, m.targets.len());
            let f: Vec<f64> = s
                .iter()
                .zip(&m.targets)
                .map(|(s, t)| if *s > 0.0 { t / s } else { 0.0 })
                .collect();
            for (wi, c) in w.iter_mut().zip(&m.codes) {
                *wi *= f[*c as usize];
            }
        }
        iterations += 1;
        max_error = max_relative_error(margins, w);
    }
    RakeReport {
        iterations,
        max_error,
        converged: max_error <= opts.tolerance,
    }
}

impl Design {
    /// Post-stratify to known population counts per cell (R `postStratify(design, ~g, pop)`); `codes` index `targets`.
    pub fn post_stratify(&self, codes: &[u32], targets: &[f64]) -> Result<Design> {
        let m = Margin {
            codes: codes.to_vec(),
            targets: targets.to_vec(),
        };
        check_margin(0, &m, &self.weights)?;
        let sums = cell_sums(codes, &self.weights, targets.len());
        let new_w: Vec<f64> = self
            .weights
            .iter()
            .zip(codes)
            .map(|(w, &c)| w * targets[c as usize] / sums[c as usize])
            .collect();
        let cal = Calibration::PostStratification {
            group: codes.to_vec(),
            groups: targets.len(),
            old_w: self.weights.clone(),
            new_w: new_w.clone(),
        };
        Ok(self.with_calibration(new_w, cal))
    }

    /// Rake to several margins by iterative proportional fitting (Deming & Stephan 1940; R
    /// `rake(design, list(~a, ~b), list(pop_a, pop_b), control = list(maxit, epsilon))`, SEs as
    /// `svyrecvar` after it). `opts` is our stopping rule, not R's default `maxit = 10, epsilon = 1`:
    /// see the README.
    /// Errors when margin totals disagree (relative 1e-6), a populated category has no sample units, or the
    /// sample has a category the margin lacks. Non-convergence is reported, not an error.
    pub fn rake(&self, margins: &[Margin], opts: RakeOptions) -> Result<(Design, RakeReport)> {
        let mut w = self.weights.clone();
        validate_margins(margins, &w)?;
        let report = ipf(margins, &mut w, opts);
        let cal = raking_record(margins, &w);
        Ok((self.with_calibration(w, cal), report))
    }

    /// Rake, then trim weights to `bounds` and re-rake, repeating until the raked weights respect the bounds
    /// (within 1e-6 relative) or `max_rounds` is reached (Kalton & Flores-Cervantes 2003, §3.3 "trimming").
    /// The report's `converged` is true only when both the margins and the bounds hold.
    pub fn rake_trimmed(
        &self,
        margins: &[Margin],
        opts: RakeOptions,
        bounds: TrimBounds,
        max_rounds: usize,
    ) -> Result<(Design, RakeReport)> {
        if !(bounds.lower >= 0.0 && bounds.lower < bounds.upper) {
            return Err(AnalysisError::InvalidArgument(format!(
                "trim bounds [{}, {}] are not increasing and non-negative",
                bounds.lower, bounds.upper
            )));
        }
        let mut w = self.weights.clone();
        validate_margins(margins, &w)?;
        let mut report = ipf(margins, &mut w, opts);
        let mut total_iter = report.iterations;
        let inside = |w: &[f64]| {
            w.iter()
                .all(|&x| x >= bounds.lower * (1.0 - 1e-6) && x <= bounds.upper * (1.0 + 1e-6))
        };
        let mut rounds = 0;
        while !inside(&w) && rounds < max_rounds {
            for x in w.iter_mut() {
                *x = x.clamp(bounds.lower, bounds.upper);
            }
            report = ipf(margins, &mut w, opts);
            total_iter += report.iterations;
            rounds += 1;
        }
        let ok = inside(&w);
        let report = RakeReport {
            iterations: total_iter,
            max_error: report.max_error,
            converged: report.converged && ok,
        };
        let cal = raking_record(margins, &w);
        Ok((self.with_calibration(w, cal), report))
    }

    /// Linear calibration / GREG (Deville & Särndal 1992; R `calibrate(design, ~x1 + x2,
    /// c(`(Intercept)` = N, x1 = T1, x2 = T2), calfun = "linear")`): weights
    /// w = d(1 + xᵀλ) that reproduce the population `totals` of the auxiliary `columns` exactly.
    /// Include a column of ones to calibrate the population size.
    pub fn calibrate_linear(&self, columns: &[Vec<f64>], totals: &[f64]) -> Result<Design> {
        let p = columns.len();
        if p == 0 || totals.len() != p {
            return Err(AnalysisError::LengthMismatch {
                what: "calibration totals".into(),
                expected: p,
                got: totals.len(),
            });
        }
        let n = self.len();
        for c in columns {
            if c.len() != n {
                return Err(AnalysisError::LengthMismatch {
                    what: "calibration variable".into(),
                    expected: n,
                    got: c.len(),
                });
            }
            if c.iter().any(|v| !v.is_finite()) {
                return Err(AnalysisError::InvalidValue(
                    "calibration variables must be finite (no missing values)".into(),
                ));
            }
        }
        let mut x = vec![0.0; n * p];
        for (j, c) in columns.iter().enumerate() {
            for i in 0..n {
                x[i * p + j] = c[i];
            }
        }
        let d = &self.weights;
        let mut t = vec![0.0; p * p];
        let mut est = vec![0.0; p];
        for i in 0..n {
            let row = &x[i * p..(i + 1) * p];
            for a in 0..p {
                est[a] += d[i] * row[a];
                for b in 0..p {
                    t[a * p + b] += d[i] * row[a] * row[b];
                }
            }
        }
        let gap: Vec<f64> = totals.iter().zip(&est).map(|(a, b)| a - b).collect();
        let lambda = crate::linalg::solve(
            &t,
            &gap,
            p,
            1,
            "linear calibration (collinear auxiliary variables?)",
        )?;
        let w: Vec<f64> = (0..n)
            .map(|i| d[i] * (1.0 + (0..p).map(|a| x[i * p + a] * lambda[a]).sum::<f64>()))
            .collect();
        let cal = Calibration::Greg {
            x,
            p,
            d: d.clone(),
            w: w.clone(),
            xtdx: t,
        };
        Ok(self.with_calibration(w, cal))
    }
}

fn validate_margins(margins: &[Margin], w: &[f64]) -> Result<()> {
    if margins.is_empty() {
        return Err(AnalysisError::InvalidArgument(
            "raking needs at least one margin".into(),
        ));
    }
    let totals: Vec<f64> = margins.iter().map(|m| m.targets.iter().sum()).collect();
    for (j, &t) in totals.iter().enumerate().skip(1) {
        if (t - totals[0]).abs() > 1e-6 * totals[0].abs().max(1.0) {
            return Err(AnalysisError::InconsistentMargins {
                first: 0,
                first_total: totals[0],
                other: j,
                other_total: t,
            });
        }
    }
    for (i, m) in margins.iter().enumerate() {
        check_margin(i, m, w)?;
    }
    Ok(())
}

fn raking_record(margins: &[Margin], w: &[f64]) -> Calibration {
    let margins: Vec<(Vec<u32>, usize)> = margins
        .iter()
        .map(|m| (m.codes.clone(), m.targets.len()))
        .collect();
    Calibration::Raking {
        cells: crate::design::RakingCells::new(&margins, w),
        w: w.to_vec(),
    }
}
