//! Answer flow: which questions are relevant given the answers so far, computing calculated values,
//! clearing answers to questions that became irrelevant, validating answers and piping earlier answers
//! into labels.
//!
//! Answers live in an [`AnswerMap`] keyed by answer key (`question` or `question.sub`, see
//! [`super::Question::answer_columns`]). A multiple-choice answer is stored under the question key as
//! space-separated option values, which is what expressions (`selected()`) work on.

use std::collections::HashMap;

use super::{Page, Question, QuestionKind, Survey, Text, ValueType, DONT_KNOW};
use crate::domain::expr::{AnswerSource, EvalContext, Value};

/// Answers by answer key.
pub type AnswerMap = HashMap<String, Value>;

/// Whether a page is relevant (its own `relevant` holds).
pub fn page_is_relevant(page: &Page, answers: &dyn AnswerSource, today: &str) -> bool {
    page.relevant
        .as_ref()
        .is_none_or(|e| e.eval(&EvalContext::new(answers, today)).to_bool())
}

/// Whether a question's own `relevant` holds (not considering its page).
pub fn question_is_relevant(q: &Question, answers: &dyn AnswerSource, today: &str) -> bool {
    q.relevant
        .as_ref()
        .is_none_or(|e| e.eval(&EvalContext::new(answers, today)).to_bool())
}

/// Relevance of every question on page `page_index`, in designed order (all false when the page itself is
/// irrelevant or does not exist).
pub fn page_relevance(
    survey: &Survey,
    page_index: usize,
    answers: &dyn AnswerSource,
    today: &str,
) -> Vec<bool> {
    let Some(page) = survey.pages.get(page_index) else {
        return Vec::new();
    };
    if !page_is_relevant(page, answers, today) {
        return vec![false; page.questions.len()];
    }
    page.questions
        .iter()
        .map(|q| question_is_relevant(q, answers, today))
        .collect()
}

/// What [`apply`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowOutcome {
    /// Keys of questions that were not relevant (their answers were cleared).
    pub skipped: Vec<String>,
    /// Answer keys whose values were removed.
    pub cleared: Vec<String>,
}

/// Walks the survey in order: evaluates calculations, applies hidden defaults, and clears every answer to a
/// question that is not relevant, so later expressions see the cleared values.
pub fn apply(survey: &Survey, answers: &mut AnswerMap, today: &str) -> FlowOutcome {
    let mut out = FlowOutcome::default();
    for page in &survey.pages {
        let page_ok = page_is_relevant(page, answers, today);
        for q in &page.questions {
            if page_ok && question_is_relevant(q, answers, today) {
                match &q.kind {
                    QuestionKind::Calculate { calculation } => {
                        let v = calculation.eval(&EvalContext::new(answers, today));
                        answers.insert(q.key.clone(), v);
                    }
                    QuestionKind::Hidden { default: Some(d) } if !answers.contains_key(&q.key) => {
                        answers.insert(q.key.clone(), Value::Text(d.clone()));
                    }
                    _ => {}
                }
                continue;
            }
            out.skipped.push(q.key.clone());
            let prefix = format!("{}.", q.key);
            let mut gone: Vec<String> = answers
                .keys()
                .filter(|k| **k == q.key || k.starts_with(&prefix))
                .cloned()
                .collect();
            gone.sort();
            for k in &gone {
                answers.remove(k);
            }
            out.cleared.extend(gone);
        }
    }
    out
}

/// A problem with one answer, shown next to the question.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AnswerError {
    /// A required question was left empty.
    #[error("question '{question}' must be answered")]
    MissingRequired {
        /// The question key.
        question: String,
        /// The survey's own message, if any.
        message: Text,
    },
    /// The constraint failed.
    #[error("the answer to '{question}' is not valid")]
    ConstraintFailed {
        /// The question key.
        question: String,
        /// The survey's message.
        message: Text,
    },
    /// A number outside min/max or not a number.
    #[error("the answer to '{question}' must be a number between {min} and {max}")]
    OutOfRange {
        /// The question key.
        question: String,
        /// The lowest allowed value (or -inf).
        min: f64,
        /// The highest allowed value (or inf).
        max: f64,
    },
    /// A value that is not an option of the list or scale.
    #[error("'{value}' is not an option of '{question}'")]
    NotAnOption {
        /// The question key.
        question: String,
        /// The offending value.
        value: String,
    },
    /// An exclusive option combined with others.
    #[error("'{value}' cannot be combined with other options in '{question}'")]
    ExclusiveCombined {
        /// The question key.
        question: String,
        /// The exclusive option.
        value: String,
    },
    /// A date answer that is not a real date in `YYYY-MM-DD` form.
    #[error("the answer to '{question}' is not a date in the form YYYY-MM-DD")]
    InvalidDate {
        /// The question key.
        question: String,
    },
    /// "Other, specify" text typed while "Other" is not chosen. Refused rather than dropped, so
    /// nothing typed is lost silently and results never show an unchosen "other".
    #[error("'{question}' has text but 'other' is not chosen")]
    OtherNotChosen {
        /// The answer key of the text (`question.other`).
        question: String,
    },
    /// Two or more options of a ranking were given the same place.
    #[error("places {places:?} of '{question}' were used more than once")]
    RankRepeated {
        /// The question key.
        question: String,
        /// The places used more than once, in order.
        places: Vec<u32>,
    },
    /// A text longer than its limit (see [`super::Question::max_length`]).
    #[error("the answer to '{question}' is longer than {max} characters")]
    TooLong {
        /// The answer key of the text.
        question: String,
        /// The limit in characters.
        max: u32,
        /// How many characters were typed.
        length: usize,
    },
}

impl AnswerError {
    /// The answer key the error is about (a question key or `question.sub`).
    pub fn answer_key(&self) -> &str {
        match self {
            AnswerError::MissingRequired { question, .. }
            | AnswerError::ConstraintFailed { question, .. }
            | AnswerError::OutOfRange { question, .. }
            | AnswerError::NotAnOption { question, .. }
            | AnswerError::ExclusiveCombined { question, .. }
            | AnswerError::InvalidDate { question }
            | AnswerError::OtherNotChosen { question }
            | AnswerError::RankRepeated { question, .. }
            | AnswerError::TooLong { question, .. } => question,
        }
    }
}

/// Validates answers to relevant questions: required (also conditional), constraints, ranges and options.
/// Call [`apply`] first so irrelevant answers are gone and calculations are current.
pub fn validate(survey: &Survey, answers: &AnswerMap, today: &str) -> Vec<AnswerError> {
    let mut errs = Vec::new();
    for page in &survey.pages {
        if !page_is_relevant(page, answers, today) {
            continue;
        }
        for q in &page.questions {
            if q.kind.is_passive() || !question_is_relevant(q, answers, today) {
                continue;
            }
            let ctx = EvalContext::new(answers, today);
            let required = q.required
                || q.required_if
                    .as_ref()
                    .is_some_and(|e| e.eval(&ctx).to_bool());
            // Text typed into a box counts even when the rest is missing: an "other" text
            // without "Other" chosen, or an overlong text, is said at once.
            check_texts(q, answers, &mut errs);
            let answered = is_answered(survey, q, answers);
            if !answered {
                if required {
                    errs.push(AnswerError::MissingRequired {
                        question: q.key.clone(),
                        message: q.required_message.clone(),
                    });
                }
                continue;
            }
            let value = answers.get(&q.key).cloned().unwrap_or(Value::Null);
            // The value's own form first: a constraint on something that is not a date or a
            // number at all ("test" against `. <= today()`) would only add a misleading second
            // message. A number out of range is well formed, so its constraint is still said.
            let before = errs.len();
            check_value(survey, q, &value, &mut errs);
            let well_formed = !errs[before..].iter().any(|e| match e {
                AnswerError::InvalidDate { .. } => true,
                AnswerError::OutOfRange { .. } => value.to_number().is_nan(),
                _ => false,
            });
            if let Some(c) = q.constraint.as_ref().filter(|_| well_formed) {
                if !c
                    .eval(&EvalContext::new(answers, today).with_current(value.clone()))
                    .to_bool()
                {
                    errs.push(AnswerError::ConstraintFailed {
                        question: q.key.clone(),
                        message: q.constraint_message.clone(),
                    });
                }
            }
            check_sub_values(survey, q, answers, &mut errs);
        }
    }
    errs
}

fn is_answered(survey: &Survey, q: &Question, answers: &AnswerMap) -> bool {
    let has = |k: &str| answers.get(k).is_some_and(|v| !v.is_empty());
    match &q.kind {
        QuestionKind::Matrix { .. }
        | QuestionKind::Kano { .. }
        | QuestionKind::ImportanceSatisfaction { .. }
        | QuestionKind::MaxDiff { .. }
        | QuestionKind::Ranking { .. } => q
            .answer_columns(survey)
            .iter()
            .filter(|c| c.sub_key.as_deref() != Some("version"))
            .all(|c| has(&c.answer_key(&q.key))),
        _ => has(&q.key),
    }
}

/// The typed texts of a question: each within its length limit, and an "other, specify" text
/// only with "Other" chosen.
fn check_texts(q: &Question, answers: &AnswerMap, errs: &mut Vec<AnswerError>) {
    for key in [q.key.clone(), format!("{}.other", q.key)] {
        let (Some(max), Some(v)) = (q.max_length(&key), answers.get(&key)) else {
            continue;
        };
        let length = v.to_text().chars().count();
        if length > max as usize {
            errs.push(AnswerError::TooLong {
                question: key,
                max,
                length,
            });
        }
    }
    if let QuestionKind::SingleChoice { other: true, .. }
    | QuestionKind::MultipleChoice { other: true, .. } = &q.kind
    {
        let key = format!("{}.other", q.key);
        let typed = answers.get(&key).is_some_and(|v| !v.is_empty());
        let chosen = answers
            .get(&q.key)
            .is_some_and(|v| v.to_text().split_whitespace().any(|c| c == "other"));
        if typed && !chosen {
            errs.push(AnswerError::OtherNotChosen { question: key });
        }
    }
}

fn check_value(survey: &Survey, q: &Question, value: &Value, errs: &mut Vec<AnswerError>) {
    let range = |min: f64, max: f64, errs: &mut Vec<AnswerError>, integer: bool| {
        let n = value.to_number();
        if n.is_nan() || n < min || n > max || (integer && n.fract() != 0.0) {
            errs.push(AnswerError::OutOfRange {
                question: q.key.clone(),
                min,
                max,
            });
        }
    };
    let not_option = |v: &str| AnswerError::NotAnOption {
        question: q.key.clone(),
        value: v.to_owned(),
    };
    match &q.kind {
        QuestionKind::Integer { min, max } => range(
            min.map_or(f64::NEG_INFINITY, |m| m as f64),
            max.map_or(f64::INFINITY, |m| m as f64),
            errs,
            true,
        ),
        QuestionKind::Decimal { min, max } => {
            range(
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
                errs,
                false,
            );
        }
        QuestionKind::Rating { scale } => {
            let t = value.to_text();
            let dk = scale.dont_know.is_some() && t == DONT_KNOW;
            let n = value.to_number();
            if !dk
                && (n.is_nan() || n.fract() != 0.0 || n < scale.min as f64 || n > scale.max as f64)
            {
                errs.push(not_option(&t));
            }
        }
        QuestionKind::SingleChoice { list, other, .. } => {
            let t = value.to_text();
            let ok = survey
                .choice_list(list)
                .is_some_and(|cs| cs.iter().any(|c| c.value == t))
                || (*other && t == "other");
            if !ok {
                errs.push(not_option(&t));
            }
        }
        QuestionKind::Date if crate::domain::expr::date::parse_iso(&value.to_text()).is_none() => {
            errs.push(AnswerError::InvalidDate {
                question: q.key.clone(),
            });
        }
        QuestionKind::MultipleChoice { list, other } => {
            let t = value.to_text();
            let choices = survey.choice_list(list).unwrap_or_default();
            let picked: Vec<&str> = t.split_whitespace().collect();
            for v in &picked {
                let c = choices.iter().find(|c| c.value == *v);
                match c {
                    None if !(*other && *v == "other") => errs.push(not_option(v)),
                    Some(c) if c.exclusive && picked.len() > 1 => {
                        errs.push(AnswerError::ExclusiveCombined {
                            question: q.key.clone(),
                            value: (*v).to_owned(),
                        })
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Checks the sub-answers of compound kinds: matrix rows and Kano answers must be options of their list,
/// importance and satisfaction must be points of their scale, ranks must be 1..=n without repeats.
fn check_sub_values(
    survey: &Survey,
    q: &Question,
    answers: &AnswerMap,
    errs: &mut Vec<AnswerError>,
) {
    let in_list = |list: &str, v: &str| {
        survey
            .choice_list(list)
            .is_some_and(|cs| cs.iter().any(|c| c.value == v))
    };
    let mut bad = |sub: &str, v: &Value| {
        errs.push(AnswerError::NotAnOption {
            question: format!("{}.{sub}", q.key),
            value: v.to_text(),
        });
    };
    let sub = |s: &str| {
        answers
            .get(&format!("{}.{s}", q.key))
            .filter(|v| !v.is_empty())
    };
    match &q.kind {
        QuestionKind::Matrix { rows, list } => {
            for r in rows {
                if let Some(v) = sub(&r.key) {
                    if !in_list(list, &v.to_text()) {
                        bad(&r.key, v);
                    }
                }
            }
        }
        QuestionKind::Kano { list, .. } => {
            for s in ["functional", "dysfunctional"] {
                if let Some(v) = sub(s) {
                    if !in_list(list, &v.to_text()) {
                        bad(s, v);
                    }
                }
            }
        }
        QuestionKind::ImportanceSatisfaction { scale, .. } => {
            for s in ["importance", "satisfaction"] {
                if let Some(v) = sub(s) {
                    let n = v.to_number();
                    let dk = scale.dont_know.is_some() && v.to_text() == DONT_KNOW;
                    if !dk
                        && (n.is_nan()
                            || n.fract() != 0.0
                            || n < scale.min as f64
                            || n > scale.max as f64)
                    {
                        bad(s, v);
                    }
                }
            }
        }
        QuestionKind::Ranking { list } => {
            let options = survey.choice_list(list).unwrap_or_default();
            let mut seen = Vec::new();
            let mut repeated: Vec<u32> = Vec::new();
            for c in options {
                if let Some(v) = sub(&c.value) {
                    let n = v.to_number();
                    let ok = n.fract() == 0.0 && n >= 1.0 && n <= options.len() as f64;
                    if !ok {
                        bad(&c.value, v);
                    } else if seen.contains(&(n as u32)) {
                        repeated.push(n as u32);
                    } else {
                        seen.push(n as u32);
                    }
                }
            }
            // One message for the whole ranking, naming each place in conflict once.
            repeated.sort_unstable();
            repeated.dedup();
            if !repeated.is_empty() {
                errs.push(AnswerError::RankRepeated {
                    question: q.key.clone(),
                    places: repeated,
                });
            }
        }
        _ => {}
    }
}

/// Replaces every `${key}` in `text` with the answer, showing an option's label in `lang` for choice
/// questions. Unanswered references become empty.
pub fn pipe(survey: &Survey, text: &str, lang: &str, answers: &dyn AnswerSource) -> String {
    pipe_or(survey, text, lang, answers, "")
}

/// [`pipe`], with `missing` in place of each unanswered reference (a question shown before the
/// answer it quotes is given on the same page reads "Du valde: (ditt svar ovan)").
pub fn pipe_or(
    survey: &Survey,
    text: &str,
    lang: &str,
    answers: &dyn AnswerSource,
    missing: &str,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = after[..end].trim();
        let shown = display_answer(survey, key, lang, answers);
        out.push_str(if shown.is_empty() { missing } else { &shown });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn display_answer(survey: &Survey, key: &str, lang: &str, answers: &dyn AnswerSource) -> String {
    let Some(value) = answers.answer(key) else {
        return String::new();
    };
    let text = value.to_text();
    let list = survey.question(key).and_then(|q| match &q.kind {
        QuestionKind::SingleChoice { list, .. } | QuestionKind::MultipleChoice { list, .. } => {
            survey.choice_list(list)
        }
        _ => None,
    });
    match list {
        Some(choices) => text
            .split_whitespace()
            .map(|v| {
                choices.iter().find(|c| c.value == v).map_or_else(
                    || v.to_owned(),
                    |c| c.label.get_or(lang, &survey.default_language).to_owned(),
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => text,
    }
}

/// One stored answer cell: storage keeps one row per `(response, question, sub_key)`.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerCell {
    /// The question key.
    pub question: String,
    /// The sub-key (see [`super::Question::answer_columns`]), or `None` for the main value.
    pub sub_key: Option<String>,
    /// The value: text, number, or 0/1 for indicators.
    pub value: Value,
}

/// Splits answers into storage cells following [`super::Question::answer_columns`]: a multiple-choice
/// answer becomes one 0/1 indicator per option; everything else is stored as it is. Unanswered
/// questions produce no cells.
pub fn answer_cells(survey: &Survey, answers: &AnswerMap) -> Vec<AnswerCell> {
    let mut out = Vec::new();
    for q in survey.questions() {
        let main = answers.get(&q.key).filter(|v| !v.is_empty());
        for col in q.answer_columns(survey) {
            let value = match (&q.kind, &col.sub_key, col.value_type) {
                (QuestionKind::MultipleChoice { .. }, Some(option), ValueType::Indicator) => {
                    let Some(selected) = main else { continue };
                    let on = selected.to_text().split_whitespace().any(|v| v == option);
                    Value::Number(if on { 1.0 } else { 0.0 })
                }
                _ => match answers
                    .get(&col.answer_key(&q.key))
                    .filter(|v| !v.is_empty())
                {
                    Some(v) => v.clone(),
                    None => continue,
                },
            };
            out.push(AnswerCell {
                question: q.key.clone(),
                sub_key: col.sub_key.clone(),
                value,
            });
        }
    }
    out
}

/// Rebuilds answers from stored cells (the inverse of [`answer_cells`]): multiple-choice indicators become
/// the space-separated selection, in list order, that expressions work on.
pub fn answers_from_cells(survey: &Survey, cells: &[AnswerCell]) -> AnswerMap {
    let mut answers = AnswerMap::new();
    for c in cells {
        let key = match &c.sub_key {
            Some(s) => format!("{}.{s}", c.question),
            None => c.question.clone(),
        };
        answers.insert(key, c.value.clone());
    }
    for q in survey.questions() {
        let QuestionKind::MultipleChoice { list, .. } = &q.kind else {
            continue;
        };
        let options = survey.choice_list(list).unwrap_or_default();
        let mut any = false;
        let mut selected = Vec::new();
        for o in options {
            if let Some(v) = answers.remove(&format!("{}.{}", q.key, o.value)) {
                any = true;
                if v.to_bool() {
                    selected.push(o.value.as_str());
                }
            }
        }
        if any {
            answers.insert(q.key.clone(), Value::Text(selected.join(" ")));
        }
    }
    answers
}

#[cfg(test)]
mod input_tests {
    //! The checks of what respondents type: dates, "other" texts, ranks and text lengths.

    use super::*;

    const INPUTS: &str = r#"
key = "inputs"
version = 1
languages = ["sv", "en"]
title = { sv = "Svar", en = "Answers" }

[choice_lists]
devices = [
  { value = "phone", label = { sv = "Mobil", en = "Phone" } },
  { value = "computer", label = { sv = "Dator", en = "Computer" } },
]
places = [
  { value = "a", label = { sv = "A", en = "A" } },
  { value = "b", label = { sv = "B", en = "B" } },
  { value = "c", label = { sv = "C", en = "C" } },
]

[[pages]]
key = "p1"
questions = [
  { key = "started", type = "date", constraint = ". <= today()", constraint_message = { sv = "Inte i framtiden", en = "Not in the future" }, label = { sv = "Start", en = "Start" } },
  { key = "device", type = "multiple_choice", list = "devices", other = true, label = { sv = "Enhet", en = "Device" } },
  { key = "order", type = "ranking", list = "places", label = { sv = "Ordna", en = "Order" } },
  { key = "name", type = "short_text", label = { sv = "Namn", en = "Name" } },
  { key = "story", type = "long_text", max_length = 10, label = { sv = "Berätta", en = "Tell" } },
]
"#;

    fn survey() -> Survey {
        toml::from_str(INPUTS).expect("the test survey parses")
    }

    fn errors_for(pairs: &[(&str, &str)]) -> Vec<AnswerError> {
        let a: AnswerMap = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::Text((*v).to_owned())))
            .collect();
        validate(&survey(), &a, "2026-11-29")
    }

    #[test]
    fn impossible_or_differently_written_dates_are_refused_as_dates_not_as_future_dates() {
        for bad in ["2020-02-30", "1/5/2020", "test", "20200101"] {
            let errs = errors_for(&[("started", bad)]);
            assert_eq!(
                errs,
                vec![AnswerError::InvalidDate {
                    question: "started".into()
                }],
                "{bad}"
            );
        }
    }

    #[test]
    fn a_real_past_date_passes_and_a_future_one_fails_its_constraint() {
        assert!(errors_for(&[("started", "2020-02-29")]).is_empty());
        let errs = errors_for(&[("started", "2027-01-01")]);
        assert!(
            matches!(&errs[..], [AnswerError::ConstraintFailed { question, .. }] if question == "started"),
            "{errs:?}"
        );
    }

    #[test]
    fn other_text_without_other_chosen_is_refused_and_names_the_text_box() {
        let errs = errors_for(&[("device", "computer"), ("device.other", "Smart-klocka")]);
        assert_eq!(
            errs,
            vec![AnswerError::OtherNotChosen {
                question: "device.other".into()
            }]
        );
        assert!(errors_for(&[("device", "computer other"), ("device.other", "Klocka")]).is_empty());
        // Text in the box and nothing ticked at all is refused too.
        assert_eq!(errors_for(&[("device.other", "Klocka")]).len(), 1);
    }

    #[test]
    fn two_options_in_the_same_place_name_that_place_once() {
        let errs = errors_for(&[("order.a", "2"), ("order.b", "2"), ("order.c", "2")]);
        assert_eq!(
            errs,
            vec![AnswerError::RankRepeated {
                question: "order".into(),
                places: vec![2]
            }]
        );
    }

    #[test]
    fn texts_longer_than_their_limit_are_refused_with_limit_and_length() {
        assert_eq!(
            errors_for(&[("story", "elva tecken")]),
            vec![AnswerError::TooLong {
                question: "story".into(),
                max: 10,
                length: 11
            }]
        );
        assert!(errors_for(&[("story", "tio tecken")]).is_empty());
        let long_name = "å".repeat(251);
        assert!(matches!(
            &errors_for(&[("name", &long_name)])[..],
            [AnswerError::TooLong {
                max: 250,
                length: 251,
                ..
            }]
        ));
        let long_other = "x".repeat(300);
        assert!(matches!(
            &errors_for(&[("device", "other"), ("device.other", &long_other)])[..],
            [AnswerError::TooLong { question, max: 250, .. }] if question == "device.other"
        ));
    }
}
