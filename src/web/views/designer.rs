//! The designer pages: survey list, version editor, question editor, preview (with the
//! respondent renderer), publish checks, options and import results.

use std::collections::HashMap;

use maud::{html, Markup};

use super::layout::{self, csrf_field};
use crate::domain::local_time::{WallClock, Zone};
use crate::domain::options::{Access, LegalBasis, SurveyOptions};
use crate::domain::survey::{
    Finding, Location, Question, QuestionKind, Severity, Survey, Text, VersionStatus,
};
use crate::formats::xlsform::Issue;
use crate::use_cases::questionnaires::{StoredVersion, SurveyLine};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

pub mod form;
pub mod preview;

use form::TYPES;

/// The form that failed on this page (its id prefix), what was typed and the errors.
#[derive(Default)]
pub struct FormState {
    /// The failed form's id prefix (empty when none failed).
    pub form: String,
    /// What was typed, by field name.
    pub values: HashMap<String, String>,
    /// `(field name, message)` pairs.
    pub errors: Vec<(String, String)>,
}

impl FormState {
    /// A form shown again with errors.
    pub fn failed(
        form: &str,
        values: HashMap<String, String>,
        errors: Vec<(String, String)>,
    ) -> FormState {
        FormState {
            form: form.to_owned(),
            values,
            errors,
        }
    }

    fn value<'a>(&'a self, form: &str, name: &str, current: &'a str) -> &'a str {
        if self.form == form {
            self.values.get(name).map_or("", String::as_str)
        } else {
            current
        }
    }

    fn checked(&self, form: &str, name: &str, current: bool) -> bool {
        if self.form == form {
            self.values.contains_key(name)
        } else {
            current
        }
    }

    fn error(&self, form: &str, name: &str) -> Option<String> {
        if self.form != form {
            return None;
        }
        let msgs: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
            .collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    }

    /// The error summary, linking to each field.
    fn summary(&self, l: Lang) -> Markup {
        let links: Vec<(String, String)> = self
            .errors
            .iter()
            .map(|(f, m)| {
                (
                    if f.is_empty() {
                        self.form.clone()
                    } else {
                        format!("{}-{f}", self.form)
                    },
                    m.clone(),
                )
            })
            .collect();
        let refs: Vec<(&str, String)> =
            links.iter().map(|(f, m)| (f.as_str(), m.clone())).collect();
        layout::error_summary(l, &refs)
    }
}

fn fid(form: &str, name: &str) -> String {
    format!("{form}-{name}")
}

fn field_error(id: &str, error: Option<&String>) -> Markup {
    html! { @if let Some(m) = error { p id={ (id) "-error" } class="field-error" { (m) } } }
}

/// A labelled one-line input.
fn input(st: &FormState, form: &str, name: &str, label: &str, current: &str) -> Markup {
    let id = fid(form, name);
    let error = st.error(form, name);
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(id) { (label) }
            (field_error(&id, error.as_ref()))
            input id=(id) name=(name) type="text" value=(st.value(form, name, current))
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[error.as_ref().map(|_| format!("{id}-error"))];
        }
    }
}

/// A labelled multi-line input.
fn textarea(
    st: &FormState,
    form: &str,
    name: &str,
    label: &str,
    hint: Option<&str>,
    current: &str,
) -> Markup {
    let id = fid(form, name);
    let error = st.error(form, name);
    let mut described = vec![];
    if hint.is_some() {
        described.push(format!("{id}-hint"));
    }
    if error.is_some() {
        described.push(format!("{id}-error"));
    }
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(id) { (label) }
            @if let Some(h) = hint { p id={ (id) "-hint" } class="hint" { (h) } }
            (field_error(&id, error.as_ref()))
            textarea id=(id) name=(name) rows="4"
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))] { (st.value(form, name, current)) }
        }
    }
}

fn checkbox(st: &FormState, form: &str, name: &str, label: &str, current: bool) -> Markup {
    let id = fid(form, name);
    html! {
        div class="field checkbox" {
            input id=(id) name=(name) type="checkbox" checked[st.checked(form, name, current)];
            label for=(id) { (label) }
        }
    }
}

fn sv_en<'a>(t: &'a Text, lang: &str) -> &'a str {
    t.0.get(lang).map_or("", String::as_str)
}

/// A Swedish and an English input for one text, in a fieldset.
fn text_pair(
    l: Lang,
    st: &FormState,
    form: &str,
    prefix: &str,
    legend: &str,
    t: &Text,
    multiline: bool,
) -> Markup {
    let l_sv = format!("{legend} ({})", l.t("svenska", "Swedish"));
    let l_en = format!("{legend} ({})", l.t("engelska", "English"));
    html! {
        fieldset class="text-pair" {
            legend { (legend) }
            @if multiline {
                (textarea(st, form, &format!("{prefix}_sv"), &l_sv, None, sv_en(t, "sv")))
                (textarea(st, form, &format!("{prefix}_en"), &l_en, None, sv_en(t, "en")))
            } @else {
                (input(st, form, &format!("{prefix}_sv"), &l_sv, sv_en(t, "sv")))
                (input(st, form, &format!("{prefix}_en"), &l_en, sv_en(t, "en")))
            }
        }
    }
}

fn button_form(
    ctx: &PageCtx,
    action: &str,
    label: &str,
    hidden_label: &str,
    class: &str,
) -> Markup {
    html! {
        form method="post" action=(action) class="inline-form" {
            (csrf_field(&ctx.csrf))
            button type="submit" class=(class) {
                (label) span class="visually-hidden" { " " (hidden_label) }
            }
        }
    }
}

fn status_label(l: Lang, s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Draft => l.t("Utkast", "Draft"),
        VersionStatus::Published => l.t("Publicerad", "Published"),
        VersionStatus::Closed => l.t("Stängd", "Closed"),
    }
}

fn type_label(l: Lang, type_name: &str) -> &'static str {
    TYPES
        .iter()
        .find(|(n, _, _)| *n == type_name)
        .map_or("?", |(_, sv, en)| l.t(sv, en))
}

fn date(zone: &Zone, d: Option<time::PrimitiveDateTime>) -> String {
    d.map(|d| crate::domain::local_time::display_short(d, zone))
        .unwrap_or_default()
}

fn title_in(l: Lang, t: &Text) -> &str {
    t.get_or(l.code(), "sv")
}

/// `/designer`: every survey with its versions, and the create and import forms.
pub fn list(ctx: &PageCtx, all: &[SurveyLine], st: &FormState) -> Markup {
    let l = ctx.lang;
    let (archived, active): (Vec<&SurveyLine>, Vec<&SurveyLine>) =
        all.iter().partition(|s| s.archived);
    layout::page(
        ctx,
        l.t("Enkäter", "Surveys"),
        html! {
            h1 { (l.t("Enkäter", "Surveys")) }
            (survey_table(ctx, &active, l.t("Enkäter", "Surveys"), false))
            @if !archived.is_empty() {
                h2 id="archived" { (l.t("Arkiverade enkäter", "Archived surveys")) }
                p { (l.t(
                    "Arkiverade enkäter visas inte på startsidan. Svaren finns kvar.",
                    "Archived surveys are not shown on the start page. Their responses are kept."
                )) }
                (survey_table(ctx, &archived, l.t("Arkiverade enkäter", "Archived surveys"), true))
            }
            (create_and_import(ctx, &active, st))
        },
    )
}

/// A table of surveys with their versions and the archive/delete buttons.
fn survey_table(ctx: &PageCtx, lines: &[&SurveyLine], name: &str, archived: bool) -> Markup {
    let l = ctx.lang;
    html! {
            @if lines.is_empty() {
                p { (l.t("Det finns inga enkäter ännu.", "There are no surveys yet.")) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(name) {
                    table {
                        caption class="visually-hidden" { (name) }
                        thead { tr {
                            th scope="col" { (l.t("Enkät", "Survey")) }
                            th scope="col" { (l.t("Versioner", "Versions")) }
                            th scope="col" { (l.t("Svar", "Responses")) }
                            th scope="col" { (l.t("Inställningar", "Options")) }
                            th scope="col" { (l.t("Fältarbete", "Fieldwork")) }
                            th scope="col" { (l.t("Hantera", "Manage")) }
                        } }
                        tbody {
                            @for line in lines {
                                tr {
                                    td {
                                        @if let Some(v) = line.versions.last() { (title_in(l, &v.survey.title)) br; }
                                        code { (line.key) }
                                    }
                                    td {
                                        ul class="version-list" {
                                            @for v in line.versions.iter().rev() {
                                                li {
                                                    a href={ "/designer/" (line.key) "/" (v.survey.version) } {
                                                        (l.t("Version ", "Version ")) (v.survey.version)
                                                    }
                                                    " – " (status_label(l, v.survey.status))
                                                    @if v.published_at.is_some() { ", " (l.t("publicerad ", "published ")) (date(&ctx.zone, v.published_at)) }
                                                    @if v.closed_at.is_some() { ", " (l.t("stängd ", "closed ")) (date(&ctx.zone, v.closed_at)) }
                                                }
                                            }
                                        }
                                    }
                                    td { (line.responses) }
                                    td { a href={ "/designer/" (line.key) "/options" } { (l.t("Inställningar", "Options")) span class="visually-hidden" { " " (line.key) } } }
                                    td { a href={ "/fieldwork/" (line.key) } { (l.t("Fältarbete", "Fieldwork")) span class="visually-hidden" { " " (line.key) } } }
                                    td { div class="lifecycle-buttons" {
                                        @if archived {
                                            (button_form(ctx, &format!("/designer/{}/unarchive", line.key), l.t("Återställ", "Restore"), &line.key, "button secondary"))
                                        } @else {
                                            (button_form(ctx, &format!("/designer/{}/archive", line.key), l.t("Arkivera", "Archive"), &line.key, "button secondary"))
                                        }
                                        @if line.responses == 0 {
                                            (button_form(ctx, &format!("/designer/{}/delete", line.key), l.t("Radera", "Delete"), &line.key, "button secondary"))
                                        }
                                    } }
                                }
                            }
                        }
                    }
                }
            }
    }
}

/// The create and import forms of the survey list.
fn create_and_import(ctx: &PageCtx, active: &[&SurveyLine], st: &FormState) -> Markup {
    let l = ctx.lang;
    html! {
            h2 id="new" { (l.t("Skapa en enkät", "Create a survey")) }
            @if st.form == "new" { (st.summary(l)) }
            form method="post" action="/designer" class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                (input(st, "new", "key", l.t("Nyckel (används i länken, t.ex. parkering-2026)", "Key (used in the link, e.g. parking-2026)"), ""))
                (input(st, "new", "title_sv", l.t("Titel på svenska", "Title in Swedish"), ""))
                (input(st, "new", "title_en", l.t("Titel på engelska", "Title in English"), ""))
                button type="submit" class="button" { (l.t("Skapa enkät", "Create survey")) }
            }
            h2 id="import" { (l.t("Importera XLSForm", "Import an XLSForm")) }
            form method="post" action="/designer/import" enctype="multipart/form-data" class="stack" {
                (csrf_field(&ctx.csrf))
                div class="field" {
                    label for="import-file" { (l.t("Arbetsbok (.xlsx)", "Workbook (.xlsx)")) }
                    p id="import-file-hint" class="hint" { (l.t(
                        "Arbetsboken blir en egen enkät med nyckel från form_id eller filnamnet, om du inte väljer att lägga till den som en ny version av en befintlig enkät.",
                        "The workbook becomes a survey of its own, keyed by its form_id or file name, unless you choose to add it as a new version of an existing survey."
                    )) }
                    input id="import-file" name="file" type="file" accept=".xlsx" aria-describedby="import-file-hint";
                }
                div class="field" {
                    label for="import-into" { (l.t("Importera som", "Import as")) }
                    select id="import-into" name="into" {
                        option value="" selected { (l.t("En ny enkät", "A new survey")) }
                        @for line in active {
                            option value=(line.key) { (l.t("Ny version av ", "New version of ")) (line.key) }
                        }
                    }
                }
                button type="submit" class="button" { (l.t("Importera", "Import")) }
            }
    }
}

fn version_actions(ctx: &PageCtx, s: &Survey) -> Markup {
    let l = ctx.lang;
    let base = format!("/designer/{}/{}", s.key, s.version);
    html! {
        ul class="designer-actions" {
            li { a href={ (base) "/preview/sv/0" } { (l.t("Förhandsgranska på svenska", "Preview in Swedish")) } }
            li { a href={ (base) "/preview/en/0" } { (l.t("Förhandsgranska på engelska", "Preview in English")) } }
            li { a href={ (base) "/checks" } { (l.t("Kontrollera inför publicering", "Run publish checks")) } }
            li { a href={ (base) "/export.xlsx" } { (l.t("Exportera XLSForm", "Export XLSForm")) } }
            li { a href={ (base) "/export.toml" } { (l.t("Exportera TOML", "Export TOML")) } }
            li { a href={ "/designer/" (s.key) "/options" } { (l.t("Inställningar", "Options")) } }
        }
        div class="designer-buttons" {
            @match s.status {
                VersionStatus::Draft => (button_form(ctx, &format!("{base}/publish"), l.t("Publicera", "Publish"), "", "button")),
                VersionStatus::Published => {
                    (button_form(ctx, &format!("{base}/new-draft"), l.t("Redigera (nytt utkast)", "Edit (new draft)"), "", "button"))
                    (button_form(ctx, &format!("{base}/close"), l.t("Stäng för svar", "Close to responses"), "", "button secondary"))
                }
                VersionStatus::Closed => {
                    (button_form(ctx, &format!("{base}/new-draft"), l.t("Redigera (nytt utkast)", "Edit (new draft)"), "", "button"))
                    (button_form(ctx, &format!("{base}/reopen"), l.t("Öppna igen för svar", "Reopen to responses"), "", "button secondary"))
                }
            }
            (button_form(ctx, &format!("{base}/duplicate"), l.t("Kopiera till en ny enkät", "Copy into a new survey"), "", "button secondary"))
            @if s.status == VersionStatus::Draft {
                (button_form(ctx, &format!("{base}/delete"), l.t("Radera utkastet", "Delete this draft"), "", "button secondary"))
            }
        }
    }
}

/// `/designer/{key}/{version}`: the editor for a draft, a read-only outline otherwise.
pub fn version(ctx: &PageCtx, v: &StoredVersion, st: &FormState) -> Markup {
    let l = ctx.lang;
    let s = &v.survey;
    let draft = s.status == VersionStatus::Draft;
    let base = format!("/designer/{}/{}", s.key, s.version);
    let title = title_in(l, &s.title).to_owned();
    layout::page(
        ctx,
        &title,
        html! {
            p { a href="/designer" { (l.t("Alla enkäter", "All surveys")) } }
            h1 { (title) " " span class="version-tag" { (l.t("version ", "version ")) (s.version) " – " (status_label(l, s.status)) } }
            @if !st.errors.is_empty() { (st.summary(l)) }
            (version_actions(ctx, s))
            @if !draft {
                p class="notice" { (l.t(
                    "Den här versionen är låst. Välj ”Redigera” för att göra ändringar i ett nytt utkast.",
                    "This version is locked. Choose “Edit” to make changes in a new draft."
                )) }
            }
            @if draft {
                h2 id="texts" { (l.t("Titel och texter", "Title and texts")) }
                form method="post" action={ (base) "/texts" } class="stack" novalidate {
                    (csrf_field(&ctx.csrf))
                    (text_pair(l, st, "texts", "title", l.t("Titel", "Title"), &s.title, false))
                    (text_pair(l, st, "texts", "intro", l.t("Inledning", "Introduction"), &s.intro, true))
                    (text_pair(l, st, "texts", "thanks", l.t("Tack-text", "Thank-you text"), &s.thanks, true))
                    button type="submit" class="button" { (l.t("Spara texter", "Save texts")) }
                }
            }
            h2 id="pages" { (l.t("Sidor och frågor", "Pages and questions")) }
            @if s.pages.is_empty() { p { (l.t("Inga sidor ännu.", "No pages yet.")) } }
            @for (pi, p) in s.pages.iter().enumerate() {
                (page_section(ctx, st, s, pi, p, draft))
            }
            @if draft {
                h3 id="newpage" { (l.t("Lägg till sida", "Add a page")) }
                form method="post" action={ (base) "/pages" } class="stack" novalidate {
                    (csrf_field(&ctx.csrf))
                    (input(st, "newpage", "key", l.t("Sidans nyckel", "Page key"), ""))
                    (text_pair(l, st, "newpage", "title", l.t("Rubrik", "Heading"), &Text::default(), false))
                    (input(st, "newpage", "relevant", form::field_label(l, "relevant"), ""))
                    button type="submit" class="button" { (l.t("Lägg till sida", "Add page")) }
                }
            }
            h2 id="lists" { (l.t("Svarslistor", "Choice lists")) }
            @for (name, choices) in &s.choice_lists {
                @let form = format!("list-{name}");
                section class="designer-list" id=(form) {
                    h3 { code { (name) } }
                    @if draft {
                        form method="post" action={ (base) "/lists/" (name) "/save" } class="stack" novalidate {
                            (csrf_field(&ctx.csrf))
                            (textarea(st, &form, "options", l.t("Alternativ", "Options"), Some(options_hint(l)), &form::choices_text(choices)))
                            button type="submit" class="button small" { (l.t("Spara listan", "Save list")) span class="visually-hidden" { " " (name) } }
                        }
                        (button_form(ctx, &format!("{base}/lists/{name}/delete"), l.t("Ta bort listan", "Delete list"), name, "button small secondary"))
                    } @else {
                        ul { @for c in choices { li { code { (c.value) } " – " (title_in(l, &c.label)) } } }
                    }
                }
            }
            @if draft {
                h3 id="newlist" { (l.t("Lägg till svarslista", "Add a choice list")) }
                form method="post" action={ (base) "/lists/-/add" } class="stack" novalidate {
                    (csrf_field(&ctx.csrf))
                    (input(st, "newlist", "name", l.t("Listans namn", "List name"), ""))
                    (textarea(st, "newlist", "options", l.t("Alternativ", "Options"), Some(options_hint(l)), ""))
                    button type="submit" class="button" { (l.t("Lägg till lista", "Add list")) }
                }
            }
        },
    )
}

fn options_hint(l: Lang) -> &'static str {
    l.t(
        "Ett alternativ per rad: värde|svensk text|engelsk text. Lägg till |exclusive för t.ex. ”Vet inte”.",
        "One option per line: value|Swedish label|English label. Add |exclusive for e.g. “Don't know”.",
    )
}

fn page_section(
    ctx: &PageCtx,
    st: &FormState,
    s: &Survey,
    pi: usize,
    p: &crate::domain::survey::Page,
    draft: bool,
) -> Markup {
    let l = ctx.lang;
    let base = format!("/designer/{}/{}", s.key, s.version);
    let pbase = format!("{base}/pages/{}", p.key);
    let form = format!("page-{}", p.key);
    let addq = format!("addq-{}", p.key);
    html! {
        section class="designer-page" id=(form) aria-labelledby={ (form) "-h" } {
            h3 id={ (form) "-h" } {
                (l.t("Sida ", "Page ")) (pi + 1) ": " (title_in(l, &p.title)) " " code { (p.key) }
            }
            @if let Some(r) = &p.relevant { p { (l.t("Visas bara när: ", "Shown only when: ")) code { (r.source()) } } }
            @if draft {
                details open[st.form == form] {
                    summary { (l.t("Ändra sidan", "Edit the page")) span class="visually-hidden" { " " (p.key) } }
                    form method="post" action={ (pbase) "/save" } class="stack" novalidate {
                        (csrf_field(&ctx.csrf))
                        (text_pair(l, st, &form, "title", l.t("Rubrik", "Heading"), &p.title, false))
                        (input(st, &form, "relevant", form::field_label(l, "relevant"), p.relevant.as_ref().map_or("", |e| e.source())))
                        (checkbox(st, &form, "randomise", l.t("Slumpa frågornas ordning", "Shuffle the question order"), p.randomise))
                        button type="submit" class="button small" { (l.t("Spara sidan", "Save page")) }
                    }
                }
                div class="designer-buttons" {
                    (button_form(ctx, &format!("{pbase}/up"), l.t("Flytta upp", "Move up"), &p.key, "button small secondary"))
                    (button_form(ctx, &format!("{pbase}/down"), l.t("Flytta ned", "Move down"), &p.key, "button small secondary"))
                    (button_form(ctx, &format!("{pbase}/delete"), l.t("Ta bort sidan", "Delete page"), &p.key, "button small secondary"))
                }
            }
            ol class="designer-questions" {
                @for q in &p.questions {
                    li id={ "q-" (q.key) } {
                        strong { (title_in(l, &q.label)) } " "
                        code { (q.key) } " – " (type_label(l, q.kind.type_name()))
                        @if q.required { " – " (l.t("obligatorisk", "required")) }
                        @if let Some(r) = &q.relevant { br; (l.t("Visas bara när: ", "Shown only when: ")) code { (r.source()) } }
                        @if draft {
                            div class="designer-buttons" {
                                a class="button small" href={ (base) "/questions/" (q.key) } { (l.t("Ändra", "Edit")) span class="visually-hidden" { " " (q.key) } }
                                (button_form(ctx, &format!("{base}/questions/{}/up", q.key), l.t("Upp", "Up"), &q.key, "button small secondary"))
                                (button_form(ctx, &format!("{base}/questions/{}/down", q.key), l.t("Ned", "Down"), &q.key, "button small secondary"))
                                (button_form(ctx, &format!("{base}/questions/{}/delete", q.key), l.t("Ta bort", "Delete"), &q.key, "button small secondary"))
                            }
                        }
                    }
                }
            }
            @if draft {
                form method="post" action={ (pbase) "/add-question" } class="stack designer-add" id=(addq) novalidate {
                    (csrf_field(&ctx.csrf))
                    fieldset {
                        legend { (l.t("Ny fråga på sidan ", "New question on page ")) (p.key) }
                        (input(st, &addq, "key", l.t("Frågans nyckel", "Question key"), ""))
                        div class="field" {
                            label for={ (addq) "-type" } { (l.t("Typ", "Type")) }
                            select id={ (addq) "-type" } name="type" {
                                @for (name, sv, en) in TYPES {
                                    option value=(name) selected[st.value(&addq, "type", "") == name] { (l.t(sv, en)) }
                                }
                            }
                        }
                        (text_pair(l, st, &addq, "label", l.t("Frågetext", "Question text"), &Text::default(), false))
                        button type="submit" class="button small" { (l.t("Lägg till fråga", "Add question")) }
                    }
                }
            }
        }
    }
}

/// `/designer/{key}/{version}/questions/{q}`: the question editor and the advanced TOML editor.
pub fn question(ctx: &PageCtx, v: &StoredVersion, key: &str, st: &FormState) -> Markup {
    let l = ctx.lang;
    let s = &v.survey;
    let Some(q) = s.question(key) else {
        return layout::page(ctx, "?", html! {});
    };
    let base = format!("/designer/{}/{}", s.key, s.version);
    if s.status != VersionStatus::Draft {
        return layout::page(
            ctx,
            l.t("Låst version", "Locked version"),
            html! {
                p { a href=(base) { (l.t("Tillbaka till enkäten", "Back to the survey")) } }
                h1 { (l.t("Fråga ", "Question ")) code { (key) } }
                p class="notice" { (l.t(
                    "Den här versionen är låst. Välj ”Redigera” på enkätens sida för att göra ändringar i ett nytt utkast.",
                    "This version is locked. Choose “Edit” on the survey page to make changes in a new draft."
                )) }
            },
        );
    }
    let kv = form::kind_values(q);
    let k = |name: &str| kv.get(name).map_or("", String::as_str).to_owned();
    let f = "edit";
    let expr_src = |e: &Option<crate::domain::expr::Expression>| {
        e.as_ref().map_or(String::new(), |e| e.source().to_owned())
    };
    layout::page(
        ctx,
        &format!("{} {key}", l.t("Ändra fråga", "Edit question")),
        html! {
            p { a href={ (base) "#q-" (key) } { (l.t("Tillbaka till enkäten", "Back to the survey")) } }
            h1 { (l.t("Ändra fråga ", "Edit question ")) code { (key) } }
            p { (l.t("Typ: ", "Type: ")) (type_label(l, q.kind.type_name())) }
            (st.summary(l))
            form method="post" action={ (base) "/questions/" (key) } class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="form" value="fields";
                (text_pair(l, st, f, "label", l.t("Frågetext", "Question text"), &q.label, true))
                (text_pair(l, st, f, "hint", l.t("Hjälptext", "Hint"), &q.hint, false))
                (kind_section(l, st, s, q, &k))
                fieldset {
                    legend { (l.t("Logik", "Logic")) }
                    p class="hint" { (l.t(
                        "Uttryck som i XLSForm, t.ex. ${fraga} = 'ja' eller . > 0. Lämna tomt för inget villkor.",
                        "Expressions as in XLSForm, e.g. ${question} = 'yes' or . > 0. Leave empty for none."
                    )) }
                    (input(st, f, "relevant", form::field_label(l, "relevant"), &expr_src(&q.relevant)))
                    (checkbox(st, f, "required", l.t("Obligatorisk", "Required"), q.required))
                    (input(st, f, "required_if", form::field_label(l, "required_if"), &expr_src(&q.required_if)))
                    (text_pair(l, st, f, "required_message", l.t("Meddelande när svar saknas", "Message when unanswered"), &q.required_message, false))
                    (input(st, f, "constraint", form::field_label(l, "constraint"), &expr_src(&q.constraint)))
                    (text_pair(l, st, f, "constraint_message", l.t("Meddelande vid ogiltigt svar", "Message for an invalid answer"), &q.constraint_message, false))
                    @if q.kind.list().is_some() {
                        (checkbox(st, f, "randomise_options", l.t("Slumpa alternativens ordning", "Shuffle the options"), q.randomise_options))
                    }
                }
                button type="submit" class="button" { (l.t("Spara frågan", "Save question")) }
            }
            h2 id="advanced" { (l.t("Avancerat: ändra frågan som TOML", "Advanced: edit the question as TOML")) }
            p { (l.t(
                "För inställningar som formuläret ovan saknar (MaxDiff, Kano, vikt och nöjdhet).",
                "For settings the form above lacks (MaxDiff, Kano, importance and satisfaction)."
            )) }
            form method="post" action={ (base) "/questions/" (key) } class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="form" value="toml";
                (textarea(st, "toml", "toml", "TOML", None, &form::question_as_toml(q)))
                button type="submit" class="button secondary" { (l.t("Spara TOML", "Save TOML")) }
            }
        },
    )
}

fn kind_section(
    l: Lang,
    st: &FormState,
    s: &Survey,
    q: &Question,
    k: &dyn Fn(&str) -> String,
) -> Markup {
    let f = "edit";
    let list_select = html! {
        @let current = st.value(f, "list", "").to_owned();
        @let current = if st.form == f { current } else { k("list") };
        @let error = st.error(f, "list");
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for="edit-list" { (l.t("Svarslista", "Choice list")) }
            (field_error("edit-list", error.as_ref()))
            select id="edit-list" name="list" aria-invalid=[error.as_ref().map(|_| "true")] {
                option value="" { (l.t("Välj…", "Choose…")) }
                @for name in s.choice_lists.keys() {
                    option value=(name) selected[*name == current] { (name) }
                }
            }
        }
    };
    let scale = html! {
        (input(st, f, "scale_min", l.t("Lägsta värde", "Lowest point"), &k("scale_min")))
        (input(st, f, "scale_max", l.t("Högsta värde", "Highest point"), &k("scale_max")))
        (input(st, f, "min_label_sv", l.t("Text vid lägsta (svenska)", "Lowest label (Swedish)"), &k("min_label_sv")))
        (input(st, f, "min_label_en", l.t("Text vid lägsta (engelska)", "Lowest label (English)"), &k("min_label_en")))
        (input(st, f, "max_label_sv", l.t("Text vid högsta (svenska)", "Highest label (Swedish)"), &k("max_label_sv")))
        (input(st, f, "max_label_en", l.t("Text vid högsta (engelska)", "Highest label (English)"), &k("max_label_en")))
        (input(st, f, "dont_know_sv", l.t("”Vet inte” (svenska, tomt = inget)", "“Don't know” (Swedish, empty = none)"), &k("dont_know_sv")))
        (input(st, f, "dont_know_en", l.t("”Vet inte” (engelska)", "“Don't know” (English)"), &k("dont_know_en")))
    };
    html! {
        fieldset {
            legend { (l.t("Typens inställningar", "Type settings")) }
            @match &q.kind {
                QuestionKind::SingleChoice { .. } => {
                    (list_select)
                    div class="field" {
                        label for="edit-appearance" { (l.t("Visas som", "Shown as")) }
                        select id="edit-appearance" name="appearance" {
                            option value="radio" { (l.t("Radioknappar", "Radio buttons")) }
                            option value="dropdown" selected[st.value(f, "appearance", &k("appearance")) == "dropdown"] { (l.t("Rullgardinslista", "Drop-down list")) }
                        }
                    }
                    (checkbox(st, f, "other", l.t("Lägg till ”Annat, nämligen”", "Add “Other, please specify”"), !k("other").is_empty()))
                }
                QuestionKind::MultipleChoice { .. } => {
                    (list_select)
                    (checkbox(st, f, "other", l.t("Lägg till ”Annat, nämligen”", "Add “Other, please specify”"), !k("other").is_empty()))
                }
                QuestionKind::Ranking { .. } | QuestionKind::MaxDiff { .. } | QuestionKind::Kano { .. } => { (list_select) }
                QuestionKind::Matrix { .. } => {
                    (list_select)
                    (textarea(st, f, "rows", l.t("Rader", "Rows"), Some(l.t("En rad per rad: nyckel|svensk text|engelsk text.", "One per line: key|Swedish label|English label.")), &k("rows")))
                }
                QuestionKind::Rating { .. } | QuestionKind::ImportanceSatisfaction { .. } => { (scale) }
                QuestionKind::Integer { .. } | QuestionKind::Decimal { .. } => {
                    (input(st, f, "min", l.t("Minsta tillåtna värde", "Lowest allowed value"), &k("min")))
                    (input(st, f, "max", l.t("Högsta tillåtna värde", "Highest allowed value"), &k("max")))
                }
                QuestionKind::Hidden { .. } => { (input(st, f, "default", l.t("Standardvärde", "Default value"), &k("default"))) }
                QuestionKind::Calculate { .. } => { (input(st, f, "calculation", form::field_label(l, "calculation"), &k("calculation"))) }
                _ => { p { (l.t("Inga fler inställningar.", "No further settings.")) } }
            }
        }
    }
}

/// The publish checks; `blocked` when a publish attempt was just refused.
pub fn checks(ctx: &PageCtx, v: &StoredVersion, findings: &[Finding], blocked: bool) -> Markup {
    let l = ctx.lang;
    let s = &v.survey;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let base = format!("/designer/{}/{}", s.key, s.version);
    layout::page(
        ctx,
        l.t("Kontroll inför publicering", "Publish checks"),
        html! {
            p { a href=(base) { (l.t("Tillbaka till enkäten", "Back to the survey")) } }
            h1 { (l.t("Kontroll inför publicering", "Publish checks")) }
            @if blocked {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Enkäten kunde inte publiceras", "The survey could not be published")) }
                    p { (l.t("Rätta felen nedan och försök igen.", "Fix the errors below and try again.")) }
                }
            }
            p { (errors) " " (l.t("fel", "error(s)")) ", " (findings.len() - errors) " " (l.t("varningar", "warning(s)")) "." }
            @if findings.is_empty() { p { (l.t("Inga problem hittades.", "No problems found.")) } }
            @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Resultat", "Findings")) {
                    table {
                        thead { tr {
                            th scope="col" { (l.t("Allvar", "Severity")) }
                            th scope="col" { (l.t("Var", "Where")) }
                            th scope="col" { (l.t("Meddelande", "Message")) }
                        } }
                        tbody {
                            @for f in findings {
                                tr class={ "finding " @if f.severity == Severity::Error { "finding-error" } @else { "finding-warning" } } {
                                    td { @if f.severity == Severity::Error { (l.t("Fel", "Error")) } @else { (l.t("Varning", "Warning")) } }
                                    td { (location(l, &f.location)) }
                                    td { (f.message(l.code())) }
                                }
                            }
                        }
                    }
                }
            }
            @if s.status == VersionStatus::Draft && errors == 0 {
                (button_form(ctx, &format!("{base}/publish"), l.t("Publicera", "Publish"), "", "button"))
            }
        },
    )
}

/// Where a finding is, in the page language.
fn location(l: Lang, loc: &Location) -> String {
    let parts: Vec<String> = [
        (l.t("sida", "page"), &loc.page),
        (l.t("fråga", "question"), &loc.question),
        (l.t("lista", "list"), &loc.list),
        (l.t("fält", "field"), &loc.field),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
    .collect();
    if parts.is_empty() {
        l.t("enkäten", "survey").to_owned()
    } else {
        parts.join(", ")
    }
}

/// A stored (UTC) time as the local wall-clock time staff edit.
fn dt(zone: &Zone, d: Option<time::OffsetDateTime>) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    d.and_then(|d| zone.to_local(d).format(&fmt).ok())
        .unwrap_or_default()
}

fn opt_num<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// `/designer/{key}/options`: when, to whom and how the survey is run.
pub fn options(
    ctx: &PageCtx,
    zone: &Zone,
    key: &str,
    o: &SurveyOptions,
    st: &FormState,
    saved: bool,
) -> Markup {
    let l = ctx.lang;
    let opens = format!(
        "{} ({}, {})",
        l.t("Öppnar", "Opens"),
        zone.name(),
        l.t("ÅÅÅÅ-MM-DDTtt:mm", "YYYY-MM-DDThh:mm")
    );
    let closes = format!(
        "{} ({}, {})",
        l.t("Stänger", "Closes"),
        zone.name(),
        l.t("ÅÅÅÅ-MM-DDTtt:mm", "YYYY-MM-DDThh:mm")
    );
    let f = "options";
    layout::page(
        ctx,
        l.t("Inställningar", "Options"),
        html! {
            p { a href="/designer" { (l.t("Alla enkäter", "All surveys")) } }
            h1 { (l.t("Inställningar för ", "Options for ")) code { (key) } }
            @if saved { p class="notice" { (l.t("Sparat.", "Saved.")) } }
            (st.summary(l))
            form method="post" action={ "/designer/" (key) "/options" } class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                fieldset {
                    legend { (l.t("När och för vem", "When and for whom")) }
                    (input(st, f, "opens_at", &opens, &dt(zone, o.opens_at)))
                    (input(st, f, "closes_at", &closes, &dt(zone, o.closes_at)))
                    (checkbox(st, f, "listed", l.t("Visa på startsidan", "List on the start page"), o.listed))
                    (text_pair(l, st, f, "audience", l.t("Målgrupp", "Audience"), &o.audience, false))
                    (input(st, f, "minutes", l.t("Ungefärlig tid i minuter", "Approximate minutes"), &opt_num(o.minutes)))
                    (input(st, f, "max_responses", l.t("Högsta antal svar", "Maximum responses"), &opt_num(o.max_responses)))
                    (input(st, f, "resume_days", l.t("Dagar en ”fortsätt senare”-kod gäller", "Days a “continue later” code is valid"), &o.resume_days.to_string()))
                    div class="field" {
                        label for="options-access" { (l.t("Åtkomst", "Access")) }
                        select id="options-access" name="access" {
                            option value="open" { (l.t("Alla med länken", "Anyone with the link")) }
                            option value="invitation" selected[st.value(f, "access", if o.access == Access::Invitation { "invitation" } else { "open" }) == "invitation"] { (l.t("Bara med inbjudan", "Invitation only")) }
                        }
                    }
                    (checkbox(st, f, "anonymous", l.t("Spara aldrig vilken inbjudan ett svar kom från", "Never store which invitation a response came from"), o.anonymous))
                }
                fieldset {
                    legend { (l.t("Integritet", "Privacy")) }
                    (text_pair(l, st, f, "purpose", l.t("Syfte", "Purpose"), &o.privacy.purpose, true))
                    div class="field" {
                        label for="options-legal_basis" { (l.t("Rättslig grund", "Legal basis")) }
                        select id="options-legal_basis" name="legal_basis" {
                            option value="public_task" { (l.t("Uppgift av allmänt intresse", "Public task")) }
                            option value="consent" selected[st.value(f, "legal_basis", if o.privacy.legal_basis == LegalBasis::Consent { "consent" } else { "public_task" }) == "consent"] { (l.t("Samtycke", "Consent")) }
                        }
                    }
                    (text_pair(l, st, f, "retention", l.t("Hur länge svaren sparas", "How long answers are kept"), &o.privacy.retention, false))
                    (text_pair(l, st, f, "controller", l.t("Personuppgiftsansvarig och kontakt", "Controller and contact"), &o.privacy.controller, true))
                }
                fieldset {
                    legend { (l.t("Kvoter", "Quotas")) }
                    (textarea(st, f, "quotas", l.t("Kvoter (TOML)", "Quotas (TOML)"), Some(l.t(
                        "En [[quotas]]-tabell per kvot: name, by (frågorna som bildar cellerna), limit (per cell), valfritt limits (egna gränser per cell, t.ex. \"söder × 18-29\" = 20) och message (sv/en). Lämna tomt för inga kvoter.",
                        "One [[quotas]] table per quota: name, by (the questions that form the cells), limit (per cell), optionally limits (own limits per cell, e.g. \"söder × 18-29\" = 20) and message (sv/en). Leave empty for no quotas."
                    )), &form::quotas_text(&o.quotas)))
                }
                fieldset {
                    legend { (l.t("Kontakt och resultat", "Contact and results")) }
                    (text_pair(l, st, f, "contact", l.t("Andra sätt att svara eller få hjälp", "Other ways to answer or get help"), &o.contact, true))
                    (text_pair(l, st, f, "results", l.t("När och var resultaten publiceras", "When and where results are published"), &o.results, true))
                }
                button type="submit" class="button" { (l.t("Spara inställningar", "Save options")) }
            }
        },
    )
}

/// The outcome of an XLSForm import: the new draft and its warnings, or the errors.
pub fn imported(
    ctx: &PageCtx,
    file: Option<&str>,
    stored: Option<&StoredVersion>,
    warnings: &[Issue],
    errors: &[Issue],
) -> Markup {
    let l = ctx.lang;
    let issue_table = |caption: &str, issues: &[Issue]| {
        html! {
            div class="table-scroll" tabindex="0" role="region" aria-label=(caption) {
                table {
                    caption { (caption) }
                    thead { tr {
                        th scope="col" { (l.t("Blad", "Sheet")) }
                        th scope="col" { (l.t("Rad", "Row")) }
                        th scope="col" { (l.t("Kolumn", "Column")) }
                        th scope="col" { (l.t("Meddelande (engelska)", "Message")) }
                    } }
                    tbody {
                        @for i in issues {
                            tr {
                                td { (i.sheet) }
                                td { (opt_num(i.row)) }
                                td { (i.column.as_deref().unwrap_or("")) }
                                td { (i.message) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(
        ctx,
        l.t("Import", "Import"),
        html! {
            p { a href="/designer" { (l.t("Alla enkäter", "All surveys")) } }
            h1 { (l.t("Import av XLSForm", "XLSForm import")) }
            // The browser's name for the upload, so every message is tied to a file.
            @if let Some(name) = file.filter(|n| !n.is_empty()) {
                p { (l.t("Fil: ", "File: ")) code { (name.chars().take(200).collect::<String>()) } }
            }
            @if let Some(v) = stored {
                div class="notice" role="status" {
                    p { (l.t("Importerad som utkast: ", "Imported as a draft: "))
                        a href={ "/designer/" (v.survey.key) "/" (v.survey.version) } { (v.survey.key) " " (l.t("version ", "version ")) (v.survey.version) } }
                }
            } @else {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Arbetsboken kunde inte importeras", "The workbook could not be imported")) }
                }
                (issue_table(l.t("Fel", "Errors"), errors))
            }
            @if !warnings.is_empty() {
                (issue_table(l.t("Varningar", "Warnings"), warnings))
            } @else if stored.is_some() {
                p { (l.t("Inga varningar.", "No warnings.")) }
            }
        },
    )
}
