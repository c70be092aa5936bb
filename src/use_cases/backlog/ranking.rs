//! The ranked backlog: per area the need and demand measures from its linked questions (through the
//! results use case's weighted design), the benefit calculation, the gaps for groups that must not
//! be left behind ([`super::gaps`]), the weighted ranking over need, reach, benefit, cost,
//! feasibility and equity, the bootstrap rank interval and the ±50% weight sensitivity.
//!
//! Choices worth knowing when reading a ranking:
//! - **One survey version.** The bootstrap resamples one design, so every survey measure comes from
//!   one version: the one most links point to (ties: the newest). Links to other versions are listed
//!   in [`RankedBacklog::ignored_links`], not silently mixed in.
//! - **No survey evidence.** An area without linked data in that version takes, on each survey
//!   criterion (need, reach, benefit), the lowest value any measured area has: no evidence earns no
//!   points, yet does not stretch the scale for the others. It is flagged, and its benefit is not
//!   shown (there is no estimate of the shift to compute it from).
//! - **Benefit in the bootstrap.** The benefit criterion is the NPV at the shift's point estimate and
//!   is held fixed in the replicates (its own interval is shown beside it); need and reach are
//!   recomputed in every replicate.
//! - **Equity** is the sixth criterion (higher is better): minus the largest *left-behind
//!   exposure* of any group that must not be left behind (65+, functional impairment, each
//!   district, low digital confidence), where exposure = the group's share who had the errand ×
//!   how many percentage points fewer of the group than of the rest would use the e-service,
//!   counted only when that shortfall is significant after Holm's adjustment over the area's
//!   comparisons. 0 (the best) when no group is left behind. The definition and the tests are in
//!   [`super::gaps`]. Equity is held **fixed** in the bootstrap (computed once on the full
//!   sample), like the benefit. Areas without evidence get the lowest equity of the measured
//!   areas, as on the other survey criteria.
//! - **MaxDiff and Kano** come from the results use case's methods and are unweighted, as on the
//!   results pages (they count choices); they are shown as evidence, not ranked on.
//! - **Old snapshots** stored five weights (no equity): they load with an equity weight of 0.

use std::collections::BTreeMap;

use analysis::backlog::{
    benefit, rank_uncertainty, sensitivity, BenefitInput, BenefitResult, ChannelShift, Channels,
    Combine, Criterion, CriterionSource, Direction, HandlingTime, RankUncertaintyOptions, Ratio,
    ShareInterval, SurveyMeasure, DEFAULT_FACTORS,
};
/// The benefit's parts the pages show (so the web layer never names the analysis crate).
pub use analysis::backlog::{
    Channel as BenefitChannel, ExplanationStep, Payback, StepKind, ThreeWay,
};
pub use analysis::priority::KanoCategory;
use analysis::{Column, Design, Estimate, DONT_KNOW};

use crate::domain::backlog::{Area, Channel, LinkRole, Status};
use crate::domain::lang::Msg;
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::results::cache::{ResultsCache, VersionData};
use crate::use_cases::results::maxdiff::MaxDiffResult;
use crate::use_cases::results::query::{self, ResultsQuery, Weighting};
use crate::use_cases::results::{population, ResultsError};

use super::gaps::{self, AreaGaps, Group, GroupsFound};

/// Why no ranking could be computed.
#[derive(Debug, thiserror::Error)]
pub enum RankingError {
    /// There are no candidate areas.
    #[error("there are no backlog areas")]
    NoAreas,
    /// The settings do not hold (weights, costs, horizon …); says which.
    #[error("invalid ranking settings: {0:?}")]
    Settings(Msg),
    /// The survey data could not be prepared (weighting, missing version).
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// The statistics refused (e.g. a stratum with a single PSU in the bootstrap).
    #[error(transparent)]
    Analysis(#[from] analysis::AnalysisError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl RankingError {
    /// The message for the person who asked (`None`: not theirs to fix).
    pub fn message(&self) -> Option<Msg> {
        match self {
            RankingError::NoAreas => Some(Msg::fixed(
                "Det finns inga kandidatområden att rangordna ännu.",
                "There are no candidate areas to rank yet.",
            )),
            RankingError::Settings(m) => Some(m.clone()),
            RankingError::Results(e) => e.message(),
            RankingError::Analysis(e) => Some(Msg::new(
                format!("Rangordningen kunde inte beräknas: {e}"),
                format!("The ranking could not be computed: {e}"),
            )),
            RankingError::Storage(_) => None,
        }
    }
}

/// The criteria of the ranking model, in column order.
pub const CRITERIA: [(&str, Direction); 6] = [
    ("need", Direction::HigherIsBetter),
    ("reach", Direction::HigherIsBetter),
    ("benefit", Direction::HigherIsBetter),
    ("cost", Direction::LowerIsBetter),
    ("feasibility", Direction::HigherIsBetter),
    ("equity", Direction::HigherIsBetter),
];

/// A criterion's name for people.
pub fn criterion_label(name: &str) -> Msg {
    match name {
        "need" => Msg::fixed("Behov (möjlighetspoäng)", "Need (opportunity score)"),
        "reach" => Msg::fixed("Räckvidd", "Reach"),
        "benefit" => Msg::fixed("Nytta (nuvärde)", "Benefit (net present value)"),
        "cost" => Msg::fixed("Utvecklingskostnad", "Development cost"),
        "feasibility" => Msg::fixed("Genomförbarhet", "Feasibility"),
        "equity" => Msg::fixed(
            "Jämlikhet (ingen grupp lämnas efter)",
            "Equity (no group left behind)",
        ),
        other => Msg::new(other.to_owned(), other.to_owned()),
    }
}

/// Everything a ranking depends on besides the data: what a snapshot freezes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankingSettings {
    /// Weight per criterion of [`CRITERIA`], in that order (unnormalised, non-negative). Reads the
    /// five weights of snapshots published before equity was a criterion (equity weighs 0 then),
    /// and a map by criterion name.
    #[serde(deserialize_with = "weights_compat")]
    pub weights: [f64; 6],
    /// SEK one e-service contact costs; the other channels keep the city's ratios (1/50/70/90/110).
    pub sek_per_eservice_contact: f64,
    /// SEK per staff hour for the handling time freed; `None` when the contact costs already
    /// include handling (counting it again would double the saving).
    pub staff_hour_sek: Option<f64>,
    /// Years of the net present value.
    pub horizon_years: u32,
    /// Yearly discount rate.
    pub discount_rate: f64,
    /// Bootstrap replicates.
    pub replicates: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Coverage of the rank interval.
    pub level: f64,
    /// The k of P(in top k) and of the sensitivity's "stays in the top".
    pub top_k: usize,
    /// The population table to rake to; `None`: the first stored table if any, else design weights.
    pub population_table: Option<String>,
}

impl Default for RankingSettings {
    fn default() -> Self {
        RankingSettings {
            weights: [0.3, 0.2, 0.25, 0.1, 0.15, 0.1],
            // Illustrative: a phone contact then costs 50 × 2 = 100 SEK.
            sek_per_eservice_contact: 2.0,
            staff_hour_sek: None,
            horizon_years: 5,
            discount_rate: 0.03,
            replicates: 1000,
            seed: 14,
            level: 0.9,
            top_k: 5,
            population_table: None,
        }
    }
}

/// The stored criteria weights: six numbers in [`CRITERIA`] order, the five of a snapshot from
/// before equity (equity weighs 0), or a map by criterion name (a criterion not named weighs 0).
fn weights_compat<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[f64; 6], D::Error> {
    use serde::de::Error;
    use serde::Deserialize;
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Stored {
        List(Vec<f64>),
        Named(BTreeMap<String, f64>),
    }
    let mut out = [0.0; 6];
    match Stored::deserialize(d)? {
        Stored::List(v) if v.len() == 5 || v.len() == 6 => out[..v.len()].copy_from_slice(&v),
        Stored::List(v) => {
            return Err(D::Error::invalid_length(
                v.len(),
                &"5 or 6 criteria weights",
            ))
        }
        Stored::Named(m) => {
            for (name, w) in m {
                let i = CRITERIA
                    .iter()
                    .position(|(n, _)| *n == name)
                    .ok_or_else(|| D::Error::custom(format!("unknown criterion '{name}'")))?;
                out[i] = w;
            }
        }
    }
    Ok(out)
}

/// JSON has no NaN: serde_json writes it as `null`; read `null` back as NaN.
fn f64_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    use serde::Deserialize;
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl RankingSettings {
    fn check(&self) -> Result<(), RankingError> {
        let bad = |sv: &str, en: &str| {
            Err(RankingError::Settings(Msg::new(
                sv.to_owned(),
                en.to_owned(),
            )))
        };
        if self.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            || self.weights.iter().sum::<f64>() <= 0.0
        {
            return bad(
                "Vikterna måste vara icke-negativa tal och minst en positiv.",
                "The weights must be non-negative numbers, at least one positive.",
            );
        }
        if !(self.sek_per_eservice_contact.is_finite() && self.sek_per_eservice_contact >= 0.0) {
            return bad(
                "Kostnaden per e-tjänstekontakt måste vara ett icke-negativt tal.",
                "The cost per e-service contact must be a non-negative number.",
            );
        }
        if self.horizon_years == 0 || self.horizon_years > 50 {
            return bad(
                "Horisonten måste vara 1–50 år.",
                "The horizon must be 1–50 years.",
            );
        }
        if !(self.discount_rate.is_finite() && (0.0..1.0).contains(&self.discount_rate)) {
            return bad(
                "Diskonteringsräntan måste ligga mellan 0 och 1.",
                "The discount rate must lie between 0 and 1.",
            );
        }
        if self.replicates < 1000 {
            return bad(
                "Minst 1 000 bootstrapreplikat krävs.",
                "At least 1,000 bootstrap replicates are required.",
            );
        }
        Ok(())
    }

    /// The criteria with their weights.
    pub fn criteria(&self) -> Vec<Criterion> {
        CRITERIA
            .iter()
            .zip(self.weights)
            .map(|((name, dir), w)| Criterion::new(name, *dir, w))
            .collect()
    }
}

/// A survey estimate with its 95% CI and the unweighted n behind it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// Point estimate.
    #[serde(deserialize_with = "f64_or_nan")]
    pub estimate: f64,
    /// Lower 95% limit.
    #[serde(deserialize_with = "f64_or_nan")]
    pub low: f64,
    /// Upper 95% limit.
    #[serde(deserialize_with = "f64_or_nan")]
    pub high: f64,
    /// Respondents behind it.
    pub n: usize,
}

impl Figure {
    pub(crate) fn of(e: &Estimate) -> Figure {
        let (low, high) = e.ci(0.95);
        Figure {
            estimate: e.estimate,
            low,
            high,
            n: e.n,
        }
    }

    /// The figure as a share interval in [0, 1], for the benefit's shift.
    fn share(&self) -> ShareInterval {
        let c = |x: f64| x.clamp(0.0, 1.0);
        ShareInterval {
            point: c(self.estimate),
            low: c(self.low),
            high: c(self.high),
        }
    }
}

/// The need and demand measures of one area (each `None` when no linked question gives it).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// Weighted share who had the errand.
    pub reach: Option<Figure>,
    /// Weighted share who would use an e-service ("yes" of yes/maybe/no; don't know left out).
    pub would_use: Option<Figure>,
    /// Mean importance.
    pub importance: Option<Figure>,
    /// Mean satisfaction.
    pub satisfaction: Option<Figure>,
    /// Opportunity score importance + max(importance − satisfaction, 0) on the questions' scale
    /// (point only: its interval is the rank bootstrap's business).
    pub opportunity: Option<f64>,
    /// Weighted share preferring the e-service channel.
    pub digital: Option<Figure>,
    /// The area's MaxDiff score (unweighted, as on the results page).
    #[serde(default)]
    pub maxdiff: Option<MaxDiffFigure>,
    /// The Kano category of each linked feature (unweighted, as on the results page).
    #[serde(default)]
    pub kano: Vec<KanoFigure>,
}

/// An area's MaxDiff item: best − worst per time shown, in [−1, 1], with the 95% interval the
/// results page gives (from the logit) and how often it was shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MaxDiffFigure {
    /// The MaxDiff question.
    pub question: String,
    /// The area's item.
    pub item: String,
    /// (best − worst) / times shown.
    #[serde(deserialize_with = "f64_or_nan")]
    pub score: f64,
    /// Lower 95% limit (NaN when the logit has no interval).
    #[serde(deserialize_with = "f64_or_nan")]
    pub low: f64,
    /// Upper 95% limit.
    #[serde(deserialize_with = "f64_or_nan")]
    pub high: f64,
    /// Times the item was shown.
    pub shown: u64,
    /// Respondents with at least one answered task.
    pub respondents: usize,
}

/// One Kano feature linked to the area: its modal category and Better/Worse coefficients.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KanoFigure {
    /// The Kano question.
    pub question: String,
    /// The feature (sv).
    pub label_sv: String,
    /// The feature (en).
    pub label_en: String,
    /// Modal category.
    pub category: KanoCategory,
    /// Better = (A + O) / (A + O + M + I).
    pub better: f64,
    /// Worse = −(O + M) / (A + O + M + I).
    pub worse: f64,
    /// Answer pairs classified.
    pub n: usize,
}

impl KanoFigure {
    /// The feature's name.
    pub fn label(&self) -> Msg {
        Msg::new(self.label_sv.clone(), self.label_en.clone())
    }
}

/// A Kano category for people (Berger et al. 1993).
pub fn kano_label(c: KanoCategory) -> Msg {
    match c {
        KanoCategory::A => Msg::fixed("attraktiv", "attractive"),
        KanoCategory::O => Msg::fixed("endimensionell", "one-dimensional"),
        KanoCategory::M => Msg::fixed("grundkrav", "must-be"),
        KanoCategory::I => Msg::fixed("likgiltig", "indifferent"),
        KanoCategory::R => Msg::fixed("omvänd", "reverse"),
        KanoCategory::Q => Msg::fixed("tveksam", "questionable"),
    }
}

impl Evidence {
    /// Whether any survey measure exists.
    pub fn any(&self) -> bool {
        self.reach.is_some()
            || self.would_use.is_some()
            || self.opportunity.is_some()
            || self.digital.is_some()
    }
}

/// One ranked area.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankedArea {
    /// Area key.
    pub key: String,
    /// Name (sv).
    pub name_sv: String,
    /// Name (en).
    pub name_en: String,
    /// Status code.
    pub status: String,
    /// Survey measures.
    pub evidence: Evidence,
    /// The benefit, when the would-use share is measured.
    pub benefit: Option<BenefitResult>,
    /// The benefit input it was computed from (for the evidence page and the tests).
    pub benefit_input: Option<BenefitInput>,
    /// Values per criterion (as ranked).
    pub values: Vec<f64>,
    /// Weight × normalised value per criterion: the breakdown bars.
    pub contributions: Vec<f64>,
    /// Score in [0, 1].
    pub score: f64,
    /// Rank, 1 = best.
    pub rank: usize,
    /// Median bootstrap rank.
    pub median_rank: usize,
    /// Rank interval, best end.
    pub rank_low: usize,
    /// Rank interval, worst end.
    pub rank_high: usize,
    /// P(in top k).
    pub p_top_k: f64,
    /// Largest rank move under the ±50% weight variations.
    pub max_rank_move: usize,
    /// In the top k under every weight variation.
    pub stable_top: bool,
    /// No survey evidence: ranked on the fixed criteria, the survey criteria at the lowest level.
    pub no_evidence: bool,
    /// Gaps for groups that must not be left behind (`None`: no survey data or a snapshot from
    /// before they were computed).
    #[serde(default)]
    pub gaps: Option<AreaGaps>,
}

/// The ranked backlog.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankedBacklog {
    /// The settings it was computed with.
    pub settings: RankingSettings,
    /// Survey key and version the measures come from (`None`: no area has links).
    pub survey: Option<(String, u32)>,
    /// The weighting used (`raked`, `design`, `unweighted`) and the population table's name.
    pub weighting: (String, Option<String>),
    /// Criterion names, in column order.
    pub criteria: Vec<String>,
    /// Normalised weights.
    pub weights: Vec<f64>,
    /// Areas, best first.
    pub areas: Vec<RankedArea>,
    /// Bootstrap replicates left out (a measure not finite).
    pub dropped_replicates: usize,
    /// Links to other survey versions, not used: `area key: survey/version/question`.
    pub ignored_links: Vec<String>,
    /// Which groups that must not be left behind the survey identifies (empty in snapshots from
    /// before the gaps were computed).
    #[serde(default)]
    pub groups: GroupsFound,
}

/// The first link of each role: question key and item.
pub(crate) type LinkMap = BTreeMap<LinkRole, (String, String)>;

/// An area's links in the ranked version: the first of each role, and every Kano feature.
#[derive(Debug, Clone, Default)]
struct AreaLinks {
    first: LinkMap,
    kano: Vec<String>,
}

fn to_channels(a: &Area) -> (Channels<f64>, Channels<f64>) {
    let [phone, email, letter, visit, web] =
        crate::domain::backlog::fractions(Channel::ALL.map(|c| a.channel_mix.share(c)));
    let h = |c: Channel| a.handling_minutes.minutes(c);
    (
        Channels {
            phone,
            email,
            letter,
            visit,
            eservice: web,
        },
        Channels {
            phone: h(Channel::Phone),
            email: h(Channel::Email),
            letter: h(Channel::Letter),
            visit: h(Channel::Visit),
            eservice: h(Channel::Web),
        },
    )
}

/// The benefit input of an area with the would-use share as the shift.
pub fn benefit_input(area: &Area, shift: ShareInterval, s: &RankingSettings) -> BenefitInput {
    let (mix, minutes) = to_channels(area);
    BenefitInput {
        yearly_volume: area.yearly_volume as f64,
        channel_mix: mix,
        shift: ChannelShift::uniform(shift),
        cost_per_contact: Channels::city_costs_in_sek(s.sek_per_eservice_contact),
        handling: s.staff_hour_sek.map(|cost| HandlingTime {
            minutes,
            cost_per_staff_hour: cost,
        }),
        development_cost: area.development_cost as f64,
        yearly_running_cost: area.running_cost as f64,
        horizon_years: s.horizon_years,
        discount_rate: s.discount_rate,
    }
}

/// Rows (as u32) where `keep` holds.
fn rows(n: usize, keep: impl Fn(usize) -> bool) -> Vec<u32> {
    (0..n).filter(|&i| keep(i)).map(|i| i as u32).collect()
}

fn mask(n: usize, r: &[u32]) -> Vec<bool> {
    let mut m = vec![false; n];
    for &i in r {
        m[i as usize] = true;
    }
    m
}

/// A share: the numerator rows over the denominator rows, as a figure and a bootstrap ratio.
fn share(design: &Design, n: usize, num: Vec<u32>, den: Vec<u32>) -> Option<(Figure, Ratio)> {
    if den.is_empty() {
        return None;
    }
    let e = design
        .proportion(&mask(n, &num), Some(&mask(n, &den)))
        .ok()?;
    Some((
        Figure::of(&e),
        Ratio {
            numerator: analysis::backlog::WeightedSum::count(num),
            denominator: analysis::backlog::WeightedSum::count(den),
        },
    ))
}

/// The share choosing `value` among substantive answers of a single-choice column.
fn choice_share(
    design: &Design,
    data: &VersionData,
    key: &str,
    value: &str,
) -> Option<(Figure, Ratio)> {
    let Some(Column::Categorical(c)) = data.loaded.data.column(key) else {
        return None;
    };
    let n = c.codes.len();
    let code = c.labels.iter().position(|l| l == value)? as u32;
    let dk = c
        .labels
        .iter()
        .position(|l| l == "dont_know")
        .map(|i| i as u32);
    let den = rows(n, |i| c.codes[i] < DONT_KNOW && Some(c.codes[i]) != dk);
    let num = rows(n, |i| c.codes[i] == code);
    share(design, n, num, den)
}

/// Mean of a numeric column over its substantive answers.
fn mean(design: &Design, data: &VersionData, key: &str) -> Option<(Figure, Ratio)> {
    let Some(Column::Numeric(c)) = data.loaded.data.column(key) else {
        return None;
    };
    let y = c.substantive();
    let r = rows(y.len(), |i| y[i].is_finite());
    if r.is_empty() {
        return None;
    }
    let e = design.mean(&y, None).ok()?;
    let values = r.iter().map(|&i| y[i as usize]).collect();
    Some((Figure::of(&e), Ratio::mean(r, values)))
}

/// Reach: the share who had the errand (a ticked option of a multiple choice, or a count above 0).
fn reach(design: &Design, data: &VersionData, key: &str, item: &str) -> Option<(Figure, Ratio)> {
    match data.loaded.data.column(key)? {
        Column::MultiSelect(m) => {
            let k = m.options.iter().position(|o| o == item)?;
            let n = m.state.len();
            let den = rows(n, |i| m.state[i] == analysis::AnswerState::Valid);
            let num = rows(n, |i| {
                m.state[i] == analysis::AnswerState::Valid && m.selected[k][i]
            });
            share(design, n, num, den)
        }
        Column::Numeric(c) => {
            let y = c.substantive();
            let n = y.len();
            let den = rows(n, |i| y[i].is_finite());
            let num = rows(n, |i| y[i].is_finite() && y[i] > 0.0);
            share(design, n, num, den)
        }
        Column::Categorical(_) => {
            choice_share(design, data, key, "yes").or_else(|| choice_share(design, data, key, "1"))
        }
    }
}

/// The measures of one area and the survey criteria for the bootstrap (need, reach, would-use).
struct Measured {
    evidence: Evidence,
    need: Option<SurveyMeasure>,
    reach: Option<SurveyMeasure>,
}

fn measure(design: &Design, data: &VersionData, links: &LinkMap) -> Measured {
    let mut ev = Evidence::default();
    let one = |r: Ratio| SurveyMeasure {
        ratios: vec![r],
        combine: Combine::Ratio,
    };
    let mut reach_m = None;
    if let Some((q, item)) = links.get(&LinkRole::HadErrand) {
        if let Some((f, r)) = reach(design, data, q, item) {
            ev.reach = Some(f);
            reach_m = Some(one(r));
        }
    }
    if let Some((q, _)) = links.get(&LinkRole::WouldUse) {
        ev.would_use = choice_share(design, data, q, "yes").map(|(f, _)| f);
    }
    if let Some((q, _)) = links.get(&LinkRole::PreferredChannel) {
        ev.digital = choice_share(design, data, q, "eservice").map(|(f, _)| f);
    }
    let imp = links
        .get(&LinkRole::Importance)
        .and_then(|(q, _)| mean(design, data, q));
    let sat = links
        .get(&LinkRole::Satisfaction)
        .and_then(|(q, _)| mean(design, data, q));
    ev.importance = imp.as_ref().map(|(f, _)| *f);
    ev.satisfaction = sat.as_ref().map(|(f, _)| *f);
    let need = match (imp, sat) {
        (Some((fi, ri)), Some((fs, rs))) => {
            ev.opportunity = Some(analysis::priority::opportunity_score(
                fi.estimate,
                fs.estimate,
            ));
            Some(SurveyMeasure {
                ratios: vec![ri, rs],
                combine: Combine::OpportunityScore,
            })
        }
        // Importance alone is the need when satisfaction is not asked.
        (Some((fi, ri)), None) => {
            ev.opportunity = Some(fi.estimate);
            Some(one(ri))
        }
        _ => None,
    };
    Measured {
        evidence: ev,
        need,
        reach: reach_m,
    }
}

/// The weighting: the settings' table, else the first stored population table (raked on every
/// column it shares with the survey), else design weights.
fn weighting(
    conn: &mut DbConnection,
    s: &RankingSettings,
) -> Result<Option<population::PopulationTable>, RankingError> {
    Ok(match &s.population_table {
        Some(id) => Some(
            population::find_table(conn, id)?
                .ok_or_else(|| ResultsError::TableNotFound(id.clone()))?,
        ),
        None => population::list_tables(conn)?.into_iter().next(),
    })
}

/// Compute the ranked backlog with `settings` (see the module notes for the choices made).
pub fn rank(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    settings: &RankingSettings,
) -> Result<RankedBacklog, RankingError> {
    settings.check()?;
    let stored = storage::backlog::list_areas(conn)?;
    if stored.is_empty() {
        // Nothing to rank: an empty backlog (the page says so), not an error.
        return Ok(RankedBacklog {
            settings: settings.clone(),
            survey: None,
            weighting: ("design".to_owned(), None),
            criteria: CRITERIA.iter().map(|(n, _)| (*n).to_owned()).collect(),
            weights: Vec::new(),
            areas: Vec::new(),
            dropped_replicates: 0,
            ignored_links: Vec::new(),
            groups: GroupsFound::default(),
        });
    }
    let mut all_links = Vec::with_capacity(stored.len());
    let mut votes: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for a in &stored {
        let links = storage::backlog::list_links(conn, &a.id)?;
        for l in &links {
            *votes
                .entry((l.link.survey_key.clone(), l.link.version))
                .or_default() += 1;
        }
        all_links.push(links);
    }
    // The most-linked version; ties go to the newest (the larger key in the map's order).
    let survey = votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(a.0 .1.cmp(&b.0 .1)))
        .map(|(k, _)| k.clone());
    let mut ignored_links = Vec::new();
    let per_area: Vec<AreaLinks> = stored
        .iter()
        .zip(&all_links)
        .map(|(a, links)| {
            let mut m = AreaLinks::default();
            for l in links {
                let l = &l.link;
                if Some((l.survey_key.clone(), l.version)) != survey {
                    ignored_links.push(format!(
                        "{}: {}/{}/{}",
                        a.area.key.as_str(),
                        l.survey_key,
                        l.version,
                        l.question_key
                    ));
                    continue;
                }
                if l.role == LinkRole::KanoFeature && !m.kano.contains(&l.question_key) {
                    m.kano.push(l.question_key.clone());
                }
                // The first link of a role counts (the area page lists them all).
                m.first
                    .entry(l.role)
                    .or_insert_with(|| (l.question_key.clone(), l.item.clone()));
            }
            m
        })
        .collect();
    let table = weighting(conn, settings)?;
    let surveyed = match &survey {
        Some((key, version)) => {
            let v = storage::surveys::find_version(conn, key, *version)?
                .ok_or_else(|| ResultsError::NotFound(format!("{key}/{version}")))?;
            let data = cache.load(conn, &v)?;
            if data.is_empty() {
                // No responses yet: every area is without evidence, ranked on the fixed criteria.
                return rank_without_data(stored, survey, ignored_links, settings);
            }
            let q = ResultsQuery {
                weighting: match &table {
                    Some(t) => Weighting::Raked {
                        table: t.id.clone(),
                        margins: Vec::new(),
                    },
                    None => Weighting::Design,
                },
                ..ResultsQuery::default()
            };
            let prepared = query::prepare_loaded(data.clone(), table.as_ref(), &q)?;
            let used = (
                q.weighting.kind().to_owned(),
                prepared.diagnostics.table_name.clone(),
            );
            let maxdiff = crate::use_cases::results::maxdiff::scores(&prepared);
            let (groups, found) = gaps::find_groups(&data);
            Surveyed {
                design: prepared.design,
                data: Some(data),
                weighting: used,
                maxdiff,
                groups,
                found,
            }
        }
        None => return rank_without_data(stored, survey, ignored_links, settings),
    };
    finish(stored, per_area, surveyed, survey, ignored_links, settings)
}

/// The survey side of a ranking: the design and data the measures come from, the MaxDiff
/// scores of the version and the groups its background questions identify.
struct Surveyed {
    design: Design,
    data: Option<std::sync::Arc<VersionData>>,
    weighting: (String, Option<String>),
    maxdiff: Vec<MaxDiffResult>,
    groups: Vec<Group>,
    found: GroupsFound,
}

/// The ranking when no survey data exists: only the fixed criteria tell areas apart.
fn rank_without_data(
    stored: Vec<storage::backlog::StoredArea>,
    survey: Option<(String, u32)>,
    ignored_links: Vec<String>,
    settings: &RankingSettings,
) -> Result<RankedBacklog, RankingError> {
    // Two rows in one stratum: a design the bootstrap accepts; no measure reads it.
    let design = Design::builder(vec![1.0; 2]).build()?;
    let per_area = vec![AreaLinks::default(); stored.len()];
    let surveyed = Surveyed {
        design,
        data: None,
        weighting: ("design".to_owned(), None),
        maxdiff: Vec::new(),
        groups: Vec::new(),
        found: GroupsFound::default(),
    };
    finish(stored, per_area, surveyed, survey, ignored_links, settings)
}

/// The area's MaxDiff figure from the version's scores.
fn maxdiff_of(scores: &[MaxDiffResult], links: &LinkMap) -> Option<MaxDiffFigure> {
    let (q, item) = links.get(&LinkRole::MaxDiffItem)?;
    let result = scores.iter().find(|r| &r.key == q)?;
    let (_, s) = result.items.iter().find(|(v, _)| v == item)?;
    Some(MaxDiffFigure {
        question: q.clone(),
        item: item.clone(),
        score: s.score,
        low: s.ci.0,
        high: s.ci.1,
        shown: s.method.n,
        respondents: result.respondents,
    })
}

/// The Kano classification of feature `key` over every row (unweighted, as on the results page).
fn kano_of(data: &VersionData, key: &str) -> Option<KanoFigure> {
    use analysis::priority::{kano_classify, KanoAnswer};
    let (Some(Column::Categorical(f)), Some(Column::Categorical(d))) = (
        data.loaded.data.column(&format!("{key}.functional")),
        data.loaded.data.column(&format!("{key}.dysfunctional")),
    ) else {
        return None;
    };
    let answer = |c: &analysis::data::Categorical, row: usize| {
        c.labels
            .get(c.codes[row] as usize)
            .and_then(|v| KanoAnswer::parse(&v.replace('_', "-")))
    };
    let pairs: Vec<(KanoAnswer, KanoAnswer)> = (0..f.codes.len())
        .filter_map(|row| Some((answer(f, row)?, answer(d, row)?)))
        .collect();
    let s = kano_classify(&pairs).ok()?;
    let label = data
        .survey
        .question(key)
        .map(|q| q.label.clone())
        .unwrap_or_default();
    Some(KanoFigure {
        question: key.to_owned(),
        label_sv: label.get_or("sv", "en").to_owned(),
        label_en: label.get_or("en", "sv").to_owned(),
        category: s.category,
        better: s.better,
        worse: s.worse,
        n: pairs.len(),
    })
}

fn finish(
    stored: Vec<storage::backlog::StoredArea>,
    per_area: Vec<AreaLinks>,
    surveyed: Surveyed,
    survey: Option<(String, u32)>,
    ignored_links: Vec<String>,
    settings: &RankingSettings,
) -> Result<RankedBacklog, RankingError> {
    let Surveyed {
        design,
        data,
        weighting: weighting_used,
        maxdiff,
        groups,
        found,
    } = surveyed;
    // Kano features are usually shared by every area: classify each once.
    let mut kano: BTreeMap<String, Option<KanoFigure>> = BTreeMap::new();
    let measured: Vec<Option<Measured>> = per_area
        .iter()
        .map(|links| {
            let d = data.as_ref()?;
            let mut m = measure(&design, d, &links.first);
            m.evidence.maxdiff = maxdiff_of(&maxdiff, &links.first);
            m.evidence.kano = links
                .kano
                .iter()
                .filter_map(|q| {
                    kano.entry(q.clone())
                        .or_insert_with(|| kano_of(d, q))
                        .clone()
                })
                .collect();
            Some(m)
        })
        .collect();
    let area_gaps: Vec<Option<AreaGaps>> = match &data {
        Some(d) => {
            let links: Vec<&LinkMap> = per_area.iter().map(|l| &l.first).collect();
            gaps::for_areas(&design, &groups, d, &links)
                .into_iter()
                .map(Some)
                .collect()
        }
        None => vec![None; per_area.len()],
    };
    let benefits: Vec<Option<(BenefitInput, BenefitResult)>> = stored
        .iter()
        .zip(&measured)
        .map(|(a, m)| {
            let Some(f) = m.as_ref().and_then(|m| m.evidence.would_use) else {
                return Ok(None);
            };
            let input = benefit_input(&a.area, f.share(), settings);
            Ok(Some((input, benefit(&input)?)))
        })
        .collect::<Result<_, analysis::AnalysisError>>()?;
    // The lowest measured value of each survey criterion stands in for areas without evidence.
    let lowest = |vals: Vec<f64>| vals.into_iter().fold(f64::INFINITY, f64::min);
    let need_floor = lowest(
        measured
            .iter()
            .filter_map(|m| m.as_ref()?.evidence.opportunity)
            .collect(),
    );
    let reach_floor = lowest(
        measured
            .iter()
            .filter_map(|m| Some(m.as_ref()?.evidence.reach?.estimate))
            .collect(),
    );
    let benefit_floor = lowest(
        benefits
            .iter()
            .filter_map(|b| Some(b.as_ref()?.1.npv.point))
            .collect(),
    );
    let has_evidence = |m: &Option<Measured>| m.as_ref().is_some_and(|m| m.evidence.any());
    let equity_floor = lowest(
        measured
            .iter()
            .zip(&area_gaps)
            .filter(|(m, _)| has_evidence(m))
            .filter_map(|(_, g)| Some(g.as_ref()?.equity))
            .collect(),
    );
    let floor = |x: f64| if x.is_finite() { x } else { 0.0 };
    let sources: Vec<Vec<CriterionSource>> = stored
        .iter()
        .zip(&measured)
        .zip(&benefits)
        .zip(&area_gaps)
        .map(|(((a, m), b), g)| {
            let equity = match g {
                Some(g) if has_evidence(m) => g.equity,
                _ => floor(equity_floor),
            };
            let m = m.as_ref();
            vec![
                match m.and_then(|m| m.need.clone()) {
                    Some(s) => CriterionSource::Survey(s),
                    None => CriterionSource::Fixed(floor(need_floor)),
                },
                match m.and_then(|m| m.reach.clone()) {
                    Some(s) => CriterionSource::Survey(s),
                    None => CriterionSource::Fixed(floor(reach_floor)),
                },
                CriterionSource::Fixed(b.as_ref().map_or(floor(benefit_floor), |b| b.1.npv.point)),
                CriterionSource::Fixed(a.area.development_cost as f64),
                CriterionSource::Fixed(f64::from(a.area.feasibility.score)),
                // Held fixed in the replicates (module notes).
                CriterionSource::Fixed(equity),
            ]
        })
        .collect();
    let criteria = settings.criteria();
    let options = RankUncertaintyOptions {
        replicates: settings.replicates,
        seed: settings.seed,
        level: settings.level,
        top_k: settings.top_k,
        ..RankUncertaintyOptions::default()
    };
    let unc = rank_uncertainty(&design, &criteria, &sources, &options)?;
    let sens = sensitivity(&unc.values, &criteria, &DEFAULT_FACTORS, settings.top_k)?;
    let mut areas: Vec<RankedArea> = Vec::with_capacity(stored.len());
    for (i, (((a, m), b), g)) in stored
        .iter()
        .zip(measured)
        .zip(benefits)
        .zip(area_gaps)
        .enumerate()
    {
        let evidence = m.map(|m| m.evidence).unwrap_or_default();
        let u = &unc.areas[i];
        areas.push(RankedArea {
            key: a.area.key.as_str().to_owned(),
            name_sv: a.area.name_sv.clone(),
            name_en: a.area.name_en.clone(),
            status: a.status.code().to_owned(),
            no_evidence: !evidence.any(),
            evidence,
            benefit_input: b.as_ref().map(|b| b.0),
            benefit: b.map(|b| b.1),
            values: unc.values[i].clone(),
            contributions: unc.estimate.contributions[i].clone(),
            score: unc.estimate.scores[i],
            rank: unc.estimate.ranks[i],
            median_rank: u.median_rank,
            rank_low: u.rank_low,
            rank_high: u.rank_high,
            p_top_k: u.p_top_k,
            max_rank_move: sens.max_rank_move[i],
            stable_top: sens.stable_top.contains(&i),
            gaps: g,
        });
    }
    areas.sort_by_key(|a| a.rank);
    Ok(RankedBacklog {
        settings: settings.clone(),
        survey,
        weighting: weighting_used,
        criteria: CRITERIA.iter().map(|(n, _)| (*n).to_owned()).collect(),
        weights: unc.estimate.weights.clone(),
        areas,
        dropped_replicates: unc.dropped_replicates,
        ignored_links,
        groups: found,
    })
}

/// The status of a ranked area for people.
pub fn status_label(code: &str) -> Msg {
    Status::parse(code).map_or_else(
        |_| Msg::new(code.to_owned(), code.to_owned()),
        |s| s.label(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_json(weights: &str) -> String {
        let mut v = serde_json::to_value(RankingSettings::default()).unwrap();
        v["weights"] = serde_json::from_str(weights).unwrap();
        v.to_string()
    }

    #[test]
    fn settings_stored_with_five_weights_before_equity_read_back_with_equity_at_zero() {
        let s: RankingSettings =
            serde_json::from_str(&settings_json("[0.3, 0.2, 0.25, 0.1, 0.15]")).unwrap();
        assert_eq!(s.weights, [0.3, 0.2, 0.25, 0.1, 0.15, 0.0]);
        assert_eq!(s.criteria()[5].name, "equity");
        assert_eq!(s.criteria()[5].weight, 0.0);
    }

    #[test]
    fn settings_round_trip_with_six_weights_and_read_weights_named_by_criterion() {
        let d = RankingSettings::default();
        let back: RankingSettings =
            serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        let named: RankingSettings =
            serde_json::from_str(&settings_json(r#"{"need": 2, "equity": 1}"#)).unwrap();
        assert_eq!(named.weights, [2.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn settings_with_a_wrong_number_of_weights_or_an_unknown_criterion_are_refused() {
        for bad in ["[1, 2, 3, 4]", "[1, 2, 3, 4, 5, 6, 7]", r#"{"needs": 1}"#] {
            let r = serde_json::from_str::<RankingSettings>(&settings_json(bad));
            assert!(r.is_err(), "{bad}");
        }
    }
}
