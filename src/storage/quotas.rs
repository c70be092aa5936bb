//! Quota cell counts, read-only: the respondent pages' early check. The writer
//! (`responses::store_batch`) updates the counts in the submitting transaction and has the
//! final word.

use diesel::prelude::*;

use super::schema::quota_counts;
use super::{DbConnection, StorageError};

/// How many stored responses fall in a quota's cell (0 when none has yet).
pub fn count(
    conn: &mut DbConnection,
    survey_id: &str,
    quota: &str,
    cell: &str,
) -> Result<i64, StorageError> {
    Ok(quota_counts::table
        .find((survey_id, quota, cell))
        .select(quota_counts::count)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
