//! MaxDiff (best–worst scaling) design generation. Researchers give the items, items per task, tasks per
//! respondent and the number of design versions; the generator produces a near-balanced design: every item
//! is shown about equally often (within each version and overall) and every pair of items co-occurs about
//! equally often. Respondents are spread over the versions; the version seen is stored with the response.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::flow::{AnswerError, AnswerMap};
use super::{Question, QuestionKind, Survey};
use crate::domain::expr::Value;

/// How many randomised greedy constructions are tried; the most balanced one wins. Cheap: a 20-item,
/// 10-version design takes well under a millisecond per attempt.
const ATTEMPTS: u64 = 32;

/// Invalid design parameters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MaxDiffError {
    /// Items per task must be at least 2 and less than the number of items.
    #[error("items per task must be between 2 and {max}, got {got}")]
    ItemsPerTask {
        /// The number of items minus one.
        max: usize,
        /// The requested number.
        got: usize,
    },
    /// Tasks and versions must be at least one.
    #[error("tasks and design versions must be at least 1")]
    Empty,
}

/// A generated design: `versions[v][t]` lists the item indices shown in task `t` of version `v`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxDiffDesign {
    /// The number of items.
    pub items: usize,
    /// The tasks of every version.
    pub versions: Vec<Vec<Vec<usize>>>,
}

/// Balance figures of a design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// Fewest appearances of any item over the whole design.
    pub min_item: u32,
    /// Most appearances of any item.
    pub max_item: u32,
    /// Fewest co-occurrences of any pair.
    pub min_pair: u32,
    /// Most co-occurrences of any pair.
    pub max_pair: u32,
}

impl MaxDiffDesign {
    /// How often each item appears over the whole design.
    pub fn item_counts(&self) -> Vec<u32> {
        let mut c = vec![0; self.items];
        for task in self.versions.iter().flatten() {
            for &i in task {
                c[i] += 1;
            }
        }
        c
    }

    /// How often each pair of items appears together (symmetric matrix).
    pub fn pair_counts(&self) -> Vec<Vec<u32>> {
        let mut c = vec![vec![0; self.items]; self.items];
        for task in self.versions.iter().flatten() {
            for (a, &i) in task.iter().enumerate() {
                for &j in &task[a + 1..] {
                    c[i][j] += 1;
                    c[j][i] += 1;
                }
            }
        }
        c
    }

    /// Item and pair balance.
    pub fn balance(&self) -> Balance {
        let items = self.item_counts();
        let pairs = self.pair_counts();
        let pair_values: Vec<u32> = (0..self.items)
            .flat_map(|i| ((i + 1)..self.items).map(move |j| (i, j)))
            .map(|(i, j)| pairs[i][j])
            .collect();
        Balance {
            min_item: items.iter().copied().min().unwrap_or(0),
            max_item: items.iter().copied().max().unwrap_or(0),
            min_pair: pair_values.iter().copied().min().unwrap_or(0),
            max_pair: pair_values.iter().copied().max().unwrap_or(0),
        }
    }

    /// The version a respondent with `respondent_seed` sees (store it in the `version` answer column).
    pub fn version_for(&self, respondent_seed: u64) -> usize {
        let n = self.versions.len().max(1) as u64;
        usize::try_from(respondent_seed % n).unwrap_or(0)
    }

    /// The tasks a respondent with `respondent_seed` answers: item indices into the question's list.
    pub fn tasks_for(&self, respondent_seed: u64) -> &[Vec<usize>] {
        self.versions
            .get(self.version_for(respondent_seed))
            .map_or(&[], Vec::as_slice)
    }
}

/// The design of a MaxDiff question, generated from its parameters and the size of its item list.
/// Returns `None` when the question is not a MaxDiff block or its list does not exist.
pub fn design_for(
    survey: &Survey,
    question: &Question,
) -> Option<Result<MaxDiffDesign, MaxDiffError>> {
    let QuestionKind::MaxDiff {
        list,
        items_per_task,
        tasks,
        design_versions,
        design_seed,
        ..
    } = &question.kind
    else {
        return None;
    };
    let items = survey.choice_list(list)?.len();
    Some(generate(
        items,
        *items_per_task as usize,
        *tasks as usize,
        *design_versions as usize,
        u64::from(*design_seed),
    ))
}

/// Generates a design deterministically from `seed`.
pub fn generate(
    items: usize,
    items_per_task: usize,
    tasks: usize,
    versions: usize,
    seed: u64,
) -> Result<MaxDiffDesign, MaxDiffError> {
    if items_per_task < 2 || items_per_task >= items {
        return Err(MaxDiffError::ItemsPerTask {
            max: items.saturating_sub(1),
            got: items_per_task,
        });
    }
    if tasks == 0 || versions == 0 {
        return Err(MaxDiffError::Empty);
    }
    let mut best: Option<(u64, MaxDiffDesign)> = None;
    for attempt in 0..ATTEMPTS {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(attempt);
        let design = construct(items, items_per_task, tasks, versions, &mut rng);
        let b = design.balance();
        let score = u64::from(b.max_item - b.min_item) * 1000 + u64::from(b.max_pair - b.min_pair);
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, design));
        }
    }
    best.map(|(_, d)| d).ok_or(MaxDiffError::Empty)
}

/// One randomised greedy construction: each slot takes the item shown least in this version, then least
/// overall, then least often paired with the items already in the task; ties are broken randomly.
fn construct(
    items: usize,
    k: usize,
    tasks: usize,
    versions: usize,
    rng: &mut ChaCha8Rng,
) -> MaxDiffDesign {
    let mut total = vec![0u32; items];
    let mut pairs = vec![vec![0u32; items]; items];
    let mut out = Vec::with_capacity(versions);
    for _ in 0..versions {
        let mut local = vec![0u32; items];
        let mut version = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            let mut task: Vec<usize> = Vec::with_capacity(k);
            for _ in 0..k {
                let mut candidates: Vec<usize> = (0..items).filter(|i| !task.contains(i)).collect();
                candidates.shuffle(rng);
                let pick = candidates
                    .into_iter()
                    .min_by_key(|&i| {
                        let pair: u32 = task.iter().map(|&j| pairs[i][j]).sum();
                        (local[i], total[i], pair)
                    })
                    .unwrap_or(0);
                task.push(pick);
            }
            for (a, &i) in task.iter().enumerate() {
                local[i] += 1;
                total[i] += 1;
                for &j in &task[a + 1..] {
                    pairs[i][j] += 1;
                    pairs[j][i] += 1;
                }
            }
            // Position in the task should not follow selection order (least-shown items would come first).
            task.shuffle(rng);
            version.push(task);
        }
        out.push(version);
    }
    MaxDiffDesign {
        items,
        versions: out,
    }
}

/// Tasks a respondent sees on one screen: nine tasks on one long page tire people out, so a
/// MaxDiff question is answered a few tasks at a time on its page (see [`turn`]).
pub const TASKS_PER_SCREEN: u32 = 3;

/// The answer key that remembers which screen of tasks a respondent is on. It travels with the
/// answers (so Back, a language switch and a saved draft come back to the same tasks) but is
/// not an answer column, so it is never stored with the response.
pub fn screen_key(question: &str) -> String {
    format!("{question}.screen")
}

/// How many screens `tasks` tasks take.
pub fn screens(tasks: u32) -> u32 {
    tasks.div_ceil(TASKS_PER_SCREEN).max(1)
}

/// The 1-based task numbers on screen `screen` (0-based) of `tasks` tasks.
pub fn screen_tasks(screen: u32, tasks: u32) -> std::ops::RangeInclusive<u32> {
    let first = screen * TASKS_PER_SCREEN + 1;
    first..=(first + TASKS_PER_SCREEN - 1).min(tasks)
}

fn task_done(question: &str, t: u32, answers: &AnswerMap) -> bool {
    ["best", "worst"].iter().all(|side| {
        answers
            .get(&format!("{question}.t{t}.{side}"))
            .is_some_and(|v| !v.is_empty())
    })
}

/// The screen to show for MaxDiff question `q`: the remembered one, or, when `missing` (the
/// question is required and not complete), the screen of the first unfinished task, so the
/// message is shown next to the task it is about.
pub fn shown_screen(q: &Question, answers: &AnswerMap, missing: bool) -> u32 {
    let QuestionKind::MaxDiff { tasks, .. } = &q.kind else {
        return 0;
    };
    if missing {
        if let Some(t) = (1..=*tasks).find(|&t| !task_done(&q.key, t, answers)) {
            return (t - 1) / TASKS_PER_SCREEN;
        }
    }
    let remembered = answers
        .get(&screen_key(&q.key))
        .map(Value::to_number)
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(0, |n| n as u32);
    remembered.min(screens(*tasks) - 1)
}

/// Next or Back on a page whose MaxDiff question has more screens: move to the neighbouring
/// screen of tasks and stay on the page. Returns the errors to show when the respondent stays
/// (empty when the screen simply turned), or `None` when the page itself is left. Going
/// forward, the tasks of the current screen must be valid first (and complete when the
/// question is required).
pub fn turn(
    questions: &[&Question],
    answers: &mut AnswerMap,
    errors: &[AnswerError],
    forward: bool,
) -> Option<Vec<AnswerError>> {
    for q in questions {
        let QuestionKind::MaxDiff { tasks, .. } = &q.kind else {
            continue;
        };
        let screen = shown_screen(q, answers, false);
        if !forward {
            if screen == 0 {
                continue;
            }
            answers.insert(screen_key(&q.key), Value::Number(f64::from(screen - 1)));
            return Some(Vec::new());
        }
        if screen + 1 >= screens(*tasks) {
            continue;
        }
        let range = screen_tasks(screen, *tasks);
        let on_screen = |key: &str| {
            range.clone().any(|t| {
                let task = format!("{}.t{t}", q.key);
                key == task || key.starts_with(&format!("{task}."))
            })
        };
        let mut stay: Vec<AnswerError> = errors
            .iter()
            .filter(|e| on_screen(e.answer_key()))
            .cloned()
            .collect();
        if q.required {
            stay.extend(
                range
                    .clone()
                    .filter(|&t| !task_done(&q.key, t, answers))
                    .map(|t| AnswerError::MissingRequired {
                        question: format!("{}.t{t}", q.key),
                        message: q.required_message.clone(),
                    }),
            );
        }
        if stay.is_empty() {
            answers.insert(screen_key(&q.key), Value::Number(f64::from(screen + 1)));
        }
        return Some(stay);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_shows_every_item_about_equally_often() {
        let d = generate(12, 4, 9, 10, 7).expect("valid parameters");
        let b = d.balance();
        assert!(b.max_item - b.min_item <= 1, "{b:?}");
        assert!(b.max_pair - b.min_pair <= 4, "{b:?}");
        assert!(b.min_pair >= 1, "every pair co-occurs: {b:?}");
    }

    #[test]
    fn each_task_shows_distinct_items() {
        let d = generate(11, 5, 8, 3, 1).expect("valid parameters");
        for task in d.versions.iter().flatten() {
            let mut t = task.clone();
            t.sort_unstable();
            t.dedup();
            assert_eq!(t.len(), 5);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_design() {
        assert_eq!(generate(10, 4, 6, 5, 42), generate(10, 4, 6, 5, 42));
        assert_ne!(generate(10, 4, 6, 5, 42), generate(10, 4, 6, 5, 43));
    }

    #[test]
    fn impossible_parameters_are_rejected() {
        assert!(matches!(
            generate(4, 4, 3, 1, 0),
            Err(MaxDiffError::ItemsPerTask { .. })
        ));
        assert_eq!(generate(6, 3, 0, 1, 0), Err(MaxDiffError::Empty));
    }

    proptest::proptest! {
        // Each case runs the full generator (32 attempts); 64 cases keep the debug test run short.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn within_each_version_item_counts_differ_by_at_most_one(
            items in 4usize..16,
            k_off in 0usize..8,
            tasks in 1usize..12,
            versions in 1usize..4,
            seed in 0u64..1000,
        ) {
            let k = 2 + k_off % (items - 2);
            let d = generate(items, k, tasks, versions, seed).expect("valid parameters");
            for version in &d.versions {
                let mut counts = vec![0u32; items];
                for task in version {
                    proptest::prop_assert_eq!(task.len(), k);
                    for &i in task {
                        counts[i] += 1;
                    }
                }
                let (min, max) = (counts.iter().min(), counts.iter().max());
                proptest::prop_assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{counts:?}");
            }
        }
    }

    #[test]
    fn respondents_are_spread_over_versions() {
        let d = generate(8, 4, 4, 5, 0).expect("valid parameters");
        assert_eq!(d.version_for(12), 2);
        assert_eq!(d.tasks_for(12), d.versions[2].as_slice());
        assert!((0..100).all(|s| d.version_for(s) < 5));
    }

    #[test]
    fn nine_tasks_take_three_screens_and_next_waits_for_a_valid_screen() {
        assert_eq!(screens(9), 3);
        assert_eq!(screens(10), 4);
        assert_eq!(screen_tasks(3, 10), 10..=10);
        let q = Question::new(
            "md",
            QuestionKind::MaxDiff {
                list: "items".into(),
                items_per_task: 3,
                tasks: 5,
                design_versions: 1,
                design_seed: 0,
                best_label: Default::default(),
                worst_label: Default::default(),
            },
            Default::default(),
        );
        let mut answers = AnswerMap::new();
        let clash = AnswerError::ConstraintFailed {
            question: "md.t2".into(),
            message: Default::default(),
        };
        // A problem in a task of this screen keeps it; one elsewhere does not.
        let stay = turn(&[&q], &mut answers, std::slice::from_ref(&clash), true);
        assert_eq!(stay, Some(vec![clash]));
        assert_eq!(shown_screen(&q, &answers, false), 0);
        assert_eq!(turn(&[&q], &mut answers, &[], true), Some(vec![]));
        assert_eq!(shown_screen(&q, &answers, false), 1);
        assert_eq!(
            turn(&[&q], &mut answers, &[], true),
            None,
            "the last screen leaves the page"
        );
        assert_eq!(turn(&[&q], &mut answers, &[], false), Some(vec![]));
        assert_eq!(shown_screen(&q, &answers, false), 0);
        assert_eq!(turn(&[&q], &mut answers, &[], false), None);
        // A required question with task 1 half answered shows the screen of task 1.
        answers.insert("md.t1.best".into(), Value::Text("a".into()));
        assert_eq!(shown_screen(&q, &answers, true), 0);
    }
}
