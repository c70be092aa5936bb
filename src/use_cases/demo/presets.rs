//! The demo's ranking presets: "Standard" (the built-in weights, the default the published
//! snapshot uses) and "Behov först (AHP)", whose weights come from pairwise judgements over the
//! criteria, so the AHP page has a worked example to open.

use crate::domain::backlog_preset::{pair_field, saaty_code, Preset, PresetName, Weights};
use crate::storage::DbConnection;
use crate::use_cases::backlog::presets::{self, PresetError, PresetRequest};
use crate::use_cases::backlog::ranking::{RankingSettings, CRITERIA};
use crate::use_cases::Actor;

/// How much the AHP example cares about a criterion (1–9); the judgement of a pair is the ratio of
/// the two, on Saaty's scale. A criterion added later gets the middle.
fn priority(criterion: &str) -> f64 {
    match criterion {
        "need" => 6.0,
        "equity" => 4.0,
        "benefit" => 3.0,
        "reach" => 3.0,
        "feasibility" => 2.0,
        "cost" => 1.5,
        _ => 3.0,
    }
}

fn request(
    name: &str,
    sv: &str,
    en: &str,
    weights: Weights,
    default: bool,
) -> Result<PresetRequest, PresetError> {
    Ok(PresetRequest {
        preset: Preset {
            name: PresetName::parse(name).map_err(|p| PresetError::Invalid(vec![p]))?,
            description_sv: Some(sv.to_owned()),
            description_en: Some(en.to_owned()),
            weights,
            ahp: None,
        },
        make_default: default,
    })
}

/// Seed both presets; "Standard" is the default.
pub fn seed(conn: &mut DbConnection, actor: Actor<'_>) -> Result<(), PresetError> {
    let d = RankingSettings::default();
    let standard = Weights::from_map(
        CRITERIA
            .iter()
            .zip(d.weights)
            .map(|((c, _), w)| ((*c).to_owned(), w))
            .collect(),
    )
    .map_err(|why| {
        PresetError::Invalid(vec![crate::domain::backlog_preset::Problem {
            field: "weights".into(),
            why,
        }])
    })?;
    presets::create(
        conn,
        actor,
        &request(
            "Standard",
            "Rangordningens inbyggda vikter. Används i ledningens vy och när backloggen publiceras.",
            "The ranking's built-in weights. Used in the management view and when the backlog is published.",
            standard,
            true,
        )?,
    )?;
    // The AHP example: the judgements as the AHP form would send them.
    let mut form = Vec::new();
    for (i, (a, _)) in CRITERIA.iter().enumerate() {
        for (b, _) in &CRITERIA[i + 1..] {
            let code = saaty_code(priority(a) / priority(b));
            form.push((pair_field(a, b), code.to_string()));
        }
    }
    form.push(("source".into(), "ahp".into()));
    form.push(("name".into(), "Behov först (AHP)".into()));
    form.push((
        "description_sv".into(),
        "Vikter från parvisa jämförelser där invånarnas behov väger tyngst och kostnaden lättast."
            .into(),
    ));
    form.push((
        "description_en".into(),
        "Weights from pairwise comparisons in which residents' need weighs most and cost least."
            .into(),
    ));
    let req = presets::parse_form(|k| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str()))?;
    presets::create(conn, actor, &req)?;
    Ok(())
}
