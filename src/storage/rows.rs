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
