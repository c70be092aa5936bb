//! Persistence: the only module that imports diesel. Repository functions are plain sync
//! `fn(&mut DbConnection, …) -> Result<_, StorageError>`; async callers go through [`Db::run`].

/// A multi-row INSERT of `rows` into `table`, `per` rows per statement (SQLite allows 32,766
/// bound variables per statement); evaluates to the number of rows inserted. Diesel's
/// MultiConnection cannot express multi-row INSERTs, so each arm uses its concrete connection.
macro_rules! insert_chunked {
    ($conn:expr, $table:expr, $rows:expr, $per:expr) => {{
        let mut inserted = 0usize;
        for chunk in $rows.chunks($per) {
            inserted += match $conn {
                #[cfg(feature = "postgres")]
                $crate::storage::DbConnection::Pg(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
                #[cfg(feature = "sqlite")]
                $crate::storage::DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
            };
        }
        inserted
    }};
}

pub mod audit;
pub mod backlog;
pub mod backlog_followup;
pub mod backlog_presets;
pub mod backlog_snapshots;
pub mod deliveries;
pub mod fieldwork;
pub mod health;
pub mod invitations;
pub mod meta;
pub mod migrate;
pub mod packed;
pub mod pool;
pub mod population;
pub mod quotas;
pub mod responses;
pub mod results;
mod rows;
pub mod samples;
pub mod schema;
pub mod sessions;
pub mod surveys;
pub mod throttle;
pub mod users;

pub use pool::{Backend, Db, DbConnection};

use time::{OffsetDateTime, PrimitiveDateTime};

/// Everything that can go wrong below the web edge when talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique constraint refused the write (e.g. a username that is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be turned back into a domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error(transparent)]
    Query(diesel::result::Error),
    /// The pool could not hand out a connection in time.
    #[error("database connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Opening a connection failed.
    #[error("database connection: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// Running migrations failed.
    #[error("migrations: {0}")]
    Migration(String),
    /// The blocking task running the query was cancelled or panicked.
    #[error("database task did not finish: {0}")]
    Blocking(String),
}

impl From<diesel::result::Error> for StorageError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StorageError::Conflict(info.message().to_owned())
            }
            other => StorageError::Query(other),
        }
    }
}

/// Current UTC time as stored in every `TIMESTAMP` column (second-resolution is not enough for
/// session ordering, so microseconds are kept).
pub fn now() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    PrimitiveDateTime::new(now.date(), now.time())
}

/// Run `f` in a transaction with the caller's own error type (rolls back on `Err`).
pub fn transaction<T, E: From<StorageError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::Connection;
    // diesel needs an error that can hold its own errors; wrap ours and unwrap afterwards.
    enum Wrapped<E> {
        Db(diesel::result::Error),
        App(E),
    }
    impl<E> From<diesel::result::Error> for Wrapped<E> {
        fn from(e: diesel::result::Error) -> Self {
            Wrapped::Db(e)
        }
    }
    match conn.transaction::<T, Wrapped<E>, _>(|c| f(c).map_err(Wrapped::App)) {
        Ok(v) => Ok(v),
        Err(Wrapped::App(e)) => Err(e),
        Err(Wrapped::Db(e)) => Err(E::from(StorageError::from(e))),
    }
}

/// Create an empty PostgreSQL database next to the one `admin_url` names and return its URL.
/// Tests use this so that each owns its database; scale-out tests share one.
#[cfg(feature = "postgres")]
pub fn create_scratch_database(admin_url: &str, name: &str) -> Result<String, StorageError> {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut admin = diesel::PgConnection::establish(admin_url)?;
    admin.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(head, _)| head)
        .unwrap_or(admin_url);
    Ok(format!("{base}/{name}"))
}

/// Drop a database made by [`create_scratch_database`] (best effort, ends open connections).
#[cfg(feature = "postgres")]
pub fn drop_scratch_database(admin_url: &str, name: &str) -> Result<(), StorageError> {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut admin = diesel::PgConnection::establish(admin_url)?;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
    Ok(())
}
