//! File formats: bytes ↔ domain types. No storage, no HTTP: a format reads and writes
//! questionnaires (TOML, XLSForm) and writes documents (printed letters, e-mail bodies, as HTML
//! with maud), and reports what it could not read by file, sheet, row and field.

pub mod backlog_catalogue;
pub mod backlog_snapshot;
pub mod cells;
pub mod email;
pub mod letters;
pub mod stats_csv;
pub mod survey_file;
pub mod xlsform;
