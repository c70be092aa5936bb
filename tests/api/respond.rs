//! Answering: skip logic, closing, idempotent submission, limits, CSRF and save-and-resume.

use insikt::domain::options::SurveyOptions;

use crate::helpers::{browser_form, TestApp};

pub const SURVEY: &str = r#"
key = "test-survey"
version = 1
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Bilenkät", en = "Car survey" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]

[[pages]]
key = "p1"
title = { sv = "Om dig", en = "About you" }

[[pages.questions]]
key = "has_car"
type = "single_choice"
list = "yes_no"
label = { sv = "Har du bil?", en = "Do you have a car?" }
required = true

[[pages]]
key = "p2"
title = { sv = "Din bil", en = "Your car" }
relevant = "${has_car} = 'yes'"

[[pages.questions]]
key = "car_age"
type = "integer"
min = 0
max = 100
label = { sv = "Hur många år är bilen?", en = "How many years old is the car?" }

[[pages]]
key = "p3"
title = { sv = "Till sist", en = "Finally" }

[[pages.questions]]
key = "comment"
type = "long_text"
label = { sv = "Något mer du vill säga?", en = "Anything else you want to say?" }
"#;

async fn app_with_survey(options: SurveyOptions) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &options);
    app
}

/// Start the survey and return the first page.
async fn start(app: &TestApp) -> String {
    let (status, landing) = app.get_html("/s/test-survey").await;
    assert_eq!(status, 200, "{landing}");
    let (status, page) = app
        .post_fields("/s/test-survey/start", &browser_form(&landing, &[], ""))
        .await;
    assert_eq!(status, 200, "{page}");
    page
}

async fn step(app: &TestApp, page: &str, set: &[(&str, &str)], nav: &str) -> (u16, String) {
    app.post_fields("/s/test-survey", &browser_form(page, set, nav))
        .await
}

fn receipt_of(html: &str) -> String {
    let start = html.find("INS-").expect("a receipt number on the page");
    html[start..start + 13].to_owned()
}

fn code_of(saved: &str) -> String {
    let marker = "class=\"receipt-number\"><strong>";
    let start = saved.find(marker).expect("code shown") + marker.len();
    saved[start..start + 12].to_owned()
}

fn stored(app: &TestApp, receipt: &str) -> Vec<(String, Option<String>, Option<f64>)> {
    let mut conn = app.db.get().unwrap();
    insikt::storage::responses::find_by_receipt(&mut conn, receipt)
        .unwrap()
        .expect("stored response")
        .cells
        .into_iter()
        .map(|c| (c.key, c.text, c.number))
        .collect()
}

#[actix_web::test]
async fn a_respondent_answers_every_page_and_gets_a_receipt_of_a_stored_response() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    assert!(
        p1.contains("Sida 1 av 2"),
        "the car page is not counted until it applies"
    );
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    assert!(p2.contains("Hur många år är bilen?"));
    assert!(p2.contains("Sida 2 av 3"));
    let (_, p3) = step(&app, &p2, &[("a.car_age", "7")], "next").await;
    let (_, review) = step(&app, &p3, &[("a.comment", "Bra enkät")], "next").await;
    assert!(review.contains("Granska dina svar"));
    assert!(review.contains("Bra enkät"));
    let (status, receipt_page) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200);
    let receipt = receipt_of(&receipt_page);
    let cells = stored(&app, &receipt);
    assert!(cells.contains(&("has_car".into(), Some("yes".into()), None)));
    assert!(cells.contains(&("car_age".into(), None, Some(7.0))));
    assert!(cells.contains(&("comment".into(), Some("Bra enkät".into()), None)));
}

#[actix_web::test]
async fn skip_logic_clears_answers_that_became_irrelevant() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    let (_, p3) = step(&app, &p2, &[("a.car_age", "12")], "next").await;
    // Back to the first page (twice) and change the answer: the car page no longer applies.
    let (_, back2) = step(&app, &p3, &[], "back").await;
    let (_, back1) = step(&app, &back2, &[], "back").await;
    assert!(back1.contains("Har du bil?"));
    let (_, p3_again) = step(&app, &back1, &[("a.has_car", "no")], "next").await;
    assert!(
        p3_again.contains("Något mer du vill säga?"),
        "the car page is skipped"
    );
    assert!(
        !p3_again.contains("name=\"h.car_age\""),
        "the skipped answer is not carried on"
    );
    let (_, review) = step(&app, &p3_again, &[], "next").await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    let cells = stored(&app, &receipt_of(&done));
    assert!(cells.iter().all(|(k, _, _)| k != "car_age"), "{cells:?}");
}

#[actix_web::test]
async fn a_missing_required_answer_shows_an_error_summary_linked_to_the_field() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (status, again) = step(&app, &p1, &[], "next").await;
    assert_eq!(status, 422);
    assert!(again.contains("class=\"error-summary\""));
    assert!(again.contains("href=\"#q-has_car\""));
    assert!(again.contains("id=\"q-has_car\""));
    assert!(again.contains("aria-describedby=\"q-has_car-error\""));
    assert!(again.contains("<title>Fel: "));
}

#[actix_web::test]
async fn a_typed_answer_is_kept_when_it_is_refused() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    let (status, again) = step(&app, &p2, &[("a.car_age", "tolv")], "next").await;
    assert_eq!(status, 422);
    assert!(again.contains("value=\"tolv\""));
    assert!(again.contains("Skriv ett tal mellan 0 och 100."));
}

#[actix_web::test]
async fn a_closed_survey_answers_410_and_says_so() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::questionnaires::close(
            &mut conn,
            insikt::use_cases::Actor::SYSTEM,
            "test-survey",
            1,
        )
        .unwrap();
    }
    // Caches expire: a fresh instance sees the change at once; this one within seconds.
    tokio::time::sleep(insikt::use_cases::answering::CACHE_TTL).await;
    let (status, html) = app.get_html("/s/test-survey").await;
    assert_eq!(status, 410);
    assert!(html.contains("stängd"));
    let (status, _) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 410);
}

#[actix_web::test]
async fn a_survey_past_its_closing_date_answers_410() {
    let options = SurveyOptions {
        closes_at: Some(time::OffsetDateTime::now_utc() - time::Duration::days(1)),
        ..SurveyOptions::default()
    };
    let app = app_with_survey(options).await;
    assert_eq!(app.get("/s/test-survey").await.status().as_u16(), 410);
}

#[actix_web::test]
async fn a_double_submit_stores_exactly_one_response() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let fields = browser_form(&review, &[], "submit");
    let (first, second) = futures_util::future::join(
        app.post_fields("/s/test-survey", &fields),
        app.post_fields("/s/test-survey", &fields),
    )
    .await;
    let (_, third) = app.post_fields("/s/test-survey", &fields).await;
    assert_eq!(first.0, 200);
    assert_eq!(second.0, 200);
    assert_eq!(receipt_of(&first.1), receipt_of(&second.1));
    assert_eq!(receipt_of(&first.1), receipt_of(&third));
    assert_eq!(app.response_count(), 1);
}

#[actix_web::test]
async fn a_body_over_the_respondent_limit_is_refused_with_413_and_nothing_is_stored() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    let huge = "x".repeat(insikt::web::routes::RESPONDENT_FORM_BYTES + 1024);
    let (_, review) = step(&app, &p3, &[], "next").await;
    let mut fields = browser_form(&review, &[], "submit");
    fields.push(("h.comment".into(), huge));
    let (status, html) = app.post_fields("/s/test-survey", &fields).await;
    assert_eq!(status, 413);
    assert!(html.contains("För mycket data"));
    assert_eq!(app.response_count(), 0);
}

#[actix_web::test]
async fn a_submit_without_a_csrf_token_is_refused_with_403() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let fields: Vec<_> = browser_form(&review, &[], "submit")
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let (status, _) = app.post_fields("/s/test-survey", &fields).await;
    assert_eq!(status, 403);
    assert_eq!(app.response_count(), 0);
}

#[actix_web::test]
async fn a_filled_honeypot_is_refused_and_nothing_is_stored() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let (status, _) = step(
        &app,
        &review,
        &[("website", "http://spam.example")],
        "submit",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(app.response_count(), 0);
}

#[actix_web::test]
async fn continue_later_gives_a_code_that_restores_every_answer_and_the_page() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    let (status, saved) = step(&app, &p2, &[("a.car_age", "4")], "save").await;
    assert_eq!(status, 200);
    let code = code_of(&saved);

    // Another browser, typing the code in lower case with spaces.
    app.clear_cookies();
    let (_, form) = app.get_html("/s/test-survey/resume").await;
    let typed = code.to_lowercase().replace('-', " ");
    let (status, resumed) = app
        .post_fields(
            "/s/test-survey/resume",
            &browser_form(&form, &[("code", &typed)], ""),
        )
        .await;
    assert_eq!(status, 200, "{resumed}");
    assert!(
        resumed.contains("Hur många år är bilen?"),
        "back on the page they left"
    );
    assert!(
        resumed.contains("value=\"4\""),
        "the answer on that page is restored"
    );
    assert!(
        resumed.contains("name=\"h.has_car\" value=\"yes\""),
        "earlier answers too"
    );

    // Submitting the resumed attempt deletes the draft: the code no longer works.
    let (_, p3) = step(&app, &resumed, &[], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    assert!(done.contains("INS-"));
    let (status, _) = app
        .post_fields(
            "/s/test-survey/resume",
            &browser_form(&form, &[("code", &code)], ""),
        )
        .await;
    assert_eq!(status, 422);
}

#[actix_web::test]
async fn a_resume_link_does_not_keep_the_code_in_the_address() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, saved) = step(&app, &p1, &[("a.has_car", "no")], "save").await;
    let code = code_of(&saved);
    let res = app.get(&format!("/s/test-survey/resume?code={code}")).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/s/test-survey/resume");
    let (status, page) = app.get_html("/s/test-survey/resume").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("name=\"a.has_car\" value=\"no\" checked"),
        "{page}"
    );
}

#[actix_web::test]
async fn resume_codes_guessed_through_the_cookie_are_rate_limited() {
    let app = TestApp::spawn_with(|s| {
        s.respondent_rate_per_minute = 1;
        s.respondent_rate_burst = 5;
    })
    .await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let mut statuses = vec![];
    for i in 0..20 {
        app.set_cookie("insikt_resume", &format!("AAAA-AAAA-{i:02}"));
        statuses.push(app.get("/s/test-survey/resume").await.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s != 429).count() <= 5,
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn a_resume_link_cannot_write_cookie_attributes() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let res = app
        .get("/s/test-survey/resume?code=x;%20Path=/;%20Domain=evil.example")
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let set: Vec<String> = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let resume = set
        .iter()
        .find(|c| c.starts_with("insikt_resume="))
        .expect("the resume cookie");
    assert!(!resume.contains("evil"), "{resume}");
    assert!(resume.contains("Path=/s/test-survey/resume"), "{resume}");
    assert!(!resume.contains("Path=/;"), "{resume}");
}

#[actix_web::test]
async fn a_survey_stops_at_its_maximum_number_of_responses() {
    let app = app_with_survey(SurveyOptions {
        max_responses: Some(1),
        ..SurveyOptions::default()
    })
    .await;
    for expected in [200, 403] {
        let p1 = start(&app).await;
        let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
        let (_, review) = step(&app, &p3, &[], "next").await;
        let (status, _) = step(&app, &review, &[], "submit").await;
        assert_eq!(status, expected);
    }
    assert_eq!(app.response_count(), 1);
}

#[actix_web::test]
async fn too_many_requests_from_one_address_get_429() {
    let app = TestApp::spawn_with(|s| {
        // One token a minute: no refill can happen while the test runs, however slow the machine.
        s.respondent_rate_per_minute = 1;
        s.respondent_rate_burst = 2;
    })
    .await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let p1 = start(&app).await;
    let (s1, _) = step(&app, &p1, &[], "next").await;
    let (s2, _) = step(&app, &p1, &[], "next").await;
    assert_eq!((s1, s2), (422, 429));
}

#[actix_web::test]
async fn the_start_page_lists_open_surveys_and_the_language_can_be_switched_mid_survey() {
    let app = app_with_survey(SurveyOptions {
        listed: true,
        minutes: Some(3),
        ..SurveyOptions::default()
    })
    .await;
    let (_, start_page) = app.get_html("/").await;
    assert!(start_page.contains("Bilenkät"));
    assert!(start_page.contains("cirka 3 minuter"));
    let p1 = start(&app).await;
    let (_, english) = step(&app, &p1, &[("a.has_car", "yes")], "lang:en").await;
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Do you have a car?"));
    assert!(
        english.contains("value=\"yes\" checked"),
        "answers survive the switch"
    );
}

#[actix_web::test]
async fn every_page_of_every_shipped_instrument_renders() {
    let app = TestApp::spawn_with(|s| s.load_shipped_surveys = true).await;
    let mut conn = app.db.get().unwrap();
    let surveys = insikt::storage::surveys::list_surveys(&mut conn).unwrap();
    drop(conn);
    assert_eq!(surveys.len(), 3);
    for s in surveys {
        let key = &s.survey.key;
        let (status, landing) = app.get_html(&format!("/s/{key}")).await;
        assert_eq!(status, 200, "{key}");
        let (_, first) = app
            .post_fields(&format!("/s/{key}/start"), &browser_form(&landing, &[], ""))
            .await;
        for i in 0..s.latest.survey.pages.len() {
            let (status, html) = app
                .post_fields(
                    &format!("/s/{key}"),
                    &browser_form(&first, &[], &format!("goto:{i}")),
                )
                .await;
            assert_eq!(status, 200, "{key} page {i}");
            assert!(html.contains("<form method=\"post\""), "{key} page {i}");
        }
    }
}

#[actix_web::test]
async fn the_accessibility_statement_is_public_and_linked_from_survey_pages() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let (status, html) = app.get_html("/tillganglighet").await;
    assert_eq!(status, 200);
    assert!(html.contains("WCAG 2.1"));
    assert!(html.contains("Digg"));
    let (_, landing) = app.get_html("/s/test-survey").await;
    assert!(landing.contains("href=\"/tillganglighet\""));
}

#[actix_web::test]
async fn staff_find_a_response_by_its_receipt_number_and_the_lookup_is_audited() {
    let app = app_with_survey(SurveyOptions::default()).await;
    let p1 = start(&app).await;
    let (_, p3) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    let (_, review) = step(&app, &p3, &[("a.comment", "Hej")], "next").await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    let receipt = receipt_of(&done);

    app.clear_cookies();
    app.create_user("rut", "researcher");
    app.login("rut", crate::helpers::GOOD_PASSWORD).await;
    let typed = receipt.to_lowercase().replace('-', " ");
    let (status, html) = app
        .get_html(&format!(
            "/staff/receipts?number={}",
            typed.replace(' ', "+")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(&receipt));
    assert!(html.contains("Hej"));
    assert_eq!(app.audit_actions("response.viewed"), 1);

    app.clear_cookies();
    app.create_user("ann", "analyst");
    app.login("ann", crate::helpers::GOOD_PASSWORD).await;
    assert_eq!(
        app.get(&format!("/staff/receipts?number={receipt}"))
            .await
            .status()
            .as_u16(),
        403
    );
}
