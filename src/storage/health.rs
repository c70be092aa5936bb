//! A database round trip for `/healthz`.

use diesel::connection::SimpleConnection;

use super::{DbConnection, StorageError};

/// Succeeds when the database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> Result<(), StorageError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}
