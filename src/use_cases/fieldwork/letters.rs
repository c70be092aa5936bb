//! Gathering the printed letters: every invitation with a postal address or nothing else to
//! reach the person by, with its link and QR code. The document itself is `formats::letters`.

use crate::domain::local_time::Zone;
use crate::formats::letters::{qr, Letter, LetterSurvey, Letters};
use crate::storage::invitations::Invitation;
use crate::storage::{self, DbConnection};

use super::FieldworkError;

/// Who gets a letter: a postal address, or nothing else to reach them by.
pub fn wants_letter(i: &Invitation) -> bool {
    i.address.is_some() || i.email.is_none()
}

/// Gather the letters for a survey; `base_url` is the site's address (no trailing slash), `zone`
/// the one the closing date is given in.
pub fn letters(
    conn: &mut DbConnection,
    survey_key: &str,
    sample_id: Option<&str>,
    base_url: &str,
    zone: Zone,
) -> Result<Letters, FieldworkError> {
    let (record, version) = storage::surveys::find_respondent_version(conn, survey_key)?
        .map(|(r, v)| (r, Some(v)))
        .or_else(|| {
            storage::surveys::find_survey(conn, survey_key)
                .ok()
                .flatten()
                .map(|r| (r, None))
        })
        .ok_or_else(|| FieldworkError::SurveyNotFound(survey_key.into()))?;
    let title = match version {
        Some(v) => v.survey.title,
        None => storage::surveys::list_versions(conn, &record.id)?
            .pop()
            .map(|v| v.survey.title)
            .unwrap_or_default(),
    };
    if let Some(s) = sample_id {
        let found = storage::samples::find(conn, s)?;
        if found.is_none_or(|f| f.survey_id != record.id) {
            return Err(FieldworkError::SampleNotFound(s.into()));
        }
    }
    let url = format!("{}/s/{}", base_url.trim_end_matches('/'), record.key);
    let letters = storage::invitations::for_letters(conn, &record.id, sample_id)?
        .into_iter()
        .filter(wants_letter)
        .map(|i| {
            let link = format!("{url}?code={}", i.code);
            Letter {
                name: i.name,
                address: i
                    .address
                    .map(|a| a.lines().map(str::to_owned).collect())
                    .unwrap_or_default(),
                language: i.language,
                qr: qr(&link),
                sampled: i.sample_id.is_some(),
                code: i.code,
                link,
            }
        })
        .collect();
    Ok(Letters {
        survey: LetterSurvey {
            key: record.key,
            title,
            options: record.options,
            url,
            zone,
        },
        letters,
    })
}
