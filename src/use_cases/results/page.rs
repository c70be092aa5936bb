//! The figures of a results page: for every analysable question of a version the weighted
//! estimates with 95% intervals and the unweighted counts, "don't know" and missing counted
//! apart (they are outside every share, as the analysis crate's codes say), computed from a
//! [`Prepared`] query. Also the results index: versions with their completed-response counts.
//!
//! Shares of choices are `svymean(~factor(q), subset(design, filter), na.rm = TRUE)` with
//! logit intervals (R `svyciprop(method = "logit")`); means are `svymean` with a t interval on
//! the design degrees of freedom.

use analysis::data::{AnswerState, Column};
use analysis::Estimate;

use super::methods;
use super::query::{self, Prepared, ResultsQuery};
use super::report::PropInterval;
use super::ResultsError;
use crate::domain::survey::{Question, QuestionKind, Survey, Text};
use crate::storage::{self, DbConnection};

/// Confidence level of every interval on the page.
pub const LEVEL: f64 = 0.95;

/// One estimate: a share (0–1) or a mean, with its interval and unweighted n.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The category, option or matrix row (its stored value).
    pub key: String,
    /// Its label.
    pub label: Text,
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// 95% interval.
    pub ci: (f64, f64),
    /// Unweighted responses in the category (shares) or answering (means).
    pub n: usize,
}

/// What a question's figures are.
#[derive(Debug, Clone, PartialEq)]
pub enum Figures {
    /// Shares of the choices of a single-choice question (sum to 1).
    Choice(Vec<Figure>),
    /// Shares of a rating scale's points, plus the mean rating.
    Scale {
        /// Shares per point, lowest first.
        points: Vec<Figure>,
        /// The mean on the scale.
        mean: Figure,
    },
    /// Shares ticking each option (each among those who answered).
    Multi(Vec<Figure>),
    /// A mean.
    Mean(Figure),
    /// One set of choice shares per matrix row.
    Matrix(Vec<(Figure, Vec<Figure>)>),
    /// A Kano feature classified from its answer pairs (unweighted counts, Berger et al. 1993).
    Kano(analysis::priority::KanoSummary),
}

/// A question's results.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    /// Question key.
    pub key: String,
    /// Question text.
    pub label: Text,
    /// Responses in the filter with a valid answer.
    pub n_valid: usize,
    /// … answering "don't know".
    pub n_dont_know: usize,
    /// … without an answer.
    pub n_missing: usize,
    /// The estimates.
    pub figures: Figures,
}

/// A whole results page.
pub struct ResultsPage {
    /// The prepared input (version data, design, diagnostics).
    pub prepared: Prepared,
    /// One per analysable question, in questionnaire order.
    pub questions: Vec<QuestionResult>,
    /// Population tables to choose from: (id, name, columns).
    pub tables: Vec<(String, String, Vec<String>)>,
    /// Strata present in the version's responses.
    pub strata: Vec<String>,
    /// MaxDiff scores, one per MaxDiff question.
    pub maxdiff: Vec<super::maxdiff::MaxDiffResult>,
}

/// Survey key, version number, title, and completed responses.
pub struct IndexRow {
    /// Survey key.
    pub key: String,
    /// Version number.
    pub version: u32,
    /// Title.
    pub title: Text,
    /// Completed responses.
    pub responses: i64,
}

/// Every survey version, with its completed-response count (two queries).
pub fn index(conn: &mut DbConnection) -> Result<Vec<IndexRow>, ResultsError> {
    let counts = storage::results::counts_by_version(conn)?;
    Ok(storage::surveys::list_all_versions(conn)?
        .into_iter()
        .map(|(key, v)| IndexRow {
            responses: counts.get(&v.id).copied().unwrap_or(0),
            key,
            version: v.survey.version,
            title: v.survey.title.clone(),
        })
        .collect())
}

/// The results page of version `version` of `key` for `query`.
pub fn results_page(
    conn: &mut DbConnection,
    cache: &super::cache::ResultsCache,
    key: &str,
    version: u32,
    query: &ResultsQuery,
) -> Result<ResultsPage, ResultsError> {
    let prepared = query::prepare(conn, cache, key, version, query)?;
    let tables = super::population::list_tables(conn)?
        .into_iter()
        .map(|t| (t.id, t.name, t.columns))
        .collect();
    Ok(page_of(prepared, tables))
}

/// The page's figures from prepared input (no database).
pub fn page_of(prepared: Prepared, tables: Vec<(String, String, Vec<String>)>) -> ResultsPage {
    let survey = &prepared.data.survey;
    let all: Vec<&Question> = survey.questions().collect();
    let questions = on_threads(&all, |q| question_result(&prepared, survey, q))
        .into_iter()
        .flatten()
        .collect();
    let strata = prepared.data.strata.sorted.clone();
    ResultsPage {
        maxdiff: super::maxdiff::scores(&prepared),
        prepared,
        questions,
        tables,
        strata,
    }
}

/// At most this many threads compute one page: the questions are independent, so a page
/// takes about 1/threads of the time on an idle machine, while a busy server's concurrent
/// pages still leave cores to each other.
const PAGE_THREADS: usize = 4;

/// `f` of every item, in order, computed on up to [`PAGE_THREADS`] threads (the available
/// cores) that each take the next item not yet taken, so unequal questions balance out.
fn on_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(PAGE_THREADS)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            // A panic in a helper is the same bug as one on this thread: pass it on.
            done.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn choice_labels(survey: &Survey, list: &str) -> Vec<(String, Text)> {
    survey
        .choice_list(list)
        .map(|cs| {
            cs.iter()
                .map(|c| (c.value.clone(), c.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Counts of valid, don't know and missing among the filtered rows.
fn states(p: &Prepared, state: impl Fn(usize) -> AnswerState) -> (usize, usize, usize) {
    let (mut v, mut dk, mut m) = (0, 0, 0);
    for (i, &keep) in p.domain.iter().enumerate() {
        if keep {
            match state(i) {
                AnswerState::Valid => v += 1,
                AnswerState::DontKnow => dk += 1,
                AnswerState::Missing => m += 1,
            }
        }
    }
    (v, dk, m)
}

fn figure(key: &str, label: &Text, e: &Estimate, ci: (f64, f64), n: usize) -> Figure {
    Figure {
        key: key.to_owned(),
        label: label.clone(),
        estimate: e.estimate,
        se: e.se,
        ci,
        n,
    }
}

fn undefined(key: &str, label: &Text) -> Figure {
    Figure {
        key: key.to_owned(),
        label: label.clone(),
        estimate: f64::NAN,
        se: f64::NAN,
        ci: (f64::NAN, f64::NAN),
        n: 0,
    }
}

/// Shares of `codes` (labels in code order) among the filtered rows.
fn shares(p: &Prepared, codes: &[u32], labels: &[(String, Text)]) -> Vec<Figure> {
    let names: Vec<String> = labels.iter().map(|(v, _)| v.clone()).collect();
    match methods::frequencies(
        &p.design,
        codes,
        &names,
        Some(&p.domain),
        PropInterval::Logit,
        LEVEL,
    ) {
        Ok(report) => report
            .categories
            .iter()
            .zip(labels)
            .map(|(c, (v, l))| Figure {
                key: v.clone(),
                label: l.clone(),
                estimate: c.proportion,
                se: c.se,
                ci: (c.ci[0], c.ci[1]),
                n: c.n,
            })
            .collect(),
        Err(_) => labels.iter().map(|(v, l)| undefined(v, l)).collect(),
    }
}

/// The design mean of `y` (NaN = outside) among the filtered rows.
fn mean(p: &Prepared, key: &str, label: &Text, y: &[f64]) -> Figure {
    let n = y
        .iter()
        .zip(&p.domain)
        .filter(|(v, &d)| d && !v.is_nan())
        .count();
    let dom: Vec<bool> = y
        .iter()
        .zip(&p.domain)
        .map(|(v, &d)| d && !v.is_nan())
        .collect();
    let y0: Vec<f64> = y
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { *v })
        .collect();
    match p.design.mean(&y0, Some(&dom)) {
        Ok(e) => figure(key, label, &e, e.ci_t(LEVEL), n),
        Err(_) => undefined(key, label),
    }
}

fn question_result(p: &Prepared, survey: &Survey, q: &Question) -> Option<QuestionResult> {
    let data = &p.data.loaded.data;
    let result = |n: (usize, usize, usize), figures| QuestionResult {
        key: q.key.clone(),
        label: q.label.clone(),
        n_valid: n.0,
        n_dont_know: n.1,
        n_missing: n.2,
        figures,
    };
    match &q.kind {
        QuestionKind::SingleChoice { list, .. } => {
            let Some(Column::Categorical(col)) = data.column(&q.key) else {
                return None;
            };
            let labels = choice_labels(survey, list);
            let n = states(p, |i| col.state(i));
            Some(result(n, Figures::Choice(shares(p, &col.codes, &labels))))
        }
        QuestionKind::MultipleChoice { list, .. } => {
            let Some(Column::MultiSelect(col)) = data.column(&q.key) else {
                return None;
            };
            let labels = choice_labels(survey, list);
            let n = states(p, |i| col.state[i]);
            let figures = match p.design.multi_select_proportions(col, Some(&p.domain)) {
                Ok(est) => est
                    .iter()
                    .zip(&labels)
                    .zip(&col.selected)
                    .map(|((e, (v, l)), sel)| {
                        let ticked = sel.iter().zip(&p.domain).filter(|(&s, &d)| s && d).count();
                        let ci = analysis::ci::logit(e.estimate, e.se, n.0 as f64, e.df, LEVEL)
                            .map(|iv| (iv.lower, iv.upper))
                            .unwrap_or((f64::NAN, f64::NAN));
                        figure(v, l, e, ci, ticked)
                    })
                    .collect(),
                Err(_) => labels.iter().map(|(v, l)| undefined(v, l)).collect(),
            };
            Some(result(n, Figures::Multi(figures)))
        }
        QuestionKind::Rating { scale } => {
            let Some(Column::Numeric(col)) = data.column(&q.key) else {
                return None;
            };
            let n = states(p, |i| col.state(i));
            let k = usize::try_from(scale.max - scale.min + 1).unwrap_or(0);
            let labels: Vec<(String, Text)> = (scale.min..=scale.max)
                .map(|v| {
                    let mut label = Text::new([]);
                    for lang in ["sv", "en"] {
                        let end = if v == scale.min {
                            scale.min_label.get(lang)
                        } else if v == scale.max {
                            scale.max_label.get(lang)
                        } else {
                            None
                        };
                        let text = match end {
                            Some(e) if !e.is_empty() => format!("{v} {e}"),
                            _ => v.to_string(),
                        };
                        label.0.insert(lang.into(), text);
                    }
                    (v.to_string(), label)
                })
                .collect();
            let codes: Vec<u32> = col
                .values
                .iter()
                .zip(&col.dont_know)
                .map(|(&v, &dk)| {
                    if dk {
                        analysis::data::DONT_KNOW
                    } else if v.is_nan() {
                        analysis::data::MISSING
                    } else {
                        let c = (v.round() as i64 - scale.min).clamp(0, k as i64 - 1);
                        c as u32
                    }
                })
                .collect();
            let y = col.substantive();
            let mean_label = Text::new([("sv", "Medelvärde"), ("en", "Mean")]);
            Some(result(
                n,
                Figures::Scale {
                    points: shares(p, &codes, &labels),
                    mean: mean(p, "mean", &mean_label, &y),
                },
            ))
        }
        QuestionKind::Integer { .. } | QuestionKind::Decimal { .. } => {
            let Some(Column::Numeric(col)) = data.column(&q.key) else {
                return None;
            };
            let n = states(p, |i| col.state(i));
            let y = col.substantive();
            let label = Text::new([("sv", "Medelvärde"), ("en", "Mean")]);
            Some(result(n, Figures::Mean(mean(p, "mean", &label, &y))))
        }
        QuestionKind::Matrix { rows, list } => {
            let labels = choice_labels(survey, list);
            let mut out = Vec::new();
            let mut total = (0, 0, 0);
            for r in rows {
                let Some(Column::Categorical(col)) = data.column(&format!("{}.{}", q.key, r.key))
                else {
                    continue;
                };
                let n = states(p, |i| col.state(i));
                total = (total.0.max(n.0), total.1.max(n.1), total.2.max(n.2));
                let mut row = undefined(&r.key, &r.label);
                row.n = n.0;
                out.push((row, shares(p, &col.codes, &labels)));
            }
            Some(result(total, Figures::Matrix(out)))
        }
        QuestionKind::Kano { .. } => {
            use analysis::priority::{kano_classify, KanoAnswer};
            let (Some(Column::Categorical(f)), Some(Column::Categorical(d))) = (
                data.column(&format!("{}.functional", q.key)),
                data.column(&format!("{}.dysfunctional", q.key)),
            ) else {
                return None;
            };
            let answer = |c: &analysis::data::Categorical, row: usize| {
                c.labels
                    .get(c.codes[row] as usize)
                    .and_then(|v| KanoAnswer::parse(&v.replace('_', "-")))
            };
            let mut pairs = Vec::new();
            let mut n = (0, 0, 0);
            for row in 0..p.domain.len() {
                if !p.domain[row] {
                    continue;
                }
                match (answer(f, row), answer(d, row)) {
                    (Some(a), Some(b)) => {
                        n.0 += 1;
                        pairs.push((a, b));
                    }
                    _ if f.state(row) == AnswerState::DontKnow
                        || d.state(row) == AnswerState::DontKnow =>
                    {
                        n.1 += 1
                    }
                    _ => n.2 += 1,
                }
            }
            let summary = kano_classify(&pairs).ok()?;
            Some(result(n, Figures::Kano(summary)))
        }
        _ => None,
    }
}

/// A results page to render: the form's inputs always, the figures when the query could be
/// applied, otherwise the reason (the reader's choices are kept so they can change them).
pub struct Shown {
    /// The instrument.
    pub survey: Survey,
    /// The query as understood (the default when it did not parse).
    pub query: ResultsQuery,
    /// Population tables: (id, name, columns).
    pub tables: Vec<(String, String, Vec<String>)>,
    /// Strata present in the responses.
    pub strata: Vec<String>,
    /// The figures, or why the query cannot be applied (or that there are no responses).
    pub page: Result<ResultsPage, crate::domain::lang::Msg>,
    /// Whether the version has no responses yet (nothing to compute, not a bad query).
    pub empty: bool,
}

/// Everything the results page of `key`/`version` shows for `query` (a query that did not
/// parse comes as its message). A missing version or a database failure is an error; a query,
/// weighting or design the responses do not support is [`Shown::page`]'s message.
pub fn show(
    conn: &mut DbConnection,
    cache: &super::cache::ResultsCache,
    key: &str,
    version: u32,
    query: Result<ResultsQuery, crate::domain::lang::Msg>,
) -> Result<Shown, ResultsError> {
    let stored = storage::surveys::find_version(conn, key, version)?
        .ok_or_else(|| ResultsError::NotFound(format!("{key}/{version}")))?;
    let data = cache.load(conn, &stored)?;
    let tables: Vec<(String, String, Vec<String>)> = super::population::list_tables(conn)?
        .into_iter()
        .map(|t| (t.id, t.name, t.columns))
        .collect();
    let strata = data.strata.sorted.clone();
    let query = match query {
        Ok(q) if data.is_empty() => Err(q),
        Ok(q) => Ok(Ok(q)),
        Err(m) => Ok(Err(m)),
    };
    let (query, page) = match query {
        Err(q) => (
            q,
            Err(crate::domain::lang::Msg::fixed(
                "Versionen har inga inkomna svar än.",
                "This version has no completed responses yet.",
            )),
        ),
        Ok(Err(m)) => (ResultsQuery::default(), Err(m)),
        Ok(Ok(q)) => {
            let table = match q.weighting.table() {
                Some(id) => super::population::find_table(conn, id)?,
                None => None,
            };
            let prepared = match (q.weighting.table(), &table) {
                (Some(id), None) => Err(ResultsError::TableNotFound(id.to_owned())),
                _ => query::prepare_loaded(data.clone(), table.as_ref(), &q),
            };
            let page = match prepared {
                Ok(p) => Ok(page_of(p, tables.clone())),
                Err(e) => match e.message() {
                    Some(m) => Err(m),
                    None => return Err(e),
                },
            };
            (q, page)
        }
    };
    Ok(Shown {
        survey: stored.survey,
        query,
        tables,
        strata,
        empty: data.is_empty(),
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_computed_on_threads_come_back_in_questionnaire_order() {
        // Uneven work, so the threads finish items out of order.
        let items: Vec<u64> = (0..97).map(|i| (i * 7919) % 13).collect();
        let got = on_threads(&items, |&x| {
            let spin: u64 = (0..x * 20_000).fold(0u64, |a, b| a.wrapping_add(b * b));
            (x, spin)
        });
        let want: Vec<(u64, u64)> = items
            .iter()
            .map(|&x| (x, (0..x * 20_000).fold(0u64, |a, b| a.wrapping_add(b * b))))
            .collect();
        assert_eq!(got, want);
    }
}
