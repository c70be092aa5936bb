//! The drawn sample as a CSV download for staff (mail merge, a print shop, a phone bank): one
//! row per drawn unit with its stratum, inclusion probability, design weight, contact details
//! and access code. Audited, because it holds personal data; every cell that a spreadsheet
//! would run as a formula is neutralised.

use crate::storage::{self, DbConnection};
use crate::use_cases::Actor;

use super::{survey_id_of, FieldworkError};

/// The columns of the download, in order.
pub const SAMPLE_CSV_HEADER: [&str; 10] = [
    "unit_ref",
    "stratum",
    "inclusion_probability",
    "design_weight",
    "language",
    "name",
    "email",
    "phone",
    "address",
    "access_code",
];

/// Spreadsheet formulas are neutralised by the one shared helper.
pub use crate::formats::cells::neutralise;

/// The units of sample `sample_id` of survey `survey_key` as CSV bytes (UTF-8 with a header),
/// and an audit entry naming the sample and how many rows left.
pub fn sample_csv(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    sample_id: &str,
) -> Result<Vec<u8>, FieldworkError> {
    storage::transaction(conn, |conn| {
        let survey_id = survey_id_of(conn, survey_key)?;
        if storage::samples::find(conn, sample_id)?.is_none_or(|s| s.survey_id != survey_id) {
            return Err(FieldworkError::SampleNotFound(sample_id.into()));
        }
        let units = storage::invitations::for_letters(conn, &survey_id, Some(sample_id))?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let write = |w: &mut csv::Writer<Vec<u8>>, rec: &[String]| {
            w.write_record(rec)
                .map_err(|e| storage::StorageError::Corrupt(format!("sample CSV: {e}")))
        };
        let header: Vec<String> = SAMPLE_CSV_HEADER.iter().map(|s| (*s).to_owned()).collect();
        write(&mut w, &header)?;
        let text = |v: &Option<String>| neutralise(v.as_deref().unwrap_or(""));
        let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for u in &units {
            write(
                &mut w,
                &[
                    text(&u.unit_ref),
                    text(&u.stratum),
                    num(u.inclusion_probability),
                    num(u.design_weight),
                    neutralise(&u.language),
                    text(&u.name),
                    text(&u.email),
                    text(&u.phone),
                    text(&u.address),
                    neutralise(&u.code),
                ],
            )?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| storage::StorageError::Corrupt(format!("sample CSV: {e}")))?;
        actor.record(
            conn,
            "sample.downloaded",
            survey_key,
            &format!("sample {sample_id}: {} row(s)", units.len()),
        )?;
        Ok(bytes)
    })
}
