//! The designer's preview: a test run of a version on the respondent renderer, with skip logic
//! live. Its forms post back to the preview, never to `/s/{key}`, and a banner says that nothing
//! is stored; the publish check's expression errors of the page are listed in the page language.

use maud::{html, Markup};

use crate::domain::survey::flow::AnswerError;
use crate::domain::survey::random::RespondentLayout;
use crate::domain::survey::{Finding, Question};
use crate::use_cases::answering::{Attempt, LoadedSurvey, Progress};
use crate::web::views::respond::{self, Frame};

/// What the preview says above the page besides the banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Nothing.
    None,
    /// "Continue later" was pressed: the preview keeps nothing.
    NotSaved,
}

/// Where a test run of version `version` of survey `key` posts, in language `lang`.
pub fn action(key: &str, version: u32, lang: &str) -> String {
    format!("/designer/{key}/{version}/preview/{lang}")
}

fn base(s: &LoadedSurvey, version: u32) -> String {
    format!("/designer/{}/{version}", s.survey.key)
}

/// The banner: a test run, nothing stored, back to editing or start over, and the expression
/// errors (`problems`) of what is shown, in the page's language only.
fn banner(
    s: &LoadedSurvey,
    lang: &str,
    version: u32,
    notice: Notice,
    problems: &[&Finding],
) -> Markup {
    let l = respond::chrome(lang);
    let base = base(s, version);
    html! {
        div class="notice preview-banner" role="note" {
            p { strong { (l.t("Förhandsgranskning", "Preview")) } " – " (l.t(
                "en provkörning: villkor och hopp gäller som för den som svarar, men inga svar sparas.",
                "a test run: conditions and skips work as for respondents, but no answers are stored."
            )) }
            @if notice == Notice::NotSaved {
                p role="status" { (l.t(
                    "Förhandsgranskningen sparar ingenting, så det finns ingen kod att fortsätta med. Du kan fortsätta här.",
                    "The preview stores nothing, so there is no code to continue with. You can go on here."
                )) }
            }
            @if !problems.is_empty() {
                p { (l.t("Uttryck som inte fungerar:", "Expressions that do not work:")) }
                ul class="preview-problems" {
                    @for f in problems {
                        li {
                            @if let Some(q) = &f.location.question { code { (q) } ": " }
                            (f.message(lang))
                        }
                    }
                }
            }
            p {
                a href=(base) { (l.t("Tillbaka till redigeringen", "Back to editing")) }
                " · "
                a href={ (base) "/preview/" (lang) "/0" } { (l.t("Börja om", "Start over")) }
            }
        }
    }
}

fn frame(
    s: &LoadedSurvey,
    a: &Attempt,
    version: u32,
    notice: Notice,
    problems: &[&Finding],
) -> Frame {
    Frame {
        action: action(&s.survey.key, version, &a.lang),
        banner: Some(banner(s, &a.lang, version, notice, problems)),
    }
}

/// A page of the test run: the respondent page, posting back to the preview.
#[expect(
    clippy::too_many_arguments,
    reason = "the respondent page's parts plus the preview's own"
)]
pub fn page(
    s: &LoadedSurvey,
    a: &Attempt,
    csrf: &str,
    shown: &[&Question],
    layout: &RespondentLayout,
    errors: &[&AnswerError],
    progress: Progress,
    version: u32,
    notice: Notice,
    problems: &[&Finding],
) -> Markup {
    let frame = frame(s, a, version, notice, problems);
    respond::page_in(s, a, csrf, a.page, shown, layout, errors, progress, &frame)
}

/// The review page of the test run.
pub fn review(
    s: &LoadedSurvey,
    a: &Attempt,
    csrf: &str,
    errors: &[&AnswerError],
    version: u32,
    notice: Notice,
) -> Markup {
    respond::review_in(s, a, csrf, errors, &frame(s, a, version, notice, &[]))
}

/// The end of a test run: what would have been sent, and that nothing was.
pub fn finished(s: &LoadedSurvey, a: &Attempt, version: u32) -> Markup {
    let lang = a.lang.as_str();
    let l = respond::chrome(lang);
    let sv = &s.survey;
    let base = base(s, version);
    respond::shell(
        lang,
        l.t("Provkörningen är klar", "The test run is finished"),
        Some(s),
        None,
        html! {
            div class="notice preview-banner" role="note" {
                p { strong { (l.t("Förhandsgranskning", "Preview")) } }
            }
            h1 { (l.t("Provkörningen är klar", "The test run is finished")) }
            p class="lead" { (l.t(
                "Här slutar enkäten för den som svarar. Inga svar har sparats. Så här skulle svaren ha skickats:",
                "This is where the survey ends for respondents. No answers were stored. This is what would have been sent:"
            )) }
            (respond::answer_list(sv, &a.answers, lang, false))
            p {
                a href={ (base) "/preview/" (lang) "/0" } { (l.t("Börja om", "Start over")) }
                " · "
                a href=(base) { (l.t("Tillbaka till redigeringen", "Back to editing")) }
            }
        },
    )
}
