//! Survey data CSV for `insikt stats`: reads only the columns a command names, typed as they are read.
//!
//! A 1,000,000-row, 44-column file is about 100 MB of text; holding it as a `String` per cell took
//! 2.4 GB (issue 17). This reader streams the records through one reused `csv::ByteRecord` and keeps,
//! for each selected column, either numbers (`f64`, NaN for missing) or interned text (a `u32` code
//! per row into a per-column dictionary of the distinct cells), so memory grows with the selected
//! columns and the distinct values, not with the file.
//!
//! Unselected columns are split into fields by the CSV parser (a record with the wrong number of
//! fields is still an error, as before) but never decoded: invalid UTF-8 in a column the command
//! does not use no longer stops it. R's `read.csv` also reads such a file (it keeps the bytes).
//!
//! A numeric cell that does not parse is not an error here: the first bad cell of each column is
//! kept, and the caller reports it when (and only if) it uses the column as a number, so error
//! messages and their order stay those of the caller.

use std::collections::HashMap;
use std::path::Path;

/// The code of an empty or `NA` cell in [`TextColumn::categories`] (the same value as the
/// analysis crate's `MISSING`).
pub const MISSING_CODE: u32 = u32::MAX;

/// Why a file could not be read. The display is the part after the file name; the CSV parser's
/// own message is the source.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened.
    #[error("cannot open")]
    Open(#[source] csv::Error),
    /// The header row is not CSV or not UTF-8.
    #[error("cannot read header")]
    Header(#[source] csv::Error),
    /// A record cannot be parsed (e.g. a different number of fields than the header).
    #[error("data row {row}: malformed CSV")]
    Malformed {
        /// Data row, 1 = the line after the header.
        row: usize,
        /// The parser's message.
        #[source]
        source: csv::Error,
    },
    /// A selected cell is not UTF-8.
    #[error("data row {row}: malformed CSV")]
    NotUtf8 {
        /// Data row, 1 = the line after the header.
        row: usize,
        /// Which column and where.
        #[source]
        source: NotUtf8,
    },
}

/// A cell of a selected column that is not UTF-8.
#[derive(Debug, thiserror::Error)]
#[error("column '{column}': invalid UTF-8: {source}")]
pub struct NotUtf8 {
    column: String,
    #[source]
    source: std::str::Utf8Error,
}

/// Which columns to keep and how: as numbers, as interned text, or both (a column may be a
/// cluster and an analysis variable at once). Names absent from the header are ignored here; the
/// caller reports them when it asks for the column.
#[derive(Debug, Default, Clone)]
pub struct Select {
    wanted: Vec<(String, Want)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Want {
    number: bool,
    text: bool,
}

impl Select {
    /// Nothing selected yet.
    pub fn new() -> Select {
        Select::default()
    }

    fn want(&mut self, name: &str) -> &mut Want {
        let i = match self.wanted.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.wanted.push((name.to_string(), Want::default()));
                self.wanted.len() - 1
            }
        };
        &mut self.wanted[i].1
    }

    /// Keep `name` as numbers.
    pub fn number(mut self, name: &str) -> Select {
        self.want(name).number = true;
        self
    }

    /// Keep `name` as interned text (categories, labels, answers).
    pub fn text(mut self, name: &str) -> Select {
        self.want(name).text = true;
        self
    }

    /// Also keep what `other` selects.
    pub fn extend(&mut self, other: Select) {
        for (name, w) in other.wanted {
            let mine = self.want(&name);
            mine.number |= w.number;
            mine.text |= w.text;
        }
    }

    /// Keep each of `names` as numbers.
    pub fn numbers<'a>(self, names: impl IntoIterator<Item = &'a String>) -> Select {
        names.into_iter().fold(self, |s, n| s.number(n))
    }

    /// Keep each of `names` as interned text.
    pub fn texts<'a>(self, names: impl IntoIterator<Item = &'a String>) -> Select {
        names.into_iter().fold(self, |s, n| s.text(n))
    }
}

/// A number column: NaN for an empty or `NA` cell (and for a cell that did not parse, which
/// [`NumberColumn::first_bad`] names).
#[derive(Debug, Default)]
pub struct NumberColumn {
    /// One value per data row.
    pub values: Vec<f64>,
    /// The first cell that is not a finite number, if any.
    pub first_bad: Option<BadNumber>,
}

/// A cell that is not a finite number.
#[derive(Debug, Clone, PartialEq)]
pub struct BadNumber {
    /// Data row, 1 = the line after the header.
    pub row: usize,
    /// The cell as written (not trimmed).
    pub text: String,
    /// It parsed as a float but is infinite or NaN (`inf`, `NaN`), rather than not a number at all.
    pub parsed: bool,
}

/// A text column interned as read: one code per data row into `labels`, the distinct cells as
/// written (not trimmed) in order of first appearance.
#[derive(Debug, Default)]
pub struct TextColumn {
    /// One code per data row.
    pub codes: Vec<u32>,
    /// Distinct cells, in order of first appearance.
    pub labels: Vec<String>,
    index: HashMap<Box<[u8]>, u32>,
}

impl TextColumn {
    /// The cell of data row `i` (0-based), as written.
    pub fn get(&self, i: usize) -> &str {
        &self.labels[self.codes[i] as usize]
    }

    /// The column as categories: cells trimmed, empty and `NA` missing ([`MISSING_CODE`]),
    /// codes in order of first appearance of the trimmed label.
    pub fn categories(&self) -> (Vec<u32>, Vec<String>) {
        let mut labels: Vec<String> = Vec::new();
        let mut index: HashMap<&str, u32> = HashMap::new();
        // Raw codes were given in order of first appearance, so walking them in code order meets
        // the trimmed labels in the same order as walking the rows would.
        let remap: Vec<u32> = self
            .labels
            .iter()
            .map(|raw| {
                let t = raw.trim();
                if t.is_empty() || t == "NA" {
                    return MISSING_CODE;
                }
                *index.entry(t).or_insert_with(|| {
                    labels.push(t.to_string());
                    labels.len() as u32 - 1
                })
            })
            .collect();
        let codes = self.codes.iter().map(|&c| remap[c as usize]).collect();
        (codes, labels)
    }

    fn push(&mut self, cell: &[u8]) -> Result<(), std::str::Utf8Error> {
        // Survey columns repeat their values; the previous row's cell is the likeliest match.
        if let Some(&last) = self.codes.last() {
            if self.labels[last as usize].as_bytes() == cell {
                self.codes.push(last);
                return Ok(());
            }
        }
        let code = match self.index.get(cell) {
            Some(&c) => c,
            None => {
                let label = std::str::from_utf8(cell)?.to_string();
                let c = self.labels.len() as u32;
                self.index.insert(cell.into(), c);
                self.labels.push(label);
                c
            }
        };
        self.codes.push(code);
        Ok(())
    }
}

impl NumberColumn {
    fn push(&mut self, row: usize, cell: &str) {
        let t = cell.trim();
        let v = if t.is_empty() || t == "NA" {
            f64::NAN
        } else {
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => x,
                parsed => {
                    if self.first_bad.is_none() {
                        self.first_bad = Some(BadNumber {
                            row,
                            text: cell.to_string(),
                            parsed: parsed.is_ok(),
                        });
                    }
                    f64::NAN
                }
            }
        };
        self.values.push(v);
    }
}

/// The selected columns of a file, and its header.
#[derive(Debug)]
pub struct Columns {
    /// Every column name of the header, in order.
    pub header: Vec<String>,
    /// Number of data rows.
    pub rows: usize,
    numbers: HashMap<String, NumberColumn>,
    texts: HashMap<String, TextColumn>,
}

impl Columns {
    /// Whether the header has a column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.header.iter().any(|h| h == name)
    }

    /// Column `name` as numbers, if it is in the header and was selected as numbers.
    pub fn number(&self, name: &str) -> Option<&NumberColumn> {
        self.numbers.get(name)
    }

    /// Column `name` as text, if it is in the header and was selected as text.
    pub fn text(&self, name: &str) -> Option<&TextColumn> {
        self.texts.get(name)
    }
}

/// An opened survey data file whose header has been read.
pub struct StatsCsv {
    reader: csv::Reader<std::fs::File>,
    header: Vec<String>,
}

impl StatsCsv {
    /// Open `path` and read its header row.
    pub fn open(path: &Path) -> Result<StatsCsv, ReadError> {
        let mut reader = csv::Reader::from_path(path).map_err(ReadError::Open)?;
        let header = reader
            .headers()
            .map_err(ReadError::Header)?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(StatsCsv { reader, header })
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Read every record, keeping the selected columns. With duplicate names the first column of
    /// that name is read.
    pub fn read(mut self, select: &Select) -> Result<Columns, ReadError> {
        // (field index, number slot, text slot) for each selected column present in the header.
        let mut numbers: Vec<(String, NumberColumn)> = Vec::new();
        let mut texts: Vec<(String, TextColumn)> = Vec::new();
        let mut plan: Vec<(usize, Option<usize>, Option<usize>)> = Vec::new();
        for (name, want) in &select.wanted {
            let Some(field) = self.header.iter().position(|h| h == name) else {
                continue;
            };
            let n = want.number.then(|| {
                numbers.push((name.clone(), NumberColumn::default()));
                numbers.len() - 1
            });
            let t = want.text.then(|| {
                texts.push((name.clone(), TextColumn::default()));
                texts.len() - 1
            });
            plan.push((field, n, t));
        }
        let mut record = csv::ByteRecord::new();
        let mut rows = 0;
        loop {
            match self.reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(source) => {
                    return Err(ReadError::Malformed {
                        row: rows + 1,
                        source,
                    })
                }
            }
            rows += 1;
            for &(field, n, t) in &plan {
                // The parser has checked the record has as many fields as the header.
                let cell = record.get(field).unwrap_or_default();
                let not_utf8 = |source| ReadError::NotUtf8 {
                    row: rows,
                    source: NotUtf8 {
                        column: self.header[field].clone(),
                        source,
                    },
                };
                if let Some(n) = n {
                    let s = std::str::from_utf8(cell).map_err(not_utf8)?;
                    numbers[n].1.push(rows, s);
                }
                if let Some(t) = t {
                    texts[t].1.push(cell).map_err(not_utf8)?;
                }
            }
        }
        Ok(Columns {
            header: self.header,
            rows,
            numbers: numbers.into_iter().collect(),
            texts: texts
                .into_iter()
                .map(|(name, mut c)| {
                    // The dictionary is only needed while reading.
                    c.index = HashMap::new();
                    (name, c)
                })
                .collect(),
        })
    }
}

/// Read the columns `select` names from `path`.
pub fn read(path: &Path, select: &Select) -> Result<Columns, ReadError> {
    StatsCsv::open(path)?.read(select)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &[u8]) -> tempfile::NamedTempFile {
        use std::io::Write as _;
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text).expect("write");
        f
    }

    #[test]
    fn text_cells_are_interned_once_per_distinct_value_in_order_of_first_appearance() {
        let f = file(b"region,w\nNorth,1\n South ,2\nNorth,3\nNA,4\n,5\nSouth,6\n");
        let c = read(f.path(), &Select::new().text("region")).expect("read");
        let t = c.text("region").expect("selected");
        assert_eq!(t.labels, ["North", " South ", "NA", "", "South"]);
        assert_eq!(t.codes, [0, 1, 0, 2, 3, 4]);
        assert_eq!(t.get(1), " South ");
        let (codes, labels) = t.categories();
        assert_eq!(labels, ["North", "South"]);
        assert_eq!(codes, [0, 1, 0, MISSING_CODE, MISSING_CODE, 1]);
    }

    #[test]
    fn only_selected_columns_are_kept_and_a_column_can_be_both_number_and_text() {
        let f = file(b"a,b,c\n1,x,3\n2,y,4\n1,x,5\n");
        let c = read(f.path(), &Select::new().number("a").text("a").text("b")).expect("read");
        assert_eq!(c.rows, 3);
        assert_eq!(c.header, ["a", "b", "c"]);
        assert_eq!(c.number("a").expect("a").values, [1.0, 2.0, 1.0]);
        assert_eq!(c.text("a").expect("a").labels, ["1", "2"]);
        assert_eq!(c.text("b").expect("b").codes, [0, 1, 0]);
        assert!(c.number("b").is_none() && c.text("c").is_none() && c.number("c").is_none());
        assert!(c.has("c") && !c.has("d"));
    }

    #[test]
    fn the_first_bad_number_of_a_column_is_kept_with_its_row_and_text() {
        let f = file(b"x,y\n1, NA \n abc ,inf\n2,oops\n");
        let c = read(f.path(), &Select::new().number("x").number("y")).expect("read");
        let x = c.number("x").expect("x");
        assert!(x.values[0] == 1.0 && x.values[1].is_nan() && x.values[2] == 2.0);
        let bad = x.first_bad.as_ref().expect("a bad cell");
        assert_eq!(
            (bad.row, bad.text.as_str(), bad.parsed),
            (2, " abc ", false)
        );
        let y = c.number("y").expect("y");
        assert!(y.values[0].is_nan());
        let bad = y.first_bad.as_ref().expect("a bad cell");
        assert_eq!((bad.row, bad.text.as_str(), bad.parsed), (2, "inf", true));
    }

    #[test]
    fn invalid_utf8_matters_only_in_a_selected_column() {
        let f = file(b"a,b\n1,\xff\xfe\n2,ok\n");
        let c = read(f.path(), &Select::new().number("a")).expect("b is not read");
        assert_eq!(c.number("a").expect("a").values, [1.0, 2.0]);
        let e = read(f.path(), &Select::new().text("b")).expect_err("b is read");
        assert!(matches!(e, ReadError::NotUtf8 { row: 1, .. }), "{e:?}");
    }

    #[test]
    fn a_record_with_too_many_fields_is_malformed_even_in_unselected_columns() {
        let f = file(b"a,b\n1,2\n3,4,5\n");
        let e = read(f.path(), &Select::new().number("a")).expect_err("ragged");
        assert!(matches!(e, ReadError::Malformed { row: 2, .. }), "{e:?}");
    }
}
