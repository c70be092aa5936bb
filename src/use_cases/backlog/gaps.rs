//! Gaps for groups that must not be left behind: per area, whether people aged 65 and older, people
//! with a functional impairment, each district and people with low digital confidence differ from
//! the rest in their **need** (reach: had the errand; importance of doing it online) or their
//! **digital readiness** (would use the e-service; prefers the e-service channel), and the
//! **equity** value the ranking uses.
//!
//! How it is computed, so a reader can check it:
//! - **Groups** are found in the survey version by their background questions (see
//!   [`find_groups`]: `age_group` or `age`, `impairment`, `district`, `digital_confidence` or
//!   `confidence_overall`). A group the survey cannot identify is listed as missing, with the
//!   reason; nothing is inferred from other answers. "The rest" is everyone else who answered the
//!   same background question; people who did not answer it are in neither.
//! - **Estimates** are the ranking's weighted design (raked or design weights): the group's and the
//!   rest's weighted share or mean with a 95% CI and n, and their difference with the
//!   linearisation SE of a difference between two domains of one design (covariance included, as
//!   R `svyby` + `svycontrast`), a two-sided t test on the design degrees of freedom, and a 95% CI
//!   on the same t.
//! - **Multiple comparisons**: the p-values of one area's comparisons (every group × measure that
//!   could be tested) are adjusted with **Holm's step-down method** (Holm 1979), which keeps the
//!   chance of any false flag for that area at 5%. A gap is **flagged** when its Holm-adjusted
//!   p is below 0.05. A comparison with fewer than [`MIN_N`] answers in the group or the rest is
//!   not tested (and so does not count toward the adjustment).
//! - **Equity** (the sixth ranking criterion, higher is better) is minus the largest
//!   *left-behind exposure* of any group: for each group whose digital readiness is flagged as
//!   lower than the rest's, exposure = (share of the group who had the errand) × (how many
//!   percentage points fewer of the group than of the rest would use the e-service). Readiness is
//!   the would-use share, or the e-service preference when would-use is not linked; the group's
//!   reach is taken as 1 when reach is not linked. An area whose e-service would leave a group
//!   with a real need behind scores lower; an area without flagged readiness gaps scores 0, the
//!   best. Only flagged gaps count, so sampling noise in small groups (a district of 40
//!   respondents) does not move the ranking. Equity is held fixed in the rank bootstrap.

use analysis::hypothesis::{p_adjust, PAdjust};
use analysis::{Column, Design, DONT_KNOW};

use super::ranking::{Figure, LinkMap};
use crate::domain::backlog::LinkRole;
use crate::domain::lang::Msg;
use crate::domain::survey::{QuestionKind, Survey};
use crate::use_cases::results::cache::VersionData;

/// Fewer answers than this in the group or the rest: the comparison is not tested.
pub const MIN_N: usize = 10;
/// Family-wise error rate of one area's comparisons (after Holm's adjustment).
pub const ALPHA: f64 = 0.05;

/// The kinds of group that must not be left behind (issue 14).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Aged 65 or older.
    Age65Plus,
    /// With a functional impairment.
    Impairment,
    /// Living in one district (one group per district).
    District,
    /// Low digital confidence.
    LowDigitalConfidence,
}

impl GroupKind {
    /// Every kind, in display order.
    pub const ALL: [GroupKind; 4] = [
        GroupKind::Age65Plus,
        GroupKind::Impairment,
        GroupKind::District,
        GroupKind::LowDigitalConfidence,
    ];

    /// The kind for people.
    pub fn label(self) -> Msg {
        match self {
            GroupKind::Age65Plus => Msg::fixed("65 år och äldre", "Aged 65 and older"),
            GroupKind::Impairment => {
                Msg::fixed("Med funktionsnedsättning", "With a functional impairment")
            }
            GroupKind::District => Msg::fixed("Varje stadsdel", "Each district"),
            GroupKind::LowDigitalConfidence => {
                Msg::fixed("Låg digital vana", "Low digital confidence")
            }
        }
    }

    /// The question keys that identify the kind, in the order they are looked for.
    pub fn question_keys(self) -> &'static [&'static str] {
        match self {
            GroupKind::Age65Plus => &["age_group", "age"],
            GroupKind::Impairment => &["impairment", "functional_impairment", "disability"],
            GroupKind::District => &["district"],
            GroupKind::LowDigitalConfidence => &["digital_confidence", "confidence_overall"],
        }
    }
}

/// One group and the rest it is compared with (masks over the version's rows).
#[derive(Debug, Clone)]
pub struct Group {
    /// The kind.
    pub kind: GroupKind,
    /// Stable key, e.g. `age_65_plus`, `district:bromma`.
    pub key: String,
    /// Name for people.
    pub label: Msg,
    /// Rows in the group.
    pub members: Vec<bool>,
    /// Rows that answered the identifying question and are not in the group.
    pub rest: Vec<bool>,
}

/// Which kinds of group the survey identifies, and which it cannot.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupsFound {
    /// Kind and the question that identifies it.
    pub identified: Vec<(GroupKind, String)>,
    /// Kinds the survey has no question for.
    pub missing: Vec<GroupKind>,
}

/// What is compared between a group and the rest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GapMeasure {
    /// Need: share who had the errand.
    Reach,
    /// Need: mean importance of doing it online.
    Importance,
    /// Digital readiness: share who would use an e-service.
    WouldUse,
    /// Digital readiness: share preferring the e-service channel.
    Digital,
}

impl GapMeasure {
    /// Whether the measure is of need (else of digital readiness).
    pub fn is_need(self) -> bool {
        matches!(self, GapMeasure::Reach | GapMeasure::Importance)
    }

    /// Whether the measure is a share (else a mean on the question's scale).
    pub fn is_share(self) -> bool {
        self != GapMeasure::Importance
    }

    /// The measure for people.
    pub fn label(self) -> Msg {
        match self {
            GapMeasure::Reach => Msg::fixed("har haft ärendet", "had the errand"),
            GapMeasure::Importance => Msg::fixed("vikt (medel)", "importance (mean)"),
            GapMeasure::WouldUse => Msg::fixed("skulle använda e-tjänst", "would use an e-service"),
            GapMeasure::Digital => Msg::fixed("föredrar e-tjänst", "prefers the e-service"),
        }
    }
}

/// One tested comparison of a group with the rest.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gap {
    /// Group key.
    pub group: String,
    /// Group kind.
    pub kind: GroupKind,
    /// Group name (sv).
    pub label_sv: String,
    /// Group name (en).
    pub label_en: String,
    /// The measure.
    pub measure: GapMeasure,
    /// The group's estimate.
    pub group_figure: Figure,
    /// The rest's estimate.
    pub rest_figure: Figure,
    /// Group minus rest, with its 95% CI (t on the design df) and n of both.
    pub difference: Figure,
    /// Two-sided p of the difference.
    pub p: f64,
    /// Holm-adjusted p over the area's comparisons.
    pub p_holm: f64,
    /// Significant after the adjustment.
    pub flagged: bool,
}

impl Gap {
    /// The group's name.
    pub fn label(&self) -> Msg {
        Msg::new(self.label_sv.clone(), self.label_en.clone())
    }

    /// Flagged, and the group is worse off: readiness lower than the rest's.
    pub fn left_behind(&self) -> bool {
        self.flagged && !self.measure.is_need() && self.difference.estimate < 0.0
    }

    /// Flagged, and a concern: readiness lower than the rest's, or need greater (a group with
    /// less need or more readiness is flagged too, but is no reason for worry).
    pub fn concern(&self) -> bool {
        self.left_behind()
            || (self.flagged && self.measure.is_need() && self.difference.estimate > 0.0)
    }

    /// The flag in words: which group, which way, on what.
    pub fn words(&self) -> Msg {
        let higher = self.difference.estimate > 0.0;
        let (sv, en) = match (self.measure.is_need(), higher) {
            (true, true) => ("större behov", "greater need"),
            (true, false) => ("mindre behov", "less need"),
            (false, true) => ("mer redo för e-tjänst", "more ready for an e-service"),
            (false, false) => ("mindre redo för e-tjänst", "less ready for an e-service"),
        };
        let m = self.measure.label();
        Msg::new(
            format!("{}: {sv} än övriga ({})", self.label_sv, m.sv),
            format!("{}: {en} than the rest ({})", self.label_en, m.en),
        )
    }
}

/// A flagged readiness shortfall and the exposure it gives (see the module notes).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Exposure {
    /// Group key.
    pub group: String,
    /// Group name (sv).
    pub label_sv: String,
    /// Group name (en).
    pub label_en: String,
    /// The group's reach (1 when reach is not linked).
    pub need: f64,
    /// Rest's readiness minus the group's (> 0).
    pub shortfall: f64,
    /// need × shortfall.
    pub exposure: f64,
}

/// The gaps of one area.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AreaGaps {
    /// Every tested comparison, by group then measure.
    pub gaps: Vec<Gap>,
    /// Comparisons not tested (fewer than [`MIN_N`] answers on a side, or no variance).
    pub untested: usize,
    /// Flagged readiness shortfalls with their exposure, largest first.
    pub exposures: Vec<Exposure>,
    /// The equity criterion's value: minus the largest exposure (0: no group left behind).
    pub equity: f64,
}

impl AreaGaps {
    /// The flagged comparisons.
    pub fn flagged(&self) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(|g| g.flagged)
    }

    /// The flagged comparisons, concerns first (lower readiness, then greater need), each kind
    /// by the size of the difference, largest first; then the other flags.
    pub fn flags_by_concern(&self) -> Vec<&Gap> {
        let mut out: Vec<&Gap> = self.flagged().collect();
        let order = |g: &Gap| match (g.left_behind(), g.concern()) {
            (true, _) => 0,
            (false, true) => 1,
            _ => 2,
        };
        out.sort_by(|a, b| {
            order(a).cmp(&order(b)).then(
                b.difference
                    .estimate
                    .abs()
                    .total_cmp(&a.difference.estimate.abs()),
            )
        });
        out
    }
}

fn leading_number(label: &str) -> Option<u32> {
    let digits: String = label.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn choice_label(survey: &Survey, question: &str, value: &str) -> Msg {
    let list = survey.question(question).and_then(|q| match &q.kind {
        QuestionKind::SingleChoice { list, .. } => survey.choice_list(list),
        _ => None,
    });
    match list.and_then(|l| l.iter().find(|c| c.value == value)) {
        Some(c) => Msg::new(
            c.label.get_or("sv", "en").to_owned(),
            c.label.get_or("en", "sv").to_owned(),
        ),
        None => Msg::new(value.to_owned(), value.to_owned()),
    }
}

/// Split the rows of categorical column `c` by `member(label)`: `Some(true)` in the group,
/// `Some(false)` in the rest, `None` in neither.
fn split_categorical(
    c: &analysis::data::Categorical,
    member: impl Fn(&str) -> Option<bool>,
) -> (Vec<bool>, Vec<bool>) {
    let by_code: Vec<Option<bool>> = c.labels.iter().map(|l| member(l)).collect();
    let side = |code: u32| {
        if code >= DONT_KNOW {
            None
        } else {
            by_code.get(code as usize).copied().flatten()
        }
    };
    (
        c.codes.iter().map(|&k| side(k) == Some(true)).collect(),
        c.codes.iter().map(|&k| side(k) == Some(false)).collect(),
    )
}

/// Background answers that are no answer at all ("prefer not to say", "don't know").
fn is_refusal(label: &str) -> bool {
    matches!(label, "no_answer" | "dont_know" | "prefer_not")
}

fn groups_of(kind: GroupKind, key: &str, survey: &Survey, column: &Column) -> Option<Vec<Group>> {
    let one = |members: Vec<bool>, rest: Vec<bool>, gkey: &str, label: Msg| Group {
        kind,
        key: gkey.to_owned(),
        label,
        members,
        rest,
    };
    match (kind, column) {
        (GroupKind::Age65Plus, Column::Categorical(c)) => {
            let (m, r) = split_categorical(c, |l| leading_number(l).map(|age| age >= 65));
            Some(vec![one(m, r, "age_65_plus", kind.label())])
        }
        (GroupKind::Age65Plus, Column::Numeric(n)) => {
            let y = n.substantive();
            let m = y.iter().map(|v| *v >= 65.0).collect();
            let r = y.iter().map(|v| *v < 65.0).collect();
            Some(vec![one(m, r, "age_65_plus", kind.label())])
        }
        (GroupKind::Impairment, Column::Categorical(c)) => {
            let (m, r) = split_categorical(c, |l| match l {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            });
            Some(vec![one(m, r, "impairment", kind.label())])
        }
        (GroupKind::District, Column::Categorical(c)) => Some(
            c.labels
                .iter()
                .filter(|l| !is_refusal(l) && l.as_str() != "outside")
                .map(|d| {
                    let (m, r) =
                        split_categorical(c, |l| if is_refusal(l) { None } else { Some(l == d) });
                    let name = choice_label(survey, key, d);
                    let label = Msg::new(
                        format!("Stadsdel {}", name.sv),
                        format!("District {}", name.en),
                    );
                    one(m, r, &format!("district:{d}"), label)
                })
                .collect(),
        ),
        (GroupKind::LowDigitalConfidence, Column::Numeric(n)) => {
            // The two lowest points of the scale (1–2 of 1–5).
            let min = match survey.question(key).map(|q| &q.kind) {
                Some(QuestionKind::Rating { scale }) => scale.min as f64,
                _ => 1.0,
            };
            let y = n.substantive();
            let m = y.iter().map(|v| *v <= min + 1.0).collect();
            let r = y.iter().map(|v| *v > min + 1.0).collect();
            Some(vec![one(m, r, "low_digital_confidence", kind.label())])
        }
        (GroupKind::LowDigitalConfidence, Column::Categorical(c)) => {
            let (m, r) = split_categorical(c, |l| match l {
                "very_unsure" | "fairly_unsure" => Some(true),
                "fairly_sure" | "very_sure" => Some(false),
                _ => None,
            });
            Some(vec![one(m, r, "low_digital_confidence", kind.label())])
        }
        _ => None,
    }
}

/// The groups the version's background questions identify, and which kinds it cannot.
pub fn find_groups(data: &VersionData) -> (Vec<Group>, GroupsFound) {
    let mut groups = Vec::new();
    let mut found = GroupsFound::default();
    for kind in GroupKind::ALL {
        let hit = kind.question_keys().iter().find_map(|key| {
            let column = data.loaded.data.column(key)?;
            Some((*key, groups_of(kind, key, &data.survey, column)?))
        });
        match hit {
            Some((key, gs)) => {
                found.identified.push((kind, key.to_owned()));
                groups.extend(gs);
            }
            None => found.missing.push(kind),
        }
    }
    (groups, found)
}

/// Per row: 1/0 where the question was answered, NaN where not (the share's denominator).
fn indicator(n: usize, valid: impl Fn(usize) -> bool, hit: impl Fn(usize) -> bool) -> Vec<f64> {
    (0..n)
        .map(|i| {
            if !valid(i) {
                f64::NAN
            } else if hit(i) {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

fn choice_values(data: &VersionData, key: &str, value: &str) -> Option<Vec<f64>> {
    let Some(Column::Categorical(c)) = data.loaded.data.column(key) else {
        return None;
    };
    let code = c.labels.iter().position(|l| l == value)? as u32;
    let dk = c
        .labels
        .iter()
        .position(|l| l == "dont_know")
        .map(|i| i as u32);
    Some(indicator(
        c.codes.len(),
        |i| c.codes[i] < DONT_KNOW && Some(c.codes[i]) != dk,
        |i| c.codes[i] == code,
    ))
}

fn reach_values(data: &VersionData, key: &str, item: &str) -> Option<Vec<f64>> {
    match data.loaded.data.column(key)? {
        Column::MultiSelect(m) => {
            let k = m.options.iter().position(|o| o == item)?;
            Some(indicator(
                m.state.len(),
                |i| m.state[i] == analysis::AnswerState::Valid,
                |i| m.selected[k][i],
            ))
        }
        Column::Numeric(c) => {
            let y = c.substantive();
            Some(
                y.iter()
                    .map(|v| {
                        if v.is_nan() {
                            f64::NAN
                        } else {
                            f64::from(u8::from(*v > 0.0))
                        }
                    })
                    .collect(),
            )
        }
        Column::Categorical(_) => {
            choice_values(data, key, "yes").or_else(|| choice_values(data, key, "1"))
        }
    }
}

/// Per measure the area's linked question as one value per row (NaN: not answered), the same
/// definitions as the ranking's measures.
pub(crate) fn measure_values(data: &VersionData, links: &LinkMap) -> Vec<(GapMeasure, Vec<f64>)> {
    let mut out = Vec::new();
    if let Some((q, item)) = links.get(&LinkRole::HadErrand) {
        if let Some(y) = reach_values(data, q, item) {
            out.push((GapMeasure::Reach, y));
        }
    }
    if let Some((q, _)) = links.get(&LinkRole::Importance) {
        if let Some(Column::Numeric(c)) = data.loaded.data.column(q) {
            out.push((GapMeasure::Importance, c.substantive()));
        }
    }
    if let Some((q, _)) = links.get(&LinkRole::WouldUse) {
        if let Some(y) = choice_values(data, q, "yes") {
            out.push((GapMeasure::WouldUse, y));
        }
    }
    if let Some((q, _)) = links.get(&LinkRole::PreferredChannel) {
        if let Some(y) = choice_values(data, q, "eservice") {
            out.push((GapMeasure::Digital, y));
        }
    }
    out
}

fn figure_t(e: &analysis::Estimate) -> Figure {
    let (low, high) = e.ci_t(0.95);
    Figure {
        estimate: e.estimate,
        low,
        high,
        n: e.n,
    }
}

/// One comparison, or `None` when it cannot be tested (too few answers, no variance).
///
/// The same estimates as [`Design::mean`] on each domain and [`Design::mean_difference`] (a
/// test checks it), computed in one pass for the two means and one covariance of their
/// influence values, instead of three calls reading the data nine times: an area has up to 68
/// comparisons, and a city survey may have 100,000 respondents.
fn compare(design: &Design, y: &[f64], g: &Group, measure: GapMeasure) -> Option<Gap> {
    let w = design.weights();
    let (mut sw, mut swy, mut n) = ([0.0; 2], [0.0; 2], [0usize; 2]);
    for (i, &v) in y.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let side = if g.members[i] {
            0
        } else if g.rest[i] {
            1
        } else {
            continue;
        };
        sw[side] += w[i];
        swy[side] += w[i] * v;
        n[side] += 1;
    }
    if n[0] < MIN_N || n[1] < MIN_N || sw[0] <= 0.0 || sw[1] <= 0.0 {
        return None;
    }
    let mean = [swy[0] / sw[0], swy[1] / sw[1]];
    let mut z = [vec![0.0; y.len()], vec![0.0; y.len()]];
    for (i, &v) in y.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let side = if g.members[i] {
            0
        } else if g.rest[i] {
            1
        } else {
            continue;
        };
        z[side][i] = w[i] * (v - mean[side]) / sw[side];
    }
    let cov = design.total_covariance(&z).ok()?;
    let (va, vb, cab) = (cov[0], cov[3], cov[1]);
    let df = design.degrees_of_freedom();
    let estimate = |x: f64, var: f64, n: usize| analysis::Estimate {
        estimate: x,
        se: var.max(0.0).sqrt(),
        df,
        n,
        deff: None,
    };
    let d = estimate(mean[0] - mean[1], va + vb - 2.0 * cab, n[0] + n[1]);
    if !(d.se > 0.0 && d.se.is_finite()) {
        return None;
    }
    let p = analysis::dist::clamp_p(2.0 * analysis::dist::pt_upper((d.estimate / d.se).abs(), df));
    Some(Gap {
        group: g.key.clone(),
        kind: g.kind,
        label_sv: g.label.sv.to_string(),
        label_en: g.label.en.to_string(),
        measure,
        group_figure: Figure::of(&estimate(mean[0], va, n[0])),
        rest_figure: Figure::of(&estimate(mean[1], vb, n[1])),
        difference: figure_t(&d),
        p,
        p_holm: p,
        flagged: false,
    })
}

/// The gaps of every area (its first link per role), the areas split over the machine's cores.
pub(crate) fn for_areas(
    design: &Design,
    groups: &[Group],
    data: &VersionData,
    links: &[&LinkMap],
) -> Vec<AreaGaps> {
    if links.is_empty() {
        return Vec::new();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(links.len());
    let chunk = links.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = links
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|l| area_gaps(design, groups, &measure_values(data, l)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Adjust the p-values of one area's comparisons with Holm's method and flag those below
/// [`ALPHA`].
pub fn flag(gaps: &mut [Gap]) {
    let p: Vec<f64> = gaps.iter().map(|g| g.p.clamp(0.0, 1.0)).collect();
    let Ok(adjusted) = p_adjust(&p, PAdjust::Holm) else {
        return;
    };
    for (g, q) in gaps.iter_mut().zip(adjusted) {
        g.p_holm = q;
        g.flagged = q < ALPHA;
    }
}

/// The left-behind exposures of the flagged readiness gaps and the equity value (module notes).
pub fn equity(gaps: &[Gap]) -> (Vec<Exposure>, f64) {
    let readiness = if gaps.iter().any(|g| g.measure == GapMeasure::WouldUse) {
        GapMeasure::WouldUse
    } else {
        GapMeasure::Digital
    };
    let mut out: Vec<Exposure> = gaps
        .iter()
        .filter(|g| g.measure == readiness && g.left_behind())
        .map(|g| {
            let need = gaps
                .iter()
                .find(|r| r.group == g.group && r.measure == GapMeasure::Reach)
                .map_or(1.0, |r| r.group_figure.estimate.clamp(0.0, 1.0));
            let shortfall = -g.difference.estimate;
            Exposure {
                group: g.group.clone(),
                label_sv: g.label_sv.clone(),
                label_en: g.label_en.clone(),
                need,
                shortfall,
                exposure: need * shortfall,
            }
        })
        .collect();
    out.sort_by(|a, b| b.exposure.total_cmp(&a.exposure));
    let value = out.first().map_or(0.0, |e| -e.exposure);
    (out, value)
}

/// The gaps of one area over `groups`, Holm-adjusted and flagged, with its equity value.
pub fn area_gaps(
    design: &Design,
    groups: &[Group],
    measures: &[(GapMeasure, Vec<f64>)],
) -> AreaGaps {
    let mut gaps = Vec::new();
    let mut untested = 0;
    for g in groups {
        for (m, y) in measures {
            match compare(design, y, g, *m) {
                Some(gap) => gaps.push(gap),
                None => untested += 1,
            }
        }
    }
    flag(&mut gaps);
    let (exposures, equity) = equity(&gaps);
    AreaGaps {
        gaps,
        untested,
        exposures,
        equity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(group: &str, measure: GapMeasure, group_est: f64, diff: f64, p: f64) -> Gap {
        let f = |e: f64| Figure {
            estimate: e,
            low: e - 0.05,
            high: e + 0.05,
            n: 100,
        };
        Gap {
            group: group.into(),
            kind: GroupKind::Age65Plus,
            label_sv: group.into(),
            label_en: group.into(),
            measure,
            group_figure: f(group_est),
            rest_figure: f(group_est - diff),
            difference: f(diff),
            p,
            p_holm: p,
            flagged: false,
        }
    }

    #[test]
    fn holm_flags_only_what_survives_the_number_of_comparisons() {
        // Holm on (0.001, 0.02, 0.04): 0.003, 0.04, 0.04 → all flagged at 5%; with a fourth
        // comparison at 0.5 the factors grow: 0.004, 0.06, 0.08, 0.5 → only the first.
        let mut three = vec![
            gap("a", GapMeasure::WouldUse, 0.2, -0.3, 0.001),
            gap("b", GapMeasure::WouldUse, 0.2, -0.3, 0.02),
            gap("c", GapMeasure::WouldUse, 0.2, -0.3, 0.04),
        ];
        flag(&mut three);
        assert!(three.iter().all(|g| g.flagged), "{three:?}");
        assert!((three[0].p_holm - 0.003).abs() < 1e-12);
        let mut four = three.clone();
        four.push(gap("d", GapMeasure::WouldUse, 0.2, -0.3, 0.5));
        flag(&mut four);
        let flags: Vec<bool> = four.iter().map(|g| g.flagged).collect();
        assert_eq!(flags, [true, false, false, false]);
        assert!((four[1].p_holm - 0.06).abs() < 1e-12);
    }

    #[test]
    fn the_flag_says_which_way_the_group_differs() {
        let mut g = gap("65+", GapMeasure::WouldUse, 0.2, -0.3, 0.001);
        g.flagged = true;
        assert!(g.left_behind());
        assert!(g.words().en.contains("less ready"), "{:?}", g.words());
        let mut need = gap("65+", GapMeasure::Reach, 0.4, 0.2, 0.001);
        need.flagged = true;
        assert!(
            !need.left_behind(),
            "more need is not readiness left behind"
        );
        assert!(need.words().sv.contains("större behov"));
        let mut ahead = gap("65+", GapMeasure::Digital, 0.6, 0.2, 0.001);
        ahead.flagged = true;
        assert!(!ahead.left_behind() && !ahead.concern());
        assert!(need.concern());
        let mut less = gap("65+", GapMeasure::Reach, 0.1, -0.2, 0.001);
        less.flagged = true;
        assert!(!less.concern());
        let area = AreaGaps {
            gaps: vec![less.clone(), ahead.clone(), need.clone(), g.clone()],
            ..AreaGaps::default()
        };
        let order: Vec<&Gap> = area.flags_by_concern();
        assert_eq!(order[0], &g, "lower readiness first");
        assert_eq!(order[1], &need, "then greater need");
        assert_eq!(order[2], &less, "then the rest by size (0.2 = 0.2: stable)");
    }

    #[test]
    fn equity_is_minus_the_largest_reach_times_flagged_shortfall() {
        // Group a: reach 0.5, would-use 30 pp below the rest → exposure 0.15.
        // Group b: reach 0.1, would-use 40 pp below → 0.04. Group c: not flagged → ignored.
        let mut gaps = vec![
            gap("a", GapMeasure::Reach, 0.5, 0.1, 0.5),
            gap("a", GapMeasure::WouldUse, 0.3, -0.3, 0.0001),
            gap("b", GapMeasure::Reach, 0.1, -0.2, 0.5),
            gap("b", GapMeasure::WouldUse, 0.2, -0.4, 0.0001),
            gap("c", GapMeasure::WouldUse, 0.1, -0.6, 0.3),
        ];
        flag(&mut gaps);
        let (exp, value) = equity(&gaps);
        assert_eq!(exp.len(), 2);
        assert_eq!(exp[0].group, "a");
        assert!((exp[0].exposure - 0.15).abs() < 1e-12);
        assert!((exp[1].exposure - 0.04).abs() < 1e-12);
        assert!((value + 0.15).abs() < 1e-12);
    }

    #[test]
    fn no_flagged_shortfall_is_the_best_equity_and_preference_stands_in_for_would_use() {
        let mut gaps = vec![gap("a", GapMeasure::WouldUse, 0.6, 0.1, 0.0001)];
        flag(&mut gaps);
        assert_eq!(equity(&gaps).1, 0.0);
        // No would-use link: the e-service preference is the readiness; no reach: need 1.
        let mut gaps = vec![gap("a", GapMeasure::Digital, 0.1, -0.2, 0.0001)];
        flag(&mut gaps);
        let (exp, value) = equity(&gaps);
        assert_eq!(exp[0].need, 1.0);
        assert!((value + 0.2).abs() < 1e-12);
    }

    #[test]
    fn age_groups_split_at_65_by_the_leading_number_and_refusals_are_in_neither() {
        let c = analysis::data::Categorical {
            codes: vec![0, 1, 2, 3, DONT_KNOW, analysis::data::MISSING],
            labels: vec![
                "16_24".into(),
                "65_74".into(),
                "75_plus".into(),
                "no_answer".into(),
            ],
        };
        let (m, r) = split_categorical(&c, |l| leading_number(l).map(|a| a >= 65));
        assert_eq!(m, [false, true, true, false, false, false]);
        assert_eq!(r, [true, false, false, false, false, false]);
    }

    #[test]
    fn a_real_difference_between_domains_is_flagged_and_equal_groups_are_not() {
        // 200 rows, weight 1, one stratum; rows 0..60 are the group.
        let n = 200;
        let design = Design::builder(vec![1.0; n]).build().unwrap();
        let members: Vec<bool> = (0..n).map(|i| i < 60).collect();
        let rest: Vec<bool> = members.iter().map(|m| !m).collect();
        let g = Group {
            kind: GroupKind::Age65Plus,
            key: "age_65_plus".into(),
            label: GroupKind::Age65Plus.label(),
            members,
            rest,
        };
        // Would use: 20% in the group, 70% in the rest. Preference: 50% in both.
        let would: Vec<f64> = (0..n)
            .map(|i| {
                if i < 60 {
                    f64::from(u8::from(i % 5 == 0))
                } else {
                    f64::from(u8::from(i % 10 < 7))
                }
            })
            .collect();
        let digital: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 2 == 0))).collect();
        let out = area_gaps(
            &design,
            std::slice::from_ref(&g),
            &[
                (GapMeasure::WouldUse, would),
                (GapMeasure::Digital, digital),
            ],
        );
        assert_eq!(out.gaps.len(), 2);
        let w = &out.gaps[0];
        assert!((w.group_figure.estimate - 0.2).abs() < 1e-12);
        assert!((w.rest_figure.estimate - 0.7).abs() < 1e-12);
        assert!((w.difference.estimate + 0.5).abs() < 1e-12);
        assert!(w.difference.high < 0.0 && w.flagged && w.left_behind());
        assert!(!out.gaps[1].flagged, "{:?}", out.gaps[1]);
        assert!((out.equity + 0.5).abs() < 1e-12, "no reach linked: need 1");
    }

    #[test]
    fn one_pass_gives_what_mean_and_mean_difference_give_on_a_stratified_clustered_design() {
        // 4 strata × 5 PSUs × 6 rows, unequal weights, some answers missing.
        let n = 120;
        let weights: Vec<f64> = (0..n).map(|i| 1.0 + (i * 7 % 11) as f64 / 4.0).collect();
        let design = Design::builder(weights)
            .strata((0..n).map(|i| (i / 30) as u64).collect())
            .clusters((0..n).map(|i| (i / 6) as u64).collect())
            .build()
            .unwrap();
        let members: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        // Row 5 answered no background question: in neither side.
        let rest: Vec<bool> = (0..n).map(|i| i % 3 != 0 && i != 5).collect();
        let g = Group {
            kind: GroupKind::Age65Plus,
            key: "age_65_plus".into(),
            label: GroupKind::Age65Plus.label(),
            members: members.clone(),
            rest: rest.clone(),
        };
        let y: Vec<f64> = (0..n)
            .map(|i| {
                if i % 13 == 0 {
                    f64::NAN
                } else {
                    ((i * 5 % 7) as f64).min(4.0)
                }
            })
            .collect();
        let gap = compare(&design, &y, &g, GapMeasure::Importance).unwrap();
        let a = design.mean(&y, Some(&members)).unwrap();
        let b = design.mean(&y, Some(&rest)).unwrap();
        let (d, p) = design.mean_difference(&y, &members, &rest).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1.0);
        assert!(close(gap.group_figure.estimate, a.estimate) && gap.group_figure.n == a.n);
        assert!(close(gap.group_figure.high, a.ci(0.95).1));
        assert!(close(gap.rest_figure.low, b.ci(0.95).0) && gap.rest_figure.n == b.n);
        assert!(close(gap.difference.estimate, d.estimate));
        assert!(close(gap.difference.high, d.ci_t(0.95).1), "{gap:?} {d:?}");
        assert!(close(gap.p, p), "{} vs {p}", gap.p);
    }

    #[test]
    fn a_group_with_too_few_answers_is_not_tested() {
        let n = 50;
        let design = Design::builder(vec![1.0; n]).build().unwrap();
        let members: Vec<bool> = (0..n).map(|i| i < MIN_N - 1).collect();
        let rest = members.iter().map(|m| !m).collect();
        let g = Group {
            kind: GroupKind::Impairment,
            key: "impairment".into(),
            label: GroupKind::Impairment.label(),
            members,
            rest,
        };
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let out = area_gaps(&design, &[g], &[(GapMeasure::WouldUse, y)]);
        assert!(out.gaps.is_empty());
        assert_eq!(out.untested, 1);
        assert_eq!(out.equity, 0.0);
    }
}
