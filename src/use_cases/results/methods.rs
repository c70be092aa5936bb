//! The statistical methods over already-parsed columns and a built [`Design`]: each runs the
//! `analysis` crate and shapes its result into a [`report`](super::report) type. Reading the
//! data (a CSV file, stored responses) and naming files or columns in error messages is the
//! caller's business; errors here are the analysis crate's own.

use analysis::hypothesis::{self, PAdjust};
use analysis::priority::{self, KanoAnswer};
use analysis::tables::CrossTab;
use analysis::{ci, AnalysisError, Design, Estimate, Margin, RakeOptions, TrimBounds};

use super::report::*;

/// The levels of a `by` column: its name and, per level, the label and membership mask.
pub struct Domains {
    /// The `by` column.
    pub column: String,
    /// (label, mask) per level, in the order the levels first appear.
    pub levels: Vec<(String, Vec<bool>)>,
}

/// Run `f` on the whole sample (`by` absent) or once per domain.
pub fn per_domain<T, F>(by: Option<&Domains>, f: F) -> Result<PerDomain<T>, AnalysisError>
where
    F: Fn(Option<&[bool]>) -> Result<T, AnalysisError>,
{
    let Some(by) = by else {
        return f(None).map(PerDomain::Whole);
    };
    let domains = by
        .levels
        .iter()
        .map(|(label, mask)| {
            Ok(DomainResult {
                by: label.clone(),
                result: f(Some(mask))?,
            })
        })
        .collect::<Result<Vec<_>, AnalysisError>>()?;
    Ok(PerDomain::Domains {
        by: by.column.clone(),
        domains,
    })
}

/// The weighted frequency table of `codes` (labels in code order) within `domain`.
pub fn frequencies(
    design: &Design,
    codes: &[u32],
    labels: &[String],
    domain: Option<&[bool]>,
    method: PropInterval,
    level: f64,
) -> Result<FrequencyReport, AnalysisError> {
    let ft = design.frequencies(codes, labels.len(), domain)?;
    // R's svyciprop(method = "beta") takes nrow(design): every row of the (sub)design, missing
    // answers included.
    let n_rows = domain.map_or(design.len(), |d| d.iter().filter(|&&b| b).count());
    let n_dom: usize = ft.n.iter().sum();
    let categories = labels
        .iter()
        .enumerate()
        .map(|(k, lab)| {
            let p = &ft.proportions[k];
            // Kept as an invalid argument, as the command line has always reported it.
            let iv = prop_interval(method, p, (n_dom, n_rows), level)
                .map_err(|e| AnalysisError::InvalidArgument(e.to_string()))?;
            Ok(CategoryReport {
                category: lab.clone(),
                ci: [iv.lower, iv.upper],
                n: ft.n[k],
                proportion: p.estimate,
                se: p.se,
                total: EstimateReport::new(&ft.totals[k], level),
            })
        })
        .collect::<Result<Vec<_>, AnalysisError>>()?;
    Ok(FrequencyReport {
        categories,
        population: ft.population,
    })
}

/// The interval of proportion `e` estimated from `n` answers among `rows` rows of the (sub)design.
fn prop_interval(
    method: PropInterval,
    e: &Estimate,
    (n, rows): (usize, usize),
    level: f64,
) -> Result<ci::Interval, AnalysisError> {
    let p = e.estimate;
    let n_eff = if e.se > 0.0 && p > 0.0 && p < 1.0 {
        p * (1.0 - p) / (e.se * e.se)
    } else {
        n as f64
    };
    match method {
        PropInterval::KornGraubard => ci::korn_graubard(p, e.se, rows.max(2), e.df, level),
        PropInterval::Logit => ci::logit(p, e.se, n as f64, e.df, level),
        PropInterval::Wilson => ci::wilson(p * n_eff, n_eff, level),
        PropInterval::ClopperPearson => ci::clopper_pearson(p * n_eff, n_eff, level),
    }
}

/// Quantiles of `y` at `probs` within `domain`.
pub fn quantiles(
    design: &Design,
    y: &[f64],
    probs: &[f64],
    domain: Option<&[bool]>,
    level: f64,
) -> Result<Vec<QuantileRow>, AnalysisError> {
    Ok(design
        .quantiles(y, probs, domain, level)?
        .iter()
        .map(|q| QuantileRow {
            ci: [q.lower, q.upper],
            p: q.p,
            quantile: q.estimate,
            se: q.se,
        })
        .collect())
}

/// Cross-tabulation of row codes `rc` (labels `rl`) by column codes `cc` (labels `cl`).
pub fn crosstab(
    design: &Design,
    (rc, rl): (&[u32], &[String]),
    (cc, cl): (&[u32], &[String]),
    domain: Option<&[bool]>,
    level: f64,
) -> Result<TableReport, AnalysisError> {
    let ct = design.crosstab(rc, rl.len(), cc, cl.len(), domain)?;
    Ok(table_report(&ct, rl, cl, level))
}

fn table_report(ct: &CrossTab, rl: &[String], cl: &[String], level: f64) -> TableReport {
    let est = |e: &Estimate| EstimateReport::new(e, level);
    let cells = (0..ct.rows * ct.cols)
        .map(|k| CellReport {
            col: cl[k % ct.cols].clone(),
            col_share: est(&ct.col_share[k]),
            n: ct.n[k],
            row: rl[k / ct.cols].clone(),
            row_share: est(&ct.row_share[k]),
            share: est(&ct.cell[k]),
            total: est(&ct.totals[k]),
        })
        .collect();
    let rs = &ct.rao_scott;
    TableReport {
        cells,
        rao_scott: RaoScottReport {
            ddf: rs.ddf,
            f: rs.f,
            first_order: FirstOrderReport {
                chisq: rs.first_order,
                df: (ct.rows - 1) * (ct.cols - 1),
                p_value: rs.first_order_p,
            },
            ndf: rs.ndf,
            p_value: rs.p_value,
            pearson: rs.pearson,
        },
    }
}

/// Rake to `margins`, trimming the weights to `trim` when given.
pub fn rake(
    design: &Design,
    margins: &[Margin],
    opts: RakeOptions,
    trim: Option<TrimBounds>,
) -> Result<(Design, ConvergenceReport), AnalysisError> {
    let (d, rep) = match trim {
        None => design.rake(margins, opts),
        Some(bounds) => design.rake_trimmed(margins, opts, bounds, 100),
    }?;
    Ok((
        d,
        ConvergenceReport {
            converged: rep.converged,
            iterations: rep.iterations,
            max_error: rep.max_error,
        },
    ))
}

/// The mean (and, with `total`, the total) of `y` under the re-weighted design `d`, and a
/// summary of its weights.
pub fn weighted(
    d: &Design,
    y: Option<&[f64]>,
    total: bool,
    level: f64,
) -> Result<WeightedReport, AnalysisError> {
    let (mut mean, mut tot) = (None, None);
    if let Some(y) = y {
        mean = Some(EstimateReport::new(&d.mean(y, None)?, level));
        if total {
            tot = Some(EstimateReport::new(&d.total(y, None)?, level));
        }
    }
    let w = d.weights();
    Ok(WeightedReport {
        mean,
        total: tot,
        weights: WeightSummary {
            kish_effective_n: d.kish_effective_n(None),
            max: w.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            min: w.iter().copied().fold(f64::INFINITY, f64::min),
            sum: w.iter().sum::<f64>(),
        },
    })
}

/// The finite values of `y` split by group code (codes outside `0..groups` are left out).
pub fn split_groups(y: &[f64], codes: &[u32], groups: usize) -> Vec<Vec<f64>> {
    let mut g = vec![Vec::new(); groups];
    for (v, c) in y.iter().zip(codes) {
        if (*c as usize) < groups && v.is_finite() {
            g[*c as usize].push(*v);
        }
    }
    g
}

/// Whether a rank test uses its exact p-value: R's `exact = NULL` (auto), `TRUE` or `FALSE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Exact {
    /// R's default: exact for small samples without ties.
    #[default]
    Auto,
    /// Exact (an error where there is no exact p-value: ties, or samples too large).
    Yes,
    /// The normal (Mann–Whitney) or t (Spearman) approximation.
    No,
}

/// A test comparing groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupTest {
    /// Welch two-sample t-test (two groups).
    Welch,
    /// Mann–Whitney U (two groups), R's `wilcox.test(exact = ...)`.
    MannWhitney(Exact),
    /// Kruskal–Wallis.
    KruskalWallis,
}

/// Run `test` on `groups` (labelled `labels`).
pub fn group_test(
    test: GroupTest,
    labels: Vec<String>,
    groups: &[Vec<f64>],
) -> Result<GroupTestReport, AnalysisError> {
    let (method, r) = match test {
        GroupTest::Welch => ("ttest", hypothesis::welch_t_test(&groups[0], &groups[1])?),
        GroupTest::MannWhitney(exact) => (
            "mannwhitney",
            match exact {
                Exact::Auto => hypothesis::wilcox_test(&groups[0], &groups[1])?,
                Exact::Yes => hypothesis::mann_whitney_exact(&groups[0], &groups[1])?,
                Exact::No => hypothesis::mann_whitney(&groups[0], &groups[1])?,
            },
        ),
        GroupTest::KruskalWallis => ("kruskal", hypothesis::kruskal_wallis(groups)?),
    };
    Ok(GroupTestReport {
        groups: labels,
        method,
        result: TestReport::from(&r),
    })
}

/// Spearman rank correlation of `x` and `y`, R's `cor.test(method = "spearman", exact = ...)`.
pub fn spearman(x: &[f64], y: &[f64], exact: Exact) -> Result<AssociationReport, AnalysisError> {
    let r = match exact {
        Exact::Auto => hypothesis::cor_test_spearman(x, y)?,
        Exact::Yes => hypothesis::spearman_exact(x, y)?,
        Exact::No => hypothesis::spearman(x, y)?,
    };
    Ok(AssociationReport {
        method: "spearman",
        result: TestReport::from(&r),
    })
}

/// Cochran–Armitage trend of `successes` out of `trials`, scored 1, 2, … unless `scores`.
pub fn trend(
    successes: &[f64],
    trials: &[f64],
    scores: Option<&[f64]>,
) -> Result<AssociationReport, AnalysisError> {
    let default: Vec<f64>;
    let s = match scores {
        Some(s) => s,
        None => {
            default = (1..=successes.len()).map(|i| i as f64).collect();
            &default
        }
    };
    Ok(AssociationReport {
        method: "trend",
        result: TestReport::from(&hypothesis::cochran_armitage(successes, trials, s)?),
    })
}

/// Adjust `p` by `method` and count the rejections at `alpha`.
pub fn padjust(p: &[f64], method: PAdjust, alpha: f64) -> Result<PadjustReport, AnalysisError> {
    let adjusted = hypothesis::p_adjust(p, method)?;
    Ok(PadjustReport {
        rejected: adjusted.iter().filter(|q| **q <= alpha).count(),
        adjusted,
        adjustment: method.as_str(),
        alpha,
        method: "padjust",
    })
}

/// Cronbach's alpha of the item columns `cols` (named `items`).
pub fn alpha(items: Vec<String>, cols: &[Vec<f64>]) -> Result<AlphaReport, AnalysisError> {
    Ok(AlphaReport {
        alpha: hypothesis::cronbach_alpha(cols)?,
        items,
        method: "alpha",
    })
}

/// Aggregate MaxDiff scores: item codes `codes` (labels `labels`), choices 1 / 0 / −1.
pub fn maxdiff(
    codes: &[u32],
    choices: &[i8],
    labels: &[String],
) -> Result<MaxDiffReport, AnalysisError> {
    let items = priority::maxdiff_aggregate(codes, choices, labels)?
        .into_iter()
        .map(|s| MaxDiffItem {
            b: s.b,
            best: s.best,
            choice_p: s.choice_p,
            item: s.item,
            n: s.n,
            se: s.se,
            worst: s.worst,
        })
        .collect();
    Ok(MaxDiffReport {
        individual: None,
        items,
        method: "maxdiff",
    })
}

/// Best-minus-worst counts per respondent (codes `respondents`, labels `respondent_labels`).
pub fn maxdiff_individual(
    (respondents, respondent_labels): (&[u64], &[String]),
    codes: &[u32],
    choices: &[i8],
    labels: &[String],
) -> Result<Vec<IndividualScores>, AnalysisError> {
    Ok(
        priority::maxdiff_individual(respondents, codes, choices, labels.len())?
            .iter()
            .map(|(id, s)| IndividualScores {
                best_minus_worst: labels.iter().cloned().zip(s.iter().copied()).collect(),
                respondent: respondent_labels[*id as usize].clone(),
            })
            .collect(),
    )
}

/// A Kano feature that could not be classified.
#[derive(Debug, thiserror::Error)]
#[error("feature '{feature}': {source}")]
pub struct KanoError {
    /// The feature.
    pub feature: String,
    /// Why.
    #[source]
    pub source: AnalysisError,
}

/// Classify each feature from its (functional, dysfunctional) answer pairs.
pub fn kano(
    features: &[String],
    pairs: &[Vec<(KanoAnswer, KanoAnswer)>],
) -> Result<KanoReport, KanoError> {
    let features = features
        .iter()
        .zip(pairs)
        .map(|(name, p)| {
            let s = priority::kano_classify(p).map_err(|source| KanoError {
                feature: name.clone(),
                source,
            })?;
            Ok(KanoFeature {
                better: s.better,
                category: s.category,
                counts: KanoCounts::new(s.counts),
                feature: name.clone(),
                worse: s.worse,
            })
        })
        .collect::<Result<Vec<_>, KanoError>>()?;
    Ok(KanoReport {
        features,
        method: "kano",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// Serialising a report directly and through a `Value` (sorted keys) gives the same text.
    fn same_text<T: Serialize>(r: &T) {
        let direct = serde_json::to_string_pretty(r).unwrap();
        let via = serde_json::to_string_pretty(&serde_json::to_value(r).unwrap()).unwrap();
        assert_eq!(direct, via);
    }

    #[test]
    fn reports_serialise_with_their_keys_in_sorted_order() {
        let d = Design::builder(vec![1.0, 2.0, 1.0, 3.0]).build().unwrap();
        let y = [1.0, 2.0, 4.0, 3.0];
        let codes = [0, 1, 0, 1];
        let labels = vec!["a".to_string(), "b".to_string()];
        let by = Domains {
            column: "g".into(),
            levels: vec![("a".into(), vec![true, false, true, false])],
        };
        same_text(&VariableReport {
            method: "mean",
            result: per_domain(Some(&by), |m| {
                Ok(EstimateReport::new(&d.mean(&y, m)?, 0.95))
            })
            .unwrap(),
            var: "y".into(),
        });
        same_text(&PropReport {
            ci_method: PropInterval::Wilson,
            method: "prop",
            result: per_domain(None, |m| {
                frequencies(&d, &codes, &labels, m, PropInterval::Wilson, 0.95)
            })
            .unwrap(),
            var: "g".into(),
        });
        same_text(&quantiles(&d, &y, &[0.5], None, 0.95).unwrap());
        same_text(&crosstab(&d, (&codes, &labels), (&[0, 0, 1, 1], &labels), None, 0.95).unwrap());
        same_text(&weighted(&d, Some(&y), true, 0.95).unwrap());
        same_text(
            &group_test(
                GroupTest::Welch,
                labels.clone(),
                &split_groups(&y, &codes, 2),
            )
            .unwrap(),
        );
        same_text(&padjust(&[0.01, 0.2], PAdjust::Holm, 0.05).unwrap());
        let mut md = maxdiff(&[0, 1, 0, 1], &[1, -1, -1, 1], &labels).unwrap();
        md.individual = Some(
            maxdiff_individual(
                (&[0, 0, 1, 1], &labels),
                &[0, 1, 0, 1],
                &[1, -1, -1, 1],
                &labels,
            )
            .unwrap(),
        );
        same_text(&md);
        let like = (
            KanoAnswer::parse("like").unwrap(),
            KanoAnswer::parse("neutral").unwrap(),
        );
        same_text(&kano(&labels[..1], &[vec![like; 3]]).unwrap());
    }
}
