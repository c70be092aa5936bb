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
