//! Weighted ranking of candidate areas over named criteria: min–max normalisation to [0, 1] with each
//! criterion's direction, a weighted sum with weights normalised to sum 1 (simple additive weighting,
//! e.g. Belton & Stewart, *Multiple Criteria Decision Analysis*, 2002, ch. 4), ranks with stable ties.

use crate::error::{AnalysisError, Result};

/// Whether a larger value of a criterion makes an area more or less worth doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Direction {
    /// More is better (need, reach, benefit, feasibility, equity).
    HigherIsBetter,
    /// Less is better (cost, risk).
    LowerIsBetter,
}

/// A named criterion with its direction and (unnormalised, non-negative) weight.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Criterion {
    /// Name, e.g. `need`, `cost`.
    pub name: String,
    /// Direction.
    pub direction: Direction,
    /// Weight; the weights are divided by their sum.
    pub weight: f64,
}

impl Criterion {
    /// A criterion with a name, direction and weight.
    pub fn new(name: &str, direction: Direction, weight: f64) -> Self {
        Criterion {
            name: name.into(),
            direction,
            weight,
        }
    }
}

/// Result of [`rank_areas`]. Vectors over areas are in input order.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ranking {
    /// Criteria weights after normalisation (sum 1).
    pub weights: Vec<f64>,
    /// Per area, per criterion: the normalised value in [0, 1] (1 = best area on that criterion).
    pub normalised: Vec<Vec<f64>>,
    /// Per area, per criterion: weight × normalised value, the bars of a score breakdown.
    pub contributions: Vec<Vec<f64>>,
    /// Per area: the score, Σ contributions, in [0, 1].
    pub scores: Vec<f64>,
    /// Per area: its rank, 1 = best. Equal scores get consecutive ranks in input order.
    pub ranks: Vec<usize>,
    /// Area indices from best to worst.
    pub order: Vec<usize>,
}

/// Check the weights (finite, non-negative, positive sum) and divide them by their sum.
pub(crate) fn normalised_weights(criteria: &[Criterion]) -> Result<Vec<f64>> {
    if criteria.is_empty() {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    for c in criteria {
        if !(c.weight.is_finite() && c.weight >= 0.0) {
            return Err(AnalysisError::InvalidValue(format!(
                "weight of criterion '{}' must be a finite non-negative number, got {}",
                c.name, c.weight
            )));
        }
    }
    let sum: f64 = criteria.iter().map(|c| c.weight).sum();
    if sum <= 0.0 {
        return Err(AnalysisError::InvalidArgument(
            "at least one criterion needs a positive weight".into(),
        ));
    }
    Ok(criteria.iter().map(|c| c.weight / sum).collect())
}

/// Min–max normalise column `j` of the row-major `values` (areas × k) into `out` (same layout).
///
/// When every area has the same value the criterion cannot tell them apart: every area gets 0.5 (neither
/// best nor worst), so the criterion adds the same amount to every score and changes no rank.
fn normalise_column(values: &[f64], k: usize, j: usize, direction: Direction, out: &mut [f64]) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for row in values.chunks_exact(k) {
        lo = lo.min(row[j]);
        hi = hi.max(row[j]);
    }
    let range = hi - lo;
    for (row, o) in values.chunks_exact(k).zip(out.chunks_exact_mut(k)) {
        o[j] = if range > 0.0 {
            match direction {
                Direction::HigherIsBetter => (row[j] - lo) / range,
                Direction::LowerIsBetter => (hi - row[j]) / range,
            }
        } else {
            0.5
        };
    }
}

/// Reusable buffers for scoring many replicates of the same areas × criteria table without allocating.
pub(crate) struct Scorer {
    k: usize,
    weights: Vec<f64>,
    directions: Vec<Direction>,
    normalised: Vec<f64>,
    pub(crate) scores: Vec<f64>,
    order: Vec<usize>,
}

impl Scorer {
    pub(crate) fn new(criteria: &[Criterion], areas: usize) -> Result<Scorer> {
        let k = criteria.len();
        Ok(Scorer {
            k,
            weights: normalised_weights(criteria)?,
            directions: criteria.iter().map(|c| c.direction).collect(),
            normalised: vec![0.0; areas * k],
            scores: vec![0.0; areas],
            order: Vec::with_capacity(areas),
        })
    }

    /// Normalise, score and rank the row-major table `values` (areas × k, finite); writes 1-based
    /// ranks into `ranks`.
    pub(crate) fn rank(&mut self, values: &[f64], ranks: &mut [usize]) {
        let k = self.k;
        for j in 0..k {
            normalise_column(values, k, j, self.directions[j], &mut self.normalised);
        }
        for (s, row) in self.scores.iter_mut().zip(self.normalised.chunks_exact(k)) {
            *s = row.iter().zip(&self.weights).map(|(v, w)| v * w).sum();
        }
        self.order.clear();
        self.order.extend(0..self.scores.len());
        let scores = &self.scores;
        // `sort_by` is stable: areas with equal scores keep their input order.
        self.order.sort_by(|&a, &b| {
            scores[b]
                .partial_cmp(&scores[a])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for (pos, &a) in self.order.iter().enumerate() {
            ranks[a] = pos + 1;
        }
    }
}

/// Check that `values` is areas × criteria of finite numbers and flatten it row-major.
pub(crate) fn flatten(values: &[Vec<f64>], k: usize) -> Result<Vec<f64>> {
    let mut flat = Vec::with_capacity(values.len() * k);
    for (a, row) in values.iter().enumerate() {
        if row.len() != k {
            return Err(AnalysisError::LengthMismatch {
                what: format!("criteria values of area {a}"),
                expected: k,
                got: row.len(),
            });
        }
        if let Some(v) = row.iter().find(|v| !v.is_finite()) {
            return Err(AnalysisError::InvalidValue(format!(
                "criterion value {v} of area {a} is not a finite number"
            )));
        }
        flat.extend_from_slice(row);
    }
    Ok(flat)
}

/// Rank areas by the weighted sum of their min–max normalised criteria.
///
/// `values[a][j]` is area a's raw value on criterion j. Each criterion is rescaled to [0, 1] over the
/// areas (1 = best in its direction; 0.5 for all when the areas are all equal), multiplied by its weight
/// (weights divided by their sum), and summed. Ranks are ordinal: areas with exactly equal scores keep
/// their input order (the earlier area ranks higher), so the same input always gives the same list.
/// An area that is at least as good on every criterion as another is never ranked below it unless their
/// scores are equal, which with positive weights needs equal values on every criterion.
pub fn rank_areas(values: &[Vec<f64>], criteria: &[Criterion]) -> Result<Ranking> {
    if values.is_empty() {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    let k = criteria.len();
    let mut scorer = Scorer::new(criteria, values.len())?;
    let flat = flatten(values, k)?;
    let mut ranks = vec![0; values.len()];
    scorer.rank(&flat, &mut ranks);
    let normalised: Vec<Vec<f64>> = scorer
        .normalised
        .chunks_exact(k)
        .map(<[f64]>::to_vec)
        .collect();
    let contributions = normalised
        .iter()
        .map(|row| {
            row.iter()
                .zip(&scorer.weights)
                .map(|(v, w)| v * w)
                .collect()
        })
        .collect();
    Ok(Ranking {
        weights: scorer.weights.clone(),
        normalised,
        contributions,
        scores: scorer.scores.clone(),
        ranks,
        order: scorer.order.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion::new("need", Direction::HigherIsBetter, 2.0),
            Criterion::new("cost", Direction::LowerIsBetter, 1.0),
        ]
    }

    #[test]
    fn scores_are_the_weighted_sum_of_min_max_normalised_values() {
        // need 10, 20, 30 → 0, 0.5, 1; cost 100, 300, 200 (lower better) → 1, 0, 0.5.
        // weights 2:1 → 2/3, 1/3. Scores: 1/3, 1/3, 5/6.
        let values = vec![vec![10.0, 100.0], vec![20.0, 300.0], vec![30.0, 200.0]];
        let r = rank_areas(&values, &criteria()).unwrap();
        assert_eq!(r.weights, vec![2.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(r.normalised[1], vec![0.5, 0.0]);
        assert!((r.scores[2] - 5.0 / 6.0).abs() < 1e-12);
        assert!((r.scores[0] - 1.0 / 3.0).abs() < 1e-12);
        // Areas 0 and 1 tie at 1/3 (exactly: 2/3·0 + 1/3·1 and 2/3·0.5 + 1/3·0): input order.
        assert_eq!(r.scores[0], r.scores[1]);
        assert_eq!(r.ranks, vec![2, 3, 1]);
        assert_eq!(r.order, vec![2, 0, 1]);
    }

    #[test]
    fn identical_areas_keep_their_input_order() {
        let values = vec![
            vec![5.0, 1.0],
            vec![7.0, 1.0],
            vec![5.0, 1.0],
            vec![5.0, 1.0],
        ];
        let r = rank_areas(&values, &criteria()).unwrap();
        assert_eq!(r.order, vec![1, 0, 2, 3]);
        assert_eq!(r.ranks, vec![2, 1, 3, 4]);
    }

    #[test]
    fn a_criterion_on_which_all_areas_are_equal_gives_one_half_and_moves_no_rank() {
        let values = vec![vec![5.0, 9.0], vec![7.0, 9.0], vec![6.0, 9.0]];
        let r = rank_areas(&values, &criteria()).unwrap();
        assert!(r.normalised.iter().all(|row| row[1] == 0.5));
        assert_eq!(r.order, vec![1, 2, 0]);
    }

    #[test]
    fn weights_are_normalised_so_their_scale_does_not_matter() {
        let values = vec![vec![1.0, 3.0], vec![2.0, 1.0], vec![3.0, 2.0]];
        let mut scaled = criteria();
        scaled.iter_mut().for_each(|c| c.weight *= 7.5);
        let a = rank_areas(&values, &criteria()).unwrap();
        let b = rank_areas(&values, &scaled).unwrap();
        assert_eq!(a.ranks, b.ranks);
        assert!((b.weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn identical_inputs_give_identical_output() {
        let values = vec![vec![1.0, 3.0], vec![2.0, 1.0], vec![2.0, 1.0]];
        assert_eq!(
            rank_areas(&values, &criteria()).unwrap(),
            rank_areas(&values, &criteria()).unwrap()
        );
    }

    #[test]
    fn bad_inputs_are_refused_with_a_reason() {
        let c = criteria();
        assert!(matches!(
            rank_areas(&[vec![1.0]], &c),
            Err(AnalysisError::LengthMismatch { .. })
        ));
        assert!(matches!(
            rank_areas(&[vec![f64::NAN, 1.0]], &c),
            Err(AnalysisError::InvalidValue(_))
        ));
        let mut zero = c.clone();
        zero.iter_mut().for_each(|c| c.weight = 0.0);
        assert!(matches!(
            rank_areas(&[vec![1.0, 1.0]], &zero),
            Err(AnalysisError::InvalidArgument(_))
        ));
        let mut negative = c;
        negative[0].weight = -1.0;
        assert!(matches!(
            rank_areas(&[vec![1.0, 1.0]], &negative),
            Err(AnalysisError::InvalidValue(_))
        ));
    }

    proptest! {
        #[test]
        fn a_dominated_area_never_outranks_its_dominator(
            rows in prop::collection::vec(prop::collection::vec(0u8..20, 3), 2..12),
            weights in prop::collection::vec(1u8..10, 3),
            better in prop::collection::vec(0u8..3, 3),
            strict in 0usize..3,
            pick in 0usize..100,
        ) {
            let dirs = [Direction::HigherIsBetter, Direction::LowerIsBetter, Direction::HigherIsBetter];
            let criteria: Vec<Criterion> = (0..3)
                .map(|j| Criterion::new(&format!("c{j}"), dirs[j], f64::from(weights[j])))
                .collect();
            let mut values: Vec<Vec<f64>> = rows
                .iter()
                .map(|r| r.iter().map(|&v| f64::from(v)).collect())
                .collect();
            // Append a dominator of area `pick`: at least as good everywhere, strictly better on one.
            let base = values[pick % values.len()].clone();
            let dominator: Vec<f64> = (0..3)
                .map(|j| {
                    let step = f64::from(better[j]) + if j == strict { 1.0 } else { 0.0 };
                    match dirs[j] {
                        Direction::HigherIsBetter => base[j] + step,
                        Direction::LowerIsBetter => base[j] - step,
                    }
                })
                .collect();
            // Put the dominator first or last so ties could not hide a violation either way.
            let first = pick % 2 == 0;
            let dominated = pick % values.len() + usize::from(first);
            if first { values.insert(0, dominator) } else { values.push(dominator) }
            let dom = if first { 0 } else { values.len() - 1 };
            let r = rank_areas(&values, &criteria).unwrap();
            prop_assert!(r.ranks[dom] < r.ranks[dominated]);
            prop_assert!(r.scores[dom] > r.scores[dominated]);
        }
    }
}
