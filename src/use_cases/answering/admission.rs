//! Who may answer: access codes (typed, from a letter's link or an interviewer's work list)
//! checked against the survey's invitations at the start and again on every step, and the
//! start of an attempt.

use super::{next_page, today, Attempt, LoadedSurvey};
use crate::domain::options::{Access, LegalBasis};
use crate::domain::response::{self, Mode};
use crate::domain::survey::flow::AnswerMap;
use crate::storage::{self, Db, StorageError};

pub use crate::storage::invitations::Invitation;

/// What a typed access code turned out to be.
#[derive(Debug)]
pub enum CodeCheck {
    /// An unused invitation of this survey.
    Valid(Box<Invitation>),
    /// Already used to answer.
    Used,
    /// Not a code of this survey.
    Unknown,
}

/// Why an attempt may not go on (nothing is stored either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An invitation-only survey, and no code.
    Missing,
    /// The code was already used to answer.
    Used,
    /// Not a code of this survey.
    Unknown,
}

/// The access decision for an attempt holding `code` (or none).
#[derive(Debug)]
pub enum Admission {
    /// No code, and the survey is open to everyone.
    Public,
    /// An unused invitation of this survey.
    Invited(Box<Invitation>),
    /// Not allowed to answer.
    Refused(Refusal),
}

// These take the pool rather than a connection: a public survey's start, the hot path after
// a mailing, has no code to look up and so never waits for a connection.

/// Check a typed access code against the invitations of survey `survey_id` (a malformed code
/// is unknown without a lookup).
pub async fn check_code(db: &Db, survey_id: &str, typed: &str) -> Result<CodeCheck, StorageError> {
    let Some(code) = response::normalise_access_code(typed) else {
        return Ok(CodeCheck::Unknown);
    };
    let found = db
        .run(move |c| storage::invitations::find_by_code(c, &code))
        .await?;
    Ok(match found {
        Some(i) if i.survey_id == survey_id && i.completed_at.is_some() => CodeCheck::Used,
        Some(i) if i.survey_id == survey_id => CodeCheck::Valid(Box::new(i)),
        _ => CodeCheck::Unknown,
    })
}

/// The access decision, made at the start and again on every step: an invitation-only
/// survey's attempt must hold an unused code of this survey (it may have been used in another
/// tab or by another attempt since the start). The writer decides once more at submit.
pub async fn admit(
    db: &Db,
    s: &LoadedSurvey,
    code: Option<&str>,
) -> Result<Admission, StorageError> {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Ok(if s.options.access == Access::Invitation {
            Admission::Refused(Refusal::Missing)
        } else {
            Admission::Public
        });
    };
    Ok(match check_code(db, &s.survey_id, code).await? {
        CodeCheck::Valid(i) => Admission::Invited(i),
        CodeCheck::Used => Admission::Refused(Refusal::Used),
        CodeCheck::Unknown => Admission::Refused(Refusal::Unknown),
    })
}

/// What the start form asks for, parsed.
#[derive(Debug)]
pub struct StartRequest {
    /// The survey language.
    pub lang: String,
    /// Hidden questions pre-filled from the link.
    pub hidden: AnswerMap,
    /// The access code the form carries (trimmed), if any.
    pub code: Option<String>,
    /// The entry mode, already checked against the session.
    pub mode: Mode,
    /// Whether the consent box was ticked.
    pub consent: bool,
}

/// How a start went.
#[derive(Debug)]
pub enum Started {
    /// The code cannot be used (or an invitation-only survey got none).
    Refused(Refusal),
    /// The survey asks for consent and it was not given: the landing again, with the code.
    NeedsConsent {
        /// The admitted invitation's code.
        invitation: Option<String>,
    },
    /// A fresh attempt (not yet sealed) and the first page to show.
    Begun(Box<Attempt>, usize),
}

/// Begin an attempt: the code must be an unused invitation of this survey, consent given where
/// the survey asks for it; the invitation is then marked started.
pub async fn start(db: &Db, s: &LoadedSurvey, req: StartRequest) -> Result<Started, StorageError> {
    let invitation = match admit(db, s, req.code.as_deref()).await? {
        Admission::Public => None,
        Admission::Invited(i) => Some(i),
        Admission::Refused(r) => return Ok(Started::Refused(r)),
    };
    if s.options.privacy.legal_basis == LegalBasis::Consent && !req.consent {
        return Ok(Started::NeedsConsent {
            invitation: invitation.map(|i| i.code),
        });
    }
    if let Some(i) = &invitation {
        let (id, anonymous) = (i.id.clone(), s.options.anonymous);
        db.run(move |c| storage::invitations::mark_started(c, &id, anonymous))
            .await?;
    }
    let mut attempt = Attempt::start(req.lang, req.hidden);
    attempt.invitation = invitation.map(|i| i.code);
    attempt.mode = req.mode;
    let first = next_page(&s.survey, 0, &attempt.answers, &today());
    Ok(Started::Begun(Box::new(attempt), first))
}

/// `/kod`: the survey key a typed access code invites to, with the code in canonical form.
pub async fn survey_for_code(
    db: &Db,
    typed: &str,
) -> Result<Option<(String, String)>, StorageError> {
    let Some(code) = response::normalise_access_code(typed) else {
        return Ok(None);
    };
    let c = code.clone();
    let key = db
        .run(move |conn| storage::invitations::survey_key_for_code(conn, &c))
        .await?;
    Ok(key.map(|k| (k, code)))
}
