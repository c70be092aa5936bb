//! Stratified simple random sampling without replacement: allocation of a sample size to strata
//! (fixed per stratum, proportional, Neyman, or a sampling rate) and a reproducible draw, with
//! each unit's inclusion probability and design weight (Cochran 1977, *Sampling Techniques*,
//! ch. 5; Lohr 2019, *Sampling: Design and Analysis*, §3.4).

use rand::seq::index;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::{AnalysisError, Result};

/// How the total sample size is spread over strata.
#[derive(Debug, Clone, PartialEq)]
pub enum Allocation {
    /// The same `n` in every stratum (all units where a stratum is smaller).
    Fixed(usize),
    /// `n_h ∝ N_h`, summing to `n`.
    Proportional(usize),
    /// `n_h ∝ N_h · S_h` (Neyman 1934), summing to `n`; `S_h` is the expected standard deviation
    /// per stratum.
    Neyman {
        /// Total sample size.
        n: usize,
        /// Expected standard deviation per stratum, in stratum order.
        sd: Vec<f64>,
    },
    /// The same sampling fraction `r` in every stratum, `n_h = round(r · N_h)`.
    Rate(f64),
}

/// Sample sizes per stratum for the population sizes `pop`. Sizes are integers that sum exactly
/// to the requested total (largest remainder rounding), never exceed `N_h`, and a stratum capped
/// at `N_h` passes its surplus on to the others (the usual fix for over-allocation).
pub fn allocate(pop: &[usize], allocation: &Allocation) -> Result<Vec<usize>> {
    let total_pop: usize = pop.iter().sum();
    match allocation {
        Allocation::Fixed(n) => Ok(pop.iter().map(|&p| p.min(*n)).collect()),
        Allocation::Rate(r) => {
            if !(0.0..=1.0).contains(r) {
                return Err(AnalysisError::InvalidArgument(format!(
                    "sampling rate must be between 0 and 1, got {r}"
                )));
            }
            Ok(pop
                .iter()
                .map(|&p| ((p as f64 * r).round() as usize).min(p))
                .collect())
        }
        Allocation::Proportional(n) => spread(
            pop,
            &pop.iter().map(|&p| p as f64).collect::<Vec<_>>(),
            *n,
            total_pop,
        ),
        Allocation::Neyman { n, sd } => {
            if sd.len() != pop.len() {
                return Err(AnalysisError::LengthMismatch {
                    what: "standard deviations".into(),
                    got: sd.len(),
                    expected: pop.len(),
                });
            }
            if sd.iter().any(|s| !s.is_finite() || *s < 0.0) {
                return Err(AnalysisError::InvalidArgument(
                    "standard deviations must be finite and not negative".into(),
                ));
            }
            let size: Vec<f64> = pop.iter().zip(sd).map(|(&p, s)| p as f64 * s).collect();
            if size.iter().sum::<f64>() <= 0.0 {
                return Err(AnalysisError::InvalidArgument(
                    "every stratum has standard deviation 0: Neyman allocation is undefined; use proportional".into(),
                ));
            }
            spread(pop, &size, *n, total_pop)
        }
    }
}

/// Spread `n` over strata in proportion to `size`, capped by `pop`.
fn spread(pop: &[usize], size: &[f64], n: usize, total_pop: usize) -> Result<Vec<usize>> {
    if n > total_pop {
        return Err(AnalysisError::InvalidArgument(format!(
            "sample size {n} is larger than the population ({total_pop})"
        )));
    }
    let mut alloc = vec![0usize; pop.len()];
    let mut capped = vec![false; pop.len()];
    let mut remaining = n;
    // Each pass either finishes or caps at least one more stratum, so this ends.
    loop {
        let open: Vec<usize> = (0..pop.len()).filter(|&h| !capped[h]).collect();
        let weight: f64 = open.iter().map(|&h| size[h]).sum();
        if open.is_empty() || remaining == 0 {
            break;
        }
        let shares: Vec<f64> = open
            .iter()
            .map(|&h| {
                if weight > 0.0 {
                    remaining as f64 * size[h] / weight
                } else {
                    0.0
                }
            })
            .collect();
        let mut take: Vec<usize> = shares.iter().map(|s| s.floor() as usize).collect();
        let mut left = remaining - take.iter().sum::<usize>();
        let mut order: Vec<usize> = (0..open.len()).collect();
        order.sort_by(|&a, &b| {
            (shares[b] - shares[b].floor())
                .total_cmp(&(shares[a] - shares[a].floor()))
                .then(a.cmp(&b))
        });
        for &i in &order {
            if left == 0 {
                break;
            }
            if size[open[i]] > 0.0 {
                take[i] += 1;
                left -= 1;
            }
        }
        let mut over = false;
        for (i, &h) in open.iter().enumerate() {
            if take[i] >= pop[h] {
                alloc[h] = pop[h];
                capped[h] = true;
                over = true;
            }
        }
        if !over {
            for (i, &h) in open.iter().enumerate() {
                alloc[h] = take[i];
            }
            break;
        }
        remaining = n
            - (0..pop.len())
                .filter(|&h| capped[h])
                .map(|h| alloc[h])
                .sum::<usize>();
    }
    Ok(alloc)
}

/// One drawn unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// Index of the unit in the frame.
    pub unit: usize,
    /// Its stratum (index into the stratum list).
    pub stratum: usize,
    /// Probability of selection, `n_h / N_h`.
    pub inclusion_probability: f64,
    /// Design weight, `N_h / n_h`.
    pub design_weight: f64,
}

/// Draw a stratified simple random sample: `strata[i]` is unit `i`'s stratum index (0-based, dense),
/// `sizes[h]` the sample size of stratum `h`. The same seed gives the same sample; units come back
/// in frame order.
pub fn draw(strata: &[usize], sizes: &[usize], seed: u64) -> Result<Vec<Drawn>> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sizes.len()];
    for (i, &h) in strata.iter().enumerate() {
        members
            .get_mut(h)
            .ok_or_else(|| {
                AnalysisError::InvalidArgument(format!(
                    "unit {i} has stratum {h}, but only {} strata have sizes",
                    sizes.len()
                ))
            })?
            .push(i);
    }
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(sizes.iter().sum());
    for (h, units) in members.iter().enumerate() {
        let n = sizes[h];
        if n > units.len() {
            return Err(AnalysisError::InvalidArgument(format!(
                "stratum {h} has {} units but a sample of {n} was asked for",
                units.len()
            )));
        }
        if n == 0 {
            continue;
        }
        let pi = n as f64 / units.len() as f64;
        for k in index::sample(&mut rng, units.len(), n) {
            out.push(Drawn {
                unit: units[k],
                stratum: h,
                inclusion_probability: pi,
                design_weight: 1.0 / pi,
            });
        }
    }
    out.sort_by_key(|d| d.unit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_allocation_sums_exactly_and_follows_population_shares() {
        let a = allocate(&[500, 300, 200], &Allocation::Proportional(101)).unwrap();
        assert_eq!(a.iter().sum::<usize>(), 101);
        assert_eq!(a, vec![51, 30, 20]);
    }

    #[test]
    fn neyman_allocation_favours_variable_strata_and_caps_at_the_stratum_size() {
        let a = allocate(
            &[100, 100],
            &Allocation::Neyman {
                n: 50,
                sd: vec![1.0, 3.0],
            },
        )
        .unwrap();
        assert_eq!(a, vec![13, 37]);
        // Stratum 2 would get 90 of 100 but has only 20 units: it is taken whole.
        let b = allocate(
            &[1000, 20],
            &Allocation::Neyman {
                n: 100,
                sd: vec![1.0, 100.0],
            },
        )
        .unwrap();
        assert_eq!(b, vec![80, 20]);
    }

    #[test]
    fn a_sample_larger_than_the_population_is_refused() {
        assert!(allocate(&[5, 5], &Allocation::Proportional(11)).is_err());
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_with_matching_inclusion_probabilities() {
        let strata: Vec<usize> = (0..1000).map(|i| i % 3).collect();
        let pop = [334, 333, 333];
        let sizes = allocate(&pop, &Allocation::Proportional(90)).unwrap();
        let a = draw(&strata, &sizes, 42).unwrap();
        let b = draw(&strata, &sizes, 42).unwrap();
        let c = draw(&strata, &sizes, 43).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        for h in 0..3 {
            let in_h: Vec<&Drawn> = a.iter().filter(|d| d.stratum == h).collect();
            assert_eq!(in_h.len(), sizes[h]);
            for d in in_h {
                assert!((d.inclusion_probability - sizes[h] as f64 / pop[h] as f64).abs() < 1e-12);
                assert!((d.design_weight * d.inclusion_probability - 1.0).abs() < 1e-12);
            }
        }
        // Weights of a stratified sample add up to the population size.
        let total: f64 = a.iter().map(|d| d.design_weight).sum();
        assert!((total - 1000.0).abs() < 1e-9);
    }
}
