//! What respondents see: the landing page, question pages (every question type, accessible
//! without JavaScript), the review page, the receipt, and the closed/full/resume pages. The
//! designer's preview uses the same functions, so researchers see exactly what respondents get.

use maud::{html, Markup, DOCTYPE};

use crate::domain::expr::Value;
use crate::domain::options::LegalBasis;
use crate::domain::quota::Quota;
use crate::domain::response::Mode;
use crate::domain::survey::conditional;
use crate::domain::survey::flow::{self, AnswerError, AnswerMap};
use crate::domain::survey::maxdiff;
use crate::domain::survey::random::RespondentLayout;
use crate::domain::survey::{Choice, Question, QuestionKind, Scale, Survey, Text, DONT_KNOW};
use crate::use_cases::answering::{Attempt, LoadedSurvey, Progress};
use crate::web::i18n::Lang;
use crate::web::views::layout::csrf_field;

/// UI chrome language for a survey language (chrome exists in Swedish and English).
pub fn chrome(lang: &str) -> Lang {
    if lang == "sv" {
        Lang::Sv
    } else {
        Lang::En
    }
}

fn tx<'a>(t: &'a Text, lang: &str, s: &'a Survey) -> &'a str {
    t.get_or(lang, &s.default_language)
}

/// The page shell for respondents: no staff navigation; the survey's contact alternatives and
/// the accessibility statement in the footer.
pub fn shell(
    lang: &str,
    title: &str,
    s: Option<&LoadedSurvey>,
    switch: Option<Markup>,
    content: Markup,
) -> Markup {
    shell_in(Mode::Web, lang, title, s, switch, content)
}

/// The shell of a page of an attempt in `mode`: an interviewer's phone or paper entry carries a
/// banner saying so on every page, and no resident footer (the "Ring 08-…" contact is for the
/// respondent, not for the interviewer keying the answers in).
pub fn shell_in(
    mode: Mode,
    lang: &str,
    title: &str,
    s: Option<&LoadedSurvey>,
    switch: Option<Markup>,
    content: Markup,
) -> Markup {
    let l = chrome(lang);
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Insikt" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a class="skip-link" href="#main" { (l.t("Hoppa till innehållet", "Skip to content")) }
                header class="site-header" {
                    div class="wrap header-row" {
                        a class="brand" href="/" { "Insikt" }
                        @if let Some(sw) = switch { (sw) }
                    }
                }
                main id="main" tabindex="-1" class="wrap" {
                    (mode_banner(mode, l))
                    (content)
                }
                footer class="site-footer" {
                    div class="wrap" {
                        @if let (Some(s), Mode::Web) = (s, mode) {
                            @let contact = tx(&s.options.contact, lang, &s.survey);
                            @if !contact.is_empty() {
                                h2 class="footer-heading" { (l.t("Andra sätt att svara", "Other ways to answer")) }
                                p { (contact) }
                            }
                        }
                        p { a href="/tillganglighet" { (l.t("Tillgänglighetsredogörelse", "Accessibility statement")) } }
                    }
                }
            }
        }
    }
}

/// The banner of an interviewer's attempt (nothing on a respondent's own).
fn mode_banner(mode: Mode, l: Lang) -> Markup {
    let (what, how) = match mode {
        Mode::Web => return html! {},
        Mode::Phone => (
            l.t("Telefonintervju", "Phone interview"),
            l.t(
                "Du registrerar svaren åt den du ringer. Läs frågorna och svarsalternativen högt.",
                "You are entering the answers of the person you are calling. Read the questions and options aloud.",
            ),
        ),
        Mode::Paper => (
            l.t("Pappersenkät", "Paper form"),
            l.t(
                "Du för in svaren från en ifylld pappersenkät. Skriv av dem precis som de står.",
                "You are entering the answers from a completed paper form. Copy them exactly as written.",
            ),
        ),
    };
    html! {
        div class="mode-banner" data-mode=(mode.as_str()) {
            p { strong { (what) } " – " (how) }
        }
    }
}

fn switch_link(href: &str, lang: &str) -> Markup {
    let other = if lang == "sv" { Lang::En } else { Lang::Sv };
    html! {
        a href={ (href) "?lang=" (other.code()) } lang=(other.code()) hreflang=(other.code()) { (other.own_name()) }
    }
}

/// How an attempt is being started: under an invitation's access code, and by whom (the mode
/// an interviewer asked for; the handlers decide whether it counts).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The access code (canonical form), carried in a hidden field.
    pub invitation: Option<String>,
    /// Web, or an interviewer's phone or paper entry.
    pub mode: Mode,
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            invitation: None,
            mode: Mode::Web,
        }
    }
}

fn entry_fields(invitation: Option<&str>, mode: Mode) -> Markup {
    html! {
        @if let Some(code) = invitation { input type="hidden" name="invitation" value=(code); }
        @if mode != Mode::Web { input type="hidden" name="mode" value=(mode.as_str()); }
    }
}

/// The landing page: title, introduction, time needed, privacy notice and the start button.
pub fn landing(
    s: &LoadedSurvey,
    lang: &str,
    csrf: &str,
    hidden: &AnswerMap,
    entry: &Entry,
) -> Markup {
    let l = chrome(lang);
    let sv = &s.survey;
    let o = &s.options;
    let title = tx(&sv.title, lang, sv);
    let consent = o.privacy.legal_basis == LegalBasis::Consent;
    shell_in(
        entry.mode,
        lang,
        title,
        Some(s),
        Some(switch_link(&format!("/s/{}", sv.key), lang)),
        html! {
            h1 { (title) }
            @let intro = tx(&sv.intro, lang, sv);
            @if !intro.is_empty() { p class="lead" { (intro) } }
            @if let Some(m) = o.minutes {
                p { (l.t("Det tar ungefär", "It takes about")) " " (m) " " (l.t("minuter att svara.", "minutes to answer.")) }
            }
            p { (l.t(
                "Du kan gå tillbaka och ändra dina svar, och spara och fortsätta senare.",
                "You can go back and change your answers, and save and continue later."
            )) }
            section aria-labelledby="privacy-heading" class="privacy" {
                h2 id="privacy-heading" { (l.t("Så hanterar vi dina svar", "How we handle your answers")) }
                @let purpose = tx(&o.privacy.purpose, lang, sv);
                @if !purpose.is_empty() { p { (purpose) } }
                p { strong { (l.t("Rättslig grund: ", "Legal basis: ")) }
                    @if consent { (l.t("ditt samtycke. Du kan ta tillbaka det när du vill.", "your consent. You can withdraw it at any time.")) }
                    @else { (l.t("uppgift av allmänt intresse.", "a task carried out in the public interest.")) } }
                @let retention = tx(&o.privacy.retention, lang, sv);
                @if !retention.is_empty() { p { (retention) } }
                @let controller = tx(&o.privacy.controller, lang, sv);
                @if !controller.is_empty() { p { (controller) } }
            }
            form method="post" action={ "/s/" (sv.key) "/start" } class="stack" novalidate {
                (csrf_field(csrf))
                input type="hidden" name="lang" value=(lang);
                (entry_fields(entry.invitation.as_deref(), entry.mode))
                (carry(hidden, &[]))
                (honeypot(l))
                @if consent {
                    div class="field" {
                        div class="choice" {
                            input type="checkbox" id="consent" name="consent" value="1";
                            label for="consent" { (l.t("Jag har läst informationen och samtycker till att mina svar behandlas.",
                                                       "I have read the information and consent to my answers being processed.")) }
                        }
                    }
                }
                button type="submit" class="button" { (l.t("Börja svara", "Start")) }
            }
            p { a href={ "/s/" (sv.key) "/resume" } { (l.t("Har du en kod för att fortsätta? Fortsätt där du slutade", "Have a code to continue? Continue where you left off")) } }
        },
    )
}

/// A field bots fill in and people never see (hidden from screen readers and the tab order).
pub fn honeypot(l: Lang) -> Markup {
    html! {
        div class="hp" aria-hidden="true" {
            label for="website" { (l.t("Lämna tomt", "Leave empty")) }
            input type="text" id="website" name="website" tabindex="-1" autocomplete="off";
        }
    }
}

/// Hidden fields carrying every answer whose key is not owned by `except`.
pub fn carry(answers: &AnswerMap, except: &[&Question]) -> Markup {
    let mut keys: Vec<&String> = answers
        .keys()
        .filter(|k| !except.iter().any(|q| crate::domain::response::owns(q, k)))
        .collect();
    keys.sort();
    html! {
        @for k in keys {
            @let v = answers[k].to_text();
            @if !v.is_empty() { input type="hidden" name={ "h." (k) } value=(v); }
        }
    }
}

fn attempt_fields(a: &Attempt, csrf: &str, page: usize, shown: &[&Question]) -> Markup {
    let shown_keys = shown
        .iter()
        .map(|q| q.key.as_str())
        .collect::<Vec<_>>()
        .join(",");
    html! {
        (csrf_field(csrf))
        input type="hidden" name="attempt" value=(a.attempt);
        input type="hidden" name="seed" value=(a.seed);
        input type="hidden" name="lang" value=(a.lang);
        input type="hidden" name="page" value=(page);
        input type="hidden" name="started" value=(a.started);
        input type="hidden" name="seal" value=(a.seal);
        input type="hidden" name="progress" value=(a.progress);
        input type="hidden" name="shown" value=(shown_keys);
        @if let Some(d) = &a.draft { input type="hidden" name="draft" value=(d); }
        (entry_fields(a.invitation.as_deref(), a.mode))
    }
}

/// The message for an answer error in the survey's language.
pub fn error_message(e: &AnswerError, s: &Survey, lang: &str) -> String {
    let l = chrome(lang);
    match e {
        AnswerError::MissingRequired { message, .. } if !message.is_empty() => {
            tx(message, lang, s).to_owned()
        }
        AnswerError::MissingRequired { .. } => l
            .t(
                "Du behöver svara på frågan.",
                "Please answer this question.",
            )
            .to_owned(),
        AnswerError::ConstraintFailed { message, .. } if !message.is_empty() => {
            tx(message, lang, s).to_owned()
        }
        AnswerError::ConstraintFailed { .. } => l
            .t("Svaret är inte giltigt.", "The answer is not valid.")
            .to_owned(),
        AnswerError::OutOfRange { min, max, .. } => match (min.is_finite(), max.is_finite()) {
            (true, true) => format!(
                "{} {} {} {}.",
                l.t("Skriv ett tal mellan", "Enter a number between"),
                fmt_num(*min),
                l.t("och", "and"),
                fmt_num(*max)
            ),
            (true, false) => format!(
                "{} {}.",
                l.t("Skriv ett tal som är minst", "Enter a number of at least"),
                fmt_num(*min)
            ),
            (false, true) => format!(
                "{} {}.",
                l.t("Skriv ett tal som är högst", "Enter a number of at most"),
                fmt_num(*max)
            ),
            _ => l
                .t(
                    "Skriv ett tal, till exempel 12 eller 3,5.",
                    "Enter a number, for example 12 or 3.5.",
                )
                .to_owned(),
        },
        AnswerError::NotAnOption { .. } => l
            .t("Välj ett av alternativen.", "Choose one of the options.")
            .to_owned(),
        AnswerError::ExclusiveCombined { .. } => l
            .t(
                "Det här alternativet kan inte kombineras med andra. Ta bort de andra kryssen.",
                "This option cannot be combined with others. Untick the others.",
            )
            .to_owned(),
        AnswerError::InvalidDate { .. } => l
            .t(
                "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-27.",
                "Enter the date as YYYY-MM-DD, for example 2026-03-27.",
            )
            .to_owned(),
        AnswerError::OtherNotChosen { .. } => l
            .t(
                "Du har skrivit något i rutan för Annat men inte valt Annat. Välj Annat, eller töm rutan.",
                "You have typed something in the Other box but not chosen Other. Choose Other, or clear the box.",
            )
            .to_owned(),
        AnswerError::RankRepeated { places, .. } => {
            let list = places
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{} {list}.",
                l.t(
                    "Varje plats kan bara användas en gång. Använd bara en gång: plats",
                    "Each place can be used only once. Use only once: place",
                )
            )
        }
        AnswerError::TooLong { max, length, .. } => format!(
            "{} {} {} {} {}.",
            l.t("Svaret får vara högst", "The answer can be at most"),
            thousands(*max as usize, l),
            l.t("tecken. Nu är det", "characters. It is now"),
            thousands(*length, l),
            l.t("tecken", "characters"),
        ),
    }
}

/// A count with thousands separated the way each language writes it ("2 000", "2,000").
fn thousands(n: usize, l: Lang) -> String {
    let digits = n.to_string();
    let sep = l.t("\u{a0}", ",");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// The hint that says how long a text may be ("Högst 2 000 tecken").
fn limit_hint(max: u32, l: Lang) -> String {
    format!(
        "{} {} {}",
        l.t("Högst", "At most"),
        thousands(max as usize, l),
        l.t("tecken.", "characters.")
    )
}

fn fmt_num(n: f64) -> String {
    crate::domain::expr::format_number(n)
}

/// The anchor id of an answer key's first input.
pub fn field_id(answer_key: &str) -> String {
    format!("q-{}", answer_key.replace('.', "-"))
}

/// The whole page of questions.
#[allow(clippy::too_many_arguments)]
pub fn page(
    s: &LoadedSurvey,
    a: &Attempt,
    csrf: &str,
    index: usize,
    shown: &[&Question],
    layout: &RespondentLayout,
    errors: &[&AnswerError],
    progress: Progress,
) -> Markup {
    page_in(
        s,
        a,
        csrf,
        index,
        shown,
        layout,
        errors,
        progress,
        &Frame::respondent(&s.survey.key),
    )
}

/// Where a page form is sent and what is shown above it: the respondent's survey, or the
/// designer's preview (same renderer, its own address and banner).
pub struct Frame {
    /// The form's action.
    pub action: String,
    /// Shown above the survey title (the preview banner).
    pub banner: Option<Markup>,
}

impl Frame {
    /// The respondent pages of survey `key`.
    pub fn respondent(key: &str) -> Frame {
        Frame {
            action: format!("/s/{key}"),
            banner: None,
        }
    }
}

/// "Sida 3 · ungefär 40 % klart": the page number without a total (skip logic decides the
/// total only as the respondent answers) and a share that never goes backwards.
fn progress_line(l: Lang, p: Progress) -> Markup {
    html! {
        p class="progress" {
            (l.t("Sida", "Page")) " " (p.number)
            @if p.percent > 0 {
                " · " (l.t("ungefär", "about")) " " (p.percent) " % " (l.t("klart", "done"))
            }
        }
    }
}

/// [`page`] inside a [`Frame`].
#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, each from a different place"
)]
pub fn page_in(
    s: &LoadedSurvey,
    a: &Attempt,
    csrf: &str,
    index: usize,
    shown: &[&Question],
    layout: &RespondentLayout,
    errors: &[&AnswerError],
    progress: Progress,
    frame: &Frame,
) -> Markup {
    let sv = &s.survey;
    let lang = a.lang.as_str();
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    let page_def = &sv.pages[index];
    let heading = tx(&page_def.title, lang, sv);
    let doc_title = if errors.is_empty() {
        title.to_owned()
    } else {
        format!("{} {title}", l.t("Fel:", "Error:"))
    };
    let switch = other_lang_button(s, lang);
    shell_in(
        a.mode,
        lang,
        &doc_title,
        Some(s),
        None,
        html! {
            @if let Some(b) = &frame.banner { (b) }
            form method="post" action=(frame.action) novalidate class="survey-form" {
                (attempt_fields(a, csrf, index, shown))
                (carry(&a.answers, shown))
                (honeypot(l))
                p class="survey-title" { (title) }
                (progress_line(l, progress))
                @if !errors.is_empty() {
                    div class="error-summary" role="alert" tabindex="-1" id="error-summary" {
                        h2 { (l.t("Något behöver rättas", "There is a problem")) }
                        ul {
                            @for e in errors {
                                li { a href={ "#" (field_id(crate::use_cases::answering::error_question(e))) } { (error_label(s, e, lang, &a.answers)) } }
                            }
                        }
                    }
                }
                h1 { @if heading.is_empty() { (title) } @else { (heading) } }
                @for q in shown {
                    (question(s, q, a, layout, errors))
                }
                div class="nav-buttons" {
                    button type="submit" name="nav" value="next" class="button" { (l.t("Nästa", "Next")) }
                    @if progress.number > 1 {
                        button type="submit" name="nav" value="back" class="button secondary" { (l.t("Tillbaka", "Back")) }
                    }
                    button type="submit" name="nav" value="save" class="button secondary" { (l.t("Fortsätt senare", "Continue later")) }
                }
                @if let Some(sw) = switch { div class="lang-switch" { (sw) } }
            }
        },
    )
}

/// "Question: what is wrong", the question's label piped with the answers as the question
/// itself shows it (so "Du valde: Brev, E-post." reads the same in the summary).
fn error_label(s: &LoadedSurvey, e: &AnswerError, lang: &str, answers: &AnswerMap) -> String {
    let key = crate::use_cases::answering::error_question(e);
    let q = crate::domain::response::question_of(&s.survey, key);
    let label = q.map(|q| flow::pipe(&s.survey, tx(&q.label, lang, &s.survey), lang, answers));
    match label {
        Some(l) if !l.is_empty() => format!("{l}: {}", error_message(e, &s.survey, lang)),
        _ => error_message(e, &s.survey, lang),
    }
}

fn other_lang_button(s: &LoadedSurvey, lang: &str) -> Option<Markup> {
    let other = s
        .survey
        .languages
        .iter()
        .find(|l| l.as_str() != lang && (l.as_str() == "sv" || l.as_str() == "en"))?;
    let name = if other == "sv" { "Svenska" } else { "English" };
    Some(html! {
        button type="submit" name="nav" value={ "lang:" (other) } class="link-button" lang=(other) { (name) }
    })
}

fn value_of(a: &Attempt, key: &str) -> String {
    a.answers.get(key).map(Value::to_text).unwrap_or_default()
}

fn described(hint_id: Option<&str>, err_id: Option<&str>) -> Option<String> {
    let v: Vec<&str> = [hint_id, err_id].into_iter().flatten().collect();
    (!v.is_empty()).then(|| v.join(" "))
}

/// One question, as respondents see it.
pub fn question(
    s: &LoadedSurvey,
    q: &Question,
    a: &Attempt,
    layout: &RespondentLayout,
    errors: &[&AnswerError],
) -> Markup {
    let sv = &s.survey;
    let lang = a.lang.as_str();
    let l = chrome(lang);
    // A question that depends on an answer on its own page is shown from the start with a
    // lead-in saying when it applies; until that answer is given, what it quotes reads as
    // "(ditt svar ovan)" rather than as nothing.
    let lead = sv
        .pages
        .iter()
        .find(|p| p.questions.iter().any(|x| x.key == q.key))
        .and_then(|p| conditional::lead_in(sv, p, q, lang));
    let missing = if lead.is_some() {
        l.t("(ditt svar ovan)", "(your answer above)")
    } else {
        ""
    };
    let label_text = flow::pipe_or(sv, tx(&q.label, lang, sv), lang, &a.answers, missing);
    let label = html! {
        @if let Some(lead) = &lead { span class="lead-in" { (lead) } " " }
        (label_text)
    };
    let hint = flow::pipe_or(sv, tx(&q.hint, lang, sv), lang, &a.answers, missing);
    let my_errors: Vec<&&AnswerError> = errors
        .iter()
        .filter(|e| {
            crate::domain::response::owns(q, crate::use_cases::answering::error_question(e))
        })
        .collect();
    let id = field_id(&q.key);
    let hint_id = (!hint.is_empty()).then(|| format!("{id}-hint"));
    let err_id = (!my_errors.is_empty()).then(|| format!("{id}-error"));
    let desc = described(hint_id.as_deref(), err_id.as_deref());
    let required = q.required;
    let hint_m = html! { @if let Some(h) = &hint_id { p class="hint" id=(h) { (hint) } } };
    let err_m = html! {
        @if let Some(eid) = &err_id {
            p class="field-error" id=(eid) {
                span class="visually-hidden" { (l.t("Fel: ", "Error: ")) }
                @for (i, e) in my_errors.iter().enumerate() { @if i > 0 { " " } (error_message(e, sv, lang)) }
            }
        }
    };
    let req_mark = html! { @if required { span class="required" { " (" (l.t("obligatorisk", "required")) ")" } } };
    let cls = if my_errors.is_empty() {
        "question"
    } else {
        "question has-error"
    };
    let options = |list: &str| -> Vec<(usize, &Choice)> {
        let choices = sv.choice_list(list).unwrap_or_default();
        let order = layout
            .pages
            .iter()
            .find_map(|p| p.option_orders.get(&q.key))
            .cloned()
            .unwrap_or_else(|| (0..choices.len()).collect());
        order
            .into_iter()
            .filter_map(|i| choices.get(i).map(|c| (i, c)))
            .collect()
    };
    let name = format!("a.{}", q.key);
    match &q.kind {
        QuestionKind::Note => html! {
            div class="note" id=(id) { p { (label) } (hint_m) }
        },
        QuestionKind::SingleChoice {
            list,
            appearance,
            other,
        } => {
            let current = value_of(a, &q.key);
            if *appearance == crate::domain::survey::ChoiceAppearance::Dropdown {
                html! {
                    div class=(cls) {
                        label for=(id) class="q-label" { (label) (req_mark) }
                        (hint_m) (err_m)
                        select id=(id) name=(name) aria-describedby=[desc.as_deref()] aria-invalid=[err_id.as_ref().map(|_| "true")] {
                            option value="" { (l.t("Välj…", "Choose…")) }
                            @for (_, c) in options(list) {
                                option value=(c.value) selected[c.value == current] { (tx(&c.label, lang, sv)) }
                            }
                            @if *other { option value="other" selected[current == "other"] { (l.t("Annat", "Other")) } }
                        }
                        @if *other { (other_text(q, a, l)) }
                    }
                }
            } else {
                html! {
                    fieldset class=(cls) id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                        legend class="q-label" { (label) (req_mark) }
                        (hint_m) (err_m)
                        div class="choices" {
                            @for (n, (_, c)) in options(list).into_iter().enumerate() {
                                (radio(&name, &if n == 0 { id.clone() } else { format!("{id}-{}", c.value) }, &c.value, tx(&c.label, lang, sv), current == c.value))
                            }
                            @if *other { (radio(&name, &format!("{id}-other-choice"), "other", l.t("Annat, nämligen:", "Other, please specify:"), current == "other")) }
                        }
                        @if *other { (other_text(q, a, l)) }
                    }
                }
            }
        }
        QuestionKind::MultipleChoice { list, other } => {
            let current = value_of(a, &q.key);
            let picked: Vec<&str> = current.split_whitespace().collect();
            html! {
                fieldset class=(cls) id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                    legend class="q-label" { (label) (req_mark) }
                    p class="hint" { (l.t("Välj alla som stämmer.", "Select all that apply.")) }
                    (hint_m) (err_m)
                    div class="choices" {
                        @for (n, (_, c)) in options(list).into_iter().enumerate() {
                            @let cid = if n == 0 { id.clone() } else { format!("{id}-{}", c.value) };
                            div class="choice" {
                                input type="checkbox" id=(cid) name=(name) value=(c.value) checked[picked.contains(&c.value.as_str())];
                                label for=(cid) { (tx(&c.label, lang, sv)) }
                            }
                        }
                        @if *other {
                            div class="choice" {
                                input type="checkbox" id={ (id) "-other-choice" } name=(name) value="other" checked[picked.contains(&"other")];
                                label for={ (id) "-other-choice" } { (l.t("Annat, nämligen:", "Other, please specify:")) }
                            }
                        }
                    }
                    @if *other { (other_text(q, a, l)) }
                }
            }
        }
        QuestionKind::Rating { scale } => html! {
            fieldset class=(cls) id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                legend class="q-label" { (label) (req_mark) }
                (hint_m) (err_m)
                (scale_radios(sv, lang, scale, &name, &id, &value_of(a, &q.key)))
            }
        },
        QuestionKind::Matrix { rows, list } => html! {
            fieldset class={ (cls) " matrix" } id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                legend class="q-label" { (label) (req_mark) }
                (hint_m) (err_m)
                @for (ri, r) in rows.iter().enumerate() {
                    @let rkey = format!("{}.{}", q.key, r.key);
                    @let rid = field_id(&rkey);
                    @let current = value_of(a, &rkey);
                    fieldset class="matrix-row" {
                        legend { (tx(&r.label, lang, sv)) }
                        div class="choices inline" {
                            @for (n, (_, c)) in options(list).into_iter().enumerate() {
                                @let cid = if n == 0 { rid.clone() } else { format!("{rid}-{}", c.value) };
                                @let cid = if ri == 0 && n == 0 { id.clone() } else { cid };
                                (radio(&format!("a.{rkey}"), &cid, &c.value, tx(&c.label, lang, sv), current == c.value))
                            }
                        }
                    }
                }
            }
        },
        QuestionKind::Integer { .. } | QuestionKind::Decimal { .. } => {
            let mode = if matches!(q.kind, QuestionKind::Integer { .. }) {
                "numeric"
            } else {
                "decimal"
            };
            html! {
                div class=(cls) {
                    label for=(id) class="q-label" { (label) (req_mark) }
                    (hint_m) (err_m)
                    input type="text" id=(id) name=(name) inputmode=(mode) class="input-short" value=(value_of(a, &q.key))
                        aria-describedby=[desc.as_deref()] aria-invalid=[err_id.as_ref().map(|_| "true")];
                }
            }
        }
        QuestionKind::ShortText | QuestionKind::LongText => {
            // The limit is said in words and set as `maxlength`; the server checks it too, and a
            // too-long answer stays in the box with the message.
            let max = q
                .max_length(&q.key)
                .unwrap_or(crate::domain::survey::SHORT_TEXT_MAX);
            let limit_id = format!("{id}-limit");
            let desc = Some(match &desc {
                Some(d) => format!("{limit_id} {d}"),
                None => limit_id.clone(),
            });
            html! {
                div class=(cls) {
                    label for=(id) class="q-label" { (label) (req_mark) }
                    (hint_m)
                    p class="hint" id=(limit_id) { (limit_hint(max, l)) }
                    (err_m)
                    @if matches!(q.kind, QuestionKind::LongText) {
                        textarea id=(id) name=(name) rows="6" maxlength=(max) aria-describedby=[desc.as_deref()] aria-invalid=[err_id.as_ref().map(|_| "true")] { (value_of(a, &q.key)) }
                    } @else {
                        input type="text" id=(id) name=(name) maxlength=(max) value=(value_of(a, &q.key))
                            aria-describedby=[desc.as_deref()] aria-invalid=[err_id.as_ref().map(|_| "true")];
                    }
                }
            }
        }
        QuestionKind::Date => html! {
            div class=(cls) {
                label for=(id) class="q-label" { (label) (req_mark) }
                p class="hint" id={ (id) "-format" } { (l.t("Till exempel 2026-03-27", "For example 2026-03-27")) }
                (hint_m) (err_m)
                input type="date" id=(id) name=(name) class="input-short" value=(value_of(a, &q.key))
                    aria-describedby={ (id) "-format" @if let Some(d) = &desc { " " (d) } } aria-invalid=[err_id.as_ref().map(|_| "true")];
            }
        },
        QuestionKind::Ranking { list } => {
            let opts = options(list);
            let n = opts.len();
            html! {
                fieldset class=(cls) id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                    legend class="q-label" { (label) (req_mark) }
                    p class="hint" { (l.t("Ge varje alternativ en plats, 1 = viktigast. Varje plats används en gång.",
                                          "Give each option a place, 1 = most important. Use each place once.")) }
                    (hint_m) (err_m)
                    @for (k, (_, c)) in opts.iter().enumerate() {
                        @let key = format!("{}.{}", q.key, c.value);
                        @let cid = if k == 0 { id.clone() } else { field_id(&key) };
                        @let current = value_of(a, &key);
                        div class="rank-row" {
                            label for=(cid) { (tx(&c.label, lang, sv)) }
                            select id=(cid) name={ "a." (key) } {
                                option value="" { (l.t("Plats…", "Place…")) }
                                @for p in 1..=n { option value=(p) selected[current == p.to_string()] { (p) } }
                            }
                        }
                    }
                }
            }
        }
        QuestionKind::MaxDiff {
            list,
            best_label,
            worst_label,
            ..
        } => {
            let items = sv.choice_list(list).unwrap_or_default();
            let tasks = s.maxdiff_tasks(&q.key, a.seed);
            let total = tasks.len();
            let (best, worst) = (tx(best_label, lang, sv), tx(worst_label, lang, sv));
            // A few tasks per screen; the answers of the other screens ride along as fields of
            // this question, so the page form still carries the whole question.
            let missing = my_errors.iter().any(
                |e| matches!(e, AnswerError::MissingRequired { question, .. } if *question == q.key),
            );
            let screen = maxdiff::shown_screen(q, &a.answers, missing);
            let on_screen = maxdiff::screen_tasks(screen, u32::try_from(total).unwrap_or(u32::MAX));
            let first = *on_screen.start() as usize;
            html! {
                fieldset class={ (cls) " maxdiff" } id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                    legend class="q-label" { (label) (req_mark) }
                    (hint_m) (err_m)
                    input type="hidden" name={ "a." (maxdiff::screen_key(&q.key)) } value=(screen);
                    @for (t, task) in tasks.iter().enumerate() {
                        @let tn = t + 1;
                        @let task_key = format!("{}.t{tn}", q.key);
                        @if !on_screen.contains(&(tn as u32)) {
                            @for side in ["best", "worst"] {
                                @let v = value_of(a, &format!("{task_key}.{side}"));
                                @if !v.is_empty() { input type="hidden" name={ "a." (task_key) "." (side) } value=(v); }
                            }
                        } @else {
                        (maxdiff_task(&MaxDiffTask {
                            id: if tn == first { id.clone() } else { field_id(&format!("{task_key}.best")) },
                            task_id: field_id(&task_key),
                            key: &task_key,
                            legend: format!("{} {tn} {} {total}", l.t("Uppgift", "Task"), l.t("av", "of")),
                            items: task.iter().filter_map(|&i| items.get(i)).map(|c| (c.value.as_str(), tx(&c.label, lang, sv))).collect(),
                            best,
                            worst,
                            picked: (value_of(a, &format!("{task_key}.best")), value_of(a, &format!("{task_key}.worst"))),
                        }, l))
                        }
                    }
                }
            }
        }
        QuestionKind::Kano {
            functional,
            dysfunctional,
            list,
        } => html! {
            fieldset class={ (cls) " pair" } id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                legend class="q-label" { (label) (req_mark) }
                (hint_m) (err_m)
                @for (n, (sub, text)) in [("functional", functional), ("dysfunctional", dysfunctional)].into_iter().enumerate() {
                    @let key = format!("{}.{sub}", q.key);
                    @let kid = if n == 0 { id.clone() } else { field_id(&key) };
                    @let current = value_of(a, &key);
                    fieldset class="pair-part" {
                        legend { (flow::pipe(sv, tx(text, lang, sv), lang, &a.answers)) }
                        div class="choices" {
                            @for (k, (_, c)) in options(list).into_iter().enumerate() {
                                (radio(&format!("a.{key}"), &if k == 0 { kid.clone() } else { format!("{}-{}", field_id(&key), c.value) }, &c.value, tx(&c.label, lang, sv), current == c.value))
                            }
                        }
                    }
                }
            }
        },
        QuestionKind::ImportanceSatisfaction {
            importance,
            satisfaction,
            scale,
        } => html! {
            fieldset class={ (cls) " pair" } id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                legend class="q-label" { (label) (req_mark) }
                (hint_m) (err_m)
                @for (n, (sub, text)) in [("importance", importance), ("satisfaction", satisfaction)].into_iter().enumerate() {
                    @let key = format!("{}.{sub}", q.key);
                    @let kid = if n == 0 { id.clone() } else { field_id(&key) };
                    fieldset class="pair-part" {
                        legend { (flow::pipe(sv, tx(text, lang, sv), lang, &a.answers)) }
                        (scale_radios(sv, lang, scale, &format!("a.{key}"), &kid, &value_of(a, &key)))
                    }
                }
            }
        },
        QuestionKind::Consent => html! {
            fieldset class=(cls) id={ (id) "-group" } aria-describedby=[desc.as_deref()] {
                legend class="q-label" { (label) (req_mark) }
                (hint_m) (err_m)
                div class="choice" {
                    input type="checkbox" id=(id) name=(name) value="1" checked[value_of(a, &q.key) == "1"];
                    label for=(id) { (l.t("Ja, jag samtycker", "Yes, I agree")) }
                }
            }
        },
        QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. } => html! {},
    }
}

/// One MaxDiff task as the view draws it.
struct MaxDiffTask<'a> {
    /// The id of the first "most" radio (the error summary's anchor for the question).
    id: String,
    /// The id of the task's fieldset (the anchor of a task's own error).
    task_id: String,
    /// The answer key of the task (`question.tN`); `.best` and `.worst` are its answers.
    key: &'a str,
    /// "Uppgift 2 av 9".
    legend: String,
    /// The items shown (value, label), each once.
    items: Vec<(&'a str, &'a str)>,
    /// The column labels.
    best: &'a str,
    worst: &'a str,
    /// The chosen (most, least) values.
    picked: (String, String),
}

/// The familiar best–worst layout: one row per item, "most" on the left, the item in the middle,
/// "least" on the right. Each radio's accessible name says the item and the column, so a screen
/// reader hears "Mest viktig: Bibliotek" rather than "radio button 1 of 4".
fn maxdiff_task(t: &MaxDiffTask<'_>, l: Lang) -> Markup {
    let cell = |side: &str, side_label: &str, n: usize, value: &str, item: &str, picked: &str| {
        let rid = if n == 0 && side == "best" {
            t.id.clone()
        } else {
            format!("{}-{side}-{value}", t.task_id)
        };
        html! {
            td class={ "maxdiff-" (side) } {
                input type="radio" id=(rid) name={ "a." (t.key) "." (side) } value=(value) checked[picked == value];
                label for=(rid) class="visually-hidden" { (side_label) ": " (item) }
            }
        }
    };
    html! {
        fieldset class="maxdiff-task" id=(t.task_id) {
            legend { (t.legend) }
            table class="maxdiff-table" {
                thead {
                    tr {
                        th scope="col" class="maxdiff-best" { (t.best) }
                        th scope="col" { (l.t("Alternativ", "Item")) }
                        th scope="col" class="maxdiff-worst" { (t.worst) }
                    }
                }
                tbody {
                    @for (n, (value, item)) in t.items.iter().enumerate() {
                        tr {
                            (cell("best", t.best, n, value, item, &t.picked.0))
                            th scope="row" class="maxdiff-item" { (item) }
                            (cell("worst", t.worst, n, value, item, &t.picked.1))
                        }
                    }
                }
            }
        }
    }
}

fn radio(name: &str, id: &str, value: &str, label: &str, checked: bool) -> Markup {
    html! {
        div class="choice" {
            input type="radio" id=(id) name=(name) value=(value) checked[checked];
            label for=(id) { (label) }
        }
    }
}

fn other_text(q: &Question, a: &Attempt, l: Lang) -> Markup {
    let key = format!("{}.other", q.key);
    let id = field_id(&key);
    let max = q
        .max_length(&key)
        .unwrap_or(crate::domain::survey::SHORT_TEXT_MAX);
    html! {
        div class="other-text" {
            label for=(id) { (l.t("Annat, nämligen", "Other, please specify")) }
            p class="hint" id={ (id) "-limit" } { (limit_hint(max, l)) }
            input type="text" id=(id) name={ "a." (key) } maxlength=(max) value=(value_of(a, &key))
                aria-describedby={ (id) "-limit" };
        }
    }
}

fn scale_radios(
    s: &Survey,
    lang: &str,
    scale: &Scale,
    name: &str,
    id: &str,
    current: &str,
) -> Markup {
    let l = chrome(lang);
    html! {
        div class="choices scale" {
            @for p in scale.min..=scale.max {
                @let pid = if p == scale.min { id.to_owned() } else { format!("{id}-{p}") };
                @let text = if p == scale.min {
                    format!("{p} – {}", tx(&scale.min_label, lang, s))
                } else if p == scale.max {
                    format!("{p} – {}", tx(&scale.max_label, lang, s))
                } else { p.to_string() };
                (radio(name, &pid, &p.to_string(), &text, current == p.to_string()))
            }
            @if let Some(dk) = &scale.dont_know {
                @let dk_text = { let t = tx(dk, lang, s); if t.is_empty() { l.t("Vet inte", "Don't know").to_owned() } else { t.to_owned() } };
                (radio(name, &format!("{id}-dk"), DONT_KNOW, &dk_text, current == DONT_KNOW))
            }
        }
    }
}

/// A readable version of one answer.
pub fn display(s: &Survey, q: &Question, answers: &AnswerMap, lang: &str) -> Vec<(String, String)> {
    let l = chrome(lang);
    let get = |k: &str| answers.get(k).map(Value::to_text).filter(|v| !v.is_empty());
    let label_of = |list: &str, v: &str| -> String {
        s.choice_list(list)
            .and_then(|cs| cs.iter().find(|c| c.value == v))
            .map(|c| tx(&c.label, lang, s).to_owned())
            .unwrap_or_else(|| {
                if v == "other" {
                    l.t("Annat", "Other").to_owned()
                } else {
                    v.to_owned()
                }
            })
    };
    let scale_text = |scale: &Scale, v: &str| -> String {
        if v == DONT_KNOW {
            scale
                .dont_know
                .as_ref()
                .map(|t| tx(t, lang, s).to_owned())
                .unwrap_or_else(|| l.t("Vet inte", "Don't know").to_owned())
        } else {
            v.to_owned()
        }
    };
    let none = l.t("Inget svar", "No answer").to_owned();
    let main = flow::pipe(s, tx(&q.label, lang, s), lang, answers);
    match &q.kind {
        QuestionKind::Note | QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. } => vec![],
        QuestionKind::SingleChoice { list, .. } | QuestionKind::MultipleChoice { list, .. } => {
            let mut v = get(&q.key)
                .map(|t| {
                    t.split_whitespace()
                        .map(|x| label_of(list, x))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| none.clone());
            if let Some(o) = get(&format!("{}.other", q.key)) {
                v = format!("{v}: {o}");
            }
            vec![(main, v)]
        }
        QuestionKind::Rating { scale } => vec![(
            main,
            get(&q.key).map(|v| scale_text(scale, &v)).unwrap_or(none),
        )],
        QuestionKind::Matrix { rows, list } => rows
            .iter()
            .map(|r| {
                (
                    format!("{main} – {}", tx(&r.label, lang, s)),
                    get(&format!("{}.{}", q.key, r.key))
                        .map(|v| label_of(list, &v))
                        .unwrap_or_else(|| none.clone()),
                )
            })
            .collect(),
        QuestionKind::Ranking { list } => {
            let mut ranked: Vec<(i64, String)> = s
                .choice_list(list)
                .unwrap_or_default()
                .iter()
                .filter_map(|c| {
                    get(&format!("{}.{}", q.key, c.value))
                        .and_then(|r| r.parse().ok())
                        .map(|r| (r, tx(&c.label, lang, s).to_owned()))
                })
                .collect();
            ranked.sort();
            let text = if ranked.is_empty() {
                none
            } else {
                ranked
                    .into_iter()
                    .map(|(r, t)| format!("{r}. {t}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            vec![(main, text)]
        }
        QuestionKind::MaxDiff {
            list,
            tasks,
            best_label,
            worst_label,
            ..
        } => (1..=*tasks)
            .map(|t| {
                let b = get(&format!("{}.t{t}.best", q.key))
                    .map(|v| label_of(list, &v))
                    .unwrap_or_else(|| none.clone());
                let w = get(&format!("{}.t{t}.worst", q.key))
                    .map(|v| label_of(list, &v))
                    .unwrap_or_else(|| none.clone());
                (
                    format!("{main} – {} {t}", l.t("uppgift", "task")),
                    format!(
                        "{}: {b}; {}: {w}",
                        tx(best_label, lang, s),
                        tx(worst_label, lang, s)
                    ),
                )
            })
            .collect(),
        QuestionKind::Kano {
            functional,
            dysfunctional,
            list,
        } => vec![
            (
                flow::pipe(s, tx(functional, lang, s), lang, answers),
                get(&format!("{}.functional", q.key))
                    .map(|v| label_of(list, &v))
                    .unwrap_or_else(|| none.clone()),
            ),
            (
                flow::pipe(s, tx(dysfunctional, lang, s), lang, answers),
                get(&format!("{}.dysfunctional", q.key))
                    .map(|v| label_of(list, &v))
                    .unwrap_or_else(|| none.clone()),
            ),
        ],
        QuestionKind::ImportanceSatisfaction {
            importance,
            satisfaction,
            scale,
        } => vec![
            (
                flow::pipe(s, tx(importance, lang, s), lang, answers),
                get(&format!("{}.importance", q.key))
                    .map(|v| scale_text(scale, &v))
                    .unwrap_or_else(|| none.clone()),
            ),
            (
                flow::pipe(s, tx(satisfaction, lang, s), lang, answers),
                get(&format!("{}.satisfaction", q.key))
                    .map(|v| scale_text(scale, &v))
                    .unwrap_or_else(|| none.clone()),
            ),
        ],
        QuestionKind::Consent => vec![(
            main,
            if get(&q.key).is_some() {
                l.t("Ja", "Yes").to_owned()
            } else {
                none
            },
        )],
        _ => vec![(main, get(&q.key).unwrap_or(none))],
    }
}

/// All answered questions, page by page (review page, receipt, staff lookup).
pub fn answer_list(s: &Survey, answers: &AnswerMap, lang: &str, change_buttons: bool) -> Markup {
    let l = chrome(lang);
    let today = crate::use_cases::answering::today();
    html! {
        @for (i, p) in s.pages.iter().enumerate() {
            @if crate::use_cases::answering::page_shows(s, i, answers, &today) {
                @let rel = flow::page_relevance(s, i, answers, &today);
                @let title = tx(&p.title, lang, s);
                section class="review-page" {
                    h2 { @if title.is_empty() { (l.t("Sida", "Page")) " " (i + 1) } @else { (title) } }
                    dl class="answers" {
                        @for (q, r) in p.questions.iter().zip(rel) {
                            @if r {
                                @for (label, value) in display(s, q, answers, lang) {
                                    dt { (label) }
                                    dd { (value) }
                                }
                            }
                        }
                    }
                    @if change_buttons {
                        button type="submit" name="nav" value={ "goto:" (i) } class="button small secondary" {
                            (l.t("Ändra svaren på sidan", "Change the answers on page")) " " (i + 1)
                            @if !title.is_empty() { span class="visually-hidden" { ": " (title) } }
                        }
                    }
                }
            }
        }
    }
}

/// The review page before submitting.
pub fn review(s: &LoadedSurvey, a: &Attempt, csrf: &str, errors: &[&AnswerError]) -> Markup {
    review_in(s, a, csrf, errors, &Frame::respondent(&s.survey.key))
}

/// [`review`] inside a [`Frame`].
pub fn review_in(
    s: &LoadedSurvey,
    a: &Attempt,
    csrf: &str,
    errors: &[&AnswerError],
    frame: &Frame,
) -> Markup {
    let sv = &s.survey;
    let lang = a.lang.as_str();
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell_in(
        a.mode,
        lang,
        &format!(
            "{} – {title}",
            l.t("Granska dina svar", "Check your answers")
        ),
        Some(s),
        None,
        html! {
            @if let Some(b) = &frame.banner { (b) }
            form method="post" action=(frame.action) novalidate class="survey-form" {
                (attempt_fields(a, csrf, sv.pages.len(), &[]))
                (carry(&a.answers, &[]))
                (honeypot(l))
                p class="survey-title" { (title) }
                @if !errors.is_empty() {
                    div class="error-summary" role="alert" tabindex="-1" {
                        h2 { (l.t("Något behöver rättas", "There is a problem")) }
                        ul { @for e in errors { li { (error_label(s, e, lang, &a.answers)) } } }
                    }
                }
                h1 { (l.t("Granska dina svar", "Check your answers")) }
                p { (l.t("Kontrollera dina svar innan du skickar in. Du kan ändra dem.", "Check your answers before you send them. You can change them.")) }
                (answer_list(sv, &a.answers, lang, true))
                div class="nav-buttons" {
                    button type="submit" name="nav" value="submit" class="button" { (l.t("Skicka in svaren", "Send your answers")) }
                    button type="submit" name="nav" value="back" class="button secondary" { (l.t("Tillbaka", "Back")) }
                    button type="submit" name="nav" value="save" class="button secondary" { (l.t("Fortsätt senare", "Continue later")) }
                }
            }
        },
    )
}

/// The receipt, shown only after the response is durably stored.
pub fn receipt(
    s: &LoadedSurvey,
    lang: &str,
    number: &str,
    at: &str,
    answers: &AnswerMap,
    interviewer: Option<Mode>,
) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    shell_in(
        interviewer.unwrap_or(Mode::Web),
        lang,
        l.t("Tack för ditt svar", "Thank you for your answer"),
        Some(s),
        None,
        html! {
            div class="receipt-panel" {
                h1 { (l.t("Tack! Dina svar har kommit fram", "Thank you! Your answers have arrived")) }
                p { (l.t("Ditt kvittonummer:", "Your receipt number:")) }
                p class="receipt-number" { strong { (number) } }
                p { (l.t("Mottaget", "Received")) " " (at) "." }
            }
            @if interviewer.is_some() {
                div class="notice" role="status" {
                    p { (l.t(
                        "Läs upp kvittonumret för den svarande, eller skriv det på pappersenkäten.",
                        "Read the receipt number out to the respondent, or write it on the paper form."
                    )) }
                    p { a href="/interview" { (l.t("Registrera nästa", "Enter the next one")) } }
                }
            }
            @let thanks = tx(&sv.thanks, lang, sv);
            @if !thanks.is_empty() { p { (thanks) } }
            h2 { (l.t("Vad händer nu?", "What happens next?")) }
            p { (l.t(
                "Dina svar räknas samman med andras. Ingen enskild persons svar redovisas.",
                "Your answers are combined with everyone else's. No individual's answers are reported."
            )) }
            @let results = tx(&s.options.results, lang, sv);
            @if !results.is_empty() { p { (results) } }
            p { (l.t(
                "Spara kvittonumret. Med det kan du be oss visa eller radera dina svar.",
                "Keep the receipt number. With it you can ask us to show or delete your answers."
            )) }
            details class="answer-copy" {
                summary { (l.t("Visa en kopia av dina svar (kan skrivas ut)", "Show a copy of your answers (printable)")) }
                (answer_list(sv, answers, lang, false))
            }
        },
    )
}

/// A survey that no longer accepts answers (HTTP 410).
pub fn closed(s: &LoadedSurvey, lang: &str, closed_at: Option<String>) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell(
        lang,
        title,
        Some(s),
        None,
        html! {
            h1 { (title) }
            p class="lead" { (l.t("Undersökningen är stängd och tar inte längre emot svar.", "The survey is closed and no longer accepts answers.")) }
            @if let Some(at) = closed_at { p { (l.t("Den stängdes", "It closed on")) " " (at) "." } }
            @let contact = tx(&s.options.contact, lang, sv);
            @if !contact.is_empty() { p { (l.t("Har du frågor? Kontakta oss:", "Questions? Contact us:")) " " (contact) } }
            p { a href="/" { (l.t("Se pågående undersökningar", "See open surveys")) } }
        },
    )
}

/// A survey that has all the answers it needs.
pub fn full(s: &LoadedSurvey, lang: &str) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell(
        lang,
        title,
        Some(s),
        None,
        html! {
            h1 { (title) }
            p class="lead" { (l.t("Tack för att du ville svara! Undersökningen har redan fått alla svar den behöver.",
                                  "Thank you for wanting to answer! The survey already has all the answers it needs.")) }
            p { a href="/" { (l.t("Till startsidan", "To the start page")) } }
        },
    )
}

/// "Continue later": the code, the link and when it expires.
pub fn saved(s: &LoadedSurvey, lang: &str, code: &str, link: &str, expires: &str) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    shell(
        lang,
        l.t("Dina svar är sparade", "Your answers are saved"),
        Some(s),
        None,
        html! {
            h1 { (l.t("Dina svar är sparade", "Your answers are saved")) }
            p { (l.t("Skriv upp koden. Med den fortsätter du där du slutade.", "Write down the code. With it you continue where you left off.")) }
            p class="receipt-number" { strong { (code) } }
            p { (l.t("Eller använd länken:", "Or use the link:")) " " a href=(link) { (link) } }
            p { (l.t("Koden gäller till", "The code is valid until")) " " (expires) "." }
            p { a href={ "/s/" (sv.key) "/resume" } { (l.t("Fortsätt nu", "Continue now")) } }
        },
    )
}

/// The form to type a resume code.
pub fn resume_form(s: &LoadedSurvey, lang: &str, csrf: &str, error: bool, typed: &str) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell(
        lang,
        l.t("Fortsätt där du slutade", "Continue where you left off"),
        Some(s),
        Some(switch_link(&format!("/s/{}/resume", sv.key), lang)),
        html! {
            p class="survey-title" { (title) }
            h1 { (l.t("Fortsätt där du slutade", "Continue where you left off")) }
            @if error {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Något behöver rättas", "There is a problem")) }
                    ul { li { a href="#code" { (l.t("Koden finns inte eller har gått ut.", "The code does not exist or has expired.")) } } }
                }
            }
            form method="post" action={ "/s/" (sv.key) "/resume" } class="stack" novalidate {
                (csrf_field(csrf))
                input type="hidden" name="lang" value=(lang);
                div class={ "field" @if error { " has-error" } } {
                    label for="code" { (l.t("Din kod", "Your code")) }
                    p class="hint" id="code-hint" { (l.t("Till exempel 7K3F-Q2TB-9M", "For example 7K3F-Q2TB-9M")) }
                    @if error { p class="field-error" id="code-error" { (l.t("Koden finns inte eller har gått ut.", "The code does not exist or has expired.")) } }
                    input type="text" id="code" name="code" class="input-short" autocomplete="off" autocapitalize="characters" spellcheck="false" value=(typed)
                        aria-describedby={ "code-hint" @if error { " code-error" } } aria-invalid=[error.then_some("true")];
                }
                button type="submit" class="button" { (l.t("Fortsätt", "Continue")) }
            }
        },
    )
}

/// What was wrong with an access code on the code form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// No invitation of this survey has it.
    Unknown,
    /// The survey needs a code and none was given.
    Missing,
}

/// "Enter your access code": the form an invitation-only survey shows without a code, and
/// again (with the problem) after a code that does not open it.
pub fn code_form(
    s: &LoadedSurvey,
    lang: &str,
    csrf: &str,
    problem: Option<CodeProblem>,
    typed: &str,
) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    let message = problem.map(|p| match p {
        CodeProblem::Unknown => l.t(
            "Vi hittar ingen inbjudan med den koden. Kontrollera att du skrivit av den rätt.",
            "We cannot find an invitation with that code. Check that you copied it correctly.",
        ),
        CodeProblem::Missing => l.t(
            "Den här undersökningen kräver koden från din inbjudan.",
            "This survey needs the code from your invitation.",
        ),
    });
    shell(
        lang,
        l.t("Ange din kod", "Enter your access code"),
        Some(s),
        Some(switch_link(&format!("/s/{}", sv.key), lang)),
        html! {
            p class="survey-title" { (title) }
            h1 { (l.t("Ange din kod", "Enter your access code")) }
            @if s.options.access == crate::domain::options::Access::Invitation {
                p { (l.t(
                    "Den här undersökningen är för dem som fått en inbjudan. Koden står i brevet eller e-postmeddelandet.",
                    "This survey is for those who received an invitation. The code is in the letter or e-mail."
                )) }
            } @else {
                p { (l.t("Koden står i brevet eller e-postmeddelandet.", "The code is in the letter or e-mail.")) }
            }
            @if let Some(m) = message {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Något behöver rättas", "There is a problem")) }
                    ul { li { a href="#code" { (m) } } }
                }
            }
            form method="post" action={ "/s/" (sv.key) "/code" } class="stack" novalidate {
                (csrf_field(csrf))
                input type="hidden" name="lang" value=(lang);
                div class={ "field" @if message.is_some() { " has-error" } } {
                    label for="code" { (l.t("Din kod", "Your code")) }
                    p class="hint" id="code-hint" { (l.t("Till exempel 7K3F-Q2TB", "For example 7K3F-Q2TB")) }
                    @if let Some(m) = message { p class="field-error" id="code-error" { (m) } }
                    input type="text" id="code" name="code" class="input-short" autocomplete="off" autocapitalize="characters" spellcheck="false" value=(typed)
                        aria-describedby={ "code-hint" @if message.is_some() { " code-error" } } aria-invalid=[message.map(|_| "true")];
                }
                button type="submit" class="button" { (l.t("Fortsätt", "Continue")) }
            }
        },
    )
}

fn contact_line(s: &LoadedSurvey, lang: &str) -> Markup {
    let l = chrome(lang);
    let contact = tx(&s.options.contact, lang, &s.survey);
    html! {
        @if contact.is_empty() {
            p { (l.t(
                "Om det inte var du som svarade, ring stadens kontaktcenter så hjälper vi dig.",
                "If you did not answer it yourself, call the city's contact centre and we will help you."
            )) }
        } @else {
            p { (l.t("Om det inte var du som svarade, kontakta oss:", "If you did not answer it yourself, contact us:")) " " (contact) }
        }
    }
}

/// An access code that was already used to answer (HTTP 409); nothing was stored.
pub fn code_used(s: &LoadedSurvey, lang: &str) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell(
        lang,
        l.t("Koden har redan använts", "The code has already been used"),
        Some(s),
        None,
        html! {
            p class="survey-title" { (title) }
            h1 { (l.t("Koden har redan använts", "The code has already been used")) }
            p class="lead" { (l.t(
                "Den här koden har redan använts för att svara – tack för det! Varje kod kan bara användas en gång.",
                "This code has already been used to answer – thank you! Each code can be used only once."
            )) }
            (contact_line(s, lang))
            p { a href="/" { (l.t("Till startsidan", "To the start page")) } }
        },
    )
}

/// A submission whose access code is not (or no longer) an invitation of this survey (HTTP
/// 403); nothing was stored.
pub fn code_unknown(s: &LoadedSurvey, lang: &str) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    shell(
        lang,
        l.t("Koden gäller inte", "The code is not valid"),
        Some(s),
        None,
        html! {
            p class="survey-title" { (title) }
            h1 { (l.t("Koden gäller inte", "The code is not valid")) }
            p class="lead" { (l.t(
                "Dina svar kunde inte tas emot, eftersom koden inte hör till den här undersökningen. Inget har sparats.",
                "Your answers could not be accepted because the code does not belong to this survey. Nothing was stored."
            )) }
            p { a href={ "/s/" (sv.key) } { (l.t("Ange koden igen", "Enter the code again")) } }
        },
    )
}

/// A full quota cell: the quota's own message, or a kind default (HTTP 403); nothing stored.
pub fn quota_full(s: &LoadedSurvey, lang: &str, quota: Option<&Quota>) -> Markup {
    let sv = &s.survey;
    let l = chrome(lang);
    let title = tx(&sv.title, lang, sv);
    let own = quota.map_or("", |q| tx(&q.message, lang, sv));
    shell(
        lang,
        title,
        Some(s),
        None,
        html! {
            h1 { (title) }
            @if own.is_empty() {
                p class="lead" { (l.t(
                    "Tack för att du ville svara! Vi har redan fått alla svar vi behöver från personer som du, så du behöver inte svara fler frågor.",
                    "Thank you for wanting to answer! We already have all the answers we need from people like you, so you do not need to answer more questions."
                )) }
            } @else {
                p class="lead" { (own) }
            }
            p { (l.t("Inga av dina svar har sparats.", "None of your answers were stored.")) }
            p { a href="/" { (l.t("Till startsidan", "To the start page")) } }
        },
    )
}
