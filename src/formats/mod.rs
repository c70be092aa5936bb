//! File formats: bytes ↔ domain types. No storage, no web: a format reads and writes
//! questionnaires and data, and reports what it could not read by file, row and field.

pub mod letters;
pub mod survey_file;
pub mod xlsform;
