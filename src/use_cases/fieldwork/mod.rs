//! Reaching respondents: parse and check a sampling frame, draw a reproducible stratified sample
//! (the statistics are `analysis::sampling`), turn a sample or a plain list into single-use
//! invitations, and gather what a printed letter needs. Shared by the web pages and the
//! `insikt sample` / `insikt invitations` commands.
//!
//! The frame itself is never stored (data minimisation): only the drawn units become
//! invitations, and the sample row keeps the frame's name, row count and SHA-256 so a draw can
//! be reproduced from the same file and seed.

use std::collections::{BTreeMap, HashMap, HashSet};

use analysis::sampling::{self, Allocation};
use sha2::{Digest, Sha256};

use crate::domain::options::SurveyOptions;
use crate::domain::response::new_access_code;
pub use crate::domain::sampling::StratumPlan;
use crate::domain::survey::Text;
use crate::storage::invitations::{Invitation, NewInvitation};
use crate::storage::samples::{NewSample, SampleRecord};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

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
    #[error("{file} row {row}{column}: not valid UTF-8 (save the file as UTF-8)")]
    NotUtf8 {
        /// File name.
        file: Echoed,
        /// Row.
        row: u64,
        /// `, column 'X'` when known (the name bounded as an [`Echoed`]).
        column: String,
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
        /// What is wrong, in English (see [`FrameError::message`]).
        problem: String,
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
    /// The message in Swedish (`sv`) or English.
    pub fn message(&self, sv: bool) -> String {
        if !sv {
            return self.to_string();
        }
        match self {
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
                let column = column.replace(", column", ", kolumn");
                format!("{file} rad {row}{column}: inte giltig UTF-8 (spara filen som UTF-8)")
            }
            FrameError::TooManyRows { file, max } => format!(
                "{file}: fler än {max} rader; dela upp ramen eller höj gränsen"
            ),
            FrameError::Empty { file } => format!("{file}: filen har inga rader"),
            FrameError::BadValue {
                file,
                row,
                column,
                problem,
            } => format!("{file} rad {row}, kolumn '{column}': {}", sv_problem(problem)),
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
            FrameError::NoContact { file, row } => format!(
                "{file} rad {row}: varken e-postadress, id eller postadress"
            ),
        }
    }
}

fn sv_problem(p: &str) -> String {
    match p {
        "empty stratum value" => "tomt värde för stratum".into(),
        "not a number" => "inte ett tal".into(),
        "language must be sv or en" => "språket måste vara sv eller en".into(),
        "not an e-mail address" => "inte en e-postadress".into(),
        other => other.into(),
    }
}

/// How the sample size is spread over strata.
#[derive(Debug, Clone, PartialEq)]
pub enum AllocationSpec {
    /// `n` in every stratum; a stratum smaller than `n` is an error.
    Fixed(usize),
    /// `n_h ∝ N_h`, summing to `n`.
    Proportional(usize),
    /// The same sampling fraction in every stratum.
    Rate(f64),
    /// `n_h ∝ N_h · S_h`, with `S_h` the mean of `sd_column` in the stratum.
    Neyman {
        /// Total sample size.
        n: usize,
        /// Column with the expected standard deviation.
        sd_column: String,
    },
}

impl AllocationSpec {
    /// A short label for the sample row and the audit log, e.g. `proportional n=500`.
    pub fn label(&self) -> String {
        match self {
            AllocationSpec::Fixed(n) => format!("fixed n_h={n}"),
            AllocationSpec::Proportional(n) => format!("proportional n={n}"),
            AllocationSpec::Rate(r) => format!("proportional rate={r}"),
            AllocationSpec::Neyman { n, sd_column } => format!("neyman n={n} sd={sd_column}"),
        }
    }
}

/// What to draw from a frame.
#[derive(Debug, Clone)]
pub struct DrawSpec {
    /// Columns whose combination is the stratum.
    pub strata: Vec<String>,
    /// Allocation.
    pub allocation: AllocationSpec,
    /// Column of unique unit ids (`None`: `id` when the frame has one).
    pub id_column: Option<String>,
    /// Seed of the random draw.
    pub seed: u64,
    /// Row limit ([`MAX_FRAME_ROWS`] normally; smaller in tests).
    pub max_rows: usize,
}

/// One drawn unit with its frame row.
#[derive(Debug, Clone)]
pub struct DrawnUnit {
    /// Its row in the frame file (header = row 1).
    pub row: u64,
    /// The frame row's fields, in header order.
    pub fields: Vec<String>,
    /// Index into [`DrawnSample::plan`].
    pub stratum: usize,
    /// Probability of selection.
    pub inclusion_probability: f64,
    /// Design weight, 1 / π.
    pub design_weight: f64,
}

/// A drawn sample, before it is stored.
#[derive(Debug, Clone)]
pub struct DrawnSample {
    /// Frame file name.
    pub frame_name: String,
    /// Data rows in the frame.
    pub frame_rows: usize,
    /// SHA-256 of the frame's bytes, hex.
    pub frame_sha256: String,
    /// The frame's header.
    pub headers: Vec<String>,
    /// Stratification columns.
    pub strata: Vec<String>,
    /// Allocation label.
    pub allocation: String,
    /// Seed.
    pub seed: u64,
    /// Allocation table, one row per stratum in order of first appearance.
    pub plan: Vec<StratumPlan>,
    /// Drawn units in frame order.
    pub units: Vec<DrawnUnit>,
}

fn missing(file: &str, headers: &[String], column: &str) -> FrameError {
    FrameError::MissingColumn {
        file: file.into(),
        column: column.into(),
        available: Echoed::list(headers),
    }
}

fn column_of(file: &str, headers: &[String], column: &str) -> Result<usize, FrameError> {
    headers
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| missing(file, headers, column))
}

fn csv_error(file: &str, headers: &[String], e: &csv::Error) -> FrameError {
    let row = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => FrameError::NotUtf8 {
            file: file.into(),
            row,
            column: headers
                .get(err.field())
                .map(|c| format!(", column '{}'", Echoed::new(c)))
                .unwrap_or_default(),
        },
        _ => FrameError::Csv {
            file: file.into(),
            row,
            problem: e.to_string(),
        },
    }
}

/// Read the header row.
fn read_headers(file: &str, reader: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, FrameError> {
    let headers = reader.headers().map_err(|e| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => FrameError::NotUtf8 {
            file: file.into(),
            row: 1,
            column: String::new(),
        },
        _ => FrameError::Empty { file: file.into() },
    })?;
    Ok(headers.iter().map(|h| h.trim().to_owned()).collect())
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    // A UTF-8 byte-order mark (Excel writes one) would otherwise become part of the first name.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new().flexible(false).from_reader(bytes)
}

/// The frame as the draw needs it: each row's stratum and where it starts in the file, so the
/// drawn rows are read again without keeping a million records in memory.
struct ParsedFrame {
    headers: Vec<String>,
    stratum_of: Vec<usize>,
    starts: Vec<(u64, u64)>,
    keys: Vec<String>,
    sd: Vec<(f64, usize)>,
}

fn parse_frame(file: &str, bytes: &[u8], spec: &DrawSpec) -> Result<ParsedFrame, FrameError> {
    let mut r = reader(bytes);
    let headers = read_headers(file, &mut r)?;
    let strata_cols: Vec<usize> = spec
        .strata
        .iter()
        .map(|c| column_of(file, &headers, c))
        .collect::<Result<_, _>>()?;
    let id_col = match &spec.id_column {
        Some(c) => Some(column_of(file, &headers, c)?),
        None => headers.iter().position(|h| h == "id"),
    };
    let sd_col = match &spec.allocation {
        AllocationSpec::Neyman { sd_column, .. } => Some(column_of(file, &headers, sd_column)?),
        _ => None,
    };
    let mut p = ParsedFrame {
        headers,
        stratum_of: Vec::new(),
        starts: Vec::new(),
        keys: Vec::new(),
        sd: Vec::new(),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    // Frame rows are rarely under 40 bytes: sizing the id set up front saves its rehashing.
    let expected = (bytes.len() / 40).min(spec.max_rows.saturating_add(1));
    let mut seen: HashMap<Box<str>, u64> =
        HashMap::with_capacity(if id_col.is_some() { expected } else { 0 });
    let mut rec = csv::StringRecord::new();
    let mut key = String::new();
    loop {
        let start = r.position().clone();
        match r.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &p.headers, &e)),
        }
        let row = rec.position().map(|p| p.line()).unwrap_or(start.line());
        // Stop at the first row over the limit: a 2-million-row frame is refused after reading
        // half of it, not all of it.
        if p.stratum_of.len() >= spec.max_rows {
            return Err(FrameError::TooManyRows {
                file: file.into(),
                max: spec.max_rows,
            });
        }
        key.clear();
        for (k, &c) in strata_cols.iter().enumerate() {
            let v = rec.get(c).unwrap_or("").trim();
            if v.is_empty() {
                return Err(FrameError::BadValue {
                    file: file.into(),
                    row,
                    column: spec.strata[k].as_str().into(),
                    problem: "empty stratum value".into(),
                });
            }
            if k > 0 {
                key.push_str(" / ");
            }
            key.push_str(v);
        }
        if let Some(c) = id_col {
            let id = rec.get(c).unwrap_or("").trim();
            if let Some(first) = seen.insert(id.into(), row) {
                return Err(FrameError::DuplicateId {
                    file: file.into(),
                    row,
                    column: p.headers[c].as_str().into(),
                    id: id.into(),
                    first,
                });
            }
        }
        let h = match index.get(key.as_str()) {
            Some(&h) => h,
            None => {
                let h = p.keys.len();
                index.insert(key.clone(), h);
                p.keys.push(key.clone());
                p.sd.push((0.0, 0));
                h
            }
        };
        if let Some(c) = sd_col {
            let raw = rec.get(c).unwrap_or("").trim();
            let v: f64 = raw
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| FrameError::BadValue {
                    file: file.into(),
                    row,
                    column: p.headers[c].as_str().into(),
                    problem: "not a number".into(),
                })?;
            p.sd[h].0 += v;
            p.sd[h].1 += 1;
        }
        p.stratum_of.push(h);
        p.starts.push((start.byte(), row));
    }
    if p.stratum_of.is_empty() {
        return Err(FrameError::Empty { file: file.into() });
    }
    Ok(p)
}

/// Parse a frame, check it, allocate and draw. Nothing is stored; the same bytes, spec and seed
/// always give the same sample.
pub fn draw_sample(file: &str, bytes: &[u8], spec: &DrawSpec) -> Result<DrawnSample, FrameError> {
    let p = parse_frame(file, bytes, spec)?;
    let mut pop = vec![0usize; p.keys.len()];
    for &h in &p.stratum_of {
        pop[h] += 1;
    }
    let allocation = match &spec.allocation {
        AllocationSpec::Fixed(n) => {
            if let Some(h) = pop.iter().position(|&size| size < *n) {
                return Err(FrameError::StratumTooSmall {
                    file: file.into(),
                    stratum: p.keys[h].as_str().into(),
                    population: pop[h],
                    n: *n,
                });
            }
            Allocation::Fixed(*n)
        }
        AllocationSpec::Proportional(n) => Allocation::Proportional(*n),
        AllocationSpec::Rate(r) => Allocation::Rate(*r),
        AllocationSpec::Neyman { n, .. } => Allocation::Neyman {
            n: *n,
            sd: p
                .sd
                .iter()
                .map(|(s, k)| if *k > 0 { s / *k as f64 } else { 0.0 })
                .collect(),
        },
    };
    let alloc_err = |e: analysis::AnalysisError| FrameError::Allocation {
        file: file.into(),
        problem: e.to_string(),
    };
    let sizes = sampling::allocate(&pop, &allocation).map_err(alloc_err)?;
    let drawn = sampling::draw(&p.stratum_of, &sizes, spec.seed).map_err(alloc_err)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let rows = read_rows_at(
        file,
        &p.headers,
        body,
        drawn.iter().map(|d| p.starts[d.unit]),
    )?;
    let units: Vec<DrawnUnit> = drawn
        .into_iter()
        .zip(rows)
        .map(|(d, fields)| DrawnUnit {
            row: p.starts[d.unit].1,
            fields,
            stratum: d.stratum,
            inclusion_probability: d.inclusion_probability,
            design_weight: d.design_weight,
        })
        .collect();
    let plan = p
        .keys
        .iter()
        .enumerate()
        .map(|(h, k)| StratumPlan {
            stratum: k.clone(),
            population: pop[h],
            sample: sizes[h],
            probability: if pop[h] > 0 {
                sizes[h] as f64 / pop[h] as f64
            } else {
                0.0
            },
        })
        .collect();
    Ok(DrawnSample {
        frame_name: file.into(),
        frame_rows: p.stratum_of.len(),
        frame_sha256: sha256_hex(bytes),
        headers: p.headers,
        strata: spec.strata.clone(),
        allocation: spec.allocation.label(),
        seed: spec.seed,
        plan,
        units,
    })
}

/// Read the drawn rows again by seeking to where each starts (already checked in the first
/// pass); one reader for all of them, since building a CSV reader per row costs more than the
/// row.
fn read_rows_at(
    file: &str,
    headers: &[String],
    body: &[u8],
    starts: impl Iterator<Item = (u64, u64)>,
) -> Result<Vec<Vec<String>>, FrameError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(std::io::Cursor::new(body));
    let mut rec = csv::StringRecord::new();
    let mut out = Vec::new();
    for (start, row) in starts {
        let mut pos = csv::Position::new();
        pos.set_byte(start).set_line(row);
        r.seek(pos).map_err(|e| FrameError::Csv {
            file: file.into(),
            row,
            problem: e.to_string(),
        })?;
        r.read_record(&mut rec)
            .map_err(|e| csv_error(file, headers, &e))?;
        out.push(rec.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

/// SHA-256 of some bytes as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Which frame or list columns hold the contact details. Missing columns are simply empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactColumns {
    /// Unit id / reference number.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Phone number.
    pub phone: String,
    /// Name on the letter.
    pub name: String,
    /// Postal address (lines separated by newlines or `|`).
    pub address: String,
    /// Language, `sv` or `en` (empty: Swedish).
    pub language: String,
}

impl Default for ContactColumns {
    fn default() -> Self {
        ContactColumns {
            id: "id".into(),
            email: "email".into(),
            phone: "phone".into(),
            name: "name".into(),
            address: "address".into(),
            language: "language".into(),
        }
    }
}

/// One unit to invite, from a sample or a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    /// Row in the file (for messages).
    pub row: u64,
    /// Id / reference number.
    pub unit_ref: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Address lines joined by newlines.
    pub address: Option<String>,
    /// `sv` or `en`.
    pub language: String,
}

struct ContactIndex {
    id: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    name: Option<usize>,
    address: Option<usize>,
    language: Option<usize>,
}

impl ContactIndex {
    fn new(headers: &[String], c: &ContactColumns) -> ContactIndex {
        let at = |name: &str| headers.iter().position(|h| h == name.trim());
        ContactIndex {
            id: at(&c.id),
            email: at(&c.email),
            phone: at(&c.phone),
            name: at(&c.name),
            address: at(&c.address),
            language: at(&c.language),
        }
    }

    fn contact(
        &self,
        file: &str,
        headers: &[String],
        row: u64,
        fields: &[String],
    ) -> Result<Contact, FrameError> {
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let bad = |i: Option<usize>, problem: &str| FrameError::BadValue {
            file: file.into(),
            row,
            column: i
                .and_then(|i| headers.get(i))
                .map(Echoed::from)
                .unwrap_or_default(),
            problem: problem.into(),
        };
        let language = match get(self.language).map(|l| l.to_ascii_lowercase()) {
            None => "sv".to_owned(),
            Some(l) if l == "sv" || l == "en" => l,
            Some(_) => return Err(bad(self.language, "language must be sv or en")),
        };
        let email = get(self.email);
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
            });
            if !ok {
                return Err(bad(self.email, "not an e-mail address"));
            }
        }
        Ok(Contact {
            row,
            unit_ref: get(self.id),
            email,
            phone: get(self.phone),
            name: get(self.name),
            address: get(self.address).map(|a| {
                a.split(['\n', '|'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            language,
        })
    }
}

/// The contacts of a drawn sample's units (checks their language and e-mail values).
pub fn sample_contacts(
    sample: &DrawnSample,
    columns: &ContactColumns,
) -> Result<Vec<Contact>, FrameError> {
    let idx = ContactIndex::new(&sample.headers, columns);
    sample
        .units
        .iter()
        .map(|u| idx.contact(&sample.frame_name, &sample.headers, u.row, &u.fields))
        .collect()
}

/// Parse a plain invitation list (no sampling, no weights): a CSV with a header and at least one
/// of the e-mail, id or address columns per row. Duplicate ids and duplicate e-mail addresses are
/// refused with both rows.
pub fn parse_list(
    file: &str,
    bytes: &[u8],
    columns: &ContactColumns,
    max_rows: usize,
) -> Result<Vec<Contact>, FrameError> {
    let mut r = reader(bytes);
    let headers = read_headers(file, &mut r)?;
    let idx = ContactIndex::new(&headers, columns);
    if idx.email.is_none() && idx.id.is_none() && idx.address.is_none() {
        return Err(missing(file, &headers, &columns.email));
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(file, &headers, &e))?;
        let row = rec.position().map(|p| p.line()).unwrap_or(0);
        if out.len() >= max_rows {
            return Err(FrameError::TooManyRows {
                file: file.into(),
                max: max_rows,
            });
        }
        let fields: Vec<String> = rec.iter().map(str::to_owned).collect();
        let c = idx.contact(file, &headers, row, &fields)?;
        if c.email.is_none() && c.unit_ref.is_none() && c.address.is_none() {
            return Err(FrameError::NoContact {
                file: file.into(),
                row,
            });
        }
        for (col, value) in [(idx.id, &c.unit_ref), (idx.email, &c.email)] {
            let (Some(col), Some(value)) = (col, value) else {
                continue;
            };
            let key = format!("{col}\u{1f}{}", value.to_lowercase());
            if let Some(first) = seen.insert(key, row) {
                return Err(FrameError::DuplicateId {
                    file: file.into(),
                    row,
                    column: headers[col].as_str().into(),
                    id: value.as_str().into(),
                    first,
                });
            }
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(FrameError::Empty { file: file.into() });
    }
    Ok(out)
}

/// Why storing a sample or list failed.
#[derive(Debug, thiserror::Error)]
pub enum FieldworkError {
    /// No survey with that key.
    #[error("no survey '{0}'")]
    SurveyNotFound(String),
    /// No such sample for this survey.
    #[error("no sample '{0}' in this survey")]
    SampleNotFound(String),
    /// The file was refused.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The form was refused.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The database.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A stored sample or list, for the result page.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The sample's id (`None` for a plain list).
    pub sample_id: Option<String>,
    /// Invitations created.
    pub invitations: usize,
}

/// A sample's stored plan, read back.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    /// The row.
    pub record: SampleRecord,
    /// Its allocation table.
    pub plan: Vec<StratumPlan>,
}

/// Parse a stored sample's plan JSON.
pub fn summarize(record: SampleRecord) -> SampleSummary {
    let plan = serde_json::from_str(&record.plan).unwrap_or_default();
    SampleSummary { record, plan }
}

/// A drawn unit's stratum, inclusion probability and design weight.
type UnitDesign = (String, f64, f64);

/// Give every contact a new access code, distinct within the batch.
fn with_codes(
    survey_id: &str,
    sample_id: Option<&str>,
    contacts: &[(Contact, Option<UnitDesign>)],
) -> Vec<NewInvitation> {
    let mut used = HashSet::with_capacity(contacts.len());
    contacts
        .iter()
        .map(|(c, design)| {
            let code = loop {
                let code = new_access_code();
                if used.insert(code.clone()) {
                    break code;
                }
            };
            NewInvitation {
                survey_id: survey_id.into(),
                sample_id: sample_id.map(str::to_owned),
                code,
                unit_ref: c.unit_ref.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                name: c.name.clone(),
                address: c.address.clone(),
                language: c.language.clone(),
                stratum: design.as_ref().map(|d| d.0.clone()),
                inclusion_probability: design.as_ref().map(|d| d.1),
                design_weight: design.as_ref().map(|d| d.2),
            }
        })
        .collect()
}

/// How often a batch is tried again when a new access code happens to equal a stored one
/// (40 random bits: rare, but a retry is cheap).
const CODE_ATTEMPTS: usize = 4;

fn survey_id_of(conn: &mut DbConnection, key: &str) -> Result<String, FieldworkError> {
    Ok(storage::surveys::find_survey(conn, key)?
        .ok_or_else(|| FieldworkError::SurveyNotFound(key.into()))?
        .id)
}

/// Store a drawn sample and one invitation per drawn unit, all in one transaction, with an
/// audit event. The frame itself is not stored.
pub fn store_sample(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    sample: &DrawnSample,
    columns: &ContactColumns,
) -> Result<Stored, FieldworkError> {
    let contacts = sample_contacts(sample, columns)?;
    let survey_id = survey_id_of(conn, survey_key)?;
    let plan =
        serde_json::to_string(&sample.plan).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let strata =
        serde_json::to_string(&sample.strata).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let rows: Vec<(Contact, Option<UnitDesign>)> = contacts
        .into_iter()
        .zip(&sample.units)
        .map(|(c, u)| {
            let design = (
                sample.plan[u.stratum].stratum.clone(),
                u.inclusion_probability,
                u.design_weight,
            );
            (c, Some(design))
        })
        .collect();
    let detail = format!(
        "sample of {} from {} rows, {}, seed {}",
        rows.len(),
        sample.frame_rows,
        sample.allocation,
        sample.seed
    );
    retry_codes(|| {
        storage::transaction(conn, |c| {
            let id = storage::samples::insert(
                c,
                &NewSample {
                    survey_id: &survey_id,
                    frame_name: &sample.frame_name,
                    frame_rows: i64::try_from(sample.frame_rows).unwrap_or(i64::MAX),
                    frame_sha256: &sample.frame_sha256,
                    strata: &strata,
                    allocation: &sample.allocation,
                    // Stored bit for bit; read back with `as u64`.
                    seed: sample.seed as i64,
                    plan: &plan,
                    created_by: actor.id,
                },
            )?;
            storage::invitations::insert_many(c, &with_codes(&survey_id, Some(&id), &rows))?;
            actor.record(c, "sample.draw", survey_key, &detail)?;
            Ok::<_, StorageError>(Stored {
                sample_id: Some(id),
                invitations: rows.len(),
            })
        })
    })
}

/// Store a plain list as invitations (no sample, no weights), in one transaction.
pub fn store_list(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    file: &str,
    contacts: Vec<Contact>,
) -> Result<Stored, FieldworkError> {
    let survey_id = survey_id_of(conn, survey_key)?;
    let rows: Vec<(Contact, Option<UnitDesign>)> =
        contacts.into_iter().map(|c| (c, None)).collect();
    let detail = format!("list {file}: {} invitations", rows.len());
    retry_codes(|| {
        storage::transaction(conn, |c| {
            storage::invitations::insert_many(c, &with_codes(&survey_id, None, &rows))?;
            actor.record(c, "invitations.import", survey_key, &detail)?;
            Ok::<_, StorageError>(Stored {
                sample_id: None,
                invitations: rows.len(),
            })
        })
    })
}

fn retry_codes<T>(
    mut attempt: impl FnMut() -> Result<T, StorageError>,
) -> Result<T, FieldworkError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Err(StorageError::Conflict(_)) if tries < CODE_ATTEMPTS => continue,
            other => return Ok(other?),
        }
    }
}

/// The samples drawn for a survey, newest first.
pub fn samples(
    conn: &mut DbConnection,
    survey_key: &str,
) -> Result<Vec<SampleSummary>, FieldworkError> {
    let survey_id = survey_id_of(conn, survey_key)?;
    Ok(storage::samples::for_survey(conn, &survey_id)?
        .into_iter()
        .map(summarize)
        .collect())
}

/// A QR code as an SVG path of its dark modules (runs per row), drawn with maud in the view so
/// nothing unescaped reaches the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side, without the quiet zone.
    pub size: usize,
    /// SVG path data, one `M x y h w v 1 h -w z` per run of dark modules.
    pub path: String,
}

/// Encode `text` as a QR code (error correction M: survives a smudged print).
pub fn qr(text: &str) -> Option<Qr> {
    use std::fmt::Write as _;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let size = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if colors[y * size + x] == qrcode::Color::Dark {
                let start = x;
                while x < size && colors[y * size + x] == qrcode::Color::Dark {
                    x += 1;
                }
                let w = x - start;
                let _ = write!(path, "M{start} {y}h{w}v1h-{w}z");
            } else {
                x += 1;
            }
        }
    }
    Some(Qr { size, path })
}

/// Everything the letters page says about the survey.
#[derive(Debug, Clone)]
pub struct LetterSurvey {
    /// Survey key.
    pub key: String,
    /// Title per language.
    pub title: Text,
    /// Operational options (purpose, controller, contact, closing date).
    pub options: SurveyOptions,
    /// The survey's public address, e.g. `https://enkat.example.se/s/parking`.
    pub url: String,
}

/// One printed letter.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Name on the envelope window.
    pub name: Option<String>,
    /// Address lines.
    pub address: Vec<String>,
    /// `sv` or `en`.
    pub language: String,
    /// Access code, as typed.
    pub code: String,
    /// The link the QR code holds.
    pub link: String,
    /// The QR code.
    pub qr: Option<Qr>,
    /// Whether the unit was drawn in a random sample (the letter says why they were chosen).
    pub sampled: bool,
}

/// The letters of a survey (or one sample): every invitation that has a postal address or no
/// e-mail address, in creation order.
pub struct Letters {
    /// The survey.
    pub survey: LetterSurvey,
    /// One per invited unit.
    pub letters: Vec<Letter>,
}

/// Who gets a letter: a postal address, or nothing else to reach them by.
pub fn wants_letter(i: &Invitation) -> bool {
    i.address.is_some() || i.email.is_none()
}

/// Gather the letters for a survey; `base_url` is the site's address (no trailing slash).
pub fn letters(
    conn: &mut DbConnection,
    survey_key: &str,
    sample_id: Option<&str>,
    base_url: &str,
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
        },
        letters,
    })
}

/// A draw form that could not be understood (before the frame is read).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// No file was chosen.
    #[error("choose a CSV file")]
    NoFile,
    /// No stratification column.
    #[error("name at least one stratification column")]
    NoStrata,
    /// A number field that is not a number.
    #[error("'{value}' in {field} is not a number")]
    NotANumber {
        /// The field's label.
        field: &'static str,
        /// What was typed.
        value: Echoed,
    },
    /// The allocation needs a size.
    #[error("{0} allocation needs n")]
    NeedsN(&'static str),
    /// Proportional allocation needs n or a rate, not both.
    #[error("proportional allocation needs either n or a sampling rate")]
    NeedsNOrRate,
    /// Neyman allocation needs the sd column.
    #[error("Neyman allocation needs the column with the expected standard deviation")]
    NeedsSd,
    /// An unknown allocation.
    #[error("unknown allocation '{0}'")]
    UnknownAllocation(Echoed),
}

impl InputError {
    /// The message in Swedish (`sv`) or English.
    pub fn message(&self, sv: bool) -> String {
        if !sv {
            return self.to_string();
        }
        match self {
            InputError::NoFile => "Välj en CSV-fil.".into(),
            InputError::NoStrata => "Ange minst en stratifieringskolumn.".into(),
            InputError::NotANumber { field, value } => {
                format!("'{value}' i fältet {field} är inte ett tal.")
            }
            InputError::NeedsN(kind) => format!("Fördelningen {kind} behöver n."),
            InputError::NeedsNOrRate => {
                "Proportionell fördelning behöver antingen n eller en urvalsandel.".into()
            }
            InputError::NeedsSd => {
                "Neyman-fördelning behöver kolumnen med förväntad standardavvikelse.".into()
            }
            InputError::UnknownAllocation(a) => format!("Okänd fördelning '{a}'."),
        }
    }
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Its name as the browser sent it (for messages).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(|s| s.trim()).unwrap_or("")
}

fn number<T: std::str::FromStr>(
    fields: &HashMap<String, String>,
    name: &'static str,
) -> Result<Option<T>, InputError> {
    let raw = field(fields, name);
    if raw.is_empty() {
        return Ok(None);
    }
    raw.replace(',', ".")
        .parse()
        .map(Some)
        .map_err(|_| InputError::NotANumber {
            field: name,
            value: raw.into(),
        })
}

/// The contact columns named in a form (`col_id`, `col_email`, …; empty: the default name).
pub fn contact_columns(fields: &HashMap<String, String>) -> ContactColumns {
    let d = ContactColumns::default();
    let pick = |name: &str, default: String| {
        let v = field(fields, name);
        if v.is_empty() {
            default
        } else {
            v.to_owned()
        }
    };
    ContactColumns {
        id: pick("col_id", d.id),
        email: pick("col_email", d.email),
        phone: pick("col_phone", d.phone),
        name: pick("col_name", d.name),
        address: pick("col_address", d.address),
        language: pick("col_language", d.language),
    }
}

/// Parse the draw form's fields: `strata` (comma-separated), `allocation`
/// (fixed|proportional|neyman), `n`, `rate`, `sd_column`, `seed` (empty: a random one).
pub fn draw_spec(fields: &HashMap<String, String>) -> Result<DrawSpec, InputError> {
    let strata: Vec<String> = field(fields, "strata")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if strata.is_empty() {
        return Err(InputError::NoStrata);
    }
    let n: Option<usize> = number(fields, "n")?;
    let rate: Option<f64> = number(fields, "rate")?;
    let allocation = match field(fields, "allocation") {
        "fixed" => AllocationSpec::Fixed(n.ok_or(InputError::NeedsN("fixed"))?),
        "proportional" | "" => match (n, rate) {
            (Some(n), None) => AllocationSpec::Proportional(n),
            (None, Some(r)) => AllocationSpec::Rate(r),
            _ => return Err(InputError::NeedsNOrRate),
        },
        "neyman" => {
            let sd = field(fields, "sd_column");
            if sd.is_empty() {
                return Err(InputError::NeedsSd);
            }
            AllocationSpec::Neyman {
                n: n.ok_or(InputError::NeedsN("Neyman"))?,
                sd_column: sd.into(),
            }
        }
        other => return Err(InputError::UnknownAllocation(other.into())),
    };
    // A random seed is kept small enough to type back in.
    let seed = number::<u64>(fields, "seed")?.unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let id = field(fields, "col_id");
    Ok(DrawSpec {
        strata,
        allocation,
        id_column: (!id.is_empty()).then(|| id.to_owned()),
        seed,
        max_rows: MAX_FRAME_ROWS,
    })
}

/// A drawn and stored sample, for the result page.
#[derive(Debug, Clone)]
pub struct DrawOutcome {
    /// The allocation table.
    pub plan: Vec<StratumPlan>,
    /// Frame rows read.
    pub frame_rows: usize,
    /// The seed used.
    pub seed: u64,
    /// The stored sample and its invitations.
    pub stored: Stored,
}

/// The web draw: parse the form, read and check the frame, draw, and store the sample with its
/// invitations in one transaction. Refused input is [`FieldworkError::Input`] or
/// [`FieldworkError::Frame`], and then nothing is stored.
pub fn draw_from_form(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    fields: &HashMap<String, String>,
    upload: Option<&Upload>,
    max_rows: usize,
) -> Result<DrawOutcome, FieldworkError> {
    survey_id_of(conn, survey_key)?;
    let mut spec = draw_spec(fields)?;
    spec.max_rows = max_rows;
    let upload = upload
        .filter(|u| !u.bytes.is_empty())
        .ok_or(InputError::NoFile)?;
    let sample = draw_sample(&upload.name, &upload.bytes, &spec)?;
    let stored = store_sample(conn, actor, survey_key, &sample, &contact_columns(fields))?;
    Ok(DrawOutcome {
        plan: sample.plan,
        frame_rows: sample.frame_rows,
        seed: sample.seed,
        stored,
    })
}

/// The web list upload: parse the list and store one invitation per row, in one transaction.
pub fn list_from_form(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    fields: &HashMap<String, String>,
    upload: Option<&Upload>,
    max_rows: usize,
) -> Result<Stored, FieldworkError> {
    survey_id_of(conn, survey_key)?;
    let upload = upload
        .filter(|u| !u.bytes.is_empty())
        .ok_or(InputError::NoFile)?;
    let contacts = parse_list(
        &upload.name,
        &upload.bytes,
        &contact_columns(fields),
        max_rows,
    )?;
    store_list(conn, actor, survey_key, &upload.name, contacts)
}

/// What the fieldwork page shows.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Survey key.
    pub key: String,
    /// Title of the newest version.
    pub title: Text,
    /// The counts.
    pub counts: storage::fieldwork::FieldworkCounts,
    /// Samples drawn, newest first.
    pub samples: Vec<SampleSummary>,
}

/// Gather the fieldwork page.
pub fn overview(conn: &mut DbConnection, survey_key: &str) -> Result<Overview, FieldworkError> {
    let record = storage::surveys::find_survey(conn, survey_key)?
        .ok_or_else(|| FieldworkError::SurveyNotFound(survey_key.into()))?;
    let title = storage::surveys::list_versions(conn, &record.id)?
        .pop()
        .map(|v| v.survey.title)
        .unwrap_or_default();
    Ok(Overview {
        key: record.key,
        title,
        counts: storage::fieldwork::counts(conn, &record.id)?,
        samples: storage::samples::for_survey(conn, &record.id)?
            .into_iter()
            .map(summarize)
            .collect(),
    })
}

/// A unit's stratum key → N_h, from a stored plan (for the finite-population correction).
pub fn population_by_stratum(plan: &[StratumPlan]) -> BTreeMap<String, usize> {
    plan.iter()
        .map(|p| (p.stratum.clone(), p.population))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(strata: &[&str], allocation: AllocationSpec) -> DrawSpec {
        DrawSpec {
            strata: strata.iter().map(|s| s.to_string()).collect(),
            allocation,
            id_column: None,
            seed: 42,
            max_rows: MAX_FRAME_ROWS,
        }
    }

    fn frame(rows: usize) -> String {
        let mut s = String::from("id,district,email\n");
        for i in 0..rows {
            let d = if i % 4 == 0 { "kista" } else { "bromma" };
            s.push_str(&format!("u{i},{d},u{i}@example.se\n"));
        }
        s
    }

    #[test]
    fn the_same_seed_gives_the_same_units_and_probabilities_are_n_over_n() {
        let f = frame(400);
        let a = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Proportional(40)),
        )
        .unwrap();
        let b = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Proportional(40)),
        )
        .unwrap();
        let ids = |s: &DrawnSample| {
            s.units
                .iter()
                .map(|u| u.fields[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.units.len(), 40);
        for u in &a.units {
            let p = &a.plan[u.stratum];
            assert_eq!(
                u.inclusion_probability,
                p.sample as f64 / p.population as f64
            );
            assert_eq!(u.fields[1], p.stratum);
        }
        let mut other = spec(&["district"], AllocationSpec::Proportional(40));
        other.seed = 43;
        let c = draw_sample("f.csv", f.as_bytes(), &other).unwrap();
        assert_ne!(ids(&a), ids(&c));
    }

    #[test]
    fn quoted_rows_with_line_breaks_are_read_back_whole() {
        let f = "id,district,address\n1,a,\"Storgatan 1\n111 22 Stockholm\"\n2,a,x\n3,b,y\n";
        let s = draw_sample(
            "f.csv",
            f.as_bytes(),
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap();
        assert_eq!(s.units.len(), 2);
        assert!(s.units.iter().all(|u| u.fields.len() == 3));
    }

    #[test]
    fn bad_frames_name_the_row_and_column() {
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n",
            &spec(&["kommun"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("no column 'kommun' (columns: id, district)"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n2,b\n1,a\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("row 4") && e.to_string().contains("first on row 2"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,S\xf6der\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2, column 'district': not valid UTF-8"),
            "{e}"
        );
        let e = draw_sample(
            "f.csv",
            b"id,district\n",
            &spec(&["district"], AllocationSpec::Fixed(1)),
        )
        .unwrap_err();
        assert!(matches!(e, FrameError::Empty { .. }), "{e}");
        let e = draw_sample(
            "f.csv",
            b"id,district\n1,a\n2,a\n3,b\n",
            &spec(&["district"], AllocationSpec::Fixed(2)),
        )
        .unwrap_err();
        assert!(e.to_string().contains("stratum 'b' has 1 units"), "{e}");
        let mut small = spec(&["district"], AllocationSpec::Fixed(1));
        small.max_rows = 2;
        let e = draw_sample("f.csv", b"id,district\n1,a\n2,a\n3,b\n", &small).unwrap_err();
        assert!(e.to_string().contains("more than 2 rows"), "{e}");
        assert!(e.message(true).contains("fler än 2 rader"));
    }

    #[test]
    fn a_list_needs_a_way_to_reach_each_row_and_no_repeats() {
        let c = ContactColumns::default();
        let l = parse_list("l.csv", b"email,language\na@x.se,en\nb@x.se,\n", &c, 10).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].language.as_str(), l[1].language.as_str()),
            ("en", "sv")
        );
        let e = parse_list("l.csv", b"email\na@x.se\nA@x.se\n", &c, 10).unwrap_err();
        assert!(
            e.to_string().contains("row 3") && e.to_string().contains("row 2"),
            "{e}"
        );
        let e = parse_list("l.csv", b"email,name\n,Anna\n", &c, 10).unwrap_err();
        assert!(matches!(e, FrameError::NoContact { row: 2, .. }), "{e}");
        let e = parse_list("l.csv", b"name\nAnna\n", &c, 10).unwrap_err();
        assert!(matches!(e, FrameError::MissingColumn { .. }), "{e}");
    }

    #[test]
    fn a_qr_code_has_dark_modules_inside_its_size() {
        let q = qr("https://example.se/s/parking?code=7K3F-Q2TB").unwrap();
        assert!(q.size >= 21);
        assert!(q.path.starts_with('M') && q.path.contains('h'));
    }
}
