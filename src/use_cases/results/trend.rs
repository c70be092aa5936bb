//! Yearly trends: the versions (waves) of one survey that ask a question, matched by the
//! question's stable key, with the estimate and 95% CI per wave, the latest change and a linear
//! trend across waves.
//!
//! The estimate is the share choosing one option (`?value=`, default the first) of a single
//! choice, or the mean of a number or rating. A multiple choice gets one series per option: the
//! share of those who answered the question that ticked it (the results page's figure), each
//! option's 0/1 indicator run through the same wave machinery as a single choice's.
//!
//! Each wave is its own sample: the waves are stacked into one design with the strata kept
//! apart per wave (`v1:kista`, `v2:kista`), so the covariance between waves is zero and the
//! latest change is the difference of independent estimates, SE = √(SE₁² + SE₂²), tested with
//! t on the design df; the trend is the slope of the least-squares line through the wave
//! estimates (equally spaced waves) with its linearisation SE (`analysis::Design::waves`, as R
//! `svyby` + `svycontrast`). The finite population correction is not applied in the stack (a
//! slightly conservative SE). "Don't know" and missing answers are left out of each wave, as on
//! the results page.
//!
//! Weighting and filters follow the results page's [`ResultsQuery`]: every wave is prepared
//! with it ([`super::query::prepare`]) and stacked with its FINAL weights, the page's filters as
//! domains. The chosen weighting is used only when it applies to every wave (a population table
//! whose columns every wave asks); otherwise every wave falls back to its design weights, the
//! reason is shown, and the page says per wave which weighting was used — never a mix of
//! weightings that would make a change between waves an artefact of the weighting. In the stack
//! a calibrated wave's SE treats its final weights as design weights (the calibration's
//! variance reduction is not carried into the stack: slightly conservative).

use std::collections::HashMap;

use analysis::data::{AnswerState, Column};
use analysis::Design;

use super::browse::AnalysesError;
use super::cache::ResultsCache;
use super::crosstab::{column_label, value_label, Choices};
use super::query::{self, Prepared, ResultsQuery, Weighting};
use crate::domain::lang::Msg;
use crate::domain::survey::{QuestionKind, Survey};
use crate::storage::{self, DbConnection};

/// Confidence level.
pub const LEVEL: f64 = 0.95;

/// One wave's estimate.
#[derive(Debug, Clone)]
pub struct WavePoint {
    /// The version number.
    pub version: u32,
    /// The estimate (a share 0–1 or a mean).
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// 95% confidence limits.
    pub ci: [f64; 2],
    /// Responses with a substantive answer.
    pub n: usize,
}

/// One estimated series across the waves.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// One point per wave, oldest first.
    pub waves: Vec<WavePoint>,
    /// Latest change (last − previous) with its CI and p-value.
    pub change: Option<(f64, [f64; 2], f64)>,
    /// Slope per wave and its p-value (with three or more waves it differs from the change).
    pub slope: Option<(f64, f64)>,
}

/// One option of a multiple-choice question across the waves.
#[derive(Debug, Clone)]
pub struct OptionTrend {
    /// The option's value.
    pub value: String,
    /// The option's label.
    pub label: Msg,
    /// The share ticking it per wave, its latest change and trend.
    pub series: Series,
}

/// A trend of one question across versions.
pub struct Trend {
    /// Survey title (newest version's, Swedish and English).
    pub title: Msg,
    /// The question key.
    pub question: String,
    /// The question label.
    pub label: Msg,
    /// Whether the estimate is a share (else a mean).
    pub share: bool,
    /// The option whose share is shown (single choice), and every option to choose from.
    pub value: Option<(String, Msg)>,
    /// The options of the question, `(value, label)`.
    pub values: Vec<(String, Msg)>,
    /// One point per wave, oldest first.
    pub waves: Vec<WavePoint>,
    /// Latest change (last − previous) with its CI and p-value.
    pub change: Option<(f64, [f64; 2], f64)>,
    /// Slope per wave and its p-value (with three or more waves it differs from the change).
    pub slope: Option<(f64, f64)>,
    /// A multiple choice: one series per option (then `waves` is empty and `values` too).
    pub multiple: bool,
    /// The options' series of a multiple choice, in list order (the oldest wave's list first).
    pub options: Vec<OptionTrend>,
    /// The weighting used per wave: (version, description).
    pub weighting: Vec<(u32, Msg)>,
    /// Why the chosen weighting was not applied (design weights used instead), if it was not.
    pub fallback: Option<Msg>,
    /// The query (weighting and filters) the trend was asked with.
    pub query: ResultsQuery,
    /// The newest version asking the question (for the form's filter questions).
    pub survey: Survey,
    /// The form's choices (population tables, strata of every wave).
    pub choices: Choices,
}

/// The weighting a wave was prepared with, in words.
fn weighting_label(p: &Prepared) -> Msg {
    let table = p.diagnostics.table_name.clone().unwrap_or_default();
    match p.query.weighting {
        Weighting::Unweighted => Msg::new("oviktat", "unweighted"),
        Weighting::Design => Msg::new("designvikter", "design weights"),
        Weighting::PostStratified { .. } => Msg::new(
            format!("efterstratifierat till {table}"),
            format!("post-stratified to {table}"),
        ),
        Weighting::Raked { .. } => {
            Msg::new(format!("rakat till {table}"), format!("raked to {table}"))
        }
    }
}

/// Prepare every version in `numbers` with `query`; the first refusal's message, if any.
fn prepare_all(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    numbers: &[u32],
    query: &ResultsQuery,
) -> Result<Result<Vec<Prepared>, Msg>, AnalysesError> {
    let mut out = Vec::new();
    for &n in numbers {
        match query::prepare(conn, cache, key, n, query) {
            Ok(p) => out.push(p),
            Err(e) => match e.message() {
                Some(m) if !matches!(e, super::ResultsError::NotFound(_)) => {
                    return Ok(Err(Msg::new(
                        format!("version {n}: {}", m.get(crate::domain::lang::Lang::Sv)),
                        format!("version {n}: {}", m.get(crate::domain::lang::Lang::En)),
                    )))
                }
                _ => return Err(e.into()),
            },
        }
    }
    Ok(Ok(out))
}

/// The trend of `question` in survey `key` (every version asking it, with responses).
pub fn trend(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    question: &str,
    value: &str,
    query: &ResultsQuery,
) -> Result<Trend, AnalysesError> {
    let record = storage::surveys::find_survey(conn, key)?
        .ok_or_else(|| AnalysesError::NotFound(key.to_owned()))?;
    let versions = storage::surveys::list_versions(conn, &record.id)?;
    let newest = versions
        .iter()
        .rev()
        .find(|v| v.survey.question(question).is_some())
        .ok_or_else(|| AnalysesError::NotFound(question.to_owned()))?;
    let label = column_label(&newest.survey, question);
    let title = Msg::new(
        newest.survey.title.get_or("sv", "en").to_owned(),
        newest.survey.title.get_or("en", "sv").to_owned(),
    );
    let newest_survey = newest.survey.clone();
    // The waves: versions asking the question that have responses.
    let mut asked: Vec<u32> = Vec::new();
    for v in &versions {
        if v.survey.question(question).is_some() {
            asked.push(v.survey.version);
        }
    }
    let mut fallback = None;
    let mut prepared = match prepare_all(conn, cache, key, &asked, query)? {
        Ok(p) => p,
        Err(m) if !matches!(query.weighting, Weighting::Design) => {
            fallback = Some(m);
            let design = ResultsQuery {
                weighting: Weighting::Design,
                ..query.clone()
            };
            prepare_all(conn, cache, key, &asked, &design)?.map_err(AnalysesError::BadParameter)?
        }
        Err(m) => return Err(AnalysesError::BadParameter(m)),
    };
    prepared.retain(|p| !p.data.is_empty());
    let mut all_strata: Vec<String> = prepared
        .iter()
        .flat_map(|p| p.data.loaded.design.strata.iter().cloned())
        .collect();
    all_strata.sort();
    all_strata.dedup();
    let choices = Choices {
        tables: super::population::list_tables(conn)?
            .into_iter()
            .map(|t| (t.id, t.name, t.columns))
            .collect(),
        strata: all_strata,
    };
    let weighting: Vec<(u32, Msg)> = prepared
        .iter()
        .map(|p| (p.data.survey.version, weighting_label(p)))
        .collect();

    let (mut w, mut strata, mut y, mut wave) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut numbers: Vec<u32> = Vec::new();
    let mut values: Vec<(String, Msg)> = Vec::new();
    let mut share = true;
    let mut multiple = false;
    // A multiple choice: per option value, its 0/1 indicator over the whole stack.
    let mut per_option: Vec<(String, Vec<f64>)> = Vec::new();
    let mut chosen: Option<String> = None;
    for p in &prepared {
        let loaded = &p.data.loaded;
        let mask = &p.domain;
        let unweighted = matches!(p.query.weighting, Weighting::Unweighted);
        let final_weights = p.weights();
        let start = w.len();
        let rows = loaded.design.strata.len();
        let ys: Vec<f64> = match loaded.data.column(question) {
            Some(Column::Categorical(c)) => {
                for l in &c.labels {
                    if !values.iter().any(|(x, _)| x == l) {
                        values.push((l.clone(), value_label(&newest_survey, question, l)));
                    }
                }
                let want = chosen.get_or_insert_with(|| {
                    if value.is_empty() {
                        c.labels.first().cloned().unwrap_or_default()
                    } else {
                        value.to_owned()
                    }
                });
                let code = c.labels.iter().position(|l| l == want);
                c.codes
                    .iter()
                    .map(|&k| {
                        if k >= analysis::data::DONT_KNOW {
                            f64::NAN
                        } else {
                            f64::from(u8::from(Some(k as usize) == code))
                        }
                    })
                    .collect()
            }
            Some(Column::Numeric(n)) => {
                share = false;
                n.values.clone()
            }
            Some(Column::MultiSelect(m)) => {
                multiple = true;
                // Only those who answered the question (and pass the filters) count, as on
                // the results page; an option a wave did not offer is missing in that wave.
                for (k, option) in m.options.iter().enumerate() {
                    let at = match per_option.iter().position(|(v, _)| v == option) {
                        Some(at) => at,
                        None => {
                            per_option.push((option.clone(), vec![f64::NAN; start]));
                            per_option.len() - 1
                        }
                    };
                    let ys = &mut per_option[at].1;
                    ys.resize(start, f64::NAN);
                    ys.extend((0..rows).map(|row| {
                        if m.state[row] == AnswerState::Valid && mask[row] {
                            f64::from(u8::from(m.selected[k][row]))
                        } else {
                            f64::NAN
                        }
                    }));
                }
                vec![f64::NAN; rows]
            }
            _ => {
                return Err(AnalysesError::BadParameter(Msg::new(
                    "Trender visas för enkelval, flerval, tal och skalor.",
                    "Trends are shown for single and multiple choices, numbers and scales.",
                )))
            }
        };
        let k = numbers.len() as u32;
        let version = p.data.survey.version;
        numbers.push(version);
        for (row, yv) in ys.into_iter().enumerate() {
            w.push(final_weights[row]);
            // Unweighted, the wave is one simple random sample: no strata within it.
            strata.push(if unweighted {
                format!("v{version}")
            } else {
                format!("v{version}:{}", loaded.design.strata[row])
            });
            y.push(if mask[row] { yv } else { f64::NAN });
            wave.push(k);
        }
    }
    if let Some(c) = &chosen {
        if !values.iter().any(|(v, _)| v == c) {
            return Err(AnalysesError::BadParameter(Msg::new(
                format!("Frågan har inget svarsalternativ {c}."),
                format!("The question has no option {c}."),
            )));
        }
    }
    let value = chosen.and_then(|c| values.iter().find(|(v, _)| *v == c).cloned());
    let mut codes: HashMap<&str, u64> = HashMap::new();
    let sc: Vec<u64> = strata
        .iter()
        .map(|s| {
            let next = codes.len() as u64;
            *codes.entry(s.as_str()).or_insert(next)
        })
        .collect();
    let design = if numbers.is_empty() {
        None
    } else {
        Some(Design::builder(w).strata(sc).build()?)
    };
    let mut single = Series::default();
    let mut options = Vec::new();
    if let Some(design) = &design {
        if multiple {
            for (option, mut ys) in per_option {
                ys.resize(design.len(), f64::NAN);
                // An option too rare to estimate in some wave is shown without figures rather
                // than failing the other options' trends.
                let series = series(design, &ys, &wave, &numbers).unwrap_or_default();
                options.push(OptionTrend {
                    label: option_label(&newest_survey, question, &option),
                    value: option,
                    series,
                });
            }
        } else {
            single = series(design, &y, &wave, &numbers)?;
        }
    }
    Ok(Trend {
        title,
        question: question.to_owned(),
        label,
        share,
        value,
        values,
        waves: single.waves,
        change: single.change,
        slope: single.slope,
        multiple,
        options,
        weighting,
        fallback,
        query: query.clone(),
        survey: newest_survey,
        choices,
    })
}

/// The estimate per wave of `y` over the stacked `design` (waves coded by `wave`, numbered
/// `numbers`), and with two or more waves the latest change and the linear trend.
fn series(
    design: &Design,
    y: &[f64],
    wave: &[u32],
    numbers: &[u32],
) -> Result<Series, analysis::AnalysisError> {
    let point = |version: u32, e: &analysis::Estimate| {
        let (lo, hi) = e.ci(LEVEL);
        WavePoint {
            version,
            estimate: e.estimate,
            se: e.se,
            ci: [lo, hi],
            n: e.n,
        }
    };
    if numbers.len() < 2 {
        let e = design.mean(y, None)?;
        return Ok(Series {
            waves: numbers.iter().map(|&v| point(v, &e)).collect(),
            change: None,
            slope: None,
        });
    }
    let a = design.waves(y, wave, numbers.len(), LEVEL)?;
    Ok(Series {
        waves: a
            .per_wave
            .iter()
            .zip(numbers)
            .map(|(e, &v)| point(v, e))
            .collect(),
        change: a
            .changes
            .last()
            .map(|c| (c.change.estimate, [c.lower, c.upper], c.p_value)),
        slope: Some((a.trend.estimate, a.trend_p)),
    })
}

/// The label of option `value` of multiple-choice question `question`.
fn option_label(survey: &Survey, question: &str, value: &str) -> Msg {
    let list = survey.question(question).and_then(|q| match &q.kind {
        QuestionKind::MultipleChoice { list, .. } => survey.choice_list(list),
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
