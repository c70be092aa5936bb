//! The covariance of a frequency table from sums per group of units instead of per unit, for
//! designs whose PSUs are single units and whose weights come from one raking or
//! post-stratification: what makes a raked results page and a raked cross-tab cheap.
//!
//! Why it holds. The influence value of a category total or share is z_i = w_i · a(s_i), where
//! s_i is the unit's slot (its answer inside the table, or "outside": another domain, missing,
//! don't know) and a depends on the slot alone. The calibration residual (`svyrecvar`'s
//! treatment of `rake` and `postStratify`) subtracts w_i · shift(cell of i), where the cell is
//! the raking cell or the post-stratum and the shift depends only on per-cell sums of z/w (over
//! units with a positive weight; for post-stratification weighted by the old weights). So the
//! residual is e_i = w_i · r(cell, slot). With one unit per PSU the stratum-h term of
//! `between_psu_covariance` is scale_h · Σ_{i∈h} (e_i − ē_h)(e_i − ē_h)ᵀ
//! = scale_h · (Σ_g Σw²_g r_g r_gᵀ − T_h T_hᵀ / n_h) with T_h = Σ_g Σw_g r_g over the groups g =
//! (h, cell, slot), which needs Σw and Σw² per group only. The fpc and the lonely-PSU policy
//! enter through the stratum scales exactly as in the per-unit path (a stratum the `adjust`
//! policy centres at the grand mean uses the grand mean instead of T_h / n_h). With clusters a
//! PSU total mixes units of different groups, so the per-unit path is kept for them.

use crate::design::{Calibration, Design, RakingCells};
use crate::error::Result;

/// How a column's residual shift per cell follows from its per-cell sums.
enum Shift<'a> {
    /// Ten rounds of backfitting over the raking margins.
    Raking(&'a RakingCells),
    /// Post-stratification: the sum of old_w · z/w over the post-stratum divided by the sum
    /// of the old weights (`den`, over every unit of the post-stratum).
    PostStratification { den: Vec<f64> },
}

/// Σw, Σw² and the calibration's residual weights per (stratum, cell, slot) of one categorical
/// variable, with its weighted totals and counts per category.
pub(crate) struct SlotGroups<'a> {
    shift: Shift<'a>,
    cells: usize,
    /// Categories plus one slot for everything outside the table.
    slots: usize,
    /// Σw per group, indexed (stratum · cells + cell) · slots + slot.
    s1: Vec<f64>,
    /// Σw² per group.
    s2: Vec<f64>,
    /// Per group, what the cell sums of z/w weigh a unit by: 1 for a positive-weight unit under
    /// raking, its old weight when its new weight is positive under post-stratification.
    aux: Vec<f64>,
    /// Weighted total per category, summed in unit order as the per-unit path sums it.
    pub(crate) wsum: Vec<f64>,
    /// Respondents per category.
    pub(crate) nsum: Vec<usize>,
}

impl Design {
    /// The group sums of `codes` (categories `0..k`; other codes and units outside `domain` are
    /// outside the table) when the grouped covariance applies, otherwise `None`: it needs one
    /// unit per PSU (no clusters, hence no second stage), exactly one calibration, a raking or a
    /// post-stratification, and no more groups than units (beyond that the per-unit path is not
    /// slower).
    pub(crate) fn slot_groups(
        &self,
        codes: &[u32],
        k: usize,
        domain: Option<&[bool]>,
    ) -> Option<SlotGroups<'_>> {
        if self.psu.is_some() || self.ssu.is_some() {
            return None;
        }
        // One calibration: its record was made with the design's current weights (a second
        // calibration would change them and break z/w = a(slot)).
        let [cal] = self.calibrations.as_slice() else {
            return None;
        };
        let (cell, cells, old_w, shift) = match cal {
            Calibration::Raking { cells, .. } => {
                (cells.cell(), cells.count(), None, Shift::Raking(cells))
            }
            Calibration::PostStratification {
                group,
                groups,
                old_w,
                ..
            } => {
                // Summed in unit order, as the per-unit residualisation sums it.
                let mut den = vec![0.0; *groups];
                for (c, w0) in group.iter().zip(old_w) {
                    den[*c as usize] += w0;
                }
                (
                    group.as_slice(),
                    *groups,
                    Some(old_w.as_slice()),
                    Shift::PostStratification { den },
                )
            }
            Calibration::Greg { .. } => return None,
        };
        let n = self.len();
        let slots = k + 1;
        let groups = self.n_strata().checked_mul(cells)?.checked_mul(slots)?;
        if groups > n {
            return None;
        }
        let mut s1 = vec![0.0; groups];
        let mut s2 = vec![0.0; groups];
        let mut aux = vec![0.0; groups];
        let mut wsum = vec![0.0; k];
        let mut nsum = vec![0usize; k];
        for i in 0..n {
            let inside = (codes[i] as usize) < k && domain.is_none_or(|d| d[i]);
            let slot = if inside { codes[i] as usize } else { k };
            let g = (self.stratum[i] as usize * cells + cell[i] as usize) * slots + slot;
            let w = self.weights[i];
            s1[g] += w;
            s2[g] += w * w;
            if w > 0.0 {
                aux[g] += old_w.map_or(1.0, |o| o[i]);
            }
            if inside {
                wsum[slot] += w;
                nsum[slot] += 1;
            }
        }
        Some(SlotGroups {
            shift,
            cells,
            slots,
            s1,
            s2,
            aux,
            wsum,
            nsum,
        })
    }

    /// Covariances (k × k, row-major) of the category totals and of the shares `p` of the
    /// domain total `pop`, from the group sums: the numbers of the per-unit path, to rounding.
    pub(crate) fn frequency_cov_grouped(
        &self,
        groups: &SlotGroups<'_>,
        p: &[f64],
        pop: f64,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let k = groups.slots - 1;
        // Influence per unit of weight: a total counts its category; a share is
        // (1[category] − p_j) / N inside the table and nothing outside.
        let tot = self.grouped_covariance(groups, |j, s| if s == j { 1.0 } else { 0.0 })?;
        let prop = self.grouped_covariance(groups, |j, s| {
            if s < k {
                (if s == j { 1.0 } else { 0.0 } - p[j]) / pop
            } else {
                0.0
            }
        })?;
        Ok((tot, prop))
    }

    /// The covariance of the k columns with z_i = w_i · a(j, slot of i), residualised for the
    /// calibration and combined over strata as `between_psu_covariance` does for single-unit PSUs.
    fn grouped_covariance(
        &self,
        groups: &SlotGroups<'_>,
        a: impl Fn(usize, usize) -> f64,
    ) -> Result<Vec<f64>> {
        let scales = self.stratum_scales()?;
        let (cells, slots) = (groups.cells, groups.slots);
        let k = slots - 1;
        let h_n = self.n_strata();
        // Residual per unit of weight, (cell · slots + slot) · k + column.
        let mut r = vec![0.0; cells * slots * k];
        let mut sums = vec![0.0; cells];
        let mut shift = vec![0.0; cells];
        let mut av = vec![0.0; slots];
        for j in 0..k {
            for (s, x) in av.iter_mut().enumerate() {
                *x = a(j, s);
            }
            sums.iter_mut().for_each(|x| *x = 0.0);
            for h in 0..h_n {
                for c in 0..cells {
                    let at = (h * cells + c) * slots;
                    for s in 0..slots {
                        sums[c] += groups.aux[at + s] * av[s];
                    }
                }
            }
            match &groups.shift {
                Shift::Raking(rc) => rc.backfit(&sums, &mut shift),
                Shift::PostStratification { den } => {
                    for c in 0..cells {
                        shift[c] = if den[c] > 0.0 { sums[c] / den[c] } else { 0.0 };
                    }
                }
            }
            for c in 0..cells {
                for s in 0..slots {
                    r[(c * slots + s) * k + j] = av[s] - shift[c];
                }
            }
        }
        // Per stratum: T_h = Σ_g Σw_g r_g and Q_h = Σ_g Σw²_g r_g r_gᵀ.
        let mut t = vec![0.0; h_n * k];
        let mut q = vec![0.0; h_n * k * k];
        for h in 0..h_n {
            if scales.scale[h] == 0.0 {
                continue;
            }
            let th = &mut t[h * k..(h + 1) * k];
            let qh = &mut q[h * k * k..(h + 1) * k * k];
            for c in 0..cells {
                for s in 0..slots {
                    let g = (h * cells + c) * slots + s;
                    let (w1, w2) = (groups.s1[g], groups.s2[g]);
                    if w1 == 0.0 && w2 == 0.0 {
                        continue;
                    }
                    let rg = &r[(c * slots + s) * k..(c * slots + s + 1) * k];
                    for x in 0..k {
                        th[x] += w1 * rg[x];
                        let wx = w2 * rg[x];
                        for y in 0..k {
                            qh[x * k + y] += wx * rg[y];
                        }
                    }
                }
            }
        }
        // The `adjust` policy centres a lonely stratum at the grand mean of the PSU totals.
        let mut grand = vec![0.0; k];
        if scales.any_grand_centred() {
            // T_h of a stratum with scale 0 was skipped above; the grand mean needs every unit.
            let mut all = vec![0.0; k];
            for c in 0..cells {
                for s in 0..slots {
                    let rg = &r[(c * slots + s) * k..(c * slots + s + 1) * k];
                    let w1: f64 = (0..h_n)
                        .map(|h| groups.s1[(h * cells + c) * slots + s])
                        .sum();
                    for x in 0..k {
                        all[x] += w1 * rg[x];
                    }
                }
            }
            for x in 0..k {
                grand[x] = all[x] / self.len() as f64;
            }
        }
        let mut v = vec![0.0; k * k];
        for h in 0..h_n {
            let sc = scales.scale[h];
            if sc == 0.0 {
                continue;
            }
            let th = &t[h * k..(h + 1) * k];
            let qh = &q[h * k * k..(h + 1) * k * k];
            let nh = self.psus_in_stratum[h].max(1) as f64;
            for x in 0..k {
                for y in 0..k {
                    // Σ (e − c)(e − c)ᵀ = Q − c Tᵀ − T cᵀ + n c cᵀ, which is Q − T Tᵀ / n at c = T / n.
                    let dev = if scales.grand_centred[h] {
                        qh[x * k + y] - grand[x] * th[y] - th[x] * grand[y]
                            + nh * grand[x] * grand[y]
                    } else {
                        qh[x * k + y] - th[x] * th[y] / nh
                    };
                    v[x * k + y] += sc * dev;
                }
            }
        }
        if scales.factor != 1.0 {
            for x in &mut v {
                *x *= scales.factor;
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    //! The grouped covariance against the per-unit path it shortcuts, on random designs.
    use super::*;
    use crate::design::{Fpc, LonelyPsu};
    use crate::{Margin, RakeOptions};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const N: usize = 4_000;
    const K: usize = 4;

    struct Sample {
        weights: Vec<f64>,
        strata: Vec<u64>,
        margins: Vec<(Vec<u32>, usize)>,
        codes: Vec<u32>,
        domain: Vec<bool>,
    }

    /// Random weights, 6 strata (the last one a single unit), three raking margins, answers with
    /// missing and don't-know codes, and a domain of about half the units.
    fn sample(seed: u64) -> Sample {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut strata: Vec<u64> = (0..N).map(|_| rng.gen_range(0..5)).collect();
        strata[N - 1] = 5;
        let margins: Vec<(Vec<u32>, usize)> = [7usize, 3, 2]
            .iter()
            .map(|&k| ((0..N).map(|_| rng.gen_range(0..k as u32)).collect(), k))
            .collect();
        let codes = (0..N)
            .map(|_| match rng.gen_range(0..20) {
                0 => crate::data::MISSING,
                1 => crate::data::DONT_KNOW,
                _ => rng.gen_range(0..K as u32),
            })
            .collect();
        Sample {
            weights: (0..N).map(|_| rng.gen_range(0.5..4.0)).collect(),
            strata,
            margins,
            codes,
            domain: (0..N).map(|_| rng.gen_bool(0.5)).collect(),
        }
    }

    fn base(s: &Sample, policy: LonelyPsu, fpc: bool, clusters: bool) -> Design {
        let mut b = Design::builder(s.weights.clone())
            .strata(s.strata.clone())
            .lonely_psu(policy);
        if fpc {
            let pop: Vec<f64> = s
                .strata
                .iter()
                .map(|&h| 2_000.0 + 500.0 * h as f64)
                .collect();
            b = b.fpc(Fpc::PopulationSize(pop));
        }
        if clusters {
            b = b.clusters((0..N as u64).map(|i| i / 5).collect());
        }
        b.build().expect("design")
    }

    fn raked(s: &Sample, d: &Design) -> Design {
        let total = 50_000.0;
        let margins: Vec<Margin> = s
            .margins
            .iter()
            .map(|(codes, k)| {
                let raw: Vec<f64> = (0..*k).map(|l| 10.0 + l as f64 * 3.0).collect();
                let sum: f64 = raw.iter().sum();
                Margin {
                    codes: codes.clone(),
                    targets: raw.iter().map(|t| t * total / sum).collect(),
                }
            })
            .collect();
        d.rake(&margins, RakeOptions::default()).expect("rake").0
    }

    fn post_stratified(s: &Sample, d: &Design) -> Design {
        let (codes, k) = &s.margins[0];
        let targets: Vec<f64> = (0..*k).map(|l| 3_000.0 + 400.0 * l as f64).collect();
        d.post_stratify(codes, &targets).expect("post-stratify")
    }

    /// Asserts that `frequencies` (whichever path it takes) gives the per-unit path's totals,
    /// shares and covariances: estimates bit for bit, covariances to 1e-10 relative to the
    /// variances of the two columns.
    fn agrees_with_the_per_unit_path(d: &Design, s: &Sample, domain: Option<&[bool]>) {
        let ft = d.frequencies(&s.codes, K, domain).expect("frequencies");
        let mut wsum = vec![0.0; K];
        for i in 0..N {
            if (s.codes[i] as usize) < K && domain.is_none_or(|m| m[i]) {
                wsum[s.codes[i] as usize] += d.weights()[i];
            }
        }
        let totals: Vec<f64> = ft.totals.iter().map(|e| e.estimate).collect();
        assert_eq!(totals, wsum);
        let pop: f64 = wsum.iter().sum();
        let p: Vec<f64> = wsum.iter().map(|w| w / pop).collect();
        // The rows of the subset R would estimate on (see `Design::subset_matters`).
        let subset = d.subset_mask(|i| (s.codes[i] as usize) < K && domain.is_none_or(|m| m[i]));
        let (tot, prop) = d
            .frequency_cov_dense(&s.codes, K, domain, &p, pop, subset.as_deref())
            .expect("per-unit path");
        for (fast, slow) in [(&ft.total_cov, &tot), (&ft.proportion_cov, &prop)] {
            for x in 0..K {
                for y in 0..K {
                    let scale = (slow[x * K + x] * slow[y * K + y]).sqrt();
                    let (f, g) = (fast[x * K + y], slow[x * K + y]);
                    assert!(scale > 0.0, "a degenerate test design");
                    assert!((f - g).abs() <= 1e-10 * scale, "[{x},{y}] {f} vs {g}");
                }
            }
        }
    }

    #[test]
    fn raked_stratified_frequencies_from_group_sums_equal_the_per_unit_path() {
        for seed in 0..4 {
            let s = sample(seed);
            for (policy, fpc) in [
                (LonelyPsu::Remove, false),
                (LonelyPsu::Average, true),
                (LonelyPsu::Adjust, false),
                (LonelyPsu::Adjust, true),
            ] {
                let d = raked(&s, &base(&s, policy, fpc, false));
                assert!(d.slot_groups(&s.codes, K, None).is_some());
                agrees_with_the_per_unit_path(&d, &s, None);
                agrees_with_the_per_unit_path(&d, &s, Some(&s.domain));
            }
        }
    }

    #[test]
    fn post_stratified_frequencies_from_group_sums_equal_the_per_unit_path() {
        let s = sample(11);
        for policy in [LonelyPsu::Remove, LonelyPsu::Adjust] {
            let d = post_stratified(&s, &base(&s, policy, true, false));
            assert!(d.slot_groups(&s.codes, K, Some(&s.domain)).is_some());
            agrees_with_the_per_unit_path(&d, &s, Some(&s.domain));
        }
    }

    #[test]
    fn a_clustered_raked_design_keeps_the_per_unit_path() {
        let s = sample(5);
        // Five units per PSU: a PSU total mixes groups, so the shortcut would be wrong.
        let mut s = s;
        s.strata[N - 1] = 4;
        let d = raked(&s, &base(&s, LonelyPsu::Fail, false, true));
        assert!(d.slot_groups(&s.codes, K, Some(&s.domain)).is_none());
        agrees_with_the_per_unit_path(&d, &s, Some(&s.domain));
    }

    #[test]
    fn a_design_calibrated_twice_keeps_the_per_unit_path() {
        let s = sample(6);
        let d = raked(
            &s,
            &post_stratified(&s, &base(&s, LonelyPsu::Remove, false, false)),
        );
        assert!(d.slot_groups(&s.codes, K, None).is_none());
        agrees_with_the_per_unit_path(&d, &s, Some(&s.domain));
    }
}
