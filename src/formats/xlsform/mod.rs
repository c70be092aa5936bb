//! XLSForm import and export (`.xlsx`: `survey`, `choices` and `settings` sheets), so researchers can
//! exchange forms with ODK, KoboToolbox and pyxform-based tools.
//!
//! Mapping (see `tests/data/xlsform/README.md` for what each public sample imports to):
//! - `begin group` … `end group` at the top level is a page; questions outside any group form one page per
//!   consecutive run. A nested group with appearance `table-list` whose rows are `select_one` on one list is
//!   a matrix; other nested groups and repeats are flattened into the page with a warning.
//! - `select_one` (appearance `minimal` = drop-down, `likert` on a list of consecutive integers = rating
//!   scale), `select_multiple`, `or_other`, `rank`, `integer`, `decimal`, `text` (`multiline` = long text),
//!   `date`, `note`, `acknowledge` (consent), `hidden`, `calculate`.
//! - Columns `label`, `hint`, `constraint_message` and `required_message`, each `::Language (code)`;
//!   `relevant`, `constraint`, `required` (yes/no or an expression), `calculation`, `default`,
//!   `appearance`, `parameters` (`randomize=true`; `max-length=500` on a text or "or_other" question).
//! - Insikt-only information (MaxDiff, Kano and importance–satisfaction kinds, number ranges, exclusive
//!   options, matrix-level constraints and messages, the survey's texts and status) travels in extra columns that other tools ignore: `insikt`
//!   (JSON) on the survey and settings sheets and `exclusive` on the choices sheet.
//!
//! Two deliberate normalisations: cell texts are trimmed on import (spreadsheets collect stray spaces), and
//! a question that is both `required` and `required_if` exports as `required = yes` (XLSForm has one
//! column; the condition is redundant when the question is always required).
//!
//! Anything else is reported as a warning with sheet, row and column, never silently dropped; structural
//! problems are errors. Neither function panics on any input.

mod bounded;
mod export;
mod import;

use std::fmt;

/// The zip check every workbook upload goes through before calamine opens it (the backlog
/// catalogue reads workbooks too).
pub(crate) use bounded::check_archive;
pub use bounded::{MAX_ENTRIES, MAX_PART_BYTES, MAX_SHARED_STRINGS, MAX_TOTAL_BYTES};
pub use export::export;
pub use import::import;

use crate::domain::survey::Survey;

/// Inputs larger than this are refused before unzipping.
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;
/// Sheets with a cell below this row are refused; real forms have at most a few thousand rows.
pub const MAX_ROWS: usize = 20_000;
/// Sheets with a cell right of this column (`ALL`) are refused. A form in 40 languages with
/// eight translated columns has about 350; the limit is there so that a cell at column XFD
/// (16,384) is refused at once, before it makes every row that wide.
pub const MAX_COLUMNS: usize = 1_000;
/// At most this many cells are read from one sheet, counting the empty cells left of the last
/// filled cell of each row (that is what the importer holds: 24 bytes each). 10,000 rows of 50
/// columns is bigger than any real form; three sheets at the limit hold about 36 MB.
pub const MAX_CELLS: usize = 500_000;
/// At most this many bytes of cell text are read from one sheet. Shared strings are stored
/// once but copied into every cell that refers to them, so without this a 1 MB string table
/// referred to from every cell would multiply; 10 MB is several times a big real form's text.
pub const MAX_TEXT_BYTES: usize = 10 * 1024 * 1024;
/// Workbooks with more sheets than this are refused: an XLSForm needs three, and every other
/// sheet becomes one warning on the import page.
pub const MAX_SHEETS: usize = 100;

/// A problem found in a workbook, located by sheet, 1-based row and column header.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issue {
    /// The sheet name (empty for problems with the file itself).
    pub sheet: String,
    /// The 1-based spreadsheet row, when the issue is about one row.
    pub row: Option<u32>,
    /// The column header, when the issue is about one cell or column.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub message: String,
}

impl Issue {
    pub(crate) fn new(
        sheet: &str,
        row: Option<u32>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Issue {
            sheet: sheet.to_owned(),
            row,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "sheet '{}'", self.sheet)?;
            if let Some(r) = self.row {
                write!(f, ", row {r}")?;
            }
            if let Some(c) = &self.column {
                write!(f, ", column '{c}'")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// A successful import: the survey (a draft) and everything that could not be represented.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The imported survey, always a draft.
    pub survey: Survey,
    /// What was ignored or approximated.
    pub warnings: Vec<Issue>,
}

/// Why an import failed: every error found, plus the warnings collected up to then.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the XLSForm could not be imported: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ImportErrors {
    /// The errors, in sheet and row order.
    pub errors: Vec<Issue>,
    /// Warnings found before giving up.
    pub warnings: Vec<Issue>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The spreadsheet writer failed.
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Serialising Insikt-specific settings failed.
    #[error("cannot encode Insikt settings: {0}")]
    Json(#[from] serde_json::Error),
}

/// The display name used in `label::Name (code)` headers.
pub(crate) fn language_name(code: &str) -> &str {
    match code {
        "sv" => "Svenska",
        "en" => "English",
        "fi" => "Suomi",
        "ar" => "العربية",
        "so" => "Soomaali",
        "es" => "Español",
        "fr" => "Français",
        "de" => "Deutsch",
        _ => code,
    }
}

/// The language code of a header suffix: `English (en)` → `en`, `English` → `en`, `Svenska` → `sv`;
/// unknown names without a code become their lower-cased name.
pub(crate) fn language_code(suffix: &str) -> String {
    let s = suffix.trim();
    if let (Some(open), true) = (s.rfind('('), s.ends_with(')')) {
        let code = s[open + 1..s.len() - 1].trim();
        if !code.is_empty() {
            return code.to_lowercase();
        }
    }
    match s.to_lowercase().as_str() {
        "english" => "en".into(),
        "swedish" | "svenska" => "sv".into(),
        "finnish" | "suomi" => "fi".into(),
        "french" | "français" | "francais" => "fr".into(),
        "spanish" | "español" | "espanol" => "es".into(),
        "german" | "deutsch" => "de".into(),
        "arabic" => "ar".into(),
        "chinese" => "zh".into(),
        "somali" => "so".into(),
        other => other.replace(' ', "_"),
    }
}
