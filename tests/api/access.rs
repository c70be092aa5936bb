//! Access modes: invitation codes (single use, the code form, `/kod`), anonymous surveys (no
//! row links an invitation to its response), quotas (early check and the final word at
//! submit) and interviewer entry (mode recorded, interviewer only in the audit log).

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text as SqlText;
use insikt::domain::options::{Access, SurveyOptions};
use insikt::domain::quota::Quota;
use insikt::domain::response::new_access_code;
use insikt::domain::survey::Text;
use insikt::storage::invitations::{self, NewInvitation};
use insikt::storage::DbConnection;

use crate::helpers::{browser_form, TestApp, GOOD_PASSWORD};
use crate::respond::SURVEY;

const KEY: &str = "test-survey";

async fn app_with(options: SurveyOptions) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &options);
    app
}

fn invitation_only() -> SurveyOptions {
    SurveyOptions {
        access: Access::Invitation,
        contact: Text::new([("sv", "Ring 08-123 45 67"), ("en", "Call +46 8 123 45 67")]),
        ..SurveyOptions::default()
    }
}

fn survey_id(app: &TestApp) -> String {
    let mut conn = app.db.get().expect("connection");
    insikt::storage::surveys::find_survey(&mut conn, KEY)
        .expect("query")
        .expect("survey")
        .id
}

/// Invite someone; returns the access code.
fn invite(app: &TestApp, name: &str, phone: Option<&str>) -> String {
    let code = new_access_code();
    let mut conn = app.db.get().expect("connection");
    invitations::insert_many(
        &mut conn,
        &[NewInvitation {
            survey_id: survey_id(app),
            code: code.clone(),
            name: Some(name.into()),
            phone: phone.map(str::to_owned),
            language: "sv".into(),
            stratum: Some("söder".into()),
            inclusion_probability: Some(0.25),
            design_weight: Some(4.0),
            ..NewInvitation::default()
        }],
    )
    .expect("insert invitation");
    code
}

fn invitation(app: &TestApp, code: &str) -> invitations::Invitation {
    let mut conn = app.db.get().expect("connection");
    invitations::find_by_code(&mut conn, code)
        .expect("query")
        .expect("invitation")
}

async fn step(app: &TestApp, page: &str, set: &[(&str, &str)], nav: &str) -> (u16, String) {
    app.post_fields(&format!("/s/{KEY}"), &browser_form(page, set, nav))
        .await
}

/// From the landing page to the review page, answering `has_car`.
async fn answer_from_landing(app: &TestApp, landing: &str, has_car: &str) -> String {
    let (status, page) = app
        .post_fields(&format!("/s/{KEY}/start"), &browser_form(landing, &[], ""))
        .await;
    assert_eq!(status, 200, "{page}");
    answer_from_first_page(app, &page, has_car).await
}

async fn answer_from_first_page(app: &TestApp, first: &str, has_car: &str) -> String {
    let (status, mut page) = step(app, first, &[("a.has_car", has_car)], "next").await;
    assert_eq!(status, 200, "{page}");
    if has_car == "yes" {
        (_, page) = step(app, &page, &[("a.car_age", "3")], "next").await;
    }
    let (status, review) = step(app, &page, &[], "next").await;
    assert_eq!(status, 200, "{review}");
    assert!(review.contains("nav\" value=\"submit"), "{review}");
    review
}

async fn landing(app: &TestApp) -> String {
    let (status, html) = app.get_html(&format!("/s/{KEY}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

/// Follow the e-mail/letter link: `?code=` moves into a cookie, then the plain URL.
async fn open_with_code(app: &TestApp, code: &str) -> (u16, String) {
    let res = app.get(&format!("/s/{KEY}?code={code}")).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()[reqwest::header::LOCATION].to_str().unwrap(),
        format!("/s/{KEY}")
    );
    app.get_html(&format!("/s/{KEY}")).await
}

fn receipt_of(html: &str) -> String {
    let start = html.find("INS-").expect("a receipt number on the page");
    html[start..start + 13].to_owned()
}

// ---------------------------------------------------------------- invitations

#[actix_web::test]
async fn an_invitation_survey_without_a_code_asks_for_one_and_starts_nothing() {
    let app = app_with(invitation_only()).await;
    let (status, html) = app.get_html(&format!("/s/{KEY}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Ange din kod"), "{html}");
    assert!(!html.contains("Börja svara"), "{html}");
    // Starting without a code is refused, even with a hand-made form.
    let token = crate::helpers::extract_csrf(&html).unwrap();
    let res = app
        .post_raw(
            &format!("/s/{KEY}/start"),
            &[("csrf_token", &token), ("lang", "sv")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
}

#[actix_web::test]
async fn an_access_code_from_a_letter_opens_the_survey_once_and_a_second_use_gets_a_kind_409() {
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Anna", None);
    // The rest of the link survives the hand-over; the code does not stay in the URL.
    let res = app.get(&format!("/s/{KEY}?code={code}&lang=en")).await;
    assert_eq!(
        res.headers()[reqwest::header::LOCATION].to_str().unwrap(),
        format!("/s/{KEY}?lang=en")
    );
    let (status, page) = open_with_code(&app, &code).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Börja svara"), "{page}");
    assert!(
        page.contains(&format!("name=\"invitation\" value=\"{code}\"")),
        "{page}"
    );
    // The code left the address bar: the cookie is gone after the landing.
    assert!(app.cookie("insikt_invitation").is_none());
    // Two tabs start with the same code before either submits.
    let review_a = answer_from_landing(&app, &page, "no").await;
    let review_b = answer_from_landing(&app, &page, "yes").await;
    assert!(invitation(&app, &code).started_at.is_some());
    let (status, receipt) = step(&app, &review_a, &[], "submit").await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(app.response_count(), 1);
    let (status, used) = step(&app, &review_b, &[], "submit").await;
    assert_eq!(status, 409, "{used}");
    assert!(used.contains("redan använts"), "{used}");
    assert!(used.contains("Ring 08-123 45 67"), "{used}");
    assert_eq!(app.response_count(), 1);
    // The link again: the kind page, nothing to start.
    let (status, again) = open_with_code(&app, &code).await;
    assert_eq!(status, 409, "{again}");
    assert!(!again.contains("Börja svara"), "{again}");
    assert_eq!(app.response_count(), 1);
    let inv = invitation(&app, &code);
    assert!(inv.completed_at.is_some());
    assert!(inv.response_id.is_some(), "not anonymous: the link is kept");
}

#[actix_web::test]
async fn a_typed_code_is_read_leniently_and_an_unknown_one_gets_a_retry_form() {
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Bo", None);
    let form = landing(&app).await;
    // Lower case, spaces, O for 0 and l for 1 are all accepted.
    let sloppy = code
        .to_lowercase()
        .replace('-', " ")
        .replace('0', "o")
        .replace('1', "l");
    let (status, page) = app
        .post_fields(
            &format!("/s/{KEY}/code"),
            &browser_form(&form, &[("code", &sloppy)], ""),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("value=\"{code}\"")), "{page}");
    let (status, unknown) = app
        .post_fields(
            &format!("/s/{KEY}/code"),
            &browser_form(&form, &[("code", "ZZZZ-ZZZZ")], ""),
        )
        .await;
    assert_eq!(status, 404, "{unknown}");
    assert!(unknown.contains("name=\"code\""), "a retry form: {unknown}");
    assert_eq!(app.response_count(), 0);
}

#[actix_web::test]
async fn the_public_code_page_sends_a_letter_holder_to_the_right_survey() {
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Cecilia", None);
    let (status, start) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(start.contains("href=\"/kod\""), "{start}");
    let res = app
        .post_form("/kod", "/kod", &[("code", &code.to_lowercase())])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()[reqwest::header::LOCATION].to_str().unwrap(),
        format!("/s/{KEY}")
    );
    let (status, page) = app.get_html(&format!("/s/{KEY}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("value=\"{code}\"")), "{page}");
    let res = app
        .post_form("/kod", "/kod", &[("code", "QQQQ-QQQQ")])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    let (status, en) = app.get_html("/kod?lang=en").await;
    assert_eq!(status, 200);
    assert!(en.contains("Enter your access code"), "{en}");
}

#[actix_web::test]
async fn an_open_survey_answered_with_a_code_uses_up_the_invitation_and_records_its_weight() {
    let app = app_with(SurveyOptions::default()).await;
    let code = invite(&app, "Dan", None);
    let (_, page) = open_with_code(&app, &code).await;
    let review = answer_from_landing(&app, &page, "no").await;
    let (status, receipt) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{receipt}");
    let receipt = receipt_of(&receipt);
    let rows = dump(&app);
    let response = rows
        .iter()
        .find(|(t, r)| t == "responses" && r.contains(&receipt))
        .expect("the response row");
    assert!(
        response.1.contains("söder") && response.1.contains('4'),
        "{response:?}"
    );
    assert!(invitation(&app, &code).completed_at.is_some());
    // Without a code the open survey still works.
    let review = answer_from_landing(&app, &landing(&app).await, "no").await;
    assert_eq!(step(&app, &review, &[], "submit").await.0, 200);
    assert_eq!(app.response_count(), 2);
}

// ---------------------------------------------------------------- anonymity

/// Every row of every table as `(table, text)`.
fn dump(app: &TestApp) -> Vec<(String, String)> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = SqlText)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = SqlText)]
        line: String,
    }
    let mut conn = app.db.get().expect("connection");
    let mut out = vec![];
    match &mut *conn {
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => {
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .load(c)
            .expect("tables");
            for t in tables {
                let rows: Vec<Line> = diesel::sql_query(format!(
                    "SELECT CAST(t AS TEXT) AS line FROM \"{}\" t",
                    t.name
                ))
                .load(c)
                .expect("rows");
                out.extend(rows.into_iter().map(|r| (t.name.clone(), r.line)));
            }
        }
        DbConnection::Sqlite(c) => {
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .load(c)
            .expect("tables");
            for t in tables {
                let cols: Vec<Name> =
                    diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                        .load(c)
                        .expect("columns");
                let expr = cols
                    .iter()
                    .map(|col| format!("coalesce(CAST(\"{}\" AS TEXT), '')", col.name))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                let rows: Vec<Line> =
                    diesel::sql_query(format!("SELECT {expr} AS line FROM \"{}\"", t.name))
                        .load(c)
                        .expect("rows");
                out.extend(rows.into_iter().map(|r| (t.name.clone(), r.line)));
            }
        }
    }
    assert!(
        out.iter().any(|(t, _)| t == "surveys"),
        "tables were listed"
    );
    out
}

/// The response row's identifiers: id, receipt, idempotency key.
fn response_ids(app: &TestApp, receipt: &str) -> Vec<String> {
    let mut conn = app.db.get().expect("connection");
    let stored = insikt::storage::responses::find_by_receipt(&mut conn, receipt)
        .expect("query")
        .expect("stored response");
    let line = dump(app)
        .into_iter()
        .find(|(t, r)| t == "responses" && r.contains(&stored.id))
        .expect("response row")
        .1;
    // The idempotency key is the 32-hex-digit attempt id in the row.
    let key = line
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 32)
        .expect("idempotency key")
        .to_owned();
    vec![stored.id, stored.receipt, key]
}

async fn answer_with_code_saving_a_draft_first(app: &TestApp, code: &str) -> String {
    let (_, page) = open_with_code(app, code).await;
    let review = answer_from_landing(app, &page, "yes").await;
    // "Continue later" stores a draft with the code; then the respondent submits from the
    // still-open review page instead of resuming.
    let (status, saved) = step(app, &review, &[], "save").await;
    assert_eq!(status, 200, "{saved}");
    let (status, receipt) = step(app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{receipt}");
    receipt_of(&receipt)
}

/// Assert that no row of any table holds both the invitation (id or code) and the response
/// (id, receipt or idempotency key), and that the invitation appears only in its own tables.
fn assert_unlinked(app: &TestApp, code: &str, receipt: &str) {
    let inv = invitation(app, code);
    let completed = inv.completed_at.expect("the invitation is used up");
    assert_eq!(completed.time(), time::Time::MIDNIGHT, "date only");
    assert_eq!(
        inv.started_at.expect("started").time(),
        time::Time::MIDNIGHT
    );
    assert!(inv.response_id.is_none());
    let response = response_ids(app, receipt);
    let invitation_ids = [inv.id.clone(), inv.code.clone()];
    for (table, row) in dump(app) {
        let has_inv = invitation_ids.iter().any(|i| row.contains(i.as_str()));
        let has_resp = response.iter().any(|r| row.contains(r.as_str()));
        assert!(!(has_inv && has_resp), "{table} links them: {row}");
        if has_inv {
            assert!(
                ["invitations", "invitation_contacts", "deliveries"].contains(&table.as_str()),
                "the invitation appears in {table}: {row}"
            );
        }
    }
}

#[actix_web::test]
async fn an_anonymous_survey_stores_no_link_between_invitation_and_response_in_any_table() {
    let app = app_with(SurveyOptions {
        anonymous: true,
        ..invitation_only()
    })
    .await;
    let code = invite(&app, "Eva", Some("070-111 11 11"));
    let receipt = answer_with_code_saving_a_draft_first(&app, &code).await;
    assert_unlinked(&app, &code, &receipt);
    // An interviewer's phone entry from the work list: audited, but without the receipt.
    let by_phone = invite(&app, "Filip", Some("070-222 22 22"));
    app.create_user("ivan", "interviewer");
    app.login("ivan", GOOD_PASSWORD).await;
    let (status, first) = start_entry(
        &app,
        &[("mode", "phone"), ("lang", "sv"), ("invitation", &by_phone)],
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let review = answer_from_first_page(&app, &first, "no").await;
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(app.audit_actions("response.entered"), 1);
    assert_unlinked(&app, &by_phone, &receipt_of(&done));
    assert_unlinked(&app, &code, &receipt);
    // The same survey without `anonymous` does keep the link (so the checks above can fail).
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Eva", None);
    let receipt = answer_with_code_saving_a_draft_first(&app, &code).await;
    let inv = invitation(&app, &code);
    let response = response_ids(&app, &receipt);
    assert_eq!(inv.response_id.as_deref(), Some(response[0].as_str()));
    assert!(
        dump(&app)
            .iter()
            .any(|(_, row)| row.contains(&inv.id)
                && response.iter().any(|r| row.contains(r.as_str())))
    );
}

// ---------------------------------------------------------------- quotas

fn quota_options() -> SurveyOptions {
    SurveyOptions {
        quotas: vec![Quota {
            name: "car".into(),
            by: vec!["has_car".into()],
            limit: 2,
            limits: BTreeMap::new(),
            message: Text::new([
                ("sv", "Vi har redan fått nog med svar från bilägare."),
                ("en", "We already have enough answers from car owners."),
            ]),
        }],
        ..SurveyOptions::default()
    }
}

#[actix_web::test]
async fn a_full_quota_cell_refuses_exactly_its_extra_responses_early_or_at_submit() {
    let app = app_with(quota_options()).await;
    // A respondent who passed the quota question while the cell still had room.
    let late = answer_from_landing(&app, &landing(&app).await, "yes").await;
    for _ in 0..2 {
        let review = answer_from_landing(&app, &landing(&app).await, "yes").await;
        assert_eq!(step(&app, &review, &[], "submit").await.0, 200);
    }
    assert_eq!(app.response_count(), 2);
    // The writer has the final word: the third in the cell is refused and not stored.
    let (status, refused) = step(&app, &late, &[], "submit").await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused.contains("nog med svar från bilägare"), "{refused}");
    assert_eq!(app.response_count(), 2);
    // The early check: right after the page with the quota question, before the last page.
    let (_, first) = app
        .post_fields(
            &format!("/s/{KEY}/start"),
            &browser_form(&landing(&app).await, &[], ""),
        )
        .await;
    let (status, early) = step(&app, &first, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 403, "{early}");
    assert!(early.contains("nog med svar från bilägare"), "{early}");
    assert!(!early.contains("a.car_age"), "{early}");
    // The other cell still accepts.
    let review = answer_from_landing(&app, &landing(&app).await, "no").await;
    assert_eq!(step(&app, &review, &[], "submit").await.0, 200);
    assert_eq!(app.response_count(), 3);
}

/// The options form's fields as a browser would send them, with `quotas` replaced if given.
fn options_form(html: &str, quotas: Option<&str>) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let form =
        scraper::Selector::parse(&format!("form[action=\"/designer/{KEY}/options\"]")).unwrap();
    let input = scraper::Selector::parse("input, textarea, select").unwrap();
    let selected = scraper::Selector::parse("option[selected]").unwrap();
    let form = doc.select(&form).next().expect("the options form");
    let mut out = vec![];
    for el in form.select(&input) {
        let v = el.value();
        let name = v.attr("name").unwrap_or_default().to_owned();
        let value = match (v.name(), v.attr("type").unwrap_or("text")) {
            ("input", "checkbox") if v.attr("checked").is_none() => continue,
            ("textarea", _) if name == "quotas" => {
                quotas.map_or_else(|| el.text().collect(), str::to_owned)
            }
            ("textarea", _) => el.text().collect(),
            ("select", _) => el
                .select(&selected)
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_owned(),
            _ => v.attr("value").unwrap_or("").to_owned(),
        };
        out.push((name, value));
    }
    out
}

#[actix_web::test]
async fn researchers_edit_quotas_as_toml_and_a_bad_line_is_named() {
    let app = app_with(quota_options()).await;
    app.create_user("rita", "researcher");
    app.login("rita", GOOD_PASSWORD).await;
    let page = format!("/designer/{KEY}/options");
    let (status, html) = app.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("[[quotas]]"),
        "existing quotas are shown: {html}"
    );
    // Saving the form unchanged keeps the quota.
    let res = app.post_fields(&page, &options_form(&html, None)).await;
    assert_eq!(res.0, 303, "{}", res.1);
    let stored = |app: &TestApp| {
        let mut conn = app.db.get().expect("connection");
        insikt::storage::surveys::find_survey(&mut conn, KEY)
            .unwrap()
            .unwrap()
            .options
            .quotas
    };
    assert_eq!(stored(&app), quota_options().quotas);
    let (_, html) = app.get_html(&page).await;
    let bad = "[[quotas]]\nname = \"car\"\nby = [\"has_car\"]\nlimit = \"two\"\n";
    let (status, body) = app
        .post_fields(&page, &options_form(&html, Some(bad)))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("rad 4") || body.contains("line 4"), "{body}");
    assert_eq!(stored(&app), quota_options().quotas);
    let (_, html) = app.get_html(&page).await;
    let good = "[[quotas]]\nname = \"district\"\nby = [\"has_car\"]\nlimit = 5\n";
    let (status, body) = app
        .post_fields(&page, &options_form(&html, Some(good)))
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(stored(&app)[0].name, "district");
    assert_eq!(stored(&app)[0].limit, 5);
}

// ---------------------------------------------------------------- interviewers

async fn start_entry(app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    let token = app.csrf_token("/interview").await;
    let mut all = vec![("csrf_token".to_owned(), token)];
    all.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    app.post_fields(&format!("/s/{KEY}/start"), &all).await
}

fn stored_mode(app: &TestApp, receipt: &str) -> String {
    let mut conn = app.db.get().expect("connection");
    insikt::storage::responses::find_by_receipt(&mut conn, receipt)
        .expect("query")
        .expect("stored")
        .mode
}

#[actix_web::test]
async fn an_interviewers_response_carries_its_mode_and_the_interviewer_is_only_in_the_audit_log() {
    let app = app_with(SurveyOptions::default()).await;
    let ivan = app.create_user("ivan", "interviewer");
    app.login("ivan", GOOD_PASSWORD).await;
    let (status, list) = app.get_html("/interview").await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list.contains(&format!("action=\"/s/{KEY}/start\"")),
        "{list}"
    );
    for mode in ["phone", "paper"] {
        let (status, first) = start_entry(&app, &[("mode", mode), ("lang", "sv")]).await;
        assert_eq!(status, 200, "{first}");
        let review = answer_from_first_page(&app, &first, "yes").await;
        let (status, done) = step(&app, &review, &[], "submit").await;
        assert_eq!(status, 200, "{done}");
        assert!(
            done.contains("href=\"/interview\""),
            "a link to the next one: {done}"
        );
        let receipt = receipt_of(&done);
        assert_eq!(stored_mode(&app, &receipt), mode);
    }
    assert_eq!(app.audit_actions("response.entered"), 2);
    let rows = dump(&app);
    let entered: Vec<_> = rows
        .iter()
        .filter(|(t, r)| t == "audit_log" && r.contains("response.entered"))
        .collect();
    assert!(entered
        .iter()
        .all(|(_, r)| r.contains("ivan") && r.contains(&ivan.id)));
    for (table, row) in rows
        .iter()
        .filter(|(t, _)| t == "responses" || t == "answers")
    {
        assert!(
            !row.contains("ivan") && !row.contains(&ivan.id),
            "{table} names the interviewer: {row}"
        );
    }
}

#[actix_web::test]
async fn only_an_interviewer_session_can_set_a_mode_other_than_web() {
    let app = app_with(SurveyOptions::default()).await;
    // A public respondent adds mode=phone to the start form.
    let land = landing(&app).await;
    let (status, first) = app
        .post_fields(
            &format!("/s/{KEY}/start"),
            &browser_form(&land, &[("mode", "phone")], ""),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    let review = answer_from_first_page(&app, &first, "no").await;
    // Changing the sealed mode on the way is refused outright, and nothing is stored.
    let (status, refused) = step(&app, &review, &[("mode", "paper")], "submit").await;
    assert_eq!(status, 400, "{refused}");
    assert!(!refused.contains("INS-"), "{refused}");
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(stored_mode(&app, &receipt_of(&done)), "web");
    // A logged-in analyst is not an interviewer either.
    app.create_user("ann", "analyst");
    app.login("ann", GOOD_PASSWORD).await;
    assert_eq!(app.get("/interview").await.status().as_u16(), 403);
    let (_, first) = app
        .post_fields(
            &format!("/s/{KEY}/start"),
            &browser_form(&landing(&app).await, &[("mode", "phone")], ""),
        )
        .await;
    let review = answer_from_first_page(&app, &first, "no").await;
    let (status, _) = step(&app, &review, &[("mode", "phone")], "submit").await;
    assert_eq!(status, 400);
    let (_, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(stored_mode(&app, &receipt_of(&done)), "web");
    assert_eq!(app.audit_actions("response.entered"), 0);
}

#[actix_web::test]
async fn the_work_list_shows_sampled_people_with_a_phone_who_have_not_answered() {
    let app = app_with(invitation_only()).await;
    let to_call = invite(&app, "Fredrik Att-ringa", Some("070-222 22 22"));
    let answered = invite(&app, "Greta Har-svarat", Some("070-333 33 33"));
    invite(&app, "Hugo Utan-telefon", None);
    let (_, page) = open_with_code(&app, &answered).await;
    let review = answer_from_landing(&app, &page, "no").await;
    assert_eq!(step(&app, &review, &[], "submit").await.0, 200);
    app.create_user("ivan", "interviewer");
    app.login("ivan", GOOD_PASSWORD).await;
    let (status, list) = app.get_html(&format!("/interview/{KEY}")).await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list.contains("Fredrik Att-ringa") && list.contains("070-222 22 22"),
        "{list}"
    );
    assert!(!list.contains("Greta Har-svarat"), "{list}");
    assert!(!list.contains("Hugo Utan-telefon"), "{list}");
    // Its button starts a phone interview under that invitation.
    let (status, first) = start_entry(
        &app,
        &[("mode", "phone"), ("lang", "sv"), ("invitation", &to_call)],
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let review = answer_from_first_page(&app, &first, "no").await;
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(stored_mode(&app, &receipt_of(&done)), "phone");
    assert!(invitation(&app, &to_call).completed_at.is_some());
    let (_, list) = app.get_html(&format!("/interview/{KEY}")).await;
    assert!(!list.contains("Fredrik Att-ringa"), "{list}");
}

// ---------------------------------------------------------------- attacks on access

/// A hand-made submission: the review page's fields without going through the start form.
fn forged_submission(csrf_page: &str, attempt: &str) -> Vec<(String, String)> {
    let token = crate::helpers::extract_csrf(csrf_page).expect("a CSRF token on the page");
    [
        ("csrf_token", token.as_str()),
        ("attempt", attempt),
        ("seed", "1"),
        ("lang", "sv"),
        ("page", "3"),
        ("started", "0"),
        ("shown", ""),
        ("h.has_car", "no"),
        ("nav", "submit"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

#[actix_web::test]
async fn answers_posted_without_the_start_form_get_no_receipt_on_invitation_and_anonymous_surveys()
{
    for options in [
        invitation_only(),
        SurveyOptions {
            anonymous: true,
            ..invitation_only()
        },
    ] {
        let app = app_with(options).await;
        invite(&app, "Eva", None);
        let (_, code_page) = app.get_html(&format!("/s/{KEY}")).await;
        for attempt in [
            "0123456789abcdef0123456789abcdef",
            "ffffffffffffffffffffffffffffffff",
        ] {
            let (status, html) = app
                .post_fields(
                    &format!("/s/{KEY}"),
                    &forged_submission(&code_page, attempt),
                )
                .await;
            assert!(
                (400..500).contains(&status),
                "a forged attempt got {status}: {html}"
            );
            assert!(!html.contains("INS-"), "no receipt: {html}");
        }
        assert_eq!(app.response_count(), 0);
    }
}

#[actix_web::test]
async fn a_started_attempt_that_drops_or_swaps_its_code_is_refused_at_every_step() {
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Eva", None);
    let other = invite(&app, "Olle", None);
    let (_, page) = open_with_code(&app, &code).await;
    let review = answer_from_landing(&app, &page, "no").await;
    for tampered in [("invitation", ""), ("invitation", other.as_str())] {
        for nav in ["next", "submit"] {
            let (status, html) = step(&app, &review, &[tampered], nav).await;
            assert!((400..500).contains(&status), "{tampered:?} {nav}: {status}");
            assert!(!html.contains("INS-"), "{html}");
        }
    }
    assert_eq!(app.response_count(), 0);
    assert!(invitation(&app, &other).completed_at.is_none());
    // The untouched attempt still gets its receipt.
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("INS-"));
}

#[actix_web::test]
async fn a_code_used_in_another_tab_stops_the_other_attempt_at_its_next_step() {
    let app = app_with(invitation_only()).await;
    let code = invite(&app, "Eva", None);
    let (_, page) = open_with_code(&app, &code).await;
    let (status, first) = app
        .post_fields(&format!("/s/{KEY}/start"), &browser_form(&page, &[], ""))
        .await;
    assert_eq!(status, 200, "{first}");
    let review = answer_from_landing(&app, &page, "no").await;
    let (status, _) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200);
    // The first tab goes on: its next page says the code is used, before anything is typed.
    let (status, html) = step(&app, &first, &[("a.has_car", "yes")], "next").await;
    assert_eq!(status, 409, "{html}");
    assert_eq!(app.response_count(), 1);
}

#[actix_web::test]
async fn the_start_time_and_the_layout_seed_are_the_servers_not_the_clients() {
    let app = app_with(SurveyOptions::default()).await;
    let review = answer_from_landing(&app, &landing(&app).await, "no").await;
    for tampered in [
        ("started", "0"),
        ("seed", "42"),
        ("attempt", "0123456789abcdef0123456789abcdef"),
        ("seal", ""),
    ] {
        let (status, html) = step(&app, &review, &[tampered], "submit").await;
        assert_eq!(status, 400, "{tampered:?}: {html}");
    }
    assert_eq!(app.response_count(), 0);
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    let id = response_ids(&app, &receipt_of(&done))[0].clone();
    let row = dump(&app)
        .into_iter()
        .find(|(t, r)| t == "responses" && r.contains(&id))
        .expect("the response row")
        .1;
    assert!(!row.contains("1970-01-01"), "{row}");
}

#[actix_web::test]
async fn the_continue_later_link_ignores_a_forwarded_host_from_an_untrusted_client() {
    let app = app_with(SurveyOptions::default()).await;
    let review = answer_from_landing(&app, &landing(&app).await, "no").await;
    let res = app
        .post_with_header(
            &format!("/s/{KEY}"),
            &browser_form(&review, &[], "save"),
            ("x-forwarded-host", "evil.example"),
        )
        .await;
    assert_eq!(res.0, 200, "{}", res.1);
    assert!(!res.1.contains("evil.example"), "{}", res.1);
    assert!(res.1.contains("/s/test-survey/resume?code="), "{}", res.1);
}

/// The 4096-byte pages of a SQLite file, or the frames of its WAL, as text chunks.
fn sqlite_pages(path: &std::path::Path, wal: bool) -> Vec<Vec<u8>> {
    let Ok(bytes) = std::fs::read(path) else {
        return vec![];
    };
    const PAGE: usize = 4096;
    if wal {
        // 32-byte WAL header, then frames of a 24-byte header and one page.
        bytes
            .get(32..)
            .unwrap_or_default()
            .chunks(24 + PAGE)
            .map(<[u8]>::to_vec)
            .collect()
    } else {
        bytes.chunks(PAGE).map(<[u8]>::to_vec).collect()
    }
}

fn holds(page: &[u8], needle: &str) -> bool {
    page.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[actix_web::test]
async fn a_resumed_anonymous_response_leaves_no_code_next_to_its_attempt_in_the_database_file_or_wal(
) {
    let app = app_with(SurveyOptions {
        anonymous: true,
        ..invitation_only()
    })
    .await;
    let insikt::storage::Backend::Sqlite(path) = app.db.backend().clone() else {
        // The raw-file check is SQLite's; PostgreSQL keeps dead tuples until VACUUM, and the
        // sealed draft is what keeps those unlinkable (the table dump below covers it).
        let code = invite(&app, "Eva", None);
        let receipt = answer_with_code_saving_a_draft_first(&app, &code).await;
        assert_unlinked(&app, &code, &receipt);
        return;
    };
    let code = invite(&app, "Eva", Some("070-111 11 11"));
    let (_, page) = open_with_code(&app, &code).await;
    let (status, first) = app
        .post_fields(&format!("/s/{KEY}/start"), &browser_form(&page, &[], ""))
        .await;
    assert_eq!(status, 200, "{first}");
    let (status, saved) = step(&app, &first, &[("a.has_car", "yes")], "save").await;
    assert_eq!(status, 200, "{saved}");
    let marker = "class=\"receipt-number\"><strong>";
    let at = saved.find(marker).expect("resume code shown") + marker.len();
    let resume_code = saved[at..at + 12].to_owned();
    // Another browser resumes with the code and finishes.
    app.clear_cookies();
    let (_, form) = app.get_html(&format!("/s/{KEY}/resume")).await;
    let (status, resumed) = app
        .post_fields(
            &format!("/s/{KEY}/resume"),
            &browser_form(&form, &[("code", &resume_code)], ""),
        )
        .await;
    assert_eq!(status, 200, "{resumed}");
    assert!(
        resumed.contains("name=\"a.has_car\" value=\"yes\" checked"),
        "{resumed}"
    );
    let (_, p2) = step(&app, &resumed, &[("a.has_car", "yes")], "next").await;
    let (_, p3) = step(&app, &p2, &[("a.car_age", "7")], "next").await;
    let (_, review) = step(&app, &p3, &[], "next").await;
    let (status, done) = step(&app, &review, &[], "submit").await;
    assert_eq!(status, 200, "{done}");
    let receipt = receipt_of(&done);
    assert_unlinked(&app, &code, &receipt);
    let attempt = response_ids(&app, &receipt)[2].clone();
    let db = std::path::PathBuf::from(&path);
    let wal = std::path::PathBuf::from(format!("{path}-wal"));
    let pages: Vec<Vec<u8>> = sqlite_pages(&db, false)
        .into_iter()
        .chain(sqlite_pages(&wal, true))
        .collect();
    // Both are in the files (so the scan reads the right bytes), never in one page.
    assert!(pages.iter().any(|p| holds(p, &code)), "the code is stored");
    assert!(
        pages.iter().any(|p| holds(p, &attempt)),
        "the attempt is stored"
    );
    let together = pages
        .iter()
        .filter(|p| holds(p, &code) && holds(p, &attempt))
        .count();
    assert_eq!(
        together, 0,
        "pages holding both the code and the attempt id"
    );
}
