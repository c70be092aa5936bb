//! Survey design (weights, strata, one- or two-stage clusters, finite-population corrections) and the
//! Taylor-linearisation variance engine, following R's `survey` package (`svydesign`, `svyrecvar`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{AnalysisError, Result};

/// What the variance does with a stratum that has a single sampled PSU and is not a certainty stratum:
/// R's `options(survey.lonely.psu = ...)`, with the semantics of `onestrat`/`onestage` in survey 4.5.
/// A stratum whose only PSU was sampled with certainty (N_h = 1) contributes nothing under every policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum LonelyPsu {
    /// Refuse with [`AnalysisError::LonelyPsu`] (R's default, `"fail"`).
    #[default]
    Fail,
    /// The stratum contributes no variance; nothing else changes (`"remove"`).
    Remove,
    /// The single PSU is treated as sampled with certainty, so it contributes no variance
    /// (`"certainty"`). Linearisation variances equal `Remove`'s, as in R.
    Certainty,
    /// The stratum contributes the average contribution of the other strata: the sum over strata with
    /// two or more PSUs is scaled by H / (H − lonely strata) (`"average"`).
    Average,
    /// The single PSU total is centred at the grand mean of all PSU totals, Σt / n_PSU, rather than at
    /// its stratum mean, with scale 1 − f_h (`"adjust"`).
    Adjust,
}

impl LonelyPsu {
    /// Every policy, in R's documentation order.
    pub const ALL: [LonelyPsu; 5] = [
        LonelyPsu::Fail,
        LonelyPsu::Remove,
        LonelyPsu::Certainty,
        LonelyPsu::Average,
        LonelyPsu::Adjust,
    ];

    /// The name R uses for the policy (`"fail"`, `"remove"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LonelyPsu::Fail => "fail",
            LonelyPsu::Remove => "remove",
            LonelyPsu::Certainty => "certainty",
            LonelyPsu::Average => "average",
            LonelyPsu::Adjust => "adjust",
        }
    }
}

impl fmt::Display for LonelyPsu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LonelyPsu {
    type Err = AnalysisError;

    /// Parse R's option value (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        LonelyPsu::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                AnalysisError::InvalidArgument(format!(
                    "unknown lonely-PSU policy '{s}' (expected fail, remove, certainty, average or adjust)"
                ))
            })
    }
}

/// Stage-1 variance scales per stratum after the lonely-PSU policy: what `between_psu_covariance`
/// needs to combine PSU totals.
#[derive(Debug, Clone)]
pub(crate) struct StratumScales {
    /// Multiplier of Σ(t − centre)² per stratum; 0 for strata that contribute nothing.
    pub(crate) scale: Vec<f64>,
    /// Strata centred at the grand mean of PSU totals instead of their own mean (policy `Adjust`).
    pub(crate) grand_centred: Vec<bool>,
    /// Factor applied to the summed covariance (policy `Average`: H / strata with two or more PSUs).
    pub(crate) factor: f64,
}

impl StratumScales {
    /// True when some stratum is centred at the grand mean, which closed-form shortcuts cannot do.
    pub(crate) fn any_grand_centred(&self) -> bool {
        self.grand_centred.iter().any(|&g| g)
    }
}

/// Finite-population correction for one sampling stage, per observation, as in `svydesign(fpc = ~...)`.
/// Must be constant within a stratum (stage 1) or within a PSU (stage 2).
#[derive(Debug, Clone, PartialEq)]
pub enum Fpc {
    /// Number of units in the population (of the stratum at stage 1, of the PSU at stage 2).
    PopulationSize(Vec<f64>),
    /// Sampling fraction n/N in (0, 1]; R converts it with `popsize <- sampsize / fpc`.
    Fraction(Vec<f64>),
}

impl Fpc {
    /// Read the fpc columns of every stage as R's `as.fpc` does (survey 4.1): all the values of all
    /// stages together are population sizes when every one is ≥ 1 and some is > 1, and sampling
    /// fractions when every one is ≤ 1 and some is < 1. So a certainty unit (N = 1) sits beside larger
    /// population sizes, and a fully sampled stage (fraction 1) beside smaller fractions. Anything else
    /// (a mixture, or every value exactly 1) is refused, as R refuses it ("Must have all fpc>=1 or all
    /// fpc<=1"). Values that are not finite and positive are refused with their stage and row.
    pub fn from_stages(stages: Vec<Vec<f64>>) -> Result<Vec<Fpc>> {
        for (s, v) in stages.iter().enumerate() {
            if let Some(i) = v.iter().position(|x| !x.is_finite() || *x <= 0.0) {
                return Err(AnalysisError::InvalidFpc(format!(
                    "stage {}: value {} at observation {} is not a positive number",
                    s + 1,
                    v[i],
                    i + 1
                )));
            }
        }
        let all = || stages.iter().flatten();
        let any_above = all().any(|&x| x > 1.0);
        let all_at_least = all().all(|&x| x >= 1.0);
        if any_above && all_at_least {
            Ok(stages.into_iter().map(Fpc::PopulationSize).collect())
        } else if !any_above && !all_at_least {
            Ok(stages.into_iter().map(Fpc::Fraction).collect())
        } else if any_above {
            Err(AnalysisError::InvalidFpc(
                "some values are population sizes (> 1) and some sampling fractions (< 1); \
                 give all stages the same kind, as R's svydesign requires"
                    .into(),
            ))
        } else {
            Err(AnalysisError::InvalidFpc(
                "every value is 1, which R's svydesign refuses as ambiguous (population size 1 or \
                 sampling fraction 1); a stage sampled completely needs no fpc column"
                    .into(),
            ))
        }
    }
}

/// A calibration step applied to the weights. The variance engine replaces influence values by
/// residuals from the calibration model, as `svyrecvar` does for `postStratify`, `rake` and `calibrate`.
#[derive(Debug, Clone)]
pub(crate) enum Calibration {
    /// `postStratify`: residual from post-stratum means (weights before and after).
    PostStratification {
        group: Vec<u32>,
        groups: usize,
        old_w: Vec<f64>,
        new_w: Vec<f64>,
    },
    /// `rake`: ten rounds of backfitting over the margins, with the final weights. `cells` is the
    /// cross-classification of the margins, computed once so every variance backfits on cell sums.
    Raking { w: Vec<f64>, cells: RakingCells },
    /// `calibrate(calfun = "linear")`: residual from the weighted regression on the calibration variables.
    /// `xtdx` is X'DX (p × p), the same for every estimated variable, so it is summed once.
    Greg {
        x: Vec<f64>,
        p: usize,
        d: Vec<f64>,
        w: Vec<f64>,
        xtdx: Vec<f64>,
    },
}

/// The cells of the cross-classification of a raking's margins that occur in the sample.
///
/// Backfitting subtracts, in each step, the unweighted mean of z/w per level of one margin, so after
/// any number of steps z_i/w_i has moved by an amount that depends only on the cell of unit i. The
/// backfitting can therefore run on per-cell sums (a few hundred cells) instead of on every unit, with
/// one pass over the units before and one after: the variance of every estimate on a raked design,
/// and so every question of a results page, costs two passes instead of twenty per margin.
#[derive(Debug, Clone)]
pub(crate) struct RakingCells {
    /// Cell index per unit.
    cell: Vec<u32>,
    /// Level of each margin per cell, row-major cells × margins.
    levels: Vec<u32>,
    /// Units per cell with a positive weight (only they enter the sums of z/w).
    positive: Vec<f64>,
    /// Units per level of each margin (all units, as the backfitting divides by them).
    margin_counts: Vec<Vec<f64>>,
}

impl RakingCells {
    pub(crate) fn new(margins: &[(Vec<u32>, usize)], w: &[f64]) -> RakingCells {
        let n = w.len();
        let m = margins.len();
        let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut levels = Vec::new();
        let mut cell = Vec::with_capacity(n);
        let mut key = vec![0u32; m];
        for i in 0..n {
            for (k, (codes, _)) in key.iter_mut().zip(margins) {
                *k = codes[i];
            }
            let next = index.len() as u32;
            let c = *index.entry(key.clone()).or_insert_with(|| {
                levels.extend_from_slice(&key);
                next
            });
            cell.push(c);
        }
        let mut positive = vec![0.0; index.len()];
        for (c, wi) in cell.iter().zip(w) {
            if *wi > 0.0 {
                positive[*c as usize] += 1.0;
            }
        }
        let margin_counts = margins
            .iter()
            .map(|(codes, k)| {
                let mut cnt = vec![0usize; *k];
                for &c in codes {
                    cnt[c as usize] += 1;
                }
                cnt.into_iter().map(|c| c as f64).collect()
            })
            .collect();
        RakingCells {
            cell,
            levels,
            positive,
            margin_counts,
        }
    }

    /// Ten rounds of backfitting of every column of `cols` over the margins, as R's `rake` records
    /// them for `svyrecvar`: the per-unit loop of [`Design::residualise`] before this shortcut, to
    /// rounding (see the test `raking_residuals_on_cells_equal_the_per_unit_backfitting`).
    fn residualise(&self, cols: &mut [Vec<f64>], w: &[f64]) {
        let cells = self.positive.len();
        let mut sums = vec![0.0; cells];
        let mut shift = vec![0.0; cells];
        for z in cols.iter_mut() {
            sums.iter_mut().for_each(|s| *s = 0.0);
            for ((zi, wi), c) in z.iter().zip(w).zip(&self.cell) {
                if *wi > 0.0 {
                    sums[*c as usize] += zi / wi;
                }
            }
            self.backfit(&sums, &mut shift);
            for ((zi, wi), c) in z.iter_mut().zip(w).zip(&self.cell) {
                *zi -= wi * shift[*c as usize];
            }
        }
    }

    /// Number of cells.
    pub(crate) fn count(&self) -> usize {
        self.positive.len()
    }

    /// Cell index per unit.
    pub(crate) fn cell(&self) -> &[u32] {
        &self.cell
    }

    /// The ten rounds of backfitting on cell sums: from `sums`, the sum of z/w per cell over the
    /// units with a positive weight, the amount `shift` per cell by which every unit's z/w moves
    /// (the residual of unit i is z_i − w_i · shift[cell of i]).
    pub(crate) fn backfit(&self, sums: &[f64], shift: &mut [f64]) {
        let cells = self.positive.len();
        let m = self.margin_counts.len();
        shift.iter_mut().for_each(|s| *s = 0.0);
        for _ in 0..10 {
            for (j, counts) in self.margin_counts.iter().enumerate() {
                let mut level_sum = vec![0.0; counts.len()];
                for c in 0..cells {
                    level_sum[self.levels[c * m + j] as usize] +=
                        sums[c] - self.positive[c] * shift[c];
                }
                for c in 0..cells {
                    let l = self.levels[c * m + j] as usize;
                    shift[c] += level_sum[l] / counts[l];
                }
            }
        }
    }
}

/// A probability sample design. Build it with [`Design::builder`].
///
/// Variance follows R's `svydesign(ids = ~psu + ssu, strata = ~s, weights = ~w, fpc = ~N1 + N2)` with
/// `options(survey.lonely.psu = ...)` set by [`DesignBuilder::lonely_psu`] (default `"fail"`): with-replacement (ultimate cluster) when no fpc is given, otherwise
/// without-replacement at stage 1 plus the stage-2 term scaled by the stage-1 sampling fraction.
#[derive(Debug, Clone)]
pub struct Design {
    pub(crate) weights: Vec<f64>,
    /// Stratum index per observation, 0..n_strata.
    pub(crate) stratum: Vec<u32>,
    /// Stage-1 PSU index per observation, 0..n_psu; `None` means every observation is its own PSU.
    pub(crate) psu: Option<Vec<u32>>,
    pub(crate) n_psu: usize,
    /// Stratum of each PSU.
    pub(crate) psu_stratum: Vec<u32>,
    /// PSUs in the sample, per stratum.
    pub(crate) psus_in_stratum: Vec<usize>,
    /// Stage-1 population size per stratum (infinite = with replacement).
    pub(crate) pop1: Option<Vec<f64>>,
    /// Stage-2 SSU index per observation and population SSUs per PSU.
    pub(crate) ssu: Option<(Vec<u32>, Vec<f64>)>,
    pub(crate) calibrations: Vec<Calibration>,
    /// How strata with a single PSU enter the variance.
    pub(crate) lonely_psu: LonelyPsu,
    /// R's `options(survey.adjust.domain.lonely = TRUE)`.
    pub(crate) adjust_domain_lonely: bool,
    /// R's `degf`: PSUs minus strata among the rows with a non-zero sampling weight (calibration
    /// changes the weights but not the sampling weights `degf` reads, so this is fixed at build).
    pub(crate) degf: f64,
}

/// Builder for [`Design`]; mirrors the arguments of R's `svydesign`.
#[derive(Debug, Clone, Default)]
pub struct DesignBuilder {
    weights: Vec<f64>,
    strata: Option<Vec<u64>>,
    clusters: Option<Vec<u64>>,
    subclusters: Option<Vec<u64>>,
    fpc1: Option<Fpc>,
    fpc2: Option<Fpc>,
    lonely_psu: LonelyPsu,
    adjust_domain_lonely: bool,
}

fn index_codes(codes: &[u64]) -> (Vec<u32>, usize) {
    let mut map: HashMap<u64, u32> = HashMap::new();
    let out = codes
        .iter()
        .map(|c| {
            let next = map.len() as u32;
            *map.entry(*c).or_insert(next)
        })
        .collect();
    (out, map.len())
}

fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(AnalysisError::LengthMismatch {
            what: what.to_string(),
            expected,
            got,
        })
    }
}

/// Convert a per-observation fpc into a population size per group (stratum or PSU), checking that it
/// is constant within the group, as R's `as.fpc` does.
fn fpc_per_group(
    fpc: &Fpc,
    group: &[u32],
    groups: usize,
    sampled: &[usize],
    stage: usize,
) -> Result<Vec<f64>> {
    let (vals, is_fraction) = match fpc {
        Fpc::PopulationSize(v) => (v, false),
        Fpc::Fraction(v) => (v, true),
    };
    check_len(&format!("fpc (stage {stage})"), group.len(), vals.len())?;
    let mut out = vec![f64::NAN; groups];
    for (&g, &v) in group.iter().zip(vals) {
        if !v.is_finite() || v <= 0.0 || (is_fraction && v > 1.0) {
            return Err(AnalysisError::InvalidFpc(format!(
                "stage {stage}: value {v} is not a valid {}",
                if is_fraction {
                    "sampling fraction"
                } else {
                    "population size"
                }
            )));
        }
        let g = g as usize;
        let pop = if is_fraction {
            sampled[g] as f64 / v
        } else {
            v
        };
        if out[g].is_nan() {
            out[g] = pop;
        } else if (out[g] - pop).abs() > 1e-9 * pop.abs().max(1.0) {
            return Err(AnalysisError::InvalidFpc(format!(
                "stage {stage}: fpc varies within a {}",
                if stage == 1 { "stratum" } else { "PSU" }
            )));
        }
    }
    for (g, &pop) in out.iter().enumerate() {
        if pop + 1e-9 < sampled[g] as f64 {
            return Err(AnalysisError::InvalidFpc(format!(
                "stage {stage}: population size {pop} is smaller than the {} sampled units",
                sampled[g]
            )));
        }
    }
    Ok(out)
}

impl DesignBuilder {
    /// Strata (any codes; R `strata = ~s`).
    pub fn strata(mut self, codes: Vec<u64>) -> Self {
        self.strata = Some(codes);
        self
    }
    /// Stage-1 clusters, the PSUs (R `ids = ~psu`). PSU codes are nested in strata automatically.
    pub fn clusters(mut self, codes: Vec<u64>) -> Self {
        self.clusters = Some(codes);
        self
    }
    /// Stage-2 clusters within PSUs (R `ids = ~psu + ssu`).
    pub fn subclusters(mut self, codes: Vec<u64>) -> Self {
        self.subclusters = Some(codes);
        self
    }
    /// Stage-1 finite-population correction (R `fpc = ~N`).
    pub fn fpc(mut self, fpc: Fpc) -> Self {
        self.fpc1 = Some(fpc);
        self
    }
    /// Stage-2 finite-population correction (R `fpc = ~N1 + N2`); needs a stage-1 fpc and subclusters.
    pub fn fpc2(mut self, fpc: Fpc) -> Self {
        self.fpc2 = Some(fpc);
        self
    }

    /// How a stratum with a single PSU enters every variance of the design (R
    /// `options(survey.lonely.psu = ...)`); default [`LonelyPsu::Fail`].
    pub fn lonely_psu(mut self, policy: LonelyPsu) -> Self {
        self.lonely_psu = policy;
        self
    }

    /// R's `options(survey.adjust.domain.lonely = TRUE)` (default `FALSE`, as in R): a stratum with two
    /// or more PSUs of which only one has rows in a domain is lonely for that domain's estimates. It
    /// changes what `Average` and `Adjust` do there (see the README); under `Fail`, `Remove` and
    /// `Certainty` R only warns, and the variance is the same.
    pub fn adjust_domain_lonely(mut self, on: bool) -> Self {
        self.adjust_domain_lonely = on;
        self
    }

    /// Validate and build the design.
    pub fn build(self) -> Result<Design> {
        let n = self.weights.len();
        if n == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        if let Some((i, w)) = self
            .weights
            .iter()
            .enumerate()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(AnalysisError::InvalidValue(format!(
                "weight {w} at observation {i} is not a finite non-negative number"
            )));
        }
        if self.weights.iter().sum::<f64>() <= 0.0 {
            return Err(AnalysisError::ZeroWeightSum {
                context: String::new(),
            });
        }
        let (stratum, n_strata) = match &self.strata {
            Some(s) => {
                check_len("strata", n, s.len())?;
                index_codes(s)
            }
            None => (vec![0; n], 1),
        };
        let (psu, psu_stratum, n_psu) = match &self.clusters {
            Some(c) => {
                check_len("clusters", n, c.len())?;
                // Nest PSUs in strata (R nest = TRUE) by keying on (stratum, code).
                let mut map: HashMap<(u32, u64), u32> = HashMap::new();
                let mut psu_stratum = Vec::new();
                let idx: Vec<u32> = c
                    .iter()
                    .zip(&stratum)
                    .map(|(code, &s)| {
                        let next = map.len() as u32;
                        *map.entry((s, *code)).or_insert_with(|| {
                            psu_stratum.push(s);
                            next
                        })
                    })
                    .collect();
                let np = psu_stratum.len();
                (Some(idx), psu_stratum, np)
            }
            None => (None, stratum.clone(), n),
        };
        let mut psus_in_stratum = vec![0usize; n_strata];
        for &s in &psu_stratum {
            psus_in_stratum[s as usize] += 1;
        }
        let pop1 = match &self.fpc1 {
            Some(f) => Some(fpc_per_group(f, &stratum, n_strata, &psus_in_stratum, 1)?),
            None => None,
        };
        let ssu = match (&self.subclusters, &self.fpc2) {
            (Some(sc), fpc2) => {
                check_len("subclusters", n, sc.len())?;
                let psu_idx = psu.as_ref().ok_or_else(|| {
                    AnalysisError::InvalidArgument("subclusters need stage-1 clusters".into())
                })?;
                let mut map: HashMap<(u32, u64), u32> = HashMap::new();
                let mut ssu_psu = Vec::new();
                let idx: Vec<u32> = sc
                    .iter()
                    .zip(psu_idx)
                    .map(|(code, &p)| {
                        let next = map.len() as u32;
                        *map.entry((p, *code)).or_insert_with(|| {
                            ssu_psu.push(p);
                            next
                        })
                    })
                    .collect();
                let mut ssus_in_psu = vec![0usize; n_psu];
                for &p in &ssu_psu {
                    ssus_in_psu[p as usize] += 1;
                }
                match fpc2 {
                    Some(f) => {
                        if pop1.is_none() {
                            return Err(AnalysisError::InvalidFpc(
                                "a stage-2 fpc needs a stage-1 fpc".into(),
                            ));
                        }
                        let pop2 = fpc_per_group(f, psu_idx, n_psu, &ssus_in_psu, 2)?;
                        Some((idx, pop2))
                    }
                    // R: stages without an fpc are treated as fully sampled, so they add no variance.
                    None => None,
                }
            }
            (None, Some(_)) => {
                return Err(AnalysisError::InvalidArgument(
                    "a stage-2 fpc needs subclusters".into(),
                ))
            }
            (None, None) => None,
        };
        let degf = psus_minus_strata(&stratum, psu.as_deref(), n_psu, n_strata, |i| {
            self.weights[i] != 0.0
        });
        Ok(Design {
            degf,
            weights: self.weights,
            stratum,
            psu,
            n_psu,
            psu_stratum,
            psus_in_stratum,
            pop1,
            ssu,
            calibrations: Vec::new(),
            lonely_psu: self.lonely_psu,
            adjust_domain_lonely: self.adjust_domain_lonely,
        })
    }
}

impl Design {
    /// Start a design from sampling weights (R `weights = ~pw`); without strata or clusters this is
    /// `svydesign(ids = ~1, weights = ~pw)`.
    pub fn builder(weights: Vec<f64>) -> DesignBuilder {
        DesignBuilder {
            weights,
            ..DesignBuilder::default()
        }
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// True when the design has no observations (never, once built).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Current weights (after any calibration).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of strata.
    pub fn n_strata(&self) -> usize {
        self.psus_in_stratum.len()
    }

    /// Number of stage-1 PSUs.
    pub fn n_psu(&self) -> usize {
        self.n_psu
    }

    /// Design degrees of freedom, PSUs minus strata (R `degf`).
    ///
    /// As R's `degf`, PSUs and strata all of whose rows have a zero sampling weight do not count.
    /// Unlike R (which gives 0 and then NaN intervals), never less than 1.
    pub fn degrees_of_freedom(&self) -> f64 {
        self.degf.max(1.0)
    }

    /// Degrees of freedom of the design restricted to `domain` (all rows when `None`), counting only
    /// rows with a non-zero sampling weight: R's `degf(subset(design, domain))`, which `svyby` hands
    /// to `svyciprop` and `svyquantile` for the intervals of each domain. At least 1.
    pub fn degrees_of_freedom_in(&self, domain: Option<&[bool]>) -> f64 {
        match domain {
            None => self.degrees_of_freedom(),
            Some(d) => psus_minus_strata(
                &self.stratum,
                self.psu.as_deref(),
                self.n_psu,
                self.n_strata(),
                |i| d[i] && self.sampling_weight_nonzero(i),
            )
            .max(1.0),
        }
    }

    /// PSUs minus strata among the rows of `domain`, zero weights included: the `nu` of R's
    /// `svychisq` on `subset(design, domain)`, which counts every row of the (sub)design.
    pub(crate) fn psus_minus_strata_all_rows(&self, domain: Option<&[bool]>) -> f64 {
        psus_minus_strata(
            &self.stratum,
            self.psu.as_deref(),
            self.n_psu,
            self.n_strata(),
            |i| domain.is_none_or(|d| d[i]),
        )
        .max(1.0)
    }

    /// True when row `i` had a non-zero weight before any calibration (R's sampling weight).
    fn sampling_weight_nonzero(&self, i: usize) -> bool {
        match self.calibrations.first() {
            Some(Calibration::PostStratification { old_w, .. }) => old_w[i] != 0.0,
            // Raking and calibration scale weights by positive factors, and post-stratification
            // keeps a zero weight at zero, so a zero weight now was a zero weight then.
            _ => self.weights[i] != 0.0,
        }
    }

    /// The lonely-PSU policy the variances use.
    pub fn lonely_psu_policy(&self) -> LonelyPsu {
        self.lonely_psu
    }

    /// Strata with a single sampled PSU that is not a certainty PSU (those the policy applies to).
    pub fn lonely_strata(&self) -> Vec<usize> {
        (0..self.n_strata())
            .filter(|&h| self.psus_in_stratum[h] < 2 && self.stage_one_f(h) >= 1e-7)
            .collect()
    }

    /// True when an fpc was given at stage 1.
    pub fn has_fpc(&self) -> bool {
        self.pop1.is_some()
    }

    /// Kish's effective sample size (Σw)² / Σw² over the observations in `domain` (all when `None`).
    pub fn kish_effective_n(&self, domain: Option<&[bool]>) -> f64 {
        let (mut s1, mut s2) = (0.0, 0.0);
        for (i, &w) in self.weights.iter().enumerate() {
            if domain.is_none_or(|d| d[i]) {
                s1 += w;
                s2 += w * w;
            }
        }
        if s2 > 0.0 {
            s1 * s1 / s2
        } else {
            0.0
        }
    }

    /// A copy of the design with new weights and a calibration record (used by the weighting module).
    pub(crate) fn with_calibration(&self, weights: Vec<f64>, cal: Calibration) -> Design {
        let mut d = self.clone();
        d.weights = weights;
        d.calibrations.push(cal);
        d
    }

    /// 1 − n_h/N_h of stratum `h` (1 without an fpc).
    fn stage_one_f(&self, h: usize) -> f64 {
        match &self.pop1 {
            Some(pop) => (pop[h] - self.psus_in_stratum[h] as f64) / pop[h],
            None => 1.0,
        }
    }

    /// True when the rows of the subset an estimate uses (its domain, less rows missing in the
    /// variable) change the stage-1 combination, as they do in R, where `svyby` and `na.rm = TRUE`
    /// estimate on a subset design: a lonely stratum without rows in the subset is not visited (so
    /// `Fail` does not fail there), `Average` averages over the strata present in the subset, and
    /// with `adjust_domain_lonely` a stratum with one PSU in the subset is lonely.
    pub(crate) fn subset_matters(&self) -> bool {
        self.lonely_psu == LonelyPsu::Average
            || self.adjust_domain_lonely
            || (self.lonely_psu == LonelyPsu::Fail && !self.lonely_strata().is_empty())
    }

    /// The rows of the subset `keep` accepts, when [`Self::subset_matters`] (else `None`: the
    /// whole design's combination is the same).
    pub(crate) fn subset_mask(&self, keep: impl Fn(usize) -> bool) -> Option<Vec<bool>> {
        self.subset_matters()
            .then(|| (0..self.len()).map(keep).collect())
    }

    /// [`Self::stratum_scales`] for an estimate on the rows `subset` (R's `onestage` on the subset
    /// design; `None`: every row).
    pub(crate) fn stratum_scales_in(&self, subset: Option<&[bool]>) -> Result<StratumScales> {
        let Some(sub) = subset.filter(|_| self.subset_matters()) else {
            return self.stratum_scales();
        };
        let h_n = self.n_strata();
        let mut present = vec![false; h_n];
        let mut in_subset = vec![0usize; h_n];
        let mut seen = vec![false; self.n_psu];
        for (i, &inside) in sub.iter().enumerate() {
            if !inside {
                continue;
            }
            let h = self.stratum[i] as usize;
            present[h] = true;
            let u = self.psu.as_ref().map_or(i, |p| p[i] as usize);
            if !seen[u] {
                seen[u] = true;
                in_subset[h] += 1;
            }
        }
        let mut scale = vec![0.0; h_n];
        let mut grand_centred = vec![false; h_n];
        let (mut strata, mut lonely) = (0usize, 0usize);
        for (h, &nh) in self.psus_in_stratum.iter().enumerate() {
            if !present[h] {
                continue;
            }
            strata += 1;
            let f = self.stage_one_f(h);
            if f < 1e-7 {
                continue;
            }
            let domain_lonely = self.adjust_domain_lonely && nh >= 2 && in_subset[h] == 1;
            if nh >= 2 && !domain_lonely {
                scale[h] = f * nh as f64 / (nh as f64 - 1.0);
                continue;
            }
            match self.lonely_psu {
                LonelyPsu::Fail if nh < 2 => {
                    return Err(AnalysisError::LonelyPsu {
                        stratum: h,
                        stage: 1,
                    })
                }
                LonelyPsu::Average => lonely += 1,
                // R 4.1.1 leaves the domain's single PSU uncentred among the padded zeros, with the
                // stratum's usual scale; for the influence values of a mean, share or ratio (which
                // sum to 0) that is centring at the grand mean, as the crate's `Adjust` does.
                LonelyPsu::Adjust if domain_lonely => {
                    scale[h] = f * nh as f64 / (nh as f64 - 1.0);
                    grand_centred[h] = true;
                }
                LonelyPsu::Adjust => {
                    scale[h] = f;
                    grand_centred[h] = true;
                }
                // R only warns: the stratum keeps its usual contribution.
                LonelyPsu::Fail | LonelyPsu::Remove | LonelyPsu::Certainty if domain_lonely => {
                    scale[h] = f * nh as f64 / (nh as f64 - 1.0);
                }
                LonelyPsu::Fail | LonelyPsu::Remove | LonelyPsu::Certainty => {}
            }
        }
        let factor = if self.lonely_psu == LonelyPsu::Average && lonely > 0 {
            if lonely >= strata {
                return Err(AnalysisError::LonelyPsu {
                    stratum: 0,
                    stage: 1,
                });
            }
            strata as f64 / (strata - lonely) as f64
        } else {
            1.0
        };
        Ok(StratumScales {
            scale,
            grand_centred,
            factor,
        })
    }

    /// Stage-1 scale per stratum, (1 − n_h/N_h) · n_h/(n_h − 1), with the lonely-PSU policy applied as
    /// R's `onestrat` does: a single PSU gets scale 1 − f_h and is centred at the grand mean under
    /// `Adjust`, contributes nothing under `Remove`/`Certainty`, and is replaced by the average of the
    /// other strata under `Average`.
    pub(crate) fn stratum_scales(&self) -> Result<StratumScales> {
        let h_n = self.n_strata();
        let mut scale = vec![0.0; h_n];
        let mut grand_centred = vec![false; h_n];
        let mut lonely = 0usize;
        for (h, &nh) in self.psus_in_stratum.iter().enumerate() {
            let f = self.stage_one_f(h);
            // A self-representing stratum (every PSU sampled) contributes nothing, as in R.
            if f < 1e-7 {
                continue;
            }
            if nh >= 2 {
                scale[h] = f * nh as f64 / (nh as f64 - 1.0);
                continue;
            }
            lonely += 1;
            match self.lonely_psu {
                LonelyPsu::Fail => {
                    return Err(AnalysisError::LonelyPsu {
                        stratum: h,
                        stage: 1,
                    })
                }
                LonelyPsu::Remove | LonelyPsu::Certainty | LonelyPsu::Average => {}
                LonelyPsu::Adjust => {
                    scale[h] = f;
                    grand_centred[h] = true;
                }
            }
        }
        let factor = if self.lonely_psu == LonelyPsu::Average && lonely > 0 {
            if lonely == h_n {
                // R returns NaN here; there is no other stratum to borrow from, so say so instead.
                return Err(AnalysisError::LonelyPsu {
                    stratum: 0,
                    stage: 1,
                });
            }
            h_n as f64 / (h_n - lonely) as f64
        } else {
            1.0
        };
        Ok(StratumScales {
            scale,
            grand_centred,
            factor,
        })
    }

    /// Residualise influence columns for each calibration step, as `svyrecvar` does before `multistage`.
    fn residualise(&self, cols: &mut [Vec<f64>]) -> Result<()> {
        for cal in &self.calibrations {
            match cal {
                Calibration::PostStratification {
                    group,
                    groups,
                    old_w,
                    new_w,
                } => {
                    let mut den = vec![0.0; *groups];
                    for (g, w0) in group.iter().zip(old_w) {
                        den[*g as usize] += w0;
                    }
                    for z in cols.iter_mut() {
                        let mut num = vec![0.0; *groups];
                        for i in 0..z.len() {
                            if new_w[i] > 0.0 {
                                num[group[i] as usize] += z[i] * old_w[i] / new_w[i];
                            }
                        }
                        for i in 0..z.len() {
                            let g = group[i] as usize;
                            if den[g] > 0.0 {
                                z[i] -= num[g] / den[g] * new_w[i];
                            }
                        }
                    }
                }
                Calibration::Raking { w, cells } => cells.residualise(cols, w),
                Calibration::Greg { x, p, d, w, xtdx } => {
                    let p = *p;
                    for z in cols.iter_mut() {
                        let mut xde = vec![0.0; p];
                        for i in 0..d.len() {
                            if w[i] > 0.0 {
                                let e = z[i] / w[i];
                                for a in 0..p {
                                    xde[a] += d[i] * x[i * p + a] * e;
                                }
                            }
                        }
                        let beta = crate::linalg::solve(xtdx, &xde, p, 1, "calibration residuals")?;
                        for i in 0..d.len() {
                            if w[i] > 0.0 {
                                let fit: f64 = (0..p).map(|a| x[i * p + a] * beta[a]).sum();
                                z[i] = w[i] * (z[i] / w[i] - fit);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Covariance matrix (m × m, row-major) of the estimated totals Σ z_i of `m` influence columns:
    /// R's `svyrecvar`. An estimator's variance is the variance of the total of its influence values.
    pub fn total_covariance(&self, cols: &[Vec<f64>]) -> Result<Vec<f64>> {
        self.total_covariance_in(cols, None)
    }

    /// [`Self::total_covariance`] of an estimate on the rows `subset` (see [`Self::subset_matters`]).
    pub(crate) fn total_covariance_in(
        &self,
        cols: &[Vec<f64>],
        subset: Option<&[bool]>,
    ) -> Result<Vec<f64>> {
        let m = cols.len();
        let n = self.len();
        for c in cols {
            check_len("influence column", n, c.len())?;
        }
        let mut cols = cols.to_vec();
        self.residualise(&mut cols)?;
        let scales = self.stratum_scales_in(subset)?;
        // PSU totals, row-major n_psu × m.
        let mut t = vec![0.0; self.n_psu * m];
        match &self.psu {
            Some(psu) => {
                for (j, c) in cols.iter().enumerate() {
                    for (i, &z) in c.iter().enumerate() {
                        t[psu[i] as usize * m + j] += z;
                    }
                }
            }
            None => {
                for (j, c) in cols.iter().enumerate() {
                    for (i, &z) in c.iter().enumerate() {
                        t[i * m + j] = z;
                    }
                }
            }
        }
        let mut v =
            between_psu_covariance(&t, m, &self.psu_stratum, &self.psus_in_stratum, &scales);
        if let (Some((ssu, pop2)), Some(pop1)) = (&self.ssu, &self.pop1) {
            self.add_stage_two(&cols, ssu, pop2, pop1, &mut v)?;
        }
        Ok(v)
    }

    /// Variance of the total Σ z_i of one influence column.
    pub fn total_variance(&self, z: Vec<f64>) -> Result<f64> {
        Ok(self.total_covariance(&[z])?[0])
    }

    /// Stage-2 term of R's `multistage`: within-PSU variance of SSU totals, times n_h/N_h of stage 1.
    fn add_stage_two(
        &self,
        cols: &[Vec<f64>],
        ssu: &[u32],
        pop2: &[f64],
        pop1: &[f64],
        v: &mut [f64],
    ) -> Result<()> {
        let m = cols.len();
        let psu = self
            .psu
            .as_ref()
            .ok_or_else(|| AnalysisError::InvalidArgument("stage 2 without PSUs".into()))?;
        let n_ssu = ssu.iter().map(|&s| s as usize + 1).max().unwrap_or(0);
        let mut ssu_psu = vec![0u32; n_ssu];
        let mut t = vec![0.0; n_ssu * m];
        for i in 0..self.len() {
            ssu_psu[ssu[i] as usize] = psu[i];
            for (j, c) in cols.iter().enumerate() {
                t[ssu[i] as usize * m + j] += c[i];
            }
        }
        let mut ssus_in_psu = vec![0usize; self.n_psu];
        for &p in &ssu_psu {
            ssus_in_psu[p as usize] += 1;
        }
        let scale: Vec<f64> = (0..self.n_psu)
            .map(|p| {
                let mi = ssus_in_psu[p] as f64;
                let f = (pop2[p] - mi) / pop2[p];
                let h = self.psu_stratum[p] as usize;
                let stage1_fraction = self.psus_in_stratum[h] as f64 / pop1[h];
                if f < 1e-7 {
                    Ok(0.0)
                } else if mi < 2.0 {
                    // Within a PSU there is one stage-2 stratum, so R's `onestage` gives: `adjust`
                    // centres the single SSU at its own total (0), `remove`/`certainty` give 0 and
                    // `average` has no other stratum to average over (NaN in R, an error here).
                    match self.lonely_psu {
                        LonelyPsu::Remove | LonelyPsu::Certainty | LonelyPsu::Adjust => Ok(0.0),
                        LonelyPsu::Fail | LonelyPsu::Average => Err(AnalysisError::LonelyPsu {
                            stratum: p,
                            stage: 2,
                        }),
                    }
                } else {
                    Ok(stage1_fraction * f * mi / (mi - 1.0))
                }
            })
            .collect::<Result<_>>()?;
        let scales = StratumScales {
            grand_centred: vec![false; scale.len()],
            scale,
            factor: 1.0,
        };
        let extra = between_psu_covariance(&t, m, &ssu_psu, &ssus_in_psu, &scales);
        for (a, b) in v.iter_mut().zip(extra) {
            *a += b;
        }
        Ok(())
    }
}

/// PSUs minus strata among the rows `keep` accepts (R's `degf` on a subset).
fn psus_minus_strata(
    stratum: &[u32],
    psu: Option<&[u32]>,
    n_psu: usize,
    n_strata: usize,
    keep: impl Fn(usize) -> bool,
) -> f64 {
    // Without clusters every row is its own PSU, so rows are counted without a bitmap of n.
    let mut seen_psu = vec![false; if psu.is_some() { n_psu } else { 0 }];
    let mut seen_stratum = vec![false; n_strata];
    let (mut psus, mut strata) = (0usize, 0usize);
    for (i, &h) in stratum.iter().enumerate() {
        if !keep(i) {
            continue;
        }
        match psu {
            Some(p) => {
                let u = p[i] as usize;
                if !seen_psu[u] {
                    seen_psu[u] = true;
                    psus += 1;
                }
            }
            None => psus += 1,
        }
        if !seen_stratum[h as usize] {
            seen_stratum[h as usize] = true;
            strata += 1;
        }
    }
    psus as f64 - strata as f64
}

/// factor · Σ_h scale_h Σ_i (t_hi − c_h)(t_hi − c_h)ᵀ over units grouped by `group` (R `onestrat`), with
/// c_h the stratum mean t̄_h, or the grand mean Σt / units for strata the `Adjust` policy recentres.
pub(crate) fn between_psu_covariance(
    t: &[f64],
    m: usize,
    group: &[u32],
    size: &[usize],
    scales: &StratumScales,
) -> Vec<f64> {
    let g = size.len();
    let mut mean = vec![0.0; g * m];
    for (u, &h) in group.iter().enumerate() {
        for j in 0..m {
            mean[h as usize * m + j] += t[u * m + j];
        }
    }
    let mut grand = vec![0.0; m];
    if scales.any_grand_centred() {
        for h in 0..g {
            for j in 0..m {
                grand[j] += mean[h * m + j] / group.len().max(1) as f64;
            }
        }
    }
    for h in 0..g {
        for j in 0..m {
            if scales.grand_centred[h] {
                mean[h * m + j] = grand[j];
            } else {
                mean[h * m + j] /= size[h].max(1) as f64;
            }
        }
    }
    let mut v = vec![0.0; m * m];
    let mut d = vec![0.0; m];
    for (u, &h) in group.iter().enumerate() {
        let h = h as usize;
        let s = scales.scale[h];
        if s == 0.0 {
            continue;
        }
        for j in 0..m {
            d[j] = t[u * m + j] - mean[h * m + j];
        }
        for a in 0..m {
            let da = d[a] * s;
            if da == 0.0 {
                continue;
            }
            for b in 0..m {
                v[a * m + b] += da * d[b];
            }
        }
    }
    if scales.factor != 1.0 {
        for x in &mut v {
            *x *= scales.factor;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    //! Lonely-PSU policies against R's `survey` 4.5. `Rscript` is not on the build machine, so the
    //! expected values were computed by hand from `onestrat`/`onestage` (R/multistage.R) and are given
    //! with the R call that reproduces them.
    use super::*;

    // d <- data.frame(w = c(2,2,3,3,3,4), y = c(1,3,2,4,6,5), s = c(1,1,2,2,2,3), x = c(1,2,1,2,1,2))
    // des <- svydesign(ids = ~1, strata = ~s, weights = ~w, data = d)  # stratum 3 has one PSU
    const W: [f64; 6] = [2.0, 2.0, 3.0, 3.0, 3.0, 4.0];
    const Y: [f64; 6] = [1.0, 3.0, 2.0, 4.0, 6.0, 5.0];
    const S: [u64; 6] = [1, 1, 2, 2, 2, 3];
    const X: [f64; 6] = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0];

    fn design(policy: LonelyPsu) -> Design {
        Design::builder(W.to_vec())
            .strata(S.to_vec())
            .lonely_psu(policy)
            .build()
            .expect("design")
    }

    fn close(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
    }

    /// SEs of svytotal(~y), svymean(~y), svymean(~I(y >= 4)) and svyratio(~y, ~x), in that order.
    fn ses(policy: LonelyPsu) -> [f64; 4] {
        let d = design(policy);
        let ind: Vec<bool> = Y.iter().map(|&y| y >= 4.0).collect();
        let freq = d
            .frequencies(
                &ind.iter().map(|&b| b as u32).collect::<Vec<u32>>(),
                2,
                None,
            )
            .expect("frequencies");
        close(freq.proportions[1].se, d.proportion(&ind, None).unwrap().se);
        [
            d.total(&Y, None).unwrap().se,
            d.mean(&Y, None).unwrap().se,
            d.proportion(&ind, None).unwrap().se,
            d.ratio(&Y, &X, None).unwrap().se,
        ]
    }

    #[test]
    fn fail_refuses_a_stratum_with_one_psu() {
        let err = design(LonelyPsu::Fail).mean(&Y, None).unwrap_err();
        assert_eq!(
            err,
            AnalysisError::LonelyPsu {
                stratum: 2,
                stage: 1
            }
        );
        assert_eq!(design(LonelyPsu::Fail).lonely_strata(), vec![2]);
    }

    #[test]
    fn remove_leaves_the_lonely_stratum_out_of_every_variance() {
        // options(survey.lonely.psu = "remove"); SE(svytotal(~y, des)) etc.
        let got = ses(LonelyPsu::Remove);
        let want = [
            11.135528725660043,
            0.6550311015094143,
            0.17647058823529413,
            0.49162304464353473,
        ];
        for (g, w) in got.iter().zip(want) {
            close(*g, w);
        }
    }

    #[test]
    fn certainty_gives_the_same_linearisation_variance_as_remove() {
        // options(survey.lonely.psu = "certainty"): onestrat returns crossprod of a zero deviation.
        let (c, r) = (ses(LonelyPsu::Certainty), ses(LonelyPsu::Remove));
        for (a, b) in c.iter().zip(r) {
            close(*a, b);
        }
    }

    #[test]
    fn average_scales_the_other_strata_by_h_over_h_minus_lonely() {
        // options(survey.lonely.psu = "average")
        let got = ses(LonelyPsu::Average);
        let want = [
            13.638181696985855,
            0.8022459821756386,
            0.2161314478926334,
            0.6021128025850874,
        ];
        for (g, w) in got.iter().zip(want) {
            close(*g, w);
        }
    }

    #[test]
    fn adjust_centres_the_single_psu_at_the_grand_mean() {
        // options(survey.lonely.psu = "adjust")
        let got = ses(LonelyPsu::Adjust);
        let want = [
            14.52966314513558,
            0.7166222792030367,
            0.20131748384482848,
            0.49176546151924627,
        ];
        for (g, w) in got.iter().zip(want) {
            close(*g, w);
        }
    }

    #[test]
    fn policies_apply_to_clustered_designs() {
        // d2 <- data.frame(w = c(1,1,2,2,2,2,3,3), y = c(1,2,3,5,4,8,7,9),
        //                  s = c(1,1,1,1,2,2,3,3), c = c(1,2,3,3,1,2,1,1))
        // svytotal(~y, svydesign(ids = ~c, strata = ~s, weights = ~w, data = d2, nest = TRUE))
        let build = |p| {
            Design::builder(vec![1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0])
                .strata(vec![1, 1, 1, 1, 2, 2, 3, 3])
                .clusters(vec![1, 2, 3, 3, 1, 2, 1, 1])
                .lonely_psu(p)
                .build()
                .unwrap()
        };
        let y = [1.0, 2.0, 3.0, 5.0, 4.0, 8.0, 7.0, 9.0];
        for (p, want) in [
            (LonelyPsu::Remove, 16.583123951777),
            (LonelyPsu::Average, 20.310096011589902),
            (LonelyPsu::Adjust, 36.78352590192759),
        ] {
            close(build(p).total(&y, None).unwrap().se, want);
            // The cell-sum shortcut of frequencies must agree with the general path.
            let codes: Vec<u32> = y.iter().map(|&v| (v >= 5.0) as u32).collect();
            let f = build(p).frequencies(&codes, 2, None).unwrap();
            let ind: Vec<f64> = codes.iter().map(|&c| c as f64).collect();
            close(f.totals[1].se, build(p).total(&ind, None).unwrap().se);
        }
    }

    #[test]
    fn policies_use_the_finite_population_correction() {
        // N <- c(10,10,30,30,30,8); svydesign(ids = ~1, strata = ~s, weights = ~w, fpc = ~N, data = d)
        let build = |p| {
            Design::builder(W.to_vec())
                .strata(S.to_vec())
                .fpc(Fpc::PopulationSize(vec![10.0, 10.0, 30.0, 30.0, 30.0, 8.0]))
                .lonely_psu(p)
                .build()
                .unwrap()
        };
        for (p, want) in [
            (LonelyPsu::Remove, 10.488088481701515),
            (LonelyPsu::Average, 12.84523257866513),
            (LonelyPsu::Adjust, 13.646326326972481),
        ] {
            close(build(p).total(&Y, None).unwrap().se, want);
        }
    }

    #[test]
    fn a_certainty_stratum_is_not_lonely_under_fail() {
        // N = 1 for stratum 3: f = 0, so R treats it as self-representing before checking lonely.psu.
        let d = Design::builder(W.to_vec())
            .strata(S.to_vec())
            .fpc(Fpc::PopulationSize(vec![10.0, 10.0, 30.0, 30.0, 30.0, 1.0]))
            .build()
            .unwrap();
        assert!(d.lonely_strata().is_empty());
        close(d.total(&Y, None).unwrap().se, 10.488088481701515);
    }

    #[test]
    fn average_fails_when_every_stratum_is_lonely() {
        let d = Design::builder(vec![1.0, 2.0])
            .strata(vec![1, 2])
            .lonely_psu(LonelyPsu::Average)
            .build()
            .unwrap();
        assert!(matches!(
            d.total(&[1.0, 2.0], None),
            Err(AnalysisError::LonelyPsu { .. })
        ));
    }

    #[test]
    fn fpc_columns_are_read_as_r_as_fpc_reads_them() {
        // A certainty unit (N = 1) beside larger counts: population sizes, over all stages together.
        let got = Fpc::from_stages(vec![vec![1.0, 10.0], vec![5.0, 5.0]]).unwrap();
        assert!(
            matches!(got[0], Fpc::PopulationSize(_)) && matches!(got[1], Fpc::PopulationSize(_))
        );
        // A fully sampled stratum (fraction 1) beside smaller fractions: fractions.
        let got = Fpc::from_stages(vec![vec![1.0, 0.2]]).unwrap();
        assert!(matches!(got[0], Fpc::Fraction(_)));
        // R: "Must have all fpc>=1 or all fpc<=1" for a mixture, and for every value exactly 1.
        assert!(Fpc::from_stages(vec![vec![0.5, 2.0]]).is_err());
        assert!(Fpc::from_stages(vec![vec![0.5], vec![20.0]]).is_err());
        assert!(Fpc::from_stages(vec![vec![1.0, 1.0]]).is_err());
        assert!(Fpc::from_stages(vec![vec![f64::NAN, 2.0]]).is_err());
    }

    #[test]
    fn policy_names_round_trip_as_r_spells_them() {
        for p in LonelyPsu::ALL {
            assert_eq!(p.as_str().parse::<LonelyPsu>().unwrap(), p);
        }
        assert_eq!("Adjust".parse::<LonelyPsu>().unwrap(), LonelyPsu::Adjust);
        assert!("drop".parse::<LonelyPsu>().is_err());
        assert_eq!(LonelyPsu::default(), LonelyPsu::Fail);
    }
}

#[cfg(test)]
mod raking_cells_tests {
    //! The cell-level backfitting of [`RakingCells`] against the per-unit loop it replaced.
    use super::*;
    use crate::{Margin, RakeOptions};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The per-unit backfitting as `residualise` did it before the cell shortcut.
    fn per_unit(margins: &[(Vec<u32>, usize)], w: &[f64], cols: &mut [Vec<f64>]) {
        for z in cols.iter_mut() {
            for _ in 0..10 {
                for (codes, levels) in margins {
                    let mut sum = vec![0.0; *levels];
                    let mut cnt = vec![0usize; *levels];
                    for i in 0..z.len() {
                        if w[i] > 0.0 {
                            sum[codes[i] as usize] += z[i] / w[i];
                        }
                        cnt[codes[i] as usize] += 1;
                    }
                    for i in 0..z.len() {
                        let c = codes[i] as usize;
                        z[i] -= w[i] * sum[c] / cnt[c] as f64;
                    }
                }
            }
        }
    }

    #[test]
    fn raking_residuals_on_cells_equal_the_per_unit_backfitting() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let n = 3_000;
        let levels = [7usize, 4, 2];
        let codes: Vec<Vec<u32>> = levels
            .iter()
            .map(|&k| (0..n).map(|_| rng.gen_range(0..k as u32)).collect())
            .collect();
        let weights: Vec<f64> = (0..n).map(|_| rng.gen_range(0.5..4.0)).collect();
        let strata: Vec<u64> = (0..n).map(|_| rng.gen_range(0..5)).collect();
        let psu: Vec<u64> = (0..n).map(|i| (i / 6) as u64).collect();
        let design = Design::builder(weights)
            .strata(strata)
            .clusters(psu)
            .build()
            .unwrap();
        let margins: Vec<Margin> = codes
            .iter()
            .zip(levels)
            .map(|(c, k)| Margin {
                codes: c.clone(),
                targets: (0..k)
                    .map(|l| 10_000.0 / k as f64 + l as f64 * 3.0)
                    .collect(),
            })
            .map(|mut m| {
                // Every margin must add up to the same population.
                let s: f64 = m.targets.iter().sum();
                m.targets.iter_mut().for_each(|t| *t *= 10_000.0 / s);
                m
            })
            .collect();
        let (raked, _) = design.rake(&margins, RakeOptions::default()).unwrap();
        let cols: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..n).map(|_| rng.gen_range(-5.0..20.0)).collect())
            .collect();

        let mut fast = cols.clone();
        raked.residualise(&mut fast).unwrap();
        let mut slow = cols.clone();
        let pairs: Vec<(Vec<u32>, usize)> = codes.iter().cloned().zip(levels).collect();
        per_unit(&pairs, raked.weights(), &mut slow);
        let scale = cols.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
        for (f, s) in fast.iter().flatten().zip(slow.iter().flatten()) {
            assert!((f - s).abs() <= 1e-12 * scale, "{f} vs {s}");
        }

        // And the variances built on them.
        let v_fast = raked.total_covariance(&cols).unwrap();
        let mut v_slow = {
            let scales = raked.stratum_scales().unwrap();
            let m = slow.len();
            let psu = raked.psu.as_ref().unwrap();
            let mut t = vec![0.0; raked.n_psu * m];
            for (j, c) in slow.iter().enumerate() {
                for (i, &z) in c.iter().enumerate() {
                    t[psu[i] as usize * m + j] += z;
                }
            }
            between_psu_covariance(&t, m, &raked.psu_stratum, &raked.psus_in_stratum, &scales)
        };
        for (f, s) in v_fast.iter().zip(v_slow.iter_mut()) {
            assert!((f - *s).abs() <= 1e-12 * s.abs().max(1e-300), "{f} vs {s}");
        }
    }
}
