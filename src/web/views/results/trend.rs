//! The trend page: an SVG chart of the estimate and CI per wave (labelled in text, not colour),
//! the same figures as a data table, and the latest change and trend in sentences.

use maud::{html, Markup};

use super::responses::{num, pct, pval};
use crate::use_cases::results::trend::Trend;
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
fn chart(l: Lang, t: &Trend) -> Markup {
    let (w, h, left, right, top, bottom) = (600.0, 260.0, 56.0, 20.0, 20.0, 40.0);
    let (mut lo, mut hi) = if t.share {
        (0.0, 1.0)
    } else {
        let lo = t
            .waves
            .iter()
            .map(|p| p.ci[0])
            .fold(f64::INFINITY, f64::min);
        let hi = t
            .waves
            .iter()
            .map(|p| p.ci[1])
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        (lo, hi) = (lo.min(0.0), lo.max(0.0) + 1.0);
    }
    let n = t.waves.len().max(1) as f64;
    let x = |k: usize| left + (w - left - right) * (k as f64 + 0.5) / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v.clamp(lo, hi) - lo) / (hi - lo));
    let title = format!("{} – {}", t.label.get(l), l.t("per version", "by version"));
    html! {
        svg class="chart" viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="trend-title trend-desc"
            preserveAspectRatio="xMidYMid meet" {
            title id="trend-title" { (title) }
            desc id="trend-desc" { (l.t("Skattning med 95 % konfidensintervall per version; samma siffror finns i tabellen nedan.",
                "Estimate with 95% confidence interval per version; the same figures are in the table below.")) }
            line x1=(left) y1=(y(lo)) x2=(w - right) y2=(y(lo)) class="axis" stroke="currentColor" {}
            text x=(left - 6.0) y=(y(hi) + 4.0) text-anchor="end" font-size="12" { (fmt(l, t.share, hi)) }
            text x=(left - 6.0) y=(y(lo) + 4.0) text-anchor="end" font-size="12" { (fmt(l, t.share, lo)) }
            @for (k, p) in t.waves.iter().enumerate() {
                line x1=(x(k)) y1=(y(p.ci[0])) x2=(x(k)) y2=(y(p.ci[1])) stroke="currentColor" stroke-width="2" {}
                circle cx=(x(k)) cy=(y(p.estimate)) r="5" fill="currentColor" {}
                text x=(x(k) + 9.0) y=(y(p.estimate) + 4.0) font-size="13" { (fmt(l, t.share, p.estimate)) }
                text x=(x(k)) y=(h - 12.0) text-anchor="middle" font-size="13" { (l.t("Version", "Version")) " " (p.version) }
            }
            @for k in 1..t.waves.len() {
                line x1=(x(k - 1)) y1=(y(t.waves[k - 1].estimate)) x2=(x(k)) y2=(y(t.waves[k].estimate))
                    stroke="currentColor" stroke-dasharray="4 3" {}
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
        None => l.t("Medelvärde", "Mean").to_owned(),
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
            @if t.waves.is_empty() { p { (l.t("Inga svar ännu.", "No responses yet.")) } }
            @else {
                figure { (chart(l, t)) }
                div class="table-scroll" tabindex="0" role="region" aria-label=(what) {
                    table {
                        caption { (what) }
                        thead { tr {
                            th scope="col" { (l.t("Version", "Version")) }
                            th scope="col" class="num" { (l.t("Skattning", "Estimate")) }
                            th scope="col" class="num" { (l.t("95 % KI", "95% CI")) }
                            th scope="col" class="num" { (l.t("Medelfel", "SE")) }
                            th scope="col" class="num" { "n" }
                        } }
                        tbody { @for p in &t.waves { tr {
                            th scope="row" { (p.version) }
                            td class="num" { (fmt(l, t.share, p.estimate)) }
                            td class="num" { (fmt(l, t.share, p.ci[0])) "–" (fmt(l, t.share, p.ci[1])) }
                            td class="num" { (num(l, p.se, 4)) }
                            td class="num" { (p.n) }
                        } } }
                    }
                }
            }
            @if let Some((d, ci, p)) = t.change {
                p {
                    (l.t("Senaste förändringen", "Latest change")) ": " (fmt(l, t.share, d))
                    " (95 % KI " (fmt(l, t.share, ci[0])) "–" (fmt(l, t.share, ci[1])) "), p = " (pval(l, p)) ". "
                    @if p < 0.05 { (l.t("Förändringen är statistiskt säkerställd (5 % nivå).", "The change is statistically significant (5% level).")) }
                    @else { (l.t("Förändringen är inte statistiskt säkerställd (5 % nivå).", "The change is not statistically significant (5% level).")) }
                }
            }
            @if let Some((s, p)) = t.slope {
                p {
                    (l.t("Linjär trend per version", "Linear trend per version")) ": " (fmt(l, t.share, s)) ", p = " (pval(l, p)) ". "
                    (l.t("Versionerna är oberoende urval; förändringen jämför två oberoende skattningar.",
                        "The versions are independent samples; the change compares two independent estimates."))
                }
            }
        },
    )
}
