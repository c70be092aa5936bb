//! `insikt stats`: command-line front end to the `analysis` crate. Reads a CSV file, builds the survey
//! design from column names, runs the method through `use_cases::results::methods` and prints
//! its typed report as JSON or a plain table on stdout.
//!
//! Errors are one line naming the file, row and column (anyhow is allowed here: this is an edge of the app).
//! "data row N" counts rows after the header, so data row 1 is line 2 of the file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use analysis::hypothesis::PAdjust;
use analysis::priority::KanoAnswer;
use analysis::{AnalysisError, Design, Fpc, Margin, RakeOptions, TrimBounds};
use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use serde_json::Value;

use crate::formats::stats_csv::{self, Columns, ReadError, Select, StatsCsv, TextColumn};
use crate::use_cases::results::methods::{self, Domains, Exact, GroupTest};
use crate::use_cases::results::report::{
    CalibrateReport, CrosstabReport, EstimateReport, PerDomain, PoststratifyReport, PropInterval,
    PropReport, QuantileReport, RakedCrosstabReport, RakingReport, RatioReport, VariableReport,
    WeightedReport,
};

/// Most raking sweeps `insikt stats rake --max-iter` accepts.
const MAX_RAKE_SWEEPS: usize = 100_000;

/// Arguments of `insikt stats <method>`.
#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// Statistical method to run.
    #[command(subcommand)]
    pub method: Method,
}

/// Options shared by every method: the data file, the design and the output format.
#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// CSV file with one row per respondent (an empty field or `NA` is a missing value).
    #[arg(long)]
    pub data: PathBuf,
    /// Column with sampling weights (default: every row weighs 1).
    #[arg(long)]
    pub weights: Option<String>,
    /// Column with strata.
    #[arg(long)]
    pub strata: Option<String>,
    /// Cluster columns: PSU, or PSU,SSU for two stages.
    #[arg(long, value_delimiter = ',')]
    pub cluster: Vec<String>,
    /// Finite-population correction columns, one per stage, read as R's `as.fpc` does: population sizes
    /// when every value (all stages) is ≥ 1 and some > 1 (a certainty unit has N = 1), sampling
    /// fractions when every value is ≤ 1 and some < 1.
    #[arg(long, value_delimiter = ',')]
    pub fpc: Vec<String>,
    /// Estimate separately for each value of this column (domains keep the full design).
    #[arg(long)]
    pub by: Option<String>,
    /// What the variance does with a stratum that has one PSU (R `options(survey.lonely.psu = ...)`).
    #[arg(long, value_enum, default_value_t = LonelyPsuArg::Fail)]
    pub lonely_psu: LonelyPsuArg,
    /// With --by: a stratum with a single PSU in a domain is lonely for that domain, as R's
    /// `options(survey.adjust.domain.lonely = TRUE)` (changes `average` and `adjust`).
    #[arg(long)]
    pub adjust_domain_lonely: bool,
    /// Confidence level, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub level: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// Output format.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// Aligned text table.
    Table,
}

/// Interval method for proportions.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropCi {
    /// Korn–Graubard (R `svyciprop(method = "beta")`).
    KornGraubard,
    /// Logit (R `svyciprop(method = "logit")`).
    Logit,
    /// Wilson score on the effective sample size.
    Wilson,
    /// Clopper–Pearson on the effective sample size.
    ClopperPearson,
}

/// Multiple-testing adjustment: R's `p.adjust` methods.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustMethod {
    /// Holm step-down (R's default).
    Holm,
    /// Hochberg step-up.
    Hochberg,
    /// Hommel.
    Hommel,
    /// Bonferroni.
    Bonferroni,
    /// Benjamini–Hochberg false discovery rate (R "BH").
    #[value(alias = "BH")]
    Bh,
    /// Benjamini–Yekutieli false discovery rate (R "BY").
    #[value(alias = "BY")]
    By,
    /// The same as `bh` (R "fdr").
    Fdr,
}

impl From<AdjustMethod> for PAdjust {
    fn from(m: AdjustMethod) -> PAdjust {
        match m {
            AdjustMethod::Holm => PAdjust::Holm,
            AdjustMethod::Hochberg => PAdjust::Hochberg,
            AdjustMethod::Hommel => PAdjust::Hommel,
            AdjustMethod::Bonferroni => PAdjust::Bonferroni,
            AdjustMethod::Bh | AdjustMethod::Fdr => PAdjust::BenjaminiHochberg,
            AdjustMethod::By => PAdjust::BenjaminiYekutieli,
        }
    }
}

/// Exact or approximate p-value for a rank test (R's `exact = NULL / TRUE / FALSE`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactArg {
    /// R's default: exact for small samples without ties.
    Auto,
    /// Always exact (an error with ties).
    Yes,
    /// Always the approximation.
    No,
}

impl From<ExactArg> for Exact {
    fn from(e: ExactArg) -> Exact {
        match e {
            ExactArg::Auto => Exact::Auto,
            ExactArg::Yes => Exact::Yes,
            ExactArg::No => Exact::No,
        }
    }
}

/// Lonely-PSU policy, spelled as in R's `survey.lonely.psu`; see `analysis::LonelyPsu`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LonelyPsuArg {
    /// Refuse (R's default).
    Fail,
    /// The stratum contributes no variance.
    Remove,
    /// The single PSU is a certainty PSU: no variance.
    Certainty,
    /// The stratum gets the average variance contribution of the others.
    Average,
    /// The single PSU is centred at the grand mean.
    Adjust,
}

impl From<LonelyPsuArg> for analysis::LonelyPsu {
    fn from(a: LonelyPsuArg) -> Self {
        match a {
            LonelyPsuArg::Fail => analysis::LonelyPsu::Fail,
            LonelyPsuArg::Remove => analysis::LonelyPsu::Remove,
            LonelyPsuArg::Certainty => analysis::LonelyPsu::Certainty,
            LonelyPsuArg::Average => analysis::LonelyPsu::Average,
            LonelyPsuArg::Adjust => analysis::LonelyPsu::Adjust,
        }
    }
}

/// The methods of `insikt stats`.
#[derive(clap::Subcommand, Debug)]
pub enum Method {
    /// Weighted mean with design-based SE (R svymean).
    Mean {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
    },
    /// Weighted total with design-based SE (R svytotal).
    Total {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
    },
    /// Ratio of two totals (R svyratio).
    Ratio {
        #[command(flatten)]
        common: Common,
        /// Numerator column.
        #[arg(long)]
        num: String,
        /// Denominator column.
        #[arg(long)]
        den: String,
    },
    /// Weighted frequency table of a categorical column with proportions, SEs and CIs (R svymean on
    /// the factor; intervals by svyciprop, whose default method is "logit").
    Prop {
        #[command(flatten)]
        common: Common,
        /// Categorical column.
        #[arg(long)]
        var: String,
        /// Interval method (default: R svyciprop's default, logit).
        #[arg(long, value_enum, default_value_t = PropCi::Logit)]
        ci: PropCi,
    },
    /// Quantiles with Woodruff intervals (R svyquantile).
    Quantile {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
        /// Probabilities.
        #[arg(long, value_delimiter = ',', default_value = "0.25,0.5,0.75")]
        probs: Vec<f64>,
    },
    /// Weighted cross-tab with row/column shares and Rao–Scott tests (R svytable + svychisq).
    Crosstab {
        #[command(flatten)]
        common: Common,
        /// Row variable.
        #[arg(long)]
        rows: String,
        /// Column variable.
        #[arg(long)]
        cols: String,
    },
    /// Rake to population margins (R rake); optionally trim weights and estimate a mean afterwards.
    Rake {
        #[command(flatten)]
        common: Common,
        /// COLUMN=FILE.csv with rows `category,total` (repeat for each margin).
        #[arg(long = "margin", required = true)]
        margins: Vec<String>,
        /// Relative tolerance on the margins (R's rake stops at an absolute error below 1 after at
        /// most 10 sweeps by default; this iterates to convergence and reports whether it got there).
        #[arg(long, default_value_t = 1e-8, allow_negative_numbers = true)]
        tolerance: f64,
        /// Maximum raking sweeps.
        #[arg(long, default_value_t = 200)]
        max_iter: usize,
        /// Lower weight bound for trimming.
        #[arg(long)]
        trim_lower: Option<f64>,
        /// Upper weight bound for trimming.
        #[arg(long)]
        trim_upper: Option<f64>,
        /// Estimate the mean of this column with the new weights.
        #[arg(long)]
        var: Option<String>,
        /// Also estimate the total of `--var`.
        #[arg(long)]
        total: bool,
        /// Cross-tabulate this row variable with `--cols` on the raked design instead of `--var`
        /// (R: `svytable`/`svychisq` on the `rake()`d design), with `--by` domains as `crosstab`.
        #[arg(long, requires = "cols", conflicts_with = "var")]
        rows: Option<String>,
        /// Column variable of the cross-tab after raking.
        #[arg(long, requires = "rows")]
        cols: Option<String>,
    },
    /// Post-stratify to population counts (R postStratify).
    Poststratify {
        #[command(flatten)]
        common: Common,
        /// COLUMN=FILE.csv with rows `category,total`.
        #[arg(long)]
        margin: String,
        /// Estimate the mean of this column with the new weights.
        #[arg(long)]
        var: Option<String>,
        /// Also estimate the total of `--var`.
        #[arg(long)]
        total: bool,
    },
    /// Linear (GREG) calibration to known totals (R calibrate, calfun = "linear").
    Calibrate {
        #[command(flatten)]
        common: Common,
        /// COLUMN=TOTAL for a numeric auxiliary variable (repeatable).
        #[arg(long = "total-of")]
        totals: Vec<String>,
        /// Population size (adds an intercept to the calibration).
        #[arg(long)]
        population: Option<f64>,
        /// Estimate the mean of this column with the new weights.
        #[arg(long)]
        var: Option<String>,
    },
    /// Welch two-sample t-test (R t.test).
    Ttest {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
        /// Column with exactly two groups.
        #[arg(long)]
        group: String,
    },
    /// Mann–Whitney U (R wilcox.test: exact p-value below 50 per group without ties, else the normal
    /// approximation with continuity correction).
    Mannwhitney {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
        /// Column with exactly two groups.
        #[arg(long)]
        group: String,
        /// Exact p-value: auto (R's default), yes or no.
        #[arg(long, value_enum, default_value_t = ExactArg::Auto)]
        exact: ExactArg,
    },
    /// Kruskal–Wallis (R kruskal.test).
    Kruskal {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
        /// Group column.
        #[arg(long)]
        group: String,
    },
    /// Spearman rank correlation (R cor.test, method = "spearman": statistic S, exact p-value below
    /// 1290 pairs without ties, else the t approximation).
    Spearman {
        #[command(flatten)]
        common: Common,
        /// First column.
        #[arg(long)]
        x: String,
        /// Second column.
        #[arg(long)]
        y: String,
        /// Exact p-value: auto (R's default), yes or no.
        #[arg(long, value_enum, default_value_t = ExactArg::Auto)]
        exact: ExactArg,
    },
    /// Cochran–Armitage trend in proportions; one row per ordered group (R prop.trend.test).
    Trend {
        #[command(flatten)]
        common: Common,
        /// Column of successes.
        #[arg(long)]
        successes: String,
        /// Column of trials.
        #[arg(long)]
        trials: String,
        /// Column of scores (default 1, 2, …).
        #[arg(long)]
        scores: Option<String>,
    },
    /// Adjust p-values for multiple testing (R p.adjust).
    Padjust {
        #[command(flatten)]
        common: Common,
        /// Column of p-values.
        #[arg(long)]
        pvalues: String,
        /// Method.
        #[arg(long, value_enum, default_value_t = AdjustMethod::Holm)]
        method: AdjustMethod,
        /// Significance level used to count rejections.
        #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
        alpha: f64,
    },
    /// Cronbach's alpha of a set of items.
    Alpha {
        #[command(flatten)]
        common: Common,
        /// Item columns.
        #[arg(long, value_delimiter = ',', required = true)]
        items: Vec<String>,
    },
    /// MaxDiff aggregate analytical logit scores (bwsTools) and counts; long format, one row per item shown.
    Maxdiff {
        #[command(flatten)]
        common: Common,
        /// Item column.
        #[arg(long)]
        item: String,
        /// Choice column: 1 best, -1 worst, 0 shown.
        #[arg(long)]
        value: String,
        /// Respondent column: adds individual best-minus-worst scores.
        #[arg(long)]
        respondent: Option<String>,
    },
    /// Kano classification with Better/Worse per feature.
    Kano {
        #[command(flatten)]
        common: Common,
        /// Functional answer column.
        #[arg(long)]
        functional: String,
        /// Dysfunctional answer column.
        #[arg(long)]
        dysfunctional: String,
        /// Feature column (one summary per feature).
        #[arg(long)]
        feature: Option<String>,
    },
}

impl Method {
    /// The options every method shares.
    fn common(&self) -> &Common {
        match self {
            Method::Mean { common, .. }
            | Method::Total { common, .. }
            | Method::Ratio { common, .. }
            | Method::Prop { common, .. }
            | Method::Quantile { common, .. }
            | Method::Crosstab { common, .. }
            | Method::Rake { common, .. }
            | Method::Poststratify { common, .. }
            | Method::Calibrate { common, .. }
            | Method::Ttest { common, .. }
            | Method::Mannwhitney { common, .. }
            | Method::Kruskal { common, .. }
            | Method::Spearman { common, .. }
            | Method::Trend { common, .. }
            | Method::Padjust { common, .. }
            | Method::Alpha { common, .. }
            | Method::Maxdiff { common, .. }
            | Method::Kano { common, .. } => common,
        }
    }
}

/// The columns of a CSV file that a command uses, typed as read (see `formats::stats_csv`), with
/// the path kept for error messages.
struct Frame {
    path: PathBuf,
    data: Columns,
}

impl Frame {
    /// Read the columns `select` names. A missing column is reported when it is asked for, so
    /// errors come in the order the command checks its inputs.
    fn read(path: &Path, select: &Select) -> Result<Frame> {
        let data = stats_csv::read(path, select).map_err(|e| read_error(path, e))?;
        Ok(Frame {
            path: path.to_path_buf(),
            data,
        })
    }

    fn rows(&self) -> usize {
        self.data.rows
    }

    fn missing(&self, name: &str) -> anyhow::Error {
        if self.data.has(name) {
            // A command asked for a column it did not select: a bug here, not bad input.
            anyhow!(
                "{}: column '{}' was not read (internal error)",
                self.path.display(),
                name
            )
        } else {
            anyhow!(
                "{}: no column '{}' (columns: {})",
                self.path.display(),
                name,
                self.data.header.join(", ")
            )
        }
    }

    /// Text column: the cells as written.
    fn text(&self, name: &str) -> Result<&TextColumn> {
        self.data.text(name).ok_or_else(|| self.missing(name))
    }

    /// Numeric column; empty or `NA` is missing (NaN). Anything else that does not parse is an error.
    fn num(&self, name: &str) -> Result<Vec<f64>> {
        let col = self.data.number(name).ok_or_else(|| self.missing(name))?;
        match &col.first_bad {
            None => Ok(col.values.clone()),
            // `inf` and `NaN` parse as floats, but no estimate can use them: an infinite
            // value would give an infinite or undefined estimate, and NaN is not how a
            // CSV says "missing" here (an empty field or NA is).
            Some(bad) if bad.parsed => Err(anyhow!(
                "{}: data row {}, column '{}': '{}' is not a finite number",
                self.path.display(),
                bad.row,
                name,
                bad.text
            )),
            Some(bad) => Err(anyhow!(
                "{}: data row {}, column '{}': '{}' is not a number",
                self.path.display(),
                bad.row,
                name,
                bad.text
            )),
        }
    }

    /// Numeric column that must be complete (design variables).
    fn num_complete(&self, name: &str) -> Result<Vec<f64>> {
        let v = self.num(name)?;
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            bail!(
                "{}: data row {}, column '{}': missing value in a design variable",
                self.path.display(),
                i + 1,
                name
            );
        }
        Ok(v)
    }

    /// Categorical column: codes in order of first appearance (missing = `analysis::MISSING`) and labels.
    fn cat(&self, name: &str) -> Result<(Vec<u32>, Vec<String>)> {
        Ok(self.text(name)?.categories())
    }

    fn codes_u64(&self, name: &str) -> Result<(Vec<u64>, Vec<String>)> {
        let (c, l) = self.cat(name)?;
        if let Some(i) = c.iter().position(|&x| x == analysis::MISSING) {
            bail!(
                "{}: data row {}, column '{}': missing value in a design variable",
                self.path.display(),
                i + 1,
                name
            );
        }
        Ok((c.into_iter().map(u64::from).collect(), l))
    }
}

/// The reader's error as the one line the CLI has always printed: the file, then what failed, then
/// the parser's own words.
fn read_error(path: &Path, e: ReadError) -> anyhow::Error {
    let what = format!("{}: {e}", path.display());
    match e {
        ReadError::Open(source)
        | ReadError::Header(source)
        | ReadError::Malformed { source, .. } => anyhow::Error::new(source).context(what),
        ReadError::NotUtf8 { source, .. } => anyhow::Error::new(source).context(what),
    }
}

/// Turn an analysis error into a message that names the file and, where possible, the stratum label.
fn explain(
    frame: &Frame,
    common: &Common,
    strata_labels: &[String],
    e: AnalysisError,
) -> anyhow::Error {
    let file = frame.path.display();
    match e {
        AnalysisError::LonelyPsu { stage: 1, .. } if common.strata.is_none() => {
            anyhow!(
                "{file}: the sample has only one PSU ({}); no variance can be estimated from it",
                if common.cluster.is_empty() {
                    "one data row"
                } else {
                    "one cluster"
                }
            )
        }
        AnalysisError::LonelyPsu { stratum, stage: 1 } => {
            let label = strata_labels
                .get(stratum)
                .cloned()
                .unwrap_or_else(|| stratum.to_string());
            let col = common.strata.as_deref().unwrap_or("(none)");
            anyhow!("{file}: column '{col}': stratum '{label}' has only one PSU; its variance cannot be estimated (merge it with a neighbouring stratum or choose --lonely-psu remove|certainty|average|adjust)")
        }
        AnalysisError::ZeroWeightSum { context } => {
            anyhow!(
                "{file}: column '{}': weights sum to zero{context}",
                common.weights.as_deref().unwrap_or("(none)")
            )
        }
        other => anyhow!("{file}: {other}"),
    }
}

struct Loaded {
    frame: Frame,
    design: Design,
    strata_labels: Vec<String>,
}

/// The categories of a text column use the analysis crate's missing code.
const _: () = assert!(analysis::MISSING == stats_csv::MISSING_CODE);

/// The columns the design options name: weights and fpc as numbers, strata, clusters and the
/// `--by` column as categories.
fn design_columns(common: &Common) -> Select {
    Select::new()
        .numbers(&common.weights)
        .texts(&common.strata)
        .texts(&common.cluster)
        .numbers(&common.fpc)
        .texts(&common.by)
}

/// Read the design's columns and `select`'s, and build the design.
fn load(common: &Common, select: Select) -> Result<Loaded> {
    let mut all = design_columns(common);
    all.extend(select);
    let frame = Frame::read(&common.data, &all)?;
    let n = frame.rows();
    if n == 0 {
        bail!("{}: no data rows", frame.path.display());
    }
    let weights = match &common.weights {
        Some(w) => {
            let v = frame.num_complete(w)?;
            if let Some(i) = v.iter().position(|x| *x < 0.0) {
                bail!(
                    "{}: data row {}, column '{}': negative weight",
                    frame.path.display(),
                    i + 1,
                    w
                );
            }
            if v.iter().sum::<f64>() <= 0.0 {
                bail!(
                    "{}: column '{}': weights sum to zero",
                    frame.path.display(),
                    w
                );
            }
            v
        }
        None => vec![1.0; n],
    };
    let mut b = Design::builder(weights)
        .lonely_psu(common.lonely_psu.into())
        .adjust_domain_lonely(common.adjust_domain_lonely);
    let mut strata_labels = Vec::new();
    if let Some(s) = &common.strata {
        let (codes, labels) = frame.codes_u64(s)?;
        strata_labels = labels;
        b = b.strata(codes);
    }
    if common.cluster.len() > 2 || common.fpc.len() > 2 {
        bail!("at most two sampling stages are supported (--cluster PSU,SSU and --fpc N1,N2)");
    }
    if let Some(c) = common.cluster.first() {
        b = b.clusters(frame.codes_u64(c)?.0);
    }
    if let Some(c) = common.cluster.get(1) {
        b = b.subclusters(frame.codes_u64(c)?.0);
    }
    let fpc_cols = common
        .fpc
        .iter()
        .map(|c| frame.num_complete(c))
        .collect::<Result<Vec<_>>>()?;
    if !fpc_cols.is_empty() {
        // R's as.fpc rule over all stages together (see `Fpc::from_stages`).
        let stages = Fpc::from_stages(fpc_cols).map_err(|e| {
            anyhow!(
                "{}: column{} '{}': {e}",
                frame.path.display(),
                if common.fpc.len() > 1 { "s" } else { "" },
                common.fpc.join("', '")
            )
        })?;
        for (stage, fpc) in stages.into_iter().enumerate() {
            b = if stage == 0 { b.fpc(fpc) } else { b.fpc2(fpc) };
        }
    }
    let design = b
        .build()
        .map_err(|e| explain(&frame, common, &strata_labels, e))?;
    Ok(Loaded {
        frame,
        design,
        strata_labels,
    })
}

impl Loaded {
    fn fail(&self, common: &Common, e: AnalysisError) -> anyhow::Error {
        explain(&self.frame, common, &self.strata_labels, e)
    }

    /// Domains for `--by`: (label, mask) per level, or `None` for the whole sample.
    fn domains(&self, common: &Common) -> Result<Option<Domains>> {
        let Some(by) = &common.by else {
            return Ok(None);
        };
        let (codes, labels) = self.frame.cat(by)?;
        let levels = labels
            .iter()
            .enumerate()
            .map(|(k, l)| (l.clone(), codes.iter().map(|&c| c as usize == k).collect()))
            .collect();
        Ok(Some(Domains {
            column: by.clone(),
            levels,
        }))
    }

    /// Run `f` for the whole sample or per `--by` domain, naming the file in errors.
    fn per_domain<T, F>(&self, common: &Common, f: F) -> Result<PerDomain<T>>
    where
        F: Fn(Option<&[bool]>) -> std::result::Result<T, AnalysisError>,
    {
        let doms = self.domains(common)?;
        methods::per_domain(doms.as_ref(), f).map_err(|e| self.fail(common, e))
    }
}

/// A margin read from `COLUMN=FILE.csv`, with what error messages need to name it.
struct MarginSpec {
    column: String,
    file: String,
    categories: Vec<String>,
    margin: Margin,
}

/// Name the margin file and category label in raking / post-stratification errors.
fn margin_error(
    l: &Loaded,
    common: &Common,
    specs: &[MarginSpec],
    e: AnalysisError,
) -> anyhow::Error {
    let data = l.frame.path.display();
    match e {
        AnalysisError::EmptySampleCell {
            margin,
            category,
            target,
        } => {
            let m = &specs[margin];
            anyhow!("{}: category '{}' of column '{}' has population total {target} but no respondents in {data}", m.file, m.categories[category], m.column)
        }
        AnalysisError::UnknownCategory { margin, category } => {
            let m = &specs[margin];
            anyhow!(
                "{}: category '{}' of column '{}' has population total 0 but respondents in {data}",
                m.file,
                m.categories[category],
                m.column
            )
        }
        other => l.fail(common, other),
    }
}

/// The data columns named by `COLUMN=...` specs (margins, totals); a spec without `=` names none
/// here and is reported where it is parsed.
fn margin_columns(specs: &[String]) -> Vec<String> {
    specs
        .iter()
        .filter_map(|s| s.split_once('=').map(|(c, _)| c.to_string()))
        .collect()
}

/// Read a margin file `category,total` for `COLUMN=FILE` and map the data column onto its categories.
fn read_margin(frame: &Frame, spec: &str) -> Result<MarginSpec> {
    let (col, file) = spec
        .split_once('=')
        .ok_or_else(|| anyhow!("--margin '{spec}': expected COLUMN=FILE.csv"))?;
    let path = Path::new(file);
    let opened = StatsCsv::open(path).map_err(|e| read_error(path, e))?;
    let h = opened.header().to_vec();
    let select = match h.as_slice() {
        [cat, total, ..] => Select::new().text(cat).number(total),
        _ => Select::new(),
    };
    let mf = Frame {
        path: path.to_path_buf(),
        data: opened.read(&select).map_err(|e| read_error(path, e))?,
    };
    if h.len() < 2 {
        bail!("{file}: a margin file needs two columns: category,total");
    }
    let cat_col = mf.text(&h[0])?;
    let cats: Vec<String> = (0..mf.rows()).map(|i| cat_col.get(i).to_string()).collect();
    let totals = mf.num_complete(&h[1])?;
    let data = frame.text(col)?;
    // Each distinct cell is looked up once; the first row whose cell has no category is reported.
    let position: Vec<Option<u32>> = data
        .labels
        .iter()
        .map(|v| cats.iter().position(|c| c == v.trim()).map(|p| p as u32))
        .collect();
    let codes = data
        .codes
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            position[c as usize].ok_or_else(|| {
                anyhow!(
                    "{}: data row {}, column '{}': category '{}' is not in margin file {}",
                    frame.path.display(),
                    i + 1,
                    col,
                    data.get(i),
                    file
                )
            })
        })
        .collect::<Result<Vec<u32>>>()?;
    Ok(MarginSpec {
        column: col.to_string(),
        file: file.to_string(),
        categories: cats,
        margin: Margin {
            codes,
            targets: totals,
        },
    })
}

/// The new design's estimates of `--var` (missing values allowed), naming the file in errors.
fn after_weighting(
    d: &Design,
    frame: &Frame,
    var: Option<&String>,
    total: bool,
    level: f64,
) -> Result<WeightedReport> {
    let y = var.map(|v| frame.num(v)).transpose()?;
    methods::weighted(d, y.as_deref(), total, level)
        .map_err(|e| anyhow!("{}: {e}", frame.path.display()))
}

/// The numeric `var` split by the levels of `group`, with the level labels.
fn groups_of(frame: &Frame, var: &str, group: &str) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let y = frame.num(var)?;
    let (codes, labels) = frame.cat(group)?;
    let g = methods::split_groups(&y, &codes, labels.len());
    Ok((labels, g))
}

fn two_groups(frame: &Frame, var: &str, group: &str) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let (labels, g) = groups_of(frame, var, group)?;
    if labels.len() != 2 {
        bail!(
            "{}: column '{}' must have exactly two groups, found {}",
            frame.path.display(),
            group,
            labels.len()
        );
    }
    Ok((labels, g))
}

impl From<PropCi> for PropInterval {
    fn from(m: PropCi) -> PropInterval {
        match m {
            PropCi::KornGraubard => PropInterval::KornGraubard,
            PropCi::Logit => PropInterval::Logit,
            PropCi::Wilson => PropInterval::Wilson,
            PropCi::ClopperPearson => PropInterval::ClopperPearson,
        }
    }
}

/// Run one `insikt stats` method and print its result on stdout.
pub fn run(args: StatsArgs) -> Result<()> {
    let level = args.method.common().level;
    if !(level > 0.0 && level < 1.0) {
        bail!("--level {level}: a confidence level must lie strictly between 0 and 1 (e.g. 0.95)");
    }
    let (common, out) = dispatch(args.method)?;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", render(&out, common.format)) {
        // A closed pipe (`insikt stats … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A report as a JSON value, which both output formats are rendered from.
/// A comparison of `var` between the groups of `group`: exactly two groups for the two-sample
/// tests, any number for Kruskal–Wallis.
fn group_test(data: &Path, var: &str, group: &str, test: GroupTest) -> Result<Value> {
    let f = Frame::read(data, &Select::new().number(var).text(group))?;
    let (labels, g) = match test {
        GroupTest::KruskalWallis => groups_of(&f, var, group)?,
        GroupTest::Welch | GroupTest::MannWhitney(_) => two_groups(&f, var, group)?,
    };
    let r =
        methods::group_test(test, labels, &g).map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
    value(&r)
}

fn value<T: Serialize>(report: &T) -> Result<Value> {
    Ok(serde_json::to_value(report)?)
}

fn dispatch(method: Method) -> Result<(Common, Value)> {
    Ok(match method {
        Method::Mean { common, var } => {
            let l = load(&common, Select::new().number(&var))?;
            let y = l.frame.num(&var)?;
            let result = l.per_domain(&common, |d| {
                Ok(EstimateReport::new(&l.design.mean(&y, d)?, common.level))
            })?;
            let r = VariableReport {
                method: "mean",
                result,
                var,
            };
            (common, value(&r)?)
        }
        Method::Total { common, var } => {
            let l = load(&common, Select::new().number(&var))?;
            let y = l.frame.num(&var)?;
            let result = l.per_domain(&common, |d| {
                Ok(EstimateReport::new(&l.design.total(&y, d)?, common.level))
            })?;
            let r = VariableReport {
                method: "total",
                result,
                var,
            };
            (common, value(&r)?)
        }
        Method::Ratio { common, num, den } => {
            let l = load(&common, Select::new().number(&num).number(&den))?;
            let (y, x) = (l.frame.num(&num)?, l.frame.num(&den)?);
            let result = l.per_domain(&common, |d| {
                Ok(EstimateReport::new(
                    &l.design.ratio(&y, &x, d)?,
                    common.level,
                ))
            })?;
            let r = RatioReport {
                den,
                method: "ratio",
                num,
                result,
            };
            (common, value(&r)?)
        }
        Method::Prop {
            common,
            var,
            ci: method,
        } => {
            let l = load(&common, Select::new().text(&var))?;
            let (codes, labels) = l.frame.cat(&var)?;
            let ci_method = PropInterval::from(method);
            let result = l.per_domain(&common, |d| {
                methods::frequencies(&l.design, &codes, &labels, d, ci_method, common.level)
            })?;
            let r = PropReport {
                ci_method,
                method: "prop",
                result,
                var,
            };
            (common, value(&r)?)
        }
        Method::Quantile { common, var, probs } => {
            let l = load(&common, Select::new().number(&var))?;
            let y = l.frame.num(&var)?;
            let result = l.per_domain(&common, |d| {
                methods::quantiles(&l.design, &y, &probs, d, common.level)
            })?;
            let r = QuantileReport {
                method: "quantile",
                result,
                var,
            };
            (common, value(&r)?)
        }
        Method::Crosstab { common, rows, cols } => {
            let l = load(&common, Select::new().text(&rows).text(&cols))?;
            let (rc, rl) = l.frame.cat(&rows)?;
            let (cc, cl) = l.frame.cat(&cols)?;
            let result = l.per_domain(&common, |d| {
                methods::crosstab(&l.design, (&rc, &rl), (&cc, &cl), d, common.level)
            })?;
            let r = CrosstabReport {
                cols,
                method: "crosstab",
                result,
                rows,
            };
            (common, value(&r)?)
        }
        Method::Rake {
            common,
            margins,
            tolerance,
            max_iter,
            trim_lower,
            trim_upper,
            var,
            total,
            rows,
            cols,
        } => {
            let crosstab: Vec<String> = rows.iter().chain(&cols).cloned().collect();
            let l = load(
                &common,
                Select::new()
                    .texts(&margin_columns(&margins))
                    .texts(&crosstab)
                    .numbers(&var),
            )?;
            let parsed = margins
                .iter()
                .map(|m| read_margin(&l.frame, m))
                .collect::<Result<Vec<_>>>()?;
            let ms: Vec<Margin> = parsed.iter().map(|m| m.margin.clone()).collect();
            // Raking stops after at most `max_iter` sweeps whatever the margins; the bound keeps a
            // typo (or margins that cannot be met) from running for hours.
            if !(1..=MAX_RAKE_SWEEPS).contains(&max_iter) {
                bail!("--max-iter {max_iter}: give between 1 and {MAX_RAKE_SWEEPS} sweeps");
            }
            if !(tolerance.is_finite() && tolerance > 0.0) {
                bail!("--tolerance {tolerance}: a tolerance must be a positive number");
            }
            let opts = RakeOptions {
                tolerance,
                max_iterations: max_iter,
            };
            let trim = match (trim_lower, trim_upper) {
                (None, None) => None,
                (lo, hi) => Some(TrimBounds {
                    lower: lo.unwrap_or(0.0),
                    upper: hi.unwrap_or(f64::INFINITY),
                }),
            };
            let (d, report) = methods::rake(&l.design, &ms, opts, trim)
                .map_err(|e| margin_error(&l, &common, &parsed, e))?;
            let margins = parsed.iter().map(|m| m.column.clone()).collect();
            if let (Some(rows), Some(cols)) = (rows, cols) {
                let (rc, rl) = l.frame.cat(&rows)?;
                let (cc, cl) = l.frame.cat(&cols)?;
                let result = l.per_domain(&common, |dm| {
                    methods::crosstab(&d, (&rc, &rl), (&cc, &cl), dm, common.level)
                })?;
                let r = RakedCrosstabReport {
                    margins,
                    method: "rake",
                    report,
                    crosstab: CrosstabReport {
                        cols,
                        method: "crosstab",
                        result,
                        rows,
                    },
                };
                (common, value(&r)?)
            } else {
                let result = after_weighting(&d, &l.frame, var.as_ref(), total, common.level)?;
                let r = RakingReport {
                    margins,
                    method: "rake",
                    report,
                    result,
                };
                (common, value(&r)?)
            }
        }
        Method::Poststratify {
            common,
            margin,
            var,
            total,
        } => {
            let l = load(
                &common,
                Select::new()
                    .texts(&margin_columns(std::slice::from_ref(&margin)))
                    .numbers(&var),
            )?;
            let specs = [read_margin(&l.frame, &margin)?];
            let m = &specs[0].margin;
            let d = l
                .design
                .post_stratify(&m.codes, &m.targets)
                .map_err(|e| margin_error(&l, &common, &specs, e))?;
            let result = after_weighting(&d, &l.frame, var.as_ref(), total, common.level)?;
            let [spec] = specs;
            let r = PoststratifyReport {
                margin: spec.column,
                method: "poststratify",
                result,
            };
            (common, value(&r)?)
        }
        Method::Calibrate {
            common,
            totals,
            population,
            var,
        } => {
            let l = load(
                &common,
                Select::new()
                    .numbers(&margin_columns(&totals))
                    .numbers(&var),
            )?;
            let mut cols = Vec::new();
            let mut targets = Vec::new();
            if let Some(n) = population {
                cols.push(vec![1.0; l.design.len()]);
                targets.push(n);
            }
            for spec in &totals {
                let (c, t) = spec
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--total-of '{spec}': expected COLUMN=TOTAL"))?;
                cols.push(l.frame.num_complete(c)?);
                targets.push(
                    t.parse::<f64>()
                        .map_err(|_| anyhow!("--total-of '{spec}': '{t}' is not a number"))?,
                );
            }
            if cols.is_empty() {
                bail!("calibrate needs --population and/or --total-of COLUMN=TOTAL");
            }
            let d = l
                .design
                .calibrate_linear(&cols, &targets)
                .map_err(|e| l.fail(&common, e))?;
            let result = after_weighting(&d, &l.frame, var.as_ref(), false, common.level)?;
            let r = CalibrateReport {
                method: "calibrate",
                result,
            };
            (common, value(&r)?)
        }
        Method::Ttest { common, var, group } => {
            let v = group_test(&common.data, &var, &group, GroupTest::Welch)?;
            (common, v)
        }
        Method::Mannwhitney {
            common,
            var,
            group,
            exact,
        } => {
            let v = group_test(
                &common.data,
                &var,
                &group,
                GroupTest::MannWhitney(exact.into()),
            )?;
            (common, v)
        }
        Method::Kruskal { common, var, group } => {
            let v = group_test(&common.data, &var, &group, GroupTest::KruskalWallis)?;
            (common, v)
        }
        Method::Spearman {
            common,
            x,
            y,
            exact,
        } => {
            let f = Frame::read(&common.data, &Select::new().number(&x).number(&y))?;
            let r = methods::spearman(&f.num(&x)?, &f.num(&y)?, exact.into())
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (common, value(&r)?)
        }
        Method::Trend {
            common,
            successes,
            trials,
            scores,
        } => {
            let f = Frame::read(
                &common.data,
                &Select::new()
                    .number(&successes)
                    .number(&trials)
                    .numbers(&scores),
            )?;
            let (x, n) = (f.num_complete(&successes)?, f.num_complete(&trials)?);
            let s = scores.as_deref().map(|c| f.num_complete(c)).transpose()?;
            let r = methods::trend(&x, &n, s.as_deref())
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (common, value(&r)?)
        }
        Method::Padjust {
            common,
            pvalues,
            method,
            alpha,
        } => {
            let f = Frame::read(&common.data, &Select::new().number(&pvalues))?;
            let p = f.num_complete(&pvalues)?;
            if !(0.0..=1.0).contains(&alpha) {
                bail!("--alpha {alpha}: a significance level must lie between 0 and 1");
            }
            let r = methods::padjust(&p, method.into(), alpha)
                .map_err(|e| anyhow!("{}: column '{pvalues}': {e}", f.path.display()))?;
            (common, value(&r)?)
        }
        Method::Alpha { common, items } => {
            let f = Frame::read(&common.data, &Select::new().numbers(&items))?;
            let cols = items.iter().map(|c| f.num(c)).collect::<Result<Vec<_>>>()?;
            let r =
                methods::alpha(items, &cols).map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (common, value(&r)?)
        }
        Method::Maxdiff {
            common,
            item,
            value: choice,
            respondent,
        } => {
            let f = Frame::read(
                &common.data,
                &Select::new().text(&item).number(&choice).texts(&respondent),
            )?;
            let (codes, labels) = f.cat(&item)?;
            let vals = f.num_complete(&choice)?;
            let v8: Vec<i8> = vals.iter().map(|v| *v as i8).collect();
            if let Some(i) = vals.iter().position(|v| ![-1.0, 0.0, 1.0].contains(v)) {
                bail!(
                    "{}: data row {}, column '{}': '{}' is not 1, 0 or -1",
                    f.path.display(),
                    i + 1,
                    choice,
                    vals[i]
                );
            }
            let mut r = methods::maxdiff(&codes, &v8, &labels)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            if let Some(col) = respondent {
                let (rc, rl) = f.codes_u64(&col)?;
                r.individual = Some(
                    methods::maxdiff_individual((&rc, &rl), &codes, &v8, &labels)
                        .map_err(|e| anyhow!("{}: {e}", f.path.display()))?,
                );
            }
            (common, value(&r)?)
        }
        Method::Kano {
            common,
            functional,
            dysfunctional,
            feature,
        } => {
            let f = Frame::read(
                &common.data,
                &Select::new()
                    .text(&functional)
                    .text(&dysfunctional)
                    .texts(&feature),
            )?;
            let (fc, dc) = (f.text(&functional)?, f.text(&dysfunctional)?);
            let feats = match &feature {
                Some(c) => f.cat(c)?,
                None => (vec![0; f.rows()], vec!["all".to_string()]),
            };
            let mut pairs = vec![Vec::new(); feats.1.len()];
            for i in 0..f.rows() {
                let (fv, dv) = (fc.get(i), dc.get(i));
                if fv.trim().is_empty() || dv.trim().is_empty() || feats.0[i] == analysis::MISSING {
                    continue;
                }
                let parse = |col: &str, v: &str| {
                    KanoAnswer::parse(v).ok_or_else(|| anyhow!("{}: data row {}, column '{}': '{}' is not a Kano answer (like, must-be, neutral, live-with, dislike)", f.path.display(), i + 1, col, v))
                };
                pairs[feats.0[i] as usize]
                    .push((parse(&functional, fv)?, parse(&dysfunctional, dv)?));
            }
            let r = methods::kano(&feats.1, &pairs)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (common, value(&r)?)
        }
    })
}

/// Render JSON, or lay it out as aligned text tables for the table format: the scalar fields of
/// an object as a two-column table, a list of records as one row per record under a header
/// row, and nested parts as their own sections headed by their path.
fn render(v: &Value, format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        }
        Format::Table => {
            let mut out = String::new();
            table(v, "", &mut out);
            out.trim().to_string()
        }
    }
}

/// A value that fits one table cell: a scalar, or a list of numbers (an interval, a vector).
fn cell(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(fmt_num(n.as_f64().unwrap_or(f64::NAN))),
        Value::Null => Some("–".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if a.iter().all(Value::is_number) => Some(
            a.iter()
                .map(|x| fmt_num(x.as_f64().unwrap_or(f64::NAN)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Write `rows` aligned under `header` (numbers right-aligned), with a rule under the header.
fn grid(header: &[String], rows: &[Vec<String>], out: &mut String) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..header.len())
        .map(|i| {
            rows.iter()
                .all(|r| r[i] == "–" || r[i].split(' ').all(|x| x.parse::<f64>().is_ok()))
        })
        .collect();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(|((c, w), num)| {
                if *num {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(header, out);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("  "));
    for r in rows {
        line(r, out);
    }
}

fn heading(path: &str, out: &mut String) {
    if !path.is_empty() {
        let _ = writeln!(out, "\n{path}");
    }
}

fn table(v: &Value, path: &str, out: &mut String) {
    match v {
        Value::Object(m) => {
            let rows: Vec<Vec<String>> = m
                .iter()
                .filter_map(|(k, x)| cell(x).map(|c| vec![k.clone(), c]))
                .collect();
            if !rows.is_empty() {
                heading(path, out);
                let w = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
                for r in &rows {
                    let _ = writeln!(out, "{:<w$}  {}", r[0], r[1]);
                }
            }
            for (k, x) in m {
                if cell(x).is_none() {
                    table(x, &join(path, k), out);
                }
            }
        }
        Value::Array(a) if a.iter().all(Value::is_object) && !a.is_empty() => {
            let mut header: Vec<String> = Vec::new();
            for x in a {
                if let Value::Object(m) = x {
                    for (k, y) in m {
                        if cell(y).is_some() && !header.contains(k) {
                            header.push(k.clone());
                        }
                    }
                }
            }
            let rows: Vec<Vec<String>> = a
                .iter()
                .map(|x| {
                    header
                        .iter()
                        .map(|k| x.get(k).and_then(cell).unwrap_or_else(|| "–".into()))
                        .collect()
                })
                .collect();
            heading(path, out);
            grid(&header, &rows, out);
            for (i, x) in a.iter().enumerate() {
                if let Value::Object(m) = x {
                    for (k, y) in m {
                        if cell(y).is_none() {
                            table(y, &format!("{path}[{i}].{k}"), out);
                        }
                    }
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                match cell(x) {
                    Some(c) => {
                        let _ = writeln!(out, "{path}[{i}]  {c}");
                    }
                    None => table(x, &format!("{path}[{i}]"), out),
                }
            }
        }
        other => {
            if let Some(c) = cell(other) {
                let _ = writeln!(out, "{path}  {c}");
            }
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.6}")
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn the_table_format_prints_records_as_rows_under_a_header_not_flattened_keys() {
        let v = serde_json::json!({
            "variable": "district",
            "n": 120,
            "categories": [
                {"label": "Bromma", "proportion": 0.25, "ci": [0.2, 0.3]},
                {"label": "Farsta", "proportion": 0.75, "ci": [0.7, 0.8]}
            ]
        });
        let text = render(&v, Format::Table);
        assert!(!text.contains("categories[0]"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let header = lines
            .iter()
            .position(|l| l.starts_with("ci") || l.contains("label"))
            .expect("a header row");
        assert!(lines[header].contains("proportion"), "{text}");
        assert!(lines[header + 1].starts_with("---"), "{text}");
        assert!(lines[header + 2].contains("Bromma") && lines[header + 2].contains("0.250000"));
        assert!(text.contains("variable  district"), "{text}");
    }
}
