//! Repeated cross-sections (waves): estimate per wave, change between waves with CI and test, and a linear
//! trend test across waves. All contrasts are linearised in one design, so covariance between waves (shared
//! PSUs or strata) is accounted for (as `svyby` followed by `svycontrast` in R).

use crate::design::Design;
use crate::dist;
use crate::error::{AnalysisError, Result};
use crate::estimate::Estimate;

/// Change between two waves.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WaveChange {
    /// Earlier wave index.
    pub from: usize,
    /// Later wave index.
    pub to: usize,
    /// Difference later − earlier with SE.
    pub change: Estimate,
    /// 95% Wald CI (t on design df).
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Per-wave estimates, consecutive changes and a linear trend test.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WaveAnalysis {
    /// Mean (or proportion) per wave.
    pub per_wave: Vec<Estimate>,
    /// Change between consecutive waves.
    pub changes: Vec<WaveChange>,
    /// Slope per wave of the least-squares line through the wave estimates (equally spaced waves), with SE.
    pub trend: Estimate,
    /// Two-sided p-value of the trend.
    pub trend_p: f64,
}

impl Design {
    /// Analyse `y` (NaN = missing; use 0/1 for a proportion) across waves coded 0..`n_waves`.
    pub fn waves(
        &self,
        y: &[f64],
        wave: &[u32],
        n_waves: usize,
        level: f64,
    ) -> Result<WaveAnalysis> {
        if n_waves < 2 {
            return Err(AnalysisError::InsufficientData {
                needed: 2,
                got: n_waves,
            });
        }
        if wave.len() != self.len() {
            return Err(AnalysisError::LengthMismatch {
                what: "wave".into(),
                expected: self.len(),
                got: wave.len(),
            });
        }
        let df = self.degrees_of_freedom();
        let mut est = Vec::with_capacity(n_waves);
        let mut infl = Vec::with_capacity(n_waves);
        let mut per_wave = Vec::with_capacity(n_waves);
        for k in 0..n_waves {
            let dom: Vec<bool> = wave.iter().map(|&w| w as usize == k).collect();
            let (m, z, n, _) = self.mean_influence(y, Some(&dom))?;
            est.push(m);
            per_wave.push(Estimate {
                estimate: m,
                se: 0.0,
                df,
                n,
                deff: None,
            });
            infl.push(z);
        }
        let cov = self.total_covariance(&infl)?;
        for (k, e) in per_wave.iter_mut().enumerate() {
            e.se = cov[k * n_waves + k].max(0.0).sqrt();
        }
        let t = dist::qt(1.0 - (1.0 - level) / 2.0, df);
        let p_of = |d: f64, se: f64| {
            if se > 0.0 {
                dist::clamp_p(2.0 * dist::pt_upper((d / se).abs(), df))
            } else {
                f64::NAN
            }
        };
        let contrast = |c: &[f64]| -> (f64, f64) {
            let d: f64 = c.iter().zip(&est).map(|(a, b)| a * b).sum();
            let mut v = 0.0;
            for a in 0..n_waves {
                for b in 0..n_waves {
                    v += c[a] * cov[a * n_waves + b] * c[b];
                }
            }
            (d, v.max(0.0).sqrt())
        };
        let changes = (1..n_waves)
            .map(|k| {
                let mut c = vec![0.0; n_waves];
                c[k] = 1.0;
                c[k - 1] = -1.0;
                let (d, se) = contrast(&c);
                WaveChange {
                    from: k - 1,
                    to: k,
                    change: Estimate {
                        estimate: d,
                        se,
                        df,
                        n: per_wave[k].n + per_wave[k - 1].n,
                        deff: None,
                    },
                    lower: d - t * se,
                    upper: d + t * se,
                    p_value: p_of(d, se),
                }
            })
            .collect();
        let mean_k = (n_waves as f64 - 1.0) / 2.0;
        let sxx: f64 = (0..n_waves).map(|k| (k as f64 - mean_k).powi(2)).sum();
        let c: Vec<f64> = (0..n_waves).map(|k| (k as f64 - mean_k) / sxx).collect();
        let (slope, se) = contrast(&c);
        let n: usize = per_wave.iter().map(|e| e.n).sum();
        Ok(WaveAnalysis {
            per_wave,
            changes,
            trend: Estimate {
                estimate: slope,
                se,
                df,
                n,
                deff: None,
            },
            trend_p: p_of(slope, se),
        })
    }
}
