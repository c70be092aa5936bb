//! Interviewer entry: the surveys open for phone and paper entry, a start form per survey, and
//! a survey's work list of sampled people to phone. The answering itself happens on the
//! respondent pages (`views::respond`), so interviewers see exactly what respondents see.

use maud::{html, Markup};

use super::layout::{self, csrf_field};
use crate::domain::options::LegalBasis;
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A survey open for entry.
pub struct EntrySurvey {
    /// The survey key (for the start URL).
    pub key: String,
    /// The title in the interface language (or the survey's default).
    pub title: String,
    /// Whether only an invitation code opens it.
    pub invitation_only: bool,
    /// Whether the respondent must consent before the first question.
    pub consent: bool,
    /// The languages the questionnaire exists in.
    pub languages: Vec<String>,
}

/// One person on the work list.
pub struct WorkItem {
    /// Name, if known.
    pub name: String,
    /// Phone number.
    pub phone: String,
    /// Sampling stratum.
    pub stratum: String,
    /// Access code (starts the interview under this invitation).
    pub code: String,
    /// Whether they opened the survey already.
    pub started: bool,
    /// Whether they opted out of e-mail (shown, not hidden: a phone call may still be welcome).
    pub opted_out: bool,
    /// The invitation's language.
    pub language: String,
}

/// A language's own name ("Svenska", "English"), or its code when the interface has no name.
fn language_name(code: &str) -> &str {
    match Lang::from_code(code) {
        Some(l) => l.own_name(),
        None => code,
    }
}

fn start_form(ctx: &PageCtx, s: &EntrySurvey) -> Markup {
    let l = ctx.lang;
    let id = |name: &str| format!("{}-{name}", s.key);
    html! {
        form method="post" action={ "/s/" (s.key) "/start" } class="stack" novalidate {
            (csrf_field(&ctx.csrf))
            fieldset {
                legend { (l.t("Sätt att svara", "Mode")) }
                div class="choice" {
                    input type="radio" id=(id("phone")) name="mode" value="phone" checked;
                    label for=(id("phone")) { (l.t("Telefonintervju", "Phone interview")) }
                }
                div class="choice" {
                    input type="radio" id=(id("paper")) name="mode" value="paper";
                    label for=(id("paper")) { (l.t("Pappersenkät", "Paper form")) }
                }
            }
            @if s.languages.len() > 1 {
                div class="field" {
                    label for=(id("lang")) { (l.t("Språk", "Language")) }
                    select id=(id("lang")) name="lang" {
                        @for code in &s.languages {
                            option value=(code) selected[code == l.code()] { (language_name(code)) }
                        }
                    }
                }
            } @else {
                input type="hidden" name="lang" value=(s.languages.first().map_or("sv", String::as_str));
            }
            div class="field" {
                label for=(id("invitation")) {
                    (l.t("Kod från brevet eller pappersenkäten", "Code from the letter or paper form"))
                    @if !s.invitation_only { " " (l.t("(om det finns)", "(if any)")) }
                }
                p class="hint" id=(id("invitation-hint")) { (l.t("Till exempel 7K3F-Q2TB", "For example 7K3F-Q2TB")) }
                input type="text" id=(id("invitation")) name="invitation" class="input-short" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" aria-describedby=(id("invitation-hint"));
            }
            @if s.consent {
                div class="choice" {
                    input type="checkbox" id=(id("consent")) name="consent" value="1";
                    label for=(id("consent")) { (l.t("Den svarande har fått informationen och samtycker", "The respondent has been informed and consents")) }
                }
            }
            button type="submit" class="button" { (l.t("Börja registrera", "Start entry")) }
        }
    }
}

/// `/interview`: surveys open for entry, each with its start form.
pub fn start(ctx: &PageCtx, surveys: &[EntrySurvey]) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Registrera intervjuer", "Enter interviews"),
        html! {
            h1 { (l.t("Registrera telefon- och pappersenkäter", "Enter phone and paper answers")) }
            p { (l.t(
                "Svaren registreras på samma sidor som de svarande ser. Svaret sparas med sättet att svara men utan ditt namn; att du registrerade det står i händelseloggen.",
                "Answers are entered on the same pages respondents see. The response is stored with its mode but without your name; that you entered it is in the audit log."
            )) }
            @if surveys.is_empty() {
                p { (l.t("Inga enkäter är öppna just nu.", "No surveys are open right now.")) }
            }
            @for s in surveys {
                section class="survey-card" aria-labelledby={ (s.key) "-heading" } {
                    h2 id={ (s.key) "-heading" } { (s.title) }
                    @if s.invitation_only {
                        p { (l.t("Bara med inbjudan: en kod krävs.", "Invitation only: a code is required.")) }
                    }
                    p { a href={ "/interview/" (s.key) } { (l.t("Arbetslista för telefonuppföljning", "Work list for phone follow-up")) } }
                    (start_form(ctx, s))
                }
            }
        },
    )
}

/// `/interview/{key}`: sampled people with a phone number who have not answered.
pub fn work_list(ctx: &PageCtx, key: &str, title: &str, people: &[WorkItem]) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Arbetslista", "Work list"),
        html! {
            p { a href="/interview" { (l.t("Alla enkäter", "All surveys")) } }
            h1 { (l.t("Arbetslista: ", "Work list: ")) (title) }
            p { (l.t(
                "Utvalda personer med telefonnummer som ännu inte har svarat.",
                "Sampled people with a phone number who have not answered yet."
            )) }
            @if people.is_empty() {
                p { (l.t("Ingen att ringa just nu.", "Nobody to call right now.")) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Arbetslista", "Work list")) {
                    table {
                        caption class="visually-hidden" { (l.t("Personer att ringa", "People to call")) }
                        thead { tr {
                            th scope="col" { (l.t("Namn", "Name")) }
                            th scope="col" { (l.t("Telefon", "Phone")) }
                            th scope="col" { (l.t("Stratum", "Stratum")) }
                            th scope="col" { (l.t("Status", "Status")) }
                            th scope="col" { (l.t("Åtgärd", "Action")) }
                        } }
                        tbody {
                            @for p in people {
                                tr {
                                    td { (p.name) }
                                    td { a href={ "tel:" (p.phone) } { (p.phone) } }
                                    td { (p.stratum) }
                                    td {
                                        @if p.started { (l.t("Påbörjad", "Started")) } @else { (l.t("Inte påbörjad", "Not started")) }
                                        @if p.opted_out { br; strong { (l.t("Avböjt e-post", "Opted out of e-mail")) } }
                                    }
                                    td {
                                        form method="post" action={ "/s/" (key) "/start" } class="inline-form" {
                                            (csrf_field(&ctx.csrf))
                                            input type="hidden" name="mode" value="phone";
                                            input type="hidden" name="lang" value=(p.language);
                                            input type="hidden" name="invitation" value=(p.code);
                                            button type="submit" class="button secondary" {
                                                (l.t("Starta telefonintervju", "Start phone interview"))
                                                span class="visually-hidden" { " " (p.name) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Whether a survey's options ask for consent before the first question.
pub fn needs_consent(basis: LegalBasis) -> bool {
    basis == LegalBasis::Consent
}
