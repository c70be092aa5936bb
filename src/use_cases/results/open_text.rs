//! Open text: the answers to one free-text question of a version, filtered like the other
//! results pages and paged, with word and phrase (two-word) frequencies.
//!
//! Frequencies leave out Swedish and English stop-words (the Snowball lists, shipped as data
//! files beside this module: `stopwords_sv.txt`, `stopwords_en.txt`) and count each word or
//! phrase once per answer, so one long answer repeating a word cannot dominate the list. A
//! phrase is two consecutive words of an answer, neither a stop-word. Excluded responses are
//! left out (the storage query filters them).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::browse::{find, AnalysesError, Filters, PAGE_SIZE};
use crate::domain::lang::Msg;
use crate::domain::survey::{QuestionKind, Survey};
use crate::storage::{self, DbConnection};

/// How many words and phrases the frequency lists show.
pub const TOP: usize = 20;

fn stop_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("stopwords_sv.txt")
            .lines()
            .chain(include_str!("stopwords_en.txt").lines())
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// The lower-cased words of `text` (letters and digits; at least two characters, not only
/// digits).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect()
}

/// `(word or phrase, answers using it)`, most frequent first.
pub type Counts = Vec<(String, usize)>;

/// Word and phrase counts over `texts`, each counted once per text, most frequent first (ties
/// alphabetically), at most [`TOP`] of each.
pub fn frequencies<'a>(texts: impl Iterator<Item = &'a str>) -> (Counts, Counts) {
    let stop = stop_words();
    let mut wc: HashMap<String, usize> = HashMap::new();
    let mut pc: HashMap<String, usize> = HashMap::new();
    for t in texts {
        let ws = words(t);
        let mut seen_w = HashSet::new();
        let mut seen_p = HashSet::new();
        for w in ws.iter().filter(|w| !stop.contains(w.as_str())) {
            if seen_w.insert(w.clone()) {
                *wc.entry(w.clone()).or_default() += 1;
            }
        }
        for pair in ws.windows(2) {
            if stop.contains(pair[0].as_str()) || stop.contains(pair[1].as_str()) {
                continue;
            }
            let p = format!("{} {}", pair[0], pair[1]);
            if seen_p.insert(p.clone()) {
                *pc.entry(p).or_default() += 1;
            }
        }
    }
    let top = |m: HashMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(TOP);
        v
    };
    (top(wc), top(pc))
}

/// One page of a free-text question's answers, with frequencies over all matching answers.
pub struct OpenText {
    /// The instrument.
    pub survey: Survey,
    /// The question's key.
    pub question: String,
    /// The question's label.
    pub label: Msg,
    /// How many answers pass the filters.
    pub matching: usize,
    /// Page (1-based) and number of pages.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// The answers on this page: `(response id, text)`.
    pub answers: Vec<(String, String)>,
    /// The most frequent words (not stop-words), with the number of answers using each.
    pub words: Vec<(String, usize)>,
    /// The most frequent two-word phrases.
    pub phrases: Vec<(String, usize)>,
}

/// The free-text questions of a survey (short and long text): what this page can show.
pub fn text_questions(survey: &Survey) -> Vec<(String, Msg)> {
    survey
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::ShortText | QuestionKind::LongText))
        .map(|q| {
            (
                q.key.clone(),
                crate::domain::survey::placeholders::label(survey, &q.label),
            )
        })
        .collect()
}

/// The answers to free-text question `question` of `key` v`version` passing `filters`.
pub fn open_text(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
    question: &str,
    filters: &Filters,
    page: usize,
) -> Result<OpenText, AnalysesError> {
    let f = find(conn, key, version)?;
    let Some((_, label)) = text_questions(&f.version.survey)
        .into_iter()
        .find(|(k, _)| k == question)
    else {
        return Err(AnalysesError::NotFound(question.to_owned()));
    };
    let mut texts = storage::responses::texts_for_key(conn, &f.version.id, question)?;
    texts.retain(|(_, t)| !t.trim().is_empty());
    if *filters != Filters::default() {
        let admitted: HashSet<String> = storage::responses::meta_for_version(conn, &f.version.id)?
            .into_iter()
            .filter(|m| filters.admits(m))
            .map(|m| m.id)
            .collect();
        texts.retain(|(id, _)| admitted.contains(id));
    }
    let (words, phrases) = frequencies(texts.iter().map(|(_, t)| t.as_str()));
    let pages = texts.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let matching = texts.len();
    let answers = texts
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Ok(OpenText {
        survey: f.version.survey,
        question: question.to_owned(),
        label,
        matching,
        page,
        pages,
        answers,
        words,
        phrases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_skip_swedish_and_english_stop_words_and_count_once_per_answer() {
        let texts = [
            "Bättre bredband och bättre e-tjänster",
            "Bredband på landet, tack",
            "the broadband is slow",
        ];
        let (w, p) = frequencies(texts.iter().copied());
        assert_eq!(w[0], ("bredband".to_string(), 2));
        assert!(w.iter().all(|(x, _)| x != "och" && x != "på" && x != "the"));
        assert!(w.contains(&("bättre".to_string(), 1)), "{w:?}");
        assert!(p.contains(&("bättre bredband".to_string(), 1)), "{p:?}");
        assert!(p.iter().all(|(x, _)| !x.contains("och")));
    }
}
