//! Columnar survey data: categorical (codes + labels), numeric and multi-select columns, with
//! "missing" (no answer) and "don't know" kept as distinct states so analyses can choose how to treat each.

/// Code of a categorical cell with no answer.
pub const MISSING: u32 = u32::MAX;
/// Code of a categorical cell answered "don't know".
pub const DONT_KNOW: u32 = u32::MAX - 1;

/// State of one answer, shared by all column kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AnswerState {
    /// A substantive answer.
    Valid,
    /// No answer (skipped, not asked, or lost).
    Missing,
    /// The respondent answered "don't know".
    DontKnow,
}

/// A single-choice question: one code per respondent indexing `labels`, or [`MISSING`] / [`DONT_KNOW`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Categorical {
    /// Code per respondent.
    pub codes: Vec<u32>,
    /// Label per code, in code order.
    pub labels: Vec<String>,
}

impl Categorical {
    /// Build from text answers. `None` or an empty string is missing; `dont_know` (if given) marks
    /// "don't know"; other values become categories in order of first appearance, or in `order` when given.
    pub fn from_text(
        values: &[Option<&str>],
        dont_know: Option<&str>,
        order: Option<&[&str]>,
    ) -> Self {
        let mut labels: Vec<String> = order
            .map(|o| o.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default();
        let codes = values
            .iter()
            .map(|v| match v {
                None => MISSING,
                Some("") => MISSING,
                Some(s) if Some(*s) == dont_know => DONT_KNOW,
                Some(s) => match labels.iter().position(|l| l == s) {
                    Some(i) => i as u32,
                    None => {
                        labels.push(s.to_string());
                        labels.len() as u32 - 1
                    }
                },
            })
            .collect();
        Categorical { codes, labels }
    }

    /// State of respondent `i`'s answer.
    pub fn state(&self, i: usize) -> AnswerState {
        match self.codes[i] {
            MISSING => AnswerState::Missing,
            DONT_KNOW => AnswerState::DontKnow,
            _ => AnswerState::Valid,
        }
    }

    /// Mask of respondents with a substantive answer: the usual analysis domain.
    pub fn valid_mask(&self) -> Vec<bool> {
        self.codes.iter().map(|&c| c < DONT_KNOW).collect()
    }

    /// Indicator of category `code` (false for missing and don't know).
    pub fn indicator(&self, code: u32) -> Vec<bool> {
        self.codes.iter().map(|&c| c == code).collect()
    }
}

/// A numeric question. Non-answers are `NaN` in `values`; `dont_know` marks which of them were "don't know".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Numeric {
    /// Value per respondent (`NaN` when not a substantive answer).
    pub values: Vec<f64>,
    /// True where the respondent answered "don't know".
    pub dont_know: Vec<bool>,
}

impl Numeric {
    /// Build from optional values; `None` is missing.
    pub fn new(values: Vec<Option<f64>>) -> Self {
        let n = values.len();
        Numeric {
            values: values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
            dont_know: vec![false; n],
        }
    }

    /// The values with "don't know" as missing (`NaN`): what a mean or total of the answers uses.
    pub fn substantive(&self) -> Vec<f64> {
        self.values
            .iter()
            .zip(&self.dont_know)
            .map(|(&v, &dk)| if dk { f64::NAN } else { v })
            .collect()
    }

    /// State of respondent `i`'s answer.
    pub fn state(&self, i: usize) -> AnswerState {
        if self.dont_know[i] {
            AnswerState::DontKnow
        } else if self.values[i].is_nan() {
            AnswerState::Missing
        } else {
            AnswerState::Valid
        }
    }
}

/// A multi-select question stored as one indicator column per option, plus whether the question was answered
/// (an unanswered question is missing for every option, not "not selected").
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MultiSelect {
    /// Option labels.
    pub options: Vec<String>,
    /// `selected[k][i]`: respondent `i` ticked option `k`.
    pub selected: Vec<Vec<bool>>,
    /// State of the question per respondent.
    pub state: Vec<AnswerState>,
}

impl MultiSelect {
    /// Domain for option proportions: respondents who answered the question.
    pub fn answered_mask(&self) -> Vec<bool> {
        self.state
            .iter()
            .map(|s| *s == AnswerState::Valid)
            .collect()
    }
}

/// One column of survey data.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Column {
    /// Single choice.
    Categorical(Categorical),
    /// Number.
    Numeric(Numeric),
    /// Several choices.
    MultiSelect(MultiSelect),
}

/// Named columns of equal length: the respondents of one survey (design information is kept in [`crate::Design`]).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SurveyData {
    /// Columns by name, in insertion order.
    pub columns: Vec<(String, Column)>,
}

impl SurveyData {
    /// Look a column up by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}
