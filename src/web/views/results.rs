//! The results pages: the index of versions with their completed responses, one version's
//! results (the filter and weighting form, the weighting diagnostics, and per question a chart
//! with its data table), and the population tables page (list and upload).

pub mod crosstab;
pub mod responses;
pub mod text;
pub mod trend;

use maud::{html, Markup};

use super::charts::{self, percent, Bar, Segment};
use super::layout::{self, csrf_field};
use crate::domain::lang::Msg;
use crate::domain::response::Mode;
use crate::domain::survey::{placeholders, QuestionKind, Survey, Text};
use crate::use_cases::results::maxdiff::MaxDiffResult;
use crate::use_cases::results::page::{
    Figure, Figures, IndexRow, QuestionResult, ResultsPage, Shown,
};
use crate::use_cases::results::population::PopulationTable;
use crate::use_cases::results::query::{lonely_psu_label, LonelyPsu, ResultsQuery, Weighting};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A label in the page's language; a piped `${key}` reads "(svaret på ”…”)" (no respondent here).
fn text(t: &Text, l: Lang, survey: &Survey) -> String {
    placeholders::readable(survey, t.get_or(l.code(), &survey.default_language), l)
}

fn number(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "–".to_owned()
    }
}

/// `GET /results`.
pub fn index(ctx: &PageCtx, rows: &[IndexRow]) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Resultat", "Results"),
        html! {
            h1 { (l.t("Resultat", "Results")) }
            p { a href="/results/population" { (l.t("Populationstabeller för viktning", "Population tables for weighting")) } }
            @if rows.is_empty() {
                p { (l.t("Det finns inga enkäter än.", "There are no surveys yet.")) }
            } @else {
                div class="table-scroll" {
                    table {
                        caption { (l.t("Enkätversioner och antal inkomna svar", "Survey versions and completed responses")) }
                        thead { tr {
                            th scope="col" { (l.t("Enkät", "Survey")) }
                            th scope="col" { (l.t("Version", "Version")) }
                            th scope="col" class="num" { (l.t("Svar", "Responses")) }
                        } }
                        tbody {
                            @for r in rows {
                                tr {
                                    td { a href={ "/results/" (r.key) "/" (r.version) } { (r.title.get_or(l.code(), "sv")) } }
                                    td { (r.version) }
                                    td class="num" { (r.responses) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The results of one version; a query or weighting that could not be applied is shown above
/// the form, which keeps the reader's choices.
pub fn page(ctx: &PageCtx, key: &str, version: u32, shown: &Shown) -> Markup {
    let (query, survey, tables, strata) =
        (&shown.query, &shown.survey, &shown.tables, &shown.strata);
    let (results, problem) = match &shown.page {
        Ok(p) => (Some(p), None),
        Err(m) => (None, Some(m)),
    };
    let l = ctx.lang;
    let title = survey.title.get_or(l.code(), &survey.default_language);
    layout::page(
        ctx,
        &format!("{} – {title}", l.t("Resultat", "Results")),
        html! {
            p class="breadcrumb" { a href="/results" { (l.t("Resultat", "Results")) } }
            h1 { (title) " – " (l.t("version", "version")) " " (version) }
            (responses::analyses_nav(l, key, version, survey, &query.to_query_string()))
            @if shown.empty {
                p role="status" id="no-responses" { (l.pick(problem.unwrap_or(&Msg::fixed("", "")))) }
            } @else if let Some(m) = problem {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Det gick inte att visa resultaten så", "The results cannot be shown that way")) }
                    p { (l.pick(m)) }
                }
            }
            (filter_form(l, key, version, query, survey, tables, strata))
            @if let Some(r) = results {
                (diagnostics(l, r))
                @for (i, q) in r.questions.iter().enumerate() {
                    (question(l, survey, i, q))
                }
                @for m in &r.maxdiff {
                    (maxdiff(l, survey, m))
                }
            }
        },
    )
}

fn filter_form(
    l: Lang,
    key: &str,
    version: u32,
    query: &ResultsQuery,
    survey: &Survey,
    tables: &[(String, String, Vec<String>)],
    strata: &[String],
) -> Markup {
    query_form(
        l,
        &format!("/results/{key}/{version}"),
        html! {},
        (l.t("Visa resultat", "Show results"), "show-results"),
        query,
        survey,
        tables,
        strata,
    )
}

/// The results page's weighting and filter form, shared by the pages that follow the results
/// page's query (the cross-tab): a GET form to `action`, `lead` (e.g. the cross-tab's question
/// pickers) first, then the weighting and filter fieldsets, then the button (`submit`: text, id).
#[allow(clippy::too_many_arguments)]
pub fn query_form(
    l: Lang,
    action: &str,
    lead: Markup,
    submit: (&str, &str),
    query: &ResultsQuery,
    survey: &Survey,
    tables: &[(String, String, Vec<String>)],
    strata: &[String],
) -> Markup {
    let w = &query.weighting;
    let f = &query.filters;
    let singles: Vec<_> = survey
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::SingleChoice { .. }))
        .collect();
    let chosen_table = w.table().and_then(|id| tables.iter().find(|t| t.0 == id));
    html! {
        form method="get" action=(action) class="stack results-form" {
            (lead)
            fieldset {
                legend { (l.t("Viktning", "Weighting")) }
                @for (value, sv, en) in [
                    ("unweighted", "Oviktat", "Unweighted"),
                    ("design", "Designvikter från urvalet", "Design weights from the sample"),
                    ("poststratified", "Efterstratifierat till en populationstabell", "Post-stratified to a population table"),
                    ("raked", "Rakat till en populationstabell", "Raked to a population table"),
                ] {
                    div class="choice" {
                        input type="radio" name="weighting" id={ "w-" (value) } value=(value) checked[w.kind() == value];
                        label for={ "w-" (value) } { (l.t(sv, en)) }
                    }
                }
                div class="field" {
                    label for="table" { (l.t("Populationstabell", "Population table")) }
                    select id="table" name="table" {
                        option value="" { "—" }
                        @for (id, name, _) in tables {
                            option value=(id) selected[w.table() == Some(id.as_str())] { (name) }
                        }
                    }
                }
                @if let Some((_, name, columns)) = chosen_table {
                    p class="hint" { (l.t("Vilken fråga motsvarar varje kolumn i ", "Which question each column of ")) (name) (l.t("?", " stands for:")) }
                    @for c in columns {
                        @let current = w.columns().iter().find(|(col, _)| col == c).map(|(_, q)| q.as_str());
                        div class="field" {
                            label for={ "map-" (c) } { (c) }
                            select id={ "map-" (c) } name={ "map." (c) } {
                                option value="" selected[current.is_none() && !w.columns().is_empty()] { (l.t("(används inte)", "(not used)")) }
                                @for q in &singles {
                                    option value=(q.key) selected[current == Some(q.key.as_str()) || (w.columns().is_empty() && q.key == *c)] {
                                        (q.key) ": " (text(&q.label, l, survey))
                                    }
                                }
                            }
                        }
                    }
                }
                div class="field" {
                    label for="lonely" { (l.t("Strata med en enda PSU (svar)", "Strata with a single PSU (response)")) }
                    select id="lonely" name="lonely" {
                        @for p in LonelyPsu::ALL {
                            option value=(p.as_str()) selected[query.lonely_psu == p] { (l.pick(&lonely_psu_label(p))) }
                        }
                    }
                }
            }
            fieldset {
                legend { (l.t("Filter", "Filters")) }
                @for q in &singles {
                    @if let QuestionKind::SingleChoice { list, .. } = &q.kind {
                        @let current = f.background.iter().find(|(k, _)| *k == q.key).map(|(_, v)| v.as_str());
                        div class="field" {
                            label for={ "f-" (q.key) } { (text(&q.label, l, survey)) }
                            select id={ "f-" (q.key) } name={ "f." (q.key) } {
                                option value="" { (l.t("Alla", "All")) }
                                @for c in survey.choice_list(list).unwrap_or_default() {
                                    option value=(c.value) selected[current == Some(c.value.as_str())] { (text(&c.label, l, survey)) }
                                }
                            }
                        }
                    }
                }
                fieldset class="inline-fieldset" {
                    legend { (l.t("Svarssätt", "Response mode")) }
                    @for (m, sv, en) in [(Mode::Web, "Webb", "Web"), (Mode::Phone, "Telefon", "Phone"), (Mode::Paper, "Papper", "Paper")] {
                        div class="choice" {
                            input type="checkbox" name="mode" id={ "mode-" (m.as_str()) } value=(m.as_str()) checked[f.modes.contains(&m)];
                            label for={ "mode-" (m.as_str()) } { (l.t(sv, en)) }
                        }
                    }
                }
                div class="field" {
                    label for="from" { (l.t("Inkommet från (ÅÅÅÅ-MM-DD)", "Submitted from (YYYY-MM-DD)")) }
                    input type="date" id="from" name="from" value=(f.from.map(|d| d.to_string()).unwrap_or_default());
                }
                div class="field" {
                    label for="to" { (l.t("Inkommet till och med (ÅÅÅÅ-MM-DD)", "Submitted up to (YYYY-MM-DD)")) }
                    input type="date" id="to" name="to" value=(f.to.map(|d| d.to_string()).unwrap_or_default());
                }
                @if strata.len() > 1 {
                    fieldset class="inline-fieldset" {
                        legend { (l.t("Stratum", "Stratum")) }
                        @for (i, s) in strata.iter().enumerate() {
                            div class="choice" {
                                input type="checkbox" name="stratum" id={ "stratum-" (i) } value=(s) checked[f.strata.contains(s)];
                                label for={ "stratum-" (i) } { (s) }
                            }
                        }
                    }
                }
            }
            button type="submit" id=(submit.1) class="button" { (submit.0) }
        }
    }
}

/// MaxDiff scores: a signed bar chart of best − worst per time shown with 95% intervals, and
/// the data table with the counts and the method's logit.
fn maxdiff(l: Lang, survey: &Survey, m: &MaxDiffResult) -> Markup {
    let q = survey.question(&m.key);
    let label = q.map_or_else(|| m.key.clone(), |q| text(&q.label, l, survey));
    let label = label.as_str();
    let list = q.and_then(|q| match &q.kind {
        QuestionKind::MaxDiff { list, .. } => survey.choice_list(list),
        _ => None,
    });
    let item_label = |v: &str| -> String {
        list.and_then(|cs| cs.iter().find(|c| c.value == v))
            .map(|c| text(&c.label, l, survey))
            .unwrap_or_else(|| v.to_owned())
    };
    let bars: Vec<Bar> = m
        .items
        .iter()
        .map(|(v, s)| Bar {
            label: item_label(v),
            value: s.score,
            ci: s.ci,
        })
        .collect();
    let id = format!("maxdiff-{}", m.key);
    let title = format!("{label} – {}", l.t("MaxDiff-poäng", "MaxDiff scores"));
    let desc = l.t(
        "Bäst minus sämst per gång objektet visades (−1 till +1), med 95 % konfidensintervall.",
        "Best minus worst per time the item was shown (−1 to +1), with 95% confidence intervals.",
    );
    html! {
        section class="question maxdiff" aria-labelledby={ (id) "-h" } id=(id) {
            h2 id={ (id) "-h" } { (title) }
            p class="counts" {
                (m.respondents) " " (l.t("svarande", "respondents")) ", " (m.tasks) " " (l.t("besvarade uppgifter", "answered tasks")) ". "
                (l.t(
                    "Poängen räknar valen bland svaren i urvalet och är oviktade; intervallen kommer från MaxDiff-metodens logit.",
                    "The scores count the choices among the selected responses and are unweighted; the intervals come from the MaxDiff method's logit.",
                ))
            }
            figure { (charts::signed_bars(&id, &title, desc, &bars)) }
            div class="table-scroll" tabindex="0" role="region" aria-label=(title) {
                table id={ (id) "-table" } {
                    caption { (title) }
                    thead { tr {
                        th scope="col" { (l.t("Objekt", "Item")) }
                        th scope="col" class="num" { (l.t("Visat", "Shown")) }
                        th scope="col" class="num" { (l.t("Bäst", "Best")) }
                        th scope="col" class="num" { (l.t("Sämst", "Worst")) }
                        th scope="col" class="num" { (l.t("Bäst − sämst", "Best − worst")) }
                        th scope="col" class="num" { (l.t("Poäng", "Score")) }
                        th scope="col" class="num" { (l.t("95 % KI", "95% CI")) }
                        th scope="col" class="num" { (l.t("Logit (medelfel)", "Logit (SE)")) }
                        th scope="col" class="num" { (l.t("Valandel", "Choice share")) }
                    } }
                    tbody {
                        @for (v, s) in &m.items {
                            tr data-key=(v) {
                                th scope="row" { (item_label(v)) }
                                td class="num" { (s.method.n) }
                                td class="num" { (s.method.best) }
                                td class="num" { (s.method.worst) }
                                td class="num" { (s.method.best as i64 - s.method.worst as i64) }
                                td class="num est" { (charts::signed(s.score)) }
                                td class="num" { (charts::signed(s.ci.0)) " – " (charts::signed(s.ci.1)) }
                                td class="num" { (number(s.method.b, 2)) " (" (number(s.method.se, 2)) ")" }
                                td class="num" { (percent(s.method.choice_p)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn weighting_name(l: Lang, w: &Weighting) -> &'static str {
    match w {
        Weighting::Unweighted => l.t("oviktat", "unweighted"),
        Weighting::Design => l.t("designvikter", "design weights"),
        Weighting::PostStratified { .. } => l.t("efterstratifierat", "post-stratified"),
        Weighting::Raked { .. } => l.t("rakat", "raked"),
    }
}

fn diagnostics(l: Lang, r: &ResultsPage) -> Markup {
    let p = &r.prepared;
    let d = &p.diagnostics;
    html! {
        section class="diagnostics" aria-labelledby="diag-h" {
            h2 id="diag-h" { (l.t("Viktning och urval", "Weighting and sample")) }
            dl class="answers" {
                dt { (l.t("Svar i urvalet (filtrerat)", "Responses (filtered)")) }
                dd id="n-filtered" { (p.n) " " (l.t("av", "of")) " " (p.data.len()) }
                dt { (l.t("Viktning", "Weighting")) }
                dd { (weighting_name(l, &p.query.weighting))
                    @if let Some(t) = &d.table_name { " – " (t) }
                    @if !d.columns.is_empty() {
                        " (" @for (i, (c, q)) in d.columns.iter().enumerate() { @if i > 0 { ", " } (c) " → " (q) } ")"
                    }
                }
                dt { (l.t("Vikter (min–max)", "Weights (min–max)")) }
                dd { (number(d.weight_range.0, 3)) " – " (number(d.weight_range.1, 3)) }
                dt { (l.t("Effektiv urvalsstorlek (Kish)", "Effective sample size (Kish)")) }
                dd id="kish-n" { (number(d.kish_n, 1)) }
                dt { (l.t("Designeffekt av viktningen", "Design effect from weighting")) }
                dd id="deff-w" { (number(d.deff_weighting, 3)) }
                @if let Some(rk) = &d.rake {
                    dt { (l.t("Raking", "Raking")) }
                    dd id="rake" {
                        @if rk.converged { (l.t("konvergerade", "converged")) } @else { strong { (l.t("konvergerade inte", "did not converge")) } }
                        ", " (rk.iterations) " " (l.t("iterationer, största relativa avvikelse", "iterations, largest relative gap")) " " (format!("{:.2e}", rk.max_error))
                    }
                }
                dt { (l.t("Strata med en enda PSU", "Strata with a single PSU")) }
                dd id="lonely" {
                    (l.pick(&lonely_psu_label(d.lonely_psu)))
                    @if d.lonely_strata.is_empty() { " – " (l.t("inga sådana strata", "no such strata")) }
                    @else { " – " (d.lonely_strata.join(", ")) }
                }
            }
            p class="hint" { (l.t(
                "Andelar räknas bland giltiga svar; ”vet inte” och saknade svar redovisas för sig. Intervallen är 95 % konfidensintervall.",
                "Shares are among valid answers; \u{201c}don't know\u{201d} and missing answers are counted apart. Intervals are 95% confidence intervals."
            )) }
        }
    }
}

fn counts(l: Lang, q: &QuestionResult) -> Markup {
    html! {
        p class="counts" {
            (l.t("Giltiga svar", "Valid answers")) ": " span class="n-valid" { (q.n_valid) }
            " · " (l.t("vet inte", "don't know")) ": " span class="n-dk" { (q.n_dont_know) }
            " · " (l.t("saknas", "missing")) ": " span class="n-missing" { (q.n_missing) }
        }
    }
}

fn table(l: Lang, survey: &Survey, caption: &str, figures: &[Figure], share: bool) -> Markup {
    html! {
        div class="table-scroll" {
            table class="results-table" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (l.t("Svar", "Answer")) }
                    th scope="col" class="num" { @if share { (l.t("Andel", "Share")) } @else { (l.t("Skattning", "Estimate")) } }
                    th scope="col" class="num" { (l.t("95 % KI", "95% CI")) }
                    th scope="col" class="num" { "n" }
                } }
                tbody {
                    @for f in figures {
                        tr data-key=(f.key) {
                            th scope="row" { (text(&f.label, l, survey)) }
                            @if share {
                                td class="num est" { (percent(f.estimate)) }
                                td class="num" { (percent(f.ci.0)) " – " (percent(f.ci.1)) }
                            } @else {
                                td class="num est" { (number(f.estimate, 2)) }
                                td class="num" { (number(f.ci.0, 2)) " – " (number(f.ci.1, 2)) }
                            }
                            td class="num" { (f.n) }
                        }
                    }
                }
            }
        }
    }
}

fn to_bars(l: Lang, survey: &Survey, figures: &[Figure]) -> Vec<Bar> {
    figures
        .iter()
        .map(|f| Bar {
            label: text(&f.label, l, survey),
            value: f.estimate,
            ci: f.ci,
        })
        .collect()
}

fn question(l: Lang, survey: &Survey, i: usize, q: &QuestionResult) -> Markup {
    let id = format!("q{i}");
    let label = &*text(&q.label, l, survey);
    let bars_desc = l.t(
        "Stapel per svar med andel och 95 % konfidensintervall; värdena finns i tabellen nedan.",
        "One bar per answer with share and 95% confidence interval; the values are in the table below.",
    );
    html! {
        section class="question-result" id={ "result-" (q.key) } aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (label) }
            (counts(l, q))
            @match &q.figures {
                Figures::Choice(f) | Figures::Multi(f) => {
                    (charts::bars(&id, label, bars_desc, &to_bars(l, survey, f)))
                    (table(l, survey, label, f, true))
                }
                Figures::Scale { points, mean } => {
                    @let segs: Vec<Segment> = points.iter().map(|f| Segment { label: text(&f.label, l, survey), value: f.estimate }).collect();
                    (charts::diverging(&id, label, l.t("Fördelning över skalan, lägst till vänster", "Distribution over the scale, lowest on the left"), &segs))
                    p class="mean" { (l.t("Medelvärde", "Mean")) ": " span class="est" { (number(mean.estimate, 2)) } " (95 % KI " (number(mean.ci.0, 2)) " – " (number(mean.ci.1, 2)) ")" }
                    (table(l, survey, label, points, true))
                }
                Figures::Mean(m) => {
                    (table(l, survey, label, std::slice::from_ref(m), false))
                }
                Figures::Kano(k) => {
                    @let names = [
                        ("A", l.t("attraktiv", "attractive")),
                        ("O", l.t("endimensionell", "one-dimensional")),
                        ("M", l.t("grundkrav", "must-be")),
                        ("I", l.t("likgiltig", "indifferent")),
                        ("R", l.t("omvänd", "reverse")),
                        ("Q", l.t("tveksam", "questionable")),
                    ];
                    @let total: u64 = k.counts.iter().sum();
                    @let letter = format!("{:?}", k.category);
                    p class="kano" {
                        (l.t("Kano-kategori", "Kano category")) ": "
                        strong class="est" { (names.iter().find(|(c, _)| *c == letter).map(|(_, n)| *n).unwrap_or("")) }
                        " · Better " (number(k.better, 2)) " · Worse " (number(k.worse, 2))
                    }
                    @let bars: Vec<Bar> = names.iter().zip(&k.counts).map(|((_, n), &c)| Bar { label: (*n).to_owned(), value: if total > 0 { c as f64 / total as f64 } else { f64::NAN }, ci: (f64::NAN, f64::NAN) }).collect();
                    (charts::bars(&id, label, l.t("Andel svarspar per Kano-kategori; värdena finns i tabellen nedan.", "Share of answer pairs per Kano category; the values are in the table below."), &bars))
                    div class="table-scroll" {
                        table class="results-table" {
                            caption { (label) }
                            thead { tr { th scope="col" { (l.t("Kategori", "Category")) } th scope="col" class="num" { (l.t("Andel", "Share")) } th scope="col" class="num" { "n" } } }
                            tbody {
                                @for (b, &c) in bars.iter().zip(&k.counts) {
                                    tr { th scope="row" { (b.label) } td class="num" { (percent(b.value)) } td class="num" { (c) } }
                                }
                            }
                        }
                    }
                }
                Figures::Matrix(rows) => {
                    div class="small-multiples" {
                        @for (j, (row, f)) in rows.iter().enumerate() {
                            @let rl = &*text(&row.label, l, survey);
                            div class="multiple" {
                                h3 { (rl) }
                                (charts::bars(&format!("{id}-{j}"), rl, bars_desc, &to_bars(l, survey, f)))
                                (table(l, survey, rl, f, true))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /results/population`: the stored tables and the upload form.
pub fn population(ctx: &PageCtx, tables: &[PopulationTable], problem: Option<&Msg>) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Populationstabeller", "Population tables"),
        html! {
            p class="breadcrumb" { a href="/results" { (l.t("Resultat", "Results")) } }
            h1 { (l.t("Populationstabeller", "Population tables")) }
            @if let Some(m) = problem {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { (l.t("Tabellen sparades inte", "The table was not stored")) }
                    p { (l.pick(m)) }
                }
            }
            @if tables.is_empty() {
                p { (l.t("Inga tabeller än.", "No tables yet.")) }
            } @else {
                div class="table-scroll" {
                    table {
                        caption { (l.t("Sparade tabeller", "Stored tables")) }
                        thead { tr {
                            th scope="col" { (l.t("Namn", "Name")) }
                            th scope="col" { (l.t("Kolumner (kategorier)", "Columns (categories)")) }
                            th scope="col" class="num" { (l.t("Celler", "Cells")) }
                            th scope="col" class="num" { (l.t("Totalt", "Total")) }
                        } }
                        tbody {
                            @for t in tables {
                                tr {
                                    td { (t.name) }
                                    td { @for (i, c) in t.columns.iter().enumerate() { @if i > 0 { "; " } (c) " (" (t.categories(i).len()) ")" } }
                                    td class="num" { (t.cells.len()) }
                                    td class="num" { (number(t.total, 0)) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (l.t("Ladda upp en tabell", "Upload a table")) }
            p { (l.t(
                "En CSV-fil med en kolumn per bakgrundsvariabel och sist kolumnen count, en rad per kombination av kategorier, t.ex. district,age_group,gender,count. Kategorierna ska vara svarsalternativens värden eller etiketter; vilken fråga varje kolumn motsvarar väljer du på resultatsidan.",
                "A CSV file with one column per background variable and, last, the column count, one row per combination of categories, e.g. district,age_group,gender,count. Categories are the choices' values or labels; which question each column stands for is chosen on the results page."
            )) }
            form method="post" action="/results/population" enctype="multipart/form-data" class="stack" {
                (csrf_field(&ctx.csrf))
                div class="field" {
                    label for="name" { (l.t("Namn", "Name")) }
                    input type="text" id="name" name="name" required maxlength="100";
                }
                div class="field" {
                    label for="file" { (l.t("CSV-fil", "CSV file")) }
                    input type="file" id="file" name="file" accept=".csv,text/csv" required;
                }
                button type="submit" class="button" { (l.t("Ladda upp", "Upload")) }
            }
        },
    )
}
