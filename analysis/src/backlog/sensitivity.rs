//! One-at-a-time sensitivity of the ranking to the criteria weights: each weight is multiplied by each
//! factor (by default ×0.5 and ×1.5) with the others renormalised, the areas re-ranked, and the largest
//! rank move and the areas that stay in the top k under every variation reported (one-way sensitivity
//! analysis; e.g. Triantaphyllou & Sánchez 1997, Decision Sciences 28(1)).

use super::ranking::{flatten, rank_areas, Criterion, Scorer};
use crate::error::{AnalysisError, Result};

/// The variations of issue 14: each weight −50% and +50%.
pub const DEFAULT_FACTORS: [f64; 2] = [0.5, 1.5];

/// The ranking under one changed weight.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WeightVariation {
    /// Index of the criterion whose weight changed.
    pub criterion: usize,
    /// The factor it was multiplied by.
    pub factor: f64,
    /// All weights after the change, renormalised to sum 1.
    pub weights: Vec<f64>,
    /// Rank of each area (input order), 1 = best.
    pub ranks: Vec<usize>,
}

/// Result of [`sensitivity`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sensitivity {
    /// Ranks with the weights as given.
    pub base_ranks: Vec<usize>,
    /// One entry per criterion and factor, criterion-major.
    pub variations: Vec<WeightVariation>,
    /// Per area: the largest |rank under a variation − base rank|.
    pub max_rank_move: Vec<usize>,
    /// The k of "top k".
    pub top_k: usize,
    /// Areas in the top k with the base weights and under every variation, best base rank first.
    pub stable_top: Vec<usize>,
}

/// Re-rank the areas with each criterion's weight multiplied by each of `factors` (others unchanged,
/// then all renormalised to sum 1); see [`rank_areas`] for the model and the tie rule.
///
/// A criterion with weight 0 stays at 0 under every factor, so its variations equal the base ranking.
pub fn sensitivity(
    values: &[Vec<f64>],
    criteria: &[Criterion],
    factors: &[f64],
    top_k: usize,
) -> Result<Sensitivity> {
    if let Some(f) = factors.iter().find(|f| !(f.is_finite() && **f >= 0.0)) {
        return Err(AnalysisError::InvalidValue(format!(
            "weight factor {f} must be a finite non-negative number"
        )));
    }
    let base = rank_areas(values, criteria)?;
    let flat = flatten(values, criteria.len())?;
    let mut variations = Vec::with_capacity(criteria.len() * factors.len());
    for j in 0..criteria.len() {
        for &f in factors {
            let mut varied = criteria.to_vec();
            varied[j].weight *= f;
            let mut scorer = Scorer::new(&varied, values.len())?;
            let mut ranks = vec![0; values.len()];
            scorer.rank(&flat, &mut ranks);
            variations.push(WeightVariation {
                criterion: j,
                factor: f,
                weights: super::ranking::normalised_weights(&varied)?,
                ranks,
            });
        }
    }
    let max_rank_move = (0..values.len())
        .map(|a| {
            variations
                .iter()
                .map(|v| v.ranks[a].abs_diff(base.ranks[a]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let stable_top = base
        .order
        .iter()
        .copied()
        .filter(|&a| base.ranks[a] <= top_k && variations.iter().all(|v| v.ranks[a] <= top_k))
        .collect();
    Ok(Sensitivity {
        base_ranks: base.ranks,
        variations,
        max_rank_move,
        top_k,
        stable_top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backlog::ranking::Direction;

    /// A strong on criterion 1, B on criterion 2, C middling on both, D last on both.
    /// Normalised: A (1, 0), B (0, 1), C (0.45, 0.45), D (0, 0).
    fn table() -> (Vec<Vec<f64>>, Vec<Criterion>) {
        (
            vec![
                vec![10.0, 0.0],
                vec![0.0, 10.0],
                vec![4.5, 4.5],
                vec![0.0, 0.0],
            ],
            vec![
                Criterion::new("one", Direction::HigherIsBetter, 1.0),
                Criterion::new("two", Direction::HigherIsBetter, 1.0),
            ],
        )
    }

    #[test]
    fn halving_and_raising_each_weight_moves_the_ranks_as_computed_by_hand() {
        let (v, c) = table();
        let s = sensitivity(&v, &c, &DEFAULT_FACTORS, 2).unwrap();
        // Base: A = B = 0.5 (tie, input order), C = 0.45, D = 0.
        assert_eq!(s.base_ranks, vec![1, 2, 3, 4]);
        // one ×0.5 → weights 1/3, 2/3: A 1/3, B 2/3, C 0.45 → B, C, A.
        assert_eq!(s.variations[0].ranks, vec![3, 1, 2, 4]);
        assert!((s.variations[0].weights[0] - 1.0 / 3.0).abs() < 1e-15);
        // one ×1.5 → 0.6, 0.4: A 0.6, C 0.45, B 0.4.
        assert_eq!(s.variations[1].ranks, vec![1, 3, 2, 4]);
        // two ×0.5 → 2/3, 1/3: A, C, B.  two ×1.5 → 0.4, 0.6: B, C, A.
        assert_eq!(s.variations[2].ranks, vec![1, 3, 2, 4]);
        assert_eq!(s.variations[3].ranks, vec![3, 1, 2, 4]);
        assert_eq!(s.max_rank_move, vec![2, 1, 1, 0]);
        // Neither A nor B is in the top 2 under every variation; C is never in the top 2 at base.
        assert!(s.stable_top.is_empty());
        let s3 = sensitivity(&v, &c, &DEFAULT_FACTORS, 3).unwrap();
        assert_eq!(s3.stable_top, vec![0, 1, 2]);
    }

    #[test]
    fn a_zero_weight_criterion_varies_nothing() {
        let (v, mut c) = table();
        c[1].weight = 0.0;
        let s = sensitivity(&v, &c, &DEFAULT_FACTORS, 1).unwrap();
        assert_eq!(s.variations[2].ranks, s.base_ranks);
        assert_eq!(s.variations[3].ranks, s.base_ranks);
        assert_eq!(s.stable_top, vec![0]);
    }
}
