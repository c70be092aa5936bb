//! Instance-wide key/value settings that every instance must share (e.g. the generated
//! secret key when none is configured).

use diesel::prelude::*;

use super::schema::app_meta;
use super::{DbConnection, StorageError};

/// Read a value.
pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, StorageError> {
    Ok(app_meta::table
        .find(key)
        .select(app_meta::value)
        .first(conn)
        .optional()?)
}

/// Read a value, or store `make()` if there is none yet. Call under the instance lock when
/// several instances may start at once.
pub fn get_or_insert_with(
    conn: &mut DbConnection,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String, StorageError> {
    if let Some(v) = get(conn, key)? {
        return Ok(v);
    }
    let value = make();
    diesel::insert_into(app_meta::table)
        .values((app_meta::key.eq(key), app_meta::value.eq(&value)))
        .execute(conn)?;
    Ok(value)
}
