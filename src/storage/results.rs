//! What the results pages read besides the answers: the stamp that says whether a version's
//! cached columns are still current, and completed-response counts per version (for the
//! results index). The rows and answers themselves:
//! `responses::rows_for_version`, `packed::each_packed`.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::responses;
use super::{DbConnection, StorageError};

/// A cheap summary of a version's responses: when it changes, cached results are stale.
/// Extend it (another field, one more aggregate below) when something else changes the set of
/// responses results are computed from, e.g. exclusions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsStamp {
    /// Completed responses to the version.
    pub responses: i64,
    /// The newest submission time.
    pub last_submitted: Option<PrimitiveDateTime>,
    /// Changes on every exclusion and re-inclusion (`responses::exclusion_stamp`).
    pub exclusions: i64,
}

/// The stamp of `version_id`'s responses: one aggregate query over an indexed column.
pub fn results_stamp(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<ResultsStamp, StorageError> {
    let (count, last): (i64, Option<PrimitiveDateTime>) = responses::table
        .filter(responses::version_id.eq(version_id))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(responses::submitted_at),
        ))
        .first(conn)?;
    Ok(ResultsStamp {
        responses: count,
        last_submitted: last,
        exclusions: super::responses::exclusion_stamp(conn, version_id)?,
    })
}

/// Completed responses per version id, in one query; versions without any are absent.
pub fn counts_by_version(conn: &mut DbConnection) -> Result<HashMap<String, i64>, StorageError> {
    Ok(responses::table
        .group_by(responses::version_id)
        .select((responses::version_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}
