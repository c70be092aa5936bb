//! The trend page: an SVG chart of the estimate and CI per wave (labelled in text, not colour),
//! the same figures as a data table, and the latest change and trend in sentences. A multiple
//! choice shows an overview table of every option's change and then one chart and table per
//! option (small multiples).

use maud::{html, Markup};

use super::responses::{num, pct, pval};
use crate::use_cases::results::trend::{Series, Trend};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;
use crate::web::views::layout;

fn fmt(l: Lang, share: bool, x: f64) -> String {
    if share {
        pct(l, x)
    } else {
        num(l, x, 2)
    }
}

/// Points with CI whiskers per wave; scales to its container (no horizontal scroll at 320 px).
/// `id` must be unique on the page.
fn chart(l: Lang, id: &str, label: &str, share: bool, s: &Series) -> Markup {
    let (w, h, left, right, top, bottom) = (600.0, 260.0, 56.0, 20.0, 20.0, 40.0);
    let (mut lo, mut hi) = if share {
        (0.0, 1.0)
    } else {
        let lo = s
            .waves
            .iter()
            .map(|p| p.ci[0])
            .fold(f64::INFINITY, f64::min);
        let hi = s
            .waves
            .iter()
            .map(|p| p.ci[1])
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        (lo, hi) = (lo.min(0.0), lo.max(0.0) + 1.0);
    }
    let n = s.waves.len().max(1) as f64;
    let x = |k: usize| left + (w - left - right) * (k as f64 + 0.5) / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v.clamp(lo, hi) - lo) / (hi - lo));
    let title = format!("{label} – {}", l.t("per version", "by version"));
    html! {
        svg class="chart" viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby=(format!("{id}-title {id}-desc"))
            preserveAspectRatio="xMidYMid meet" {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (l.t("Skattning med 95 % konfidensintervall per version; samma siffror finns i tabellen nedan.",
                "Estimate with 95% confidence interval per version; the same figures are in the table below.")) }
            line x1=(left) y1=(y(lo)) x2=(w - right) y2=(y(lo)) class="axis" stroke="currentColor" {}
            text x=(left - 6.0) y=(y(hi) + 4.0) text-anchor="end" font-size="12" { (fmt(l, share, hi)) }
            text x=(left - 6.0) y=(y(lo) + 4.0) text-anchor="end" font-size="12" { (fmt(l, share, lo)) }
            @for (k, p) in s.waves.iter().enumerate() {
                line x1=(x(k)) y1=(y(p.ci[0])) x2=(x(k)) y2=(y(p.ci[1])) stroke="currentColor" stroke-width="2" {}
                circle cx=(x(k)) cy=(y(p.estimate)) r="5" fill="currentColor" {}
                text x=(x(k) + 9.0) y=(y(p.estimate) + 4.0) font-size="13" { (fmt(l, share, p.estimate)) }
                text x=(x(k)) y=(h - 12.0) text-anchor="middle" font-size="13" { (l.t("Version", "Version")) " " (p.version) }
            }
            @for k in 1..s.waves.len() {
                line x1=(x(k - 1)) y1=(y(s.waves[k - 1].estimate)) x2=(x(k)) y2=(y(s.waves[k].estimate))
                    stroke="currentColor" stroke-dasharray="4 3" {}
            }
        }
    }
}

/// Whether a p-value is significant at 5 %, in words.
fn significance(l: Lang, p: f64) -> &'static str {
    if p < 0.05 {
        l.t(
            "statistiskt säkerställd (5 % nivå)",
            "statistically significant (5% level)",
        )
    } else {
        l.t(
            "inte statistiskt säkerställd (5 % nivå)",
            "not statistically significant (5% level)",
        )
    }
}

/// One series: its chart, the same figures as a table, the latest change and the trend.
fn series(l: Lang, id: &str, what: &str, share: bool, s: &Series) -> Markup {
    html! {
        @if s.waves.is_empty() { p { (l.t("Inga skattningar (för få svar).", "No estimates (too few answers).")) } }
        @else {
            figure { (chart(l, id, what, share, s)) }
            div class="table-scroll" tabindex="0" role="region" aria-label=(what) {
                table id=(format!("{id}-table")) {
                    caption { (what) }
                    thead { tr {
                        th scope="col" { (l.t("Version", "Version")) }
                        th scope="col" class="num" { (l.t("Skattning", "Estimate")) }
                        th scope="col" class="num" { (l.t("95 % KI", "95% CI")) }
                        th scope="col" class="num" { (l.t("Medelfel", "SE")) }
                        th scope="col" class="num" { "n" }
                    } }
                    tbody { @for p in &s.waves { tr {
                        th scope="row" { (p.version) }
                        td class="num" { (fmt(l, share, p.estimate)) }
                        td class="num" { (fmt(l, share, p.ci[0])) "–" (fmt(l, share, p.ci[1])) }
                        td class="num" { (num(l, p.se, 4)) }
                        td class="num" { (p.n) }
                    } } }
                }
            }
        }
        @if let Some((d, ci, p)) = s.change {
            p {
                (l.t("Senaste förändringen", "Latest change")) ": " (fmt(l, share, d))
                " (95 % KI " (fmt(l, share, ci[0])) "–" (fmt(l, share, ci[1])) "), p = " (pval(l, p)) ". "
                @if p < 0.05 { (l.t("Förändringen är statistiskt säkerställd (5 % nivå).", "The change is statistically significant (5% level).")) }
                @else { (l.t("Förändringen är inte statistiskt säkerställd (5 % nivå).", "The change is not statistically significant (5% level).")) }
            }
        }
        @if let Some((slope, p)) = s.slope {
            p {
                (l.t("Linjär trend per version", "Linear trend per version")) ": " (fmt(l, share, slope)) ", p = " (pval(l, p)) ". "
                (l.t("Versionerna är oberoende urval; förändringen jämför två oberoende skattningar.",
                    "The versions are independent samples; the change compares two independent estimates."))
            }
        }
    }
}

/// A multiple choice: one row per option with its latest change and trend, then per option its
/// chart and table.
fn options(l: Lang, t: &Trend) -> Markup {
    let versions: Vec<u32> = t
        .options
        .iter()
        .find(|o| !o.series.waves.is_empty())
        .map(|o| o.series.waves.iter().map(|p| p.version).collect())
        .unwrap_or_default();
    let caption = l.t(
        "Andel som valt alternativet per version, senaste förändringen och trenden",
        "Share choosing the option per version, the latest change and the trend",
    );
    html! {
        p { (l.t("Flera alternativ kunde väljas: varje andel räknas bland dem som svarat på frågan, så andelarna summerar inte till 100 %.",
            "Several options could be chosen: each share is of those who answered the question, so the shares do not add up to 100%.")) }
        @if t.options.is_empty() { p { (l.t("Inga svar ännu.", "No responses yet.")) } }
        @else {
            div class="table-scroll" tabindex="0" role="region" aria-label=(caption) {
                table id="trend-options" {
                    caption { (caption) }
                    thead { tr {
                        th scope="col" { (l.t("Alternativ", "Option")) }
                        @for v in &versions { th scope="col" class="num" { (l.t("Version ", "Version ")) (v) } }
                        th scope="col" class="num" { (l.t("Senaste förändringen", "Latest change")) }
                        th scope="col" { (l.t("Förändringen", "The change")) }
                        th scope="col" { (l.t("Linjär trend", "Linear trend")) }
                    } }
                    tbody { @for o in &t.options { tr {
                        th scope="row" { (o.label.get(l)) }
                        @for v in &versions {
                            @let p = o.series.waves.iter().find(|p| p.version == *v);
                            td class="num" { (p.map_or_else(|| "–".to_owned(), |p| pct(l, p.estimate))) }
                        }
                        @match o.series.change {
                            Some((d, _, p)) => {
                                td class="num" { (pct(l, d)) }
                                td { "p = " (pval(l, p)) ", " (significance(l, p)) }
                            }
                            None => { td class="num" { "–" } td { "–" } }
                        }
                        @match o.series.slope {
                            Some((_, p)) => { td { "p = " (pval(l, p)) ", " (significance(l, p)) } }
                            None => { td { "–" } }
                        }
                    } } }
                }
            }
            @for (i, o) in t.options.iter().enumerate() {
                @let what = format!("{} \"{}\"", l.t("Andel som valt", "Share choosing"), o.label.get(l));
                section class="trend-option" aria-labelledby=(format!("option-{i}-h")) {
                    h3 id=(format!("option-{i}-h")) { (what) }
                    (series(l, &format!("trend-{i}"), &what, true, &o.series))
                }
            }
        }
    }
}

/// `GET /results/{key}/trend/{question}`
pub fn page(ctx: &PageCtx, key: &str, t: &Trend) -> Markup {
    let l = ctx.lang;
    let base = format!("/results/{key}/trend/{}", t.question);
    let heading = format!("{}: {}", l.t("Trend", "Trend"), t.label.get(l));
    let chosen = t.value.as_ref().map(|(v, _)| v.as_str()).unwrap_or("");
    let what = match &t.value {
        Some((_, label)) => format!(
            "{} \"{}\"",
            l.t("Andel som svarat", "Share answering"),
            label.get(l)
        ),
        None if t.multiple => l
            .t(
                "Andel som valt varje alternativ",
                "Share choosing each option",
            )
            .to_owned(),
        None => l.t("Medelvärde", "Mean").to_owned(),
    };
    let single = Series {
        waves: t.waves.clone(),
        change: t.change,
        slope: t.slope,
    };
    layout::page(
        ctx,
        &heading,
        html! {
            h1 { (heading) }
            p { (t.title.get(l)) }
            (super::query_form(
                l,
                &base,
                html! {
                    @if !t.values.is_empty() {
                        div class="field" {
                            label for="value" { (l.t("Svarsalternativ", "Option")) }
                            select id="value" name="value" {
                                @for (v, label) in &t.values { option value=(v) selected[v == chosen] { (label.get(l)) } }
                            }
                        }
                    }
                },
                (l.t("Visa", "Show"), "show-trend"),
                &t.query,
                &t.survey,
                &t.choices.tables,
                &t.choices.strata,
            ))
            @if let Some(m) = &t.fallback {
                div class="error-summary" role="alert" id="weighting-fallback" {
                    p {
                        (l.t("Den valda viktningen gäller inte alla versioner, så varje version visas med sina designvikter: ",
                            "The chosen weighting does not apply to every version, so each version is shown with its design weights: "))
                        (m.get(l))
                    }
                }
            }
            @if !t.weighting.is_empty() {
                section aria-labelledby="wave-weighting" {
                    h2 id="wave-weighting" { (l.t("Viktning per version", "Weighting per version")) }
                    ul id="weighting-per-wave" {
                        @for (v, w) in &t.weighting {
                            li { (l.t("Version ", "Version ")) (v) ": " (w.get(l)) }
                        }
                    }
                    @if t.query.weighting.table().is_some() && t.fallback.is_none() {
                        p { (l.t(
                            "Medelfelen i trenden behandlar de kalibrerade vikterna som designvikter (något försiktiga).",
                            "The trend's standard errors treat the calibrated weights as design weights (slightly conservative).",
                        )) }
                    }
                }
            }
            h2 { (what) }
            @if t.multiple { (options(l, t)) }
            @else if t.waves.is_empty() { p { (l.t("Inga svar ännu.", "No responses yet.")) } }
            @else { (series(l, "trend", &what, t.share, &single)) }
        },
    )
}
