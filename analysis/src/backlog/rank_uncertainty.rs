//! Rank uncertainty of the backlog by a bootstrap that respects the survey design: PSUs are resampled
//! within strata with the Rao–Wu rescaling (m_h = n_h − 1; Rao & Wu 1988, Rao, Wu & Yue 1992; R
//! `as.svrepdesign(type = "subbootstrap")`), each replicate recomputes the survey-derived criteria of
//! every area and the whole ranking, and each area gets a percentile rank interval, its median rank
//! and P(in top k). Replicate b uses the same draw as [`Design::bootstrap_ratio`] with the same seed.
//!
//! Cost: each survey measure is a function of ratios of weighted sums Σ_{i∈rows} w_i·v_i. The sums are
//! first reduced to PSU totals (one pass over the data), identical columns are merged (every area's
//! "all respondents" denominator becomes one column), zero totals are dropped (an area's columns are
//! non-zero only for respondents who had the errand) and columns over the same PSUs are stored together.
//! A replicate total is then Σ_p m_bp·t_p over the column's PSUs: a sparse matrix product computed for
//! 16 replicates at a time (a PSU's 16 multipliers sit in two adjacent cache lines, so each value read
//! is used 16 times), over tiles of 2,048 PSUs (the tile's multipliers stay in cache while every block
//! streams its rows), with the replicates split over threads.

use std::collections::HashMap;

use super::ranking::{rank_areas, Criterion, Ranking, Scorer};
use crate::bootstrap::MultiplierStream;
use crate::design::Design;
use crate::error::{AnalysisError, Result};
use crate::priority::opportunity_score;

/// A weighted sum over respondents, Σ_{i ∈ rows} w_i · v_i, with the design's weights w.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeightedSum {
    /// Respondent indices (into the design); `None` = every respondent. Leave out respondents for whom
    /// the value is missing. A row listed twice counts twice.
    pub rows: Option<Vec<u32>>,
    /// Values, one per listed row; `None` = 1 for every listed row (a weighted count).
    pub values: Option<Vec<f64>>,
}

impl WeightedSum {
    /// Σ w over every respondent (the denominator of a share of all respondents).
    pub fn all() -> Self {
        WeightedSum::default()
    }

    /// Σ w over the listed respondents (a weighted count).
    pub fn count(rows: Vec<u32>) -> Self {
        WeightedSum {
            rows: Some(rows),
            values: None,
        }
    }

    /// Σ w·v over the listed respondents.
    pub fn sum(rows: Vec<u32>, values: Vec<f64>) -> Self {
        WeightedSum {
            rows: Some(rows),
            values: Some(values),
        }
    }
}

/// A ratio of weighted sums: a share, a mean (denominator = count of the same rows) or a ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// Numerator.
    pub numerator: WeightedSum,
    /// Denominator.
    pub denominator: WeightedSum,
}

impl Ratio {
    /// Weighted mean of `values` over `rows`.
    pub fn mean(rows: Vec<u32>, values: Vec<f64>) -> Self {
        Ratio {
            numerator: WeightedSum::sum(rows.clone(), values),
            denominator: WeightedSum::count(rows),
        }
    }

    /// Weighted share of all respondents that are in `rows`.
    pub fn share_of_all(rows: Vec<u32>) -> Self {
        Ratio {
            numerator: WeightedSum::count(rows),
            denominator: WeightedSum::all(),
        }
    }
}

/// How a survey measure is computed from its ratios r_0, r_1, ….
#[derive(Debug, Clone, Copy)]
pub enum Combine {
    /// r_0 (a share or mean).
    Ratio,
    /// Opportunity score r_0 + max(r_0 − r_1, 0) with r_0 importance, r_1 satisfaction (Ulwick 2002).
    OpportunityScore,
    /// r_0 − r_1 (e.g. a group's share minus the rest's, for equity gaps).
    Difference,
    /// Any function of the ratios (must be finite where the ratios are).
    Custom(fn(&[f64]) -> f64),
}

impl Combine {
    fn arity_ok(self, n: usize) -> bool {
        match self {
            Combine::Ratio => n == 1,
            Combine::OpportunityScore | Combine::Difference => n == 2,
            Combine::Custom(_) => n >= 1,
        }
    }

    fn apply(self, r: &[f64]) -> f64 {
        match self {
            Combine::Ratio => r[0],
            Combine::OpportunityScore => opportunity_score(r[0], r[1]),
            Combine::Difference => r[0] - r[1],
            Combine::Custom(f) => f(r),
        }
    }
}

/// A survey-derived criterion value of one area.
#[derive(Debug, Clone)]
pub struct SurveyMeasure {
    /// The ratios the measure is computed from.
    pub ratios: Vec<Ratio>,
    /// How.
    pub combine: Combine,
}

/// Where one area's value on one criterion comes from.
#[derive(Debug, Clone)]
pub enum CriterionSource {
    /// A figure that does not come from the survey (cost, feasibility, benefit): the same in every replicate.
    Fixed(f64),
    /// A measure recomputed from the survey in every replicate.
    Survey(SurveyMeasure),
}

/// Settings of [`rank_uncertainty`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RankUncertaintyOptions {
    /// Bootstrap replicates (issue 14 asks for at least 1,000).
    pub replicates: usize,
    /// Seed; the same seed, data and settings give the same result whatever `threads` is.
    pub seed: u64,
    /// Coverage of the percentile rank interval, e.g. 0.9.
    pub level: f64,
    /// The k of P(in top k).
    pub top_k: usize,
    /// Worker threads for the replicates (at least 1).
    pub threads: usize,
}

impl Default for RankUncertaintyOptions {
    fn default() -> Self {
        RankUncertaintyOptions {
            replicates: 1000,
            seed: 14,
            level: 0.9,
            top_k: 5,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// The rank uncertainty of one area.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AreaRankUncertainty {
    /// Rank on the full sample.
    pub rank: usize,
    /// Score on the full sample.
    pub score: f64,
    /// Median rank over the replicates (the lower median: an actual rank).
    pub median_rank: usize,
    /// Lower end of the percentile rank interval (best rank).
    pub rank_low: usize,
    /// Upper end (worst rank).
    pub rank_high: usize,
    /// Mean rank over the replicates.
    pub mean_rank: f64,
    /// Share of replicates in which the area ranks in the top k.
    pub p_top_k: f64,
    /// Replicates per rank: `rank_counts[r − 1]` replicates put the area at rank r.
    pub rank_counts: Vec<u32>,
}

/// Result of [`rank_uncertainty`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RankUncertainty {
    /// Each area's criterion values on the full sample (fixed and survey-derived).
    pub values: Vec<Vec<f64>>,
    /// The full-sample ranking.
    pub estimate: Ranking,
    /// Per area, in input order.
    pub areas: Vec<AreaRankUncertainty>,
    /// Replicates drawn.
    pub replicates: usize,
    /// Replicates in which some survey measure was not finite (e.g. an area with few respondents
    /// whose PSUs were all left out): they are left out of every area's summary.
    pub dropped_replicates: usize,
    /// Seed used.
    pub seed: u64,
    /// Interval coverage.
    pub level: f64,
    /// k of `p_top_k`.
    pub top_k: usize,
}

/// Replicates per kernel pass: a PSU's multipliers for 16 replicates fill two adjacent cache lines, and
/// every column value read from memory is used 16 times.
const LANES: usize = 16;

/// PSUs per tile: a tile's multipliers (2,048 × 128 bytes) stay in the L2 cache while every block
/// streams its rows for that tile.
const TILE: usize = 2048;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Lane([f64; LANES]);

const ZERO: Lane = Lane([0.0; LANES]);

/// Columns (PSU totals) that are non-zero on the same PSUs, stored row-major (PSU × column).
struct Block {
    psus: Vec<u32>,
    cols: Vec<usize>,
    vals: Vec<f64>,
    /// Row where each PSU tile starts (tiles + 1 entries).
    tile_start: Vec<usize>,
}

/// The distinct PSU-total columns of all measures, grouped into blocks.
struct Columns {
    blocks: Vec<Block>,
    n: usize,
    full: Vec<f64>,
}

/// A cheap 64-bit fingerprint of a column (FxHash-style multiply–rotate); equal fingerprints are
/// confirmed by comparing the columns, so a collision costs time, never correctness.
fn fingerprint(psus: &[u32], totals: &[f64]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = psus.len() as u64;
    for &p in psus {
        h = (h.rotate_left(5) ^ u64::from(p)).wrapping_mul(K);
    }
    for &t in totals {
        h = (h.rotate_left(5) ^ t.to_bits()).wrapping_mul(K);
    }
    h
}

/// Reduces weighted sums to sparse PSU totals and merges identical ones.
struct Builder<'a> {
    design: &'a Design,
    acc: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    index: HashMap<u64, Vec<usize>>,
    columns: Vec<(Vec<u32>, Vec<f64>)>,
    all: Option<usize>,
}

impl<'a> Builder<'a> {
    fn new(design: &'a Design) -> Self {
        Builder {
            design,
            acc: vec![0.0; design.n_psu],
            seen: vec![false; design.n_psu],
            touched: Vec::new(),
            index: HashMap::new(),
            columns: Vec::new(),
            all: None,
        }
    }

    /// The column id of Σ w·v, after checking the rows and values.
    fn column(&mut self, s: &WeightedSum) -> Result<usize> {
        let n = self.design.len();
        let is_all = s.rows.is_none() && s.values.is_none();
        if is_all {
            if let Some(id) = self.all {
                return Ok(id);
            }
        }
        let len = s.rows.as_ref().map_or(n, Vec::len);
        if let Some(v) = &s.values {
            if v.len() != len {
                return Err(AnalysisError::LengthMismatch {
                    what: "values of a weighted sum".into(),
                    expected: len,
                    got: v.len(),
                });
            }
            if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                return Err(AnalysisError::InvalidValue(format!(
                    "value {x} in a weighted sum is not finite (leave missing respondents out of the rows)"
                )));
            }
        }
        for j in 0..len {
            let i = match &s.rows {
                Some(r) => r[j] as usize,
                None => j,
            };
            if i >= n {
                return Err(AnalysisError::InvalidValue(format!(
                    "respondent index {i} is outside the design's {n} respondents"
                )));
            }
            let v = s.values.as_ref().map_or(1.0, |v| v[j]);
            let p = self.design.psu.as_ref().map_or(i, |p| p[i] as usize);
            if !self.seen[p] {
                self.seen[p] = true;
                self.touched.push(p as u32);
            }
            self.acc[p] += self.design.weights[i] * v;
        }
        self.touched.sort_unstable();
        let mut psus = Vec::with_capacity(self.touched.len());
        let mut totals = Vec::with_capacity(self.touched.len());
        for &p in &self.touched {
            let t = self.acc[p as usize];
            if t != 0.0 {
                psus.push(p);
                totals.push(t);
            }
            self.acc[p as usize] = 0.0;
            self.seen[p as usize] = false;
        }
        self.touched.clear();
        let ids = self.index.entry(fingerprint(&psus, &totals)).or_default();
        let same = |&&id: &&usize| {
            let (p, t) = &self.columns[id];
            *p == psus
                && t.iter()
                    .zip(&totals)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        };
        let id = match ids.iter().find(same) {
            Some(&id) => id,
            None => {
                let id = self.columns.len();
                ids.push(id);
                self.columns.push((psus, totals));
                id
            }
        };
        if is_all {
            self.all = Some(id);
        }
        Ok(id)
    }

    fn finish(self) -> Columns {
        let n = self.columns.len();
        let n_psu = self.design.n_psu;
        let full: Vec<f64> = self
            .columns
            .iter()
            .map(|(_, t)| t.iter().sum::<f64>())
            .collect();
        // Group the columns by their PSU list.
        let mut by_support: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (id, (psus, _)) in self.columns.iter().enumerate() {
            let candidates = by_support.entry(fingerprint(psus, &[])).or_default();
            match candidates
                .iter()
                .find(|&&b| self.columns[members[b][0]].0 == *psus)
            {
                Some(&b) => members[b].push(id),
                None => {
                    candidates.push(members.len());
                    members.push(vec![id]);
                }
            }
        }
        let tiles = n_psu.div_ceil(TILE);
        let blocks = members
            .into_iter()
            .map(|cols| {
                let psus = self.columns[cols[0]].0.clone();
                let k = cols.len();
                let mut vals = vec![0.0; psus.len() * k];
                for (c, &id) in cols.iter().enumerate() {
                    for (j, &t) in self.columns[id].1.iter().enumerate() {
                        vals[j * k + c] = t;
                    }
                }
                let tile_start = (0..=tiles)
                    .map(|t| psus.partition_point(|&p| (p as usize) < t * TILE))
                    .collect();
                Block {
                    psus,
                    cols,
                    vals,
                    tile_start,
                }
            })
            .collect();
        Columns { blocks, n, full }
    }
}

/// Replicate totals of every column, replicate-major (B × columns). Replicate b draws its PSU
/// multipliers from stream b of `seed` exactly as [`Design::bootstrap_ratio`] does, so the result does
/// not depend on `threads`.
fn replicate_totals(
    design: &Design,
    cols: &Columns,
    replicates: usize,
    seed: u64,
    threads: usize,
) -> Result<Vec<f64>> {
    let psus = design.psus_by_stratum()?;
    let u = cols.n;
    let mut out = vec![0.0; replicates * u];
    if u == 0 {
        return Ok(out);
    }
    // Where each block's columns sit in the accumulator.
    let mut offsets = Vec::with_capacity(cols.blocks.len());
    let mut width = 0;
    for b in &cols.blocks {
        offsets.push(width);
        width += b.cols.len();
    }
    let groups = replicates.div_ceil(LANES);
    let threads = threads.max(1).min(groups);
    // Whole groups per thread, so a group never straddles two threads.
    let per_thread = groups.div_ceil(threads) * LANES;
    let tiles = design.n_psu.div_ceil(TILE);
    std::thread::scope(|s| {
        for (t, slot) in out.chunks_mut(per_thread * u).enumerate() {
            let (psus, offsets) = (&psus, &offsets);
            s.spawn(move || {
                let first = t * per_thread;
                let count = slot.len() / u;
                let mut m = vec![ZERO; design.n_psu];
                let mut acc = vec![ZERO; width];
                for g in (0..count).step_by(LANES) {
                    let lanes = LANES.min(count - g);
                    // Stratum by stratum for all lanes, so the stratum's multipliers stay in cache;
                    // each lane's stream still draws its strata in order (the same replicate).
                    let mut streams: Vec<MultiplierStream> = (0..lanes)
                        .map(|r| MultiplierStream::new(seed, (first + g + r) as u64))
                        .collect();
                    for units in psus {
                        for &p in units {
                            m[p as usize] = ZERO;
                        }
                        for (r, stream) in streams.iter_mut().enumerate() {
                            stream.stratum(units, |p, x| m[p].0[r] += x);
                        }
                    }
                    acc.fill(ZERO);
                    for tile in 0..tiles {
                        for (block, &off) in cols.blocks.iter().zip(offsets) {
                            let rows = block.tile_start[tile]..block.tile_start[tile + 1];
                            let k = block.cols.len();
                            accumulate(
                                &block.psus[rows.clone()],
                                &block.vals[rows.start * k..rows.end * k],
                                &m,
                                &mut acc[off..off + k],
                            );
                        }
                    }
                    for (block, &off) in cols.blocks.iter().zip(offsets) {
                        for (c, &col) in block.cols.iter().enumerate() {
                            for r in 0..lanes {
                                slot[(g + r) * u + col] = acc[off + c].0[r];
                            }
                        }
                    }
                }
            });
        }
    });
    Ok(out)
}

/// acc[c][r] += Σ_j vals[j][c] · m[psus[j]][r] for the rows of one block in one tile. One column at a
/// time, so its 16 running sums stay in registers (the tile's rows are in cache for the next column).
#[inline]
fn accumulate(psus: &[u32], vals: &[f64], m: &[Lane], acc: &mut [Lane]) {
    let k = acc.len();
    for (c, out) in acc.iter_mut().enumerate() {
        let mut a = out.0;
        for (&p, row) in psus.iter().zip(vals.chunks_exact(k)) {
            let v = row[c];
            let mp = &m[p as usize].0;
            for r in 0..LANES {
                a[r] += v * mp[r];
            }
        }
        out.0 = a;
    }
}

/// A survey measure as column ids.
struct MeasureCols {
    ratios: Vec<(usize, usize)>,
    combine: Combine,
}

impl MeasureCols {
    fn value(&self, totals: &[f64], buf: &mut Vec<f64>) -> f64 {
        buf.clear();
        buf.extend(self.ratios.iter().map(|&(n, d)| totals[n] / totals[d]));
        self.combine.apply(buf)
    }
}

/// Type-1 (inverse empirical distribution) quantile of sorted integer ranks: always an actual rank.
fn quantile(sorted: &[u32], p: f64) -> usize {
    let m = sorted.len();
    let pos = ((p * m as f64) - 1e-9).ceil().max(1.0) as usize;
    sorted[pos.min(m) - 1] as usize
}

/// Rank the areas on the full sample and by `options.replicates` design-based bootstrap replicates.
///
/// `areas[a][j]` gives area a's value on `criteria[j]`: fixed, or a survey measure over respondents of
/// `design`. In each replicate the survey measures are recomputed with the replicate weights, the
/// fixed values kept, and the areas ranked exactly as [`rank_areas`] does (min–max normalisation over
/// the replicate's values, weighted sum, stable ties). The rank interval is the percentile interval at
/// `options.level` (type-1 quantiles, so its ends are ranks that occurred); P(top k) is the share of
/// replicates with rank ≤ k. Areas whose scores are exactly equal in a replicate take the tie rule's
/// order there (the earlier area ranks higher), so two areas with identical data do not share.
/// Like [`Design::bootstrap`], there is no finite-population correction and a stratum with a single
/// PSU is refused.
pub fn rank_uncertainty(
    design: &Design,
    criteria: &[Criterion],
    areas: &[Vec<CriterionSource>],
    options: &RankUncertaintyOptions,
) -> Result<RankUncertainty> {
    if areas.is_empty() {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    if options.replicates < 2 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: options.replicates,
        });
    }
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(AnalysisError::InvalidArgument(format!(
            "interval level must lie strictly between 0 and 1, got {}",
            options.level
        )));
    }
    let k = criteria.len();
    let mut builder = Builder::new(design);
    let mut measures: Vec<(usize, MeasureCols)> = Vec::new();
    let mut fixed = vec![0.0; areas.len() * k];
    for (a, row) in areas.iter().enumerate() {
        if row.len() != k {
            return Err(AnalysisError::LengthMismatch {
                what: format!("criteria of area {a}"),
                expected: k,
                got: row.len(),
            });
        }
        for (j, src) in row.iter().enumerate() {
            match src {
                CriterionSource::Fixed(v) => fixed[a * k + j] = *v,
                CriterionSource::Survey(m) => {
                    if !m.combine.arity_ok(m.ratios.len()) {
                        return Err(AnalysisError::InvalidArgument(format!(
                            "area {a}, criterion '{}': {:?} cannot combine {} ratios",
                            criteria[j].name,
                            m.combine,
                            m.ratios.len()
                        )));
                    }
                    let ratios = m
                        .ratios
                        .iter()
                        .map(|r| {
                            Ok((
                                builder.column(&r.numerator)?,
                                builder.column(&r.denominator)?,
                            ))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    measures.push((
                        a * k + j,
                        MeasureCols {
                            ratios,
                            combine: m.combine,
                        },
                    ));
                }
            }
        }
    }
    let cols = builder.finish();
    let mut buf = Vec::new();
    let mut values = fixed.clone();
    for (at, m) in &measures {
        values[*at] = m.value(&cols.full, &mut buf);
        if !values[*at].is_finite() {
            return Err(AnalysisError::InvalidValue(format!(
                "area {}, criterion '{}': the survey measure is not finite on the full sample (no respondents?)",
                at / k,
                criteria[at % k].name
            )));
        }
    }
    let table: Vec<Vec<f64>> = values.chunks_exact(k.max(1)).map(<[f64]>::to_vec).collect();
    let estimate = rank_areas(&table, criteria)?;

    let b = options.replicates;
    let totals = replicate_totals(design, &cols, b, options.seed, options.threads)?;
    let n_areas = areas.len();
    let mut scorer = Scorer::new(criteria, n_areas)?;
    let mut ranks = vec![0usize; n_areas];
    let mut by_area: Vec<Vec<u32>> = vec![Vec::with_capacity(b); n_areas];
    let mut dropped = 0;
    let mut rep_values = fixed;
    for rep in 0..b {
        let t = &totals[rep * cols.n..(rep + 1) * cols.n];
        let mut finite = true;
        for (at, m) in &measures {
            let v = m.value(t, &mut buf);
            finite &= v.is_finite();
            rep_values[*at] = v;
        }
        if !finite {
            dropped += 1;
            continue;
        }
        scorer.rank(&rep_values, &mut ranks);
        for (dst, &r) in by_area.iter_mut().zip(&ranks) {
            dst.push(r as u32);
        }
    }
    let used = b - dropped;
    if used < 2 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: used,
        });
    }
    let alpha = (1.0 - options.level) / 2.0;
    let summaries = by_area
        .into_iter()
        .enumerate()
        .map(|(a, mut r)| {
            r.sort_unstable();
            let mut rank_counts = vec![0u32; n_areas];
            for &x in &r {
                rank_counts[x as usize - 1] += 1;
            }
            AreaRankUncertainty {
                rank: estimate.ranks[a],
                score: estimate.scores[a],
                median_rank: quantile(&r, 0.5),
                rank_low: quantile(&r, alpha),
                rank_high: quantile(&r, 1.0 - alpha),
                mean_rank: r.iter().map(|&x| f64::from(x)).sum::<f64>() / used as f64,
                p_top_k: r.iter().filter(|&&x| x as usize <= options.top_k).count() as f64
                    / used as f64,
                rank_counts,
            }
        })
        .collect();
    Ok(RankUncertainty {
        values: table,
        estimate,
        areas: summaries,
        replicates: b,
        dropped_replicates: dropped,
        seed: options.seed,
        level: options.level,
        top_k: options.top_k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backlog::ranking::Direction;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// 600 respondents in 6 strata of 100, each its own PSU, weights 1–3.
    fn design() -> Design {
        let n = 600;
        let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        Design::builder(w)
            .strata((0..n as u64).map(|i| i / 100).collect())
            .build()
            .unwrap()
    }

    fn opts(top_k: usize) -> RankUncertaintyOptions {
        RankUncertaintyOptions {
            replicates: 1000,
            seed: 7,
            level: 0.9,
            top_k,
            threads: 2,
        }
    }

    fn survey_mean(rows: Vec<u32>, values: Vec<f64>) -> CriterionSource {
        CriterionSource::Survey(SurveyMeasure {
            ratios: vec![Ratio::mean(rows, values)],
            combine: Combine::Ratio,
        })
    }

    /// Random 0/1 answers for the respondents in `rows` with probability p.
    fn answers(rows: &[u32], p: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rows.iter()
            .map(|_| f64::from(u8::from(rng.gen_bool(p))))
            .collect()
    }

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion::new("need", Direction::HigherIsBetter, 2.0),
            Criterion::new("cost", Direction::LowerIsBetter, 1.0),
        ]
    }

    #[test]
    fn an_area_far_ahead_always_ranks_first() {
        let all: Vec<u32> = (0..600).collect();
        let areas = vec![
            vec![
                survey_mean(all.clone(), answers(&all, 0.3, 1)),
                CriterionSource::Fixed(10.0),
            ],
            vec![
                survey_mean(all.clone(), answers(&all, 0.9, 2)),
                CriterionSource::Fixed(1.0),
            ],
            vec![
                survey_mean(all.clone(), answers(&all, 0.35, 3)),
                CriterionSource::Fixed(9.0),
            ],
        ];
        let r = rank_uncertainty(&design(), &criteria(), &areas, &opts(1)).unwrap();
        let ahead = &r.areas[1];
        assert_eq!(ahead.rank, 1);
        assert_eq!(ahead.p_top_k, 1.0);
        assert_eq!(
            (ahead.rank_low, ahead.median_rank, ahead.rank_high),
            (1, 1, 1)
        );
        assert_eq!(ahead.rank_counts[0], 1000);
        assert_eq!(r.areas[0].p_top_k + r.areas[2].p_top_k, 0.0);
        assert!(r.areas[0].rank_low >= 2 && r.areas[2].rank_low >= 2);
    }

    #[test]
    fn two_exchangeable_areas_share_the_top_rank_about_equally() {
        // Areas 0 and 1 measure the same 40% share on two disjoint halves of every stratum; area 2 trails.
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..600u32 {
            if i % 2 == 0 {
                a.push(i)
            } else {
                b.push(i)
            }
        }
        let ya: Vec<f64> = (0..a.len())
            .map(|j| f64::from(u8::from(j % 5 < 2)))
            .collect();
        let areas = vec![
            vec![
                survey_mean(a.clone(), ya.clone()),
                CriterionSource::Fixed(1.0),
            ],
            vec![
                survey_mean(b.clone(), ya.clone()),
                CriterionSource::Fixed(1.0),
            ],
            vec![
                survey_mean(a.clone(), vec![0.0; a.len()]),
                CriterionSource::Fixed(1.0),
            ],
        ];
        let r = rank_uncertainty(&design(), &criteria(), &areas, &opts(1)).unwrap();
        let (p0, p1) = (r.areas[0].p_top_k, r.areas[1].p_top_k);
        assert!((p0 + p1 - 1.0).abs() < 1e-12);
        // Monte Carlo SE of a share near 0.5 over 1,000 replicates is 0.016.
        assert!((p0 - 0.5).abs() < 0.08, "P(top 1) = {p0}, {p1}");
        assert_eq!(r.areas[2].rank_low, 3);
    }

    #[test]
    fn areas_with_constant_answers_have_degenerate_intervals() {
        // Every respondent gives the area's value, so every replicate's weighted mean equals it.
        let all: Vec<u32> = (0..600).collect();
        let areas: Vec<Vec<CriterionSource>> = [0.2, 0.7, 0.5]
            .iter()
            .map(|&v| {
                vec![
                    survey_mean(all.clone(), vec![v; 600]),
                    CriterionSource::Fixed(1.0),
                ]
            })
            .collect();
        let r = rank_uncertainty(&design(), &criteria(), &areas, &opts(2)).unwrap();
        for (area, want) in r.areas.iter().zip([3, 1, 2]) {
            assert_eq!(
                (area.rank, area.rank_low, area.rank_high),
                (want, want, want)
            );
            assert_eq!(area.p_top_k, if want <= 2 { 1.0 } else { 0.0 });
        }
    }

    #[test]
    fn exactly_tied_areas_follow_the_stable_tie_rule_in_every_replicate() {
        let all: Vec<u32> = (0..600).collect();
        let y = answers(&all, 0.5, 9);
        let areas = vec![
            vec![
                survey_mean(all.clone(), y.clone()),
                CriterionSource::Fixed(1.0),
            ],
            vec![survey_mean(all.clone(), y), CriterionSource::Fixed(1.0)],
        ];
        let r = rank_uncertainty(&design(), &criteria(), &areas, &opts(1)).unwrap();
        assert_eq!(r.areas[0].p_top_k, 1.0);
        assert_eq!(r.areas[1].rank_low, 2);
    }

    #[test]
    fn replicate_measures_equal_the_design_bootstrap_of_the_same_ratio() {
        let d = design();
        let rows: Vec<u32> = (0..600).filter(|i| i % 3 != 0).collect();
        let y = answers(&rows, 0.4, 11);
        let mut builder = Builder::new(&d);
        let num = builder
            .column(&WeightedSum::sum(rows.clone(), y.clone()))
            .unwrap();
        let den = builder.column(&WeightedSum::count(rows.clone())).unwrap();
        let cols = builder.finish();
        let totals = replicate_totals(&d, &cols, 50, 3, 2).unwrap();
        // The same ratio as dense columns with NaN where the respondent is not listed.
        let mut yn = vec![f64::NAN; 600];
        let mut xn = vec![f64::NAN; 600];
        for (&i, &v) in rows.iter().zip(&y) {
            yn[i as usize] = v;
            xn[i as usize] = 1.0;
        }
        let reference = d.bootstrap_ratio(&yn, &xn, 50, 3, 0.9).unwrap();
        for (b, want) in reference.replicates.iter().enumerate() {
            let got = totals[b * cols.n + num] / totals[b * cols.n + den];
            assert!((got - want).abs() < 1e-12, "replicate {b}: {got} vs {want}");
        }
        assert!((cols.full[num] / cols.full[den] - reference.estimate).abs() < 1e-12);
    }

    #[test]
    fn the_result_depends_on_the_seed_only_not_on_the_threads() {
        let all: Vec<u32> = (0..600).collect();
        let areas: Vec<Vec<CriterionSource>> = (0..5)
            .map(|a| {
                vec![
                    survey_mean(all.clone(), answers(&all, 0.4 + 0.01 * a as f64, a)),
                    CriterionSource::Fixed(1.0 + a as f64 * 0.1),
                ]
            })
            .collect();
        let mut o = opts(2);
        let one = rank_uncertainty(&design(), &criteria(), &areas, &o).unwrap();
        o.threads = 3;
        let three = rank_uncertainty(&design(), &criteria(), &areas, &o).unwrap();
        assert_eq!(one, three);
        o.seed = 8;
        let other = rank_uncertainty(&design(), &criteria(), &areas, &o).unwrap();
        assert_ne!(one.areas, other.areas);
        assert_eq!(one.estimate, other.estimate);
    }

    #[test]
    fn identical_all_respondent_denominators_are_accumulated_once() {
        let d = design();
        let mut builder = Builder::new(&d);
        let a = builder.column(&WeightedSum::all()).unwrap();
        let b = builder
            .column(&WeightedSum::count((0..600).collect()))
            .unwrap();
        let c = builder.column(&WeightedSum::count(vec![1, 2])).unwrap();
        let e = builder
            .column(&WeightedSum::sum(vec![1, 2, 3], vec![1.0, 1.0, 0.0]))
            .unwrap();
        assert_eq!(a, b);
        // A zero value adds nothing, so {1, 2} with a zero at 3 is the same column as {1, 2}.
        assert_eq!(c, e);
        assert_eq!(builder.finish().n, 2);
    }

    #[test]
    fn bad_measures_are_refused_with_a_reason() {
        let d = design();
        let bad_row = vec![vec![
            survey_mean(vec![600], vec![1.0]),
            CriterionSource::Fixed(1.0),
        ]];
        assert!(matches!(
            rank_uncertainty(&d, &criteria(), &bad_row, &opts(1)),
            Err(AnalysisError::InvalidValue(_))
        ));
        let bad_arity = vec![vec![
            CriterionSource::Survey(SurveyMeasure {
                ratios: vec![Ratio::share_of_all(vec![1, 2])],
                combine: Combine::OpportunityScore,
            }),
            CriterionSource::Fixed(1.0),
        ]];
        assert!(matches!(
            rank_uncertainty(&d, &criteria(), &bad_arity, &opts(1)),
            Err(AnalysisError::InvalidArgument(_))
        ));
        let empty = vec![vec![
            survey_mean(vec![], vec![]),
            CriterionSource::Fixed(1.0),
        ]];
        assert!(matches!(
            rank_uncertainty(&d, &criteria(), &empty, &opts(1)),
            Err(AnalysisError::InvalidValue(_))
        ));
    }
}
