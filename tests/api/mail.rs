//! E-mail invitations and reminders end to end: the staff mail page queues, the outbox worker
//! sends to an in-test SMTP sink, and the database shows what the server said. Retries, bounces,
//! opt-outs and "never remind someone who answered" are checked against the sink and the rows.

use std::time::Duration;

use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{new_access_code, Cell, Mode};
use insikt::domain::survey::Text;
use insikt::storage::deliveries::{self, Delivery};
use insikt::storage::invitations::{self, Invitation, NewInvitation};
use insikt::storage::responses::{store_batch, InvitationClaim, NewResponse, SubmitOutcome};

use crate::helpers::{TestApp, GOOD_PASSWORD};
use crate::respond::SURVEY;
use crate::smtp_sink::{unused_address, Behaviour, Sink};

const SECRET: &str = "mail-test-secret";
const PUBLIC: &str = "https://insikt.test";
const MAIL_PAGE: &str = "/fieldwork/test-survey/mail";

/// An app that sends to `smtp_url` (or nowhere), with fast retries for tests.
async fn app(smtp_url: Option<String>, max_attempts: u32) -> TestApp {
    let app = TestApp::spawn_with(move |s| {
        s.secret_key = Some(SECRET.into());
        s.mail.smtp_url = smtp_url;
        s.mail.public_url = PUBLIC.into();
        s.mail.from = "Insikt <insikt@example.se>".into();
        s.mail.rate = 0.0;
        s.mail.timeout = Duration::from_millis(700);
        s.mail.retry_base = Duration::from_millis(200);
        s.mail.max_attempts = max_attempts;
        s.mail.poll_interval = Duration::from_millis(100);
    })
    .await;
    let options = SurveyOptions {
        minutes: Some(5),
        contact: Text::new([("sv", "Ring 08-508 000 00."), ("en", "Call 08-508 000 00.")]),
        ..SurveyOptions::default()
    };
    app.publish_survey(SURVEY, &options);
    app.create_user("forskare", "researcher");
    assert_eq!(app.login("forskare", GOOD_PASSWORD).await.status(), 303);
    app
}

fn survey_id(app: &TestApp) -> String {
    let mut conn = app.db.get().unwrap();
    insikt::storage::surveys::find_survey(&mut conn, "test-survey")
        .unwrap()
        .unwrap()
        .id
}

/// Invite one address; returns the stored invitation.
fn invite(app: &TestApp, email: &str, language: &str) -> Invitation {
    let code = new_access_code();
    let mut conn = app.db.get().unwrap();
    invitations::insert_many(
        &mut conn,
        &[NewInvitation {
            survey_id: survey_id(app),
            code: code.clone(),
            email: Some(email.into()),
            language: language.into(),
            ..NewInvitation::default()
        }],
    )
    .unwrap();
    invitations::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap()
}

fn reload(app: &TestApp, inv: &Invitation) -> Invitation {
    let mut conn = app.db.get().unwrap();
    invitations::find_by_code(&mut conn, &inv.code)
        .unwrap()
        .unwrap()
}

fn deliveries_of(app: &TestApp, inv: &Invitation) -> Vec<Delivery> {
    let mut conn = app.db.get().unwrap();
    deliveries::for_invitation(&mut conn, &inv.id).unwrap()
}

/// Press a send button on the mail page.
async fn press(app: &TestApp, kind: &str) -> String {
    let res = app
        .post_form(MAIL_PAGE, &format!("{MAIL_PAGE}/send/{kind}"), &[])
        .await;
    assert_eq!(res.status(), 200, "queueing {kind}");
    res.text().await.unwrap()
}

/// Wait until `check` holds for the invitation's deliveries (panics after 20 s).
async fn wait_until(
    app: &TestApp,
    inv: &Invitation,
    what: &str,
    check: impl Fn(&[Delivery]) -> bool,
) -> Vec<Delivery> {
    for _ in 0..400 {
        let d = deliveries_of(app, inv);
        if check(&d) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for: {what}; rows: {:?}",
        deliveries_of(app, inv)
    );
}

fn status_of<'a>(d: &'a [Delivery], kind: &str) -> Option<&'a str> {
    d.iter().find(|x| x.kind == kind).map(|x| x.status.as_str())
}

async fn all_sent(app: &TestApp, inv: &Invitation, kind: &str) {
    wait_until(app, inv, &format!("{kind} sent"), |d| {
        status_of(d, kind) == Some("sent")
    })
    .await;
}

/// Complete a response with the invitation's code through the app's writer.
fn answer(app: &TestApp, inv: &Invitation) {
    let mut conn = app.db.get().unwrap();
    let (record, version) =
        insikt::storage::surveys::find_respondent_version(&mut conn, "test-survey")
            .unwrap()
            .unwrap();
    let response = NewResponse {
        survey_id: record.id,
        version_id: version.id,
        idempotency_key: format!("{:0>32}", inv.code.replace('-', "")),
        mode: Mode::Web,
        language: "sv".into(),
        seed: 1,
        started_at: insikt::storage::now(),
        cells: vec![Cell {
            key: "has_car".into(),
            text: Some("no".into()),
            number: None,
        }],
        max_responses: None,
        draft_id: None,
        invitation: Some(InvitationClaim {
            code: inv.code.clone(),
            anonymous: false,
        }),
        quotas: Vec::new(),
    };
    let outcome =
        diesel::Connection::transaction(&mut *conn, |c| store_batch(c, &[&response])).unwrap();
    assert!(
        matches!(outcome[0], SubmitOutcome::Stored { .. }),
        "{outcome:?}"
    );
}

fn opt_out_path(text: &str) -> String {
    let start = text.find("/optout/").expect("an opt-out link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[actix_web::test]
async fn an_invitation_and_a_reminder_arrive_in_each_persons_language_with_link_and_code() {
    let sink = Sink::start().await;
    let app = app(Some(sink.url()), 8).await;
    let anna = invite(&app, "anna@example.se", "sv");
    let bob = invite(&app, "bob@example.com", "en");

    let page = press(&app, "invitation").await;
    assert!(page.contains("2 meddelanden lades i kö"), "{page}");
    let got = sink.wait_for(2).await;
    all_sent(&app, &anna, "invitation").await;
    all_sent(&app, &bob, "invitation").await;

    let to_anna = got.iter().find(|m| m.rcpt() == "anna@example.se").unwrap();
    let text = to_anna.text();
    assert_eq!(to_anna.subject(), "Inbjudan: Bilenkät");
    assert!(text.contains("Du har valts ut slumpmässigt"), "{text}");
    assert!(
        text.contains(&format!("{PUBLIC}/s/test-survey?code={}", anna.code)),
        "{text}"
    );
    assert!(text.contains("Ring 08-508 000 00."), "{text}");
    assert!(text.contains("ungefär 5 minuter"), "{text}");
    let unsubscribe = to_anna.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with(&format!("<{PUBLIC}/optout/")),
        "{unsubscribe}"
    );
    assert!(
        !unsubscribe.contains(&anna.code),
        "the opt-out link must not carry the code"
    );

    let to_bob = got.iter().find(|m| m.rcpt() == "bob@example.com").unwrap();
    assert_eq!(to_bob.subject(), "Invitation: Car survey");
    assert!(to_bob.text().contains("You have been chosen at random"));
    assert!(to_bob.text().contains(&bob.code));
    assert!(!to_bob.text().contains("Hej"));

    press(&app, "reminder1").await;
    let got = sink.wait_for(4).await;
    let reminders: Vec<_> = got[2..].iter().collect();
    let r_anna = reminders
        .iter()
        .find(|m| m.rcpt() == "anna@example.se")
        .unwrap();
    let r_bob = reminders
        .iter()
        .find(|m| m.rcpt() == "bob@example.com")
        .unwrap();
    assert_eq!(r_anna.subject(), "Påminnelse: Bilenkät");
    assert!(r_anna.text().contains("Vi har ännu inte fått ditt svar"));
    assert_eq!(r_bob.subject(), "Reminder: Car survey");
    assert!(r_bob.text().contains("We have not received your answer"));
    all_sent(&app, &anna, "reminder1").await;
    let sent_at = deliveries_of(&app, &anna)
        .iter()
        .find(|d| d.kind == "reminder1")
        .and_then(|d| d.sent_at);
    assert!(sent_at.is_some());
}

#[actix_web::test]
async fn a_reminder_never_goes_to_someone_who_answered_or_opted_out() {
    let sink = Sink::start().await;
    let app = app(Some(sink.url()), 8).await;
    let answered = invite(&app, "svarat@example.se", "sv");
    let opted = invite(&app, "nej-tack@example.se", "sv");
    let silent = invite(&app, "tyst@example.se", "en");

    press(&app, "invitation").await;
    let got = sink.wait_for(3).await;
    for inv in [&answered, &opted, &silent] {
        all_sent(&app, inv, "invitation").await;
    }

    answer(&app, &answered);
    let mail = got
        .iter()
        .find(|m| m.rcpt() == "nej-tack@example.se")
        .unwrap();
    let path = opt_out_path(&mail.text());
    let path = path.trim_start_matches(PUBLIC);
    let res = app.post_form(path, path, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(reload(&app, &opted).opted_out_at.is_some());

    let page = press(&app, "reminder1").await;
    assert!(page.contains("1 meddelanden lades i kö"), "{page}");
    all_sent(&app, &silent, "reminder1").await;
    // A reminder 2 press before reminder 1 reached them would also go to no one else.
    press(&app, "reminder2").await;
    all_sent(&app, &silent, "reminder2").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let got = sink.messages();
    assert_eq!(
        got.len(),
        5,
        "3 invitations + 2 reminders to the silent one"
    );
    assert!(got[3..].iter().all(|m| m.rcpt() == "tyst@example.se"));
    for inv in [&answered, &opted] {
        let rows = deliveries_of(&app, inv);
        assert_eq!(rows.len(), 1, "only the invitation: {rows:?}");
    }
}

#[actix_web::test]
async fn a_message_queued_before_the_person_answered_or_opted_out_is_skipped_not_sent() {
    // No SMTP server yet: the worker is off, so the queued rows wait.
    let app = app(None, 8).await;
    let answered = invite(&app, "svarar@example.se", "sv");
    let opted = invite(&app, "avstar@example.se", "sv");
    let waiting = invite(&app, "vantar@example.se", "sv");
    let page = press(&app, "invitation").await;
    assert!(page.contains("Utskick är avstängt"), "{page}");
    assert_eq!(
        status_of(&deliveries_of(&app, &waiting), "invitation"),
        Some("queued")
    );

    answer(&app, &answered);
    let token = insikt::use_cases::mail::opt_out_token(SECRET.as_bytes(), &opted.id);
    let path = format!("/optout/{token}");
    assert_eq!(app.post_form(&path, &path, &[]).await.status(), 200);
    // The opt-out itself skips what was queued for that person.
    assert_eq!(
        status_of(&deliveries_of(&app, &opted), "invitation"),
        Some("skipped")
    );

    // Now a server is there: one drain, as `insikt mail send-due` does it.
    let sink = Sink::start().await;
    let settings = insikt::config::MailSettings {
        smtp_url: Some(sink.url()),
        rate: 0.0,
        ..Default::default()
    };
    let sender = insikt::use_cases::mail::Sender::new(&settings, SECRET.as_bytes())
        .unwrap()
        .unwrap();
    let summary = insikt::use_cases::mail::send_due(&app.db, &sender, Some("test-survey"))
        .await
        .unwrap();
    assert_eq!((summary.sent, summary.skipped), (1, 1), "{summary:?}");
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt(), "vantar@example.se");
    assert_eq!(
        status_of(&deliveries_of(&app, &answered), "invitation"),
        Some("skipped")
    );
}

#[actix_web::test]
async fn a_refused_connection_is_retried_with_back_off_until_the_server_comes_back() {
    let down = unused_address();
    let app = app(Some(format!("smtp://{down}")), 50).await;
    let inv = invite(&app, "anna@example.se", "sv");
    press(&app, "invitation").await;

    let mut seen: Vec<(i32, time::PrimitiveDateTime)> = Vec::new();
    while seen.len() < 3 {
        let rows = wait_until(&app, &inv, "another failed attempt", |d| {
            // Not while a worker holds the row (then `next_attempt_at` is the lease's end).
            let settled =
                d[0].next_attempt_at < insikt::storage::now() + time::Duration::minutes(5);
            d[0].attempts > seen.last().map_or(0, |s| s.0) && d[0].last_error.is_some() && settled
        })
        .await;
        let d = &rows[0];
        assert_eq!(d.status, "queued", "a refused message is not sent: {d:?}");
        assert!(d.sent_at.is_none());
        seen.push((d.attempts, d.next_attempt_at));
    }
    assert!(
        seen.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 > w[0].1),
        "attempts grow and the next attempt moves later: {seen:?}"
    );
    let error = deliveries_of(&app, &inv)[0].last_error.clone().unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");

    let (_, page) = app.get_html(MAIL_PAGE).await;
    assert!(page.contains("Väntar på nytt försök"), "{page}");
    assert!(
        page.contains("a…@example.se"),
        "the address is shown masked"
    );
    assert!(!page.contains("anna@example.se"));

    let sink = Sink::start_on(down).await;
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].rcpt(), "anna@example.se");
    let rows = wait_until(&app, &inv, "sent", |d| d[0].status == "sent").await;
    assert!(rows[0].attempts > seen.last().unwrap().0);
    assert!(rows[0].sent_at.is_some());
}

#[actix_web::test]
async fn a_stalled_or_busy_server_times_out_is_retried_and_gives_up_after_the_last_attempt() {
    let sink = Sink::start().await;
    sink.set(Behaviour::Stall);
    let app = app(Some(sink.url()), 3).await;
    let inv = invite(&app, "anna@example.se", "sv");
    press(&app, "invitation").await;
    let rows = wait_until(&app, &inv, "a timed-out attempt", |d| {
        d[0].attempts >= 1 && d[0].last_error.is_some()
    })
    .await;
    assert_eq!(rows[0].status, "queued");
    assert!(
        rows[0].last_error.as_deref().unwrap().contains("timeout"),
        "{rows:?}"
    );

    // 421 at the greeting and 451 to RCPT are transient too; after three attempts: failed.
    sink.set(Behaviour::Greet421);
    let rows = wait_until(&app, &inv, "failed", |d| d[0].status == "failed").await;
    assert_eq!(rows[0].attempts, 3);
    assert!(rows[0].sent_at.is_none());
    assert!(sink.messages().is_empty());
    let (_, page) = app.get_html(MAIL_PAGE).await;
    assert!(page.contains("Misslyckades"), "{page}");

    let other = invite(&app, "bob@example.com", "en");
    sink.set(Behaviour::Tempfail451);
    press(&app, "invitation").await;
    let rows = wait_until(&app, &other, "a 451", |d| d[0].last_error.is_some()).await;
    assert!(
        rows[0].last_error.as_deref().unwrap().contains("451"),
        "{rows:?}"
    );
    assert_ne!(rows[0].status, "sent");
}

#[actix_web::test]
async fn a_550_for_an_address_marks_the_invitation_bounced_and_stops_reminders() {
    let sink = Sink::start().await;
    sink.reject("finns-inte@example.se");
    let app = app(Some(sink.url()), 8).await;
    let gone = invite(&app, "Finns-Inte@example.se", "sv");
    let fine = invite(&app, "finns@example.se", "sv");
    press(&app, "invitation").await;
    wait_until(&app, &gone, "bounced", |d| d[0].status == "bounced").await;
    all_sent(&app, &fine, "invitation").await;

    let inv = reload(&app, &gone);
    assert!(inv.bounced_at.is_some());
    let reason = inv.bounce_reason.unwrap();
    assert!(reason.contains("550"), "{reason}");
    assert!(
        !reason.to_lowercase().contains("finns-inte@"),
        "no address in the reason"
    );

    press(&app, "reminder1").await;
    all_sent(&app, &fine, "reminder1").await;
    assert_eq!(
        deliveries_of(&app, &gone).len(),
        1,
        "no reminder to a bounced address"
    );
    assert_eq!(sink.messages().len(), 2);
}

#[actix_web::test]
async fn the_opt_out_page_asks_first_and_a_get_changes_nothing() {
    let app = app(None, 8).await;
    let inv = invite(&app, "anna@example.se", "sv");
    let token = insikt::use_cases::mail::opt_out_token(SECRET.as_bytes(), &inv.id);
    let path = format!("/optout/{token}");
    app.clear_cookies();

    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Ja, avregistrera mig"), "{html}");
    assert!(html.contains("Yes, opt me out"), "bilingual: {html}");
    assert!(html.contains("Bilenkät"));
    assert!(
        reload(&app, &inv).opted_out_at.is_none(),
        "a GET changes nothing"
    );

    let res = app.post_raw(&path, &[]).await;
    assert!(
        res.status().is_client_error(),
        "no CSRF token: {}",
        res.status()
    );
    assert!(reload(&app, &inv).opted_out_at.is_none());

    let res = app.post_form(&path, &path, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Du får inga fler e-brev"));
    assert!(reload(&app, &inv).opted_out_at.is_some());

    for bad in [
        "/optout/nonsense".to_owned(),
        format!(
            "/optout/{}",
            token.replace(&inv.id, &uuid::Uuid::new_v4().to_string())
        ),
        format!("/optout/{}x", token),
    ] {
        let (status, html) = app.get_html(&bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(html.contains("Länken fungerar inte"), "{html}");
    }
}

#[actix_web::test]
async fn staff_record_returned_mail_and_only_designers_see_the_mail_page() {
    let app = app(None, 8).await;
    let inv = invite(&app, "anna@example.se", "sv");
    let res = app
        .post_form(
            MAIL_PAGE,
            &format!("{MAIL_PAGE}/bounces"),
            &[("addresses", "ANNA@example.se\nokand@example.se")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("1 inbjudningar markerades som studsade"),
        "{html}"
    );
    assert!(
        html.contains("okand@example.se"),
        "unknown addresses are listed"
    );
    assert!(reload(&app, &inv).bounced_at.is_some());
    assert_eq!(app.audit_actions("mail.bounces"), 1);

    let res = app
        .post_form(
            MAIL_PAGE,
            &format!("{MAIL_PAGE}/bounces"),
            &[("addresses", "  ")],
        )
        .await;
    assert_eq!(res.status(), 422);

    app.create_user("intervjuare", "interviewer");
    app.clear_cookies();
    app.login("intervjuare", GOOD_PASSWORD).await;
    assert_eq!(app.get(MAIL_PAGE).await.status(), 403);
    app.clear_cookies();
    assert_eq!(app.get(MAIL_PAGE).await.status(), 303);
}
