//! The read side around answering: the surveys open on the start page and for interviewers,
//! an interviewer's phone list, staff receipt lookups, and the audit trail of staff entry.

use super::LoadedSurvey;
use crate::domain::options::Openness;
use crate::domain::response::{answers_from_cells, Mode};
use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::Survey;
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

pub use crate::storage::responses::StoredResponse;
pub use crate::storage::surveys::SurveySummary;

/// Published surveys open now.
fn open_now(conn: &mut DbConnection) -> Result<Vec<SurveySummary>, StorageError> {
    let now = time::OffsetDateTime::now_utc();
    Ok(storage::surveys::list_surveys(conn)?
        .into_iter()
        .filter(|s| s.published.is_some() && s.survey.options.openness(now) == Openness::Open)
        .collect())
}

/// The surveys the public start page lists: published, open, and marked as listed.
pub fn open_surveys(conn: &mut DbConnection) -> Result<Vec<SurveySummary>, StorageError> {
    Ok(open_now(conn)?
        .into_iter()
        .filter(|s| s.survey.options.listed)
        .collect())
}

/// The keys of the surveys open for interviewer entry (listed or not).
pub fn entry_survey_keys(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    Ok(open_now(conn)?.into_iter().map(|s| s.survey.key).collect())
}

/// An interviewer's work list: the sampled people with a phone number and no completed response.
pub fn phone_work_list(
    conn: &mut DbConnection,
    survey_id: &str,
) -> Result<Vec<super::Invitation>, StorageError> {
    storage::invitations::to_phone(conn, survey_id)
}

/// The response with receipt `number` (canonical form), its instrument and its answers. Every
/// lookup is audited: it reveals personal data.
pub fn find_receipt(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    number: &str,
) -> Result<Option<(StoredResponse, Survey, AnswerMap)>, StorageError> {
    let Some(resp) = storage::responses::find_by_receipt(conn, number)? else {
        return Ok(None);
    };
    let version = storage::surveys::find_version_by_id(conn, &resp.version_id)?;
    actor.record(conn, "response.viewed", number, "")?;
    Ok(version.map(|v| {
        let answers = answers_from_cells(&v.survey, &resp.cells);
        (resp, v.survey, answers)
    }))
}

/// The interviewer of a phone or paper entry goes to the audit log, never into the response:
/// survey, mode and (unless the survey is anonymous) the receipt, so a paper form can be
/// matched to its entry.
pub fn record_entry(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    s: &LoadedSurvey,
    mode: Mode,
    receipt: &str,
) -> Result<(), StorageError> {
    let mut detail = format!("survey={} mode={}", s.survey.key, mode.as_str());
    if !s.options.anonymous {
        detail.push_str(&format!(" receipt={receipt}"));
    }
    actor.record(conn, "response.entered", &s.survey.key, &detail)
}
