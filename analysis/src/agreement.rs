//! Inter-coder agreement on nominal codes: Cohen's kappa for two coders with its asymptotic
//! standard errors, and Krippendorff's alpha for any number of coders with missing values.
//!
//! References: Cohen, J. (1960), "A coefficient of agreement for nominal scales", *Educational
//! and Psychological Measurement* 20(1), 37–46; Fleiss, J. L., Cohen, J. & Everitt, B. S.
//! (1969), "Large sample standard errors of kappa and weighted kappa", *Psychological Bulletin*
//! 72(5), 323–327 (the ASE SAS PROC FREQ prints); Krippendorff, K. (2011), "Computing
//! Krippendorff's Alpha-Reliability", University of Pennsylvania, ASC papers 43.

use std::collections::BTreeMap;

use crate::error::{AnalysisError, Result};

/// Cohen's kappa for two coders over the same units.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Kappa {
    /// κ = (p_o − p_e) / (1 − p_e).
    pub kappa: f64,
    /// Observed agreement p_o: the share of units both coders put in the same category.
    pub observed: f64,
    /// Agreement expected by chance p_e from each coder's own marginal shares.
    pub expected: f64,
    /// Units compared.
    pub n: usize,
    /// Asymptotic standard error of κ (Fleiss, Cohen & Everitt 1969), for confidence intervals.
    pub se: f64,
    /// Standard error under H0: κ = 0, for the z test.
    pub se0: f64,
}

impl Kappa {
    /// z = κ / SE₀ for the test of no agreement beyond chance.
    pub fn z(&self) -> f64 {
        self.kappa / self.se0
    }

    /// A Wald interval κ ± z·SE at the given level (for example 0.95).
    pub fn interval(&self, level: f64) -> (f64, f64) {
        use statrs::distribution::{ContinuousCDF, Normal};
        let z = Normal::standard().inverse_cdf(0.5 + level / 2.0);
        (self.kappa - z * self.se, self.kappa + z * self.se)
    }
}

/// Cohen's kappa from a square table of counts: `table[i][j]` units put in category i by the
/// first coder and j by the second.
pub fn cohen_kappa_table(table: &[Vec<u64>]) -> Result<Kappa> {
    let k = table.len();
    if let Some(row) = table.iter().find(|r| r.len() != k) {
        return Err(AnalysisError::LengthMismatch {
            what: "a row of the agreement table".into(),
            expected: k,
            got: row.len(),
        });
    }
    let n: u64 = table.iter().flatten().sum();
    if n == 0 {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    let nf = n as f64;
    let p = |i: usize, j: usize| table[i][j] as f64 / nf;
    let rows: Vec<f64> = (0..k).map(|i| (0..k).map(|j| p(i, j)).sum()).collect();
    let cols: Vec<f64> = (0..k).map(|j| (0..k).map(|i| p(i, j)).sum()).collect();
    let observed: f64 = (0..k).map(|i| p(i, i)).sum();
    let expected: f64 = (0..k).map(|i| rows[i] * cols[i]).sum();
    if (1.0 - expected).abs() < 1e-12 {
        return Err(AnalysisError::InvalidArgument(
            "both coders put every unit in the same single category, so chance agreement is 1 \
             and kappa is undefined"
                .into(),
        ));
    }
    let kappa = (observed - expected) / (1.0 - expected);
    // Fleiss, Cohen & Everitt (1969), eq. 13 (non-null) and eq. 14 (under κ = 0).
    let a: f64 = (0..k)
        .map(|i| p(i, i) * (1.0 - (rows[i] + cols[i]) * (1.0 - kappa)).powi(2))
        .sum();
    let mut b = 0.0;
    for i in 0..k {
        for j in 0..k {
            if i != j {
                b += p(i, j) * (cols[i] + rows[j]).powi(2);
            }
        }
    }
    b *= (1.0 - kappa).powi(2);
    let c = (kappa - expected * (1.0 - kappa)).powi(2);
    let scale = (1.0 - expected).powi(2) * nf;
    let var = ((a + b - c) / scale).max(0.0);
    let sum_ppp: f64 = (0..k)
        .map(|i| rows[i] * cols[i] * (rows[i] + cols[i]))
        .sum();
    let var0 = ((expected + expected * expected - sum_ppp) / scale).max(0.0);
    Ok(Kappa {
        kappa,
        observed,
        expected,
        n: n as usize,
        se: var.sqrt(),
        se0: var0.sqrt(),
    })
}

/// Cohen's kappa for two coders' nominal codes of the same units (`a[u]` and `b[u]` code unit
/// u); categories are every value either coder used.
pub fn cohen_kappa<T: Ord + Clone>(a: &[T], b: &[T]) -> Result<Kappa> {
    if a.len() != b.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "the second coder's codes".into(),
            expected: a.len(),
            got: b.len(),
        });
    }
    let mut index: BTreeMap<&T, usize> = BTreeMap::new();
    for v in a.iter().chain(b) {
        let next = index.len();
        index.entry(v).or_insert(next);
    }
    let k = index.len();
    let mut table = vec![vec![0u64; k]; k];
    for (x, y) in a.iter().zip(b) {
        table[index[x]][index[y]] += 1;
    }
    cohen_kappa_table(&table)
}

/// Cohen's kappa for "code applied or not" per unit (segment), the form agreement per code
/// takes in qualitative coding.
pub fn cohen_kappa_binary(a: &[bool], b: &[bool]) -> Result<Kappa> {
    cohen_kappa(a, b)
}

/// Krippendorff's alpha for nominal data.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Alpha {
    /// α = 1 − D_o / D_e.
    pub alpha: f64,
    /// Observed disagreement D_o.
    pub observed_disagreement: f64,
    /// Disagreement expected by chance D_e.
    pub expected_disagreement: f64,
    /// Pairable values n.. (values in units coded by at least two coders).
    pub pairable_values: usize,
    /// Units coded by at least two coders.
    pub units: usize,
}

/// Krippendorff's alpha for nominal values: `units[u][c]` is coder c's value for unit u, `None`
/// where that coder did not code it. Units with fewer than two values cannot be paired and are
/// left out, as Krippendorff (2011) prescribes. Follows the coincidence-matrix computation of
/// Krippendorff (2011), section C.
pub fn krippendorff_alpha_nominal<T: Ord + Clone>(units: &[Vec<Option<T>>]) -> Result<Alpha> {
    // Values become category indices; the coincidence matrix o_ck is kept sparse.
    let mut index: BTreeMap<&T, usize> = BTreeMap::new();
    let mut coincidences: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut used_units = 0;
    let mut counts: Vec<usize> = Vec::new();
    for unit in units {
        let values: Vec<usize> = unit
            .iter()
            .flatten()
            .map(|v| {
                let next = index.len();
                *index.entry(v).or_insert(next)
            })
            .collect();
        let m = values.len();
        if m < 2 {
            continue;
        }
        used_units += 1;
        counts.clear();
        counts.resize(index.len(), 0);
        for &v in &values {
            counts[v] += 1;
        }
        // Each ordered pair of values from different coders adds 1/(m_u − 1).
        let w = 1.0 / (m - 1) as f64;
        for (c, &nc) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            for (k, &nk) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
                let pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                if pairs > 0 {
                    *coincidences.entry((c, k)).or_default() += pairs as f64 * w;
                }
            }
        }
    }
    let mut n_c = vec![0.0; index.len()];
    for (&(c, _), &o) in &coincidences {
        n_c[c] += o;
    }
    let n: f64 = n_c.iter().sum();
    if n < 2.0 {
        return Err(AnalysisError::InsufficientData {
            needed: 2,
            got: n.round() as usize,
        });
    }
    let disagree_observed: f64 = coincidences
        .iter()
        .filter(|((c, k), _)| c != k)
        .map(|(_, o)| o)
        .sum();
    let total: f64 = n_c.iter().sum::<f64>().powi(2) - n_c.iter().map(|x| x * x).sum::<f64>();
    if total <= 0.0 {
        return Err(AnalysisError::InvalidArgument(
            "every pairable value is the same category, so expected disagreement is 0 and \
             alpha is undefined"
                .into(),
        ));
    }
    let observed_disagreement = disagree_observed / n;
    let expected_disagreement = total / (n * (n - 1.0));
    Ok(Alpha {
        alpha: 1.0 - (n - 1.0) * disagree_observed / total,
        observed_disagreement,
        expected_disagreement,
        pairable_values: n.round() as usize,
        units: used_units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn kappa_of_a_hand_computed_two_by_two_table() {
        // Two coders, 50 segments: both applied the code to 20, neither to 15, coder A alone
        // to 5, coder B alone to 10. p_o = 35/50 = 0.70; A applied it to 25/50, B to 30/50,
        // so p_e = 0.5·0.6 + 0.5·0.4 = 0.50; κ = (0.70 − 0.50)/(1 − 0.50) = 0.40.
        let k = cohen_kappa_table(&[vec![20, 5], vec![10, 15]]).unwrap();
        assert!(close(k.observed, 0.70, 1e-12));
        assert!(close(k.expected, 0.50, 1e-12));
        assert!(close(k.kappa, 0.40, 1e-12));
        assert_eq!(k.n, 50);
        // The same from per-segment booleans.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (x, y, times) in [
            (true, true, 20),
            (true, false, 5),
            (false, true, 10),
            (false, false, 15),
        ] {
            a.extend(std::iter::repeat_n(x, times));
            b.extend(std::iter::repeat_n(y, times));
        }
        assert!(close(
            cohen_kappa_binary(&a, &b).unwrap().kappa,
            0.40,
            1e-12
        ));
    }

    #[test]
    fn kappa_of_perfect_and_of_chance_agreement() {
        let a = ["x", "y", "z", "x"];
        assert!(close(cohen_kappa(&a, &a).unwrap().kappa, 1.0, 1e-12));
        // Independent margins: every cell the product of its margins → κ = 0.
        let k = cohen_kappa_table(&[vec![1, 1], vec![1, 1]]).unwrap();
        assert!(close(k.kappa, 0.0, 1e-12));
    }

    #[test]
    fn kappa_is_undefined_when_both_coders_used_one_category() {
        assert!(matches!(
            cohen_kappa_binary(&[false; 5], &[false; 5]),
            Err(AnalysisError::InvalidArgument(_))
        ));
        assert!(matches!(
            cohen_kappa(&[1, 2], &[1]),
            Err(AnalysisError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn alpha_is_one_for_perfect_agreement_and_refuses_data_without_pairs() {
        let units = vec![
            vec![Some(1), Some(1), None],
            vec![Some(2), Some(2), Some(2)],
        ];
        assert!(close(
            krippendorff_alpha_nominal(&units).unwrap().alpha,
            1.0,
            1e-12
        ));
        let lonely = vec![vec![Some(1), None], vec![None, Some(2)]];
        assert!(matches!(
            krippendorff_alpha_nominal(&lonely),
            Err(AnalysisError::InsufficientData { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn kappa_stays_in_its_range_is_symmetric_in_the_coders_and_alpha_is_at_most_one(
            pairs in proptest::collection::vec((0u8..4, 0u8..4), 2..60)
        ) {
            let a: Vec<u8> = pairs.iter().map(|p| p.0).collect();
            let b: Vec<u8> = pairs.iter().map(|p| p.1).collect();
            if let Ok(k) = cohen_kappa(&a, &b) {
                // κ runs from −p_e / (1 − p_e) (no agreement at all) to 1.
                proptest::prop_assert!(k.kappa <= 1.0 + 1e-12);
                proptest::prop_assert!(k.kappa >= -k.expected / (1.0 - k.expected) - 1e-9);
                proptest::prop_assert!(k.se.is_finite() && k.se0.is_finite());
                let swapped = cohen_kappa(&b, &a).unwrap();
                proptest::prop_assert!((swapped.kappa - k.kappa).abs() < 1e-12);
            }
            let units: Vec<Vec<Option<u8>>> =
                pairs.iter().map(|p| vec![Some(p.0), Some(p.1)]).collect();
            if let Ok(alpha) = krippendorff_alpha_nominal(&units) {
                proptest::prop_assert!(alpha.alpha <= 1.0 + 1e-12);
            }
        }
    }

    #[test]
    fn alpha_reproduces_krippendorffs_binary_two_observer_example() {
        // Krippendorff (2011), section A: binary data, two observers, ten units; α = 0.095.
        let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
        let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
        let units: Vec<Vec<Option<i32>>> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| vec![Some(*x), Some(*y)])
            .collect();
        let alpha = krippendorff_alpha_nominal(&units).unwrap();
        assert!(close(alpha.alpha, 0.095, 0.0005), "{alpha:?}");
    }
}
