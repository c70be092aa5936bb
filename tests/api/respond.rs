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
    assert!(p1.contains("Sida 1<"), "no total on the first page: {p1}");
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    assert!(p2.contains("Hur många år är bilen?"));
    assert!(p2.contains("Sida 2 "), "{p2}");
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

/// A car question with a required follow-up on the same page, and it-habits' "which of the ways
/// you chose" question, also on its own page.
const FOLLOW_UP: &str = r#"
key = "follow-up"
version = 1
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Följdfrågor", en = "Follow-ups" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]
ways = [
  { value = "letter", label = { sv = "Brev", en = "Letter" } },
  { value = "email", label = { sv = "E-post", en = "E-mail" } },
  { value = "phone", label = { sv = "Telefon", en = "Phone" } },
]

[[pages]]
key = "car"
title = { sv = "Bil", en = "Car" }

[[pages.questions]]
key = "has_car"
type = "single_choice"
list = "yes_no"
label = { sv = "Har du bil?", en = "Do you have a car?" }
required = true

[[pages.questions]]
key = "cars"
type = "integer"
min = 1
max = 9
label = { sv = "Hur många bilar har du?", en = "How many cars do you have?" }
relevant = "${has_car} = 'yes'"
required = true

[[pages]]
key = "contact"
title = { sv = "Kontakt", en = "Contact" }

[[pages.questions]]
key = "ways"
type = "multiple_choice"
list = "ways"
label = { sv = "Hur vill du kontakta oss?", en = "How do you want to contact us?" }
required = true

[[pages.questions]]
key = "first"
type = "single_choice"
list = "ways"
label = { sv = "Du valde: ${ways}. Vilket sätt vill du helst använda?", en = "You chose: ${ways}. Which do you prefer?" }
relevant = "count-selected(${ways}) > 1"
required = true
"#;

async fn start_follow_up() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.publish_survey(FOLLOW_UP, &SurveyOptions::default());
    let (_, landing) = app.get_html("/s/follow-up").await;
    let (status, page) = app
        .post_fields("/s/follow-up/start", &browser_form(&landing, &[], ""))
        .await;
    assert_eq!(status, 200, "{page}");
    (app, page)
}

async fn step_follow_up(
    app: &TestApp,
    page: &str,
    set: &[(&str, &str)],
    nav: &str,
) -> (u16, String) {
    app.post_fields("/s/follow-up", &browser_form(page, set, nav))
        .await
}

#[actix_web::test]
async fn a_same_page_follow_up_is_shown_from_the_start_as_a_conditional_question() {
    let (_, p1) = start_follow_up().await;
    assert!(
        p1.contains("name=\"a.cars\""),
        "the follow-up is on the page: {p1}"
    );
    assert!(
        p1.contains("Om du svarade Ja på ”Har du bil?”:"),
        "with a lead-in saying when it applies: {p1}"
    );
}

#[actix_web::test]
async fn a_same_page_follow_up_that_does_not_apply_is_ignored_without_an_error() {
    let (app, p1) = start_follow_up().await;
    let (status, p2) = step_follow_up(
        &app,
        &p1,
        &[("a.has_car", "no"), ("a.cars", "lots")],
        "next",
    )
    .await;
    assert_eq!(status, 200, "{p2}");
    assert!(
        p2.contains("Hur vill du kontakta oss?"),
        "on to the next page: {p2}"
    );
    assert!(
        !p2.contains("h.cars"),
        "the answer that did not apply is dropped: {p2}"
    );
    assert!(!p2.contains("error-summary"));
}

#[actix_web::test]
async fn a_same_page_follow_up_that_applies_is_validated_as_the_question_the_respondent_saw() {
    let (app, p1) = start_follow_up().await;
    let (status, again) = step_follow_up(&app, &p1, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 422, "{again}");
    assert!(
        again.contains("href=\"#q-cars\""),
        "the summary links the shown field: {again}"
    );
    assert!(
        again.contains("Hur många bilar har du?: Du behöver svara på frågan."),
        "{again}"
    );
    let (status, p2) = step_follow_up(&app, &again, &[("a.cars", "2")], "next").await;
    assert_eq!(status, 200, "{p2}");
    assert!(p2.contains("Hur vill du kontakta oss?"));
}

#[actix_web::test]
async fn choosing_one_way_skips_the_which_way_question_and_two_ways_ask_it_with_the_answers_piped()
{
    let (app, p1) = start_follow_up().await;
    let (_, p2) = step_follow_up(&app, &p1, &[("a.has_car", "no")], "next").await;
    assert!(
        p2.contains("Du valde: (ditt svar ovan). Vilket sätt vill du helst använda?"),
        "the question quotes an answer not given yet as a placeholder: {p2}"
    );
    let (status, review) = step_follow_up(&app, &p2, &[("a.ways", "letter")], "next").await;
    assert_eq!(
        status, 200,
        "one way chosen: no error for the follow-up: {review}"
    );
    assert!(review.contains("Granska dina svar"), "{review}");

    let (_, back) = step_follow_up(&app, &review, &[], "goto:1").await;
    let (status, again) = step_follow_up(
        &app,
        &back,
        &[("a.ways", "letter"), ("a.ways[]", "email")],
        "next",
    )
    .await;
    assert_eq!(status, 422, "{again}");
    let summary = &again[again.find("error-summary").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap_or(summary.len())];
    assert!(
        summary.contains("Du valde: Brev, E-post. Vilket sätt vill du helst använda?"),
        "the summary pipes the answers like the question: {summary}"
    );
}

/// Five pages: the second applies on an answer of the first, the fourth and fifth on an
/// answer of the third, so the number of pages to come changes twice on the way.
const JUMPS: &str = r#"
key = "test-survey"
version = 1
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Hopp", en = "Jumps" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]

[[pages]]
key = "a"
questions = [{ key = "qa", type = "single_choice", list = "yes_no", label = { sv = "A?", en = "A?" } }]

[[pages]]
key = "b"
relevant = "${qa} = 'yes'"
questions = [{ key = "qb", type = "short_text", label = { sv = "B?", en = "B?" } }]

[[pages]]
key = "c"
questions = [{ key = "qc", type = "single_choice", list = "yes_no", label = { sv = "C?", en = "C?" } }]

[[pages]]
key = "d"
relevant = "${qc} = 'yes'"
questions = [{ key = "qd", type = "short_text", label = { sv = "D?", en = "D?" } }]

[[pages]]
key = "e"
relevant = "${qc} = 'yes'"
questions = [{ key = "qe", type = "short_text", label = { sv = "E?", en = "E?" } }]

[[pages]]
key = "f"
questions = [{ key = "qf", type = "short_text", label = { sv = "F?", en = "F?" } }]
"#;

fn progress_of(page: &str) -> (usize, u8) {
    let at = page.find("class=\"progress\">").expect("a progress line");
    let line = &page[at..at + page[at..].find("</p>").expect("end of the line")];
    assert!(
        !line.contains(" av ") && !line.contains(" of "),
        "no total: {line}"
    );
    let number = line
        .split("Sida ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .expect("a page number");
    let percent = line
        .split("ungefär ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (number, percent)
}

#[actix_web::test]
async fn progress_never_goes_backwards_when_skip_logic_adds_or_removes_pages() {
    for (qa, qc) in [("yes", "yes"), ("no", "yes"), ("yes", "no"), ("no", "no")] {
        let app = TestApp::spawn().await;
        app.publish_survey(JUMPS, &SurveyOptions::default());
        let mut page = start(&app).await;
        let mut seen = vec![progress_of(&page)];
        assert_eq!(seen[0], (1, 0), "the first page says only 'Sida 1'");
        for _ in 0..6 {
            let set: Vec<(&str, &str)> = vec![("a.qa", qa), ("a.qc", qc)];
            let (status, next) = step(&app, &page, &set, "next").await;
            assert_eq!(status, 200, "{next}");
            if next.contains("Granska dina svar") {
                break;
            }
            seen.push(progress_of(&next));
            page = next;
        }
        for w in seen.windows(2) {
            assert_eq!(w[1].0, w[0].0 + 1, "pages count up one by one: {seen:?}");
            assert!(
                w[1].1 >= w[0].1,
                "the share never goes down ({qa}, {qc}): {seen:?}"
            );
        }
        assert!(seen.last().expect("pages").1 > 0, "{seen:?}");
    }
}
