//! The ranked backlog: per area the need and demand measures from its linked questions (through the
//! results use case's weighted design), the benefit calculation, the weighted ranking over need,
//! reach, benefit, cost and feasibility, the bootstrap rank interval and the ±50% weight sensitivity.
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
//! - **Equity** (gaps for groups) is not a criterion yet.

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
use analysis::{Column, Design, Estimate, DONT_KNOW};

use crate::domain::backlog::{Area, Channel, LinkRole, Status};
use crate::domain::lang::Msg;
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::results::cache::{ResultsCache, VersionData};
use crate::use_cases::results::query::{self, ResultsQuery, Weighting};
use crate::use_cases::results::{population, ResultsError};

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
pub const CRITERIA: [(&str, Direction); 5] = [
    ("need", Direction::HigherIsBetter),
    ("reach", Direction::HigherIsBetter),
    ("benefit", Direction::HigherIsBetter),
    ("cost", Direction::LowerIsBetter),
    ("feasibility", Direction::HigherIsBetter),
];

/// A criterion's name for people.
pub fn criterion_label(name: &str) -> Msg {
    match name {
        "need" => Msg::fixed("Behov (möjlighetspoäng)", "Need (opportunity score)"),
        "reach" => Msg::fixed("Räckvidd", "Reach"),
        "benefit" => Msg::fixed("Nytta (nuvärde)", "Benefit (net present value)"),
        "cost" => Msg::fixed("Utvecklingskostnad", "Development cost"),
        "feasibility" => Msg::fixed("Genomförbarhet", "Feasibility"),
        other => Msg::new(other.to_owned(), other.to_owned()),
    }
}

/// Everything a ranking depends on besides the data: what a snapshot freezes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankingSettings {
    /// Weight per criterion of [`CRITERIA`], in that order (unnormalised, non-negative).
    pub weights: [f64; 5],
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
            weights: [0.3, 0.2, 0.25, 0.1, 0.15],
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
    pub estimate: f64,
    /// Lower 95% limit.
    pub low: f64,
    /// Upper 95% limit.
    pub high: f64,
    /// Respondents behind it.
    pub n: usize,
}

impl Figure {
    fn of(e: &Estimate) -> Figure {
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
}

type LinkMap = BTreeMap<LinkRole, (String, String)>;

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
    let per_area: Vec<LinkMap> = stored
        .iter()
        .zip(&all_links)
        .map(|(a, links)| {
            let mut m = LinkMap::new();
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
                // The first link of a role counts (the area page lists them all).
                m.entry(l.role)
                    .or_insert_with(|| (l.question_key.clone(), l.item.clone()));
            }
            m
        })
        .collect();
    let table = weighting(conn, settings)?;
    let (design, data, weighting_used) = match &survey {
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
            (prepared.design, data, used)
        }
        None => return rank_without_data(stored, survey, ignored_links, settings),
    };
    finish(
        stored,
        per_area,
        design,
        Some(data),
        weighting_used,
        survey,
        ignored_links,
        settings,
    )
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
    let per_area = vec![LinkMap::new(); stored.len()];
    let used = ("design".to_owned(), None);
    finish(
        stored,
        per_area,
        design,
        None,
        used,
        survey,
        ignored_links,
        settings,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    stored: Vec<storage::backlog::StoredArea>,
    per_area: Vec<LinkMap>,
    design: Design,
    data: Option<std::sync::Arc<VersionData>>,
    weighting_used: (String, Option<String>),
    survey: Option<(String, u32)>,
    ignored_links: Vec<String>,
    settings: &RankingSettings,
) -> Result<RankedBacklog, RankingError> {
    let measured: Vec<Option<Measured>> = per_area
        .iter()
        .map(|links| data.as_ref().map(|d| measure(&design, d, links)))
        .collect();
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
    let floor = |x: f64| if x.is_finite() { x } else { 0.0 };
    let sources: Vec<Vec<CriterionSource>> = stored
        .iter()
        .zip(&measured)
        .zip(&benefits)
        .map(|((a, m), b)| {
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
    for (i, ((a, m), b)) in stored.iter().zip(measured).zip(benefits).enumerate() {
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
    })
}

/// The status of a ranked area for people.
pub fn status_label(code: &str) -> Msg {
    Status::parse(code).map_or_else(
        |_| Msg::new(code.to_owned(), code.to_owned()),
        |s| s.label(),
    )
}
