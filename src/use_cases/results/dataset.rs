//! "Reproduce this figure": the exact analysis dataset a results page computed from, as CSV,
//! and the `insikt stats` command line that recomputes the page's figures from it.
//!
//! One row per response the version's results use (excluded responses are not loaded), one
//! column per analysable answer column (a choice's stored value; a number; a multiple choice as
//! one 0/1 column per option, `question.option`), then the design: `weight` (the design weight,
//! 1 without one), `stratum`, `psu` (the response: responses are not clustered) and, when every
//! response comes from one stored sample, `fpc` (the stratum's population size N_h). "Don't
//! know" and missing answers are empty, as every estimate leaves them out.
//!
//! A filtered page estimates in a domain of the whole design (the other responses still count
//! in the variance), so the file keeps every row and marks the selection in `in_selection`
//! (1/0); the command then runs `--by in_selection` and the page's figures are the `1` domain.
//! R: `svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~fpc, data = d)`, then
//! `subset(design, in_selection == 1)`.
//!
//! Spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is prefixed with `'`, so opening the file in a spreadsheet shows the text
//! instead of running it. Numbers are written as numbers.

use analysis::data::Column;

use super::browse::{filter_mask, find, AnalysesError, Filters};
use crate::storage::DbConnection;

/// The dataset of a page.
pub struct Dataset {
    /// The CSV text.
    pub csv: String,
    /// A file name for the download.
    pub file_name: String,
}

/// The design options of the command line matching a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignArgs {
    /// Whether the file has an `fpc` column.
    pub fpc: bool,
    /// Whether the page is filtered (the file has `in_selection`).
    pub filtered: bool,
}

impl DesignArgs {
    /// `--weights weight --strata stratum [--fpc fpc] [--by in_selection]`.
    pub fn args(&self) -> Vec<String> {
        let mut a: Vec<String> = ["--weights", "weight", "--strata", "stratum"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if self.fpc {
            a.extend(["--fpc".into(), "fpc".into()]);
        }
        if self.filtered {
            a.extend(["--by".into(), "in_selection".into()]);
        }
        a
    }
}

/// The file name of the dataset of `key` v`version`.
pub fn file_name(key: &str, version: u32) -> String {
    format!("{key}-v{version}-dataset.csv")
}

/// The full `insikt stats` command: `method` with its own arguments, then the data file and the
/// design arguments.
pub fn command_line(method: &[&str], key: &str, version: u32, design: &DesignArgs) -> String {
    let mut parts: Vec<String> = vec!["insikt".into(), "stats".into()];
    parts.extend(method.iter().map(|s| shell_word(s)));
    parts.extend(["--data".into(), file_name(key, version)]);
    parts.extend(design.args());
    parts.join(" ")
}

/// A word safe to paste into a POSIX shell (single-quoted unless plainly safe).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,=/:".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A text cell neutralised against spreadsheet formulas.
pub fn safe_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn number(x: f64) -> String {
    if x.is_finite() {
        // `{}` prints the shortest string that reads back as the same f64.
        format!("{x}")
    } else {
        String::new()
    }
}

/// Build the dataset of `key` v`version` with `filters`, and the design arguments that go with it.
pub fn dataset(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
    filters: &Filters,
) -> Result<(Dataset, DesignArgs), AnalysesError> {
    let f = find(conn, key, version)?;
    let loaded = super::load_version(conn, &f.version.survey, &f.version.id)?;
    let filtered = *filters != Filters::default();
    let mask = filter_mask(conn, &f.version.id, &loaded.response_ids, filters)?;
    let fpc = loaded.design.population.is_some();
    let mut header: Vec<String> = vec!["response_id".into()];
    for (name, col) in &loaded.data.columns {
        match col {
            Column::MultiSelect(m) => {
                header.extend(m.options.iter().map(|o| format!("{name}.{o}")));
            }
            _ => header.push(name.clone()),
        }
    }
    header.extend(["weight".into(), "stratum".into(), "psu".into()]);
    if fpc {
        header.push("fpc".into());
    }
    if filtered {
        header.push("in_selection".into());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io =
        |e: csv::Error| AnalysesError::BadParameter(crate::domain::lang::Msg::same(e.to_string()));
    w.write_record(header.iter().map(|h| safe_text(h)))
        .map_err(io)?;
    for (row, id) in loaded.response_ids.iter().enumerate() {
        let mut rec: Vec<String> = vec![safe_text(id)];
        for (_, col) in &loaded.data.columns {
            match col {
                Column::Categorical(c) => rec.push(
                    c.labels
                        .get(c.codes[row] as usize)
                        .map(|v| safe_text(v))
                        .unwrap_or_default(),
                ),
                Column::Numeric(n) => rec.push(number(n.values[row])),
                Column::MultiSelect(m) => {
                    let valid = m.state[row] == analysis::data::AnswerState::Valid;
                    for opt in &m.selected {
                        rec.push(if valid {
                            u8::from(opt[row]).to_string()
                        } else {
                            String::new()
                        });
                    }
                }
                #[allow(unreachable_patterns)]
                _ => rec.push(String::new()),
            }
        }
        rec.push(number(loaded.design.weights[row]));
        rec.push(safe_text(&loaded.design.strata[row]));
        rec.push(safe_text(id));
        if let Some(pop) = &loaded.design.population {
            rec.push(number(pop[row]));
        }
        if filtered {
            rec.push(u8::from(mask[row]).to_string());
        }
        w.write_record(&rec).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| io(csv::Error::from(e.into_error())))?;
    Ok((
        Dataset {
            csv: String::from_utf8_lossy(&bytes).into_owned(),
            file_name: file_name(key, version),
        },
        DesignArgs { fpc, filtered },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised() {
        assert_eq!(safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_text("+1"), "'+1");
        assert_eq!(safe_text("@SUM"), "'@SUM");
        assert_eq!(safe_text("kista"), "kista");
    }

    #[test]
    fn the_command_line_names_the_file_and_the_design() {
        let d = DesignArgs {
            fpc: true,
            filtered: true,
        };
        assert_eq!(
            command_line(
                &["crosstab", "--rows", "eid", "--cols", "age group"],
                "it",
                2,
                &d
            ),
            "insikt stats crosstab --rows eid --cols 'age group' --data it-v2-dataset.csv \
             --weights weight --strata stratum --fpc fpc --by in_selection"
        );
    }
}
