//! The management page rendered from a published snapshot (issue 14, target p50 < 5 ms): the demo
//! seeded into a temporary SQLite database (not timed), then per iteration what `GET /backlog` does
//! for the manager: `presets::open` (the latest snapshot read and parsed, the presets listed,
//! nothing recomputed) and the page rendered to a string. Baseline in the same run: the live
//! ranking with the default preset (`/backlog?live=1`), which recomputes the bootstrap. Run:
//! `cargo bench --bench backlog_page`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use insikt::config::Argon2Params;
use insikt::domain::lang::Lang;
use insikt::storage::{Backend, Db};
use insikt::use_cases::backlog::presets::{self, Opening};
use insikt::use_cases::results::cache::ResultsCache;
use insikt::use_cases::Actor;
use insikt::web::forms::PageCtx;
use insikt::web::views::{backlog_presets, backlog_rank};

fn ctx() -> PageCtx {
    PageCtx {
        lang: Lang::Sv,
        csrf: "token".into(),
        user: None,
        path: "/backlog".into(),
        zone: insikt::domain::local_time::stockholm(),
        demo: true,
    }
}

/// `GET /backlog` without the extractors: open, then render (the manager sees no publish form).
fn page(db: &Db, cache: &ResultsCache, opening: &Opening, ctx: &PageCtx) -> String {
    let mut conn = db.get().expect("connection");
    let index = presets::open(&mut conn, cache, opening).expect("open");
    let top = backlog_presets::index_header(ctx, &index);
    backlog_rank::ranked(ctx, index.shown.ranked(), top, maud::html! {}).into_string()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(Backend::from_url(&url).expect("url"), Some(2)).expect("open");
    {
        let mut conn = db.get().expect("connection");
        insikt::storage::migrate::run_pending(&mut conn).expect("migrate");
        let cheap = Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        };
        let surveys = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
        insikt::use_cases::demo::seed(&mut conn, cheap, Actor::SYSTEM, &surveys).expect("demo");
    }
    let cache = ResultsCache::new();
    let ctx = ctx();
    let snapshot = Opening::default();
    let html = page(&db, &cache, &snapshot, &ctx);
    assert!(
        html.contains("Publicerad backlogg."),
        "the page shows the snapshot"
    );
    let mut g = c.benchmark_group("backlog_page");
    g.sample_size(100).measurement_time(Duration::from_secs(10));
    // Target (issue 14): p50 < 5 ms.
    g.bench_function("management_page_from_snapshot", |b| {
        b.iter(|| black_box(page(&db, &cache, &snapshot, &ctx)))
    });
    // Baseline: the same page ranked live with the default preset (1,000 replicates).
    let live = Opening {
        preset: None,
        live: true,
    };
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("management_page_live_default_preset", |b| {
        b.iter(|| black_box(page(&db, &cache, &live, &ctx)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
