//! Gathering the printed letters: every invitation with a postal address or nothing else to
//! reach the person by, with its link and QR code. The document itself is `formats::letters`.
//!
//! The web page shows the letters in batches of [`PER_PAGE`]: a demo-sized sample (tens of
//! thousands of letters) is a 100 MB document that takes minutes to build and that no browser
//! lays out or prints in one go, while encoding the QR codes of one batch takes well under a
//! second. The command line still writes every letter to one file.

use crate::domain::local_time::Zone;
use crate::formats::letters::{qr, Letter, LetterSurvey, Letters};
use crate::storage::invitations::Invitation;
use crate::storage::{self, DbConnection};

use super::FieldworkError;

/// Who gets a letter: a postal address, or nothing else to reach them by.
pub fn wants_letter(i: &Invitation) -> bool {
    i.address.is_some() || i.email.is_none()
}

/// Letters per page of the web page (one print job each).
pub const PER_PAGE: usize = 500;

/// One page of the letters: the letters themselves and where they stand among all of them.
pub struct LetterPage {
    /// This page's letters (the survey's header and the letters from `first`).
    pub batch: Letters,
    /// The page number, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// The index of this page's first letter among all letters, from 0.
    pub first: usize,
    /// How many letters there are in all.
    pub total: usize,
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
    Ok(gather(conn, survey_key, sample_id, base_url, zone, None)?.0)
}

/// Page `page` (from 1; past the end gives the last page) of [`letters`]: only its letters'
/// QR codes are encoded.
pub fn letters_page(
    conn: &mut DbConnection,
    survey_key: &str,
    sample_id: Option<&str>,
    base_url: &str,
    zone: Zone,
    page: usize,
) -> Result<LetterPage, FieldworkError> {
    let (batch, total, first) = gather(conn, survey_key, sample_id, base_url, zone, Some(page))?;
    Ok(LetterPage {
        batch,
        page: first / PER_PAGE + 1,
        pages: total.div_ceil(PER_PAGE).max(1),
        first,
        total,
    })
}

/// The letters (all, or page `page` of [`PER_PAGE`]), how many there are in all, and the index
/// of the first one returned.
fn gather(
    conn: &mut DbConnection,
    survey_key: &str,
    sample_id: Option<&str>,
    base_url: &str,
    zone: Zone,
    page: Option<usize>,
) -> Result<(Letters, usize, usize), FieldworkError> {
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
    let mut wanted: Vec<Invitation> =
        storage::invitations::for_letters(conn, &record.id, sample_id)?
            .into_iter()
            .filter(wants_letter)
            .collect();
    let total = wanted.len();
    let (first, taken) = match page {
        None => (0, total),
        Some(p) => {
            let last = total.div_ceil(PER_PAGE).max(1);
            ((p.clamp(1, last) - 1) * PER_PAGE, PER_PAGE)
        }
    };
    wanted.truncate((first + taken).min(total));
    let letters = wanted
        .into_iter()
        .skip(first)
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
    let batch = Letters {
        survey: LetterSurvey {
            key: record.key,
            title,
            options: record.options,
            url,
            zone,
        },
        letters,
    };
    Ok((batch, total, first))
}
