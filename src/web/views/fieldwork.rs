//! Fieldwork pages: the researcher's view of who was invited and who answered (per stratum and
//! per day, with lagging strata marked in words), the sample and list upload forms, the
//! allocation table of a drawn sample, and the printable A4 invitation letters.

use maud::{html, Markup};

use super::layout::{self, csrf_field};
use crate::domain::lang::Msg;
use crate::domain::survey::Text;
use crate::formats::letters as letters_doc;
use crate::use_cases::fieldwork::{
    DrawOutcome, FieldworkCounts, LetterPage, Overview, Stored, StratumPlan, PER_PAGE,
};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A stratum lags when its response rate is this many percentage points under the overall rate.
pub const LAG_POINTS: f64 = 5.0;

fn title_in(l: Lang, t: &Text) -> &str {
    t.get_or(l.code(), "sv")
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// A percentage with one decimal, in the language's decimal separator.
fn pct(l: Lang, p: Option<f64>) -> String {
    match p {
        None => "–".into(),
        Some(p) => {
            let s = format!("{p:.1}");
            match l {
                Lang::Sv => format!("{} %", s.replace('.', ",")),
                Lang::En => format!("{s}%"),
            }
        }
    }
}

fn prob(l: Lang, p: f64) -> String {
    let s = format!("{p:.4}");
    match l {
        Lang::Sv => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A stored UTC moment to the minute in the page's zone ("2026-12-01 09:50"), not the RFC 3339
/// string with nanoseconds.
pub fn minute(ctx: &PageCtx, t: time::PrimitiveDateTime) -> String {
    crate::domain::local_time::display_short(t, &ctx.zone)
}

/// The allocation table of a sample, strata in key order (the draw's order is the frame's).
pub fn allocation_table(l: Lang, caption: &str, plan: &[StratumPlan]) -> Markup {
    let mut plan: Vec<&StratumPlan> = plan.iter().collect();
    plan.sort_by(|a, b| a.stratum.cmp(&b.stratum));
    let (pop, n): (usize, usize) = plan
        .iter()
        .fold((0, 0), |(a, b), p| (a + p.population, b + p.sample));
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label=(caption) {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (l.t("Stratum", "Stratum")) }
                    th scope="col" class="num" { abbr title=(l.t("antal i ramen", "units in the frame")) { "N" sub { "h" } } }
                    th scope="col" class="num" { abbr title=(l.t("antal dragna", "units drawn")) { "n" sub { "h" } } }
                    th scope="col" class="num" { abbr title=(l.t("urvalssannolikhet", "inclusion probability")) { "π" sub { "h" } } }
                    th scope="col" class="num" { (l.t("Designvikt", "Design weight")) }
                } }
                tbody {
                    @for p in &plan {
                        tr {
                            th scope="row" { (p.stratum) }
                            td class="num" { (p.population) }
                            td class="num" { (p.sample) }
                            td class="num" { (prob(l, p.probability)) }
                            td class="num" { @if p.sample > 0 { (prob(l, p.population as f64 / p.sample as f64)) } @else { "–" } }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { (l.t("Totalt", "Total")) }
                    td class="num" { (pop) }
                    td class="num" { (n) }
                    td {}
                    td {}
                } }
            }
        }
    }
}

fn summary(l: Lang, c: &FieldworkCounts) -> Markup {
    let row = |label: &str, value: String| html! { tr { th scope="row" { (label) } td class="num" { (value) } } };
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Läget i fältarbetet", "Fieldwork status")) {
            table class="fieldwork-summary" {
                caption { (l.t("Läget i fältarbetet", "Fieldwork status")) }
                thead { tr {
                    th scope="col" { (l.t("Mått", "Measure")) }
                    th scope="col" class="num" { (l.t("Antal", "Count")) }
                } }
                tbody {
                    (row(l.t("Inbjudna", "Invited"), c.invitations.to_string()))
                    (row(l.t("Med e-postadress", "With an e-mail address"), c.with_email.to_string()))
                    (row(l.t("E-post skickade", "E-mails sent"), c.emails_sent.to_string()))
                    (row(l.t("E-post i kö", "E-mails queued"), c.emails_queued.to_string()))
                    (row(l.t("Studsade", "Bounced"), c.bounced.to_string()))
                    (row(l.t("Avregistrerade", "Opted out"), c.opted_out.to_string()))
                    (row(l.t("Misslyckade utskick", "Failed deliveries"), c.deliveries_failed.to_string()))
                    (row(l.t("Utskick som försöks igen", "Deliveries being retried"), c.deliveries_retrying.to_string()))
                    (row(l.t("Påbörjade", "Started"), c.started.to_string()))
                    (row(l.t("Fullständiga svar", "Completed"), c.completed.to_string()))
                    (row(l.t("Svarsfrekvens", "Response rate"), pct(l, rate(c.completed, c.invitations))))
                }
            }
        }
    }
}

fn delivery_errors(ctx: &PageCtx, c: &FieldworkCounts) -> Markup {
    let l = ctx.lang;
    html! {
        @if !c.last_errors.is_empty() {
            div class="notice notice-error" role="status" {
                h3 { (l.t("Problem med e-postutskick", "Problems sending e-mail")) }
                p { (l.t(
                    "E-postservern har inte tagit emot de här meddelandena. Inget av dem räknas som skickat.",
                    "The mail server did not accept these messages. None of them counts as sent."
                )) }
                ul class="delivery-errors" {
                    @for e in &c.last_errors {
                        li {
                            strong { (e.kind) } " – " (e.status) ", "
                            (e.attempts) " " (l.t("försök", "attempts")) ", "
                            (minute(ctx, e.next_attempt_at)) ": "
                            code { (e.error) }
                        }
                    }
                }
            }
        }
    }
}

fn per_stratum(l: Lang, c: &FieldworkCounts) -> Markup {
    let overall = rate(c.completed, c.invitations);
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Svar per stratum", "Responses per stratum")) {
            table {
                caption {
                    (l.t("Svar per stratum", "Responses per stratum"))
                    span class="caption-note" { (l.t(
                        " – ett stratum släpar efter när dess svarsfrekvens är mer än 5 procentenheter under den totala.",
                        " – a stratum lags when its response rate is more than 5 percentage points under the overall rate."
                    )) }
                }
                thead { tr {
                    th scope="col" { (l.t("Stratum", "Stratum")) }
                    th scope="col" class="num" { (l.t("Inbjudna", "Invited")) }
                    th scope="col" class="num" { (l.t("Svar", "Completed")) }
                    th scope="col" class="num" { (l.t("Svarsfrekvens", "Response rate")) }
                    th scope="col" { (l.t("Läge", "Status")) }
                } }
                tbody {
                    @for s in &c.per_stratum {
                        @let r = rate(s.completed, s.invited);
                        @let lagging = matches!((r, overall), (Some(r), Some(o)) if r < o - LAG_POINTS);
                        tr class=[lagging.then_some("lagging")] {
                            th scope="row" { (s.stratum.as_deref().unwrap_or(l.t("(lista, inget urval)", "(list, no sample)"))) }
                            td class="num" { (s.invited) }
                            td class="num" { (s.completed) }
                            td class="num" { (pct(l, r)) }
                            td {
                                @if lagging { strong class="lag-marker" { (l.t("Släpar efter", "Lagging")) } }
                                @else { (l.t("I fas", "On track")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn per_day(l: Lang, c: &FieldworkCounts) -> Markup {
    let rows: Vec<(time::Date, u64, u64)> = c
        .per_day
        .iter()
        .scan(0u64, |total, (day, n)| {
            *total += n;
            Some((*day, *n, *total))
        })
        .collect();
    html! {
        @if c.per_day.is_empty() {
            p { (l.t("Inga fullständiga svar från inbjudna ännu.", "No completed responses from invitations yet.")) }
        } @else {
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Svar per dag", "Responses per day")) {
                table {
                    caption { (l.t("Svar per dag", "Responses per day")) }
                    thead { tr {
                        th scope="col" { (l.t("Dag", "Day")) }
                        th scope="col" class="num" { (l.t("Svar", "Completed")) }
                        th scope="col" class="num" { (l.t("Totalt hittills", "Total so far")) }
                        th scope="col" class="num" { (l.t("Svarsfrekvens hittills", "Response rate so far")) }
                    } }
                    tbody {
                        @for (day, n, cumulative) in &rows {
                            tr {
                                th scope="row" { (day) }
                                td class="num" { (n) }
                                td class="num" { (cumulative) }
                                td class="num" { (pct(l, rate(*cumulative, c.invitations))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn text_input(id: &str, label: &str, hint: Option<&str>, value: &str) -> Markup {
    let hint_id = format!("{id}-hint");
    html! {
        div class="field" {
            label for=(id) { (label) }
            @if let Some(h) = hint { p id=(hint_id) class="hint" { (h) } }
            input id=(id) name=(id.split_once('-').map(|(_, n)| n).unwrap_or(id)) type="text" value=(value)
                aria-describedby=[hint.map(|_| hint_id.as_str())];
        }
    }
}

fn column_fields(l: Lang, prefix: &str) -> Markup {
    html! {
        fieldset class="column-map" {
            legend { (l.t("Vilka kolumner innehåller kontaktuppgifterna?", "Which columns hold the contact details?")) }
            p class="hint" { (l.t(
                "Kolumner som saknas i filen lämnas tomma. Adressrader skiljs åt med radbrytning eller |. Språket är sv eller en (tomt: svenska).",
                "Columns missing from the file are left empty. Address lines are separated by line breaks or |. The language is sv or en (empty: Swedish)."
            )) }
            @for (name, sv, en) in [
                ("col_id", "Id / referensnummer", "Id / reference number"),
                ("col_email", "E-post", "E-mail"),
                ("col_phone", "Telefon", "Phone"),
                ("col_name", "Namn", "Name"),
                ("col_address", "Postadress", "Postal address"),
                ("col_language", "Språk", "Language"),
            ] {
                (text_input(&format!("{prefix}-{name}"), l.t(sv, en), None, name.trim_start_matches("col_")))
            }
        }
    }
}

fn error_box(l: Lang, message: &Msg) -> Markup {
    html! {
        div class="error-summary" role="alert" tabindex="-1" {
            h3 { (l.t("Filen kunde inte användas", "The file could not be used")) }
            p { (message.get(l)) }
            p { (l.t("Ingenting har sparats.", "Nothing was stored.")) }
        }
    }
}

fn sample_form(ctx: &PageCtx, key: &str, error: Option<&Msg>) -> Markup {
    let l = ctx.lang;
    html! {
        h2 id="sample" { (l.t("Dra ett stratifierat urval", "Draw a stratified sample")) }
        @if let Some(e) = error { (error_box(l, e)) }
        p { (l.t(
            "Ladda upp urvalsramen som CSV (UTF-8, rubrikrad, högst 1 000 000 rader). Ramen sparas inte: bara de dragna enheterna blir inbjudningar, och urvalet sparar ramens namn, antal rader och kontrollsumma (SHA-256) så att dragningen kan upprepas med samma fil och frö.",
            "Upload the sampling frame as CSV (UTF-8, header row, at most 1,000,000 rows). The frame is not stored: only the drawn units become invitations, and the sample keeps the frame's name, row count and checksum (SHA-256) so the draw can be repeated with the same file and seed."
        )) }
        form method="post" action={ "/fieldwork/" (key) "/sample" } enctype="multipart/form-data" class="stack" {
            (csrf_field(&ctx.csrf))
            div class="field" {
                label for="sample-frame" { (l.t("Urvalsram (.csv)", "Sampling frame (.csv)")) }
                input id="sample-frame" name="frame" type="file" accept=".csv,text/csv";
            }
            (text_input("sample-strata", l.t("Stratifieringskolumner", "Stratification columns"),
                Some(l.t("Kommaseparerade, t.ex. district,age_group", "Comma-separated, e.g. district,age_group")), ""))
            fieldset {
                legend { (l.t("Fördelning", "Allocation")) }
                div class="choices" {
                    @for (value, sv, en) in [
                        ("proportional", "Proportionell: n totalt, eller en urvalsandel", "Proportional: total n, or a sampling rate"),
                        ("fixed", "Fast: n i varje stratum", "Fixed: n in every stratum"),
                        ("neyman", "Neyman: n totalt, efter förväntad standardavvikelse", "Neyman: total n, by expected standard deviation"),
                    ] {
                        div class="choice" {
                            input id={ "sample-allocation-" (value) } type="radio" name="allocation" value=(value) checked[value == "proportional"];
                            label for={ "sample-allocation-" (value) } { (l.t(sv, en)) }
                        }
                    }
                }
            }
            (text_input("sample-n", "n", Some(l.t("Urvalsstorlek (per stratum för fast fördelning)", "Sample size (per stratum for fixed allocation)")), ""))
            (text_input("sample-rate", l.t("Urvalsandel (0–1)", "Sampling rate (0–1)"), Some(l.t("Bara för proportionell fördelning utan n", "Only for proportional allocation without n")), ""))
            (text_input("sample-sd_column", l.t("Kolumn med förväntad standardavvikelse", "Column with the expected standard deviation"), Some(l.t("Bara för Neyman", "Neyman only")), ""))
            (text_input("sample-seed", l.t("Frö", "Seed"), Some(l.t("Tomt: ett slumpat frö, som sparas med urvalet", "Empty: a random seed, stored with the sample")), ""))
            (column_fields(l, "sample"))
            button type="submit" class="button" { (l.t("Dra urvalet", "Draw the sample")) }
        }
    }
}

fn list_form(ctx: &PageCtx, key: &str, error: Option<&Msg>) -> Markup {
    let l = ctx.lang;
    html! {
        h2 id="list" { (l.t("Ladda upp en lista", "Upload a list")) }
        @if let Some(e) = error { (error_box(l, e)) }
        p { (l.t(
            "En CSV-lista med e-postadresser, referensnummer eller postadresser blir inbjudningar utan urval och utan vikter.",
            "A CSV list of e-mail addresses, reference numbers or postal addresses becomes invitations without sampling and without weights."
        )) }
        form method="post" action={ "/fieldwork/" (key) "/list" } enctype="multipart/form-data" class="stack" {
            (csrf_field(&ctx.csrf))
            div class="field" {
                label for="list-file" { (l.t("Lista (.csv)", "List (.csv)")) }
                input id="list-file" name="list" type="file" accept=".csv,text/csv";
            }
            (column_fields(l, "list"))
            button type="submit" class="button" { (l.t("Skapa inbjudningar", "Create invitations")) }
        }
    }
}

/// Which form an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadForm {
    /// The sample draw.
    Sample,
    /// The list upload.
    List,
}

/// `/fieldwork/{key}`: counts, per stratum, per day, samples, and the upload forms.
pub fn page(ctx: &PageCtx, o: &Overview, error: Option<(UploadForm, &Msg)>) -> Markup {
    let l = ctx.lang;
    let title = title_in(l, &o.title);
    let c = &o.counts;
    layout::page(
        ctx,
        l.t("Fältarbete", "Fieldwork"),
        html! {
            h1 { (l.t("Fältarbete: ", "Fieldwork: ")) (title) }
            p { code { (o.key) } }
            ul class="designer-actions" {
                li { a href={ "/fieldwork/" (o.key) "/letters" } { (l.t("Brev att skriva ut", "Letters to print")) } }
                li { a href="#sample" { (l.t("Dra ett urval", "Draw a sample")) } }
                li { a href="#list" { (l.t("Ladda upp en lista", "Upload a list")) } }
                li { a href={ "/designer/" (o.key) "/options" } { (l.t("Inställningar", "Options")) } }
            }
            (delivery_errors(ctx, c))
            (summary(l, c))
            h2 { (l.t("Per stratum", "Per stratum")) }
            (per_stratum(l, c))
            h2 { (l.t("Per dag", "Per day")) }
            (per_day(l, c))
            h2 { (l.t("Urval", "Samples")) }
            @if o.samples.is_empty() {
                p { (l.t("Inga urval har dragits.", "No samples have been drawn.")) }
            }
            @for s in &o.samples {
                @let r = &s.record;
                h3 { (r.frame_name) " – " (minute(ctx, r.created_at)) }
                p {
                    (r.allocation) ", " (l.t("frö ", "seed ")) code { (r.seed as u64) } ", "
                    (r.frame_rows) " " (l.t("rader i ramen", "rows in the frame")) ", SHA-256 " code class="hash" { (r.frame_sha256) }
                    " " a href={ "/fieldwork/" (o.key) "/letters?sample=" (r.id) } { (l.t("Brev för urvalet", "Letters for this sample")) }
                    " " a href={ "/fieldwork/" (o.key) "/samples/" (r.id) ".csv" } download { (l.t("Ladda ner urvalet (CSV)", "Download the sample (CSV)")) }
                }
                (allocation_table(l, &format!("{} {}", l.t("Fördelning för", "Allocation of"), r.frame_name), &s.plan))
            }
            (sample_form(ctx, &o.key, error.filter(|e| e.0 == UploadForm::Sample).map(|e| e.1)))
            (list_form(ctx, &o.key, error.filter(|e| e.0 == UploadForm::List).map(|e| e.1)))
        },
    )
}

/// After a draw: the allocation table and what was created.
pub fn drawn(ctx: &PageCtx, key: &str, d: &DrawOutcome) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Urvalet är draget", "The sample is drawn"),
        html! {
            h1 { (l.t("Urvalet är draget", "The sample is drawn")) }
            p class="lead" {
                (d.stored.invitations) " " (l.t("inbjudningar skapades av", "invitations were created from")) " "
                (d.frame_rows) " " (l.t("rader i ramen. Frö:", "rows in the frame. Seed:")) " " code class="seed" { (d.seed) }
            }
            p { (l.t(
                "Ramen sparades inte. Samma fil och samma frö ger samma urval.",
                "The frame was not stored. The same file and seed give the same sample."
            )) }
            (allocation_table(l, l.t("Fördelning per stratum", "Allocation per stratum"), &d.plan))
            ul {
                @if let Some(id) = &d.stored.sample_id {
                    li { a href={ "/fieldwork/" (key) "/letters?sample=" (id) } { (l.t("Brev för urvalet", "Letters for this sample")) } }
                    li { a href={ "/fieldwork/" (key) "/samples/" (id) ".csv" } download { (l.t("Ladda ner urvalet (CSV)", "Download the sample (CSV)")) } }
                }
                li { a href={ "/fieldwork/" (key) } { (l.t("Tillbaka till fältarbetet", "Back to fieldwork")) } }
            }
        },
    )
}

/// After a list upload.
pub fn listed(ctx: &PageCtx, key: &str, s: &Stored) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Inbjudningarna är skapade", "The invitations are created"),
        html! {
            h1 { (l.t("Inbjudningarna är skapade", "The invitations are created")) }
            p class="lead" { (s.invitations) " " (l.t("inbjudningar skapades från listan.", "invitations were created from the list.")) }
            p { a href={ "/fieldwork/" (key) } { (l.t("Tillbaka till fältarbetet", "Back to fieldwork")) } }
        },
    )
}

/// The letters page: the printable document (one batch of letters) with the print
/// instructions, links to the other batches and a way back.
pub fn letters(lang: Lang, p: &LetterPage, sample: Option<&str>) -> Markup {
    let l = lang;
    let batch = &p.batch;
    let href = |page: usize| {
        let page = page.to_string();
        let mut pairs = vec![("page", page.as_str())];
        pairs.extend(sample.map(|s| ("sample", s)));
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        format!("/fieldwork/{}/letters?{query}", batch.survey.key)
    };
    let shown = if p.pages > 1 {
        format!(
            "{} {}–{} {} {} ({} {} {} {}),",
            l.t("Brev", "Letters"),
            p.first + 1,
            p.first + batch.letters.len(),
            l.t("av", "of"),
            p.total,
            l.t("utskrift", "print run"),
            p.page,
            l.t("av", "of"),
            p.pages,
        )
    } else {
        format!("{} {}", batch.letters.len(), l.t("brev,", "letters,"))
    };
    let hint = html! {
        div class="print-hint no-print" {
            h1 { (letters_doc::title(l, batch)) }
            p {
                (shown) " " (l.t("ett per A4-sida.", "one per A4 page."))
                " " (l.t(
                    "Skriv ut med webbläsarens utskriftsfunktion (Ctrl+P eller ⌘P), A4, utan sidhuvud och sidfot. Den här rutan skrivs inte ut.",
                    "Print with the browser's print command (Ctrl+P or ⌘P), A4, without headers and footers. This box is not printed."
                ))
            }
            @if p.pages > 1 {
                p { (match l {
                    Lang::Sv => format!("Breven visas i omgångar om högst {PER_PAGE} så att sidan går att ladda och skriva ut; skriv ut varje omgång för sig."),
                    Lang::En => format!("The letters come in runs of at most {PER_PAGE} so that the page loads and prints; print each run on its own."),
                }) }
                nav class="pager" aria-label=(l.t("Utskriftsomgångar", "Print runs")) {
                    ul {
                        @for n in 1..=p.pages {
                            li {
                                @if n == p.page { a href=(href(n)) aria-current="page" { (n) } }
                                @else { a href=(href(n)) { (n) } }
                            }
                        }
                    }
                }
            }
            p { a href={ "/fieldwork/" (batch.survey.key) } { (l.t("Tillbaka till fältarbetet", "Back to fieldwork")) } }
        }
    };
    letters_doc::document(l, batch, "/static/app.css", Some(hint))
}
