//! The staff page for looking a response up by its receipt number.

use maud::{html, Markup};

use super::layout;
use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::Survey;
use crate::use_cases::answering::StoredResponse;
use crate::web::forms::PageCtx;

/// What a lookup found.
pub enum Found {
    /// Not a receipt number at all.
    Invalid,
    /// No response has that number (or it was deleted).
    Missing,
    /// The response, its version's instrument and its answers.
    Response(Box<(StoredResponse, Survey, AnswerMap)>),
}

/// The search form and the result.
pub fn page(ctx: &PageCtx, typed: &str, found: Option<Found>) -> Markup {
    let l = ctx.lang;
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    layout::page(
        ctx,
        l.t(
            "Sök svar med kvittonummer",
            "Find a response by receipt number",
        ),
        html! {
            h1 { (l.t("Sök svar med kvittonummer", "Find a response by receipt number")) }
            p { (l.t(
                "När en svarande vill se eller radera sina svar anger hen kvittonumret. Varje sökning loggas.",
                "When a respondent asks to see or delete their answers they quote the receipt number. Every lookup is logged."
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
                Some(Found::Response(boxed)) => {
                    @let (resp, survey, answers) = &*boxed;
                    h2 { (survey.title.get_or(ctx.lang.code(), &survey.default_language)) " – " (l.t("version", "version")) " " (survey.version) }
                    dl class="answers" {
                        dt { (l.t("Kvittonummer", "Receipt number")) } dd { (resp.receipt) }
                        dt { (l.t("Mottaget (UTC)", "Received (UTC)")) } dd { (resp.submitted_at.format(&fmt).unwrap_or_default()) }
                        dt { (l.t("Sätt", "Mode")) } dd { (resp.mode) }
                        dt { (l.t("Språk", "Language")) } dd { (resp.language) }
                    }
                    (super::respond::answer_list(survey, answers, ctx.lang.code(), false))
                }
            }
        },
    )
}
