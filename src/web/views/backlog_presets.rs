//! The ranking model's named presets (list, new/edit form, delete, default), the AHP pairwise
//! comparison page (a select per pair of criteria on Saaty's 1–9 scale both ways, the weights and
//! the consistency ratio with a warning in words above 0.1) and the parts of `/backlog` that say
//! what is shown (a published snapshot as stored, or a live ranking with a preset), choose a
//! preset and publish. No JavaScript; every control has a label.

use std::collections::HashMap;

use maud::{html, Markup};

use super::charts::percent;
use super::layout::{self, csrf_field, error_summary};
use crate::domain::backlog_preset::{pair_field, saaty_code, Problem};
use crate::domain::lang::Msg;
use crate::domain::local_time::display_short;
use crate::use_cases::backlog::presets::{criteria, AhpOutcome, BacklogIndex, PresetView, Shown};
use crate::use_cases::backlog::ranking::{criterion_label, RankingSettings};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A form as typed (field → value), to fill the fields again after a refusal.
pub type Values = HashMap<String, String>;

fn val<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k).map_or("", String::as_str)
}

fn number(x: f64, l: Lang) -> String {
    let s = crate::domain::expr::format_number((x * 1e6).round() / 1e6);
    match l {
        Lang::Sv => s.replace('.', ","),
        Lang::En => s,
    }
}

fn label(c: &str, l: Lang) -> String {
    l.pick(&criterion_label(c)).to_owned()
}

fn breadcrumb(l: Lang) -> Markup {
    html! {
        p class="breadcrumb" {
            a href="/staff" { (l.t("Översikt", "Overview")) } " › "
            a href="/backlog" { (l.t("Backlogg", "Backlog")) } " › "
            a href="/backlog/presets" { (l.t("Förinställningar", "Presets")) }
        }
    }
}

fn problems_of(l: Lang, problems: &[Problem]) -> Vec<(&str, String)> {
    problems
        .iter()
        .map(|p| (p.field.as_str(), l.pick(&p.why).to_owned()))
        .collect()
}

fn field_error<'a>(problems: &'a [Problem], field: &str) -> Option<&'a Msg> {
    problems.iter().find(|p| p.field == field).map(|p| &p.why)
}

/// The weights of a preset in words: "Behov 30 %, Räckvidd 20 % …" (normalised shares).
pub fn weights_text(p: &PresetView, l: Lang) -> String {
    let names = criteria();
    let total: f64 = names.iter().map(|c| p.weights.weight(c)).sum();
    names
        .iter()
        .map(|c| {
            let w = p.weights.weight(c);
            let share = if total > 0.0 { w / total } else { 0.0 };
            let unset = if p.weights.names(c) {
                ""
            } else {
                l.t(" (ej satt)", " (not set)")
            };
            format!("{} {}{unset}", label(c, l), percent(share))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn source_text(p: &PresetView, l: Lang) -> String {
    match &p.ahp {
        None => l.t("inskrivna vikter", "typed weights").to_owned(),
        Some(a) => match a.consistency_ratio {
            Some(cr) => format!(
                "{} {}",
                l.t(
                    "AHP-jämförelse, konsistenskvot",
                    "AHP comparison, consistency ratio"
                ),
                number((cr * 1000.0).round() / 1000.0, l)
            ),
            None => l.t("AHP-jämförelse", "AHP comparison").to_owned(),
        },
    }
}

/// `GET /backlog/presets`: every preset with its weights, default, edit and delete.
pub fn list(ctx: &PageCtx, presets: &[PresetView]) -> Markup {
    let l = ctx.lang;
    let title = l.t("Förinställningar för rangordningen", "Ranking presets");
    layout::page(
        ctx,
        title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            p { (l.t(
                "En förinställning är en namngiven uppsättning kriterievikter. Standardförinställningen används på backloggsidan när läsaren inte väljer någon annan, och när backloggen publiceras.",
                "A preset is a named set of criteria weights. The default preset is used on the backlog page when the reader chooses no other, and when the backlog is published."
            )) }
            ul class="staff-links" {
                li { a href="/backlog/presets/new" { (l.t("Ny förinställning med inskrivna vikter", "New preset with typed weights")) } }
                li { a href="/backlog/presets/ahp" { (l.t("Ny förinställning från parvisa jämförelser (AHP)", "New preset from pairwise comparisons (AHP)")) } }
            }
            @if presets.is_empty() {
                p { (l.t(
                    "Inga förinställningar ännu; backloggen rangordnas med de inbyggda vikterna.",
                    "No presets yet; the backlog is ranked with the built-in weights."
                )) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(title) { table class="data" {
                    caption { (l.t("Förinställningar, standard först", "Presets, the default first")) }
                    thead { tr {
                        th scope="col" { (l.t("Namn", "Name")) }
                        th scope="col" { (l.t("Vikter (andel av summan)", "Weights (share of the total)")) }
                        th scope="col" { (l.t("Ursprung", "Source")) }
                        th scope="col" { (l.t("Ändrad", "Changed")) }
                        th scope="col" { (l.t("Åtgärder", "Actions")) }
                    } }
                    tbody { @for p in presets { tr {
                        th scope="row" {
                            (p.name)
                            @if p.is_default { " " span class="tag" { (l.t("standard", "default")) } }
                            @if let Some(d) = p.description() { p class="hint" { (l.pick(&d)) } }
                        }
                        td { (weights_text(p, l)) }
                        td { (source_text(p, l)) }
                        td { (display_short(p.updated_at, &ctx.zone)) " " (l.t("av", "by")) " " (p.updated_by) }
                        td {
                            a href={ "/backlog/presets/" (p.id) "/edit" } { (l.t("Ändra", "Edit")) span class="visually-hidden" { " " (p.name) } }
                            " · "
                            a href={ "/backlog?preset=" (p.id) } { (l.t("Visa rangordning", "Show ranking")) span class="visually-hidden" { " " (p.name) } }
                            @if !p.is_default {
                                form method="post" action={ "/backlog/presets/" (p.id) "/default" } class="inline-form" {
                                    (csrf_field(&ctx.csrf))
                                    button type="submit" class="button small secondary" {
                                        (l.t("Gör till standard", "Make default")) span class="visually-hidden" { ": " (p.name) }
                                    }
                                }
                            }
                            form method="post" action={ "/backlog/presets/" (p.id) "/delete" } class="inline-form" {
                                (csrf_field(&ctx.csrf))
                                button type="submit" class="button small secondary" {
                                    (l.t("Ta bort", "Delete")) span class="visually-hidden" { ": " (p.name) }
                                }
                            }
                        }
                    } } }
                } }
                p class="hint" { (l.t(
                    "Publicerade backloggar behåller namnet och vikterna de publicerades med, även om förinställningen ändras eller tas bort.",
                    "Published backlogs keep the name and weights they were published with, even if the preset is changed or deleted."
                )) }
            }
        },
    )
}

/// The values of a stored preset for its edit form.
pub fn values_of(p: &PresetView, l: Lang) -> Values {
    let mut v = Values::new();
    v.insert("name".into(), p.name.clone());
    v.insert(
        "description_sv".into(),
        p.description_sv.clone().unwrap_or_default(),
    );
    v.insert(
        "description_en".into(),
        p.description_en.clone().unwrap_or_default(),
    );
    for c in criteria() {
        v.insert(format!("w_{c}"), number(p.weights.weight(c), l));
    }
    if p.is_default {
        v.insert("default".into(), "on".into());
    }
    v
}

/// The values of a new preset's form: the built-in weights.
pub fn new_values(l: Lang) -> Values {
    let d = RankingSettings::default();
    criteria()
        .iter()
        .zip(d.weights)
        .map(|(c, w)| (format!("w_{c}"), number(w, l)))
        .collect()
}

fn text_field(
    name: &str,
    title: &str,
    hint: Option<&str>,
    v: &Values,
    problems: &[Problem],
    l: Lang,
    inputmode: Option<&str>,
) -> Markup {
    let error = field_error(problems, name);
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
            label for=(name) { (title) }
            @if let Some(h) = hint { p id={ (name) "-hint" } class="hint" { (h) } }
            @if let Some(m) = error { p id={ (name) "-error" } class="field-error" { (l.pick(m)) } }
            input id=(name) name=(name) type="text" value=(val(v, name)) inputmode=[inputmode]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
        }
    }
}

fn describe_fields(v: &Values, problems: &[Problem], l: Lang) -> Markup {
    html! {
        (text_field("name", l.t("Namn", "Name"), Some(l.t("Unikt, högst 80 tecken.", "Unique, at most 80 characters.")), v, problems, l, None))
        @for (f, t) in [("description_sv", l.t("Beskrivning (svenska, frivillig)", "Description (Swedish, optional)")),
                        ("description_en", l.t("Beskrivning (engelska, frivillig)", "Description (English, optional)"))] {
            @let error = field_error(problems, f);
            div class={ "field" @if error.is_some() { " has-error" } } {
                label for=(f) { (t) }
                @if let Some(m) = error { p id={ (f) "-error" } class="field-error" { (l.pick(m)) } }
                textarea id=(f) name=(f) rows="2" aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| format!("{f}-error"))] { (val(v, f)) }
            }
        }
        div class="field" {
            input type="checkbox" id="default" name="default" value="on" checked[val(v, "default") == "on"];
            " "
            label for="default" { (l.t("Använd som standard på backloggsidan", "Use as the default on the backlog page")) }
        }
    }
}

/// `GET /backlog/presets/new` and `/backlog/presets/{id}/edit`: name, descriptions, a weight per
/// criterion, default. `editing`: the preset's id and whether its weights came from AHP.
pub fn form(
    ctx: &PageCtx,
    v: &Values,
    editing: Option<(&str, bool)>,
    problems: &[Problem],
    problem: Option<&Msg>,
) -> Markup {
    let l = ctx.lang;
    let title = match editing {
        None => l.t("Ny förinställning", "New preset").to_owned(),
        Some(_) => format!(
            "{} {}",
            l.t("Ändra förinställningen", "Edit the preset"),
            val(v, "name")
        ),
    };
    let action = match editing {
        None => "/backlog/presets".to_owned(),
        Some((id, _)) => format!("/backlog/presets/{id}"),
    };
    let weights_error = field_error(problems, "weights");
    layout::page(
        ctx,
        &title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            (error_summary(l, &problems_of(l, problems)))
            @if let Some(m) = problem { div class="notice-error" role="alert" { p { (l.pick(m)) } } }
            @if let Some((id, true)) = editing {
                p class="notice" { (l.t(
                    "Vikterna kommer från en AHP-jämförelse. Sparar du inskrivna vikter här ersätts jämförelsen. ",
                    "The weights come from an AHP comparison. Saving typed weights here replaces the comparison. "
                )) a href={ "/backlog/presets/ahp?from=" (id) } { (l.t("Öppna jämförelsen", "Open the comparison")) } }
            }
            form method="post" action=(action) class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                (describe_fields(v, problems, l))
                fieldset id="weights" aria-describedby=[weights_error.map(|_| "weights-error")] {
                    legend { (l.t("Kriterievikter", "Criteria weights")) }
                    p class="hint" { (l.t(
                        "Icke-negativa tal; de delas med sin summa, så 3, 2 och 1 betyder halva, en tredjedel och en sjättedel. Minst en vikt måste vara större än 0.",
                        "Non-negative numbers; they are divided by their sum, so 3, 2 and 1 mean a half, a third and a sixth. At least one weight must be greater than 0."
                    )) }
                    @if let Some(m) = weights_error { p id="weights-error" class="field-error" { (l.pick(m)) } }
                    @for c in criteria() {
                        @let f = format!("w_{c}");
                        (text_field(&f, &label(c, l), None, v, problems, l, Some("decimal")))
                    }
                }
                button type="submit" class="button" { (l.t("Spara förinställningen", "Save the preset")) }
            }
        },
    )
}

/// Saaty's scale in words (the odd points; even points lie between).
fn intensity(k: i32, l: Lang) -> &'static str {
    match k {
        1 => l.t("lika viktiga", "equally important"),
        2 => l.t("lika till måttligt", "equal to moderately"),
        3 => l.t("måttligt", "moderately"),
        4 => l.t("måttligt till starkt", "moderately to strongly"),
        5 => l.t("starkt", "strongly"),
        6 => l.t("starkt till mycket starkt", "strongly to very strongly"),
        7 => l.t("mycket starkt", "very strongly"),
        8 => l.t("mycket starkt till extremt", "very strongly to extremely"),
        _ => l.t("extremt", "extremely"),
    }
}

fn pair_select(a: &str, b: &str, v: &Values, problems: &[Problem], l: Lang) -> Markup {
    let f = pair_field(a, b);
    let chosen = v.get(&f).map_or("1", String::as_str);
    let (la, lb) = (label(a, l), label(b, l));
    let error = field_error(problems, &f);
    let codes = (2..=9).rev().chain([1]).chain((2..=9).map(|k: i32| -k));
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(f) { (la) " " (l.t("jämfört med", "compared with")) " " (lb) }
            @if let Some(m) = error { p id={ (f) "-error" } class="field-error" { (l.pick(m)) } }
            select id=(f) name=(f) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{f}-error"))] {
                @for code in codes {
                    @let s = code.to_string();
                    option value=(s) selected[s == chosen] {
                        @if code == 1 {
                            (l.t("1 – lika viktiga", "1 – equally important"))
                        } @else if code > 0 {
                            (code) " – " (la) " " (intensity(code, l)) " " (l.t("viktigare", "more important"))
                        } @else {
                            (-code) " – " (lb) " " (intensity(-code, l)) " " (l.t("viktigare", "more important"))
                        }
                    }
                }
            }
        }
    }
}

/// The values of the AHP form from stored judgements (to open a preset's comparison again).
pub fn ahp_values(p: &PresetView) -> Values {
    let mut v = Values::new();
    if let Some(a) = &p.ahp {
        for j in &a.judgements {
            v.insert(pair_field(&j.a, &j.b), saaty_code(j.value).to_string());
        }
    }
    v
}

/// `GET /backlog/presets/ahp`: the comparison form, and when every pair is answered the weights,
/// the consistency ratio (a warning in words above 0.1) and a form to save them as a preset.
pub fn ahp_page(
    ctx: &PageCtx,
    v: &Values,
    outcome: Option<&AhpOutcome>,
    problems: &[Problem],
    problem: Option<&Msg>,
) -> Markup {
    let l = ctx.lang;
    let title = l.t(
        "Kriterievikter från parvisa jämförelser (AHP)",
        "Criteria weights from pairwise comparisons (AHP)",
    );
    let names = criteria();
    let compare_problems: Vec<Problem> = problems
        .iter()
        .filter(|p| p.field.starts_with("ahp_"))
        .cloned()
        .collect();
    layout::page(
        ctx,
        title,
        html! {
            (breadcrumb(l))
            h1 { (title) }
            p { (l.t(
                "Jämför kriterierna två och två: vilket är viktigast för prioriteringen, och hur mycket? Skalan är Saatys 1–9 åt båda hållen (1 lika viktiga, 3 måttligt, 5 starkt, 7 mycket starkt, 9 extremt viktigare; jämna tal ligger mellan). Vikterna blir jämförelsematrisens egenvektor, och konsistenskvoten visar hur väl jämförelserna hänger ihop.",
                "Compare the criteria two at a time: which matters more for the prioritisation, and by how much? The scale is Saaty's 1–9 both ways (1 equally, 3 moderately, 5 strongly, 7 very strongly, 9 extremely more important; even numbers lie between). The weights are the comparison matrix's eigenvector, and the consistency ratio shows how well the comparisons agree."
            )) }
            (error_summary(l, &problems_of(l, problems)))
            @if let Some(m) = problem { div class="notice-error" role="alert" { p { (l.pick(m)) } } }
            form method="get" action="/backlog/presets/ahp" class="stack" {
                fieldset {
                    legend { (l.t("Parvisa jämförelser", "Pairwise comparisons")) }
                    @for (i, a) in names.iter().enumerate() {
                        @for b in &names[i + 1..] {
                            (pair_select(a, b, v, &compare_problems, l))
                        }
                    }
                }
                button type="submit" class="button" id="ahp-compute" { (l.t("Beräkna vikterna", "Compute the weights")) }
            }
            @if let Some(o) = outcome {
                h2 id="result" { (l.t("Resultat", "Result")) }
                @if o.inconsistent {
                    div class="notice-error" role="alert" {
                        p { strong { (l.t("Varning: jämförelserna är inte konsekventa.", "Warning: the comparisons are not consistent.")) } " "
                            (l.t("Konsistenskvoten är", "The consistency ratio is")) " "
                            (o.consistency_ratio.map_or("–".to_owned(), |cr| number((cr * 1000.0).round() / 1000.0, l)))
                            (l.t(
                                ", över Saatys gräns 0,1. Se över jämförelserna (till exempel om A är viktigare än B och B viktigare än C, bör A vara viktigare än C) innan vikterna används.",
                                ", above Saaty's limit of 0.1. Review the comparisons (for instance, if A matters more than B and B more than C, A should matter more than C) before the weights are used."
                            )) }
                    }
                } @else {
                    p class="notice" { (l.t("Jämförelserna är tillräckligt konsekventa: konsistenskvoten är", "The comparisons are consistent enough: the consistency ratio is")) " "
                        (o.consistency_ratio.map_or("–".to_owned(), |cr| number((cr * 1000.0).round() / 1000.0, l)))
                        (l.t(" (högst 0,1).", " (at most 0.1).")) }
                }
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Vikter", "Weights")) { table class="data" {
                    caption { (l.t("Vikter från jämförelserna", "Weights from the comparisons")) }
                    thead { tr { th scope="col" { (l.t("Kriterium", "Criterion")) } th scope="col" { (l.t("Vikt", "Weight")) } } }
                    tbody { @for (c, w) in &o.weights { tr { th scope="row" { (label(c, l)) } td { (percent(*w)) } } } }
                } }
                dl class="facts" {
                    dt { "λ" sub { "max" } } dd { (number((o.lambda_max * 1000.0).round() / 1000.0, l)) }
                    dt { (l.t("Konsistensindex", "Consistency index")) } dd { (number((o.consistency_index * 10000.0).round() / 10000.0, l)) }
                    dt { (l.t("Konsistenskvot", "Consistency ratio")) }
                    dd { (o.consistency_ratio.map_or("–".to_owned(), |cr| number((cr * 10000.0).round() / 10000.0, l))) }
                }
                h2 { (l.t("Spara som förinställning", "Save as a preset")) }
                form method="post" action="/backlog/presets" class="stack" novalidate {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="source" value="ahp";
                    @for j in &o.judgements {
                        input type="hidden" name=(pair_field(&j.a, &j.b)) value=(saaty_code(j.value));
                    }
                    (describe_fields(v, problems, l))
                    button type="submit" class="button" id="ahp-save" { (l.t("Spara förinställningen", "Save the preset")) }
                }
            }
        },
    )
}

/// Above the ranking on `/backlog`: what is shown (a snapshot as published, or a live ranking and
/// its preset) and the form choosing a preset for a live ranking.
pub fn index_header(ctx: &PageCtx, index: &BacklogIndex) -> Markup {
    let l = ctx.lang;
    let current = match &index.shown {
        Shown::Live { preset, .. } => preset.as_ref().map(|p| p.id.as_str()),
        Shown::Snapshot(_) => None,
    };
    html! {
        @match &index.shown {
            Shown::Snapshot(s) => {
                div class="notice" {
                    p { strong { (l.t("Publicerad backlogg.", "Published backlog.")) } " "
                        (l.t("Visar ögonblicksbilden som publicerades", "Showing the snapshot published")) " "
                        (display_short(s.published_at, &ctx.zone)) " " (l.t("av", "by")) " " (s.published_by)
                        ", " (l.t("förinställning", "preset")) " "
                        @match &s.preset_name { Some(n) => { "”" (n) "”" } None => { (l.t("ingen (vikterna angavs direkt)", "none (weights given directly)")) } }
                        ". " (l.t("Siffrorna är de som frystes vid publiceringen; inget räknas om.", "The figures are those frozen when it was published; nothing is recomputed."))
                        " " a href={ "/backlog/snapshots/" (s.id) } { (l.t("Ögonblicksbilden", "The snapshot")) } }
                }
            }
            Shown::Live { preset, .. } => {
                div class="notice" {
                    p { strong { (l.t("Aktuell rangordning.", "Current ranking.")) } " "
                        (l.t("Beräknad nu från dagens data med", "Computed now from today's data with")) " "
                        @match preset {
                            Some(p) => { (l.t("förinställningen", "the preset")) " ”" (p.name) "” (" (weights_text(p, l)) ")." }
                            None => { (l.t("de inbyggda vikterna (ingen förinställning är standard).", "the built-in weights (no preset is the default).")) }
                        }
                        " " a href="/backlog" { (l.t("Senast publicerade backloggen", "The latest published backlog")) } }
                }
            }
        }
        form method="get" action="/backlog" class="inline-form" {
            input type="hidden" name="live" value="1";
            label for="preset" { (l.t("Rangordna nu med förinställningen", "Rank now with the preset")) }
            select id="preset" name="preset" {
                option value="" selected[current.is_none()] {
                    (l.t("standard", "the default"))
                    @if let Some(d) = index.presets.iter().find(|p| p.is_default) { " (" (d.name) ")" }
                }
                @for p in &index.presets {
                    option value=(p.id) selected[current == Some(p.id.as_str())] { (p.name) }
                }
            }
            button type="submit" class="button small" { (l.t("Visa", "Show")) }
        }
    }
}

/// Below the ranking on `/backlog` for researchers and admins: publish with a preset, and the
/// link to the presets.
pub fn publish_form(ctx: &PageCtx, index: &BacklogIndex) -> Markup {
    let l = ctx.lang;
    let current = match &index.shown {
        Shown::Live { preset, .. } => preset.as_ref().map(|p| p.id.as_str()),
        Shown::Snapshot(_) => None,
    };
    let d = RankingSettings::default();
    html! {
        form method="post" action="/backlog/publish" class="stack" {
            (csrf_field(&ctx.csrf))
            fieldset {
                legend { (l.t("Publicera backloggen (fryser rangordningen med alla indata)", "Publish the backlog (freezes the ranking with all its inputs)")) }
                p class="hint" { (l.t(
                    "Rangordningen räknas om med dagens data och förinställningen; ögonblicksbilden behåller förinställningens namn och vikter.",
                    "The ranking is computed with today's data and the preset; the snapshot keeps the preset's name and weights."
                )) }
                label for="publish-preset" { (l.t("Förinställning", "Preset")) }
                select id="publish-preset" name="preset" {
                    option value="" selected[current.is_none()] {
                        (l.t("standard", "the default"))
                        @if let Some(d) = index.presets.iter().find(|p| p.is_default) { " (" (d.name) ")" }
                    }
                    @for p in &index.presets {
                        option value=(p.id) selected[current == Some(p.id.as_str())] { (p.name) }
                    }
                }
                label for="sek_per_eservice_contact" { (l.t("Kr per e-tjänstekontakt", "SEK per e-service contact")) }
                input type="text" inputmode="decimal" id="sek_per_eservice_contact" name="sek_per_eservice_contact" value=(d.sek_per_eservice_contact);
            }
            button type="submit" class="button" { (l.t("Publicera", "Publish")) }
        }
        p { a href="/backlog/presets" { (l.t("Förinställningar och AHP-jämförelser", "Presets and AHP comparisons")) } }
    }
}
