//! The staff page for looking a response up by its receipt number, and erasing it when the
//! respondent asks (with a reason and a confirmation step).

use maud::{html, Markup};

use super::layout::{self, csrf_field};
use crate::domain::lang::Lang;
use crate::domain::local_time::{self, Zone};
use crate::domain::response::Mode;
use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::Survey;
use crate::use_cases::answering::{ReceiptLookup, StoredResponse};
use crate::web::forms::PageCtx;

/// What a lookup found.
pub enum Found {
    /// Not a receipt number at all.
    Invalid,
    /// No response has that number.
    Missing,
    /// The response was erased, at this local time.
    Erased(String),
    /// The response, its version's instrument, its answers and when it came in (local time).
    Response(Box<(StoredResponse, Survey, AnswerMap)>, String),
}

impl Found {
    /// The lookup's result, its times in `zone`.
    pub fn from_lookup(found: ReceiptLookup, zone: &Zone, lang: Lang) -> Found {
        match found {
            ReceiptLookup::Missing => Found::Missing,
            ReceiptLookup::Erased(at) => Found::Erased(local_time::display(at, zone, lang)),
            ReceiptLookup::Found(boxed) => {
                let at = local_time::display(boxed.0.submitted_at, zone, lang);
                Found::Response(boxed, at)
            }
        }
    }
}

/// An erasure being asked for: the receipt and the reason typed so far.
pub struct Erasure {
    /// The receipt number (canonical form).
    pub number: String,
    /// The reason as typed.
    pub reason: String,
}

/// The search form and the result.
pub fn page(ctx: &PageCtx, typed: &str, found: Option<Found>) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t(
            "Sök svar med kvittonummer",
            "Find a response by receipt number",
        ),
        html! {
            h1 { (l.t("Sök svar med kvittonummer", "Find a response by receipt number")) }
            p { (l.t(
                "När en svarande vill se eller radera sina svar anger hen kvittonumret. Du kan visa svaren och radera dem. Varje sökning och radering loggas.",
                "When a respondent asks to see or delete their answers they quote the receipt number. You can show the answers and erase them. Every lookup and erasure is logged."
            )) }
            form method="get" action="/staff/receipts" class="stack" {
                div class="field" {
                    label for="number" { (l.t("Kvittonummer", "Receipt number")) }
                    p class="hint" id="number-hint" { "INS-7K3F-Q2TB" }
                    input type="text" id="number" name="number" class="input-short" value=(typed) aria-describedby="number-hint" autocomplete="off";
                }
                button type="submit" class="button" { (l.t("Sök", "Search")) }
            }
            @match found {
                None => {}
                Some(Found::Invalid) => { p class="field-error" role="alert" { (l.t("Det är inte ett kvittonummer.", "That is not a receipt number.")) } }
                Some(Found::Missing) => { p role="status" { (l.t("Inget svar har det kvittonumret.", "No response has that receipt number.")) } }
                Some(Found::Erased(at)) => {
                    p class="notice" role="status" {
                        (l.t("Svaret med det kvittonumret raderades", "The response with that receipt number was erased on"))
                        " " (at) ". "
                        (l.t("Svaren finns inte längre kvar.", "The answers no longer exist."))
                    }
                }
                Some(Found::Response(boxed, at)) => {
                    @let (resp, survey, answers) = &*boxed;
                    h2 { (survey.title.get_or(ctx.lang.code(), &survey.default_language)) " – " (l.t("version", "version")) " " (survey.version) }
                    dl class="answers" {
                        dt { (l.t("Kvittonummer", "Receipt number")) } dd { (resp.receipt) }
                        dt { (l.t("Mottaget", "Received")) } dd { (at) }
                        dt { (l.t("Sätt", "Mode")) } dd { (mode_label(l, &resp.mode)) }
                        dt { (l.t("Språk", "Language")) } dd { (resp.language) }
                    }
                    (super::respond::answer_list(survey, answers, ctx.lang.code(), false))
                    (erase_form(ctx, &resp.receipt))
                }
            }
        },
    )
}

/// The first step of erasing: a required reason, then a confirmation page.
fn erase_form(ctx: &PageCtx, number: &str) -> Markup {
    let l = ctx.lang;
    html! {
        form method="post" action="/staff/receipts/erase" class="stack erase-form" {
            h2 { (l.t("Radera svaret", "Erase this response")) }
            p { (l.t(
                "Om den svarande ber att få sina svar raderade: skriv varför och hur begäran kom in. Svaren, ett sparat utkast och kvittot raderas för gott; skälet och vem som raderade sparas i händelseloggen.",
                "If the respondent asks for their answers to be erased: write why and how the request came in. The answers, any saved draft and the receipt are deleted for good; the reason and who erased it are kept in the audit log."
            )) }
            (csrf_field(&ctx.csrf))
            input type="hidden" name="number" value=(number);
            div class="field" {
                label for="reason" { (l.t("Skäl (krävs)", "Reason (required)")) }
                textarea id="reason" name="reason" rows="3" required maxlength="500" {}
            }
            button type="submit" class="button secondary" { (l.t("Radera svaret…", "Erase this response…")) }
        }
    }
}

/// The confirmation step (or the reason again, with `error`).
pub fn confirm(ctx: &PageCtx, e: &Erasure, error: Option<&str>) -> Markup {
    let l = ctx.lang;
    let title = l.t("Radera svaret?", "Erase the response?");
    layout::page(
        ctx,
        title,
        html! {
            h1 { (title) }
            form method="post" action="/staff/receipts/erase" class="stack erase-form" {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="number" value=(e.number);
                @if let Some(message) = error {
                    div class="field field-invalid" {
                        label for="reason" { (l.t("Skäl (krävs)", "Reason (required)")) }
                        p class="field-error" id="reason-error" role="alert" { (message) }
                        textarea id="reason" name="reason" rows="3" required maxlength="500" aria-describedby="reason-error" aria-invalid="true" { (e.reason) }
                    }
                    button type="submit" class="button secondary" { (l.t("Radera svaret…", "Erase this response…")) }
                } @else {
                    p { (l.t("Du håller på att radera svaret med kvittonummer", "You are about to erase the response with receipt number")) " " strong { (e.number) } "." }
                    p { (l.t(
                        "Det går inte att ångra. Svaren tas bort ur alla resultat.",
                        "This cannot be undone. The answers are removed from all results."
                    )) }
                    dl class="answers" {
                        dt { (l.t("Skäl", "Reason")) } dd { (e.reason) }
                    }
                    input type="hidden" name="reason" value=(e.reason);
                    input type="hidden" name="confirm" value="yes";
                    div class="nav-buttons" {
                        button type="submit" class="button" { (l.t("Ja, radera svaret", "Yes, erase the response")) }
                        a class="button secondary" href={ "/staff/receipts?number=" (e.number) } { (l.t("Avbryt", "Cancel")) }
                    }
                }
            }
        },
    )
}

/// How a response came in, in words ("webb", "telefon", "papper"); an unknown stored code is
/// shown as it is rather than hidden.
fn mode_label(l: Lang, stored: &str) -> &str {
    match Mode::parse(stored) {
        Some(Mode::Web) => l.t("webb", "web"),
        Some(Mode::Phone) => l.t("telefon", "phone"),
        Some(Mode::Paper) => l.t("papper", "paper"),
        None => stored,
    }
}
