//! The backlog catalogue as a spreadsheet: one row per candidate area, as CSV (UTF-8, `,` or `;`)
//! or XLSX (the first sheet). Reading checks every row and cell and returns either every area or
//! every problem (row, column, why), never a part; writing neutralises text a spreadsheet would
//! run as a formula, and reading undoes exactly that, so a downloaded catalogue imports unchanged.
//!
//! Columns (header row first, any order, all required):
//!
//! | column | meaning |
//! |---|---|
//! | `key` | stable key: a–z, 0–9, `_`, `-`; rows with a key already stored update that area |
//! | `name_sv`, `name_en` | name in Swedish and English |
//! | `description_sv`, `description_en` | description (may be empty) |
//! | `administration` | the owning administration (förvaltning) |
//! | `target_group` | `residents`, `businesses` or `internal` |
//! | `status` | `idea`, `pre_study`, `approved`, `in_development`, `launched` or `rejected` |
//! | `status_reason` | why the area has that status (required for `rejected`) |
//! | `yearly_volume` | errands per year |
//! | `share_phone` … `share_web` | today's share of errands by phone, e-mail, letter, visit, web, in % (sum 100 ± 1) |
//! | `minutes_phone` … `minutes_web` | handling minutes per errand in each channel |
//! | `development_cost_sek`, `running_cost_sek` | estimated development cost and yearly running cost, SEK |
//! | `feasibility`, `feasibility_note` | feasibility/risk 1 (hard) – 5 (easy), and why |

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};

use super::cells::{neutralise, unneutralise};
use crate::domain::backlog::{Area, AreaInput, Status};
use crate::domain::expr::format_number;
use crate::domain::lang::Msg;

/// Every column, in the order exports write them.
pub const COLUMNS: [&str; 24] = [
    "key",
    "name_sv",
    "name_en",
    "description_sv",
    "description_en",
    "administration",
    "target_group",
    "status",
    "status_reason",
    "yearly_volume",
    "share_phone",
    "share_email",
    "share_letter",
    "share_visit",
    "share_web",
    "minutes_phone",
    "minutes_email",
    "minutes_letter",
    "minutes_visit",
    "minutes_web",
    "development_cost_sek",
    "running_cost_sek",
    "feasibility",
    "feasibility_note",
];

/// Most areas in one file (the city had 89 project ideas).
pub const MAX_AREAS: usize = 5_000;
/// Largest file, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most columns read from a workbook row.
const MAX_XLSX_COLUMNS: usize = 200;
/// Most problems listed (the rest are counted).
pub const MAX_PROBLEMS: usize = 100;

/// One area of the catalogue with its status and the reason for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The area.
    pub area: Area,
    /// Its status.
    pub status: Status,
    /// Why it has that status.
    pub status_reason: String,
}

/// An entry read from a file, with the spreadsheet row it came from (the header is row 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number.
    pub row: usize,
    /// What the row says.
    pub entry: Entry,
}

/// Something wrong in the file: where (row as the spreadsheet numbers it, the header being 1;
/// column name) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The row, when the problem is in one.
    pub row: Option<usize>,
    /// The column, when the problem is in one.
    pub column: Option<String>,
    /// Why.
    pub why: Msg,
}

impl Problem {
    fn file(sv: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            row: None,
            column: None,
            why: Msg::new(sv.into(), en.into()),
        }
    }

    /// The problem as one sentence naming the file, row and column.
    pub fn message(&self, file: &str) -> Msg {
        let mut sv = file.to_owned();
        let mut en = sv.clone();
        if let Some(r) = self.row {
            sv.push_str(&format!(", rad {r}"));
            en.push_str(&format!(", row {r}"));
        }
        if let Some(c) = &self.column {
            sv.push_str(&format!(", kolumn '{c}'"));
            en.push_str(&format!(", column '{c}'"));
        }
        Msg::new(
            format!("{sv}: {}", self.why.sv),
            format!("{en}: {}", self.why.en),
        )
    }
}

/// Read a CSV catalogue.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![too_large(bytes.len())]);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![Problem::file(
            "filen är inte UTF-8; spara den som CSV (UTF-8)",
            "the file is not UTF-8; save it as CSV (UTF-8)",
        )]);
    };
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        match record {
            Ok(r) => grid.push((row, r.iter().map(str::to_owned).collect())),
            Err(e) => {
                return Err(vec![Problem {
                    row: Some(row),
                    column: None,
                    why: Msg::new(
                        format!("kan inte läsas: {e}"),
                        format!("cannot be read: {e}"),
                    ),
                }])
            }
        }
        if grid.len() > MAX_AREAS + 1 {
            return Err(vec![too_many()]);
        }
    }
    parse_grid(grid)
}

/// Read an XLSX catalogue (its first sheet), through the same zip check as every workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![too_large(bytes.len())]);
    }
    let not_readable = |e: &dyn std::fmt::Display| {
        vec![Problem::file(
            format!("ingen läsbar .xlsx-arbetsbok: {e}"),
            format!("not a readable .xlsx workbook: {e}"),
        )]
    };
    super::xlsform::check_archive(bytes).map_err(|e| not_readable(&e))?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_readable(&e))?;
    let Some(sheet) = wb.sheet_names().first().cloned() else {
        return Err(not_readable(&"no sheet"));
    };
    let mut reader = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| not_readable(&e))?;
    // Streamed cell by cell with row and column limits: `worksheet_range` would allocate the
    // whole bounding box a hostile file declares.
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    while let Some(cell) = reader.next_cell().map_err(|e| not_readable(&e))? {
        let (r, c) = cell.get_position();
        if r as usize > MAX_AREAS + 1 || c as usize >= MAX_XLSX_COLUMNS {
            return Err(vec![too_many()]);
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::String(s) => s,
            Data::Float(f) => format_number(f),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => format_number(d.as_f64()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s,
            Data::Error(e) => {
                return Err(vec![Problem {
                    row: Some(r as usize + 1),
                    column: None,
                    why: Msg::new(
                        format!("cellen innehåller kalkylbladsfelet {e:?}"),
                        format!("the cell holds the spreadsheet error {e:?}"),
                    ),
                }])
            }
        };
        let cells = rows.entry(r).or_default();
        if cells.len() <= c as usize {
            cells.resize(c as usize + 1, String::new());
        }
        cells[c as usize] = text;
    }
    parse_grid(
        rows.into_iter()
            .map(|(r, cells)| (r as usize + 1, cells))
            .collect(),
    )
}

fn too_large(n: usize) -> Problem {
    Problem::file(
        format!("filen är {n} byte; högst {MAX_BYTES} byte läses"),
        format!("the file is {n} bytes; at most {MAX_BYTES} bytes are read"),
    )
}

fn too_many() -> Problem {
    Problem::file(
        format!("högst {MAX_AREAS} områden (rader) och {MAX_XLSX_COLUMNS} kolumner läses"),
        format!("at most {MAX_AREAS} areas (rows) and {MAX_XLSX_COLUMNS} columns are read"),
    )
}

/// Rows (spreadsheet row number, cells) with the header first → entries, or every problem.
fn parse_grid(grid: Vec<(usize, Vec<String>)>) -> Result<Vec<Row>, Vec<Problem>> {
    let mut rows = grid
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![Problem::file(
            "filen är tom; första raden ska vara kolumnrubrikerna",
            "the file is empty; the first row must be the column headers",
        )]);
    };
    let mut problems = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        if h.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == h) {
            Some(c) if at.insert(c, i).is_some() => problems.push(Problem {
                row: Some(header_row),
                column: Some(h.clone()),
                why: Msg::fixed("kolumnen finns två gånger", "the column appears twice"),
            }),
            Some(_) => {}
            None => problems.push(Problem {
                row: Some(header_row),
                column: Some(h.clone()),
                why: Msg::new(
                    format!("okänd kolumn; kolumnerna är {}", COLUMNS.join(", ")),
                    format!("unknown column; the columns are {}", COLUMNS.join(", ")),
                ),
            }),
        }
    }
    for c in COLUMNS {
        if !at.contains_key(c) {
            problems.push(Problem {
                row: Some(header_row),
                column: Some(c.to_owned()),
                why: Msg::fixed("kolumnen saknas", "the column is missing"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut entries = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        let cell = |c: &str| -> String {
            let raw = at
                .get(c)
                .and_then(|i| cells.get(*i))
                .map_or("", String::as_str);
            unneutralise(raw).to_owned()
        };
        let input = AreaInput {
            key: cell("key"),
            name_sv: cell("name_sv"),
            name_en: cell("name_en"),
            description_sv: cell("description_sv"),
            description_en: cell("description_en"),
            administration: cell("administration"),
            target_group: cell("target_group"),
            yearly_volume: cell("yearly_volume"),
            share_phone: cell("share_phone"),
            share_email: cell("share_email"),
            share_letter: cell("share_letter"),
            share_visit: cell("share_visit"),
            share_web: cell("share_web"),
            minutes_phone: cell("minutes_phone"),
            minutes_email: cell("minutes_email"),
            minutes_letter: cell("minutes_letter"),
            minutes_visit: cell("minutes_visit"),
            minutes_web: cell("minutes_web"),
            development_cost_sek: cell("development_cost_sek"),
            running_cost_sek: cell("running_cost_sek"),
            feasibility: cell("feasibility"),
            feasibility_note: cell("feasibility_note"),
        };
        let status_text = cell("status");
        let status = if status_text.trim().is_empty() {
            Ok(Status::Idea)
        } else {
            Status::parse(&status_text)
        };
        let reason = cell("status_reason").trim().to_owned();
        let mut bad = |field: &str, why: Msg| {
            problems.push(Problem {
                row: Some(row),
                column: Some(field.to_owned()),
                why,
            })
        };
        let area = Area::parse(&input).map_err(|errors| {
            for e in errors {
                bad(e.field, e.why);
            }
        });
        if let Err(e) = &status {
            bad(e.field, e.why.clone());
        }
        if status == Ok(Status::Rejected) && reason.is_empty() {
            bad(
                "status_reason",
                Msg::fixed("ange varför området avslås", "say why the area is rejected"),
            );
        }
        if let Ok(a) = &area {
            if let Some(first) = seen.insert(a.key.to_string(), row) {
                bad(
                    "key",
                    Msg::new(
                        format!("nyckeln '{}' finns redan på rad {first}", a.key),
                        format!("the key '{}' is already on row {first}", a.key),
                    ),
                );
            }
        }
        if let (Ok(area), Ok(status)) = (area, status) {
            entries.push(Row {
                row,
                entry: Entry {
                    area,
                    status,
                    status_reason: reason,
                },
            });
        }
    }
    if entries.is_empty() && problems.is_empty() {
        problems.push(Problem::file(
            "filen har inga områden efter rubrikraden",
            "the file has no areas after the header row",
        ));
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

/// The cells of one entry, in [`COLUMNS`] order, as text (unneutralised).
fn cells(e: &Entry) -> [String; 24] {
    let i = e.area.to_input();
    [
        i.key,
        i.name_sv,
        i.name_en,
        i.description_sv,
        i.description_en,
        i.administration,
        i.target_group,
        e.status.code().to_owned(),
        e.status_reason.clone(),
        i.yearly_volume,
        i.share_phone,
        i.share_email,
        i.share_letter,
        i.share_visit,
        i.share_web,
        i.minutes_phone,
        i.minutes_email,
        i.minutes_letter,
        i.minutes_visit,
        i.minutes_web,
        i.development_cost_sek,
        i.running_cost_sek,
        i.feasibility,
        i.feasibility_note,
    ]
}

/// Columns written as numbers in a workbook (the rest are text).
fn is_number_column(c: &str) -> bool {
    c == "yearly_volume"
        || c == "feasibility"
        || c.starts_with("share_")
        || c.starts_with("minutes_")
        || c.ends_with("_sek")
}

/// The catalogue as CSV (UTF-8 with a byte-order mark, so spreadsheets read å, ä and ö), text
/// cells neutralised.
pub fn write_csv(entries: &[Entry]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(COLUMNS).map_err(|e| e.to_string())?;
    for e in entries {
        let row: Vec<String> = cells(e).iter().map(|c| neutralise(c)).collect();
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// The catalogue as an XLSX workbook (one sheet `areas`), numbers as numbers and text cells
/// neutralised.
pub fn write_xlsx(entries: &[Entry]) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("areas").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (r, e) in entries.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|e| e.to_string())?;
        for (c, text) in cells(e).iter().enumerate() {
            let col = c as u16;
            match text.parse::<f64>() {
                Ok(x) if is_number_column(COLUMNS[c]) => ws.write_number(row, col, x),
                _ => ws.write_string(row, col, neutralise(text)),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backlog::AreaInput;

    fn entries_of(rows: Vec<Row>) -> Vec<Entry> {
        rows.into_iter().map(|r| r.entry).collect()
    }

    fn entry(key: &str, name: &str) -> Entry {
        let i = AreaInput {
            key: key.into(),
            name_sv: name.into(),
            name_en: "Radon lookup".into(),
            description_sv: "Slå upp radonhalt".into(),
            administration: "Miljöförvaltningen".into(),
            target_group: "residents".into(),
            yearly_volume: "3000".into(),
            share_phone: "70".into(),
            share_web: "30".into(),
            minutes_phone: "6.5".into(),
            development_cost_sek: "400000".into(),
            running_cost_sek: "50000".into(),
            feasibility: "5".into(),
            ..AreaInput::default()
        };
        Entry {
            area: Area::parse(&i).unwrap(),
            status: Status::Launched,
            status_reason: String::new(),
        }
    }

    #[test]
    fn a_written_csv_reads_back_as_the_same_entries_even_with_formula_like_text() {
        let entries = vec![entry("radon", "=Radon"), entry("b-2", "Bygglov, ärende")];
        let csv = write_csv(&entries).unwrap();
        let text = String::from_utf8(csv.clone()).unwrap();
        assert!(text.contains(",'=Radon,"), "{text}");
        assert_eq!(entries_of(read_csv(&csv).unwrap()), entries);
    }

    #[test]
    fn a_written_workbook_reads_back_as_the_same_entries() {
        let entries = vec![entry("radon", "@Radon"), entry("b-2", "Bygglov")];
        let xlsx = write_xlsx(&entries).unwrap();
        assert_eq!(entries_of(read_xlsx(&xlsx).unwrap()), entries);
    }

    #[test]
    fn every_bad_row_and_column_is_named_and_nothing_is_returned() {
        let csv = write_csv(&[entry("radon", "Radon"), entry("bygg", "Bygglov")]).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let text = text
            .replacen(",70,", ",75,", 1)
            .replace("bygg,", "Bygg lov,");
        let problems = read_csv(text.as_bytes()).unwrap_err();
        let at: Vec<(Option<usize>, Option<&str>)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_deref()))
            .collect();
        assert_eq!(at, [(Some(2), Some("share_web")), (Some(3), Some("key"))]);
        let m = problems[0].message("areas.csv");
        assert!(
            m.en.starts_with("areas.csv, row 2, column 'share_web': "),
            "{}",
            m.en
        );
    }

    #[test]
    fn a_missing_or_unknown_column_is_named() {
        let problems = read_csv(b"key,name_sv,colour\nx,y,z\n").unwrap_err();
        assert!(problems
            .iter()
            .any(|p| p.column.as_deref() == Some("colour")));
        assert!(problems
            .iter()
            .any(|p| p.column.as_deref() == Some("share_web")));
    }

    #[test]
    fn a_repeated_key_names_the_first_row() {
        let csv = write_csv(&[entry("radon", "Radon"), entry("radon", "Radon 2")]).unwrap();
        let problems = read_csv(&csv).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].why.en.contains("row 2"), "{:?}", problems[0]);
    }
}
