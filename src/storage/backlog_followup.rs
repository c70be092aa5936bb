//! Benefits follow-up of launched backlog areas: the prediction frozen per area (shares and the
//! JSON basis it was computed from) and the follow-up measurements, plus each area's launch date
//! (its latest status change to `launched`). Stored values go back through the domain's parsers,
//! so a row that no longer makes sense is [`StorageError::Corrupt`].

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{backlog_followups, backlog_predictions, backlog_status_history};
use super::{now, DbConnection, StorageError};
use crate::domain::backlog::Status;
use crate::domain::backlog_followup::{Basis, FollowUp, Interval};
use crate::domain::expr::date::{format_iso, parse_iso};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = backlog_predictions)]
struct PredictionRow {
    area_id: String,
    share_point: f64,
    share_low: f64,
    share_high: f64,
    basis: String,
    recorded_by: String,
    recorded_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = backlog_followups)]
struct FollowUpRow {
    id: String,
    area_id: String,
    measured_on: String,
    period_from: String,
    period_to: String,
    volume_phone: i64,
    volume_email: i64,
    volume_letter: i64,
    volume_visit: i64,
    volume_web: i64,
    note: String,
    recorded_by: String,
    recorded_at: PrimitiveDateTime,
}

/// A frozen prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPrediction {
    /// The expected e-service share after launch, with its interval.
    pub share: Interval,
    /// What it was computed from.
    pub basis: Basis,
    /// Who froze it.
    pub recorded_by: String,
    /// When (UTC).
    pub recorded_at: PrimitiveDateTime,
}

/// A stored follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFollowUp {
    /// Row id.
    pub id: String,
    /// The measurement.
    pub followup: FollowUp,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (UTC).
    pub recorded_at: PrimitiveDateTime,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("backlog follow-up {what}: {e}"))
}

fn prediction_of(r: PredictionRow) -> Result<(String, StoredPrediction), StorageError> {
    let basis: Basis = serde_json::from_str(&r.basis).map_err(|e| corrupt("basis", e))?;
    Ok((
        r.area_id,
        StoredPrediction {
            share: Interval {
                point: r.share_point,
                low: r.share_low,
                high: r.share_high,
            },
            basis,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        },
    ))
}

fn followup_of(r: FollowUpRow) -> Result<(String, StoredFollowUp), StorageError> {
    let day = |s: &str| parse_iso(s).ok_or_else(|| corrupt("date", s));
    let count = |x: i64| u64::try_from(x).map_err(|e| corrupt("volume", e));
    Ok((
        r.area_id,
        StoredFollowUp {
            followup: FollowUp {
                measured_on: day(&r.measured_on)?,
                period_from: day(&r.period_from)?,
                period_to: day(&r.period_to)?,
                volumes: [
                    count(r.volume_phone)?,
                    count(r.volume_email)?,
                    count(r.volume_letter)?,
                    count(r.volume_visit)?,
                    count(r.volume_web)?,
                ],
                note: r.note,
            },
            id: r.id,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        },
    ))
}

/// Freeze area `area_id`'s prediction; a second one is [`StorageError::Conflict`] (primary key).
pub fn insert_prediction(
    conn: &mut DbConnection,
    area_id: &str,
    share: Interval,
    basis: &Basis,
    by: &str,
) -> Result<(), StorageError> {
    let row = PredictionRow {
        area_id: area_id.to_owned(),
        share_point: share.point,
        share_low: share.low,
        share_high: share.high,
        basis: serde_json::to_string(basis).map_err(|e| corrupt("basis", e))?,
        recorded_by: by.to_owned(),
        recorded_at: now(),
    };
    diesel::insert_into(backlog_predictions::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Every frozen prediction, by area id.
pub fn predictions(
    conn: &mut DbConnection,
) -> Result<HashMap<String, StoredPrediction>, StorageError> {
    backlog_predictions::table
        .select(PredictionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(prediction_of)
        .collect()
}

/// Record a follow-up of area `area_id`; returns its id.
pub fn insert_followup(
    conn: &mut DbConnection,
    area_id: &str,
    f: &FollowUp,
    by: &str,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    let v = |i: usize| i64::try_from(f.volumes[i]).map_err(|e| corrupt("volume", e));
    let row = FollowUpRow {
        id: id.clone(),
        area_id: area_id.to_owned(),
        measured_on: format_iso(f.measured_on),
        period_from: format_iso(f.period_from),
        period_to: format_iso(f.period_to),
        volume_phone: v(0)?,
        volume_email: v(1)?,
        volume_letter: v(2)?,
        volume_visit: v(3)?,
        volume_web: v(4)?,
        note: f.note.clone(),
        recorded_by: by.to_owned(),
        recorded_at: now(),
    };
    diesel::insert_into(backlog_followups::table)
        .values(&row)
        .execute(conn)?;
    Ok(id)
}

/// Every follow-up, by area id, each area's in the order measured (then recorded).
pub fn followups(
    conn: &mut DbConnection,
) -> Result<HashMap<String, Vec<StoredFollowUp>>, StorageError> {
    let mut out: HashMap<String, Vec<StoredFollowUp>> = HashMap::new();
    for row in backlog_followups::table
        .order((
            backlog_followups::measured_on.asc(),
            backlog_followups::id.asc(),
        ))
        .select(FollowUpRow::as_select())
        .load(conn)?
    {
        let (area, f) = followup_of(row)?;
        out.entry(area).or_default().push(f);
    }
    Ok(out)
}

/// When each launched area was launched (its latest change to `launched`), by area id.
pub fn launch_dates(
    conn: &mut DbConnection,
) -> Result<HashMap<String, PrimitiveDateTime>, StorageError> {
    let rows: Vec<(String, PrimitiveDateTime)> = backlog_status_history::table
        .filter(backlog_status_history::to_status.eq(Status::Launched.code()))
        .order(backlog_status_history::changed_at.asc())
        .select((
            backlog_status_history::area_id,
            backlog_status_history::changed_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
