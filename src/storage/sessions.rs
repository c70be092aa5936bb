//! Server-side sessions. Only a SHA-256 of the session id is stored, so a copy of the
//! database does not hand out live sessions.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::rows::{SessionRow, UserRow};
use super::schema::{sessions, users};
use super::{now, DbConnection, StorageError};
use crate::domain::user::User;

/// Store a new session for `user_id`, valid until `expires_at` (the absolute limit).
pub fn insert_session(
    conn: &mut DbConnection,
    id_hash: &str,
    user_id: &str,
    expires_at: PrimitiveDateTime,
) -> Result<(), StorageError> {
    let at = now();
    diesel::insert_into(sessions::table)
        .values(&SessionRow {
            id_hash: id_hash.to_owned(),
            user_id: user_id.to_owned(),
            created_at: at,
            last_seen_at: at,
            expires_at,
        })
        .execute(conn)?;
    Ok(())
}

/// The user behind a live session, touching `last_seen_at` at most once per `touch_every`
/// (a write on every request would serialise all staff traffic on SQLite for no gain).
///
/// A session is live when it is not past its absolute expiry, was used within `idle`, and
/// its account is not disabled. A dead session is deleted on sight.
pub fn find_live_session(
    conn: &mut DbConnection,
    id_hash: &str,
    idle: Duration,
    touch_every: Duration,
) -> Result<Option<User>, StorageError> {
    let found: Option<(SessionRow, UserRow)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id_hash.eq(id_hash))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((session, user)) = found else {
        return Ok(None);
    };
    let at = now();
    if session.expires_at <= at || session.last_seen_at + idle <= at || user.disabled {
        delete_session(conn, id_hash)?;
        return Ok(None);
    }
    if session.last_seen_at + touch_every <= at {
        diesel::update(sessions::table.find(id_hash))
            .set(sessions::last_seen_at.eq(at))
            .execute(conn)?;
    }
    Ok(Some(User::try_from(user)?))
}

/// End one session (logout, rotation at login).
pub fn delete_session(conn: &mut DbConnection, id_hash: &str) -> Result<(), StorageError> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)?;
    Ok(())
}

/// Remove sessions past their absolute expiry or idle limit; returns how many.
pub fn delete_expired(conn: &mut DbConnection, idle: Duration) -> Result<usize, StorageError> {
    let at = now();
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(at)
                .or(sessions::last_seen_at.le(at - idle)),
        ),
    )
    .execute(conn)?)
}
