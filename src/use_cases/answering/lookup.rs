//! The read side around answering: the surveys open on the start page and for interviewers,
//! an interviewer's phone list, staff receipt lookups, and the audit trail of staff entry.

use time::PrimitiveDateTime;

use super::LoadedSurvey;
use crate::domain::lang::Msg;
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

/// What a receipt lookup found.
#[derive(Debug)]
pub enum ReceiptLookup {
    /// The response, its version's instrument and its answers.
    Found(Box<(StoredResponse, Survey, AnswerMap)>),
    /// The response was erased at the respondent's request, at this time (UTC).
    Erased(PrimitiveDateTime),
    /// No response has (or had) that receipt number.
    Missing,
}

/// The response with receipt `number` (canonical form), its instrument and its answers, or when
/// it was erased. Every lookup that shows answers is audited: it reveals personal data.
pub fn find_receipt(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    number: &str,
) -> Result<ReceiptLookup, StorageError> {
    let Some(resp) = storage::responses::find_by_receipt(conn, number)? else {
        return Ok(match storage::responses::find_erasure(conn, number)? {
            Some(at) => ReceiptLookup::Erased(at),
            None => ReceiptLookup::Missing,
        });
    };
    let Some(version) = storage::surveys::find_version_by_id(conn, &resp.version_id)? else {
        return Ok(ReceiptLookup::Missing);
    };
    actor.record(conn, "response.viewed", number, "")?;
    let answers = answers_from_cells(&version.survey, &resp.cells);
    Ok(ReceiptLookup::Found(Box::new((
        resp,
        version.survey,
        answers,
    ))))
}

/// Why staff erase a response, as they wrote it for the audit log: required, bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureReason(String);

/// The longest reason kept (the audit log is not a case file).
pub const MAX_REASON_CHARS: usize = 500;

impl ErasureReason {
    /// A reason from the form: trimmed, not empty, at most [`MAX_REASON_CHARS`] characters.
    pub fn parse(text: &str) -> Result<ErasureReason, EraseError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(EraseError::ReasonMissing);
        }
        if t.chars().count() > MAX_REASON_CHARS {
            return Err(EraseError::ReasonTooLong);
        }
        Ok(ErasureReason(
            t.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a response could not be erased.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    /// The form gave no reason.
    #[error("a reason for the erasure is required")]
    ReasonMissing,
    /// The reason is longer than the audit log keeps.
    #[error("the reason is longer than {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    /// No response has that receipt (and none was erased under it).
    #[error("no response has receipt {0}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl EraseError {
    /// What staff read.
    pub fn message(&self) -> Msg {
        match self {
            EraseError::ReasonMissing => Msg::fixed(
                "Skriv varför svaret raderas, till exempel \"den svarande bad om det per telefon\".",
                "Write why the response is erased, for example \"the respondent asked by phone\".",
            ),
            EraseError::ReasonTooLong => Msg::new(
                format!("Skriv skälet med högst {MAX_REASON_CHARS} tecken."),
                format!("Write the reason in at most {MAX_REASON_CHARS} characters."),
            ),
            EraseError::NotFound(n) => Msg::new(
                format!("Inget svar har kvittonumret {n}."),
                format!("No response has receipt number {n}."),
            ),
            EraseError::Storage(_) => Msg::fixed(
                "Svaret kunde inte raderas. Försök igen.",
                "The response could not be erased. Please try again.",
            ),
        }
    }
}

/// Erase the response with receipt `number` (canonical form) at the respondent's request: its
/// answers, any draft of the attempt, its share of the quota counts and the response itself, in
/// one transaction with the audit event (who, the receipt, the survey and the reason, never
/// the answers). Erasing a receipt already erased changes nothing and succeeds, so a repeated
/// click is harmless.
pub fn erase_response(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    number: &str,
    reason: &ErasureReason,
) -> Result<(), EraseError> {
    let Some(resp) = storage::responses::find_by_receipt(conn, number)? else {
        return match storage::responses::find_erasure(conn, number)? {
            Some(_) => Ok(()),
            None => Err(EraseError::NotFound(number.to_owned())),
        };
    };
    let version = storage::surveys::find_version_by_id(conn, &resp.version_id)?
        .ok_or_else(|| EraseError::NotFound(number.to_owned()))?;
    let key = version.survey.key.clone();
    let options = storage::surveys::find_survey(conn, &key)?
        .map(|r| r.options)
        .unwrap_or_default();
    let answers = answers_from_cells(&version.survey, &resp.cells);
    let cells: Vec<(String, String)> = crate::domain::quota::cells(&options.quotas, &answers)
        .into_iter()
        .map(|(quota, cell, _)| (quota, cell))
        .collect();
    let detail = format!("survey={key} reason={}", reason.as_str());
    // `None` here means someone else erased it between the lookup and the transaction: the
    // respondent's request is met either way.
    storage::responses::erase_response(conn, number, &cells, |c| {
        actor.record(c, "response.erased", number, &detail)
    })?;
    Ok(())
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
