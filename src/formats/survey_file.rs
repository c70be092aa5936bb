//! The native survey file format: one TOML file per survey version in `surveys/` (documented in
//! `surveys/README.md`). Reading checks field names strictly, so a misspelt field is an error naming the
//! file and the field, never silently ignored.

use std::path::{Path, PathBuf};

use crate::domain::survey::Survey;

/// Input larger than this is refused before parsing; real survey files are tens of kilobytes.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A problem reading or writing a survey file.
#[derive(Debug, thiserror::Error)]
pub enum SurveyFileError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", .file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or a field has the wrong type; the message names the line, column and field.
    #[error("{}{message}", file_prefix(.file))]
    Toml {
        /// The file, when reading from disk.
        file: Option<PathBuf>,
        /// The parser's message.
        message: String,
    },
    /// A question has a field its type does not know.
    #[error("{}{path}: unknown field '{field}' for a question of type '{kind}'", file_prefix(.file))]
    UnknownField {
        /// The file, when reading from disk.
        file: Option<PathBuf>,
        /// Where, e.g. `pages[1].questions[3] (internet_home)`.
        path: String,
        /// The field.
        field: String,
        /// The question type.
        kind: String,
    },
    /// The file is too large.
    #[error("{}file is {size} bytes; the limit is {MAX_FILE_BYTES}", file_prefix(.file))]
    TooLarge {
        /// The file, when reading from disk.
        file: Option<PathBuf>,
        /// Its size.
        size: usize,
    },
    /// Two files define the same survey version.
    #[error("survey '{key}' version {version} is defined in both {} and {}", .first.display(), .second.display())]
    DuplicateVersion {
        /// The survey key.
        key: String,
        /// The version.
        version: u32,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// Serialising to TOML failed (it cannot for well-formed surveys; reported rather than unwrapped).
    #[error("cannot write TOML: {0}")]
    Write(String),
}

fn file_prefix(file: &Option<PathBuf>) -> String {
    file.as_ref()
        .map_or_else(String::new, |f| format!("{}: ", f.display()))
}

/// Every error found while loading a directory (all files are tried, so one run shows every problem).
#[derive(Debug, thiserror::Error)]
#[error("{} survey file error(s):\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LoadErrors(pub Vec<SurveyFileError>);

const COMMON_FIELDS: &[&str] = &[
    "key",
    "type",
    "label",
    "hint",
    "required",
    "required_if",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "randomise_options",
];

/// Fields specific to each question type (serde's `flatten` cannot reject unknown fields itself).
fn kind_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "note" | "date" | "consent" => &[],
        // `max_length` limits the typed text (of a choice: its "other, specify" box).
        "short_text" | "long_text" => &["max_length"],
        "single_choice" => &["list", "appearance", "other", "max_length"],
        "multiple_choice" => &["list", "other", "max_length"],
        "rating" => &["scale"],
        "matrix" => &["rows", "list"],
        "integer" | "decimal" => &["min", "max"],
        "ranking" => &["list"],
        "max_diff" => &[
            "list",
            "items_per_task",
            "tasks",
            "design_versions",
            "design_seed",
            "best_label",
            "worst_label",
        ],
        "kano" => &["functional", "dysfunctional", "list"],
        "importance_satisfaction" => &["importance", "satisfaction", "scale"],
        "hidden" => &["default"],
        "calculate" => &["calculation"],
        _ => return None,
    })
}

fn check_question_fields(doc: &toml::Table, file: &Option<PathBuf>) -> Result<(), SurveyFileError> {
    let Some(pages) = doc.get("pages").and_then(toml::Value::as_array) else {
        return Ok(());
    };
    for (pi, page) in pages.iter().enumerate() {
        let Some(qs) = page.get("questions").and_then(toml::Value::as_array) else {
            continue;
        };
        for (qi, q) in qs.iter().enumerate() {
            let Some(t) = q.as_table() else { continue };
            // An unknown or missing type is reported by serde with a better message.
            let Some(kind) = t.get("type").and_then(toml::Value::as_str) else {
                continue;
            };
            let Some(extra) = kind_fields(kind) else {
                continue;
            };
            for field in t.keys() {
                if !COMMON_FIELDS.contains(&field.as_str()) && !extra.contains(&field.as_str()) {
                    let key = t.get("key").and_then(toml::Value::as_str).unwrap_or("?");
                    return Err(SurveyFileError::UnknownField {
                        file: file.clone(),
                        path: format!("pages[{pi}].questions[{qi}] ({key})"),
                        field: field.clone(),
                        kind: kind.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn parse(text: &str, file: Option<PathBuf>) -> Result<Survey, SurveyFileError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(SurveyFileError::TooLarge {
            file,
            size: text.len(),
        });
    }
    let toml_err = |e: toml::de::Error, file: &Option<PathBuf>| SurveyFileError::Toml {
        file: file.clone(),
        message: e.to_string().trim_end().to_owned(),
    };
    let doc: toml::Table = toml::from_str(text).map_err(|e| toml_err(e, &file))?;
    check_question_fields(&doc, &file)?;
    // Converting the parsed table avoids parsing the text twice; only when it fails do we parse again,
    // because errors from the text carry line and column.
    match doc.try_into::<Survey>() {
        Ok(s) => Ok(s),
        Err(table_err) => match toml::from_str::<Survey>(text) {
            Err(e) => Err(toml_err(e, &file)),
            Ok(_) => Err(toml_err(table_err, &file)),
        },
    }
}

/// Parses a survey from TOML text.
pub fn from_toml_str(text: &str) -> Result<Survey, SurveyFileError> {
    parse(text, None)
}

/// Writes a survey as TOML. Reading the output back gives an equal [`Survey`].
pub fn to_toml_string(survey: &Survey) -> Result<String, SurveyFileError> {
    toml::to_string_pretty(survey).map_err(|e| SurveyFileError::Write(e.to_string()))
}

/// Reads one survey file.
pub fn load_file(path: &Path) -> Result<Survey, SurveyFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| SurveyFileError::Io {
        file: path.to_owned(),
        source,
    })?;
    parse(&text, Some(path.to_owned()))
}

/// Loads every `*.toml` file in `dir` (not recursive), sorted by file name. Every file is tried; all errors
/// are returned together. Two files with the same key and version are an error.
pub fn load_dir(dir: &Path) -> Result<Vec<Survey>, LoadErrors> {
    let entries = std::fs::read_dir(dir).map_err(|source| {
        LoadErrors(vec![SurveyFileError::Io {
            file: dir.to_owned(),
            source,
        }])
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut surveys: Vec<(PathBuf, Survey)> = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match load_file(&path) {
            Ok(s) => {
                if let Some((first, _)) = surveys
                    .iter()
                    .find(|(_, o)| o.key == s.key && o.version == s.version)
                {
                    errors.push(SurveyFileError::DuplicateVersion {
                        key: s.key.clone(),
                        version: s.version,
                        first: first.clone(),
                        second: path.clone(),
                    });
                }
                surveys.push((path, s));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(surveys.into_iter().map(|(_, s)| s).collect())
    } else {
        Err(LoadErrors(errors))
    }
}
