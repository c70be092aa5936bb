//! Reading a sampling frame or a list: the CSV reader, the column look-ups, and
//! [`FrameError`], which names the file, row and column of what was refused in both languages.

use crate::domain::lang::Msg;

/// The largest frame or list accepted (rows after the header).
pub const MAX_FRAME_ROWS: usize = 1_000_000;

/// Text from an uploaded file or form, bounded before it goes into a message: at most
/// [`Echoed::MAX_CHARS`] characters, with `…` when cut. A message must not hand back a
/// 10 MB header line (or a 10 MB id) to the browser or the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Echoed(String);

impl Echoed {
    /// Longest echoed value, in characters.
    pub const MAX_CHARS: usize = 60;
    /// Most list items echoed (column names); the rest are summed up as `…`.
    pub const MAX_ITEMS: usize = 20;

    /// One value, cut at [`Echoed::MAX_CHARS`].
    pub fn new(text: &str) -> Echoed {
        Echoed(bounded(text))
    }

    /// A list of values (column names), each cut, and at most [`Echoed::MAX_ITEMS`] of them.
    pub fn list(items: &[String]) -> Echoed {
        let mut shown: Vec<String> = items
            .iter()
            .take(Self::MAX_ITEMS)
            .map(|i| bounded(i))
            .collect();
        if items.len() > Self::MAX_ITEMS {
            shown.push("…".into());
        }
        Echoed(shown.join(", "))
    }

    /// The bounded text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(Echoed::MAX_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

impl std::fmt::Display for Echoed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Echoed {
    fn from(text: &str) -> Echoed {
        Echoed::new(text)
    }
}

impl From<&String> for Echoed {
    fn from(text: &String) -> Echoed {
        Echoed::new(text)
    }
}

impl From<String> for Echoed {
    fn from(text: String) -> Echoed {
        Echoed::new(&text)
    }
}

impl PartialEq<&str> for Echoed {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Why a frame, a list or a draw was refused. Every message names the file and, where there is
/// one, the row (1-based, the header is row 1) and the column.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// A named column is not in the header.
    #[error("{file}: no column '{column}' (columns: {available})")]
    MissingColumn {
        /// File name.
        file: Echoed,
        /// The column asked for.
        column: Echoed,
        /// The header's columns, comma-separated (the first [`Echoed::MAX_ITEMS`]).
        available: Echoed,
    },
    /// The same unit id twice.
    #[error("{file} row {row}, column '{column}': duplicate id '{id}' (first on row {first})")]
    DuplicateId {
        /// File name.
        file: Echoed,
        /// The later row.
        row: u64,
        /// The id column.
        column: Echoed,
        /// The repeated id.
        id: Echoed,
        /// The earlier row.
        first: u64,
    },
    /// Bytes that are not UTF-8.
    #[error(
        "{file} row {row}{}: not valid UTF-8 (save the file as UTF-8)",
        .column.as_ref().map(|c| format!(", column '{c}'")).unwrap_or_default()
    )]
    NotUtf8 {
        /// File name.
        file: Echoed,
        /// Row.
        row: u64,
        /// The column, when known.
        column: Option<Echoed>,
    },
    /// Over the row limit.
    #[error("{file}: more than {max} rows; split the frame or raise the limit")]
    TooManyRows {
        /// File name.
        file: Echoed,
        /// The limit.
        max: usize,
    },
    /// No data rows.
    #[error("{file}: the file has no rows")]
    Empty {
        /// File name.
        file: Echoed,
    },
    /// A value that must be there is empty or wrong.
    #[error("{file} row {row}, column '{column}': {problem}")]
    BadValue {
        /// File name.
        file: Echoed,
        /// Row.
        row: u64,
        /// Column.
        column: Echoed,
        /// What is wrong, in both languages (the English one in `Display`).
        problem: Msg,
    },
    /// The CSV structure is broken (e.g. a row with the wrong number of fields).
    #[error("{file} row {row}: {problem}")]
    Csv {
        /// File name.
        file: Echoed,
        /// Row.
        row: u64,
        /// The parser's words.
        problem: String,
    },
    /// A fixed sample size larger than a stratum.
    #[error("{file}: stratum '{stratum}' has {population} units, fewer than the {n} asked for")]
    StratumTooSmall {
        /// File name.
        file: Echoed,
        /// The stratum.
        stratum: Echoed,
        /// Its size N_h.
        population: usize,
        /// The n asked for.
        n: usize,
    },
    /// The allocation could not be computed (e.g. n larger than the frame).
    #[error("{file}: {problem}")]
    Allocation {
        /// File name.
        file: Echoed,
        /// The allocation's words.
        problem: String,
    },
    /// A list row with nothing to reach the person by.
    #[error("{file} row {row}: no e-mail address, id or postal address")]
    NoContact {
        /// File name.
        file: Echoed,
        /// Row.
        row: u64,
    },
}

impl FrameError {
    /// The message in both languages; the English text is the `Display` one.
    pub fn message(&self) -> Msg {
        let sv = match self {
            FrameError::MissingColumn {
                file,
                column,
                available,
            } => format!("{file}: kolumnen '{column}' finns inte (kolumner: {available})"),
            FrameError::DuplicateId {
                file,
                row,
                column,
                id,
                first,
            } => format!(
                "{file} rad {row}, kolumn '{column}': id '{id}' förekommer två gånger (första gången på rad {first})"
            ),
            FrameError::NotUtf8 { file, row, column } => {
                let column = column
                    .as_ref()
                    .map(|c| format!(", kolumn '{c}'"))
                    .unwrap_or_default();
                format!("{file} rad {row}{column}: inte giltig UTF-8 (spara filen som UTF-8)")
            }
            FrameError::TooManyRows { file, max } => {
                format!("{file}: fler än {max} rader; dela upp ramen eller höj gränsen")
            }
            FrameError::Empty { file } => format!("{file}: filen har inga rader"),
            FrameError::BadValue {
                file,
                row,
                column,
                problem,
            } => format!("{file} rad {row}, kolumn '{column}': {}", problem.sv),
            FrameError::Csv { file, row, problem } => {
                format!("{file} rad {row}: felaktig CSV ({problem})")
            }
            FrameError::StratumTooSmall {
                file,
                stratum,
                population,
                n,
            } => format!(
                "{file}: stratumet '{stratum}' har {population} enheter, färre än de {n} som begärdes"
            ),
            FrameError::Allocation { file, problem } => {
                format!("{file}: urvalet kan inte fördelas ({problem})")
            }
            FrameError::NoContact { file, row } => {
                format!("{file} rad {row}: varken e-postadress, id eller postadress")
            }
        };
        Msg::new(sv, self.to_string())
    }
}

pub(super) fn missing(file: &str, headers: &[String], column: &str) -> FrameError {
    FrameError::MissingColumn {
        file: file.into(),
        column: column.into(),
        available: Echoed::list(headers),
    }
}

pub(super) fn column_of(file: &str, headers: &[String], column: &str) -> Result<usize, FrameError> {
    headers
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| missing(file, headers, column))
}

pub(super) fn csv_error(file: &str, headers: &[String], e: &csv::Error) -> FrameError {
    let row = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => FrameError::NotUtf8 {
            file: file.into(),
            row,
            column: headers.get(err.field()).map(Echoed::from),
        },
        _ => FrameError::Csv {
            file: file.into(),
            row,
            problem: e.to_string(),
        },
    }
}

/// Read the header row.
pub(super) fn read_headers(
    file: &str,
    reader: &mut csv::Reader<&[u8]>,
) -> Result<Vec<String>, FrameError> {
    let headers = reader.headers().map_err(|e| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => FrameError::NotUtf8 {
            file: file.into(),
            row: 1,
            column: None,
        },
        _ => FrameError::Empty { file: file.into() },
    })?;
    Ok(headers.iter().map(|h| h.trim().to_owned()).collect())
}

pub(super) fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    // A UTF-8 byte-order mark (Excel writes one) would otherwise become part of the first name.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new().flexible(false).from_reader(bytes)
}
