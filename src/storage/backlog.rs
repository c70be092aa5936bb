//! The backlog's candidate areas: the area rows, their channel figures (one row per channel),
//! their status history and their links to survey questions. Stored values are parsed back
//! through the domain constructors, so a row that no longer makes a valid area is
//! [`StorageError::Corrupt`], never a half-valid area.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::rows::{BacklogAreaRow, BacklogChannelRow, BacklogHistoryRow, BacklogLinkRow};
use super::schema::{
    backlog_area_channels, backlog_area_links, backlog_areas, backlog_status_history,
};
use super::{now, DbConnection, StorageError};
use crate::domain::backlog::{
    Area, AreaKey, Channel, ChannelMix, Feasibility, HandlingMinutes, LinkRole, QuestionLink,
    Status, TargetGroup,
};

/// A stored area: its row id, the area, its status and when it last changed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArea {
    /// Row id (stable; links and history hang on it).
    pub id: String,
    /// The area.
    pub area: Area,
    /// Its status now.
    pub status: Status,
    /// When it was created.
    pub created_at: PrimitiveDateTime,
    /// When it was last edited or changed status.
    pub updated_at: PrimitiveDateTime,
}

/// One status change.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The status before (`None`: the area was created).
    pub from: Option<Status>,
    /// The status after.
    pub to: Status,
    /// Why.
    pub reason: String,
    /// Who (username, `cli` or `system`).
    pub changed_by: String,
    /// When (UTC).
    pub changed_at: PrimitiveDateTime,
}

/// A stored link of an area to a survey question.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLink {
    /// Row id (the remove button names it).
    pub id: String,
    /// The link.
    pub link: QuestionLink,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("backlog {what}: {e}"))
}

fn to_i64(x: u64) -> Result<i64, StorageError> {
    i64::try_from(x).map_err(|e| corrupt("number", e))
}

fn area_of(
    row: BacklogAreaRow,
    channels: &[BacklogChannelRow],
) -> Result<StoredArea, StorageError> {
    let mut shares = [0.0; 5];
    let mut minutes = [0.0; 5];
    for c in channels {
        let ch = Channel::from_code(&c.channel).ok_or_else(|| corrupt("channel", &c.channel))?;
        let i = Channel::ALL.iter().position(|x| *x == ch).unwrap_or(0);
        shares[i] = c.share;
        minutes[i] = c.minutes;
    }
    let number = |x: i64| u64::try_from(x).map_err(|e| corrupt("number", e));
    let area = Area {
        key: AreaKey::parse(&row.key).map_err(|e| corrupt("key", e))?,
        name_sv: row.name_sv,
        name_en: row.name_en,
        description_sv: row.description_sv,
        description_en: row.description_en,
        administration: row.administration,
        target_group: TargetGroup::parse(&row.target_group)
            .map_err(|e| corrupt("target group", e))?,
        yearly_volume: number(row.yearly_volume)?,
        channel_mix: ChannelMix::new(shares).map_err(|e| corrupt("channel mix", e))?,
        handling_minutes: HandlingMinutes::new(minutes).map_err(|e| corrupt("minutes", e))?,
        development_cost: number(row.development_cost)?,
        running_cost: number(row.running_cost)?,
        feasibility: Feasibility::parse(&row.feasibility.to_string(), &row.feasibility_note)
            .map_err(|e| corrupt("feasibility", e))?,
    };
    Ok(StoredArea {
        id: row.id,
        area,
        status: Status::parse(&row.status).map_err(|e| corrupt("status", e))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn row_of(
    id: &str,
    area: &Area,
    status: Status,
    created_at: PrimitiveDateTime,
) -> Result<BacklogAreaRow, StorageError> {
    Ok(BacklogAreaRow {
        id: id.to_owned(),
        key: area.key.to_string(),
        name_sv: area.name_sv.clone(),
        name_en: area.name_en.clone(),
        description_sv: area.description_sv.clone(),
        description_en: area.description_en.clone(),
        administration: area.administration.clone(),
        target_group: area.target_group.code().to_owned(),
        status: status.code().to_owned(),
        yearly_volume: to_i64(area.yearly_volume)?,
        development_cost: to_i64(area.development_cost)?,
        running_cost: to_i64(area.running_cost)?,
        feasibility: i32::from(area.feasibility.score),
        feasibility_note: area.feasibility.note.clone(),
        created_at,
        updated_at: now(),
    })
}

fn channel_rows(id: &str, area: &Area) -> Vec<BacklogChannelRow> {
    Channel::ALL
        .iter()
        .map(|c| BacklogChannelRow {
            area_id: id.to_owned(),
            channel: c.code().to_owned(),
            share: area.channel_mix.share(*c),
            minutes: area.handling_minutes.minutes(*c),
        })
        .collect()
}

fn insert_channels(conn: &mut DbConnection, id: &str, area: &Area) -> Result<(), StorageError> {
    for row in channel_rows(id, area) {
        diesel::insert_into(backlog_area_channels::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// Every area, by key, with its channel figures (two queries).
pub fn list_areas(conn: &mut DbConnection) -> Result<Vec<StoredArea>, StorageError> {
    let rows: Vec<BacklogAreaRow> = backlog_areas::table
        .order(backlog_areas::key.asc())
        .select(BacklogAreaRow::as_select())
        .load(conn)?;
    let mut channels: HashMap<String, Vec<BacklogChannelRow>> = HashMap::new();
    for c in backlog_area_channels::table
        .select(BacklogChannelRow::as_select())
        .load(conn)?
    {
        channels.entry(c.area_id.clone()).or_default().push(c);
    }
    rows.into_iter()
        .map(|r| {
            let ch = channels.remove(&r.id).unwrap_or_default();
            area_of(r, &ch)
        })
        .collect()
}

/// One area by its key.
pub fn find_area(conn: &mut DbConnection, key: &str) -> Result<Option<StoredArea>, StorageError> {
    let Some(row) = backlog_areas::table
        .filter(backlog_areas::key.eq(key))
        .select(BacklogAreaRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let channels = backlog_area_channels::table
        .filter(backlog_area_channels::area_id.eq(&row.id))
        .select(BacklogChannelRow::as_select())
        .load(conn)?;
    area_of(row, &channels).map(Some)
}

/// Insert a new area in `status` and return its id; a taken key is [`StorageError::Conflict`].
pub fn insert_area(
    conn: &mut DbConnection,
    area: &Area,
    status: Status,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(backlog_areas::table)
        .values(&row_of(&id, area, status, now())?)
        .execute(conn)?;
    insert_channels(conn, &id, area)?;
    Ok(id)
}

/// Rewrite area `id` with `area` (the key included, which callers keep unchanged), keeping its
/// status and creation time.
pub fn update_area(conn: &mut DbConnection, id: &str, area: &Area) -> Result<(), StorageError> {
    let n = diesel::update(backlog_areas::table.find(id))
        .set((
            backlog_areas::name_sv.eq(&area.name_sv),
            backlog_areas::name_en.eq(&area.name_en),
            backlog_areas::description_sv.eq(&area.description_sv),
            backlog_areas::description_en.eq(&area.description_en),
            backlog_areas::administration.eq(&area.administration),
            backlog_areas::target_group.eq(area.target_group.code()),
            backlog_areas::yearly_volume.eq(to_i64(area.yearly_volume)?),
            backlog_areas::development_cost.eq(to_i64(area.development_cost)?),
            backlog_areas::running_cost.eq(to_i64(area.running_cost)?),
            backlog_areas::feasibility.eq(i32::from(area.feasibility.score)),
            backlog_areas::feasibility_note.eq(&area.feasibility.note),
            backlog_areas::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(corrupt("update", format!("no area {id}")));
    }
    diesel::delete(backlog_area_channels::table.filter(backlog_area_channels::area_id.eq(id)))
        .execute(conn)?;
    insert_channels(conn, id, area)
}

/// Set area `id`'s status and append the history row (the caller decided the change).
pub fn change_status(
    conn: &mut DbConnection,
    id: &str,
    from: Option<Status>,
    to: Status,
    reason: &str,
    by: &str,
) -> Result<(), StorageError> {
    diesel::update(backlog_areas::table.find(id))
        .set((
            backlog_areas::status.eq(to.code()),
            backlog_areas::updated_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::insert_into(backlog_status_history::table)
        .values(&BacklogHistoryRow {
            id: uuid::Uuid::now_v7().to_string(),
            area_id: id.to_owned(),
            from_status: from.map(|s| s.code().to_owned()),
            to_status: to.code().to_owned(),
            reason: reason.to_owned(),
            changed_by: by.to_owned(),
            changed_at: now(),
        })
        .execute(conn)?;
    Ok(())
}

/// Area `id`'s status changes, oldest first.
pub fn list_history(conn: &mut DbConnection, id: &str) -> Result<Vec<HistoryEntry>, StorageError> {
    backlog_status_history::table
        .filter(backlog_status_history::area_id.eq(id))
        .order((
            backlog_status_history::changed_at.asc(),
            backlog_status_history::id.asc(),
        ))
        .select(BacklogHistoryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| {
            Ok(HistoryEntry {
                from: r
                    .from_status
                    .as_deref()
                    .map(Status::parse)
                    .transpose()
                    .map_err(|e| corrupt("history", e))?,
                to: Status::parse(&r.to_status).map_err(|e| corrupt("history", e))?,
                reason: r.reason,
                changed_by: r.changed_by,
                changed_at: r.changed_at,
            })
        })
        .collect()
}

/// The reason of each area's latest status change, by area id (the catalogue's
/// `status_reason`).
pub fn latest_reasons(conn: &mut DbConnection) -> Result<HashMap<String, String>, StorageError> {
    let rows: Vec<(String, String)> = backlog_status_history::table
        .order((
            backlog_status_history::changed_at.asc(),
            backlog_status_history::id.asc(),
        ))
        .select((
            backlog_status_history::area_id,
            backlog_status_history::reason,
        ))
        .load(conn)?;
    // Later rows overwrite earlier ones: the map keeps the latest.
    Ok(rows.into_iter().collect())
}

/// Link a question to area `id`; the same link twice is [`StorageError::Conflict`].
pub fn insert_link(
    conn: &mut DbConnection,
    id: &str,
    link: &QuestionLink,
    by: &str,
) -> Result<String, StorageError> {
    let link_id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(backlog_area_links::table)
        .values(&BacklogLinkRow {
            id: link_id.clone(),
            area_id: id.to_owned(),
            survey_key: link.survey_key.clone(),
            version: i32::try_from(link.version).map_err(|e| corrupt("version", e))?,
            question_key: link.question_key.clone(),
            role: link.role.code().to_owned(),
            item: link.item.clone(),
            created_by: by.to_owned(),
            created_at: now(),
        })
        .execute(conn)?;
    Ok(link_id)
}

fn link_of(r: BacklogLinkRow) -> Result<StoredLink, StorageError> {
    Ok(StoredLink {
        id: r.id,
        link: QuestionLink {
            survey_key: r.survey_key,
            version: u32::try_from(r.version).map_err(|e| corrupt("version", e))?,
            question_key: r.question_key,
            role: LinkRole::parse(&r.role).map_err(|e| corrupt("role", e))?,
            item: r.item,
        },
    })
}

/// Area `id`'s links, by survey, version, role and question.
pub fn list_links(conn: &mut DbConnection, id: &str) -> Result<Vec<StoredLink>, StorageError> {
    let mut links = backlog_area_links::table
        .filter(backlog_area_links::area_id.eq(id))
        .order(backlog_area_links::id.asc())
        .select(BacklogLinkRow::as_select())
        .load(conn)?
        .into_iter()
        .map(link_of)
        .collect::<Result<Vec<_>, _>>()?;
    links.sort_by(|a, b| {
        (
            &a.link.survey_key,
            a.link.version,
            a.link.role,
            &a.link.question_key,
            &a.link.item,
        )
            .cmp(&(
                &b.link.survey_key,
                b.link.version,
                b.link.role,
                &b.link.question_key,
                &b.link.item,
            ))
    });
    Ok(links)
}

/// How many links each area has, by area id.
pub fn link_counts(conn: &mut DbConnection) -> Result<HashMap<String, usize>, StorageError> {
    let ids: Vec<String> = backlog_area_links::table
        .select(backlog_area_links::area_id)
        .load(conn)?;
    let mut counts = HashMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Remove link `link_id` of area `id`; the removed link, if there was one.
pub fn delete_link(
    conn: &mut DbConnection,
    id: &str,
    link_id: &str,
) -> Result<Option<QuestionLink>, StorageError> {
    let Some(row) = backlog_area_links::table
        .filter(backlog_area_links::id.eq(link_id))
        .filter(backlog_area_links::area_id.eq(id))
        .select(BacklogLinkRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    diesel::delete(backlog_area_links::table.find(link_id)).execute(conn)?;
    link_of(row).map(|l| Some(l.link))
}
