//! Whether this instance can serve: the database answers.

use crate::storage::{self, DbConnection, StorageError};

/// Succeeds when the database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> Result<(), StorageError> {
    storage::health::ping(conn)
}
