//! The public start page and the staff overview.

use maud::{html, Markup};

use super::layout::{self, csrf_field};
use crate::domain::lang::Lang;
use crate::domain::local_time::{self, Zone};
use crate::domain::survey::{Text, VersionStatus};
use crate::use_cases::answering::SurveySummary;
use crate::use_cases::questionnaires::StaffSurvey;
use crate::web::forms::PageCtx;

/// A survey on the public start page.
pub struct OpenSurvey {
    /// Key for the link.
    pub key: String,
    /// Title in every language.
    pub title: Text,
    /// Who it is for.
    pub audience: Text,
    /// Minutes to answer.
    pub minutes: Option<u32>,
    /// Closing date, in local time.
    pub closes: Option<String>,
    /// The survey's default language.
    pub default_language: String,
    /// Other ways to answer (phone, letter): the survey's configured contact.
    pub contact: Text,
}

impl OpenSurvey {
    /// A summary as the start page shows it, its closing date in `zone`.
    pub fn new(s: SurveySummary, zone: &Zone, lang: Lang) -> Self {
        OpenSurvey {
            key: s.survey.key,
            title: s.latest.survey.title.clone(),
            audience: s.survey.options.audience,
            minutes: s.survey.options.minutes,
            closes: s
                .survey
                .options
                .closes_at
                // The last day one can answer: a survey closing at local midnight closes
                // at the end of the day before.
                .map(|t| local_time::display_date(t - time::Duration::SECOND, zone, lang)),
            default_language: s.latest.survey.default_language,
            contact: s.survey.options.contact,
        }
    }
}

/// Public start page.
pub fn start(ctx: &PageCtx, open: &[OpenSurvey]) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Välkommen", "Welcome"),
        html! {
            h1 { (l.t("Välkommen till Insikt", "Welcome to Insikt")) }
            p class="lead" { (l.t(
                "Här frågar staden invånare och företag vad de behöver innan nya e-tjänster byggs. Dina svar avgör vad som byggs först.",
                "Here the city asks residents and businesses what they need before new e-services are built. Your answers decide what is built first."
            )) }
            h2 { (l.t("Pågående undersökningar", "Open surveys")) }
            @if open.is_empty() {
                p { (l.t(
                    "Det finns inga öppna undersökningar just nu.",
                    "There are no open surveys right now."
                )) }
            } @else {
                ul class="survey-list" {
                    @for s in open {
                        @let code = l.code();
                        li class="survey-card" {
                            h3 { a href={ "/s/" (s.key) "?lang=" (code) } { (s.title.get_or(code, &s.default_language)) } }
                            @let aud = s.audience.get_or(code, &s.default_language);
                            @if !aud.is_empty() { p { strong { (l.t("För vem: ", "For whom: ")) } (aud) } }
                            @if let Some(m) = s.minutes { p { strong { (l.t("Tid: ", "Time: ")) } (l.t("cirka", "about")) " " (m) " " (l.t("minuter", "minutes")) } }
                            @if let Some(c) = &s.closes { p { strong { (l.t("Sista dag: ", "Closes: ")) } (c) } }
                        }
                    }
                }
            }
            h2 { (l.t("Har du fått ett brev med en kod?", "Did you get a letter with a code?")) }
            p { a href={ "/kod" @if l == Lang::En { "?lang=en" } } { (l.t("Ange din kod här", "Enter your access code here")) } }
            h2 { (l.t("Andra sätt att svara", "Other ways to answer")) }
            (other_ways(l, open))
        },
    )
}

/// How to answer by phone or letter: the open surveys' configured contacts (said once when
/// they agree, per survey when they differ). With none configured the page promises no number
/// it does not have and points to the accessibility statement, which names the contacts.
fn other_ways(l: Lang, open: &[OpenSurvey]) -> Markup {
    let code = l.code();
    let mut contacts: Vec<(&str, &str)> = Vec::new();
    for s in open {
        let c = s.contact.get_or(code, &s.default_language);
        if !c.is_empty() && !contacts.iter().any(|(_, seen)| *seen == c) {
            contacts.push((s.title.get_or(code, &s.default_language), c));
        }
    }
    html! {
        @match contacts.as_slice() {
            [] => p {
                (l.t("Du kan svara per telefon eller brev i stället. Hur du når oss står i ", "You can answer by phone or letter instead. How to reach us is in the "))
                a href="/tillganglighet" { (l.t("tillgänglighetsredogörelsen", "accessibility statement")) } "."
            },
            [(_, only)] => p { (only) },
            several => ul {
                @for (title, contact) in several { li { strong { (title) ": " } (contact) } }
            },
        }
    }
}

/// Which staff pages the signed-in role may open (decided by the handler from the access
/// policies).
pub struct StaffLinks {
    /// Accounts and the audit log.
    pub admin: bool,
    /// The designer.
    pub design: bool,
    /// Fieldwork pages and their progress.
    pub fieldwork: bool,
    /// The receipt lookup.
    pub receipts: bool,
    /// Phone and paper entry.
    pub interview: bool,
    /// The results pages.
    pub results: bool,
    /// The backlog's candidate areas (read; editing follows the designer policy).
    pub backlog: bool,
}

fn status_label(l: crate::web::i18n::Lang, s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Draft => l.t("utkast", "draft"),
        VersionStatus::Published => l.t("publicerad", "published"),
        VersionStatus::Closed => l.t("stängd", "closed"),
    }
}

/// What a logged-in staff member sees first: the pages the role may open and the surveys with
/// their versions, status and responses.
pub fn staff(ctx: &PageCtx, can: &StaffLinks, surveys: &[StaffSurvey]) -> Markup {
    let l = ctx.lang;
    let Some(user) = &ctx.user else {
        return start(ctx, &[]);
    };
    let links: Vec<(&str, &str)> = [
        (
            can.results,
            "/results",
            l.t("Resultat och analyser", "Results and analyses"),
        ),
        (
            can.backlog,
            "/backlog",
            l.t(
                "Prioriterad e-tjänstebacklogg",
                "Prioritised e-service backlog",
            ),
        ),
        (
            can.backlog,
            "/backlog/areas",
            l.t(
                "Kandidatområden för e-tjänster",
                "Candidate e-service areas",
            ),
        ),
        (
            can.design,
            "/designer",
            l.t(
                "Enkäter: skapa, redigera och publicera",
                "Surveys: create, edit and publish",
            ),
        ),
        (
            can.receipts,
            "/staff/receipts",
            l.t(
                "Sök svar med kvittonummer",
                "Find a response by receipt number",
            ),
        ),
        (
            can.interview,
            "/interview",
            l.t(
                "Registrera telefon- och pappersenkäter",
                "Enter phone and paper answers",
            ),
        ),
        (
            can.admin,
            "/admin/users",
            l.t("Användarkonton", "User accounts"),
        ),
        (can.admin, "/admin/audit", l.t("Händelselogg", "Audit log")),
    ]
    .into_iter()
    .filter(|(ok, _, _)| *ok)
    .map(|(_, href, text)| (href, text))
    .collect();
    layout::page(
        ctx,
        l.t("Översikt", "Overview"),
        html! {
            h1 { (l.t("Översikt", "Overview")) }
            p { (l.t("Inloggad som", "Logged in as")) " " strong { (user.display_name) } " (" (user.role.label(l)) ")." }
            h2 { (l.t("Det här kan du göra", "What you can do")) }
            ul class="staff-links" {
                @for (href, text) in &links {
                    li { a href=(href) { (text) } }
                }
            }
            @if !can.interview || can.design {
                h2 { (l.t("Enkäter", "Surveys")) }
                @if surveys.is_empty() {
                    p { (l.t("Det finns inga enkäter än.", "There are no surveys yet.")) }
                } @else {
                    div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Enkäter", "Surveys")) {
                        table class="staff-surveys" {
                            caption { (l.t("Enkäter, versioner och svar", "Surveys, versions and responses")) }
                            thead { tr {
                                th scope="col" { (l.t("Enkät", "Survey")) }
                                th scope="col" { (l.t("Versioner", "Versions")) }
                                th scope="col" class="num" { (l.t("Svar", "Responses")) }
                                @if can.fieldwork {
                                    th scope="col" class="num" { (l.t("Inbjudna", "Invited")) }
                                    th scope="col" class="num" { (l.t("Svarat av inbjudna", "Invited who answered")) }
                                }
                            } }
                            tbody {
                                @for s in surveys {
                                    tr {
                                        th scope="row" {
                                            (s.title.get_or(l.code(), "sv")) " "
                                            code { (s.key) }
                                        }
                                        td {
                                            @for (i, (n, status)) in s.versions.iter().enumerate() {
                                                @if i > 0 { ", " }
                                                @if can.design {
                                                    a href={ "/designer/" (s.key) "/" (n) } { "v" (n) " " (status_label(l, *status)) }
                                                } @else {
                                                    "v" (n) " " (status_label(l, *status))
                                                }
                                            }
                                        }
                                        td class="num" { (s.responses) }
                                        @if let Some(p) = s.progress.filter(|_| can.fieldwork) {
                                            td class="num" { a href={ "/fieldwork/" (s.key) } { (p.invited) } }
                                            td class="num" { (p.completed) }
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

/// The accessibility statement required of public-sector sites (Swedish DOS law, EU directive
/// 2016/2102), in the structure of the EU model statement.
pub fn accessibility(ctx: &PageCtx) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Tillgänglighetsredogörelse", "Accessibility statement"),
        html! {
            h1 { (l.t("Tillgänglighet för Insikt", "Accessibility of Insikt")) }
            p { (l.t(
                "Stockholms stad står bakom den här tjänsten. Vi vill att så många som möjligt ska kunna svara på stadens undersökningar. Den här redogörelsen beskriver hur Insikt uppfyller lagen (2018:1937) om tillgänglighet till digital offentlig service, kända brister och hur du kan rapportera problem.",
                "The City of Stockholm is responsible for this service. We want as many people as possible to be able to answer the city's surveys. This statement describes how Insikt complies with the Swedish Act (2018:1937) on accessibility to digital public services, known shortcomings and how you can report problems."
            )) }
            h2 { (l.t("Hur tillgänglig är tjänsten?", "How accessible is the service?")) }
            p { (l.t(
                "Insikt är byggd för att uppfylla WCAG 2.1 på nivå AA. Alla sidor fungerar utan JavaScript, med enbart tangentbord, med skärmläsare och på skärmar som är 320 pixlar breda. Varje sidtyp testas automatiskt med axe-core i en riktig webbläsare.",
                "Insikt is built to meet WCAG 2.1 level AA. Every page works without JavaScript, with a keyboard alone, with screen readers and on screens 320 pixels wide. Every page type is tested automatically with axe-core in a real browser."
            )) }
            h2 { (l.t("Kända brister", "Known shortcomings")) }
            ul {
                li { (l.t(
                    "Frågornas texter skrivs av stadens utredare. Vi varnar när en text är svårläst (LIX över 50), men vi kan inte garantera att alla texter är lättlästa.",
                    "The question texts are written by the city's researchers. We warn when a text is hard to read (LIX above 50), but we cannot guarantee that every text is easy to read."
                )) }
                li { (l.t(
                    "Datumfält använder webbläsarens egen datumväljare, som fungerar olika bra med olika hjälpmedel. Du kan alltid skriva datumet som ÅÅÅÅ-MM-DD.",
                    "Date fields use the browser's own date picker, which works differently well with different assistive technologies. You can always type the date as YYYY-MM-DD."
                )) }
                li { (l.t(
                    "Undersökningarna finns på svenska och engelska. Lättläst svenska och teckenspråk finns inte ännu.",
                    "The surveys are available in Swedish and English. Easy-to-read Swedish and sign language are not available yet."
                )) }
            }
            h2 { (l.t("Rapportera brister", "Report a problem")) }
            p { (l.t(
                "Om du stöter på hinder, eller behöver innehållet i ett annat format, kontakta oss: e-post insikt@example.se, telefon 08-508 00 000. Du kan alltid svara per telefon eller brev i stället.",
                "If you meet a barrier, or need the content in another format, contact us: e-mail insikt@example.se, phone +46 8 508 00 000. You can always answer by phone or letter instead."
            )) }
            h2 { (l.t("Tillsyn", "Enforcement")) }
            p { (l.t(
                "Myndigheten för digital förvaltning (Digg) ansvarar för tillsynen över lagen om tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du kontakta Digg och påtala det: digg.se/tdosanmalan.",
                "The Agency for Digital Government (Digg) supervises the Act on accessibility to digital public services. If you are not satisfied with how we handle your feedback, you can contact Digg: digg.se/tdosanmalan."
            )) }
            h2 { (l.t("Hur vi testat", "How we tested")) }
            p { (l.t(
                "Varje sidtyp (varje frågetyp, felmeddelanden, granskningssidan, kvittot, stängd undersökning och fortsätt-sidan) granskas automatiskt med axe-core mot WCAG 2.1 A och AA vid varje ändring, och en hel enkät besvaras med enbart tangentbordet. Redogörelsen uppdaterades senast 2026-11-29.",
                "Every page type (each question type, error messages, the review page, the receipt, the closed survey and the resume page) is checked automatically with axe-core against WCAG 2.1 A and AA on every change, and a whole survey is answered with the keyboard alone. This statement was last updated on 2026-11-29."
            )) }
        },
    )
}

/// `/kod`: where someone holding a letter types its access code and is sent to the survey.
pub fn code_entry(ctx: &PageCtx, unknown: bool, typed: &str) -> Markup {
    let l = ctx.lang;
    let message = l.t(
        "Vi hittar ingen inbjudan med den koden. Kontrollera att du skrivit av den rätt.",
        "We cannot find an invitation with that code. Check that you copied it correctly.",
    );
    layout::page(
        ctx,
        l.t("Ange din kod", "Enter your access code"),
        html! {
            h1 { (l.t("Ange din kod", "Enter your access code")) }
            p { (l.t(
                "Har du fått en inbjudan med brev eller e-post? Skriv koden som står i den, så kommer du till rätt undersökning.",
                "Did you get an invitation by letter or e-mail? Type the code it gives, and you will get to the right survey."
            )) }
            @if unknown {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Något behöver rättas", "There is a problem")) }
                    ul { li { a href="#code" { (message) } } }
                }
            }
            form method="post" action="/kod" class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                div class={ "field" @if unknown { " has-error" } } {
                    label for="code" { (l.t("Din kod", "Your code")) }
                    p class="hint" id="code-hint" { (l.t("Till exempel 7K3F-Q2TB", "For example 7K3F-Q2TB")) }
                    @if unknown { p class="field-error" id="code-error" { (message) } }
                    input type="text" id="code" name="code" class="input-short" autocomplete="off" autocapitalize="characters" spellcheck="false" value=(typed)
                        aria-describedby={ "code-hint" @if unknown { " code-error" } } aria-invalid=[unknown.then_some("true")];
                }
                button type="submit" class="button" { (l.t("Fortsätt", "Continue")) }
            }
            p { (l.t(
                "Hittar du inte koden, eller vill du hellre svara per telefon? Ring stadens kontaktcenter så hjälper vi dig.",
                "Cannot find the code, or would you rather answer by phone? Call the city's contact centre and we will help you."
            )) }
        },
    )
}
