//! What residents, interviewers and the staff who answer their requests meet: erasing a response
//! on request (audited, in one transaction), the interviewer's phone/paper banner and per-account
//! throttling, mode labels on the receipt lookup, local times, and the start and closed pages
//! that never promise a contact they do not give.

use std::collections::BTreeMap;

use insikt::domain::options::SurveyOptions;
use insikt::domain::quota::Quota;
use insikt::domain::survey::Text;
use insikt::storage::responses;

use crate::helpers::{browser_form, extract_csrf, TestApp, GOOD_PASSWORD};
use crate::respond::SURVEY;

const KEY: &str = "test-survey";
const CONTACT: &str = "Vill du hellre svara per telefon eller brev? Ring 08-508 00 000.";

fn options() -> SurveyOptions {
    SurveyOptions {
        listed: true,
        contact: Text::new([("sv", CONTACT), ("en", CONTACT)]),
        quotas: vec![Quota {
            name: "car".into(),
            by: vec!["has_car".into()],
            limit: 10,
            limits: BTreeMap::new(),
            message: Text::new([("sv", "Fullt."), ("en", "Full.")]),
        }],
        ..SurveyOptions::default()
    }
}

async fn app_with(options: SurveyOptions) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &options);
    app
}

async fn step(app: &TestApp, page: &str, set: &[(&str, &str)], nav: &str) -> (u16, String) {
    app.post_fields(&format!("/s/{KEY}"), &browser_form(page, set, nav))
        .await
}

/// From a first page to the review page with a car and a comment.
async fn to_review(app: &TestApp, first: &str) -> String {
    let (status, p2) = step(app, first, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 200, "{p2}");
    let (status, p3) = step(app, &p2, &[("a.car_age", "3")], "next").await;
    assert_eq!(status, 200, "{p3}");
    let (status, review) = step(app, &p3, &[("a.comment", "Hemligt svar")], "next").await;
    assert_eq!(status, 200, "{review}");
    review
}

async fn start_as_respondent(app: &TestApp) -> (u16, String) {
    let (_, landing) = app.get_html(&format!("/s/{KEY}")).await;
    app.post_fields(&format!("/s/{KEY}/start"), &browser_form(&landing, &[], ""))
        .await
}

async fn start_as_interviewer(app: &TestApp, mode: &str) -> (u16, String) {
    let token = app.csrf_token("/interview").await;
    let fields: Vec<(String, String)> = [
        ("csrf_token", token.as_str()),
        ("mode", mode),
        ("lang", "sv"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    app.post_fields(&format!("/s/{KEY}/start"), &fields).await
}

fn receipt_of(html: &str) -> String {
    let start = html.find("INS-").expect("a receipt number on the page");
    html[start..start + 13].to_owned()
}

fn hidden(html: &str, name: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        .to_owned()
}

fn quota_count(app: &TestApp, cell: &str) -> i64 {
    let mut conn = app.db.get().unwrap();
    let s = insikt::storage::surveys::find_survey(&mut conn, KEY)
        .unwrap()
        .unwrap();
    insikt::storage::quotas::count(&mut conn, &s.id, "car", cell).unwrap()
}

async fn erase(app: &TestApp, number: &str, reason: &str, confirm: bool) -> reqwest::Response {
    let (_, page) = app
        .get_html(&format!("/staff/receipts?number={number}"))
        .await;
    let token = extract_csrf(&page).expect("a token on the lookup page");
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("number", number),
        ("reason", reason),
    ];
    if confirm {
        fields.push(("confirm", "yes"));
    }
    app.post_raw("/staff/receipts/erase", &fields).await
}

// ---------------------------------------------------------------- erasure

#[actix_web::test]
async fn staff_erase_a_response_with_a_reason_after_confirming_and_the_lookup_says_it_was_erased() {
    let app = app_with(options()).await;
    let (_, first) = start_as_respondent(&app).await;
    let review = to_review(&app, &first).await;
    let attempt = hidden(&review, "attempt");
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    let receipt = receipt_of(&done);
    assert_eq!(quota_count(&app, "yes"), 1);
    // A draft of the same attempt left in another tab is part of the response too.
    let stored = {
        let mut conn = app.db.get().unwrap();
        responses::find_by_receipt(&mut conn, &receipt)
            .unwrap()
            .unwrap()
    };
    {
        let mut conn = app.db.get().unwrap();
        let draft = responses::Draft {
            id: "draft-1".into(),
            version_id: stored.version_id.clone(),
            language: "sv".into(),
            seed: 1,
            attempt: attempt.clone(),
            page: 0,
            answers: "{}".into(),
            invitation_code: None,
        };
        let later = insikt::storage::now() + time::Duration::days(1);
        responses::insert_draft(&mut conn, "hash-1", &draft, later, None).unwrap();
    }

    app.clear_cookies();
    let rut = app.create_user("rut", "researcher");
    app.login("rut", GOOD_PASSWORD).await;
    let (_, found) = app
        .get_html(&format!("/staff/receipts?number={receipt}"))
        .await;
    assert!(
        found.contains("action=\"/staff/receipts/erase\""),
        "{found}"
    );
    assert!(found.contains("name=\"reason\""), "{found}");

    // No reason: the form again with a message, nothing erased.
    let res = erase(&app, &receipt, "  ", true).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("Skriv varför"));
    assert_eq!(app.response_count(), 1);
    // A reason but not yet confirmed: the confirmation step, nothing erased.
    let reason = "Bad om radering per telefon";
    let res = erase(&app, &receipt, reason, false).await;
    assert_eq!(res.status().as_u16(), 200);
    let confirm = res.text().await.unwrap();
    assert!(
        confirm.contains("name=\"confirm\" value=\"yes\""),
        "{confirm}"
    );
    assert!(confirm.contains("Det går inte att ångra"), "{confirm}");
    assert_eq!(app.response_count(), 1);
    // Without the CSRF token nothing happens.
    let forged = app
        .post_raw(
            "/staff/receipts/erase",
            &[("number", &receipt), ("reason", reason), ("confirm", "yes")],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(app.response_count(), 1);

    let res = erase(&app, &receipt, reason, true).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()[reqwest::header::LOCATION].to_str().unwrap(),
        format!("/staff/receipts?number={receipt}")
    );
    {
        let mut conn = app.db.get().unwrap();
        assert!(responses::find_by_receipt(&mut conn, &receipt)
            .unwrap()
            .is_none());
        assert!(responses::cells_for_version(&mut conn, &stored.version_id)
            .unwrap()
            .is_empty());
        assert!(responses::find_draft(&mut conn, "hash-1")
            .unwrap()
            .is_none());
        let events = insikt::storage::audit::list_by_action(&mut conn, "response.erased").unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.actor_id.as_deref(), Some(rut.id.as_str()));
        assert_eq!(e.target.as_deref(), Some(receipt.as_str()));
        let detail = e.detail.clone().unwrap_or_default();
        assert!(detail.contains(reason), "{detail}");
        assert!(
            !detail.contains("Hemligt"),
            "no answers in the log: {detail}"
        );
    }
    assert_eq!(app.response_count(), 0);
    assert_eq!(
        quota_count(&app, "yes"),
        0,
        "the quota cell gave its place back"
    );

    let (status, after) = app
        .get_html(&format!("/staff/receipts?number={receipt}"))
        .await;
    assert_eq!(status, 200);
    assert!(after.contains("raderades"), "{after}");
    assert!(!after.contains("Hemligt"), "{after}");
    // Erasing again is harmless and logs nothing more.
    assert_eq!(
        erase(&app, &receipt, reason, true).await.status().as_u16(),
        303
    );
    assert_eq!(app.audit_actions("response.erased"), 1);
}

#[actix_web::test]
async fn only_staff_who_may_look_receipts_up_can_erase_and_an_unknown_receipt_is_404() {
    let app = app_with(options()).await;
    let (_, first) = start_as_respondent(&app).await;
    let review = to_review(&app, &first).await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    let receipt = receipt_of(&done);

    app.clear_cookies();
    app.create_user("ann", "analyst");
    app.login("ann", GOOD_PASSWORD).await;
    let token = app.csrf_token("/staff").await;
    let res = app
        .post_raw(
            "/staff/receipts/erase",
            &[
                ("csrf_token", &token),
                ("number", &receipt),
                ("reason", "x"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.response_count(), 1);

    app.clear_cookies();
    app.create_user("rut", "researcher");
    app.login("rut", GOOD_PASSWORD).await;
    let res = erase(&app, "INS-AAAA-AAAA", "asked", true).await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(app.response_count(), 1);
}

// ---------------------------------------------------------------- interviewers

#[actix_web::test]
async fn every_page_of_an_interviewers_entry_says_phone_mode_and_has_no_resident_footer() {
    let app = app_with(options()).await;
    app.create_user("ivan", "interviewer");
    app.login("ivan", GOOD_PASSWORD).await;
    let (status, first) = start_as_interviewer(&app, "phone").await;
    assert_eq!(status, 200, "{first}");
    let (_, p2) = step(&app, &first, &[("a.has_car", "yes")], "next").await;
    let (_, p3) = step(&app, &p2, &[("a.car_age", "3")], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    for (name, page) in [
        ("first", &first),
        ("p2", &p2),
        ("review", &review),
        ("receipt", &done),
    ] {
        assert!(page.contains("class=\"mode-banner\""), "{name}: {page}");
        assert!(page.contains("Telefonintervju"), "{name}: {page}");
        assert!(
            !page.contains("08-508 00 000"),
            "{name} shows the resident footer: {page}"
        );
    }
    let receipt = receipt_of(&done);
    let (_, paper) = start_as_interviewer(&app, "paper").await;
    assert!(paper.contains("Pappersenkät"), "{paper}");

    // The receipt lookup says how it came in, in words.
    app.clear_cookies();
    app.create_user("rut", "researcher");
    app.login("rut", GOOD_PASSWORD).await;
    let (_, found) = app
        .get_html(&format!("/staff/receipts?number={receipt}"))
        .await;
    assert!(found.contains("<dd>telefon</dd>"), "{found}");
    assert!(!found.contains("<dd>phone</dd>"), "{found}");

    // A resident's own pages keep the footer and have no banner.
    app.clear_cookies();
    let (_, own) = start_as_respondent(&app).await;
    assert!(own.contains("08-508 00 000"), "{own}");
    assert!(!own.contains("mode-banner"), "{own}");
}

#[actix_web::test]
async fn interviewers_are_throttled_per_account_not_by_the_address_they_share() {
    let app = TestApp::spawn_with(|s| {
        s.respondent_rate_per_minute = 1;
        s.respondent_rate_burst = 2;
    })
    .await;
    app.publish_survey(SURVEY, &options());
    // Residents at the call centre's address use up its allowance.
    for _ in 0..2 {
        assert_eq!(start_as_respondent(&app).await.0, 200);
    }
    assert_eq!(start_as_respondent(&app).await.0, 429);
    // The interviewer at the same address is counted by account.
    app.create_user("ivan", "interviewer");
    app.login("ivan", GOOD_PASSWORD).await;
    for _ in 0..2 {
        let (status, page) = start_as_interviewer(&app, "phone").await;
        assert_eq!(status, 200, "{page}");
    }
    assert_eq!(
        start_as_interviewer(&app, "phone").await.0,
        429,
        "per account"
    );
    // Another interviewer's account has its own allowance.
    app.clear_cookies();
    app.create_user("iris", "interviewer");
    app.login("iris", GOOD_PASSWORD).await;
    assert_eq!(start_as_interviewer(&app, "paper").await.0, 200);
}

// ---------------------------------------------------------------- pages and times

#[actix_web::test]
async fn the_start_page_gives_the_configured_contact_and_links_the_accessibility_statement() {
    let app = app_with(options()).await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("08-508 00 000"), "{html}");
    assert!(!html.contains("Ring stadens kontaktcenter"), "{html}");
    assert!(html.contains("href=\"/tillganglighet\""), "{html}");

    // With no contact configured it promises no number and still points to the statement.
    let bare = app_with(SurveyOptions {
        listed: true,
        ..SurveyOptions::default()
    })
    .await;
    let (_, html) = bare.get_html("/").await;
    assert!(!html.contains("kontaktcenter"), "{html}");
    assert!(html.contains("href=\"/tillganglighet\""), "{html}");
}

#[actix_web::test]
async fn a_closed_survey_without_a_contact_shows_no_empty_contact_label() {
    let app = app_with(SurveyOptions {
        closes_at: Some(time::macros::datetime!(2020-01-01 0:00 UTC)),
        ..SurveyOptions::default()
    })
    .await;
    let (status, html) = app.get_html(&format!("/s/{KEY}")).await;
    assert_eq!(status, 410, "{html}");
    assert!(!html.contains("Kontakta oss:"), "{html}");
}

#[actix_web::test]
async fn the_receipt_and_the_resume_code_give_local_time_not_utc() {
    let app = app_with(options()).await;
    let (_, first) = start_as_respondent(&app).await;
    let (status, saved) = step(&app, &first, &[("a.has_car", "no")], "save").await;
    assert_eq!(status, 200, "{saved}");
    assert!(!saved.contains("UTC"), "{saved}");
    assert!(saved.contains(" kl. "), "{saved}");
    let (_, first) = start_as_respondent(&app).await;
    let review = to_review(&app, &first).await;
    let (_, done) = step(&app, &review, &[], "submit").await;
    assert!(!done.contains("UTC"), "{done}");
    assert!(done.contains(" kl. "), "{done}");
}

#[actix_web::test]
async fn opening_times_staff_type_are_stockholm_time_stored_as_utc_in_summer_and_winter() {
    let app = app_with(options()).await;
    app.create_user("rut", "researcher");
    app.login("rut", GOOD_PASSWORD).await;
    let page = format!("/designer/{KEY}/options");
    let res = app
        .post_form(
            &page,
            &page,
            &[
                ("opens_at", "2026-07-01T09:00"),
                ("closes_at", "2026-12-01T17:00"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let stored = {
        let mut conn = app.db.get().unwrap();
        insikt::storage::surveys::find_survey(&mut conn, KEY)
            .unwrap()
            .unwrap()
            .options
    };
    // Summer time is UTC+2, winter time UTC+1.
    assert_eq!(
        stored.opens_at,
        Some(time::macros::datetime!(2026-07-01 07:00 UTC))
    );
    assert_eq!(
        stored.closes_at,
        Some(time::macros::datetime!(2026-12-01 16:00 UTC))
    );
    // The form shows them back as typed, and says which zone.
    let (_, form) = app.get_html(&page).await;
    assert!(form.contains("value=\"2026-07-01T09:00\""), "{form}");
    assert!(form.contains("value=\"2026-12-01T17:00\""), "{form}");
    assert!(form.contains("Europe/Stockholm"), "{form}");
}

#[actix_web::test]
async fn the_time_zone_is_a_setting() {
    let app = TestApp::spawn_with(|s| {
        s.timezone = insikt::domain::local_time::zone("UTC").unwrap();
    })
    .await;
    app.publish_survey(SURVEY, &options());
    app.create_user("rut", "researcher");
    app.login("rut", GOOD_PASSWORD).await;
    let page = format!("/designer/{KEY}/options");
    let res = app
        .post_form(&page, &page, &[("opens_at", "2026-07-01T09:00")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let mut conn = app.db.get().unwrap();
    let stored = insikt::storage::surveys::find_survey(&mut conn, KEY)
        .unwrap()
        .unwrap()
        .options;
    assert_eq!(
        stored.opens_at,
        Some(time::macros::datetime!(2026-07-01 09:00 UTC))
    );
}
