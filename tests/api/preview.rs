//! The designer's preview as a test run: the respondent renderer with skip logic live,
//! conditional follow-ups, nothing stored, and expression errors in one language.

use insikt::domain::options::SurveyOptions;

use crate::helpers::{browser_form, TestApp, GOOD_PASSWORD};

const DRAFT: &str = r#"
key = "trial"
version = 1
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Provenkät", en = "Trial survey" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]

[[pages]]
key = "p1"
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
label = { sv = "Hur många bilar?", en = "How many cars?" }
relevant = "${has_car} = 'yes'"
required = true

[[pages]]
key = "p2"
title = { sv = "Parkering", en = "Parking" }
relevant = "${has_car} = 'yes'"

[[pages.questions]]
key = "parking"
type = "short_text"
label = { sv = "Var parkerar du?", en = "Where do you park?" }

[[pages.questions]]
key = "broken"
type = "short_text"
label = { sv = "Trasig", en = "Broken" }
relevant = "${has_car} = # 'yes'"

[[pages]]
key = "p3"
title = { sv = "Till sist", en = "Finally" }

[[pages.questions]]
key = "comment"
type = "short_text"
label = { sv = "Något mer?", en = "Anything else?" }
"#;

/// A logged-in researcher and a draft (never published) of `DRAFT`.
async fn researcher_with_draft() -> TestApp {
    let app = TestApp::spawn().await;
    let survey = insikt::formats::survey_file::from_toml_str(DRAFT).expect("valid TOML");
    let mut conn = app.db.get().expect("connection");
    insikt::storage::surveys::insert_survey(&mut conn, &survey, &SurveyOptions::default(), None)
        .expect("insert the draft");
    drop(conn);
    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    app
}

async fn step(app: &TestApp, page: &str, set: &[(&str, &str)], nav: &str) -> (u16, String) {
    app.post_fields(
        "/designer/trial/1/preview/sv",
        &browser_form(page, set, nav),
    )
    .await
}

#[actix_web::test]
async fn the_preview_is_a_test_run_with_skip_logic_live_and_nothing_stored() {
    let app = researcher_with_draft().await;
    let (status, p1) = app.get_html("/designer/trial/1/preview/sv/0").await;
    assert_eq!(status, 200, "{p1}");
    assert!(
        p1.contains("action=\"/designer/trial/1/preview/sv\""),
        "{p1}"
    );
    assert!(
        !p1.contains("action=\"/s/trial\""),
        "a test run never posts to the survey"
    );
    assert!(p1.contains("Om du svarade Ja på ”Har du bil?”:"), "{p1}");

    let (status, again) = step(&app, &p1, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 200);
    assert!(
        again.contains("Hur många bilar?: Du behöver svara på frågan."),
        "{again}"
    );

    let (_, p3) = step(&app, &again, &[("a.has_car", "no")], "next").await;
    assert!(
        p3.contains("Något mer?"),
        "the parking page is skipped: {p3}"
    );
    assert!(!p3.contains("Var parkerar du?"));

    let (_, saved) = step(&app, &p3, &[], "save").await;
    assert!(
        saved.contains("Förhandsgranskningen sparar ingenting"),
        "{saved}"
    );
    let (_, review) = step(&app, &saved, &[("a.comment", "Bra")], "next").await;
    assert!(review.contains("Granska dina svar"), "{review}");
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200);
    assert!(done.contains("Inga svar har sparats"), "{done}");
    assert!(
        done.contains("Bra"),
        "what would have been sent is shown: {done}"
    );
    assert_eq!(app.response_count(), 0);
}

#[actix_web::test]
async fn the_preview_lists_a_broken_condition_in_the_page_language_only() {
    let app = researcher_with_draft().await;
    let (_, p1) = app.get_html("/designer/trial/1/preview/sv/0").await;
    let (_, p2) = step(&app, &p1, &[("a.has_car", "yes"), ("a.cars", "1")], "next").await;
    assert!(p2.contains("Var parkerar du?"), "{p2}");
    assert!(p2.contains("Uttryck som inte fungerar"), "{p2}");
    assert!(p2.contains("oväntat tecken '#'"), "{p2}");
    assert!(!p2.contains("unexpected character"), "one language: {p2}");

    let (_, en) = app.get_html("/designer/trial/1/preview/en/1").await;
    assert!(en.contains("unexpected character '#'"), "{en}");
    assert!(!en.contains("oväntat tecken"), "{en}");
}

#[actix_web::test]
async fn a_test_run_step_needs_a_designer_session() {
    let app = researcher_with_draft().await;
    let (_, p1) = app.get_html("/designer/trial/1/preview/sv/0").await;
    app.clear_cookies();
    app.create_user("anna", "analyst");
    app.login("anna", GOOD_PASSWORD).await;
    let (status, _) = step(&app, &p1, &[("a.has_car", "no")], "next").await;
    assert!(status == 403 || status == 400, "{status}");
}
