//! The cross-tab builder: any two categorical answer columns of a version (single choices,
//! matrix rows), weighted counts, cell/row/column shares with 95% CIs, the Rao–Scott
//! second-order test of independence (R `svychisq`, `statistic = "F"`), and the cells that hold
//! more or fewer responses than independence predicts.
//!
//! Marked cells: Haberman's adjusted residual of the weighted table rescaled to the sample size,
//! divided by the square root of the mean generalised design effect δ̄ = tr(Δ)/q (the
//! first-order Rao–Scott correction, so a clustered or unequally weighted sample is not marked
//! more often than a simple random one), referred to the normal distribution, and the p-values
//! of all cells adjusted by **Holm**'s step-down method (family-wise error 5 %: a reader scans
//! every cell, so each mark should stand on its own). "Don't know" and missing answers, and
//! categories nobody in the selection chose, are left out of the table. A stratum with a single
//! response is refused (lonely-PSU policy `fail`, the command line's default), never silently
//! estimated under another design.
//!
//! The table follows the results page's [`ResultsQuery`]: the same weighting (design, unweighted,
//! post-stratified or raked to a population table), lonely-PSU policy and filters, through
//! [`super::query::prepare`], so a link from the results page carries them over and the table
//! agrees with the page's margins. Filters are domains of the whole design, as on the page.

use analysis::data::{Column, DONT_KNOW as CODE_DONT_KNOW};
use analysis::hypothesis::{p_adjust, PAdjust};
use analysis::tables::{pearson_chisq, RaoScott};

use super::browse::AnalysesError;
use super::cache::ResultsCache;
use super::query::{self, ResultsQuery};
use super::report::EstimateReport;
use crate::domain::lang::Msg;
use crate::domain::survey::Survey;
use crate::storage::DbConnection;

/// Confidence level of the intervals.
pub const LEVEL: f64 = 0.95;
/// Family-wise significance level of the marked cells.
pub const ALPHA: f64 = 0.05;

/// How a cell departs from independence, when significantly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// More responses than expected.
    More,
    /// Fewer responses than expected.
    Fewer,
}

/// One cell of the table.
#[derive(Debug, Clone)]
pub struct CrossCell {
    /// Unweighted responses.
    pub n: usize,
    /// Estimated population count.
    pub total: EstimateReport,
    /// Share of the table.
    pub share: EstimateReport,
    /// Share of its row.
    pub row_share: EstimateReport,
    /// Share of its column.
    pub col_share: EstimateReport,
    /// Design-corrected adjusted residual.
    pub residual: f64,
    /// Holm-adjusted p-value of the residual.
    pub p_adjusted: f64,
    /// Significant departure, if any.
    pub departure: Option<Departure>,
}

/// A categorical answer column offered by the builder.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Answer key (`question` or `question.row`).
    pub key: String,
    /// Question label (with the matrix row).
    pub label: Msg,
}

/// A computed cross-tab.
pub struct CrossTabView {
    /// The instrument.
    pub survey: Survey,
    /// The columns the builder offers.
    pub variables: Vec<Variable>,
    /// Row variable.
    pub row: Variable,
    /// Column variable.
    pub col: Variable,
    /// Row category labels.
    pub row_labels: Vec<Msg>,
    /// Column category labels.
    pub col_labels: Vec<Msg>,
    /// Cells, row-major.
    pub cells: Vec<CrossCell>,
    /// Responses in the table.
    pub n: usize,
    /// Rao–Scott tests.
    pub rao_scott: RaoScott,
    /// Whether the final weights differ from 1 (a weighted table).
    pub weighted: bool,
    /// The weighting and filters the table was computed with.
    pub query: ResultsQuery,
    /// The form's choices (population tables and strata).
    pub choices: Choices,
    /// The design arguments of the matching `insikt stats` command (reproduce this figure).
    pub design_args: super::dataset::DesignArgs,
    /// The calibration that repeats the page's weighting from the design weights, if any.
    pub calibration: Option<super::dataset::Calibration>,
    /// The stored choice values of the row categories (for the calibrated command's indicator).
    pub row_values: Vec<String>,
}

/// What the weighting and filter form offers: population tables (id, name, columns) and the
/// strata present in the responses.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Population tables: (id, name, columns).
    pub tables: Vec<(String, String, Vec<String>)>,
    /// Strata present in the responses.
    pub strata: Vec<String>,
}

/// The builder before two questions are chosen: the form's contents.
pub struct Builder {
    /// The instrument.
    pub survey: Survey,
    /// The columns the builder offers.
    pub variables: Vec<Variable>,
    /// The weighting and filters chosen so far.
    pub query: ResultsQuery,
    /// The form's choices.
    pub choices: Choices,
}

/// The label of stored value `value` of answer column `key`.
pub fn value_label(survey: &Survey, key: &str, value: &str) -> Msg {
    let qkey = key.split('.').next().unwrap_or(key);
    let list = survey.question(qkey).and_then(|q| match &q.kind {
        crate::domain::survey::QuestionKind::SingleChoice { list, .. }
        | crate::domain::survey::QuestionKind::Matrix { list, .. }
        | crate::domain::survey::QuestionKind::Kano { list, .. }
        | crate::domain::survey::QuestionKind::MaxDiff { list, .. } => survey.choice_list(list),
        _ => None,
    });
    match list.and_then(|cs| cs.iter().find(|c| c.value == value)) {
        Some(c) => Msg::new(
            c.label.get_or("sv", "en").to_owned(),
            c.label.get_or("en", "sv").to_owned(),
        ),
        None => Msg::same(value.to_owned()),
    }
}

/// The label of answer column `key` (question label, with the sub-key of a matrix row).
pub fn column_label(survey: &Survey, key: &str) -> Msg {
    let (qkey, sub) = match key.split_once('.') {
        Some((q, s)) => (q, Some(s)),
        None => (key, None),
    };
    let Some(q) = survey.question(qkey) else {
        return Msg::same(key.to_owned());
    };
    // Piped labels read "(svaret på ”…”)": there is no one respondent to quote.
    let label = crate::domain::survey::placeholders::label(survey, &q.label);
    match sub {
        None => label,
        Some(s) => Msg::new(format!("{} – {s}", label.sv), format!("{} – {s}", label.en)),
    }
}

/// The categorical columns of loaded data, in questionnaire order.
pub fn variables(survey: &Survey, data: &analysis::data::SurveyData) -> Vec<Variable> {
    data.columns
        .iter()
        .filter(|(_, c)| matches!(c, Column::Categorical(_)))
        .map(|(k, _)| Variable {
            key: k.clone(),
            label: column_label(survey, k),
        })
        .collect()
}

/// Codes of `codes` renumbered to the categories present in `mask` (others out of range), with
/// the kept original codes.
fn compact(codes: &[u32], levels: usize, mask: &[bool], other: &[u32]) -> (Vec<u32>, Vec<usize>) {
    let mut present = vec![false; levels];
    for ((&c, &m), &o) in codes.iter().zip(mask).zip(other) {
        if m && (c as usize) < levels && o < CODE_DONT_KNOW {
            present[c as usize] = true;
        }
    }
    let kept: Vec<usize> = (0..levels).filter(|&k| present[k]).collect();
    let mut map = vec![u32::MAX; levels];
    for (new, &old) in kept.iter().enumerate() {
        map[old] = new as u32;
    }
    let out = codes
        .iter()
        .map(|&c| {
            if (c as usize) < levels {
                map[c as usize]
            } else {
                u32::MAX
            }
        })
        .collect();
    (out, kept)
}

/// Cross-tabulate answer column `row` by `col` of `key` v`version` with the results page's
/// `query` (weighting, lonely-PSU policy, filters as domains). With either column empty, only
/// the builder's form contents are returned (`Ok(Err(builder))`), so the form can be shown
/// first. A weighting the responses do not support is [`AnalysesError::BadParameter`] with the
/// results page's reason.
pub fn crosstab(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    version: u32,
    row: &str,
    col: &str,
    query: &ResultsQuery,
) -> Result<Result<CrossTabView, Builder>, AnalysesError> {
    let stored = crate::storage::surveys::find_version(conn, key, version)?
        .ok_or_else(|| AnalysesError::NotFound(format!("{key}/{version}")))?;
    let data = cache.load(conn, &stored)?;
    let survey = data.survey.clone();
    let vars = variables(&survey, &data.loaded.data);
    let strata = data.strata.sorted.clone();
    let choices = Choices {
        tables: super::population::list_tables(conn)?
            .into_iter()
            .map(|t| (t.id, t.name, t.columns))
            .collect(),
        strata,
    };
    if row.is_empty() || col.is_empty() {
        return Ok(Err(Builder {
            survey,
            variables: vars,
            query: query.clone(),
            choices,
        }));
    }
    let loaded = &data.loaded;
    let pick = |k: &str| -> Result<(Variable, &analysis::data::Categorical), AnalysesError> {
        let v = vars.iter().find(|v| v.key == k).cloned();
        match (v, loaded.data.column(k)) {
            (Some(v), Some(Column::Categorical(c))) => Ok((v, c)),
            _ => Err(AnalysesError::BadParameter(Msg::new(
                format!("Frågan {k} kan inte korstabuleras (välj en enkelvalsfråga)."),
                format!(
                    "Question {k} cannot be cross-tabulated (choose a single-choice question)."
                ),
            ))),
        }
    };
    let (rv, rc) = pick(row)?;
    let (cv, cc) = pick(col)?;
    if row == col {
        return Err(AnalysesError::BadParameter(Msg::new(
            "Välj två olika frågor.",
            "Choose two different questions.",
        )));
    }
    let table = match query.weighting.table() {
        Some(id) => Some(
            super::population::find_table(conn, id)?
                .ok_or_else(|| super::ResultsError::TableNotFound(id.to_owned()))?,
        ),
        None => None,
    };
    let prepared =
        query::prepare_loaded(data.clone(), table.as_ref(), query).map_err(|e| {
            match e.message() {
                Some(m) => AnalysesError::BadParameter(m),
                None => AnalysesError::Results(e),
            }
        })?;
    let mask = &prepared.domain;
    let design = &prepared.design;
    let (rcodes, rkept) = compact(&rc.codes, rc.labels.len(), mask, &cc.codes);
    let (ccodes, ckept) = compact(&cc.codes, cc.labels.len(), mask, &rc.codes);
    if rkept.len() < 2 || ckept.len() < 2 {
        return Err(AnalysesError::BadParameter(Msg::new(
            "Båda frågorna behöver minst två valda svarsalternativ bland svaren i urvalet.",
            "Both questions need at least two options chosen among the selected responses.",
        )));
    }
    let ct = design.crosstab(&rcodes, rkept.len(), &ccodes, ckept.len(), Some(mask))?;
    let n: usize = ct.n.iter().sum();
    // Haberman residuals of the weighted table scaled to n, corrected by δ̄ = X² / X²_first.
    let scaled: Vec<f64> = ct.cell.iter().map(|e| e.estimate * n as f64).collect();
    let chi = pearson_chisq(&scaled, ckept.len())?;
    let rs = ct.rao_scott;
    let delta = if rs.first_order > 0.0 {
        (rs.pearson / rs.first_order).max(f64::MIN_POSITIVE)
    } else {
        1.0
    };
    let residuals: Vec<f64> = chi
        .adjusted_residuals
        .iter()
        .map(|r| r / delta.sqrt())
        .collect();
    let p: Vec<f64> = residuals
        .iter()
        .map(|r| (2.0 * analysis::dist::pnorm_upper(r.abs())).min(1.0))
        .collect();
    let adjusted = p_adjust(&p, PAdjust::Holm)?;
    let est = |e: &analysis::Estimate| EstimateReport::new(e, LEVEL);
    let cells = (0..ct.rows * ct.cols)
        .map(|k| CrossCell {
            n: ct.n[k],
            total: est(&ct.totals[k]),
            share: est(&ct.cell[k]),
            row_share: est(&ct.row_share[k]),
            col_share: est(&ct.col_share[k]),
            residual: residuals[k],
            p_adjusted: adjusted[k],
            departure: (adjusted[k] <= ALPHA).then_some(if residuals[k] > 0.0 {
                Departure::More
            } else {
                Departure::Fewer
            }),
        })
        .collect();
    let labels = |kept: &[usize], c: &analysis::data::Categorical, key: &str| {
        kept.iter()
            .map(|&k| value_label(&survey, key, &c.labels[k]))
            .collect()
    };
    Ok(Ok(CrossTabView {
        row_labels: labels(&rkept, rc, row),
        col_labels: labels(&ckept, cc, col),
        weighted: prepared.weights().iter().any(|&w| (w - 1.0).abs() > 1e-12),
        calibration: super::dataset::calibration_of(query, &prepared.diagnostics.columns),
        row_values: rkept.iter().map(|&k| rc.labels[k].clone()).collect(),
        query: query.clone(),
        choices,
        design_args: super::dataset::DesignArgs {
            fpc: loaded.design.population.is_some()
                && !matches!(query.weighting, query::Weighting::Unweighted),
            filtered: !query.filters.is_empty(),
            lonely_psu: super::dataset::lonely_arg(query),
        },
        survey: survey.clone(),
        variables: vars.clone(),
        row: rv,
        col: cv,
        cells,
        n,
        rao_scott: rs,
    }))
}
