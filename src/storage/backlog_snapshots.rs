//! Published backlog snapshots: insert once, read by id or newest first. The content is the
//! use case's JSON; this module only stores it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::backlog_snapshots;
use super::{now, DbConnection, StorageError};

/// A stored snapshot.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = backlog_snapshots)]
pub struct StoredSnapshot {
    /// Row id.
    pub id: String,
    /// Who published it.
    pub published_by: String,
    /// When (UTC).
    pub published_at: PrimitiveDateTime,
    /// The bootstrap seed (also inside the content; a column for listing).
    pub seed: i64,
    /// The frozen ranking with its inputs, as JSON.
    pub content: String,
    /// The preset the ranking's weights came from (`None`: weights given directly, or a snapshot
    /// published before presets existed).
    pub preset_name: Option<String>,
}

/// Store a snapshot and return its id.
pub fn insert(
    conn: &mut DbConnection,
    published_by: &str,
    seed: u64,
    preset_name: Option<&str>,
    content: &str,
) -> Result<String, StorageError> {
    let row = StoredSnapshot {
        id: uuid::Uuid::now_v7().to_string(),
        published_by: published_by.to_owned(),
        published_at: now(),
        seed: i64::try_from(seed)
            .map_err(|e| StorageError::Corrupt(format!("snapshot seed: {e}")))?,
        content: content.to_owned(),
        preset_name: preset_name.map(str::to_owned),
    };
    diesel::insert_into(backlog_snapshots::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

/// The snapshot with `id`.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<StoredSnapshot>, StorageError> {
    Ok(backlog_snapshots::table
        .find(id)
        .select(StoredSnapshot::as_select())
        .first(conn)
        .optional()?)
}

/// The newest snapshot (what `/backlog` opens on).
pub fn latest(conn: &mut DbConnection) -> Result<Option<StoredSnapshot>, StorageError> {
    Ok(backlog_snapshots::table
        .order((
            backlog_snapshots::published_at.desc(),
            backlog_snapshots::id.desc(),
        ))
        .select(StoredSnapshot::as_select())
        .first(conn)
        .optional()?)
}

/// Every snapshot, newest first (ids are time-ordered UUIDv7, the tie-break within a second).
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredSnapshot>, StorageError> {
    Ok(backlog_snapshots::table
        .order((
            backlog_snapshots::published_at.desc(),
            backlog_snapshots::id.desc(),
        ))
        .select(StoredSnapshot::as_select())
        .load(conn)?)
}
