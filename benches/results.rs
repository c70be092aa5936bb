//! Results page benchmarks on a synthetic 40-question survey with 100,000 responses: the whole
//! page's figures for one weighting and filter (and the unweighted page as the same run's
//! baseline), raking to district × age × gender, one cross-tab with Rao–Scott on the prepared
//! design, and the first load of a version's columns from a seeded SQLite file (from the packed
//! answers, and from the long-format answers as the same run's baseline). Run:
//! `cargo bench --bench results`.

use std::fmt::Write as _;
use std::sync::Arc;

use analysis::data::{Categorical, Column, SurveyData};
use criterion::{criterion_group, criterion_main, Criterion};
use insikt::domain::response::Cell;
use insikt::domain::response::Mode;
use insikt::storage::responses::NewResponse;
use insikt::storage::results::ResultsStamp;
use insikt::storage::{Backend, Db};
use insikt::use_cases::results::cache::{ResultsCache, VersionData};
use insikt::use_cases::results::methods;
use insikt::use_cases::results::page::{page_of, Figures, ResultsPage};
use insikt::use_cases::results::population::PopulationTable;
use insikt::use_cases::results::query::{prepare_loaded, ResultsQuery, Weighting};
use insikt::use_cases::results::{load_version_from, CellSource, DesignColumns, LoadedResponses};

const N: usize = 100_000;
const QUESTIONS: usize = 40;
const DISTRICTS: usize = 14;
const AGES: usize = 6;

fn survey_toml() -> String {
    let mut t = String::from("key = \"bench\"\nversion = 1\nlanguages = [\"sv\", \"en\"]\ntitle = { sv = \"B\", en = \"B\" }\n[choice_lists]\n");
    let list = |name: &str, k: usize| {
        let items: Vec<String> = (0..k)
            .map(|i| format!("{{ value = \"{name}{i}\", label = {{ sv = \"{name}{i}\", en = \"{name}{i}\" }} }}"))
            .collect();
        format!("{name} = [ {} ]\n", items.join(", "))
    };
    t.push_str(&list("d", DISTRICTS));
    t.push_str(&list("a", AGES));
    t.push_str(&list("g", 2));
    t.push_str(&list("c", 4));
    t.push_str("[[pages]]\nkey = \"p\"\n");
    for (key, l) in [("district", "d"), ("age_group", "a"), ("gender", "g")] {
        let _ = write!(t, "[[pages.questions]]\nkey = \"{key}\"\ntype = \"single_choice\"\nlist = \"{l}\"\nlabel = {{ sv = \"{key}\", en = \"{key}\" }}\n");
    }
    for q in 0..QUESTIONS {
        let _ = write!(t, "[[pages.questions]]\nkey = \"q{q}\"\ntype = \"single_choice\"\nlist = \"c\"\nlabel = {{ sv = \"Fråga {q}\", en = \"Question {q}\" }}\n");
    }
    t
}

/// A cheap deterministic generator (no dependency on rand's versions).
fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as u32
}

fn data() -> Arc<VersionData> {
    let survey = insikt::formats::survey_file::from_toml_str(&survey_toml()).expect("survey");
    let mut s = 7u64;
    let mut col = |k: u32, labels: Vec<String>| {
        let codes = (0..N).map(|_| lcg(&mut s) % k).collect();
        Column::Categorical(Categorical { codes, labels })
    };
    let names = |p: &str, k: usize| (0..k).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
    let mut columns = vec![
        (
            "district".to_owned(),
            col(DISTRICTS as u32, names("d", DISTRICTS)),
        ),
        ("age_group".to_owned(), col(AGES as u32, names("a", AGES))),
        ("gender".to_owned(), col(2, names("g", 2))),
    ];
    for q in 0..QUESTIONS {
        columns.push((format!("q{q}"), col(4, names("c", 4))));
    }
    let loaded = LoadedResponses {
        response_ids: (0..N).map(|i| format!("r{i:06}")).collect(),
        data: SurveyData { columns },
        design: DesignColumns::unweighted(N),
    };
    Arc::new(VersionData::new(
        "v".into(),
        survey,
        loaded,
        vec![Some(Mode::Web); N],
        vec![time::PrimitiveDateTime::MIN; N],
        ResultsStamp {
            responses: N as i64,
            last_submitted: None,
            exclusions: 0,
        },
    ))
}

fn table() -> PopulationTable {
    let mut cells = Vec::new();
    for d in 0..DISTRICTS {
        for a in 0..AGES {
            for g in 0..2 {
                cells.push((
                    vec![format!("d{d}"), format!("a{a}"), format!("g{g}")],
                    1000.0 + (d * 37 + a * 11 + g * 5) as f64,
                ));
            }
        }
    }
    let total = cells.iter().map(|(_, n)| n).sum();
    PopulationTable {
        id: "t".into(),
        name: "pop".into(),
        columns: vec!["district".into(), "age_group".into(), "gender".into()],
        cells,
        total,
    }
}

/// A temporary SQLite database holding the bench survey and `N` responses with the same answers
/// as [`data`], written once through the writer's batch path (not timed).
fn seeded_database() -> (
    tempfile::TempDir,
    Db,
    insikt::storage::surveys::StoredVersion,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(Backend::from_url(&url).expect("url"), Some(2)).expect("open");
    let mut conn = db.get().expect("connection");
    insikt::storage::migrate::run_pending(&mut conn).expect("migrate");
    let mut survey = insikt::formats::survey_file::from_toml_str(&survey_toml()).expect("survey");
    survey.publish().expect("publish");
    let (_, version) =
        insikt::storage::surveys::insert_survey(&mut conn, &survey, &Default::default(), None)
            .expect("insert survey");
    let d = data();
    let started = insikt::storage::now();
    for chunk in (0..N).collect::<Vec<_>>().chunks(2000) {
        let batch: Vec<NewResponse> = chunk
            .iter()
            .map(|&row| NewResponse {
                survey_id: version.survey_id.clone(),
                version_id: version.id.clone(),
                idempotency_key: format!("bench-{row}"),
                mode: Mode::Web,
                language: "sv".into(),
                seed: 0,
                started_at: started,
                cells: d
                    .loaded
                    .data
                    .columns
                    .iter()
                    .map(|(key, col)| match col {
                        Column::Categorical(c) => Cell {
                            key: key.clone(),
                            text: Some(c.labels[c.codes[row] as usize].clone()),
                            number: None,
                        },
                        _ => unreachable!("the bench has single-choice columns only"),
                    })
                    .collect(),
                max_responses: None,
                draft_id: None,
                invitation: None,
                quotas: Vec::new(),
            })
            .collect();
        let refs: Vec<&NewResponse> = batch.iter().collect();
        insikt::storage::transaction(&mut conn, |c| {
            insikt::storage::responses::store_batch(c, &refs)
        })
        .expect("store");
    }
    drop(conn);
    (dir, db, version)
}

/// Writes, into `dir`, what `scripts/bench/results_r.R` needs to time R's `survey` on the same
/// figures: `dataset.csv` in the shape of the page's "reproduce this figure" file
/// (`use_cases::results::dataset`: the answers, then `weight` = the final raked weight,
/// `stratum`, `psu`, `design_weight` and `in_selection`; the per-option 0/1 columns of a
/// calibrated file are left out, as R makes factors of the answers itself), `population.csv`
/// (the table, one row per district × age group × gender cell) and `app_figures.csv` (the
/// page's 160 shares and SEs, as `svymean` names them, to compare with R's).
fn write_r_inputs(dir: &std::path::Path, page: &ResultsPage) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let p = &page.prepared;
    let cols = &p.data.loaded.data.columns;
    let mut csv = String::from("response_id");
    for (name, _) in cols {
        let _ = write!(csv, ",{name}");
    }
    csv.push_str(",weight,stratum,psu,design_weight,in_selection\n");
    let w = p.design.weights();
    for (row, id) in p.data.loaded.response_ids.iter().enumerate() {
        csv.push_str(id);
        for (_, col) in cols {
            match col {
                Column::Categorical(c) => {
                    let _ = write!(csv, ",{}", c.labels[c.codes[row] as usize]);
                }
                _ => unreachable!("the bench has single-choice columns only"),
            }
        }
        let design = &p.data.loaded.design;
        let _ = writeln!(
            csv,
            ",{},{},{id},{},{}",
            w[row],
            design.strata[row],
            design.weights[row],
            u8::from(p.domain[row])
        );
    }
    std::fs::write(dir.join("dataset.csv"), csv)?;
    let mut pop = String::from("district,age_group,gender,count\n");
    for (cell, count) in &table().cells {
        let _ = writeln!(pop, "{},{count}", cell.join(","));
    }
    std::fs::write(dir.join("population.csv"), pop)?;
    let mut figures = String::from("name,estimate,se\n");
    for q in &page.questions {
        if let Figures::Choice(fs) = &q.figures {
            for f in fs {
                let _ = writeln!(figures, "{}{},{},{}", q.key, f.key, f.estimate, f.se);
            }
        }
    }
    std::fs::write(dir.join("app_figures.csv"), figures)
}

fn bench(c: &mut Criterion) {
    let d = data();
    let t = table();
    let raked = ResultsQuery {
        weighting: Weighting::Raked {
            table: "t".into(),
            margins: Vec::new(),
        },
        ..ResultsQuery::default()
    };
    let unweighted = ResultsQuery {
        filters: insikt::use_cases::results::query::Filters {
            background: vec![("gender".into(), "g1".into())],
            ..Default::default()
        },
        ..ResultsQuery::default()
    };
    let mut filtered = raked.clone();
    filtered.filters.background = vec![("gender".into(), "g1".into())];
    // `RESULTS_R_DIR=dir cargo bench --bench results` writes R's inputs and measures nothing.
    if let Some(dir) = std::env::var_os("RESULTS_R_DIR") {
        let p = prepare_loaded(d.clone(), Some(&t), &filtered).expect("prepare");
        write_r_inputs(std::path::Path::new(&dir), &page_of(p, Vec::new())).expect("write");
        return;
    }
    let mut g = c.benchmark_group("results_100k");
    g.sample_size(10);
    g.bench_function("rake_district_age_gender", |b| {
        b.iter(|| prepare_loaded(d.clone(), Some(&t), &raked).expect("rake"))
    });
    g.bench_function("page_40_questions_raked_and_filtered", |b| {
        b.iter(|| {
            let p = prepare_loaded(d.clone(), Some(&t), &filtered).expect("prepare");
            page_of(p, Vec::new())
        })
    });
    // The baseline of the same run: the same page without weighting (no calibration residuals).
    g.bench_function("page_40_questions_unweighted_and_filtered", |b| {
        b.iter(|| {
            let p = prepare_loaded(d.clone(), None, &unweighted).expect("prepare");
            page_of(p, Vec::new())
        })
    });
    let prepared = prepare_loaded(d.clone(), Some(&t), &filtered).expect("prepare");
    let cat = |k: &str| match prepared.data.loaded.data.column(k) {
        Some(Column::Categorical(c)) => c,
        _ => unreachable!("q0 and q1 are single-choice"),
    };
    let (q0, q1) = (cat("q0"), cat("q1"));
    g.bench_function("crosstab_rao_scott_raked_and_filtered", |b| {
        b.iter(|| {
            methods::crosstab(
                &prepared.design,
                (&q0.codes, &q0.labels),
                (&q1.codes, &q1.labels),
                prepared.domain(),
                0.95,
            )
            .expect("crosstab")
        })
    });
    let (_dir, db, version) = seeded_database();
    g.bench_function("first_load_of_columns_from_sqlite", |b| {
        b.iter(|| {
            let mut conn = db.get().expect("connection");
            let cache = ResultsCache::new();
            let loaded = cache.load(&mut conn, &version).expect("load");
            assert_eq!(loaded.len(), N);
            loaded
        })
    });
    // The baseline of the same run: the same load reading the long-format `answers` table
    // (43 rows per response) instead of one packed row per response.
    g.bench_function("first_load_of_columns_from_sqlite_long_format", |b| {
        b.iter(|| {
            let mut conn = db.get().expect("connection");
            let (loaded, _) = load_version_from(
                &mut conn,
                &version.survey,
                &version.id,
                CellSource::LongFormat,
            )
            .expect("load");
            assert_eq!(loaded.response_ids.len(), N);
            loaded
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
