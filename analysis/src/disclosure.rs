//! Statistical disclosure control for published tables: primary suppression of small cells and secondary
//! suppression so that row and column totals cannot be used to recover a suppressed cell
//! (Hundepool et al. 2012, *Statistical Disclosure Control*, ch. 4, threshold rule with complementary cells).

use crate::error::{AnalysisError, Result};

/// Which cells of a table to hide.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Suppression {
    /// True where the cell is hidden (row-major).
    pub suppressed: Vec<bool>,
    /// True where the cell was hidden because it is small (primary), not as a complement.
    pub primary: Vec<bool>,
}

/// Suppress cells with 0 < count < `k` (zero cells reveal nothing about a person and are left), then add
/// complementary suppressions until no row or column holds exactly one hidden cell. The complement chosen
/// is the smallest visible non-zero cell of that row/column, to lose as little information as possible.
/// FUTURE: this greedy rule protects against single-line differencing only, not linear-programming attacks
/// across several rows and columns at once.
pub fn suppress_small_cells(counts: &[f64], cols: usize, k: f64) -> Result<Suppression> {
    if cols == 0 || counts.len() % cols != 0 {
        return Err(AnalysisError::InvalidArgument(
            "table is not rectangular".into(),
        ));
    }
    let rows = counts.len() / cols;
    let primary: Vec<bool> = counts.iter().map(|&c| c > 0.0 && c < k).collect();
    let mut s = primary.clone();
    loop {
        let mut changed = false;
        let lines: Vec<Vec<usize>> = (0..rows)
            .map(|i| (0..cols).map(|j| i * cols + j).collect())
            .chain((0..cols).map(|j| (0..rows).map(|i| i * cols + j).collect()))
            .collect();
        for line in &lines {
            if line.iter().filter(|&&c| s[c]).count() == 1 {
                let pick = line
                    .iter()
                    .copied()
                    .filter(|&c| !s[c] && counts[c] > 0.0)
                    .min_by(|&a, &b| counts[a].total_cmp(&counts[b]))
                    .or_else(|| line.iter().copied().find(|&c| !s[c]));
                if let Some(c) = pick {
                    s[c] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Ok(Suppression {
        suppressed: s,
        primary,
    })
}
