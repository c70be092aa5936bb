//! The first load of a version's columns (cells streamed from the database in no particular
//! order) equals a straightforward pivot of the stored cells read in response order: single
//! choice with answers outside the list, multiple choice, numbers, "don't know", missing
//! answers, free text only, a response without cells and an excluded response.

use analysis::data::{AnswerState, Categorical, Column};
use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{Cell, Mode};
use insikt::storage::responses::{self, NewResponse, SubmitOutcome};

use crate::helpers::TestApp;

const SURVEY: &str = r#"
key = "last"
version = 1
languages = ["sv", "en"]
title = { sv = "Last", en = "Load" }
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
[[pages.questions]]
key = "comment"
type = "short_text"
label = { sv = "Kommentar", en = "Comment" }
"#;

fn text(key: &str, v: &str) -> Cell {
    Cell {
        key: key.into(),
        text: Some(v.into()),
        number: None,
    }
}

fn number(key: &str, v: f64) -> Cell {
    Cell {
        key: key.into(),
        text: None,
        number: Some(v),
    }
}

/// The responses, in submission (and so response id) order.
fn responses() -> Vec<Vec<Cell>> {
    vec![
        vec![
            text("car", "no"),
            number("devices.pc", 0.0),
            number("devices.phone", 1.0),
            number("age", 41.0),
        ],
        // "Don't know" as text; answers outside the choice list, numbered by first row.
        vec![text("car", "dont_know"), text("age", "dont_know")],
        vec![text("comment", "only free text")],
        vec![text("car", "maybe"), number("devices.pc", 1.0)],
        vec![text("car", "yes"), number("age", 7.0), text("comment", "x")],
        // No cells at all: no row.
        vec![],
        vec![text("car", "perhaps"), number("devices.phone", 0.0)],
        vec![text("car", "maybe"), number("age", 70.0)],
    ]
}

fn submit_all(app: &TestApp) -> (String, Vec<String>) {
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, "last", 1)
        .unwrap()
        .unwrap();
    for cells in responses() {
        let out = responses::insert_response(
            &mut conn,
            &NewResponse {
                survey_id: v.survey_id.clone(),
                version_id: v.id.clone(),
                idempotency_key: uuid::Uuid::new_v4().to_string(),
                mode: Mode::Web,
                language: "sv".into(),
                seed: 1,
                started_at: insikt::storage::now(),
                cells,
                max_responses: None,
                draft_id: None,
                invitation: None,
                quotas: Vec::new(),
            },
        )
        .unwrap();
        assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
    }
    let mut ids: Vec<String> = responses::meta_for_version(&mut conn, &v.id)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    ids.sort();
    (v.id, ids)
}

/// The reference: cells read in response order, each column filled key by key.
fn reference(cells: &[(String, Cell)]) -> (Vec<String>, Vec<(String, Column)>) {
    let mut ids: Vec<String> = cells.iter().map(|(r, _)| r.clone()).collect();
    ids.dedup();
    let at = |row: usize, key: &str| {
        cells
            .iter()
            .find(|(r, c)| *r == ids[row] && c.key == key)
            .map(|(_, c)| c)
    };
    let n = ids.len();
    let car: Vec<Option<&str>> = (0..n)
        .map(|row| at(row, "car").and_then(|c| c.text.as_deref()))
        .collect();
    let car = Categorical::from_text(&car, Some("dont_know"), Some(&["yes", "no"]));
    let selected = ["pc", "phone"]
        .iter()
        .map(|o| {
            (0..n)
                .map(|row| at(row, &format!("devices.{o}")).and_then(|c| c.number) == Some(1.0))
                .collect()
        })
        .collect();
    let state = (0..n)
        .map(|row| {
            if at(row, "devices.pc").is_some() || at(row, "devices.phone").is_some() {
                AnswerState::Valid
            } else {
                AnswerState::Missing
            }
        })
        .collect();
    let age = analysis::data::Numeric {
        values: (0..n)
            .map(|row| at(row, "age").and_then(|c| c.number).unwrap_or(f64::NAN))
            .collect(),
        dont_know: (0..n)
            .map(|row| at(row, "age").and_then(|c| c.text.as_deref()) == Some("dont_know"))
            .collect(),
    };
    let columns = vec![
        ("car".to_owned(), Column::Categorical(car)),
        (
            "devices".to_owned(),
            Column::MultiSelect(analysis::data::MultiSelect {
                options: vec!["pc".into(), "phone".into()],
                selected,
                state,
            }),
        ),
        ("age".to_owned(), Column::Numeric(age)),
    ];
    (ids, columns)
}

/// Debug text compares NaN with NaN as equal, where `PartialEq` would not.
fn same(a: &[(String, Column)], b: &[(String, Column)]) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[actix_web::test]
async fn the_streamed_first_load_equals_a_straightforward_pivot_of_the_cells_in_response_order() {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let (version_id, ids) = submit_all(&app);
    let mut conn = app.db.get().unwrap();
    // Exclude the response that answered "yes": the only "yes" leaves the results.
    assert!(responses::set_excluded(&mut conn, &ids[4], &version_id, true, "test", "t").unwrap());
    let v = insikt::storage::surveys::find_version(&mut conn, "last", 1)
        .unwrap()
        .unwrap();

    let cells = responses::cells_for_version(&mut conn, &version_id).unwrap();
    let (ref_ids, ref_columns) = reference(&cells);
    let loaded = insikt::use_cases::results::load_version(&mut conn, &v.survey, &v.id).unwrap();

    assert_eq!(loaded.response_ids, ref_ids);
    let expected_rows: Vec<&String> = [0, 1, 2, 3, 6, 7].iter().map(|&i| &ids[i]).collect();
    assert_eq!(
        loaded.response_ids.iter().collect::<Vec<_>>(),
        expected_rows,
        "the excluded response and the one without cells are no rows"
    );
    assert!(
        same(&loaded.data.columns, &ref_columns),
        "loaded {:#?}\nreference {:#?}",
        loaded.data.columns,
        ref_columns
    );
    let Some(Column::Categorical(car)) = loaded.data.column("car") else {
        panic!("car")
    };
    assert_eq!(car.labels, vec!["yes", "no", "maybe", "perhaps"]);
    assert_eq!(loaded.design.weights, vec![1.0; 6]);

    // The cache loads the same rows, with each row's mode.
    let cache = insikt::use_cases::results::cache::ResultsCache::new();
    let data = cache.load(&mut conn, &v).unwrap();
    assert_eq!(data.loaded.response_ids, ref_ids);
    assert!(same(&data.loaded.data.columns, &ref_columns));
    assert_eq!(data.modes, vec![Some(Mode::Web); 6]);
}

// ------------------------------------------------- the packed form kept equal to the long form

/// The `answers` rows every response has, with what its packed row holds, disagree nowhere.
fn assert_packed_equals_long(app: &TestApp, after: &str) {
    let mut conn = app.db.get().unwrap();
    let diverging = insikt::storage::packed::diverging_responses(&mut conn).unwrap();
    assert!(
        diverging.is_empty(),
        "after {after}, the packed answers of {diverging:?} differ from their answers rows"
    );
}

async fn step(app: &TestApp, page: &str, set: &[(&str, &str)], nav: &str) -> (u16, String) {
    app.post_fields(
        "/s/test-survey",
        &crate::helpers::browser_form(page, set, nav),
    )
    .await
}

/// Answer the respond tests' survey from its first page (car, its age, a comment) and submit;
/// returns the receipt.
async fn answer_and_submit(app: &TestApp, first: &str, comment: &str) -> String {
    let (_, p2) = step(app, first, &[("a.has_car", "yes")], "next").await;
    let (_, p3) = step(app, &p2, &[("a.car_age", "7")], "next").await;
    let (_, review) = step(app, &p3, &[("a.comment", comment)], "next").await;
    let (status, done) = step(app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    let start = done.find("INS-").expect("a receipt number on the page");
    done[start..start + 13].to_owned()
}

async fn start_web(app: &TestApp) -> String {
    let (_, landing) = app.get_html("/s/test-survey").await;
    let (status, first) = app
        .post_fields(
            "/s/test-survey/start",
            &crate::helpers::browser_form(&landing, &[], ""),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    first
}

#[actix_web::test]
async fn every_path_that_writes_answers_keeps_the_packed_answers_equal_to_the_answer_rows() {
    let app = TestApp::spawn().await;
    app.publish_survey(crate::respond::SURVEY, &SurveyOptions::default());
    app.publish_survey(SURVEY, &SurveyOptions::default());

    // The batch writer, with every kind of cell: text with quotes and non-ASCII, whole and
    // fractional numbers, text and number together, neither, and no cells at all.
    let (_, ids) = submit_all(&app);
    {
        let mut conn = app.db.get().unwrap();
        let v = insikt::storage::surveys::find_version(&mut conn, "last", 1)
            .unwrap()
            .unwrap();
        let odd = vec![
            text("comment", "\"citat\" – åäö \\ \n ny rad"),
            number("age", 0.1 + 0.2),
            number("devices.pc", -1.5e-300),
            Cell {
                key: "car".into(),
                text: Some("dont_know".into()),
                number: Some(2.5),
            },
            Cell {
                key: "devices.phone".into(),
                text: None,
                number: None,
            },
        ];
        let out = responses::insert_response(
            &mut conn,
            &NewResponse {
                survey_id: v.survey_id.clone(),
                version_id: v.id.clone(),
                idempotency_key: "odd".into(),
                mode: Mode::Paper,
                language: "en".into(),
                seed: 2,
                started_at: insikt::storage::now(),
                cells: odd,
                max_responses: None,
                draft_id: None,
                invitation: None,
                quotas: Vec::new(),
            },
        )
        .unwrap();
        assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
    }
    assert_packed_equals_long(&app, "the batch writer");

    // A respondent on the web, through the group-commit writer.
    let first = start_web(&app).await;
    let web_receipt = answer_and_submit(&app, &first, "Bra enkät").await;
    assert_packed_equals_long(&app, "a web submission");

    // Continue later: a draft, resumed in another browser and submitted.
    let first = start_web(&app).await;
    let (_, p2) = step(&app, &first, &[("a.has_car", "yes")], "next").await;
    let (_, saved) = step(&app, &p2, &[("a.car_age", "4")], "save").await;
    let marker = "class=\"receipt-number\"><strong>";
    let at = saved.find(marker).expect("a resume code") + marker.len();
    let code = saved[at..at + 12].to_owned();
    app.clear_cookies();
    let (_, form) = app.get_html("/s/test-survey/resume").await;
    let (status, resumed) = app
        .post_fields(
            "/s/test-survey/resume",
            &crate::helpers::browser_form(&form, &[("code", &code)], ""),
        )
        .await;
    assert_eq!(status, 200, "{resumed}");
    let (_, p3) = step(&app, &resumed, &[], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    assert!(done.contains("INS-"), "{done}");
    assert_packed_equals_long(&app, "a resumed draft's submission");

    // An interviewer's phone entry.
    app.create_user("ivan", "interviewer");
    app.login("ivan", crate::helpers::GOOD_PASSWORD).await;
    let token = app.csrf_token("/interview").await;
    let (status, first) = app
        .post_fields(
            "/s/test-survey/start",
            &[
                ("csrf_token".to_owned(), token),
                ("mode".to_owned(), "phone".to_owned()),
                ("lang".to_owned(), "sv".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{first}");
    answer_and_submit(&app, &first, "per telefon").await;
    assert_packed_equals_long(&app, "an interviewer's entry");

    // Erasure at the respondent's request, and the storage-level delete.
    {
        let mut conn = app.db.get().unwrap();
        let reason = insikt::use_cases::answering::ErasureReason::parse("asked by phone").unwrap();
        insikt::use_cases::answering::erase_response(
            &mut conn,
            insikt::use_cases::Actor::SYSTEM,
            &web_receipt,
            &reason,
        )
        .unwrap();
        assert!(responses::delete_response(&mut conn, &ids[0]).unwrap());
    }
    assert_packed_equals_long(&app, "an erasure and a delete");

    // The demo's responses (written with their invitations' strata and weights).
    {
        let mut conn = app.db.get().unwrap();
        let surveys = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/surveys"));
        insikt::use_cases::demo::seed(
            &mut conn,
            crate::helpers::TEST_ARGON2,
            insikt::use_cases::Actor::SYSTEM,
            surveys,
        )
        .unwrap();
    }
    assert_packed_equals_long(&app, "the demo seeding");

    // The migration's backfill (SQL of its own on each backend) packs what the app would.
    let before = packed_rows(&app);
    redo_packing_migration(&app);
    assert_packed_equals_long(&app, "the migration's backfill");
    assert_eq!(
        packed_rows(&app).len(),
        before.len(),
        "one packed row per response"
    );

    // And a divergence is seen: one answer row changed behind the packed form's back.
    change_one_answer_row(&app);
    let mut conn = app.db.get().unwrap();
    assert_eq!(
        insikt::storage::packed::diverging_responses(&mut conn)
            .unwrap()
            .len(),
        1
    );
}

/// `(response id, packed)` of every packed row.
fn packed_rows(app: &TestApp) -> Vec<(String, String)> {
    run_sql(
        app,
        &[],
        "SELECT response_id || ' ' || packed AS line FROM response_answers_packed",
    )
    .into_iter()
    .map(|l| {
        let (id, p) = l.split_once(' ').unwrap();
        (id.to_owned(), p.to_owned())
    })
    .collect()
}

/// Drop the packed table and run the migration that makes it again, backfill included.
fn redo_packing_migration(app: &TestApp) {
    run_sql(
        app,
        &[
            "DROP TABLE response_answers_packed",
            "DELETE FROM __diesel_schema_migrations WHERE version = '20261208000020'",
        ],
        "",
    );
    let mut conn = app.db.get().unwrap();
    let applied = insikt::storage::migrate::run_pending(&mut conn).unwrap();
    assert_eq!(applied, vec!["20261208000020".to_owned()]);
}

fn change_one_answer_row(app: &TestApp) {
    run_sql(
        app,
        &[
            "UPDATE answers SET value_text = 'changed' WHERE answer_key = 'has_car' \
           AND response_id = (SELECT MIN(response_id) FROM answers WHERE answer_key = 'has_car')",
        ],
        "",
    );
}

/// Run `statements`, then `query` (a `line` column of text; none when empty), on either backend.
fn run_sql(app: &TestApp, statements: &[&str], query: &str) -> Vec<String> {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use insikt::storage::DbConnection;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    let mut conn = app.db.get().unwrap();
    macro_rules! on {
        ($c:expr) => {{
            for s in statements {
                diesel::sql_query(*s).execute($c).unwrap();
            }
            if query.is_empty() {
                Vec::new()
            } else {
                diesel::sql_query(query)
                    .load::<Line>($c)
                    .unwrap()
                    .into_iter()
                    .map(|l| l.line)
                    .collect()
            }
        }};
    }
    match &mut *conn {
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => on!(c),
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => on!(c),
    }
}
