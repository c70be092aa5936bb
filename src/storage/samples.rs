//! Samples drawn from a sampling frame: the seed, the frame's fingerprint and the allocation
//! table, so a draw can be reproduced and the analysis knows each stratum's population size.
//! The frame itself is never stored.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::samples;
use super::{now, DbConnection, StorageError};

/// A sample to store.
#[derive(Debug, Clone)]
pub struct NewSample<'a> {
    /// The survey it invites to.
    pub survey_id: &'a str,
    /// The frame's file name.
    pub frame_name: &'a str,
    /// Rows in the frame.
    pub frame_rows: i64,
    /// SHA-256 of the frame's bytes (hex).
    pub frame_sha256: &'a str,
    /// Stratification columns (JSON array).
    pub strata: &'a str,
    /// Allocation label, e.g. `proportional n=500`.
    pub allocation: &'a str,
    /// The seed (a u64 stored bit for bit).
    pub seed: i64,
    /// Allocation table (JSON: stratum, population, sample, probability).
    pub plan: &'a str,
    /// Account that drew it (`None`: the command line).
    pub created_by: Option<&'a str>,
}

/// A stored sample.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = samples)]
pub struct SampleRecord {
    /// Row id.
    pub id: String,
    /// The survey.
    pub survey_id: String,
    /// Frame file name.
    pub frame_name: String,
    /// Rows in the frame.
    pub frame_rows: i64,
    /// SHA-256 of the frame.
    pub frame_sha256: String,
    /// Stratification columns (JSON).
    pub strata: String,
    /// Allocation label.
    pub allocation: String,
    /// Seed (bit-cast u64).
    pub seed: i64,
    /// Allocation table (JSON).
    pub plan: String,
    /// Who drew it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = samples)]
struct SampleRow<'a> {
    id: &'a str,
    survey_id: &'a str,
    frame_name: &'a str,
    frame_rows: i64,
    frame_sha256: &'a str,
    strata: &'a str,
    allocation: &'a str,
    seed: i64,
    plan: &'a str,
    created_by: Option<&'a str>,
    created_at: PrimitiveDateTime,
}

/// Insert a sample and return its id (call inside the transaction that adds its invitations).
pub fn insert(conn: &mut DbConnection, s: &NewSample<'_>) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(samples::table)
        .values(&SampleRow {
            id: &id,
            survey_id: s.survey_id,
            frame_name: s.frame_name,
            frame_rows: s.frame_rows,
            frame_sha256: s.frame_sha256,
            strata: s.strata,
            allocation: s.allocation,
            seed: s.seed,
            plan: s.plan,
            created_by: s.created_by,
            created_at: now(),
        })
        .execute(conn)?;
    Ok(id)
}

/// One sample by id.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<SampleRecord>, StorageError> {
    Ok(samples::table
        .find(id)
        .select(SampleRecord::as_select())
        .first(conn)
        .optional()?)
}

/// A survey's samples, newest first.
pub fn for_survey(
    conn: &mut DbConnection,
    survey_id: &str,
) -> Result<Vec<SampleRecord>, StorageError> {
    Ok(samples::table
        .filter(samples::survey_id.eq(survey_id))
        .order((samples::created_at.desc(), samples::id.asc()))
        .select(SampleRecord::as_select())
        .load(conn)?)
}
