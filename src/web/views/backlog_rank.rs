//! The management view of the ranked backlog (`/backlog`), an area's evidence page with the benefit
//! calculation step by step, and the one-page printable report. Every chart is an accessible SVG
//! with the same figures in a table beside it; nothing needs JavaScript. Published snapshots are
//! listed, shown with the same body, compared and exported. Equity flags (gaps for groups that
//! must not be left behind) are written in words, never shown by colour alone.

use maud::{html, Markup};

use super::charts::percent;
use super::layout;
use crate::domain::lang::Msg;
use crate::domain::local_time::display_short;
use crate::use_cases::backlog::gaps::{self, AreaGaps, Gap, GroupKind};
use crate::use_cases::backlog::ranking::{
    criterion_label, kano_label, status_label, BenefitChannel, ExplanationStep, Figure,
    MaxDiffFigure, Payback, RankedArea, RankedBacklog, StepKind, ThreeWay,
};
use crate::use_cases::backlog::snapshots::{Comparison, Snapshot};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

const WIDTH: f64 = 320.0;

/// A whole amount of SEK with non-breaking groups of three ("1 500 000").
pub fn sek(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let neg = x < 0.0;
    let s = (x.abs().round() as u64).to_string();
    let mut out = String::new();
    if neg {
        out.push('−');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    out
}

fn dec(x: f64, digits: usize, l: Lang) -> String {
    let s = format!("{x:.digits$}");
    match l {
        Lang::Sv => s.replace('.', ","),
        Lang::En => s,
    }
}

fn payback(p: Payback, l: Lang) -> String {
    match p {
        Payback::Years(y) => format!("{} {}", dec(y, 1, l), l.t("år", "years")),
        Payback::Never => l.t("aldrig", "never").to_owned(),
    }
}

fn name(a: &RankedArea, l: Lang) -> &str {
    match l {
        Lang::Sv => &a.name_sv,
        Lang::En => &a.name_en,
    }
}

/// A share figure as `42.0 % (38.1–45.9 %, n = 812)`.
fn share_figure(f: &Figure) -> String {
    format!(
        "{} ({}–{}, n = {})",
        percent(f.estimate),
        percent(f.low),
        percent(f.high),
        f.n
    )
}

fn mean_figure(f: &Figure, l: Lang) -> String {
    format!(
        "{} ({}–{}, n = {})",
        dec(f.estimate, 2, l),
        dec(f.low, 2, l),
        dec(f.high, 2, l),
        f.n
    )
}

/// A MaxDiff score as `0,42 (0,35–0,49; visad 812 gånger)`.
fn maxdiff_figure(m: &MaxDiffFigure, l: Lang) -> String {
    let ci = if m.low.is_finite() && m.high.is_finite() {
        format!("{}–{}; ", dec(m.low, 2, l), dec(m.high, 2, l))
    } else {
        String::new()
    };
    format!(
        "{} ({ci}{} {} {})",
        dec(m.score, 2, l),
        l.t("visad", "shown"),
        m.shown,
        l.t("gånger", "times")
    )
}

/// A gap's value for the group or the rest: a share in percent or a mean.
fn gap_value(g: &Gap, f: &Figure, l: Lang) -> String {
    if g.measure.is_share() {
        share_figure(f)
    } else {
        mean_figure(f, l)
    }
}

/// A difference: percentage points for shares, scale points for means, with its 95% CI.
fn gap_difference(g: &Gap, l: Lang) -> String {
    let d = &g.difference;
    if g.measure.is_share() {
        let pp = |x: f64| dec(x * 100.0, 1, l);
        format!(
            "{} {} ({}–{})",
            pp(d.estimate),
            l.t("p.e.", "pp"),
            pp(d.low),
            pp(d.high)
        )
    } else {
        format!(
            "{} ({}–{})",
            dec(d.estimate, 2, l),
            dec(d.low, 2, l),
            dec(d.high, 2, l)
        )
    }
}

fn p_value(p: f64, l: Lang) -> String {
    if p < 0.001 {
        format!("< {}", dec(0.001, 3, l))
    } else {
        dec(p, 3, l)
    }
}

/// The flagged gaps in words, concerns first (at most `max`, then how many more); `compact`
/// gives the two estimates without their intervals (the management view's column).
fn equity_flags(g: &AreaGaps, l: Lang, max: usize, compact: bool) -> Markup {
    let flagged = g.flags_by_concern();
    let value = |gap: &Gap, f: &Figure| {
        if !compact {
            gap_value(gap, f, l)
        } else if gap.measure.is_share() {
            percent(f.estimate)
        } else {
            dec(f.estimate, 2, l)
        }
    };
    html! {
        @if flagged.is_empty() {
            (l.t("Inga flaggade skillnader för grupper som inte får lämnas efter.", "No flagged differences for groups that must not be left behind."))
        } @else {
            strong { (l.t("Jämlikhetsflagga", "Equity flag")) ": " }
            @for (i, gap) in flagged.iter().take(max).enumerate() {
                @if i > 0 { "; " }
                (l.pick(&gap.words())) ": " (value(gap, &gap.group_figure)) " " (l.t("mot", "vs")) " "
                (value(gap, &gap.rest_figure))
            }
            @if flagged.len() > max {
                "; " (l.t("och", "and")) " " (flagged.len() - max) " " (l.t("till", "more"))
            }
        }
    }
}

fn three(t: &ThreeWay) -> String {
    format!("{} ({} – {})", sek(t.point), sek(t.low), sek(t.high))
}

/// Score breakdown: one stacked bar per area, a segment per criterion, each labelled by number.
fn breakdown_chart(r: &RankedBacklog, l: Lang) -> Markup {
    let row = 34.0;
    let height = row * r.areas.len() as f64 + 4.0;
    let scale = WIDTH - 60.0;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby="breakdown-t breakdown-d" preserveAspectRatio="xMinYMin meet" {
            title id="breakdown-t" { (l.t("Poäng per område och kriterium", "Score per area and criterion")) }
            desc id="breakdown-d" { (l.t(
                "Staplade staplar: varje segment är ett kriteriums bidrag (vikt × normaliserat värde), numrerade som i tabellen.",
                "Stacked bars: each segment is one criterion's contribution (weight × normalised value), numbered as in the table."
            )) }
            @for (i, a) in r.areas.iter().enumerate() {
                @let y = i as f64 * row;
                text x="0" y=(y + 11.0) class="chart-label" { (a.rank) ". " (name(a, l)) }
                @for (j, c) in a.contributions.iter().enumerate() {
                    @let x: f64 = a.contributions[..j].iter().map(|c| c.max(0.0) * scale).sum();
                    @let w = c.max(0.0) * scale;
                    rect x=(format!("{x:.2}")) y=(y + 15.0) width=(format!("{w:.2}")) height="14"
                        class=(format!("seg seg-{}", j % 6)) {}
                    @if w > 12.0 {
                        text x=(format!("{:.2}", x + w / 2.0)) y=(y + 26.0) class="seg-text" text-anchor="middle" { (j + 1) }
                    }
                }
                text x=(format!("{:.2}", scale + 4.0)) y=(y + 26.0) class="chart-value" { (dec(a.score, 2, l)) }
            }
        }
    }
}

/// Rank intervals: a line from the best to the worst rank of the interval, a dot at the rank.
fn interval_chart(r: &RankedBacklog, l: Lang) -> Markup {
    let n = r.areas.len().max(1) as f64;
    let row = 30.0;
    let height = row * r.areas.len() as f64 + 4.0;
    let scale = WIDTH - 70.0;
    let x = |rank: usize| 4.0 + (rank as f64 - 1.0) / (n - 1.0).max(1.0) * (scale - 8.0);
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby="ranks-t ranks-d" preserveAspectRatio="xMinYMin meet" {
            title id="ranks-t" { (l.t("Rangintervall", "Rank intervals")) }
            desc id="ranks-d" { (l.t(
                "För varje område: rangen (punkt) och 90-procentigt rangintervall från bootstrap (linje); rang 1 till vänster.",
                "For each area: its rank (dot) and 90% bootstrap rank interval (line); rank 1 on the left."
            )) }
            @for (i, a) in r.areas.iter().enumerate() {
                @let y = i as f64 * row;
                text x="0" y=(y + 10.0) class="chart-label" { (a.rank) ". " (name(a, l)) }
                line x1=(format!("{:.2}", x(a.rank_low))) x2=(format!("{:.2}", x(a.rank_high)))
                    y1=(y + 20.0) y2=(y + 20.0) class="whisker" {}
                circle cx=(format!("{:.2}", x(a.rank))) cy=(y + 20.0) r="4" class="dot" {}
                text x=(format!("{:.2}", scale + 4.0)) y=(y + 24.0) class="chart-value" {
                    (a.rank_low) "–" (a.rank_high)
                }
            }
        }
    }
}

fn weighting_text(r: &RankedBacklog, l: Lang) -> String {
    match (r.weighting.0.as_str(), &r.weighting.1) {
        ("raked", Some(t)) => format!("{} {t}", l.t("kalibrerad (raking) mot", "raked to")),
        ("unweighted", _) => l.t("oviktad", "unweighted").to_owned(),
        _ => l.t("designvikter", "design weights").to_owned(),
    }
}

fn assumptions(r: &RankedBacklog, l: Lang) -> Markup {
    let s = &r.settings;
    html! {
        dl class="facts" {
            dt { (l.t("Enkät", "Survey")) }
            dd { @match &r.survey {
                Some((k, v)) => { a href={ "/results/" (k) "/" (v) } { (k) " v" (v) } }
                None => { (l.t("ingen kopplad", "none linked")) }
            } }
            dt { (l.t("Viktning", "Weighting")) } dd { (weighting_text(r, l)) }
            dt { (l.t("Kriterievikter", "Criteria weights")) }
            dd { @for (i, (c, w)) in r.criteria.iter().zip(&r.weights).enumerate() {
                @if i > 0 { ", " } (l.pick(&criterion_label(c))) " " (percent(*w))
            } }
            dt { (l.t("Kontaktkostnader", "Contact costs")) }
            dd { (l.t("stadens relativa kostnader (e-tjänst 1, telefon 50, e-post 70, brev 90, besök 110) med", "the city's relative costs (e-service 1, phone 50, e-mail 70, letter 90, visit 110) at"))
                 " " (dec(s.sek_per_eservice_contact, 2, l)) " " (l.t("kr per e-tjänstekontakt", "SEK per e-service contact")) }
            dt { (l.t("Nuvärde", "Net present value")) }
            dd { (s.horizon_years) " " (l.t("år", "years")) ", " (l.t("diskonteringsränta", "discount rate")) " " (percent(s.discount_rate)) }
            dt { (l.t("Osäkerhet", "Uncertainty")) }
            dd { (s.replicates) " " (l.t("bootstrapreplikat, frö", "bootstrap replicates, seed")) " " (s.seed) ", "
                 (percent(s.level)) " " (l.t("rangintervall", "rank intervals")) }
            @if !r.groups.identified.is_empty() || !r.groups.missing.is_empty() {
                dt { (l.t("Grupper som inte får lämnas efter", "Groups not to be left behind")) }
                dd {
                    @for (i, (kind, _)) in r.groups.identified.iter().enumerate() {
                        @if i > 0 { ", " } (l.pick(&kind.label()))
                    }
                    @if !r.groups.missing.is_empty() {
                        "; " (l.t("kan inte identifieras i enkäten", "cannot be identified in the survey")) ": "
                        @for (i, kind) in r.groups.missing.iter().enumerate() {
                            @if i > 0 { ", " } (l.pick(&kind.label()))
                        }
                    }
                    ". " (l.t(
                        "Skillnader mot övriga testas designbaserat och flaggas efter Holms justering (5 %) per område; jämlikheten hålls fast i bootstrap.",
                        "Differences from the rest are tested design-based and flagged after Holm's adjustment (5%) per area; equity is held fixed in the bootstrap."
                    ))
                }
            }
        }
    }
}

fn evidence_cells(a: &RankedArea, l: Lang) -> Markup {
    let e = &a.evidence;
    html! {
        @if a.no_evidence {
            strong { (l.t("Inget enkätunderlag", "No survey evidence")) }
        } @else {
            ul class="plain" {
                @if let Some(f) = &e.reach { li { (l.t("Räckvidd", "Reach")) ": " (share_figure(f)) } }
                @if let Some(f) = &e.would_use { li { (l.t("Skulle använda", "Would use")) ": " (share_figure(f)) } }
                @if let Some(o) = e.opportunity { li { (l.t("Möjlighetspoäng", "Opportunity score")) ": " (dec(o, 2, l)) } }
                @if let Some(f) = &e.digital { li { (l.t("Föredrar e-tjänst", "Prefer e-service")) ": " (share_figure(f)) } }
                @if let Some(m) = &e.maxdiff { li { "MaxDiff: " (maxdiff_figure(m, l)) } }
                @if !e.kano.is_empty() { li { "Kano: " @for (i, k) in e.kano.iter().enumerate() {
                    @if i > 0 { ", " } (l.pick(&k.label())) " – " (l.pick(&kano_label(k.category)))
                } } }
                @if let Some(g) = &a.gaps { li { (equity_flags(g, l, 3, true)) } }
            }
        }
    }
}

/// The ranked list, the breakdown and the intervals (shared by the page and the report).
fn ranked_body(r: &RankedBacklog, l: Lang, report: bool) -> Markup {
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
            caption { (l.t("Rangordnad backlogg", "Ranked backlog")) }
            thead { tr {
                th scope="col" { (l.t("Rang", "Rank")) }
                th scope="col" { (l.t("Område", "Area")) }
                th scope="col" { (l.t("Poäng", "Score")) }
                th scope="col" { (l.t("Rangintervall (90 %)", "Rank interval (90%)")) }
                th scope="col" { (l.t("P(topp ", "P(top ")) (r.settings.top_k) ")" }
                th scope="col" { (l.t("Årlig besparing, kr (95 %)", "Yearly saving, SEK (95%)")) }
                th scope="col" { (l.t("Återbetalning", "Payback")) }
                @if !report { th scope="col" { (l.t("Underlag", "Evidence")) } }
                th scope="col" { (l.t("Status", "Status")) }
            } }
            tbody { @for a in &r.areas { tr {
                td { (a.rank) }
                th scope="row" {
                    @if report { (name(a, l)) } @else {
                        a href={ "/backlog/areas/" (a.key) "/evidence" } { (name(a, l)) }
                    }
                    @if a.stable_top { " " span class="tag" { (l.t("stabil topp", "stable top")) } }
                }
                td { (dec(a.score, 3, l)) }
                td { (a.rank_low) "–" (a.rank_high) }
                td { (percent(a.p_top_k)) }
                td { @match &a.benefit { Some(b) => { (three(&b.yearly_saving)) } None => { "–" } } }
                td { @match &a.benefit { Some(b) => { (payback(b.payback.point, l)) } None => { "–" } } }
                @if !report { td { (evidence_cells(a, l)) } }
                td { (l.pick(&status_label(&a.status))) }
            } } }
        } }
        // The one-page report keeps the ranked table (its rank-interval column is the chart's data)
        // and the interval chart; the breakdown and the interval table are on the page.
        @if !report {
        h2 { (l.t("Poängens delar", "Score breakdown")) }
        (breakdown_chart(r, l))
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
            caption { (l.t("Bidrag per kriterium (vikt × normaliserat värde)", "Contribution per criterion (weight × normalised value)")) }
            thead { tr {
                th scope="col" { (l.t("Område", "Area")) }
                @for (j, c) in r.criteria.iter().enumerate() { th scope="col" { (j + 1) ". " (l.pick(&criterion_label(c))) } }
            } }
            tbody { @for a in &r.areas { tr {
                th scope="row" { (name(a, l)) }
                @for c in &a.contributions { td { (dec(*c, 3, l)) } }
            } } }
        } }
        }
        h2 { (l.t("Hur säker är rangordningen?", "How sure is the ranking?")) }
        (interval_chart(r, l))
        @if !report {
        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
            caption { (l.t("Rang, medianrang och 90-procentigt rangintervall", "Rank, median rank and 90% rank interval")) }
            thead { tr {
                th scope="col" { (l.t("Område", "Area")) }
                th scope="col" { (l.t("Rang", "Rank")) }
                th scope="col" { (l.t("Medianrang", "Median rank")) }
                th scope="col" { (l.t("Intervall", "Interval")) }
                th scope="col" { (l.t("Största flytt vid ±50 % vikt", "Largest move at ±50% weight")) }
            } }
            tbody { @for a in &r.areas { tr {
                th scope="row" { (name(a, l)) }
                td { (a.rank) } td { (a.median_rank) } td { (a.rank_low) "–" (a.rank_high) } td { (a.max_rank_move) }
            } } }
        } }
        }
    }
}

/// `GET /backlog`: the ranked backlog for management; `top` says what is shown (a snapshot or a live
/// ranking) and chooses a preset, `bottom` is the publish form (empty for those who cannot publish).
pub fn ranked(ctx: &PageCtx, r: &RankedBacklog, top: Markup, bottom: Markup) -> Markup {
    let l = ctx.lang;
    let title = l.t(
        "Prioriterad e-tjänstebacklogg",
        "Prioritised e-service backlog",
    );
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" { a href="/staff" { (l.t("Översikt", "Overview")) } " › "
                a href="/backlog/areas" { (l.t("Kandidatområden", "Candidate areas")) } }
            h1 { (title) }
            p { (l.t(
                "Områdena rangordnade efter behov, räckvidd, nytta, kostnad, genomförbarhet och jämlikhet (att ingen grupp lämnas efter). Rangintervallet visar hur mycket rangen kan variera med urvalet; områden utan enkätunderlag rangordnas på de fasta kriterierna. Jämlikhetsflaggor står i ord under Underlag.",
                "The areas ranked by need, reach, benefit, cost, feasibility and equity (no group left behind). The rank interval shows how much the rank could vary with the sample; areas without survey evidence are ranked on the fixed criteria. Equity flags are written out under Evidence."
            )) }
            p { a href="/backlog/report" { (l.t("Utskriftsvänlig rapport (en A4-sida)", "Printable report (one A4 page)")) }
                " · " a href="/backlog/snapshots" { (l.t("Publicerade ögonblicksbilder", "Published snapshots")) } }
            (top)
            @if r.areas.is_empty() {
                p { (l.t("Det finns inga kandidatområden att rangordna ännu.", "There are no candidate areas to rank yet.")) }
            } @else {
                (ranked_body(r, l, false))
                h2 { (l.t("Antaganden", "Assumptions")) }
                (assumptions(r, l))
                (bottom)
            }
        },
    )
}

/// `GET /backlog/snapshots`: the published snapshots and the compare form.
pub fn snapshots(ctx: &PageCtx, list: &[Snapshot], can_publish: bool) -> Markup {
    let l = ctx.lang;
    let title = l.t("Publicerade backloggar", "Published backlogs");
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" { a href="/backlog" { (l.t("Backlogg", "Backlog")) } }
            h1 { (title) }
            @if list.is_empty() {
                p { (l.t("Ingen backlogg är publicerad ännu.", "No backlog has been published yet.")) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
                    caption { (l.t("Ögonblicksbilder, senaste först", "Snapshots, newest first")) }
                    thead { tr {
                        th scope="col" { (l.t("Publicerad", "Published")) }
                        th scope="col" { (l.t("Av", "By")) }
                        th scope="col" { (l.t("Etta", "First")) }
                        th scope="col" { (l.t("Export", "Export")) }
                    } }
                    tbody { @for s in list { tr {
                        th scope="row" { a href={ "/backlog/snapshots/" (s.id) } { (display_short(s.published_at, &ctx.zone)) } }
                        td { (s.published_by) }
                        td { @if let Some(a) = s.ranked.areas.first() { (name(a, l)) } }
                        td { a href={ "/backlog/snapshots/" (s.id) "/export/csv" } { "CSV" } " · "
                             a href={ "/backlog/snapshots/" (s.id) "/export/xlsx" } { "XLSX" } }
                    } } }
                } }
                @if list.len() > 1 {
                    form method="get" action="/backlog/snapshots/compare" class="stack" {
                        h2 { (l.t("Jämför två ögonblicksbilder", "Compare two snapshots")) }
                        label for="cmp-a" { (l.t("Äldre", "Older")) }
                        select id="cmp-a" name="a" { @for (i, s) in list.iter().enumerate() {
                            option value=(s.id) selected[i == 1] { (display_short(s.published_at, &ctx.zone)) " – " (s.published_by) }
                        } }
                        label for="cmp-b" { (l.t("Nyare", "Newer")) }
                        select id="cmp-b" name="b" { @for (i, s) in list.iter().enumerate() {
                            option value=(s.id) selected[i == 0] { (display_short(s.published_at, &ctx.zone)) " – " (s.published_by) }
                        } }
                        button type="submit" { (l.t("Jämför", "Compare")) }
                    }
                }
            }
            @if can_publish {
                p { a href="/backlog" { (l.t("Publicera från backloggsidan", "Publish from the backlog page")) } }
            }
        },
    )
}

/// `GET /backlog/snapshots/{id}`: a frozen ranking with who published it and when.
pub fn snapshot(ctx: &PageCtx, s: &Snapshot) -> Markup {
    let l = ctx.lang;
    let title = l.t("Publicerad backlogg", "Published backlog");
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" { a href="/backlog" { (l.t("Backlogg", "Backlog")) } " › "
                a href="/backlog/snapshots" { (l.t("Publicerade", "Published")) } }
            h1 { (title) }
            p { (l.t("Publicerad", "Published")) " " (display_short(s.published_at, &ctx.zone)) " "
                (l.t("av", "by")) " " (s.published_by) ", "
                (l.t("förinställning", "preset")) " "
                @match &s.preset_name { Some(n) => { "”" (n) "”" } None => { (l.t("ingen", "none")) } }
                ". "
                a href={ "/backlog/snapshots/" (s.id) "/export/csv" } { (l.t("Ladda ned CSV", "Download CSV")) } " · "
                a href={ "/backlog/snapshots/" (s.id) "/export/xlsx" } { (l.t("Ladda ned XLSX", "Download XLSX")) } }
            (ranked_body(&s.ranked, l, false))
            h2 { (l.t("Antaganden", "Assumptions")) }
            (assumptions(&s.ranked, l))
        },
    )
}

/// `GET /backlog/snapshots/compare`: rank moves and the inputs that differ.
pub fn comparison(ctx: &PageCtx, old: &Snapshot, new: &Snapshot, c: &Comparison) -> Markup {
    let l = ctx.lang;
    let title = l.t("Jämförelse av backloggar", "Backlogs compared");
    let rank = |r: Option<usize>| r.map_or("–".to_owned(), |r| r.to_string());
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" { a href="/backlog/snapshots" { (l.t("Publicerade", "Published")) } }
            h1 { (title) }
            p { (display_short(old.published_at, &ctx.zone)) " → " (display_short(new.published_at, &ctx.zone)) }
            @if old.preset_name != new.preset_name {
                p { (l.t("Förinställning", "Preset")) ": "
                    (old.preset_name.as_deref().unwrap_or("–")) " → " (new.preset_name.as_deref().unwrap_or("–")) }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
                caption { (l.t("Rangförändringar", "Rank moves")) }
                thead { tr {
                    th scope="col" { (l.t("Område", "Area")) }
                    th scope="col" { (l.t("Förut", "Before")) }
                    th scope="col" { (l.t("Nu", "Now")) }
                    th scope="col" { (l.t("Flytt", "Move")) }
                } }
                tbody { @for m in &c.moves { tr {
                    th scope="row" { (l.pick(&m.name)) }
                    td { (rank(m.from)) } td { (rank(m.to)) }
                    td { @match (m.from, m.to) {
                        (Some(a), Some(b)) if b < a => { "↑ " (a - b) " " (l.t("upp", "up")) }
                        (Some(a), Some(b)) if b > a => { "↓ " (b - a) " " (l.t("ned", "down")) }
                        (Some(_), Some(_)) => { (l.t("oförändrad", "unchanged")) }
                        (None, _) => { (l.t("ny", "new")) }
                        (_, None) => { (l.t("borttagen", "removed")) }
                    } }
                } } }
            } }
            h2 { (l.t("Indata som skiljer sig", "Inputs that differ")) }
            @if c.input_changes.is_empty() {
                p { (l.t("Inga: samma indata och samma frö.", "None: the same inputs and the same seed.")) }
            } @else {
                ul { @for m in &c.input_changes { li { (l.pick(m)) } } }
            }
        },
    )
}

/// `GET /backlog/report`: the one-page printable report.
pub fn report(ctx: &PageCtx, r: &RankedBacklog) -> Markup {
    let l = ctx.lang;
    let title = l.t("Backloggrapport", "Backlog report");
    layout::page(
        ctx,
        title,
        html! {
            div class="backlog-report" {
                h1 { (title) }
                (ranked_body(r, l, true))
                (assumptions(r, l))
            }
        },
    )
}

fn step_words(s: &ExplanationStep, l: Lang) -> String {
    let ch = s.channel.map(|c| {
        let m = match c {
            BenefitChannel::Phone => Msg::fixed("telefon", "phone"),
            BenefitChannel::Email => Msg::fixed("e-post", "e-mail"),
            BenefitChannel::Letter => Msg::fixed("brev", "letter"),
            BenefitChannel::Visit => Msg::fixed("besök", "visit"),
            BenefitChannel::EService => Msg::fixed("e-tjänst", "e-service"),
        };
        l.pick(&m).to_owned()
    });
    let ch = ch.unwrap_or_default();
    let m = match s.kind {
        StepKind::ContactsMoved => Msg::new(
            format!("Kontakter per år som flyttar från {ch} till e-tjänsten"),
            format!("Contacts per year moving from {ch} to the e-service"),
        ),
        StepKind::ChannelSaving => Msg::new(
            format!("Besparing i kontaktkostnad från {ch}"),
            format!("Saving in contact costs from {ch}"),
        ),
        StepKind::ContactCostSaving => Msg::fixed(
            "Summa besparing i kontaktkostnader",
            "Total saving in contact costs",
        ),
        StepKind::HoursFreed => Msg::fixed(
            "Handläggartimmar som frigörs per år",
            "Staff hours freed per year",
        ),
        StepKind::TimeValue => {
            Msg::fixed("Värdet av den frigjorda tiden", "Value of the time freed")
        }
        StepKind::YearlySaving => Msg::fixed("Årlig besparing", "Yearly saving"),
        StepKind::NetYearlyBenefit => Msg::fixed(
            "Årlig nettonytta (besparing minus driftkostnad)",
            "Net yearly benefit (saving minus running cost)",
        ),
        StepKind::Payback => Msg::fixed(
            "Återbetalningstid i år (utvecklingskostnad / nettonytta)",
            "Payback in years (development cost / net benefit)",
        ),
        StepKind::NetPresentValue => Msg::fixed(
            "Nuvärde över horisonten",
            "Net present value over the horizon",
        ),
    };
    l.pick(&m).to_owned()
}

/// `GET /backlog/areas/{key}/evidence`: the area's measures and the benefit step by step.
pub fn evidence(ctx: &PageCtx, r: &RankedBacklog, a: &RankedArea) -> Markup {
    let l = ctx.lang;
    let title = format!("{} – {}", name(a, l), l.t("underlag", "evidence"));
    let e = &a.evidence;
    layout::page(
        ctx,
        &title,
        html! {
            p class="breadcrumb" { a href="/backlog" { (l.t("Backlogg", "Backlog")) } " › "
                a href={ "/backlog/areas/" (a.key) } { (name(a, l)) } }
            h1 { (title) }
            p { (l.t("Rang", "Rank")) " " (a.rank) " (" (l.t("90 % intervall", "90% interval")) " " (a.rank_low) "–" (a.rank_high)
                ", P(" (l.t("topp", "top")) " " (r.settings.top_k) ") " (percent(a.p_top_k)) ")" }
            h2 { (l.t("Behov och efterfrågan", "Need and demand")) }
            @if a.no_evidence {
                p { strong { (l.t("Inget enkätunderlag.", "No survey evidence.")) } " " (l.t(
                    "Området har inga kopplade frågor i den enkätversion som rangordningen bygger på; på behov, räckvidd och nytta får det det lägsta värdet bland de mätta områdena.",
                    "The area has no linked questions in the survey version the ranking uses; on need, reach and benefit it gets the lowest value among the measured areas."
                )) }
            } @else {
                div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
                    caption { (l.t("Skattningar med 95 % konfidensintervall", "Estimates with 95% confidence intervals")) }
                    thead { tr { th scope="col" { (l.t("Mått", "Measure")) } th scope="col" { (l.t("Skattning (95 % KI, n)", "Estimate (95% CI, n)")) } } }
                    tbody {
                        @if let Some(f) = &e.reach { tr { th scope="row" { (l.t("Andel som haft ärendet", "Share who had the errand")) } td { (share_figure(f)) } } }
                        @if let Some(f) = &e.would_use { tr { th scope="row" { (l.t("Andel som skulle använda e-tjänst", "Share who would use an e-service")) } td { (share_figure(f)) } } }
                        @if let Some(f) = &e.importance { tr { th scope="row" { (l.t("Vikt (medel)", "Importance (mean)")) } td { (mean_figure(f, l)) } } }
                        @if let Some(f) = &e.satisfaction { tr { th scope="row" { (l.t("Nöjdhet (medel)", "Satisfaction (mean)")) } td { (mean_figure(f, l)) } } }
                        @if let Some(o) = e.opportunity { tr { th scope="row" { (l.t("Möjlighetspoäng", "Opportunity score")) } td { (dec(o, 2, l)) } } }
                        @if let Some(f) = &e.digital { tr { th scope="row" { (l.t("Andel som föredrar e-tjänst", "Share preferring the e-service")) } td { (share_figure(f)) } } }
                        @if let Some(m) = &e.maxdiff { tr { th scope="row" { (l.t("MaxDiff-poäng (bäst − sämst per visning, −1 till 1; oviktad)", "MaxDiff score (best − worst per time shown, −1 to 1; unweighted)")) }
                            td { (maxdiff_figure(m, l)) ", n = " (m.respondents) } } }
                    }
                } }
                @if !e.kano.is_empty() {
                    div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Kano-tabell", "Kano table")) { table class="data" {
                        caption { (l.t("Kano-kategori per egenskap (oviktad, som på resultatsidan)", "Kano category per feature (unweighted, as on the results page)")) }
                        thead { tr {
                            th scope="col" { (l.t("Egenskap", "Feature")) }
                            th scope="col" { (l.t("Kategori", "Category")) }
                            th scope="col" { "Better" }
                            th scope="col" { "Worse" }
                            th scope="col" { "n" }
                        } }
                        tbody { @for k in &e.kano { tr {
                            th scope="row" { (l.pick(&k.label())) }
                            td { (l.pick(&kano_label(k.category))) }
                            td { (dec(k.better, 2, l)) }
                            td { (dec(k.worse, 2, l)) }
                            td { (k.n) }
                        } } }
                    } }
                }
                @if let Some((k, v)) = &r.survey {
                    p { a href={ "/results/" (k) "/" (v) } { (l.t("Se alla resultat för enkäten", "See all results of the survey")) } }
                }
            }
            (gaps_section(r, a, l))
            h2 { (l.t("Nyttokalkyl", "Benefit calculation")) }
            @match &a.benefit {
                None => { p { (l.t("Ingen nyttokalkyl: andelen som skulle använda en e-tjänst är inte mätt.", "No benefit calculation: the share who would use an e-service is not measured.")) } }
                Some(b) => {
                    p { (l.t(
                        "Flytten till e-tjänsten är andelen som skulle använda den; intervallen nedan följer av dess 95-procentiga konfidensintervall. Belopp i kronor.",
                        "The shift to the e-service is the share who would use it; the intervals below follow from its 95% confidence interval. Amounts in SEK."
                    )) }
                    div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Tabell", "Table")) { table class="data" {
                        caption { (l.t("Så räknades nyttan", "How the benefit was computed")) }
                        thead { tr {
                            th scope="col" { (l.t("Steg", "Step")) }
                            th scope="col" { (l.t("Formel", "Formula")) }
                            th scope="col" { (l.t("Uträkning", "Computation")) }
                            th scope="col" { (l.t("Resultat (intervall)", "Result (interval)")) }
                        } }
                        tbody { @for s in &b.steps { tr {
                            th scope="row" { (step_words(s, l)) }
                            td { code { (s.formula) } }
                            td { code { (s.computation) } }
                            td { @if s.kind == StepKind::Payback { (payback(b.payback.point, l)) } @else { (three(&s.result)) } }
                        } } }
                    } }
                    p { (l.t("Nuvärde", "Net present value")) ": " (three(&b.npv)) " kr; "
                        (l.t("återbetalning", "payback")) " " (payback(b.payback.point, l)) }
                }
            }
        },
    )
}

/// The evidence page's section on groups that must not be left behind: which groups the survey
/// identifies (and which it cannot), the flagged gaps in words, every comparison in a table, and
/// how the equity criterion was computed.
fn gaps_section(r: &RankedBacklog, a: &RankedArea, l: Lang) -> Markup {
    let found = &r.groups;
    html! {
        h2 id="equity" { (l.t("Grupper som inte får lämnas efter", "Groups that must not be left behind")) }
        p { (l.t(
            "Varje grupp jämförs med övriga som besvarat samma bakgrundsfråga, viktat som rangordningen: behov (andel som haft ärendet, vikt) och digital beredskap (skulle använda e-tjänst, föredrar e-tjänst). Skillnaden testas med designbaserat t-test (linjäriserat standardfel för skillnaden mellan två domäner). p-värdena för områdets alla jämförelser justeras med Holms metod; en skillnad flaggas när det justerade p-värdet är under 0,05. Jämförelser med färre än ",
            "Each group is compared with the rest who answered the same background question, weighted as the ranking is: need (share who had the errand, importance) and digital readiness (would use an e-service, prefers the e-service). The difference is tested with a design-based t test (linearised standard error of a difference between two domains). The p-values of all the area's comparisons are adjusted with Holm's method; a difference is flagged when its adjusted p-value is below 0.05. Comparisons with fewer than "
        )) (gaps::MIN_N) (l.t(" svar i gruppen eller bland övriga testas inte.", " answers in the group or the rest are not tested.")) }
        @if found.identified.is_empty() && found.missing.is_empty() {
            p { (l.t("Inga grupper beräknade: det finns inga enkätsvar i rangordningen, eller ögonblicksbilden publicerades innan grupperna beräknades.", "No groups computed: the ranking has no survey answers, or the snapshot was published before groups were computed.")) }
        } @else {
            ul {
                @for (kind, q) in &found.identified {
                    li { (l.pick(&kind.label())) ": " (l.t("identifieras av frågan", "identified by the question")) " " code { (q) } }
                }
                @for kind in &found.missing {
                    li { strong { (l.pick(&kind.label())) ": " (l.t("kan inte identifieras", "cannot be identified")) } " – "
                        (l.t("enkäten har ingen fråga som", "the survey has no question that")) " "
                        (missing_why(*kind, l)) " (" (l.t("letade efter", "looked for")) " "
                        @for (i, k) in kind.question_keys().iter().enumerate() { @if i > 0 { ", " } code { (k) } }
                        "). " (l.t("Inget antas om gruppen.", "Nothing is assumed about the group.")) }
                }
            }
        }
        @match &a.gaps {
            None => {}
            Some(g) => {
                p { (equity_flags(g, l, usize::MAX, false)) }
                h3 { (l.t("Jämlikhet i rangordningen", "Equity in the ranking")) }
                p { (l.t(
                    "Jämlikhet = minus den största exponeringen för att lämnas efter: för varje grupp vars beredskap (skulle använda e-tjänst, annars föredrar e-tjänst) är flaggat lägre än övrigas, andelen i gruppen som haft ärendet × hur många procentenheter färre i gruppen som skulle använda e-tjänsten. 0 är bäst (ingen grupp lämnas efter). Bara flaggade skillnader räknas. Jämlikheten hålls fast i bootstrap (beräknas en gång på hela urvalet).",
                    "Equity = minus the largest exposure to being left behind: for each group whose readiness (would use an e-service, else prefers the e-service) is flagged as lower than the rest's, the group's share who had the errand × how many percentage points fewer of the group would use the e-service. 0 is best (no group left behind). Only flagged differences count. Equity is held fixed in the bootstrap (computed once on the full sample)."
                )) }
                @if g.exposures.is_empty() {
                    p { (l.t("Ingen grupp har flaggat lägre beredskap: jämlikhet 0.", "No group has a flagged lower readiness: equity 0.")) }
                } @else {
                    div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Exponering per grupp", "Exposure per group")) { table class="data" {
                        caption { (l.t("Exponering per grupp (störst först)", "Exposure per group (largest first)")) }
                        thead { tr {
                            th scope="col" { (l.t("Grupp", "Group")) }
                            th scope="col" { (l.t("Andel som haft ärendet", "Share who had the errand")) }
                            th scope="col" { (l.t("Underskott i beredskap", "Readiness shortfall")) }
                            th scope="col" { (l.t("Exponering", "Exposure")) }
                        } }
                        tbody { @for x in &g.exposures { tr {
                            th scope="row" { (l.t(&x.label_sv, &x.label_en)) }
                            td { (percent(x.need)) }
                            td { (dec(x.shortfall * 100.0, 1, l)) " " (l.t("p.e.", "pp")) }
                            td { (dec(x.exposure, 3, l)) }
                        } } }
                    } }
                    p { (l.t("Jämlikhetsvärde", "Equity value")) ": " (dec(g.equity, 3, l)) }
                }
                @if !g.gaps.is_empty() {
                    details {
                        summary { (l.t("Alla jämförelser", "Every comparison")) " (" (g.gaps.len()) ")" }
                        div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Alla jämförelser", "Every comparison")) { table class="data" {
                            caption { (l.t("Grupp mot övriga: skattning (95 % KI, n), skillnad (95 % KI), p justerat enligt Holm", "Group vs the rest: estimate (95% CI, n), difference (95% CI), Holm-adjusted p")) }
                            thead { tr {
                                th scope="col" { (l.t("Grupp", "Group")) }
                                th scope="col" { (l.t("Mått", "Measure")) }
                                th scope="col" { (l.t("Gruppen", "The group")) }
                                th scope="col" { (l.t("Övriga", "The rest")) }
                                th scope="col" { (l.t("Skillnad", "Difference")) }
                                th scope="col" { (l.t("p (Holm)", "p (Holm)")) }
                                th scope="col" { (l.t("Flagga", "Flag")) }
                            } }
                            tbody { @for gap in &g.gaps { tr {
                                th scope="row" { (l.pick(&gap.label())) }
                                td { (l.pick(&gap.measure.label())) }
                                td { (gap_value(gap, &gap.group_figure, l)) }
                                td { (gap_value(gap, &gap.rest_figure, l)) }
                                td { (gap_difference(gap, l)) }
                                td { (p_value(gap.p_holm, l)) }
                                td { @if gap.flagged { strong { (l.t("flaggad", "flagged")) } } @else { (l.t("nej", "no")) } }
                            } } }
                        } }
                    }
                }
                @if g.untested > 0 {
                    p { (g.untested) " " (l.t("jämförelser testades inte (för få svar).", "comparisons were not tested (too few answers).")) }
                }
            }
        }
    }
}

fn missing_why(kind: GroupKind, l: Lang) -> &'static str {
    match kind {
        GroupKind::Age65Plus => l.t("frågar efter ålder", "asks for age"),
        GroupKind::Impairment => l.t(
            "frågar efter funktionsnedsättning",
            "asks about functional impairment",
        ),
        GroupKind::District => l.t("frågar efter stadsdel", "asks for the district"),
        GroupKind::LowDigitalConfidence => {
            l.t("frågar efter digital vana", "asks about digital confidence")
        }
    }
}
