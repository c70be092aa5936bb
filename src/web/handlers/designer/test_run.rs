//! The designer's preview as a test run: the version's pages on the respondent renderer, stepped
//! with the respondents' own navigation (`answering::step`: skip logic, validation, conditional
//! follow-ups). The answers travel only in the page's hidden fields; nothing reaches the writer,
//! a draft or a quota count, so a test run can never become a response.

use std::collections::HashMap;

use crate::domain::survey::flow::{AnswerError, AnswerMap};
use crate::domain::survey::{Finding, Survey};
use crate::use_cases::answering::{self as ans, Attempt, LoadedSurvey, Nav};
use crate::web::error::AppError;
use crate::web::views::designer::preview::{self as view, Notice};

/// A test-run page posts the respondent form's fields (same names, same order).
pub use crate::web::handlers::respond::extract::Fields;
use crate::web::handlers::respond::extract::{field, shown_keys};

/// A version loaded for a test run in `lang` (404 for a language it does not have). It carries
/// no options: a preview has no quotas, limits or dates to apply.
pub fn load(
    survey_id: String,
    version_id: String,
    survey: Survey,
    lang: &str,
) -> Result<LoadedSurvey, AppError> {
    if !survey.languages.iter().any(|l| l == lang) {
        return Err(AppError::NotFound);
    }
    Ok(LoadedSurvey::new(
        survey_id,
        version_id,
        survey,
        Default::default(),
    ))
}

/// A fresh test run on page `page` (layout seed 0, so every preview shows the same order).
pub fn start(s: &LoadedSurvey, lang: &str, page: usize) -> Result<Attempt, AppError> {
    if page >= s.survey.pages.len() && page > 0 {
        return Err(AppError::NotFound);
    }
    let mut a = Attempt::start(lang.to_owned(), HashMap::new());
    a.seed = 0;
    a.page = page;
    Ok(a)
}

/// The attempt a test-run page carries, the keys of the questions it showed and the button
/// pressed. Nothing here is sealed: nothing of a test run is ever stored or vouched for.
pub fn read(s: &LoadedSurvey, fields: &Fields) -> (Attempt, Vec<String>, Nav) {
    let shown = shown_keys(fields);
    let shown_qs: Vec<_> = shown.iter().filter_map(|k| s.survey.question(k)).collect();
    let mut a = Attempt::start(s.language(field(fields, "lang")), AnswerMap::new());
    a.seed = 0;
    a.page = field(fields, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0usize)
        .min(s.survey.pages.len());
    a.progress = field(fields, "progress")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    a.answers = crate::domain::response::answers_from_form(&s.survey, &shown_qs, fields);
    let nav = field(fields, "nav")
        .and_then(Nav::parse)
        .unwrap_or(Nav::Next);
    (a, shown, nav)
}

/// The publish check's expression errors on page `index` (a condition that does not parse is
/// never true, so its question would silently never show).
fn problems(findings: &[Finding], s: &Survey, index: usize) -> Vec<Finding> {
    let key = s.pages.get(index).map(|p| p.key.as_str());
    findings
        .iter()
        .filter(|f| f.code == "expression" && f.location.page.as_deref() == key)
        .cloned()
        .collect()
}

/// Page `index` of the test run (the review page past the last).
pub fn show(
    s: &LoadedSurvey,
    mut a: Attempt,
    csrf: &str,
    version: u32,
    index: usize,
    errors: &[AnswerError],
    notice: Notice,
) -> maud::Markup {
    a.page = index.min(s.survey.pages.len());
    if a.page >= s.survey.pages.len() {
        let errs: Vec<_> = errors.iter().collect();
        return view::review(s, &a, csrf, &errs, version, notice);
    }
    let today = ans::today();
    let layout = a.layout(&s.survey);
    let shown = ans::visible_questions(&s.survey, &layout, a.page, &a.answers, &today);
    let progress = ans::progress(&s.survey, a.page, &a.answers, &today, a.progress);
    a.progress = progress.percent;
    let errs = ans::errors_for(errors, &shown);
    let findings = crate::domain::survey::check(&s.survey);
    let problems = problems(&findings, &s.survey, a.page);
    let problems: Vec<&Finding> = problems.iter().collect();
    view::page(
        s, &a, csrf, &shown, &layout, &errs, progress, version, notice, &problems,
    )
}

/// One step of a test run: where the respondents' navigation leads, shown in the preview. A
/// full quota is never checked and "continue later" and "send" store nothing.
pub fn step(
    s: &LoadedSurvey,
    mut a: Attempt,
    nav: Nav,
    shown: &[String],
    csrf: &str,
    version: u32,
) -> maud::Markup {
    let here = a.page;
    match ans::step(s, &mut a, nav, shown) {
        ans::Step::Show(to, errors) => show(s, a, csrf, version, to, &errors, Notice::None),
        ans::Step::Advance { to, .. } => show(s, a, csrf, version, to, &[], Notice::None),
        ans::Step::Save => show(s, a, csrf, version, here, &[], Notice::NotSaved),
        ans::Step::Submit => view::finished(s, &a, version),
    }
}
