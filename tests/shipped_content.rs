//! What residents read in the shipped instruments says each thing once: no hint that repeats
//! the one the renderer already shows, and one duration per survey (the demo options'
//! `minutes`, shown on the landing page, or a sentence of the intro — never both, never two).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use insikt::domain::options::SurveyOptions;
use insikt::domain::survey::{QuestionKind, Survey};
use insikt::formats::survey_file;

fn surveys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys")
}

fn shipped() -> Vec<Survey> {
    survey_file::load_dir(&surveys_dir()).unwrap_or_else(|e| panic!("{e}"))
}

fn demo_options() -> BTreeMap<String, SurveyOptions> {
    let text = std::fs::read_to_string(surveys_dir().join("demo").join("options.toml"))
        .expect("surveys/demo/options.toml exists");
    toml::from_str(&text).expect("the demo options parse")
}

/// The hint the respondent page prints above every multiple-choice question by itself.
const RENDERED_CHECKBOX_HINTS: [&str; 3] = [
    "välj alla som stämmer",
    "select all that apply",
    "choose all that apply",
];

fn normalised(s: &str) -> String {
    s.trim()
        .trim_end_matches('.')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each mention of a duration ("minut", "minute") in a text.
fn durations_in(text: &str) -> usize {
    text.to_lowercase().matches("minut").count()
}

#[test]
fn no_shipped_question_repeats_a_hint_the_page_already_shows() {
    let mut doubled = Vec::new();
    for s in shipped() {
        for q in s.pages.iter().flat_map(|p| &p.questions) {
            for (lang, hint) in &q.hint.0 {
                let h = normalised(hint);
                let repeats_checkbox_hint = matches!(q.kind, QuestionKind::MultipleChoice { .. })
                    && RENDERED_CHECKBOX_HINTS.contains(&h.as_str());
                let repeats_label = q.label.0.get(lang).is_some_and(|l| normalised(l) == h);
                if repeats_checkbox_hint || repeats_label {
                    doubled.push(format!("{} {} [{lang}]: {hint}", s.key, q.key));
                }
            }
        }
    }
    assert!(doubled.is_empty(), "hints said twice: {doubled:#?}");
}

#[test]
fn every_shipped_survey_states_at_most_one_duration_per_language() {
    let options = demo_options();
    let mut twice = Vec::new();
    for s in shipped() {
        let from_options = usize::from(options.get(&s.key).and_then(|o| o.minutes).is_some());
        for lang in &s.languages {
            let intro = s.intro.0.get(lang).map_or(0, |t| durations_in(t));
            let pages: usize = s
                .pages
                .iter()
                .flat_map(|p| p.questions.iter().map(|q| &q.label).chain([&p.title]))
                .filter_map(|t| t.0.get(lang))
                .map(|t| durations_in(t))
                .sum();
            if from_options + intro + pages > 1 {
                twice.push(format!(
                    "{} [{lang}]: options {from_options}, intro {intro}, pages {pages}",
                    s.key
                ));
            }
        }
    }
    assert!(twice.is_empty(), "more than one duration: {twice:#?}");
}
