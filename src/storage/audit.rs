//! The audit log: who did what, when, from where. Append-only from the app's point of view.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::rows::{AuditRow, NewAuditRow};
use super::schema::audit_log;
use super::{now, DbConnection, StorageError};

/// One thing that happened, as the caller describes it.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEvent<'a> {
    /// The acting account's id, when someone is logged in.
    pub actor_id: Option<&'a str>,
    /// Who acted: a username, `system`, or the name someone tried to log in as.
    pub actor_name: &'a str,
    /// Dotted verb, e.g. `login.failed`, `user.role_changed`.
    pub action: &'a str,
    /// What it was done to, e.g. a username.
    pub target: Option<&'a str>,
    /// Free text with the particulars (never a password or an answer).
    pub detail: Option<&'a str>,
    /// The client address.
    pub ip: Option<&'a str>,
}

/// A stored audit event.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Sequence number.
    pub id: i64,
    /// When (UTC).
    pub at: PrimitiveDateTime,
    /// The acting account's id, if any.
    pub actor_id: Option<String>,
    /// Who acted.
    pub actor_name: String,
    /// What was done.
    pub action: String,
    /// To what.
    pub target: Option<String>,
    /// Particulars.
    pub detail: Option<String>,
    /// From where.
    pub ip: Option<String>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            target: r.target,
            detail: r.detail,
            ip: r.ip,
        }
    }
}

/// Append one event.
pub fn insert_event(conn: &mut DbConnection, e: &NewAuditEvent<'_>) -> Result<(), StorageError> {
    diesel::insert_into(audit_log::table)
        .values(&NewAuditRow {
            at: now(),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            target: e.target,
            detail: e.detail,
            ip: e.ip,
        })
        .execute(conn)?;
    Ok(())
}

/// The newest events first; `before` pages backwards by id.
pub fn list_events(
    conn: &mut DbConnection,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StorageError> {
    let mut query = audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    Ok(query
        .load(conn)?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

/// Events with a given action (tests and the admin filter).
pub fn list_by_action(
    conn: &mut DbConnection,
    action: &str,
) -> Result<Vec<AuditEvent>, StorageError> {
    Ok(audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select(AuditRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

/// Who is making a change, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Account id, or `None` for the command line and the system.
    pub id: Option<&'a str>,
    /// Username, `cli` or `system`.
    pub name: &'a str,
    /// Client address, if over the web.
    pub ip: Option<&'a str>,
}

impl Actor<'_> {
    /// Append an audit event by this actor (call inside the transaction of the change); an empty
    /// `target` or `detail` is stored as none.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), StorageError> {
        insert_event(
            conn,
            &NewAuditEvent {
                actor_id: self.id,
                actor_name: self.name,
                action,
                target: (!target.is_empty()).then_some(target),
                detail: (!detail.is_empty()).then_some(detail),
                ip: self.ip,
            },
        )
    }

    /// The command line, run by whoever has shell access.
    pub const CLI: Actor<'static> = Actor {
        id: None,
        name: "cli",
        ip: None,
    };
    /// Insikt itself (first start).
    pub const SYSTEM: Actor<'static> = Actor {
        id: None,
        name: "system",
        ip: None,
    };
}
