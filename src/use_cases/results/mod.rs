//! Glue between stored responses and the `analysis` crate: load one version's answers (one
//! streamed, unordered read of each response's packed answers, see [`load_version_with_meta`])
//! into typed columns ([`columns`]), together with the sampling design the responses came from.
//!
//! Design weights: a response to an invitation from a drawn sample carries its stratum and
//! design weight (1/π), copied from the invitation by the writer; every estimate made through
//! [`LoadedResponses::design()`] is then weighted automatically. A response without a weight (open
//! link, plain invitation list) gets weight 1 and the stratum [`OPEN_STRATUM`]: it stands for
//! itself, as in an unweighted analysis. Where every response comes from one sample, that
//! sample's stratum sizes N_h give the finite-population correction.
//!
//! [`report`] holds the typed, serialisable result of each statistical method and [`methods`]
//! the computations that make them; `insikt stats` and the coming JSON API print those.

use std::collections::HashMap;

use analysis::data::{Column, SurveyData};
use analysis::{AnalysisError, Design, Estimate, Fpc, LonelyPsu};
use time::PrimitiveDateTime;

use crate::domain::lang::Msg;
use crate::domain::response::{Cell, Mode};
use crate::domain::sampling::StratumPlan;
use crate::domain::survey::Survey;
use crate::storage::{self, DbConnection, StorageError};

pub mod cache;
pub mod columns;
pub mod methods;
pub mod page;
pub mod population;
pub mod query;
pub mod report;

pub mod browse;
pub mod crosstab;
pub mod dataset;
pub mod maxdiff;
pub mod open_text;
pub mod trend;

/// Why stored responses could not be loaded for analysis.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The stored allocation table of a sample does not parse: estimating with a default plan
    /// would silently drop the finite-population correction.
    #[error("the stored sampling plan of sample {sample} is corrupt")]
    CorruptPlan {
        /// The sample's id.
        sample: String,
        /// Why it does not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// No such survey version (`key/version`).
    #[error("no survey version {0}")]
    NotFound(String),
    /// No such population table (id).
    #[error("no population table {0}")]
    TableNotFound(String),
    /// The page's query does not fit this version (a filter on a question it lacks).
    #[error("{}", .0.en)]
    Query(Msg),
    /// The chosen weighting does not fit the sample; the message names the categories.
    #[error("{}", .0.en)]
    Weighting(Msg),
    /// The design cannot give the estimate (e.g. a lonely PSU under the `fail` policy).
    #[error(transparent)]
    Analysis(AnalysisError),
}

impl ResultsError {
    /// What the reader can do something about (`None`: a fault of ours or the database's).
    pub fn message(&self) -> Option<Msg> {
        match self {
            ResultsError::Query(m) | ResultsError::Weighting(m) => Some(m.clone()),
            ResultsError::NotFound(v) => Some(Msg::new(
                format!("enkätversionen {v} finns inte"),
                format!("there is no survey version {v}"),
            )),
            ResultsError::TableNotFound(_) => Some(Msg::fixed(
                "populationstabellen finns inte",
                "the population table does not exist",
            )),
            ResultsError::Analysis(AnalysisError::LonelyPsu { .. }) => Some(Msg::new(
                format!("{self}: välj en annan policy för strata med en enda PSU"),
                format!("{self}: choose another policy for strata with a single PSU"),
            )),
            ResultsError::Analysis(e) => Some(Msg::new(
                format!("skattningen gick inte: {e}"),
                format!("the estimate failed: {e}"),
            )),
            ResultsError::CorruptPlan { .. } | ResultsError::Storage(_) => None,
        }
    }
}

/// The stratum given to responses that came without a sample (open link or plain list).
pub const OPEN_STRATUM: &str = "(no sample)";

/// The sampling design of the loaded rows.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignColumns {
    /// Design weight per row (1 where the response has none).
    pub weights: Vec<f64>,
    /// Stratum per row ([`OPEN_STRATUM`] where the response has none).
    pub strata: Vec<String>,
    /// Stratum population size N_h per row, when every row comes from one stored sample.
    pub population: Option<Vec<f64>>,
}

impl DesignColumns {
    /// Every row weight 1 in one stratum: the unweighted analysis.
    pub fn unweighted(n: usize) -> DesignColumns {
        DesignColumns {
            weights: vec![1.0; n],
            strata: vec![OPEN_STRATUM.to_owned(); n],
            population: None,
        }
    }

    /// Whether any row carries a design weight other than 1 or a stratum.
    pub fn is_weighted(&self) -> bool {
        self.strata.iter().any(|s| s != OPEN_STRATUM)
    }
}

/// One version's completed responses as analysis columns, plus the response ids in row order.
pub struct LoadedResponses {
    /// Response ids, one per row.
    pub response_ids: Vec<String>,
    /// Columns named by answer key (`question` or `question.sub`).
    pub data: SurveyData,
    /// The sampling design of the rows.
    pub design: DesignColumns,
}

impl LoadedResponses {
    /// The survey design: weights and strata, with the finite-population correction when known
    /// (R `svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~N)`), and the caller's
    /// policy for a stratum with a single response (R `options(survey.lonely.psu = ...)`).
    pub fn design(&self, lonely_psu: LonelyPsu) -> Result<Design, AnalysisError> {
        let mut codes: HashMap<&str, u64> = HashMap::new();
        let strata: Vec<u64> = self
            .design
            .strata
            .iter()
            .map(|s| {
                let next = codes.len() as u64;
                *codes.entry(s.as_str()).or_insert(next)
            })
            .collect();
        self.design_with_strata(strata, lonely_psu)
    }

    /// [`LoadedResponses::design`] with the strata already numbered (one number per row, as
    /// `cache::StrataIndex` numbers them).
    pub fn design_with_strata(
        &self,
        strata: Vec<u64>,
        lonely_psu: LonelyPsu,
    ) -> Result<Design, AnalysisError> {
        let mut b = Design::builder(self.design.weights.clone())
            .strata(strata)
            .lonely_psu(lonely_psu);
        if let Some(pop) = &self.design.population {
            b = b.fpc(Fpc::PopulationSize(pop.clone()));
        }
        b.build()
    }

    /// The design-weighted mean of a numeric column (missing and "don't know" left out). A stratum
    /// with one response (e.g. a single open-link answer) is handled by `lonely_psu`, never by a
    /// silent switch to another design: with [`LonelyPsu::Fail`] it is an error.
    pub fn mean(&self, key: &str, lonely_psu: LonelyPsu) -> Result<Estimate, AnalysisError> {
        let Some(Column::Numeric(col)) = self.data.column(key) else {
            return Err(AnalysisError::InvalidArgument(format!(
                "'{key}' is not a numeric column"
            )));
        };
        let y = col.substantive();
        self.design(lonely_psu)?.mean(&y, None)
    }
}

/// Load the responses to a version and pivot them into columns, with their design.
pub fn load_version(
    conn: &mut DbConnection,
    survey: &Survey,
    version_id: &str,
) -> Result<LoadedResponses, ResultsError> {
    Ok(load_version_with_meta(conn, survey, version_id)?.0)
}

/// Mode (`None`: a stored mode this build does not know) and submission time per loaded row.
pub type RowMeta = (Vec<Option<Mode>>, Vec<PrimitiveDateTime>);

/// Where the first load reads the answer cells from. Both hold the same cells (every writer
/// writes both in one transaction); the long format is kept here as the reference the tests
/// and the benchmark compare the packed read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellSource {
    /// One packed row per response (`storage::packed`): what the app reads.
    Packed,
    /// One `answers` row per cell, the source of truth: 43 times as many rows to read.
    LongFormat,
}

/// [`load_version`], with each row's mode and submission time (what filters need).
///
/// Two reads: the version's responses in id order (the rows), then every answer cell, read from
/// each response's packed answers and streamed straight into its column
/// ([`columns::ColumnBuilder`]) in whatever order the database finds cheapest; no cell is kept.
/// A response without any cell is no row, as in [`pivot`]. A response stored between the two
/// reads has no row and its cells are skipped: the stamp the caller read before loading does
/// not count it yet, so the next request loads again.
pub fn load_version_with_meta(
    conn: &mut DbConnection,
    survey: &Survey,
    version_id: &str,
) -> Result<(LoadedResponses, RowMeta), ResultsError> {
    load_version_from(conn, survey, version_id, CellSource::Packed)
}

/// [`load_version_with_meta`] reading the cells from `source`.
pub fn load_version_from(
    conn: &mut DbConnection,
    survey: &Survey,
    version_id: &str,
    source: CellSource,
) -> Result<(LoadedResponses, RowMeta), ResultsError> {
    let rows = storage::responses::rows_for_version(conn, version_id)?;
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut builder = columns::ColumnBuilder::new(survey, rows.len());
    let mut has_cells = vec![false; rows.len()];
    match source {
        CellSource::Packed => {
            storage::packed::each_packed(conn, version_id, |response, answers| {
                let Some(&row) = index.get(response) else {
                    return Ok(());
                };
                answers.each_cell(|key, text, number| {
                    has_cells[row] = true;
                    builder.add(row, key, text, number);
                })
            })?;
        }
        CellSource::LongFormat => {
            // The cells of one response come together in practice: look its row up once.
            let mut last: (String, Option<usize>) = (String::new(), None);
            storage::responses::each_answer(conn, version_id, |response, key, text, number| {
                if last.0 != response {
                    last.0.clear();
                    last.0.push_str(response);
                    last.1 = index.get(response).copied();
                }
                if let Some(row) = last.1 {
                    has_cells[row] = true;
                    builder.add(row, key, text, number);
                }
            })?;
        }
    }
    let all = has_cells.iter().all(|&h| h);
    let data = builder.finish((!all).then_some(has_cells.as_slice()));
    let rows: Vec<_> = rows
        .into_iter()
        .zip(&has_cells)
        .filter(|(_, &h)| h)
        .map(|(r, _)| r)
        .collect();
    let mut design = DesignColumns::unweighted(rows.len());
    for (row, r) in rows.iter().enumerate() {
        if let (Some(s), Some(w)) = (&r.stratum, r.design_weight) {
            design.strata[row] = s.clone();
            design.weights[row] = w;
        }
    }
    if design.is_weighted() {
        design.population = population_sizes(conn, version_id, &design.strata)?;
    }
    let meta = (
        rows.iter().map(|r| Mode::parse(&r.mode)).collect(),
        rows.iter().map(|r| r.submitted_at).collect(),
    );
    let loaded = LoadedResponses {
        response_ids: rows.into_iter().map(|r| r.id).collect(),
        data,
        design,
    };
    Ok((loaded, meta))
}

/// N_h per row from the survey's sample plan, when there is exactly one sample and every row's
/// stratum is in it (otherwise no fpc: the with-replacement variance, slightly conservative).
fn population_sizes(
    conn: &mut DbConnection,
    version_id: &str,
    strata: &[String],
) -> Result<Option<Vec<f64>>, ResultsError> {
    let Some(version) = storage::surveys::find_version_by_id(conn, version_id)? else {
        return Ok(None);
    };
    let samples = storage::samples::for_survey(conn, &version.survey_id)?;
    let [sample] = samples.as_slice() else {
        return Ok(None);
    };
    let plan = parse_plan(&sample.id, &sample.plan)?;
    let sizes = crate::use_cases::fieldwork::population_by_stratum(&plan);
    Ok(strata
        .iter()
        .map(|s| sizes.get(s).map(|&n| n as f64))
        .collect())
}

/// The allocation table stored with sample `sample` (a corrupt one is an error, never empty).
fn parse_plan(sample: &str, json: &str) -> Result<Vec<StratumPlan>, ResultsError> {
    serde_json::from_str(json).map_err(|source| ResultsError::CorruptPlan {
        sample: sample.to_owned(),
        source,
    })
}

/// Pivot `(response id, cell)` pairs (ordered by response) into one column per analysable
/// answer column of the instrument. Free text and dates are left out: they are read, not counted.
pub fn pivot(survey: &Survey, cells: &[(String, Cell)]) -> LoadedResponses {
    let mut ids: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(cells.len());
    for (rid, _) in cells {
        if ids.last() != Some(rid) {
            ids.push(rid.clone());
        }
        rows.push(ids.len() - 1);
    }
    let mut builder = columns::ColumnBuilder::new(survey, ids.len());
    for ((_, cell), &row) in cells.iter().zip(&rows) {
        builder.add(row, &cell.key, cell.text.as_deref(), cell.number);
    }
    LoadedResponses {
        design: DesignColumns::unweighted(ids.len()),
        response_ids: ids,
        data: builder.finish(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expr::Value;
    use crate::domain::response::cells;
    use crate::domain::survey::flow::AnswerMap;
    use analysis::data::AnswerState;

    fn survey() -> Survey {
        crate::formats::survey_file::from_toml_str(
            r#"
key = "s"
version = 1
languages = ["sv", "en"]
title = { sv = "T", en = "T" }
[choice_lists]
yn = [ { value = "yes", label = { sv = "Ja", en = "Yes" } }, { value = "no", label = { sv = "Nej", en = "No" } } ]
dev = [ { value = "pc", label = { sv = "Dator", en = "PC" } }, { value = "phone", label = { sv = "Mobil", en = "Phone" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "car"
type = "single_choice"
list = "yn"
label = { sv = "Bil?", en = "Car?" }
[[pages.questions]]
key = "devices"
type = "multiple_choice"
list = "dev"
label = { sv = "Enheter", en = "Devices" }
[[pages.questions]]
key = "age"
type = "integer"
label = { sv = "Ålder", en = "Age" }
"#,
        )
        .expect("test survey")
    }

    #[test]
    fn a_corrupt_stored_plan_is_refused_naming_the_sample() {
        let err = parse_plan("smp-1", "{not json").unwrap_err();
        assert!(
            matches!(&err, ResultsError::CorruptPlan { sample, .. } if sample == "smp-1"),
            "{err:?}"
        );
        assert!(err.to_string().contains("smp-1"), "{err}");
        let plan = r#"[{"stratum":"kista","population":40,"sample":4,"probability":0.1}]"#;
        assert_eq!(parse_plan("smp-1", plan).unwrap()[0].population, 40);
    }

    #[test]
    fn stored_cells_pivot_into_typed_columns_with_missing_kept_apart() {
        let s = survey();
        let mut a1 = AnswerMap::new();
        a1.insert("car".into(), Value::Text("no".into()));
        a1.insert("devices".into(), Value::Text("phone".into()));
        a1.insert("age".into(), Value::Number(41.0));
        let mut a2 = AnswerMap::new();
        a2.insert("car".into(), Value::Text("yes".into()));
        let mut rows: Vec<(String, Cell)> = cells(&s, &a1)
            .into_iter()
            .map(|c| ("r1".to_string(), c))
            .collect();
        rows.extend(cells(&s, &a2).into_iter().map(|c| ("r2".to_string(), c)));

        let loaded = pivot(&s, &rows);
        assert_eq!(loaded.response_ids, vec!["r1", "r2"]);
        let Some(Column::Categorical(car)) = loaded.data.column("car") else {
            panic!("car")
        };
        assert_eq!(
            car.labels,
            vec!["yes", "no"],
            "codes follow the choice list order"
        );
        assert_eq!(car.codes, vec![1, 0]);
        let Some(Column::MultiSelect(dev)) = loaded.data.column("devices") else {
            panic!("devices")
        };
        assert_eq!(dev.state, vec![AnswerState::Valid, AnswerState::Missing]);
        assert_eq!(dev.selected, vec![vec![false, false], vec![true, false]]);
        let Some(Column::Numeric(age)) = loaded.data.column("age") else {
            panic!("age")
        };
        assert_eq!(age.values[0], 41.0);
        assert!(age.values[1].is_nan());
    }
}
