//! "Continue later": a draft saved under the hash of a fresh resume code, and the attempt it
//! restores when the code comes back.

use sha2::{Digest, Sha256};

use super::{draft_content, new_draft, AnsweringError, Attempt, LoadedSurvey};
use crate::domain::response::{self, Mode};
use crate::storage::{self, DbConnection};

/// A saved draft, for the page that hands out its code.
#[derive(Debug)]
pub struct Saved {
    /// The resume code (shown once; the database keeps only its hash).
    pub code: String,
    /// When the draft expires (UTC; the web shows it in local time).
    pub until: time::PrimitiveDateTime,
}

/// The stored form of a resume code: its SHA-256, so the database never holds the code.
fn hash_code(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Save attempt `a` as a draft under a fresh resume code, replacing the draft it resumed.
pub fn save_draft(
    conn: &mut DbConnection,
    s: &LoadedSurvey,
    a: &Attempt,
    secret: &[u8],
) -> Result<Saved, AnsweringError> {
    let code = response::new_resume_code();
    let days = i64::from(s.options.resume_days.max(1));
    let expires = storage::now() + time::Duration::days(days);
    let draft = new_draft(s, a, secret, &code)?;
    storage::responses::insert_draft(conn, &hash_code(&code), &draft, expires, a.draft.as_deref())?;
    Ok(Saved {
        code,
        until: expires,
    })
}

/// The attempt resume code `code` (canonical form, see `normalise_resume_code`) restores,
/// unsealed and on its saved page; `None` when the code is unknown or saved for another version.
pub fn resume(
    conn: &mut DbConnection,
    s: &LoadedSurvey,
    secret: &[u8],
    code: &str,
) -> Result<Option<Attempt>, AnsweringError> {
    let found = storage::responses::find_draft(conn, &hash_code(code))?;
    let Some(draft) = found.filter(|d| d.version_id == s.version_id) else {
        return Ok(None);
    };
    let content = draft_content(secret, code, &draft)?;
    Ok(Some(Attempt {
        attempt: content.attempt,
        seed: content.seed,
        lang: draft.language,
        page: usize::try_from(draft.page).unwrap_or(0),
        draft: Some(draft.id),
        invitation: content.invitation,
        mode: Mode::Web,
        started: time::OffsetDateTime::now_utc().unix_timestamp(),
        answers: content.answers,
        progress: 0,
        seal: String::new(),
    }))
}
