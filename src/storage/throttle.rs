//! Failed-login counters per key (`pair:<address>|<name>`, `ip:<address>`, `user:<name>`; the
//! policy is in `auth::login`), kept in the database so that every instance behind a load
//! balancer sees the same counts.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::rows::ThrottleRow;
use super::schema::login_throttle;
use super::{now, DbConnection, StorageError};

/// The counter row of `key`, if any.
fn row(conn: &mut DbConnection, key: &str) -> Result<Option<ThrottleRow>, StorageError> {
    Ok(login_throttle::table
        .find(key)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()?)
}

/// When the key may try again, if it is locked now.
pub fn locked_until(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<PrimitiveDateTime>, StorageError> {
    let at = now();
    Ok(row(conn, key)?
        .and_then(|r| r.locked_until)
        .filter(|until| *until > at))
}

/// Failures counted for `key` within the last `forget_after` (0 when none or forgotten).
pub fn recent_failures(
    conn: &mut DbConnection,
    key: &str,
    forget_after: Duration,
) -> Result<i32, StorageError> {
    let at = now();
    Ok(row(conn, key)?
        .filter(|r| r.updated_at + forget_after > at)
        .map_or(0, |r| r.failures))
}

/// Count one failure for `key`; once `free_failures` is reached, lock the key for
/// `base × 2^(failures − free_failures)`, capped at `max` (exponential back-off).
/// Counters older than `forget_after` start again from zero.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    free_failures: i32,
    base: Duration,
    max: Duration,
    forget_after: Duration,
) -> Result<(), StorageError> {
    conn.transaction(|conn| {
        let at = now();
        let previous = row(conn, key)?;
        let failures = match &previous {
            Some(row) if row.updated_at + forget_after > at => row.failures.saturating_add(1),
            _ => 1,
        };
        let locked_until = (failures >= free_failures).then(|| {
            let exponent = (failures - free_failures).clamp(0, 20) as u32;
            let lock = base * 2_i32.pow(exponent);
            at + if lock > max { max } else { lock }
        });
        let row = ThrottleRow {
            key: key.to_owned(),
            failures,
            locked_until,
            updated_at: at,
        };
        if previous.is_some() {
            diesel::update(login_throttle::table.find(key))
                .set((
                    login_throttle::failures.eq(row.failures),
                    login_throttle::locked_until.eq(row.locked_until),
                    login_throttle::updated_at.eq(row.updated_at),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(login_throttle::table)
                .values(&row)
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Forget the failures of `key` (after a successful login).
pub fn clear(conn: &mut DbConnection, key: &str) -> Result<(), StorageError> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}
