//! The response browser's pages, and the filter form and number formats the other analyses
//! pages share.

use maud::{html, Markup};

use crate::domain::lang::Msg;
use crate::domain::response::Mode;
use crate::use_cases::results::browse::{Filters, ResponseList, ShownResponse};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;
use crate::web::views::layout::{self, csrf_field};

/// A share (0–1) as a percentage with one decimal in the language's format.
pub fn pct(l: Lang, p: f64) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    let s = format!("{:.1}", 100.0 * p);
    match l {
        Lang::Sv => format!("{} %", s.replace('.', ",")),
        Lang::En => format!("{s}%"),
    }
}

/// A number with `d` decimals in the language's format.
pub fn num(l: Lang, x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{x:.d$}");
    match l {
        Lang::Sv => s.replace('.', ",").replace('-', "−"),
        Lang::En => s,
    }
}

/// A p-value ("< 0.001" below a thousandth).
pub fn pval(l: Lang, p: f64) -> String {
    if p < 0.001 {
        format!("< {}", num(l, 0.001, 3))
    } else {
        num(l, p, 3)
    }
}

fn mode_label(l: Lang, m: &str) -> String {
    match Mode::parse(m) {
        Some(Mode::Web) => l.t("Webb", "Web").into(),
        Some(Mode::Phone) => l.t("Telefon", "Phone").into(),
        Some(Mode::Paper) => l.t("Papper", "Paper").into(),
        None => m.to_owned(),
    }
}

/// A survey version's title line.
pub fn title(l: Lang, survey: &crate::domain::survey::Survey) -> String {
    format!(
        "{} ({} {})",
        survey.title.get_or(l.code(), "sv"),
        l.t("version", "version"),
        survey.version
    )
}

/// The GET filter form (mode, dates, stratum), keeping `hidden` fields (e.g. the cross-tab's
/// questions). Plain form controls: usable by keyboard and without JavaScript.
pub fn filter_form(l: Lang, action: &str, f: &Filters, hidden: &[(&str, &str)]) -> Markup {
    let mode = f.mode.map(|m| m.as_str()).unwrap_or("");
    html! {
        form method="get" action=(action) class="filters" {
            @for (name, value) in hidden { input type="hidden" name=(name) value=(value); }
            fieldset {
                legend { (l.t("Urval av svar", "Which responses")) }
                div class="field" {
                    label for="f-mode" { (l.t("Svarssätt", "Mode")) }
                    select id="f-mode" name="mode" {
                        option value="" selected[mode.is_empty()] { (l.t("Alla", "All")) }
                        @for m in ["web", "phone", "paper"] {
                            option value=(m) selected[mode == m] { (mode_label(l, m)) }
                        }
                    }
                }
                div class="field" {
                    label for="f-from" { (l.t("Från och med (ÅÅÅÅ-MM-DD)", "From (YYYY-MM-DD)")) }
                    input id="f-from" name="from" type="date"
                        value=(f.from.map(|d| d.to_string()).unwrap_or_default());
                }
                div class="field" {
                    label for="f-to" { (l.t("Till och med (ÅÅÅÅ-MM-DD)", "To (YYYY-MM-DD)")) }
                    input id="f-to" name="to" type="date"
                        value=(f.to.map(|d| d.to_string()).unwrap_or_default());
                }
                div class="field" {
                    label for="f-stratum" { (l.t("Stratum", "Stratum")) }
                    input id="f-stratum" name="stratum" type="text"
                        value=(f.stratum.clone().unwrap_or_default());
                }
                button type="submit" { (l.t("Visa", "Show")) }
            }
        }
    }
}

/// Links to page `page` of `pages`, keeping the filters.
pub fn pager(l: Lang, base: &str, f: &Filters, page: usize, pages: usize) -> Markup {
    let link = |p: usize| {
        let mut q = f.query_pairs();
        q.push(("page", p.to_string()));
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    html! {
        @if pages > 1 {
            nav aria-label=(l.t("Sidor", "Pages")) class="pager" {
                @if page > 1 { a href=(link(page - 1)) rel="prev" { (l.t("Föregående", "Previous")) } " " }
                span { (l.t("Sida", "Page")) " " (page) " " (l.t("av", "of")) " " (pages) }
                @if page < pages { " " a href=(link(page + 1)) rel="next" { (l.t("Nästa", "Next")) } }
            }
        }
    }
}

/// `GET /results/{key}/{version}/responses`
pub fn list(ctx: &PageCtx, key: &str, version: u32, f: &Filters, r: &ResponseList) -> Markup {
    let l = ctx.lang;
    let base = format!("/results/{key}/{version}/responses");
    let heading = l.t("Svar", "Responses");
    layout::page(
        ctx,
        heading,
        html! {
            h1 { (heading) }
            p { (title(l, &r.survey)) }
            @if r.anonymous {
                p class="notice" { (l.t("Anonym enkät: inga uppgifter om inbjudningar visas.",
                    "Anonymous survey: no invitation data is shown.")) }
            }
            (filter_form(l, &base, f, &[]))
            p {
                (r.matching) " " (l.t("svar matchar urvalet", "responses match")) "; "
                (r.excluded) " " (l.t("av versionens svar är undantagna från resultaten",
                    "of the version's responses are excluded from results")) "."
            }
            div class="table-scroll" tabindex="0" role="region" aria-label=(heading) {
                table {
                    caption { (heading) }
                    thead { tr {
                        th scope="col" { (l.t("Svar", "Response")) }
                        th scope="col" { (l.t("Inskickat (UTC)", "Submitted (UTC)")) }
                        th scope="col" { (l.t("Svarssätt", "Mode")) }
                        th scope="col" { (l.t("Stratum", "Stratum")) }
                        th scope="col" { (l.t("I resultaten", "In results")) }
                    } }
                    tbody {
                        @for row in &r.rows {
                            tr {
                                td { a href=(format!("{base}/{}", row.id)) { (short(&row.id)) } }
                                td { (when(row.submitted_at)) }
                                td { (mode_label(l, &row.mode)) }
                                td { (row.stratum.as_deref().unwrap_or("–")) }
                                td { @match &row.excluded {
                                    None => (l.t("Ja", "Yes")),
                                    Some(reason) => { strong { (l.t("Undantaget", "Excluded")) } ": " (reason) }
                                } }
                            }
                        }
                    }
                }
            }
            (pager(l, &base, f, r.page, r.pages))
        },
    )
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

fn when(t: time::PrimitiveDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(&fmt).unwrap_or_default()
}

/// `GET /results/{key}/{version}/responses/{id}`
pub fn show(ctx: &PageCtx, key: &str, version: u32, r: &ShownResponse) -> Markup {
    let l = ctx.lang;
    let heading = format!("{} {}", l.t("Svar", "Response"), short(&r.meta.id));
    let may_exclude = ctx.user.as_ref().is_some_and(|u| {
        matches!(
            u.role,
            crate::domain::user::Role::Admin | crate::domain::user::Role::Researcher
        )
    });
    let action = format!("/results/{key}/{version}/responses/{}", r.meta.id);
    layout::page(
        ctx,
        &heading,
        html! {
            h1 { (heading) }
            p { a href=(format!("/results/{key}/{version}/responses")) { (l.t("Alla svar", "All responses")) } }
            p { (title(l, &r.survey)) }
            dl {
                dt { (l.t("Inskickat (UTC)", "Submitted (UTC)")) } dd { (when(r.meta.submitted_at)) }
                dt { (l.t("Svarssätt", "Mode")) } dd { (mode_label(l, &r.meta.mode)) }
                dt { (l.t("Språk", "Language")) } dd { (r.language) }
                dt { (l.t("Stratum", "Stratum")) } dd { (r.meta.stratum.as_deref().unwrap_or("–")) }
                dt { (l.t("Designvikt", "Design weight")) }
                dd { (r.design_weight.map(|w| num(l, w, 3)).unwrap_or_else(|| "–".into())) }
                @if let Some(inv) = &r.invitation {
                    dt { (l.t("Inbjudan", "Invitation")) } dd { (inv.id) }
                    @if let Some(u) = &inv.unit_ref { dt { (l.t("Enhet i ramen", "Frame unit")) } dd { (u) } }
                }
                dt { (l.t("I resultaten", "In results")) }
                dd { @match &r.meta.excluded {
                    None => (l.t("Ja", "Yes")),
                    Some(reason) => { strong { (l.t("Nej, undantaget", "No, excluded")) } ": " (reason) }
                } }
            }
            @if r.anonymous {
                p class="notice" { (l.t("Anonym enkät: inga uppgifter om inbjudningar visas.",
                    "Anonymous survey: no invitation data is shown.")) }
            }
            h2 { (l.t("Svar", "Answers")) }
            @if r.answers.is_empty() { p { (l.t("Inga besvarade frågor.", "No questions answered.")) } }
            dl class="answers" {
                @for a in &r.answers {
                    dt { (a.question.get(l)) } dd { (a.answer.get(l)) }
                }
            }
            @if may_exclude {
                h2 { (l.t("Undanta från resultaten", "Exclude from results")) }
                @if r.meta.excluded.is_none() {
                    form method="post" action=(format!("{action}/exclude")) {
                        (csrf_field(&ctx.csrf))
                        div class="field" {
                            label for="reason" { (l.t("Skäl (krävs), t.ex. testsvar eller dubblett",
                                "Reason (required), e.g. test answer or duplicate")) }
                            input id="reason" name="reason" type="text" required maxlength="500";
                        }
                        button type="submit" { (l.t("Undanta svaret", "Exclude this response")) }
                    }
                } @else {
                    form method="post" action=(format!("{action}/include")) {
                        (csrf_field(&ctx.csrf))
                        button type="submit" { (l.t("Ta med svaret igen", "Include this response again")) }
                    }
                }
            }
        },
    )
}

/// A bilingual message in the page language (helper for the other analyses views).
pub fn say(l: Lang, m: &Msg) -> String {
    m.get(l).to_owned()
}

/// Links from a version's results page to its analyses pages: the response browser, the
/// cross-tab builder, open text per free-text question, the trend per single or multiple choice,
/// and the design-weighted analysis dataset.
pub fn analyses_nav(
    l: Lang,
    key: &str,
    version: u32,
    survey: &crate::domain::survey::Survey,
    query: &str,
) -> Markup {
    // The cross-tab, dataset and trend follow the page's weighting and filters: carry them.
    let carry = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    use crate::domain::survey::QuestionKind;
    let texts = crate::use_cases::results::open_text::text_questions(survey);
    let choices: Vec<_> = survey
        .questions()
        .filter(|q| {
            matches!(
                q.kind,
                QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. }
            )
        })
        .collect();
    html! {
        nav aria-label=(l.t("Analyser", "Analyses")) class="analyses-nav" {
            ul {
                li { a href=(format!("/results/{key}/{version}/responses")) { (l.t("Bläddra bland svaren", "Browse the responses")) } }
                li { a href=(format!("/results/{key}/{version}/crosstab{carry}")) { (l.t("Korstabell", "Cross-tab")) } }
                li { a href=(format!("/results/{key}/{version}/dataset.csv{carry}")) { (l.t("Analysdata med sidans vikter (CSV)", "Analysis dataset with the page's weights (CSV)")) } }
            }
            @if !texts.is_empty() {
                details {
                    summary { (l.t("Fritextsvar", "Open text answers")) }
                    ul { @for (k, label) in &texts { li { a href=(format!("/results/{key}/{version}/text/{k}")) { (label.get(l)) } } } }
                }
            }
            @if !choices.is_empty() {
                details {
                    summary { (l.t("Trender över versioner", "Trends across versions")) }
                    ul { @for q in &choices { li { a href=(format!("/results/{key}/trend/{}{carry}", q.key)) { (crate::domain::survey::placeholders::readable(survey, q.label.get_or(l.code(), &survey.default_language), l)) } } } }
                }
            }
        }
    }
}
