//! Quotas: stop accepting responses in a cell (e.g. district × age group) once it is full.
//!
//! A quota names the questions whose answers form its cells and a limit per cell; a response
//! falls in exactly one cell of each quota (or none, when a defining question is unanswered).
//! Counting happens in the submitting transaction, so a full cell refuses exactly the responses
//! beyond its limit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::Text;

/// One quota of a survey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// A short stable name (shown to staff, stored with the counts).
    pub name: String,
    /// The questions whose answers define the cells, in order.
    pub by: Vec<String>,
    /// The limit of every cell without its own.
    pub limit: u32,
    /// Limits of particular cells, keyed by [`Quota::cell`]'s text (`"söder × 18-29"`).
    #[serde(default)]
    pub limits: BTreeMap<String, u32>,
    /// What a respondent in a full cell is told (a kind default is used when empty).
    #[serde(default)]
    pub message: Text,
}

/// The separator between answer values in a cell name.
pub const CELL_SEPARATOR: &str = " × ";

impl Quota {
    /// The cell `answers` fall in, or `None` when a defining question is unanswered.
    pub fn cell(&self, answers: &AnswerMap) -> Option<String> {
        let mut parts = Vec::with_capacity(self.by.len());
        for key in &self.by {
            let v = answers.get(key)?;
            if v.is_empty() {
                return None;
            }
            parts.push(v.to_text());
        }
        Some(parts.join(CELL_SEPARATOR))
    }

    /// The limit of `cell`.
    pub fn limit_of(&self, cell: &str) -> u32 {
        self.limits.get(cell).copied().unwrap_or(self.limit)
    }
}

/// The quota cells a response falls in: `(quota name, cell, limit)`.
pub fn cells(quotas: &[Quota], answers: &AnswerMap) -> Vec<(String, String, u32)> {
    quotas
        .iter()
        .filter_map(|q| {
            q.cell(answers)
                .map(|c| (q.name.clone(), c.clone(), q.limit_of(&c)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expr::Value;

    fn quota() -> Quota {
        Quota {
            name: "district_age".into(),
            by: vec!["district".into(), "age".into()],
            limit: 10,
            limits: BTreeMap::from([("söder × 18-29".into(), 2)]),
            message: Text::default(),
        }
    }

    #[test]
    fn a_response_falls_in_the_cell_of_its_answers_with_that_cells_limit() {
        let answers = AnswerMap::from([
            ("district".into(), Value::Text("söder".into())),
            ("age".into(), Value::Text("18-29".into())),
        ]);
        assert_eq!(
            cells(&[quota()], &answers),
            vec![("district_age".into(), "söder × 18-29".into(), 2)]
        );
        let other = AnswerMap::from([
            ("district".into(), Value::Text("norr".into())),
            ("age".into(), Value::Number(3.0)),
        ]);
        assert_eq!(
            cells(&[quota()], &other),
            vec![("district_age".into(), "norr × 3".into(), 10)]
        );
    }

    #[test]
    fn a_response_missing_a_defining_answer_is_in_no_cell() {
        let answers = AnswerMap::from([("district".into(), Value::Text("söder".into()))]);
        assert!(cells(&[quota()], &answers).is_empty());
        let empty = AnswerMap::from([
            ("district".into(), Value::Text("söder".into())),
            ("age".into(), Value::Text(String::new())),
        ]);
        assert!(cells(&[quota()], &empty).is_empty());
    }
}
