//! Embedded migrations per backend, run at startup and by `insikt migrate`. On PostgreSQL an
//! advisory lock makes concurrent starts of several instances run them exactly once.

#[cfg(feature = "postgres")]
use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use super::{DbConnection, StorageError};

#[cfg(feature = "sqlite")]
const SQLITE: EmbeddedMigrations = diesel_migrations::embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES: EmbeddedMigrations = diesel_migrations::embed_migrations!("migrations/postgres");

/// Arbitrary but fixed key for `pg_advisory_lock`: "INSIKT" in ASCII.
#[cfg(feature = "postgres")]
const MIGRATION_LOCK_KEY: i64 = 0x494E_5349_4B54;

/// Apply every pending migration; returns the versions applied now (empty when up to date).
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    with_instance_lock(conn, |conn| {
        let applied = match conn {
            #[cfg(feature = "postgres")]
            DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES).map(versions),
            #[cfg(feature = "sqlite")]
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(versions),
        };
        applied.map_err(|e| StorageError::Migration(e.to_string()))
    })
}

fn versions(v: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|v| v.to_string()).collect()
}

/// Run `f` while holding the instance-wide lock: a PostgreSQL session advisory lock, so that
/// two instances starting at the same moment serialise their migrations and first-start
/// seeding. SQLite serialises writers by itself (`BEGIN IMMEDIATE` inside the harness).
pub fn with_instance_lock<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = f(conn);
            let unlock =
                conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
            let value = result?;
            unlock?;
            Ok(value)
        }
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(_) => f(conn),
    }
}

/// Versions recorded as applied (operators and the scale-out test check these).
pub fn applied_versions(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    let versions = match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => c.applied_migrations().map(versions),
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => c.applied_migrations().map(versions),
    };
    versions.map_err(|e| StorageError::Migration(e.to_string()))
}
