//! Server-rendered SVG charts: pure functions from figures to markup. Each chart is an image
//! with a title and a description (`role="img"`, `aria-labelledby`); every value is also written
//! as text beside its mark, so colour is never the only carrier, and the page puts a data table
//! under every chart. Coordinates are in a 320-unit-wide viewBox scaled to the container, with
//! labels above the bars, so a chart fits a 320 px screen without horizontal scrolling.

use maud::{html, Markup};

/// One bar: a share (0–1) with its interval.
pub struct Bar {
    /// The category label.
    pub label: String,
    /// The share.
    pub value: f64,
    /// The interval (NaN: none).
    pub ci: (f64, f64),
}

/// One segment of a stacked bar.
pub struct Segment {
    /// The category label (for the legend).
    pub label: String,
    /// The share.
    pub value: f64,
}

const WIDTH: f64 = 320.0;

/// A share as text, `42.5 %` (`–` when undefined).
pub fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1} %", x * 100.0)
    } else {
        "–".to_owned()
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Horizontal bars with 95% interval whiskers; `id` must be unique on the page.
pub fn bars(id: &str, title: &str, desc: &str, bars: &[Bar]) -> Markup {
    let row = 34.0;
    let height = row * bars.len() as f64 + 4.0;
    let scale = WIDTH - 70.0;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) preserveAspectRatio="xMinYMin meet" {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = i as f64 * row;
                @let w = clamp01(b.value) * scale;
                text x="0" y=(y + 11.0) class="chart-label" { (b.label) }
                rect x="0" y=(y + 15.0) width=(format!("{w:.2}")) height="12" class="bar" {}
                @if b.ci.0.is_finite() && b.ci.1.is_finite() {
                    @let (lo, hi) = (clamp01(b.ci.0) * scale, clamp01(b.ci.1) * scale);
                    line x1=(format!("{lo:.2}")) x2=(format!("{hi:.2}")) y1=(y + 21.0) y2=(y + 21.0) class="whisker" {}
                    line x1=(format!("{lo:.2}")) x2=(format!("{lo:.2}")) y1=(y + 17.0) y2=(y + 25.0) class="whisker" {}
                    line x1=(format!("{hi:.2}")) x2=(format!("{hi:.2}")) y1=(y + 17.0) y2=(y + 25.0) class="whisker" {}
                }
                text x=(format!("{:.2}", scale + 4.0)) y=(y + 26.0) class="chart-value" { (percent(b.value)) }
            }
        }
    }
}

/// A 100% stacked bar of ordered categories (a Likert scale), diverging around its middle:
/// the lower half extends left of the centre line and the upper half right of it, and the
/// middle category, if the count is odd, straddles the line. Segments are told apart by
/// position, a numbered legend and their printed shares, not by colour alone.
pub fn diverging(id: &str, title: &str, desc: &str, segments: &[Segment]) -> Markup {
    let k = segments.len();
    let mid = WIDTH / 2.0;
    let scale = WIDTH / 2.0 - 2.0;
    let v: Vec<f64> = segments.iter().map(|s| clamp01(s.value)).collect();
    let half = k / 2;
    let centre = if k % 2 == 1 { v[half] / 2.0 } else { 0.0 };
    let left: f64 = v[..half].iter().sum::<f64>() + centre;
    let mut starts = Vec::with_capacity(k);
    let mut x = mid - left * scale;
    for s in &v {
        starts.push(x);
        x += s * scale;
    }
    let legend_rows = k.div_ceil(2);
    let height = 40.0 + legend_rows as f64 * 16.0;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) preserveAspectRatio="xMinYMin meet" {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for (i, (s, x)) in v.iter().zip(&starts).enumerate() {
                @let w = s * scale;
                rect x=(format!("{x:.2}")) y="4" width=(format!("{w:.2}")) height="18"
                    class=(format!("seg seg-{}", shade(i, k))) {}
                @if w > 14.0 {
                    text x=(format!("{:.2}", x + w / 2.0)) y="17" class="seg-text" text-anchor="middle" { (i + 1) }
                }
            }
            line x1=(mid) x2=(mid) y1="0" y2="26" class="centre" {}
            @for (i, s) in segments.iter().enumerate() {
                @let col = (i % 2) as f64 * (WIDTH / 2.0);
                @let row = (i / 2) as f64;
                text x=(col) y=(42.0 + row * 16.0) class="chart-label" {
                    (i + 1) ". " (s.label) ": " (percent(s.value))
                }
            }
        }
    }
}

/// Shade class 0–4 for segment `i` of `k`: dark at both ends, light in the middle.
fn shade(i: usize, k: usize) -> usize {
    if k <= 1 {
        return 2;
    }
    let pos = i as f64 / (k - 1) as f64;
    ((pos * 4.0).round() as usize).min(4)
}

/// A signed score in [−1, 1] as text, `+0.42` / `−0.10` (`–` when undefined).
pub fn signed(x: f64) -> String {
    if x.is_finite() {
        format!("{x:+.2}").replace('-', "−")
    } else {
        "–".to_owned()
    }
}

/// Horizontal bars of signed scores in [−1, 1] (MaxDiff best − worst) around a centre line,
/// with 95% interval whiskers; each value is printed beside its bar, and negative bars extend
/// left of the line, so the sign is read from position and text, not colour.
pub fn signed_bars(id: &str, title: &str, desc: &str, bars: &[Bar]) -> Markup {
    let row = 34.0;
    let height = row * bars.len() as f64 + 4.0;
    let half = (WIDTH - 60.0) / 2.0;
    let x = |v: f64| half + v.clamp(-1.0, 1.0) * half;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) preserveAspectRatio="xMinYMin meet" {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            line x1=(format!("{half:.2}")) x2=(format!("{half:.2}")) y1="12" y2=(format!("{height:.2}")) class="axis" {}
            @for (i, b) in bars.iter().enumerate() {
                @let y = i as f64 * row;
                @let v = if b.value.is_finite() { b.value } else { 0.0 };
                @let (a, e) = if v < 0.0 { (x(v), half) } else { (half, x(v)) };
                text x="0" y=(y + 11.0) class="chart-label" { (b.label) }
                rect x=(format!("{a:.2}")) y=(y + 15.0) width=(format!("{:.2}", e - a)) height="12" class="bar" {}
                @if b.ci.0.is_finite() && b.ci.1.is_finite() {
                    @let (lo, hi) = (x(b.ci.0), x(b.ci.1));
                    line x1=(format!("{lo:.2}")) x2=(format!("{hi:.2}")) y1=(y + 21.0) y2=(y + 21.0) class="whisker" {}
                    line x1=(format!("{lo:.2}")) x2=(format!("{lo:.2}")) y1=(y + 17.0) y2=(y + 25.0) class="whisker" {}
                    line x1=(format!("{hi:.2}")) x2=(format!("{hi:.2}")) y1=(y + 17.0) y2=(y + 25.0) class="whisker" {}
                }
                text x=(format!("{:.2}", 2.0 * half + 4.0)) y=(y + 26.0) class="chart-value" { (signed(b.value)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_names_itself_and_prints_each_value_as_text() {
        let m = bars(
            "q1",
            "Car?",
            "Shares with 95% intervals",
            &[
                Bar {
                    label: "Yes".into(),
                    value: 0.25,
                    ci: (0.2, 0.3),
                },
                Bar {
                    label: "<No>".into(),
                    value: 0.75,
                    ci: (f64::NAN, f64::NAN),
                },
            ],
        )
        .into_string();
        assert!(m.contains(r#"role="img""#) && m.contains(r#"aria-labelledby="q1-t q1-d""#));
        assert!(m.contains("25.0 %") && m.contains("75.0 %"));
        assert!(m.contains("&lt;No&gt;"), "labels are escaped: {m}");
    }

    #[test]
    fn a_diverging_bar_is_centred_on_the_middle_of_the_scale() {
        let seg = |v: f64| Segment {
            label: "x".into(),
            value: v,
        };
        let m = diverging(
            "d",
            "t",
            "d",
            &[seg(0.2), seg(0.2), seg(0.2), seg(0.2), seg(0.2)],
        )
        .into_string();
        // 0.5 of the bar lies left of the centre: it starts a quarter of the width in.
        assert!(m.contains(r#"x="81.00""#), "{m}");
    }
    /// In HTML (not XML) an SVG shape written `<rect …>` without `/>` or `</rect>` stays open, and
    /// the parser nests every later shape and label inside it, where nothing is drawn. Each shape
    /// must therefore be closed explicitly; this counts start and end tags of every chart kind.
    #[test]
    fn every_svg_shape_of_every_chart_is_closed() {
        let bar = |v: f64| Bar {
            label: "b".into(),
            value: v,
            ci: (v - 0.1, v + 0.1),
        };
        let seg = |v: f64| Segment {
            label: "s".into(),
            value: v,
        };
        let charts = [
            bars("a", "t", "d", &[bar(0.4), bar(0.6)]).into_string(),
            diverging("b", "t", "d", &[seg(0.3), seg(0.3), seg(0.4)]).into_string(),
            signed_bars("c", "t", "d", &[bar(-0.3), bar(0.5)]).into_string(),
        ];
        for chart in &charts {
            for shape in ["rect", "line", "circle", "path"] {
                let opened = chart.matches(&format!("<{shape} ")).count();
                let closed = chart.matches(&format!("</{shape}>")).count();
                assert_eq!(opened, closed, "an unclosed <{shape}> in {chart}");
            }
            assert!(chart.contains("<rect "), "{chart}");
        }
    }
}
