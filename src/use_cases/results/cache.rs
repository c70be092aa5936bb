//! The per-version cache of loaded columns: results pages, filters and weightings all reuse one
//! load of a version's answers until its responses change. Whether they changed is one cheap
//! aggregate query per request, [`storage::results::results_stamp`]; a new response (or any
//! other change the stamp covers) makes the next request load again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::PrimitiveDateTime;

use super::{load_version_with_meta, LoadedResponses, ResultsError};
use crate::domain::response::Mode;
use crate::domain::survey::Survey;
use crate::storage::results::ResultsStamp;
use crate::storage::surveys::StoredVersion;
use crate::storage::{self, DbConnection};

/// Versions kept at once; the least recently loaded goes first. A 40-question version with
/// 100,000 responses is some tens of megabytes.
const CAPACITY: usize = 16;

/// One version's responses as columns, with what filters need per row.
pub struct VersionData {
    /// The version's row id.
    pub version_id: String,
    /// The instrument.
    pub survey: Survey,
    /// Columns and design, one row per response.
    pub loaded: LoadedResponses,
    /// Mode per row (`None`: a stored mode this build does not know).
    pub modes: Vec<Option<Mode>>,
    /// Submission time per row.
    pub submitted: Vec<PrimitiveDateTime>,
    /// The stamp the columns were loaded at.
    pub stamp: ResultsStamp,
    /// The rows' strata, numbered once here rather than hashed again on every page.
    pub strata: StrataIndex,
}

/// The strata of a version's rows as numbers: what every page's design, stratum filter, lonely
/// strata and stratum list need, computed once per load (hashing and sorting 100,000 stratum
/// names per page was a measurable part of a page, BENCHMARKS.md issue 13).
#[derive(Debug, Clone, PartialEq)]
pub struct StrataIndex {
    /// Stratum number per row, numbered in order of first appearance (as
    /// [`LoadedResponses::design`] numbers them, so the design is the same).
    pub codes: Vec<u64>,
    /// Stratum name per number.
    pub names: Vec<String>,
    /// Rows per number.
    pub counts: Vec<usize>,
    /// The distinct names, sorted (the page's stratum list).
    pub sorted: Vec<String>,
}

impl StrataIndex {
    /// Number the strata of `strata` (one per row).
    pub fn new(strata: &[String]) -> StrataIndex {
        let mut numbers: HashMap<&str, u64> = HashMap::new();
        let mut names = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        let codes = strata
            .iter()
            .map(|s| {
                let code = *numbers.entry(s.as_str()).or_insert_with(|| {
                    names.push(s.clone());
                    counts.push(0);
                    names.len() as u64 - 1
                });
                counts[code as usize] += 1;
                code
            })
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        StrataIndex {
            codes,
            names,
            counts,
            sorted,
        }
    }

    /// Strata with exactly one row, sorted.
    pub fn lonely(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .names
            .iter()
            .zip(&self.counts)
            .filter(|&(_, &c)| c == 1)
            .map(|(s, _)| s.clone())
            .collect();
        out.sort();
        out
    }
}

impl VersionData {
    /// A version's loaded rows, with their strata numbered.
    pub fn new(
        version_id: String,
        survey: Survey,
        loaded: LoadedResponses,
        modes: Vec<Option<Mode>>,
        submitted: Vec<PrimitiveDateTime>,
        stamp: ResultsStamp,
    ) -> VersionData {
        let strata = StrataIndex::new(&loaded.design.strata);
        VersionData {
            version_id,
            survey,
            loaded,
            modes,
            submitted,
            stamp,
            strata,
        }
    }

    /// Rows (responses).
    pub fn len(&self) -> usize {
        self.loaded.response_ids.len()
    }

    /// Whether there are no responses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Loaded versions by version id.
#[derive(Default)]
pub struct ResultsCache {
    entries: Mutex<HashMap<String, (u64, Arc<VersionData>)>>,
    loads: std::sync::atomic::AtomicU64,
}

impl ResultsCache {
    /// An empty cache.
    pub fn new() -> ResultsCache {
        ResultsCache::default()
    }

    /// How many times columns were loaded from the database (tests and benchmarks see reuse).
    pub fn loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The version's columns: cached while its stamp is unchanged, else loaded again.
    pub fn load(
        &self,
        conn: &mut DbConnection,
        version: &StoredVersion,
    ) -> Result<Arc<VersionData>, ResultsError> {
        let stamp = storage::results::results_stamp(conn, &version.id)?;
        if let Some((_, d)) = self.lock().get(&version.id) {
            if d.stamp == stamp {
                return Ok(d.clone());
            }
        }
        let data = Arc::new(load_data(conn, version, stamp)?);
        let n = self
            .loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut entries = self.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(&version.id) {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(version.id.clone(), (n, data.clone()));
        Ok(data)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, Arc<VersionData>)>> {
        // A panic while holding the lock leaves a consistent map (inserts are single calls).
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn load_data(
    conn: &mut DbConnection,
    version: &StoredVersion,
    stamp: ResultsStamp,
) -> Result<VersionData, ResultsError> {
    let (loaded, (modes, submitted)) = load_version_with_meta(conn, &version.survey, &version.id)?;
    Ok(VersionData::new(
        version.id.clone(),
        version.survey.clone(),
        loaded,
        modes,
        submitted,
        stamp,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strata_are_numbered_by_first_appearance_with_counts_and_the_sorted_list() {
        let strata: Vec<String> = ["b", "a", "b", "c", "b"].map(String::from).to_vec();
        let index = StrataIndex::new(&strata);
        assert_eq!(index.codes, vec![0, 1, 0, 2, 0]);
        assert_eq!(index.names, vec!["b", "a", "c"]);
        assert_eq!(index.counts, vec![3, 1, 1]);
        assert_eq!(index.sorted, vec!["a", "b", "c"]);
        assert_eq!(index.lonely(), vec!["a", "c"]);
    }
}
