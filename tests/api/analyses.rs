//! The analyses pages of a version's results: the response browser and exclusions, open text,
//! the cross-tab builder — who may see them, and that their figures are the analysis crate's.

use insikt::domain::expr::Value;
use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{cells, new_access_code, Mode};
use insikt::domain::survey::flow::AnswerMap;
use insikt::storage::invitations::{self, NewInvitation};
use insikt::storage::responses::{self, InvitationClaim, NewResponse, SubmitOutcome};
use insikt::use_cases::results::cache::ResultsCache;
use insikt::use_cases::results::crosstab;
use insikt::use_cases::results::query::ResultsQuery;

use crate::helpers::{TestApp, GOOD_PASSWORD};

const KEY: &str = "vanor";

const SURVEY: &str = r#"
key = "vanor"
version = 1
languages = ["sv", "en"]
title = { sv = "Vanor", en = "Habits" }
[choice_lists]
yn = [ { value = "yes", label = { sv = "Ja", en = "Yes" } }, { value = "no", label = { sv = "Nej", en = "No" } } ]
age = [ { value = "young", label = { sv = "Yngre", en = "Younger" } }, { value = "old", label = { sv = "Äldre", en = "Older" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "eid"
type = "single_choice"
list = "yn"
label = { sv = "Har du e-legitimation?", en = "Do you have an e-ID?" }
[[pages.questions]]
key = "agegroup"
type = "single_choice"
list = "age"
label = { sv = "Åldersgrupp", en = "Age group" }
[[pages.questions]]
key = "wish"
type = "long_text"
label = { sv = "Vad önskar du?", en = "What do you wish for?" }
"#;

fn now() -> time::PrimitiveDateTime {
    let t = time::OffsetDateTime::now_utc();
    time::PrimitiveDateTime::new(t.date(), t.time())
}

fn publish(app: &TestApp, options: &SurveyOptions) -> (String, String) {
    app.publish_survey(SURVEY, options);
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, KEY, 1)
        .unwrap()
        .unwrap();
    (v.survey_id, v.id)
}

/// Store one response with `answers`, optionally through invitation `code`.
fn store(app: &TestApp, answers: &[(&str, &str)], mode: Mode, code: Option<&str>, anon: bool) {
    store_in(app, 1, answers, mode, code, anon);
}

/// Store one response to version `version`.
fn store_in(
    app: &TestApp,
    version: u32,
    answers: &[(&str, &str)],
    mode: Mode,
    code: Option<&str>,
    anon: bool,
) {
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, KEY, version)
        .unwrap()
        .unwrap();
    let survey = v.survey.clone();
    let mut map = AnswerMap::new();
    for (k, v) in answers {
        map.insert((*k).into(), Value::Text((*v).into()));
    }
    let out = responses::insert_response(
        &mut conn,
        &NewResponse {
            survey_id: v.survey_id.clone(),
            version_id: v.id.clone(),
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            mode,
            language: "sv".into(),
            seed: 1,
            started_at: now(),
            cells: cells(&survey, &map),
            max_responses: None,
            draft_id: None,
            invitation: code.map(|c| InvitationClaim {
                code: c.to_owned(),
                anonymous: anon,
            }),
            quotas: Vec::new(),
        },
    )
    .unwrap();
    assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
}

/// `count` responses of each (eid, agegroup) pair.
fn store_table(app: &TestApp, table: &[(&str, &str, usize)]) {
    for (eid, age, count) in table {
        for _ in 0..*count {
            store(
                app,
                &[("eid", eid), ("agegroup", age)],
                Mode::Web,
                None,
                false,
            );
        }
    }
}

async fn login_as(app: &TestApp, role: &str) {
    let name = format!("{role}1");
    app.create_user(&name, role);
    let res = app.login(&name, GOOD_PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303, "login as {role}");
}

fn response_ids(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, KEY, 1)
        .unwrap()
        .unwrap();
    insikt::use_cases::results::load_version(&mut conn, &v.survey, &v.id)
        .unwrap()
        .response_ids
}

fn stamp(app: &TestApp) -> i64 {
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, KEY, 1)
        .unwrap()
        .unwrap();
    responses::exclusion_stamp(&mut conn, &v.id).unwrap()
}

#[actix_web::test]
async fn an_excluded_response_leaves_the_results_and_comes_back_when_re_included() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store_table(&app, &[("yes", "young", 2), ("no", "old", 1)]);
    login_as(&app, "researcher").await;
    let ids = response_ids(&app);
    assert_eq!(ids.len(), 3);
    let target = ids[0].clone();
    let page = format!("/results/{KEY}/1/responses/{target}");
    let before = stamp(&app);
    let (_, results_before) = app.get_html(&format!("/results/{KEY}/1")).await;
    assert!(
        results_before.contains(&format!("/results/{KEY}/1/responses")),
        "the results page links the analyses"
    );

    let res = app
        .post_form(&page, &format!("{page}/exclude"), &[("reason", "testsvar")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let left = response_ids(&app);
    assert_eq!(left.len(), 2, "the excluded response is not loaded");
    assert!(!left.contains(&target));
    assert_ne!(stamp(&app), before, "the cache stamp changes on exclusion");
    assert_eq!(app.audit_actions("response.exclude"), 1);
    let (_, list) = app.get_html(&format!("/results/{KEY}/1/responses")).await;
    assert!(list.contains("testsvar"), "the list names the reason");
    let (_, csv) = app.get_html(&format!("/results/{KEY}/1/dataset.csv")).await;
    assert_eq!(csv.lines().count(), 1 + 2, "nor is it in the dataset");
    assert!(!csv.contains(&target));
    let (_, table) = app
        .get_html(&format!("/results/{KEY}/1/crosstab?row=eid&col=agegroup"))
        .await;
    assert!(table.contains("2 svar i tabellen"), "{table}");

    let (_, results_after) = app.get_html(&format!("/results/{KEY}/1")).await;
    assert!(results_before.contains(r#"<dd id="n-filtered">3 av 3</dd>"#));
    assert!(
        results_after.contains(r#"<dd id="n-filtered">2 av 2</dd>"#),
        "the cached results page is recomputed without the excluded response"
    );

    let after_exclusion = stamp(&app);
    let res = app.post_form(&page, &format!("{page}/include"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(response_ids(&app).len(), 3, "re-included");
    let (_, results_back) = app.get_html(&format!("/results/{KEY}/1")).await;
    assert!(results_back.contains(r#"<dd id="n-filtered">3 av 3</dd>"#));
    assert_ne!(stamp(&app), after_exclusion, "the stamp changes again");
    assert_eq!(app.audit_actions("response.include"), 1);
}

#[actix_web::test]
async fn excluding_without_a_reason_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store_table(&app, &[("yes", "young", 1)]);
    login_as(&app, "researcher").await;
    let id = response_ids(&app)[0].clone();
    let page = format!("/results/{KEY}/1/responses/{id}");
    let res = app
        .post_form(&page, &format!("{page}/exclude"), &[("reason", "  ")])
        .await;
    assert_eq!(res.status().as_u16(), 400);
    assert!(res.text().await.unwrap().contains("Ange varför"));
    assert_eq!(response_ids(&app).len(), 1);
    assert_eq!(app.audit_actions("response.exclude"), 0);
}

#[actix_web::test]
async fn interviewers_get_403_analysts_read_but_cannot_exclude_and_visitors_go_to_login() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store_table(&app, &[("yes", "young", 1)]);
    let id = response_ids(&app)[0].clone();
    let pages = [
        format!("/results/{KEY}/1/responses"),
        format!("/results/{KEY}/1/responses/{id}"),
        format!("/results/{KEY}/1/crosstab"),
        format!("/results/{KEY}/1/text/wish"),
    ];
    for p in &pages {
        let res = app.get(p).await;
        assert_eq!(res.status().as_u16(), 303, "{p}");
        let to = res.headers().get("location").unwrap().to_str().unwrap();
        assert!(to.starts_with("/login"), "{p} → {to}");
    }
    login_as(&app, "interviewer").await;
    for p in &pages {
        assert_eq!(app.get(p).await.status().as_u16(), 403, "{p}");
    }
    app.clear_cookies();
    login_as(&app, "analyst").await;
    for p in &pages {
        assert_eq!(app.get(p).await.status().as_u16(), 200, "{p}");
    }
    let (_, shown) = app.get_html(&pages[1]).await;
    assert!(!shown.contains("/exclude"), "no exclude form for analysts");
    let res = app
        .post_form(
            &pages[1],
            &format!("{}/exclude", pages[1]),
            &[("reason", "dubblett")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(response_ids(&app).len(), 1);
}

fn invite(app: &TestApp, survey_id: &str) -> (String, String) {
    let code = new_access_code();
    let mut conn = app.db.get().unwrap();
    invitations::insert_many(
        &mut conn,
        &[NewInvitation {
            survey_id: survey_id.to_owned(),
            code: code.clone(),
            unit_ref: Some("UNIT-4711".into()),
            email: Some("anna@example.se".into()),
            name: Some("Anna Andersson".into()),
            language: "sv".into(),
            ..NewInvitation::default()
        }],
    )
    .unwrap();
    let id = invitations::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap()
        .id;
    (code, id)
}

#[actix_web::test]
async fn anonymous_surveys_show_no_invitation_data_in_the_response_browser() {
    let app = TestApp::spawn().await;
    let options = SurveyOptions {
        anonymous: true,
        ..SurveyOptions::default()
    };
    let (survey_id, _) = publish(&app, &options);
    let (code, inv_id) = invite(&app, &survey_id);
    store(
        &app,
        &[("eid", "yes"), ("wish", "Snabbare bredband")],
        Mode::Web,
        Some(&code),
        true,
    );
    login_as(&app, "researcher").await;
    let id = response_ids(&app)[0].clone();
    let (s1, list) = app.get_html(&format!("/results/{KEY}/1/responses")).await;
    let (s2, shown) = app
        .get_html(&format!("/results/{KEY}/1/responses/{id}"))
        .await;
    assert_eq!((s1, s2), (200, 200));
    assert!(shown.contains("Snabbare bredband"), "the answers are shown");
    for page in [&list, &shown] {
        for secret in [
            code.as_str(),
            inv_id.as_str(),
            "UNIT-4711",
            "anna@example.se",
            "Anna",
        ] {
            assert!(!page.contains(secret), "{secret} leaked");
        }
    }
}

#[actix_web::test]
async fn a_named_survey_shows_the_invitation_but_never_its_access_code() {
    let app = TestApp::spawn().await;
    let (survey_id, _) = publish(&app, &SurveyOptions::default());
    let (code, inv_id) = invite(&app, &survey_id);
    store(&app, &[("eid", "no")], Mode::Phone, Some(&code), false);
    login_as(&app, "researcher").await;
    let id = response_ids(&app)[0].clone();
    let (_, shown) = app
        .get_html(&format!("/results/{KEY}/1/responses/{id}"))
        .await;
    assert!(shown.contains(&inv_id), "the invitation id is shown");
    assert!(shown.contains("UNIT-4711"));
    assert!(!shown.contains(&code), "the access code is a credential");
}

#[actix_web::test]
async fn the_response_list_filters_by_mode() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store(&app, &[("eid", "yes")], Mode::Web, None, false);
    store(&app, &[("eid", "no")], Mode::Paper, None, false);
    store(&app, &[("eid", "no")], Mode::Paper, None, false);
    login_as(&app, "analyst").await;
    let (_, all) = app.get_html(&format!("/results/{KEY}/1/responses")).await;
    assert!(all.contains("3 svar matchar"), "{all}");
    let (_, paper) = app
        .get_html(&format!("/results/{KEY}/1/responses?mode=paper"))
        .await;
    assert!(paper.contains("2 svar matchar"));
    let (status, _) = app
        .get_html(&format!("/results/{KEY}/1/responses?from=igår"))
        .await;
    assert_eq!(status, 400, "a bad date is refused with a message");
}

#[actix_web::test]
async fn crosstab_numbers_equal_a_direct_computation() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    let table = [
        ("yes", "young", 30),
        ("no", "young", 5),
        ("yes", "old", 8),
        ("no", "old", 25),
    ];
    store_table(&app, &table);
    // The direct computation: unweighted responses, one stratum; rows in response id order do
    // not matter for a table, so build the codes from the counts.
    let (mut rc, mut cc) = (Vec::new(), Vec::new());
    for (eid, age, n) in table {
        for _ in 0..n {
            rc.push(u32::from(eid == "no"));
            cc.push(u32::from(age == "old"));
        }
    }
    let design = analysis::Design::builder(vec![1.0; rc.len()])
        .build()
        .unwrap();
    let direct = design.crosstab(&rc, 2, &cc, 2, None).unwrap();

    let mut conn = app.db.get().unwrap();
    let cache = ResultsCache::new();
    let view = crosstab::crosstab(
        &mut conn,
        &cache,
        KEY,
        1,
        "eid",
        "agegroup",
        &ResultsQuery::default(),
    )
    .unwrap()
    .ok()
    .unwrap();
    drop(conn);
    assert_eq!(view.n, 68);
    for k in 0..4 {
        assert_eq!(view.cells[k].n, direct.n[k]);
        assert!((view.cells[k].row_share.estimate - direct.row_share[k].estimate).abs() < 1e-12);
        assert!((view.cells[k].row_share.se - direct.row_share[k].se).abs() < 1e-12);
        assert!((view.cells[k].col_share.estimate - direct.col_share[k].estimate).abs() < 1e-12);
    }
    assert!((view.rao_scott.p_value - direct.rao_scott.p_value).abs() < 1e-12);
    assert!((view.rao_scott.f - direct.rao_scott.f).abs() < 1e-9);

    login_as(&app, "analyst").await;
    let (status, page) = app
        .get_html(&format!("/results/{KEY}/1/crosstab?row=eid&col=agegroup"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("68 svar i tabellen"));
    // 30 of 38 "yes" are younger: 78,9 %.
    assert!(page.contains("78,9 %"), "row share shown");
    assert!(page.contains("Fler än väntat") && page.contains("Färre än väntat"));
    let (_, form) = app.get_html(&format!("/results/{KEY}/1/crosstab")).await;
    assert!(form.contains(r#"<label for="row""#), "labelled pickers");
    let (status, _) = app
        .get_html(&format!("/results/{KEY}/1/crosstab?row=eid&col=eid"))
        .await;
    assert_eq!(status, 400, "the same question twice is refused");
}

#[actix_web::test]
async fn open_text_lists_answers_and_frequencies_without_stop_words() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store(
        &app,
        &[("wish", "Bättre bredband och e-tjänster")],
        Mode::Web,
        None,
        false,
    );
    store(
        &app,
        &[("wish", "Bredband på landet")],
        Mode::Paper,
        None,
        false,
    );
    login_as(&app, "manager").await;
    let (status, page) = app.get_html(&format!("/results/{KEY}/1/text/wish")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Bredband på landet"));
    assert!(
        page.contains("<td>bredband</td><td class=\"num\">2</td>"),
        "{page}"
    );
    assert!(!page.contains("<td>och</td>"));
    let (_, paper) = app
        .get_html(&format!("/results/{KEY}/1/text/wish?mode=paper"))
        .await;
    assert!(paper.contains("1 svar matchar"));
    assert!(
        !paper.contains("Bättre bredband"),
        "the web answer is filtered out"
    );
    let (status, _) = app.get_html(&format!("/results/{KEY}/1/text/eid")).await;
    assert_eq!(status, 404, "not a free-text question");
}

#[actix_web::test]
async fn a_trend_across_two_versions_is_the_difference_of_independent_estimates() {
    let app = TestApp::spawn().await;
    let (survey_id, _) = publish(&app, &SurveyOptions::default());
    {
        let mut v2 = insikt::formats::survey_file::from_toml_str(
            &SURVEY.replace("version = 1", "version = 2"),
        )
        .unwrap();
        v2.publish().unwrap();
        let mut conn = app.db.get().unwrap();
        insikt::storage::surveys::insert_version(&mut conn, &survey_id, &v2, None).unwrap();
    }
    let mut y1 = Vec::new();
    for (version, yes, no) in [(1, 10, 10), (2, 30, 10)] {
        let mut y = Vec::new();
        for k in 0..(yes + no) {
            let answer = if k < yes { "yes" } else { "no" };
            store_in(&app, version, &[("eid", answer)], Mode::Web, None, false);
            y.push(f64::from(u8::from(k < yes)));
        }
        y1.push(y);
    }
    let se = |y: &[f64]| {
        analysis::Design::builder(vec![1.0; y.len()])
            .build()
            .unwrap()
            .mean(y, None)
            .unwrap()
            .se
    };
    let direct_se = (se(&y1[0]).powi(2) + se(&y1[1]).powi(2)).sqrt();

    let mut conn = app.db.get().unwrap();
    let t = insikt::use_cases::results::trend::trend(
        &mut conn,
        &ResultsCache::new(),
        KEY,
        "eid",
        "yes",
        &ResultsQuery::default(),
    )
    .unwrap();
    drop(conn);
    assert_eq!(t.waves.len(), 2);
    assert!((t.waves[0].estimate - 0.5).abs() < 1e-12);
    assert!((t.waves[1].estimate - 0.75).abs() < 1e-12);
    assert!((t.waves[0].se - se(&y1[0])).abs() < 1e-12);
    let (d, ci, p) = t.change.unwrap();
    assert!((d - 0.25).abs() < 1e-12);
    let df = 58.0; // 60 responses in two strata
    let half = analysis::dist::qt(0.975, df) * direct_se;
    assert!(
        (ci[1] - ci[0] - 2.0 * half).abs() < 1e-9,
        "{ci:?} vs ±{half}"
    );
    assert!(p > 0.0 && p < 0.1, "{p}");

    login_as(&app, "manager").await;
    let (status, page) = app
        .get_html(&format!("/results/{KEY}/trend/eid?value=yes"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<svg") && page.contains("<table"),
        "chart and table"
    );
    assert!(page.contains("75,0 %") && page.contains("Version 2"));
    assert!(page.contains("Senaste förändringen"));
}

/// [`SURVEY`] with a multiple choice `ways` and, on a second page, a question whose label quotes
/// it (`${ways}`), as IT-habits' contact channels.
fn survey_with_ways(version: u32) -> String {
    SURVEY
        .replace("version = 1", &format!("version = {version}"))
        .replace(
            "[choice_lists]\n",
            "[choice_lists]\nways = [ { value = \"phone\", label = { sv = \"Telefon\", en = \"Phone\" } }, \
             { value = \"email\", label = { sv = \"E-post\", en = \"E-mail\" } }, \
             { value = \"web\", label = { sv = \"Webben\", en = \"The web\" } } ]\n",
        )
        + r#"
[[pages.questions]]
key = "ways"
type = "multiple_choice"
list = "ways"
label = { sv = "Hur vill du helst kontakta oss?", en = "How would you like to contact us?" }
[[pages]]
key = "p2"
[[pages.questions]]
key = "first"
type = "single_choice"
list = "ways"
label = { sv = "Du valde: ${ways}. Vilket vill du helst?", en = "You chose: ${ways}. Which do you prefer?" }
"#
}

/// Publish [`survey_with_ways`] as versions 1 and 2 of [`KEY`].
fn publish_ways(app: &TestApp) {
    app.publish_survey(&survey_with_ways(1), &SurveyOptions::default());
    let mut conn = app.db.get().unwrap();
    let v1 = insikt::storage::surveys::find_version(&mut conn, KEY, 1)
        .unwrap()
        .unwrap();
    let mut v2 = insikt::formats::survey_file::from_toml_str(&survey_with_ways(2)).unwrap();
    v2.publish().unwrap();
    insikt::storage::surveys::insert_version(&mut conn, &v1.survey_id, &v2, None).unwrap();
}

/// A share as the Swedish pages write it ("12,5 %").
fn sv_pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x).replace('.', ",")
}

#[actix_web::test]
async fn a_multiple_choice_trend_shows_each_option_per_wave_as_the_analysis_crate_computes_it() {
    let app = TestApp::spawn().await;
    publish_ways(&app);
    // Per wave: (selection, count); "" = the question left unanswered (outside the shares).
    let waves: [&[(&str, usize)]; 2] = [
        &[
            ("phone", 8),
            ("phone email", 4),
            ("email", 3),
            ("web", 3),
            ("email web", 2),
            ("", 2),
        ],
        &[
            ("phone", 4),
            ("phone web", 6),
            ("web", 6),
            ("email", 4),
            ("", 3),
        ],
    ];
    for (k, wave) in waves.iter().enumerate() {
        for (ways, count) in wave.iter() {
            for _ in 0..*count {
                let mut answers = vec![("eid", "yes")];
                if !ways.is_empty() {
                    answers.push(("ways", ways));
                }
                store_in(&app, k as u32 + 1, &answers, Mode::Web, None, false);
            }
        }
    }
    let total: usize = waves.iter().flat_map(|w| w.iter().map(|(_, c)| c)).sum();
    // Directly: each wave on its own, one stratum, NaN for those who did not answer.
    let direct = |wave: &[(&str, usize)], option: &str| {
        let y: Vec<f64> = wave
            .iter()
            .flat_map(|(ways, count)| {
                let v = if ways.is_empty() {
                    f64::NAN
                } else {
                    f64::from(u8::from(ways.split(' ').any(|w| w == option)))
                };
                std::iter::repeat_n(v, *count)
            })
            .collect();
        analysis::Design::builder(vec![1.0; y.len()])
            .build()
            .unwrap()
            .mean(&y, None)
            .unwrap()
    };

    let mut conn = app.db.get().unwrap();
    let t = insikt::use_cases::results::trend::trend(
        &mut conn,
        &ResultsCache::new(),
        KEY,
        "ways",
        "",
        &ResultsQuery::default(),
    )
    .unwrap();
    drop(conn);
    assert!(t.multiple && t.waves.is_empty() && t.values.is_empty());
    let values: Vec<&str> = t.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["phone", "email", "web"]);
    let z = analysis::dist::qnorm(0.975);
    // The stack's strata are the two waves: df = responses − 2.
    let t_df = analysis::dist::qt(0.975, total as f64 - 2.0);
    let mut rows = Vec::new();
    for o in &t.options {
        assert_eq!(o.series.waves.len(), 2, "{}", o.value);
        let (e1, e2) = (direct(waves[0], &o.value), direct(waves[1], &o.value));
        for (p, e) in o.series.waves.iter().zip([&e1, &e2]) {
            assert!((p.estimate - e.estimate).abs() < 1e-12, "{}", o.value);
            assert!((p.se - e.se).abs() < 1e-12, "{}", o.value);
            assert_eq!(p.n, e.n);
            rows.push(format!(
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}–{}</td>",
                p.version,
                sv_pct(e.estimate),
                sv_pct(e.estimate - z * e.se),
                sv_pct(e.estimate + z * e.se),
            ));
        }
        let (d, ci, p) = o.series.change.unwrap();
        assert!((d - (e2.estimate - e1.estimate)).abs() < 1e-12);
        let half = t_df * (e1.se.powi(2) + e2.se.powi(2)).sqrt();
        assert!(
            (ci[1] - ci[0] - 2.0 * half).abs() < 1e-9,
            "{ci:?} vs ±{half}"
        );
        let p_direct = 2.0 * analysis::dist::pt_upper(d.abs() / (half / t_df), total as f64 - 2.0);
        assert!((p - p_direct).abs() < 1e-9, "{p} vs {p_direct}");
        // Two waves: the slope is the change.
        let (slope, _) = o.series.slope.unwrap();
        assert!((slope - d).abs() < 1e-12);
    }

    login_as(&app, "researcher").await;
    let (_, results) = app.get_html(&format!("/results/{KEY}/2")).await;
    assert!(
        results.contains(&format!("/results/{KEY}/trend/ways")),
        "the results page links the multiple choice's trend"
    );
    let (status, page) = app.get_html(&format!("/results/{KEY}/trend/ways")).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"trend-options\""), "the overview table");
    for (i, label) in ["Telefon", "E-post", "Webben"].iter().enumerate() {
        assert!(
            page.contains(&format!("<th scope=\"row\">{label}</th>")),
            "{label}"
        );
        assert!(
            page.contains(&format!("id=\"trend-{i}-table\"")),
            "{label}'s table"
        );
    }
    assert_eq!(page.matches("<svg").count(), 3, "one chart per option");
    for row in &rows {
        assert!(page.contains(row), "{row} not on the page");
    }
}

#[actix_web::test]
async fn a_piped_label_reads_as_the_answer_to_the_quoted_question_on_every_results_page() {
    let app = TestApp::spawn().await;
    app.publish_survey(&survey_with_ways(1), &SurveyOptions::default());
    for (eid, ways, first, wish) in [
        ("yes", "phone email", "phone", "Snabbare svar"),
        ("no", "phone web", "web", "Färre blanketter"),
        ("yes", "email web", "email", "Mer öppet"),
        ("no", "phone email", "email", "Kortare köer"),
    ] {
        let answers = [
            ("eid", eid),
            ("ways", ways),
            ("first", first),
            ("wish", wish),
        ];
        store(&app, &answers, Mode::Web, None, false);
    }
    login_as(&app, "researcher").await;
    let id = &response_ids(&app)[0];
    let quoted_sv =
        "Du valde: (svaret på ”Hur vill du helst kontakta oss?”). Vilket vill du helst?";
    let pages = [
        format!("/results/{KEY}/1"),
        format!("/results/{KEY}/1?f.first=phone"),
        format!("/results/{KEY}/1/crosstab"),
        format!("/results/{KEY}/1/crosstab?row=first&col=eid"),
        format!("/results/{KEY}/trend/first"),
        format!("/results/{KEY}/trend/ways"),
        format!("/results/{KEY}/1/text/wish"),
        format!("/results/{KEY}/1/responses"),
        format!("/results/{KEY}/1/responses/{id}"),
    ];
    for path in &pages {
        let (status, page) = app.get_html(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("${"), "a raw placeholder on {path}:\n{page}");
    }
    // Where the piped question is named, it reads as the answer to the quoted question.
    for path in [&pages[0], &pages[3], &pages[4], &pages[8]] {
        let (_, page) = app.get_html(path).await;
        assert!(page.contains(quoted_sv), "{path}:\n{page}");
    }
    let (_, english) = app
        .get_html(&format!("/results/{KEY}/trend/first?lang=en"))
        .await;
    assert!(
        english.contains(
            "You chose: (the answer to “How would you like to contact us?”). Which do you prefer?"
        ),
        "{english}"
    );
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    let start = s.find(a).unwrap_or_else(|| panic!("no {a}")) + a.len();
    let end = s[start..].find(b).unwrap() + start;
    &s[start..end]
}

#[actix_web::test]
async fn the_downloaded_dataset_and_command_reproduce_the_cross_tab_with_insikt_stats() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    let rows = [
        ("yes", "young", Mode::Web, 14),
        ("no", "young", Mode::Web, 6),
        ("yes", "old", Mode::Web, 5),
        ("no", "old", Mode::Web, 12),
        ("yes", "old", Mode::Paper, 7),
        ("no", "young", Mode::Paper, 3),
    ];
    for (eid, age, mode, n) in rows {
        for _ in 0..n {
            store(
                &app,
                &[("eid", eid), ("agegroup", age), ("wish", "=1+1")],
                mode,
                None,
                false,
            );
        }
    }
    login_as(&app, "analyst").await;
    let (status, page) = app
        .get_html(&format!(
            "/results/{KEY}/1/crosstab?row=eid&col=agegroup&mode=web"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let command = between(&page, r#"<pre class="command"><code>"#, "</code>").to_owned();
    let href =
        between(&page, r#"<a href="/results/vanor/1/dataset.csv?"#, "\"").replace("&amp;", "&");
    let res = app
        .get(&format!("/results/{KEY}/1/dataset.csv?{href}"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = res.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 47,
        "every response, selection marked"
    );
    assert!(!csv.contains(",=1+1"), "free text is not in the dataset");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vanor-v1-dataset.csv"), &csv).unwrap();
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&words[..2], ["insikt", "stats"], "{command}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insikt"))
        .args(&words[1..])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let domain = json["result"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["by"] == "1")
        .unwrap();
    let cells = domain["result"]["cells"].as_array().unwrap();
    let cli = cells
        .iter()
        .find(|c| c["row"] == "yes" && c["col"] == "young")
        .unwrap();

    let mut conn = app.db.get().unwrap();
    let query = ResultsQuery::from_pairs(&[("mode".into(), "web".into())]).unwrap();
    let view = crosstab::crosstab(
        &mut conn,
        &ResultsCache::new(),
        KEY,
        1,
        "eid",
        "agegroup",
        &query,
    )
    .unwrap()
    .ok()
    .unwrap();
    drop(conn);
    assert_eq!(view.n, 37);
    let mine = &view.cells[0]; // yes × young: the choice lists' first options
    let est = cli["row_share"]["estimate"].as_f64().unwrap();
    let se = cli["row_share"]["se"].as_f64().unwrap();
    assert!((mine.row_share.estimate - est).abs() < 1e-12, "{est}");
    assert!((mine.row_share.se - se).abs() < 1e-12, "{se}");
    let p = domain["result"]["rao_scott"]["p_value"].as_f64().unwrap();
    assert!((view.rao_scott.p_value - p).abs() < 1e-12);
    // The page shows the same share: 14 of 19 = 73,7 %.
    assert!(page.contains(&format!("{:.1} %", 100.0 * est).replace('.', ",")));
}

/// POST a population table as a browser would (multipart), without following the redirect.
async fn upload_population(app: &TestApp, name: &str, csv: &str) -> String {
    let token = app.csrf_token("/results/population").await;
    let boundary = "----insiktAnalysesBoundary";
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
    assert_eq!(res.status().as_u16(), 303, "population table stored");
    let mut conn = app.db.get().unwrap();
    insikt::storage::population::find_by_name(&mut conn, name)
        .unwrap()
        .unwrap()
        .id
}

#[actix_web::test]
async fn the_cross_tab_follows_the_results_pages_raking_and_background_filter() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    let table = [
        ("yes", "young", 30),
        ("no", "young", 5),
        ("yes", "old", 8),
        ("no", "old", 25),
    ];
    store_table(&app, &table);
    login_as(&app, "analyst").await;
    // Older people are under-represented: 33 of 68 in the sample, 70 % of the population.
    let id = upload_population(&app, "Ålder", "agegroup,count\nyoung,300\nold,700\n").await;

    // The direct computation: rake the loaded design to the age margin, cross-tabulate.
    let mut conn = app.db.get().unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, KEY, 1)
        .unwrap()
        .unwrap();
    let l = insikt::use_cases::results::load_version(&mut conn, &v.survey, &v.id).unwrap();
    let cat = |k: &str| match l.data.column(k) {
        Some(analysis::Column::Categorical(c)) => c.clone(),
        other => panic!("{k}: {other:?}"),
    };
    let (eid, age) = (cat("eid"), cat("agegroup"));
    let targets: Vec<f64> = age
        .labels
        .iter()
        .map(|a| if a == "young" { 300.0 } else { 700.0 })
        .collect();
    let base = l.design(analysis::LonelyPsu::Fail).unwrap();
    let (raked, _) = base
        .rake(
            &[analysis::Margin {
                codes: age.codes.clone(),
                targets,
            }],
            analysis::RakeOptions::default(),
        )
        .unwrap();
    let direct = raked.crosstab(&eid.codes, 2, &age.codes, 2, None).unwrap();

    let pairs = vec![
        ("weighting".to_owned(), "raked".to_owned()),
        ("table".to_owned(), id.clone()),
        ("map.agegroup".to_owned(), "agegroup".to_owned()),
    ];
    let query = ResultsQuery::from_pairs(&pairs).unwrap();
    let cache = ResultsCache::new();
    let view = crosstab::crosstab(&mut conn, &cache, KEY, 1, "eid", "agegroup", &query)
        .unwrap()
        .ok()
        .unwrap();
    assert!(view.weighted, "the raked weights differ from 1");
    for k in 0..4 {
        assert!((view.cells[k].share.estimate - direct.cell[k].estimate).abs() < 1e-12);
        assert!((view.cells[k].row_share.estimate - direct.row_share[k].estimate).abs() < 1e-12);
        assert!((view.cells[k].row_share.se - direct.row_share[k].se).abs() < 1e-12);
        assert!((view.cells[k].total.estimate - direct.totals[k].estimate).abs() < 1e-9);
    }
    assert!((view.rao_scott.p_value - direct.rao_scott.p_value).abs() < 1e-12);
    // Raked, the table's total is the population's, not the sample's 68.
    let total: f64 = view.cells.iter().map(|c| c.total.estimate).sum();
    assert!((total - 1000.0).abs() < 1e-6, "{total}");

    // A background filter is a domain of the raked design, as on the results page.
    let mut filtered = pairs.clone();
    filtered.push(("f.agegroup".to_owned(), "old".to_owned()));
    let fq = ResultsQuery::from_pairs(&filtered).unwrap();
    let err = crosstab::crosstab(&mut conn, &cache, KEY, 1, "eid", "agegroup", &fq)
        .err()
        .expect("one age group left: no table");
    assert!(err.message().is_some(), "said in words");
    drop(conn);

    // The results page links to the cross-tab with its weighting, and the cross-tab's form
    // keeps it.
    let qs = serde_urlencoded::to_string(&pairs).unwrap();
    let (status, results) = app.get_html(&format!("/results/{KEY}/1?{qs}")).await;
    assert_eq!(status, 200, "{results}");
    let link = format!("/results/{KEY}/1/crosstab?{}", qs.replace('&', "&amp;"));
    assert!(results.contains(&link), "{link}");
    let (status, page) = app
        .get_html(&format!(
            "/results/{KEY}/1/crosstab?row=eid&col=agegroup&{qs}"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(r#"id="w-raked" value="raked" checked"#),
        "{page}"
    );
    // yes × young of its row, raked: shown as on the page.
    let shown = format!("{:.1} %", 100.0 * direct.row_share[0].estimate).replace('.', ",");
    assert!(page.contains(&shown), "{shown}");
    let (status, _) = app
        .get_html(&format!(
            "/results/{KEY}/1/crosstab?row=eid&col=agegroup&weighting=raked"
        ))
        .await;
    assert_eq!(
        status, 400,
        "a raking without a table is refused with a message"
    );
}

#[actix_web::test]
async fn the_downloaded_dataset_margins_and_commands_reproduce_a_raked_page_with_insikt_stats() {
    let app = TestApp::spawn().await;
    publish(&app, &SurveyOptions::default());
    store_table(
        &app,
        &[
            ("yes", "young", 30),
            ("no", "young", 5),
            ("yes", "old", 8),
            ("no", "old", 25),
        ],
    );
    login_as(&app, "analyst").await;
    let id = upload_population(&app, "Ålder", "agegroup,count\nyoung,300\nold,700\n").await;
    let qs = format!("weighting=raked&table={id}&map.agegroup=agegroup");
    let (status, page) = app
        .get_html(&format!(
            "/results/{KEY}/1/crosstab?row=eid&col=agegroup&{qs}"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let command = between(&page, r#"<pre class="command"><code>"#, "</code>").to_owned();
    let calibrate = between(
        &page,
        r#"<pre class="command" id="calibration-command"><code>"#,
        "</code>",
    )
    .replace("&#39;", "'");
    let href =
        between(&page, r#"<a href="/results/vanor/1/dataset.csv?"#, "\"").replace("&amp;", "&");
    let margin = between(&page, r#"<a href="/results/vanor/1/margin/"#, "\"").replace("&amp;", "&");
    let csv = app
        .get(&format!("/results/{KEY}/1/dataset.csv?{href}"))
        .await
        .text()
        .await
        .unwrap();
    let res = app.get(&format!("/results/{KEY}/1/margin/{margin}")).await;
    assert_eq!(res.status().as_u16(), 200);
    let margin_csv = res.text().await.unwrap();
    assert_eq!(margin_csv, "category,total\nyoung,300\nold,700\n");
    // The weight column is the final (raked) weight: it sums to the population.
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let wi = header.iter().position(|h| *h == "weight").unwrap();
    let sum: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(wi).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((sum - 1000.0).abs() < 1e-6, "{sum}");
    assert!(header.contains(&"design_weight") && header.contains(&"eid=yes"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vanor-v1-dataset.csv"), &csv).unwrap();
    std::fs::write(dir.path().join("vanor-v1-margin-agegroup.csv"), &margin_csv).unwrap();
    let run = |cmd: &str| -> serde_json::Value {
        let words: Vec<String> = cmd
            .split_whitespace()
            .map(|w| w.trim_matches('\'').to_owned())
            .collect();
        assert_eq!(&words[..2], ["insikt", "stats"], "{cmd}");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_insikt"))
            .args(&words[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };

    // The direct computation on the loaded responses, as the page does.
    let mut conn = app.db.get().unwrap();
    let query = ResultsQuery::from_pairs(
        &serde_urlencoded::from_str::<Vec<(String, String)>>(&qs).unwrap(),
    )
    .unwrap();
    let view = crosstab::crosstab(
        &mut conn,
        &ResultsCache::new(),
        KEY,
        1,
        "eid",
        "agegroup",
        &query,
    )
    .unwrap()
    .ok()
    .unwrap();
    let prepared =
        insikt::use_cases::results::query::prepare(&mut conn, &ResultsCache::new(), KEY, 1, &query)
            .unwrap();
    drop(conn);
    let eid = match prepared.data.loaded.data.column("eid") {
        Some(analysis::Column::Categorical(c)) => c.clone(),
        other => panic!("{other:?}"),
    };
    let yes = eid.labels.iter().position(|v| v == "yes").unwrap();
    let share = prepared
        .design
        .frequencies(&eid.codes, eid.labels.len(), None)
        .unwrap()
        .proportions[yes];

    // The cross-tab command with the final weights: the page's estimates exactly.
    let json = run(&command);
    let cells = json["result"]["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"));
    let cli = cells
        .iter()
        .find(|c| c["row"] == "yes" && c["col"] == "young")
        .unwrap();
    let est = cli["row_share"]["estimate"].as_f64().unwrap();
    assert!(
        (view.cells[0].row_share.estimate - est).abs() < 1e-12,
        "{est}"
    );

    // The calibration command rakes from design_weight and the margin file, then cross-tabulates
    // on the raked design: the page's estimates and its calibration-aware standard errors.
    assert!(
        calibrate.contains("--rows eid --cols agegroup"),
        "{calibrate}"
    );
    let json = run(&calibrate);
    let cells = json["crosstab"]["result"]["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(cells.len(), view.cells.len());
    let cli = cells
        .iter()
        .find(|c| c["row"] == "yes" && c["col"] == "young")
        .unwrap();
    let page = &view.cells[0];
    for (name, on_page) in [
        ("share", &page.share),
        ("row_share", &page.row_share),
        ("col_share", &page.col_share),
    ] {
        let (est, se) = (
            cli[name]["estimate"].as_f64().unwrap(),
            cli[name]["se"].as_f64().unwrap(),
        );
        assert!(
            (on_page.estimate - est).abs() < 1e-9,
            "{name}: {} vs {est}",
            on_page.estimate
        );
        assert!(
            (on_page.se - se).abs() < 1e-9 * on_page.se.max(1e-3),
            "{name}: {} vs {se}",
            on_page.se
        );
    }
    // The whole-sample share of "yes" is the raked design's, as on the results page.
    assert!(share.se > 0.0 && share.estimate > 0.0);
}

#[actix_web::test]
async fn a_trend_rakes_every_wave_to_the_same_population_table_and_says_so_per_wave() {
    let app = TestApp::spawn().await;
    let (survey_id, _) = publish(&app, &SurveyOptions::default());
    {
        let mut v2 = insikt::formats::survey_file::from_toml_str(
            &SURVEY.replace("version = 1", "version = 2"),
        )
        .unwrap();
        v2.publish().unwrap();
        let mut conn = app.db.get().unwrap();
        insikt::storage::surveys::insert_version(&mut conn, &survey_id, &v2, None).unwrap();
    }
    // Younger people answer yes more often, and are over-represented in both waves.
    for (version, rows) in [
        (
            1,
            [
                ("yes", "young", 20),
                ("no", "young", 5),
                ("yes", "old", 3),
                ("no", "old", 7),
            ],
        ),
        (
            2,
            [
                ("yes", "young", 25),
                ("no", "young", 5),
                ("yes", "old", 6),
                ("no", "old", 6),
            ],
        ),
    ] {
        for (eid, age, n) in rows {
            for _ in 0..n {
                store_in(
                    &app,
                    version,
                    &[("eid", eid), ("agegroup", age)],
                    Mode::Web,
                    None,
                    false,
                );
            }
        }
    }
    login_as(&app, "analyst").await;
    let id = upload_population(&app, "Ålder", "agegroup,count\nyoung,300\nold,700\n").await;
    let pairs = vec![
        ("weighting".to_owned(), "raked".to_owned()),
        ("table".to_owned(), id.clone()),
        ("map.agegroup".to_owned(), "agegroup".to_owned()),
    ];
    let query = ResultsQuery::from_pairs(&pairs).unwrap();
    let cache = ResultsCache::new();
    let mut conn = app.db.get().unwrap();
    let t = insikt::use_cases::results::trend::trend(&mut conn, &cache, KEY, "eid", "yes", &query)
        .unwrap();
    assert!(t.fallback.is_none(), "{:?}", t.fallback);
    assert_eq!(t.waves.len(), 2);
    for (k, version) in [1u32, 2].into_iter().enumerate() {
        // The results page's raked share of "yes" in that wave.
        let p = insikt::use_cases::results::query::prepare(&mut conn, &cache, KEY, version, &query)
            .unwrap();
        let eid = match p.data.loaded.data.column("eid") {
            Some(analysis::Column::Categorical(c)) => c.clone(),
            other => panic!("{other:?}"),
        };
        let yes = eid.labels.iter().position(|v| v == "yes").unwrap();
        let share = p
            .design
            .frequencies(&eid.codes, eid.labels.len(), None)
            .unwrap()
            .proportions[yes];
        assert!(
            (t.waves[k].estimate - share.estimate).abs() < 1e-12,
            "wave {version}: {} vs {}",
            t.waves[k].estimate,
            share.estimate
        );
    }
    // Raked, wave 1's share of yes is 0.3·20/25 + 0.7·3/10 = 45 %, not the unweighted 66 %.
    assert!((t.waves[0].estimate - 0.45).abs() < 1e-9);
    // A filter is a domain in every wave.
    let mut filtered = pairs.clone();
    filtered.push(("f.agegroup".to_owned(), "old".to_owned()));
    let old = insikt::use_cases::results::trend::trend(
        &mut conn,
        &cache,
        KEY,
        "eid",
        "yes",
        &ResultsQuery::from_pairs(&filtered).unwrap(),
    )
    .unwrap();
    assert!((old.waves[0].estimate - 0.3).abs() < 1e-9);
    assert!((old.waves[1].estimate - 0.5).abs() < 1e-9);
    drop(conn);

    let qs = serde_urlencoded::to_string(&pairs).unwrap();
    let (status, page) = app
        .get_html(&format!("/results/{KEY}/trend/eid?value=yes&{qs}"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Version 1: rakat till Ålder"), "{page}");
    assert!(page.contains("Version 2: rakat till Ålder"));
    assert!(page.contains(r#"id="w-raked" value="raked" checked"#));

    // A table the waves cannot be raked to: every wave falls back to design weights, said so.
    let bad = upload_population(
        &app,
        "Tre åldrar",
        "agegroup,count\nyoung,300\nold,600\nmiddle,100\n",
    )
    .await;
    let (status, page) = app
        .get_html(&format!(
            "/results/{KEY}/trend/eid?value=yes&weighting=raked&table={bad}&map.agegroup=agegroup"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"id="weighting-fallback""#), "{page}");
    assert!(page.contains("middle"), "the reason names the category");
    assert!(page.contains("Version 1: designvikter") && page.contains("Version 2: designvikter"));
}
