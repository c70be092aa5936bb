//! Published backlog snapshots: "publish" freezes a ranking with all its inputs (survey version,
//! weighting, criteria weights, cost assumptions, seed, the areas' figures) plus who and when;
//! a snapshot can be shown, compared with another (rank moves and the input differences that
//! explain them) and exported as CSV or XLSX. Publishing and exporting are audited.
//!
//! The stored content is the ranking's JSON alone, without who and when, so identical inputs and
//! seed give byte-identical content (who and when are columns beside it).

use time::PrimitiveDateTime;

use super::catalogue::Kind;
use super::ranking::{self, criterion_label, RankedBacklog, RankingError, RankingSettings};
use crate::domain::lang::Msg;
use crate::formats::backlog_snapshot::{self as format, Value};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::results::cache::ResultsCache;
use crate::use_cases::Actor;

/// A snapshot as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Row id.
    pub id: String,
    /// Who published it.
    pub published_by: String,
    /// When (UTC).
    pub published_at: PrimitiveDateTime,
    /// The frozen ranking and its inputs.
    pub ranked: RankedBacklog,
    /// The stored JSON (what "identical" compares).
    pub content: String,
    /// The preset the weights came from, as named when published (`None`: weights given directly).
    pub preset_name: Option<String>,
}

/// The JSON a ranking is frozen as.
pub fn content_of(ranked: &RankedBacklog) -> Result<String, RankingError> {
    serde_json::to_string(ranked)
        .map_err(|e| RankingError::Storage(StorageError::Corrupt(format!("snapshot: {e}"))))
}

fn parse(row: storage::backlog_snapshots::StoredSnapshot) -> Result<Snapshot, RankingError> {
    let ranked = serde_json::from_str(&row.content).map_err(|e| {
        RankingError::Storage(StorageError::Corrupt(format!("snapshot {}: {e}", row.id)))
    })?;
    Ok(Snapshot {
        id: row.id,
        published_by: row.published_by,
        published_at: row.published_at,
        ranked,
        content: row.content,
        preset_name: row.preset_name,
    })
}

/// Compute the ranking with `settings` and store it as a snapshot, audited; returns its id.
pub fn publish(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    actor: Actor<'_>,
    settings: &RankingSettings,
) -> Result<String, RankingError> {
    publish_as(conn, cache, actor, settings, None)
}

/// [`publish`], recording the name of the preset the weights came from beside the content (the
/// weights themselves are in the content's settings).
pub fn publish_as(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    actor: Actor<'_>,
    settings: &RankingSettings,
    preset_name: Option<&str>,
) -> Result<String, RankingError> {
    let ranked = ranking::rank(conn, cache, settings)?;
    if ranked.areas.is_empty() {
        return Err(RankingError::NoAreas);
    }
    let content = content_of(&ranked)?;
    storage::transaction(conn, |c| {
        let id = storage::backlog_snapshots::insert(
            c,
            actor.name,
            settings.seed,
            preset_name,
            &content,
        )?;
        actor.record(
            c,
            "backlog.snapshot_published",
            &id,
            &format!(
                "{} area(s), seed {}, preset {}, weights {:?}",
                ranked.areas.len(),
                settings.seed,
                preset_name.unwrap_or("–"),
                settings.weights
            ),
        )?;
        Ok::<_, RankingError>(id)
    })
}

/// Every snapshot, newest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Snapshot>, RankingError> {
    storage::backlog_snapshots::list(conn)?
        .into_iter()
        .map(parse)
        .collect()
}

/// The newest snapshot (`None`: nothing is published yet).
pub fn latest(conn: &mut DbConnection) -> Result<Option<Snapshot>, RankingError> {
    storage::backlog_snapshots::latest(conn)?
        .map(parse)
        .transpose()
}

/// The snapshot with `id` (`None`: there is none).
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<Snapshot>, RankingError> {
    storage::backlog_snapshots::find(conn, id)?
        .map(parse)
        .transpose()
}

/// One area's move between two snapshots (`None`: not in that snapshot).
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// Area key.
    pub key: String,
    /// Name (sv, en).
    pub name: Msg,
    /// Rank in the older snapshot.
    pub from: Option<usize>,
    /// Rank in the newer snapshot.
    pub to: Option<usize>,
}

/// What differs between two snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Every area of either snapshot, by its rank in the newer one.
    pub moves: Vec<Move>,
    /// The inputs that differ, in words.
    pub input_changes: Vec<Msg>,
}

fn changed(out: &mut Vec<Msg>, sv: &str, en: &str, a: String, b: String) {
    if a != b {
        out.push(Msg::new(
            format!("{sv}: {a} → {b}"),
            format!("{en}: {a} → {b}"),
        ));
    }
}

/// Compare snapshot `old` with `new`: rank moves, and the inputs that explain them.
pub fn compare(old: &RankedBacklog, new: &RankedBacklog) -> Comparison {
    let mut moves: Vec<Move> = new
        .areas
        .iter()
        .map(|a| Move {
            key: a.key.clone(),
            name: Msg::new(a.name_sv.clone(), a.name_en.clone()),
            from: old.areas.iter().find(|o| o.key == a.key).map(|o| o.rank),
            to: Some(a.rank),
        })
        .collect();
    for o in &old.areas {
        if !new.areas.iter().any(|a| a.key == o.key) {
            moves.push(Move {
                key: o.key.clone(),
                name: Msg::new(o.name_sv.clone(), o.name_en.clone()),
                from: Some(o.rank),
                to: None,
            });
        }
    }
    let mut ch = Vec::new();
    let (s, t) = (&old.settings, &new.settings);
    for (i, name) in new.criteria.iter().enumerate() {
        let label = criterion_label(name);
        let w = |r: &RankedBacklog| r.weights.get(i).map_or("–".into(), |w| format!("{w:.3}"));
        let (a, b) = (w(old), w(new));
        if a != b {
            ch.push(Msg::new(
                format!("Vikt för {}: {a} → {b}", label.sv),
                format!("Weight of {}: {a} → {b}", label.en),
            ));
        }
    }
    let survey = |r: &RankedBacklog| {
        r.survey
            .as_ref()
            .map_or("–".to_owned(), |(k, v)| format!("{k} v{v}"))
    };
    changed(&mut ch, "Enkät", "Survey", survey(old), survey(new));
    let weighting = |r: &RankedBacklog| {
        format!(
            "{} {}",
            r.weighting.0,
            r.weighting.1.clone().unwrap_or_default()
        )
    };
    changed(
        &mut ch,
        "Viktning",
        "Weighting",
        weighting(old),
        weighting(new),
    );
    changed(
        &mut ch,
        "Kr per e-tjänstekontakt",
        "SEK per e-service contact",
        s.sek_per_eservice_contact.to_string(),
        t.sek_per_eservice_contact.to_string(),
    );
    changed(
        &mut ch,
        "Horisont (år)",
        "Horizon (years)",
        s.horizon_years.to_string(),
        t.horizon_years.to_string(),
    );
    changed(
        &mut ch,
        "Diskonteringsränta",
        "Discount rate",
        s.discount_rate.to_string(),
        t.discount_rate.to_string(),
    );
    changed(
        &mut ch,
        "Frö",
        "Seed",
        s.seed.to_string(),
        t.seed.to_string(),
    );
    changed(
        &mut ch,
        "Replikat",
        "Replicates",
        s.replicates.to_string(),
        t.replicates.to_string(),
    );
    for a in &new.areas {
        let Some(o) = old.areas.iter().find(|o| o.key == a.key) else {
            continue;
        };
        for (i, name) in new.criteria.iter().enumerate() {
            let (x, y) = (o.values.get(i).copied(), a.values.get(i).copied());
            if let (Some(x), Some(y)) = (x, y) {
                if (x - y).abs() > 1e-9 * x.abs().max(1.0) {
                    let label = criterion_label(name);
                    ch.push(Msg::new(
                        format!("{} – {}: {x:.4} → {y:.4}", a.name_sv, label.sv),
                        format!("{} – {}: {x:.4} → {y:.4}", a.name_en, label.en),
                    ));
                }
            }
        }
    }
    Comparison {
        moves,
        input_changes: ch,
    }
}

/// The export's columns.
pub const EXPORT_COLUMNS: [&str; 17] = [
    "rank",
    "key",
    "name_sv",
    "name_en",
    "status",
    "score",
    "rank_low",
    "rank_high",
    "p_top_k",
    "yearly_saving_sek",
    "yearly_saving_low_sek",
    "yearly_saving_high_sek",
    "npv_sek",
    "no_survey_evidence",
    "equity",
    "equity_flags_sv",
    "equity_flags_en",
];

/// The snapshot as a CSV or XLSX file, audited.
pub fn export(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    id: &str,
    kind: Kind,
) -> Result<Option<Vec<u8>>, RankingError> {
    let Some(snap) = get(conn, id)? else {
        return Ok(None);
    };
    let nan = f64::NAN;
    let equity_at = snap.ranked.criteria.iter().position(|c| c == "equity");
    let flags = |a: &ranking::RankedArea, en: bool| {
        a.gaps
            .as_ref()
            .map(|g| {
                g.flags_by_concern()
                    .into_iter()
                    .map(|gap| {
                        let w = gap.words();
                        if en {
                            w.en
                        } else {
                            w.sv
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    };
    let rows: Vec<Vec<Value>> = snap
        .ranked
        .areas
        .iter()
        .map(|a| {
            let b = a.benefit.as_ref();
            vec![
                Value::Number(a.rank as f64),
                Value::Text(a.key.clone()),
                Value::Text(a.name_sv.clone()),
                Value::Text(a.name_en.clone()),
                Value::Text(a.status.clone()),
                Value::Number(a.score),
                Value::Number(a.rank_low as f64),
                Value::Number(a.rank_high as f64),
                Value::Number(a.p_top_k),
                Value::Number(b.map_or(nan, |b| b.yearly_saving.point)),
                Value::Number(b.map_or(nan, |b| b.yearly_saving.low)),
                Value::Number(b.map_or(nan, |b| b.yearly_saving.high)),
                Value::Number(b.map_or(nan, |b| b.npv.point)),
                Value::Text(if a.no_evidence { "yes" } else { "no" }.into()),
                Value::Number(
                    equity_at
                        .and_then(|i| a.values.get(i).copied())
                        .unwrap_or(nan),
                ),
                Value::Text(flags(a, false)),
                Value::Text(flags(a, true)),
            ]
        })
        .collect();
    let bytes = match kind {
        Kind::Csv => format::write_csv(&EXPORT_COLUMNS, &rows),
        Kind::Xlsx => format::write_xlsx(&EXPORT_COLUMNS, &rows),
    }
    .map_err(|e| StorageError::Corrupt(format!("snapshot export: {e}")))?;
    storage::transaction(conn, |c| {
        actor.record(c, "backlog.snapshot_exported", id, kind.ext())?;
        Ok::<_, RankingError>(())
    })?;
    Ok(Some(bytes))
}
