//! The backlog's candidate-area pages: the list, the new/edit form, an area's page (figures,
//! status history, status change, linked questions with add and remove forms) and the catalogue
//! import/export page. Forms work without JavaScript; errors are summarised at the top.

use maud::{html, Markup};

use super::layout::{self, csrf_field, error_summary};
use crate::domain::backlog::{AreaInput, Channel, LinkRole, Status, TargetGroup};
use crate::domain::lang::Msg;
use crate::domain::local_time::display_short;
use crate::use_cases::backlog::catalogue::ImportReport;
use crate::use_cases::backlog::{AreaPage, AreaSummary, StoredArea};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A whole number with thin groups of three ("1 500 000").
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    out
}

fn decimal(x: f64, l: Lang) -> String {
    let s = crate::domain::expr::format_number(x);
    match l {
        Lang::Sv => s.replace('.', ","),
        Lang::En => s,
    }
}

fn breadcrumb(l: Lang) -> Markup {
    html! {
        p class="breadcrumb" {
            a href="/staff" { (l.t("Översikt", "Overview")) } " › "
            a href="/backlog/areas" { (l.t("Kandidatområden", "Candidate areas")) }
        }
    }
}

/// `/backlog/areas`: every area with status, target group, volume and costs.
pub fn list(ctx: &PageCtx, areas: &[AreaSummary], can_edit: bool) -> Markup {
    let l = ctx.lang;
    let title = l.t(
        "Kandidatområden för e-tjänster",
        "Candidate e-service areas",
    );
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" { a href="/staff" { (l.t("Översikt", "Overview")) } }
            h1 { (title) }
            p { (l.t(
                "Ärendeområden som kan bli e-tjänster, med dagens volymer, kanaler och kostnader, och de enkätfrågor som mäter behovet.",
                "Errand areas that could become e-services, with today's volumes, channels and costs, and the survey questions that measure the need."
            )) }
            ul class="staff-links" {
                @if can_edit {
                    li { a href="/backlog/new" { (l.t("Nytt område", "New area")) } }
                }
                li { a href="/backlog" { (l.t("Den prioriterade backloggen", "The prioritised backlog")) } }
                li { a href="/backlog/catalogue" { (l.t("Importera och exportera katalogen (CSV, XLSX)", "Import and export the catalogue (CSV, XLSX)")) } }
                li { a href="/backlog/followup" { (l.t("Nyttohemtagning: förutsagt mot utfall för lanserade e-tjänster", "Benefits follow-up: predicted against realised for launched e-services")) } }
            }
            @if areas.is_empty() {
                p { (l.t("Inga områden än.", "No areas yet.")) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(title) {
                    table {
                        caption { (l.t("Områden, status och kostnader", "Areas, status and costs")) }
                        thead { tr {
                            th scope="col" { (l.t("Område", "Area")) }
                            th scope="col" { (l.t("Status", "Status")) }
                            th scope="col" { (l.t("Målgrupp", "Target group")) }
                            th scope="col" { (l.t("Förvaltning", "Administration")) }
                            th scope="col" class="num" { (l.t("Ärenden per år", "Errands per year")) }
                            th scope="col" class="num" { (l.t("Utvecklingskostnad (kr)", "Development cost (SEK)")) }
                            th scope="col" class="num" { (l.t("Driftkostnad per år (kr)", "Running cost per year (SEK)")) }
                            th scope="col" class="num" { (l.t("Kopplade frågor", "Linked questions")) }
                        } }
                        tbody {
                            @for a in areas {
                                @let s = &a.stored;
                                tr {
                                    th scope="row" { a href={ "/backlog/areas/" (s.area.key) } { (name(l, s)) } }
                                    td { (l.pick(&s.status.label())) }
                                    td { (l.pick(&s.area.target_group.label())) }
                                    td { (s.area.administration) }
                                    td class="num" { (grouped(s.area.yearly_volume)) }
                                    td class="num" { (grouped(s.area.development_cost)) }
                                    td class="num" { (grouped(s.area.running_cost)) }
                                    td class="num" { (a.links) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn name(l: Lang, s: &StoredArea) -> &str {
    match l {
        Lang::Sv => &s.area.name_sv,
        Lang::En => &s.area.name_en,
    }
}

/// Field errors as (field, text) for the summary and the fields.
pub type Errors = Vec<(&'static str, String)>;

fn field_error<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}

fn input(
    name: &str,
    label: &str,
    value: &str,
    errors: &Errors,
    kind: &str,
    hint: Option<&str>,
) -> Markup {
    let error = field_error(errors, name);
    let mut described = Vec::new();
    if hint.is_some() {
        described.push(format!("{name}-hint"));
    }
    if error.is_some() {
        described.push(format!("{name}-error"));
    }
    let described = described.join(" ");
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(name) { (label) }
            @if let Some(h) = hint { p id={ (name) "-hint" } class="hint" { (h) } }
            @if let Some(m) = error { p id={ (name) "-error" } class="field-error" { (m) } }
            input id=(name) name=(name) type=(kind) value=(value)
                inputmode=[(kind == "text" && (name.starts_with("share_") || name.starts_with("minutes_") || name.ends_with("_sek") || name == "yearly_volume")).then_some("decimal")]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
        }
    }
}

fn textarea(name: &str, label: &str, value: &str, errors: &Errors) -> Markup {
    let error = field_error(errors, name);
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(name) { (label) }
            @if let Some(m) = error { p id={ (name) "-error" } class="field-error" { (m) } }
            textarea id=(name) name=(name) rows="3"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{name}-error"))] { (value) }
        }
    }
}

/// The new-area form (`key` editable) or the edit form of area `editing` (key fixed).
pub fn form(
    ctx: &PageCtx,
    i: &AreaInput,
    editing: Option<&str>,
    errors: &Errors,
    problem: Option<&Msg>,
) -> Markup {
    let l = ctx.lang;
    let title = match editing {
        None => l.t("Nytt område", "New area").to_owned(),
        Some(_) => format!("{} {}", l.t("Ändra", "Edit"), l.t(&i.name_sv, &i.name_en)),
    };
    let action = match editing {
        None => "/backlog/areas".to_owned(),
        Some(k) => format!("/backlog/areas/{k}"),
    };
    let share = |c: Channel| -> &str {
        match c {
            Channel::Phone => &i.share_phone,
            Channel::Email => &i.share_email,
            Channel::Letter => &i.share_letter,
            Channel::Visit => &i.share_visit,
            Channel::Web => &i.share_web,
        }
    };
    let minutes = |c: Channel| -> &str {
        match c {
            Channel::Phone => &i.minutes_phone,
            Channel::Email => &i.minutes_email,
            Channel::Letter => &i.minutes_letter,
            Channel::Visit => &i.minutes_visit,
            Channel::Web => &i.minutes_web,
        }
    };
    layout::page(
        ctx,
        &title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            (error_summary(l, &errors.iter().map(|(f, m)| (*f, m.clone())).collect::<Vec<_>>()))
            @if let Some(m) = problem {
                div class="error-summary" role="alert" tabindex="-1" { p { (l.pick(m)) } }
            }
            form method="post" action=(action) class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                fieldset {
                    legend { (l.t("Område", "Area")) }
                    @if let Some(k) = editing {
                        p { (l.t("Nyckel", "Key")) ": " code { (k) } }
                    } @else {
                        (input("key", l.t("Nyckel", "Key"), &i.key, errors, "text", Some(l.t(
                            "Stabil kortform som länkar och rangordningar använder: a–z, 0–9, _ eller -, t.ex. forskoleplats.",
                            "A stable short form that links and rankings use: a–z, 0–9, _ or -, e.g. preschool_place."))))
                    }
                    (input("name_sv", l.t("Namn på svenska", "Name in Swedish"), &i.name_sv, errors, "text", None))
                    (input("name_en", l.t("Namn på engelska", "Name in English"), &i.name_en, errors, "text", None))
                    (textarea("description_sv", l.t("Beskrivning på svenska", "Description in Swedish"), &i.description_sv, errors))
                    (textarea("description_en", l.t("Beskrivning på engelska", "Description in English"), &i.description_en, errors))
                    (input("administration", l.t("Ansvarig förvaltning", "Owning administration"), &i.administration, errors, "text", None))
                    div class="field" {
                        label for="target_group" { (l.t("Målgrupp", "Target group")) }
                        select id="target_group" name="target_group" {
                            @for g in TargetGroup::ALL {
                                option value=(g.code()) selected[i.target_group == g.code()] { (l.pick(&g.label())) }
                            }
                        }
                    }
                    (input("yearly_volume", l.t("Ärenden per år", "Errands per year"), &i.yearly_volume, errors, "text", None))
                }
                fieldset {
                    legend { (l.t("Dagens kanaler: andel av ärendena i procent (summa 100)", "Today's channels: share of errands in percent (sum 100)")) }
                    @for c in Channel::ALL {
                        (input(c.share_field(), l.pick(&c.label()), share(c), errors, "text", None))
                    }
                }
                fieldset {
                    legend { (l.t("Handläggningstid per ärende och kanal (minuter)", "Handling minutes per errand and channel")) }
                    @for c in Channel::ALL {
                        (input(c.minutes_field(), l.pick(&c.label()), minutes(c), errors, "text", None))
                    }
                }
                fieldset {
                    legend { (l.t("Kostnad och genomförbarhet", "Cost and feasibility")) }
                    (input("development_cost_sek", l.t("Uppskattad utvecklingskostnad (kr)", "Estimated development cost (SEK)"), &i.development_cost_sek, errors, "text", None))
                    (input("running_cost_sek", l.t("Uppskattad driftkostnad per år (kr)", "Estimated running cost per year (SEK)"), &i.running_cost_sek, errors, "text", None))
                    (input("feasibility", l.t("Genomförbarhet och risk (1–5)", "Feasibility and risk (1–5)"), &i.feasibility, errors, "text", Some(l.t(
                        "1 = svår och riskfylld, 5 = enkel och säker.", "1 = hard and risky, 5 = easy and safe."))))
                    (textarea("feasibility_note", l.t("Motivering", "Why"), &i.feasibility_note, errors))
                }
                button type="submit" class="button" { (l.t("Spara", "Save")) }
            }
        },
    )
}

/// An area's page: its figures, status history, status change, linked questions and the form
/// to link another. `problem` is a refused change, shown at the top.
pub fn area(ctx: &PageCtx, p: &AreaPage, can_edit: bool, problem: Option<&Msg>) -> Markup {
    let l = ctx.lang;
    let s = &p.stored;
    let a = &s.area;
    let key = a.key.as_str();
    let title = name(l, s);
    let (description, other) = match l {
        Lang::Sv => (&a.description_sv, &a.description_en),
        Lang::En => (&a.description_en, &a.description_sv),
    };
    layout::page(
        ctx,
        title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            @if let Some(m) = problem {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Ändringen gjordes inte", "The change was not made")) }
                    p { (l.pick(m)) }
                }
            }
            p { (if description.is_empty() { other } else { description }) }
            dl class="facts" {
                dt { (l.t("Nyckel", "Key")) } dd { code { (key) } }
                dt { (l.t("Status", "Status")) } dd { (l.pick(&s.status.label())) }
                dt { (l.t("Förvaltning", "Administration")) } dd { (a.administration) }
                dt { (l.t("Målgrupp", "Target group")) } dd { (l.pick(&a.target_group.label())) }
                dt { (l.t("Ärenden per år", "Errands per year")) } dd { (grouped(a.yearly_volume)) }
                dt { (l.t("Utvecklingskostnad", "Development cost")) } dd { (grouped(a.development_cost)) " kr" }
                dt { (l.t("Driftkostnad per år", "Running cost per year")) } dd { (grouped(a.running_cost)) " kr" }
                dt { (l.t("Genomförbarhet och risk (1–5)", "Feasibility and risk (1–5)")) }
                dd { (a.feasibility.score) @if !a.feasibility.note.is_empty() { ": " (a.feasibility.note) } }
            }
            @if can_edit { p { a href={ "/backlog/areas/" (key) "/edit" } { (l.t("Ändra uppgifterna", "Edit the details")) } } }
            @if matches!(s.status, Status::Approved | Status::InDevelopment | Status::Launched) {
                p { a href={ "/backlog/areas/" (key) "/followup" } { (l.t("Nyttohemtagning: förutsägelse och uppföljning", "Benefits follow-up: prediction and follow-ups")) } }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Kanaler", "Channels")) {
                table {
                    caption { (l.t("Dagens kanaler och handläggningstid", "Today's channels and handling time")) }
                    thead { tr {
                        th scope="col" { (l.t("Kanal", "Channel")) }
                        th scope="col" class="num" { (l.t("Andel av ärendena (%)", "Share of errands (%)")) }
                        th scope="col" class="num" { (l.t("Minuter per ärende", "Minutes per errand")) }
                    } }
                    tbody {
                        @for c in Channel::ALL {
                            tr {
                                th scope="row" { (l.pick(&c.label())) }
                                td class="num" { (decimal(a.channel_mix.share(c), l)) }
                                td class="num" { (decimal(a.handling_minutes.minutes(c), l)) }
                            }
                        }
                    }
                }
            }
            h2 { (l.t("Statushistorik", "Status history")) }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Statushistorik", "Status history")) {
                table class="status-history" {
                    caption { (l.t("Statusändringar, äldst först", "Status changes, oldest first")) }
                    thead { tr {
                        th scope="col" { (l.t("När", "When")) }
                        th scope="col" { (l.t("Från", "From")) }
                        th scope="col" { (l.t("Till", "To")) }
                        th scope="col" { (l.t("Varför", "Why")) }
                        th scope="col" { (l.t("Vem", "Who")) }
                    } }
                    tbody {
                        @for h in &p.history {
                            tr {
                                td { (display_short(h.changed_at, &ctx.zone)) }
                                td { @if let Some(f) = h.from { (l.pick(&f.label())) } @else { "–" } }
                                td { (l.pick(&h.to.label())) }
                                td { (h.reason) }
                                td { (h.changed_by) }
                            }
                        }
                    }
                }
            }
            @if can_edit && !s.status.next().is_empty() {
                form method="post" action={ "/backlog/areas/" (key) "/status" } class="stack" {
                    (csrf_field(&ctx.csrf))
                    fieldset {
                        legend { (l.t("Ändra status", "Change status")) }
                        div class="field" {
                            label for="status" { (l.t("Ny status", "New status")) }
                            select id="status" name="status" {
                                @for n in s.status.next() {
                                    option value=(n.code()) { (l.pick(&n.label())) }
                                }
                            }
                        }
                        div class="field" {
                            label for="reason" { (l.t("Varför (krävs vid avslag)", "Why (required when rejecting)")) }
                            textarea id="reason" name="reason" rows="2" {}
                        }
                        button type="submit" class="button" { (l.t("Ändra status", "Change status")) }
                    }
                }
            }
            h2 { (l.t("Enkätfrågor som mäter området", "Survey questions that measure the area")) }
            @if p.links.is_empty() {
                p { (l.t("Inga frågor är kopplade än.", "No questions are linked yet.")) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Kopplade frågor", "Linked questions")) {
                    table class="area-links" {
                        caption { (l.t("Kopplade frågor", "Linked questions")) }
                        thead { tr {
                            th scope="col" { (l.t("Enkät och version", "Survey and version")) }
                            th scope="col" { (l.t("Fråga", "Question")) }
                            th scope="col" { (l.t("Roll", "Role")) }
                            th scope="col" { (l.t("Alternativ", "Item")) }
                            @if can_edit { th scope="col" { span class="visually-hidden" { (l.t("Ta bort", "Remove")) } } }
                        } }
                        tbody {
                            @for link in &p.links {
                                @let k = &link.stored.link;
                                tr {
                                    td { (k.survey_key) " v" (k.version) }
                                    td { code { (k.question_key) } @if let Some(m) = &link.label { " " (l.pick(m)) } }
                                    td { (l.pick(&k.role.label())) }
                                    td { (k.item) }
                                    @if can_edit {
                                        td {
                                            form method="post" action={ "/backlog/areas/" (key) "/links/" (link.stored.id) "/delete" } {
                                                (csrf_field(&ctx.csrf))
                                                button type="submit" class="button secondary" {
                                                    (l.t("Ta bort", "Remove"))
                                                    span class="visually-hidden" { " " (k.question_key) " (" (l.pick(&k.role.label())) ")" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if can_edit {
                (link_form(ctx, p))
            }
        },
    )
}

fn link_form(ctx: &PageCtx, p: &AreaPage) -> Markup {
    let l = ctx.lang;
    let key = p.stored.area.key.as_str();
    let mut items: Vec<&str> = p
        .questions
        .iter()
        .flat_map(|q| q.items.iter().map(String::as_str))
        .collect();
    items.sort_unstable();
    items.dedup();
    html! {
        form method="post" action={ "/backlog/areas/" (key) "/links" } class="stack" {
            (csrf_field(&ctx.csrf))
            fieldset {
                legend { (l.t("Koppla en fråga", "Link a question")) }
                @if p.questions.is_empty() {
                    p { (l.t("Det finns inga enkäter med frågor att koppla.", "There are no surveys with questions to link.")) }
                } @else {
                    div class="field" {
                        label for="question" { (l.t("Enkätversion och fråga", "Survey version and question")) }
                        select id="question" name="question" {
                            @for (survey, version) in versions(p) {
                                optgroup label={ (survey) " v" (version) } {
                                    @for q in p.questions.iter().filter(|q| q.survey_key == survey && q.version == version) {
                                        option value={ (q.survey_key) "|" (q.version) "|" (q.question_key) } {
                                            (q.question_key) ": " (truncate(l.pick(&q.label)))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div class="field" {
                        label for="role" { (l.t("Roll", "Role")) }
                        select id="role" name="role" {
                            @for r in LinkRole::ALL {
                                option value=(r.code()) { (l.pick(&r.label())) }
                            }
                        }
                    }
                    div class="field" {
                        label for="item" { (l.t("Alternativ (för MaxDiff och flervalsfrågor om ärenden)", "Item (for MaxDiff and multiple-choice errand questions)")) }
                        p id="item-hint" class="hint" { (l.t("Värdet på områdets svarsalternativ, t.ex. preschool. Lämna tomt för andra roller.", "The value of the area's option, e.g. preschool. Leave empty for other roles.")) }
                        input id="item" name="item" type="text" list="item-values" aria-describedby="item-hint";
                        datalist id="item-values" {
                            @for v in &items { option value=(v) {} }
                        }
                    }
                    button type="submit" class="button" { (l.t("Koppla", "Link")) }
                }
            }
        }
    }
}

fn versions(p: &AreaPage) -> Vec<(&str, u32)> {
    let mut v: Vec<(&str, u32)> = p
        .questions
        .iter()
        .map(|q| (q.survey_key.as_str(), q.version))
        .collect();
    v.dedup();
    v
}

fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(70).collect();
    if s.chars().count() > 70 {
        out.push('…');
    }
    out
}

/// The catalogue page: downloads for readers, the upload form for editors, and the import's
/// problems (each names file, row and column) or its outcome.
pub fn catalogue(
    ctx: &PageCtx,
    can_edit: bool,
    problems: &[Msg],
    done: Option<&ImportReport>,
) -> Markup {
    let l = ctx.lang;
    let title = l.t(
        "Katalogen över kandidatområden",
        "The catalogue of candidate areas",
    );
    layout::page(
        ctx,
        title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            @if !problems.is_empty() {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Katalogen importerades inte; inget sparades", "The catalogue was not imported; nothing was stored")) }
                    ul class="import-problems" {
                        @for m in problems { li { (l.pick(m)) } }
                    }
                }
            }
            @if let Some(r) = done {
                div class="notice" role="status" { p {
                    (l.t("Katalogen importerades: ", "The catalogue was imported: "))
                    (r.created) (l.t(" nya, ", " new, "))
                    (r.updated) (l.t(" uppdaterade, ", " updated, "))
                    (r.status_changes) (l.t(" statusändringar.", " status change(s)."))
                } }
            }
            h2 { (l.t("Ladda ner", "Download")) }
            ul {
                li { a href="/backlog/catalogue.csv" download { (l.t("Katalogen som CSV", "The catalogue as CSV")) } }
                li { a href="/backlog/catalogue.xlsx" download { (l.t("Katalogen som Excel (XLSX)", "The catalogue as Excel (XLSX)")) } }
            }
            @if can_edit {
                h2 { (l.t("Importera", "Import")) }
                p { (l.t(
                    "En rad per område med kolumnerna i nedladdningen. Områden vars nyckel redan finns uppdateras, nya skapas. Varje rad kontrolleras först: finns ett fel sparas ingenting.",
                    "One row per area with the columns of the download. Areas whose key exists are updated, new ones created. Every row is checked first: if any is wrong, nothing is stored."
                )) }
                p { (l.t("Kolumner: ", "Columns: ")) code { (crate::formats::backlog_catalogue::COLUMNS.join(", ")) } }
                form method="post" action="/backlog/catalogue" enctype="multipart/form-data" class="stack" {
                    (csrf_field(&ctx.csrf))
                    div class="field" {
                        label for="file" { (l.t("CSV- eller XLSX-fil", "CSV or XLSX file")) }
                        input type="file" id="file" name="file" accept=".csv,.xlsx,text/csv" required;
                    }
                    button type="submit" class="button" { (l.t("Importera", "Import")) }
                }
            }
        },
    )
}
