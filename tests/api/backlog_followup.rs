//! Benefits follow-up (issue 14 item 7): a researcher freezes a launched area's prediction and
//! records follow-ups; the page compares predicted with realised adoption and saving and says
//! whether the outcome fell inside the interval; bad figures are refused by field with nothing
//! stored; interviewers get 403 and visitors the login page.

use insikt::domain::backlog::{Area, AreaInput, Status};
use insikt::use_cases::backlog::{self, followup};
use insikt::use_cases::Actor;

use crate::helpers::{TestApp, GOOD_PASSWORD};

const PAGE: &str = "/backlog/areas/radon/followup";

/// An app with `role` logged in and one area, moved to `status`: 10 000 errands a year, 70 % by
/// phone, 20 % e-mail, 5 % letter, 5 % visits, none on the web.
async fn app_with_area(role: &str, status: Status) -> TestApp {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.db.get().unwrap();
        let input = AreaInput {
            key: "radon".into(),
            name_sv: "Radonkollen".into(),
            name_en: "Radon lookup".into(),
            administration: "Miljöförvaltningen".into(),
            target_group: "residents".into(),
            yearly_volume: "10000".into(),
            share_phone: "70".into(),
            share_email: "20".into(),
            share_letter: "5".into(),
            share_visit: "5".into(),
            share_web: "0".into(),
            development_cost_sek: "400000".into(),
            running_cost_sek: "60000".into(),
            feasibility: "4".into(),
            ..AreaInput::default()
        };
        let area = Area::parse(&input).unwrap();
        backlog::create(&mut conn, Actor::SYSTEM, &area).unwrap();
        for to in [
            Status::PreStudy,
            Status::Approved,
            Status::InDevelopment,
            Status::Launched,
        ] {
            if to > status {
                break;
            }
            backlog::change_status(&mut conn, Actor::SYSTEM, "radon", to, "").unwrap();
        }
    }
    if role != "anonymous" {
        app.create_user("person", role);
        app.login("person", GOOD_PASSWORD).await;
    }
    app
}

const PREDICTION: [(&str, &str); 3] = [
    ("share_point", "50"),
    ("share_low", "40"),
    ("share_high", "60"),
];

fn followup_fields(phone: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("measured_on", "2026-01-15"),
        ("period_from", "2025-01-01"),
        ("period_to", "2025-12-31"),
        ("volume_phone", phone),
        ("volume_email", "1000"),
        ("volume_letter", "500"),
        ("volume_visit", "500"),
        ("volume_web", "5000"),
        ("note", "Kontaktcenter"),
    ]
}

fn stored_followups(app: &TestApp) -> usize {
    let mut conn = app.db.get().unwrap();
    followup::show(&mut conn, "radon").unwrap().followups.len()
}

#[actix_web::test]
async fn a_researcher_records_a_follow_up_and_sees_the_realised_share_and_saving_inside_the_interval(
) {
    let app = app_with_area("researcher", Status::Launched).await;
    let res = app
        .post_form(PAGE, &format!("{PAGE}/prediction"), &PREDICTION)
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let res = app.post_form(PAGE, PAGE, &followup_fields("3000")).await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());

    // By hand: 10 000 contacts this year at the old mix would be 7 000 by phone and 2 000 by
    // e-mail; 3 000 and 1 000 came, so 4 000 × (50 − 1) + 1 000 × (70 − 1) = 265 000. Predicted:
    // 10 000 × (0.7·49 + 0.2·69 + 0.05·89 + 0.05·109) × 0.5 = 290 000, from 232 000 to 348 000.
    let hand = 4_000.0 * 49.0 + 1_000.0 * 69.0;
    {
        let mut conn = app.db.get().unwrap();
        let page = followup::show(&mut conn, "radon").unwrap();
        let c = &page.followups[0];
        assert!((c.realised.saving - hand).abs() < 1e-6, "{:?}", c.realised);
        assert!((c.share - 0.5).abs() < 1e-12);
        let p = page.prediction.unwrap();
        assert!((p.saving.low - 232_000.0).abs() < 1e-6);
    }
    let (status, html) = app.get_html(&format!("{PAGE}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("The realised saving was 265\u{a0}000"),
        "{html}"
    );
    // Both the share (50 % in 40–60 %) and the saving are inside: in words and in the table.
    assert_eq!(
        html.matches("inside the predicted interval").count(),
        4,
        "{html}"
    );
    assert!(html.contains("<svg class=\"chart\""));
    // Closed shapes: an unclosed <rect> in HTML would swallow the rest of the chart.
    assert!(html.contains("class=\"bar interval\"></rect>"), "{html}");
    assert!(html.contains("class=\"marker\"></path>"), "{html}");
    assert!(html.contains("<caption>Predicted and realised</caption>"));
    assert_eq!(app.audit_actions("backlog.prediction_frozen"), 1);
    assert_eq!(app.audit_actions("backlog.followup_recorded"), 1);

    // A second follow-up with more phone calls falls below; both are kept.
    let res = app.post_form(PAGE, PAGE, &followup_fields("6000")).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(stored_followups(&app), 2);
    let (_, html) = app.get_html(&format!("{PAGE}?lang=en")).await;
    assert!(html.contains("below the predicted interval"), "{html}");

    let (status, summary) = app.get_html("/backlog/followup?lang=en").await;
    assert_eq!(status, 200);
    assert!(summary.contains("Radon lookup"), "{summary}");
    assert!(summary.contains("Total realised saving"), "{summary}");
}

#[actix_web::test]
async fn a_negative_volume_or_all_zero_contacts_are_refused_by_field_with_nothing_stored() {
    let app = app_with_area("researcher", Status::Launched).await;
    let res = app
        .post_form(PAGE, &format!("{PAGE}/prediction"), &PREDICTION)
        .await;
    assert_eq!(res.status().as_u16(), 303);

    let res = app.post_form(PAGE, PAGE, &followup_fields("-3")).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#volume_phone\""), "{html}");
    assert!(html.contains("får inte vara negativt"), "{html}");
    assert!(
        html.contains("value=\"-3\""),
        "the form keeps what was typed"
    );

    let mut zero = followup_fields("0");
    for f in zero.iter_mut() {
        if f.0.starts_with("volume_") {
            f.1 = "0";
        }
    }
    let res = app.post_form(PAGE, PAGE, &zero).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("href=\"#volume_web\""));
    assert_eq!(stored_followups(&app), 0);
    assert_eq!(app.audit_actions("backlog.followup_recorded"), 0);

    // A prediction whose upper limit lies below its point names the field, and a second
    // prediction is refused: a frozen prediction stays as it was.
    let res = app
        .post_form(
            PAGE,
            &format!("{PAGE}/prediction"),
            &[
                ("share_point", "50"),
                ("share_low", "40"),
                ("share_high", "30"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(app.audit_actions("backlog.prediction_frozen"), 1);
}

#[actix_web::test]
async fn a_follow_up_of_an_area_not_yet_launched_is_refused() {
    let app = app_with_area("researcher", Status::InDevelopment).await;
    let res = app
        .post_form(PAGE, &format!("{PAGE}/prediction"), &PREDICTION)
        .await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "a prediction may be frozen before launch"
    );
    let res = app.post_form(PAGE, PAGE, &followup_fields("3000")).await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(stored_followups(&app), 0);
}

#[actix_web::test]
async fn interviewers_get_403_visitors_the_login_page_and_managers_read_but_cannot_record() {
    let app = app_with_area("interviewer", Status::Launched).await;
    for page in [PAGE, "/backlog/followup"] {
        assert_eq!(app.get_html(page).await.0, 403, "{page}");
    }
    let anon = app_with_area("anonymous", Status::Launched).await;
    let res = anon.get(PAGE).await;
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/login?next="), "{to}");

    let app = app_with_area("manager", Status::Launched).await;
    assert_eq!(app.get_html(PAGE).await.0, 200);
    assert_eq!(app.get_html("/backlog/followup").await.0, 200);
    let res = app
        .post_form(
            "/backlog/followup",
            &format!("{PAGE}/prediction"),
            &PREDICTION,
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.audit_actions("backlog.prediction_frozen"), 0);
}
