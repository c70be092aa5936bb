//! The researchers' designer: building, previewing, publishing, versioning, validation, access
//! and import.

use crate::helpers::{TestApp, GOOD_PASSWORD};

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"]
        .to_str()
        .expect("ascii location")
        .to_owned()
}

fn definition(app: &TestApp, key: &str, version: u32) -> (String, insikt::domain::survey::Survey) {
    let mut conn = app.db.get().expect("connection");
    let v = insikt::storage::surveys::find_version(&mut conn, key, version)
        .expect("query")
        .expect("the version exists");
    (v.definition, v.survey)
}

/// As a logged-in researcher: a draft `parking` with a yes/no list, a page and two questions,
/// the second shown only when the first is "yes".
async fn build_draft(app: &TestApp) {
    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    let res = app
        .post_form(
            "/designer",
            "/designer",
            &[
                ("key", "parking"),
                ("title_sv", "Parkering i city"),
                ("title_en", "Parking in the city"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/designer/parking/1");
    let page = "/designer/parking/1";
    let steps: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "/designer/parking/1/lists/-/add",
            vec![("name", "yesno"), ("options", "yes|Ja|Yes\nno|Nej|No")],
        ),
        (
            "/designer/parking/1/pages",
            vec![
                ("key", "p1"),
                ("title_sv", "Om dig"),
                ("title_en", "About you"),
            ],
        ),
        (
            "/designer/parking/1/pages/p1/add-question",
            vec![
                ("key", "car"),
                ("type", "single_choice"),
                ("label_sv", "Har du bil?"),
                ("label_en", "Do you have a car?"),
            ],
        ),
        (
            "/designer/parking/1/pages/p1/add-question",
            vec![
                ("key", "spot"),
                ("type", "short_text"),
                ("label_sv", "Var parkerar du?"),
                ("label_en", "Where do you park?"),
            ],
        ),
    ];
    for (path, fields) in steps {
        let res = app.post_form(page, path, &fields).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
    }
    let res = app
        .post_form(
            "/designer/parking/1/questions/spot",
            "/designer/parking/1/questions/spot",
            &[
                ("form", "fields"),
                ("label_sv", "Var parkerar du?"),
                ("label_en", "Where do you park?"),
                ("relevant", "${car} = 'yes'"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    give_privacy_notice(app, "parking").await;
}

/// The options a survey that keeps personal data needs before it can be published.
async fn give_privacy_notice(app: &TestApp, key: &str) {
    let page = format!("/designer/{key}/options");
    let res = app
        .post_form(
            &page,
            &page,
            &[
                ("purpose_sv", "Statistik om parkering."),
                ("purpose_en", "Statistics on parking."),
                ("controller_sv", "Trafikkontoret, 08-123 45."),
                ("controller_en", "The Traffic Office, +46 8 123 45."),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

#[actix_web::test]
async fn a_researcher_builds_previews_and_publishes_a_survey_with_a_skip_rule() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let (_, survey) = definition(&app, "parking", 1);
    let spot = survey.question("spot").unwrap();
    assert_eq!(spot.relevant.as_ref().unwrap().source(), "${car} = 'yes'");

    let (status, sv) = app.get_html("/designer/parking/1/preview/sv/0").await;
    assert_eq!(status, 200);
    assert!(sv.contains("Har du bil?") && sv.contains("Var parkerar du?"));
    let (status, en) = app.get_html("/designer/parking/1/preview/en/0").await;
    assert_eq!(status, 200);
    assert!(en.contains("Do you have a car?") && en.contains("Where do you park?"));

    let res = app
        .post_form("/designer/parking/1", "/designer/parking/1/publish", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    assert_eq!(app.audit_actions("survey.published"), 1);
    let (status, _) = app.get_html("/s/parking").await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn editing_a_published_version_makes_draft_2_and_leaves_version_1_byte_identical() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    app.post_form("/designer/parking/1", "/designer/parking/1/publish", &[])
        .await;
    let (before, _) = definition(&app, "parking", 1);

    let res = app
        .post_form("/designer/parking/1", "/designer/parking/1/new-draft", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/designer/parking/2");
    let res = app
        .post_form(
            "/designer/parking/2",
            "/designer/parking/2/texts",
            &[("title_sv", "Ny titel"), ("title_en", "New title")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form(
            "/designer/parking/2",
            "/designer/parking/1/texts",
            &[("title_sv", "Ändrad"), ("title_en", "Changed")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409, "a published version is refused");

    let (after, _) = definition(&app, "parking", 1);
    assert_eq!(before, after);
    let (_, draft) = definition(&app, "parking", 2);
    assert_eq!(draft.title.get("sv"), Some("Ny titel"));
}

#[actix_web::test]
async fn an_invalid_relevant_expression_is_shown_with_its_position_and_the_draft_is_unchanged() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let (before, _) = definition(&app, "parking", 1);
    let page = "/designer/parking/1/questions/spot";
    let res = app
        .post_form(
            page,
            page,
            &[
                ("form", "fields"),
                ("label_sv", "Ändrad text"),
                ("relevant", "${car} = = 'yes'"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("position 10"), "{html}");
    assert!(
        html.contains("href=\"#edit-relevant\""),
        "the summary links to the field"
    );
    assert!(html.contains("Ändrad text"), "typed values are kept");

    let res = app
        .post_form(
            page,
            page,
            &[("form", "fields"), ("relevant", "${bike} = 1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("okänd fråga 'bike'"));

    let (after, _) = definition(&app, "parking", 1);
    assert_eq!(before, after);
}

#[actix_web::test]
async fn publishing_with_a_missing_english_label_is_blocked_and_the_findings_are_shown() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let page = "/designer/parking/1/questions/car";
    let res = app
        .post_form(
            page,
            page,
            &[
                ("form", "fields"),
                ("label_sv", "Har du bil?"),
                ("list", "yesno"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);

    let res = app
        .post_form("/designer/parking/1", "/designer/parking/1/publish", &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("kunde inte publiceras"));
    assert!(html.contains("fråga car"), "{html}");
    let (_, survey) = definition(&app, "parking", 1);
    assert_eq!(survey.status, insikt::domain::survey::VersionStatus::Draft);
    assert_eq!(app.audit_actions("survey.published"), 0);
}

#[actix_web::test]
async fn analysts_and_managers_get_403_on_designer_posts_and_edit_pages() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    for (name, role) in [("anna", "analyst"), ("maja", "manager")] {
        app.clear_cookies();
        app.create_user(name, role);
        app.login(name, GOOD_PASSWORD).await;
        for path in [
            "/designer",
            "/designer/parking/1",
            "/designer/parking/1/questions/spot",
            "/designer/parking/1/preview/sv/0",
            "/designer/parking/1/checks",
            "/designer/parking/options",
        ] {
            assert_eq!(
                app.get(path).await.status().as_u16(),
                403,
                "{role} GET {path}"
            );
        }
        for path in [
            "/designer",
            "/designer/import",
            "/designer/parking/options",
            "/designer/parking/1/texts",
            "/designer/parking/1/pages",
            "/designer/parking/1/pages/p1/save",
            "/designer/parking/1/pages/p1/add-question",
            "/designer/parking/1/lists/yesno/save",
            "/designer/parking/1/questions/spot",
            "/designer/parking/1/questions/spot/delete",
            "/designer/parking/1/publish",
            "/designer/parking/1/close",
            "/designer/parking/1/new-draft",
        ] {
            let res = app.post_form("/staff", path, &[("key", "x")]).await;
            assert_eq!(res.status().as_u16(), 403, "{role} POST {path}");
        }
    }
    let (_, survey) = definition(&app, "parking", 1);
    assert_eq!(survey.questions().count(), 2);
}

#[actix_web::test]
async fn an_anonymous_visitor_is_sent_to_login_from_the_designer() {
    let app = TestApp::spawn().await;
    for path in ["/designer", "/designer/parking/1"] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert!(location(&res).starts_with("/login?next=%2Fdesigner"));
    }
}

#[actix_web::test]
async fn a_designer_post_without_a_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let res = app
        .post_raw(
            "/designer",
            &[("key", "other"), ("title_sv", "A"), ("title_en", "B")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = app
        .post_raw("/designer/parking/1/questions/spot/delete", &[])
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let (_, survey) = definition(&app, "parking", 1);
    assert_eq!(survey.questions().count(), 2);
}

fn multipart(token: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----insikt-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"or_other.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn importing_an_xlsform_shows_its_warnings_with_sheet_and_column() {
    let app = TestApp::spawn().await;
    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/xlsform/or_other.xlsx"
    ))
    .unwrap();
    let token = app.csrf_token("/designer").await;
    let (content_type, body) = multipart(&token, &file);
    let send = |body: Vec<u8>| {
        reqwest::Client::new()
            .post(format!("{}/designer/import", app.address))
            .header("cookie", cookie_header(&app))
            .header("content-type", content_type.clone())
            .body(body)
            .send()
    };
    let res = send(body).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("choice_filter"), "{html}");
    assert!(html.contains("pastel"), "{html}");
    assert_eq!(app.audit_actions("survey.imported"), 1);

    let (_, body) = multipart("forged", &file);
    assert_eq!(send(body).await.unwrap().status().as_u16(), 403);
    assert_eq!(app.audit_actions("survey.imported"), 1);
}

fn cookie_header(app: &TestApp) -> String {
    ["insikt_session", "insikt_csrf"]
        .iter()
        .filter_map(|n| app.cookie(n).map(|v| format!("{n}={v}")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[actix_web::test]
async fn exports_download_the_version_as_xlsform_and_toml() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let res = app.get("/designer/parking/1/export.toml").await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("key = \"parking\""), "{text}");
    let res = app.get("/designer/parking/1/export.xlsx").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
}

#[actix_web::test]
async fn survey_options_are_validated_and_saved_through_the_use_case() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let page = "/designer/parking/options";
    let res = app
        .post_form(page, page, &[("opens_at", "tomorrow"), ("minutes", "5")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#options-opens_at\""), "{html}");
    assert!(html.contains("value=\"tomorrow\""), "typed values are kept");

    let res = app
        .post_form(
            page,
            page,
            &[
                ("opens_at", "2026-01-01T08:00"),
                ("minutes", "5"),
                ("listed", "on"),
                ("contact_sv", "Ring 08-123 45"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    // The first change is build_draft's privacy notice.
    assert_eq!(app.audit_actions("survey.options_changed"), 2);
    let mut conn = app.db.get().unwrap();
    let record = insikt::storage::surveys::find_survey(&mut conn, "parking")
        .unwrap()
        .unwrap();
    assert_eq!(record.options.minutes, Some(5));
    assert!(record.options.listed);
    assert_eq!(record.options.contact.get("sv"), Some("Ring 08-123 45"));
}

#[actix_web::test]
async fn the_advanced_toml_editor_saves_a_question_and_reports_parse_errors() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let page = "/designer/parking/1/questions/spot";
    let toml = "key = \"spot\"\ntype = \"integer\"\nmin = 0\nmax = 10\n\n[label]\nsv = \"Hur många?\"\nen = \"How many?\"\n";
    let res = app
        .post_form(page, page, &[("form", "toml"), ("toml", toml)])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, survey) = definition(&app, "parking", 1);
    assert_eq!(
        survey.question("spot").unwrap().kind,
        insikt::domain::survey::QuestionKind::Integer {
            min: Some(0),
            max: Some(10)
        }
    );
    let (status, html) = app.get_html(page).await;
    assert_eq!(status, 200);
    assert!(html.contains("type = &quot;integer&quot;"), "{html}");

    let res = app
        .post_form(page, page, &[("form", "toml"), ("toml", "key = ")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("TOML-texten kunde inte läsas"));
}

#[actix_web::test]
async fn questions_move_between_positions_and_a_page_with_questions_is_not_deleted() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let (_, html) = app.get_html("/staff").await;
    assert!(
        html.contains("href=\"/designer\""),
        "researchers see the Surveys link"
    );
    let page = "/designer/parking/1";
    let res = app
        .post_form(page, "/designer/parking/1/questions/spot/up", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, survey) = definition(&app, "parking", 1);
    let keys: Vec<&str> = survey.questions().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["spot", "car"]);

    let res = app
        .post_form(page, "/designer/parking/1/pages/p1/delete", &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("href=\"#page-p1\""));

    let res = app
        .post_form(page, "/designer/parking/1/questions/car/delete", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, survey) = definition(&app, "parking", 1);
    assert!(survey.question("car").is_none());
    assert_eq!(
        app.audit_actions("survey.edited"),
        7,
        "every change is audited"
    );
}

#[actix_web::test]
async fn a_survey_that_keeps_personal_data_cannot_be_published_without_a_privacy_notice() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let page = "/designer/parking/options";
    let res = app.post_form(page, page, &[("minutes", "5")]).await;
    assert_eq!(res.status().as_u16(), 303, "the notice is emptied");

    let (status, html) = app.get_html("/designer/parking/1/checks").await;
    assert_eq!(status, 200);
    assert!(!html.contains("0 fel"), "{html}");
    assert!(html.contains("privacy.controller.en"), "{html}");
    let res = app
        .post_form("/designer/parking/1", "/designer/parking/1/publish", &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("personuppgifter"), "{html}");
    assert_eq!(app.audit_actions("survey.published"), 0);

    let res = app
        .post_form(page, page, &[("anonymous", "on"), ("access", "open")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form("/designer/parking/1", "/designer/parking/1/publish", &[])
        .await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "an anonymous open link keeps no personal data"
    );
}

/// A multipart import of `file` named `name`, added to survey `into` when not empty.
fn import_body(token: &str, name: &str, file: &[u8], into: &str) -> (String, Vec<u8>) {
    let boundary = "insikt-import-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"into\"\r\n\r\n{into}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn survey_exists(app: &TestApp, key: &str) -> bool {
    let mut conn = app.db.get().unwrap();
    insikt::storage::surveys::find_survey(&mut conn, key)
        .unwrap()
        .is_some()
}

#[actix_web::test]
async fn workbooks_without_a_form_id_become_surveys_of_their_own_unless_added_as_a_version() {
    let app = TestApp::spawn().await;
    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/xlsform/or_other.xlsx"
    ))
    .unwrap();
    let token = app.csrf_token("/designer").await;
    let (status, list) = app.get_html("/designer").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("name=\"into\""),
        "the import form offers a target"
    );
    for (name, into) in [
        ("Parkering 2026.xlsx", ""),
        ("Parkering 2026.xlsx", ""),
        ("other.xlsx", "parkering-2026"),
    ] {
        let (content_type, body) = import_body(&token, name, &file, into);
        let res = reqwest::Client::new()
            .post(format!("{}/designer/import", app.address))
            .header("cookie", cookie_header(&app))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{name} into '{into}'");
    }
    assert!(survey_exists(&app, "parkering-2026"));
    assert!(
        survey_exists(&app, "parkering-2026-2"),
        "a clash gets a suffix"
    );
    assert!(!survey_exists(&app, "imported-form"));
    let (_, v2) = definition(&app, "parkering-2026", 2);
    assert_eq!(
        v2.key, "parkering-2026",
        "added as version 2 of the chosen survey"
    );
    assert_eq!(app.audit_actions("survey.imported"), 3);
}

#[actix_web::test]
async fn a_survey_is_duplicated_closed_and_reopened_and_a_draft_deleted_all_audited() {
    let app = TestApp::spawn().await;
    build_draft(&app).await;
    let page = "/designer/parking/1";
    let res = app
        .post_form(page, "/designer/parking/1/publish", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app.post_form(page, "/designer/parking/1/reopen", &[]).await;
    assert_eq!(res.status().as_u16(), 409, "only a closed version reopens");
    app.post_form(page, "/designer/parking/1/close", &[]).await;
    let res = app.post_form(page, "/designer/parking/1/reopen", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, v1) = definition(&app, "parking", 1);
    assert_eq!(v1.status, insikt::domain::survey::VersionStatus::Published);
    assert_eq!(app.audit_actions("survey.reopened"), 1);
    let (status, _) = app.get_html("/s/parking").await;
    assert_eq!(status, 200, "respondents get the reopened version");

    let res = app
        .post_form(page, "/designer/parking/1/duplicate", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), "/designer/parking-kopia/1");
    let (_, copy) = definition(&app, "parking-kopia", 1);
    assert_eq!(copy.status, insikt::domain::survey::VersionStatus::Draft);
    assert_eq!(copy.pages.len(), 1);
    assert_eq!(app.audit_actions("survey.duplicated"), 1);

    let res = app.post_form(page, "/designer/parking/1/delete", &[]).await;
    assert_eq!(res.status().as_u16(), 409, "a published version is kept");
    let res = app
        .post_form(
            "/designer/parking-kopia/1",
            "/designer/parking-kopia/1/delete",
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(!survey_exists(&app, "parking-kopia"));
    assert_eq!(app.audit_actions("survey.draft_deleted"), 1);
}

#[actix_web::test]
async fn a_survey_with_responses_is_archived_never_deleted_and_leaves_the_start_page() {
    use insikt::domain::options::SurveyOptions;
    let app = TestApp::spawn().await;
    app.publish_survey(
        crate::respond::SURVEY,
        &SurveyOptions {
            listed: true,
            ..SurveyOptions::default()
        },
    );
    // One response, answered as a resident would.
    let (_, landing) = app.get_html("/s/test-survey").await;
    let nav = |html: &str, set: &[(&str, &str)], button: &str| {
        crate::helpers::browser_form(html, set, button)
    };
    let (_, p1) = app
        .post_fields("/s/test-survey/start", &nav(&landing, &[], ""))
        .await;
    let (_, p2) = app
        .post_fields("/s/test-survey", &nav(&p1, &[("a.has_car", "yes")], "next"))
        .await;
    let (_, p3) = app
        .post_fields("/s/test-survey", &nav(&p2, &[("a.car_age", "7")], "next"))
        .await;
    let (_, review) = app
        .post_fields("/s/test-survey", &nav(&p3, &[("a.comment", "Bra")], "next"))
        .await;
    app.post_fields("/s/test-survey", &nav(&review, &[], "submit"))
        .await;
    assert_eq!(app.response_count(), 1);
    let (_, start) = app.get_html("/").await;
    assert!(start.contains("/s/test-survey"), "listed before archiving");

    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    let res = app
        .post_form("/designer", "/designer/test-survey/delete", &[])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert!(survey_exists(&app, "test-survey"));
    let res = app
        .post_form("/designer", "/designer/test-survey/archive", &[])
        .await;
    assert_eq!(res.status().as_u16(), 409, "a live survey is closed first");
    assert!(res.text().await.unwrap().contains("Stäng den"));
    app.post_form("/designer", "/designer/test-survey/1/close", &[])
        .await;
    let res = app
        .post_form("/designer", "/designer/test-survey/archive", &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(app.audit_actions("survey.archived"), 1);
    let (_, list) = app.get_html("/designer").await;
    let archived = list.find("id=\"archived\"").expect("an archived section");
    assert!(list[archived..].contains("test-survey"), "{list}");
    app.clear_cookies();
    let (_, start) = app.get_html("/").await;
    assert!(
        !start.contains("/s/test-survey"),
        "hidden from the start page"
    );
    let mut conn = app.db.get().unwrap();
    let record = insikt::storage::surveys::find_survey(&mut conn, "test-survey")
        .unwrap()
        .unwrap();
    assert_eq!(
        insikt::storage::surveys::response_count(&mut conn, &record.id).unwrap(),
        1,
        "responses are kept"
    );
}
