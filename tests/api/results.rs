//! The results pages: who may see them, figures equal to the analysis crate's own computation
//! on the same responses, filters as domains, weighting to uploaded population tables, refused
//! tables, and the cache following new responses.

use analysis::Design;
use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{Cell, Mode};
use insikt::storage::responses::{self, NewResponse, SubmitOutcome};

use crate::helpers::{TestApp, GOOD_PASSWORD};

const SURVEY: &str = r#"
key = "vanor"
version = 1
languages = ["sv", "en"]
title = { sv = "Vanor", en = "Habits" }
[choice_lists]
yn = [ { value = "yes", label = { sv = "Ja", en = "Yes" } }, { value = "no", label = { sv = "Nej", en = "No" } } ]
sex = [ { value = "f", label = { sv = "Kvinna", en = "Woman" } }, { value = "m", label = { sv = "Man", en = "Man" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "gender"
type = "single_choice"
list = "sex"
label = { sv = "Kön", en = "Gender" }
[[pages.questions]]
key = "car"
type = "single_choice"
list = "yn"
label = { sv = "Har du bil?", en = "Do you have a car?" }
[[pages.questions]]
key = "sat"
type = "rating"
label = { sv = "Nöjd?", en = "Satisfied?" }
scale = { min = 1, max = 5, min_label = { sv = "Inte alls", en = "Not at all" }, max_label = { sv = "Mycket", en = "Very" } }
"#;

/// (gender, car) per response: women mostly have cars, men mostly not; one "don't know" and
/// one missing car answer.
const ROWS: &[(&str, Option<&str>, f64)] = &[
    ("f", Some("yes"), 5.0),
    ("f", Some("yes"), 4.0),
    ("f", Some("no"), 3.0),
    ("f", Some("dont_know"), 4.0),
    ("m", Some("no"), 2.0),
    ("m", Some("no"), 1.0),
    ("m", Some("yes"), 2.0),
    ("m", Some("no"), 3.0),
    ("m", Some("no"), 2.0),
    ("m", None, 5.0),
];

fn submit(app: &TestApp, gender: &str, car: Option<&str>, sat: f64, mode: Mode) {
    let mut conn = app.db.get().unwrap();
    let s = insikt::storage::surveys::find_survey(&mut conn, "vanor")
        .unwrap()
        .unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, "vanor", 1)
        .unwrap()
        .unwrap();
    let mut cells = vec![
        Cell {
            key: "gender".into(),
            text: Some(gender.into()),
            number: None,
        },
        Cell {
            key: "sat".into(),
            text: None,
            number: Some(sat),
        },
    ];
    if let Some(c) = car {
        cells.push(Cell {
            key: "car".into(),
            text: Some(c.into()),
            number: None,
        });
    }
    let out = responses::insert_response(
        &mut conn,
        &NewResponse {
            survey_id: s.id,
            version_id: v.id,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            mode,
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

async fn app_as(role: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    for (i, (g, c, s)) in ROWS.iter().enumerate() {
        let mode = if i % 3 == 0 { Mode::Phone } else { Mode::Web };
        submit(&app, g, *c, *s, mode);
    }
    if role != "anonymous" {
        app.create_user("lasare", role);
        app.login("lasare", GOOD_PASSWORD).await;
    }
    app
}

/// The rows in the order the app loads them (response ids); tests compute on the same rows.
fn loaded(app: &TestApp) -> insikt::use_cases::results::LoadedResponses {
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, "vanor", 1)
        .unwrap()
        .unwrap();
    insikt::use_cases::results::load_version(&mut conn, &v.survey, &v.id).unwrap()
}

fn codes(l: &insikt::use_cases::results::LoadedResponses, key: &str) -> Vec<u32> {
    match l.data.column(key) {
        Some(analysis::Column::Categorical(c)) => c.codes.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

/// The table cell with the estimate of choice `key` in the section of `question`.
fn shown_share(page: &str, question: &str, key: &str) -> String {
    let doc = scraper::Html::parse_document(page);
    let sel =
        scraper::Selector::parse(&format!("#result-{question} tr[data-key=\"{key}\"] td.est"))
            .unwrap();
    doc.select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no {question}/{key} in the page"))
        .text()
        .collect::<String>()
}

fn shown(page: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(page);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no {css} in the page"))
        .text()
        .collect::<String>()
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

#[actix_web::test]
async fn researchers_analysts_and_managers_see_results_interviewers_get_403_and_visitors_the_login()
{
    for role in ["researcher", "analyst", "manager", "admin"] {
        let app = app_as(role).await;
        let (status, index) = app.get_html("/results").await;
        assert_eq!(status, 200, "{role}");
        assert!(index.contains("/results/vanor/1"), "{role}: {index}");
        let (status, _) = app.get_html("/results/vanor/1").await;
        assert_eq!(status, 200, "{role}");
    }
    let app = app_as("interviewer").await;
    assert_eq!(app.get_html("/results").await.0, 403);
    assert_eq!(app.get_html("/results/vanor/1").await.0, 403);
    assert_eq!(app.get_html("/results/population").await.0, 403);
    let app = app_as("anonymous").await;
    let res = app.get("/results/vanor/1").await;
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/login?next="), "{to}");
}

#[actix_web::test]
async fn the_page_shows_the_shares_the_analysis_crate_computes_with_dont_know_and_missing_apart() {
    let app = app_as("analyst").await;
    let (status, page) = app.get_html("/results/vanor/1?weighting=unweighted").await;
    assert_eq!(status, 200, "{page}");
    let l = loaded(&app);
    let design = Design::builder(vec![1.0; l.response_ids.len()])
        .build()
        .unwrap();
    let ft = design.frequencies(&codes(&l, "car"), 2, None).unwrap();
    assert_eq!(
        shown_share(&page, "car", "yes"),
        pct(ft.proportions[0].estimate)
    );
    assert_eq!(
        shown_share(&page, "car", "no"),
        pct(ft.proportions[1].estimate)
    );
    assert_eq!(pct(ft.proportions[0].estimate), "37.5 %", "3 of 8 valid");
    assert_eq!(shown(&page, "#result-car .n-valid"), "8");
    assert_eq!(shown(&page, "#result-car .n-dk"), "1");
    assert_eq!(shown(&page, "#result-car .n-missing"), "1");
    assert!(page.contains("<svg") && page.contains("role=\"img\""));
    assert!(!page.contains("<script"), "no scripts");
}

#[actix_web::test]
async fn a_filter_changes_n_and_the_estimates_as_a_direct_domain_computation_does() {
    let app = app_as("researcher").await;
    let (status, page) = app.get_html("/results/vanor/1?f.gender=f").await;
    assert_eq!(status, 200, "{page}");
    let l = loaded(&app);
    let gender = codes(&l, "gender");
    let women: Vec<bool> = gender.iter().map(|&c| c == 0).collect();
    let design = l.design(analysis::LonelyPsu::Fail).unwrap();
    let ft = design
        .frequencies(&codes(&l, "car"), 2, Some(&women))
        .unwrap();
    assert_eq!(shown(&page, "#n-filtered"), "4 av 10");
    assert_eq!(
        shown_share(&page, "car", "yes"),
        pct(ft.proportions[0].estimate)
    );
    assert_eq!(pct(ft.proportions[0].estimate), "66.7 %");
    // The mode filter too: rows 0, 3, 6, 9 were phone interviews.
    let (_, phone) = app.get_html("/results/vanor/1?mode=phone").await;
    assert_eq!(shown(&phone, "#n-filtered"), "4 av 10");
    // A bad filter value is named, with the form kept.
    let (status, bad) = app.get_html("/results/vanor/1?mode=fax").await;
    assert_eq!(status, 422);
    assert!(bad.contains("fax"), "{bad}");
}

/// POST a multipart upload as a browser would, without following the redirect.
async fn upload(app: &TestApp, name: &str, csv: &str) -> (u16, String) {
    let token = app.csrf_token("/results/population").await;
    let boundary = "----insiktResultsBoundary";
    let mut body = String::new();
    for (k, v) in [("csrf_token", token.as_str()), ("name", name)] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pop.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"));
    let cookies: Vec<String> = ["insikt_session", "insikt_csrf"]
        .iter()
        .filter_map(|n| app.cookie(n).map(|v| format!("{n}={v}")))
        .collect();
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/results/population", app.address))
        .header(reqwest::header::COOKIE, cookies.join("; "))
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn table_id(app: &TestApp, name: &str) -> String {
    let mut conn = app.db.get().unwrap();
    insikt::storage::population::find_by_name(&mut conn, name)
        .unwrap()
        .unwrap()
        .id
}

#[actix_web::test]
async fn post_stratified_and_raked_pages_equal_the_analysis_crates_weighting_with_diagnostics() {
    let app = app_as("analyst").await;
    let (status, _) = upload(&app, "Befolkning", "gender,count\nKvinna,600\nMan,400\n").await;
    assert_eq!(status, 303);
    let id = table_id(&app, "Befolkning");
    let l = loaded(&app);
    let gender = codes(&l, "gender");
    let base = l.design(analysis::LonelyPsu::Fail).unwrap();
    let ps = base.post_stratify(&gender, &[600.0, 400.0]).unwrap();
    let ft = ps.frequencies(&codes(&l, "car"), 2, None).unwrap();
    let (status, page) = app
        .get_html(&format!(
            "/results/vanor/1?weighting=poststratified&table={id}"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        shown_share(&page, "car", "yes"),
        pct(ft.proportions[0].estimate)
    );
    assert_eq!(shown_share(&page, "gender", "f"), "60.0 %");
    assert_eq!(
        shown(&page, "#kish-n"),
        format!("{:.1}", ps.kish_effective_n(None))
    );
    // Raking to the one margin gives the same weights, and reports its convergence.
    let (status, raked) = app
        .get_html(&format!(
            "/results/vanor/1?weighting=raked&table={id}&map.gender=gender"
        ))
        .await;
    assert_eq!(status, 200, "{raked}");
    assert_eq!(
        shown_share(&raked, "car", "yes"),
        pct(ft.proportions[0].estimate)
    );
    let rake = shown(&raked, "#rake");
    assert!(rake.starts_with("konvergerade,"), "{rake}");
}

#[actix_web::test]
async fn a_table_with_a_wrong_header_a_negative_count_or_a_missing_category_is_refused_and_nothing_stored(
) {
    let app = app_as("analyst").await;
    for (csv, words) in [
        ("gender,people\nf,3\n", ["rad 1", "'count'"]),
        ("gender,count\nf,-3\nm,2\n", ["rad 2", "negativt"]),
        (
            "gender,age,count\nf,young,1\nf,old,1\nm,young,1\n",
            ["kategori saknas", "gender=m, age=old"],
        ),
    ] {
        let (status, page) = upload(&app, "Fel", csv).await;
        assert_eq!(status, 422, "{csv}");
        let page = page.replace("&#39;", "'");
        for w in words {
            assert!(page.contains(w), "{csv}: {w}: {page}");
        }
    }
    let mut conn = app.db.get().unwrap();
    assert!(insikt::storage::population::list(&mut conn)
        .unwrap()
        .is_empty());
    drop(conn);
    assert_eq!(app.audit_actions("population.upload"), 0);
    // A manager reads but does not upload.
    let app = app_as("manager").await;
    let (status, _) = upload(&app, "Chef", "gender,count\nf,1\nm,1\n").await;
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn categories_the_sample_lacks_are_named_on_the_results_page() {
    let app = app_as("analyst").await;
    let (status, _) = upload(&app, "Tre kön", "gender,count\nf,5\nm,4\nx,1\n").await;
    assert_eq!(status, 303);
    let id = table_id(&app, "Tre kön");
    let (status, page) = app
        .get_html(&format!(
            "/results/vanor/1?weighting=raked&table={id}&map.gender=gender"
        ))
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("'x'") || page.contains("&#39;x") || page.contains(": x"),
        "{page}"
    );
    assert!(page.contains("gender"), "{page}");
}

#[actix_web::test]
async fn a_new_response_reaches_the_results_page_through_the_cache() {
    let app = app_as("researcher").await;
    let (_, before) = app.get_html("/results/vanor/1").await;
    assert_eq!(shown(&before, "#n-filtered"), "10 av 10");
    let (_, again) = app.get_html("/results/vanor/1").await;
    assert_eq!(shown(&again, "#n-filtered"), "10 av 10");
    submit(&app, "f", Some("yes"), 5.0, Mode::Paper);
    let (_, after) = app.get_html("/results/vanor/1").await;
    assert_eq!(shown(&after, "#n-filtered"), "11 av 11");
    assert_eq!(shown(&after, "#result-car .n-valid"), "9");
}

const MAXDIFF: &str = r#"
key = "prio"
version = 1
languages = ["sv", "en"]
title = { sv = "Prioriteringar", en = "Priorities" }
[choice_lists]
areas = [
  { value = "school", label = { sv = "Skola", en = "School" } },
  { value = "care", label = { sv = "Vård", en = "Care" } },
  { value = "roads", label = { sv = "Vägar", en = "Roads" } },
  { value = "parks", label = { sv = "Parker", en = "Parks" } },
]
[[pages]]
key = "p"
[[pages.questions]]
key = "md"
type = "max_diff"
label = { sv = "Viktigast och minst viktigt?", en = "Most and least important?" }
list = "areas"
items_per_task = 3
tasks = 2
design_versions = 2
design_seed = 7
best_label = { sv = "Viktigast", en = "Most important" }
worst_label = { sv = "Minst viktigt", en = "Least important" }
"#;

#[actix_web::test]
async fn maxdiff_scores_on_the_results_page_equal_the_methods_scores_on_the_rebuilt_tasks() {
    let app = TestApp::spawn().await;
    app.publish_survey(MAXDIFF, &SurveyOptions::default());
    let mut conn = app.db.get().unwrap();
    let s = insikt::storage::surveys::find_survey(&mut conn, "prio")
        .unwrap()
        .unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, "prio", 1)
        .unwrap()
        .unwrap();
    let q = v.survey.question("md").unwrap().clone();
    let design = insikt::domain::survey::maxdiff::design_for(&v.survey, &q)
        .unwrap()
        .unwrap();
    let values = ["school", "care", "roads", "parks"];
    // Preference order school > care > roads > parks: best is the shown item earliest in it.
    let (mut codes, mut choices) = (Vec::new(), Vec::new());
    for r in 0..12u64 {
        let version = design.version_for(r);
        let mut cells = vec![Cell {
            key: "md.version".into(),
            text: None,
            number: Some(version as f64),
        }];
        for (t, task) in design.versions[version].iter().enumerate() {
            // Respondent 0 reverses the order, so no item is always best.
            let (best, worst) = if r == 0 {
                (*task.iter().max().unwrap(), *task.iter().min().unwrap())
            } else {
                (*task.iter().min().unwrap(), *task.iter().max().unwrap())
            };
            for (which, item) in [("best", best), ("worst", worst)] {
                cells.push(Cell {
                    key: format!("md.t{}.{which}", t + 1),
                    text: Some(values[item].into()),
                    number: None,
                });
            }
            for &i in task {
                codes.push(i as u32);
                choices.push(if i == best {
                    1
                } else if i == worst {
                    -1
                } else {
                    0
                });
            }
        }
        let out = responses::insert_response(
            &mut conn,
            &NewResponse {
                survey_id: s.id.clone(),
                version_id: v.id.clone(),
                idempotency_key: uuid::Uuid::new_v4().to_string(),
                mode: Mode::Web,
                language: "sv".into(),
                seed: r as i64,
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
    drop(conn);
    let labels: Vec<String> = values.iter().map(|s| s.to_string()).collect();
    let direct = insikt::use_cases::results::methods::maxdiff(&codes, &choices, &labels).unwrap();

    app.create_user("lasare", "analyst");
    app.login("lasare", GOOD_PASSWORD).await;
    let (status, page) = app.get_html("/results/prio/1").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"id="maxdiff-md""#), "{page}");
    assert!(page.contains("<svg"), "a chart");
    for (value, item) in values.iter().zip(&direct.items) {
        let row = page
            .split(&format!(r#"<tr data-key="{value}">"#))
            .nth(1)
            .unwrap_or_else(|| panic!("no row for {value}"));
        let row = &row[..row.find("</tr>").unwrap()];
        let cells: Vec<&str> = row
            .split("<td class=\"num")
            .skip(1)
            .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
            .collect();
        assert_eq!(cells[0], item.n.to_string(), "{value} shown");
        assert_eq!(cells[1], item.best.to_string(), "{value} best");
        assert_eq!(cells[2], item.worst.to_string(), "{value} worst");
        let score = (item.best as f64 - item.worst as f64) / item.n as f64;
        assert_eq!(
            cells[4],
            format!("{score:+.2}").replace('-', "−"),
            "{value} score"
        );
    }
    // School is best for all but one respondent: the top score.
    assert!(direct.items[0].best > direct.items[3].best);
}
