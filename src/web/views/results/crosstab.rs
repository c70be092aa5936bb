//! The cross-tab builder: a GET form choosing two questions (and filters), then the table of
//! weighted counts and row/column shares with CIs, the cells that differ significantly from
//! independence marked in words, and the Rao–Scott test stated in a sentence.

use maud::{html, Markup};

use super::responses::{num, pct, pval, title};
use crate::use_cases::results::crosstab::{Builder, CrossTabView, Departure, Variable};
use crate::use_cases::results::dataset;
use crate::use_cases::results::report::EstimateReport;
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;
use crate::web::views::layout;

fn picker(l: Lang, id: &str, label: &str, vars: &[Variable], chosen: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                option value="" selected[chosen.is_empty()] { (l.t("Välj fråga", "Choose a question")) }
                @for v in vars {
                    option value=(v.key) selected[v.key == chosen] { (v.label.get(l)) }
                }
            }
        }
    }
}

fn share(l: Lang, e: &EstimateReport) -> Markup {
    html! {
        (pct(l, e.estimate))
        span class="ci" { " (" (pct(l, e.ci[0])) "–" (pct(l, e.ci[1])) ")" }
    }
}

/// `GET /results/{key}/{version}/crosstab`: one GET form (the two questions, then the results
/// page's weighting and filters), then the table.
pub fn page(ctx: &PageCtx, key: &str, version: u32, t: &Result<CrossTabView, Builder>) -> Markup {
    let l = ctx.lang;
    let base = format!("/results/{key}/{version}/crosstab");
    let heading = l.t("Korstabell", "Cross-tab");
    let (survey, vars, row, col, query, choices) = match t {
        Ok(v) => (
            &v.survey,
            &v.variables,
            v.row.key.as_str(),
            v.col.key.as_str(),
            &v.query,
            &v.choices,
        ),
        Err(b) => (&b.survey, &b.variables, "", "", &b.query, &b.choices),
    };
    let lead = html! {
        fieldset {
            legend { (l.t("Frågor", "Questions")) }
            (picker(l, "row", l.t("Rader", "Rows"), vars, row))
            (picker(l, "col", l.t("Kolumner", "Columns"), vars, col))
        }
        // Right after the pickers, so keyboard users reach it without passing the weighting.
        button type="submit" id="show-table-now" class="button" { (l.t("Visa tabellen", "Show the table")) }
    };
    layout::page(
        ctx,
        heading,
        html! {
            h1 { (heading) }
            p { (title(l, survey)) }
            (super::query_form(
                l,
                &base,
                lead,
                (l.t("Visa tabellen", "Show the table"), "show-table"),
                query,
                survey,
                &choices.tables,
                &choices.strata,
            ))
            @if let Ok(v) = t { (table(l, v)) }
        },
    )
}

fn table(l: Lang, v: &CrossTabView) -> Markup {
    let caption = format!("{} × {}", v.row.label.get(l), v.col.label.get(l));
    let rs = &v.rao_scott;
    let significant = rs.p_value < 0.05;
    html! {
        p {
            (v.n) " " (l.t("svar i tabellen", "responses in the table"))
            @if v.weighted { " " (l.t("(viktade med designvikter)", "(weighted by design weights)")) }
            @else { " " (l.t("(oviktade)", "(unweighted)")) }
            ". " (l.t("Andelar med 95 % konfidensintervall inom parentes.", "Shares with 95% confidence intervals in brackets."))
        }
        div class="table-scroll" tabindex="0" role="region" aria-label=(caption) {
            table class="crosstab" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (v.row.label.get(l)) }
                    @for c in &v.col_labels { th scope="col" { (c.get(l)) } }
                } }
                tbody {
                    @for (i, r) in v.row_labels.iter().enumerate() {
                        tr {
                            th scope="row" { (r.get(l)) }
                            @for j in 0..v.col_labels.len() {
                                @let c = &v.cells[i * v.col_labels.len() + j];
                                td class=(match c.departure { Some(Departure::More) => "more", Some(Departure::Fewer) => "fewer", None => "" }) {
                                    div { (l.t("Antal", "Count")) ": " (num(l, c.total.estimate, 0)) " (n = " (c.n) ")" }
                                    div { (l.t("Av raden", "Of row")) ": " (share(l, &c.row_share)) }
                                    div { (l.t("Av kolumnen", "Of column")) ": " (share(l, &c.col_share)) }
                                    @match c.departure {
                                        Some(Departure::More) => div { strong { (l.t("Fler än väntat", "More than expected")) } },
                                        Some(Departure::Fewer) => div { strong { (l.t("Färre än väntat", "Fewer than expected")) } },
                                        None => {},
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p {
            (l.t("Rao–Scotts test av oberoende (andra ordningens korrektion)", "Rao–Scott test of independence (second-order correction)"))
            ": F = " (num(l, rs.f, 2)) ", df = " (num(l, rs.ndf, 2)) " " (l.t("och", "and")) " " (num(l, rs.ddf, 1))
            ", p " @if rs.p_value < 0.001 { (pval(l, rs.p_value)) } @else { "= " (pval(l, rs.p_value)) } ". "
            @if significant { (l.t("Frågorna hänger samman (5 % nivå).", "The questions are associated (5% level).")) }
            @else { (l.t("Inget säkerställt samband (5 % nivå).", "No significant association (5% level).")) }
        }
        (reproduce(l, v))
        p {
            (l.t("Celler markerade \"fler än väntat\" eller \"färre än väntat\" har en justerad residual (designkorrigerad) som är signifikant på 5 % nivå efter Holms korrektion för antalet celler.",
                "Cells marked \"more than expected\" or \"fewer than expected\" have a design-corrected adjusted residual significant at the 5% level after Holm's adjustment for the number of cells."))
        }
    }
}

/// "Reproduce this figure": the dataset link (same query) and the matching command line.
fn reproduce(l: Lang, v: &CrossTabView) -> Markup {
    let key = v.survey.key.as_str();
    let version = v.survey.version;
    let cmd = dataset::command_line(
        &["crosstab", "--rows", &v.row.key, "--cols", &v.col.key],
        key,
        version,
        &v.design_args,
    );
    let mut q = v.query.to_pairs();
    q.push(("row".into(), v.row.key.clone()));
    q.push(("col".into(), v.col.key.clone()));
    let href = format!(
        "/results/{key}/{version}/dataset.csv?{}",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    );
    // Raked: the command repeats the raking and the whole cross-tab with its standard errors.
    // Post-stratified: it repeats the calibration for the share of one row option.
    let crosstab_command = v.calibration.as_ref().and_then(|c| {
        dataset::calibration_crosstab_command(
            key,
            version,
            &v.design_args,
            c,
            &v.row.key,
            &v.col.key,
        )
    });
    let calibrated = v.calibration.as_ref().and_then(|c| {
        if let Some(cmd) = &crosstab_command {
            return Some((c, cmd.clone()));
        }
        let var = dataset::indicator(&v.row.key, v.row_values.first()?);
        let cmd = dataset::calibration_command(key, version, &v.design_args, c, &var)?;
        Some((c, cmd))
    });
    let query = v.query.to_query_string();
    html! {
        section aria-labelledby="reproduce" {
            h2 id="reproduce" { (l.t("Återskapa tabellen", "Reproduce this table")) }
            p {
                a href=(href) download=(dataset::file_name(key, version)) { (l.t("Ladda ner analysdata (CSV)", "Download the analysis dataset (CSV)")) }
                " " (l.t("och kör:", "and run:"))
            }
            pre class="command" { code { (cmd) } }
            p { (l.t(
                "Kolumnen weight är den slutliga vikten efter sidans viktning, så skattningarna blir exakt sidans.",
                "The weight column is the final weight after the page's weighting, so the estimates are exactly the page's.",
            )) }
            @if v.design_args.filtered {
                p { (l.t("Urvalets siffror är domänen in_selection = 1.", "The selection's figures are the domain in_selection = 1.")) }
            }
            @if let Some(c) = &v.calibration {
                @if crosstab_command.is_some() {
                    p id="calibration-note" { (l.t(
                        "Sidan kalibrerar vikterna till en populationstabell. Kommandot ovan behandlar de slutliga vikterna som designvikter, så dess standardfel bortser från kalibreringen. Kommandot nedan upprepar rakingen från design_weight och marginalfilerna och korstabulerar sedan, så att både skattningar och standardfel blir sidans.",
                        "The page calibrates the weights to a population table. The command above treats the final weights as design weights, so its standard errors ignore the calibration. The command below repeats the raking from design_weight and the margin files and then cross-tabulates, so both the estimates and the standard errors are the page's.",
                    )) }
                } @else {
                p id="calibration-note" { (l.t(
                    "Sidan kalibrerar vikterna till en populationstabell. Kommandot ovan behandlar de slutliga vikterna som designvikter, så dess standardfel bortser från kalibreringen och skiljer sig något från sidans. Kalibreringen och dess standardfel upprepas med kommandot nedan (från design_weight och marginalfilerna); det skattar andelen av ett svarsalternativ i hela urvalet, eftersom insikt stats inte korstabulerar eller avgränsar en domän efter kalibrering.",
                    "The page calibrates the weights to a population table. The command above treats the final weights as design weights, so its standard errors ignore the calibration and differ slightly from the page's. The calibration and its standard errors are repeated by the command below (from design_weight and the margin files); it estimates the share of one option in the whole sample, as insikt stats does not cross-tabulate or restrict to a domain after calibrating.",
                )) }
                }
                ul {
                    @for q in &c.questions {
                        li { a href=(format!("/results/{key}/{version}/margin/{q}.csv?{query}")) download=(dataset::margin_file_name(key, version, q)) { (l.t("Marginal för ", "Margin of ")) (q) " (CSV)" } }
                    }
                }
                @if let Some((_, cmd)) = &calibrated {
                    pre class="command" id="calibration-command" { code { (cmd) } }
                } @else {
                    p { (l.t(
                        "Efterstratifiering till kombinationer av flera frågor kan inte upprepas med insikt stats poststratify (en kolumn); använd R:s postStratify på design_weight.",
                        "Post-stratification to combinations of several questions cannot be repeated with insikt stats poststratify (one column); use R's postStratify on design_weight.",
                    )) }
                }
            }
        }
    }
}
