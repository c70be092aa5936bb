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
//! The file follows the results page's [`ResultsQuery`]: `weight` is the FINAL weight after the
//! chosen weighting (1 unweighted; the design weight; or post-stratified / raked to the
//! population table) and `in_selection` marks the page's filters (background questions, mode,
//! dates, strata). A calibrated page also writes `design_weight` (the weight before
//! calibration), one 0/1 column `question=value` per option of each single choice (the share of
//! an option is the mean of its column), and offers each margin it calibrated to as its own
//! `category,total` file ([`margin_csv`]), so `insikt stats rake` / `poststratify` repeats the
//! calibration and its standard errors (the variance of a calibrated estimate uses the residuals
//! of the calibration, which the final weights alone do not carry).
//!
//! Spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is prefixed with `'`, so opening the file in a spreadsheet shows the text
//! instead of running it. Numbers are written as numbers.

use analysis::data::Column;

use super::browse::AnalysesError;
use super::cache::{ResultsCache, VersionData};
use super::query::{self, Prepared, ResultsQuery, Weighting};
use crate::domain::lang::Msg;
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
    /// The page's lonely-PSU policy, when not the command line's default `fail`.
    pub lonely_psu: Option<&'static str>,
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
        if let Some(p) = self.lonely_psu {
            a.extend(["--lonely-psu".into(), p.into()]);
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

/// The `insikt stats` calibration that repeats a calibrated page's weighting.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// `rake` or `poststratify`.
    pub method: &'static str,
    /// The questions calibrated to, each with its margin file ([`margin_file_name`]).
    pub questions: Vec<String>,
}

/// The file name of the margin of `question` for the dataset of `key` v`version`.
pub fn margin_file_name(key: &str, version: u32, question: &str) -> String {
    format!("{key}-v{version}-margin-{question}.csv")
}

/// The column of the 0/1 indicator of option `value` of single choice `question`.
pub fn indicator(question: &str, value: &str) -> String {
    format!("{question}={value}")
}

/// The command that repeats the page's calibration on the dataset and estimates the mean of
/// `var` (an indicator: the share of an option) with the calibrated design's SE. `None` when
/// the page does not calibrate, or post-stratifies to joint cells of several questions (the
/// command line post-stratifies to one column).
pub fn calibration_command(
    key: &str,
    version: u32,
    design: &DesignArgs,
    calibration: &Calibration,
    var: &str,
) -> Option<String> {
    let mut parts = calibration_words(key, version, design, calibration)?;
    parts.extend(["--var".into(), shell_word(var)]);
    Some(parts.join(" "))
}

/// The command that repeats a raked cross-tab page: the raking from `design_weight` and the
/// margin files, then the cross-tab of `rows` × `cols` on the raked design, in the page's
/// selection (`--by in_selection`) when it is filtered — so the standard errors are the page's.
/// `None` unless the page rakes (post-stratifying the command line cannot cross-tabulate).
pub fn calibration_crosstab_command(
    key: &str,
    version: u32,
    design: &DesignArgs,
    calibration: &Calibration,
    rows: &str,
    cols: &str,
) -> Option<String> {
    if calibration.method != "rake" {
        return None;
    }
    let mut parts = calibration_words(key, version, design, calibration)?;
    parts.extend([
        "--rows".into(),
        shell_word(rows),
        "--cols".into(),
        shell_word(cols),
    ]);
    if design.filtered {
        parts.extend(["--by".into(), "in_selection".into()]);
    }
    Some(parts.join(" "))
}

fn calibration_words(
    key: &str,
    version: u32,
    design: &DesignArgs,
    calibration: &Calibration,
) -> Option<Vec<String>> {
    if calibration.method == "poststratify" && calibration.questions.len() != 1 {
        return None;
    }
    let mut parts: Vec<String> = vec!["insikt".into(), "stats".into(), calibration.method.into()];
    parts.extend(["--data".into(), file_name(key, version)]);
    parts.extend(["--weights".into(), "design_weight".into()]);
    parts.extend(["--strata".into(), "stratum".into()]);
    if design.fpc {
        parts.extend(["--fpc".into(), "fpc".into()]);
    }
    if let Some(p) = design.lonely_psu {
        parts.extend(["--lonely-psu".into(), p.into()]);
    }
    for q in &calibration.questions {
        parts.push("--margin".into());
        parts.push(shell_word(&format!(
            "{q}={}",
            margin_file_name(key, version, q)
        )));
    }
    Some(parts)
}

/// The `--lonely-psu` value of `query`'s policy (`None`: the default `fail`). Unweighted, the
/// page's design has no strata, so no policy applies.
pub fn lonely_arg(query: &ResultsQuery) -> Option<&'static str> {
    (query.lonely_psu != query::LonelyPsu::Fail
        && !matches!(query.weighting, Weighting::Unweighted))
    .then(|| query.lonely_psu.as_str())
}

/// The calibration of `query` with the questions it maps (`columns` from the diagnostics).
pub fn calibration_of(query: &ResultsQuery, columns: &[(String, String)]) -> Option<Calibration> {
    let method = match query.weighting {
        Weighting::Raked { .. } => "rake",
        Weighting::PostStratified { .. } => "poststratify",
        _ => return None,
    };
    Some(Calibration {
        method,
        questions: columns.iter().map(|(_, q)| q.clone()).collect(),
    })
}

fn prepare(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    version: u32,
    query: &ResultsQuery,
) -> Result<Prepared, AnalysesError> {
    query::prepare(conn, cache, key, version, query).map_err(|e| match e.message() {
        Some(m) if !matches!(e, super::ResultsError::NotFound(_)) => AnalysesError::BadParameter(m),
        _ => AnalysesError::Results(e),
    })
}

/// The `category,total` margin file of `question` for a page calibrated with `query`.
pub fn margin_csv(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    version: u32,
    query: &ResultsQuery,
    question: &str,
) -> Result<Dataset, AnalysesError> {
    let p = prepare(conn, cache, key, version, query)?;
    let column = p
        .diagnostics
        .columns
        .iter()
        .find(|(_, q)| q == question)
        .cloned()
        .ok_or_else(|| {
            AnalysesError::NotFound(format!("{key}/{version}: no margin for {question}"))
        })?;
    let table = match query.weighting.table() {
        Some(id) => super::population::find_table(conn, id)?,
        None => None,
    }
    .ok_or_else(|| AnalysesError::NotFound(format!("{key}/{version}: no population table")))?;
    let values = query::margin_values(&p.data, &table, &column)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AnalysesError::BadParameter(Msg::same(e.to_string()));
    w.write_record(["category", "total"]).map_err(io)?;
    for (v, n) in values {
        w.write_record([safe_text(&v), number(n)]).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| io(csv::Error::from(e.into_error())))?;
    Ok(Dataset {
        csv: String::from_utf8_lossy(&bytes).into_owned(),
        file_name: margin_file_name(key, version, question),
    })
}

/// Build the dataset of `key` v`version` for the results page's `query`, the design arguments
/// that go with it, and the calibration that repeats its weighting (if it calibrates).
pub fn dataset(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    version: u32,
    query: &ResultsQuery,
) -> Result<(Dataset, DesignArgs, Option<Calibration>), AnalysesError> {
    let p = prepare(conn, cache, key, version, query)?;
    let data: &VersionData = &p.data;
    let loaded = &data.loaded;
    let filtered = !query.filters.is_empty();
    let calibration = calibration_of(query, &p.diagnostics.columns);
    let weighted = !matches!(query.weighting, Weighting::Unweighted);
    let fpc = loaded.design.population.is_some() && weighted;
    let mut header: Vec<String> = vec!["response_id".into()];
    for (name, col) in &loaded.data.columns {
        match col {
            Column::MultiSelect(m) => {
                header.extend(m.options.iter().map(|o| format!("{name}.{o}")));
            }
            _ => header.push(name.clone()),
        }
    }
    // Indicators of the single choices' options, for the calibrated command's `--var`.
    let indicators: Vec<(usize, &analysis::data::Categorical)> = if calibration.is_some() {
        loaded
            .data
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, (name, c))| match c {
                Column::Categorical(c) if !name.contains('.') => Some((i, c)),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    for &(i, c) in &indicators {
        let name = &loaded.data.columns[i].0;
        header.extend(c.labels.iter().map(|v| indicator(name, v)));
    }
    header.extend(["weight".into(), "stratum".into(), "psu".into()]);
    if fpc {
        header.push("fpc".into());
    }
    if calibration.is_some() {
        header.push("design_weight".into());
    }
    if filtered {
        header.push("in_selection".into());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AnalysesError::BadParameter(Msg::same(e.to_string()));
    w.write_record(header.iter().map(|h| safe_text(h)))
        .map_err(io)?;
    let final_weights = p.weights();
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
        for &(_, c) in &indicators {
            let code = c.codes[row] as usize;
            for k in 0..c.labels.len() {
                rec.push(if code < c.labels.len() {
                    u8::from(code == k).to_string()
                } else {
                    String::new()
                });
            }
        }
        rec.push(number(final_weights[row]));
        // Unweighted, the page's design is one simple random sample: one stratum.
        rec.push(if weighted {
            safe_text(&loaded.design.strata[row])
        } else {
            "all".to_owned()
        });
        rec.push(safe_text(id));
        if fpc {
            if let Some(pop) = &loaded.design.population {
                rec.push(number(pop[row]));
            }
        }
        if calibration.is_some() {
            rec.push(number(loaded.design.weights[row]));
        }
        if filtered {
            rec.push(u8::from(p.domain[row]).to_string());
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
        DesignArgs {
            fpc,
            filtered,
            lonely_psu: lonely_arg(query),
        },
        calibration,
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
            lonely_psu: None,
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

    #[test]
    fn the_commands_name_a_non_default_lonely_psu_policy_and_the_margin_files() {
        let q = ResultsQuery::from_pairs(&[
            ("weighting".into(), "raked".into()),
            ("table".into(), "t1".into()),
            ("map.age".into(), "agegroup".into()),
            ("lonely".into(), "certainty".into()),
        ])
        .unwrap();
        let d = DesignArgs {
            fpc: false,
            filtered: false,
            lonely_psu: lonely_arg(&q),
        };
        assert!(command_line(&["prop", "--var", "eid"], "it", 1, &d)
            .ends_with("--lonely-psu certainty"));
        let c = calibration_of(&q, &[("age".into(), "agegroup".into())]).unwrap();
        assert_eq!(
            calibration_command("it", 1, &d, &c, "eid=yes").unwrap(),
            "insikt stats rake --data it-v1-dataset.csv --weights design_weight --strata stratum \
             --lonely-psu certainty --margin agegroup=it-v1-margin-agegroup.csv --var eid=yes"
        );
        let unweighted = ResultsQuery::from_pairs(&[
            ("weighting".into(), "unweighted".into()),
            ("lonely".into(), "certainty".into()),
        ])
        .unwrap();
        assert_eq!(lonely_arg(&unweighted), None);
        assert!(calibration_of(&unweighted, &[]).is_none());
    }
}
