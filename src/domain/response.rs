//! Responses as data: reading a respondent's form into answers, turning answers into the stored
//! cells (one per answer column) and back, and the codes respondents see (receipts, resume codes).

use std::collections::HashMap;

use rand::Rng;

use crate::domain::expr::Value;
use crate::domain::survey::flow::{self, AnswerCell, AnswerMap};
use crate::domain::survey::{Question, QuestionKind, Survey, DONT_KNOW};

/// How an answer reached us: web, or entered by an interviewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The respondent answered online.
    Web,
    /// An interviewer entered a phone interview.
    Phone,
    /// An interviewer entered a paper form.
    Paper,
}

impl Mode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Web => "web",
            Mode::Phone => "phone",
            Mode::Paper => "paper",
        }
    }

    /// Parse the stored name.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "web" => Some(Mode::Web),
            "phone" => Some(Mode::Phone),
            "paper" => Some(Mode::Paper),
            _ => None,
        }
    }
}

/// One stored answer cell: `answer_key` is `question` or `question.sub`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The answer key.
    pub key: String,
    /// Text value (choice values, texts, dates, "don't know").
    pub text: Option<String>,
    /// Numeric value (numbers, ranks, 0/1 indicators, scale points).
    pub number: Option<f64>,
}

/// The prefix of form fields that carry answers of the page being shown.
pub const FIELD_PREFIX: &str = "a.";
/// The prefix of hidden form fields that carry answers from other pages.
pub const CARRY_PREFIX: &str = "h.";

/// The answer keys a question owns (its own key and `key.sub` keys).
pub fn owns(question: &Question, answer_key: &str) -> bool {
    answer_key == question.key
        || answer_key
            .strip_prefix(question.key.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Turn a form value into an answer value of the right type for the question: numbers (with a
/// Swedish decimal comma accepted) become numbers, everything else stays text. Text that does
/// not parse stays text so validation can say what is wrong with it.
pub fn typed_value(question: Option<&Question>, answer_key: &str, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Null;
    }
    let numeric = match question.map(|q| &q.kind) {
        Some(QuestionKind::Integer { .. } | QuestionKind::Decimal { .. }) => {
            Some(answer_key) == question.map(|q| q.key.as_str())
        }
        Some(QuestionKind::Rating { .. }) => raw != DONT_KNOW,
        Some(QuestionKind::ImportanceSatisfaction { .. }) => raw != DONT_KNOW,
        Some(QuestionKind::Ranking { .. }) | Some(QuestionKind::Consent) => true,
        _ => false,
    };
    if numeric {
        let normalised = raw.replace(['\u{a0}', ' '], "").replace(',', ".");
        if let Ok(n) = normalised.parse::<f64>() {
            if n.is_finite() {
                return Value::Number(n);
            }
        }
    }
    Value::Text(raw.to_owned())
}

/// Read the answers a page form carries: hidden carried answers (`h.<key>`) for every page but
/// `shown`, then the visible fields (`a.<key>`) of the questions on `shown`. Multiple values of
/// one key (checkboxes) are joined with spaces, as XLSForm stores multiple choice.
pub fn answers_from_form(
    survey: &Survey,
    shown: &[&Question],
    fields: &[(String, String)],
) -> AnswerMap {
    let mut grouped: HashMap<String, Vec<&str>> = HashMap::new();
    let mut carried: HashMap<String, &str> = HashMap::new();
    for (name, value) in fields {
        if let Some(key) = name.strip_prefix(FIELD_PREFIX) {
            if shown.iter().any(|q| owns(q, key)) {
                grouped
                    .entry(key.to_owned())
                    .or_default()
                    .push(value.as_str());
            }
        } else if let Some(key) = name.strip_prefix(CARRY_PREFIX) {
            if !shown.iter().any(|q| owns(q, key)) {
                carried.insert(key.to_owned(), value.as_str());
            }
        }
    }
    let mut answers = AnswerMap::new();
    for (key, raw) in carried {
        let q = question_of(survey, &key);
        let v = typed_value(q, &key, raw);
        if !v.is_empty() {
            answers.insert(key, v);
        }
    }
    for (key, values) in grouped {
        let q = question_of(survey, &key);
        let joined = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let v = typed_value(q, &key, &joined);
        if !v.is_empty() {
            answers.insert(key, v);
        }
    }
    answers
}

/// The question an answer key belongs to.
pub fn question_of<'a>(survey: &'a Survey, answer_key: &str) -> Option<&'a Question> {
    let main = answer_key.split('.').next().unwrap_or(answer_key);
    survey.question(main)
}

/// The stored cells of a complete response: one per answer column that has a value (see
/// [`flow::answer_cells`]: an answered multiple choice gets a 0/1 indicator per option, so
/// "not chosen" stays distinct from "not asked"). Numbers go to the numeric column, the rest to
/// the text column.
pub fn cells(survey: &Survey, answers: &AnswerMap) -> Vec<Cell> {
    flow::answer_cells(survey, answers)
        .into_iter()
        .map(|c| {
            let key = match &c.sub_key {
                Some(s) => format!("{}.{s}", c.question),
                None => c.question.clone(),
            };
            let (text, number) = match c.value {
                Value::Number(n) => (None, Some(n)),
                Value::Bool(b) => (None, Some(f64::from(u8::from(b)))),
                other => (Some(other.to_text()), None),
            };
            Cell { key, text, number }
        })
        .collect()
}

/// Rebuild answers from stored cells (receipts, staff lookup); the inverse of [`cells`].
pub fn answers_from_cells(survey: &Survey, cells: &[Cell]) -> AnswerMap {
    let cells: Vec<AnswerCell> = cells
        .iter()
        .filter_map(|c| {
            let value = match (&c.text, c.number) {
                (Some(t), _) => Value::Text(t.clone()),
                (None, Some(n)) => Value::Number(n),
                (None, None) => return None,
            };
            let (question, sub_key) = match c.key.split_once('.') {
                Some((q, s)) => (q.to_owned(), Some(s.to_owned())),
                None => (c.key.clone(), None),
            };
            Some(AnswerCell {
                question,
                sub_key,
                value,
            })
        })
        .collect();
    flow::answers_from_cells(survey, &cells)
}

/// Crockford's base-32 alphabet: no I, L, O or U, so codes survive being read aloud or typed.
const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_code(groups: &[usize]) -> String {
    let mut rng = rand::rngs::OsRng;
    groups
        .iter()
        .map(|&n| {
            (0..n)
                .map(|_| char::from(CROCKFORD[rng.gen_range(0..CROCKFORD.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A receipt number like `INS-7K3F-Q2TB` (40 random bits).
pub fn new_receipt() -> String {
    format!("INS-{}", random_code(&[4, 4]))
}

/// A resume code like `7K3F-Q2TB-9M` (50 random bits; it is throttled and expires).
pub fn new_resume_code() -> String {
    random_code(&[4, 4, 2])
}

/// An invitation access code like `7K3F-Q2TB` (40 random bits), printed in letters and carried
/// by e-mail links. Guessing is throttled by the per-address rate limit, and a code only lets
/// its holder answer one survey once.
pub fn new_access_code() -> String {
    random_code(&[4, 4])
}

/// Normalise a typed access code (`7k3f q2tb`, `7K3FQ2TB` → `7K3F-Q2TB`).
pub fn normalise_access_code(typed: &str) -> Option<String> {
    normalise_code(typed, &[4, 4])
}

/// Normalise a typed code: upper case, look-alike letters mapped (O→0, I/L→1), separators
/// and spaces dropped, then the canonical dashes put back.
pub fn normalise_code(typed: &str, groups: &[usize]) -> Option<String> {
    let cleaned: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if cleaned.len() != groups.iter().sum::<usize>()
        || !cleaned.bytes().all(|b| CROCKFORD.contains(&b))
    {
        return None;
    }
    let mut parts = Vec::new();
    let mut at = 0;
    for &n in groups {
        parts.push(&cleaned[at..at + n]);
        at += n;
    }
    Some(parts.join("-"))
}

/// Normalise a typed receipt number (`ins 7k3f q2tb` → `INS-7K3F-Q2TB`).
pub fn normalise_receipt(typed: &str) -> Option<String> {
    let t = typed.trim();
    let rest = t
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("INS"))
        .map(|_| &t[3..])
        .unwrap_or(t);
    normalise_code(rest, &[4, 4]).map(|c| format!("INS-{c}"))
}

/// Normalise a typed resume code.
pub fn normalise_resume_code(typed: &str) -> Option<String> {
    normalise_code(typed, &[4, 4, 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_look_like_the_issue_example_and_normalise_back() {
        let r = new_receipt();
        assert_eq!(r.len(), "INS-7K3F-Q2TB".len());
        assert!(r.starts_with("INS-"));
        assert_eq!(
            normalise_receipt(&r.to_lowercase().replace('-', " ")).as_deref(),
            Some(r.as_str())
        );
    }

    #[test]
    fn typed_codes_forgive_look_alike_letters_and_spacing() {
        assert_eq!(
            normalise_resume_code("7k3f q2tb 9m").as_deref(),
            Some("7K3F-Q2TB-9M")
        );
        assert_eq!(
            normalise_resume_code("OOOO-IIII-LL").as_deref(),
            Some("0000-1111-11")
        );
        assert_eq!(normalise_resume_code("7K3F"), None);
        assert_eq!(
            normalise_resume_code("7K3F-Q2TB-9U"),
            None,
            "U is not in the alphabet"
        );
    }

    #[test]
    fn swedish_decimal_commas_are_read_as_numbers() {
        let q = Question::new(
            "amount",
            QuestionKind::Decimal {
                min: None,
                max: None,
            },
            Default::default(),
        );
        assert_eq!(typed_value(Some(&q), "amount", "3,5"), Value::Number(3.5));
        assert_eq!(
            typed_value(Some(&q), "amount", "tre"),
            Value::Text("tre".into())
        );
    }
}
