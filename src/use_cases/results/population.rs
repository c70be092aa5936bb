//! Population tables: an analyst uploads a CSV of population counts (category columns, then a
//! last column `count`), names it, and weights any version's results to it. The file is checked
//! whole before anything is stored: a wrong header, an empty category, a count that is not a
//! non-negative number, a repeated or missing combination of categories is refused naming the
//! row and column.
//!
//! Which question a table column stands for is chosen on the results page (see
//! [`super::query`]), so one table serves every survey that asks the same background questions.

use std::collections::{BTreeSet, HashSet};

use crate::domain::lang::Msg;
use crate::storage::audit::Actor;
use crate::storage::{self, DbConnection, StorageError};

/// Largest table, in cells (14 districts × 6 ages × 2 genders is 168).
pub const MAX_CELLS: usize = 100_000;

/// One cell of a table: a category per column, and the population count.
pub type Cell = (Vec<String>, f64);

/// A parsed, stored population table.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationTable {
    /// Row id.
    pub id: String,
    /// The analyst's name for it.
    pub name: String,
    /// Category column names, in file order.
    pub columns: Vec<String>,
    /// `(category per column, count)`, in file order.
    pub cells: Vec<Cell>,
    /// Sum of the counts.
    pub total: f64,
}

impl PopulationTable {
    /// The distinct categories of column `i`, sorted.
    pub fn categories(&self, i: usize) -> Vec<String> {
        let set: BTreeSet<&str> = self.cells.iter().map(|(c, _)| c[i].as_str()).collect();
        set.into_iter().map(str::to_owned).collect()
    }
}

/// Why a population table was not stored.
#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    /// The file is wrong; the message names row and column.
    #[error("{}", .0.en)]
    Invalid(Msg),
    /// The name is empty, too long or taken.
    #[error("{}", .0.en)]
    Name(Msg),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl PopulationError {
    /// The message for the uploader (`None`: not theirs to fix).
    pub fn message(&self) -> Option<Msg> {
        match self {
            PopulationError::Invalid(m) | PopulationError::Name(m) => Some(m.clone()),
            PopulationError::Storage(_) => None,
        }
    }
}

fn invalid(sv: String, en: String) -> PopulationError {
    PopulationError::Invalid(Msg::new(sv, en))
}

/// Parse a population CSV (`,` or `;` separated, UTF-8) into columns and cells.
pub fn parse_csv(csv: &str) -> Result<(Vec<String>, Vec<Cell>), PopulationError> {
    let csv = csv.trim_start_matches('\u{feff}');
    let first = csv.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            invalid(
                format!("rubrikraden kan inte läsas: {e}"),
                format!("the header row cannot be read: {e}"),
            )
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let count_ok = header
        .last()
        .is_some_and(|h| h.eq_ignore_ascii_case("count"));
    if header.len() < 2 || !count_ok {
        let got = header.join(",");
        return Err(invalid(
            format!("rad 1: fel rubrikrad '{got}': den ska ha minst en kategorikolumn och sist kolumnen 'count', t.ex. district,age_group,gender,count"),
            format!("row 1: wrong header '{got}': it needs at least one category column and, last, the column 'count', e.g. district,age_group,gender,count"),
        ));
    }
    let columns: Vec<String> = header[..header.len() - 1].to_vec();
    let mut seen_names = HashSet::new();
    for (i, c) in columns.iter().enumerate() {
        if c.is_empty() || c.eq_ignore_ascii_case("count") || !seen_names.insert(c.clone()) {
            return Err(invalid(
                format!(
                    "rad 1, kolumn {}: kolumnnamnet '{c}' är tomt eller upprepat",
                    i + 1
                ),
                format!(
                    "row 1, column {}: the column name '{c}' is empty or repeated",
                    i + 1
                ),
            ));
        }
    }
    let mut cells: Vec<Cell> = Vec::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| {
            invalid(
                format!("rad {row}: kan inte läsas: {e}"),
                format!("row {row}: cannot be read: {e}"),
            )
        })?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            return Err(invalid(
                format!(
                    "rad {row}: {} fält, rubrikraden har {}",
                    record.len(),
                    header.len()
                ),
                format!(
                    "row {row}: {} fields, the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let mut cats = Vec::with_capacity(columns.len());
        for (j, c) in columns.iter().enumerate() {
            let v = record[j].trim();
            if v.is_empty() {
                return Err(invalid(
                    format!("rad {row}, kolumn '{c}': kategorin saknas"),
                    format!("row {row}, column '{c}': the category is missing"),
                ));
            }
            cats.push(v.to_owned());
        }
        let raw = record[columns.len()].trim();
        let count: f64 = match raw.replace(' ', "").parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => n,
            Ok(n) if n < 0.0 => {
                return Err(invalid(
                    format!("rad {row}, kolumn 'count': antalet {raw} är negativt"),
                    format!("row {row}, column 'count': the count {raw} is negative"),
                ))
            }
            _ => {
                return Err(invalid(
                    format!("rad {row}, kolumn 'count': '{raw}' är inget antal"),
                    format!("row {row}, column 'count': '{raw}' is not a count"),
                ))
            }
        };
        if !seen.insert(cats.clone()) {
            return Err(invalid(
                format!(
                    "rad {row}: kombinationen {} förekommer redan",
                    cats.join(" × ")
                ),
                format!(
                    "row {row}: the combination {} appears twice",
                    cats.join(" × ")
                ),
            ));
        }
        cells.push((cats, count));
        if cells.len() > MAX_CELLS {
            return Err(invalid(
                format!("fler än {MAX_CELLS} rader"),
                format!("more than {MAX_CELLS} rows"),
            ));
        }
    }
    if cells.is_empty() {
        return Err(invalid(
            "filen har inga rader efter rubrikraden".into(),
            "the file has no rows after the header".into(),
        ));
    }
    // Every combination must be present: a missing one would silently count as zero people.
    let levels: Vec<Vec<String>> = (0..columns.len())
        .map(|i| {
            let set: BTreeSet<&str> = cells.iter().map(|(c, _)| c[i].as_str()).collect();
            set.into_iter().map(str::to_owned).collect()
        })
        .collect();
    let full: usize = levels.iter().map(Vec::len).product();
    if full != cells.len() {
        let mut combo = vec![0usize; columns.len()];
        loop {
            let cats: Vec<String> = combo
                .iter()
                .enumerate()
                .map(|(i, &k)| levels[i][k].clone())
                .collect();
            if !seen.contains(&cats) {
                let named: Vec<String> = columns
                    .iter()
                    .zip(&cats)
                    .map(|(c, v)| format!("{c}={v}"))
                    .collect();
                let named = named.join(", ");
                return Err(invalid(
                    format!("kategori saknas: ingen rad för {named} (skriv count 0 om den är tom)"),
                    format!("missing category: no row for {named} (write count 0 if it is empty)"),
                ));
            }
            let mut i = combo.len();
            loop {
                if i == 0 {
                    break;
                }
                i -= 1;
                combo[i] += 1;
                if combo[i] < levels[i].len() {
                    break;
                }
                combo[i] = 0;
            }
            if combo.iter().all(|&k| k == 0) {
                break;
            }
        }
    }
    Ok((columns, cells))
}

/// Check and store a population table named `name` from `csv`; returns its id. Audited.
pub fn save_table(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    name: &str,
    csv: &str,
) -> Result<String, PopulationError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(PopulationError::Name(Msg::fixed(
            "ge tabellen ett namn (högst 100 tecken)",
            "give the table a name (at most 100 characters)",
        )));
    }
    let (columns, cells) = parse_csv(csv)?;
    let total: f64 = cells.iter().map(|(_, n)| n).sum();
    let columns_json = serde_json::to_string(&columns).unwrap_or_default();
    let cells_json = serde_json::to_string(&cells).unwrap_or_default();
    storage::transaction(conn, |c| {
        if storage::population::find_by_name(c, name)?.is_some() {
            return Err(PopulationError::Name(Msg::new(
                format!("det finns redan en tabell som heter '{name}'"),
                format!("there is already a table named '{name}'"),
            )));
        }
        let id = storage::population::insert(c, name, &columns_json, &cells_json, total, actor.id)
            .map_err(|e| match e {
                StorageError::Conflict(_) => PopulationError::Name(Msg::new(
                    format!("det finns redan en tabell som heter '{name}'"),
                    format!("there is already a table named '{name}'"),
                )),
                other => other.into(),
            })?;
        let detail = format!("{} cells, total {total}", cells.len());
        actor.record(c, "population.upload", name, &detail)?;
        Ok(id)
    })
}

fn parse_record(r: storage::population::PopulationRecord) -> Result<PopulationTable, StorageError> {
    let columns: Vec<String> = serde_json::from_str(&r.category_columns)
        .map_err(|e| StorageError::Corrupt(format!("population table {}: {e}", r.id)))?;
    let cells: Vec<Cell> = serde_json::from_str(&r.cells)
        .map_err(|e| StorageError::Corrupt(format!("population table {}: {e}", r.id)))?;
    Ok(PopulationTable {
        id: r.id,
        name: r.name,
        columns,
        cells,
        total: r.total,
    })
}

/// One table by id.
pub fn find_table(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<PopulationTable>, StorageError> {
    storage::population::find(conn, id)?
        .map(parse_record)
        .transpose()
}

/// Every table, by name.
pub fn list_tables(conn: &mut DbConnection) -> Result<Vec<PopulationTable>, StorageError> {
    storage::population::list(conn)?
        .into_iter()
        .map(parse_record)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_table_parses_with_semicolons_too() {
        let (cols, cells) =
            parse_csv("district;gender;count\nkista;f;10\nkista;m;12\nbromma;f;3\nbromma;m;0\n")
                .unwrap();
        assert_eq!(cols, vec!["district", "gender"]);
        assert_eq!(cells.len(), 4);
        assert_eq!(cells[1], (vec!["kista".to_string(), "m".to_string()], 12.0));
    }

    #[test]
    fn bad_tables_are_refused_naming_row_and_column() {
        for (csv, words) in [
            ("district,people\nkista,3\n", vec!["row 1", "count"]),
            ("district,count\nkista,-3\n", vec!["row 2", "negative"]),
            ("district,count\nkista,many\n", vec!["row 2", "'many'"]),
            (
                "district,count\n,3\n",
                vec!["row 2", "'district'", "missing"],
            ),
            (
                "district,gender,count\nkista,f,1\nkista,m,1\nbromma,f,1\n",
                vec!["missing category", "district=bromma, gender=m"],
            ),
            ("district,count\nkista,1\nkista,2\n", vec!["row 3", "twice"]),
            ("district,count\n", vec!["no rows"]),
        ] {
            let err = parse_csv(csv).unwrap_err();
            let m = err.message().unwrap();
            for w in words {
                assert!(m.en.contains(w), "{csv:?}: {}", m.en);
            }
        }
    }
}
