//! File formats: bytes ↔ domain types. No storage, no HTTP: a format reads and writes
//! questionnaires (TOML, XLSForm) and writes documents (printed letters, e-mail bodies, as HTML
//! with maud), reads notes and transcripts into speaker segments and exchanges codebooks
//! (REFI-QDA), and reports what it could not read by file, sheet, row and field.

pub mod backlog_catalogue;
pub mod backlog_snapshot;
pub mod cells;
pub mod email;
pub mod letters;
pub mod refi_qda;
pub mod stats_csv;
pub mod survey_file;
pub mod transcript;
pub mod xlsform;
