//! Staff accounts.

use diesel::prelude::*;

use super::rows::UserRow;
use super::schema::{sessions, users};
use super::{now, DbConnection, StorageError};
use crate::domain::user::{DisplayName, Role, User, Username};

impl TryFrom<UserRow> for User {
    type Error = StorageError;

    fn try_from(row: UserRow) -> Result<User, StorageError> {
        Ok(User {
            role: Role::parse(&row.role)
                .map_err(|e| StorageError::Corrupt(format!("user {}: {e}", row.id)))?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            disabled: row.disabled,
        })
    }
}

/// Insert a new account; `Conflict` when the username is taken.
pub fn insert_user(
    conn: &mut DbConnection,
    username: &Username,
    display_name: &DisplayName,
    role: Role,
    password_hash: &str,
) -> Result<User, StorageError> {
    let at = now();
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        role: role.as_str().to_owned(),
        password_hash: password_hash.to_owned(),
        disabled: false,
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    User::try_from(row)
}

/// How many accounts exist (first start creates an admin when there are none).
pub fn count_users(conn: &mut DbConnection) -> Result<i64, StorageError> {
    Ok(users::table.count().get_result(conn)?)
}

/// All accounts, by username.
pub fn list_users(conn: &mut DbConnection) -> Result<Vec<User>, StorageError> {
    users::table
        .order(users::username.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// One account by id.
pub fn find_user(conn: &mut DbConnection, id: &str) -> Result<Option<User>, StorageError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// One account by username, with its password hash (for login only).
pub fn find_credentials(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<(User, String)>, StorageError> {
    let row = users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => {
            let hash = row.password_hash.clone();
            Ok(Some((User::try_from(row)?, hash)))
        }
        None => Ok(None),
    }
}

/// Change a role; returns the account before the change, or `None` if it does not exist.
pub fn update_role(
    conn: &mut DbConnection,
    id: &str,
    role: Role,
) -> Result<Option<User>, StorageError> {
    conn.transaction(|conn| {
        let Some(before) = find_user(conn, id)? else {
            return Ok(None);
        };
        diesel::update(users::table.find(id))
            .set((users::role.eq(role.as_str()), users::updated_at.eq(now())))
            .execute(conn)?;
        Ok(Some(before))
    })
}

/// Disable or re-enable an account. Disabling also deletes every open session of the account,
/// so the person is out at their next request, not at their session's expiry.
pub fn set_disabled(
    conn: &mut DbConnection,
    id: &str,
    disabled: bool,
) -> Result<Option<User>, StorageError> {
    conn.transaction(|conn| {
        let Some(before) = find_user(conn, id)? else {
            return Ok(None);
        };
        diesel::update(users::table.find(id))
            .set((users::disabled.eq(disabled), users::updated_at.eq(now())))
            .execute(conn)?;
        if disabled {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
        }
        Ok(Some(before))
    })
}

/// Replace the password hash and end all sessions of the account.
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
) -> Result<bool, StorageError> {
    conn.transaction(|conn| {
        let n = diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
        Ok(n == 1)
    })
}
