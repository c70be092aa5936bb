//! `insikt stats`: command-line front end to the `analysis` crate. Reads a CSV file, builds the survey
//! design from column names and prints results as JSON or a plain table on stdout.
//!
//! Errors are one line naming the file, row and column (anyhow is allowed here: this is an edge of the app).
//! "data row N" counts rows after the header, so data row 1 is line 2 of the file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use analysis::hypothesis::{self, PAdjust};
use analysis::priority::{self, KanoAnswer};
use analysis::tables::CrossTab;
use analysis::{ci, AnalysisError, Design, Estimate, Fpc, Margin, RakeOptions, TrimBounds};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

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
    /// Finite-population correction columns, one per stage: population sizes (> 1) or sampling fractions (≤ 1).
    #[arg(long, value_delimiter = ',')]
    pub fpc: Vec<String>,
    /// Estimate separately for each value of this column (domains keep the full design).
    #[arg(long)]
    pub by: Option<String>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
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

/// Multiple-testing adjustment.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustMethod {
    /// Holm step-down.
    Holm,
    /// Bonferroni.
    Bonferroni,
    /// Benjamini–Hochberg.
    Bh,
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
    /// Weighted frequency table of a categorical column with proportions, SEs and CIs.
    Prop {
        #[command(flatten)]
        common: Common,
        /// Categorical column.
        #[arg(long)]
        var: String,
        /// Interval method.
        #[arg(long, value_enum, default_value_t = PropCi::KornGraubard)]
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
        /// Relative tolerance on the margins.
        #[arg(long, default_value_t = 1e-8)]
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
    /// Mann–Whitney U (R wilcox.test, normal approximation).
    Mannwhitney {
        #[command(flatten)]
        common: Common,
        /// Numeric column.
        #[arg(long)]
        var: String,
        /// Column with exactly two groups.
        #[arg(long)]
        group: String,
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
    /// Spearman rank correlation (R cor.test, method = "spearman", exact = FALSE).
    Spearman {
        #[command(flatten)]
        common: Common,
        /// First column.
        #[arg(long)]
        x: String,
        /// Second column.
        #[arg(long)]
        y: String,
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
        #[arg(long, default_value_t = 0.05)]
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

/// A CSV file held column-wise as text, with the path kept for error messages.
struct Frame {
    path: PathBuf,
    header: Vec<String>,
    cols: Vec<Vec<String>>,
}

impl Frame {
    fn read(path: &Path) -> Result<Frame> {
        let mut rdr = csv::Reader::from_path(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let header: Vec<String> = rdr
            .headers()
            .with_context(|| format!("{}: cannot read header", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut cols = vec![Vec::new(); header.len()];
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.with_context(|| {
                format!("{}: data row {}: malformed CSV", path.display(), i + 1)
            })?;
            for (c, v) in cols.iter_mut().zip(rec.iter()) {
                c.push(v.to_string());
            }
        }
        Ok(Frame {
            path: path.to_path_buf(),
            header,
            cols,
        })
    }

    fn rows(&self) -> usize {
        self.cols.first().map_or(0, Vec::len)
    }

    fn col(&self, name: &str) -> Result<&[String]> {
        match self.header.iter().position(|h| h == name) {
            Some(i) => Ok(&self.cols[i]),
            None => bail!(
                "{}: no column '{}' (columns: {})",
                self.path.display(),
                name,
                self.header.join(", ")
            ),
        }
    }

    /// Numeric column; empty or `NA` is missing (NaN). Anything else that does not parse is an error.
    fn num(&self, name: &str) -> Result<Vec<f64>> {
        self.col(name)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let t = v.trim();
                if t.is_empty() || t == "NA" {
                    Ok(f64::NAN)
                } else {
                    t.parse::<f64>().map_err(|_| {
                        anyhow!(
                            "{}: data row {}, column '{}': '{}' is not a number",
                            self.path.display(),
                            i + 1,
                            name,
                            v
                        )
                    })
                }
            })
            .collect()
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
        let mut labels: Vec<String> = Vec::new();
        let mut index: HashMap<&str, u32> = HashMap::new();
        let col = self.col(name)?;
        let codes = col
            .iter()
            .map(|v| {
                let t = v.trim();
                if t.is_empty() || t == "NA" {
                    return analysis::MISSING;
                }
                *index.entry(t).or_insert_with(|| {
                    labels.push(t.to_string());
                    labels.len() as u32 - 1
                })
            })
            .collect();
        Ok((codes, labels))
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

/// Turn an analysis error into a message that names the file and, where possible, the stratum label.
fn explain(
    frame: &Frame,
    common: &Common,
    strata_labels: &[String],
    e: AnalysisError,
) -> anyhow::Error {
    let file = frame.path.display();
    match e {
        AnalysisError::LonelyPsu { stratum, stage: 1 } => {
            let label = strata_labels
                .get(stratum)
                .cloned()
                .unwrap_or_else(|| stratum.to_string());
            let col = common.strata.as_deref().unwrap_or("(none)");
            anyhow!("{file}: column '{col}': stratum '{label}' has only one PSU; its variance cannot be estimated (merge it with a neighbouring stratum)")
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

/// One `--by` domain: its label and membership mask (`None` = whole sample).
type Domain = (Option<String>, Option<Vec<bool>>);

struct Loaded {
    frame: Frame,
    design: Design,
    strata_labels: Vec<String>,
}

fn load(common: &Common) -> Result<Loaded> {
    let frame = Frame::read(&common.data)?;
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
    let mut b = Design::builder(weights);
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
    for (stage, col) in common.fpc.iter().enumerate() {
        let v = frame.num_complete(col)?;
        // Same rule as R's as.fpc: all values > 1 are population sizes, all ≤ 1 are fractions.
        let fpc = if v.iter().all(|x| *x > 1.0) {
            Fpc::PopulationSize(v)
        } else if v.iter().all(|x| *x <= 1.0) {
            Fpc::Fraction(v)
        } else {
            bail!("{}: column '{}': fpc must be all population sizes (> 1) or all sampling fractions (≤ 1)", frame.path.display(), col);
        };
        b = if stage == 0 { b.fpc(fpc) } else { b.fpc2(fpc) };
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

    /// Domains for `--by`: (label, mask) per level, or one unnamed domain for the whole sample.
    fn domains(&self, common: &Common) -> Result<Vec<Domain>> {
        match &common.by {
            None => Ok(vec![(None, None)]),
            Some(by) => {
                let (codes, labels) = self.frame.cat(by)?;
                Ok(labels
                    .iter()
                    .enumerate()
                    .map(|(k, l)| {
                        (
                            Some(l.clone()),
                            Some(codes.iter().map(|&c| c as usize == k).collect()),
                        )
                    })
                    .collect())
            }
        }
    }
}

fn est_json(e: &Estimate, level: f64) -> Value {
    let (lo, hi) = e.ci(level);
    json!({"estimate": e.estimate, "se": e.se, "ci": [lo, hi], "n": e.n, "deff": e.deff, "df": e.df})
}

/// Read a margin file `category,total` for `COLUMN=FILE` and map the data column onto its categories.
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

fn read_margin(frame: &Frame, spec: &str) -> Result<MarginSpec> {
    let (col, file) = spec
        .split_once('=')
        .ok_or_else(|| anyhow!("--margin '{spec}': expected COLUMN=FILE.csv"))?;
    let mf = Frame::read(Path::new(file))?;
    if mf.header.len() < 2 {
        bail!("{file}: a margin file needs two columns: category,total");
    }
    let cats = mf.col(&mf.header[0])?.to_vec();
    let totals = mf.num_complete(&mf.header[1])?;
    let data = frame.col(col)?;
    let codes = data
        .iter()
        .enumerate()
        .map(|(i, v)| {
            cats.iter()
                .position(|c| c == v.trim())
                .map(|p| p as u32)
                .ok_or_else(|| {
                    anyhow!(
                        "{}: data row {}, column '{}': category '{}' is not in margin file {}",
                        frame.path.display(),
                        i + 1,
                        col,
                        v,
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

fn after_weighting(
    d: &Design,
    frame: &Frame,
    var: Option<&String>,
    total: bool,
    level: f64,
) -> Result<Value> {
    let mut out = serde_json::Map::new();
    if let Some(v) = var {
        let y = frame.num(v)?;
        let m = d
            .mean(&y, None)
            .map_err(|e| anyhow!("{}: {e}", frame.path.display()))?;
        out.insert("mean".into(), est_json(&m, level));
        if total {
            let t = d
                .total(&y, None)
                .map_err(|e| anyhow!("{}: {e}", frame.path.display()))?;
            out.insert("total".into(), est_json(&t, level));
        }
    }
    let w = d.weights();
    out.insert(
        "weights".into(),
        json!({"sum": w.iter().sum::<f64>(), "min": w.iter().copied().fold(f64::INFINITY, f64::min), "max": w.iter().copied().fold(f64::NEG_INFINITY, f64::max), "kish_effective_n": d.kish_effective_n(None)}),
    );
    Ok(Value::Object(out))
}

fn groups_of(frame: &Frame, var: &str, group: &str) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let y = frame.num(var)?;
    let (codes, labels) = frame.cat(group)?;
    let mut g = vec![Vec::new(); labels.len()];
    for (v, c) in y.iter().zip(&codes) {
        if (*c as usize) < labels.len() && v.is_finite() {
            g[*c as usize].push(*v);
        }
    }
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

fn test_json(r: &hypothesis::TestResult) -> Value {
    json!({"statistic": r.statistic, "df": if r.df.is_finite() { json!(r.df) } else { Value::Null }, "p_value": r.p_value, "estimate": if r.estimate.is_finite() { json!(r.estimate) } else { Value::Null }})
}

fn crosstab_json(ct: &CrossTab, rl: &[String], cl: &[String], level: f64) -> Value {
    let cells: Vec<Value> = (0..ct.rows * ct.cols)
        .map(|k| {
            json!({"row": rl[k / ct.cols], "col": cl[k % ct.cols], "n": ct.n[k], "total": est_json(&ct.totals[k], level),
                   "share": est_json(&ct.cell[k], level), "row_share": est_json(&ct.row_share[k], level), "col_share": est_json(&ct.col_share[k], level)})
        })
        .collect();
    let rs = &ct.rao_scott;
    json!({"cells": cells, "rao_scott": {"pearson": rs.pearson, "first_order": {"chisq": rs.first_order, "df": ((ct.rows - 1) * (ct.cols - 1)), "p_value": rs.first_order_p},
           "f": rs.f, "ndf": rs.ndf, "ddf": rs.ddf, "p_value": rs.p_value}})
}

fn prop_interval(method: PropCi, e: &Estimate, n: usize, level: f64) -> Result<ci::Interval> {
    let p = e.estimate;
    let n_eff = if e.se > 0.0 && p > 0.0 && p < 1.0 {
        p * (1.0 - p) / (e.se * e.se)
    } else {
        n as f64
    };
    Ok(match method {
        PropCi::KornGraubard => ci::korn_graubard(p, e.se, n.max(2), e.df, level)?,
        PropCi::Logit => ci::logit(p, e.se, n as f64, e.df, level)?,
        PropCi::Wilson => ci::wilson(p * n_eff, n_eff, level)?,
        PropCi::ClopperPearson => ci::clopper_pearson(p * n_eff, n_eff, level)?,
    })
}

/// Run one `insikt stats` method and print its result on stdout.
pub fn run(args: StatsArgs) -> Result<()> {
    let (common, out) = dispatch(args.method)?;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", render(&out, common.format)) {
        // A closed pipe (`insikt stats … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn per_domain<F>(l: &Loaded, common: &Common, f: F) -> Result<Value>
where
    F: Fn(Option<&[bool]>) -> std::result::Result<Value, AnalysisError>,
{
    let doms = l.domains(common)?;
    if common.by.is_none() {
        return f(None).map_err(|e| l.fail(common, e));
    }
    let mut out = Vec::new();
    for (label, mask) in doms {
        let v = f(mask.as_deref()).map_err(|e| l.fail(common, e))?;
        out.push(json!({"by": label, "result": v}));
    }
    Ok(json!({"by": common.by, "domains": out}))
}

fn dispatch(method: Method) -> Result<(Common, Value)> {
    Ok(match method {
        Method::Mean { common, var } => {
            let l = load(&common)?;
            let y = l.frame.num(&var)?;
            let v = per_domain(&l, &common, |d| {
                Ok(est_json(&l.design.mean(&y, d)?, common.level))
            })?;
            (common, json!({"method": "mean", "var": var, "result": v}))
        }
        Method::Total { common, var } => {
            let l = load(&common)?;
            let y = l.frame.num(&var)?;
            let v = per_domain(&l, &common, |d| {
                Ok(est_json(&l.design.total(&y, d)?, common.level))
            })?;
            (common, json!({"method": "total", "var": var, "result": v}))
        }
        Method::Ratio { common, num, den } => {
            let l = load(&common)?;
            let (y, x) = (l.frame.num(&num)?, l.frame.num(&den)?);
            let v = per_domain(&l, &common, |d| {
                Ok(est_json(&l.design.ratio(&y, &x, d)?, common.level))
            })?;
            (
                common,
                json!({"method": "ratio", "num": num, "den": den, "result": v}),
            )
        }
        Method::Prop {
            common,
            var,
            ci: method,
        } => {
            let l = load(&common)?;
            let (codes, labels) = l.frame.cat(&var)?;
            let v = per_domain(&l, &common, |d| {
                let ft = l.design.frequencies(&codes, labels.len(), d)?;
                let n_dom: usize = ft.n.iter().sum();
                let rows = labels
                    .iter()
                    .enumerate()
                    .map(|(k, lab)| {
                        let p = &ft.proportions[k];
                        let iv = prop_interval(method, p, n_dom, common.level).map_err(|e| AnalysisError::InvalidArgument(e.to_string()))?;
                        Ok(json!({"category": lab, "n": ft.n[k], "total": est_json(&ft.totals[k], common.level), "proportion": p.estimate, "se": p.se, "ci": [iv.lower, iv.upper]}))
                    })
                    .collect::<std::result::Result<Vec<Value>, AnalysisError>>()?;
                Ok(json!({"population": ft.population, "categories": rows}))
            })?;
            (
                common,
                json!({"method": "prop", "var": var, "ci_method": format!("{method:?}"), "result": v}),
            )
        }
        Method::Quantile { common, var, probs } => {
            let l = load(&common)?;
            let y = l.frame.num(&var)?;
            let v = per_domain(&l, &common, |d| {
                let qs = l.design.quantiles(&y, &probs, d, common.level)?;
                Ok(Value::Array(qs.iter().map(|q| json!({"p": q.p, "quantile": q.estimate, "ci": [q.lower, q.upper], "se": q.se})).collect()))
            })?;
            (
                common,
                json!({"method": "quantile", "var": var, "result": v}),
            )
        }
        Method::Crosstab { common, rows, cols } => {
            let l = load(&common)?;
            let (rc, rl) = l.frame.cat(&rows)?;
            let (cc, cl) = l.frame.cat(&cols)?;
            let v = per_domain(&l, &common, |d| {
                Ok(crosstab_json(
                    &l.design.crosstab(&rc, rl.len(), &cc, cl.len(), d)?,
                    &rl,
                    &cl,
                    common.level,
                ))
            })?;
            (
                common,
                json!({"method": "crosstab", "rows": rows, "cols": cols, "result": v}),
            )
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
        } => {
            let l = load(&common)?;
            let parsed = margins
                .iter()
                .map(|m| read_margin(&l.frame, m))
                .collect::<Result<Vec<_>>>()?;
            let ms: Vec<Margin> = parsed.iter().map(|m| m.margin.clone()).collect();
            let opts = RakeOptions {
                tolerance,
                max_iterations: max_iter,
            };
            let (d, rep) = match (trim_lower, trim_upper) {
                (None, None) => l.design.rake(&ms, opts),
                (lo, hi) => l.design.rake_trimmed(
                    &ms,
                    opts,
                    TrimBounds {
                        lower: lo.unwrap_or(0.0),
                        upper: hi.unwrap_or(f64::INFINITY),
                    },
                    100,
                ),
            }
            .map_err(|e| margin_error(&l, &common, &parsed, e))?;
            let after = after_weighting(&d, &l.frame, var.as_ref(), total, common.level)?;
            (
                common,
                json!({"method": "rake", "margins": parsed.iter().map(|m| m.column.as_str()).collect::<Vec<_>>(), "report": {"iterations": rep.iterations, "max_error": rep.max_error, "converged": rep.converged}, "result": after}),
            )
        }
        Method::Poststratify {
            common,
            margin,
            var,
            total,
        } => {
            let l = load(&common)?;
            let specs = [read_margin(&l.frame, &margin)?];
            let m = &specs[0].margin;
            let d = l
                .design
                .post_stratify(&m.codes, &m.targets)
                .map_err(|e| margin_error(&l, &common, &specs, e))?;
            let col = specs[0].column.clone();
            let after = after_weighting(&d, &l.frame, var.as_ref(), total, common.level)?;
            (
                common,
                json!({"method": "poststratify", "margin": col, "result": after}),
            )
        }
        Method::Calibrate {
            common,
            totals,
            population,
            var,
        } => {
            let l = load(&common)?;
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
            let after = after_weighting(&d, &l.frame, var.as_ref(), false, common.level)?;
            (common, json!({"method": "calibrate", "result": after}))
        }
        Method::Ttest { common, var, group } => {
            let f = Frame::read(&common.data)?;
            let (labels, g) = two_groups(&f, &var, &group)?;
            let r = hypothesis::welch_t_test(&g[0], &g[1])
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (
                common,
                json!({"method": "ttest", "groups": labels, "result": test_json(&r)}),
            )
        }
        Method::Mannwhitney { common, var, group } => {
            let f = Frame::read(&common.data)?;
            let (labels, g) = two_groups(&f, &var, &group)?;
            let r = hypothesis::mann_whitney(&g[0], &g[1])
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (
                common,
                json!({"method": "mannwhitney", "groups": labels, "result": test_json(&r)}),
            )
        }
        Method::Kruskal { common, var, group } => {
            let f = Frame::read(&common.data)?;
            let (labels, g) = groups_of(&f, &var, &group)?;
            let r =
                hypothesis::kruskal_wallis(&g).map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (
                common,
                json!({"method": "kruskal", "groups": labels, "result": test_json(&r)}),
            )
        }
        Method::Spearman { common, x, y } => {
            let f = Frame::read(&common.data)?;
            let r = hypothesis::spearman(&f.num(&x)?, &f.num(&y)?)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (
                common,
                json!({"method": "spearman", "result": test_json(&r)}),
            )
        }
        Method::Trend {
            common,
            successes,
            trials,
            scores,
        } => {
            let f = Frame::read(&common.data)?;
            let (x, n) = (f.num_complete(&successes)?, f.num_complete(&trials)?);
            let s = match &scores {
                Some(c) => f.num_complete(c)?,
                None => (1..=x.len()).map(|i| i as f64).collect(),
            };
            let r = hypothesis::cochran_armitage(&x, &n, &s)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (common, json!({"method": "trend", "result": test_json(&r)}))
        }
        Method::Padjust {
            common,
            pvalues,
            method,
            alpha,
        } => {
            let f = Frame::read(&common.data)?;
            let p = f.num_complete(&pvalues)?;
            let m = match method {
                AdjustMethod::Holm => PAdjust::Holm,
                AdjustMethod::Bonferroni => PAdjust::Bonferroni,
                AdjustMethod::Bh => PAdjust::BenjaminiHochberg,
            };
            let adj = hypothesis::p_adjust(&p, m)
                .map_err(|e| anyhow!("{}: column '{pvalues}': {e}", f.path.display()))?;
            let rejected = adj.iter().filter(|q| **q <= alpha).count();
            (
                common,
                json!({"method": "padjust", "adjustment": format!("{method:?}").to_lowercase(), "alpha": alpha, "rejected": rejected, "adjusted": adj}),
            )
        }
        Method::Alpha { common, items } => {
            let f = Frame::read(&common.data)?;
            let cols = items.iter().map(|c| f.num(c)).collect::<Result<Vec<_>>>()?;
            let a = hypothesis::cronbach_alpha(&cols)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            (
                common,
                json!({"method": "alpha", "items": items, "alpha": a}),
            )
        }
        Method::Maxdiff {
            common,
            item,
            value,
            respondent,
        } => {
            let f = Frame::read(&common.data)?;
            let (codes, labels) = f.cat(&item)?;
            let vals = f.num_complete(&value)?;
            let v8: Vec<i8> = vals.iter().map(|v| *v as i8).collect();
            if let Some(i) = vals.iter().position(|v| ![-1.0, 0.0, 1.0].contains(v)) {
                bail!(
                    "{}: data row {}, column '{}': '{}' is not 1, 0 or -1",
                    f.path.display(),
                    i + 1,
                    value,
                    vals[i]
                );
            }
            let scores = priority::maxdiff_aggregate(&codes, &v8, &labels)
                .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
            let mut out = json!({"method": "maxdiff", "items": scores.iter().map(|s| json!({"item": s.item, "n": s.n, "best": s.best, "worst": s.worst, "b": s.b, "se": s.se, "choice_p": s.choice_p})).collect::<Vec<_>>()});
            if let Some(r) = respondent {
                let (rc, rl) = f.codes_u64(&r)?;
                let ind = priority::maxdiff_individual(&rc, &codes, &v8, labels.len())
                    .map_err(|e| anyhow!("{}: {e}", f.path.display()))?;
                out["individual"] = Value::Array(ind.iter().map(|(id, s)| json!({"respondent": rl[*id as usize], "best_minus_worst": labels.iter().cloned().zip(s.iter().copied()).collect::<HashMap<String, f64>>()})).collect());
            }
            (common, out)
        }
        Method::Kano {
            common,
            functional,
            dysfunctional,
            feature,
        } => {
            let f = Frame::read(&common.data)?;
            let (fc, dc) = (f.col(&functional)?, f.col(&dysfunctional)?);
            let feats = match &feature {
                Some(c) => f.cat(c)?,
                None => (vec![0; f.rows()], vec!["all".to_string()]),
            };
            let mut pairs = vec![Vec::new(); feats.1.len()];
            for i in 0..f.rows() {
                if fc[i].trim().is_empty()
                    || dc[i].trim().is_empty()
                    || feats.0[i] == analysis::MISSING
                {
                    continue;
                }
                let parse = |col: &str, v: &str| {
                    KanoAnswer::parse(v).ok_or_else(|| anyhow!("{}: data row {}, column '{}': '{}' is not a Kano answer (like, must-be, neutral, live-with, dislike)", f.path.display(), i + 1, col, v))
                };
                pairs[feats.0[i] as usize]
                    .push((parse(&functional, &fc[i])?, parse(&dysfunctional, &dc[i])?));
            }
            let res = feats
                .1
                .iter()
                .zip(&pairs)
                .map(|(name, p)| {
                    let s = priority::kano_classify(p).map_err(|e| anyhow!("{}: feature '{name}': {e}", f.path.display()))?;
                    Ok(json!({"feature": name, "counts": {"A": s.counts[0], "O": s.counts[1], "M": s.counts[2], "I": s.counts[3], "R": s.counts[4], "Q": s.counts[5]}, "better": s.better, "worse": s.worse, "category": format!("{:?}", s.category)}))
                })
                .collect::<Result<Vec<_>>>()?;
            (common, json!({"method": "kano", "features": res}))
        }
    })
}

/// Render JSON, or flatten it into `path = value` lines for the table format (stable and greppable).
fn render(v: &Value, format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        }
        Format::Table => {
            let mut out = String::new();
            flatten(v, String::new(), &mut out);
            out.trim_end().to_string()
        }
    }
}

fn flatten(v: &Value, prefix: String, out: &mut String) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flatten(
                    x,
                    if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    },
                    out,
                );
            }
        }
        Value::Array(a) if a.iter().all(|x| x.is_number()) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| fmt_num(x.as_f64().unwrap_or(f64::NAN)))
                .collect();
            let _ = writeln!(out, "{prefix:<40} {}", items.join("  "));
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, format!("{prefix}[{i}]"), out);
            }
        }
        Value::Number(n) => {
            let _ = writeln!(
                out,
                "{prefix:<40} {}",
                fmt_num(n.as_f64().unwrap_or(f64::NAN))
            );
        }
        other => {
            let _ = writeln!(out, "{prefix:<40} {}", other.to_string().trim_matches('"'));
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
