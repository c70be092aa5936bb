//! One connection type over SQLite and PostgreSQL, chosen at runtime from the database URL,
//! pooled with r2d2 and used off the async executor.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::Connection;

use super::StorageError;

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("enable at least one of the features `sqlite` and `postgres`");

/// The connection every repository function takes. Both variants run the same diesel queries;
/// backend-specific SQL matches on the variant with both arms side by side.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for several instances behind a load balancer.
    #[cfg(feature = "postgres")]
    Pg(diesel::PgConnection),
    /// Embedded SQLite, the default.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL names. Parsing is explicit so that a PostgreSQL URL can never be
/// mistaken for a SQLite file name (diesel's own `establish` on the enum would try both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres(String),
    /// `sqlite://path`, `sqlite:path` or a plain path.
    Sqlite(String),
}

/// A database URL that this build cannot use.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// PostgreSQL URL, but the binary was built without `--features postgres`.
    #[error("DATABASE_URL names PostgreSQL, but this build of Insikt has no PostgreSQL support; rebuild with `--features postgres`")]
    PostgresNotBuilt,
    /// SQLite path, but the binary was built without the `sqlite` feature.
    #[error("DATABASE_URL names a SQLite file, but this build of Insikt has no SQLite support")]
    SqliteNotBuilt,
    /// Empty URL.
    #[error("DATABASE_URL is empty")]
    Empty,
}

impl Backend {
    /// Classify a database URL and check that this build supports it.
    pub fn from_url(url: &str) -> Result<Backend, BackendError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(BackendError::Empty);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if cfg!(feature = "postgres") {
                return Ok(Backend::Postgres(url.to_owned()));
            }
            return Err(BackendError::PostgresNotBuilt);
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if cfg!(feature = "sqlite") {
            Ok(Backend::Sqlite(path.to_owned()))
        } else {
            Err(BackendError::SqliteNotBuilt)
        }
    }

    /// A short name for logs and `/healthz`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgresql",
            Backend::Sqlite(_) => "sqlite",
        }
    }
}

/// r2d2 manager that opens the variant the URL named and applies per-connection settings.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
}

impl Manager {
    fn open(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres(url) => Ok(DbConnection::Pg(diesel::PgConnection::establish(url)?)),
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // WAL lets readers run beside the single writer; FULL makes every commit durable
                // before we answer (a respondent's receipt must survive a power cut); the busy
                // timeout turns writer contention into a short wait instead of an error.
                // secure_delete zeroes deleted rows in the file, so a deleted draft or session
                // does not linger in the database file (and its copies and backups).
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA secure_delete = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres(_) => Err(diesel::ConnectionError::BadConnection(
                BackendError::PostgresNotBuilt.to_string(),
            )),
            #[cfg(not(feature = "sqlite"))]
            Backend::Sqlite(_) => Err(diesel::ConnectionError::BadConnection(
                BackendError::SqliteNotBuilt.to_string(),
            )),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A pooled connection.
pub type PooledConn = PooledConnection<Manager>;

/// The handle the web layer holds: a pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend.name())
            .finish()
    }
}

impl Db {
    /// Build a pool. SQLite gets a small pool (one writer at a time anyway); PostgreSQL a larger one.
    pub fn connect(backend: Backend, max_size: Option<u32>) -> Result<Db, StorageError> {
        let default_size = match backend {
            Backend::Sqlite(_) => 8,
            Backend::Postgres(_) => 16,
        };
        let manager = Manager {
            backend: backend.clone(),
        };
        // Open one connection eagerly so a wrong URL fails at startup with the driver's message.
        let mut probe = manager.open()?;
        probe
            .batch_execute("SELECT 1")
            .map_err(StorageError::Query)?;
        drop(probe);
        let pool = Pool::builder()
            .max_size(max_size.unwrap_or(default_size))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        Ok(Db { pool, backend })
    }

    /// Which backend this pool talks to.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Take a connection synchronously (CLI commands and startup).
    pub fn get(&self) -> Result<PooledConn, StorageError> {
        Ok(self.pool.get()?)
    }

    /// Run `f` with a pooled connection on the blocking thread pool, inside the caller's span,
    /// so that diesel never blocks the async executor.
    pub async fn run<F, T>(&self, f: F) -> Result<T, StorageError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Blocking(e.to_string()))?
    }
}
