//! The questionnaire model: a survey version with pages, questions, reusable choice lists and texts in
//! every language. Pure data plus the helpers built on it (publish checks, answer flow, randomisation,
//! MaxDiff designs).
//!
//! One [`Survey`] value is one *version* of an instrument. It serialises to a single TOML or JSON text
//! (one database row per version). A published version never changes: [`Survey::new_draft`] copies it into
//! the next draft version, and responses point at `(key, version)`.
//!
//! Entry points for storage, the web app and the designer:
//! - read/write: `crate::formats::survey_file::{from_toml_str, to_toml_string, load_dir}` or serde JSON directly;
//!   `crate::formats::xlsform::{import, export}` for XLSForm workbooks;
//! - life cycle: [`Survey::ensure_editable`], [`Survey::publish`] (runs [`check()`]), [`Survey::close`],
//!   [`Survey::new_draft`];
//! - storage layout: [`Question::answer_columns`] lists the `(key, sub-key)` cells of each question;
//!   [`flow::answer_cells`] / [`flow::answers_from_cells`] convert answers to and from those cells;
//! - rendering: walk [`Survey::pages`]; [`random::layout`] gives a respondent's question and option order
//!   from a stored seed; [`flow::pipe`] fills `${key}` in labels; [`flow::page_relevance`] says what to show;
//! - submitting: [`flow::apply`] (calculations, clearing skipped answers), then [`flow::validate`];
//! - MaxDiff: [`maxdiff::generate`] and [`maxdiff::MaxDiffDesign::version_for`].

pub mod check;
pub mod conditional;
pub mod flow;
pub mod lix;
pub mod maxdiff;
pub mod placeholders;
pub mod random;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::expr::Expression;

pub use check::{check, Finding, Location, Severity};

/// The languages every published survey must have.
pub const REQUIRED_LANGUAGES: [&str; 2] = ["sv", "en"];

/// A text in every language of the survey: language code → text. A `BTreeMap` so output is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// A text given as `(language, text)` pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Text(
            pairs
                .into_iter()
                .map(|(l, t)| (l.to_owned(), t.to_owned()))
                .collect(),
        )
    }

    /// The text in `lang`, falling back to `fallback` and then to any language, so a renderer always has
    /// something to show.
    pub fn get_or<'a>(&'a self, lang: &str, fallback: &str) -> &'a str {
        self.0
            .get(lang)
            .or_else(|| self.0.get(fallback))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    /// The text in exactly `lang`, if present and not blank.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0
            .get(lang)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// True when no language has a non-blank text.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(|s| s.trim().is_empty())
    }
}

/// Where a survey version is in its life cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// Being edited; not open for responses.
    #[default]
    Draft,
    /// Frozen and open for responses.
    Published,
    /// Frozen and no longer accepting responses.
    Closed,
}

/// Errors from life-cycle operations on a survey version.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SurveyError {
    /// Editing a published or closed version; create a new draft instead.
    #[error("version {version} of survey '{key}' is {status:?} and cannot be changed; create a new draft version")]
    NotEditable {
        /// The survey key.
        key: String,
        /// The version.
        version: u32,
        /// Its status.
        status: VersionStatus,
    },
    /// Publishing failed; the findings with severity error are listed.
    #[error("survey '{key}' cannot be published: {} error(s), first: {}", .errors.len(), .errors.first().map(|f| f.message_en.as_str()).unwrap_or(""))]
    PublishBlocked {
        /// The survey key.
        key: String,
        /// The blocking findings.
        errors: Vec<Finding>,
    },
    /// Only a published version can be closed.
    #[error("only a published version can be closed")]
    NotPublished,
}

/// Survey-wide settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Free-form note for researchers (purpose, sample, owner); never shown to respondents.
    pub note: Option<String>,
    /// The XLSForm `form_id` this survey was imported from or should be exported as, if different from the key.
    pub form_id: Option<String>,
}

/// One version of a survey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Stable key (slug) shared by all versions, e.g. `it-habits`.
    pub key: String,
    /// Version number, starting at 1.
    pub version: u32,
    /// Life-cycle status of this version.
    #[serde(default)]
    pub status: VersionStatus,
    /// The language shown when the respondent has not chosen one (Swedish by default).
    #[serde(default = "default_language")]
    pub default_language: String,
    /// All languages the survey is written in; must include `sv` and `en` to publish.
    pub languages: Vec<String>,
    /// The survey title.
    pub title: Text,
    /// The introduction shown before the first page.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub intro: Text,
    /// The thank-you message shown after submitting; residents want to know their answer arrived.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub thanks: Text,
    /// Survey-wide settings.
    #[serde(default, skip_serializing_if = "is_default")]
    pub settings: Settings,
    /// Choice lists by name, reusable by any question of the survey.
    #[serde(default)]
    pub choice_lists: BTreeMap<String, Vec<Choice>>,
    /// Pages in order; each is one screen for the respondent.
    pub pages: Vec<Page>,
}

fn default_language() -> String {
    "sv".to_owned()
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One option of a choice list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value (XLSForm `name`); stable across versions.
    pub value: String,
    /// The label in every language.
    pub label: Text,
    /// An exclusive option ("don't know", "none of these"): selecting it deselects all others in a multiple
    /// choice, and it is never shuffled.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
}

/// A page (XLSForm group): one screen of questions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Stable key of the page.
    pub key: String,
    /// The page heading.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub title: Text,
    /// Skip logic for the whole page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Expression>,
    /// Shuffle the question order on this page per respondent (notes and calculated values stay in place).
    #[serde(default, skip_serializing_if = "is_false")]
    pub randomise: bool,
    /// The questions in their designed order.
    pub questions: Vec<Question>,
}

/// A question (or a note, hidden or calculated value) with its stable key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key, unique within the survey; the answer column name.
    pub key: String,
    /// What kind of question it is, with its kind-specific settings.
    #[serde(flatten)]
    pub kind: QuestionKind,
    /// The question text; may pipe earlier answers with `${key}`.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub label: Text,
    /// Help text shown under the label.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub hint: Text,
    /// Must be answered when relevant.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Must be answered when relevant and this expression is true (conditional required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Expression>,
    /// The message shown when a required question is left empty.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub required_message: Text,
    /// Skip logic: the question is shown only when this is true; otherwise its answer is cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Expression>,
    /// Validation; `.` is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<Expression>,
    /// The message shown when the constraint fails.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub constraint_message: Text,
    /// Shuffle the options per respondent (exclusive options stay last).
    #[serde(default, skip_serializing_if = "is_false")]
    pub randomise_options: bool,
    /// The most characters a text answer (and an "other, specify" text) may have; `None` means the
    /// kind's default ([`Question::max_length`]). XLSForm: `parameters` `max-length=500`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
}

/// The default limit of a one-line text answer (and of an "other, specify" text), in characters.
pub const SHORT_TEXT_MAX: u32 = 250;
/// The default limit of a multi-line text answer, in characters: a long letter, yet a page of
/// such answers stays far below the respondent form's body limit.
pub const LONG_TEXT_MAX: u32 = 2_000;
/// The highest limit a designer may set, so the form's body limit always has room for a page.
pub const TEXT_MAX_CEILING: u32 = 10_000;

/// The body limit of a respondent's page form. The form carries every answer given so far (the
/// other pages' answers in hidden fields), so it must stay far above what the texts' own limits
/// allow: 1 MiB holds over 40 answers at the 2,000-character default even when every character
/// takes the 12 bytes of a percent-encoded four-byte letter. An answer over its limit is then
/// refused by validation with the page re-shown and the text kept, never by the body limit; the
/// publish check warns about a survey whose limits add up past it.
pub const RESPONDENT_FORM_BYTES: usize = 1024 * 1024;

/// How a single choice is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceAppearance {
    /// Radio buttons (default).
    #[default]
    Radio,
    /// A drop-down list (XLSForm `minimal`), for long lists.
    Dropdown,
}

/// A rating scale with labelled end points: integer points `min..=max`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The lowest point, usually 1.
    pub min: i64,
    /// The highest point, e.g. 5 or 7.
    pub max: i64,
    /// The label of the lowest point.
    pub min_label: Text,
    /// The label of the highest point.
    pub max_label: Text,
    /// When present, a "don't know" option with this label, stored as [`DONT_KNOW`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dont_know: Option<Text>,
}

/// The stored value of a scale's "don't know" option.
pub const DONT_KNOW: &str = "dont_know";

impl Scale {
    /// The number of points on the scale, including "don't know".
    pub fn points(&self) -> usize {
        let n = usize::try_from(self.max.saturating_sub(self.min).saturating_add(1)).unwrap_or(0);
        n + usize::from(self.dont_know.is_some())
    }
}

/// A sub-item with its own key and label: a matrix row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Stable sub-key; the answer is stored under `question.row`.
    pub key: String,
    /// The row label.
    pub label: Text,
}

/// The kind of a question and its kind-specific settings. In TOML the kind is the `type` field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Information only; no answer.
    Note,
    /// One option from a choice list.
    SingleChoice {
        /// The choice list name.
        list: String,
        /// Radio buttons or drop-down.
        #[serde(default, skip_serializing_if = "is_default")]
        appearance: ChoiceAppearance,
        /// Adds "other, please specify" with a text field (`key.other`).
        #[serde(default, skip_serializing_if = "is_false")]
        other: bool,
    },
    /// Any number of options; exclusive options clear the others.
    MultipleChoice {
        /// The choice list name.
        list: String,
        /// Adds "other, please specify" with a text field (`key.other`).
        #[serde(default, skip_serializing_if = "is_false")]
        other: bool,
    },
    /// A rating or Likert scale with labelled end points.
    Rating {
        /// The scale.
        scale: Scale,
    },
    /// Several rows answered on one shared choice list (the columns).
    Matrix {
        /// The rows.
        rows: Vec<Row>,
        /// The choice list shared by all rows.
        list: String,
    },
    /// A whole number.
    Integer {
        /// Lowest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        /// Highest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
    },
    /// A decimal number.
    Decimal {
        /// Lowest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Highest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// A one-line text.
    ShortText,
    /// A multi-line text.
    LongText,
    /// A date (`YYYY-MM-DD`).
    Date,
    /// Put all options of a list in order.
    Ranking {
        /// The choice list to rank.
        list: String,
    },
    /// A best–worst (MaxDiff) block: in each task the respondent picks the most and least important of a
    /// subset of items. The design is generated from these parameters (see [`maxdiff`]).
    MaxDiff {
        /// The choice list of items.
        list: String,
        /// Items shown per task.
        items_per_task: u32,
        /// Tasks per respondent.
        tasks: u32,
        /// Number of design versions respondents are spread over.
        #[serde(default = "default_design_versions")]
        design_versions: u32,
        /// Seed of the design generator, so the design is reproducible. 32 bits because TOML integers are
        /// signed 64-bit: a `u64` seed above `i64::MAX` could not be written to a survey file.
        #[serde(default)]
        design_seed: u32,
        /// The label above the "most" column.
        best_label: Text,
        /// The label above the "least" column.
        worst_label: Text,
    },
    /// A Kano pair about one feature: how would you feel if it were there (functional) / not there
    /// (dysfunctional), both answered on one list (usually the standard five Kano answers).
    Kano {
        /// The functional question.
        functional: Text,
        /// The dysfunctional question.
        dysfunctional: Text,
        /// The answer list for both.
        list: String,
    },
    /// An importance–satisfaction pair about one item, both on one scale.
    ImportanceSatisfaction {
        /// The importance question.
        importance: Text,
        /// The satisfaction question.
        satisfaction: Text,
        /// The scale used for both.
        scale: Scale,
    },
    /// Informed consent: the label is the statement; the answer is yes/no.
    Consent,
    /// A value not shown to the respondent, set from the invitation link (e.g. a sample stratum).
    Hidden {
        /// The value used when none is supplied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<String>,
    },
    /// A value computed from earlier answers.
    Calculate {
        /// The calculation.
        calculation: Expression,
    },
}

fn default_design_versions() -> u32 {
    10
}

/// The type of an answer value, for storage and analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Text (including single-choice option values and dates as `YYYY-MM-DD`).
    Text,
    /// A number.
    Number,
    /// 0/1 indicator (multiple-choice option selected, consent given).
    Indicator,
}

/// One stored answer column of a question: storage keeps one row per `(response, key, sub_key)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerColumn {
    /// The sub-key, or `None` for the question's main value. The full answer key is `key` or `key.sub`.
    pub sub_key: Option<String>,
    /// The value type.
    pub value_type: ValueType,
}

impl AnswerColumn {
    fn main(value_type: ValueType) -> Self {
        AnswerColumn {
            sub_key: None,
            value_type,
        }
    }

    fn sub(sub: impl Into<String>, value_type: ValueType) -> Self {
        AnswerColumn {
            sub_key: Some(sub.into()),
            value_type,
        }
    }

    /// The full answer key: `question` or `question.sub`.
    pub fn answer_key(&self, question: &str) -> String {
        match &self.sub_key {
            Some(s) => format!("{question}.{s}"),
            None => question.to_owned(),
        }
    }
}

impl QuestionKind {
    /// The kind name as written in TOML (`single_choice`, `max_diff`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::Note => "note",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::Rating { .. } => "rating",
            QuestionKind::Matrix { .. } => "matrix",
            QuestionKind::Integer { .. } => "integer",
            QuestionKind::Decimal { .. } => "decimal",
            QuestionKind::ShortText => "short_text",
            QuestionKind::LongText => "long_text",
            QuestionKind::Date => "date",
            QuestionKind::Ranking { .. } => "ranking",
            QuestionKind::MaxDiff { .. } => "max_diff",
            QuestionKind::Kano { .. } => "kano",
            QuestionKind::ImportanceSatisfaction { .. } => "importance_satisfaction",
            QuestionKind::Consent => "consent",
            QuestionKind::Hidden { .. } => "hidden",
            QuestionKind::Calculate { .. } => "calculate",
        }
    }

    /// The choice list this kind uses, if any.
    pub fn list(&self) -> Option<&str> {
        match self {
            QuestionKind::SingleChoice { list, .. }
            | QuestionKind::MultipleChoice { list, .. }
            | QuestionKind::Matrix { list, .. }
            | QuestionKind::Ranking { list }
            | QuestionKind::MaxDiff { list, .. }
            | QuestionKind::Kano { list, .. } => Some(list),
            _ => None,
        }
    }

    /// True when the respondent sees nothing to answer (notes, hidden and calculated values).
    pub fn is_passive(&self) -> bool {
        matches!(
            self,
            QuestionKind::Note | QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. }
        )
    }
}

impl Question {
    /// A question of `kind` with a key and label and every optional field empty.
    pub fn new(key: impl Into<String>, kind: QuestionKind, label: Text) -> Self {
        Question {
            key: key.into(),
            kind,
            label,
            hint: Text::default(),
            required: false,
            required_if: None,
            required_message: Text::default(),
            relevant: None,
            constraint: None,
            constraint_message: Text::default(),
            randomise_options: false,
            max_length: None,
        }
    }

    /// The most characters answer key `answer_key` of this question may hold, for the texts
    /// respondents type: the question's own limit (capped at [`TEXT_MAX_CEILING`]) or the
    /// kind's default. `None` for answers that are not typed text.
    pub fn max_length(&self, answer_key: &str) -> Option<u32> {
        let own = self.max_length.map(|n| n.clamp(1, TEXT_MAX_CEILING));
        let is_other = answer_key
            .strip_prefix(self.key.as_str())
            .is_some_and(|rest| rest == ".other");
        match &self.kind {
            QuestionKind::ShortText if answer_key == self.key => {
                Some(own.unwrap_or(SHORT_TEXT_MAX))
            }
            QuestionKind::LongText if answer_key == self.key => Some(own.unwrap_or(LONG_TEXT_MAX)),
            QuestionKind::SingleChoice { other: true, .. }
            | QuestionKind::MultipleChoice { other: true, .. }
                if is_other =>
            {
                Some(own.unwrap_or(SHORT_TEXT_MAX))
            }
            _ => None,
        }
    }

    /// The stored answer columns of this question in `survey` (needed to expand list-based kinds).
    ///
    /// - single choice, rating, integer, decimal, texts, date, hidden, calculate: the main value;
    ///   single choice with `other` adds `other` (text);
    /// - multiple choice: one 0/1 indicator per option value, plus `other` (text) when enabled;
    /// - matrix: one column per row key; ranking: one numeric rank per option value;
    /// - MaxDiff: `version` (design version seen) and `tN.best` / `tN.worst` for each task N;
    /// - Kano: `functional` and `dysfunctional`; importance–satisfaction: `importance` and `satisfaction`;
    /// - consent: a 0/1 indicator; note: none.
    pub fn answer_columns(&self, survey: &Survey) -> Vec<AnswerColumn> {
        let options = |list: &str| -> Vec<String> {
            survey
                .choice_lists
                .get(list)
                .map(|cs| cs.iter().map(|c| c.value.clone()).collect())
                .unwrap_or_default()
        };
        match &self.kind {
            QuestionKind::Note => Vec::new(),
            QuestionKind::SingleChoice { other, .. } => {
                let mut v = vec![AnswerColumn::main(ValueType::Text)];
                if *other {
                    v.push(AnswerColumn::sub("other", ValueType::Text));
                }
                v
            }
            QuestionKind::MultipleChoice { list, other } => {
                let mut v: Vec<_> = options(list)
                    .into_iter()
                    .map(|o| AnswerColumn::sub(o, ValueType::Indicator))
                    .collect();
                if *other {
                    v.push(AnswerColumn::sub("other", ValueType::Text));
                }
                v
            }
            QuestionKind::Rating { .. } => vec![AnswerColumn::main(ValueType::Text)],
            QuestionKind::Matrix { rows, .. } => rows
                .iter()
                .map(|r| AnswerColumn::sub(r.key.clone(), ValueType::Text))
                .collect(),
            QuestionKind::Integer { .. } | QuestionKind::Decimal { .. } => {
                vec![AnswerColumn::main(ValueType::Number)]
            }
            QuestionKind::ShortText
            | QuestionKind::LongText
            | QuestionKind::Date
            | QuestionKind::Hidden { .. }
            | QuestionKind::Calculate { .. } => vec![AnswerColumn::main(ValueType::Text)],
            QuestionKind::Ranking { list } => options(list)
                .into_iter()
                .map(|o| AnswerColumn::sub(o, ValueType::Number))
                .collect(),
            QuestionKind::MaxDiff { tasks, .. } => {
                let mut v = vec![AnswerColumn::sub("version", ValueType::Number)];
                for t in 1..=*tasks {
                    v.push(AnswerColumn::sub(format!("t{t}.best"), ValueType::Text));
                    v.push(AnswerColumn::sub(format!("t{t}.worst"), ValueType::Text));
                }
                v
            }
            QuestionKind::Kano { .. } => vec![
                AnswerColumn::sub("functional", ValueType::Text),
                AnswerColumn::sub("dysfunctional", ValueType::Text),
            ],
            QuestionKind::ImportanceSatisfaction { .. } => vec![
                AnswerColumn::sub("importance", ValueType::Text),
                AnswerColumn::sub("satisfaction", ValueType::Text),
            ],
            QuestionKind::Consent => vec![AnswerColumn::main(ValueType::Indicator)],
        }
    }
}

impl Survey {
    /// Every question in page order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.pages.iter().flat_map(|p| p.questions.iter())
    }

    /// The question with `key`, if any.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().find(|q| q.key == key)
    }

    /// A choice list by name.
    pub fn choice_list(&self, name: &str) -> Option<&[Choice]> {
        self.choice_lists.get(name).map(Vec::as_slice)
    }

    /// Fails unless this version is a draft: published versions never change.
    pub fn ensure_editable(&self) -> Result<(), SurveyError> {
        if self.status == VersionStatus::Draft {
            Ok(())
        } else {
            Err(SurveyError::NotEditable {
                key: self.key.clone(),
                version: self.version,
                status: self.status,
            })
        }
    }

    /// Runs the publish checks and, when none is an error, marks this draft published. Returns the
    /// warnings, which do not block.
    pub fn publish(&mut self) -> Result<Vec<Finding>, SurveyError> {
        self.ensure_editable()?;
        let (errors, warnings): (Vec<_>, Vec<_>) = check(self)
            .into_iter()
            .partition(|f| f.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(SurveyError::PublishBlocked {
                key: self.key.clone(),
                errors,
            });
        }
        self.status = VersionStatus::Published;
        Ok(warnings)
    }

    /// Closes a published version to new responses.
    pub fn close(&mut self) -> Result<(), SurveyError> {
        if self.status != VersionStatus::Published {
            return Err(SurveyError::NotPublished);
        }
        self.status = VersionStatus::Closed;
        Ok(())
    }

    /// The next editable version: a copy of this one with `version + 1` and status draft.
    pub fn new_draft(&self) -> Survey {
        let mut next = self.clone();
        next.version = self.version.saturating_add(1);
        next.status = VersionStatus::Draft;
        next
    }
}

#[cfg(test)]
mod tests;
