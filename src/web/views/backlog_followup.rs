//! Benefits follow-up pages: an area's predicted against realised adoption and yearly saving (in
//! words, an SVG with the predicted interval as a bar and the realised value as a marker, and the
//! data tables), the forms that freeze the prediction and record a follow-up, and the summary over
//! all launched areas that the city reports yearly.

use maud::{html, Markup};

use super::charts::percent;
use super::layout::{self, csrf_field, error_summary};
use crate::domain::backlog::Channel;
use crate::domain::backlog_followup::{
    volume_field, FollowUp, FollowUpInput, PredictionInput, Verdict,
};
use crate::domain::lang::Msg;
use crate::domain::local_time::display_short;
use crate::use_cases::backlog::followup::{Compared, FollowupPage, Predicted};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// Field errors as (field, text) for the summary and the fields.
pub type Errors = Vec<(&'static str, String)>;

/// What the area page's forms hold and what went wrong (a refused form is shown again as typed).
#[derive(Default)]
pub struct Forms<'a> {
    /// The prediction form as typed.
    pub prediction: Option<&'a PredictionInput>,
    /// The follow-up form as typed.
    pub followup: Option<&'a FollowUpInput>,
    /// Field errors.
    pub errors: Errors,
    /// A refusal that is no field's.
    pub problem: Option<Msg>,
}

/// A figure rounded to a whole number with non-breaking groups of three ("−1 234 567").
fn whole(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let n = x.round().abs() as u64;
    let s = n.to_string();
    let mut out = String::new();
    if x.round() < 0.0 {
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

fn name(l: Lang, p: &FollowupPage) -> &str {
    l.t(&p.area.area.name_sv, &p.area.area.name_en)
}

fn unit(l: Lang) -> &'static str {
    l.t("kostnadsenheter", "cost units")
}

fn field(
    name: &'static str,
    label: &str,
    value: &str,
    errors: &Errors,
    hint: Option<&str>,
) -> Markup {
    let error = errors
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, m)| m.as_str());
    let described: Vec<String> = [
        hint.map(|_| format!("{name}-hint")),
        error.map(|_| format!("{name}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = described.join(" ");
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(name) { (label) }
            @if let Some(h) = hint { p id={ (name) "-hint" } class="hint" { (h) } }
            @if let Some(m) = error { p id={ (name) "-error" } class="field-error" { (m) } }
            input id=(name) name=(name) type="text" value=(value)
                inputmode=[(!name.ends_with("_on") && !name.starts_with("period") && name != "note").then_some("decimal")]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
        }
    }
}

/// One row of the comparison chart: the predicted interval, its point and the realised value,
/// drawn on the row's own scale from 0 to `max`.
struct Row {
    label: String,
    low: f64,
    point: f64,
    high: f64,
    realised: f64,
    max: f64,
    /// The predicted figures and the outcome as text, on two lines so they fit 320 px.
    text: [String; 2],
}

/// Predicted intervals as bars and realised values as diamond markers, with every figure also
/// written as text, so neither colour nor shape alone carries it. Shapes are closed with `{}`:
/// in SVG inside HTML a `<rect>` without `/>` is not void, and the parser would nest the rest of
/// the chart inside it, where nothing is drawn.
fn comparison_chart(id: &str, title: &str, desc: &str, rows: &[Row]) -> Markup {
    let width = 320.0;
    let row_h = 64.0;
    let height = row_h * rows.len() as f64 + 4.0;
    let scale = width - 12.0;
    let x = |v: f64, max: f64| {
        if max > 0.0 && v.is_finite() {
            (v.max(0.0) / max).min(1.0) * scale + 6.0
        } else {
            6.0
        }
    };
    html! {
        svg class="chart" viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) preserveAspectRatio="xMinYMin meet" {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for (i, r) in rows.iter().enumerate() {
                @let y = i as f64 * row_h;
                @let (lo, hi) = (x(r.low, r.max), x(r.high, r.max));
                @let m = x(r.realised, r.max);
                text x="0" y=(y + 11.0) class="chart-label" { (r.label) }
                rect x=(format!("{lo:.2}")) y=(y + 16.0) width=(format!("{:.2}", (hi - lo).max(1.0))) height="12" class="bar interval" {}
                line x1=(format!("{:.2}", x(r.point, r.max))) x2=(format!("{:.2}", x(r.point, r.max))) y1=(y + 14.0) y2=(y + 30.0) class="whisker" {}
                path d=(format!("M{m:.2} {:.2} l5 6 l-5 6 l-5 -6 z", y + 16.0)) class="marker" {}
                text x="0" y=(y + 44.0) class="chart-value" { (r.text[0]) }
                text x="0" y=(y + 57.0) class="chart-value" { (r.text[1]) }
            }
        }
    }
}

fn verdict(l: Lang, v: Verdict) -> Markup {
    html! { strong { (l.pick(&v.label())) } }
}

fn prediction_facts(ctx: &PageCtx, p: &Predicted) -> Markup {
    let l = ctx.lang;
    let s = p.stored.share;
    let b = &p.stored.basis;
    html! {
        dl class="facts" {
            dt { (l.t("Förväntad andel via e-tjänsten", "Expected e-service share")) }
            dd { (percent(s.point)) " (" (percent(s.low)) "–" (percent(s.high)) ")" }
            dt { (l.t("Förväntad besparing per år", "Expected yearly saving")) }
            dd { (whole(p.saving.point)) " " (unit(l)) " (" (whole(p.saving.low)) "–" (whole(p.saving.high)) ")" }
            dt { (l.t("Räknat på", "Computed from")) }
            dd {
                (whole(b.yearly_volume as f64)) " " (l.t("ärenden per år; kanalfördelning före lansering", "errands per year; channel mix before launch")) ": "
                @for (i, c) in Channel::ALL.iter().enumerate() {
                    @if i > 0 { ", " }
                    (l.pick(&c.label())) " " (b.mix[i]) " %"
                }
            }
            dt { (l.t("Fryst", "Frozen")) }
            dd { (display_short(p.stored.recorded_at, &ctx.zone)) " " (l.t("av", "by")) " " (p.stored.recorded_by) }
        }
        p class="hint" { (l.t(
            "Kostnad per kontakt i stadens relativa enheter: e-tjänst 1, telefon 50, e-post 70, brev 90, besök 110. Besparingen räknas som ärendevolym × andel per kanal × andel som flyttar × (kanalens kostnad − e-tjänstens kostnad). Förutsägelsen frystes och räknas inte om när områdets uppgifter ändras.",
            "Cost per contact in the city's relative units: e-service 1, phone 50, e-mail 70, letter 90, visit 110. The saving is errand volume × share per channel × share moving × (the channel's cost − the e-service's cost). The prediction was frozen and is not recomputed when the area's figures change."
        )) }
    }
}

fn followup_section(ctx: &PageCtx, p: &Predicted, c: &Compared, n: usize) -> Markup {
    let l = ctx.lang;
    let f = &c.stored.followup;
    let s = p.stored.share;
    let b = &p.stored.basis;
    let id = format!("followup-{n}");
    let yearly = f.yearly();
    let rows = [
        Row {
            label: l.t("Andel via e-tjänsten", "E-service share").into(),
            low: s.low,
            point: s.point,
            high: s.high,
            realised: c.share,
            max: 1.0,
            text: [
                format!(
                    "{}: {} ({}–{})",
                    l.t("förutsagt", "predicted"),
                    percent(s.point),
                    percent(s.low),
                    percent(s.high)
                ),
                format!("{}: {}", l.t("utfall", "realised"), percent(c.share)),
            ],
        },
        Row {
            label: l.t("Besparing per år", "Yearly saving").into(),
            low: p.saving.low,
            point: p.saving.point,
            high: p.saving.high,
            realised: c.realised.saving,
            max: p.saving.high.max(c.realised.saving).max(1.0) * 1.1,
            text: [
                format!(
                    "{}: {} ({}–{})",
                    l.t("förutsagt", "predicted"),
                    whole(p.saving.point),
                    whole(p.saving.low),
                    whole(p.saving.high)
                ),
                format!(
                    "{}: {}",
                    l.t("utfall", "realised"),
                    whole(c.realised.saving)
                ),
            ],
        },
    ];
    let heading = format!(
        "{} {} ({} {} – {})",
        l.t("Uppföljning", "Follow-up"),
        FollowUp::iso(f.measured_on),
        l.t("period", "period"),
        FollowUp::iso(f.period_from),
        FollowUp::iso(f.period_to)
    );
    html! {
        section aria-labelledby=(format!("{id}-h")) {
            h3 id=(format!("{id}-h")) { (heading) }
            p {
                (l.t("Andelen ärenden via e-tjänsten blev", "The share of errands through the e-service was")) " "
                (percent(c.share)) ", " (verdict(l, c.share_verdict)) " ("
                (percent(s.low)) "–" (percent(s.high)) ")."
            }
            p {
                (l.t("Den realiserade besparingen blev", "The realised saving was")) " "
                (whole(c.realised.saving)) " " (unit(l)) " " (l.t("per år", "a year")) ", "
                (verdict(l, c.saving_verdict)) " (" (whole(p.saving.low)) "–" (whole(p.saving.high)) ")."
            }
            (comparison_chart(&id,
                l.t("Förutsagt intervall och utfall", "Predicted interval and outcome"),
                l.t("Stapeln är det förutsagda intervallet, strecket punktskattningen och romben utfallet.",
                    "The bar is the predicted interval, the line the point estimate and the diamond the outcome."),
                &rows))
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Förutsagt och utfall", "Predicted and realised")) {
                table {
                    caption { (l.t("Förutsagt och utfall", "Predicted and realised")) }
                    thead { tr {
                        th scope="col" { (l.t("Mått", "Measure")) }
                        th scope="col" class="num" { (l.t("Förutsagt", "Predicted")) }
                        th scope="col" class="num" { (l.t("Lägre gräns", "Lower limit")) }
                        th scope="col" class="num" { (l.t("Övre gräns", "Upper limit")) }
                        th scope="col" class="num" { (l.t("Utfall", "Realised")) }
                        th scope="col" { (l.t("Bedömning", "Verdict")) }
                    } }
                    tbody {
                        tr {
                            th scope="row" { (l.t("Andel via e-tjänsten", "E-service share")) }
                            td class="num" { (percent(s.point)) } td class="num" { (percent(s.low)) }
                            td class="num" { (percent(s.high)) } td class="num" { (percent(c.share)) }
                            td { (l.pick(&c.share_verdict.label())) }
                        }
                        tr {
                            th scope="row" { (l.t("Besparing per år", "Yearly saving")) }
                            td class="num" { (whole(p.saving.point)) } td class="num" { (whole(p.saving.low)) }
                            td class="num" { (whole(p.saving.high)) } td class="num" { (whole(c.realised.saving)) }
                            td { (l.pick(&c.saving_verdict.label())) }
                        }
                    }
                }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Besparing per kanal", "Saving by channel")) {
                table {
                    caption { (l.t(
                        "Så räknades utfallet: flyttade kontakter = kanalens andel före lansering × årets alla kontakter − kanalens kontakter; besparing = flyttade × (kanalens kostnad − e-tjänstens kostnad)",
                        "How the outcome was computed: contacts moved = the channel's share before launch × this year's contacts − the channel's contacts; saving = moved × (the channel's cost − the e-service's cost)")) }
                    thead { tr {
                        th scope="col" { (l.t("Kanal", "Channel")) }
                        th scope="col" class="num" { (l.t("Kontakter i perioden", "Contacts in the period")) }
                        th scope="col" class="num" { (l.t("Per år", "Per year")) }
                        th scope="col" class="num" { (l.t("Andel före lansering", "Share before launch")) }
                        th scope="col" class="num" { (l.t("Flyttade per år", "Moved per year")) }
                        th scope="col" class="num" { (l.t("Kostnadsskillnad", "Cost difference")) }
                        th scope="col" class="num" { (l.t("Besparing", "Saving")) }
                    } }
                    tbody {
                        @for (i, ch) in Channel::ALL.iter().enumerate() {
                            tr {
                                th scope="row" { (l.pick(&ch.label())) }
                                td class="num" { (whole(f.volumes[i] as f64)) }
                                td class="num" { (whole(yearly[i])) }
                                td class="num" { (b.mix[i]) " %" }
                                @if i < 4 {
                                    td class="num" { (whole(c.realised.moved[i])) }
                                    td class="num" { (whole(b.costs[i] - b.costs[4])) }
                                    td class="num" { (whole(c.realised.saving_by_channel[i])) }
                                } @else {
                                    td class="num" { "–" } td class="num" { "–" } td class="num" { "–" }
                                }
                            }
                        }
                    }
                    tfoot { tr {
                        th scope="row" { (l.t("Summa", "Total")) }
                        td class="num" { (whole(f.volumes.iter().sum::<u64>() as f64)) }
                        td class="num" { (whole(c.realised.yearly_total)) }
                        td {} td {} td {}
                        td class="num" { (whole(c.realised.saving)) }
                    } }
                }
            }
            @if !f.note.is_empty() { p { (l.t("Anteckning/källa", "Note/source")) ": " (f.note) } }
        }
    }
}

fn prediction_form(ctx: &PageCtx, key: &str, i: &PredictionInput, errors: &Errors) -> Markup {
    let l = ctx.lang;
    html! {
        form method="post" action={ "/backlog/areas/" (key) "/followup/prediction" } class="stack" novalidate {
            (csrf_field(&ctx.csrf))
            fieldset {
                legend { (l.t("Frys förutsägelsen", "Freeze the prediction")) }
                p class="hint" { (l.t(
                    "Ange den andel av ärendena som förväntas gå via e-tjänsten efter lansering, med ett intervall (t.ex. enkätens 95 % konfidensintervall för villigheten att använda e-tjänsten). Områdets volym och kanalfördelning sparas med, och förutsägelsen kan inte ändras efteråt.",
                    "Give the share of errands expected through the e-service after launch, with an interval (e.g. the survey's 95% confidence interval for willingness to use the e-service). The area's volume and channel mix are stored with it, and the prediction cannot be changed afterwards.")) }
                (field("share_point", l.t("Förväntad andel (%)", "Expected share (%)"), &i.share_point, errors, None))
                (field("share_low", l.t("Lägre gräns (%)", "Lower limit (%)"), &i.share_low, errors, None))
                (field("share_high", l.t("Övre gräns (%)", "Upper limit (%)"), &i.share_high, errors, None))
            }
            button type="submit" { (l.t("Frys förutsägelsen", "Freeze the prediction")) }
        }
    }
}

fn followup_form(ctx: &PageCtx, key: &str, i: &FollowUpInput, errors: &Errors) -> Markup {
    let l = ctx.lang;
    let date_hint = l.t("ÅÅÅÅ-MM-DD", "YYYY-MM-DD");
    let value = |c: Channel| -> &str {
        match c {
            Channel::Phone => &i.volume_phone,
            Channel::Email => &i.volume_email,
            Channel::Letter => &i.volume_letter,
            Channel::Visit => &i.volume_visit,
            Channel::Web => &i.volume_web,
        }
    };
    html! {
        form method="post" action={ "/backlog/areas/" (key) "/followup" } class="stack" novalidate {
            (csrf_field(&ctx.csrf))
            fieldset {
                legend { (l.t("Registrera en uppföljning", "Record a follow-up")) }
                (field("measured_on", l.t("Mätdatum", "Date measured"), &i.measured_on, errors, Some(date_hint)))
                (field("period_from", l.t("Perioden börjar", "Period begins"), &i.period_from, errors, Some(date_hint)))
                (field("period_to", l.t("Perioden slutar", "Period ends"), &i.period_to, errors, Some(date_hint)))
            }
            fieldset {
                legend { (l.t("Kontakter i perioden per kanal", "Contacts in the period by channel")) }
                p class="hint" { (l.t(
                    "Antal ärenden per kanal; en kortare period än ett år räknas om till helår. Webben är e-tjänsten.",
                    "Errands per channel; a period shorter than a year is scaled to a full year. The web is the e-service.")) }
                @for c in Channel::ALL {
                    (field(volume_field(c), l.pick(&c.label()), value(c), errors, None))
                }
                (field("note", l.t("Anteckning eller källa (valfri)", "Note or source (optional)"), &i.note, errors, None))
            }
            button type="submit" { (l.t("Spara uppföljningen", "Save the follow-up")) }
        }
    }
}

/// `/backlog/areas/{key}/followup`.
pub fn area(ctx: &PageCtx, p: &FollowupPage, can_edit: bool, forms: &Forms<'_>) -> Markup {
    let l = ctx.lang;
    let key = p.area.area.key.as_str();
    let title = format!(
        "{}: {}",
        l.t("Nyttohemtagning", "Benefits follow-up"),
        name(l, p)
    );
    let empty_p = PredictionInput::default();
    let empty_f = FollowUpInput::default();
    layout::page(
        ctx,
        &title,
        html! {
            p class="breadcrumb" {
                a href="/staff" { (l.t("Översikt", "Overview")) } " › "
                a href="/backlog/followup" { (l.t("Nyttohemtagning", "Benefits follow-up")) } " › "
                a href={ "/backlog/areas/" (key) } { (name(l, p)) }
            }
            h1 { (title) }
            (error_summary(l, &forms.errors.iter().map(|(f, m)| (*f, m.clone())).collect::<Vec<_>>()))
            @if let Some(m) = &forms.problem {
                div class="error-summary" role="alert" tabindex="-1" { p { (l.pick(m)) } }
            }
            dl class="facts" {
                dt { (l.t("Status", "Status")) } dd { (l.pick(&p.area.status.label())) }
                dt { (l.t("Lanserad", "Launched")) }
                dd { @match p.launched_at { Some(t) => (display_short(t, &ctx.zone)), None => (l.t("inte lanserad", "not launched")) } }
            }
            h2 { (l.t("Förutsägelse", "Prediction")) }
            @match &p.prediction {
                Some(pred) => (prediction_facts(ctx, pred)),
                None => {
                    p { (l.t("Ingen förutsägelse är fryst för området.", "No prediction is frozen for the area.")) }
                    @if can_edit {
                        (prediction_form(ctx, key, forms.prediction.unwrap_or(&empty_p), &forms.errors))
                    }
                }
            }
            h2 { (l.t("Uppföljningar", "Follow-ups")) }
            @if p.followups.is_empty() {
                p { (l.t("Inga uppföljningar än.", "No follow-ups yet.")) }
            }
            @if let Some(pred) = &p.prediction {
                @for (n, c) in p.followups.iter().enumerate() {
                    (followup_section(ctx, pred, c, n + 1))
                }
                @if can_edit && p.launched_at.is_some() {
                    (followup_form(ctx, key, forms.followup.unwrap_or(&empty_f), &forms.errors))
                }
            }
        },
    )
}

/// `/backlog/followup`: predicted against realised saving over all launched areas.
pub fn summary(ctx: &PageCtx, pages: &[FollowupPage]) -> Markup {
    let l = ctx.lang;
    let title = l.t("Nyttohemtagning", "Benefits follow-up");
    let latest: Vec<(&FollowupPage, &Predicted, &Compared)> = pages
        .iter()
        .filter_map(|p| Some((p, p.prediction.as_ref()?, p.followups.last()?)))
        .collect();
    let total = |f: &dyn Fn(&Predicted, &Compared) -> f64| -> f64 {
        latest.iter().map(|(_, p, c)| f(p, c)).sum()
    };
    let (t_point, t_low, t_high) = (
        total(&|p, _| p.saving.point),
        total(&|p, _| p.saving.low),
        total(&|p, _| p.saving.high),
    );
    let t_real = total(&|_, c| c.realised.saving);
    layout::page(
        ctx,
        title,
        html! {
            p class="breadcrumb" {
                a href="/staff" { (l.t("Översikt", "Overview")) } " › "
                a href="/backlog/areas" { (l.t("Kandidatområden", "Candidate areas")) }
            }
            h1 { (title) }
            p { (l.t(
                "Lanserade e-tjänster: förutsagd mot realiserad besparing per år enligt den senaste uppföljningen. Besparingen är i stadens relativa kostnadsenheter (en e-tjänstkontakt = 1).",
                "Launched e-services: predicted against realised yearly saving by the latest follow-up. The saving is in the city's relative cost units (one e-service contact = 1)."
            )) }
            @if pages.is_empty() {
                p { (l.t("Inga lanserade områden än.", "No launched areas yet.")) }
            } @else {
                @if !latest.is_empty() {
                    p {
                        (l.t("Sammanlagd realiserad besparing", "Total realised saving")) ": " strong { (whole(t_real)) } " " (unit(l)) " "
                        (l.t("per år, mot förutsagt", "a year, against a predicted")) " " (whole(t_point)) " (" (whole(t_low)) "–" (whole(t_high)) "): "
                        (verdict(l, Verdict::of(t_real, t_low, t_high))) "."
                    }
                }
                div class="table-scroll" tabindex="0" role="region" aria-label=(title) {
                    table {
                        caption { (l.t("Förutsagt och realiserat per lanserat område", "Predicted and realised by launched area")) }
                        thead { tr {
                            th scope="col" { (l.t("Område", "Area")) }
                            th scope="col" { (l.t("Senaste uppföljning", "Latest follow-up")) }
                            th scope="col" class="num" { (l.t("Andel via e-tjänsten: förutsagd", "E-service share: predicted")) }
                            th scope="col" class="num" { (l.t("realiserad", "realised")) }
                            th scope="col" class="num" { (l.t("Besparing per år: förutsagd", "Yearly saving: predicted")) }
                            th scope="col" class="num" { (l.t("realiserad", "realised")) }
                            th scope="col" { (l.t("Bedömning", "Verdict")) }
                        } }
                        tbody {
                            @for p in pages {
                                tr {
                                    th scope="row" { a href={ "/backlog/areas/" (p.area.area.key.as_str()) "/followup" } { (name(l, p)) } }
                                    @match (&p.prediction, p.followups.last()) {
                                        (Some(pred), Some(c)) => {
                                            td { (FollowUp::iso(c.stored.followup.measured_on)) }
                                            td class="num" { (percent(pred.stored.share.point)) " (" (percent(pred.stored.share.low)) "–" (percent(pred.stored.share.high)) ")" }
                                            td class="num" { (percent(c.share)) }
                                            td class="num" { (whole(pred.saving.point)) " (" (whole(pred.saving.low)) "–" (whole(pred.saving.high)) ")" }
                                            td class="num" { (whole(c.realised.saving)) }
                                            td { (l.pick(&c.saving_verdict.label())) }
                                        }
                                        (None, _) => { td colspan="6" { (l.t("ingen fryst förutsägelse", "no frozen prediction")) } }
                                        (Some(_), None) => { td colspan="6" { (l.t("ingen uppföljning än", "no follow-up yet")) } }
                                    }
                                }
                            }
                        }
                        @if !latest.is_empty() {
                            tfoot { tr {
                                th scope="row" { (l.t("Summa", "Total")) }
                                td {} td {} td {}
                                td class="num" { (whole(t_point)) " (" (whole(t_low)) "–" (whole(t_high)) ")" }
                                td class="num" { (whole(t_real)) }
                                td { (l.pick(&Verdict::of(t_real, t_low, t_high).label())) }
                            } }
                        }
                    }
                }
                p class="hint" { (l.t(
                    "Summans intervall lägger ihop områdenas gränser (som om deras fel går åt samma håll): ett försiktigt, brett intervall.",
                    "The total's interval adds the areas' limits (as if their errors went the same way): a cautious, wide interval."
                )) }
            }
        },
    )
}
