//! The typed result of each statistical method, in the one JSON shape that `insikt stats` prints
//! and the JSON API will serve. Fields are declared in alphabetical order of their JSON names so
//! that serialising a report directly gives the same text as serialising it through a
//! `serde_json::Value` (whose objects sort their keys): both front ends print identical bytes.
//! Non-finite numbers (an undefined SE or df) serialise as `null`.

use std::collections::BTreeMap;

use analysis::priority::KanoCategory;
use analysis::Estimate;
use serde::Serialize;

/// A point estimate with its Wald interval at the requested level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateReport {
    /// Lower and upper confidence limits.
    pub ci: [f64; 2],
    /// Design effect, when computed.
    pub deff: Option<f64>,
    /// Design degrees of freedom.
    pub df: f64,
    /// Point estimate.
    pub estimate: f64,
    /// Unweighted observations that contributed.
    pub n: usize,
    /// Standard error.
    pub se: f64,
}

impl EstimateReport {
    /// The report of `e` with its interval at confidence `level`.
    pub fn new(e: &Estimate, level: f64) -> EstimateReport {
        let (lo, hi) = e.ci(level);
        EstimateReport {
            ci: [lo, hi],
            deff: e.deff,
            df: e.df,
            estimate: e.estimate,
            n: e.n,
            se: e.se,
        }
    }
}

/// A result for the whole sample, or one per level of a `by` column (domains keep the design).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PerDomain<T> {
    /// No `by` column: the result itself.
    Whole(T),
    /// One result per domain.
    Domains {
        /// The `by` column.
        by: String,
        /// Results in the order the levels first appear.
        domains: Vec<DomainResult<T>>,
    },
}

/// The result for one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainResult<T> {
    /// The level of the `by` column.
    pub by: String,
    /// The result within it.
    pub result: T,
}

/// `mean` and `total` of one numeric column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariableReport {
    /// `mean` or `total`.
    pub method: &'static str,
    /// The estimate(s).
    pub result: PerDomain<EstimateReport>,
    /// The column.
    pub var: String,
}

/// `ratio` of two totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioReport {
    /// Denominator column.
    pub den: String,
    /// Always `ratio`.
    pub method: &'static str,
    /// Numerator column.
    pub num: String,
    /// The estimate(s).
    pub result: PerDomain<EstimateReport>,
}

/// Interval method for proportions; serialised by its variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PropInterval {
    /// Korn–Graubard (R `svyciprop(method = "beta")`).
    KornGraubard,
    /// Logit (R `svyciprop(method = "logit")`).
    Logit,
    /// Wilson score on the effective sample size.
    Wilson,
    /// Clopper–Pearson on the effective sample size.
    ClopperPearson,
}

/// `prop`: a weighted frequency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropReport {
    /// The interval method.
    pub ci_method: PropInterval,
    /// Always `prop`.
    pub method: &'static str,
    /// The table(s).
    pub result: PerDomain<FrequencyReport>,
    /// The categorical column.
    pub var: String,
}

/// One frequency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyReport {
    /// One row per category, in the order of the labels.
    pub categories: Vec<CategoryReport>,
    /// Estimated population size of the domain.
    pub population: f64,
}

/// One category of a frequency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryReport {
    /// The category label.
    pub category: String,
    /// Interval of the proportion.
    pub ci: [f64; 2],
    /// Unweighted count.
    pub n: usize,
    /// Estimated proportion.
    pub proportion: f64,
    /// SE of the proportion.
    pub se: f64,
    /// Estimated population total.
    pub total: EstimateReport,
}

/// `quantile`: quantiles with Woodruff intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileReport {
    /// Always `quantile`.
    pub method: &'static str,
    /// The quantiles.
    pub result: PerDomain<Vec<QuantileRow>>,
    /// The numeric column.
    pub var: String,
}

/// One quantile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileRow {
    /// Lower and upper confidence limits.
    pub ci: [f64; 2],
    /// The probability.
    pub p: f64,
    /// The quantile.
    pub quantile: f64,
    /// SE implied by the interval.
    pub se: f64,
}

/// `crosstab`: a weighted cross-tabulation with Rao–Scott tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrosstabReport {
    /// Column variable.
    pub cols: String,
    /// Always `crosstab`.
    pub method: &'static str,
    /// The table(s).
    pub result: PerDomain<TableReport>,
    /// Row variable.
    pub rows: String,
}

/// One cross-tabulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableReport {
    /// Cells, row-major.
    pub cells: Vec<CellReport>,
    /// Tests of independence.
    pub rao_scott: RaoScottReport,
}

/// One cell of a cross-tabulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellReport {
    /// Column label.
    pub col: String,
    /// Share of the column.
    pub col_share: EstimateReport,
    /// Unweighted count.
    pub n: usize,
    /// Row label.
    pub row: String,
    /// Share of the row.
    pub row_share: EstimateReport,
    /// Share of the table total.
    pub share: EstimateReport,
    /// Estimated population count.
    pub total: EstimateReport,
}

/// Rao–Scott tests (R `svychisq`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaoScottReport {
    /// Denominator df of the F test.
    pub ddf: f64,
    /// Second-order F statistic.
    pub f: f64,
    /// First-order corrected chi-square test.
    pub first_order: FirstOrderReport,
    /// Numerator df of the F test.
    pub ndf: f64,
    /// p-value of the F test.
    pub p_value: f64,
    /// Pearson X² on the rescaled table.
    pub pearson: f64,
}

/// The first-order Rao–Scott test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstOrderReport {
    /// Corrected X².
    pub chisq: f64,
    /// (r − 1)(c − 1).
    pub df: usize,
    /// p-value.
    pub p_value: f64,
}

/// Estimates after re-weighting, and a summary of the new weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedReport {
    /// Mean of the requested column with the new weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<EstimateReport>,
    /// Total of the requested column, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<EstimateReport>,
    /// The new weights.
    pub weights: WeightSummary,
}

/// Sum, range and Kish effective sample size of a set of weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightSummary {
    /// Kish effective n.
    pub kish_effective_n: f64,
    /// Largest weight.
    pub max: f64,
    /// Smallest weight.
    pub min: f64,
    /// Sum of the weights.
    pub sum: f64,
}

/// `rake`: raking to population margins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RakingReport {
    /// The margin columns.
    pub margins: Vec<String>,
    /// Always `rake`.
    pub method: &'static str,
    /// How the raking converged.
    pub report: ConvergenceReport,
    /// Estimates with the raked weights.
    pub result: WeightedReport,
}

/// `rake --rows R --cols C`: raking to population margins, then the cross-tab with the raked
/// design (its standard errors account for the calibration, as a raked results page's do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RakedCrosstabReport {
    /// The margin columns.
    pub margins: Vec<String>,
    /// Always `rake`.
    pub method: &'static str,
    /// How the raking converged.
    pub report: ConvergenceReport,
    /// The cross-tab with the raked weights.
    pub crosstab: CrosstabReport,
}

/// How an iterative weighting converged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceReport {
    /// Whether the margins were met within the tolerance.
    pub converged: bool,
    /// Sweeps run.
    pub iterations: usize,
    /// Largest relative gap to a margin at the end.
    pub max_error: f64,
}

/// `poststratify`: post-stratification to one margin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoststratifyReport {
    /// The margin column.
    pub margin: String,
    /// Always `poststratify`.
    pub method: &'static str,
    /// Estimates with the new weights.
    pub result: WeightedReport,
}

/// `calibrate`: linear calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrateReport {
    /// Always `calibrate`.
    pub method: &'static str,
    /// Estimates with the new weights.
    pub result: WeightedReport,
}

/// A test with one statistic; `df` and `estimate` are `null` where not meaningful.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    /// Degrees of freedom.
    pub df: Option<f64>,
    /// Effect estimate.
    pub estimate: Option<f64>,
    /// p-value.
    pub p_value: f64,
    /// Test statistic.
    pub statistic: f64,
}

impl From<&analysis::hypothesis::TestResult> for TestReport {
    fn from(r: &analysis::hypothesis::TestResult) -> TestReport {
        TestReport {
            df: r.df.is_finite().then_some(r.df),
            estimate: r.estimate.is_finite().then_some(r.estimate),
            p_value: r.p_value,
            statistic: r.statistic,
        }
    }
}

/// `ttest`, `mannwhitney` and `kruskal`: a test comparing groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTestReport {
    /// Group labels, in the order they first appear.
    pub groups: Vec<String>,
    /// `ttest`, `mannwhitney` or `kruskal`.
    pub method: &'static str,
    /// The test.
    pub result: TestReport,
}

/// `spearman` and `trend`: a test of association.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssociationReport {
    /// `spearman` or `trend`.
    pub method: &'static str,
    /// The test.
    pub result: TestReport,
}

/// `padjust`: adjusted p-values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PadjustReport {
    /// Adjusted p-values in input order.
    pub adjusted: Vec<f64>,
    /// R's name of the method: `holm`, `hochberg`, `hommel`, `bonferroni`, `BH` or `BY`.
    pub adjustment: &'static str,
    /// The significance level.
    pub alpha: f64,
    /// Always `padjust`.
    pub method: &'static str,
    /// Adjusted p-values at or below `alpha`.
    pub rejected: usize,
}

/// `alpha`: Cronbach's alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaReport {
    /// The coefficient.
    pub alpha: f64,
    /// The item columns.
    pub items: Vec<String>,
    /// Always `alpha`.
    pub method: &'static str,
}

/// `maxdiff`: aggregate scores, and individual ones when respondents are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaxDiffReport {
    /// Best-minus-worst counts per respondent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub individual: Option<Vec<IndividualScores>>,
    /// One score per item.
    pub items: Vec<MaxDiffItem>,
    /// Always `maxdiff`.
    pub method: &'static str,
}

/// Aggregate best–worst scores of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaxDiffItem {
    /// Analytical logit.
    pub b: f64,
    /// Times chosen best.
    pub best: u64,
    /// Choice share.
    pub choice_p: f64,
    /// Item label.
    pub item: String,
    /// Times shown.
    pub n: u64,
    /// SE of `b`.
    pub se: f64,
    /// Times chosen worst.
    pub worst: u64,
}

/// One respondent's best-minus-worst count per item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndividualScores {
    /// Count per item label.
    pub best_minus_worst: BTreeMap<String, f64>,
    /// The respondent.
    pub respondent: String,
}

/// `kano`: classification per feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KanoReport {
    /// One summary per feature.
    pub features: Vec<KanoFeature>,
    /// Always `kano`.
    pub method: &'static str,
}

/// The Kano summary of one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KanoFeature {
    /// Better coefficient.
    pub better: f64,
    /// Modal category.
    pub category: KanoCategory,
    /// Answers per category.
    pub counts: KanoCounts,
    /// The feature.
    pub feature: String,
    /// Worse coefficient.
    pub worse: f64,
}

/// Answers per Kano category, keyed by the category letter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KanoCounts {
    /// Attractive.
    #[serde(rename = "A")]
    pub attractive: u64,
    /// Indifferent.
    #[serde(rename = "I")]
    pub indifferent: u64,
    /// Must-be.
    #[serde(rename = "M")]
    pub must_be: u64,
    /// One-dimensional.
    #[serde(rename = "O")]
    pub one_dimensional: u64,
    /// Questionable.
    #[serde(rename = "Q")]
    pub questionable: u64,
    /// Reverse.
    #[serde(rename = "R")]
    pub reverse: u64,
}

impl KanoCounts {
    /// From counts in the order A, O, M, I, R, Q.
    pub fn new(c: [u64; 6]) -> KanoCounts {
        KanoCounts {
            attractive: c[0],
            one_dimensional: c[1],
            must_be: c[2],
            indifferent: c[3],
            reverse: c[4],
            questionable: c[5],
        }
    }
}
