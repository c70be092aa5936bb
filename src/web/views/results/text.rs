//! The open-text page: frequencies of words and phrases, then the answers, paged.

use maud::{html, Markup};

use super::responses::{filter_form, pager, title};
use crate::use_cases::results::browse::Filters;
use crate::use_cases::results::open_text::OpenText;
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;
use crate::web::views::layout;

fn freq_table(l: Lang, caption: &str, head: &str, rows: &[(String, usize)]) -> Markup {
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label=(caption) {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (head) }
                    th scope="col" class="num" { (l.t("Antal svar", "Answers")) }
                } }
                tbody {
                    @for (w, n) in rows { tr { td { (w) } td class="num" { (n) } } }
                }
            }
        }
    }
}

/// `GET /results/{key}/{version}/text/{question}`
pub fn page(ctx: &PageCtx, key: &str, version: u32, f: &Filters, t: &OpenText) -> Markup {
    let l = ctx.lang;
    let base = format!("/results/{key}/{version}/text/{}", t.question);
    let heading = t.label.get(l);
    layout::page(
        ctx,
        heading,
        html! {
            h1 { (heading) }
            p { (title(l, &t.survey)) }
            (filter_form(l, &base, f, &[]))
            p { (t.matching) " " (l.t("svar matchar urvalet.", "answers match.")) }
            p { (l.t("Vanliga ord (svenska och engelska stoppord borttagna; varje ord räknas en gång per svar).",
                "Common words (Swedish and English stop-words left out; each word counted once per answer).")) }
            div class="freq-grid" {
                (freq_table(l, l.t("Vanligaste orden", "Most common words"), l.t("Ord", "Word"), &t.words))
                (freq_table(l, l.t("Vanligaste fraserna", "Most common phrases"), l.t("Fras (två ord)", "Phrase (two words)"), &t.phrases))
            }
            h2 { (l.t("Svaren", "The answers")) }
            @if t.answers.is_empty() { p { (l.t("Inga svar.", "No answers.")) } }
            ol class="open-answers" {
                @for (_, text) in &t.answers { li { (text) } }
            }
            (pager(l, &base, f, t.page, t.pages))
        },
    )
}
