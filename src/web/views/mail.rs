//! The staff e-mail page of a survey's fieldwork (send buttons, delivery status, failures,
//! returned-mail form) and the public, bilingual opt-out pages.

use maud::{html, Markup};

use super::layout::{self, csrf_field, error_summary};
use crate::domain::lang::Msg;
use crate::use_cases::mail::{
    mask_address, status, BounceReport, DeliveryKind, KindCounts, Summary,
};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// What the mail page shows.
pub struct MailPage {
    /// Survey key.
    pub key: String,
    /// Title in the page language.
    pub title: String,
    /// Whether an SMTP server is configured.
    pub sending_enabled: bool,
    /// Counts and problems.
    pub summary: Summary,
}

/// The result of the last action, shown at the top.
pub enum Flash {
    /// Nothing.
    None,
    /// Messages were queued.
    Queued {
        /// Which.
        kind: DeliveryKind,
        /// How many.
        count: usize,
    },
    /// Returned mail was recorded.
    Bounces(BounceReport),
    /// The returned-mail form had no addresses (422).
    NoAddresses,
}

fn kind_label(l: Lang, kind: DeliveryKind) -> &'static str {
    match kind {
        DeliveryKind::Invitation => l.t("Inbjudan", "Invitation"),
        DeliveryKind::Reminder1 => l.t("Påminnelse 1", "Reminder 1"),
        DeliveryKind::Reminder2 => l.t("Påminnelse 2", "Reminder 2"),
    }
}

fn button_label(l: Lang, kind: DeliveryKind) -> &'static str {
    match kind {
        DeliveryKind::Invitation => l.t("Skicka inbjudningar", "Send invitations"),
        DeliveryKind::Reminder1 => l.t("Skicka påminnelse 1", "Send reminder 1"),
        DeliveryKind::Reminder2 => l.t("Skicka påminnelse 2", "Send reminder 2"),
    }
}

fn status_label(l: Lang, s: &str) -> &'static str {
    match s {
        status::QUEUED => l.t("Väntar på nytt försök", "Waiting to retry"),
        status::FAILED => l.t("Misslyckades", "Failed"),
        status::BOUNCED => l.t("Studsade", "Bounced"),
        status::SENT => l.t("Skickat", "Sent"),
        _ => l.t("Hoppades över", "Skipped"),
    }
}

/// `/fieldwork/{key}/mail`
pub fn page(ctx: &PageCtx, p: &MailPage, flash: &Flash) -> Markup {
    let l = ctx.lang;
    let heading = l.t("E-post till urvalet", "E-mail to the sample");
    let errors = match flash {
        Flash::NoAddresses => vec![(
            "addresses",
            l.t(
                "Skriv minst en e-postadress (en per rad) som kom tillbaka.",
                "Enter at least one e-mail address (one per line) that came back.",
            )
            .to_owned(),
        )],
        _ => vec![],
    };
    layout::page(
        ctx,
        heading,
        html! {
            p class="survey-title" { (p.title) }
            h1 { (heading) }
            p { a href={ "/fieldwork/" (p.key) } { (l.t("Till fältarbetet", "Back to fieldwork")) } }
            (error_summary(l, &errors))
            (flash_notice(l, flash))
            @if !p.sending_enabled {
                div class="note" role="status" {
                    p { strong { (l.t("Utskick är avstängt.", "Sending is switched off.")) } " "
                        (l.t("Ingen SMTP-server är inställd (INSIKT_SMTP_URL). Det du lägger i kö skickas när en server har ställts in – inget går förlorat.",
                             "No SMTP server is configured (INSIKT_SMTP_URL). What you queue is sent once a server is configured – nothing is lost.")) }
                }
            }
            (counts_table(l, p))
            h2 { (l.t("Skicka", "Send")) }
            p class="hint" { (l.t(
                "Påminnelser går bara till dem som fått föregående brev och varken har svarat, avregistrerat sig eller studsat.",
                "Reminders go only to people who were sent the previous message and have not answered, opted out or bounced.")) }
            div class="designer-buttons" {
                @for kind in DeliveryKind::ALL {
                    form method="post" action={ "/fieldwork/" (p.key) "/mail/send/" (kind.as_str()) } class="inline-form" {
                        (csrf_field(&ctx.csrf))
                        button type="submit" class="button" { (button_label(l, kind)) }
                    }
                }
            }
            (problems(ctx, p))
            h2 id="returned" { (l.t("Brev som kommit tillbaka", "Returned mail")) }
            form method="post" action={ "/fieldwork/" (p.key) "/mail/bounces" } class="stack" {
                (csrf_field(&ctx.csrf))
                div class={ "field" @if !errors.is_empty() { " has-error" } } {
                    label for="addresses" { (l.t("E-postadresser som studsat", "E-mail addresses that bounced")) }
                    p class="hint" id="addresses-hint" { (l.t("En per rad. De markeras som studsade och får inga fler brev.",
                        "One per line. They are marked bounced and get no more messages.")) }
                    textarea id="addresses" name="addresses" rows="5" aria-describedby="addresses-hint" {}
                }
                button type="submit" class="button secondary" { (l.t("Markera som studsade", "Mark as bounced")) }
            }
        },
    )
}

fn flash_notice(l: Lang, flash: &Flash) -> Markup {
    html! {
        @match flash {
            Flash::Queued { kind, count } => div class="notice" role="status" {
                p { (kind_label(l, *kind)) ": " (count) " " (l.t("meddelanden lades i kö.", "messages were queued.")) }
            },
            Flash::Bounces(report) => div class="notice" role="status" {
                p { (report.marked) " " (l.t("inbjudningar markerades som studsade.", "invitations were marked bounced.")) }
                @if !report.unknown.is_empty() {
                    p { (l.t("Dessa adresser finns inte bland enkätens inbjudningar och ändrades inte:",
                             "These addresses are not among the survey's invitations and were not changed:")) }
                    ul { @for a in &report.unknown { li { (a) } } }
                }
            },
            _ => {}
        }
    }
}

fn counts_table(l: Lang, p: &MailPage) -> Markup {
    let s = &p.summary;
    html! {
        p {
            (l.t("Inbjudningar med e-postadress:", "Invitations with an e-mail address:")) " " strong { (s.with_email) } ". "
            (l.t("Svarat:", "Answered:")) " " (s.completed) ". "
            (l.t("Avregistrerade:", "Opted out:")) " " (s.opted_out) ". "
            (l.t("Studsade:", "Bounced:")) " " (s.bounced) "."
        }
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Utskick", "Messages")) {
            table {
                caption { (l.t("Utskick per meddelande", "Messages by kind")) }
                thead { tr {
                    th scope="col" { (l.t("Meddelande", "Message")) }
                    th scope="col" { (l.t("I kö", "Queued")) }
                    th scope="col" { (l.t("Skickade", "Sent")) }
                    th scope="col" { (l.t("Misslyckade", "Failed")) }
                    th scope="col" { (l.t("Studsade", "Bounced")) }
                    th scope="col" { (l.t("Hoppades över", "Skipped")) }
                } }
                tbody {
                    @for (kind, c) in &s.kinds {
                        (count_row(l, *kind, c))
                    }
                }
            }
        }
    }
}

fn count_row(l: Lang, kind: DeliveryKind, c: &KindCounts) -> Markup {
    html! {
        tr {
            th scope="row" { (kind_label(l, kind)) }
            td { (c.queued) }
            td { (c.sent) }
            td { (c.failed) }
            td { (c.bounced) }
            td { (c.skipped) }
        }
    }
}

fn problems(ctx: &PageCtx, p: &MailPage) -> Markup {
    let l = ctx.lang;
    let rows = &p.summary.problems;
    html! {
        h2 id="problems" { (l.t("Problem med utskick", "Delivery problems")) }
        @if rows.is_empty() {
            p { (l.t("Inga misslyckade eller studsade utskick.", "No failed or bounced messages.")) }
        } @else {
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Problem med utskick", "Delivery problems")) {
                table {
                    caption class="visually-hidden" { (l.t("De senaste 50 problemen", "The latest 50 problems")) }
                    thead { tr {
                        th scope="col" { (l.t("Mottagare", "Recipient")) }
                        th scope="col" { (l.t("Meddelande", "Message")) }
                        th scope="col" { (l.t("Status", "Status")) }
                        th scope="col" { (l.t("Försök", "Attempts")) }
                        th scope="col" { (l.t("Nästa försök (UTC)", "Next attempt (UTC)")) }
                        th scope="col" { (l.t("Senaste fel", "Last error")) }
                    } }
                    tbody {
                        @for r in rows {
                            tr {
                                td { (r.email.as_deref().map(mask_address).unwrap_or_default()) }
                                td { (kind_label(l, r.kind)) }
                                td { (status_label(l, &r.status)) }
                                td { (r.attempts) }
                                td { @if r.status == status::QUEUED { (crate::domain::local_time::display_short(r.next_attempt_at, &ctx.zone)) } }
                                td class="error-detail" { (r.last_error.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the opt-out pages show.
pub struct OptOutPage {
    /// The token (for the form's action).
    pub token: String,
    /// The survey title in Swedish and English (the page shows both).
    pub title: Msg,
    /// Already opted out (or just now).
    pub done: bool,
}

/// `GET /optout/{token}` (a form; nothing changes) and the page after `POST`.
pub fn opt_out(ctx: &PageCtx, p: &OptOutPage) -> Markup {
    let heading = "Avregistrera e-post / Opt out of e-mail";
    layout::page(
        ctx,
        heading,
        html! {
            h1 { "Avregistrera e-post" span lang="en" { " / Opt out of e-mail" } }
            @if p.done {
                div class="notice" role="status" {
                    p { "Klart. Du får inga fler e-brev om enkäten ”" (p.title.sv) "”." }
                    p lang="en" { "Done. You will get no more e-mail about the survey \"" (p.title.en) "\"." }
                }
                p { "Du kan fortfarande svara med länken i brevet om du ändrar dig." }
                p lang="en" { "You can still answer with the link in the message if you change your mind." }
            } @else {
                p { "Vill du inte få fler e-brev (påminnelser) om enkäten ”" (p.title.sv) "”?" }
                p lang="en" { "Do you want no more e-mail (reminders) about the survey \"" (p.title.en) "\"?" }
                form method="post" action={ "/optout/" (p.token) } {
                    (csrf_field(&ctx.csrf))
                    button type="submit" class="button" {
                        "Ja, avregistrera mig" span lang="en" { " / Yes, opt me out" }
                    }
                }
            }
        },
    )
}

/// A link that is wrong or damaged: a kind 404 in both languages.
pub fn opt_out_not_found(ctx: &PageCtx) -> Markup {
    layout::page(
        ctx,
        "Länken fungerar inte / The link does not work",
        html! {
            h1 { "Länken fungerar inte" span lang="en" { " / The link does not work" } }
            p { "Länken för att avregistrera sig är inte hel. Kopiera hela länken från e-brevet, eller kontakta oss med uppgifterna i brevet så hjälper vi dig." }
            p lang="en" { "The opt-out link is incomplete. Copy the whole link from the e-mail, or contact us using the details in the message and we will help you." }
        },
    )
}
