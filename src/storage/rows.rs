//! Diesel row structs. They stay inside `storage`; callers get domain types.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{audit_log, login_throttle, sessions, users};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = sessions)]
pub(crate) struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = login_throttle)]
pub(crate) struct ThrottleRow {
    pub key: String,
    pub failures: i32,
    pub locked_until: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = audit_log)]
pub(crate) struct AuditRow {
    pub id: i64,
    pub at: PrimitiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = audit_log)]
pub(crate) struct NewAuditRow<'a> {
    pub at: PrimitiveDateTime,
    pub actor_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub ip: Option<&'a str>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::surveys)]
pub(crate) struct SurveyRow {
    pub id: String,
    pub key: String,
    pub options: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub archived_at: Option<PrimitiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::survey_versions)]
pub(crate) struct VersionRow {
    pub id: String,
    pub survey_id: String,
    pub version: i32,
    pub status: String,
    pub definition: String,
    pub created_by: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub published_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
}

/// A candidate area of the backlog (channels, history and links in their own tables).
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::backlog_areas)]
pub(crate) struct BacklogAreaRow {
    pub id: String,
    pub key: String,
    pub name_sv: String,
    pub name_en: String,
    pub description_sv: String,
    pub description_en: String,
    pub administration: String,
    pub target_group: String,
    pub status: String,
    pub yearly_volume: i64,
    pub development_cost: i64,
    pub running_cost: i64,
    pub feasibility: i32,
    pub feasibility_note: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// An area's share and handling minutes in one channel.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::backlog_area_channels)]
pub(crate) struct BacklogChannelRow {
    pub area_id: String,
    pub channel: String,
    pub share: f64,
    pub minutes: f64,
}

/// One status change of an area.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::backlog_status_history)]
pub(crate) struct BacklogHistoryRow {
    pub id: String,
    pub area_id: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: PrimitiveDateTime,
}

/// A survey question linked to an area.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::backlog_area_links)]
pub(crate) struct BacklogLinkRow {
    pub id: String,
    pub area_id: String,
    pub survey_key: String,
    pub version: i32,
    pub question_key: String,
    pub role: String,
    pub item: String,
    pub created_by: String,
    pub created_at: PrimitiveDateTime,
}
