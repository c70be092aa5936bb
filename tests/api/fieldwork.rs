//! Fieldwork: frame upload and stratified draw in the web app, plain lists, bad input (nothing
//! stored), printable letters, the fieldwork counts, and design weights reaching the analysis.

use std::fmt::Write as _;

use analysis::LonelyPsu;
use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{Cell, Mode};
use insikt::domain::survey::Text;
use insikt::storage::invitations;
use insikt::storage::responses::{self, InvitationClaim, NewResponse, SubmitOutcome};
use insikt::use_cases::fieldwork;
use insikt::use_cases::Actor;

use crate::helpers::{TestApp, GOOD_PASSWORD};

const SURVEY: &str = r#"
key = "panel"
version = 1
languages = ["sv", "en"]
title = { sv = "Trygghet i staden", en = "Safety in the city" }
[[pages]]
key = "p1"
[[pages.questions]]
key = "score"
type = "integer"
label = { sv = "Hur trygg känner du dig (0–10)?", en = "How safe do you feel (0–10)?" }
"#;

fn options() -> SurveyOptions {
    let mut o = SurveyOptions::default();
    o.privacy.purpose = Text::new([
        ("sv", "Vi vill veta hur trygga invånarna känner sig."),
        ("en", "We want to know how safe residents feel."),
    ]);
    o.privacy.controller = Text::new([
        ("sv", "Stadsledningskontoret, Stockholms stad"),
        ("en", "City Executive Office, City of Stockholm"),
    ]);
    o.contact = Text::new([
        ("sv", "Ring 08-508 00 000 (vardagar 8–17)"),
        ("en", "Call +46 8 508 00 000 (weekdays 8–17)"),
    ]);
    o.closes_at = Some(time::macros::datetime!(2027-01-31 23:00 UTC));
    o
}

pub(crate) async fn researcher_app() -> TestApp {
    let app = TestApp::spawn().await;
    app.create_user("forskare", "researcher");
    app.login("forskare", GOOD_PASSWORD).await;
    app.publish_survey(SURVEY, &options());
    app
}

/// A frame: `kista` 1 in 4 rows, `bromma` the rest, every row with an address and a language.
fn frame(rows: usize) -> String {
    let mut s = String::from("id,district,name,address,email,language\n");
    for i in 0..rows {
        let d = if i % 4 == 0 { "kista" } else { "bromma" };
        let lang = if i % 10 == 0 { "en" } else { "sv" };
        writeln!(
            s,
            "p{i},{d},Person {i},\"Gatan {i}|123 45 Stockholm\",,{lang}"
        )
        .unwrap();
    }
    s
}

/// POST a multipart form as a browser would, with the token from `page`.
async fn post_multipart(
    app: &TestApp,
    page: &str,
    path: &str,
    file: (&str, &str, &[u8]),
    fields: &[(&str, &str)],
) -> (u16, String) {
    let token = app.csrf_token(page).await;
    let boundary = "----insiktTestBoundary7q3";
    let mut body: Vec<u8> = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    };
    text("csrf_token", &token);
    for (k, v) in fields {
        text(k, v);
    }
    let (field, name, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies: Vec<String> = ["insikt_session", "insikt_csrf"]
        .iter()
        .filter_map(|n| app.cookie(n).map(|v| format!("{n}={v}")))
        .collect();
    let res = reqwest::Client::new()
        .post(format!("{}{}", app.address, path))
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

pub(crate) async fn draw(app: &TestApp, frame: &[u8], fields: &[(&str, &str)]) -> (u16, String) {
    post_multipart(
        app,
        "/fieldwork/panel",
        "/fieldwork/panel/sample",
        ("frame", "ram.csv", frame),
        fields,
    )
    .await
}

fn survey_invitations(app: &TestApp) -> Vec<invitations::Invitation> {
    let mut conn = app.db.get().unwrap();
    let s = insikt::storage::surveys::find_survey(&mut conn, "panel")
        .unwrap()
        .unwrap();
    invitations::for_survey(&mut conn, &s.id).unwrap()
}

fn sample_count(app: &TestApp) -> usize {
    let mut conn = app.db.get().unwrap();
    fieldwork::samples(&mut conn, "panel").unwrap().len()
}

#[actix_web::test]
async fn a_drawn_sample_becomes_one_invitation_per_unit_with_probabilities_from_the_allocation() {
    let app = researcher_app().await;
    let f = frame(400);
    let fields = [
        ("strata", "district"),
        ("allocation", "proportional"),
        ("n", "40"),
        ("seed", "2026"),
    ];
    let (status, page) = draw(&app, f.as_bytes(), &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<caption>"), "the allocation table is shown");
    assert!(page.contains("2026"), "the seed is shown");

    let first = survey_invitations(&app);
    assert_eq!(first.len(), 40);
    let codes: std::collections::HashSet<_> = first.iter().map(|i| i.code.clone()).collect();
    assert_eq!(codes.len(), 40, "every unit gets its own code");
    let units: std::collections::HashSet<_> = first.iter().map(|i| i.unit_ref.clone()).collect();
    assert_eq!(
        units.len(),
        40,
        "each drawn unit becomes exactly one invitation"
    );

    let mut conn = app.db.get().unwrap();
    let samples = fieldwork::samples(&mut conn, "panel").unwrap();
    drop(conn);
    assert_eq!(samples.len(), 1);
    let s = &samples[0];
    assert_eq!(s.record.seed, 2026);
    assert_eq!(s.record.frame_rows, 400);
    assert_eq!(s.record.frame_sha256, fieldwork::sha256_hex(f.as_bytes()));
    for i in &first {
        let stratum = i.stratum.as_deref().unwrap();
        let plan = s.plan.iter().find(|p| p.stratum == stratum).unwrap();
        let expected = plan.sample as f64 / plan.population as f64;
        assert_eq!(i.inclusion_probability, Some(expected));
        assert_eq!(i.design_weight, Some(1.0 / expected));
        assert!(
            i.address.as_deref().unwrap().contains('\n'),
            "address lines kept"
        );
    }
    let n_kista = first
        .iter()
        .filter(|i| i.stratum.as_deref() == Some("kista"))
        .count();
    assert_eq!(n_kista, 10, "proportional: 100 of 400 in kista → 10 of 40");

    // The same frame and seed again: the same units with the same probabilities.
    let (status, _) = draw(&app, f.as_bytes(), &fields).await;
    assert_eq!(status, 200);
    let all = survey_invitations(&app);
    let pick = |sample: &str| {
        let mut v: Vec<(Option<String>, Option<f64>)> = all
            .iter()
            .filter(|i| i.sample_id.as_deref() == Some(sample))
            .map(|i| (i.unit_ref.clone(), i.inclusion_probability))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let ids: Vec<String> = all
        .iter()
        .filter_map(|i| i.sample_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(pick(&ids[0]), pick(&ids[1]));
    assert_eq!(app.audit_actions("sample.draw"), 2);
}

#[actix_web::test]
async fn bad_frames_are_refused_with_file_row_and_column_and_store_nothing() {
    let app = researcher_app().await;
    let base = [("allocation", "fixed"), ("n", "1"), ("seed", "1")];
    let cases: Vec<(Vec<u8>, &str, Vec<&str>)> = vec![
        (
            frame(10).into_bytes(),
            "kommun",
            vec!["ram.csv", "kommun", "id, district, name"],
        ),
        (
            b"id,district\na,x\nb,y\na,x\n".to_vec(),
            "district",
            vec!["ram.csv", "rad 4", "rad 2", "'a'"],
        ),
        (
            b"id,district\n1,S\xf6dermalm\n".to_vec(),
            "district",
            vec!["ram.csv", "rad 2", "district", "UTF-8"],
        ),
        (
            b"id,district\n".to_vec(),
            "district",
            vec!["ram.csv", "inga rader"],
        ),
    ];
    for (bytes, strata, needles) in cases {
        let mut fields = base.to_vec();
        fields.push(("strata", strata));
        let (status, page) = draw(&app, &bytes, &fields).await;
        assert_eq!(status, 422, "{strata}: {page}");
        for n in needles {
            assert!(page.contains(n), "expected '{n}' in the message: {page}");
        }
        assert!(page.contains("Ingenting har sparats"));
    }
    // A fixed n larger than a stratum.
    let (status, page) = draw(
        &app,
        b"id,district\n1,a\n2,a\n3,b\n",
        &[("strata", "district"), ("allocation", "fixed"), ("n", "2")],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("'b' har 1 enheter"), "{page}");
    // n larger than the whole frame with proportional allocation.
    let (status, page) = draw(
        &app,
        frame(10).as_bytes(),
        &[
            ("strata", "district"),
            ("allocation", "proportional"),
            ("n", "11"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert_eq!(sample_count(&app), 0);
    assert!(survey_invitations(&app).is_empty());
    assert_eq!(app.audit_actions("sample.draw"), 0);
}

#[actix_web::test]
async fn a_frame_over_a_million_rows_is_refused_by_the_web_draw() {
    let app = researcher_app().await;
    // 2,000,000 rows; the draw stops reading at row 1,000,002 and says why.
    let mut f = String::with_capacity(2_000_000 * 16);
    f.push_str("id,district\n");
    for i in 0..2_000_000u32 {
        let _ = writeln!(f, "{i},{}", i % 3);
    }
    let (status, page) = draw(&app, f.as_bytes(), &[("strata", "district"), ("n", "10")]).await;
    assert_eq!(status, 422, "{}", &page[..page.len().min(2000)]);
    assert!(page.contains("fler än 1000000 rader"), "the limit is named");
    assert_eq!(sample_count(&app), 0);
}

#[actix_web::test]
async fn a_plain_list_becomes_invitations_without_weights() {
    let app = researcher_app().await;
    let list =
        "email,id,address,language\nanna@example.se,,,sv\n,R-17,Storgatan 1|111 22 Stockholm,en\n";
    let (status, page) = post_multipart(
        &app,
        "/fieldwork/panel",
        "/fieldwork/panel/list",
        ("list", "lista.csv", list.as_bytes()),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let inv = survey_invitations(&app);
    assert_eq!(inv.len(), 2);
    assert!(inv
        .iter()
        .all(|i| i.design_weight.is_none() && i.sample_id.is_none()));

    let dup = "email\nanna@example.se\nANNA@example.se\n";
    let (status, page) = post_multipart(
        &app,
        "/fieldwork/panel",
        "/fieldwork/panel/list",
        ("list", "dubbel.csv", dup.as_bytes()),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("dubbel.csv rad 3") && page.contains("rad 2"),
        "{page}"
    );
    assert_eq!(survey_invitations(&app).len(), 2, "nothing more stored");
}

#[actix_web::test]
async fn only_researchers_reach_fieldwork() {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &options());
    let res = app.get("/fieldwork/panel").await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "anonymous visitors go to the login page"
    );
    app.create_user("analytiker", "analyst");
    app.login("analytiker", GOOD_PASSWORD).await;
    assert_eq!(app.get("/fieldwork/panel").await.status().as_u16(), 403);
    assert_eq!(
        app.get("/fieldwork/panel/letters").await.status().as_u16(),
        403
    );
}

#[actix_web::test]
async fn letters_carry_address_code_qr_and_closing_date_in_each_language() {
    let app = researcher_app().await;
    let (status, _) = draw(
        &app,
        frame(40).as_bytes(),
        &[
            ("strata", "district"),
            ("allocation", "fixed"),
            ("n", "5"),
            ("seed", "3"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let res = app.get("/fieldwork/panel/letters").await;
    assert_eq!(res.status().as_u16(), 200);
    let csp = res
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(!csp.is_empty(), "the letters page carries the CSP");
    let page = res.text().await.unwrap();
    let inv = survey_invitations(&app);
    assert_eq!(page.matches("class=\"letter\"").count(), inv.len());
    for i in &inv {
        assert!(page.contains(&i.code), "the code is printed");
        assert!(
            page.contains(&format!("/s/panel?code={}", i.code)) || page.contains(&i.code),
            "the QR link carries the code"
        );
        assert!(page.contains(i.name.as_deref().unwrap()));
    }
    assert!(
        page.contains(&format!("{}/s/panel", app.address)),
        "full survey address"
    );
    assert!(page.contains("role=\"img\"") && page.contains("<svg"));
    assert!(!page.contains("style="), "no inline styles (CSP)");
    assert!(!page.contains("<script"), "no scripts");
    assert!(page.contains("31 januari 2027"), "closing date in Swedish");
    assert!(
        page.contains("lang=\"en\""),
        "English letters for English speakers"
    );
    assert!(page.contains("Please answer by"));
    assert!(page.contains("08-508 00 000"), "the phone number");
    assert!(page.contains("Stadsledningskontoret"), "the controller");
    assert!(page.contains("slumpmässigt urval"), "why they were chosen");

    // One sample only; an unknown sample is 404.
    let mut conn = app.db.get().unwrap();
    let s = fieldwork::samples(&mut conn, "panel").unwrap().remove(0);
    drop(conn);
    let (status, one) = app
        .get_html(&format!("/fieldwork/panel/letters?sample={}", s.record.id))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one.matches("class=\"letter\"").count(), 10);
    let (status, _) = app.get_html("/fieldwork/panel/letters?sample=nope").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn a_large_sample_s_letters_come_in_print_runs_that_together_hold_every_letter_once() {
    let app = researcher_app().await;
    let (status, _) = draw(
        &app,
        frame(1200).as_bytes(),
        &[
            ("strata", "district"),
            ("allocation", "fixed"),
            ("n", "260"),
            ("seed", "5"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let inv = survey_invitations(&app);
    assert_eq!(inv.len(), 520);
    let (status, first) = app.get_html("/fieldwork/panel/letters").await;
    assert_eq!(status, 200);
    assert_eq!(first.matches("class=\"letter\"").count(), 500);
    assert!(first.contains("Brev 1–500 av 520"), "where this run stands");
    assert!(first.contains("href=\"/fieldwork/panel/letters?page=2\""));
    let (_, second) = app.get_html("/fieldwork/panel/letters?page=2").await;
    assert_eq!(second.matches("class=\"letter\"").count(), 20);
    assert!(second.contains("Brev 501–520 av 520"));
    let (_, past) = app.get_html("/fieldwork/panel/letters?page=99").await;
    assert_eq!(past.matches("class=\"letter\"").count(), 20, "the last run");
    for i in &inv {
        let needle = i.code.as_str();
        let seen = first.matches(needle).count() + second.matches(needle).count();
        assert!(seen > 0, "{} has a letter", i.code);
        assert!(
            !(first.contains(needle) && second.contains(needle)),
            "{} is printed once",
            i.code
        );
    }
}

/// Submit a response through the writer (with an invitation code, or as an open-link answer).
fn complete(app: &TestApp, code: Option<&str>, score: f64) {
    let mut conn = app.db.get().unwrap();
    let s = insikt::storage::surveys::find_survey(&mut conn, "panel")
        .unwrap()
        .unwrap();
    let v = insikt::storage::surveys::find_version(&mut conn, "panel", 1)
        .unwrap()
        .unwrap();
    let out = responses::insert_response(
        &mut conn,
        &NewResponse {
            survey_id: s.id,
            version_id: v.id,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            mode: Mode::Web,
            language: "sv".into(),
            seed: 1,
            started_at: insikt::storage::now(),
            cells: vec![Cell {
                key: "score".into(),
                text: None,
                number: Some(score),
            }],
            max_responses: None,
            draft_id: None,
            invitation: code.map(|c| InvitationClaim {
                code: c.into(),
                anonymous: false,
            }),
            quotas: Vec::new(),
        },
    )
    .unwrap();
    assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
}

#[actix_web::test]
async fn the_fieldwork_view_counts_completions_per_stratum_and_day_and_shows_failed_mail() {
    let app = researcher_app().await;
    let (status, _) = draw(
        &app,
        frame(200).as_bytes(),
        &[
            ("strata", "district"),
            ("allocation", "fixed"),
            ("n", "10"),
            ("seed", "9"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let inv = survey_invitations(&app);
    let bromma: Vec<_> = inv
        .iter()
        .filter(|i| i.stratum.as_deref() == Some("bromma"))
        .collect();
    let kista: Vec<_> = inv
        .iter()
        .filter(|i| i.stratum.as_deref() == Some("kista"))
        .collect();
    // Bromma: 6 of 10 answer; kista: 1 of 10 → overall 35 %, kista lags.
    for i in bromma.iter().take(6).chain(kista.iter().take(1)) {
        complete(&app, Some(&i.code), 5.0);
    }
    {
        let mut conn = app.db.get().unwrap();
        insert_failed_delivery(&mut conn, &inv[0].id, "550 mailbox unavailable");
    }
    let (status, page) = app.get_html("/fieldwork/panel").await;
    assert_eq!(status, 200);
    let doc = scraper::Html::parse_document(&page);
    let row_of = |label: &str| -> Vec<String> {
        let sel = scraper::Selector::parse("tr").unwrap();
        doc.select(&sel)
            .find(|tr| {
                tr.select(&scraper::Selector::parse("th").unwrap())
                    .next()
                    .is_some_and(|th| th.text().collect::<String>().trim() == label)
            })
            .map(|tr| {
                tr.text()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(row_of("Inbjudna"), vec!["Inbjudna", "20"]);
    assert_eq!(row_of("Fullständiga svar"), vec!["Fullständiga svar", "7"]);
    assert_eq!(row_of("Svarsfrekvens"), vec!["Svarsfrekvens", "35,0 %"]);
    assert_eq!(
        row_of("Misslyckade utskick"),
        vec!["Misslyckade utskick", "1"]
    );
    assert_eq!(
        row_of("bromma"),
        vec!["bromma", "10", "6", "60,0 %", "I fas"]
    );
    assert_eq!(
        row_of("kista"),
        vec!["kista", "10", "1", "10,0 %", "Släpar efter"]
    );
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(
        row_of(&today),
        vec![today.clone(), "7".into(), "7".into(), "35,0 %".into()]
    );
    assert!(
        page.contains("550 mailbox unavailable"),
        "the SMTP error is visible"
    );
    assert!(page.contains("scope=\"col\"") && page.contains("<caption>"));
}

fn insert_failed_delivery(
    conn: &mut insikt::storage::DbConnection,
    invitation_id: &str,
    error: &str,
) {
    use diesel::connection::SimpleConnection;
    let sql = format!(
        "INSERT INTO deliveries (id, invitation_id, kind, status, attempts, next_attempt_at, last_error, created_at) \
         VALUES ('{}', '{invitation_id}', 'invitation', 'failed', 5, '2026-11-29 08:00:00', '{error}', '2026-11-29 07:00:00')",
        uuid::Uuid::new_v4()
    );
    match conn {
        #[cfg(feature = "postgres")]
        insikt::storage::DbConnection::Pg(c) => c.batch_execute(&sql).unwrap(),
        #[cfg(feature = "sqlite")]
        insikt::storage::DbConnection::Sqlite(c) => c.batch_execute(&sql).unwrap(),
    }
}

#[actix_web::test]
async fn design_weights_from_the_sample_reach_the_analysis() {
    let app = researcher_app().await;
    // Kista: 100 units, 10 drawn (π = 0.1, w = 10); bromma: 300 units, 10 drawn (π = 1/30, w = 30).
    let mut f = String::from("id,district\n");
    for i in 0..400 {
        writeln!(f, "u{i},{}", if i < 100 { "kista" } else { "bromma" }).unwrap();
    }
    let sample = fieldwork::draw_sample(
        "ram.csv",
        f.as_bytes(),
        &fieldwork::DrawSpec {
            strata: vec!["district".into()],
            allocation: fieldwork::AllocationSpec::Fixed(10),
            id_column: None,
            seed: 5,
            max_rows: 1000,
        },
    )
    .unwrap();
    let mut conn = app.db.get().unwrap();
    fieldwork::store_sample(
        &mut conn,
        Actor::CLI,
        "panel",
        &sample,
        &fieldwork::ContactColumns::default(),
    )
    .unwrap();
    drop(conn);
    let inv = survey_invitations(&app);
    // Answers differ by stratum: kista around 8, bromma around 2.
    let (mut swy, mut sw, mut sy, mut n) = (0.0, 0.0, 0.0, 0.0);
    for (stratum, scores) in [
        ("kista", [8.0, 9.0, 7.0, 8.0]),
        ("bromma", [2.0, 3.0, 1.0, 2.0]),
    ] {
        for (i, score) in inv
            .iter()
            .filter(|i| i.stratum.as_deref() == Some(stratum))
            .zip(scores)
        {
            complete(&app, Some(&i.code), score);
            let w = i.design_weight.unwrap();
            swy += w * score;
            sw += w;
            sy += score;
            n += 1.0;
        }
    }
    let load = || {
        let mut conn = app.db.get().unwrap();
        let v = insikt::storage::surveys::find_version(&mut conn, "panel", 1)
            .unwrap()
            .unwrap();
        insikt::use_cases::results::load_version(&mut conn, &v.survey, &v.id).unwrap()
    };
    let loaded = load();
    assert!(loaded.design.is_weighted());
    assert!(
        loaded.design.population.is_some(),
        "N_h from the sample plan"
    );
    let weights: std::collections::BTreeSet<String> = loaded
        .design
        .weights
        .iter()
        .map(|w| format!("{w:.1}"))
        .collect();
    assert_eq!(
        weights.into_iter().collect::<Vec<_>>(),
        vec!["10.0", "30.0"],
        "kista 100/10, bromma 300/10"
    );
    let est = loaded.mean("score", LonelyPsu::Fail).unwrap();
    assert!(
        (est.estimate - swy / sw).abs() < 1e-9,
        "{} vs {}",
        est.estimate,
        swy / sw
    );
    assert!(
        (est.estimate - sy / n).abs() > 1.0,
        "the weighted estimate differs from the unweighted mean"
    );
    assert!(est.se.is_finite() && est.se > 0.0);

    // An open-link response counts with weight 1. It is alone in its stratum, so the variance
    // needs an explicit lonely-PSU policy rather than a silent change of design.
    complete(&app, None, 5.0);
    let loaded = load();
    assert!(matches!(
        loaded.mean("score", LonelyPsu::Fail),
        Err(analysis::AnalysisError::LonelyPsu { .. })
    ));
    let est = loaded.mean("score", LonelyPsu::Remove).unwrap();
    let expected = (swy + 5.0) / (sw + 1.0);
    assert!(
        (est.estimate - expected).abs() < 1e-9,
        "{} vs {expected}",
        est.estimate
    );
}

#[actix_web::test]
async fn a_huge_header_is_not_echoed_back_whole_when_a_column_is_missing() {
    let app = researcher_app().await;
    // A 10 MB header: 10,000 columns of 1,000 characters each; the column asked for is absent.
    let mut f = String::with_capacity(10_100_000);
    for i in 0..10_000 {
        if i > 0 {
            f.push(',');
        }
        let _ = write!(f, "c{i:05}{}", "x".repeat(994));
    }
    f.push_str("\n1,2\n");
    let long_strata = "k".repeat(5000);
    for strata in ["kommun", long_strata.as_str()] {
        let (status, page) = draw(
            &app,
            f.as_bytes(),
            &[("strata", strata), ("allocation", "fixed"), ("n", "1")],
        )
        .await;
        assert_eq!(status, 422, "{}", &page[..page.len().min(2000)]);
        assert!(page.contains("ram.csv"), "the message names the file");
        assert!(page.contains("c00000xxx"), "it shows the first columns");
        assert!(!page.contains("c00020"), "at most 20 column names");
        assert!(!page.contains(&"x".repeat(100)), "names are cut");
        assert!(
            !page.contains(&"k".repeat(100)),
            "the asked-for name is cut"
        );
        assert!(page.contains('…'));
        assert!(page.len() < 40_000, "the page is {} bytes", page.len());
    }
}
