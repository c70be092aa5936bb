//! Reading an XLSForm workbook into a draft [`Survey`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxFormulaMetadata};

use super::{
    bounded, language_code, ImportErrors, Imported, Issue, MAX_CELLS, MAX_COLUMNS, MAX_INPUT_BYTES,
    MAX_ROWS, MAX_SHEETS, MAX_TEXT_BYTES,
};
use crate::domain::expr::{format_number, Expression};
use crate::domain::survey::{
    check::is_valid_key, Choice, ChoiceAppearance, Page, Question, QuestionKind, Row, Scale,
    Settings, Survey, Text, VersionStatus, DONT_KNOW,
};

/// One header cell: its text, the base name (normalised) and the language suffix, if any.
struct Header {
    raw: String,
    base: String,
    lang: Option<String>,
}

/// A sheet as text cells, with the spreadsheet row number of each row.
struct Sheet {
    name: String,
    headers: Vec<Header>,
    rows: Vec<(u32, Vec<String>)>,
}

impl Sheet {
    fn col(&self, base: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.base == base && h.lang.is_none())
    }

    fn get<'a>(&self, cells: &'a [String], base: &str) -> &'a str {
        self.col(base)
            .and_then(|c| cells.get(c))
            .map_or("", |s| s.as_str())
    }

    /// Every language variant of a text column; a column without a language is `default_lang`.
    fn text(&self, cells: &[String], base: &str, default_lang: &str) -> Text {
        let mut t = BTreeMap::new();
        for (i, h) in self.headers.iter().enumerate() {
            if h.base != base {
                continue;
            }
            let Some(v) = cells.get(i).filter(|v| !v.is_empty()) else {
                continue;
            };
            let lang = h.lang.clone().unwrap_or_else(|| default_lang.to_owned());
            t.entry(lang).or_insert_with(|| v.clone());
        }
        Text(t)
    }

    fn languages(&self, bases: &[&str], out: &mut Vec<String>) {
        for h in &self.headers {
            if let Some(l) = &h.lang {
                if bases.contains(&h.base.as_str()) && !out.contains(l) {
                    out.push(l.clone());
                }
            }
        }
    }

    fn has_unlabelled_text(&self, bases: &[&str]) -> bool {
        self.headers
            .iter()
            .any(|h| h.lang.is_none() && bases.contains(&h.base.as_str()))
    }
}

struct Ctx {
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Ctx {
    fn error(&mut self, sheet: &str, row: Option<u32>, col: Option<&str>, msg: impl Into<String>) {
        self.errors.push(Issue::new(sheet, row, col, msg));
    }
    fn warn(&mut self, sheet: &str, row: Option<u32>, col: Option<&str>, msg: impl Into<String>) {
        self.warnings.push(Issue::new(sheet, row, col, msg));
    }
    fn fail(self) -> ImportErrors {
        ImportErrors {
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

fn normalise_base(base: &str) -> String {
    let b = base.trim().to_lowercase().replace(' ', "_");
    match b.as_str() {
        "jr:constraintmsg" | "constraint_msg" => "constraint_message".into(),
        "jr:requiredmsg" | "requiredmsg" => "required_message".into(),
        "constraintmsg" => "constraint_message".into(),
        "relevance" => "relevant".into(),
        "value" => "name".into(),
        "list" => "list_name".into(),
        _ => b,
    }
}

/// Splits `label::English (en)` (and the older `label:English`) into base and language code.
fn split_header(raw: &str) -> (String, Option<String>) {
    if let Some((base, lang)) = raw.split_once("::") {
        return (normalise_base(base), Some(language_code(lang)));
    }
    if let Some((base, lang)) = raw.split_once(':') {
        let b = normalise_base(base);
        if matches!(
            b.as_str(),
            "label"
                | "hint"
                | "constraint_message"
                | "required_message"
                | "media"
                | "guidance_hint"
        ) {
            return (b, Some(language_code(lang)));
        }
    }
    (normalise_base(raw), None)
}

fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_number(*f),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(dt) => format_number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell contains the spreadsheet error {e:?}")),
    })
}

/// One sheet as streamed from the workbook: filled cells as rows of texts from column A (0-based
/// row → cells), formulas, and the cells holding a spreadsheet error, all by 0-based position.
#[derive(Default)]
struct RawSheet {
    rows: BTreeMap<u32, Vec<String>>,
    /// The leftmost column with a value.
    col0: usize,
    formulas: Vec<((u32, u32), Formula)>,
    /// Shared formulas by their index, as written on their first cell.
    shared: HashMap<usize, String>,
    bad: BTreeMap<(u32, u32), String>,
}

/// A formula cell: its own text, or a copy of the shared formula with this index.
enum Formula {
    Own(String),
    Copy(usize),
}

/// Streams one sheet cell by cell, stopping at the first cell over [`MAX_ROWS`],
/// [`MAX_COLUMNS`], [`MAX_CELLS`] or [`MAX_TEXT_BYTES`]. calamine's `worksheet_range` would
/// allocate the whole bounding box first (A1 and XFD1048576 make 2^34 cells), and its declared
/// `dimension` can lie, so only cells that exist are held, and only up to the limits.
fn stream_sheet(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<RawSheet, Issue> {
    let unreadable = |e: calamine::XlsxError| {
        Issue::new(name, None, None, format!("cannot read the sheet: {e}"))
    };
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        // A chart sheet named `survey` reads as an empty sheet, as calamine's ranges do.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(RawSheet::default()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut raw = RawSheet::default();
    let (mut cells, mut text_bytes) = (0usize, 0usize);
    // The metadata variant: it does not expand shared formulas, so a hostile `si` index cannot
    // make calamine allocate a table of that size.
    while let Some(cell) = reader
        .next_cell_with_formula_metadata()
        .map_err(unreadable)?
    {
        let (row, col) = cell.pos;
        let formula = cell.formula.map(|f| match f {
            XlsxFormulaMetadata::Normal { formula } => Formula::Own(formula),
            XlsxFormulaMetadata::Shared {
                shared_index,
                formula,
                ..
            } => {
                raw.shared.insert(shared_index, formula.clone());
                Formula::Own(formula)
            }
            XlsxFormulaMetadata::SharedDerived { shared_index } => Formula::Copy(shared_index),
            // The enum is non-exhaustive; a kind calamine adds later is still a formula.
            _ => Formula::Own(String::new()),
        });
        if cell.value == DataRef::Empty && formula.is_none() {
            continue;
        }
        let at = format!("{}{}", col_letter(col as usize), u64::from(row) + 1);
        if row as usize >= MAX_ROWS {
            return Err(Issue::new(
                name,
                Some(row.saturating_add(1)),
                None,
                format!(
                    "the sheet has a cell at row {} ({at}); at most {MAX_ROWS} rows are read",
                    u64::from(row) + 1
                ),
            ));
        }
        if col as usize >= MAX_COLUMNS {
            return Err(Issue::new(
                name,
                Some(row + 1),
                None,
                format!(
                    "the sheet has a cell in column {} ({at}); at most {MAX_COLUMNS} columns (A to {}) are read",
                    col_letter(col as usize),
                    col_letter(MAX_COLUMNS - 1)
                ),
            ));
        }
        let text = match Data::from(cell.value) {
            Data::Empty => None,
            d => Some(cell_text(&d)),
        };
        text_bytes += match &formula {
            Some(Formula::Own(f)) => f.len(),
            _ => 0,
        };
        text_bytes += text
            .as_ref()
            .map_or(0, |t| t.as_ref().map_or(0, String::len));
        if text_bytes > MAX_TEXT_BYTES {
            return Err(Issue::new(
                name,
                Some(row + 1),
                None,
                format!(
                    "the sheet has more than {MAX_TEXT_BYTES} bytes (10 MB) of text (passed at cell {at}); at most that much is read"
                ),
            ));
        }
        if let Some(f) = formula {
            raw.formulas.push(((row, col), f));
        }
        let Some(text) = text else { continue };
        raw.col0 = if raw.rows.is_empty() {
            col as usize
        } else {
            raw.col0.min(col as usize)
        };
        let cells_of_row = raw.rows.entry(row).or_default();
        let width = col as usize + 1;
        if cells_of_row.len() < width {
            cells += width - cells_of_row.len();
            if cells > MAX_CELLS {
                return Err(Issue::new(
                    name,
                    Some(row + 1),
                    None,
                    format!(
                        "the sheet has more than {MAX_CELLS} cells (passed at cell {at}, counting the empty cells left of the last filled cell of each row); at most that many are read"
                    ),
                ));
            }
            cells_of_row.resize(width, String::new());
        }
        match text {
            Ok(t) => cells_of_row[col as usize] = t,
            Err(msg) => {
                cells_of_row[col as usize] = String::new();
                raw.bad.insert((row, col), msg);
            }
        }
    }
    raw.formulas.sort_by_key(|(pos, _)| *pos);
    Ok(raw)
}

fn read_sheet(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str, cx: &mut Ctx) -> Option<Sheet> {
    let raw = match stream_sheet(wb, name) {
        Ok(raw) => raw,
        Err(issue) => {
            cx.errors.push(issue);
            return None;
        }
    };
    // The table starts at the first filled row and the leftmost filled column, as calamine's
    // ranges do: a form pasted at B3 has its headers in row 3 from column B.
    let row0 = raw.rows.keys().next().copied().unwrap_or(0);
    let col0 = raw.col0;
    let mut rows = raw.rows.into_iter().map(|(r, mut cells)| {
        cells.drain(..col0.min(cells.len()));
        (r, cells)
    });
    let header_cells = match rows.next() {
        Some((r, cells)) if r == row0 => cells,
        _ => Vec::new(),
    };
    let mut headers = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, raw_text) in header_cells.into_iter().enumerate() {
        let (base, lang) = split_header(&raw_text);
        if !raw_text.is_empty() && !seen.insert((base.clone(), lang.clone())) {
            let col = col0 + i;
            cx.error(
                name,
                Some(row0 + 1),
                Some(&raw_text),
                format!(
                    "duplicate column header '{raw_text}' (column {})",
                    col_letter(col)
                ),
            );
        }
        headers.push(Header {
            raw: raw_text,
            base,
            lang,
        });
    }
    for ((r, c), f) in &raw.formulas {
        let (f, copy) = match f {
            Formula::Own(f) => (f.as_str(), false),
            Formula::Copy(i) => (raw.shared.get(i).map_or("", String::as_str), true),
        };
        // Excel writes typed booleans as TRUE()/FALSE() formulas; their cached value is what we read.
        let boolean = matches!(
            f.trim().to_uppercase().as_str(),
            "TRUE()" | "FALSE()" | "TRUE" | "FALSE"
        );
        if boolean || (f.is_empty() && !copy) {
            continue;
        }
        let col = *c as usize;
        let header = col
            .checked_sub(col0)
            .and_then(|i| headers.get(i))
            .map(|h| h.raw.clone());
        let what = match (f.is_empty(), copy) {
            (true, _) => "a shared formula".to_owned(),
            (false, true) => format!("a copy of the shared formula '={f}'"),
            (false, false) => format!("the formula '={f}'"),
        };
        cx.error(
            name,
            Some(r + 1),
            header.as_deref(),
            format!(
                "cell {}{} contains {what}; formulas are not supported, paste the values instead",
                col_letter(col),
                r + 1
            ),
        );
    }
    let mut out = Vec::new();
    for (r, texts) in rows {
        let excel_row = r + 1;
        for ((_, c), msg) in raw.bad.range((r, 0)..=(r, u32::MAX)) {
            let h = (*c as usize)
                .checked_sub(col0)
                .and_then(|i| headers.get(i))
                .map(|h| h.raw.clone());
            cx.error(name, Some(excel_row), h.as_deref(), msg.clone());
        }
        if texts.iter().any(|t| !t.is_empty()) {
            out.push((excel_row, texts));
        }
    }
    Some(Sheet {
        name: name.to_owned(),
        headers,
        rows: out,
    })
}

fn col_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "relevant",
    "constraint",
    "constraint_message",
    "required",
    "required_message",
    "calculation",
    "appearance",
    "default",
    "parameters",
    "insikt",
];
const CHOICE_COLUMNS: &[&str] = &["list_name", "name", "label", "exclusive"];
const SETTINGS_COLUMNS: &[&str] = &[
    "form_title",
    "form_id",
    "version",
    "default_language",
    "insikt",
];

/// Warns once per column we do not understand that has any content.
fn warn_unknown_columns(sheet: &Sheet, known: &[&str], cx: &mut Ctx) {
    for (i, h) in sheet.headers.iter().enumerate() {
        if known.contains(&h.base.as_str()) {
            continue;
        }
        let used: Vec<u32> = sheet
            .rows
            .iter()
            .filter(|(_, cells)| cells.get(i).is_some_and(|c| !c.is_empty()))
            .map(|(r, _)| *r)
            .collect();
        if let Some(first) = used.first() {
            let label = if h.raw.is_empty() {
                col_letter(i)
            } else {
                h.raw.clone()
            };
            cx.warn(
                &sheet.name,
                Some(*first),
                Some(&label),
                format!(
                    "column '{label}' is not supported and was ignored ({} non-empty cell(s))",
                    used.len()
                ),
            );
        }
    }
}

/// Settings and Insikt metadata from the settings sheet.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct InsiktMeta {
    key: Option<String>,
    version: Option<u32>,
    status: Option<VersionStatus>,
    languages: Option<Vec<String>>,
    title: Option<Text>,
    intro: Option<Text>,
    thanks: Option<Text>,
    settings: Option<Settings>,
}

/// Parses an XLSForm workbook. Returns the survey (always a draft) and warnings, or every error found.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportErrors> {
    let mut cx = Ctx {
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if bytes.len() > MAX_INPUT_BYTES {
        cx.error(
            "",
            None,
            None,
            format!(
                "the file is {} bytes; the limit is {MAX_INPUT_BYTES} bytes (10 MB)",
                bytes.len()
            ),
        );
        return Err(cx.fail());
    }
    // Before calamine sees the file: it inflates whole parts and trusts declared counts.
    if let Err(msg) = bounded::check_archive(bytes) {
        cx.error("", None, None, msg);
        return Err(cx.fail());
    }
    let mut wb = match Xlsx::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => {
            cx.error(
                "",
                None,
                None,
                format!(
                    "not a readable .xlsx workbook (an XLSForm must be an Excel .xlsx file): {e}"
                ),
            );
            return Err(cx.fail());
        }
    };
    let names = wb.sheet_names();
    if names.len() > MAX_SHEETS {
        cx.error(
            "",
            None,
            None,
            format!(
                "the workbook has {} sheets; at most {MAX_SHEETS} are read (an XLSForm needs three)",
                names.len()
            ),
        );
        return Err(cx.fail());
    }
    let find = |want: &str| {
        names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(want))
            .cloned()
    };
    let Some(survey_name) = find("survey") else {
        cx.error(
            "",
            None,
            None,
            format!(
                "the workbook has no 'survey' sheet (sheets: {})",
                names.join(", ")
            ),
        );
        return Err(cx.fail());
    };
    for n in &names {
        let l = n.trim().to_lowercase();
        if !matches!(l.as_str(), "survey" | "choices" | "settings") {
            cx.warn(
                n,
                None,
                None,
                format!("sheet '{n}' is not part of XLSForm and was ignored"),
            );
        }
    }
    let survey_sheet = read_sheet(&mut wb, &survey_name, &mut cx);
    let choices_sheet = find("choices").and_then(|n| read_sheet(&mut wb, &n, &mut cx));
    let settings_sheet = find("settings").and_then(|n| read_sheet(&mut wb, &n, &mut cx));
    let Some(survey_sheet) = survey_sheet else {
        return Err(cx.fail());
    };
    if survey_sheet.col("type").is_none() {
        cx.error(
            &survey_sheet.name,
            None,
            Some("type"),
            "the survey sheet has no 'type' column",
        );
        return Err(cx.fail());
    }
    warn_unknown_columns(&survey_sheet, SURVEY_COLUMNS, &mut cx);

    // Settings first: they name the default language and carry Insikt metadata.
    let mut meta = InsiktMeta::default();
    let mut form_title = String::new();
    let mut form_id = String::new();
    let mut version_cell = String::new();
    let mut default_lang: Option<String> = None;
    if let Some(s) = &settings_sheet {
        warn_unknown_columns(s, SETTINGS_COLUMNS, &mut cx);
        if let Some((row, cells)) = s.rows.first() {
            form_title = s.get(cells, "form_title").to_owned();
            form_id = s.get(cells, "form_id").to_owned();
            version_cell = s.get(cells, "version").to_owned();
            let dl = s.get(cells, "default_language");
            if !dl.is_empty() {
                default_lang = Some(language_code(dl));
            }
            let json = s.get(cells, "insikt");
            if !json.is_empty() {
                match serde_json::from_str(json) {
                    Ok(m) => meta = m,
                    Err(e) => cx.warn(
                        &s.name,
                        Some(*row),
                        Some("insikt"),
                        format!("Insikt metadata ignored: {e}"),
                    ),
                }
            }
        }
    }
    let text_bases = ["label", "hint", "constraint_message", "required_message"];
    let default_lang = match default_lang {
        Some(l) => l,
        None => {
            let unlabelled = survey_sheet.has_unlabelled_text(&text_bases)
                || choices_sheet
                    .as_ref()
                    .is_some_and(|c| c.has_unlabelled_text(&["label"]));
            if unlabelled {
                cx.warn(
                    &survey_sheet.name,
                    None,
                    Some("label"),
                    "texts without a language (plain 'label') are taken as English (en); set default_language in the settings sheet to change this",
                );
            }
            "en".to_owned()
        }
    };

    let lists = read_choices(choices_sheet.as_ref(), &default_lang, &mut cx);
    let mut b = Builder {
        sheet: &survey_sheet,
        lang: default_lang.clone(),
        pages: Vec::new(),
        stack: Vec::new(),
        implicit: None,
        question_names: HashMap::new(),
        group_names: HashMap::new(),
        list_uses: HashMap::new(),
        rating_lists: HashMap::new(),
        lists: &lists,
    };
    for (row, cells) in &survey_sheet.rows {
        b.row(*row, cells, &mut cx);
    }
    for f in &b.stack {
        cx.error(
            &survey_sheet.name,
            Some(f.row),
            Some("type"),
            format!("'begin group' '{}' has no matching 'end group'", f.name),
        );
    }
    if let Some(p) = b.implicit.take() {
        b.pages.push(p);
    }
    let pages = std::mem::take(&mut b.pages);
    let mut choice_lists = lists.clone();
    // Lists that only served as likert scales became rating scales and are not needed any more.
    for (list, n) in &b.rating_lists {
        if b.list_uses.get(list) == Some(n) {
            choice_lists.remove(list);
        }
    }

    let mut languages = meta.languages.clone().unwrap_or_default();
    if languages.is_empty() {
        languages.push(default_lang.clone());
        survey_sheet.languages(&text_bases, &mut languages);
        if let Some(c) = &choices_sheet {
            c.languages(&["label"], &mut languages);
        }
    }
    let key = meta.key.clone().unwrap_or_else(|| {
        slug(if form_id.is_empty() {
            "imported-form"
        } else {
            &form_id
        })
    });
    let version = match meta.version {
        Some(v) => v,
        None if version_cell.is_empty() => 1,
        None => version_cell.parse().unwrap_or_else(|_| {
            cx.warn(
                settings_sheet.as_ref().map_or("settings", |s| s.name.as_str()),
                Some(2),
                Some("version"),
                format!("version '{version_cell}' is not a whole number that fits; imported as version 1"),
            );
            1
        }),
    };
    let title = meta.title.clone().unwrap_or_else(|| {
        let t = if form_title.is_empty() {
            form_id.clone()
        } else {
            form_title.clone()
        };
        if t.is_empty() {
            Text::default()
        } else {
            Text(BTreeMap::from([(default_lang.clone(), t)]))
        }
    });
    let mut settings = meta.settings.clone().unwrap_or_default();
    if meta.settings.is_none() && !form_id.is_empty() && form_id != key {
        settings.form_id = Some(form_id.clone());
    }
    if meta.status.is_some_and(|s| s != VersionStatus::Draft) {
        cx.warn(
            settings_sheet
                .as_ref()
                .map_or("settings", |s| s.name.as_str()),
            Some(2),
            Some("insikt"),
            "the form was exported from a published version; it is imported as a draft",
        );
    }
    if !cx.errors.is_empty() {
        return Err(cx.fail());
    }
    let survey = Survey {
        key,
        version,
        status: VersionStatus::Draft,
        default_language: default_lang,
        languages,
        title,
        intro: meta.intro.unwrap_or_default(),
        thanks: meta.thanks.unwrap_or_default(),
        settings,
        choice_lists,
        pages,
    };
    Ok(Imported {
        survey,
        warnings: cx.warnings,
    })
}

fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.chars().next().is_some_and(char::is_alphabetic) {
        out.insert_str(0, "form-");
    }
    out
}

fn read_choices(sheet: Option<&Sheet>, lang: &str, cx: &mut Ctx) -> BTreeMap<String, Vec<Choice>> {
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    let Some(s) = sheet else { return lists };
    warn_unknown_columns(s, CHOICE_COLUMNS, cx);
    if s.rows.is_empty() {
        return lists;
    }
    if s.col("list_name").is_none() || s.col("name").is_none() {
        cx.error(
            &s.name,
            None,
            None,
            "the choices sheet needs 'list_name' and 'name' columns",
        );
        return lists;
    }
    for (row, cells) in &s.rows {
        let list = s.get(cells, "list_name");
        let name = s.get(cells, "name");
        if list.is_empty() {
            cx.error(
                &s.name,
                Some(*row),
                Some("list_name"),
                "choice without a list name",
            );
            continue;
        }
        if name.is_empty() {
            cx.error(
                &s.name,
                Some(*row),
                Some("name"),
                format!("choice in list '{list}' without a name"),
            );
            continue;
        }
        let entry = lists.entry(list.to_owned()).or_default();
        if entry.iter().any(|c| c.value == name) {
            cx.error(
                &s.name,
                Some(*row),
                Some("name"),
                format!("duplicate choice name '{name}' in list '{list}'"),
            );
            continue;
        }
        entry.push(Choice {
            value: name.to_owned(),
            label: s.text(cells, "label", lang),
            exclusive: is_yes(s.get(cells, "exclusive")),
        });
    }
    lists
}

fn is_yes(s: &str) -> bool {
    matches!(
        s.trim().to_lowercase().as_str(),
        "yes" | "true" | "true()" | "1"
    )
}

fn is_no(s: &str) -> bool {
    matches!(
        s.trim().to_lowercase().as_str(),
        "" | "no" | "false" | "false()" | "0"
    )
}

/// An open group.
struct Frame {
    name: String,
    row: u32,
    kind: FrameKind,
}

enum FrameKind {
    /// A top-level group: the page is being filled.
    Page(Page),
    /// A nested table-list group being collected as a matrix.
    Matrix(Box<MatrixBuilder>),
    /// A nested group or repeat flattened into the page; its relevance is ANDed into its questions.
    Flattened { relevant: Option<String> },
}

/// Matrix fields that a `table-list` group row cannot hold in XLSForm columns (exported as `insikt` JSON).
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct MatrixExtras {
    required_if: Option<Expression>,
    constraint: Option<Expression>,
    constraint_message: Text,
    required_message: Text,
    randomise_options: bool,
}

struct MatrixBuilder {
    question: Question,
    list: Option<String>,
    rows: Vec<Row>,
    fallback: Vec<Question>,
    all_required: bool,
    ok: bool,
}

struct Builder<'a> {
    sheet: &'a Sheet,
    lang: String,
    pages: Vec<Page>,
    stack: Vec<Frame>,
    implicit: Option<Page>,
    /// Names seen so far (questions and groups separately) with their rows, to report duplicates.
    question_names: HashMap<String, u32>,
    group_names: HashMap<String, u32>,
    /// How many questions use each list, and how many of those became rating scales.
    list_uses: HashMap<String, usize>,
    rating_lists: HashMap<String, usize>,
    lists: &'a BTreeMap<String, Vec<Choice>>,
}

impl Builder<'_> {
    fn text(&self, cells: &[String], base: &str) -> Text {
        self.sheet.text(cells, base, &self.lang)
    }

    fn expr(
        &self,
        cells: &[String],
        base: &str,
        row: u32,
        key: &str,
        cx: &mut Ctx,
    ) -> Option<Expression> {
        let src = self.sheet.get(cells, base);
        if src.is_empty() {
            return None;
        }
        let e = Expression::new(src);
        if let Err(err) = e.ast() {
            cx.warn(
                &self.sheet.name,
                Some(row),
                Some(base),
                format!(
                    "question '{key}': {err} in \"{src}\"; kept as written, publishing is blocked until it is fixed"
                ),
            );
        }
        Some(e)
    }

    fn row(&mut self, row: u32, cells: &[String], cx: &mut Ctx) {
        let sheet = self.sheet;
        let raw_type = sheet.get(cells, "type");
        let name = sheet.get(cells, "name").to_owned();
        if raw_type.is_empty() {
            cx.warn(
                &sheet.name,
                Some(row),
                Some("type"),
                "row without a type was ignored",
            );
            return;
        }
        let tokens: Vec<&str> = raw_type.split_whitespace().collect();
        let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
        // Accept the long spellings ("select one", "begin group", "select all that apply").
        let (keyword, rest): (String, &[&str]) =
            match lower.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["begin", "group", ..] => ("begin_group".into(), &tokens[2..]),
                ["end", "group", ..] => ("end_group".into(), &tokens[2..]),
                ["begin", "repeat", ..] | ["begin", "loop", ..] => {
                    ("begin_repeat".into(), &tokens[2..])
                }
                ["end", "repeat", ..] | ["end", "loop", ..] => ("end_repeat".into(), &tokens[2..]),
                ["select", "one", "from", ..] => ("select_one".into(), &tokens[3..]),
                ["select", "all", "that", "apply", "from", ..] => {
                    ("select_multiple".into(), &tokens[5..])
                }
                ["select", "one", ..] => ("select_one".into(), &tokens[2..]),
                ["select", "multiple", ..] => ("select_multiple".into(), &tokens[2..]),
                ["select", "all", "that", "apply", ..] => ("select_multiple".into(), &tokens[4..]),
                _ => (
                    lower.first().cloned().unwrap_or_default(),
                    tokens.get(1..).unwrap_or(&[]),
                ),
            };
        match keyword.as_str() {
            "begin_group" | "begin_repeat" => {
                self.begin_group(row, cells, &name, keyword == "begin_repeat", cx)
            }
            "end_group" | "end_repeat" => self.end_group(row, cx),
            _ => {
                if name.is_empty() {
                    cx.error(
                        &sheet.name,
                        Some(row),
                        Some("name"),
                        format!("a '{raw_type}' row has no name"),
                    );
                    return;
                }
                if let Some(first) = self.question_names.insert(name.clone(), row) {
                    cx.error(
                        &sheet.name,
                        Some(row),
                        Some("name"),
                        format!("duplicate name '{name}' (first used in row {first})"),
                    );
                }
                if let Some(q) = self.question(row, cells, &keyword, rest, &name, cx) {
                    self.add(q);
                }
            }
        }
    }

    fn begin_group(&mut self, row: u32, cells: &[String], name: &str, repeat: bool, cx: &mut Ctx) {
        let sheet = self.sheet;
        let name = if name.is_empty() {
            cx.warn(
                &sheet.name,
                Some(row),
                Some("name"),
                "group without a name; named after its row",
            );
            format!("group_{row}")
        } else {
            name.to_owned()
        };
        if let Some(first) = self.group_names.insert(name.clone(), row) {
            cx.error(
                &sheet.name,
                Some(row),
                Some("name"),
                format!("duplicate group name '{name}' (first used in row {first})"),
            );
        }
        if repeat {
            cx.warn(
                &sheet.name,
                Some(row),
                Some("type"),
                format!("repeat '{name}' is not supported: its questions are imported once, not repeated"),
            );
        }
        let appearance = sheet.get(cells, "appearance").to_lowercase();
        let relevant = self.expr(cells, "relevant", row, &name, cx);
        if self.stack.is_empty() {
            if let Some(p) = self.implicit.take() {
                self.pages.push(p);
            }
            for a in appearance.split_whitespace() {
                if a != "field-list" {
                    cx.warn(
                        &sheet.name,
                        Some(row),
                        Some("appearance"),
                        format!("appearance '{a}' on page '{name}' is not supported; the group is one page"),
                    );
                }
            }
            let params = sheet.get(cells, "parameters");
            let page = Page {
                key: name.clone(),
                title: self.text(cells, "label"),
                relevant,
                randomise: params.contains("randomize=true"),
                questions: Vec::new(),
            };
            self.stack.push(Frame {
                name,
                row,
                kind: FrameKind::Page(page),
            });
            return;
        }
        if appearance.split_whitespace().any(|a| a == "table-list") && !repeat {
            let mut q = Question::new(
                name.clone(),
                QuestionKind::Matrix {
                    rows: Vec::new(),
                    list: String::new(),
                },
                self.text(cells, "label"),
            );
            q.hint = self.text(cells, "hint");
            q.relevant = relevant;
            let insikt = sheet.get(cells, "insikt");
            if !insikt.is_empty() {
                match serde_json::from_str::<MatrixExtras>(insikt) {
                    Ok(x) => {
                        q.required_if = x.required_if;
                        q.constraint = x.constraint;
                        q.constraint_message = x.constraint_message;
                        q.required_message = x.required_message;
                        q.randomise_options = x.randomise_options;
                    }
                    Err(e) => cx.warn(
                        &sheet.name,
                        Some(row),
                        Some("insikt"),
                        format!("Insikt settings of matrix '{name}' ignored: {e}"),
                    ),
                }
            }
            self.stack.push(Frame {
                name,
                row,
                kind: FrameKind::Matrix(Box::new(MatrixBuilder {
                    question: q,
                    list: None,
                    rows: Vec::new(),
                    fallback: Vec::new(),
                    all_required: true,
                    ok: true,
                })),
            });
            return;
        }
        cx.warn(
            &sheet.name,
            Some(row),
            Some("type"),
            format!("nested group '{name}' is flattened into its page; its relevance applies to each of its questions"),
        );
        self.stack.push(Frame {
            name,
            row,
            kind: FrameKind::Flattened {
                relevant: relevant.map(|e| e.source().to_owned()),
            },
        });
    }

    fn end_group(&mut self, row: u32, cx: &mut Ctx) {
        let Some(frame) = self.stack.pop() else {
            cx.error(
                &self.sheet.name,
                Some(row),
                Some("type"),
                "'end group' without a matching 'begin group'",
            );
            return;
        };
        match frame.kind {
            FrameKind::Page(page) => self.pages.push(page),
            FrameKind::Matrix(m) => {
                let m = *m;
                if m.ok && !m.rows.is_empty() {
                    let mut q = m.question;
                    let list_name = m.list.unwrap_or_default();
                    *self.list_uses.entry(list_name.clone()).or_default() += 1;
                    q.kind = QuestionKind::Matrix {
                        rows: m.rows,
                        list: list_name,
                    };
                    q.required = m.all_required;
                    self.add(q);
                } else {
                    cx.warn(
                        &self.sheet.name,
                        Some(frame.row),
                        Some("appearance"),
                        format!(
                            "table-list group '{}' is not a matrix (its rows are not all single choices on one list); its questions are imported one by one",
                            frame.name
                        ),
                    );
                    for q in m.fallback {
                        self.add(q);
                    }
                }
            }
            FrameKind::Flattened { .. } => {}
        }
    }

    fn add(&mut self, mut q: Question) {
        // Questions inside flattened groups inherit the group's relevance.
        let inherited: Vec<String> = self
            .stack
            .iter()
            .filter_map(|f| match &f.kind {
                FrameKind::Flattened { relevant: Some(r) } => Some(r.clone()),
                _ => None,
            })
            .collect();
        if !inherited.is_empty() {
            let mut parts: Vec<String> = inherited.into_iter().map(|r| format!("({r})")).collect();
            if let Some(own) = &q.relevant {
                parts.push(format!("({})", own.source()));
            }
            q.relevant = Some(Expression::new(parts.join(" and ")));
        }
        for f in self.stack.iter_mut().rev() {
            match &mut f.kind {
                FrameKind::Matrix(m) => {
                    let prefix = format!("{}_", m.question.key);
                    m.all_required &= q.required;
                    match &q.kind {
                        QuestionKind::SingleChoice {
                            list, other: false, ..
                        } if m.list.as_ref().is_none_or(|l| l == list)
                            && q.relevant.is_none()
                            && q.constraint.is_none() =>
                        {
                            m.list = Some(list.clone());
                            let key = q.key.strip_prefix(&prefix).unwrap_or(&q.key).to_owned();
                            m.rows.push(Row {
                                key,
                                label: q.label.clone(),
                            });
                            // The row no longer counts as a separate use of its list.
                            if let Some(n) = self.list_uses.get_mut(list) {
                                *n = n.saturating_sub(1);
                            }
                        }
                        _ => m.ok = false,
                    }
                    m.fallback.push(q);
                    return;
                }
                FrameKind::Page(p) => {
                    p.questions.push(q);
                    return;
                }
                FrameKind::Flattened { .. } => {}
            }
        }
        let n = self.pages.len() + 1;
        self.implicit
            .get_or_insert_with(|| Page {
                key: format!("page{n}"),
                title: Text::default(),
                relevant: None,
                randomise: false,
                questions: Vec::new(),
            })
            .questions
            .push(q);
    }

    fn question(
        &mut self,
        row: u32,
        cells: &[String],
        keyword: &str,
        rest: &[&str],
        name: &str,
        cx: &mut Ctx,
    ) -> Option<Question> {
        let sheet = self.sheet;
        let sname = sheet.name.clone();
        let appearance = sheet.get(cells, "appearance").to_lowercase();
        let appearances: Vec<&str> = appearance.split_whitespace().collect();
        let mut used_appearance: Vec<&str> = Vec::new();
        let list_arg = |cx: &mut Ctx| -> Option<String> {
            match rest.first() {
                Some(l) => {
                    if !self.lists.contains_key(*l) {
                        cx.error(
                            &sname,
                            Some(row),
                            Some("type"),
                            format!("question '{name}' uses the choice list '{l}', which is not on the choices sheet"),
                        );
                    }
                    Some((*l).to_owned())
                }
                None => {
                    cx.error(
                        &sname,
                        Some(row),
                        Some("type"),
                        format!("'{keyword}' needs a list name"),
                    );
                    None
                }
            }
        };
        let tail: Vec<String> = rest.iter().skip(1).map(|t| t.to_lowercase()).collect();
        let or_other = matches!(
            tail.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ["or_other"] | ["or", "specify", "other"]
        );
        let mut kind = match keyword {
            "note" => QuestionKind::Note,
            "select_one" => {
                let list = list_arg(cx)?;
                if appearances.contains(&"likert") {
                    used_appearance.push("likert");
                    if let Some(scale) = self.lists.get(&list).and_then(|cs| likert_scale(cs)) {
                        *self.rating_lists.entry(list.clone()).or_default() += 1;
                        *self.list_uses.entry(list).or_default() += 1;
                        let labels = self.lists.get(rest.first().copied().unwrap_or_default());
                        if labels.is_some_and(|cs| !middle_labels_are_numbers(cs, &scale)) {
                            cx.warn(
                                &sname,
                                Some(row),
                                Some("appearance"),
                                format!("likert question '{name}' became a rating scale; labels between the end points were dropped"),
                            );
                        }
                        QuestionKind::Rating { scale }
                    } else {
                        cx.warn(
                            &sname,
                            Some(row),
                            Some("appearance"),
                            format!("likert question '{name}' has a list that is not consecutive whole numbers; imported as a single choice"),
                        );
                        *self.list_uses.entry(list.clone()).or_default() += 1;
                        QuestionKind::SingleChoice {
                            list,
                            appearance: ChoiceAppearance::Radio,
                            other: or_other,
                        }
                    }
                } else {
                    *self.list_uses.entry(list.clone()).or_default() += 1;
                    let dropdown = appearances
                        .iter()
                        .any(|a| matches!(*a, "minimal" | "autocomplete" | "search"));
                    if dropdown {
                        used_appearance.extend(["minimal", "autocomplete", "search"]);
                    }
                    QuestionKind::SingleChoice {
                        list,
                        appearance: if dropdown {
                            ChoiceAppearance::Dropdown
                        } else {
                            ChoiceAppearance::Radio
                        },
                        other: or_other,
                    }
                }
            }
            "select_multiple" => {
                let list = list_arg(cx)?;
                *self.list_uses.entry(list.clone()).or_default() += 1;
                QuestionKind::MultipleChoice {
                    list,
                    other: or_other,
                }
            }
            "rank" => {
                let list = list_arg(cx)?;
                *self.list_uses.entry(list.clone()).or_default() += 1;
                QuestionKind::Ranking { list }
            }
            "integer" | "int" => QuestionKind::Integer {
                min: None,
                max: None,
            },
            "decimal" => QuestionKind::Decimal {
                min: None,
                max: None,
            },
            "text" | "string" => {
                if appearances.contains(&"multiline") {
                    used_appearance.push("multiline");
                    QuestionKind::LongText
                } else {
                    QuestionKind::ShortText
                }
            }
            "date" => QuestionKind::Date,
            "acknowledge" | "trigger" => QuestionKind::Consent,
            "hidden" => QuestionKind::Hidden {
                default: Some(sheet.get(cells, "default").to_owned()).filter(|d| !d.is_empty()),
            },
            "calculate" => {
                let Some(calc) = self.expr(cells, "calculation", row, name, cx) else {
                    cx.error(
                        &sname,
                        Some(row),
                        Some("calculation"),
                        format!("calculate '{name}' has no calculation"),
                    );
                    return None;
                };
                QuestionKind::Calculate { calculation: calc }
            }
            "time" | "datetime" => {
                cx.warn(
                    &sname,
                    Some(row),
                    Some("type"),
                    format!("'{keyword}' question '{name}' is imported as short text"),
                );
                QuestionKind::ShortText
            }
            "start" | "end" | "today" | "deviceid" | "subscriberid" | "simserial"
            | "phonenumber" | "username" | "email" | "audit" | "start-geopoint"
            | "background-audio" | "imei" => {
                cx.warn(
                    &sname,
                    Some(row),
                    Some("type"),
                    format!("metadata field '{name}' ({keyword}) is not collected by Insikt and was skipped"),
                );
                return None;
            }
            _ => {
                cx.warn(
                    &sname,
                    Some(row),
                    Some("type"),
                    format!(
                        "question '{name}' of type '{}' cannot be represented and was skipped",
                        rest.first()
                            .map_or_else(|| keyword.to_owned(), |r| format!("{keyword} {r}"))
                    ),
                );
                return None;
            }
        };
        for a in &appearances {
            if !used_appearance.contains(a) {
                cx.warn(
                    &sname,
                    Some(row),
                    Some("appearance"),
                    format!(
                        "appearance '{a}' of question '{name}' is not supported and was ignored"
                    ),
                );
            }
        }
        let insikt = sheet.get(cells, "insikt");
        if !insikt.is_empty() {
            match serde_json::from_str::<QuestionKind>(insikt) {
                Ok(k) => kind = k,
                Err(e) => cx.warn(
                    &sname,
                    Some(row),
                    Some("insikt"),
                    format!("Insikt settings of '{name}' ignored: {e}"),
                ),
            }
        }
        if !matches!(kind, QuestionKind::Hidden { .. }) && !sheet.get(cells, "default").is_empty() {
            cx.warn(
                &sname,
                Some(row),
                Some("default"),
                format!("default value of '{name}' is not supported and was ignored"),
            );
        }
        let mut q = Question::new(name, kind, self.text(cells, "label"));
        q.hint = self.text(cells, "hint");
        q.relevant = self.expr(cells, "relevant", row, name, cx);
        q.constraint = self.expr(cells, "constraint", row, name, cx);
        q.constraint_message = self.text(cells, "constraint_message");
        q.required_message = self.text(cells, "required_message");
        let req = sheet.get(cells, "required");
        if is_yes(req) {
            q.required = true;
        } else if !is_no(req) {
            q.required_if = self.expr(cells, "required", row, name, cx);
        }
        let params = sheet.get(cells, "parameters");
        for p in params.split_whitespace() {
            let max_length = p
                .split_once('=')
                .filter(|(k, _)| k.eq_ignore_ascii_case("max-length"))
                .map(|(_, v)| v.parse::<u32>());
            if p.eq_ignore_ascii_case("randomize=true") {
                q.randomise_options = true;
            } else if let Some(n) = max_length {
                match n {
                    Ok(n) if (1..=crate::domain::survey::TEXT_MAX_CEILING).contains(&n) => {
                        q.max_length = Some(n);
                    }
                    _ => cx.error(
                        &sname,
                        Some(row),
                        Some("parameters"),
                        format!(
                            "'{p}' of '{name}': max-length must be a whole number from 1 to {}",
                            crate::domain::survey::TEXT_MAX_CEILING
                        ),
                    ),
                }
            } else {
                cx.warn(
                    &sname,
                    Some(row),
                    Some("parameters"),
                    format!("parameter '{p}' of '{name}' is not supported and was ignored"),
                );
            }
        }
        if !is_valid_key(name) {
            cx.warn(
                &sname,
                Some(row),
                Some("name"),
                format!("name '{name}' is not a valid Insikt key (letters, digits, _ and -, starting with a letter); publishing is blocked until it is renamed"),
            );
        }
        Some(q)
    }
}

/// A likert list of consecutive whole numbers (plus an optional `dont_know`) as a scale.
fn likert_scale(choices: &[Choice]) -> Option<Scale> {
    let mut nums = Vec::new();
    let mut dont_know = None;
    for c in choices {
        if c.value == DONT_KNOW {
            dont_know = Some(c.label.clone());
        } else {
            nums.push((c.value.parse::<i64>().ok()?, c));
        }
    }
    let (first, first_c) = *nums.first()?;
    let (last, last_c) = *nums.last()?;
    let consecutive = nums
        .iter()
        .enumerate()
        .all(|(i, (n, _))| *n == first + i as i64);
    if !consecutive || last <= first {
        return None;
    }
    Some(Scale {
        min: first,
        max: last,
        min_label: first_c.label.clone(),
        max_label: last_c.label.clone(),
        dont_know,
    })
}

fn middle_labels_are_numbers(choices: &[Choice], scale: &Scale) -> bool {
    choices
        .iter()
        .filter(|c| c.value != DONT_KNOW)
        .filter(|c| {
            c.value
                .parse::<i64>()
                .is_ok_and(|n| n > scale.min && n < scale.max)
        })
        .all(|c| c.label.0.values().all(|l| l == &c.value))
}
