//! MaxDiff (best–worst) scores on the results page. The version's task design is rebuilt from
//! the question's parameters (`domain::survey::maxdiff::design_for`: deterministic from its
//! seed) and each response's stored `question.version` answer, so the items shown in every task
//! are known without storing them; each task's best and worst choice then gives +1 / −1 / 0 per
//! shown item, aggregated by the analysis crate (`methods::maxdiff`: counts, the analytical
//! logit `b` with its SE, the choice share). The score shown is best − worst per time shown,
//! (best − worst) / n = 2p − 1 in [−1, 1], with the 95% interval of the logit mapped to that
//! scale. Counts are of the responses in the page's filters and are unweighted (the method
//! counts choices, it has no design weights); the page says so.

use analysis::data::Column;

use super::methods;
use super::query::Prepared;
use super::report::MaxDiffItem;
use crate::domain::survey::{maxdiff, Question, QuestionKind};

/// The scores of one MaxDiff question.
#[derive(Debug, Clone)]
pub struct MaxDiffResult {
    /// Question key.
    pub key: String,
    /// Items in list order: `(choice value, score)`.
    pub items: Vec<(String, ItemScore)>,
    /// Responses in the filters with at least one answered task.
    pub respondents: usize,
    /// Answered tasks.
    pub tasks: usize,
}

/// One item's score.
#[derive(Debug, Clone)]
pub struct ItemScore {
    /// The method's figures (counts, logit, SE, choice share).
    pub method: MaxDiffItem,
    /// (best − worst) / times shown.
    pub score: f64,
    /// 95% interval of the score (from the logit's).
    pub ci: (f64, f64),
}

/// z for the 95% interval.
const Z: f64 = 1.959_963_984_540_054;

fn logistic_score(b: f64) -> f64 {
    2.0 / (1.0 + (-b).exp()) - 1.0
}

/// The scores of every MaxDiff question of the prepared version (in questionnaire order);
/// a question nobody in the filters answered is left out.
pub fn scores(p: &Prepared) -> Vec<MaxDiffResult> {
    let survey = &p.data.survey;
    survey
        .questions()
        .filter_map(|q| question_scores(p, q))
        .collect()
}

fn question_scores(p: &Prepared, q: &Question) -> Option<MaxDiffResult> {
    let QuestionKind::MaxDiff { list, tasks, .. } = &q.kind else {
        return None;
    };
    let survey = &p.data.survey;
    let design = maxdiff::design_for(survey, q)?.ok()?;
    let values: Vec<String> = survey
        .choice_list(list)?
        .iter()
        .map(|c| c.value.clone())
        .collect();
    let data = &p.data.loaded.data;
    // Columns resolved once, not per row (the page may hold 100,000 responses).
    let version_col = data.column(&format!("{}.version", q.key));
    let task_cols: Vec<(Option<&Column>, Option<&Column>)> = (1..=*tasks)
        .map(|t| {
            (
                data.column(&format!("{}.t{t}.best", q.key)),
                data.column(&format!("{}.t{t}.worst", q.key)),
            )
        })
        .collect();
    let version_of = |row: usize| -> Option<usize> {
        match version_col? {
            Column::Numeric(n) => {
                let v = n.values[row];
                (v.is_finite() && v >= 0.0).then_some(v as usize)
            }
            Column::Categorical(c) => c.labels.get(c.codes[row] as usize)?.parse().ok(),
            _ => None,
        }
    };
    // Categorical codes follow the list's order (the loader's), so a code is the item index.
    let item_of = |col: Option<&Column>, row: usize| -> Option<usize> {
        match col? {
            Column::Categorical(c) => {
                let v = c.labels.get(c.codes[row] as usize)?;
                values.iter().position(|x| x == v)
            }
            Column::Numeric(n) => {
                let v = n.values[row];
                (v.is_finite() && v >= 0.0).then_some(v as usize)
            }
            _ => None,
        }
    };
    let (mut codes, mut choices) = (Vec::new(), Vec::new());
    let (mut respondents, mut answered) = (0, 0);
    for (row, &keep) in p.domain.iter().enumerate() {
        if !keep {
            continue;
        }
        let Some(shown) = version_of(row).and_then(|v| design.versions.get(v)) else {
            continue;
        };
        let mut any = false;
        for (items, &(best_col, worst_col)) in shown.iter().zip(&task_cols) {
            let best = item_of(best_col, row);
            let worst = item_of(worst_col, row);
            let (Some(best), Some(worst)) = (best, worst) else {
                continue;
            };
            if best == worst || !items.contains(&best) || !items.contains(&worst) {
                continue;
            }
            any = true;
            answered += 1;
            for &i in items {
                codes.push(i as u32);
                choices.push(if i == best {
                    1
                } else if i == worst {
                    -1
                } else {
                    0
                });
            }
        }
        respondents += usize::from(any);
    }
    if answered == 0 {
        return None;
    }
    let report = methods::maxdiff(&codes, &choices, &values).ok()?;
    let items = values
        .iter()
        .cloned()
        .zip(report.items)
        .map(|(v, m)| {
            let n = m.n as f64;
            let score = (m.best as f64 - m.worst as f64) / n;
            let ci = if m.se.is_finite() && m.b.is_finite() {
                (
                    logistic_score(m.b - Z * m.se),
                    logistic_score(m.b + Z * m.se),
                )
            } else {
                (f64::NAN, f64::NAN)
            };
            (
                v,
                ItemScore {
                    method: m,
                    score,
                    ci,
                },
            )
        })
        .collect();
    Some(MaxDiffResult {
        key: q.key.clone(),
        items,
        respondents,
        tasks: answered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_scale_maps_the_logit_to_best_minus_worst_per_time_shown() {
        // p = 0.75 (b = ln 3): best − worst per time shown = 2p − 1 = 0.5.
        assert!((logistic_score(3f64.ln()) - 0.5).abs() < 1e-12);
        assert!(logistic_score(0.0).abs() < 1e-12);
    }
}
