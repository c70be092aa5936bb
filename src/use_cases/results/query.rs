//! What a results page asks for — the weighting, the filters and the lonely-PSU policy — and
//! [`prepare`], which turns a version's cached columns and such a query into the input of every
//! estimate: the final design (weights, strata, calibration) over all rows, the filter as a
//! domain mask, and the weighting diagnostics.
//!
//! Filters are domains, not subsets: the weighting is fitted on every response and the filter
//! only says which rows an estimate is about, as R's `subset(design, …)` does. Post-stratifying
//! a filtered subset to the whole population would be wrong, and a subset's variance would
//! forget the design.
//!
//! The query is carried in the URL (a GET form), so [`ResultsQuery::from_pairs`] parses the
//! query-string pairs and [`ResultsQuery::to_pairs`] writes them back for links.
//!
//! Population tables map to questions column by column: `map.<table column>=<question key>`
//! (an empty value leaves the column out). Without any `map.` pair every table column is
//! matched automatically to the single-choice question with the same key, or else to the first
//! single-choice question whose choices cover the column's categories (by value or label).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use analysis::data::Column;
use analysis::{AnalysisError, Design, Margin, RakeOptions, RakeReport};
use time::{Date, PrimitiveDateTime};

use super::cache::{ResultsCache, VersionData};
use super::population::{self, PopulationTable};
use super::ResultsError;
use crate::domain::lang::Msg;
use crate::domain::response::Mode;
use crate::domain::survey::{QuestionKind, Survey};
use crate::storage::{self, DbConnection};

/// How a stratum with a single PSU (here: a single response) enters the variance, as R's
/// `options(survey.lonely.psu = …)`: the analysis crate's policy, chosen on the page and shown
/// there; never a silent fallback.
pub use analysis::LonelyPsu;

/// What policy `p` does, for the page.
pub fn lonely_psu_label(p: LonelyPsu) -> Msg {
    match p {
        LonelyPsu::Fail => Msg::fixed(
            "fel: ingen varians skattas (R:s standard)",
            "fail: no variance is estimated (R's default)",
        ),
        LonelyPsu::Remove => Msg::fixed(
            "ta bort: stratumet bidrar inte till variansen",
            "remove: the stratum adds no variance",
        ),
        LonelyPsu::Certainty => Msg::fixed(
            "säker: enheten räknas som säkert vald och bidrar inte till variansen",
            "certainty: the unit counts as sampled with certainty and adds no variance",
        ),
        LonelyPsu::Average => Msg::fixed(
            "medel: de andra stratumens genomsnittliga bidrag",
            "average: the other strata's average contribution",
        ),
        LonelyPsu::Adjust => Msg::fixed(
            "justera: centrerat kring totalmedelvärdet",
            "adjust: centred at the grand mean",
        ),
    }
}

/// Table column → question key.
pub type ColumnMap = Vec<(String, String)>;

/// The weights estimates use.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Weighting {
    /// Every response weight 1, no strata: the raw sample.
    Unweighted,
    /// The design weights (1/π) and strata of the drawn sample.
    #[default]
    Design,
    /// Design weights post-stratified to the joint cells of the mapped columns of a table.
    PostStratified {
        /// Population table id.
        table: String,
        /// Mapped columns (empty: every column, matched automatically).
        by: ColumnMap,
    },
    /// Design weights raked to the margins of the mapped columns of a table.
    Raked {
        /// Population table id.
        table: String,
        /// Mapped columns (empty: every column, matched automatically).
        margins: ColumnMap,
    },
}

impl Weighting {
    /// The URL name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Weighting::Unweighted => "unweighted",
            Weighting::Design => "design",
            Weighting::PostStratified { .. } => "poststratified",
            Weighting::Raked { .. } => "raked",
        }
    }

    /// The population table, when the weighting uses one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Weighting::PostStratified { table, .. } | Weighting::Raked { table, .. } => Some(table),
            _ => None,
        }
    }

    /// The column mapping, when the weighting uses a table.
    pub fn columns(&self) -> &[(String, String)] {
        match self {
            Weighting::PostStratified { by, .. } => by,
            Weighting::Raked { margins, .. } => margins,
            _ => &[],
        }
    }
}

/// Which responses an estimate is about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    /// `(single-choice question key, choice value)`: only responses with that answer.
    pub background: Vec<(String, String)>,
    /// Only these modes (empty: all).
    pub modes: Vec<Mode>,
    /// Submitted on or after this day (UTC).
    pub from: Option<Date>,
    /// Submitted on or before this day (UTC).
    pub to: Option<Date>,
    /// Only these strata (empty: all).
    pub strata: Vec<String>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// Everything a results page asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultsQuery {
    /// The weights.
    pub weighting: Weighting,
    /// The rows.
    pub filters: Filters,
    /// The lonely-PSU policy.
    pub lonely_psu: LonelyPsu,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn parse_date(field: &str, value: &str) -> Result<Option<Date>, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    Date::parse(value, DATE).map(Some).map_err(|_| {
        Msg::new(
            format!("{field}: '{value}' är inget datum (ÅÅÅÅ-MM-DD)"),
            format!("{field}: '{value}' is not a date (YYYY-MM-DD)"),
        )
    })
}

impl ResultsQuery {
    /// Parse query-string pairs. Unknown keys are ignored (the language switch, G's own
    /// parameters); a known key with a bad value is an error naming key and value.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<ResultsQuery, Msg> {
        let mut q = ResultsQuery::default();
        let mut kind = None;
        let mut table = None;
        let mut map: ColumnMap = Vec::new();
        let mut explicit_map = false;
        for (k, v) in pairs {
            let v = v.trim();
            match k.as_str() {
                "weighting" => kind = Some(v.to_owned()),
                "table" if !v.is_empty() => table = Some(v.to_owned()),
                "lonely" => {
                    q.lonely_psu = v.parse::<LonelyPsu>().map_err(|_| {
                        Msg::new(
                            format!("lonely: okänd policy '{v}' (fail, remove, certainty, average, adjust)"),
                            format!("lonely: unknown policy '{v}' (fail, remove, certainty, average, adjust)"),
                        )
                    })?
                }
                "mode" if !v.is_empty() => {
                    let m = Mode::parse(v).ok_or_else(|| {
                        Msg::new(
                            format!("mode: okänt svarssätt '{v}' (web, phone, paper)"),
                            format!("mode: unknown response mode '{v}' (web, phone, paper)"),
                        )
                    })?;
                    if !q.filters.modes.contains(&m) {
                        q.filters.modes.push(m);
                    }
                }
                "from" => q.filters.from = parse_date("from", v)?,
                "to" => q.filters.to = parse_date("to", v)?,
                "stratum" if !v.is_empty() => q.filters.strata.push(v.to_owned()),
                _ => {
                    if let Some(question) = k.strip_prefix("f.") {
                        if !v.is_empty() {
                            q.filters
                                .background
                                .push((question.to_owned(), v.to_owned()));
                        }
                    } else if let Some(column) = k.strip_prefix("map.") {
                        explicit_map = true;
                        if !v.is_empty() {
                            map.push((column.to_owned(), v.to_owned()));
                        }
                    }
                }
            }
        }
        if let (Some(from), Some(to)) = (q.filters.from, q.filters.to) {
            if from > to {
                return Err(Msg::new(
                    format!("datumintervallet är tomt: från {from} är efter till {to}"),
                    format!("the date range is empty: from {from} is after to {to}"),
                ));
            }
        }
        let uses_table = matches!(kind.as_deref(), Some("poststratified" | "raked"));
        if uses_table && explicit_map && map.is_empty() {
            return Err(Msg::fixed(
                "välj minst en kolumn i populationstabellen att vikta efter",
                "choose at least one population table column to weight by",
            ));
        }
        let need_table = |table: Option<String>| {
            table.ok_or_else(|| {
                Msg::fixed(
                    "välj en populationstabell för den viktningen",
                    "choose a population table for that weighting",
                )
            })
        };
        q.weighting = match kind.as_deref() {
            None | Some("") | Some("design") => Weighting::Design,
            Some("unweighted") => Weighting::Unweighted,
            Some("poststratified") => Weighting::PostStratified {
                table: need_table(table)?,
                by: map,
            },
            Some("raked") => Weighting::Raked {
                table: need_table(table)?,
                margins: map,
            },
            Some(other) => {
                return Err(Msg::new(
                    format!("weighting: okänd viktning '{other}' (unweighted, design, poststratified, raked)"),
                    format!("weighting: unknown weighting '{other}' (unweighted, design, poststratified, raked)"),
                ))
            }
        };
        Ok(q)
    }

    /// The query as query-string pairs (the inverse of [`from_pairs`](Self::from_pairs)).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("weighting".to_owned(), self.weighting.kind().to_owned())];
        if let Some(t) = self.weighting.table() {
            out.push(("table".into(), t.to_owned()));
        }
        for (c, q) in self.weighting.columns() {
            out.push((format!("map.{c}"), q.clone()));
        }
        if self.lonely_psu != LonelyPsu::Fail {
            out.push(("lonely".into(), self.lonely_psu.as_str().into()));
        }
        for (q, code) in &self.filters.background {
            out.push((format!("f.{q}"), code.clone()));
        }
        for m in &self.filters.modes {
            out.push(("mode".into(), m.as_str().into()));
        }
        if let Some(d) = self.filters.from {
            out.push(("from".into(), d.to_string()));
        }
        if let Some(d) = self.filters.to {
            out.push(("to".into(), d.to_string()));
        }
        for s in &self.filters.strata {
            out.push(("stratum".into(), s.clone()));
        }
        out
    }

    /// The query as a URL query string (without `?`).
    pub fn to_query_string(&self) -> String {
        serde_urlencoded::to_string(self.to_pairs()).unwrap_or_default()
    }
}

/// How the weighting came out, for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    /// Smallest and largest final weight among the filtered rows.
    pub weight_range: (f64, f64),
    /// Kish's effective sample size (Σw)²/Σw² of the filtered rows.
    pub kish_n: f64,
    /// Design effect from unequal weighting, n / n_eff (Kish's 1 + CV²).
    pub deff_weighting: f64,
    /// Raking's convergence, when raked.
    pub rake: Option<RakeReport>,
    /// The population table's name, when one is used.
    pub table_name: Option<String>,
    /// `(table column, question key)` actually used.
    pub columns: ColumnMap,
    /// The lonely-PSU policy in force.
    pub lonely_psu: LonelyPsu,
    /// Strata with a single response (where the policy matters).
    pub lonely_strata: Vec<String>,
}

/// The input of every estimate on a results page.
pub struct Prepared {
    /// The version's cached columns (all rows).
    pub data: Arc<VersionData>,
    /// The final design over all rows.
    pub design: Design,
    /// Rows the filters keep (the domain of every estimate).
    pub domain: Vec<bool>,
    /// How many rows that is.
    pub n: usize,
    /// The weighting diagnostics.
    pub diagnostics: Diagnostics,
    /// The query it was prepared for.
    pub query: ResultsQuery,
}

impl Prepared {
    /// The domain to pass to estimates: `None` when no filter is set (the whole sample).
    pub fn domain(&self) -> Option<&[bool]> {
        (!self.query.filters.is_empty()).then_some(self.domain.as_slice())
    }

    /// The final weight per row (all rows; filtered rows are those in [`Prepared::domain`]).
    pub fn weights(&self) -> &[f64] {
        self.design.weights()
    }
}

/// Load (or reuse) the columns of version `version` of survey `key` and prepare them for
/// `query`. A population table that does not fit the sample is [`ResultsError::Weighting`]
/// naming the categories; a design that cannot estimate a variance is
/// [`ResultsError::Analysis`].
pub fn prepare(
    conn: &mut DbConnection,
    cache: &ResultsCache,
    key: &str,
    version: u32,
    query: &ResultsQuery,
) -> Result<Prepared, ResultsError> {
    let stored = storage::surveys::find_version(conn, key, version)?
        .ok_or_else(|| ResultsError::NotFound(format!("{key}/{version}")))?;
    let data = cache.load(conn, &stored)?;
    let table = match query.weighting.table() {
        Some(id) => Some(
            population::find_table(conn, id)?
                .ok_or_else(|| ResultsError::TableNotFound(id.to_owned()))?,
        ),
        None => None,
    };
    prepare_loaded(data, table.as_ref(), query)
}

/// [`prepare`] on already loaded columns and population table (no database).
pub fn prepare_loaded(
    data: Arc<VersionData>,
    table: Option<&PopulationTable>,
    query: &ResultsQuery,
) -> Result<Prepared, ResultsError> {
    let n_all = data.len();
    let domain = filter_mask(&data, &query.filters)?;
    let n = domain.iter().filter(|&&b| b).count();
    let lonely_strata = data.strata.lonely();
    let stratified =
        !matches!(query.weighting, Weighting::Unweighted) && data.loaded.design.is_weighted();
    if stratified && query.lonely_psu == LonelyPsu::Fail && !lonely_strata.is_empty() {
        let list = lonely_strata.join(", ");
        return Err(ResultsError::Weighting(Msg::new(
            format!("strata med ett enda svar: {list}; policyn 'fel' skattar då ingen varians – välj en annan policy för strata med en enda PSU, eller oviktat"),
            format!("strata with a single response: {list}; the policy 'fail' then estimates no variance – choose another policy for strata with a single PSU, or unweighted"),
        )));
    }
    let base = match query.weighting {
        Weighting::Unweighted => Design::builder(vec![1.0; n_all]).build(),
        _ => design_with_policy(&data, query.lonely_psu),
    }
    .map_err(ResultsError::Analysis)?;
    let mut rake = None;
    let mut columns = Vec::new();
    let design = match (&query.weighting, table) {
        (Weighting::PostStratified { by, .. }, Some(t)) => {
            columns = resolve_columns(&data.survey, t, by)?;
            let (codes, targets) = joint_cells(&data, t, &columns)?;
            base.post_stratify(&codes, &targets)
                .map_err(|e| weighting_error(e, t))?
        }
        (Weighting::Raked { margins, .. }, Some(t)) => {
            columns = resolve_columns(&data.survey, t, margins)?;
            let margins = columns
                .iter()
                .map(|c| {
                    let (codes, targets) = joint_cells(&data, t, std::slice::from_ref(c))?;
                    Ok(Margin { codes, targets })
                })
                .collect::<Result<Vec<_>, ResultsError>>()?;
            let (d, report) = base
                .rake(&margins, RakeOptions::default())
                .map_err(|e| weighting_error(e, t))?;
            rake = Some(report);
            d
        }
        _ => base,
    };
    let w = design.weights();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, &x) in w.iter().enumerate() {
        if domain[i] {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    if n == 0 {
        (lo, hi) = (f64::NAN, f64::NAN);
    }
    let kish_n = design.kish_effective_n(Some(&domain));
    let diagnostics = Diagnostics {
        weight_range: (lo, hi),
        kish_n,
        deff_weighting: if kish_n > 0.0 {
            n as f64 / kish_n
        } else {
            f64::NAN
        },
        rake,
        table_name: table.map(|t| t.name.clone()),
        columns,
        lonely_psu: query.lonely_psu,
        lonely_strata,
    };
    Ok(Prepared {
        data,
        design,
        domain,
        n,
        diagnostics,
        query: query.clone(),
    })
}

/// The sampling design with the lonely-PSU policy, on the strata numbered at load.
fn design_with_policy(data: &VersionData, policy: LonelyPsu) -> Result<Design, AnalysisError> {
    data.loaded
        .design_with_strata(data.strata.codes.clone(), policy)
}

/// Rows kept by `filters`.
fn filter_mask(data: &VersionData, filters: &Filters) -> Result<Vec<bool>, ResultsError> {
    let n = data.len();
    let mut keep = vec![true; n];
    for (question, code) in &filters.background {
        let Some(Column::Categorical(col)) = data.loaded.data.column(question) else {
            return Err(ResultsError::Query(Msg::new(
                format!("filtret '{question}' är ingen envalsfråga i den här versionen"),
                format!("the filter '{question}' is not a single-choice question of this version"),
            )));
        };
        let Some(k) = col.labels.iter().position(|l| l == code) else {
            return Err(ResultsError::Query(Msg::new(
                format!("filtret '{question}': svarsalternativet '{code}' finns inte"),
                format!("the filter '{question}': there is no choice '{code}'"),
            )));
        };
        for (row, c) in col.codes.iter().enumerate() {
            keep[row] &= *c == k as u32;
        }
    }
    if !filters.modes.is_empty() {
        for (row, m) in data.modes.iter().enumerate() {
            keep[row] &= m.is_some_and(|m| filters.modes.contains(&m));
        }
    }
    let day = |t: &PrimitiveDateTime| t.date();
    for (row, t) in data.submitted.iter().enumerate() {
        if let Some(from) = filters.from {
            keep[row] &= day(t) >= from;
        }
        if let Some(to) = filters.to {
            keep[row] &= day(t) <= to;
        }
    }
    if !filters.strata.is_empty() {
        let wanted: Vec<bool> = data
            .strata
            .names
            .iter()
            .map(|s| filters.strata.contains(s))
            .collect();
        for (row, &code) in data.strata.codes.iter().enumerate() {
            keep[row] &= wanted[code as usize];
        }
    }
    Ok(keep)
}

/// Analysis errors of a weighting step, said in terms of the table.
fn weighting_error(e: AnalysisError, t: &PopulationTable) -> ResultsError {
    ResultsError::Weighting(Msg::new(
        format!("viktningen mot '{}' gick inte: {e}", t.name),
        format!("weighting to '{}' failed: {e}", t.name),
    ))
}

/// The single-choice questions of `survey` with their choice values and labels.
fn single_choice(survey: &Survey, key: &str) -> Option<Vec<(String, Vec<String>)>> {
    let q = survey.question(key)?;
    let QuestionKind::SingleChoice { list, .. } = &q.kind else {
        return None;
    };
    Some(
        survey
            .choice_list(list)?
            .iter()
            .map(|c| (c.value.clone(), c.label.0.values().cloned().collect()))
            .collect(),
    )
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The choice value of `question` that table category `category` names (by value or label).
fn match_category(choices: &[(String, Vec<String>)], category: &str) -> Option<String> {
    let c = norm(category);
    choices
        .iter()
        .find(|(v, _)| norm(v) == c)
        .or_else(|| {
            choices
                .iter()
                .find(|(_, labels)| labels.iter().any(|l| norm(l) == c))
        })
        .map(|(v, _)| v.clone())
}

/// The column mapping to use: `map` checked, or every column matched automatically.
fn resolve_columns(
    survey: &Survey,
    t: &PopulationTable,
    map: &[(String, String)],
) -> Result<ColumnMap, ResultsError> {
    if !map.is_empty() {
        for (column, question) in map {
            if !t.columns.contains(column) {
                return Err(ResultsError::Weighting(Msg::new(
                    format!(
                        "populationstabellen '{}' har ingen kolumn '{column}' (kolumner: {})",
                        t.name,
                        t.columns.join(", ")
                    ),
                    format!(
                        "population table '{}' has no column '{column}' (columns: {})",
                        t.name,
                        t.columns.join(", ")
                    ),
                )));
            }
            if single_choice(survey, question).is_none() {
                return Err(ResultsError::Weighting(Msg::new(
                    format!("kolumnen '{column}': '{question}' är ingen envalsfråga"),
                    format!("column '{column}': '{question}' is not a single-choice question"),
                )));
            }
        }
        return Ok(map.to_vec());
    }
    let mut out = Vec::new();
    for (i, column) in t.columns.iter().enumerate() {
        let cats: BTreeSet<&str> = t.cells.iter().map(|(c, _)| c[i].as_str()).collect();
        let covers = |key: &str| {
            single_choice(survey, key)
                .is_some_and(|choices| cats.iter().all(|c| match_category(&choices, c).is_some()))
        };
        let found = if single_choice(survey, column).is_some() {
            Some(column.clone())
        } else {
            survey
                .questions()
                .map(|q| q.key.clone())
                .find(|k| covers(k))
        };
        match found {
            Some(q) => out.push((column.clone(), q)),
            None => {
                return Err(ResultsError::Weighting(Msg::new(
                    format!("kolumnen '{column}' i '{}' motsvarar ingen envalsfråga; välj fråga för varje kolumn", t.name),
                    format!("column '{column}' of '{}' matches no single-choice question; choose a question for each column", t.name),
                )))
            }
        }
    }
    Ok(out)
}

/// Per row the index of its joint cell over `columns`, and the population per cell; every
/// mismatch between the sample's and the table's categories is named.
fn joint_cells(
    data: &VersionData,
    t: &PopulationTable,
    columns: &[(String, String)],
) -> Result<(Vec<u32>, Vec<f64>), ResultsError> {
    let idx: Vec<usize> = columns
        .iter()
        .map(|(c, _)| t.columns.iter().position(|x| x == c).unwrap_or(0))
        .collect();
    // Table categories → choice values, per mapped column.
    let mut to_value: Vec<HashMap<String, String>> = Vec::new();
    for ((column, question), &i) in columns.iter().zip(&idx) {
        let choices = single_choice(&data.survey, question).unwrap_or_default();
        let mut m = HashMap::new();
        let mut unknown = BTreeSet::new();
        for (cats, _) in &t.cells {
            match match_category(&choices, &cats[i]) {
                Some(v) => {
                    m.insert(cats[i].clone(), v);
                }
                None => {
                    unknown.insert(cats[i].clone());
                }
            }
        }
        if !unknown.is_empty() {
            let list = unknown.into_iter().collect::<Vec<_>>().join(", ");
            return Err(ResultsError::Weighting(Msg::new(
                format!(
                    "kolumnen '{column}' har kategorier som frågan '{question}' saknar: {list}"
                ),
                format!(
                    "column '{column}' has categories that question '{question}' lacks: {list}"
                ),
            )));
        }
        to_value.push(m);
    }
    // Joint cells of the table, summed over the columns not used.
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut targets: Vec<f64> = Vec::new();
    let mut cell_of: HashMap<Vec<String>, u32> = HashMap::new();
    for (cats, count) in &t.cells {
        let key: Vec<String> = idx
            .iter()
            .zip(&to_value)
            .map(|(&i, m)| m[&cats[i]].clone())
            .collect();
        let next = cells.len() as u32;
        let k = *cell_of.entry(key.clone()).or_insert_with(|| {
            cells.push(key);
            targets.push(0.0);
            next
        });
        targets[k as usize] += count;
    }
    // The sample's answers → cells.
    let mut answers: Vec<&analysis::data::Categorical> = Vec::new();
    for (column, question) in columns {
        let Some(Column::Categorical(col)) = data.loaded.data.column(question) else {
            return Err(ResultsError::Weighting(Msg::new(
                format!("kolumnen '{column}': frågan '{question}' har inga svar att vikta efter"),
                format!("column '{column}': question '{question}' has no answers to weight by"),
            )));
        };
        answers.push(col);
    }
    let mut codes = Vec::with_capacity(data.len());
    let mut unanswered = vec![0usize; columns.len()];
    let mut outside: BTreeSet<String> = BTreeSet::new();
    let mut sampled = vec![false; targets.len()];
    // A row's cell depends only on its answer codes: look each combination of codes up once
    // (numbered in mixed radix over the columns' labels) instead of building and hashing the
    // labels of every row, which was most of a raking's cost on 100,000 rows.
    let radix: Vec<usize> = answers.iter().map(|c| c.labels.len()).collect();
    let combinations = radix
        .iter()
        .try_fold(1usize, |n, &r| n.checked_mul(r))
        .filter(|&n| n <= 1 << 20);
    // (More combinations than that, from columns with many labels: one lookup per distinct
    // combination of codes, by the codes themselves.)
    let mut memo: HashMap<Vec<u32>, Option<u32>> = HashMap::new();
    let mut seen: Vec<Option<Option<u32>>> = vec![None; combinations.unwrap_or(0)];
    for row in 0..data.len() {
        let mut combination = 0usize;
        let mut answered = true;
        for (j, col) in answers.iter().enumerate() {
            let c = col.codes[row] as usize;
            if c < radix[j] {
                // No overflow: only used when the product of the radices is at most 2²⁰.
                combination = combination.wrapping_mul(radix[j]).wrapping_add(c);
            } else {
                unanswered[j] += 1;
                answered = false;
            }
        }
        if !answered {
            codes.push(0);
            continue;
        }
        let look_up = || {
            let key: Vec<String> = answers
                .iter()
                .map(|col| col.labels[col.codes[row] as usize].clone())
                .collect();
            let cell = cell_of.get(&key).copied();
            if cell.is_none() {
                outside.insert(key.join(" × "));
            }
            cell
        };
        let cell = match (combinations, seen.get_mut(combination)) {
            (Some(_), Some(slot)) => *slot.get_or_insert_with(look_up),
            _ => {
                let by_codes: Vec<u32> = answers.iter().map(|col| col.codes[row]).collect();
                *memo.entry(by_codes).or_insert_with(look_up)
            }
        };
        match cell {
            Some(k) => {
                sampled[k as usize] = true;
                codes.push(k);
            }
            None => codes.push(0),
        }
    }
    for (j, (column, question)) in columns.iter().enumerate() {
        if unanswered[j] > 0 {
            let n = unanswered[j];
            return Err(ResultsError::Weighting(Msg::new(
                format!("{n} svar saknar svar på '{question}' (kolumnen '{column}'): de kan inte viktas; välj en annan viktning"),
                format!("{n} responses have no answer to '{question}' (column '{column}'): they cannot be weighted; choose another weighting"),
            )));
        }
    }
    if !outside.is_empty() {
        let list = outside.into_iter().collect::<Vec<_>>().join(", ");
        return Err(ResultsError::Weighting(Msg::new(
            format!("urvalet har kategorier som '{}' saknar: {list}", t.name),
            format!("the sample has categories that '{}' lacks: {list}", t.name),
        )));
    }
    let empty: Vec<String> = cells
        .iter()
        .zip(&sampled)
        .zip(&targets)
        .filter(|((_, &s), &n)| !s && n > 0.0)
        .map(|((c, _), _)| c.join(" × "))
        .collect();
    if !empty.is_empty() {
        let list = empty.join(", ");
        return Err(ResultsError::Weighting(Msg::new(
            format!("inga svar i populationscellerna: {list}; vikta efter färre kolumner"),
            format!("no responses in the population cells: {list}; weight by fewer columns"),
        )));
    }
    Ok((codes, targets))
}

/// The population margin of one mapped `(table column, question)` as `(choice value, total)`,
/// in the table's order: what "reproduce this figure" writes as the `category,total` file that
/// `insikt stats rake --margin question=FILE` reads (the categories are the stored choice
/// values, as in the dataset). Categories no respondent chose are left out: the page cannot
/// rake to them either (it refuses with their names).
pub fn margin_values(
    data: &VersionData,
    t: &PopulationTable,
    column: &(String, String),
) -> Result<Vec<(String, f64)>, ResultsError> {
    let (codes, targets) = joint_cells(data, t, std::slice::from_ref(column))?;
    let mut value: Vec<Option<String>> = vec![None; targets.len()];
    if let Some(Column::Categorical(col)) = data.loaded.data.column(&column.1) {
        for (row, &k) in codes.iter().enumerate() {
            if let Some(v) = col.labels.get(col.codes[row] as usize) {
                value[k as usize].get_or_insert_with(|| v.clone());
            }
        }
    }
    Ok(value
        .into_iter()
        .zip(targets)
        .filter_map(|(v, n)| v.map(|v| (v, n)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_query_round_trips_through_its_pairs() {
        let q = ResultsQuery::from_pairs(&pairs(&[
            ("weighting", "raked"),
            ("table", "t1"),
            ("map.district", "district"),
            ("map.gender", "kon"),
            ("lonely", "certainty"),
            ("f.car", "yes"),
            ("mode", "phone"),
            ("mode", "paper"),
            ("from", "2026-01-01"),
            ("to", "2026-02-01"),
            ("stratum", "kista"),
            ("lang", "en"),
        ]))
        .unwrap();
        assert_eq!(
            q.weighting,
            Weighting::Raked {
                table: "t1".into(),
                margins: vec![
                    ("district".into(), "district".into()),
                    ("gender".into(), "kon".into())
                ]
            }
        );
        assert_eq!(q.filters.modes, vec![Mode::Phone, Mode::Paper]);
        assert_eq!(q.lonely_psu, LonelyPsu::Certainty);
        assert_eq!(ResultsQuery::from_pairs(&q.to_pairs()).unwrap(), q);
    }

    /// Three responses: two in stratum `a`, one alone in `b`.
    fn lonely_data() -> Arc<VersionData> {
        use crate::domain::expr::Value;
        use crate::domain::survey::flow::AnswerMap;
        let survey = crate::formats::survey_file::from_toml_str(
            r#"
key = "s"
version = 1
languages = ["sv", "en"]
title = { sv = "T", en = "T" }
[choice_lists]
yn = [ { value = "yes", label = { sv = "Ja", en = "Yes" } }, { value = "no", label = { sv = "Nej", en = "No" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "car"
type = "single_choice"
list = "yn"
label = { sv = "Bil?", en = "Car?" }
"#,
        )
        .unwrap();
        let mut cells = Vec::new();
        for (id, v) in [("r1", "yes"), ("r2", "no"), ("r3", "yes")] {
            let mut a = AnswerMap::new();
            a.insert("car".into(), Value::Text(v.into()));
            for c in crate::domain::response::cells(&survey, &a) {
                cells.push((id.to_string(), c));
            }
        }
        let mut loaded = super::super::pivot(&survey, &cells);
        loaded.design.strata = vec!["a".into(), "a".into(), "b".into()];
        loaded.design.weights = vec![2.0, 2.0, 5.0];
        Arc::new(VersionData::new(
            "v".into(),
            survey,
            loaded,
            vec![Some(Mode::Web); 3],
            vec![PrimitiveDateTime::MIN; 3],
            crate::storage::results::ResultsStamp {
                responses: 3,
                last_submitted: None,
                exclusions: 0,
            },
        ))
    }

    #[test]
    fn a_lonely_stratum_is_refused_under_fail_and_estimated_under_the_chosen_policy() {
        let err = prepare_loaded(lonely_data(), None, &ResultsQuery::default())
            .err()
            .expect("fail refuses");
        let m = err.message().unwrap();
        assert!(m.en.contains("single response: b"), "{}", m.en);
        let q = ResultsQuery {
            lonely_psu: LonelyPsu::Certainty,
            ..ResultsQuery::default()
        };
        let p = prepare_loaded(lonely_data(), None, &q).unwrap();
        assert_eq!(p.diagnostics.lonely_strata, vec!["b"]);
        assert_eq!(p.diagnostics.lonely_psu, LonelyPsu::Certainty);
        assert_eq!(p.diagnostics.weight_range, (2.0, 5.0));
        let Some(Column::Categorical(car)) = p.data.loaded.data.column("car") else {
            panic!("car")
        };
        let ft = p.design.frequencies(&car.codes, 2, None).unwrap();
        assert!((ft.proportions[0].estimate - 7.0 / 9.0).abs() < 1e-12);
        assert!(ft.proportions[0].se.is_finite());
    }

    #[test]
    fn an_empty_query_is_the_design_weighted_whole_sample() {
        let q = ResultsQuery::from_pairs(&[]).unwrap();
        assert_eq!(q.weighting, Weighting::Design);
        assert!(q.filters.is_empty());
        assert_eq!(q.lonely_psu, LonelyPsu::Fail);
    }

    #[test]
    fn bad_values_are_refused_naming_the_field_and_value() {
        for (p, word) in [
            (vec![("mode", "fax")], "fax"),
            (vec![("from", "1 jan")], "1 jan"),
            (vec![("weighting", "magic")], "magic"),
            (vec![("lonely", "ignore")], "ignore"),
            (vec![("weighting", "raked")], "population table"),
            (
                vec![("from", "2026-03-01"), ("to", "2026-02-01")],
                "date range",
            ),
        ] {
            let err = ResultsQuery::from_pairs(&pairs(&p)).unwrap_err();
            assert!(err.en.contains(word), "{p:?}: {}", err.en);
            assert!(!err.sv.is_empty());
        }
    }
}
