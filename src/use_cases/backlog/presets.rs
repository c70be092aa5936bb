//! Named presets of the ranking model (issue 14 item 4): researchers create, edit, delete them and
//! choose the default; weights are typed or come from an AHP pairwise comparison over the criteria
//! (Saaty's 1–9 scale, with the consistency ratio). Every change is audited in its own transaction.
//!
//! Also what `/backlog` opens on ([`open`]): the latest published snapshot as stored (nothing is
//! recomputed), or, when the viewer asks for one or nothing is published, a live ranking with the
//! chosen preset (the default otherwise, else the built-in weights).

use std::collections::BTreeMap;

use time::PrimitiveDateTime;

use super::ranking::{self, RankedBacklog, RankingError, RankingSettings, CRITERIA};
use super::snapshots::{self, Snapshot};
use crate::domain::backlog_preset::{
    parse_description, parse_judgements, AhpOrigin, Judgement, Preset, PresetName, Problem, Weights,
};
use crate::domain::lang::Msg;
use crate::storage::backlog_presets::{PresetFields, StoredPreset};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::results::cache::ResultsCache;
use crate::use_cases::Actor;

/// Why a preset change (or opening the backlog) was refused. Nothing is stored then.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// No preset has this id.
    #[error("no backlog preset {0}")]
    NotFound(String),
    /// Fields that do not parse; every one is listed.
    #[error("the preset has {} invalid field(s)", .0.len())]
    Invalid(Vec<Problem>),
    /// Another preset has this name (case and spacing aside).
    #[error("the preset name {0} is taken")]
    NameTaken(String),
    /// The AHP judgements could not be turned into weights.
    #[error(transparent)]
    Ahp(#[from] analysis::AnalysisError),
    /// The ranking failed.
    #[error(transparent)]
    Ranking(#[from] RankingError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl PresetError {
    /// The message for the person who asked (`None`: not theirs to fix).
    pub fn message(&self) -> Option<Msg> {
        Some(match self {
            PresetError::NotFound(_) => Msg::fixed(
                "Det finns ingen sådan förinställning (den kan ha tagits bort).",
                "There is no such preset (it may have been deleted).",
            ),
            PresetError::Invalid(p) => Msg::new(
                format!("{} fält behöver rättas; inget sparades.", p.len()),
                format!("{} field(s) need correcting; nothing was stored.", p.len()),
            ),
            PresetError::NameTaken(n) => Msg::new(
                format!("Det finns redan en förinställning som heter ”{n}”; välj ett annat namn. Inget sparades."),
                format!("There is already a preset called “{n}”; choose another name. Nothing was stored."),
            ),
            PresetError::Ahp(e) => Msg::new(
                format!("Jämförelserna kunde inte ge vikter: {e}"),
                format!("The comparisons could not give weights: {e}"),
            ),
            PresetError::Ranking(e) => return e.message(),
            PresetError::Storage(_) => return None,
        })
    }
}

/// The criteria's names, in [`CRITERIA`] order.
pub fn criteria() -> Vec<&'static str> {
    CRITERIA.iter().map(|(n, _)| *n).collect()
}

/// A stored preset as the pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetView {
    /// Row id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description (sv).
    pub description_sv: Option<String>,
    /// Description (en).
    pub description_en: Option<String>,
    /// Weights by criterion.
    pub weights: Weights,
    /// The AHP comparison the weights came from.
    pub ahp: Option<AhpOrigin>,
    /// The default of `/backlog`.
    pub is_default: bool,
    /// Who changed it last.
    pub updated_by: String,
    /// When (UTC).
    pub updated_at: PrimitiveDateTime,
}

impl PresetView {
    /// The ranking settings of this preset: its weights on the current criteria (0 for one it
    /// does not name), the rest the defaults.
    pub fn settings(&self) -> RankingSettings {
        settings_of(Some(self))
    }

    /// The description in `sv`/`en` (falling back on the other language).
    pub fn description(&self) -> Option<Msg> {
        match (&self.description_sv, &self.description_en) {
            (None, None) => None,
            (sv, en) => {
                let sv = sv.clone().or_else(|| en.clone()).unwrap_or_default();
                let en = en.clone().unwrap_or_else(|| sv.clone());
                Some(Msg::new(sv, en))
            }
        }
    }
}

/// The settings of `preset`, or the built-in defaults without one.
pub fn settings_of(preset: Option<&PresetView>) -> RankingSettings {
    let d = RankingSettings::default();
    match preset {
        // from_fn: the array is as long as CRITERIA, however many criteria there are.
        Some(p) => RankingSettings {
            weights: std::array::from_fn(|i| p.weights.weight(CRITERIA[i].0)),
            ..d
        },
        None => d,
    }
}

fn corrupt(id: &str, what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("backlog preset {id} {what}: {e}"))
}

fn view(row: StoredPreset) -> Result<PresetView, PresetError> {
    let weights: Weights =
        serde_json::from_str(&row.weights).map_err(|e| corrupt(&row.id, "weights", e))?;
    let ahp = row
        .ahp
        .as_deref()
        .map(serde_json::from_str::<AhpOrigin>)
        .transpose()
        .map_err(|e| corrupt(&row.id, "ahp", e))?;
    Ok(PresetView {
        id: row.id,
        name: row.name,
        description_sv: row.description_sv,
        description_en: row.description_en,
        weights,
        ahp,
        is_default: row.is_default,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
    })
}

/// Every preset: the default first, then by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<PresetView>, PresetError> {
    storage::backlog_presets::list(conn)?
        .into_iter()
        .map(view)
        .collect()
}

/// The preset with `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<PresetView, PresetError> {
    storage::backlog_presets::find(conn, id)?
        .map(view)
        .transpose()?
        .ok_or_else(|| PresetError::NotFound(id.to_owned()))
}

/// The default preset, if one is set.
pub fn default_preset(conn: &mut DbConnection) -> Result<Option<PresetView>, PresetError> {
    storage::backlog_presets::find_default(conn)?
        .map(view)
        .transpose()
}

/// The result of an AHP comparison over the criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct AhpOutcome {
    /// The judgements it came from.
    pub judgements: Vec<Judgement>,
    /// Weight per criterion (sum 1), in [`CRITERIA`] order.
    pub weights: Vec<(String, f64)>,
    /// λmax.
    pub lambda_max: f64,
    /// Consistency index.
    pub consistency_index: f64,
    /// Consistency ratio (`None`: more criteria than Saaty's table covers).
    pub consistency_ratio: Option<f64>,
    /// CR above 0.1: the judgements should be revised.
    pub inconsistent: bool,
}

impl AhpOutcome {
    /// The weights as a preset's map.
    pub fn weights_map(&self) -> Result<Weights, PresetError> {
        Weights::from_map(self.weights.iter().cloned().collect::<BTreeMap<_, _>>()).map_err(|why| {
            PresetError::Invalid(vec![Problem {
                field: "weights".into(),
                why,
            }])
        })
    }
}

/// Weights and consistency of pairwise judgements over the criteria (`analysis::backlog::ahp_weights`).
pub fn ahp(judgements: &[Judgement]) -> Result<AhpOutcome, PresetError> {
    let names = criteria();
    let n = names.len();
    let mut upper = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let j = judgements
                .iter()
                .find(|j| j.a == *a && j.b == *b)
                .ok_or_else(|| {
                    PresetError::Invalid(vec![Problem {
                        field: crate::domain::backlog_preset::pair_field(a, b),
                        why: Msg::new(
                            format!("Jämförelsen av {a} mot {b} saknas."),
                            format!("The comparison of {a} against {b} is missing."),
                        ),
                    }])
                })?;
            upper.push(j.value);
        }
    }
    let matrix = analysis::backlog::reciprocal_matrix(n, &upper)?;
    let r = analysis::backlog::ahp_weights(&matrix)?;
    Ok(AhpOutcome {
        judgements: judgements.to_vec(),
        weights: names
            .iter()
            .map(|s| (*s).to_owned())
            .zip(r.weights)
            .collect(),
        lambda_max: r.lambda_max,
        consistency_index: r.consistency_index,
        consistency_ratio: r.consistency_ratio,
        inconsistent: r.inconsistent,
    })
}

/// Read the AHP form (`ahp_<a>__<b>` per pair); `None` when no pair is answered yet.
pub fn ahp_from_form<'a>(
    field: impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<AhpOutcome>, PresetError> {
    let names = criteria();
    let any = names.iter().enumerate().any(|(i, a)| {
        names[i + 1..]
            .iter()
            .any(|b| field(&crate::domain::backlog_preset::pair_field(a, b)).is_some())
    });
    if !any {
        return Ok(None);
    }
    let judgements = parse_judgements(&names, field).map_err(PresetError::Invalid)?;
    ahp(&judgements).map(Some)
}

/// A preset form as read: the preset, and whether to make it the default.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetRequest {
    /// The preset.
    pub preset: Preset,
    /// Make it the default.
    pub make_default: bool,
}

/// Parse a preset form: `name`, `description_sv`, `description_en`, `default` (`on`), and either the
/// AHP judgements (`source=ahp`, weights computed here, never taken from the form) or the typed
/// weights `w_<criterion>`. Every bad field is listed.
pub fn parse_form<'a>(
    field: impl Fn(&str) -> Option<&'a str>,
) -> Result<PresetRequest, PresetError> {
    let mut problems = Vec::new();
    let name = PresetName::parse(field("name").unwrap_or(""))
        .map_err(|p| problems.push(p))
        .ok();
    let mut desc = |f: &str| {
        parse_description(f, field(f).unwrap_or(""))
            .map_err(|p| problems.push(p))
            .ok()
            .flatten()
    };
    let (description_sv, description_en) = (desc("description_sv"), desc("description_en"));
    let names = criteria();
    let from_ahp = field("source") == Some("ahp");
    let (weights, ahp_origin) = if from_ahp {
        match parse_judgements(&names, &field) {
            Ok(j) => {
                let out = ahp(&j)?;
                let w = out.weights_map()?;
                let origin = AhpOrigin {
                    judgements: out.judgements,
                    consistency_ratio: out.consistency_ratio,
                };
                (Some(w), Some(origin))
            }
            Err(p) => {
                problems.extend(p);
                (None, None)
            }
        }
    } else {
        match Weights::parse(&names, |c| field(&format!("w_{c}"))) {
            Ok(w) => (Some(w), None),
            Err(p) => {
                problems.extend(p);
                (None, None)
            }
        }
    };
    match (name, weights) {
        (Some(name), Some(weights)) if problems.is_empty() => Ok(PresetRequest {
            preset: Preset {
                name,
                description_sv,
                description_en,
                weights,
                ahp: ahp_origin,
            },
            make_default: field("default").is_some_and(|v| v == "on" || v == "true"),
        }),
        _ => Err(PresetError::Invalid(problems)),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, PresetError> {
    serde_json::to_string(v)
        .map_err(|e| PresetError::Storage(StorageError::Corrupt(format!("preset json: {e}"))))
}

fn detail(p: &Preset) -> String {
    let weights: Vec<String> = p
        .weights
        .as_map()
        .iter()
        .map(|(k, w)| format!("{k}={w}"))
        .collect();
    let ahp = p
        .ahp
        .as_ref()
        .and_then(|a| a.consistency_ratio)
        .map_or(String::new(), |cr| format!(", AHP CR {cr:.3}"));
    format!("{}: {}{ahp}", p.name.as_str(), weights.join(" "))
}

/// Write `p` as new (`id` None) or over `id`, in the caller's transaction.
fn write(
    c: &mut DbConnection,
    actor: Actor<'_>,
    id: Option<&str>,
    p: &Preset,
) -> Result<String, PresetError> {
    let key = p.name.key();
    if let Some(other) = storage::backlog_presets::find_by_key(c, &key)? {
        if Some(other.id.as_str()) != id {
            return Err(PresetError::NameTaken(p.name.as_str().to_owned()));
        }
    }
    let weights = json(&p.weights)?;
    let ahp = p.ahp.as_ref().map(json).transpose()?;
    let fields = PresetFields {
        name: p.name.as_str(),
        name_key: &key,
        description_sv: p.description_sv.as_deref(),
        description_en: p.description_en.as_deref(),
        weights: &weights,
        ahp: ahp.as_deref(),
    };
    let taken = |e: StorageError| match e {
        StorageError::Conflict(_) => PresetError::NameTaken(p.name.as_str().to_owned()),
        other => other.into(),
    };
    match id {
        None => storage::backlog_presets::insert(c, actor.name, &fields).map_err(taken),
        Some(id) => {
            if !storage::backlog_presets::update(c, id, actor.name, &fields).map_err(taken)? {
                return Err(PresetError::NotFound(id.to_owned()));
            }
            Ok(id.to_owned())
        }
    }
}

/// Store a new preset (and make it the default when asked), audited; returns its id.
pub fn create(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    req: &PresetRequest,
) -> Result<String, PresetError> {
    storage::transaction(conn, |c| {
        let id = write(c, actor, None, &req.preset)?;
        actor.record(c, "backlog.preset_created", &id, &detail(&req.preset))?;
        if req.make_default {
            storage::backlog_presets::set_default(c, &id, actor.name)?;
            actor.record(c, "backlog.preset_default", &id, req.preset.name.as_str())?;
        }
        Ok(id)
    })
}

/// Replace preset `id` (and make it the default when asked; unticking does not remove the
/// default: another preset is chosen as default instead), audited.
pub fn update(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    id: &str,
    req: &PresetRequest,
) -> Result<(), PresetError> {
    storage::transaction(conn, |c| {
        write(c, actor, Some(id), &req.preset)?;
        actor.record(c, "backlog.preset_updated", id, &detail(&req.preset))?;
        if req.make_default {
            storage::backlog_presets::set_default(c, id, actor.name)?;
            actor.record(c, "backlog.preset_default", id, req.preset.name.as_str())?;
        }
        Ok(())
    })
}

/// Delete preset `id`, audited. Deleting the default leaves none: `/backlog` then ranks with the
/// built-in weights until another is chosen. Published snapshots keep the name they froze.
pub fn delete(conn: &mut DbConnection, actor: Actor<'_>, id: &str) -> Result<(), PresetError> {
    storage::transaction(conn, |c| {
        let p = get(c, id)?;
        storage::backlog_presets::delete(c, id)?;
        actor.record(c, "backlog.preset_deleted", id, &p.name)?;
        Ok(())
    })
}

/// Make preset `id` the default (the only one), audited.
pub fn set_default(conn: &mut DbConnection, actor: Actor<'_>, id: &str) -> Result<(), PresetError> {
    storage::transaction(conn, |c| {
        let p = get(c, id)?;
        storage::backlog_presets::set_default(c, id, actor.name)?;
        actor.record(c, "backlog.preset_default", id, &p.name)?;
        Ok(())
    })
}

/// Publish a ranking with preset `id` (the default when `None`, else the built-in weights) and
/// `sek_per_eservice_contact` (the default when `None`); the snapshot freezes the preset's name and
/// weights. Returns the snapshot id.
pub fn publish(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    actor: Actor<'_>,
    id: Option<&str>,
    sek_per_eservice_contact: Option<f64>,
) -> Result<String, PresetError> {
    let preset = chosen(conn, id)?;
    let mut settings = settings_of(preset.as_ref());
    if let Some(sek) = sek_per_eservice_contact {
        settings.sek_per_eservice_contact = sek;
    }
    let name = preset.as_ref().map(|p| p.name.as_str());
    Ok(snapshots::publish_as(conn, cache, actor, &settings, name)?)
}

fn chosen(conn: &mut DbConnection, id: Option<&str>) -> Result<Option<PresetView>, PresetError> {
    match id {
        Some(id) => get(conn, id).map(Some),
        None => default_preset(conn),
    }
}

/// What `/backlog` shows.
#[derive(Debug, Clone)]
pub enum Shown {
    /// The latest published snapshot, as stored.
    Snapshot(Box<Snapshot>),
    /// A ranking computed now with `preset` (`None`: the built-in weights).
    Live {
        /// The ranking.
        ranked: Box<RankedBacklog>,
        /// The preset it used.
        preset: Option<PresetView>,
    },
}

impl Shown {
    /// The ranking shown.
    pub fn ranked(&self) -> &RankedBacklog {
        match self {
            Shown::Snapshot(s) => &s.ranked,
            Shown::Live { ranked, .. } => ranked,
        }
    }
}

/// `/backlog` as opened: what is shown and the presets to choose from.
#[derive(Debug, Clone)]
pub struct BacklogIndex {
    /// The ranking shown and where it came from.
    pub shown: Shown,
    /// Every preset (the default first).
    pub presets: Vec<PresetView>,
}

/// What the viewer asked `/backlog` for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opening {
    /// A live ranking with this preset.
    pub preset: Option<String>,
    /// A live ranking even with no preset named (the default one).
    pub live: bool,
}

/// Open the backlog: the latest snapshot as stored unless the viewer asks for a live ranking (or
/// none is published), else the ranking with the chosen preset, the default, or the built-in weights.
pub fn open(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    opening: &Opening,
) -> Result<BacklogIndex, PresetError> {
    let presets = list(conn)?;
    if opening.preset.is_none() && !opening.live {
        if let Some(s) = snapshots::latest(conn)? {
            return Ok(BacklogIndex {
                shown: Shown::Snapshot(Box::new(s)),
                presets,
            });
        }
    }
    let preset = match &opening.preset {
        Some(id) => Some(
            presets
                .iter()
                .find(|p| p.id == *id)
                .cloned()
                .ok_or_else(|| PresetError::NotFound(id.clone()))?,
        ),
        None => presets.iter().find(|p| p.is_default).cloned(),
    };
    let ranked = ranking::rank(conn, cache, &settings_of(preset.as_ref()))?;
    Ok(BacklogIndex {
        shown: Shown::Live {
            ranked: Box::new(ranked),
            preset,
        },
        presets,
    })
}
