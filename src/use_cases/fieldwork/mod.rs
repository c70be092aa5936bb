//! Reaching respondents: parse and check a sampling frame, draw a reproducible stratified sample
//! (the statistics are `analysis::sampling`), turn a sample or a plain list into single-use
//! invitations, and gather what a printed letter needs. Shared by the web pages and the
//! `insikt sample` / `insikt invitations` commands.
//!
//! The frame itself is never stored (data minimisation): only the drawn units become
//! invitations, and the sample row keeps the frame's name, row count and SHA-256 so a draw can
//! be reproduced from the same file and seed.

mod draw;
mod export;
mod frame;
mod letters;
mod lists;

use std::collections::BTreeMap;

pub use self::draw::{
    draw_and_store, draw_sample, sha256_hex, store_sample, AllocationSpec, DrawOutcome, DrawSpec,
    DrawnSample, DrawnUnit,
};
pub use self::export::{neutralise, sample_csv, SAMPLE_CSV_HEADER};
pub use self::frame::{Echoed, FrameError, MAX_FRAME_ROWS};
pub use self::letters::{letters, letters_page, wants_letter, LetterPage, PER_PAGE};
pub use self::lists::{
    import_list, parse_list, sample_contacts, store_list, Contact, ContactColumns,
};
use crate::domain::lang::Msg;
pub use crate::domain::sampling::StratumPlan;
use crate::domain::survey::Text;
pub use crate::formats::letters::{qr, Letter, LetterSurvey, Letters, Qr};
pub use crate::storage::fieldwork::FieldworkCounts;
use crate::storage::samples::SampleRecord;
use crate::storage::{self, DbConnection, StorageError};

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Its name as the browser sent it (for messages).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Why storing a sample or list failed.
#[derive(Debug, thiserror::Error)]
pub enum FieldworkError {
    /// No survey with that key.
    #[error("no survey '{0}'")]
    SurveyNotFound(String),
    /// No such sample for this survey.
    #[error("no sample '{0}' in this survey")]
    SampleNotFound(String),
    /// The file was refused.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The database.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl FieldworkError {
    /// What a researcher reads when a file was refused (`None`: not the file's fault).
    pub fn refusal(&self) -> Option<Msg> {
        match self {
            FieldworkError::Frame(f) => Some(f.message()),
            _ => None,
        }
    }
}

/// A stored sample or list, for the result page.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The sample's id (`None` for a plain list).
    pub sample_id: Option<String>,
    /// Invitations created.
    pub invitations: usize,
}

/// A sample's stored plan, read back.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    /// The row.
    pub record: SampleRecord,
    /// Its allocation table.
    pub plan: Vec<StratumPlan>,
}

/// Parse a stored sample's plan JSON.
pub fn summarize(record: SampleRecord) -> SampleSummary {
    let plan = serde_json::from_str(&record.plan).unwrap_or_default();
    SampleSummary { record, plan }
}
pub(crate) fn survey_id_of(conn: &mut DbConnection, key: &str) -> Result<String, FieldworkError> {
    Ok(storage::surveys::find_survey(conn, key)?
        .ok_or_else(|| FieldworkError::SurveyNotFound(key.into()))?
        .id)
}
/// The samples drawn for a survey, newest first.
pub fn samples(
    conn: &mut DbConnection,
    survey_key: &str,
) -> Result<Vec<SampleSummary>, FieldworkError> {
    let survey_id = survey_id_of(conn, survey_key)?;
    Ok(storage::samples::for_survey(conn, &survey_id)?
        .into_iter()
        .map(summarize)
        .collect())
}
/// What the fieldwork page shows.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Survey key.
    pub key: String,
    /// Title of the newest version.
    pub title: Text,
    /// The counts.
    pub counts: FieldworkCounts,
    /// Samples drawn, newest first.
    pub samples: Vec<SampleSummary>,
}

/// Gather the fieldwork page.
pub fn overview(conn: &mut DbConnection, survey_key: &str) -> Result<Overview, FieldworkError> {
    let record = storage::surveys::find_survey(conn, survey_key)?
        .ok_or_else(|| FieldworkError::SurveyNotFound(survey_key.into()))?;
    let title = storage::surveys::list_versions(conn, &record.id)?
        .pop()
        .map(|v| v.survey.title)
        .unwrap_or_default();
    Ok(Overview {
        key: record.key,
        title,
        counts: storage::fieldwork::counts(conn, &record.id)?,
        samples: storage::samples::for_survey(conn, &record.id)?
            .into_iter()
            .map(summarize)
            .collect(),
    })
}

/// A unit's stratum key → N_h, from a stored plan (for the finite-population correction).
pub fn population_by_stratum(plan: &[StratumPlan]) -> BTreeMap<String, usize> {
    plan.iter()
        .map(|p| (p.stratum.clone(), p.population))
        .collect()
}
